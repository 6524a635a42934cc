//! What the rules ask of a design, computed once per checker run: nodes by kind, who is
//! linked to whom (a petgraph graph whose indices live only inside this run), addresses in
//! comparable form, and sizes in whole megabytes.

use std::net::IpAddr;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

pub use crate::model::hash::Fnv;
use crate::model::{Design, Node, NodeKind, Product};

/// The checker's view of one design.
pub struct Ctx<'a> {
    /// The design.
    pub d: &'a Design,
    /// Its product.
    pub product: Product,
    /// Per node, the distinct other nodes linked to it, ascending.
    neighbours: Vec<Vec<usize>>,
    /// Per node, whether any link touches it (a self-link counts).
    linked: Vec<bool>,
    /// Pairs of nodes (lower index first, ascending) linked more than once, and how many times.
    pub repeated: Vec<Repeated>,
    /// Indices of the Key Manager nodes, in design order.
    pub kms: Vec<usize>,
    /// Each link's ends as node indices, in link order.
    pub link_ends: Vec<(usize, usize)>,
    /// The KM nodes grouped by address key (computed on first use).
    kms_by_address: std::cell::OnceCell<std::collections::BTreeMap<String, Vec<usize>>>,
    /// Every node's address (computed on first use).
    addresses: std::cell::OnceCell<Vec<String>>,
}

impl<'a> Ctx<'a> {
    /// Builds the context (the graph has one vertex per node, one edge per link).
    pub fn new(d: &'a Design) -> Ctx<'a> {
        let mut graph = UnGraph::with_capacity(d.nodes.len(), d.links.len());
        let mut index = std::collections::HashMap::with_capacity_and_hasher(d.nodes.len(), Fnv::default());
        for (i, n) in d.nodes.iter().enumerate() {
            let v = graph.add_node(());
            debug_assert_eq!(v.index(), i);
            index.insert(n.id.as_str(), v);
        }
        let mut link_ends = Vec::with_capacity(d.links.len());
        for l in &d.links {
            if let (Some(&a), Some(&b)) = (index.get(l.from.as_str()), index.get(l.to.as_str())) {
                graph.add_edge(a, b, ());
                link_ends.push((a.index(), b.index()));
            }
        }
        let kms = d.nodes.iter().enumerate().filter(|(_, n)| n.kind == NodeKind::KeyManager).map(|(i, _)| i).collect();
        // Answered once here: rules ask who is linked to whom many times.
        let n = d.nodes.len();
        let linked: Vec<bool> = (0..n).map(|i| graph.neighbors(NodeIndex::<u32>::new(i)).next().is_some()).collect();
        let (neighbours, repeated) =
            adjacency(n, graph.edge_references().map(|e| (e.source().index(), e.target().index())));
        Ctx {
            d,
            product: d.product,
            neighbours,
            linked,
            repeated,
            kms,
            link_ends,
            kms_by_address: std::cell::OnceCell::new(),
            addresses: std::cell::OnceCell::new(),
        }
    }

    /// The node at an index.
    pub fn node(&self, i: usize) -> &'a Node {
        &self.d.nodes[i]
    }

    /// The node's label, as messages name it.
    pub fn label(&self, i: usize) -> &'a str {
        &self.d.nodes[i].label
    }

    /// Labels of several nodes, joined for a message.
    pub fn labels(&self, ids: &[usize]) -> String {
        ids.iter().map(|&i| self.label(i)).collect::<Vec<_>>().join(", ")
    }

    /// Indices of the nodes of a kind.
    pub fn of_kind(&self, kind: NodeKind) -> Vec<usize> {
        self.d.nodes.iter().enumerate().filter(|(_, n)| n.kind == kind).map(|(i, _)| i).collect()
    }

    /// The distinct other nodes linked to node `i`, in ascending index order.
    pub fn neighbours(&self, i: usize) -> &[usize] {
        self.neighbours.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    /// True when node `i` has any link at all (a self-link counts).
    pub fn has_links(&self, i: usize) -> bool {
        self.linked.get(i).copied().unwrap_or(false)
    }

    /// The neighbours of `i` of one kind.
    pub fn linked_of_kind(&self, i: usize, kind: NodeKind) -> Vec<usize> {
        self.neighbours(i).iter().copied().filter(|&j| self.node(j).kind == kind).collect()
    }

    /// True when `i` is linked to at least one node of a kind.
    pub fn is_linked_to(&self, i: usize, kind: NodeKind) -> bool {
        self.neighbours(i).iter().any(|&j| self.node(j).kind == kind)
    }

    /// The nodes of a kind that are linked to at least one Key Manager node.
    pub fn linked_to_kms(&self, kind: NodeKind) -> Vec<usize> {
        self.of_kind(kind).into_iter().filter(|&j| self.is_linked_to(j, NodeKind::KeyManager)).collect()
    }

    /// The KM nodes grouped by their (non-empty) address key.
    pub fn kms_by_address(&self) -> &std::collections::BTreeMap<String, Vec<usize>> {
        self.kms_by_address.get_or_init(|| {
            let mut m: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
            for &i in &self.kms {
                let a = self.address(i);
                if !a.trim().is_empty() {
                    m.entry(address_key(a).into_owned()).or_default().push(i);
                }
            }
            m
        })
    }

    /// A text property with defaults applied (borrowed from the design when set).
    pub fn str(&self, i: usize, name: &str) -> std::borrow::Cow<'a, str> {
        self.node(i).text(name, self.product)
    }

    /// A numeric property with defaults applied.
    pub fn num(&self, i: usize, name: &str) -> f64 {
        self.node(i).num(name, self.product)
    }

    /// A size property in whole megabytes (`round(value * 1000)`), so that 4.1 - 2.1 is 2.
    pub fn mb(&self, i: usize, name: &str) -> i64 {
        mb(self.num(i, name))
    }

    /// A boolean property with defaults applied.
    pub fn bool(&self, i: usize, name: &str) -> bool {
        self.node(i).bool(name, self.product)
    }

    /// A list property with defaults applied.
    pub fn list(&self, i: usize, name: &str) -> Vec<String> {
        self.node(i).list(name, self.product)
    }

    /// The node's address: its `ip` when set, else its `hostname` (or `host`); `""` if none
    /// (worked out once per run for every node).
    pub fn address(&self, i: usize) -> &str {
        let all = self.addresses.get_or_init(|| self.d.nodes.iter().map(|n| address_of(n, self.product)).collect());
        all.get(i).map(String::as_str).unwrap_or("")
    }
}

