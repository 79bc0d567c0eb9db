//! The lake: one Delta Lake table per contract table (partitioned by
//! `month`), the quarantine table, the registry table, and the manifest
//! `_lake.json` naming the Delta version of each table in the current snapshot.
//!
//! Invariant: the lake changes only through Delta commits, and a new
//! snapshot becomes current by one atomic rename of the manifest, so a crash
//! leaves the previous snapshot readable.

// Not an input path: the lake indexes the partition values and schemas of its own tables.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod lock;
mod manifest;
mod read;
mod scan;
mod stream;
mod write;

pub use lock::WriterLock;
pub use manifest::{Manifest, Replaced};
pub use read::{digest_up_to, read_registry, register_snapshot, registry_in, rows_up_to};
pub use scan::LakeTable;
pub use stream::{
    replace_streamed, row_channel, send_current_rows, RowSender, RowSource, StreamBudget,
};
pub use write::{
    open_latest, overwrite_table, recover, replace_rows, stats_columns, Rollback, STATS_COLUMNS,
};

use crate::error::{Error, Result};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

pub use crate::contract::{monthly_tables, QUARANTINE, REGISTRY_TABLE as REGISTRY};
/// The quarantine's column holding a quarantined record as it was read.
pub const RAW_TEXT: &str = "raw_text";

/// A lake folder.
#[derive(Debug, Clone)]
pub struct Lake {
    root: PathBuf,
}

impl Lake {
    /// The lake at `root`, created if missing.
    pub fn create(root: &Path) -> Result<Lake> {
        std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        Ok(Lake { root })
    }

    /// An existing lake at `root` (one that holds a manifest).
    pub fn open(root: &Path) -> Result<Lake> {
        let lake = Lake {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        };
        if !lake.manifest_path().is_file() {
            return Err(Error::usage(
                root,
                "no lake here (no _lake.json)",
                "run `cctns-audit ingest <LANDING> --lake <LAKE>` first, or pass the right --lake",
            ));
        }
        Ok(lake)
    }

    /// The lake folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of table `name`.
    pub fn table_dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// The URL delta-rs opens table `name` by.
    pub fn table_url(&self, name: &str) -> Result<Url> {
        let dir = self.table_dir(name);
        Url::from_directory_path(&dir).map_err(|()| {
            Error::usage(
                &dir,
                "not an absolute local path",
                "pass an absolute --lake path",
            )
        })
    }

    /// The manifest file.
    pub fn manifest_path(&self) -> PathBuf {
        self.root.join("_lake.json")
    }

    /// The folder of ingest reports.
    pub fn ingest_dir(&self) -> PathBuf {
        self.root.join("_ingest")
    }
}

/// Every table of the lake with its schema: the monthly tables and the registry.
pub fn table_schemas() -> Vec<(&'static str, SchemaRef)> {
    let mut tables: Vec<(&'static str, SchemaRef)> = crate::contract::TABLES
        .iter()
        .map(|t| (t.name, t.lake_schema()))
        .collect();
    tables.push((QUARANTINE, quarantine_schema()));
    tables.push((REGISTRY, registry_schema()));
    tables
}

/// The quarantine table's schema.
pub fn quarantine_schema() -> SchemaRef {
    let reasons = DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)));
    Arc::new(Schema::new(vec![
        Field::new("ps_code", DataType::Utf8, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("record_no", DataType::Int64, false),
        Field::new(RAW_TEXT, DataType::Utf8, false),
        Field::new("reasons", reasons, false),
        Field::new("ingest_run", DataType::Utf8, false),
        Field::new("month", DataType::Utf8, false),
    ]))
}

/// The registry table's schema: the registry columns, all text.
pub fn registry_schema() -> SchemaRef {
    let fields: Vec<Field> = crate::contract::REGISTRY
        .columns
        .iter()
        .map(|c| Field::new(c.name, DataType::Utf8, !c.key))
        .collect();
    Arc::new(Schema::new(fields))
}
