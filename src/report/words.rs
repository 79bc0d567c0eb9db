//! Words: every sentence an analyst or a station reads, in English and in
//! Hindi, written once here and shown by the page, the handout, `explain`
//! and `summary.md` in the language asked for ([`Lang`]).
//!
//! Numbers are formatted by the caller; these functions only place them.

use crate::score::PathToFirst;

/// Which language a reader asked for (`--lang`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English only.
    En,
    /// Hindi only.
    Hi,
    /// English, then Hindi.
    #[default]
    Both,
}

impl Lang {
    /// Whether English is shown.
    pub fn en(self) -> bool {
        self != Lang::Hi
    }

    /// Whether Hindi is shown.
    pub fn hi(self) -> bool {
        self != Lang::En
    }

    /// Whether both are shown.
    pub fn both(self) -> bool {
        self == Lang::Both
    }

    /// The page's `lang` attribute: its first language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Hi => "hi",
            _ => "en",
        }
    }

    /// A sentence as plain text in this language (both joined by " / ").
    pub fn pick(self, say: &Say) -> String {
        match self {
            Lang::En => say.en.clone(),
            Lang::Hi => say.hi.clone(),
            Lang::Both => format!("{} / {}", say.en, say.hi),
        }
    }
}

/// One sentence in English and in Hindi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Say {
    /// English.
    pub en: String,
    /// Hindi (Devanagari).
    pub hi: String,
}

impl Say {
    /// A sentence from its two translations.
    pub fn new(en: impl Into<String>, hi: impl Into<String>) -> Say {
        Say {
            en: en.into(),
            hi: hi.into(),
        }
    }
}

/// Fixed labels of the page and the handout.
pub mod label {
    use super::Say;

    /// The page's title.
    pub fn title() -> Say {
        Say::new("CCTNS data-quality audit", "सीसीटीएनएस डेटा गुणवत्ता ऑडिट")
    }
    /// "Month".
    pub fn month() -> Say {
        Say::new("Month", "माह")
    }
    /// "Lake snapshot".
    pub fn snapshot() -> Say {
        Say::new("Lake snapshot", "लेक स्नैपशॉट")
    }
    /// "Rule pack".
    pub fn rule_pack() -> Say {
        Say::new("Rule pack", "नियम पैक")
    }
    /// "District league".
    pub fn league() -> Say {
        Say::new("District league", "ज़िलों की रैंकिंग")
    }
    /// The league of states' heading.
    pub fn state_league() -> Say {
        Say::new("State league", "राज्यों की रैंकिंग")
    }
    /// "State".
    pub fn state() -> Say {
        Say::new("State", "राज्य")
    }
    /// "Districts".
    pub fn districts() -> Say {
        Say::new("Districts", "ज़िले")
    }
    /// "Rank".
    pub fn rank() -> Say {
        Say::new("Rank", "रैंक")
    }
    /// "District".
    pub fn district() -> Say {
        Say::new("District", "ज़िला")
    }
    /// "Stations".
    pub fn stations() -> Say {
        Say::new("Stations", "थाने")
    }
    /// "Score".
    pub fn score() -> Say {
        Say::new("Score", "स्कोर")
    }
    /// The change column, since `previous`.
    pub fn change_since(previous: &str) -> Say {
        Say::new(
            format!("Change since {previous}"),
            format!("{previous} से बदलाव"),
        )
    }
    /// The state chart's heading.
    pub fn state_chart() -> Say {
        Say::new(
            "Points lost by parameter, mean per station, whole state",
            "मानदंड अनुसार कटे अंक, प्रति थाना औसत, पूरा राज्य",
        )
    }
    /// A district chart's heading.
    pub fn district_chart() -> Say {
        Say::new(
            "Points lost by parameter, mean per station of the district",
            "मानदंड अनुसार कटे अंक, ज़िले का प्रति थाना औसत",
        )
    }
    /// The search box.
    pub fn find() -> Say {
        Say::new("Find a thana (code or name)", "थाना खोजें (कोड या नाम)")
    }
    /// The district filter's "all" choice.
    pub fn all_districts() -> Say {
        Say::new("All districts", "सभी ज़िले")
    }
    /// "Where the points were lost".
    pub fn losses() -> Say {
        Say::new("Where the points were lost", "अंक कहाँ कटे")
    }
    /// "Points by parameter against its weight".
    pub fn parameters() -> Say {
        Say::new(
            "Points by parameter, against its weight",
            "मानदंड अनुसार अंक, उसके भार के सामने",
        )
    }
    /// "Records to fix first".
    pub fn to_fix() -> Say {
        Say::new("Records to fix first", "पहले सुधारें")
    }
    /// "Path to first place" (in the district).
    pub fn path() -> Say {
        Say::new("Path to first place", "प्रथम स्थान का रास्ता")
    }
    /// "The five rules that cost most".
    pub fn top_rules() -> Say {
        Say::new(
            "The five rules that cost most",
            "सबसे ज़्यादा अंक काटने वाले पाँच नियम",
        )
    }
    /// The handout's heading.
    pub fn handout() -> Say {
        Say::new(
            "Data-quality handout for the station house officer",
            "थाना प्रभारी के लिए डेटा गुणवत्ता पत्रक",
        )
    }
    /// "Record", "points": the records table's head.
    pub fn record() -> Say {
        Say::new("Record", "रिकॉर्ड")
    }
    /// "Points".
    pub fn points() -> Say {
        Say::new("Points", "अंक")
    }
    /// The link from a district page back to the index.
    pub fn back() -> Say {
        Say::new("Back to the state report", "राज्य रिपोर्ट पर वापस")
    }
    /// The link from the index to a district's page.
    pub fn district_page() -> Say {
        Say::new(
            "The gap reports of this district's thanas",
            "इस ज़िले के थानों की कमी रिपोर्ट",
        )
    }
    /// "Rules failed".
    pub fn rules() -> Say {
        Say::new("Rules failed", "विफल नियम")
    }
}

