//! Mechanical fixes: for some findings, the one command (often a batch) that resolves them,
//! applied by the UI as one undoable step.

use serde_json::{json, Value};

use super::catalog::{java8_update, required_dirs};
use super::Finding;
use crate::model::address::is_hostname;
use crate::model::number::canonical_number;
use crate::model::schema::ARTIFACT_DIRS;
use crate::model::{link_allowed, Command, Design, Link, NodeId, NodeKind};

/// A short label for the fix button, when the finding has a mechanical fix.
pub fn label(design: &Design, finding: &Finding) -> Option<&'static str> {
    fix(design, finding).map(|_| match finding.rule {
        "TOPO-002" => "Remove the duplicate link",
        "LB-002" => "Enable sticky sessions",
        "LB-004" => "Use HTTPS to the backend",
        "LB-005" => "Serve HTTPS only",
        "FS-002" => "Share the directory",
        "FS-003" => "Make the storage HA",
        "CLU-001" => "Add a Key Manager node",
        "DB-002" => "Make it HA",
        "DIR-002" => "Replicate it",
        "CLU-002" => "Enable clustering",
        "HOST-001" | "HOST-003" => "Give the host enough memory",
        "HOST-002" => "Set a 2 GB heap",
        "HOST-004" => "Give it 10 GB of disk",
        "HOST-006" => "Use JDK 1.8.0_202",
        "HOST-011" => "Use port offset 3",
        _ => "Fix",
    })
}

fn set(id: &NodeId, key: &str, value: Value) -> Command {
    Command::SetProp { id: id.clone(), key: key.to_string(), value: Some(value) }
}

/// The documented host values (HA page): 4 GB of memory, a 2 GB heap, 2 GB left for the
/// operating system, 10 GB of disk, a JDK 1.8 without the known issue of update 151.
const GOOD_MEMORY_GB: f64 = 4.0;
const GOOD_HEAP_GB: f64 = 2.0;
const OS_RESERVE_GB: f64 = 2.0;
const GOOD_DISK_GB: f64 = 10.0;
const GOOD_JDK: &str = "1.8.0_202";

/// The memory and heap that satisfy HOST-001..003 for a node, keeping what already does.
fn good_memory(memory: f64, heap: f64) -> (f64, f64) {
    let heap = if heap.is_finite() && heap >= GOOD_HEAP_GB { heap } else { GOOD_HEAP_GB };
    let memory = if memory.is_finite() { memory } else { 0.0 };
    (memory.max(GOOD_MEMORY_GB).max(heap + OS_RESERVE_GB), heap)
}

/// The commands that set memory and heap to `good_memory`'s values, where they differ.
fn memory_fix(design: &Design, id: &NodeId) -> Option<Command> {
    let n = design.node(id)?;
    let p = design.product;
    let (memory, heap) = (n.num("memory_gb", p), n.num("heap_gb", p));
    let (good_memory, good_heap) = good_memory(memory, heap);
    let mut cmds = Vec::new();
    if good_heap != heap {
        cmds.push(set(id, "heap_gb", canonical_number(good_heap)));
    }
    if good_memory != memory {
        cmds.push(set(id, "memory_gb", canonical_number(good_memory)));
    }
    Some(Command::Batch(cmds))
}

/// The command that fixes a finding, when there is a mechanical one.
pub fn fix(design: &Design, finding: &Finding) -> Option<Command> {
    let first = || finding.nodes.first().and_then(|id| NodeId::parse(id)).filter(|id| design.node(id).is_some());
    let p = design.product;
    match finding.rule {
        "TOPO-002" => remove_duplicate_link(design, finding),
        "LB-002" => Some(set(&first()?, "sticky_sessions", json!(true))),
        "LB-004" => Some(set(&first()?, "backend_protocol", json!("https"))),
        "LB-005" => Some(set(&first()?, "expose_http", json!(false))),
        "CLU-002" => Some(set(&first()?, "clustering_enabled", json!(true))),
        "DIR-002" | "FS-003" => Some(set(&first()?, "instances", json!(2))),
        "HOST-001" | "HOST-002" | "HOST-003" => memory_fix(design, &first()?),
        "HOST-004" => Some(set(&first()?, "disk_gb", canonical_number(GOOD_DISK_GB))),
        "HOST-006" => Some(set(&first()?, "jdk", json!(GOOD_JDK))),
        "HOST-011" => Some(set(&first()?, "port_offset", json!(3))),
        "DB-002" => {
            let id = first()?;
            let n = design.node(&id)?;
            let mut cmds = Vec::new();
            if n.num("instances", p) < 2.0 {
                cmds.push(set(&id, "instances", json!(2)));
            }
            if n.str("ha_mode", p) == "none" {
                cmds.push(set(&id, "ha_mode", json!("primary-replica")));
            }
            Some(Command::Batch(cmds))
        }
        "FS-002" => {
            // Every missing required directory of that storage, in the schema's order.
            let id = first()?;
            let mut paths = design.node(&id)?.list("paths", p);
            for (dir, _) in required_dirs(p) {
                if !paths.iter().any(|x| x == dir) {
                    paths.push(dir.to_string());
                }
            }
            let ordered: Vec<Value> =
                ARTIFACT_DIRS.iter().filter(|d| paths.iter().any(|x| x == *d)).map(|d| json!(d)).collect();
            Some(set(&id, "paths", Value::Array(ordered)))
        }
        "CLU-001" => add_key_manager(design),
        _ => None,
    }
}

