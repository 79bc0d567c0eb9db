//! `row`, `unique` and `parent` rules of one table: one scan of the table's
//! month, one left join per distinct (parent, on, parent_where) aggregate of
//! the lake up to the month, then one projection with every rule's columns.

use super::{
    message, plan_error, record_columns, record_key, rule_columns, table_label, Group, Months,
    Scope,
};
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{col, lit, Expr, JoinType};
use std::collections::BTreeMap;

/// A parent aggregate joined to the table: one row per key of the parent.
#[derive(PartialEq)]
struct Join {
    parent: String,
    on: Vec<String>,
    parent_where: Option<String>,
    columns: BTreeMap<String, String>,
}

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
    let (joins, join_of) = plan_joins(table, &rules)?;
    let mut df = scope.scan(table, Months::Only(scope.month)).await?;
    for (k, join) in joins.iter().enumerate() {
        let parent = parent_aggregate(scope, rules[join_of_first(&join_of, k)].1, join, k).await?;
        let left: Vec<&str> = join.on.iter().map(String::as_str).collect();
        let right: Vec<String> = join.on.iter().map(|c| format!("__j{k}_{c}")).collect();
        let right: Vec<&str> = right.iter().map(String::as_str).collect();
        df = df
            .join(parent, JoinType::Left, &left, &right, None)
            .map_err(plan_error(table))?;
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

/// The distinct joins the rules need, and which join each rule uses.
fn plan_joins(table: &str, rules: &[(usize, &Rule)]) -> Result<(Vec<Join>, Vec<Option<usize>>)> {
    let mut joins: Vec<Join> = Vec::new();
    let mut join_of = Vec::new();
    for (_, rule) in rules {
        let wanted = match &rule.kind {
            Kind::Unique { key } => Join {
                parent: table.to_string(),
                on: key.clone(),
                parent_where: None,
                columns: BTreeMap::new(),
            },
            Kind::Parent {
                parent,
                on,
                parent_where,
                parent_columns,
                ..
            } => Join {
                parent: parent.clone(),
                on: on.clone(),
                parent_where: parent_where.clone(),
                columns: parent_columns.clone(),
            },
            _ => {
                join_of.push(None);
                continue;
            }
        };
        let same_source = |j: &Join| {
            j.parent == wanted.parent && j.on == wanted.on && j.parent_where == wanted.parent_where
        };
        match joins.iter().position(same_source) {
            Some(k) => {
                merge_columns(&mut joins[k].columns, &wanted.columns, rule)?;
                join_of.push(Some(k));
            }
            None => {
                join_of.push(Some(joins.len()));
                joins.push(wanted);
            }
        }
    }
    Ok((joins, join_of))
}

fn merge_columns(
    into: &mut BTreeMap<String, String>,
    from: &BTreeMap<String, String>,
    rule: &Rule,
) -> Result<()> {
    for (name, sql) in from {
        match into.get(name) {
            Some(existing) if existing != sql => {
                return Err(Error::usage(
                    rule.place_of("parent_columns").to_string(),
                    format!("rule {}: parent column `{name}` is defined differently by another rule of this table", rule.id),
                    "give it another name",
                ))
            }
            Some(_) => {}
            None => {
                into.insert(name.clone(), sql.clone());
            }
        }
    }
    Ok(())
}

fn join_of_first(join_of: &[Option<usize>], k: usize) -> usize {
    join_of.iter().position(|j| *j == Some(k)).unwrap_or(0)
}

/// The parent table up to the month, filtered, aggregated per key.
async fn parent_aggregate(
    scope: &Scope<'_>,
    rule: &Rule,
    join: &Join,
    k: usize,
) -> Result<datafusion::prelude::DataFrame> {
    let mut parent = scope.scan(&join.parent, Months::UpTo(scope.month)).await?;
    if let Some(w) = &join.parent_where {
        let keep = scope.condition(rule, "parent_where", w, parent.schema())?;
        parent = parent.filter(keep).map_err(plan_error(&join.parent))?;
    }
    let group: Vec<Expr> = join
        .on
        .iter()
        .map(|c| col(c.as_str()).alias(format!("__j{k}_{c}")))
        .collect();
    let mut aggregates = vec![count(lit(1)).alias(format!("__j{k}_n"))];
    for (name, sql) in &join.columns {
        let what = format!("rule {}: parent column `{name}`", rule.id);
        let expr = scope.parse(
            sql,
            parent.schema(),
            &rule.place_of("parent_columns"),
            &what,
        )?;
        aggregates.push(expr.alias(name));
    }
    parent
        .aggregate(group, aggregates)
        .map_err(plan_error(&join.parent))
}
