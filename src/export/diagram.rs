//! The diagram as a standalone SVG file (export "SVG", and the source of the PNG export), for
//! people: a title block (the design's name, product, date and checker summary), the zone
//! frames and the cluster frame, the links along their routes with their port labels, the
//! nodes with their label, address and what they are, and a legend; text stays text, styles
//! are inline so it renders anywhere, and nothing is cut off. The design itself rides along in
//! a `<metadata>` element, so the file opens again in the app (`model::format::load_any`).

use std::collections::HashMap;
use std::fmt::Write;

use super::escape::xml;
use crate::model::date::Date;
use crate::model::geometry::{facts, wrap_label, Point, Rect};
use crate::model::labels::{self, Placed};
use crate::model::route;
use crate::model::zones;
use crate::model::{save, Design, NodeKind};
use crate::rules::{Report, Severity};

pub use crate::model::geometry::{border, HALF_H, HALF_W};

/// The `<metadata>` element's marker: what the app looks for to open a diagram again.
pub const METADATA_ID: &str = "obkm-topology-design";

/// A node kind's colour (the diagram's icons and the minimap's dots).
pub fn color(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::KeyManager => "#1f6feb",
        NodeKind::LoadBalancer => "#00897b",
        NodeKind::Database => "#8e24aa",
        NodeKind::Directory => "#6d4c41",
        NodeKind::SharedStorage => "#ef6c00",
        NodeKind::Client => "#546e7a",
        NodeKind::ApiManager => "#3949ab",
        NodeKind::Analytics => "#c2185b",
    }
}

/// The short glyph drawn in a node's icon.
pub fn glyph(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::KeyManager => "KM",
        NodeKind::LoadBalancer => "LB",
        NodeKind::Database => "DB",
        NodeKind::Directory => "DIR",
        NodeKind::SharedStorage => "FS",
        NodeKind::Client => "CL",
        NodeKind::ApiManager => "AM",
        NodeKind::Analytics => "BI",
    }
}

const INK: &str = "#1d2330";
const MUTED: &str = "#5f6b7a";
const LINE: &str = "#6b7a8f";
const CLUSTER: &str = "#7c4dff";

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-1.0e7, 1.0e7)
    } else {
        0.0
    }
}

