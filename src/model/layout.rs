//! Automatic layout: nodes in columns by their role in the traffic path (clients, then load
//! balancers and API managers, then the Key Manager cluster, then the backing services), as
//! one undoable command.

use super::command::Command;
use super::design::Design;
use super::schema::NodeKind;

/// Horizontal distance between columns.
pub const COLUMN_GAP: f64 = 260.0;
/// Vertical distance between nodes in a column.
pub const ROW_GAP: f64 = 110.0;

fn column(kind: NodeKind) -> usize {
    match kind {
        NodeKind::Client => 0,
        NodeKind::LoadBalancer | NodeKind::ApiManager => 1,
        NodeKind::KeyManager => 2,
        NodeKind::Database | NodeKind::Directory | NodeKind::SharedStorage | NodeKind::Analytics => 3,
    }
}

/// The command that lays the design out (a batch of moves; empty when nothing moves).
pub fn auto_layout(d: &Design) -> Command {
    let mut columns: [Vec<usize>; 4] = Default::default();
    for (i, n) in d.nodes.iter().enumerate() {
        columns[column(n.kind)].push(i);
    }
    // Within the service column, group by kind in palette order; elsewhere keep design order.
    for c in [3, 1] {
        super::order::sort_by_key(&mut columns[c], |&i| (d.nodes[i].kind, i));
    }
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0) as f64;
    let mut moves = Vec::new();
    for (c, members) in columns.iter().enumerate() {
        let top = (tallest - members.len() as f64) * ROW_GAP / 2.0;
        for (r, &i) in members.iter().enumerate() {
            let n = &d.nodes[i];
            let (x, y) = (100.0 + c as f64 * COLUMN_GAP, 80.0 + top + r as f64 * ROW_GAP);
            if (n.x, n.y) != (x, y) {
                moves.push(Command::MoveNode { id: n.id.clone(), x, y });
            }
        }
    }
    Command::Batch(moves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{apply, templates};

    #[test]
    fn columns_follow_the_traffic_path() {
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
