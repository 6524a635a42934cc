//! The painter: draws the scene (zone frames, the cluster frame, links along their routes,
//! port labels, nodes) into the canvas's two SVG layers and keeps it in line with the design,
//! without a reactive view per element. A design that opens is parsed as one piece of markup
//! per group (`marks`); after that, each paint compares every element's look with what it drew
//! and patches only what changed (an attribute, or one element's contents). A drag moves its
//! nodes, reroutes their links (quickly) and the frame directly, on every pointer move, before
//! any command lands; the geometry itself (routes, label places, frames) comes from the core.
//!
//! The layers: every element lives in the static layer; while nodes are dragged, their
//! elements (the node, its texts, the links and labels that touch it, the cluster frame when a
//! Key Manager node moves) are lifted into the live layer above, which is a composited layer
//! of its own. Each move then repaints the live layer's few elements and nothing of the
//! static one, whose paint the browser keeps. The same elements move (never copies): the
//! hooks (`data-node-id`, `data-link`, …), focus and the accessible names stay on them. They
//! go back where they were, in order, before the gesture's command lands.

use crate::model::number::Num as N;
use std::collections::{HashMap, HashSet};

use wasm_bindgen::JsCast;
use web_sys::Element;

use super::camera::Point;
use super::marks::{self, NodeLook};
use super::tool::LinkKey;
use crate::model::geometry::{border, facts, Rect};
use crate::model::route::{self, Obstacles, Route};
use crate::model::zones::{self, Frame};
use crate::model::{labels, Design, NodeId, NodeKind};

/// Above this many moving nodes nothing is lifted: moving thousands of elements between layers
/// would cost more than the repaints it saves.
pub const MAX_LIFTED: usize = 150;

/// Up to this many links, every link shows its ports (in the static layer); above, only the
/// selected nodes' links do, in the live layer (thousands of labels would slow every frame for
/// little use, and selecting a node then never repaints the static layer for them).
pub const LABELLED_LINKS: usize = 200;

/// The groups the painter draws into.
pub struct Groups {
    /// Static layer, bottom to top: the zone frames, the cluster frame, the links, the labels,
    /// the nodes.
    pub zones: Element,
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
    /// Compare mode's marks of nodes (`added`, `changed`); empty outside it.
    pub marks: &'a HashMap<NodeId, &'static str>,
    /// Compare mode's added links (`from~to`); empty outside it.
    pub added_links: &'a HashSet<String>,
    pub labels: &'a HashMap<LinkKey, String>,
    /// How much text nodes show (`marks::NO_TEXT`, `LABELS`, `FACTS`).
    pub detail: u8,
    /// The nodes a gesture is moving: they keep the position the drag gives them.
    pub moving: &'a [NodeId],
    /// Route links around the boxes (else straight, until the first frame is on screen).
    pub route: bool,
    /// The design's revision and how many checks ran: when neither moved (nor the detail, the
    /// routing or what moves), only selections changed, and only they are redrawn.
    pub rev: u64,
    pub checks: u64,
    /// Which comparison the marks come from (0 outside compare mode): a new one redraws them.
    pub compared: u64,
}

struct NodeEl {
    g: Element,
    /// The option's description (id, kind, finding counts).
    desc: Option<Element>,
    text: Option<Element>,
    badge: Option<Element>,
    look: NodeLook,
}

impl NodeEl {
    /// The node's elements: the option, its texts and its badge.
    fn parts(&self) -> impl Iterator<Item = &Element> {
        std::iter::once(&self.g).chain(self.text.as_ref()).chain(self.badge.as_ref())
    }
}

struct LinkEl {
    g: Element,
    hit: Element,
    line: Element,
    d: String,
    /// `marks::link_class`'s state: selected (1), added since the compared design (2).
    state: u8,
}

struct LabelEl {
    el: Element,
    markup: String,
    live: bool,
}

