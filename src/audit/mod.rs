//! Audit: a rule pack, the lake and a month to [`Findings`].
//!
//! Input: a session over the lake snapshot, a [`RulePack`], the month.
//! Output: per rule, the records in its population and the records failing
//! it with a message. Invariants: a record is (ps_code, table, record key);
//! rows sharing it count once, and the record fails a rule when any of its
//! rows does (the first message found is kept). Only the audited month and
//! earlier months are read.

// Not an input path: the audit indexes the record and station tables it built.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod counts;
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::rules::compile::{compile_due, compile_month, Aggregates, Group, AUDITED_MONTH};
use crate::rules::{RulePack, Severity};
pub use counts::{station_rows, Rows, RuleCounts, StationRows};
use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::prelude::SessionContext;
use foldhash::HashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// Interned records: `(ps_code, table, record_key)` ↔ a dense id. Keys live
/// in one text arena and are found through a hash table of ids keyed by the
/// hash of the whole triple, so interning allocates nothing per record and
/// dropping the set frees a handful of buffers.
#[derive(Default)]
pub struct Records {
    stations: Vec<String>,
    station_ids: HashMap<String, u32>,
    /// The station interned last (rows of one station come together).
    last_station: Option<u32>,
    tables: Vec<String>,
    /// Per record: station, table, and the key's byte range in `text`.
    keys: Vec<(u32, u16, u32, u32)>,
    text: String,
    index: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("stations", &self.stations.len())
            .field("records", &self.keys.len())
            .finish()
    }
}

impl Records {
    /// An empty set with room for about `records` records (sparing the
    /// index the rehashing of every record as it grows).
    pub fn with_capacity(records: usize) -> Records {
        let mut set = Records::default();
        set.keys.reserve(records);
        set.index.reserve(records, |_| 0);
        set
    }

    /// The id of a record, interning it on first sight.
    pub fn intern(&mut self, ps_code: &str, table: &str, key: &str) -> u32 {
        if self.index.len() < self.keys.len() {
            self.reindex();
        }
        let station = self.station_id(ps_code);
        let table = self.table_id(table);
        let Records {
            keys,
            text,
            index,
            hasher,
            ..
        } = self;
        let key_of = |id: u32| {
            let (s, t, start, end) = keys[id as usize];
            (s, t, &text[start as usize..end as usize])
        };
        let hash = hasher.hash_one((station, table, key));
        let found = index
            .find(hash, |&id| key_of(id) == (station, table, key))
            .copied();
        if let Some(id) = found {
            return id;
        }
        let id = keys.len() as u32;
        let start = text.len() as u32;
        text.push_str(key);
        keys.push((station, table, start, text.len() as u32));
        let (keys, text) = (&*keys, &*text);
        index.insert_unique(hash, id, |&id| record_hash(keys, text, hasher, id));
        id
    }

    /// Indexes the records [`Records::append`] added without indexing them.
    fn reindex(&mut self) {
        let (keys, text, hasher) = (&self.keys, &self.text, &self.hasher);
        let index = &mut self.index;
        let hash_of = |id: u32| record_hash(keys, text, hasher, id);
        index.clear();
        index.reserve(keys.len(), |&id| hash_of(id));
        for id in 0..keys.len() as u32 {
            index.insert_unique(hash_of(id), id, |&id| hash_of(id));
        }
    }

    /// Appends the records of `other`, whose stations this set does not
    /// hold (sets gathered by station shard), after its own; returns the
    /// offset of their ids. They are indexed on the next [`Records::intern`].
    fn append(&mut self, other: Records) -> u32 {
        let offset = self.keys.len() as u32;
        let text_offset = self.text.len() as u32;
        let stations: Vec<u32> = other.stations.iter().map(|s| self.station_id(s)).collect();
        let tables: Vec<u16> = other.tables.iter().map(|t| self.table_id(t)).collect();
        self.text.push_str(&other.text);
        self.keys
            .extend(other.keys.iter().map(|&(s, t, start, end)| {
                (
                    stations[s as usize],
                    tables[t as usize],
                    start + text_offset,
                    end + text_offset,
                )
            }));
        offset
    }

