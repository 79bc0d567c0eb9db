//! The path to first place: the fewest records whose fixing lifts a station
//! to first in its district, or a district to first in its state.
//!
//! Why greedy is optimal: fixing a record of a station removes it from F of
//! each parameter p it fails, raising the score by exactly w_p/N_p there, and
//! these gains add up (N does not change, other records' gains do not
//! change). So the best score reachable with k fixes is the current score
//! plus the k largest recoverable values, and the fewest records to pass the
//! leader is the shortest prefix of the records sorted by recoverable points.
//! For a district, a station's gain counts 1/(its stations) in the mean, the
//! same for every record, so the same argument holds over all its records;
//! likewise for a state over its stations' records (scope `state`, only when
//! the registry holds several states), and for a state among the states of
//! its group (scope `group`, v1.4: the same computation over the group).
//! Other stations and districts do not move when these records are fixed.

use super::round::hundredths;
use super::{DistrictScore, Scores, StateScore, StationScore};
use foldhash::{HashMap, HashMapExt};

/// Which league a path is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// A station within its district.
    Station,
    /// A district within its state.
    District,
    /// A state within the country (a registry of several states).
    State,
    /// A state within its group of states (v1.4).
    Group,
}

/// What it takes to become first.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PathToFirst {
    /// Station or district.
    pub scope: Scope,
    /// Its code.
    pub code: String,
    /// Its current rank.
    pub current_rank: usize,
    /// The leader's score (unrounded; it is compared at two decimals).
    pub leader_score: f64,
    /// The fewest records to fix; 0 when already first; `None` when fixing everything is not enough.
    pub records_needed: Option<usize>,
    /// The score it would then reach (unrounded).
    pub score_reached: Option<f64>,
}

/// The path of every station and district.
pub fn path_to_first(scores: &Scores) -> Vec<PathToFirst> {
    let mut paths = Vec::new();
    let station_leaders: HashMap<&str, &StationScore> = scores
        .stations
        .iter()
        .filter(|l| l.rank_in_district == 1)
        .map(|l| (l.district_code.as_str(), l))
        .collect();
    for s in &scores.stations {
        let Some(leader) = station_leaders.get(s.district_code.as_str()) else {
            continue;
        };
        paths.push(climb(
            Scope::Station,
            &s.ps_code,
            s.rank_in_district,
            s.score,
            &gains(s, 1),
            (leader.score, &leader.ps_code),
        ));
    }
    let district_leaders: HashMap<&str, &DistrictScore> = scores
        .districts
        .iter()
        .filter(|l| l.rank_in_state == 1)
        .map(|l| (l.state_code.as_str(), l))
        .collect();
    let mut stations_of: HashMap<&str, Vec<&StationScore>> = HashMap::new();
    for s in &scores.stations {
        stations_of
            .entry(s.district_code.as_str())
            .or_default()
            .push(s);
    }
    for d in &scores.districts {
        let Some(leader) = district_leaders.get(d.state_code.as_str()) else {
            continue;
        };
        let stations = stations_of.get(d.district_code.as_str());
        let gains = sorted_gains(stations.into_iter().flatten().copied(), d.stations);
        paths.push(climb(
            Scope::District,
            &d.district_code,
            d.rank_in_state,
            d.score,
            &gains,
            (leader.score, &leader.district_code),
        ));
    }
    paths.extend(state_paths(scores, &stations_of));
    paths
}

/// The paths of the states to first in the country and, for the states of
/// a group, in their group, when the registry holds several states.
fn state_paths(
    scores: &Scores,
    stations_of: &HashMap<&str, Vec<&StationScore>>,
) -> Vec<PathToFirst> {
    if scores.states.len() < 2 {
        return Vec::new();
    }
    let all: Vec<&StateScore> = scores.states.iter().collect();
    let league = |scope, members: &[&StateScore], rank: fn(&StateScore) -> Option<usize>| {
        league_paths(scores, stations_of, (scope, rank), members)
    };
    let mut paths = league(Scope::State, &all, |s| Some(s.rank_in_country));
    let mut groups: Vec<&str> = all.iter().filter_map(|s| s.group_id.as_deref()).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let members: Vec<&StateScore> = all
            .iter()
            .copied()
            .filter(|s| s.group_id.as_deref() == Some(group))
            .collect();
        paths.extend(league(Scope::Group, &members, |s| s.rank_in_group));
    }
    paths
}

/// The paths of `members`, a league of states whose ranks `rank` gives, to
/// its first place; a state climbs with its own stations' records.
fn league_paths(
    scores: &Scores,
    stations_of: &HashMap<&str, Vec<&StationScore>>,
    (scope, rank): (Scope, fn(&StateScore) -> Option<usize>),
    members: &[&StateScore],
) -> Vec<PathToFirst> {
    let Some(leader) = members.iter().find(|s| rank(s) == Some(1)) else {
        return Vec::new();
    };
    members
        .iter()
        .filter_map(|state| {
            let own = scores
                .districts
                .iter()
                .filter(|d| d.state_code == state.state_code)
                .filter_map(|d| stations_of.get(d.district_code.as_str()))
                .flatten()
                .copied();
            Some(climb(
                scope,
                &state.state_code,
                rank(state)?,
                state.score,
                &sorted_gains(own, state.stations),
                (leader.score, &leader.state_code),
            ))
        })
        .collect()
}

/// What fixing each record of `stations` adds to their mean over `of` stations, largest first.
fn sorted_gains<'a>(stations: impl Iterator<Item = &'a StationScore>, of: usize) -> Vec<f64> {
    let mut gains: Vec<f64> = stations.flat_map(|s| gains(s, of)).collect();
    gains.sort_by(|a, b| b.total_cmp(a));
    gains
}

/// What fixing each of a station's records adds to a mean over `of`
/// stations, largest first (nothing for a no-upload station).
fn gains(s: &StationScore, of: usize) -> Vec<f64> {
    match s.no_upload {
        true => Vec::new(),
        false => s.to_fix.iter().map(|r| r.recoverable / of as f64).collect(),
    }
}

/// Takes gains (largest first) until the score passes the leader at two decimals.
pub fn climb(
    scope: Scope,
    code: &str,
    rank: usize,
    score: f64,
    gains: &[f64],
    leader: (f64, &str),
) -> PathToFirst {
    let mut path = PathToFirst {
        scope,
        code: code.to_string(),
        current_rank: rank,
        leader_score: leader.0,
        records_needed: None,
        score_reached: None,
    };
    let beats = |s: f64| {
        hundredths(s) > hundredths(leader.0)
            || (hundredths(s) == hundredths(leader.0) && code < leader.1)
    };
    let mut reached = score;
    if rank == 1 || beats(reached) {
        path.records_needed = Some(0);
        path.score_reached = Some(reached);
        return path;
    }
    for (i, gain) in gains.iter().enumerate() {
        reached += gain;
        if beats(reached) {
            path.records_needed = Some(i + 1);
            path.score_reached = Some(reached);
            break;
        }
    }
    path
}
