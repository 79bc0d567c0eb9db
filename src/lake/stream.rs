//! Streamed commits: rows sent through a bounded channel while delta-rs
//! writes them, so that one commit of any size holds only a few batches in
//! memory.
//!
//! The sending half ([`RowSender`]) is filled on reader threads; the
//! receiving half ([`RowSource`]) is a one-partition DataFusion stream that
//! delta-rs's writer consumes through its input plan. A sender that is
//! dropped without [`RowSender::finish`] (a reader that failed or panicked)
//! ends the stream with an error, so a half-read input can never be
//! committed as if it were complete.

use super::write::{open_for_write, replace_with};
use super::Lake;
use crate::error::{Error, Result};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::datasource::provider_as_source;
use datafusion::error::DataFusionError;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::LogicalPlanBuilder;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::{col, lit, Expr, SessionContext};
use futures::StreamExt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

type Item = std::result::Result<RecordBatch, DataFusionError>;

/// How much a streamed commit may hold at once: batches waiting in the
/// channel, and the size at which the writer closes a Parquet file (delta-rs
/// builds each file in memory before it uploads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamBudget {
    /// Batches the channel holds before the readers wait.
    pub queued_batches: usize,
    /// The writer's target file size; delta-rs's default when `None`.
    pub target_file_size: Option<NonZeroU64>,
}

impl StreamBudget {
    /// The budget of an ingest under `limit` (bytes): without a limit, a
    /// short queue and delta-rs's file size; under one, files of at most a
    /// sixteenth of it (at least 4 MB) so that the file being built, the
    /// queued batches and the readers' files in flight stay inside it.
    pub fn within(limit: Option<u64>) -> StreamBudget {
        match limit {
            None => StreamBudget {
                queued_batches: 16,
                target_file_size: None,
            },
            Some(bytes) => StreamBudget {
                queued_batches: 8,
                target_file_size: NonZeroU64::new((bytes / 16).max(4_000_000)),
            },
        }
    }
}

/// The sending half of a streamed commit's rows.
#[derive(Debug)]
pub struct RowSender {
    schema: SchemaRef,
    tx: mpsc::Sender<Item>,
    finished: Arc<AtomicBool>,
}

/// The receiving half: the rows a streamed commit writes.
#[derive(Debug)]
pub struct RowSource {
    schema: SchemaRef,
    rx: Mutex<Option<mpsc::Receiver<Item>>>,
    finished: Arc<AtomicBool>,
}

/// A bounded channel of `schema`'s rows holding at most `capacity` batches.
pub fn row_channel(schema: SchemaRef, capacity: usize) -> (RowSender, RowSource) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let finished = Arc::new(AtomicBool::new(false));
    let sender = RowSender {
        schema: schema.clone(),
        tx,
        finished: finished.clone(),
    };
    let source = RowSource {
        schema,
        rx: Mutex::new(Some(rx)),
        finished,
    };
    (sender, source)
}

impl RowSender {
    /// Sends a batch from a thread outside the async runtime, waiting while
    /// the channel is full. False when the writer has stopped (its error is
    /// the one the commit reports).
    pub fn send_blocking(&self, batch: RecordBatch) -> bool {
        self.tx.blocking_send(Ok(batch)).is_ok()
    }

    /// Fails the commit from a thread outside the async runtime: rows that
    /// could not be sent must not be committed as if they were.
    pub fn fail_blocking(&self, error: datafusion::arrow::error::ArrowError) {
        let _ = self
            .tx
            .blocking_send(Err(DataFusionError::ArrowError(Box::new(error), None)));
    }

    /// Sends a batch from async code, waiting while the channel is full.
    pub async fn send(&self, batch: RecordBatch) -> bool {
        self.tx.send(Ok(batch)).await.is_ok()
    }

    /// Ends the rows: the commit may go ahead with what was sent.
    pub fn finish(self) {
        self.finished.store(true, Ordering::SeqCst);
    }
}

impl PartitionStream for RowSource {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let rx = self.rx.lock().ok().and_then(|mut rx| rx.take());
        let finished = self.finished.clone();
        let stream = futures::stream::unfold(rx, move |rx| {
            let finished = finished.clone();
            async move {
                let mut rx = rx?;
                match rx.recv().await {
                    Some(item) => Some((item, Some(rx))),
                    None if finished.load(Ordering::SeqCst) => None,
                    None => Some((Err(unfinished()), None)),
                }
            }
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream))
    }
}

