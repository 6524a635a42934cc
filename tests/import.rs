//! Importing a deployment (src/import): the round trip (a design's bundle applied to copies of
//! the real pack, one folder a node, imported again, gives back every field the files can tell,
//! with no import finding), the findings a broken deployment gets, and hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use obkm_topology::export;
use obkm_topology::import::{self, input, File};
use obkm_topology::model::{load, templates, Design, Node, NodeKind, Product};
use obkm_topology::rules::Date;
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Command {
    Command::new(std::env::var_os("OBKM_PYTHON").unwrap_or_else(|| "python3".into()))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("obkm-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A deployment made from a design: its bundle applied to a copy of the pack per node.
fn deploy(d: &Design, name: &str) -> PathBuf {
    let dir = tempdir(name);
    let bundle = dir.join("bundle");
    for (path, body) in export::bundle_entries(d, Date::parse("2026-12-06").unwrap()) {
        let p = bundle.join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    let out = dir.join("deployment");
    let o = python()
        .arg(root().join("tests/consumers/deploy_bundle.py"))
        .args([bundle.as_os_str(), root().join("../shared/wso2-pack").as_os_str(), out.as_os_str()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{name}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    out
}

/// The files of a folder, as the command line reads them.
fn files(dir: &Path) -> Vec<File> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let path = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push(File { path, bytes: std::fs::read(e.path()).unwrap() });
            }
        }
    }
    out
}

fn address(n: &Node, p: Product) -> String {
    let ip = n.str("ip", p);
    if ip.is_empty() {
        n.str("hostname", p)
    } else {
        ip
    }
}

/// Every field the files can tell, as text, keyed so that two designs with other ids compare.
fn tellable(d: &Design) -> Vec<String> {
    let p = d.product;
    // An API Manager is written in the Key Manager's URLs by its host name, else its address.
    let am_address = |n: &Node| if n.str("hostname", p).is_empty() { n.str("ip", p) } else { n.str("hostname", p) };
    let key = |n: &Node| match n.kind {
        NodeKind::KeyManager => format!("{} {}", n.kind.as_str(), address(n, p)),
        NodeKind::ApiManager => format!("{} {}", n.kind.as_str(), am_address(n)),
        NodeKind::LoadBalancer => format!("lb {}", n.str("hostname", p)),
        NodeKind::Database | NodeKind::Directory => {
            format!("{} {}:{}", n.kind.as_str(), n.str("host", p), n.num("port", p))
        }
        NodeKind::SharedStorage => format!("{} {}:{}", n.kind.as_str(), n.str("host", p), n.str("export_path", p)),
        _ => String::new(),
    };
    let mut out = vec![format!("cluster {} {}", d.cluster.domain, d.cluster.membership_scheme.as_str())];
    for n in &d.nodes {
        if n.kind == NodeKind::ApiManager && p == Product::ObIam20 {
            continue; // the bundle of an OB IAM 2.0 design writes no API Manager file
        }
        let k = key(n);
        let fields: Vec<String> = match n.kind {
            NodeKind::KeyManager => ["member_port", "port_offset"]
                .iter()
                .map(|f| format!("{f}={}", n.num(f, p)))
                .chain([
                    format!("clustering={}", n.bool("clustering_enabled", p)),
                    format!("keystore={}", n.str("keystore", p)),
                ])
                .collect(),
            NodeKind::LoadBalancer => vec![
                format!("product={}", n.str("product", p)),
                format!("sticky={}", n.bool("sticky_sessions", p)),
                format!("tls_port={}", n.num("tls_port", p)),
                format!("http={}", n.bool("expose_http", p)),
                format!("backend={}", n.str("backend_protocol", p)),
            ],
            NodeKind::Database => {
                let mut dbs = n.list("databases", p);
                dbs.sort();
                vec![format!("engine={}", n.str("engine", p)), format!("databases={}", dbs.join(","))]
            }
            NodeKind::Directory => vec![
                format!("ad={}", n.str("product", p) == "active-directory"),
                format!("tls={}", n.bool("tls", p)),
                format!("read_only={}", n.bool("read_only", p)),
            ],
            NodeKind::SharedStorage => {
                vec![format!("type={}", n.str("type", p)), format!("export={}", n.str("export_path", p))]
            }
            NodeKind::ApiManager => vec![],
            _ => continue,
        };
        for f in fields {
            out.push(format!("{k} {f}"));
        }
    }
    // Links among the nodes files tell of, by their keys.
    for l in &d.links {
        let (Some(a), Some(b)) = (d.node(&l.from), d.node(&l.to)) else { continue };
        let (ka, kb) = (key(a), key(b));
        let am_untold = p == Product::ObIam20 && [a.kind, b.kind].contains(&NodeKind::ApiManager);
        if ka.is_empty() || kb.is_empty() || am_untold {
            continue;
        }
        let (x, y) = if ka < kb { (ka, kb) } else { (kb, ka) };
        out.push(format!("link {x} -- {y}"));
    }
    out.sort();
    out.dedup();
    out
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures").join(name)).unwrap()).unwrap()
}

fn set(d: &mut Value, id: &str, key: &str, v: Value) {
    let nodes = d["nodes"].as_array_mut().unwrap();
    let n = nodes.iter_mut().find(|n| n["id"] == id).unwrap();
    n["props"][key] = v;
}

/// The designs of the round trip (OB KM 1.5): the reference, the templates, and variations of
/// what the files carry (load balancer product and options, engines, directories, storage).
fn designs() -> Vec<(String, Design)> {
    let mut out: Vec<(String, Value)> = vec![("ha-reference".into(), fixture("ha-reference.json"))];
    for t in ["ha", "ha-two-zones"] {
        out.push((format!("template-{t}"), serde_json::from_str(templates::text(t).unwrap()).unwrap()));
    }
    let base = fixture("ha-reference.json");
    let mut v = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut d = base.clone();
        f(&mut d);
        out.push((name.to_string(), d));
    };
    v("haproxy-sticky-off-http", &|d| {
        set(d, "lb-1", "product", json!("haproxy"));
        set(d, "lb-1", "sticky_sessions", json!(false));
        set(d, "lb-1", "expose_http", json!(true));
        set(d, "lb-1", "tls_port", json!(8443));
    });
    // A Kubernetes Ingress instead of a load balancer host (no ip: the Ingress controller's).
    v("k8s-ingress", &|d| {
        set(d, "lb-1", "product", json!("k8s-ingress"));
        set(d, "lb-1", "ip", json!(""));
    });
    v("k8s-ingress-not-sticky-offset-3", &|d| {
        set(d, "lb-1", "product", json!("k8s-ingress"));
        set(d, "lb-1", "sticky_sessions", json!(false));
        for km in ["km-1", "km-2", "km-3"] {
            set(d, km, "port_offset", json!(3));
        }
    });
    v("oracle-ad-readonly", &|d| {
        let dir = d["nodes"].as_array().unwrap().iter().position(|n| n["kind"] == "directory").unwrap();
        d["nodes"][dir]["props"]["product"] = json!("active-directory");
        d["nodes"][dir]["props"]["read_only"] = json!(true);
        let db = d["nodes"].as_array().unwrap().iter().position(|n| n["kind"] == "database").unwrap();
        d["nodes"][db]["props"]["engine"] = json!("oracle");
    });
    v("postgresql-offset-5", &|d| {
        let db = d["nodes"].as_array().unwrap().iter().position(|n| n["kind"] == "database").unwrap();
        d["nodes"][db]["props"]["engine"] = json!("postgresql");
        for km in ["km-1", "km-2", "km-3"] {
            set(d, km, "port_offset", json!(5));
        }
    });
    // OB IAM 2.0: the same designs written into IS 5.10's deployment.toml.
    v("iam-2.0-reference", &|d| d["product"] = json!("ob-iam-2.0"));
    v("iam-2.0-postgresql-ad-readonly-offset-3", &|d| {
        d["product"] = json!("ob-iam-2.0");
        let dir = d["nodes"].as_array().unwrap().iter().position(|n| n["kind"] == "directory").unwrap();
        d["nodes"][dir]["props"]["product"] = json!("active-directory");
        d["nodes"][dir]["props"]["read_only"] = json!(true);
        let db = d["nodes"].as_array().unwrap().iter().position(|n| n["kind"] == "database").unwrap();
        d["nodes"][db]["props"]["engine"] = json!("postgresql");
        for km in ["km-1", "km-2", "km-3"] {
            set(d, km, "port_offset", json!(3));
        }
    });
    out.into_iter().map(|(n, v)| (n, load(&v.to_string()).unwrap_or_else(|e| panic!("{e}")))).collect()
}

