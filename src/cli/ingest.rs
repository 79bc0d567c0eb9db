//! `ingest`: a landing folder into the lake.
use cctns_audit::error::Result;
use cctns_audit::ingest::{ingest, IngestOptions, IngestReport};
use cctns_audit::lake::Lake;
use cctns_audit::landing::Landing;
use cctns_audit::memory::MemoryLimit;
use cctns_audit::outcome::Outcome;
use std::path::PathBuf;

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

/// `ingest`: a landing folder into the lake.
pub async fn run_ingest(args: IngestArgs) -> Result<Outcome> {
    let landing = Landing::scan(&args.landing)?;
    let lake = Lake::create(&args.lake)?;
    let opts = IngestOptions {
        progress: !args.quiet,
        memory_limit: args.memory_limit,
        ..IngestOptions::default()
    };
    let report = ingest(&landing, &lake, &opts).await?;
    print_ingest_summary(&report, &lake);
    Ok(report.outcome())
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
