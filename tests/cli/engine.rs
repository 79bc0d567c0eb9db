//! `--engine`: the same audit on Ballista (standalone in process, and a
//! cluster of separate processes started by `scripts/ballista-cluster.sh`)
//! writes the files the local engine writes, also over eight months of
//! `run`; SIGTERM stops a standalone run and leaves the lake whole; a
//! cluster that loses an executor mid-audit still finishes it; and no
//! process of the binary is left behind.

use crate::support::{
    audit_into, generated_lake, generated_landing, run, run_expecting, s, sample_lake, text,
};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

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

/// The months of the eight-month pipeline runs, as `generate` and a
/// pipeline file's `months:` take them.
const EIGHT_MONTHS: &str = "2024-01..2024-08";

/// The months of [`EIGHT_MONTHS`], one by one.
const MONTHS: [&str; 8] = [
    "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08",
];

/// A landing folder of `stations` stations over [`EIGHT_MONTHS`] (fixed
/// seed, default FIRs and defects) generated into `<dir>/landing`.
fn eight_month_landing(dir: &Path, stations: &str) -> PathBuf {
    generated_landing(
        dir,
        &[
            "--stations",
            stations,
            "--months",
            EIGHT_MONTHS,
            "--seed",
            "29",
        ],
    )
}

/// Writes `<dir>/p.yaml`: ingest `landing` into `<dir>/lake` and audit
/// every month of [`EIGHT_MONTHS`] into `<dir>/out` on `engine`.
fn pipeline_file(dir: &Path, landing: &Path, engine: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("p.yaml");
    let yaml = format!(
        "landing: {}\nlake: lake\nmonths: {EIGHT_MONTHS}\nout: out\nstages: [ingest, audit]\nengine: {engine}\n",
        landing.display()
    );
    std::fs::write(&file, yaml).unwrap();
    file
}

/// Runs the pipeline of [`pipeline_file`] in `dir`, expecting exit 0; its
/// `out` folder.
fn run_pipeline(dir: &Path, landing: &Path, engine: &str) -> PathBuf {
    let file = pipeline_file(dir, landing, engine);
    run_expecting(0, &["run", s(&file)]);
    dir.join("out")
}

/// Asserts that the runs that wrote `a` and `b` wrote the same
/// [`SAME_FILES`] for every month of [`MONTHS`].
fn assert_same_months(a: &Path, b: &Path, what: &str) {
    for month in MONTHS {
        assert_same_files(&a.join(month), &b.join(month), &format!("{what}, {month}"));
    }
}

/// Runs the eight-month pipeline over `landing` with the local engine and
/// with `engine`, each into its own lake and out under `dir`, and compares
/// every month's files.
fn run_same_as_local(landing: &Path, engine: &str, dir: &Path) {
    let local = run_pipeline(&dir.join("run-local"), landing, "local");
    let other = run_pipeline(&dir.join("run-other"), landing, engine);
    assert_same_months(&local, &other, &format!("run on {engine}"));
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
    assert_no_process_left(tmp.path());
}

