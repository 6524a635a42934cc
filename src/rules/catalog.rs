//! The rule catalogue of rules.md: one entry per rule with its id, severity, title, source and
//! fix as data, and one small pure function that finds its hits. Adding a rule touches only
//! this file.

use std::collections::{BTreeMap, BTreeSet};

use super::context::{address_key, is_local_address, Ctx};
use super::tested;
use super::Severity::{self, Error, Info, Warning};
use crate::model::address::{is_cidr, is_cluster_domain, is_host_or_ip, is_hostname, is_ip};
use crate::model::schema::{NodeKind, LOGICAL_DATABASES};
use crate::model::{link_allowed, Product};

/// One hit of a rule: the nodes it names (design indices), its message, and a severity when
/// it differs from the rule's (FS-002).
pub struct Hit {
    /// Design indices of the nodes named.
    pub nodes: Vec<usize>,
    /// The message, naming nodes by label.
    pub message: String,
    /// Overrides the rule's severity.
    pub severity: Option<Severity>,
}

/// Collects hits.
#[derive(Default)]
pub struct Hits(pub Vec<Hit>);

impl Hits {
    fn add(&mut self, nodes: impl IntoIterator<Item = usize>, message: String) {
        self.0.push(Hit { nodes: nodes.into_iter().collect(), message, severity: None });
    }
}

/// A rule of the catalogue.
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// True when the rule may fire without any Key Manager node.
    pub without_km: bool,
    /// Finds the hits.
    pub check: fn(&Ctx, &mut Hits),
}

const HA: &str = "HA: Open Banking Key Manager Deployment (HA clustered)";
const SET: &str = "SET: Setting Up Open Banking Key Manager Deployment";
const CLU: &str = "CLU: WSO2 Carbon 4.4 clustering reference";
const LBD: &str = "LBD: WSO2 IS fronting with the NGINX load balancer";
const ISDG: &str = "ISDG: WSO2 IS 5.10 deployment guide";
const ENV: &str = "ENV: WSO2 IS 5.9/5.10 environment compatibility (tested list: IS 5.9/5.10 compatibility page)";
const FMT: &str = "design-format.md: links";

macro_rules! rule {
    ($id:literal, $sev:expr, $without_km:expr, $title:literal, $source:expr, $fix:literal, $check:expr) => {
        Rule {
            id: $id,
            severity: $sev,
            title: $title,
            source: $source,
            fix: $fix,
            without_km: $without_km,
            check: $check,
        }
    };
}