struct Framed {
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

/// What a drag needs at hand: the boxes of the nodes that stay, and their zone frames.
struct Drag {
    obstacles: Obstacles,
    frames: Vec<Frame>,
    target: Option<String>,
}

/// The painter's state: the elements it drew, each with the look it drew them with.
#[derive(Default)]
pub struct Painter {
    groups: Option<Groups>,
    nodes: HashMap<NodeId, NodeEl>,
    order: Vec<NodeId>,
    /// Node index by id, in design order (for routing).
    index: HashMap<NodeId, usize>,
    links: HashMap<LinkKey, LinkEl>,
    link_order: Vec<LinkKey>,
    /// Each drawn link's route, in link order, and the positions and mode they were made for.
    routes: Vec<Route>,
    routed_for: (Vec<Point>, bool),
    routing: bool,
    kept: Option<route::Routes>,
    /// The links touching each node (for a drag).
    incident: HashMap<NodeId, Vec<LinkKey>>,
    labels: HashMap<LinkKey, LabelEl>,
    zones: Vec<(String, Framed)>,
    frame: Option<Framed>,
    domain: String,
    lifted: Vec<Lifted>,
    lifted_ids: Vec<NodeId>,
    drag: Option<Drag>,
    /// What the last full paint drew: (revision, checks, comparison, detail, routing, moving
    /// nodes).
    painted: Option<(u64, u64, u64, u8, bool, Vec<NodeId>)>,
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

/// A link drawn straight between the borders (or as a loop over its node).
fn straight(a: Point, b: Point, self_loop: bool) -> Route {
    if self_loop {
        let obs = Obstacles::new(&[], &|_| true);
        return route::route(&obs, a, a, (0, 0), true);
    }
    vec![border(a, b), border(b, a)]
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
        let now = (input.rev, input.checks, input.compared, input.detail, input.route, input.moving.to_vec());
        if self.painted.as_ref() == Some(&now) {
            // Only a selection changed: the nodes and links whose state changed, and the labels
            // (a large design labels the selected nodes' links).
            self.paint_selection(input);
            self.paint_labels(&groups, input);
            self.groups = Some(groups);
            return;
        }
        self.painted = Some(now);
        self.routing = input.route;
        self.paint_nodes(&groups, input);
        self.paint_links(&groups, input);
        self.paint_labels(&groups, input);
        self.domain.clone_from(&input.design.cluster.domain);
        self.paint_frame(&groups);
        let moving: HashSet<&NodeId> = input.moving.iter().collect();
        self.paint_zones(&groups, input.design, &|id| moving.contains(id));
        self.groups = Some(groups);
    }

    fn paint_selection(&mut self, input: &Input) {
        let selected: HashSet<&NodeId> = input.selected.iter().collect();
        for (id, el) in self.nodes.iter_mut() {
            let on = selected.contains(id);
            if el.look.selected != on {
                let mut look = el.look.clone();
                look.selected = on;
                set(&el.g, "class", &marks::node_class(&look));
                set(&el.g, "aria-selected", if on { "true" } else { "false" });
                el.look = look;
            }
        }
        for (key, el) in self.links.iter_mut() {
            let state = (el.state & 2) | u8::from(input.selected_link == Some(key));
            if el.state != state {
                set(&el.g, "class", marks::link_class(state));
                el.state = state;
            }
        }
    }

