//! The command-line tool as a pipeline runs it: exit codes, output formats, bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obkm-topology")).args(args).output().unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name).to_string_lossy().to_string()
}

fn temp(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("obkm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn check_exit_codes() {
    let ok = run(&["check", &fixture("ha-reference.json")]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = run(&["check", &fixture("broken-single-node.json")]);
    assert_eq!(bad.status.code(), Some(1));
    let text = stdout(&bad);
    assert_eq!(text.lines().count(), 15, "one finding a line and a summary:\n{text}");
    assert!(text.lines().last().unwrap().contains("10 error(s), 4 warning(s)"));
    let missing = run(&["check", "/nonexistent/design.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read /nonexistent/design.json"));
}

#[test]
fn check_json_is_the_documented_document() {
    let o = run(&["check", &fixture("broken-single-node.json"), "--format", "json", "--today", "2026-11-26"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["design"], "Broken single node");
    assert_eq!(v["product"], "ob-km-1.5");
    assert_eq!(v["summary"], serde_json::json!({"error": 10, "warning": 4, "info": 0, "waived": 0}));
    let f = &v["findings"][0];
    let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["rule", "severity", "title", "message", "nodes", "source", "fix", "waived", "fingerprint"]);
    assert_eq!(f["rule"], "CLU-001");
    // SHA-256("CLU-001|"), first 16 hex digits: a design-wide finding.
    assert_eq!(f["fingerprint"], "bc40be091e85183d");
    assert_eq!(f["nodes"], serde_json::json!(["km-1"]));
    assert!(stdout(&o).ends_with("}\n"));
}

#[test]
fn check_sarif_has_the_required_structure() {
    let path = fixture("broken-single-node.json");
    let o = run(&["check", &path, "--format=sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "obkm-topology");
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 51);
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 14);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], path.as_str());
        // Code scanning needs a line and tracks results by their partial fingerprints.
        let line = r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap();
        assert!(line >= 1);
        let fp = r["partialFingerprints"]["obkmFinding/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
    }
    // A finding about one node points at its line in the canonically saved design; a
    // design-wide one at line 1.
    let saved =
        obkm_topology::model::save(&obkm_topology::model::load(&std::fs::read_to_string(&path).unwrap()).unwrap());
    let host = results.iter().find(|r| r["ruleId"] == "HOST-001").unwrap();
    let line = host["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() as usize;
    assert_eq!(saved.lines().nth(line - 1).unwrap().trim(), "\"id\": \"km-1\",");
    let clu = results.iter().find(|r| r["ruleId"] == "CLU-001").unwrap();
    assert_eq!(clu["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
    assert_eq!(clu["partialFingerprints"]["obkmFinding/v1"], "bc40be091e85183d");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results.last().unwrap()["level"], "warning");
}

#[test]
fn waivers_change_the_exit_status_and_expire_with_today() {
    let mut d: Value = serde_json::from_str(&std::fs::read_to_string(fixture("ha-reference.json")).unwrap()).unwrap();
    d["nodes"][1]["props"]["sticky_sessions"] = Value::Bool(false);
    d["waivers"] =
        serde_json::json!([{"rule": "LB-002", "reason": "sticky at the F5 in front", "expires": "2027-01-31"}]);
    let p = temp("waived.json", d.to_string().as_bytes());
    let p = p.to_str().unwrap();
    assert_eq!(run(&["check", p, "--today", "2027-01-31"]).status.code(), Some(0));
    let late = run(&["check", p, "--today", "2027-02-01", "--format", "json"]);
    assert_eq!(late.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&late)).unwrap();
    assert_eq!(v["findings"][0]["rule"], "LB-002");
    assert_eq!(v["findings"][1]["rule"], "WAIVE-002");
}

#[test]
fn bad_arguments_and_bad_input_exit_2_with_a_message() {
    let good = fixture("ha-reference.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "usage"),
        (vec!["frobnicate"], "unknown command"),
        (vec!["check"], "missing design file"),
        (vec!["check", &good, &good], "expected one design file"),
        (vec!["check", &good, "--format", "xml"], "--format is text, json or sarif"),
        (vec!["check", &good, "--format"], "--format needs a value"),
        (vec!["check", &good, "--today", "2027-02-30"], "--today expects a date"),
        (vec!["check", &good, "--color", "x"], "unknown option --color"),
        (vec!["template", "nope"], "no template \"nope\""),
    ];
    for (args, msg) in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(msg), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    let inputs: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not-json.json", b"{nope".to_vec(), "document: not JSON"),
        ("binary.json", vec![0xff, 0xfe, 0x00, 0x01], "not UTF-8"),
        ("newer.json", br#"{"format":"obkm-topology","version":9}"#.to_vec(), "version: format version 9"),
        ("wrong-type.json", br#"{"format":"obkm-topology","version":1,"nodes":[{"id":"km-1","kind":"key-manager","props":{"memory_gb":"eight"}}]}"#.to_vec(), "nodes[0].props.memory_gb: expected a number, found \"eight\""),
        ("dangling.json", br#"{"format":"obkm-topology","version":1,"nodes":[],"links":[{"from":"a","to":"b"}]}"#.to_vec(), "links[0].from: no node with id \"a\""),
    ];
    for (name, content, msg) in inputs {
        let p = temp(name, &content);
        let o = run(&["check", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(stderr(&o).contains(msg), "{name}: {}", stderr(&o));
    }
    // A directory instead of a file.
    let o = run(&["check", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn templates_print_and_check() {
    for (name, code) in [("ha", 0), ("ha-two-zones", 0), ("broken", 1)] {
        let o = run(&["template", name]);
        assert_eq!(o.status.code(), Some(0));
        let p = temp(&format!("{name}.json"), &o.stdout);
        assert_eq!(run(&["check", p.to_str().unwrap()]).status.code(), Some(code), "{name}");
    }
    let broken = run(&["template", "broken"]);
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("broken-single-node.json")).unwrap()).unwrap();
    let mut printed: Value = serde_json::from_slice(&broken.stdout).unwrap();
    printed.as_object_mut().unwrap().shift_remove("waivers");
    assert_eq!(printed, fixture);
}

#[test]
fn the_diagram_is_rendered_for_pipelines_and_reads_back_as_the_design() {
    let out = run(&["diagram", &fixture("ha-reference.json"), "--today", "2026-12-06"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = stdout(&out);
    assert!(svg.starts_with("<svg") && svg.contains("class=\"title-block\"") && svg.contains("2026-12-06"));
    let again = run(&["diagram", &fixture("ha-reference.json"), "--today", "2026-12-06"]);
    assert_eq!(stdout(&again), svg, "deterministic");
    // A diagram is a design file too: checked, and opened as the same design.
    let file = temp("reference.svg", svg.as_bytes());
    let checked = run(&["check", file.to_str().unwrap(), "--format", "json"]);
    let from_json = run(&["check", &fixture("ha-reference.json"), "--format", "json"]);
    assert_eq!(checked.status.code(), from_json.status.code());
    assert_eq!(stdout(&checked), stdout(&from_json));
    let foreign = temp("foreign.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>");
    let refused = run(&["check", foreign.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("without a design"), "{}", stderr(&refused));
}

#[test]
fn import_writes_the_design_refuses_to_overwrite_and_locates_findings() {
    let dir = temp("import-marker", b"").parent().unwrap().join("deployment");
    let _ = std::fs::remove_dir_all(&dir);
    let axis = |me: &str| {
        format!(
            "<axisconfig>\n<clustering class=\"org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent\" enable=\"true\">\n\
             <parameter name=\"membershipScheme\">wka</parameter>\n<parameter name=\"domain\">wso2.ob.km.domain</parameter>\n\
             <parameter name=\"localMemberHost\">{me}</parameter>\n<parameter name=\"localMemberPort\">4000</parameter>\n<members>\n\
             <member><hostName>10.0.1.11</hostName><port>4000</port></member>\n</members>\n</clustering>\n</axisconfig>\n"
        )
    };
    // km-2 is in no member list: IMP-001 at km-1's axis2.xml.
    for (node, me) in [("km-1", "10.0.1.11"), ("km-2", "10.0.1.12")] {
        let conf = dir.join(node).join("repository/conf/axis2");
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::write(conf.join("axis2.xml"), axis(me)).unwrap();
    }
    let out = dir.with_extension("json");
    let _ = std::fs::remove_file(&out);
    let (d, o) = (dir.to_str().unwrap(), out.to_str().unwrap());
    let first = run(&["import", d, "--out", o, "--format", "sarif"]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let sarif: Value = serde_json::from_str(&stdout(&first)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let imp1 = results.iter().find(|r| r["ruleId"] == "IMP-001").expect("IMP-001");
    let loc = &imp1["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"].as_str().unwrap().ends_with("km-1/repository/conf/axis2/axis2.xml"),
        "{loc}"
    );
    assert!(loc["region"]["startLine"].as_u64().unwrap() >= 7, "{loc}");
    let design = std::fs::read_to_string(&out).unwrap();
    assert_eq!(run(&["check", o]).status.code(), Some(1), "the written design is a design the checker reads");
    assert!(design.contains("10.0.1.12"));
    // Not overwritten without --force; replaced with it.
    let again = run(&["import", d, "--out", o]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(run(&["import", d, "--out", o, "--force", "--format", "json"]).status.code(), Some(1));
    // Input that cannot be read at all: exit 2 with a message.
    let missing = run(&["import", &format!("{d}-missing"), "--out", o, "--force"]);
    assert_eq!(missing.status.code(), Some(2));
    let not_zip = temp("not.zip", b"PK nothing");
    let refused = run(&["import", not_zip.to_str().unwrap(), "--out", o, "--force"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not a zip archive"), "{}", stderr(&refused));
}

#[test]
fn a_baseline_leaves_out_known_findings_and_the_status_follows_the_new_ones() {
    let broken = fixture("broken-single-node.json");
    let base = run(&["check", &broken, "--format", "json", "--today", "2026-11-26"]);
    let base_json = temp("baseline.json", &base.stdout);
    let base_json = base_json.to_str().unwrap();
    let sarif = run(&["check", &broken, "--format", "sarif", "--today", "2026-11-26"]);
    let base_sarif = temp("baseline.sarif", &sarif.stdout);
    let base_sarif = base_sarif.to_str().unwrap();
    // Against its own baseline a design has nothing new: exit 0, and the text says what was left out.
    for b in [base_json, base_sarif] {
        let same = run(&["check", &broken, "--baseline", b, "--today", "2026-11-26"]);
        assert_eq!(same.status.code(), Some(0), "{}", stdout(&same));
        assert!(stdout(&same).contains("0 error(s), 0 warning(s)"), "{}", stdout(&same));
        assert!(stdout(&same).ends_with("baseline: 14 known finding(s) left out\n"), "{}", stdout(&same));
    }
    // Moved, relabelled, and one new problem: only the new one is reported.
    let mut d: Value = serde_json::from_str(&std::fs::read_to_string(&broken).unwrap()).unwrap();
    for n in d["nodes"].as_array_mut().unwrap() {
        n["x"] = serde_json::json!(n["x"].as_f64().unwrap() + 333.0);
        n["label"] = serde_json::json!("Renamed");
    }
    let db = d["nodes"].as_array_mut().unwrap().iter_mut().find(|n| n["id"] == "db-1").unwrap();
    db["props"]["version"] = serde_json::json!("4.0");
    let changed = temp("changed.json", d.to_string().as_bytes());
    let o = run(&[
        "check",
        changed.to_str().unwrap(),
        "--baseline",
        base_json,
        "--format",
        "json",
        "--today",
        "2026-11-26",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["DB-005"], "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(0), "a new warning alone does not fail the check");
    // A baseline that is not one is refused with a message naming it.
    let junk = temp("junk.json", b"{\"findings\": [{\"rule\": \"LB-002\"}]}");
    let o = run(&["check", &broken, "--baseline", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("findings[0].fingerprint: no fingerprint"), "{}", stderr(&o));
    let o = run(&["check", &broken, "--baseline", broken.as_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a findings document"), "{}", stderr(&o));
}

#[test]
fn no_waivers_ignores_the_designs_own_waivers() {
    let mut d: Value = serde_json::from_str(&std::fs::read_to_string(fixture("ha-reference.json")).unwrap()).unwrap();
    d["nodes"][1]["props"]["sticky_sessions"] = Value::Bool(false);
    d["waivers"] = serde_json::json!([{"rule": "LB-002", "reason": "sticky at the F5 in front"}]);
    let p = temp("self-waived.json", d.to_string().as_bytes());
    let p = p.to_str().unwrap();
    assert_eq!(run(&["check", p]).status.code(), Some(0));
    let strict = run(&["check", p, "--no-waivers", "--format", "json"]);
    assert_eq!(strict.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&strict)).unwrap();
    assert_eq!(v["findings"][0]["rule"], "LB-002");
    assert_eq!(v["findings"][0]["waived"], false);
    assert_eq!(v["summary"]["waived"], 0);
}
