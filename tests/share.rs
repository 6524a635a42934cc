//! Share links: round trips over generated designs, golden version-1 links that must decode
//! forever, the reference design's length budget, and every kind of broken or hostile link.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use obkm_topology::model::schema::{NodeKind, PropType};
use obkm_topology::model::{load, save, templates, Design, Link, Node, NodeId, Product, Waiver};
use obkm_topology::share::{self, base64url, crc32, ShareError};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Design {
    load(&std::fs::read_to_string(root().join("tests/fixtures").join(name)).unwrap()).unwrap()
}

fn value_strategy(ty: PropType) -> BoxedStrategy<Value> {
    match ty {
        PropType::Text | PropType::Host | PropType::HostOrIp | PropType::Cidr => {
            "\\PC{0,20}".prop_map(Value::String).boxed()
        }
        PropType::Ip => prop_oneof![
            any::<[u8; 4]>().prop_map(|b| json!(std::net::Ipv4Addr::from(b).to_string())),
            any::<[u8; 16]>().prop_map(|b| json!(std::net::Ipv6Addr::from(b).to_string())),
            "[0-9a-f.:]{0,12}".prop_map(Value::String),
        ]
        .boxed(),
        PropType::Number => prop_oneof![
            (-100_000i64..100_000).prop_map(|k| json!(k)),
            (-1e6f64..1e6).prop_map(obkm_topology::model::format::canonical_number),
        ]
        .boxed(),
        PropType::Integer => (-1_000_000i64..1_000_000).prop_map(|k| json!(k)).boxed(),
        PropType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        PropType::Enum(all) => (0..all.len()).prop_map(move |i| json!(all[i])).boxed(),
        PropType::Set(all) => prop::collection::vec(0..all.len(), 0..8)
            .prop_map(move |ix| json!(ix.iter().map(|&i| all[i]).collect::<Vec<_>>()))
            .boxed(),
        PropType::Addresses => prop::collection::vec(
            prop_oneof![
                any::<[u8; 4]>().prop_map(|b| std::net::Ipv4Addr::from(b).to_string()),
                (any::<[u8; 4]>(), 0u8..=32).prop_map(|(b, l)| format!("{}/{l}", std::net::Ipv4Addr::from(b))),
                any::<[u8; 16]>().prop_map(|b| std::net::Ipv6Addr::from(b).to_string()),
            ],
            0..4,
        )
        .prop_map(|v| json!(v))
        .boxed(),
    }
}

/// A generated node: kind, id, label, position, zone, a value (or none) per property.
type NodeParts = (NodeKind, Option<String>, Option<String>, i32, i32, String, Vec<Option<Value>>);

fn node_strategy() -> impl Strategy<Value = NodeParts> {
    (0..8usize).prop_flat_map(|k| {
        let kind = NodeKind::ALL[k];
        let props: Vec<BoxedStrategy<Option<Value>>> =
            kind.props().iter().map(|s| prop::option::of(value_strategy(s.ty)).boxed()).collect();
        (
            Just(kind),
            prop::option::of("[a-z0-9][a-z0-9-]{0,10}"),
            prop::option::of("\\PC{0,16}"),
            -5000i32..5000,
            -5000i32..5000,
            "[a-z]{0,5}",
            props,
        )
    })
}

