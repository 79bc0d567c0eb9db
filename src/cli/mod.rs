//! The command line: clap's structs, one file per command, each wiring its
//! arguments into the library's stage calls and printing what they did.
//! The exit code is decided once, in `main`, from the [`Outcome`] or the
//! error a command returns (`cctns_audit::outcome::exit_code`).

#[macro_use]
pub mod stdout;

mod audit;
mod check;
#[cfg(feature = "ballista")]
mod cluster;
mod ingest;
mod lake;
mod publish;
mod report;
mod rules;
mod run;

pub use stdout::stdout_failure;

use cctns_audit::contract::Month;
use cctns_audit::engine::Engine;
use cctns_audit::error::{Error, Result};
use cctns_audit::memory::MemoryLimit;
use cctns_audit::outcome::Outcome;
use cctns_audit::rules::PackSource;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Data-quality audit of CCTNS station exports for State Crime Records Bureaus.
#[derive(Debug, Parser)]
#[command(name = "cctns-audit", version, about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a landing folder (police_stations.csv + YYYY-MM/<ps_code>/<table>.<ext>) into the lake.
    Ingest(ingest::IngestArgs),
    /// Run the rule pack on one month of the lake and write violations, scores and reports.
    Audit(audit::AuditArgs),
    /// Print one thana's gap report (score, lost points, records to fix first, path to first place).
    Explain(report::ExplainArgs),
    /// Write a thana's one-page A4 handout (score, rank, costliest rules, records to fix) from an audit's folder.
    Handout(report::HandoutArgs),
    /// CI gate: judge a month of the lake, or an upload before it enters the lake, against a checks file.
    Check(check::CheckArgs),
    /// Run a pipeline file's stages (ingest, audit, check, publish).
    Run(run::RunArgs),
    /// Publish a month for dashboards: pseudonymised Delta tables and the score history.
    Publish(publish::PublishArgs),
    /// Inspect the lake.
    #[command(subcommand)]
    Lake(lake::LakeCommand),
    /// Check, list or export a rule pack.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Run a Ballista scheduler for `--engine ballista://HOST:PORT` (until stopped).
    #[cfg(feature = "ballista")]
    Scheduler(cluster::SchedulerArgs),
    /// Run a Ballista executor serving a scheduler (until stopped).
    #[cfg(feature = "ballista")]
    Executor(cluster::ExecutorArgs),
}

/// Where and within what memory an audit runs (`audit`, `check`).
#[derive(Debug, clap::Args)]
pub struct Execution {
    /// Memory the run may use, e.g. 512MB or 2GiB: the engine spills to disk to stay within it.
    #[arg(long)]
    pub memory_limit: Option<MemoryLimit>,
    /// Where the audit's plans run: local, standalone (a Ballista scheduler
    /// and executor in this process) or ballista://HOST:PORT (a cluster).
    #[arg(long, default_value = "local")]
    pub engine: Engine,
    /// Audit the stations in this many shards: one after another here, all
    /// at once on a Ballista engine's executors (by default chosen from
    /// --memory-limit and the lake's rows; on a cluster, give at least its
    /// number of executors).
    #[arg(long)]
    pub shards: Option<std::num::NonZeroUsize>,
}

/// The rule pack a command reads (`audit`, `check`, `publish`).
#[derive(Debug, clap::Args)]
pub struct PackArg {
    /// The rule pack folder (default: the built-in rules/cctns).
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

impl PackArg {
    /// The pack's source: the folder given, or the built-in pack.
    pub fn source(&self) -> PackSource {
        PackSource::choose(self.rules.clone())
    }
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Ingest(args) => ingest::run_ingest(args).await,
        Command::Audit(args) => audit::run_audit(args).await,
        Command::Explain(args) => report::run_explain(args),
        Command::Handout(args) => report::run_handout(args),
        Command::Check(args) => check::run_check(args).await,
        Command::Run(args) => run::run_pipeline(args).await,
        Command::Publish(args) => publish::run_publish(args).await,
        Command::Lake(lake::LakeCommand::Log { lake }) => lake::run_lake_log(&lake),
        Command::Rules(rules::RulesCommand::Lint { dir }) => rules::run_lint(dir).await,
        Command::Rules(rules::RulesCommand::List { dir }) => rules::run_list(dir),
        Command::Rules(rules::RulesCommand::Export { dir }) => rules::run_export(&dir),
        #[cfg(feature = "ballista")]
        Command::Scheduler(args) => cluster::run_scheduler(args).await,
        #[cfg(feature = "ballista")]
        Command::Executor(args) => cluster::run_executor(args).await,
    }
}

/// The month an argument names (`--month`), or the one-line error naming it.
fn month_arg(text: &str) -> Result<Month> {
    text.parse().map_err(|()| {
        Error::usage(
            format!("--month {text}"),
            "not a month",
            "write it as YYYY-MM, for example 2024-04",
        )
    })
}

/// Parses the command line; on failure clap's error tells `main` whether it was
/// `--help`/`--version` (exit 0) or bad usage (exit 2).
pub fn parse_args() -> std::result::Result<Cli, clap::Error> {
    Cli::try_parse()
}
