//! `audit`: one month of the lake audited into a folder of reports.
use super::{month_arg, Execution, PackArg};
use cctns_audit::error::Result;
use cctns_audit::lake::{Lake, Manifest};
use cctns_audit::outcome::Outcome;
use cctns_audit::pipeline::{audit, AuditDone, AuditJob, History, LoadedPack};
use cctns_audit::report::Lang;
use std::path::{Path, PathBuf};

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
    /// The rule pack.
    #[command(flatten)]
    pub pack: PackArg,
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
    /// Where and within what memory the audit runs.
    #[command(flatten)]
    pub execution: Execution,
}

/// `audit`: one month of the lake into a reports folder.
pub async fn run_audit(args: AuditArgs) -> Result<Outcome> {
    let month = month_arg(&args.month)?;
    let lake = Lake::open(&args.lake)?;
    let pack = LoadedPack::load(&args.pack.source())?;
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
        memory_limit: args.execution.memory_limit,
        engine: args.execution.engine,
        shards: args.execution.shards,
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
