//! Copy, paste and duplicate: a set of nodes with the links among them, pasted with new ids
//! and an offset, as one undoable command.

use std::collections::HashMap;

use super::command::Command;
use super::design::{Design, Link, Node, NodeId};

/// Copied nodes and the links between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clip {
    /// The nodes, in design order.
    pub nodes: Vec<Node>,
    /// Links whose both ends are among the nodes.
    pub links: Vec<Link>,
}

/// Copies the given nodes (in design order) and the links among them.
pub fn copy(d: &Design, ids: &[NodeId]) -> Clip {
    let nodes: Vec<Node> = d.nodes.iter().filter(|n| ids.contains(&n.id)).cloned().collect();
    let links = d.links.iter().filter(|l| ids.contains(&l.from) && ids.contains(&l.to)).cloned().collect();
    Clip { nodes, links }
}

/// The command that pastes a clip with new ids, moved by `offset`; and the new ids.
pub fn paste(d: &Design, clip: &Clip, offset: (f64, f64)) -> (Command, Vec<NodeId>) {
    let mut scratch = d.clone();
    let mut renamed: HashMap<NodeId, NodeId> = HashMap::new();
    let mut cmds = Vec::new();
    let mut ids = Vec::new();
    for n in &clip.nodes {
        let mut node = n.clone();
        node.id = scratch.next_id(n.kind);
        if n.label == n.id.as_str() {
            node.label = node.id.to_string();
        }
        node.x += offset.0;
        node.y += offset.1;
        renamed.insert(n.id.clone(), node.id.clone());
        ids.push(node.id.clone());
        // The scratch copy only reserves ids for the following nodes.
        scratch.nodes.push(node.clone());
        cmds.push(Command::AddNode { node, index: d.nodes.len() + ids.len() - 1 });
    }
    let mut index = d.links.len();
    for l in &clip.links {
        if let (Some(from), Some(to)) = (renamed.get(&l.from), renamed.get(&l.to)) {
            cmds.push(Command::AddLink {
                link: Link { from: from.clone(), to: to.clone(), extra: l.extra.clone() },
                index,
            });
            index += 1;
        }
    }
    (Command::Batch(cmds), ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{apply, templates};

    #[test]
    fn duplicating_keeps_inner_links_and_takes_new_ids() {
        let mut d = templates::design("ha").and_then(Result::ok).unwrap_or_default();
        let ids: Vec<NodeId> = ["km-1", "db-1"].iter().filter_map(|s| NodeId::parse(s)).collect();
        let clip = copy(&d, &ids);
        assert_eq!(clip.links.len(), 1);
        let (cmd, new) = paste(&d, &clip, (30.0, 30.0));
        assert_eq!(new.iter().map(NodeId::as_str).collect::<Vec<_>>(), ["km-3", "db-2"]);
        let before = d.clone();
        let inverse = apply(&mut d, cmd).unwrap_or(Command::Batch(vec![]));
        assert!(d.links.iter().any(|l| l.from.as_str() == "km-3" && l.to.as_str() == "db-2"));
        assert!(apply(&mut d, inverse).is_ok());
        assert_eq!(d, before);
    }
}
