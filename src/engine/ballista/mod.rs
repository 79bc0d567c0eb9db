//! The audit's plans on Apache DataFusion Ballista: the session that sends
//! them to a scheduler, the codec that lets the lake's tables travel, and
//! the scheduler and executor processes of this program
//! (`cctns-audit scheduler`, `cctns-audit executor`).
//!
//! The client compiles the rule plans as it always does and sends each
//! shard's findings plan as one [`whole_plan::WholePlan`]: one job of one
//! stage and one task, which an executor plans and runs whole (see
//! [`whole_plan`] for why). A lake table travels as its snapshot's file
//! list ([`LakeCodec`]) and the executors read the Parquet files from the
//! same path, so the lake folder must be readable at the same path on every
//! machine (a shared folder; see docs/scaling.md for object storage).
//! `regexp_like` travels by name: the scheduler and the executors of this
//! program register the project's own (DataFusion's gives the same answers,
//! only slower).
//!
//! The standalone engine's scheduler and executor run on a runtime of their
//! own, on threads of their own, started once per process: a client that
//! keeps its runtime busy never starves their heartbeats.

pub mod whole_plan;

use super::regexp_like;
use crate::error::{Error, Result};
use crate::lake::LakeTable;
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::BallistaLogicalExtensionCodec;
use ballista_core::utils::default_session_builder;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::empty::EmptyTable;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::error::Result as DfResult;
use datafusion::execution::context::SessionState;
use datafusion::execution::registry::FunctionRegistry;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use std::net::SocketAddr;
use std::sync::Arc;
use whole_plan::{AuditPhysicalCodec, WholePlan, WholePlanQueryPlanner, WHOLE_PLAN};

/// Marks a [`LakeTable`] in a serialised plan.
const LAKE_TABLE: &[u8] = b"cctns-audit lake table\n";
/// Marks an empty table (a lake table no snapshot holds yet).
const EMPTY_TABLE: &[u8] = b"cctns-audit empty table\n";

/// Ballista's logical codec, with the lake's tables: a [`LakeTable`] as its
/// file list, an [`EmptyTable`] as its schema alone. Anything else is
/// Ballista's.
#[derive(Debug, Default)]
pub struct LakeCodec {
    ballista: BallistaLogicalExtensionCodec,
}

