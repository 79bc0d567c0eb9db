//! Ingest: a landing folder to lake commits and an [`IngestReport`].
//!
//! Input: a scanned [`Landing`] and a [`Lake`]. Output: the report of every
//! file; the lake gains, per month, one Delta commit per table replacing the
//! (month, station) pairs uploaded, and a new manifest once all commits are in.
//! Invariants: rows read = loaded + quarantined for every file; a file error
//! replaces nothing; a crash before the manifest rename leaves the previous
//! snapshot in force, and the next ingest rolls the stray commits back.
//!
//! Readings of the contract where it is silent (an SCRB analyst's reading):
//! - a contract column named twice takes its values from its last occurrence
//!   (as a CSV dictionary reader would), and its rows get every other reason
//!   that applies besides `E-HEADER-DUPLICATE`; in JSON lines, keys naming one
//!   column twice (in any case) give that row `E-HEADER-DUPLICATE`;
//! - a JSON object or array where a value is due is `E-BAD-RECORD` for the row
//!   (not also `E-KEY-MISSING` for that column); a line that is not an object is
//!   `E-BAD-RECORD` alone;
//! - "day and month of one or two digits" applies to `DD/MM/YYYY` and
//!   `DD-MM-YYYY`; `YYYY-MM-DD` and times need two digits each;
//! - in `.xlsx`, an entirely empty sheet row is no record and cells beyond the
//!   header are ignored; a 0-byte `.xlsx` is an empty file (no rows, no error);
//! - decimals are stored as `Decimal128(38, 8)`; more fraction digits round half
//!   away from zero;
//! - registry rows with the wrong number of fields are left out and named;
//! - other files at the landing root or in a month folder, symbolic links and
//!   files that are not regular files (pipes, sockets, devices),
//!   are reported (skipped or refused) and never followed;
//! - a folder that cannot be listed (or an entry whose kind cannot be read)
//!   is a file error naming it, and everything else is ingested;
//! - a first row that names no contract column is no header but, most
//!   likely, a record of a file exported without one: its cells are not
//!   reported as unknown columns (the report holds no value of a row it
//!   could not place), and its rows are quarantined as the contract says.

pub mod cells;
mod commit;
pub mod csv;
pub mod decode;
pub mod jsonl;
pub mod quarantine;
mod read;
pub mod registry;
pub mod report;
pub mod values;
pub mod xlsx;

pub use report::{FileReport, IngestReport};

use crate::contract::Registry;
use crate::contract::TableDef;
use crate::error::{Error, Result};
use crate::lake::{self, Lake, Manifest};
use crate::landing::{Format, Landing, StationFile};
use crate::progress::Progress;
use cells::Parsed;
use commit::SnapshotWriter;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::BatchCoalescer;
use quarantine::{split, Origin, QuarantinedRow};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How to run an ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// The run id; a time-based one when `None`.
    pub run_id: Option<String>,
    /// Draw a progress bar on a terminal.
    pub progress: bool,
    /// The memory the ingest may use (`--memory-limit`): it bounds the
    /// batches queued for each streamed commit and the Parquet file delta-rs
    /// builds in memory. The run's report (one entry per file) and the
    /// landing's file list are not bounded by it.
    pub memory_limit: Option<crate::memory::MemoryLimit>,
    /// Test hook: fail after this many table commits, before the manifest moves.
    #[doc(hidden)]
    pub fail_after_commits: Option<usize>,
    /// Test hook: panic while reading the file at this landing-relative path,
    /// as a bug in a reader would.
    #[doc(hidden)]
    pub panic_on_file: Option<String>,
}

/// One station file read and split (its loaded rows go to the commit).
struct FileOutcome {
    file: StationFile,
    report: FileReport,
    /// Whether its rows replace the station's rows of its table and month
    /// (false for a file error).
    replaces: bool,
    quarantined: Vec<QuarantinedRow>,
}

/// Reads station files on rayon's threads, outside the async runtime.
#[derive(Clone)]
struct FileReader {
    registry: Option<Arc<Registry>>,
    run_id: String,
    progress: Arc<Progress>,
    panic_on_file: Option<String>,
}

/// Ingests `landing` into `lake` and makes the result the current
/// snapshot. See the module doc for the guarantees.
pub async fn ingest(landing: &Landing, lake: &Lake, opts: &IngestOptions) -> Result<IngestReport> {
    stage(landing, lake, opts).await?.accept()
}