/// What a record of `table` is called, `n` of them.
pub fn records_of(table: &str, n: u64) -> Say {
    let one = n == 1;
    let (en_one, en_many, hi) = match table {
        "fir" => ("FIR", "FIRs", "एफआईआर"),
        "crime_details" => (
            "crime-details record",
            "crime-details records",
            "अपराध विवरण रिकॉर्ड",
        ),
        "arrest" => ("arrest", "arrests", "गिरफ़्तारी रिकॉर्ड"),
        "seizure" => ("seizure", "seizures", "ज़ब्ती रिकॉर्ड"),
        "final_report" => ("final report", "final reports", "अंतिम रिपोर्ट"),
        "court_disposal" => (
            "court disposal",
            "court disposals",
            "न्यायालय निस्तारण रिकॉर्ड",
        ),
        "quarantine" => ("rejected row", "rejected rows", "अस्वीकृत पंक्तियाँ"),
        "station" => ("station check", "station checks", "थाना जाँच"),
        _ => ("record", "records", "रिकॉर्ड"),
    };
    Say::new(
        format!("{n} {}", if one { en_one } else { en_many }),
        format!("{n} {hi}"),
    )
}

/// "12 FIRs: The investigating officer code is blank. 2.40 points."
pub fn loss(records: &Say, description: &Say, points: &str) -> Say {
    Say::new(
        format!("{}: {} {points} points.", records.en, description.en),
        format!("{}: {} {points} अंक।", records.hi, description.hi),
    )
}

/// The line under a station's name: score, rank, FIRs and category.
pub fn standing(score: &str, rank: usize, of: usize, firs: u64, category: &str) -> Say {
    Say::new(
        format!("Score {score} of 100, rank {rank} of {of} in the district; {firs} distinct FIRs (category {category})."),
        format!("स्कोर 100 में से {score}, ज़िले में {of} में से {rank}वाँ स्थान; {firs} अलग एफआईआर (श्रेणी {category})।"),
    )
}

/// The standing without the score, under a line that shows it.
pub fn brief(rank: usize, of: usize, firs: u64, category: &str) -> Say {
    Say::new(
        format!("Rank {rank} of {of} in the district; {firs} FIRs, category {category}."),
        format!("ज़िले में {of} में से {rank}वाँ; {firs} एफआईआर, श्रेणी {category}।"),
    )
}

