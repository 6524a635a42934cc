//! The in-memory design: nodes, links, waivers and the design's own fields. Properties are
//! kept as the JSON values the user set (only those), typed by the schema; readers ask for a
//! property through accessors that apply the documented defaults.

use std::fmt;

use serde_json::{Map, Value};

use super::date::Date;
use super::schema::{MembershipScheme, NodeKind, Product, PropDefault, PropType};

/// A node id as in the file (`[a-z0-9][a-z0-9-]{0,62}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(String);

impl NodeId {
    /// Makes an id when the text has the id form.
    pub fn parse(s: &str) -> Option<NodeId> {
        is_valid_id(s).then(|| NodeId(s.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `s` matches `[a-z0-9][a-z0-9-]{0,62}`.
pub fn is_valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// The clustering settings shared by every Key Manager node.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// The Hazelcast clustering domain.
    pub domain: String,
    /// How the members find each other.
    pub membership_scheme: MembershipScheme,
    /// Unknown fields, kept for forward compatibility.
    pub extra: Map<String, Value>,
}

impl Cluster {
    /// The membership scheme.
    pub fn scheme(&self) -> MembershipScheme {
        self.membership_scheme
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster { domain: DEFAULT_DOMAIN.to_string(), membership_scheme: MembershipScheme::Wka, extra: Map::new() }
    }
}

/// The default cluster domain.
pub const DEFAULT_DOMAIN: &str = "wso2.ob.km.domain";
/// The default design name.
pub const DEFAULT_NAME: &str = "Untitled design";

/// One node on the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable id.
    pub id: NodeId,
    /// What it is.
    pub kind: NodeKind,
    /// Free text shown on the canvas.
    pub label: String,
    /// Canvas position of the node's centre.
    pub x: f64,
    /// Canvas position of the node's centre.
    pub y: f64,
    /// Free-text network zone.
    pub zone: String,
    /// Free-text review notes (saved after `zone` when not empty).
    pub notes: String,
    /// The properties that were set (typed by the kind's schema), plus unknown ones.
    pub props: Map<String, Value>,
    /// Unknown node fields.
    pub extra: Map<String, Value>,
}

/// A link as drawn (from where the drag started).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Where the user started the drag.
    pub from: NodeId,
    /// Where the user dropped it.
    pub to: NodeId,
    /// Unknown link fields.
    pub extra: Map<String, Value>,
}

impl Link {
    /// A link without extra fields.
    pub fn new(from: NodeId, to: NodeId) -> Link {
        Link { from, to, extra: Map::new() }
    }

    /// True when this link joins `a` and `b` in either direction.
    pub fn joins(&self, a: &NodeId, b: &NodeId) -> bool {
        (&self.from == a && &self.to == b) || (&self.from == b && &self.to == a)
    }

    /// The key used by the UI hook `data-link`.
    pub fn key(&self) -> String {
        format!("{}~{}", self.from, self.to)
    }
}

/// An accepted finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    /// The rule id it waives.
    pub rule: String,
    /// Restricts the waiver to findings naming this node.
    pub node: Option<String>,
    /// Why it is accepted.
    pub reason: Option<String>,
    /// Last day it applies.
    pub expires: Option<Date>,
    /// Unknown waiver fields.
    pub extra: Map<String, Value>,
}

impl Waiver {
    /// True when this waiver is about a finding of `rule` naming `nodes`: the rule ids are
    /// equal and, if the waiver names a node, the finding names it too (rules.md, waivers).
    pub fn matches(&self, rule: &str, nodes: &[String]) -> bool {
        self.rule == rule && self.node.as_ref().is_none_or(|n| nodes.contains(n))
    }
}

/// A whole design.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Shown in the title and bundle names.
    pub name: String,
    /// Free-text review notes about the whole design (saved after `name` when not empty).
    pub notes: String,
    /// Who answers for the design (a team or a person; saved after `notes` when not empty).
    pub owner: String,
    /// The product the design targets.
    pub product: Product,
    /// Clustering settings.
    pub cluster: Cluster,
    /// Nodes in file order.
    pub nodes: Vec<Node>,
    /// Links in file order.
    pub links: Vec<Link>,
    /// Accepted findings.
    pub waivers: Vec<Waiver>,
    /// Unknown top-level fields.
    pub extra: Map<String, Value>,
}

