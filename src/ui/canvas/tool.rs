//! The canvas's interaction machine: every pointer and key gesture (pointing at a node,
//! translating the selection, connecting, brushing a selection box, panning, pinching,
//! dropping from the palette) as one state and its transitions. Each transition returns what
//! the canvas must do (live positions to show, a selection, a view, a preview overlay, or the
//! one command that commits the gesture). Cancel (Escape, `pointercancel`) from any state
//! restores exactly what was there before and commits nothing.
//!
//! Pure: no browser or UI types, so it is tested natively (`cargo test`).

use super::camera::{Point, Viewport, NODE_HALF_H, NODE_HALF_W};
use crate::model::{NodeId, NodeKind};

/// What identifies a link across edits: its ends and its occurrence among the links with the
/// same ends (deleting another link never changes it).
pub type LinkKey = (NodeId, NodeId, usize);

/// What a pointer went down on. Views only tag their elements; the canvas's one dispatcher
/// reads the tag and feeds the machine.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// The empty canvas.
    Background,
    /// A node's box.
    Node(NodeId),
    /// A node's connect handle.
    Handle(NodeId),
    /// A link.
    Link(LinkKey),
    /// A palette item (outside the canvas).
    Palette(NodeKind),
}

/// A pointer going down.
#[derive(Clone, Debug, PartialEq)]
pub struct Press {
    /// What it went down on.
    pub target: Target,
    /// Position in the canvas element's pixels.
    pub screen: Point,
    /// Position in world units.
    pub world: Point,
    /// 0 primary, 1 middle, 2 secondary.
    pub button: i16,
    /// Shift held.
    pub shift: bool,
    /// Ctrl or Cmd held.
    pub ctrl: bool,
    /// The pointer's id.
    pub pointer: i32,
    /// A finger rather than a mouse or pen.
    pub touch: bool,
}

/// A pointer moving or going up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Motion {
    /// Position in the canvas element's pixels.
    pub screen: Point,
    /// Position in world units.
    pub world: Point,
    /// The pointer's id.
    pub pointer: i32,
    /// Over the canvas.
    pub over_canvas: bool,
}

/// A key the machine handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Escape: cancel.
    Escape,
    /// Space pressed: dragging anywhere pans.
    SpaceDown,
    /// Space released.
    SpaceUp,
}

/// What the machine may ask of the scene.
pub trait Scene {
    /// The selected nodes.
    fn selection(&self) -> Vec<NodeId>;
    /// A node's position in the design.
    fn position(&self, id: &NodeId) -> Option<Point>;
    /// The topmost node whose box holds a world point, other than `except`.
    fn node_at(&self, at: Point, except: Option<&NodeId>) -> Option<NodeId>;
    /// The nodes whose centres lie in a world rectangle.
    fn nodes_in(&self, a: Point, b: Point) -> Vec<NodeId>;
    /// The centres of every node but `excluded` (what a dragged node may align with).
    fn anchors(&self, excluded: &[NodeId]) -> Vec<Point>;
    /// The current view.
    fn view(&self) -> Viewport;
    /// A position snapped as the editor snaps (grid or whole units).
    fn snap(&self, at: Point) -> Point;
}

/// An alignment guide: a line the dragged node's centre or edge meets another node's on.
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    /// A vertical line (x = `at`); else horizontal (y = `at`).
    pub vertical: bool,
    /// Where the line is.
    pub at: f64,
    /// Where it starts and ends along the other axis.
    pub span: (f64, f64),
}

/// What the overlay above the scene shows for the current state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// The rubber link while connecting (world).
    pub ghost_link: Option<(Point, Point)>,
    /// The selection box while brushing (world corners).
    pub band: Option<(Point, Point)>,
    /// The node a palette drop would add, and where (world), while over the canvas.
    pub drop: Option<(NodeKind, Point)>,
    /// Alignment guides while translating.
    pub guides: Vec<Guide>,
    /// A hint to show.
    pub hint: Option<&'static str>,
}

/// The command a gesture commits (one undo step).
#[derive(Clone, Debug, PartialEq)]
pub enum Commit {
    /// Move these nodes here.
    Move(Vec<(NodeId, Point)>),
    /// Link two nodes (the editor refuses what the link table does not allow).
    Connect(NodeId, NodeId),
    /// Add a node of a kind at a world position.
    Add(NodeKind, Point),
}

