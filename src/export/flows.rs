//! The canonical list of network flows derived from a design (exports.md, section 2). Every
//! firewall format renders this one list, so they always agree.

use std::collections::BTreeSet;

use crate::model::address::is_cidr;
use crate::model::{Design, Node, NodeKind, Product};

pub use crate::model::address::Addr;

/// The placeholder written instead of a missing or malformed address.
pub fn placeholder(n: &Node, addr: &Addr) -> String {
    match addr {
        Addr::Invalid(_) => format!("<INVALID-ADDRESS-OF-{}>", n.id),
        _ => format!("<ADDRESS-OF-{}>", n.id),
    }
}

/// One flow of the matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// `<source>-><destination>:<protocol>/<port>`.
    pub id: String,
    /// Source node id, or `any`.
    pub source: String,
    /// Source address (IP, name, CIDR, or a placeholder); a load balancer's instances' addresses
    /// separated by spaces.
    pub source_address: String,
    /// The source IPs or CIDR blocks for rule formats (a load balancer's `source_addresses`
    /// are several); empty when none is known.
    pub source_ips: Vec<String>,
    /// Source zone.
    pub source_zone: String,
    /// Destination node id.
    pub destination: String,
    /// Destination address.
    pub destination_address: String,
    /// Destination zone.
    pub destination_zone: String,
    /// `tcp` or `udp`.
    pub protocol: &'static str,
    /// Destination port.
    pub port: u32,
    /// Service name.
    pub service: &'static str,
    /// Why the flow exists.
    pub purpose: String,
    /// `yes` or `optional`.
    pub required: &'static str,
    /// The rule id or documentation reference that makes it necessary.
    pub rule: &'static str,
}

struct Builder<'a> {
    d: &'a Design,
    flows: Vec<Flow>,
    seen: BTreeSet<String>,
}

fn port_of(v: f64) -> u32 {
    if v.is_finite() && (0.0..=65535.0).contains(&v) {
        v as u32
    } else {
        0
    }
}

impl<'a> Builder<'a> {
    fn address(&self, n: &Node) -> (String, Option<String>) {
        let a = Addr::of(n, self.d.product);
        let text = a.usable().map(str::to_string).unwrap_or_else(|| placeholder(n, &a));
        (text, a.ip().map(str::to_string))
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        src: Option<&Node>,
        dst: &Node,
        protocol: &'static str,
        port: u32,
        service: &'static str,
        purpose: String,
        required: &'static str,
        rule: &'static str,
    ) {
        let (source, source_address, source_ips, source_zone) = match src {
            None => ("any".to_string(), "0.0.0.0/0".to_string(), vec!["0.0.0.0/0".to_string()], String::new()),
            Some(s) if s.kind == NodeKind::Client => {
                let cidr = s.str("cidr", self.d.product);
                let ok = is_cidr(&cidr);
                let text = if ok { cidr.clone() } else { placeholder(s, &Addr::Invalid(cidr.clone())) };
                (s.id.to_string(), text, if ok { vec![cidr] } else { Vec::new() }, s.zone.clone())
            }
            Some(s) if s.kind == NodeKind::LoadBalancer => {
                // The instances' own addresses, else the load balancer's ip; never its public
                // host name, which names where clients go, not where its traffic comes from.
                let p = self.d.product;
                let listed: Vec<String> = s
                    .list("source_addresses", p)
                    .into_iter()
                    .filter(|a| crate::model::address::is_ip(a) || is_cidr(a))
                    .collect();
                let ips = if listed.is_empty() {
                    Addr::of(s, p).ip().map(str::to_string).into_iter().collect()
                } else {
                    listed
                };
                let text = if ips.is_empty() { format!("<SOURCE-IP-OF-{}>", s.id) } else { ips.join(" ") };
                (s.id.to_string(), text, ips, s.zone.clone())
            }
            Some(s) => {
                let (text, ip) = self.address(s);
                (s.id.to_string(), text, ip.into_iter().collect(), s.zone.clone())
            }
        };
        let (destination_address, _) = self.address(dst);
        let id = format!("{source}->{}:{protocol}/{port}", dst.id);
        if !self.seen.insert(id.clone()) {
            return;
        }
        self.flows.push(Flow {
            id,
            source,
            source_address,
            source_ips,
            source_zone,
            destination: dst.id.to_string(),
            destination_address,
            destination_zone: dst.zone.clone(),
            protocol,
            port,
            service,
            purpose,
            required,
            rule,
        });
    }
}

/// The nodes of a kind linked to at least one Key Manager node, in design order.
pub fn linked_to_kms(d: &Design, kind: NodeKind) -> Vec<&Node> {
    let kms: std::collections::HashSet<&str> =
        d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager).map(|n| n.id.as_str()).collect();
    let mut wanted: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for l in &d.links {
        if kms.contains(l.from.as_str()) {
            wanted.insert(l.to.as_str());
        }
        if kms.contains(l.to.as_str()) {
            wanted.insert(l.from.as_str());
        }
    }
    d.nodes.iter().filter(|n| n.kind == kind && wanted.contains(n.id.as_str())).collect()
}

