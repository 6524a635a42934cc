//! The checker, rule by rule: for every rule of rules.md a design that triggers it (with the
//! exact findings it must give) and one that is one edit away and does not; the shared
//! fixtures' expected findings; templates; waivers; ordering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::{load, templates};
use obkm_topology::rules::{check, Date, Severity};
use serde_json::{json, Value};
use std::path::Path;

fn today() -> Date {
    Date::parse("2026-11-26").unwrap()
}

fn ha() -> Value {
    serde_json::from_str(templates::text("ha").unwrap()).unwrap()
}

fn node<'a>(d: &'a mut Value, id: &str) -> &'a mut Value {
    d["nodes"].as_array_mut().unwrap().iter_mut().find(|n| n["id"] == id).unwrap_or_else(|| panic!("no node {id}"))
}

fn set(d: &mut Value, id: &str, key: &str, v: Value) {
    node(d, id)["props"][key] = v;
}

fn unset(d: &mut Value, id: &str, key: &str) {
    node(d, id)["props"].as_object_mut().unwrap().shift_remove(key);
}

fn add(d: &mut Value, id: &str, kind: &str, props: Value) {
    d["nodes"].as_array_mut().unwrap().push(
        json!({"id": id, "kind": kind, "label": id.to_uppercase(), "x": 0, "y": 0, "zone": "app", "props": props}),
    );
}

fn link(d: &mut Value, a: &str, b: &str) {
    d["links"].as_array_mut().unwrap().push(json!({"from": a, "to": b}));
}

fn unlink(d: &mut Value, a: &str, b: &str) {
    d["links"]
        .as_array_mut()
        .unwrap()
        .retain(|l| !((l["from"] == a && l["to"] == b) || (l["from"] == b && l["to"] == a)));
}

fn remove(d: &mut Value, id: &str) {
    d["nodes"].as_array_mut().unwrap().retain(|n| n["id"] != id);
    d["links"].as_array_mut().unwrap().retain(|l| l["from"] != id && l["to"] != id);
}

fn waive(d: &mut Value, w: Value) {
    d["waivers"].as_array_mut().unwrap().push(w);
}

/// The findings as (rule, nodes, waived), in the checker's order.
fn findings(d: &Value) -> Vec<(String, Vec<String>, bool)> {
    let design = load(&d.to_string()).unwrap_or_else(|e| panic!("{e}"));
    check(&design, today()).findings.into_iter().map(|f| (f.rule.to_string(), f.nodes, f.waived)).collect()
}

type Expect = &'static [(&'static str, &'static [&'static str])];

fn assert_findings(case: &str, d: &Value, expected: Expect) {
    let mut got: Vec<(String, Vec<String>)> = findings(d).into_iter().map(|(r, n, _)| (r, n)).collect();
    let mut want: Vec<(String, Vec<String>)> =
        expected.iter().map(|(r, n)| (r.to_string(), n.iter().map(|s| s.to_string()).collect())).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{case}: findings differ");
}

fn assert_absent(case: &str, rule: &str, d: &Value) {
    let got = findings(d);
    assert!(got.iter().all(|(r, _, _)| r != rule), "{case}: the near miss still gives {rule}: {got:?}");
}

/// (rule, trigger, exact findings of the trigger, near miss without that rule).
struct Case {
    rule: &'static str,
    trigger: fn(&mut Value),
    expect: Expect,
    near: fn(&mut Value),
}

