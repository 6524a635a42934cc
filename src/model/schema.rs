//! The node kinds and their properties as data: one definition per kind that the loader,
//! the inspector, the checker and the exports all read, so a property is described once.

use serde_json::Value;

/// The kinds of node, in the order of design-format.md (which also orders id prefixes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// One Key Manager server (one JVM on one host).
    KeyManager,
    /// The entry point in front of the cluster.
    LoadBalancer,
    /// One RDBMS service.
    Database,
    /// An LDAP or Active Directory service used as user store.
    Directory,
    /// The shared file system for artifact synchronization.
    SharedStorage,
    /// Where traffic comes from.
    Client,
    /// The Open Banking API Manager that calls the Key Manager.
    ApiManager,
    /// Open Banking Business Intelligence.
    Analytics,
}

impl NodeKind {
    /// Every kind, in palette order.
    pub const ALL: [NodeKind; 8] = [
        NodeKind::KeyManager,
        NodeKind::LoadBalancer,
        NodeKind::Database,
        NodeKind::Directory,
        NodeKind::SharedStorage,
        NodeKind::Client,
        NodeKind::ApiManager,
        NodeKind::Analytics,
    ];

    /// The name used in the file (`key-manager`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::KeyManager => "key-manager",
            NodeKind::LoadBalancer => "load-balancer",
            NodeKind::Database => "database",
            NodeKind::Directory => "directory",
            NodeKind::SharedStorage => "shared-storage",
            NodeKind::Client => "client",
            NodeKind::ApiManager => "api-manager",
            NodeKind::Analytics => "analytics",
        }
    }

    /// Parses the file's name of a kind.
    pub fn parse(s: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The prefix of new node ids of this kind.
    pub fn id_prefix(self) -> &'static str {
        match self {
            NodeKind::KeyManager => "km",
            NodeKind::LoadBalancer => "lb",
            NodeKind::Database => "db",
            NodeKind::Directory => "ldap",
            NodeKind::SharedStorage => "fs",
            NodeKind::Client => "client",
            NodeKind::ApiManager => "am",
            NodeKind::Analytics => "bi",
        }
    }

    /// A human name for the palette and messages.
    pub fn title(self) -> &'static str {
        match self {
            NodeKind::KeyManager => "Key Manager node",
            NodeKind::LoadBalancer => "Load balancer",
            NodeKind::Database => "Database",
            NodeKind::Directory => "Directory (LDAP)",
            NodeKind::SharedStorage => "Shared storage",
            NodeKind::Client => "Clients",
            NodeKind::ApiManager => "API Manager",
            NodeKind::Analytics => "Analytics (BI)",
        }
    }

    /// The property definitions of this kind, in the order the file writes them.
    pub fn props(self) -> &'static [PropSpec] {
        match self {
            NodeKind::KeyManager => KEY_MANAGER,
            NodeKind::LoadBalancer => LOAD_BALANCER,
            NodeKind::Database => DATABASE,
            NodeKind::Directory => DIRECTORY,
            NodeKind::SharedStorage => SHARED_STORAGE,
            NodeKind::Client => CLIENT,
            NodeKind::ApiManager | NodeKind::Analytics => NEIGHBOUR,
        }
    }

    /// The definition of one property, if this kind has it.
    pub fn prop(self, name: &str) -> Option<&'static PropSpec> {
        // Length and first letter first: the checker asks tens of thousands of times a run.
        let b = name.as_bytes();
        self.props().iter().find(|p| {
            let q = p.name.as_bytes();
            q.len() == b.len() && q.first() == b.first() && q == b
        })
    }
}

/// The product a design targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Product {
    /// OB Key Manager 1.3 (IS 5.7, XML configuration).
    ObKm13,
    /// OB Key Manager 1.4 (IS 5.7, XML configuration).
    ObKm14,
    /// OB Key Manager 1.5 (IS 5.7, XML configuration).
    ObKm15,
    /// OB Identity and Access Management 2.0 (IS 5.10, deployment.toml).
    ObIam20,
}

impl Product {
    /// Every product, in the order of design-format.md.
    pub const ALL: [Product; 4] = [Product::ObKm13, Product::ObKm14, Product::ObKm15, Product::ObIam20];

