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
    /// What the finding is about, for its fingerprint: the node for a rule about one node (or
    /// the pair for a rule about one link), the logical database, the address, the duplicated
    /// value, the waiver; empty for a design-wide finding. Never the list of every Key Manager
    /// node or load balancer, so that adding a node leaves the fingerprint alone. `None`: the
    /// nodes it names (joined by commas when a fingerprint is asked for: the live checker
    /// makes thousands of findings and never asks).
    #[serde(skip)]
    pub subject: Option<String>,
}

impl Finding {
    /// The stable fingerprint: the first 16 hex digits of SHA-256 over `<rule>|<subject>`.
    /// Moves and label edits leave it unchanged; a finding about something else has another.
    pub fn fingerprint(&self) -> String {
        match &self.subject {
            Some(s) => fingerprint(self.rule, s),
            None => fingerprint(self.rule, &self.nodes.join(",")),
        }
    }

    /// True when the finding is about the design as a whole (its subject is empty).
    pub fn design_wide(&self) -> bool {
        match &self.subject {
            Some(s) => s.is_empty(),
            None => self.nodes.is_empty(),
        }
    }
}

/// The first 16 hex digits of SHA-256 over `<rule>|<subject>`.
pub fn fingerprint(rule: &str, subject: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(rule.as_bytes());
    h.update(b"|");
    h.update(subject.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(16);
    for b in &digest[..8] {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
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
            let subject = hit.subject;
            findings.push(Finding {
                rule: rule.id,
                severity: hit.severity.unwrap_or(rule.severity),
                title: rule.title,
                message: hit.message,
                nodes,
                source: rule.source,
                fix: rule.fix,
                waived: false,
                subject,
            });
        }
    }
    apply_waivers(design, today, &mut findings);
    crate::model::order::sort_by(&mut findings, |a, b| sort_key(a).cmp(&sort_key(b)));
    Report { design: design.name.clone(), product: design.product.as_str(), summary: summarize(&findings), findings }
}

fn summarize(findings: &[Finding]) -> Summary {
    let mut summary = Summary::default();
    for f in findings {
        match (f.waived, f.severity) {
            (true, _) => summary.waived += 1,
            (false, Severity::Error) => summary.error += 1,
            (false, Severity::Warning) => summary.warning += 1,
            (false, Severity::Info) => summary.info += 1,
        }
    }
    summary
}

impl Report {
    /// Leaves out the findings whose fingerprint `known` holds (a baseline: accepted, old
    /// findings) and counts again; returns how many were left out.
    pub fn without_known(&mut self, known: &dyn Fn(&str) -> bool) -> usize {
        let before = self.findings.len();
        self.findings.retain(|f| !known(&f.fingerprint()));
        self.summary = summarize(&self.findings);
        before - self.findings.len()
    }
}

fn waive_finding(id: &str, waiver: &crate::model::Waiver, message: String) -> Finding {
    let rule = WAIVE_RULES.iter().find(|r| r.id == id).unwrap_or(&WAIVE_RULES[0]);
    let node = &waiver.node;
    Finding {
        rule: rule.id,
        severity: rule.severity,
        title: rule.title,
        message,
        nodes: node.iter().cloned().collect(),
        source: rule.source,
        fix: rule.fix,
        waived: false,
        // The waiver: the rule it waives, and its node when it names one.
        subject: Some(match node {
            Some(n) => format!("{} {n}", waiver.rule),
            None => waiver.rule.clone(),
        }),
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
            extra.push(waive_finding("WAIVE-001", w, format!("The waiver for {target} matches no finding")));
        } else if w.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            extra.push(waive_finding(
                "WAIVE-003",
                w,
                format!("The waiver for {target} has no reason, so it does not apply"),
            ));
        } else if let Some(expired) = w.expires.filter(|e| *e < today) {
            extra.push(waive_finding(
                "WAIVE-002",
                w,
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
