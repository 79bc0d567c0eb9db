//! The publish folder changes in one atomic step for its readers.
//!
//! A publish never writes into the folder a dashboard reads. It builds the
//! folder's next state in a sibling, `.<name>.publishing`: every file of the
//! current folder hard-linked (Delta files are never changed in place, so
//! the links cost no copy and the current folder stays as it is), then the
//! new commits written there, old versions vacuumed and `_publish.json`
//! written last. The sibling then takes the folder's place by one
//! `renameat2(RENAME_EXCHANGE)` and the old state, now at the sibling's
//! path, is removed. A reader sees the whole old folder or the whole new
//! one; a publish killed at any moment leaves the folder as it was, and
//! the next publish removes the sibling it left.
//!
//! One publish at a time: an advisory lock on `.<name>.publish-lock` beside
//! the folder, released by the operating system however its holder ends.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The file that marks a folder as a publish folder.
pub const PUBLISH_LOG: &str = "_publish.json";

/// A publish folder held for one publish: its lock and its staging sibling.
#[derive(Debug)]
pub struct PublishFolder {
    to: PathBuf,
    staging: PathBuf,
    _lock: File,
}

impl PublishFolder {
    /// Takes the lock of the publish folder `to` (waiting for another
    /// publish) and removes what an interrupted publish left beside it.
    pub async fn take(to: &Path) -> Result<PublishFolder> {
        let parent = parent_of(to)?;
        std::fs::create_dir_all(&parent).map_err(|e| cannot_write(&parent, &e))?;
        let name = to
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::usage(
                    to,
                    "not a folder name",
                    "pass --to a folder such as /data/published",
                )
            })?;
        let lock_path = parent.join(format!(".{name}.publish-lock"));
        let lock = lock(&lock_path).await?;
        let staging = parent.join(format!(".{name}.publishing"));
        remove_if_present(&staging)?;
        Ok(PublishFolder {
            to: to.to_path_buf(),
            staging,
            _lock: lock,
        })
    }

    /// The folder readers read.
    pub fn path(&self) -> &Path {
        &self.to
    }

    /// Makes the staging sibling: the current folder's files hard-linked,
    /// or an empty folder for a first publish. Returns its path.
    pub fn stage(&self) -> Result<&Path> {
        std::fs::create_dir(&self.staging).map_err(|e| Error::io(&self.staging, e))?;
        if self.to.is_dir() {
            link_tree(&self.to, &self.staging)?;
        }
        Ok(&self.staging)
    }

    /// Puts the staging sibling in the folder's place in one atomic step
    /// and removes the state it replaced.
    pub fn swap_in(self) -> Result<()> {
        sync_tree(&self.staging)?;
        match self.to.exists() {
            true => exchange(&self.staging, &self.to)?,
            false => {
                std::fs::rename(&self.staging, &self.to).map_err(|e| Error::io(&self.to, e))?
            }
        }
        if let Ok(parent) = parent_of(&self.to) {
            sync_dir(&parent)?;
        }
        remove_if_present(&self.staging)
    }
}

/// Refuses `to` when it is a file, or a folder that holds something but
/// no `_publish.json` (a lake, a landing, anyone's folder): a publish
/// replaces the whole folder.
pub fn refuse_foreign(to: &Path) -> Result<()> {
    if !to.exists() {
        return Ok(());
    }
    if !to.is_dir() {
        return Err(Error::usage(
            to,
            "not a folder",
            "pass --to a new or existing publish folder",
        ));
    }
    let empty = std::fs::read_dir(to)
        .map_err(|e| Error::io(to, e))?
        .next()
        .is_none();
    if empty || to.join(PUBLISH_LOG).is_file() {
        return Ok(());
    }
    Err(Error::usage(
        to,
        format!("the folder holds files but no {PUBLISH_LOG}, so it is not a publish folder"),
        "pass --to a new folder, an empty one, or one that publish made",
    ))
}

