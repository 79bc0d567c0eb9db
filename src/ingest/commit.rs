//! Committing one ingest: per month one Delta commit per table replacing the
//! uploaded (month, station) pairs, the quarantine and the registry, then the
//! manifest once every commit is in.

use super::FileOutcome;
use crate::contract::{Month, Registry, TABLES};
use crate::error::{Error, Result};
use crate::lake::{self, quarantine_schema, Lake, Manifest, Replaced, QUARANTINE, REGISTRY};
use datafusion::arrow::array::{ArrayRef, Int64Builder, ListBuilder, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::prelude::{col, lit, Expr};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Commits tables one by one and moves the manifest at the end.
pub(super) struct SnapshotWriter<'a> {
    pub lake: &'a Lake,
    pub run_id: String,
    pub next: Manifest,
    pub commits: usize,
    pub fail_after: Option<usize>,
}

impl SnapshotWriter<'_> {
    pub async fn commit_month(&mut self, month: Month, outcomes: &[FileOutcome<'_>]) -> Result<()> {
        let month_text = month.to_string();
        for table in &TABLES {
            let mine: Vec<&FileOutcome<'_>> = outcomes
                .iter()
                .filter(|o| o.file.table.name == table.name && o.loaded.is_some())
                .collect();
            if mine.is_empty() {
                continue;
            }
            let batches: Vec<RecordBatch> = mine.iter().filter_map(|o| o.loaded.clone()).collect();
            let codes: Vec<String> = mine.iter().map(|o| o.file.ps_code.clone()).collect();
            let stations = codes.iter().map(|c| lit(c.clone())).collect();
            let predicate = col("month")
                .eq(lit(month_text.clone()))
                .and(col("ps_code").in_list(stations, false));
            let version = lake::replace_rows(
                self.lake,
                table.name,
                table.lake_schema(),
                batches,
                predicate,
            )
            .await?;
            self.committed(table.name, version)?;
            self.replaced(table.name, Some(&month_text), codes);
        }
        self.commit_quarantine(&month_text, outcomes).await
    }

    async fn commit_quarantine(&mut self, month: &str, outcomes: &[FileOutcome<'_>]) -> Result<()> {
        let replaced: Vec<&FileOutcome<'_>> =
            outcomes.iter().filter(|o| o.loaded.is_some()).collect();
        if replaced.is_empty() {
            return Ok(());
        }
        let mut by_table: BTreeMap<&str, Vec<Expr>> = BTreeMap::new();
        for o in &replaced {
            by_table
                .entry(o.file.table.name)
                .or_default()
                .push(lit(o.file.ps_code.clone()));
        }
        let predicate = by_table
            .into_iter()
            .map(|(t, ps)| {
                col("table_name")
                    .eq(lit(t))
                    .and(col("ps_code").in_list(ps, false))
            })
            .reduce(Expr::or)
            .map(|p| col("month").eq(lit(month.to_string())).and(p))
            .unwrap_or_else(|| lit(false));
        let batch = quarantine_batch(month, &self.run_id, &replaced)?;
        let version = lake::replace_rows(
            self.lake,
            QUARANTINE,
            quarantine_schema(),
            vec![batch],
            predicate,
        )
        .await?;
        self.committed(QUARANTINE, version)?;
        let codes: std::collections::BTreeSet<String> =
            replaced.iter().map(|o| o.file.ps_code.clone()).collect();
        self.replaced(QUARANTINE, Some(month), codes.into_iter().collect());
        Ok(())
    }

    pub async fn commit_registry(&mut self, registry: &Registry) -> Result<()> {
        let batch = registry_batch(registry)?;
        let version =
            lake::overwrite_table(self.lake, REGISTRY, lake::registry_schema(), vec![batch])
                .await?;
        self.committed(REGISTRY, version)?;
        self.replaced(REGISTRY, None, Vec::new());
        Ok(())
    }

    /// Notes that `table`'s rows of `month` and `stations` were replaced.
    fn replaced(&mut self, table: &str, month: Option<&str>, mut stations: Vec<String>) {
        stations.sort();
        self.next.replaced.push(Replaced {
            table: table.to_string(),
            month: month.map(str::to_string),
            stations,
        });
    }

    fn committed(&mut self, table: &str, version: u64) -> Result<()> {
        self.next.tables.insert(table.to_string(), version);
        self.commits += 1;
        tracing::debug!(table, version, "committed");
        match self.fail_after {
            Some(n) if self.commits >= n => Err(Error::Injected(self.commits)),
            _ => Ok(()),
        }
    }

    /// The snapshot these commits make (numbered after the current one),
    /// or `None` when nothing was committed.
    pub fn staged(mut self) -> Option<Manifest> {
        if self.commits == 0 {
            return None;
        }
        self.next.snapshot += 1;
        self.next.run_id = Some(self.run_id);
        self.next.updated_at = Some(chrono::Utc::now().to_rfc3339());
        Some(self.next)
    }
}

fn quarantine_batch(
    month: &str,
    run_id: &str,
    outcomes: &[&FileOutcome<'_>],
) -> Result<RecordBatch> {
    let mut ps = StringBuilder::new();
    let mut table = StringBuilder::new();
    let mut source = StringBuilder::new();
    let mut record = Int64Builder::new();
    let mut raw = StringBuilder::new();
    let mut reasons = ListBuilder::new(StringBuilder::new()).with_field(Field::new(
        "element",
        DataType::Utf8,
        true,
    ));
    let mut run = StringBuilder::new();
    let mut months = StringBuilder::new();
    for o in outcomes {
        for q in &o.quarantined {
            ps.append_value(&o.file.ps_code);
            table.append_value(o.file.table.name);
            source.append_value(&o.file.rel);
            record.append_value(q.record_no);
            raw.append_value(&q.raw);
            for r in &q.reasons {
                reasons.values().append_value(r.to_string());
            }
            reasons.append(true);
            run.append_value(run_id);
            months.append_value(month);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ps.finish()),
        Arc::new(table.finish()),
        Arc::new(source.finish()),
        Arc::new(record.finish()),
        Arc::new(raw.finish()),
        Arc::new(reasons.finish()),
        Arc::new(run.finish()),
        Arc::new(months.finish()),
    ];
    RecordBatch::try_new(quarantine_schema(), columns)
        .map_err(Error::arrow("building the quarantine batch"))
}

fn registry_batch(registry: &Registry) -> Result<RecordBatch> {
    let mut columns: Vec<StringBuilder> = (0..6).map(|_| StringBuilder::new()).collect();
    for s in registry.stations() {
        let values = [
            Some(&s.ps_code),
            s.ps_name.as_ref(),
            s.ps_name_hi.as_ref(),
            Some(&s.district_code),
            s.district_name.as_ref(),
            s.state_code.as_ref(),
        ];
        for (builder, value) in columns.iter_mut().zip(values) {
            builder.append_option(value);
        }
    }
    let arrays: Vec<ArrayRef> = columns
        .iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    RecordBatch::try_new(lake::registry_schema(), arrays)
        .map_err(Error::arrow("building the registry batch"))
}
