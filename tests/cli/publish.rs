//! `publish`: pseudonymised Delta tables read back with DataFusion and with
//! DuckDB, no personal value anywhere, keys handled as the spec says.

use super::support::{
    audit_into, decoded_values, delta_rows, files_holding, key_file, run, run_expecting, s,
    sample_lake, text,
};
use cctns_audit::publish::pseudonym::{pseudonym, Form};
use cctns_audit::publish::PseudonymKey;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::support::KEY;

/// Runs `publish` with a key file, whatever its exit code.
fn publish_with(lake: &Path, month: &str, to: &Path, key: &Path) -> std::process::Output {
    run(&[
        "publish",
        "--lake",
        s(lake),
        "--month",
        month,
        "--to",
        s(to),
        "--key-file",
        s(key),
    ])
}

/// Runs `publish` with a key file, expecting exit 0.
fn publish(lake: &Path, month: &str, to: &Path, key: &Path) -> std::process::Output {
    let o = publish_with(lake, month, to, key);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

/// Every row of the Delta table in `dir` (its latest version), read with DataFusion.
fn read_delta(dir: &Path) -> Vec<RecordBatch> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = url::Url::from_directory_path(dir).unwrap();
        let table = deltalake_core::DeltaTableBuilder::from_url(url)
            .unwrap()
            .load()
            .await
            .unwrap();
        let ctx = SessionContext::new();
        table.update_datafusion_session(&ctx.state()).unwrap();
        let provider = table.table_provider().await.unwrap();
        ctx.read_table(provider).unwrap().collect().await.unwrap()
    })
}

/// The text values of `column` in `batches`, row by row (`None` for null).
fn texts(batches: &[RecordBatch], column: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = cast(b.column_by_name(column).unwrap(), &DataType::Utf8).unwrap();
        let c = c.as_string::<i32>();
        out.extend((0..c.len()).map(|i| c.is_valid(i).then(|| c.value(i).to_string())));
    }
    out
}

fn rows_by_month(batches: &[RecordBatch]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in texts(batches, "month").into_iter().flatten() {
        *counts.entry(m).or_insert(0) += 1;
    }
    counts
}

/// The lake's loaded rows of a table (every month of the current snapshot).
fn lake_rows(lake: &Path, table: &str) -> Vec<RecordBatch> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let lake = cctns_audit::lake::Lake::open(lake).unwrap();
        let manifest = cctns_audit::lake::Manifest::load(&lake).unwrap();
        let ctx = cctns_audit::engine::lake_session(&lake, &manifest)
            .await
            .unwrap();
        ctx.table(table).await.unwrap().collect().await.unwrap()
    })
}

/// Every personal value the lake holds (names, fathers' names, mobiles, addresses).
fn personal_values(lake: &Path) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for (table, columns) in [
        ("fir", &["complainant_name", "complainant_mobile"][..]),
        ("arrest", &["name", "father_name", "address"][..]),
    ] {
        let batches = lake_rows(lake, table);
        for c in columns {
            values.extend(
                texts(&batches, c)
                    .into_iter()
                    .flatten()
                    .filter(|v| v.len() >= 4),
            );
        }
    }
    values
}

