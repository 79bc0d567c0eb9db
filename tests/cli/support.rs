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
