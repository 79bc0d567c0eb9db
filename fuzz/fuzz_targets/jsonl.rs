//! JSON-lines bytes of any encoding: decoded, read, typed and split; no
//! panic, and every line with characters is loaded or quarantined.
#![no_main]

use cctns_audit_fuzz_support::{decoded_then, split_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    decoded_then(data, |table, text| {
        split_all(cctns_audit::ingest::jsonl::read_jsonl(text, table), table);
    });
});