    /// The id used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::ObKm13 => "ob-km-1.3",
            Product::ObKm14 => "ob-km-1.4",
            Product::ObKm15 => "ob-km-1.5",
            Product::ObIam20 => "ob-iam-2.0",
        }
    }

    /// Parses a product id.
    pub fn parse(s: &str) -> Option<Product> {
        Product::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The product's release, the default `product_version` of its KM nodes.
    pub fn release(self) -> &'static str {
        match self {
            Product::ObKm13 => "1.3.0",
            Product::ObKm14 => "1.4.0",
            Product::ObKm15 => "1.5.0",
            Product::ObIam20 => "2.0.0",
        }
    }
}

/// The cluster membership schemes.
pub const MEMBERSHIP_SCHEMES: &[&str] = &["wka", "multicast", "aws", "kubernetes"];

/// The Hazelcast membership scheme of the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MembershipScheme {
    /// Well-known addresses: every node lists the members.
    Wka,
    /// Multicast discovery on one subnet.
    Multicast,
    /// EC2 discovery (a security group and a tag).
    Aws,
    /// The endpoints of Kubernetes services.
    Kubernetes,
}

impl MembershipScheme {
    /// Every scheme, in the order of design-format.md (and of `MEMBERSHIP_SCHEMES`).
    pub const ALL: [MembershipScheme; 4] =
        [MembershipScheme::Wka, MembershipScheme::Multicast, MembershipScheme::Aws, MembershipScheme::Kubernetes];

    /// The id used in the file and in axis2.xml / deployment.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipScheme::Wka => "wka",
            MembershipScheme::Multicast => "multicast",
            MembershipScheme::Aws => "aws",
            MembershipScheme::Kubernetes => "kubernetes",
        }
    }

    /// Parses a scheme id.
    pub fn parse(s: &str) -> Option<MembershipScheme> {
        MembershipScheme::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The logical databases a Key Manager needs.
pub const LOGICAL_DATABASES: &[&str] = &["apim", "config", "governance", "user", "openbanking"];

/// The artifact directories a shared storage may carry.
pub const ARTIFACT_DIRS: &[&str] = &["userstores", "eventpublishers", "eventstreams", "humantasks", "bpel", "tenants"];

/// The type of a property's value, which decides how the loader checks it and the
/// inspector edits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropType {
    /// Free text.
    Text,
    /// An RFC 1123 host name (the form is checked by the checker and the inspector, not the loader).
    Host,
    /// An IPv4 or IPv6 literal (likewise).
    Ip,
    /// A host name or an IP literal.
    HostOrIp,
    /// A CIDR block.
    Cidr,
    /// A number (may have a fraction).
    Number,
    /// A whole number.
    Integer,
    /// true or false.
    Bool,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// A list drawn from the listed strings.
    Set(&'static [&'static str]),
    /// A list of IP literals or CIDR blocks (the form is checked by the checker and the
    /// inspector, not the loader).
    Addresses,
}

/// The default of a property when the design does not set it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropDefault {
    /// A fixed string.
    Str(&'static str),
    /// A fixed number.
    Num(f64),
    /// A fixed boolean.
    Bool(bool),
    /// A fixed list.
    List(&'static [&'static str]),
    /// Depends on other values (the database engine's port, the product's release, …).
    Derived(&'static str),
}

/// One property of a node kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropSpec {
    /// The key in `props`.
    pub name: &'static str,
    /// How the value is typed.
    pub ty: PropType,
    /// The value when unset.
    pub default: PropDefault,
    /// The unit shown beside the field, if any.
    pub unit: &'static str,
    /// A short explanation shown in the inspector.
    pub help: &'static str,
}

const fn p(name: &'static str, ty: PropType, default: PropDefault, unit: &'static str, help: &'static str) -> PropSpec {
    PropSpec { name, ty, default, unit, help }
}

use PropDefault as D;
use PropType as T;

