//! Importing a running deployment: the design rebuilt from the configuration files people
//! already have, every value with the file and line it came from, and the import findings
//! (IMP-001..007) that only the files can show: a node missing from another's member list,
//! disagreeing domains, host names, load balancer servers and datasources. What the files
//! cannot tell is listed as unknown, never guessed.
//!
//! The input is files with paths (`input`: a zip, a folder): one sub-folder per node, its
//! `repository/conf/` files found by their paths or, loose, by their root element; load balancer
//! files (nginx, HAProxy, Kubernetes Ingress) anywhere. Pure: the command line and the export
//! worker call it.

mod iam;
pub mod input;
mod k8s;
mod lb;
pub mod report;
mod xml;

use std::collections::BTreeMap;

use serde_json::Value;

pub use input::{File, InputError};

use crate::model::{Cluster, Design, Link, MembershipScheme, Node, NodeId, NodeKind, Product};
use crate::rules::Severity;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// The file's path in the input.
    pub file: String,
    /// The line (1-based).
    pub line: usize,
}

/// A value the import took from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    /// The node it belongs to (its id in the rebuilt design), or `cluster`.
    pub node: String,
    /// The design's field (`ip`, `member_port`, `databases`, …).
    pub field: String,
    /// The value, as text.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// A finding of the import (IMP-001..007).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Severity (the rule's).
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The nodes it is about (ids in the rebuilt design).
    pub nodes: Vec<String>,
    /// Where, when a file and line can be named.
    pub source: Option<Source>,
}

/// What an import gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The rebuilt design (laid out).
    pub design: Design,
    /// Every value taken from a file.
    pub facts: Vec<Fact>,
    /// What the files cannot tell.
    pub unknown: Vec<String>,
    /// The import findings.
    pub findings: Vec<Finding>,
    /// Files read, and files not used (with why).
    pub read: Vec<String>,
    /// Files met but not used, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// A JDBC URL read: engine, host, port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Jdbc {
    /// The design's engine (`mysql`, `oracle`, …).
    pub engine: &'static str,
    /// Host.
    pub host: String,
    /// Port.
    pub port: u32,
}

/// Reads a JDBC URL (`None` for embedded databases such as H2, and for what is not one).
pub fn jdbc(url: &str) -> Option<Jdbc> {
    let url = url.trim();
    let rest = url.strip_prefix("jdbc:")?;
    let (engine, tail, default) = if let Some(t) = rest.strip_prefix("mysql://") {
        ("mysql", t, 3306)
    } else if let Some(t) = rest.strip_prefix("mariadb://") {
        ("mariadb", t, 3306)
    } else if let Some(t) = rest.strip_prefix("postgresql://") {
        ("postgresql", t, 5432)
    } else if let Some(t) = rest.strip_prefix("sqlserver://") {
        ("mssql", t, 1433)
    } else if let Some(t) = rest.strip_prefix("db2://") {
        ("db2", t, 50000)
    } else if let Some(t) = rest.strip_prefix("oracle:thin:@") {
        ("oracle", t.trim_start_matches("//"), 1521)
    } else {
        return None;
    };
    let hostport = tail.split(['/', ';', '?']).next()?;
    // Oracle's SID form: host:port:SID.
    let hostport = if engine == "oracle" {
        hostport.splitn(3, ':').take(2).collect::<Vec<_>>().join(":")
    } else {
        hostport.to_string()
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !h.ends_with(':') => (h.to_string(), p.parse().ok()?),
        _ => (hostport.clone(), default),
    };
    (!host.is_empty()).then_some(Jdbc { engine, host: host.trim_matches(['[', ']']).to_string(), port })
}

/// The logical database a datasource name stands for.
fn logical(name: &str) -> Option<&'static str> {
    Some(match name.trim().to_ascii_uppercase().as_str() {
        "WSO2AM_DB" => "apim",
        "WSO2CONFIG_DB" | "WSO2_CONFIG_DB" => "config",
        "WSO2REG_DB" | "WSO2_REG_DB" | "WSO2GOVERNANCE_DB" | "WSO2_SHARED_DB" => "governance",
        "WSO2UM_DB" | "WSO2_USER_DB" => "user",
        "WSO2_OPEN_BANKING_DB" | "WSO2_CONSENT_DB" | "WSO2OB_DB" => "openbanking",
        _ => return None,
    })
}

/// What one node folder's files say.
#[derive(Default)]
struct Folder {
    name: String,
    clustering: Option<(xml::Clustering, String)>,
    carbon: Option<(xml::Carbon, String)>,
    datasources: Vec<(xml::Datasource, String)>,
    user_store: Option<(xml::UserStore, String)>,
    server_urls: Vec<(String, Source)>,
    proxy_port: Option<(u32, Source)>,
    heap: Option<(f64, Source)>,
    storage: Vec<(Storage, Source)>,
    apim_hosts: Vec<(String, Source)>,
}

/// A shared file system a node mounts (from `storage/mounts.sh` or an fstab line).
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// `nfs`, `smb`, `efs` or `glusterfs`.
    pub kind: &'static str,
    /// Server host.
    pub host: String,
    /// Exported path.
    pub export: String,
    /// NFS version, when said.
    pub version: Option<String>,
    /// The artifact directories linked to it.
    pub paths: Vec<String>,
}