/// Every rule, in id order within each family.
pub const RULES: &[Rule] = &[
    rule!("TOPO-001", Error, true, "Link between kinds that cannot be linked", FMT, "Remove the link", topo_001),
    rule!("TOPO-002", Error, true, "Nodes linked more than once", FMT, "Remove the duplicate link", topo_002),
    rule!("TOPO-003", Error, true, "Malformed address", FMT, "Correct the address", topo_003),
    rule!(
        "TOPO-004",
        Error,
        true,
        "Address used by more than one node",
        FMT,
        "Give each node its own address",
        topo_004
    ),
    rule!("TOPO-005", Warning, true, "Node without links", FMT, "Connect it or remove it", topo_005),
    rule!(
        "TOPO-006",
        Error,
        true,
        "Node the exports must address has no address",
        "exports.md: addresses",
        "Give the node its address",
        topo_006
    ),
    rule!("CLU-001", Error, true, "Fewer than two Key Manager nodes", HA, "Add a Key Manager node", clu_001),
    rule!("CLU-002", Error, false, "Clustering disabled on a Key Manager node", HA, "Enable clustering", clu_002),
    rule!("CLU-003", Warning, false, "Membership scheme is not WKA", SET, "Use the wka membership scheme", clu_003),
    rule!("CLU-004", Error, false, "Multicast across zones", CLU, "Use wka, or put the nodes in one zone", clu_004),
    rule!(
        "CLU-005",
        Error,
        false,
        "Key Manager node without a reachable address",
        CLU,
        "Give the node its real address",
        clu_005
    ),
    rule!("CLU-006", Error, false, "Members on one host share a member port", CLU, "Change one member_port", clu_006),
    rule!(
        "CLU-007",
        Error,
        false,
        "Malformed cluster domain",
        CLU,
        "Name the domain with letters, digits, '.', '_' and '-'",
        clu_007
    ),
    rule!("CLU-008", Warning, false, "Key Manager nodes on one host", HA, "Put each node on its own host", clu_008),
    rule!(
        "LB-001",
        Error,
        false,
        "No load balancer in front of the cluster",
        HA,
        "Add a load balancer linked to every Key Manager node",
        lb_001
    ),
    rule!("LB-002", Error, false, "Load balancer without sticky sessions", HA, "Enable sticky sessions", lb_002),
    rule!(
        "LB-003",
        Error,
        false,
        "Key Manager node behind no load balancer",
        HA,
        "Link it to the load balancer (add one if there is none)",
        lb_003
    ),
    rule!(
        "LB-004",
        Error,
        false,
        "Load balancer reaches the nodes over HTTP",
        LBD,
        "Use https to the backend (port 9446)",
        lb_004
    ),
    rule!("LB-005", Warning, true, "Plain HTTP exposed", LBD, "Serve HTTPS only", lb_005),
    rule!("LB-006", Warning, false, "Single load balancer instance", HA, "Run 2 load balancer instances", lb_006),
    rule!(
        "LB-007",
        Warning,
        false,
        "Load balancer without a public host name",
        ISDG,
        "Set the public host name",
        lb_007
    ),
    rule!(
        "LB-008",
        Warning,
        false,
        "Load balancers with different public host names",
        ISDG,
        "Give every load balancer the one public host name",
        lb_008
    ),
    rule!(
        "DB-001",
        Error,
        false,
        "Logical database hosted nowhere",
        HA,
        "Add a database node that hosts it and link it to the Key Manager nodes (or host it on the linked one)",
        db_001
    ),
    rule!(
        "DB-002",
        Error,
        false,
        "Database is not highly available",
        HA,
        "Make it HA: 2 or more instances and an HA mode",
        db_002
    ),
    rule!("DB-003", Error, false, "Key Manager node cannot reach a database", HA, "Link it to the database", db_003),
    rule!("DB-004", Error, false, "Logical database hosted twice", HA, "Host each logical database once", db_004),
    rule!("DB-005", Warning, true, "DBMS not on the tested list", ENV, "Use a tested DBMS, or waive", db_005),
    rule!(
        "DB-006",
        Warning,
        true,
        "MySQL 8 needs latin1 databases",
        ENV,
        "Create the databases with the latin1 character set (noted in the bundle)",
        db_006
    ),
    rule!("DIR-001", Error, false, "Directory does not speak LDAP v2 or v3", HA, "Use an LDAP v2/v3 server", dir_001),
    rule!(
        "DIR-002",
        Error,
        false,
        "Directory is not highly available",
        HA,
        "Replicate it (2 or more instances)",
        dir_002
    ),
    rule!(
        "DIR-003",
        Error,
        false,
        "Key Manager nodes do not share one directory",
        HA,
        "Link every node to the same directory",
        dir_003
    ),
    rule!("DIR-004", Warning, false, "Directory not on the tested list", ENV, "Use a tested LDAP, or waive", dir_004),
    rule!(
        "FS-001",
        Error,
        false,
        "Key Manager node without shared storage",
        HA,
        "Add a shared-storage node and link it to every Key Manager node",
        fs_001
    ),
    rule!(
        "FS-002",
        Error,
        false,
        "Artifact directory not shared",
        HA,
        "Add the directory to the storage's paths",
        fs_002
    ),
    rule!(
        "FS-003",
        Warning,
        false,
        "Shared storage is a single point of failure",
        ISDG,
        "Make the storage HA (2 or more instances)",
        fs_003
    ),
    rule!(
        "FS-004",
        Error,
        false,
        "Key Manager nodes do not share one file system",
        HA,
        "Link every node to the same storage",
        fs_004
    ),
    rule!("HOST-001", Error, false, "Less than 4 GB of memory", HA, "Give the host 4 GB or more", host_001),
    rule!("HOST-002", Error, false, "JVM heap under 2 GB", HA, "Set a 2 GB heap", host_002),
    rule!(
        "HOST-003",
        Error,
        false,
        "Less than 2 GB left for the operating system",
        HA,
        "Add memory or lower the heap",
        host_003
    ),
    rule!("HOST-004", Error, false, "Less than 10 GB of disk", HA, "Give it 10 GB", host_004),
    rule!("HOST-005", Error, false, "JDK is not Java 8", HA, "Install JDK 1.8", host_005),
    rule!("HOST-006", Error, false, "JDK 1.8.0_151 has a known issue", HA, "Use another 1.8 update", host_006),
    rule!("HOST-007", Info, false, "JDK vendor is not Oracle", HA, "None needed", host_007),
    rule!(
        "HOST-008",
        Warning,
        false,
        "Operating system not on the tested list",
        ENV,
        "Use a tested OS, or waive",
        host_008
    ),
    rule!(
        "HOST-009",
        Error,
        false,
        "Key Manager nodes run different versions",
        HA,
        "Align product version and update level",
        host_009
    ),
    rule!(
        "HOST-010",
        Error,
        false,
        "Key Manager nodes use different keystores",
        HA,
        "Use one keystore on every node",
        host_010
    ),
    rule!("HOST-011", Warning, false, "Port offset is not 3", HA, "Use offset 3 (HTTP 9766, HTTPS 9446)", host_011),
    rule!(
        "AM-001",
        Warning,
        false,
        "API Manager calls a Key Manager node directly",
        HA,
        "Link it to the load balancer",
        am_001
    ),
];

