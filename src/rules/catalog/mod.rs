//! The rule catalogue of rules.md: one entry per rule with its id, severity, title, source and
//! fix as data, and one small pure function that finds its hits, one file per rule family
//! (`topo.rs`, `clu.rs`, …). Adding a rule touches only its family's file.

use std::collections::{BTreeMap, BTreeSet};

use super::context::{address_key, is_local_address, Ctx, Fnv};
use super::tested;
use super::Severity::{self, Error, Info, Warning};
use crate::model::address::{is_cidr, is_cluster_domain, is_host_or_ip, is_hostname, is_ip};
use crate::model::schema::{NodeKind, LOGICAL_DATABASES};
use crate::model::{link_allowed, MembershipScheme, Product};

/// One hit of a rule: the nodes it names (design indices), its message, and a severity when
/// it differs from the rule's (FS-002).
pub struct Hit {
    /// Design indices of the nodes named.
    pub nodes: Vec<usize>,
    /// The message, naming nodes by label.
    pub message: String,
    /// Overrides the rule's severity.
    pub severity: Option<Severity>,
    /// What the finding is about, when it is not the nodes it names (`Finding::subject`).
    pub subject: Option<String>,
}

/// Collects hits.
#[derive(Default)]
pub struct Hits(pub Vec<Hit>);

impl Hits {
    fn add(&mut self, nodes: impl IntoIterator<Item = usize>, message: String) {
        self.0.push(Hit { nodes: nodes.into_iter().collect(), message, severity: None, subject: None });
    }

    /// A hit about `subject` (a logical database, an address, a duplicated value; empty for a
    /// design-wide finding) rather than about the nodes it names: adding a node to the names
    /// does not change its fingerprint.
    fn about(&mut self, nodes: impl IntoIterator<Item = usize>, subject: impl Into<String>, message: String) {
        self.0.push(Hit { nodes: nodes.into_iter().collect(), message, severity: None, subject: Some(subject.into()) });
    }
}

/// A rule of the catalogue.
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// True when the rule may fire without any Key Manager node.
    pub without_km: bool,
    /// Finds the hits.
    pub check: fn(&Ctx, &mut Hits),
}

const HA: &str = "HA: Open Banking Key Manager Deployment (HA clustered)";
const SET: &str = "SET: Setting Up Open Banking Key Manager Deployment";
const CLU: &str = "CLU: WSO2 Carbon 4.4 clustering reference";
const LBD: &str = "LBD: WSO2 IS fronting with the NGINX load balancer";
const ISDG: &str = "ISDG: WSO2 IS 5.10 deployment guide";
const ENV: &str = "ENV: WSO2 IS 5.9/5.10 environment compatibility (tested list: IS 5.9/5.10 compatibility page)";
const FMT: &str = "design-format.md: links";

macro_rules! rule {
    ($id:literal, $sev:expr, $without_km:expr, $title:literal, $source:expr, $fix:literal, $check:expr) => {
        Rule {
            id: $id,
            severity: $sev,
            title: $title,
            source: $source,
            fix: $fix,
            without_km: $without_km,
            check: $check,
        }
    };
}

mod am;
mod clu;
mod db;
mod dir;
mod fs;
mod host;
mod lb;
mod topo;

pub use fs::required_dirs;
pub use host::java8_update;

/// The rule families, in the order findings and SARIF list them.
pub const FAMILIES: &[&[Rule]] =
    &[topo::RULES, clu::RULES, lb::RULES, db::RULES, dir::RULES, fs::RULES, host::RULES, am::RULES];

/// Every rule with a check, family by family, in id order within each family.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// The WAIVE rules' metadata (their findings come from the waivers, not from a check).
pub const WAIVE_RULES: &[Rule] = &[
    rule!("WAIVE-001", Info, true, "Waiver matches no finding", "rules.md: waivers", "Remove the waiver", no_check),
    rule!(
        "WAIVE-002",
        Warning,
        true,
        "Waiver has expired",
        "rules.md: waivers",
        "Renew or remove the waiver",
        no_check
    ),
    rule!("WAIVE-003", Error, true, "Waiver without a reason", "rules.md: waivers", "Give the reason", no_check),
];

