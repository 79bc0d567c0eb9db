//! The audit's unit of work: a shard of stations. Every rule is
//! station-local (rule catalogue v1.4: every record key starts with
//! `ps_code`), so the audit of a month is the union of the audits of
//! disjoint shards, and scoring, ranks and reports run once on all of them.
//!
//! A shard is a range of `ps_code` rather than a list of stations, for two
//! reasons: the lake may hold rows of stations the current registry no
//! longer names (their violations are reported whatever the number of
//! shards), and a range prunes Parquet files, row groups and pages by their
//! `ps_code` statistics where a long `IN` list prunes nothing.

use crate::contract::Registry;
use crate::error::{Error, Result};
use crate::memory::MemoryLimit;
use datafusion::prelude::{col, lit, Expr};
use serde::{Deserialize, Serialize};
use std::num::NonZeroUsize;

/// A group of stations audited as one unit: every `ps_code` in
/// `[from, until)`. A plain value, so that a distributed engine can run one
/// per task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The registry's stations in the range, ascending.
    pub stations: Vec<String>,
    /// The first code held (inclusive); `None`: from the smallest.
    pub from: Option<String>,
    /// The first code past the shard (exclusive); `None`: to the largest.
    pub until: Option<String>,
}

impl Shard {
    /// Every station: no filter at all.
    pub fn whole(registry: &Registry) -> Shard {
        Shard {
            stations: registry.stations().map(|s| s.ps_code.clone()).collect(),
            from: None,
            until: None,
        }
    }

    /// Whether the shard is every station (its audit reads the lake unfiltered).
    pub fn is_whole(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }

    /// `ps_code >= from AND ps_code < until`, and for the first shard also
    /// the rows without a `ps_code`; `None` for the whole lake.
    pub fn predicate(&self) -> Option<Expr> {
        let from = self.from.clone().map(|f| col("ps_code").gt_eq(lit(f)));
        let until = self.until.clone().map(|u| col("ps_code").lt(lit(u)));
        match (from, until) {
            (Some(a), Some(b)) => Some(a.and(b)),
            (Some(a), None) => Some(a),
            (None, Some(b)) => Some(b.or(col("ps_code").is_null())),
            (None, None) => None,
        }
    }

    /// Whether `ps_code` is in the shard (byte order, as Arrow compares).
    pub fn holds(&self, ps_code: &str) -> bool {
        self.from.as_deref().is_none_or(|f| ps_code >= f)
            && self.until.as_deref().is_none_or(|u| ps_code < u)
    }

    /// The two halves, split at the middle station; `None` for one station.
    pub fn halves(&self) -> Option<(Shard, Shard)> {
        if self.stations.len() < 2 {
            return None;
        }
        let (low, high) = self.stations.split_at(self.stations.len() / 2);
        let cut = high.first()?.clone();
        Some((
            Shard {
                stations: low.to_vec(),
                from: self.from.clone(),
                until: Some(cut.clone()),
            },
            Shard {
                stations: high.to_vec(),
                from: Some(cut),
                until: self.until.clone(),
            },
        ))
    }

    /// How logs and errors name it: `UP-AGR-001..UP-AGR-120 (120 stations)`.
    pub fn name(&self) -> String {
        match (self.stations.first(), self.stations.last()) {
            (Some(first), Some(last)) if first == last => format!("station {first}"),
            (Some(first), Some(last)) => {
                format!("{first}..{last} ({} stations)", self.stations.len())
            }
            _ => "no station".to_string(),
        }
    }
}

/// The registry's stations in `k` contiguous shards of near-equal size
/// (sizes differ by at most one), together covering every `ps_code`: the
/// first starts at the smallest code, the last ends at the largest, and each
/// boundary is the first station of the next shard.
pub fn split(registry: &Registry, k: usize) -> Vec<Shard> {
    let stations: Vec<String> = registry.stations().map(|s| s.ps_code.clone()).collect();
    let n = stations.len();
    let k = k.clamp(1, n.max(1));
    if k == 1 {
        return vec![Shard::whole(registry)];
    }
    let mut shards = Vec::with_capacity(k);
    let mut rest = stations.as_slice();
    for i in 0..k {
        let size = n / k + usize::from(i < n % k);
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        shards.push(Shard {
            stations: chunk.to_vec(),
            from: (i > 0).then(|| chunk.first().cloned()).flatten(),
            until: rest.first().cloned(),
        });
    }
    shards
}

