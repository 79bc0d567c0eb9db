//! `lake`: what the lake holds.
use cctns_audit::error::Result;
use cctns_audit::lake::{Lake, Manifest};
use cctns_audit::outcome::Outcome;
use clap::Subcommand;
use std::path::{Path, PathBuf};

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

/// `lake log`: the lake's snapshots, newest first.
pub fn run_lake_log(lake: &Path) -> Result<Outcome> {
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
