//! `--memory-limit SIZE`: how much memory a run may take.

use std::fmt;
use std::str::FromStr;

/// A memory limit in bytes, as the user wrote it (`512MB`, `1GB`, `1.5GiB`).
///
/// `KB`, `MB`, `GB`, `TB` are powers of 1000, `KiB`, `MiB`, `GiB`, `TiB`
/// (and the bare `K`, `M`, `G`, `T`) powers of 1024, as DuckDB and most
/// tools read them; a plain number is bytes. Case does not matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemoryLimit {
    bytes: u64,
}

/// The smallest limit accepted: below it not even the lake's logs fit.
pub const SMALLEST: u64 = 64 * 1024 * 1024;

impl MemoryLimit {
    /// The limit in bytes.
    pub fn bytes(self) -> u64 {
        self.bytes
    }

    /// What the query engine's memory pool gets: three fifths of the limit.
    /// The rest is what the pool does not see: the program itself, the
    /// lake's logs, the batches being decoded and written, the reports.
    pub fn engine_share(self) -> usize {
        usize::try_from(self.bytes / 5 * 3).unwrap_or(usize::MAX)
    }
}

impl FromStr for MemoryLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<MemoryLimit, String> {
        let wrong = || {
            format!("`{text}` is not a size; write a number with a unit, e.g. 512MB, 1GB or 2GiB")
        };
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(split);
        let number: f64 = number.parse().map_err(|_| wrong())?;
        let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "kb" => 1e3,
            "mb" => 1e6,
            "gb" => 1e9,
            "tb" => 1e12,
            "k" | "kib" => 1024.0,
            "m" | "mib" => 1024.0 * 1024.0,
            "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
            "t" | "tib" => 1024.0f64.powi(4),
            _ => return Err(wrong()),
        };
        let bytes = number * scale;
        if !bytes.is_finite() || bytes < SMALLEST as f64 {
            return Err(format!(
                "`{text}` is below the smallest limit, 64MiB; give at least 64MiB"
            ));
        }
        Ok(MemoryLimit {
            bytes: bytes as u64,
        })
    }
}

/// In a pipeline file: a size as text (`1GB`) or a number of bytes.
impl<'de> serde::Deserialize<'de> for MemoryLimit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<MemoryLimit, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written {
            Bytes(u64),
            Text(String),
        }
        let text = match Written::deserialize(d)? {
            Written::Bytes(n) => n.to_string(),
            Written::Text(t) => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [
            (1_000_000_000, "GB"),
            (1 << 30, "GiB"),
            (1_000_000, "MB"),
            (1 << 20, "MiB"),
        ];
        for (size, unit) in units {
            if self.bytes >= size && self.bytes.is_multiple_of(size) {
                return write!(f, "{}{unit}", self.bytes / size);
            }
        }
        write!(f, "{}", self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_tools_read_them() {
        let bytes = |t: &str| t.parse::<MemoryLimit>().map(MemoryLimit::bytes);
        assert_eq!(bytes("512MB"), Ok(512_000_000));
        assert_eq!(bytes("1GB"), Ok(1_000_000_000));
        assert_eq!(bytes("1gib"), Ok(1 << 30));
        assert_eq!(bytes("256M"), Ok(256 << 20));
        assert_eq!(bytes(" 1.5 GB "), Ok(1_500_000_000));
        assert_eq!(bytes("268435456"), Ok(1 << 28));
        assert!(bytes("1 parsec").is_err());
        assert!(bytes("GB").is_err());
        assert!(bytes("10MB").unwrap_err().contains("64MiB"));
    }

    #[test]
    fn a_limit_prints_as_it_was_written() {
        for text in ["512MB", "1GB", "2GiB", "256MiB"] {
            assert_eq!(text.parse::<MemoryLimit>().unwrap().to_string(), text);
        }
    }
}
