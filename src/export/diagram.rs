//! The diagram as a standalone SVG file (export "SVG", and the source of the PNG export): the
//! nodes with their kind, label, id and finding counts, the links, and the cluster frame, with
//! inline styles so it renders anywhere.

use std::fmt::Write;

use super::escape::xml;
use crate::model::{Design, NodeKind};
use crate::rules::{Report, Severity};

/// Half the width of a node box (world units), on the canvas and in the diagram.
pub const HALF_W: f64 = 85.0;
/// Half the height of a node box.
pub const HALF_H: f64 = 30.0;

fn color(kind: NodeKind) -> &'static str {
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

/// Where a segment from the centre of node box `a` towards `b` leaves the box.
pub fn border(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if dx == 0.0 && dy == 0.0 {
        return a;
    }
    let tx = if dx == 0.0 { f64::INFINITY } else { HALF_W / dx.abs() };
    let ty = if dy == 0.0 { f64::INFINITY } else { HALF_H / dy.abs() };
    let t = tx.min(ty).min(1.0);
    (a.0 + dx * t, a.1 + dy * t)
}

/// A label shortened to fit a node box.
pub fn short(label: &str) -> String {
    let mut s: String = label.chars().filter(|c| !c.is_control()).take(14).collect();
    if label.chars().count() > 14 {
        s.push('…');
    }
    s
}

/// The design as an SVG document.
pub fn svg(d: &Design, report: &Report) -> String {
    let finite = |v: f64| if v.is_finite() { v.clamp(-1.0e7, 1.0e7) } else { 0.0 };
    let pos: Vec<(f64, f64)> = d.nodes.iter().map(|n| (finite(n.x), finite(n.y))).collect();
    let (mut x0, mut y0, mut x1, mut y1) = (0.0f64, 0.0f64, 400.0f64, 200.0f64);
    if let Some(&(x, y)) = pos.first() {
        (x0, y0, x1, y1) = (x, y, x, y);
    }
    for &(x, y) in &pos {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let pad = 40.0;
    let (vx, vy) = (x0 - HALF_W - pad, y0 - HALF_H - pad - 30.0);
    let (w, h) = (x1 - x0 + 2.0 * (HALF_W + pad), y1 - y0 + 2.0 * (HALF_H + pad) + 30.0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{vx} {vy} {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"system-ui, sans-serif\">"
    );
    let _ = writeln!(out, "  <title>{}</title>", xml(&d.name));
    let _ = writeln!(out, "  <rect x=\"{vx}\" y=\"{vy}\" width=\"{w}\" height=\"{h}\" fill=\"#f6f7f9\"/>");
    // The cluster frame around the Key Manager nodes.
    let kms: Vec<(f64, f64)> =
        d.nodes.iter().zip(&pos).filter(|(n, _)| n.kind == NodeKind::KeyManager).map(|(_, p)| *p).collect();
    if !kms.is_empty() {
        let fx0 = kms.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - HALF_W - 16.0;
        let fy0 = kms.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) - HALF_H - 30.0;
        let fx1 = kms.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + HALF_W + 16.0;
        let fy1 = kms.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max) + HALF_H + 16.0;
        let _ = writeln!(
            out,
            "  <rect x=\"{fx0}\" y=\"{fy0}\" width=\"{}\" height=\"{}\" rx=\"14\" fill=\"none\" stroke=\"#7c4dff\" stroke-dasharray=\"8 5\"/>",
            fx1 - fx0,
            fy1 - fy0
        );
        let _ = writeln!(
            out,
            "  <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#7c4dff\">cluster {}</text>",
            fx0 + 12.0,
            fy0 + 18.0,
            xml(&d.cluster.domain)
        );
    }
    let index: std::collections::HashMap<&str, usize> =
        d.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    for l in &d.links {
        let (Some(&a), Some(&b)) = (index.get(l.from.as_str()), index.get(l.to.as_str())) else { continue };
        if a == b {
            continue;
        }
        let (p, q) = (border(pos[a], pos[b]), border(pos[b], pos[a]));
        let _ = writeln!(
            out,
            "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#6b7a8f\" stroke-width=\"2\"/>",
            p.0, p.1, q.0, q.1
        );
    }
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
        let _ = writeln!(out, "  <g transform=\"translate({x},{y})\">");
        let _ = writeln!(out, "    <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"1.5\"/>", -HALF_W, -HALF_H, 2.0 * HALF_W, 2.0 * HALF_H);
        let _ = writeln!(out, "    <circle cx=\"-60\" cy=\"0\" r=\"17\" fill=\"{c}\"/>");
        let _ = writeln!(out, "    <text x=\"-60\" y=\"4\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"700\" fill=\"#fff\">{}</text>", glyph(n.kind));
        let _ = writeln!(
            out,
            "    <text x=\"-36\" y=\"-3\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2330\">{}</text>",
            xml(&short(&n.label))
        );
        let _ = writeln!(
            out,
            "    <text x=\"-36\" y=\"14\" font-size=\"11\" fill=\"#5f6b7a\">{}</text>",
            xml(n.id.as_str())
        );
        if errors + warnings > 0 {
            let (fill, count) = if errors > 0 { ("#c62828", errors) } else { ("#b26a00", warnings) };
            let _ = writeln!(out, "    <circle cx=\"{}\" cy=\"{}\" r=\"10\" fill=\"{fill}\"/>", HALF_W - 10.0, -HALF_H);
            let _ = writeln!(out, "    <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"700\" fill=\"#fff\">{count}</text>", HALF_W - 10.0, -HALF_H + 4.0);
        }
        let _ = writeln!(out, "  </g>");
    }
    out.push_str("</svg>\n");
    out
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
