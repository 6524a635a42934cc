//! Hosts (HOST), sources HA, ENV: per Key Manager node unless said.

use super::*;
use crate::model::number::Num;

/// The rules of this family, in id order.
pub const RULES: &[Rule] = &[
    rule!("HOST-001", Error, false, "Less than 4 GB of memory", HA, "Give the host 4 GB or more", host_001),
    rule!("HOST-002", Error, false, "JVM heap under 2 GB", HA, "Set a 2 GB heap", host_002),
    rule!(
        "HOST-003",
        Error,
        false,
        "Less than 2 GB left for the operating system",
        HA,
        "Add memory or lower the heap",
        host_003
    ),
    rule!("HOST-004", Error, false, "Less than 10 GB of disk", HA, "Give it 10 GB", host_004),
    rule!("HOST-005", Error, false, "JDK is not Java 8", HA, "Install JDK 1.8", host_005),
    rule!("HOST-006", Error, false, "JDK 1.8.0_151 has a known issue", HA, "Use another 1.8 update", host_006),
    rule!("HOST-007", Info, false, "JDK vendor is not Oracle", HA, "None needed", host_007),
    rule!(
        "HOST-008",
        Warning,
        false,
        "Operating system not on the tested list",
        ENV,
        "Use a tested OS, or waive",
        host_008
    ),
    rule!(
        "HOST-009",
        Error,
        false,
        "Key Manager nodes run different versions",
        HA,
        "Align product version and update level",
        host_009
    ),
    rule!(
        "HOST-010",
        Error,
        false,
        "Key Manager nodes use different keystores",
        HA,
        "Use one keystore on every node",
        host_010
    ),
    rule!("HOST-011", Warning, false, "Port offset is not 3", HA, "Use offset 3 (HTTP 9766, HTTPS 9446)", host_011),
];

fn gb(mb: i64) -> String {
    format!("{} GB", Num(mb as f64 / 1000.0))
}

fn host_001(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "memory_gb");
        if m < 4000 {
            h.add([i], format!("{} has {} of memory; the HA page requires 4 GB", c.label(i), gb(m)));
        }
    }
}

fn host_002(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "heap_gb");
        if m < 2000 {
            h.add([i], format!("{} has a {} JVM heap; the HA page requires 2 GB", c.label(i), gb(m)));
        }
    }
}

fn host_003(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let left = c.mb(i, "memory_gb") - c.mb(i, "heap_gb");
        if left < 2000 {
            h.add(
                [i],
                format!("{} leaves {} for the operating system; the HA page requires 2 GB", c.label(i), gb(left)),
            );
        }
    }
}

fn host_004(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let m = c.mb(i, "disk_gb");
        if m < 10000 {
            h.add([i], format!("{} has {} of disk; the HA page requires 10 GB", c.label(i), gb(m)));
        }
    }
}

/// The Java 8 update number when `jdk` is a Java 8 version string (`1.8`, `1.8.0`,
/// `1.8.0_202`, `8`, `8u242-b08`, …): `Some(None)` for Java 8 without an update number.
pub fn java8_update(jdk: &str) -> Option<Option<&str>> {
    // ^(1\.8(\.0(_\d+)?)?|8(u\d+)?)([-+][0-9A-Za-z.-]*)?$
    let digits = |s: &str| -> usize { s.bytes().take_while(u8::is_ascii_digit).count() };
    let (update, rest) = if let Some(r) = jdk.strip_prefix("1.8") {
        match r.strip_prefix(".0") {
            Some(r2) => match r2.strip_prefix('_') {
                Some(r3) => {
                    let n = digits(r3);
                    if n == 0 {
                        return None;
                    }
                    (Some(&r3[..n]), &r3[n..])
                }
                None => (None, r2),
            },
            None => (None, r),
        }
    } else if let Some(r) = jdk.strip_prefix('8') {
        match r.strip_prefix('u') {
            Some(r2) => {
                let n = digits(r2);
                if n == 0 {
                    return None;
                }
                (Some(&r2[..n]), &r2[n..])
            }
            None => (None, r),
        }
    } else {
        return None;
    };
    let suffix_ok = rest.is_empty()
        || ((rest.starts_with('-') || rest.starts_with('+'))
            && rest[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
    suffix_ok.then_some(update)
}

fn host_005(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let jdk = c.str(i, "jdk");
        if java8_update(&jdk).is_none() {
            h.add([i], format!("{} runs JDK {jdk}; the HA page documents JDK 1.8", c.label(i)));
        }
    }
}

fn host_006(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let jdk = c.str(i, "jdk");
        if java8_update(&jdk) == Some(Some("151")) {
            h.add([i], format!("{} runs JDK {jdk}, which has a known issue", c.label(i)));
        }
    }
}

fn host_007(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let vendor = c.str(i, "jdk_vendor");
        if vendor != "oracle" {
            h.add([i], format!("{} runs a {vendor} JDK; the HA page documents Oracle JDK 1.8", c.label(i)));
        }
    }
}

fn host_008(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let os = c.str(i, "os");
        if !tested::os_tested(&os) {
            h.add([i], format!("{} runs {os}, not on the {}", c.label(i), tested::PROVENANCE));
        }
    }
}

fn differing(c: &Ctx, value: impl Fn(usize) -> String) -> Option<Vec<String>> {
    // Inserted one by one: collecting into a set brings a sort of its own into the module.
    let mut values: BTreeSet<String> = BTreeSet::new();
    for &i in &c.kms {
        values.insert(value(i));
    }
    (values.len() > 1).then(|| values.into_iter().collect())
}

fn host_009(c: &Ctx, h: &mut Hits) {
    // Compared first, worded only when they differ.
    let first = c.kms.first().map(|&i| (c.str(i, "product_version"), c.num(i, "update_level")));
    if c.kms.iter().all(|&i| Some((c.str(i, "product_version"), c.num(i, "update_level"))) == first) {
        return;
    }
    let version = |i: usize| format!("{} update {}", c.str(i, "product_version"), Num(c.num(i, "update_level")));
    if let Some(values) = differing(c, version) {
        h.about(c.kms.clone(), "", format!("The Key Manager nodes run different versions: {}", values.join("; ")));
    }
}

fn host_010(c: &Ctx, h: &mut Hits) {
    let first = c.kms.first().map(|&i| c.str(i, "keystore"));
    if c.kms.iter().all(|&i| Some(c.str(i, "keystore")) == first) {
        return;
    }
    if let Some(values) = differing(c, |i| c.str(i, "keystore").into_owned()) {
        h.about(c.kms.clone(), "", format!("The Key Manager nodes use different keystores: {}", values.join(", ")));
    }
}

fn host_011(c: &Ctx, h: &mut Hits) {
    for &i in &c.kms {
        let offset = c.num(i, "port_offset");
        if offset != 3.0 {
            h.add(
                [i],
                format!(
                    "{} uses port offset {} (HTTP {}, HTTPS {}) instead of 3",
                    c.label(i),
                    Num(offset),
                    Num(9763.0 + offset),
                    Num(9443.0 + offset)
                ),
            );
        }
    }
}