#[test]
fn published_tables_hold_the_lakes_rows_pseudonymised_and_the_scores() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let key = key_file(tmp.path(), "key", KEY);
    let to = tmp.path().join("published");
    let mut logs = String::new();
    for month in ["2024-08", "2024-06", "2024-07"] {
        logs += &text(&publish(&lake, month, &to, &key));
    }
    let traced = std::process::Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args([
            "publish",
            "--lake",
            s(&lake),
            "--month",
            "2024-08",
            "--to",
            s(&to),
            "--key-file",
            s(&key),
        ])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(traced.status.code(), Some(0), "publishing a month again");
    logs += &text(&traced);
    assert!(logs.len() > 10_000, "the trace log is there to be scanned");
    for table in [
        "fir",
        "crime_details",
        "arrest",
        "seizure",
        "final_report",
        "court_disposal",
    ] {
        let published = rows_by_month(&read_delta(&to.join(table)));
        let lake_counts = rows_by_month(&lake_rows(&lake, table));
        assert_eq!(
            published, lake_counts,
            "{table}: one copy of each month, all loaded rows"
        );
    }
    let scores = read_delta(&to.join("scores"));
    assert_eq!(
        rows_by_month(&scores).values().collect::<Vec<_>>(),
        [&9, &9, &9]
    );
    let out = tmp.path().join("audit");
    audit_into(&lake, "2024-08", &out, &[]);
    let published: BTreeSet<(String, String)> = texts(&scores, "month")
        .into_iter()
        .zip(
            texts(&scores, "ps_code")
                .into_iter()
                .zip(texts(&scores, "score")),
        )
        .filter(|(m, _)| m.as_deref() == Some("2024-08"))
        .map(|(_, (ps, score))| {
            (
                ps.unwrap(),
                format!("{:.2}", score.unwrap().parse::<f64>().unwrap()),
            )
        })
        .collect();
    let mut reader = csv::Reader::from_path(out.join("scores.csv")).unwrap();
    let expected: BTreeSet<(String, String)> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| {
            (
                r[2].to_string(),
                format!("{:.2}", r[6].parse::<f64>().unwrap()),
            )
        })
        .collect();
    assert_eq!(published, expected, "scores equal scores.csv");
    assert_eq!(
        read_delta(&to.join("stations"))
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        9
    );

    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(to.join("_publish.json")).unwrap()).unwrap();
    assert_eq!(log["months"].as_object().unwrap().len(), 3);
    assert_eq!(log["months"]["2024-08"]["snapshot"], 1);
    let spec_key = PseudonymKey::from_bytes(KEY.as_bytes().to_vec());
    assert_eq!(log["key_id"], spec_key.id());

    let values = decoded_values(&to);
    let personal = personal_values(&lake);
    let devanagari = |v: &String| v.chars().any(|c| ('\u{900}'..='\u{97f}').contains(&c));
    assert!(
        personal.iter().any(devanagari) && personal.iter().any(|v| !devanagari(v)),
        "both scripts"
    );
    assert!(personal.len() > 100, "{}", personal.len());
    let planted = personal.iter().next().unwrap();
    assert!(
        !files_holding(&lake, planted).is_empty(),
        "the scan finds a personal value in the lake's compressed Parquet files"
    );
    for value in personal.iter().chain([&KEY.to_string()]) {
        for (path, cell) in &values {
            assert!(
                !cell.contains(value.as_str()),
                "a personal value in {}",
                path.display()
            );
        }
        assert!(
            !logs.contains(value.as_str()),
            "a personal value in the output"
        );
    }
}

#[test]
fn pseudonyms_follow_the_spec_formula_and_change_with_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let (one, two) = (
        key_file(tmp.path(), "one", KEY),
        key_file(tmp.path(), "two", &"k".repeat(40)),
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for month in ["2024-07", "2024-08"] {
        publish(&lake, month, &a, &one);
        publish(&lake, month, &b, &two);
    }
    let key = PseudonymKey::from_bytes(KEY.as_bytes().to_vec());
    let lake_arrests: Vec<RecordBatch> = lake_rows(&lake, "arrest");
    let record = |b: &[RecordBatch]| -> Vec<Option<String>> {
        let parts = ["month", "ps_code", "fir_no", "accused_code"].map(|c| texts(b, c));
        (0..parts[0].len())
            .map(|i| {
                parts
                    .iter()
                    .map(|p| p[i].clone())
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.join("|"))
            })
            .collect()
    };
    let originals: BTreeMap<String, String> = record(&lake_arrests)
        .into_iter()
        .zip(texts(&lake_arrests, "name"))
        .filter_map(|(k, name)| Some((k?, name?)))
        .collect();
    let published = read_delta(&a.join("arrest"));
    let other = read_delta(&b.join("arrest"));
    let mut checked = 0;
    for (k, name) in record(&published)
        .into_iter()
        .zip(texts(&published, "name"))
    {
        let (Some(k), Some(name)) = (k, name) else {
            continue;
        };
        let original = &originals[&k];
        assert_eq!(name, pseudonym(&key, "arrest.name", original, Form::Text));
        assert_eq!(name.len(), 32);
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
    let (x, y): (BTreeSet<_>, BTreeSet<_>) = (
        texts(&published, "name").into_iter().flatten().collect(),
        texts(&other, "name").into_iter().flatten().collect(),
    );
    assert!(x.is_disjoint(&y), "another key gives other pseudonyms");
}

