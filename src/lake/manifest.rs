//! The lake manifest `_lake.json`: which Delta version of each table forms
//! the current snapshot. Replaced only by an atomic rename.

use super::Lake;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;

/// The current snapshot of the lake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Increases by one with every ingest that commits.
    pub snapshot: u64,
    /// Delta version of each table in this snapshot.
    pub tables: BTreeMap<String, u64>,
    /// The ingest run that made this snapshot.
    pub run_id: Option<String>,
    /// When this snapshot was made (UTC, RFC 3339).
    pub updated_at: Option<String>,
}

impl Manifest {
    /// The lake's manifest, or an empty one for a new lake.
    pub fn load(lake: &Lake) -> Result<Manifest> {
        let path = lake.manifest_path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::usage(
                    &path,
                    format!("not a lake manifest ({e})"),
                    "restore it from a backup or ingest into a new lake",
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Makes this manifest current: write a temporary file, sync it, rename it over.
    pub fn commit(&self, lake: &Lake) -> Result<()> {
        let path = lake.manifest_path();
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::io(&tmp, e.into()))?;
        write_synced(&tmp, &bytes)?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }
}

fn write_synced(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}
