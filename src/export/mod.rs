//! Everything generated from a design: the config bundle (a deterministic zip) and the
//! port/firewall matrix in every format. Pure functions of the design and today's date, so
//! the browser and the command line give the same bytes.

pub mod diagram;
pub mod escape;
pub mod firewall;
pub mod flows;
pub mod km;
pub mod lb;

use std::io::Write;

use crate::model::design::slug;
use crate::model::{save, Design, NodeKind, Product};
use crate::rules::{check, output, Date, Report, Severity};
use flows::{placeholder, Addr, Flow};
use km::Entry;

/// The apply script shipped in every IS 5.7 bundle.
pub const APPLY_CONFIG_PY: &str = include_str!("apply-config.py");

/// The bundle's file name: `<slug>-bundle.zip`.
pub fn bundle_name(d: &Design) -> String {
    format!("{}-bundle.zip", slug(&d.name))
}

/// The firewall formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirewallFormat {
    /// flows.csv
    Csv,
    /// flows.md
    Markdown,
    /// nftables ruleset of one host
    Nft,
    /// iptables-restore file of one host
    Iptables,
    /// AWS security groups
    Terraform,
}

impl FirewallFormat {
    /// Parses a format name as the command line takes it.
    pub fn parse(s: &str) -> Option<FirewallFormat> {
        Some(match s {
            "csv" => FirewallFormat::Csv,
            "md" => FirewallFormat::Markdown,
            "nft" => FirewallFormat::Nft,
            "iptables" => FirewallFormat::Iptables,
            "terraform" => FirewallFormat::Terraform,
            _ => return None,
        })
    }

    /// True for the per-host formats that need a node.
    pub fn per_host(self) -> bool {
        matches!(self, FirewallFormat::Nft | FirewallFormat::Iptables)
    }
}

/// Renders the firewall matrix in one format. Per-host formats need `node`; the others cover
/// the whole design, or with `node` the flows touching it. The error says what is wrong.
pub fn firewall(d: &Design, format: FirewallFormat, node: Option<&str>) -> Result<String, String> {
    let all = flows::flows(d);
    if let Some(n) = node {
        if !d.nodes.iter().any(|x| x.id.as_str() == n) {
            return Err(format!("the design has no node {n:?}"));
        }
    }
    Ok(match (format, node) {
        (FirewallFormat::Nft, Some(n)) => firewall::nftables(d, &all, n),
        (FirewallFormat::Iptables, Some(n)) => firewall::iptables(d, &all, n),
        (FirewallFormat::Nft | FirewallFormat::Iptables, None) => {
            return Err("nft and iptables rulesets are per host: give --node <id>".into())
        }
        (f, n) => {
            let flows: Vec<Flow> = match n {
                Some(n) => firewall::touching(&all, n),
                None => all,
            };
            match f {
                FirewallFormat::Csv => firewall::csv(&flows),
                FirewallFormat::Markdown => firewall::markdown(d, &flows),
                _ => firewall::terraform(d, &flows),
            }
        }
    })
}

