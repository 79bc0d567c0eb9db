//! `_publish.json`: which months a publish folder holds, from which lake
//! snapshot, when, and under which key (its id, never the key). One folder
//! holds one key (spec outputs.md v1.4).

use super::folder::PUBLISH_LOG;
use super::PseudonymKey;
use crate::contract::Month;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `_publish.json`: what the folder holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PublishLog {
    /// The id of the key of the folder (never the key).
    pub key_id: String,
    /// Per published month: the snapshot and when.
    pub months: BTreeMap<String, PublishedMonth>,
}

/// One published month.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishedMonth {
    /// The lake snapshot it came from.
    pub snapshot: u64,
    /// The id of the key its pseudonyms were made with.
    pub key_id: String,
    /// When it was published (UTC, RFC 3339).
    pub published_at: String,
}

impl PublishLog {
    /// The log of the publish folder `to` (empty for a new folder); a log
    /// that cannot be read is an error, never an empty log.
    pub fn read(to: &Path) -> Result<PublishLog> {
        let path = to.join(PUBLISH_LOG);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PublishLog::default()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::usage(
                &path,
                format!("not a publish log ({e})"),
                "restore it from a backup, or publish into a new folder",
            )
        })
    }

    /// Accepts `key` for the folder: refuses another key than the folder's
    /// unless `rekey`, and a rekey that leaves a month of the folder out.
    pub fn accept_key(
        &self,
        to: &Path,
        key: &PseudonymKey,
        rekey: bool,
        months: &[Month],
    ) -> Result<()> {
        let id = key.id();
        if self.key_id.is_empty() || self.key_id == id {
            return Ok(());
        }
        if !rekey {
            return Err(Error::usage(
                to.join(PUBLISH_LOG),
                format!(
                    "the folder was published with key {} but this key is {id}",
                    self.key_id
                ),
                "pass the folder's key file, publish into a new folder, or add --rekey to republish every month of the folder under the new key",
            ));
        }
        let missing: Vec<&str> = self
            .months
            .keys()
            .filter(|m| !months.iter().any(|month| month.to_string() == **m))
            .map(String::as_str)
            .collect();
        match missing.is_empty() {
            true => Ok(()),
            false => Err(Error::usage(
                to.join(PUBLISH_LOG),
                format!(
                    "a rekey must republish every month of the folder; missing {}",
                    missing.join(", ")
                ),
                "publish with --rekey, which republishes them all",
            )),
        }
    }

    /// Records `month` as published now from `snapshot` under `key`.
    pub fn record(&mut self, month: Month, snapshot: u64, key: &PseudonymKey) {
        self.key_id = key.id();
        self.months.insert(
            month.to_string(),
            PublishedMonth {
                snapshot,
                key_id: key.id(),
                published_at: chrono::Utc::now().to_rfc3339(),
            },
        );
    }

    /// The months the folder holds.
    pub fn published_months(&self) -> Vec<Month> {
        self.months.keys().filter_map(|m| m.parse().ok()).collect()
    }

    /// Writes the log into the folder `dir`, flushed to disk.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(PUBLISH_LOG);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::io(&path, e.into()))?;
        crate::atomic::write_file(&path, &bytes)
    }
}
