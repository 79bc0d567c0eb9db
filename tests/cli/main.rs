//! Runs the binary: exit codes, one-line errors, files written.

mod audit;
mod ingest;
