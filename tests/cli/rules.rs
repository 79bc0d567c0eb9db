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

/// A scoring model whose groups and zones are wrong in several places is
/// refused with one line per problem, each with its file and line, exit 2;
/// a checks file naming a zone the model lacks is refused too.
#[test]
fn lint_refuses_bad_groups_and_zones_all_at_once_with_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pack");
    run_expecting(0, &["rules", "export", s(&dir)]);
    let scoring = dir.join("scoring.yaml");
    let model = std::fs::read_to_string(&scoring).unwrap();
    let base = &model[..model.find("\n# Groups of states").unwrap()];
    // `leagues` line k is line `base lines + 1 (blank) + k` of the file.
    let first = base.lines().count() + 1;
    let leagues = "state_groups:\n  - id: a\n    name: A\n    states: [HP, UK]\n  - id: b\n    name: B\n    states: [UK]\n  - { id: c, name: C, states: [] }\nzones:\n  - { name: green, min_score: 75 }\n  - { name: blue, min_score: 80 }\n  - { name: red, min_score: 5 }\n";
    std::fs::write(&scoring, format!("{base}\n{leagues}")).unwrap();
    let o = run_expecting(2, &["rules", "lint", s(&dir)]);
    let shown = text(&o);
    let file = scoring.display().to_string();
    for (line, what) in [
        (7, "state UK is in group `a` and again in group `b`"),
        (8, "state group `c` has no state"),
        (
            11,
            "zone `blue`: min_score 80 is not below the 75 of zone `green`",
        ),
        (12, "the last zone `red` has min_score 5, not 0"),
    ] {
        let want = format!("{file}:{}: {what}", first + line);
        assert!(shown.contains(&want), "{want}\n{shown}");
    }
    assert!(!shown.contains("panicked"), "{shown}");
    let zones_at = model.find("\nzones:").unwrap();
    std::fs::write(&scoring, &model[..zones_at]).unwrap();
    std::fs::write(dir.join("checks.yaml"), "min_score: 80\nmin_zone: blue\n").unwrap();
    let o = run_expecting(2, &["rules", "lint", s(&dir)]);
    assert!(
        text(&o).contains("checks.yaml:2: `min_zone: blue`: the scoring model has no zones"),
        "{}",
        text(&o)
    );
}
