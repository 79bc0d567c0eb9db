//! One station's months: clean records with realistic gaps (FIR, then
//! crime details and arrests the same month, the final report the month
//! after, the court disposal the month after that), and defects injected at
//! the configured rate, each recorded with the month whose audit must report it.
//!
//! Invariant: clean records break no rule in any month's audit; a defect
//! breaks exactly the rules recorded for it.

use super::rows::{Cell, Forms, Rows};
use super::{Defect, Options, Upload};
use cctns_audit::contract::Month;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// When the IPC gave way to the BNS.
pub(super) fn law_change() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 7, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// A FIR as generated, before it is written.
pub(super) struct Fir {
    pub(super) no: String,
    pub(super) date: NaiveDateTime,
    pub(super) occurrence: Option<NaiveDateTime>,
    pub(super) sexual: bool,
    pub(super) clean: bool,
}

/// Builds every upload of one station and the defects to expect.
pub struct Timeline<'a> {
    pub(super) opts: &'a Options,
    pub(super) ps: &'a str,
    pub(super) rng: StdRng,
    pub(super) forms: Forms,
    pub(super) uploads: BTreeMap<Month, Upload>,
    pub(super) defects: Vec<Defect>,
    pub(super) serial: u32,
    pub(super) orphans: u32,
    pub(super) firs_per_month: BTreeMap<Month, usize>,
    pub(super) clean_firs: Vec<(Month, Vec<String>)>,
    /// Final reports generated: the month they are uploaded in, the month
    /// their FIR's deadline falls in, and the FIR.
    pub(super) reports_due: Vec<(Month, Month, String)>,
}

