//! The pseudonym key: read from a key file only its owner may read, or
//! from `CCTNS_PSEUDONYM_KEY`; never from the command line, and never
//! printed (its `Debug` is redacted; error messages name the file only).

use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

/// The environment variable that may hold the key.
pub const KEY_ENV: &str = "CCTNS_PSEUDONYM_KEY";
/// The fewest bytes a key may have.
pub const MIN_KEY_BYTES: usize = 32;
/// The text whose HMAC identifies a key in `_publish.json`.
const KEY_ID_TEXT: &str = "cctns-audit pseudonym key id";

/// A secret key for pseudonyms.
pub struct PseudonymKey {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(redacted)")
    }
}

impl PseudonymKey {
    /// A key of these bytes (tests and callers that checked them).
    pub fn from_bytes(bytes: Vec<u8>) -> PseudonymKey {
        PseudonymKey { bytes }
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `--key-file` when given, else `CCTNS_PSEUDONYM_KEY`; refuses (exit 2) without one.
    pub fn load(key_file: Option<&Path>) -> Result<PseudonymKey> {
        match key_file {
            Some(path) => PseudonymKey::from_file(path),
            None => match std::env::var(KEY_ENV) {
                Ok(text) => checked(text.into_bytes(), KEY_ENV),
                Err(_) => Err(Error::usage(
                    "publish",
                    "no pseudonym key",
                    format!(
                        "pass --key-file FILE (at least {MIN_KEY_BYTES} bytes, `chmod 600 FILE`) or set {KEY_ENV}"
                    ),
                )),
            },
        }
    }

    /// The key in `path`: its bytes with one trailing line ending (LF or
    /// CRLF) removed; the file must be readable by its owner only.
    pub fn from_file(path: &Path) -> Result<PseudonymKey> {
        refuse_if_shared(path)?;
        let mut bytes = std::fs::read(path).map_err(|e| {
            Error::usage(
                path,
                format!("cannot read the key file ({})", e.kind()),
                "pass the path of the SCRB's key file",
            )
        })?;
        strip_line_ending(&mut bytes);
        checked(bytes, &path.display().to_string())
    }

    /// The key's id: the first 16 bytes of `HMAC-SHA256(key, fixed text)`
    /// in hex, so a dashboard can tell when the key changed.
    pub fn id(&self) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.bytes) else {
            return String::new();
        };
        mac.update(KEY_ID_TEXT.as_bytes());
        let digest = mac.finalize().into_bytes();
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

/// Removes one trailing LF or CRLF (a key saved by a Windows editor is the
/// same key); no other byte, since a key may be binary.
fn strip_line_ending(bytes: &mut Vec<u8>) {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
}

fn checked(bytes: Vec<u8>, source: &str) -> Result<PseudonymKey> {
    if bytes.len() < MIN_KEY_BYTES {
        return Err(Error::usage(
            source,
            format!(
                "the pseudonym key has {} bytes, fewer than {MIN_KEY_BYTES}",
                bytes.len()
            ),
            "make a longer key, e.g. `head -c 32 /dev/urandom | base64 > key; chmod 600 key`",
        ));
    }
    Ok(PseudonymKey { bytes })
}

#[cfg(unix)]
fn refuse_if_shared(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::usage(
            path,
            format!("cannot read the key file ({})", e.kind()),
            "pass the path of the SCRB's key file",
        )
    })?;
    if !meta.is_file() {
        return Err(Error::usage(
            path,
            "the key file is not a file",
            "pass the path of the SCRB's key file",
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::usage(
            path,
            format!("the key file may be read by others (mode {mode:03o})"),
            format!("run `chmod 600 {}`", path.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_shared(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_file_others_may_read_or_a_short_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = PseudonymKey::from_file(&path).unwrap_err().to_string();
        assert!(
            e.contains("chmod 600") && !e.contains("0123456789abcdef"),
            "{e}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let key = PseudonymKey::from_file(&path).unwrap();
        assert_eq!(
            key.bytes(),
            b"0123456789abcdef0123456789abcdef",
            "one newline removed"
        );
        assert_eq!(format!("{key:?}"), "PseudonymKey(redacted)");
        std::fs::write(&path, "0123456789abcdef0123456789abcdef\r\n").unwrap();
        assert_eq!(
            PseudonymKey::from_file(&path).unwrap().id(),
            key.id(),
            "a CRLF is one line ending"
        );
        std::fs::write(&path, b"0123456789abcdef0123456789abcdef\r\r\n\n").unwrap();
        assert_eq!(
            PseudonymKey::from_file(&path).unwrap().bytes().len(),
            35,
            "only one line ending removed"
        );
        std::fs::write(&path, "short").unwrap();
        let e = PseudonymKey::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("fewer than 32") && !e.contains("short"), "{e}");
    }
}
