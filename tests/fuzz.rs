//! Bounded fuzzing in `make test`: the share-link decoder and the design loader never panic and
//! never allocate without bound, whatever they are given. For a longer run:
//! `OBKM_FUZZ_CASES=200000 cargo test --release --test fuzz`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use obkm_topology::model::{load, save, templates};
use obkm_topology::share::{self, base64url, codec, crc32};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("OBKM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500)
}

fn reference_payload() -> Vec<u8> {
    let d = load(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ha-reference.json")).unwrap(),
    )
    .unwrap();
    codec::write(&d).0
}

fn link(payload: &[u8]) -> String {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(payload).unwrap();
    let mut b = z.finish().unwrap();
    b.extend_from_slice(&crc32(payload).to_be_bytes());
    format!("d=1{}", base64url(&b))
}

/// Byte edits: (position, new byte) flips, insertions and truncation.
fn mutate(mut p: Vec<u8>, edits: &[(u16, u8, u8)]) -> Vec<u8> {
    for &(pos, byte, op) in edits {
        if p.is_empty() {
            p.push(byte);
            continue;
        }
        let i = usize::from(pos) % p.len();
        match op % 4 {
            0 => p[i] = byte,
            1 => p.insert(i, byte),
            2 => {
                p.remove(i);
            }
            _ => p.truncate(i),
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decoder_survives_any_text(s in "\\PC{0,300}") {
        let _ = share::decode(&s);
        let _ = share::decode(&format!("d=1{s}"));
    }

    #[test]
    fn decoder_survives_any_base64(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = share::decode(&format!("d=1{}", base64url(&bytes)));
    }

    #[test]
    fn codec_survives_mutated_payloads(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        // A valid checksum over mutated bytes reaches the payload reader itself.
        let p = mutate(reference_payload(), &edits);
        let _ = codec::read(&p);
        if let Ok(d) = share::decode(&link(&p)) {
            // Whatever opens is a valid design.
            prop_assert!(load(&save(&d)).is_ok());
        }
    }

    #[test]
    fn loader_survives_mutated_documents(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        let text = templates::text("ha").unwrap().as_bytes().to_vec();
        let mutated = mutate(text, &edits);
        if let Ok(s) = String::from_utf8(mutated) {
            if let Ok(d) = load(&s) {
                prop_assert_eq!(load(&save(&d)).unwrap(), d);
            }
        }
    }

    #[test]
    fn loader_survives_any_text(s in "\\PC{0,400}") {
        let _ = load(&s);
        let _ = load(&format!(r#"{{"format":"obkm-topology","version":1,"nodes":[{s}]}}"#));
    }
}

#[test]
fn huge_counts_are_refused_before_allocating() {
    // A payload claiming 2^60 nodes: refused at once (each node needs at least a byte).
    let mut p = vec![0u8, 2, 0, 0];
    p.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    let e = codec::read(&p).unwrap_err();
    assert!(e.contains("more than it can hold"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// A decoded link is checked in memory (`format::validate`) rather than by a round trip
    /// through JSON: both accept and refuse the same payloads, and give the same design.
    #[test]
    fn validation_in_memory_agrees_with_the_json_round_trip(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 0..12)) {
        let p = mutate(reference_payload(), &edits);
        if let Ok(d) = codec::read(&p) {
            let by_json = obkm_topology::model::format::from_value(obkm_topology::model::format::to_value(&d));
            let mut in_memory = d.clone();
            let checked = obkm_topology::model::format::validate(&mut in_memory);
            prop_assert_eq!(by_json.is_ok(), checked.is_ok(), "{:?} / {:?}", by_json, checked);
            if let Ok(expected) = by_json {
                prop_assert_eq!(in_memory, expected);
            }
        }
    }
}

#[test]
fn validation_refuses_what_the_format_refuses() {
    use obkm_topology::model::format::validate;
    let base = load(templates::text("ha").unwrap()).unwrap();
    let mut dup = base.clone();
    dup.nodes[1].id = dup.nodes[0].id.clone();
    assert!(validate(&mut dup).unwrap_err().to_string().contains("duplicate id"));
    let mut bad_prop = base.clone();
    let km = bad_prop.nodes.iter().position(|n| n.kind == obkm_topology::model::NodeKind::KeyManager).unwrap();
    bad_prop.nodes[km].props.insert("memory_gb".into(), serde_json::json!("eight"));
    assert!(validate(&mut bad_prop).unwrap_err().to_string().starts_with(&format!("nodes[{km}].props.memory_gb")));
    let mut dangling = base.clone();
    let gone = dangling.links[0].from.clone();
    dangling.nodes.retain(|n| n.id != gone);
    assert!(validate(&mut dangling).unwrap_err().to_string().contains("no node with id"));
    let mut ok = base.clone();
    assert!(validate(&mut ok).is_ok());
    assert_eq!(ok, base);
}
