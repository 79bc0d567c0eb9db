//! The audit of months in shards of stations (rule catalogue v1.4: a
//! station-local rule reads one station's rows). Each shard's findings and
//! volume measures come from a session that sees only its stations, one
//! shard after another, and are merged before scoring, so the outputs do
//! not depend on the number of shards. Under `--memory-limit`, a shard the
//! engine cannot hold is split in two and audited again; a single station
//! that does not fit is an error (exit 2).

use crate::audit::{audit_months, shard_count, split, station_measure, Findings, Shard};
use crate::contract::{Month, Registry};
use crate::engine::{is_distributed, shard_session};
use crate::error::{Error, Result};
use crate::lake::rows_up_to;
use crate::memory::MemoryLimit;
use crate::rules::RulePack;
use crate::score::ScoringModel;
use datafusion::prelude::SessionContext;
use std::collections::{BTreeMap, VecDeque};
use std::num::NonZeroUsize;

/// A month's findings and its volume measure (the category's) per station.
pub type Audited = (Findings, BTreeMap<String, u64>);

/// How an audit cuts the registry's stations into shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sharding {
    /// The memory the run may use: the shards are as large as it allows.
    pub limit: Option<MemoryLimit>,
    /// A number of shards asked for (`--shards`), whatever the limit.
    pub forced: Option<NonZeroUsize>,
}

/// The shards an audit of months up to `last` runs: one (the whole lake)
/// while the pack has a rule relating several stations; otherwise as many
/// as [`shard_count`] finds for the lake's rows up to `last`.
pub async fn plan_shards(
    ctx: &SessionContext,
    pack: &RulePack,
    registry: &Registry,
    last: Month,
    sharding: Sharding,
) -> Result<Vec<Shard>> {
    let lake_wide = pack.lake_wide_rules();
    if !lake_wide.is_empty() {
        tracing::info!(
            rules = %lake_wide.join(", "),
            "rules relating several stations: the whole lake is audited at once"
        );
        return Ok(vec![Shard::whole(registry)]);
    }
    let k = match rows_up_to(ctx, last).await {
        Some(rows) => shard_count(rows, registry.len(), sharding.limit, sharding.forced)?,
        None => sharding.forced.map_or(1, NonZeroUsize::get),
    };
    Ok(split(registry, k))
}

/// Audits `months` over `shards` and merges each month's findings and
/// measures as one audit of every station would give them. The shards run
/// one after another (a shard the memory limit cannot hold is halved); on
/// a Ballista engine without a memory limit all at once, each a job of its
/// own that one executor runs (see [`crate::engine::ballista::whole_plan`]).
pub async fn audit_shards(
    ctx: &SessionContext,
    pack: &RulePack,
    model: &ScoringModel,
    months: &[Month],
    shards: Vec<Shard>,
    limit: Option<MemoryLimit>,
) -> Result<Vec<Audited>> {
    if is_distributed(ctx) && limit.is_none() {
        let all = shards
            .iter()
            .map(|shard| audit_shard(ctx, pack, model, months, shard));
        return merge_parts(pack, months, futures::future::try_join_all(all).await?);
    }
    let mut parts: Vec<Vec<Audited>> = Vec::new();
    let mut queue: VecDeque<Shard> = shards.into();
    while let Some(shard) = queue.pop_front() {
        match audit_shard(ctx, pack, model, months, &shard).await {
            Ok(found) => parts.push(found),
            Err(e) if e.is_out_of_memory() && limit.is_some() => {
                let (low, high) = shard.halves().ok_or_else(|| Error::OverMemoryLimit {
                    context: format!("auditing {} alone", shard.name()),
                    limit: limit.map(|l| l.to_string()).unwrap_or_default(),
                })?;
                tracing::debug!(shard = %shard.name(), "over the memory limit: audited in two halves");
                queue.push_front(high);
                queue.push_front(low);
            }
            Err(e) => return Err(e),
        }
    }
    merge_parts(pack, months, parts)
}

/// One shard's findings and measures of each month.
async fn audit_shard(
    ctx: &SessionContext,
    pack: &RulePack,
    model: &ScoringModel,
    months: &[Month],
    shard: &Shard,
) -> Result<Vec<Audited>> {
    let started = std::time::Instant::now();
    let ctx = shard_session(ctx, shard.predicate()).await?;
    let measures = months
        .iter()
        .map(|&m| station_measure(&ctx, &model.volume.table, &model.volume.value, m));
    let (found, counts) = futures::future::join(
        audit_months(&ctx, pack, months),
        futures::future::try_join_all(measures),
    )
    .await;
    let audited = found?.into_iter().zip(counts?).collect();
    tracing::debug!(shard = %shard.name(), ms = started.elapsed().as_millis() as u64, "shard audited");
    Ok(audited)
}

/// Each month's findings and measures over every part.
fn merge_parts(
    pack: &RulePack,
    months: &[Month],
    parts: Vec<Vec<Audited>>,
) -> Result<Vec<Audited>> {
    let rules: Vec<String> = pack.rules.iter().map(|r| r.id.clone()).collect();
    let mut by_month: Vec<(Vec<Findings>, BTreeMap<String, u64>)> = months
        .iter()
        .map(|_| (Vec::with_capacity(parts.len()), BTreeMap::new()))
        .collect();
    for part in parts {
        for ((findings, counts), (all, measures)) in part.into_iter().zip(by_month.iter_mut()) {
            all.push(findings);
            measures.extend(counts);
        }
    }
    months
        .iter()
        .zip(by_month)
        .map(|(&month, (all, measures))| {
            Ok((Findings::merge(month, rules.clone(), all)?, measures))
        })
        .collect()
}
