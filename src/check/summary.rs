//! The gate's verdict as Markdown, for a CI comment or an e-mail: the
//! verdict ([`Gate::passed`], as the exit code), for an upload the files
//! that could not be read and whether it was accepted, then per month the
//! failing stations with their scores and broken limits, the warnings, and
//! the district league.

use super::{Fate, Gate, Outcome, Upload, Verdict};
use crate::error::Result;
use crate::report::markdown_cell as cell;
use crate::score::{round_half_away, Scores};
use std::fmt::Write;
use std::path::Path;

/// One judged month with the scores it was judged on.
struct Judged<'a> {
    /// The verdict.
    verdict: &'a Verdict,
    /// The month's scores.
    scores: &'a Scores,
}

/// The Markdown summary of `gate`, whose months were judged on `scores`
/// (in the order of its verdicts); `source` names what was judged (the
/// lake and snapshot, or the staged upload).
pub fn markdown(gate: &Gate<'_>, scores: &[&Scores], source: &str) -> String {
    let failures = gate.failed_checks();
    let warnings = gate.warnings();
    let mut md = String::new();
    let verdict = match gate.passed() {
        true => "PASSED",
        false => "FAILED",
    };
    let unreadable = match gate.unreadable().len() {
        0 => String::new(),
        1 => "1 file of the upload could not be read, ".to_string(),
        n => format!("{n} files of the upload could not be read, "),
    };
    let _ = writeln!(
        md,
        "# CCTNS gate: {verdict}\n\n{unreadable}{failures} failed checks, {warnings} warnings; {source}.\n"
    );
    if let Some(upload) = gate.upload {
        upload_section(&mut md, upload);
    }
    for (verdict, scores) in gate.verdicts.iter().zip(scores) {
        month_section(&mut md, &Judged { verdict, scores });
    }
    md
}

/// The upload's unreadable files and what became of it.
fn upload_section(md: &mut String, upload: &Upload) {
    let fate = match upload.fate {
        Fate::Accepted(snapshot) => {
            format!("The upload passed and is accepted: snapshot {snapshot} becomes the lake's current snapshot.")
        }
        Fate::Failed => {
            "The upload failed the gate and was not accepted: it is discarded and the lake is as it was.".to_string()
        }
        Fate::NotAsked => {
            "The upload passed but was not accepted (no --accept): it is discarded and the lake is as it was.".to_string()
        }
        Fate::Unchanged => {
            "The upload passed and changes nothing in the lake: there is nothing to accept.".to_string()
        }
    };
    let _ = writeln!(md, "{fate}\n");
    if upload.unreadable.is_empty() {
        return;
    }
    let _ = writeln!(md, "### Files that could not be read\n");
    let _ = writeln!(md, "| station | file | why |");
    let _ = writeln!(md, "| --- | --- | --- |");
    for file in &upload.unreadable {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            cell(file.ps_code.as_deref().unwrap_or("")),
            cell(&file.file),
            cell(&file.why)
        );
    }
    let _ = writeln!(md);
}

fn month_section(md: &mut String, j: &Judged<'_>) {
    let v = j.verdict;
    let _ = writeln!(md, "## {}\n", v.month);
    let failing: Vec<_> = v
        .cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
        .collect();
    if failing.is_empty() {
        let _ = writeln!(md, "No check failed.\n");
    } else {
        let _ = writeln!(md, "### Failing checks\n");
        let _ = writeln!(md, "| district | station | name | score | check | why |");
        let _ = writeln!(md, "| --- | --- | --- | ---: | --- | --- |");
        for c in failing {
            let station = c
                .ps_code
                .as_deref()
                .and_then(|ps| j.scores.stations.iter().find(|s| s.ps_code == ps));
            let (ps, name, score) = match station {
                Some(s) => (
                    s.ps_code.as_str(),
                    s.ps_name.as_str(),
                    format!("{:.2}", round_half_away(s.score, 2)),
                ),
                None => ("", "(district)", district_score(j.scores, &c.district_code)),
            };
            let why = match &c.outcome {
                Outcome::Fail(why) => why.as_str(),
                _ => "",
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {score} | {} | {} |",
                cell(&c.district_code),
                cell(ps),
                cell(name),
                cell(&c.name),
                cell(why)
            );
        }
        let _ = writeln!(md);
    }
    let warned: Vec<_> = v
        .cases
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Warn(why) => Some((c, why)),
            _ => None,
        })
        .collect();
    if !warned.is_empty() {
        let _ = writeln!(md, "### Warnings\n");
        for (c, why) in warned {
            let place = c.ps_code.as_deref().unwrap_or(&c.district_code);
            let _ = writeln!(md, "- {} {}: {}", cell(place), cell(&c.name), cell(why));
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "### District league\n");
    let _ = writeln!(md, "| rank | district | name | stations | score |");
    let _ = writeln!(md, "| ---: | --- | --- | ---: | ---: |");
    for d in &j.scores.districts {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} |",
            d.rank_in_state,
            cell(&d.district_code),
            cell(&d.district_name),
            d.stations,
            round_half_away(d.score, 2)
        );
    }
    let _ = writeln!(md);
}

fn district_score(scores: &Scores, code: &str) -> String {
    scores
        .districts
        .iter()
        .find(|d| d.district_code == code)
        .map(|d| format!("{:.2}", round_half_away(d.score, 2)))
        .unwrap_or_default()
}

/// Writes the summary of `gate` (see [`markdown`]) to `path`.
pub fn write(gate: &Gate<'_>, scores: &[&Scores], source: &str, path: &Path) -> Result<()> {
    super::write_text(path, &markdown(gate, scores, source))
}