/// Removes every later link of the pair a TOPO-002 finding names, keeping the first.
fn remove_duplicate_link(design: &Design, finding: &Finding) -> Option<Command> {
    let [a, b] = finding.nodes.as_slice() else { return None };
    let same = |l: &Link| {
        let (a, b) = (a.as_str(), b.as_str());
        (l.from.as_str() == a && l.to.as_str() == b) || (l.from.as_str() == b && l.to.as_str() == a)
    };
    let indices: Vec<usize> = design.links.iter().enumerate().filter(|(_, l)| same(l)).map(|(i, _)| i).collect();
    if indices.len() < 2 {
        return None;
    }
    // From the last to the second, so each index is still valid when its command runs.
    Some(Command::Batch(indices[1..].iter().rev().map(|&index| Command::RemoveLink { index }).collect()))
}

/// Another Key Manager node modelled on the first one: its zone, its links (those the link
/// table allows), product version, update level, keystore, member port and offset; the
/// documented host values (memory, heap, disk, a good JDK) where the first one's fall short;
/// clustering enabled; the next free address. Offered only when there is a first one.
fn add_key_manager(design: &Design) -> Option<Command> {
    let p = design.product;
    let first = design.nodes.iter().find(|n| n.kind == NodeKind::KeyManager)?;
    let mut node = design.new_node(NodeKind::KeyManager, first.x, first.y + 140.0);
    node.zone = first.zone.clone();
    for key in ["product_version", "update_level", "keystore", "member_port", "port_offset", "jdk_vendor", "os"] {
        if let Some(v) = first.props.get(key) {
            node.props.insert(key.into(), v.clone());
        }
    }
    let (memory, heap) = good_memory(first.num("memory_gb", p), first.num("heap_gb", p));
    node.props.insert("memory_gb".into(), canonical_number(memory));
    node.props.insert("heap_gb".into(), canonical_number(heap));
    let disk = first.num("disk_gb", p);
    node.props.insert(
        "disk_gb".into(),
        canonical_number(if disk.is_finite() { disk.max(GOOD_DISK_GB) } else { GOOD_DISK_GB }),
    );
    let jdk = first.str("jdk", p);
    let good_jdk = matches!(java8_update(&jdk), Some(u) if u != Some("151"));
    node.props.insert("jdk".into(), json!(if good_jdk { jdk.as_str() } else { GOOD_JDK }));
    let used = |v: &str| {
        design.nodes.iter().any(|n| {
            ["ip", "hostname", "host"]
                .iter()
                .any(|k| n.props.get(*k).and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(v)))
        })
    };
    if let Some(ip) = first.props.get("ip").and_then(Value::as_str) {
        if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
            let [a, b, c, d] = v4.octets();
            if let Some(next) = (d.saturating_add(1)..=254).map(|x| format!("{a}.{b}.{c}.{x}")).find(|x| !used(x)) {
                node.props.insert("ip".into(), json!(next));
            }
        }
    }
    if let Some(host) = first.props.get("hostname").and_then(Value::as_str).filter(|h| is_hostname(h)) {
        if let Some(next) =
            (2..100).map(|k| renumber(host, k)).find(|h| h.as_deref().is_some_and(|h| !used(h))).flatten()
        {
            node.props.insert("hostname".into(), json!(next));
        }
    }
    if let Some(label) = renumber(&first.label, 2).filter(|l| design.nodes.iter().all(|n| &n.label != l)) {
        node.label = label;
    }
    let id = node.id.clone();
    let mut cmds = vec![Command::AddNode { node, index: design.nodes.len() }];
    let mut index = design.links.len();
    let mut seen = Vec::new();
    for l in &design.links {
        let other = if l.from == first.id {
            &l.to
        } else if l.to == first.id {
            &l.from
        } else {
            continue;
        };
        let allowed = design.node(other).is_some_and(|o| link_allowed(NodeKind::KeyManager, o.kind));
        if other == &first.id || seen.contains(&other) || !allowed {
            continue;
        }
        seen.push(other);
        let link = if l.from == first.id {
            Link::new(id.clone(), other.clone())
        } else {
            Link::new(other.clone(), id.clone())
        };
        cmds.push(Command::AddLink { link, index });
        index += 1;
    }
    Some(Command::Batch(cmds))
}

/// Replaces the first run of digits in the first label of a name with `k` (`km1.bank` →
/// `km2.bank`, `KM 1` → `KM 2`); `None` when it has no digits there.
fn renumber(name: &str, k: usize) -> Option<String> {
    let first_label_end = name.find('.').unwrap_or(name.len());
    let start = name[..first_label_end].find(|c: char| c.is_ascii_digit())?;
    let len = name[start..].find(|c: char| !c.is_ascii_digit()).unwrap_or(name.len() - start);
    Some(format!("{}{k}{}", &name[..start], &name[start + len..]))
}

#[cfg(test)]
mod tests {
    use super::renumber;

    #[test]
    fn renumbering() {
        assert_eq!(renumber("km1.bank.internal", 2).as_deref(), Some("km2.bank.internal"));
        assert_eq!(renumber("KM 1", 2).as_deref(), Some("KM 2"));
        assert_eq!(renumber("km.bank1.internal", 2), None);
        assert_eq!(renumber("KM", 2), None);
    }
}