const CASES: &[Case] = &[
    Case {
        rule: "TOPO-001",
        trigger: |d| link(d, "lb-1", "db-1"),
        expect: &[("TOPO-001", &["db-1", "lb-1"])],
        near: |d| {
            add(d, "am-1", "api-manager", json!({"ip": "10.0.1.20"}));
            link(d, "am-1", "lb-1");
        },
    },
    Case {
        rule: "TOPO-001",
        trigger: |d| link(d, "fs-1", "fs-1"),
        expect: &[("TOPO-001", &["fs-1"])],
        near: |d| link(d, "km-1", "fs-1"),
    },
    Case {
        rule: "TOPO-002",
        trigger: |d| link(d, "km-1", "lb-1"),
        expect: &[("TOPO-002", &["km-1", "lb-1"])],
        near: |d| {
            unlink(d, "lb-1", "km-1");
            link(d, "km-1", "lb-1");
        },
    },
    Case {
        rule: "TOPO-003",
        trigger: |d| set(d, "km-1", "hostname", json!("km_1.bank.internal")),
        expect: &[("TOPO-003", &["km-1"])],
        near: |d| set(d, "km-1", "hostname", json!("km-1.bank.internal")),
    },
    Case {
        rule: "TOPO-003",
        trigger: |d| set(d, "km-2", "ip", json!("10.0.1.300")),
        expect: &[("TOPO-003", &["km-2"])],
        near: |d| set(d, "km-2", "ip", json!("10.0.1.30")),
    },
    Case {
        rule: "TOPO-003",
        trigger: |d| set(d, "clients", "cidr", json!("0.0.0.0/33")),
        expect: &[("TOPO-003", &["clients"])],
        near: |d| set(d, "clients", "cidr", json!("0.0.0.0/1")),
    },
    Case {
        rule: "TOPO-003",
        trigger: |d| set(d, "db-1", "host", json!("</clustering><x>")),
        expect: &[("TOPO-003", &["db-1"])],
        near: |d| set(d, "db-1", "host", json!("10.0.3.4")),
    },
    Case {
        rule: "TOPO-004",
        trigger: |d| set(d, "db-1", "host", json!("LDAP.bank.internal.")),
        expect: &[("TOPO-004", &["db-1", "ldap-1"])],
        near: |d| set(d, "db-1", "host", json!("db2.bank.internal")),
    },
    Case {
        rule: "TOPO-004",
        trigger: |d| set(d, "lb-1", "ip", json!("10.0.1.11")),
        expect: &[("TOPO-004", &["km-1", "lb-1"])],
        near: |d| set(d, "lb-1", "ip", json!("10.0.1.99")),
    },
    Case {
        rule: "TOPO-005",
        trigger: |d| add(d, "am-1", "api-manager", json!({})),
        expect: &[("TOPO-005", &["am-1"])],
        near: |d| {
            add(d, "am-1", "api-manager", json!({"ip": "10.0.1.20"}));
            link(d, "am-1", "lb-1");
        },
    },
    Case {
        // Load balancers share the cluster's public name: never a TOPO-004.
        rule: "TOPO-004",
        trigger: |d| {
            add(d, "lb-2", "load-balancer", json!({"hostname": "KM.bank.example.", "ip": "10.0.0.5", "instances": 2}));
            link(d, "lb-2", "km-1");
            link(d, "lb-2", "km-2");
        },
        expect: &[("TOPO-004", &["lb-1", "lb-2"])],
        near: |d| {
            add(d, "lb-2", "load-balancer", json!({"hostname": "KM.bank.example.", "ip": "10.0.0.6", "instances": 2}));
            link(d, "lb-2", "km-1");
            link(d, "lb-2", "km-2");
        },
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| unset(d, "db-1", "host"),
        expect: &[("TOPO-006", &["db-1"])],
        near: |d| set(d, "db-1", "host", json!("10.0.3.4")),
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| set(d, "ldap-1", "host", json!("")),
        expect: &[("TOPO-006", &["ldap-1"])],
        near: |d| {
            // Not linked to a KM node: the exports never address it.
            unset(d, "ldap-1", "host");
            unlink(d, "km-1", "ldap-1");
            unlink(d, "km-2", "ldap-1");
        },
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| unset(d, "lb-1", "ip"),
        expect: &[("TOPO-006", &["lb-1"])],
        near: |d| {
            unset(d, "lb-1", "ip");
            set(d, "lb-1", "product", json!("k8s-ingress"));
        },
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| {
            add(d, "am-1", "api-manager", json!({}));
            link(d, "am-1", "lb-1");
        },
        expect: &[("TOPO-006", &["am-1"])],
        near: |d| {
            add(d, "am-1", "api-manager", json!({"ip": "10.0.1.20"}));
            link(d, "am-1", "lb-1");
        },
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| {
            add(d, "bi-1", "analytics", json!({}));
            link(d, "km-1", "bi-1");
            link(d, "km-2", "bi-1");
        },
        expect: &[("TOPO-006", &["bi-1"])],
        near: |d| {
            add(d, "bi-1", "analytics", json!({"hostname": "bi.bank.internal"}));
            link(d, "km-1", "bi-1");
            link(d, "km-2", "bi-1");
        },
    },
    Case {
        rule: "TOPO-006",
        trigger: |d| unset(d, "fs-1", "host"),
        expect: &[("TOPO-006", &["fs-1"])],
        near: |d| set(d, "fs-1", "host", json!("nfs2.bank.internal")),
    },
    Case { rule: "CLU-001", trigger: |d| remove(d, "km-2"), expect: &[("CLU-001", &["km-1"])], near: |_| {} },
    Case {
        rule: "CLU-002",
        trigger: |d| set(d, "km-1", "clustering_enabled", json!(false)),
        expect: &[("CLU-002", &["km-1"])],
        near: |d| set(d, "km-1", "clustering_enabled", json!(true)),
    },
    Case {
        rule: "CLU-003",
        trigger: |d| d["cluster"]["membership_scheme"] = json!("aws"),
        expect: &[("CLU-003", &[])],
        near: |d| d["cluster"]["membership_scheme"] = json!("wka"),
    },
    Case {
        rule: "CLU-004",
        trigger: |d| {
            d["cluster"]["membership_scheme"] = json!("multicast");
            node(d, "km-2")["zone"] = json!("");
        },
        expect: &[("CLU-003", &[]), ("CLU-004", &["km-1", "km-2"])],
        near: |d| d["cluster"]["membership_scheme"] = json!("multicast"),
    },
    Case {
        rule: "CLU-005",
        trigger: |d| set(d, "km-1", "ip", json!("127.0.0.2")),
        expect: &[("CLU-005", &["km-1"])],
        near: |d| set(d, "km-1", "ip", json!("10.0.1.13")),
    },
    Case {
        rule: "CLU-005",
        trigger: |d| {
            unset(d, "km-2", "ip");
            set(d, "km-2", "hostname", json!("LocalHost."));
        },
        expect: &[("CLU-005", &["km-2"])],
        near: |d| unset(d, "km-2", "ip"),
    },
    Case {
        rule: "CLU-005",
        trigger: |d| {
            unset(d, "km-2", "ip");
            unset(d, "km-2", "hostname");
        },
        expect: &[("CLU-005", &["km-2"])],
        near: |d| unset(d, "km-2", "hostname"),
    },
    Case {
        rule: "CLU-005",
        trigger: |d| set(d, "km-2", "ip", json!("::")),
        expect: &[("CLU-005", &["km-2"])],
        near: |d| set(d, "km-2", "ip", json!("fd00::2")),
    },
    Case {
        rule: "CLU-006",
        trigger: |d| set(d, "km-2", "ip", json!("10.0.1.11")),
        expect: &[("CLU-006", &["km-1", "km-2"]), ("CLU-008", &["km-1", "km-2"])],
        near: |d| {
            set(d, "km-2", "ip", json!("10.0.1.11"));
            set(d, "km-2", "member_port", json!(4001));
        },
    },
    Case {
        rule: "CLU-007",
        trigger: |d| d["cluster"]["domain"] = json!("wso2 ob km"),
        expect: &[("CLU-007", &[])],
        near: |d| d["cluster"]["domain"] = json!("wso2_ob-km.2"),
    },
    Case {
        rule: "CLU-008",
        trigger: |d| {
            unset(d, "km-1", "ip");
            unset(d, "km-2", "ip");
            set(d, "km-2", "hostname", json!("KM1.bank.internal"));
            set(d, "km-2", "member_port", json!(4001));
        },
        expect: &[("CLU-008", &["km-1", "km-2"])],
        near: |d| {
            unset(d, "km-1", "ip");
            unset(d, "km-2", "ip");
        },
    },
    Case {
        rule: "LB-001",
        trigger: |d| {
            unlink(d, "lb-1", "km-1");
            unlink(d, "lb-1", "km-2");
        },
        expect: &[("LB-001", &[]), ("LB-003", &["km-1"]), ("LB-003", &["km-2"])],
        near: |d| unlink(d, "lb-1", "km-1"),
    },
    Case {
        rule: "LB-002",
        trigger: |d| set(d, "lb-1", "sticky_sessions", json!(false)),
        expect: &[("LB-002", &["lb-1"])],
        near: |d| set(d, "lb-1", "sticky_sessions", json!(true)),
    },
    Case {
        rule: "LB-003",
        trigger: |d| unlink(d, "lb-1", "km-2"),
        expect: &[("LB-003", &["km-2"])],
        near: |d| {
            unlink(d, "lb-1", "km-2");
            link(d, "km-2", "lb-1");
        },
    },
    Case {
        rule: "LB-004",
        trigger: |d| set(d, "lb-1", "backend_protocol", json!("http")),
        expect: &[("LB-004", &["lb-1"])],
        near: |d| set(d, "lb-1", "backend_protocol", json!("https")),
    },
    Case {
        rule: "LB-005",
        trigger: |d| set(d, "lb-1", "expose_http", json!(true)),
        expect: &[("LB-005", &["lb-1"])],
        near: |d| set(d, "lb-1", "expose_http", json!(false)),
    },
    Case {
        rule: "LB-006",
        trigger: |d| set(d, "lb-1", "instances", json!(1)),
        expect: &[("LB-006", &["lb-1"])],
        near: |d| {
            set(d, "lb-1", "instances", json!(1));
            add(d, "lb-2", "load-balancer", json!({"hostname": "km.bank.example"}));
            link(d, "lb-2", "km-1");
            link(d, "lb-2", "km-2");
        },
    },
    Case {
        rule: "LB-007",
        trigger: |d| set(d, "lb-1", "hostname", json!("")),
        expect: &[("LB-007", &["lb-1"])],
        near: |d| set(d, "lb-1", "hostname", json!("km.example")),
    },
    Case {
        rule: "LB-008",
        trigger: |d| {
            add(d, "lb-2", "load-balancer", json!({"hostname": "auth.bank.example", "ip": "10.0.0.6", "instances": 2}));
            link(d, "lb-2", "km-1");
            link(d, "lb-2", "km-2");
        },
        expect: &[("LB-008", &["lb-1", "lb-2"])],
        near: |d| {
            add(d, "lb-2", "load-balancer", json!({"hostname": "KM.Bank.Example.", "ip": "10.0.0.6", "instances": 2}));
            link(d, "lb-2", "km-1");
            link(d, "lb-2", "km-2");
        },
    },
    Case {
        rule: "DB-001",
        trigger: |d| set(d, "db-1", "databases", json!(["apim", "config", "governance", "openbanking"])),
        expect: &[("DB-001", &[])],
        near: |d| set(d, "db-1", "databases", json!(["openbanking", "user", "governance", "config", "apim"])),
    },
    Case {
        rule: "DB-002",
        trigger: |d| set(d, "db-1", "instances", json!(1)),
        expect: &[("DB-002", &["db-1"])],
        near: |d| set(d, "db-1", "instances", json!(3)),
    },
    Case {
        rule: "DB-002",
        trigger: |d| set(d, "db-1", "ha_mode", json!("none")),
        expect: &[("DB-002", &["db-1"])],
        near: |d| set(d, "db-1", "ha_mode", json!("multi-primary")),
    },
    Case {
        rule: "DB-003",
        trigger: |d| {
            set(d, "db-1", "databases", json!(["apim", "config", "governance", "user"]));
            add(
                d,
                "db-2",
                "database",
                json!({"host": "ob.db", "instances": 2, "ha_mode": "cluster", "databases": ["openbanking"]}),
            );
            link(d, "km-1", "db-2");
        },
        expect: &[("DB-003", &["km-2"])],
        near: |d| {
            set(d, "db-1", "databases", json!(["apim", "config", "governance", "user"]));
            add(
                d,
                "db-2",
                "database",
                json!({"host": "ob.db", "instances": 2, "ha_mode": "cluster", "databases": ["openbanking"]}),
            );
            link(d, "km-1", "db-2");
            link(d, "km-2", "db-2");
        },
    },
    Case {
        rule: "DB-004",
        trigger: |d| {
            add(
                d,
                "db-2",
                "database",
                json!({"host": "db2.x", "instances": 2, "ha_mode": "cluster", "databases": ["apim"]}),
            );
            link(d, "km-1", "db-2");
            link(d, "km-2", "db-2");
        },
        expect: &[("DB-004", &["db-1", "db-2"])],
        near: |d| {
            add(d, "db-2", "database", json!({"host": "db2.x", "instances": 2, "ha_mode": "cluster", "databases": []}));
            link(d, "km-1", "db-2");
            link(d, "km-2", "db-2");
        },
    },
    Case {
        rule: "DB-005",
        trigger: |d| set(d, "db-1", "engine", json!("mariadb")),
        expect: &[("DB-005", &["db-1"])],
        near: |d| set(d, "db-1", "version", json!("5.7.44")),
    },
    Case {
        rule: "DB-006",
        trigger: |d| set(d, "db-1", "version", json!("8.0.28")),
        expect: &[("DB-006", &["db-1"])],
        near: |d| set(d, "db-1", "version", json!("5.7.28")),
    },
    Case {
        rule: "DIR-001",
        trigger: |d| set(d, "ldap-1", "protocol", json!("other")),
        expect: &[("DIR-001", &["ldap-1"])],
        near: |d| set(d, "ldap-1", "protocol", json!("ldap-v2")),
    },
    Case {
        rule: "DIR-002",
        trigger: |d| set(d, "ldap-1", "instances", json!(1)),
        expect: &[("DIR-002", &["ldap-1"])],
        near: |d| set(d, "ldap-1", "instances", json!(2)),
    },
    Case {
        rule: "DIR-003",
        trigger: |d| unlink(d, "km-2", "ldap-1"),
        expect: &[("DIR-003", &["km-1", "km-2", "ldap-1"])],
        near: |d| {
            unlink(d, "km-2", "ldap-1");
            unlink(d, "km-1", "ldap-1");
            remove(d, "ldap-1");
        },
    },
    Case {
        rule: "DIR-004",
        trigger: |d| set(d, "ldap-1", "product", json!("apacheds")),
        expect: &[("DIR-004", &["ldap-1"])],
        near: |d| {
            set(d, "ldap-1", "product", json!("active-directory"));
            set(d, "ldap-1", "version", json!("2012-r2"));
        },
    },
    Case {
        rule: "FS-001",
        trigger: |d| unlink(d, "km-2", "fs-1"),
        expect: &[("FS-001", &["km-2"])],
        near: |d| {
            unlink(d, "km-2", "fs-1");
            link(d, "fs-1", "km-2");
        },
    },
    Case {
        rule: "FS-002",
        trigger: |d| set(d, "fs-1", "paths", json!(["userstores", "tenants"])),
        expect: &[("FS-002", &["fs-1"]), ("FS-002", &["fs-1"]), ("FS-002", &["fs-1"]), ("FS-002", &["fs-1"])],
        near: |d| {
            set(d, "fs-1", "paths", json!(["bpel", "humantasks", "eventstreams", "eventpublishers", "userstores"]))
        },
    },
    Case {
        rule: "FS-003",
        trigger: |d| set(d, "fs-1", "instances", json!(1)),
        expect: &[("FS-003", &["fs-1"])],
        near: |d| set(d, "fs-1", "instances", json!(2)),
    },
    Case {
        rule: "FS-004",
        trigger: |d| {
            add(d, "fs-2", "shared-storage", json!({"host": "nfs2.x", "instances": 2}));
            link(d, "km-2", "fs-2");
        },
        expect: &[("FS-004", &["fs-1", "fs-2", "km-1", "km-2"])],
        near: |d| {
            add(d, "fs-2", "shared-storage", json!({"host": "nfs2.x", "instances": 2}));
            link(d, "km-2", "fs-2");
            unlink(d, "km-2", "fs-2");
            link(d, "fs-2", "fs-2");
            unlink(d, "fs-2", "fs-2");
            remove(d, "fs-2");
        },
    },
    Case {
        rule: "HOST-001",
        trigger: |d| {
            set(d, "km-1", "memory_gb", json!(3.999));
            set(d, "km-1", "heap_gb", json!(1.999));
        },
        expect: &[("HOST-001", &["km-1"]), ("HOST-002", &["km-1"])],
        near: |d| {
            set(d, "km-1", "memory_gb", json!(4.1));
            set(d, "km-1", "heap_gb", json!(2.1));
        },
    },
    Case {
        rule: "HOST-002",
        trigger: |d| set(d, "km-2", "heap_gb", json!(1.5)),
        expect: &[("HOST-002", &["km-2"])],
        near: |d| set(d, "km-2", "heap_gb", json!(2)),
    },
    Case {
        rule: "HOST-003",
        trigger: |d| {
            set(d, "km-1", "memory_gb", json!(4.1));
            set(d, "km-1", "heap_gb", json!(2.2));
        },
        expect: &[("HOST-003", &["km-1"])],
        near: |d| {
            set(d, "km-1", "memory_gb", json!(4.1));
            set(d, "km-1", "heap_gb", json!(2.1));
        },
    },
    Case {
        rule: "HOST-004",
        trigger: |d| set(d, "km-1", "disk_gb", json!(9.9)),
        expect: &[("HOST-004", &["km-1"])],
        near: |d| unset(d, "km-1", "disk_gb"),
    },
    Case {
        rule: "HOST-005",
        trigger: |d| set(d, "km-1", "jdk", json!("11.0.9")),
        expect: &[("HOST-005", &["km-1"])],
        near: |d| set(d, "km-1", "jdk", json!("8u242-b08")),
    },
    Case {
        rule: "HOST-006",
        trigger: |d| set(d, "km-2", "jdk", json!("8u151-b12")),
        expect: &[("HOST-006", &["km-2"])],
        near: |d| set(d, "km-2", "jdk", json!("8u152-b12")),
    },
    Case {
        rule: "HOST-007",
        trigger: |d| set(d, "km-1", "jdk_vendor", json!("corretto")),
        expect: &[("HOST-007", &["km-1"])],
        near: |d| set(d, "km-1", "jdk_vendor", json!("oracle")),
    },
    Case {
        rule: "HOST-008",
        trigger: |d| set(d, "km-1", "os", json!("ubuntu-22.04")),
        expect: &[("HOST-008", &["km-1"])],
        near: |d| set(d, "km-1", "os", json!("ubuntu-16.04")),
    },
    Case {
        rule: "HOST-009",
        trigger: |d| set(d, "km-2", "update_level", json!(12)),
        expect: &[("HOST-009", &["km-1", "km-2"])],
        near: |d| {
            set(d, "km-2", "update_level", json!(12));
            set(d, "km-1", "update_level", json!(12));
        },
    },
    Case {
        rule: "HOST-009",
        trigger: |d| set(d, "km-2", "product_version", json!("1.5.1")),
        expect: &[("HOST-009", &["km-1", "km-2"])],
        near: |d| set(d, "km-2", "product_version", json!("1.5.0")),
    },
    Case {
        rule: "HOST-010",
        trigger: |d| set(d, "km-2", "keystore", json!("bank.jks")),
        expect: &[("HOST-010", &["km-1", "km-2"])],
        near: |d| set(d, "km-2", "keystore", json!("wso2carbon.jks")),
    },
    Case {
        rule: "HOST-011",
        trigger: |d| set(d, "km-1", "port_offset", json!(0)),
        expect: &[("HOST-011", &["km-1"])],
        near: |d| set(d, "km-1", "port_offset", json!(3)),
    },
    Case {
        rule: "AM-001",
        trigger: |d| {
            add(d, "am-1", "api-manager", json!({"ip": "10.0.1.20"}));
            link(d, "am-1", "lb-1");
            link(d, "km-2", "am-1");
        },
        expect: &[("AM-001", &["am-1"])],
        near: |d| {
            add(d, "am-1", "api-manager", json!({"ip": "10.0.1.20"}));
            link(d, "am-1", "lb-1");
        },
    },
    Case {
        rule: "WAIVE-001",
        trigger: |d| waive(d, json!({"rule": "DB-005", "reason": "MariaDB approved"})),
        expect: &[("WAIVE-001", &[])],
        near: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "reason": "MariaDB approved"}));
        },
    },
    Case {
        rule: "WAIVE-001",
        trigger: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "node": "ldap-1", "reason": "r"}));
        },
        expect: &[("DB-005", &["db-1"]), ("WAIVE-001", &["ldap-1"])],
        near: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "node": "db-1", "reason": "r"}));
        },
    },
    Case {
        rule: "WAIVE-002",
        trigger: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "reason": "r", "expires": "2026-11-25"}));
        },
        expect: &[("DB-005", &["db-1"]), ("WAIVE-002", &[])],
        near: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "reason": "r", "expires": "2026-11-26"}));
        },
    },
    Case {
        rule: "WAIVE-003",
        trigger: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "node": "db-1", "reason": "  "}));
        },
        expect: &[("DB-005", &["db-1"]), ("WAIVE-003", &["db-1"])],
        near: |d| {
            set(d, "db-1", "engine", json!("mariadb"));
            waive(d, json!({"rule": "DB-005", "node": "db-1", "reason": "ok"}));
        },
    },
];

