//! The SVG canvas: nodes, links and the cluster frame, with the pointer interactions (drag
//! to move, drag a handle to connect, drag the background to pan, wheel to zoom, palette
//! drops). While a drag is under way only the dragged nodes' position signals change; the
//! command lands in the design when the pointer is released.

use leptos::prelude::*;
use leptos::svg::Svg;
use wasm_bindgen::JsCast;

use super::state::{Editor, LinkItem, Viewport, NODE_HALF_H, NODE_HALF_W};
use crate::model::{link_refusal, Command, Link, NodeId, NodeKind};

/// What the pointer is doing.
#[derive(Clone, Debug, Default)]
pub enum Interaction {
    /// Nothing.
    #[default]
    Idle,
    /// Moving the selected nodes.
    Drag {
        /// Pointer position at the start (world).
        start: (f64, f64),
        /// Each moved node and where it started.
        origins: Vec<(NodeId, (f64, f64))>,
        /// The node under the pointer at the start.
        grabbed: NodeId,
        /// Whether the pointer moved far enough to count as a drag.
        moved: bool,
        /// Shift was held (toggle selection on a click).
        shift: bool,
    },
    /// Panning the view.
    Pan {
        /// Pointer position at the start (client pixels).
        start: (f64, f64),
        /// Viewport at the start.
        view: Viewport,
    },
    /// Drawing a link from a node's handle.
    Connect {
        /// Where the link starts.
        from: NodeId,
    },
    /// Selecting the nodes inside a rectangle (shift+drag on the background).
    Band {
        /// Where the drag started (world).
        start: (f64, f64),
    },
    /// Two fingers zooming and panning the view.
    Pinch {
        /// Distance between the fingers at the start (client pixels).
        dist: f64,
        /// Midpoint between the fingers at the start (canvas pixels).
        mid: (f64, f64),
        /// Viewport at the start.
        view: Viewport,
    },
    /// Dragging a palette item.
    Palette {
        /// Kind to add.
        kind: NodeKind,
        /// Pointer position at the start (client pixels).
        start: (f64, f64),
        /// Moved far enough to be a drag.
        moved: bool,
    },
}

/// Up to this many links, every link shows its ports; above, only the selected nodes' links.
pub const LABELLED_LINKS: usize = 200;

/// A point in world coordinates.
pub type WorldPoint = (f64, f64);

/// Pointer state shared by the canvas and the palette.
#[derive(Clone, Copy)]
pub struct Pointer {
    /// The current interaction.
    pub interaction: StoredValue<Interaction>,
    /// The rubber line while connecting: (from, to) in world coordinates.
    pub ghost: RwSignal<Option<(WorldPoint, WorldPoint)>>,
    /// The space bar is held: dragging anywhere pans.
    pub space: StoredValue<bool>,
    /// Touch points on the window (pointer id and client position), for pinch zoom.
    touches: StoredValue<Vec<(i32, (f64, f64))>>,
    /// The selection rectangle while band-selecting (world corners).
    pub band: RwSignal<Option<(WorldPoint, WorldPoint)>>,
    /// The palette drag ghost: kind and client position.
    pub palette_ghost: RwSignal<Option<(NodeKind, (f64, f64))>>,
    /// The canvas element.
    pub svg: NodeRef<Svg>,
    /// The canvas's box, kept while an interaction lasts: reading it on every move would
    /// force a layout of the whole scene each time.
    rect: StoredValue<Option<(f64, f64, f64, f64)>>,
}

impl Pointer {
    /// A fresh pointer state.
    pub fn new() -> Pointer {
        Pointer {
            interaction: StoredValue::new(Interaction::Idle),
            ghost: RwSignal::new(None),
            band: RwSignal::new(None),
            touches: StoredValue::new(Vec::new()),
            space: StoredValue::new(false),
            palette_ghost: RwSignal::new(None),
            svg: NodeRef::new(),
            rect: StoredValue::new(None),
        }
    }

    /// True while two fingers pinch: other pointer-downs are then ignored.
    pub fn pinching(&self) -> bool {
        self.interaction.with_value(|i| matches!(i, Interaction::Pinch { .. }))
    }

