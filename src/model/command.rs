//! Every edit of a design is a [`Command`]; applying one returns its inverse, so undo, redo,
//! autosave and the checker hang off one path. [`History`] keeps the undo and redo stacks.

use serde_json::Value;
use thiserror::Error;

use super::design::{Design, Link, Node, NodeId, Waiver};
use super::schema::{MembershipScheme, NodeKind, Product};

/// One edit of a design.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Inserts a node at a position in the node list.
    AddNode {
        /// The node.
        node: Node,
        /// Where in `nodes`.
        index: usize,
    },
    /// Removes a node and its links.
    RemoveNode {
        /// Which node.
        id: NodeId,
    },
    /// Moves a node to a canvas position.
    MoveNode {
        /// Which node.
        id: NodeId,
        /// New centre.
        x: f64,
        /// New centre.
        y: f64,
    },
    /// Sets (or with `None` unsets) a known property of a node.
    SetProp {
        /// Which node.
        id: NodeId,
        /// Property name from the kind's schema.
        key: String,
        /// The new value, or `None` for the default.
        value: Option<Value>,
    },
    /// Renames a node's label.
    SetLabel {
        /// Which node.
        id: NodeId,
        /// New label.
        label: String,
    },
    /// Changes a node's zone.
    SetZone {
        /// Which node.
        id: NodeId,
        /// New zone.
        zone: String,
    },
    /// Changes a node's review notes.
    SetNotes {
        /// Which node.
        id: NodeId,
        /// New notes.
        notes: String,
    },
    /// Changes the design's review notes.
    SetDesignNotes(String),
    /// Changes the design's owner.
    SetOwner(String),
    /// Inserts a link at a position in the link list.
    AddLink {
        /// The link.
        link: Link,
        /// Where in `links`.
        index: usize,
    },
    /// Removes the link at a position.
    RemoveLink {
        /// Where in `links`.
        index: usize,
    },
    /// Renames the design.
    SetName(String),
    /// Changes the product.
    SetProduct(Product),
    /// Changes the cluster domain.
    SetDomain(String),
    /// Changes the membership scheme.
    SetScheme(MembershipScheme),
    /// Inserts a waiver.
    AddWaiver {
        /// The waiver.
        waiver: Waiver,
        /// Where in `waivers`.
        index: usize,
    },
    /// Removes the waiver at a position.
    RemoveWaiver {
        /// Where in `waivers`.
        index: usize,
    },
    /// Replaces the whole design (new, template, open).
    Replace(Box<Design>),
    /// Several commands as one step.
    Batch(Vec<Command>),
}

/// Why a command could not be applied; the design is then unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    /// The command names a node the design does not have.
    #[error("no node with id {0:?}")]
    NoSuchNode(String),
    /// A node with that id exists already.
    #[error("a node with id {0:?} exists already")]
    DuplicateId(String),
    /// An index past the end of a list.
    #[error("position {0} is out of range")]
    OutOfRange(usize),
    /// The property is not one of the node kind's.
    #[error("{kind} has no property {key:?}")]
    UnknownProp {
        /// The node kind.
        kind: &'static str,
        /// The property name.
        key: String,
    },
    /// The value does not have the property's type.
    #[error("{key}: {message}")]
    BadValue {
        /// The property.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A position that is not a finite number.
    #[error("a position must be a finite number")]
    BadPosition,
}

fn node_mut<'a>(d: &'a mut Design, id: &NodeId) -> Result<&'a mut Node, CommandError> {
    d.nodes.iter_mut().find(|n| &n.id == id).ok_or_else(|| CommandError::NoSuchNode(id.to_string()))
}

