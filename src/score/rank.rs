//! Ranks: stations in their district, districts in their state and states
//! in the country, all by the two-decimal score, highest first, ties by code
//! ascending; ranks start at 1 and are distinct (spec scoring.md v1.3).

use super::round::hundredths;
use super::{Scores, StationScore};
use crate::contract::{Month, Registry};
use std::collections::BTreeMap;

/// A district's score: the mean of its registry stations' unrounded scores.
#[derive(Debug, Clone)]
pub struct DistrictScore {
    /// District code.
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// State code.
    pub state_code: String,
    /// Its stations in the registry.
    pub stations: usize,
    /// Mean score, unrounded.
    pub score: f64,
    /// Rank in its state.
    pub rank_in_state: usize,
    /// Its zone's name (scoring.md v1.4); `None` without zones.
    pub zone: Option<String>,
}

/// A state's score: the mean of its registry stations' unrounded scores.
#[derive(Debug, Clone)]
pub struct StateScore {
    /// State code.
    pub state_code: String,
    /// Its stations in the registry.
    pub stations: usize,
    /// Its districts.
    pub districts: usize,
    /// Mean score, unrounded.
    pub score: f64,
    /// Rank in the country.
    pub rank_in_country: usize,
    /// The id of its group of states (scoring.md v1.4); `None` in no group.
    pub group_id: Option<String>,
    /// Rank in its group; `None` in no group.
    pub rank_in_group: Option<usize>,
    /// Its zone's name; `None` without zones.
    pub zone: Option<String>,
}

/// Ranks the stations within districts, the districts within states and the states in the country.
pub fn rank(month: Month, mut stations: Vec<StationScore>, registry: &Registry) -> Scores {
    stations.sort_by(|a, b| {
        a.district_code
            .cmp(&b.district_code)
            .then_with(|| hundredths(b.score).cmp(&hundredths(a.score)))
            .then_with(|| a.ps_code.cmp(&b.ps_code))
    });
    number_within_groups(
        &mut stations,
        |s| s.district_code.clone(),
        |s, r| s.rank_in_district = r,
    );
    let districts = rank_districts(&stations, registry);
    let states = rank_states(&stations, &districts);
    Scores {
        month,
        stations,
        districts,
        states,
    }
}

fn rank_districts(stations: &[StationScore], registry: &Registry) -> Vec<DistrictScore> {
    let mut by_district: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in stations {
        by_district
            .entry(&s.district_code)
            .or_default()
            .push(s.score);
    }
    let mut districts: Vec<DistrictScore> = by_district
        .into_iter()
        .map(|(code, scores)| {
            let first = registry.stations().find(|s| s.district_code == code);
            DistrictScore {
                district_code: code.to_string(),
                district_name: first
                    .and_then(|s| s.district_name.clone())
                    .unwrap_or_default(),
                state_code: first.and_then(|s| s.state_code.clone()).unwrap_or_default(),
                stations: scores.len(),
                score: scores.iter().sum::<f64>() / scores.len() as f64,
                rank_in_state: 0,
                zone: None,
            }
        })
        .collect();
    districts.sort_by(|a, b| {
        a.state_code
            .cmp(&b.state_code)
            .then_with(|| hundredths(b.score).cmp(&hundredths(a.score)))
            .then_with(|| a.district_code.cmp(&b.district_code))
    });
    number_within_groups(
        &mut districts,
        |d| d.state_code.clone(),
        |d, r| d.rank_in_state = r,
    );
    districts
}

/// States with their stations' mean score, ranked in the country; a
/// station's state is its district's.
fn rank_states(stations: &[StationScore], districts: &[DistrictScore]) -> Vec<StateScore> {
    let state_of: BTreeMap<&str, &str> = districts
        .iter()
        .map(|d| (d.district_code.as_str(), d.state_code.as_str()))
        .collect();
    let mut by_state: BTreeMap<&str, (Vec<f64>, usize)> = BTreeMap::new();
    for s in stations {
        let state = state_of
            .get(s.district_code.as_str())
            .copied()
            .unwrap_or_default();
        by_state.entry(state).or_default().0.push(s.score);
    }
    for d in districts {
        by_state.entry(&d.state_code).or_default().1 += 1;
    }
    let mut states: Vec<StateScore> = by_state
        .into_iter()
        .filter(|(_, (scores, _))| !scores.is_empty())
        .map(|(code, (scores, districts))| StateScore {
            state_code: code.to_string(),
            stations: scores.len(),
            districts,
            score: scores.iter().sum::<f64>() / scores.len() as f64,
            rank_in_country: 0,
            group_id: None,
            rank_in_group: None,
            zone: None,
        })
        .collect();
    states.sort_by(|a, b| league_order((a.score, &a.state_code), (b.score, &b.state_code)));
    number_within_groups(&mut states, |_| String::new(), |s, r| s.rank_in_country = r);
    states
}

/// The order of a league: score rounded to two decimals, highest first,
/// then code ascending; each side is `(unrounded score, code)`.
pub fn league_order(a: (f64, &str), b: (f64, &str)) -> std::cmp::Ordering {
    hundredths(b.0)
        .cmp(&hundredths(a.0))
        .then_with(|| a.1.cmp(b.1))
}

