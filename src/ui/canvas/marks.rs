//! The canvas's markup, as text: what a node, a link, a port label, a zone frame and the
//! cluster frame look like in SVG, from a plain description of each (pure, tested natively).
//! The painter (`paint`, wasm only) parses a whole layer of it in one go when a design opens,
//! and patches single attributes afterwards; every user value passes through XML escaping
//! here, so a label stays text whatever it holds.

use std::fmt::Write;

use super::camera::Point;
use crate::export::escape::xml;
use crate::model::geometry::{wrap_label, HALF_H, HALF_W};
use crate::model::labels::{Placed, HEIGHT};
use crate::model::number::Num as N;
use crate::model::{NodeId, NodeKind};

pub use crate::export::diagram::glyph;

/// What a node's texts show at a zoom: nothing (too small to read), its label and id, or its
/// label and its line of facts (address, what it is).
pub const NO_TEXT: u8 = 0;
/// Label and id.
pub const LABELS: u8 = 1;
/// Label and the line of facts.
pub const FACTS: u8 = 2;

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
    /// How much text is drawn (`NO_TEXT`, `LABELS`, `FACTS`); the connection handle with any.
    pub detail: u8,
    /// The line of facts (drawn at `FACTS`).
    pub facts: String,
    /// The node's review notes (a marker shows them; empty: no marker).
    pub notes: String,
    /// In compare mode, how the node differs from the design compared with: `added`,
    /// `changed` or nothing.
    pub mark: &'static str,
}

/// The node's `transform` attribute.
pub fn transform((x, y): Point) -> String {
    format!("translate({},{})", N(x), N(y))
}

/// The node's `class` attribute.
pub fn node_class(look: &NodeLook) -> String {
    format!(
        "node kind-{}{}{}{}",
        look.kind.as_str(),
        if look.selected { " selected" } else { "" },
        if look.mark.is_empty() { "" } else { " diff-" },
        look.mark
    )
}

/// The node's accessible name: its full label (its id when the label is blank).
pub fn aria_label(id: &NodeId, look: &NodeLook) -> String {
    if look.label.trim().is_empty() {
        id.to_string()
    } else {
        look.label.clone()
    }
}

/// The node's accessible description: its id, its kind and its finding counts.
pub fn description(id: &NodeId, look: &NodeLook) -> String {
    let counts = match look.badge {
        (0, 0) => String::new(),
        (e, w) => format!(", {e} error(s), {w} warning(s)"),
    };
    let notes = if look.notes.is_empty() { "" } else { ", has review notes" };
    let mark = match look.mark {
        "added" => ", added since the compared design",
        "changed" => ", changed since the compared design",
        _ => "",
    };
    format!("{id}, {}{counts}{notes}{mark}", look.kind.title())
}

/// What is inside a node's `<g>`: the tooltip and description, the box, the icon and the
/// handle.
pub fn node_inner(id: &NodeId, look: &NodeLook) -> String {
    let mut out = String::with_capacity(360);
    let _ = write!(
        out,
        "<title>{}</title><desc>{}</desc><rect class=\"node-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"></rect><circle class=\"node-icon\" cx=\"-60\" cy=\"0\" r=\"17\"></circle>",
        xml(&look.label),
        xml(&description(id, look)),
        N(-HALF_W),
        N(-HALF_H),
        N(2.0 * HALF_W),
        N(2.0 * HALF_H)
    );
    if look.detail > NO_TEXT {
        let _ = write!(
            out,
            "<circle class=\"handle\" data-testid=\"handle\" data-handle=\"{}\" aria-hidden=\"true\" cx=\"{}\" cy=\"0\" r=\"7\"><title>Drag to another node to connect</title></circle>",
            xml(id.as_str()),
            N(HALF_W)
        );
    }
    out
}