prop_compose! {
    fn design_strategy()(
        name in "\\PC{0,30}",
        product in 0..4usize,
        domain in prop::option::of("[a-z0-9._-]{1,20}"),
        scheme in 0..4usize,
        nodes in prop::collection::vec(node_strategy(), 0..12),
        links in prop::collection::vec((any::<u16>(), any::<u16>()), 0..20),
        waivers in prop::collection::vec(("[A-Z]{2,4}-00[1-9]", prop::option::of("[a-z]{1,6}"), prop::option::of("\\PC{0,20}"), prop::option::of((2000u32..2100, 1u32..13, 1u32..29))), 0..4),
        notes in prop::option::of(("\\PC{0,40}", "\\PC{0,12}", prop::collection::vec((any::<u16>(), "(.|\n){1,30}"), 0..4))),
    ) -> Design {
        let mut d = Design { name, product: Product::ALL[product], ..Design::default() };
        if let Some(dom) = domain { d.cluster.domain = dom; }
        d.cluster.membership_scheme = obkm_topology::model::MembershipScheme::ALL[scheme];
        for (kind, id, label, x, y, zone, props) in nodes {
            let id = id.filter(|i| d.nodes.iter().all(|n| n.id.as_str() != i)).and_then(|i| NodeId::parse(&i)).unwrap_or_else(|| d.next_id(kind));
            let mut map = Map::new();
            for (spec, v) in kind.props().iter().zip(props) {
                if let Some(v) = v { map.insert(spec.name.to_string(), v); }
            }
            let label = label.unwrap_or_else(|| id.to_string());
            d.nodes.push(Node { id, kind, label, x: f64::from(x), y: f64::from(y), zone, notes: String::new(), props: map, extra: Map::new() });
        }
        if !d.nodes.is_empty() {
            for (a, b) in links {
                let n = d.nodes.len();
                d.links.push(Link::new(d.nodes[usize::from(a) % n].id.clone(), d.nodes[usize::from(b) % n].id.clone()));
            }
        }
        for (rule, node, reason, date) in waivers {
            let expires = date.and_then(|(y, m, day)| obkm_topology::model::Date::parse(&format!("{y:04}-{m:02}-{day:02}")));
            d.waivers.push(Waiver { rule, node, reason, expires, extra: Map::new() });
        }
        // Review notes (version 2 links), on about half the designs.
        if let Some((design_notes, owner, node_notes)) = notes {
            d.notes = design_notes;
            d.owner = owner;
            let n = d.nodes.len();
            for (i, text) in node_notes {
                if n > 0 {
                    d.nodes[usize::from(i) % n].notes = text;
                }
            }
        }
        d
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn decode_of_encode_is_the_same_design(d in design_strategy()) {
        // The generated design is a valid one (it saves and loads).
        let d = load(&save(&d)).unwrap();
        let enc = share::encode(&d);
        prop_assert!(!enc.dropped_unknown);
        let back = share::decode(&format!("https://x.example/app/#{}", enc.fragment)).unwrap();
        prop_assert_eq!(save(&back), save(&d));
        prop_assert_eq!(back, d);
    }
}

const GOLDEN: &[(&str, &str)] = &[
    ("ha-reference", "fixture:ha-reference.json"),
    ("broken-single-node", "fixture:broken-single-node.json"),
    ("template-ha", "template:ha"),
    ("template-ha-two-zones", "template:ha-two-zones"),
    ("odd-values", "odd"),
];

fn golden_design(source: &str) -> Design {
    if let Some(f) = source.strip_prefix("fixture:") {
        return fixture(f);
    }
    if let Some(t) = source.strip_prefix("template:") {
        return templates::design(t).unwrap().unwrap();
    }
    // Values that exercise every encoding path: odd ids, fractions, IPv6, non-default everything.
    load(r#"{"format":"obkm-topology","version":1,"name":"Odd ✓ values \"quoted\"","product":"ob-iam-2.0",
      "cluster":{"domain":"wso2.odd","membership_scheme":"kubernetes"},
      "nodes":[
        {"id":"km-07","kind":"key-manager","label":"","x":-120,"y":33,"zone":"zone a","props":{"ip":"fd00::1","memory_gb":7.5,"heap_gb":2,"disk_gb":1e6,"jdk":"11.0.9","jdk_vendor":"corretto","product_version":"2.0.0","update_level":123,"clustering_enabled":false,"member_port":4100,"port_offset":0}},
        {"id":"gateway","kind":"load-balancer","label":"GW","x":0,"y":0,"zone":"","props":{"ip":"010.0.0.1","product":"haproxy","sticky_sessions":false,"instances":3,"tls_port":8443,"expose_http":true,"backend_protocol":"http"}},
        {"id":"db-1","kind":"database","label":"db","x":1,"y":2,"zone":"data","props":{"engine":"postgresql","port":5432,"databases":["user","apim","user"]}},
        {"id":"ldap-1","kind":"directory","x":3,"y":4,"props":{"tls":true,"port":636,"read_only":true,"protocol":"other"}},
        {"id":"fs-1","kind":"shared-storage","x":5,"y":6,"props":{"type":"smb","paths":[],"nfs_version":"3"}},
        {"id":"client-1","kind":"client","x":7,"y":8,"props":{"cidr":"192.0.2.0/24","description":"partners"}}
      ],
      "links":[{"from":"gateway","to":"km-07"},{"from":"km-07","to":"km-07"},{"from":"km-07","to":"gateway"}],
      "waivers":[{"rule":"DB-005","node":"db-1","reason":"approved","expires":"2028-02-29"},{"rule":"X"}]}"#)
    .unwrap()
}

#[test]
fn golden_version_1_links_decode_forever() {
    let update = std::env::var_os("UPDATE_GOLDEN_LINKS").is_some();
    for (name, source) in GOLDEN {
        let path = root().join("tests/golden/links").join(format!("{name}.link"));
        let d = golden_design(source);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("{}\n", share::encode(&d).fragment)).unwrap();
        }
        let link = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
        let decoded = share::decode(link.trim()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, d, "{name}: the golden link no longer decodes to its design");
        assert_eq!(share::encode(&d).fragment, link.trim(), "{name}: the version 1 encoding changed");
    }
}