/// The WAIVE rules' metadata (their findings come from the waivers, not from a check).
pub const WAIVE_RULES: &[Rule] = &[
    rule!("WAIVE-001", Info, true, "Waiver matches no finding", "rules.md: waivers", "Remove the waiver", no_check),
    rule!(
        "WAIVE-002",
        Warning,
        true,
        "Waiver has expired",
        "rules.md: waivers",
        "Renew or remove the waiver",
        no_check
    ),
    rule!("WAIVE-003", Error, true, "Waiver without a reason", "rules.md: waivers", "Give the reason", no_check),
];

fn no_check(_: &Ctx, _: &mut Hits) {}

/// The rule with an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().chain(WAIVE_RULES).find(|r| r.id == id)
}

// ---- Topology ---------------------------------------------------------------------------

fn pair(a: usize, b: usize) -> Vec<usize> {
    if a == b {
        vec![a]
    } else {
        vec![a.min(b), a.max(b)]
    }
}

fn topo_001(c: &Ctx, h: &mut Hits) {
    for &(a, b) in &c.link_ends {
        if a == b {
            h.add([a], format!("{} is linked to itself", c.label(a)));
        } else if !link_allowed(c.node(a).kind, c.node(b).kind) {
            h.add(
                pair(a, b),
                format!(
                    "{} ({}) and {} ({}) are linked, but these kinds are never linked",
                    c.label(a),
                    c.node(a).kind.as_str(),
                    c.label(b),
                    c.node(b).kind.as_str()
                ),
            );
        }
    }
}

fn topo_002(c: &Ctx, h: &mut Hits) {
    let mut counts: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for &(a, b) in &c.link_ends {
        *counts.entry((a.min(b), a.max(b))).or_default() += 1;
    }
    let mut twice: Vec<((usize, usize), usize)> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
    twice.sort_unstable();
    for ((a, b), n) in twice {
        let nodes = pair(a, b);
        let names = c.labels(&nodes);
        h.add(nodes, format!("{names} are linked {n} times"));
    }
}

fn topo_003(c: &Ctx, h: &mut Hits) {
    for (i, n) in c.d.nodes.iter().enumerate() {
        let mut bad = Vec::new();
        for (key, ok) in
            [("hostname", is_hostname as fn(&str) -> bool), ("host", is_host_or_ip), ("ip", is_ip), ("cidr", is_cidr)]
        {
            if n.kind.prop(key).is_none() {
                continue;
            }
            let v = n.str(key, c.product);
            if !v.is_empty() && !ok(&v) {
                bad.push(format!("{key} {v:?}"));
            }
        }
        if !bad.is_empty() {
            h.add([i], format!("{} has a malformed address: {}", c.label(i), bad.join(", ")));
        }
    }
}

