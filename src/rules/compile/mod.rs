//! Compiling a rule pack for one month into DataFusion plans.
//!
//! Input: a [`RulePack`], a session holding the lake tables, the month.
//! Output: [`Group`]s, each one plan that evaluates several rules at once and
//! returns one row per candidate record with the columns `ps_code`, `table`,
//! `record_key` and, for the i-th rule of the group, `p{i}` (in the
//! population), `f{i}` (fails) and `m{i}` (message when failing).
//!
//! Fusion: all `row`, `unique` and `parent` rules of a table are one plan
//! over one scan of the table's month, joined once per distinct parent; every
//! parent aggregate (a table up to the month, per key) is built once per audit
//! and shared by all plans (FIR-DUPLICATE, the parents of every child table,
//! the due records); all `station` rules share one plan. Month filters are on
//! the `month` partition column, so other months are never read.

// Not an input path: compiling indexes the rule pack and plans already validated.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod aggregates;
mod due;
mod rewrite;
mod sql;
mod station;
mod table;

pub use aggregates::Aggregates;
pub use sql::audit_sql_options;

use super::pack::{Place, Rule, RulePack};
use crate::contract::QUARANTINE;
use crate::contract::{self, Month};
use crate::error::{Error, Result};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::functions::expr_fn::concat;
use datafusion::logical_expr::{cast, col, lit, when, Expr, JoinType};
use datafusion::prelude::{coalesce, DataFrame, SessionContext};

/// One plan evaluating several rules.
pub struct Group {
    /// What the plan covers, for logs and explain output (`fir`, `fir:due`, `station`, `sql:ID`).
    pub label: String,
    /// Indices into the pack's rules, in the order of the `p{i}`/`f{i}`/`m{i}` columns.
    pub rules: Vec<usize>,
    /// The plan.
    pub plan: DataFrame,
}

/// The column naming a row's audited month (`YYYY-MM`) in the groups of
/// [`compile_due`], which cover every audited month at once.
pub const AUDITED_MONTH: &str = "__audited_month";

/// Compiles every rule of `pack` for `month` against the tables of `ctx`.
/// Collects every problem (with file and line) before failing.
pub async fn compile(ctx: &SessionContext, pack: &RulePack, month: Month) -> Result<Vec<Group>> {
    let aggregates = Aggregates::build(ctx, pack, &[month]).await?;
    let mut groups = compile_month(ctx, pack, month, &aggregates).await?;
    groups.extend(compile_due(ctx, pack, &[month], &aggregates).await?);
    Ok(groups)
}

/// Compiles the `child_due` rules of every table for all of `months` at
/// once (one plan per table, see [`due`]), reading records from `aggregates`.
pub async fn compile_due(
    ctx: &SessionContext,
    pack: &RulePack,
    months: &[Month],
    aggregates: &Aggregates,
) -> Result<Vec<Group>> {
    let mut groups = Vec::new();
    let mut problems = Vec::new();
    for table in crate::contract::monthly_tables() {
        let result = due::compile(ctx, pack, aggregates, table, months).await;
        collect(result, &mut groups, &mut problems);
    }
    all_or_problems(groups, problems)
}

/// Compiles every rule of `pack` for `month` but the `child_due` ones (see
/// [`compile_due`]), reading parents from `aggregates` (built by
/// [`Aggregates::build`] for months including `month`).
pub async fn compile_month(
    ctx: &SessionContext,
    pack: &RulePack,
    month: Month,
    aggregates: &Aggregates,
) -> Result<Vec<Group>> {
    let scope = Scope {
        ctx,
        pack,
        month,
        aggregates,
    };
    let mut groups = Vec::new();
    let mut problems = Vec::new();
    for table in crate::contract::monthly_tables() {
        collect(
            table::compile(&scope, table).await,
            &mut groups,
            &mut problems,
        );
    }
    collect(station::compile(&scope).await, &mut groups, &mut problems);
    for (index, rule) in pack.rules.iter().enumerate() {
        if matches!(rule.kind, super::Kind::Sql { .. }) {
            collect(
                sql::compile(&scope, index).await.map(Some),
                &mut groups,
                &mut problems,
            );
        }
    }
    all_or_problems(groups, problems)
}

