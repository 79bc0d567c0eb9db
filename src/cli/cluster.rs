//! `scheduler` and `executor`: this program's Ballista cluster processes.
use cctns_audit::error::{Error, Result};
use cctns_audit::memory::MemoryLimit;
use cctns_audit::outcome::Outcome;
use std::path::PathBuf;

/// Arguments of `scheduler`.
#[derive(Debug, clap::Args)]
pub struct SchedulerArgs {
    /// The address to listen on (loopback unless the executors are elsewhere).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The gRPC port clients (`--engine ballista://HOST:PORT`) and executors connect to.
    #[arg(long, default_value_t = cctns_audit::engine::DEFAULT_SCHEDULER_PORT)]
    pub port: u16,
}

/// Arguments of `executor`.
#[derive(Debug, clap::Args)]
pub struct ExecutorArgs {
    /// The scheduler to serve, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub scheduler: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port of its Arrow Flight service (shuffle data).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// The port of its gRPC service.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Tasks it runs at once (default: the machine's cores).
    #[arg(long)]
    pub concurrent_tasks: Option<usize>,
    /// Where it keeps shuffle files (default: a new folder in the system's temporary folder).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Memory its tasks may share, e.g. 2GB (default: Ballista's share of the machine's memory).
    #[arg(long)]
    pub memory_limit: Option<MemoryLimit>,
}

/// `scheduler`: a Ballista scheduler, until stopped.
pub async fn run_scheduler(args: SchedulerArgs) -> Result<Outcome> {
    let address = std::net::SocketAddr::new(args.bind, args.port);
    cctns_audit::engine::ballista::run_scheduler(address).await?;
    Ok(Outcome::Success)
}

/// `executor`: a Ballista executor, until stopped.
pub async fn run_executor(args: ExecutorArgs) -> Result<Outcome> {
    let bad = || {
        Error::usage(
            format!("--scheduler {}", args.scheduler),
            "not a scheduler address",
            "write HOST:PORT, for example 127.0.0.1:50050",
        )
    };
    let (host, port) = args.scheduler.rsplit_once(':').ok_or_else(bad)?;
    let scheduler_port: u16 = port.parse().map_err(|_| bad())?;
    let setup = cctns_audit::engine::ballista::ExecutorSetup {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        grpc_port: args.grpc_port,
        scheduler_host: host.to_string(),
        scheduler_port,
        concurrent_tasks: args
            .concurrent_tasks
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        work_dir: args.work_dir.map(|d| d.display().to_string()),
        memory_limit: args.memory_limit.map(MemoryLimit::bytes),
    };
    cctns_audit::engine::ballista::run_executor(setup).await?;
    Ok(Outcome::Success)
}
