//! Reading the lake: register every table at the manifest's version in a
//! DataFusion session, and read the registry back.

use super::scan::LakeTable;
use super::write::open_version;
use super::{Lake, Manifest, REGISTRY};
use crate::contract::{Month, Registry, Station};
use crate::error::{Error, Result};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::TableProvider;
use datafusion::datasource::empty::EmptyTable;
use datafusion::prelude::{DataFrame, SessionContext};
use std::sync::Arc;

/// Registers the six station tables, `quarantine` and `registry` in `ctx`,
/// each at the version the manifest names (an empty table when it has none),
/// read as a [`LakeTable`] (the snapshot's Parquet files through DataFusion's
/// own reader). The tables' logs are read concurrently.
pub async fn register_snapshot(
    ctx: &SessionContext,
    lake: &Lake,
    manifest: &Manifest,
) -> Result<()> {
    let state = ctx.state();
    let opens = super::table_schemas().into_iter().map(|(name, schema)| {
        let state = &state;
        async move {
            let provider: Arc<dyn TableProvider> = match manifest.tables.get(name) {
                Some(&version) => {
                    let table = open_version(lake, name, version).await?;
                    table
                        .update_datafusion_session(state)
                        .map_err(Error::lake(format!("reading lake table {name}")))?;
                    let delta = table
                        .table_provider()
                        .await
                        .map_err(Error::engine(format!("reading lake table {name}")))?;
                    let dir = lake.table_dir(name);
                    Arc::new(LakeTable::new(&table, &dir, delta.schema(), name)?)
                }
                None => Arc::new(EmptyTable::new(schema)),
            };
            Ok::<_, Error>((name, provider))
        }
    });
    for (name, provider) in futures::future::try_join_all(opens).await? {
        ctx.register_table(name, provider)
            .map_err(Error::engine(format!("registering {name}")))?;
    }
    Ok(())
}

/// A digest (SHA-256, hex) of the rows of months up to `last` in the
/// monthly tables of `ctx` (registered by [`register_snapshot`]): each
/// table's name and its files of those months (path and size). Re-uploads
/// and new months write new files and never touch the files of other
/// months, so the digest changes exactly when an audit of `last` could read
/// other rows.
pub async fn digest_up_to(ctx: &SessionContext, last: Month) -> Result<String> {
    use sha2::{Digest, Sha256};
    let last = last.to_string();
    let mut hasher = Sha256::new();
    for name in super::monthly_tables() {
        let provider = ctx
            .table_provider(name)
            .await
            .map_err(Error::engine(format!("table {name}")))?;
        hasher.update(format!("{name}\n"));
        let Some(table) = provider.downcast_ref::<LakeTable>() else {
            continue;
        };
        for (path, size) in table.files_up_to(&last) {
            hasher.update(format!("{path} {size}\n"));
        }
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// The rows of every lake table (the registry and the quarantine included)
/// in months up to `last`, from the Delta log; `None` when a table is not
/// the lake's own (a distributed engine's) or a file lacks its row count.
pub async fn rows_up_to(ctx: &SessionContext, last: Month) -> Option<u64> {
    let last = last.to_string();
    let mut rows = 0;
    for (name, _) in super::table_schemas() {
        let provider = ctx.table_provider(name).await.ok()?;
        if provider.downcast_ref::<EmptyTable>().is_some() {
            continue;
        }
        rows += provider.downcast_ref::<LakeTable>()?.rows_up_to(&last)?;
    }
    Some(rows)
}

/// The registry of the lake's current snapshot (empty when none was ingested).
pub async fn read_registry(lake: &Lake, manifest: &Manifest) -> Result<Registry> {
    let Some(&version) = manifest.tables.get(REGISTRY) else {
        return Ok(Registry::default());
    };
    let ctx = SessionContext::new();
    let table = open_version(lake, REGISTRY, version).await?;
    table
        .update_datafusion_session(&ctx.state())
        .map_err(Error::lake("reading the registry"))?;
    let provider = table
        .table_provider()
        .await
        .map_err(Error::engine("reading the registry"))?;
    registry_of(ctx.read_table(provider)).await
}

/// The registry table a session holds (registered by [`register_snapshot`]).
pub async fn registry_in(ctx: &SessionContext) -> Result<Registry> {
    registry_of(ctx.table(REGISTRY).await).await
}

async fn registry_of(table: datafusion::error::Result<DataFrame>) -> Result<Registry> {
    let batches = table
        .map_err(Error::engine("reading the registry"))?
        .collect()
        .await
        .map_err(Error::engine("reading the registry"))?;
    Ok(Registry::new(batches.iter().flat_map(stations_of)))
}

fn stations_of(batch: &RecordBatch) -> Vec<Station> {
    let names = [
        "ps_code",
        "ps_name",
        "ps_name_hi",
        "district_code",
        "district_name",
        "state_code",
    ];
    let columns: Vec<Option<ArrayRef>> = names
        .iter()
        .map(|n| {
            batch
                .column_by_name(n)
                .and_then(|c| cast(c, &DataType::Utf8).ok())
        })
        .collect();
    let text = |c: usize, row: usize| -> Option<String> {
        let strings = columns[c].as_ref()?.as_string::<i32>();
        strings
            .is_valid(row)
            .then(|| strings.value(row).to_string())
    };
    (0..batch.num_rows())
        .map(|row| Station {
            ps_code: text(0, row).unwrap_or_default(),
            ps_name: text(1, row),
            ps_name_hi: text(2, row),
            district_code: text(3, row).unwrap_or_default(),
            district_name: text(4, row),
            state_code: text(5, row),
        })
        .collect()
}
