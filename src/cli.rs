//! The command line: clap structs, and the wiring of arguments into stage calls.

use cctns_audit::check::{Checks, Outcome as CaseOutcome};
use cctns_audit::contract::Month;
use cctns_audit::engine::{Engine, MemoryLimit};
use cctns_audit::error::{Error, Result};
use cctns_audit::ingest::{ingest, IngestOptions, IngestReport};
use cctns_audit::lake::Lake;
use cctns_audit::lake::Manifest;
use cctns_audit::landing::Landing;
use cctns_audit::pipeline::publishing::{publish_months, PublishRequest};
use cctns_audit::pipeline::run::RunDone;
use cctns_audit::pipeline::{audit, AuditDone, AuditJob, History, LoadedPack};
use cctns_audit::pipeline::{check_month, check_upload, GateDone, GateOptions, Pipeline, Stage};
use cctns_audit::publish::PseudonymKey;
use cctns_audit::report::{write_handouts, Lang, Report};
use cctns_audit::rules::pack::CHECKS_FILE;
use cctns_audit::rules::{lint_files, PackFiles, PackSource, RulePack};
use cctns_audit::score::ScoringModel;
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Prints on standard output through [`write_stdout`], as `print!` would.
macro_rules! out {
    ($($arg:tt)*) => {
        write_stdout(format_args!($($arg)*))
    };
}

/// Prints a line on standard output through [`write_stdout`], as `println!` would.
macro_rules! outln {
    () => {
        write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// The reader of standard output left (a closed pipe, as `| head -1` or
/// `| true` leave it): what is still to print is dropped.
static READER_LEFT: AtomicBool = AtomicBool::new(false);

/// Why standard output refused a write, other than a reader that left.
static STDOUT_FAILED: OnceLock<String> = OnceLock::new();

/// Writes to standard output: the one way this program prints there (through
/// `out!` and `outln!`). A reader that left (Rust ignores SIGPIPE, so the
/// write returns `BrokenPipe`) ends the output quietly, and the command ends
/// with the exit code it would have had; any other error ends the output
/// too and is kept for [`stdout_failure`].
pub fn write_stdout(text: std::fmt::Arguments<'_>) {
    if READER_LEFT.load(Ordering::Relaxed) || STDOUT_FAILED.get().is_some() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            READER_LEFT.store(true, Ordering::Relaxed);
        }
        Err(e) => {
            let _ = STDOUT_FAILED.set(e.to_string());
        }
    }
}

/// Why standard output refused a write, if it did (a reader that left is
/// no failure).
pub fn stdout_failure() -> Option<&'static str> {
    STDOUT_FAILED.get().map(String::as_str)
}

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
    /// Write a thana's one-page A4 handout (score, rank, costliest rules, records to fix) from an audit's folder.
    Handout(HandoutArgs),
    /// CI gate: judge a month of the lake, or an upload before it enters the lake, against a checks file.
    Check(CheckArgs),
    /// Run a pipeline file's stages (ingest, audit, check, publish).
    Run(RunArgs),
    /// Publish a month for dashboards: pseudonymised Delta tables and the score history.
    Publish(PublishArgs),
    /// Inspect the lake.
    #[command(subcommand)]
    Lake(LakeCommand),
    /// Check, list or export a rule pack.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Run a Ballista scheduler for `--engine ballista://HOST:PORT` (until stopped).
    #[cfg(feature = "ballista")]
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor serving a scheduler (until stopped).
    #[cfg(feature = "ballista")]
    Executor(ExecutorArgs),
}

/// Arguments of `scheduler`.
#[cfg(feature = "ballista")]
#[derive(Debug, clap::Args)]
pub struct SchedulerArgs {
    /// The address to listen on (loopback unless the executors are elsewhere).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The gRPC port clients (`--engine ballista://HOST:PORT`) and executors connect to.
    #[arg(long, default_value_t = cctns_audit::engine::DEFAULT_SCHEDULER_PORT)]
    pub port: u16,
}

