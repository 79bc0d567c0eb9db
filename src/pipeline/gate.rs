//! The CI gate wired: audit a month of the lake, or a staged upload, judge
//! it with a checks file, write JUnit and Markdown, and (for an upload)
//! accept or discard the staged snapshot. An upload with a file that could
//! not be read fails the gate and is never accepted; one that changes
//! nothing has nothing to accept. The exit code, the JUnit file and the
//! summary all follow one verdict, [`Gate::passed`]; the files are written
//! (saying what becomes of the upload) before the upload is accepted or
//! discarded, so a gate that cannot write its report changes no lake.

use super::{audit, AuditDone, AuditJob, History, LoadedPack};
use crate::check::{
    judge, junit, passes, summary, Checks, Facts, Fate, Gate, Unreadable, Upload, Verdict,
};
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
    pub memory_limit: Option<crate::memory::MemoryLimit>,
    /// Where the audits' plans run.
    pub engine: crate::engine::Engine,
    /// Shards of stations each audit runs in (see [`AuditJob::shards`]).
    pub shards: Option<std::num::NonZeroUsize>,
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
    /// For an upload: its unreadable files and what became of it, as the
    /// JUnit file and the summary report them.
    pub judged_upload: Option<Upload>,
}

impl GateDone {
    /// Everything the gate judged.
    pub fn gate(&self) -> Gate<'_> {
        Gate {
            verdicts: &self.verdicts,
            upload: self.judged_upload.as_ref(),
        }
    }

    /// The gate's one verdict ([`Gate::passed`]): every check held and (for
    /// an upload) every file was read. The JUnit file and the summary say
    /// the same; the exit code follows it.
    pub fn passed(&self) -> bool {
        self.gate().passed()
    }
}

/// The files of an upload's ingest that could not be read (the registry
/// file among them), as the gate reports them.
fn unreadable(report: &IngestReport) -> Vec<Unreadable> {
    let registry = report.registry.iter().filter_map(|r| {
        Some(Unreadable {
            file: r.file.clone(),
            ps_code: None,
            why: r.error.clone()?,
        })
    });
    let files = report
        .files
        .iter()
        .filter(|(_, f)| f.file_error)
        .map(|(path, f)| Unreadable {
            file: path.clone(),
            ps_code: f.ps_code.clone(),
            why: f.error.clone().unwrap_or_else(|| "file error".to_string()),
        });
    registry.chain(files).collect()
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
        shards: opts.shards,
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
        judged_upload: None,
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
            shards: opts.shards,
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
    let verdicts = judge_all(&audited, checks, opts);
    let unreadable = unreadable(staged.report());
    let fate = match (passes(&verdicts, &unreadable), accept) {
        (false, _) => Fate::Failed,
        (true, false) => Fate::NotAsked,
        (true, true) if !staged.changes_lake() => Fate::Unchanged,
        (true, true) => Fate::Accepted(snapshot),
    };
    let judged = Upload {
        landing: landing.root.display().to_string(),
        unreadable,
        fate,
    };
    let gate = Gate {
        verdicts: &verdicts,
        upload: Some(&judged),
    };
    if let Err(e) = write_files(&gate, &audited, opts, &source) {
        staged.discard().await?;
        return Err(e);
    }
    let accepted = matches!(fate, Fate::Accepted(_));
    let report = match accepted {
        true => staged.accept()?,
        false => staged.discard().await?,
    };
    Ok(GateDone {
        verdicts,
        snapshot,
        upload: Some(report),
        accepted,
        judged_upload: Some(judged),
    })
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
    let verdicts = judge_all(audited, checks, opts);
    let gate = Gate {
        verdicts: &verdicts,
        upload: None,
    };
    write_files(&gate, audited, opts, source)?;
    Ok(verdicts)
}

/// Judges each audited month.
fn judge_all(audited: &[(Month, AuditDone)], checks: &Checks, opts: &GateOptions) -> Vec<Verdict> {
    let checks = Checks {
        min_score: opts.min_score.or(checks.min_score),
        ..checks.clone()
    };
    audited
        .iter()
        .map(|(_, done)| {
            let facts = Facts {
                scores: &done.scores,
                rules: &done.rule_counts,
                rows: &done.rows,
            };
            judge(&checks, &facts, opts.fail_on_warning)
        })
        .collect()
}

/// Writes the JUnit and Markdown files of `gate`, whose months are `audited`.
fn write_files(
    gate: &Gate<'_>,
    audited: &[(Month, AuditDone)],
    opts: &GateOptions,
    source: &str,
) -> Result<()> {
    if let Some(path) = &opts.junit {
        junit::write(gate, path)?;
    }
    if let Some(path) = &opts.summary {
        let scores: Vec<_> = audited.iter().map(|(_, done)| &done.scores).collect();
        summary::write(gate, &scores, source, path)?;
    }
    Ok(())
}
