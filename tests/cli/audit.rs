//! `audit`, `explain` and `rules`: the main job on sample-data, exit codes, one-line errors.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_main_job_runs_on_sample_data() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let out = tmp.path().join("out");
    let (lake_s, out_s) = (lake.to_str().unwrap(), out.to_str().unwrap());
    let ingest = run(&["ingest", "sample-data", "--lake", lake_s]);
    assert_eq!(ingest.status.code(), Some(0), "{}", text(&ingest));
    let audit = run(&[
        "audit", "--lake", lake_s, "--month", "2024-08", "--out", out_s,
    ]);
    assert_eq!(audit.status.code(), Some(0), "{}", text(&audit));
    for f in [
        "violations",
        "scores",
        "points_lost",
        "districts",
        "path_to_first",
    ] {
        assert!(
            out.join(format!("{f}.csv")).is_file() && out.join(format!("{f}.parquet")).is_file(),
            "{f}"
        );
    }
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        page.contains("थाना फेज 2")
            && page.contains("<svg")
            && !page.contains(" src=")
            && out.join("summary.md").is_file()
            && !page.contains("https://"),
        "self-contained"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["stations"].as_array().unwrap().len(), 9);
    assert!(
        report["trend"].is_object(),
        "2024-07 is in the lake: a trend"
    );
    let explain = run(&["explain", "--out", out_s, "--ps", "UP-GBN-003"]);
    assert_eq!(explain.status.code(), Some(0), "{}", text(&explain));
    let shown = text(&explain);
    assert!(
        shown.contains("UP-GBN-003 Phase 2 (थाना फेज 2)")
            && shown.contains("Records to fix first")
            && shown.contains("Path to first place"),
        "{shown}"
    );
    let hindi = run(&[
        "explain",
        "--out",
        out_s,
        "--ps",
        "UP-GBN-003",
        "--lang",
        "hi",
    ]);
    let shown = text(&hindi);
    assert!(
        shown.contains("पहले सुधारें") && !shown.contains("Records to fix first"),
        "{shown}"
    );
    let unknown = run(&[
        "handout",
        "--out",
        out_s,
        "--ps",
        "UP-GBN-001",
        "--ps",
        "UP-NOPE",
    ]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(text(&unknown).contains("--ps UP-NOPE: no such station in this audit"));
    assert!(
        !out.join("handout-UP-GBN-001.html").exists(),
        "nothing written"
    );
    let violations = std::fs::read_to_string(out.join("violations.csv")).unwrap();
    assert!(
        !violations.contains("राहुल") && !violations.contains("Sunita"),
        "no personal names in violations"
    );
}

