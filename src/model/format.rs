//! The design document, format version 1: loading with errors that name the field, and
//! canonical saving (the same design always gives the same bytes). The format is a public
//! contract (design-format.md): unknown fields are kept, newer versions are refused.

use serde_json::{Map, Value};
use thiserror::Error;

use super::date::Date;
use super::design::{is_valid_id, Cluster, Design, Link, Node, NodeId, Waiver, DEFAULT_DOMAIN, DEFAULT_NAME};
pub use super::number::{canonical_number, canonical_prop};
use super::schema::{describe, MembershipScheme, NodeKind, Product, MEMBERSHIP_SCHEMES};

/// The format version this release reads and writes.
pub const FORMAT_VERSION: u64 = 1;
/// The value of the `format` field.
pub const FORMAT_NAME: &str = "obkm-topology";
/// The largest design document accepted (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// The most nodes a design may have.
pub const MAX_NODES: usize = 20_000;
/// The most links a design may have.
pub const MAX_LINKS: usize = 100_000;

/// Why a document could not be loaded. Its text names the field: `nodes[3].props.memory_gb:
/// expected a number, found "eight"`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct LoadError {
    /// Where in the document (`nodes[3].props.memory_gb`, or `document`).
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

fn err<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, LoadError> {
    Err(LoadError { path: path.into(), message: message.into() })
}

/// Loads a design from the text of a document.
pub fn load(text: &str) -> Result<Design, LoadError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return err(
            "document",
            format!("too large ({} bytes; at most {} MiB)", text.len(), MAX_DOCUMENT_BYTES / (1024 * 1024)),
        );
    }
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| LoadError { path: "document".into(), message: format!("not JSON: {e}") })?;
    from_value(value)
}

/// Where an exported diagram (SVG) keeps its design.
const SVG_METADATA: &str = "<metadata id=\"obkm-topology-design\">";

/// Loads a design from a design file or from a diagram exported by this tool (an SVG whose
/// `<metadata>` holds the design, as draw.io's editable exports do).
pub fn load_any(text: &str) -> Result<Design, LoadError> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('<') {
        return load(text);
    }
    if text.len() > MAX_DOCUMENT_BYTES {
        return err(
            "document",
            format!("too large ({} bytes; at most {} MiB)", text.len(), MAX_DOCUMENT_BYTES / (1024 * 1024)),
        );
    }
    let Some(start) = t.find(SVG_METADATA).map(|i| i + SVG_METADATA.len()) else {
        return err(
            "document",
            "an XML or SVG file without a design in it: only diagrams exported by obkm-topology (SVG) open, or design files (JSON)",
        );
    };
    let Some(len) = t[start..].find("</metadata>") else { return err("document", "the diagram's design is cut off") };
    let json = unescape_xml(&t[start..start + len]).ok_or_else(|| LoadError {
        path: "document".into(),
        message: "the diagram's design holds a malformed XML character reference".into(),
    })?;
    load(&json)
}

