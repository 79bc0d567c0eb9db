//! Outputs that cannot hurt: CSV cells guarded against formula injection,
//! HTML escaping every value, and no personal value in any log line (at
//! `trace`), in the Delta log or in the audit's files.

use std::path::Path;
use std::process::{Command, Output};

fn put(root: &Path, rel: &str, bytes: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn run(args: &[&str], log: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cctns-audit"))
        .args(args)
        .env("RUST_LOG", log)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

const REGISTRY: &str = "ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n\
UP-INJ-001,\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",थाना एक,UP-INJ,<b>Injected</b> & Co,UP\n\
UP-INJ-002,<script>alert(1)</script>,थाना दो,UP-INJ,<b>Injected</b> & Co,UP\n\
../../escape,Traversal,,../../escape,../../escape,UP\n";

const FIR: &str =
    "ps_code,fir_no,fir_date,place_of_occurrence,complainant_name,complainant_mobile,io_code\n\
UP-INJ-001,=1+1,2024-04-02,Sector 9,Kusumlata Ahirwar,9876501234,\n\
UP-INJ-001,@SUM(A1),2024-04-03,Sector 9,Bhagwati Prasad Dixit,9876505678,IO-7\n\
UP-INJ-001,0003/2024,not a date,Sector 9,Omvati Chaurasia,9876509999,IO-7\n";

const ARREST: &str = "ps_code,fir_no,accused_code,arrest_type,name,father_name,address\n\
UP-INJ-001,=1+1,A1,ARRESTED,Jagannath Tiwari,Ramkishan Tiwari,Mohalla Qazipura Bahraich\n";

/// Every personal value of the landing above.
const PERSONAL: [&str; 9] = [
    "Kusumlata Ahirwar",
    "9876501234",
    "Bhagwati Prasad Dixit",
    "9876505678",
    "Omvati Chaurasia",
    "9876509999",
    "Jagannath Tiwari",
    "Ramkishan Tiwari",
    "Mohalla Qazipura",
];

fn landing(root: &Path) {
    put(root, "landing/police_stations.csv", REGISTRY);
    put(root, "landing/2024-04/UP-INJ-001/fir.csv", FIR);
    put(root, "landing/2024-04/UP-INJ-001/arrest.csv", ARREST);
}

/// Writes the landing folder into `root`, ingests it into `root/lake` and
/// audits 2024-04 into `root/out`, logging at `log`; both must exit 0.
fn ingest_and_audit(root: &Path, log: &str) -> (Output, Output) {
    landing(root);
    let (landing, lake, out) = (root.join("landing"), root.join("lake"), root.join("out"));
    let (landing, lake, out) = (
        landing.to_str().unwrap(),
        lake.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    let ingest = run(&["ingest", landing, "--lake", lake, "--quiet"], log);
    assert_eq!(
        ingest.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    let audit = run(
        &["audit", "--lake", lake, "--month", "2024-04", "--out", out],
        log,
    );
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    (ingest, audit)
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn assert_no_personal_value(what: &str, text: &str) {
    for value in PERSONAL {
        assert!(!text.contains(value), "{what} carries a personal value");
    }
}

#[test]
fn no_log_line_at_trace_and_no_delta_log_or_report_names_a_person() {
    let tmp = tempfile::tempdir().unwrap();
    let (ingest, audit) = ingest_and_audit(tmp.path(), "trace");
    let (lake, out) = (tmp.path().join("lake"), tmp.path().join("out"));
    for (what, o) in [("ingest", &ingest), ("audit", &audit)] {
        let logs = String::from_utf8_lossy(&o.stderr);
        assert!(logs.lines().count() > 100, "{what}: trace logging is on");
        assert_no_personal_value(&format!("{what}'s log"), &logs);
        assert_no_personal_value(
            &format!("{what}'s output"),
            &String::from_utf8_lossy(&o.stdout),
        );
    }
    let mut files = Vec::new();
    files_under(&lake, &mut files);
    for path in files
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "_delta_log"))
    {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        assert_no_personal_value(&path.display().to_string(), &text);
    }
    let mut top: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["lake", "landing", "out"],
        "codes like ../../escape write nowhere else"
    );
    let mut reports = Vec::new();
    files_under(&out, &mut reports);
    for path in reports
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "parquet"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        assert_no_personal_value(&path.display().to_string(), &text);
    }
}

#[test]
fn csv_cells_are_guarded_against_formulas_and_html_escapes_every_value() {
    let tmp = tempfile::tempdir().unwrap();
    ingest_and_audit(tmp.path(), "warn");
    let out = tmp.path().join("out");

    let scores = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    assert!(
        scores.contains("\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\""),
        "the registry name is guarded: {scores}"
    );
    let violations = std::fs::read_to_string(out.join("violations.csv")).unwrap();
    assert!(
        violations.contains(",'=1+1,"),
        "record key =1+1 guarded: {violations}"
    );
    let mut reader = csv::Reader::from_path(out.join("violations.csv")).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "unguarded cell {cell:?}"
            );
        }
    }

    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        page.matches("<script").count(),
        1,
        "no script element but the page's own, not even a station's name"
    );
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(!page.contains("<b>Injected</b>"));
    assert!(page.contains("&#60;b&#62;Injected&#60;/b&#62; &#38; Co"));
}

/// How many times `c` stands in `md` with no backslash escaping it.
fn unescaped(md: &str, c: char) -> usize {
    let mut escaped = false;
    let mut count = 0;
    for ch in md.chars() {
        match (escaped, ch) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, ch) if ch == c => count += 1,
            _ => {}
        }
    }
    count
}

/// Issue 27, defect 7: a name in the registry is text in every Markdown
/// file written (the audit's `summary.md`, the gate's `--summary`), never
/// a live link, a remote image or HTML.
#[test]
fn a_registry_name_is_no_link_and_no_image_in_the_markdown_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    put(
        root,
        "landing/police_stations.csv",
        "ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n\
         UP-LNK-001,![x](http://y/i.png),,UP-LNK,[click](http://x),UP\n\
         UP-LNK-002,<img src=http://y/j.png>,,UP-LNK,[click](http://x),UP\n",
    );
    for ps in ["UP-LNK-001", "UP-LNK-002"] {
        put(
            root,
            &format!("landing/2024-04/{ps}/fir.csv"),
            &format!("ps_code,fir_no,fir_date\n{ps},0001/2024,2024-04-01\n"),
        );
    }
    let (landing, lake, out, gate) = (
        root.join("landing"),
        root.join("lake"),
        root.join("out"),
        root.join("gate.md"),
    );
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let ingest = run(
        &["ingest", &path(&landing), "--lake", &path(&lake), "--quiet"],
        "warn",
    );
    assert_eq!(
        ingest.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    let audit = run(
        &[
            "audit",
            "--lake",
            &path(&lake),
            "--month",
            "2024-04",
            "--out",
            &path(&out),
        ],
        "warn",
    );
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let check = run(
        &[
            "check",
            "--lake",
            &path(&lake),
            "--month",
            "2024-04",
            "--summary",
            &path(&gate),
        ],
        "warn",
    );
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for md in [out.join("summary.md"), gate] {
        let text = std::fs::read_to_string(&md).unwrap();
        assert!(
            text.contains("click"),
            "{}: the name is shown: {text}",
            md.display()
        );
        assert_eq!(unescaped(&text, '['), 0, "{}: {text}", md.display());
        assert_eq!(unescaped(&text, ']'), 0, "{}: {text}", md.display());
        for bad in ["](", "![", "<img", "http://"] {
            assert!(!text.contains(bad), "{}: `{bad}` in {text}", md.display());
        }
    }
}
