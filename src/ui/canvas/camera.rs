//! The camera: pan and zoom as a pure value, and the view changes the canvas asks for (fit
//! everything, reveal some nodes). No browser types: tested natively.

/// A point (world units, or pixels where said).
pub type Point = (f64, f64);

/// A node's box on the canvas (world units), as the diagram export draws it.
pub use crate::export::diagram::{HALF_H as NODE_HALF_H, HALF_W as NODE_HALF_W};

/// Pan and zoom: screen = world × scale + (tx, ty).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    /// Screen x of world 0.
    pub tx: f64,
    /// Screen y of world 0.
    pub ty: f64,
    /// Screen pixels per world unit.
    pub scale: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { tx: 0.0, ty: 0.0, scale: 1.0 }
    }
}

impl Viewport {
    /// Converts a point in the canvas element's pixel space to world coordinates.
    pub fn world_from_screen(&self, (sx, sy): Point) -> Point {
        ((sx - self.tx) / self.scale, (sy - self.ty) / self.scale)
    }

    /// Converts a world point to the canvas element's pixel space.
    pub fn screen_from_world(&self, (x, y): Point) -> Point {
        (x * self.scale + self.tx, y * self.scale + self.ty)
    }

    /// Zooms by `factor` keeping the screen point `at` fixed.
    pub fn zoomed(&self, factor: f64, at: Point) -> Viewport {
        let scale = (self.scale * factor).clamp(0.1, 4.0);
        let (wx, wy) = self.world_from_screen(at);
        Viewport { tx: at.0 - wx * scale, ty: at.1 - wy * scale, scale }
    }

    /// Moved by a screen-pixel offset.
    pub fn panned(&self, (dx, dy): Point) -> Viewport {
        Viewport { tx: self.tx + dx, ty: self.ty + dy, scale: self.scale }
    }
}

/// The view that shows every node (centres given) in a canvas of `size` pixels; the default
/// view when there is none.
pub fn fit(centres: &[Point], size: Point) -> Viewport {
    let Some((x0, y0, x1, y1)) = centres.iter().fold(None, |acc: Option<(f64, f64, f64, f64)>, &(x, y)| {
        // With room for the frames drawn around nodes (zone and cluster frames, their names).
        let b = (x - NODE_HALF_W - 32.0, y - NODE_HALF_H - 76.0, x + NODE_HALF_W + 32.0, y + NODE_HALF_H + 32.0);
        Some(match acc {
            None => b,
            Some((a, c, e, f)) => (a.min(b.0), c.min(b.1), e.max(b.2), f.max(b.3)),
        })
    }) else {
        return Viewport::default();
    };
    let (w, h) = size;
    let pad = 40.0;
    let scale = ((w - 2.0 * pad) / (x1 - x0).max(1.0)).min((h - 2.0 * pad) / (y1 - y0).max(1.0)).clamp(0.1, 1.2);
    let tx = (w - (x1 - x0) * scale) / 2.0 - x0 * scale;
    let ty = (h - (y1 - y0) * scale) / 2.0 - y0 * scale;
    Viewport { tx, ty, scale }
}

/// The view that brings the nodes at `centres` into sight: unchanged when all are visible,
/// else centred on them at the same zoom.
pub fn reveal(view: Viewport, centres: &[Point], size: Point) -> Viewport {
    if centres.is_empty() {
        return view;
    }
    let (w, h) = size;
    let visible = centres.iter().all(|&p| {
        let (sx, sy) = view.screen_from_world(p);
        sx - NODE_HALF_W * view.scale >= 0.0
            && sy - NODE_HALF_H * view.scale >= 0.0
            && sx + NODE_HALF_W * view.scale <= w
            && sy + NODE_HALF_H * view.scale <= h
    });
    if visible {
        return view;
    }
    let n = centres.len() as f64;
    let (cx, cy) = (centres.iter().map(|p| p.0).sum::<f64>() / n, centres.iter().map(|p| p.1).sum::<f64>() / n);
    Viewport { tx: w / 2.0 - cx * view.scale, ty: h / 2.0 - cy * view.scale, scale: view.scale }
}

/// The view centred on a point at a readable zoom (at least `readable`, keeping a closer one):
/// where a search takes the user.
pub fn focus(view: Viewport, at: Point, size: Point, readable: f64) -> Viewport {
    let scale = view.scale.max(readable).clamp(0.1, 4.0);
    Viewport { tx: size.0 / 2.0 - at.0 * scale, ty: size.1 / 2.0 - at.1 * scale, scale }
}

