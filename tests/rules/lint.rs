//! `rules lint`: the default pack passes; packs with each kind of mistake
//! fail with file and line; SQL that is not a plain SELECT is refused.

use cctns_audit::rules::lint;
use std::path::{Path, PathBuf};

fn pack(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

async fn lint_error(files: &[(&str, &str)]) -> String {
    let (_keep, dir) = pack(files);
    match lint(&dir).await {
        Ok(_) => panic!("the pack should be refused"),
        Err(e) => {
            assert_eq!(e.exit_code(), 2);
            e.to_string()
        }
    }
}

const ROW: &str = "table: fir\nrules:\n  - id: R1\n    kind: row\n    severity: error\n    description: d\n    fails_when: io_code IS NULL\n";

#[tokio::test]
async fn the_default_pack_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
    let pack = lint(&dir).await.unwrap();
    assert_eq!(pack.rules.len(), 35);
}

#[tokio::test]
async fn unknown_column_names_file_line_and_a_suggestion() {
    let text = ROW.replace("io_code IS NULL", "lattitude > 1");
    let e = lint_error(&[("fir.yaml", &text)]).await;
    assert!(e.contains("fir.yaml:7: rule R1: `fails_when`"), "{e}");
    assert!(e.contains("did you mean `latitude`?"), "{e}");
}

#[tokio::test]
async fn an_alias_to_another_rule_and_hash_lines_in_block_text_read_as_yaml_means_them() {
    let text = "table: fir\nrules:\n  - id: R1\n    kind: row\n    severity: error\n    description: &d |\n      Fix:\n      #1 the IO field\n    fails_when: io_code IS NULL\n  - id: R2\n    kind: row\n    severity: error\n    description: *d\n    fails_when: io_code IS NOT NULL\n";
    let (_keep, dir) = pack(&[("fir.yaml", text)]);
    let pack = lint(&dir).await.unwrap();
    assert_eq!(pack.rules[1].description, "Fix:\n#1 the IO field\n");
}

#[tokio::test]
async fn mistakes_in_two_rules_are_both_reported_in_one_run() {
    let bad = "table: fir\nrules:\n  - id: R1\n    kind: row\n    severity: error\n    description: d\n    fails_when: TRUE\n    fails_whenn: FALSE\n  - id: R2\n    kind: parnet\n    severity: warnign\n    description: d\n";
    let e = lint_error(&[("fir.yaml", bad)]).await;
    assert!(
        e.contains("fir.yaml:8: rule R1: unknown field `fails_whenn`; did you mean `fails_when`?"),
        "{e}"
    );
    assert!(
        e.contains("fir.yaml:10: rule R2: unknown kind `parnet`; did you mean `parent`?"),
        "{e}"
    );
    assert!(
        e.contains("fir.yaml:11: rule R2: unknown severity `warnign`; did you mean `warning`?"),
        "{e}"
    );
}

#[tokio::test]
async fn structural_mistakes_are_all_reported_with_lines() {
    let bad = "table: fir\nrules:\n  - id: R1\n    kind: row\n    severity: fatal\n    description: d\n    fails_when: TRUE\n  - id: R1\n    kind: rows\n    severity: error\n    description: d\n  - id: R2\n    kind: parent\n    severity: error\n    description: d\n    parent: victims\n    on: [ps_code]\n";
    let e = lint_error(&[("fir.yaml", bad)]).await;
    assert!(
        e.contains("fir.yaml:5: rule R1: unknown severity `fatal`"),
        "{e}"
    );
    assert!(
        e.contains("fir.yaml:9: rule R1: unknown kind `rows`"),
        "{e}"
    );
    assert!(
        e.contains("fir.yaml:16: rule R2: unknown table `victims`"),
        "{e}"
    );
    let dup = format!("{ROW}{}", ROW.replace("table: fir\nrules:\n", ""));
    let e = lint_error(&[("fir.yaml", &dup)]).await;
    assert!(e.contains("duplicate rule id R1"), "{e}");
    let e = lint_error(&[("x.yaml", "table: victims\nrules: []\n")]).await;
    assert!(e.contains("x.yaml:1: unknown table `victims`"), "{e}");
    let e = lint_error(&[(
        "x.yaml",
        "table: fir\nrules:\n  - id: R1\n    kind: row\n   bad indent\n",
    )])
    .await;
    assert!(e.contains("x.yaml:"), "{e}");
    let e = lint_error(&[(
        "fir.yaml",
        &ROW.replace(
            "fails_when: io_code IS NULL",
            "fails_when: io_code IS NULL\n    parent: fir",
        ),
    )])
    .await;
    assert!(e.contains("`parent` does not apply to kind row"), "{e}");
    let e = lint_error(&[(
        "fir.yaml",
        &format!("{ROW}    message: \"{{complainant_name}}\"\n"),
    )])
    .await;
    assert!(e.contains("personal data"), "{e}");
}

async fn sql_rule(query: &str) -> String {
    let text = format!("table: fir\nrules:\n  - id: Q1\n    kind: sql\n    severity: error\n    description: d\n    query: \"{query}\"\n");
    lint_error(&[("fir.yaml", &text)]).await
}

#[tokio::test]
async fn sql_rules_may_only_read_the_lake() {
    for q in [
        "COPY fir TO '/tmp/x.csv'",
        "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "INSERT INTO fir SELECT * FROM fir",
        "DROP TABLE fir",
        "SET datafusion.execution.batch_size = 1",
    ] {
        let e = sql_rule(q).await;
        assert!(
            e.contains("fir.yaml:7: rule Q1: `query` refused"),
            "{q}: {e}"
        );
    }
}

#[tokio::test]
async fn a_plain_select_is_a_valid_sql_rule() {
    let text = "table: fir\nrules:\n  - id: Q1\n    kind: sql\n    severity: error\n    description: d\n    query: SELECT ps_code, fir_no AS record_key FROM fir WHERE month = $month AND gd_no IS NULL\n";
    let (_keep, dir) = pack(&[("fir.yaml", text)]);
    lint(&dir).await.unwrap();
}
