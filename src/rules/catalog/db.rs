//! Databases (DB), sources HA, CFG, ENV.

use super::*;
use crate::model::number::Num;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
    rule!(
        "DB-001",
        Error,
        false,
        "Logical database hosted nowhere",
        HA,
        "Add a database node that hosts it and link it to the Key Manager nodes (or host it on the linked one)",
        db_001
    ),
    rule!(
        "DB-002",
        Error,
        false,
        "Database is not highly available",
        HA,
        "Make it HA: 2 or more instances and an HA mode",
        db_002
    ),
    rule!("DB-003", Error, false, "Key Manager node cannot reach a database", HA, "Link it to the database", db_003),
    rule!("DB-004", Error, false, "Logical database hosted twice", HA, "Host each logical database once", db_004),
    rule!("DB-005", Warning, true, "DBMS not on the tested list", ENV, "Use a tested DBMS, or waive", db_005),
    rule!(
        "DB-006",
        Warning,
        true,
        "MySQL 8 needs latin1 databases",
        ENV,
        "Create the databases with the latin1 character set (noted in the bundle)",
        db_006
    ),
];

/// Database nodes linked to KM nodes, with the logical databases each hosts.
fn hosted(c: &Ctx) -> Vec<(usize, Vec<String>)> {
    c.linked_to_kms(NodeKind::Database).into_iter().map(|i| (i, c.list(i, "databases"))).collect()
}

fn logical_name(product: Product, db: &str) -> String {
    match (product, db) {
        (Product::ObKm13, "openbanking") => "openbanking (consent)".to_string(),
        _ => db.to_string(),
    }
}

fn db_001(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    for db in LOGICAL_DATABASES {
        if !hosted.iter().any(|(_, dbs)| dbs.iter().any(|d| d == db)) {
            h.about(
                [],
                *db,
                format!(
                    "The {} database is hosted by no database linked to the Key Manager nodes",
                    logical_name(c.product, db)
                ),
            );
        }
    }
}

fn db_002(c: &Ctx, h: &mut Hits) {
    for (i, _) in hosted(c) {
        let instances = c.num(i, "instances");
        let mode = c.str(i, "ha_mode");
        if instances < 2.0 || mode == "none" {
            h.add([i], format!("{} runs {} instance(s) with HA mode {mode}", c.label(i), Num(instances)));
        }
    }
}

fn db_003(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    // Per logical database, the database nodes (linked to KM nodes) that host it.
    let hosts: Vec<(&str, Vec<usize>)> = LOGICAL_DATABASES
        .iter()
        .map(|db| (*db, hosted.iter().filter(|(_, dbs)| dbs.iter().any(|d| d == db)).map(|(i, _)| *i).collect()))
        .collect();
    for &k in &c.kms {
        let mine = c.neighbours(k);
        let missing: Vec<String> = hosts
            .iter()
            .filter(|(_, hs)| !hs.is_empty() && !hs.iter().any(|i| mine.binary_search(i).is_ok()))
            .map(|(db, _)| logical_name(c.product, db))
            .collect();
        if !missing.is_empty() {
            h.add([k], format!("{} is linked to no database hosting {}", c.label(k), missing.join(", ")));
        }
    }
}

fn db_004(c: &Ctx, h: &mut Hits) {
    let hosted = hosted(c);
    for db in LOGICAL_DATABASES {
        let hosts: Vec<usize> = hosted.iter().filter(|(_, dbs)| dbs.iter().any(|d| d == db)).map(|(i, _)| *i).collect();
        if hosts.len() > 1 {
            h.about(
                hosts.clone(),
                *db,
                format!(
                    "The {} database is hosted by {}: the nodes would not share data",
                    logical_name(c.product, db),
                    c.labels(&hosts)
                ),
            );
        }
    }
}

fn db_005(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::Database) {
        let (engine, version) = (c.str(i, "engine"), c.str(i, "version"));
        if !tested::dbms_tested(&engine, &version) {
            h.add([i], format!("{} runs {engine} {version}, not on the {}", c.label(i), tested::PROVENANCE));
        }
    }
}

fn db_006(c: &Ctx, h: &mut Hits) {
    for i in c.of_kind(NodeKind::Database) {
        if c.str(i, "engine") == "mysql" && c.str(i, "version").trim().starts_with('8') {
            h.add([i], format!("{} runs MySQL 8: create the databases with the latin1 character set", c.label(i)));
        }
    }
}
