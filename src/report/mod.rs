//! Report: the files an audit writes (spec outputs.md), each schema defined
//! once here: `violations`, `scores`, `points_lost`, `districts`,
//! `path_to_first` and, for a registry of several states, `states`, as CSV
//! and Parquet; and the typed [`Report`] model,
//! written as `report.json` and rendered as `report.html`, `summary.md`,
//! the handouts and `explain`, in English, Hindi or both ([`Lang`]).
//! Nothing here names a person: record keys and codes only.

// Not an input path: reports index the audit's own vectors and JSON documents.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod chart;
mod explain;
mod handout;
mod html;
mod model;
mod summary;
mod table;
mod words;

pub use explain::explain;
pub use handout::{handout_html, write_handouts, RECORDS_IN_HANDOUT};
pub use html::{
    report_html, report_pages, DISTRICT_PAGES, PAGE_BUDGET, RECORDS_IN_PAGE, SPLIT_ABOVE,
};
pub use model::{Report, Run, RECORDS_TO_FIX_LISTED};
pub use summary::{markdown_cell, summary_md};
pub use table::{Column, OutputTable};
pub use words::Lang;

use crate::audit::Violation;
use crate::contract::{Month, Registry};
use crate::error::{Error, Result};
use crate::rules::RulePack;
use crate::score::{PathToFirst, Scores, ScoringModel};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use table::{text, texts};

/// Everything one audit produced, ready to be written.
pub struct AuditReport<'a> {
    /// The audited month.
    pub month: Month,
    /// Violations, sorted.
    pub violations: &'a [Violation],
    /// Scores of the month.
    pub scores: &'a Scores,
    /// The registry.
    pub registry: &'a Registry,
    /// The rule pack.
    pub pack: &'a RulePack,
    /// The scoring model.
    pub model: &'a ScoringModel,
    /// Paths to first place.
    pub paths: &'a [PathToFirst],
    /// Trend against the month before, when the lake holds it.
    pub trend: Option<&'a crate::score::Trend>,
    /// How and from what the audit ran.
    pub run: Run,
    /// The language of `report.html` and `summary.md`.
    pub lang: Lang,
}

/// Writes every output file into `dir` (created if missing); returns their paths.
pub fn write_all(dir: &Path, report: &AuditReport<'_>) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    type Build = fn(&AuditReport<'_>) -> OutputTable;
    let mut tables: Vec<(&str, Build)> = vec![
        ("violations", violations_table),
        ("scores", scores_table),
        ("points_lost", points_lost_table),
        ("districts", districts_table),
        ("path_to_first", path_table),
    ];
    if report.scores.states.len() > 1 {
        tables.push(("states", states_table));
    }
    let (wrote_tables, documents) = rayon::join(
        || {
            tables.par_iter().try_for_each(|(stem, build)| {
                let started = std::time::Instant::now();
                build(report).write(dir, stem)?;
                tracing::debug!(
                    table = stem,
                    ms = started.elapsed().as_millis() as u64,
                    "report table written"
                );
                Ok(())
            })
        },
        || {
            let started = std::time::Instant::now();
            let written = write_documents(dir, report);
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "report.json, report.html and summary.md written"
            );
            written
        },
    );
    wrote_tables?;
    let mut written: Vec<PathBuf> = tables
        .iter()
        .flat_map(|(stem, _)| [format!("{stem}.csv"), format!("{stem}.parquet")])
        .map(|name| dir.join(name))
        .collect();
    written.extend(documents?);
    Ok(written)
}