/// Every file of the bundle, sorted by path.
pub fn bundle_entries(d: &Design, today: Date) -> Vec<Entry> {
    let report = check(d, today);
    let all = flows::flows(d);
    let mut files: Vec<Entry> = vec![
        ("design.json".into(), save(d).into_bytes()),
        ("report/findings.json".into(), output::to_json(&report).into_bytes()),
        ("report/findings.sarif".into(), output::to_sarif(&report, "design.json").into_bytes()),
        ("firewall/flows.csv".into(), firewall::csv(&all).into_bytes()),
        ("firewall/flows.md".into(), firewall::markdown(d, &all).into_bytes()),
        ("firewall/aws/security-groups.tf".into(), firewall::terraform(d, &all).into_bytes()),
    ];
    for n in firewall::receiving_nodes(d, &all) {
        files.push((format!("firewall/nftables/{n}.nft"), firewall::nftables(d, &all, &n).into_bytes()));
        files.push((format!("firewall/iptables/{n}.rules"), firewall::iptables(d, &all, &n).into_bytes()));
    }
    let xml_product = d.product != Product::ObIam20;
    for n in d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager) {
        if xml_product {
            files.extend(km::xml_files(d, n));
        } else {
            files.push((
                format!("key-manager/{}/repository/conf/deployment.toml", n.id),
                km::deployment_toml(d, n).into_bytes(),
            ));
        }
        files.extend(km::host_files(d, n));
    }
    if xml_product && d.nodes.iter().any(|n| n.kind == NodeKind::KeyManager) {
        files.push(("apply/apply-config.py".into(), APPLY_CONFIG_PY.as_bytes().to_vec()));
    }
    for n in d.nodes.iter().filter(|n| n.kind == NodeKind::LoadBalancer) {
        files.extend(lb::files(d, n));
    }
    files.push(("README.md".into(), readme(d, &report, &files).into_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn readme(d: &Design, report: &Report, files: &[Entry]) -> String {
    use escape::markdown_cell as md;
    let mut out = format!("# Configuration bundle: {}\n\n", md(&d.name));
    let errors: Vec<_> = report.findings.iter().filter(|f| f.severity == Severity::Error && !f.waived).collect();
    if !errors.is_empty() {
        out.push_str(&format!(
            "> **Warning: this design has {} unwaived error(s).** It is not the documented HA pattern yet; the files\n> below follow the design as it is. Fix these first (the designer offers fixes for many):\n>\n",
            errors.len()
        ));
        for f in &errors {
            out.push_str(&format!("> - **{}** {}\n", f.rule, md(&f.message)));
        }
        out.push('\n');
    }
    let s = &report.summary;
    out.push_str(&format!(
        "Product: `{}`. Generated by obkm-topology {} from `design.json`. Findings: {} error(s), {} warning(s), {} info, {} waived (see `report/findings.json`, `report/findings.sarif`).\n\n",
        d.product.as_str(),
        env!("CARGO_PKG_VERSION"),
        s.error,
        s.warning,
        s.info,
        s.waived
    ));
    out.push_str("## What to apply where\n\n");
    for n in d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager) {
        out.push_str(&format!("### Key Manager node {} ({})\n\n", md(&n.label), n.id));
        if d.product == Product::ObIam20 {
            out.push_str(&format!("1. Copy `key-manager/{0}/repository/conf/deployment.toml` to `<IAM_HOME>/repository/conf/deployment.toml` (keep a copy of the shipped one).\n", n.id));
        } else {
            out.push_str(&format!(
                "1. Unpack this bundle on the node and run `python3 apply/apply-config.py --node {0} --home <WSO2_OB_KM_HOME>` (add `--dry-run` first to see what changes). It patches carbon.xml, axis2.xml, catalina-server.xml, master-datasources.xml, open-banking-datasources.xml, registry.xml and user-mgt.xml in place, keeps `<file>.obkm-backup`, and fills the placeholders below from the environment. The fragments it applies are in `key-manager/{0}/fragments/`, listed in `patches.json`.\n",
                n.id
            ));
        }
        out.push_str(&format!(
            "2. Set `JVM_MEM_OPTS` in `bin/wso2server.sh` to the line in `key-manager/{0}/bin/jvm-options.txt`.\n3. Append `key-manager/{0}/etc/hosts` to `/etc/hosts`.\n4. Run `key-manager/{0}/storage/mounts.sh` as root with `WSO2_OB_KM_HOME` set, to mount the shared storage and link the artifact directories.\n\n",
            n.id
        ));
    }
    for n in d.nodes.iter().filter(|n| n.kind == NodeKind::LoadBalancer) {
        let paths: Vec<&str> =
            files.iter().map(|f| f.0.as_str()).filter(|p| p.starts_with(&format!("load-balancer/{}/", n.id))).collect();
        out.push_str(&format!("### Load balancer {} ({})\n\n", md(&n.label), n.id));
        for p in paths {
            out.push_str(&format!("- `{p}`"));
            out.push_str(match p.rsplit('/').next().unwrap_or("") {
                "obkm.conf" => ": include it in nginx's http block; put the certificate and key at `ssl/obkm-<id>.crt|key` under nginx's prefix; check with `nginx -t`.\n",
                "haproxy.cfg" => ": put the certificate and key in `/etc/haproxy/certs/obkm.pem`; check with `haproxy -c -f haproxy.cfg`.\n",
                "ingress.yaml" => ": `kubectl apply -f`; create the `obkm-km-tls` secret and the `obkm-key-manager` Service first.\n",
                _ => ": what the load balancer must do.\n",
            });
        }
        out.push('\n');
    }
    out.push_str("### Network team\n\n`firewall/flows.csv` (and `flows.md`) lists every flow with its justification; `firewall/nftables/<node>.nft` and `firewall/iptables/<node>.rules` are the inbound rules of each host; `firewall/aws/security-groups.tf` the AWS security groups.\n\n");
    out.push_str("## Placeholders to fill\n\nNo secret is in this bundle. Set these environment variables before running `apply-config.py` (which fills the `@@NAME@@` placeholders of the XML fragments) or, for `deployment.toml`, before starting the server (it resolves `$env{NAME}`):\n\n");
    let mut vars: Vec<String> = Vec::new();
    for (_, body) in files {
        let text = String::from_utf8_lossy(body);
        for part in text.split("@@").skip(1).step_by(2) {
            if part.starts_with("OBKM_")
                && part.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
            {
                vars.push(part.to_string());
            }
        }
        for part in text.split("$env{").skip(1) {
            if let Some(name) = part.split('}').next() {
                vars.push(name.to_string());
            }
        }
    }
    vars.sort();
    vars.dedup();
    for v in &vars {
        let what = match v.as_str() {
            "OBKM_DB_USERNAME" | "OBKM_DB_PASSWORD" => "database credentials of the Key Manager datasources",
            "OBKM_DB_HOST" => "the database host (the design has none, or a malformed one)",
            "OBKM_ORACLE_SERVICE" => "the Oracle service name in the JDBC URLs",
            "OBKM_LDAP_BIND_DN" | "OBKM_LDAP_BIND_PASSWORD" => "the directory bind account",
            "OBKM_LDAP_USER_SEARCH_BASE" | "OBKM_LDAP_GROUP_SEARCH_BASE" | "OBKM_LDAP_BASE_DN" => {
                "the directory's search bases"
            }
            "OBKM_LDAP_HOST" => "the directory host (the design's is missing or malformed)",
            "OBKM_PUBLIC_HOSTNAME" => "the public host name (no load balancer host name in the design)",
            "OBKM_KEYSTORE_PASSWORD" => "the primary keystore password",
            "OBKM_ADMIN_USERNAME" | "OBKM_ADMIN_PASSWORD" => "the super admin account",
            _ => "see the file that uses it",
        };
        out.push_str(&format!("- `{v}`: {what}\n"));
    }
    if vars.is_empty() {
        out.push_str("- none\n");
    }
    let mut notes = Vec::new();
    for n in &d.nodes {
        let a = Addr::of(n, d.product);
        if matches!(a, Addr::Invalid(_)) {
            notes.push(format!(
                "- {} ({}) has a malformed address (TOPO-003): it is written as `{}` in comments and left out of the configuration and firewall rules.",
                md(&n.label),
                n.id,
                placeholder(n, &a)
            ));
        }
    }
    for n in d.nodes.iter().filter(|n| n.kind == NodeKind::Database) {
        if n.str("engine", d.product) == "mysql" && n.str("version", d.product).trim().starts_with('8') {
            notes.push(format!(
                "- {} runs MySQL 8: create the databases with the latin1 character set (DB-006).",
                md(&n.label)
            ));
        }
    }
    if d.nodes.iter().any(|n| n.kind == NodeKind::LoadBalancer && n.num("instances", d.product) > 1.0) {
        notes.push("- The load balancers run several instances: each instance's own address must also be allowed to reach the Key Manager nodes (the firewall rules use the load balancer's `ip`).".into());
    }
    if !notes.is_empty() {
        out.push_str("\n## Notes\n\n");
        out.push_str(&notes.join("\n"));
        out.push('\n');
    }
    out.push_str("\n## Files\n\n");
    for (p, _) in files {
        out.push_str(&format!("- `{p}`\n"));
    }
    out.push_str("- `README.md`\n");
    out
}

/// Packs entries into a zip with fixed timestamps and permissions: the same entries give the
/// same bytes.
pub fn zip(entries: &[Entry]) -> Result<Vec<u8>, String> {
    use zip::write::SimpleFileOptions;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (path, body) in entries {
            let mode = if path.ends_with(".sh") || path.ends_with(".py") { 0o755 } else { 0o644 };
            let opts = SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .last_modified_time(zip::DateTime::default())
                .unix_permissions(mode);
            w.start_file(path.as_str(), opts).map_err(|e| format!("zip: {e}"))?;
            w.write_all(body).map_err(|e| format!("zip: {e}"))?;
        }
        w.finish().map_err(|e| format!("zip: {e}"))?;
    }
    Ok(buf.into_inner())
}

/// The whole bundle as zip bytes.
pub fn bundle(d: &Design, today: Date) -> Result<Vec<u8>, String> {
    zip(&bundle_entries(d, today))
}
