//! Per Key Manager node: the XML fragments and `patches.json` for products on Identity Server
//! 5.7 (OB KM 1.3/1.4/1.5), a complete `deployment.toml` for OB IAM 2.0, and the host files
//! every product needs (JVM options, /etc/hosts, the storage mount script).

use serde_json::json;

use super::escape::{hash_comment, shell, xml, xml_comment};
use super::flows::{linked, placeholder, Addr};
use crate::model::{Design, Node, NodeKind, Product};

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

/// What a JDBC connection needs for an engine: driver class, validation query, URL.
fn jdbc(engine: &str, host: &str, port: u32, db: &str) -> (&'static str, &'static str, String) {
    match engine {
        "oracle" => (
            "oracle.jdbc.OracleDriver",
            "SELECT 1 FROM DUAL",
            format!("jdbc:oracle:thin:@{host}:{port}/@@OBKM_ORACLE_SERVICE@@"),
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
        _ => ("com.mysql.jdbc.Driver", "SELECT 1", format!("jdbc:mysql://{host}:{port}/{db}?autoReconnect=true")),
    }
}

/// The database node hosting a logical database for this KM node: one it is linked to first,
/// else any linked to a KM node.
fn host_of<'a>(d: &'a Design, km: &Node, logical: &str) -> Option<&'a Node> {
    let hosts = |n: &&Node| n.list("databases", d.product).iter().any(|x| x == logical);
    linked(d, km, NodeKind::Database).into_iter().find(hosts).or_else(|| {
        d.nodes.iter().filter(|n| n.kind == NodeKind::Database).find(|n| {
            hosts(n)
                && d.nodes
                    .iter()
                    .any(|k| k.kind == NodeKind::KeyManager && d.links.iter().any(|l| l.joins(&k.id, &n.id)))
        })
    })
}

/// The public host name every node uses as HostName: the linked load balancer's `hostname`.
pub fn public_hostname(d: &Design, km: &Node) -> Option<String> {
    linked(d, km, NodeKind::LoadBalancer)
        .into_iter()
        .chain(d.nodes.iter().filter(|n| n.kind == NodeKind::LoadBalancer))
        .map(|lb| lb.str("hostname", d.product))
        .find(|h| crate::model::address::is_hostname(h))
}

fn tls_port(d: &Design, km: &Node) -> u32 {
    linked(d, km, NodeKind::LoadBalancer).first().map(|lb| lb.num("tls_port", d.product) as u32).unwrap_or(443)
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
}

/// The five datasources of a KM node.
pub fn dbs(d: &Design, km: &Node) -> Vec<Db> {
    datasources(d.product)
        .into_iter()
        .map(|(logical, name, jndi, dbname)| {
            let (engine, host, port, note) = match host_of(d, km, logical) {
                Some(db) => {
                    let a = Addr::of(db, d.product);
                    let (host, note) = match a.usable() {
                        Some(h) => (h.to_string(), None),
                        None => ("@@OBKM_DB_HOST@@".to_string(), Some(format!("{} of {}", placeholder(db, &a), db.id))),
                    };
                    (db.str("engine", d.product), host, db.num("port", d.product) as u32, note)
                }
                None => (
                    "mysql".to_string(),
                    "@@OBKM_DB_HOST@@".to_string(),
                    3306,
                    Some(format!("no database hosts {logical}")),
                ),
            };
            let (driver, validation, url) = jdbc(&engine, &host, port, dbname);
            Db { name, jndi, url, driver, validation, note, logical }
        })
        .collect()
}

