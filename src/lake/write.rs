//! Delta commits: replace a table's rows matching a predicate, overwrite a
//! whole table, and roll back commits no manifest names.

use super::{Lake, Manifest};
use crate::error::{Error, Result};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::Expr;
use deltalake_core::operations::write::WriteBuilder;
use deltalake_core::protocol::SaveMode;
use deltalake_core::{DeltaTable, DeltaTableBuilder};
use std::collections::HashMap;

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
    let (table, properties) = open_for_write(lake, name, &schema).await?;
    let exists = table.version().is_some();
    let write = table.write(non_empty(schema, batches));
    replace_with(write, &properties, exists, predicate, name).await
}

/// Runs `write` on table `name` as the replacement of its rows matching
/// `predicate` (of all of it on the first write, which creates the table
/// partitioned by `month` with the lake's `properties`); returns the new
/// Delta version.
pub(super) async fn replace_with(
    write: WriteBuilder,
    properties: &HashMap<String, String>,
    exists: bool,
    predicate: Expr,
    name: &str,
) -> Result<u64> {
    let mut write = write
        .with_save_mode(SaveMode::Overwrite)
        .with_partition_columns(["month"])
        .with_configuration(configuration(properties));
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
    let (table, properties) = open_for_write(lake, name, &schema).await?;
    let table = table
        .write(non_empty(schema, batches))
        .with_save_mode(SaveMode::Overwrite)
        .with_configuration(configuration(&properties))
        .await
        .map_err(Error::lake(format!("writing lake table {name}")))?;
    version_of(&table, name)
}

/// The Delta table property naming the columns whose minimum and maximum
/// go into the Delta log.
pub const STATS_COLUMNS: &str = "delta.dataSkippingStatsColumns";

/// The columns of table `name` that get Delta statistics: all but the
/// partition column, the personal ones (contract) and the quarantine's raw text. delta-rs writes
/// each file's `minValues`/`maxValues` into `_delta_log/*.json` and logs them
/// at debug level, so a personal column there would put names and mobiles
/// into the log files and the logs.
pub fn stats_columns(name: &str, schema: &Schema) -> String {
    let personal = |column: &str| {
        crate::contract::table(name)
            .is_some_and(|t| t.columns.iter().any(|c| c.personal && c.name == column))
    };
    let names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|c| *c != "month" && !personal(c))
        .filter(|c| !(name == super::QUARANTINE && *c == super::RAW_TEXT))
        .collect();
    names.join(",")
}

/// The Delta table property that lets a checkpoint delete log files older
/// than the log retention. Kept snapshots name old versions, which must stay
/// readable, so the lake sets it to `false`.
pub const EXPIRED_LOG_CLEANUP: &str = "delta.enableExpiredLogCleanup";

/// The properties every lake table carries: its [`STATS_COLUMNS`], and
/// [`EXPIRED_LOG_CLEANUP`] off so that every kept snapshot stays readable.
fn table_properties(name: &str, schema: &Schema) -> HashMap<String, String> {
    HashMap::from([
        (STATS_COLUMNS.to_string(), stats_columns(name, schema)),
        (EXPIRED_LOG_CLEANUP.to_string(), "false".to_string()),
    ])
}

/// The properties as a write's configuration.
fn configuration(properties: &HashMap<String, String>) -> Vec<(String, Option<String>)> {
    properties
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

/// Table `name` at its latest version, with its [`table_properties`] set
/// if it exists, and the properties a first write must configure.
pub(super) async fn open_for_write(
    lake: &Lake,
    name: &str,
    schema: &Schema,
) -> Result<(DeltaTable, HashMap<String, String>)> {
    let properties = table_properties(name, schema);
    let table = keep_properties(open_latest(lake, name).await?, name, &properties).await?;
    Ok((table, properties))
}

/// Sets the [`table_properties`] an existing table lacks (a lake made
/// before they were set), in one commit of its own; the next write then
/// logs no statistics of the columns left out, and no checkpoint deletes
/// the log of a kept snapshot.
async fn keep_properties(
    table: DeltaTable,
    name: &str,
    properties: &HashMap<String, String>,
) -> Result<DeltaTable> {
    let Ok(state) = table.snapshot() else {
        return Ok(table);
    };
    let current = state.metadata().configuration();
    let missing: HashMap<String, String> = properties
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if missing.is_empty() {
        return Ok(table);
    }
    tracing::info!(
        table = name,
        "setting the lake's table properties (statistics columns, log kept)"
    );
    table
        .set_tbl_properties()
        .with_properties(missing)
        .await
        .map_err(Error::lake(format!(
            "setting the properties of lake table {name}"
        )))
}

/// Why commits beyond the manifest are rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollback {
    /// An ingest was interrupted before its manifest moved (logged as a warning).
    Interrupted,
    /// A staged upload was discarded (logged as information).
    Discarded,
}

