//! The canvas's markup, as text: what a node, a link, a port label and the cluster frame look
//! like in SVG, from a plain description of each (pure, tested natively). The painter
//! (`paint`, wasm only) parses a whole layer of it in one go when a design opens, and patches
//! single attributes afterwards; every user value passes through XML escaping here, so a label
//! stays text whatever it holds.

use std::fmt::Write;

use super::camera::Point;
use crate::export::diagram::{border, glyph, short, HALF_H, HALF_W};
use crate::export::escape::xml;
use crate::model::{NodeId, NodeKind};

/// What a node shows: the painter redraws the parts whose look changed.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeLook {
    /// The node's kind (fixed for a node's life: a new kind is a new element).
    pub kind: NodeKind,
    /// Centre, world units (while dragged: where the pointer has it).
    pub pos: Point,
    /// The full label.
    pub label: String,
    /// Selected.
    pub selected: bool,
    /// Unwaived (errors, warnings) naming the node.
    pub badge: (usize, usize),
    /// Texts and the connection handle drawn (a readable zoom).
    pub detail: bool,
}

/// The node's `transform` attribute.
pub fn transform((x, y): Point) -> String {
    format!("translate({x},{y})")
}

/// The node's `class` attribute.
pub fn node_class(look: &NodeLook) -> String {
    format!("node kind-{}{}", look.kind.as_str(), if look.selected { " selected" } else { "" })
}

/// The node's accessible name: the full label and the id (what the box shows, untruncated),
/// then the kind and the finding counts.
pub fn aria_label(id: &NodeId, look: &NodeLook) -> String {
    let counts = match look.badge {
        (0, 0) => String::new(),
        (e, w) => format!(", {e} error(s), {w} warning(s)"),
    };
    format!("{} {id}, {}{counts}", look.label, look.kind.title())
}

/// What is inside a node's `<g>`: the tooltip, the box, the icon, the badge and the handle.
pub fn node_inner(id: &NodeId, look: &NodeLook) -> String {
    let mut out = String::with_capacity(320);
    let _ = write!(
        out,
        "<title>{}</title><rect class=\"node-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"></rect><circle class=\"node-icon\" cx=\"-60\" cy=\"0\" r=\"17\"></circle>",
        xml(&look.label),
        -HALF_W,
        -HALF_H,
        2.0 * HALF_W,
        2.0 * HALF_H
    );
    let (errors, warnings) = look.badge;
    if errors + warnings > 0 {
        let (class, count, what) =
            if errors > 0 { ("badge error", errors, "error") } else { ("badge warning", warnings, "warning") };
        let _ = write!(
            out,
            "<g class=\"{class}\" data-testid=\"badge\" data-errors=\"{errors}\" data-warnings=\"{warnings}\" aria-hidden=\"true\"><title>{errors} error(s), {warnings} warning(s)</title><circle cx=\"{x}\" cy=\"{}\" r=\"10\"></circle><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" aria-label=\"{count} {what}s\">{count}</text></g>",
            -HALF_H,
            -HALF_H + 4.0,
            x = HALF_W - 10.0,
        );
    }
    if look.detail {
        let _ = write!(
            out,
            "<circle class=\"handle\" data-testid=\"handle\" data-handle=\"{}\" aria-hidden=\"true\" cx=\"{HALF_W}\" cy=\"0\" r=\"7\"><title>Drag to another node to connect</title></circle>",
            xml(id.as_str())
        );
    }
    out
}

/// What is inside a node's text group (drawn beside the option, hidden from assistive
/// technology: the accessible name already says it, untruncated).
pub fn node_text_inner(id: &NodeId, look: &NodeLook) -> String {
    format!(
        "<text class=\"node-glyph\" x=\"-60\" y=\"4\" text-anchor=\"middle\">{}</text><text class=\"node-label\" x=\"-36\" y=\"-3\">{}</text><text class=\"node-kind\" x=\"-36\" y=\"14\">{}</text>",
        glyph(look.kind),
        xml(&short(&look.label)),
        xml(id.as_str())
    )
}

/// The node's text group, when its look has detail.
pub fn node_text(id: &NodeId, look: &NodeLook) -> String {
    format!(
        "<g class=\"node-text kind-{}\" aria-hidden=\"true\" transform=\"{}\">{}</g>",
        look.kind.as_str(),
        transform(look.pos),
        node_text_inner(id, look)
    )
}

/// A whole node: its `<g>` (the option that moves) and, with detail, its text group after it.
pub fn node(id: &NodeId, look: &NodeLook) -> String {
    let mut out = format!(
        "<g class=\"{}\" data-node-id=\"{}\" data-kind=\"{}\" aria-selected=\"{}\" role=\"option\" tabindex=\"0\" aria-label=\"{}\" transform=\"{}\">{}</g>",
        node_class(look),
        xml(id.as_str()),
        look.kind.as_str(),
        look.selected,
        xml(&aria_label(id, look)),
        transform(look.pos),
        node_inner(id, look)
    );
    if look.detail {
        out.push_str(&node_text(id, look));
    }
    out
}

