//! The command line: clap structs, and the wiring of arguments into stage calls.

use cctns_audit::contract::Month;
use cctns_audit::error::{Error, Result};
use cctns_audit::ingest::{ingest, IngestOptions, IngestReport};
use cctns_audit::lake::Lake;
use cctns_audit::landing::Landing;
use cctns_audit::pipeline::{audit_to_files, History};
use cctns_audit::rules::{lint, RulePack};
use cctns_audit::score::{Scores, ScoringModel};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

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
    Ingest(IngestArgs),
    /// Run the rule pack on one month of the lake and write violations, scores and reports.
    Audit(AuditArgs),
    /// Write a synthetic landing folder with known defects and ground_truth.json.
    Generate(GenerateArgs),
    /// Print one thana's gap report (score, lost points, records to fix first, path to first place).
    Explain(ExplainArgs),
    /// Check or list a rule pack.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// Arguments of `audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The lake folder.
    #[arg(long)]
    pub lake: PathBuf,
    /// The month to audit, YYYY-MM.
    #[arg(long)]
    pub month: String,
    /// The folder to write the reports into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The rule pack folder (default: the project's rules/cctns).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Audit the month before again for the trend instead of taking its
    /// scores from the lake's score history (`<LAKE>/_history`), and leave
    /// the history as it is.
    #[arg(long)]
    pub no_history: bool,
}

/// Arguments of `generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The landing folder to write (new or empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Number of stations.
    #[arg(long, default_value_t = 20)]
    pub stations: usize,
    /// Number of districts.
    #[arg(long, default_value_t = 3)]
    pub districts: usize,
    /// Months, FIRST..LAST (e.g. 2024-01..2024-12).
    #[arg(long, default_value = "2024-01..2024-12")]
    pub months: String,
    /// Mean FIRs per station and month.
    #[arg(long, default_value_t = 50)]
    pub firs_per_station_month: usize,
    /// Probability of a defect at each place one can be injected.
    #[arg(long, default_value_t = 0.02)]
    pub defect_rate: f64,
    /// Random seed (same seed, same files).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// One form per value: UTF-8 CSV only, ISO datetimes, plain numbers, Y/N flags
    /// (for benchmarks against tools that need one typed form per column).
    #[arg(long)]
    pub plain: bool,
}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The folder an audit wrote (holding report.json).
    #[arg(long)]
    pub out: PathBuf,
    /// The station's code.
    #[arg(long)]
    pub ps: String,
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule pack and its scoring model without data; exit 2 with every problem.
    Lint {
        /// The rule pack folder (default: the project's rules/cctns).
        dir: Option<PathBuf>,
    },
    /// List a pack's rules: id, table, kind, severity, description.
    List {
        /// The rule pack folder (default: the project's rules/cctns).
        dir: Option<PathBuf>,
    },
}

/// Arguments of `ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// The landing folder.
    pub landing: PathBuf,
    /// The lake folder (created if missing).
    #[arg(long)]
    pub lake: PathBuf,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// How a command that ran to its end went: 0, 1 for a partial success, 3
/// when part of the work hit an internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done.
    Success,
    /// Done, but some input failed (some file errors; the rest loaded).
    Partial,
    /// Done for everything else, but reading some file hit a bug of this
    /// program (named on its error line); exit 3.
    Incomplete,
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Ingest(args) => run_ingest(args).await,
        Command::Audit(args) => run_audit(args).await,
        Command::Explain(args) => run_explain(args),
        Command::Generate(args) => run_generate(args),
        Command::Rules(RulesCommand::Lint { dir }) => run_lint(dir).await,
        Command::Rules(RulesCommand::List { dir }) => run_list(dir),
    }
}

/// The rule pack folder: `--rules`, else `$CCTNS_RULES`, else `rules/cctns` here or beside the sources.
fn rules_dir(given: Option<PathBuf>) -> PathBuf {
    given
        .or_else(|| std::env::var_os("CCTNS_RULES").map(PathBuf::from))
        .unwrap_or_else(|| {
            let here = PathBuf::from("rules/cctns");
            if here.is_dir() {
                here
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/cctns")
            }
        })
}

fn parse_month(text: &str) -> Result<Month> {
    text.parse().map_err(|()| {
        Error::usage(
            format!("--month {text}"),
            "not a month",
            "write it as YYYY-MM, for example 2024-04",
        )
    })
}

async fn run_audit(args: AuditArgs) -> Result<Outcome> {
    let month = parse_month(&args.month)?;
    let history = match args.no_history {
        true => History::Ignored,
        false => History::Kept,
    };
    let done = audit_to_files(
        &args.lake,
        month,
        &args.out,
        &rules_dir(args.rules),
        history,
    )
    .await?;
    print_audit_summary(&done.scores, done.violations, &args.out);
    Ok(Outcome::Success)
}