/// Applies a command and returns its inverse. On error the design is unchanged.
pub fn apply(d: &mut Design, cmd: Command) -> Result<Command, CommandError> {
    Ok(match cmd {
        Command::AddNode { node, index } => {
            if index > d.nodes.len() {
                return Err(CommandError::OutOfRange(index));
            }
            if d.node(&node.id).is_some() {
                return Err(CommandError::DuplicateId(node.id.to_string()));
            }
            if !node.x.is_finite() || !node.y.is_finite() {
                return Err(CommandError::BadPosition);
            }
            let id = node.id.clone();
            d.nodes.insert(index, node);
            Command::RemoveNode { id }
        }
        Command::RemoveNode { id } => {
            let index = d.node_index(&id).ok_or_else(|| CommandError::NoSuchNode(id.to_string()))?;
            let link_indices: Vec<usize> =
                d.links.iter().enumerate().filter(|(_, l)| l.from == id || l.to == id).map(|(i, _)| i).collect();
            let mut restore = Vec::with_capacity(link_indices.len() + 1);
            let node = d.nodes.remove(index);
            restore.push(Command::AddNode { node, index });
            let mut removed = Vec::with_capacity(link_indices.len());
            for &i in link_indices.iter().rev() {
                removed.push((i, d.links.remove(i)));
            }
            for (i, link) in removed.into_iter().rev() {
                restore.push(Command::AddLink { link, index: i });
            }
            Command::Batch(restore)
        }
        Command::MoveNode { id, x, y } => {
            if !x.is_finite() || !y.is_finite() {
                return Err(CommandError::BadPosition);
            }
            let n = node_mut(d, &id)?;
            let old = (n.x, n.y);
            n.x = x;
            n.y = y;
            Command::MoveNode { id, x: old.0, y: old.1 }
        }
        Command::SetProp { id, key, value } => {
            let n = node_mut(d, &id)?;
            let spec = n
                .kind
                .prop(&key)
                .ok_or_else(|| CommandError::UnknownProp { kind: n.kind.as_str(), key: key.clone() })?;
            if let Some(v) = &value {
                spec.check_type(v)
                    .map_err(|e| CommandError::BadValue { key: format!("{key}{}", e.at), message: e.message })?;
            }
            let old = match value.map(|v| super::format::canonical_prop(&v)) {
                Some(v) => {
                    if let Some(slot) = n.props.get_mut(&key) {
                        Some(std::mem::replace(slot, v))
                    } else {
                        n.props.insert(key.clone(), v);
                        None
                    }
                }
                None => n.props.shift_remove(&key),
            };
            Command::SetProp { id, key, value: old }
        }
        Command::SetLabel { id, label } => {
            let n = node_mut(d, &id)?;
            let old = std::mem::replace(&mut n.label, label);
            Command::SetLabel { id, label: old }
        }
        Command::SetZone { id, zone } => {
            let n = node_mut(d, &id)?;
            let old = std::mem::replace(&mut n.zone, zone);
            Command::SetZone { id, zone: old }
        }
        Command::SetNotes { id, notes } => {
            let n = node_mut(d, &id)?;
            let old = std::mem::replace(&mut n.notes, notes);
            Command::SetNotes { id, notes: old }
        }
        Command::SetDesignNotes(notes) => Command::SetDesignNotes(std::mem::replace(&mut d.notes, notes)),
        Command::SetOwner(owner) => Command::SetOwner(std::mem::replace(&mut d.owner, owner)),
        Command::AddLink { link, index } => {
            if index > d.links.len() {
                return Err(CommandError::OutOfRange(index));
            }
            for end in [&link.from, &link.to] {
                if d.node(end).is_none() {
                    return Err(CommandError::NoSuchNode(end.to_string()));
                }
            }
            d.links.insert(index, link);
            Command::RemoveLink { index }
        }
        Command::RemoveLink { index } => {
            if index >= d.links.len() {
                return Err(CommandError::OutOfRange(index));
            }
            let link = d.links.remove(index);
            Command::AddLink { link, index }
        }
        Command::SetName(name) => Command::SetName(std::mem::replace(&mut d.name, name)),
        Command::SetProduct(p) => Command::SetProduct(std::mem::replace(&mut d.product, p)),
        Command::SetDomain(s) => Command::SetDomain(std::mem::replace(&mut d.cluster.domain, s)),
        Command::SetScheme(s) => Command::SetScheme(std::mem::replace(&mut d.cluster.membership_scheme, s)),
        Command::AddWaiver { waiver, index } => {
            if index > d.waivers.len() {
                return Err(CommandError::OutOfRange(index));
            }
            d.waivers.insert(index, waiver);
            Command::RemoveWaiver { index }
        }
        Command::RemoveWaiver { index } => {
            if index >= d.waivers.len() {
                return Err(CommandError::OutOfRange(index));
            }
            Command::AddWaiver { waiver: d.waivers.remove(index), index }
        }
        Command::Replace(new) => Command::Replace(Box::new(std::mem::replace(d, *new))),
        Command::Batch(cmds) => {
            let mut inverses = Vec::with_capacity(cmds.len());
            for c in cmds {
                match apply(d, c) {
                    Ok(inv) => inverses.push(inv),
                    Err(e) => {
                        // Roll back what was applied so the design is unchanged.
                        for inv in inverses.into_iter().rev() {
                            let _ = apply(d, inv);
                        }
                        return Err(e);
                    }
                }
            }
            inverses.reverse();
            Command::Batch(inverses)
        }
    })
}

