//! The CI gate: a month's audit judged against a checks file.
//!
//! Input: the [`Checks`] of a checks file and the [`Facts`] of an audited
//! month (scores, per-rule counts, rows read and quarantined per station).
//! Output: a [`Verdict`], one [`Case`] per station and check (and per
//! district for `min_district_score` and `min_zone`), written as JUnit XML ([`junit`]) and
//! Markdown ([`summary`]).
//!
//! Readings of the spec where it is silent (an SCRB analyst's reading):
//! - scores are compared as `scores.csv` shows them (two decimals, halves
//!   away from zero): a station whose row reads 79.99 fails `min_score: 80`,
//!   one reading 80.00 passes;
//! - `max_quarantined` counts the quarantined rows of the station's files of
//!   the month, of the rows read (loaded + quarantined); a bare limit fails,
//!   and `{ warn: …, fail: … }` works there as for rules;
//! - `min_score` judges every station, one that uploaded nothing (score 0)
//!   included, which then fails both `min_score` and `no_upload: fail`;
//! - `min_zone` (v1.4) judges every station and every district, each by
//!   the zone of its own score: a unit in a zone after the named one, in
//!   the scoring model's order, fails;
//! - a percent of an empty population (no records, no rows read) is 0%;
//! - only the checks the file names get cases; `no_upload: ignore` gives none;
//! - with `--fail-on warning` a warning is reported and counted as a failure;
//! - an upload's file that could not be read fails the gate like a check
//!   ([`Unreadable`]), so the exit code, the JUnit file and the summary
//!   all follow [`Gate::passed`].

mod file;
pub mod junit;
pub mod summary;

pub use file::parse_percent;

use crate::audit::{RuleCounts, StationRows};
use crate::contract::Month;
use crate::score::{round_half_away, Scores, StationScore};
use serde::Deserialize;
use std::path::PathBuf;

/// The limits of a checks file.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    /// The file they came from.
    pub file: PathBuf,
    /// A station scoring below fails.
    pub min_score: Option<f64>,
    /// A district scoring below fails.
    pub min_district_score: Option<f64>,
    /// A station or a district in a zone after this one fails (v1.4).
    pub min_zone: Option<MinZone>,
    /// What a station with no upload gets (`None`: the file names no such check).
    pub no_upload: Option<NoUpload>,
    /// Quarantined rows of a station's rows read.
    pub max_quarantined: Option<Limits>,
    /// Per rule id: failing records of a station.
    pub rules: Vec<(String, Limits)>,
}

/// `min_zone`: the lowest zone a station or a district may be in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinZone {
    /// The zone the file names.
    pub name: String,
    /// It and the zones before it in the scoring model's order: the zones that pass.
    pub passing: Vec<String>,
}

impl MinZone {
    /// How a unit of `score` in `zone` comes out (a unit without a zone fails).
    fn judge(&self, zone: Option<&str>, score: f64) -> Outcome {
        match zone {
            Some(z) if self.passing.iter().any(|p| p == z) => Outcome::Pass,
            zone => Outcome::Fail(format!(
                "zone {} (score {score:.2}) is below the minimum zone {}",
                zone.unwrap_or("none"),
                self.name
            )),
        }
    }
}

/// What `no_upload` does with a station that uploaded nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoUpload {
    /// A failing check.
    Fail,
    /// A warning.
    Warn,
    /// No check.
    Ignore,
}

/// A warn limit, a fail limit, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Broken: a warning.
    pub warn: Option<Limit>,
    /// Broken: a failure.
    pub fail: Option<Limit>,
}

/// One limit: broken when the count is greater than it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most this many.
    Count(u64),
    /// At most `scaled / scale` percent of the whole (exact: `2.5%` is 25/10).
    Percent {
        /// The percent times `scale`.
        scaled: u64,
        /// A power of ten.
        scale: u64,
    },
}

impl Limit {
    /// Whether `count` of `whole` breaks this limit (a percent of nothing is 0%).
    pub fn broken(self, count: u64, whole: u64) -> bool {
        match self {
            Limit::Count(max) => count > max,
            Limit::Percent { scaled, scale } => {
                u128::from(count) * 100 * u128::from(scale) > u128::from(scaled) * u128::from(whole)
            }
        }
    }

    /// How the limit is written: `5` or `2.5%`.
    pub fn text(self) -> String {
        match self {
            Limit::Count(n) => n.to_string(),
            Limit::Percent { scaled, scale } => {
                let digits = scale.ilog10() as usize;
                format!("{:.digits$}%", scaled as f64 / scale as f64)
            }
        }
    }
}

