//! Per Key Manager node: the XML fragments and `patches.json` for products on Identity Server
//! 5.7 (OB KM 1.3/1.4/1.5), the API Manager's patches, the datasources and user store both
//! product lines share (iam.rs writes OB IAM 2.0's deployment.toml patches from them), and the
//! host files every product needs (JVM options, /etc/hosts, the storage mount script).

use serde_json::json;

use super::escape::{hash_comment, shell, xml, xml_comment};
use super::flows::{linked, linked_to_kms, placeholder, Addr};
use super::hosts::{retarget, Hosts, Style, AM_XML, KM_XML};
use crate::model::{Design, MembershipScheme, Node, NodeKind, Product};

/// A file of the bundle: its path and content.
pub type Entry = (String, Vec<u8>);

/// The logical databases: (id, datasource name, JNDI name, database name in URLs).
fn datasources(product: Product) -> [(&'static str, &'static str, &'static str, &'static str); 5] {
    let ob = if product == Product::ObKm13 {
        ("openbanking", "WSO2_CONSENT_DB", "jdbc/WSO2ConsentDB", "WSO2_CONSENT_DB")
    } else {
        ("openbanking", "WSO2_OPEN_BANKING_DB", "jdbc/WSO2OpenBankingDB", "WSO2_OPEN_BANKING_DB")
    };
    [
        ("apim", "WSO2AM_DB", "jdbc/WSO2AM_DB", "WSO2AM_DB"),
        ("config", "WSO2CONFIG_DB", "jdbc/WSO2Config_DB", "WSO2CONFIG_DB"),
        ("governance", "WSO2REG_DB", "jdbc/WSO2REG_DB", "WSO2REG_DB"),
        ("user", "WSO2UM_DB", "jdbc/WSO2UM_DB", "WSO2UM_DB"),
        ob,
    ]
}

/// True for a MySQL server of major version 8 (Connector/J 8, `com.mysql.cj.jdbc.Driver`).
pub fn is_mysql8(db: &Node, p: Product) -> bool {
    db.str("engine", p) == "mysql" && db.str("version", p).trim().starts_with('8')
}

/// What a JDBC connection needs for an engine: driver class, validation query, URL. Oracle
/// names its service through a placeholder (the design does not know it).
fn jdbc(
    engine: &str,
    mysql8: bool,
    host: &str,
    port: u32,
    db: &str,
    style: Style,
) -> (&'static str, &'static str, String) {
    match engine {
        "oracle" => (
            "oracle.jdbc.OracleDriver",
            "SELECT 1 FROM DUAL",
            format!("jdbc:oracle:thin:@{host}:{port}/{}", style.var("OBKM_ORACLE_SERVICE")),
        ),
        "mssql" => (
            "com.microsoft.sqlserver.jdbc.SQLServerDriver",
            "SELECT 1",
            format!("jdbc:sqlserver://{host}:{port};databaseName={db};SendStringParametersAsUnicode=false"),
        ),
        "postgresql" => (
            "org.postgresql.Driver",
            "SELECT 1; COMMIT",
            format!("jdbc:postgresql://{host}:{port}/{}", db.to_lowercase()),
        ),
        "db2" => {
            ("com.ibm.db2.jcc.DB2Driver", "SELECT 1 FROM SYSIBM.SYSDUMMY1", format!("jdbc:db2://{host}:{port}/{db}"))
        }
        "mariadb" => ("org.mariadb.jdbc.Driver", "SELECT 1", format!("jdbc:mariadb://{host}:{port}/{db}")),
        // Connector/J 8 for MySQL 8: its driver class, and the public key retrieval that
        // caching_sha2_password needs; TLS stays on (useSSL=true, the driver's default).
        _ if mysql8 => (
            "com.mysql.cj.jdbc.Driver",
            "SELECT 1",
            format!("jdbc:mysql://{host}:{port}/{db}?autoReconnect=true&useSSL=true&allowPublicKeyRetrieval=true"),
        ),
        _ => ("com.mysql.jdbc.Driver", "SELECT 1", format!("jdbc:mysql://{host}:{port}/{db}?autoReconnect=true")),
    }
}

/// The database node hosting a logical database for this KM node: one it is linked to first,
/// else any linked to a KM node.
pub fn host_of<'a>(d: &'a Design, km: &Node, logical: &str) -> Option<&'a Node> {
    let hosts = |n: &&Node| n.list("databases", d.product).iter().any(|x| x == logical);
    linked(d, km, NodeKind::Database)
        .into_iter()
        .find(hosts)
        .or_else(|| linked_to_kms(d, NodeKind::Database).into_iter().find(hosts))
}