/// XML text with its character references resolved (`&amp;`, `&#13;`, …); `None` when one is
/// malformed.
fn unescape_xml(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10)?;
        let name = &after[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => name.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Loads a design from a parsed JSON value.
pub fn from_value(value: Value) -> Result<Design, LoadError> {
    let Value::Object(mut root) = value else {
        return err("document", format!("expected a design object, found {}", describe(&value)));
    };
    match root.shift_remove("format") {
        Some(Value::String(s)) if s == FORMAT_NAME => {}
        Some(v) => return err("format", format!("expected \"{FORMAT_NAME}\", found {}", describe(&v))),
        None => return err("format", format!("missing: this is not an {FORMAT_NAME} design")),
    }
    match root.shift_remove("version") {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(FORMAT_VERSION) => {}
            Some(v) if v > FORMAT_VERSION => {
                return err(
                    "version",
                    format!(
                    "format version {v} was written by a newer release; this release reads version {FORMAT_VERSION}"
                ),
                )
            }
            _ => return err("version", format!("expected {FORMAT_VERSION}, found {n}")),
        },
        Some(v) => return err("version", format!("expected a whole number, found {}", describe(&v))),
        None => return err("version", "missing"),
    }
    let name = take_string(&mut root, "name", "")?.unwrap_or_else(|| DEFAULT_NAME.to_string());
    let notes = take_string(&mut root, "notes", "")?.unwrap_or_default();
    let owner = take_string(&mut root, "owner", "")?.unwrap_or_default();
    let product = match take_string(&mut root, "product", "")? {
        None => Product::ObKm15,
        Some(s) => match Product::parse(&s) {
            Some(p) => p,
            None => {
                let all: Vec<&str> = Product::ALL.iter().map(|p| p.as_str()).collect();
                return err("product", format!("expected one of {}, found {:?}", all.join(", "), s));
            }
        },
    };
    let cluster = match root.shift_remove("cluster") {
        None => Cluster::default(),
        Some(Value::Object(mut c)) => {
            let domain = take_string(&mut c, "domain", "cluster")?.unwrap_or_else(|| DEFAULT_DOMAIN.to_string());
            let text = take_string(&mut c, "membership_scheme", "cluster")?;
            let scheme = match text.as_deref().map(MembershipScheme::parse) {
                None => MembershipScheme::Wka,
                Some(Some(m)) => m,
                Some(None) => {
                    return err(
                        "cluster.membership_scheme",
                        format!(
                            "expected one of {}, found {:?}",
                            MEMBERSHIP_SCHEMES.join(", "),
                            text.unwrap_or_default()
                        ),
                    )
                }
            };
            Cluster { domain, membership_scheme: scheme, extra: c }
        }
        Some(v) => return err("cluster", format!("expected an object, found {}", describe(&v))),
    };

    let nodes = load_nodes(take_array(&mut root, "nodes")?)?;
    let links = load_links(take_array(&mut root, "links")?, &nodes)?;
    let waivers = load_waivers(take_array(&mut root, "waivers")?)?;
    Ok(Design { name, notes, owner, product, cluster, nodes, links, waivers, extra: root })
}

/// The path of a field inside an object at `at` (empty: the document's root), made only when
/// an error needs it.
fn field(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn take_string(obj: &mut Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, LoadError> {
    match obj.shift_remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => err(field(at, key), format!("expected a string, found {}", describe(&v))),
    }
}

fn take_number(obj: &mut Map<String, Value>, key: &str, at: &str) -> Result<Option<f64>, LoadError> {
    match obj.shift_remove(key) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(Some(f)),
            _ => err(field(at, key), format!("expected a finite number, found {n}")),
        },
        Some(v) => err(field(at, key), format!("expected a number, found {}", describe(&v))),
    }
}

fn take_array(obj: &mut Map<String, Value>, key: &str) -> Result<Vec<Value>, LoadError> {
    match obj.shift_remove(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => err(key, format!("expected an array, found {}", describe(&v))),
    }
}

fn load_nodes(items: Vec<Value>) -> Result<Vec<Node>, LoadError> {
    if items.len() > MAX_NODES {
        return err("nodes", format!("too many nodes ({}; at most {MAX_NODES})", items.len()));
    }
    let mut nodes: Vec<Node> = Vec::with_capacity(items.len());
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("nodes[{i}]");
        let Value::Object(mut obj) = item else {
            return err(at, format!("expected a node object, found {}", describe(&item)));
        };
        let id = match obj.shift_remove("id") {
            Some(Value::String(s)) if is_valid_id(&s) => s,
            Some(Value::String(s)) => {
                return err(format!("{at}.id"), format!("{s:?} is not a node id (lower-case letters, digits and -, at most 63, starting with a letter or digit)"))
            }
            Some(v) => return err(format!("{at}.id"), format!("expected a string, found {}", describe(&v))),
            None => return err(format!("{at}.id"), "missing"),
        };
        if let Some(first) = seen.get(&id) {
            return err(format!("{at}.id"), format!("duplicate id {id:?} (also nodes[{first}])"));
        }
        seen.insert(id.clone(), i);
        let kind = match obj.shift_remove("kind") {
            Some(Value::String(s)) => match NodeKind::parse(&s) {
                Some(k) => k,
                None => {
                    let all: Vec<&str> = NodeKind::ALL.iter().map(|k| k.as_str()).collect();
                    return err(format!("{at}.kind"), format!("expected one of {}, found {s:?}", all.join(", ")));
                }
            },
            Some(v) => return err(format!("{at}.kind"), format!("expected a string, found {}", describe(&v))),
            None => return err(format!("{at}.kind"), "missing"),
        };
        let label = take_string(&mut obj, "label", &at)?.unwrap_or_else(|| id.clone());
        let x = take_number(&mut obj, "x", &at)?.unwrap_or(0.0);
        let y = take_number(&mut obj, "y", &at)?.unwrap_or(0.0);
        let zone = take_string(&mut obj, "zone", &at)?.unwrap_or_default();
        let props = match obj.shift_remove("props") {
            None => Map::new(),
            Some(Value::Object(p)) => p,
            Some(v) => return err(format!("{at}.props"), format!("expected an object, found {}", describe(&v))),
        };
        let mut props = props;
        for (key, value) in props.iter_mut() {
            if let Some(spec) = kind.prop(key) {
                if let Err(bad) = spec.check_type(value) {
                    return err(format!("{at}.props.{key}{}", bad.at), bad.message);
                }
                // Numbers are kept in canonical form (8.0 is 8), so equal designs compare equal.
                *value = canonical_prop(value);
            }
        }
        let id =
            NodeId::parse(&id).ok_or_else(|| LoadError { path: format!("{at}.id"), message: "invalid id".into() })?;
        let notes = take_string(&mut obj, "notes", &at)?.unwrap_or_default();
        nodes.push(Node { id, kind, label, x, y, zone, notes, props, extra: obj });
    }
    Ok(nodes)
}

