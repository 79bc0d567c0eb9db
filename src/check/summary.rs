//! The gate's verdict as Markdown, for a CI comment or an e-mail: the
//! verdict, the failing stations with their scores and broken limits, the
//! warnings, and the district league.

use super::{Outcome, Verdict};
use crate::error::Result;
use crate::report::markdown_cell as cell;
use crate::score::{round_half_away, Scores};
use std::fmt::Write;
use std::path::Path;

/// One judged month with the scores it was judged on.
pub struct Judged<'a> {
    /// The verdict.
    pub verdict: &'a Verdict,
    /// The month's scores.
    pub scores: &'a Scores,
}

/// The Markdown summary of the judged months; `source` names what was
/// judged (the lake and snapshot, or the staged upload).
pub fn markdown(judged: &[Judged<'_>], source: &str) -> String {
    let failures: usize = judged.iter().map(|j| j.verdict.failures()).sum();
    let warnings: usize = judged.iter().map(|j| j.verdict.warnings()).sum();
    let mut md = String::new();
    let verdict = match failures {
        0 => "PASSED",
        _ => "FAILED",
    };
    let _ = writeln!(
        md,
        "# CCTNS gate: {verdict}\n\n{failures} failed checks, {warnings} warnings; {source}.\n"
    );
    for j in judged {
        month_section(&mut md, j);
    }
    md
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

/// Writes the summary to `path`.
pub fn write(judged: &[Judged<'_>], source: &str, path: &Path) -> Result<()> {
    super::write_text(path, &markdown(judged, source))
}
