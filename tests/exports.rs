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
        let mut args = vec!["firewall", path.to_str().unwrap(), "--format", format, "--today", "2026-11-26"];
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
    d["notes"] = json!(evil);
    d["owner"] = json!(evil);
    d["cluster"]["domain"] = json!(evil);
    for n in d["nodes"].as_array_mut().unwrap() {
        n["label"] = json!(evil);
        n["notes"] = json!(format!("# heading\n{evil}"));
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
    v("lb-source-addresses", &|d| {
        set(d, "lb-1", "instances", json!(3));
        set(d, "lb-1", "source_addresses", json!(["10.0.0.6", "10.0.0.7", "10.0.8.0/28", "fd00::6"]));
    });
    v("data-node-ips", &|d| {
        set(d, "db-1", "ip", json!("10.0.2.10"));
        set(d, "ldap-1", "ip", json!("10.0.2.11"));
        set(d, "nfs-1", "ip", json!("10.0.2.12"));
        d["owner"] = json!("Payments platform");
    });
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
    v("mysql8-aws", &|d| {
        set(d, "db-1", "version", json!("8.0.28"));
        d["cluster"]["membership_scheme"] = json!("aws");
    });
    v("kubernetes-sticky-off", &|d| {
        d["cluster"]["membership_scheme"] = json!("kubernetes");
        set(d, "lb-1", "sticky_sessions", json!(false));
    });
    v("ob-iam-2.0-kubernetes-ad", &|d| {
        d["product"] = json!("ob-iam-2.0");
        d["cluster"]["membership_scheme"] = json!("kubernetes");
        set(d, "ldap-1", "product", json!("active-directory"));
    });
    v("ob-iam-2.0-mysql8-readonly", &|d| {
        d["product"] = json!("ob-iam-2.0");
        set(d, "db-1", "version", json!("8.0.28"));
        set(d, "ldap-1", "read_only", json!(true));
        set(d, "lb-1", "expose_http", json!(true));
    });
    v("no-analytics-am-direct", &|d| {
        d["nodes"].as_array_mut().unwrap().retain(|n| n["id"] != "bi-1");
        d["links"].as_array_mut().unwrap().retain(|l| l["to"] != "bi-1" && l["from"] != "am-1");
        d["links"].as_array_mut().unwrap().push(json!({"from": "am-1", "to": "km-1"}));
    });
    v("no-api-manager", &|d| {
        d["nodes"].as_array_mut().unwrap().retain(|n| n["id"] != "am-1");
        d["links"].as_array_mut().unwrap().retain(|l| l["from"] != "am-1");
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
            if path.ends_with("patches.json") {
                // Every patch that sets a password sets a placeholder or an environment reference.
                let patches: Value = serde_json::from_str(&t).unwrap();
                for p in patches.as_array().unwrap() {
                    let target = format!("{}{}", p["element"].as_str().unwrap_or(""), p["key"].as_str().unwrap_or(""));
                    let last = target.rsplit(['/', '.']).next().unwrap_or("").to_ascii_lowercase();
                    if last.ends_with("password") {
                        let value = p["text"].as_str().or(p["value"].as_str()).unwrap_or("");
                        assert!(value.contains("@@OBKM_") || value.contains("$env{"), "{name}/{path}: {p}");
                    }
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
            let lb = export::firewall(&d, f, Some("lb-1"), today());
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
        let svg = obkm_topology::export::diagram::svg(&d, &report, today());
        let p = tempdir(&format!("svg-{name}")).join("d.svg");
        std::fs::write(&p, &svg).unwrap();
        let o = Command::new("xmllint").arg("--noout").arg(&p).output().unwrap();
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(svg, obkm_topology::export::diagram::svg(&d, &report, today()), "{name}: not deterministic");
        // What a reader needs is there, as text: every node's full label, every zone's name,
        // every port label, the title block; and the file opens again as the same design.
        let esc = obkm_topology::export::escape::xml;
        for n in &d.nodes {
            assert!(svg.contains(&format!("<title>{} (", esc(&n.label))), "{name}: label of {}", n.id);
        }
        for z in obkm_topology::model::zones::frames(&d, &|_| false) {
            assert!(svg.contains(&format!(">{}</text>", esc(&z.name))), "{name}: zone {}", z.name);
        }
        for label in obkm_topology::export::flows::link_labels(&d).iter().filter(|l| !l.is_empty()) {
            assert!(svg.contains(&esc(label)), "{name}: port label {label}");
        }
        assert!(
            svg.contains("class=\"title-block\"") && svg.contains(&esc(&d.name)) && svg.contains("2026-"),
            "{name}: title block"
        );
        assert!(svg.contains("class=\"legend\""));
        assert_eq!(obkm_topology::model::load_any(&svg).unwrap(), d, "{name}: the SVG opens as the design");
    }
}

#[test]
fn only_diagrams_of_this_tool_open_as_designs() {
    use obkm_topology::model::load_any;
    for (text, says) in [
        ("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "without a design"),
        ("<svg><metadata id=\"obkm-topology-design\">{&quot;format&quot;", "cut off"),
        ("<svg><metadata id=\"obkm-topology-design\">&bogus;</metadata></svg>", "malformed XML character reference"),
        ("<svg><metadata id=\"obkm-topology-design\">{&quot;format&quot;:&quot;x&quot;}</metadata></svg>", "format"),
    ] {
        let e = load_any(text).unwrap_err().to_string();
        assert!(e.contains(says), "{text}: {e}");
    }
}

/// The `<Property name="K">V</Property>` pairs and the class of a user store fragment.
fn user_store(fragment: &str) -> (String, std::collections::BTreeMap<String, String>) {
    let class = fragment.split("class=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string();
    let mut props = std::collections::BTreeMap::new();
    for part in fragment.split("<Property name=\"").skip(1) {
        let (name, rest) = part.split_once("\">").unwrap();
        let value = rest.split("</Property>").next().unwrap();
        props.insert(name.to_string(), value.to_string());
    }
    (class, props)
}

/// What `userstore-required.json` says is missing from a user store of a class.
fn missing_required(required: &Value, class: &str, props: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    let Some(spec) = required["classes"].get(class) else { return vec![format!("{class} is not in the JSON")] };
    let set = |k: &str| props.get(k).is_some_and(|v| !v.trim().is_empty());
    let holds = |cond: &str| {
        let (k, v) = cond.split_once('=').unwrap();
        props.get(k).is_some_and(|x| x == v)
    };
    let mut need: Vec<String> =
        spec["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    for (cond, list) in spec["not_required_when"].as_object().into_iter().flatten() {
        if holds(cond) {
            need.retain(|n| !list.as_array().unwrap().iter().any(|x| x == n));
        }
    }
    for (cond, list) in spec["required_when"].as_object().into_iter().flatten() {
        if holds(cond) {
            need.extend(list.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
        }
    }
    for (key, list) in spec["required_when_set"].as_object().into_iter().flatten() {
        if set(key) {
            need.extend(list.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
        }
    }
    let alternatives = |n: &str| -> Vec<String> {
        spec["alternatives"]
            .get(n)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    need.sort();
    need.dedup();
    need.into_iter().filter(|n| !set(n) && !alternatives(n).iter().any(|a| set(a))).collect()
}

#[test]
fn user_stores_carry_every_property_carbon_kernel_requires() {
    let required: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("../shared/wso2-pack/ob-km-1.5/userstore-required.json")).unwrap(),
    )
    .unwrap();
    let mut classes_seen = std::collections::BTreeSet::new();
    for product in ["openldap", "active-directory", "apacheds", "other"] {
        for read_only in [false, true] {
            for tls in [false, true] {
                let mut v = fixture("ha-reference.json");
                set(&mut v, "ldap-1", "product", json!(product));
                set(&mut v, "ldap-1", "read_only", json!(read_only));
                set(&mut v, "ldap-1", "tls", json!(tls));
                let case = format!("{product} read_only={read_only} tls={tls}");
                // OB KM 1.x: the user-mgt.xml fragment.
                let entries = export::bundle_entries(&design(&v), today());
                let get = |p: &str| String::from_utf8(entries.iter().find(|e| e.0 == p).unwrap().1.clone()).unwrap();
                let (class, props) = user_store(&get("key-manager/km-1/fragments/user-mgt.xml/UserStoreManager.xml"));
                classes_seen.insert(class.clone());
                let missing = missing_required(&required, &class, &props);
                assert!(missing.is_empty(), "{case}: {class} lacks {missing:?}");
                assert!(props["ConnectionURL"].starts_with(if tls { "ldaps://" } else { "ldap://" }), "{case}");
                let patches: Value = serde_json::from_str(&get("key-manager/km-1/patches.json")).unwrap();
                let add_admin = patches
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["element"] == "/UserManager/Realm/Configuration/AddAdmin")
                    .unwrap();
                let ro_class = class.ends_with("ReadOnlyLDAPUserStoreManager");
                assert_eq!(add_admin["text"], if ro_class { "false" } else { "true" }, "{case}");
                if product == "openldap" {
                    assert_eq!(props["UserEntryObjectClass"], "inetOrgPerson");
                    assert_eq!(props["GroupEntryObjectClass"], "groupOfNames");
                    assert_eq!(props["GroupNameSearchFilter"], "(&amp;(objectClass=groupOfNames)(cn=?))");
                }
                if product == "active-directory" {
                    assert_eq!(
                        (props["UserEntryObjectClass"].as_str(), props["GroupEntryObjectClass"].as_str()),
                        ("user", "group")
                    );
                }
                // OB IAM 2.0: the same properties, as [user_store] keys and [user_store.properties].
                v["product"] = json!("ob-iam-2.0");
                let entries = export::bundle_entries(&design(&v), today());
                let patches: Value = serde_json::from_str(
                    &String::from_utf8(
                        entries.iter().find(|e| e.0 == "key-manager/km-1/patches.json").unwrap().1.clone(),
                    )
                    .unwrap(),
                )
                .unwrap();
                let mut props = std::collections::BTreeMap::new();
                let mut class = String::new();
                for p in patches.as_array().unwrap() {
                    let value: toml::Value = toml::from_str(&format!("v = {}", p["value"].as_str().unwrap())).unwrap();
                    let text = match &value["v"] {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    match (p["toml_table"].as_str().unwrap(), p["key"].as_str().unwrap()) {
                        ("user_store", "class") => class = text,
                        ("user_store", "connection_url") => drop(props.insert("ConnectionURL".into(), text)),
                        ("user_store", "connection_name") => drop(props.insert("ConnectionName".into(), text)),
                        ("user_store", "connection_password") => drop(props.insert("ConnectionPassword".into(), text)),
                        ("user_store.properties", k) => drop(props.insert(k.to_string(), text)),
                        _ => {}
                    }
                }
                // IS 5.10's unique-id managers extend the 4.4 ones and keep their checks.
                let legacy = class.replace(".UniqueID", ".");
                let missing = missing_required(&required, &legacy, &props);
                assert!(missing.is_empty(), "2.0 {case}: {class} lacks {missing:?}");
                assert_eq!(
                    patches.as_array().unwrap().iter().any(|p| p["toml_table"] == "super_admin"
                        && p["key"] == "create_admin_account"
                        && p["value"] == "false"),
                    ro_class,
                    "2.0 {case}: create_admin_account"
                );
            }
        }
    }
    // Every LDAP class the JSON lists is generated by some design.
    for class in required["classes"].as_object().unwrap().keys().filter(|c| c.contains(".ldap.")) {
        assert!(classes_seen.contains(class), "no design generates {class}");
    }
}

/// The text of an element named by the last step of a selector, as it stands in a file:
/// `<Name>text</Name>` or `<Name attr="v">text</Name>`.
fn element_with_text(selector: &str, text: &str) -> String {
    let last = selector.rsplit('/').next().unwrap();
    let (name, attr) = match last.split_once("[@") {
        Some((n, a)) => {
            let (k, v) = a.trim_end_matches(']').split_once('=').unwrap();
            (n, format!(" {k}=\"{}\"", v.trim_matches('\'')))
        }
        None => (last, String::new()),
    };
    format!("<{name}{attr}>{text}</{name}>")
}

#[test]
fn the_host_table_is_what_the_shipped_files_say() {
    use obkm_topology::export::hosts::{AM_XML, IAM_TOML, KM_XML};
    let pack = root().join("../shared/wso2-pack");
    for (file, selector, shipped) in KM_XML {
        let text = std::fs::read_to_string(pack.join("ob-km-1.5").join(file)).unwrap();
        let want = element_with_text(selector, shipped);
        assert!(text.contains(&want), "{file}: no {want}");
    }
    for (file, selector, shipped) in AM_XML {
        let text = std::fs::read_to_string(pack.join("ob-am-1.5").join(file)).unwrap();
        assert!(text.contains(&element_with_text(selector, shipped)), "{file}: {selector}");
    }
    let toml_text = std::fs::read_to_string(pack.join("ob-iam-2.0/repository/conf/deployment.toml")).unwrap();
    let shipped: toml::Value = toml::from_str(&toml_text).unwrap();
    for (table, matched, key, values) in IAM_TOML {
        let mut t = &shipped;
        for part in table.split('.') {
            t = &t[part];
        }
        if let Some((mk, mv)) = matched {
            t = t
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x[*mk].as_str() == Some(mv))
                .unwrap_or_else(|| panic!("[[{table}]] {mk}={mv}"));
        }
        let mut v = t;
        for part in key.split('.') {
            v = v.get(part).unwrap_or_else(|| panic!("{table}.{key} is not in the shipped file"));
        }
        let got: Vec<&str> = match v {
            toml::Value::Array(a) => a.iter().map(|x| x.as_str().unwrap()).collect(),
            other => vec![other.as_str().unwrap()],
        };
        assert_eq!(&got, values, "{table}.{key}");
    }
    // Every `localhost` of the shipped TOML outside comments is in the table (or decided directly).
    let listed: Vec<&str> = IAM_TOML.iter().flat_map(|(_, _, _, v)| v.iter().copied()).collect();
    for line in toml_text.lines().filter(|l| l.contains("localhost") && !l.trim_start().starts_with('#')) {
        assert!(
            line.starts_with("hostname") || listed.iter().any(|v| line.contains(v)),
            "not in the host table: {line}"
        );
    }
}

#[test]
fn the_apply_script_runs_on_python_3_6_and_passes_its_unit_tests() {
    let script = root().join("src/export/apply-config.py");
    // vermin (in the project's venv) has no __main__: call its entry point.
    let o = python()
        .args(["-c", "import sys, vermin; sys.exit(vermin.main())", "-t=3.6-", "--violations", "--no-tips"])
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "vermin: apply-config.py needs more than Python 3.6:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = python().arg(root().join("tests/consumers/apply_config_unit.py")).current_dir(root()).output().unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

#[test]
fn aws_opens_hazelcast_discovery_between_every_pair() {
    let mut v = fixture("ha-reference.json");
    v["cluster"]["membership_scheme"] = json!("aws");
    let d = design(&v);
    let flows = obkm_topology::export::flows::flows(&d);
    let kms = ["km-1", "km-2", "km-3"];
    for a in kms {
        for b in kms.iter().filter(|b| **b != a) {
            for port in [4000, 5701] {
                let id = format!("{a}->{b}:tcp/{port}");
                assert!(flows.iter().any(|f| f.id == id), "{id} missing");
            }
        }
    }
    let entries = export::bundle_entries(&d, today());
    let clustering = String::from_utf8(
        entries.iter().find(|e| e.0 == "key-manager/km-1/fragments/axis2.xml/clustering.xml").unwrap().1.clone(),
    )
    .unwrap();
    for p in ["accessKey", "secretKey", "securityGroup", "region", "tagKey", "tagValue"] {
        assert!(clustering.contains(&format!("<parameter name=\"{p}\">@@OBKM_AWS_")), "{p}: {clustering}");
    }
    v["cluster"]["membership_scheme"] = json!("kubernetes");
    let entries = export::bundle_entries(&design(&v), today());
    let clustering = String::from_utf8(
        entries.iter().find(|e| e.0 == "key-manager/km-1/fragments/axis2.xml/clustering.xml").unwrap().1.clone(),
    )
    .unwrap();
    for p in ["membershipSchemeClassName", "KUBERNETES_NAMESPACE", "KUBERNETES_SERVICES", "USE_DNS"] {
        assert!(clustering.contains(&format!("<parameter name=\"{p}\">")), "{p}: {clustering}");
    }
    let readme = String::from_utf8(entries.iter().find(|e| e.0 == "README.md").unwrap().1.clone()).unwrap();
    assert!(readme.contains("kubernetes-membership-scheme-1.0.7.jar"), "{readme}");
}

#[test]
fn a_ruleset_never_cuts_a_required_flow() {
    for (name, v) in variants() {
        let d = design(&v);
        let flows = obkm_topology::export::flows::flows(&d);
        for n in obkm_topology::export::firewall::receiving_nodes(&d, &flows) {
            let cut = !obkm_topology::export::firewall::unadmitted(&flows, &n).is_empty();
            for f in [FirewallFormat::Nft, FirewallFormat::Iptables] {
                let text = export::firewall(&d, f, Some(&n), today()).unwrap();
                let drops = text
                    .lines()
                    .any(|l| !l.trim_start().starts_with('#') && (l.contains(" drop ") || l.contains("-j DROP")));
                if cut {
                    assert!(
                        !drops && text.contains("WITHOUT the drop rules"),
                        "{name} {n}: drops while a required flow has no source:\n{text}"
                    );
                } else {
                    assert!(drops, "{name} {n}: no drop rules:\n{text}");
                }
            }
        }
    }
    // The load balancer without an ip: the Key Manager nodes' rulesets keep their ports open.
    let mut v = fixture("ha-reference.json");
    set(&mut v, "lb-1", "ip", json!(""));
    let d = design(&v);
    let nft = export::firewall(&d, FirewallFormat::Nft, Some("km-1"), today()).unwrap();
    assert!(nft.contains("WITHOUT the drop rules") && !nft.contains("drop comment"), "{nft}");
    let readme =
        String::from_utf8(export::bundle_entries(&d, today()).into_iter().find(|e| e.0 == "README.md").unwrap().1)
            .unwrap();
    let first_section = readme.split("\n## ").nth(1).unwrap();
    assert!(first_section.starts_with("Firewall rulesets without drop rules"), "{readme}");
}

#[test]
fn load_balancer_files_follow_the_design() {
    let mut v = fixture("ha-reference.json");
    set(&mut v, "lb-1", "sticky_sessions", json!(false));
    let text = |v: &Value, p: &str| {
        String::from_utf8(
            export::bundle_entries(&design(v), today())
                .into_iter()
                .find(|e| e.0 == p)
                .unwrap_or_else(|| panic!("{p}"))
                .1,
        )
        .unwrap()
    };
    let live = |t: String| t.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let nginx = live(text(&v, "load-balancer/lb-1/nginx/conf.d/obkm.conf"));
    assert!(!nginx.contains("ip_hash") && nginx.contains("proxy_connect_timeout 60s;"), "{nginx}");
    set(&mut v, "lb-1", "product", json!("haproxy"));
    assert!(!live(text(&v, "load-balancer/lb-1/haproxy/haproxy.cfg")).contains("cookie"));
    set(&mut v, "lb-1", "product", json!("k8s-ingress"));
    assert!(!live(text(&v, "load-balancer/lb-1/k8s/ingress.yaml")).contains("affinity"));
    // No HTTP listener: the 9763 connector is left as shipped (no proxyPort 80).
    let v = fixture("ha-reference.json");
    let connectors = text(&v, "key-manager/km-1/fragments/catalina-server.xml/connectors.xml");
    assert!(!connectors.contains("9763"), "{connectors}");
    let patches = text(&v, "key-manager/km-1/patches.json");
    assert!(!patches.contains("Connector[@port='9763']"), "{patches}");
    let mut v = fixture("ha-reference.json");
    set(&mut v, "lb-1", "expose_http", json!(true));
    assert!(text(&v, "key-manager/km-1/fragments/catalina-server.xml/connectors.xml")
        .contains("port=\"9763\" proxyPort=\"80\""));
}

#[test]
fn mysql_8_gets_connector_j_8_and_oracle_a_user_per_database() {
    let mut v = fixture("ha-reference.json");
    set(&mut v, "db-1", "version", json!("8.0.28"));
    let entries = export::bundle_entries(&design(&v), today());
    let get = |e: &[(String, Vec<u8>)], p: &str| {
        String::from_utf8(e.iter().find(|x| x.0 == p).unwrap_or_else(|| panic!("{p}")).1.clone()).unwrap()
    };
    let ds = get(&entries, "key-manager/km-1/fragments/master-datasources.xml/datasources.xml");
    assert!(ds.contains("<driverClassName>com.mysql.cj.jdbc.Driver</driverClassName>"), "{ds}");
    assert!(ds.contains("allowPublicKeyRetrieval=true"), "{ds}");
    assert!(get(&entries, "database/db-1/README.md").contains("latin1"));
    set(&mut v, "db-1", "engine", json!("oracle"));
    let entries = export::bundle_entries(&design(&v), today());
    let ds = get(&entries, "key-manager/km-1/fragments/master-datasources.xml/datasources.xml");
    let users: std::collections::BTreeSet<&str> =
        ds.split("<username>").skip(1).map(|s| s.split("</username>").next().unwrap()).collect();
    assert_eq!(users.len(), 4, "one Oracle user per logical database: {users:?}");
    let readme = get(&entries, "database/db-1/README.md");
    assert!(readme.contains("oracle.sql") && readme.contains("OBKM_DB_CONFIG_USERNAME"), "{readme}");
}

#[test]
fn bundles_applied_to_copies_of_the_real_packs() {
    let packs = root().join("../shared/wso2-pack");
    let all = variants();
    let mut failures = Vec::new();
    for (name, node) in [
        ("ha-reference.json", "km-1"),
        ("ha-reference.json", "am-1"),
        ("ob-km-1.4", "km-2"),
        ("mssql-ad-readonly", "km-1"),
        ("mysql8-aws", "km-3"),
        ("kubernetes-sticky-off", "km-1"),
        ("no-analytics-am-direct", "km-1"),
        ("no-analytics-am-direct", "am-1"),
        ("no-api-manager", "km-2"),
        ("ob-iam-2.0", "km-1"),
        ("ob-iam-2.0-no-dir", "km-2"),
        ("ob-iam-2.0-kubernetes-ad", "km-1"),
        ("ob-iam-2.0-mysql8-readonly", "km-3"),
        ("hostile", "km-1"),
    ] {
        let v = &all.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name}")).1;
        let dir = tempdir(&format!("pack-{name}-{node}"));
        write_entries(&design(v), &dir);
        let o = python()
            .arg(root().join("tests/consumers/apply_pack_test.py"))
            .args([dir.as_os_str(), packs.as_os_str(), node.as_ref()])
            .output()
            .unwrap();
        let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        if o.status.success() {
            eprintln!("{name} {node}: {}", out.trim());
        } else {
            failures.push(format!("{name} {node}:\n{out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn review_notes_reach_the_bundle_readme_and_the_diagram() {
    let mut v = fixture("ha-reference.json");
    v["owner"] = json!("Payments platform <platform@bank.example>");
    v["notes"] = json!("Scaled to three nodes for the 2027 peak.\nSee CHG-1234.");
    v["nodes"][2]["notes"] = json!("Rack 4 & 5: *moves* in March");
    let d = design(&v);
    let entries = export::bundle_entries(&d, today());
    let readme = String::from_utf8(entries.iter().find(|e| e.0 == "README.md").unwrap().1.clone()).unwrap();
    assert!(readme.contains("Owner: Payments platform \\<platform@bank.example>."), "{readme}");
    assert!(
        readme.contains("## Review notes\n\n> Scaled to three nodes for the 2027 peak.\n> See CHG-1234.\n"),
        "{readme}"
    );
    assert!(readme.contains("- **KM 1** (km-1): Rack 4 & 5: \\*moves\\* in March\n"), "{readme}");
    let svg = obkm_topology::export::diagram::svg(&d, &obkm_topology::rules::check(&d, today()), today());
    assert!(svg.contains("<desc>Rack 4 &amp; 5: *moves* in March</desc>"), "the node's notes");
    assert!(svg.contains("class=\"note-marker\"><title>Notes: Rack 4 &amp; 5"), "the marker on the node");
    assert!(svg.contains("Owner: Payments platform &lt;platform@bank.example&gt; · Scaled to three nodes for the 2027 peak. See CHG-1234."));
    // A design without notes has neither (its golden bundle and diagram stay as they were).
    let plain = design(&fixture("ha-reference.json"));
    let svg = obkm_topology::export::diagram::svg(&plain, &obkm_topology::rules::check(&plain, today()), today());
    assert!(!svg.contains("note-marker") && !svg.contains("design-notes"));
}

#[test]
fn firewall_files_name_their_design_and_every_instance() {
    use sha2::Digest;
    let mut v = fixture("ha-reference.json");
    v["owner"] = json!("Network <team> & co");
    set(&mut v, "lb-1", "instances", json!(3));
    set(&mut v, "lb-1", "source_addresses", json!(["10.0.0.6", "10.0.0.7", "10.0.8.0/28"]));
    set(&mut v, "db-1", "ip", json!("10.0.2.10"));
    let d = design(&v);
    let entries = export::bundle_entries(&d, today());
    let text = |p: &str| String::from_utf8(entries.iter().find(|e| e.0 == p).unwrap().1.clone()).unwrap();
    // The content hash is the saved design's: `sha256sum design.json` gives it.
    let hash: String =
        sha2::Sha256::digest(text("design.json").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    for p in ["firewall/nftables/km-1.nft", "firewall/iptables/km-1.rules", "firewall/aws/security-groups.tf"] {
        let whole = text(p);
        let head: Vec<&str> = whole.lines().take(4).collect();
        assert_eq!(head[1], format!("# Design: \"Reference HA pattern\", product ob-km-1.5, sha256 {hash}"), "{p}");
        assert_eq!(head[2], "# Owner: Network <team> & co", "{p}");
        assert_eq!(head[3], "# Date: 2026-11-26", "{p}");
    }
    for p in ["firewall/flows.md", "firewall/README.md"] {
        let t = text(p);
        assert!(
            t.contains(&format!("sha256 `{hash}`"))
                && t.contains("owner: Network \\<team> & co")
                && t.contains("2026-11-26"),
            "{p}:\n{t}"
        );
    }
    // The CSV's first row stays the header (RFC 4180).
    assert!(text("firewall/flows.csv").starts_with("id,source,"));
    // Every instance is a source; never the public host name.
    let csv = text("firewall/flows.csv");
    assert!(csv.contains("lb-1->km-1:tcp/9446,lb-1,10.0.0.6 10.0.0.7 10.0.8.0/28,"), "{csv}");
    let nft = text("firewall/nftables/km-1.nft");
    assert!(nft.contains("ip saddr { 10.0.0.6, 10.0.0.7, 10.0.8.0/28 } tcp dport 9446 accept"), "{nft}");
    let ipt = text("firewall/iptables/km-1.rules");
    assert!(ipt.contains("-A OBKM-INPUT -s 10.0.0.6,10.0.0.7,10.0.8.0/28 -p tcp -m tcp --dport 9446"), "{ipt}");
    let tf = text("firewall/aws/security-groups.tf");
    assert_eq!(tf.matches("lb_1_to_km_1_tcp_9446").count(), 3, "one rule per source block");
    assert!(tf.contains("\"10.0.8.0/28\"") && tf.contains("\"10.0.0.7/32\""));
    // The database's ip serves the firewall; its JDBC URL keeps the name.
    assert!(csv.contains("km-1->db-1:tcp/3306,km-1,10.0.1.11,app,db-1,10.0.2.10,"), "{csv}");
    let readme = text("firewall/README.md");
    assert!(
        !readme.contains("km-1->db-1") && readme.contains("km-1->ldap-1:tcp/636: from 10.0.1.11 to ldap.bank.internal"),
        "{readme}"
    );
    let ds = text("key-manager/km-1/fragments/master-datasources.xml/datasources.xml");
    assert!(ds.contains("db.bank.internal") && !ds.contains("10.0.2.10"));
    // A load balancer without ip or source addresses: a placeholder, never its host name.
    let mut v = fixture("ha-reference.json");
    v["nodes"].as_array_mut().unwrap().iter_mut().find(|n| n["id"] == "lb-1").unwrap()["props"]
        .as_object_mut()
        .unwrap()
        .shift_remove("ip");
    let d = design(&v);
    let csv = export::firewall(&d, FirewallFormat::Csv, None, today()).unwrap();
    assert!(csv.contains("lb-1->km-1:tcp/9446,lb-1,<SOURCE-IP-OF-lb-1>,"), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with("lb-1->") && l.contains("km.bank.example")), "{csv}");
}