const KEY_MANAGER: &[PropSpec] = &[
    p("hostname", T::Host, D::Str(""), "", "RFC 1123 host name of this node"),
    p("ip", T::Ip, D::Str(""), "", "IPv4 or IPv6 address of this node"),
    p("memory_gb", T::Number, D::Num(4.0), "GB", "host RAM (HA: 4 GB)"),
    p("heap_gb", T::Number, D::Num(2.0), "GB", "JVM heap, -Xms/-Xmx (HA: 2 GB)"),
    p("disk_gb", T::Number, D::Num(10.0), "GB", "disk (HA: 10 GB minimum)"),
    p("jdk", T::Text, D::Str("1.8.0_202"), "", "JDK version: 1.8.0_202, 8u202, 11.0.9 …"),
    p(
        "jdk_vendor",
        T::Enum(&["oracle", "openjdk", "adoptopenjdk", "corretto", "other"]),
        D::Str("oracle"),
        "",
        "JDK vendor",
    ),
    p("os", T::Text, D::Str("ubuntu-18.04"), "", "operating system id: ubuntu-18.04, centos-7, windows-2016 …"),
    p("product_version", T::Text, D::Derived("product"), "", "product release, such as 1.5.0"),
    p("update_level", T::Integer, D::Num(0.0), "", "WSO2 update level"),
    p("clustering_enabled", T::Bool, D::Bool(true), "", "joins the Hazelcast cluster"),
    p("member_port", T::Integer, D::Num(4000.0), "port", "Hazelcast localMemberPort (not shifted by the offset)"),
    p("port_offset", T::Integer, D::Num(3.0), "", "carbon.xml Ports/Offset (3: HTTP 9766, HTTPS 9446)"),
    p("keystore", T::Text, D::Str("wso2carbon.jks"), "", "primary keystore"),
];

const LOAD_BALANCER: &[PropSpec] = &[
    p("hostname", T::Host, D::Str(""), "", "public host name of the Key Manager (HostName on every node)"),
    p("ip", T::Ip, D::Str(""), "", "address of the load balancer"),
    p(
        "product",
        T::Enum(&["nginx", "nginx-plus", "haproxy", "k8s-ingress", "other"]),
        D::Str("nginx"),
        "",
        "load balancer product",
    ),
    p("sticky_sessions", T::Bool, D::Bool(true), "", "session affinity (HA: required)"),
    p("instances", T::Integer, D::Num(1.0), "", "redundant instances behind one address"),
    p("tls_port", T::Integer, D::Num(443.0), "port", "front-end HTTPS port"),
    p("expose_http", T::Bool, D::Bool(false), "", "also serve plain HTTP (80 to 9766)"),
    p("backend_protocol", T::Enum(&["https", "http"]), D::Str("https"), "", "protocol to the KM nodes"),
    // Added after format v1's first release: last, so that older share links keep their layout.
    p(
        "source_addresses",
        T::Addresses,
        D::List(&[]),
        "",
        "the instances' own addresses (IP or CIDR, comma-separated): the source of every rule that admits the load balancer",
    ),
];

const DATABASE: &[PropSpec] = &[
    p("engine", T::Enum(&["mysql", "mariadb", "oracle", "mssql", "postgresql", "db2"]), D::Str("mysql"), "", "DBMS"),
    p("version", T::Text, D::Str("5.7"), "", "DBMS version"),
    p("host", T::HostOrIp, D::Str(""), "", "host name or IP of the service endpoint"),
    p("port", T::Integer, D::Derived("engine"), "port", "service port (engine default)"),
    p("instances", T::Integer, D::Num(1.0), "", "instances in the group"),
    p(
        "ha_mode",
        T::Enum(&["none", "primary-replica", "multi-primary", "cluster"]),
        D::Str("none"),
        "",
        "high-availability mode",
    ),
    p("databases", T::Set(LOGICAL_DATABASES), D::List(LOGICAL_DATABASES), "", "logical databases hosted here"),
    p("ip", T::Ip, D::Str(""), "", "IP address, for the firewall files only (JDBC URLs keep host)"),
];

const DIRECTORY: &[PropSpec] = &[
    p(
        "product",
        T::Enum(&["openldap", "active-directory", "apacheds", "other"]),
        D::Str("openldap"),
        "",
        "directory product",
    ),
    p("version", T::Text, D::Str("2.4"), "", "product version"),
    p("protocol", T::Enum(&["ldap-v3", "ldap-v2", "other"]), D::Str("ldap-v3"), "", "protocol"),
    p("host", T::HostOrIp, D::Str(""), "", "host name or IP"),
    p("port", T::Integer, D::Derived("tls"), "port", "389, or 636 with TLS"),
    p("tls", T::Bool, D::Bool(false), "", "LDAPS"),
    p("instances", T::Integer, D::Num(1.0), "", "replicated instances"),
    p("read_only", T::Bool, D::Bool(false), "", "read-only user store"),
    p("ip", T::Ip, D::Str(""), "", "IP address, for the firewall files only (LDAP URLs keep host)"),
];

