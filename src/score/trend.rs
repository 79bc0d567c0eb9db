//! Trend against the month before: score and rank changes, and the
//! parameter that moved most. Compares two [`ScoreSummary`]s, the part of
//! a month's [`Scores`] that the score history keeps.

use super::Scores;
use crate::contract::Month;
use crate::score::round::round_half_away;
use foldhash::{HashMap, HashMapExt};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// What a month's scores leave for later months: per station and district
/// the unrounded score, the rank and (stations) the points per parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreSummary {
    /// The month.
    pub month: Month,
    /// Per station, by district then rank.
    pub stations: Vec<StationSummary>,
    /// Per district, by state rank.
    pub districts: Vec<DistrictSummary>,
}

/// A station's line of a [`ScoreSummary`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StationSummary {
    /// Station code.
    pub ps_code: String,
    /// District code.
    pub district_code: String,
    /// FIR-volume band.
    pub category: String,
    /// The score, unrounded.
    #[serde(deserialize_with = "exact_f64")]
    pub score: f64,
    /// Rank in its district.
    pub rank_in_district: usize,
    /// Points per parameter, in model order.
    #[serde(deserialize_with = "exact_f64s")]
    pub points: Vec<f64>,
}

/// A district's line of a [`ScoreSummary`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DistrictSummary {
    /// District code.
    pub district_code: String,
    /// Mean score, unrounded.
    #[serde(deserialize_with = "exact_f64")]
    pub score: f64,
    /// Rank in its state.
    pub rank_in_state: usize,
}

impl Scores {
    /// The part of these scores later months compare with.
    pub fn summary(&self) -> ScoreSummary {
        ScoreSummary {
            month: self.month,
            stations: self
                .stations
                .iter()
                .map(|s| StationSummary {
                    ps_code: s.ps_code.clone(),
                    district_code: s.district_code.clone(),
                    category: s.category.clone(),
                    score: s.score,
                    rank_in_district: s.rank_in_district,
                    points: s.points.clone(),
                })
                .collect(),
            districts: self
                .districts
                .iter()
                .map(|d| DistrictSummary {
                    district_code: d.district_code.clone(),
                    score: d.score,
                    rank_in_state: d.rank_in_state,
                })
                .collect(),
        }
    }
}

/// A station's change since the month before.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DistrictTrend {
    /// District code.
    pub district_code: String,
    /// Score change (two-decimal scores).
    pub score_change: f64,
    /// Rank change: positive means it climbed.
    pub rank_change: i64,
}

/// Trends of every station and district present in both months.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Trend {
    /// The month compared with.
    pub previous_month: String,
    /// Per station.
    pub stations: Vec<StationTrend>,
    /// Per district.
    pub districts: Vec<DistrictTrend>,
}

/// Compares `now` with `before` (the month before).
pub fn trend(now: &ScoreSummary, before: &ScoreSummary, parameter_ids: &[String]) -> Trend {
    let r2 = |x: f64| round_half_away(x, 2);
    let stations_before = by_code(&before.stations, |s| &s.ps_code);
    let stations = now
        .stations
        .iter()
        .filter_map(|s| {
            let b = stations_before.get(s.ps_code.as_str())?;
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
    let districts_before = by_code(&before.districts, |d| &d.district_code);
    let districts = now
        .districts
        .iter()
        .filter_map(|d| {
            let b = districts_before.get(d.district_code.as_str())?;
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

/// The items of `items` by their code (the first of any repeated code).
fn by_code<'a, T>(items: &'a [T], code: impl Fn(&'a T) -> &'a String) -> HashMap<&'a str, &'a T> {
    let mut map = HashMap::with_capacity(items.len());
    for item in items {
        map.entry(code(item).as_str()).or_insert(item);
    }
    map
}

/// A JSON number read back exactly. `serde_json` writes the shortest text
/// that reads back as the same `f64`, but its own reader may be one unit in
/// the last place off; Rust's parser rounds correctly.
fn exact_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let raw = <Box<RawValue>>::deserialize(d)?;
    raw.get().parse().map_err(serde::de::Error::custom)
}

/// A JSON array of numbers read back exactly (see [`exact_f64`]).
fn exact_f64s<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let raw = <Vec<Box<RawValue>>>::deserialize(d)?;
    raw.iter()
        .map(|r| r.get().parse().map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_back_bit_for_bit() {
        let hard = [
            0.1 + 0.2,
            99.570_000_000_000_01,
            1.0 / 3.0,
            9_007_199_254_740_993.0_f64.sqrt(),
            12.345_678_901_234_567,
            f64::MIN_POSITIVE,
        ];
        let summary = ScoreSummary {
            month: Month::of(2024, 7),
            stations: vec![StationSummary {
                ps_code: "UP-1".into(),
                district_code: "UP-D".into(),
                category: "B".into(),
                score: hard[0],
                rank_in_district: 1,
                points: hard.to_vec(),
            }],
            districts: vec![DistrictSummary {
                district_code: "UP-D".into(),
                score: hard[1],
                rank_in_state: 1,
            }],
        };
        let text = serde_json::to_string(&summary).unwrap();
        let back: ScoreSummary = serde_json::from_str(&text).unwrap();
        let bits = |s: &ScoreSummary| -> Vec<u64> {
            s.stations[0]
                .points
                .iter()
                .chain([&s.stations[0].score, &s.districts[0].score])
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(bits(&back), bits(&summary));
        assert_eq!(back, summary);
    }
}
