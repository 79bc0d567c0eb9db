//! Committing one ingest: per month one Delta commit per table replacing the
//! uploaded (month, station) pairs, the quarantine and the registry, then the
//! manifest once every commit is in.

use super::{FileOutcome, FileReader};
use crate::contract::{Month, Registry, TableDef, TABLES};
use crate::error::{Error, Result};
use crate::lake::{
    self, quarantine_schema, Lake, Manifest, Replaced, StreamBudget, QUARANTINE, REGISTRY,
};
use crate::landing::StationFile;
use datafusion::arrow::array::{ArrayRef, Int64Builder, ListBuilder, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::error::DataFusionError;
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
    pub budget: StreamBudget,
}

impl SnapshotWriter<'_> {
    /// Reads one month's `files` and commits them: per table one streamed
    /// commit of the rows its files load, then the month's quarantine.
    /// Returns every file's outcome.
    pub async fn commit_month(
        &mut self,
        month: Month,
        files: Vec<StationFile>,
        reader: &FileReader,
    ) -> Result<Vec<FileOutcome>> {
        let month_text = month.to_string();
        let mut outcomes = Vec::with_capacity(files.len());
        let mut by_table: BTreeMap<&str, Vec<StationFile>> = BTreeMap::new();
        for file in files {
            by_table.entry(file.table.name).or_default().push(file);
        }
        for table in &TABLES {
            if let Some(mine) = by_table.remove(table.name) {
                let read = self.commit_table(&month_text, table, mine, reader).await?;
                outcomes.extend(read);
            }
        }
        self.commit_quarantine(&month_text, &outcomes).await?;
        Ok(outcomes)
    }

    /// Streams the rows of one table's `files` of `month` into one commit
    /// while they are read. The commit replaces the rows of every station
    /// with a readable file; the current rows of a station whose file then
    /// fails are streamed back, so a file error replaces nothing. When no
    /// file loads, the stream is abandoned and nothing is committed.
    async fn commit_table(
        &mut self,
        month: &str,
        table: &'static TableDef,
        files: Vec<StationFile>,
        reader: &FileReader,
    ) -> Result<Vec<FileOutcome>> {
        let (readable, unknown): (Vec<StationFile>, Vec<StationFile>) =
            files.into_iter().partition(|f| reader.knows(f));
        let mut outcomes: Vec<FileOutcome> = unknown
            .into_iter()
            .map(|f| reader.unregistered(f))
            .collect();
        if readable.is_empty() {
            return Ok(outcomes);
        }
        let named = station_codes(readable.iter().map(|f| f.ps_code.as_str()));
        let predicate = col("month")
            .eq(lit(month.to_string()))
            .and(col("ps_code").in_list(named.iter().map(|c| lit(c.clone())).collect(), false));
        let (sender, source) = lake::row_channel(table.lake_schema(), self.budget.queued_batches);
        let lake = self.lake;
        let reading = {
            let reader = reader.clone();
            tokio::task::spawn_blocking(move || (reader.read_all(readable, table, &sender), sender))
        };
        let producing = async {
            let (read, sender) = reading.await.map_err(|e| {
                Error::engine("reading station files")(DataFusionError::External(Box::new(e)))
            })?;
            let loaded = replacing_stations(&read);
            if loaded.is_empty() {
                return Ok((read, loaded));
            }
            let failed: Vec<String> = named
                .iter()
                .filter(|c| loaded.binary_search(c).is_err())
                .cloned()
                .collect();
            lake::send_current_rows(lake, table.name, month, &failed, &sender).await?;
            sender.finish();
            Ok::<_, Error>((read, loaded))
        };
        let writing = lake::replace_streamed(lake, table.name, source, predicate, self.budget);
        let (produced, written) = tokio::join!(producing, writing);
        let (read, loaded) = produced?;
        if !loaded.is_empty() {
            self.committed(table.name, written?)?;
            self.replaced(table.name, Some(month), loaded);
        }
        outcomes.extend(read);
        Ok(outcomes)
    }

    async fn commit_quarantine(&mut self, month: &str, outcomes: &[FileOutcome]) -> Result<()> {
        let replaced: Vec<&FileOutcome> = outcomes.iter().filter(|o| o.replaces).collect();
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

/// The stations whose rows the files of `outcomes` replace, sorted (and
/// so searched by bisection: a national month names 17,000 stations).
fn replacing_stations(outcomes: &[FileOutcome]) -> Vec<String> {
    station_codes(
        outcomes
            .iter()
            .filter(|o| o.replaces)
            .map(|o| o.file.ps_code.as_str()),
    )
}

/// The distinct station codes of `codes`, sorted.
fn station_codes<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<String> {
    let codes: std::collections::BTreeSet<&str> = codes.collect();
    codes.into_iter().map(str::to_string).collect()
}

fn quarantine_batch(month: &str, run_id: &str, outcomes: &[&FileOutcome]) -> Result<RecordBatch> {
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
