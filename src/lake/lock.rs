//! The writer lock: one process at a time changes a lake (an ingest, or a
//! `check --landing --accept`). Readers take no lock: they read the manifest,
//! which moves by one atomic rename.
//!
//! The lock is an advisory `flock` on `<lake>/_lock`, so the operating system
//! releases it when its holder ends, however it ends: a killed ingest leaves
//! no stale lock. A second writer waits for it, saying once which run holds it.

use super::Lake;
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Held while a process writes the lake; released when dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
}

impl Lake {
    /// The lake's writer lock, waiting while another process holds it.
    /// `holder` names this writer (its run id) to anyone who waits.
    pub async fn lock_for_writing(&self, holder: &str) -> Result<WriterLock> {
        let path = self.root().join("_lock");
        let file = open_lock_file(&path)?;
        let file = match file.try_lock() {
            Ok(()) => file,
            Err(TryLockError::WouldBlock) => wait_for(file, &path).await?,
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        };
        let mut lock = WriterLock { file };
        lock.name_holder(holder, &path)?;
        Ok(lock)
    }
}

impl WriterLock {
    /// Writes who holds the lock into the lock file, for a waiting writer's message.
    fn name_holder(&mut self, holder: &str, path: &Path) -> Result<()> {
        let text = format!("{holder} (process {})\n", std::process::id());
        self.file.set_len(0).map_err(|e| Error::io(path, e))?;
        self.file.rewind().map_err(|e| Error::io(path, e))?;
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(path, e))
    }
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// Blocks (off the async workers) until the lock is free.
async fn wait_for(mut file: File, path: &Path) -> Result<File> {
    let mut holder = String::new();
    let _ = file.read_to_string(&mut holder);
    tracing::warn!(
        lake_lock = %path.display(),
        "another writer holds the lake ({}); waiting for it to finish",
        holder.trim()
    );
    let waited = path.to_path_buf();
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|_| {
            Error::io(
                &waited,
                std::io::Error::other("the lock wait was cancelled"),
            )
        })?
        .map_err(|e| Error::io(&waited, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn a_second_writer_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let lake = Lake::create(dir.path()).unwrap();
        let first = lake.lock_for_writing("first").await.unwrap();
        let second = {
            let lake = lake.clone();
            tokio::spawn(async move { lake.lock_for_writing("second").await.map(|_| ()) })
        };
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!second.is_finished(), "the second writer must wait");
        drop(first);
        second.await.unwrap().unwrap();
    }
}