/// The groups, or every problem found compiling them.
fn all_or_problems(groups: Vec<Group>, mut problems: Vec<Error>) -> Result<Vec<Group>> {
    match problems.len() {
        0 => Ok(groups),
        1 => Err(problems.remove(0)),
        _ => Err(Error::Many(problems)),
    }
}

fn collect(result: Result<Option<Group>>, groups: &mut Vec<Group>, problems: &mut Vec<Error>) {
    match result {
        Ok(Some(g)) => groups.push(g),
        Ok(None) => {}
        Err(Error::Many(mut many)) => problems.append(&mut many),
        Err(e) => problems.push(e),
    }
}

/// What every compile step needs.
pub(crate) struct Scope<'a> {
    pub ctx: &'a SessionContext,
    pub pack: &'a RulePack,
    pub month: Month,
    /// Parent aggregates shared by every plan of the audit.
    pub aggregates: &'a Aggregates,
}

/// Which months of a table a plan reads.
#[derive(Clone, Copy)]
pub(crate) enum Months {
    /// The audited month only.
    Only(Month),
    /// Every month up to and including it.
    UpTo(Month),
    /// An inclusive range.
    Between(Month, Month),
}

impl Scope<'_> {
    /// The rules of `table` whose kind `pick` accepts, with their pack indices.
    pub fn rules_of(&self, table: &str, pick: impl Fn(&Rule) -> bool) -> Vec<(usize, &Rule)> {
        self.pack
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.table == table && pick(r))
            .collect()
    }

    /// Table `name` restricted to `months`, with its derived columns added.
    pub async fn scan(&self, name: &str, months: Months) -> Result<DataFrame> {
        let df = self
            .ctx
            .table(name)
            .await
            .map_err(Error::engine(format!("table {name}")))?;
        let month = |m: Month| lit(m.to_string());
        let filter = match months {
            Months::Only(m) => col("month").eq(month(m)),
            Months::UpTo(m) => col("month").lt_eq(month(m)),
            Months::Between(a, b) => col("month")
                .gt_eq(month(a))
                .and(col("month").lt_eq(month(b))),
        };
        let mut df = df
            .filter(filter)
            .map_err(Error::engine(format!("table {name}")))?;
        for d in self.pack.derived.get(name).into_iter().flatten() {
            let expr = self.parse(
                &d.sql,
                df.schema(),
                &d.place,
                &format!("derived column {}", d.name),
            )?;
            df = df
                .with_column(&d.name, expr)
                .map_err(Error::engine(format!("derived column {}", d.name)))?;
        }
        Ok(df)
    }

    /// The `on` columns of `table`'s rows in `months`, each renamed [`prefixed`].
    pub async fn keys(
        &self,
        table: &str,
        months: Months,
        on: &[String],
        prefix: &str,
    ) -> Result<DataFrame> {
        self.scan(table, months)
            .await?
            .select(renamed(on, prefix))
            .map_err(plan_error(table))
    }

    /// Parses a SQL expression of the pack against `schema`, binding `$month`, `$month_start`, `$as_of`.
    pub fn parse(&self, sql: &str, schema: &DFSchema, place: &Place, what: &str) -> Result<Expr> {
        let bound = bind(sql, self.month);
        self.ctx
            .parse_sql_expr(&bound, schema)
            .and_then(|e| rewrite::intervals_as_durations(e, schema))
            .and_then(rewrite::regex_operators_as_calls)
            .map_err(|e| sql_problem(place, what, &e, schema))
    }

    /// Parses field `field` of `rule` (a boolean SQL expression), nulls
    /// counting as false. Written `IS TRUE` rather than `coalesce(…, false)`:
    /// DataFusion turns `coalesce` into a `CASE` that evaluates the condition
    /// twice (once to test for null, once on the rows it keeps).
    pub fn condition(
        &self,
        rule: &Rule,
        field: &str,
        sql: &str,
        schema: &DFSchema,
    ) -> Result<Expr> {
        let expr = self.parse(
            sql,
            schema,
            &rule.place_of(field),
            &format!("rule {}: `{field}`", rule.id),
        )?;
        Ok(expr.is_true())
    }

    /// The population condition of `rule` (true when it has none).
    pub fn population(&self, rule: &Rule, schema: &DFSchema) -> Result<Expr> {
        match &rule.population {
            Some(sql) => self.condition(rule, "population", sql, schema),
            None => Ok(lit(true)),
        }
    }

    /// The first instant of the month, as a timestamp literal.
    pub fn month_start(&self) -> Expr {
        timestamp(self.month.first_instant())
    }

    /// The as-of instant of the month, as a timestamp literal.
    pub fn as_of(&self) -> Expr {
        timestamp(self.month.as_of())
    }
}

