//! The export worker's jobs (`export::job`): each kind gives exactly what the library (and so
//! the command line) gives, and a malformed job is refused with a clear error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::export::{self, job, FirewallFormat};
use obkm_topology::model::{load, save, Date};
use serde_json::json;

const TODAY: &str = "2026-12-02";

fn design() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ha-reference.json")).expect("fixture")
}

fn run(v: serde_json::Value) -> Result<job::Done, String> {
    job::run(&v.to_string(), &|| 0.0)
}

#[test]
fn every_kind_gives_the_library_bytes() {
    let text = design();
    let d = load(&text).expect("loads");
    let today = Date::parse(TODAY).expect("date");
    let saved = save(&d);
    let b = run(json!({"kind": "bundle", "design": saved, "today": TODAY})).expect("bundle");
    assert_eq!(b.bytes, export::bundle(&d, today).expect("bundle"));
    assert_eq!((b.name.as_str(), b.mime.as_str()), (export::bundle_name(&d).as_str(), "application/zip"));
    for f in ["csv", "md", "terraform", "nft", "iptables"] {
        let format = FirewallFormat::parse(f).expect("format");
        assert_eq!(format.as_str(), f);
        let whole = run(json!({"kind": "firewall", "design": saved, "today": TODAY, "format": f})).expect("firewall");
        assert_eq!((whole.name.clone(), whole.mime.clone(), whole.bytes.clone()), {
            let (n, m, b) = job::firewall_download(&d, format, None, today).expect("download");
            (n, m.to_string(), b)
        });
        if format.per_host() {
            let one = run(json!({"kind": "firewall", "design": saved, "today": TODAY, "format": f, "node": "km-1"}))
                .expect("host");
            assert_eq!(one.bytes, export::firewall(&d, format, Some("km-1"), today).expect("host").into_bytes());
            assert_eq!(one.name, format!("km-1.{}", if f == "nft" { "nft" } else { "rules" }));
        } else {
            assert_eq!(whole.bytes, export::firewall(&d, format, None, today).expect("whole").into_bytes());
        }
    }
    let svg = run(json!({"kind": "diagram", "design": saved, "today": TODAY})).expect("diagram");
    assert_eq!(svg.bytes, export::diagram::svg(&d, &obkm_topology::rules::check(&d, today), today).into_bytes());
    let share = run(json!({"kind": "share", "design": saved, "today": TODAY, "base_url": "https://x.example/app/"}))
        .expect("share");
    let (url, enc) = obkm_topology::share::url("https://x.example/app/", &d);
    assert_eq!(share.meta["url"], json!(url));
    assert_eq!(share.meta["fragment_length"], json!(enc.fragment.len()));
    assert_eq!(share.meta["too_large"], json!(null));
    let m = run(json!({"kind": "measure", "design": saved, "today": TODAY})).expect("measure");
    assert_eq!(m.meta["bundle_bytes"], json!(export::bundle(&d, today).expect("bundle").len()));
}

#[test]
fn malformed_jobs_are_refused_with_what_is_wrong() {
    let saved = save(&load(&design()).expect("loads"));
    let cases = [
        ("not json".to_string(), "a malformed export job"),
        (json!({"kind": "bundle"}).to_string(), "a malformed export job"),
        (json!({"kind": "bundle", "design": saved, "today": TODAY, "extra": 1}).to_string(), "unknown field"),
        (json!({"kind": "bundle", "design": saved, "today": "yesterday"}).to_string(), "a malformed date"),
        (json!({"kind": "bundle", "design": "{", "today": TODAY}).to_string(), "JSON"),
        (
            json!({"kind": "firewall", "design": saved, "today": TODAY, "format": "pf"}).to_string(),
            "an unknown firewall format \"pf\"",
        ),
        (json!({"kind": "firewall", "design": saved, "today": TODAY}).to_string(), "an unknown firewall format \"\""),
        (json!({"kind": "print", "design": saved, "today": TODAY}).to_string(), "an unknown export job \"print\""),
        ("x".repeat(5 << 20), "a malformed export job"),
    ];
    for (text, want) in cases {
        let err = job::run(&text, &|| 0.0).expect_err("refused");
        assert!(err.contains(want), "{err:?} does not say {want:?}");
    }
}