/// What a month's audit found, as the gate reads it.
pub struct Facts<'a> {
    /// The month's scores.
    pub scores: &'a Scores,
    /// Failing records and population per rule and station.
    pub rules: &'a RuleCounts,
    /// Rows read and quarantined per station.
    pub rows: &'a StationRows,
}

/// How one check came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Held.
    Pass,
    /// A warn limit broken: why.
    Warn(String),
    /// A fail limit broken (or a warning under `--fail-on warning`): why.
    Fail(String),
}

/// One check of one station (or of a district).
#[derive(Debug, Clone)]
pub struct Case {
    /// The district.
    pub district_code: String,
    /// The station (`None` for a district's own check).
    pub ps_code: Option<String>,
    /// `min_score`, `min_zone`, `no_upload`, `max_quarantined`, `rule <ID>`
    /// or (a district's own) `min_district_score` or `min_zone`.
    pub name: String,
    /// How it came out.
    pub outcome: Outcome,
}

/// The gate's judgement of one month.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The month judged.
    pub month: Month,
    /// Every check, by district, then station, in the checks file's order.
    pub cases: Vec<Case>,
}

impl Verdict {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.failures() == 0
    }

    /// Failed checks.
    pub fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
            .count()
    }

    /// Warnings.
    pub fn warnings(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Warn(_)))
            .count()
    }
}

/// A file (or folder) of an upload that could not be read: it fails the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Its path relative to the upload.
    pub file: String,
    /// The station whose folder holds it, when one does.
    pub ps_code: Option<String>,
    /// Why, with the fix (the ingest report's words: never a cell value).
    pub why: String,
}

/// What becomes of a staged upload once it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// It passed and `--accept` makes this snapshot current.
    Accepted(u64),
    /// It failed the gate: discarded, the lake is as it was.
    Failed,
    /// It passed, but without `--accept`: discarded, the lake is as it was.
    NotAsked,
    /// It passed but changes nothing in the lake: nothing to accept.
    Unchanged,
}

/// An upload as the gate reports it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The landing folder.
    pub landing: String,
    /// Its files that could not be read, each a failure of the gate.
    pub unreadable: Vec<Unreadable>,
    /// What becomes of it.
    pub fate: Fate,
}

/// Everything one run of the gate judged. [`Gate::passed`] is the one
/// verdict: the exit code, the JUnit file and the summary all take it.
#[derive(Debug, Clone, Copy)]
pub struct Gate<'a> {
    /// One verdict per month judged.
    pub verdicts: &'a [Verdict],
    /// For an upload: its unreadable files and what becomes of it.
    pub upload: Option<&'a Upload>,
}

impl Gate<'_> {
    /// Whether the gate passed (see [`passes`]).
    pub fn passed(&self) -> bool {
        passes(self.verdicts, self.unreadable())
    }

    /// The upload's files that could not be read.
    pub fn unreadable(&self) -> &[Unreadable] {
        self.upload.map_or(&[], |u| u.unreadable.as_slice())
    }

    /// Failed checks of every month.
    pub fn failed_checks(&self) -> usize {
        self.verdicts.iter().map(Verdict::failures).sum()
    }

    /// Warnings of every month.
    pub fn warnings(&self) -> usize {
        self.verdicts.iter().map(Verdict::warnings).sum()
    }
}

/// Whether the gate passes: no check of any month failed and no file of
/// the upload was unreadable. Every verdict of the gate is decided here.
pub fn passes(verdicts: &[Verdict], unreadable: &[Unreadable]) -> bool {
    unreadable.is_empty() && verdicts.iter().all(Verdict::passed)
}

/// Judges a month against `checks` (with `min_score` replaced by
/// `min_score` when given, as `--min-score` does).
pub fn judge(checks: &Checks, facts: &Facts<'_>, fail_on_warning: bool) -> Verdict {
    let mut cases = Vec::new();
    for district in sorted_districts(facts.scores) {
        if let Some(min) = checks.min_district_score {
            let score = round_half_away(district.score, 2);
            let outcome = match score < min {
                true => Outcome::Fail(format!(
                    "district score {score:.2} is below the minimum {min}"
                )),
                false => Outcome::Pass,
            };
            cases.push(Case {
                district_code: district.district_code.clone(),
                ps_code: None,
                name: "min_district_score".to_string(),
                outcome,
            });
        }
        if let Some(min) = &checks.min_zone {
            let score = round_half_away(district.score, 2);
            cases.push(Case {
                district_code: district.district_code.clone(),
                ps_code: None,
                name: "min_zone".to_string(),
                outcome: min.judge(district.zone.as_deref(), score),
            });
        }
        let stations = facts
            .scores
            .stations
            .iter()
            .filter(|s| s.district_code == district.district_code);
        for station in stations {
            for (name, outcome) in station_checks(checks, facts, station) {
                cases.push(Case {
                    district_code: station.district_code.clone(),
                    ps_code: Some(station.ps_code.clone()),
                    name,
                    outcome,
                });
            }
        }
    }
    if fail_on_warning {
        for case in &mut cases {
            if let Outcome::Warn(why) = &case.outcome {
                case.outcome = Outcome::Fail(format!("{why} (a warning; --fail-on warning)"));
            }
        }
    }
    Verdict {
        month: facts.scores.month,
        cases,
    }
}

