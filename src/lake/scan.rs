//! A lake table as DataFusion reads it: the Parquet files of one Delta
//! snapshot, scanned by DataFusion's own Parquet reader.
//!
//! delta-rs's table provider adds a file-id column to every row and then
//! builds the partition columns value by value (about 6 % of an audit's
//! instructions); the lake needs neither: its files have no deletion vectors
//! or column mapping, and `month` is constant per file. [`LakeTable`] takes
//! the snapshot's file list (path, size, row count, partition values) and
//! hands it to a `DataSourceExec`, with `month` as a partition column.
//! Files are pruned by the filters on partition columns.

use crate::error::{Error, Result};
use async_trait::async_trait;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{FieldRef, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::{DFSchema, ScalarValue, Statistics};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::utils::expr_to_columns;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use deltalake_core::{DeltaTable, ObjectMeta, Path as ObjectStorePath};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// One data file of the snapshot.
#[derive(Debug, Clone)]
struct LakeFile {
    /// Where the local file system's object store finds it (built from the
    /// file's absolute path, so that any folder name round-trips).
    location: ObjectStorePath,
    /// Its path in the table folder, as the Delta log names it.
    path: String,
    size: u64,
    rows: Option<usize>,
    /// One value per partition column, in the table schema's order.
    partition_values: Vec<ScalarValue>,
}

/// The files of one Delta snapshot, read with DataFusion's Parquet reader.
#[derive(Debug)]
pub struct LakeTable {
    schema: SchemaRef,
    file_schema: SchemaRef,
    partition_fields: Vec<FieldRef>,
    files: Vec<LakeFile>,
}

impl LakeTable {
    /// The snapshot `table` (stored in folder `dir`) holds, with the columns
    /// and types of `schema` (the schema delta-rs's own provider gives it).
    pub fn new(table: &DeltaTable, dir: &Path, schema: SchemaRef, name: &str) -> Result<LakeTable> {
        let fail = |what: &str| {
            Error::usage(
                format!("lake table {name}"),
                format!("cannot read the table's {what}"),
                "re-ingest the month, or report this as a bug",
            )
        };
        let snapshot = table.snapshot().map_err(|_| fail("snapshot"))?;
        let partition_columns = snapshot.metadata().partition_columns();
        let partition_fields: Vec<FieldRef> = partition_columns
            .iter()
            .map(|c| {
                schema
                    .field_with_name(c)
                    .map(|f| Arc::new(f.clone()))
                    .map_err(|_| fail("partition columns"))
            })
            .collect::<Result<_>>()?;
        let root = std::path::absolute(dir).map_err(|_| fail("folder"))?;
        let mut files = Vec::new();
        for file in snapshot.log_data() {
            let values = file.partition_values();
            let partition_values = partition_fields
                .iter()
                .map(|field| {
                    let value = values.as_ref().and_then(|v| {
                        let at = v.fields().iter().position(|f| f.name() == field.name())?;
                        let array = v.values()[at].to_array(1).ok()?;
                        ScalarValue::try_from_array(&array, 0).ok()
                    });
                    value
                        .unwrap_or(ScalarValue::Null)
                        .cast_to(field.data_type())
                        .map_err(|_| fail("partition values"))
                })
                .collect::<Result<Vec<_>>>()?;
            let location = ObjectStorePath::from_absolute_path(root.join(file.path().as_ref()))
                .map_err(|_| fail("file list"))?;
            files.push(LakeFile {
                location,
                path: file.path().to_string(),
                size: file.size().max(0) as u64,
                rows: row_count(file.stats().as_deref()),
                partition_values,
            });
        }
        Ok(LakeTable {
            file_schema: file_schema(&schema, &partition_fields),
            schema,
            partition_fields,
            files,
        })
    }

    /// The files holding rows of months up to `last` (every file of a table
    /// without a `month` partition), as (path in the table folder, size),
    /// sorted: what an audit of `last` can read of this table. Re-uploads
    /// write new files, so equal lists mean equal rows.
    pub fn files_up_to(&self, last: &str) -> Vec<(&str, u64)> {
        let mut files: Vec<(&str, u64)> = self
            .lake_files_up_to(last)
            .map(|f| (f.path.as_str(), f.size))
            .collect();
        files.sort_unstable();
        files
    }

    /// The rows of months up to `last` (as [`LakeTable::files_up_to`]),
    /// from the Delta log's `numRecords`; `None` when a file lacks it.
    pub fn rows_up_to(&self, last: &str) -> Option<u64> {
        self.lake_files_up_to(last)
            .map(|f| f.rows.map(|n| n as u64))
            .sum()
    }

    fn lake_files_up_to<'a>(&'a self, last: &str) -> impl Iterator<Item = &'a LakeFile> + 'a {
        let last = last.to_owned();
        let month = self
            .partition_fields
            .iter()
            .position(|f| f.name() == "month");
        self.files
            .iter()
            .filter(move |f| match month.map(|m| &f.partition_values[m]) {
                Some(ScalarValue::Utf8(Some(m))) => *m <= last,
                Some(_) | None => true,
            })
    }

    /// The files whose partition values satisfy every filter that reads partition columns only.
    fn files_passing(&self, state: &dyn Session, filters: &[Expr]) -> DfResult<Vec<&LakeFile>> {
        let names: HashSet<&str> = self
            .partition_fields
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let on_partitions: Vec<&Expr> = filters.iter().filter(|f| reads_only(f, &names)).collect();
        if on_partitions.is_empty() || self.files.is_empty() {
            return Ok(self.files.iter().collect());
        }
        let schema = Arc::new(Schema::new(self.partition_fields.clone()));
        let columns = (0..self.partition_fields.len())
            .map(|c| {
                ScalarValue::iter_to_array(self.files.iter().map(|f| f.partition_values[c].clone()))
            })
            .collect::<DfResult<Vec<_>>>()?;
        let values = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        let df_schema = DFSchema::try_from(schema.as_ref().clone())?;
        let mut keep = vec![true; self.files.len()];
        for filter in on_partitions {
            let predicate = state.create_physical_expr(filter.clone(), &df_schema)?;
            let result = predicate.evaluate(&values)?.into_array(values.num_rows())?;
            let result = result.as_boolean();
            for (i, k) in keep.iter_mut().enumerate() {
                *k &= result.is_valid(i) && result.value(i);
            }
        }
        Ok(self
            .files
            .iter()
            .zip(keep)
            .filter_map(|(f, k)| k.then_some(f))
            .collect())
    }
}

