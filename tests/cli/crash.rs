//! Crash safety, measured: `ingest` killed with SIGKILL at random moments
//! while it replaces a month. After every kill each (table, month, station)
//! reads wholly as one upload or the other, every Parquet file the snapshot
//! names reads to its end, and a rerun completes the replacement. The same
//! for `check --landing … --accept` while it stages, judges and accepts a
//! passing upload: the current snapshot is wholly the old lake or wholly the
//! accepted upload after every kill.

use cctns_audit::lake::{register_snapshot, Lake, Manifest};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::prelude::SessionContext;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TRIALS: usize = 20;
const MONTH: &str = "2024-04";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cctns-audit"));
    c.env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn generate(out: &Path, seed: u64, firs: usize) {
    let (months, firs, seed) = (
        format!("{MONTH}..{MONTH}"),
        firs.to_string(),
        seed.to_string(),
    );
    let generated = cctns_gen::run_args([
        "cctns-gen",
        "--stations",
        "24",
        "--districts",
        "3",
        "--months",
        months.as_str(),
        "--firs-per-station-month",
        firs.as_str(),
        "--seed",
        seed.as_str(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(generated.is_ok(), "{generated:?}");
}

fn ingest(landing: &Path, lake: &Path) -> std::process::Child {
    bin()
        .arg("ingest")
        .arg(landing)
        .arg("--lake")
        .arg(lake)
        .arg("--quiet")
        .spawn()
        .unwrap()
}

/// Rows per (table, station) of a lake's current snapshot.
type Counts = BTreeMap<(String, String), i64>;

/// Per (table, station) of the current snapshot: the rows and the number of
/// ingest runs they come from. Reads every column of every row, so a
/// Parquet file cut short fails here.
async fn partitions(lake: &Path) -> BTreeMap<(String, String), (i64, i64)> {
    let lake = Lake::open(lake).unwrap();
    let manifest = Manifest::load(&lake).unwrap();
    let ctx = SessionContext::new();
    register_snapshot(&ctx, &lake, &manifest).await.unwrap();
    let mut out = BTreeMap::new();
    for table in cctns_audit::contract::TABLES
        .iter()
        .map(|t| t.name)
        .chain(["quarantine"])
    {
        let all = ctx.sql(&format!("SELECT * FROM {table}")).await.unwrap();
        all.collect().await.unwrap();
        let by_station = format!(
            "SELECT ps_code, count(*), count(DISTINCT ingest_run) FROM {table} \
             WHERE month = '{MONTH}' GROUP BY ps_code"
        );
        for batch in ctx.sql(&by_station).await.unwrap().collect().await.unwrap() {
            let ps = cast(batch.column(0), &DataType::Utf8).unwrap();
            let ps = ps.as_string::<i32>();
            let rows = batch.column(1).as_primitive::<Int64Type>();
            let runs = batch.column(2).as_primitive::<Int64Type>();
            for r in 0..batch.num_rows() {
                let key = (table.to_string(), ps.value(r).to_string());
                out.insert(key, (rows.value(r), runs.value(r)));
            }
        }
    }
    out
}

fn counts(found: &BTreeMap<(String, String), (i64, i64)>) -> Counts {
    found
        .iter()
        .map(|(k, (rows, _))| (k.clone(), *rows))
        .collect()
}

/// Every partition holds rows of one run, as many as before the upload
/// (`a`) or after it (`b`).
fn assert_whole(
    found: &BTreeMap<(String, String), (i64, i64)>,
    a: &Counts,
    b: &Counts,
    when: &str,
) {
    let keys: std::collections::BTreeSet<_> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (rows, runs) = found.get(key).copied().unwrap_or((0, 0));
        assert!(runs <= 1, "{when}: {key:?} mixes {runs} ingest runs");
        let whole = [a.get(key), b.get(key)].map(|c| c.copied().unwrap_or(0));
        assert!(
            whole.contains(&rows),
            "{when}: {key:?} has {rows} rows, neither upload's {whole:?}"
        );
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Ingests `landing` into the lake at `lake` and times it.
fn timed_ingest(landing: &Path, lake: &Path) -> Duration {
    let started = Instant::now();
    assert!(ingest(landing, lake).wait().unwrap().success());
    started.elapsed()
}

/// Where a kill left the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Left {
    /// No table commit of the run: the lake as it was.
    Untouched,
    /// Some table commits that no snapshot names (the next ingest rolls them back).
    StrayCommits,
    /// The run's snapshot made current.
    NewSnapshot,
}

fn left(lake: &Path, before: u64) -> Left {
    let manifest = Manifest::load(&Lake::open(lake).unwrap()).unwrap();
    if manifest.snapshot > before {
        return Left::NewSnapshot;
    }
    let stray = manifest.tables.iter().any(|(table, &version)| {
        let log = lake.join(table).join("_delta_log");
        let latest = std::fs::read_dir(log)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".json")?.parse::<u64>().ok()
            })
            .max()
            .unwrap_or(0);
        latest > version
    });
    if stray {
        Left::StrayCommits
    } else {
        Left::Untouched
    }
}