/// The public host name every node uses as HostName: the linked load balancer's `hostname`.
pub fn public_hostname(d: &Design, km: &Node) -> Option<String> {
    linked(d, km, NodeKind::LoadBalancer)
        .into_iter()
        .chain(d.nodes.iter().filter(|n| n.kind == NodeKind::LoadBalancer))
        .map(|lb| lb.str("hostname", d.product))
        .find(|h| crate::model::address::is_hostname(h))
}

/// True when the load balancers in front of this node serve plain HTTP (port 80 → 9766).
pub fn http_exposed(d: &Design, km: &Node) -> bool {
    linked(d, km, NodeKind::LoadBalancer).iter().any(|lb| lb.bool("expose_http", d.product))
}

/// Resolved connection data of one logical database for a KM node.
pub struct Db {
    /// Datasource name.
    pub name: &'static str,
    /// JNDI name.
    pub jndi: &'static str,
    /// JDBC URL.
    pub url: String,
    /// Driver class.
    pub driver: &'static str,
    /// Validation query.
    pub validation: &'static str,
    /// A note when the host is a placeholder.
    pub note: Option<String>,
    /// Logical database id.
    pub logical: &'static str,
    /// The account's user name (a placeholder: no secret is in a bundle).
    pub username: String,
    /// The account's password (a placeholder).
    pub password: String,
}

/// The environment variables of a logical database's account. Oracle keeps each logical
/// database in its own schema, that is its own user (so the config and governance registry
/// tables do not collide): one account per logical database. The other engines share one.
pub fn account_vars(engine: &str, logical: &str) -> (String, String) {
    if engine == "oracle" {
        let l = logical.to_ascii_uppercase();
        (format!("OBKM_DB_{l}_USERNAME"), format!("OBKM_DB_{l}_PASSWORD"))
    } else {
        ("OBKM_DB_USERNAME".into(), "OBKM_DB_PASSWORD".into())
    }
}

/// The five datasources of a KM node.
pub fn dbs(d: &Design, km: &Node, style: Style) -> Vec<Db> {
    datasources(d.product)
        .into_iter()
        .map(|(logical, name, jndi, dbname)| {
            let (engine, mysql8, host, port, note) = match host_of(d, km, logical) {
                Some(db) => {
                    let a = Addr::endpoint(db, d.product);
                    let (host, note) = match a.usable() {
                        Some(h) => (h.to_string(), None),
                        None => (style.var("OBKM_DB_HOST"), Some(format!("{} of {}", placeholder(db, &a), db.id))),
                    };
                    (
                        db.str("engine", d.product),
                        is_mysql8(db, d.product),
                        host,
                        db.num("port", d.product) as u32,
                        note,
                    )
                }
                None => (
                    "mysql".to_string(),
                    false,
                    style.var("OBKM_DB_HOST"),
                    3306,
                    Some(format!("no database hosts {logical}")),
                ),
            };
            let (driver, validation, url) = jdbc(&engine, mysql8, &host, port, dbname, style);
            let (user_var, password_var) = account_vars(&engine, logical);
            Db {
                name,
                jndi,
                url,
                driver,
                validation,
                note,
                logical,
                username: style.var(&user_var),
                password: style.var(&password_var),
            }
        })
        .collect()
}

