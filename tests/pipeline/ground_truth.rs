//! End to end at small scale: generate a landing folder, ingest it, audit
//! every month, and compare with the generator's ground truth: precision and
//! recall 1.0 for every rule id of the catalogue.

use super::support::ingest_with;
use cctns_audit::ingest::IngestOptions;
use cctns_audit::lake::Lake;
use cctns_audit::pipeline::History;
use cctns_gen::{generate, Options};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Violation = (String, String, String, String, String);

/// Generates a landing folder under `dir` (a district per ten stations) and
/// ingests it into a new lake there; the ingest must have no file errors.
async fn generated_lake(
    dir: &Path,
    stations: usize,
    (first, last): (&str, &str),
    firs_per_station_month: usize,
    defect_rate: f64,
    seed: u64,
) -> (Options, Lake) {
    let opts = Options {
        out: dir.join("landing"),
        stations,
        districts: stations.div_ceil(10),
        states: 1,
        months: (first.parse().unwrap(), last.parse().unwrap()),
        firs_per_station_month,
        defect_rate,
        seed,
        plain: false,
    };
    generate(&opts).unwrap();
    let lake = Lake::create(&dir.join("lake")).unwrap();
    let report = ingest_with(&opts.out, &lake, IngestOptions::default())
        .await
        .unwrap();
    assert!(!report.has_file_errors(), "{:?}", report.error_lines());
    (opts, lake)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_rule_has_precision_and_recall_1() {
    let tmp = tempfile::tempdir().unwrap();
    let (opts, lake) = generated_lake(tmp.path(), 30, ("2024-04", "2024-11"), 15, 0.05, 8).await;
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
    let mut ours: BTreeSet<Violation> = BTreeSet::new();
    for month in opts.months() {
        let out = tmp.path().join("out").join(month.to_string());
        cctns_audit::pipeline::audit_to_files(lake.root(), month, &out, &rules, History::Kept)
            .await
            .unwrap();
        let mut reader = csv::Reader::from_path(out.join("violations.csv")).unwrap();
        for r in reader.records() {
            let r = r.unwrap();
            ours.insert((
                r[0].into(),
                r[2].into(),
                r[3].into(),
                r[4].into(),
                r[6].into(),
            ));
        }
    }
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(opts.out.join("ground_truth.json")).unwrap())
            .unwrap();
    let truth: BTreeSet<Violation> = truth["defects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            (
                s("month"),
                s("ps_code"),
                s("table"),
                s("rule_id"),
                s("record_key"),
            )
        })
        .collect();
    let mut per_rule: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for v in truth.union(&ours) {
        let e = per_rule.entry(v.3.clone()).or_default();
        match (truth.contains(v), ours.contains(v)) {
            (true, true) => e.0 += 1,
            (false, true) => e.1 += 1,
            _ => e.2 += 1,
        }
    }
    let wrong: Vec<String> = per_rule
        .iter()
        .filter(|(_, (_, fp, fn_))| *fp + *fn_ > 0)
        .map(|(rule, (tp, fp, fn_))| format!("{rule}: {tp} found, {fp} false, {fn_} missed"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{}\nfalse: {:?}\nmissed: {:?}",
        wrong.join("\n"),
        ours.difference(&truth).take(5).collect::<Vec<_>>(),
        truth.difference(&ours).take(5).collect::<Vec<_>>()
    );
    assert_eq!(
        per_rule.len(),
        35,
        "every rule id of the catalogue is injected: {:?}",
        per_rule.keys().collect::<Vec<_>>()
    );
}

/// Auditing M−1 and M together (aggregates built once, columns per month)
/// finds exactly what auditing each month alone finds, for every pair of
/// consecutive months of a generated lake with defects of every rule.
#[tokio::test(flavor = "multi_thread")]
async fn months_audited_together_find_what_each_alone_finds() {
    let tmp = tempfile::tempdir().unwrap();
    let (opts, lake) = generated_lake(tmp.path(), 12, ("2024-05", "2024-09"), 12, 0.08, 11).await;
    let manifest = cctns_audit::lake::Manifest::load(&lake).unwrap();
    let ctx = cctns_audit::engine::lake_session(&lake, &manifest)
        .await
        .unwrap();
    let pack = cctns_audit::rules::RulePack::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns"),
    )
    .unwrap();
    let months = opts.months();
    for pair in months.windows(2) {
        let together = cctns_audit::audit::audit_months(&ctx, &pack, pair)
            .await
            .unwrap();
        for (month, found) in pair.iter().zip(&together) {
            let alone = cctns_audit::audit::audit(&ctx, &pack, *month)
                .await
                .unwrap();
            assert_eq!(found.month, *month);
            assert!(
                found.failing == alone.failing && found.passing == alone.passing,
                "{month} audited with {pair:?} differs from {month} alone"
            );
        }
    }
}
