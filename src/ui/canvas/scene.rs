//! The scene: the canvas with its two SVG layers, drawn by the painter (`paint`), and the one
//! dispatcher that turns pointer events into the interaction machine's input (`tool`) and its
//! output into what the painter shows and into commands. The drawn elements are only tagged
//! (`data-node-id`, `data-handle`, `data-link`); while a gesture is under way only the moving
//! nodes are redrawn, and its command lands when the pointer is released.

use crate::model::number::Num as N;
use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::camera::{self, Point, Viewport};
use super::marks;
use super::overlay::{Hint, Overlay};
use super::paint::{self, Groups, Painter};
use super::tool::{Commit, Key, LinkKey, Motion, Output, Press, Preview, Scene, Target, Tool};
use crate::model::{link_refusal, Command, Link, NodeId, NodeKind};
use crate::ui::state::{Editor, NODE_HALF_H, NODE_HALF_W};

/// The pointer side of the canvas: the interaction machine, what it previews, the canvas
/// element and its box (read once per gesture: reading it on every move would force a layout
/// of the whole scene each time).
#[derive(Clone, Copy)]
pub struct Pointer {
    tool: StoredValue<Tool>,
    /// What the overlay shows: the machine's preview after the last transition.
    pub preview: RwSignal<Preview>,
    /// The canvas element (the container of the layers).
    pub el: NodeRef<leptos::html::Div>,
    rect: StoredValue<Option<(f64, f64, f64, f64)>>,
    /// What draws the scene into the static and the live layer.
    pub painter: StoredValue<Painter, LocalStorage>,
    /// The gesture under way, for the canvas's `data-gesture` (cursor, hit testing): empty
    /// when idle; `pan` while the layers move and the scene waits.
    pub gesture: RwSignal<&'static str>,
    /// False until the canvas has a size and the first view is fitted to it: the scene is drawn
    /// once, at the zoom it opens with, rather than at the default zoom and again.
    pub ready: RwSignal<bool>,
    /// True from the frame after the scene was first drawn: what is below the canvas (the
    /// findings list) is drawn then, so that the canvas shows first.
    pub settled: RwSignal<bool>,
    /// True once links are routed around the boxes: from the start for a small design, from
    /// the frame after the first one for a large design (its first frame draws them straight).
    pub routing: RwSignal<bool>,
    /// The search box (`/` and Ctrl/Cmd+K focus it).
    pub search: NodeRef<leptos::html::Input>,
    /// The canvas's size as last read (at a fit and when the window is resized): what views
    /// that follow the view read, rather than asking the page for its layout every time.
    pub size: RwSignal<Option<Point>>,
}

impl Pointer {
    /// A fresh pointer state.
    pub fn new() -> Pointer {
        Pointer {
            tool: StoredValue::new(Tool::new()),
            preview: RwSignal::new(Preview::default()),
            el: NodeRef::new(),
            rect: StoredValue::new(None),
            painter: StoredValue::new_local(Painter::default()),
            gesture: RwSignal::new(""),
            ready: RwSignal::new(false),
            settled: RwSignal::new(false),
            routing: RwSignal::new(false),
            search: NodeRef::new(),
            size: RwSignal::new(None),
        }
    }

    /// True while no gesture is under way.
    pub fn idle(&self) -> bool {
        self.tool.with_value(Tool::idle)
    }

    /// The canvas's bounding box in client pixels: (left, top, width, height).
    pub fn canvas_rect(&self) -> Option<(f64, f64, f64, f64)> {
        if let Some(r) = self.rect.get_value() {
            return Some(r);
        }
        let el: web_sys::Element = self.el.get_untracked()?.unchecked_into();
        let r = el.get_bounding_client_rect();
        Some((r.left(), r.top(), r.width(), r.height()))
    }

    /// Reads the canvas's box anew and keeps it for the gesture that starts.
    fn refresh_rect(&self) {
        self.rect.set_value(None);
        self.rect.set_value(self.canvas_rect());
    }

