//! `sql` rules: a free SELECT returning `ps_code`, `record_key` and
//! optionally `table`, `message` and `failed` (rows with `failed` false are
//! population only). Run with DDL, DML and statements refused; the session
//! holds only the lake tables, no file-reading functions and no URL tables.

use super::{message, plan_error, record_columns, rule_columns, Group, Scope};
use crate::error::{Error, Result};
use crate::rules::pack::Kind;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::{col, lit, Expr};
use datafusion::prelude::coalesce;

/// The options every rule query runs with: a read-only SELECT.
pub fn audit_sql_options() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

/// Compiles the `sql` rule at `index` of the pack.
pub(super) async fn compile(scope: &Scope<'_>, index: usize) -> Result<Group> {
    let rule = &scope.pack.rules[index];
    let Kind::Sql { query, .. } = &rule.kind else {
        return Err(Error::usage(
            rule.place.to_string(),
            format!("rule {} is not a sql rule", rule.id),
            "report this as a bug",
        ));
    };
    let place = rule.place_of("query");
    let bound = super::bind(query, scope.month);
    let df = scope
        .ctx
        .sql_with_options(&bound, audit_sql_options())
        .await
        .map_err(|e| {
            let first = e.to_string().lines().next().unwrap_or("").to_string();
            Error::usage(
                place.to_string(),
                format!("rule {}: `query` refused: {first}", rule.id),
                "write a single SELECT over the lake tables (no DDL, DML, COPY or file access)",
            )
        })?;
    let schema = df.schema().clone();
    for needed in ["ps_code", "record_key"] {
        if !schema.has_column_with_unqualified_name(needed) {
            return Err(Error::usage(
                place.to_string(),
                format!("rule {}: `query` returns no `{needed}` column", rule.id),
                "select ps_code and record_key (and optionally table, message, failed)",
            ));
        }
    }
    let has = |name: &str| schema.has_column_with_unqualified_name(name);
    let table = if has("table") {
        coalesce(vec![col("table"), lit(rule.table.clone())])
    } else {
        lit(rule.table.clone())
    };
    let key = col("record_key");
    let fails = if has("failed") {
        coalesce(vec![col("failed"), lit(true)])
    } else {
        lit(true)
    };
    let text = if has("message") {
        col("message")
    } else {
        message(rule, &schema, &key)?
    };
    let mut select: Vec<Expr> = record_columns(col("ps_code"), table, key).into();
    select.extend(rule_columns(0, lit(true), fails, text));
    let label = format!("sql:{}", rule.id);
    let plan = df.select(select).map_err(plan_error(&label))?;
    Ok(Group {
        label,
        rules: vec![index],
        plan,
    })
}
