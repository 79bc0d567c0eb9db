//! `check`: the CI gate's exit codes, every limit kind at its boundary, the
//! JUnit file read back, and staged uploads that leave the lake unchanged.

use super::support::{audit_into, files_of, run, run_expecting, s, sample_lake, text};
use quick_junit::{Report, TestCaseStatus};
use std::path::{Path, PathBuf};

/// Writes a checks file.
fn checks(dir: &Path, name: &str, yaml: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Runs `check --month M` with a checks file; returns the exit code and the JUnit report.
fn gate(lake: &Path, month: &str, checks: &Path, extra: &[&str]) -> (i32, Report) {
    let junit = checks.with_extension("xml");
    let mut args = vec![
        "check",
        "--lake",
        s(lake),
        "--month",
        month,
        "--checks",
        s(checks),
        "--junit",
        s(&junit),
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    let code = o.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}", text(&o));
    let xml = std::fs::read_to_string(&junit).unwrap();
    (code, Report::deserialize_from_str(&xml).unwrap())
}

/// [`gate`] with a checks file of `yaml`, written beside the lake.
fn judged(lake: &Path, month: &str, yaml: &str, extra: &[&str]) -> (i32, Report) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("checks-{}.yaml", NEXT.fetch_add(1, Ordering::Relaxed));
    let path = checks(lake.parent().unwrap(), &name, yaml);
    gate(lake, month, &path, extra)
}

/// (classname, name, failure message or None) of every test case.
fn cases(report: &Report) -> Vec<(String, String, Option<String>)> {
    report
        .test_suites
        .iter()
        .flat_map(|suite| &suite.test_cases)
        .map(|c| {
            let failure = match &c.status {
                TestCaseStatus::NonSuccess { message, .. } => {
                    Some(message.as_ref().map(|m| m.to_string()).unwrap_or_default())
                }
                _ => None,
            };
            (
                c.classname
                    .as_ref()
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                c.name.to_string(),
                failure,
            )
        })
        .collect()
}

fn failing(report: &Report) -> Vec<(String, String)> {
    cases(report)
        .into_iter()
        .filter(|(_, _, f)| f.is_some())
        .map(|(class, name, _)| (class, name))
        .collect()
}

fn pair(class: &str, name: &str) -> (String, String) {
    (class.to_string(), name.to_string())
}

/// The two-decimal score `scores.csv` gives `ps` in `month`.
fn score_of(lake: &Path, dir: &Path, month: &str, ps: &str) -> String {
    let out = dir.join(format!("audit-{month}"));
    audit_into(lake, month, &out, &[]);
    let mut reader = csv::Reader::from_path(out.join("scores.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |n: &str| headers.iter().position(|h| h == n).unwrap();
    reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[column("ps_code")] == ps)
        .map(|r| r[column("score")].to_string())
        .unwrap()
}

#[test]
fn a_station_below_min_score_fails_with_exit_1_and_a_clean_gate_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let (code, report) = judged(&lake, "2024-08", "min_score: 99.5\n", &[]);
    assert_eq!(code, 1);
    let failed = failing(&report);
    assert!(
        failed.contains(&pair("UP-GBN.UP-GBN-003", "min_score")),
        "{failed:?}"
    );
    let message = cases(&report)
        .into_iter()
        .find(|(c, n, _)| c == "UP-GBN.UP-GBN-003" && n == "min_score")
        .and_then(|(_, _, f)| f)
        .unwrap();
    assert!(
        message.contains("below the minimum 99.5") && message.contains("points lost"),
        "{message}"
    );
    assert_eq!(report.test_suites.len(), 2, "one suite per district");
    assert_eq!(report.test_suites[0].name.as_str(), "UP-GBN");
    let (code, report) = judged(&lake, "2024-08", "min_score: 0\n", &[]);
    assert_eq!(code, 0);
    assert_eq!(cases(&report).len(), 9, "one case per station and check");
    let (code, _) = judged(&lake, "2024-08", "min_score: 0\n", &["--min-score", "99.5"]);
    assert_eq!(code, 1, "--min-score overrides the file");
}

