//! Crash safety of `publish`, measured: a republish of a month from a newer
//! snapshot killed with SIGKILL at random moments. After every kill each
//! table of the folder reads as one publish or the other, all of them the
//! same one, `_publish.json` names that publish's snapshot, no staging
//! folder is inside the published folder, and a rerun completes.

use super::support::{delta_rows, key_file, run_expecting, s, sample_lake, KEY};
use crate::crash::copy_dir;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TRIALS: usize = 20;
const MONTH: &str = "2024-07";
const TABLES: [&str; 12] = [
    "fir",
    "crime_details",
    "arrest",
    "seizure",
    "final_report",
    "court_disposal",
    "scores",
    "points_lost",
    "violations",
    "districts",
    "path_to_first",
    "stations",
];

fn publish(lake: &Path, to: &Path, key: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args([
            "publish",
            "--lake",
            s(lake),
            "--month",
            MONTH,
            "--to",
            s(to),
        ])
        .args(["--key-file", s(key)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Every table of the publish folder, row by row.
type Folder = BTreeMap<&'static str, Option<Vec<String>>>;

fn read_folder(to: &Path) -> Folder {
    TABLES
        .iter()
        .map(|&t| (t, delta_rows(&to.join(t), None)))
        .collect()
}

/// The snapshot `_publish.json` names for the month.
fn logged_snapshot(to: &Path) -> u64 {
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(to.join("_publish.json")).unwrap()).unwrap();
    log["months"][MONTH]["snapshot"].as_u64().unwrap()
}

/// Which publish the folder holds: 1 or 2, checked table by table.
fn which(found: &Folder, one: &Folder, two: &Folder, when: &str) -> u64 {
    let mut sides = Vec::new();
    for table in TABLES {
        let (a, b, f) = (&one[table], &two[table], &found[table]);
        assert!(f == a || f == b, "{when}: {table} is neither publish");
        if a != b {
            sides.push((table, if f == a { 1 } else { 2 }));
        }
    }
    let first = sides.first().map(|(_, side)| *side).unwrap_or(1);
    assert!(
        sides.iter().all(|(_, side)| *side == first),
        "{when}: tables of two publishes: {sides:?}"
    );
    first
}

#[test]
fn publish_killed_at_random_moments_never_mixes_two_publishes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let lake = sample_lake(root);
    let key = key_file(root, "key", KEY);
    let base = root.join("base");
    for month in ["2024-06", MONTH] {
        run_expecting(
            0,
            &[
                "publish",
                "--lake",
                s(&lake),
                "--month",
                month,
                "--to",
                s(&base),
                "--key-file",
                s(&key),
            ],
        );
    }
    let one = read_folder(&base);
    reupload_july(root, &lake);
    let reference = root.join("reference");
    copy_dir(&base, &reference);
    let started = Instant::now();
    assert!(publish(&lake, &reference, &key).wait().unwrap().success());
    let took = started.elapsed();
    let two = read_folder(&reference);
    assert_ne!(
        one["fir"], two["fir"],
        "the two publishes must be told apart"
    );
    assert_eq!(logged_snapshot(&reference), 2);

    let mut rng = rand::rngs::StdRng::seed_from_u64(27);
    let window = took.as_millis() as u64 * 6 / 5 + 1;
    let mut tally: BTreeMap<u64, usize> = BTreeMap::new();
    for trial in 0..TRIALS {
        let to: PathBuf = root.join(format!("trial-{trial}"));
        copy_dir(&base, &to);
        let after = Duration::from_millis(rng.random_range(0..window));
        let mut child = publish(&lake, &to, &key);
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
        let when = format!("trial {trial}, killed after {after:?}");
        let side = which(&read_folder(&to), &one, &two, &when);
        assert_eq!(logged_snapshot(&to), side, "{when}: _publish.json");
        let inside: Vec<String> = std::fs::read_dir(&to)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !TABLES.contains(&n.as_str()) && n != "_publish.json")
            .collect();
        assert!(
            inside.is_empty(),
            "{when}: {inside:?} inside the published folder"
        );
        *tally.entry(side).or_default() += 1;
        assert!(
            publish(&lake, &to, &key).wait().unwrap().success(),
            "{when}: rerun"
        );
        assert_eq!(
            read_folder(&to),
            two,
            "{when}: the rerun completes the publish"
        );
        std::fs::remove_dir_all(&to).unwrap();
    }
    eprintln!("publish of {took:?} killed {TRIALS} times; left publish {tally:?}");
    assert!(
        tally.contains_key(&1),
        "no kill landed before the swap: {tally:?}"
    );
}

/// Snapshot 2: UP-GBN-001's July upload again, without its last FIR.
fn reupload_july(root: &Path, lake: &Path) {
    let landing = root.join("july-again");
    let station = landing.join(MONTH).join("UP-GBN-001");
    copy_dir(Path::new("sample-data/2024-07/UP-GBN-001"), &station);
    std::fs::copy(
        "sample-data/police_stations.csv",
        landing.join("police_stations.csv"),
    )
    .unwrap();
    let fir = std::fs::read_to_string(station.join("fir.csv")).unwrap();
    let mut lines: Vec<&str> = fir.lines().collect();
    lines.pop();
    std::fs::write(station.join("fir.csv"), lines.join("\n") + "\n").unwrap();
    run_expecting(0, &["ingest", s(&landing), "--lake", s(lake), "--quiet"]);
}
