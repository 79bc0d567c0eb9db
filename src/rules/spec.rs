//! The YAML form of a rule pack: one file per population table, each with
//! optional derived columns and a list of rules. Plain serde data; checked
//! by [`super::pack`] and compiled by [`super::compile`].

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One rule file: `table`, optional `derived` columns, `rules`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The default table of the file's rules (a lake table, `quarantine` or `station`).
    pub table: String,
    /// Named SQL expressions over the table's columns, usable by every rule as columns.
    #[serde(default)]
    pub derived: BTreeMap<String, String>,
    /// The rules, each read alone afterwards (see `RuleSpec`), so that the
    /// mistakes of every rule are found in one run.
    #[serde(default)]
    pub rules: Vec<serde_yaml_ng::Value>,
}

/// One rule as written. Which optional fields apply depends on `kind`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Rule id, e.g. `FIR-IO-MISSING`.
    pub id: String,
    /// `row`, `unique`, `parent`, `child_due`, `station` or `sql`.
    pub kind: String,
    /// `error` (counts in the score) or `warning`.
    pub severity: String,
    /// One English sentence saying what the rule checks.
    pub description: String,
    /// The same sentence in Hindi (Devanagari), for the pages a station reads.
    pub description_hi: Option<String>,
    /// Message template; `{column}` names a column of the rule's scope, `{record_key}` the record key.
    pub message: Option<String>,
    /// The rule's table (its population's), when not the file's.
    pub table: Option<String>,
    /// SQL expression: only rows (records, stations) where it holds are in the population.
    pub population: Option<String>,
    /// SQL expression: the record fails when it is true (`row`, `parent` with a condition, `station`).
    pub fails_when: Option<String>,
    /// `unique`: the columns that must not repeat over the lake up to the month.
    #[serde(default)]
    pub key: Vec<String>,
    /// `parent`: the parent table.
    pub parent: Option<String>,
    /// `parent`, `child_due`: the join columns (same names in both tables).
    #[serde(default)]
    pub on: Vec<String>,
    /// `parent`: only parent rows where this SQL expression holds count.
    pub parent_where: Option<String>,
    /// `parent`: aggregates of the parent rows per key, as named columns (`min(fir_date)`).
    #[serde(default)]
    pub parent_columns: BTreeMap<String, String>,
    /// `child_due`: the child table that must have a row.
    pub child: Option<String>,
    /// `child_due`: aggregates of the population table per key, as named columns.
    #[serde(default)]
    pub record_columns: BTreeMap<String, String>,
    /// `child_due`: SQL expression of the deadline instant; due when it falls in the month.
    pub deadline: Option<String>,
    /// `station`: named aggregates per station over tables and months relative to the audited one.
    #[serde(default)]
    pub measures: BTreeMap<String, MeasureSpec>,
    /// `sql`: a SELECT returning `ps_code`, `record_key` and optionally `message`, `table`, `failed`.
    pub query: Option<String>,
    /// `sql`: `lake` when the query relates rows of several stations, so that
    /// it runs over the whole lake at once; `station` (the default) otherwise.
    pub scope: Option<String>,
}

/// A station measure: an aggregate per station over some tables and months.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// The tables it reads; per-table values add up.
    pub tables: Vec<String>,
    /// Months relative to the audited one, inclusive: `[0, 0]` is the month, `[-3, -1]` the three before.
    pub months: [i32; 2],
    /// The aggregate SQL expression, e.g. `count(*)` or `count(DISTINCT fir_no)`.
    pub value: String,
}

/// The `count` rules of a rule file. The file is read whole, as YAML
/// means it (anchors and aliases across rules included); when that fails,
/// each rule is read alone from its own lines, so that the mistakes of
/// every rule are found in one run, each at its line. A file whose
/// `rules:` is not a block list gives its first mistake only.
pub(super) fn read_rules(path: &Path, text: &str, count: usize) -> Vec<Result<RuleSpec>> {
    let whole = match serde_yaml_ng::from_str::<RulesOnly>(text) {
        Ok(file) => return file.rules.into_iter().map(Ok).collect(),
        Err(e) => yaml_error(path, &e, 1, "rules"),
    };
    match rule_blocks(text).filter(|b| b.len() == count) {
        Some(blocks) => blocks
            .iter()
            .map(|(first, block)| read_rule(path, block, *first))
            .collect(),
        None => vec![Err(whole)],
    }
}

/// A rule file's rules read whole (the keys around them already checked).
#[derive(Deserialize)]
struct RulesOnly {
    #[serde(default)]
    rules: Vec<RuleSpec>,
}

/// One rule from its own lines, which start at line `first` of the file.
fn read_rule(path: &Path, block: &str, first: usize) -> Result<RuleSpec> {
    serde_yaml_ng::from_str(block).map_err(|e| {
        let rule = block
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("id:"))
            .map(|id| format!("rule {}", id.trim().trim_matches(['"', '\''])))
            .unwrap_or_else(|| "rule".to_string());
        yaml_error(path, &e, first, &rule)
    })
}

/// A YAML error of `what` (a rule, the rules) at its line, the line
/// counted from `first`; an unknown field gets the did-you-mean among the
/// fields serde names.
fn yaml_error(path: &Path, e: &serde_yaml_ng::Error, first: usize, what: &str) -> Error {
    let line = first + e.location().map_or(0, |l| l.line().saturating_sub(1));
    let place = format!("{}:{line}", path.display());
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    match unknown_field(message) {
        Some((field, known)) => Error::usage(
            place,
            format!("{what}: unknown field `{field}`"),
            crate::yaml::did_you_mean(field, &known),
        ),
        None => Error::usage(place, format!("{what}: {message}"), "fix the YAML"),
    }
}

/// The lines of each item of the file's top-level `rules:` block list,
/// with the line it starts on and its `-` made a space (so the item reads
/// as a mapping); `None` when `rules:` is written another way.
fn rule_blocks(text: &str) -> Option<Vec<(usize, String)>> {
    let mut lines = text.lines().enumerate();
    let (_, key) = lines.find(|(_, l)| l.starts_with("rules:"))?;
    let after = key.strip_prefix("rules:")?.trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let mut blocks: Vec<(usize, Vec<String>)> = Vec::new();
    let mut indent = None;
    for (i, line) in lines {
        let body = line.trim_start();
        let depth = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            if let Some((_, block)) = blocks.last_mut() {
                block.push(line.to_string());
            }
            continue;
        }
        if depth == 0 && !body.starts_with('-') {
            break;
        }
        match body.strip_prefix('-') {
            Some(item) if indent.is_none_or(|d| d == depth) => {
                indent = Some(depth);
                blocks.push((i + 1, vec![format!("{} {item}", " ".repeat(depth))]));
            }
            _ => blocks.last_mut()?.1.push(line.to_string()),
        }
    }
    Some(
        blocks
            .into_iter()
            .map(|(first, block)| (first, block.join("\n")))
            .collect(),
    )
}

/// The field and the known fields of serde's "unknown field `x`, expected
/// one of `a`, `b`" (or "expected `a`").
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let known = expected.split('`').skip(1).step_by(2).collect();
    Some((field, known))
}
