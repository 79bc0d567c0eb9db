//! What an audit found, as it leaves the engine (see [`super::plan`]):
//! the failing records with their messages, and per station the passing
//! records counted per set of rules whose population they are in.

use super::plan::{column, fail_word, pop_word, words_for, BITS};
use crate::contract::Month;
use crate::error::{Error, Result};
use crate::rules::{RulePack, Severity};
use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::Int64Type;
use std::collections::BTreeMap;

/// A set of rules, one bit per rule (bit `i`: the i-th of [`Findings::rules`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleSet(Vec<u64>);

impl RuleSet {
    /// The empty set, sized for `rules` rules.
    pub fn empty(rules: usize) -> RuleSet {
        RuleSet(vec![0; words_for(rules)])
    }

    /// Adds rule `bit`.
    pub fn insert(&mut self, bit: usize) {
        if let Some(word) = self.0.get_mut(bit / BITS) {
            *word |= 1 << (bit % BITS);
        }
    }

    /// Whether rule `bit` is in the set.
    pub fn contains(&self, bit: usize) -> bool {
        self.0
            .get(bit / BITS)
            .is_some_and(|w| w & (1 << (bit % BITS)) != 0)
    }

    /// Whether the two sets share a rule.
    pub fn meets(&self, other: &RuleSet) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }

    /// Whether the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The rules in the set, ascending.
    pub fn bits(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            (0..BITS)
                .filter(move |b| word & (1 << b) != 0)
                .map(move |b| w * BITS + b)
        })
    }

    /// The union of the two sets.
    pub fn union(&self, other: &RuleSet) -> RuleSet {
        RuleSet(self.0.iter().zip(&other.0).map(|(a, b)| a | b).collect())
    }
}

/// A record failing at least one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingRecord {
    /// Its station.
    pub ps_code: String,
    /// Its table (`station` for station rules).
    pub table: String,
    /// Its record key.
    pub record_key: String,
    /// The rules whose population it is in.
    pub population: RuleSet,
    /// The rules it fails, each with its message (by bit).
    pub failed: BTreeMap<usize, String>,
}

impl FailingRecord {
    /// The rules it fails, as a set.
    pub fn failed_set(&self, rules: usize) -> RuleSet {
        let mut set = RuleSet::empty(rules);
        for &bit in self.failed.keys() {
            set.insert(bit);
        }
        set
    }
}

/// Passing records of one station that are in the population of the same rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassingRecords {
    /// The station.
    pub ps_code: String,
    /// The rules whose population they are in.
    pub population: RuleSet,
    /// How many records.
    pub records: u64,
}

/// What an audit of one month found.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The audited month.
    pub month: Month,
    /// The rule ids, in the order of a [`RuleSet`]'s bits.
    pub rules: Vec<String>,
    /// Failing records, by station, table and record key.
    pub failing: Vec<FailingRecord>,
    /// Passing records counted, by station and rule set.
    pub passing: Vec<PassingRecords>,
}

/// One violation: a failing record of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The station.
    pub ps_code: String,
    /// The record's table (`station` for station rules).
    pub table: String,
    /// The rule id.
    pub rule_id: String,
    /// The record key.
    pub record_key: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What failed, naming the value.
    pub message: String,
}

impl Findings {
    /// No findings yet for `month` over the rules `rules`.
    pub fn new(month: Month, rules: Vec<String>) -> Findings {
        Findings {
            month,
            rules,
            failing: Vec::new(),
            passing: Vec::new(),
        }
    }

