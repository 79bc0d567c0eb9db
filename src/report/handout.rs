//! The handout: one A4 page per thana that a station house officer can act
//! on: the score and rank, the five rules that cost most, the records to fix
//! with the points each is worth, and how many fixes take the station to
//! first place. Rendered from the [`Report`] with `templates/handout.html`;
//! printed to PDF by any browser (`@page` A4).

use super::file_safe;
use super::html::{station_view, StationView};
use super::model::Report;
use super::words::{self, label, Lang, Say};
use crate::error::{Error, Result};
use askama::Template;
use std::path::{Path, PathBuf};

/// How many records to fix a handout lists (what fits one A4 page).
pub const RECORDS_IN_HANDOUT: usize = 15;

/// How many rules a handout names.
const TOP_RULES: usize = 5;

const STYLE: &str = include_str!("../../templates/handout.css");

#[derive(Template)]
#[template(path = "handout.html")]
struct Handout<'a> {
    lang: Lang,
    month: String,
    district: String,
    of: usize,
    snapshot: u64,
    rule_pack: &'a str,
    l: HandoutLabels,
    v: StationView<'a>,
    top: Vec<Say>,
    change_head: Option<Say>,
    fixes_to_first: Option<Say>,
    no_upload: Say,
    nothing_lost: Say,
    style: &'static str,
}

struct HandoutLabels {
    handout: Say,
    district: Say,
    rank: Say,
    top_rules: Say,
    to_fix: Say,
    record: Say,
    points: Say,
    rules: Say,
    snapshot: Say,
    rule_pack: Say,
}

/// The handout page of station `ps_code`.
pub fn handout_html(report: &Report, ps_code: &str, lang: Lang) -> Result<String> {
    let s = report.station(ps_code)?;
    let district = report.district(&s.district_code);
    let path = report.station_path(ps_code);
    let v = station_view(report, s, path, RECORDS_IN_HANDOUT);
    let page = Handout {
        lang,
        month: report.month.to_string(),
        district: district.map_or_else(
            || s.district_code.clone(),
            |d| format!("{} ({})", d.district_name, d.district_code),
        ),
        of: district.map_or(0, |d| d.stations),
        snapshot: report.run.snapshot,
        rule_pack: &report.run.rule_pack,
        l: HandoutLabels {
            handout: label::handout(),
            district: label::district(),
            rank: label::rank(),
            top_rules: label::top_rules(),
            to_fix: label::to_fix(),
            record: label::record(),
            points: label::points(),
            rules: label::rules(),
            snapshot: label::snapshot(),
            rule_pack: label::rule_pack(),
        },
        top: v.losses.iter().take(TOP_RULES).cloned().collect(),
        change_head: report
            .trend
            .as_ref()
            .filter(|_| s.score_change.is_some())
            .map(|t| label::change_since(&t.previous_month)),
        fixes_to_first: path.map(words::fixes_to_first),
        v,
        no_upload: words::no_upload(),
        nothing_lost: words::nothing_lost(),
        style: STYLE,
    };
    page.render()
        .map_err(|e| Error::io("handout", std::io::Error::other(e.to_string())))
}

/// Writes the handout of each of `stations` into `dir` as
/// `handout-<ps_code>.html` (a code's characters other than letters,
/// digits, `-` and `_` become `_`); returns the paths. An unknown station
/// is an error before any file is written.
pub fn write_handouts(
    report: &Report,
    stations: &[String],
    dir: &Path,
    lang: Lang,
) -> Result<Vec<PathBuf>> {
    let pages = stations
        .iter()
        .map(|code| {
            Ok((
                dir.join(format!("handout-{}.html", file_safe(code))),
                handout_html(report, code, lang)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    for (path, html) in &pages {
        crate::atomic::replace_file(path, html.as_bytes())?;
    }
    Ok(pages.into_iter().map(|(path, _)| path).collect())
}

#[cfg(test)]
mod rendering {
    use super::*;

    #[test]
    fn a_handout_names_score_rules_records_and_fixes_to_first() {
        let report = super::super::model::tiny();
        let page = handout_html(&report, "UP-X-2", Lang::Both).unwrap();
        assert!(page.contains("<span class=\"score\" id=\"score\">95.00</span>"));
        assert!(page.contains("<code>&#60;script&#62;k&#60;/script&#62;</code>"));
        assert!(
            page.contains("1 fix takes the station to first place") && !page.contains("<script")
        );
        assert!(handout_html(&report, "UP-NOPE", Lang::En).is_err());
    }
}