#[test]
fn every_rule_fires_exactly_and_its_near_miss_does_not() {
    assert_findings("the HA template", &ha(), &[]);
    for (i, case) in CASES.iter().enumerate() {
        let name = format!("case {i} ({})", case.rule);
        let mut d = ha();
        (case.trigger)(&mut d);
        assert_findings(&name, &d, case.expect);
        assert!(case.expect.iter().any(|(r, _)| *r == case.rule), "{name} does not expect its own rule");
        let mut near = ha();
        (case.near)(&mut near);
        assert_absent(&name, case.rule, &near);
    }
}

#[test]
fn every_rule_of_rules_md_has_a_case() {
    let ids: Vec<&str> =
        obkm_topology::rules::catalog::all().chain(obkm_topology::rules::catalog::WAIVE_RULES).map(|r| r.id).collect();
    let spec =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rule-ids.txt")).unwrap();
    let spec_ids: Vec<&str> = spec.split_whitespace().collect();
    assert_eq!(ids.len(), spec_ids.len());
    for id in spec_ids {
        assert!(ids.contains(&id), "{id} is not in the catalogue");
        assert!(CASES.iter().any(|c| c.rule == id), "{id} has no test case");
    }
}

#[test]
fn shared_fixtures_give_exactly_their_expected_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".expected.json") else { continue };
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let design: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{stem}.json"))).unwrap()).unwrap();
        let want: Vec<(String, Vec<String>, bool)> = expected["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let nodes = f["nodes"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
                (f["rule"].as_str().unwrap().to_string(), nodes, f["waived"].as_bool().unwrap_or(false))
            })
            .collect();
        // In order, as rules.md prescribes.
        assert_eq!(findings(&design), want, "{stem}");
        n += 1;
    }
    assert!(n >= 2);
}