    /// The bit of rule `id` in a [`RuleSet`] of these findings.
    pub fn bit_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r == id)
    }

    /// The set of the rules named `ids` (unknown ids are left out).
    pub fn set_of<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> RuleSet {
        let mut set = RuleSet::empty(self.rules.len());
        for bit in ids.into_iter().filter_map(|id| self.bit_of(id)) {
            set.insert(bit);
        }
        set
    }

    /// The findings of disjoint groups of stations (shards) of one month,
    /// as one audit of all of them would give: every record of every part,
    /// in the same order. A record found by two parts is an error (the
    /// parts overlapped, a bug).
    pub fn merge(month: Month, rules: Vec<String>, parts: Vec<Findings>) -> Result<Findings> {
        let mut all = Findings::new(month, rules);
        for part in parts {
            all.failing.extend(part.failing);
            all.passing.extend(part.passing);
        }
        all.sort();
        let failing_twice = all
            .failing
            .iter()
            .zip(all.failing.iter().skip(1))
            .find(|(a, b)| {
                (&a.ps_code, &a.table, &a.record_key) == (&b.ps_code, &b.table, &b.record_key)
            });
        let passing_twice = all
            .passing
            .iter()
            .zip(all.passing.iter().skip(1))
            .find(|(a, b)| (&a.ps_code, &a.population) == (&b.ps_code, &b.population));
        let twice = failing_twice
            .map(|(a, _)| &a.ps_code)
            .or(passing_twice.map(|(a, _)| &a.ps_code));
        match twice {
            Some(ps_code) => Err(Error::usage(
                format!("audit of {month}"),
                format!("station {ps_code} was audited in two shards"),
                "report this as a bug",
            )),
            None => Ok(all),
        }
    }

    fn sort(&mut self) {
        self.failing.sort_by(|a, b| {
            (&a.ps_code, &a.table, &a.record_key).cmp(&(&b.ps_code, &b.table, &b.record_key))
        });
        self.passing
            .sort_by(|a, b| (&a.ps_code, &a.population).cmp(&(&b.ps_code, &b.population)));
    }

    /// Every violation, ordered by station, table, rule and record key.
    pub fn violations(&self, pack: &RulePack) -> Vec<Violation> {
        let mut all: Vec<Violation> = Vec::new();
        for record in &self.failing {
            for (&bit, message) in &record.failed {
                let Some(rule) = self.rules.get(bit).and_then(|id| pack.rule(id)) else {
                    continue;
                };
                all.push(Violation {
                    ps_code: record.ps_code.clone(),
                    table: record.table.clone(),
                    rule_id: rule.id.clone(),
                    record_key: record.record_key.clone(),
                    severity: rule.severity,
                    message: message.clone(),
                });
            }
        }
        all.sort();
        all
    }
}

/// Builds [`Findings`] record by record in Rust, as a reference for the
/// engine's findings table (tests, small hand-made inputs).
#[derive(Debug)]
pub struct FindingsBuilder {
    month: Month,
    rules: Vec<String>,
    records: BTreeMap<RecordId, (RuleSet, BTreeMap<usize, String>)>,
}

/// A record as text: (ps_code, table, record_key).
type RecordId = (String, String, String);

impl FindingsBuilder {
    /// No records yet, for `month` over the rules `rules` (bit i: `rules[i]`).
    pub fn new(month: Month, rules: Vec<String>) -> FindingsBuilder {
        FindingsBuilder {
            month,
            rules,
            records: BTreeMap::new(),
        }
    }

    /// Adds one row of record `(ps_code, table, record_key)`: in the
    /// population of the rules `population` and failing `failed` (rule bit,
    /// message). A record added again gains the rules; a rule's smallest
    /// message stays.
    pub fn add(
        &mut self,
        (ps_code, table, record_key): (&str, &str, &str),
        population: &[usize],
        failed: &[(usize, &str)],
    ) {
        let rules = self.rules.len();
        let key = (
            ps_code.to_string(),
            table.to_string(),
            record_key.to_string(),
        );
        let (set, messages) = self
            .records
            .entry(key)
            .or_insert_with(|| (RuleSet::empty(rules), BTreeMap::new()));
        for &bit in population {
            set.insert(bit);
        }
        for &(bit, message) in failed {
            messages
                .entry(bit)
                .and_modify(|m| {
                    if message < m.as_str() {
                        *m = message.to_string();
                    }
                })
                .or_insert_with(|| message.to_string());
        }
    }

    /// The findings: records failing nothing counted per station and rule set.
    pub fn build(self) -> Findings {
        let mut findings = Findings::new(self.month, self.rules);
        let mut counts: BTreeMap<(String, RuleSet), u64> = BTreeMap::new();
        for ((ps_code, table, record_key), (population, failed)) in self.records {
            if !failed.is_empty() {
                findings.failing.push(FailingRecord {
                    ps_code,
                    table,
                    record_key,
                    population,
                    failed,
                });
            } else if !population.is_empty() {
                *counts.entry((ps_code, population)).or_default() += 1;
            }
        }
        findings.passing = counts
            .into_iter()
            .map(|((ps_code, population), records)| PassingRecords {
                ps_code,
                population,
                records,
            })
            .collect();
        findings.sort();
        findings
    }
}

/// The findings of each of `months` from the findings table's batches.
pub fn from_batches(
    months: &[Month],
    rules: Vec<String>,
    batches: &[RecordBatch],
) -> Result<Vec<Findings>> {
    let mut all: Vec<Findings> = months
        .iter()
        .map(|&m| Findings::new(m, rules.clone()))
        .collect();
    let labels: Vec<String> = months.iter().map(Month::to_string).collect();
    for batch in batches {
        read_batch(batch, &labels, &mut all)?;
    }
    for f in &mut all {
        f.sort();
    }
    Ok(all)
}

