//! Numbers as the design file writes them: whole numbers without a fraction.

use serde_json::{Number, Value};

/// A number written without a fraction when it is whole.
pub fn canonical_number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::Number(Number::from(f as i64))
    } else {
        Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// A property value with whole numbers written without a fraction.
pub fn canonical_prop(v: &Value) -> Value {
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(_), _, _) | (_, Some(_), _) => v.clone(),
            (_, _, Some(f)) => canonical_number(f),
            _ => v.clone(),
        },
        other => other.clone(),
    }
}