fn datasource_xml(db: &Db, indent: &str) -> String {
    let note = db.note.as_ref().map(|n| format!("{indent}    <!-- {} -->\n", xml_comment(n))).unwrap_or_default();
    format!(
        "{indent}<datasource>\n{note}{indent}    <name>{name}</name>\n{indent}    <description>obkm-topology: the {logical} database</description>\n{indent}    <jndiConfig>\n{indent}        <name>{jndi}</name>\n{indent}    </jndiConfig>\n{indent}    <definition type=\"RDBMS\">\n{indent}        <configuration>\n{indent}            <url>{url}</url>\n{indent}            <username>{username}</username>\n{indent}            <password>{password}</password>\n{indent}            <driverClassName>{driver}</driverClassName>\n{indent}            <maxActive>150</maxActive>\n{indent}            <maxWait>60000</maxWait>\n{indent}            <testOnBorrow>true</testOnBorrow>\n{indent}            <validationQuery>{validation}</validationQuery>\n{indent}            <validationInterval>30000</validationInterval>\n{indent}            <defaultAutoCommit>false</defaultAutoCommit>\n{indent}        </configuration>\n{indent}    </definition>\n{indent}</datasource>",
        name = db.name,
        logical = db.logical,
        jndi = db.jndi,
        url = xml(&db.url),
        username = xml(&db.username),
        password = xml(&db.password),
        driver = db.driver,
        validation = xml(db.validation),
    )
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The parameters a membership scheme needs beyond the scheme, the domain and the local
/// member: (name, value). Values the design cannot know are placeholders the apply script
/// fills from the environment (XML) or `$env{...}` references (TOML).
pub fn scheme_params(scheme: MembershipScheme, style: Style) -> Vec<(&'static str, String)> {
    match scheme {
        // kubernetes-membership-scheme 1.0.7 (wso2/kubernetes-common; kubernetes-open-banking
        // 1.5.x ob-km axis2.xml): the members are the endpoints of the named services in one
        // namespace, read through the API (USE_DNS false; it defaults to true).
        MembershipScheme::Kubernetes => vec![
            (
                "membershipSchemeClassName",
                "org.wso2.carbon.membership.scheme.kubernetes.KubernetesMembershipScheme".into(),
            ),
            ("KUBERNETES_NAMESPACE", style.var("OBKM_K8S_NAMESPACE")),
            ("KUBERNETES_SERVICES", style.var("OBKM_K8S_SERVICES")),
            // As WSO2's own charts set it (kubernetes-open-banking 1.5.x/2.0.x): the JVM does
            // not trust the cluster's CA unless it is imported into the truststore.
            ("KUBERNETES_MASTER_SKIP_SSL_VERIFICATION", "true".into()),
            ("USE_DNS", "false".into()),
        ],
        // carbon-kernel 4.4.35's Hazelcast AWS scheme (clustering/hazelcast/aws/AWSConstants.java):
        // members are the EC2 instances of a security group (by name) with a tag, found
        // through the EC2 API; discovery reaches them on Hazelcast's port 5701 (ISDG).
        MembershipScheme::Aws => vec![
            ("accessKey", style.var("OBKM_AWS_ACCESS_KEY")),
            ("secretKey", style.var("OBKM_AWS_SECRET_KEY")),
            ("securityGroup", style.var("OBKM_AWS_SECURITY_GROUP")),
            ("connTimeout", "5".into()),
            ("hostHeader", "ec2.amazonaws.com".into()),
            ("region", style.var("OBKM_AWS_REGION")),
            ("tagKey", style.var("OBKM_AWS_TAG_KEY")),
            ("tagValue", style.var("OBKM_AWS_TAG_VALUE")),
        ],
        MembershipScheme::Multicast => {
            vec![("mcastPort", "45564".into()), ("mcastTTL", "100".into()), ("mcastTimeout", "60".into())]
        }
        MembershipScheme::Wka => Vec::new(),
    }
}

fn clustering_xml(d: &Design, km: &Node) -> String {
    let p = d.product;
    let me = Addr::of(km, p);
    let scheme = d.cluster.scheme();
    let mut out = String::new();
    out.push_str("<clustering class=\"org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent\"\n                enable=\"true\">\n");
    out.push_str("        <!-- Generated by obkm-topology: every Key Manager node joins one cluster. -->\n");
    out.push_str("        <parameter name=\"AvoidInitiation\">true</parameter>\n");
    out.push_str(&format!("        <parameter name=\"membershipScheme\">{}</parameter>\n", scheme.as_str()));
    out.push_str(&format!("        <parameter name=\"domain\">{}</parameter>\n", xml(&d.cluster.domain)));
    for (name, value) in scheme_params(scheme, Style::Xml) {
        out.push_str(&format!("        <parameter name=\"{name}\">{}</parameter>\n", xml(&value)));
    }
    match me.usable() {
        Some(a) => out.push_str(&format!("        <parameter name=\"localMemberHost\">{}</parameter>\n", xml(a))),
        None => out.push_str(&format!(
            "        <!-- localMemberHost left out: {} (give the node its address) -->\n",
            xml_comment(&placeholder(km, &me))
        )),
    }
    out.push_str(&format!(
        "        <parameter name=\"localMemberPort\">{}</parameter>\n",
        km.num("member_port", p) as i64
    ));
    out.push_str("        <parameter name=\"properties\">\n            <property name=\"subDomain\" value=\"worker\"/>\n        </parameter>\n");
    if scheme == MembershipScheme::Wka {
        out.push_str("        <members>\n");
        for m in d.nodes.iter().filter(|n| n.kind == NodeKind::KeyManager) {
            let a = Addr::of(m, p);
            match a.usable() {
                Some(host) => out.push_str(&format!(
                    "            <member>\n                <hostName>{}</hostName>\n                <port>{}</port>\n            </member>\n",
                    xml(host),
                    m.num("member_port", p) as i64
                )),
                None => out.push_str(&format!("            <!-- member {} left out: {} -->\n", m.id, xml_comment(&placeholder(m, &a)))),
            }
        }
        out.push_str("        </members>\n");
    }
    out.push_str("        <groupManagement enable=\"false\"/>\n    </clustering>");
    out
}

/// The directory a KM node uses as its primary user store, and its user store class.
pub fn directory<'a>(d: &'a Design, km: &Node) -> Option<(&'a Node, &'static str)> {
    let dir = linked(d, km, NodeKind::Directory).into_iter().next()?;
    // A read-only directory, Active Directory included, is read through the read-only LDAP
    // manager (with AD's attributes for AD); a writable AD through its own manager.
    let class = if dir.bool("read_only", d.product) {
        "org.wso2.carbon.user.core.ldap.ReadOnlyLDAPUserStoreManager"
    } else if dir.str("product", d.product) == "active-directory" {
        "org.wso2.carbon.user.core.ldap.ActiveDirectoryUserStoreManager"
    } else {
        "org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager"
    };
    Some((dir, class))
}

