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
