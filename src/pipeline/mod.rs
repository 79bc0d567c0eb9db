//! Pipeline: the stages wired in order. The CLI and the tests call these;
//! the stages themselves never call each other.

// Not an input path: the pipeline indexes the stages' own outputs.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

pub mod file;
pub mod gate;
pub mod publishing;
pub mod run;
pub mod sharded;

pub use file::{Pipeline, Stage};
pub use gate::{check_month, check_upload, GateDone, GateOptions};

use crate::audit::{holds_month, not_audited, station_rows, Findings, RuleCounts, StationRows};
use crate::check::Checks;
use crate::contract::{Month, Registry};
use crate::error::Result;
use crate::history::{HistoryKey, ScoreHistory};
use crate::lake::{digest_up_to, registry_in, Lake, Manifest};
use crate::report::{write_all, AuditReport, Lang, Run};
use crate::rules::pack::CHECKS_FILE;
use crate::rules::{PackFiles, PackSource, RulePack};
use crate::score::{path_to_first, score, trend, ScoreSummary, Scores, ScoringModel};
use datafusion::prelude::SessionContext;
use rayon::prelude::*;
use sharded::{audit_shards, plan_shards, Sharding};
use std::path::Path;

/// What an audit found and wrote.
pub struct AuditDone {
    /// The month's scores.
    pub scores: Scores,
    /// How many violations were written.
    pub violations: usize,
    /// Where the month before's scores (for the trend) came from.
    pub previous: Previous,
    /// The snapshot audited.
    pub snapshot: u64,
    /// Failing records and populations per rule and station.
    pub rule_counts: RuleCounts,
    /// Rows of the month read per station.
    pub rows: StationRows,
}

/// A rule pack with its scoring model, loaded once for a run.
pub struct LoadedPack {
    /// How reports name it.
    pub label: String,
    /// Its files (the checks file among them).
    pub files: PackFiles,
    /// Its rules.
    pub rules: RulePack,
    /// Its scoring model.
    pub model: ScoringModel,
}

impl LoadedPack {
    /// Loads and checks the pack `source` names.
    pub fn load(source: &PackSource) -> Result<LoadedPack> {
        let files = source.files()?;
        let rules = RulePack::from_files(&files)?;
        let model = ScoringModel::from_files(&files, &rules)?;
        Ok(LoadedPack {
            label: source.label(),
            files,
            rules,
            model,
        })
    }

    /// The pack's checks file, or the one at `path` when given.
    pub fn checks(&self, path: Option<&Path>) -> Result<Checks> {
        if let Some(path) = path {
            return Checks::load(path, &self.rules, &self.model.zones);
        }
        let file = self.files.file(CHECKS_FILE).ok_or_else(|| {
            crate::error::Error::usage(
                self.files.dir.join(CHECKS_FILE),
                "the rule pack has no checks file",
                "pass --checks <FILE>, or write checks.yaml beside the rules (`cctns-audit rules export DIR` shows the default)",
            )
        })?;
        Checks::parse(&file.path, &file.text, &self.rules, &self.model.zones)
    }
}

/// One audit to run: which lake snapshot, which month, where to write.
pub struct AuditJob<'a> {
    /// The lake.
    pub lake: &'a Lake,
    /// The snapshot to read (the current one, a kept one, or a staged one).
    pub snapshot: &'a Manifest,
    /// The month.
    pub month: Month,
    /// Where to write the files (`None`: write nothing).
    pub out: Option<&'a Path>,
    /// The pack.
    pub pack: &'a LoadedPack,
    /// Whether to use the score history.
    pub history: History,
    /// The language of `report.html` and `summary.md`.
    pub lang: Lang,
    /// The memory the audit may use (see [`crate::engine::session_within`]).
    pub memory_limit: Option<crate::memory::MemoryLimit>,
    /// Where the audit's plans run (see [`crate::engine::Engine`]).
    pub engine: crate::engine::Engine,
    /// Shards of stations to audit apart (`--shards`, hidden; otherwise
    /// chosen from the memory limit and the lake's rows, see [`sharded`]).
    pub shards: Option<std::num::NonZeroUsize>,
}

/// Whether an audit uses the lake's [`ScoreHistory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Take the month before's scores from the history when they are
    /// current, and record the scores computed.
    Kept,
    /// Take the month before's scores from it, but record nothing (an
    /// audit of a kept or staged snapshot).
    ReadOnly,
    /// Neither read nor write it: audit the month before again.
    Ignored,
}

/// Where the trend's scores of the month before came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    /// The lake holds no row of the month before: no trend.
    None,
    /// Audited in this run.
    Audited,
    /// Read from the score history.
    FromHistory,
}

impl Previous {
    /// How the log names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Previous::None => "none",
            Previous::Audited => "audited",
            Previous::FromHistory => "score history",
        }
    }
}

/// Audits `month` of the current snapshot of the lake at `lake_dir` with
/// the pack in `rules_dir` and writes every output file into `out` (see
/// [`audit`]).
pub async fn audit_to_files(
    lake_dir: &Path,
    month: Month,
    out: &Path,
    rules_dir: &Path,
    history: History,
) -> Result<AuditDone> {
    let lake = Lake::open(lake_dir)?;
    let pack = LoadedPack::load(&PackSource::Dir(rules_dir.to_path_buf()))?;
    let manifest = Manifest::load(&lake)?;
    audit(&AuditJob {
        lake: &lake,
        snapshot: &manifest,
        month,
        out: Some(out),
        pack: &pack,
        history,
        lang: Lang::Both,
        memory_limit: None,
        engine: crate::engine::Engine::Local,
        shards: None,
    })
    .await
}

