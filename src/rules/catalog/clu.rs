//! Cluster (CLU), sources HA, SET, CLU.

use super::*;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
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
];

fn clu_001(c: &Ctx, h: &mut Hits) {
    if c.kms.len() < 2 {
        let msg = match c.kms.len() {
            0 => "The design has no Key Manager node; the HA pattern is scaled from two to N nodes".to_string(),
            _ => format!(
                "{} is the only Key Manager node; the HA pattern is scaled from two to N nodes",
                c.labels(&c.kms)
            ),
        };
        h.about(c.kms.clone(), "", msg);
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
    let scheme = c.d.cluster.membership_scheme;
    if scheme != MembershipScheme::Wka {
        h.add(
            [],
            format!(
                "The cluster uses the {} membership scheme; the setup guide uses Well-Known Address (wka)",
                scheme.as_str()
            ),
        );
    }
}

fn clu_004(c: &Ctx, h: &mut Hits) {
    let mut zones: BTreeSet<&str> = BTreeSet::new();
    for &i in &c.kms {
        zones.insert(c.node(i).zone.as_str());
    }
    if c.d.cluster.membership_scheme == MembershipScheme::Multicast && zones.len() > 1 {
        let shown: Vec<String> = zones.iter().map(|z| format!("{z:?}")).collect();
        h.about(
            c.kms.clone(),
            "",
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
        } else if is_local_address(a) {
            h.add([i], format!("{} has the address {a}, which no other member can reach", c.label(i)));
        }
    }
}

fn clu_006(c: &Ctx, h: &mut Hits) {
    for (addr, nodes) in c.kms_by_address().iter().filter(|(_, nodes)| nodes.len() > 1) {
        let mut by_port: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in nodes {
            by_port.entry(c.num(i, "member_port") as i64).or_default().push(i);
        }
        for (port, same) in by_port {
            if same.len() > 1 {
                h.about(
                    same.clone(),
                    format!("{addr}:{port}"),
                    format!("{} on {addr} all use member port {port}", c.labels(&same)),
                );
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
            h.about(
                nodes.clone(),
                addr.to_string(),
                format!("{} run on one host ({addr}): it is a single point of failure", c.labels(nodes)),
            );
        }
    }
}
