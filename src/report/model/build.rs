//! Building the [`Report`] of an audit: every number rounded once, as the files show it.

use super::*;
use crate::error::{Error, Result};
use crate::report::AuditReport;
use crate::score::{round_half_away, PathScope, StationScore};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

fn r2(x: f64) -> f64 {
    round_half_away(x, 2)
}

fn r4(x: f64) -> f64 {
    round_half_away(x, 4)
}

impl Report {
    /// The report of an audit (stations built in parallel).
    pub fn build(r: &AuditReport<'_>) -> Report {
        let changes = Changes::of(r.trend);
        let paths = station_paths(r.paths);
        let stations: Vec<StationReport> = r
            .scores
            .stations
            .par_iter()
            .map(|s| station(r, s, &changes, paths.get(s.ps_code.as_str()).copied()))
            .collect();
        let districts = r
            .scores
            .districts
            .iter()
            .map(|d| {
                let change = changes.districts.get(d.district_code.as_str());
                let own = stations
                    .iter()
                    .filter(|s| s.district_code == d.district_code);
                DistrictReport {
                    district_code: d.district_code.clone(),
                    district_name: d.district_name.clone(),
                    state_code: d.state_code.clone(),
                    stations: d.stations,
                    score: r2(d.score),
                    rank_in_state: d.rank_in_state,
                    zone: d.zone.clone(),
                    score_change: change.map(|c| c.0),
                    rank_change: change.map(|c| c.1),
                    lost_by_parameter: mean_loss(own, r.model.parameters.len()).lost_by_parameter,
                }
            })
            .collect();
        Report {
            month: r.month,
            run: r.run.clone(),
            parameters: parameters(r),
            rules: rules(r),
            zones: r.model.zones.clone(),
            state_groups: r.model.state_groups.clone(),
            state: mean_loss(stations.iter(), r.model.parameters.len()),
            states: states(r),
            districts,
            stations,
            path_to_first: r.paths.to_vec(),
            trend: r.trend.cloned(),
            violations: r.violations.len(),
        }
    }

    /// Reads the `report.json` an audit wrote into `out`.
    pub fn load(out: &Path) -> Result<Report> {
        let path = out.join("report.json");
        let text = std::fs::read(&path).map_err(|e| {
            Error::usage(
                &path,
                format!("cannot read the audit report ({e})"),
                "run `cctns-audit audit --out <DIR>` first and pass that folder",
            )
        })?;
        serde_json::from_slice(&text).map_err(|e| {
            Error::usage(
                &path,
                format!("not an audit report of this version ({e})"),
                "run the audit again with this cctns-audit",
            )
        })
    }

    /// The station of `ps_code`, or a usage error naming the flag.
    pub fn station(&self, ps_code: &str) -> Result<&StationReport> {
        self.stations
            .iter()
            .find(|s| s.ps_code == ps_code)
            .ok_or_else(|| {
                Error::usage(
                    format!("--ps {ps_code}"),
                    "no such station in this audit",
                    "pass a ps_code of police_stations.csv, e.g. one from scores.csv",
                )
            })
    }

    /// The district of `code`, if the registry has it.
    pub fn district(&self, code: &str) -> Option<&DistrictReport> {
        self.districts.iter().find(|d| d.district_code == code)
    }

    /// The path to first place of a station.
    pub fn station_path(&self, ps_code: &str) -> Option<&PathToFirst> {
        self.path_to_first
            .iter()
            .find(|p| p.scope == PathScope::Station && p.code == ps_code)
    }

    /// The rule of `id`, if the pack has it.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Score and rank changes by code, from the trend.
struct Changes<'a> {
    stations: BTreeMap<&'a str, (f64, i64)>,
    districts: BTreeMap<&'a str, (f64, i64)>,
}

impl<'a> Changes<'a> {
    fn of(trend: Option<&'a Trend>) -> Changes<'a> {
        let stations = trend.into_iter().flat_map(|t| &t.stations);
        let districts = trend.into_iter().flat_map(|t| &t.districts);
        Changes {
            stations: stations
                .map(|s| (s.ps_code.as_str(), (s.score_change, s.rank_change)))
                .collect(),
            districts: districts
                .map(|d| (d.district_code.as_str(), (d.score_change, d.rank_change)))
                .collect(),
        }
    }
}

fn station_paths(paths: &[PathToFirst]) -> BTreeMap<&str, &PathToFirst> {
    paths
        .iter()
        .filter(|p| p.scope == PathScope::Station)
        .map(|p| (p.code.as_str(), p))
        .collect()
}

fn states(r: &AuditReport<'_>) -> Vec<StateReport> {
    if r.scores.states.len() < 2 {
        return Vec::new();
    }
    r.scores
        .states
        .iter()
        .map(|s| StateReport {
            state_code: s.state_code.clone(),
            stations: s.stations,
            districts: s.districts,
            score: r2(s.score),
            rank_in_country: s.rank_in_country,
            group_id: s.group_id.clone(),
            rank_in_group: s.rank_in_group,
            zone: s.zone.clone(),
        })
        .collect()
}

fn parameters(r: &AuditReport<'_>) -> Vec<ParameterInfo> {
    r.model
        .parameters
        .iter()
        .map(|p| ParameterInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            name_hi: p.name_hi.clone().unwrap_or_else(|| p.name.clone()),
            weight: p.weight,
        })
        .collect()
}

