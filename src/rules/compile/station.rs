//! `station` rules: the registry's stations, each measure aggregated per
//! station over its tables and months (values of several tables add up,
//! a station without rows measures 0), then every rule's condition.

use super::{message, plan_error, record_columns, rule_columns, Group, Months, Scope};
use crate::contract::REGISTRY_TABLE as REGISTRY;
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule, STATION};
use crate::rules::spec::MeasureSpec;
use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::sum;
use datafusion::logical_expr::{cast, col, lit, Expr, JoinType};
use datafusion::prelude::{coalesce, DataFrame};
use std::collections::BTreeMap;

/// Compiles every station rule into one plan.
pub(super) async fn compile(scope: &Scope<'_>) -> Result<Option<Group>> {
    let rules = scope.rules_of(STATION, |r| matches!(r.kind, Kind::Station { .. }));
    if rules.is_empty() {
        return Ok(None);
    }
    let measures = collect_measures(&rules)?;
    let registry = scope
        .ctx
        .table(REGISTRY)
        .await
        .map_err(plan_error(STATION))?;
    let mut df = registry
        .select(vec![cast(col("ps_code"), DataType::Utf8).alias("ps_code")])
        .map_err(plan_error(STATION))?;
    for (k, (name, (spec, rule))) in measures.iter().enumerate() {
        let measure = measure_plan(scope, rule, name, spec, k).await?;
        let right = format!("__m{k}_ps");
        df = df
            .join(
                measure,
                JoinType::Left,
                &["ps_code"],
                &[right.as_str()],
                None,
            )
            .map_err(plan_error(STATION))?;
        df = df
            .with_column(name, coalesce(vec![col(format!("__m{k}_v")), lit(0i64)]))
            .map_err(plan_error(STATION))?;
    }
    let schema = df.schema().clone();
    let key = col("ps_code");
    let mut select: Vec<Expr> = record_columns(col("ps_code"), lit(STATION), key.clone()).into();
    for (i, (_, rule)) in rules.iter().enumerate() {
        let Kind::Station { fails_when, .. } = &rule.kind else {
            continue;
        };
        let fails = scope.condition(rule, "fails_when", fails_when, &schema)?;
        let population = scope.population(rule, &schema)?;
        select.extend(rule_columns(
            i,
            population,
            fails,
            message(rule, &schema, &key)?,
        ));
    }
    let plan = df.select(select).map_err(plan_error(STATION))?;
    Ok(Some(Group {
        label: STATION.to_string(),
        rules: rules.iter().map(|(i, _)| *i).collect(),
        plan,
    }))
}

/// Every distinct measure of the rules, by name (the same name must mean the same measure).
fn collect_measures<'a>(
    rules: &[(usize, &'a Rule)],
) -> Result<BTreeMap<&'a str, (&'a MeasureSpec, &'a Rule)>> {
    let mut all: BTreeMap<&str, (&MeasureSpec, &Rule)> = BTreeMap::new();
    for (_, rule) in rules {
        let Kind::Station { measures, .. } = &rule.kind else {
            continue;
        };
        for (name, spec) in measures {
            if let Some((other, _)) = all.get(name.as_str()) {
                if *other != spec {
                    return Err(Error::usage(rule.place_of("measures").to_string(), format!("rule {}: measure `{name}` is defined differently by another station rule", rule.id), "give it another name"));
                }
            }
            all.entry(name).or_insert((spec, rule));
        }
    }
    Ok(all)
}

/// One measure per station: `__m{k}_ps`, `__m{k}_v`.
async fn measure_plan(
    scope: &Scope<'_>,
    rule: &Rule,
    name: &str,
    spec: &MeasureSpec,
    k: usize,
) -> Result<DataFrame> {
    let months = Months::Between(
        scope.month.offset(spec.months[0]),
        scope.month.offset(spec.months[1]),
    );
    let (ps, v) = (format!("__m{k}_ps"), format!("__m{k}_v"));
    let mut parts: Vec<DataFrame> = Vec::new();
    for table in &spec.tables {
        let df = scope.scan(table, months).await?;
        let what = format!("rule {}: measure `{name}`", rule.id);
        let value = scope.parse(&spec.value, df.schema(), &rule.place_of("measures"), &what)?;
        let part = df
            .aggregate(
                vec![cast(col("ps_code"), DataType::Utf8).alias(&ps)],
                vec![cast(value, DataType::Int64).alias(&v)],
            )
            .map_err(plan_error(STATION))?;
        parts.push(part);
    }
    let mut union = parts.pop().ok_or_else(|| {
        Error::usage(
            rule.place_of("measures").to_string(),
            format!("rule {}: measure `{name}` reads no table", rule.id),
            "list tables: [fir]",
        )
    })?;
    let several = !parts.is_empty();
    for part in parts {
        union = union.union(part).map_err(plan_error(STATION))?;
    }
    if several {
        union = union
            .aggregate(vec![col(&ps)], vec![sum(col(&v)).alias(&v)])
            .map_err(plan_error(STATION))?;
    }
    Ok(union)
}
