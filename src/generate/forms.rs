//! Value forms for generated cells: every datetime, rupee and flag form of
//! the contract, picked at random, each standing for the same value.

use chrono::{Datelike, NaiveDateTime, Timelike};
use rand::Rng;

/// A datetime in one of the contract's forms (times are whole minutes, so every form is exact).
pub fn datetime(rng: &mut impl Rng, t: NaiveDateTime) -> String {
    let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
    match rng.random_range(0..6) {
        0 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:00"),
        1 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}"),
        2 => format!("{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}"),
        3 => format!("{d}-{mo}-{y:04} {h:02}:{mi:02}:00"),
        4 => format!("{d}/{mo}/{y:04} {h:02}:{mi:02}"),
        _ => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}"),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, written digit by digit (chrono's `format` parses
/// its pattern on every call, which dominated the generator's profile).
pub fn iso_datetime(t: NaiveDateTime) -> String {
    let mut out = String::with_capacity(19);
    padded(&mut out, t.year().max(0) as u32, 4);
    out.push('-');
    padded(&mut out, t.month(), 2);
    out.push('-');
    padded(&mut out, t.day(), 2);
    out.push(' ');
    padded(&mut out, t.hour(), 2);
    out.push(':');
    padded(&mut out, t.minute(), 2);
    out.push(':');
    padded(&mut out, t.second(), 2);
    out
}

/// Pushes `n` with at least `width` digits, zero-padded.
fn padded(out: &mut String, n: u32, width: u32) {
    let mut unit = 10u32.pow(width - 1);
    while unit <= n / 10 {
        unit *= 10;
    }
    while unit > 0 {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        unit /= 10;
    }
}

/// A decimal with four places between `low` and `high` (in ten-thousandths), without float formatting.
pub fn four_places(rng: &mut impl Rng, low: u32, high: u32) -> String {
    let v = rng.random_range(low..high);
    format!("{}.{:04}", v / 10_000, v % 10_000)
}

/// Rupees (whole or with paise) plain, or grouped in Indian or international style.
pub fn rupees(rng: &mut impl Rng, value: u64) -> String {
    let paise = rng.random_bool(0.3);
    let whole = value.to_string();
    let grouped = match rng.random_range(0..4) {
        0 => indian(&whole),
        1 => international(&whole),
        _ => whole,
    };
    if paise {
        format!("{grouped}.{:02}", rng.random_range(0..100))
    } else {
        grouped
    }
}

fn international(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn indian(digits: &str) -> String {
    if digits.len() <= 3 {
        return digits.to_string();
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    let mut out = String::new();
    for (i, c) in head.chars().enumerate() {
        if i > 0 && (head.len() - i).is_multiple_of(2) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out},{last3}")
}

/// A flag in one of its written forms.
pub fn flag(rng: &mut impl Rng, value: bool) -> String {
    let forms: [&str; 4] = if value {
        ["Y", "Yes", "true", "1"]
    } else {
        ["N", "No", "false", "0"]
    };
    let form = forms[rng.random_range(0..4)];
    if rng.random_bool(0.2) {
        form.to_uppercase()
    } else {
        form.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::values::{parse_datetime_micros, parse_decimal, parse_flag};
    use rand::SeedableRng;

    #[test]
    fn every_generated_form_parses_to_its_value() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .unwrap()
            .and_hms_opt(7, 9, 0)
            .unwrap();
        for _ in 0..200 {
            assert_eq!(
                parse_datetime_micros(&datetime(&mut rng, t)),
                Some(t.and_utc().timestamp_micros())
            );
            let v = rng.random_range(0..10_000_000u64);
            let text = rupees(&mut rng, v);
            assert_eq!(
                parse_decimal(&text).map(|x| x / 100_000_000),
                Some(v as i128),
                "{text}"
            );
            assert_eq!(parse_flag(&flag(&mut rng, true)), Some(true));
        }
        assert_eq!(iso_datetime(t), "2024-03-05 07:09:00");
        let mut out = String::new();
        padded(&mut out, 12345, 4);
        assert_eq!(out, "12345");
        assert_eq!(indian("12345678"), "1,23,45,678");
        assert_eq!(international("12345678"), "12,345,678");
    }
}