/// Arguments of `executor`.
#[cfg(feature = "ballista")]
#[derive(Debug, clap::Args)]
pub struct ExecutorArgs {
    /// The scheduler to serve, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub scheduler: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port of its Arrow Flight service (shuffle data).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// The port of its gRPC service.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks it runs at once (default: the machine's cores).
    #[arg(long)]
    pub concurrent_tasks: Option<usize>,
    /// Where it keeps shuffle files (default: a new folder in the system's temporary folder).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Memory its tasks may share, e.g. 2GB (default: Ballista's share of the machine's memory).
    #[arg(long)]
    pub memory_limit: Option<MemoryLimit>,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The lake folder.
    #[arg(long)]
    pub lake: PathBuf,
    /// The month to judge, YYYY-MM (with --landing: the months the upload touches).
    #[arg(long, required_unless_present = "landing")]
    pub month: Option<String>,
    /// Judge this upload (a landing folder) as a staged snapshot no reader sees.
    #[arg(long, conflicts_with = "month")]
    pub landing: Option<PathBuf>,
    /// With --landing: make a passing upload the current snapshot (otherwise it is discarded).
    #[arg(long, requires = "landing")]
    pub accept: bool,
    /// The checks file (default: checks.yaml of the rule pack).
    #[arg(long)]
    pub checks: Option<PathBuf>,
    /// Replaces the checks file's min_score.
    #[arg(long)]
    pub min_score: Option<f64>,
    /// `warning` makes warnings fail too.
    #[arg(long, value_enum, default_value_t = FailOn::Failure)]
    pub fail_on: FailOn,
    /// Write JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary here.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Write the audit's own files here (one sub-folder per month when an upload touches several).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Language of the audit's report.html and summary.md: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
    /// The rule pack folder (default: the built-in rules/cctns).
    #[arg(long)]
    pub rules: Option<PathBuf>,
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

/// What fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Failed checks only.
    Failure,
    /// Failed checks and warnings.
    Warning,
}

/// Arguments of `publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// The lake folder.
    #[arg(long)]
    pub lake: PathBuf,
    /// The month to publish, YYYY-MM.
    #[arg(long)]
    pub month: String,
    /// The publish folder (created if missing).
    #[arg(long)]
    pub to: PathBuf,
    /// The pseudonym key file (mode 600, at least 32 bytes); default: $CCTNS_PSEUDONYM_KEY.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// The rule pack folder (default: the built-in rules/cctns).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// The folder an `audit --out` of this month wrote on the lake's current
    /// snapshot (default: audit the month first, into a temporary folder).
    #[arg(long)]
    pub audit: Option<PathBuf>,
    /// Republish every month of a folder published under another key under
    /// this one (a folder holds one key).
    #[arg(long)]
    pub rekey: bool,
}

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

/// `lake` subcommands.
#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// The lake's snapshots, newest first: number, time, ingest run, and the partitions each replaced.
    Log {
        /// The lake folder.
        #[arg(long)]
        lake: PathBuf,
    },
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
    /// The rule pack folder (default: the built-in rules/cctns).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Audit the lake as kept snapshot N left it (`lake log` lists them).
    #[arg(long)]
    pub snapshot: Option<u64>,
    /// Audit the month before again for the trend instead of taking its
    /// scores from the lake's score history (`<LAKE>/_history`), and leave
    /// the history as it is.
    #[arg(long)]
    pub no_history: bool,
    /// Language of report.html and summary.md: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
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
    /// Number of states the districts are spread over (UP, HR, DL, …): a national landing folder.
    #[arg(long, default_value_t = 1)]
    pub states: usize,
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
    /// Language of the report: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// Arguments of `handout`.
#[derive(Debug, clap::Args)]
pub struct HandoutArgs {
    /// The folder an audit wrote (holding report.json); the handouts are written into it.
    #[arg(long)]
    pub out: PathBuf,
    /// The station's code (repeat for several stations).
    #[arg(long, required = true)]
    pub ps: Vec<String>,
    /// Language of the handout: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule pack, its scoring model and checks file without data; exit 2 with every problem.
    Lint {
        /// The rule pack folder (default: the built-in rules/cctns).
        dir: Option<PathBuf>,
    },
    /// List a pack's rules: id, table, kind, severity, description.
    List {
        /// The rule pack folder (default: the built-in rules/cctns).
        dir: Option<PathBuf>,
    },
    /// Write the built-in rule pack (rules, scoring model, checks file) into DIR to edit it.
    Export {
        /// A new or empty folder.
        dir: PathBuf,
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
    /// Memory the run may use, e.g. 512MB or 2GiB: the engine spills to disk to stay within it.
    #[arg(long)]
    pub memory_limit: Option<MemoryLimit>,
}

/// How a command that ran to its end went: 0, 1 for a partial success, 3
/// when part of the work hit an internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done.
    Success,
    /// Done, but some input failed (some file errors; the rest loaded), or
    /// a check of the gate failed: exit 1.
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
        Command::Handout(args) => run_handout(args),
        Command::Generate(args) => run_generate(args),
        Command::Check(args) => run_check(args).await,
        Command::Run(args) => run_pipeline(args).await,
        Command::Publish(args) => run_publish(args).await,
        Command::Lake(LakeCommand::Log { lake }) => run_lake_log(&lake),
        Command::Rules(RulesCommand::Lint { dir }) => run_lint(dir).await,
        Command::Rules(RulesCommand::List { dir }) => run_list(dir),
        Command::Rules(RulesCommand::Export { dir }) => run_export(&dir),
        #[cfg(feature = "ballista")]
        Command::Scheduler(args) => run_scheduler(args).await,
        #[cfg(feature = "ballista")]
        Command::Executor(args) => run_executor(args).await,
    }
}

