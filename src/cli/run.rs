//! `run`: a pipeline file's stages, narrowed by `--only` and `--from`.
use cctns_audit::engine::Engine;
use cctns_audit::error::{Error, Result};
use cctns_audit::memory::MemoryLimit;
use cctns_audit::outcome::Outcome;
use cctns_audit::pipeline::run::RunDone;
use cctns_audit::pipeline::{Pipeline, Stage};
use std::path::PathBuf;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The pipeline file (YAML).
    pub file: PathBuf,
    /// Run only these stages (comma-separated: ingest,audit,check,publish).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Run the file's stages from this one on.
    #[arg(long)]
    pub from: Option<String>,
    /// Memory the run may use (replaces the file's `memory_limit`), e.g. 512MB or 2GiB.
    #[arg(long)]
    pub memory_limit: Option<MemoryLimit>,
    /// Where the audits' plans run (replaces the file's `engine`): local,
    /// standalone or ballista://HOST:PORT.
    #[arg(long)]
    pub engine: Option<Engine>,
    /// Audit the stations in this many shards: one after another here, all
    /// at once on a Ballista engine's executors (by default chosen from
    /// --memory-limit and the lake's rows; on a cluster, give at least its
    /// number of executors).
    #[arg(long)]
    pub shards: Option<std::num::NonZeroUsize>,
}

/// `run`: a pipeline file's stages.
pub async fn run_pipeline(args: RunArgs) -> Result<Outcome> {
    let mut pipeline = Pipeline::load(&args.file)?;
    if args.memory_limit.is_some() {
        pipeline.memory_limit = args.memory_limit;
    }
    if let Some(engine) = &args.engine {
        pipeline.engine = engine.clone();
    }
    pipeline.shards = args.shards;
    let stages = chosen_stages(&pipeline, &args)?;
    let done = cctns_audit::pipeline::run::run(&pipeline, &stages).await?;
    print_run(&done, &pipeline);
    Ok(done.outcome())
}

/// The file's stages narrowed by `--only` and `--from`.
fn chosen_stages(pipeline: &Pipeline, args: &RunArgs) -> Result<Vec<Stage>> {
    let named = |text: &str, flag: &str| -> Result<Stage> {
        let stage = Stage::parse(text, &format!("{flag} {text}"))?;
        match pipeline.stages.contains(&stage) {
            true => Ok(stage),
            false => Err(Error::usage(
                format!("{flag} {text}"),
                format!("{} names no {text} stage", pipeline.file.display()),
                format!(
                    "choose among its stages: {}",
                    pipeline
                        .stages
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    };
    let only: Vec<Stage> = args
        .only
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| named(s, "--only"))
        .collect::<Result<_>>()?;
    let from = args
        .from
        .as_deref()
        .map(|s| named(s, "--from"))
        .transpose()?;
    Ok(pipeline
        .stages
        .iter()
        .copied()
        .filter(|s| only.is_empty() || only.contains(s))
        .filter(|s| from.is_none_or(|f| *s >= f))
        .collect())
}

fn print_run(done: &RunDone, pipeline: &Pipeline) {
    for (stage, outcome, what) in &done.stages {
        outln!("{:<8} exit {}: {what}", stage.name(), outcome.exit_code());
    }
    outln!(
        "run {}: exit {}; reports in {} (one folder per month)",
        pipeline.file.display(),
        done.outcome().exit_code(),
        pipeline.out.display()
    );
}