    /// The canvas's size in pixels.
    pub fn canvas_size(&self) -> Option<Point> {
        self.canvas_rect().map(|(_, _, w, h)| (w, h))
    }

    /// The one place that turns a client-pixel position into canvas pixels and world units.
    fn locate(&self, editor: &Editor, client: Point) -> (Point, Point) {
        let (left, top, _, _) = self.canvas_rect().unwrap_or_default();
        let screen = (client.0 - left, client.1 - top);
        (screen, editor.view.get_untracked().world_from_screen(screen))
    }

    /// True when a client position is over the canvas.
    pub fn over_canvas(&self, client: Point) -> bool {
        self.canvas_rect()
            .is_some_and(|(l, t, w, h)| client.0 >= l && client.0 <= l + w && client.1 >= t && client.1 <= t + h)
    }
}

impl Default for Pointer {
    fn default() -> Self {
        Pointer::new()
    }
}

/// The design as the machine sees it.
struct View<'a>(&'a Editor);

impl Scene for View<'_> {
    fn selection(&self) -> Vec<NodeId> {
        self.0.selected.get_untracked()
    }
    fn position(&self, id: &NodeId) -> Option<Point> {
        self.0.design.with_value(|d| d.node(id).map(|n| (n.x, n.y)))
    }
    fn node_at(&self, at: Point, except: Option<&NodeId>) -> Option<NodeId> {
        node_at(self.0, at, except)
    }
    fn nodes_in(&self, a: Point, b: Point) -> Vec<NodeId> {
        let (x0, x1, y0, y1) = (a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1));
        self.0.design.with_value(|d| {
            d.nodes.iter().filter(|n| n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1).map(|n| n.id.clone()).collect()
        })
    }
    fn anchors(&self, excluded: &[NodeId]) -> Vec<Point> {
        self.0.design.with_value(|d| d.nodes.iter().filter(|n| !excluded.contains(&n.id)).map(|n| (n.x, n.y)).collect())
    }
    fn view(&self) -> Viewport {
        self.0.view.get_untracked()
    }
    fn snap(&self, at: Point) -> Point {
        self.0.snapped(at)
    }
}

/// Runs one transition of the machine and does what it says.
fn feed(editor: &Editor, pointer: &Pointer, step: impl FnOnce(&mut Tool, &View) -> Output) {
    let view = View(editor);
    let mut out = Output::default();
    pointer.tool.update_value(|t| out = step(t, &view));
    if !out.positions.is_empty() {
        pointer.painter.update_value(|p| p.move_nodes(&out.positions));
    }
    if let Some(sel) = out.select {
        editor.select(sel);
    }
    if let Some(link) = out.select_link {
        editor.selected_link.set(link);
    }
    if let Some(v) = out.view {
        editor.view.set(v);
    }
    let preview = pointer.tool.with_value(Tool::preview);
    if pointer.preview.with_untracked(|p| p != &preview) {
        pointer.preview.set(preview);
    }
    if pointer.idle() {
        pointer.rect.set_value(None);
    }
    // The moving nodes go to the live layer (at the press already: the selection it makes then
    // repaints the live layer), and back before their command lands.
    let gesture = pointer.tool.with_value(|t| {
        editor.design.with_value(|d| pointer.painter.update_value(|p| p.lift(t.moving(), d)));
        t.gesture()
    });
    if pointer.gesture.get_untracked() != gesture {
        pointer.gesture.set(gesture);
    }
    match out.commit {
        None => {}
        Some(Commit::Move(moves)) => {
            // Dropped into a zone's frame, or out of every frame: the zone changes in the same
            // step as the move.
            let zones = editor.design.with_value(|d| crate::model::zones::dropped(d, &moves));
            let mut batch: Vec<Command> =
                moves.into_iter().map(|(id, (x, y))| Command::MoveNode { id, x, y }).collect();
            batch.extend(zones);
            editor.execute(Command::Batch(batch))
        }
        Some(Commit::Connect(from, to)) => connect(editor, &from, &to),
        Some(Commit::Add(kind, at)) => add_node_at(editor, kind, at),
    }
}

