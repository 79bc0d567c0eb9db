//! Runs the binary: exit codes, one-line errors, files written.

mod ingest;