#[test]
fn sexual_offence_firs_publish_no_complainant_or_place() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let key = key_file(tmp.path(), "key", KEY);
    let to = tmp.path().join("p");
    publish(&lake, "2024-06", &to, &key);
    let firs = read_delta(&to.join("fir"));
    let sections = texts(&firs, "act_sections");
    let sexual: Vec<usize> = sections
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.as_deref()
                .is_some_and(|s| s.contains("376") || s.contains("POCSO"))
        })
        .map(|(i, _)| i)
        .collect();
    assert!(!sexual.is_empty(), "the sample has an IPC 376 FIR in June");
    for column in [
        "complainant_name",
        "complainant_mobile",
        "place_of_occurrence",
        "latitude",
        "longitude",
    ] {
        let values = texts(&firs, column);
        for &i in &sexual {
            assert!(values[i].is_none(), "{column} of a sexual-offence FIR");
        }
        assert!(
            values
                .iter()
                .enumerate()
                .any(|(i, v)| !sexual.contains(&i) && v.is_some()),
            "{column} kept for others"
        );
    }
}

#[test]
fn a_missing_short_or_shared_key_exits_2_naming_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let to = tmp.path().join("p");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args([
            "publish",
            "--lake",
            s(&lake),
            "--month",
            "2024-08",
            "--to",
            s(&to),
        ])
        .env_remove("CCTNS_PSEUDONYM_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no pseudonym key") && text(&o).contains("--key-file"),
        "{}",
        text(&o)
    );
    let shared = key_file(tmp.path(), "shared", KEY);
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = publish_with(&lake, "2024-08", &to, &shared);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("chmod 600") && !text(&o).contains(KEY),
        "{}",
        text(&o)
    );
    let short = key_file(tmp.path(), "short", "tooshort");
    let o = publish_with(&lake, "2024-08", &to, &short);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!text(&o).contains("tooshort"), "{}", text(&o));
    let o = publish_with(&lake, "2024-08", &to, tmp.path());
    assert_eq!(
        o.status.code(),
        Some(2),
        "a folder as key file: {}",
        text(&o)
    );
    let good = key_file(tmp.path(), "good", KEY);
    let o = publish_with(&lake, "2031-01", &to, &good);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("holds no row of 2031-01"), "{}", text(&o));
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let o = publish_with(&lake, "2024-08", &file, &good);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a folder"), "{}", text(&o));
    assert!(!to.join("fir").exists(), "nothing published");
}

#[test]
fn duckdb_reads_the_published_score_history_by_month() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let key = key_file(tmp.path(), "key", KEY);
    let to = tmp.path().join("published");
    for month in ["2024-07", "2024-08", "2024-07"] {
        publish(&lake, month, &to, &key);
    }
    let setup = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/python-env.sh"))
        .output()
        .unwrap();
    assert!(setup.status.success(), "{}", text(&setup));
    let python = String::from_utf8(setup.stdout).unwrap().trim().to_string();
    let script = format!(
        r#"
import duckdb, os, duckdb_extension_delta
ext = os.path.join(os.path.dirname(duckdb_extension_delta.__file__), "extensions", "v1.5.5", "delta.duckdb_extension")
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(f"LOAD '{{ext}}'")
rows = con.execute("SELECT month, count(*), round(avg(score), 2) FROM delta_scan('{scores}') GROUP BY month ORDER BY month").fetchall()
for r in rows: print(r[0], r[1], r[2])
firs = con.execute("SELECT count(*) FROM delta_scan('{fir}') WHERE month = '2024-08'").fetchone()[0]
print("fir", firs)
"#,
        scores = to.join("scores").display(),
        fir = to.join("fir").display()
    );
    let o = std::process::Command::new(&python)
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let shown = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[0].starts_with("2024-07 9 ") && lines[1].starts_with("2024-08 9 "),
        "{shown}"
    );
    let lake_firs = rows_by_month(&lake_rows(&lake, "fir"))["2024-08"];
    assert_eq!(lines[2], format!("fir {lake_firs}"), "{shown}");
}