/// Reads a mount script or an fstab: the shared file system, and the artifact directories the
/// script links to it.
fn storage_of(text: &str) -> Option<(Storage, usize)> {
    let unquote = |w: &str| w.trim_matches(['\'', '"']).to_string();
    let kind_of = |t: &str| match t {
        "nfs" | "nfs4" => Some("nfs"),
        "cifs" | "smb" | "smb3" => Some("smb"),
        "efs" => Some("efs"),
        "glusterfs" => Some("glusterfs"),
        _ => None,
    };
    let mut found: Option<(Storage, usize)> = None;
    let mut paths = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<String> = line.split_whitespace().map(unquote).collect();
        let first = words.first().map(String::as_str).unwrap_or("");
        if first.starts_with('#') {
            continue;
        }
        if first == "mount" && found.is_none() {
            let t = words.iter().position(|w| w == "-t").and_then(|k| words.get(k + 1)).and_then(|t| kind_of(t));
            let opts = words.iter().position(|w| w == "-o").and_then(|k| words.get(k + 1)).cloned().unwrap_or_default();
            let source = words.iter().skip(1).find(|w| w.contains(":/") || w.starts_with("//"));
            if let (Some(kind), Some(src)) = (t, source) {
                let (host, export) = match src.strip_prefix("//") {
                    Some(smb) => smb
                        .split_once('/')
                        .map(|(h, p)| (h.to_string(), format!("/{p}")))
                        .unwrap_or((smb.to_string(), "/".into())),
                    None => src.split_once(':').map(|(h, p)| (h.to_string(), p.to_string())).unwrap_or_default(),
                };
                let version = opts
                    .split(',')
                    .find_map(|o| o.strip_prefix("nfsvers=").or_else(|| o.strip_prefix("vers=")))
                    .map(str::to_string);
                found = Some((Storage { kind, host, export, version, paths: vec![] }, i + 1));
            }
        } else if words.len() >= 3 && !line.contains("mount") && found.is_none() {
            // fstab: source mountpoint type options.
            if let (Some(kind), true) = (kind_of(&words[2]), words[0].contains(":/")) {
                let (host, export) =
                    words[0].split_once(':').map(|(h, p)| (h.to_string(), p.to_string())).unwrap_or_default();
                let version = words
                    .get(3)
                    .and_then(|o| {
                        o.split(',').find_map(|x| x.strip_prefix("nfsvers=").or_else(|| x.strip_prefix("vers=")))
                    })
                    .map(str::to_string);
                let version = version.or_else(|| (words[2] == "nfs4").then(|| "4".to_string()));
                found = Some((Storage { kind, host, export, version, paths: vec![] }, i + 1));
            }
        }
        if first == "ln" {
            if let Some(dir) = words.iter().find(|w| w.contains("MOUNT_POINT")).and_then(|w| w.rsplit('/').next()) {
                let dir = unquote(dir);
                if !dir.is_empty() && !paths.contains(&dir) {
                    paths.push(dir);
                }
            }
        }
    }
    found.map(|(mut st, l)| {
        st.paths = paths;
        (st, l)
    })
}

impl Folder {
    fn is_km(&self) -> bool {
        self.clustering.is_some() || self.carbon.is_some() || !self.datasources.is_empty()
    }
}

/// The folder a file belongs to: what comes before `repository/`, `bin/` or `storage/`, else
/// its parent.
fn folder_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    if let Some(i) = parts.iter().position(|p| matches!(*p, "repository" | "bin" | "storage")) {
        return parts[..i].join("/");
    }
    parts[..parts.len().saturating_sub(1)].join("/")
}

