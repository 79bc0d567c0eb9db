//! `report.html`: one self-contained page (no network, no external script,
//! font or image) an analyst opens, searches and prints: the district
//! league with the change since the month before, inline SVG charts, and
//! each thana's gap report in plain language, collapsed and sorted by rank.
//! Rendered from the [`Report`] with the `templates/report.html` template
//! (askama, checked at compile time, every value HTML-escaped).
//!
//! The page reads with JavaScript off (every section opens by a click); a
//! few lines of inline script add the search box and the district filter,
//! which a link can preset: `report.html#find=UP-GBN-003` or
//! `#district=UP-GBN`.
//!
//! Above [`SPLIT_ABOVE`] stations (a national lake), or when the one page
//! would pass [`PAGE_BUDGET`] bytes (a state whose stations fail much), one
//! file would be slow to open: `report.html` is then an index (league,
//! charts, and per district its thanas' ranks and scores, searchable)
//! linking to one page per district in `report-districts/`, which holds the
//! thanas' sections.

use super::chart::{Bars, Climb};
use super::file_safe;
use super::model::{DistrictReport, Report, StateReport, StationReport};
use super::words::{self, label, Lang, Say};
use crate::error::{Error, Result};
use crate::score::{PathScope, PathToFirst};
use askama::Template;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many records to fix a thana's section lists.
pub const RECORDS_IN_PAGE: usize = 20;

/// The page's stylesheet (screen and print).
const STYLE: &str = include_str!("../../templates/report.css");

/// The page's script: search box and district filter.
const SCRIPT: &str = include_str!("../../templates/report.js");

/// Above this many stations the report is split into an index and one page per district.
pub const SPLIT_ABOVE: usize = 4000;

/// The most bytes `report.html` holds as one page before it is split.
pub const PAGE_BUDGET: usize = 4_800_000;

/// The folder of the district pages of a split report.
pub const DISTRICT_PAGES: &str = "report-districts";

/// The page of a report, in `lang`, unsplit.
pub fn report_html(report: &Report, lang: Lang) -> Result<String> {
    render(page(report, lang, Scope::Whole))
}

/// The pages of a report: `report.html`, and when the report has more than
/// [`SPLIT_ABOVE`] stations or its one page more than [`PAGE_BUDGET`]
/// bytes, one page per district under [`DISTRICT_PAGES`]; as paths relative
/// to the output folder, with their text.
pub fn report_pages(report: &Report, lang: Lang) -> Result<Vec<(PathBuf, String)>> {
    pages_within(report, lang, SPLIT_ABOVE, PAGE_BUDGET)
}

/// [`report_pages`] with the limits given.
fn pages_within(
    report: &Report,
    lang: Lang,
    split_above: usize,
    budget: usize,
) -> Result<Vec<(PathBuf, String)>> {
    if report.stations.len() <= split_above {
        let whole = report_html(report, lang)?;
        if whole.len() <= budget {
            return Ok(vec![("report.html".into(), whole)]);
        }
    }
    let index = render(page(report, lang, Scope::Index))?;
    let mut pages = vec![("report.html".into(), index)];
    let districts: Result<Vec<(PathBuf, String)>> = report
        .districts
        .par_iter()
        .map(|d| {
            let html = render(page(report, lang, Scope::District(d)))?;
            Ok((district_page(&d.district_code), html))
        })
        .collect();
    pages.extend(districts?);
    Ok(pages)
}

fn district_page(code: &str) -> PathBuf {
    Path::new(DISTRICT_PAGES).join(format!("{}.html", file_safe(code)))
}

fn render(page: Page<'_>) -> Result<String> {
    page.render()
        .map_err(|e| Error::io("report.html", std::io::Error::other(e.to_string())))
}

/// What one page shows.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// Everything, thanas' sections included.
    Whole,
    /// League, charts and each district's thanas as rows linking to the district pages.
    Index,
    /// One district's sections, linking back to the index.
    District(&'a DistrictReport),
}

/// Two-decimal text of a score or points.
pub(super) fn two(x: f64) -> String {
    format!("{:.2}", x + 0.0)
}

/// Four-decimal text of a share or recoverable points.
pub(super) fn four(x: f64) -> String {
    format!("{:.4}", x + 0.0)
}

/// A change since the month before: "+1.25 ▲2", "−0.50 ▼1", "0.00 =".
pub(super) fn change(score: Option<f64>, rank: Option<i64>) -> String {
    let Some(score) = score else {
        return String::new();
    };
    let sign = if score > 0.0 { "+" } else { "" };
    let rank = match rank.unwrap_or(0) {
        r if r > 0 => format!("▲{r}"),
        r if r < 0 => format!("▼{}", -r),
        _ => "=".to_string(),
    };
    format!("{sign}{} {rank}", two(score))
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    lang: Lang,
    month: String,
    run: &'a super::model::Run,
    l: Labels,
    back: Option<&'static str>,
    change_head: Option<Say>,
    state_chart: Bars,
    axis: Bars,
    states: &'a [StateReport],
    districts: Vec<DistrictView<'a>>,
    total: usize,
    no_upload: Say,
    nothing_lost: Say,
    style: &'static str,
    script: &'static str,
}