fn kill_after(landing: &Path, lake: &Path, after: Duration) {
    let mut child = ingest(landing, lake);
    std::thread::sleep(after);
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread")]
async fn ingest_killed_at_random_moments_never_leaves_a_mixed_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (old, new) = (root.join("old"), root.join("new"));
    generate(&old, 1, 30);
    generate(&new, 2, 45);
    let base = root.join("base");
    timed_ingest(&old, &base);
    let old_counts = counts(&partitions(&base).await);
    let reference = root.join("reference");
    copy_dir(&base, &reference);
    let took = timed_ingest(&new, &reference);
    let new_counts = counts(&partitions(&reference).await);
    assert_ne!(old_counts, new_counts, "the two uploads must be told apart");

    let mut tally: BTreeMap<Left, usize> = BTreeMap::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let window = took.as_millis() as u64 * 6 / 5 + 1;
    for trial in 0..TRIALS {
        let lake: PathBuf = root.join(format!("trial-{trial}"));
        copy_dir(&base, &lake);
        let first = Duration::from_millis(rng.random_range(0..window));
        kill_after(&new, &lake, first);
        let when = format!("trial {trial}, killed after {first:?}");
        *tally.entry(left(&lake, 1)).or_default() += 1;
        assert_whole(&partitions(&lake).await, &old_counts, &new_counts, &when);
        if trial % 2 == 1 {
            let second = Duration::from_millis(rng.random_range(0..window));
            kill_after(&new, &lake, second);
            let when = format!("{when}, then during the rerun after {second:?}");
            assert_whole(&partitions(&lake).await, &old_counts, &new_counts, &when);
        }
        assert!(
            ingest(&new, &lake).wait().unwrap().success(),
            "trial {trial}: rerun"
        );
        let done = partitions(&lake).await;
        assert_eq!(
            counts(&done),
            new_counts,
            "trial {trial}: the rerun completes the replacement"
        );
        assert!(
            done.values().all(|(_, runs)| *runs == 1),
            "trial {trial}: one run per partition"
        );
        std::fs::remove_dir_all(&lake).unwrap();
    }
    eprintln!("ingest of {took:?} killed {TRIALS} times; the first kill left: {tally:?}");
    assert!(
        tally.contains_key(&Left::StrayCommits),
        "no kill landed between two table commits: {tally:?}"
    );
}

/// `check --landing <landing> --lake <lake> --accept` with `checks`.
fn check_accept(landing: &Path, lake: &Path, checks: &Path) -> std::process::Child {
    bin()
        .arg("check")
        .arg("--landing")
        .arg(landing)
        .arg("--lake")
        .arg(lake)
        .arg("--checks")
        .arg(checks)
        .arg("--accept")
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_accept_killed_at_random_moments_leaves_the_old_snapshot_or_the_accepted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (old, new) = (root.join("old"), root.join("new"));
    generate(&old, 3, 12);
    generate(&new, 4, 18);
    let checks = root.join("lenient.yaml");
    std::fs::write(&checks, "min_score: 0\nno_upload: ignore\n").unwrap();
    let base = root.join("base");
    timed_ingest(&old, &base);
    let old_counts = counts(&partitions(&base).await);
    let reference = root.join("reference");
    copy_dir(&base, &reference);
    let started = Instant::now();
    let accepted = check_accept(&new, &reference, &checks).wait().unwrap();
    let took = started.elapsed();
    assert!(
        accepted.success(),
        "the upload passes the gate and is accepted"
    );
    let new_counts = counts(&partitions(&reference).await);
    assert_ne!(old_counts, new_counts, "the two uploads must be told apart");

    let mut tally: BTreeMap<Left, usize> = BTreeMap::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(27);
    let window = took.as_millis() as u64 * 6 / 5 + 1;
    for trial in 0..TRIALS {
        let lake: PathBuf = root.join(format!("check-trial-{trial}"));
        copy_dir(&base, &lake);
        let after = Duration::from_millis(rng.random_range(0..window));
        let mut child = check_accept(&new, &lake, &checks);
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
        let when = format!("trial {trial}, killed after {after:?}");
        *tally.entry(left(&lake, 1)).or_default() += 1;
        let found = partitions(&lake).await;
        let now = counts(&found);
        assert!(
            now == old_counts || now == new_counts,
            "{when}: the current snapshot is neither the old lake nor the accepted upload"
        );
        assert!(
            found.values().all(|(_, runs)| *runs == 1),
            "{when}: a partition mixes ingest runs"
        );
        let rerun = check_accept(&new, &lake, &checks).wait().unwrap();
        assert!(rerun.success(), "{when}: the rerun completes");
        let done = partitions(&lake).await;
        assert_eq!(
            counts(&done),
            new_counts,
            "{when}: the rerun accepts the upload"
        );
        assert!(
            done.values().all(|(_, runs)| *runs == 1),
            "{when}: one run per partition"
        );
        std::fs::remove_dir_all(&lake).unwrap();
    }
    eprintln!("check --accept of {took:?} killed {TRIALS} times; the kills left: {tally:?}");
    assert!(
        tally.contains_key(&Left::StrayCommits),
        "no kill landed while the upload was staged: {tally:?}"
    );
}
