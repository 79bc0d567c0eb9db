//! Any text as a rule file of a pack: parsed and checked; no panic, and a
//! bad file gives error lines, never an empty success.
#![no_main]

use cctns_audit::rules::RulePack;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RulePack::from_text(Path::new("fuzz.yaml"), text) {
        Ok(pack) => assert!(pack.rules.iter().all(|r| !r.id.is_empty())),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