/// Rolls every table back to the version the manifest names, so commits
/// of an interrupted ingest or a discarded upload never become visible;
/// tables the manifest does not name are removed.
pub async fn recover(lake: &Lake, manifest: &Manifest, why: Rollback) -> Result<()> {
    for (name, _) in super::table_schemas() {
        let dir = lake.table_dir(name);
        if !dir.join("_delta_log").is_dir() {
            continue;
        }
        let Some(&wanted) = manifest.tables.get(name) else {
            match why {
                Rollback::Interrupted => tracing::warn!(
                    table = name,
                    "removing a table no snapshot names (interrupted first ingest)"
                ),
                Rollback::Discarded => {
                    tracing::info!(table = name, "removing a discarded new table")
                }
            }
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            continue;
        };
        let table = open_latest(lake, name).await?;
        let ahead = table.version().is_some_and(|latest| latest > wanted);
        if ahead && !restored_to(&table, wanted).await {
            match why {
                Rollback::Interrupted => tracing::warn!(
                    table = name,
                    version = wanted,
                    "rolling back commits of an interrupted ingest"
                ),
                Rollback::Discarded => tracing::info!(
                    table = name,
                    version = wanted,
                    "discarding the staged upload's commits"
                ),
            }
            table
                .restore()
                .with_version_to_restore(wanted)
                .await
                .map_err(Error::lake(format!("rolling back lake table {name}")))?;
        }
    }
    Ok(())
}

/// Whether the latest commit of `table` restored it to `version` (a
/// discarded staged upload, or a recovery already made): its content is
/// that version's, and restoring again would only add a commit.
async fn restored_to(table: &DeltaTable, version: u64) -> bool {
    use futures::StreamExt;
    let Some(Ok(last)) = table.history(Some(1)).next().await else {
        return false;
    };
    let restored = last
        .operation_parameters
        .as_ref()
        .and_then(|p| p.get("version"))
        .is_some_and(|v| v.as_u64() == Some(version) || v.as_str() == Some(&version.to_string()));
    last.operation.as_deref() == Some("RESTORE") && restored
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::lit;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_table_made_without_the_lake_properties_gets_them() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::create(dir.path()).unwrap();
        let schema = crate::contract::TABLES[0].lake_schema();
        open_latest(&lake, "fir")
            .await
            .unwrap()
            .write(vec![RecordBatch::new_empty(schema.clone())])
            .with_partition_columns(["month"])
            .await
            .unwrap();
        replace_rows(&lake, "fir", schema.clone(), vec![], lit(true))
            .await
            .unwrap();
        let table = open_latest(&lake, "fir").await.unwrap();
        let config = table.snapshot().unwrap().metadata().configuration().clone();
        let stats = config.get(STATS_COLUMNS).unwrap();
        assert_eq!(stats, &stats_columns("fir", &schema));
        assert!(stats.contains("fir_no") && stats.contains("place_of_occurrence"));
        assert!(!stats.contains("complainant") && !stats.contains("month"));
        assert_eq!(
            config.get(EXPIRED_LOG_CLEANUP).map(String::as_str),
            Some("false")
        );
    }

    #[test]
    fn the_quarantine_keeps_its_raw_text_out_of_the_statistics() {
        let stats = stats_columns(super::super::QUARANTINE, &super::super::quarantine_schema());
        assert_eq!(
            stats,
            "ps_code,table_name,source_file,record_no,reasons,ingest_run"
        );
    }
}
