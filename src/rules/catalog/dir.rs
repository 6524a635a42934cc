//! Directory (DIR), source HA: directories linked to a KM node.

use super::*;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
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
];

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

fn dir_003(c: &Ctx, h: &mut Hits) {
    if let Some((nodes, why)) = one_shared(c, NodeKind::Directory) {
        h.about(nodes, "", format!("The Key Manager nodes do not share one directory: {why}"));
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