#[test]
fn notes_and_owner_travel_in_version_2_links_and_only_they_need_it() {
    let mut d = fixture("ha-reference.json");
    // Without the new fields: version 1, the same bytes as the golden link.
    assert!(share::encode(&d).fragment.starts_with("d=1"));
    let golden = std::fs::read_to_string(root().join("tests/golden/links/ha-reference.link")).unwrap();
    assert_eq!(share::encode(&d).fragment, golden.trim());
    for (what, edit) in [
        (
            "design notes",
            Box::new(|d: &mut Design| d.notes = "Reviewed: <b>ok</b>\nsecond line".into()) as Box<dyn Fn(&mut Design)>,
        ),
        ("owner", Box::new(|d: &mut Design| d.owner = "Payments platform team".into())),
        ("node notes", Box::new(|d: &mut Design| d.nodes[3].notes = "Moves to the new rack in March".into())),
    ] {
        let mut e = d.clone();
        edit(&mut e);
        let enc = share::encode(&e);
        assert!(enc.fragment.starts_with("d=2"), "{what}: {}", &enc.fragment[..10]);
        let back = share::decode(&enc.fragment).unwrap();
        assert_eq!(back, e, "{what}");
        // And the CLI opens it to the same saved bytes.
        assert_eq!(save(&back), save(&e));
    }
    // The properties added after version 1 need version 2 too, and round-trip.
    for (id, key, value) in [
        ("lb-1", "source_addresses", serde_json::json!(["10.0.0.6", "10.0.8.0/28", "fd00::6"])),
        ("db-1", "ip", serde_json::json!("10.0.2.10")),
        ("ldap-1", "ip", serde_json::json!("10.0.2.11")),
        ("nfs-1", "ip", serde_json::json!("fd00::12")),
    ] {
        let mut e = d.clone();
        let n = e.nodes.iter_mut().find(|n| n.id.as_str() == id).unwrap();
        n.props.insert(key.to_string(), value);
        let enc = share::encode(&e);
        assert!(enc.fragment.starts_with("d=2"), "{key} on {id}");
        assert_eq!(share::decode(&enc.fragment).unwrap(), e, "{key} on {id}");
        // Read as version 1, the property's bit is one version 1 does not have: refused.
        // (Without the empty extension block, three zero bytes, so that only the bit is wrong.)
        let (payload, _, _) = share::codec::write(&e);
        assert_eq!(payload[payload.len() - 3..], [0, 0, 0]);
        let v1_body = &payload[..payload.len() - 3];
        assert!(share::codec::read(v1_body, 2).is_err(), "the extension block is required in version 2");
        let e1 = share::codec::read(v1_body, 1).unwrap_err();
        assert!(e1.contains("properties its kind does not have"), "{key} on {id}: {e1}");
    }
    // A version 2 payload read as version 1 is refused, never opened as something else.
    d.notes = "x".into();
    let (payload, _, v) = share::codec::write(&d);
    assert_eq!(v, 2);
    assert!(share::codec::read(&payload, 1).unwrap_err().contains("unexpected bytes"));
}

#[test]
fn the_reference_design_fits_in_700_characters() {
    let d = fixture("ha-reference.json");
    let enc = share::encode(&d);
    eprintln!("reference fragment: {} characters", enc.fragment.len());
    assert!(enc.fragment.len() <= 700, "{} characters", enc.fragment.len());
    // The usual approach, for comparison: minified JSON + deflate + base64url.
    let json = serde_json::to_string(&obkm_topology::model::format::to_value(&d)).unwrap();
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(json.as_bytes()).unwrap();
    let naive = base64url(&z.finish().unwrap()).len();
    assert!(enc.fragment.len() * 2 < naive + 100, "ours {} vs naive {naive}", enc.fragment.len());
}