fn rules(r: &AuditReport<'_>) -> Vec<RuleInfo> {
    r.pack
        .rules
        .iter()
        .map(|rule| RuleInfo {
            id: rule.id.clone(),
            table: rule.table.clone(),
            severity: rule.severity.as_str().to_string(),
            description: rule.description.clone(),
            description_hi: rule
                .description_hi
                .clone()
                .unwrap_or_else(|| rule.description.clone()),
        })
        .collect()
}

fn station(
    r: &AuditReport<'_>,
    s: &StationScore,
    changes: &Changes<'_>,
    path: Option<&PathToFirst>,
) -> StationReport {
    let change = changes.stations.get(s.ps_code.as_str());
    let parameters = r
        .model
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| ParameterScore {
            id: p.id.clone(),
            name: p.name.clone(),
            weight: p.weight,
            points: r2(s.points[i]),
            lost: r4(p.weight - s.points[i]),
            population: s.population[i],
            failing: s.failing[i],
        })
        .collect();
    let points_lost = s
        .lost
        .iter()
        .map(|l| RuleShare {
            parameter_id: l.parameter_id.clone(),
            rule_id: l.rule_id.clone(),
            failing_records: l.failing_records,
            points_lost: r4(l.points),
        })
        .collect();
    let records_to_fix_first = s
        .to_fix
        .iter()
        .take(RECORDS_TO_FIX_LISTED)
        .map(|f| Fix {
            table: f.table.clone(),
            record_key: f.record_key.clone(),
            rules: f.rules.clone(),
            recoverable_points: r4(f.recoverable),
        })
        .collect();
    StationReport {
        ps_code: s.ps_code.clone(),
        ps_name: s.ps_name.clone(),
        ps_name_hi: s.ps_name_hi.clone(),
        district_code: s.district_code.clone(),
        fir_count: s.fir_count,
        category: s.category.clone(),
        score: r2(s.score),
        rank_in_district: s.rank_in_district,
        zone: s.zone.clone(),
        no_upload: s.no_upload,
        failing_records: s.to_fix.len(),
        score_change: change.map(|c| c.0),
        rank_change: change.map(|c| c.1),
        parameters,
        points_lost,
        records_to_fix_first,
        climb: climb(s, path),
    }
}

/// The score after each record fixed, in order, up to the fixes that make
/// the station first (all its records when none do); at most
/// [`CLIMB_POINTS`] points, evenly spaced, always with the first and last.
/// Gains add up (see the path module of `score`).
fn climb(s: &StationScore, path: Option<&PathToFirst>) -> Vec<ClimbStep> {
    let Some(path) = path.filter(|_| !s.no_upload) else {
        return Vec::new();
    };
    let last = path.records_needed.unwrap_or(s.to_fix.len());
    if last == 0 {
        return Vec::new();
    }
    let mut reached = s.score;
    let mut scores = Vec::with_capacity(last + 1);
    scores.push(reached);
    for fix in s.to_fix.iter().take(last) {
        reached += fix.recoverable;
        scores.push(reached);
    }
    let step = last.div_ceil(CLIMB_POINTS).max(1);
    let mut steps: Vec<ClimbStep> = (0..=last)
        .step_by(step)
        .map(|fixed| ClimbStep {
            fixed,
            score: r2(scores[fixed]),
        })
        .collect();
    if steps.last().map(|c| c.fixed) != Some(last) {
        steps.push(ClimbStep {
            fixed: last,
            score: r2(scores[last]),
        });
    }
    steps
}

/// Mean points lost per station and parameter over `stations`.
fn mean_loss<'a>(stations: impl Iterator<Item = &'a StationReport>, parameters: usize) -> AreaLoss {
    let mut sums = vec![0.0; parameters];
    let mut count = 0;
    for s in stations {
        count += 1;
        for (sum, p) in sums.iter_mut().zip(&s.parameters) {
            *sum += p.lost;
        }
    }
    AreaLoss {
        stations: count,
        lost_by_parameter: sums
            .into_iter()
            .map(|x| r4(x / count.max(1) as f64))
            .collect(),
    }
}