/// What the canvas must do after a transition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    /// Positions to show now (a drag in progress, or the origins a cancel puts back).
    pub positions: Vec<(NodeId, Point)>,
    /// A new node selection.
    pub select: Option<Vec<NodeId>>,
    /// A new link selection.
    pub select_link: Option<Option<LinkKey>>,
    /// A new view.
    pub view: Option<Viewport>,
    /// The command that lands.
    pub commit: Option<Commit>,
}

/// The interaction states.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum State {
    /// Nothing under way.
    #[default]
    Idle,
    /// A node pressed, not moved yet: a click selects, a move translates.
    Pointing {
        /// The node pressed.
        grabbed: NodeId,
        /// Where (screen).
        start: Point,
        /// Where (world).
        world: Point,
        /// The nodes that would move, with where they are.
        origins: Vec<(NodeId, Point)>,
        /// Shift/Ctrl held (the press toggled the selection).
        toggled: bool,
    },
    /// Moving the selection.
    Translating {
        /// The node pressed.
        grabbed: NodeId,
        /// Where the pointer started (world).
        world: Point,
        /// The moving nodes and where they started.
        origins: Vec<(NodeId, Point)>,
        /// Where each moving node is now.
        now: Vec<(NodeId, Point)>,
        /// The centres the grabbed node may align with.
        anchors: Vec<Point>,
        /// The guides shown.
        guides: Vec<Guide>,
    },
    /// Drawing a link from a node's handle.
    Connecting {
        /// Where the link starts.
        from: NodeId,
        /// Its centre.
        origin: Point,
        /// The pointer (world).
        at: Point,
    },
    /// Drawing a selection box.
    Brushing {
        /// Where it started (world).
        start: Point,
        /// The pointer (world).
        at: Point,
    },
    /// Panning the view.
    Panning {
        /// Where the pointer started (screen).
        start: Point,
        /// The view then.
        view: Viewport,
    },
    /// Two fingers zooming and panning.
    Pinching {
        /// Finger distance at the start (screen).
        dist: f64,
        /// Their midpoint then (screen).
        mid: Point,
        /// The view then.
        view: Viewport,
    },
    /// Dragging a palette item.
    Dropping {
        /// The kind to add.
        kind: NodeKind,
        /// Where the pointer started (screen, any element).
        start: Point,
        /// Moved far enough to be a drag.
        moved: bool,
        /// Where it would land (world), while over the canvas.
        over: Option<Point>,
    },
}

/// Screen pixels a press must move before it is a drag.
const DRAG_SLOP: f64 = 3.0;
/// Screen pixels a palette item must move before it is a drag.
const PALETTE_SLOP: f64 = 4.0;
/// Screen pixels within which a dragged node aligns with another.
const ALIGN_PX: f64 = 6.0;

/// The machine: its state, the touches it follows and whether space is held.
#[derive(Clone, Debug, Default)]
pub struct Tool {
    state: State,
    touches: Vec<(i32, Point)>,
    space: bool,
    brushed_once: bool,
    panned_once: bool,
}

impl Tool {
    /// A machine at rest.
    pub fn new() -> Tool {
        Tool::default()
    }

    /// The current state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// True while nothing is under way.
    pub fn idle(&self) -> bool {
        self.state == State::Idle
    }

    /// The nodes a press or a drag moves (or would move), with where they started: what the
    /// canvas draws in its live layer. Empty for every other gesture.
    pub fn moving(&self) -> &[(NodeId, Point)] {
        match &self.state {
            State::Pointing { origins, .. } | State::Translating { origins, .. } => origins,
            _ => &[],
        }
    }