fn datasource_xml(db: &Db, indent: &str) -> String {
    let note = db.note.as_ref().map(|n| format!("{indent}    <!-- {} -->\n", xml_comment(n))).unwrap_or_default();
    format!(
        "{indent}<datasource>\n{note}{indent}    <name>{name}</name>\n{indent}    <description>obkm-topology: the {logical} database</description>\n{indent}    <jndiConfig>\n{indent}        <name>{jndi}</name>\n{indent}    </jndiConfig>\n{indent}    <definition type=\"RDBMS\">\n{indent}        <configuration>\n{indent}            <url>{url}</url>\n{indent}            <username>@@OBKM_DB_USERNAME@@</username>\n{indent}            <password>@@OBKM_DB_PASSWORD@@</password>\n{indent}            <driverClassName>{driver}</driverClassName>\n{indent}            <maxActive>150</maxActive>\n{indent}            <maxWait>60000</maxWait>\n{indent}            <testOnBorrow>true</testOnBorrow>\n{indent}            <validationQuery>{validation}</validationQuery>\n{indent}            <validationInterval>30000</validationInterval>\n{indent}            <defaultAutoCommit>false</defaultAutoCommit>\n{indent}        </configuration>\n{indent}    </definition>\n{indent}</datasource>",
        name = db.name,
        logical = db.logical,
        jndi = db.jndi,
        url = xml(&db.url),
        driver = db.driver,
        validation = xml(db.validation),
    )
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn clustering_xml(d: &Design, km: &Node) -> String {
    let p = d.product;
    let me = Addr::of(km, p);
    let mut out = String::new();
    out.push_str("<clustering class=\"org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent\"\n                enable=\"true\">\n");
    out.push_str("        <!-- Generated by obkm-topology: every Key Manager node joins one cluster. -->\n");
    out.push_str("        <parameter name=\"AvoidInitiation\">true</parameter>\n");
    out.push_str(&format!(
        "        <parameter name=\"membershipScheme\">{}</parameter>\n",
        xml(&d.cluster.membership_scheme)
    ));
    out.push_str(&format!("        <parameter name=\"domain\">{}</parameter>\n", xml(&d.cluster.domain)));
    if d.cluster.membership_scheme == "multicast" {
        out.push_str("        <parameter name=\"mcastPort\">45564</parameter>\n        <parameter name=\"mcastTTL\">100</parameter>\n        <parameter name=\"mcastTimeout\">60</parameter>\n");
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
    if d.cluster.membership_scheme == "wka" {
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

fn user_store_xml(d: &Design, km: &Node) -> (String, Vec<&'static str>) {
    let p = d.product;
    let dir = linked(d, km, NodeKind::Directory).into_iter().next();
    let Some(dir) = dir else {
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
        return (out, Vec::new());
    };
    let product = dir.str("product", p);
    let class = if product == "active-directory" {
        "org.wso2.carbon.user.core.ldap.ActiveDirectoryUserStoreManager"
    } else if dir.bool("read_only", p) {
        "org.wso2.carbon.user.core.ldap.ReadOnlyLDAPUserStoreManager"
    } else {
        "org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager"
    };
    let a = Addr::of(dir, p);
    let scheme = if dir.bool("tls", p) { "ldaps" } else { "ldap" };
    let (url, note) = match a.usable() {
        Some(h) => (format!("{scheme}://{h}:{}", dir.num("port", p) as i64), None),
        None => (format!("{scheme}://@@OBKM_LDAP_HOST@@:{}", dir.num("port", p) as i64), Some(placeholder(dir, &a))),
    };
    let read_only = dir.bool("read_only", p);
    let mut props: Vec<(&str, String)> = vec![
        ("TenantManager", "org.wso2.carbon.user.core.tenant.CommonHybridLDAPTenantManager".into()),
        ("ConnectionURL", url),
        ("ConnectionName", "@@OBKM_LDAP_BIND_DN@@".into()),
        ("ConnectionPassword", "@@OBKM_LDAP_BIND_PASSWORD@@".into()),
        ("AnonymousBind", "false".into()),
        ("ReadOnly", read_only.to_string()),
        ("WriteGroups", (!read_only).to_string()),
        ("UserSearchBase", "@@OBKM_LDAP_USER_SEARCH_BASE@@".into()),
        ("GroupSearchBase", "@@OBKM_LDAP_GROUP_SEARCH_BASE@@".into()),
        ("UserNameAttribute", if product == "active-directory" { "sAMAccountName" } else { "uid" }.into()),
        (
            "UserNameSearchFilter",
            if product == "active-directory" {
                "(&(objectClass=user)(sAMAccountName=?))"
            } else {
                "(&(objectClass=person)(uid=?))"
            }
            .into(),
        ),
        (
            "UserNameListFilter",
            if product == "active-directory" { "(objectClass=user)" } else { "(objectClass=person)" }.into(),
        ),
        ("GroupNameAttribute", "cn".into()),
        (
            "GroupNameListFilter",
            if product == "active-directory" { "(objectcategory=group)" } else { "(objectClass=groupOfNames)" }.into(),
        ),
        ("MembershipAttribute", "member".into()),
        ("ReadGroups", "true".into()),
        ("SCIMEnabled", "true".into()),
        ("PasswordHashMethod", "PLAIN_TEXT".into()),
        ("ConnectionPoolingEnabled", "false".into()),
    ];
    if product == "active-directory" {
        props.push(("Referral", "follow".into()));
        props.push(("BackLinksEnabled", "true".into()));
    }
    let mut out = format!("<UserStoreManager class=\"{class}\">\n");
    out.push_str(&format!(
        "            <!-- obkm-topology: the primary user store is {} ({}). -->\n",
        xml_comment(&dir.label),
        dir.id
    ));
    if let Some(n) = note {
        out.push_str(&format!("            <!-- ConnectionURL host is a placeholder: {} -->\n", xml_comment(&n)));
    }
    for (k, v) in props {
        out.push_str(&format!("            <Property name=\"{k}\">{}</Property>\n", xml(&v)));
    }
    out.push_str("        </UserStoreManager>");
    (
        out,
        vec![
            "OBKM_LDAP_BIND_DN",
            "OBKM_LDAP_BIND_PASSWORD",
            "OBKM_LDAP_USER_SEARCH_BASE",
            "OBKM_LDAP_GROUP_SEARCH_BASE",
        ],
    )
}

/// Files of one KM node for products on IS 5.7 (XML fragments and patches.json).
pub fn xml_files(d: &Design, km: &Node) -> Vec<Entry> {
    let p = d.product;
    let dir = format!("key-manager/{}", km.id);
    let host = public_hostname(d, km);
    let host_text = host.clone().unwrap_or_else(|| "@@OBKM_PUBLIC_HOSTNAME@@".to_string());
    let offset = km.num("port_offset", p) as i64;
    let mut files: Vec<Entry> = Vec::new();
    let mut add = |name: &str, body: String| {
        files.push((format!("{dir}/fragments/{name}"), format!("{XML_HEAD}{body}\n").into_bytes()))
    };
    add("carbon.xml/HostName.xml", format!("<HostName>{}</HostName>", xml(&host_text)));
    add("carbon.xml/MgtHostName.xml", format!("<MgtHostName>{}</MgtHostName>", xml(&host_text)));
    add("carbon.xml/Ports-Offset.xml", format!("<Offset>{offset}</Offset>"));
    add("axis2.xml/clustering.xml", clustering_xml(d, km));
    add(
        "catalina-server.xml/connectors.xml",
        format!(
            "<Connectors>\n    <!-- obkm-topology sets proxyPort on the two shipped connectors; every other attribute stays. -->\n    <Connector port=\"9763\" proxyPort=\"80\"/>\n    <Connector port=\"9443\" proxyPort=\"{}\"/>\n</Connectors>",
            tls_port(d, km)
        ),
    );
    let dbs = dbs(d, km);
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
    let (usm, _) = user_store_xml(d, km);
    add("user-mgt.xml/UserStoreManager.xml", usm);

    let ob_name = if p == Product::ObKm13 { "WSO2_CONSENT_DB" } else { "WSO2_OPEN_BANKING_DB" };
    let mut patches = vec![
        json!({"file": "repository/conf/carbon.xml", "element": "/Server/HostName", "fragment": "fragments/carbon.xml/HostName.xml"}),
        json!({"file": "repository/conf/carbon.xml", "element": "/Server/MgtHostName", "fragment": "fragments/carbon.xml/MgtHostName.xml"}),
        json!({"file": "repository/conf/carbon.xml", "element": "/Server/Ports/Offset", "fragment": "fragments/carbon.xml/Ports-Offset.xml"}),
        json!({"file": "repository/conf/axis2/axis2.xml", "element": "/axisconfig/clustering", "fragment": "fragments/axis2.xml/clustering.xml"}),
    ];
    for port in ["9763", "9443"] {
        patches.push(json!({
            "file": "repository/conf/tomcat/catalina-server.xml",
            "element": format!("/Server/Service/Connector[@port='{port}']"),
            "fragment": "fragments/catalina-server.xml/connectors.xml",
            "fragment_element": format!("/Connectors/Connector[@port='{port}']"),
            "attributes": ["proxyPort"]
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
    patches.push(json!({
        "file": "repository/conf/user-mgt.xml",
        "element": "/UserManager/Realm/UserStoreManager",
        "fragment": "fragments/user-mgt.xml/UserStoreManager.xml"
    }));
    let mut text = serde_json::to_string_pretty(&patches).unwrap_or_default();
    text.push('\n');
    files.push((format!("{dir}/patches.json"), text.into_bytes()));
    files
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

/// `deployment.toml` for OB IAM 2.0 (IS 5.10), written through a TOML library.
pub fn deployment_toml(d: &Design, km: &Node) -> String {
    use toml::map::Map;
    use toml::Value as T;
    let p = d.product;
    let table = |pairs: Vec<(&str, T)>| -> T {
        T::Table(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())
    };
    let s = |v: &str| T::String(v.to_string());
    let me = Addr::of(km, p);
    let host = public_hostname(d, km).unwrap_or_else(|| "@@OBKM_PUBLIC_HOSTNAME@@".into());
    let node_ip = me.ip().map(str::to_string).unwrap_or_else(|| "@@OBKM_NODE_IP@@".into());
    let member_host = me.usable().map(str::to_string).unwrap_or_else(|| "@@OBKM_NODE_ADDRESS@@".into());
    let members: Vec<T> = d
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::KeyManager)
        .filter_map(|m| Addr::of(m, p).usable().map(|a| s(&format!("{a}:{}", m.num("member_port", p) as i64))))
        .collect();
    let dbs = dbs(d, km);
    let db = |logical: &str| dbs.iter().find(|x| x.logical == logical);
    let db_table = |logical: &str| -> T {
        match db(logical) {
            Some(x) => table(vec![
                ("url", s(&x.url)),
                ("username", s("$env{OBKM_DB_USERNAME}")),
                ("password", s("$env{OBKM_DB_PASSWORD}")),
                ("driver", s(x.driver)),
                (
                    "pool_options",
                    table(vec![
                        ("validationQuery", s(x.validation)),
                        ("maxActive", T::Integer(150)),
                        ("maxWait", T::Integer(60000)),
                        ("testOnBorrow", T::Boolean(true)),
                        ("defaultAutoCommit", T::Boolean(false)),
                    ]),
                ),
            ]),
            None => table(vec![]),
        }
    };
    let mut root = Map::new();
    root.insert(
        "server".into(),
        table(vec![
            ("hostname", s(&host)),
            ("node_ip", s(&node_ip)),
            ("offset", T::Integer(km.num("port_offset", p) as i64)),
        ]),
    );
    root.insert(
        "super_admin".into(),
        table(vec![
            ("username", s("$env{OBKM_ADMIN_USERNAME}")),
            ("password", s("$env{OBKM_ADMIN_PASSWORD}")),
            ("create_admin_account", T::Boolean(true)),
        ]),
    );
    let tls = tls_port(d, km) as i64;
    root.insert(
        "transport".into(),
        table(vec![("https", table(vec![("properties", table(vec![("proxyPort", T::Integer(tls))]))]))]),
    );
    let mut clustering = vec![
        ("membership_scheme", s(&d.cluster.membership_scheme)),
        ("domain", s(&d.cluster.domain)),
        ("local_member_host", s(&member_host)),
        ("local_member_port", s(&(km.num("member_port", p) as i64).to_string())),
    ];
    if d.cluster.membership_scheme == "wka" {
        clustering.push(("members", T::Array(members)));
    }
    root.insert("clustering".into(), table(clustering));
    root.insert(
        "database".into(),
        table(vec![
            ("apim_db", db_table("apim")),
            ("shared_db", db_table("governance")),
            ("config", db_table("config")),
            ("user", db_table("user")),
        ]),
    );
    if let Some(u) = db("user") {
        root.insert(
            "datasource".into(),
            T::Array(vec![table(vec![
                ("id", s("WSO2UM_DB")),
                ("url", s(&u.url)),
                ("username", s("$env{OBKM_DB_USERNAME}")),
                ("password", s("$env{OBKM_DB_PASSWORD}")),
                ("driver", s(u.driver)),
            ])]),
        );
    }
    root.insert("realm_manager".into(), table(vec![("data_source", s("WSO2UM_DB"))]));
    let user_store = match linked(d, km, NodeKind::Directory).into_iter().next() {
        Some(dir) => {
            let a = Addr::of(dir, p);
            let scheme = if dir.bool("tls", p) { "ldaps" } else { "ldap" };
            let host = a.usable().map(str::to_string).unwrap_or_else(|| "@@OBKM_LDAP_HOST@@".into());
            let kind = if dir.str("product", p) == "active-directory" {
                "active_directory"
            } else if dir.bool("read_only", p) {
                "read_only_ldap"
            } else {
                "read_write_ldap"
            };
            table(vec![
                ("type", s(kind)),
                ("connection_url", s(&format!("{scheme}://{host}:{}", dir.num("port", p) as i64))),
                ("connection_name", s("$env{OBKM_LDAP_BIND_DN}")),
                ("connection_password", s("$env{OBKM_LDAP_BIND_PASSWORD}")),
                ("base_dn", s("$env{OBKM_LDAP_BASE_DN}")),
            ])
        }
        None => table(vec![("type", s("database_unique_id"))]),
    };
    root.insert("user_store".into(), user_store);
    root.insert("open_banking_database".into(), db_table("openbanking"));
    root.insert(
        "keystore".into(),
        table(vec![(
            "primary",
            table(vec![
                ("file_name", s(&km.str("keystore", p))),
                ("password", s("$env{OBKM_KEYSTORE_PASSWORD}")),
                ("alias", s("wso2carbon")),
                ("key_password", s("$env{OBKM_KEYSTORE_PASSWORD}")),
            ]),
        )]),
    );
    let body = toml::to_string(&T::Table(root)).unwrap_or_default();
    format!(
        "# deployment.toml for {} ({}), generated by obkm-topology {}.\n# Secrets are $env{{...}} references the server resolves at start-up; see the bundle README.\n\n{body}",
        hash_comment(&km.label),
        km.id,
        env!("CARGO_PKG_VERSION")
    )
}

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
    let a = Addr::of(fs, p);
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
