//! Parent aggregates shared by every plan of an audit: the rows of a table
//! over the lake up to the month (optionally filtered), one row per join key,
//! with a row count `__n` and the columns the rules ask for. Built once per
//! distinct (table, key, filter) and materialised, so the FIR table up to the
//! month is aggregated once for FIR-DUPLICATE, the parent rules of every
//! child table and the due records of CD-MISSING and FRP-OVERDUE. When
//! several months are audited together (M and M−1 for the trend), each
//! aggregate is still built once, with one set of columns per month.

use super::{join_on, names_parameter, plan_error, prefixed, renamed, Months, Scope};
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::rules::pack::{Kind, Rule, RulePack};
use datafusion::arrow::array::{ArrayRef, AsArray, RecordBatch};
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DfResult;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{col, ident, lit, Expr, JoinType};
use datafusion::physical_plan::collect_partitioned;
use datafusion::prelude::{DataFrame, SessionContext};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The prefix of the key columns an aggregate is restricted to.
const LOOKED_UP: &str = "__l";

/// Which aggregate: a table, its join key and an optional row filter (SQL).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AggregateKey {
    /// The table aggregated.
    pub table: String,
    /// The key columns.
    pub on: Vec<String>,
    /// Only rows where this holds.
    pub filter: Option<String>,
}

/// A named aggregate column and the rule that asked for it (for error places).
struct Column<'a> {
    sql: String,
    rule: &'a Rule,
    field: &'static str,
}

/// Per aggregate: the first rule reading it and its named columns.
type Wanted<'a> = BTreeMap<AggregateKey, (&'a Rule, BTreeMap<String, Column<'a>>)>;

/// The materialised aggregates of one audit, per aggregate and audited month.
#[derive(Default)]
pub struct Aggregates {
    frames: BTreeMap<(AggregateKey, Month), DataFrame>,
    /// The memory of the materialised ones, held in the session's pool.
    _held: Vec<MemoryReservation>,
}

/// The aggregate a rule reads as its parent (or its records, for `child_due`), with the columns it adds.
pub fn parent_of(rule: &Rule) -> Option<(AggregateKey, &BTreeMap<String, String>)> {
    static NONE: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    let none = NONE.get_or_init(BTreeMap::new);
    match &rule.kind {
        Kind::Unique { key } => Some((
            AggregateKey {
                table: rule.table.clone(),
                on: key.clone(),
                filter: None,
            },
            none,
        )),
        Kind::Parent {
            parent,
            on,
            parent_where,
            parent_columns,
            ..
        } => Some((
            AggregateKey {
                table: parent.clone(),
                on: on.clone(),
                filter: parent_where.clone(),
            },
            parent_columns,
        )),
        Kind::ChildDue {
            on, record_columns, ..
        } => Some((
            AggregateKey {
                table: rule.table.clone(),
                on: on.clone(),
                filter: None,
            },
            record_columns,
        )),
        _ => None,
    }
}

/// The child table and key a `child_due` rule looks for rows in (as an [`AggregateKey`] without filter).
pub fn child_of(rule: &Rule) -> Option<AggregateKey> {
    match &rule.kind {
        Kind::ChildDue { child, on, .. } => Some(AggregateKey {
            table: child.clone(),
            on: on.clone(),
            filter: None,
        }),
        _ => None,
    }
}

impl Aggregates {
    /// Builds every aggregate the pack's rules need for auditing each of
    /// `months`: one scan and one aggregation per aggregate over the lake up
    /// to the latest month, with one set of columns per month (aggregate
    /// functions filtered to `month <= M`). An aggregate whose SQL reads an
    /// audit parameter (`$month`, …) differs by month and is built per month.
    pub async fn build(
        ctx: &SessionContext,
        pack: &RulePack,
        months: &[Month],
    ) -> Result<Aggregates> {
        let Some(&latest) = months.iter().max() else {
            return Ok(Aggregates::default());
        };
        let wanted = wanted(pack)?;
        let looked_up = looked_up_by(pack);
        let mut builds = Vec::new();
        for (key, (rule, columns)) in &wanted {
            let plan = Plan {
                ctx,
                pack,
                key,
                rule,
                columns,
                looked_up_by: looked_up.get(key).and_then(Option::as_ref),
            };
            if plan.reads_parameters() {
                builds.extend(months.iter().map(move |&m| plan.build(m, vec![m])));
            } else {
                builds.push(plan.build(latest, months.to_vec()));
            }
        }
        let mut frames = BTreeMap::new();
        let mut held = Vec::new();
        for (built, reservation) in futures::future::try_join_all(builds).await? {
            frames.extend(built);
            held.extend(reservation);
        }
        Ok(Aggregates {
            frames,
            _held: held,
        })
    }

