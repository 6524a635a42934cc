//! Mechanical fixes: for some findings, the one command (often a batch) that resolves them,
//! applied by the UI as one undoable step.

use serde_json::{json, Value};

use super::catalog::required_dirs;
use super::Finding;
use crate::model::schema::ARTIFACT_DIRS;
use crate::model::{Command, Design, Link, NodeId, NodeKind};

/// A short label for the fix button, when the finding has a mechanical fix.
pub fn label(design: &Design, finding: &Finding) -> Option<&'static str> {
    fix(design, finding).map(|_| match finding.rule {
        "LB-002" => "Enable sticky sessions",
        "LB-004" => "Use HTTPS to the backend",
        "FS-002" => "Share the directory",
        "CLU-001" => "Add a Key Manager node",
        "DB-002" => "Make it HA",
        "DIR-002" => "Replicate it",
        "CLU-002" => "Enable clustering",
        _ => "Fix",
    })
}

fn set(id: &NodeId, key: &str, value: Value) -> Command {
    Command::SetProp { id: id.clone(), key: key.to_string(), value: Some(value) }
}

/// The command that fixes a finding, when there is a mechanical one.
pub fn fix(design: &Design, finding: &Finding) -> Option<Command> {
    let first = || finding.nodes.first().and_then(|id| NodeId::parse(id)).filter(|id| design.node(id).is_some());
    let p = design.product;
    match finding.rule {
        "LB-002" => Some(set(&first()?, "sticky_sessions", json!(true))),
        "LB-004" => Some(set(&first()?, "backend_protocol", json!("https"))),
        "CLU-002" => Some(set(&first()?, "clustering_enabled", json!(true))),
        "DIR-002" => Some(set(&first()?, "instances", json!(2))),
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

/// A second Key Manager node, a copy of the first with the next free address, linked to the
/// same neighbours; or a first one when there is none.
fn add_key_manager(design: &Design) -> Option<Command> {
    let first = design.nodes.iter().find(|n| n.kind == NodeKind::KeyManager);
    let Some(first) = first else {
        let node = design.new_node(NodeKind::KeyManager, 400.0, 200.0);
        return Some(Command::AddNode { node, index: design.nodes.len() });
    };
    let mut node = design.new_node(NodeKind::KeyManager, first.x, first.y + 140.0);
    node.zone = first.zone.clone();
    node.props = first.props.clone();
    node.props.shift_remove("ip");
    node.props.shift_remove("hostname");
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
    if let Some(host) = first.props.get("hostname").and_then(Value::as_str) {
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
        if other == &first.id || seen.contains(&other) {
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