/// `run` over eight months with `engine: standalone` writes every month's
/// files as `engine: local` does.
#[test]
fn a_standalone_run_over_eight_months_writes_the_local_files() {
    let tmp = tempfile::tempdir().unwrap();
    let landing = eight_month_landing(tmp.path(), "12");
    run_same_as_local(&landing, "standalone", tmp.path());
    assert_no_process_left(tmp.path());
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

/// The first of `n` consecutive loopback ports that are free now. Each call
/// starts its search 100 ports past the previous one's, so tests starting
/// clusters at the same time do not pick the same ports.
fn free_ports(n: u16) -> u16 {
    static CALLS: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let offset = 100 * (CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 50);
    let start = 20_000 + (std::process::id() % 20_000) as u16 + offset;
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
    /// Starts a cluster on free ports with its pid files and logs in
    /// `<dir>/cluster`, asserting that its three processes run; the cluster
    /// and its `--engine` address.
    fn start(dir: &Path) -> (Cluster, String) {
        let cluster = Cluster {
            dir: dir.join("cluster"),
            port: free_ports(5),
        };
        let started = cluster.script("start");
        assert_eq!(started.status.code(), Some(0), "{}", text(&started));
        let engine = String::from_utf8_lossy(&started.stdout).trim().to_string();
        assert_eq!(engine, format!("ballista://127.0.0.1:{}", cluster.port));
        let pids = cluster.pids();
        assert_eq!(pids.len(), 3, "a scheduler and two executors");
        assert!(pids.iter().all(|&p| running(p)));
        (cluster, engine)
    }

    /// Runs the script with `verb`, with its default log levels (the
    /// executors' `Execute task` lines tell `an_audit_survives_a_lost_executor`
    /// that a task runs).
    fn script(&self, verb: &str) -> std::process::Output {
        Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ballista-cluster.sh"))
            .arg(verb)
            .env("CCTNS_AUDIT", env!("CARGO_BIN_EXE_cctns-audit"))
            .env("BALLISTA_DIR", &self.dir)
            .env("BALLISTA_PORT", self.port.to_string())
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    }

    /// The process id in the pid file of `name` (`scheduler`, `executor-1`,
    /// `executor-2`), if the script wrote one.
    fn pid(&self, name: &str) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.join(format!("{name}.pid"))).ok()?;
        Some(text.trim().parse().unwrap())
    }

    /// The process ids the script wrote.
    fn pids(&self) -> Vec<u32> {
        ["scheduler", "executor-1", "executor-2"]
            .iter()
            .filter_map(|n| self.pid(n))
            .collect()
    }

    /// Stops the cluster with the script, asserting that it exits 0, that
    /// none of `pids` (its processes as started) is left and that the pid
    /// files are gone.
    fn stop_and_check(&self, pids: &[u32]) {
        let stopped = self.script("stop");
        assert_eq!(stopped.status.code(), Some(0), "{}", text(&stopped));
        assert!(
            pids.iter().all(|&p| !running(p)),
            "no process of the cluster is left"
        );
        assert!(self.pids().is_empty(), "the pid files are gone");
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

/// The running processes (not zombies) of the binary under test whose
/// command line mentions `dir`: each pid with its command line (arguments
/// joined by spaces).
fn processes_mentioning(dir: &Path) -> Vec<(u32, String)> {
    let bin = env!("CARGO_BIN_EXE_cctns-audit");
    let dir = dir.display().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.starts_with(bin) && cmdline.contains(&dir) && running(pid) {
            found.push((pid, cmdline.trim_end().to_string()));
        }
    }
    found
}

/// Asserts that no process of the binary whose command line mentions `dir`
/// (a test's temporary folder) still runs, allowing 5 s for one that is
/// exiting.
fn assert_no_process_left(dir: &Path) {
    let mut left = Vec::new();
    let gone = within(Duration::from_secs(5), || {
        left = processes_mentioning(dir);
        left.is_empty()
    });
    assert!(gone, "processes left behind: {left:?}");
}

/// Calls `done` every 100 ms until it holds or `limit` has passed; whether
/// it held.
fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if done() {
            return true;
        }
        if started.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends signal `name` (`TERM`, `KILL`) to process `pid` with `kill`.
fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} {pid}");
}

/// The text of a log file so far (empty while it does not exist).
fn log_text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// The binary started in the background, killed with SIGKILL and reaped
/// when dropped (also when the test fails), so no process is left.
struct Spawned(Child);

impl Spawned {
    /// Starts the binary with `args` from the checkout, its stdout and
    /// stderr into the file `log`, with the default log levels.
    fn start(args: &[&str], log: &Path) -> Spawned {
        let file = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Spawned(child)
    }

    /// Its exit status, if it has exited.
    fn exited(&mut self) -> Option<ExitStatus> {
        self.0.try_wait().unwrap()
    }

    /// Its exit status, if it exits within `limit`.
    fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let mut status = None;
        within(limit, || {
            status = self.exited();
            status.is_some()
        });
        status
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A cluster of three processes audits the sample lake and a generated one,
/// checks, and runs the eight-month pipeline as the local engine does; its
/// processes are gone after `stop`.
#[test]
fn a_cluster_of_separate_processes_writes_the_local_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (cluster, engine) = Cluster::start(tmp.path());
    let pids = cluster.pids();

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
    let eight = tmp.path().join("eight");
    let landing = eight_month_landing(&eight, "12");
    run_same_as_local(&landing, &engine, &eight);

    cluster.stop_and_check(&pids);
    assert_no_process_left(tmp.path());
}