fn client_of(ev: &web_sys::MouseEvent) -> Point {
    (f64::from(ev.client_x()), f64::from(ev.client_y()))
}

/// What a pointer went down on, from the tags the views put on their elements.
fn target_of(ev: &web_sys::Event) -> Target {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return Target::Background };
    let tagged = |sel: &str| el.closest(sel).ok().flatten();
    let id = |e: &web_sys::Element, attr: &str| e.get_attribute(attr).and_then(|v| NodeId::parse(&v));
    if let Some(h) = tagged("[data-handle]") {
        if let Some(n) = id(&h, "data-handle") {
            return Target::Handle(n);
        }
    }
    if let Some(n) = tagged("[data-node-id]").and_then(|e| id(&e, "data-node-id")) {
        return Target::Node(n);
    }
    if let Some(l) = tagged("[data-link]") {
        let ends = l.get_attribute("data-link").unwrap_or_default();
        let occurrence = l.get_attribute("data-occurrence").and_then(|o| o.parse().ok()).unwrap_or(0);
        if let Some((a, b)) = ends.split_once('~') {
            if let (Some(a), Some(b)) = (NodeId::parse(a), NodeId::parse(b)) {
                return Target::Link((a, b, occurrence));
            }
        }
    }
    Target::Background
}

fn press(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent, target: Target) -> Press {
    let (screen, world) = pointer.locate(editor, client_of(ev));
    Press {
        target,
        screen,
        world,
        button: ev.button(),
        shift: ev.shift_key(),
        ctrl: ev.ctrl_key() || ev.meta_key(),
        pointer: ev.pointer_id(),
        touch: ev.pointer_type() == "touch",
    }
}

fn motion(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) -> Motion {
    let client = client_of(ev);
    let (screen, world) = pointer.locate(editor, client);
    Motion { screen, world, pointer: ev.pointer_id(), over_canvas: pointer.over_canvas(client) }
}

/// Lets the focused form field store its text before a press changes what the inspector
/// shows (its `change` event runs now, while the field still exists).
fn blur_fields() {
    let focused = gloo_utils::document().active_element();
    if let Some(el) = focused.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        if matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
            let _ = el.blur();
        }
    }
}

/// The canvas's one pointer-down dispatcher.
fn on_canvas_down(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    blur_fields();
    if pointer.idle() {
        pointer.refresh_rect();
    }
    let p = press(editor, pointer, ev, target_of(ev));
    if matches!(p.target, Target::Background) && p.button == 1 {
        ev.prevent_default();
    }
    feed(editor, pointer, |t, v| t.down(v, &p));
}

/// A palette item pressed: the start of a drop.
pub fn on_palette_down(editor: &Editor, pointer: &Pointer, kind: NodeKind, ev: &web_sys::PointerEvent) {
    blur_fields();
    pointer.refresh_rect();
    let p = press(editor, pointer, ev, Target::Palette(kind));
    feed(editor, pointer, |t, v| t.down(v, &p));
}

/// Pointer movement anywhere in the window.
pub fn on_pointer_move(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    if pointer.idle() {
        return;
    }
    let m = motion(editor, pointer, ev);
    feed(editor, pointer, |t, v| t.moved(v, &m));
}

/// Pointer release anywhere in the window: the gesture's command lands here.
pub fn on_pointer_up(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    let m = motion(editor, pointer, ev);
    feed(editor, pointer, |t, v| t.up(v, &m));
}

/// The browser cancelled a pointer (a touch turned into a scroll, a lost capture): the
/// gesture is cancelled, never committed.
pub fn on_pointer_cancel(editor: &Editor, pointer: &Pointer, ev: &web_sys::PointerEvent) {
    let id = ev.pointer_id();
    feed(editor, pointer, |t, _| t.pointer_cancel(id));
}

/// A key for the machine (Escape cancels; Space held pans); true when it cancelled a gesture.
pub fn on_tool_key(editor: &Editor, pointer: &Pointer, key: Key) -> bool {
    let busy = !pointer.idle();
    feed(editor, pointer, |t, _| t.key(key));
    busy && key == Key::Escape
}

