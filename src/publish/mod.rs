//! Publish: the cleaned, pseudonymised tables of audited months and their
//! audit files, as Delta Lake tables for dashboards (spec outputs.md,
//! "Publishing for dashboards").
//!
//! Input: a [`PublishJob`]: the lake's current snapshot, the months to
//! publish each with the folder its audit wrote (the audit's own output:
//! publish never audits), the rule pack and a [`PseudonymKey`]. Output, in
//! the publish folder: the six station tables (each month's loaded rows,
//! typed as in the lake, personal columns replaced by keyed pseudonyms,
//! sexual-offence FIRs without complainant, place and coordinates), the
//! audit's `scores`, `points_lost`, `violations`, `districts` and
//! `path_to_first`, all partitioned by `month`; `stations` (the registry);
//! and `_publish.json`.
//!
//! Guarantees:
//! - the folder changes in one atomic step ([`folder`]): a reader, or a
//!   publish killed at any moment, never sees tables of two publishes;
//! - a FIR that any row of the snapshot marks as a sexual offence is masked
//!   in every published month, including months published before the row
//!   came ([`clean`]);
//! - no table keeps an older version ([`forget`]), so a masked value is on
//!   no file of the folder;
//! - one key per folder: another key is refused unless the job rekeys, and
//!   a rekey republishes every month of the folder.
//!
//! Readings where the spec is silent: a mobile number with fewer than ten
//! digits keeps all of them; an empty value is keyed like any other; the
//! audit of a month must be of the snapshot published (its `report.json`
//! says which), so tables and scores always agree.

pub mod clean;
pub mod folder;
pub mod forget;
pub mod key;
pub mod log;
pub mod pseudonym;

pub use clean::VICTIM_COLUMNS;
pub use key::PseudonymKey;
pub use log::{PublishLog, PublishedMonth};

use crate::contract::{Month, TABLES};
use crate::error::{Error, Result};
use crate::lake::{self, Lake, Manifest};
use crate::rules::RulePack;
use clean::{clean, SexualOffences};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::{col, lit, SessionContext};
use folder::PublishFolder;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The audit files published as tables.
pub const AUDIT_TABLES: [&str; 5] = [
    "scores",
    "points_lost",
    "violations",
    "districts",
    "path_to_first",
];
/// The registry's published name.
pub const STATIONS: &str = "stations";

/// A month to publish and the folder its audit wrote.
#[derive(Debug, Clone)]
pub struct AuditedMonth {
    /// The month.
    pub month: Month,
    /// The folder of its audit files (`audit --out`).
    pub audit: PathBuf,
}

/// One publish: what to publish, where, with which key.
#[derive(Debug)]
pub struct PublishJob<'a> {
    /// The lake; its current snapshot is published.
    pub lake: &'a Lake,
    /// The months to publish, each with its audit.
    pub months: Vec<AuditedMonth>,
    /// The publish folder.
    pub to: &'a Path,
    /// The rule pack (its `is_sexual_offence` of `fir`).
    pub rules: &'a RulePack,
    /// The pseudonym key.
    pub key: &'a PseudonymKey,
    /// Whether a folder published under another key is republished whole
    /// under this one (every month of the folder must be in `months`).
    pub rekey: bool,
}

/// What a publish wrote.
#[derive(Debug)]
pub struct PublishDone {
    /// The snapshot published.
    pub snapshot: u64,
    /// Rows published per station table, over the months published.
    pub rows: BTreeMap<String, usize>,
    /// Months published before whose FIRs were masked by this publish.
    pub remasked: Vec<Month>,
    /// The publish folder.
    pub to: PathBuf,
}

/// Publishes the job's months of the lake's current snapshot.
pub async fn publish(job: &PublishJob<'_>) -> Result<PublishDone> {
    let folder = PublishFolder::take(job.to).await?;
    let months: Vec<Month> = job.months.iter().map(|m| m.month).collect();
    let (manifest, ctx) = preflight(job.lake, job.to, job.key, job.rekey, &months).await?;
    let mut log = PublishLog::read(folder.path())?;
    for m in &job.months {
        check_audit(&manifest, m)?;
    }
    let staging = Lake::create(folder.stage()?)?;
    let sexual = SexualOffences::of_snapshot(&ctx, job.rules).await?;
    let mut rows = BTreeMap::new();
    for m in &job.months {
        for (table, count) in
            publish_station_tables(&ctx, &staging, m.month, job.key, &sexual).await?
        {
            *rows.entry(table).or_insert(0) += count;
        }
        publish_audit_files(&staging, m).await?;
    }
    let remasked = remask_other_months(&staging, &sexual, &months).await?;
    publish_registry(&ctx, &staging).await?;
    for name in published_tables(&staging) {
        forget::forget_old_versions(&staging.table_dir(&name), &name).await?;
    }
    for &month in &months {
        log.record(month, manifest.snapshot, job.key);
    }
    log.write(staging.root())?;
    folder.swap_in()?;
    Ok(PublishDone {
        snapshot: manifest.snapshot,
        rows,
        remasked,
        to: job.to.to_path_buf(),
    })
}

