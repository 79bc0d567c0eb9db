//! The one way this program prints on standard output: `out!` and `outln!`,
//! which end quietly when the reader left.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Prints on standard output through [`write_stdout`], as `print!` would.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write_stdout(format_args!($($arg)*))
    };
}

/// Prints a line on standard output through [`write_stdout`], as `println!` would.
macro_rules! outln {
    () => {
        $crate::cli::stdout::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// The reader of standard output left (a closed pipe, as `| head -1` or
/// `| true` leave it): what is still to print is dropped.
static READER_LEFT: AtomicBool = AtomicBool::new(false);

/// Why standard output refused a write, other than a reader that left.
static STDOUT_FAILED: OnceLock<String> = OnceLock::new();

/// Writes to standard output: the one way this program prints there (through
/// `out!` and `outln!`). A reader that left (Rust ignores SIGPIPE, so the
/// write returns `BrokenPipe`) ends the output quietly, and the command ends
/// with the exit code it would have had; any other error ends the output
/// too and is kept for [`stdout_failure`].
pub fn write_stdout(text: std::fmt::Arguments<'_>) {
    if READER_LEFT.load(Ordering::Relaxed) || STDOUT_FAILED.get().is_some() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            READER_LEFT.store(true, Ordering::Relaxed);
        }
        Err(e) => {
            let _ = STDOUT_FAILED.set(e.to_string());
        }
    }
}

/// Why standard output refused a write, if it did (a reader that left is
/// no failure).
pub fn stdout_failure() -> Option<&'static str> {
    STDOUT_FAILED.get().map(String::as_str)
}