/// The distinct neighbours of a node of one kind, in design order.
pub fn linked<'a>(d: &'a Design, n: &Node, kind: NodeKind) -> Vec<&'a Node> {
    // One pass over the links, then one over the nodes: called once per node by the flow list,
    // so a search of the links per candidate node would make the list quadratic.
    let others: std::collections::HashSet<&str> = d
        .links
        .iter()
        .filter_map(|l| {
            if l.from == n.id {
                Some(l.to.as_str())
            } else if l.to == n.id {
                Some(l.from.as_str())
            } else {
                None
            }
        })
        .filter(|o| *o != n.id.as_str())
        .collect();
    if others.is_empty() {
        return Vec::new();
    }
    d.nodes.iter().filter(|m| m.kind == kind && others.contains(m.id.as_str())).collect()
}

/// The ports a shared storage serves: (protocol, port, service).
fn storage_ports(fs: &Node, p: Product) -> &'static [(&'static str, u32, &'static str)] {
    match (fs.str("type", p).as_str(), fs.str("nfs_version", p).as_str()) {
        ("nfs", "3") => &[("tcp", 2049, "nfs"), ("tcp", 111, "rpcbind"), ("udp", 111, "rpcbind")],
        ("smb", _) => &[("tcp", 445, "smb")],
        ("glusterfs", _) => &[("tcp", 24007, "glusterd"), ("tcp", 49152, "glusterfs-brick")],
        _ => &[("tcp", 2049, "nfs")],
    }
}