impl LogicalExtensionCodec for LakeCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> DfResult<Extension> {
        if let Some(plan) = buf.strip_prefix(WHOLE_PLAN) {
            return Ok(Extension {
                node: Arc::new(WholePlan::from_bytes(plan, ctx)?),
            });
        }
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> DfResult<()> {
        if let Some(whole) = node.node.as_any().downcast_ref::<WholePlan>() {
            buf.extend_from_slice(WHOLE_PLAN);
            buf.extend_from_slice(whole.to_bytes());
            return Ok(());
        }
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn TableProvider>> {
        if let Some(table) = buf.strip_prefix(LAKE_TABLE) {
            return Ok(Arc::new(LakeTable::from_bytes(table, schema)?));
        }
        if buf == EMPTY_TABLE {
            return Ok(Arc::new(EmptyTable::new(schema)));
        }
        self.ballista
            .try_decode_table_provider(buf, table_ref, schema, ctx)
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> DfResult<()> {
        if let Some(table) = node.downcast_ref::<LakeTable>() {
            buf.extend_from_slice(LAKE_TABLE);
            buf.extend(table.to_bytes()?);
            return Ok(());
        }
        if node.is::<EmptyTable>() {
            buf.extend_from_slice(EMPTY_TABLE);
            return Ok(());
        }
        self.ballista
            .try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> DfResult<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> DfResult<()> {
        self.ballista.try_encode_file_format(buf, node)
    }
}

/// `local`'s session turned into one whose queries run on Ballista: a
/// scheduler and an executor started in this process (`standalone`, the
/// executor's pool holding `memory_limit` bytes; the first call's limit
/// holds for the process), or the scheduler at `host:port`. The session
/// keeps `local`'s settings and functions, and plans statically (a
/// [`WholePlan`] is one stage whatever the planner; Ballista's adaptive
/// planner was seen replanning a plan with empty inputs without end).
pub async fn distributed(
    local: &SessionContext,
    cluster: Option<(&str, u16)>,
    memory_limit: Option<u64>,
) -> Result<SessionContext> {
    let state = local.state();
    let mut config = state
        .config()
        .clone()
        .with_ballista_logical_extension_codec(Arc::new(LakeCodec::default()))
        .with_ballista_adaptive_query_planner(false);
    // Ballista's scheduler turns it off in every session it plans (and
    // warns of each); off here, the client's plans agree with the scheduler's.
    config
        .options_mut()
        .optimizer
        .enable_round_robin_repartition = false;
    let state = SessionStateBuilder::new_from_existing(state)
        .with_config(config)
        .build();
    let ctx = match cluster {
        None => {
            let port = standalone(memory_limit).await?;
            SessionContext::remote_with_state(&format!("df://127.0.0.1:{port}"), state)
                .await
                .map_err(Error::engine("starting the standalone Ballista engine"))?
        }
        Some((host, port)) => {
            answers(host, port).await?;
            SessionContext::remote_with_state(&format!("df://{host}:{port}"), state)
                .await
                .map_err(Error::engine(format!(
                    "connecting to the Ballista scheduler at {host}:{port}"
                )))?
        }
    };
    ctx.register_udf(regexp_like().as_ref().clone());
    Ok(ctx)
}

/// How many times a findings plan is sent again after its job failed
/// (an executor lost while the client fetched its results).
const RESENDS: usize = 2;

/// Runs `plan` whole on one executor of `remote`'s engine and collects its
/// batches; a job that fails for another reason than memory is sent again,
/// up to [`RESENDS`] times.
pub async fn run_whole(remote: &SessionContext, plan: &LogicalPlan) -> DfResult<Vec<RecordBatch>> {
    let whole = LogicalPlan::Extension(Extension {
        node: Arc::new(WholePlan::new(plan)?),
    });
    let mut sent = 0;
    loop {
        let ran = match remote.execute_logical_plan(whole.clone()).await {
            Ok(df) => df.collect().await,
            Err(e) => Err(e),
        };
        match ran {
            Err(e) if sent < RESENDS && !crate::error::is_exhausted(&e) => {
                sent += 1;
                tracing::warn!("a findings job failed; sending it again ({sent} of {RESENDS})");
                tracing::debug!("the failed job: {e}");
            }
            ran => return ran,
        }
    }
}

/// The loopback port of this process's standalone scheduler, started with
/// its executor on the first call (see [`start_standalone`]).
async fn standalone(memory_limit: Option<u64>) -> Result<u16> {
    static STARTED: tokio::sync::OnceCell<u16> = tokio::sync::OnceCell::const_new();
    STARTED
        .get_or_try_init(|| start_standalone(memory_limit))
        .await
        .copied()
}

/// Starts this program's scheduler and one executor on free loopback
/// ports, on a runtime of their own (threads named `ballista-standalone`),
/// for the rest of the process; returns the scheduler's port once it
/// answers. Ballista's own standalone mode is not used: it shares the
/// client's runtime and knows neither the lake's tables nor [`WholePlan`].
async fn start_standalone(memory_limit: Option<u64>) -> Result<u16> {
    let [scheduler, flight, grpc] = free_ports()?;
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let setup = ExecutorSetup {
        bind: SocketAddr::new(loopback, flight),
        grpc_port: grpc,
        scheduler_host: "127.0.0.1".into(),
        scheduler_port: scheduler,
        concurrent_tasks: std::thread::available_parallelism().map_or(2, |n| n.get()),
        work_dir: Some(standalone_work_dir()?),
        memory_limit,
    };
    let address = SocketAddr::new(loopback, scheduler);
    std::thread::Builder::new()
        .name("ballista-standalone".into())
        .spawn(move || {
            let runtime = match standalone_runtime() {
                Ok(runtime) => runtime,
                Err(e) => {
                    tracing::error!("no runtime for the standalone Ballista engine: {e}");
                    return;
                }
            };
            runtime.block_on(async move {
                let scheduler = tokio::spawn(run_scheduler(address));
                while answers("127.0.0.1", address.port()).await.is_err()
                    && !scheduler.is_finished()
                {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                let executor = tokio::spawn(run_executor(setup));
                for (what, stopped) in
                    [("scheduler", scheduler.await), ("executor", executor.await)]
                {
                    match stopped {
                        Ok(Err(e)) => {
                            tracing::error!("the standalone Ballista {what} stopped: {e}")
                        }
                        Err(e) => tracing::error!("the standalone Ballista {what} stopped: {e}"),
                        Ok(Ok(())) => {}
                    }
                }
            })
        })
        .map_err(|e| {
            Error::unavailable(
                "--engine standalone",
                format!("no thread for the in-process Ballista engine ({e})"),
                "use --engine local",
            )
        })?;
    for _ in 0..200 {
        if answers("127.0.0.1", scheduler).await.is_ok() {
            return Ok(scheduler);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(Error::unavailable(
        "--engine standalone",
        "the in-process Ballista scheduler did not start",
        "run again; if it persists, use --engine local and report this as a bug",
    ))
}

/// Where the standalone executor keeps its shuffle files (the findings on
/// their way back to the client, record keys and messages among them): a
/// folder of this process's own, removed by [`remove_standalone_files`].
static STANDALONE_WORK_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// A new folder in the system's temporary folder for the standalone
/// executor's shuffle files, kept until [`remove_standalone_files`].
fn standalone_work_dir() -> Result<String> {
    let dir = tempfile::Builder::new()
        .prefix("cctns-ballista-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?
        .keep();
    let dir = STANDALONE_WORK_DIR.get_or_init(|| dir);
    Ok(dir.display().to_string())
}

/// Removes the standalone executor's shuffle files, if this process
/// started one: called when the command ends, however it ends.
pub fn remove_standalone_files() {
    if let Some(dir) = STANDALONE_WORK_DIR.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The standalone engine's runtime: its own worker threads, with the
/// stack a deep plan's serialisation and planning need (the audit's plans
/// nest one union per group of rules).
fn standalone_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("ballista-standalone")
        .thread_stack_size(STANDALONE_STACK_BYTES)
        .enable_all()
        .build()
}

/// Stack of the standalone engine's threads.
const STANDALONE_STACK_BYTES: usize = 64 << 20;

/// Three loopback ports that were free a moment ago (the operating system's
/// choice; released before the servers bind them).
fn free_ports() -> Result<[u16; 3]> {
    let bind = || {
        std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|e| {
            Error::unavailable(
                "--engine standalone",
                format!("no free loopback port ({e})"),
                "free some ports, or use --engine local",
            )
        })
    };
    let held = [bind()?, bind()?, bind()?];
    let port = |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).unwrap_or(0);
    Ok([port(&held[0]), port(&held[1]), port(&held[2])])
}

/// Whether a scheduler listens at `host:port` (Ballista itself would only
/// find out at the first query, deep inside it).
async fn answers(host: &str, port: u16) -> Result<()> {
    let connect = tokio::net::TcpStream::connect((host, port));
    let failed = |what: String| {
        Error::unavailable(
            format!("--engine ballista://{host}:{port}"),
            what,
            "start the cluster (scripts/ballista-cluster.sh start) or correct the address",
        )
    };
    match tokio::time::timeout(std::time::Duration::from_secs(10), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(failed(format!("no Ballista scheduler answers ({e})"))),
        Err(_) => Err(failed("no Ballista scheduler answers within 10 s".into())),
    }
}

/// The session state a scheduler or executor of this program plans and
/// runs with: Ballista's default, with the project's `regexp_like`.
fn server_state(config: SessionConfig) -> DfResult<SessionState> {
    let state = default_session_builder(config)?;
    let mut state = SessionStateBuilder::new_from_existing(state)
        .with_query_planner(Arc::new(WholePlanQueryPlanner))
        .build();
    state.register_udf(regexp_like())?;
    Ok(state)
}

/// How long the scheduler waits for an executor's heartbeat before it
/// counts the executor lost and runs its tasks elsewhere; also how long it
/// waits for an executor when it has none left before failing the jobs.
pub const EXECUTOR_TIMEOUT_SECONDS: u64 = 15;
/// How often this program's executors send their heartbeat.
const HEARTBEAT_SECONDS: u64 = 3;

/// Runs a Ballista scheduler on `address` until the process is stopped.
pub async fn run_scheduler(address: SocketAddr) -> Result<()> {
    use ballista_scheduler::cluster::BallistaCluster;
    use ballista_scheduler::config::SchedulerConfig;
    use ballista_scheduler::scheduler_process::start_server;
    let mut config = SchedulerConfig::default()
        .with_hostname(address.ip().to_string())
        .with_port(address.port())
        .with_override_session_builder(Arc::new(server_state));
    config.bind_host = address.ip().to_string();
    config.override_logical_codec = Some(Arc::new(LakeCodec::default()));
    config.override_physical_codec = Some(Arc::new(AuditPhysicalCodec::default()));
    config.executor_timeout_seconds = EXECUTOR_TIMEOUT_SECONDS;
    config.expire_dead_executor_interval_seconds = HEARTBEAT_SECONDS;
    config.no_executors_grace_period_seconds = EXECUTOR_TIMEOUT_SECONDS;
    let failed = |e: ballista_core::error::BallistaError| {
        Error::unavailable(
            format!("scheduler on {address}"),
            format!("could not run: {e}"),
            "choose a free --port, or stop the process that holds it",
        )
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(failed)?;
    start_server(cluster, address, Arc::new(config))
        .await
        .map_err(failed)
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorSetup {
    /// The address its Arrow Flight service binds (shuffle data).
    pub bind: SocketAddr,
    /// The port of its gRPC service.
    pub grpc_port: u16,
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Tasks it runs at once.
    pub concurrent_tasks: usize,
    /// Where it keeps shuffle files (default: a folder in the system's temporary folder).
    pub work_dir: Option<String>,
    /// The bytes its memory pool holds (default: Ballista's share of the machine's).
    pub memory_limit: Option<u64>,
}

/// Runs a Ballista executor until the process is stopped.
pub async fn run_executor(setup: ExecutorSetup) -> Result<()> {
    use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
    let registry = server_state(SessionConfig::new_with_ballista())
        .map_err(Error::engine("setting up the executor's functions"))?;
    let config = ExecutorProcessConfig {
        bind_host: setup.bind.ip().to_string(),
        external_host: Some(setup.bind.ip().to_string()),
        port: setup.bind.port(),
        grpc_port: setup.grpc_port,
        scheduler_host: setup.scheduler_host.clone(),
        scheduler_port: setup.scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: setup.concurrent_tasks.max(1),
        work_dir: setup.work_dir.clone(),
        memory_pool_size: setup.memory_limit,
        print_thread_info: false,
        override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(&registry))),
        override_logical_codec: Some(Arc::new(LakeCodec::default())),
        override_physical_codec: Some(Arc::new(AuditPhysicalCodec::default())),
        executor_heartbeat_interval_seconds: HEARTBEAT_SECONDS,
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await.map_err(|e| {
        Error::unavailable(
            format!("executor on {}", setup.bind),
            format!("could not run: {e}"),
            "check that the scheduler runs at --scheduler and that the ports are free",
        )
    })
}
