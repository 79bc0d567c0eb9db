//! `cctns-audit` binary: parse the arguments, run the command, print the
//! error line, return the exit code (0 done, 1 partial, 2 bad usage or input,
//! 3 the tool could not finish).

#![allow(clippy::print_stderr)]

mod cli;

use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: the audit's joins and
/// aggregations and the ingest's parsers allocate and free many short-lived
/// buffers across threads (the measurements are in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options for a batch job's peak memory (what `--memory-limit`
/// and the benchmarks' peak RSS count), as environment variables: memory
/// freed goes back to the system at once (`purge_delay` 0; mimalloc waits
/// 1 s, and a shard's freed pages piled up under the next one's), and
/// arenas are committed as they are used rather than whole.
const ALLOCATOR_OPTIONS: [(&str, &str); 2] = [
    ("MIMALLOC_PURGE_DELAY", "0"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
];

/// Runs this program again, in place (`exec`), with [`ALLOCATOR_OPTIONS`]
/// in its environment when they are not there yet. mimalloc reads them
/// when the process starts, before `main`: its first arena is made (and,
/// by default, committed whole) then, so `mi_option_set` here would come
/// too late for it. Options the user set are kept; when the program cannot
/// run itself again it simply goes on with mimalloc's defaults.
#[cfg(unix)]
fn with_allocator_options() {
    use std::os::unix::process::CommandExt;
    let missing: Vec<_> = ALLOCATOR_OPTIONS
        .into_iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut again = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        again.arg0(name);
    }
    let _failed = again.args(args).envs(missing).exec();
}

#[cfg(not(unix))]
fn with_allocator_options() {}

fn main() -> ExitCode {
    with_allocator_options();
    let cli = match cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_logging();
    cctns_audit::panic::install_hook();
    let driver = std::thread::Builder::new()
        .name("cctns-audit".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli));
    match driver {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            let at = cctns_audit::panic::any_panic()
                .map(|p| p.0)
                .unwrap_or_else(|| "an unknown place".to_string());
            eprintln!("error: internal error at {at}; the lake keeps its previous snapshot; report this as a bug");
            ExitCode::from(3)
        }),
        Err(e) => {
            eprintln!("error: cannot start the main thread: {e}");
            ExitCode::from(3)
        }
    }
}

/// Stack of the thread driving the runtime and of the runtime's workers.
/// delta-rs lowers a replace predicate `ps_code IN (…)` into one `OR` per
/// station and converts that chain recursively: a month of a national lake
/// (17,000 stations) overflows the default 8 MiB. Untouched stack costs no memory.
const STACK_BYTES: usize = 256 << 20;

/// Runs the command on a multi-threaded runtime and maps the outcome to the exit code.
fn run(cli: cli::Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(STACK_BYTES)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    let ended = runtime.block_on(async {
        tokio::spawn(stop_at_signal());
        cli::run(cli).await
    });
    remove_temporary_files();
    if let Err(e) = &ended {
        for line in e.to_string().lines() {
            eprintln!("error: {line}");
        }
    }
    let code = ExitCode::from(cctns_audit::outcome::exit_code(&ended));
    match cli::stdout_failure() {
        Some(why) => {
            eprintln!("error: standard output: {why}; what the command printed is cut short: print to a terminal, or redirect it to a file on a disk with room");
            ExitCode::from(3)
        }
        None => code,
    }
}

/// Ends the process at SIGTERM (exit 143) or Ctrl-C (SIGINT, exit 130),
/// whatever the command is doing: a client, a standalone run, a scheduler
/// or an executor (whose Ballista loop would otherwise trap the signal and
/// wait for its tasks). Every write to the lake, the score history and a
/// published folder is a commit a crash cannot tear, so stopping at any
/// point leaves them as a crash would: consistent, the interrupted change
/// absent.
async fn stop_at_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (term, interrupt) = (
        signal(SignalKind::terminate()).ok(),
        signal(SignalKind::interrupt()).ok(),
    );
    let (name, code) = tokio::select! {
        _ = next(term) => ("SIGTERM", 143),
        _ = next(interrupt) => ("Ctrl-C", 130),
    };
    eprintln!("error: stopped by {name}; the lake and any published folder are unchanged by the interrupted step: run the command again");
    remove_temporary_files();
    #[allow(
        clippy::exit,
        reason = "the signal ends the process: nothing is left to unwind"
    )]
    std::process::exit(code);
}

/// Removes what this process kept in the system's temporary folder beyond
/// its own life: the standalone Ballista executor's shuffle files.
fn remove_temporary_files() {
    #[cfg(feature = "ballista")]
    cctns_audit::engine::ballista::remove_standalone_files();
}

/// The next delivery of `signal`; never, when it could not be watched.
async fn next(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// The log filter when `RUST_LOG` is not set. delta-rs's kernel logs each
/// failure it returns at error level, with a backtrace; the returned error
/// is the one line `main` prints, so the kernel's own lines are left out.
const DEFAULT_LOG: &str = "warn,cctns_audit=info,buoyant_kernel=off";

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