/// In June of the sample UP-LKO-004 uploaded nothing (0.00, red) and
/// Lucknow's mean is (100 + 97 + 96.25 + 0) / 4 = 73.31 (blue); every other
/// station and Gautam Buddh Nagar score above 75 (green).
#[test]
fn min_zone_fails_the_stations_and_districts_of_a_later_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let zone_failures = |yaml: &str| {
        let (code, report) = judged(&lake, "2024-06", yaml, &[]);
        let failed: Vec<(String, String)> = failing(&report)
            .into_iter()
            .filter(|(_, name)| name == "min_zone")
            .collect();
        (code, failed, cases(&report).len())
    };
    let (code, failed, all) = zone_failures("min_zone: blue\n");
    assert_eq!(code, 1);
    assert_eq!(failed, [pair("UP-LKO.UP-LKO-004", "min_zone")]);
    assert_eq!(all, 9 + 2, "a case per station and per district");
    let (_, failed, _) = zone_failures("min_zone: green\n");
    assert_eq!(
        failed,
        [
            pair("UP-LKO", "min_zone"),
            pair("UP-LKO.UP-LKO-004", "min_zone")
        ]
    );
    let (code, failed, _) = zone_failures("min_zone: red\n");
    assert_eq!((code, failed.len()), (0, 0), "every unit is red or above");
}

#[test]
fn min_score_and_min_district_score_hold_at_their_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let score: f64 = score_of(&lake, tmp.path(), "2024-08", "UP-GBN-003")
        .parse()
        .unwrap();
    let (_, report) = judged(&lake, "2024-08", &format!("min_score: {score:.2}\n"), &[]);
    assert!(!failing(&report).contains(&pair("UP-GBN.UP-GBN-003", "min_score")));
    let (code, report) = judged(
        &lake,
        "2024-08",
        &format!("min_score: {:.2}\n", score + 0.01),
        &[],
    );
    assert_eq!(code, 1);
    assert!(failing(&report).contains(&pair("UP-GBN.UP-GBN-003", "min_score")));

    let districts = tmp.path().join("audit-2024-08/districts.csv");
    let text = std::fs::read_to_string(districts).unwrap();
    let gbn: f64 = text
        .lines()
        .find(|l| l.contains(",UP-GBN,"))
        .and_then(|l| l.split(',').nth(4))
        .unwrap()
        .parse()
        .unwrap();
    let (_, report) = judged(
        &lake,
        "2024-08",
        &format!("min_district_score: {gbn:.2}\n"),
        &[],
    );
    assert!(cases(&report).contains(&(
        "UP-GBN".to_string(),
        "min_district_score".to_string(),
        None
    )));
    let (code, report) = judged(
        &lake,
        "2024-08",
        &format!("min_district_score: {:.2}\n", gbn + 0.01),
        &[],
    );
    assert_eq!(code, 1);
    assert!(failing(&report).contains(&pair("UP-GBN", "min_district_score")));
}

