//! Score: what an audit found, weighed by the scoring model, per station.
//!
//! Input: [`Findings`], the pack, the registry, the model and each station's
//! distinct FIRs of the month. Output: [`Scores`]: per station its points per
//! parameter, score, category, rank in district, the rule shares of every
//! lost point and the records to fix first; per district its mean score and
//! rank in the state. Invariants: the shares of a parameter add up to its
//! loss; all losses add up to 100 − score; computed in `f64`, rounded only
//! when written (and for ranks, which use two-decimal scores).

// Not an input path: scoring indexes the parameter and record vectors it built.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod model;
mod path;
mod rank;
mod round;
mod trend;

pub use model::{Category, Parameter, ScoringModel, Volume};
pub use path::{climb, path_to_first, PathToFirst, Scope as PathScope};
pub use rank::{rank, DistrictScore, StateScore};
pub use round::round_half_away;
pub use trend::{
    trend, DistrictSummary, DistrictTrend, ScoreSummary, StationSummary, StationTrend, Trend,
};

use crate::audit::Findings;
use crate::contract::{Month, Registry};
use crate::rules::RulePack;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeMap;

/// The share of lost points one rule of one parameter took at one station.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsLost {
    /// Parameter id, or `ALL` for the no-upload rule.
    pub parameter_id: String,
    /// Rule id.
    pub rule_id: String,
    /// Records of the station failing the rule.
    pub failing_records: u64,
    /// The rule's share of the parameter's lost points.
    pub points: f64,
}

/// A failing record and what fixing it alone would gain.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordToFix {
    /// Its table.
    pub table: String,
    /// Its record key.
    pub record_key: String,
    /// The scored rules it fails.
    pub rules: Vec<String>,
    /// Points the station gains if this record alone is fixed: w/N per parameter it fails in.
    pub recoverable: f64,
}

/// One station's score for the month.
#[derive(Debug, Clone)]
pub struct StationScore {
    /// Station code.
    pub ps_code: String,
    /// English name.
    pub ps_name: String,
    /// Devanagari name.
    pub ps_name_hi: String,
    /// District code.
    pub district_code: String,
    /// Distinct FIRs of the month.
    pub fir_count: u64,
    /// FIR-volume band.
    pub category: String,
    /// Whether it failed the no-upload rule (score 0).
    pub no_upload: bool,
    /// Points per parameter, in model order.
    pub points: Vec<f64>,
    /// Populations N per parameter.
    pub population: Vec<u64>,
    /// Failing records F per parameter.
    pub failing: Vec<u64>,
    /// The score, unrounded.
    pub score: f64,
    /// Rank in its district (1 = first), by the two-decimal score then ps_code.
    pub rank_in_district: usize,
    /// Where the points went.
    pub lost: Vec<PointsLost>,
    /// Failing records, most recoverable points first (ties by table, record key).
    pub to_fix: Vec<RecordToFix>,
}

/// Every station's and district's score for one month.
#[derive(Debug, Clone)]
pub struct Scores {
    /// The month.
    pub month: Month,
    /// Stations, by district then rank.
    pub stations: Vec<StationScore>,
    /// Districts, by state rank.
    pub districts: Vec<DistrictScore>,
    /// States, by rank in the country (one when the registry holds one state).
    pub states: Vec<StateScore>,
}

/// Scores every registry station and ranks stations and districts;
/// `fir_counts` is the model's volume measure per station (absent = 0).
pub fn score(
    findings: &Findings,
    pack: &RulePack,
    registry: &Registry,
    model: &ScoringModel,
    fir_counts: &BTreeMap<String, u64>,
) -> Scores {
    let no_upload = no_upload_stations(findings, pack, model);
    let per_parameter: Vec<HashMap<&str, StationParameter>> = model
        .parameters
        .iter()
        .map(|p| station_parameters(findings, pack, p))
        .collect();
    let stations = registry
        .stations()
        .map(|s| {
            let firs = fir_counts.get(&s.ps_code).copied().unwrap_or(0);
            let mut st = StationScore {
                ps_code: s.ps_code.clone(),
                ps_name: s.ps_name.clone().unwrap_or_default(),
                ps_name_hi: s.ps_name_hi.clone().unwrap_or_default(),
                district_code: s.district_code.clone(),
                fir_count: firs,
                category: model.category(firs),
                no_upload: no_upload.contains(s.ps_code.as_str()),
                points: Vec::new(),
                population: Vec::new(),
                failing: Vec::new(),
                score: 0.0,
                rank_in_district: 0,
                lost: Vec::new(),
                to_fix: Vec::new(),
            };
            fill_station(&mut st, model, &per_parameter, findings);
            st
        })
        .collect();
    rank(findings.month, stations, registry)
}

