//! Value forms of the contract: text cells to typed Arrow columns.
//!
//! Input: one column of trimmed text (null = empty). Output: the typed
//! column plus the rows whose non-empty text did not parse. Invariant: a
//! null text gives a null value and is never a failure; a failure gives null.

use crate::contract::{ColumnType, DECIMAL_PRECISION, DECIMAL_SCALE};
use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Decimal128Builder, Int64Builder, StringArray,
    TimestampMicrosecondBuilder,
};
use std::sync::Arc;

/// A typed column and the row indices whose text did not parse.
pub struct Typed {
    /// The column in its lake type.
    pub values: ArrayRef,
    /// Rows with non-empty text that is not a value of the type.
    pub failed: Vec<usize>,
}

/// Parses a text column into `ty`, collecting the rows that fail.
pub fn parse_column(ty: ColumnType, text: &StringArray) -> Typed {
    match ty {
        ColumnType::Text => Typed {
            values: Arc::new(text.clone()),
            failed: Vec::new(),
        },
        ColumnType::Integer => typed(text, Int64Builder::with_capacity(text.len()), parse_integer),
        ColumnType::Decimal => {
            let builder = Decimal128Builder::with_capacity(text.len())
                .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)
                .unwrap_or_else(|_| Decimal128Builder::new());
            typed(text, builder, parse_decimal)
        }
        ColumnType::Flag => typed(text, BooleanBuilder::with_capacity(text.len()), parse_flag),
        ColumnType::Datetime => typed(
            text,
            TimestampMicrosecondBuilder::with_capacity(text.len()),
            parse_datetime_micros,
        ),
    }
}

/// The builders `typed` can fill: append a value or a null, then finish.
trait Sink<V> {
    fn push(&mut self, v: Option<V>);
    fn done(self) -> ArrayRef;
}

macro_rules! sink {
    ($builder:ty, $v:ty) => {
        impl Sink<$v> for $builder {
            fn push(&mut self, v: Option<$v>) {
                self.append_option(v)
            }
            fn done(mut self) -> ArrayRef {
                Arc::new(self.finish())
            }
        }
    };
}
sink!(Int64Builder, i64);
sink!(Decimal128Builder, i128);
sink!(BooleanBuilder, bool);
sink!(TimestampMicrosecondBuilder, i64);

fn typed<V, S: Sink<V>>(text: &StringArray, mut sink: S, parse: fn(&str) -> Option<V>) -> Typed {
    let mut failed = Vec::new();
    for (row, cell) in text.iter().enumerate() {
        let value = cell.and_then(|s| {
            let v = parse(s);
            if v.is_none() {
                failed.push(row);
            }
            v
        });
        sink.push(value);
    }
    Typed {
        values: sink.done(),
        failed,
    }
}

/// `42`, `-3`, `+7`: an optional sign and ASCII digits that fit in 64 bits.
pub fn parse_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A decimal scaled by 10^[`DECIMAL_SCALE`]: optional sign, an integer part
/// plain or grouped (Indian `1,23,456` or international `123,456`), and an
/// optional `.` followed by digits. Extra fraction digits round half away from zero.
pub fn parse_decimal(s: &str) -> Option<i128> {
    let (negative, body) = match (s.strip_prefix('-'), s.strip_prefix('+')) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (i, f),
        Some(_) => return None,
        None => (body, ""),
    };
    let int_digits = ungroup(int_part)?;
    let scaled = scale_digits(&int_digits, frac_part)?;
    Some(if negative { -scaled } else { scaled })
}

/// The digits of an integer part, checking that any grouping is Indian or international.
fn ungroup(int_part: &str) -> Option<String> {
    let groups: Vec<&str> = int_part.split(',').collect();
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if groups.len() > 1 && !(is_international(&groups) || is_indian(&groups)) {
        return None;
    }
    Some(groups.concat())
}

/// `123,456,789`: a lead group of one to three digits, then groups of three.
fn is_international(groups: &[&str]) -> bool {
    match groups.split_first() {
        Some((lead, rest)) => lead.len() <= 3 && rest.iter().all(|g| g.len() == 3),
        None => false,
    }
}

