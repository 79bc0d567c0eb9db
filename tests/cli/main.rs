//! Runs the binary: exit codes, one-line errors, files written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod audit;
mod browser;
mod crash;
mod engine;
mod gate;
mod ingest;
mod outputs;
mod publish;
mod publish_crash;
mod rules;
mod run;
mod shards;
mod snapshots;
mod stdout;
mod support;