#[cfg(feature = "ballista")]
async fn run_scheduler(args: SchedulerArgs) -> Result<Outcome> {
    let address = std::net::SocketAddr::new(args.bind, args.port);
    cctns_audit::engine::ballista::run_scheduler(address).await?;
    Ok(Outcome::Success)
}

#[cfg(feature = "ballista")]
async fn run_executor(args: ExecutorArgs) -> Result<Outcome> {
    let bad = || {
        Error::usage(
            format!("--scheduler {}", args.scheduler),
            "not a scheduler address",
            "write HOST:PORT, for example 127.0.0.1:50050",
        )
    };
    let (host, port) = args.scheduler.rsplit_once(':').ok_or_else(bad)?;
    let scheduler_port: u16 = port.parse().map_err(|_| bad())?;
    let setup = cctns_audit::engine::ballista::ExecutorSetup {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        grpc_port: args.grpc_port,
        scheduler_host: host.to_string(),
        scheduler_port,
        concurrent_tasks: args
            .concurrent_tasks
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        work_dir: args.work_dir.map(|d| d.display().to_string()),
        memory_limit: args.memory_limit.map(MemoryLimit::bytes),
    };
    cctns_audit::engine::ballista::run_executor(setup).await?;
    Ok(Outcome::Success)
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
    let lake = Lake::open(&args.lake)?;
    let pack = LoadedPack::load(&PackSource::choose(args.rules))?;
    let history = match (args.snapshot, args.no_history) {
        (_, true) => History::Ignored,
        (Some(_), false) => History::ReadOnly,
        (None, false) => History::Kept,
    };
    let manifest = match args.snapshot {
        Some(n) => Manifest::numbered(&lake, n)?,
        None => Manifest::load(&lake)?,
    };
    let done = audit(&AuditJob {
        lake: &lake,
        snapshot: &manifest,
        month,
        out: Some(&args.out),
        pack: &pack,
        history,
        lang: args.lang,
        memory_limit: args.memory_limit,
        engine: args.engine,
        shards: args.shards,
    })
    .await?;
    print_audit_summary(&done, &args.out);
    Ok(Outcome::Success)
}

