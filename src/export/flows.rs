//! The canonical list of network flows derived from a design (exports.md, section 2). Every
//! firewall format renders this one list, so they always agree.

use std::collections::BTreeSet;

use crate::model::address::{is_cidr, is_host_or_ip, is_ip};
use crate::model::{Design, Node, NodeKind, Product};

/// Where a node can be reached, as the exports need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    /// A valid IP literal (`ip`, or `host` when it is an IP).
    Ip(String),
    /// A valid host name (no IP known).
    Name(String),
    /// No address at all.
    Missing,
    /// An address the checker reports as malformed (TOPO-003): never written as syntax.
    Invalid(String),
}

impl Addr {
    /// The node's address: `ip`, else `hostname`/`host`.
    pub fn of(n: &Node, product: Product) -> Addr {
        let get =
            |key: &str| if n.kind.prop(key).is_some() { n.str(key, product).trim().to_string() } else { String::new() };
        let ip = get("ip");
        if !ip.is_empty() {
            return if is_ip(&ip) { Addr::Ip(ip) } else { Addr::Invalid(ip) };
        }
        for key in ["hostname", "host"] {
            let v = get(key);
            if v.is_empty() {
                continue;
            }
            let ok = if key == "hostname" { crate::model::address::is_hostname(&v) } else { is_host_or_ip(&v) };
            return match (ok, is_ip(&v)) {
                (false, _) => Addr::Invalid(v),
                (true, true) => Addr::Ip(v),
                (true, false) => Addr::Name(v),
            };
        }
        Addr::Missing
    }

    /// The address text where one may be written (IP or name).
    pub fn usable(&self) -> Option<&str> {
        match self {
            Addr::Ip(s) | Addr::Name(s) => Some(s),
            _ => None,
        }
    }

    /// The IP, when known.
    pub fn ip(&self) -> Option<&str> {
        match self {
            Addr::Ip(s) => Some(s),
            _ => None,
        }
    }
}

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
    /// Source address (IP, name, CIDR, or a placeholder).
    pub source_address: String,
    /// The source IP or CIDR for rule formats, when one is known.
    pub source_ip: Option<String>,
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
        let (source, source_address, source_ip, source_zone) = match src {
            None => ("any".to_string(), "0.0.0.0/0".to_string(), Some("0.0.0.0/0".to_string()), String::new()),
            Some(s) if s.kind == NodeKind::Client => {
                let cidr = s.str("cidr", self.d.product);
                let ok = is_cidr(&cidr);
                let text = if ok { cidr.clone() } else { placeholder(s, &Addr::Invalid(cidr.clone())) };
                (s.id.to_string(), text, ok.then_some(cidr), s.zone.clone())
            }
            Some(s) => {
                let (text, ip) = self.address(s);
                (s.id.to_string(), text, ip, s.zone.clone())
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
            source_ip,
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

/// The distinct neighbours of a node of one kind, in design order.
pub fn linked<'a>(d: &'a Design, n: &Node, kind: NodeKind) -> Vec<&'a Node> {
    d.nodes.iter().filter(|m| m.kind == kind && m.id != n.id && d.links.iter().any(|l| l.joins(&n.id, &m.id))).collect()
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

/// The ports a link carries, for its label on the canvas (`443`, `9446`, `2049, 111`…); empty
/// for pairs that carry nothing (links the checker reports).
pub fn link_ports(a: &Node, b: &Node, p: Product) -> String {
    let (x, y) = if a.kind <= b.kind { (a, b) } else { (b, a) };
    let ports: Vec<u32> = match (x.kind, y.kind) {
        (NodeKind::KeyManager, NodeKind::LoadBalancer) => {
            let offset = x.num("port_offset", p);
            let mut v = vec![port_of(9443.0 + offset)];
            if y.bool("expose_http", p) {
                v.push(port_of(9763.0 + offset));
            }
            v
        }
        (NodeKind::KeyManager, NodeKind::Database) | (NodeKind::KeyManager, NodeKind::Directory) => {
            vec![port_of(y.num("port", p))]
        }
        (NodeKind::KeyManager, NodeKind::SharedStorage) => {
            let mut v: Vec<u32> = storage_ports(y, p).iter().map(|(_, port, _)| *port).collect();
            v.dedup();
            v
        }
        (NodeKind::LoadBalancer, NodeKind::Client) | (NodeKind::LoadBalancer, NodeKind::ApiManager) => {
            let mut v = vec![port_of(x.num("tls_port", p))];
            if x.bool("expose_http", p) && y.kind == NodeKind::Client {
                v.push(80);
            }
            v
        }
        (NodeKind::KeyManager, NodeKind::ApiManager) => {
            vec![port_of(9443.0 + x.num("port_offset", p)), 8243, 9443, 9763]
        }
        (NodeKind::KeyManager, NodeKind::Analytics) => vec![7612, 8006, 8007],
        _ => Vec::new(),
    };
    ports.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// The canonical flow list, in the order of exports.md's table, nodes in design order.
pub fn flows(d: &Design) -> Vec<Flow> {
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
    for a in &kms {
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
        for a in &kms {
            for m in &kms {
                if a.id != m.id {
                    b.push(Some(a), m, "tcp", 5701, "hazelcast-aws", "AWS membership discovery".into(), "yes", "CLU");
                }
            }
        }
    }
    if d.cluster.scheme() == crate::model::MembershipScheme::Multicast {
        for a in &kms {
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
        let n = |id: &str| d.nodes.iter().find(|n| n.id.as_str() == id).cloned().unwrap_or_else(|| d.nodes[0].clone());
        assert_eq!(link_ports(&n("lb-1"), &n("km-1"), d.product), "9446");
        assert_eq!(link_ports(&n("km-1"), &n("lb-1"), d.product), "9446");
        assert_eq!(link_ports(&n("clients"), &n("lb-1"), d.product), "443");
        assert_eq!(link_ports(&n("km-1"), &n("db-1"), d.product), "3306");
        assert_eq!(link_ports(&n("km-1"), &n("ldap-1"), d.product), "389");
        assert_eq!(link_ports(&n("km-1"), &n("fs-1"), d.product), "2049");
        assert_eq!(link_ports(&n("lb-1"), &n("db-1"), d.product), "");
    }
}