/// `12,34,56,789`: a lead group of one or two digits, groups of two, a last group of three.
fn is_indian(groups: &[&str]) -> bool {
    let Some((last, rest)) = groups.split_last() else {
        return false;
    };
    match rest.split_first() {
        Some((lead, middle)) => {
            last.len() == 3 && lead.len() <= 2 && middle.iter().all(|g| g.len() == 2)
        }
        None => false,
    }
}

fn scale_digits(int_digits: &str, frac: &str) -> Option<i128> {
    let scale = DECIMAL_SCALE as usize;
    let mut value: i128 = 0;
    for b in int_digits
        .bytes()
        .chain(frac.bytes().chain(std::iter::repeat(b'0')).take(scale))
    {
        value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    if frac.as_bytes().get(scale).is_some_and(|&b| b >= b'5') {
        value = value.checked_add(1)?;
    }
    let limit = 10i128.pow(u32::from(DECIMAL_PRECISION));
    (value < limit).then_some(value)
}

/// `Y`/`N`, `Yes`/`No`, `true`/`false`, `1`/`0`, in any case.
pub fn parse_flag(s: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["y", "yes", "true", "1"];
    const FALSE: [&str; 4] = ["n", "no", "false", "0"];
    if TRUE.iter().any(|t| s.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|f| s.eq_ignore_ascii_case(f)) {
        Some(false)
    } else {
        None
    }
}

/// A contract datetime as microseconds since 1970-01-01 00:00 (wall clock, no zone).
///
/// Works on `str::get` and `split` only, so a cell holding any Unicode (an
/// accented letter, Devanagari digits) is a failed parse, never a panic.
pub fn parse_datetime_micros(s: &str) -> Option<i64> {
    let iso = s.get(4..5) == Some("-") && s.get(..4).is_some_and(all_ascii_digits);
    let (date, time) = if iso {
        split_iso(s)?
    } else {
        split_day_first(s)?
    };
    let (h, m, sec) = match time {
        None => (0, 0, 0),
        Some(t) => parse_time(t)?,
    };
    Some(date.and_hms_opt(h, m, sec)?.and_utc().timestamp_micros())
}

/// `YYYY-MM-DD`, then optionally a space or `T` and the time.
fn split_iso(s: &str) -> Option<(NaiveDate, Option<&str>)> {
    if s.get(7..8) != Some("-") {
        return None;
    }
    let date = ymd(s.get(0..4)?, s.get(5..7)?, s.get(8..10)?)?;
    let rest = s.get(10..)?;
    match rest.strip_prefix([' ', 'T']) {
        Some(time) => Some((date, Some(time))),
        None if rest.is_empty() => Some((date, None)),
        None => None,
    }
}

fn all_ascii_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// `DD/MM/YYYY` or `DD-MM-YYYY` (one or two digits each), then optionally a space and the time.
fn split_day_first(s: &str) -> Option<(NaiveDate, Option<&str>)> {
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let sep = if date.contains('/') { '/' } else { '-' };
    let mut parts = date.split(sep);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(1..=2).contains(&d.len()) || !(1..=2).contains(&m.len()) {
        return None;
    }
    if y.len() != 4 {
        return None;
    }
    Some((ymd(y, m, d)?, time))
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(digits(y)? as i32, digits(m)?, digits(d)?)
}

/// `HH:MM` or `HH:MM:SS`, two digits each, a real time of day.
fn parse_time(t: &str) -> Option<(u32, u32, u32)> {
    let mut parts = t.split(':');
    let h = two_digits(parts.next()?)?;
    let m = two_digits(parts.next()?)?;
    let s = match parts.next() {
        Some(p) => two_digits(p)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some((h, m, s))
}

fn two_digits(s: &str) -> Option<u32> {
    (s.len() == 2).then_some(())?;
    digits(s)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !all_ascii_digits(s) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> Option<String> {
        parse_datetime_micros(s).map(|us| {
            chrono::DateTime::from_timestamp_micros(us)
                .unwrap()
                .naive_utc()
                .to_string()
        })
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("42"), Some(42));
        assert_eq!(parse_integer("-3"), Some(-3));
        assert_eq!(parse_integer("+7"), Some(7));
        for bad in [
            "",
            "12.0",
            "1,000",
            "+",
            "--1",
            "1e3",
            "٣",
            "99999999999999999999",
        ] {
            assert_eq!(parse_integer(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimals_plain_and_grouped() {
        let d = |s| parse_decimal(s).map(|v| v as f64 / 1e8);
        assert_eq!(d("123"), Some(123.0));
        assert_eq!(d("123.45"), Some(123.45));
        assert_eq!(d("-5"), Some(-5.0));
        assert_eq!(d("1,23,456.50"), Some(123456.5));
        assert_eq!(d("123,456.50"), Some(123456.5));
        assert_eq!(d("-1,23,456.50"), Some(-123456.5));
        assert_eq!(d("12,34,56,789"), Some(123456789.0));
        assert_eq!(d("1,234,567"), Some(1234567.0));
        assert_eq!(d("12,345"), Some(12345.0));
        for bad in [
            "1,2,3",
            "1234,567",
            "12,3456",
            ",123",
            "1,23,4567",
            "1.",
            ".5",
            "1.2.3",
            "abc",
            "-",
            "1 000",
            "1,234,56,789",
            "-é",
            "é1",
            "१,२३",
            "1.५",
            ",",
            "",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn flags_in_any_case() {
        for t in ["Y", "y", "Yes", "YES", "true", "TRUE", "1"] {
            assert_eq!(parse_flag(t), Some(true), "{t}");
        }
        for f in ["N", "no", "False", "0"] {
            assert_eq!(parse_flag(f), Some(false), "{f}");
        }
        assert_eq!(parse_flag("yes please"), None);
    }

    #[test]
    fn every_datetime_form() {
        let ok = [
            ("2024-04-10", "2024-04-10 00:00:00"),
            ("2024-04-10 09:05", "2024-04-10 09:05:00"),
            ("2024-04-10 09:05:07", "2024-04-10 09:05:07"),
            ("2024-04-10T09:05", "2024-04-10 09:05:00"),
            ("2024-04-10T09:05:07", "2024-04-10 09:05:07"),
            ("10/04/2024", "2024-04-10 00:00:00"),
            ("1/4/2024", "2024-04-01 00:00:00"),
            ("10-04-2024", "2024-04-10 00:00:00"),
            ("1-4-2024 23:16", "2024-04-01 23:16:00"),
            ("12-6-2024 08:24", "2024-06-12 08:24:00"),
            ("12/6/2024", "2024-06-12 00:00:00"),
            ("31-3-2024 00:00:00", "2024-03-31 00:00:00"),
            ("29/02/2024", "2024-02-29 00:00:00"),
        ];
        for (input, want) in ok {
            assert_eq!(dt(input).as_deref(), Some(want), "{input}");
        }
        let bad = [
            "31/02/2024",
            "2024-04-10 24:00",
            "2023-02-29",
            "2024-4-10",
            "10/04/24",
            "10/04-2024",
            "2024-04-10 9:05",
            "2024-04-10 09:05:60",
            "2024-04-10  09:05",
            "2024-04-10T",
            "10/04/2024T09:05",
            "2024/04/10",
            "tomorrow",
            "001/04/2024",
            "2024-04-1é",
            "2024-04-१०",
            "२०२४-04-10",
            "2024-0४-10",
            "2024-04-10é09:05",
            "2024-04-10 09:0é",
            "१०/04/2024",
            "é",
            "2024é",
        ];
        for input in bad {
            assert_eq!(dt(input), None, "{input}");
        }
    }

    #[test]
    fn column_failures_are_collected() {
        let text = StringArray::from(vec![Some("1"), None, Some("x"), Some("+2")]);
        let t = parse_column(ColumnType::Integer, &text);
        assert_eq!(t.failed, vec![2]);
        assert_eq!(t.values.null_count(), 2);
    }
}