/// The page's fixed labels.
struct Labels {
    title: Say,
    month: Say,
    snapshot: Say,
    rule_pack: Say,
    find: Say,
    district: Say,
    all_districts: Say,
    league: Say,
    rank: Say,
    stations: Say,
    score: Say,
    state_chart: Say,
    district_chart: Say,
    losses: Say,
    to_fix: Say,
    path: Say,
    back: Say,
    district_page: Say,
    state_league: Say,
    state: Say,
    districts: Say,
}

impl Labels {
    fn new() -> Labels {
        Labels {
            title: label::title(),
            month: label::month(),
            snapshot: label::snapshot(),
            rule_pack: label::rule_pack(),
            find: label::find(),
            district: label::district(),
            all_districts: label::all_districts(),
            league: label::league(),
            rank: label::rank(),
            stations: label::stations(),
            score: label::score(),
            state_chart: label::state_chart(),
            district_chart: label::district_chart(),
            losses: label::losses(),
            to_fix: label::to_fix(),
            path: label::path(),
            back: label::back(),
            district_page: label::district_page(),
            state_league: label::state_league(),
            state: label::state(),
            districts: label::districts(),
        }
    }
}

struct DistrictView<'a> {
    d: &'a DistrictReport,
    score: String,
    change: String,
    chart: Bars,
    page: Option<String>,
    stations: Vec<StationView<'a>>,
}

/// A thana's section.
pub(super) struct StationView<'a> {
    pub(super) s: &'a StationReport,
    pub(super) score: String,
    pub(super) change: String,
    pub(super) standing: Say,
    pub(super) brief: Say,
    pub(super) chart: Bars,
    pub(super) losses: Vec<Say>,
    pub(super) fixes: Vec<FixView<'a>>,
    pub(super) listed: Option<Say>,
    pub(super) path: Option<Say>,
    pub(super) climb: Option<Climb>,
}

/// A record to fix as a row shows it.
pub(super) struct FixView<'a> {
    pub(super) table: &'a str,
    pub(super) record_key: &'a str,
    pub(super) points: String,
    pub(super) rules: String,
}

fn page<'a>(report: &'a Report, lang: Lang, scope: Scope<'a>) -> Page<'a> {
    let paths: BTreeMap<&str, &PathToFirst> = report
        .path_to_first
        .iter()
        .filter(|p| p.scope == PathScope::Station)
        .map(|p| (p.code.as_str(), p))
        .collect();
    let mut by_district: BTreeMap<&str, Vec<&StationReport>> = BTreeMap::new();
    for s in &report.stations {
        by_district.entry(&s.district_code).or_default().push(s);
    }
    let districts = report
        .districts
        .iter()
        .filter(|d| match scope {
            Scope::District(only) => only.district_code == d.district_code,
            _ => true,
        })
        .map(|d| {
            let mut own = by_district
                .remove(d.district_code.as_str())
                .unwrap_or_default();
            own.sort_by(|a, b| {
                (a.rank_in_district, &a.ps_code).cmp(&(b.rank_in_district, &b.ps_code))
            });
            DistrictView {
                d,
                score: two(d.score),
                change: change(d.score_change, d.rank_change),
                chart: Bars::lost(report, &d.lost_by_parameter, lang),
                page: matches!(scope, Scope::Index).then(|| {
                    district_page(&d.district_code)
                        .to_string_lossy()
                        .into_owned()
                }),
                stations: own
                    .par_iter()
                    .map(|s| {
                        let path = paths.get(s.ps_code.as_str()).copied();
                        station_view(report, s, path, RECORDS_IN_PAGE)
                    })
                    .collect(),
            }
        })
        .collect::<Vec<DistrictView<'a>>>();
    let total = districts.iter().map(|d| d.stations.len()).sum();
    Page {
        lang,
        month: report.month.to_string(),
        run: &report.run,
        l: Labels::new(),
        back: matches!(scope, Scope::District(_)).then_some("../report.html"),
        change_head: report
            .trend
            .as_ref()
            .map(|t| label::change_since(&t.previous_month)),
        state_chart: Bars::lost(report, &report.state.lost_by_parameter, lang),
        axis: Bars::axis(report),
        states: &report.states,
        districts,
        total,
        no_upload: words::no_upload(),
        nothing_lost: words::nothing_lost(),
        style: STYLE,
        script: SCRIPT,
    }
}

