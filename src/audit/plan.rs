//! The findings table, computed by DataFusion from the rule plans.
//!
//! Every [`Group`] of the audit (one plan per table and month, the due
//! records, the station rules, each SQL rule) is projected to one schema and
//! all are unioned: per candidate row its `month`, `ps_code`, `table`,
//! `record_key`, one bit per rule of the pack in the words `pop{w}` (the row
//! is in the rule's population) and `fail{w}` (it fails the rule), and, on a
//! failing row, `messages`: each failed rule's message as `bit:bytes:text`
//! (the byte length makes any text safe to concatenate). Two aggregations
//! follow, both inside the engine (and both spill under a memory limit):
//!
//! 1. per record (`month`, `ps_code`, `table`, `record_key`): the bits OR-ed
//!    and the messages concatenated, so rows sharing a key count once, in
//!    whichever plans they appear;
//! 2. per station and month and population pattern: a failing record keeps
//!    its key and messages (a group of its own), the passing records are
//!    counted per distinct set of bits (`records`).
//!
//! So what leaves the engine is one row per failing record and a handful of
//! count rows per station, whatever the population: the [`FINDINGS`] schema.

use crate::contract::Month;
use crate::error::Result;
use crate::rules::compile::{plan_error, Group, AUDITED_MONTH};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn::{concat, octet_length};
use datafusion::functions_aggregate::expr_fn::{bit_or, count, min};
use datafusion::functions_aggregate::string_agg::string_agg;
use datafusion::logical_expr::{cast, col, lit, when, Expr};
use datafusion::prelude::DataFrame;

/// Rules per mask word.
pub const BITS: usize = 64;

/// Columns of the findings table, besides the mask words.
pub mod column {
    /// The audited month, `YYYY-MM`.
    pub const MONTH: &str = "month";
    /// The station.
    pub const PS_CODE: &str = "ps_code";
    /// The failing record's table (null on a count row).
    pub const TABLE: &str = "table";
    /// The failing record's key (null on a count row).
    pub const RECORD_KEY: &str = "record_key";
    /// Records the row stands for (1 on a failing record's row).
    pub const RECORDS: &str = "records";
    /// The failed rules' messages, `bit:bytes:text` each (null on a count row).
    pub const MESSAGES: &str = "messages";
}

/// Name of population word `w`.
pub fn pop_word(w: usize) -> String {
    format!("pop{w}")
}

/// Name of failure word `w`.
pub fn fail_word(w: usize) -> String {
    format!("fail{w}")
}

/// Mask words needed for `rules` rules.
pub fn words_for(rules: usize) -> usize {
    rules.div_ceil(BITS).max(1)
}

/// The findings table of `plans` (each with the month it audits, `None` for
/// a plan naming each row's month in [`AUDITED_MONTH`]), for a pack of
/// `rules` rules; `None` when there is no plan (nothing to find).
pub fn findings_table(
    plans: &[(Option<Month>, &Group)],
    rules: usize,
) -> Result<Option<DataFrame>> {
    let words = words_for(rules);
    let mut union: Option<DataFrame> = None;
    for (month, group) in plans {
        let rows = record_rows(group, *month, words)?;
        union = Some(match union {
            None => rows,
            Some(all) => all.union(rows).map_err(plan_error("the findings"))?,
        });
    }
    union
        .map(|union| per_pattern(per_record(union, words)?, words))
        .transpose()
}

/// One group's rows in the union's schema.
fn record_rows(group: &Group, month: Option<Month>, words: usize) -> Result<DataFrame> {
    use column::*;
    let month = match month {
        Some(m) => lit(m.to_string()),
        None => cast(col(AUDITED_MONTH), DataType::Utf8),
    };
    let mut select = vec![
        month.alias(MONTH),
        col("ps_code").alias(PS_CODE),
        datafusion::prelude::coalesce(vec![col("table"), lit("")]).alias(TABLE),
        col("record_key").alias(RECORD_KEY),
    ];
    let fails = |i: usize| col(format!("f{i}")).is_true();
    for w in 0..words {
        select.push(mask(group, w, |i| col(format!("p{i}")).is_true())?.alias(pop_word(w)));
    }
    for w in 0..words {
        select.push(mask(group, w, fails)?.alias(fail_word(w)));
    }
    let any_fails = (0..group.rules.len())
        .map(fails)
        .reduce(Expr::or)
        .unwrap_or(lit(false));
    let messages = group.rules.iter().enumerate().map(|(i, &rule)| {
        let message = col(format!("m{i}"));
        when(
            fails(i),
            concat(vec![
                lit(format!("{rule}:")),
                cast(octet_length(message.clone()), DataType::Utf8),
                lit(":"),
                message,
            ]),
        )
        .end()
    });
    let messages = messages
        .collect::<datafusion::error::Result<Vec<Expr>>>()
        .and_then(|parts| when(any_fails, concat(parts)).end())
        .map_err(plan_error(&group.label))?;
    select.push(messages.alias(MESSAGES));
    group
        .plan
        .clone()
        .filter(
            col("ps_code")
                .is_not_null()
                .and(col("record_key").is_not_null()),
        )
        .and_then(|df| df.select(select))
        .map_err(plan_error(&group.label))
}