/// The node whose box contains a world point (the topmost one), other than `except`.
fn node_at(editor: &Editor, (x, y): Point, except: Option<&NodeId>) -> Option<NodeId> {
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
pub fn add_node_at(editor: &Editor, kind: NodeKind, at: Point) {
    let (x, y) = editor.snapped(at);
    let (node, index) = editor.design.with_value(|d| (d.new_node(kind, x, y), d.nodes.len()));
    let id = node.id.clone();
    editor.execute(Command::AddNode { node, index });
    editor.select(vec![id]);
}

/// Adds a node in the middle of the visible canvas, or the nearest free spot to it: never on
/// top of another node.
pub fn add_node_in_view(editor: &Editor, pointer: &Pointer, kind: NodeKind) {
    let (w, h) = pointer.canvas_size().unwrap_or((800.0, 600.0));
    let centre = editor.snapped(editor.view.get_untracked().world_from_screen((w / 2.0, h / 2.0)));
    let taken: Vec<Point> = editor.design.with_value(|d| d.nodes.iter().map(|n| (n.x, n.y)).collect());
    add_node_at(editor, kind, camera::free_spot(centre, &taken));
}

/// Fits the view around every node.
pub fn fit_view(editor: &Editor, pointer: &Pointer) {
    let Some(size) = pointer.canvas_size() else { return };
    if pointer.size.get_untracked() != Some(size) {
        pointer.size.set(Some(size));
    }
    let centres: Vec<Point> = editor.design.with_value(|d| d.nodes.iter().map(|n| (n.x, n.y)).collect());
    editor.view.set(camera::fit(&centres, size));
}

/// Pans the view so that the given nodes are in sight (centred on them when any is outside).
pub fn reveal(editor: &Editor, pointer: &Pointer, ids: &[NodeId]) {
    let Some(size) = pointer.canvas_size() else { return };
    let centres: Vec<Point> =
        editor.design.with_value(|d| ids.iter().filter_map(|id| d.node(id)).map(|n| (n.x, n.y)).collect());
    let view = camera::reveal(editor.view.get_untracked(), &centres, size);
    if view != editor.view.get_untracked() {
        editor.view.set(view);
    }
}

/// Links two nodes, or says why not.
pub fn connect(editor: &Editor, from: &NodeId, to: &NodeId) {
    let refusal = editor.design.with_value(|d| link_refusal(d, from, to));
    match refusal {
        Some(reason) => {
            editor.alert(format!("Link refused: {reason}."));
            editor.announce(format!("link {from} to {to} refused: {reason}"));
        }
        None => {
            let index = editor.design.with_value(|d| d.links.len());
            editor.execute(Command::AddLink { link: Link::new(from.clone(), to.clone()), index });
            editor.message.set(None);
        }
    }
}

pub use crate::export::diagram::{border as border_point, glyph, short};

/// Below this zoom a node's texts (13 px labels would be under 6 px), its connection handle and
/// the port labels are not drawn: the box, its icon, badge and tooltip still are, and the accessible name says
/// everything. Thousands of unreadable SVG texts made opening and zooming a large design slow.
pub const DETAIL_SCALE: f64 = 0.45;

/// From this zoom on, a node's second line shows its address and what it is instead of its id.
pub const FACTS_SCALE: f64 = 0.9;

/// Focuses a node's element (keyboard moves between nodes); false when it is not drawn.
pub fn focus_node(pointer: &Pointer, id: &NodeId) -> bool {
    let el = pointer.painter.with_value(|p| paint::node_element(p, id));
    el.is_some_and(|e| e.focus().is_ok())
}

/// Enter or Space on a focused node selects it.
fn on_canvas_key(editor: &Editor, ev: &web_sys::KeyboardEvent) {
    if ev.key() != "Enter" && ev.key() != " " {
        return;
    }
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(id) = el.get_attribute("data-node-id").and_then(|v| NodeId::parse(&v)) {
        ev.prevent_default();
        editor.select(vec![id]);
    }
}

/// The canvas with its zoom controls.
#[component]
pub fn Canvas(
    editor: Editor,
    pointer: Pointer,
    /// Compare mode's marks and ghosts (`ui::compare`), when it is on.
    compare: RwSignal<Option<crate::ui::compare::Compared>>,
) -> impl IntoView {
    let on_down = move |ev: web_sys::PointerEvent| on_canvas_down(&editor, &pointer, &ev);
    let on_wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let Some((l, t, _, _)) = pointer.canvas_rect() else { return };
        if !pointer.idle() {
            return;
        }
        let factor = (-ev.delta_y() * 0.0015).exp().clamp(0.5, 2.0);
        let at = (f64::from(ev.client_x()) - l, f64::from(ev.client_y()) - t);
        editor.view.update(|v| *v = v.zoomed(factor, at));
    };
    let zoom = move |factor: f64| {
        let (w, h) = pointer.canvas_size().unwrap_or((800.0, 600.0));
        editor.view.update(|v| *v = v.zoomed(factor, (w / 2.0, h / 2.0)));
    };
    // What the scene's own transform shows: the view, except while a pan or pinch is under way,
    // when it keeps the view of the gesture's start and the layers' CSS transform carries the
    // difference (compositing only); it catches up when the gesture ends.
    let painted = Memo::new(move |prev: Option<&Viewport>| {
        let v = editor.view.get();
        match prev {
            Some(p) if pointer.gesture.get() == "pan" => *p,
            _ => v,
        }
    });
    let transform = move || {
        let v = painted.get();
        format!("translate({},{}) scale({})", N(v.tx), N(v.ty), N(v.scale))
    };
    let layers_transform = move || {
        let (v, p) = (editor.view.get(), painted.get());
        if v == p {
            return "none".to_string();
        }
        let k = v.scale / p.scale;
        format!("translate({}px,{}px) scale({})", N(v.tx - k * p.tx), N(v.ty - k * p.ty), N(k))
    };
    let grid = move || {
        let v = editor.view.get();
        let size = 20.0 * v.scale;
        (format!("{0}px {0}px", N(size)), format!("{}px {}px", N(v.tx.rem_euclid(size)), N(v.ty.rem_euclid(size))))
    };
    let detail = Memo::new(move |_| {
        let scale = painted.get().scale;
        if scale >= FACTS_SCALE {
            marks::FACTS
        } else if scale >= DETAIL_SCALE {
            marks::LABELS
        } else {
            marks::NO_TEXT
        }
    });
    let refs: [NodeRef<leptos::svg::G>; 10] = std::array::from_fn(|_| NodeRef::new());
    let [zones, frame, links, labels, nodes, live_frame, live_links, live_labels, live_nodes, selected_labels] = refs;
    let groups = move || {
        let g = |r: NodeRef<leptos::svg::G>| r.get_untracked().map(|e| -> web_sys::Element { e.unchecked_into() });
        Some(Groups {
            zones: g(zones)?,
            frame: g(frame)?,
            links: g(links)?,
            labels: g(labels)?,
            nodes: g(nodes)?,
            live_frame: g(live_frame)?,
            live_links: g(live_links)?,
            live_labels: g(live_labels)?,
            live_nodes: g(live_nodes)?,
            selected_labels: g(selected_labels)?,
        })
    };
    // The painter follows the design (every command bumps `rev`), the selections and the level
    // of detail; it draws nothing until the first view is fitted.
    let painter = pointer.painter;
    Effect::new(move |_| {
        editor.rev.track();
        editor.report.track();
        let selected = editor.selected.get();
        let selected_link = editor.selected_link.get();
        let detail = detail.get();
        if !pointer.ready.get() {
            return;
        }
        let moving: Vec<NodeId> = pointer.tool.with_value(|t| t.moving().iter().map(|(id, _)| id.clone()).collect());
        // The port labels are worked out only when some are drawn (a readable zoom, and a small
        // design or a selection): a large design opens without the flow list.
        let few = editor.links.with_untracked(|l| l.len() <= paint::LABELLED_LINKS);
        let none = HashMap::new();
        // Compare mode's marks, borrowed while painting; a new comparison redraws what it marks.
        compare.track();
        let (no_marks, no_links) = (HashMap::new(), std::collections::HashSet::new());
        let wanted = detail > marks::NO_TEXT && (few || !selected.is_empty());
        let route = few || pointer.routing.get();
        let draw = |labels: &HashMap<LinkKey, String>| {
            painter.update_value(|p| {
                let first = !p.attached();
                if first {
                    match groups() {
                        Some(g) => p.attach(g),
                        None => return,
                    }
                }
                compare.with_untracked(|c| {
                    let (marks, added_links, compared) = match c {
                        Some(c) => (&c.marks, &c.added_links, c.generation),
                        None => (&no_marks, &no_links, 0),
                    };
                    editor.links.with_untracked(|links| {
                        editor.badges.with_value(|badges| {
                            editor.design.with_value(|design| {
                                p.paint(&paint::Input {
                                    design,
                                    links,
                                    selected: &selected,
                                    selected_link: selected_link.as_ref(),
                                    badges,
                                    marks,
                                    added_links,
                                    labels,
                                    detail,
                                    moving: &moving,
                                    route,
                                    rev: editor.rev.get_untracked(),
                                    checks: editor.checks.get_value(),
                                    compared,
                                })
                            })
                        })
                    })
                });
                if first {
                    crate::ui::browser::mark("obkm:drawn");
                }
            })
        };
        if wanted {
            editor.link_labels.with(draw);
        } else {
            draw(&none);
        }
    });
    view! {
        <div class="canvas-wrap">
            <div
                node_ref=pointer.el
                data-testid="canvas"
                class="canvas"
                role="application"
                aria-label="Deployment canvas: drag nodes to move them, drag a node's handle to another node to connect them"
                on:pointerdown=on_down
                on:wheel=on_wheel
                on:keydown=move |ev| on_canvas_key(&editor, &ev)
            >
                <div class="canvas-grid" aria-hidden="true" style:background-size=move || grid().0 style:background-position=move || grid().1></div>
                <div class="layers" style:transform=layers_transform>
                    <svg class="layer layer-static">
                        <g class="scene" transform=transform>
                            <g class="zones" node_ref=zones></g>
                            <g class="frames" node_ref=frame></g>
                            <g class="links" node_ref=links></g>
                            <g class="link-labels" node_ref=labels></g>
                            <g class="diff-ghosts" data-testid="diff-ghosts" inner_html=move || compare.with(|c| c.as_ref().map(|c| c.ghosts.clone()).unwrap_or_default())></g>
                            <g class="nodes" node_ref=nodes role="listbox" aria-multiselectable="true" aria-label="Nodes: Tab or Alt+arrow keys move between them, Enter selects, arrow keys move the selection"></g>
                        </g>
                    </svg>
                    <svg class="layer layer-live" data-gesture=move || pointer.gesture.get()>
                        <g class="live-scene" transform=transform>
                            <g class="live-frame" node_ref=live_frame></g>
                            <g class="live-links" node_ref=live_links></g>
                            <g class="live-labels" node_ref=live_labels></g>
                            <g class="link-labels" node_ref=selected_labels></g>
                            <g class="live-nodes" node_ref=live_nodes></g>
                            <Overlay preview=pointer.preview />
                        </g>
                    </svg>
                </div>
            </div>
            <Hint preview=pointer.preview />
            <super::search::Search editor=editor pointer=pointer input=pointer.search />
            <super::minimap::Minimap editor=editor pointer=pointer />
            <div class="zoom-controls" role="group" aria-label="Zoom">
                <button data-action="zoom-in" title="Zoom in" aria-label="Zoom in" on:click=move |_| zoom(1.25)>"+"</button>
                <button data-action="zoom-out" title="Zoom out" aria-label="Zoom out" on:click=move |_| zoom(0.8)>"−"</button>
                <button data-action="fit" title="Fit to view" aria-label="Fit to view" on:click=move |_| fit_view(&editor, &pointer)>"⤢"</button>
            </div>
        </div>
    }
}
