//! Library-level end-to-end tests: ingest (and later audit and score) on fixtures.

mod conformance;
mod ingest;
mod score;
mod support;