    /// Starts an interaction (and keeps the canvas box until it ends).
    pub fn begin(&self, interaction: Interaction) {
        self.rect.set_value(None);
        let rect = self.canvas_rect();
        self.rect.set_value(rect);
        self.interaction.set_value(interaction);
    }

    /// The canvas's bounding box in client pixels: (left, top, width, height).
    pub fn canvas_rect(&self) -> Option<(f64, f64, f64, f64)> {
        if let Some(r) = self.rect.get_value() {
            return Some(r);
        }
        let el: web_sys::Element = self.svg.get_untracked()?.unchecked_into();
        let r = el.get_bounding_client_rect();
        Some((r.left(), r.top(), r.width(), r.height()))
    }

    /// The one place that turns a client-pixel pointer position into world coordinates.
    pub fn world_from_client(&self, editor: &Editor, client: (f64, f64)) -> (f64, f64) {
        let (left, top, _, _) = self.canvas_rect().unwrap_or_default();
        editor.view.get_untracked().world_from_screen((client.0 - left, client.1 - top))
    }

    /// True when a client position is over the canvas.
    pub fn over_canvas(&self, client: (f64, f64)) -> bool {
        self.canvas_rect()
            .is_some_and(|(l, t, w, h)| client.0 >= l && client.0 <= l + w && client.1 >= t && client.1 <= t + h)
    }
}

impl Default for Pointer {
    fn default() -> Self {
        Pointer::new()
    }
}

fn client_of(ev: &web_sys::MouseEvent) -> (f64, f64) {
    (f64::from(ev.client_x()), f64::from(ev.client_y()))
}

/// The node whose box contains a world point (the topmost one), other than `except`.
fn node_at(editor: &Editor, (x, y): (f64, f64), except: Option<&NodeId>) -> Option<NodeId> {
    editor.design.with_value(|d| {
        d.nodes
            .iter()
            .rev()
            .filter(|n| Some(&n.id) != except)
            .find(|n| (n.x - x).abs() <= NODE_HALF_W && (n.y - y).abs() <= NODE_HALF_H)
            .map(|n| n.id.clone())
    })
}

/// Adds a node of a kind at a world position (snapped), selects it, as one undo step.
pub fn add_node_at(editor: &Editor, kind: NodeKind, at: (f64, f64)) {
    let (x, y) = editor.snapped(at);
    let (node, index) = editor.design.with_value(|d| (d.new_node(kind, x, y), d.nodes.len()));
    let id = node.id.clone();
    editor.execute(Command::AddNode { node, index });
    editor.select(vec![id]);
}

/// Adds a node in the middle of the visible canvas, nudged off any node already there.
pub fn add_node_in_view(editor: &Editor, pointer: &Pointer, kind: NodeKind) {
    let (_, _, w, h) = pointer.canvas_rect().unwrap_or((0.0, 0.0, 800.0, 600.0));
    let (mut x, mut y) = editor.view.get_untracked().world_from_screen((w / 2.0, h / 2.0));
    for _ in 0..50 {
        if node_at(editor, (x, y), None).is_none() {
            break;
        }
        x += 30.0;
        y += 30.0;
    }
    add_node_at(editor, kind, (x, y));
}

/// Fits the view around every node.
pub fn fit_view(editor: &Editor, pointer: &Pointer) {
    let Some((_, _, w, h)) = pointer.canvas_rect() else { return };
    let bounds = editor.design.with_value(|d| {
        d.nodes.iter().fold(None, |acc: Option<(f64, f64, f64, f64)>, n| {
            let (x0, y0, x1, y1) = (n.x - NODE_HALF_W, n.y - NODE_HALF_H, n.x + NODE_HALF_W, n.y + NODE_HALF_H);
            Some(match acc {
                None => (x0, y0, x1, y1),
                Some((a, b, c, e)) => (a.min(x0), b.min(y0), c.max(x1), e.max(y1)),
            })
        })
    });
    let Some((x0, y0, x1, y1)) = bounds else {
        editor.view.set(Viewport::default());
        return;
    };
    let pad = 40.0;
    let scale = ((w - 2.0 * pad) / (x1 - x0).max(1.0)).min((h - 2.0 * pad) / (y1 - y0).max(1.0)).clamp(0.1, 1.2);
    let tx = (w - (x1 - x0) * scale) / 2.0 - x0 * scale;
    let ty = (h - (y1 - y0) * scale) / 2.0 - y0 * scale;
    editor.view.set(Viewport { tx, ty, scale });
}