/// Bytes of the engine's memory a shard needs per lake row it reads, at its peak.
const BYTES_PER_ROW: u64 = 160;
/// Bytes a shard takes whatever its size (sort reservations, batches in flight).
const SHARD_FLOOR: u64 = 48 << 20;
/// Rows per shard without a limit: about one state, so that a national audit
/// takes the state's time per row.
const FAST_SHARD_ROWS: u64 = 4_000_000;

/// How many shards an audit reading `rows` lake rows of `stations` stations
/// takes: `forced` when given; within `limit`, as many as keep a shard's
/// rows in the engine's share of it; otherwise shards of about a state.
/// A limit too small for one station is an error (exit 2).
pub fn shard_count(
    rows: u64,
    stations: usize,
    limit: Option<MemoryLimit>,
    forced: Option<NonZeroUsize>,
) -> Result<usize> {
    let stations = stations.max(1);
    if let Some(k) = forced {
        return Ok(k.get().min(stations));
    }
    let per_shard = match limit {
        None => FAST_SHARD_ROWS,
        Some(limit) => {
            let room = (limit.engine_share() as u64 / 2).saturating_sub(SHARD_FLOOR);
            let one_station = rows.div_ceil(stations as u64).saturating_mul(2).max(1);
            if room < one_station.saturating_mul(BYTES_PER_ROW) {
                return Err(Error::OverMemoryLimit {
                    context: format!("auditing one station (about {one_station} lake rows)"),
                    limit: limit.to_string(),
                });
            }
            room / BYTES_PER_ROW
        }
    };
    let k = rows.div_ceil(per_shard.max(1));
    Ok(usize::try_from(k).unwrap_or(usize::MAX).clamp(1, stations))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Station;

    fn registry(codes: &[&str]) -> Registry {
        Registry::new(codes.iter().map(|c| Station {
            ps_code: c.to_string(),
            ps_name: None,
            ps_name_hi: None,
            district_code: "D".to_string(),
            district_name: None,
            state_code: None,
        }))
    }

    #[test]
    fn shards_cover_every_station_once_and_every_code_between() {
        let codes = ["A-1", "A-2", "B-1", "B-2", "B-3", "C-1", "C-2"];
        let r = registry(&codes);
        for k in 1..=9 {
            let shards = split(&r, k);
            assert_eq!(shards.len(), k.min(codes.len()));
            let all: Vec<String> = shards.iter().flat_map(|s| s.stations.clone()).collect();
            assert_eq!(all, codes.map(String::from));
            for code in codes.iter().chain(&["0", "A-15", "B", "Z", ""]) {
                let holding = shards.iter().filter(|s| s.holds(code)).count();
                assert_eq!(holding, 1, "{code} with {k} shards");
            }
            for s in &shards {
                assert!(s.stations.iter().all(|c| s.holds(c)));
            }
        }
        assert!(split(&r, 1)[0].is_whole() && split(&r, 1)[0].predicate().is_none());
    }

    #[test]
    fn halves_split_at_the_middle_station() {
        let r = registry(&["A", "B", "C"]);
        let (low, high) = split(&r, 1)[0].halves().unwrap();
        assert_eq!((low.stations.len(), high.stations.len()), (1, 2));
        assert_eq!(low.until.as_deref(), Some("B"));
        assert_eq!(high.from.as_deref(), Some("B"));
        assert!(low.halves().is_none());
        assert_eq!(low.name(), "station A");
        assert_eq!(high.name(), "B..C (2 stations)");
    }

    #[test]
    fn the_shard_count_follows_the_limit_and_refuses_a_limit_too_small() {
        let gb: MemoryLimit = "1GB".parse().unwrap();
        let tiny: MemoryLimit = "64MiB".parse().unwrap();
        assert_eq!(shard_count(1_000, 10, None, None).unwrap(), 1);
        assert_eq!(
            shard_count(1_000, 10, None, NonZeroUsize::new(7)).unwrap(),
            7
        );
        assert_eq!(
            shard_count(1_000, 3, None, NonZeroUsize::new(7)).unwrap(),
            3
        );
        assert_eq!(shard_count(40_000_000, 17_000, None, None).unwrap(), 10);
        let within = shard_count(40_000_000, 17_000, Some(gb), None).unwrap();
        assert!(within > 10, "{within}");
        let e = shard_count(40_000_000, 100, Some(tiny), None).unwrap_err();
        assert!(e.to_string().contains("--memory-limit"), "{e}");
    }
}
