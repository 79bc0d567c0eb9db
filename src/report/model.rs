//! The report model: the whole audit of a month as one typed document,
//! built once from the audit's scores. It is `report.json` as written, and
//! the one source of `report.html`, the handouts, `summary.md` and
//! `explain`, which read it back typed ([`Report::load`]); no number is
//! computed twice and no field is looked up by string.
//!
//! Numbers are rounded here as the files show them: scores and points two
//! decimals, shares and recoverable points four (halves away from zero).

use crate::contract::Month;
use crate::score::{PathToFirst, StateGroup, Trend, Zone};
use serde::{Deserialize, Serialize};

/// How many records to fix are kept per station in the report.
pub const RECORDS_TO_FIX_LISTED: usize = 50;

/// How many points the path-to-first chart of a station draws at most.
const CLIMB_POINTS: usize = 40;

/// The audit of one month, as `report.json` holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The audited month.
    pub month: Month,
    /// How and from what the audit ran.
    pub run: Run,
    /// The scoring model's parameters, in model order.
    pub parameters: Vec<ParameterInfo>,
    /// The pack's rules, in pack order.
    pub rules: Vec<RuleInfo>,
    /// The model's zones, highest first (v1.4; empty without zones).
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// The model's groups of states (v1.4).
    #[serde(default)]
    pub state_groups: Vec<StateGroup>,
    /// The whole state (or every state of the registry).
    pub state: AreaLoss,
    /// States by rank in the country, when the registry holds several.
    #[serde(default)]
    pub states: Vec<StateReport>,
    /// Districts, by rank in the state.
    pub districts: Vec<DistrictReport>,
    /// Registry stations, by district and rank.
    pub stations: Vec<StationReport>,
    /// Paths to first place of every station and district.
    pub path_to_first: Vec<PathToFirst>,
    /// The change since the month before, when the lake holds it.
    pub trend: Option<Trend>,
    /// Violations written to `violations.csv`.
    pub violations: usize,
}

/// How and from what the audit ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// When (RFC 3339, UTC).
    pub generated_at: String,
    /// The lake folder.
    pub lake: String,
    /// The lake snapshot read.
    pub snapshot: u64,
    /// Which rule pack (`built-in rules/cctns` or its folder).
    pub rule_pack: String,
    /// SHA-256 of the pack's rule and scoring files.
    pub rule_pack_sha256: String,
    /// The months read.
    pub months_read: String,
}

/// A parameter of the scoring model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterInfo {
    /// Its id (`P1`).
    pub id: String,
    /// Its name in English.
    pub name: String,
    /// Its name in Hindi (the English one when the model gives none).
    pub name_hi: String,
    /// Its weight.
    pub weight: f64,
}

/// A rule of the pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleInfo {
    /// Its id.
    pub id: String,
    /// Its table.
    pub table: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What a failing record lacks, in English.
    pub description: String,
    /// The same in Hindi (the English one when the pack gives none).
    pub description_hi: String,
}

/// Mean points lost per station, by parameter, over an area.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AreaLoss {
    /// Registry stations of the area.
    pub stations: usize,
    /// Mean points lost per station for each parameter, in model order (four decimals).
    pub lost_by_parameter: Vec<f64>,
}

/// A state and its rank in the country.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateReport {
    /// Code.
    pub state_code: String,
    /// Registry stations.
    pub stations: usize,
    /// Districts.
    pub districts: usize,
    /// Mean score of its stations (two decimals).
    pub score: f64,
    /// Rank in the country.
    pub rank_in_country: usize,
    /// The id of its group of states, if any.
    pub group_id: Option<String>,
    /// Rank in its group, if in one.
    pub rank_in_group: Option<usize>,
    /// Its zone's name, if the model has zones.
    pub zone: Option<String>,
}

/// A district and its standing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DistrictReport {
    /// Code.
    pub district_code: String,
    /// Name.
    pub district_name: String,
    /// State code.
    pub state_code: String,
    /// Registry stations.
    pub stations: usize,
    /// Mean score of its stations (two decimals).
    pub score: f64,
    /// Rank in the state.
    pub rank_in_state: usize,
    /// Its zone's name, if the model has zones.
    pub zone: Option<String>,
    /// Score change since the month before, when known.
    pub score_change: Option<f64>,
    /// Rank change since the month before (positive: climbed), when known.
    pub rank_change: Option<i64>,
    /// Mean points lost per station, by parameter (four decimals).
    pub lost_by_parameter: Vec<f64>,
}