#[test]
fn templates_are_what_they_promise() {
    let check_t = |name: &str| check(&templates::design(name).unwrap().unwrap(), today());
    assert!(check_t("ha").findings.is_empty(), "{:?}", check_t("ha").findings);
    let two = check_t("ha-two-zones");
    assert_eq!(two.summary.error, 0, "{:?}", two.findings);
    assert_eq!(two.design, "Four nodes in two zones");
    let broken = check_t("broken");
    assert!(broken.has_errors());
}

#[test]
fn fs_002_severity_depends_on_the_product() {
    let mut d = ha();
    set(&mut d, "fs-1", "paths", json!([]));
    let report = |d: &Value| check(&load(&d.to_string()).unwrap(), today());
    let r = report(&d);
    assert_eq!(r.findings.iter().filter(|f| f.rule == "FS-002" && f.severity == Severity::Error).count(), 5);
    d["product"] = json!("ob-iam-2.0");
    let r = report(&d);
    let sev: Vec<Severity> = r.findings.iter().filter(|f| f.rule == "FS-002").map(|f| f.severity).collect();
    assert_eq!(sev, vec![Severity::Error, Severity::Warning, Severity::Warning, Severity::Warning, Severity::Warning]);
    assert!(r.findings[0].message.contains("userstores"));
}