const DEFAULT_PATHS: &[&str] = &["userstores", "eventpublishers", "eventstreams", "humantasks", "bpel"];

const SHARED_STORAGE: &[PropSpec] = &[
    p("type", T::Enum(&["nfs", "smb", "efs", "glusterfs"]), D::Str("nfs"), "", "file system"),
    p("host", T::HostOrIp, D::Str(""), "", "server host name or IP"),
    p("export_path", T::Text, D::Str("/exports/obkm"), "", "exported path"),
    p("nfs_version", T::Enum(&["4", "3"]), D::Str("4"), "", "NFS version (nfs only)"),
    p("instances", T::Integer, D::Num(1.0), "", "redundant servers"),
    p("paths", T::Set(ARTIFACT_DIRS), D::List(DEFAULT_PATHS), "", "artifact directories shared"),
    p("ip", T::Ip, D::Str(""), "", "IP address, for the firewall files only (mounts keep host)"),
];

const CLIENT: &[PropSpec] = &[
    p("cidr", T::Cidr, D::Str("0.0.0.0/0"), "", "where clients come from"),
    p("description", T::Text, D::Str(""), "", "who they are"),
];

const NEIGHBOUR: &[PropSpec] =
    &[p("hostname", T::Host, D::Str(""), "", "host name"), p("ip", T::Ip, D::Str(""), "", "IP address")];

/// The JSON type name of a value, for load error messages.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl PropSpec {
    /// Checks that a value has this property's type (the form of addresses is not checked
    /// here: that is the checker's TOPO-003). Returns the reason when it does not.
    pub fn check_type(&self, v: &Value) -> Result<(), TypeError> {
        self.check_type_inner(v)
            .map_err(|message| TypeError { at: String::new(), message })
            .and_then(|()| self.check_items(v))
    }

    fn check_items(&self, v: &Value) -> Result<(), TypeError> {
        if let (T::Addresses, Some(items)) = (self.ty, v.as_array()) {
            for (i, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(TypeError {
                        at: format!("[{i}]"),
                        message: format!("expected a string (an IP or CIDR), found {}", describe(item)),
                    });
                }
            }
            return Ok(());
        }
        let (T::Set(allowed), Some(items)) = (self.ty, v.as_array()) else { return Ok(()) };
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) if allowed.contains(&s) => {}
                _ => {
                    return Err(TypeError {
                        at: format!("[{i}]"),
                        message: format!("expected one of {}, found {}", allowed.join(", "), describe(item)),
                    })
                }
            }
        }
        Ok(())
    }

    fn check_type_inner(&self, v: &Value) -> Result<(), String> {
        let found = || describe(v);
        match self.ty {
            T::Text | T::Host | T::Ip | T::HostOrIp | T::Cidr => {
                if v.is_string() {
                    Ok(())
                } else {
                    Err(format!("expected a string, found {}", found()))
                }
            }
            T::Number => match v.as_f64() {
                Some(_) => Ok(()),
                None => Err(format!("expected a number, found {}", found())),
            },
            T::Integer => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(()),
                _ => Err(format!("expected a whole number, found {}", found())),
            },
            T::Bool => {
                if v.is_boolean() {
                    Ok(())
                } else {
                    Err(format!("expected true or false, found {}", found()))
                }
            }
            T::Enum(allowed) => match v.as_str() {
                Some(s) if allowed.contains(&s) => Ok(()),
                _ => Err(format!("expected one of {}, found {}", allowed.join(", "), found())),
            },
            T::Set(_) | T::Addresses => {
                if v.is_array() {
                    Ok(())
                } else {
                    Err(format!("expected an array, found {}", found()))
                }
            }
        }
    }
}

/// A value of the wrong type for its property: `at` is a suffix of the path (`[2]` for an
/// item of a list), `message` says what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    /// Path suffix within the property.
    pub at: String,
    /// What was expected and found.
    pub message: String,
}

/// A short description of a JSON value for error messages: strings and numbers are
/// quoted as they appear (cut when long), other values by type.
pub fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("{shown:?}")
        }
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => json_type_name(other).to_string(),
    }
}
