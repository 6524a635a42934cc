//! The painter: draws the scene (nodes, links, port labels, the cluster frame) into the
//! canvas's two SVG layers and keeps it in line with the design, without a reactive view per
//! element. A design that opens is parsed as one piece of markup per group (`marks`); after
//! that, each paint compares every element's look with what it drew and patches only what
//! changed (an attribute, or one element's contents). A drag moves its nodes, their links and
//! labels and the frame directly, on every pointer move, before any command lands.
//!
//! The layers: every element lives in the static layer; while nodes are dragged, their
//! elements (the node, its texts, the links and labels that touch it, the cluster frame when a
//! Key Manager node moves) are lifted into the live layer above, which is a composited layer
//! of its own. Each move then repaints the live layer's few elements and nothing of the
//! static one, whose paint the browser keeps. The same elements move (never copies): the
//! hooks (`data-node-id`, `data-link`, …), focus and the accessible names stay on them. They
//! go back where they were, in order, before the gesture's command lands.

use std::collections::{HashMap, HashSet};

use wasm_bindgen::JsCast;
use web_sys::Element;

use super::camera::Point;
use super::marks::{self, NodeLook};
use super::tool::LinkKey;
use crate::model::{Design, NodeId, NodeKind};

/// Above this many moving nodes nothing is lifted: moving thousands of elements between layers
/// would cost more than the repaints it saves.
pub const MAX_LIFTED: usize = 150;

/// Up to this many links, every link shows its ports (in the static layer); above, only the
/// selected nodes' links do, in the live layer (thousands of labels would slow every frame for
/// little use, and selecting a node then never repaints the static layer for them).
pub const LABELLED_LINKS: usize = 200;

/// The groups the painter draws into.
pub struct Groups {
    /// Static layer, bottom to top: the frame, the links, the labels, the nodes.
    pub frame: Element,
    pub links: Element,
    pub labels: Element,
    pub nodes: Element,
    /// Live layer: where lifted elements go, and the selected nodes' labels of a large design.
    pub live_frame: Element,
    pub live_links: Element,
    pub live_labels: Element,
    pub live_nodes: Element,
    pub selected_labels: Element,
}

/// What a paint draws: the design and the editor's state around it.
pub struct Input<'a> {
    pub design: &'a Design,
    pub links: &'a [super::super::state::LinkItem],
    pub selected: &'a [NodeId],
    pub selected_link: Option<&'a LinkKey>,
    pub badges: &'a HashMap<NodeId, (usize, usize)>,
    pub labels: &'a HashMap<LinkKey, String>,
    pub detail: bool,
    /// The nodes a gesture is moving: they keep the position the drag gives them.
    pub moving: &'a [NodeId],
}

struct NodeEl {
    g: Element,
    text: Option<Element>,
    look: NodeLook,
}

struct LinkEl {
    g: Element,
    hit: Element,
    line: Element,
    /// The centres of its ends it was drawn between.
    ends: (Point, Point),
    selected: bool,
}

struct LabelEl {
    el: Element,
    at: Point,
    text: String,
    live: bool,
}

struct Frame {
    g: Element,
    inner: String,
}

/// An element taken out of the static layer, and where it goes back.
struct Lifted {
    el: Element,
    into: Element,
    parent: web_sys::Node,
    next: Option<web_sys::Node>,
}

/// The painter's state: the elements it drew, each with the look it drew them with.
#[derive(Default)]
pub struct Painter {
    groups: Option<Groups>,
    nodes: HashMap<NodeId, NodeEl>,
    order: Vec<NodeId>,
    links: HashMap<LinkKey, LinkEl>,
    link_order: Vec<LinkKey>,
    /// The links touching each node (for a drag).
    incident: HashMap<NodeId, Vec<LinkKey>>,
    labels: HashMap<LinkKey, LabelEl>,
    frame: Option<Frame>,
    domain: String,
    lifted: Vec<Lifted>,
    lifted_ids: Vec<NodeId>,
}