/// The section of one thana with its path to first place, listing at
/// most `records` records to fix.
pub(super) fn station_view<'a>(
    report: &'a Report,
    s: &'a StationReport,
    path: Option<&'a PathToFirst>,
    records: usize,
) -> StationView<'a> {
    let of = report.district(&s.district_code).map_or(0, |d| d.stations);
    let shown = s.records_to_fix_first.len().min(records);
    StationView {
        s,
        score: two(s.score),
        change: change(s.score_change, s.rank_change),
        standing: words::standing(
            &two(s.score),
            s.rank_in_district,
            of,
            s.fir_count,
            &s.category,
        ),
        brief: words::brief(s.rank_in_district, of, s.fir_count, &s.category),
        chart: Bars::points(report, s),
        losses: losses(report, s),
        fixes: s
            .records_to_fix_first
            .iter()
            .take(records)
            .map(|f| FixView {
                table: &f.table,
                record_key: &f.record_key,
                points: four(f.recoverable_points),
                rules: f.rules.join(", "),
            })
            .collect(),
        listed: (s.failing_records > shown)
            .then(|| words::records_listed(shown, s.failing_records)),
        path: path.filter(|_| !s.no_upload).map(|p| words::path(p, two)),
        climb: path.and_then(|p| Climb::of(s, p)),
    }
}

/// A station's losses as sentences, the costliest first.
pub(super) fn losses(report: &Report, s: &StationReport) -> Vec<Say> {
    let mut shares: Vec<_> = s.points_lost.iter().collect();
    shares.sort_by(|a, b| {
        b.points_lost
            .total_cmp(&a.points_lost)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    shares
        .into_iter()
        .map(|share| {
            let (table, description) = match report.rule(&share.rule_id) {
                Some(rule) => (
                    rule.table.as_str(),
                    Say::new(&rule.description, &rule.description_hi),
                ),
                None => ("", Say::new(&share.rule_id, &share.rule_id)),
            };
            words::loss(
                &words::records_of(table, share.failing_records),
                &description,
                &two(share.points_lost),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys_are_text_and_every_chart_has_a_bar_per_parameter() {
        let page = report_html(&super::super::model::tiny(), Lang::Both).unwrap();
        assert_eq!(
            page.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(page.contains("<code>&#60;script&#62;k&#60;/script&#62;</code>"));
        assert!(!page.contains("<script>k</script>") && !page.contains("<b>X</b>"));
        for chart in page.split("<svg class=\"params").skip(1) {
            let chart = chart.split("</svg>").next().unwrap_or_default();
            assert_eq!(chart.matches("<rect").count(), 2, "{chart}");
        }
        assert!(page.contains("<li>1 FIR: The officer is blank. 5.00 points."));
        assert!(page.contains("<span lang=\"hi\">1 एफआईआर: अधिकारी खाली है। 5.00 अंक।</span>"));
        assert!(page.contains("data-ps=\"UP-X-2\"") && page.contains("data-score=\"95.00\""));
        assert!(page.contains("Change since 2024-07") && page.contains("+1.50 ▲1"));
    }

    #[test]
    fn a_report_too_large_for_one_page_is_an_index_and_a_page_per_district() {
        let report = super::super::model::tiny();
        let one = pages_within(&report, Lang::Both, 10, usize::MAX).unwrap();
        assert_eq!(one.len(), 1);
        for split in [
            pages_within(&report, Lang::Both, 1, usize::MAX).unwrap(),
            pages_within(&report, Lang::Both, 10, 1000).unwrap(),
        ] {
            let names: Vec<String> = split.iter().map(|(p, _)| p.display().to_string()).collect();
            assert_eq!(names, ["report.html", "report-districts/UP-X.html"]);
            let (index, district) = (&split[0].1, &split[1].1);
            assert!(index.contains("<tr class=\"ps\" data-ps=\"UP-X-2\" data-score=\"95.00\">"));
            assert!(
                index.contains("href=\"report-districts/UP-X.html\"")
                    && !index.contains("<details class=\"ps\"")
            );
            assert!(
                district.contains("<details class=\"ps\" data-ps=\"UP-X-2\" data-score=\"95.00\">")
            );
            assert!(
                district.contains("href=\"../report.html\"")
                    && !district.contains("class=\"league\"")
            );
        }
    }

    #[test]
    fn english_only_has_no_hindi_sentences() {
        let page = report_html(&super::super::model::tiny(), Lang::En).unwrap();
        assert!(!page.contains("अधिकारी खाली है") && page.contains("The officer is blank."));
        let hindi = report_html(&super::super::model::tiny(), Lang::Hi).unwrap();
        assert!(hindi.contains("<html lang=\"hi\">") && !hindi.contains("The officer is blank."));
    }
}