/// The IMP rules' metadata: their findings come from reading a deployment's files
/// (`crate::import`), not from a check of a design.
pub const IMPORT_RULES: &[Rule] = &[
    rule!(
        "IMP-001",
        Error,
        true,
        "Key Manager node missing from another node's WKA member list",
        CLU,
        "List every Key Manager node (its localMemberHost and localMemberPort) as a member in every node's axis2.xml",
        no_check
    ),
    rule!(
        "IMP-002",
        Error,
        true,
        "Nodes disagree on the cluster domain or the membership scheme",
        CLU,
        "Give every Key Manager node the same domain and membershipScheme in axis2.xml",
        no_check
    ),
    rule!(
        "IMP-003",
        Error,
        true,
        "HostName or MgtHostName differs between nodes or from the load balancer's public host name",
        SET,
        "Set HostName and MgtHostName in every node's carbon.xml to the load balancer's public host name",
        no_check
    ),
    rule!(
        "IMP-004",
        Error,
        true,
        "Load balancer routes to an address that is no Key Manager node, or a node no load balancer routes to",
        LBD,
        "Make the load balancer's servers exactly the Key Manager nodes (address and HTTPS port)",
        no_check
    ),
    rule!(
        "IMP-005",
        Error,
        true,
        "The same logical database points at different hosts on different nodes",
        SET,
        "Point every node's datasource of that database at the same database host and port",
        no_check
    ),
    rule!(
        "IMP-006",
        Error,
        true,
        "A file could not be read",
        "import",
        "Fix the file (its reason and line are given) and import again",
        no_check
    ),
    rule!(
        "IMP-007",
        Warning,
        true,
        "Nodes differ where the design holds one value (offset, member port, keystore)",
        SET,
        "Give every Key Manager node the same value",
        no_check
    ),
];

fn no_check(_: &Ctx, _: &mut Hits) {}

/// The rule with an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    all().chain(WAIVE_RULES).chain(IMPORT_RULES).find(|r| r.id == id)
}

// ---- Helpers more than one family uses -------------------------------------------------

fn lbs_to_kms(c: &Ctx) -> Vec<usize> {
    c.linked_to_kms(NodeKind::LoadBalancer)
}

/// "Every KM node uses one and the same X" (DIR-003, FS-004): fires when an X is linked to a
/// KM node and either a KM node is linked to none or more than one X is linked to KM nodes.
fn one_shared(c: &Ctx, kind: NodeKind) -> Option<(Vec<usize>, String)> {
    let shared = c.linked_to_kms(kind);
    if shared.is_empty() {
        return None;
    }
    let without: Vec<usize> = c.kms.iter().copied().filter(|&k| !c.is_linked_to(k, kind)).collect();
    if shared.len() == 1 && without.is_empty() {
        return None;
    }
    let mut nodes: Vec<usize> = c.kms.iter().copied().chain(shared.iter().copied()).collect();
    crate::model::order::sort_ascending(&mut nodes);
    let mut why = Vec::new();
    if shared.len() > 1 {
        why.push(format!("{} are all used", c.labels(&shared)));
    }
    if !without.is_empty() {
        why.push(format!("{} use(s) none", c.labels(&without)));
    }
    Some((nodes, why.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java8_forms() {
        for ok in ["1.8", "1.8.0", "1.8.0_202", "8", "8u202", "8u242-b08", "1.8.0_151-b12", "1.8.0_202+x.y"] {
            assert!(java8_update(ok).is_some(), "{ok}");
        }
        for bad in ["11.0.9", "1.7.0_80", "17", "1.8.1", "8u", "1.8.0_", "18", "1.80", "8x", "1.8.0_202 ", ""] {
            assert!(java8_update(bad).is_none(), "{bad}");
        }
        assert_eq!(java8_update("8u151-b12"), Some(Some("151")));
        assert_eq!(java8_update("1.8.0_151"), Some(Some("151")));
    }

    #[test]
    fn ids_are_unique_and_sorted_within_families() {
        let ids: Vec<&str> = all().chain(WAIVE_RULES).chain(IMPORT_RULES).map(|r| r.id).collect();
        let set: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(set.len(), ids.len());
        assert_eq!(ids.len(), 58);
    }
}
