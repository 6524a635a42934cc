//! The tested environments (data for DB-005, DIR-004, HOST-008), with their provenance. The
//! Identity Server 5.7 lists were not retrievable; these are the IS 5.9/5.10 lists, used as
//! provisional data for every product (tested.md).

/// Where the lists come from, shown to the user.
pub const PROVENANCE: &str = "tested list: IS 5.9/5.10 compatibility page";

/// Tested DBMS versions by engine id.
pub const DBMS: &[(&str, &[&str])] = &[
    ("mysql", &["5.7", "8.0"]),
    ("oracle", &["12.1", "12.2", "12c", "19", "19c"]),
    ("mssql", &["2017", "2019", "14.0", "15.0"]),
    ("db2", &["10.5", "11.5"]),
    ("postgresql", &["10", "11", "12"]),
];

/// Tested directory versions by product id.
pub const LDAP: &[(&str, &[&str])] = &[("openldap", &["2.4"]), ("active-directory", &["2012", "2012-r2", "2016"])];

/// Tested operating system ids.
pub const OS: &[&str] = &["ubuntu-16.04", "ubuntu-18.04", "centos-7", "windows-2012-r2", "windows-2016"];

/// A version matches an entry when it equals it or starts with it followed by `.`; case is
/// ignored (`5.7` matches `5.7.31`; `12` matches `12.4`).
pub fn version_matches(version: &str, entry: &str) -> bool {
    // Compared without case and without allocating (the checker asks once per node and entry).
    let v = version.trim().as_bytes();
    let e = entry.as_bytes();
    v.len() >= e.len() && v[..e.len()].eq_ignore_ascii_case(e) && (v.len() == e.len() || v[e.len()] == b'.')
}

fn listed(table: &[(&str, &[&str])], product: &str, version: &str) -> bool {
    table
        .iter()
        .any(|(p, versions)| p.eq_ignore_ascii_case(product) && versions.iter().any(|e| version_matches(version, e)))
}

/// True when a DBMS engine and version are on the tested list.
pub fn dbms_tested(engine: &str, version: &str) -> bool {
    listed(DBMS, engine, version)
}

/// True when a directory product and version are on the tested list.
pub fn ldap_tested(product: &str, version: &str) -> bool {
    listed(LDAP, product, version)
}

/// True when an operating system id is on the tested list.
pub fn os_tested(os: &str) -> bool {
    OS.iter().any(|e| version_matches(os, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_tested_md() {
        assert!(dbms_tested("mysql", "5.7.31") && dbms_tested("MySQL", "8.0") && dbms_tested("postgresql", "12.4"));
        assert!(!dbms_tested("mysql", "5.70") && !dbms_tested("mariadb", "10.5") && !dbms_tested("postgresql", "13"));
        assert!(dbms_tested("oracle", "19C") && dbms_tested("mssql", "2019"));
        assert!(ldap_tested("openldap", "2.4.44") && ldap_tested("active-directory", "2012-R2"));
        assert!(!ldap_tested("apacheds", "2.0") && !ldap_tested("openldap", "2.5"));
        assert!(
            os_tested("ubuntu-18.04") && os_tested("centos-7.9") && !os_tested("ubuntu-22.04") && !os_tested("rhel-8")
        );
    }
}