/// The ports each link carries, for its label on the canvas (`443`, `9446`, `2049, 111`…),
/// by link index: read from the flow list (without the cluster mesh, which no link carries),
/// so a label always says what the firewall files open. Empty for links that carry nothing
/// (links the checker reports).
pub fn link_labels(d: &Design) -> Vec<String> {
    let index: std::collections::HashMap<&str, usize> =
        d.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut by_pair: std::collections::HashMap<(usize, usize), Vec<u32>> = std::collections::HashMap::new();
    for f in build(d, false) {
        if let (Some(&a), Some(&b)) = (index.get(f.source.as_str()), index.get(f.destination.as_str())) {
            let ports = by_pair.entry((a.min(b), a.max(b))).or_default();
            if !ports.contains(&f.port) {
                ports.push(f.port);
            }
        }
    }
    d.links
        .iter()
        .map(|l| match (index.get(l.from.as_str()), index.get(l.to.as_str())) {
            (Some(&a), Some(&b)) => by_pair
                .get(&(a.min(b), a.max(b)))
                .map(|p| p.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

/// The canonical flow list, in the order of exports.md's table, nodes in design order.
pub fn flows(d: &Design) -> Vec<Flow> {
    build(d, true)
}

/// The flow list; `mesh` includes the flows among cluster members (which no link carries).
fn build(d: &Design, mesh: bool) -> Vec<Flow> {
    let p = d.product;
    let mut b = Builder { d, flows: Vec::new(), seen: BTreeSet::new() };
    let kms: Vec<&Node> = d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager).collect();
    let lbs: Vec<&Node> = d.nodes.iter().filter(|n| n.kind == NodeKind::LoadBalancer).collect();
    let offset = |km: &Node| km.num("port_offset", p);
    // Clients to each load balancer.
    for lb in &lbs {
        let tls = port_of(lb.num("tls_port", p));
        let http = lb.bool("expose_http", p);
        let clients = linked(d, lb, NodeKind::Client);
        let sources: Vec<Option<&Node>> =
            if clients.is_empty() { vec![None] } else { clients.into_iter().map(Some).collect() };
        for src in &sources {
            b.push(
                *src,
                lb,
                "tcp",
                tls,
                "https",
                "clients reach the Key Manager through the load balancer".into(),
                "yes",
                "HA",
            );
        }
        if http {
            for src in &sources {
                b.push(*src, lb, "tcp", 80, "http", "plain HTTP front end (expose_http)".into(), "optional", "LB-005");
            }
        }
    }
    // Load balancers to their Key Manager nodes.
    for lb in &lbs {
        for km in linked(d, lb, NodeKind::KeyManager) {
            let https = port_of(9443.0 + offset(km));
            b.push(Some(lb), km, "tcp", https, "https", "load-balanced HTTPS servlet port".into(), "yes", "LB-004");
            if lb.bool("expose_http", p) {
                let http = port_of(9763.0 + offset(km));
                b.push(
                    Some(lb),
                    km,
                    "tcp",
                    http,
                    "http",
                    "HTTP servlet port (expose_http)".into(),
                    "optional",
                    "LB-005",
                );
            }
        }
    }
    // Cluster members, both directions.
    let kms_meshed: &[&Node] = if mesh { &kms } else { &[] };
    for a in kms_meshed {
        for m in &kms {
            if a.id != m.id {
                let port = port_of(m.num("member_port", p));
                b.push(
                    Some(a),
                    m,
                    "tcp",
                    port,
                    "hazelcast",
                    "cluster membership and cache invalidation".into(),
                    "yes",
                    "CLU",
                );
            }
        }
    }
    // Hazelcast's AWS discovery reaches every member on Hazelcast's port 5701 (P-OB v1.3.x,
    // ISDG), beside the member port.
    if d.cluster.scheme() == crate::model::MembershipScheme::Aws {
        for a in kms_meshed {
            for m in &kms {
                if a.id != m.id {
                    b.push(Some(a), m, "tcp", 5701, "hazelcast-aws", "AWS membership discovery".into(), "yes", "CLU");
                }
            }
        }
    }
    if d.cluster.scheme() == crate::model::MembershipScheme::Multicast {
        for a in kms_meshed {
            for m in &kms {
                if a.id != m.id {
                    b.push(
                        Some(a),
                        m,
                        "udp",
                        45564,
                        "hazelcast-multicast",
                        "multicast discovery".into(),
                        "yes",
                        "CLU-004",
                    );
                }
            }
        }
    }
    for km in &kms {
        for db in linked(d, km, NodeKind::Database) {
            let port = port_of(db.num("port", p));
            let engine = db.str("engine", p);
            b.push(Some(km), db, "tcp", port, "jdbc", format!("{engine} databases"), "yes", "DB");
        }
    }
    for km in &kms {
        for dir in linked(d, km, NodeKind::Directory) {
            let port = port_of(dir.num("port", p));
            let service = if dir.bool("tls", p) { "ldaps" } else { "ldap" };
            b.push(Some(km), dir, "tcp", port, service, "primary user store".into(), "yes", "DIR");
        }
    }
    for km in &kms {
        for fs in linked(d, km, NodeKind::SharedStorage) {
            let ports = storage_ports(fs, p);
            for (proto, port, service) in ports {
                b.push(
                    Some(km),
                    fs,
                    proto,
                    *port,
                    service,
                    "artifact synchronization (shared file system)".into(),
                    "yes",
                    "FS",
                );
            }
        }
    }
    let ams: Vec<&Node> = d.nodes.iter().filter(|n| n.kind == NodeKind::ApiManager).collect();
    for am in &ams {
        for lb in linked(d, am, NodeKind::LoadBalancer) {
            let port = port_of(lb.num("tls_port", p));
            b.push(Some(am), lb, "tcp", port, "https", "API Manager calls the Key Manager".into(), "yes", "AM");
        }
        for km in linked(d, am, NodeKind::KeyManager) {
            let port = port_of(9443.0 + offset(km));
            b.push(
                Some(am),
                km,
                "tcp",
                port,
                "https",
                "API Manager calls the Key Manager directly".into(),
                "yes",
                "AM-001",
            );
        }
    }
    for km in &kms {
        for am in &ams {
            let via_lb =
                linked(d, am, NodeKind::LoadBalancer).iter().any(|lb| d.links.iter().any(|l| l.joins(&lb.id, &km.id)));
            if via_lb || d.links.iter().any(|l| l.joins(&am.id, &km.id)) {
                for (port, service) in [(8243, "https"), (9443, "https"), (9763, "http")] {
                    b.push(
                        Some(km),
                        am,
                        "tcp",
                        port,
                        service,
                        "Key Manager calls back the API Manager".into(),
                        "yes",
                        "AM",
                    );
                }
            }
        }
    }
    for km in &kms {
        for bi in linked(d, km, NodeKind::Analytics) {
            for (port, service) in [(7612, "thrift"), (8006, "http"), (8007, "http")] {
                b.push(
                    Some(km),
                    bi,
                    "tcp",
                    port,
                    service,
                    "data publishing and fraud/risk receivers".into(),
                    "yes",
                    "BI",
                );
            }
        }
    }
    b.flows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::templates;

    #[test]
    fn link_labels_name_the_ports() {
        let d = templates::design("ha").and_then(Result::ok).unwrap_or_default();
        let labels = link_labels(&d);
        let label = |a: &str, b: &str| {
            let i = d.links.iter().position(|l| l.from.as_str() == a && l.to.as_str() == b).unwrap_or(usize::MAX);
            labels.get(i).cloned().unwrap_or_else(|| "no such link".into())
        };
        assert_eq!(label("lb-1", "km-1"), "9446");
        assert_eq!(label("clients", "lb-1"), "443");
        assert_eq!(label("km-1", "db-1"), "3306");
        assert_eq!(label("km-1", "ldap-1"), "389");
        assert_eq!(label("km-1", "fs-1"), "2049");
        let mut d = d;
        d.links.push(crate::model::Link::new(d.nodes[1].id.clone(), d.nodes[4].id.clone()));
        assert_eq!(link_labels(&d).last().map(String::as_str), Some(""), "lb to db carries nothing");
    }
}
