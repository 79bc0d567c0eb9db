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
//! same for every record, so the same argument holds over all its records.
//! Other stations and districts do not move when these records are fixed.

use super::round::hundredths;
use super::Scores;

/// Which league a path is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// A station within its district.
    Station,
    /// A district within its state.
    District,
}

/// What it takes to become first.
#[derive(Debug, Clone, serde::Serialize)]
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
    for s in &scores.stations {
        let leader = scores
            .stations
            .iter()
            .find(|l| l.district_code == s.district_code && l.rank_in_district == 1);
        let Some(leader) = leader else { continue };
        let gains: Vec<f64> = if s.no_upload {
            Vec::new()
        } else {
            s.to_fix.iter().map(|r| r.recoverable).collect()
        };
        paths.push(climb(
            Scope::Station,
            &s.ps_code,
            s.rank_in_district,
            s.score,
            &gains,
            (leader.score, &leader.ps_code),
        ));
    }
    for d in &scores.districts {
        let leader = scores
            .districts
            .iter()
            .find(|l| l.state_code == d.state_code && l.rank_in_state == 1);
        let Some(leader) = leader else { continue };
        let mut gains: Vec<f64> = scores
            .stations
            .iter()
            .filter(|s| s.district_code == d.district_code && !s.no_upload)
            .flat_map(|s| s.to_fix.iter().map(|r| r.recoverable / d.stations as f64))
            .collect();
        gains.sort_by(|a, b| b.total_cmp(a));
        paths.push(climb(
            Scope::District,
            &d.district_code,
            d.rank_in_state,
            d.score,
            &gains,
            (leader.score, &leader.district_code),
        ));
    }
    paths
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
