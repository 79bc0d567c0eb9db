//! Shared helpers of the CLI tests: run the binary, read its output, make a sample lake.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary from the checkout with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Stdout and stderr of a run.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs the binary and asserts its exit code.
pub fn run_expecting(code: i32, args: &[&str]) -> Output {
    let o = run(args);
    assert_eq!(o.status.code(), Some(code), "{args:?}\n{}", text(&o));
    o
}

/// Audits `month` of `lake` into `out`, expecting exit 0.
pub fn audit_into(lake: &Path, month: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "audit",
        "--lake",
        s(lake),
        "--month",
        month,
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    run_expecting(0, &args)
}

/// A path as the `&str` an argument list takes.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `sample-data/` ingested into `<dir>/lake`.
pub fn sample_lake(dir: &Path) -> PathBuf {
    let lake = dir.join("lake");
    run_expecting(0, &["ingest", "sample-data", "--lake", s(&lake), "--quiet"]);
    lake
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn files_of(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut all = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                all.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    all
}

/// Every value a reader could get out of the files under `dir`: each cell of
/// each Parquet file decoded (compressed pages hide values from a byte
/// scan; nested cells, such as a Delta checkpoint's statistics, in their
/// display form), and every other file as text. One entry per cell or file.
pub fn decoded_values(dir: &Path) -> Vec<(PathBuf, String)> {
    use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let mut values = Vec::new();
    for (rel, bytes) in files_of(dir) {
        if rel.extension().is_none_or(|e| e != "parquet") {
            values.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            continue;
        }
        let file = std::fs::File::open(dir.join(&rel)).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap_or_else(|e| panic!("{}: {e}", rel.display()))
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            for column in batch.columns() {
                let shown = ArrayFormatter::try_new(column, &FormatOptions::default()).unwrap();
                values.extend(
                    (0..batch.num_rows()).map(|i| (rel.clone(), shown.value(i).to_string())),
                );
            }
        }
    }
    values
}

/// The files under `dir` a decoded scan finds `needle` in.
pub fn files_holding(dir: &Path, needle: &str) -> std::collections::BTreeSet<PathBuf> {
    decoded_values(dir)
        .into_iter()
        .filter(|(_, value)| value.contains(needle))
        .map(|(path, _)| path)
        .collect()
}

/// The rows of the Delta table in `dir` at its latest version (or at
/// `version`), each formatted as one line, sorted; `None` when that
/// version cannot be read.
pub fn delta_rows(dir: &Path, version: Option<u64>) -> Option<Vec<String>> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = url::Url::from_directory_path(dir).unwrap();
        let mut builder = deltalake_core::DeltaTableBuilder::from_url(url).unwrap();
        if let Some(version) = version {
            builder = builder.with_version(version);
        }
        let table = builder.load().await.ok()?;
        let ctx = datafusion::prelude::SessionContext::new();
        table.update_datafusion_session(&ctx.state()).ok()?;
        let provider = table.table_provider().await.ok()?;
        let batches = ctx.read_table(provider).ok()?.collect().await.ok()?;
        let mut rows = Vec::new();
        for batch in &batches {
            let mut by_name: Vec<usize> = (0..batch.num_columns()).collect();
            by_name.sort_by_key(|&i| batch.schema().field(i).name().clone());
            let sorted = batch.project(&by_name).unwrap();
            let shown: Vec<_> = sorted
                .columns()
                .iter()
                .map(|c| {
                    datafusion::arrow::util::display::ArrayFormatter::try_new(
                        c,
                        &Default::default(),
                    )
                    .unwrap()
                })
                .collect();
            for row in 0..sorted.num_rows() {
                let cells: Vec<String> = shown.iter().map(|f| f.value(row).to_string()).collect();
                rows.push(cells.join("|"));
            }
        }
        rows.sort();
        Some(rows)
    })
}

/// The spec's test key (outputs.md, "Publishing for dashboards").
pub const KEY: &str = "0123456789abcdef0123456789abcdef";

/// A key file `dir/name` holding `key` and a newline, readable by its owner only.
pub fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("{key}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// The files an audit wrote, with `run.generated_at` (the run's time) taken out of `report.json`.
pub fn audit_files(out: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = files_of(out);
    let json = out.join("report.json");
    let mut report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    report["run"]
        .as_object_mut()
        .unwrap()
        .remove("generated_at");
    files.insert("report.json".into(), serde_json::to_vec(&report).unwrap());
    files
}

/// A landing folder generated into `<dir>/landing` with `cctns-gen`'s
/// `options` (stations, months, defects, seed), in process.
pub fn generated_landing(dir: &Path, options: &[&str]) -> PathBuf {
    let landing = dir.join("landing");
    let mut args = vec!["cctns-gen", "--out", s(&landing)];
    args.extend_from_slice(options);
    if let Err(e) = cctns_gen::run_args(args.iter().copied()) {
        panic!("{args:?}\n{e}");
    }
    landing
}

/// A landing folder generated into `<dir>/landing` with `cctns-gen`'s
/// `options` (stations, months, defects, seed), ingested into `<dir>/lake`.
pub fn generated_lake(dir: &Path, options: &[&str]) -> PathBuf {
    let landing = generated_landing(dir, options);
    let lake = dir.join("lake");
    run_expecting(0, &["ingest", s(&landing), "--lake", s(&lake), "--quiet"]);
    lake
}
