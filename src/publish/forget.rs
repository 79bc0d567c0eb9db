//! Published tables keep no history of rows. A republish may mask a value
//! an earlier version showed (a FIR later found to be a sexual offence), so
//! after each publish every table forgets its older versions: a full vacuum
//! with no retention removes every data file the latest version does not
//! name, and a checkpoint of the latest version lets the log before it,
//! whose statistics name old values, be deleted. Time travel to an older
//! version then finds no log to read.

use crate::error::{Error, Result};
use deltalake_core::checkpoints::{cleanup_expired_logs_for, create_checkpoint};
use deltalake_core::operations::vacuum::VacuumMode;
use deltalake_core::DeltaTableBuilder;
use std::path::Path;

/// Removes every file and log entry of the Delta table in `dir` that its
/// latest version does not need.
pub async fn forget_old_versions(dir: &Path, name: &str) -> Result<()> {
    let context = format!("removing old versions of published table {name}");
    let url = url::Url::from_directory_path(dir).map_err(|()| {
        Error::usage(
            dir,
            "not an absolute local path",
            "pass an absolute --to path",
        )
    })?;
    let table = DeltaTableBuilder::from_url(url)
        .map_err(Error::lake(context.clone()))?
        .load()
        .await
        .map_err(Error::lake(context.clone()))?;
    let (table, _) = table
        .vacuum()
        .with_retention_period(chrono::Duration::zero())
        .with_enforce_retention_duration(false)
        .with_mode(VacuumMode::Full)
        .await
        .map_err(Error::lake(context.clone()))?;
    create_checkpoint(&table, None)
        .await
        .map_err(Error::lake(context.clone()))?;
    let latest = table
        .version()
        .ok_or_else(|| Error::usage(dir, "the table has no version", "publish again"))?;
    let every_file = chrono::Utc::now().timestamp_millis() + 60_000;
    cleanup_expired_logs_for(latest, table.log_store().as_ref(), every_file, None)
        .await
        .map_err(Error::lake(context))?;
    Ok(())
}
