//! The v1 format: fixtures round-trip, load errors name the field, canonical saving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::{load, save, templates, NodeKind};
use std::path::Path;

fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") && !name.ends_with(".expected.json") {
            out.push((name, std::fs::read_to_string(&path).expect("read fixture")));
        }
    }
    out.sort();
    assert!(out.len() >= 2, "fixtures missing");
    out
}

#[test]
fn fixtures_round_trip_exactly() {
    for (name, text) in fixtures() {
        let design = load(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let saved = save(&design);
        let again = load(&saved).unwrap_or_else(|e| panic!("{name} (saved): {e}"));
        assert_eq!(design, again, "{name}: load(save(d)) != d");
        assert_eq!(saved, save(&again), "{name}: saving is not stable");
        // The fixtures are written canonically already, apart from the final newline and
        // an absent `waivers`, which canonical saving writes as `[]`.
        let mut original: serde_json::Value = serde_json::from_str(&text).unwrap();
        let root = original.as_object_mut().unwrap();
        root.entry("waivers").or_insert(serde_json::json!([]));
        let resaved: serde_json::Value = serde_json::from_str(&saved).unwrap();
        assert_eq!(original, resaved, "{name}: the saved document differs from the file");
    }
}

#[test]
fn templates_load_and_round_trip() {
    for name in templates::NAMES {
        let design = templates::design(name).expect("known").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(load(&save(&design)).unwrap(), design);
    }
    let broken = templates::text("broken").unwrap();
    let fixture =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken-single-node.json"))
            .unwrap();
    assert_eq!(broken, fixture);
}

#[test]
fn unknown_fields_are_kept_in_place() {
    let text = r#"{"format":"obkm-topology","version":1,"zz_top":{"a":[1,2]},"name":"x",
      "cluster":{"domain":"d","membership_scheme":"wka","hz":"keep"},
      "nodes":[{"id":"km-1","kind":"key-manager","color":"red","props":{"memory_gb":8.0,"future_prop":true,"hostname":"a"}}],
      "links":[],"waivers":[{"rule":"DB-005","reason":"ok","ticket":"CHG-1"}]}"#;
    let d = load(text).unwrap();
    let saved = save(&d);
    assert_eq!(
        saved,
        r#"{
  "format": "obkm-topology",
  "version": 1,
  "name": "x",
  "product": "ob-km-1.5",
  "cluster": {
    "domain": "d",
    "membership_scheme": "wka",
    "hz": "keep"
  },
  "nodes": [
    {
      "id": "km-1",
      "kind": "key-manager",
      "label": "km-1",
      "x": 0,
      "y": 0,
      "zone": "",
      "props": {
        "hostname": "a",
        "memory_gb": 8,
        "future_prop": true
      },
      "color": "red"
    }
  ],
  "links": [],
  "waivers": [
    {
      "rule": "DB-005",
      "reason": "ok",
      "ticket": "CHG-1"
    }
  ],
  "zz_top": {
    "a": [
      1,
      2
    ]
  }
}
"#
    );
}

#[test]
fn defaults_apply_when_props_are_missing() {
    let d = load(
        r#"{"format":"obkm-topology","version":1,"product":"ob-km-1.3","nodes":[
        {"id":"km-1","kind":"key-manager"},{"id":"db-1","kind":"database","props":{"engine":"oracle"}},
        {"id":"ldap-1","kind":"directory","props":{"tls":true}}]}"#,
    )
    .unwrap();
    let p = d.product;
    let km = &d.nodes[0];
    assert_eq!(km.kind, NodeKind::KeyManager);
    assert_eq!(km.label, "km-1");
    assert_eq!(km.num("memory_gb", p), 4.0);
    assert_eq!(km.num("port_offset", p), 3.0);
    assert_eq!(km.str("product_version", p), "1.3.0");
    assert!(km.bool("clustering_enabled", p));
    assert_eq!(d.nodes[1].num("port", p), 1521.0);
    assert_eq!(d.nodes[2].num("port", p), 636.0);
    assert_eq!(d.name, "Untitled design");
    assert_eq!(d.cluster.domain, "wso2.ob.km.domain");
}