/// Populations and failures of one parameter at one station.
#[derive(Default)]
struct StationParameter {
    /// N: distinct records in the population of any rule of the parameter.
    population: u64,
    /// The failing records and the rules of the parameter each fails.
    failing: BTreeMap<u32, Vec<String>>,
}

fn station_parameters<'a>(
    findings: &'a Findings,
    pack: &RulePack,
    parameter: &Parameter,
) -> HashMap<&'a str, StationParameter> {
    let records = &findings.records;
    let mut by_station: HashMap<&str, StationParameter> = HashMap::new();
    let mut in_population = vec![false; records.len()];
    for rule_id in &parameter.rules {
        let Some(index) = pack.rules.iter().position(|r| &r.id == rule_id) else {
            continue;
        };
        let found = &findings.rules[index];
        for &id in &found.population {
            in_population[id as usize] = true;
        }
        for &id in found.failing.keys() {
            in_population[id as usize] = true;
            let entry = by_station.entry(records.get(id).0).or_default();
            entry.failing.entry(id).or_default().push(rule_id.clone());
        }
    }
    let mut per_station = vec![0u64; records.station_count()];
    for (id, _) in in_population.iter().enumerate().filter(|(_, &p)| p) {
        per_station[records.station_of(id as u32) as usize] += 1;
    }
    for (station, &n) in per_station.iter().enumerate().filter(|(_, &n)| n > 0) {
        by_station
            .entry(records.station_name(station as u32))
            .or_default()
            .population += n;
    }
    by_station
}

fn no_upload_stations<'a>(
    findings: &'a Findings,
    pack: &RulePack,
    model: &ScoringModel,
) -> HashSet<&'a str> {
    let Some(index) = model
        .no_upload_rule
        .as_ref()
        .and_then(|id| pack.rules.iter().position(|r| &r.id == id))
    else {
        return HashSet::new();
    };
    findings.rules[index]
        .failing
        .keys()
        .map(|&id| findings.records.get(id).0)
        .collect()
}

/// Points, shares and records to fix of one station.
fn fill_station(
    st: &mut StationScore,
    model: &ScoringModel,
    per_parameter: &[HashMap<&str, StationParameter>],
    findings: &Findings,
) {
    let n_params = model.parameters.len();
    if st.no_upload {
        st.points = vec![0.0; n_params];
        st.population = vec![0; n_params];
        st.failing = vec![0; n_params];
        let rule = model.no_upload_rule.clone().unwrap_or_default();
        st.lost.push(PointsLost {
            parameter_id: "ALL".into(),
            rule_id: rule,
            failing_records: 1,
            points: 100.0,
        });
        return;
    }
    let mut recoverable: BTreeMap<u32, (f64, Vec<String>)> = BTreeMap::new();
    for (parameter, stations) in model.parameters.iter().zip(per_parameter) {
        let empty = StationParameter::default();
        let sp = stations.get(st.ps_code.as_str()).unwrap_or(&empty);
        let (n, f) = (sp.population, sp.failing.len() as u64);
        let w = parameter.weight;
        st.population.push(n);
        st.failing.push(f);
        st.points.push(if n == 0 {
            w
        } else {
            w * (1.0 - f as f64 / n as f64)
        });
        let mut shares: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
        for (&id, rules) in &sp.failing {
            let share = w / (n as f64 * rules.len() as f64);
            for r in rules {
                let e = shares.entry(r.as_str()).or_default();
                e.0 += 1;
                e.1 += share;
            }
            let e = recoverable.entry(id).or_default();
            e.0 += w / n as f64;
            e.1.extend(rules.iter().cloned());
        }
        for (rule, (count, points)) in shares {
            st.lost.push(PointsLost {
                parameter_id: parameter.id.clone(),
                rule_id: rule.to_string(),
                failing_records: count,
                points,
            });
        }
    }
    st.score = st.points.iter().sum();
    st.to_fix = recoverable
        .into_iter()
        .map(|(id, (points, rules))| {
            let (_, table, key) = findings.records.get(id);
            RecordToFix {
                table: table.to_string(),
                record_key: key.to_string(),
                rules,
                recoverable: points,
            }
        })
        .collect();
    st.to_fix.sort_by(|a, b| {
        b.recoverable
            .total_cmp(&a.recoverable)
            .then_with(|| a.table.cmp(&b.table))
            .then_with(|| a.record_key.cmp(&b.record_key))
    });
}
