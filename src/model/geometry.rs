//! What a node looks like wherever it is drawn (the canvas and the diagram export): its box,
//! where a line leaves it, its label wrapped to two lines, and the line of facts under it.
//! World units throughout; a node's `x`, `y` are the centre of its box.

use super::address::Addr;
use super::design::{Design, Node};
use super::schema::{NodeKind, Product};

/// A point in world units.
pub type Point = (f64, f64);

/// Half the width of a node box.
pub const HALF_W: f64 = 85.0;
/// Half the height of a node box.
pub const HALF_H: f64 = 30.0;
/// The characters that fit on one line of a node's label (13 px text beside the icon).
pub const LABEL_LINE: usize = 14;
/// The characters that fit on a node's line of facts (10 px text).
pub const FACTS_LINE: usize = 20;

/// An axis-aligned rectangle: left, top, right, bottom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// The box of a node centred at `(x, y)`.
    pub fn node((x, y): Point) -> Rect {
        Rect { x0: x - HALF_W, y0: y - HALF_H, x1: x + HALF_W, y1: y + HALF_H }
    }

    /// Grown by `by` on every side.
    pub fn grown(self, by: f64) -> Rect {
        Rect { x0: self.x0 - by, y0: self.y0 - by, x1: self.x1 + by, y1: self.y1 + by }
    }

    /// The smallest rectangle holding both.
    pub fn union(self, o: Rect) -> Rect {
        Rect { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }

    /// True when the point is inside or on the edge.
    pub fn contains(&self, (x, y): Point) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// True when the rectangles share some area (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Width.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// True when the segment from `a` to `b` passes through the inside of the rectangle
    /// (running along an edge or touching a corner does not count).
    pub fn cut_by(&self, a: Point, b: Point) -> bool {
        // Liang–Barsky clipping against the open rectangle.
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, a.0 - self.x0), (dx, self.x1 - a.0), (-dy, a.1 - self.y0), (dy, self.y1 - a.1)] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 >= t1 {
                    return false;
                }
            }
        }
        t1 - t0 > 1e-9
    }
}

/// Where a segment from the centre of node box `a` towards `b` leaves the box.
pub fn border(a: Point, b: Point) -> Point {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if dx == 0.0 && dy == 0.0 {
        return a;
    }
    let tx = if dx == 0.0 { f64::INFINITY } else { HALF_W / dx.abs() };
    let ty = if dy == 0.0 { f64::INFINITY } else { HALF_H / dy.abs() };
    let t = tx.min(ty).min(1.0);
    (a.0 + dx * t, a.1 + dy * t)
}

/// A label on at most two lines of `LABEL_LINE` characters, broken between words where it
/// can; what does not fit ends in `…` (the full text is the node's accessible name and tooltip).
pub fn wrap_label(label: &str) -> (String, Option<String>) {
    let clean: String = label.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let text = words.join(" ");
    if text.chars().count() <= LABEL_LINE {
        return (text, None);
    }
    // The first line: as many whole words as fit, else a hard break.
    let mut first = String::new();
    let mut used = 0;
    for (i, w) in words.iter().enumerate() {
        let extra = w.chars().count() + usize::from(i > 0);
        if first.chars().count() + extra > LABEL_LINE {
            break;
        }
        if i > 0 {
            first.push(' ');
        }
        first.push_str(w);
        used = i + 1;
    }
    let rest: String = if used == 0 {
        first = text.chars().take(LABEL_LINE).collect();
        text.chars().skip(LABEL_LINE).collect()
    } else {
        words[used..].join(" ")
    };
    (first, Some(shorten(&rest, LABEL_LINE)))
}

/// Text cut to `max` characters, ending in `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// What the node is, in a few words: the database engine, the load balancer's or the
/// directory's product, the storage type or the Key Manager's release.
pub fn flavour(n: &Node, product: Product) -> String {
    let text = |k: &str| if n.kind.prop(k).is_some() { n.str(k, product) } else { String::new() };
    match n.kind {
        NodeKind::KeyManager => format!("KM {}", text("product_version")),
        NodeKind::Database => [text("engine"), text("version")].join(" ").trim().to_string(),
        NodeKind::LoadBalancer => text("product"),
        NodeKind::Directory => text("product"),
        NodeKind::SharedStorage => text("type"),
        NodeKind::Client => text("cidr"),
        NodeKind::ApiManager | NodeKind::Analytics => String::new(),
    }
}

/// The line of facts under a node's label when zoomed in: its address (ip, else host name) and
/// what it is, shortened to fit; the id when there is no address.
pub fn facts(n: &Node, product: Product) -> String {
    let addr = Addr::of(n, product).text().map(str::to_string).unwrap_or_else(|| n.id.to_string());
    let what = flavour(n, product);
    let line = if what.is_empty() { addr } else { format!("{addr} · {what}") };
    shorten(&line, FACTS_LINE)
}

/// The bounding box of every node box of a design (`None` for an empty design).
pub fn bounds(d: &Design) -> Option<Rect> {
    d.nodes.iter().map(|n| Rect::node((n.x, n.y))).reduce(Rect::union)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_wrap_between_words_and_end_in_an_ellipsis() {
        assert_eq!(wrap_label("KM 1"), ("KM 1".to_string(), None));
        assert_eq!(wrap_label("Key Manager node 17"), ("Key Manager".to_string(), Some("node 17".to_string())));
        let (a, b) = wrap_label("MySQL (primary, replicated across both zones)");
        assert!(a.chars().count() <= LABEL_LINE && b.as_ref().is_some_and(|b| b.chars().count() <= LABEL_LINE));
        assert!(b.is_some_and(|b| b.ends_with('…')));
        assert_eq!(wrap_label("abcdefghijklmnopqrstuvwxyz").0, "abcdefghijklmn");
        assert_eq!(wrap_label("a\nb"), ("a b".to_string(), None));
    }

    #[test]
    fn a_segment_cuts_a_box_only_through_its_inside() {
        let r = Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        assert!(r.cut_by((-5.0, 5.0), (15.0, 5.0)));
        assert!(!r.cut_by((-5.0, 0.0), (15.0, 0.0)), "along an edge");
        assert!(!r.cut_by((-5.0, -1.0), (15.0, -1.0)));
        assert!(r.cut_by((5.0, 5.0), (5.0, 20.0)), "from inside");
        assert!(!r.cut_by((-5.0, 5.0), (0.0, 5.0)), "ends on the edge");
        assert!(r.cut_by((-5.0, -5.0), (15.0, 15.0)), "diagonal");
    }
}
