//! Exports: golden bundles of the shared fixtures byte for byte, the real consumers (xmllint,
//! nginx -t, haproxy -c, nft -c, iptables-restore --test, TOML, CSV, HCL parsers) accept every
//! bundle of many design variants and of hostile designs, apply-config.py against a copy of a
//! real pack, determinism, no secrets, no open 0.0.0.0/0 but the client entry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::export::{self, FirewallFormat};
use obkm_topology::model::{load, templates, Design};
use obkm_topology::rules::Date;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that runs the consumer scripts: the project's virtual environment, which the
/// Makefile passes as OBKM_PYTHON (scripts/install-tools.sh makes it), else `python3`.
fn python() -> Command {
    Command::new(std::env::var_os("OBKM_PYTHON").unwrap_or_else(|| "python3".into()))
}

fn today() -> Date {
    Date::parse("2026-11-26").unwrap()
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures").join(name)).unwrap()).unwrap()
}

fn design(v: &Value) -> Design {
    load(&v.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("obkm-exports-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_entries(d: &Design, dir: &Path) {
    for (path, body) in export::bundle_entries(d, today()) {
        let p = dir.join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
}

#[test]
fn golden_bundles_of_the_shared_fixtures() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for name in ["ha-reference", "broken-single-node"] {
        let d = design(&fixture(&format!("{name}.json")));
        let entries = export::bundle_entries(&d, today());
        let golden = root().join("tests/golden").join(name);
        if update {
            let _ = std::fs::remove_dir_all(&golden);
            for (path, body) in &entries {
                let p = golden.join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, body).unwrap();
            }
        }
        let mut on_disk = Vec::new();
        let mut stack = vec![golden.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir)
                .unwrap_or_else(|_| panic!("{} missing: run UPDATE_GOLDEN=1 cargo test", dir.display()))
            {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    on_disk.push(p.strip_prefix(&golden).unwrap().to_string_lossy().to_string());
                }
            }
        }
        on_disk.sort();
        let names: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
        assert_eq!(names, on_disk, "{name}: the bundle's file list changed");
        for (path, body) in &entries {
            let want = std::fs::read(golden.join(path)).unwrap();
            assert!(
                body == &want,
                "{name}/{path} differs from the golden file (UPDATE_GOLDEN=1 cargo test --test exports to accept)"
            );
        }
    }
}

#[test]
fn bundles_are_deterministic_zips() {
    let d = design(&fixture("ha-reference.json"));
    let a = export::bundle(&d, today()).unwrap();
    let b = export::bundle(&design(&fixture("ha-reference.json")), today()).unwrap();
    assert_eq!(a, b);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(a)).unwrap();
    let entries = export::bundle_entries(&d, today());
    assert_eq!(z.len(), entries.len());
    for (i, (path, body)) in entries.iter().enumerate() {
        let mut f = z.by_index(i).unwrap();
        assert_eq!(f.name().unwrap(), path.as_str());
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut got).unwrap();
        assert_eq!(&got, body, "{path}");
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1));
    }
    assert_eq!(export::bundle_name(&d), "reference-ha-pattern-bundle.zip");
}

