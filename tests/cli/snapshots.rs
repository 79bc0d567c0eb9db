//! Kept snapshots: `audit --snapshot`, `lake log`, and two writers at once.

use super::gate::copy_month;
use super::support::{audit_files, audit_into, run, run_expecting, s, sample_lake, text};
use std::path::Path;

/// Re-uploads UP-GBN-001's August with its last FIR left out.
fn reupload_shorter_august(tmp: &Path, lake: &Path) {
    let upload = tmp.join("upload");
    copy_month(Path::new("sample-data"), &upload, "2024-08", "UP-GBN-001");
    let fir = upload.join("2024-08/UP-GBN-001/fir.csv");
    let text = std::fs::read_to_string(&fir).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&fir, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    run_expecting(0, &["ingest", s(&upload), "--lake", s(lake), "--quiet"]);
}

#[test]
fn audit_of_a_kept_snapshot_reproduces_its_files_after_a_reupload() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let first = tmp.path().join("first");
    audit_into(&lake, "2024-08", &first, &[]);
    reupload_shorter_august(tmp.path(), &lake);
    let now = tmp.path().join("now");
    audit_into(&lake, "2024-08", &now, &[]);
    assert_ne!(
        std::fs::read(first.join("scores.csv")).unwrap(),
        std::fs::read(now.join("scores.csv")).unwrap(),
        "the re-upload changed the scores"
    );
    let again = tmp.path().join("again");
    let o = audit_into(&lake, "2024-08", &again, &["--snapshot", "1"]);
    assert!(text(&o).contains("lake snapshot 1"), "{}", text(&o));
    let (a, b) = (audit_files(&first), audit_files(&again));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{} differs", path.display());
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(again.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["run"]["snapshot"], 1);
    let o = run(&[
        "audit",
        "--lake",
        s(&lake),
        "--month",
        "2024-08",
        "--out",
        s(&again),
        "--snapshot",
        "7",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("has no snapshot 7") && text(&o).contains("lake log"),
        "{}",
        text(&o)
    );
}

#[test]
fn lake_log_lists_snapshots_newest_first_with_what_each_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    reupload_shorter_august(tmp.path(), &lake);
    let log =
        String::from_utf8(run_expecting(0, &["lake", "log", "--lake", s(&lake)]).stdout).unwrap();
    let headers: Vec<&str> = log.lines().filter(|l| l.starts_with("snapshot")).collect();
    assert_eq!(headers.len(), 2, "{log}");
    assert!(
        headers[0].starts_with("snapshot 2 (current)") && headers[1].starts_with("snapshot 1 "),
        "{log}"
    );
    let second: Vec<&str> = log.split("snapshot 1 ").next().unwrap().lines().collect();
    assert!(
        second.contains(&"  fir 2024-08: 1 stations: UP-GBN-001"),
        "{log}"
    );
    assert!(
        !second.iter().any(|l| l.contains("2024-07")),
        "only August was replaced: {log}"
    );
    assert!(log.contains("  registry: replaced whole"), "{log}");
    assert!(
        log.contains("  fir 2024-06: 8 stations:"),
        "UP-LKO-004 uploaded nothing in June: {log}"
    );
}

#[test]
fn two_ingests_at_once_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let small = tmp.path().join("small");
    copy_month(Path::new("sample-data"), &small, "2024-07", "UP-GBN-002");
    let bin = env!("CARGO_BIN_EXE_cctns-audit");
    let spawn = |landing: &Path| {
        std::process::Command::new(bin)
            .args(["ingest", s(landing), "--lake", s(&lake), "--quiet"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
    };
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| spawn(Path::new("sample-data")).unwrap());
        let b = scope.spawn(|| spawn(&small).unwrap());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    let log =
        String::from_utf8(run_expecting(0, &["lake", "log", "--lake", s(&lake)]).stdout).unwrap();
    let blocks: Vec<&str> = log.split("snapshot ").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 2, "{log}");
    let whole =
        |b: &str| b.contains("fir 2024-06: 8 stations") && b.contains("fir 2024-08: 9 stations");
    let one = |b: &str| b.contains("fir 2024-07: 1 stations: UP-GBN-002") && !b.contains("2024-06");
    let kinds: Vec<bool> = blocks.iter().map(|b| whole(b)).collect();
    assert!(
        blocks.iter().all(|b| whole(b) || one(b)),
        "each snapshot is one upload: {log}"
    );
    assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "{log}");
    let out = tmp.path().join("out");
    audit_into(&lake, "2024-07", &out, &[]);
    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    assert_eq!(
        scores.lines().count(),
        10,
        "every station of the registry: {scores}"
    );
}
