//! Comparing two designs for review: what changed in the design (its fields, nodes, links and
//! waivers), which findings appear and which are fixed (by fingerprint), and which network
//! flows open and close (the firewall change request). One ordered list of changes, each with
//! its words, feeds the command line's text, Markdown and JSON and the browser's compare mode,
//! so that they list the same entries in the same order.

pub mod delta;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::export::escape::one_line;
use crate::export::flows::{flows, Flow};
use crate::model::{format::to_value, Design};
use crate::rules::{check, Date};

/// A JSON object (a node, the design, a cluster) as the canonical saver makes it.
type Obj = Map<String, Value>;

/// The version of the JSON document (`format: obkm-topology-diff`).
pub const DIFF_VERSION: u64 = 1;

/// What the comparison leaves out.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Leave out nodes that only moved.
    pub ignore_layout: bool,
    /// The day findings are checked for (waiver expiry).
    pub today: Date,
}

/// One side of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Side {
    /// The design's name.
    pub name: String,
    /// Its product.
    pub product: &'static str,
    /// SHA-256 of its canonical text (`model::save`), hex.
    pub sha256: String,
}

impl Side {
    fn of(d: &Design) -> Side {
        Side { name: d.name.clone(), product: d.product.as_str(), sha256: content_hash(d) }
    }
}

pub use crate::model::format::content_hash;

/// One change, in the order the review lists them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// `design`, `node`, `link`, `waiver`, `finding` or `flow`.
    pub section: &'static str,
    /// `changed`, `added`, `removed`, `moved` (nodes); `new`, `fixed` (findings); `opened`,
    /// `closed` (flows).
    pub change: &'static str,
    /// What changed: the design field, the node id, the link key `from~to`, the waiver's rule,
    /// the finding's fingerprint, the flow id.
    pub target: String,
    /// For a changed node: the field (`label`, `zone`, `notes`, `props.memory_gb`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value before (absent when there was none); a removed node's or waiver's whole value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value after (absent when there is none); an added node's or waiver's whole value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// The nodes the canvas marks for it.
    pub nodes: Vec<String>,
    /// The change in words.
    pub text: String,
}

/// A comparison of two designs.
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    /// The design before.
    pub old: Side,
    /// The design after.
    pub new: Side,
    /// Every change, in order: design fields, nodes added, removed, changed, moved, links
    /// added and removed, waivers added and removed, findings new and fixed, flows opened and
    /// closed.
    pub changes: Vec<Change>,
    /// The flows opened (in the new design's flow order).
    pub opened: Vec<Flow>,
    /// The flows closed (in the old design's flow order).
    pub closed: Vec<Flow>,
}

impl Diff {
    /// True when nothing changed (not even the layout, unless it was ignored).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of one section and kind.
    pub fn count(&self, section: &str, change: &str) -> usize {
        self.changes.iter().filter(|c| c.section == section && c.change == change).count()
    }
}

