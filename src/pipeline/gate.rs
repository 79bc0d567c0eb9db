//! The CI gate wired: audit a month of the lake, or a staged upload, judge
//! it with a checks file, write JUnit and Markdown, and (for an upload)
//! accept or discard the staged snapshot. An upload with a file that could
//! not be read fails the gate and is never accepted; one that changes
//! nothing has nothing to accept.

use super::{audit, AuditDone, AuditJob, History, LoadedPack};
use crate::check::{judge, junit, summary, Checks, Facts, Verdict};
use crate::contract::Month;
use crate::error::Result;
use crate::ingest::{stage, IngestOptions, IngestReport};
use crate::lake::{Lake, Manifest};
use crate::landing::Landing;
use crate::report::Lang;
use std::path::{Path, PathBuf};

/// How the gate runs and what it writes.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// Replaces the checks file's `min_score`.
    pub min_score: Option<f64>,
    /// Warnings fail too.
    pub fail_on_warning: bool,
    /// Where to write JUnit XML.
    pub junit: Option<PathBuf>,
    /// Where to write the Markdown summary.
    pub summary: Option<PathBuf>,
    /// Where to write the audit's own files.
    pub out: Option<PathBuf>,
    /// The language of the audit's `report.html` and `summary.md`.
    pub lang: Lang,
    /// The memory the ingest and the audits may use.
    pub memory_limit: Option<crate::engine::MemoryLimit>,
    /// Where the audits' plans run.
    pub engine: crate::engine::Engine,
}

/// What the gate decided.
#[derive(Debug)]
pub struct GateDone {
    /// One verdict per month judged.
    pub verdicts: Vec<Verdict>,
    /// The snapshot judged (the staged one for an upload).
    pub snapshot: u64,
    /// For an upload: its ingest report.
    pub upload: Option<IngestReport>,
    /// For an upload: whether it became the current snapshot.
    pub accepted: bool,
}

impl GateDone {
    /// Whether every check held, and (for an upload) every file was read.
    pub fn passed(&self) -> bool {
        passes(self.upload.as_ref(), &self.verdicts)
    }
}

/// Whether every verdict passed and the upload, if any, had every file read.
fn passes(upload: Option<&IngestReport>, verdicts: &[Verdict]) -> bool {
    let files_ok = upload.is_none_or(|r| !r.has_file_errors());
    files_ok && verdicts.iter().all(Verdict::passed)
}

/// Audits and judges `month` of the lake's current snapshot.
pub async fn check_month(
    lake: &Lake,
    month: Month,
    pack: &LoadedPack,
    checks: &Checks,
    opts: &GateOptions,
) -> Result<GateDone> {
    let manifest = Manifest::load(lake)?;
    let out = opts.out.as_deref();
    let done = audit(&AuditJob {
        lake,
        snapshot: &manifest,
        month,
        out,
        pack,
        history: History::Kept,
        lang: opts.lang,
        memory_limit: opts.memory_limit,
        engine: opts.engine.clone(),
    })
    .await?;
    let source = format!(
        "lake {}, snapshot {}",
        lake.root().display(),
        manifest.snapshot
    );
    let verdicts = judge_and_write(&[(month, done)], checks, opts, &source)?;
    Ok(GateDone {
        verdicts,
        snapshot: manifest.snapshot,
        upload: None,
        accepted: false,
    })
}

/// Stages `landing` in the lake (no reader sees it), audits and judges
/// every month it touches on the staged snapshot, then, when `accept` and
/// the upload passed, makes it current in one atomic step; otherwise
/// discards it and the lake is as before.
pub async fn check_upload(
    landing: &Landing,
    lake: &Lake,
    pack: &LoadedPack,
    checks: &Checks,
    opts: &GateOptions,
    accept: bool,
) -> Result<GateDone> {
    let ingest = IngestOptions {
        memory_limit: opts.memory_limit,
        ..IngestOptions::default()
    };
    let staged = stage(landing, lake, &ingest).await?;
    let months = staged.months();
    let mut audited = Vec::new();
    for &month in &months {
        let out = month_folder(opts.out.as_deref(), month, months.len());
        let done = audit(&AuditJob {
            lake,
            snapshot: staged.manifest(),
            month,
            out: out.as_deref(),
            pack,
            history: History::ReadOnly,
            lang: opts.lang,
            memory_limit: opts.memory_limit,
            engine: opts.engine.clone(),
        })
        .await;
        match done {
            Ok(done) => audited.push((month, done)),
            Err(e) => {
                staged.discard().await?;
                return Err(e);
            }
        }
    }
    let snapshot = staged.manifest().snapshot;
    let source = format!(
        "upload {} staged as snapshot {snapshot} of lake {}",
        landing.root.display(),
        lake.root().display()
    );
    let verdicts = judge_and_write(&audited, checks, opts, &source)?;
    let mut done = GateDone {
        verdicts,
        snapshot,
        upload: None,
        accepted: false,
    };
    let passed = passes(Some(staged.report()), &done.verdicts);
    done.accepted = accept && passed && staged.changes_lake();
    done.upload = Some(match done.accepted {
        true => staged.accept()?,
        false => staged.discard().await?,
    });
    Ok(done)
}

/// Where the audit files of `month` go: `out` itself when one month is
/// judged, `out/<month>` when several are.
pub fn month_folder(out: Option<&Path>, month: Month, months: usize) -> Option<PathBuf> {
    out.map(|o| match months {
        1 => o.to_path_buf(),
        _ => o.join(month.to_string()),
    })
}

/// Judges each audited month and writes the JUnit and Markdown files.
pub(super) fn judge_and_write(
    audited: &[(Month, AuditDone)],
    checks: &Checks,
    opts: &GateOptions,
    source: &str,
) -> Result<Vec<Verdict>> {
    let checks = Checks {
        min_score: opts.min_score.or(checks.min_score),
        ..checks.clone()
    };
    let verdicts: Vec<Verdict> = audited
        .iter()
        .map(|(_, done)| {
            let facts = Facts {
                scores: &done.scores,
                rules: &done.rule_counts,
                rows: &done.rows,
            };
            judge(&checks, &facts, opts.fail_on_warning)
        })
        .collect();
    if let Some(path) = &opts.junit {
        junit::write(&verdicts, path)?;
    }
    if let Some(path) = &opts.summary {
        let judged: Vec<summary::Judged<'_>> = verdicts
            .iter()
            .zip(audited)
            .map(|(verdict, (_, done))| summary::Judged {
                verdict,
                scores: &done.scores,
            })
            .collect();
        summary::write(&judged, source, path)?;
    }
    Ok(verdicts)
}
