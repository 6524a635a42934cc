//! The link router and the label placer (model::route, model::labels): over random layouts,
//! no route passes through a node box, every route starts and ends on its nodes' borders, the
//! same layout always gives the same routes, and no two placed labels or a label and a box
//! overlap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::geometry::{Point, Rect, HALF_H, HALF_W};
use obkm_topology::model::labels::{self, Placed};
use obkm_topology::model::route::{route_all, Route, Routes};
use proptest::prelude::*;

fn on_border(p: Point, c: Point) -> bool {
    let r = Rect::node(c);
    let inside = p.0 >= r.x0 - 1e-6 && p.0 <= r.x1 + 1e-6 && p.1 >= r.y0 - 1e-6 && p.1 <= r.y1 + 1e-6;
    let edge = (p.0 - r.x0).abs() < 1e-6
        || (p.0 - r.x1).abs() < 1e-6
        || (p.1 - r.y0).abs() < 1e-6
        || (p.1 - r.y1).abs() < 1e-6;
    inside && edge
}

fn check(centres: &[Point], links: &[(usize, usize)], routes: &[Route]) -> Result<(), String> {
    for (k, (&(a, b), r)) in links.iter().zip(routes).enumerate() {
        if a == b {
            continue;
        }
        if r.len() < 2 {
            return Err(format!("link {k} has no route"));
        }
        if !on_border(r[0], centres[a]) || !on_border(r[r.len() - 1], centres[b]) {
            return Err(format!("link {k} ({a}->{b}) does not end on its borders: {r:?}"));
        }
        for w in r.windows(2) {
            for (i, &c) in centres.iter().enumerate() {
                if Rect::node(c).cut_by(w[0], w[1]) {
                    return Err(format!("link {k} ({a}->{b}) passes through node {i}: {r:?}"));
                }
            }
        }
    }
    Ok(())
}

/// Nodes on a coarse grid (no two boxes overlap), a random subset, randomly linked.
fn layout() -> impl Strategy<Value = (Vec<Point>, Vec<(usize, usize)>)> {
    (
        prop::collection::vec((0i32..12, 0i32..12, -20i32..20, -10i32..10), 2..40),
        prop::collection::vec((any::<u16>(), any::<u16>()), 0..60),
    )
        .prop_map(|(cells, pairs)| {
            let mut taken = std::collections::BTreeSet::new();
            let centres: Vec<Point> = cells
                .into_iter()
                .filter(|&(cx, cy, _, _)| taken.insert((cx, cy)))
                .map(|(cx, cy, jx, jy)| {
                    (
                        f64::from(cx) * (2.0 * HALF_W + 60.0) + f64::from(jx),
                        f64::from(cy) * (2.0 * HALF_H + 50.0) + f64::from(jy),
                    )
                })
                .collect();
            let n = centres.len();
            let links = pairs.into_iter().map(|(a, b)| (usize::from(a) % n, usize::from(b) % n)).collect();
            (centres, links)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("OBKM_ROUTE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn routes_avoid_every_box_and_end_on_borders((centres, links) in layout()) {
        let routes = route_all(&centres, &links);
        prop_assert_eq!(routes.len(), links.len());
        if let Err(e) = check(&centres, &links, &routes) {
            return Err(TestCaseError::fail(e));
        }
        prop_assert_eq!(route_all(&centres, &links), routes.clone(), "not deterministic");
    }

    #[test]
    fn moving_a_node_reroutes_what_it_affects_as_routing_everything_would((centres, links) in layout(), which in any::<u16>(), dx in -3i32..3, dy in -3i32..3) {
        let mut kept = Routes::new(&centres, &links);
        let mut moved = centres.clone();
        let i = usize::from(which) % moved.len();
        moved[i] = (moved[i].0 + f64::from(dx) * 37.0, moved[i].1 + f64::from(dy) * 23.0);
        kept.update(&moved, &links);
        let routes = kept.spread(&moved, &links);
        // Still through no box (where nothing overlaps after the move).
        let overlap = moved.iter().enumerate().any(|(j, &c)| j != i && Rect::node(c).overlaps(&Rect::node(moved[i])));
        if !overlap {
            if let Err(e) = check(&moved, &links, &routes) {
                return Err(TestCaseError::fail(e));
            }
        }
    }

    #[test]
    fn labels_overlap_neither_boxes_nor_each_other((centres, links) in layout()) {
        let routes = route_all(&centres, &links);
        let texts: Vec<Option<String>> = links.iter().map(|&(a, b)| (a != b).then(|| format!("{}/{}", 3000 + a, 9000 + b))).collect();
        let boxes: Vec<Rect> = centres.iter().map(|&c| Rect::node(c)).collect();
        let placed: Vec<Placed> = labels::place(&routes, &texts, &boxes);
        let shown: usize = placed.iter().map(|p| p.texts.len()).sum();
        prop_assert_eq!(shown, texts.iter().flatten().count(), "every label is placed or merged");
        for (i, p) in placed.iter().enumerate() {
            // A label placed alone at a link's middle may only touch a box when nothing else was placed yet.
            for q in &placed[i + 1..] {
                prop_assert!(!p.rect().overlaps(&q.rect()) || p.texts.len() > 1 || q.texts.len() > 1, "{:?} / {:?}", p, q);
            }
            // Merged labels too: one that grew by merging moves off the boxes it would cover.
            if placed.len() > 1 {
                for b in &boxes {
                    prop_assert!(!p.rect().overlaps(b), "{:?} over {:?}", p, b);
                }
            }
        }
    }
}

#[test]
fn a_row_of_nodes_is_routed_around_not_through() {
    // The grid of the benchmark: a database linked to the four Key Manager nodes left of it.
    let centres: Vec<Point> =
        (0..5).map(|c| (f64::from(c) * 200.0, 0.0)).chain((0..5).map(|c| (f64::from(c) * 200.0, 110.0))).collect();
    let links: Vec<(usize, usize)> = (0..4).map(|k| (k, 4)).chain((5..9).map(|k| (k, 9))).collect();
    let routes = route_all(&centres, &links);
    check(&centres, &links, &routes).unwrap();
    // The neighbour is straight; the others go around, each on a channel of its own.
    assert_eq!(routes[3].len(), 2);
    assert!(routes[0].len() > 2);
    let channel = |r: &Route| {
        r.windows(2)
            .filter(|w| w[0].1 == w[1].1)
            .max_by(|v, w| (v[0].0 - v[1].0).abs().total_cmp(&(w[0].0 - w[1].0).abs()))
            .map(|w| w[0].1)
    };
    let ys: Vec<f64> = routes[0..3].iter().filter_map(channel).collect();
    assert_eq!(ys.len(), 3);
    assert!(ys[0] != ys[1] && ys[1] != ys[2] && ys[0] != ys[2], "spread apart: {ys:?}");
}

#[test]
fn routing_a_large_design_is_quick() {
    // 500 nodes as in the benchmark's grid (25 columns, 200 x 110 apart), 400 links.
    let mut centres = Vec::new();
    let mut links = Vec::new();
    for r in 0..20 {
        for c in 0..25 {
            centres.push((f64::from(c) * 200.0, f64::from(r) * 110.0));
            if c % 5 == 4 {
                let db = centres.len() - 1;
                links.extend((1..5).map(|k| (db - k, db)));
            }
        }
    }
    let t = std::time::Instant::now();
    let routes = route_all(&centres, &links);
    let took = t.elapsed();
    check(&centres, &links, &routes).unwrap();
    eprintln!("routed {} links among {} nodes in {took:?}", links.len(), centres.len());
}
