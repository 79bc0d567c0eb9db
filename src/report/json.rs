//! `report.json`: the whole audit in one document for dashboards and the
//! HTML page: the run, districts, stations with parameters, rule shares,
//! records to fix first, the path to first place and the trend.

use super::AuditReport;
use crate::score::round_half_away;
use rayon::prelude::*;
use serde_json::{json, Value};

/// How many records to fix are listed per station.
pub const RECORDS_TO_FIX_LISTED: usize = 50;

/// The report document (stations are built in parallel; built arrays are
/// moved into the document, as `json!` would copy them).
pub fn report_json(r: &AuditReport<'_>) -> Value {
    let r2 = |x: f64| round_half_away(x, 2);
    let r4 = |x: f64| round_half_away(x, 4);
    let districts: Vec<Value> = r
        .scores
        .districts
        .iter()
        .map(|d| {
            json!({
                "district_code": d.district_code, "district_name": d.district_name, "state_code": d.state_code,
                "stations": d.stations, "score": r2(d.score), "rank_in_state": d.rank_in_state,
            })
        })
        .collect();
    let stations: Vec<Value> = r
        .scores
        .stations
        .par_iter()
        .map(|s| {
            let parameters: Vec<Value> = r
                .model
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    json!({
                        "id": p.id, "name": p.name, "weight": p.weight,
                        "points": r2(s.points[i]), "lost": r4(p.weight - s.points[i]),
                        "population": s.population[i], "failing": s.failing[i],
                    })
                })
                .collect();
            let shares: Vec<Value> = s
                .lost
                .iter()
                .map(|l| json!({"parameter_id": l.parameter_id, "rule_id": l.rule_id, "failing_records": l.failing_records, "points_lost": r4(l.points)}))
                .collect();
            let to_fix: Vec<Value> = s
                .to_fix
                .iter()
                .take(RECORDS_TO_FIX_LISTED)
                .map(|f| json!({"table": f.table, "record_key": f.record_key, "rules": f.rules, "recoverable_points": r4(f.recoverable)}))
                .collect();
            let mut station = json!({
                "ps_code": s.ps_code, "ps_name": s.ps_name, "ps_name_hi": s.ps_name_hi,
                "district_code": s.district_code, "fir_count": s.fir_count, "category": s.category,
                "score": r2(s.score), "rank_in_district": s.rank_in_district, "no_upload": s.no_upload,
                "failing_records": s.to_fix.len(),
            });
            station["parameters"] = Value::Array(parameters);
            station["points_lost"] = Value::Array(shares);
            station["records_to_fix_first"] = Value::Array(to_fix);
            station
        })
        .collect();
    let mut document = json!({
        "month": r.month.to_string(),
        "run": r.run,
        "path_to_first": r.paths,
        "trend": r.trend,
        "violations": r.violations.len(),
    });
    document["districts"] = Value::Array(districts);
    document["stations"] = Value::Array(stations);
    document
}