/// A value in a change's words: text quoted, anything else as JSON, nothing as `(unset)`.
fn shown(v: Option<&Value>) -> String {
    match v {
        None => "(unset)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    }
}

/// A node named in words: `km-1 (KM 1)`, or the id alone when the label is the id.
fn named(id: &str, label: &str) -> String {
    if label.is_empty() || label == id {
        id.to_string()
    } else {
        format!("{id} ({})", one_line(label))
    }
}

/// The key that identifies a flow on a device: its id (source, destination, protocol, port)
/// and both addresses. A flow whose purpose or zone changes is the same rule on a firewall.
fn flow_key(f: &Flow) -> (&str, &str, &str) {
    (&f.id, &f.source_address, &f.destination_address)
}

/// The flows of `new` that `old` does not have (opened), and those of `old` that `new` does not
/// have (closed), each in its design's flow order.
pub fn flow_delta(old: &[Flow], new: &[Flow]) -> (Vec<Flow>, Vec<Flow>) {
    let ka: std::collections::HashSet<(&str, &str, &str)> = old.iter().map(flow_key).collect();
    let kb: std::collections::HashSet<(&str, &str, &str)> = new.iter().map(flow_key).collect();
    let opened = new.iter().filter(|f| !ka.contains(&flow_key(f))).cloned().collect();
    let closed = old.iter().filter(|f| !kb.contains(&flow_key(f))).cloned().collect();
    (opened, closed)
}

/// The words of one flow: `lb-1->km-1:tcp/9446 from 10.0.0.5 to 10.0.1.11 (HTTPS servlet)`.
pub fn flow_text(f: &Flow) -> String {
    format!("{} from {} to {} ({})", f.id, f.source_address, f.destination_address, f.purpose)
}

/// The keys of `new` in its order, then those only `old` has.
fn union_keys<'a>(old: &'a Obj, new: &'a Obj) -> Vec<&'a String> {
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    keys
}

fn field_changes(out: &mut Vec<Change>, id: &str, label: &str, old: &Obj, new: &Obj) {
    // The node's own fields, then its props, each a change of its own.
    let skip = ["id", "kind", "x", "y", "props"];
    let empty = Obj::new();
    let (po, pn) = (
        old.get("props").and_then(Value::as_object).unwrap_or(&empty),
        new.get("props").and_then(Value::as_object).unwrap_or(&empty),
    );
    let mut fields: Vec<(String, Option<&Value>, Option<&Value>)> = union_keys(old, new)
        .into_iter()
        .filter(|k| !skip.contains(&k.as_str()))
        .map(|k| (k.clone(), old.get(k), new.get(k)))
        .collect();
    fields.extend(union_keys(po, pn).into_iter().map(|k| (format!("props.{k}"), po.get(k), pn.get(k))));
    for (field, a, b) in fields {
        if a != b {
            out.push(Change {
                section: "node",
                change: "changed",
                target: id.to_string(),
                text: format!("{}: {field} {} → {}", named(id, label), shown(a), shown(b)),
                field: Some(field),
                old: a.cloned(),
                new: b.cloned(),
                nodes: vec![id.to_string()],
            });
        }
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Design, new: &Design, opts: Options) -> Diff {
    let (va, vb) = (to_value(old), to_value(new));
    let (Value::Object(a), Value::Object(b)) = (&va, &vb) else {
        return Diff {
            old: Side::of(old),
            new: Side::of(new),
            changes: Vec::new(),
            opened: Vec::new(),
            closed: Vec::new(),
        };
    };
    let mut changes = Vec::new();

    // The design's own fields (the cluster's one by one), in the new design's order.
    let skip = ["format", "version", "nodes", "links", "waivers"];
    let flat = |m: &Obj| -> Obj {
        let mut out = Obj::new();
        for (k, v) in m.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
            match (k.as_str(), v) {
                ("cluster", Value::Object(c)) => {
                    out.extend(c.iter().map(|(ck, cv)| (format!("cluster.{ck}"), cv.clone())))
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    };
    let (fa, fb) = (flat(a), flat(b));
    for k in union_keys(&fa, &fb) {
        let (x, y) = (fa.get(k), fb.get(k));
        if x != y {
            changes.push(Change {
                section: "design",
                change: "changed",
                target: k.clone(),
                field: Some(k.clone()),
                old: x.cloned(),
                new: y.cloned(),
                nodes: Vec::new(),
                text: format!("Design {k}: {} → {}", shown(x), shown(y)),
            });
        }
    }

    // Nodes, matched by id; a node whose kind changed is removed and added.
    fn nodes(v: &Obj) -> Vec<&Obj> {
        v.get("nodes").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object).collect()
    }
    let (na, nb) = (nodes(a), nodes(b));
    let id = |n: &Obj| n.get("id").and_then(Value::as_str).unwrap_or("").to_string();
    let text_of = |n: &Obj, k: &str| n.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let old_by_id: std::collections::HashMap<String, &Obj> = na.iter().map(|n| (id(n), *n)).collect();
    let new_by_id: std::collections::HashMap<String, &Obj> = nb.iter().map(|n| (id(n), *n)).collect();
    let same_kind = |x: &Obj, y: &Obj| x.get("kind") == y.get("kind");
    for n in &nb {
        let i = id(n);
        if old_by_id.get(&i).is_none_or(|o| !same_kind(o, n)) {
            changes.push(Change {
                section: "node",
                change: "added",
                target: i.clone(),
                field: None,
                old: None,
                new: Some(Value::Object((*n).clone())),
                text: format!("Added {} {}", text_of(n, "kind"), named(&i, &text_of(n, "label"))),
                nodes: vec![i],
            });
        }
    }
    for n in &na {
        let i = id(n);
        if new_by_id.get(&i).is_none_or(|m| !same_kind(n, m)) {
            changes.push(Change {
                section: "node",
                change: "removed",
                target: i.clone(),
                field: None,
                old: Some(Value::Object((*n).clone())),
                new: None,
                text: format!("Removed {} {}", text_of(n, "kind"), named(&i, &text_of(n, "label"))),
                nodes: vec![i],
            });
        }
    }
    let kept: Vec<(&Obj, &Obj)> =
        nb.iter().filter_map(|n| old_by_id.get(&id(n)).filter(|o| same_kind(o, n)).map(|o| (*o, *n))).collect();
    for (o, n) in &kept {
        field_changes(&mut changes, &id(n), &text_of(n, "label"), o, n);
    }
    if !opts.ignore_layout {
        for (o, n) in &kept {
            let pos =
                |m: &Obj| (m.get("x").cloned().unwrap_or(Value::Null), m.get("y").cloned().unwrap_or(Value::Null));
            let (po, pn) = (pos(o), pos(n));
            if po != pn {
                let i = id(n);
                changes.push(Change {
                    section: "node",
                    change: "moved",
                    target: i.clone(),
                    field: None,
                    old: Some(Value::Array(vec![po.0.clone(), po.1.clone()])),
                    new: Some(Value::Array(vec![pn.0.clone(), pn.1.clone()])),
                    text: format!(
                        "Moved {} from ({}, {}) to ({}, {})",
                        named(&i, &text_of(n, "label")),
                        po.0,
                        po.1,
                        pn.0,
                        pn.1
                    ),
                    nodes: vec![i],
                });
            }
        }
    }

    // Links, by their ends as drawn; waivers, by their whole value.
    let links = |d: &Design| -> Vec<(String, String)> {
        d.links.iter().map(|l| (l.from.to_string(), l.to.to_string())).collect()
    };
    let (la, lb) = (links(old), links(new));
    let link_change = |change: &'static str, (f, t): &(String, String)| Change {
        section: "link",
        change,
        target: format!("{f}~{t}"),
        field: None,
        old: None,
        new: None,
        nodes: vec![f.clone(), t.clone()],
        text: format!("{} link {f} → {t}", if change == "added" { "Added" } else { "Removed" }),
    };
    let sa: std::collections::HashSet<&(String, String)> = la.iter().collect();
    let sb: std::collections::HashSet<&(String, String)> = lb.iter().collect();
    for l in lb.iter().filter(|l| !sa.contains(l)) {
        changes.push(link_change("added", l));
    }
    for l in la.iter().filter(|l| !sb.contains(l)) {
        changes.push(link_change("removed", l));
    }
    let waivers = |v: &Obj| -> Vec<Value> { v.get("waivers").and_then(Value::as_array).cloned().unwrap_or_default() };
    let (wa, wb) = (waivers(a), waivers(b));
    let waiver_text = |w: &Value| {
        let rule = w.get("rule").and_then(Value::as_str).unwrap_or("");
        let node = w.get("node").and_then(Value::as_str).map(|n| format!(" on {n}")).unwrap_or_default();
        let reason = w.get("reason").and_then(Value::as_str).map(|r| format!(": {r:?}")).unwrap_or_default();
        let until = w.get("expires").and_then(Value::as_str).map(|e| format!(" until {e}")).unwrap_or_default();
        (rule.to_string(), format!("{rule}{node}{until}{reason}"))
    };
    for (change, from, to) in [("added", &wb, &wa), ("removed", &wa, &wb)] {
        for w in from.iter().filter(|w| !to.contains(w)) {
            let (rule, words) = waiver_text(w);
            changes.push(Change {
                section: "waiver",
                change,
                target: rule,
                field: None,
                old: (change == "removed").then(|| w.clone()),
                new: (change == "added").then(|| w.clone()),
                nodes: w.get("node").and_then(Value::as_str).map(|n| vec![n.to_string()]).unwrap_or_default(),
                text: format!("{} waiver {words}", if change == "added" { "Added" } else { "Removed" }),
            });
        }
    }

    // Findings, by fingerprint: the new design's new ones, then the old design's fixed ones.
    let (ra, rb) = (check(old, opts.today), check(new, opts.today));
    let fa: std::collections::HashSet<String> = ra.findings.iter().map(|f| f.fingerprint()).collect();
    let fb: std::collections::HashSet<String> = rb.findings.iter().map(|f| f.fingerprint()).collect();
    for (change, report, other) in [("new", &rb, &fa), ("fixed", &ra, &fb)] {
        for f in &report.findings {
            let fp = f.fingerprint();
            if !other.contains(&fp) {
                let message = one_line(&f.message);
                changes.push(Change {
                    section: "finding",
                    change,
                    target: fp,
                    field: Some(f.rule.to_string()),
                    old: None,
                    new: None,
                    nodes: f.nodes.clone(),
                    text: format!(
                        "{} {} {}: {message}{}",
                        if change == "new" { "New" } else { "Fixed" },
                        f.severity.as_str(),
                        f.rule,
                        if f.waived { " (waived)" } else { "" }
                    ),
                });
            }
        }
    }

    // Flows: opened in the new design's order, closed in the old one's.
    let (opened, closed) = flow_delta(&flows(old), &flows(new));
    for (change, list) in [("opened", &opened), ("closed", &closed)] {
        for f in list {
            let mut nodes = vec![f.destination.clone()];
            if f.source != "any" {
                nodes.insert(0, f.source.clone());
            }
            changes.push(Change {
                section: "flow",
                change,
                target: f.id.clone(),
                field: None,
                old: None,
                new: None,
                nodes,
                text: format!("{} {}", if change == "opened" { "Opened" } else { "Closed" }, flow_text(f)),
            });
        }
    }
    Diff { old: Side::of(old), new: Side::of(new), changes, opened, closed }
}

/// The counts the summary lists, in order: (section, change, words).
pub const COUNTED: &[(&str, &str, &str)] = &[
    ("design", "changed", "design field(s) changed"),
    ("node", "added", "node(s) added"),
    ("node", "removed", "node(s) removed"),
    ("node", "changed", "node field(s) changed"),
    ("node", "moved", "node(s) moved"),
    ("link", "added", "link(s) added"),
    ("link", "removed", "link(s) removed"),
    ("waiver", "added", "waiver(s) added"),
    ("waiver", "removed", "waiver(s) removed"),
    ("finding", "new", "new finding(s)"),
    ("finding", "fixed", "fixed finding(s)"),
    ("flow", "opened", "flow(s) opened"),
    ("flow", "closed", "flow(s) closed"),
];

/// The JSON document: `format`, `version`, `old` and `new` (name, product, sha256), `summary`
/// (a count per section and change, every key always present) and `changes` (in order; each
/// with `section`, `change`, `target`, `field`, `old`, `new` where they apply, `nodes` and
/// `text`). Two-space indentation and a final newline.
pub fn to_json(d: &Diff) -> String {
    let mut summary = Map::new();
    for (section, change, _) in COUNTED {
        summary.insert(format!("{section}_{change}"), d.count(section, change).into());
    }
    let doc = serde_json::json!({
        "format": "obkm-topology-diff",
        "version": DIFF_VERSION,
        "old": d.old,
        "new": d.new,
        "summary": summary,
        "changes": d.changes,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The summary's counts in words ("2 node(s) added"), those that are not zero.
fn counts(d: &Diff) -> Vec<String> {
    COUNTED
        .iter()
        .filter_map(|(s, c, words)| Some(d.count(s, c)).filter(|n| *n > 0).map(|n| format!("{n} {words}")))
        .collect()
}

/// Text for people: a heading line, the summary, then one change a line.
pub fn to_text(d: &Diff) -> String {
    let mut out =
        format!("{} ({}) → {} ({})\n", one_line(&d.old.name), d.old.product, one_line(&d.new.name), d.new.product);
    if d.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let counts = counts(d);
    out.push_str(&counts.join(", "));
    out.push('\n');
    for c in &d.changes {
        out.push_str(&format!("{:<8} {:<8} {}\n", c.section, c.change, one_line(&c.text)));
    }
    out
}

/// A review comment in Markdown: the summary, the design's changes as a list, the findings,
/// and the firewall change request as a table of the flows opened and closed.
pub fn to_markdown(d: &Diff) -> String {
    use crate::export::escape::markdown_cell as md;
    let mut out = format!("### obkm-topology: {} → {}\n\n", md(&d.old.name), md(&d.new.name));
    if d.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let counts = counts(d);
    out.push_str(&format!("{}.\n", counts.join(", ")));
    let design: Vec<&Change> = d.changes.iter().filter(|c| !matches!(c.section, "finding" | "flow")).collect();
    if !design.is_empty() {
        out.push_str("\n#### Design\n\n");
        for c in design {
            out.push_str(&format!("- {}\n", md(&c.text)));
        }
    }
    let findings: Vec<&Change> = d.changes.iter().filter(|c| c.section == "finding").collect();
    if !findings.is_empty() {
        out.push_str("\n#### Findings\n\n");
        for c in findings {
            out.push_str(&format!("- {} (`{}`)\n", md(&c.text), c.target));
        }
    }
    if !d.opened.is_empty() || !d.closed.is_empty() {
        out.push_str("\n#### Firewall change request\n\n| change | id | source address | destination address | protocol | port | purpose |\n|---|---|---|---|---|---|---|\n");
        for (change, list) in [("open", &d.opened), ("close", &d.closed)] {
            for f in list {
                out.push_str(&format!(
                    "| {change} | {} | {} | {} | {} | {} | {} |\n",
                    md(&f.id),
                    md(&f.source_address),
                    md(&f.destination_address),
                    f.protocol,
                    f.port,
                    md(&f.purpose)
                ));
            }
        }
    }
    out
}

/// Applies a diff's design changes to `old` (findings and flows follow from the design):
/// the result compares equal to the diff's new design. Used to prove that the list of
/// changes is complete; moves are applied only when the diff has them.
pub fn apply(old: &Design, changes: &[Change]) -> Result<Design, String> {
    let Value::Object(mut root) = to_value(old) else { return Err("not a design".into()) };
    let mut nodes: Vec<Value> = root.get("nodes").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut links: Vec<Value> = root.get("links").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut waivers: Vec<Value> = root.get("waivers").and_then(Value::as_array).cloned().unwrap_or_default();
    let set = |m: &mut Map<String, Value>, k: &str, v: &Option<Value>| match v {
        Some(v) => {
            m.insert(k.to_string(), v.clone());
        }
        None => {
            m.shift_remove(k);
        }
    };
    // Removals first: a node whose kind changed is removed and added under the same id.
    for c in changes.iter().filter(|c| c.section == "node" && c.change == "removed") {
        nodes.retain(|n| n.get("id").and_then(Value::as_str) != Some(c.target.as_str()));
    }
    for c in changes {
        match (c.section, c.change) {
            ("design", "changed") => {
                let field = c.field.as_deref().unwrap_or("");
                match field.strip_prefix("cluster.") {
                    Some(k) => {
                        let cluster = root.entry("cluster").or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(m) = cluster {
                            set(m, k, &c.new);
                        }
                    }
                    None => set(&mut root, field, &c.new),
                }
            }
            ("node", "added") => nodes.push(c.new.clone().ok_or("an added node without its value")?),
            ("node", "changed") | ("node", "moved") => {
                let n = nodes
                    .iter_mut()
                    .find(|n| n.get("id").and_then(Value::as_str) == Some(c.target.as_str()))
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| format!("no node {}", c.target))?;
                if c.change == "moved" {
                    if let Some(Value::Array(xy)) = &c.new {
                        n.insert("x".into(), xy.first().cloned().unwrap_or(Value::Null));
                        n.insert("y".into(), xy.get(1).cloned().unwrap_or(Value::Null));
                    }
                    continue;
                }
                let field = c.field.as_deref().unwrap_or("");
                match field.strip_prefix("props.") {
                    Some(k) => {
                        let props = n.entry("props").or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(m) = props {
                            set(m, k, &c.new);
                        }
                    }
                    None => set(n, field, &c.new),
                }
            }
            ("link", change) => {
                let (from, to) = c.target.split_once('~').ok_or("a link key without ~")?;
                let l = serde_json::json!({ "from": from, "to": to });
                if change == "added" {
                    links.push(l);
                } else if let Some(i) =
                    links.iter().position(|x| x.get("from") == l.get("from") && x.get("to") == l.get("to"))
                {
                    links.remove(i);
                }
            }
            ("waiver", "added") => waivers.push(c.new.clone().ok_or("an added waiver without its value")?),
            ("waiver", "removed") => {
                if let Some(i) = waivers.iter().position(|w| Some(w) == c.old.as_ref()) {
                    waivers.remove(i);
                }
            }
            _ => {}
        }
    }
    // A removed node takes its links with it, as deleting it in the editor does.
    let ids: std::collections::HashSet<String> =
        nodes.iter().filter_map(|n| n.get("id").and_then(Value::as_str).map(str::to_string)).collect();
    links.retain(|l| {
        [l.get("from"), l.get("to")].iter().all(|e| e.and_then(|v| v.as_str()).is_some_and(|s| ids.contains(s)))
    });
    root.insert("nodes".into(), Value::Array(nodes));
    root.insert("links".into(), Value::Array(links));
    root.insert("waivers".into(), Value::Array(waivers));
    crate::model::format::from_value(Value::Object(root)).map_err(|e| e.to_string())
}