#[test]
fn rule_limits_fire_above_their_count_or_percent_and_warnings_pass_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    // UP-GBN-003 has exactly one FIR-GEO failure in 2024-08.
    let (code, report) = judged(&lake, "2024-08", "rules:\n  FIR-GEO: { fail: 1 }\n", &[]);
    assert_eq!(code, 0);
    assert_eq!(cases(&report).len(), 9);
    let (code, report) = judged(&lake, "2024-08", "rules:\n  FIR-GEO: { fail: 0 }\n", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        failing(&report),
        vec![pair("UP-GBN.UP-GBN-003", "rule FIR-GEO")]
    );
    let message = cases(&report).into_iter().find_map(|(_, _, f)| f).unwrap();
    assert!(
        message.contains("FIR-GEO: 1 failing records of") && message.contains("fail limit 0"),
        "{message}"
    );
    assert!(message.contains("costing"), "names the points: {message}");

    assert_eq!(
        judged(&lake, "2024-08", "rules:\n  FIR-GEO: { fail: 0% }\n", &[]).0,
        1
    );
    assert_eq!(
        judged(&lake, "2024-08", "rules:\n  FIR-GEO: { fail: 100% }\n", &[]).0,
        0
    );

    let (code, report) = judged(
        &lake,
        "2024-08",
        "rules:\n  FIR-GEO: { warn: 0, fail: 5 }\n",
        &[],
    );
    assert_eq!(code, 0, "warnings pass");
    assert!(failing(&report).is_empty());
    let warned = report
        .test_suites
        .iter()
        .flat_map(|t| &t.test_cases)
        .find(|c| c.system_out.is_some())
        .unwrap();
    assert!(warned
        .system_out
        .as_ref()
        .unwrap()
        .as_str()
        .contains("warn limit 0"));
    let (code, report) = judged(
        &lake,
        "2024-08",
        "rules:\n  FIR-GEO: { warn: 0, fail: 5 }\n",
        &["--fail-on", "warning"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        failing(&report),
        vec![pair("UP-GBN.UP-GBN-003", "rule FIR-GEO")]
    );
}

#[test]
fn no_upload_and_max_quarantined_fire_and_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    // UP-LKO-004 uploads nothing in 2024-06.
    let (code, report) = judged(&lake, "2024-06", "no_upload: fail\n", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        failing(&report),
        vec![pair("UP-LKO.UP-LKO-004", "no_upload")]
    );
    assert_eq!(judged(&lake, "2024-06", "no_upload: warn\n", &[]).0, 0);
    let (code, report) = judged(&lake, "2024-06", "no_upload: ignore\nmin_score: 0\n", &[]);
    assert_eq!(code, 0);
    assert!(cases(&report).iter().all(|(_, n, _)| n != "no_upload"));

    // UP-GBN-003 has one quarantined row (E-ROW-WIDTH) in 2024-08.
    assert_eq!(
        judged(
            &lake,
            "2024-08",
            "no_upload: ignore\nmax_quarantined: 1\n",
            &[]
        )
        .0,
        0
    );
    let (code, report) = judged(
        &lake,
        "2024-08",
        "no_upload: ignore\nmax_quarantined: 0\n",
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(
        failing(&report),
        vec![pair("UP-GBN.UP-GBN-003", "max_quarantined")]
    );
    let (code, report) = judged(
        &lake,
        "2024-08",
        "no_upload: ignore\nmax_quarantined: 0.1%\n",
        &[],
    );
    assert_eq!(code, 1);
    let message = cases(&report).into_iter().find_map(|(_, _, f)| f).unwrap();
    assert!(
        message.starts_with("1 of ") && message.contains("rows read were quarantined"),
        "{message}"
    );
    assert_eq!(
        judged(
            &lake,
            "2024-08",
            "no_upload: ignore\nmax_quarantined: 100%\n",
            &[]
        )
        .0,
        0
    );
}

#[test]
fn the_default_checks_file_writes_junit_and_a_markdown_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let (junit, summary, out) = (
        tmp.path().join("j.xml"),
        tmp.path().join("s.md"),
        tmp.path().join("out"),
    );
    let o = run(&[
        "check",
        "--lake",
        s(&lake),
        "--month",
        "2024-06",
        "--junit",
        s(&junit),
        "--summary",
        s(&summary),
        "--out",
        s(&out),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "UP-LKO-004 uploaded nothing: {}",
        text(&o)
    );
    let report = Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap()).unwrap();
    let names: std::collections::BTreeSet<String> =
        cases(&report).into_iter().map(|(_, n, _)| n).collect();
    let expected = [
        "max_quarantined",
        "min_district_score",
        "min_score",
        "no_upload",
        "rule FIR-IO-MISSING",
        "rule FRP-OVERDUE",
    ];
    assert_eq!(names.into_iter().collect::<Vec<_>>(), expected);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("# CCTNS gate: FAILED"), "{md}");
    assert!(
        md.contains("| UP-LKO | UP-LKO-004 |") && md.contains("no_upload"),
        "{md}"
    );
    assert!(md.contains("### District league"), "{md}");
    assert!(
        out.join("scores.csv").is_file(),
        "--out writes the audit's files"
    );
}