/// The LDAP URL of a directory, with a placeholder host when the design has none.
pub fn ldap_url(dir: &Node, p: Product, style: Style) -> (String, Option<String>) {
    let a = Addr::endpoint(dir, p);
    let scheme = if dir.bool("tls", p) { "ldaps" } else { "ldap" };
    let port = dir.num("port", p) as i64;
    match a.usable() {
        Some(h) => (format!("{scheme}://{h}:{port}"), None),
        None => (format!("{scheme}://{}:{port}", style.var("OBKM_LDAP_HOST")), Some(placeholder(dir, &a))),
    }
}

/// The properties of an LDAP or Active Directory user store: every one carbon-kernel 4.4.35
/// requires of its class (`../shared/wso2-pack/ob-km-1.5/userstore-required.json`, from
/// `core/org.wso2.carbon.user.core/.../ldap/ReadOnlyLDAPUserStoreManager.java:284-392`,
/// `ReadWriteLDAPUserStoreManager.java:1943-1992`), groups on, bind DN and search bases as
/// placeholders.
pub fn ldap_properties(dir: &Node, p: Product, style: Style) -> Vec<(&'static str, String)> {
    let ad = dir.str("product", p) == "active-directory";
    let read_only = dir.bool("read_only", p);
    let (url, _) = ldap_url(dir, p, style);
    let pick = |a: &str, b: &str| if ad { a.to_string() } else { b.to_string() };
    let mut props: Vec<(&'static str, String)> = vec![
        ("TenantManager", "org.wso2.carbon.user.core.tenant.CommonHybridLDAPTenantManager".into()),
        ("ConnectionURL", url),
        ("ConnectionName", style.var("OBKM_LDAP_BIND_DN")),
        ("ConnectionPassword", style.var("OBKM_LDAP_BIND_PASSWORD")),
        ("AnonymousBind", "false".into()),
        ("ReadOnly", read_only.to_string()),
        ("WriteGroups", (!read_only).to_string()),
        ("ReadGroups", "true".into()),
        ("UserSearchBase", style.var("OBKM_LDAP_USER_SEARCH_BASE")),
        ("UserEntryObjectClass", pick("user", "inetOrgPerson")),
        ("UserNameAttribute", pick("sAMAccountName", "uid")),
        ("UserNameSearchFilter", pick("(&(objectClass=user)(sAMAccountName=?))", "(&(objectClass=person)(uid=?))")),
        ("UserNameListFilter", pick("(objectClass=user)", "(objectClass=person)")),
        ("GroupSearchBase", style.var("OBKM_LDAP_GROUP_SEARCH_BASE")),
        ("GroupEntryObjectClass", pick("group", "groupOfNames")),
        ("GroupNameAttribute", "cn".into()),
        ("GroupNameSearchFilter", pick("(&(objectClass=group)(cn=?))", "(&(objectClass=groupOfNames)(cn=?))")),
        ("GroupNameListFilter", pick("(objectcategory=group)", "(objectClass=groupOfNames)")),
        ("MembershipAttribute", "member".into()),
        ("SCIMEnabled", "true".into()),
        ("PasswordHashMethod", "PLAIN_TEXT".into()),
        ("ConnectionPoolingEnabled", "false".into()),
    ];
    if ad {
        props.push(("Referral", "follow".into()));
        props.push(("BackLinksEnabled", "true".into()));
    }
    props
}

