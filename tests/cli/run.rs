//! `run`: pipeline files, stages, exit codes and malformed files.

use super::support::{run, run_expecting, s, text};
use std::path::{Path, PathBuf};

/// Writes a pipeline file into `dir`.
fn pipeline(dir: &Path, name: &str, yaml: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

fn sample_data() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .display()
        .to_string()
}

#[test]
fn the_sample_pipeline_runs_every_stage_and_writes_each_month() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string("pipelines/sample.yaml").unwrap();
    let yaml = sample
        .replace("../sample-data", &sample_data())
        .replace("../lake", "lake")
        .replace("../out", "out");
    let checks = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pipelines")
        .display()
        .to_string();
    let yaml = yaml.replace("checks: ", &format!("checks: {checks}/"));
    let file = pipeline(tmp.path(), "sample.yaml", &yaml);
    let o = run(&["run", s(&file)]);
    let shown = text(&o);
    assert_eq!(o.status.code(), Some(0), "{shown}");
    for stage in ["ingest ", "audit ", "check "] {
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with(stage) && l.contains(" s)")),
            "{stage} logged with its duration: {shown}"
        );
    }
    assert!(
        shown.contains("reports in") && shown.contains("out"),
        "says where: {shown}"
    );
    for month in ["2024-06", "2024-07", "2024-08"] {
        assert!(
            tmp.path()
                .join("out")
                .join(month)
                .join("scores.csv")
                .is_file(),
            "{month}"
        );
    }
    assert!(
        tmp.path().join("out/junit.xml").is_file() && tmp.path().join("out/summary.md").is_file()
    );

    let o = run_expecting(0, &["run", s(&file), "--from", "audit"]);
    assert!(
        !text(&o).contains("ingest "),
        "--from audit skips the ingest: {}",
        text(&o)
    );
    let log = run_expecting(0, &["lake", "log", "--lake", s(&tmp.path().join("lake"))]);
    assert_eq!(
        String::from_utf8_lossy(&log.stdout)
            .matches("snapshot ")
            .count(),
        1,
        "no second ingest"
    );
    let o = run_expecting(0, &["run", s(&file), "--only", "audit"]);
    assert!(!text(&o).contains("check "), "{}", text(&o));
    let o = run(&["run", s(&file), "--only", "audit,chek"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("did you mean `check`?"), "{}", text(&o));
}

#[test]
fn a_failed_check_exits_1_and_still_writes_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("strict.yaml"), "min_score: 100\n").unwrap();
    let yaml = format!(
        "landing: {}\nlake: lake\nmonth: 2024-08\nout: out\nchecks: strict.yaml\n",
        sample_data()
    );
    let file = pipeline(tmp.path(), "p.yaml", &yaml);
    let o = run_expecting(1, &["run", s(&file)]);
    assert!(text(&o).contains("check    exit 1"), "{}", text(&o));
    assert!(tmp.path().join("out/2024-08/report.html").is_file());
    let junit = std::fs::read_to_string(tmp.path().join("out/junit.xml")).unwrap();
    assert!(
        junit.contains("classname=\"UP-GBN.UP-GBN-003\"") && junit.contains("<failure"),
        "{junit}"
    );
}

