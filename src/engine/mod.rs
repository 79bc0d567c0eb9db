//! The one place that builds a DataFusion session: for the lake's current
//! snapshot, or for an empty lake (to lint a rule pack without data).

// Not an input path: the engine indexes the arrays of batches it evaluates.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

mod regex;

pub use regex::regexp_like;

mod choice;

pub use choice::{Engine, DEFAULT_SCHEDULER_PORT};

mod shard;

pub use shard::shard_session;

#[cfg(feature = "ballista")]
pub mod ballista;

use crate::error::{Error, Result};
use crate::lake::{self, Lake, Manifest};
use crate::memory::MemoryLimit;
use datafusion::datasource::empty::EmptyTable;
use datafusion::execution::config::SessionConfig;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{GreedyMemoryPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::SessionContext;
use std::sync::Arc;

/// A session configured for audits: all cores, no information schema, no URL tables.
///
/// The parent aggregates group by record keys that are almost all distinct,
/// so partial aggregation is given up after one batch instead of DataFusion's
/// default 100,000 rows (it would only copy every row twice). Joins keep
/// the order the rule compiler writes them in (the left input, the smaller,
/// is the hash table): the planner's statistics cannot tell how few records
/// a filtered aggregate keeps and would build on the large side. Its
/// `regexp_like` compiles each pattern once (see [`regexp_like`]).
pub fn session() -> SessionContext {
    let ctx = SessionContext::new_with_config(config());
    ctx.register_udf(regexp_like().as_ref().clone());
    ctx
}

/// A [`session`] whose queries share [`MemoryLimit::engine_share`] of
/// `limit` through DataFusion's `GreedyMemoryPool`, spilling what does not
/// fit to files in the system's temporary folder (`TMPDIR`). Greedy, not
/// fair: an audit runs hundreds of spilling operators at once (every plan of
/// the union, per partition), and a `FairSpillPool` splits the pool evenly
/// among them, leaving each too little to hold one batch; a greedy pool lets
/// the running ones use what is free and spill when it is not. A query that
/// cannot fit fails with `ResourcesExhausted` (see [`Error::beyond`]),
/// naming the five largest consumers of the pool (logged at debug level).
pub fn session_within(limit: Option<MemoryLimit>) -> Result<SessionContext> {
    let Some(limit) = limit else {
        return Ok(session());
    };
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(TrackConsumersPool::new(
            GreedyMemoryPool::new(limit.engine_share()),
            std::num::NonZeroUsize::MIN.saturating_add(4),
        )))
        .with_disk_manager_builder(
            DiskManagerBuilder::default().with_mode(DiskManagerMode::OsTmpDirectory),
        )
        .build_arc()
        .map_err(Error::engine("setting up the memory pool"))?;
    let ctx = SessionContext::new_with_config_rt(config(), runtime);
    ctx.register_udf(regexp_like().as_ref().clone());
    Ok(ctx)
}

fn config() -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_information_schema(false)
        .with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get()));
    config
        .options_mut()
        .execution
        .skip_partial_aggregation_probe_rows_threshold = 8192;
    config.options_mut().optimizer.join_reordering = false;
    config
}

/// A session holding the lake's tables at the versions of its manifest.
pub async fn lake_session(lake: &Lake, manifest: &Manifest) -> Result<SessionContext> {
    lake_session_on(lake, manifest, None, &Engine::Local).await
}

/// A [`lake_session`] under a memory limit (see [`session_within`]) whose
/// queries run on `engine`.
pub async fn lake_session_on(
    lake: &Lake,
    manifest: &Manifest,
    limit: Option<MemoryLimit>,
    engine: &Engine,
) -> Result<SessionContext> {
    let ctx = session_on(session_within(limit)?, engine, limit).await?;
    lake::register_snapshot(&ctx, lake, manifest).await?;
    Ok(ctx)
}

/// Marks a session whose audits run outside this process (see
/// [`is_distributed`]): the session of the engine that runs them.
struct Distributed {
    #[cfg_attr(not(feature = "ballista"), allow(dead_code))]
    remote: SessionContext,
}

