//! Zones (spec scoring.md v1.4): the bands a dashboard colours its units
//! by, green, blue and red on Odisha's. Input: the model's `zones`, in the
//! order written; output: the zone of a station's, a district's or a
//! state's score. Invariant of a checked model: `min_score` falls strictly
//! from one zone to the next and the last is 0, so every score from 0 to
//! 100 has exactly one zone.

use super::round::round_half_away;
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// One zone: the scores from its `min_score` up to the zone before it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Its name, e.g. `green`; `min_zone` of a checks file names it.
    pub name: String,
    /// Its name in Hindi, e.g. `हरा`, when the model gives it.
    #[serde(default)]
    pub name_hi: Option<String>,
    /// The lowest two-decimal score in the zone.
    pub min_score: f64,
}

/// The zone of `score`: the first of `zones`, in the order written, whose
/// `min_score` is at most the score rounded to two decimals (halves away
/// from zero); `None` without zones.
pub fn zone_of(zones: &[Zone], score: f64) -> Option<&Zone> {
    let rounded = round_half_away(score, 2);
    zones.iter().find(|z| z.min_score <= rounded)
}

/// The name of the zone of `score`, as the output files write it.
pub fn zone_name(zones: &[Zone], score: f64) -> Option<String> {
    zone_of(zones, score).map(|z| z.name.clone())
}

/// Every problem of `zones`, each placed by `at(i)` (the `file:line` of
/// zone i): a name used twice, a `min_score` that is not a score, or that
/// does not fall strictly below the zone before it, and a last zone whose
/// `min_score` is not 0.
pub fn zone_problems(zones: &[Zone], at: impl Fn(usize) -> String) -> Vec<Error> {
    let mut problems = Vec::new();
    for (i, zone) in zones.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|b| zones.get(b));
        if zones.iter().take(i).any(|z| z.name == zone.name) {
            problems.push(Error::usage(
                at(i),
                format!("two zones are named `{}`", zone.name),
                "give each zone its own name",
            ));
        }
        if !(0.0..=100.0).contains(&zone.min_score) {
            problems.push(Error::usage(
                at(i),
                format!(
                    "zone `{}`: min_score {} is not a score",
                    zone.name, zone.min_score
                ),
                "write a score from 0 to 100",
            ));
        } else if let Some(b) = before.filter(|b| zone.min_score >= b.min_score) {
            problems.push(not_falling(at(i), zone, b));
        }
    }
    if let Some(last) = zones.last().filter(|z| z.min_score != 0.0) {
        problems.push(Error::usage(
            at(zones.len() - 1),
            format!(
                "the last zone `{}` has min_score {}, not 0",
                last.name, last.min_score
            ),
            "end the zones with one of min_score: 0, so that every score has a zone",
        ));
    }
    problems
}

/// A zone whose `min_score` does not fall below the one before it.
fn not_falling(place: String, zone: &Zone, before: &Zone) -> Error {
    Error::usage(
        place,
        format!(
            "zone `{}`: min_score {} is not below the {} of zone `{}` before it",
            zone.name, zone.min_score, before.min_score, before.name
        ),
        "write the zones from the highest min_score down, each strictly lower than the one before",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(bands: &[(&str, f64)]) -> Vec<Zone> {
        bands
            .iter()
            .map(|(name, min)| Zone {
                name: name.to_string(),
                name_hi: None,
                min_score: *min,
            })
            .collect()
    }

    fn odisha() -> Vec<Zone> {
        zones(&[("green", 75.0), ("blue", 65.0), ("red", 0.0)])
    }

    fn name(score: f64) -> String {
        zone_name(&odisha(), score).unwrap()
    }

    #[test]
    fn a_score_takes_the_first_zone_its_two_decimal_value_reaches() {
        assert_eq!(name(75.0), "green", "exactly 75.00");
        assert_eq!(name(74.995), "green", "74.995 is written 75.00");
        assert_eq!(name(74.994), "blue", "74.994 is written 74.99");
        assert_eq!(name(65.0), "blue");
        assert_eq!(name(64.99), "red");
        assert_eq!(name(64.995), "blue", "64.995 is written 65.00");
        assert_eq!(name(0.0), "red", "a station that uploaded nothing");
        assert_eq!(name(100.0), "green");
        assert_eq!(zone_name(&[], 80.0), None, "no zones, no zone");
    }

    #[test]
    fn fractional_bands_compare_with_the_rounded_score() {
        let z = zones(&[("top", 99.99), ("rest", 0.0)]);
        assert_eq!(
            zone_name(&z, 99.985).unwrap(),
            "top",
            "99.985 is written 99.99"
        );
        assert_eq!(zone_name(&z, 99.984).unwrap(), "rest");
    }

    fn problems(bands: &[(&str, f64)]) -> Vec<String> {
        zone_problems(&zones(bands), |i| format!("scoring.yaml:{}", 10 + i))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_default_bands_are_valid() {
        assert!(problems(&[("green", 75.0), ("blue", 65.0), ("red", 0.0)]).is_empty());
        assert!(problems(&[]).is_empty(), "no zones is valid");
    }

    #[test]
    fn a_band_that_does_not_fall_strictly_is_an_error_on_its_line() {
        assert_eq!(
            problems(&[("green", 75.0), ("blue", 75.0), ("red", 0.0)]),
            ["scoring.yaml:11: zone `blue`: min_score 75 is not below the 75 of zone `green` before it; write the zones from the highest min_score down, each strictly lower than the one before"]
        );
        assert_eq!(
            problems(&[("blue", 65.0), ("green", 75.0), ("red", 0.0)]).len(),
            1
        );
    }

    #[test]
    fn a_last_band_above_zero_is_an_error_on_its_line() {
        assert_eq!(
            problems(&[("green", 75.0), ("blue", 65.0)]),
            ["scoring.yaml:11: the last zone `blue` has min_score 65, not 0; end the zones with one of min_score: 0, so that every score has a zone"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let all = problems(&[("green", 120.0), ("red", 80.0), ("red", 90.0)]);
        assert_eq!(all.len(), 4, "{all:#?}");
        assert!(all[0].starts_with("scoring.yaml:10: zone `green`: min_score 120 is not a score"));
        assert!(all[1].starts_with("scoring.yaml:12: two zones are named `red`"));
        assert!(all[2].starts_with("scoring.yaml:12: zone `red`: min_score 90 is not below"));
        assert!(all[3].starts_with("scoring.yaml:12: the last zone `red` has min_score 90"));
    }
}
