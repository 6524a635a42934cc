//! Address forms: RFC 1123 host names, IP literals and CIDR blocks. Used by the inspector to
//! refuse malformed values at the field, and by the checker (TOPO-003) for loaded files.

use std::net::IpAddr;

use super::{Node, Product};

/// True when `s` is an IPv4 or IPv6 literal (no zone id, no brackets, no leading zeros).
pub fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// True when `s` is an RFC 1123 host name: dot-separated labels of letters, digits and `-`
/// (1–63 characters, not starting or ending with `-`), at most 253 characters, an optional
/// trailing dot, and a last label that is not all digits (so `10.0.0.300` is not a name).
pub fn is_hostname(s: &str) -> bool {
    let name = s.strip_suffix('.').unwrap_or(s);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    };
    let last = name.rsplit('.').next().unwrap_or(name);
    name.split('.').all(label_ok) && !last.bytes().all(|c| c.is_ascii_digit())
}

/// True when `s` is a host name or an IP literal.
pub fn is_host_or_ip(s: &str) -> bool {
    is_ip(s) || is_hostname(s)
}

/// True when `s` is `address/prefix` with a prefix length that fits the address family.
pub fn is_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else { return false };
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let Ok(len) = len.parse::<u8>() else { return false };
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => len <= 32,
        Ok(IpAddr::V6(_)) => len <= 128,
        Err(_) => false,
    }
}

/// True when `s` is a valid cluster domain (`^[A-Za-z0-9._-]+$`, ASCII).
pub fn is_cluster_domain(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for ok in ["km1.bank.internal", "a", "a-b.c", "km.example.com.", "x1"] {
            assert!(is_hostname(ok), "{ok}");
        }
        for bad in [
            "",
            "km_1.internal",
            "-a.b",
            "a-.b",
            "a..b",
            "10.0.0.300",
            "1.2.3.4",
            "a b",
            "</clustering>",
            &"a".repeat(64),
        ] {
            assert!(!is_hostname(bad), "{bad}");
        }
        for ok in ["10.0.0.1", "::1", "0:0::1", "fe80::1", "255.255.255.255"] {
            assert!(is_ip(ok), "{ok}");
        }
        for bad in ["10.0.0.300", "10.0.0", "fe80::1%eth0", "[::1]", "010.0.0.1", " 10.0.0.1"] {
            assert!(!is_ip(bad), "{bad}");
        }
        assert!(is_cidr("0.0.0.0/0") && is_cidr("10.0.0.0/8") && is_cidr("2001:db8::/32"));
        assert!(!is_cidr("10.0.0.0/33") && !is_cidr("10.0.0.0") && !is_cidr("10.0.0.0/") && !is_cidr("x/8"));
        assert!(is_cluster_domain("wso2.ob.km.domain") && !is_cluster_domain("a b") && !is_cluster_domain(""));
    }
}

/// Where a node can be reached: the one reading of a node's address, for the checker and the
/// exports alike (rules.md: its `ip` when non-empty, else its `hostname`, else its `host`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    /// A valid IP literal (`ip`, or `host` when it is an IP).
    Ip(String),
    /// A valid host name (no IP known).
    Name(String),
    /// No address at all.
    Missing,
    /// An address the checker reports as malformed (TOPO-003): never written as syntax.
    Invalid(String),
}

impl Addr {
    /// The node's address: `ip`, else `hostname`/`host`.
    pub fn of(n: &Node, product: Product) -> Addr {
        let get = |key: &str| if n.kind.prop(key).is_some() { n.text(key, product) } else { "".into() };
        let ip = get("ip");
        let ip = ip.trim();
        if !ip.is_empty() {
            return if is_ip(ip) { Addr::Ip(ip.to_string()) } else { Addr::Invalid(ip.to_string()) };
        }
        for key in ["hostname", "host"] {
            let v = get(key);
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let ok = if key == "hostname" { is_hostname(v) } else { is_host_or_ip(v) };
            return match (ok, is_ip(v)) {
                (false, _) => Addr::Invalid(v.to_string()),
                (true, true) => Addr::Ip(v.to_string()),
                (true, false) => Addr::Name(v.to_string()),
            };
        }
        Addr::Missing
    }

    /// Where a service is configured to be reached (JDBC and LDAP URLs, mounts): its `host`
    /// when the kind has one and it is set, else what `of` says. A database, directory or
    /// storage node's `ip` serves the firewall files (`of`); its URLs keep the name.
    pub fn endpoint(n: &Node, product: Product) -> Addr {
        if n.kind.prop("host").is_some() && !n.text("host", product).trim().is_empty() {
            let v = n.text("host", product);
            let v = v.trim();
            return match (is_host_or_ip(v), is_ip(v)) {
                (false, _) => Addr::Invalid(v.to_string()),
                (true, true) => Addr::Ip(v.to_string()),
                (true, false) => Addr::Name(v.to_string()),
            };
        }
        Addr::of(n, product)
    }

    /// The address text where one may be written (IP or name).
    pub fn usable(&self) -> Option<&str> {
        match self {
            Addr::Ip(s) | Addr::Name(s) => Some(s),
            _ => None,
        }
    }

    /// The address text as written (trimmed), malformed or not; `None` when there is none.
    pub fn text(&self) -> Option<&str> {
        match self {
            Addr::Ip(s) | Addr::Name(s) | Addr::Invalid(s) => Some(s),
            Addr::Missing => None,
        }
    }

    /// The IP, when known.
    pub fn ip(&self) -> Option<&str> {
        match self {
            Addr::Ip(s) => Some(s),
            _ => None,
        }
    }
}