#[allow(clippy::print_stdout)]
fn print_audit_summary(scores: &Scores, violations: usize, out: &Path) {
    println!(
        "audit {}: {} stations, {} districts, {} violations",
        scores.month,
        scores.stations.len(),
        scores.districts.len(),
        violations
    );
    for d in &scores.districts {
        println!(
            "  {:>2}. {:<12} {:<24} {:>6.2}",
            d.rank_in_state,
            d.district_code,
            d.district_name,
            cctns_audit::score::round_half_away(d.score, 2)
        );
    }
    println!("reports in {}: violations, scores, points_lost, districts, path_to_first (.csv, .parquet), report.json, report.html", out.display());
}

fn parse_months(text: &str) -> Result<(Month, Month)> {
    let bad = || {
        Error::usage(
            format!("--months {text}"),
            "not a month range",
            "write FIRST..LAST, for example 2024-01..2024-12",
        )
    };
    let (first, last) = text.split_once("..").ok_or_else(bad)?;
    Ok((
        first.parse().map_err(|()| bad())?,
        last.parse().map_err(|()| bad())?,
    ))
}

#[allow(clippy::print_stdout)]
fn run_generate(args: GenerateArgs) -> Result<Outcome> {
    let opts = cctns_audit::generate::Options {
        out: args.out,
        stations: args.stations,
        districts: args.districts,
        months: parse_months(&args.months)?,
        firs_per_station_month: args.firs_per_station_month,
        defect_rate: args.defect_rate,
        seed: args.seed,
        plain: args.plain,
    };
    let started = std::time::Instant::now();
    let done = cctns_audit::generate::generate(&opts)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {} files, {} rows, {:.1} MB in {secs:.2} s ({:.0} rows/s); {} expected violations in {}",
        done.files,
        done.rows,
        done.bytes as f64 / 1e6,
        done.rows as f64 / secs.max(1e-9),
        done.defects,
        opts.out.join("ground_truth.json").display()
    );
    Ok(Outcome::Success)
}

#[allow(clippy::print_stdout)]
fn run_explain(args: ExplainArgs) -> Result<Outcome> {
    print!("{}", cctns_audit::report::explain(&args.out, &args.ps)?);
    Ok(Outcome::Success)
}

async fn run_lint(dir: Option<PathBuf>) -> Result<Outcome> {
    let dir = rules_dir(dir);
    let pack = lint(&dir).await?;
    if dir.join(cctns_audit::rules::pack::SCORING_FILE).is_file() {
        ScoringModel::load(&dir, &pack)?;
    }
    print_lint(&pack, &dir);
    Ok(Outcome::Success)
}

#[allow(clippy::print_stdout)]
fn print_lint(pack: &RulePack, dir: &Path) {
    println!("{}: {} rules, all valid", dir.display(), pack.rules.len());
}

#[allow(clippy::print_stdout)]
fn run_list(dir: Option<PathBuf>) -> Result<Outcome> {
    let pack = RulePack::load(&rules_dir(dir))?;
    println!(
        "{:<20} {:<15} {:<10} {:<8} description",
        "id", "table", "kind", "severity"
    );
    for r in &pack.rules {
        println!(
            "{:<20} {:<15} {:<10} {:<8} {}",
            r.id,
            r.table,
            r.kind.name(),
            r.severity.as_str(),
            r.description
        );
    }
    Ok(Outcome::Success)
}

async fn run_ingest(args: IngestArgs) -> Result<Outcome> {
    let landing = Landing::scan(&args.landing)?;
    let lake = Lake::create(&args.lake)?;
    let opts = IngestOptions {
        progress: !args.quiet,
        ..IngestOptions::default()
    };
    let report = ingest(&landing, &lake, &opts).await?;
    print_ingest_summary(&report, &lake);
    Ok(if report.has_internal_errors() {
        Outcome::Incomplete
    } else if report.has_file_errors() {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn print_ingest_summary(report: &IngestReport, lake: &Lake) {
    let t = &report.totals;
    for line in report.error_lines() {
        eprintln!("error: {line}");
    }
    println!(
        "ingest {}: {} files read, {} file errors, {} skipped; {} rows read = {} loaded + {} quarantined",
        report.run_id, t.files_read, t.file_errors, t.files_skipped, t.rows_read, t.rows_loaded, t.rows_quarantined
    );
    println!(
        "lake snapshot {} at {}; report {}",
        report.snapshot,
        lake.root().display(),
        lake.ingest_dir()
            .join(format!("{}.json", report.run_id))
            .display()
    );
    if report.has_file_errors() {
        println!("some files could not be read (listed above); the rest is loaded. Fix them and ingest again.");
    }
}

/// Parses the command line; on failure clap's error tells `main` whether it was
/// `--help`/`--version` (exit 0) or bad usage (exit 2).
pub fn parse_args() -> std::result::Result<Cli, clap::Error> {
    Cli::try_parse()
}
