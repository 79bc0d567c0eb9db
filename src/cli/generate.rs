//! `generate`: a synthetic landing folder with known defects.
use cctns_audit::contract::Month;
use cctns_audit::error::{Error, Result};
use cctns_audit::outcome::Outcome;
use std::path::PathBuf;

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

/// `generate`: a synthetic landing folder.
pub fn run_generate(args: GenerateArgs) -> Result<Outcome> {
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
