//! The YAML form of a rule pack: one file per population table, each with
//! optional derived columns and a list of rules. Plain serde data; checked
//! by [`super::pack`] and compiled by [`super::compile`].

use serde::Deserialize;
use std::collections::BTreeMap;

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
