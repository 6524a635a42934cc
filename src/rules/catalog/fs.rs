//! Shared storage (FS), sources HA, ISDG.

use super::*;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
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
];

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
                    subject: Some(format!("{}/{dir}", c.node(i).id)),
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
        crate::model::order::sort_ascending(&mut nodes);
        h.about(
            nodes,
            "",
            format!("The Key Manager nodes use several file systems ({}); they must share one", c.labels(&shared)),
        );
    }
}