/// Writes `report.json`, `report.html` and `summary.md`, all three from one
/// [`Report`] (serialised and rendered in parallel).
fn write_documents(dir: &Path, audit: &AuditReport<'_>) -> Result<Vec<PathBuf>> {
    let report = Report::build(audit);
    let json_path = dir.join("report.json");
    let summary_path = dir.join("summary.md");
    let (json, (pages, summary)) = rayon::join(
        || serde_json::to_vec_pretty(&report),
        || {
            rayon::join(
                || report_pages(&report, audit.lang),
                || summary_md(&report, audit.lang),
            )
        },
    );
    let json = json.map_err(|e| Error::io(&json_path, e.into()))?;
    let mut written = vec![json_path.clone(), summary_path.clone()];
    for (path, bytes) in [(&json_path, json), (&summary_path, summary.into_bytes())] {
        crate::atomic::replace_file(path, &bytes)?;
    }
    let district_pages = dir.join(DISTRICT_PAGES);
    if district_pages.is_dir() {
        std::fs::remove_dir_all(&district_pages).map_err(|e| Error::io(&district_pages, e))?;
    }
    for (relative, html) in pages? {
        let path = dir.join(relative);
        crate::atomic::replace_file(&path, html.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// A code as a file name: characters other than ASCII letters, digits, `-`
/// and `_` become `_`.
fn file_safe(code: &str) -> String {
    code.chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '_',
            },
        )
        .collect()
}

fn district_of(registry: &Registry, ps_code: &str) -> String {
    registry
        .station(ps_code)
        .map(|s| s.district_code.clone())
        .unwrap_or_default()
}

fn named(name: &str, column: Column) -> (String, Column) {
    (name.to_string(), column)
}

/// `violations.csv`: one row per failing record per rule.
fn violations_table(r: &AuditReport<'_>) -> OutputTable {
    let v = r.violations;
    OutputTable {
        columns: vec![
            named("month", text(v.iter().map(|_| r.month))),
            named(
                "district_code",
                text(v.iter().map(|x| district_of(r.registry, &x.ps_code))),
            ),
            named("ps_code", text(v.iter().map(|x| &x.ps_code))),
            named("table", text(v.iter().map(|x| &x.table))),
            named("rule_id", text(v.iter().map(|x| &x.rule_id))),
            named("severity", text(v.iter().map(|x| x.severity.as_str()))),
            named("record_key", text(v.iter().map(|x| &x.record_key))),
            named("message", text(v.iter().map(|x| &x.message))),
        ],
    }
}

/// `scores.csv`: one row per registry station, by district and rank.
fn scores_table(r: &AuditReport<'_>) -> OutputTable {
    let s = &r.scores.stations;
    let mut columns = vec![
        named("month", text(s.iter().map(|_| r.month))),
        named("district_code", text(s.iter().map(|x| &x.district_code))),
        named("ps_code", text(s.iter().map(|x| &x.ps_code))),
        named("ps_name", text(s.iter().map(|x| &x.ps_name))),
        named(
            "fir_count",
            Column::Int(s.iter().map(|x| Some(x.fir_count as i64)).collect()),
        ),
        named("category", text(s.iter().map(|x| &x.category))),
        named(
            "score",
            Column::Fixed(s.iter().map(|x| Some(x.score)).collect(), 2),
        ),
        named(
            "rank_in_district",
            Column::Int(s.iter().map(|x| Some(x.rank_in_district as i64)).collect()),
        ),
    ];
    for (i, p) in r.model.parameters.iter().enumerate() {
        columns.push((
            p.id.clone(),
            Column::Fixed(s.iter().map(|x| x.points.get(i).copied()).collect(), 2),
        ));
    }
    columns.push(named("zone", texts(s.iter().map(|x| &x.zone))));
    OutputTable { columns }
}

/// `points_lost.csv`: one row per station, parameter and rule that lost points.
fn points_lost_table(r: &AuditReport<'_>) -> OutputTable {
    let mut rows: Vec<(&str, &crate::score::PointsLost)> = r
        .scores
        .stations
        .iter()
        .flat_map(|s| s.lost.iter().map(move |l| (s.ps_code.as_str(), l)))
        .collect();
    rows.sort_by(|a, b| {
        (a.0, &a.1.parameter_id, &a.1.rule_id).cmp(&(b.0, &b.1.parameter_id, &b.1.rule_id))
    });
    OutputTable {
        columns: vec![
            named("month", text(rows.iter().map(|_| r.month))),
            named("ps_code", text(rows.iter().map(|x| x.0))),
            named("parameter_id", text(rows.iter().map(|x| &x.1.parameter_id))),
            named("rule_id", text(rows.iter().map(|x| &x.1.rule_id))),
            named(
                "failing_records",
                Column::Int(
                    rows.iter()
                        .map(|x| Some(x.1.failing_records as i64))
                        .collect(),
                ),
            ),
            named(
                "points_lost",
                Column::Fixed(rows.iter().map(|x| Some(x.1.points)).collect(), 4),
            ),
        ],
    }
}

/// `districts.csv`: one row per district, by state rank.
fn districts_table(r: &AuditReport<'_>) -> OutputTable {
    let d = &r.scores.districts;
    OutputTable {
        columns: vec![
            named("month", text(d.iter().map(|_| r.month))),
            named("district_code", text(d.iter().map(|x| &x.district_code))),
            named("district_name", text(d.iter().map(|x| &x.district_name))),
            named(
                "stations",
                Column::Int(d.iter().map(|x| Some(x.stations as i64)).collect()),
            ),
            named(
                "score",
                Column::Fixed(d.iter().map(|x| Some(x.score)).collect(), 2),
            ),
            named(
                "rank_in_state",
                Column::Int(d.iter().map(|x| Some(x.rank_in_state as i64)).collect()),
            ),
            named("zone", texts(d.iter().map(|x| &x.zone))),
        ],
    }
}

/// `states.csv` (a registry of several states): one row per state, by rank
/// in the country, with its group and rank in it (empty in no group).
fn states_table(r: &AuditReport<'_>) -> OutputTable {
    let s = &r.scores.states;
    OutputTable {
        columns: vec![
            named("month", text(s.iter().map(|_| r.month))),
            named("state_code", text(s.iter().map(|x| &x.state_code))),
            named(
                "stations",
                Column::Int(s.iter().map(|x| Some(x.stations as i64)).collect()),
            ),
            named(
                "districts",
                Column::Int(s.iter().map(|x| Some(x.districts as i64)).collect()),
            ),
            named(
                "score",
                Column::Fixed(s.iter().map(|x| Some(x.score)).collect(), 2),
            ),
            named(
                "rank_in_country",
                Column::Int(s.iter().map(|x| Some(x.rank_in_country as i64)).collect()),
            ),
            named("group_id", texts(s.iter().map(|x| &x.group_id))),
            named(
                "rank_in_group",
                Column::Int(
                    s.iter()
                        .map(|x| x.rank_in_group.map(|r| r as i64))
                        .collect(),
                ),
            ),
            named("zone", texts(s.iter().map(|x| &x.zone))),
        ],
    }
}

/// `path_to_first.csv`: per station and district, the fewest records to fix to become first.
fn path_table(r: &AuditReport<'_>) -> OutputTable {
    let p = r.paths;
    let scope = |x: &PathToFirst| {
        serde_json::to_value(x.scope)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    OutputTable {
        columns: vec![
            named("month", text(p.iter().map(|_| r.month))),
            named("scope", text(p.iter().map(scope))),
            named("code", text(p.iter().map(|x| &x.code))),
            named(
                "current_rank",
                Column::Int(p.iter().map(|x| Some(x.current_rank as i64)).collect()),
            ),
            named(
                "leader_score",
                Column::Fixed(p.iter().map(|x| Some(x.leader_score)).collect(), 2),
            ),
            named(
                "records_needed",
                Column::Int(
                    p.iter()
                        .map(|x| x.records_needed.map(|n| n as i64))
                        .collect(),
                ),
            ),
            named(
                "score_reached",
                Column::Fixed(p.iter().map(|x| x.score_reached).collect(), 2),
            ),
        ],
    }
}
