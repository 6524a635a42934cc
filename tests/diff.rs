//! Reviewing a change: golden diffs of fixture pairs (every kind of change, and a pair that
//! differs only by layout) in text, JSON and Markdown; the firewall change request in every
//! format, its nft and iptables files checked by `nft -c -f` and `iptables-restore --test`;
//! properties: a design compared with itself has no change, and applying the listed changes to
//! the old design gives the new one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use obkm_topology::diff::{self, apply, delta, Options};
use obkm_topology::export::FirewallFormat;
use obkm_topology::model::{apply as apply_command, load, Command as Edit, Design};
use obkm_topology::rules::Date;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pair(name: &str) -> (Design, Design) {
    let read = |side: &str| {
        let p = root().join(format!("tests/fixtures/diff/{name}.{side}.json"));
        load(&std::fs::read_to_string(&p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    (read("old"), read("new"))
}

fn day() -> Date {
    Date::parse("2026-12-06").unwrap()
}

fn opts(ignore_layout: bool) -> Options {
    Options { ignore_layout, today: Date::parse("2026-12-06").unwrap() }
}

/// Compares with the golden file, or writes it with UPDATE_GOLDEN=1.
fn golden(rel: &str, actual: &str) {
    let path = root().join("tests/golden/diff").join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run UPDATE_GOLDEN=1 cargo test --test diff", path.display()));
    assert_eq!(
        actual, expected,
        "{rel} differs from the golden file (UPDATE_GOLDEN=1 cargo test --test diff to accept)"
    );
}

#[test]
fn golden_diffs_of_the_fixture_pairs() {
    for name in ["every-change", "layout-only"] {
        let (old, new) = pair(name);
        for ignore in [false, true] {
            let d = diff::diff(&old, &new, opts(ignore));
            let suffix = if ignore { ".ignore-layout" } else { "" };
            golden(&format!("{name}{suffix}.txt"), &diff::to_text(&d));
            golden(&format!("{name}{suffix}.json"), &diff::to_json(&d));
            golden(&format!("{name}{suffix}.md"), &diff::to_markdown(&d));
        }
    }
}

#[test]
fn every_kind_of_change_is_listed_and_layout_is_kept_apart() {
    let (old, new) = pair("every-change");
    let d = diff::diff(&old, &new, opts(false));
    for (section, change) in [
        ("design", "changed"),
        ("node", "added"),
        ("node", "removed"),
        ("node", "changed"),
        ("node", "moved"),
        ("link", "added"),
        ("link", "removed"),
        ("waiver", "added"),
        ("finding", "new"),
        ("finding", "fixed"),
        ("flow", "opened"),
        ("flow", "closed"),
    ] {
        assert!(d.count(section, change) > 0, "no {section} {change}:\n{}", diff::to_text(&d));
    }
    // A label edit and a zone edit are changes of the node, each with old → new.
    let label = d.changes.iter().find(|c| c.field.as_deref() == Some("label")).unwrap();
    assert_eq!(
        (label.old.as_ref().unwrap(), label.new.as_ref().unwrap()),
        (&Value::from("KM 1"), &Value::from("KM 1 (London)"))
    );
    assert!(d.changes.iter().any(|c| c.field.as_deref() == Some("zone") && c.target == "km-1"));
    // Findings are matched by fingerprint: a relabelled node's findings are not "new".
    assert!(d.changes.iter().filter(|c| c.section == "finding").all(|c| c.target.len() == 16));

    let (old, new) = pair("layout-only");
    let all = diff::diff(&old, &new, opts(false));
    assert!(all.changes.iter().all(|c| c.change == "moved"), "{}", diff::to_text(&all));
    assert_eq!(all.count("node", "moved"), old.nodes.len());
    let ignored = diff::diff(&old, &new, opts(true));
    assert!(ignored.is_empty(), "{}", diff::to_text(&ignored));
}

/// Runs a tool on a file; panics with its output when it refuses it.
fn accepts(tool: &str, args: &[&str], text: &str, name: &str) {
    let dir = std::env::temp_dir().join(format!("obkm-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.push(p.to_str().unwrap());
    let o = Command::new(tool).args(&all).output().unwrap_or_else(|e| panic!("{tool}: {e} (make test installs it)"));
    assert!(o.status.success(), "{tool} refused {name}:\n{}\n{text}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_firewall_change_request_in_every_format() {
    let (old, new) = pair("every-change");
    let csv = delta::render(&old, &new, FirewallFormat::Csv, None, day()).unwrap();
    golden("every-change.firewall.csv", &csv);
    golden("every-change.firewall.md", &delta::render(&old, &new, FirewallFormat::Markdown, None, day()).unwrap());
    // CSV: the flow list's header plus `change`; one row per flow opened or closed.
    let mut lines = csv.split("\r\n");
    assert_eq!(lines.next().unwrap(), format!("{},change", obkm_topology::export::firewall::CSV_HEADER));
    let d = diff::diff(&old, &new, opts(false));
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), d.opened.len() + d.closed.len());
    assert_eq!(rows.iter().filter(|r| r.ends_with(",added")).count(), d.opened.len());
    assert_eq!(rows.iter().filter(|r| r.ends_with(",removed")).count(), d.closed.len());

    // Per host: every node of either design; checked alone by the real tools.
    let mut ids: Vec<String> = old.nodes.iter().chain(&new.nodes).map(|n| n.id.to_string()).collect();
    ids.sort();
    ids.dedup();
    for id in &ids {
        let nft = delta::render(&old, &new, FirewallFormat::Nft, Some(id), day()).unwrap();
        accepts("nft", &["-c", "-f"], &nft, &format!("{id}.nft"));
        let ipt = delta::render(&old, &new, FirewallFormat::Iptables, Some(id), day()).unwrap();
        accepts("iptables-restore", &["--test"], &ipt, &format!("{id}.rules"));
        assert!(!ipt.contains(":OBKM-INPUT"), "declaring the chain would empty it on load:\n{ipt}");
    }
    let nft = delta::render(&old, &new, FirewallFormat::Nft, Some("km-1"), day()).unwrap();
    golden("every-change.km-1.nft", &nft);
    let ipt = delta::render(&old, &new, FirewallFormat::Iptables, Some("km-1"), day()).unwrap();
    golden("every-change.km-1.rules", &ipt);
    // The load balancer moved to 10.0.0.6: km-1 admits it before its drop rules, and says how
    // to remove the rule of 10.0.0.5 (the same rule text as the full ruleset's).
    assert!(nft.contains("insert rule inet obkm input ip saddr 10.0.0.6 tcp dport 9446 accept"), "{nft}");
    assert!(nft.contains("grep -F 'ip saddr 10.0.0.5 tcp dport 9446 accept comment \"lb-1->km-1:tcp/9446\"'"), "{nft}");
    let full_old = obkm_topology::export::firewall(&old, FirewallFormat::Iptables, Some("km-1"), day()).unwrap();
    let removed = ipt.lines().find(|l| l.contains("iptables -D OBKM-INPUT -s 10.0.0.5")).unwrap();
    let spec = removed.split("iptables -D OBKM-INPUT ").nth(1).unwrap();
    assert!(full_old.contains(&format!("-A OBKM-INPUT {spec}")), "-D must name the loaded rule exactly: {spec}");
    assert!(ipt.contains("-I OBKM-INPUT 1 -s 10.0.0.6 -p tcp -m tcp --dport 9446"), "{ipt}");

    // A new node has no previous ruleset; Terraform and a node of neither design are refused.
    assert!(delta::render(&old, &new, FirewallFormat::Nft, Some("km-4"), day())
        .unwrap()
        .contains("km-4 is new in this design"));
    assert!(delta::render(&old, &new, FirewallFormat::Terraform, None, day()).is_err());
    assert!(delta::render(&old, &new, FirewallFormat::Nft, None, day()).is_err());
    assert!(delta::render(&old, &new, FirewallFormat::Nft, Some("nope"), day()).unwrap_err().contains("nope"));
}

#[test]
fn the_command_line_diffs_files_and_share_links() {
    let bin = env!("CARGO_BIN_EXE_obkm-topology");
    let dir = root().join("tests/fixtures/diff");
    let old = dir.join("every-change.old.json");
    let new = dir.join("every-change.new.json");
    let run = |args: &[&str]| Command::new(bin).args(args).output().unwrap();
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json", "--today", "2026-12-06"]);
    assert_eq!(o.status.code(), Some(0));
    let (a, b) = pair("every-change");
    assert_eq!(String::from_utf8(o.stdout).unwrap(), diff::to_json(&diff::diff(&a, &b, opts(false))));
    // A share link stands for a file.
    let link = obkm_topology::share::url("https://designer.example/", &a).0;
    let o = run(&["diff", &link, new.to_str().unwrap(), "--ignore-layout", "--format", "md", "--today", "2026-12-06"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), diff::to_markdown(&diff::diff(&a, &b, opts(true))));
    let o = run(&["firewall", new.to_str().unwrap(), "--since", &link, "--format", "csv", "--today", "2026-12-06"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), delta::render(&a, &b, FirewallFormat::Csv, None, day()).unwrap());
    // Unreadable input exits 2 with a message naming it.
    for (args, says) in [
        (vec!["diff", old.to_str().unwrap()], "two designs"),
        (vec!["diff", old.to_str().unwrap(), "/nonexistent.json"], "cannot read /nonexistent.json"),
        (vec!["diff", "https://x.example/#d=1garbage", new.to_str().unwrap()], "share link"),
        (vec!["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "xml"], "--format"),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

/// A random edit of a design, of the kinds a review meets.
fn edit(d: &mut Design, what: u8, which: u8, value: u16) {
    let n = d.nodes.len();
    if n == 0 {
        return;
    }
    let id = d.nodes[which as usize % n].id.clone();
    let cmd = match what % 9 {
        0 => Edit::MoveNode { id, x: f64::from(value), y: f64::from(value / 3) },
        1 => Edit::SetLabel { id, label: format!("label {value} <&>") },
        2 => Edit::SetZone { id, zone: format!("zone-{}", value % 3) },
        3 => {
            let kind = d.node(&id).unwrap().kind;
            let Some(spec) =
                kind.props().iter().find(|p| p.name == "instances" || p.name == "ip" || p.name == "memory_gb")
            else {
                return;
            };
            let v =
                if spec.name == "ip" { Value::from(format!("10.9.0.{}", value % 250)) } else { Value::from(value % 5) };
            Edit::SetProp { id, key: spec.name.to_string(), value: Some(v) }
        }
        4 => Edit::RemoveNode { id },
        5 => {
            let mut node = d.node(&id).unwrap().clone();
            node.id = d.next_id(node.kind);
            Edit::AddNode { node, index: value as usize % (n + 1) }
        }
        6 => {
            let other = d.nodes[value as usize % n].id.clone();
            if d.links.iter().any(|l| l.joins(&id, &other)) {
                return;
            }
            Edit::AddLink { link: obkm_topology::model::Link::new(id, other), index: d.links.len() }
        }
        7 => {
            if d.links.is_empty() {
                return;
            }
            let i = value as usize % d.links.len();
            Edit::RemoveLink { index: i }
        }
        _ => {
            d.name = format!("design {value}");
            return;
        }
    };
    let _ = apply_command(d, cmd);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..proptest::prelude::ProptestConfig::default() })]

    /// diff(a, a) is empty; applying diff(a, b)'s changes to a gives b (nothing left to list).
    #[test]
    fn the_listed_changes_are_the_whole_change(
        base in 0usize..3,
        edits in proptest::collection::vec((0u8..=255, 0u8..=255, 0u16..=2000), 0..10),
    ) {
        let a = match base {
            0 => pair("every-change").0,
            1 => pair("every-change").1,
            _ => obkm_topology::model::templates::design("broken").unwrap().unwrap(),
        };
        proptest::prop_assert!(diff::diff(&a, &a, opts(false)).is_empty());
        let mut b = a.clone();
        for (what, which, value) in edits {
            edit(&mut b, what, which, value);
        }
        let d = diff::diff(&a, &b, opts(false));
        let applied = apply(&a, &d.changes).unwrap();
        let rest = diff::diff(&applied, &b, opts(false));
        let left: Vec<&str> = rest.changes.iter().map(|c| c.text.as_str()).collect();
        proptest::prop_assert!(rest.is_empty(), "left after applying: {:?}", left);
        // And the same holds without the layout, but for the moves.
        let d = diff::diff(&a, &b, opts(true));
        let rest = diff::diff(&apply(&a, &d.changes).unwrap(), &b, opts(false));
        proptest::prop_assert!(rest.changes.iter().all(|c| c.change == "moved"));
    }
}
