//! Per-station counts an audit yields besides its violations: failing
//! records and populations per rule (for the gate's percentages), and the
//! rows of a month read per station (loaded and quarantined).

use super::{station_measure, Findings};
use crate::contract::{Month, TABLES};
use crate::error::Result;
use crate::lake::QUARANTINE;
use crate::rules::RulePack;
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;

/// Per rule and station: failing records and records in the rule's population.
#[derive(Debug, Clone, Default)]
pub struct RuleCounts {
    per_rule: BTreeMap<String, BTreeMap<String, (u64, u64)>>,
    tables: BTreeMap<String, String>,
}

impl RuleCounts {
    /// Counts `findings` of `pack`'s rules (by rule id).
    pub fn of_findings(findings: &Findings, pack: &RulePack) -> RuleCounts {
        let mut counts = RuleCounts::default();
        for rule in &pack.rules {
            counts.tables.insert(rule.id.clone(), rule.table.clone());
            counts.per_rule.insert(rule.id.clone(), BTreeMap::new());
        }
        let mut add = |bit: usize, ps_code: &str, (failing, population): (u64, u64)| {
            let Some(per_station) = findings
                .rules
                .get(bit)
                .and_then(|id| counts.per_rule.get_mut(id))
            else {
                return;
            };
            let entry = per_station.entry(ps_code.to_string()).or_default();
            entry.0 += failing;
            entry.1 += population;
        };
        for passing in &findings.passing {
            for bit in passing.population.bits() {
                add(bit, &passing.ps_code, (0, passing.records));
            }
        }
        for record in &findings.failing {
            for bit in record.population.bits() {
                add(bit, &record.ps_code, (0, 1));
            }
            for &bit in record.failed.keys() {
                add(bit, &record.ps_code, (1, 0));
            }
        }
        counts
    }

    /// Failing records and population of `rule` at station `ps_code` (0, 0 when none).
    pub fn of(&self, rule: &str, ps_code: &str) -> (u64, u64) {
        self.per_rule
            .get(rule)
            .and_then(|s| s.get(ps_code))
            .copied()
            .unwrap_or_default()
    }

    /// The table of `rule`'s population.
    pub fn table_of(&self, rule: &str) -> Option<&str> {
        self.tables.get(rule).map(String::as_str)
    }
}

/// A station's rows of one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rows {
    /// Loaded into the six station tables.
    pub loaded: u64,
    /// Quarantined.
    pub quarantined: u64,
}

impl Rows {
    /// Rows read: loaded and quarantined.
    pub fn read(self) -> u64 {
        self.loaded + self.quarantined
    }
}

/// Per station code, its rows of a month.
pub type StationRows = BTreeMap<String, Rows>;

/// The rows of `month` per station in the lake registered in `ctx`.
pub async fn station_rows(ctx: &SessionContext, month: Month) -> Result<StationRows> {
    let mut rows = StationRows::new();
    for table in TABLES.iter().map(|t| t.name).chain([QUARANTINE]) {
        for (ps, n) in station_measure(ctx, table, "count(*)", month).await? {
            let entry = rows.entry(ps).or_default();
            match table == QUARANTINE {
                true => entry.quarantined += n,
                false => entry.loaded += n,
            }
        }
    }
    Ok(rows)
}