/// A link's path between two node centres (`a` == `b`'s node: a loop above the box).
pub fn link_path(a: Point, b: Point, self_loop: bool) -> String {
    if self_loop {
        return format!("M{} {} c 40 -70 100 -70 60 0", a.0 + HALF_W - 20.0, a.1 - HALF_H);
    }
    let ((x1, y1), (x2, y2)) = (border(a, b), border(b, a));
    format!("M{x1} {y1} L{x2} {y2}")
}

/// A link: a wide transparent path that takes the pointer and the line drawn.
pub fn link(from: &NodeId, to: &NodeId, occurrence: usize, d: &str, selected: bool) -> String {
    format!(
        "<g class=\"{}\" role=\"img\" aria-label=\"Link from {f} to {t}\" data-link=\"{f}~{t}\" data-occurrence=\"{occurrence}\"><path class=\"link-hit\" d=\"{d}\"></path><path class=\"link-line\" d=\"{d}\"></path></g>",
        link_class(selected),
        f = xml(from.as_str()),
        t = xml(to.as_str()),
    )
}

/// A link's `class` attribute.
pub fn link_class(selected: bool) -> &'static str {
    if selected {
        "link selected"
    } else {
        "link"
    }
}

/// Where a link's port label goes: at the middle of its line, a little above.
pub fn label_at(a: Point, b: Point) -> Point {
    let ((x1, y1), (x2, y2)) = (border(a, b), border(b, a));
    ((x1 + x2) / 2.0, (y1 + y2) / 2.0 - 4.0)
}

/// A port label.
pub fn label(from: &NodeId, to: &NodeId, (x, y): Point, text: &str) -> String {
    format!(
        "<text class=\"link-label\" data-link-label=\"{}~{}\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{}</text>",
        xml(from.as_str()),
        xml(to.as_str()),
        xml(text)
    )
}

/// The cluster frame's box (x0, y0, x1, y1) around the Key Manager nodes' centres, if any.
pub fn frame_box(kms: impl Iterator<Item = Point>) -> Option<(f64, f64, f64, f64)> {
    let mut b: Option<(f64, f64, f64, f64)> = None;
    for (x, y) in kms {
        b = Some(match b {
            None => (x, y, x, y),
            Some((a, c, e, f)) => (a.min(x), c.min(y), e.max(x), f.max(y)),
        });
    }
    b.map(|(x0, y0, x1, y1)| (x0 - HALF_W - 16.0, y0 - HALF_H - 30.0, x1 + HALF_W + 16.0, y1 + HALF_H + 16.0))
}

/// What is inside the cluster frame's group: the box and the domain.
pub fn frame_inner((x0, y0, x1, y1): (f64, f64, f64, f64), domain: &str) -> String {
    format!(
        "<rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" rx=\"14\"></rect><text x=\"{}\" y=\"{}\">cluster {}</text>",
        x1 - x0,
        y1 - y0,
        x0 + 12.0,
        y0 + 18.0,
        xml(domain)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(label: &str) -> NodeLook {
        NodeLook {
            kind: NodeKind::KeyManager,
            pos: (100.0, 50.5),
            label: label.into(),
            selected: false,
            badge: (0, 0),
            detail: true,
        }
    }

    #[test]
    fn hostile_labels_stay_text() {
        let id = NodeId::parse("km-1").unwrap_or_else(|| unreachable!());
        let l = look("<script>alert(1)</script>\" onload=\"x' &amp;");
        let m = node(&id, &l);
        assert!(!m.contains("<script"), "{m}");
        assert!(!m.contains("\" onload"), "{m}");
        assert!(m.contains("&lt;script&gt;"));
        assert!(label(&id, &id, (0.0, 0.0), "<b>").contains("&lt;b&gt;"));
        assert!(frame_inner((0.0, 0.0, 1.0, 1.0), "a<b").contains("cluster a&lt;b"));
    }

    #[test]
    fn a_node_says_its_state() {
        let id = NodeId::parse("km-1").unwrap_or_else(|| unreachable!());
        let mut l = look("KM 1");
        let m = node(&id, &l);
        assert!(m.contains("transform=\"translate(100,50.5)\""));
        assert!(m.contains("aria-selected=\"false\""));
        assert!(m.contains("data-testid=\"handle\""));
        assert!(m.contains("class=\"node-text kind-key-manager\""));
        assert!(!m.contains("badge"));
        l.selected = true;
        l.badge = (2, 1);
        l.detail = false;
        let m = node(&id, &l);
        assert!(m.contains("class=\"node kind-key-manager selected\""));
        assert!(m.contains("aria-label=\"KM 1 km-1, Key Manager node, 2 error(s), 1 warning(s)\""));
        assert!(m.contains("class=\"badge error\"") && m.contains("data-errors=\"2\""));
        assert!(!m.contains("handle") && !m.contains("node-text"));
    }

    #[test]
    fn links_leave_the_boxes_at_their_borders() {
        assert_eq!(link_path((0.0, 0.0), (400.0, 0.0), false), format!("M{HALF_W} 0 L{} 0", 400.0 - HALF_W));
        assert_eq!(label_at((0.0, 0.0), (400.0, 0.0)), (200.0, -4.0));
        assert_eq!(frame_box([(0.0, 0.0), (200.0, 100.0)].into_iter()), Some((-101.0, -60.0, 301.0, 146.0)));
        assert_eq!(frame_box(std::iter::empty()), None);
    }
}