/// Numbers sorted items 1, 2, … within each run of equal `group`.
fn number_within_groups<T>(
    items: &mut [T],
    group: impl Fn(&T) -> String,
    set: impl Fn(&mut T, usize),
) {
    let mut previous: Option<String> = None;
    let mut rank = 0;
    for item in items {
        let g = group(item);
        if previous.as_ref() != Some(&g) {
            previous = Some(g);
            rank = 0;
        }
        rank += 1;
        set(item, rank);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{path_to_first, PathScope, RecordToFix};
    use super::*;

    fn station(ps: &str, district: &str, score: f64, fixes: &[f64]) -> StationScore {
        StationScore {
            ps_code: ps.into(),
            ps_name: String::new(),
            ps_name_hi: String::new(),
            district_code: district.into(),
            fir_count: 0,
            category: "A".into(),
            no_upload: score == 0.0,
            points: Vec::new(),
            population: Vec::new(),
            failing: Vec::new(),
            score,
            rank_in_district: 0,
            zone: None,
            lost: Vec::new(),
            to_fix: fixes
                .iter()
                .enumerate()
                .map(|(i, gain)| RecordToFix {
                    table: "fir".into(),
                    record_key: format!("{i:04}/2024"),
                    rules: vec!["FIR-IO-MISSING".into()],
                    recoverable: *gain,
                })
                .collect(),
        }
    }

    fn registry(stations: &[(&str, &str, &str)]) -> Registry {
        Registry::new(
            stations
                .iter()
                .map(|(ps, d, state)| crate::contract::Station {
                    ps_code: ps.to_string(),
                    ps_name: None,
                    ps_name_hi: None,
                    district_code: d.to_string(),
                    district_name: None,
                    state_code: Some(state.to_string()),
                }),
        )
    }

    fn month() -> Month {
        "2024-08".parse().unwrap()
    }

    #[test]
    fn states_tie_by_code_and_a_state_that_uploaded_nothing_ranks_last() {
        let reg = registry(&[
            ("UP-A-1", "UP-A", "UP"),
            ("DL-A-1", "DL-A", "DL"),
            ("HR-A-1", "HR-A", "HR"),
        ]);
        let scores = rank(
            month(),
            vec![
                station("UP-A-1", "UP-A", 90.004, &[]),
                station("DL-A-1", "DL-A", 89.996, &[]),
                station("HR-A-1", "HR-A", 0.0, &[]),
            ],
            &reg,
        );
        let ranked: Vec<(&str, usize)> = scores
            .states
            .iter()
            .map(|s| (s.state_code.as_str(), s.rank_in_country))
            .collect();
        assert_eq!(
            ranked,
            [("DL", 1), ("UP", 2), ("HR", 3)],
            "90.00 = 90.00: by code"
        );
    }

    #[test]
    fn districts_of_two_states_rank_apart_and_the_second_state_has_its_path() {
        let reg = registry(&[
            ("UP-LKO-1", "UP-LKO", "UP"),
            ("HR-LKO-1", "HR-LKO", "HR"),
            ("HR-GGN-1", "HR-GGN", "HR"),
        ]);
        let scores = rank(
            month(),
            vec![
                station("UP-LKO-1", "UP-LKO", 95.0, &[]),
                station("HR-LKO-1", "HR-LKO", 90.0, &[4.0, 4.0, 4.0]),
                station("HR-GGN-1", "HR-GGN", 94.0, &[]),
            ],
            &reg,
        );
        let firsts: Vec<&str> = scores
            .districts
            .iter()
            .filter(|d| d.rank_in_state == 1)
            .map(|d| d.district_code.as_str())
            .collect();
        assert_eq!(
            firsts,
            ["HR-GGN", "UP-LKO"],
            "each state has its own first district"
        );
        let hr = path_to_first(&scores)
            .into_iter()
            .find(|p| p.scope == PathScope::State && p.code == "HR")
            .unwrap();
        // HR's mean is 92.00; each record fixed adds 4 / 2 stations = 2 points: 94, 96 passes 95.
        assert_eq!((hr.current_rank, hr.records_needed), (2, Some(2)));
        assert!((hr.score_reached.unwrap() - 96.0).abs() < 1e-9);
    }

    #[test]
    fn a_state_of_a_group_has_its_path_to_first_in_the_group_and_in_the_country() {
        let reg = registry(&[
            ("HR-A-1", "HR-A", "HR"),
            ("HP-A-1", "HP-A", "HP"),
            ("UK-A-1", "UK-A", "UK"),
        ]);
        let mut scores = rank(
            month(),
            vec![
                station("HR-A-1", "HR-A", 99.0, &[]),
                station("HP-A-1", "HP-A", 95.0, &[2.0, 2.0, 2.0]),
                station("UK-A-1", "UK-A", 90.0, &[4.0, 4.0]),
            ],
            &reg,
        );
        let hilly = super::super::StateGroup {
            id: "hilly-ne".into(),
            name: "Hilly".into(),
            name_hi: None,
            states: vec!["HP".into(), "UK".into(), "SK".into()],
        };
        super::super::group::rank_in_groups(&mut scores.states, &[hilly]);
        let paths = path_to_first(&scores);
        let of = |scope: PathScope, code: &str| {
            paths
                .iter()
                .find(|p| p.scope == scope && p.code == code)
                .map(|p| (p.current_rank, p.records_needed))
        };
        assert_eq!(of(PathScope::Group, "HP"), Some((1, Some(0))));
        // UK: 90 + 4 = 94 < 95, + 4 = 98 passes HP; in the country 98 stays below HR's 99.
        assert_eq!(of(PathScope::Group, "UK"), Some((2, Some(2))));
        assert_eq!(of(PathScope::State, "UK"), Some((3, None)));
        // HP: 95 + 2 + 2 = 99.00 ties HR's 99.00 and HP < HR by code.
        assert_eq!(of(PathScope::State, "HP"), Some((2, Some(2))));
        assert_eq!(of(PathScope::Group, "HR"), None, "HR is in no group");
        assert_eq!(
            paths.iter().filter(|p| p.scope == PathScope::Group).count(),
            2
        );
    }
}
