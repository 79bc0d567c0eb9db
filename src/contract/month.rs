//! The upload month `YYYY-MM` and the instants the rules need from it.

use chrono::{NaiveDate, NaiveDateTime};
use std::fmt;
use std::str::FromStr;

/// A calendar month, the unit of upload and audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month of `year` and `month` (1–12), if valid.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Month { year, month })
    }

    /// A month fixed in the source; checked at compile time when used in a `const`.
    pub const fn of(year: i32, month: u32) -> Month {
        assert!(month >= 1 && month <= 12);
        Month { year, month }
    }

    /// Its year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Its month number, 1–12.
    pub fn number(self) -> u32 {
        self.month
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month `n` months after this one (before it when `n` is negative).
    pub fn offset(self, n: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The first instant of the month, `YYYY-MM-01 00:00:00`.
    pub fn first_instant(self) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .unwrap_or(NaiveDate::MIN)
            .and_time(chrono::NaiveTime::MIN)
    }

    /// The as-of instant of an audit of this month: the first instant of the next month.
    pub fn as_of(self) -> NaiveDateTime {
        self.next().first_instant()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ();

    /// Parses exactly `YYYY-MM` with a month of 01–12.
    fn from_str(s: &str) -> Result<Month, ()> {
        let (year, month) = s.split_once('-').ok_or(())?;
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(());
        }
        Month::new(
            year.parse().map_err(|_| ())?,
            month.parse().map_err(|_| ())?,
        )
        .ok_or(())
    }
}

impl serde::Serialize for Month {
    /// As `YYYY-MM`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    /// From `YYYY-MM` (see [`Month::from_str`]).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|()| serde::de::Error::custom(format!("`{text}` is not a month (YYYY-MM)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_yyyy_mm() {
        assert_eq!(
            "2024-04".parse::<Month>().map(|m| m.to_string()),
            Ok("2024-04".into())
        );
        for bad in [
            "2024-13",
            "2024-5",
            "2024-00",
            "24-05",
            "2024/05",
            "2024-05 ",
            "２０２４-05",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn as_of_is_first_instant_of_next_month() {
        let m: Month = "2024-12".parse().unwrap();
        assert_eq!(m.as_of().to_string(), "2025-01-01 00:00:00");
        assert_eq!(m.prev().to_string(), "2024-11");
        assert_eq!(
            "2024-01".parse::<Month>().unwrap().prev().to_string(),
            "2023-12"
        );
        assert_eq!(m.offset(-3).to_string(), "2024-09");
        assert_eq!(m.offset(-12).to_string(), "2023-12");
        assert_eq!(m.offset(1).to_string(), "2025-01");
    }
}