/// Why a link between two nodes is refused in the editor, or `None` when it is allowed.
pub fn link_refusal(d: &Design, from: &NodeId, to: &NodeId) -> Option<String> {
    let (Some(a), Some(b)) = (d.node(from), d.node(to)) else {
        return Some("both ends must be nodes of the design".into());
    };
    if from == to {
        return Some(format!("{} cannot be linked to itself", a.label));
    }
    if d.linked(from, to) {
        return Some(format!("{} and {} are already linked", a.label, b.label));
    }
    if !link_allowed(a.kind, b.kind) {
        let why = if a.kind == NodeKind::KeyManager && b.kind == NodeKind::KeyManager {
            " (every Key Manager node is a member of the one cluster: no link is needed)"
        } else {
            ""
        };
        return Some(format!(
            "a {} cannot be linked to a {}{why}",
            a.kind.title().to_ascii_lowercase(),
            b.kind.title().to_ascii_lowercase()
        ));
    }
    None
}

/// The link table of design-format.md: which kinds may be linked (either direction).
pub fn link_allowed(a: NodeKind, b: NodeKind) -> bool {
    use NodeKind::*;
    let pair = |x: NodeKind, y: NodeKind| (a == x && b == y) || (a == y && b == x);
    pair(Client, LoadBalancer)
        || pair(LoadBalancer, KeyManager)
        || pair(KeyManager, Database)
        || pair(KeyManager, Directory)
        || pair(KeyManager, SharedStorage)
        || pair(ApiManager, LoadBalancer)
        || pair(ApiManager, KeyManager)
        || pair(KeyManager, Analytics)
}

/// The undo and redo stacks. Consecutive commands with the same merge key (typing in one
/// field) become one undo step.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<(Command, Option<String>)>,
    redo: Vec<Command>,
}

/// The most steps kept for undo.
pub const HISTORY_LIMIT: usize = 500;

impl History {
    /// Applies a command and records its inverse. With a merge key equal to the previous
    /// step's, the two become one undo step.
    pub fn execute(&mut self, d: &mut Design, cmd: Command, merge: Option<String>) -> Result<(), CommandError> {
        let inverse = apply(d, cmd)?;
        self.redo.clear();
        let merges = merge.is_some() && self.undo.last().is_some_and(|(_, m)| *m == merge);
        if !merges {
            self.undo.push((inverse, merge));
            if self.undo.len() > HISTORY_LIMIT {
                self.undo.remove(0);
            }
        }
        Ok(())
    }

    /// Ends merging: the next command starts a new undo step.
    pub fn seal(&mut self) {
        if let Some(last) = self.undo.last_mut() {
            last.1 = None;
        }
    }

    /// Undoes the last step; false when there is none.
    pub fn undo(&mut self, d: &mut Design) -> bool {
        let Some((inverse, _)) = self.undo.pop() else { return false };
        match apply(d, inverse) {
            Ok(forward) => {
                self.redo.push(forward);
                true
            }
            Err(_) => false,
        }
    }