#[test]
fn unknown_fields_are_dropped_and_reported() {
    let d = load(r#"{"format":"obkm-topology","version":1,"future":1,"nodes":[{"id":"km-1","kind":"key-manager","props":{"colour":"red"}}]}"#).unwrap();
    let enc = share::encode(&d);
    assert!(enc.dropped_unknown);
    let back = share::decode(&enc.fragment).unwrap();
    assert!(back.extra.is_empty() && back.nodes[0].props.is_empty());
}

fn link_of(bytes: &[u8], payload: &[u8]) -> String {
    let mut b = bytes.to_vec();
    b.extend_from_slice(&crc32(payload).to_be_bytes());
    format!("d=1{}", base64url(&b))
}

#[test]
fn broken_links_say_what_is_wrong() {
    let good = share::encode(&fixture("ha-reference.json")).fragment;
    assert_eq!(share::decode("https://x/#view=1"), Err(ShareError::NotALink));
    assert_eq!(share::decode(""), Err(ShareError::NotALink));
    assert!(matches!(share::decode(&good.replacen("d=1", "d=7", 1)), Err(ShareError::UnknownVersion(v)) if v == "7"));
    assert!(matches!(share::decode(&format!("{good}!")), Err(ShareError::BadCharacter('!', _))));
    assert!(matches!(share::decode(&format!("#{}", "A".repeat(70_000))), Err(ShareError::TooLong(70_000))));
    assert_eq!(share::decode("d=1"), Err(ShareError::Truncated));
    assert_eq!(share::decode("d=1AAAA"), Err(ShareError::Truncated));
    // Every truncation is refused.
    for cut in 3..good.len() {
        let r = share::decode(&good[..cut]);
        assert!(r.is_err(), "a link cut at {cut} opened");
    }
    // Every changed character is refused, or decodes to the very same design (the unused low
    // bits of the last character): never a different design.
    let d = fixture("ha-reference.json");
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".chars().collect();
    for i in 3..good.len() {
        let c = good.as_bytes()[i] as char;
        let other = alphabet[(alphabet.iter().position(|x| *x == c).unwrap() + 17) % 64];
        let mut s = good.clone();
        s.replace_range(i..=i, &other.to_string());
        if let Ok(x) = share::decode(&s) {
            assert_eq!(x, d, "a changed character at {i} opened a different design");
        }
    }
    // Not deflate data; deflate of garbage; a checksum over other bytes.
    assert_eq!(share::decode(&format!("d=1{}", base64url(&[0xff; 40]))), Err(ShareError::BadCompression));
    let garbage = b"\x05\x00\xff\xff\xff\xff\xff\x01";
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(garbage).unwrap();
    assert!(matches!(share::decode(&link_of(&z.finish().unwrap(), garbage)), Err(ShareError::Malformed(_))));
    // A decompression bomb: 5 MiB of zeros in a few kilobytes.
    let zeros = vec![0u8; 5 * 1024 * 1024];
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&zeros).unwrap();
    let bomb = link_of(&z.finish().unwrap(), &zeros);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    assert_eq!(share::decode(&bomb), Err(ShareError::TooLarge));
    // A well-formed payload whose design breaks the format (a duplicate id).
    let mut dup = fixture("ha-reference.json");
    dup.nodes[1].id = dup.nodes[2].id.clone();
    assert!(
        matches!(share::decode(&share::encode(&dup).fragment), Err(ShareError::InvalidDesign(m)) if m.contains("duplicate id"))
    );
    // Messages are for people.
    assert!(ShareError::Checksum.to_string().contains("damaged"));
}

#[test]
fn the_cli_shares_and_opens_with_the_same_bytes() {
    let bin = env!("CARGO_BIN_EXE_obkm-topology");
    let path = root().join("tests/fixtures/ha-reference.json");
    let o = std::process::Command::new(bin)
        .args(["share", path.to_str().unwrap(), "--base-url", "https://designer.example/obkm/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let url = String::from_utf8(o.stdout).unwrap();
    let d = fixture("ha-reference.json");
    assert_eq!(url.trim(), format!("https://designer.example/obkm/#{}", share::encode(&d).fragment));
    let o = std::process::Command::new(bin).args(["open", url.trim()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), save(&d));
    let o = std::process::Command::new(bin).args(["open", "#d=1AAAAAAAAAAAA"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged"));
}

#[test]
fn a_design_too_large_for_a_link_is_refused_by_the_cli() {
    // Labels of random text do not compress: enough of them exceed the 64 KiB fragment cap.
    let mut d = Design::default();
    let mut seed = 12345u64;
    for i in 0..400 {
        let label: String = (0..200)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from(b'!' + ((seed >> 33) % 90) as u8)
            })
            .collect();
        let mut n = d.new_node(NodeKind::Client, f64::from(i), 0.0);
        n.label = label;
        d.nodes.push(n);
    }
    assert!(share::encode(&d).fragment.len() > share::MAX_FRAGMENT);
    let dir = std::env::temp_dir().join(format!("obkm-share-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("big.json");
    std::fs::write(&p, save(&d)).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_obkm-topology"))
        .args(["share", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("too large for a link"));
}

/// The share links' bitwise CRC-32 is the IEEE CRC-32 (the check value, and crc32fast's result
/// on every length up to a few blocks of varied bytes).
#[test]
fn crc32_is_the_ieee_crc() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    let bytes: Vec<u8> = (0u32..3000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for len in (0..bytes.len()).step_by(37) {
        let mut h = crc32fast::Hasher::new();
        h.update(&bytes[..len]);
        assert_eq!(crc32(&bytes[..len]), h.finalize(), "length {len}");
    }
}
