//! The XML configuration files of a Carbon 4.4 node (OB KM 1.x, OB AM): what each one says
//! about the deployment, each value with the line it is on. Parsed with `roxmltree`, DTDs off:
//! a document type declaration (and so any entity: XXE, billion laughs) is refused, never
//! expanded.

use roxmltree::{Document, Node, ParsingOptions};

/// A value and the line it is on.
pub type At<T> = (T, usize);

/// Why a file could not be read: the reason and, when known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// What is wrong.
    pub reason: String,
    /// Where (1-based), when the parser said.
    pub line: Option<usize>,
}

/// The most XML nodes a file may have (the shipped files have a few thousand).
const MAX_NODES: u32 = 200_000;

/// Parses a document, refusing DTDs.
pub fn parse(text: &str) -> Result<Document<'_>, Unreadable> {
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..ParsingOptions::default() };
    Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        let reason = match e {
            roxmltree::Error::DtdDetected => {
                "it declares a document type (DTD); DTDs and entities are refused, never expanded".to_string()
            }
            other => format!("not well-formed XML: {other}"),
        };
        Unreadable { reason, line: Some(pos.row as usize) }
    })
}

/// The line of a node.
pub fn line(doc: &Document, n: Node) -> usize {
    doc.text_pos_at(n.range().start).row as usize
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The element at a path of local names below `n`.
pub fn at<'a, 'i>(n: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(n, |n, name| child(n, name))
}

/// An element's text, trimmed (`None` when empty).
pub fn text(n: Node) -> Option<String> {
    let t: String = n.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap_or("")).collect();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// What a root element says a Carbon file is (files found outside `repository/conf/` are told
/// apart by their root and a child only one of them has: carbon.xml and identity.xml share a
/// root and a namespace).
pub fn kind_of_root(doc: &Document) -> Option<&'static str> {
    let root = doc.root_element();
    let has = |name: &str| child(root, name).is_some();
    Some(match root.tag_name().name() {
        "axisconfig" => "axis2.xml",
        "Server" if has("OAuth") || has("JDBCPersistenceManager") => "identity.xml",
        "Server" if has("HostName") || has("Ports") => "carbon.xml",
        "Server" if has("Service") => "catalina-server.xml",
        "datasources-configuration" => "datasources.xml",
        "wso2registry" => "registry.xml",
        "UserManager" => "user-mgt.xml",
        "APIManager" => "api-manager.xml",
        _ => return None,
    })
}

/// axis2.xml: the Hazelcast clustering agent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Clustering {
    /// `enable` of the agent.
    pub enabled: Option<At<bool>>,
    /// `membershipScheme`.
    pub scheme: Option<At<String>>,
    /// `domain`.
    pub domain: Option<At<String>>,
    /// `localMemberHost`.
    pub host: Option<At<String>>,
    /// `localMemberPort`.
    pub port: Option<At<u32>>,
    /// The WKA members (host, port), and the line of `<members>`.
    pub members: Option<At<Vec<(String, u32)>>>,
}

/// Reads axis2.xml's clustering element.
pub fn clustering(doc: &Document) -> Clustering {
    let Some(c) = at(doc.root_element(), &["clustering"]) else { return Clustering::default() };
    let param = |name: &str| {
        c.children()
            .find(|p| p.is_element() && p.tag_name().name() == "parameter" && p.attribute("name") == Some(name))
            .and_then(|p| text(p).map(|t| (t, line(doc, p))))
    };
    let members = child(c, "members").map(|m| {
        let list = m
            .children()
            .filter(|x| x.is_element() && x.tag_name().name() == "member")
            .filter_map(|x| {
                let host = child(x, "hostName").and_then(text)?;
                let port = child(x, "port").and_then(text).and_then(|p| p.parse().ok()).unwrap_or(4000);
                Some((host, port))
            })
            .collect();
        (list, line(doc, m))
    });
    Clustering {
        enabled: c.attribute("enable").map(|e| (e.trim() == "true", line(doc, c))),
        scheme: param("membershipScheme"),
        domain: param("domain"),
        host: param("localMemberHost"),
        port: param("localMemberPort").and_then(|(p, l)| p.parse().ok().map(|p| (p, l))),
        members,
    }
}

/// carbon.xml: the host names, the port offset, the keystore.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Carbon {
    /// `HostName`.
    pub hostname: Option<At<String>>,
    /// `MgtHostName`.
    pub mgt_hostname: Option<At<String>>,
    /// `Ports/Offset`.
    pub offset: Option<At<i64>>,
    /// The keystore's file name (`Security/KeyStore/Location`).
    pub keystore: Option<At<String>>,
}

