//! The one way this program replaces a file that others may read at any
//! moment (the lake's manifest, the score history, a publish log): the new
//! bytes go into a temporary file beside it, are flushed to disk, and take
//! its name in one rename. A crash leaves the old file or the new one, and
//! the old file's inode is never written, so a hard link to it (a publish
//! folder being staged) keeps the old bytes.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Replaces (or creates) `path` with `bytes`, atomically and durably:
/// the file, then its folder, are synced before this returns.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut file = tempfile::Builder::new()
        .prefix(".")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_folder(dir)
}

/// Flushes a folder's entries (a rename in it) to disk; a no-op where
/// folders cannot be opened as files.
fn sync_folder(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_leaves_a_hard_link_to_the_old_one_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (path, link) = (dir.path().join("a.json"), dir.path().join("b.json"));
        write_file(&path, b"old").unwrap();
        std::fs::hard_link(&path, &link).unwrap();
        write_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read(&link).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left");
    }
}