fn timestamp(t: chrono::NaiveDateTime) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(t.and_utc().timestamp_micros()),
        None,
    ))
}

/// The names `{prefix}_{column}` given to key columns `on` on one side of a join.
pub fn prefixed(on: &[String], prefix: &str) -> Vec<String> {
    on.iter().map(|c| format!("{prefix}_{c}")).collect()
}

/// Key columns `on`, each renamed [`prefixed`].
pub fn renamed(on: &[String], prefix: &str) -> Vec<Expr> {
    on.iter()
        .zip(prefixed(on, prefix))
        .map(|(c, name)| col(c.as_str()).alias(name))
        .collect()
}

/// `left` joined with `right` where each of `left_on` equals its
/// `right_on` (and `filter`, when given, holds).
pub fn join_on(
    (left, left_on): (DataFrame, &[String]),
    (right, right_on): (DataFrame, &[String]),
    how: JoinType,
    filter: Option<Expr>,
    label: &str,
) -> Result<DataFrame> {
    let left_on: Vec<&str> = left_on.iter().map(String::as_str).collect();
    let right_on: Vec<&str> = right_on.iter().map(String::as_str).collect();
    left.join(right, how, &left_on, &right_on, filter)
        .map_err(plan_error(label))
}

/// Whether a SQL text names an audit parameter (`$month`, `$month_start`, `$as_of`).
pub fn names_parameter(sql: &str) -> bool {
    sql.contains("$month") || sql.contains("$as_of")
}

/// Replaces the audit parameters of a SQL text by literals.
pub fn bind(sql: &str, month: Month) -> String {
    let ts = |t: chrono::NaiveDateTime| format!("TIMESTAMP '{}'", t.format("%Y-%m-%d %H:%M:%S"));
    sql.replace("$month_start", &ts(month.first_instant()))
        .replace("$as_of", &ts(month.as_of()))
        .replace("$month", &format!("'{month}'"))
}

/// One line for a SQL problem: place, rule and field, DataFusion's first sentence, a hint.
fn sql_problem(place: &Place, what: &str, e: &DataFusionError, schema: &DFSchema) -> Error {
    let message = e.to_string();
    let first = message
        .lines()
        .next()
        .unwrap_or("")
        .split(". Valid fields")
        .next()
        .unwrap_or("")
        .to_string();
    let fix = match unknown_field(&message) {
        Some(name) => match closest(name, schema) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "check the column names of the table".to_string(),
        },
        None => "fix the SQL expression".to_string(),
    };
    Error::usage(place.to_string(), format!("{what}: {first}"), fix)
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.split("No field named ").nth(1)?;
    let name = rest.split(['.', ' ', '\n']).next()?;
    Some(name.trim_matches(['"', '`']))
}

