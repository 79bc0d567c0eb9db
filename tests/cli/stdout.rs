//! A reader of standard output that leaves (`| true`, `| head -1`): the
//! command ends quietly with the exit code it would have had, and what it
//! did (an ingest's commit) stays done (issue 27, defect 7).

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn binary(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cctns-audit"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped());
    cmd
}

/// Runs the binary with its standard output a pipe whose reader has left
/// before it writes a byte (as `| true` leaves it).
fn reader_gone_at_once(args: &[&str]) -> Output {
    let mut child = binary(args).stdout(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

/// Runs the binary with its standard output read for one line, then left
/// (as `| head -1` does).
fn reader_gone_after_a_line(args: &[&str]) -> Output {
    let mut child = binary(args).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The exit code is `code` and stderr says nothing of a panic or a pipe.
fn ends_quietly(what: &str, o: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{what}: {stderr}");
    for bad in ["internal error", "panicked", "Broken pipe", "broken pipe"] {
        assert!(!stderr.contains(bad), "{what}: {stderr}");
    }
    stderr
}

const REGISTRY: &[u8] = b"ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\nUP-GBN-001,Kotwali,,UP-GBN,Gautam Buddh Nagar,UP\n";
const FIR: &[u8] = b"ps_code,fir_no,fir_date\nUP-GBN-001,0001/2024,2024-04-01\n";

#[test]
fn an_ingest_whose_reader_left_commits_and_keeps_its_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "landing/police_stations.csv", REGISTRY);
    put(tmp.path(), "landing/2024-04/UP-GBN-001/fir.csv", FIR);
    put(
        tmp.path(),
        "landing/2024-04/UP-GBN-001/arrest.csv",
        b"a,\0b\n",
    );
    let (landing, lake) = (tmp.path().join("landing"), tmp.path().join("lake"));
    let (landing, lake_s) = (landing.to_str().unwrap(), lake.to_str().unwrap());
    let o = reader_gone_at_once(&["ingest", landing, "--lake", lake_s, "--quiet"]);
    let stderr = ends_quietly("ingest | true", &o, 1);
    assert!(
        stderr.contains("error: 2024-04/UP-GBN-001/arrest.csv:"),
        "the file error is still named: {stderr}"
    );
    let log = binary(&["lake", "log", "--lake", lake_s]).output().unwrap();
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(log.starts_with("snapshot 1 (current)"), "{log}");
    assert_eq!(std::fs::read_dir(lake.join("_ingest")).unwrap().count(), 1);

    let o = reader_gone_at_once(&["lake", "log", "--lake", lake_s]);
    ends_quietly("lake log | true", &o, 0);
    let o = reader_gone_after_a_line(&["lake", "log", "--lake", lake_s]);
    ends_quietly("lake log | head -1", &o, 0);
}

#[test]
fn rules_list_whose_reader_left_exits_0() {
    let o = reader_gone_at_once(&["rules", "list"]);
    ends_quietly("rules list | true", &o, 0);
    let o = reader_gone_after_a_line(&["rules", "list"]);
    ends_quietly("rules list | head -1", &o, 0);
    let o = reader_gone_at_once(&["rules", "list", "/nonexistent/pack"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
}