#[test]
fn waivers_mark_findings_and_leave_the_totals() {
    let mut d = ha();
    set(&mut d, "db-1", "engine", json!("mariadb"));
    set(&mut d, "lb-1", "sticky_sessions", json!(false));
    waive(&mut d, json!({"rule": "DB-005", "reason": "approved by the DBA team", "expires": "2027-06-30"}));
    waive(&mut d, json!({"rule": "LB-002", "node": "lb-1", "reason": "ok"}));
    let r = check(&load(&d.to_string()).unwrap(), today());
    assert_eq!(r.findings.iter().filter(|f| f.waived).count(), 2);
    assert_eq!((r.summary.error, r.summary.warning, r.summary.waived), (0, 0, 2));
    assert!(!r.has_errors());
    // After expiry the finding counts again.
    let r = check(&load(&d.to_string()).unwrap(), Date::parse("2027-07-01").unwrap());
    assert_eq!((r.summary.warning, r.summary.waived), (2, 1), "{:?}", r.findings);
}

#[test]
fn findings_are_ordered_and_deterministic() {
    let broken: Value = serde_json::from_str(templates::text("broken").unwrap()).unwrap();
    let design = load(&broken.to_string()).unwrap();
    let a = check(&design, today());
    let b = check(&design, today());
    assert_eq!(a, b);
    let sev: Vec<Severity> = a.findings.iter().map(|f| f.severity).collect();
    let mut sorted = sev.clone();
    sorted.sort();
    assert_eq!(sev, sorted);
    for f in &a.findings {
        assert!(!f.message.is_empty() && !f.title.is_empty() && !f.source.is_empty() && !f.fix.is_empty());
        // Messages name nodes by label.
        if f.nodes == ["km-1"] {
            assert!(f.message.contains("KM"), "{}", f.message);
        }
    }
}