/// Ingests `landing` into `lake` as a staged snapshot that no reader sees:
/// the Delta commits are made, the manifest does not move. The caller
/// [`Staged::accept`]s or [`Staged::discard`]s it; the lake's writer lock is
/// held until then.
pub async fn stage<'a>(
    landing: &Landing,
    lake: &'a Lake,
    opts: &IngestOptions,
) -> Result<Staged<'a>> {
    let run_id = opts.run_id.clone().unwrap_or_else(new_run_id);
    let lock = lake.lock_for_writing(&run_id).await?;
    let manifest = Manifest::load(lake)?;
    lake::recover(lake, &manifest, lake::Rollback::Interrupted).await?;
    let mut report = new_report(landing, lake, &run_id, manifest.snapshot);
    let registry = resolve_registry(landing, lake, &manifest, &mut report).await?;
    for refused in &landing.refused {
        report
            .files
            .insert(refused.rel.clone(), refused_report(refused));
    }
    let mut writer = SnapshotWriter {
        lake,
        run_id: run_id.clone(),
        next: Manifest {
            replaced: Vec::new(),
            ..manifest.clone()
        },
        commits: 0,
        fail_after: opts.fail_after_commits,
        budget: lake::StreamBudget::within(opts.memory_limit.map(|l| l.bytes())),
    };
    let reader = FileReader {
        registry: registry.as_ref().map(|(r, _)| Arc::new(r.clone())),
        run_id: run_id.clone(),
        progress: Arc::new(Progress::new(
            "ingest",
            landing.files.len() as u64,
            opts.progress,
        )),
        panic_on_file: opts.panic_on_file.clone(),
    };
    for month in landing.months() {
        let files: Vec<StationFile> = landing
            .files
            .iter()
            .filter(|f| f.month == month)
            .cloned()
            .collect();
        for o in writer.commit_month(month, files, &reader).await? {
            report.files.insert(o.file.rel, o.report);
        }
    }
    reader.progress.finish();
    if let Some((registry, Source::Landing)) = &registry {
        writer.commit_registry(registry).await?;
    }
    let next = writer.staged();
    if let Some(next) = &next {
        report.snapshot = next.snapshot;
    }
    report.total_up();
    Ok(Staged {
        lake,
        _lock: lock,
        current: manifest,
        next,
        report,
    })
}

/// An ingest whose commits are in but whose snapshot is not current yet.
#[derive(Debug)]
pub struct Staged<'a> {
    lake: &'a Lake,
    _lock: lake::WriterLock,
    current: Manifest,
    next: Option<Manifest>,
    report: IngestReport,
}

impl Staged<'_> {
    /// The snapshot to read this upload in: the staged one, or the current
    /// one when nothing was committed.
    pub fn manifest(&self) -> &Manifest {
        self.next.as_ref().unwrap_or(&self.current)
    }

    /// Whether the upload committed anything (a snapshot to accept).
    pub fn changes_lake(&self) -> bool {
        self.next.is_some()
    }

    /// The run's report (its `snapshot` is the staged one).
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// The months whose rows the upload replaced.
    pub fn months(&self) -> Vec<crate::contract::Month> {
        let months: std::collections::BTreeSet<crate::contract::Month> = self
            .next
            .iter()
            .flat_map(|m| &m.replaced)
            .filter_map(|r| r.month.as_deref()?.parse().ok())
            .collect();
        months.into_iter().collect()
    }

    /// Makes the staged snapshot current in one atomic step (the manifest's
    /// rename) and writes the run's report into the lake.
    pub fn accept(self) -> Result<IngestReport> {
        if let Some(next) = &self.next {
            next.commit(self.lake)?;
        }
        write_report(self.lake, &self.report)?;
        Ok(self.report)
    }

    /// Rolls the staged commits back: every table returns to the version
    /// the current snapshot names, and the lake's readers never saw them.
    pub async fn discard(mut self) -> Result<IngestReport> {
        if self.next.is_some() {
            lake::recover(self.lake, &self.current, lake::Rollback::Discarded).await?;
        }
        self.report.snapshot = self.current.snapshot;
        Ok(self.report)
    }
}

fn new_run_id() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}-{:05}",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id() % 100_000
    )
}

fn new_report(landing: &Landing, lake: &Lake, run_id: &str, snapshot: u64) -> IngestReport {
    IngestReport {
        run_id: run_id.to_string(),
        started_at: chrono::Utc::now().to_rfc3339(),
        landing: landing.root.display().to_string(),
        lake: lake.root().display().to_string(),
        snapshot,
        registry: None,
        files: BTreeMap::new(),
        totals: Default::default(),
    }
}

/// Where the registry of a run comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The landing's `police_stations.csv` (it becomes the lake's registry).
    Landing,
    /// The lake's registry of an earlier ingest.
    Lake,
}

/// The landing's registry if it carries a readable one, else the lake's.
async fn resolve_registry(
    landing: &Landing,
    lake: &Lake,
    manifest: &Manifest,
    report: &mut IngestReport,
) -> Result<Option<(Registry, Source)>> {
    if let Some(path) = &landing.registry_file {
        let rel = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (registry, registry_report) =
            crate::panic::catch(|| registry::read_registry_file(path, &rel)).unwrap_or_else(
                |at| {
                    tracing::debug!(file = %rel, place = %at.0, "internal error while reading the registry");
                    (None, registry::internal_failure(&rel, &at))
                },
            );
        report.registry = Some(registry_report);
        if let Some(registry) = registry {
            return Ok(Some((registry, Source::Landing)));
        }
    }
    let previous = lake::read_registry(lake, manifest).await?;
    Ok((!previous.is_empty()).then_some((previous, Source::Lake)))
}

fn refused_report(refused: &crate::landing::Refused) -> FileReport {
    FileReport {
        month: refused.month,
        ps_code: refused.ps_code.clone(),
        file_error: !refused.skipped,
        skipped: refused.skipped,
        error: Some(refused.why.clone()),
        ..FileReport::default()
    }
}

/// Writes the ingest report into the lake's `_ingest` folder, in one rename.
fn write_report(lake: &Lake, report: &IngestReport) -> Result<()> {
    let path = lake.ingest_dir().join(format!("{}.json", report.run_id));
    crate::atomic::write_with(&path, |file| {
        let mut out = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, report).map_err(|e| Error::io(&path, e.into()))?;
        std::io::Write::flush(&mut out).map_err(|e| Error::io(&path, e))
    })
}
