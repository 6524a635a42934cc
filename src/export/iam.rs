//! OB IAM 2.0 (Identity Server 5.10): the shipped `repository/conf/deployment.toml` holds
//! everything Open Banking needs, so the bundle never replaces it. `patches.json` lists the
//! keys the design decides, each in the table where WSO2's own file defines it (the real
//! file: puppet-open-banking v2.0.x `modules/obiam/templates/carbon-home/repository/conf/UK/
//! deployment.toml.erb`, copied in `../shared/wso2-pack/ob-iam-2.0/`), and apply-config.py
//! sets them in place, keeping every other table, key, comment and line.

use serde_json::{json, Value};

use super::flows::Addr;
use super::hosts::{retarget, Hosts, Style, IAM_TOML};
use super::km::{dbs, directory, http_exposed, ldap_properties, ldap_url, read_only_store, scheme_params, Entry};
use crate::model::{Design, MembershipScheme, Node, NodeKind};

const FILE: &str = "repository/conf/deployment.toml";

/// A TOML value as text: a basic string with TOML's escapes.
fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML array of strings.
fn array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", parts.join(", "))
}

struct Patches(Vec<Value>);

impl Patches {
    fn set(&mut self, table: &str, key: &str, value: String) {
        self.0.push(json!({"file": FILE, "toml_table": table, "key": key, "value": value}));
    }

    fn set_in(&mut self, table: &str, (mk, mv): (&str, &str), key: &str, value: String) {
        self.0.push(json!({
            "file": FILE, "toml_table": table, "toml_array": true, "toml_match": {mk: mv},
            "key": key, "value": value
        }));
    }
}

