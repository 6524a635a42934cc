//! Turning what a user typed into a property value, with the reason when it is refused. The
//! inspector uses this so that an invalid value is marked at the field and never stored.

use serde_json::{Number, Value};

use super::address::{is_cidr, is_host_or_ip, is_hostname, is_ip};
use super::number::canonical_number;
use super::schema::{PropDefault, PropSpec, PropType};

/// The text a field shows for a stored value (`""` when unset).
pub fn display(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Some(Value::Bool(b)) => b.to_string(),
        // Lists (of choices, of addresses) as the field takes them: comma-separated.
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        }
        Some(other) => other.to_string(),
    }
}

/// The default of a property as text for the field's placeholder.
pub fn default_text(spec: &PropSpec) -> String {
    match spec.default {
        PropDefault::Str("") => "none".to_string(),
        PropDefault::Str(s) => s.to_string(),
        PropDefault::Num(n) => display(Some(&canonical_number(n))),
        PropDefault::Bool(b) => b.to_string(),
        PropDefault::List(l) => l.join(", "),
        PropDefault::Derived("product") => "the product's release".to_string(),
        PropDefault::Derived("engine") => "the engine's port".to_string(),
        PropDefault::Derived("tls") => "389, or 636 with TLS".to_string(),
        PropDefault::Derived(other) => other.to_string(),
    }
}

/// Parses typed text into the value to store: `Ok(None)` unsets the property (empty text),
/// `Err` says why the text is refused.
pub fn parse(spec: &PropSpec, text: &str) -> Result<Option<Value>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let value = match spec.ty {
        PropType::Text => Value::String(text.to_string()),
        PropType::Host => {
            if !is_hostname(t) {
                return Err(format!("{t:?} is not a valid host name (letters, digits, - and dots)"));
            }
            Value::String(t.to_string())
        }
        PropType::Ip => {
            if !is_ip(t) {
                return Err(format!("{t:?} is not an IPv4 or IPv6 address"));
            }
            Value::String(t.to_string())
        }
        PropType::HostOrIp => {
            if !is_host_or_ip(t) {
                return Err(format!("{t:?} is not a valid host name or IP address"));
            }
            Value::String(t.to_string())
        }
        PropType::Cidr => {
            if !is_cidr(t) {
                return Err(format!("{t:?} is not a CIDR block such as 10.0.0.0/8"));
            }
            Value::String(t.to_string())
        }
        PropType::Number => {
            let n = crate::model::number::parse_decimal(t).ok_or_else(|| format!("{t:?} is not a number"))?;
            if n < 0.0 {
                return Err(format!("{t:?} must be a number of 0 or more"));
            }
            canonical_number(n)
        }
        PropType::Integer => {
            let n: i64 = t.parse().map_err(|_| format!("{t:?} is not a whole number"))?;
            let (lo, hi) = if spec.unit == "port" { (1, 65535) } else { (0, 1_000_000) };
            if n < lo || n > hi {
                return Err(format!("{n} is out of range ({lo} to {hi})"));
            }
            Value::Number(Number::from(n))
        }
        PropType::Bool => match t {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("{t:?} is not true or false")),
        },
        PropType::Enum(all) => {
            if !all.contains(&t) {
                return Err(format!("{t:?} is not one of {}", all.join(", ")));
            }
            Value::String(t.to_string())
        }
        PropType::Set(all) => {
            let mut items = Vec::new();
            for item in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !all.contains(&item) {
                    return Err(format!("{item:?} is not one of {}", all.join(", ")));
                }
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            Value::Array(items.into_iter().map(|s| Value::String(s.to_string())).collect())
        }
        PropType::Addresses => {
            let mut items: Vec<&str> = Vec::new();
            for item in t.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
                if !is_ip(item) && !is_cidr(item) {
                    return Err(format!("{item:?} is not an IP address or a CIDR block"));
                }
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            Value::Array(items.into_iter().map(|s| Value::String(s.to_string())).collect())
        }
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeKind;

    fn spec(kind: NodeKind, name: &str) -> &'static PropSpec {
        kind.prop(name).unwrap_or_else(|| panic!("{name}"))
    }

    #[test]
    fn typed_text_becomes_a_value_or_a_reason() {
        let mem = spec(NodeKind::KeyManager, "memory_gb");
        assert_eq!(parse(mem, "8"), Ok(Some(serde_json::json!(8))));
        assert_eq!(parse(mem, "8.5"), Ok(Some(serde_json::json!(8.5))));
        assert_eq!(parse(mem, " "), Ok(None));
        assert!(parse(mem, "eight").unwrap_err().contains("not a number"));
        assert!(parse(mem, "-1").is_err());
        assert!(parse(mem, "NaN").is_err());
        let ip = spec(NodeKind::KeyManager, "ip");
        assert!(parse(ip, "10.0.0.300").unwrap_err().contains("not an IPv4"));
        assert_eq!(parse(ip, "10.0.0.30"), Ok(Some(serde_json::json!("10.0.0.30"))));
        let port = spec(NodeKind::KeyManager, "member_port");
        assert!(parse(port, "70000").is_err());
        assert!(parse(port, "4000.5").is_err());
        let host = spec(NodeKind::Database, "host");
        assert!(parse(host, "db_1").is_err());
        assert!(parse(host, "10.0.0.9").is_ok());
        let dbs = spec(NodeKind::Database, "databases");
        assert_eq!(parse(dbs, "apim, user,apim"), Ok(Some(serde_json::json!(["apim", "user"]))));
        assert!(parse(dbs, "apim, cache").is_err());
        assert_eq!(display(Some(&serde_json::json!(8.0))), "8");
        assert_eq!(default_text(mem), "4");
    }
}
