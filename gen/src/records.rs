//! The record builders of a station timeline: a FIR with at most one defect of
//! a FIR rule, its crime details, arrest, seizure, final report and court
//! disposal, each clean or carrying one defect recorded for its audit month.

use super::rows::Cell;
use super::timeline::{law_change, month_of, straddles_law_change, Fir, Timeline};
use cctns_audit::contract::Month;
use chrono::{Duration, NaiveDateTime};
use rand::Rng;

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

impl Timeline<'_> {
    /// A FIR of month `m`, possibly with one defect of a FIR rule.
    pub(super) fn fir(&mut self, m: Month) -> Fir {
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
            Some(self.rng.random_range(1..300)),
            Some(PLACES[self.rng.random_range(0..PLACES.len())]),
            Some(self.rng.random_range(240_000..300_000)),
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
                lat = Some(402_500);
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
        let (lon, phone) = (
            self.rng.random_range(750_000..840_000),
            self.rng.random_range(0..1_000_000_000u64),
        );
        let sections = if rules.contains(&"FIR-SECTIONS-MISSING") {
            Cell::Empty
        } else {
            Cell::Text(acts)
        };
        self.push(
            m,
            "fir",
            &[
                Cell::Text(self.ps),
                Cell::Text(&no),
                Cell::Time(date),
                Cell::time(occurrence),
                Cell::Empty,
                gd.map_or(Cell::Empty, |n| Cell::Padded(n, 3)),
                sections,
                Cell::text(place),
                lat.map_or(Cell::Empty, Cell::Fixed4),
                Cell::Fixed4(lon),
                Cell::Text(complainant),
                Cell::Int(9_000_000_000 + phone),
                Cell::text(io.as_deref()),
                Cell::Text("SI Ajay Saini"),
                Cell::time(entered),
            ],
        );
        Fir {
            no,
            date,
            occurrence,
            sexual,
            clean: rules.is_empty(),
        }
    }

    pub(super) fn acts(
        &mut self,
        occurrence: NaiveDateTime,
        sexual: bool,
        wrong_law: bool,
    ) -> &'static str {
        let bns = (occurrence >= law_change()) != wrong_law;
        match (bns, sexual) {
            (true, true) => SEXUAL_BNS,
            (false, true) => SEXUAL_IPC,
            (true, false) => BNS[self.rng.random_range(0..BNS.len())],
            (false, false) => IPC[self.rng.random_range(0..IPC.len())],
        }
    }

    /// Crime details, arrests and seizures in `m`, the final report in m+1, the disposal in m+2.
    pub(super) fn children(&mut self, m: Month, fir: &Fir) {
        let clean = fir.clean;
        let cd_due = month_of(fir.date + Duration::days(7));
        if clean && cd_due <= self.opts.last_month() && self.inject() {
            self.defect(cd_due, "fir", "CD-MISSING", fir.no.clone());
        } else {
            let (stolen, victims) = (
                self.rng.random_range(100..500_000),
                self.rng.random_range(1..4),
            );
            self.push(
                m,
                "crime_details",
                &[
                    Cell::Text(self.ps),
                    Cell::Text(&fir.no),
                    Cell::Text("Theft"),
                    Cell::Text("Pickpocketing"),
                    Cell::Money(stolen),
                    Cell::Int(victims),
                    Cell::Time(fir.date + Duration::hours(30)),
                ],
            );
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
        self.reports_due
            .push((m.next(), month_of(deadline), fir.no.clone()));
        self.final_report(m.next(), fir);
    }

    pub(super) fn arrest(&mut self, m: Month, fir: &Fir) {
        let base = fir.occurrence.unwrap_or(fir.date).max(fir.date);
        let mut at = Some(base + Duration::minutes(self.rng.random_range(30..3 * 24 * 60)));
        let mut entered = at.map(|t| t + Duration::minutes(self.rng.random_range(5..20 * 60)));
        let (mut age, mut photo, mut gender) = (
            Cell::Int(self.rng.random_range(18..70)),
            true,
            ["M", "F", "T"][self.rng.random_range(0..3)],
        );
        let rule = if fir.clean && self.inject() {
            Some(match self.rng.random_range(0..6) {
                0 if fir.occurrence.is_some() => {
                    at = fir.occurrence.map(|t| t - Duration::hours(3));
                    entered = at.map(|t| t + Duration::hours(1));
                    "ARR-BEFORE-OCC"
                }
                1 => {
                    age = [Cell::Int(5), Cell::Int(120), Cell::Empty][self.rng.random_range(0..3)];
                    "ARR-AGE"
                }
                2 => {
                    age = Cell::Int(15);
                    "ARR-JUVENILE"
                }
                3 => {
                    photo = false;
                    "ARR-PHOTO"
                }
                4 => {
                    gender = "X";
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
            self.defect(m, "arrest", rule, format!("{}#A1", fir.no));
        }
        let name = NAMES[self.rng.random_range(0..NAMES.len())];
        self.push(
            m,
            "arrest",
            &[
                Cell::Text(self.ps),
                Cell::Text(&fir.no),
                Cell::Text("A1"),
                Cell::Text("ARRESTED"),
                Cell::time(at),
                Cell::Text(name),
                Cell::Text("श्याम लाल"),
                Cell::Text(gender),
                age,
                Cell::Text("ग्राम पंचायत भवन"),
                Cell::Flag(photo),
                Cell::time(entered),
            ],
        );
    }

    pub(super) fn seizure(&mut self, m: Month, fir: &Fir) {
        let worth = self.rng.random_range(0..900_000);
        let (mut category, mut value) = (
            CATEGORIES[self.rng.random_range(0..CATEGORIES.len())],
            Cell::Money(worth),
        );
        if fir.clean && self.inject() {
            let rule = if self.rng.random_bool(0.5) {
                value = Cell::Text("-100");
                "SEZ-VALUE"
            } else {
                category = "GOLD";
                "SEZ-CATEGORY"
            };
            self.defect(m, "seizure", rule, format!("{}#S1", fir.no));
        }
        self.push(
            m,
            "seizure",
            &[
                Cell::Text(self.ps),
                Cell::Text(&fir.no),
                Cell::Text("S1"),
                Cell::Time(fir.date + Duration::hours(5)),
                Cell::Text(category),
                Cell::Text("Recovered property"),
                value,
                Cell::Time(fir.date + Duration::hours(8)),
            ],
        );
    }

    pub(super) fn final_report(&mut self, m: Month, fir: &Fir) {
        let chargesheet = self.rng.random_bool(0.5);
        let mut date = (m.first_instant()
            + Duration::minutes(self.rng.random_range(0..25 * 24 * 60)))
        .max(fir.date + Duration::days(1));
        let (mut kind, mut online) = (
            if chargesheet {
                "CHARGESHEET"
            } else {
                CLOSURES[self.rng.random_range(0..CLOSURES.len())]
            },
            true,
        );
        let mut broken = false;
        if fir.clean && self.inject() {
            let rule = match self.rng.random_range(0..3) {
                0 => {
                    date = fir.date - Duration::days(1);
                    "FRP-BEFORE-FIR"
                }
                1 if !chargesheet => {
                    kind = "CLOSURE";
                    "FRP-TYPE"
                }
                _ => {
                    online = false;
                    "FRP-NOT-ONLINE"
                }
            };
            broken = true;
            self.defect(m, "final_report", rule, format!("{}#R1", fir.no));
        }
        self.push(
            m,
            "final_report",
            &[
                Cell::Text(self.ps),
                Cell::Text(&fir.no),
                Cell::Text("R1"),
                Cell::Time(date),
                Cell::Text(kind),
                Cell::Text("CJM-01"),
                Cell::Flag(online),
                Cell::Time(date + Duration::hours(3)),
            ],
        );
        if chargesheet && !broken && self.rng.random_bool(0.4) {
            self.disposal(m.next(), fir, date);
        }
    }

    pub(super) fn disposal(&mut self, m: Month, fir: &Fir, chargesheet: NaiveDateTime) {
        let mut date = (m.first_instant()
            + Duration::minutes(self.rng.random_range(0..25 * 24 * 60)))
        .max(chargesheet + Duration::days(1));
        let mut result = RESULTS[self.rng.random_range(0..RESULTS.len())];
        let key = format!("{}#ST-{}", fir.no, self.serial);
        if self.inject() {
            let rule = if self.rng.random_bool(0.5) {
                date = chargesheet - Duration::days(1);
                "CDP-BEFORE-CS"
            } else {
                result = "PENDING";
                "CDP-RESULT"
            };
            self.defect(m, "court_disposal", rule, key.clone());
        }
        let case = key.split('#').nth(1).unwrap_or("");
        self.push(
            m,
            "court_disposal",
            &[
                Cell::Text(self.ps),
                Cell::Text(&fir.no),
                Cell::Text(case),
                Cell::Time(date),
                Cell::Text(result),
                Cell::Time(date + Duration::hours(6)),
            ],
        );
    }
}
