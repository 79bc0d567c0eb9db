//! Publish: the cleaned, pseudonymised tables of a month and its audit, as
//! Delta Lake tables for dashboards (spec outputs.md, "Publishing for
//! dashboards").
//!
//! Input: a lake's current snapshot, a month, a rule pack and a
//! [`PseudonymKey`]. Output, in the publish folder: the six station tables
//! (the month's loaded rows, typed as in the lake, personal columns replaced
//! by keyed pseudonyms, sexual-offence FIRs without complainant, place and
//! coordinates), the audit's `scores`, `points_lost`, `violations`,
//! `districts` and `path_to_first`, all partitioned by `month`; `stations`
//! (the registry); and `_publish.json`. Republishing a month replaces it in
//! each table by one commit (replace-where on `month`); other months stay.
//!
//! Readings where the spec is silent: a FIR is a sexual offence when any of
//! its rows in the snapshot is (the pack's `is_sexual_offence` of `fir`),
//! so a later upload naming POCSO also strips the earlier month when it is
//! published again; a mobile number with fewer than ten digits keeps all of
//! them; an empty value is keyed like any other.

// Not an input path: publishing indexes the columns of the lake's own schemas.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

pub mod key;
pub mod pseudonym;

pub use key::PseudonymKey;

use crate::contract::{Month, TABLES};
use crate::error::{Error, Result};
use crate::lake::{self, Lake, Manifest};
use crate::pipeline::{audit, AuditJob, History, LoadedPack};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::nullif;
use datafusion::prelude::{col, lit, SessionContext};
use pseudonym::{pseudonymise, Form};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
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
/// The `fir` columns a sexual-offence FIR publishes as null.
pub const VICTIM_COLUMNS: [&str; 5] = [
    "complainant_name",
    "complainant_mobile",
    "place_of_occurrence",
    "latitude",
    "longitude",
];
/// The derived column of the pack's `fir` rules that marks a sexual offence.
const SEXUAL_OFFENCE: &str = "is_sexual_offence";

/// What a publish wrote.
#[derive(Debug)]
pub struct PublishDone {
    /// The snapshot published.
    pub snapshot: u64,
    /// Rows published per station table.
    pub rows: BTreeMap<String, usize>,
    /// The publish folder.
    pub to: PathBuf,
}

/// `_publish.json`: what the folder holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PublishLog {
    /// The id of the key of the latest publish (never the key).
    pub key_id: String,
    /// Per published month: the snapshot and when.
    pub months: BTreeMap<String, PublishedMonth>,
}

/// One published month.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishedMonth {
    /// The lake snapshot it came from.
    pub snapshot: u64,
    /// The id of the key its pseudonyms were made with.
    pub key_id: String,
    /// When it was published (UTC, RFC 3339).
    pub published_at: String,
}

/// Publishes `month` of the lake's current snapshot into `to`.
pub async fn publish(
    lake: &Lake,
    month: Month,
    to: &Path,
    pack: &LoadedPack,
    key: &PseudonymKey,
) -> Result<PublishDone> {
    let manifest = Manifest::load(lake)?;
    if manifest.snapshot == 0 {
        return Err(Error::usage(
            lake.root(),
            "the lake holds no snapshot",
            "ingest first",
        ));
    }
    if to.exists() && !to.is_dir() {
        return Err(Error::usage(
            to,
            "not a folder",
            "pass --to a new or existing publish folder",
        ));
    }
    let ctx = crate::engine::lake_session(lake, &manifest).await?;
    if !crate::audit::holds_month(&ctx, month).await? {
        return Err(Error::usage(
            format!("--month {month}"),
            format!("the lake at {} holds no row of {month}", lake.root().display()),
            "publish a month the lake holds (`cctns-audit lake log --lake <LAKE>` shows what each ingest loaded)",
        ));
    }
    let target = Lake::create(to)?;
    let sexual = sexual_offence_firs(&ctx, pack).await?;
    let mut rows = BTreeMap::new();
    for table in &TABLES {
        let batches = month_rows(&ctx, table.name, month).await?;
        let cleaned = batches
            .iter()
            .map(|b| clean(b, table.name, key, &sexual))
            .collect::<Result<Vec<_>>>()?;
        rows.insert(
            table.name.to_string(),
            cleaned.iter().map(RecordBatch::num_rows).sum(),
        );
        replace_month(&target, table.name, table.lake_schema(), cleaned, month).await?;
    }
    publish_audit(lake, &manifest, month, pack, &target).await?;
    let registry = ctx
        .table(lake::REGISTRY)
        .await
        .map_err(Error::engine("reading the registry"))?
        .collect()
        .await
        .map_err(Error::engine("reading the registry"))?;
    lake::overwrite_table(&target, STATIONS, lake::registry_schema(), registry).await?;
    record(to, month, manifest.snapshot, key)?;
    Ok(PublishDone {
        snapshot: manifest.snapshot,
        rows,
        to: to.to_path_buf(),
    })
}

/// The loaded rows of `table` uploaded in `month`.
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

