//! CSV bytes of any encoding: decoded, read as a table's CSV, typed and
//! split; no panic, and every record read is loaded or quarantined.
#![no_main]

use cctns_audit_fuzz_support::{decoded_then, split_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    decoded_then(data, |table, text| {
        if let Ok(parsed) = cctns_audit::ingest::csv::read_csv(text, table) {
            split_all(parsed, table);
        }
    });
});
