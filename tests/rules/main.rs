//! Every rule of the default pack on a minimal fixture: where it fires, and
//! at the boundary where it must not. Plus pack validation and SQL safety.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    clippy::string_slice
)]

#[path = "../pipeline/support.rs"]
#[allow(dead_code)]
mod support;

mod catalogue;
mod fusion;
mod lint;