/// A station's score and gap report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StationReport {
    /// Code.
    pub ps_code: String,
    /// English name.
    pub ps_name: String,
    /// Devanagari name.
    pub ps_name_hi: String,
    /// District code.
    pub district_code: String,
    /// Distinct FIRs of the month.
    pub fir_count: u64,
    /// Volume category.
    pub category: String,
    /// Score (two decimals).
    pub score: f64,
    /// Rank in the district.
    pub rank_in_district: usize,
    /// Its zone's name, if the model has zones.
    pub zone: Option<String>,
    /// Whether it uploaded nothing.
    pub no_upload: bool,
    /// Distinct failing records.
    pub failing_records: usize,
    /// Score change since the month before, when known.
    pub score_change: Option<f64>,
    /// Rank change since the month before (positive: climbed), when known.
    pub rank_change: Option<i64>,
    /// Points per parameter, in model order.
    pub parameters: Vec<ParameterScore>,
    /// Each rule's share of the lost points, largest first.
    pub points_lost: Vec<RuleShare>,
    /// The records whose fixing gains most, best first (at most [`RECORDS_TO_FIX_LISTED`]).
    pub records_to_fix_first: Vec<Fix>,
    /// The score after fixing the first `fixed` records to fix, up to first place.
    pub climb: Vec<ClimbStep>,
}

/// A station's points in one parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterScore {
    /// Parameter id.
    pub id: String,
    /// Parameter name.
    pub name: String,
    /// Weight.
    pub weight: f64,
    /// Points (two decimals).
    pub points: f64,
    /// Points lost (four decimals).
    pub lost: f64,
    /// N: records in the parameter's population.
    pub population: u64,
    /// F: those failing one of its rules.
    pub failing: u64,
}

/// One rule's share of a station's lost points.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleShare {
    /// Parameter id (`ALL` for the no-upload rule).
    pub parameter_id: String,
    /// Rule id.
    pub rule_id: String,
    /// The station's records failing it.
    pub failing_records: u64,
    /// Its share of the lost points (four decimals).
    pub points_lost: f64,
}

/// A failing record and what fixing it gains.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fix {
    /// Its table.
    pub table: String,
    /// Its record key.
    pub record_key: String,
    /// The scored rules it fails.
    pub rules: Vec<String>,
    /// Points gained by fixing it alone (four decimals).
    pub recoverable_points: f64,
}

/// A point of the path to first place.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ClimbStep {
    /// Records fixed, in the order of the records to fix.
    pub fixed: usize,
    /// The score then (two decimals).
    pub score: f64,
}

mod build;

/// A small report for the renderers' unit tests: two stations of one
/// district, one of them with a hostile name and record key.
#[cfg(test)]
pub(crate) fn tiny() -> Report {
    let parameter = |id: &str, points: f64| {
        serde_json::json!({"id": id, "name": format!("{id} name"), "weight": 10.0,
            "points": points, "lost": 10.0 - points, "population": 4, "failing": 1})
    };
    let station = |code: &str, name: &str, score: f64, rank: usize, key: &str| {
        serde_json::json!({
            "ps_code": code, "ps_name": name, "ps_name_hi": "थाना", "district_code": "UP-X",
            "fir_count": 4, "category": "A", "score": score, "rank_in_district": rank,
            "no_upload": false, "failing_records": 1, "score_change": 1.5, "rank_change": 1,
            "parameters": [parameter("P1", score / 2.0 - 40.0), parameter("P2", 10.0)],
            "points_lost": [{"parameter_id": "P1", "rule_id": "R1", "failing_records": 1, "points_lost": 100.0 - score}],
            "records_to_fix_first": [{"table": "fir", "record_key": key, "rules": ["R1"], "recoverable_points": 100.0 - score}],
            "climb": [{"fixed": 0, "score": score}, {"fixed": 1, "score": 100.0}],
        })
    };
    serde_json::from_value(serde_json::json!({
        "month": "2024-08",
        "run": {"generated_at": "t", "lake": "lake", "snapshot": 3, "rule_pack": "built-in rules/cctns",
                "rule_pack_sha256": "abc", "months_read": "up to 2024-08"},
        "parameters": [{"id": "P1", "name": "One", "name_hi": "एक", "weight": 10.0},
                       {"id": "P2", "name": "Two", "name_hi": "दो", "weight": 10.0}],
        "rules": [{"id": "R1", "table": "fir", "severity": "error",
                   "description": "The officer is blank.", "description_hi": "अधिकारी खाली है।"}],
        "state": {"stations": 2, "lost_by_parameter": [1.0, 0.0]},
        "districts": [{"district_code": "UP-X", "district_name": "<b>X</b>", "state_code": "UP", "stations": 2,
                       "score": 97.0, "rank_in_state": 1, "score_change": -0.5, "rank_change": 0,
                       "lost_by_parameter": [1.0, 0.0]}],
        "stations": [station("UP-X-1", "Good", 99.0, 1, "0001/2024"),
                     station("UP-X-2", "<script>alert(1)</script>", 95.0, 2, "<script>k</script>")],
        "path_to_first": [
            {"scope": "station", "code": "UP-X-1", "current_rank": 1, "leader_score": 99.0, "records_needed": 0, "score_reached": 99.0},
            {"scope": "station", "code": "UP-X-2", "current_rank": 2, "leader_score": 99.0, "records_needed": 1, "score_reached": 100.0}],
        "trend": {"previous_month": "2024-07", "stations": [], "districts": []},
        "violations": 2,
    }))
    .expect("the fixture is a report")
}
