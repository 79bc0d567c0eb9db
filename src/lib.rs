//! `cctns-audit`: data-quality audit and ETL for CCTNS station exports.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! landing/  --scan-->  Landing
//!    --ingest-->  lake (Delta tables + quarantine + registry, _lake.json)
//!    --audit-->   violations  --score-->  scores  --report-->  files
//! ```
//!
//! The [`contract`] module is the data contract as types; [`error`] holds
//! the one error type; the CLI (`src/cli.rs`, binary only) wires the stages.

#![warn(missing_docs)]

pub mod atomic;
pub mod audit;
pub mod check;
pub mod contract;
pub mod engine;
pub mod error;
pub mod history;
pub mod ingest;
pub mod lake;
pub mod landing;
pub mod memory;
pub mod outcome;
pub mod panic;
pub mod pipeline;
pub mod progress;
pub mod publish;
pub mod report;
pub mod rules;
pub mod score;
pub mod yaml;

pub use error::{Error, Result};
