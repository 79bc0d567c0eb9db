//! Unit tests of the gate's judgement.

use super::*;
use crate::score::{DistrictScore, StateScore};

fn station(ps: &str, score: f64, zone: &str) -> StationScore {
    StationScore {
        ps_code: ps.into(),
        ps_name: String::new(),
        ps_name_hi: String::new(),
        district_code: "OR-KHD".into(),
        fir_count: 0,
        category: "A".into(),
        no_upload: false,
        points: Vec::new(),
        population: Vec::new(),
        failing: Vec::new(),
        score,
        rank_in_district: 1,
        zone: Some(zone.into()),
        lost: Vec::new(),
        to_fix: Vec::new(),
    }
}

#[test]
fn min_zone_fails_stations_and_districts_in_a_later_zone() {
    let scores = Scores {
        month: "2024-08".parse().unwrap(),
        stations: vec![
            station("OR-KHD-1", 75.0, "green"),
            station("OR-KHD-2", 65.0, "blue"),
            station("OR-KHD-3", 64.99, "red"),
        ],
        districts: vec![DistrictScore {
            district_code: "OR-KHD".into(),
            district_name: "Khordha".into(),
            state_code: "OR".into(),
            stations: 3,
            score: 68.33,
            rank_in_state: 1,
            zone: Some("blue".into()),
        }],
        states: Vec::<StateScore>::new(),
    };
    let checks = Checks {
        min_zone: Some(MinZone {
            name: "green".into(),
            passing: vec!["green".into()],
        }),
        ..Checks::default()
    };
    let facts = Facts {
        scores: &scores,
        rules: &RuleCounts::default(),
        rows: &crate::audit::StationRows::new(),
    };
    let verdict = judge(&checks, &facts, false);
    let outcomes: Vec<(Option<&str>, &str, bool)> = verdict
        .cases
        .iter()
        .map(|c| {
            (
                c.ps_code.as_deref(),
                c.name.as_str(),
                c.outcome == Outcome::Pass,
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (None, "min_zone", false),
            (Some("OR-KHD-1"), "min_zone", true),
            (Some("OR-KHD-2"), "min_zone", false),
            (Some("OR-KHD-3"), "min_zone", false),
        ]
    );
    assert_eq!(
        verdict.cases[3].outcome,
        Outcome::Fail("zone red (score 64.99) is below the minimum zone green".into())
    );
}

#[test]
fn a_limit_is_broken_only_above_it() {
    assert!(!Limit::Count(3).broken(3, 10));
    assert!(Limit::Count(3).broken(4, 10));
    let five = parse_percent("5%").unwrap();
    assert!(!five.broken(1, 20), "exactly 5% holds");
    assert!(five.broken(2, 20));
    let tiny = parse_percent("0.1%").unwrap();
    assert!(
        !tiny.broken(1, 1000),
        "exactly 0.1% holds (no float rounding)"
    );
    assert!(tiny.broken(2, 1000));
    assert!(
        !parse_percent("0%").unwrap().broken(0, 0),
        "a percent of nothing is 0%"
    );
    assert!(parse_percent("0%").unwrap().broken(1, 7));
    assert_eq!(parse_percent("2.5%").unwrap().text(), "2.5%");
    assert_eq!(Limit::Count(0).text(), "0");
}

#[test]
fn the_fail_limit_wins_over_the_warn_limit() {
    let limits = Limits {
        warn: Some(Limit::Count(1)),
        fail: parse_percent("5%"),
    };
    assert_eq!(limits.judge(1, 100, "x"), Outcome::Pass);
    assert!(matches!(limits.judge(2, 100, "x"), Outcome::Warn(_)));
    assert!(matches!(limits.judge(6, 100, "x"), Outcome::Fail(_)));
}
