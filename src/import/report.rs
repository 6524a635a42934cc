//! The import report: every value imported with the file and line it came from, what the files
//! cannot tell, the import findings (IMP-001..007) with their file and line, then the checker's
//! findings on the rebuilt design. As text for people, JSON, or SARIF 2.1.0 (import findings
//! located in the configuration files, the checker's in the design file).

use serde_json::{json, Value};

use super::{Finding, Imported};
use crate::export::escape::one_line;
use crate::rules::{Report, Severity};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// True when an import finding or the checker has an unwaived error (the command line's exit
/// status 1).
pub fn has_errors(imp: &Imported, check: &Report) -> bool {
    imp.findings.iter().any(|f| f.severity == Severity::Error) || check.has_errors()
}

fn finding_json(f: &Finding) -> Value {
    let rule = crate::rules::catalog::rule(f.rule);
    json!({
        "rule": f.rule,
        "severity": severity(f.severity),
        "title": rule.map(|r| r.title).unwrap_or(""),
        "message": f.message,
        "nodes": f.nodes,
        "location": f.source.as_ref().map(|s| json!({ "file": s.file, "line": s.line })),
        "source": rule.map(|r| r.source).unwrap_or(""),
        "fix": rule.map(|r| r.fix).unwrap_or(""),
    })
}

/// The report as JSON: the files read and skipped, the values with their sources, what is
/// unknown, the import findings, and the checker's document for the rebuilt design.
pub fn to_json(imp: &Imported, check: &Report) -> String {
    let doc = json!({
        "design": imp.design.name,
        "product": imp.design.product.as_str(),
        "files": { "read": imp.read, "skipped": imp.skipped.iter().map(|(f, why)| json!({ "file": f, "why": why })).collect::<Vec<_>>() },
        "values": imp.facts.iter().map(|f| json!({
            "node": f.node, "field": f.field, "value": f.value, "file": f.source.file, "line": f.source.line,
        })).collect::<Vec<_>>(),
        "unknown": imp.unknown,
        "findings": imp.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "check": serde_json::to_value(check).unwrap_or(Value::Null),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The report for people: the values by node, what is unknown, then every finding.
pub fn to_text(imp: &Imported, check: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Imported {} file(s) as {} ({} node(s), {} link(s)); {} skipped.\n",
        imp.read.len(),
        imp.design.product.as_str(),
        imp.design.nodes.len(),
        imp.design.links.len(),
        imp.skipped.len()
    ));
    let mut last = "";
    for f in &imp.facts {
        if f.node != last {
            out.push_str(&format!("{}:\n", one_line(&f.node)));
            last = &f.node;
        }
        out.push_str(&format!(
            "  {} = {}   ({}:{})\n",
            f.field,
            one_line(&f.value),
            one_line(&f.source.file),
            f.source.line
        ));
    }
    if !imp.unknown.is_empty() {
        out.push_str("Unknown (no file says):\n");
        for u in &imp.unknown {
            out.push_str(&format!("  {}\n", one_line(u)));
        }
    }
    for f in &imp.findings {
        let at = f.source.as_ref().map(|s| format!(" ({}:{})", one_line(&s.file), s.line)).unwrap_or_default();
        out.push_str(&format!("{:<7} {:<9} {}{at}\n", severity(f.severity), f.rule, one_line(&f.message)));
    }
    out.push_str(&crate::rules::output::to_text(check));
    out
}

/// The report as SARIF 2.1.0: import findings located in the file and line they come from,
/// then the checker's findings located in the design file (`design_uri`).
pub fn to_sarif(imp: &Imported, check: &Report, design_uri: &str) -> String {
    let mut doc: Value =
        serde_json::from_str(&crate::rules::output::to_sarif(check, &imp.design, design_uri)).unwrap_or(Value::Null);
    let rules: Vec<Value> = crate::rules::catalog::IMPORT_RULES.iter().map(crate::rules::output::sarif_rule).collect();
    let run = &mut doc["runs"][0];
    let base = run["tool"]["driver"]["rules"].as_array().map(Vec::len).unwrap_or(0);
    if let Some(all) = run["tool"]["driver"]["rules"].as_array_mut() {
        all.extend(rules);
    }
    let mut files: Vec<&str> = imp.findings.iter().filter_map(|f| f.source.as_ref().map(|s| s.file.as_str())).collect();
    files.sort_unstable();
    files.dedup();
    if let Some(arts) = run["artifacts"].as_array_mut() {
        arts.extend(files.iter().map(|f| json!({ "location": { "uri": f } })));
    }
    let results: Vec<Value> = imp
        .findings
        .iter()
        .map(|f| {
            let index = base + crate::rules::catalog::IMPORT_RULES.iter().position(|r| r.id == f.rule).unwrap_or(0);
            let fix = crate::rules::catalog::rule(f.rule).map(|r| r.fix).unwrap_or("");
            let (uri, line) = f.source.as_ref().map(|s| (s.file.as_str(), s.line)).unwrap_or((design_uri, 1));
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": severity(f.severity),
                "message": { "text": format!("{} Fix: {fix}", f.message) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": uri }, "region": { "startLine": line.max(1) } },
                    "logicalLocations": f.nodes.iter().map(|n| json!({ "name": n, "kind": "object" })).collect::<Vec<_>>()
                }],
                // An import finding is about its rule's nodes in the file it was read from.
                "partialFingerprints": {
                    crate::rules::output::FINGERPRINT_KEY: crate::rules::fingerprint(
                        f.rule,
                        &format!("{}|{}", f.nodes.join(","), f.source.as_ref().map(|s| s.file.as_str()).unwrap_or(""))
                    )
                },
                "properties": { "nodes": f.nodes }
            })
        })
        .collect();
    if let Some(all) = run["results"].as_array_mut() {
        let checker: Vec<Value> = std::mem::take(all);
        all.extend(results);
        all.extend(checker);
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