    /// The gesture under way, by name (`""` when idle): the canvas's `data-gesture`.
    pub fn gesture(&self) -> &'static str {
        match self.state {
            State::Idle => "",
            State::Pointing { .. } => "point",
            State::Translating { .. } => "move",
            State::Connecting { .. } => "connect",
            State::Brushing { .. } => "brush",
            State::Panning { .. } | State::Pinching { .. } => "pan",
            State::Dropping { .. } => "drop",
        }
    }

    /// What the overlay shows now: derived from the state alone.
    pub fn preview(&self) -> Preview {
        match &self.state {
            State::Connecting { origin, at, .. } => Preview { ghost_link: Some((*origin, *at)), ..Preview::default() },
            State::Brushing { start, at } => Preview { band: Some((*start, *at)), ..Preview::default() },
            State::Dropping { kind, moved: true, over: Some(at), .. } => {
                Preview { drop: Some((*kind, *at)), ..Preview::default() }
            }
            State::Translating { guides, .. } => Preview { guides: guides.clone(), ..Preview::default() },
            State::Panning { .. } if !self.brushed_once && !self.panned_once && !self.space => {
                Preview { hint: Some("Shift+drag on the canvas draws a selection box"), ..Preview::default() }
            }
            _ => Preview::default(),
        }
    }

    /// A pointer goes down.
    pub fn down(&mut self, scene: &dyn Scene, p: &Press) -> Output {
        if p.touch {
            self.touches.retain(|(id, _)| *id != p.pointer);
            self.touches.push((p.pointer, p.screen));
            if self.touches.len() == 2 {
                // A second finger turns whatever the first was doing into a pinch.
                let mut out = self.cancel();
                if let Some((dist, mid)) = touch_geometry(&self.touches) {
                    let view = scene.view();
                    out.view = None;
                    self.state = State::Pinching { dist, mid, view };
                }
                return out;
            }
            if self.touches.len() > 2 {
                return Output::default();
            }
        }
        if !self.idle() {
            return Output::default();
        }
        let mut out = Output::default();
        match &p.target {
            Target::Palette(kind) => {
                if p.button == 0 {
                    self.state = State::Dropping { kind: *kind, start: p.screen, moved: false, over: None };
                }
            }
            _ if p.button == 1 || (self.space && p.button == 0) => {
                self.state = State::Panning { start: p.screen, view: scene.view() };
            }
            _ if p.button != 0 => {}
            Target::Handle(id) => {
                if let Some(origin) = scene.position(id) {
                    self.state = State::Connecting { from: id.clone(), origin, at: p.world };
                }
            }
            Target::Node(id) => {
                let mut sel = scene.selection();
                let toggled = p.shift || p.ctrl;
                if toggled {
                    match sel.iter().position(|x| x == id) {
                        Some(i) => {
                            sel.remove(i);
                        }
                        None => sel.push(id.clone()),
                    }
                    out.select = Some(sel.clone());
                } else if !sel.contains(id) {
                    sel = vec![id.clone()];
                    out.select = Some(sel.clone());
                }
                let moving: Vec<NodeId> = if sel.contains(id) { sel } else { vec![id.clone()] };
                let origins = moving.iter().filter_map(|n| Some((n.clone(), scene.position(n)?))).collect();
                self.state = State::Pointing { grabbed: id.clone(), start: p.screen, world: p.world, origins, toggled };
            }
            Target::Link(key) => {
                out.select = Some(Vec::new());
                out.select_link = Some(Some(key.clone()));
            }
            Target::Background => {
                if p.shift {
                    self.brushed_once = true;
                    self.state = State::Brushing { start: p.world, at: p.world };
                } else {
                    if !p.ctrl {
                        out.select = Some(Vec::new());
                        out.select_link = Some(None);
                    }
                    self.state = State::Panning { start: p.screen, view: scene.view() };
                }
            }
        }
        out
    }

    /// A pointer moves.
    pub fn moved(&mut self, scene: &dyn Scene, m: &Motion) -> Output {
        if let Some(t) = self.touches.iter_mut().find(|(id, _)| *id == m.pointer) {
            t.1 = m.screen;
        }
        let mut out = Output::default();
        let state = std::mem::take(&mut self.state);
        self.state = match state {
            State::Idle => State::Idle,
            State::Pointing { grabbed, start, world, origins, toggled } => {
                if (m.screen.0 - start.0).hypot(m.screen.1 - start.1) < DRAG_SLOP {
                    State::Pointing { grabbed, start, world, origins, toggled }
                } else {
                    let moving: Vec<NodeId> = origins.iter().map(|(id, _)| id.clone()).collect();
                    let anchors = scene.anchors(&moving);
                    let mut s =
                        State::Translating { grabbed, world, origins, now: Vec::new(), anchors, guides: Vec::new() };
                    translate(&mut s, scene, m.world, &mut out);
                    s
                }
            }
            mut s @ State::Translating { .. } => {
                translate(&mut s, scene, m.world, &mut out);
                s
            }
            State::Connecting { from, origin, .. } => State::Connecting { from, origin, at: m.world },
            State::Brushing { start, .. } => State::Brushing { start, at: m.world },
            State::Panning { start, view } => {
                out.view = Some(view.panned((m.screen.0 - start.0, m.screen.1 - start.1)));
                State::Panning { start, view }
            }
            State::Pinching { dist, mid, view } => {
                if let Some((d, (mx, my))) = touch_geometry(&self.touches) {
                    let zoomed = view.zoomed(d / dist, mid);
                    out.view = Some(zoomed.panned((mx - mid.0, my - mid.1)));
                }
                State::Pinching { dist, mid, view }
            }
            State::Dropping { kind, start, moved, .. } => {
                let moved = moved || (m.screen.0 - start.0).hypot(m.screen.1 - start.1) >= PALETTE_SLOP;
                State::Dropping { kind, start, moved, over: m.over_canvas.then(|| scene.snap(m.world)) }
            }
        };
        out
    }

    /// A pointer goes up: the gesture's command lands here.
    pub fn up(&mut self, scene: &dyn Scene, m: &Motion) -> Output {
        let touch = self.touches.iter().any(|(id, _)| *id == m.pointer);
        self.touches.retain(|(id, _)| *id != m.pointer);
        if matches!(self.state, State::Pinching { .. }) {
            // The pinch ends when the last finger lifts.
            if self.touches.is_empty() {
                self.state = State::Idle;
            }
            return Output::default();
        }
        if touch && !self.touches.is_empty() {
            return Output::default();
        }
        let mut out = Output::default();
        match std::mem::take(&mut self.state) {
            State::Idle | State::Pinching { .. } => {}
            State::Panning { .. } => self.panned_once = true,
            State::Pointing { grabbed, toggled, .. } => {
                if !toggled {
                    out.select = Some(vec![grabbed]);
                }
            }
            State::Translating { now, .. } => {
                if !now.is_empty() {
                    out.commit = Some(Commit::Move(now));
                }
            }
            State::Connecting { from, .. } => {
                if let Some(to) = scene.node_at(m.world, Some(&from)) {
                    out.commit = Some(Commit::Connect(from, to));
                } else if scene.node_at(m.world, None).as_ref() == Some(&from) {
                    // Released on its own node: a self-link is refused like any other.
                    out.commit = Some(Commit::Connect(from.clone(), from));
                }
            }
            State::Brushing { start, .. } => {
                let mut sel = scene.selection();
                for id in scene.nodes_in(start, m.world) {
                    if !sel.contains(&id) {
                        sel.push(id);
                    }
                }
                out.select = Some(sel);
            }
            State::Dropping { kind, moved, .. } => {
                if moved && m.over_canvas {
                    out.commit = Some(Commit::Add(kind, scene.snap(m.world)));
                }
            }
        }
        out
    }

    /// A pointer's gesture is cancelled by the browser (`pointercancel`).
    pub fn pointer_cancel(&mut self, pointer: i32) -> Output {
        self.touches.retain(|(id, _)| *id != pointer);
        self.cancel()
    }

    /// A key.
    pub fn key(&mut self, key: Key) -> Output {
        match key {
            Key::Escape => self.cancel(),
            Key::SpaceDown => {
                self.space = true;
                Output::default()
            }
            Key::SpaceUp => {
                self.space = false;
                Output::default()
            }
        }
    }

    /// Cancels whatever is under way: moved nodes go back where they were, no command lands,
    /// the overlay empties.
    pub fn cancel(&mut self) -> Output {
        let mut out = Output::default();
        match std::mem::take(&mut self.state) {
            State::Translating { origins, .. } => out.positions = origins,
            State::Pinching { view, .. } | State::Panning { view, .. } => out.view = Some(view),
            _ => {}
        }
        out
    }
}