/// Word `w` of a group's mask: the bit of each of its rules (by pack index)
/// in that word where `set(i)` holds for the group's i-th rule.
fn mask(group: &Group, w: usize, set: impl Fn(usize) -> Expr) -> Result<Expr> {
    let mut word = lit(0i64);
    for (i, &rule) in group.rules.iter().enumerate() {
        if rule / BITS != w {
            continue;
        }
        let bit = when(set(i), lit(bit_value(rule % BITS)))
            .otherwise(lit(0i64))
            .map_err(plan_error(&group.label))?;
        word = word | bit;
    }
    Ok(word)
}

/// The `i64` whose only set bit is `bit`.
fn bit_value(bit: usize) -> i64 {
    (1u64 << bit) as i64
}

/// Aggregation 1: one row per record.
fn per_record(union: DataFrame, words: usize) -> Result<DataFrame> {
    use column::*;
    let group = [MONTH, PS_CODE, TABLE, RECORD_KEY].map(col).to_vec();
    let mut aggregates: Vec<Expr> = (0..words)
        .flat_map(|w| [pop_word(w), fail_word(w)])
        .map(|name| bit_or(col(name.as_str())).alias(name))
        .collect();
    aggregates.push(string_agg(col(MESSAGES), lit("")).alias(MESSAGES));
    union
        .aggregate(group, aggregates)
        .map_err(plan_error("the findings per record"))
}

/// Aggregation 2: failing records one by one, passing ones counted per pattern.
fn per_pattern(records: DataFrame, words: usize) -> Result<DataFrame> {
    use column::*;
    let failing = (0..words)
        .map(|w| col(fail_word(w)).not_eq(lit(0i64)))
        .reduce(Expr::or)
        .unwrap_or(lit(false));
    // Named apart from the record's own columns: grouping by columns named
    // like the record's key would let DataFusion add every column the key
    // determines (the messages) to the grouping.
    let only_failing = |name: &str| {
        when(failing.clone(), col(name))
            .otherwise(lit(ScalarValue::Utf8(None)))
            .map(|e| e.alias(format!("__{name}")))
            .map_err(plan_error("the findings per station"))
    };
    let masks: Vec<String> = (0..words)
        .flat_map(|w| [pop_word(w), fail_word(w)])
        .collect();
    let mut group = vec![
        col(MONTH),
        col(PS_CODE),
        only_failing(TABLE)?,
        only_failing(RECORD_KEY)?,
    ];
    group.extend(masks.iter().map(|m| col(m.as_str())));
    let text = |name: String, alias: &str| cast(col(name), DataType::Utf8).alias(alias);
    let mut select = vec![
        text(MONTH.into(), MONTH),
        text(PS_CODE.into(), PS_CODE),
        text(format!("__{TABLE}"), TABLE),
        text(format!("__{RECORD_KEY}"), RECORD_KEY),
    ];
    select.extend(
        masks
            .iter()
            .map(|m| cast(col(m.as_str()), DataType::Int64).alias(m)),
    );
    select.extend([
        cast(col(RECORDS), DataType::Int64).alias(RECORDS),
        text(MESSAGES.into(), MESSAGES),
    ]);
    records
        .aggregate(
            group,
            vec![
                count(lit(1)).alias(RECORDS),
                min(col(MESSAGES)).alias(MESSAGES),
            ],
        )
        .and_then(|df| df.select(select))
        .map_err(plan_error("the findings per station"))
}
