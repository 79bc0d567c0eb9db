//! Parent aggregates shared by every plan of an audit: the rows of a table
//! over the lake up to the month (optionally filtered), one row per join key,
//! with a row count `__n` and the columns the rules ask for. Built once per
//! distinct (table, key, filter) and materialised, so the FIR table up to the
//! month is aggregated once for FIR-DUPLICATE, the parent rules of every
//! child table and the due records of CD-MISSING and FRP-OVERDUE.

use super::{plan_error, Months, Scope};
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{col, lit, Expr, JoinType};
use datafusion::prelude::DataFrame;
use std::collections::BTreeMap;

/// Which aggregate: a table, its join key and an optional row filter (SQL).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AggregateKey {
    /// The table aggregated.
    pub table: String,
    /// The key columns.
    pub on: Vec<String>,
    /// Only rows where this holds.
    pub filter: Option<String>,
}

/// A named aggregate column and the rule that asked for it (for error places).
struct Wanted<'a> {
    sql: String,
    rule: &'a Rule,
    field: &'static str,
}

/// The materialised aggregates of one audit.
#[derive(Default)]
pub struct Aggregates {
    frames: BTreeMap<AggregateKey, DataFrame>,
}

/// The aggregate a rule reads as its parent (or its records, for `child_due`), with the columns it adds.
pub fn parent_of(rule: &Rule) -> Option<(AggregateKey, &BTreeMap<String, String>)> {
    static NONE: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    let none = NONE.get_or_init(BTreeMap::new);
    match &rule.kind {
        Kind::Unique { key } => Some((
            AggregateKey {
                table: rule.table.clone(),
                on: key.clone(),
                filter: None,
            },
            none,
        )),
        Kind::Parent {
            parent,
            on,
            parent_where,
            parent_columns,
            ..
        } => Some((
            AggregateKey {
                table: parent.clone(),
                on: on.clone(),
                filter: parent_where.clone(),
            },
            parent_columns,
        )),
        Kind::ChildDue {
            on, record_columns, ..
        } => Some((
            AggregateKey {
                table: rule.table.clone(),
                on: on.clone(),
                filter: None,
            },
            record_columns,
        )),
        _ => None,
    }
}

/// The child aggregate a `child_due` rule looks for rows in.
pub fn child_of(rule: &Rule) -> Option<AggregateKey> {
    match &rule.kind {
        Kind::ChildDue { child, on, .. } => Some(AggregateKey {
            table: child.clone(),
            on: on.clone(),
            filter: None,
        }),
        _ => None,
    }
}

impl Aggregates {
    /// Builds every aggregate the pack's rules need, each once.
    pub async fn build(scope: &Scope<'_>) -> Result<Aggregates> {
        let mut wanted: BTreeMap<AggregateKey, (&Rule, BTreeMap<String, Wanted<'_>>)> =
            BTreeMap::new();
        for rule in &scope.pack.rules {
            if let Some((key, columns)) = parent_of(rule) {
                let field = if matches!(rule.kind, Kind::ChildDue { .. }) {
                    "record_columns"
                } else {
                    "parent_columns"
                };
                let (_, entry) = wanted.entry(key).or_insert((rule, BTreeMap::new()));
                for (name, sql) in columns {
                    if let Some(existing) = entry.get(name) {
                        if existing.sql != *sql {
                            return Err(Error::usage(
                                rule.place_of(field).to_string(),
                                format!(
                                    "rule {}: column `{name}` is defined differently by rule {}",
                                    rule.id, existing.rule.id
                                ),
                                "give it another name",
                            ));
                        }
                    }
                    entry.entry(name.clone()).or_insert(Wanted {
                        sql: sql.clone(),
                        rule,
                        field,
                    });
                }
            }
            if let Some(key) = child_of(rule) {
                wanted.entry(key).or_insert((rule, BTreeMap::new()));
            }
        }
        let builds = wanted.iter().map(|(key, (rule, columns))| async move {
            aggregate(scope, key, rule, columns)
                .await
                .map(|frame| (key.clone(), frame))
        });
        let frames = futures::future::try_join_all(builds)
            .await?
            .into_iter()
            .collect();
        Ok(Aggregates { frames })
    }

    /// `df` left-joined on `key.on` with the aggregate, whose key columns are
    /// renamed `{prefix}_{column}` and count `{prefix}_n` (null: no row);
    /// `columns` (aggregate columns the caller reads) keep their names.
    pub fn left_join(
        &self,
        df: DataFrame,
        key: &AggregateKey,
        prefix: &str,
        columns: &[&String],
    ) -> Result<DataFrame> {
        let renamed = |c: &String| format!("{prefix}_{c}");
        let mut select: Vec<Expr> = key
            .on
            .iter()
            .map(|c| col(c.as_str()).alias(renamed(c)))
            .collect();
        select.push(col("__n").alias(format!("{prefix}_n")));
        select.extend(columns.iter().map(|c| col(c.as_str())));
        let parent = self
            .frame(key)?
            .select(select)
            .map_err(plan_error(&key.table))?;
        let left: Vec<&str> = key.on.iter().map(String::as_str).collect();
        let right: Vec<String> = key.on.iter().map(renamed).collect();
        let right: Vec<&str> = right.iter().map(String::as_str).collect();
        df.join(parent, JoinType::Left, &left, &right, None)
            .map_err(plan_error(&key.table))
    }

    /// The aggregate as built.
    pub fn frame(&self, key: &AggregateKey) -> Result<DataFrame> {
        self.frames.get(key).cloned().ok_or_else(|| {
            Error::usage(
                &key.table,
                "no aggregate was built for this rule",
                "report this as a bug",
            )
        })
    }
}

/// Aggregates `key.table` up to the month per key; `rule` is the first rule that reads it.
async fn aggregate(
    scope: &Scope<'_>,
    key: &AggregateKey,
    rule: &Rule,
    columns: &BTreeMap<String, Wanted<'_>>,
) -> Result<DataFrame> {
    let mut rows = scope.scan(&key.table, Months::UpTo(scope.month)).await?;
    if let Some(filter) = &key.filter {
        let keep = scope.condition(rule, "parent_where", filter, rows.schema())?;
        rows = rows.filter(keep).map_err(plan_error(&key.table))?;
    }
    let group: Vec<Expr> = key.on.iter().map(|c| col(c.as_str())).collect();
    let mut aggregates = vec![count(lit(1)).alias("__n")];
    for (name, w) in columns {
        let what = format!("rule {}: column `{name}`", w.rule.id);
        aggregates.push(
            scope
                .parse(&w.sql, rows.schema(), &w.rule.place_of(w.field), &what)?
                .alias(name),
        );
    }
    let plan = rows
        .aggregate(group, aggregates)
        .map_err(plan_error(&key.table))?;
    plan.cache().await.map_err(Error::engine(format!(
        "aggregating {} up to {}",
        key.table, scope.month
    )))
}
