//! The adversarial corpus `tests/adversarial/`: every file's outcome as the
//! data contract says (`expected.json`, made by hand), no panic, no lost row,
//! nothing written outside the lake, no personal value in the Delta log.

use crate::support::{ingest_with, query};
use cctns_audit::ingest::{FileReport, IngestOptions};
use cctns_audit::lake::Lake;
use datafusion::arrow::array::{Array, Int64Array};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adversarial")
}

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(corpus().join("expected.json")).unwrap()).unwrap()
}

/// Differences between our report of `path` and the expected outcome.
fn differences(path: &str, ours: Option<&FileReport>, want: &Value) -> Vec<String> {
    let Some(ours) = ours else {
        return vec![format!("{path}: missing from the report")];
    };
    let reasons: BTreeMap<String, Vec<String>> = ours
        .quarantine
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let want_reasons: BTreeMap<String, Vec<String>> =
        serde_json::from_value(want["quarantine"].clone()).unwrap();
    let mut checks = vec![
        (
            "rows_read",
            ours.rows_read.to_string(),
            want["rows_read"].to_string(),
        ),
        (
            "rows_loaded",
            ours.rows_loaded.to_string(),
            want["rows_loaded"].to_string(),
        ),
        (
            "rows_quarantined",
            ours.rows_quarantined.to_string(),
            want["rows_quarantined"].to_string(),
        ),
        (
            "file_error",
            ours.file_error.to_string(),
            want["file_error"].to_string(),
        ),
        (
            "skipped",
            ours.skipped.to_string(),
            want["skipped"].to_string(),
        ),
        (
            "reasons",
            format!("{reasons:?}"),
            format!("{want_reasons:?}"),
        ),
    ];
    if let Some(encoding) = want.get("encoding") {
        let ours = serde_json::to_value(ours.encoding).unwrap();
        checks.push(("encoding", ours.to_string(), encoding.to_string()));
    }
    if let Some(count) = want.get("unknown_columns_count") {
        checks.push((
            "unknown columns",
            ours.unknown_columns.len().to_string(),
            count.to_string(),
        ));
    }
    checks
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(what, a, b)| format!("{path}: {what}: ours {a}, expected {b}"))
        .collect()
}

async fn count(lake: &Lake, sql: &str) -> i64 {
    let batches = query(lake, sql).await;
    let column = batches[0].column(0);
    column
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_adversarial_file_has_its_contract_outcome_and_no_row_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    let report = ingest_with(&corpus().join("landing"), &lake, IngestOptions::default())
        .await
        .unwrap();
    let want = expected();
    let files = want["files"].as_object().unwrap();
    let diffs: Vec<String> = files
        .iter()
        .flat_map(|(path, w)| differences(path, report.files.get(path), w))
        .collect();
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    let unexpected: Vec<&String> = report
        .files
        .keys()
        .filter(|k| !files.contains_key(*k))
        .collect();
    assert!(
        unexpected.is_empty(),
        "reported but not expected: {unexpected:?}"
    );
    for (path, f) in &report.files {
        assert_eq!(f.rows_read, f.rows_loaded + f.rows_quarantined, "{path}");
        assert!(!f.internal_error, "{path}: {:?}", f.error);
    }
    let kept = &report.registry.as_ref().unwrap().stations_kept;
    assert_eq!(serde_json::to_value(kept).unwrap(), want["stations_kept"]);

    let loaded = |table: &str| -> u64 {
        report
            .files
            .values()
            .filter(|f| f.table == Some(table))
            .map(|f| f.rows_loaded)
            .sum()
    };
    for table in ["fir", "crime_details", "arrest", "seizure", "final_report"] {
        let rows = count(&lake, &format!("SELECT count(*) FROM {table}")).await;
        assert_eq!(rows as u64, loaded(table), "{table}: rows in the lake");
    }
    let quarantined = count(&lake, "SELECT count(*) FROM quarantine").await;
    assert_eq!(quarantined as u64, report.totals.rows_quarantined);
    assert_eq!(
        report.totals.rows_read,
        report.totals.rows_loaded + report.totals.rows_quarantined
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn long_values_and_office_cells_arrive_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    ingest_with(&corpus().join("landing"), &lake, IngestOptions::default())
        .await
        .unwrap();
    let long = count(
        &lake,
        "SELECT CAST(max(character_length(place_of_occurrence)) AS BIGINT) FROM fir WHERE ps_code = 'UP-ADV-004'",
    )
    .await;
    assert!(
        long > 3_000_000,
        "the 10 MB value is whole: {long} characters"
    );
    let office = crate::support::rows(
        &lake,
        "SELECT fir_no, CAST(fir_date AS VARCHAR), place_of_occurrence, complainant_mobile FROM fir \
         WHERE ps_code = 'UP-ADV-003' ORDER BY fir_no",
    )
    .await;
    assert_eq!(
        office,
        [
            "0001/2024|2024-04-10T00:00:00|पुराना बाज़ार|9812345621",
            "0002/2024|2024-04-11T00:00:00|Sector 18|9812345622"
        ]
    );
    let typed = crate::support::rows(
        &lake,
        "SELECT accused_code, CAST(arrested_at AS VARCHAR), age, photo_uploaded, name FROM arrest \
         WHERE ps_code = 'UP-ADV-003' ORDER BY fir_no",
    )
    .await;
    assert_eq!(
        typed,
        [
            "A1|2024-04-12T10:30:00|34|true|राहुल वर्मा",
            "A1|2024-04-13T16:05:09|41|false|Anil Kumar"
        ]
    );
    let excel = crate::support::rows(
        &lake,
        "SELECT place_of_occurrence FROM fir WHERE ps_code = 'UP-ADV-002' ORDER BY fir_no",
    )
    .await;
    assert_eq!(excel, ["Café Corner", "Naïve Bazaar, Gate 2"]);
}

/// Every file under `dir`, recursively, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((path, bytes));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_written_outside_the_lake_and_its_log_names_no_person() {
    let tmp = tempfile::tempdir().unwrap();
    let lake_dir = tmp.path().join("deep/lake");
    let lake = Lake::create(&lake_dir).unwrap();
    ingest_with(&corpus().join("landing"), &lake, IngestOptions::default())
        .await
        .unwrap();
    let top: Vec<_> = std::fs::read_dir(tmp.path().join("deep"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(top, ["lake"], "only the lake folder beside nothing else");
    let lake_root = lake_dir.canonicalize().unwrap();
    let personal = [
        "Asha Devi",
        "9812345601",
        "José",
        "Zoë Mathur",
        "प्रिया सिंह",
        "9812345621",
        "राहुल वर्मा",
        "सुरेश वर्मा",
        "ग्राम रामपुर",
    ];
    for (path, bytes) in files_under(&lake_root) {
        assert!(path.canonicalize().unwrap().starts_with(&lake_root));
        let in_log = path.components().any(|c| c.as_os_str() == "_delta_log");
        if in_log {
            let text = String::from_utf8_lossy(&bytes);
            for value in personal {
                assert!(
                    !text.contains(value),
                    "{}: holds a personal value",
                    path.display()
                );
            }
        }
    }
}
