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

/// A number written as `{}` writes an `f64` (the shortest digits that read back the same, never
/// an exponent: `0.1`, `100`, `-0.0000001`), made by zmij, the formatter serde_json writes the
/// design file's numbers with: the browser's first load carries one float formatter instead of
/// two (the standard library's brings its own tables). Width and precision flags are not
/// supported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if !x.is_finite() {
            return f.write_str(if x.is_nan() {
                "NaN"
            } else if x > 0.0 {
                "inf"
            } else {
                "-inf"
            });
        }
        // Whole numbers (most coordinates: positions snap to a grid) need no float formatting.
        if x.fract() == 0.0 && x.abs() < 1e15 && !(x == 0.0 && x.is_sign_negative()) {
            return write!(f, "{}", x as i64);
        }
        let mut buffer = zmij::Buffer::new();
        // `1.5`, `-0.0`, `1e-7`, `1.5e+21`: sign, digits with a point, an optional exponent.
        let text = buffer.format_finite(x);
        let (negative, text) = match text.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, text),
        };
        let (mantissa, exponent) = match text.split_once('e') {
            Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits: String = [whole, fraction].concat();
        // Where the point goes in `digits`, once leading and trailing zeros are gone.
        let mut point = whole.len() as i32 + exponent;
        let trimmed = digits.trim_start_matches('0');
        point -= (digits.len() - trimmed.len()) as i32;
        let digits = trimmed.trim_end_matches('0');
        if negative {
            f.write_str("-")?;
        }
        if digits.is_empty() {
            return f.write_str("0");
        }
        if point <= 0 {
            f.write_str("0.")?;
            for _ in 0..-point {
                f.write_str("0")?;
            }
            f.write_str(digits)
        } else if point as usize >= digits.len() {
            f.write_str(digits)?;
            for _ in 0..point as usize - digits.len() {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let (a, b) = digits.split_at(point as usize);
            f.write_str(a)?;
            f.write_str(".")?;
            f.write_str(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_decimal, Num};

    /// A small deterministic generator for the sampled cases.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    #[test]
    fn num_writes_what_display_writes() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            2.5,
            100.0,
            1e21,
            1e22,
            1e-7,
            123456789.125,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            4096.0,
            0.30000000000000004,
            1.5e300,
            170.0,
            -85.0,
            17.5,
        ];
        // Any bit pattern, and the numbers a canvas writes (sums of small binary fractions).
        values.extend((0..20000).map(|_| f64::from_bits(next())));
        values.extend((0..20000).map(|_| (next() % 2_000_000) as f64 / 8.0 - 100_000.0));
        values.extend((0..5000).map(|_| (next() % 1000) as f64 * 0.1));
        for v in values {
            let (ours, std) = (Num(v).to_string(), v.to_string());
            let significant = std.trim_start_matches(['-', '0', '.']).replace('.', "").trim_end_matches('0').len();
            if significant <= 15 || !v.is_finite() {
                assert_eq!(ours, std, "{v:e}");
            } else {
                // With 16 or 17 digits, two shortest texts may both read back: the formatters may
                // pick either. Ours reads back the same number, with as many digits.
                assert_eq!(ours.parse::<f64>().map(f64::to_bits), Ok(v.to_bits()), "{v:e}");
                assert_eq!(ours.len(), std.len(), "{v:e}");
            }
        }
    }

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
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..5000 {
            let digits = (next() % 15 + 1) as usize;
            let mut text: String = (0..digits).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let point = (next() % (digits as u64 + 1)) as usize;
            text.insert(point, '.');
            if next().is_multiple_of(3) {
                text.push_str(&format!("e{}", (next() % 21) as i64 - 10));
            }
            let std: f64 = text.parse().unwrap_or(f64::NAN);
            assert_eq!(parse_decimal(&text).map(f64::to_bits), Some(std.to_bits()), "{text}");
        }
    }
}