/// The heap (GB) of a start script's `-Xmx`.
fn heap_of(script: &str) -> Option<(f64, usize)> {
    script.lines().enumerate().find_map(|(i, l)| {
        let at = l.find("-Xmx")?;
        let v: String = l[at + 4..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let (num, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
        let n: f64 = num.parse().ok()?;
        let gb = match unit.to_ascii_lowercase().as_str() {
            "g" => n,
            "m" => n / 1024.0,
            "k" => n / 1024.0 / 1024.0,
            "" => n / 1024.0 / 1024.0 / 1024.0,
            _ => return None,
        };
        Some(((gb * 100.0).round() / 100.0, i + 1))
    })
}

/// A node id made of a folder's name (lower case, letters, digits and `-`), else `fallback`
/// (an id by construction, such as `km-1`); made unique among `taken`.
fn id_of(name: &str, fallback: &str, taken: &mut Vec<String>) -> NodeId {
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut base: String = slug.chars().take(50).collect();
    if NodeId::parse(&base).is_none() {
        base = fallback.to_string();
    }
    let mut k = 1;
    loop {
        let id = if k == 1 { base.clone() } else { format!("{base}-{k}") };
        if !taken.contains(&id) {
            if let Some(ok) = NodeId::parse(&id) {
                taken.push(id);
                return ok;
            }
        }
        k += 1;
        if k > 100_000 {
            // Never reached: `fallback` ids parse, and the suffix makes them unique.
            base = "node".to_string();
        }
    }
}

fn finding(rule: &'static str, message: String, nodes: Vec<String>, source: Option<Source>) -> Finding {
    let severity = crate::rules::catalog::rule(rule).map(|r| r.severity).unwrap_or(Severity::Error);
    Finding { rule, severity, message, nodes, source }
}

fn set(n: &mut Node, key: &str, v: Value) {
    n.props.insert(key.to_string(), crate::model::format::canonical_prop(&v));
}

/// True for a file the import reads, by its name (XML, nginx, HAProxy and YAML files, IS 5.10's
/// `deployment.toml`, the start script or JVM options for the heap, a mount script or fstab for
/// shared storage): the browser loads only these from a folder the user picks.
pub fn reads(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.ends_with(".xml")
        || name.ends_with(".conf")
        || name.ends_with(".cfg")
        || name.ends_with(".yaml")
        || name.ends_with(".yml")
        || matches!(name, "deployment.toml" | "wso2server.sh" | "jvm-options.txt" | "mounts.sh" | "fstab")
}

/// Rebuilds a design from a deployment's files. `product` says which product the files are
/// of (1.x releases cannot be told apart from their files; OB KM 1.5 by default).
pub fn import(files: Vec<File>, product: Option<Product>) -> Imported {
    let mut toml_seen = false;
    let mut findings: Vec<Finding> = Vec::new();
    let mut folders: BTreeMap<String, Folder> = BTreeMap::new();
    let mut balancers: Vec<(lb::Balancer, String)> = Vec::new();
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let unreadable = |path: &str, reason: String, line: Option<usize>| {
        finding(
            "IMP-006",
            format!("{path} could not be read: {reason}{}", line.map(|l| format!(" (line {l})")).unwrap_or_default()),
            vec![],
            Some(Source { file: path.to_string(), line: line.unwrap_or(1) }),
        )
    };
    let mut sorted = files;
    crate::model::order::sort_by(&mut sorted, |a, b| a.path.cmp(&b.path));
    for f in &sorted {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        if !reads(&f.path) {
            skipped.push((f.path.clone(), "not a file the import reads".to_string()));
            continue;
        }
        let text = match std::str::from_utf8(&f.bytes) {
            Ok(t) => t.trim_start_matches('\u{feff}'),
            Err(e) => {
                findings.push(unreadable(&f.path, format!("not UTF-8 text ({e})"), None));
                continue;
            }
        };
        let folder_key = folder_of(&f.path);
        let folder_name = folder_key.rsplit('/').next().unwrap_or("").to_string();
        let src = |line: usize| Source { file: f.path.clone(), line };
        if matches!(name, "mounts.sh" | "fstab") {
            match storage_of(text) {
                Some((st, line)) => {
                    let e = folders.entry(folder_key.clone()).or_default();
                    e.name = folder_name;
                    e.storage.push((st, src(line)));
                    read.push(f.path.clone());
                }
                None => skipped.push((f.path.clone(), "no shared file system is mounted in it".to_string())),
            }
            continue;
        }
        if name == "wso2server.sh" || name == "jvm-options.txt" {
            if let Some((gb, line)) = heap_of(text) {
                let e = folders.entry(folder_key.clone()).or_default();
                e.name = folder_name;
                e.heap = Some((gb, src(line)));
            }
            read.push(f.path.clone());
            continue;
        }
        if name == "deployment.toml" {
            match iam::read(text) {
                Ok(t) => {
                    read.push(f.path.clone());
                    toml_seen = true;
                    let e = folders.entry(folder_key.clone()).or_default();
                    e.name = folder_name;
                    e.clustering = Some((t.clustering, f.path.clone()));
                    e.carbon = Some((t.carbon, f.path.clone()));
                    e.datasources.extend(t.datasources.into_iter().map(|d| (d, f.path.clone())));
                    e.user_store = t.user_store.map(|u| (u, f.path.clone()));
                    e.proxy_port = t.proxy_port.map(|(p, l)| (p, src(l)));
                    e.apim_hosts.extend(t.apim_hosts.into_iter().map(|(h, l)| (h, src(l))));
                }
                Err(u) => findings.push(unreadable(&f.path, u.reason, u.line)),
            }
            continue;
        }
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            if !k8s::looks_like_ingress(text) {
                skipped.push((f.path.clone(), "a YAML file with no Kubernetes Ingress".to_string()));
                continue;
            }
            match k8s::ingresses(text) {
                Ok(found) if found.is_empty() => {
                    skipped.push((f.path.clone(), "a YAML file with no Kubernetes Ingress".to_string()))
                }
                Ok(found) => {
                    read.push(f.path.clone());
                    balancers.extend(found.into_iter().map(|b| (b, f.path.clone())));
                }
                Err(u) => findings.push(unreadable(&f.path, u.reason, u.line)),
            }
            continue;
        }
        if name.ends_with(".conf") || name.ends_with(".cfg") {
            let b = if lb::is_haproxy(text) {
                lb::haproxy(text)
            } else if lb::is_nginx(text) {
                lb::nginx(text)
            } else {
                skipped.push((f.path.clone(), "neither an nginx nor an HAProxy configuration".to_string()));
                continue;
            };
            read.push(f.path.clone());
            balancers.push((b, f.path.clone()));
            continue;
        }
        let doc = match xml::parse(text) {
            Ok(d) => d,
            Err(u) => {
                findings.push(unreadable(&f.path, u.reason, u.line));
                continue;
            }
        };
        let kind = xml::kind_of_root(&doc);
        let Some(kind) = kind else {
            skipped.push((
                f.path.clone(),
                format!("an XML file the import does not read ({})", doc.root_element().tag_name().name()),
            ));
            continue;
        };
        read.push(f.path.clone());
        let e = folders.entry(folder_key.clone()).or_default();
        e.name = folder_name;
        match kind {
            "axis2.xml" => e.clustering = Some((xml::clustering(&doc), f.path.clone())),
            "carbon.xml" => e.carbon = Some((xml::carbon(&doc), f.path.clone())),
            "datasources.xml" => e.datasources.extend(xml::datasources(&doc).into_iter().map(|d| (d, f.path.clone()))),
            "user-mgt.xml" => e.user_store = xml::user_store(&doc).map(|u| (u, f.path.clone())),
            "api-manager.xml" => e.server_urls.extend(xml::server_urls(&doc).into_iter().map(|(u, l)| (u, src(l)))),
            "catalina-server.xml" => e.proxy_port = xml::proxy_port(&doc).map(|(p, l)| (p, src(l))),
            "identity.xml" => e.apim_hosts.extend(xml::apim_hosts(&doc).into_iter().map(|(h, l)| (h, src(l)))),
            _ => {}
        }
    }
    // 1.x releases cannot be told apart from their files; a deployment.toml is IS 5.10's.
    let product = product.unwrap_or(if toml_seen { Product::ObIam20 } else { Product::ObKm15 });
    build(product, folders, balancers, findings, read, skipped)
}

/// A Key Manager node being rebuilt: the node, its folder, its cluster address.
struct KmNode {
    node: Node,
    folder: Option<usize>,
    member: Option<(String, u32)>,
}

fn build(
    product: Product,
    folders: BTreeMap<String, Folder>,
    balancers: Vec<(lb::Balancer, String)>,
    mut findings: Vec<Finding>,
    read: Vec<String>,
    skipped: Vec<(String, String)>,
) -> Imported {
    let folders: Vec<Folder> = folders.into_values().collect();
    let mut facts: Vec<Fact> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut links: Vec<Link> = Vec::new();
    let fact = |facts: &mut Vec<Fact>, node: &str, field: &str, value: String, source: Source| {
        facts.push(Fact { node: node.to_string(), field: field.to_string(), value, source });
    };
    let new_node = |kind: NodeKind, id: NodeId, label: String| Node {
        id,
        kind,
        label,
        x: 0.0,
        y: 0.0,
        zone: String::new(),
        notes: String::new(),
        props: Default::default(),
        extra: Default::default(),
    };

    // Key Manager nodes: one per folder with a node's files.
    let mut kms: Vec<KmNode> = Vec::new();
    for (fi, f) in folders.iter().enumerate().filter(|(_, f)| f.is_km()) {
        let id = id_of(&f.name, &format!("km-{}", kms.len() + 1), &mut taken);
        let label = if f.name.is_empty() { id.to_string() } else { f.name.clone() };
        let mut n = new_node(NodeKind::KeyManager, id.clone(), label);
        let mut member = None;
        if let Some((c, file)) = &f.clustering {
            let at = |line: usize| Source { file: file.clone(), line };
            if let Some((host, line)) = &c.host {
                let key = if crate::model::address::is_ip(host) { "ip" } else { "hostname" };
                set(&mut n, key, Value::String(host.clone()));
                fact(&mut facts, id.as_str(), key, host.clone(), at(*line));
            }
            if let Some((port, line)) = c.port {
                set(&mut n, "member_port", port.into());
                fact(&mut facts, id.as_str(), "member_port", port.to_string(), at(line));
            }
            if let Some((on, line)) = c.enabled {
                set(&mut n, "clustering_enabled", on.into());
                fact(&mut facts, id.as_str(), "clustering_enabled", on.to_string(), at(line));
            }
            member = c.host.as_ref().map(|(h, _)| (h.clone(), c.port.map(|p| p.0).unwrap_or(4000)));
        }
        if let Some((c, file)) = &f.carbon {
            let at = |line: usize| Source { file: file.clone(), line };
            if let Some((o, line)) = c.offset {
                set(&mut n, "port_offset", o.into());
                fact(&mut facts, id.as_str(), "port_offset", o.to_string(), at(line));
            }
            if let Some((k, line)) = &c.keystore {
                set(&mut n, "keystore", Value::String(k.clone()));
                fact(&mut facts, id.as_str(), "keystore", k.clone(), at(*line));
            }
            // The node's own address when axis2.xml did not say: its host name.
            if member.is_none() {
                if let Some((h, line)) = &c.hostname {
                    fact(&mut facts, id.as_str(), "HostName", h.clone(), at(*line));
                }
            }
        }
        if let Some((gb, src)) = &f.heap {
            set(&mut n, "heap_gb", serde_json::json!(gb));
            fact(&mut facts, id.as_str(), "heap_gb", gb.to_string(), src.clone());
        }
        set(&mut n, "product_version", Value::String(product.release().to_string()));
        kms.push(KmNode { node: n, folder: Some(fi), member });
    }
    // Members that only appear in member lists: nodes of their own, marked so.
    let mut listed: Vec<((String, u32), Source)> = Vec::new();
    for k in &kms {
        let Some((c, file)) = k.folder.and_then(|fi| folders[fi].clustering.as_ref()) else { continue };
        if let Some((ms, line)) = &c.members {
            for m in ms {
                if !listed.iter().any(|(x, _)| x == m) {
                    listed.push((m.clone(), Source { file: file.clone(), line: *line }));
                }
            }
        }
    }
    for (m, src) in &listed {
        let known = kms.iter().any(|k| k.member.as_ref().is_some_and(|(h, p)| same_host(h, &m.0) && *p == m.1));
        if !known {
            let id = id_of("", &format!("km-member-{}", kms.len() + 1), &mut taken);
            let mut n = new_node(NodeKind::KeyManager, id.clone(), format!("{} (known only from member lists)", m.0));
            let key = if crate::model::address::is_ip(&m.0) { "ip" } else { "hostname" };
            set(&mut n, key, Value::String(m.0.clone()));
            set(&mut n, "member_port", m.1.into());
            fact(&mut facts, id.as_str(), key, m.0.clone(), src.clone());
            unknown
                .push(format!("{id}: known only from the member lists of other nodes; none of its files were given"));
            kms.push(KmNode { node: n, folder: None, member: Some(m.clone()) });
        }
    }

    // The cluster: the first node's domain and scheme; disagreements are IMP-002.
    let mut cluster = Cluster::default();
    let clusterings: Vec<(&KmNode, &xml::Clustering, &String)> = kms
        .iter()
        .filter_map(|k| k.folder.and_then(|fi| folders[fi].clustering.as_ref()).map(|(c, f)| (k, c, f)))
        .collect();
    if let Some((_, c, file)) = clusterings.first() {
        if let Some((d, line)) = &c.domain {
            cluster.domain = d.clone();
            fact(&mut facts, "cluster", "domain", d.clone(), Source { file: (*file).clone(), line: *line });
        }
        if let Some((s, line)) = &c.scheme {
            cluster.membership_scheme = MembershipScheme::parse(s).unwrap_or(MembershipScheme::Wka);
            fact(&mut facts, "cluster", "membership_scheme", s.clone(), Source { file: (*file).clone(), line: *line });
        }
    }
    for (what, get) in [
        ("cluster domain", (|c: &xml::Clustering| c.domain.clone()) as fn(&xml::Clustering) -> Option<(String, usize)>),
        ("membership scheme", |c: &xml::Clustering| c.scheme.clone()),
    ] {
        let values: Vec<(String, String, Source)> = clusterings
            .iter()
            .filter_map(|(k, c, f)| {
                get(c).map(|(v, l)| (k.node.id.to_string(), v, Source { file: (*f).clone(), line: l }))
            })
            .collect();
        if let Some(first) = majority(&values, |a, b| a.1 == b.1) {
            let odd: Vec<&(String, String, Source)> = values.iter().filter(|v| v.1 != first.1).collect();
            for o in odd {
                findings.push(finding(
                    "IMP-002",
                    format!("The nodes disagree on the {what}: {} has {:?}, {} has {:?}", first.0, first.1, o.0, o.1),
                    vec![first.0.clone(), o.0.clone()],
                    Some(o.2.clone()),
                ));
            }
        }
    }
    // IMP-001: with WKA, every node lists every other node.
    for (k, c, file) in &clusterings {
        let wka = c.scheme.as_ref().is_none_or(|(s, _)| s.eq_ignore_ascii_case("wka"));
        let Some((members, line)) = c.members.as_ref().filter(|_| wka) else { continue };
        for other in kms.iter().filter(|o| o.folder.is_some() && o.node.id != k.node.id) {
            let Some((h, p)) = &other.member else { continue };
            if !members.iter().any(|(mh, mp)| same_host(mh, h) && mp == p) {
                findings.push(finding(
                    "IMP-001",
                    format!("{} ({h}:{p}) is missing from the WKA member list of {}", other.node.id, k.node.id),
                    vec![k.node.id.to_string(), other.node.id.to_string()],
                    Some(Source { file: (*file).clone(), line: *line }),
                ));
            }
        }
    }
    // IMP-007: values the design holds once, different between nodes.
    for field in ["port_offset", "member_port", "keystore"] {
        let values: Vec<(&str, String, Option<Source>)> = kms
            .iter()
            .filter(|k| k.folder.is_some())
            .filter_map(|k| {
                let v = k.node.props.get(field)?.to_string();
                let src =
                    facts.iter().find(|f| f.node == k.node.id.as_str() && f.field == field).map(|f| f.source.clone());
                Some((k.node.id.as_str(), v, src))
            })
            .collect();
        if let Some(first) = majority(&values, |a, b| a.1 == b.1) {
            for o in values.iter().filter(|v| v.1 != first.1) {
                findings.push(finding(
                    "IMP-007",
                    format!("{field} differs between nodes: {} has {}, {} has {}", first.0, first.1, o.0, o.1),
                    vec![first.0.to_string(), o.0.to_string()],
                    o.2.clone(),
                ));
            }
        }
    }
    // IMP-003: host names.
    let mut host_names: Vec<(String, String, Source)> = Vec::new();
    for k in &kms {
        let Some((c, file)) = k.folder.and_then(|fi| folders[fi].carbon.as_ref()) else { continue };
        for (v, line) in [&c.hostname, &c.mgt_hostname].into_iter().flatten() {
            host_names.push((k.node.id.to_string(), v.clone(), Source { file: file.clone(), line: *line }));
        }
    }
    if let Some(first) = majority(&host_names, |a, b| same_host(&a.1, &b.1)) {
        if let Some(o) = host_names.iter().find(|h| !same_host(&h.1, &first.1)) {
            findings.push(finding(
                "IMP-003",
                format!("HostName/MgtHostName differ: {} has {:?}, {} has {:?}", first.0, first.1, o.0, o.1),
                vec![first.0.clone(), o.0.clone()],
                Some(o.2.clone()),
            ));
        }
    }

    // Databases: one node per JDBC host and port; the logical databases each hosts.
    let mut dbs: Vec<(Jdbc, Node, Vec<String>)> = Vec::new();
    let mut by_logical: BTreeMap<&'static str, Vec<(String, Jdbc, Source)>> = BTreeMap::new();
    let mut km_links: Vec<(usize, NodeId)> = Vec::new();
    for (ki, k) in kms.iter().enumerate() {
        let Some(fi) = k.folder else { continue };
        for (ds, file) in &folders[fi].datasources {
            let Some(j) = jdbc(&ds.url.0) else { continue };
            let src = Source { file: file.clone(), line: ds.url.1 };
            let at = match dbs
                .iter()
                .position(|(x, _, _)| x.engine == j.engine && same_host(&x.host, &j.host) && x.port == j.port)
            {
                Some(at) => at,
                None => {
                    let id = id_of("", &format!("db-{}", dbs.len() + 1), &mut taken);
                    let mut n = new_node(NodeKind::Database, id.clone(), format!("{} {}", j.engine, j.host));
                    set(&mut n, "engine", Value::String(j.engine.to_string()));
                    set(&mut n, "host", Value::String(j.host.clone()));
                    set(&mut n, "port", j.port.into());
                    for (field, v) in
                        [("engine", j.engine.to_string()), ("host", j.host.clone()), ("port", j.port.to_string())]
                    {
                        fact(&mut facts, id.as_str(), field, v, src.clone());
                    }
                    unknown.push(format!("{id}: its version, high-availability mode and instances (no file says)"));
                    dbs.push((j.clone(), n, Vec::new()));
                    dbs.len() - 1
                }
            };
            if let Some(l) = logical(&ds.name) {
                if !dbs[at].2.iter().any(|x| x == l) {
                    dbs[at].2.push(l.to_string());
                    fact(&mut facts, dbs[at].1.id.as_str(), "databases", l.to_string(), src.clone());
                }
                by_logical.entry(l).or_default().push((k.node.id.to_string(), j.clone(), src.clone()));
            }
            let db_id = dbs[at].1.id.clone();
            if !km_links.iter().any(|(x, d)| *x == ki && *d == db_id) {
                km_links.push((ki, db_id));
            }
        }
    }
    for (l, uses) in &by_logical {
        let same = |a: &(String, Jdbc, Source), b: &(String, Jdbc, Source)| {
            same_host(&a.1.host, &b.1.host) && a.1.port == b.1.port
        };
        if let Some(first) = majority(uses, same) {
            for o in uses.iter().filter(|u| !same(u, first)) {
                findings.push(finding(
                    "IMP-005",
                    format!(
                        "The {l} database is at {}:{} for {} but at {}:{} for {}: the nodes would not share its data",
                        first.1.host, first.1.port, first.0, o.1.host, o.1.port, o.0
                    ),
                    vec![first.0.clone(), o.0.clone()],
                    Some(o.2.clone()),
                ));
            }
        }
    }
    for (_, n, hosted) in &mut dbs {
        crate::model::order::sort(hosted);
        set(n, "databases", Value::Array(hosted.iter().cloned().map(Value::String).collect()));
    }

    // The directory: from the user store's ConnectionURL.
    let mut dirs: Vec<(String, u32, Node)> = Vec::new();
    for (ki, k) in kms.iter().enumerate() {
        let Some((us, file)) = k.folder.and_then(|fi| folders[fi].user_store.as_ref()) else { continue };
        let Some((url, line)) = &us.url else { continue };
        let src = Source { file: file.clone(), line: *line };
        let tls = url.starts_with("ldaps://");
        let Some(rest) = url.strip_prefix("ldaps://").or_else(|| url.strip_prefix("ldap://")) else { continue };
        let hp = rest.split('/').next().unwrap_or(rest);
        let (host, port) = match hp.rsplit_once(':') {
            Some((h, p)) => (h.trim_matches(['[', ']']).to_string(), p.parse().unwrap_or(if tls { 636 } else { 389 })),
            None => (hp.to_string(), if tls { 636 } else { 389 }),
        };
        let at = match dirs.iter().position(|(h, p, _)| same_host(h, &host) && *p == port) {
            Some(at) => at,
            None => {
                let id = id_of("", &format!("ldap-{}", dirs.len() + 1), &mut taken);
                let ad = us.class.0.contains("ActiveDirectory") || us.ad_attributes;
                let mut n = new_node(
                    NodeKind::Directory,
                    id.clone(),
                    format!("{} {host}", if ad { "Active Directory" } else { "LDAP" }),
                );
                set(&mut n, "product", Value::String(if ad { "active-directory" } else { "openldap" }.to_string()));
                set(&mut n, "host", Value::String(host.clone()));
                set(&mut n, "port", port.into());
                set(&mut n, "tls", tls.into());
                let ro = us.read_only.as_ref().map(|r| r.0).unwrap_or(false) || us.class.0.contains("ReadOnly");
                set(&mut n, "read_only", ro.into());
                for (field, v) in [
                    ("product", if ad { "active-directory" } else { "openldap" }.to_string()),
                    ("host", host.clone()),
                    ("port", port.to_string()),
                    ("tls", tls.to_string()),
                    ("read_only", ro.to_string()),
                ] {
                    fact(&mut facts, id.as_str(), field, v, src.clone());
                }
                unknown.push(format!("{id}: its version and instances (no file says)"));
                dirs.push((host.clone(), port, n));
                dirs.len() - 1
            }
        };
        let dir_id = dirs[at].2.id.clone();
        km_links.push((ki, dir_id));
    }

    // Shared storage: one node per file system mounted.
    let mut stores: Vec<(Storage, Node)> = Vec::new();
    for (ki, k) in kms.iter().enumerate() {
        let Some(fi) = k.folder else { continue };
        for (st, src) in &folders[fi].storage {
            let at = match stores
                .iter()
                .position(|(x, _)| x.kind == st.kind && same_host(&x.host, &st.host) && x.export == st.export)
            {
                Some(at) => at,
                None => {
                    let id = id_of("", &format!("fs-{}", stores.len() + 1), &mut taken);
                    let mut n = new_node(NodeKind::SharedStorage, id.clone(), format!("{} {}", st.kind, st.host));
                    set(&mut n, "type", Value::String(st.kind.to_string()));
                    set(&mut n, "host", Value::String(st.host.clone()));
                    set(&mut n, "export_path", Value::String(st.export.clone()));
                    let mut fields = vec![
                        ("type", st.kind.to_string()),
                        ("host", st.host.clone()),
                        ("export_path", st.export.clone()),
                    ];
                    if let Some(v) = st.version.as_ref().filter(|v| ["3", "4"].contains(&v.as_str())) {
                        set(&mut n, "nfs_version", Value::String(v.clone()));
                        fields.push(("nfs_version", v.clone()));
                    }
                    if !st.paths.is_empty() {
                        set(&mut n, "paths", Value::Array(st.paths.iter().cloned().map(Value::String).collect()));
                        fields.push(("paths", st.paths.join(", ")));
                    }
                    for (field, v) in fields {
                        fact(&mut facts, id.as_str(), field, v, src.clone());
                    }
                    unknown.push(format!("{id}: its instances (no file says)"));
                    stores.push((st.clone(), n));
                    stores.len() - 1
                }
            };
            let fs_id = stores[at].1.id.clone();
            km_links.push((ki, fs_id));
        }
    }

    // Load balancers: their servers linked to the nodes they reach (address and HTTPS port).
    let mut lbs: Vec<Node> = Vec::new();
    let mut lb_links: Vec<(NodeId, usize)> = Vec::new();
    let https_of = |k: &KmNode| 9443 + k.node.props.get("port_offset").and_then(Value::as_i64).unwrap_or(0) as u32;
    let http_of = |k: &KmNode| 9763 + k.node.props.get("port_offset").and_then(Value::as_i64).unwrap_or(0) as u32;
    let addr_of = |k: &KmNode| k.member.as_ref().map(|m| m.0.clone());
    let mut routed: Vec<usize> = Vec::new();
    for (b, file) in &balancers {
        let name = std::path::Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or("lb");
        let id = id_of("", &format!("lb-{}", lbs.len() + 1), &mut taken);
        let mut n = new_node(NodeKind::LoadBalancer, id.clone(), format!("{} ({name})", b.product));
        let at = |line: usize| Source { file: file.clone(), line };
        set(&mut n, "product", Value::String(b.product.to_string()));
        if let Some((h, line)) = &b.hostname {
            set(&mut n, "hostname", Value::String(h.clone()));
            fact(&mut facts, id.as_str(), "hostname", h.clone(), at(*line));
        }
        if let Some((p, line)) = b.tls_port {
            set(&mut n, "tls_port", p.into());
            fact(&mut facts, id.as_str(), "tls_port", p.to_string(), at(line));
        }
        set(&mut n, "sticky_sessions", b.sticky.is_some().into());
        fact(&mut facts, id.as_str(), "sticky_sessions", b.sticky.is_some().to_string(), at(b.sticky.unwrap_or(1)));
        set(&mut n, "expose_http", b.http.is_some().into());
        fact(&mut facts, id.as_str(), "expose_http", b.http.is_some().to_string(), at(b.http.unwrap_or(1)));
        if let Some(first) = b.backends.first() {
            let proto = if b.backends.iter().any(|s| s.protocol == "https") { "https" } else { first.protocol };
            set(&mut n, "backend_protocol", Value::String(proto.to_string()));
            fact(&mut facts, id.as_str(), "backend_protocol", proto.to_string(), at(first.line));
        }
        for inc in &b.includes {
            unknown.push(format!("{id}: {file} includes {} (line {}), which the import does not follow", inc.0, inc.1));
        }
        for s in &b.backends {
            let serves = |k: &KmNode| s.port == https_of(k) || s.port == http_of(k);
            // An Ingress routes to a Service, whose pods the manifest does not name: the nodes
            // it reaches are the Key Manager nodes serving the Service's port. Other balancers
            // name the server's address.
            let ingress = b.product == "k8s-ingress";
            let hits: Vec<usize> = if ingress {
                kms.iter().enumerate().filter(|(_, k)| k.folder.is_some() && serves(k)).map(|(ki, _)| ki).collect()
            } else {
                kms.iter()
                    .position(|k| addr_of(k).is_some_and(|a| same_host(&a, &s.host)) && serves(k))
                    .into_iter()
                    .collect()
            };
            if hits.is_empty() {
                let message = if ingress {
                    format!(
                        "{id} routes to Service {} port {}, which is no Key Manager node's HTTPS port",
                        s.host, s.port
                    )
                } else {
                    format!(
                        "{id} routes to {}:{}, which is no Key Manager node's address and HTTPS port",
                        s.host, s.port
                    )
                };
                findings.push(finding("IMP-004", message, vec![id.to_string()], Some(at(s.line))));
            } else if ingress {
                unknown.push(format!(
                    "{id}: which pods Service {} selects (no Ingress says; linked to the Key Manager nodes serving port {})",
                    s.host, s.port
                ));
            }
            for ki in hits {
                if !lb_links.iter().any(|(l, k)| *l == id && *k == ki) {
                    lb_links.push((id.clone(), ki));
                }
                routed.push(ki);
            }
        }
        unknown.push(format!("{id}: its own address (ip) and instances (no file says)"));
        lbs.push(n);
    }
    if !lbs.is_empty() {
        for (_, k) in kms.iter().enumerate().filter(|(ki, k)| k.folder.is_some() && !routed.contains(ki)) {
            findings.push(finding(
                "IMP-004",
                format!("No load balancer routes to {}", k.node.id),
                vec![k.node.id.to_string()],
                None,
            ));
        }
        // The public host name against the nodes' HostName (IMP-003), and the load balancer's
        // name from the nodes' when its file has none (HAProxy).
        for n in &mut lbs {
            match n.props.get("hostname").and_then(Value::as_str).map(str::to_string) {
                Some(h) => {
                    if let Some(o) = host_names.iter().find(|x| !same_host(&x.1, &h)) {
                        findings.push(finding(
                            "IMP-003",
                            format!(
                                "{} has HostName {:?}, but the load balancer's public host name is {h:?}",
                                o.0, o.1
                            ),
                            vec![o.0.clone(), n.id.to_string()],
                            Some(o.2.clone()),
                        ));
                    }
                }
                None => {
                    if let Some(first) = host_names.first() {
                        set(n, "hostname", Value::String(first.1.clone()));
                        fact(&mut facts, n.id.as_str(), "hostname", first.1.clone(), first.2.clone());
                    }
                }
            }
        }
    }

    // API Manager nodes: folders with api-manager.xml; linked to the load balancer (or node)
    // their ServerURLs name.
    let mut ams: Vec<(Node, Vec<NodeId>)> = Vec::new();
    for f in folders.iter().filter(|f| !f.is_km() && !f.server_urls.is_empty()) {
        let id = id_of(&f.name, &format!("am-{}", ams.len() + 1), &mut taken);
        let n =
            new_node(NodeKind::ApiManager, id.clone(), if f.name.is_empty() { id.to_string() } else { f.name.clone() });
        let mut to: Vec<NodeId> = Vec::new();
        for (url, src) in &f.server_urls {
            let host = url.split("://").nth(1).unwrap_or(url).split(['/', ':']).next().unwrap_or("").to_string();
            fact(&mut facts, id.as_str(), "ServerURL", url.clone(), src.clone());
            let target = lbs
                .iter()
                .find(|l| l.props.get("hostname").and_then(Value::as_str).is_some_and(|h| same_host(h, &host)))
                .map(|l| l.id.clone())
                .or_else(|| {
                    kms.iter().find(|k| addr_of(k).is_some_and(|a| same_host(&a, &host))).map(|k| k.node.id.clone())
                });
            if let Some(t) = target {
                if !to.contains(&t) {
                    to.push(t);
                }
            }
        }
        ams.push((n, to));
    }
    // The API Manager's address: where the Key Manager nodes' identity.xml points (one API
    // Manager node; with several, which is which cannot be told).
    let apim: Vec<&(String, Source)> =
        kms.iter().filter_map(|k| k.folder).flat_map(|fi| folders[fi].apim_hosts.iter()).collect();
    match (ams.as_mut_slice(), apim.first()) {
        ([(n, _)], Some((host, src))) => {
            let key = if crate::model::address::is_ip(host) { "ip" } else { "hostname" };
            set(n, key, Value::String(host.clone()));
            fact(&mut facts, n.id.as_str(), key, host.clone(), src.clone());
        }
        (all, _) => {
            for (n, _) in all.iter() {
                unknown.push(format!("{}: its address (api-manager.xml does not hold it)", n.id));
            }
        }
    }

    // The design.
    for k in &kms {
        nodes.push(k.node.clone());
    }
    nodes.extend(lbs);
    for (_, n, _) in &dbs {
        nodes.push(n.clone());
    }
    for (_, _, n) in &dirs {
        nodes.push(n.clone());
    }
    for (_, n) in &stores {
        nodes.push(n.clone());
    }
    for (n, _) in &ams {
        nodes.push(n.clone());
    }
    for (l, ki) in &lb_links {
        links.push(Link::new(l.clone(), kms[*ki].node.id.clone()));
    }
    for (ki, to) in &km_links {
        links.push(Link::new(kms[*ki].node.id.clone(), to.clone()));
    }
    for (n, to) in &ams {
        for t in to {
            links.push(Link::new(n.id.clone(), t.clone()));
        }
    }
    unknown.push("every node: zones, memory, disk, JDK and operating system (no configuration file holds them)".into());
    if stores.is_empty() {
        unknown.push("shared storage: no storage/mounts.sh or fstab line was given".into());
    }
    unknown.push("clients and analytics: not in the configuration files".into());
    let mut design = Design {
        name: "Imported deployment".to_string(),
        notes: String::new(),
        owner: String::new(),
        product,
        cluster,
        nodes,
        links,
        waivers: Vec::new(),
        extra: Default::default(),
    };
    refuse_bad_values(&mut design, &facts, &mut findings);
    let layout = crate::model::layout::auto_layout(&design);
    let _ = crate::model::apply(&mut design, layout);
    Imported { design, facts, unknown, findings, read, skipped }
}

/// Values from files are data: a value the node's field would refuse when typed in the inspector
/// (an address that is no address, a port out of range) is left out of the design and reported as
/// IMP-006 at the file and line it came from.
fn refuse_bad_values(design: &mut Design, facts: &[Fact], findings: &mut Vec<Finding>) {
    for n in &mut design.nodes {
        let mut bad = Vec::new();
        for (key, v) in &n.props {
            let Some(spec) = n.kind.prop(key) else { continue };
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(x) => x.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                _ => continue,
            };
            if let Err(why) = crate::model::fields::parse(spec, &text) {
                bad.push((key.clone(), why));
            }
        }
        for (key, why) in bad {
            n.props.remove(&key);
            let source = facts.iter().find(|f| f.node == n.id.as_str() && f.field == key).map(|f| f.source.clone());
            findings.push(finding(
                "IMP-006",
                format!("{}: {key} was not imported: {why}", n.id),
                vec![n.id.to_string()],
                source,
            ));
        }
    }
}

/// The value most of `values` have (the first of them on a tie): the others are the odd ones.
fn majority<T>(values: &[T], same: impl Fn(&T, &T) -> bool) -> Option<&T> {
    values.iter().max_by_key(|v| {
        (values.iter().filter(|w| same(v, w)).count(), std::cmp::Reverse(values.iter().position(|w| same(v, w))))
    })
}

/// Two host names or addresses that name the same host (case and a trailing dot aside).
fn same_host(a: &str, b: &str) -> bool {
    crate::rules::context::address_key(a) == crate::rules::context::address_key(b)
}
