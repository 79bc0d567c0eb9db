//! Pipeline: the stages wired in order. The CLI and the tests call these;
//! the stages themselves never call each other.

use crate::audit::{audit_months, holds_month, not_audited, station_measure, Findings};
use crate::contract::{Month, Registry};
use crate::error::Result;
use crate::lake::{registry_in, Lake, Manifest};
use crate::report::{write_all, AuditReport};
use crate::rules::RulePack;
use crate::score::{path_to_first, score, trend, Scores, ScoringModel};
use datafusion::prelude::SessionContext;
use rayon::prelude::*;
use std::path::Path;

/// What an audit wrote.
pub struct AuditDone {
    /// The month's scores.
    pub scores: Scores,
    /// How many violations were written.
    pub violations: usize,
}

/// Audits `month` of the lake at `lake_dir` with the pack in `rules_dir`,
/// scores it (and the month before, for the trend, when the lake holds it)
/// and writes every output file into `out`.
pub async fn audit_to_files(
    lake_dir: &Path,
    month: Month,
    out: &Path,
    rules_dir: &Path,
) -> Result<AuditDone> {
    let started = std::time::Instant::now();
    let lake = Lake::open(lake_dir)?;
    let pack = RulePack::load(rules_dir)?;
    let model = ScoringModel::load(rules_dir, &pack)?;
    let manifest = Manifest::load(&lake)?;
    let ctx = crate::engine::lake_session(&lake, &manifest).await?;
    let registry = registry_in(&ctx).await?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "lake opened");
    let months = match holds_month(&ctx, month.prev()).await? {
        true => vec![month.prev(), month],
        false => vec![month],
    };
    let mut scored = audit_and_score(&ctx, &pack, &model, &registry, &months).await?;
    let (findings, scores) = scored.pop().ok_or_else(|| not_audited(month))?;
    let previous = scored.pop().map(|(_, s)| s);
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "months audited and scored"
    );
    let parameter_ids: Vec<String> = model.parameters.iter().map(|p| p.id.clone()).collect();
    let trend = previous
        .as_ref()
        .map(|before| trend(&scores, before, &parameter_ids));
    let violations = findings.violations(&pack);
    let paths = path_to_first(&scores);
    let run = serde_json::json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "lake": lake.root().display().to_string(),
        "lake_snapshot": manifest.snapshot,
        "rule_pack": rules_dir.display().to_string(),
        "rule_pack_sha256": pack.hash,
        "months_read": format!("up to {month}"),
    });
    let report = AuditReport {
        month,
        violations: &violations,
        scores: &scores,
        registry: &registry,
        model: &model,
        paths: &paths,
        trend: trend.as_ref(),
        run,
    };
    write_all(out, &report)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "reports written");
    Ok(AuditDone {
        violations: violations.len(),
        scores,
    })
}

/// Audits `months` together (see [`audit_months`]) and scores each, in parallel.
pub async fn audit_and_score(
    ctx: &SessionContext,
    pack: &RulePack,
    model: &ScoringModel,
    registry: &Registry,
    months: &[Month],
) -> Result<Vec<(Findings, Scores)>> {
    let measures = months
        .iter()
        .map(|&m| station_measure(ctx, &model.volume.table, &model.volume.value, m));
    let (all, counts) = futures::future::join(
        audit_months(ctx, pack, months),
        futures::future::try_join_all(measures),
    )
    .await;
    Ok(all?
        .into_par_iter()
        .zip(counts?)
        .map(|(findings, counts)| {
            let scores = score(&findings, pack, registry, model, &counts);
            (findings, scores)
        })
        .collect())
}
