//! `child_due` rules of one table: the table's records over the lake up to
//! the month (the shared aggregate per `on` key, see [`super::aggregates`]);
//! a record is in a rule's population when its deadline falls in the month,
//! and fails when the child table (up to the month) has no row for it. The
//! records are narrowed to those due before the child rows are looked up,
//! with one mark join per child table.

use super::aggregates::{child_of, parent_of, AggregateKey};
use super::{
    join_on, message, plan_error, prefixed, record_columns, record_key, rule_columns, Group,
    Months, Scope,
};
use crate::error::{Error, Result};
use crate::rules::pack::Kind;
use datafusion::logical_expr::{col, lit, Expr, JoinType};
use datafusion::prelude::DataFrame;

/// Compiles the table's `child_due` rules into one plan.
pub(super) async fn compile(scope: &Scope<'_>, table: &str) -> Result<Option<Group>> {
    let rules = scope.rules_of(table, |r| matches!(r.kind, Kind::ChildDue { .. }));
    let Some(records_key) = rules
        .first()
        .and_then(|(_, r)| parent_of(r))
        .map(|(key, _)| key)
    else {
        return Ok(None);
    };
    let label = format!("{table}:due");
    let mut children: Vec<AggregateKey> = Vec::new();
    for (_, rule) in &rules {
        if parent_of(rule).map(|(key, _)| key).as_ref() != Some(&records_key) {
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
    let records = scope.aggregates.frame(&records_key, scope.month)?;
    let schema = records.schema().clone();
    let key = record_key(table);
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
    let mut records = records
        .select(select)
        .and_then(|r| r.filter(any_due))
        .map_err(plan_error(&label))?;
    for (k, child) in children.iter().enumerate() {
        records = mark_child_rows(scope, records, child, &format!("__c{k}")).await?;
    }
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
    let plan = records.select(select).map_err(plan_error(&label))?;
    Ok(Some(Group {
        label,
        rules: rules.iter().map(|(i, _)| *i).collect(),
        plan,
    }))
}

/// `records` with a boolean column `{prefix}_found`: whether `child` (the
/// lake up to the month) has a row with the record's `on` values. A mark join
/// probes the child's rows against the (already filtered) due records, so the
/// child table is never aggregated.
async fn mark_child_rows(
    scope: &Scope<'_>,
    records: DataFrame,
    child: &AggregateKey,
    prefix: &str,
) -> Result<DataFrame> {
    let rows = scope
        .keys(&child.table, Months::UpTo(scope.month), &child.on, prefix)
        .await?;
    let right = prefixed(&child.on, prefix);
    join_on(
        records,
        rows,
        JoinType::LeftMark,
        &child.on,
        &right,
        &child.table,
    )?
    .with_column_renamed("mark", &format!("{prefix}_found"))
    .map_err(plan_error(&child.table))
}