fn load_links(items: Vec<Value>, nodes: &[Node]) -> Result<Vec<Link>, LoadError> {
    if items.len() > MAX_LINKS {
        return err("links", format!("too many links ({}; at most {MAX_LINKS})", items.len()));
    }
    let ids: std::collections::HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let mut links = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("links[{i}]");
        let Value::Object(mut obj) = item else {
            return err(at, format!("expected a link object, found {}", describe(&item)));
        };
        let mut end = |key: &str| -> Result<NodeId, LoadError> {
            match obj.shift_remove(key) {
                Some(Value::String(s)) if ids.contains(s.as_str()) => NodeId::parse(&s)
                    .ok_or_else(|| LoadError { path: format!("{at}.{key}"), message: "invalid id".into() }),
                Some(Value::String(s)) => err(format!("{at}.{key}"), format!("no node with id {s:?}")),
                Some(v) => err(format!("{at}.{key}"), format!("expected a node id, found {}", describe(&v))),
                None => err(format!("{at}.{key}"), "missing"),
            }
        };
        let from = end("from")?;
        let to = end("to")?;
        links.push(Link { from, to, extra: obj });
    }
    Ok(links)
}

fn load_waivers(items: Vec<Value>) -> Result<Vec<Waiver>, LoadError> {
    let mut waivers = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("waivers[{i}]");
        let Value::Object(mut obj) = item else {
            return err(at, format!("expected a waiver object, found {}", describe(&item)));
        };
        let rule = take_string(&mut obj, "rule", &at)?
            .ok_or_else(|| LoadError { path: format!("{at}.rule"), message: "missing".into() })?;
        let node = take_string(&mut obj, "node", &at)?;
        let reason = take_string(&mut obj, "reason", &at)?;
        let expires_text = take_string(&mut obj, "expires", &at)?;
        let expires = expires_text.as_deref().and_then(Date::parse);
        if let (Some(date), None) = (&expires_text, expires) {
            return err(format!("{at}.expires"), format!("expected a date YYYY-MM-DD, found {date:?}"));
        }
        waivers.push(Waiver { rule, node, reason, expires, extra: obj });
    }
    Ok(waivers)
}

/// Checks that a design built in memory (a decoded share link) holds everything the format
/// requires of a loaded one, as `from_value(to_value(design))` would, without the round trip
/// through JSON: counts, node ids (valid and unique), property types by the schema (numbers
/// put in canonical form), and link ends naming nodes. The error names the field as a load
/// error does.
pub fn validate(design: &mut Design) -> Result<(), LoadError> {
    if design.nodes.len() > MAX_NODES {
        return err("nodes", format!("too many nodes ({}; at most {MAX_NODES})", design.nodes.len()));
    }
    if design.links.len() > MAX_LINKS {
        return err("links", format!("too many links ({}; at most {MAX_LINKS})", design.links.len()));
    }
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, n) in design.nodes.iter_mut().enumerate() {
        if !is_valid_id(n.id.as_str()) {
            return err(format!("nodes[{i}].id"), format!("{:?} is not a node id", n.id.as_str()));
        }
        if let Some(first) = seen.insert(n.id.as_str().to_string(), i) {
            return err(format!("nodes[{i}].id"), format!("duplicate id {:?} (also nodes[{first}])", n.id.as_str()));
        }
        for (key, value) in n.props.iter_mut() {
            if let Some(spec) = n.kind.prop(key) {
                if let Err(bad) = spec.check_type(value) {
                    return err(format!("nodes[{i}].props.{key}{}", bad.at), bad.message);
                }
                *value = canonical_prop(value);
            }
        }
    }
    for (i, l) in design.links.iter().enumerate() {
        for (key, end) in [("from", &l.from), ("to", &l.to)] {
            if !seen.contains_key(end.as_str()) {
                return err(format!("links[{i}].{key}"), format!("no node with id {:?}", end.as_str()));
            }
        }
    }
    Ok(())
}

