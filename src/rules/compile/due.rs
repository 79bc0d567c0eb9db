//! `child_due` rules of one table: the table's records over the lake up to
//! the month (the shared aggregate per `on` key, see [`super::aggregates`]),
//! joined once per child table; a record is in a rule's population when its
//! deadline falls in the month, and fails when the child has no row.

use super::aggregates::{child_of, parent_of, AggregateKey};
use super::{message, plan_error, record_columns, record_key, rule_columns, Group, Scope};
use crate::error::{Error, Result};
use crate::rules::pack::Kind;
use datafusion::logical_expr::{col, lit, Expr};

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
    let mut records = scope.aggregates.frame(&records_key, scope.month)?;
    for (k, child) in children.iter().enumerate() {
        records =
            scope
                .aggregates
                .left_join(scope.month, records, child, &format!("__c{k}"), &[])?;
    }
    let schema = records.schema().clone();
    let key = record_key(table);
    let mut select: Vec<Expr> =
        record_columns(col("ps_code"), lit(table.to_string()), key.clone()).into();
    let mut any_due: Option<Expr> = None;
    for (i, (_, rule)) in rules.iter().enumerate() {
        let Kind::ChildDue { deadline, .. } = &rule.kind else {
            continue;
        };
        let k = child_of(rule)
            .and_then(|c| children.iter().position(|x| *x == c))
            .unwrap_or(0);
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
        let population = datafusion::prelude::coalesce(vec![due, lit(false)])
            .and(scope.population(rule, &schema)?);
        let fails = col(format!("__c{k}_n")).is_null();
        select.extend(rule_columns(
            i,
            population,
            fails,
            message(rule, &schema, &key)?,
        ));
        let p = col(format!("p{i}"));
        any_due = Some(match any_due {
            Some(e) => e.or(p),
            None => p,
        });
    }
    let mut plan = records.select(select).map_err(plan_error(&label))?;
    if let Some(filter) = any_due {
        plan = plan.filter(filter).map_err(plan_error(&label))?;
    }
    Ok(Some(Group {
        label,
        rules: rules.iter().map(|(i, _)| *i).collect(),
        plan,
    }))
}