fn closest<'a>(name: &str, schema: &'a DFSchema) -> Option<&'a str> {
    schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|f| !f.starts_with("__"))
        .map(|f| (edit_distance(name, f), f))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, f)| f)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The record key of a row of `table`, as in the data contract.
pub fn record_key(table: &str) -> Expr {
    if table == QUARANTINE {
        return concat(vec![lit("row:"), cast(col("record_no"), DataType::Utf8)]);
    }
    let columns = contract::table(table)
        .map(|t| t.record_key)
        .unwrap_or(&["ps_code"]);
    let mut parts = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            parts.push(lit("#"));
        }
        parts.push(cast(col(*c), DataType::Utf8));
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        concat(parts)
    }
}

/// The `table` written for a record of `table` (the quarantined row's own table for `quarantine`).
pub fn table_label(table: &str) -> Expr {
    if table == QUARANTINE {
        cast(col("table_name"), DataType::Utf8)
    } else {
        lit(table.to_string())
    }
}

/// The message of a failing record: the rule's template with `{column}`s filled in.
pub fn message(rule: &Rule, schema: &DFSchema, key: &Expr) -> Result<Expr> {
    let default = format!(
        "{}: {{table}} record {{record_key}} of station {{ps_code}}.",
        rule.description.trim_end_matches('.')
    );
    let template = rule.message.as_deref().unwrap_or(&default);
    let place = rule.place_of("message");
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some((text, after)) = rest.split_once('{') {
        parts.push(lit(text.to_string()));
        let Some((name, next)) = after.split_once('}') else {
            return Err(Error::usage(
                place.to_string(),
                format!("rule {}: `message`: a `{{` is never closed", rule.id),
                "write {column} or remove the brace",
            ));
        };
        parts.push(placeholder(rule, name, schema, key, &place)?);
        rest = next;
    }
    parts.push(lit(rest.to_string()));
    Ok(concat(parts))
}

fn placeholder(
    rule: &Rule,
    name: &str,
    schema: &DFSchema,
    key: &Expr,
    place: &Place,
) -> Result<Expr> {
    let personal = contract::TABLES
        .iter()
        .flat_map(|t| t.columns)
        .any(|c| c.personal && c.name == name);
    match name {
        "record_key" => Ok(key.clone()),
        "table" => Ok(table_label(&rule.table)),
        _ if personal => Err(Error::usage(
            place.to_string(),
            format!(
                "rule {}: `message` names `{name}`, which is personal data",
                rule.id
            ),
            "name the record key or a code instead",
        )),
        _ if schema.has_column_with_unqualified_name(name) => Ok(coalesce(vec![
            cast(col(name), DataType::Utf8),
            lit("blank"),
        ])),
        _ => Err(Error::usage(
            place.to_string(),
            format!("rule {}: `message` names unknown column `{name}`", rule.id),
            match closest(name, schema) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "name a column of the rule's table".to_string(),
            },
        )),
    }
}

/// The columns of one rule in a group: population, failure, message.
pub fn rule_columns(i: usize, population: Expr, fails: Expr, message: Expr) -> [Expr; 3] {
    let fails = population.clone().and(fails);
    let message = when(fails.clone(), message)
        .end()
        .unwrap_or_else(|_| lit(ScalarValue::Utf8(None)));
    [
        population.alias(format!("p{i}")),
        fails.alias(format!("f{i}")),
        message.alias(format!("m{i}")),
    ]
}

/// The leading columns of every group: `ps_code`, `table`, `record_key` (all `Utf8`).
pub fn record_columns(ps_code: Expr, table: Expr, key: Expr) -> [Expr; 3] {
    [
        cast(ps_code, DataType::Utf8).alias("ps_code"),
        cast(table, DataType::Utf8).alias("table"),
        cast(key, DataType::Utf8).alias("record_key"),
    ]
}

/// An engine error while building the plan of `label`.
pub fn plan_error(label: &str) -> impl FnOnce(DataFusionError) -> Error + '_ {
    move |e| Error::engine(format!("building the plan of {label}"))(e)
}