/// Reads carbon.xml.
pub fn carbon(doc: &Document) -> Carbon {
    let root = doc.root_element();
    let get = |path: &[&str]| at(root, path).and_then(|n| text(n).map(|t| (t, line(doc, n))));
    Carbon {
        hostname: get(&["HostName"]),
        mgt_hostname: get(&["MgtHostName"]),
        offset: get(&["Ports", "Offset"]).and_then(|(t, l)| t.parse().ok().map(|o| (o, l))),
        keystore: get(&["Security", "KeyStore", "Location"])
            .map(|(t, l)| (t.rsplit(['/', '\\']).next().unwrap_or(&t).to_string(), l)),
    }
}

/// A datasource: its name and JDBC URL.
#[derive(Clone, Debug, PartialEq)]
pub struct Datasource {
    /// `name`.
    pub name: String,
    /// `definition/configuration/url`.
    pub url: At<String>,
}

/// Reads a datasources file (master-datasources.xml, open-banking-datasources.xml).
pub fn datasources(doc: &Document) -> Vec<Datasource> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "datasource")
        .filter_map(|d| {
            let name = child(d, "name").and_then(text)?;
            let url = at(d, &["definition", "configuration", "url"])?;
            Some(Datasource { name, url: (text(url)?, line(doc, url)) })
        })
        .collect()
}

/// user-mgt.xml: the primary user store.
#[derive(Clone, Debug, PartialEq)]
pub struct UserStore {
    /// Its class.
    pub class: At<String>,
    /// `ConnectionURL`, for an LDAP store.
    pub url: Option<At<String>>,
    /// `ReadOnly`.
    pub read_only: Option<At<bool>>,
    /// True when its attributes are Active Directory's (`sAMAccountName`, `objectClass=user`).
    pub ad_attributes: bool,
}

/// Reads user-mgt.xml's first user store.
pub fn user_store(doc: &Document) -> Option<UserStore> {
    let us = doc.descendants().find(|n| n.is_element() && n.tag_name().name() == "UserStoreManager")?;
    let prop = |name: &str| {
        us.children()
            .find(|p| p.is_element() && p.tag_name().name() == "Property" && p.attribute("name") == Some(name))
            .and_then(|p| text(p).map(|t| (t, line(doc, p))))
    };
    let ad = ["UserNameAttribute", "UserNameSearchFilter", "UserEntryObjectClass"].iter().any(|k| {
        prop(k).is_some_and(|(v, _)| v.contains("sAMAccountName") || v == "user" || v.contains("objectClass=user"))
    });
    Some(UserStore {
        class: (us.attribute("class").unwrap_or("").to_string(), line(doc, us)),
        url: prop("ConnectionURL"),
        read_only: prop("ReadOnly").map(|(v, l)| (v.eq_ignore_ascii_case("true"), l)),
        ad_attributes: ad,
    })
}

/// api-manager.xml: the URLs where the API Manager finds the Key Manager.
pub fn server_urls(doc: &Document) -> Vec<At<String>> {
    let root = doc.root_element();
    [
        &["AuthManager", "ServerURL"][..],
        &["APIKeyValidator", "ServerURL"],
        &["APIKeyManager", "Configuration", "ServerURL"],
    ]
    .iter()
    .filter_map(|path| at(root, path).and_then(|n| text(n).map(|t| (t, line(doc, n)))))
    .collect()
}

/// catalina-server.xml: the `proxyPort` of the HTTPS connector (9443), the load balancer's TLS
/// port as the node sees it.
pub fn proxy_port(doc: &Document) -> Option<At<u32>> {
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Connector" && n.attribute("port") == Some("9443"))
        .and_then(|c| c.attribute("proxyPort").and_then(|p| p.trim().parse().ok()).map(|p| (p, line(doc, c))))
}

/// identity.xml: the hosts its URLs name on the API Manager's ports (the gateway's 8243, the
/// API Manager's 9443): where the Key Manager finds the API Manager.
pub fn apim_hosts(doc: &Document) -> Vec<At<String>> {
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.is_text()) {
        let line = doc.text_pos_at(n.range().start).row as usize;
        out.extend(apim_hosts_in(n.text().unwrap_or("")).into_iter().map(|h| (h, line)));
    }
    out
}

/// The hosts that URLs in `text` name on the API Manager's ports (8243, 9443), `localhost` aside.
pub fn apim_hosts_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        rest = &rest[i + 3..];
        let hostport: String = rest.chars().take_while(|c| !matches!(c, '/' | '"' | '<' | ' ' | '$')).collect();
        if let Some((host, port)) = hostport.rsplit_once(':') {
            if (port == "8243" || port == "9443") && !host.is_empty() && host != "localhost" {
                out.push(host.trim_matches(['[', ']']).to_string());
            }
        }
    }
    out
}