fn topo_004(c: &Ctx, h: &mut Hits) {
    let mut by_value: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, n) in c.d.nodes.iter().enumerate() {
        for key in ["ip", "hostname", "host"] {
            // A load balancer's hostname is the cluster's public name, which load balancers share.
            if n.kind == NodeKind::LoadBalancer && key == "hostname" {
                continue;
            }
            if n.kind.prop(key).is_some() {
                let v = n.str(key, c.product);
                if !v.trim().is_empty() {
                    by_value.entry(address_key(&v)).or_default().insert(i);
                }
            }
        }
    }
    for (value, nodes) in by_value {
        if nodes.len() > 1 && !nodes.iter().all(|&i| c.node(i).kind == NodeKind::KeyManager) {
            let nodes: Vec<usize> = nodes.into_iter().collect();
            h.add(nodes.clone(), format!("{} share the address {value}", c.labels(&nodes)));
        }
    }
}

fn topo_005(c: &Ctx, h: &mut Hits) {
    for i in 0..c.d.nodes.len() {
        if !c.has_links(i) {
            h.add([i], format!("{} is not linked to anything", c.label(i)));
        }
    }
}

fn topo_006(c: &Ctx, h: &mut Hits) {
    // Empty as written: a value of blanks is malformed (TOPO-003), not missing.
    let empty = |i: usize, key: &str| c.node(i).kind.prop(key).is_none() || c.str(i, key).is_empty();
    let lbs = lbs_to_kms(c);
    for (i, n) in c.d.nodes.iter().enumerate() {
        let what = match n.kind {
            NodeKind::Database | NodeKind::Directory | NodeKind::SharedStorage
                if c.is_linked_to(i, NodeKind::KeyManager) && empty(i, "host") && empty(i, "ip") =>
            {
                "no host: the JDBC, LDAP or mount configuration cannot name it"
            }
            NodeKind::LoadBalancer if c.str(i, "product") != "k8s-ingress" && lbs.contains(&i) && empty(i, "ip") => {
                "no ip: it is the source of every firewall rule to the Key Manager nodes"
            }
            NodeKind::ApiManager | NodeKind::Analytics
                if (c.is_linked_to(i, NodeKind::KeyManager)
                    || c.linked_of_kind(i, NodeKind::LoadBalancer).iter().any(|l| lbs.contains(l)))
                    && empty(i, "hostname")
                    && empty(i, "ip") =>
            {
                "neither hostname nor ip: the Key Manager's URLs and firewall rules cannot name it"
            }
            _ => continue,
        };
        h.add([i], format!("{} has {what}", c.label(i)));
    }
}

// ---- Cluster ----------------------------------------------------------------------------

fn clu_001(c: &Ctx, h: &mut Hits) {
    if c.kms.len() < 2 {
        let msg = match c.kms.len() {
            0 => "The design has no Key Manager node; the HA pattern is scaled from two to N nodes".to_string(),
            _ => format!(
                "{} is the only Key Manager node; the HA pattern is scaled from two to N nodes",
                c.labels(&c.kms)
            ),
        };
        h.add(c.kms.clone(), msg);
    }
}

fn clu_002(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        if !c.bool(i, "clustering_enabled") {
            h.add([i], format!("{} does not join the cluster (clustering disabled)", c.label(i)));
        }
    }
}

fn clu_003(c: &Ctx, h: &mut Hits) {
    let scheme = &c.d.cluster.membership_scheme;
    if scheme != "wka" {
        h.add(
            [],
            format!("The cluster uses the {scheme} membership scheme; the setup guide uses Well-Known Address (wka)"),
        );
    }
}

fn clu_004(c: &Ctx, h: &mut Hits) {
    let zones: BTreeSet<&str> = c.kms.iter().map(|&i| c.node(i).zone.as_str()).collect();
    if c.d.cluster.membership_scheme == "multicast" && zones.len() > 1 {
        let shown: Vec<String> = zones.iter().map(|z| format!("{z:?}")).collect();
        h.add(
            c.kms.clone(),
            format!(
                "Multicast membership needs one subnet, but the Key Manager nodes are in zones {}",
                shown.join(", ")
            ),
        );
    }
}

fn clu_005(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let a = c.address(i);
        if a.trim().is_empty() {
            h.add([i], format!("{} has no address (set its ip or hostname)", c.label(i)));
        } else if is_local_address(&a) {
            h.add([i], format!("{} has the address {a}, which no other member can reach", c.label(i)));
        }
    }
}