impl<'a> Timeline<'a> {
    /// A timeline for station `ps`, seeded from the run's seed and the station.
    pub fn new(opts: &'a Options, ps: &'a str, mut rng: StdRng) -> Timeline<'a> {
        let forms = Forms::new(StdRng::seed_from_u64(rng.random()), opts.plain);
        Timeline {
            opts,
            ps,
            rng,
            forms,
            uploads: BTreeMap::new(),
            defects: Vec::new(),
            serial: 0,
            orphans: 0,
            firs_per_month: BTreeMap::new(),
            clean_firs: Vec::new(),
            reports_due: Vec::new(),
        }
    }

    /// Generates every month and returns the uploads and expected defects.
    pub fn build(mut self) -> (BTreeMap<Month, Upload>, Vec<Defect>) {
        let months = self.opts.months();
        let mut skipped_before = false;
        for &m in &months {
            let before = self.firs_before(m);
            if !skipped_before && self.inject() {
                self.skip_month(m, before);
                skipped_before = true;
                continue;
            }
            skipped_before = false;
            // more than 6 FIRs before, so the dropped month still has a FIR (and is an upload)
            let drop = before > 6 && self.inject();
            let n = if drop {
                (before - 1) / 6
            } else {
                self.jittered_count()
            };
            if drop {
                self.defect(m, "station", "PS-VOLUME-DROP", self.ps.to_string());
            }
            let mut fresh = Vec::new();
            for _ in 0..n {
                let fir = self.fir(m);
                if fir.clean {
                    fresh.push(fir.no.clone());
                }
                self.children(m, &fir);
            }
            if !drop {
                self.duplicate_an_old_fir(m);
            }
            self.junk_rows(m);
            self.firs_per_month.insert(m, self.distinct_firs(m));
            self.clean_firs.push((m, fresh));
        }
        self.uploads.retain(|m, _| months.contains(m));
        (self.uploads, self.defects)
    }

    pub(super) fn inject(&mut self) -> bool {
        self.rng.random_bool(self.opts.defect_rate)
    }

    pub(super) fn jittered_count(&mut self) -> usize {
        let k = self.opts.firs_per_station_month as f64;
        (k * self.rng.random_range(0.8..1.2)).round().max(1.0) as usize
    }

    /// Distinct FIRs of the three months before `m` (a month without upload counts 0).
    pub(super) fn firs_before(&self, m: Month) -> usize {
        (1..=3)
            .map(|k| self.firs_per_month.get(&m.offset(-k)).copied().unwrap_or(0))
            .sum()
    }

    pub(super) fn distinct_firs(&self, m: Month) -> usize {
        let rows = self.uploads.get(&m).map(|u| u.fir.iter());
        let mut numbers: Vec<&str> = rows
            .into_iter()
            .flatten()
            .filter(|r| r.get(0) == Some(self.ps))
            .filter_map(|r| r.get(1))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.len()
    }

    /// The station uploads nothing in `m`; what it would have sent after `m` waits a month.
    pub(super) fn skip_month(&mut self, m: Month, before: usize) {
        self.defect(m, "station", "PS-NO-UPLOAD", self.ps.to_string());
        if before > 0 {
            self.defect(m, "station", "PS-VOLUME-DROP", self.ps.to_string());
        }
        if let Some(waiting) = self.uploads.remove(&m) {
            self.upload(m.next()).absorb(&waiting);
        }
        self.reports_wait_a_month(m);
        let (moved, last) = (m.to_string(), self.opts.last_month());
        for d in self.defects.iter_mut().filter(|d| {
            d.month == moved && (d.table == "final_report" || d.table == "court_disposal")
        }) {
            d.month = m.next().to_string();
        }
        self.defects
            .retain(|d| d.month.as_str() <= last.to_string().as_str());
        self.firs_per_month.insert(m, 0);
    }

    /// The final reports of skipped month `m` are uploaded in m+1: a FIR whose
    /// deadline falls in `m` has none on file by then (FRP-OVERDUE in `m`).
    fn reports_wait_a_month(&mut self, m: Month) {
        let mut overdue = Vec::new();
        for (upload, deadline, no) in self.reports_due.iter_mut().filter(|r| r.0 == m) {
            *upload = m.next();
            if *deadline == m {
                overdue.push(no.clone());
            }
        }
        for no in overdue {
            self.defect(m, "fir", "FRP-OVERDUE", no);
        }
    }

    pub(super) fn upload(&mut self, m: Month) -> &mut Upload {
        self.uploads.entry(m).or_default()
    }

    pub(super) fn defect(&mut self, month: Month, table: &str, rule: &str, key: String) {
        if month <= self.opts.last_month() {
            self.defects.push(Defect {
                month: month.to_string(),
                ps_code: self.ps.to_string(),
                table: table.to_string(),
                rule_id: rule.to_string(),
                record_key: key,
            });
        }
    }

    /// Appends a row to table `table` of month `m`, each value in the form [`Forms`] picks.
    pub(super) fn push(&mut self, m: Month, table: &str, cells: &[Cell]) {
        let rows = self.uploads.entry(m).or_default().table_mut(table);
        rows.push(&mut self.forms, cells);
    }

    /// Re-uploads a clean FIR of an earlier month (or this one): FIR-DUPLICATE.
    pub(super) fn duplicate_an_old_fir(&mut self, m: Month) {
        if !self.inject() {
            return;
        }
        let candidates: Vec<(Month, String)> = self
            .clean_firs
            .iter()
            .flat_map(|(month, nos)| nos.iter().map(|n| (*month, n.clone())))
            .collect();
        if candidates.is_empty() {
            return;
        }
        let (month, no) = candidates[self.rng.random_range(0..candidates.len())].clone();
        let original = self.uploads.get(&month).and_then(|u| {
            let row = u.fir.iter().find(|r| r.get(1) == Some(no.as_str()))?;
            let mut copy = Rows::default();
            copy.push_written(row.cells());
            Some(copy)
        });
        if let Some(row) = original {
            self.clean_firs
                .iter_mut()
                .for_each(|(_, nos)| nos.retain(|n| *n != no));
            self.upload(m).fir.append(&row);
            self.defect(m, "fir", "FIR-DUPLICATE", no);
        }
    }

    /// Orphans and rows that cannot be loaded (ING-QUARANTINE), appended to this month's files.
    pub(super) fn junk_rows(&mut self, m: Month) {
        if self.inject() {
            self.orphans += 1;
            let no = format!("{:05}/2099", 90000 + self.orphans);
            let (table, rule) = [
                ("crime_details", "CD-ORPHAN"),
                ("arrest", "ARR-ORPHAN"),
                ("seizure", "SEZ-ORPHAN"),
                ("final_report", "FRP-ORPHAN"),
                ("court_disposal", "CDP-ORPHAN"),
            ][self.rng.random_range(0..5)];
            let (ps, t) = (self.ps, m.first_instant() + Duration::hours(40));
            let (no_cell, at) = (Cell::Text(&no), Cell::Time(t));
            let row: &[Cell] = match table {
                "crime_details" => &[
                    Cell::Text(ps),
                    no_cell,
                    Cell::Text("Theft"),
                    Cell::Empty,
                    Cell::Int(100),
                    Cell::Int(1),
                    at,
                ],
                "arrest" => &[
                    Cell::Text(ps),
                    no_cell,
                    Cell::Text("A1"),
                    Cell::Text("ARRESTED"),
                    at,
                    Cell::Text("Ram"),
                    Cell::Text("Shyam"),
                    Cell::Text("M"),
                    Cell::Int(30),
                    Cell::Text("Addr"),
                    Cell::Text("Y"),
                    at,
                ],
                "seizure" => &[
                    Cell::Text(ps),
                    no_cell,
                    Cell::Text("S1"),
                    at,
                    Cell::Text("CASH"),
                    Cell::Empty,
                    Cell::Int(10),
                    at,
                ],
                "final_report" => &[
                    Cell::Text(ps),
                    no_cell,
                    Cell::Text("R1"),
                    at,
                    Cell::Text("CHARGESHEET"),
                    Cell::Empty,
                    Cell::Text("Y"),
                    at,
                ],
                _ => &[
                    Cell::Text(ps),
                    no_cell,
                    Cell::Text("ST-0"),
                    at,
                    Cell::Text("CONVICTED"),
                    at,
                ],
            };
            self.push(m, table, row);
            let key = match table {
                "crime_details" => no,
                "arrest" => format!("{no}#A1"),
                "seizure" => format!("{no}#S1"),
                "final_report" => format!("{no}#R1"),
                _ => format!("{no}#ST-0"),
            };
            self.defect(m, table, rule, key);
        }
        if self.inject() {
            let upload = self.upload(m);
            upload
                .fir
                .push_written(["", "0000/2024", "31/02/2024 10:00"]);
            let record = upload.fir.len();
            self.defect(m, "fir", "ING-QUARANTINE", format!("row:{record}"));
        }
    }
}

pub(super) fn month_of(t: NaiveDateTime) -> Month {
    Month::new(chrono::Datelike::year(&t), chrono::Datelike::month(&t))
        .unwrap_or(Month::of(2000, 1))
}

pub(super) fn straddles_law_change(a: NaiveDateTime, b: NaiveDateTime) -> bool {
    (a < law_change()) != (b < law_change())
}
