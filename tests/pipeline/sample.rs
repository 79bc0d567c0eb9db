//! The bundled sample-data, audited for 2024-08, against scores computed by
//! hand for two stations from the files themselves (see each comment).

use super::support::{audit_month, ingest_with};
use cctns_audit::ingest::IngestOptions;
use cctns_audit::lake::Lake;
use cctns_audit::pipeline::History;
use std::path::Path;

fn rows_of(path: &Path, ps: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.contains(ps))
        .map(str::to_string)
        .collect()
}

/// The project folder, a temporary folder and a lake in it holding the sample data.
async fn sample_lake() -> (&'static Path, tempfile::TempDir, Lake) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    ingest_with(&root.join("sample-data"), &lake, IngestOptions::default())
        .await
        .unwrap();
    (root, tmp, lake)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_stations_match_the_hand_computation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let lake = Lake::create(&tmp.path().join("lake")).unwrap();
    let report = ingest_with(&root.join("sample-data"), &lake, IngestOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (report.totals.rows_read, report.totals.rows_quarantined),
        (808, 5)
    );
    let out = tmp.path().join("out");
    audit_month(lake.root(), "2024-08", &out, &root.join("rules/cctns")).await;

    // UP-GBN-002, August: 11 fir rows and no quarantined row, so P2 has N = 11;
    // FIR 0121/2024 is dated 2024-09-02 (FIR-FUTURE): F = 1, P2 = 10 * (1 - 1/11) = 9.0909,
    // lost 0.9091. court_disposal.csv has 3 rows (P8 N = 3); 0101/2024's only final report
    // (July) has type `CHARGE SHEET`, not CHARGESHEET, so its disposal is CDP-ORPHAN:
    // P8 = 10 * (1 - 1/3) = 6.6667, lost 3.3333. Every other parameter is whole:
    // 15 + 9.0909 + 10 + 10 + 15 + 10 + 20 + 6.6667 = 95.7576 -> 95.76; second in UP-GBN
    // behind UP-GBN-004 (96.67). Spec v1.4: 95.76 reaches the default model's
    // first zone (green from 75), the last column.
    assert_eq!(
        rows_of(&out.join("scores.csv"), "UP-GBN-002"),
        vec!["2024-08,UP-GBN,UP-GBN-002,Sector 39,11,A,95.76,2,15.00,9.09,10.00,10.00,15.00,10.00,20.00,6.67,green"]
    );
    assert_eq!(
        rows_of(&out.join("points_lost.csv"), "UP-GBN-002"),
        vec![
            "2024-08,UP-GBN-002,P2,FIR-FUTURE,1,0.9091",
            "2024-08,UP-GBN-002,P8,CDP-ORPHAN,1,3.3333"
        ]
    );

    // UP-LKO-003, August: P4's population is the FIRs due for crime details in August
    // (fir_date + 7 days in August: 0121/2024 of 2024-07-26 and 0122..0128 of August; 0129
    // of 2024-08-25 is due 2024-09-01, not yet) = 8 fir records, plus the 9 crime_details
    // rows of August (0122..0129 and 9999/2024) = 17 records; 9999/2024 has no FIR
    // (CD-ORPHAN): P4 = 10 * 16/17 = 9.4118, lost 0.5882. court_disposal.csv has 3 rows,
    // one with result PENDING (CDP-RESULT): P8 = 6.6667, lost 3.3333.
    // 15 + 10 + 10 + 9.4118 + 15 + 10 + 20 + 6.6667 = 96.0784 -> 96.08, second in UP-LKO;
    // zone green (v1.4).
    assert_eq!(
        rows_of(&out.join("scores.csv"), "UP-LKO-003"),
        vec!["2024-08,UP-LKO,UP-LKO-003,Gomti Nagar,8,A,96.08,2,15.00,10.00,10.00,9.41,15.00,10.00,20.00,6.67,green"]
    );
    assert_eq!(
        rows_of(&out.join("points_lost.csv"), "UP-LKO-003"),
        vec![
            "2024-08,UP-LKO-003,P4,CD-ORPHAN,1,0.5882",
            "2024-08,UP-LKO-003,P8,CDP-RESULT,1,3.3333"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_month_has_no_trend_and_the_next_one_has() {
    let (root, tmp, lake) = sample_lake().await;
    let trend = |m: &str| {
        let out = tmp.path().join(m);
        let lake = lake.root().to_path_buf();
        let rules = root.join("rules/cctns");
        let m = m.to_string();
        async move {
            audit_month(&lake, &m, &out, &rules).await;
            let report: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
            report["trend"].clone()
        }
    };
    assert!(
        trend("2024-06").await.is_null(),
        "the lake holds no 2024-05"
    );
    let july = trend("2024-07").await;
    assert_eq!(july["previous_month"], "2024-06");
    // UP-LKO-004 uploaded nothing in June (score 0) and did in July: it climbed.
    let lko4 = july["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["ps_code"] == "UP-LKO-004")
        .unwrap()
        .clone();
    assert!(
        lko4["score_change"].as_f64().unwrap() > 50.0 && lko4["rank_change"].as_i64().unwrap() > 0,
        "{lko4}"
    );
}

/// The files of an audit that do not name when or how it ran.
fn audit_outputs(out: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = [
        "violations.csv",
        "scores.csv",
        "points_lost.csv",
        "districts.csv",
        "path_to_first.csv",
    ]
    .iter()
    .map(|f| (f.to_string(), std::fs::read_to_string(out.join(f)).unwrap()))
    .collect();
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    report.as_object_mut().unwrap().remove("run");
    files.push(("report.json".into(), report.to_string()));
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trend_comes_from_the_score_history_until_an_earlier_month_changes() {
    use cctns_audit::pipeline::{audit_to_files, Previous};
    let (root, tmp, lake) = sample_lake().await;
    let rules = root.join("rules/cctns");
    let august = "2024-08".parse().unwrap();
    let audit = |name: &str, history: History| {
        let out = tmp.path().join(name);
        let (lake, rules) = (lake.root().to_path_buf(), rules.clone());
        async move {
            let done = audit_to_files(&lake, august, &out, &rules, history)
                .await
                .unwrap();
            (done.previous, audit_outputs(&out))
        }
    };

    let (previous, ignored) = audit("ignored", History::Ignored).await;
    assert_eq!(previous, Previous::Audited);
    assert!(!lake.root().join("_history").exists(), "nothing recorded");
    let (previous, first) = audit("first", History::Kept).await;
    assert_eq!(previous, Previous::Audited, "the history was empty");
    let (previous, second) = audit("second", History::Kept).await;
    assert_eq!(previous, Previous::FromHistory);
    assert_eq!(first, ignored);
    assert_eq!(second, ignored, "the same trend from the history");

    let reupload = tmp.path().join("reupload");
    let station = reupload.join("2024-07/UP-GBN-001");
    std::fs::create_dir_all(&station).unwrap();
    for file in std::fs::read_dir(root.join("sample-data/2024-07/UP-GBN-001")).unwrap() {
        let file = file.unwrap().path();
        std::fs::copy(&file, station.join(file.file_name().unwrap())).unwrap();
    }
    ingest_with(&reupload, &lake, IngestOptions::default())
        .await
        .unwrap();
    let (previous, after) = audit("after", History::Kept).await;
    assert_eq!(previous, Previous::Audited, "July was uploaded again");
    assert_eq!(after, ignored);
}

#[tokio::test(flavor = "multi_thread")]
async fn audits_running_at_once_leave_a_readable_history() {
    use cctns_audit::pipeline::Previous;
    let (root, tmp, lake) = sample_lake().await;
    let rules = root.join("rules/cctns");
    let audits = (0..4).map(|i| {
        let out = tmp.path().join(format!("out{i}"));
        let (lake, rules) = (lake.root().to_path_buf(), rules.clone());
        async move { audit_month(&lake, "2024-08", &out, &rules).await }
    });
    futures::future::join_all(audits).await;
    let partials = std::fs::read_dir(lake.root().join("_history"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(partials, 0);
    let again = audit_month(lake.root(), "2024-08", &tmp.path().join("again"), &rules).await;
    assert_eq!(again.previous, Previous::FromHistory);
}