/// Pans the view so that the given nodes are in sight (centred on them when any is outside).
pub fn reveal(editor: &Editor, pointer: &Pointer, ids: &[NodeId]) {
    let Some((_, _, w, h)) = pointer.canvas_rect() else { return };
    let pos: Vec<(f64, f64)> = ids.iter().filter_map(|id| editor.node(id)).map(|s| s.pos.get_untracked()).collect();
    if pos.is_empty() {
        return;
    }
    let v = editor.view.get_untracked();
    let visible = pos.iter().all(|&(x, y)| {
        let (sx, sy) = (x * v.scale + v.tx, y * v.scale + v.ty);
        sx - NODE_HALF_W * v.scale >= 0.0
            && sy - NODE_HALF_H * v.scale >= 0.0
            && sx + NODE_HALF_W * v.scale <= w
            && sy + NODE_HALF_H * v.scale <= h
    });
    if visible {
        return;
    }
    let n = pos.len() as f64;
    let (cx, cy) = (pos.iter().map(|p| p.0).sum::<f64>() / n, pos.iter().map(|p| p.1).sum::<f64>() / n);
    editor.view.set(Viewport { tx: w / 2.0 - cx * v.scale, ty: h / 2.0 - cy * v.scale, scale: v.scale });
}

fn touch_geometry(touches: &[(i32, (f64, f64))]) -> Option<(f64, (f64, f64))> {
    let [(_, a), (_, b), ..] = touches else { return None };
    Some(((a.0 - b.0).hypot(a.1 - b.1).max(1.0), ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)))
}

/// A finger touching the canvas: the second one turns whatever the first was doing into a
/// pinch (a node drag in progress is put back where it started).
pub fn on_pointer_down(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    if ev.pointer_type() != "touch" {
        return;
    }
    let client = client_of(ev);
    pointer.touches.update_value(|t| {
        t.retain(|(id, _)| *id != ev.pointer_id());
        t.push((ev.pointer_id(), client));
    });
    let touches = pointer.touches.get_value();
    if touches.len() != 2 || !pointer.over_canvas(client) {
        return;
    }
    if let Interaction::Drag { origins, .. } = pointer.interaction.get_value() {
        for (id, at) in origins {
            if let Some(s) = editor.node(&id) {
                s.pos.set(at);
            }
        }
    }
    pointer.ghost.set(None);
    pointer.band.set(None);
    if let Some((dist, (mx, my))) = touch_geometry(&touches) {
        let (left, top, _, _) = pointer.canvas_rect().unwrap_or_default();
        pointer.begin(Interaction::Pinch { dist, mid: (mx - left, my - top), view: editor.view.get_untracked() });
    }
}

