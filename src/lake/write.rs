//! Delta commits: replace a table's rows matching a predicate, overwrite a
//! whole table, and roll back commits no manifest names.

use super::{Lake, Manifest};
use crate::error::{Error, Result};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::Expr;
use deltalake_core::protocol::SaveMode;
use deltalake_core::{DeltaTable, DeltaTableBuilder};

/// Replaces the rows of table `name` matching `predicate` by `batches`, in
/// one commit (creating the table, partitioned by `month`, on first write).
/// Returns the new Delta version.
pub async fn replace_rows(
    lake: &Lake,
    name: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    predicate: Expr,
) -> Result<u64> {
    let table = open_latest(lake, name).await?;
    let exists = table.version().is_some();
    let batches = non_empty(schema, batches);
    let mut write = table
        .write(batches)
        .with_save_mode(SaveMode::Overwrite)
        .with_partition_columns(["month"]);
    if exists {
        write = write.with_replace_where(predicate);
    }
    let table = write
        .await
        .map_err(Error::lake(format!("writing lake table {name}")))?;
    version_of(&table, name)
}

/// Replaces the whole content of table `name` (unpartitioned) in one commit.
pub async fn overwrite_table(
    lake: &Lake,
    name: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<u64> {
    let table = open_latest(lake, name).await?;
    let table = table
        .write(non_empty(schema, batches))
        .with_save_mode(SaveMode::Overwrite)
        .await
        .map_err(Error::lake(format!("writing lake table {name}")))?;
    version_of(&table, name)
}

/// Rolls every table back to the version the manifest names, so commits
/// of an interrupted ingest never become visible; tables the manifest does
/// not name are removed.
pub async fn recover(lake: &Lake, manifest: &Manifest) -> Result<()> {
    for (name, _) in super::table_schemas() {
        let dir = lake.table_dir(name);
        if !dir.join("_delta_log").is_dir() {
            continue;
        }
        let Some(&wanted) = manifest.tables.get(name) else {
            tracing::warn!(
                table = name,
                "removing a table no snapshot names (interrupted first ingest)"
            );
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            continue;
        };
        let table = open_latest(lake, name).await?;
        if table.version().is_some_and(|latest| latest > wanted) {
            tracing::warn!(
                table = name,
                version = wanted,
                "rolling back commits of an interrupted ingest"
            );
            table
                .restore()
                .with_version_to_restore(wanted)
                .await
                .map_err(Error::lake(format!("rolling back lake table {name}")))?;
        }
    }
    Ok(())
}

/// Table `name` at its latest version (unloaded if it does not exist yet).
pub async fn open_latest(lake: &Lake, name: &str) -> Result<DeltaTable> {
    let dir = lake.table_dir(name);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let url = lake.table_url(name)?;
    let context = format!("opening lake table {name}");
    let builder = DeltaTableBuilder::from_url(url).map_err(Error::lake(context.clone()))?;
    if dir.join("_delta_log").is_dir() {
        builder.load().await.map_err(Error::lake(context))
    } else {
        builder.build().map_err(Error::lake(context))
    }
}

/// Table `name` at `version`.
pub async fn open_version(lake: &Lake, name: &str, version: u64) -> Result<DeltaTable> {
    let url = lake.table_url(name)?;
    DeltaTableBuilder::from_url(url)
        .map_err(Error::lake(format!("opening lake table {name}")))?
        .with_version(version)
        .load()
        .await
        .map_err(Error::lake(format!(
            "opening lake table {name} at version {version}"
        )))
}

fn non_empty(schema: SchemaRef, mut batches: Vec<RecordBatch>) -> Vec<RecordBatch> {
    batches.retain(|b| b.num_rows() > 0);
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    batches
}

fn version_of(table: &DeltaTable, name: &str) -> Result<u64> {
    table
        .version()
        .ok_or_else(|| Error::usage(name, "the write made no version", "report this as a bug"))
}
