//! Every rule of the default pack on a minimal fixture: where it fires, and
//! at the boundary where it must not. Plus pack validation and SQL safety.

#[path = "../pipeline/support.rs"]
#[allow(dead_code)]
mod support;

mod catalogue;
mod lint;
