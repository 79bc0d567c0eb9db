//! `check`: the CI gate, on a month of the lake or on an upload staged
//! before it enters the lake.
use super::{month_arg, Execution, PackArg};
use cctns_audit::check::Outcome as CaseOutcome;
use cctns_audit::error::{Error, Result};
use cctns_audit::lake::Lake;
use cctns_audit::landing::Landing;
use cctns_audit::outcome::Outcome;
use cctns_audit::pipeline::{check_month, check_upload, GateDone, GateOptions, LoadedPack};
use cctns_audit::report::Lang;
use std::path::PathBuf;

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
    /// The rule pack.
    #[command(flatten)]
    pub pack: PackArg,
    /// Where and within what memory the audit runs.
    #[command(flatten)]
    pub execution: Execution,
}

/// What fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Failed checks only.
    Failure,
    /// Failed checks and warnings.
    Warning,
}

/// `check`: the gate, on a month of the lake or on an upload.
pub async fn run_check(args: CheckArgs) -> Result<Outcome> {
    let pack = LoadedPack::load(&args.pack.source())?;
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
        memory_limit: args.execution.memory_limit,
        engine: args.execution.engine.clone(),
        shards: args.execution.shards,
    };
    let done = match (&args.landing, &args.month) {
        (Some(landing), _) => {
            let landing = Landing::scan(landing)?;
            let lake = Lake::create(&args.lake)?;
            check_upload(&landing, &lake, &pack, &checks, &opts, args.accept).await?
        }
        (None, Some(month)) => {
            let lake = Lake::open(&args.lake)?;
            check_month(&lake, month_arg(month)?, &pack, &checks, &opts).await?
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
    Ok(Outcome::of_gate(done.passed()))
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
