//! The ingest report: per file, what was read, loaded and quarantined and
//! why; written as `<LAKE>/_ingest/<run>.json`. Its `files` map has the shape
//! of the conformance set's `ingest.json`.

use super::decode::Encoding;
use crate::landing::Format;
use serde::Serialize;
use std::collections::BTreeMap;

/// What one ingest run did.
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    /// The run id (also the report's file name).
    pub run_id: String,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    /// The landing folder.
    pub landing: String,
    /// The lake folder.
    pub lake: String,
    /// The lake snapshot this run made current (unchanged when nothing was committed).
    pub snapshot: u64,
    /// The registry file, if the landing carried one.
    pub registry: Option<RegistryReport>,
    /// Every file under the landing folder, by path relative to it.
    pub files: BTreeMap<String, FileReport>,
    /// Sums over the files.
    pub totals: Totals,
}

/// One file's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    /// Its contract table, when the path names one.
    pub table: Option<&'static str>,
    /// Its format, when the extension is one of the contract's.
    pub format: Option<Format>,
    /// The encoding it was read in (text formats).
    pub encoding: Option<Encoding>,
    /// The month of its folder, when valid.
    pub month: Option<crate::contract::Month>,
    /// The station of its folder.
    pub ps_code: Option<String>,
    /// Records read.
    pub rows_read: u64,
    /// Rows loaded into the lake.
    pub rows_loaded: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
    /// Reasons of each quarantined record, by record key `row:N`.
    pub quarantine: BTreeMap<String, Vec<String>>,
    /// Header names (or JSON keys) that are no contract column.
    pub unknown_columns: Vec<String>,
    /// Nothing of the file was loaded (path rule, unreadable, not its format).
    pub file_error: bool,
    /// Not data: reported and never read.
    pub skipped: bool,
    /// For a file error or a skipped file: what and how to fix it.
    pub error: Option<String>,
    /// The file error is a bug of this program, not of the file (the run exits 3).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal_error: bool,
}

/// The registry file's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistryReport {
    /// Its path relative to the landing folder.
    pub file: String,
    /// Its encoding.
    pub encoding: Option<Encoding>,
    /// Codes of the stations kept, ascending.
    pub stations_kept: Vec<String>,
    /// Rows left out, with why.
    pub left_out: Vec<LeftOut>,
    /// Why the file could not be read at all (the lake's previous registry then stays).
    pub error: Option<String>,
    /// The error is a bug of this program, not of the file (the run exits 3).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal_error: bool,
}

/// A registry row left out.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// Its record number.
    pub record: i64,
    /// Why it was left out.
    pub why: String,
}

/// Sums over all files of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Files read as data.
    pub files_read: u64,
    /// Files with a file error.
    pub file_errors: u64,
    /// Files skipped.
    pub files_skipped: u64,
    /// Records read.
    pub rows_read: u64,
    /// Rows loaded.
    pub rows_loaded: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
}

impl IngestReport {
    /// Recomputes the totals from the files.
    pub fn total_up(&mut self) {
        let mut t = Totals::default();
        for f in self.files.values() {
            if f.file_error {
                t.file_errors += 1;
            } else if f.skipped {
                t.files_skipped += 1;
            } else {
                t.files_read += 1;
            }
            t.rows_read += f.rows_read;
            t.rows_loaded += f.rows_loaded;
            t.rows_quarantined += f.rows_quarantined;
        }
        self.totals = t;
    }

    /// Whether some file (or the registry file) could not be read.
    pub fn has_file_errors(&self) -> bool {
        self.totals.file_errors > 0 || self.registry.as_ref().is_some_and(|r| r.error.is_some())
    }

    /// Whether reading some file (or the registry) hit a bug of this program.
    pub fn has_internal_errors(&self) -> bool {
        self.files.values().any(|f| f.internal_error)
            || self.registry.as_ref().is_some_and(|r| r.internal_error)
    }

    /// How the ingest went: incomplete when reading a file hit a bug of
    /// this program, partial when some file could not be read.
    pub fn outcome(&self) -> crate::outcome::Outcome {
        use crate::outcome::Outcome;
        match (self.has_internal_errors(), self.has_file_errors()) {
            (true, _) => Outcome::Incomplete,
            (false, true) => Outcome::Partial,
            _ => Outcome::Success,
        }
    }

    /// The file errors, one line each: `path: what; fix`.
    pub fn error_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .registry
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.file)))
            .collect();
        lines.extend(
            self.files
                .iter()
                .filter(|(_, f)| f.file_error)
                .map(|(path, f)| format!("{path}: {}", f.error.as_deref().unwrap_or("file error"))),
        );
        lines
    }
}