fn user_store_xml(d: &Design, km: &Node) -> String {
    let p = d.product;
    let Some((dir, class)) = directory(d, km) else {
        let props = [
            ("TenantManager", "org.wso2.carbon.user.core.tenant.JDBCTenantManager"),
            ("ReadOnly", "false"),
            ("ReadGroups", "true"),
            ("WriteGroups", "true"),
            ("CaseInsensitiveUsername", "true"),
            ("SCIMEnabled", "false"),
            ("PasswordDigest", "SHA-256"),
            ("StoreSaltedPassword", "true"),
            ("MultiAttributeSeparator", ","),
            ("MaxUserNameListLength", "100"),
            ("MaxRoleNameListLength", "100"),
            ("UserRolesCacheEnabled", "true"),
            ("UserNameUniqueAcrossTenants", "false"),
        ];
        let mut out =
            String::from("<UserStoreManager class=\"org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager\">\n");
        out.push_str("            <!-- obkm-topology: no directory is linked, so users live in the JDBC user store on jdbc/WSO2UM_DB. -->\n");
        for (k, v) in props {
            out.push_str(&format!("            <Property name=\"{k}\">{}</Property>\n", xml(v)));
        }
        out.push_str("        </UserStoreManager>");
        return out;
    };
    let (_, note) = ldap_url(dir, p, Style::Xml);
    let mut out = format!("<UserStoreManager class=\"{class}\">\n");
    out.push_str(&format!(
        "            <!-- obkm-topology: the primary user store is {} ({}). -->\n",
        xml_comment(&dir.label),
        dir.id
    ));
    if let Some(n) = note {
        out.push_str(&format!("            <!-- ConnectionURL host is a placeholder: {} -->\n", xml_comment(&n)));
    }
    for (k, v) in ldap_properties(dir, p, Style::Xml) {
        out.push_str(&format!("            <Property name=\"{k}\">{}</Property>\n", xml(&v)));
    }
    out.push_str("        </UserStoreManager>");
    out
}

/// True when the node's primary user store is a read-only directory: the realm must not add
/// the admin user (`AddAdmin` false), who must already exist there.
pub fn read_only_store(d: &Design, km: &Node) -> bool {
    directory(d, km).is_some_and(|(_, class)| class.ends_with("ReadOnlyLDAPUserStoreManager"))
}

/// A patch of `patches.json` that sets an element's text.
fn text_patch(file: &str, element: &str, text: &str, optional: bool) -> serde_json::Value {
    let mut v = json!({"file": file, "element": element, "text": xml(text)});
    if optional {
        v["optional"] = json!(true);
    }
    v
}