/// A pair of nodes (lower index first) and how many times they are linked.
pub type Repeated = ((usize, usize), usize);

/// Per node, its distinct other neighbours in ascending order, and the pairs linked more than
/// once: both by two counting passes over the edges (linear, no comparison sort: the checker
/// runs after every edit, on designs of thousands of links).
fn adjacency(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> (Vec<Vec<usize>>, Vec<Repeated>) {
    let mut loops = vec![0usize; n];
    let mut arcs: Vec<(usize, usize)> = Vec::new();
    for (a, b) in edges.filter(|&(a, b)| a < n && b < n) {
        if a == b {
            loops[a] += 1;
        } else {
            arcs.extend([(a, b), (b, a)]);
        }
    }
    // Stable bucket passes: by target, then by source, so each source's targets ascend.
    let bucket = |items: &[(usize, usize)], key: &dyn Fn(&(usize, usize)) -> usize| -> Vec<(usize, usize)> {
        let mut start = vec![0usize; n + 1];
        for it in items {
            start[key(it) + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut out = vec![(0, 0); items.len()];
        for it in items {
            let k = key(it);
            out[start[k]] = *it;
            start[k] += 1;
        }
        out
    };
    let by_source = bucket(&bucket(&arcs, &|a| a.1), &|a| a.0);
    let mut neighbours = vec![Vec::new(); n];
    let mut repeated = Vec::new();
    for group in by_source.chunk_by(|x, y| x == y) {
        let (a, b) = group[0];
        neighbours[a].push(b);
        if group.len() > 1 && a < b {
            repeated.push(((a, b), group.len()));
        }
    }
    // A node linked to itself more than once counts too, in the pairs' order.
    repeated.extend(loops.iter().enumerate().filter(|(_, &k)| k > 1).map(|(a, &k)| ((a, a), k)));
    crate::model::order::sort_by_key(&mut repeated, |r| r.0);
    (neighbours, repeated)
}

/// A size in whole megabytes.
pub fn mb(gb: f64) -> i64 {
    let v = (gb * 1000.0).round();
    if v.is_finite() {
        v.clamp(-9.0e15, 9.0e15) as i64
    } else {
        0
    }
}

/// A node's address as written: its `ip` when non-empty, else its `hostname` or `host`
/// (`model::address::Addr`, which the exports read too).
pub fn address_of(n: &Node, product: Product) -> String {
    crate::model::address::Addr::of(n, product).text().unwrap_or("").to_string()
}

/// An address in comparable form: parsed IPs in canonical text (`0:0::1` equals `::1`), names
/// in lower case without a trailing dot.
pub fn address_key(s: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let t = s.trim();
    match t.parse::<IpAddr>() {
        // An IPv4 literal that parses is already in canonical form (no leading zeros).
        Ok(IpAddr::V4(_)) => Cow::Borrowed(t),
        Ok(ip) => Cow::Owned(ip.to_canonical().to_string()),
        Err(_) => {
            let name = t.strip_suffix('.').unwrap_or(t);
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name)
            }
        }
    }
}

/// True for addresses no other member can reach: loopback, unspecified, `localhost`.
pub fn is_local_address(s: &str) -> bool {
    let t = s.trim();
    match t.parse::<IpAddr>() {
        Ok(ip) => {
            let ip = ip.to_canonical();
            ip.is_loopback() || ip.is_unspecified()
        }
        Err(_) => t.strip_suffix('.').unwrap_or(t).eq_ignore_ascii_case("localhost"),
    }
}