/// Moves the translating nodes with the pointer: snapped as the editor snaps, then aligned
/// with another node's centre or edge when the grabbed node comes within a few pixels of it.
fn translate(state: &mut State, scene: &dyn Scene, pointer: Point, out: &mut Output) {
    let State::Translating { grabbed, world, origins, now, anchors, guides } = state else { return };
    let delta = (pointer.0 - world.0, pointer.1 - world.1);
    let Some(&(_, g0)) = origins.iter().find(|(id, _)| id == grabbed) else { return };
    let free = (g0.0 + delta.0, g0.1 + delta.1);
    let mut at = scene.snap(free);
    let tol = ALIGN_PX / scene.view().scale.max(0.01);
    guides.clear();
    let mut best: [Option<(f64, f64, Point)>; 2] = [None, None];
    for &a in anchors.iter() {
        for (axis, offsets) in
            [(0usize, [0.0, 2.0 * NODE_HALF_W, -2.0 * NODE_HALF_W]), (1, [0.0, 2.0 * NODE_HALF_H, -2.0 * NODE_HALF_H])]
        {
            for off in offsets {
                let target = if axis == 0 { a.0 + off } else { a.1 + off };
                let here = if axis == 0 { free.0 } else { free.1 };
                let d = (here - target).abs();
                if d <= tol && best[axis].is_none_or(|(bd, _, _)| d < bd) {
                    best[axis] = Some((d, target, a));
                }
            }
        }
    }
    if let Some((_, x, a)) = best[0] {
        at.0 = x;
        let line = if (x - a.0).abs() < 1e-9 { x } else { (x + a.0) / 2.0 };
        guides.push(Guide {
            vertical: true,
            at: line,
            span: (a.1.min(at.1) - NODE_HALF_H, a.1.max(at.1) + NODE_HALF_H),
        });
    }
    if let Some((_, y, a)) = best[1] {
        at.1 = y;
        let line = if (y - a.1).abs() < 1e-9 { y } else { (y + a.1) / 2.0 };
        guides.push(Guide {
            vertical: false,
            at: line,
            span: (a.0.min(at.0) - NODE_HALF_W, a.0.max(at.0) + NODE_HALF_W),
        });
    }
    let shift = (at.0 - g0.0, at.1 - g0.1);
    *now = origins.iter().map(|(id, (x, y))| (id.clone(), (x + shift.0, y + shift.1))).collect();
    out.positions = now.clone();
}

