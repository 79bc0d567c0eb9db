//! Audit: a rule pack, the lake and a month to [`Findings`].
//!
//! Input: a session over the lake snapshot, a [`RulePack`], the month.
//! Output: the failing records with their messages and, per station, the
//! passing records counted per set of rules whose population they are in;
//! both computed inside DataFusion (see [`plan`]), so only failing records
//! and counts leave the engine. Invariants: a record is (ps_code, table,
//! record key); rows sharing it count once, and the record fails a rule when
//! any of its rows does (the smallest message is kept). Only the audited
//! month and earlier months are read.

mod counts;
mod findings;
pub mod plan;
mod shard;

use crate::contract::Month;
use crate::error::{Error, Result};
use crate::rules::compile::{compile_due, compile_month, Aggregates, Group};
use crate::rules::RulePack;
pub use counts::{station_rows, Rows, RuleCounts, StationRows};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::prelude::SessionContext;
pub use findings::{FailingRecord, Findings, FindingsBuilder, PassingRecords, RuleSet, Violation};
pub use shard::{shard_count, split, Shard};
use std::collections::BTreeMap;

/// Audits `month`: compiles the pack, runs every plan concurrently, gathers the findings.
pub async fn audit(ctx: &SessionContext, pack: &RulePack, month: Month) -> Result<Findings> {
    let mut all = audit_months(ctx, pack, &[month]).await?;
    all.pop().ok_or_else(|| not_audited(month))
}

/// The error for an audit that returned no findings for `month` (a bug, never user input).
pub fn not_audited(month: Month) -> Error {
    Error::usage(
        month.to_string(),
        "no month was audited",
        "report this as a bug",
    )
}

/// Audits each of `months` (in that order) in one go: the parent aggregates
/// are built once for all of them, and every plan of every month feeds one
/// findings table (see [`plan`]) run as one query.
pub async fn audit_months(
    ctx: &SessionContext,
    pack: &RulePack,
    months: &[Month],
) -> Result<Vec<Findings>> {
    let started = std::time::Instant::now();
    let aggregates = Aggregates::build(ctx, pack, months).await?;
    let aggregated = started.elapsed();
    let compiles = months
        .iter()
        .map(|&m| compile_month(ctx, pack, m, &aggregates));
    let mut groups: Vec<(Option<Month>, Group)> = Vec::new();
    for (&m, compiled) in months
        .iter()
        .zip(futures::future::try_join_all(compiles).await?)
    {
        groups.extend(compiled.into_iter().map(|g| (Some(m), g)));
    }
    let shared = compile_due(ctx, pack, months, &aggregates).await?;
    groups.extend(shared.into_iter().map(|g| (None, g)));
    let plans: Vec<(Option<Month>, &Group)> = groups.iter().map(|(m, g)| (*m, g)).collect();
    let batches = match plan::findings_table(&plans, pack.rules.len())? {
        Some(table) => crate::engine::collect(table)
            .await
            .map_err(Error::engine("running the rules"))?,
        None => Vec::new(),
    };
    let ran = started.elapsed();
    let rule_ids = pack.rules.iter().map(|r| r.id.clone()).collect();
    let findings = findings::from_batches(months, rule_ids, &batches)?;
    tracing::debug!(months = ?months, aggregate_ms = aggregated.as_millis() as u64, run_ms = (ran - aggregated).as_millis() as u64, read_ms = (started.elapsed() - ran).as_millis() as u64, "audit done");
    Ok(findings)
}

/// The error for a plan whose result lacks a column (a bug, never user input).
fn shape_error(label: &str, column: &str) -> Error {
    Error::usage(
        label,
        format!("the plan returned no text/boolean column `{column}`"),
        "report this as a bug",
    )
}

/// A measure per station over the audited month: `value` (an aggregate SQL
/// expression) over the rows of `table` uploaded in `month`, e.g. the distinct
/// FIRs that set a station's category. Stations without rows are absent.
pub async fn station_measure(
    ctx: &SessionContext,
    table: &str,
    value: &str,
    month: Month,
) -> Result<BTreeMap<String, u64>> {
    use datafusion::arrow::datatypes::{DataType, Int64Type};
    use datafusion::logical_expr::cast;
    use datafusion::prelude::{col, lit};
    let context = format!("measuring `{value}` of {table} per station");
    let rows = ctx
        .table(table)
        .await
        .and_then(|t| t.filter(col("month").eq(lit(month.to_string()))))
        .map_err(Error::engine(context.clone()))?;
    let measure = rows
        .parse_sql_expr(value)
        .map_err(Error::engine(context.clone()))?;
    let batches = rows
        .aggregate(
            vec![cast(col("ps_code"), DataType::Utf8).alias("ps_code")],
            vec![cast(measure, DataType::Int64).alias("n")],
        )
        .map_err(Error::engine(context.clone()))?
        .collect()
        .await
        .map_err(Error::engine(context.clone()))?;
    let mut values = BTreeMap::new();
    for b in &batches {
        let (Some(ps), Some(n)) = (
            b.column(0).as_string_opt::<i32>(),
            b.column(1).as_primitive_opt::<Int64Type>(),
        ) else {
            return Err(shape_error(&context, "ps_code, n"));
        };
        for row in 0..b.num_rows() {
            values.insert(
                ps.value(row).to_string(),
                if n.is_null(row) {
                    0
                } else {
                    n.value(row).max(0) as u64
                },
            );
        }
    }
    Ok(values)
}

/// Whether the lake holds any row (loaded or quarantined) of `month`.
pub async fn holds_month(ctx: &SessionContext, month: Month) -> Result<bool> {
    use datafusion::prelude::{col, lit};
    for table in crate::lake::monthly_tables() {
        let context = format!("looking for rows of {month} in {table}");
        let n = ctx
            .table(table)
            .await
            .and_then(|t| t.filter(col("month").eq(lit(month.to_string()))))
            .and_then(|t| t.limit(0, Some(1)))
            .map_err(Error::engine(context.clone()))?
            .count()
            .await
            .map_err(Error::engine(context))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}