/// The `patches.json` of one Key Manager node of an OB IAM 2.0 design.
pub fn patches(d: &Design, km: &Node) -> Vec<Value> {
    let p = d.product;
    let hosts = Hosts::of(d, km);
    let me = Addr::of(km, p);
    let mut t = Patches(Vec::new());
    // [server]: the public host name (ISDG), this node's address, the offset.
    t.set("server", "hostname", string(&hosts.public_or(Style::Toml)));
    t.set("server", "node_ip", string(me.ip().unwrap_or("$env{OBKM_NODE_IP}")));
    t.set("server", "offset", (km.num("port_offset", p) as i64).to_string());
    // The realm's admin: never the pack's default account; not created in a read-only store.
    t.set("super_admin", "username", string("$env{OBKM_ADMIN_USERNAME}"));
    t.set("super_admin", "password", string("$env{OBKM_ADMIN_PASSWORD}"));
    if read_only_store(d, km) {
        t.set("super_admin", "create_admin_account", "false".into());
    }
    // One keystore on every node (HOST-010). IS 5.10 reads `file_name` (carbon-kernel v4.6.0
    // carbon.xml.j2); the shipped file's `name` is ignored. The internal and TLS keystores
    // default to the primary's values; the key and the store share one password (Tomcat).
    t.set("keystore.primary", "file_name", string(&km.str("keystore", p)));
    t.set("keystore.primary", "password", string("$env{OBKM_KEYSTORE_PASSWORD}"));
    t.set("keystore.primary", "key_password", string("$env{OBKM_KEYSTORE_PASSWORD}"));
    t.set("truststore", "password", string("$env{OBKM_TRUSTSTORE_PASSWORD}"));
    // Behind the load balancer.
    t.set("transport.https.properties", "proxyPort", hosts.tls_port.to_string());
    if http_exposed(d, km) {
        t.set("transport.http.properties", "proxyPort", "80".into());
    }
    // [clustering] (ISDG: WKA members as "address:port").
    let scheme = d.cluster.scheme();
    t.set("clustering", "membership_scheme", string(scheme.as_str()));
    t.set("clustering", "domain", string(&d.cluster.domain));
    t.set("clustering", "local_member_host", string(me.usable().unwrap_or("$env{OBKM_NODE_ADDRESS}")));
    t.set("clustering", "local_member_port", string(&(km.num("member_port", p) as i64).to_string()));
    if scheme == MembershipScheme::Wka {
        let members: Vec<String> = d
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::KeyManager)
            .filter_map(|m| Addr::of(m, p).usable().map(|a| format!("{a}:{}", m.num("member_port", p) as i64)))
            .collect();
        t.set("clustering", "members", array(&members));
    }
    for (name, value) in scheme_params(scheme, Style::Toml) {
        t.set("clustering", &format!("properties.{name}"), string(&value));
    }
    // Databases: master-datasources' three, the user store's datasource, the OB database.
    // The values land verbatim in master-datasources.xml (the template engine does not
    // escape): `&` between JDBC URL parameters must be written `&amp;` (product-is #28431).
    let url = |u: &str| string(&u.replace('&', "&amp;"));
    let dbs = dbs(d, km, Style::Toml);
    let db = |logical: &str| dbs.iter().find(|x| x.logical == logical);
    for (table, logical) in
        [("database.shared_db", "governance"), ("database.apim_db", "apim"), ("database.config", "config")]
    {
        if let Some(x) = db(logical) {
            t.set(table, "url", url(&x.url));
            t.set(table, "username", string(&x.username));
            t.set(table, "password", string(&x.password));
            t.set(table, "driver", string(x.driver));
            t.set(&format!("{table}.pool_options"), "validationQuery", string(x.validation));
        }
    }
    if let Some(x) = db("user") {
        let m = ("id", "WSO2UM_DB");
        t.set_in("datasource", m, "url", url(&x.url));
        t.set_in("datasource", m, "username", string(&x.username));
        t.set_in("datasource", m, "password", string(&x.password));
        t.set_in("datasource", m, "driver", string(x.driver));
        t.set_in("datasource", m, "pool_options.validationQuery", string(x.validation));
    }
    if let Some(x) = db("openbanking") {
        // Dotted keys inside [open_banking_database], as WSO2 writes them: a header
        // [open_banking_database.config] would redefine that table and break the file.
        t.set("open_banking_database", "config.url", url(&x.url));
        t.set("open_banking_database", "config.username", string(&x.username));
        t.set("open_banking_database", "config.password", string(&x.password));
        t.set("open_banking_database", "config.driver", string(x.driver));
        t.set("open_banking_database.config.pool_options", "validationQuery", string(x.validation));
    }
    // The primary user store: the linked directory (IS 5.10's unique-id LDAP managers), else
    // the shipped JDBC store on WSO2UM_DB stays.
    if let Some((dir, class)) = directory(d, km) {
        let (kind, class) = match class.rsplit('.').next().unwrap_or_default() {
            "ActiveDirectoryUserStoreManager" => {
                ("active_directory_unique_id", "org.wso2.carbon.user.core.ldap.UniqueIDActiveDirectoryUserStoreManager")
            }
            "ReadOnlyLDAPUserStoreManager" => {
                ("read_only_ldap_unique_id", "org.wso2.carbon.user.core.ldap.UniqueIDReadOnlyLDAPUserStoreManager")
            }
            _ => ("read_write_ldap_unique_id", "org.wso2.carbon.user.core.ldap.UniqueIDReadWriteLDAPUserStoreManager"),
        };
        let (url, _) = ldap_url(dir, p, Style::Toml);
        t.set("user_store", "type", string(kind));
        t.set("user_store", "class", string(class));
        t.set("user_store", "connection_url", string(&url));
        t.set("user_store", "connection_name", string("$env{OBKM_LDAP_BIND_DN}"));
        t.set("user_store", "connection_password", string("$env{OBKM_LDAP_BIND_PASSWORD}"));
        // The parent DN IS 5.10 derives defaults from; the search bases below override them.
        t.set("user_store", "base_dn", string("$env{OBKM_LDAP_BASE_DN}"));
        for (name, value) in ldap_properties(dir, p, Style::Toml) {
            if matches!(name, "ConnectionURL" | "ConnectionName" | "ConnectionPassword") {
                continue;
            }
            t.set("user_store.properties", name, string(&value));
        }
    }
    // Host-bearing endpoints (the host table of hosts.rs).
    for (table, matched, key, shipped) in IAM_TOML {
        let values: Vec<String> = shipped.iter().map(|s| retarget(s, &hosts, Style::Toml)).collect();
        let value = if shipped.len() == 1 && !key.ends_with("_urls") { string(&values[0]) } else { array(&values) };
        match matched {
            Some(m) => t.set_in(table, *m, key, value),
            None => t.set(table, key, value),
        }
    }
    t.0
}

/// The files of one OB IAM 2.0 Key Manager node: `patches.json`.
pub fn files(d: &Design, km: &Node) -> Vec<Entry> {
    let mut text = serde_json::to_string_pretty(&patches(d, km)).unwrap_or_default();
    text.push('\n');
    vec![(format!("key-manager/{}/patches.json", km.id), text.into_bytes())]
}
