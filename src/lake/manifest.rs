//! The lake manifest `_lake.json`: which Delta version of each table forms
//! the current snapshot, replaced only by an atomic rename; and the kept
//! snapshots `_snapshots/<N>.json`, one per committing ingest, which never
//! change once written.

use super::Lake;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One snapshot of the lake (the current one is `_lake.json`).
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
    /// What the run that made this snapshot replaced (empty for snapshots
    /// made before the lake kept this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replaced>,
}

/// The partitions of one table and month that a snapshot replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// The lake table.
    pub table: String,
    /// The month (`None` for the registry, which is replaced whole).
    pub month: Option<String>,
    /// The stations whose rows of that month were replaced.
    pub stations: Vec<String>,
}

impl Manifest {
    /// The lake's manifest, or an empty one for a new lake.
    pub fn load(lake: &Lake) -> Result<Manifest> {
        read_manifest(&lake.manifest_path()).map(Option::unwrap_or_default)
    }

    /// Snapshot `number` of the lake, as kept when it was made.
    pub fn numbered(lake: &Lake, number: u64) -> Result<Manifest> {
        let current = Manifest::load(lake)?;
        if number == current.snapshot && number > 0 {
            return Ok(current);
        }
        let path = snapshot_path(lake, number);
        let kept = match number <= current.snapshot {
            true => read_manifest(&path)?,
            false => None,
        };
        kept.ok_or_else(|| {
            Error::usage(
                format!("--snapshot {number}"),
                format!(
                    "the lake at {} has no snapshot {number} (its current snapshot is {})",
                    lake.root().display(),
                    current.snapshot
                ),
                "`cctns-audit lake log --lake <LAKE>` lists the snapshots it keeps",
            )
        })
    }

    /// Every snapshot the lake keeps, newest first (the current one
    /// included even when it was made before snapshots were kept).
    pub fn history(lake: &Lake) -> Result<Vec<Manifest>> {
        let current = Manifest::load(lake)?;
        let mut kept = Vec::new();
        for number in (1..=current.snapshot).rev() {
            if number == current.snapshot {
                kept.push(current.clone());
                continue;
            }
            if let Some(m) = read_manifest(&snapshot_path(lake, number))? {
                kept.push(m);
            }
        }
        Ok(kept)
    }

    /// Makes this manifest current: keeps it as its numbered snapshot, then
    /// writes a temporary `_lake.json`, syncs it and renames it over. A
    /// crash before the rename leaves the previous snapshot current (the
    /// kept file of the unfinished one is written again by the next ingest).
    pub fn commit(&self, lake: &Lake) -> Result<()> {
        keep_current(lake)?;
        write_atomically(&snapshot_path(lake, self.snapshot), self)?;
        write_atomically(&lake.manifest_path(), self)
    }
}

/// The folder of kept snapshots.
fn snapshots_dir(lake: &Lake) -> PathBuf {
    lake.root().join("_snapshots")
}

/// The file of kept snapshot `number`.
fn snapshot_path(lake: &Lake, number: u64) -> PathBuf {
    snapshots_dir(lake).join(format!("{number:06}.json"))
}

/// Keeps the current snapshot if it is not kept yet (a lake made before
/// snapshots were kept), so that it stays readable after the next one.
fn keep_current(lake: &Lake) -> Result<()> {
    let current = Manifest::load(lake)?;
    let path = snapshot_path(lake, current.snapshot);
    if current.snapshot == 0 || path.is_file() {
        return Ok(());
    }
    write_atomically(&path, &current)
}

/// The manifest in `path`, `None` when there is no such file.
fn read_manifest(path: &Path) -> Result<Option<Manifest>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::usage(
                path,
                format!("not a lake manifest ({e})"),
                "restore it from a backup or ingest into a new lake",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes `manifest` to a temporary file beside `path`, syncs it and renames it over `path`.
fn write_atomically(path: &Path, manifest: &Manifest) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(manifest).map_err(|e| Error::io(path, e.into()))?;
    crate::atomic::write_file(path, &bytes)
}