/// Files of one KM node for products on IS 5.7 (XML fragments and patches.json).
pub fn xml_files(d: &Design, km: &Node) -> Vec<Entry> {
    let p = d.product;
    let dir = format!("key-manager/{}", km.id);
    let hosts = Hosts::of(d, km);
    let host_text = hosts.public_or(Style::Xml);
    let offset = km.num("port_offset", p) as i64;
    let keystore = km.str("keystore", p);
    let keystore_path = format!("${{carbon.home}}/repository/resources/security/{keystore}");
    let mut files: Vec<Entry> = Vec::new();
    let mut add = |name: &str, body: String| {
        files.push((format!("{dir}/fragments/{name}"), format!("{XML_HEAD}{body}\n").into_bytes()))
    };
    add("carbon.xml/HostName.xml", format!("<HostName>{}</HostName>", xml(&host_text)));
    add("carbon.xml/MgtHostName.xml", format!("<MgtHostName>{}</MgtHostName>", xml(&host_text)));
    add("carbon.xml/Ports-Offset.xml", format!("<Offset>{offset}</Offset>"));
    add("axis2.xml/clustering.xml", clustering_xml(d, km));
    let http = http_exposed(d, km);
    let http_connector = if http { "    <Connector port=\"9763\" proxyPort=\"80\"/>\n" } else { "" };
    add(
        "catalina-server.xml/connectors.xml",
        format!(
            "<Connectors>\n    <!-- obkm-topology sets proxyPort (and the keystore of the HTTPS connector) on the shipped connectors; every other attribute stays. -->\n{http_connector}    <Connector port=\"9443\" proxyPort=\"{}\" keystoreFile=\"{}\" keystorePass=\"@@OBKM_KEYSTORE_PASSWORD@@\"/>\n</Connectors>",
            hosts.tls_port,
            xml(&keystore_path)
        ),
    );
    let dbs = dbs(d, km, Style::Xml);
    let master: Vec<String> =
        dbs.iter().filter(|db| db.logical != "openbanking").map(|db| datasource_xml(db, "        ")).collect();
    add(
        "master-datasources.xml/datasources.xml",
        format!(
            "<datasources>\n    <!-- WSO2_CARBON_DB (the local H2 registry) is left alone. -->\n{}\n</datasources>",
            master.join("\n")
        ),
    );
    let ob: Vec<String> =
        dbs.iter().filter(|db| db.logical == "openbanking").map(|db| datasource_xml(db, "        ")).collect();
    add("open-banking-datasources.xml/datasources.xml", format!("<datasources>\n{}\n</datasources>", ob.join("\n")));
    add(
        "registry.xml/mounts.xml",
        MOUNTS_XML.replace("@@REMOTE@@", &xml(&format!("https://{host_text}:{}/registry", 9443 + offset))),
    );
    add("user-mgt.xml/UserStoreManager.xml", user_store_xml(d, km));

    let ob_name = if p == Product::ObKm13 { "WSO2_CONSENT_DB" } else { "WSO2_OPEN_BANKING_DB" };
    let carbon = "repository/conf/carbon.xml";
    let mut patches = vec![
        json!({"file": carbon, "element": "/Server/HostName", "fragment": "fragments/carbon.xml/HostName.xml"}),
        json!({"file": carbon, "element": "/Server/MgtHostName", "fragment": "fragments/carbon.xml/MgtHostName.xml"}),
        json!({"file": carbon, "element": "/Server/Ports/Offset", "fragment": "fragments/carbon.xml/Ports-Offset.xml"}),
    ];
    // One keystore on every node (HOST-010): the primary, internal and trust stores.
    for store in ["KeyStore", "InternalKeyStore"] {
        patches.push(text_patch(carbon, &format!("/Server/Security/{store}/Location"), &keystore_path, false));
        patches.push(text_patch(
            carbon,
            &format!("/Server/Security/{store}/Password"),
            "@@OBKM_KEYSTORE_PASSWORD@@",
            false,
        ));
        patches.push(text_patch(
            carbon,
            &format!("/Server/Security/{store}/KeyPassword"),
            "@@OBKM_KEYSTORE_PASSWORD@@",
            false,
        ));
    }
    patches.push(text_patch(carbon, "/Server/Security/TrustStore/Password", "@@OBKM_TRUSTSTORE_PASSWORD@@", false));
    patches.push(json!({"file": "repository/conf/axis2/axis2.xml", "element": "/axisconfig/clustering", "fragment": "fragments/axis2.xml/clustering.xml"}));
    let mut connectors = vec![("9443", vec!["proxyPort", "keystoreFile", "keystorePass"])];
    if http {
        connectors.insert(0, ("9763", vec!["proxyPort"]));
    }
    for (port, attributes) in connectors {
        patches.push(json!({
            "file": "repository/conf/tomcat/catalina-server.xml",
            "element": format!("/Server/Service/Connector[@port='{port}']"),
            "fragment": "fragments/catalina-server.xml/connectors.xml",
            "fragment_element": format!("/Connectors/Connector[@port='{port}']"),
            "attributes": attributes
        }));
    }
    for db in dbs.iter().filter(|db| db.logical != "openbanking") {
        let sel = format!("datasource[name='{}']", db.name);
        patches.push(json!({
            "file": "repository/conf/datasources/master-datasources.xml",
            "element": format!("/datasources-configuration/datasources/{sel}"),
            "fragment": "fragments/master-datasources.xml/datasources.xml",
            "fragment_element": format!("/datasources/{sel}")
        }));
    }
    let sel = format!("datasource[name='{ob_name}']");
    patches.push(json!({
        "file": "repository/conf/datasources/open-banking-datasources.xml",
        "element": format!("/datasources-configuration/datasources/{sel}"),
        "fragment": "fragments/open-banking-datasources.xml/datasources.xml",
        "fragment_element": format!("/datasources/{sel}")
    }));
    for sel in [
        "dbConfig[@name='configRegistry']",
        "remoteInstance[id='configInstance']",
        "mount[@path='/_system/config']",
        "dbConfig[@name='governanceRegistry']",
        "remoteInstance[id='governanceInstance']",
        "mount[@path='/_system/governance']",
    ] {
        patches.push(json!({
            "file": "repository/conf/registry.xml",
            "element": format!("/wso2registry/{sel}"),
            "fragment": "fragments/registry.xml/mounts.xml",
            "fragment_element": format!("/wso2registry/{sel}")
        }));
    }
    let um = "repository/conf/user-mgt.xml";
    patches.push(json!({
        "file": um,
        "element": "/UserManager/Realm/UserStoreManager",
        "fragment": "fragments/user-mgt.xml/UserStoreManager.xml"
    }));
    // The realm's admin: never the pack's default account; not added to a read-only store,
    // where it must already exist.
    let add_admin = if read_only_store(d, km) { "false" } else { "true" };
    patches.push(text_patch(um, "/UserManager/Realm/Configuration/AddAdmin", add_admin, false));
    patches.push(text_patch(
        um,
        "/UserManager/Realm/Configuration/AdminUser/UserName",
        "@@OBKM_ADMIN_USERNAME@@",
        false,
    ));
    patches.push(text_patch(
        um,
        "/UserManager/Realm/Configuration/AdminUser/Password",
        "@@OBKM_ADMIN_PASSWORD@@",
        false,
    ));
    // Host-bearing endpoints (the host table of hosts.rs). Verified against OB KM 1.5's files;
    // on 1.3/1.4 an element the pack lacks is skipped and reported.
    let optional = p != Product::ObKm15;
    for (file, element, shipped) in KM_XML {
        patches.push(text_patch(file, element, &retarget(shipped, &hosts, Style::Xml), optional));
    }
    let mut text = serde_json::to_string_pretty(&patches).unwrap_or_default();
    text.push('\n');
    files.push((format!("{dir}/patches.json"), text.into_bytes()));
    files
}

