//! `run`: a pipeline file's stages in the order ingest → audit → check →
//! publish, each logged with its duration and counts. The run's exit code
//! is the highest of its stages': a failed check still lets every month's
//! reports be written.
//!
//! Publish runs only when the check passed (unless the file says
//! `publish_if_check_fails: true`). A run that publishes without the check
//! stage (`--only publish`, `--from publish`, or a file whose stages name no
//! check) judges the months first, exactly as the check stage does: it is
//! logged as the check stage, writes the usual `junit.xml` and `summary.md`
//! (so CI shows why nothing was published) and gives its exit code.

use super::file::{Pipeline, Stage};
use super::gate::{judge_and_write, GateOptions};
use super::publishing::{publish_months, PublishRequest};
use super::{audit, AuditDone, AuditJob, History, LoadedPack};
use crate::check::Gate;
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::ingest::{ingest, IngestOptions};
use crate::lake::{Lake, Manifest};
use crate::landing::Landing;
use crate::outcome::Outcome;
use crate::publish::PseudonymKey;
use std::time::Instant;

/// What a run did, stage by stage.
#[derive(Debug, Default)]
pub struct RunDone {
    /// The stages run, each with its outcome and a one-line account.
    pub stages: Vec<(Stage, Outcome, String)>,
}

impl RunDone {
    /// The worst outcome of the stages.
    pub fn outcome(&self) -> Outcome {
        self.stages
            .iter()
            .map(|(_, outcome, _)| *outcome)
            .max()
            .unwrap_or_default()
    }

    fn record(&mut self, stage: Stage, outcome: Outcome, started: Instant, what: String) {
        let secs = started.elapsed().as_secs_f64();
        let code = outcome.exit_code();
        tracing::info!("{} done in {secs:.2} s (exit {code}): {what}", stage.name());
        self.stages
            .push((stage, outcome, format!("{what} ({secs:.1} s)")));
    }
}

/// Runs `stages` of `pipeline` (already narrowed by `--only` / `--from`).
pub async fn run(pipeline: &Pipeline, stages: &[Stage]) -> Result<RunDone> {
    let mut done = RunDone::default();
    let pack = LoadedPack::load(&pipeline.rules)?;
    let judge_before_publish = stages.contains(&Stage::Publish) && !pipeline.publish_if_check_fails;
    let checks = match stages.contains(&Stage::Check) || judge_before_publish {
        true => Some(pack.checks(pipeline.checks.as_deref())?),
        false => None,
    };
    if stages.contains(&Stage::Ingest) {
        ingest_stage(pipeline, &mut done).await?;
    }
    let lake = Lake::open(&pipeline.lake)?;
    let mut audited: Vec<(Month, AuditDone)> = Vec::new();
    if stages.contains(&Stage::Audit) || checks.is_some() {
        let write = stages.contains(&Stage::Audit) || stages.contains(&Stage::Publish);
        let started = Instant::now();
        let manifest = Manifest::load(&lake)?;
        for &month in &pipeline.months {
            let out = pipeline.out.join(month.to_string());
            let audit_done = audit(&AuditJob {
                lake: &lake,
                snapshot: &manifest,
                month,
                out: write.then_some(out.as_path()),
                pack: &pack,
                history: History::Kept,
                lang: pipeline.lang,
                memory_limit: pipeline.memory_limit,
                engine: pipeline.engine.clone(),
                shards: pipeline.shards,
            })
            .await?;
            audited.push((month, audit_done));
        }
        if stages.contains(&Stage::Audit) {
            let violations: usize = audited.iter().map(|(_, a)| a.violations).sum();
            let what = format!(
                "{} months of snapshot {} audited, {violations} violations; reports in {}",
                audited.len(),
                manifest.snapshot,
                pipeline.out.display()
            );
            done.record(Stage::Audit, Outcome::Success, started, what);
        }
    }
    if let Some(checks) = &checks {
        let started = Instant::now();
        let opts = GateOptions {
            min_score: pipeline.check.min_score,
            fail_on_warning: pipeline.check.fail_on_warning,
            junit: Some(pipeline.check.junit.clone()),
            summary: Some(pipeline.check.summary.clone()),
            out: None,
            lang: pipeline.lang,
            memory_limit: pipeline.memory_limit,
            engine: pipeline.engine.clone(),
            shards: pipeline.shards,
        };
        let source = format!("pipeline {}", pipeline.file.display());
        let verdicts = judge_and_write(&audited, checks, &opts, &source)?;
        let gate = Gate {
            verdicts: &verdicts,
            upload: None,
        };
        let (failures, warnings) = (gate.failed_checks(), gate.warnings());
        let before_publish = match stages.contains(&Stage::Check) {
            true => "",
            false => " (judged before publishing)",
        };
        let what = format!(
            "{failures} failed checks, {warnings} warnings{before_publish}; {} and {}",
            pipeline.check.junit.display(),
            pipeline.check.summary.display()
        );
        done.record(Stage::Check, Outcome::of_gate(gate.passed()), started, what);
    }
    if stages.contains(&Stage::Publish) {
        let check_failed = done
            .stages
            .iter()
            .any(|(s, outcome, _)| *s == Stage::Check && *outcome != Outcome::Success);
        publish_stage(pipeline, &lake, &pack, check_failed, &mut done).await?;
    }
    Ok(done)
}

