//! A calendar date without time zone, enough for report periods and deadlines.

use serde::Serialize;
use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day, 1-31.
    pub day: u32,
}

impl Date {
    /// Creates a date, checking that it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month,
            day,
        }
    }

    /// Today in China (UTC+8), from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(((secs + 8 * 3600) / 86_400) as i64)
    }

    /// Parses `2019-01-20`, `2018.12.26`, `2018/12/26` or `2018年12月26日`.
    pub fn parse(s: &str) -> Option<Date> {
        let nums: Vec<&str> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        if nums.len() != 3 {
            return None;
        }
        Date::new(
            nums[0].parse().ok()?,
            nums[1].parse().ok()?,
            nums[2].parse().ok()?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        for d in [
            -800_000i64,
            -1,
            0,
            1,
            59,
            60,
            365,
            10_957,
            20_000,
            2_932_896,
        ] {
            assert_eq!(Date::from_days(d).days(), d, "{d}");
        }
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }

    #[test]
    fn parse_and_days() {
        let a = Date::parse("2018.12.26").unwrap();
        let b = Date::parse("2018年12月31日").unwrap();
        assert_eq!(b.days() - a.days(), 5);
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(
            Date::parse("2019-03-01").unwrap().days() - Date::parse("2019-02-28").unwrap().days(),
            1
        );
        assert!(Date::parse("2019-02-29").is_none());
        assert!(a < b);
    }
}