    /// Redoes the last undone step; false when there is none.
    pub fn redo(&mut self, d: &mut Design) -> bool {
        let Some(forward) = self.redo.pop() else { return false };
        match apply(d, forward) {
            Ok(inverse) => {
                self.undo.push((inverse, None));
                true
            }
            Err(_) => false,
        }
    }

    /// True when there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// True when there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// What a command does, in a sentence for people (the canvas announces it to screen readers):
/// "Key Manager km-3 added", "2 nodes deleted", "link km-1 to lb-1 added". `before` is the
/// design the command applies to.
pub fn describe(cmd: &Command, before: &Design) -> String {
    // "Key Manager km-1", "Load balancer lb-1".
    let noun = |k: NodeKind| k.title().trim_end_matches(" node");
    let kind_of = |id: &NodeId| before.node(id).map(|n| noun(n.kind)).unwrap_or("node");
    match cmd {
        Command::AddNode { node, .. } => format!("{} {} added", noun(node.kind), node.id),
        Command::RemoveNode { id } => format!("{} {id} deleted", kind_of(id)),
        Command::MoveNode { id, .. } => format!("{} {id} moved", kind_of(id)),
        Command::SetProp { id, key, value: Some(v) } => {
            let shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{id}: {key} set to {shown}")
        }
        Command::SetProp { id, key, value: None } => format!("{id}: {key} reset to its default"),
        Command::SetLabel { id, label } => format!("{id} labelled {label}"),
        Command::SetZone { id, zone } if zone.is_empty() => format!("{id} left its zone"),
        Command::SetZone { id, zone } => format!("{id} moved to zone {zone}"),
        Command::SetNotes { id, notes } if notes.is_empty() => format!("{id}: notes cleared"),
        Command::SetNotes { id, .. } => format!("{id}: notes changed"),
        Command::SetDesignNotes(_) => "design notes changed".into(),
        Command::SetOwner(owner) => format!("owner set to {owner}"),
        Command::AddLink { link, .. } => format!("link {} to {} added", link.from, link.to),
        Command::RemoveLink { index } => match before.links.get(*index) {
            Some(l) => format!("link {} to {} deleted", l.from, l.to),
            None => "link deleted".into(),
        },
        Command::SetName(name) => format!("design renamed {name}"),
        Command::SetProduct(p) => format!("product set to {}", p.as_str()),
        Command::SetDomain(d) => format!("cluster domain set to {d}"),
        Command::SetScheme(s) => format!("membership scheme set to {}", s.as_str()),
        Command::AddWaiver { waiver, .. } => format!("waiver of {} added", waiver.rule),
        Command::RemoveWaiver { index } => match before.waivers.get(*index) {
            Some(w) => format!("waiver of {} removed", w.rule),
            None => "waiver removed".into(),
        },
        Command::Replace(d) => format!("design {} opened, {} nodes", d.name, d.nodes.len()),
        Command::Batch(cmds) => match cmds.as_slice() {
            [] => "nothing changed".into(),
            [one] => describe(one, before),
            many => {
                let all = |f: fn(&Command) -> bool| many.iter().all(f);
                let n = many.len();
                if all(|c| matches!(c, Command::RemoveNode { .. })) {
                    format!("{n} nodes deleted")
                } else if all(|c| matches!(c, Command::MoveNode { .. })) {
                    format!("{n} nodes moved")
                } else if many.iter().any(|c| matches!(c, Command::AddNode { .. })) {
                    let nodes = many.iter().filter(|c| matches!(c, Command::AddNode { .. })).count();
                    let links = many.iter().filter(|c| matches!(c, Command::AddLink { .. })).count();
                    match links {
                        0 => format!("{nodes} nodes added"),
                        _ => format!("{nodes} node(s) and {links} link(s) added"),
                    }
                } else {
                    format!("{n} changes")
                }
            }
        },
    }
}
