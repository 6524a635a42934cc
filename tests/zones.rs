//! Zones as frames (model::zones): frames hold exactly their nodes, dropping nodes into a
//! frame or out of every frame changes their zone, renaming and merging spellings are single
//! commands, and zones compare without case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::geometry::Rect;
use obkm_topology::model::zones::{self, dropped, frames, merge_spellings, rename, spelled_differently};
use obkm_topology::model::{apply, templates, Command, Design, NodeId};

fn two_zones() -> Design {
    templates::design("ha-two-zones").unwrap().unwrap()
}

fn id(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

#[test]
fn each_zone_has_a_frame_around_exactly_its_nodes() {
    let d = two_zones();
    let fs = frames(&d, &|_| false);
    assert!(fs.len() >= 2, "{fs:?}");
    for f in &fs {
        for (i, n) in d.nodes.iter().enumerate() {
            let inside = f.rect.contains((n.x, n.y));
            let member = zones::key(&n.zone) == f.key;
            assert_eq!(f.nodes.contains(&i), member);
            if member {
                let b = Rect::node((n.x, n.y));
                assert!(
                    f.rect.contains((b.x0, b.y0)) && f.rect.contains((b.x1, b.y1)),
                    "{} not inside {}",
                    n.id,
                    f.name
                );
            } else {
                assert!(!inside, "{} ({}) inside the frame of {}", n.id, n.zone, f.name);
            }
        }
    }
}

#[test]
fn zones_compare_without_case_and_the_spellings_can_be_merged() {
    let mut d = two_zones();
    let km1 = d.nodes.iter().position(|n| n.id == id("km-1")).unwrap();
    d.nodes[km1].zone = "Zone-A".into();
    assert_eq!(frames(&d, &|_| false).len(), frames(&two_zones(), &|_| false).len(), "one frame for both spellings");
    assert_eq!(spelled_differently(&d), vec![vec!["Zone-A".to_string(), "zone-a".to_string()]]);
    // Three nodes: the spelling most of them use wins.
    let km3 = d.nodes.iter().position(|n| n.id == id("km-3")).unwrap();
    d.nodes[km3].zone = "zone-a".into();
    let merge = merge_spellings(&d).expect("a merge");
    let mut merged = d.clone();
    apply(&mut merged, merge).unwrap();
    assert!(spelled_differently(&merged).is_empty());
    assert_eq!(merged.nodes[km1].zone, "zone-a");
    assert!(merge_spellings(&merged).is_none());
}

#[test]
fn renaming_a_frame_renames_its_nodes_zone_in_one_command() {
    let d = two_zones();
    let f = frames(&d, &|_| false).into_iter().next().unwrap();
    let cmd = rename(&d, &f.name.to_uppercase(), "  Zone North ").unwrap();
    let mut after = d.clone();
    let inverse = apply(&mut after, cmd).unwrap();
    for &i in &f.nodes {
        assert_eq!(after.nodes[i].zone, "Zone North");
    }
    apply(&mut after, inverse).unwrap();
    assert_eq!(after, d, "one undo step puts it back");
    assert!(rename(&d, "no such zone", "x").is_none());
}

#[test]
fn dropping_into_a_frame_sets_the_zone_and_out_of_every_frame_clears_it() {
    let d = two_zones();
    let fs = frames(&d, &|_| false);
    let frame = |name: &str| fs.iter().find(|f| f.name == name).unwrap();
    let (zone_a, data) = (frame("zone-a"), frame("data"));
    let mover = id("km-1");
    // Into the data frame, between its nodes.
    let db = d.node(&id("db-1")).unwrap();
    assert_eq!(
        dropped(&d, &[(mover.clone(), (db.x, db.y + 70.0))]),
        vec![Command::SetZone { id: mover.clone(), zone: data.name.clone() }]
    );
    // Far from every frame: its zone is cleared (km-2 keeps zone-a's frame).
    let far = (zone_a.rect.x0 - 5000.0, zone_a.rect.y0 - 5000.0);
    assert_eq!(dropped(&d, &[(mover.clone(), far)]), vec![Command::SetZone { id: mover.clone(), zone: String::new() }]);
    // Next to km-2, inside what is left of its own frame: nothing changes.
    let km2 = d.node(&id("km-2")).unwrap();
    assert!(dropped(&d, &[(mover.clone(), (km2.x, km2.y - 10.0))]).is_empty());
    // A whole zone moved together keeps its zone; so does a zone's only node.
    let whole: Vec<(NodeId, (f64, f64))> = ["km-1", "km-2"].iter().map(|k| (id(k), (9000.0, 9000.0))).collect();
    assert!(dropped(&d, &whole).is_empty());
    assert!(dropped(&d, &[(id("lb-1"), (-4000.0, 0.0))]).is_empty());
}
