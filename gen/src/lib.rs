//! Generate: synthetic landing folders with known defects, for tests and
//! benchmarks (no real CCTNS data may leave a police data centre).
//!
//! Input: [`Options`] (stations, districts, months, FIRs per station-month,
//! defect rate, seed). Output: a landing folder exactly per the data
//! contract (all tables, formats, encodings and value forms, Hindi names,
//! IPC before and BNS after 2024-07-01) and `ground_truth.json`: every
//! violation the audit of each month must report. Deterministic for a seed;
//! stations are generated in parallel.
//!
//! A crate of its own, outside the shipped `cctns-audit` binary: the
//! `cctns-gen` binary takes [`Args`] on its command line, and the tests of
//! `cctns-audit` call [`run_args`] with the same arguments, in process.

// Not an input path: the generator indexes its own tables of forms and records.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod forms;
mod records;
mod rows;
mod timeline;
mod write;

pub use rows::{Row, Rows};

use cctns_audit::contract::Month;
use cctns_audit::error::{Error, Result};
use clap::Parser;
use rand::SeedableRng;
use rayon::prelude::*;
use serde::Serialize;
use std::ffi::OsString;
use std::path::PathBuf;

/// Writes a synthetic CCTNS landing folder with known defects and its
/// `ground_truth.json`, for the tests and benchmarks of cctns-audit (the
/// arguments of `cctns-gen`).
#[derive(Debug, Parser)]
#[command(name = "cctns-gen", version)]
pub struct Args {
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

impl Args {
    /// The [`Options`] these arguments ask for (bad usage for a `--months`
    /// that is no month range).
    pub fn options(&self) -> Result<Options> {
        Ok(Options {
            out: self.out.clone(),
            stations: self.stations,
            districts: self.districts,
            states: self.states,
            months: parse_months(&self.months)?,
            firs_per_station_month: self.firs_per_station_month,
            defect_rate: self.defect_rate,
            seed: self.seed,
            plain: self.plain,
        })
    }
}

/// Parses the command line `args` (the program's name first, as `cctns-gen`
/// takes them) and generates the landing folder they ask for, in process.
/// A command line clap refuses is bad usage, with clap's message.
pub fn run_args<I, T>(args: I) -> Result<Summary>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = Args::try_parse_from(args).map_err(|e| {
        Error::usage(
            "the arguments",
            e.to_string().trim_end().to_string(),
            "see cctns-gen --help",
        )
    })?;
    generate(&args.options()?)
}

/// A month range `FIRST..LAST` (e.g. `2024-01..2024-12`) or one month, as
/// a pipeline file's `months` reads it; not `previous`, which would make
/// the files depend on the day they are generated.
fn parse_months(text: &str) -> Result<(Month, Month)> {
    let months = match text.trim() {
        "previous" => Vec::new(),
        text => cctns_audit::pipeline::file::parse_month_range(text).unwrap_or_default(),
    };
    match (months.first(), months.last()) {
        (Some(&first), Some(&last)) => Ok((first, last)),
        _ => Err(Error::usage(
            format!("--months {text}"),
            "not a month range",
            "write FIRST..LAST, for example 2024-01..2024-12",
        )),
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The landing folder to write (created; must be empty or absent).
    pub out: PathBuf,
    /// Number of stations.
    pub stations: usize,
    /// Number of districts the stations are spread over.
    pub districts: usize,
    /// Number of states the districts are spread over (codes UP, HR, DL, …
    /// as in [`state_code`]).
    pub states: usize,
    /// First and last month, inclusive.
    pub months: (Month, Month),
    /// Mean FIRs per station and month (each month varies by ±20%).
    pub firs_per_station_month: usize,
    /// Probability of a defect at each place one can be injected.
    pub defect_rate: f64,
    /// Random seed.
    pub seed: u64,
    /// One form per value (UTF-8 CSV, ISO datetimes, plain numbers, `Y`/`N`),
    /// so that a typed `read_csv` of another tool can read the same files.
    pub plain: bool,
}

impl Options {
    /// Every month of the range.
    pub fn months(&self) -> Vec<Month> {
        let mut all = vec![self.months.0];
        while let Some(&last) = all.last() {
            if last >= self.months.1 {
                break;
            }
            all.push(last.next());
        }
        all
    }

    /// The last month.
    pub fn last_month(&self) -> Month {
        self.months.1
    }
}

/// One violation the audit must report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Defect {
    /// The month whose audit reports it.
    pub month: String,
    /// The station.
    pub ps_code: String,
    /// The record's table (`station` for station rules).
    pub table: String,
    /// The rule.
    pub rule_id: String,
    /// The record key.
    pub record_key: String,
}

