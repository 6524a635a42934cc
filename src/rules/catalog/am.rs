//! Neighbours (AM).

use super::*;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[rule!(
    "AM-001",
    Warning,
    false,
    "API Manager calls a Key Manager node directly",
    HA,
    "Link it to the load balancer",
    am_001
)];

fn am_001(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::ApiManager) {
        let kms = c.linked_of_kind(i, NodeKind::KeyManager);
        if !kms.is_empty() {
            h.add([i], format!("{} calls {} directly and loses failover", c.label(i), c.labels(&kms)));
        }
    }
}