fn clu_006(c: &Ctx, h: &mut Hits) {
    for (addr, nodes) in c.kms_by_address() {
        let mut by_port: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in nodes {
            by_port.entry(c.num(i, "member_port") as i64).or_default().push(i);
        }
        for (port, same) in by_port {
            if same.len() > 1 {
                h.add(same.clone(), format!("{} on {addr} all use member port {port}", c.labels(&same)));
            }
        }
    }
}

fn clu_007(c: &Ctx, h: &mut Hits) {
    if !is_cluster_domain(&c.d.cluster.domain) {
        h.add([], format!("The cluster domain {:?} is not a valid domain name", c.d.cluster.domain));
    }
}

fn clu_008(c: &Ctx, h: &mut Hits) {
    for (addr, nodes) in c.kms_by_address() {
        if nodes.len() > 1 {
            h.add(
                nodes.clone(),
                format!("{} run on one host ({addr}): it is a single point of failure", c.labels(nodes)),
            );
        }
    }
}

// ---- Load balancer ----------------------------------------------------------------------

fn lbs_to_kms(c: &Ctx) -> Vec<usize> {
    c.linked_to_kms(NodeKind::LoadBalancer)
}

fn lb_001(c: &Ctx, h: &mut Hits) {
    if lbs_to_kms(c).is_empty() {
        h.add([], "No load balancer routes to the Key Manager nodes".to_string());
    }
}

fn lb_002(c: &Ctx, h: &mut Hits) {
    for i in lbs_to_kms(c) {
        if !c.bool(i, "sticky_sessions") {
            let kms = c.labels(&c.linked_of_kind(i, NodeKind::KeyManager));
            h.add([i], format!("{} routes to {kms} without sticky sessions", c.label(i)));
        }
    }
}

fn lb_003(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        if !c.is_linked_to(i, NodeKind::LoadBalancer) {
            h.add([i], format!("{} is behind no load balancer: it receives no traffic", c.label(i)));
        }
    }
}

fn lb_004(c: &Ctx, h: &mut Hits) {
    for i in lbs_to_kms(c) {
        if c.str(i, "backend_protocol") == "http" {
            h.add([i], format!("{} reaches the Key Manager nodes over HTTP instead of HTTPS 9446", c.label(i)));
        }
    }
}

fn lb_005(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::LoadBalancer) {
        if c.bool(i, "expose_http") {
            h.add([i], format!("{} also serves plain HTTP on port 80", c.label(i)));
        }
    }
}

fn lb_006(c: &Ctx, h: &mut Hits) {
    let lbs = lbs_to_kms(c);
    let total: f64 = lbs.iter().map(|&i| c.num(i, "instances")).sum();
    if !lbs.is_empty() && total < 2.0 {
        h.add(
            lbs.clone(),
            format!("{} run(s) as a single instance: the load balancer is a single point of failure", c.labels(&lbs)),
        );
    }
}

fn lb_007(c: &Ctx, h: &mut Hits) {
    for i in lbs_to_kms(c) {
        if c.str(i, "hostname").trim().is_empty() {
            h.add([i], format!("{} has no public host name (every node's HostName must be it)", c.label(i)));
        }
    }
}

fn lb_008(c: &Ctx, h: &mut Hits) {
    let named: Vec<usize> = lbs_to_kms(c).into_iter().filter(|&i| !c.str(i, "hostname").trim().is_empty()).collect();
    let names: BTreeSet<String> = named.iter().map(|&i| address_key(&c.str(i, "hostname"))).collect();
    if names.len() > 1 {
        let list: Vec<String> = names.into_iter().collect();
        h.add(
            named.clone(),
            format!(
                "{} answer to different public host names ({}): the cluster has one, used as every node's HostName, the token issuer and the SSO cookie domain",
                c.labels(&named),
                list.join(", ")
            ),
        );
    }
}

// ---- Databases --------------------------------------------------------------------------

/// Database nodes linked to KM nodes, with the logical databases each hosts.
fn hosted(c: &Ctx) -> Vec<(usize, Vec<String>)> {
    c.linked_to_kms(NodeKind::Database).into_iter().map(|i| (i, c.list(i, "databases"))).collect()
}

fn logical_name(product: Product, db: &str) -> String {
    match (product, db) {
        (Product::ObKm13, "openbanking") => "openbanking (consent)".to_string(),
        _ => db.to_string(),
    }
}