#[test]
fn the_command_line_gives_the_same_bytes() {
    let path = root().join("tests/fixtures/ha-reference.json");
    let d = design(&fixture("ha-reference.json"));
    let out = tempdir("cli").join("x.zip");
    let bin = env!("CARGO_BIN_EXE_obkm-topology");
    let o = Command::new(bin)
        .args(["bundle", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--today", "2026-11-26"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), export::bundle(&d, today()).unwrap());
    let entries = export::bundle_entries(&d, today());
    let entry = |p: &str| entries.iter().find(|e| e.0 == p).unwrap().1.clone();
    for (format, node, file) in [
        ("csv", None, "firewall/flows.csv"),
        ("md", None, "firewall/flows.md"),
        ("terraform", None, "firewall/aws/security-groups.tf"),
        ("nft", Some("km-2"), "firewall/nftables/km-2.nft"),
        ("iptables", Some("lb-1"), "firewall/iptables/lb-1.rules"),
    ] {
        let mut args = vec!["firewall", path.to_str().unwrap(), "--format", format];
        if let Some(n) = node {
            args.extend(["--node", n]);
        }
        let o = Command::new(bin).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.stdout, entry(file), "{format}");
    }
    // csv with --node keeps the flows touching that node; nft without --node is an error.
    let o = Command::new(bin)
        .args(["firewall", path.to_str().unwrap(), "--format", "csv", "--node", "db-1"])
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.lines().skip(1).all(|l| l.contains("db-1")));
    let o = Command::new(bin).args(["firewall", path.to_str().unwrap(), "--format", "nft"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--node"));
    let o = Command::new(bin)
        .args(["firewall", path.to_str().unwrap(), "--format", "nft", "--node", "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(bin).args(["bundle", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    // A design with errors still gets its bundle, exit 0.
    let broken = root().join("tests/fixtures/broken-single-node.json");
    let o =
        Command::new(bin).args(["bundle", broken.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
}

fn set(d: &mut Value, id: &str, key: &str, v: Value) {
    let n = d["nodes"].as_array_mut().unwrap().iter_mut().find(|n| n["id"] == id).unwrap();
    n["props"][key] = v;
}

fn hostile() -> Value {
    let evil = "</clustering><x a=\"1\">'; drop table users; -- $(rm -rf /) `id` \n\r\t}{ % ${x} @@X@@ \u{0}";
    let mut d = fixture("ha-reference.json");
    d["name"] = json!(evil);
    d["cluster"]["domain"] = json!(evil);
    for n in d["nodes"].as_array_mut().unwrap() {
        n["label"] = json!(evil);
        n["zone"] = json!(format!("=cmd|'/c calc'!A0 {evil}"));
    }
    set(&mut d, "km-2", "hostname", json!("km2\"; drop"));
    set(&mut d, "km-2", "ip", json!("10.0.1.300"));
    set(&mut d, "km-3", "keystore", json!(evil));
    set(&mut d, "km-3", "jdk", json!(evil));
    set(&mut d, "km-3", "os", json!(evil));
    set(&mut d, "lb-1", "hostname", json!("km.bank.example; return 200 'x'"));
    set(&mut d, "db-1", "host", json!("db$(id).internal"));
    set(&mut d, "db-1", "version", json!(evil));
    set(&mut d, "ldap-1", "host", json!("ldap/'\".internal"));
    set(&mut d, "nfs-1", "host", json!("nfs;reboot"));
    set(&mut d, "nfs-1", "export_path", json!(format!("/exports/'$(reboot)'\n{evil}")));
    set(&mut d, "clients", "cidr", json!("0.0.0.0/0; drop"));
    set(&mut d, "clients", "description", json!(evil));
    set(&mut d, "am-1", "hostname", json!("am\n.internal"));
    set(&mut d, "bi-1", "ip", json!("::ffff:10.0.2.300"));
    d
}

/// Designs that together touch every export path.
fn variants() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    for name in ["ha-reference.json", "broken-single-node.json"] {
        out.push((name.into(), fixture(name)));
    }
    for t in templates::NAMES {
        out.push((format!("template-{t}"), serde_json::from_str(templates::text(t).unwrap()).unwrap()));
    }
    let base = fixture("ha-reference.json");
    let mut v = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut d = base.clone();
        f(&mut d);
        out.push((name.to_string(), d));
    };
    v("ob-km-1.3", &|d| d["product"] = json!("ob-km-1.3"));
    v("ob-km-1.4", &|d| d["product"] = json!("ob-km-1.4"));
    v("ob-iam-2.0", &|d| d["product"] = json!("ob-iam-2.0"));
    v("ob-iam-2.0-no-dir", &|d| {
        d["product"] = json!("ob-iam-2.0");
        d["links"].as_array_mut().unwrap().retain(|l| l["to"] != "ldap-1");
    });
    v("nginx-plus-http", &|d| {
        set(d, "lb-1", "product", json!("nginx-plus"));
        set(d, "lb-1", "expose_http", json!(true));
    });
    v("nginx-http", &|d| set(d, "lb-1", "expose_http", json!(true)));
    v("haproxy", &|d| {
        set(d, "lb-1", "product", json!("haproxy"));
        set(d, "lb-1", "expose_http", json!(true));
    });
    v("k8s-ingress", &|d| set(d, "lb-1", "product", json!("k8s-ingress")));
    v("lb-other", &|d| set(d, "lb-1", "product", json!("other")));
    v("oracle-no-directory", &|d| {
        set(d, "db-1", "engine", json!("oracle"));
        set(d, "db-1", "version", json!("19c"));
        d["links"].as_array_mut().unwrap().retain(|l| l["to"] != "ldap-1");
    });
    v("mssql-ad-readonly", &|d| {
        set(d, "db-1", "engine", json!("mssql"));
        set(d, "ldap-1", "product", json!("active-directory"));
        set(d, "ldap-1", "read_only", json!(true));
    });
    v("postgresql-nfs3", &|d| {
        set(d, "db-1", "engine", json!("postgresql"));
        set(d, "nfs-1", "nfs_version", json!("3"));
    });
    v("db2-smb", &|d| {
        set(d, "db-1", "engine", json!("db2"));
        set(d, "nfs-1", "type", json!("smb"));
    });
    v("efs-multicast", &|d| {
        set(d, "nfs-1", "type", json!("efs"));
        d["cluster"]["membership_scheme"] = json!("multicast");
    });
    v("ipv6-and-names", &|d| {
        set(d, "km-1", "ip", json!("fd00::11"));
        set(d, "lb-1", "ip", json!("fd00::5"));
        set(d, "km-2", "ip", json!(""));
        set(d, "km-3", "port_offset", json!(0));
        set(d, "km-3", "member_port", json!(4100));
    });
    v("no-addresses", &|d| {
        for n in d["nodes"].as_array_mut().unwrap() {
            let p = n["props"].as_object_mut().unwrap();
            p.shift_remove("ip");
            p.shift_remove("hostname");
            p.shift_remove("host");
        }
    });
    out.push(("hostile".into(), hostile()));
    out
}

#[test]
fn real_consumers_accept_every_bundle() {
    let mut failures = Vec::new();
    for (name, v) in variants() {
        let dir = tempdir(&format!("consumers-{name}"));
        write_entries(&design(&v), &dir);
        let o = python().arg(root().join("tests/consumers/check_bundle.py")).arg(&dir).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        if !o.status.success() {
            failures.push(format!("{name}:\n{out}{}", String::from_utf8_lossy(&o.stderr)));
        } else {
            eprintln!("{name}: {}", out.trim());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn apply_config_patches_a_copy_of_the_real_pack() {
    let pack = root().join("../shared/wso2-pack/ob-km-1.5");
    assert!(pack.join("repository/conf/carbon.xml").is_file(), "the real pack is missing at {}", pack.display());
    let all = variants();
    for (name, node) in [
        ("ha-reference.json", "km-1"),
        ("ha-reference.json", "km-3"),
        ("oracle-no-directory", "km-2"),
        ("mssql-ad-readonly", "km-1"),
        ("ob-km-1.4", "km-1"),
        ("ipv6-and-names", "km-1"),
        ("hostile", "km-1"),
    ] {
        let v = &all.iter().find(|(n, _)| n == name).unwrap().1;
        let dir = tempdir(&format!("apply-{name}-{node}"));
        write_entries(&design(v), &dir);
        let o = python()
            .arg(root().join("tests/consumers/apply_config_test.py"))
            .args([dir.as_os_str(), pack.as_os_str(), node.as_ref()])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name} {node}:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn hostile_values_stay_data_and_bad_addresses_become_placeholders() {
    let d = design(&hostile());
    let entries = export::bundle_entries(&d, today());
    let text = |p: &str| {
        String::from_utf8(entries.iter().find(|e| e.0 == p).unwrap_or_else(|| panic!("{p}")).1.clone()).unwrap()
    };
    let live =
        |t: &str| -> String { t.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n") };
    let nginx = live(&text("load-balancer/lb-1/nginx/conf.d/obkm.conf"));
    assert!(!nginx.contains("return 200") && nginx.contains("server_name _;"), "{nginx}");
    assert!(!nginx.contains("10.0.1.300"), "a malformed KM address reached nginx");
    let clustering = text("key-manager/km-1/fragments/axis2.xml/clustering.xml");
    assert!(clustering.contains("&lt;/clustering&gt;"), "the domain is not escaped as data");
    assert!(clustering.contains("<!-- member km-2 left out: <INVALID-ADDRESS-OF-km-2> -->"), "{clustering}");
    let readme = text("README.md");
    assert!(readme.contains("<INVALID-ADDRESS-OF-km-2>") && readme.contains("TOPO-003"));
    let mounts = text("key-manager/km-1/storage/mounts.sh");
    assert!(mounts.contains("exit 1") && !mounts.contains("nfs;reboot\n"), "{mounts}");
    for f in ["km-1.nft", "km-3.nft"] {
        let nft = live(&text(&format!("firewall/nftables/{f}")));
        assert!(!nft.contains("10.0.1.300") && !nft.contains("drop table"), "{nft}");
    }
    let csv = text("firewall/flows.csv");
    assert!(csv.contains("\"'=cmd|'/c calc'!A0"), "formula injection not neutralised");
    let ds = text("key-manager/km-1/fragments/master-datasources.xml/datasources.xml");
    assert!(ds.contains("@@OBKM_DB_HOST@@") && !ds.contains("$(id)"), "{ds}");
}

#[test]
fn no_secrets_and_no_open_world_but_the_client_entry() {
    for (name, v) in variants() {
        let d = design(&v);
        for (path, body) in export::bundle_entries(&d, today()) {
            let t = String::from_utf8_lossy(&body);
            for line in t.lines() {
                let l = line.trim();
                if l.starts_with("<password>") || l.contains("name=\"ConnectionPassword\"") {
                    assert!(l.contains("@@OBKM_"), "{name}/{path}: a password that is not a placeholder: {l}");
                }
                if path.ends_with(".toml") && l.starts_with("password") {
                    assert!(l.contains("$env{"), "{name}/{path}: {l}");
                }
                let listing = [".csv", ".md", ".json", ".sarif", ".tf"].iter().any(|x| path.ends_with(x));
                if l.contains("0.0.0.0/0") && !l.starts_with('#') && !listing {
                    panic!("{name}/{path}: an open 0.0.0.0/0 rule: {l}");
                }
            }
            if path.ends_with(".tf") {
                // The client entry to the load balancer is the one cidr 0.0.0.0/0 in Terraform.
                for block in t.split("\nresource ").filter(|b| b.contains("0.0.0.0/0")) {
                    assert!(block.contains("\"clients->lb-1:tcp/") || block.contains("\"any->"), "{name}: {block}");
                }
            }
        }
        for f in [FirewallFormat::Nft, FirewallFormat::Iptables] {
            let lb = export::firewall(&d, f, Some("lb-1"));
            if let Ok(lb) = lb {
                assert!(
                    lb.contains("dport 443")
                        || lb.contains("--dport 443")
                        || name == "broken-single-node.json"
                        || name.starts_with("template"),
                    "{name}: {lb}"
                );
            }
        }
    }
}

#[test]
fn the_diagram_svg_parses_with_hostile_labels() {
    for (name, v) in variants() {
        let d = design(&v);
        let report = obkm_topology::rules::check(&d, today());
        let svg = obkm_topology::export::diagram::svg(&d, &report);
        let p = tempdir(&format!("svg-{name}")).join("d.svg");
        std::fs::write(&p, &svg).unwrap();
        let o = Command::new("xmllint").arg("--noout").arg(&p).output().unwrap();
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(svg, obkm_topology::export::diagram::svg(&d, &report), "{name}: not deterministic");
    }
}