#[test]
fn bad_checks_files_exit_2_with_file_line_and_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let cases = [
        ("min_scor: 80\n", "bad.yaml:1", "did you mean `min_score`?"),
        (
            "rules:\n  FIR-GEO: { fail: 5 % }\n",
            "bad.yaml:2",
            "not a count or a percent",
        ),
        (
            "rules:\n  FIR-GEO: { fail: 120% }\n",
            "bad.yaml:2",
            "not a count or a percent",
        ),
        (
            "rules:\n  FIR-GOE: { fail: 0 }\n",
            "bad.yaml:2",
            "did you mean `FIR-GEO`?",
        ),
        (
            "no_upload: maybe\n",
            "bad.yaml:1",
            "write fail, warn or ignore",
        ),
        ("min_score: [1\n", "bad.yaml:", "not valid YAML"),
        (
            "min_score: 0\nmin_zone: purple\n",
            "bad.yaml:2",
            "unknown zone `purple`",
        ),
    ];
    for (yaml, place, hint) in cases {
        let path = checks(tmp.path(), "bad.yaml", yaml);
        let o = run(&[
            "check",
            "--lake",
            s(&lake),
            "--month",
            "2024-08",
            "--checks",
            s(&path),
        ]);
        let shown = text(&o);
        assert_eq!(o.status.code(), Some(2), "{yaml}: {shown}");
        assert!(
            shown.contains(place) && shown.contains(hint),
            "{yaml}: {shown}"
        );
        assert!(!shown.contains("panicked"), "{shown}");
    }
    let two = checks(
        tmp.path(),
        "two.yaml",
        "min_scor: 80\nrules:\n  NOPE: { fail: 0 }\n",
    );
    let o = run(&[
        "check",
        "--lake",
        s(&lake),
        "--month",
        "2024-08",
        "--checks",
        s(&two),
    ]);
    let shown = text(&o);
    assert!(
        shown.contains("two.yaml:1") && shown.contains("two.yaml:3"),
        "every problem at once: {shown}"
    );
}

#[test]
fn a_broken_lake_exits_3_not_0_or_1() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let fir_log = lake.join("fir/_delta_log");
    for e in std::fs::read_dir(&fir_log).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::write(&p, b"{ not json").unwrap();
        }
    }
    let o = run(&["check", "--lake", s(&lake), "--month", "2024-08"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_eq!(text(&o).trim().lines().count(), 1, "{}", text(&o));
}

/// The files of a lake that its readers use: the manifest, the kept
/// snapshots, and every table's log and data files that existed.
fn reader_files(lake: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    files_of(lake)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("_lock") && !p.starts_with("_history"))
        .collect()
}