/// Refuses a publish folder inside `other` (a lake, a landing folder) or
/// holding it: a publish replaces its folder whole.
pub fn refuse_overlap(to: &Path, other: &Path, what: &str, fix: &str) -> Result<()> {
    let (to, other) = (resolved(to), resolved(other));
    if to.starts_with(&other) || other.starts_with(&to) {
        return Err(Error::usage(
            &to,
            format!("the publish folder and {what} {} overlap", other.display()),
            fix,
        ));
    }
    Ok(())
}

/// `path` absolute, with links resolved as far as it exists.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    while existing.canonicalize().is_err() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            return absolute.clone();
        };
        missing.push(name.to_os_string());
        existing = parent;
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    resolved.extend(missing.iter().rev());
    resolved
}

/// The folder that holds `to` (the working folder for a bare name).
fn parent_of(to: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(to).map_err(|e| Error::io(to, e))?;
    absolute.parent().map(Path::to_path_buf).ok_or_else(|| {
        Error::usage(
            to,
            "a publish folder cannot be the root",
            "pass --to a folder such as /data/published",
        )
    })
}

/// A place beside the publish folder this user cannot write: bad `--to` (exit 2).
fn cannot_write(path: &Path, e: &std::io::Error) -> Error {
    Error::usage(
        path,
        format!("cannot write here ({e})"),
        "pass --to a folder in a place the user running publish can write",
    )
}

/// The lock at `path`, waiting off the async workers while another holds it.
async fn lock(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| cannot_write(path, &e))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
        Err(std::fs::TryLockError::WouldBlock) => {}
    }
    tracing::info!(lock = %path.display(), "another publish holds the folder; waiting");
    let owned = path.to_path_buf();
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| Error::io(&owned, std::io::Error::other(e.to_string())))?
        .map_err(|e| Error::io(&owned, e))
}

/// Recreates the tree `from` in the existing folder `to`, files hard-linked.
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| Error::io(&source, e))?;
        if kind.is_dir() {
            std::fs::create_dir(&target).map_err(|e| Error::io(&target, e))?;
            link_tree(&source, &target)?;
        } else if kind.is_file() {
            std::fs::hard_link(&source, &target).map_err(|e| Error::io(&target, e))?;
        } else {
            return Err(Error::usage(
                &source,
                "a publish folder holds only folders and files, not links or devices",
                "remove it, or publish into a new folder",
            ));
        }
    }
    Ok(())
}

/// Flushes every file and folder of the tree at `dir` to disk.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        match path.is_dir() {
            true => sync_tree(&path)?,
            false => File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&path, e))?,
        }
    }
    sync_dir(dir)
}

/// Flushes a folder's entries to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Removes the folder at `path` when it exists.
fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Exchanges two folders atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
        .map_err(|e| Error::io(b, std::io::Error::from(e)))
}

/// Exchanges two folders: without `renameat2` a reader may find the folder
/// missing for a moment, never half-written.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    let old = a.with_extension("old");
    std::fs::rename(b, &old).map_err(|e| Error::io(b, e))?;
    std::fs::rename(a, b).map_err(|e| Error::io(b, e))?;
    std::fs::rename(&old, a).map_err(|e| Error::io(a, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_swap_replaces_the_folder_whole_and_leaves_no_sibling() {
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("published");
        std::fs::create_dir_all(to.join("fir")).unwrap();
        std::fs::write(to.join("fir/a.parquet"), "old").unwrap();
        std::fs::write(to.join(PUBLISH_LOG), "{}").unwrap();
        let folder = PublishFolder::take(&to).await.unwrap();
        let staging = folder.stage().unwrap().to_path_buf();
        std::fs::remove_file(staging.join("fir/a.parquet")).unwrap();
        std::fs::write(staging.join("fir/b.parquet"), "new").unwrap();
        assert!(
            to.join("fir/a.parquet").is_file(),
            "the folder is untouched until the swap"
        );
        folder.swap_in().unwrap();
        assert!(!to.join("fir/a.parquet").exists());
        assert_eq!(
            std::fs::read_to_string(to.join("fir/b.parquet")).unwrap(),
            "new"
        );
        assert!(!staging.exists());
    }

    #[test]
    fn a_folder_that_is_not_a_publish_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("_lake.json"), "{}").unwrap();
        let e = refuse_foreign(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a publish folder"), "{e}");
    }
}
