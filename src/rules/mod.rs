//! Rules are data: YAML rule packs ([`spec`]), loaded and checked
//! ([`pack`]), compiled for a month into fused DataFusion plans ([`compile`]).

pub mod compile;
mod kind;
pub mod pack;
pub mod spec;

pub use pack::{Kind, Place, Rule, RulePack, Severity};

use crate::contract::Month;
use crate::error::Result;
use std::path::Path;

/// Loads a pack and compiles it against an empty lake: every problem a pack
/// can have without data (YAML, kinds, tables, columns, SQL) is reported.
pub async fn lint(dir: &Path) -> Result<RulePack> {
    let pack = RulePack::load(dir)?;
    let ctx = crate::engine::empty_lake_session()?;
    compile::compile(&ctx, &pack, LINT_MONTH).await?;
    Ok(pack)
}

/// The month a pack is compiled for when linted (any month would do).
const LINT_MONTH: Month = Month::of(2024, 7);