/// The victim columns of every published `fir` row of FIR `fir_no` of `ps`.
fn victim_cells(to: &Path, ps: &str, fir_no: &str) -> Vec<Option<String>> {
    let firs = read_delta(&to.join("fir"));
    let (stations, numbers) = (texts(&firs, "ps_code"), texts(&firs, "fir_no"));
    let mut cells = Vec::new();
    for column in cctns_audit::publish::VICTIM_COLUMNS {
        let values = texts(&firs, column);
        for i in 0..values.len() {
            if stations[i].as_deref() == Some(ps) && numbers[i].as_deref() == Some(fir_no) {
                cells.push(values[i].clone());
            }
        }
    }
    cells
}

/// A landing folder with one upload of `month` for UP-GBN-001: the
/// sample's `fir.csv` of that month plus `extra` rows.
fn upload_of_gbn_001(dir: &Path, month: &str, extra: &[String]) -> PathBuf {
    let landing = dir.join(format!("upload-{month}"));
    let station = landing.join(month).join("UP-GBN-001");
    std::fs::create_dir_all(&station).unwrap();
    std::fs::copy(
        "sample-data/police_stations.csv",
        landing.join("police_stations.csv"),
    )
    .unwrap();
    let mut fir =
        std::fs::read_to_string(format!("sample-data/{month}/UP-GBN-001/fir.csv")).unwrap();
    if !fir.ends_with('\n') {
        fir.push('\n');
    }
    for row in extra {
        fir += row;
        fir.push('\n');
    }
    std::fs::write(station.join("fir.csv"), fir).unwrap();
    landing
}

/// The June row of FIR 0101/2024 of UP-GBN-001, with `sections` for its act sections.
fn june_fir_0101(sections: &str) -> String {
    let june = std::fs::read_to_string("sample-data/2024-06/UP-GBN-001/fir.csv").unwrap();
    let row = june.lines().find(|l| l.contains(",0101/2024,")).unwrap();
    assert!(row.contains(",IPC 420,"), "{row}");
    row.replace(",IPC 420,", &format!(",{sections},"))
}

#[test]
fn a_later_reclassification_masks_the_fir_in_every_month_file_and_version() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let key = key_file(tmp.path(), "key", KEY);
    let to = tmp.path().join("p");
    publish(&lake, "2024-06", &to, &key);
    let (latitude, longitude) = ("28.4424", "77.4202");
    assert!(
        victim_cells(&to, "UP-GBN-001", "0101/2024")
            .iter()
            .any(|c| c.as_deref().is_some_and(|c| c.starts_with(latitude))),
        "published as an IPC 420 FIR in June"
    );
    assert!(
        !files_holding(&to, latitude).is_empty(),
        "the scan finds it"
    );
    for sections in ["IPC 420; POCSO 4", "BNS 64"] {
        let landing = upload_of_gbn_001(tmp.path(), "2024-07", &[june_fir_0101(sections)]);
        run_expecting(0, &["ingest", s(&landing), "--lake", s(&lake), "--quiet"]);
        let o = publish(&lake, "2024-07", &to, &key);
        if sections.contains("POCSO") {
            assert!(
                text(&o).contains("masked") && text(&o).contains("2024-06"),
                "the masked month is named: {}",
                text(&o)
            );
        }
        let cells = victim_cells(&to, "UP-GBN-001", "0101/2024");
        assert!(cells.len() >= 10, "June's and July's rows: {cells:?}");
        assert!(cells.iter().all(Option::is_none), "{sections}: {cells:?}");
        for value in [latitude, longitude] {
            assert_eq!(
                files_holding(&to, value),
                Default::default(),
                "{sections}: {value} in a file of the published folder"
            );
        }
        for table in ["fir", "scores"] {
            let log = to.join(table).join("_delta_log");
            let versions: Vec<u64> = std::fs::read_dir(&log)
                .unwrap()
                .filter_map(|e| {
                    let name = e.unwrap().file_name().into_string().unwrap();
                    name.strip_suffix(".json")?.parse().ok()
                })
                .collect();
            let latest = *versions.iter().max().unwrap();
            for version in 0..latest {
                assert_eq!(
                    delta_rows(&to.join(table), Some(version)),
                    None,
                    "{table} version {version} is still readable"
                );
            }
        }
        assert!(
            !to.join("fir")
                .join("_delta_log")
                .join("00000000000000000000.json")
                .exists(),
            "the first version's log is gone"
        );
    }
    let june = rows_by_month(&read_delta(&to.join("fir")));
    assert_eq!(
        june["2024-06"],
        rows_by_month(&lake_rows(&lake, "fir"))["2024-06"]
    );
}

