//! Library-level end-to-end tests: ingest (and later audit and score) on fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::string_slice
)]

mod adversarial;
mod conformance;
mod ground_truth;
mod ingest;
mod leagues;
mod sample;
mod score;
mod support;