#[test]
fn malformed_pipeline_files_exit_2_with_file_line_and_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let data = sample_data();
    let cases = [
        (format!("landing: {data}\nlake: lake\nmonth: 2024-08\nout: out\nchecsk: x.yaml\n"), "p.yaml:5", "did you mean `checks`?"),
        (format!("landing: {data}\nlake: lake\nmonths: 2024-08..2024-06\nout: out\n"), "p.yaml:3", "not a month or a month range"),
        (format!("landing: {data}\nlake: lake\nmonth: 2024-13\nout: out\n"), "p.yaml:3", "not a month"),
        ("landing: ./nowhere\nlake: lake\nmonth: 2024-08\nout: out\n".to_string(), "p.yaml:1", "does not exist"),
        (format!("landing: {data}\nlake: lake\nmonth: 2024-08\n"), "p.yaml:1", "no `out`"),
        (format!("landing: {data}\nlake: lake\nmonth: 2024-08\nout: out\nstages: [ingest, audti]\n"), "p.yaml:5", "did you mean `audit`?"),
        (format!("landing: {data}\nlake: lake\nmonth: 2024-08\nout: out\ncheck:\n  fail_on: sometimes\n"), "p.yaml:6", "`warning` or `failure`"),
        (format!("landing: {data}\nlake: lake\nmonth: 2024-08\nout: out\nengine: spark\n"), "p.yaml:5", "ballista://HOST:PORT"),
        ("landing: [oops\n".to_string(), "p.yaml:", "not valid YAML"),
    ];
    for (yaml, place, hint) in &cases {
        let file = pipeline(tmp.path(), "p.yaml", yaml);
        let o = run(&["run", s(&file)]);
        let shown = text(&o);
        assert_eq!(o.status.code(), Some(2), "{yaml}\n{shown}");
        assert!(
            shown.contains(place) && shown.contains(hint),
            "{yaml}\n{shown}"
        );
        assert!(!shown.contains("panicked"), "{shown}");
    }
    let many = pipeline(
        tmp.path(),
        "p.yaml",
        "landing: ./nowhere\nlake: lake\nmonth: soon\nout: out\nextra: 1\n",
    );
    let shown = text(&run(&["run", s(&many)]));
    for place in ["p.yaml:1", "p.yaml:3", "p.yaml:5"] {
        assert!(shown.contains(place), "every problem at once: {shown}");
    }
    assert!(!tmp.path().join("lake").exists(), "nothing ran");
}

#[test]
fn the_publish_stage_runs_after_a_passing_check_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(tmp.path().join("lenient.yaml"), "min_score: 0\n").unwrap();
    std::fs::write(tmp.path().join("strict.yaml"), "min_score: 100\n").unwrap();
    let yaml = |checks: &str| {
        format!(
            "landing: {}\nlake: lake\nmonths: 2024-07..2024-08\nout: out\nchecks: {checks}\npublish: published\nkey_file: key\n",
            sample_data()
        )
    };
    let strict = pipeline(tmp.path(), "strict.pipeline.yaml", &yaml("strict.yaml"));
    let o = run_expecting(1, &["run", s(&strict)]);
    assert!(
        text(&o).contains("publish  exit 0: skipped: the check failed"),
        "{}",
        text(&o)
    );
    assert!(!tmp.path().join("published/fir").exists());
    let lenient = pipeline(tmp.path(), "lenient.pipeline.yaml", &yaml("lenient.yaml"));
    let o = run_expecting(0, &["run", s(&lenient), "--from", "audit"]);
    assert!(text(&o).contains("2 months"), "{}", text(&o));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("published/_publish.json")).unwrap())
            .unwrap();
    assert_eq!(log["months"].as_object().unwrap().len(), 2);
}

#[test]
fn a_run_with_every_stage_audits_each_month_once() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(tmp.path().join("checks.yaml"), "min_score: 0\n").unwrap();
    let yaml = format!(
        "landing: {}\nlake: lake\nmonths: 2024-07..2024-08\nout: out\nchecks: checks.yaml\npublish: published\nkey_file: key\nstages: [ingest, audit, check, publish]\n",
        sample_data()
    );
    let file = pipeline(tmp.path(), "every.pipeline.yaml", &yaml);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(["run", s(&file)])
        .env("RUST_LOG", "warn,cctns_audit=debug")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let log = String::from_utf8_lossy(&o.stderr);
    let audits = log.matches("months audited and scored").count();
    assert_eq!(
        audits, 2,
        "one audit per month, its result handed to check and publish:\n{log}"
    );
    assert!(tmp.path().join("published/_publish.json").is_file());
}
