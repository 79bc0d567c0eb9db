//! The gap report of one thana in plain language, rendered from `report.json`.

use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// How many records to fix are shown.
const SHOWN: usize = 10;

/// Renders the gap report of station `ps_code` from the `report.json` in `out`.
pub fn explain(out: &Path, ps_code: &str) -> Result<String> {
    let path = out.join("report.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::usage(
            &path,
            format!("cannot read the audit report ({e})"),
            "run `cctns-audit audit --out <DIR>` first and pass that folder",
        )
    })?;
    let report: Value = serde_json::from_str(&text).map_err(|e| {
        Error::usage(
            &path,
            format!("not an audit report ({e})"),
            "run the audit again",
        )
    })?;
    let stations = report["stations"].as_array().cloned().unwrap_or_default();
    let Some(s) = stations.iter().find(|s| s["ps_code"] == ps_code) else {
        return Err(Error::usage(
            format!("--ps {ps_code}"),
            "no such station in this audit",
            "pass a ps_code of police_stations.csv, e.g. one from scores.csv",
        ));
    };
    Ok(render(&report, s))
}

fn render(report: &Value, s: &Value) -> String {
    let mut o = String::new();
    let district = s["district_code"].as_str().unwrap_or("");
    let in_district = report["stations"].as_array().map_or(0, |a| {
        a.iter().filter(|x| x["district_code"] == district).count()
    });
    let _ = writeln!(
        o,
        "{} {} ({}), district {} - {}",
        s["ps_code"].as_str().unwrap_or(""),
        s["ps_name"].as_str().unwrap_or(""),
        s["ps_name_hi"].as_str().unwrap_or(""),
        district,
        report["month"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        o,
        "Score {:.2} of 100, rank {} of {} in the district; {} distinct FIRs (category {}).",
        s["score"].as_f64().unwrap_or(0.0),
        s["rank_in_district"],
        in_district,
        s["fir_count"],
        s["category"].as_str().unwrap_or("")
    );
    if s["no_upload"].as_bool() == Some(true) {
        let _ = writeln!(o, "\nThe station uploaded nothing for the month: all 100 points are lost to PS-NO-UPLOAD. Upload the month's files to score.");
        return o;
    }
    let _ = writeln!(o, "\nWhere the points were lost:");
    for p in s["parameters"].as_array().into_iter().flatten() {
        let lost = p["lost"].as_f64().unwrap_or(0.0);
        if lost <= 0.0 {
            continue;
        }
        let _ = writeln!(
            o,
            "  {} {}: {:.2} of {} points lost ({} of {} records failing)",
            p["id"].as_str().unwrap_or(""),
            p["name"].as_str().unwrap_or(""),
            lost,
            p["weight"],
            p["failing"],
            p["population"]
        );
        for share in s["points_lost"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["parameter_id"] == p["id"])
        {
            let _ = writeln!(
                o,
                "      {:<22} {:>3} records  {:.4} points",
                share["rule_id"].as_str().unwrap_or(""),
                share["failing_records"],
                share["points_lost"].as_f64().unwrap_or(0.0)
            );
        }
    }
    let to_fix = s["records_to_fix_first"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if to_fix.is_empty() {
        let _ = writeln!(o, "  nothing: every record passes.");
    } else {
        let _ = writeln!(
            o,
            "\nRecords to fix first ({} failing in all):",
            s["failing_records"]
        );
        for r in to_fix.iter().take(SHOWN) {
            let _ = writeln!(
                o,
                "  +{:.4}  {} {}  ({})",
                r["recoverable_points"].as_f64().unwrap_or(0.0),
                r["table"].as_str().unwrap_or(""),
                r["record_key"].as_str().unwrap_or(""),
                rule_list(r)
            );
        }
    }
    render_path(&mut o, report, s);
    o
}

fn render_path(o: &mut String, report: &Value, s: &Value) {
    if let Some(p) = station_path(report, s) {
        let _ = writeln!(
            o,
            "\nPath to first place in the district: {}",
            path_sentence(p)
        );
    }
}

/// The rules a record to fix fails, joined by commas.
pub(super) fn rule_list(record: &Value) -> String {
    let rules: Vec<&str> = record["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    rules.join(", ")
}

/// The station's entry of the report's path to first place.
pub(super) fn station_path<'a>(report: &'a Value, s: &Value) -> Option<&'a Value> {
    station_paths(report)
        .get(s["ps_code"].as_str().unwrap_or(""))
        .copied()
}

/// The report's paths to first place of stations, by `ps_code`.
pub(super) fn station_paths(report: &Value) -> BTreeMap<&str, &Value> {
    report["path_to_first"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["scope"] == "station")
        .filter_map(|p| Some((p["code"].as_str()?, p)))
        .collect()
}

/// One sentence saying what it takes to become first.
pub(super) fn path_sentence(p: &Value) -> String {
    let leader = p["leader_score"].as_f64().unwrap_or(0.0);
    match p["records_needed"].as_u64() {
        Some(0) => "already first.".to_string(),
        Some(n) => format!(
            "fix {} to reach {:.2}, above the leader's {leader:.2}.",
            if n == 1 {
                "the first record above".to_string()
            } else {
                format!("the first {n} records above, in that order,")
            },
            p["score_reached"].as_f64().unwrap_or(0.0)
        ),
        None => format!(
            "not reachable by fixing this month's records alone (the leader has {leader:.2})."
        ),
    }
}