/// Checks, before anything is audited or written, that `months` of the
/// lake's current snapshot may be published into `to` with `key`: the
/// lake holds each month, the folder neither overlaps the lake nor is
/// someone else's, and it holds no other key (unless `rekey`, which must
/// name every month the folder holds). Returns the snapshot's manifest
/// and a session reading it.
pub async fn preflight(
    lake: &Lake,
    to: &Path,
    key: &PseudonymKey,
    rekey: bool,
    months: &[Month],
) -> Result<(Manifest, SessionContext)> {
    let manifest = Manifest::load(lake)?;
    if manifest.snapshot == 0 {
        return Err(Error::usage(
            lake.root(),
            "the lake holds no snapshot",
            "ingest first",
        ));
    }
    folder::refuse_overlap(
        to,
        lake.root(),
        "the lake",
        "pass --to a folder outside the lake (and not one that holds it)",
    )?;
    folder::refuse_foreign(to)?;
    PublishLog::read(to)?.accept_key(to, key, rekey, months)?;
    let ctx = crate::engine::lake_session(lake, &manifest).await?;
    for &month in months {
        if !crate::audit::holds_month(&ctx, month).await? {
            return Err(Error::usage(
                format!("--month {month}"),
                format!("the lake at {} holds no row of {month}", lake.root().display()),
                "publish a month the lake holds (`cctns-audit lake log --lake <LAKE>` shows what each ingest loaded)",
            ));
        }
    }
    Ok((manifest, ctx))
}

/// Checks that the audit of `m` is of its month and of the snapshot published.
fn check_audit(manifest: &Manifest, m: &AuditedMonth) -> Result<()> {
    let report = crate::report::Report::load(&m.audit)?;
    if report.month != m.month || report.run.snapshot != manifest.snapshot {
        return Err(Error::usage(
            m.audit.join("report.json"),
            format!(
                "the audit is of {} at snapshot {}, not of {} at the lake's current snapshot {}",
                report.month, report.run.snapshot, m.month, manifest.snapshot
            ),
            "audit the month again and publish from that audit",
        ));
    }
    Ok(())
}

/// Replaces `month` in each station table of the staging folder by the
/// lake's cleaned rows; returns the rows published per table.
async fn publish_station_tables(
    ctx: &SessionContext,
    staging: &Lake,
    month: Month,
    key: &PseudonymKey,
    sexual: &SexualOffences,
) -> Result<Vec<(String, usize)>> {
    let mut rows = Vec::new();
    for table in &TABLES {
        let cleaned = month_rows(ctx, table.name, month)
            .await?
            .iter()
            .map(|b| clean(b, table.name, key, sexual))
            .collect::<Result<Vec<_>>>()?;
        rows.push((
            table.name.to_string(),
            cleaned.iter().map(RecordBatch::num_rows).sum(),
        ));
        replace_month(staging, table.name, table.lake_schema(), cleaned, month).await?;
    }
    Ok(rows)
}

/// The rows of `table` (a lake table, or the staging folder's) of `month`.
async fn month_rows(ctx: &SessionContext, table: &str, month: Month) -> Result<Vec<RecordBatch>> {
    let context = format!("reading {table} of {month}");
    ctx.table(table)
        .await
        .and_then(|t| t.filter(col("month").eq(lit(month.to_string()))))
        .map_err(Error::engine(context.clone()))?
        .collect()
        .await
        .map_err(Error::engine(context))
}

/// Replaces `month` in each audit table of the staging folder by the
/// audit's own Parquet file.
async fn publish_audit_files(staging: &Lake, m: &AuditedMonth) -> Result<()> {
    let ctx = SessionContext::new();
    for name in AUDIT_TABLES {
        let path = m.audit.join(format!("{name}.parquet"));
        if !path.is_file() {
            return Err(Error::usage(
                &path,
                "the audit folder lacks this file",
                "audit the month again into a new folder and publish from it",
            ));
        }
        let context = format!("reading the audit's {name}");
        let frame = ctx
            .read_parquet(path.display().to_string(), Default::default())
            .await
            .map_err(Error::engine(context.clone()))?;
        let schema = Arc::new(frame.schema().as_arrow().clone());
        let batches = frame.collect().await.map_err(Error::engine(context))?;
        replace_month(staging, name, schema, batches, m.month).await?;
    }
    Ok(())
}