fn print_audit_summary(done: &AuditDone, out: &Path) {
    let scores = &done.scores;
    outln!(
        "audit {} (lake snapshot {}): {} stations, {} districts, {} violations",
        scores.month,
        done.snapshot,
        scores.stations.len(),
        scores.districts.len(),
        done.violations
    );
    for d in &scores.districts {
        outln!(
            "  {:>2}. {:<12} {:<24} {:>6.2}",
            d.rank_in_state,
            d.district_code,
            d.district_name,
            cctns_audit::score::round_half_away(d.score, 2)
        );
    }
    outln!("reports in {}: violations, scores, points_lost, districts, path_to_first (.csv, .parquet), report.json, report.html, summary.md", out.display());
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

fn run_generate(args: GenerateArgs) -> Result<Outcome> {
    let opts = cctns_audit::generate::Options {
        out: args.out,
        stations: args.stations,
        districts: args.districts,
        states: args.states,
        months: parse_months(&args.months)?,
        firs_per_station_month: args.firs_per_station_month,
        defect_rate: args.defect_rate,
        seed: args.seed,
        plain: args.plain,
    };
    let started = std::time::Instant::now();
    let done = cctns_audit::generate::generate(&opts)?;
    let secs = started.elapsed().as_secs_f64();
    outln!(
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

fn run_explain(args: ExplainArgs) -> Result<Outcome> {
    out!(
        "{}",
        cctns_audit::report::explain(&args.out, &args.ps, args.lang)?
    );
    Ok(Outcome::Success)
}

fn run_handout(args: HandoutArgs) -> Result<Outcome> {
    let report = Report::load(&args.out)?;
    for path in write_handouts(&report, &args.ps, &args.out, args.lang)? {
        outln!("{}", path.display());
    }
    Ok(Outcome::Success)
}

async fn run_lint(dir: Option<PathBuf>) -> Result<Outcome> {
    let source = PackSource::choose(dir);
    let files = source.files()?;
    let pack = lint_files(&files).await?;
    let scoring = files.file(cctns_audit::rules::pack::SCORING_FILE).is_some();
    let model = match scoring {
        true => Some(ScoringModel::from_files(&files, &pack)?),
        false => None,
    };
    let zones = model.as_ref().map_or(&[][..], |m| m.zones.as_slice());
    let checks = files
        .file(CHECKS_FILE)
        .map(|f| Checks::parse(&f.path, &f.text, &pack, zones));
    if let Some(checks) = checks {
        checks?;
    }
    print_lint(&pack, &source);
    Ok(Outcome::Success)
}

fn print_lint(pack: &RulePack, source: &PackSource) {
    outln!("{}: {} rules, all valid", source.label(), pack.rules.len());
}

fn run_export(dir: &Path) -> Result<Outcome> {
    PackFiles::built_in().export(dir)?;
    outln!(
        "wrote the built-in rule pack into {}; edit it and pass --rules {}",
        dir.display(),
        dir.display()
    );
    Ok(Outcome::Success)
}

fn run_list(dir: Option<PathBuf>) -> Result<Outcome> {
    let pack = RulePack::from_files(&PackSource::choose(dir).files()?)?;
    outln!(
        "{:<20} {:<15} {:<10} {:<8} description",
        "id",
        "table",
        "kind",
        "severity"
    );
    for r in &pack.rules {
        outln!(
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
        memory_limit: args.memory_limit,
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

#[allow(clippy::print_stderr)]
fn print_ingest_summary(report: &IngestReport, lake: &Lake) {
    let t = &report.totals;
    for line in report.error_lines() {
        eprintln!("error: {line}");
    }
    outln!(
        "ingest {}: {} files read, {} file errors, {} skipped; {} rows read = {} loaded + {} quarantined",
        report.run_id, t.files_read, t.file_errors, t.files_skipped, t.rows_read, t.rows_loaded, t.rows_quarantined
    );
    outln!(
        "lake snapshot {} at {}; report {}",
        report.snapshot,
        lake.root().display(),
        lake.ingest_dir()
            .join(format!("{}.json", report.run_id))
            .display()
    );
    if report.has_file_errors() {
        outln!("some files could not be read (listed above); the rest is loaded. Fix them and ingest again.");
    }
}

async fn run_check(args: CheckArgs) -> Result<Outcome> {
    let pack = LoadedPack::load(&PackSource::choose(args.rules.clone()))?;
    let checks = pack.checks(args.checks.as_deref())?;
    if let Some(x) = args.min_score.filter(|x| !(0.0..=100.0).contains(x)) {
        return Err(Error::usage(
            format!("--min-score {x}"),
            "not a score",
            "pass a score from 0 to 100",
        ));
    }
    let opts = GateOptions {
        min_score: args.min_score,
        fail_on_warning: args.fail_on == FailOn::Warning,
        junit: args.junit.clone(),
        summary: args.summary.clone(),
        out: args.out.clone(),
        lang: args.lang,
        memory_limit: args.memory_limit,
        engine: args.engine.clone(),
        shards: args.shards,
    };
    let done = match (&args.landing, &args.month) {
        (Some(landing), _) => {
            let landing = Landing::scan(landing)?;
            let lake = Lake::create(&args.lake)?;
            check_upload(&landing, &lake, &pack, &checks, &opts, args.accept).await?
        }
        (None, Some(month)) => {
            let lake = Lake::open(&args.lake)?;
            check_month(&lake, parse_month(month)?, &pack, &checks, &opts).await?
        }
        (None, None) => {
            return Err(Error::usage(
                "check",
                "no month and no upload to judge",
                "pass --month YYYY-MM, or --landing DIR",
            ))
        }
    };
    print_verdict(&done, &args);
    Ok(match done.passed() {
        true => Outcome::Success,
        false => Outcome::Partial,
    })
}

#[allow(clippy::print_stderr)]
fn print_verdict(done: &GateDone, args: &CheckArgs) {
    if let Some(report) = &done.upload {
        for line in report.error_lines() {
            eprintln!("error: {line}");
        }
    }
    for verdict in &done.verdicts {
        for case in &verdict.cases {
            let place = match &case.ps_code {
                Some(ps) => format!("{}.{ps}", case.district_code),
                None => case.district_code.clone(),
            };
            match &case.outcome {
                CaseOutcome::Fail(why) => {
                    outln!("FAIL {} {place} {}: {why}", verdict.month, case.name)
                }
                CaseOutcome::Warn(why) => {
                    outln!("warn {} {place} {}: {why}", verdict.month, case.name)
                }
                CaseOutcome::Pass => {}
            }
        }
    }
    let failures: usize = done.verdicts.iter().map(|v| v.failures()).sum();
    let warnings: usize = done.verdicts.iter().map(|v| v.warnings()).sum();
    let months: Vec<String> = done.verdicts.iter().map(|v| v.month.to_string()).collect();
    let verdict = match done.passed() {
        true => "passed",
        false => "FAILED",
    };
    outln!(
        "check {verdict}: {failures} failed checks, {warnings} warnings (months {}; snapshot {})",
        months.join(", "),
        done.snapshot
    );
    if done.upload.as_ref().is_some_and(|r| r.has_file_errors()) {
        outln!(
            "some files of the upload could not be read (listed above): the upload fails the gate"
        );
    }
    if args.landing.is_some() {
        match done.accepted {
            true => outln!("upload accepted: snapshot {} is now current", done.snapshot),
            false if args.accept => outln!("upload discarded: the lake is as it was"),
            false => outln!("upload discarded (no --accept): the lake is as it was"),
        }
    }
    for (what, path) in [
        ("JUnit", &args.junit),
        ("summary", &args.summary),
        ("reports", &args.out),
    ] {
        if let Some(path) = path {
            outln!("{what}: {}", path.display());
        }
    }
}

async fn run_publish(args: PublishArgs) -> Result<Outcome> {
    let month = parse_month(&args.month)?;
    let key = PseudonymKey::load(args.key_file.as_deref())?;
    let lake = Lake::open(&args.lake)?;
    let pack = LoadedPack::load(&PackSource::choose(args.rules))?;
    let done = publish_months(&PublishRequest {
        lake: &lake,
        months: vec![(month, args.audit)],
        to: &args.to,
        landing: None,
        pack: &pack,
        key: &key,
        rekey: args.rekey,
    })
    .await?;
    let rows: usize = done.rows.values().sum();
    outln!(
        "published {month} of lake snapshot {} into {}: {rows} rows in the six tables, the audit's tables, stations, _publish.json",
        done.snapshot,
        done.to.display()
    );
    if !done.remasked.is_empty() {
        let months: Vec<String> = done.remasked.iter().map(ToString::to_string).collect();
        outln!(
            "masked FIRs since found to be sexual offences in {}",
            months.join(", ")
        );
    }
    Ok(Outcome::Success)
}

async fn run_pipeline(args: RunArgs) -> Result<Outcome> {
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
    Ok(match done.exit_code() {
        0 => Outcome::Success,
        1 => Outcome::Partial,
        _ => Outcome::Incomplete,
    })
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
    for (stage, code, what) in &done.stages {
        outln!("{:<8} exit {code}: {what}", stage.name());
    }
    outln!(
        "run {}: exit {}; reports in {} (one folder per month)",
        pipeline.file.display(),
        done.exit_code(),
        pipeline.out.display()
    );
}

fn run_lake_log(lake: &Path) -> Result<Outcome> {
    let lake = Lake::open(lake)?;
    let snapshots = Manifest::history(&lake)?;
    for (k, m) in snapshots.iter().enumerate() {
        let current = if k == 0 { " (current)" } else { "" };
        outln!(
            "snapshot {}{current}  {}  run {}",
            m.snapshot,
            m.updated_at.as_deref().unwrap_or("-"),
            m.run_id.as_deref().unwrap_or("-")
        );
        if m.replaced.is_empty() {
            outln!("  (made before the lake kept what each snapshot replaced)");
        }
        for r in &m.replaced {
            match &r.month {
                Some(month) => outln!(
                    "  {} {month}: {} stations: {}",
                    r.table,
                    r.stations.len(),
                    r.stations.join(" ")
                ),
                None => outln!("  {}: replaced whole", r.table),
            }
        }
    }
    if snapshots.is_empty() {
        outln!("{}: no snapshot yet", lake.root().display());
    }
    Ok(Outcome::Success)
}

/// Parses the command line; on failure clap's error tells `main` whether it was
/// `--help`/`--version` (exit 0) or bad usage (exit 2).
pub fn parse_args() -> std::result::Result<Cli, clap::Error> {
    Cli::try_parse()
}
