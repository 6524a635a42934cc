//! Load balancer (LB), sources HA, LBD, ISDG.

use super::*;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
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
];

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
        h.about(
            lbs.clone(),
            "",
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
    let mut names: BTreeSet<String> = BTreeSet::new();
    for &i in &named {
        names.insert(address_key(&c.str(i, "hostname")).into_owned());
    }
    if names.len() > 1 {
        let list: Vec<String> = names.into_iter().collect();
        h.about(
            named.clone(),
            "",
            format!(
                "{} answer to different public host names ({}): the cluster has one, used as every node's HostName, the token issuer and the SSO cookie domain",
                c.labels(&named),
                list.join(", ")
            ),
        );
    }
}
