//! Publish wired: the months to publish, each with the folder its audit
//! wrote; a month without one (a `publish` command on its own, or every
//! month of a folder being rekeyed) is audited first into a temporary
//! folder outside the publish folder. Publish itself never audits.

use super::{audit, AuditJob, History, LoadedPack};
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::lake::{Lake, Manifest};
use crate::publish::folder::refuse_overlap;
use crate::publish::{
    preflight, publish, AuditedMonth, PseudonymKey, PublishDone, PublishJob, PublishLog,
};
use crate::report::Lang;
use std::path::{Path, PathBuf};

/// What to publish, where, and from which audits.
pub struct PublishRequest<'a> {
    /// The lake; its current snapshot is published.
    pub lake: &'a Lake,
    /// The months, each with the folder of its audit of the current
    /// snapshot, or `None` to audit it now.
    pub months: Vec<(Month, Option<PathBuf>)>,
    /// The publish folder.
    pub to: &'a Path,
    /// The landing folder the lake is fed from, which the publish folder
    /// must not overlap.
    pub landing: Option<&'a Path>,
    /// The rule pack.
    pub pack: &'a LoadedPack,
    /// The pseudonym key.
    pub key: &'a PseudonymKey,
    /// Republish every month of the folder under `key`.
    pub rekey: bool,
}

/// Audits what needs an audit, then publishes every month in one step.
pub async fn publish_months(req: &PublishRequest<'_>) -> Result<PublishDone> {
    if let Some(landing) = req.landing {
        refuse_overlap(
            req.to,
            landing,
            "the landing folder",
            "set `publish:` to a folder outside the landing folder (the next ingest would read it)",
        )?;
    }
    let mut months = req.months.clone();
    if req.rekey {
        for month in PublishLog::read(req.to)?.published_months() {
            if !months.iter().any(|(m, _)| *m == month) {
                months.push((month, None));
            }
        }
    }
    let wanted: Vec<Month> = months.iter().map(|(m, _)| *m).collect();
    let (manifest, _) = preflight(req.lake, req.to, req.key, req.rekey, &wanted).await?;
    let scratch = tempfile::Builder::new()
        .prefix("cctns-publish-audit")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut audited = Vec::with_capacity(months.len());
    for (month, folder) in months {
        let audit = match folder {
            Some(folder) => folder,
            None => audit_for_publish(req, &manifest, month, scratch.path()).await?,
        };
        audited.push(AuditedMonth { month, audit });
    }
    publish(&PublishJob {
        lake: req.lake,
        months: audited,
        to: req.to,
        rules: &req.pack.rules,
        key: req.key,
        rekey: req.rekey,
    })
    .await
}

/// Audits `month` of the snapshot into `scratch/<month>`; returns that folder.
async fn audit_for_publish(
    req: &PublishRequest<'_>,
    manifest: &Manifest,
    month: Month,
    scratch: &Path,
) -> Result<PathBuf> {
    let out = scratch.join(month.to_string());
    audit(&AuditJob {
        lake: req.lake,
        snapshot: manifest,
        month,
        out: Some(&out),
        pack: req.pack,
        history: History::Kept,
        lang: Lang::Both,
        memory_limit: None,
        engine: crate::engine::Engine::Local,
        shards: None,
    })
    .await?;
    Ok(out)
}
