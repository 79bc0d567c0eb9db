//! `publish`: a month for dashboards, pseudonymised.
use super::{month_arg, PackArg};
use cctns_audit::error::Result;
use cctns_audit::lake::Lake;
use cctns_audit::outcome::Outcome;
use cctns_audit::pipeline::publishing::{publish_months, PublishRequest};
use cctns_audit::pipeline::LoadedPack;
use cctns_audit::publish::PseudonymKey;
use std::path::PathBuf;

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
    /// The rule pack.
    #[command(flatten)]
    pub pack: PackArg,
    /// The folder an `audit --out` of this month wrote on the lake's current
    /// snapshot (default: audit the month first, into a temporary folder).
    #[arg(long)]
    pub audit: Option<PathBuf>,
    /// Republish every month of a folder published under another key under
    /// this one (a folder holds one key).
    #[arg(long)]
    pub rekey: bool,
}

/// `publish`: a month into a folder of pseudonymised Delta tables.
pub async fn run_publish(args: PublishArgs) -> Result<Outcome> {
    let month = month_arg(&args.month)?;
    let key = PseudonymKey::load(args.key_file.as_deref())?;
    let lake = Lake::open(&args.lake)?;
    let pack = LoadedPack::load(&args.pack.source())?;
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
