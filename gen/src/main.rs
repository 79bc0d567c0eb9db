//! `cctns-gen` binary: parse the arguments, generate the landing folder,
//! print what was written; an error is printed as `error: …` and ends the
//! program with its exit code (2 bad usage, 3 the generator could not finish).

#![allow(clippy::print_stderr)]

use cctns_audit::error::Error;
use cctns_gen::Args;
use clap::Parser;
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let opts = match args.options() {
        Ok(opts) => opts,
        Err(e) => return failed(&e),
    };
    let started = std::time::Instant::now();
    let done = match cctns_gen::generate(&opts) {
        Ok(done) => done,
        Err(e) => return failed(&e),
    };
    let secs = started.elapsed().as_secs_f64();
    let written = writeln!(
        std::io::stdout().lock(),
        "generated {} files, {} rows, {:.1} MB in {secs:.2} s ({:.0} rows/s); {} expected violations in {}",
        done.files,
        done.rows,
        done.bytes as f64 / 1e6,
        done.rows as f64 / secs.max(1e-9),
        done.defects,
        opts.out.join("ground_truth.json").display()
    );
    match written {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that left (`| head -1`): the folder is written all the same.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: standard output: {e}");
            ExitCode::from(3)
        }
    }
}

/// Prints `error: …` for each line of `e` and returns its exit code.
fn failed(e: &Error) -> ExitCode {
    for line in e.to_string().lines() {
        eprintln!("error: {line}");
    }
    ExitCode::from(e.exit_code())
}
