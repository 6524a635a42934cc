//! Link routing: each link drawn from one node box's border to the other's, orthogonally
//! around the other boxes (never through one), with parallel lines spread apart; boxes that line
//! up with nothing in the way are linked by one straight line. Pure and deterministic (the same boxes give the same routes),
//! shared by the canvas and the diagram export.
//!
//! Any other link leaves its box straight out from the middle of a side for a short stub, then
//! takes the cheapest (length plus a cost per bend) of a few shapes with up to two bends whose
//! middle runs along a free channel beside the boxes in the way; when none is clear, a search
//! over the grid those channels make (bounded), and only when that fails too, the straight line.
//! Boxes are found through a grid index, so a route looks only at the boxes near it.

use std::collections::HashMap;

use super::geometry::{border, Point, Rect, HALF_H, HALF_W};
use super::hash::Fnv;

/// Clearance kept between a route and other node boxes.
pub const MARGIN: f64 = 10.0;
/// How far a route goes straight out of a box before it turns.
pub const STUB: f64 = 18.0;
/// Distance between parallel lines, and between lines leaving one side of a box.
pub const SPREAD: f64 = 8.0;
/// What a bend costs, in world units of length.
const BEND: f64 = 40.0;
/// The grid index's cell size.
const CELL: f64 = 240.0;
/// The most channel coordinates tried on each axis.
const CHANNELS: usize = 6;
/// The most grid points the fallback search visits.
const SEARCH: usize = 100_000;

/// A route: the points of a polyline from the first node's border to the second's.
pub type Route = Vec<Point>;

/// The node boxes a route must avoid, indexed by grid cell.
pub struct Obstacles {
    boxes: Vec<Option<Rect>>,
    grid: HashMap<(i32, i32), Vec<u32>, Fnv>,
}

fn cell(v: f64) -> i32 {
    (v / CELL).floor().clamp(-1.0e6, 1.0e6) as i32
}

impl Obstacles {
    /// The boxes of nodes centred at `centres`; nodes for which `skip` is true are no obstacle
    /// (nodes being dragged: they are elsewhere by now).
    pub fn new(centres: &[Point], skip: &dyn Fn(usize) -> bool) -> Obstacles {
        let mut grid: HashMap<(i32, i32), Vec<u32>, Fnv> = HashMap::default();
        let mut boxes = Vec::with_capacity(centres.len());
        for (i, &c) in centres.iter().enumerate() {
            if skip(i) || !c.0.is_finite() || !c.1.is_finite() {
                boxes.push(None);
                continue;
            }
            let r = Rect::node(c);
            boxes.push(Some(r));
            let g = r.grown(MARGIN);
            for x in cell(g.x0)..=cell(g.x1) {
                for y in cell(g.y0)..=cell(g.y1) {
                    grid.entry((x, y)).or_default().push(i as u32);
                }
            }
        }
        Obstacles { boxes, grid }
    }

