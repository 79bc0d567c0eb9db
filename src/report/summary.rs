//! `summary.md`: the audit of a month as a short Markdown digest for an
//! e-mail or a CI comment: the district league, the five thanas that scored
//! lowest, and the rules that cost the state most. Written from the
//! [`Report`]; table cells are escaped so a name cannot break the table.

use super::html::{change, two};
use super::model::{Report, StationReport};
use super::words::{label, Lang, Say};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many thanas and rules the digest lists.
const LISTED: usize = 5;

/// The digest of a report.
pub fn summary_md(report: &Report, lang: Lang) -> String {
    let say = |s: Say| lang.pick(&s);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}, {}\n\n{} {} · {} {} (`{}`) · {}\n",
        say(label::title()),
        report.month,
        say(label::snapshot()),
        report.run.snapshot,
        say(label::rule_pack()),
        markdown_cell(&report.run.rule_pack),
        short_hash(&report.run.rule_pack_sha256),
        say(Say::new(
            format!("{} stations", report.stations.len()),
            format!("{} थाने", report.stations.len())
        )),
    );
    league(&mut o, report, lang);
    worst(&mut o, report, lang);
    costliest_rules(&mut o, report, lang);
    o
}

fn league(o: &mut String, report: &Report, lang: Lang) {
    let say = |s: Say| lang.pick(&s);
    let change_head = report
        .trend
        .as_ref()
        .map(|t| say(label::change_since(&t.previous_month)))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "## {}\n\n| {} | {} | {} | {} | {} |\n| ---: | --- | ---: | ---: | --- |",
        say(label::league()),
        say(label::rank()),
        say(label::district()),
        say(label::stations()),
        say(label::score()),
        change_head
    );
    for d in &report.districts {
        let _ = writeln!(
            o,
            "| {} | {} ({}) | {} | {} | {} |",
            d.rank_in_state,
            markdown_cell(&d.district_name),
            markdown_cell(&d.district_code),
            d.stations,
            two(d.score),
            change(d.score_change, d.rank_change)
        );
    }
}

fn worst(o: &mut String, report: &Report, lang: Lang) {
    let say = |s: Say| lang.pick(&s);
    let mut stations: Vec<&StationReport> = report.stations.iter().collect();
    stations.sort_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then_with(|| a.ps_code.cmp(&b.ps_code))
    });
    let _ = writeln!(
        o,
        "\n## {}\n\n| ps_code | {} | {} | {} |\n| --- | --- | ---: | ---: |",
        say(Say::new(
            "The five thanas that scored lowest",
            "सबसे कम स्कोर वाले पाँच थाने"
        )),
        say(label::district()),
        say(label::score()),
        say(label::rank()),
    );
    for s in stations.into_iter().take(LISTED) {
        let _ = writeln!(
            o,
            "| {} {} | {} | {} | {} |",
            markdown_cell(&s.ps_code),
            markdown_cell(&s.ps_name),
            markdown_cell(&s.district_code),
            two(s.score),
            s.rank_in_district
        );
    }
}

fn costliest_rules(o: &mut String, report: &Report, lang: Lang) {
    let mut cost: BTreeMap<&str, (f64, u64)> = BTreeMap::new();
    for s in &report.stations {
        for share in &s.points_lost {
            let entry = cost.entry(&share.rule_id).or_default();
            entry.0 += share.points_lost;
            entry.1 += share.failing_records;
        }
    }
    let mut ranked: Vec<(&str, (f64, u64))> = cost.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then_with(|| a.0.cmp(b.0)));
    let stations = report.stations.len().max(1) as f64;
    let say = |s: Say| lang.pick(&s);
    let _ = writeln!(
        o,
        "\n## {}\n\n| rule | {} | {} | {} |\n| --- | --- | ---: | ---: |",
        say(Say::new(
            "The rules that cost the state most",
            "राज्य के सबसे ज़्यादा अंक काटने वाले नियम"
        )),
        say(Say::new("What fails", "क्या विफल है")),
        say(Say::new("Failing records", "विफल रिकॉर्ड")),
        say(Say::new("Points lost per station", "प्रति थाना कटे अंक")),
    );
    for (id, (points, records)) in ranked.into_iter().take(LISTED) {
        let description = report.rule(id).map_or_else(
            || Say::new(id, id),
            |r| Say::new(&r.description, &r.description_hi),
        );
        let _ = writeln!(
            o,
            "| `{}` | {} | {records} | {} |",
            markdown_cell(id),
            markdown_cell(&say(description)),
            two(points / stations)
        );
    }
}

fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// A Markdown table cell: pipes escaped, line breaks made spaces, and
/// backticks and angle brackets neutralised, so a name cannot break the
/// table or open HTML where the Markdown is rendered.
pub fn markdown_cell(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '|' => "\\|".chars().collect::<Vec<_>>(),
            '\n' | '\r' => vec![' '],
            '<' => "&lt;".chars().collect(),
            '>' => "&gt;".chars().collect(),
            '`' => vec!['\''],
            c => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::markdown_cell;

    #[test]
    fn a_cell_cannot_break_the_table() {
        assert_eq!(markdown_cell("a|b\n<script>`x`"), "a\\|b &lt;script&gt;'x'");
    }
}

#[cfg(test)]
mod digest {
    use super::*;

    #[test]
    fn the_digest_has_the_league_the_worst_thanas_and_the_costliest_rules() {
        let md = summary_md(&super::super::model::tiny(), Lang::En);
        assert!(
            md.contains("| 1 | &lt;b&gt;X&lt;/b&gt; (UP-X) | 2 | 97.00 | -0.50 = |"),
            "{md}"
        );
        assert!(
            md.contains("| UP-X-2 &lt;script&gt;alert(1)&lt;/script&gt; | UP-X | 95.00 | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("| `R1` | The officer is blank. | 2 | 3.00 |"),
            "{md}"
        );
    }
}