/// Files of an API Manager node (OB AM 1.5's api-manager.xml): the three `ServerURL`s that name
/// the Key Manager point at its load balancer.
pub fn am_files(d: &Design, am: &Node) -> Vec<Entry> {
    let km = d.nodes.iter().find(|n| n.kind == NodeKind::KeyManager);
    let hosts = match km {
        Some(km) => Hosts::of(d, km),
        None => Hosts { public: None, tls_port: 443, gateway: None, analytics: None },
    };
    let patches: Vec<serde_json::Value> = AM_XML
        .iter()
        .map(|(file, element, shipped)| text_patch(file, element, &retarget(shipped, &hosts, Style::Xml), false))
        .collect();
    let mut text = serde_json::to_string_pretty(&patches).unwrap_or_default();
    text.push('\n');
    vec![(format!("api-manager/{}/patches.json", am.id), text.into_bytes())]
}

const MOUNTS_XML: &str = "<wso2registry>
    <!-- JDBC mounts: every node shares the config and governance registries. -->
    <dbConfig name=\"configRegistry\">
        <dataSource>jdbc/WSO2Config_DB</dataSource>
    </dbConfig>
    <remoteInstance url=\"@@REMOTE@@\">
        <id>configInstance</id>
        <dbConfig>configRegistry</dbConfig>
        <readOnly>false</readOnly>
        <enableCache>true</enableCache>
        <registryRoot>/</registryRoot>
    </remoteInstance>
    <mount path=\"/_system/config\" overwrite=\"true\">
        <instanceId>configInstance</instanceId>
        <targetPath>/_system/config</targetPath>
    </mount>
    <dbConfig name=\"governanceRegistry\">
        <dataSource>jdbc/WSO2REG_DB</dataSource>
    </dbConfig>
    <remoteInstance url=\"@@REMOTE@@\">
        <id>governanceInstance</id>
        <dbConfig>governanceRegistry</dbConfig>
        <readOnly>false</readOnly>
        <enableCache>true</enableCache>
        <registryRoot>/</registryRoot>
    </remoteInstance>
    <mount path=\"/_system/governance\" overwrite=\"true\">
        <instanceId>governanceInstance</instanceId>
        <targetPath>/_system/governance</targetPath>
    </mount>
</wso2registry>";