/// What is inside a node's text group (drawn beside the option, hidden from assistive
/// technology: the accessible name already says it, untruncated): the icon's letters, the
/// label on one or two lines, and the id or the line of facts.
pub fn node_text_inner(id: &NodeId, look: &NodeLook) -> String {
    let (first, second) = wrap_label(&look.label);
    let small = if look.detail >= FACTS && !look.facts.is_empty() { look.facts.as_str() } else { id.as_str() };
    let mut out =
        format!("<text class=\"node-glyph\" x=\"-60\" y=\"4\" text-anchor=\"middle\">{}</text>", glyph(look.kind));
    match second {
        None => {
            let _ = write!(
                out,
                "<text class=\"node-label\" x=\"-36\" y=\"-3\">{}</text><text class=\"node-kind\" x=\"-36\" y=\"14\">{}</text>",
                xml(&first),
                xml(small)
            );
        }
        Some(second) => {
            let _ = write!(
                out,
                "<text class=\"node-label two\" x=\"-36\" y=\"-10\">{}</text><text class=\"node-label two\" x=\"-36\" y=\"4\">{}</text><text class=\"node-kind\" x=\"-36\" y=\"20\">{}</text>",
                xml(&first),
                xml(&second),
                xml(small)
            );
        }
    }
    if !look.notes.is_empty() {
        // A folded sheet on the box's top left corner (the badge has the top right); its
        // tooltip is the notes.
        let (x, y) = (N(-HALF_W - 5.0), N(-HALF_H - 7.0));
        let _ = write!(
            out,
            "<g class=\"note-marker\" data-testid=\"note-marker\"><title>Notes: {}</title><path d=\"M{x} {y}h9l4 4v9h-13z\"></path><path class=\"fold\" d=\"M{} {y}v4h4\"></path></g>",
            xml(&look.notes),
            N(-HALF_W + 4.0)
        );
    }
    out
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

/// A node's badge: its finding counts, drawn after it (beside the option, hidden from
/// assistive technology, whose description of the node says the counts); empty without
/// findings.
pub fn badge(id: &NodeId, look: &NodeLook) -> String {
    let (errors, warnings) = look.badge;
    if errors + warnings == 0 {
        return String::new();
    }
    let (class, count, what) =
        if errors > 0 { ("badge error", errors, "error") } else { ("badge warning", warnings, "warning") };
    format!(
        "<g class=\"{class}\" data-testid=\"badge\" data-badge-of=\"{}\" data-errors=\"{errors}\" data-warnings=\"{warnings}\" aria-hidden=\"true\" transform=\"{}\"><title>{errors} error(s), {warnings} warning(s)</title><circle cx=\"{x}\" cy=\"{}\" r=\"10\"></circle><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" aria-label=\"{count} {what}s\">{count}</text></g>",
        xml(id.as_str()),
        transform(look.pos),
        N(-HALF_H),
        N(-HALF_H + 4.0),
        x = N(HALF_W - 10.0),
    )
}

/// A whole node: its `<g>` (the option that moves), with detail its text group, and with
/// findings its badge, in that order.
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
    if look.detail > NO_TEXT {
        out.push_str(&node_text(id, look));
    }
    out.push_str(&badge(id, look));
    out
}

/// A route as an SVG path.
pub fn path(route: &[Point]) -> String {
    let mut d = String::with_capacity(route.len() * 14);
    for (i, (x, y)) in route.iter().enumerate() {
        let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { " L" }, N(*x), N(*y));
    }
    d
}

/// A link: a wide transparent path that takes the pointer and the line drawn.
pub fn link(from: &NodeId, to: &NodeId, occurrence: usize, d: &str, state: u8) -> String {
    format!(
        "<g class=\"{}\" role=\"img\" aria-label=\"Link from {f} to {t}\" data-link=\"{f}~{t}\" data-occurrence=\"{occurrence}\"><path class=\"link-hit\" d=\"{d}\"></path><path class=\"link-line\" d=\"{d}\"></path></g>",
        link_class(state),
        f = xml(from.as_str()),
        t = xml(to.as_str()),
    )
}

/// A link's `class` attribute: selected (bit 1), added since the compared design (bit 2).
pub fn link_class(state: u8) -> &'static str {
    match state & 3 {
        0 => "link",
        1 => "link selected",
        2 => "link diff-added",
        _ => "link selected diff-added",
    }
}

/// A port label on its background; merged labels show a counter, and the list on hover and
/// focus. `ends` gives the link's two ends for the first of its links (the label's hook);
/// `all` the texts of every link it holds, each with its ends.
pub fn label(p: &Placed, ends: (&NodeId, &NodeId), all: &[String]) -> String {
    let (x0, y0) = p.at;
    let x = N(x0);
    let hook = format!("{}~{}", xml(ends.0.as_str()), xml(ends.1.as_str()));
    let back = format!(
        "<rect class=\"label-back\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" rx=\"3\"></rect><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        N(x0 - p.w / 2.0),
        N(y0 - HEIGHT / 2.0),
        N(p.w),
        N(y0 + 3.5),
        xml(&p.shown()),
        h = N(HEIGHT),
    );
    if all.len() < 2 {
        return format!("<g class=\"link-label\" data-link-label=\"{hook}\">{back}</g>");
    }
    let list = all.join("\n");
    let mut more = String::new();
    let widest = all.iter().map(|t| crate::model::labels::width(t)).fold(0.0, f64::max);
    let (left, widest) = (N(x0 - widest / 2.0), N(widest));
    let _ = write!(
        more,
        "<g class=\"more\"><rect class=\"label-back\" x=\"{}\" y=\"{}\" width=\"{widest}\" height=\"{}\" rx=\"3\"></rect>",
        left,
        N(y0 + HEIGHT / 2.0 + 2.0),
        N(HEIGHT * all.len() as f64)
    );
    for (i, t) in all.iter().enumerate() {
        let _ = write!(
            more,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            N(y0 + HEIGHT / 2.0 + 12.5 + HEIGHT * i as f64),
            xml(t)
        );
    }
    more.push_str("</g>");
    format!(
        "<g class=\"link-label merged\" data-link-label=\"{hook}\" tabindex=\"0\" role=\"img\" aria-label=\"{}\"><title>{}</title>{back}{more}</g>",
        xml(&format!("Ports of {} links: {}", all.len(), all.join("; "))),
        xml(&list)
    )
}