    /// `df` left-joined on `key.on` with the aggregate, whose key columns are
    /// renamed `{prefix}_{column}` and count `{prefix}_n` (null: no row);
    /// `columns` (aggregate columns the caller reads) keep their names.
    pub fn left_join(
        &self,
        month: Month,
        df: DataFrame,
        key: &AggregateKey,
        prefix: &str,
        columns: &[&String],
    ) -> Result<DataFrame> {
        let right = prefixed(&key.on, prefix);
        let mut select = renamed(&key.on, prefix);
        select.push(col("__n").alias(format!("{prefix}_n")));
        select.extend(columns.iter().map(|c| col(c.as_str())));
        let parent = self
            .frame(key, month)?
            .select(select)
            .map_err(plan_error(&key.table))?;
        join_on(
            (df, &key.on),
            (parent, &right),
            JoinType::Left,
            None,
            &key.table,
        )
    }

    /// The aggregate as it stood at `month`.
    pub fn frame(&self, key: &AggregateKey, month: Month) -> Result<DataFrame> {
        self.frames
            .get(&(key.clone(), month))
            .cloned()
            .ok_or_else(|| {
                Error::usage(
                    &key.table,
                    "no aggregate was built for this rule",
                    "report this as a bug",
                )
            })
    }
}

/// The columns every aggregate of the pack must have, each aggregate once.
fn wanted(pack: &RulePack) -> Result<Wanted<'_>> {
    let mut wanted: Wanted<'_> = BTreeMap::new();
    for rule in &pack.rules {
        if let Some((key, columns)) = parent_of(rule) {
            let field = if matches!(rule.kind, Kind::ChildDue { .. }) {
                "record_columns"
            } else {
                "parent_columns"
            };
            let (_, entry) = wanted.entry(key).or_insert((rule, BTreeMap::new()));
            for (name, sql) in columns {
                if let Some(existing) = entry.get(name) {
                    if existing.sql != *sql {
                        return Err(Error::usage(
                            rule.place_of(field).to_string(),
                            format!(
                                "rule {}: column `{name}` is defined differently by rule {}",
                                rule.id, existing.rule.id
                            ),
                            "give it another name",
                        ));
                    }
                }
                entry.entry(name.clone()).or_insert(Column {
                    sql: sql.clone(),
                    rule,
                    field,
                });
            }
        }
    }
    Ok(wanted)
}

/// Per aggregate, the tables that only look keys up in it (`parent` rules'
/// child tables, a `unique` rule's own table), or None when some rule reads
/// every key (the records of `child_due` rules). An aggregate looked up only
/// is built over the keys those tables' rows of the audited months hold.
fn looked_up_by(pack: &RulePack) -> BTreeMap<AggregateKey, Option<BTreeSet<String>>> {
    let mut looked_up: BTreeMap<AggregateKey, Option<BTreeSet<String>>> = BTreeMap::new();
    for rule in &pack.rules {
        let Some((key, _)) = parent_of(rule) else {
            continue;
        };
        let entry = looked_up
            .entry(key)
            .or_insert_with(|| Some(BTreeSet::new()));
        match (&rule.kind, entry.as_mut()) {
            (Kind::ChildDue { .. }, _) => *entry = None,
            (_, Some(tables)) => {
                tables.insert(rule.table.clone());
            }
            (_, None) => {}
        }
    }
    looked_up
}

