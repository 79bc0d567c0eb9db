//! `cctns-audit rules export`: all files or none (issue 27, defect 7).

use crate::support::{files_of, run, run_expecting, s, text};

#[test]
fn export_refuses_a_taken_name_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pack");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("checks.yaml"), "min_score: 80\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "mine\n").unwrap();
    let before = files_of(&dir);
    let o = run(&["rules", "export", s(&dir)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "error: {}: already exists",
            s(&dir.join("checks.yaml"))
        )) && lines[0].contains("export into a new or empty folder"),
        "{stderr}"
    );
    assert_eq!(files_of(&dir), before, "the folder holds what it held");

    let fresh = tmp.path().join("fresh");
    run_expecting(0, &["rules", "export", s(&fresh)]);
    let exported = files_of(&fresh);
    assert!(exported.len() >= 10, "{:?}", exported.keys());
    run_expecting(2, &["rules", "export", s(&fresh)]);
    assert_eq!(
        files_of(&fresh),
        exported,
        "a second export changes nothing"
    );
    run_expecting(0, &["rules", "lint", s(&fresh)]);
}
