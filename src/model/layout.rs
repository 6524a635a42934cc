//! Automatic layout, as one undoable command: tiers from left to right along the traffic path
//! (clients, load balancers, the Key Manager cluster, the data services, the neighbours); within
//! a tier, the nodes of each zone together as a grid (so their frame is a block of its own),
//! zones one under the other. Every tier is about as tall as a wide screen's shape asks for the
//! design's size, so that a large design fits a screen at a zoom where nodes are still shapes
//! one can tell apart: never one long column.

use super::command::Command;
use super::design::Design;
use super::geometry::{HALF_H, HALF_W};
use super::schema::NodeKind;
use super::zones;

/// Horizontal distance between the centres of two columns of a tier.
pub const COLUMN_GAP: f64 = 2.0 * HALF_W + 70.0;
/// Vertical distance between the centres of two rows.
pub const ROW_GAP: f64 = 2.0 * HALF_H + 60.0;
/// Space between two tiers (room for the links' channels and their labels).
pub const TIER_GAP: f64 = 160.0;
/// Distance from the last row of one zone to the first of the next in a tier (room for their
/// frames).
pub const ZONE_GAP: f64 = 2.0 * HALF_H + 2.0 * zones::PAD + zones::TITLE + 24.0;

/// The tier of a kind, left to right.
pub fn tier(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Client => 0,
        NodeKind::LoadBalancer => 1,
        NodeKind::KeyManager => 2,
        NodeKind::Database | NodeKind::Directory | NodeKind::SharedStorage => 3,
        NodeKind::ApiManager | NodeKind::Analytics => 4,
    }
}

/// How tall the layout should be (world units): as tall as a wide screen's shape (16:10) asks
/// for the nodes' area, at least four rows.
fn target_height(d: &Design) -> f64 {
    let area = d.nodes.len() as f64 * COLUMN_GAP * ROW_GAP;
    // 1.4 rather than 1.6: the narrow tiers beside the widest one add width.
    (area / 1.4).sqrt().max(3.0 * ROW_GAP)
}

/// The command that lays the design out (a batch of moves; empty when nothing moves).
pub fn auto_layout(d: &Design) -> Command {
    let target = target_height(d);
    // Per tier, the zones in the order they first appear (no zone last), each with its nodes
    // in design order (the data services grouped by kind).
    let mut tiers: Vec<Vec<(String, Vec<usize>)>> = vec![Vec::new(); 5];
    for (i, n) in d.nodes.iter().enumerate() {
        let key = zones::key(&n.zone);
        let groups = &mut tiers[tier(n.kind)];
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for groups in &mut tiers {
        // Nodes without a zone after the zones.
        if let Some(at) = groups.iter().position(|(k, _)| k.is_empty()) {
            let none = groups.remove(at);
            groups.push(none);
        }
        for (_, members) in groups.iter_mut() {
            super::order::sort_by_key(members, |&i| (d.nodes[i].kind, i));
        }
    }
    // A zone's rows: its share of the target height (by its share of the tier's nodes).
    let rows_of = |groups: &[(String, Vec<usize>)], n: usize| {
        let total: usize = groups.iter().map(|(_, m)| m.len()).sum();
        let room = (target - ZONE_GAP * groups.len().saturating_sub(1) as f64).max(ROW_GAP);
        let rows = (room * n as f64 / total.max(1) as f64 / ROW_GAP).floor() as usize + 1;
        let rows = rows.clamp(1, n.max(1));
        n.div_ceil(n.div_ceil(rows).max(1)).max(1)
    };
    // Each zone a grid; the tier's zones stacked; tiers side by side, each centred on the
    // tallest.
    let height = |groups: &[(String, Vec<usize>)]| {
        groups.iter().map(|(_, m)| (rows_of(groups, m.len()) as f64 - 1.0) * ROW_GAP).sum::<f64>()
            + ZONE_GAP * groups.len().saturating_sub(1) as f64
    };
    let tallest = tiers.iter().filter(|t| !t.is_empty()).map(|t| height(t)).fold(0.0, f64::max);
    let mut moves = Vec::new();
    let mut x = 100.0;
    for groups in tiers.iter().filter(|t| !t.is_empty()) {
        let mut y = 80.0 + (tallest - height(groups)) / 2.0;
        let mut width = 0usize;
        for (_, members) in groups {
            let rows_here = rows_of(groups, members.len());
            let cols = members.len().div_ceil(rows_here).max(1);
            width = width.max(cols);
            for (k, &i) in members.iter().enumerate() {
                let (c, r) = (k / rows_here, k % rows_here);
                let (nx, ny) = (x + c as f64 * COLUMN_GAP, y + r as f64 * ROW_GAP);
                let n = &d.nodes[i];
                if (n.x, n.y) != (nx, ny) {
                    moves.push(Command::MoveNode { id: n.id.clone(), x: nx, y: ny });
                }
            }
            y += (rows_here as f64 - 1.0) * ROW_GAP + ZONE_GAP;
        }
        x += (width as f64 - 1.0) * COLUMN_GAP + 2.0 * HALF_W + TIER_GAP;
    }
    Command::Batch(moves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{apply, templates};

    #[test]
    fn tiers_follow_the_traffic_path() {
        let mut d = templates::design("ha").and_then(Result::ok).unwrap_or_default();
        let cmd = auto_layout(&d);
        let inverse = apply(&mut d, cmd).unwrap_or(Command::Batch(vec![]));
        let x = |id: &str| d.nodes.iter().find(|n| n.id.as_str() == id).map(|n| n.x).unwrap_or(-1.0);
        assert!(x("clients") < x("lb-1") && x("lb-1") < x("km-1") && x("km-1") < x("db-1"));
        assert_eq!(x("km-1"), x("km-2"));
        // Laying out again moves nothing; the inverse restores the positions.
        assert_eq!(auto_layout(&d), Command::Batch(vec![]));
        assert!(apply(&mut d, inverse).is_ok());
    }
}
