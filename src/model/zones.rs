//! Zones as frames. A node's `zone` is free text; every distinct zone (compared without ASCII
//! case and surrounding blanks, so `App` and `app` are one zone) is drawn as a labelled frame around
//! its nodes. Frames are computed from the nodes, never stored: old files draw the same. What
//! a frame does to the design is a command: dropping nodes into a frame sets their zone, out of
//! every frame clears it; renaming a frame renames its nodes' zone; zones spelled with
//! different case can be merged.

use super::command::Command;
use super::design::{Design, NodeId};
use super::geometry::{Point, Rect};

/// Space between a frame and the nodes in it.
pub const PAD: f64 = 18.0;
/// Room for the frame's name above its nodes.
pub const TITLE: f64 = 24.0;

/// How zones compare: without ASCII case and surrounding blanks (as the checker compares host
/// names; letters outside ASCII keep their case).
pub fn key(zone: &str) -> String {
    zone.trim().to_ascii_lowercase()
}

/// A zone's frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The zone as compared (`key`).
    pub key: String,
    /// The zone as shown: the spelling most of its nodes use (the first one on a tie).
    pub name: String,
    /// Around the member nodes' boxes, with room for the name.
    pub rect: Rect,
    /// The member nodes, as indices into the design's nodes.
    pub nodes: Vec<usize>,
}

/// The frames of a design's zones, in the order the zones first appear; nodes for which
/// `leave_out` is true (nodes being dragged) are not counted, so a dragged node can leave its
/// frame. Nodes without a zone are in no frame.
pub fn frames(d: &Design, leave_out: &dyn Fn(&NodeId) -> bool) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::new();
    let mut spellings: Vec<Vec<(String, usize)>> = Vec::new();
    for (i, n) in d.nodes.iter().enumerate() {
        let k = key(&n.zone);
        if k.is_empty() || leave_out(&n.id) {
            continue;
        }
        let rect = Rect::node((n.x, n.y));
        let spelled = n.zone.trim().to_string();
        match out.iter().position(|f| f.key == k) {
            Some(at) => {
                out[at].rect = out[at].rect.union(rect);
                out[at].nodes.push(i);
                match spellings[at].iter_mut().find(|(s, _)| *s == spelled) {
                    Some(s) => s.1 += 1,
                    None => spellings[at].push((spelled, 1)),
                }
            }
            None => {
                out.push(Frame { key: k, name: String::new(), rect, nodes: vec![i] });
                spellings.push(vec![(spelled, 1)]);
            }
        }
    }
    for (f, s) in out.iter_mut().zip(&spellings) {
        let most = s.iter().map(|(_, n)| *n).max().unwrap_or(0);
        f.name = s.iter().find(|(_, n)| *n == most).map(|(s, _)| s.clone()).unwrap_or_default();
        let r = f.rect.grown(PAD);
        f.rect = Rect { y0: r.y0 - TITLE, ..r };
    }
    out
}

/// The frame a point is in: the smallest of the frames that contain it (frames may overlap
/// when zones are interleaved).
pub fn frame_at(frames: &[Frame], at: Point) -> Option<&Frame> {
    frames
        .iter()
        .filter(|f| f.rect.contains(at))
        .min_by(|a, b| (a.rect.width() * a.rect.height()).total_cmp(&(b.rect.width() * b.rect.height())))
}

/// The zone changes that dropping nodes at new positions makes (to go in the same undo step as
/// the move). Frames are those of the nodes that do not move. A node dropped in a frame takes
/// that frame's zone; dropped outside every frame, it leaves its zone, unless no node that
/// stays has that zone (its zone has no frame to leave: moving a whole zone keeps it).
pub fn dropped(d: &Design, moved: &[(NodeId, Point)]) -> Vec<Command> {
    let moving = |id: &NodeId| moved.iter().any(|(m, _)| m == id);
    let frames = frames(d, &moving);
    let mut out = Vec::new();
    for (id, at) in moved {
        let Some(n) = d.node(id) else { continue };
        let own = key(&n.zone);
        let zone = match frame_at(&frames, *at) {
            Some(f) if f.key == own => continue,
            Some(f) => f.name.clone(),
            None if own.is_empty() || !frames.iter().any(|f| f.key == own) => continue,
            None => String::new(),
        };
        out.push(Command::SetZone { id: id.clone(), zone });
    }
    out
}

/// Renames a zone (every node whose zone compares equal to `from`) as one command; `None` when
/// nothing would change.
pub fn rename(d: &Design, from: &str, to: &str) -> Option<Command> {
    let (from, to) = (key(from), to.trim());
    let cmds: Vec<Command> = d
        .nodes
        .iter()
        .filter(|n| !from.is_empty() && key(&n.zone) == from && n.zone != to)
        .map(|n| Command::SetZone { id: n.id.clone(), zone: to.to_string() })
        .collect();
    (!cmds.is_empty()).then_some(Command::Batch(cmds))
}

/// Zones written in more than one way (`App`, `app`): each group's spellings, in the order they
/// first appear, for the notice that offers to merge them.
pub fn spelled_differently(d: &Design) -> Vec<Vec<String>> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for n in &d.nodes {
        let (k, s) = (key(&n.zone), n.zone.trim().to_string());
        if k.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, all)) if !all.contains(&s) => all.push(s),
            Some(_) => {}
            None => groups.push((k, vec![s])),
        }
    }
    groups.into_iter().map(|(_, all)| all).filter(|all| all.len() > 1).collect()
}

/// Writes every zone the way most of its nodes do (the frames' names), as one command; `None`
/// when every zone is written one way already.
pub fn merge_spellings(d: &Design) -> Option<Command> {
    let frames = frames(d, &|_| false);
    let cmds: Vec<Command> = d
        .nodes
        .iter()
        .filter_map(|n| {
            let f = frames.iter().find(|f| f.key == key(&n.zone))?;
            (n.zone != f.name).then(|| Command::SetZone { id: n.id.clone(), zone: f.name.clone() })
        })
        .collect();
    (!cmds.is_empty()).then_some(Command::Batch(cmds))
}
