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

/// A decimal number as people type it (`8`, `2.5`, `.5`, `5.`, `+4`, `1e3`, `007`), read by the
/// parser that reads the design file's numbers (serde_json's), so that the browser's first load
/// carries one float reader, not two (the standard library's brings 10 KB of tables). `None`
/// when the text is not a finite decimal number (`inf`, `NaN`, `1e400` are not).
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    // The same number in JSON's grammar: no plus sign, one leading zero at most, digits on both
    // sides of a point.
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(e) = exponent {
        let magnitude = e.strip_prefix(['+', '-']).unwrap_or(e);
        if magnitude.is_empty() || !digits(magnitude) {
            return None;
        }
        json.push('e');
        json.push_str(e);
    }
    serde_json::from_str::<f64>(&json).ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_decimal;

    #[test]
    fn typed_numbers_read_as_the_standard_library_reads_them() {
        for text in [
            "0",
            "8",
            "2.5",
            ".5",
            "5.",
            "+4",
            "-0",
            "-3.25",
            "007",
            "0.1",
            "1e3",
            "1E3",
            "2.5e-3",
            "1e+2",
            "12345678901234",
            "0.000001",
            "4096",
            "99.99",
            "1.5e10",
            "00.50",
        ] {
            let ours = parse_decimal(text);
            let std: f64 = text.parse().unwrap_or_else(|_| panic!("{text} is a number to the standard library"));
            assert_eq!(ours, Some(std), "{text}");
        }
    }

    #[test]
    fn what_is_not_a_finite_number_is_refused() {
        for text in [
            "", ".", "-", "+", "e3", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "inf", "-inf", "infinity", "NaN", "0x10",
            "1e400", "--1", "+-1", "1_000", "١", "1e3.5",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn short_decimals_agree_with_the_standard_library_to_the_bit() {
        // Up to 15 significant digits and small exponents, the two readers give the same f64.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5000 {
            let digits = (next() % 15 + 1) as usize;
            let mut text: String = (0..digits).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let point = (next() % (digits as u64 + 1)) as usize;
            text.insert(point, '.');
            if next() % 3 == 0 {
                text.push_str(&format!("e{}", (next() % 21) as i64 - 10));
            }
            let std: f64 = text.parse().unwrap_or(f64::NAN);
            assert_eq!(parse_decimal(&text).map(f64::to_bits), Some(std.to_bits()), "{text}");
        }
    }
}