/// Pointer movement anywhere in the window, for every interaction.
pub fn on_pointer_move(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    let client = client_of(ev);
    if ev.pointer_type() == "touch" {
        pointer.touches.update_value(|t| {
            if let Some(p) = t.iter_mut().find(|(id, _)| *id == ev.pointer_id()) {
                p.1 = client;
            }
        });
    }
    let mut interaction = pointer.interaction.get_value();
    match &mut interaction {
        Interaction::Idle => return,
        Interaction::Pinch { dist, mid, view } => {
            let Some((d, (mx, my))) = touch_geometry(&pointer.touches.get_value()) else { return };
            let (left, top, _, _) = pointer.canvas_rect().unwrap_or_default();
            let zoomed = view.zoomed(d / *dist, *mid);
            let (dx, dy) = (mx - left - mid.0, my - top - mid.1);
            editor.view.set(Viewport { tx: zoomed.tx + dx, ty: zoomed.ty + dy, scale: zoomed.scale });
            return;
        }
        Interaction::Drag { start, origins, moved, .. } => {
            let (wx, wy) = pointer.world_from_client(editor, client);
            let (dx, dy) = (wx - start.0, wy - start.1);
            let scale = editor.view.get_untracked().scale;
            if !*moved && (dx * scale).hypot(dy * scale) < 3.0 {
                return;
            }
            *moved = true;
            for (id, (ox, oy)) in origins.iter() {
                if let Some(s) = editor.node(id) {
                    s.pos.set(editor.snapped((ox + dx, oy + dy)));
                }
            }
        }
        Interaction::Pan { start, view } => {
            editor.view.set(Viewport {
                tx: view.tx + client.0 - start.0,
                ty: view.ty + client.1 - start.1,
                scale: view.scale,
            });
            return;
        }
        Interaction::Connect { from } => {
            let to = pointer.world_from_client(editor, client);
            if let Some(s) = editor.node(from) {
                pointer.ghost.set(Some((s.pos.get_untracked(), to)));
            }
            return;
        }
        Interaction::Band { start } => {
            pointer.band.set(Some((*start, pointer.world_from_client(editor, client))));
            return;
        }
        Interaction::Palette { kind, start, moved } => {
            if !*moved && (client.0 - start.0).hypot(client.1 - start.1) < 4.0 {
                return;
            }
            *moved = true;
            pointer.palette_ghost.set(Some((*kind, client)));
        }
    }
    pointer.interaction.set_value(interaction);
}

/// Pointer release anywhere in the window: the interaction's command lands here.
pub fn on_pointer_up(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    let client = client_of(ev);
    pointer.touches.update_value(|t| t.retain(|(id, _)| *id != ev.pointer_id()));
    let interaction = pointer.interaction.get_value();
    if matches!(interaction, Interaction::Pinch { .. }) && !pointer.touches.with_value(Vec::is_empty) {
        // The pinch ends when the last finger lifts.
        return;
    }
    pointer.interaction.set_value(Interaction::Idle);
    pointer.rect.set_value(None);
    match interaction {
        Interaction::Idle | Interaction::Pan { .. } | Interaction::Pinch { .. } => {}
        Interaction::Drag { origins, grabbed, moved, shift, .. } => {
            if moved {
                let moves: Vec<Command> = origins
                    .iter()
                    .filter_map(|(id, _)| {
                        let (x, y) = editor.node(id)?.pos.get_untracked();
                        Some(Command::MoveNode { id: id.clone(), x, y })
                    })
                    .collect();
                editor.execute(Command::Batch(moves));
            } else if !shift {
                editor.select(vec![grabbed]);
            }
        }
        Interaction::Connect { from } => {
            pointer.ghost.set(None);
            let at = pointer.world_from_client(editor, client);
            if let Some(to) = node_at(editor, at, Some(&from)) {
                connect(editor, &from, &to);
            } else if node_at(editor, at, None).as_ref() == Some(&from) {
                // Released on its own node: a self-link is refused like any other.
                connect(editor, &from, &from);
            }
        }
        Interaction::Band { start } => {
            pointer.band.set(None);
            let end = pointer.world_from_client(editor, client);
            let (x0, x1) = (start.0.min(end.0), start.0.max(end.0));
            let (y0, y1) = (start.1.min(end.1), start.1.max(end.1));
            let mut sel = editor.selected.get_untracked();
            editor.design.with_value(|d| {
                for n in &d.nodes {
                    if n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1 && !sel.contains(&n.id) {
                        sel.push(n.id.clone());
                    }
                }
            });
            editor.select(sel);
        }
        Interaction::Palette { kind, moved, .. } => {
            pointer.palette_ghost.set(None);
            if moved && pointer.over_canvas(client) {
                let at = pointer.world_from_client(editor, client);
                add_node_at(editor, kind, at);
            }
        }
    }
}

/// Links two nodes, or says why not.
pub fn connect(editor: &Editor, from: &NodeId, to: &NodeId) {
    let refusal = editor.design.with_value(|d| link_refusal(d, from, to));
    match refusal {
        Some(reason) => editor.alert(format!("Link refused: {reason}.")),
        None => {
            let index = editor.design.with_value(|d| d.links.len());
            editor.execute(Command::AddLink { link: Link::new(from.clone(), to.clone()), index });
            editor.message.set(None);
        }
    }
}

