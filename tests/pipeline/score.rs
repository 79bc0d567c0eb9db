//! Scoring invariants on random violation sets (proptest), rank rules, and
//! the path to first place against brute force.

use cctns_audit::audit::{Findings, FindingsBuilder};
use cctns_audit::contract::{Month, Registry, Station};
use cctns_audit::rules::RulePack;
use cctns_audit::score::{climb, score, PathScope, Scores, ScoringModel};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

fn pack_and_model() -> &'static (RulePack, ScoringModel) {
    static PACK: OnceLock<(RulePack, ScoringModel)> = OnceLock::new();
    PACK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns");
        let pack = RulePack::load(&dir).unwrap();
        let model = ScoringModel::load(&dir, &pack).unwrap();
        (pack, model)
    })
}

fn registry(n: usize) -> Registry {
    Registry::new((0..n).map(|i| Station {
        ps_code: format!("S{i}"),
        ps_name: None,
        ps_name_hi: None,
        district_code: format!("D{}", i % 2),
        district_name: None,
        state_code: Some("UP".into()),
    }))
}

/// A random audit: per station, records of a few tables; each rule has some
/// of its table's records in its population and some of those failing.
#[derive(Debug, Clone)]
struct Case {
    /// (station, rule index, record index, fails)
    entries: Vec<(usize, usize, usize, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    let rules = pack_and_model().0.rules.len();
    prop::collection::vec((0..3usize, 0..rules, 0..6usize, any::<bool>()), 0..60)
        .prop_map(|entries| Case { entries })
}

fn findings(case: &Case, skip: Option<(usize, String, String)>) -> Findings {
    let (pack, _) = pack_and_model();
    let mut found = builder();
    for &(station, rule, record, fails) in &case.entries {
        let r = &pack.rules[rule];
        if r.id == "PS-NO-UPLOAD" {
            continue;
        }
        let (ps, key) = (format!("S{station}"), format!("K{record}"));
        let skipped = skip
            .as_ref()
            .is_some_and(|(s, t, k)| *s == station && *t == r.table && *k == key);
        let failed: &[(usize, &str)] = if fails && !skipped {
            &[(rule, "")]
        } else {
            &[]
        };
        found.add((&ps, &r.table, &key), &[rule], failed);
    }
    found.build()
}

/// An empty builder over the pack's rules, for August 2024.
fn builder() -> FindingsBuilder {
    let ids = pack_and_model()
        .0
        .rules
        .iter()
        .map(|r| r.id.clone())
        .collect();
    FindingsBuilder::new(Month::of(2024, 8), ids)
}

fn scores_of(f: &Findings) -> Scores {
    let (_, model) = pack_and_model();
    score(f, &registry(3), model, &BTreeMap::new())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn shares_add_up_to_losses_and_losses_to_100_minus_score(case in case()) {
        let (_, model) = pack_and_model();
        let scores = scores_of(&findings(&case, None));
        for s in &scores.stations {
            let mut total = 0.0;
            for (i, p) in model.parameters.iter().enumerate() {
                let shares: f64 = s.lost.iter().filter(|l| l.parameter_id == p.id).map(|l| l.points).sum();
                prop_assert!((shares - (p.weight - s.points[i])).abs() < 1e-9, "{} {}: {shares} vs {}", s.ps_code, p.id, p.weight - s.points[i]);
                total += shares;
            }
            prop_assert!((total - (100.0 - s.score)).abs() < 1e-9);
            if s.to_fix.is_empty() {
                prop_assert!((s.score - 100.0).abs() < 1e-9, "no failing record scores 100");
            }
        }
    }

    #[test]
    fn fixing_a_record_gains_exactly_its_recoverable_points(case in case(), pick in 0..100usize) {
        let before = scores_of(&findings(&case, None));
        for s in &before.stations {
            if s.to_fix.is_empty() {
                continue;
            }
            let record = &s.to_fix[pick % s.to_fix.len()];
            let station: usize = s.ps_code[1..].parse().unwrap();
            let after = scores_of(&findings(&case, Some((station, record.table.clone(), record.record_key.clone()))));
            let now = after.stations.iter().find(|x| x.ps_code == s.ps_code).unwrap();
            prop_assert!((now.score - s.score - record.recoverable).abs() < 1e-9);
        }
    }

    #[test]
    fn greedy_path_is_as_short_as_brute_force(gains in prop::collection::vec(0.0f64..5.0, 0..8), score in 50.0f64..99.0, leader in 50.0f64..100.0) {
        let mut sorted = gains.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let path = climb(PathScope::Station, "S2", 2, score, &sorted, (leader, "S1"));
        let beats = |s: f64| (s * 100.0).round() as i64 > (leader * 100.0).round() as i64;
        let mut best: Option<usize> = if beats(score) { Some(0) } else { None };
        for mask in 0u32..(1 << gains.len()) {
            let chosen: Vec<f64> = (0..gains.len()).filter(|i| mask & (1 << i) != 0).map(|i| gains[i]).collect();
            if beats(score + chosen.iter().sum::<f64>()) && best.is_none_or(|b| chosen.len() < b) {
                best = Some(chosen.len());
            }
        }
        prop_assert_eq!(path.records_needed, best);
    }
}

/// Scores of stations `(ps_code, district, N, F)` where P1 has N records and F fail FIR-IO-MISSING.
fn station_scores(values: &[(&str, &str, usize, usize)]) -> Scores {
    let (pack, model) = pack_and_model();
    let reg = Registry::new(values.iter().map(|(ps, d, _, _)| Station {
        ps_code: ps.to_string(),
        ps_name: None,
        ps_name_hi: None,
        district_code: d.to_string(),
        district_name: None,
        state_code: Some("UP".into()),
    }));
    let rule = pack
        .rules
        .iter()
        .position(|r| r.id == "FIR-IO-MISSING")
        .unwrap();
    let mut found = builder();
    for (ps, _, n, failing) in values {
        for k in 0..*n {
            let failed: &[(usize, &str)] = if k < *failing { &[(rule, "")] } else { &[] };
            found.add((ps, "fir", &format!("{k:04}")), &[rule], failed);
        }
    }
    score(&found.build(), &reg, model, &BTreeMap::new())
}

#[test]
fn ties_rank_by_rounded_score_then_code() {
    // B: 100 - 15/2000 = 99.9925 and A: 100 - 15/1000 = 99.985 both round to 99.99:
    // A ranks first by code although B is higher unrounded; C is 100.00.
    let s = station_scores(&[
        ("B", "D1", 2000, 1),
        ("A", "D1", 1000, 1),
        ("C", "D1", 10, 0),
        ("E", "D2", 4, 1),
    ]);
    let ranks: Vec<(&str, usize)> = s
        .stations
        .iter()
        .map(|x| (x.ps_code.as_str(), x.rank_in_district))
        .collect();
    assert_eq!(ranks, vec![("C", 1), ("A", 2), ("B", 3), ("E", 1)]);
    let districts: Vec<(&str, usize)> = s
        .districts
        .iter()
        .map(|d| (d.district_code.as_str(), d.rank_in_state))
        .collect();
    assert_eq!(districts, vec![("D1", 1), ("D2", 2)], "D1 99.99, D2 96.25");
}

#[test]
fn empty_population_scores_full_points_and_absent_station_scores_zero() {
    let (pack, model) = pack_and_model();
    let s = score(&builder().build(), &registry(1), model, &BTreeMap::new());
    assert_eq!(
        s.stations[0].score, 100.0,
        "N = 0 everywhere gives full points"
    );
    let mut found = builder();
    let no_upload = pack
        .rules
        .iter()
        .position(|r| r.id == "PS-NO-UPLOAD")
        .unwrap();
    found.add(("S0", "station", "S0"), &[no_upload], &[(no_upload, "")]);
    let s = score(&found.build(), &registry(1), model, &BTreeMap::new());
    let st = &s.stations[0];
    assert_eq!((st.score, st.points.iter().sum::<f64>()), (0.0, 0.0));
    assert_eq!(st.lost.len(), 1);
    assert_eq!(
        (
            st.lost[0].parameter_id.as_str(),
            st.lost[0].rule_id.as_str(),
            st.lost[0].points
        ),
        ("ALL", "PS-NO-UPLOAD", 100.0)
    );
}

#[test]
fn category_boundaries() {
    let (_, model) = pack_and_model();
    let c: Vec<String> = [0, 20, 21, 50, 51]
        .iter()
        .map(|&n| model.category(n))
        .collect();
    assert_eq!(c, ["A", "A", "B", "B", "C"]);
}