fn children(parent: &Element) -> Vec<Element> {
    let mut out = Vec::new();
    let mut at = parent.first_element_child();
    while let Some(el) = at {
        at = el.next_element_sibling();
        out.push(el);
    }
    out
}

/// Appends markup to a group and returns the elements it made.
fn append(parent: &Element, markup: &str) -> Vec<Element> {
    if markup.is_empty() {
        return Vec::new();
    }
    let before = parent.last_element_child();
    if before.is_none() {
        parent.set_inner_html(markup);
        return children(parent);
    }
    let _ = parent.insert_adjacent_html("beforeend", markup);
    let mut out = Vec::new();
    let mut at = before.and_then(|b| b.next_element_sibling());
    while let Some(el) = at {
        at = el.next_element_sibling();
        out.push(el);
    }
    out
}

fn set(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

impl Painter {
    /// Gives the painter its groups (once the canvas is mounted).
    pub fn attach(&mut self, groups: Groups) {
        self.groups = Some(groups);
    }

    /// True once the painter has somewhere to draw.
    pub fn attached(&self) -> bool {
        self.groups.is_some()
    }

    /// Brings the drawing in line with the design and the editor's state, touching only what
    /// changed.
    pub fn paint(&mut self, input: &Input) {
        let Some(groups) = self.groups.take() else { return };
        self.paint_nodes(&groups, input);
        self.paint_links(&groups, input);
        self.paint_labels(&groups, input);
        self.domain.clone_from(&input.design.cluster.domain);
        self.paint_frame(&groups);
        self.groups = Some(groups);
    }

    fn paint_nodes(&mut self, groups: &Groups, input: &Input) {
        let selected: HashSet<&NodeId> = input.selected.iter().collect();
        let ids: Vec<&NodeId> = input.design.nodes.iter().map(|n| &n.id).collect();
        // Gone, or of another kind (a replaced design reusing an id): removed.
        let kinds: HashMap<&NodeId, NodeKind> = input.design.nodes.iter().map(|n| (&n.id, n.kind)).collect();
        self.nodes.retain(|id, el| {
            let keep = kinds.get(id) == Some(&el.look.kind);
            if !keep {
                el.g.remove();
                if let Some(t) = &el.text {
                    t.remove();
                }
            }
            keep
        });
        // Where the elements are now: the kept ones in their order, then the new ones appended.
        let mut drawn: Vec<&NodeId> = self.order.iter().filter(|id| self.nodes.contains_key(*id)).collect();
        let mut fresh: Vec<(NodeId, NodeLook)> = Vec::new();
        for n in &input.design.nodes {
            let look = NodeLook {
                kind: n.kind,
                pos: match self.nodes.get(&n.id) {
                    Some(el) if input.moving.contains(&n.id) => el.look.pos,
                    _ => (n.x, n.y),
                },
                label: n.label.clone(),
                selected: selected.contains(&n.id),
                badge: input.badges.get(&n.id).copied().unwrap_or_default(),
                detail: input.detail,
            };
            if !self.nodes.contains_key(&n.id) {
                drawn.push(&n.id);
                fresh.push((n.id.clone(), look));
            } else if let Some(el) = self.nodes.get_mut(&n.id) {
                update_node(el, &n.id, look);
            }
        }
        let reorder = drawn != ids;
        if !fresh.is_empty() {
            let markup: String = fresh.iter().map(|(id, look)| marks::node(id, look)).collect();
            let mut made = append(&groups.nodes, &markup).into_iter();
            for (id, look) in fresh {
                let Some(g) = made.next() else { break };
                let text = if look.detail { made.next() } else { None };
                self.nodes.insert(id, NodeEl { g, text, look });
            }
        }
        // The drawing order is the design's (later nodes on top).
        if reorder {
            for id in &ids {
                if let Some(el) = self.nodes.get(*id).filter(|_| !self.lifted_ids.contains(id)) {
                    let _ = groups.nodes.append_child(&el.g);
                    if let Some(t) = &el.text {
                        let _ = groups.nodes.append_child(t);
                    }
                }
            }
        }
        self.order = ids.into_iter().cloned().collect();
    }

    fn paint_links(&mut self, groups: &Groups, input: &Input) {
        let keys: Vec<LinkKey> = input.links.iter().map(|l| l.key()).collect();
        let wanted: HashSet<&LinkKey> = keys.iter().collect();
        self.links.retain(|k, el| {
            let keep = wanted.contains(k);
            if !keep {
                el.g.remove();
            }
            keep
        });
        // Where the elements are now: the kept ones in their order, then the new ones appended.
        let mut drawn: Vec<&LinkKey> = self.link_order.iter().filter(|k| self.links.contains_key(*k)).collect();
        let mut fresh: Vec<(&LinkKey, (Point, Point), bool)> = Vec::new();
        for (item, key) in input.links.iter().zip(&keys) {
            let ends = (self.pos(&item.from), self.pos(&item.to));
            let selected = input.selected_link == Some(key);
            match self.links.get_mut(key) {
                Some(el) => {
                    redraw_link(el, key, ends);
                    if el.selected != selected {
                        set(&el.g, "class", marks::link_class(selected));
                        el.selected = selected;
                    }
                }
                None => {
                    drawn.push(key);
                    fresh.push((key, ends, selected));
                }
            }
        }
        let reorder = drawn.len() != keys.len() || drawn.iter().zip(&keys).any(|(a, b)| *a != b);
        if !fresh.is_empty() {
            let markup: String = fresh
                .iter()
                .map(|((from, to, occ), (a, b), selected)| {
                    marks::link(from, to, *occ, &marks::link_path(*a, *b, from == to), *selected)
                })
                .collect();
            let mut made = append(&groups.links, &markup).into_iter();
            for (key, ends, selected) in fresh {
                let Some(g) = made.next() else { break };
                let (Some(hit), Some(line)) = (g.first_element_child(), g.last_element_child()) else { continue };
                self.links.insert(key.clone(), LinkEl { g, hit, line, ends, selected });
            }
        }
        if reorder {
            for k in &keys {
                if let Some(el) = self.links.get(k) {
                    let _ = groups.links.append_child(&el.g);
                }
            }
        }
        if self.link_order != keys {
            self.incident.clear();
            for k in &keys {
                self.incident.entry(k.0.clone()).or_default().push(k.clone());
                if k.1 != k.0 {
                    self.incident.entry(k.1.clone()).or_default().push(k.clone());
                }
            }
            self.link_order = keys;
        }
    }

    fn paint_labels(&mut self, groups: &Groups, input: &Input) {
        let all = input.links.len() <= LABELLED_LINKS;
        let selected: HashSet<&NodeId> = input.selected.iter().collect();
        let mut wanted: Vec<(LinkKey, Point, String)> = Vec::new();
        if input.detail {
            for l in input.links {
                if l.from == l.to || !(all || selected.contains(&l.from) || selected.contains(&l.to)) {
                    continue;
                }
                let key = l.key();
                let text = input.labels.get(&key).cloned().unwrap_or_default();
                let at = self.label_at(&l.from, &l.to);
                wanted.push((key, at, text));
            }
        }
        let keep: HashSet<&LinkKey> = wanted.iter().map(|w| &w.0).collect();
        let live = !all;
        self.labels.retain(|k, el| {
            let stay = keep.contains(k) && el.live == live;
            if !stay {
                el.el.remove();
            }
            stay
        });
        let mut fresh = Vec::new();
        for (key, at, text) in wanted {
            match self.labels.get_mut(&key) {
                Some(el) => {
                    if el.at != at {
                        set(&el.el, "x", &at.0.to_string());
                        set(&el.el, "y", &at.1.to_string());
                        el.at = at;
                    }
                    if el.text != text {
                        el.el.set_text_content(Some(&text));
                        el.text = text;
                    }
                }
                None => fresh.push((key, at, text)),
            }
        }
        if !fresh.is_empty() {
            let markup: String = fresh.iter().map(|((f, t, _), at, text)| marks::label(f, t, *at, text)).collect();
            let into = if live { &groups.selected_labels } else { &groups.labels };
            let mut made = append(into, &markup).into_iter();
            for (key, at, text) in fresh {
                let Some(el) = made.next() else { break };
                self.labels.insert(key, LabelEl { el, at, text, live });
            }
        }
    }

    fn paint_frame(&mut self, groups: &Groups) {
        let kms = self.nodes.values().filter(|n| n.look.kind == NodeKind::KeyManager).map(|n| n.look.pos);
        let inner = marks::frame_box(kms).map(|b| marks::frame_inner(b, &self.domain));
        match (inner, &mut self.frame) {
            (None, None) => {}
            (None, Some(f)) => {
                f.g.remove();
                self.frame = None;
            }
            (Some(inner), Some(f)) => {
                if f.inner != inner {
                    f.g.set_inner_html(&inner);
                    f.inner = inner;
                }
            }
            (Some(inner), None) => {
                let markup = format!("<g class=\"cluster-frame\" data-testid=\"cluster\">{inner}</g>");
                if let Some(g) = append(&groups.frame, &markup).into_iter().next() {
                    self.frame = Some(Frame { g, inner });
                }
            }
        }
    }

    fn pos(&self, id: &NodeId) -> Point {
        self.nodes.get(id).map(|n| n.look.pos).unwrap_or_default()
    }

    fn label_at(&self, from: &NodeId, to: &NodeId) -> Point {
        marks::label_at(self.pos(from), self.pos(to))
    }

    /// Shows nodes at new positions (a drag under way, or a cancel putting them back): the
    /// nodes, their links and labels, and the frame; the design is not touched.
    pub fn move_nodes(&mut self, moves: &[(NodeId, Point)]) {
        let mut touched: Vec<LinkKey> = Vec::new();
        let mut km = false;
        for (id, at) in moves {
            let Some(el) = self.nodes.get_mut(id) else { continue };
            if el.look.pos == *at {
                continue;
            }
            el.look.pos = *at;
            let t = marks::transform(*at);
            set(&el.g, "transform", &t);
            if let Some(text) = &el.text {
                set(text, "transform", &t);
            }
            km |= el.look.kind == NodeKind::KeyManager;
            if let Some(keys) = self.incident.get(id) {
                touched.extend(keys.iter().cloned());
            }
        }
        // A link touching two moving nodes comes twice: its second redraw changes nothing.
        for key in touched {
            let ends = (self.pos(&key.0), self.pos(&key.1));
            let at = self.label_at(&key.0, &key.1);
            if let Some(el) = self.links.get_mut(&key) {
                redraw_link(el, &key, ends);
            }
            if let Some(el) = self.labels.get_mut(&key) {
                if el.at != at {
                    set(&el.el, "x", &at.0.to_string());
                    set(&el.el, "y", &at.1.to_string());
                    el.at = at;
                }
            }
        }
        if km {
            if let Some(groups) = self.groups.take() {
                self.paint_frame(&groups);
                self.groups = Some(groups);
            }
        }
    }

    /// Makes the live layer hold exactly the elements of the `moving` nodes (none: everything
    /// back in the static layer). Called on every pointer move: it compares, and only a change
    /// of the moving set touches the page.
    pub fn lift(&mut self, moving: &[(NodeId, Point)]) {
        if self.lifted_ids.iter().eq(moving.iter().map(|(id, _)| id)) {
            return;
        }
        self.restore();
        if moving.is_empty() || moving.len() > MAX_LIFTED {
            return;
        }
        let Some(groups) = &self.groups else { return };
        let ids: Vec<NodeId> = moving.iter().map(|(id, _)| id.clone()).collect();
        let mut take: Vec<(Element, &Element)> = Vec::new();
        let km = ids.iter().any(|id| self.nodes.get(id).is_some_and(|n| n.look.kind == NodeKind::KeyManager));
        if km {
            if let Some(f) = &self.frame {
                take.push((f.g.clone(), &groups.live_frame));
            }
        }
        // In drawing order, so that they go back in it.
        let lifted: HashSet<&NodeId> = ids.iter().collect();
        for key in self.link_order.iter().filter(|k| lifted.contains(&k.0) || lifted.contains(&k.1)) {
            if let Some(el) = self.links.get(key) {
                take.push((el.g.clone(), &groups.live_links));
            }
            if let Some(el) = self.labels.get(key).filter(|l| !l.live) {
                take.push((el.el.clone(), &groups.live_labels));
            }
        }
        for id in &ids {
            if let Some(el) = self.nodes.get(id) {
                take.push((el.g.clone(), &groups.live_nodes));
                if let Some(t) = &el.text {
                    take.push((t.clone(), &groups.live_nodes));
                }
            }
        }
        let mut lifted = Vec::with_capacity(take.len());
        for (el, into) in take {
            let Some(parent) = el.parent_node() else { continue };
            let next = el.next_sibling();
            if into.append_child(&el).is_ok() {
                lifted.push(Lifted { el, into: into.clone(), parent, next });
            }
        }
        self.lifted = lifted;
        self.lifted_ids = ids;
    }

    /// Puts every lifted element back where it was, last lifted first (so each goes back before
    /// the sibling recorded for it). An element removed meanwhile stays removed.
    pub fn restore(&mut self) {
        let lifted = std::mem::take(&mut self.lifted);
        self.lifted_ids.clear();
        for l in lifted.into_iter().rev() {
            let here = l.el.parent_node().is_some_and(|p| p.is_same_node(Some(l.into.as_ref())));
            if !here {
                continue;
            }
            let next = l.next.filter(|n| n.parent_node().is_some_and(|p| p.is_same_node(Some(&l.parent))));
            let _ = l.parent.insert_before(&l.el, next.as_ref());
        }
    }
}

fn redraw_link(el: &mut LinkEl, key: &LinkKey, ends: (Point, Point)) {
    if el.ends != ends {
        let d = marks::link_path(ends.0, ends.1, key.0 == key.1);
        set(&el.hit, "d", &d);
        set(&el.line, "d", &d);
        el.ends = ends;
    }
}

fn update_node(el: &mut NodeEl, id: &NodeId, look: NodeLook) {
    let old = &el.look;
    if old == &look {
        return;
    }
    if old.pos != look.pos {
        let t = marks::transform(look.pos);
        set(&el.g, "transform", &t);
        if let Some(text) = &el.text {
            set(text, "transform", &t);
        }
    }
    if old.selected != look.selected {
        set(&el.g, "class", &marks::node_class(&look));
        set(&el.g, "aria-selected", if look.selected { "true" } else { "false" });
    }
    if old.label != look.label || old.badge != look.badge {
        set(&el.g, "aria-label", &marks::aria_label(id, &look));
    }
    if old.label != look.label || old.badge != look.badge || old.detail != look.detail {
        el.g.set_inner_html(&marks::node_inner(id, &look));
    }
    if look.detail {
        match &el.text {
            Some(text) if old.label != look.label => text.set_inner_html(&marks::node_text_inner(id, &look)),
            Some(_) => {}
            None => {
                let _ = el.g.insert_adjacent_html("afterend", &marks::node_text(id, &look));
                el.text = el.g.next_element_sibling();
            }
        }
    } else if let Some(text) = el.text.take() {
        text.remove();
    }
    el.look = look;
}

/// The element of a node (for focus), if drawn.
pub fn node_element(painter: &Painter, id: &NodeId) -> Option<web_sys::SvgElement> {
    painter.nodes.get(id).and_then(|n| n.g.clone().dyn_into().ok())
}