fn db_001(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    for db in LOGICAL_DATABASES {
        if !hosted.iter().any(|(_, dbs)| dbs.iter().any(|d| d == db)) {
            h.add(
                [],
                format!(
                    "The {} database is hosted by no database linked to the Key Manager nodes",
                    logical_name(c.product, db)
                ),
            );
        }
    }
}

fn db_002(c: &Ctx, h: &mut Hits) {
    for (i, _) in hosted(c) {
        let instances = c.num(i, "instances");
        let mode = c.str(i, "ha_mode");
        if instances < 2.0 || mode == "none" {
            h.add([i], format!("{} runs {instances} instance(s) with HA mode {mode}", c.label(i)));
        }
    }
}

fn db_003(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    // Per logical database, the database nodes (linked to KM nodes) that host it.
    let hosts: Vec<(&str, Vec<usize>)> = LOGICAL_DATABASES
        .iter()
        .map(|db| (*db, hosted.iter().filter(|(_, dbs)| dbs.iter().any(|d| d == db)).map(|(i, _)| *i).collect()))
        .collect();
    for &k in &c.kms {
        let mine = c.neighbours(k);
        let missing: Vec<String> = hosts
            .iter()
            .filter(|(_, hs)| !hs.is_empty() && !hs.iter().any(|i| mine.binary_search(i).is_ok()))
            .map(|(db, _)| logical_name(c.product, db))
            .collect();
        if !missing.is_empty() {
            h.add([k], format!("{} is linked to no database hosting {}", c.label(k), missing.join(", ")));
        }
    }
}

fn db_004(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    for db in LOGICAL_DATABASES {
        let hosts: Vec<usize> = hosted.iter().filter(|(_, dbs)| dbs.iter().any(|d| d == db)).map(|(i, _)| *i).collect();
        if hosts.len() > 1 {
            h.add(
                hosts.clone(),
                format!(
                    "The {} database is hosted by {}: the nodes would not share data",
                    logical_name(c.product, db),
                    c.labels(&hosts)
                ),
            );
        }
    }
}

fn db_005(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::Database) {
        let (engine, version) = (c.str(i, "engine"), c.str(i, "version"));
        if !tested::dbms_tested(&engine, &version) {
            h.add([i], format!("{} runs {engine} {version}, not on the {}", c.label(i), tested::PROVENANCE));
        }
    }
}

fn db_006(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::Database) {
        if c.str(i, "engine") == "mysql" && c.str(i, "version").trim().starts_with('8') {
            h.add([i], format!("{} runs MySQL 8: create the databases with the latin1 character set", c.label(i)));
        }
    }
}

// ---- Directory --------------------------------------------------------------------------

fn dirs_to_kms(c: &Ctx) -> Vec<usize> {
    c.linked_to_kms(NodeKind::Directory)
}

fn dir_001(c: &Ctx, h: &mut Hits) {
    for i in dirs_to_kms(c) {
        let p = c.str(i, "protocol");
        if p != "ldap-v2" && p != "ldap-v3" {
            h.add([i], format!("{} speaks {p}, not LDAP v2 or v3", c.label(i)));
        }
    }
}

fn dir_002(c: &Ctx, h: &mut Hits) {
    for i in dirs_to_kms(c) {
        if c.num(i, "instances") < 2.0 {
            h.add([i], format!("{} runs a single instance", c.label(i)));
        }
    }
}

/// "Every KM node uses one and the same X" (DIR-003, FS-004): fires when an X is linked to a
/// KM node and either a KM node is linked to none or more than one X is linked to KM nodes.
fn one_shared(c: &Ctx, kind: NodeKind) -> Option<(Vec<usize>, String)> {
    let shared = c.linked_to_kms(kind);
    if shared.is_empty() {
        return None;
    }
    let without: Vec<usize> = c.kms.iter().copied().filter(|&k| !c.is_linked_to(k, kind)).collect();
    if shared.len() == 1 && without.is_empty() {
        return None;
    }
    let mut nodes: Vec<usize> = c.kms.iter().copied().chain(shared.iter().copied()).collect();
    nodes.sort_unstable();
    let mut why = Vec::new();
    if shared.len() > 1 {
        why.push(format!("{} are all used", c.labels(&shared)));
    }
    if !without.is_empty() {
        why.push(format!("{} use(s) none", c.labels(&without)));
    }
    Some((nodes, why.join("; ")))
}