impl std::fmt::Debug for Distributed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Distributed")
    }
}

/// Whether `ctx`'s audits run on a Ballista engine: then nothing the
/// engine computes is worth holding in this process between queries.
pub fn is_distributed(ctx: &SessionContext) -> bool {
    ctx.state()
        .config()
        .get_extension::<Distributed>()
        .is_some()
}

/// Runs `df` and collects its batches: in this process, or, in a session
/// of a Ballista engine, as one task of that engine (see
/// [`ballista::whole_plan`]). The small queries of an audit (the registry,
/// row counts, volume measures) always run in this process, on the lake
/// the client reads too; only the findings plans travel.
pub async fn collect(
    df: datafusion::prelude::DataFrame,
) -> datafusion::error::Result<Vec<datafusion::arrow::array::RecordBatch>> {
    #[cfg(feature = "ballista")]
    if let Some(engine) = df
        .task_ctx()
        .session_config()
        .get_extension::<Distributed>()
    {
        return ballista::run_whole(&engine.remote, df.logical_plan()).await;
    }
    collect_here(df).await
}

/// Runs `df` in this process; at trace level logs its physical plan with
/// each operator's metrics (rows, time, memory, spills), for profiling.
async fn collect_here(
    df: datafusion::prelude::DataFrame,
) -> datafusion::error::Result<Vec<datafusion::arrow::array::RecordBatch>> {
    use datafusion::physical_plan::display::DisplayableExecutionPlan;
    let task = Arc::new(df.task_ctx());
    let plan = df.create_physical_plan().await?;
    let batches = datafusion::physical_plan::collect(plan.clone(), task).await?;
    if tracing::enabled!(tracing::Level::TRACE) {
        let shown = DisplayableExecutionPlan::with_metrics(plan.as_ref()).indent(true);
        tracing::trace!("plan with metrics:\n{shown}");
    }
    Ok(batches)
}

/// `local` itself, or `local` marked with the session of `engine` (a
/// standalone engine's executor gets `limit`'s engine share), whose
/// [`collect`] sends the findings plans there.
async fn session_on(
    local: SessionContext,
    engine: &Engine,
    limit: Option<MemoryLimit>,
) -> Result<SessionContext> {
    if !engine.is_distributed() {
        return Ok(local);
    }
    let share = limit.map(|l| l.engine_share() as u64);
    let remote = distributed(&local, engine, share).await?;
    let state = local.state();
    let config = state
        .config()
        .clone()
        .with_extension(Arc::new(Distributed { remote }));
    Ok(SessionContext::new_with_state(
        datafusion::execution::session_state::SessionStateBuilder::new_from_existing(state)
            .with_config(config)
            .build(),
    ))
}

#[cfg(feature = "ballista")]
async fn distributed(
    local: &SessionContext,
    engine: &Engine,
    memory_limit: Option<u64>,
) -> Result<SessionContext> {
    match engine {
        Engine::Local => Ok(local.clone()),
        Engine::Standalone => ballista::distributed(local, None, memory_limit).await,
        Engine::Cluster { host, port } => {
            ballista::distributed(local, Some((host, *port)), None).await
        }
    }
}

#[cfg(not(feature = "ballista"))]
async fn distributed(
    _: &SessionContext,
    engine: &Engine,
    _: Option<u64>,
) -> Result<SessionContext> {
    Err(Error::usage(
        format!("--engine {engine}"),
        "this build of cctns-audit has no Ballista engine",
        "use --engine local, or build with the default features (`ballista`)",
    ))
}

/// A session holding every lake table, empty.
pub fn empty_lake_session() -> Result<SessionContext> {
    let ctx = session();
    for (name, schema) in lake::table_schemas() {
        ctx.register_table(name, Arc::new(EmptyTable::new(schema)))
            .map_err(Error::engine(format!("registering {name}")))?;
    }
    Ok(ctx)
}
