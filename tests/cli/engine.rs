//! `--engine`: the same audit on Ballista (standalone in process, and a
//! cluster of separate processes started by `scripts/ballista-cluster.sh`)
//! writes the files the local engine writes.

use crate::support::{audit_into, generated_lake, run, s, sample_lake, text};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files that must be identical whichever engine ran the rules.
const SAME_FILES: [&str; 4] = [
    "violations.csv",
    "scores.csv",
    "points_lost.csv",
    "districts.csv",
];

/// Asserts that the audits in `a` and `b` wrote the same [`SAME_FILES`].
fn assert_same_files(a: &Path, b: &Path, what: &str) {
    for file in SAME_FILES {
        let (x, y) = (std::fs::read(a.join(file)), std::fs::read(b.join(file)));
        assert!(x.is_ok(), "{file} written");
        assert!(x.ok() == y.ok(), "{file} differs on {what}");
    }
}

/// A generated landing folder with defects of every rule (as the ground
/// truth test makes it), ingested into `<dir>/lake`.
fn every_rule_lake(dir: &Path) -> PathBuf {
    generated_lake(
        dir,
        &[
            "--stations",
            "30",
            "--districts",
            "3",
            "--months",
            "2024-04..2024-11",
            "--firs-per-station-month",
            "15",
            "--defect-rate",
            "0.05",
            "--seed",
            "8",
        ],
    )
}

/// Audits `month` of `lake` with the local engine and with `engine`, and
/// compares their files.
fn same_as_local(lake: &Path, month: &str, engine: &str, out: &Path) {
    let local = out.join(format!("local-{month}"));
    let other = out.join(format!("other-{month}"));
    audit_into(lake, month, &local, &["--no-history"]);
    audit_into(lake, month, &other, &["--no-history", "--engine", engine]);
    assert_same_files(&local, &other, &format!("{engine}, {month}"));
}

#[test]
fn the_standalone_engine_writes_the_local_files() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = sample_lake(tmp.path());
    same_as_local(&sample, "2024-08", "standalone", tmp.path());
    let generated = every_rule_lake(&tmp.path().join("generated"));
    for month in ["2024-06", "2024-11"] {
        same_as_local(&generated, month, "standalone", tmp.path());
    }
}

#[test]
fn an_unreachable_scheduler_is_one_line_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let port = free_ports(1);
    let out = tmp.path().join("out");
    let audit_on = |engine: &str| {
        run(&[
            "audit",
            "--lake",
            s(&lake),
            "--month",
            "2024-08",
            "--out",
            s(&out),
            "--engine",
            engine,
        ])
    };
    let o = audit_on(&format!("ballista://127.0.0.1:{port}"));
    let shown = text(&o);
    assert_eq!(o.status.code(), Some(3), "{shown}");
    assert!(
        shown.contains("no Ballista scheduler answers") && shown.contains("ballista-cluster.sh"),
        "{shown}"
    );
    let bad = audit_on("spark");
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

/// The first of `n` consecutive loopback ports that are free now.
fn free_ports(n: u16) -> u16 {
    let start = 20_000 + (std::process::id() % 20_000) as u16;
    (start..60_000)
        .step_by(7)
        .find(|&p| (p..p + n).all(|q| std::net::TcpListener::bind(("127.0.0.1", q)).is_ok()))
        .unwrap()
}

/// A cluster started by `scripts/ballista-cluster.sh`, stopped when dropped
/// (also when the test fails).
struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn script(&self, verb: &str) -> std::process::Output {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ballista-cluster.sh"))
            .arg(verb)
            .env("CCTNS_AUDIT", env!("CARGO_BIN_EXE_cctns-audit"))
            .env("BALLISTA_DIR", &self.dir)
            .env("BALLISTA_PORT", self.port.to_string())
            .output()
            .unwrap()
    }

    /// The process ids the script wrote.
    fn pids(&self) -> Vec<u32> {
        ["scheduler", "executor-1", "executor-2"]
            .iter()
            .filter_map(|n| std::fs::read_to_string(self.dir.join(format!("{n}.pid"))).ok())
            .map(|t| t.trim().parse().unwrap())
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.script("stop");
    }
}

/// Whether process `pid` exists (and is not a zombie).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn a_cluster_of_separate_processes_writes_the_local_files() {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = Cluster {
        dir: tmp.path().join("cluster"),
        port: free_ports(5),
    };
    let started = cluster.script("start");
    assert_eq!(started.status.code(), Some(0), "{}", text(&started));
    let engine = String::from_utf8_lossy(&started.stdout).trim().to_string();
    assert_eq!(engine, format!("ballista://127.0.0.1:{}", cluster.port));
    let pids = cluster.pids();
    assert_eq!(pids.len(), 3, "a scheduler and two executors");
    assert!(pids.iter().all(|&p| running(p)));

    let sample = sample_lake(tmp.path());
    same_as_local(&sample, "2024-08", &engine, tmp.path());
    let generated = every_rule_lake(&tmp.path().join("generated"));
    same_as_local(&generated, "2024-11", &engine, tmp.path());
    let checked = run(&[
        "check",
        "--lake",
        s(&sample),
        "--month",
        "2024-08",
        "--engine",
        &engine,
    ]);
    let local = run(&["check", "--lake", s(&sample), "--month", "2024-08"]);
    assert_eq!(
        checked.status.code(),
        local.status.code(),
        "{}",
        text(&checked)
    );

    let stopped = cluster.script("stop");
    assert_eq!(stopped.status.code(), Some(0), "{}", text(&stopped));
    assert!(
        pids.iter().all(|&p| !running(p)),
        "no process of the cluster is left"
    );
    assert!(cluster.pids().is_empty(), "the pid files are gone");
}