#[test]
fn a_folder_holds_one_key_and_a_rekey_republishes_every_month() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let one = key_file(tmp.path(), "one", KEY);
    let two = key_file(tmp.path(), "two", &"k".repeat(40));
    let to = tmp.path().join("p");
    publish(&lake, "2024-07", &to, &one);
    let before = read_delta(&to.join("arrest"));
    let o = publish_with(&lake, "2024-08", &to, &two);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let (id_one, id_two) = (
        PseudonymKey::from_bytes(KEY.as_bytes().to_vec()).id(),
        PseudonymKey::from_bytes("k".repeat(40).into_bytes()).id(),
    );
    let message = text(&o);
    assert!(
        message.contains(&id_one) && message.contains(&id_two) && message.contains("--rekey"),
        "{message}"
    );
    assert_eq!(message.trim().lines().count(), 1, "{message}");
    assert_eq!(read_delta(&to.join("arrest")), before, "nothing changed");

    let crlf = tmp.path().join("crlf");
    std::fs::write(&crlf, format!("{KEY}\r\n")).unwrap();
    std::fs::set_permissions(&crlf, std::fs::Permissions::from_mode(0o600)).unwrap();
    publish(&lake, "2024-08", &to, &crlf);
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(to.join("_publish.json")).unwrap()).unwrap();
    assert_eq!(
        log["key_id"],
        id_one.as_str(),
        "a CRLF key file is the same key"
    );

    let o = run(&[
        "publish",
        "--lake",
        s(&lake),
        "--month",
        "2024-08",
        "--to",
        s(&to),
        "--key-file",
        s(&two),
        "--rekey",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(to.join("_publish.json")).unwrap()).unwrap();
    assert_eq!(log["key_id"], id_two.as_str());
    for month in ["2024-07", "2024-08"] {
        assert_eq!(log["months"][month]["key_id"], id_two.as_str(), "{month}");
    }
    let key = PseudonymKey::from_bytes("k".repeat(40).into_bytes());
    let lake_names: BTreeSet<String> = texts(&lake_rows(&lake, "arrest"), "name")
        .into_iter()
        .flatten()
        .map(|n| pseudonym(&key, "arrest.name", &n, Form::Text))
        .collect();
    let published: BTreeSet<String> = texts(&read_delta(&to.join("arrest")), "name")
        .into_iter()
        .flatten()
        .collect();
    assert!(
        !published.is_empty() && published.is_subset(&lake_names),
        "every month under the new key"
    );
}

#[test]
fn a_publish_folder_overlapping_the_lake_or_another_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let lake = sample_lake(tmp.path());
    let key = key_file(tmp.path(), "key", KEY);
    let manifest = std::fs::read(lake.join("_lake.json")).unwrap();
    for to in [
        lake.clone(),
        lake.join("published"),
        tmp.path().to_path_buf(),
    ] {
        let o = publish_with(&lake, "2024-08", &to, &key);
        assert_eq!(o.status.code(), Some(2), "{}: {}", to.display(), text(&o));
        assert!(text(&o).contains("overlap"), "{}", text(&o));
    }
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let o = publish_with(&lake, "2024-08", &mine, &key);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a publish folder"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read(lake.join("_lake.json")).unwrap(),
        manifest,
        "the lake unchanged"
    );
    assert!(!lake.join("published").exists());
    let o = publish_with(&lake, "2024-08", Path::new("/proc/cctns-published"), &key);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a place nobody can write: {}",
        text(&o)
    );
    assert!(text(&o).contains("cannot write here"), "{}", text(&o));
}