    fn station_id(&mut self, ps_code: &str) -> u32 {
        if let Some(s) = self.last_station {
            if self.stations[s as usize] == ps_code {
                return s;
            }
        }
        let s = match self.station_ids.get(ps_code) {
            Some(&s) => s,
            None => {
                let s = self.stations.len() as u32;
                self.stations.push(ps_code.to_string());
                self.station_ids.insert(ps_code.to_string(), s);
                s
            }
        };
        self.last_station = Some(s);
        s
    }

    fn table_id(&mut self, table: &str) -> u16 {
        match self.tables.iter().position(|t| t == table) {
            Some(t) => t as u16,
            None => {
                self.tables.push(table.to_string());
                (self.tables.len() - 1) as u16
            }
        }
    }

    /// `(ps_code, table, record_key)` of record `id`.
    pub fn get(&self, id: u32) -> (&str, &str, &str) {
        let (s, t, start, end) = self.keys[id as usize];
        (
            &self.stations[s as usize],
            &self.tables[t as usize],
            &self.text[start as usize..end as usize],
        )
    }

    /// The dense id (`0..station_count()`) of record `id`'s station.
    pub fn station_of(&self, id: u32) -> u32 {
        self.keys[id as usize].0
    }

    /// The `ps_code` of station id `station`.
    pub fn station_name(&self, station: u32) -> &str {
        &self.stations[station as usize]
    }

