//! What the decoder targets share: a table picked by the first byte, the
//! bytes decoded as the ingest decodes them, and the split checked.

use cctns_audit::contract::{TableDef, TABLES};
use cctns_audit::ingest::cells::Parsed;
use cctns_audit::ingest::decode::decode;
use cctns_audit::ingest::quarantine::{split, Origin};

/// Lets the library catch the panics it catches on purpose (calamine's, in
/// the `.xlsx` reader): libfuzzer-sys's panic hook aborts on every panic,
/// caught or not. A panic that escapes still aborts, in libfuzzer-sys's
/// `catch_unwind` around each input, so crashes are still found.
pub fn keep_caught_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
        cctns_audit::panic::record_locations();
    });
}

/// The contract table named by the first byte, and the rest of the input.
pub fn table_of(data: &[u8]) -> Option<(&'static TableDef, &[u8])> {
    let (first, rest) = data.split_first()?;
    let table = TABLES.get(usize::from(*first) % TABLES.len())?;
    Some((table, rest))
}

/// Decodes the input after its first byte as the ingest does, then reads it.
pub fn decoded_then(data: &[u8], read: impl FnOnce(&'static TableDef, String)) {
    let Some((table, bytes)) = table_of(data) else {
        return;
    };
    if let Ok(decoded) = decode(bytes.to_vec()) {
        read(table, decoded.text);
    }
}

/// Types and splits the rows; every row read is loaded or quarantined.
pub fn split_all(parsed: Parsed, table: &TableDef) {
    let read = parsed.cells.len();
    let origin = Origin {
        ps_code: "UP-FUZ-001",
        month: "2024-04",
        source_file: "fuzz",
        run_id: "fuzz",
    };
    let s = split(parsed, table, &origin).expect("typed rows always form a batch");
    assert_eq!(
        s.loaded.num_rows() + s.quarantined.len(),
        read,
        "a row was lost"
    );
}
