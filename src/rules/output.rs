//! The checker's outputs: the JSON document of rules.md (the same bytes in the browser and on
//! the command line), SARIF 2.1.0 for code-scanning consumers, and text for people.

use serde_json::{json, Value};

use std::collections::HashMap;

use super::catalog::WAIVE_RULES;
use super::{Finding, Report, Severity};
use crate::model::Design;

/// The JSON document: two-space indentation and a final newline. Each finding carries its
/// `fingerprint` after the fields of rules.md.
pub fn to_json(report: &Report) -> String {
    let mut doc = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Some(items) = doc["findings"].as_array_mut() {
        for (item, f) in items.iter_mut().zip(&report.findings) {
            if let Value::Object(o) = item {
                o.insert("fingerprint".into(), f.fingerprint().into());
            }
        }
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The line of each node's `"id"` in the canonically saved design (`model::save`), for SARIF
/// regions: code scanning needs a line, and the saved design is what a repository holds.
pub fn node_lines(design: &Design) -> HashMap<String, usize> {
    let text = crate::model::save(design);
    let mut lines = HashMap::with_capacity(design.nodes.len());
    let mut in_nodes = false;
    for (n, line) in text.lines().enumerate() {
        if line == "  \"nodes\": [" {
            in_nodes = true;
        } else if in_nodes && (line == "  ]," || line == "  ]") {
            break;
        } else if let Some(id) = line.strip_prefix("      \"id\": \"").and_then(|r| r.strip_suffix("\",")) {
            if in_nodes {
                lines.entry(id.to_string()).or_insert(n + 1);
            }
        }
    }
    lines
}

/// The line a finding is located at: its first node's, or 1 for a design-wide finding (one
/// whose subject is not a node of its own: CLU-001 names every Key Manager node).
fn start_line(f: &Finding, lines: &HashMap<String, usize>) -> usize {
    if f.design_wide() {
        return 1;
    }
    f.nodes.first().and_then(|n| lines.get(n)).copied().unwrap_or(1)
}

/// The key of SARIF's `partialFingerprints` (versioned: a new scheme gets a new key).
pub const FINGERPRINT_KEY: &str = "obkmFinding/v1";

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A rule as a SARIF `reportingDescriptor` (the checker's and the import's reports share it).
pub fn sarif_rule(r: &super::catalog::Rule) -> Value {
    json!({
        "id": r.id,
        "name": r.id.replace('-', ""),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": format!("{} ({})", r.title, r.source) },
        "help": { "text": r.fix },
        "defaultConfiguration": { "level": sarif_level(r.severity) },
        "properties": { "source": r.source }
    })
}

/// SARIF 2.1.0: one run, the tool's driver with every rule, one result per finding, located at
/// its node's line in the saved `design` and fingerprinted (`partialFingerprints`), so that code
/// scanning tracks a finding across commits. Waived findings carry an accepted suppression (the
/// waiver lives in the design file).
pub fn to_sarif(report: &Report, design: &Design, artifact_uri: &str) -> String {
    let lines = node_lines(design);
    let all: Vec<&super::catalog::Rule> = super::catalog::all().chain(WAIVE_RULES).collect();
    let rules: Vec<Value> = all.iter().map(|r| sarif_rule(r)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = all.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{} Fix: {}", f.message, f.fix) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": artifact_uri },
                        "region": { "startLine": start_line(f, &lines) }
                    },
                    "logicalLocations": f.nodes.iter().map(|n| json!({ "name": n, "kind": "object" })).collect::<Vec<_>>()
                }],
                "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint() },
                "properties": { "nodes": f.nodes, "source": f.source }
            });
            if f.waived {
                result["suppressions"] = json!([{ "kind": "inSource", "status": "accepted", "justification": "waived in the design" }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "obkm-topology",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.wso2.com/display/OB150/Open+Banking+Key+Manager+High+Availability+Deployment",
                "rules": rules
            } },
            "artifacts": [{ "location": { "uri": artifact_uri } }],
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// One finding a line, then a summary line.
pub fn to_text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let nodes = if f.nodes.is_empty() { String::new() } else { format!(" [{}]", f.nodes.join(", ")) };
        let waived = if f.waived { " (waived)" } else { "" };
        // Labels are free text: control characters would break "one finding a line".
        let message: String = f.message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        out.push_str(&format!("{:<7} {:<9} {message}{nodes}{waived}. Fix: {}.\n", f.severity.as_str(), f.rule, f.fix));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{}: {} error(s), {} warning(s), {} info, {} waived\n",
        report.design.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>(),
        s.error,
        s.warning,
        s.info,
        s.waived
    ));
    out
}