/// What is inside a zone frame's group: its box and its name.
pub fn zone_inner(r: &crate::model::geometry::Rect, name: &str) -> String {
    format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"12\"></rect><text x=\"{}\" y=\"{}\">{}</text>",
        N(r.x0),
        N(r.y0),
        N(r.width()),
        N(r.height()),
        N(r.x0 + 12.0),
        N(r.y0 + 17.0),
        xml(name)
    )
}

/// A zone frame.
pub fn zone(r: &crate::model::geometry::Rect, name: &str) -> String {
    format!("<g class=\"zone-frame\" data-zone-frame=\"{}\">{}</g>", xml(name), zone_inner(r, name))
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
    // Wide enough to hold the zone frames of its nodes (drawn below it), its name top right.
    b.map(|(x0, y0, x1, y1)| (x0 - HALF_W - 30.0, y0 - HALF_H - 52.0, x1 + HALF_W + 30.0, y1 + HALF_H + 30.0))
}

/// What is inside the cluster frame's group: the box and the domain.
pub fn frame_inner((x0, y0, x1, y1): (f64, f64, f64, f64), domain: &str) -> String {
    format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"14\"></rect><text x=\"{}\" y=\"{}\" text-anchor=\"end\">cluster {}</text>",
        N(x0),
        N(y0),
        N(x1 - x0),
        N(y1 - y0),
        N(x1 - 6.0),
        N(y0 - 6.0),
        xml(domain)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::geometry::Rect;

    fn look(label: &str) -> NodeLook {
        NodeLook {
            kind: NodeKind::KeyManager,
            pos: (100.0, 50.5),
            label: label.into(),
            selected: false,
            badge: (0, 0),
            detail: LABELS,
            facts: "10.0.1.11 · OB KM 1.5.0".into(),
            notes: String::new(),
            mark: "",
        }
    }

    fn id() -> NodeId {
        NodeId::parse("km-1").unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn hostile_labels_stay_text() {
        let l = look("<script>alert(1)</script>\" onload=\"x' &amp;");
        let m = node(&id(), &l);
        assert!(!m.contains("<script"), "{m}");
        assert!(!m.contains("\" onload"), "{m}");
        assert!(m.contains("&lt;script&gt;"));
        let p = Placed { at: (0.0, 0.0), w: 40.0, texts: vec![(0, "<b>".into())] };
        assert!(label(&p, (&id(), &id()), &["<b>".into()]).contains("&lt;b&gt;"));
        assert!(frame_inner((0.0, 0.0, 1.0, 1.0), "a<b").contains("cluster a&lt;b"));
        let r = Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        assert!(zone(&r, "\"><script>").contains("data-zone-frame=\"&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn a_node_says_its_state() {
        let mut l = look("KM 1");
        let m = node(&id(), &l);
        assert!(m.contains("transform=\"translate(100,50.5)\""));
        assert!(m.contains("aria-selected=\"false\""));
        assert!(m.contains("aria-label=\"KM 1\""), "the full label is the accessible name");
        assert!(m.contains("<desc>km-1, Key Manager node</desc>"));
        assert!(m.contains("data-testid=\"handle\""));
        assert!(m.contains("class=\"node-text kind-key-manager\""));
        assert!(m.contains(">km-1</text>"), "the id under the label");
        assert!(!m.contains("badge"));
        l.detail = FACTS;
        assert!(node(&id(), &l).contains(">10.0.1.11 · OB KM 1.5.0</text>"), "the facts when zoomed in");
        l.selected = true;
        l.badge = (2, 1);
        l.detail = NO_TEXT;
        let m = node(&id(), &l);
        assert!(m.contains("class=\"node kind-key-manager selected\""));
        assert!(m.contains("<desc>km-1, Key Manager node, 2 error(s), 1 warning(s)</desc>"));
        assert!(m.contains("class=\"badge error\"") && m.contains("data-errors=\"2\""));
        assert!(
            m.find("class=\"badge").unwrap_or(0) > m.find("</g>").unwrap_or(usize::MAX),
            "the badge is beside the option, not in it"
        );
        assert!(!m.contains("handle") && !m.contains("node-text"));
    }

    #[test]
    fn long_labels_wrap_and_keep_their_full_text_as_the_name() {
        let l = look("Key Manager node in the second zone, primary");
        let m = node(&id(), &l);
        assert_eq!(m.matches("class=\"node-label two\"").count(), 2);
        assert!(m.contains("aria-label=\"Key Manager node in the second zone, primary\""));
        assert!(m.contains("<title>Key Manager node in the second zone, primary</title>"));
    }

    #[test]
    fn routes_become_paths_and_merged_labels_count() {
        assert_eq!(path(&[(0.0, 0.0), (10.0, 0.0), (10.0, 5.5)]), "M0 0 L10 0 L10 5.5");
        let p = Placed { at: (0.0, 0.0), w: 40.0, texts: vec![(0, "3306".into()), (1, "389".into())] };
        let m = label(&p, (&id(), &id()), &["3306".into(), "389".into()]);
        assert!(
            m.contains(">3306 +1</text>") && m.contains("class=\"link-label merged\"") && m.contains("tabindex=\"0\"")
        );
        assert_eq!(frame_box(std::iter::empty()), None);
    }
}
