//! One station's months: clean records with realistic gaps (FIR, then
//! crime details and arrests the same month, the final report the month
//! after, the court disposal the month after that), and defects injected at
//! the configured rate, each recorded with the month whose audit must report it.
//!
//! Invariant: clean records break no rule in any month's audit; a defect
//! breaks exactly the rules recorded for it.

use super::forms::{datetime, flag, rupees};
use super::{Defect, Options, Upload};
use crate::contract::Month;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::Rng;
use std::collections::BTreeMap;

const PLACES: [&str; 8] = [
    "सेक्टर 18 मार्केट",
    "Bus Stand",
    "मुख्य बाजार",
    "Railway Crossing",
    "Village Bhangel",
    "गोल्फ कोर्स रोड",
    "Civil Lines Chauraha",
    "पुराना किला",
];
const NAMES: [&str; 8] = [
    "राहुल शर्मा",
    "Sunita Devi",
    "मोहम्मद आरिफ",
    "Priya Singh",
    "विजय गुप्ता",
    "Anil Yadav",
    "सीमा देवी",
    "Imran Khan",
];
const IPC: [&str; 4] = [
    "IPC 379; IPC 411",
    "IPC 323; IPC 504; IPC 506",
    "IPC 420",
    "IPC 457; IPC 380",
];
const BNS: [&str; 4] = [
    "BNS 303(2); BNS 317(2)",
    "BNS 115(2); BNS 352",
    "BNS 318(4)",
    "BNS 305; BNS 331(4)",
];
const SEXUAL_IPC: &str = "IPC 376(2); IPC 506";
const SEXUAL_BNS: &str = "BNS 64(1); BNS 351(2)";
const CATEGORIES: [&str; 9] = [
    "VEHICLE",
    "CASH",
    "JEWELLERY",
    "MOBILE",
    "NARCOTICS",
    "ARMS",
    "LIQUOR",
    "DOCUMENTS",
    "OTHER",
];
const CLOSURES: [&str; 4] = [
    "FR_UNTRACED",
    "FR_FALSE",
    "FR_MISTAKE_OF_FACT",
    "FR_CIVIL_NATURE",
];
const RESULTS: [&str; 4] = ["CONVICTED", "ACQUITTED", "COMPOUNDED", "DISCHARGED"];

/// When the IPC gave way to the BNS.
fn law_change() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 7, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// A FIR as generated, before it is written.
struct Fir {
    no: String,
    date: NaiveDateTime,
    occurrence: Option<NaiveDateTime>,
    sexual: bool,
    clean: bool,
}

/// Builds every upload of one station and the defects to expect.
pub struct Timeline<'a> {
    opts: &'a Options,
    ps: &'a str,
    rng: StdRng,
    uploads: BTreeMap<Month, Upload>,
    defects: Vec<Defect>,
    serial: u32,
    orphans: u32,
    firs_per_month: BTreeMap<Month, usize>,
    clean_firs: Vec<(Month, Vec<String>)>,
}

