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
    /// Counts `findings` of `pack`'s rules.
    pub fn of_findings(findings: &Findings, pack: &RulePack) -> RuleCounts {
        let mut counts = RuleCounts::default();
        for (rule, found) in pack.rules.iter().zip(&findings.rules) {
            let mut by_station: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
            for &id in &found.population {
                by_station
                    .entry(findings.records.station_of(id))
                    .or_default()
                    .1 += 1;
            }
            for &id in found.failing.keys() {
                by_station
                    .entry(findings.records.station_of(id))
                    .or_default()
                    .0 += 1;
            }
            let named = by_station
                .into_iter()
                .map(|(station, n)| (findings.records.station_name(station).to_string(), n))
                .collect();
            counts.per_rule.insert(rule.id.clone(), named);
            counts.tables.insert(rule.id.clone(), rule.table.clone());
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
