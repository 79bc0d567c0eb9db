//! The audit in shards of stations (issue 28): the files written do not
//! depend on the number of shards, a rule relating several stations keeps
//! the lake whole, and a limit too small for one station is one line.

use super::support::{
    audit_files, audit_into, generated_lake, run_expecting, s, sample_lake, text,
};
use std::path::{Path, PathBuf};

/// A generated landing of two states with defects of every rule, ingested.
fn every_rule_lake(dir: &Path) -> PathBuf {
    generated_lake(
        dir,
        &[
            "--stations",
            "40",
            "--districts",
            "4",
            "--states",
            "2",
            "--months",
            "2024-08..2024-11",
            "--firs-per-station-month",
            "12",
            "--defect-rate",
            "0.05",
            "--seed",
            "28",
        ],
    )
}

/// Audits `month` of `lake` in `shards` shards into `out` (the month before
/// audited in the same run, for the trend) and returns its files.
fn audited_in(
    lake: &Path,
    month: &str,
    shards: &str,
    out: &Path,
    extra: &[&str],
) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut args = vec!["--no-history", "--shards", shards];
    args.extend_from_slice(extra);
    audit_into(lake, month, out, &args);
    audit_files(out)
}

#[test]
fn an_audit_in_one_two_or_seven_shards_writes_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = every_rule_lake(tmp.path());
    let one = audited_in(&lake, "2024-11", "1", &tmp.path().join("k1"), &[]);
    assert!(one.len() >= 10, "{:?}", one.keys());
    let violations = String::from_utf8_lossy(&one[Path::new("violations.csv")]).into_owned();
    assert!(violations.lines().count() > 50, "{violations}");
    for k in ["2", "7"] {
        let many = audited_in(&lake, "2024-11", k, &tmp.path().join(format!("k{k}")), &[]);
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            many.keys().collect::<Vec<_>>()
        );
        for (file, bytes) in &one {
            assert!(
                many[file] == *bytes,
                "{} differs with {k} shards",
                file.display()
            );
        }
    }
}

/// The built-in pack exported, with one `sql` rule that flags a FIR number
/// used by another station too, written with `scope` when given.
fn pack_relating_stations(dir: &Path, scope: Option<&str>) -> PathBuf {
    let rules = dir.join(format!("rules-{}", scope.unwrap_or("none")));
    run_expecting(0, &["rules", "export", s(&rules)]);
    let scope = scope.map_or(String::new(), |s| format!("    scope: {s}\n"));
    let rule = format!(
        "  - id: FIR-NO-SHARED\n    kind: sql\n    severity: error\n    description: The FIR number is used by another station too.\n{scope}    query: SELECT DISTINCT a.ps_code, a.fir_no AS record_key FROM fir a JOIN fir b ON a.fir_no = b.fir_no AND a.ps_code <> b.ps_code WHERE a.month = $month\n"
    );
    let fir = rules.join("fir.yaml");
    let mut text = std::fs::read_to_string(&fir).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    std::fs::write(&fir, text + &rule).unwrap();
    rules
}

#[test]
fn a_rule_relating_several_stations_is_audited_over_the_whole_lake() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let lake_wide = pack_relating_stations(tmp.path(), Some("lake"));
    let rules = ["--rules", s(&lake_wide)];
    let one = audited_in(&lake, "2024-06", "1", &tmp.path().join("k1"), &rules);
    let many = audited_in(&lake, "2024-06", "3", &tmp.path().join("k3"), &rules);
    let violations = String::from_utf8_lossy(&one[Path::new("violations.csv")]).into_owned();
    assert!(violations.contains("FIR-NO-SHARED"), "{violations}");
    assert!(
        one == many,
        "a scope: lake rule gives the same files in 3 shards"
    );

    let local = pack_relating_stations(tmp.path(), None);
    let rules = ["--rules", s(&local)];
    let many = audited_in(&lake, "2024-06", "99", &tmp.path().join("local"), &rules);
    let shared = String::from_utf8_lossy(&many[Path::new("violations.csv")])
        .lines()
        .filter(|l| l.contains("FIR-NO-SHARED"))
        .count();
    let whole = violations
        .lines()
        .filter(|l| l.contains("FIR-NO-SHARED"))
        .count();
    assert!(
        shared < whole,
        "without scope: lake the rule is taken to be station-local: one station per shard finds {shared} of {whole}"
    );

    let bad = pack_relating_stations(tmp.path(), Some("country"));
    let o = run_expecting(2, &["rules", "lint", s(&bad)]);
    assert!(text(&o).contains("scope: lake"), "{}", text(&o));
}

#[test]
fn a_limit_too_small_for_one_station_is_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let out = tmp.path().join("out");
    let o = run_expecting(
        2,
        &[
            "audit",
            "--lake",
            s(&lake),
            "--month",
            "2024-06",
            "--out",
            s(&out),
            "--memory-limit",
            "64MiB",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("one station") && stderr.contains("--memory-limit 64MiB"),
        "{stderr}"
    );
    assert!(!out.join("scores.csv").exists(), "nothing written");
}
