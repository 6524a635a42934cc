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

/// The reference design with notes and an owner: a version 2 payload.
fn noted_payload() -> Vec<u8> {
    let mut d = load(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ha-reference.json")).unwrap(),
    )
    .unwrap();
    d.notes = "Reviewed by the platform team".into();
    d.owner = "Payments platform".into();
    d.nodes[2].notes = "Replaces the old KM 1".into();
    let (p, _, version) = codec::write(&d);
    assert_eq!(version, 2);
    p
}

fn link(payload: &[u8]) -> String {
    link_v(payload, '1')
}

fn link_v(payload: &[u8], version: char) -> String {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(payload).unwrap();
    let mut b = z.finish().unwrap();
    b.extend_from_slice(&crc32(payload).to_be_bytes());
    format!("d={version}{}", base64url(&b))
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
        let _ = codec::read(&p, 1);
        let _ = codec::read(&p, 2);
        if let Ok(d) = share::decode(&link(&p)) {
            // Whatever opens is a valid design.
            prop_assert!(load(&save(&d)).is_ok());
        }
        let q = mutate(noted_payload(), &edits);
        let _ = codec::read(&q, 1);
        if let Ok(d) = share::decode(&link_v(&q, '2')) {
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
    let e = codec::read(&p, 1).unwrap_err();
    assert!(e.contains("more than it can hold"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// A decoded link is checked in memory (`format::validate`) rather than by a round trip
    /// through JSON: both accept and refuse the same payloads, and give the same design.
    #[test]
    fn validation_in_memory_agrees_with_the_json_round_trip(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 0..12)) {
        let p = mutate(reference_payload(), &edits);
        if let Ok(d) = codec::read(&p, 1) {
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

// The importer: every parser and the zip reader, on mutations of the real pack's files and of the
// load balancer files our exporter writes, and on any bytes. The import never panics, accounts for
// every file it is given (read, skipped, or an IMP-006 finding naming it), and what it rebuilds is
// a design the format accepts (values from files are data, checked like any other design's).

use obkm_topology::import::{self, input, File};

const PACK: &[&str] = &[
    "repository/conf/axis2/axis2.xml",
    "repository/conf/carbon.xml",
    "repository/conf/datasources/master-datasources.xml",
    "repository/conf/datasources/open-banking-datasources.xml",
    "repository/conf/user-mgt.xml",
    "repository/conf/registry.xml",
    "repository/conf/tomcat/catalina-server.xml",
    "repository/conf/identity/identity.xml",
    "repository/conf/deployment.toml",
];

fn pack_file(i: usize) -> (String, Vec<u8>) {
    let path = PACK[i % PACK.len()];
    let pack = if path.ends_with(".toml") { "ob-iam-2.0" } else { "ob-km-1.5" };
    let full = format!("{}/../shared/wso2-pack/{pack}/{path}", env!("CARGO_MANIFEST_DIR"));
    (format!("km-1/{path}"), std::fs::read(full).unwrap())
}

const NGINX: &str =
    "upstream km {\n  ip_hash; # sticky\n  server 10.0.1.11:9443;\n  server 10.0.1.12:9443 max_fails=3;\n}\n\
server {\n  listen 443 ssl;\n  server_name km.example.com;\n  location / { proxy_pass https://km; }\n}\n";
const HAPROXY: &str = "global\n  daemon\nfrontend km\n  bind *:443 ssl crt /etc/ssl/km.pem\n  default_backend nodes\n\
backend nodes\n  balance roundrobin\n  cookie SRV insert\n  server km1 10.0.1.11:9443 ssl verify none\n  server km2 10.0.1.12:9443 ssl\n";

const INGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: km\n  annotations:\n\
    nginx.ingress.kubernetes.io/backend-protocol: \"HTTPS\"\n    nginx.ingress.kubernetes.io/affinity: cookie\n\
spec:\n  tls:\n    - hosts: [km.example.com]\n  rules:\n    - host: km.example.com\n      http:\n        paths:\n\
          - path: /\n            backend:\n              service:\n                name: km\n                port: {number: 9443}\n";

fn check_import(files: Vec<File>) {
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut imp = import::import(files, None);
    for p in &paths {
        let told = imp.read.contains(p)
            || imp.skipped.iter().any(|(s, _)| s == p)
            || imp.findings.iter().any(|f| f.source.as_ref().is_some_and(|s| &s.file == p));
        assert!(told, "{p} is neither read, skipped nor reported");
    }
    if let Err(e) = obkm_topology::model::format::validate(&mut imp.design) {
        panic!("the imported design is not a valid design: {e}");
    }
    let _ = import::report::to_sarif(
        &imp,
        &obkm_topology::rules::check(&imp.design, obkm_topology::model::Date::parse("2026-12-06").unwrap()),
        "imported.json",
    );
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes) in files {
        w.start_file(path.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 5, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn import_survives_mutated_pack_files(which in 0usize..64, edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        let (path, bytes) = pack_file(which);
        check_import(vec![File { path, bytes: mutate(bytes, &edits) }]);
    }

    #[test]
    fn import_survives_mutated_load_balancer_files(haproxy in any::<bool>(), edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        let (path, text) = if haproxy { ("lb/haproxy.cfg", HAPROXY) } else { ("lb/nginx.conf", NGINX) };
        let (axis, axis_bytes) = pack_file(0);
        check_import(vec![
            File { path: axis, bytes: axis_bytes },
            File { path: path.into(), bytes: mutate(text.as_bytes().to_vec(), &edits) },
        ]);
    }

    #[test]
    fn import_survives_mutated_ingress_manifests(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        let (path, text) = ("k8s/ingress.yaml", INGRESS);
        let (axis, axis_bytes) = pack_file(0);
        check_import(vec![
            File { path: axis, bytes: axis_bytes },
            File { path: path.into(), bytes: mutate(text.as_bytes().to_vec(), &edits) },
        ]);
    }

    #[test]
    fn import_survives_any_text_under_any_name(name in "[a-z/._-]{1,40}", s in "\\PC{0,400}") {
        check_import(vec![File { path: name, bytes: s.into_bytes() }]);
    }

    #[test]
    fn ingress_reader_survives_any_yaml_looking_text(s in "(kind: Ingress\n)?[ a-z:\\-\\[\\]{}&*!|>'\"#,.0-9\n]{0,300}") {
        check_import(vec![File { path: "k8s/any.yaml".into(), bytes: s.into_bytes() }]);
    }

    #[test]
    fn zip_reader_survives_mutated_archives(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..12)) {
        let archive = zip_of(&[pack_file(1), ("lb/nginx.conf".into(), NGINX.as_bytes().to_vec())]);
        if let Ok(files) = input::from_zip(&mutate(archive, &edits)) {
            let total: usize = files.iter().map(|f| f.bytes.len()).sum();
            prop_assert!(files.len() <= input::MAX_FILES && total <= input::MAX_TOTAL);
            prop_assert!(files.iter().all(|f| input::clean_path(&f.path).as_deref() == Some(f.path.as_str())));
            check_import(files);
        }
    }

    #[test]
    fn zip_reader_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = input::from_zip(&bytes);
    }

    #[test]
    fn jdbc_reader_survives_any_text(s in "(jdbc:)?\\PC{0,120}") {
        if let Some(j) = import::jdbc(&s) {
            prop_assert!(!j.host.is_empty());
        }
    }
}