pub use crate::export::diagram::{border as border_point, glyph, short};

#[component]
fn NodeView(editor: Editor, pointer: Pointer, id: NodeId) -> impl IntoView {
    let Some(s) = editor.node(&id) else { return ().into_any() };
    let kind = s.kind;
    let id_down = id.clone();
    let on_down = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 || pointer.pinching() {
            return;
        }
        ev.stop_propagation();
        if pointer.space.get_value() {
            pointer.begin(Interaction::Pan { start: client_of(&ev), view: editor.view.get_untracked() });
            return;
        }
        let shift = ev.shift_key() || ev.meta_key() || ev.ctrl_key();
        let mut sel = editor.selected.get_untracked();
        if shift {
            if let Some(i) = sel.iter().position(|x| x == &id_down) {
                sel.remove(i);
            } else {
                sel.push(id_down.clone());
            }
            editor.select(sel.clone());
        } else if !sel.contains(&id_down) {
            sel = vec![id_down.clone()];
            editor.select(sel.clone());
        }
        let origins = sel.iter().filter_map(|i| Some((i.clone(), editor.node(i)?.pos.get_untracked()))).collect();
        let start = pointer.world_from_client(&editor, client_of(&ev));
        pointer.begin(Interaction::Drag { start, origins, grabbed: id_down.clone(), moved: false, shift });
    };
    let id_handle = id.clone();
    let on_handle = move |ev: web_sys::PointerEvent| {
        if ev.button() != 0 || pointer.pinching() {
            return;
        }
        ev.stop_propagation();
        pointer.begin(Interaction::Connect { from: id_handle.clone() });
    };
    let id_key = id.clone();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            editor.select(vec![id_key.clone()]);
        }
    };
    let aria = move || format!("{} {}", kind.title(), s.label.get());
    view! {
        <g
            class=format!("node kind-{}", kind.as_str())
            class:selected=move || s.selected.get()
            data-node-id=id.to_string()
            data-kind=kind.as_str()
            aria-selected=move || if s.selected.get() { "true" } else { "false" }
            role="button"
            tabindex="0"
            aria-label=aria
            transform=move || {
                let (x, y) = s.pos.get();
                format!("translate({x},{y})")
            }
            on:pointerdown=on_down
            on:keydown=on_key
        >
            <title>{move || s.label.get()}</title>
            <rect class="node-box" x=-NODE_HALF_W y=-NODE_HALF_H width=2.0 * NODE_HALF_W height=2.0 * NODE_HALF_H rx="8"></rect>
            <circle class="node-icon" cx="-60" cy="0" r="17"></circle>
            <text class="node-glyph" x="-60" y="4" text-anchor="middle">{glyph(kind)}</text>
            <text class="node-label" x="-36" y="-3">{move || short(&s.label.get())}</text>
            <text class="node-kind" x="-36" y="14">{id.to_string()}</text>
            {move || {
                let (errors, warnings) = s.badge.get();
                (errors + warnings > 0).then(|| {
                    let (class, count, what) =
                        if errors > 0 { ("badge error", errors, "error") } else { ("badge warning", warnings, "warning") };
                    view! {
                        <g class=class data-testid="badge" data-errors=errors data-warnings=warnings>
                            <title>{format!("{errors} error(s), {warnings} warning(s)")}</title>
                            <circle cx=NODE_HALF_W - 10.0 cy=-NODE_HALF_H r="10"></circle>
                            <text x=NODE_HALF_W - 10.0 y=-NODE_HALF_H + 4.0 text-anchor="middle" aria-label=format!("{count} {what}s")>{count}</text>
                        </g>
                    }
                })
            }}
            <circle class="handle" data-testid="handle" cx=NODE_HALF_W cy="0" r="7" on:pointerdown=on_handle>
                <title>"Drag to another node to connect"</title>
            </circle>
        </g>
    }
    .into_any()
}