fn dir_003(c: &Ctx, h: &mut Hits) {
    if let Some((nodes, why)) = one_shared(c, NodeKind::Directory) {
        h.add(nodes, format!("The Key Manager nodes do not share one directory: {why}"));
    }
}

fn dir_004(c: &Ctx, h: &mut Hits) {
    for i in dirs_to_kms(c) {
        let (p, v) = (c.str(i, "product"), c.str(i, "version"));
        if !tested::ldap_tested(&p, &v) {
            h.add([i], format!("{} runs {p} {v}, not on the {}", c.label(i), tested::PROVENANCE));
        }
    }
}

// ---- Shared storage ---------------------------------------------------------------------

fn fs_001(c: &Ctx, h: &mut Hits) {
    for &k in &c.kms {
        if !c.is_linked_to(k, NodeKind::SharedStorage) {
            h.add([k], format!("{} mounts no shared storage for artifact synchronization", c.label(k)));
        }
    }
}

/// The artifact directories every product must share, with the severity when missing.
pub fn required_dirs(product: Product) -> [(&'static str, Severity); 5] {
    let others = if product == Product::ObIam20 { Warning } else { Error };
    [
        ("userstores", Error),
        ("eventpublishers", others),
        ("eventstreams", others),
        ("humantasks", others),
        ("bpel", others),
    ]
}

fn fs_002(c: &Ctx, h: &mut Hits) {
    for i in c.linked_to_kms(NodeKind::SharedStorage) {
        let paths = c.list(i, "paths");
        for (dir, severity) in required_dirs(c.product) {
            if !paths.iter().any(|p| p == dir) {
                h.0.push(Hit {
                    nodes: vec![i],
                    message: format!("{} does not share repository/deployment/server/{dir}", c.label(i)),
                    severity: Some(severity),
                });
            }
        }
    }
}

fn fs_003(c: &Ctx, h: &mut Hits) {
    for i in c.linked_to_kms(NodeKind::SharedStorage) {
        if c.num(i, "instances") < 2.0 {
            h.add([i], format!("{} runs a single instance: a single point of failure", c.label(i)));
        }
    }
}

fn fs_004(c: &Ctx, h: &mut Hits) {
    let shared = c.linked_to_kms(NodeKind::SharedStorage);
    if shared.len() > 1 {
        let mut nodes: Vec<usize> = c.kms.iter().copied().chain(shared.iter().copied()).collect();
        nodes.sort_unstable();
        h.add(
            nodes,
            format!("The Key Manager nodes use several file systems ({}); they must share one", c.labels(&shared)),
        );
    }
}

// ---- Hosts ------------------------------------------------------------------------------

fn gb(mb: i64) -> String {
    let v = mb as f64 / 1000.0;
    if v.fract() == 0.0 {
        format!("{v:.0} GB")
    } else {
        format!("{v} GB")
    }
}

fn host_001(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "memory_gb");
        if m < 4000 {
            h.add([i], format!("{} has {} of memory; the HA page requires 4 GB", c.label(i), gb(m)));
        }
    }
}

fn host_002(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "heap_gb");
        if m < 2000 {
            h.add([i], format!("{} has a {} JVM heap; the HA page requires 2 GB", c.label(i), gb(m)));
        }
    }
}

fn host_003(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let left = c.mb(i, "memory_gb") - c.mb(i, "heap_gb");
        if left < 2000 {
            h.add(
                [i],
                format!("{} leaves {} for the operating system; the HA page requires 2 GB", c.label(i), gb(left)),
            );
        }
    }
}

fn host_004(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "disk_gb");
        if m < 10000 {
            h.add([i], format!("{} has {} of disk; the HA page requires 10 GB", c.label(i), gb(m)));
        }
    }
}