#[test]
fn the_checker_copes_with_any_loadable_design() {
    // Empty design: only CLU-001 (no KM node).
    let empty = load(r#"{"format":"obkm-topology","version":1}"#).unwrap();
    let r = check(&empty, today());
    assert_eq!(r.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), vec!["CLU-001"]);
    assert!(r.findings[0].nodes.is_empty());
    // Without KM nodes only TOPO, CLU-001, LB-005, DB-005, DB-006 and WAIVE can fire.
    let mut d = ha();
    remove(&mut d, "km-1");
    remove(&mut d, "km-2");
    set(&mut d, "lb-1", "expose_http", json!(true));
    set(&mut d, "lb-1", "sticky_sessions", json!(false));
    set(&mut d, "db-1", "engine", json!("mariadb"));
    let r = check(&load(&d.to_string()).unwrap(), today());
    for f in &r.findings {
        assert!(
            f.rule.starts_with("TOPO-") || ["CLU-001", "LB-005", "DB-005", "DB-006"].contains(&f.rule),
            "{}",
            f.rule
        );
    }
    // Hostile sizes.
    let mut d = ha();
    set(&mut d, "km-1", "memory_gb", json!(1e308));
    set(&mut d, "km-1", "heap_gb", json!(-1e308));
    let _ = check(&load(&d.to_string()).unwrap(), today());
}

#[test]
fn quick_fixes_resolve_their_findings_in_one_undoable_step() {
    use obkm_topology::model::apply;
    use obkm_topology::rules::fixes;
    type Mutation = fn(&mut Value);
    let cases: Vec<(&str, Mutation)> = vec![
        ("LB-002", |d| set(d, "lb-1", "sticky_sessions", json!(false))),
        ("LB-004", |d| set(d, "lb-1", "backend_protocol", json!("http"))),
        ("FS-002", |d| set(d, "fs-1", "paths", json!(["tenants"]))),
        ("CLU-001", |d| remove(d, "km-2")),
        ("DB-002", |d| {
            set(d, "db-1", "instances", json!(1));
            set(d, "db-1", "ha_mode", json!("none"));
        }),
        ("DIR-002", |d| set(d, "ldap-1", "instances", json!(1))),
        ("CLU-002", |d| set(d, "km-2", "clustering_enabled", json!(false))),
    ];
    for (rule, mutate) in cases {
        let mut v = ha();
        mutate(&mut v);
        let mut d = load(&v.to_string()).unwrap();
        let before = d.clone();
        let report = check(&d, today());
        let finding = report.findings.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("{rule} did not fire"));
        assert!(fixes::label(&d, finding).is_some(), "{rule} has no fix label");
        // FS-002 fires once per directory; one fix shares them all.
        let cmd = fixes::fix(&d, finding).unwrap();
        let inverse = apply(&mut d, cmd).unwrap();
        let after = check(&d, today());
        assert!(after.findings.iter().all(|f| f.rule != rule), "{rule} still fires: {:?}", after.findings);
        assert!(after.findings.is_empty(), "{rule}: the fix left {:?}", after.findings);
        apply(&mut d, inverse).unwrap();
        assert_eq!(d, before, "{rule}: undo did not restore the design");
    }
    // Findings without a mechanical fix offer none.
    let mut v = ha();
    set(&mut v, "km-1", "os", json!("rhel-9"));
    let d = load(&v.to_string()).unwrap();
    let r = check(&d, today());
    assert!(fixes::fix(&d, &r.findings[0]).is_none());
}

