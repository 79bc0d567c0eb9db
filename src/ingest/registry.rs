//! The registry file `police_stations.csv` to a [`Registry`].
//!
//! A row with an empty `ps_code` or `district_code`, a `ps_code` already
//! seen above it, or a wrong number of fields is left out and named.

use super::csv::read_csv;
use super::decode::decode;
use super::report::{LeftOut, RegistryReport};
use crate::contract::{Registry, Station, REGISTRY};
use datafusion::arrow::array::{Array, StringArray};
use std::collections::HashSet;
use std::path::Path;

/// The report of a registry file whose reading hit a bug (see [`crate::panic`]).
pub fn internal_failure(rel: &str, at: &crate::panic::PanicAt) -> RegistryReport {
    RegistryReport {
        file: rel.to_string(),
        error: Some(format!(
            "{at} while reading the registry; the lake's previous registry stays; report this as a bug"
        )),
        internal_error: true,
        ..RegistryReport::default()
    }
}

/// Reads the registry file; `None` with the report's `error` set if it cannot be read.
pub fn read_registry_file(path: &Path, rel: &str) -> (Option<Registry>, RegistryReport) {
    let mut report = RegistryReport {
        file: rel.to_string(),
        ..RegistryReport::default()
    };
    let fail = |mut report: RegistryReport, e: String| {
        report.error = Some(e);
        (None, report)
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                report,
                format!("cannot read ({e}); check the file's permissions"),
            )
        }
    };
    let decoded = match decode(bytes) {
        Ok(d) => d,
        Err(e) => return fail(report, e.describe()),
    };
    report.encoding = Some(decoded.encoding);
    let mut parsed = match read_csv(decoded.text, &REGISTRY) {
        Ok(p) => p,
        Err(e) => return fail(report, format!("{e}; save it as CSV")),
    };
    let columns = parsed.cells.finish_columns();
    let rejected: HashSet<usize> = parsed.cells.rejected.iter().map(|(r, _)| *r).collect();
    let mut seen = HashSet::new();
    let mut stations = Vec::new();
    for row in 0..parsed.cells.len() {
        let record = parsed.cells.record_no.get(row).copied().unwrap_or_default();
        let text = |c: usize| columns.get(c).and_then(|column| value(column, row));
        let why = if rejected.contains(&row) {
            Some("the record has more or fewer fields than the header".to_string())
        } else {
            match (text(0), text(3)) {
                (None, _) => Some("empty ps_code".to_string()),
                (_, None) => Some("empty district_code".to_string()),
                (Some(ps), _) if !seen.insert(ps.clone()) => Some(format!(
                    "ps_code {ps} already seen above it (the first row is kept)"
                )),
                _ => None,
            }
        };
        match why {
            Some(why) => report.left_out.push(LeftOut { record, why }),
            None => stations.push(Station {
                ps_code: text(0).unwrap_or_default(),
                ps_name: text(1),
                ps_name_hi: text(2),
                district_code: text(3).unwrap_or_default(),
                district_name: text(4),
                state_code: text(5),
            }),
        }
    }
    let registry = Registry::new(stations);
    report.stations_kept = registry.stations().map(|s| s.ps_code.clone()).collect();
    (Some(registry), report)
}

fn value(column: &StringArray, row: usize) -> Option<String> {
    column.is_valid(row).then(|| column.value(row).to_string())
}
