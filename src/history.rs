//! Score history: each audited month's [`ScoreSummary`], kept in the lake
//! folder as `_history/scores-YYYY-MM.json`, so that the audit of the next
//! month takes its trend from it instead of auditing that month again (about
//! a third of an audit's time).
//!
//! An entry is used only when its [`HistoryKey`] matches: the digest of the
//! lake's rows up to its month ([`digest_up_to`]: a re-upload of that month or
//! an earlier one changes it, a new later month does not), the registry, the
//! rule pack's hash (rules and scoring model) and this program's version.
//! Otherwise the month is audited again and its entry replaced. Keeping the
//! history is best effort: when the lake folder cannot be written to, the
//! audit only loses the speed-up (and says so in the log).
//!
//! [`digest_up_to`]: crate::lake::digest_up_to

// Not an input path: the history indexes the scores it wrote.
#![allow(clippy::indexing_slicing, clippy::string_slice)]

use crate::contract::{Month, Registry};
use crate::error::{Error, Result};
use crate::lake::Lake;
use crate::rules::RulePack;
use crate::score::ScoreSummary;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Format of the history files; raised when their meaning changes.
const FORMAT: u32 = 1;

/// The history folder of a lake.
#[derive(Debug, Clone)]
pub struct ScoreHistory {
    dir: PathBuf,
}

/// What a month's scores were computed from (SHA-256, hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryKey(String);

impl HistoryKey {
    /// The key of scores computed from the lake rows digested in
    /// `lake_digest`, `registry` and `pack`, by this version of the program.
    pub fn new(lake_digest: &str, registry: &Registry, pack: &RulePack) -> HistoryKey {
        let mut hasher = Sha256::new();
        hasher.update(format!(
            "cctns-audit {} history {FORMAT}\nlake {lake_digest}\npack {}\n",
            env!("CARGO_PKG_VERSION"),
            pack.hash
        ));
        for station in registry.stations() {
            hasher.update(serde_json::to_vec(station).unwrap_or_default());
            hasher.update(b"\n");
        }
        HistoryKey(format!("{:x}", hasher.finalize()))
    }
}

/// One history file.
#[derive(serde::Serialize)]
struct Entry<'a> {
    key: &'a str,
    rule_pack_sha256: &'a str,
    scores: &'a ScoreSummary,
}

/// One history file as read: the scores stay unparsed until the key matches.
#[derive(serde::Deserialize)]
struct StoredEntry<'a> {
    key: &'a str,
    #[serde(borrow)]
    scores: &'a RawValue,
}

impl ScoreHistory {
    /// The history kept in `lake`'s folder.
    pub fn of(lake: &Lake) -> ScoreHistory {
        ScoreHistory {
            dir: lake.root().join("_history"),
        }
    }

    fn path(&self, month: Month) -> PathBuf {
        self.dir.join(format!("scores-{month}.json"))
    }

    /// The scores of `month` stored under `key`, if any (a missing,
    /// unreadable or stale entry is none).
    pub fn load(&self, month: Month, key: &HistoryKey) -> Option<ScoreSummary> {
        let text = std::fs::read_to_string(self.path(month)).ok()?;
        let entry: StoredEntry = serde_json::from_str(&text).ok()?;
        if entry.key != key.0 {
            return None;
        }
        let scores: ScoreSummary = serde_json::from_str(entry.scores.get()).ok()?;
        (scores.month == month).then_some(scores)
    }

    /// Stores `scores` under `key`, replacing the month's entry atomically
    /// (written beside it under a name of its own, then renamed), so that
    /// audits running at once never leave a torn entry.
    pub fn save(&self, key: &HistoryKey, scores: &ScoreSummary, pack: &RulePack) -> Result<()> {
        let entry = Entry {
            key: &key.0,
            rule_pack_sha256: &pack.hash,
            scores,
        };
        let text = serde_json::to_string(&entry).map_err(|e| {
            Error::usage(
                &self.dir,
                format!("cannot write the history ({e})"),
                "report this as a bug",
            )
        })?;
        crate::atomic::write_file(&self.path(scores.month), text.as_bytes())
    }
}