/// A [`LakeTable`] as it travels to a Ballista scheduler: the names of
/// its partition columns and its file list (the table's schema travels
/// beside it in the plan).
#[derive(serde::Serialize, serde::Deserialize)]
struct WireTable {
    partitions: Vec<String>,
    files: Vec<WireFile>,
}

/// One [`LakeFile`] on the wire; partition values as text (`None`: null).
#[derive(serde::Serialize, serde::Deserialize)]
struct WireFile {
    location: String,
    path: String,
    size: u64,
    rows: Option<usize>,
    values: Vec<Option<String>>,
}

impl LakeTable {
    /// The table's partition columns and file list, serialised for a plan
    /// that runs elsewhere (see [`LakeTable::from_bytes`]).
    pub fn to_bytes(&self) -> DfResult<Vec<u8>> {
        let wire = WireTable {
            partitions: self
                .partition_fields
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            files: self
                .files
                .iter()
                .map(|f| WireFile {
                    location: f.location.to_string(),
                    path: f.path.clone(),
                    size: f.size,
                    rows: f.rows,
                    values: f
                        .partition_values
                        .iter()
                        .map(|v| (!v.is_null()).then(|| v.to_string()))
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_vec(&wire).map_err(|e| DataFusionError::External(Box::new(e)))
    }

    /// The table [`LakeTable::to_bytes`] wrote, with `schema` (the scan's).
    pub fn from_bytes(bytes: &[u8], schema: SchemaRef) -> DfResult<LakeTable> {
        let wire: WireTable =
            serde_json::from_slice(bytes).map_err(|e| DataFusionError::External(Box::new(e)))?;
        let partition_fields: Vec<FieldRef> = wire
            .partitions
            .iter()
            .map(|name| Ok(Arc::new(schema.field_with_name(name)?.clone())))
            .collect::<DfResult<_>>()?;
        let files = wire
            .files
            .into_iter()
            .map(|f| {
                let partition_values = partition_fields
                    .iter()
                    .zip(f.values)
                    .map(|(field, value)| ScalarValue::Utf8(value).cast_to(field.data_type()))
                    .collect::<DfResult<Vec<_>>>()?;
                Ok(LakeFile {
                    location: ObjectStorePath::parse(&f.location)
                        .map_err(|e| DataFusionError::External(Box::new(e)))?,
                    path: f.path,
                    size: f.size,
                    rows: f.rows,
                    partition_values,
                })
            })
            .collect::<DfResult<Vec<_>>>()?;
        Ok(LakeTable {
            file_schema: file_schema(&schema, &partition_fields),
            schema,
            partition_fields,
            files,
        })
    }
}

/// The columns of `schema` stored in the Parquet files: all but the partition columns.
fn file_schema(schema: &Schema, partition_fields: &[FieldRef]) -> SchemaRef {
    let stored = schema
        .fields()
        .iter()
        .filter(|f| !partition_fields.iter().any(|p| p.name() == f.name()))
        .cloned()
        .collect::<Vec<FieldRef>>();
    Arc::new(Schema::new(stored))
}

/// Whether `filter` reads no column but those named in `names`.
fn reads_only(filter: &Expr, names: &HashSet<&str>) -> bool {
    let mut columns = HashSet::new();
    expr_to_columns(filter, &mut columns).is_ok()
        && !columns.is_empty()
        && columns.iter().all(|c| names.contains(c.name.as_str()))
}

/// `numRecords` of a Delta add action's statistics.
fn row_count(stats: Option<&str>) -> Option<usize> {
    let stats: serde_json::Value = serde_json::from_str(stats?).ok()?;
    stats.get("numRecords")?.as_u64().map(|n| n as usize)
}

#[async_trait]
impl TableProvider for LakeTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let files = self.files_passing(state, filters)?;
        let rows = files.iter().map(|f| f.rows).sum::<Option<usize>>();
        let bytes: u64 = files.iter().map(|f| f.size).sum();
        let mut statistics = Statistics::new_unknown(&self.schema);
        statistics.num_rows = rows.map_or(Precision::Absent, Precision::Exact);
        statistics.total_byte_size = Precision::Inexact(bytes as usize);
        let group: Vec<PartitionedFile> = files
            .into_iter()
            .map(|f| {
                PartitionedFile::new_from_meta(ObjectMeta {
                    location: f.location.clone(),
                    last_modified: chrono::DateTime::UNIX_EPOCH,
                    size: f.size,
                    e_tag: None,
                    version: None,
                })
                .with_partition_values(f.partition_values.clone())
            })
            .collect();
        let table_schema = TableSchema::builder(Arc::clone(&self.file_schema))
            .with_table_partition_cols(self.partition_fields.clone())
            .build();
        let source = ParquetSource::new(table_schema)
            .with_table_parquet_options(state.table_options().parquet.clone());
        let config =
            FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                .with_file_groups(vec![FileGroup::new(group)])
                .with_statistics(statistics)
                .with_limit(limit)
                .with_projection_indices(projection.cloned())?
                .build();
        Ok(DataSourceExec::from_data_source(config))
    }
}
