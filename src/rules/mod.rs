//! Rules are data: YAML rule packs ([`spec`]), loaded and checked
//! ([`pack`]), compiled for a month into fused DataFusion plans ([`compile`]).

pub mod compile;
mod kind;
pub mod pack;
pub mod source;
pub mod spec;

pub use pack::{Kind, Place, Rule, RulePack, Severity};
pub use source::{PackFiles, PackSource};

use crate::contract::Month;
use crate::error::Result;

/// Loads a pack and compiles it against an empty lake: every problem a pack
/// can have without data (YAML, kinds, tables, columns, SQL) is reported.
pub async fn lint(dir: &std::path::Path) -> Result<RulePack> {
    lint_files(&PackFiles::read(dir)?).await
}

/// [`lint`] of a pack's files (a folder's or the built-in pack's).
pub async fn lint_files(files: &PackFiles) -> Result<RulePack> {
    let pack = RulePack::from_files(files)?;
    let ctx = crate::engine::empty_lake_session()?;
    compile::compile(&ctx, &pack, LINT_MONTH).await?;
    Ok(pack)
}

/// The month a pack is compiled for when linted (any month would do).
const LINT_MONTH: Month = Month::of(2024, 7);
