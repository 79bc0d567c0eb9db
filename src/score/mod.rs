//! Score: what an audit found, weighed by the scoring model, per station.
//!
//! Input: [`Findings`], the registry, the model and each station's
//! distinct FIRs of the month. Output: [`Scores`]: per station its points per
//! parameter, score, category, rank in district, the rule shares of every
//! lost point and the records to fix first; per district its mean score and
//! rank in the state; per state its rank in the country and, in a group of
//! states, in the group; for every unit its zone (v1.4). Invariants: the shares of a parameter add up to its
//! loss; all losses add up to 100 − score; computed in `f64`, rounded only
//! when written (and for ranks, which use two-decimal scores).

// Not an input path: scoring indexes the parameter and record vectors it built.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod group;
mod model;
mod path;
mod rank;
mod round;
mod trend;
mod zone;

pub use group::StateGroup;
pub use model::{Category, Parameter, ScoringModel, Volume};
pub use path::{climb, path_to_first, PathToFirst, Scope as PathScope};
pub use rank::{rank, DistrictScore, StateScore};
pub use round::round_half_away;
pub use trend::{
    trend, DistrictSummary, DistrictTrend, ScoreSummary, StationSummary, StationTrend, Trend,
};
pub use zone::{zone_name, zone_of, Zone};

use crate::audit::{Findings, RuleSet};
use crate::contract::{Month, Registry};
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
    /// Its zone's name (scoring.md v1.4); `None` without zones.
    pub zone: Option<String>,
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
    registry: &Registry,
    model: &ScoringModel,
    fir_counts: &BTreeMap<String, u64>,
) -> Scores {
    let no_upload = no_upload_stations(findings, model);
    let per_station = station_parameters(findings, model);
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
                zone: None,
                lost: Vec::new(),
                to_fix: Vec::new(),
            };
            fill_station(
                &mut st,
                model,
                per_station.get(s.ps_code.as_str()),
                findings,
            );
            st
        })
        .collect();
    let mut scores = rank(findings.month, stations, registry);
    place_in_leagues(&mut scores, model);
    scores
}

/// Sets every station's, district's and state's zone and every grouped
/// state's group and rank in it (scoring.md v1.4).
pub fn place_in_leagues(scores: &mut Scores, model: &ScoringModel) {
    let zones = &model.zones;
    for s in &mut scores.stations {
        s.zone = zone_name(zones, s.score);
    }
    for d in &mut scores.districts {
        d.zone = zone_name(zones, d.score);
    }
    for s in &mut scores.states {
        s.zone = zone_name(zones, s.score);
    }
    group::rank_in_groups(&mut scores.states, &model.state_groups);
}

/// Populations and failures of one parameter at one station.
#[derive(Default, Clone)]
struct StationParameter {
    /// N: distinct records in the population of any rule of the parameter.
    population: u64,
    /// The failing records (indices into [`Findings::failing`]) and the
    /// rules of the parameter each fails, in the parameter's order.
    failing: Vec<(usize, Vec<String>)>,
}

/// Per station, its N and failing records for every parameter of the model.
fn station_parameters<'a>(
    findings: &'a Findings,
    model: &ScoringModel,
) -> HashMap<&'a str, Vec<StationParameter>> {
    let sets: Vec<RuleSet> = model
        .parameters
        .iter()
        .map(|p| findings.set_of(&p.rules))
        .collect();
    let bits: Vec<Vec<(usize, &String)>> = model
        .parameters
        .iter()
        .map(|p| {
            p.rules
                .iter()
                .filter_map(|id| findings.bit_of(id).map(|b| (b, id)))
                .collect()
        })
        .collect();
    let empty = vec![StationParameter::default(); sets.len()];
    let mut by_station: HashMap<&str, Vec<StationParameter>> = HashMap::new();
    for passing in &findings.passing {
        let entry = by_station
            .entry(passing.ps_code.as_str())
            .or_insert_with(|| empty.clone());
        for (sp, set) in entry.iter_mut().zip(&sets) {
            if passing.population.meets(set) {
                sp.population += passing.records;
            }
        }
    }
    for (index, record) in findings.failing.iter().enumerate() {
        let touched = record
            .population
            .union(&record.failed_set(findings.rules.len()));
        let entry = by_station
            .entry(record.ps_code.as_str())
            .or_insert_with(|| empty.clone());
        for ((sp, set), bits) in entry.iter_mut().zip(&sets).zip(&bits) {
            if !touched.meets(set) {
                continue;
            }
            sp.population += 1;
            let failed: Vec<String> = bits
                .iter()
                .filter(|(b, _)| record.failed.contains_key(b))
                .map(|(_, id)| (*id).clone())
                .collect();
            if !failed.is_empty() {
                sp.failing.push((index, failed));
            }
        }
    }
    by_station
}

fn no_upload_stations<'a>(findings: &'a Findings, model: &ScoringModel) -> HashSet<&'a str> {
    let Some(bit) = model
        .no_upload_rule
        .as_ref()
        .and_then(|id| findings.bit_of(id))
    else {
        return HashSet::new();
    };
    findings
        .failing
        .iter()
        .filter(|r| r.failed.contains_key(&bit))
        .map(|r| r.ps_code.as_str())
        .collect()
}

/// Points, shares and records to fix of one station.
fn fill_station(
    st: &mut StationScore,
    model: &ScoringModel,
    parameters: Option<&Vec<StationParameter>>,
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
    let mut recoverable: BTreeMap<usize, (f64, Vec<String>)> = BTreeMap::new();
    let empty = StationParameter::default();
    for (p, parameter) in model.parameters.iter().enumerate() {
        let sp = parameters.and_then(|all| all.get(p)).unwrap_or(&empty);
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
        for (id, rules) in &sp.failing {
            let share = w / (n as f64 * rules.len() as f64);
            for r in rules {
                let e = shares.entry(r.as_str()).or_default();
                e.0 += 1;
                e.1 += share;
            }
            let e = recoverable.entry(*id).or_default();
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
            let record = &findings.failing[id];
            RecordToFix {
                table: record.table.clone(),
                record_key: record.record_key.clone(),
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