impl Default for Design {
    fn default() -> Self {
        Design {
            name: DEFAULT_NAME.to_string(),
            notes: String::new(),
            owner: String::new(),
            product: Product::ObKm15,
            cluster: Cluster::default(),
            nodes: Vec::new(),
            links: Vec::new(),
            waivers: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl Design {
    /// The node with this id.
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes.iter().find(|n| &n.id == id)
    }

    /// The index of the node with this id.
    pub fn node_index(&self, id: &NodeId) -> Option<usize> {
        self.nodes.iter().position(|n| &n.id == id)
    }

    /// The smallest unused id `<prefix>-<n>` for a new node of this kind.
    pub fn next_id(&self, kind: NodeKind) -> NodeId {
        let prefix = kind.id_prefix();
        let mut n = 1usize;
        loop {
            let candidate = format!("{prefix}-{n}");
            if !self.nodes.iter().any(|node| node.id.as_str() == candidate) {
                return NodeId(candidate);
            }
            n += 1;
        }
    }

    /// A new node of this kind at a position, with the next free id and no properties set.
    pub fn new_node(&self, kind: NodeKind, x: f64, y: f64) -> Node {
        let id = self.next_id(kind);
        Node {
            label: id.as_str().to_string(),
            id,
            kind,
            x,
            y,
            zone: String::new(),
            notes: String::new(),
            props: Map::new(),
            extra: Map::new(),
        }
    }

    /// True when the two nodes are already linked (either direction).
    pub fn linked(&self, a: &NodeId, b: &NodeId) -> bool {
        self.links.iter().any(|l| l.joins(a, b))
    }
}

/// A property's value after defaults are applied.
#[derive(Clone, Debug, PartialEq)]
pub enum PropValue {
    /// Text, addresses and enum values.
    Str(String),
    /// Numbers and integers.
    Num(f64),
    /// Booleans.
    Bool(bool),
    /// Sets of strings.
    List(Vec<String>),
}

impl Node {
    /// The value of a property with the documented default applied. `product` is needed
    /// for the defaults that depend on the design's product.
    pub fn prop(&self, name: &str, product: Product) -> Option<PropValue> {
        let spec = self.kind.prop(name)?;
        // A node has a handful of properties: comparing their names is cheaper than hashing
        // the one asked for (the checker asks thousands of times per run).
        if let Some((_, v)) = self.props.iter().find(|(k, _)| k.as_str() == name) {
            let value = match (spec.ty, v) {
                (PropType::Number | PropType::Integer, Value::Number(n)) => n.as_f64().map(PropValue::Num),
                (PropType::Bool, Value::Bool(b)) => Some(PropValue::Bool(*b)),
                (PropType::Set(_) | PropType::Addresses, Value::Array(items)) => {
                    Some(PropValue::List(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()))
                }
                (_, Value::String(s)) => Some(PropValue::Str(s.clone())),
                _ => None,
            };
            if value.is_some() {
                return value;
            }
        }
        Some(self.default_value(name, spec.default, product))
    }

    /// The value a property takes when it is not set, as the JSON value the file would hold.
    pub fn default_json(&self, name: &str, product: Product) -> Option<Value> {
        let spec = self.kind.prop(name)?;
        Some(match self.default_value(name, spec.default, product) {
            PropValue::Str(s) => Value::String(s),
            PropValue::Num(n) => super::number::canonical_number(n),
            PropValue::Bool(b) => Value::Bool(b),
            PropValue::List(l) => Value::Array(l.into_iter().map(Value::String).collect()),
        })
    }

    fn default_value(&self, name: &str, default: PropDefault, product: Product) -> PropValue {
        match default {
            PropDefault::Str(s) => PropValue::Str(s.to_string()),
            PropDefault::Num(n) => PropValue::Num(n),
            PropDefault::Bool(b) => PropValue::Bool(b),
            PropDefault::List(l) => PropValue::List(l.iter().map(|s| s.to_string()).collect()),
            PropDefault::Derived(_) => match (self.kind, name) {
                (NodeKind::KeyManager, "product_version") => PropValue::Str(product.release().to_string()),
                (NodeKind::Database, "port") => PropValue::Num(match self.str("engine", product).as_str() {
                    "oracle" => 1521.0,
                    "mssql" => 1433.0,
                    "postgresql" => 5432.0,
                    "db2" => 50000.0,
                    _ => 3306.0,
                }),
                (NodeKind::Directory, "port") => PropValue::Num(if self.bool("tls", product) { 636.0 } else { 389.0 }),
                _ => PropValue::Str(String::new()),
            },
        }
    }

    /// A text property (empty when unknown).
    pub fn str(&self, name: &str, product: Product) -> String {
        self.text(name, product).into_owned()
    }

    /// A text property (empty when unknown), borrowed from the node when it is set: the checker
    /// reads thousands of them per run.
    pub fn text(&self, name: &str, product: Product) -> std::borrow::Cow<'_, str> {
        debug_assert!(self.kind.prop(name).is_some(), "{} has no property {name}", self.kind.as_str());
        let Some(spec) = self.kind.prop(name) else { return std::borrow::Cow::Borrowed("") };
        if let Some((_, v)) = self.props.iter().find(|(k, _)| k.as_str() == name) {
            match (spec.ty, v) {
                (PropType::Number | PropType::Integer | PropType::Bool | PropType::Set(_) | PropType::Addresses, _) => {
                    return std::borrow::Cow::Borrowed("")
                }
                (_, Value::String(s)) => return std::borrow::Cow::Borrowed(s),
                _ => {}
            }
        }
        match spec.default {
            PropDefault::Str(s) => std::borrow::Cow::Borrowed(s),
            default => match self.default_value(name, default, product) {
                PropValue::Str(s) => std::borrow::Cow::Owned(s),
                _ => std::borrow::Cow::Borrowed(""),
            },
        }
    }

    /// A numeric property (0 when unknown).
    pub fn num(&self, name: &str, product: Product) -> f64 {
        debug_assert!(self.kind.prop(name).is_some(), "{} has no property {name}", self.kind.as_str());
        match self.prop(name, product) {
            Some(PropValue::Num(n)) => n,
            _ => 0.0,
        }
    }

    /// A boolean property (false when unknown).
    pub fn bool(&self, name: &str, product: Product) -> bool {
        debug_assert!(self.kind.prop(name).is_some(), "{} has no property {name}", self.kind.as_str());
        matches!(self.prop(name, product), Some(PropValue::Bool(true)))
    }

    /// A list property (empty when unknown).
    pub fn list(&self, name: &str, product: Product) -> Vec<String> {
        debug_assert!(self.kind.prop(name).is_some(), "{} has no property {name}", self.kind.as_str());
        match self.prop(name, product) {
            Some(PropValue::List(l)) => l,
            _ => Vec::new(),
        }
    }
}

/// The design name as a file-name slug: ASCII letters in lower case, runs of other characters
/// than `a-z0-9` turned into one `-`, trimmed of `-` (`design` when empty).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "design".to_string()
    } else {
        trimmed.to_string()
    }
}