/// Replaces the rows of `month` in the table `name` by `batches`, in one commit.
async fn replace_month(
    target: &Lake,
    name: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    month: Month,
) -> Result<u64> {
    let predicate = col("month").eq(lit(month.to_string()));
    lake::replace_rows(target, name, schema, batches, predicate).await
}

/// Masks, in every month of the staging `fir` table not published now,
/// the FIRs found to be sexual offences since that month was published;
/// returns those months.
async fn remask_other_months(
    staging: &Lake,
    sexual: &SexualOffences,
    published: &[Month],
) -> Result<Vec<Month>> {
    let ctx = staged_table(staging, "fir").await?;
    let mut remasked = Vec::new();
    for month in months_to_remask(&ctx, sexual).await? {
        if published.contains(&month) {
            continue;
        }
        let masked = month_rows(&ctx, "fir", month)
            .await?
            .iter()
            .map(|b| sexual.mask(b))
            .collect::<Result<Vec<_>>>()?;
        let schema = crate::contract::table("fir")
            .map(|t| t.lake_schema())
            .ok_or_else(|| {
                Error::usage(
                    "fir",
                    "no fir table in the contract",
                    "report this as a bug",
                )
            })?;
        replace_month(staging, "fir", schema, masked, month).await?;
        tracing::info!(%month, "masked FIRs found to be sexual offences since the month was published");
        remasked.push(month);
    }
    Ok(remasked)
}

/// The months of the `fir` table of `ctx` with a sexual-offence row that
/// still shows a victim column (one scan of the key and victim columns).
async fn months_to_remask(
    ctx: &SessionContext,
    sexual: &SexualOffences,
) -> Result<BTreeSet<Month>> {
    let context = "looking for FIRs to mask in the published months";
    let Ok(fir) = ctx.table("fir").await else {
        return Ok(BTreeSet::new());
    };
    let columns = ["month", "ps_code", "fir_no"]
        .into_iter()
        .chain(VICTIM_COLUMNS)
        .map(col)
        .collect::<Vec<_>>();
    let batches = fir
        .select(columns)
        .map_err(Error::engine(context))?
        .collect()
        .await
        .map_err(Error::engine(context))?;
    let mut months = BTreeSet::new();
    for batch in &batches {
        let text = datafusion::arrow::compute::cast(
            batch.column(0),
            &datafusion::arrow::datatypes::DataType::Utf8,
        )
        .map_err(Error::arrow(context))?;
        let text = text.as_string::<i32>();
        for row in sexual.unmasked_rows(batch) {
            months.extend(text.value(row).parse::<Month>().ok());
        }
    }
    Ok(months)
}

/// A session holding the staging folder's table `name` at its latest
/// version, read as the lake reads its tables.
async fn staged_table(staging: &Lake, name: &str) -> Result<SessionContext> {
    let ctx = SessionContext::new();
    if !staging.table_dir(name).join("_delta_log").is_dir() {
        return Ok(ctx);
    }
    let context = format!("reading published {name}");
    let table = lake::open_latest(staging, name).await?;
    table
        .update_datafusion_session(&ctx.state())
        .map_err(Error::lake(context.clone()))?;
    let delta = table
        .table_provider()
        .await
        .map_err(Error::engine(context.clone()))?;
    let provider = lake::LakeTable::new(&table, &staging.table_dir(name), delta.schema(), name)?;
    ctx.register_table(name, Arc::new(provider))
        .map_err(Error::engine(context))?;
    Ok(ctx)
}

/// Overwrites the published `stations` with the snapshot's registry.
async fn publish_registry(ctx: &SessionContext, staging: &Lake) -> Result<()> {
    let registry = ctx
        .table(lake::REGISTRY)
        .await
        .map_err(Error::engine("reading the registry"))?
        .collect()
        .await
        .map_err(Error::engine("reading the registry"))?;
    lake::overwrite_table(staging, STATIONS, lake::registry_schema(), registry).await?;
    Ok(())
}

/// The Delta tables of the staging folder.
fn published_tables(staging: &Lake) -> Vec<String> {
    TABLES
        .iter()
        .map(|t| t.name)
        .chain(AUDIT_TABLES)
        .chain([STATIONS])
        .filter(|name| staging.table_dir(name).join("_delta_log").is_dir())
        .map(str::to_string)
        .collect()
}
