//! `explain`: the gap report of one thana as plain text for a terminal,
//! read from the `report.json` an audit wrote, in the language asked for.

use super::html::{four, losses, two};
use super::model::{Report, StationReport};
use super::words::{self, label, Lang, Say};
use crate::error::Result;
use std::fmt::Write;
use std::path::Path;

/// How many records to fix are shown.
const SHOWN: usize = 10;

/// Renders the gap report of station `ps_code` from the `report.json` in `out`.
pub fn explain(out: &Path, ps_code: &str, lang: Lang) -> Result<String> {
    let report = Report::load(out)?;
    let s = report.station(ps_code)?;
    Ok(render(&report, s, lang))
}

fn render(report: &Report, s: &StationReport, lang: Lang) -> String {
    let say = |x: &Say| lang.pick(x);
    let mut o = String::new();
    let of = report.district(&s.district_code).map_or(0, |d| d.stations);
    let _ = writeln!(
        o,
        "{} {} ({}), {} {} - {}",
        s.ps_code,
        s.ps_name,
        s.ps_name_hi,
        say(&label::district()),
        s.district_code,
        report.month
    );
    let standing = words::standing(
        &two(s.score),
        s.rank_in_district,
        of,
        s.fir_count,
        &s.category,
    );
    let _ = writeln!(o, "{}", say(&standing));
    if s.no_upload {
        let _ = writeln!(o, "\n{}", say(&words::no_upload()));
        return o;
    }
    parameters(&mut o, report, s, lang);
    let _ = writeln!(o, "\n{}:", say(&label::losses()));
    for loss in losses(report, s) {
        let _ = writeln!(o, "  - {}", say(&loss));
    }
    records(&mut o, s, lang);
    if let Some(p) = report.station_path(&s.ps_code) {
        let _ = writeln!(
            o,
            "\n{}: {}",
            say(&label::path()),
            say(&words::path(p, two))
        );
    }
    o
}

fn parameters(o: &mut String, report: &Report, s: &StationReport, lang: Lang) {
    let _ = writeln!(o, "\n{}:", lang.pick(&label::parameters()));
    for (p, info) in s.parameters.iter().zip(&report.parameters) {
        let name = lang.pick(&Say::new(&info.name, &info.name_hi));
        let _ = writeln!(
            o,
            "  {} {:<40} {:>6} / {:<3} ({} of {} records failing)",
            p.id,
            name,
            two(p.points),
            p.weight,
            p.failing,
            p.population
        );
    }
}

fn records(o: &mut String, s: &StationReport, lang: Lang) {
    if s.records_to_fix_first.is_empty() {
        let _ = writeln!(o, "\n{}", lang.pick(&words::nothing_lost()));
        return;
    }
    let shown = s.records_to_fix_first.len().min(SHOWN);
    let _ = writeln!(
        o,
        "\n{} ({}):",
        lang.pick(&label::to_fix()),
        lang.pick(&words::records_listed(shown, s.failing_records))
    );
    for (i, r) in s.records_to_fix_first.iter().take(SHOWN).enumerate() {
        let _ = writeln!(
            o,
            "  {:>2}. +{}  {} {}  ({})",
            i + 1,
            four(r.recoverable_points),
            r.table,
            r.record_key,
            r.rules.join(", ")
        );
    }
}