/// The view centred on a world point at the same zoom (a click on the minimap).
pub fn centred(view: Viewport, at: Point, size: Point) -> Viewport {
    Viewport { tx: size.0 / 2.0 - at.0 * view.scale, ty: size.1 / 2.0 - at.1 * view.scale, scale: view.scale }
}

/// The free spot nearest `centre` for a new node: no node box of `occupied` (centres) overlaps
/// it, with a small gap; tried on a grid of node-sized steps, ring by ring.
pub fn free_spot(centre: Point, occupied: &[Point]) -> Point {
    let (w, h) = (2.0 * NODE_HALF_W + 20.0, 2.0 * NODE_HALF_H + 20.0);
    let free = |(x, y): Point| {
        occupied
            .iter()
            .all(|&(ox, oy)| (ox - x).abs() >= 2.0 * NODE_HALF_W + 10.0 || (oy - y).abs() >= 2.0 * NODE_HALF_H + 10.0)
    };
    for ring in 0..40i32 {
        let mut candidates: Vec<(i32, i32)> = Vec::new();
        for i in -ring..=ring {
            for j in -ring..=ring {
                if i.abs().max(j.abs()) == ring {
                    candidates.push((i, j));
                }
            }
        }
        crate::model::order::sort_by_key(&mut candidates, |&(i, j)| (i * i + j * j, j, i));
        for (i, j) in candidates {
            let at = (centre.0 + f64::from(i) * w, centre.1 + f64::from(j) * h);
            if free(at) {
                return at;
            }
        }
    }
    centre
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_centres_at_a_readable_zoom() {
        let v = focus(Viewport { tx: 0.0, ty: 0.0, scale: 0.2 }, (500.0, 300.0), (1000.0, 600.0), 1.0);
        assert_eq!(v.scale, 1.0);
        assert_eq!(v.screen_from_world((500.0, 300.0)), (500.0, 300.0));
        assert_eq!(focus(Viewport { tx: 0.0, ty: 0.0, scale: 2.0 }, (0.0, 0.0), (10.0, 10.0), 1.0).scale, 2.0);
        let c = centred(Viewport { tx: 3.0, ty: 4.0, scale: 0.5 }, (100.0, 100.0), (200.0, 100.0));
        assert_eq!(c.screen_from_world((100.0, 100.0)), (100.0, 50.0));
    }

    #[test]
    fn zoom_keeps_the_point_under_the_pointer() {
        let v = Viewport { tx: 30.0, ty: -12.0, scale: 0.8 };
        let at = (200.0, 150.0);
        let before = v.world_from_screen(at);
        let z = v.zoomed(1.7, at);
        let after = z.world_from_screen(at);
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        assert_eq!(v.zoomed(100.0, at).scale, 4.0);
        assert_eq!(v.screen_from_world(v.world_from_screen(at)), at);
    }

    #[test]
    fn a_new_node_never_lands_on_another() {
        let mut taken: Vec<Point> = Vec::new();
        for _ in 0..30 {
            let at = free_spot((400.0, 300.0), &taken);
            for &(x, y) in &taken {
                assert!(
                    (x - at.0).abs() >= 2.0 * NODE_HALF_W || (y - at.1).abs() >= 2.0 * NODE_HALF_H,
                    "{at:?} on {x},{y}"
                );
            }
            taken.push(at);
        }
        assert_eq!(free_spot((400.0, 300.0), &[]), (400.0, 300.0));
    }

    #[test]
    fn fit_shows_every_node_and_reveal_moves_only_when_needed() {
        let nodes = [(0.0, 0.0), (1000.0, 600.0), (-300.0, 200.0)];
        let size = (800.0, 600.0);
        let v = fit(&nodes, size);
        for &p in &nodes {
            let (sx, sy) = v.screen_from_world(p);
            assert!(sx >= 0.0 && sx <= size.0 && sy >= 0.0 && sy <= size.1, "{p:?} off screen");
        }
        assert_eq!(fit(&[], size), Viewport::default());
        let same = reveal(v, &[nodes[0]], size);
        assert_eq!(same, v);
        let far = reveal(Viewport::default(), &[(5000.0, 5000.0)], size);
        assert_eq!(far.screen_from_world((5000.0, 5000.0)), (400.0, 300.0));
    }
}