fn touch_geometry(touches: &[(i32, Point)]) -> Option<(f64, Point)> {
    let [(_, a), (_, b), ..] = touches else { return None };
    Some(((a.0 - b.0).hypot(a.1 - b.1).max(1.0), ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scene of nodes at fixed positions, snapping to a 10-unit grid, at scale 1.
    struct Fake {
        nodes: Vec<(NodeId, Point)>,
        selected: Vec<NodeId>,
        view: Viewport,
    }

    fn id(s: &str) -> NodeId {
        NodeId::parse(s).unwrap_or_else(|| unreachable!())
    }

    impl Fake {
        fn new() -> Fake {
            Fake {
                nodes: vec![(id("km-1"), (100.0, 100.0)), (id("km-2"), (400.0, 100.0)), (id("lb-1"), (100.0, 300.0))],
                selected: Vec::new(),
                view: Viewport::default(),
            }
        }

        /// Applies what the canvas would: the selection and committed moves.
        fn apply(&mut self, out: &Output) {
            if let Some(s) = &out.select {
                self.selected = s.clone();
            }
            if let Some(v) = out.view {
                self.view = v;
            }
            if let Some(Commit::Move(m)) = &out.commit {
                for (n, p) in m {
                    if let Some(x) = self.nodes.iter_mut().find(|(i, _)| i == n) {
                        x.1 = *p;
                    }
                }
            }
        }
    }

    impl Scene for Fake {
        fn selection(&self) -> Vec<NodeId> {
            self.selected.clone()
        }
        fn position(&self, n: &NodeId) -> Option<Point> {
            self.nodes.iter().find(|(i, _)| i == n).map(|x| x.1)
        }
        fn node_at(&self, (x, y): Point, except: Option<&NodeId>) -> Option<NodeId> {
            self.nodes
                .iter()
                .rev()
                .filter(|(i, _)| Some(i) != except)
                .find(|(_, (nx, ny))| (nx - x).abs() <= NODE_HALF_W && (ny - y).abs() <= NODE_HALF_H)
                .map(|x| x.0.clone())
        }
        fn nodes_in(&self, a: Point, b: Point) -> Vec<NodeId> {
            let (x0, x1, y0, y1) = (a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1));
            self.nodes
                .iter()
                .filter(|(_, (x, y))| *x >= x0 && *x <= x1 && *y >= y0 && *y <= y1)
                .map(|x| x.0.clone())
                .collect()
        }
        fn anchors(&self, excluded: &[NodeId]) -> Vec<Point> {
            self.nodes.iter().filter(|(i, _)| !excluded.contains(i)).map(|x| x.1).collect()
        }
        fn view(&self) -> Viewport {
            self.view
        }
        fn snap(&self, (x, y): Point) -> Point {
            ((x / 10.0).round() * 10.0, (y / 10.0).round() * 10.0)
        }
    }

    fn press(target: Target, at: Point) -> Press {
        Press { target, screen: at, world: at, button: 0, shift: false, ctrl: false, pointer: 1, touch: false }
    }

    fn motion(at: Point) -> Motion {
        Motion { screen: at, world: at, pointer: 1, over_canvas: true }
    }

    #[test]
    fn a_drag_names_its_gesture_and_the_nodes_it_moves() {
        let mut f = Fake::new();
        let mut t = Tool::new();
        assert_eq!((t.gesture(), t.moving().len()), ("", 0));
        let out = t.down(&f, &press(Target::Node(id("km-1")), (100.0, 100.0)));
        f.apply(&out);
        assert_eq!(t.gesture(), "point");
        assert_eq!(t.moving(), &[(id("km-1"), (100.0, 100.0))]);
        let out = t.moved(&f, &motion((140.0, 130.0)));
        f.apply(&out);
        assert_eq!(t.gesture(), "move");
        assert_eq!(t.moving(), &[(id("km-1"), (100.0, 100.0))], "the origins, not where it is now");
        let out = t.up(&f, &motion((140.0, 130.0)));
        f.apply(&out);
        assert_eq!((t.gesture(), t.moving().len()), ("", 0));
        t.down(&f, &press(Target::Background, (700.0, 700.0)));
        t.moved(&f, &motion((760.0, 760.0)));
        assert_eq!((t.gesture(), t.moving().len()), ("pan", 0));
    }

    #[test]
    fn a_click_selects_and_a_drag_moves_as_one_command() {
        let mut s = Fake::new();
        let mut t = Tool::new();
        let o = t.down(&s, &press(Target::Node(id("km-1")), (100.0, 100.0)));
        assert_eq!(o.select, Some(vec![id("km-1")]));
        s.apply(&o);
        assert!(matches!(t.state(), State::Pointing { .. }));
        let o = t.up(&s, &motion((101.0, 100.0)));
        assert_eq!(o.select, Some(vec![id("km-1")]));
        assert_eq!(o.commit, None);
        assert!(t.idle());
        t.down(&s, &press(Target::Node(id("km-1")), (100.0, 100.0)));
        let o = t.moved(&s, &motion((163.0, 148.0)));
        assert_eq!(o.positions, vec![(id("km-1"), (160.0, 150.0))]);
        assert!(matches!(t.state(), State::Translating { .. }));
        let o = t.up(&s, &motion((163.0, 148.0)));
        assert_eq!(o.commit, Some(Commit::Move(vec![(id("km-1"), (160.0, 150.0))])));
    }

    #[test]
    fn cancel_from_every_state_restores_what_was_there() {
        let s = Fake::new();
        let starts: Vec<Press> = vec![
            press(Target::Node(id("km-1")), (100.0, 100.0)),
            press(Target::Handle(id("km-1")), (185.0, 100.0)),
            press(Target::Background, (700.0, 700.0)),
            Press { shift: true, ..press(Target::Background, (700.0, 700.0)) },
            press(Target::Palette(NodeKind::Database), (-50.0, 20.0)),
        ];
        for p in starts {
            for via_pointer in [false, true] {
                let mut t = Tool::new();
                t.down(&s, &p);
                t.moved(&s, &motion((250.0, 260.0)));
                t.moved(&s, &motion((260.0, 270.0)));
                assert!(!t.idle(), "{p:?}");
                let o = if via_pointer { t.pointer_cancel(1) } else { t.key(Key::Escape) };
                assert!(t.idle(), "{p:?}");
                assert_eq!(o.commit, None, "{p:?}");
                assert_eq!(t.preview(), Preview::default(), "{p:?}");
                match &p.target {
                    Target::Node(_) => assert_eq!(o.positions, vec![(id("km-1"), (100.0, 100.0))]),
                    Target::Background if !p.shift => assert_eq!(o.view, Some(Viewport::default())),
                    _ => assert!(o.positions.is_empty()),
                }
                // Releasing after a cancel commits nothing.
                assert_eq!(t.up(&s, &motion((260.0, 270.0))), Output::default());
            }
        }
    }

    #[test]
    fn connecting_links_where_released_and_previews_the_ghost() {
        let s = Fake::new();
        let mut t = Tool::new();
        t.down(&s, &press(Target::Handle(id("km-1")), (185.0, 100.0)));
        t.moved(&s, &motion((300.0, 200.0)));
        assert_eq!(t.preview().ghost_link, Some(((100.0, 100.0), (300.0, 200.0))));
        let o = t.up(&s, &motion((400.0, 110.0)));
        assert_eq!(o.commit, Some(Commit::Connect(id("km-1"), id("km-2"))));
        t.down(&s, &press(Target::Handle(id("km-1")), (185.0, 100.0)));
        assert_eq!(t.up(&s, &motion((700.0, 700.0))).commit, None, "released on nothing");
        t.down(&s, &press(Target::Handle(id("km-1")), (185.0, 100.0)));
        assert_eq!(t.up(&s, &motion((110.0, 100.0))).commit, Some(Commit::Connect(id("km-1"), id("km-1"))));
    }

    #[test]
    fn brushing_adds_the_nodes_in_the_box_and_palette_drops_add_a_node() {
        let s = Fake::new();
        let mut t = Tool::new();
        t.down(&s, &Press { shift: true, ..press(Target::Background, (0.0, 0.0)) });
        t.moved(&s, &motion((450.0, 150.0)));
        assert_eq!(t.preview().band, Some(((0.0, 0.0), (450.0, 150.0))));
        let o = t.up(&s, &motion((450.0, 150.0)));
        assert_eq!(o.select, Some(vec![id("km-1"), id("km-2")]));
        t.down(&s, &press(Target::Palette(NodeKind::Directory), (-50.0, 20.0)));
        t.moved(&s, &motion((233.0, 247.0)));
        assert_eq!(t.preview().drop, Some((NodeKind::Directory, (230.0, 250.0))));
        assert_eq!(t.up(&s, &motion((233.0, 247.0))).commit, Some(Commit::Add(NodeKind::Directory, (230.0, 250.0))));
        // Released outside the canvas, or without moving: nothing.
        t.down(&s, &press(Target::Palette(NodeKind::Directory), (-50.0, 20.0)));
        t.moved(&s, &Motion { over_canvas: false, ..motion((-300.0, 20.0)) });
        assert_eq!(t.up(&s, &Motion { over_canvas: false, ..motion((-300.0, 20.0)) }).commit, None);
    }

    #[test]
    fn a_dragged_node_aligns_with_another_centre_and_shows_a_guide() {
        let s = Fake::new();
        let mut t = Tool::new();
        t.down(&s, &press(Target::Node(id("lb-1")), (100.0, 300.0)));
        // Close to km-2's centre line x = 400 (within 6 px), far from any y.
        let o = t.moved(&s, &motion((396.0, 217.0)));
        assert_eq!(o.positions, vec![(id("lb-1"), (400.0, 220.0))]);
        let p = t.preview();
        assert_eq!(p.guides.len(), 1);
        assert!(p.guides[0].vertical && p.guides[0].at == 400.0, "{p:?}");
        // Far from everything: snapped to the grid, no guide.
        t.moved(&s, &motion((563.0, 517.0)));
        assert!(t.preview().guides.is_empty());
    }

    #[test]
    fn space_pans_from_anywhere_and_two_fingers_pinch() {
        let mut s = Fake::new();
        let mut t = Tool::new();
        t.key(Key::SpaceDown);
        t.down(&s, &press(Target::Node(id("km-1")), (100.0, 100.0)));
        let o = t.moved(&s, &motion((130.0, 90.0)));
        assert_eq!(o.view, Some(Viewport { tx: 30.0, ty: -10.0, scale: 1.0 }));
        assert!(o.positions.is_empty(), "space+drag on a node pans, never moves it");
        t.up(&s, &motion((130.0, 90.0)));
        t.key(Key::SpaceUp);
        let finger = |n: i32, at: Point| Press { pointer: n, touch: true, ..press(Target::Node(id("km-1")), at) };
        t.down(&s, &finger(1, (100.0, 100.0)));
        t.moved(&s, &Motion { pointer: 1, ..motion((120.0, 100.0)) });
        let o = t.down(&s, &finger(2, (300.0, 100.0)));
        assert_eq!(o.positions, vec![(id("km-1"), (100.0, 100.0))], "the drag under way is put back");
        s.apply(&o);
        assert!(matches!(t.state(), State::Pinching { .. }));
        let o = t.moved(&s, &Motion { pointer: 2, ..motion((500.0, 100.0)) });
        assert!(o.view.is_some_and(|v| v.scale > 1.0));
        t.up(&s, &Motion { pointer: 1, ..motion((120.0, 100.0)) });
        assert!(matches!(t.state(), State::Pinching { .. }), "one finger still down");
        t.up(&s, &Motion { pointer: 2, ..motion((500.0, 100.0)) });
        assert!(t.idle());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..proptest::prelude::ProptestConfig::default() })]

        /// Random pointer and key events never panic, and never leave a half-applied change:
        /// after a cancel nothing is under way, nothing lands, and every moved node is back.
        #[test]
        fn random_events_never_leave_a_half_applied_change(
            events in proptest::collection::vec((0u8..8, 0u8..6, -50i16..900, -50i16..900, 1i32..4), 1..40)
        ) {
            let mut s = Fake::new();
            let mut t = Tool::new();
            for (what, target, x, y, pointer) in events {
                let at = (f64::from(x), f64::from(y));
                let targets = [
                    Target::Background,
                    Target::Node(id("km-1")),
                    Target::Node(id("lb-1")),
                    Target::Handle(id("km-2")),
                    Target::Palette(NodeKind::SharedStorage),
                    Target::Link((id("lb-1"), id("km-1"), 0)),
                ];
                let m = Motion { screen: at, world: at, pointer, over_canvas: x < 800 };
                let out = match what {
                    0 => t.down(&s, &Press { pointer, touch: pointer > 1, shift: y % 3 == 0, ..press(targets[usize::from(target)].clone(), at) }),
                    1 | 2 => t.moved(&s, &m),
                    3 => t.up(&s, &m),
                    4 => t.pointer_cancel(pointer),
                    5 => t.key(Key::SpaceDown),
                    6 => t.key(Key::SpaceUp),
                    _ => {
                        let before = s.nodes.clone();
                        let translating = matches!(t.state(), State::Translating { .. });
                        let o = t.key(Key::Escape);
                        proptest::prop_assert!(t.idle());
                        proptest::prop_assert_eq!(o.commit.clone(), None);
                        if translating {
                            // The origins are the design's positions: the canvas shows them again.
                            for (n, p) in &o.positions {
                                proptest::prop_assert_eq!(before.iter().find(|(i, _)| i == n).map(|x| x.1), Some(*p));
                            }
                        }
                        o
                    }
                };
                if let Some(Commit::Move(m)) = &out.commit {
                    proptest::prop_assert!(!m.is_empty());
                }
                s.apply(&out);
            }
            let o = t.key(Key::Escape);
            proptest::prop_assert!(t.idle());
            proptest::prop_assert_eq!(o.commit, None);
            proptest::prop_assert_eq!(t.preview().ghost_link, None);
            proptest::prop_assert_eq!(t.preview().band, None);
        }
    }
}