#[test]
fn bad_month_and_missing_lake_exit_2_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "audit",
        "--lake",
        tmp.path().to_str().unwrap(),
        "--month",
        "2024-13",
        "--out",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: --month 2024-13: not a month; write it as YYYY-MM, for example 2024-04"
    );
    let out = run(&[
        "audit",
        "--lake",
        tmp.path().join("none").to_str().unwrap(),
        "--month",
        "2024-05",
        "--out",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no lake here"), "{stderr}");
}

#[test]
fn rules_lint_and_list() {
    let lint = run(&["rules", "lint"]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint));
    let list = run(&["rules", "list"]);
    assert_eq!(list.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listed.lines().count(), 36, "a header and 35 rules");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("FRP-OVERDUE") && l.contains("child_due") && l.contains("fir")),
        "{listed}"
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("fir.yaml"), "table: fir\nrules:\n  - id: X\n    kind: row\n    severity: error\n    description: d\n    fails_when: nope IS NULL\n").unwrap();
    let bad = run(&["rules", "lint", tmp.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}:7: rule X: `fails_when`",
            Path::new(tmp.path()).join("fir.yaml").display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_generated_national_folder_ranks_states_and_districts_within_their_state() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |x: &str| tmp.path().join(x).to_str().unwrap().to_string();
    let (landing, lake, out) = (p("landing"), p("lake"), p("out"));
    let generated = cctns_gen::run_args([
        "cctns-gen",
        "--out",
        landing.as_str(),
        "--stations",
        "30",
        "--districts",
        "6",
        "--states",
        "3",
        "--months",
        "2024-01..2024-02",
    ]);
    assert!(generated.is_ok(), "cctns-gen: {generated:?}");
    for args in [
        vec!["ingest", &landing, "--lake", &lake, "--quiet"],
        vec![
            "audit", "--lake", &lake, "--month", "2024-02", "--out", &out,
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
    }
    let registry =
        std::fs::read_to_string(Path::new(&landing).join("police_stations.csv")).unwrap();
    assert!(
        registry.contains("HR-D02-0001,Thana 2,थाना 2,HR-D02,District 2,HR"),
        "{registry}"
    );
    let states = std::fs::read_to_string(Path::new(&out).join("states.csv")).unwrap();
    let lines: Vec<&str> = states.lines().collect();
    assert_eq!(
        lines[0],
        "month,state_code,stations,districts,score,rank_in_country,group_id,rank_in_group,zone"
    );
    assert_eq!(lines.len(), 4, "{states}");
    for (i, line) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let score: f64 = cells[4].parse().unwrap();
        let zone = match score {
            s if s >= 75.0 => "green",
            s if s >= 65.0 => "blue",
            _ => "red",
        };
        assert_eq!(
            cells[2..],
            ["10", "2", cells[4], &(i + 1).to_string(), "", "", zone],
            "{line}: the generated states are in no group"
        );
    }
    let districts = std::fs::read_to_string(Path::new(&out).join("districts.csv")).unwrap();
    let firsts = districts
        .lines()
        .filter(|l| l.split(',').nth(5) == Some("1"))
        .count();
    assert_eq!(firsts, 3, "one first district per state: {districts}");
    let page = std::fs::read_to_string(Path::new(&out).join("report.html")).unwrap();
    assert_eq!(
        page.matches("<tr data-state=").count(),
        3,
        "the page's league of states"
    );
    let paths = std::fs::read_to_string(Path::new(&out).join("path_to_first.csv")).unwrap();
    assert_eq!(
        paths.lines().filter(|l| l.contains(",state,")).count(),
        3,
        "{paths}"
    );
}

/// Under `--memory-limit` the engine's queries share a spilling memory
/// pool; the files written are the same as without a limit, and the limit
/// is checked as a size.
#[test]
fn an_audit_under_a_memory_limit_writes_the_same_files() {
    use crate::support::{audit_into, run_expecting, s, text};
    let tmp = tempfile::tempdir().unwrap();
    let landing = tmp.path().join("landing");
    cctns_gen::run_args([
        "cctns-gen",
        "--out",
        s(&landing),
        "--stations",
        "120",
        "--districts",
        "6",
        "--months",
        "2024-01..2024-03",
        "--seed",
        "4",
    ])
    .unwrap();
    let lake = tmp.path().join("lake");
    run_expecting(
        0,
        &[
            "ingest",
            s(&landing),
            "--lake",
            s(&lake),
            "--quiet",
            "--memory-limit",
            "256MB",
        ],
    );
    let free = tmp.path().join("free");
    let bounded = tmp.path().join("bounded");
    audit_into(&lake, "2024-03", &free, &["--no-history"]);
    audit_into(
        &lake,
        "2024-03",
        &bounded,
        &["--no-history", "--memory-limit", "256MB"],
    );
    for file in [
        "violations.csv",
        "scores.csv",
        "points_lost.csv",
        "districts.csv",
    ] {
        let (a, b) = (
            std::fs::read(free.join(file)),
            std::fs::read(bounded.join(file)),
        );
        assert!(a.is_ok(), "{file} written");
        assert!(a.ok() == b.ok(), "{file} differs under the limit");
    }
    let o = run_expecting(
        2,
        &[
            "audit",
            "--lake",
            s(&lake),
            "--month",
            "2024-03",
            "--out",
            s(&free),
            "--memory-limit",
            "1MB",
        ],
    );
    assert!(text(&o).contains("64MiB"), "{}", text(&o));
}
