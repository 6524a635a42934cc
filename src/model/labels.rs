//! Where the port labels of links go: on the link, at its middle when there is room, never
//! over a node box or another label. A label with no free place is merged into the nearest
//! one, which then counts how many it holds (the list shows on hover and focus). Pure and
//! deterministic, shared by the canvas and the diagram export.

use std::collections::HashMap;

use super::geometry::{Point, Rect};
use super::route::Route;

/// Height of a label's background.
pub const HEIGHT: f64 = 14.0;

/// The width of a label's background for a text (10 px text, about 5.8 px a character).
pub fn width(text: &str) -> f64 {
    text.chars().count() as f64 * 5.8 + 8.0
}

/// A placed label: its centre, its size, and the links whose ports it shows (index into the
/// links, text); more than one when labels were merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// Centre.
    pub at: Point,
    /// Width of the background.
    pub w: f64,
    /// The links and their texts, the first one shown.
    pub texts: Vec<(usize, String)>,
}

impl Placed {
    /// The background's rectangle.
    pub fn rect(&self) -> Rect {
        Rect {
            x0: self.at.0 - self.w / 2.0,
            y0: self.at.1 - HEIGHT / 2.0,
            x1: self.at.0 + self.w / 2.0,
            y1: self.at.1 + HEIGHT / 2.0,
        }
    }

    /// What the label shows: its text, and how many more it holds.
    pub fn shown(&self) -> String {
        match self.texts.as_slice() {
            [] => String::new(),
            [(_, one)] => one.clone(),
            [(_, first), rest @ ..] => format!("{first} +{}", rest.len()),
        }
    }
}

const CELL: f64 = 200.0;

struct Index {
    grid: HashMap<(i32, i32), Vec<usize>>,
}

impl Index {
    fn cells(r: Rect) -> impl Iterator<Item = (i32, i32)> {
        let c = |v: f64| (v / CELL).floor().clamp(-1.0e6, 1.0e6) as i32;
        let (x0, x1, y0, y1) = (c(r.x0), c(r.x1), c(r.y0), c(r.y1));
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }
    fn add(&mut self, i: usize, r: Rect) {
        for k in Index::cells(r) {
            self.grid.entry(k).or_default().push(i);
        }
    }
    fn hits<'a>(&'a self, r: Rect, all: &'a [Rect]) -> impl Iterator<Item = usize> + 'a {
        Index::cells(r)
            .flat_map(move |k| self.grid.get(&k).into_iter().flatten().copied())
            .filter(move |&i| all.get(i).is_some_and(|o| o.overlaps(&r)))
    }
}

/// The point at a fraction of a route's length, and whether its segment there is horizontal.
fn along(r: &[Point], f: f64) -> Option<(Point, bool)> {
    let seg = |w: &[Point]| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
    let total: f64 = r.windows(2).map(seg).sum();
    let mut left = total * f;
    for w in r.windows(2) {
        let len = seg(w);
        if left <= len && len > 0.0 {
            let t = left / len;
            return Some(((w[0].0 + (w[1].0 - w[0].0) * t, w[0].1 + (w[1].1 - w[0].1) * t), w[0].1 == w[1].1));
        }
        left -= len;
    }
    None
}

/// Places the labels of links (`texts[i]`: the label of link `i` drawn along `routes[i]`, or
/// `None`), avoiding the node boxes `boxes` and each other.
pub fn place(routes: &[Route], texts: &[Option<String>], boxes: &[Rect]) -> Vec<Placed> {
    let mut nodes = Index { grid: HashMap::new() };
    for (i, b) in boxes.iter().enumerate() {
        nodes.add(i, *b);
    }
    let mut placed: Vec<Placed> = Vec::new();
    let mut rects: Vec<Rect> = Vec::new();
    let mut taken = Index { grid: HashMap::new() };
    let mut homeless = Vec::new();
    for (i, (route, text)) in routes.iter().zip(texts).enumerate() {
        let Some(text) = text.as_ref().filter(|t| !t.is_empty()) else { continue };
        let w = width(text);
        let mut spot = None;
        'search: for f in [0.5, 0.38, 0.62, 0.26, 0.74] {
            let Some((p, horizontal)) = along(route, f) else { continue };
            // On the line, then beside it.
            let step = if horizontal { (0.0, HEIGHT) } else { (w / 2.0 + 4.0, 0.0) };
            for k in [0.0, -1.0, 1.0] {
                let at = (p.0 + step.0 * k, p.1 + step.1 * k);
                let r =
                    Rect { x0: at.0 - w / 2.0, y0: at.1 - HEIGHT / 2.0, x1: at.0 + w / 2.0, y1: at.1 + HEIGHT / 2.0 };
                if nodes.hits(r, boxes).next().is_none() && taken.hits(r, &rects).next().is_none() {
                    spot = Some(at);
                    break 'search;
                }
            }
        }
        match spot {
            Some(at) => {
                let p = Placed { at, w, texts: vec![(i, text.clone())] };
                taken.add(rects.len(), p.rect());
                rects.push(p.rect());
                placed.push(p);
            }
            None => homeless.push(i),
        }
    }
    // Labels with no free place join the nearest placed label (when no label found a place at
    // all, the first of them stays at its link's middle and the others join it).
    for i in homeless {
        let (Some(route), Some(Some(text))) = (routes.get(i), texts.get(i)) else { continue };
        let Some((mid, _)) = along(route, 0.5) else { continue };
        let nearest = placed.iter_mut().min_by(|a, b| {
            let d = |p: &Placed| (p.at.0 - mid.0).powi(2) + (p.at.1 - mid.1).powi(2);
            d(a).total_cmp(&d(b))
        });
        match nearest {
            Some(p) => {
                p.texts.push((i, text.clone()));
                p.w = p.w.max(width(&p.shown()));
            }
            None => placed.push(Placed { at: mid, w: width(text), texts: vec![(i, text.clone())] }),
        }
    }
    // A label that grew by merging ("9446 +1") may now cover a box or another label: it moves
    // to the nearest free spot around where it was (above and below first, then beside).
    for k in 0..placed.len() {
        if placed[k].texts.len() < 2 {
            continue;
        }
        let free = |r: Rect, placed: &[Placed]| {
            nodes.hits(r, boxes).next().is_none()
                && placed.iter().enumerate().all(|(j, q)| j == k || !q.rect().overlaps(&r))
        };
        if free(placed[k].rect(), &placed) {
            continue;
        }
        let (at, w) = (placed[k].at, placed[k].w);
        let spot = (1..=8).find_map(|ring| {
            let (dy, dx) = (f64::from(ring) * (HEIGHT + 2.0), f64::from(ring) * (w / 2.0 + 8.0));
            [(0.0, -dy), (0.0, dy), (-dx, 0.0), (dx, 0.0), (-dx, -dy), (dx, -dy), (-dx, dy), (dx, dy)]
                .into_iter()
                .map(|(ox, oy)| (at.0 + ox, at.1 + oy))
                .find(|c| {
                    free(
                        Rect { x0: c.0 - w / 2.0, y0: c.1 - HEIGHT / 2.0, x1: c.0 + w / 2.0, y1: c.1 + HEIGHT / 2.0 },
                        &placed,
                    )
                })
        });
        if let Some(c) = spot {
            placed[k].at = c;
        }
    }
    placed
}