#[test]
fn a_deployment_made_from_a_design_imports_back_as_the_design() {
    let mut failures = Vec::new();
    for (name, d) in designs() {
        let dir = deploy(&d, &name);
        // The product is given for 1.x (their files look alike); IS 5.10's is recognised.
        let given = (d.product != Product::ObIam20).then_some(d.product);
        let imported = import::import(files(&dir), given);
        assert_eq!(imported.design.product, d.product, "{name}");
        if !imported.findings.is_empty() {
            failures.push(format!("{name}: import findings {:?}", imported.findings));
        }
        let (want, got) = (tellable(&d), tellable(&imported.design));
        let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!("{name}:\n  missing {missing:#?}\n  extra {extra:#?}"));
        }
        // Every imported value names its file and line.
        for f in &imported.facts {
            assert!(f.source.line >= 1 && dir.join(&f.source.file).exists(), "{name}: {f:?}");
        }
        // What no file says is listed as unknown.
        assert!(imported.unknown.iter().any(|u| u.contains("zones")), "{name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// km-2 forgets km-3 in its member list; km-3 has another domain; km-1's apim database is
/// elsewhere.
fn break_deployment(dir: &Path) {
    let axis2 = |km: &str| dir.join(km).join("repository/conf/axis2/axis2.xml");
    edit(
        &axis2("km-2"),
        "<member>\n                <hostName>10.0.1.13</hostName>",
        "<member>\n                <hostName>10.0.1.99</hostName>",
    );
    edit(
        &axis2("km-3"),
        "<parameter name=\"domain\">wso2.ob.km.domain</parameter>",
        "<parameter name=\"domain\">other.domain</parameter>",
    );
    edit(
        &dir.join("km-1/repository/conf/datasources/master-datasources.xml"),
        "jdbc:mysql://db.bank.internal:3306/WSO2AM_DB",
        "jdbc:mysql://db2.bank.internal:3306/WSO2AM_DB",
    );
}

#[test]
fn a_broken_member_list_domain_and_datasource_give_exactly_their_findings() {
    let d = load(&fixture("ha-reference.json").to_string()).unwrap();
    let dir = deploy(&d, "broken");
    break_deployment(&dir);
    let imported = import::import(files(&dir), None);
    let mut rules: Vec<&str> = imported.findings.iter().map(|f| f.rule).collect();
    rules.sort_unstable();
    assert_eq!(rules, vec!["IMP-001", "IMP-002", "IMP-005"], "{:#?}", imported.findings);
    let imp1 = imported.findings.iter().find(|f| f.rule == "IMP-001").unwrap();
    assert_eq!(imp1.source.as_ref().unwrap().file, "km-2/repository/conf/axis2/axis2.xml");
    // 10.0.1.99 is a member only the lists know: a node of its own, said to be so.
    assert!(imported.design.nodes.iter().any(|n| n.label.contains("known only from member lists")));
    // SARIF locations are the files and lines.
    let report = obkm_topology::rules::check(&imported.design, Date::parse("2026-12-06").unwrap());
    let sarif: Value = serde_json::from_str(&import::report::to_sarif(&imported, &report, "imported.json")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let located = results.iter().find(|r| r["ruleId"] == "IMP-005").unwrap();
    assert_eq!(
        located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "km-1/repository/conf/datasources/master-datasources.xml"
    );
    assert!(located["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() > 1);
    // Every result, the import's and the checker's, has a line and a fingerprint.
    for r in results {
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1, "{r}");
        assert_eq!(r["partialFingerprints"]["obkmFinding/v1"].as_str().unwrap().len(), 16, "{r}");
    }
}

#[test]
fn hostile_files_are_refused_and_never_expanded() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n<axisconfig>&lol2;</axisconfig>";
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<Server><HostName>&e;</HostName></Server>";
    let files = vec![
        File { path: "km-1/repository/conf/axis2/axis2.xml".into(), bytes: bomb.as_bytes().to_vec() },
        File { path: "km-1/repository/conf/carbon.xml".into(), bytes: xxe.as_bytes().to_vec() },
        File { path: "km-2/repository/conf/carbon.xml".into(), bytes: b"<Server><HostName>x</HostName>".to_vec() },
        File { path: "km-3/repository/conf/carbon.xml".into(), bytes: vec![0xff, 0xfe, 0x00] },
        File {
            path: "km-4/repository/conf/deployment.toml".into(),
            bytes: b"[server]\nhostname = \"x\"\n[server]\n".to_vec(),
        },
        // YAML's billion laughs: aliases are refused, never expanded.
        File {
            path: "k8s/ingress.yaml".into(),
            bytes: b"kind: Ingress\na: &a [l, l, l, l]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n".to_vec(),
        },
    ];
    let imported = import::import(files, None);
    let unreadable: Vec<&str> =
        imported.findings.iter().filter(|f| f.rule == "IMP-006").map(|f| f.message.as_str()).collect();
    assert_eq!(unreadable.len(), 6, "{unreadable:#?}");
    let yaml = imported.findings.iter().find(|f| f.message.contains("ingress.yaml")).unwrap();
    assert!(yaml.message.contains("alias"), "{}", yaml.message);
    assert_eq!(yaml.source.as_ref().map(|s| s.line), Some(3));
    let toml = imported.findings.iter().find(|f| f.message.contains("deployment.toml")).unwrap();
    assert!(toml.message.contains("not valid TOML"), "{}", toml.message);
    assert_eq!(toml.source.as_ref().map(|s| s.line), Some(3), "the duplicate table's line");
    assert_eq!(unreadable.iter().filter(|m| m.contains("DTD")).count(), 2, "{unreadable:#?}");
    assert!(!format!("{:?}", imported.facts).contains("root:"), "no entity was expanded");
    // Zips: path traversal, a bomb past the cap, not a zip.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("../../etc/passwd", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut z, b"x").unwrap();
        z.finish().unwrap();
    }
    assert!(matches!(input::from_zip(buf.get_ref()), Err(input::InputError::Traversal(_))));
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file(
            "km-1/big.xml",
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..9 {
            std::io::Write::write_all(&mut z, &zeros).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(buf.get_ref().len() < 200_000, "a small archive");
    assert!(matches!(input::from_zip(buf.get_ref()), Err(input::InputError::TooLarge(_))));
    assert!(matches!(input::from_zip(b"not a zip"), Err(input::InputError::NotAZip(_))));
    assert_eq!(input::clean_path("a/./b//c"), Some("a/b/c".into()));
    assert_eq!(input::clean_path("/etc/passwd"), None);
    assert_eq!(input::clean_path("C:\\x"), None);
}

#[test]
fn jdbc_urls_of_every_engine() {
    for (url, engine, host, port) in [
        ("jdbc:mysql://db.x:3307/WSO2AM_DB?useSSL=true", "mysql", "db.x", 3307),
        ("jdbc:mysql://db.x/WSO2AM_DB", "mysql", "db.x", 3306),
        ("jdbc:postgresql://10.0.0.5:5432/wso2am_db", "postgresql", "10.0.0.5", 5432),
        ("jdbc:sqlserver://sql.x:1433;databaseName=WSO2AM_DB", "mssql", "sql.x", 1433),
        ("jdbc:oracle:thin:@ora.x:1521/ORCL", "oracle", "ora.x", 1521),
        ("jdbc:oracle:thin:@//ora.x:1522/ORCL", "oracle", "ora.x", 1522),
        ("jdbc:oracle:thin:@ora.x:1521:SID", "oracle", "ora.x", 1521),
        ("jdbc:db2://db2.x:50000/WSO2", "db2", "db2.x", 50000),
        ("jdbc:mariadb://[fd00::5]:3306/x", "mariadb", "fd00::5", 3306),
    ] {
        let j = import::jdbc(url).unwrap_or_else(|| panic!("{url}"));
        assert_eq!((j.engine, j.host.as_str(), j.port), (engine, host, port), "{url}");
    }
    assert!(import::jdbc("jdbc:h2:./repository/database/WSO2CARBON_DB").is_none());
}

#[test]
fn values_from_files_are_data_and_the_rebuilt_design_stays_valid() {
    // Addresses and names no design may hold: the import keeps the file's text as a fact and the
    // node without the value (reported), never a design the format would refuse.
    let axis = |host: &str| {
        format!(
            "<axisconfig><clustering class=\"org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent\" enable=\"true\">\n\
             <parameter name=\"membershipScheme\">wka</parameter>\n<parameter name=\"domain\">wso2.ob.km.domain</parameter>\n\
             <parameter name=\"localMemberHost\">{host}</parameter>\n<parameter name=\"localMemberPort\">4000</parameter>\n\
             <members><member><hostName>{host}</hostName><port>4000</port></member></members></clustering></axisconfig>"
        )
    };
    let nginx = "upstream km { server evil\"host:9443; server 10.0.1.11:99999; }\n\
                 server { listen 443 ssl; server_name \"<script>\"; location / { proxy_pass https://km; } }\n";
    let files = vec![
        File { path: "km-1/repository/conf/axis2/axis2.xml".into(), bytes: axis("not an address!").into_bytes() },
        File { path: "km-2/repository/conf/axis2/axis2.xml".into(), bytes: axis("10.0.1.11").into_bytes() },
        File { path: "lb/nginx.conf".into(), bytes: nginx.as_bytes().to_vec() },
    ];
    let mut imported = import::import(files, None);
    obkm_topology::model::format::validate(&mut imported.design).expect("a valid design");
    let saved = obkm_topology::model::save(&imported.design);
    assert!(!saved.contains("<script>") && !saved.contains("not an address!"), "{saved}");
    let refused: Vec<(String, usize)> = imported
        .findings
        .iter()
        .filter(|f| f.rule == "IMP-006")
        .map(|f| f.source.as_ref().map(|s| (s.file.clone(), s.line)).unwrap_or_default())
        .collect();
    assert!(refused.contains(&("km-1/repository/conf/axis2/axis2.xml".to_string(), 4)), "{refused:?}");
    assert!(refused.contains(&("lb/nginx.conf".to_string(), 2)), "{refused:?}");
}

/// The browser's import: the export worker's job (`export::job::import`) gives the design and
/// the report the command line gives, from a folder's files or from a zip of them, and refuses
/// what it cannot read with why.
#[test]
fn the_worker_job_gives_the_command_lines_design_and_report() {
    use obkm_topology::export::job;
    let d = load(&fixture("ha-reference.json").to_string()).unwrap();
    let dir = deploy(&d, "job");
    edit(
        &dir.join("km-2/repository/conf/axis2/axis2.xml"),
        "<member>\n                <hostName>10.0.1.13</hostName>",
        "<member>\n                <hostName>10.0.1.99</hostName>",
    );
    let today = Date::parse("2026-12-06").unwrap();
    let direct = import::import(files(&dir), None);
    let report = obkm_topology::rules::check(&direct.design, today);
    let request = json!({"kind": "import", "today": "2026-12-06"}).to_string();
    let done = job::import(&request, job::Input::Files(files(&dir))).unwrap();
    assert_eq!(String::from_utf8(done.bytes.clone()).unwrap(), obkm_topology::model::save(&direct.design));
    assert_eq!(done.mime, "application/json");
    assert_eq!(done.meta["text"], json!(import::report::to_text(&direct, &report)));
    assert_eq!(done.meta["json"], json!(import::report::to_json(&direct, &report)));
    assert_eq!(done.meta["errors"], json!(true));
    assert_eq!(done.meta["nodes"], json!(direct.design.nodes.len()));
    assert_eq!(done.meta["files_read"], json!(direct.read.len()));
    let findings: Value = serde_json::from_str(done.meta["json"].as_str().unwrap()).unwrap();
    assert_eq!(findings["findings"][0]["rule"], "IMP-001");
    // The same files zipped give the same design.
    let mut entries: Vec<(String, Vec<u8>)> = files(&dir).into_iter().map(|f| (f.path, f.bytes)).collect();
    entries.sort();
    let zipped = export::zip(&entries).unwrap();
    let from_zip = job::import(&request, job::Input::Zip(zipped)).unwrap();
    assert_eq!(from_zip.bytes, done.bytes);
    // The product is the job's to say.
    let as14 = json!({"kind": "import", "today": "2026-12-06", "product": "ob-km-1.4"}).to_string();
    let d14 =
        load(std::str::from_utf8(&job::import(&as14, job::Input::Files(files(&dir))).unwrap().bytes).unwrap()).unwrap();
    assert_eq!(d14.product, Product::parse("ob-km-1.4").unwrap());
    // Refused, with why.
    let cases: Vec<(String, job::Input, &str)> = vec![
        ("not json".into(), job::Input::Files(files(&dir)), "a malformed import job"),
        (
            json!({"kind": "bundle", "today": "2026-12-06"}).to_string(),
            job::Input::Files(vec![]),
            "an unknown import job",
        ),
        (json!({"kind": "import", "today": "now"}).to_string(), job::Input::Files(vec![]), "a malformed date"),
        (
            json!({"kind": "import", "today": "2026-12-06", "product": "ob-km-9"}).to_string(),
            job::Input::Files(vec![]),
            "an unknown product",
        ),
        (request.clone(), job::Input::Zip(b"PK not a zip".to_vec()), "not a zip archive"),
        (request.clone(), job::Input::Files(vec![]), "no files"),
        (
            request.clone(),
            job::Input::Files(vec![File { path: "../etc/passwd.xml".into(), bytes: b"<x/>".to_vec() }]),
            "outside",
        ),
        (
            request.clone(),
            job::Input::Files(vec![File { path: "big.xml".into(), bytes: vec![b' '; input::MAX_FILE + 1] }]),
            "larger than",
        ),
    ];
    for (text, input, want) in cases {
        let err = job::import(&text, input).unwrap_err();
        assert!(err.contains(want), "{err:?} does not say {want:?}");
    }
}

/// The browser loads from a picked folder only the files the import reads, by name.
#[test]
fn the_files_the_import_reads_are_known_by_their_names() {
    for yes in [
        "km-1/repository/conf/axis2/axis2.xml",
        "km-1/repository/conf/carbon.xml",
        "lb/nginx.conf",
        "lb/haproxy.cfg",
        "km-1/repository/conf/deployment.toml",
        "km-1/bin/wso2server.sh",
        "km-1/storage/mounts.sh",
        "etc/fstab",
        "loose\\user-mgt.xml",
    ] {
        assert!(import::reads(yes), "{yes}");
    }
    for no in ["km-1/lib/foo.jar", "km-1/repository/logs/wso2carbon.log", "README.md", "km-1/bin/wso2server.bat"] {
        assert!(!import::reads(no), "{no}");
    }
}

/// The import reports and the rebuilt designs of a sound and a broken deployment, byte for
/// byte (`UPDATE_GOLDEN=1 cargo test --test import` rewrites them after a deliberate change).
#[test]
fn import_reports_match_their_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let today = Date::parse("2026-12-06").unwrap();
    let d = load(&fixture("ha-reference.json").to_string()).unwrap();
    let mut failures = Vec::new();
    for broken in [false, true] {
        let name = if broken { "broken" } else { "ha-reference" };
        let dir = deploy(&d, &format!("golden-{name}"));
        if broken {
            break_deployment(&dir);
        }
        let imported = import::import(files(&dir), None);
        let check = obkm_topology::rules::check(&imported.design, today);
        let outputs = [
            (format!("{name}.txt"), import::report::to_text(&imported, &check)),
            (format!("{name}.json"), import::report::to_json(&imported, &check)),
            (format!("{name}.sarif"), import::report::to_sarif(&imported, &check, "imported.json")),
            (format!("{name}-design.json"), obkm_topology::model::save(&imported.design)),
        ];
        for (file, text) in outputs {
            let golden = root().join("tests/golden/import").join(&file);
            if update {
                std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
                std::fs::write(&golden, &text).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
                panic!("{} missing: run UPDATE_GOLDEN=1 cargo test --test import", golden.display())
            });
            if want != text {
                failures.push(format!("{file} differs from tests/golden/import/{file}:\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A generated design: the reference with its choices varied (product, Key Manager count,
/// offset, member port, load balancer product and options, engine, directory).
#[allow(clippy::too_many_arguments)]
fn generated(
    iam: bool,
    kms: usize,
    offset: i64,
    member_port: i64,
    lb: usize,
    sticky: bool,
    http: bool,
    tls_port: i64,
    engine: usize,
    ad: bool,
    read_only: bool,
    dir_tls: bool,
) -> Design {
    let mut d = fixture("ha-reference.json");
    if iam {
        d["product"] = json!("ob-iam-2.0");
    }
    if kms == 2 {
        d["nodes"].as_array_mut().unwrap().retain(|n| n["id"] != "km-3");
        d["links"].as_array_mut().unwrap().retain(|l| l["from"] != "km-3" && l["to"] != "km-3");
    }
    if kms == 4 {
        let mut km4 = d["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "km-3").unwrap().clone();
        km4["id"] = json!("km-4");
        km4["label"] = json!("KM 4");
        km4["props"]["ip"] = json!("10.0.1.14");
        km4["props"]["hostname"] = json!("km4.bank.internal");
        d["nodes"].as_array_mut().unwrap().push(km4);
        let more: Vec<Value> = d["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["from"] == "km-3" || l["to"] == "km-3")
            .map(|l| {
                let swap = |v: &Value| if v == "km-3" { json!("km-4") } else { v.clone() };
                json!({"from": swap(&l["from"]), "to": swap(&l["to"])})
            })
            .collect();
        d["links"].as_array_mut().unwrap().extend(more);
    }
    for n in d["nodes"].as_array_mut().unwrap() {
        match n["kind"].as_str().unwrap() {
            "key-manager" => {
                n["props"]["port_offset"] = json!(offset);
                n["props"]["member_port"] = json!(member_port);
            }
            "load-balancer" => {
                let product = ["nginx", "haproxy", "k8s-ingress"][lb];
                n["props"]["product"] = json!(product);
                n["props"]["sticky_sessions"] = json!(sticky);
                n["props"]["expose_http"] = json!(http);
                // An Ingress's TLS port is its controller's (443): the manifest cannot say another.
                n["props"]["tls_port"] = json!(if product == "k8s-ingress" { 443 } else { tls_port });
            }
            "database" => n["props"]["engine"] = json!(["mysql", "postgresql", "oracle"][engine]),
            "directory" => {
                n["props"]["product"] = json!(if ad { "active-directory" } else { "openldap" });
                n["props"]["read_only"] = json!(read_only);
                n["props"]["tls"] = json!(dir_tls);
                n["props"]["port"] = json!(if dir_tls { 636 } else { 389 });
            }
            _ => {}
        }
    }
    load(&d.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn roundtrip_cases() -> u32 {
    std::env::var("OBKM_ROUNDTRIP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(8)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: roundtrip_cases(),
        failure_persistence: None,
        max_shrink_iters: 16,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// The round trip over generated designs of both product lines: every field the files
    /// can tell comes back, with no import finding.
    #[test]
    fn generated_designs_import_back_as_themselves(
        iam in proptest::prelude::any::<bool>(),
        kms in 2usize..=4,
        offset in 0i64..=5,
        member_port in proptest::sample::select(vec![4000i64, 4100]),
        lb in 0usize..3,
        sticky in proptest::prelude::any::<bool>(),
        http in proptest::prelude::any::<bool>(),
        tls_port in proptest::sample::select(vec![443i64, 8443]),
        engine in 0usize..3,
        ad in proptest::prelude::any::<bool>(),
        read_only in proptest::prelude::any::<bool>(),
        dir_tls in proptest::prelude::any::<bool>(),
    ) {
        let d = generated(iam, kms, offset, member_port, lb, sticky, http, tls_port, engine, ad, read_only, dir_tls);
        let name = format!("gen-{iam}-{kms}-{offset}-{member_port}-{lb}-{sticky}-{http}-{tls_port}-{engine}-{ad}-{read_only}-{dir_tls}");
        let dir = deploy(&d, &name);
        let given = (d.product != Product::ObIam20).then_some(d.product);
        let imported = import::import(files(&dir), given);
        proptest::prop_assert_eq!(imported.design.product, d.product);
        proptest::prop_assert!(imported.findings.is_empty(), "{name}: {:#?}", imported.findings);
        let (want, got) = (tellable(&d), tellable(&imported.design));
        let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<&String> = got.iter().filter(|g| !want.contains(g)).collect();
        proptest::prop_assert!(missing.is_empty() && extra.is_empty(), "{name}:\n  missing {missing:#?}\n  extra {extra:#?}");
        let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
    }
}
