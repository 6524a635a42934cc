//! The checker's outputs: the JSON document of rules.md (the same bytes in the browser and on
//! the command line), SARIF 2.1.0 for code-scanning consumers, and text for people.

use serde_json::{json, Value};

use super::catalog::WAIVE_RULES;
use super::{Report, Severity};

/// The JSON document: two-space indentation and a final newline.
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

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

/// SARIF 2.1.0: one run, the tool's driver with every rule, one result per finding. Waived
/// findings carry an accepted suppression (the waiver lives in the design file).
pub fn to_sarif(report: &Report, artifact_uri: &str) -> String {
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
                    "physicalLocation": { "artifactLocation": { "uri": artifact_uri } },
                    "logicalLocations": f.nodes.iter().map(|n| json!({ "name": n, "kind": "object" })).collect::<Vec<_>>()
                }],
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
