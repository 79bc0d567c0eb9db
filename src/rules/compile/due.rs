//! `child_due` rules of one table: the table's records over the lake up to
//! the month, aggregated per `on` key once for all such rules, joined once
//! per child table; a record is in a rule's population when its deadline
//! falls in the month, and fails when the child has no row.

use super::{message, plan_error, record_columns, record_key, rule_columns, Group, Months, Scope};
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{col, lit, Expr, JoinType};
use std::collections::BTreeMap;

/// Compiles the table's `child_due` rules into one plan.
pub(super) async fn compile(scope: &Scope<'_>, table: &str) -> Result<Option<Group>> {
    let rules = scope.rules_of(table, |r| matches!(r.kind, Kind::ChildDue { .. }));
    let Some((_, first)) = rules.first() else {
        return Ok(None);
    };
    let on = on_of(first);
    let label = format!("{table}:due");
    let mut records = scope.scan(table, Months::UpTo(scope.month)).await?;
    let mut aggregates: Vec<Expr> = Vec::new();
    let mut defined: BTreeMap<&str, &str> = BTreeMap::new();
    let mut children: Vec<&str> = Vec::new();
    for (_, rule) in &rules {
        let Kind::ChildDue {
            child,
            on: rule_on,
            record_columns,
            ..
        } = &rule.kind
        else {
            continue;
        };
        if rule_on != &on {
            return Err(Error::usage(
                rule.place_of("on").to_string(),
                format!(
                    "rule {}: child_due rules of table {table} must share `on`",
                    rule.id
                ),
                format!("use on: [{}]", on.join(", ")),
            ));
        }
        for (name, sql) in record_columns {
            match defined.insert(name, sql) {
                Some(previous) if previous != sql => {
                    return Err(Error::usage(rule.place_of("record_columns").to_string(), format!("rule {}: record column `{name}` is defined differently by another rule", rule.id), "give it another name"));
                }
                Some(_) => {}
                None => {
                    let what = format!("rule {}: record column `{name}`", rule.id);
                    aggregates.push(
                        scope
                            .parse(
                                sql,
                                records.schema(),
                                &rule.place_of("record_columns"),
                                &what,
                            )?
                            .alias(name),
                    );
                }
            }
        }
        if !children.contains(&child.as_str()) {
            children.push(child);
        }
    }
    let group: Vec<Expr> = on.iter().map(|c| col(c.as_str())).collect();
    records = records
        .aggregate(group, aggregates)
        .map_err(plan_error(&label))?;
    for (k, child) in children.iter().enumerate() {
        let kids = scope.scan(child, Months::UpTo(scope.month)).await?;
        let keys: Vec<Expr> = on
            .iter()
            .map(|c| col(c.as_str()).alias(format!("__c{k}_{c}")))
            .collect();
        let kids = kids
            .aggregate(keys, vec![count(lit(1)).alias(format!("__c{k}_n"))])
            .map_err(plan_error(&label))?;
        let right: Vec<String> = on.iter().map(|c| format!("__c{k}_{c}")).collect();
        let left: Vec<&str> = on.iter().map(String::as_str).collect();
        let right: Vec<&str> = right.iter().map(String::as_str).collect();
        records = records
            .join(kids, JoinType::Left, &left, &right, None)
            .map_err(plan_error(&label))?;
    }
    let schema = records.schema().clone();
    let key = record_key(table);
    let mut select: Vec<Expr> =
        record_columns(col("ps_code"), lit(table.to_string()), key.clone()).into();
    let mut any_due: Option<Expr> = None;
    for (i, (_, rule)) in rules.iter().enumerate() {
        let Kind::ChildDue {
            child, deadline, ..
        } = &rule.kind
        else {
            continue;
        };
        let k = children.iter().position(|c| c == child).unwrap_or(0);
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

fn on_of(rule: &Rule) -> Vec<String> {
    match &rule.kind {
        Kind::ChildDue { on, .. } => on.clone(),
        _ => Vec::new(),
    }
}
