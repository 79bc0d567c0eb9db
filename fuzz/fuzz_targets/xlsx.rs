//! Workbook bytes: read as a table's first sheet, typed and split; no panic.
#![no_main]

use cctns_audit_fuzz_support::{keep_caught_panics, split_all, table_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    keep_caught_panics();
    let Some((table, bytes)) = table_of(data) else {
        return;
    };
    if let Ok(parsed) = cctns_audit::ingest::xlsx::read_xlsx(bytes.to_vec(), table) {
        split_all(parsed, table);
    }
});