fn sorted_districts(scores: &Scores) -> Vec<&crate::score::DistrictScore> {
    let mut districts: Vec<_> = scores.districts.iter().collect();
    districts.sort_by(|a, b| a.district_code.cmp(&b.district_code));
    districts
}

/// The checks of one station, in the file's order: `min_score`,
/// `min_zone`, `no_upload`, `max_quarantined`, then the rules.
fn station_checks(checks: &Checks, facts: &Facts<'_>, st: &StationScore) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    let score = round_half_away(st.score, 2);
    if let Some(min) = checks.min_score {
        let outcome = match score < min {
            true => Outcome::Fail(format!(
                "score {score:.2} is below the minimum {min} ({:.2} points lost)",
                100.0 - score
            )),
            false => Outcome::Pass,
        };
        out.push(("min_score".to_string(), outcome));
    }
    if let Some(min) = &checks.min_zone {
        out.push(("min_zone".to_string(), min.judge(st.zone.as_deref(), score)));
    }
    if let Some(no_upload) = checks.no_upload.filter(|n| *n != NoUpload::Ignore) {
        let why = || {
            "the station uploaded nothing this month (PS-NO-UPLOAD): all 100 points lost"
                .to_string()
        };
        let outcome = match (st.no_upload, no_upload) {
            (false, _) => Outcome::Pass,
            (true, NoUpload::Warn) => Outcome::Warn(why()),
            (true, _) => Outcome::Fail(why()),
        };
        out.push(("no_upload".to_string(), outcome));
    }
    if let Some(limits) = checks.max_quarantined {
        let rows = facts.rows.get(&st.ps_code).copied().unwrap_or_default();
        let cost = points_of(st, |rule| {
            facts.rules.table_of(rule) == Some(crate::lake::QUARANTINE)
        });
        let what = format!(
            "{} of {} rows read were quarantined{}",
            rows.quarantined,
            rows.read(),
            cost_text(cost)
        );
        let outcome = limits.judge(rows.quarantined, rows.read(), &what);
        out.push(("max_quarantined".to_string(), outcome));
    }
    for (rule, limits) in &checks.rules {
        let (failing, population) = facts.rules.of(rule, &st.ps_code);
        let cost = points_of(st, |r| r == rule);
        let what = format!(
            "{rule}: {failing} failing records of {population}{}",
            cost_text(cost)
        );
        out.push((
            format!("rule {rule}"),
            limits.judge(failing, population, &what),
        ));
    }
    out
}

impl Limits {
    /// Fail when the fail limit is broken, else warn when the warn limit is.
    fn judge(self, count: u64, whole: u64, what: &str) -> Outcome {
        let broken = |limit: Option<Limit>| limit.filter(|l| l.broken(count, whole));
        if let Some(l) = broken(self.fail) {
            return Outcome::Fail(format!("{what}; more than the fail limit {}", l.text()));
        }
        if let Some(l) = broken(self.warn) {
            return Outcome::Warn(format!("{what}; more than the warn limit {}", l.text()));
        }
        Outcome::Pass
    }
}

/// The points a station lost to the rules `wanted` picks.
fn points_of(st: &StationScore, wanted: impl Fn(&str) -> bool) -> f64 {
    st.lost
        .iter()
        .filter(|l| wanted(&l.rule_id))
        .map(|l| l.points)
        .sum()
}

fn cost_text(points: f64) -> String {
    match points > 0.0 {
        true => format!(", costing {:.2} points", round_half_away(points, 2)),
        false => String::new(),
    }
}

/// Writes `text` to `path` in one rename, creating its folder.
fn write_text(path: &std::path::Path, text: &str) -> crate::error::Result<()> {
    crate::atomic::replace_file(path, text.as_bytes())
}

#[cfg(test)]
mod tests;