impl<'a> Timeline<'a> {
    /// A timeline for station `ps`, seeded from the run's seed and the station.
    pub fn new(opts: &'a Options, ps: &'a str, rng: StdRng) -> Timeline<'a> {
        Timeline {
            opts,
            ps,
            rng,
            uploads: BTreeMap::new(),
            defects: Vec::new(),
            serial: 0,
            orphans: 0,
            firs_per_month: BTreeMap::new(),
            clean_firs: Vec::new(),
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

    fn inject(&mut self) -> bool {
        self.rng.random_bool(self.opts.defect_rate)
    }

    fn jittered_count(&mut self) -> usize {
        let k = self.opts.firs_per_station_month as f64;
        (k * self.rng.random_range(0.8..1.2)).round().max(1.0) as usize
    }

    /// Distinct FIRs of the three months before `m` (a month without upload counts 0).
    fn firs_before(&self, m: Month) -> usize {
        (1..=3)
            .map(|k| self.firs_per_month.get(&m.offset(-k)).copied().unwrap_or(0))
            .sum()
    }

    fn distinct_firs(&self, m: Month) -> usize {
        let rows = self.uploads.get(&m).map(|u| &u.fir).into_iter().flatten();
        let mut numbers: Vec<&str> = rows
            .filter(|r| r.len() > 1 && r[0] == self.ps)
            .map(|r| r[1].as_str())
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.len()
    }

    /// The station uploads nothing in `m`; what it would have sent after `m` waits a month.
    fn skip_month(&mut self, m: Month, before: usize) {
        self.defect(m, "station", "PS-NO-UPLOAD", self.ps.to_string());
        if before > 0 {
            self.defect(m, "station", "PS-VOLUME-DROP", self.ps.to_string());
        }
        if let Some(waiting) = self.uploads.remove(&m) {
            self.upload(m.next()).absorb(waiting);
        }
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

    fn upload(&mut self, m: Month) -> &mut Upload {
        self.uploads.entry(m).or_default()
    }

    fn defect(&mut self, month: Month, table: &str, rule: &str, key: String) {
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

    fn when(&mut self, t: NaiveDateTime) -> String {
        if self.opts.plain {
            t.format("%Y-%m-%d %H:%M:%S").to_string()
        } else {
            datetime(&mut self.rng, t)
        }
    }

    fn money(&mut self, value: u64) -> String {
        if self.opts.plain {
            value.to_string()
        } else {
            rupees(&mut self.rng, value)
        }
    }

    fn yes(&mut self, value: bool) -> String {
        if self.opts.plain {
            (if value { "Y" } else { "N" }).to_string()
        } else {
            flag(&mut self.rng, value)
        }
    }

    /// A FIR of month `m`, possibly with one defect of a FIR rule.
    fn fir(&mut self, m: Month) -> Fir {
        let start = m.first_instant();
        let days = (m.as_of() - start).num_days();
        let mut date = start
            + Duration::days(self.rng.random_range(0..days))
            + Duration::minutes(self.rng.random_range(6 * 60..22 * 60));
        let mut occurrence = Some(date - Duration::minutes(self.rng.random_range(60..2 * 24 * 60)));
        let sexual = self.rng.random_bool(0.1);
        let mut entered = Some(date + Duration::minutes(self.rng.random_range(10..20 * 60)));
        let defect = if self.inject() {
            Some(self.rng.random_range(0..12))
        } else {
            None
        };
        let (mut io, mut gd, mut place, mut lat) = (
            Some(format!("{}-IO-{}", self.ps, self.rng.random_range(1..20))),
            Some(format!("{:03}", self.rng.random_range(1..300))),
            Some(PLACES[self.rng.random_range(0..PLACES.len())]),
            Some(format!("{:.4}", self.rng.random_range(24.0..30.0))),
        );
        let mut acts_wrong_law = false;
        let mut rules: Vec<&str> = Vec::new();
        match defect {
            Some(0) => {
                io = None;
                rules.push("FIR-IO-MISSING")
            }
            Some(1) => rules.push("FIR-SECTIONS-MISSING"),
            Some(2) => {
                occurrence = None;
                rules.push("FIR-OCC-MISSING")
            }
            Some(3) => {
                place = None;
                rules.push("FIR-PLACE-MISSING")
            }
            Some(4) => {
                gd = None;
                rules.push("FIR-GD-MISSING")
            }
            Some(5) => rules.push("FIR-NO-FORMAT"),
            Some(6) if !straddles_law_change(date, date + Duration::hours(1)) => {
                occurrence = Some(date + Duration::hours(1));
                rules.push("FIR-OCC-AFTER-REG")
            }
            Some(7) => {
                date = m.as_of() + Duration::minutes(self.rng.random_range(60..3 * 24 * 60));
                occurrence = Some(date - Duration::hours(2));
                entered = Some(date + Duration::hours(1));
                rules.push("FIR-FUTURE")
            }
            Some(8) => {
                acts_wrong_law = true;
                rules.push("FIR-LAW-REGIME")
            }
            Some(9) => {
                lat = Some("40.2500".into());
                rules.push("FIR-GEO")
            }
            Some(10) => {
                entered = Some(date + Duration::minutes(24 * 60 + self.rng.random_range(1..600)));
                rules.push("FIR-LATE-ENTRY")
            }
            Some(_) => {
                entered = None;
                rules.push("FIR-LATE-ENTRY")
            }
            None => {}
        }
        let sexual = sexual && !acts_wrong_law && !rules.contains(&"FIR-SECTIONS-MISSING");
        let acts = self.acts(occurrence.unwrap_or(date), sexual, acts_wrong_law);
        self.serial += 1;
        let no = if rules.contains(&"FIR-NO-FORMAT") {
            format!(
                "{:04}/{:02}",
                self.serial,
                chrono::Datelike::year(&date) % 100
            )
        } else {
            format!("{:04}/{}", self.serial, chrono::Datelike::year(&date))
        };
        for rule in &rules {
            self.defect(m, "fir", rule, no.clone());
        }
        let complainant = NAMES[self.rng.random_range(0..NAMES.len())];
        let row = vec![
            self.ps.to_string(),
            no.clone(),
            self.when(date),
            occurrence.map(|t| self.when(t)).unwrap_or_default(),
            String::new(),
            gd.unwrap_or_default(),
            if rules.contains(&"FIR-SECTIONS-MISSING") {
                String::new()
            } else {
                acts
            },
            place.unwrap_or_default().to_string(),
            lat.unwrap_or_default(),
            format!("{:.4}", self.rng.random_range(75.0..84.0)),
            complainant.to_string(),
            format!("9{:09}", self.rng.random_range(0..1_000_000_000u64)),
            io.unwrap_or_default(),
            "SI Ajay Saini".to_string(),
            entered.map(|t| self.when(t)).unwrap_or_default(),
        ];
        self.upload(m).fir.push(row);
        Fir {
            no,
            date,
            occurrence,
            sexual,
            clean: rules.is_empty(),
        }
    }

    fn acts(&mut self, occurrence: NaiveDateTime, sexual: bool, wrong_law: bool) -> String {
        let bns = (occurrence >= law_change()) != wrong_law;
        match (bns, sexual) {
            (true, true) => SEXUAL_BNS.to_string(),
            (false, true) => SEXUAL_IPC.to_string(),
            (true, false) => BNS[self.rng.random_range(0..BNS.len())].to_string(),
            (false, false) => IPC[self.rng.random_range(0..IPC.len())].to_string(),
        }
    }

    /// Crime details, arrests and seizures in `m`, the final report in m+1, the disposal in m+2.
    fn children(&mut self, m: Month, fir: &Fir) {
        let clean = fir.clean;
        let cd_due = month_of(fir.date + Duration::days(7));
        if clean && cd_due <= self.opts.last_month() && self.inject() {
            self.defect(cd_due, "fir", "CD-MISSING", fir.no.clone());
        } else {
            let stolen = self.rng.random_range(100..500_000);
            let row = vec![
                self.ps.to_string(),
                fir.no.clone(),
                "Theft".into(),
                "Pickpocketing".into(),
                self.money(stolen),
                self.rng.random_range(1..4).to_string(),
                self.when(fir.date + Duration::hours(30)),
            ];
            self.upload(m).crime_details.push(row);
        }
        if self.rng.random_bool(0.5) {
            self.arrest(m, fir);
        }
        if self.rng.random_bool(0.3) {
            self.seizure(m, fir);
        }
        let deadline = fir.date + Duration::days(if fir.sexual { 60 } else { 90 });
        if clean && month_of(deadline) <= self.opts.last_month() && self.inject() {
            self.defect(month_of(deadline), "fir", "FRP-OVERDUE", fir.no.clone());
            return;
        }
        self.final_report(m.next(), fir);
    }

    fn arrest(&mut self, m: Month, fir: &Fir) {
        let base = fir.occurrence.unwrap_or(fir.date).max(fir.date);
        let mut at = Some(base + Duration::minutes(self.rng.random_range(30..3 * 24 * 60)));
        let mut entered = at.map(|t| t + Duration::minutes(self.rng.random_range(5..20 * 60)));
        let (mut age, mut photo, mut gender) = (
            self.rng.random_range(18..70).to_string(),
            true,
            ["M", "F", "T"][self.rng.random_range(0..3)].to_string(),
        );
        let key = format!("{}#A1", fir.no);
        let rule = if fir.clean && self.inject() {
            Some(match self.rng.random_range(0..6) {
                0 if fir.occurrence.is_some() => {
                    at = fir.occurrence.map(|t| t - Duration::hours(3));
                    entered = at.map(|t| t + Duration::hours(1));
                    "ARR-BEFORE-OCC"
                }
                1 => {
                    age = ["5", "120", ""][self.rng.random_range(0..3)].to_string();
                    "ARR-AGE"
                }
                2 => {
                    age = "15".into();
                    "ARR-JUVENILE"
                }
                3 => {
                    photo = false;
                    "ARR-PHOTO"
                }
                4 => {
                    gender = "X".into();
                    "ARR-MANDATORY"
                }
                _ => {
                    entered = at.map(|t| t + Duration::hours(30));
                    "ARR-LATE-ENTRY"
                }
            })
        } else {
            None
        };
        if let Some(rule) = rule {
            self.defect(m, "arrest", rule, key);
        }
        let name = NAMES[self.rng.random_range(0..NAMES.len())].to_string();
        let row = vec![
            self.ps.to_string(),
            fir.no.clone(),
            "A1".into(),
            "ARRESTED".into(),
            at.map(|t| self.when(t)).unwrap_or_default(),
            name,
            "श्याम लाल".into(),
            gender,
            age,
            "ग्राम पंचायत भवन".into(),
            self.yes(photo),
            entered.map(|t| self.when(t)).unwrap_or_default(),
        ];
        self.upload(m).arrest.push(row);
    }

    fn seizure(&mut self, m: Month, fir: &Fir) {
        let worth = self.rng.random_range(0..900_000);
        let (mut category, mut value) = (
            CATEGORIES[self.rng.random_range(0..CATEGORIES.len())].to_string(),
            self.money(worth),
        );
        if fir.clean && self.inject() {
            let rule = if self.rng.random_bool(0.5) {
                value = "-100".into();
                "SEZ-VALUE"
            } else {
                category = "GOLD".into();
                "SEZ-CATEGORY"
            };
            self.defect(m, "seizure", rule, format!("{}#S1", fir.no));
        }
        let row = vec![
            self.ps.to_string(),
            fir.no.clone(),
            "S1".into(),
            self.when(fir.date + Duration::hours(5)),
            category,
            "Recovered property".into(),
            value,
            self.when(fir.date + Duration::hours(8)),
        ];
        self.upload(m).seizure.push(row);
    }

    fn final_report(&mut self, m: Month, fir: &Fir) {
        let chargesheet = self.rng.random_bool(0.5);
        let mut date = (m.first_instant()
            + Duration::minutes(self.rng.random_range(0..25 * 24 * 60)))
        .max(fir.date + Duration::days(1));
        let (mut kind, mut online) = (
            if chargesheet {
                "CHARGESHEET".to_string()
            } else {
                CLOSURES[self.rng.random_range(0..CLOSURES.len())].to_string()
            },
            true,
        );
        let key = format!("{}#R1", fir.no);
        let mut broken = false;
        if fir.clean && self.inject() {
            let rule = match self.rng.random_range(0..3) {
                0 => {
                    date = fir.date - Duration::days(1);
                    "FRP-BEFORE-FIR"
                }
                1 if !chargesheet => {
                    kind = "CLOSURE".into();
                    "FRP-TYPE"
                }
                _ => {
                    online = false;
                    "FRP-NOT-ONLINE"
                }
            };
            broken = true;
            self.defect(m, "final_report", rule, key);
        }
        let row = vec![
            self.ps.to_string(),
            fir.no.clone(),
            "R1".into(),
            self.when(date),
            kind,
            "CJM-01".into(),
            self.yes(online),
            self.when(date + Duration::hours(3)),
        ];
        self.upload(m).final_report.push(row);
        if chargesheet && !broken && self.rng.random_bool(0.4) {
            self.disposal(m.next(), fir, date);
        }
    }

    fn disposal(&mut self, m: Month, fir: &Fir, chargesheet: NaiveDateTime) {
        let mut date = (m.first_instant()
            + Duration::minutes(self.rng.random_range(0..25 * 24 * 60)))
        .max(chargesheet + Duration::days(1));
        let mut result = RESULTS[self.rng.random_range(0..RESULTS.len())].to_string();
        let key = format!("{}#ST-{}", fir.no, self.serial);
        if self.inject() {
            let rule = if self.rng.random_bool(0.5) {
                date = chargesheet - Duration::days(1);
                "CDP-BEFORE-CS"
            } else {
                result = "PENDING".into();
                "CDP-RESULT"
            };
            self.defect(m, "court_disposal", rule, key.clone());
        }
        let case = key.split('#').nth(1).unwrap_or("").to_string();
        let row = vec![
            self.ps.to_string(),
            fir.no.clone(),
            case,
            self.when(date),
            result,
            self.when(date + Duration::hours(6)),
        ];
        self.upload(m).court_disposal.push(row);
    }

    /// Re-uploads a clean FIR of an earlier month (or this one): FIR-DUPLICATE.
    fn duplicate_an_old_fir(&mut self, m: Month) {
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
        let original = self
            .uploads
            .get(&month)
            .and_then(|u| u.fir.iter().find(|r| r[1] == no))
            .cloned();
        if let Some(row) = original {
            self.clean_firs
                .iter_mut()
                .for_each(|(_, nos)| nos.retain(|n| *n != no));
            self.upload(m).fir.push(row);
            self.defect(m, "fir", "FIR-DUPLICATE", no);
        }
    }

    /// Orphans and rows that cannot be loaded (ING-QUARANTINE), appended to this month's files.
    fn junk_rows(&mut self, m: Month) {
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
            let ps = self.ps.to_string();
            let t = m.first_instant() + Duration::hours(40);
            let row: Vec<String> = match table {
                "crime_details" => vec![
                    ps,
                    no.clone(),
                    "Theft".into(),
                    "".into(),
                    "100".into(),
                    "1".into(),
                    self.when(t),
                ],
                "arrest" => vec![
                    ps,
                    no.clone(),
                    "A1".into(),
                    "ARRESTED".into(),
                    self.when(t),
                    "Ram".into(),
                    "Shyam".into(),
                    "M".into(),
                    "30".into(),
                    "Addr".into(),
                    "Y".into(),
                    self.when(t),
                ],
                "seizure" => vec![
                    ps,
                    no.clone(),
                    "S1".into(),
                    self.when(t),
                    "CASH".into(),
                    "".into(),
                    "10".into(),
                    self.when(t),
                ],
                "final_report" => vec![
                    ps,
                    no.clone(),
                    "R1".into(),
                    self.when(t),
                    "CHARGESHEET".into(),
                    "".into(),
                    "Y".into(),
                    self.when(t),
                ],
                _ => vec![
                    ps,
                    no.clone(),
                    "ST-0".into(),
                    self.when(t),
                    "CONVICTED".into(),
                    self.when(t),
                ],
            };
            let key = match table {
                "crime_details" => no,
                "arrest" => format!("{no}#A1"),
                "seizure" => format!("{no}#S1"),
                "final_report" => format!("{no}#R1"),
                _ => format!("{no}#ST-0"),
            };
            self.upload(m).table_mut(table).push(row);
            self.defect(m, table, rule, key);
        }
        if self.inject() {
            let upload = self.upload(m);
            let bad = vec!["".into(), "0000/2024".into(), "31/02/2024 10:00".into()];
            upload.fir.push(bad);
            let record = upload.fir.len();
            self.defect(m, "fir", "ING-QUARANTINE", format!("row:{record}"));
        }
    }
}

fn month_of(t: NaiveDateTime) -> Month {
    Month::new(chrono::Datelike::year(&t), chrono::Datelike::month(&t))
        .unwrap_or(Month::of(2000, 1))
}

fn straddles_law_change(a: NaiveDateTime, b: NaiveDateTime) -> bool {
    (a < law_change()) != (b < law_change())
}
