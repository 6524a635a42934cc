//! Calendar dates (UTC) as the design writes them, `YYYY-MM-DD`: waiver expiry, and "today"
//! for the checker and the exports.

/// A real calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` when it is a real calendar date (the only form the file takes, so
    /// a parsed date writes back to the same text).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        (day >= 1 && day <= days_in_month(year, month)?).then_some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_unix_days(days: i64) -> Date {
        // Howard Hinnant's civil-from-days algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
        Date { year, month, day }
    }
}

fn days_in_month(year: u32, month: u32) -> Option<u32> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    })
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn dates() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_783).to_string(), "2026-11-26");
        assert_eq!(Date::from_unix_days(11_016).to_string(), "2000-02-29");
        assert!(Date::parse("2027-06-30").unwrap() > Date::parse("2027-06-29").unwrap());
        for bad in ["2027-02-29", "2027-13-01", "2027-6-30", "27-06-30", "2027-06-31", "2027-06-3x", ""] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        for good in ["2028-02-29", "2000-02-29", "0001-01-01"] {
            assert_eq!(Date::parse(good).unwrap().to_string(), good);
        }
    }
}
