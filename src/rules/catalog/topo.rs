//! Topology (TOPO): links, addresses, what the exports must address.

use super::*;

/// The rules of this family, in id order.
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
];

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
    // The pairs linked more than once come with the context (ascending).
    for &((a, b), n) in &c.repeated {
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
            let v = n.text(key, c.product);
            if !v.is_empty() && !ok(&v) {
                bad.push(format!("{key} {v:?}"));
            }
        }
        if n.kind.prop("source_addresses").is_some() {
            for v in c.list(i, "source_addresses") {
                if !is_ip(&v) && !is_cidr(&v) {
                    bad.push(format!("source_addresses {v:?}"));
                }
            }
        }
        if !bad.is_empty() {
            h.add([i], format!("{} has a malformed address: {}", c.label(i), bad.join(", ")));
        }
    }
}

fn topo_004(c: &Ctx, h: &mut Hits) {
    // Each address's nodes, grouped by hashing; only the addresses used by more than one node
    // are then sorted (ascending address, then node), which are few.
    let mut texts: Vec<(std::borrow::Cow<str>, usize)> = Vec::new();
    for (i, n) in c.d.nodes.iter().enumerate() {
        for key in ["ip", "hostname", "host"] {
            // A load balancer's hostname is the cluster's public name, which load balancers share.
            if n.kind == NodeKind::LoadBalancer && key == "hostname" {
                continue;
            }
            if n.kind.prop(key).is_some() {
                let v = n.text(key, c.product);
                if !v.trim().is_empty() {
                    texts.push((v, i));
                }
            }
        }
    }
    let mut by_address: std::collections::HashMap<std::borrow::Cow<str>, Vec<usize>, Fnv> =
        std::collections::HashMap::with_capacity_and_hasher(texts.len(), Fnv::default());
    for (v, i) in &texts {
        let nodes = by_address.entry(address_key(v)).or_default();
        if nodes.last() != Some(i) {
            nodes.push(*i);
        }
    }
    let mut shared: Vec<(std::borrow::Cow<str>, Vec<usize>)> = by_address
        .into_iter()
        .filter(|(_, nodes)| nodes.len() > 1 && !nodes.iter().all(|&i| c.node(i).kind == NodeKind::KeyManager))
        .collect();
    crate::model::order::sort_by(&mut shared, |a, b| a.0.cmp(&b.0));
    for (address, nodes) in shared {
        h.about(nodes.clone(), address.to_string(), format!("{} share the address {address}", c.labels(&nodes)));
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
            NodeKind::LoadBalancer
                if c.str(i, "product") != "k8s-ingress"
                    && lbs.contains(&i)
                    && empty(i, "ip")
                    && c.list(i, "source_addresses").is_empty() =>
            {
                "no ip (nor source_addresses): it is the source of every firewall rule to the Key Manager nodes"
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