/// JVM options, /etc/hosts and the storage mount script of a KM node (every product).
pub fn host_files(d: &Design, km: &Node) -> Vec<Entry> {
    let p = d.product;
    let dir = format!("key-manager/{}", km.id);
    let heap = (km.num("heap_gb", p) * 1024.0).round().max(0.0) as i64;
    let jvm = format!(
        "# JVM_MEM_OPTS for bin/wso2server.sh on {} ({})\n-Xms{heap}m -Xmx{heap}m\n",
        hash_comment(&km.label),
        km.id
    );
    let me = Addr::of(km, p);
    let hosts = match (public_hostname(d, km), me.ip()) {
        (Some(h), Some(ip)) => format!("# Append to /etc/hosts on {}: the public host name resolves to this node itself (ISDG).\n{ip}\t{h}\n", km.id),
        (Some(h), None) => format!(
            "# Append to /etc/hosts on {}: the public host name resolves to this node itself (ISDG).\n# {} has no IP address: replace the placeholder.\n# <IP-OF-{}>\t{h}\n",
            km.id, km.id, km.id
        ),
        (None, _) => format!("# {} has no load balancer with a public host name: nothing to add to /etc/hosts yet.\n", km.id),
    };
    vec![
        (format!("{dir}/bin/jvm-options.txt"), jvm.into_bytes()),
        (format!("{dir}/etc/hosts"), hosts.into_bytes()),
        (format!("{dir}/storage/mounts.sh"), mounts_sh(d, km).into_bytes()),
    ]
}

fn mounts_sh(d: &Design, km: &Node) -> String {
    let p = d.product;
    let mut out = String::from(
        "#!/bin/sh\n# Mounts the shared storage and links each shared artifact directory (ISDG: symlinks, not\n",
    );
    out.push_str(&format!(
        "# mounts onto the product path). Run as root on {} with WSO2_OB_KM_HOME set.\nset -eu\n",
        km.id
    ));
    out.push_str(": \"${WSO2_OB_KM_HOME:?set WSO2_OB_KM_HOME to the Key Manager home}\"\n");
    let Some(fs) = linked(d, km, NodeKind::SharedStorage).into_iter().next() else {
        out.push_str("echo 'no shared storage is linked to this node in the design: nothing to mount' >&2\nexit 1\n");
        return out;
    };
    let a = Addr::endpoint(fs, p);
    let kind = fs.str("type", p);
    let export = fs.str("export_path", p);
    let mount_point = "/mnt/obkm-shared";
    let Some(host) = a.usable() else {
        out.push_str(&format!(
            "# {} has no usable address ({}): fill it in the design first.\n",
            fs.id,
            hash_comment(&placeholder(fs, &a))
        ));
        out.push_str("exit 1\n");
        return out;
    };
    let (fstype, source, opts) = match kind.as_str() {
        "smb" => (
            "cifs",
            format!("//{host}/{}", export.trim_start_matches('/')),
            "credentials=/etc/obkm-smb.credentials".to_string(),
        ),
        "efs" => (
            "nfs4",
            format!("{host}:{export}"),
            "nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2".to_string(),
        ),
        "glusterfs" => ("glusterfs", format!("{host}:{export}"), "defaults,_netdev".to_string()),
        _ => {
            let v = fs.str("nfs_version", p);
            ("nfs", format!("{host}:{export}"), format!("nfsvers={v},hard,_netdev"))
        }
    };
    out.push_str(&format!("MOUNT_POINT={}\nmkdir -p \"$MOUNT_POINT\"\n", shell(mount_point)));
    out.push_str(&format!(
        "if ! mountpoint -q \"$MOUNT_POINT\"; then\n  mount -t {} -o {} {} \"$MOUNT_POINT\"\nfi\n",
        shell(fstype),
        shell(&opts),
        shell(&source)
    ));
    for dir in fs.list("paths", p) {
        let rel = if dir == "tenants" {
            "repository/tenants".to_string()
        } else {
            format!("repository/deployment/server/{dir}")
        };
        out.push_str(&format!(
            "mkdir -p \"$MOUNT_POINT\"/{dir}\nif [ -d \"$WSO2_OB_KM_HOME\"/{rel} ] && [ ! -L \"$WSO2_OB_KM_HOME\"/{rel} ]; then\n  cp -a \"$WSO2_OB_KM_HOME\"/{rel}/. \"$MOUNT_POINT\"/{dir}/ && mv \"$WSO2_OB_KM_HOME\"/{rel} \"$WSO2_OB_KM_HOME\"/{rel}.local\nfi\nln -sfn \"$MOUNT_POINT\"/{dir} \"$WSO2_OB_KM_HOME\"/{rel}\n",
            dir = shell(&dir),
            rel = shell(&rel)
        ));
    }
    out.push_str("echo 'shared artifact directories linked'\n");
    out
}