/// The (ps_code, fir_no) of every FIR any row of which is a sexual offence.
async fn sexual_offence_firs(
    ctx: &SessionContext,
    pack: &LoadedPack,
) -> Result<HashSet<(String, String)>> {
    let derived = pack
        .rules
        .derived
        .get("fir")
        .and_then(|d| d.iter().find(|d| d.name == SEXUAL_OFFENCE))
        .ok_or_else(|| {
            Error::usage(
                &pack.label,
                format!("the rule pack defines no `{SEXUAL_OFFENCE}` for fir"),
                "add it under `derived:` of the fir rules (see the built-in rules/cctns/fir.yaml)",
            )
        })?;
    let context = "finding sexual-offence FIRs";
    let firs = ctx.table("fir").await.map_err(Error::engine(context))?;
    let flag = firs
        .parse_sql_expr(&derived.sql)
        .map_err(Error::engine(context))?;
    let batches = firs
        .filter(flag)
        .and_then(|t| t.select(vec![col("ps_code"), col("fir_no")]))
        .map_err(Error::engine(context))?
        .collect()
        .await
        .map_err(Error::engine(context))?;
    let mut set = HashSet::new();
    for b in &batches {
        let text = |i: usize| {
            datafusion::arrow::compute::cast(
                b.column(i),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
        };
        let (ps, fir) = (
            text(0).map_err(Error::arrow(context))?,
            text(1).map_err(Error::arrow(context))?,
        );
        let (ps, fir) = (ps.as_string::<i32>(), fir.as_string::<i32>());
        for row in 0..b.num_rows() {
            if ps.is_valid(row) && fir.is_valid(row) {
                set.insert((ps.value(row).to_string(), fir.value(row).to_string()));
            }
        }
    }
    Ok(set)
}

/// A batch of `table` with its personal columns pseudonymised and, in
/// `fir`, the victim columns of sexual-offence FIRs made null.
fn clean(
    batch: &RecordBatch,
    table: &str,
    key: &PseudonymKey,
    sexual: &HashSet<(String, String)>,
) -> Result<RecordBatch> {
    let context = format!("pseudonymising {table}");
    let def = crate::contract::table(table);
    let strip = match table {
        "fir" => Some(sexual_rows(batch, sexual)),
        _ => None,
    };
    let schema = batch.schema();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let name = field.name().as_str();
        let personal = def.is_some_and(|t| t.columns.iter().any(|c| c.personal && c.name == name));
        let mut out = column.clone();
        if personal {
            let form = match name.contains("mobile") {
                true => Form::Mobile,
                false => Form::Text,
            };
            let text = datafusion::arrow::compute::cast(
                &out,
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .map_err(Error::arrow(context.clone()))?;
            let keyed = pseudonymise(
                key,
                &format!("{table}.{name}"),
                form,
                text.as_string::<i32>(),
            );
            out = datafusion::arrow::compute::cast(&keyed, field.data_type())
                .map_err(Error::arrow(context.clone()))?;
        }
        if let Some(mask) = strip.as_ref().filter(|_| VICTIM_COLUMNS.contains(&name)) {
            out = nullif(&out, mask).map_err(Error::arrow(context.clone()))?;
        }
        columns.push(out);
    }
    RecordBatch::try_new(schema, columns).map_err(Error::arrow(context))
}

/// Which rows of a `fir` batch belong to a sexual-offence FIR.
fn sexual_rows(batch: &RecordBatch, sexual: &HashSet<(String, String)>) -> BooleanArray {
    let text = |name: &str| {
        batch.column_by_name(name).and_then(|c| {
            datafusion::arrow::compute::cast(c, &datafusion::arrow::datatypes::DataType::Utf8).ok()
        })
    };
    let (Some(ps), Some(fir)) = (text("ps_code"), text("fir_no")) else {
        return BooleanArray::from(vec![false; batch.num_rows()]);
    };
    let (ps, fir) = (ps.as_string::<i32>(), fir.as_string::<i32>());
    (0..batch.num_rows())
        .map(|row| {
            Some(
                ps.is_valid(row)
                    && fir.is_valid(row)
                    && sexual.contains(&(ps.value(row).to_string(), fir.value(row).to_string())),
            )
        })
        .collect()
}

/// Replaces the rows of `month` in the published table `name` by `batches`, in one commit.
async fn replace_month(
    target: &Lake,
    name: &str,
    schema: datafusion::arrow::datatypes::SchemaRef,
    batches: Vec<RecordBatch>,
    month: Month,
) -> Result<u64> {
    lake::replace_rows(
        target,
        name,
        schema,
        batches,
        col("month").eq(lit(month.to_string())),
    )
    .await
}

/// Audits `month` of the snapshot and publishes its tables.
async fn publish_audit(
    lake: &Lake,
    manifest: &Manifest,
    month: Month,
    pack: &LoadedPack,
    target: &Lake,
) -> Result<()> {
    let staging = target.root().join(format!("_audit-{month}"));
    audit(&AuditJob {
        lake,
        snapshot: manifest,
        month,
        out: Some(&staging),
        pack,
        history: History::Kept,
        lang: crate::report::Lang::Both,
        memory_limit: None,
        engine: crate::engine::Engine::Local,
    })
    .await?;
    let ctx = SessionContext::new();
    for name in AUDIT_TABLES {
        let path = staging.join(format!("{name}.parquet"));
        let context = format!("reading the audit's {name}");
        let frame = ctx
            .read_parquet(path.display().to_string(), Default::default())
            .await
            .map_err(Error::engine(context.clone()))?;
        let schema = Arc::new(frame.schema().as_arrow().clone());
        let batches = frame.collect().await.map_err(Error::engine(context))?;
        replace_month(target, name, schema, batches, month).await?;
    }
    std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))
}

/// Records the month in `_publish.json` (written to a temporary file and renamed).
fn record(to: &Path, month: Month, snapshot: u64, key: &PseudonymKey) -> Result<()> {
    let path = to.join("_publish.json");
    let mut log: PublishLog = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => PublishLog::default(),
    };
    log.key_id = key.id();
    log.months.insert(
        month.to_string(),
        PublishedMonth {
            snapshot,
            key_id: key.id(),
            published_at: chrono::Utc::now().to_rfc3339(),
        },
    );
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec_pretty(&log).map_err(|e| Error::io(&path, e.into()))?;
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
}
