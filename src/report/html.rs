//! `report.html`: one self-contained page (no network, no script, no font)
//! an analyst opens in a browser: the district league table, a chart of the
//! points lost by parameter (inline SVG), and each thana's gap report in
//! plain English with its Hindi name. Rendered from the report document.

use super::explain::{path_sentence, rule_list, station_paths};
use rayon::prelude::*;
use serde_json::Value;
use std::fmt::Write;

/// The page for a report document (see [`super::report_json`]); stations are rendered in parallel.
pub fn report_html(report: &Value) -> String {
    let month = report["month"].as_str().unwrap_or("");
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>CCTNS audit {month}</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(o, "<h1>CCTNS data-quality audit, {}</h1>", esc(month));
    districts(&mut o, report);
    chart(&mut o, report);
    let paths = station_paths(report);
    let stations: Vec<String> = report["stations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .par_iter()
        .map(|s| {
            let mut section = String::new();
            station(&mut section, s, paths.get(text(s, "ps_code")).copied());
            section
        })
        .collect();
    o.extend(stations);
    o.push_str("</body></html>\n");
    o
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}td.n{text-align:right}section{border-top:2px solid #345;margin-top:1.5em}.lost{color:#a21}";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(0.0)
}

fn districts(o: &mut String, report: &Value) {
    o.push_str("<h2>District league</h2><table><tr><th>rank</th><th>district</th><th>stations</th><th>score</th></tr>");
    for d in report["districts"].as_array().into_iter().flatten() {
        let _ = write!(
            o,
            "<tr><td class=n>{}</td><td>{} ({})</td><td class=n>{}</td><td class=n>{:.2}</td></tr>",
            d["rank_in_state"],
            esc(text(d, "district_name")),
            esc(text(d, "district_code")),
            d["stations"],
            num(d, "score")
        );
    }
    o.push_str("</table>");
}

/// A horizontal bar per parameter: points lost over all stations.
fn chart(o: &mut String, report: &Value) {
    let mut lost: Vec<(String, String, f64)> = Vec::new();
    for s in report["stations"].as_array().into_iter().flatten() {
        for p in s["parameters"].as_array().into_iter().flatten() {
            let (id, name) = (text(p, "id").to_string(), text(p, "name").to_string());
            match lost.iter_mut().find(|(i, _, _)| *i == id) {
                Some(entry) => entry.2 += num(p, "lost"),
                None => lost.push((id, name, num(p, "lost"))),
            }
        }
    }
    let max = lost.iter().map(|l| l.2).fold(0.0_f64, f64::max).max(1e-9);
    let height = 24 * lost.len() + 10;
    let _ = write!(o, "<h2>Points lost by parameter, all stations</h2><svg role=\"img\" width=\"640\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">");
    for (i, (id, name, value)) in lost.iter().enumerate() {
        let y = 24 * i + 5;
        let w = (value / max * 380.0).round();
        let _ = write!(
            o,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{} {}</text><rect x=\"200\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"#a21\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{value:.2}</text>",
            y + 12,
            esc(id),
            esc(name),
            205.0 + w,
            y + 12
        );
    }
    o.push_str("</svg>");
}

fn station(o: &mut String, s: &Value, path_to_first: Option<&Value>) {
    let _ = write!(
        o,
        "<section><h2>{} {} <span lang=\"hi\">{}</span></h2><p>District {}: score <b>{:.2}</b>, rank {} in the district, {} distinct FIRs (category {}).</p>",
        esc(text(s, "ps_code")),
        esc(text(s, "ps_name")),
        esc(text(s, "ps_name_hi")),
        esc(text(s, "district_code")),
        num(s, "score"),
        s["rank_in_district"],
        s["fir_count"],
        esc(text(s, "category"))
    );
    if s["no_upload"].as_bool() == Some(true) {
        o.push_str("<p class=lost>Nothing was uploaded for the month: all 100 points are lost (PS-NO-UPLOAD).</p></section>");
        return;
    }
    let shares = s["points_lost"].as_array().cloned().unwrap_or_default();
    if shares.is_empty() {
        o.push_str("<p>No point was lost: every record passes every rule.</p>");
    } else {
        o.push_str("<table><tr><th>parameter</th><th>rule</th><th>failing records</th><th>points lost</th></tr>");
        for l in &shares {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=\"n lost\">{:.4}</td></tr>",
                esc(text(l, "parameter_id")),
                esc(text(l, "rule_id")),
                l["failing_records"],
                num(l, "points_lost")
            );
        }
        o.push_str("</table><p>Records to fix first:</p><ol>");
        for r in s["records_to_fix_first"]
            .as_array()
            .into_iter()
            .flatten()
            .take(10)
        {
            let _ = write!(
                o,
                "<li>{} {}: +{:.4} points ({})</li>",
                esc(text(r, "table")),
                esc(text(r, "record_key")),
                num(r, "recoverable_points"),
                esc(&rule_list(r))
            );
        }
        o.push_str("</ol>");
    }
    path(o, path_to_first);
    o.push_str("</section>");
}

fn path(o: &mut String, path_to_first: Option<&Value>) {
    if let Some(p) = path_to_first {
        let _ = write!(
            o,
            "<p>Path to first place in the district: {}</p>",
            esc(&path_sentence(p))
        );
    }
}