/// Audits a month of a lake snapshot, scores it (and the month before, for
/// the trend, when the lake holds it and the score history has no current
/// scores of it) and writes every output file.
pub async fn audit(job: &AuditJob<'_>) -> Result<AuditDone> {
    audit_within(job)
        .await
        .map_err(|e| e.beyond(job.memory_limit))
}

async fn audit_within(job: &AuditJob<'_>) -> Result<AuditDone> {
    let started = std::time::Instant::now();
    let (lake, month, manifest) = (job.lake, job.month, job.snapshot);
    let (pack, model) = (&job.pack.rules, &job.pack.model);
    let history = job.history;
    let ctx = crate::engine::lake_session_on(lake, manifest, job.memory_limit, &job.engine).await?;
    let sharding = Sharding {
        limit: job.memory_limit,
        forced: job.shards,
    };
    let registry = registry_in(&ctx).await?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "lake opened");
    let kept = (history != History::Ignored).then(|| ScoreHistory::of(lake));
    let basis = Basis {
        ctx: &ctx,
        registry: &registry,
        pack,
    };
    let holds_previous = holds_month(&ctx, month.prev()).await?;
    let previous_key = match (&kept, holds_previous) {
        (Some(_), true) => Some(basis.key(month.prev()).await?),
        _ => None,
    };
    let stored = kept
        .as_ref()
        .zip(previous_key.as_ref())
        .and_then(|(h, key)| h.load(month.prev(), key));
    let months = match holds_previous && stored.is_none() {
        true => vec![month.prev(), month],
        false => vec![month],
    };
    let (scored, rows) = futures::future::join(
        audit_and_score(&ctx, pack, model, &registry, &months, sharding),
        station_rows(&ctx, month),
    )
    .await;
    let (mut scored, rows) = (scored?, rows?);
    let (findings, scores) = scored.pop().ok_or_else(|| not_audited(month))?;
    let summary = scores.summary();
    let audited = scored.pop().map(|(_, s)| s.summary());
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "months audited and scored"
    );
    if let Some(h) = kept.as_ref().filter(|_| history == History::Kept) {
        basis.record(h, &summary, None).await;
        if let Some(before) = &audited {
            basis.record(h, before, previous_key.as_ref()).await;
        }
    }
    let previous = match (&stored, &audited) {
        (Some(_), _) => Previous::FromHistory,
        (None, Some(_)) => Previous::Audited,
        (None, None) => Previous::None,
    };
    let parameter_ids: Vec<String> = model.parameters.iter().map(|p| p.id.clone()).collect();
    let trend = stored
        .as_ref()
        .or(audited.as_ref())
        .map(|before| trend(&summary, before, &parameter_ids));
    let violations = findings.violations(pack);
    let rule_counts = RuleCounts::of_findings(&findings, pack);
    let paths = path_to_first(&scores);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "history, trend, violations and paths to first"
    );
    let run = Run {
        generated_at: chrono::Utc::now().to_rfc3339(),
        lake: lake.root().display().to_string(),
        snapshot: manifest.snapshot,
        rule_pack: job.pack.label.clone(),
        rule_pack_sha256: pack.hash.clone(),
        months_read: format!("up to {month}"),
    };
    tracing::debug!(
        month = %month,
        snapshot = manifest.snapshot,
        "scores of the month before for the trend: {}",
        previous.as_str()
    );
    let report = AuditReport {
        month,
        violations: &violations,
        scores: &scores,
        registry: &registry,
        pack,
        model,
        paths: &paths,
        trend: trend.as_ref(),
        run,
        lang: job.lang,
    };
    if let Some(out) = job.out {
        write_all(out, &report)?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "reports written");
    }
    Ok(AuditDone {
        violations: violations.len(),
        scores,
        previous,
        snapshot: manifest.snapshot,
        rule_counts,
        rows,
    })
}

/// What a month's scores are computed from, for their [`HistoryKey`].
struct Basis<'a> {
    ctx: &'a SessionContext,
    registry: &'a Registry,
    pack: &'a RulePack,
}

impl Basis<'_> {
    /// The key of scores of `month` computed from this lake snapshot.
    async fn key(&self, month: Month) -> Result<HistoryKey> {
        let digest = digest_up_to(self.ctx, month).await?;
        Ok(HistoryKey::new(&digest, self.registry, self.pack))
    }

    /// Records `summary` in `history` under `key` (computed when not
    /// given); a failure is only logged (the history is a speed-up).
    async fn record(
        &self,
        history: &ScoreHistory,
        summary: &ScoreSummary,
        key: Option<&HistoryKey>,
    ) {
        let key = match key {
            Some(key) => Ok(key.clone()),
            None => self.key(summary.month).await,
        };
        let saved = key.and_then(|key| history.save(&key, summary, self.pack));
        if let Err(e) = saved {
            tracing::warn!("the score history was not updated: {e}");
        }
    }
}

/// Audits `months` together (see [`crate::audit::audit_months`]), in the shards of
/// stations `sharding` asks for (see [`sharded`]), and scores each month,
/// in parallel.
pub async fn audit_and_score(
    ctx: &SessionContext,
    pack: &RulePack,
    model: &ScoringModel,
    registry: &Registry,
    months: &[Month],
    sharding: Sharding,
) -> Result<Vec<(Findings, Scores)>> {
    let Some(&last) = months.iter().max() else {
        return Ok(Vec::new());
    };
    let shards = plan_shards(ctx, pack, registry, last, sharding).await?;
    tracing::debug!(shards = shards.len(), "stations cut into shards");
    let audited = audit_shards(ctx, pack, model, months, shards, sharding.limit).await?;
    Ok(audited
        .into_par_iter()
        .map(|(findings, counts)| {
            let scores = score(&findings, registry, model, &counts);
            (findings, scores)
        })
        .collect())
}