/// One aggregate to build: its key, the first rule that reads it, its columns.
#[derive(Clone, Copy)]
struct Plan<'a> {
    ctx: &'a SessionContext,
    pack: &'a RulePack,
    key: &'a AggregateKey,
    rule: &'a Rule,
    columns: &'a BTreeMap<String, Column<'a>>,
    /// The tables whose rows of the audited months look the aggregate up
    /// (None: every key is read, as by `child_due` records).
    looked_up_by: Option<&'a BTreeSet<String>>,
}

impl Plan<'_> {
    /// Whether any SQL the aggregate evaluates names an audit parameter.
    fn reads_parameters(&self) -> bool {
        let derived = self.pack.derived.get(&self.key.table).into_iter().flatten();
        let texts = self
            .key
            .filter
            .iter()
            .chain(self.columns.values().map(|c| &c.sql))
            .chain(derived.map(|d| &d.sql));
        texts.into_iter().any(|sql| names_parameter(sql))
    }

    /// Aggregates the table over the lake up to `latest`, once, with the
    /// columns of each of `months`; returns one frame per month.
    async fn build(self, latest: Month, months: Vec<Month>) -> Result<Built> {
        let none = Aggregates::default();
        let scope = Scope {
            ctx: self.ctx,
            pack: self.pack,
            month: latest,
            aggregates: &none,
        };
        let table = &self.key.table;
        let mut rows = scope.scan(table, Months::UpTo(latest)).await?;
        if let Some(filter) = &self.key.filter {
            let keep = scope.condition(self.rule, "parent_where", filter, rows.schema())?;
            rows = rows.filter(keep).map_err(plan_error(table))?;
        }
        if let (Some(tables), Some(&first)) = (self.looked_up_by, months.iter().min()) {
            let keys = self
                .keys_looked_up(&scope, tables, Months::Between(first, latest))
                .await?;
            let left = prefixed(&self.key.on, LOOKED_UP);
            rows = join_on(
                (keys, &left),
                (rows, &self.key.on),
                JoinType::RightSemi,
                None,
                table,
            )?;
        }
        let mut parsed = Vec::new();
        for (name, c) in self.columns {
            let what = format!("rule {}: column `{name}`", c.rule.id);
            let place = c.rule.place_of(c.field);
            parsed.push((name, scope.parse(&c.sql, rows.schema(), &place, &what)?));
        }
        let group: Vec<Expr> = self.key.on.iter().map(|c| col(c.as_str())).collect();
        let mut aggregates = Vec::new();
        for &m in &months {
            let upto = (m != latest).then(|| col("month").lt_eq(lit(m.to_string())));
            aggregates.push(up_to(count(lit(1)), &upto)?.alias(per_month("__n", m, latest)));
            for (name, expr) in &parsed {
                aggregates.push(up_to(expr.clone(), &upto)?.alias(per_month(name, m, latest)));
            }
        }
        let started = std::time::Instant::now();
        let aggregated = rows
            .aggregate(group, aggregates)
            .map_err(plan_error(table))?;
        let (cached, reservation) = materialise(self.ctx, aggregated)
            .await
            .map_err(Error::engine(format!("aggregating {table} up to {latest}")))?;
        tracing::debug!(%table, filter = ?self.key.filter, ms = started.elapsed().as_millis() as u64, in_memory = reservation.is_some(), "aggregate built");
        let frames = months
            .iter()
            .map(|&m| {
                let frame = self.month_view(cached.clone(), m, latest)?;
                Ok(((self.key.clone(), m), frame))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((frames, reservation))
    }

    /// The `on` values (named with prefix [`LOOKED_UP`]) of the rows of
    /// `tables` in `months`: the only keys the plans will look up.
    async fn keys_looked_up(
        &self,
        scope: &Scope<'_>,
        tables: &BTreeSet<String>,
        months: Months,
    ) -> Result<DataFrame> {
        let mut union: Option<DataFrame> = None;
        for table in tables {
            let keys = scope.keys(table, months, &self.key.on, LOOKED_UP).await?;
            union = Some(match union {
                Some(u) => u.union(keys).map_err(plan_error(table))?,
                None => keys,
            });
        }
        union.ok_or_else(|| {
            Error::usage(
                &self.key.table,
                "an aggregate looked up by no table",
                "report this as a bug",
            )
        })
    }

    /// The aggregate as it stood at month `m`: keys with rows up to `m`, and the columns of `m`.
    fn month_view(&self, cached: DataFrame, m: Month, latest: Month) -> Result<DataFrame> {
        let named = |name: &str| ident(per_month(name, m, latest)).alias(name);
        let mut select: Vec<Expr> = self.key.on.iter().map(|c| col(c.as_str())).collect();
        select.push(named("__n"));
        select.extend(self.columns.keys().map(|name| named(name)));
        let mut frame = cached;
        if m != latest {
            frame = frame
                .filter(ident(per_month("__n", m, latest)).gt(lit(0i64)))
                .map_err(plan_error(&self.key.table))?;
        }
        frame.select(select).map_err(plan_error(&self.key.table))
    }
}

/// One aggregate's frames per month, and the memory it holds when materialised.
type Built = (
    Vec<((AggregateKey, Month), DataFrame)>,
    Option<MemoryReservation>,
);

/// Runs `df` and keeps its batches in memory as a table of `ctx`, with every
/// string view column compacted: the views of an aggregate's keys otherwise
/// keep whole scanned pages alive, and the planner, reading their size from
/// those pages, would take the aggregate for far larger than it is (and
/// build hash joins on the wrong side). The batches are held in the
/// session's memory pool; when the pool (under `--memory-limit`) has no
/// room for them, `df` itself is returned and every plan reading it
/// aggregates again, inside the pool, where the aggregation can spill.
/// On a Ballista engine nothing is materialised: the batches would have
/// to come back to this process and travel out again inside every plan.
async fn materialise(
    ctx: &SessionContext,
    df: DataFrame,
) -> DfResult<(DataFrame, Option<MemoryReservation>)> {
    if crate::engine::is_distributed(ctx) {
        return Ok((df, None));
    }
    let task = Arc::new(df.task_ctx());
    let plan = df.clone().create_physical_plan().await?;
    let schema = plan.schema();
    let compacted = collect_partitioned(plan, task)
        .await?
        .into_iter()
        .map(|batches| batches.iter().map(compact_views).collect())
        .collect::<DfResult<Vec<Vec<RecordBatch>>>>()?;
    let bytes: usize = compacted
        .iter()
        .flatten()
        .map(RecordBatch::get_array_memory_size)
        .sum();
    let reservation =
        MemoryConsumer::new("parent aggregate").register(&ctx.runtime_env().memory_pool);
    if reservation.try_grow(bytes).is_err() {
        return Ok((df, None));
    }
    let table = ctx.read_table(Arc::new(MemTable::try_new(schema, compacted)?))?;
    Ok((table, Some(reservation)))
}

/// `batch` with its string view columns copied into buffers of their own.
fn compact_views(batch: &RecordBatch) -> DfResult<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(|c| match c.as_string_view_opt() {
            Some(views) => Arc::new(views.gc()) as ArrayRef,
            None => Arc::clone(c),
        })
        .collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

/// The name of aggregate column `name` for month `m` in a build up to `latest`.
fn per_month(name: &str, m: Month, latest: Month) -> String {
    if m == latest {
        name.to_string()
    } else {
        format!("{name}@{m}")
    }
}

/// `expr` with every aggregate function in it restricted to rows where `upto` holds.
fn up_to(expr: Expr, upto: &Option<Expr>) -> Result<Expr> {
    let Some(upto) = upto else {
        return Ok(expr);
    };
    expr.transform_up(|e| match e {
        Expr::AggregateFunction(mut f) => {
            let filter = match f.params.filter.take() {
                Some(existing) => existing.and(upto.clone()),
                None => upto.clone(),
            };
            f.params.filter = Some(Box::new(filter));
            Ok(Transformed::yes(Expr::AggregateFunction(f)))
        }
        other => Ok(Transformed::no(other)),
    })
    .data()
    .map_err(Error::engine("restricting an aggregate to a month"))
}