/// The Java 8 update number when `jdk` is a Java 8 version string (`1.8`, `1.8.0`,
/// `1.8.0_202`, `8`, `8u242-b08`, …): `Some(None)` for Java 8 without an update number.
pub fn java8_update(jdk: &str) -> Option<Option<&str>> {
    // ^(1\.8(\.0(_\d+)?)?|8(u\d+)?)([-+][0-9A-Za-z.-]*)?$
    let digits = |s: &str| -> usize { s.bytes().take_while(u8::is_ascii_digit).count() };
    let (update, rest) = if let Some(r) = jdk.strip_prefix("1.8") {
        match r.strip_prefix(".0") {
            Some(r2) => match r2.strip_prefix('_') {
                Some(r3) => {
                    let n = digits(r3);
                    if n == 0 {
                        return None;
                    }
                    (Some(&r3[..n]), &r3[n..])
                }
                None => (None, r2),
            },
            None => (None, r),
        }
    } else if let Some(r) = jdk.strip_prefix('8') {
        match r.strip_prefix('u') {
            Some(r2) => {
                let n = digits(r2);
                if n == 0 {
                    return None;
                }
                (Some(&r2[..n]), &r2[n..])
            }
            None => (None, r),
        }
    } else {
        return None;
    };
    let suffix_ok = rest.is_empty()
        || ((rest.starts_with('-') || rest.starts_with('+'))
            && rest[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    suffix_ok.then_some(update)
}

fn host_005(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let jdk = c.str(i, "jdk");
        if java8_update(&jdk).is_none() {
            h.add([i], format!("{} runs JDK {jdk}; the HA page documents JDK 1.8", c.label(i)));
        }
    }
}

fn host_006(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let jdk = c.str(i, "jdk");
        if java8_update(&jdk) == Some(Some("151")) {
            h.add([i], format!("{} runs JDK {jdk}, which has a known issue", c.label(i)));
        }
    }
}

fn host_007(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let vendor = c.str(i, "jdk_vendor");
        if vendor != "oracle" {
            h.add([i], format!("{} runs a {vendor} JDK; the HA page documents Oracle JDK 1.8", c.label(i)));
        }
    }
}

fn host_008(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let os = c.str(i, "os");
        if !tested::os_tested(&os) {
            h.add([i], format!("{} runs {os}, not on the {}", c.label(i), tested::PROVENANCE));
        }
    }
}

fn differing(c: &Ctx, value: impl Fn(usize) -> String) -> Option<Vec<String>> {
    let values: BTreeSet<String> = c.kms.iter().map(|&i| value(i)).collect();
    (values.len() > 1).then(|| values.into_iter().collect())
}

fn host_009(c: &Ctx, h: &mut Hits) {
    let version = |i: usize| format!("{} update {}", c.str(i, "product_version"), c.num(i, "update_level"));
    if let Some(values) = differing(c, version) {
        h.add(c.kms.clone(), format!("The Key Manager nodes run different versions: {}", values.join("; ")));
    }
}

fn host_010(c: &Ctx, h: &mut Hits) {
    if let Some(values) = differing(c, |i| c.str(i, "keystore")) {
        h.add(c.kms.clone(), format!("The Key Manager nodes use different keystores: {}", values.join(", ")));
    }
}

fn host_011(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let offset = c.num(i, "port_offset");
        if offset != 3.0 {
            h.add(
                [i],
                format!(
                    "{} uses port offset {offset} (HTTP {}, HTTPS {}) instead of 3",
                    c.label(i),
                    9763.0 + offset,
                    9443.0 + offset
                ),
            );
        }
    }
}

fn am_001(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::ApiManager) {
        let kms = c.linked_of_kind(i, NodeKind::KeyManager);
        if !kms.is_empty() {
            h.add([i], format!("{} calls {} directly and loses failover", c.label(i), c.labels(&kms)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java8_forms() {
        for ok in ["1.8", "1.8.0", "1.8.0_202", "8", "8u202", "8u242-b08", "1.8.0_151-b12", "1.8.0_202+x.y"] {
            assert!(java8_update(ok).is_some(), "{ok}");
        }
        for bad in ["11.0.9", "1.7.0_80", "17", "1.8.1", "8u", "1.8.0_", "18", "1.80", "8x", "1.8.0_202 ", ""] {
            assert!(java8_update(bad).is_none(), "{bad}");
        }
        assert_eq!(java8_update("8u151-b12"), Some(Some("151")));
        assert_eq!(java8_update("1.8.0_151"), Some(Some("151")));
    }

    #[test]
    fn ids_are_unique_and_sorted_within_families() {
        let ids: Vec<&str> = RULES.iter().chain(WAIVE_RULES).map(|r| r.id).collect();
        let set: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(set.len(), ids.len());
        assert_eq!(ids.len(), 51);
    }
}