#[component]
fn LinkView(editor: Editor, item: LinkItem) -> impl IntoView {
    let (Some(a), Some(b)) = (editor.node(&item.from), editor.node(&item.to)) else { return ().into_any() };
    let ends = move || {
        let (pa, pb) = (a.pos.get(), b.pos.get());
        (border_point(pa, pb), border_point(pb, pa))
    };
    let self_loop = item.from == item.to;
    let path = move || {
        let ((x1, y1), (x2, y2)) = ends();
        if self_loop {
            let (x, y) = a.pos.get();
            format!("M{} {} c 40 -70 100 -70 60 0", x + NODE_HALF_W - 20.0, y - NODE_HALF_H)
        } else {
            format!("M{x1} {y1} L{x2} {y2}")
        }
    };
    let index = item.index;
    let selected = move || editor.selected_link.get() == Some(index);
    let on_down = move |ev: web_sys::PointerEvent| {
        ev.stop_propagation();
        editor.select(Vec::new());
        editor.selected_link.set(Some(index));
    };
    view! {
        <g class="link" class:selected=selected data-link=format!("{}~{}", item.from, item.to) on:pointerdown=on_down>
            <path class="link-hit" d=path></path>
            <path class="link-line" d=path></path>
        </g>
    }
    .into_any()
}

/// The ports a link carries, at its middle.
#[component]
fn LinkLabel(editor: Editor, item: LinkItem) -> impl IntoView {
    let (Some(a), Some(b)) = (editor.node(&item.from), editor.node(&item.to)) else { return ().into_any() };
    let index = item.index;
    let label = move || editor.link_labels.with(|v| v.get(index).cloned().unwrap_or_default());
    let mid = move || {
        let (pa, pb) = (a.pos.get(), b.pos.get());
        let ((x1, y1), (x2, y2)) = (border_point(pa, pb), border_point(pb, pa));
        ((x1 + x2) / 2.0, (y1 + y2) / 2.0 - 4.0)
    };
    let key = format!("{}~{}", item.from, item.to);
    view! { <text class="link-label" data-link-label=key x=move || mid().0 y=move || mid().1 text-anchor="middle">{label}</text> }.into_any()
}

