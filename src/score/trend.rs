//! Trend against the month before: score and rank changes, and the
//! parameter that moved most.

use super::Scores;
use crate::score::round::round_half_away;

/// A station's change since the month before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StationTrend {
    /// Station code.
    pub ps_code: String,
    /// Score of M minus score of M−1 (two-decimal scores).
    pub score_change: f64,
    /// Rank of M−1 minus rank of M: positive means it climbed.
    pub rank_change: i64,
    /// The parameter whose points changed most (by absolute change), if any changed.
    pub parameter_moved_most: Option<String>,
    /// That change in points.
    pub parameter_change: f64,
}

/// A district's change since the month before.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DistrictTrend {
    /// District code.
    pub district_code: String,
    /// Score change (two-decimal scores).
    pub score_change: f64,
    /// Rank change: positive means it climbed.
    pub rank_change: i64,
}

/// Trends of every station and district present in both months.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Trend {
    /// The month compared with.
    pub previous_month: String,
    /// Per station.
    pub stations: Vec<StationTrend>,
    /// Per district.
    pub districts: Vec<DistrictTrend>,
}

/// Compares `now` with `before` (the month before).
pub fn trend(now: &Scores, before: &Scores, parameter_ids: &[String]) -> Trend {
    let r2 = |x: f64| round_half_away(x, 2);
    let stations = now
        .stations
        .iter()
        .filter_map(|s| {
            let b = before.stations.iter().find(|b| b.ps_code == s.ps_code)?;
            let moved = s
                .points
                .iter()
                .zip(&b.points)
                .enumerate()
                .map(|(i, (x, y))| (i, x - y))
                .filter(|(_, d)| d.abs() > 1e-12)
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
            Some(StationTrend {
                ps_code: s.ps_code.clone(),
                score_change: r2(r2(s.score) - r2(b.score)),
                rank_change: b.rank_in_district as i64 - s.rank_in_district as i64,
                parameter_moved_most: moved.and_then(|(i, _)| parameter_ids.get(i).cloned()),
                parameter_change: moved.map_or(0.0, |(_, d)| r2(d)),
            })
        })
        .collect();
    let districts = now
        .districts
        .iter()
        .filter_map(|d| {
            let b = before
                .districts
                .iter()
                .find(|b| b.district_code == d.district_code)?;
            Some(DistrictTrend {
                district_code: d.district_code.clone(),
                score_change: r2(r2(d.score) - r2(b.score)),
                rank_change: b.rank_in_state as i64 - d.rank_in_state as i64,
            })
        })
        .collect();
    Trend {
        previous_month: before.month.to_string(),
        stations,
        districts,
    }
}
