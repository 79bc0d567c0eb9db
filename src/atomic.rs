//! The one way this program replaces a file that others may read at any
//! moment (the lake's manifest, the score history, a publish log, every
//! report file): the new bytes go into a temporary file beside it and take
//! its name in one rename; [`write_file`] also flushes them to disk first,
//! for the files a crash must not lose. A crash leaves the old file or the new one, and
//! the old file's inode is never written, so a hard link to it (a publish
//! folder being staged) keeps the old bytes.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Replaces (or creates) `path` with `bytes`, atomically and durably:
/// the file, then its folder, are synced before this returns.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = folder_of(path)?;
    let mut file = temporary_beside(path, dir)?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_folder(dir)
}

/// Replaces (or creates) `path` with what `fill` writes into a temporary
/// file beside it, in one rename once `fill` succeeded: a reader sees the
/// old file or the whole new one, never a part. Not synced (the report
/// files: a crash may lose the new file, never tear it); a failed `fill`
/// leaves `path` as it was. A symbolic link, a pipe or a device (`check
/// --junit /dev/stdout`) is written through instead.
pub fn write_with(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    if is_special(path) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        return fill(&mut file);
    }
    let dir = folder_of(path)?;
    let mut file = temporary_beside(path, dir)?;
    fill(file.as_file_mut())?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Whether `path` is there and is no regular file (a symbolic link, a
/// pipe, a device such as `/dev/stdout`): it is written through, in place,
/// as a plain write would, not replaced.
fn is_special(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file())
}

/// [`write_with`] of `bytes`.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |file| {
        file.write_all(bytes).map_err(|e| Error::io(path, e))
    })
}

/// The folder of `path`, created if missing.
fn folder_of(path: &Path) -> Result<&Path> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Ok(dir)
}

/// A new hidden temporary file in `dir`, removed unless persisted, with
/// the permissions `File::create` would give (read and write for all, less
/// the umask), not the owner-only ones of a temporary file: report files,
/// the manifest and published files are read by other users and services.
fn temporary_beside(path: &Path, dir: &Path) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".").suffix(".partial");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir).map_err(|e| Error::io(path, e))
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

    #[cfg(unix)]
    #[test]
    fn a_written_file_is_readable_by_others_as_file_create_makes_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (ours, created) = (dir.path().join("report.html"), dir.path().join("plain"));
        replace_file(&ours, b"<html>").unwrap();
        std::fs::write(&created, b"").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&created));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (target, link) = (dir.path().join("target.xml"), dir.path().join("junit.xml"));
        std::fs::write(&target, b"old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn a_failed_fill_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scores.csv");
        replace_file(&path, b"old").unwrap();
        let failed = write_with(&path, |file| {
            file.write_all(b"half").unwrap();
            Err(Error::io(&path, std::io::Error::other("disk full")))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