async fn ingest_stage(pipeline: &Pipeline, done: &mut RunDone) -> Result<()> {
    let started = Instant::now();
    let Some(landing) = &pipeline.landing else {
        return Err(Error::usage(
            &pipeline.file,
            "the ingest stage needs a landing folder",
            "add `landing: <DIR>`",
        ));
    };
    let landing = Landing::scan(landing)?;
    let lake = Lake::create(&pipeline.lake)?;
    let opts = IngestOptions {
        memory_limit: pipeline.memory_limit,
        ..IngestOptions::default()
    };
    let report = ingest(&landing, &lake, &opts).await?;
    for line in report.error_lines() {
        tracing::error!("{line}");
    }
    let t = &report.totals;
    let what = format!(
        "{} files read, {} file errors; {} rows = {} loaded + {} quarantined; snapshot {}",
        t.files_read,
        t.file_errors,
        t.rows_read,
        t.rows_loaded,
        t.rows_quarantined,
        report.snapshot
    );
    done.record(Stage::Ingest, report.outcome(), started, what);
    Ok(())
}

async fn publish_stage(
    pipeline: &Pipeline,
    lake: &Lake,
    pack: &LoadedPack,
    check_failed: bool,
    done: &mut RunDone,
) -> Result<()> {
    let started = Instant::now();
    let Some(to) = &pipeline.publish else {
        return Err(Error::usage(
            &pipeline.file,
            "the publish stage needs a publish folder",
            "add `publish: <DIR>`",
        ));
    };
    if check_failed && !pipeline.publish_if_check_fails {
        let what =
            "skipped: the check failed (set `publish_if_check_fails: true` to publish anyway)";
        done.record(Stage::Publish, Outcome::Success, started, what.to_string());
        return Ok(());
    }
    let key = PseudonymKey::load(pipeline.key_file.as_deref())?;
    let months = pipeline
        .months
        .iter()
        .map(|&month| (month, Some(pipeline.out.join(month.to_string()))))
        .collect();
    let published = publish_months(&PublishRequest {
        lake,
        months,
        to,
        landing: pipeline.landing.as_deref(),
        pack,
        key: &key,
        rekey: false,
    })
    .await?;
    let rows: usize = published.rows.values().sum();
    let what = format!(
        "{} months, {rows} rows published into {}",
        pipeline.months.len(),
        to.display()
    );
    done.record(Stage::Publish, Outcome::Success, started, what);
    Ok(())
}