/// SIGTERM in the middle of a standalone run's audit stops it within 10 s,
/// not with exit 0, and leaves the lake whole: auditing it again on the
/// local engine writes the files of a fresh local run.
#[test]
fn sigterm_stops_a_standalone_run_within_ten_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let landing = eight_month_landing(tmp.path(), "40");
    let killed = tmp.path().join("killed");
    let file = pipeline_file(&killed, &landing, "standalone");
    let log = tmp.path().join("killed.log");
    let mut child = Spawned::start(&["run", s(&file)], &log);
    let in_audit = within(Duration::from_secs(60), || {
        log_text(&log).contains("ingest done in") || killed.join("out").join(MONTHS[0]).exists()
    });
    assert!(in_audit, "the audit began within 60 s: {}", log_text(&log));
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        child.exited().is_none(),
        "the run still audits 1 s into the audit (else make the landing larger): {}",
        log_text(&log)
    );
    signal(child.0.id(), "TERM");
    let status = child.exit_within(Duration::from_secs(10));
    assert!(
        status.is_some_and(|done| !done.success()),
        "SIGTERM stops the run within 10 s, not with exit 0: {status:?}\n{}",
        log_text(&log)
    );
    drop(child);

    let again = run(&["run", s(&file), "--from", "audit", "--engine", "local"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let fresh = run_pipeline(&tmp.path().join("fresh"), &landing, "local");
    assert_same_months(&fresh, &killed.join("out"), "a rerun after SIGTERM");
    assert_no_process_left(tmp.path());
}

/// An executor of a cluster killed (SIGKILL) while it runs a task of an
/// audit: the audit still finishes, exit 0 within 120 s, with the local
/// engine's files.
#[test]
fn an_audit_survives_a_lost_executor() {
    let tmp = tempfile::tempdir().unwrap();
    let (cluster, engine) = Cluster::start(tmp.path());
    let pids = cluster.pids();
    let lake = generated_lake(
        &tmp.path().join("big"),
        &[
            "--stations",
            "80",
            "--months",
            "2024-01..2024-02",
            "--firs-per-station-month",
            "60",
            "--seed",
            "29",
        ],
    );
    let month = "2024-02";
    let out = tmp.path().join("on-cluster");
    let log = tmp.path().join("audit.log");
    let mut audit = Spawned::start(
        &[
            "audit",
            "--lake",
            s(&lake),
            "--month",
            month,
            "--out",
            s(&out),
            "--no-history",
            "--engine",
            &engine,
            "--shards",
            "8",
        ],
        &log,
    );
    let mut busy = None;
    within(Duration::from_secs(60), || {
        busy = ["executor-1", "executor-2"].into_iter().find(|n| {
            let shown = log_text(&cluster.dir.join(format!("{n}.log")));
            shown.contains("Execute task") || shown.contains("Received task")
        });
        busy.is_some() || audit.exited().is_some()
    });
    let ended = audit.exited();
    let Some(victim) = busy.filter(|_| ended.is_none()) else {
        panic!(
            "an executor takes a task within 60 s, while the audit runs (else make the lake larger); audit: {ended:?}\n{}",
            log_text(&log)
        );
    };
    signal(cluster.pid(victim).unwrap(), "KILL");
    let status = audit.exit_within(Duration::from_secs(120));
    assert_eq!(
        status.and_then(|done| done.code()),
        Some(0),
        "the audit finishes within 120 s without {victim}: {status:?}\n{}",
        log_text(&log)
    );
    drop(audit);
    let local = tmp.path().join("local");
    audit_into(&lake, month, &local, &["--no-history"]);
    assert_same_files(&local, &out, &format!("a cluster that lost {victim}"));

    cluster.stop_and_check(&pids);
    assert_no_process_left(tmp.path());
}

/// The standalone executor's shuffle files (the findings on their way to
/// the client) do not outlive the command.
#[test]
fn a_standalone_audit_leaves_no_shuffle_file_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = sample_lake(tmp.path());
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(["audit", "--lake", s(&sample), "--month", "2024-08"])
        .args(["--out", s(&out), "--engine", "standalone"])
        .env("TMPDIR", &scratch)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let left: Vec<String> = std::fs::read_dir(&scratch)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("cctns-ballista-"))
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}
