//! `cctns-audit ingest`: exit codes 0 / 1 / 2 and the one-line errors.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Runs `ingest <root>/landing --lake <lake> <extra>` and checks it exits 0.
fn ingest_exits_0(root: &Path, lake: &Path, extra: &[&str]) -> Output {
    let landing = root.join("landing");
    let mut args = vec![
        "ingest",
        landing.to_str().unwrap(),
        "--lake",
        lake.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

const REGISTRY: &[u8] = b"ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\nUP-GBN-001,Kotwali,,UP-GBN,Gautam Buddh Nagar,UP\n";
const FIR: &[u8] = b"ps_code,fir_no,fir_date\nUP-GBN-001,0001/2024,2024-04-01\n";

#[test]
fn clean_landing_exits_0_and_writes_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    let lake = tmp.path().join("lake");
    let out = ingest_exits_0(tmp.path(), &lake, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 rows read = 1 loaded + 0 quarantined"),
        "{stdout}"
    );
    assert!(lake.join("_lake.json").is_file());
    assert_eq!(std::fs::read_dir(lake.join("_ingest")).unwrap().count(), 1);
}

#[test]
fn a_file_error_exits_1_with_one_line_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    put(
        tmp.path(),
        "landing/2024-04/UP-GBN-001/arrest.csv",
        b"a,\0b\n",
    );
    let lake = tmp.path().join("lake");
    let out = run(&[
        "ingest",
        tmp.path().join("landing").to_str().unwrap(),
        "--lake",
        lake.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: 2024-04/UP-GBN-001/arrest.csv: byte offset 2: NUL byte"),
        "{stderr}"
    );
}

#[test]
fn bad_usage_exits_2_without_a_panic() {
    let out = run(&["ingest", "/nonexistent/landing", "--lake", "/tmp/x"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: /nonexistent/landing: the landing folder does not exist"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    assert_eq!(run(&["ingest"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(run(&["ingest", "--help"]).status.code(), Some(0));
}

#[test]
fn a_broken_lake_exits_3_with_one_line_and_the_adversarial_corpus_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    let lake = tmp.path().join("lake");
    ingest_exits_0(tmp.path(), &lake, &["--quiet"]);
    let log = lake.join("fir/_delta_log/00000000000000000000.json");
    std::fs::write(&log, b"{ not json").unwrap();
    let landing = tmp.path().join("landing");
    let lake_s = lake.to_str().unwrap();
    let again = run(&[
        "ingest",
        landing.to_str().unwrap(),
        "--lake",
        lake_s,
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(3), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("lake table fir"), "{stderr}");
    let out = tmp.path().join("out");
    let audit = run(&[
        "audit",
        "--lake",
        lake_s,
        "--month",
        "2024-04",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        audit.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adversarial/landing");
    let other = tmp.path().join("adversarial-lake");
    let hostile = run(&[
        "ingest",
        corpus.to_str().unwrap(),
        "--lake",
        other.to_str().unwrap(),
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&hostile.stderr);
    assert_eq!(
        hostile.status.code(),
        Some(1),
        "file errors, the rest loaded: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{stderr}"
    );
}

/// A national month: 17,000 stations upload at once. delta-rs lowers the
/// month's replace predicate (`ps_code IN (…17,000 codes…)`) into a chain of
/// ORs and converts it recursively, which overflowed the default stack.
#[test]
fn a_month_of_seventeen_thousand_stations_ingests() {
    let tmp = tempfile::tempdir().unwrap();
    let stations = 17_000;
    let mut registry =
        String::from("ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n");
    for i in 0..stations {
        let ps = format!("UP-D{:03}-{i:05}", i % 800);
        registry.push_str(&format!("{ps},Thana {i},,UP-D{:03},D,UP\n", i % 800));
        let fir = format!("ps_code,fir_no,fir_date\n{ps},0001/2024,2024-04-01\n");
        put(
            tmp.path(),
            &format!("landing/2024-04/{ps}/fir.csv"),
            fir.as_bytes(),
        );
    }
    put(
        tmp.path(),
        "landing/police_stations.csv",
        registry.as_bytes(),
    );
    ingest_exits_0(tmp.path(), &tmp.path().join("lake"), &["--quiet"]);
}

/// A named pipe where a station file should be: reading it would wait forever.
#[test]
fn a_pipe_in_a_station_folder_is_refused_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    let pipe = tmp.path().join("landing/2024-04/UP-GBN-001/arrest.csv");
    assert!(Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap()
        .success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .arg("ingest")
        .arg(tmp.path().join("landing"))
        .arg("--lake")
        .arg(tmp.path().join("lake"))
        .arg("--quiet")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the ingest waits on the pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: 2024-04/UP-GBN-001/arrest.csv: not a regular file"),
        "{stderr}"
    );
}

/// The one report of the ingest runs into `lake`, as JSON.
fn only_report(lake: &Path) -> serde_json::Value {
    let reports: Vec<_> = std::fs::read_dir(lake.join("_ingest"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    serde_json::from_slice(&std::fs::read(&reports[0]).unwrap()).unwrap()
}

/// The capabilities that let root read and enter any folder whatever its
/// mode: the binary runs without them, so a folder of mode 000 is as
/// unreadable to it as to an SCRB's ingest user.
const NO_ROOT_READING: [&str; 2] = [
    "--inh-caps=-all",
    "--bounding-set=-dac_override,-dac_read_search",
];

/// A command running the binary so that it cannot read `locked` (a folder
/// of mode 000): as it is when this process cannot read it either, else
/// through `setpriv` without root's reading capabilities; `None` when
/// neither works here.
fn binary_that_cannot_read(locked: &Path) -> Option<Command> {
    let bin = env!("CARGO_BIN_EXE_cctns-audit");
    if std::fs::read_dir(locked).is_err() {
        return Some(Command::new(bin));
    }
    let quiet = |program: &str| {
        Command::new("setpriv")
            .args(NO_ROOT_READING)
            .arg(program)
            .arg(locked)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()
    };
    let dropped = quiet("true").is_some_and(|s| s.success());
    let blocked = quiet("ls").is_some_and(|s| !s.success());
    (dropped && blocked).then(|| {
        let mut cmd = Command::new("setpriv");
        cmd.args(NO_ROOT_READING).arg(bin);
        cmd
    })
}

/// Defect 6 of issue 27: a station folder that cannot be listed, and a
/// month folder whose entries cannot be looked at, are file errors naming
/// them; the other stations load and the run exits 1.
#[test]
fn an_unreadable_folder_is_a_file_error_and_the_rest_loads() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mut registry = REGISTRY.to_vec();
    registry.extend_from_slice(b"UP-GBN-002,Sector 20,,UP-GBN,Gautam Buddh Nagar,UP\n");
    put(tmp.path(), "landing/police_stations.csv", &registry);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    let fir_002 = b"ps_code,fir_no,fir_date\nUP-GBN-002,0001/2024,2024-04-01\n";
    put(tmp.path(), "landing/2024-04/UP-GBN-002/fir.csv", fir_002);
    put(tmp.path(), "landing/2024-05/UP-GBN-001/fir.csv", FIR);
    let landing = tmp.path().join("landing");
    let station = landing.join("2024-04/UP-GBN-002");
    let month = landing.join("2024-05");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    mode(&station, 0o000);
    mode(&month, 0o444);
    let Some(mut cmd) = binary_that_cannot_read(&station) else {
        mode(&station, 0o755);
        mode(&month, 0o755);
        eprintln!("skipped: this process reads every folder and setpriv cannot drop that here");
        return;
    };
    let lake = tmp.path().join("lake");
    let out = cmd
        .args(["ingest", landing.to_str().unwrap(), "--lake"])
        .arg(&lake)
        .arg("--quiet")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    mode(&station, 0o755);
    mode(&month, 0o755);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors[0].starts_with("error: 2024-04/UP-GBN-002: cannot read this folder (")
            && errors[0].contains("let the user running the ingest read and enter it"),
        "{stderr}"
    );
    assert!(
        errors[1].starts_with("error: 2024-05/UP-GBN-001: cannot read this entry ("),
        "{stderr}"
    );
    let report = only_report(&lake);
    let files = &report["files"];
    assert_eq!(files["2024-04/UP-GBN-002"]["file_error"], true);
    assert_eq!(files["2024-04/UP-GBN-002"]["ps_code"], "UP-GBN-002");
    assert_eq!(files["2024-05/UP-GBN-001"]["file_error"], true);
    assert_eq!(files["2024-04/UP-GBN-001/fir.csv"]["rows_loaded"], 1);
    assert_eq!(report["snapshot"], 1, "the rest is committed");
}

/// Defect 7 of issue 27: a CSV without its header line has a record for
/// a header; the report never holds a cell of it (here a name and a mobile
/// number) as an unknown column. Its rows are quarantined for the missing
/// key columns, as the contract says.
#[test]
fn a_header_less_csv_leaves_no_cell_of_its_first_row_in_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(
        tmp.path(),
        "landing/2024-04/UP-GBN-001/fir.csv",
        b"UP-GBN-001,0101/2024,2024-04-01,Ramvati Kushwaha,9876512345\n\
          UP-GBN-001,0102/2024,2024-04-02,Sushila Rajbhar,9876554321\n",
    );
    let lake = tmp.path().join("lake");
    ingest_exits_0(tmp.path(), &lake, &["--quiet"]);
    let report = only_report(&lake);
    let text = report.to_string();
    for value in [
        "Ramvati",
        "9876512345",
        "0101/2024",
        "Sushila",
        "9876554321",
    ] {
        assert!(!text.contains(value), "the report holds `{value}`: {text}");
    }
    let fir = &report["files"]["2024-04/UP-GBN-001/fir.csv"];
    assert_eq!(fir["unknown_columns"], serde_json::json!([]));
    assert_eq!(fir["rows_quarantined"], 1);
    assert_eq!(
        fir["quarantine"]["row:1"],
        serde_json::json!([
            "E-KEY-MISSING:ps_code",
            "E-KEY-MISSING:fir_no",
            "E-KEY-MISSING:fir_date"
        ])
    );
}
