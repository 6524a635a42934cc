//! IS 5.10's `deployment.toml` (OB IAM 2.0): what one node's file says about the deployment,
//! read into the same shapes as the XML files of a Carbon 4.4 node, each value with its line.
//! Parsed with the `toml` crate's spanned document (no expansion of any kind).

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::xml::{At, Carbon, Clustering, Datasource, Unreadable, UserStore};

/// What a `deployment.toml` says.
#[derive(Debug, Default)]
pub struct Iam {
    /// `[clustering]`.
    pub clustering: Clustering,
    /// `[server]` and `[keystore.primary]`.
    pub carbon: Carbon,
    /// `[database.*]`, `[[datasource]]`, `[open_banking_database]`, named as in the XML files.
    pub datasources: Vec<Datasource>,
    /// `[user_store]`, when it is an LDAP or Active Directory store.
    pub user_store: Option<UserStore>,
    /// `[transport.https.properties] proxyPort`.
    pub proxy_port: Option<At<u32>>,
    /// Hosts of the API Manager's gateway and services (ports 8243 and 9443) in any URL.
    pub apim_hosts: Vec<At<String>>,
}

/// A parsed document and the text, for line numbers.
struct Doc<'i> {
    text: &'i str,
    root: DeTable<'i>,
}

impl<'i> Doc<'i> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
    }

    /// The value at a dotted path of tables (`clustering`, `transport.https.properties`).
    fn get(&self, table: &str, key: &str) -> Option<&Spanned<DeValue<'i>>> {
        let mut t = &self.root;
        for part in table.split('.').filter(|p| !p.is_empty()) {
            match t.get(part).map(Spanned::get_ref) {
                Some(DeValue::Table(inner)) => t = inner,
                _ => return None,
            }
        }
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            let v = t.get(part)?;
            if parts.peek().is_none() {
                return Some(v);
            }
            match v.get_ref() {
                DeValue::Table(inner) => t = inner,
                _ => return None,
            }
        }
        None
    }

    /// A scalar as text, with its line.
    fn text(&self, table: &str, key: &str) -> Option<At<String>> {
        let v = self.get(table, key)?;
        Some((scalar(v.get_ref())?, self.line(v.span().start)))
    }
}

fn scalar(v: &DeValue) -> Option<String> {
    Some(match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        _ => return None,
    })
}

/// Reads a `deployment.toml`.
pub fn read(text: &str) -> Result<Iam, Unreadable> {
    let root = DeTable::parse(text).map_err(|e| Unreadable {
        reason: format!("not valid TOML: {}", e.message()),
        line: e.span().map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1),
    })?;
    let doc = Doc { text, root: root.into_inner() };
    let mut out = Iam::default();

    // [clustering]: present with a scheme means clustering is on (IS 5.10 has no enable flag).
    let scheme = doc.text("clustering", "membership_scheme");
    out.clustering = Clustering {
        enabled: scheme.as_ref().map(|(_, l)| (true, *l)),
        scheme,
        domain: doc.text("clustering", "domain"),
        host: doc.text("clustering", "local_member_host"),
        port: doc.text("clustering", "local_member_port").and_then(|(p, l)| p.trim().parse().ok().map(|p| (p, l))),
        members: doc.get("clustering", "members").and_then(|v| match v.get_ref() {
            DeValue::Array(items) => {
                let list = items
                    .iter()
                    .filter_map(|i| scalar(i.get_ref()))
                    .map(|m| match m.rsplit_once(':') {
                        Some((h, p)) if p.parse::<u32>().is_ok() => {
                            (h.trim_matches(['[', ']']).to_string(), p.parse().unwrap_or(4000))
                        }
                        _ => (m.trim_matches(['[', ']']).to_string(), 4000),
                    })
                    .collect();
                Some((list, doc.line(v.span().start)))
            }
            _ => None,
        }),
    };

    // [server] and [keystore.primary].
    out.carbon = Carbon {
        hostname: doc.text("server", "hostname"),
        mgt_hostname: None,
        offset: doc.text("server", "offset").and_then(|(o, l)| o.trim().parse().ok().map(|o| (o, l))),
        keystore: doc.text("keystore.primary", "file_name"),
    };

    // Datasources, under the names the XML files give them.
    for (table, name) in [
        ("database.shared_db", "WSO2_SHARED_DB"),
        ("database.apim_db", "WSO2AM_DB"),
        ("database.config", "WSO2CONFIG_DB"),
        ("open_banking_database", "WSO2_OPEN_BANKING_DB"),
    ] {
        let key = if table == "open_banking_database" { "config.url" } else { "url" };
        if let Some(url) = doc.text(table, key) {
            out.datasources.push(Datasource { name: name.to_string(), url: decode(url) });
        }
    }
    if let Some(DeValue::Array(list)) = doc.root.get("datasource").map(Spanned::get_ref) {
        for d in list {
            let DeValue::Table(t) = d.get_ref() else { continue };
            let field = |k: &str| t.get(k).and_then(|v| scalar(v.get_ref()).map(|s| (s, doc.line(v.span().start))));
            if let (Some((id, _)), Some(url)) = (field("id"), field("url")) {
                out.datasources.push(Datasource { name: id, url: decode(url) });
            }
        }
    }

    // [user_store]: LDAP and Active Directory stores (a JDBC store is the user database's).
    if let (Some(class), Some(url)) = (doc.text("user_store", "class"), doc.text("user_store", "connection_url")) {
        let kind = doc.text("user_store", "type").map(|t| t.0).unwrap_or_default();
        out.user_store = Some(UserStore {
            read_only: doc
                .text("user_store.properties", "ReadOnly")
                .map(|(v, l)| (v.eq_ignore_ascii_case("true"), l))
                .or_else(|| kind.contains("read_only").then_some((true, class.1))),
            ad_attributes: kind.contains("active_directory")
                || ["UserNameAttribute", "UserNameSearchFilter", "UserEntryObjectClass"].iter().any(|k| {
                    doc.text("user_store.properties", k).is_some_and(|(v, _)| {
                        v.contains("sAMAccountName") || v == "user" || v.contains("objectClass=user")
                    })
                }),
            class,
            url: Some(url),
        });
    }

    out.proxy_port =
        doc.text("transport.https.properties", "proxyPort").and_then(|(p, l)| p.trim().parse().ok().map(|p| (p, l)));

    // The API Manager's hosts, in every URL of the file.
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for host in super::xml::apim_hosts_in(line) {
            out.apim_hosts.push((host, i + 1));
        }
    }
    Ok(out)
}

/// A JDBC URL as the file holds it: `&amp;` between parameters (the template engine writes
/// values into XML verbatim) reads as `&`.
fn decode((url, line): At<String>) -> At<String> {
    (url.replace("&amp;", "&"), line)
}
