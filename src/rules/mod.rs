//! The checker: turns a design into findings, one small pure function per rule of rules.md
//! (see `catalog`), then applies the design's waivers. It cannot fail: any loadable design
//! gives a report (possibly empty), in the deterministic order rules.md prescribes.

pub mod catalog;
pub mod context;
pub mod fixes;
pub mod output;
pub mod tested;

use serde::Serialize;

use crate::model::Design;
use catalog::{Hits, WAIVE_RULES};
use context::Ctx;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A documented requirement is broken.
    Error,
    /// A documented recommendation, or a single point of failure.
    Warning,
    /// Good practice worth knowing.
    Info,
}

impl Severity {
    /// The name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Calendar dates live in the model (waivers carry one); the checker takes today's.
pub use crate::model::Date;

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule id.
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// The rule's title.
    pub title: &'static str,
    /// What is wrong, naming the nodes by label.
    pub message: String,
    /// The ids of the nodes it names, sorted.
    pub nodes: Vec<String>,
    /// The documentation it comes from.
    pub source: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Whether a valid waiver accepts it.
    pub waived: bool,
}

/// Counts of unwaived findings by severity, and of waived ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Unwaived errors.
    pub error: usize,
    /// Unwaived warnings.
    pub warning: usize,
    /// Unwaived infos.
    pub info: usize,
    /// Waived findings.
    pub waived: usize,
}

/// The checker's output for one design.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The design's name.
    pub design: String,
    /// The design's product id.
    pub product: &'static str,
    /// Counts.
    pub summary: Summary,
    /// Every finding, in order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// True when an unwaived error remains (the command line then exits 1).
    pub fn has_errors(&self) -> bool {
        self.summary.error > 0
    }
}

fn sort_key(f: &Finding) -> (Severity, &str, &[String], &str) {
    (f.severity, f.rule, &f.nodes, &f.message)
}

/// Checks a design against every rule, as of `today` (for waiver expiry).
pub fn check(design: &Design, today: Date) -> Report {
    let ctx = Ctx::new(design);
    let mut findings = Vec::new();
    for rule in catalog::all() {
        if ctx.kms.is_empty() && !rule.without_km {
            continue;
        }
        let mut hits = Hits::default();
        (rule.check)(&ctx, &mut hits);
        for hit in hits.0 {
            let mut nodes: Vec<String> = hit.nodes.iter().map(|&i| ctx.node(i).id.to_string()).collect();
            crate::model::order::sort(&mut nodes);
            nodes.dedup();
            findings.push(Finding {
                rule: rule.id,
                severity: hit.severity.unwrap_or(rule.severity),
                title: rule.title,
                message: hit.message,
                nodes,
                source: rule.source,
                fix: rule.fix,
                waived: false,
            });
        }
    }
    apply_waivers(design, today, &mut findings);
    crate::model::order::sort_by(&mut findings, |a, b| sort_key(a).cmp(&sort_key(b)));
    let mut summary = Summary::default();
    for f in &findings {
        match (f.waived, f.severity) {
            (true, _) => summary.waived += 1,
            (false, Severity::Error) => summary.error += 1,
            (false, Severity::Warning) => summary.warning += 1,
            (false, Severity::Info) => summary.info += 1,
        }
    }
    Report { design: design.name.clone(), product: design.product.as_str(), summary, findings }
}

fn waive_finding(id: &str, node: &Option<String>, message: String) -> Finding {
    let rule = WAIVE_RULES.iter().find(|r| r.id == id).unwrap_or(&WAIVE_RULES[0]);
    Finding {
        rule: rule.id,
        severity: rule.severity,
        title: rule.title,
        message,
        nodes: node.iter().cloned().collect(),
        source: rule.source,
        fix: rule.fix,
        waived: false,
    }
}

/// Marks the findings that valid waivers accept, and adds a WAIVE finding for each waiver
/// that matches nothing, has no reason, or has expired (checked in that order).
fn apply_waivers(design: &Design, today: Date, findings: &mut Vec<Finding>) {
    let mut extra = Vec::new();
    for w in &design.waivers {
        let matches = |f: &Finding| w.matches(f.rule, &f.nodes);
        let target = match &w.node {
            Some(n) => format!("{} on {n}", w.rule),
            None => w.rule.clone(),
        };
        if !findings.iter().any(matches) {
            extra.push(waive_finding("WAIVE-001", &w.node, format!("The waiver for {target} matches no finding")));
        } else if w.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            extra.push(waive_finding(
                "WAIVE-003",
                &w.node,
                format!("The waiver for {target} has no reason, so it does not apply"),
            ));
        } else if let Some(expired) = w.expires.filter(|e| *e < today) {
            extra.push(waive_finding(
                "WAIVE-002",
                &w.node,
                format!("The waiver for {target} expired on {expired}; its findings count again"),
            ));
        } else {
            for f in findings.iter_mut().filter(|f| matches(f)) {
                f.waived = true;
            }
        }
    }
    findings.extend(extra);
}
