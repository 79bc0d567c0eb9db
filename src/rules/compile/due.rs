//! `child_due` rules of one table: the table's records over the lake up to
//! the month (the shared aggregate per `on` key, see [`super::aggregates`]);
//! a record is in a rule's population when its deadline falls in the month,
//! and fails when the child table (up to the month) has no row for it. The
//! records are narrowed to those due before the child rows are looked up,
//! with one mark join per child table.
//!
//! All audited months (M and M−1 for the trend) share one plan: the records
//! due in each month are tagged with it ([`AUDITED_MONTH`]), and a child row
//! counts for a record only when its month is not after the record's audited
//! month. The child tables, all their months up to M, are read once.

use super::aggregates::{child_of, parent_of, AggregateKey, Aggregates};
use super::{
    join_on, message, plan_error, prefixed, record_columns, record_key, renamed, rule_columns,
    Group, Months, Scope, AUDITED_MONTH,
};
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule, RulePack};
use datafusion::logical_expr::{col, lit, Expr, JoinType};
use datafusion::prelude::{DataFrame, SessionContext};

/// Compiles the table's `child_due` rules for all of `months` into one plan.
pub(super) async fn compile(
    ctx: &SessionContext,
    pack: &RulePack,
    aggregates: &Aggregates,
    table: &str,
    months: &[Month],
) -> Result<Option<Group>> {
    let Some(&latest) = months.iter().max() else {
        return Ok(None);
    };
    let scope_of = |month: Month| Scope {
        ctx,
        pack,
        month,
        aggregates,
    };
    let latest_scope = scope_of(latest);
    let rules = latest_scope.rules_of(table, |r| matches!(r.kind, Kind::ChildDue { .. }));
    let Some(records_key) = rules
        .first()
        .and_then(|(_, r)| parent_of(r))
        .map(|(key, _)| key)
    else {
        return Ok(None);
    };
    let label = format!("{table}:due");
    let children = children_of(table, &rules, &records_key)?;
    let mut due: Option<DataFrame> = None;
    for &month in months {
        let records = due_records(&scope_of(month), &rules, &records_key, &label).await?;
        due = Some(match due {
            Some(all) => all.union(records).map_err(plan_error(&label))?,
            None => records,
        });
    }
    let Some(mut records) = due else {
        return Ok(None);
    };
    let schema = aggregates.frame(&records_key, latest)?.schema().clone();
    for (k, child) in children.iter().enumerate() {
        records = mark_child_rows(&latest_scope, records, child, &format!("__c{k}")).await?;
    }
    let key = record_key(table);
    let mut select: Vec<Expr> =
        record_columns(col("ps_code"), lit(table.to_string()), key.clone()).into();
    for (i, (_, rule)) in rules.iter().enumerate() {
        let k = child_of(rule)
            .and_then(|c| children.iter().position(|x| *x == c))
            .unwrap_or(0);
        let fails = !col(format!("__c{k}_found"));
        select.extend(rule_columns(
            i,
            col(format!("__due{i}")),
            fails,
            message(rule, &schema, &key)?,
        ));
    }
    select.push(col(AUDITED_MONTH));
    let plan = records.select(select).map_err(plan_error(&label))?;
    Ok(Some(Group {
        label,
        rules: rules.iter().map(|(i, _)| *i).collect(),
        plan,
    }))
}

/// The distinct child tables (and keys) the rules look for rows in; the
/// rules must share their records' key.
fn children_of(
    table: &str,
    rules: &[(usize, &Rule)],
    records_key: &AggregateKey,
) -> Result<Vec<AggregateKey>> {
    let mut children: Vec<AggregateKey> = Vec::new();
    for (_, rule) in rules {
        if parent_of(rule).map(|(key, _)| key).as_ref() != Some(records_key) {
            return Err(Error::usage(
                rule.place_of("on").to_string(),
                format!(
                    "rule {}: child_due rules of table {table} must share `on`",
                    rule.id
                ),
                format!("use on: [{}]", records_key.on.join(", ")),
            ));
        }
        if let Some(child) = child_of(rule).filter(|c| !children.contains(c)) {
            children.push(child);
        }
    }
    Ok(children)
}

/// The records as they stood at the scope's month that are due in it for
/// some rule, with a column `__due{i}` per rule and the month in
/// [`AUDITED_MONTH`].
async fn due_records(
    scope: &Scope<'_>,
    rules: &[(usize, &Rule)],
    records_key: &AggregateKey,
    label: &str,
) -> Result<DataFrame> {
    let records = scope.aggregates.frame(records_key, scope.month)?;
    let schema = records.schema().clone();
    let mut due_columns: Vec<Expr> = Vec::new();
    let mut any_due = lit(false);
    for (i, (_, rule)) in rules.iter().enumerate() {
        let Kind::ChildDue { deadline, .. } = &rule.kind else {
            continue;
        };
        let deadline = scope.parse(
            deadline,
            &schema,
            &rule.place_of("deadline"),
            &format!("rule {}: `deadline`", rule.id),
        )?;
        let due = deadline
            .clone()
            .gt_eq(scope.month_start())
            .and(deadline.lt(scope.as_of()));
        let population = due.is_true().and(scope.population(rule, &schema)?);
        due_columns.push(population.alias(format!("__due{i}")));
        any_due = any_due.or(col(format!("__due{i}")));
    }
    let mut select: Vec<Expr> = schema.columns().into_iter().map(Expr::Column).collect();
    select.extend(due_columns);
    select.push(lit(scope.month.to_string()).alias(AUDITED_MONTH));
    records
        .select(select)
        .and_then(|r| r.filter(any_due))
        .map_err(plan_error(label))
}

/// `records` with a boolean column `{prefix}_found`: whether `child` has a
/// row with the record's `on` values in a month up to the record's audited
/// month. A mark join probes the child's rows (the lake up to the latest
/// audited month, read once) against the (already filtered) due records, so
/// the child table is never aggregated.
async fn mark_child_rows(
    scope: &Scope<'_>,
    records: DataFrame,
    child: &AggregateKey,
    prefix: &str,
) -> Result<DataFrame> {
    let right = prefixed(&child.on, prefix);
    let child_month = format!("{prefix}_month");
    let mut columns = renamed(&child.on, prefix);
    columns.push(col("month").alias(&child_month));
    let rows = scope
        .scan(&child.table, Months::UpTo(scope.month))
        .await?
        .select(columns)
        .map_err(plan_error(&child.table))?;
    let in_time = col(child_month.as_str()).lt_eq(col(AUDITED_MONTH));
    join_on(
        (records, &child.on),
        (rows, &right),
        JoinType::LeftMark,
        Some(in_time),
        &child.table,
    )?
    .with_column_renamed("mark", &format!("{prefix}_found"))
    .map_err(plan_error(&child.table))
}