/// The sentence of a station that uploaded nothing.
pub fn no_upload() -> Say {
    Say::new(
        "Nothing was uploaded for the month: all 100 points are lost (PS-NO-UPLOAD). Upload the month's files to score.",
        "इस माह कुछ भी अपलोड नहीं हुआ: सभी 100 अंक कटे (PS-NO-UPLOAD)। स्कोर के लिए माह की फ़ाइलें अपलोड करें।",
    )
}

/// The sentence of a station that lost nothing.
pub fn nothing_lost() -> Say {
    Say::new(
        "No point was lost: every record passes every rule.",
        "कोई अंक नहीं कटा: हर रिकॉर्ड हर नियम पर सही है।",
    )
}

/// How many failing records there are in all, of which `shown` are listed.
pub fn records_listed(shown: usize, all: usize) -> Say {
    Say::new(
        format!("The first {shown} of {all} failing records; the full list is in violations.csv and report.json."),
        format!("{all} विफल रिकॉर्ड में से पहले {shown}; पूरी सूची violations.csv और report.json में है।"),
    )
}

/// What it takes to become first (`fmt` formats a score).
pub fn path(p: &PathToFirst, fmt: impl Fn(f64) -> String) -> Say {
    let leader = fmt(p.leader_score);
    let reached = p.score_reached.map(&fmt).unwrap_or_default();
    match p.records_needed {
        Some(0) => Say::new("Already first.", "पहले से प्रथम।"),
        Some(1) => Say::new(
            format!("Fix the first record above to reach {reached} (leader: {leader})."),
            format!("ऊपर का पहला रिकॉर्ड सुधारें: स्कोर {reached} होगा (अग्रणी: {leader})।"),
        ),
        Some(n) => Say::new(
            format!(
                "Fix the first {n} records above, in order, to reach {reached} (leader: {leader})."
            ),
            format!("ऊपर के पहले {n} रिकॉर्ड क्रम से सुधारें: स्कोर {reached} होगा (अग्रणी: {leader})।"),
        ),
        None => Say::new(
            format!("Not reachable with this month's records alone (leader: {leader})."),
            format!("केवल इस माह के रिकॉर्ड से संभव नहीं (अग्रणी: {leader})।"),
        ),
    }
}

/// The handout's count of fixes to first place.
pub fn fixes_to_first(p: &PathToFirst) -> Say {
    match p.records_needed {
        Some(0) => Say::new(
            "The station is first in its district.",
            "थाना अपने ज़िले में प्रथम है।",
        ),
        Some(1) => Say::new(
            "1 fix takes the station to first place in its district.",
            "1 सुधार से थाना ज़िले में प्रथम स्थान पर पहुँचेगा।",
        ),
        Some(n) => Say::new(
            format!("{n} fixes take the station to first place in its district."),
            format!("{n} सुधार से थाना ज़िले में प्रथम स्थान पर पहुँचेगा।"),
        ),
        None => Say::new(
            "First place cannot be reached by fixing this month's records alone.",
            "केवल इस माह के रिकॉर्ड सुधारकर प्रथम स्थान संभव नहीं।",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_reads_as_a_sentence_in_both_languages() {
        let said = loss(
            &records_of("fir", 12),
            &Say::new(
                "The investigating officer code is blank.",
                "विवेचक का कोड खाली है।",
            ),
            "2.40",
        );
        assert_eq!(
            said.en,
            "12 FIRs: The investigating officer code is blank. 2.40 points."
        );
        assert_eq!(said.hi, "12 एफआईआर: विवेचक का कोड खाली है। 2.40 अंक।");
        assert_eq!(records_of("arrest", 1).en, "1 arrest");
    }

    #[test]
    fn lang_shows_what_was_asked() {
        let s = Say::new("Score", "स्कोर");
        assert_eq!(Lang::En.pick(&s), "Score");
        assert_eq!(Lang::Hi.pick(&s), "स्कोर");
        assert_eq!(Lang::Both.pick(&s), "Score / स्कोर");
        assert!(Lang::Both.en() && Lang::Both.hi() && !Lang::En.hi());
    }
}