    /// Calls `f` for every box in the cells a rectangle meets (a box may come more than once);
    /// stops when `f` says false, and says whether it went through all.
    fn each_near(&self, r: Rect, f: &mut dyn FnMut(usize, Rect) -> bool) -> bool {
        let (cx0, cx1, cy0, cy1) = (cell(r.x0), cell(r.x1), cell(r.y0), cell(r.y1));
        if (i64::from(cx1) - i64::from(cx0) + 1) * (i64::from(cy1) - i64::from(cy0) + 1) > 4096 {
            return self.boxes.iter().enumerate().all(|(i, b)| b.is_none_or(|b| f(i, b)));
        }
        for x in cx0..=cx1 {
            for y in cy0..=cy1 {
                for &i in self.grid.get(&(x, y)).into_iter().flatten() {
                    if let Some(b) = self.boxes.get(i as usize).copied().flatten() {
                        if !f(i as usize, b) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// True when the segment passes through no box: the ends' own boxes as they are (a route
    /// starts on their border), the others grown by the margin.
    pub fn clear(&self, a: Point, b: Point, ends: (usize, usize)) -> bool {
        let span = Rect { x0: a.0.min(b.0), y0: a.1.min(b.1), x1: a.0.max(b.0), y1: a.1.max(b.1) }.grown(MARGIN);
        self.each_near(span, &mut |i, r| {
            if i == ends.0 || i == ends.1 {
                !r.cut_by(a, b)
            } else {
                !r.grown(MARGIN).cut_by(a, b)
            }
        })
    }

    /// True when the segment passes through no box as drawn (no margin): what spreading keeps.
    pub fn clear_exact(&self, a: Point, b: Point) -> bool {
        let span = Rect { x0: a.0.min(b.0), y0: a.1.min(b.1), x1: a.0.max(b.0), y1: a.1.max(b.1) };
        self.each_near(span.grown(1.0), &mut |_, r| !r.cut_by(a, b))
    }

    fn path_clear(&self, pts: &[Point], ends: (usize, usize)) -> bool {
        pts.windows(2).all(|w| self.clear(w[0], w[1], ends))
    }
}

/// A side of a box: where a route leaves it and which way.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

impl Side {
    const ALL: [Side; 4] = [Side::Top, Side::Bottom, Side::Left, Side::Right];

    fn port(self, (x, y): Point) -> Point {
        match self {
            Side::Top => (x, y - HALF_H),
            Side::Bottom => (x, y + HALF_H),
            Side::Left => (x - HALF_W, y),
            Side::Right => (x + HALF_W, y),
        }
    }

    fn out(self) -> Point {
        match self {
            Side::Top => (0.0, -1.0),
            Side::Bottom => (0.0, 1.0),
            Side::Left => (-1.0, 0.0),
            Side::Right => (1.0, 0.0),
        }
    }
}

/// Drops repeated points and points in the middle of a straight run.
fn simplify(pts: Vec<Point>) -> Route {
    let mut out: Route = Vec::with_capacity(pts.len());
    for p in pts {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight_on = (b.0 - a.0) * (p.0 - b.0) + (b.1 - a.1) * (p.1 - b.1) > 0.0;
            // A point in the middle of a run that goes on the same way (a turn back is kept, and
            // refused as doubling back).
            if straight_on && ((a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1)) {
                out.pop();
            }
        }
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// True when a turn goes back the way it came (a route doubling back on its stub).
fn doubles_back(pts: &[Point]) -> bool {
    pts.windows(3).any(|w| {
        let (d1, d2) = ((w[1].0 - w[0].0, w[1].1 - w[0].1), (w[2].0 - w[1].0, w[2].1 - w[1].1));
        d1.0 * d2.0 + d1.1 * d2.1 < 0.0
    })
}

/// The channel coordinates worth trying between two boxes: the middle, then the sides of the
/// boxes near the way, just outside their margin, nearest the middle first.
fn channels(obs: &Obstacles, a: Point, b: Point) -> (Vec<f64>, Vec<f64>) {
    let span = Rect::node(a).union(Rect::node(b)).grown(STUB + MARGIN + SPREAD);
    let gap = MARGIN + SPREAD;
    let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let mut xs = vec![mid.0];
    let mut ys = vec![mid.1];
    obs.each_near(span, &mut |_, r| {
        if r.overlaps(&span) {
            xs.extend([r.x0 - gap, r.x1 + gap]);
            ys.extend([r.y0 - gap, r.y1 + gap]);
        }
        true
    });
    // The few nearest the middle, by repeated picking (no sort: this runs for every route).
    let pick = |mut v: Vec<f64>, m: f64| {
        let mut out = Vec::with_capacity(CHANNELS);
        while out.len() < CHANNELS && !v.is_empty() {
            let mut best = 0;
            for (i, x) in v.iter().enumerate() {
                let (d, e) = ((x - m).abs(), (v[best] - m).abs());
                if d < e || (d == e && *x < v[best]) {
                    best = i;
                }
            }
            let x = v.swap_remove(best);
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    };
    (pick(xs, mid.0), pick(ys, mid.1))
}

/// Routes one link between the boxes centred at `a` and `b` (`ends`: their indices). `quick`
/// skips the grid search when no simple shape is clear (a drag reroutes on every move; the
/// route is made thorough when the drag lands).
pub fn route(obs: &Obstacles, a: Point, b: Point, ends: (usize, usize), quick: bool) -> Route {
    if ends.0 == ends.1 || a == b {
        return self_loop(a);
    }
    let (pa, pb) = (border(a, b), border(b, a));
    // Boxes that line up are linked by one straight line when nothing is in the way.
    let lined_up = (a.0 - b.0).abs() < 0.5 || (a.1 - b.1).abs() < 0.5;
    if lined_up && obs.clear(pa, pb, ends) {
        return vec![pa, pb];
    }
    // Candidates: every pair of sides, every shape; costed first, then checked cheapest first.
    let (xs, ys) = channels(obs, a, b);
    let mut candidates: Vec<[Point; 6]> = Vec::new();
    let mut costs: Vec<usize> = Vec::new();
    let (away_a, away_b) = (facing(b, a).0, facing(a, b).0);
    // Every pair of sides but those facing straight away from the other box.
    for sa in Side::ALL.into_iter().filter(|&s| s != away_a) {
        for sb in Side::ALL.into_iter().filter(|&s| s != away_b) {
            let (pa, pb) = (sa.port(a), sb.port(b));
            let (oa, ob) = (sa.out(), sb.out());
            let s = (pa.0 + oa.0 * STUB, pa.1 + oa.1 * STUB);
            let t = (pb.0 + ob.0 * STUB, pb.1 + ob.1 * STUB);
            let mut add = |m1: Point, m2: Point| {
                let pts = [pa, s, m1, m2, t, pb];
                // Orthogonal throughout; its length and turns (a zero-length step turns nothing).
                let (mut len, mut turns, mut last) = (0.0, 0usize, 0u8);
                for k in 0..5 {
                    let (p, q) = (pts[k], pts[k + 1]);
                    let dir = match (p.0 == q.0, p.1 == q.1) {
                        (true, true) => continue,
                        (true, false) => 1,
                        (false, true) => 2,
                        (false, false) => return,
                    };
                    len += (q.0 - p.0).abs() + (q.1 - p.1).abs();
                    turns += usize::from(last != 0 && last != dir);
                    last = dir;
                }
                {
                    // Cost (to a tenth of a unit) and index packed into one number to sort.
                    let cost = ((len + BEND * turns as f64) * 10.0).clamp(0.0, 1.0e12) as usize;
                    costs.push((cost << 12) | candidates.len());
                    candidates.push(pts);
                }
            };
            add((t.0, s.1), (t.0, s.1));
            add((s.0, t.1), (s.0, t.1));
            for &m in &xs {
                add((m, s.1), (m, t.1));
            }
            for &m in &ys {
                add((s.0, m), (t.0, m));
            }
        }
    }
    super::order::sort_ascending(&mut costs);
    for pts in costs.iter().filter_map(|k| candidates.get(k & 0xfff)) {
        let pts = simplify(pts.to_vec());
        if !doubles_back(&pts) && obs.path_clear(&pts, ends) {
            return pts;
        }
    }
    let found = if quick { None } else { search(obs, a, b, ends) };
    found.unwrap_or_else(|| vec![pa, pb])
}

/// The fallback: the cheapest path from any side of one box to any side of the other along
/// the grid of channel lines near them (box sides just outside the margin, and halfway between
/// neighbouring lines, so a narrow gap is used), visiting at most `SEARCH` points.
fn search(obs: &Obstacles, a: Point, b: Point, ends: (usize, usize)) -> Option<Route> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let stub = |c: Point, side: Side| {
        let (p, o) = (side.port(c), side.out());
        (p, (p.0 + o.0 * STUB, p.1 + o.1 * STUB))
    };
    let starts: Vec<(Point, Point)> = Side::ALL.iter().map(|&s| stub(a, s)).collect();
    let goals: Vec<(Point, Point)> = Side::ALL.iter().map(|&s| stub(b, s)).collect();
    let wide = Rect::node(a).union(Rect::node(b)).grown(4.0 * HALF_W);
    let gap = MARGIN + SPREAD;
    let mut xs: Vec<f64> = starts.iter().chain(&goals).map(|(_, s)| s.0).collect();
    let mut ys: Vec<f64> = starts.iter().chain(&goals).map(|(_, s)| s.1).collect();
    obs.each_near(wide, &mut |_, r| {
        xs.extend([r.x0 - gap, r.x1 + gap]);
        ys.extend([r.y0 - gap, r.y1 + gap]);
        true
    });
    let lines = |mut v: Vec<f64>, lo: f64, hi: f64| {
        v.retain(|x| *x >= lo && *x <= hi);
        super::order::sort_by(&mut v, f64::total_cmp);
        v.dedup();
        let halves: Vec<f64> = v.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
        v.extend(halves);
        super::order::sort_by(&mut v, f64::total_cmp);
        v
    };
    let (xs, ys) = (lines(xs, wide.x0, wide.x1), lines(ys, wide.y0, wide.y1));
    let (w, h) = (xs.len(), ys.len());
    let at = |p: Point| Some((xs.iter().position(|&x| x == p.0)?, ys.iter().position(|&y| y == p.1)?));
    // Dijkstra over (x index, y index, direction: up, down, left, right); a path never turns
    // back on itself; costs are lengths plus bends.
    let steps: [(i64, i64); 4] = [(0, -1), (0, 1), (-1, 0), (1, 0)];
    let out_dir = |s: Side| match s {
        Side::Top => 0,
        Side::Bottom => 1,
        Side::Left => 2,
        Side::Right => 3,
    };
    let idx = |x: usize, y: usize, d: usize| (y * w + x) * 4 + d;
    let mut best = vec![u64::MAX; w * h * 4];
    let mut from = vec![usize::MAX; w * h * 4];
    let mut open = BinaryHeap::new();
    for (side, (_, s)) in Side::ALL.iter().zip(&starts) {
        let Some((x, y)) = at(*s) else { continue };
        let k = idx(x, y, out_dir(*side));
        best[k] = 0;
        open.push(Reverse((0u64, k)));
    }
    let goal_cells: Vec<(usize, usize, usize)> =
        Side::ALL.iter().zip(&goals).filter_map(|(side, (_, t))| at(*t).map(|(x, y)| (x, y, out_dir(*side)))).collect();
    // A*: the distance still to go to the nearest goal (never more than it costs) steers it.
    let goal_points: Vec<Point> = goal_cells.iter().map(|&(x, y, _)| (xs[x], ys[y])).collect();
    let ahead = |x: usize, y: usize| {
        let p = (xs[x], ys[y]);
        let d = goal_points.iter().map(|g| (g.0 - p.0).abs() + (g.1 - p.1).abs()).fold(f64::INFINITY, f64::min);
        (d * 10.0) as u64
    };
    for Reverse((c, k)) in std::mem::take(&mut open).into_vec() {
        let cell_xy = k / 4;
        open.push(Reverse((c + ahead(cell_xy % w, cell_xy / w), k)));
    }
    let mut visited = 0;
    let mut done = None;
    while let Some(Reverse((prio, k))) = open.pop() {
        let cost = best[k];
        if prio > cost.saturating_add(ahead((k / 4) % w, (k / 4) / w)) {
            continue;
        }
        visited += 1;
        if visited > SEARCH {
            return None;
        }
        let (cell_xy, dir) = (k / 4, k % 4);
        let (x, y) = (cell_xy % w, cell_xy / w);
        // A goal reached moving any way but straight out of its box.
        if goal_cells.iter().any(|&(gx, gy, out)| (gx, gy) == (x, y) && dir != out) {
            done = Some(k);
            break;
        }
        for (d, (dx, dy)) in steps.iter().enumerate() {
            if d ^ 1 == dir {
                continue;
            }
            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
            if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                continue;
            }
            let (nx, ny) = (nx as usize, ny as usize);
            let (p, q) = ((xs[x], ys[y]), (xs[nx], ys[ny]));
            if !obs.clear(p, q, ends) {
                continue;
            }
            let turn = if d == dir { 0.0 } else { BEND };
            let c = cost + (((q.0 - p.0).abs() + (q.1 - p.1).abs() + turn) * 10.0) as u64;
            let n = idx(nx, ny, d);
            if c < best[n] {
                best[n] = c;
                from[n] = k;
                open.push(Reverse((c + ahead(nx, ny), n)));
            }
        }
    }
    let mut k = done?;
    let cell_point = |k: usize| ((xs[(k / 4) % w]), ys[(k / 4) / w]);
    let end = cell_point(k);
    let mut pts = vec![goals.iter().find(|(_, t)| *t == end)?.0, end];
    while from[k] != usize::MAX {
        k = from[k];
        pts.push(cell_point(k));
    }
    let start = cell_point(k);
    pts.push(starts.iter().find(|(_, s)| *s == start)?.0);
    pts.reverse();
    let pts = simplify(pts);
    (!doubles_back(&pts) && obs.path_clear(&pts, ends)).then_some(pts)
}

/// The sides of two boxes that face each other.
fn facing(a: Point, b: Point) -> (Side, Side) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if dx.abs() * HALF_H >= dy.abs() * HALF_W {
        if dx >= 0.0 {
            (Side::Right, Side::Left)
        } else {
            (Side::Left, Side::Right)
        }
    } else if dy >= 0.0 {
        (Side::Bottom, Side::Top)
    } else {
        (Side::Top, Side::Bottom)
    }
}

/// A link from a node to itself: a small loop over its top right corner.
fn self_loop((x, y): Point) -> Route {
    let (r, t) = (x + HALF_W, y - HALF_H);
    vec![(r - 30.0, t), (r - 30.0, t - 22.0), (r + 22.0, t - 22.0), (r + 22.0, y - 10.0), (r, y - 10.0)]
}

/// Routes every link (`links`: pairs of indices into `centres`), then spreads lines that
/// would run on top of each other. The same input always gives the same routes.
pub fn route_all(centres: &[Point], links: &[(usize, usize)]) -> Vec<Route> {
    Routes::new(centres, links).spread(centres, links)
}

/// Routes kept between edits: each link's route before spreading, so that after a move only
/// the links it affects are routed again (then all are spread anew, which is cheap).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Routes {
    raw: Vec<Route>,
    centres: Vec<Point>,
    links: Vec<(usize, usize)>,
}

impl Routes {
    /// Every link routed.
    pub fn new(centres: &[Point], links: &[(usize, usize)]) -> Routes {
        let obs = Obstacles::new(centres, &|_| false);
        let raw = links.iter().map(|&l| route_link(&obs, centres, l)).collect();
        Routes { raw, centres: centres.to_vec(), links: links.to_vec() }
    }

    /// The routes for new positions: when the links are the same and few nodes moved, only the
    /// links that touch a moved node or pass near where one was or is now are routed again.
    pub fn update(&mut self, centres: &[Point], links: &[(usize, usize)]) {
        if links != self.links.as_slice() || centres.len() != self.centres.len() {
            *self = Routes::new(centres, links);
            return;
        }
        let moved: Vec<usize> = (0..centres.len()).filter(|&i| centres[i] != self.centres[i]).collect();
        if moved.is_empty() {
            return;
        }
        if moved.len() * 5 > centres.len() {
            *self = Routes::new(centres, links);
            return;
        }
        let areas: Vec<Rect> = moved
            .iter()
            .flat_map(|&i| [Rect::node(self.centres[i]), Rect::node(centres[i])])
            .map(|r| r.grown(MARGIN + SPREAD))
            .collect();
        let obs = Obstacles::new(centres, &|_| false);
        for (k, &(a, b)) in links.iter().enumerate() {
            let Some(old) = self.raw.get(k) else { continue };
            let near = moved.contains(&a)
                || moved.contains(&b)
                || old.windows(2).any(|w| areas.iter().any(|r| r.cut_by(w[0], w[1]) || r.contains(w[0])));
            if near {
                self.raw[k] = route_link(&obs, centres, (a, b));
            }
        }
        self.centres = centres.to_vec();
    }

    /// The routes, spread apart (see `spread`).
    pub fn spread(&self, centres: &[Point], links: &[(usize, usize)]) -> Vec<Route> {
        let obs = Obstacles::new(centres, &|_| false);
        let mut routes = self.raw.clone();
        spread(&mut routes, links, centres, &obs);
        routes
    }
}

fn route_link(obs: &Obstacles, centres: &[Point], (a, b): (usize, usize)) -> Route {
    match (centres.get(a), centres.get(b)) {
        (Some(&pa), Some(&pb)) => route(obs, pa, pb, (a, b), false),
        _ => Vec::new(),
    }
}

/// Spreads lines apart: links between the same two nodes drawn straight are set side by side;
/// the lines leaving one side of a box leave it at different points; overlapping runs of
/// different routes along one channel are moved apart.
pub fn spread(routes: &mut [Route], links: &[(usize, usize)], centres: &[Point], obs: &Obstacles) {
    // Each step keeps a route's change only when the route still passes through no box.
    let before: Vec<Route> = routes.to_vec();
    spread_straight(routes, links, centres);
    keep_clear(routes, &before, links, centres, obs);
    let before: Vec<Route> = routes.to_vec();
    spread_ports(routes, links, centres);
    keep_clear(routes, &before, links, centres, obs);
    let before: Vec<Route> = routes.to_vec();
    nudge(routes);
    keep_clear(routes, &before, links, centres, obs);
}

/// Puts back the routes that a spreading step spoiled: moved into a box, off their boxes'
/// borders, or no longer orthogonal.
fn keep_clear(routes: &mut [Route], before: &[Route], links: &[(usize, usize)], centres: &[Point], obs: &Obstacles) {
    let on_border = |p: Point, c: Option<&Point>| {
        c.is_some_and(|&c| {
            let r = Rect::node(c);
            let inside = p.0 >= r.x0 - 1e-6 && p.0 <= r.x1 + 1e-6 && p.1 >= r.y0 - 1e-6 && p.1 <= r.y1 + 1e-6;
            let edge = [p.0 - r.x0, p.0 - r.x1, p.1 - r.y0, p.1 - r.y1].iter().any(|d| d.abs() < 1e-6);
            inside && edge
        })
    };
    let orthogonal = |r: &[Point]| r.windows(2).all(|w| w[0].0 == w[1].0 || w[0].1 == w[1].1);
    for ((r, old), &(a, b)) in routes.iter_mut().zip(before).zip(links) {
        if r == old || a == b {
            continue;
        }
        let ends = match (r.first(), r.last()) {
            (Some(&p), Some(&q)) => on_border(p, centres.get(a)) && on_border(q, centres.get(b)),
            _ => false,
        };
        let shape = !orthogonal(old) || orthogonal(r);
        if !ends || !shape || !r.windows(2).all(|w| obs.clear_exact(w[0], w[1])) {
            r.clone_from(old);
        }
    }
}

/// Where a line from `p` (inside the box) towards `q` leaves the box.
fn exit(r: Rect, p: Point, q: Point) -> Point {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let tx = if dx > 0.0 {
        (r.x1 - p.0) / dx
    } else if dx < 0.0 {
        (r.x0 - p.0) / dx
    } else {
        f64::INFINITY
    };
    let ty = if dy > 0.0 {
        (r.y1 - p.1) / dy
    } else if dy < 0.0 {
        (r.y0 - p.1) / dy
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty).clamp(0.0, 1.0);
    (p.0 + dx * t, p.1 + dy * t)
}

/// Straight links between the same two nodes, set side by side (each still from border to
/// border).
fn spread_straight(routes: &mut [Route], links: &[(usize, usize)], centres: &[Point]) {
    // Straight links between the same pair, side by side.
    let mut pairs: Vec<((usize, usize), Vec<usize>)> = Vec::new();
    for (i, (r, &(a, b))) in routes.iter().zip(links).enumerate() {
        if r.len() == 2 && a != b {
            let k = (a.min(b), a.max(b));
            match pairs.iter_mut().find(|(p, _)| *p == k) {
                Some((_, v)) => v.push(i),
                None => pairs.push((k, vec![i])),
            }
        }
    }
    for ((a, b), group) in pairs.iter().filter(|(_, g)| g.len() > 1) {
        let (Some(&ca), Some(&cb)) = (centres.get(*a), centres.get(*b)) else { continue };
        let (d0, d1) = (cb.0 - ca.0, cb.1 - ca.1);
        let len = (d0 * d0 + d1 * d1).sqrt().max(1e-9);
        let m = group.len() as f64;
        for (k, &i) in group.iter().enumerate() {
            let off = ((k as f64 - (m - 1.0) / 2.0) * SPREAD).clamp(-HALF_H + 6.0, HALF_H - 6.0);
            let (nx, ny) = (-d1 / len * off, d0 / len * off);
            let (pa, pb) = ((ca.0 + nx, ca.1 + ny), (cb.0 + nx, cb.1 + ny));
            let (s, t) = (exit(Rect::node(ca), pa, pb), exit(Rect::node(cb), pb, pa));
            // The route runs from its link's first node, whichever way the pair was keyed.
            routes[i] = if links.get(i).is_some_and(|l| l.0 == *a) { vec![s, t] } else { vec![t, s] };
        }
    }
}

/// The lines leaving one side of a box, spread along that side in the order of where they go
/// (so that they do not cross near the box).
fn spread_ports(routes: &mut [Route], links: &[(usize, usize)], centres: &[Point]) {
    // (node, side) -> (route, which end, order key)
    type End = (usize, bool, f64);
    let mut groups: Vec<((usize, usize), Vec<End>)> = Vec::new();
    for (i, (r, &(a, b))) in routes.iter().zip(links).enumerate() {
        if r.len() < 3 || a == b {
            continue;
        }
        for (start, node) in [(true, a), (false, b)] {
            let (p, q, next) =
                if start { (r[0], r[1], r[2]) } else { (r[r.len() - 1], r[r.len() - 2], r[r.len() - 3]) };
            let Some(&c) = centres.get(node) else { continue };
            let side = if p.1 == q.1 { usize::from(q.0 > c.0) + 2 } else { usize::from(q.1 > c.1) };
            // Along a horizontal side lines are ordered by x, along a vertical one by y.
            let key = if side < 2 { next.0 } else { next.1 };
            match groups.iter_mut().find(|(g, _)| *g == (node, side)) {
                Some((_, v)) => v.push((i, start, key)),
                None => groups.push(((node, side), vec![(i, start, key)])),
            }
        }
    }
    for ((_, side), mut ends) in groups.into_iter().filter(|(_, v)| v.len() > 1) {
        super::order::sort_by(&mut ends, |x, y| x.2.total_cmp(&y.2).then(x.0.cmp(&y.0)));
        let m = ends.len() as f64;
        let room = if side < 2 { HALF_W } else { HALF_H } - 8.0;
        let step = SPREAD.min(2.0 * room / m.max(1.0));
        for (k, (i, start, _)) in ends.into_iter().enumerate() {
            let off = (k as f64 - (m - 1.0) / 2.0) * step;
            let r = &mut routes[i];
            let n = r.len();
            let order: Vec<usize> = if start { (0..n).collect() } else { (0..n).rev().collect() };
            // Shift the end point, and the points after it while the line runs straight out.
            for w in 0..order.len() {
                let at = order[w];
                if side < 2 {
                    r[at].0 += off;
                } else {
                    r[at].1 += off;
                }
                let Some(&nx) = order.get(w + 1) else { break };
                let along_out = if side < 2 { r[nx].0 == r[at].0 - off } else { r[nx].1 == r[at].1 - off };
                if !along_out {
                    break;
                }
            }
        }
    }
}

/// Moves apart the middle runs of different routes that share a channel and overlap.
fn nudge(routes: &mut [Route]) {
    // (vertical?, coordinate, from, to, route, segment)
    let mut runs: Vec<(bool, f64, f64, f64, usize, usize)> = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        if r.len() < 4 {
            continue;
        }
        for s in 1..r.len() - 2 {
            let (p, q) = (r[s], r[s + 1]);
            if p.0 == q.0 {
                runs.push((true, p.0, p.1.min(q.1), p.1.max(q.1), i, s));
            } else if p.1 == q.1 {
                runs.push((false, p.1, p.0.min(q.0), p.0.max(q.0), i, s));
            }
        }
    }
    super::order::sort_by(&mut runs, |a, b| {
        a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2)).then(a.4.cmp(&b.4))
    });
    let mut k = 0;
    while k < runs.len() {
        // Runs on one channel that overlap each other, transitively.
        let mut end = k + 1;
        let mut reach = runs[k].3;
        while end < runs.len() && runs[end].0 == runs[k].0 && runs[end].1 == runs[k].1 && runs[end].2 < reach {
            reach = reach.max(runs[end].3);
            end += 1;
        }
        let group = &runs[k..end];
        if group.len() > 1 {
            let m = group.len() as f64;
            for (j, &(vertical, _, _, _, i, s)) in group.iter().enumerate() {
                // Never past a stub's length: the run stays clear of the box it leaves.
                let off = ((j as f64 - (m - 1.0) / 2.0) * SPREAD).clamp(-(STUB - 4.0), STUB - 4.0);
                let r = &mut routes[i];
                for at in [s, s + 1] {
                    if vertical {
                        r[at].0 += off;
                    } else {
                        r[at].1 += off;
                    }
                }
            }
        }
        k = end;
    }
}

/// The point halfway along a route, and the direction of the segment it is on (true when
/// horizontal).
pub fn midpoint(r: &[Point]) -> Option<(Point, bool)> {
    let total: f64 = r.windows(2).map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt()).sum();
    let mut left = total / 2.0;
    for w in r.windows(2) {
        let len = ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        if left <= len && len > 0.0 {
            let t = left / len;
            return Some(((w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t), w[0].1 == w[1].1));
        }
        left -= len;
    }
    r.first().map(|&p| (p, true))
}