/// A random design for the fix property: a template or fixture, then a few edits of the kinds
/// people make (weak hosts, a bad JDK, wrong offsets, single instances, plain HTTP, duplicate
/// links, removed nodes).
fn random_design(base: usize, edits: &[(u8, u8, u8)]) -> Value {
    let text = match base % 4 {
        0 => templates::text("ha").unwrap().to_string(),
        1 => templates::text("ha-two-zones").unwrap().to_string(),
        2 => std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken-single-node.json"),
        )
        .unwrap(),
        _ => std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ha-reference.json"))
            .unwrap(),
    };
    let mut d: Value = serde_json::from_str(&text).unwrap();
    for &(what, which, value) in edits {
        let nodes = d["nodes"].as_array().unwrap();
        if nodes.is_empty() {
            break;
        }
        let target = nodes[which as usize % nodes.len()]["id"].as_str().unwrap().to_string();
        let kind = nodes[which as usize % nodes.len()]["kind"].as_str().unwrap().to_string();
        let v = value as f64 / 16.0;
        match (what % 12, kind.as_str()) {
            (0, "key-manager") => set(&mut d, &target, "memory_gb", json!(v)),
            (1, "key-manager") => set(&mut d, &target, "heap_gb", json!(v / 2.0)),
            (2, "key-manager") => set(&mut d, &target, "disk_gb", json!(value)),
            (3, "key-manager") => set(
                &mut d,
                &target,
                "jdk",
                json!(["1.8.0_151", "8u151-b12", "11.0.9", "1.8.0_202"][value as usize % 4]),
            ),
            (4, "key-manager") => set(&mut d, &target, "port_offset", json!(value % 5)),
            (5, "key-manager") => set(&mut d, &target, "clustering_enabled", json!(value % 2 == 0)),
            (6, "load-balancer") => set(&mut d, &target, "expose_http", json!(value % 2 == 0)),
            (7, "load-balancer") => set(&mut d, &target, "sticky_sessions", json!(value % 2 == 0)),
            (8, "database" | "directory" | "shared-storage") => set(&mut d, &target, "instances", json!(1)),
            (9, _) => {
                let links = d["links"].as_array().unwrap();
                if !links.is_empty() {
                    let l = links[value as usize % links.len()].clone();
                    d["links"].as_array_mut().unwrap().push(l);
                }
            }
            (10, _) if value % 4 == 0 => remove(&mut d, &target),
            (11, "key-manager") => set(&mut d, &target, "ip", json!("")),
            _ => {}
        }
    }
    d
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 96, ..proptest::prelude::ProptestConfig::default() })]

    /// Every offered fix removes its finding and never raises the number of unwaived errors,
    /// nor of warnings; a rule that fires per node may fire for a node the fix added only
    /// where it already fired for the node that node was modelled on.
    #[test]
    fn every_offered_fix_makes_the_design_better(
        base in 0usize..4,
        edits in proptest::collection::vec((0u8..=255, 0u8..=255, 0u8..=255), 0..8),
    ) {
        use obkm_topology::model::apply;
        use obkm_topology::rules::fixes;
        let v = random_design(base, &edits);
        let d = load(&v.to_string()).unwrap();
        let before = check(&d, today());
        let counts = |r: &obkm_topology::rules::Report, skip: &dyn Fn(&obkm_topology::rules::Finding) -> bool| {
            let n = |s: Severity| r.findings.iter().filter(|f| f.severity == s && !f.waived && !skip(f)).count();
            (n(Severity::Error), n(Severity::Warning))
        };
        for finding in &before.findings {
            let Some(cmd) = fixes::fix(&d, finding) else { continue };
            proptest::prop_assert!(fixes::label(&d, finding).is_some());
            let mut fixed = d.clone();
            apply(&mut fixed, cmd).unwrap();
            let after = check(&fixed, today());
            proptest::prop_assert!(
                !after.findings.iter().any(|f| f.rule == finding.rule && f.nodes == finding.nodes),
                "the {} fix left its finding {:?}", finding.rule, finding.nodes
            );
            // Nodes the fix added, and the first KM node they are modelled on.
            let added: Vec<String> = fixed.nodes.iter().filter(|n| d.node(&n.id).is_none()).map(|n| n.id.to_string()).collect();
            let model = d.nodes.iter().find(|n| n.kind == obkm_topology::model::NodeKind::KeyManager).map(|n| n.id.to_string());
            let allowed = |f: &obkm_topology::rules::Finding| {
                f.nodes.len() == 1 && added.contains(&f.nodes[0]) && model.as_ref().is_some_and(|m| {
                    before.findings.iter().any(|b| b.rule == f.rule && b.nodes == vec![m.clone()])
                })
            };
            let (e0, w0) = counts(&before, &|_| false);
            let (e1, w1) = counts(&after, &allowed);
            proptest::prop_assert!(e1 <= e0, "the {} fix raised errors {e0} -> {e1}: {:?}", finding.rule, after.findings);
            proptest::prop_assert!(w1 <= w0, "the {} fix raised warnings {w0} -> {w1}: {:?}", finding.rule, after.findings);
        }
    }
}

#[test]
fn the_clu_001_fix_turns_the_broken_template_better() {
    use obkm_topology::model::apply;
    use obkm_topology::rules::fixes;
    let mut d = templates::design("broken").unwrap().unwrap();
    let before = check(&d, today());
    let f = before.findings.iter().find(|f| f.rule == "CLU-001").unwrap();
    let cmd = fixes::fix(&d, f).unwrap();
    apply(&mut d, cmd).unwrap();
    let after = check(&d, today());
    assert!(after.summary.error <= before.summary.error, "{} -> {}", before.summary.error, after.summary.error);
    // The added node has the documented host values.
    for f in after.findings.iter().filter(|f| f.nodes == ["km-2"]) {
        assert!(!f.rule.starts_with("HOST-00") || f.rule == "HOST-008", "{f:?}");
    }
    // Nothing to model a node on: no fix.
    let mut v = ha();
    remove(&mut v, "km-1");
    remove(&mut v, "km-2");
    let d = load(&v.to_string()).unwrap();
    let r = check(&d, today());
    let f = r.findings.iter().find(|f| f.rule == "CLU-001").unwrap();
    assert!(fixes::fix(&d, f).is_none());
}