fn unfinished() -> DataFusionError {
    DataFusionError::Execution(
        "the rows of this commit were not all read; nothing is committed".to_string(),
    )
}

/// Replaces the rows of table `name` matching `predicate` by the rows
/// `source` streams, in one commit (creating the table, partitioned by
/// `month`, on first write). Returns the new Delta version.
pub async fn replace_streamed(
    lake: &Lake,
    name: &str,
    source: RowSource,
    predicate: Expr,
    budget: StreamBudget,
) -> Result<u64> {
    let schema = source.schema.clone();
    let (table, properties) = open_for_write(lake, name, &schema).await?;
    let exists = table.version().is_some();
    let streaming = StreamingTable::try_new(schema, vec![Arc::new(source)]).map_err(
        Error::engine(format!("streaming rows into lake table {name}")),
    )?;
    let plan = LogicalPlanBuilder::scan("rows", provider_as_source(Arc::new(streaming)), None)
        .and_then(LogicalPlanBuilder::build)
        .map_err(Error::engine(format!(
            "streaming rows into lake table {name}"
        )))?;
    let mut write = table
        .write(Vec::new())
        .with_input_plan(plan)
        .with_writer_properties(clustered_writer_properties());
    if let Some(size) = budget.target_file_size {
        write = write.with_target_file_size(Some(size));
    }
    replace_with(write, &properties, exists, predicate, name).await
}

/// Rows per Parquet row group of a streamed commit.
const ROW_GROUP_ROWS: usize = 65_536;
/// Rows per data page at most, so that the page index can skip within a row group.
const PAGE_ROWS: usize = 8_192;

/// The Parquet writer properties of a streamed commit: delta-rs's (Snappy)
/// with row groups and pages of bounded rows. Rows arrive in `ps_code`
/// order (see the ingest), so each row group's and page's `ps_code`
/// minimum and maximum span a few stations, and an audit of a shard of
/// stations skips the others' row groups and pages by their statistics.
fn clustered_writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_created_by(format!("cctns-audit {}", env!("CARGO_PKG_VERSION")))
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_data_page_row_count_limit(PAGE_ROWS)
        .build()
}

/// Sends the rows table `name` holds now for `month` and `stations` to
/// `sender`, in its schema: what a streamed replacement keeps of stations
/// it names but whose new files turned out unusable. Nothing when the table
/// does not exist yet.
pub async fn send_current_rows(
    lake: &Lake,
    name: &str,
    month: &str,
    stations: &[String],
    sender: &RowSender,
) -> Result<()> {
    if stations.is_empty() || !lake.table_dir(name).join("_delta_log").is_dir() {
        return Ok(());
    }
    let context = || format!("reading the current rows of lake table {name}");
    let table = super::write::open_latest(lake, name).await?;
    let ctx = SessionContext::new();
    table
        .update_datafusion_session(&ctx.state())
        .map_err(Error::lake(context()))?;
    let provider = table
        .table_provider()
        .await
        .map_err(Error::engine(context()))?;
    let kept = stations.iter().map(|s| lit(s.clone())).collect();
    let mut rows = ctx
        .read_table(provider)
        .and_then(|df| {
            df.filter(
                col("month")
                    .eq(lit(month.to_string()))
                    .and(col("ps_code").in_list(kept, false)),
            )
        })
        .map_err(Error::engine(context()))?
        .execute_stream()
        .await
        .map_err(Error::engine(context()))?;
    while let Some(batch) = rows.next().await {
        let batch = batch.map_err(Error::engine(context()))?;
        if !sender.send(conform(&batch, &sender.schema)?).await {
            break;
        }
    }
    Ok(())
}

/// `batch`'s columns cast, by name, to `schema` (a Delta scan may give the
/// partition column or text as other Arrow types than the lake writes).
fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| {
            let column = batch.column_by_name(field.name()).ok_or_else(|| {
                Error::usage(
                    field.name(),
                    "a lake table lacks a column of its contract",
                    "report this as a bug",
                )
            })?;
            cast(column, field.data_type()).map_err(Error::arrow("casting the current rows"))
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(Error::arrow("building the current rows"))
}
