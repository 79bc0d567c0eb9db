//! The floor under an audit: a bare DataFusion scan of the lake columns the
//! rule pack reads, over the months an audit of month M reads (every month up
//! to M for tables some rule aggregates, M alone for the others), with no
//! rule evaluated. Run by `bench/bench.py`; by hand:
//!
//!     cargo bench --bench scan_floor -- <lake> <YYYY-MM> [rules dir]
//!
//! Prints one JSON line: rows and columns scanned, best wall milliseconds of 5 runs.
//! A column counts as read when its name appears as a word in the pack's YAML
//! (not as a YAML key), or is part of the record key.

#![allow(clippy::print_stdout)]

use cctns_audit::contract::{Month, TABLES};
use cctns_audit::lake::{Lake, Manifest};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `cctns-audit` binary uses, so that the floor compares like with like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tables whose rows up to M are aggregated by some rule of the default pack (parents and children).
const AGGREGATED: [&str; 3] = ["fir", "crime_details", "final_report"];

fn pack_text(dir: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            text.push_str(&std::fs::read_to_string(&path)?);
        }
    }
    Ok(text)
}

fn scans(pack: &str, month: Month) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for table in TABLES.iter() {
        let mut columns = vec!["ps_code".to_string()];
        for c in table.columns {
            let word = regex::Regex::new(&format!(r"\b{}\b([^:]|$)", c.name))?;
            if c.name != "ps_code" && (table.record_key.contains(&c.name) || word.is_match(pack)) {
                columns.push(c.name.to_string());
            }
        }
        let months = if AGGREGATED.contains(&table.name) {
            "<="
        } else {
            "="
        };
        out.push(format!(
            "SELECT {} FROM {} WHERE month {months} '{month}'",
            columns.join(", "),
            table.name
        ));
    }
    Ok(out)
}

async fn scan_once(
    ctx: &datafusion::prelude::SessionContext,
    queries: &[String],
) -> anyhow::Result<(usize, u128)> {
    let started = Instant::now();
    let mut rows = 0;
    for q in queries {
        let mut stream = ctx.sql(q).await?.execute_stream().await?;
        while let Some(batch) = stream.next().await {
            rows += batch?.num_rows();
        }
    }
    Ok((rows, started.elapsed().as_millis()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (Some(lake), Some(month)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: cargo bench --bench scan_floor -- <lake> <YYYY-MM> [rules dir]");
    };
    let rules = args
        .get(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("rules/cctns"));
    let month: Month = month
        .parse()
        .map_err(|_| anyhow::anyhow!("{month}: not a month; write YYYY-MM"))?;
    let lake = Lake::open(Path::new(lake))?;
    let ctx = cctns_audit::engine::lake_session(&lake, &Manifest::load(&lake)?).await?;
    let queries = scans(&pack_text(&rules)?, month)?;
    let mut best = u128::MAX;
    let mut rows = 0;
    for _ in 0..5 {
        let (n, ms) = scan_once(&ctx, &queries).await?;
        rows = n;
        best = best.min(ms);
    }
    println!(
        "{}",
        serde_json::json!({"month": month.to_string(), "rows": rows, "scan_ms": best, "queries": queries})
    );
    Ok(())
}