/// The fingerprints of a report, finding by finding (rule, fingerprint), sorted.
fn fingerprints(r: &obkm_topology::rules::Report) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = r.findings.iter().map(|f| (f.rule.to_string(), f.fingerprint())).collect();
    v.sort();
    v
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..proptest::prelude::ProptestConfig::default() })]

    /// Moves and relabels (of nodes and of the design) never change a fingerprint; within a
    /// report, two findings share one only when they are the same finding twice over.
    #[test]
    fn fingerprints_survive_moves_and_relabels(
        base in 0usize..4,
        edits in proptest::collection::vec((0u8..=255, 0u8..=255, 0u8..=255), 0..8),
        moves in proptest::collection::vec((0u8..=255, -5000i32..5000, -5000i32..5000, proptest::bool::ANY), 1..12),
    ) {
        use obkm_topology::model::{apply, Command};
        let v = random_design(base, &edits);
        let d = load(&v.to_string()).unwrap();
        let before = check(&d, today());
        let mut moved = d.clone();
        for (which, x, y, relabel) in moves {
            if moved.nodes.is_empty() {
                break;
            }
            let id = moved.nodes[which as usize % moved.nodes.len()].id.clone();
            let cmd = if relabel {
                Command::SetLabel { id, label: format!("renamed {x} <b>&") }
            } else {
                Command::MoveNode { id, x: f64::from(x), y: f64::from(y) }
            };
            apply(&mut moved, cmd).unwrap();
        }
        moved.name = "Another name".into();
        let after = check(&moved, today());
        proptest::prop_assert_eq!(fingerprints(&before), fingerprints(&after));
        for f in &before.findings {
            let f_hex = f.fingerprint();
            proptest::prop_assert!(f_hex.len() == 16 && f_hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            for g in &before.findings {
                if f.fingerprint() == g.fingerprint() {
                    proptest::prop_assert!(f.rule == g.rule && f.nodes == g.nodes, "{:?} and {:?} share a fingerprint", f, g);
                }
            }
        }
    }
}

#[test]
fn a_fingerprint_is_about_its_subject_not_every_node_named() {
    // SHA-256 of "<rule>|<subject>", first 16 hex digits (computed apart with Python's hashlib).
    let broken = load(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken-single-node.json"))
            .unwrap(),
    )
    .unwrap();
    let r = check(&broken, today());
    let fp = |rule: &str| r.findings.iter().find(|f| f.rule == rule).map(|f| f.fingerprint()).unwrap();
    assert_eq!(fp("CLU-001"), "bc40be091e85183d", "design-wide: CLU-001|");
    assert_eq!(fp("HOST-001"), "e17b70789e2d55bf", "one node: HOST-001|km-1");
    assert_eq!(fp("DB-002"), "39a4ddcfdcbf6195", "one node: DB-002|db-1");

    // Adding a Key Manager node leaves the fingerprints of the findings naming them all alone.
    let mut d = ha();
    set(&mut d, "km-2", "product_version", json!("1.5.1"));
    set(&mut d, "km-1", "keystore", json!("other.jks"));
    set(&mut d, "lb-1", "instances", json!(1));
    let one = check(&load(&d.to_string()).unwrap(), today());
    let mut more = d.clone();
    let km = node(&mut more, "km-2").clone();
    let mut km4 = km.clone();
    km4["id"] = json!("km-9");
    km4["props"]["ip"] = json!("10.0.1.99");
    km4["props"]["hostname"] = json!("km9.internal");
    more["nodes"].as_array_mut().unwrap().push(km4);
    for l in more["links"].clone().as_array().unwrap() {
        if l["to"] == "km-2" || l["from"] == "km-2" {
            let s = l.to_string().replace("\"km-2\"", "\"km-9\"");
            more["links"].as_array_mut().unwrap().push(serde_json::from_str(&s).unwrap());
        }
    }
    let two = check(&load(&more.to_string()).unwrap(), today());
    for rule in ["HOST-009", "HOST-010", "LB-006"] {
        let a = one.findings.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("{rule} fires"));
        let b = two.findings.iter().find(|f| f.rule == rule).unwrap();
        if rule != "LB-006" {
            assert_ne!(a.nodes, b.nodes, "{rule} names the new node");
        }
        assert_eq!(a.fingerprint(), b.fingerprint(), "{rule}'s fingerprint is the design's");
    }

    // A finding about something else has another: the same rule on another node, another
    // logical database, another address.
    let mut d = ha();
    set(&mut d, "km-1", "memory_gb", json!(2));
    set(&mut d, "km-2", "memory_gb", json!(2));
    set(&mut d, "db-1", "databases", json!(["apim", "config"]));
    let r = check(&load(&d.to_string()).unwrap(), today());
    let all: Vec<String> = r.findings.iter().map(|f| f.fingerprint()).collect();
    let host: Vec<&String> = r
        .findings
        .iter()
        .filter(|f| f.rule == "HOST-001")
        .map(|f| &all[r.findings.iter().position(|g| std::ptr::eq(g, f)).unwrap()])
        .collect();
    assert_eq!(host.len(), 2);
    assert_ne!(host[0], host[1]);
    let dbs: std::collections::BTreeSet<String> =
        r.findings.iter().filter(|f| f.rule == "DB-001").map(|f| f.fingerprint()).collect();
    assert_eq!(dbs.len(), 3, "one fingerprint per missing logical database: {:?}", r.findings);
}

#[test]
fn load_balancer_source_addresses_are_checked_and_count_as_its_source() {
    // Malformed entries are TOPO-003.
    let mut d = ha();
    set(&mut d, "lb-1", "source_addresses", json!(["10.0.0.6", "10.0.0.300", "10.0.8.0/33"]));
    let r = check(&load(&d.to_string()).unwrap(), today());
    let f = r.findings.iter().find(|f| f.rule == "TOPO-003").expect("TOPO-003");
    assert!(
        f.message.contains("source_addresses \"10.0.0.300\"") && f.message.contains("\"10.0.8.0/33\""),
        "{}",
        f.message
    );
    // Without an ip, listed instances are the load balancer's source: no TOPO-006.
    let mut d = ha();
    unset(&mut d, "lb-1", "ip");
    assert!(check(&load(&d.to_string()).unwrap(), today()).findings.iter().any(|f| f.rule == "TOPO-006"));
    set(&mut d, "lb-1", "source_addresses", json!(["10.0.0.6", "10.0.0.7"]));
    assert_absent("source addresses", "TOPO-006", &d);
    // A database with an ip and no host: TOPO-006 counts either.
    let mut d = ha();
    unset(&mut d, "db-1", "host");
    assert!(check(&load(&d.to_string()).unwrap(), today()).findings.iter().any(|f| f.rule == "TOPO-006"));
    set(&mut d, "db-1", "ip", json!("10.0.2.10"));
    assert_absent("database ip", "TOPO-006", &d);
}