    fn paint_nodes(&mut self, groups: &Groups, input: &Input) {
        let selected: HashSet<&NodeId> = input.selected.iter().collect();
        let ids: Vec<&NodeId> = input.design.nodes.iter().map(|n| &n.id).collect();
        // Gone, or of another kind (a replaced design reusing an id): removed.
        let kinds: HashMap<&NodeId, NodeKind> = input.design.nodes.iter().map(|n| (&n.id, n.kind)).collect();
        self.nodes.retain(|id, el| {
            let keep = kinds.get(id) == Some(&el.look.kind);
            if !keep {
                el.parts().for_each(Element::remove);
            }
            keep
        });
        // Where the elements are now: the kept ones in their order, then the new ones appended.
        let mut drawn: Vec<&NodeId> = self.order.iter().filter(|id| self.nodes.contains_key(*id)).collect();
        let mut fresh: Vec<(NodeId, NodeLook)> = Vec::new();
        let mut badges: Vec<(NodeId, String)> = Vec::new();
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
                facts: if input.detail >= marks::FACTS { facts(n, input.design.product) } else { String::new() },
                notes: n.notes.clone(),
                mark: input.marks.get(&n.id).copied().unwrap_or(""),
            };
            if !self.nodes.contains_key(&n.id) {
                drawn.push(&n.id);
                fresh.push((n.id.clone(), look));
            } else if let Some(el) = self.nodes.get_mut(&n.id) {
                if let Some(markup) = update_node(el, &n.id, look) {
                    badges.push((n.id.clone(), markup));
                }
            }
        }
        // New badges (after a check, hundreds at once) are added in one piece, above the nodes.
        if !badges.is_empty() {
            let markup: String = badges.iter().map(|(_, m)| m.as_str()).collect();
            let made = append(&groups.nodes, &markup);
            for ((id, _), el) in badges.into_iter().zip(made) {
                if let Some(n) = self.nodes.get_mut(&id) {
                    n.badge = Some(el);
                }
            }
        }
        let reorder = drawn != ids;
        if !fresh.is_empty() {
            let markup: String = fresh.iter().map(|(id, look)| marks::node(id, look)).collect();
            let mut made = append(&groups.nodes, &markup).into_iter();
            for (id, look) in fresh {
                let Some(g) = made.next() else { break };
                let text = if look.detail > marks::NO_TEXT { made.next() } else { None };
                let badge = if look.badge != (0, 0) { made.next() } else { None };
                let desc = g.first_element_child().and_then(|t| t.next_element_sibling());
                self.nodes.insert(id, NodeEl { g, desc, text, badge, look });
            }
        }
        // The drawing order is the design's (later nodes on top).
        if reorder {
            for id in &ids {
                if let Some(el) = self.nodes.get(*id).filter(|_| !self.lifted_ids.contains(id)) {
                    for part in el.parts() {
                        let _ = groups.nodes.append_child(part);
                    }
                }
            }
        }
        self.order = ids.into_iter().cloned().collect();
        self.index = self.order.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
    }

    fn pos(&self, id: &NodeId) -> Point {
        self.nodes.get(id).map(|n| n.look.pos).unwrap_or_default()
    }

    /// The routes of every link, made anew when a node moved, a link came or went, or routing
    /// was turned on.
    fn reroute(&mut self) {
        let centres: Vec<Point> = self.order.iter().map(|id| self.pos(id)).collect();
        let key = (centres, self.routing);
        if self.routed_for == key && self.routes.len() == self.link_order.len() {
            return;
        }
        let ends: Vec<(usize, usize)> = self
            .link_order
            .iter()
            .map(|(f, t, _)| (self.index.get(f).copied().unwrap_or(0), self.index.get(t).copied().unwrap_or(0)))
            .collect();
        self.routes = if self.routing {
            // Only the links a change affects are routed again (a drag's release among hundreds).
            match &mut self.kept {
                Some(kept) => kept.update(&key.0, &ends),
                None => self.kept = Some(route::Routes::new(&key.0, &ends)),
            }
            self.kept.as_ref().map(|k| k.spread(&key.0, &ends)).unwrap_or_default()
        } else {
            ends.iter()
                .map(|&(a, b)| {
                    let (pa, pb) =
                        (key.0.get(a).copied().unwrap_or_default(), key.0.get(b).copied().unwrap_or_default());
                    straight(pa, pb, a == b)
                })
                .collect()
        };
        self.routed_for = key;
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
        if self.link_order != keys {
            self.incident.clear();
            for k in &keys {
                self.incident.entry(k.0.clone()).or_default().push(k.clone());
                if k.1 != k.0 {
                    self.incident.entry(k.1.clone()).or_default().push(k.clone());
                }
            }
        }
        // Where the elements are now: the kept ones in their order, then the new ones appended.
        let mut drawn: Vec<LinkKey> = self.link_order.iter().filter(|k| self.links.contains_key(*k)).cloned().collect();
        let mut fresh: Vec<(&LinkKey, String, u8)> = Vec::new();
        self.link_order.clone_from(&keys);
        self.reroute();
        for (key, route) in keys.iter().zip(&self.routes) {
            let d = marks::path(route);
            let added = !input.added_links.is_empty() && input.added_links.contains(&format!("{}~{}", key.0, key.1));
            let state = u8::from(input.selected_link == Some(key)) | (u8::from(added) << 1);
            match self.links.get_mut(key) {
                Some(el) => {
                    redraw_link(el, d);
                    if el.state != state {
                        set(&el.g, "class", marks::link_class(state));
                        el.state = state;
                    }
                }
                None => {
                    drawn.push(key.clone());
                    fresh.push((key, d, state));
                }
            }
        }
        let reorder = drawn != keys;
        if !fresh.is_empty() {
            let markup: String =
                fresh.iter().map(|((from, to, occ), d, state)| marks::link(from, to, *occ, d, *state)).collect();
            let mut made = append(&groups.links, &markup).into_iter();
            for (key, d, state) in fresh {
                let Some(g) = made.next() else { break };
                let (Some(hit), Some(line)) = (g.first_element_child(), g.last_element_child()) else { continue };
                self.links.insert(key.clone(), LinkEl { g, hit, line, d, state });
            }
        }
        if reorder {
            for k in &keys {
                if let Some(el) = self.links.get(k) {
                    let _ = groups.links.append_child(&el.g);
                }
            }
        }
    }

    fn paint_labels(&mut self, groups: &Groups, input: &Input) {
        let all = input.links.len() <= LABELLED_LINKS;
        let selected: HashSet<&NodeId> = input.selected.iter().collect();
        let texts: Vec<Option<String>> = input
            .links
            .iter()
            .map(|l| {
                let shown = input.detail > marks::NO_TEXT
                    && l.from != l.to
                    && (all || selected.contains(&l.from) || selected.contains(&l.to));
                shown.then(|| input.labels.get(&l.key()).cloned()).flatten()
            })
            .collect();
        let boxes: Vec<Rect> = self.order.iter().map(|id| Rect::node(self.pos(id))).collect();
        let placed = labels::place(&self.routes, &texts, &boxes);
        let live = !all;
        let mut wanted: Vec<(LinkKey, String)> = Vec::new();
        for p in &placed {
            let Some(key) = p.texts.first().and_then(|(i, _)| self.link_order.get(*i)) else { continue };
            let all_texts: Vec<String> = p
                .texts
                .iter()
                .filter_map(|(i, t)| self.link_order.get(*i).map(|(f, to, _)| format!("{f}→{to}: {t}")))
                .collect();
            let markup = marks::label(p, (&key.0, &key.1), if p.texts.len() > 1 { &all_texts } else { &[] });
            wanted.push((key.clone(), markup));
        }
        let keep: HashMap<&LinkKey, &String> = wanted.iter().map(|(k, m)| (k, m)).collect();
        self.labels.retain(|k, el| {
            let stay = keep.contains_key(k) && el.live == live;
            if !stay {
                el.el.remove();
            }
            stay
        });
        // A label that changed is replaced where it is, so the labels keep their order.
        for (k, el) in self.labels.iter_mut() {
            let Some(markup) = keep.get(k) else { continue };
            if **markup != el.markup {
                let _ = el.el.insert_adjacent_html("afterend", markup);
                if let Some(new) = el.el.next_element_sibling() {
                    el.el.remove();
                    el.el = new;
                    el.markup = (*markup).clone();
                }
            }
        }
        let fresh: Vec<(LinkKey, String)> = wanted.into_iter().filter(|(k, _)| !self.labels.contains_key(k)).collect();
        if !fresh.is_empty() {
            let markup: String = fresh.iter().map(|(_, m)| m.as_str()).collect();
            let into = if live { &groups.selected_labels } else { &groups.labels };
            let mut made = append(into, &markup).into_iter();
            for (key, markup) in fresh {
                let Some(el) = made.next() else { break };
                self.labels.insert(key, LabelEl { el, markup, live });
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
                    self.frame = Some(Framed { g, inner });
                }
            }
        }
    }

    /// The zone frames, from the nodes for which `leave_out` is false (a drag's nodes are left
    /// out: they may leave their frame).
    fn paint_zones(&mut self, groups: &Groups, design: &Design, leave_out: &dyn Fn(&NodeId) -> bool) {
        let frames = zones::frames(design, leave_out);
        let keys: Vec<&String> = frames.iter().map(|f| &f.key).collect();
        let same_order = self.zones.len() == frames.len() && self.zones.iter().zip(&keys).all(|((k, _), n)| k == *n);
        if !same_order {
            for (_, z) in self.zones.drain(..) {
                z.g.remove();
            }
            let markup: String = frames.iter().map(|f| marks::zone(&f.rect, &f.name)).collect();
            let made = append(&groups.zones, &markup);
            self.zones = frames
                .iter()
                .zip(made)
                .map(|(f, g)| (f.key.clone(), Framed { g, inner: marks::zone_inner(&f.rect, &f.name) }))
                .collect();
            return;
        }
        for ((_, z), f) in self.zones.iter_mut().zip(&frames) {
            let inner = marks::zone_inner(&f.rect, &f.name);
            if z.inner != inner {
                z.g.set_inner_html(&inner);
                set(&z.g, "data-zone-frame", &f.name);
                z.inner = inner;
            }
        }
    }

    /// Shows nodes at new positions (a drag under way, or a cancel putting them back): the
    /// nodes, their links (rerouted quickly around the nodes that stay) and labels, the
    /// cluster frame, and which zone frame they would land in; the design is not touched.
    pub fn move_nodes(&mut self, moves: &[(NodeId, Point)]) {
        let mut touched: Vec<usize> = Vec::new();
        let mut km = false;
        for (id, at) in moves {
            let Some(el) = self.nodes.get_mut(id) else { continue };
            if el.look.pos == *at {
                continue;
            }
            el.look.pos = *at;
            let t = marks::transform(*at);
            el.parts().for_each(|p| set(p, "transform", &t));
            km |= el.look.kind == NodeKind::KeyManager;
            if let Some(keys) = self.incident.get(id) {
                touched.extend(keys.iter().filter_map(|k| self.link_order.iter().position(|o| o == k)));
            }
        }
        // A link touching two moving nodes comes twice: its second redraw changes nothing.
        for i in touched {
            let Some((f, t, _)) = self.link_order.get(i).cloned() else { continue };
            let (a, b) = (self.pos(&f), self.pos(&t));
            let (ia, ib) = (self.index.get(&f).copied().unwrap_or(0), self.index.get(&t).copied().unwrap_or(0));
            let r = match (&self.drag, self.routing) {
                (Some(drag), true) => route::route(&drag.obstacles, a, b, (ia, ib), true),
                _ => straight(a, b, f == t),
            };
            let key = (f, t, self.link_order.get(i).map(|k| k.2).unwrap_or(0));
            if let Some(el) = self.links.get_mut(&key) {
                redraw_link(el, marks::path(&r));
            }
            if let (Some(el), Some((mid, _))) = (self.labels.get(&key), route::midpoint(&r)) {
                set(
                    &el.el,
                    "transform",
                    &format!("translate({},{})", N(mid.0 - label_centre(el).0), N(mid.1 - label_centre(el).1)),
                );
            }
            if let Some(slot) = self.routes.get_mut(i) {
                *slot = r;
            }
        }
        if km {
            if let Some(groups) = self.groups.take() {
                self.paint_frame(&groups);
                self.groups = Some(groups);
            }
        }
        // The frame the first moving node would land in, highlighted.
        let target = match (&self.drag, moves.first()) {
            (Some(drag), Some((_, at))) => zones::frame_at(&drag.frames, *at).map(|f| f.key.clone()),
            _ => None,
        };
        if let Some(drag) = &mut self.drag {
            if drag.target != target {
                for (k, z) in &self.zones {
                    let on = target.as_ref() == Some(k);
                    let _ = z.g.class_list().toggle_with_force("drop-target", on);
                }
                drag.target = target;
            }
        }
    }

    /// Makes the live layer hold exactly the elements of the `moving` nodes (none: everything
    /// back in the static layer). Called on every pointer move: it compares, and only a change
    /// of the moving set touches the page. The zone frames are drawn without the moving nodes
    /// for as long as they move.
    pub fn lift(&mut self, moving: &[(NodeId, Point)], design: &Design) {
        if self.lifted_ids.iter().eq(moving.iter().map(|(id, _)| id)) {
            return;
        }
        self.restore();
        let ids: Vec<NodeId> = moving.iter().map(|(id, _)| id.clone()).collect();
        if !ids.is_empty() {
            let set: HashSet<&NodeId> = ids.iter().collect();
            let out = |id: &NodeId| set.contains(id);
            let skip: HashSet<usize> = ids.iter().filter_map(|id| self.index.get(id).copied()).collect();
            let centres: Vec<Point> = self.order.iter().map(|id| self.pos(id)).collect();
            self.drag = Some(Drag {
                obstacles: Obstacles::new(&centres, &|i| skip.contains(&i)),
                frames: zones::frames(design, &out),
                target: None,
            });
            if let Some(groups) = self.groups.take() {
                self.paint_zones(&groups, design, &out);
                self.groups = Some(groups);
            }
        }
        if moving.is_empty() || moving.len() > MAX_LIFTED {
            self.lifted_ids = ids;
            return;
        }
        let Some(groups) = &self.groups else { return };
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
                take.extend(el.parts().map(|p| (p.clone(), &groups.live_nodes)));
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
        if self.drag.take().is_some() {
            for (_, z) in &self.zones {
                let _ = z.g.class_list().remove_1("drop-target");
            }
        }
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

/// Where a label was drawn (its text's position), for moving it along with a dragged link.
fn label_centre(el: &LabelEl) -> Point {
    let text = el.el.query_selector("text").ok().flatten();
    let num = |a: &str| {
        text.as_ref()
            .and_then(|t| t.get_attribute(a))
            .map(|v| js_sys::Number::parse_float(&v))
            .filter(|n| n.is_finite())
            .unwrap_or(0.0)
    };
    (num("x"), num("y") - 3.5)
}

fn redraw_link(el: &mut LinkEl, d: String) {
    if el.d != d {
        set(&el.hit, "d", &d);
        set(&el.line, "d", &d);
        el.d = d;
    }
}

/// Patches a node's elements to a new look; returns the markup of a badge to add, if any (the
/// caller adds them all in one piece).
fn update_node(el: &mut NodeEl, id: &NodeId, look: NodeLook) -> Option<String> {
    let old = &el.look;
    if old == &look {
        return None;
    }
    let mut add = None;
    if old.pos != look.pos {
        let t = marks::transform(look.pos);
        el.parts().for_each(|p| set(p, "transform", &t));
    }
    if old.selected != look.selected || old.mark != look.mark {
        set(&el.g, "class", &marks::node_class(&look));
        set(&el.g, "aria-selected", if look.selected { "true" } else { "false" });
    }
    if old.label != look.label {
        set(&el.g, "aria-label", &marks::aria_label(id, &look));
    }
    if old.label != look.label || (old.detail > 0) != (look.detail > 0) {
        el.g.set_inner_html(&marks::node_inner(id, &look));
        el.desc = el.g.first_element_child().and_then(|t| t.next_element_sibling());
    } else if old.badge != look.badge || old.notes.is_empty() != look.notes.is_empty() || old.mark != look.mark {
        if let Some(desc) = &el.desc {
            desc.set_text_content(Some(&marks::description(id, &look)));
        }
    }
    if old.badge != look.badge {
        match (&el.badge, look.badge) {
            (Some(b), (0, 0)) => {
                b.remove();
                el.badge = None;
            }
            (Some(b), _) => {
                // Counts changed: the badge is redrawn where it is.
                let _ = b.insert_adjacent_html("afterend", &marks::badge(id, &look));
                let new = b.next_element_sibling();
                b.remove();
                el.badge = new;
            }
            (None, (0, 0)) => {}
            (None, _) => add = Some(marks::badge(id, &look)),
        }
    }
    let texts_changed =
        old.label != look.label || old.detail != look.detail || old.facts != look.facts || old.notes != look.notes;
    if look.detail > marks::NO_TEXT {
        match &el.text {
            Some(text) if texts_changed => text.set_inner_html(&marks::node_text_inner(id, &look)),
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
    add
}

/// The element of a node (for focus), if drawn.
pub fn node_element(painter: &Painter, id: &NodeId) -> Option<web_sys::SvgElement> {
    painter.nodes.get(id).and_then(|n| n.g.clone().dyn_into().ok())
}
