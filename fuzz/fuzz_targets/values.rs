//! Any text through every value parser of the contract (integer, decimal,
//! flag, datetime) and the month parser; no panic, and what parses is in range.
#![no_main]

use cctns_audit::contract::Month;
use cctns_audit::ingest::values::{
    parse_datetime_micros, parse_decimal, parse_flag, parse_integer,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_integer(&text);
    let _ = parse_flag(&text);
    if let Some(d) = parse_decimal(&text) {
        assert!(
            d.unsigned_abs() < 10u128.pow(38),
            "decimal past Decimal128(38, 8)"
        );
    }
    if let Some(us) = parse_datetime_micros(&text) {
        assert!(chrono::DateTime::from_timestamp_micros(us).is_some());
    }
    let _ = text.parse::<Month>();
});
