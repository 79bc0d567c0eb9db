//! A session that sees one shard of stations: every lake table restricted
//! to the shard's `ps_code` range, in a catalog of its own.

use crate::error::{Error, Result};
use datafusion::catalog::MemoryCatalogProviderList;
use datafusion::datasource::{provider_as_source, ViewTable};
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::prelude::{Expr, SessionContext};
use std::sync::Arc;

/// A session that sees, under every lake table's name, only the rows where
/// `keep` holds (a shard's `ps_code` range): the configuration, functions,
/// planner and runtime (memory pool, disk manager) of `base`, but a catalog
/// of its own, so `base` still reads the whole lake. `base` itself when
/// `keep` is `None`.
///
/// The view is `Filter(keep, TableScan(lake table))`, which the optimizer
/// folds into the scan's filters, so the range reaches the Parquet reader
/// and prunes files and row groups by their `ps_code` statistics.
pub async fn shard_session(base: &SessionContext, keep: Option<Expr>) -> Result<SessionContext> {
    let Some(keep) = keep else {
        return Ok(base.clone());
    };
    let config = base
        .copied_config()
        .with_create_default_catalog_and_schema(true);
    let state = SessionStateBuilder::new_from_existing(base.state())
        .with_config(config)
        .with_catalog_list(Arc::new(MemoryCatalogProviderList::new()))
        .build();
    let ctx = SessionContext::new_with_state(state);
    for (name, _) in crate::lake::table_schemas() {
        let context = format!("restricting lake table {name} to a shard of stations");
        let table = base
            .table_provider(name)
            .await
            .map_err(Error::engine(context.clone()))?;
        let view = LogicalPlanBuilder::scan(name, provider_as_source(table), None)
            .and_then(|b| b.filter(keep.clone()))
            .and_then(LogicalPlanBuilder::build)
            .map_err(Error::engine(context.clone()))?;
        ctx.register_table(name, Arc::new(ViewTable::new(view, None)))
            .map_err(Error::engine(context))?;
    }
    Ok(ctx)
}