fn load_err(text: &str) -> String {
    load(text).map(|_| ()).expect_err("should not load").to_string()
}

fn doc(nodes: &str, links: &str) -> String {
    format!(r#"{{"format":"obkm-topology","version":1,"nodes":[{nodes}],"links":[{links}]}}"#)
}

#[test]
fn load_errors_name_the_field() {
    let cases: Vec<(String, &str)> = vec![
        ("not json at all".into(), "document: not JSON"),
        ("".into(), "document: not JSON"),
        ("[1,2]".into(), "document: expected a design object, found an array"),
        (r#"{"version":1}"#.into(), "format: missing"),
        (r#"{"format":"drawio","version":1}"#.into(), r#"format: expected "obkm-topology", found "drawio""#),
        (r#"{"format":"obkm-topology"}"#.into(), "version: missing"),
        (
            r#"{"format":"obkm-topology","version":2}"#.into(),
            "version: format version 2 was written by a newer release",
        ),
        (r#"{"format":"obkm-topology","version":"1"}"#.into(), "version: expected a whole number"),
        (r#"{"format":"obkm-topology","version":1,"product":"ob-km-9"}"#.into(), "product: expected one of"),
        (r#"{"format":"obkm-topology","version":1,"name":7}"#.into(), "name: expected a string, found 7"),
        (
            r#"{"format":"obkm-topology","version":1,"cluster":{"membership_scheme":"gossip"}}"#.into(),
            "cluster.membership_scheme: expected one of wka",
        ),
        (r#"{"format":"obkm-topology","version":1,"nodes":{}}"#.into(), "nodes: expected an array, found an object"),
        (
            doc(
                r#"{"id":"km-1","kind":"key-manager"},{"id":"db-1","kind":"database"},{"id":"x-1","kind":"client"},{"id":"km-2","kind":"key-manager","props":{"memory_gb":"eight"}}"#,
                "",
            ),
            r#"nodes[3].props.memory_gb: expected a number, found "eight""#,
        ),
        (
            doc(r#"{"id":"km-1","kind":"key-manager"},{"id":"km-1","kind":"key-manager"}"#, ""),
            r#"nodes[1].id: duplicate id "km-1" (also nodes[0])"#,
        ),
        (doc(r#"{"id":"KM 1","kind":"key-manager"}"#, ""), r#"nodes[0].id: "KM 1" is not a node id"#),
        (doc(r#"{"id":"km-1","kind":"toaster"}"#, ""), r#"nodes[0].kind: expected one of key-manager"#),
        (doc(r#"{"id":"km-1"}"#, ""), "nodes[0].kind: missing"),
        (doc(r#"{"id":"km-1","kind":"key-manager","x":"10"}"#, ""), r#"nodes[0].x: expected a number, found "10""#),
        (
            doc(r#"{"id":"lb-1","kind":"load-balancer","props":{"sticky_sessions":"yes"}}"#, ""),
            "nodes[0].props.sticky_sessions: expected true or false",
        ),
        (
            doc(r#"{"id":"lb-1","kind":"load-balancer","props":{"product":"f5"}}"#, ""),
            "nodes[0].props.product: expected one of nginx",
        ),
        (
            doc(r#"{"id":"lb-1","kind":"load-balancer","props":{"instances":1.5}}"#, ""),
            "nodes[0].props.instances: expected a whole number, found 1.5",
        ),
        (
            doc(r#"{"id":"db-1","kind":"database","props":{"databases":["apim","cache"]}}"#, ""),
            r#"nodes[0].props.databases[1]: expected one of apim"#,
        ),
        (
            doc(r#"{"id":"km-1","kind":"key-manager","props":[]}"#, ""),
            "nodes[0].props: expected an object, found an array",
        ),
        (
            doc(r#"{"id":"km-1","kind":"key-manager"}"#, r#"{"from":"km-1","to":"km-9"}"#),
            r#"links[0].to: no node with id "km-9""#,
        ),
        (doc(r#"{"id":"km-1","kind":"key-manager"}"#, r#"{"from":"km-1"}"#), "links[0].to: missing"),
        (
            r#"{"format":"obkm-topology","version":1,"waivers":[{"rule":"DB-005","expires":"2027-02-30"}]}"#.into(),
            r#"waivers[0].expires: expected a date YYYY-MM-DD, found "2027-02-30""#,
        ),
        (r#"{"format":"obkm-topology","version":1,"waivers":[{"reason":"x"}]}"#.into(), "waivers[0].rule: missing"),
    ];
    for (text, expected) in cases {
        let got = load_err(&text);
        assert!(got.starts_with(expected), "for {text}\n  expected: {expected}\n  got:      {got}");
    }
}

#[test]
fn hostile_and_huge_inputs_are_refused_without_panic() {
    // Deep nesting: serde_json's recursion limit answers, no stack overflow.
    let deep =
        format!(r#"{{"format":"obkm-topology","version":1,"x":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert!(load_err(&deep).starts_with("document: not JSON"));
    // Too large.
    let big = format!(r#"{{"format":"obkm-topology","version":1,"pad":"{}"}}"#, "a".repeat(17 * 1024 * 1024));
    assert!(load_err(&big).starts_with("document: too large"));
    // Truncated and binary.
    let good = templates::text("ha").unwrap();
    for cut in [1, 10, good.len() / 2, good.len() - 2] {
        assert!(load(&good[..cut]).is_err());
    }
    assert!(load("\u{0}\u{1}\u{2}").is_err());
    // Huge numbers and odd values load or fail cleanly.
    assert!(load(&doc(r#"{"id":"km-1","kind":"key-manager","x":1e308,"props":{"memory_gb":-1e308}}"#, "")).is_ok());
    assert!(load(&doc(r#"{"id":"km-1","kind":"key-manager","props":{"member_port":1e300}}"#, "")).is_err());
}

#[test]
fn saving_is_canonical() {
    // Field order and whole numbers do not depend on the input's order or form.
    let a = load(r#"{"version":1,"format":"obkm-topology","nodes":[{"props":{"heap_gb":2.0,"memory_gb":8},"y":2.0,"x":1.5,"kind":"key-manager","id":"km-1"}]}"#).unwrap();
    let text = save(&a);
    assert!(text.contains("\"x\": 1.5,\n      \"y\": 2,"), "{text}");
    assert!(text.find("memory_gb").unwrap() < text.find("heap_gb").unwrap());
    assert!(text.ends_with("}\n"));
}

#[test]
fn notes_and_owner_are_optional_and_saved_in_their_places() {
    // Older files (without them) load and save to the same bytes as before.
    for (name, text) in fixtures() {
        let d = load(&text).unwrap();
        assert!(d.notes.is_empty() && d.owner.is_empty() && d.nodes.iter().all(|n| n.notes.is_empty()), "{name}");
    }
    let text = r#"{"format":"obkm-topology","version":1,"owner":"Platform team","name":"N","notes":"Line 1\nLine 2",
        "nodes":[{"notes":"Rack 4","id":"km-1","kind":"key-manager","label":"K","x":1,"y":2,"zone":"app","props":{}}]}"#;
    let d = load(text).unwrap();
    assert_eq!(
        (d.notes.as_str(), d.owner.as_str(), d.nodes[0].notes.as_str()),
        ("Line 1\nLine 2", "Platform team", "Rack 4")
    );
    let saved = save(&d);
    let keys: Vec<&str> =
        saved.lines().filter(|l| l.starts_with("  \"")).map(|l| l.trim().split('"').nth(1).unwrap()).collect();
    assert_eq!(keys[..6], ["format", "version", "name", "notes", "owner", "product"]);
    let node: Vec<&str> =
        saved.lines().filter(|l| l.starts_with("      \"")).map(|l| l.trim().split('"').nth(1).unwrap()).collect();
    assert_eq!(node, ["id", "kind", "label", "x", "y", "zone", "notes", "props"]);
    assert_eq!(load(&saved).unwrap(), d);
    // The wrong type is a load error naming the field.
    assert_eq!(load_err(r#"{"format":"obkm-topology","version":1,"notes":7}"#), "notes: expected a string, found 7");
    assert!(load_err(&doc(r#"{"id":"km-1","kind":"key-manager","notes":["a"]}"#, ""))
        .starts_with("nodes[0].notes: expected a string"));
}