/// The design as an SVG document, checked as `report` says, dated `today`.
pub fn svg(d: &Design, report: &Report, today: Date) -> String {
    let pos: Vec<Point> = d.nodes.iter().map(|n| (finite(n.x), finite(n.y))).collect();
    let index: HashMap<&str, usize> = d.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let ends: Vec<(usize, usize)> =
        d.links.iter().filter_map(|l| Some((*index.get(l.from.as_str())?, *index.get(l.to.as_str())?))).collect();
    let texts: Vec<Option<String>> = {
        let all = super::flows::link_labels(d);
        d.links
            .iter()
            .zip(all)
            .filter(|(l, _)| index.contains_key(l.from.as_str()) && index.contains_key(l.to.as_str()))
            .map(|(l, t)| (l.from != l.to && !t.is_empty()).then_some(t))
            .collect()
    };
    let routes = route::route_all(&pos, &ends);
    let boxes: Vec<Rect> = pos.iter().map(|&p| Rect::node(p)).collect();
    let placed: Vec<Placed> = labels::place(&routes, &texts, &boxes);
    let frames = zones::frames(d, &|_| false);
    let kms: Vec<Point> =
        d.nodes.iter().zip(&pos).filter(|(n, _)| n.kind == NodeKind::KeyManager).map(|(_, p)| *p).collect();
    let cluster = kms.iter().map(|&p| Rect::node(p)).reduce(Rect::union).map(|r| Rect {
        x0: r.x0 - 30.0,
        y0: r.y0 - 52.0,
        x1: r.x1 + 30.0,
        y1: r.y1 + 30.0,
    });

    // What is drawn, and the page around it: the title block above, the legend below.
    let mut content =
        boxes.iter().copied().reduce(Rect::union).unwrap_or(Rect { x0: 0.0, y0: 0.0, x1: 400.0, y1: 200.0 });
    // The cluster's name sits above its frame.
    let cluster_name = cluster.map(|r| Rect { y0: r.y0 - 20.0, ..r });
    for r in frames.iter().map(|f| f.rect).chain(cluster_name).chain(placed.iter().map(Placed::rect)) {
        content = content.union(r);
    }
    for r in &routes {
        for &p in r {
            content = content.union(Rect { x0: p.0, y0: p.1, x1: p.0, y1: p.1 });
        }
    }
    let kinds: Vec<NodeKind> = NodeKind::ALL.into_iter().filter(|k| d.nodes.iter().any(|n| n.kind == *k)).collect();
    let pad = 40.0;
    let title_h = 78.0;
    let legend_h = 64.0;
    let legend_w = 150.0 * kinds.len().max(1) as f64 + 20.0;
    let title_w = (d.name.chars().count() as f64 * 11.0).max(420.0);
    let width = (content.width() + 2.0 * pad).max(legend_w + 2.0 * pad).max(title_w + 2.0 * pad);
    let x0 = content.x0 - pad - (width - content.width() - 2.0 * pad) / 2.0;
    let y0 = content.y0 - pad - title_h;
    let height = title_h + content.height() + 2.0 * pad + legend_h;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{x0} {y0} {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\">"
    );
    let _ = writeln!(out, "  <title>{}</title>", xml(&d.name));
    let s = &report.summary;
    let _ = writeln!(
        out,
        "  <desc>{} deployment design for {}: {} node(s), {} link(s); {} error(s), {} warning(s), {} waived, as of {today}.</desc>",
        xml(&d.name),
        d.product.as_str(),
        d.nodes.len(),
        d.links.len(),
        s.error,
        s.warning,
        s.waived
    );
    // The design, canonically saved: the file opens again in the app.
    let _ = writeln!(out, "  <metadata id=\"{METADATA_ID}\">{}</metadata>", xml(&save(d)));
    let _ = writeln!(out, "  <rect x=\"{x0}\" y=\"{y0}\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>");

    // Title block.
    let (tx, ty) = (x0 + pad, y0 + pad);
    let _ = writeln!(out, "  <g class=\"title-block\">");
    let _ = writeln!(
        out,
        "    <text x=\"{tx}\" y=\"{}\" font-size=\"22\" font-weight=\"700\" fill=\"{INK}\">{}</text>",
        ty + 8.0,
        xml(&d.name)
    );
    let verdict = if s.error > 0 {
        "#c62828"
    } else if s.warning > 0 {
        "#b26a00"
    } else {
        "#2e7d32"
    };
    let _ = writeln!(
        out,
        "    <text x=\"{tx}\" y=\"{}\" font-size=\"13\" fill=\"{MUTED}\">{} · cluster {} ({}) · {today} · <tspan fill=\"{verdict}\" font-weight=\"600\">{} error(s), {} warning(s)</tspan>, {} waived</text>",
        ty + 32.0,
        xml(product_title(d)),
        xml(&d.cluster.domain),
        d.cluster.membership_scheme.as_str(),
        s.error,
        s.warning,
        s.waived
    );
    if !d.owner.is_empty() || !d.notes.is_empty() {
        let owner = if d.owner.is_empty() { String::new() } else { format!("Owner: {}", d.owner) };
        let sep = if d.owner.is_empty() || d.notes.is_empty() { "" } else { " · " };
        let notes = super::escape::one_line(&d.notes);
        let _ = writeln!(
            out,
            "    <text class=\"design-notes\" x=\"{tx}\" y=\"{}\" font-size=\"11\" fill=\"{MUTED}\">{}{sep}{}</text>",
            ty + 60.0,
            xml(&owner),
            xml(&notes)
        );
    }
    let _ = writeln!(
        out,
        "    <line x1=\"{tx}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d0d7de\"/>",
        ty + 46.0,
        x0 + width - pad,
        ty + 46.0
    );
    let _ = writeln!(out, "  </g>");

    // Zone frames, then the cluster frame above them.
    for f in &frames {
        let r = f.rect;
        let _ = writeln!(
            out,
            "  <g class=\"zone\" data-zone=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"12\" fill=\"#f3f6fb\" stroke=\"#c9d3e1\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" fill=\"{MUTED}\">{}</text></g>",
            xml(&f.name),
            r.x0,
            r.y0,
            r.width(),
            r.height(),
            r.x0 + 12.0,
            r.y0 + 17.0,
            xml(&f.name)
        );
    }
    if let Some(r) = cluster {
        let _ = writeln!(
            out,
            "  <g class=\"cluster\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"14\" fill=\"none\" stroke=\"{CLUSTER}\" stroke-dasharray=\"8 5\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"{CLUSTER}\">cluster {}</text></g>",
            r.x0,
            r.y0,
            r.width(),
            r.height(),
            r.x1 - 6.0,
            r.y0 - 6.0,
            xml(&d.cluster.domain)
        );
    }

    // Links along their routes, then their port labels.
    for r in &routes {
        let mut dpath = String::new();
        for (i, (x, y)) in r.iter().enumerate() {
            let _ = write!(dpath, "{}{x} {y}", if i == 0 { "M" } else { " L" });
        }
        let _ = writeln!(out, "  <path d=\"{dpath}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"1.6\"/>");
    }
    for p in &placed {
        let r = p.rect();
        let list: Vec<&str> = p.texts.iter().map(|(_, t)| t.as_str()).collect();
        let _ = writeln!(
            out,
            "  <g class=\"port-label\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" stroke=\"#d0d7de\" stroke-width=\"0.75\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{MUTED}\">{}</text></g>",
            xml(&format!("ports: {}", list.join("; "))),
            r.x0,
            r.y0,
            r.width(),
            r.height(),
            p.at.0,
            p.at.1 + 3.5,
            xml(&p.shown())
        );
    }

    // Nodes.
    for (n, &(x, y)) in d.nodes.iter().zip(&pos) {
        let c = color(n.kind);
        let (errors, warnings) = report
            .findings
            .iter()
            .filter(|f| !f.waived && f.nodes.iter().any(|id| id == n.id.as_str()))
            .fold((0, 0), |acc, f| match f.severity {
                Severity::Error => (acc.0 + 1, acc.1),
                Severity::Warning => (acc.0, acc.1 + 1),
                Severity::Info => acc,
            });
        let (first, second) = wrap_label(&n.label);
        let _ =
            writeln!(out, "  <g class=\"node\" data-node=\"{}\" transform=\"translate({x},{y})\">", xml(n.id.as_str()));
        let _ = writeln!(out, "    <title>{} ({}, {})</title>", xml(&n.label), xml(n.id.as_str()), n.kind.title());
        if !n.notes.is_empty() {
            let _ = writeln!(out, "    <desc>{}</desc>", xml(&n.notes));
        }
        let _ = writeln!(out, "    <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"1.5\"/>", -HALF_W, -HALF_H, 2.0 * HALF_W, 2.0 * HALF_H);
        let _ = writeln!(out, "    <circle cx=\"-60\" cy=\"0\" r=\"17\" fill=\"{c}\"/>");
        let _ = writeln!(out, "    <text x=\"-60\" y=\"4\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"700\" fill=\"#fff\">{}</text>", glyph(n.kind));
        let line = facts(n, d.product);
        match second {
            None => {
                let _ = writeln!(
                    out,
                    "    <text x=\"-36\" y=\"-3\" font-size=\"13\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
                    xml(&first)
                );
                let _ = writeln!(
                    out,
                    "    <text x=\"-36\" y=\"14\" font-size=\"10\" fill=\"{MUTED}\">{}</text>",
                    xml(&line)
                );
            }
            Some(second) => {
                let _ = writeln!(
                    out,
                    "    <text x=\"-36\" y=\"-10\" font-size=\"12\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
                    xml(&first)
                );
                let _ = writeln!(
                    out,
                    "    <text x=\"-36\" y=\"4\" font-size=\"12\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
                    xml(&second)
                );
                let _ = writeln!(
                    out,
                    "    <text x=\"-36\" y=\"20\" font-size=\"10\" fill=\"{MUTED}\">{}</text>",
                    xml(&line)
                );
            }
        }
        if !n.notes.is_empty() {
            // The note marker: a folded sheet on the top left corner, its tooltip the notes.
            let (mx, my) = (-HALF_W - 5.0, -HALF_H - 7.0);
            let _ = writeln!(
                out,
                "    <g class=\"note-marker\"><title>Notes: {}</title><path d=\"M{mx} {my}h9l4 4v9h-13z\" fill=\"#fff3bf\" stroke=\"#9a6700\" stroke-width=\"1\"/><path d=\"M{} {my}v4h4\" fill=\"none\" stroke=\"#9a6700\" stroke-width=\"1\"/></g>",
                xml(&n.notes),
                mx + 9.0
            );
        }
        if errors + warnings > 0 {
            let (fill, count) = if errors > 0 { ("#c62828", errors) } else { ("#b26a00", warnings) };
            let _ = writeln!(out, "    <circle cx=\"{}\" cy=\"{}\" r=\"10\" fill=\"{fill}\"/>", HALF_W - 10.0, -HALF_H);
            let _ = writeln!(out, "    <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"700\" fill=\"#fff\">{count}</text>", HALF_W - 10.0, -HALF_H + 4.0);
        }
        let _ = writeln!(out, "  </g>");
    }

    // Legend: the node kinds drawn, what frames and labels mean.
    let ly = y0 + height - legend_h + 10.0;
    let _ = writeln!(out, "  <g class=\"legend\">");
    let _ = writeln!(
        out,
        "    <line x1=\"{tx}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#d0d7de\"/>",
        ly - 6.0,
        x0 + width - pad,
        ly - 6.0
    );
    for (i, k) in kinds.iter().enumerate() {
        let lx = tx + 150.0 * i as f64;
        let _ = writeln!(
            out,
            "    <g><circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"7\" font-weight=\"700\" fill=\"#fff\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{INK}\">{}</text></g>",
            lx + 9.0,
            ly + 12.0,
            color(*k),
            lx + 9.0,
            ly + 14.5,
            glyph(*k),
            lx + 24.0,
            ly + 16.0,
            k.title()
        );
    }
    let _ = writeln!(
        out,
        "    <text x=\"{tx}\" y=\"{}\" font-size=\"10\" fill=\"{MUTED}\">Boxes labelled with a zone are network zones; the dashed frame is the Key Manager cluster; numbers on links are the TCP ports each link carries (a “+N” label holds N more: see its tooltip).</text>",
        ly + 40.0
    );
    let _ = writeln!(out, "  </g>");
    out.push_str("</svg>\n");
    out
}

fn product_title(d: &Design) -> &'static str {
    match d.product.as_str() {
        "ob-km-1.3" => "WSO2 Open Banking Key Manager 1.3",
        "ob-km-1.4" => "WSO2 Open Banking Key Manager 1.4",
        "ob-km-1.5" => "WSO2 Open Banking Key Manager 1.5",
        _ => "WSO2 Open Banking Identity and Access Management 2.0",
    }
}

/// A label shortened to fit a node box (the first line of `wrap_label`).
pub fn short(label: &str) -> String {
    wrap_label(label).0
}
