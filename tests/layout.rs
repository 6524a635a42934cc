//! Auto-layout of a large design (model::layout): tiers left to right, each zone a block of its
//! own, no two nodes overlapping, and never one long column: the whole design fits a wide screen
//! at a zoom where its nodes are still shapes, and no tier is taller than the view there.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::geometry::{bounds, Rect};
use obkm_topology::model::layout::{auto_layout, tier};
use obkm_topology::model::zones;
use obkm_topology::model::{apply, load};

/// 200 nodes: clients, two load balancers, 180 Key Manager nodes in two zones, the services.
fn large() -> obkm_topology::model::Design {
    let mut nodes = vec![
        r#"{"id":"clients","kind":"client","label":"Clients","x":0,"y":0,"zone":"internet"}"#.to_string(),
        r#"{"id":"lb-1","kind":"load-balancer","label":"LB 1","x":0,"y":0,"zone":"dmz"}"#.to_string(),
        r#"{"id":"lb-2","kind":"load-balancer","label":"LB 2","x":0,"y":0,"zone":"dmz"}"#.to_string(),
    ];
    let mut links = Vec::new();
    for i in 1..=180 {
        let zone = if i % 2 == 0 { "zone-a" } else { "zone-b" };
        nodes.push(format!(
            r#"{{"id":"km-{i}","kind":"key-manager","label":"Key Manager node {i}","x":0,"y":0,"zone":"{zone}"}}"#
        ));
        links.push(format!(r#"{{"from":"lb-1","to":"km-{i}"}}"#));
        links.push(format!(r#"{{"from":"km-{i}","to":"db-{}"}}"#, 1 + i % 10));
    }
    for i in 1..=10 {
        nodes.push(format!(r#"{{"id":"db-{i}","kind":"database","label":"DB {i}","x":0,"y":0,"zone":"data"}}"#));
    }
    for (k, kind) in [(4, "directory"), (3, "shared-storage")] {
        for i in 1..=k {
            nodes.push(format!(
                r#"{{"id":"{kind}-{i}","kind":"{kind}","label":"{kind} {i}","x":0,"y":0,"zone":"data"}}"#
            ));
        }
    }
    let text = format!(
        r#"{{"format":"obkm-topology","version":1,"name":"Large","nodes":[{}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    );
    load(&text).unwrap()
}

#[test]
fn a_large_design_is_laid_out_in_tiers_of_zone_blocks_that_fit_a_screen() {
    let mut d = large();
    assert_eq!(d.nodes.len(), 200);
    let cmd = auto_layout(&d);
    apply(&mut d, cmd).unwrap();
    // No two boxes overlap (nor touch).
    let boxes: Vec<Rect> = d.nodes.iter().map(|n| Rect::node((n.x, n.y)).grown(10.0)).collect();
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            assert!(!boxes[i].overlaps(&boxes[j]), "{} and {} overlap", d.nodes[i].id, d.nodes[j].id);
        }
    }
    // Tiers left to right: every node of a tier is left of every node of the next.
    for a in &d.nodes {
        for b in &d.nodes {
            if tier(a.kind) < tier(b.kind) {
                assert!(a.x < b.x, "{} not left of {}", a.id, b.id);
            }
        }
    }
    // Each zone a block: zone frames do not overlap.
    let frames = zones::frames(&d, &|_| false);
    for (i, f) in frames.iter().enumerate() {
        for g in &frames[i + 1..] {
            assert!(!f.rect.overlaps(&g.rect), "frames {} and {} overlap", f.name, g.name);
        }
    }
    // Fitted into a 1280 x 720 view: not one long column (the zoom stays where nodes are shapes),
    // and no tier taller than the view.
    let all = bounds(&d).unwrap();
    let scale = (1200.0 / all.width()).min(640.0 / all.height());
    assert!(scale >= 0.3, "fitted at {scale}: {} x {}", all.width(), all.height());
    for t in 0..5 {
        let ys: Vec<f64> = d.nodes.iter().filter(|n| tier(n.kind) == t).map(|n| n.y).collect();
        if let (Some(lo), Some(hi)) = (ys.iter().copied().reduce(f64::min), ys.iter().copied().reduce(f64::max)) {
            assert!((hi - lo + 60.0) * scale <= 720.0, "tier {t} is taller than the view");
        }
    }
}