#[test]
fn a_staged_upload_without_accept_or_failing_leaves_the_lake_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let upload = tmp.path().join("upload");
    copy_month(Path::new("sample-data"), &upload, "2024-08", "UP-GBN-001");
    let before = reader_files(&lake);
    let log_before = run_expecting(0, &["lake", "log", "--lake", s(&lake)]);
    let lenient = checks(
        tmp.path(),
        "lenient.yaml",
        "min_score: 0\nno_upload: ignore\n",
    );
    let strict = checks(tmp.path(), "strict.yaml", "min_score: 100\n");
    for (checks, accept, code) in [(&lenient, false, 0), (&strict, true, 1)] {
        let mut args = vec![
            "check",
            "--landing",
            s(&upload),
            "--lake",
            s(&lake),
            "--checks",
            s(checks),
        ];
        if accept {
            args.push("--accept");
        }
        let o = run_expecting(code, &args);
        assert!(text(&o).contains("upload discarded"), "{}", text(&o));
        let after = reader_files(&lake);
        for (path, bytes) in &before {
            assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
        }
        let log_after = run_expecting(0, &["lake", "log", "--lake", s(&lake)]);
        assert_eq!(log_before.stdout, log_after.stdout, "no new snapshot");
    }
    let o = run_expecting(
        0,
        &[
            "check",
            "--landing",
            s(&upload),
            "--lake",
            s(&lake),
            "--checks",
            s(&lenient),
            "--accept",
        ],
    );
    assert!(
        text(&o).contains("upload accepted: snapshot 2 is now current"),
        "{}",
        text(&o)
    );
    let log =
        String::from_utf8(run_expecting(0, &["lake", "log", "--lake", s(&lake)]).stdout).unwrap();
    assert!(log.starts_with("snapshot 2 (current)"), "{log}");
    assert!(log.contains("fir 2024-08: 1 stations: UP-GBN-001"), "{log}");
}

/// Copies one station's month of a landing folder (with the registry) into `to`.
pub fn copy_month(from: &Path, to: &Path, month: &str, ps: &str) {
    let dir = to.join(month).join(ps);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        from.join("police_stations.csv"),
        to.join("police_stations.csv"),
    )
    .unwrap();
    for e in std::fs::read_dir(from.join(month).join(ps)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
}

/// Validates JUnit files against the Jenkins xunit plugin's schema
/// (`tests/data/junit-10.xsd`) with the validator `scripts/junit-validate.sh`
/// installs (xmlschema).
fn assert_valid_junit(files: &[&Path]) {
    let o = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/junit-validate.sh"))
        .args(files)
        .output()
        .unwrap();
    let shown = text(&o);
    let xml: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    assert!(
        o.status.success(),
        "not valid against junit-10.xsd: {shown}\n{}",
        xml.join("\n")
    );
}

#[test]
fn an_upload_with_an_unreadable_file_fails_in_the_junit_the_summary_and_the_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let upload = tmp.path().join("upload");
    copy_month(Path::new("sample-data"), &upload, "2024-08", "UP-GBN-001");
    // A cell value that must reach no file of the gate.
    let secret = "Zorawar Secretname";
    let arrest = format!("ps_code,fir_no,name\nUP-GBN-001,0118/2024,{secret}\0\0\n");
    std::fs::write(upload.join("2024-08/UP-GBN-001/arrest.csv"), arrest).unwrap();
    let lenient = checks(
        tmp.path(),
        "lenient.yaml",
        "min_score: 0\nno_upload: ignore\n",
    );
    let (junit, summary) = (tmp.path().join("j.xml"), tmp.path().join("s.md"));
    let before = reader_files(&lake);
    let o = run_expecting(
        1,
        &[
            "check",
            "--landing",
            s(&upload),
            "--lake",
            s(&lake),
            "--checks",
            s(&lenient),
            "--accept",
            "--junit",
            s(&junit),
            "--summary",
            s(&summary),
        ],
    );
    assert!(text(&o).contains("upload discarded"), "{}", text(&o));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let report = Report::deserialize_from_str(&xml).unwrap();
    let failed = cases(&report)
        .into_iter()
        .filter_map(|(class, name, f)| Some((class, name, f?)))
        .collect::<Vec<_>>();
    assert_eq!(
        failed.len(),
        1,
        "the unreadable file is the one failure: {xml}"
    );
    let (class, name, message) = &failed[0];
    assert_eq!(class, "upload.UP-GBN-001", "{xml}");
    assert!(name.ends_with("UP-GBN-001/arrest.csv"), "{xml}");
    assert!(
        message.contains("arrest.csv") && message.contains("NUL byte"),
        "the message names the file and its error: {xml}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("# CCTNS gate: FAILED"), "{md}");
    assert!(md.contains("arrest.csv") && md.contains("NUL byte"), "{md}");
    assert!(
        md.contains("not accepted"),
        "says the upload was not accepted: {md}"
    );
    for (what, shown) in [("junit", &xml), ("summary", &md), ("output", &text(&o))] {
        assert!(
            !shown.contains("Secretname"),
            "a cell value in the {what}: {shown}"
        );
    }
    assert_valid_junit(&[&junit]);
    let after = reader_files(&lake);
    for (path, bytes) in &before {
        assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
    }
}