/// The port labels: on every link of a small design; on a large one only on the links of the
/// selected nodes (thousands of labels would slow every frame for little use).
#[component]
fn LinkLabels(editor: Editor) -> impl IntoView {
    let shown = move || {
        let selected = editor.selected.get();
        editor.links.with(|links| {
            let all = links.len() <= LABELLED_LINKS;
            links
                .iter()
                .filter(|l| l.from != l.to && (all || selected.contains(&l.from) || selected.contains(&l.to)))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <g class="link-labels">
            <For each=shown key=|l| (l.index, l.from.clone(), l.to.clone()) children=move |item| view! { <LinkLabel editor=editor item=item /> } />
        </g>
    }
}

/// The frame around the Key Manager nodes, labelled with the cluster domain.
#[component]
fn ClusterFrame(editor: Editor) -> impl IntoView {
    let frame = Memo::new(move |_| {
        editor.rev.track();
        let kms: Vec<NodeId> = editor
            .design
            .with_value(|d| d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager).map(|n| n.id.clone()).collect());
        let mut b: Option<(f64, f64, f64, f64)> = None;
        for id in &kms {
            let Some(s) = editor.node(id) else { continue };
            let (x, y) = s.pos.get();
            b = Some(match b {
                None => (x, y, x, y),
                Some((a, c, e, f)) => (a.min(x), c.min(y), e.max(x), f.max(y)),
            });
        }
        b.map(|(x0, y0, x1, y1)| {
            (x0 - NODE_HALF_W - 16.0, y0 - NODE_HALF_H - 30.0, x1 + NODE_HALF_W + 16.0, y1 + NODE_HALF_H + 16.0)
        })
    });
    let domain = move || {
        editor.rev.track();
        editor.design.with_value(|d| format!("cluster {}", d.cluster.domain))
    };
    move || {
        frame.get().map(|(x0, y0, x1, y1)| {
            view! {
                <g class="cluster-frame" data-testid="cluster">
                    <rect x=x0 y=y0 width=x1 - x0 height=y1 - y0 rx="14"></rect>
                    <text x=x0 + 12.0 y=y0 + 18.0>{domain}</text>
                </g>
            }
        })
    }
}

/// The canvas with its zoom controls.
#[component]
pub fn Canvas(editor: Editor, pointer: Pointer) -> impl IntoView {
    let on_bg_down = move |ev: web_sys::PointerEvent| {
        if (ev.button() != 0 && ev.button() != 1) || pointer.pinching() {
            return;
        }
        if ev.shift_key() {
            let start = pointer.world_from_client(&editor, client_of(&ev));
            pointer.begin(Interaction::Band { start });
            return;
        }
        if !(ev.ctrl_key() || ev.meta_key()) {
            editor.select(Vec::new());
            editor.selected_link.set(None);
        }
        pointer.begin(Interaction::Pan { start: client_of(&ev), view: editor.view.get_untracked() });
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let Some((l, t, _, _)) = pointer.canvas_rect() else { return };
        let factor = (-ev.delta_y() * 0.0015).exp().clamp(0.5, 2.0);
        let at = (f64::from(ev.client_x()) - l, f64::from(ev.client_y()) - t);
        editor.view.update(|v| *v = v.zoomed(factor, at));
    };
    let zoom = move |factor: f64| {
        let (_, _, w, h) = pointer.canvas_rect().unwrap_or((0.0, 0.0, 800.0, 600.0));
        editor.view.update(|v| *v = v.zoomed(factor, (w / 2.0, h / 2.0)));
    };
    let transform = move || {
        let v = editor.view.get();
        format!("translate({},{}) scale({})", v.tx, v.ty, v.scale)
    };
    let ghost = move || {
        pointer.ghost.get().map(|((x1, y1), (x2, y2))| {
            view! { <line class="ghost-link" x1=x1 y1=y1 x2=x2 y2=y2></line> }
        })
    };
    let grid = move || {
        let v = editor.view.get();
        let size = 20.0 * v.scale;
        (size, v.tx.rem_euclid(size), v.ty.rem_euclid(size))
    };
    view! {
        <div class="canvas-wrap">
            <svg
                node_ref=pointer.svg
                data-testid="canvas"
                class="canvas"
                role="application"
                aria-label="Deployment canvas: drag nodes to move them, drag a node's handle to another node to connect them"
                on:pointerdown=on_bg_down
                on:wheel=on_wheel
            >
                <defs>
                    <pattern
                        id="grid"
                        patternUnits="userSpaceOnUse"
                        width=move || grid().0
                        height=move || grid().0
                        x=move || grid().1
                        y=move || grid().2
                    >
                        <circle cx="1" cy="1" r="1" class="grid-dot"></circle>
                    </pattern>
                </defs>
                <rect class="canvas-bg" width="100%" height="100%" fill="url(#grid)"></rect>
                <g class="scene" transform=transform>
                    <ClusterFrame editor=editor />
                    <g class="links">
                        <For
                            each=move || editor.links.get()
                            key=|l| (l.index, l.from.clone(), l.to.clone())
                            children=move |item| view! { <LinkView editor=editor item=item /> }
                        />
                    </g>
                    <LinkLabels editor=editor />
                    {ghost}
                    {move || pointer.band.get().map(|((x1, y1), (x2, y2))| view! {
                        <rect class="band" x=x1.min(x2) y=y1.min(y2) width=(x2 - x1).abs() height=(y2 - y1).abs()></rect>
                    })}
                    <g class="nodes">
                        <For
                            each=move || editor.node_ids.get()
                            key=|(id, kind)| (id.clone(), *kind)
                            children=move |(id, _)| view! { <NodeView editor=editor pointer=pointer id=id /> }
                        />
                    </g>
                </g>
            </svg>
            <div class="zoom-controls" role="group" aria-label="Zoom">
                <button data-action="zoom-in" title="Zoom in" aria-label="Zoom in" on:click=move |_| zoom(1.25)>"+"</button>
                <button data-action="zoom-out" title="Zoom out" aria-label="Zoom out" on:click=move |_| zoom(0.8)>"−"</button>
                <button data-action="fit" title="Fit to view" aria-label="Fit to view" on:click=move |_| fit_view(&editor, &pointer)>"⤢"</button>
            </div>
        </div>
    }
}