/// One station's files of one month, as rows of cells in contract column order.
#[derive(Debug, Default)]
pub struct Upload {
    /// `fir` rows.
    pub fir: Rows,
    /// `crime_details` rows.
    pub crime_details: Rows,
    /// `arrest` rows.
    pub arrest: Rows,
    /// `seizure` rows.
    pub seizure: Rows,
    /// `final_report` rows.
    pub final_report: Rows,
    /// `court_disposal` rows.
    pub court_disposal: Rows,
}

impl Upload {
    /// The rows of table `name`.
    pub fn table_mut(&mut self, name: &str) -> &mut Rows {
        match name {
            "fir" => &mut self.fir,
            "crime_details" => &mut self.crime_details,
            "arrest" => &mut self.arrest,
            "seizure" => &mut self.seizure,
            "final_report" => &mut self.final_report,
            _ => &mut self.court_disposal,
        }
    }

    /// Tables and their rows, in contract order.
    pub fn tables(&self) -> [(&'static str, &Rows); 6] {
        [
            ("fir", &self.fir),
            ("crime_details", &self.crime_details),
            ("arrest", &self.arrest),
            ("seizure", &self.seizure),
            ("final_report", &self.final_report),
            ("court_disposal", &self.court_disposal),
        ]
    }

    /// Appends another upload's rows.
    pub fn absorb(&mut self, other: &Upload) {
        for (name, rows) in other.tables() {
            self.table_mut(name).append(rows);
        }
    }
}

/// What a generation wrote.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Files written (registry and ground truth excluded).
    pub files: usize,
    /// Rows written.
    pub rows: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Defects expected.
    pub defects: usize,
}

/// The ground truth file.
#[derive(Serialize)]
struct GroundTruth<'a> {
    seed: u64,
    months: (String, String),
    defects: &'a [Defect],
}

/// Generates the landing folder and its ground truth.
pub fn generate(opts: &Options) -> Result<Summary> {
    check(opts)?;
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let stations = write::registry(opts)?;
    let results: Vec<Result<(Vec<Defect>, write::Written)>> = stations
        .par_iter()
        .enumerate()
        .map(|(i, ps)| {
            let rng = rand::rngs::StdRng::seed_from_u64(
                opts.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
            let (uploads, defects) = timeline::Timeline::new(opts, ps, rng).build();
            let written = write::station(opts, ps, i as u64, &uploads)?;
            Ok((defects, written))
        })
        .collect();
    let mut defects = Vec::new();
    let mut summary = Summary {
        files: 0,
        rows: 0,
        bytes: 0,
        defects: 0,
    };
    for r in results {
        let (d, w) = r?;
        defects.extend(d);
        summary.files += w.files;
        summary.rows += w.rows;
        summary.bytes += w.bytes;
    }
    defects.sort();
    summary.defects = defects.len();
    let truth = GroundTruth {
        seed: opts.seed,
        months: (opts.months.0.to_string(), opts.months.1.to_string()),
        defects: &defects,
    };
    let path = opts.out.join("ground_truth.json");
    let bytes = serde_json::to_vec_pretty(&truth).map_err(|e| Error::io(&path, e.into()))?;
    std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    Ok(summary)
}

fn check(opts: &Options) -> Result<()> {
    if opts.stations == 0 || opts.districts == 0 || opts.districts > opts.stations {
        return Err(Error::usage(
            "--stations/--districts",
            "need at least one station per district",
            "pass --stations N --districts D with 1 <= D <= N",
        ));
    }
    if opts.states == 0 || opts.states > opts.districts {
        return Err(Error::usage(
            format!("--states {}", opts.states),
            "need at least one district per state",
            "pass --states S with 1 <= S <= the number of districts",
        ));
    }
    if !(0.0..=1.0).contains(&opts.defect_rate) {
        return Err(Error::usage(
            format!("--defect-rate {}", opts.defect_rate),
            "not a probability",
            "pass a rate between 0 and 1, e.g. 0.02",
        ));
    }
    if opts.months.0 > opts.months.1 {
        return Err(Error::usage(
            "--months",
            "the first month is after the last",
            "write FIRST..LAST, e.g. 2024-01..2024-12",
        ));
    }
    let occupied = std::fs::read_dir(&opts.out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if occupied {
        return Err(Error::usage(
            &opts.out,
            "the folder is not empty",
            "pass a new or empty folder to --out",
        ));
    }
    Ok(())
}