#[test]
fn the_junit_of_a_passing_and_of_a_failing_gate_validates_against_the_jenkins_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let mut files = Vec::new();
    for (yaml, expected) in [
        ("min_score: 0\nno_upload: ignore\n", 0),
        (
            "min_score: 99.5\nrules:\n  FIR-GEO: { warn: 0, fail: 5 }\n",
            1,
        ),
    ] {
        let path = checks(tmp.path(), &format!("checks-{expected}.yaml"), yaml);
        let junit = tmp.path().join(format!("junit-{expected}.xml"));
        let summary = tmp.path().join(format!("summary-{expected}.md"));
        run_expecting(
            expected,
            &[
                "check",
                "--lake",
                s(&lake),
                "--month",
                "2024-08",
                "--checks",
                s(&path),
                "--junit",
                s(&junit),
                "--summary",
                s(&summary),
            ],
        );
        let md = std::fs::read_to_string(&summary).unwrap();
        let verdict = ["# CCTNS gate: PASSED", "# CCTNS gate: FAILED"][expected as usize];
        assert!(md.starts_with(verdict), "{md}");
        files.push(junit);
    }
    let failing = std::fs::read_to_string(&files[1]).unwrap();
    assert!(
        failing.contains("<failure") && failing.contains("<system-out>"),
        "{failing}"
    );
    assert_valid_junit(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
}

#[test]
fn run_only_publish_judges_first_and_publishes_no_failing_month() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = dir.join("key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    checks(dir, "strict.yaml", "min_score: 100\n");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let yaml = |extra: &str| {
        format!(
            "landing: {}\nlake: lake\nmonth: 2024-08\nout: out\nchecks: strict.yaml\npublish: published\nkey_file: key\n{extra}",
            data.display()
        )
    };
    let file = dir.join("p.yaml");
    std::fs::write(&file, yaml("")).unwrap();
    run_expecting(0, &["run", s(&file), "--only", "ingest"]);
    for narrowed in [["--only", "publish"], ["--from", "publish"]] {
        let o = run_expecting(1, &["run", s(&file), narrowed[0], narrowed[1]]);
        let shown = text(&o);
        assert!(shown.contains("check    exit 1"), "{narrowed:?}: {shown}");
        assert!(
            shown.contains("skipped: the check failed"),
            "{narrowed:?}: {shown}"
        );
        assert!(
            !dir.join("published/fir").exists() && !dir.join("published/scores").exists(),
            "{narrowed:?} published a failing month: {shown}"
        );
        let junit = std::fs::read_to_string(dir.join("out/junit.xml")).unwrap();
        assert!(junit.contains("<failure"), "{junit}");
        let md = std::fs::read_to_string(dir.join("out/summary.md")).unwrap();
        assert!(md.starts_with("# CCTNS gate: FAILED"), "{md}");
    }
    std::fs::write(&file, yaml("publish_if_check_fails: true\n")).unwrap();
    let o = run_expecting(0, &["run", s(&file), "--only", "publish"]);
    assert!(
        dir.join("published/fir").is_dir(),
        "publish_if_check_fails: true publishes: {}",
        text(&o)
    );
}
