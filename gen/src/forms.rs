//! Value forms for generated cells: every datetime, rupee and flag form of
//! the contract, picked at random, each standing for the same value.

use chrono::{Datelike, NaiveDateTime, Timelike};
use rand::Rng;
use std::fmt::Write as _;

/// Pushes a datetime in one of the contract's forms (times are whole minutes, so every form is exact).
pub fn datetime(out: &mut String, rng: &mut impl Rng, t: NaiveDateTime) {
    let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
    let _ = match rng.random_range(0..6) {
        0 => write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:00"),
        1 => write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}"),
        2 => write!(out, "{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}"),
        3 => write!(out, "{d}-{mo}-{y:04} {h:02}:{mi:02}:00"),
        4 => write!(out, "{d}/{mo}/{y:04} {h:02}:{mi:02}"),
        _ => write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}"),
    };
}

/// Pushes `YYYY-MM-DD HH:MM:SS`, digit by digit into a fixed template
/// (chrono's `format` parses its pattern on every call, which dominated the
/// generator's profile).
pub fn iso_datetime(out: &mut String, t: NaiveDateTime) {
    let mut text = *b"0000-00-00 00:00:00";
    let fields = [
        (0..4, t.year().clamp(0, 9999) as u32),
        (5..7, t.month()),
        (8..10, t.day()),
        (11..13, t.hour()),
        (14..16, t.minute()),
        (17..19, t.second()),
    ];
    for (place, mut n) in fields {
        for digit in text[place].iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// Pushes `n` with at least `width` digits, zero-padded.
pub fn padded(out: &mut String, n: u64, width: u32) {
    let mut unit = 10u64.pow(width.max(1) - 1);
    while unit <= n / 10 {
        unit *= 10;
    }
    while unit > 0 {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        unit /= 10;
    }
}

/// Pushes rupees (whole or with paise) plain, or grouped in Indian or international style.
pub fn rupees(out: &mut String, rng: &mut impl Rng, value: u64) {
    let paise = rng.random_bool(0.3);
    let mut digits = String::with_capacity(20);
    padded(&mut digits, value, 1);
    match rng.random_range(0..4) {
        0 => indian(out, &digits),
        1 => international(out, &digits),
        _ => out.push_str(&digits),
    }
    if paise {
        out.push('.');
        padded(out, rng.random_range(0..100), 2);
    }
}

fn international(out: &mut String, digits: &str) {
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

fn indian(out: &mut String, digits: &str) {
    if digits.len() <= 3 {
        out.push_str(digits);
        return;
    }
    let (head, last3) = digits.split_at(digits.len() - 3);
    for (i, c) in head.chars().enumerate() {
        if i > 0 && (head.len() - i).is_multiple_of(2) {
            out.push(',');
        }
        out.push(c);
    }
    out.push(',');
    out.push_str(last3);
}

/// Pushes a flag in one of its written forms.
pub fn flag(out: &mut String, rng: &mut impl Rng, value: bool) {
    let forms: [&str; 4] = if value {
        ["Y", "Yes", "true", "1"]
    } else {
        ["N", "No", "false", "0"]
    };
    let form = forms[rng.random_range(0..4)];
    if rng.random_bool(0.2) {
        out.extend(form.chars().map(|c| c.to_ascii_uppercase()));
    } else {
        out.push_str(form);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cctns_audit::ingest::values::{parse_datetime_micros, parse_decimal, parse_flag};
    use rand::SeedableRng;

    /// What `write` pushes onto an empty string.
    fn written(write: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        write(&mut out);
        out
    }

    #[test]
    fn every_generated_form_parses_to_its_value() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .unwrap()
            .and_hms_opt(7, 9, 0)
            .unwrap();
        for _ in 0..200 {
            assert_eq!(
                parse_datetime_micros(&written(|o| datetime(o, &mut rng, t))),
                Some(t.and_utc().timestamp_micros())
            );
            let v = rng.random_range(0..10_000_000u64);
            let text = written(|o| rupees(o, &mut rng, v));
            assert_eq!(
                parse_decimal(&text).map(|x| x / 100_000_000),
                Some(v as i128),
                "{text}"
            );
            assert_eq!(
                parse_flag(&written(|o| flag(o, &mut rng, true))),
                Some(true)
            );
        }
        assert_eq!(written(|o| iso_datetime(o, t)), "2024-03-05 07:09:00");
        assert_eq!(written(|o| padded(o, 12345, 4)), "12345");
        assert_eq!(written(|o| indian(o, "12345678")), "1,23,45,678");
        assert_eq!(written(|o| international(o, "12345678")), "12,345,678");
    }
}
