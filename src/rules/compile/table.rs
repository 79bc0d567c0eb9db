//! `row`, `unique` and `parent` rules of one table: one scan of the table's
//! month, one left join per distinct parent aggregate (shared with the other
//! plans of the audit, see [`super::aggregates`]), then one projection with
//! every rule's columns.

use super::aggregates::{parent_of, AggregateKey};
use super::{
    message, plan_error, record_columns, record_key, rule_columns, table_label, Group, Months,
    Scope,
};
use crate::error::Result;
use crate::rules::pack::Kind;
use datafusion::logical_expr::{col, lit, Expr};

/// Compiles the table's `row`, `unique` and `parent` rules into one plan.
pub(super) async fn compile(scope: &Scope<'_>, table: &str) -> Result<Option<Group>> {
    let rules = scope.rules_of(table, |r| {
        matches!(
            r.kind,
            Kind::Row { .. } | Kind::Unique { .. } | Kind::Parent { .. }
        )
    });
    if rules.is_empty() {
        return Ok(None);
    }
    let mut joins: Vec<(AggregateKey, Vec<&String>)> = Vec::new();
    let mut join_of: Vec<Option<usize>> = Vec::new();
    for (_, rule) in &rules {
        let Some((key, columns)) = parent_of(rule) else {
            join_of.push(None);
            continue;
        };
        let k = match joins.iter().position(|(j, _)| *j == key) {
            Some(k) => k,
            None => {
                joins.push((key, Vec::new()));
                joins.len() - 1
            }
        };
        for c in columns.keys() {
            if !joins[k].1.contains(&c) {
                joins[k].1.push(c);
            }
        }
        join_of.push(Some(k));
    }
    let mut df = scope.scan(table, Months::Only(scope.month)).await?;
    for (k, (key, columns)) in joins.iter().enumerate() {
        df = scope
            .aggregates
            .left_join(scope.month, df, key, &format!("__j{k}"), columns)?;
    }
    let schema = df.schema().clone();
    let key = record_key(table);
    let mut select: Vec<Expr> =
        record_columns(col("ps_code"), table_label(table), key.clone()).into();
    for (i, (_, rule)) in rules.iter().enumerate() {
        let found = || col(format!("__j{}_n", join_of[i].unwrap_or(0)));
        let fails = match &rule.kind {
            Kind::Row { fails_when } => scope.condition(rule, "fails_when", fails_when, &schema)?,
            Kind::Unique { .. } => found().gt(lit(1)),
            Kind::Parent {
                fails_when: None, ..
            } => found().is_null(),
            Kind::Parent {
                fails_when: Some(c),
                ..
            } => found()
                .is_not_null()
                .and(scope.condition(rule, "fails_when", c, &schema)?),
            _ => lit(false),
        };
        let population = scope.population(rule, &schema)?;
        select.extend(rule_columns(
            i,
            population,
            fails,
            message(rule, &schema, &key)?,
        ));
    }
    let plan = df.select(select).map_err(plan_error(table))?;
    Ok(Some(Group {
        label: table.to_string(),
        rules: rules.iter().map(|(i, _)| *i).collect(),
        plan,
    }))
}