fn extend(obj: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (k, v) in extra {
        if !obj.contains_key(k) {
            obj.insert(k.clone(), v.clone());
        }
    }
}

/// The design as the canonical JSON value (field order of design-format.md).
pub fn to_value(design: &Design) -> Value {
    let mut root = Map::new();
    root.insert("format".into(), FORMAT_NAME.into());
    root.insert("version".into(), FORMAT_VERSION.into());
    root.insert("name".into(), design.name.clone().into());
    // Optional fields of the format (a compatible addition): written only when set, so that a
    // design without them saves to the same bytes as before they existed.
    if !design.notes.is_empty() {
        root.insert("notes".into(), design.notes.clone().into());
    }
    if !design.owner.is_empty() {
        root.insert("owner".into(), design.owner.clone().into());
    }
    root.insert("product".into(), design.product.as_str().into());
    let mut cluster = Map::new();
    cluster.insert("domain".into(), design.cluster.domain.clone().into());
    cluster.insert("membership_scheme".into(), design.cluster.membership_scheme.as_str().into());
    extend(&mut cluster, &design.cluster.extra);
    root.insert("cluster".into(), Value::Object(cluster));
    root.insert("nodes".into(), Value::Array(design.nodes.iter().map(node_value).collect()));
    let links = design
        .links
        .iter()
        .map(|l| {
            let mut o = Map::new();
            o.insert("from".into(), l.from.as_str().into());
            o.insert("to".into(), l.to.as_str().into());
            extend(&mut o, &l.extra);
            Value::Object(o)
        })
        .collect();
    root.insert("links".into(), Value::Array(links));
    let waivers = design
        .waivers
        .iter()
        .map(|w| {
            let mut o = Map::new();
            o.insert("rule".into(), w.rule.clone().into());
            if let Some(n) = &w.node {
                o.insert("node".into(), n.clone().into());
            }
            if let Some(r) = &w.reason {
                o.insert("reason".into(), r.clone().into());
            }
            if let Some(e) = &w.expires {
                o.insert("expires".into(), e.to_string().into());
            }
            extend(&mut o, &w.extra);
            Value::Object(o)
        })
        .collect();
    root.insert("waivers".into(), Value::Array(waivers));
    extend(&mut root, &design.extra);
    Value::Object(root)
}

fn node_value(n: &Node) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), n.id.as_str().into());
    o.insert("kind".into(), n.kind.as_str().into());
    o.insert("label".into(), n.label.clone().into());
    o.insert("x".into(), canonical_number(n.x));
    o.insert("y".into(), canonical_number(n.y));
    o.insert("zone".into(), n.zone.clone().into());
    if !n.notes.is_empty() {
        o.insert("notes".into(), n.notes.clone().into());
    }
    let mut props = Map::new();
    for spec in n.kind.props() {
        if let Some(v) = n.props.get(spec.name) {
            props.insert(spec.name.into(), canonical_prop(v));
        }
    }
    extend(&mut props, &n.props);
    o.insert("props".into(), Value::Object(props));
    extend(&mut o, &n.extra);
    Value::Object(o)
}

/// The canonical text of a design: two-space indentation and a final newline.
pub fn save(design: &Design) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(design)).unwrap_or_default();
    text.push('\n');
    text
}

/// SHA-256 of the design's canonical text (`save`), in hex: the same design always gives the
/// same hash, and `sha256sum` of a saved design file gives it too.
pub fn content_hash(design: &Design) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(save(design).as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}