fn read_batch(batch: &RecordBatch, months: &[String], all: &mut [Findings]) -> Result<()> {
    use column::*;
    let rules = all.first().map_or(0, |f| f.rules.len());
    let words = words_for(rules);
    let text = |name: &str| -> Result<&StringArray> {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| shape_error(name))
    };
    let int = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_primitive_opt::<Int64Type>())
            .ok_or_else(|| shape_error(name))
    };
    let (month, ps, table, key, messages) = (
        text(MONTH)?,
        text(PS_CODE)?,
        text(TABLE)?,
        text(RECORD_KEY)?,
        text(MESSAGES)?,
    );
    let records = int(RECORDS)?;
    let pops = (0..words)
        .map(|w| int(&pop_word(w)))
        .collect::<Result<Vec<_>>>()?;
    let fails = (0..words)
        .map(|w| int(&fail_word(w)))
        .collect::<Result<Vec<_>>>()?;
    let set = |words: &[&datafusion::arrow::array::Int64Array], row: usize| {
        RuleSet(
            words
                .iter()
                .map(|w| {
                    if w.is_null(row) {
                        0
                    } else {
                        w.value(row) as u64
                    }
                })
                .collect(),
        )
    };
    for row in 0..batch.num_rows() {
        let Some(found) = months
            .iter()
            .position(|m| m == month.value(row))
            .and_then(|m| all.get_mut(m))
        else {
            continue;
        };
        let population = set(&pops, row);
        if table.is_null(row) {
            found.passing.push(PassingRecords {
                ps_code: ps.value(row).to_string(),
                population,
                records: records.value(row).max(0) as u64,
            });
            continue;
        }
        let failed_bits = set(&fails, row);
        let text = if messages.is_null(row) {
            ""
        } else {
            messages.value(row)
        };
        let mut failed = parse_messages(text);
        failed.retain(|bit, _| failed_bits.contains(*bit));
        for bit in failed_bits.bits() {
            failed.entry(bit).or_default();
        }
        found.failing.push(FailingRecord {
            ps_code: ps.value(row).to_string(),
            table: table.value(row).to_string(),
            record_key: key.value(row).to_string(),
            population,
            failed,
        });
    }
    Ok(())
}

/// The messages of a record, `bit:bytes:text` one after another; where a
/// rule failed on several rows of the record, the smallest message is kept
/// (the rows' order is the engine's, so "first" would not be repeatable).
fn parse_messages(mut text: &str) -> BTreeMap<usize, String> {
    let mut messages: BTreeMap<usize, String> = BTreeMap::new();
    while let Some((bit, rest)) = text.split_once(':') {
        let Some((bytes, rest)) = rest.split_once(':') else {
            break;
        };
        let (Ok(bit), Ok(bytes)) = (bit.parse::<usize>(), bytes.parse::<usize>()) else {
            break;
        };
        let Some(message) = rest.get(..bytes) else {
            break;
        };
        messages
            .entry(bit)
            .and_modify(|m| {
                if message < m.as_str() {
                    *m = message.to_string();
                }
            })
            .or_insert_with(|| message.to_string());
        text = rest.get(bytes..).unwrap_or("");
    }
    messages
}

fn shape_error(column: &str) -> Error {
    super::shape_error("the findings table", column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_any_text_are_read_back_by_their_length() {
        let text = "3:5:a:b:c12:0:0:2:é\u{1}";
        let m = parse_messages(text);
        assert_eq!(m.get(&3).map(String::as_str), Some("a:b:c"));
        assert_eq!(m.get(&12).map(String::as_str), Some(""));
        assert_eq!(m.get(&0).map(String::as_str), Some("é"));
        assert_eq!(m.len(), 3, "{m:?}");
    }

    #[test]
    fn the_smallest_message_of_a_rule_failing_twice_is_kept() {
        let m = parse_messages("1:1:b1:1:a");
        assert_eq!(m.get(&1).map(String::as_str), Some("a"));
    }

    #[test]
    fn rule_sets_span_several_words() {
        let mut a = RuleSet::empty(130);
        a.insert(3);
        a.insert(129);
        assert_eq!(a.bits().collect::<Vec<_>>(), vec![3, 129]);
        let mut b = RuleSet::empty(130);
        b.insert(129);
        assert!(a.meets(&b));
        assert!(a.contains(129) && !a.contains(64));
        assert_eq!(a.union(&b), a);
    }

    #[test]
    fn settled_findings_count_passing_records_per_station_and_rule_set() {
        let mut b = FindingsBuilder::new(Month::of(2024, 8), vec!["A".into(), "B".into()]);
        b.add(("S1", "fir", "1"), &[0, 1], &[]);
        b.add(("S1", "fir", "2"), &[0, 1], &[]);
        b.add(("S1", "fir", "3"), &[0, 1], &[(1, "bad")]);
        b.add(("S1", "fir", "3"), &[0], &[(1, "worse")]);
        let f = b.build();
        assert_eq!(f.failing.len(), 1);
        assert_eq!(f.failing[0].failed.get(&1).map(String::as_str), Some("bad"));
        assert_eq!(f.passing.len(), 1);
        assert_eq!(f.passing[0].records, 2);
    }
}
