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
            markdown_code(id),
            markdown_cell(&say(description)),
            two(points / stations)
        );
    }
}

fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// A Markdown table cell that renders as the text it holds: pipes
/// escaped, line breaks made spaces, backticks and angle brackets
/// neutralised, and the characters of links, images and emphasis
/// backslash-escaped (CommonMark), so a name from the registry cannot break
/// the table, open HTML, or become a live link or a remote image. A bare URL
/// is cut at `://` and `www.`, and `@` escaped, so GitHub does not link it either.
pub fn markdown_cell(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut cell = String::with_capacity(text.len());
    for (k, &c) in chars.iter().enumerate() {
        let before = k.checked_sub(1).and_then(|b| chars.get(b)).copied();
        let after = chars.get(k + 1).copied();
        match c {
            '\n' | '\r' => cell.push(' '),
            '<' => cell.push_str("&lt;"),
            '>' => cell.push_str("&gt;"),
            '`' => cell.push('\''),
            '|' | '\\' | '[' | ']' | '(' | ')' | '!' | '*' | '~' | '@' => {
                cell.push('\\');
                cell.push(c);
            }
            '_' if !is_word(before) || !is_word(after) => cell.push_str("\\_"),
            ':' if after == Some('/') => cell.push_str("\\:"),
            '.' if ends_with_www(chars.get(..k).unwrap_or_default()) => cell.push_str("\\."),
            c => cell.push(c),
        }
    }
    cell
}

/// Whether `c` is a letter or digit: an `_` between two of them cannot
/// start or end emphasis, so it stays as written (`no_upload`).
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Whether `head` ends with `www` (any case) at the start of a word.
fn ends_with_www(head: &[char]) -> bool {
    let n = head.len();
    let www = head
        .iter()
        .rev()
        .take(3)
        .filter(|c| c.eq_ignore_ascii_case(&'w'))
        .count()
        == 3;
    www && !is_word(n.checked_sub(4).and_then(|k| head.get(k)).copied())
}

/// Text inside a code span of a table cell (`` `…` ``): only the pipe, the
/// line breaks and the backtick matter there; a backslash would show.
fn markdown_code(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' => " ".to_string(),
            '`' => "'".to_string(),
            '|' => "\\|".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{markdown_cell, markdown_code};

    #[test]
    fn a_cell_cannot_break_the_table() {
        assert_eq!(markdown_cell("a|b\n<script>`x`"), "a\\|b &lt;script&gt;'x'");
    }

    #[test]
    fn a_cell_holds_no_link_no_image_and_no_emphasis() {
        assert_eq!(
            markdown_cell("[click](http://x)"),
            "\\[click\\]\\(http\\://x\\)"
        );
        assert_eq!(
            markdown_cell("![x](http://y/i.png)"),
            "\\!\\[x\\]\\(http\\://y/i.png\\)"
        );
        assert_eq!(
            markdown_cell("[a][1] *b* _c_ ~d~"),
            "\\[a\\]\\[1\\] \\*b\\* \\_c\\_ \\~d\\~"
        );
        assert_eq!(markdown_cell("\\[x](y)"), "\\\\\\[x\\]\\(y\\)");
        assert_eq!(
            markdown_cell("www.x.in WWW.y a@b.in"),
            "www\\.x.in WWW\\.y a\\@b.in"
        );
        assert_eq!(
            markdown_cell("no_upload UP-GBN-003 A&B 4.5"),
            "no_upload UP-GBN-003 A&B 4.5"
        );
        assert_eq!(markdown_code("R_1|`x`"), "R_1\\|'x'");
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
            md.contains("| UP-X-2 &lt;script&gt;alert\\(1\\)&lt;/script&gt; | UP-X | 95.00 | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("| `R1` | The officer is blank. | 2 | 3.00 |"),
            "{md}"
        );
    }
}
