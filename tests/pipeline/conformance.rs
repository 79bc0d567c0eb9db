//! The shared conformance set: ingest `landing/` and `hostile/` and compare
//! every file's counts and reasons with the independent implementation.

use super::support::{audit_month, conformance_dir, ingest_with};
use cctns_audit::ingest::{FileReport, IngestOptions};
use cctns_audit::lake::Lake;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn reasons_of(q: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, BTreeSet<String>> {
    q.iter()
        .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
        .collect()
}

fn expected_reasons(v: &Value) -> BTreeMap<String, BTreeSet<String>> {
    v["quarantine"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, r)| {
            (
                k.clone(),
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// Differences between our report of a file and the expected outcome.
fn compare(path: &str, ours: Option<&FileReport>, want: &Value) -> Vec<String> {
    let Some(ours) = ours else {
        return vec![format!("{path}: missing from our report")];
    };
    let mut diffs = Vec::new();
    let mut check = |what: &str, a: String, b: String| {
        if a != b {
            diffs.push(format!("{path}: {what}: ours {a}, expected {b}"));
        }
    };
    for key in ["rows_read", "rows_loaded", "rows_quarantined"] {
        let mine = match key {
            "rows_read" => ours.rows_read,
            "rows_loaded" => ours.rows_loaded,
            _ => ours.rows_quarantined,
        };
        check(
            key,
            mine.to_string(),
            want[key].as_u64().unwrap_or(0).to_string(),
        );
    }
    if let Some(table) = want.get("table") {
        check(
            "table",
            format!("{:?}", ours.table),
            format!("{:?}", table.as_str()),
        );
    }
    for (flag, mine) in [("file_error", ours.file_error), ("skipped", ours.skipped)] {
        if let Some(w) = want.get(flag) {
            check(flag, mine.to_string(), w.as_bool().unwrap().to_string());
        }
    }
    check(
        "reasons",
        format!("{:?}", reasons_of(&ours.quarantine)),
        format!("{:?}", expected_reasons(want)),
    );
    diffs
}

#[tokio::test(flavor = "multi_thread")]
async fn landing_ingest_matches_the_independent_implementation() {
    let dir = conformance_dir();
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    let report = ingest_with(&dir.join("landing"), &lake, IngestOptions::default())
        .await
        .unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected/ingest.json")).unwrap()).unwrap();
    let files = expected["files"].as_object().unwrap();
    let mut diffs: Vec<String> = files
        .iter()
        .flat_map(|(path, want)| compare(path, report.files.get(path), want))
        .collect();
    for (path, f) in &report.files {
        if !files.contains_key(path) && !f.skipped {
            diffs.push(format!("{path}: in our report, not expected"));
        }
        assert_eq!(
            f.rows_read,
            f.rows_loaded + f.rows_quarantined,
            "{path}: read = loaded + quarantined"
        );
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert!(!report.has_file_errors());
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_files_match_the_independent_implementation() {
    let dir = conformance_dir();
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    let report = ingest_with(&dir.join("hostile"), &lake, IngestOptions::default())
        .await
        .unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected/hostile.json")).unwrap()).unwrap();
    let files = expected["files"].as_object().unwrap();
    let diffs: Vec<String> = files
        .iter()
        .flat_map(|(path, want)| compare(path, report.files.get(path), want))
        .collect();
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert_eq!(
        report.files.len(),
        files.len(),
        "every hostile file is reported once"
    );
    let registry = report.registry.as_ref().unwrap();
    let kept: Vec<Value> = registry
        .stations_kept
        .iter()
        .map(|s| Value::from(s.as_str()))
        .collect();
    assert_eq!(Value::from(kept), expected["registry"]["stations_kept"]);
    let left_out: Vec<i64> = registry.left_out.iter().map(|l| l.record).collect();
    let want: Vec<i64> = expected["registry"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["record"].as_i64().unwrap())
        .collect();
    assert_eq!(left_out, want);
    assert!(report.has_file_errors());
    for (path, f) in &report.files {
        assert_eq!(f.rows_read, f.rows_loaded + f.rows_quarantined, "{path}");
    }
}

/// Rows of a CSV file as maps from header to cell.
pub(crate) fn csv_rows(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub(crate) type Row = BTreeMap<String, String>;

/// Compares two CSV files keyed by `key` columns: `exact` columns equal, `near` columns within a tolerance.
fn compare_csv(
    file: &str,
    ours: &[Row],
    want: &[Row],
    key: &[&str],
    exact: &[&str],
    near: &[(&str, f64)],
) -> Vec<String> {
    let index = |rows: &[Row]| -> BTreeMap<Vec<String>, Row> {
        rows.iter()
            .map(|r| {
                (
                    key.iter()
                        .map(|k| r.get(*k).cloned().unwrap_or_default())
                        .collect(),
                    r.clone(),
                )
            })
            .collect()
    };
    let (ours, want) = (index(ours), index(want));
    let mut diffs = Vec::new();
    for (k, w) in &want {
        let Some(o) = ours.get(k) else {
            diffs.push(format!("{file}: missing {k:?}"));
            continue;
        };
        for c in exact {
            if o.get(*c) != w.get(*c) {
                diffs.push(format!(
                    "{file}: {k:?} {c}: ours {:?}, expected {:?}",
                    o.get(*c),
                    w.get(*c)
                ));
            }
        }
        for (c, tol) in near {
            let parse = |r: &Row| r.get(*c).and_then(|v| v.parse::<f64>().ok());
            match (parse(o), parse(w)) {
                (Some(a), Some(b)) if (a - b).abs() <= *tol + 1e-9 => {}
                (a, b) => diffs.push(format!("{file}: {k:?} {c}: ours {a:?}, expected {b:?}")),
            }
        }
    }
    for k in ours.keys().filter(|k| !want.contains_key(*k)) {
        diffs.push(format!("{file}: unexpected {k:?}"));
    }
    diffs
}

/// A temporary folder holding a lake of `landing`, the lake's path and the built-in pack's folder.
pub(crate) async fn lake_of(
    landing: &std::path::Path,
) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let lake_dir = tmp.path().join("lake");
    let lake = Lake::create(&lake_dir).unwrap();
    ingest_with(landing, &lake, IngestOptions::default())
        .await
        .unwrap();
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
    (tmp, lake_dir, rules)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_month_audit_matches_the_independent_implementation() {
    let dir = conformance_dir();
    let (tmp, lake_dir, rules) = lake_of(&dir.join("landing")).await;
    let mut diffs = Vec::new();
    let mut months: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    months.sort();
    assert_eq!(months.len(), 8);
    for m in &months {
        let out = tmp.path().join("out").join(m);
        audit_month(&lake_dir, m, &out, &rules).await;
        diffs.extend(compare_month(&out, &dir.join("expected").join(m), m));
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The differences between the audit files of month `m` in `out` and the
/// expected ones (`states.csv` too when expected).
fn compare_month(out: &std::path::Path, expected: &std::path::Path, m: &str) -> Vec<String> {
    let mut diffs = Vec::new();
    let pair = |name: &str| (csv_rows(&out.join(name)), csv_rows(&expected.join(name)));
    let (o, w) = pair("violations.csv");
    diffs.extend(compare_csv(
        &format!("{m}/violations"),
        &o,
        &w,
        &["month", "ps_code", "table", "rule_id", "record_key"],
        &["district_code", "severity"],
        &[],
    ));
    let (o, w) = pair("scores.csv");
    let near: Vec<(&str, f64)> = ["score", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]
        .iter()
        .map(|c| (*c, 0.01))
        .collect();
    diffs.extend(compare_csv(
        &format!("{m}/scores"),
        &o,
        &w,
        &["month", "ps_code"],
        &["district_code", "fir_count", "category", "rank_in_district"],
        &near,
    ));
    let (o, w) = pair("points_lost.csv");
    diffs.extend(compare_csv(
        &format!("{m}/points_lost"),
        &o,
        &w,
        &["month", "ps_code", "parameter_id", "rule_id"],
        &["failing_records"],
        &[("points_lost", 0.0001)],
    ));
    let (o, w) = pair("districts.csv");
    diffs.extend(compare_csv(
        &format!("{m}/districts"),
        &o,
        &w,
        &["month", "district_code"],
        &["stations", "rank_in_state"],
        &[("score", 0.01)],
    ));
    if expected.join("states.csv").is_file() {
        let (o, w) = pair("states.csv");
        diffs.extend(compare_csv(
            &format!("{m}/states"),
            &o,
            &w,
            &["month", "state_code"],
            &["stations", "districts", "rank_in_country"],
            &[("score", 0.01)],
        ));
    }
    diffs
}

#[tokio::test(flavor = "multi_thread")]
async fn the_national_lake_in_miniature_ranks_states_and_districts_within_them() {
    let dir = conformance_dir().join("nation");
    let (tmp, lake_dir, rules) = lake_of(&dir.join("landing")).await;
    let mut diffs = Vec::new();
    for m in ["2024-06", "2024-07", "2024-08"] {
        let out = tmp.path().join("out").join(m);
        audit_month(&lake_dir, m, &out, &rules).await;
        diffs.extend(compare_month(&out, &dir.join("expected").join(m), m));
        let paths = csv_rows(&out.join("path_to_first.csv"));
        let states: Vec<&Row> = paths.iter().filter(|p| p["scope"] == "state").collect();
        assert_eq!(states.len(), 3, "{m}: a path to first for each state");
        assert!(states
            .iter()
            .any(|p| p["current_rank"] == "1" && p["records_needed"] == "0"));
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