    /// Number of distinct stations among the records.
    pub fn station_count(&self) -> usize {
        self.stations.len()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The hash record `id` is indexed by: of its station, table and key.
fn record_hash(
    keys: &[(u32, u16, u32, u32)],
    text: &str,
    hasher: &foldhash::fast::RandomState,
    id: u32,
) -> u64 {
    let (s, t, start, end) = keys[id as usize];
    hasher.hash_one((s, t, &text[start as usize..end as usize]))
}

/// What one rule found.
#[derive(Debug, Default, Clone)]
pub struct RuleFindings {
    /// Records in the rule's population, ascending, without repeats.
    pub population: Vec<u32>,
    /// Failing records and their message.
    pub failing: BTreeMap<u32, String>,
}

/// What an audit of one month found, rule by rule (parallel to the pack's rules).
#[derive(Debug)]
pub struct Findings {
    /// The audited month.
    pub month: Month,
    /// Every record seen.
    pub records: Records,
    /// Per rule of the pack, in pack order.
    pub rules: Vec<RuleFindings>,
}

/// One violation: a failing record of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The station.
    pub ps_code: String,
    /// The record's table (`station` for station rules).
    pub table: String,
    /// The rule id.
    pub rule_id: String,
    /// The record key.
    pub record_key: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What failed, naming the value.
    pub message: String,
}

/// Audits `month`: compiles the pack, runs every plan concurrently, gathers the findings.
pub async fn audit(ctx: &SessionContext, pack: &RulePack, month: Month) -> Result<Findings> {
    let mut all = audit_months(ctx, pack, &[month]).await?;
    all.pop().ok_or_else(|| not_audited(month))
}

/// The error for an audit that returned no findings for `month` (a bug, never user input).
pub fn not_audited(month: Month) -> Error {
    Error::usage(
        month.to_string(),
        "no month was audited",
        "report this as a bug",
    )
}

/// Audits each of `months` (in that order) in one go: the parent aggregates
/// are built once for all of them, every plan of every month runs
/// concurrently, and the months' findings are gathered in parallel.
pub async fn audit_months(
    ctx: &SessionContext,
    pack: &RulePack,
    months: &[Month],
) -> Result<Vec<Findings>> {
    let started = std::time::Instant::now();
    let aggregates = Aggregates::build(ctx, pack, months).await?;
    let aggregated = started.elapsed();
    let compiles = months
        .iter()
        .map(|&m| compile_month(ctx, pack, m, &aggregates));
    // Each plan with the index of the month it audits (None: every month, split afterwards).
    let mut plans: Vec<(Option<usize>, Group)> = Vec::new();
    for (m, groups) in futures::future::try_join_all(compiles)
        .await?
        .into_iter()
        .enumerate()
    {
        plans.extend(groups.into_iter().map(|g| (Some(m), g)));
    }
    let shared = compile_due(ctx, pack, months, &aggregates).await?;
    plans.extend(shared.into_iter().map(|g| (None, g)));
    let runs = plans.iter().map(|(m, g)| async move {
        let started = std::time::Instant::now();
        let batches = g
            .plan
            .clone()
            .collect()
            .await
            .map_err(Error::engine(format!("running the rules of {}", g.label)))?;
        tracing::debug!(plan = %g.label, month = ?m.map(|m| months[m]), ms = started.elapsed().as_millis() as u64, "plan ran");
        Ok::<_, Error>((*m, g, batches))
    });
    let results = futures::future::try_join_all(runs).await?;
    let ran = started.elapsed();
    let mut per_month: Vec<Vec<(&Group, Vec<RecordBatch>)>> =
        months.iter().map(|_| Vec::new()).collect();
    for (m, group, batches) in results {
        match m {
            Some(m) => per_month[m].push((group, batches)),
            None => {
                for (m, &month) in months.iter().enumerate() {
                    per_month[m].push((group, rows_of_month(group, &batches, month)?));
                }
            }
        }
    }
    let findings = months
        .par_iter()
        .zip(per_month)
        .map(|(&month, results)| Findings::gather(pack, month, &results))
        .collect::<Result<Vec<_>>>()?;
    tracing::debug!(months = ?months, aggregate_ms = aggregated.as_millis() as u64, run_ms = (ran - aggregated).as_millis() as u64, gather_ms = (started.elapsed() - ran).as_millis() as u64, "audit done");
    Ok(findings)
}

impl Findings {
    /// The findings of `month` from the results of its plans, gathered in
    /// one shard of stations per thread and then joined (a record belongs to
    /// one station, so the shards never share one).
    fn gather(
        pack: &RulePack,
        month: Month,
        results: &[(&Group, Vec<RecordBatch>)],
    ) -> Result<Findings> {
        let shards = rayon::current_num_threads().max(1);
        let parts = (0..shards)
            .into_par_iter()
            .map(|shard| {
                Findings::gather_shard(pack, month, results, StationShard::new(shard, shards))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut parts = parts.into_iter();
        let mut findings = parts.next().ok_or_else(|| not_audited(month))?;
        for part in parts {
            findings.append(part);
        }
        Ok(findings)
    }

    /// The findings of the stations of `shard`.
    fn gather_shard(
        pack: &RulePack,
        month: Month,
        results: &[(&Group, Vec<RecordBatch>)],
        mut shard: StationShard,
    ) -> Result<Findings> {
        let rows: usize = results
            .iter()
            .flat_map(|(_, batches)| batches)
            .map(RecordBatch::num_rows)
            .sum();
        let mut findings = Findings {
            month,
            records: Records::with_capacity(rows / shard.of + 1),
            rules: vec![RuleFindings::default(); pack.rules.len()],
        };
        for (group, batches) in results {
            for batch in batches {
                findings.add_batch(group, batch, &mut shard)?;
            }
        }
        for rule in &mut findings.rules {
            rule.population.sort_unstable();
            rule.population.dedup();
        }
        Ok(findings)
    }

    /// Appends the findings of another shard of stations.
    fn append(&mut self, other: Findings) {
        let offset = self.records.append(other.records);
        for (mine, theirs) in self.rules.iter_mut().zip(other.rules) {
            mine.population
                .extend(theirs.population.into_iter().map(|id| id + offset));
            mine.failing.extend(
                theirs
                    .failing
                    .into_iter()
                    .map(|(id, message)| (id + offset, message)),
            );
        }
    }

    /// Unpivots one result batch of a group: per row, per rule, population and failure.
    fn add_batch(
        &mut self,
        group: &Group,
        batch: &RecordBatch,
        shard: &mut StationShard,
    ) -> Result<()> {
        let text = |name: &str| -> Result<&StringArray> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_string_opt::<i32>())
                .ok_or_else(|| shape_error(&group.label, name))
        };
        let flag = |name: String| -> Result<&BooleanArray> {
            batch
                .column_by_name(&name)
                .and_then(|c| c.as_boolean_opt())
                .ok_or_else(|| shape_error(&group.label, &name))
        };
        let (ps, table, key) = (text("ps_code")?, text("table")?, text("record_key")?);
        let columns = (0..group.rules.len())
            .map(|i| {
                Ok((
                    flag(format!("p{i}"))?,
                    flag(format!("f{i}"))?,
                    text(&format!("m{i}"))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<Option<u32>> = (0..batch.num_rows())
            .map(|row| {
                if ps.is_null(row) || key.is_null(row) || !shard.holds(ps.value(row)) {
                    return None;
                }
                let table = if table.is_null(row) {
                    ""
                } else {
                    table.value(row)
                };
                Some(self.records.intern(ps.value(row), table, key.value(row)))
            })
            .collect();
        for (i, (p, f, m)) in columns.iter().enumerate() {
            let found = &mut self.rules[group.rules[i]];
            let (in_population, failing) = (true_bits(p), true_bits(f));
            found
                .population
                .extend(in_population.set_indices().filter_map(|row| ids[row]));
            for row in failing.set_indices() {
                let Some(id) = ids[row] else { continue };
                found.failing.entry(id).or_insert_with(|| {
                    if m.is_null(row) {
                        String::new()
                    } else {
                        m.value(row).to_string()
                    }
                });
            }
        }
        Ok(())
    }

    /// Every violation, ordered by station, table, rule and record key.
    pub fn violations(&self, pack: &RulePack) -> Vec<Violation> {
        let mut all: Vec<Violation> = Vec::new();
        for (rule, found) in pack.rules.iter().zip(&self.rules) {
            for (&id, message) in &found.failing {
                let (ps, table, key) = self.records.get(id);
                all.push(Violation {
                    ps_code: ps.to_string(),
                    table: table.to_string(),
                    rule_id: rule.id.clone(),
                    record_key: key.to_string(),
                    severity: rule.severity,
                    message: message.clone(),
                });
            }
        }
        all.sort();
        all
    }
}

/// One of `of` shards of the stations, by a hash of the station code.
struct StationShard {
    shard: usize,
    of: usize,
    hasher: foldhash::fast::FixedState,
    /// The station asked about last and the answer (rows of one station come together).
    last: Option<(String, bool)>,
}

impl StationShard {
    fn new(shard: usize, of: usize) -> StationShard {
        StationShard {
            shard,
            of,
            hasher: foldhash::fast::FixedState::with_seed(0),
            last: None,
        }
    }

    /// Whether station `ps_code` is in this shard.
    fn holds(&mut self, ps_code: &str) -> bool {
        if let Some((last, answer)) = &self.last {
            if last == ps_code {
                return *answer;
            }
        }
        let answer = self.hasher.hash_one(ps_code) as usize % self.of == self.shard;
        self.last = Some((ps_code.to_string(), answer));
        answer
    }
}

/// The rows audited for `month` of a plan covering every audited month
/// (one of [`compile_due`]'s, naming each row's month in [`AUDITED_MONTH`]).
fn rows_of_month(group: &Group, batches: &[RecordBatch], month: Month) -> Result<Vec<RecordBatch>> {
    use datafusion::arrow::compute::{cast, filter_record_batch, kernels::cmp::eq};
    use datafusion::arrow::datatypes::DataType;
    let wanted = StringArray::new_scalar(month.to_string());
    let failed = |e: datafusion::arrow::error::ArrowError| {
        Error::engine(format!("splitting {} by month", group.label))(e.into())
    };
    batches
        .iter()
        .map(|batch| {
            let months = batch
                .column_by_name(AUDITED_MONTH)
                .ok_or_else(|| shape_error(&group.label, AUDITED_MONTH))?;
            cast(months, &DataType::Utf8)
                .and_then(|months| eq(&months, &wanted))
                .and_then(|keep| filter_record_batch(batch, &keep))
                .map_err(failed)
        })
        .collect()
}

/// One bit per row of a boolean column: set where the value is true (nulls are not).
fn true_bits(column: &BooleanArray) -> BooleanBuffer {
    match column.nulls() {
        Some(valid) => column.values() & valid.inner(),
        None => column.values().clone(),
    }
}

fn shape_error(label: &str, column: &str) -> Error {
    Error::usage(
        label,
        format!("the plan returned no text/boolean column `{column}`"),
        "report this as a bug",
    )
}

/// A measure per station over the audited month: `value` (an aggregate SQL
/// expression) over the rows of `table` uploaded in `month`, e.g. the distinct
/// FIRs that set a station's category. Stations without rows are absent.
pub async fn station_measure(
    ctx: &SessionContext,
    table: &str,
    value: &str,
    month: Month,
) -> Result<BTreeMap<String, u64>> {
    use datafusion::arrow::datatypes::{DataType, Int64Type};
    use datafusion::logical_expr::cast;
    use datafusion::prelude::{col, lit};
    let context = format!("measuring `{value}` of {table} per station");
    let rows = ctx
        .table(table)
        .await
        .and_then(|t| t.filter(col("month").eq(lit(month.to_string()))))
        .map_err(Error::engine(context.clone()))?;
    let measure = rows
        .parse_sql_expr(value)
        .map_err(Error::engine(context.clone()))?;
    let batches = rows
        .aggregate(
            vec![cast(col("ps_code"), DataType::Utf8).alias("ps_code")],
            vec![cast(measure, DataType::Int64).alias("n")],
        )
        .map_err(Error::engine(context.clone()))?
        .collect()
        .await
        .map_err(Error::engine(context.clone()))?;
    let mut values = BTreeMap::new();
    for b in &batches {
        let (Some(ps), Some(n)) = (
            b.column(0).as_string_opt::<i32>(),
            b.column(1).as_primitive_opt::<Int64Type>(),
        ) else {
            return Err(shape_error(&context, "ps_code, n"));
        };
        for row in 0..b.num_rows() {
            values.insert(
                ps.value(row).to_string(),
                if n.is_null(row) {
                    0
                } else {
                    n.value(row).max(0) as u64
                },
            );
        }
    }
    Ok(values)
}

/// Whether the lake holds any row (loaded or quarantined) of `month`.
pub async fn holds_month(ctx: &SessionContext, month: Month) -> Result<bool> {
    use datafusion::prelude::{col, lit};
    for table in crate::lake::monthly_tables() {
        let context = format!("looking for rows of {month} in {table}");
        let n = ctx
            .table(table)
            .await
            .and_then(|t| t.filter(col("month").eq(lit(month.to_string()))))
            .and_then(|t| t.limit(0, Some(1)))
            .map_err(Error::engine(context.clone()))?
            .count()
            .await
            .map_err(Error::engine(context))?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_records_keep_their_keys_and_are_found_again() {
        let mut first = Records::default();
        let a = first.intern("S1", "fir", "0001/2024");
        first.intern("S1", "arrest", "0001/2024#1");
        let mut second = Records::default();
        second.intern("S2", "arrest", "0002/2024#1");
        let b = second.intern("S2", "fir", "0002/2024");
        let offset = first.append(second);
        assert_eq!(offset, 2);
        assert_eq!(first.len(), 4);
        assert_eq!(first.get(b + offset), ("S2", "fir", "0002/2024"));
        assert_eq!(first.station_name(first.station_of(b + offset)), "S2");
        assert_eq!(first.station_count(), 2);
        assert_eq!(first.intern("S2", "fir", "0002/2024"), b + offset);
        assert_eq!(first.intern("S1", "fir", "0001/2024"), a);
        assert_eq!(first.intern("S3", "fir", "0003/2024"), 4);
    }

    #[test]
    fn every_station_is_in_exactly_one_shard() {
        for of in 1..5 {
            let mut shards: Vec<StationShard> = (0..of).map(|k| StationShard::new(k, of)).collect();
            for ps in ["UP-GBN-001", "UP-GBN-002", "UP-LKO-003", "थाना", ""] {
                let holding = shards
                    .iter_mut()
                    .map(|s| s.holds(ps))
                    .filter(|&h| h)
                    .count();
                assert_eq!(holding, 1, "{ps} in {of} shards");
            }
        }
    }
}
