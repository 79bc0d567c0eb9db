//! Loading a rule pack: a folder of YAML files to checked [`Rule`]s.
//!
//! Input: a folder (`rules/cctns`). Output: a [`RulePack`], or every problem
//! found, one line each with file and line. Checked here: YAML syntax,
//! known fields, kinds and the fields each needs, severities, known tables,
//! duplicate ids. Column names and SQL are checked by compiling (see `lint`).

use super::kind::kind_of;
pub use super::kind::Kind;
use super::source::PackFiles;
use super::spec::{read_rules, RuleFile, RuleSpec};
use crate::contract::QUARANTINE;
use crate::contract::TABLES;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The pseudo-table of station rules.
pub const STATION: &str = "station";
/// The file of a pack that holds the scoring model, not rules.
pub const SCORING_FILE: &str = "scoring.yaml";
/// The file of a pack that holds the CI gate's limits, not rules.
pub const CHECKS_FILE: &str = "checks.yaml";

/// Whether a rule counts in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Counts in the score.
    Error,
    /// Reported only.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where something is written: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The YAML file.
    pub file: PathBuf,
    /// The line.
    pub line: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// One sentence saying what it checks.
    pub description: String,
    /// That sentence in Hindi, when the pack gives it (`description_hi`).
    pub description_hi: Option<String>,
    /// Message template.
    pub message: Option<String>,
    /// Its table (population's table; `station` for station rules).
    pub table: String,
    /// Population filter.
    pub population: Option<String>,
    /// What it checks.
    pub kind: Kind,
    /// Where it is written.
    pub place: Place,
    /// The text of its YAML file, for pointing at fields.
    source: std::sync::Arc<str>,
}

impl Rule {
    /// The place of `field` within this rule (the rule's line if not found).
    pub fn place_of(&self, field: &str) -> Place {
        let line = field_line(&self.source, self.place.line, field).unwrap_or(self.place.line);
        Place {
            file: self.place.file.clone(),
            line,
        }
    }
}

/// A derived column of a table: a named SQL expression.
#[derive(Debug, Clone)]
pub struct Derived {
    /// Its name.
    pub name: String,
    /// Its SQL expression.
    pub sql: String,
    /// Where it is written.
    pub place: Place,
}

/// A loaded rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// The folder it came from.
    pub dir: PathBuf,
    /// The rules, in file then file order.
    pub rules: Vec<Rule>,
    /// Derived columns per table.
    pub derived: BTreeMap<String, Vec<Derived>>,
    /// SHA-256 of its files (names and contents), hex.
    pub hash: String,
}

impl RulePack {
    /// Loads and checks every `*.yaml` rule file of `dir` (all but
    /// `scoring.yaml` and `checks.yaml`).
    pub fn load(dir: &Path) -> Result<RulePack> {
        RulePack::from_files(&PackFiles::read(dir)?)
    }

    /// Checks the rule files of a pack's files. The pack's hash covers its
    /// rules and scoring model (what an audit's result depends on), not its
    /// checks file.
    pub fn from_files(files: &PackFiles) -> Result<RulePack> {
        let mut pack = RulePack {
            dir: files.dir.clone(),
            rules: Vec::new(),
            derived: BTreeMap::new(),
            hash: String::new(),
        };
        let mut problems = Vec::new();
        let mut hasher = Sha256::new();
        for file in files.files.iter().filter(|f| f.name != CHECKS_FILE) {
            hasher.update(&file.name);
            hasher.update(file.text.as_bytes());
            if file.name != SCORING_FILE {
                pack.add_file(&file.path, &file.text, &mut problems);
            }
        }
        pack.hash = format!("{:x}", hasher.finalize());
        check_unique_ids(&pack.rules, &mut problems);
        if pack.rules.is_empty() && problems.is_empty() {
            problems.push(Error::usage(
                &files.dir,
                "no rules found",
                "put YAML rule files (table:, rules:) in this folder",
            ));
        }
        pack.or_problems(problems)
    }

    /// Reads one rule file's text as a pack of its own (the fuzzing entry
    /// of the YAML loader): every problem of the file, or its rules.
    pub fn from_text(path: &Path, text: &str) -> Result<RulePack> {
        let mut pack = RulePack {
            dir: path.parent().unwrap_or(path).to_path_buf(),
            rules: Vec::new(),
            derived: BTreeMap::new(),
            hash: format!("{:x}", Sha256::digest(text.as_bytes())),
        };
        let mut problems = Vec::new();
        pack.add_file(path, text, &mut problems);
        check_unique_ids(&pack.rules, &mut problems);
        pack.or_problems(problems)
    }

    /// The pack, or its problems: one error, or all of them.
    fn or_problems(self, mut problems: Vec<Error>) -> Result<RulePack> {
        match problems.len() {
            0 => Ok(self),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Many(problems)),
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules that relate rows of several stations (see
    /// [`Kind::is_station_local`]): while the pack has one, an audit reads
    /// the whole lake at once rather than in shards of stations.
    pub fn lake_wide_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| !r.kind.is_station_local())
            .map(|r| r.id.as_str())
            .collect()
    }

    fn add_file(&mut self, path: &Path, text: &str, problems: &mut Vec<Error>) {
        let file: RuleFile = match serde_yaml_ng::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let line = e.location().map_or(1, |l| l.line());
                let what = e.to_string();
                let what = what.split(" at line ").next().unwrap_or(&what).to_string();
                problems.push(Error::usage(
                    format!("{}:{line}", path.display()),
                    what,
                    "fix the YAML",
                ));
                return;
            }
        };
        let source: std::sync::Arc<str> = text.into();
        if !is_rule_table(&file.table) {
            problems.push(Error::usage(
                format!(
                    "{}:{}",
                    path.display(),
                    key_line(text, "table").unwrap_or(1)
                ),
                format!("unknown table `{}`", file.table),
                format!("use one of {}", rule_tables().join(", ")),
            ));
        }
        for (name, sql) in &file.derived {
            let place = Place {
                file: path.to_path_buf(),
                line: key_line(text, name).unwrap_or(1),
            };
            self.derived
                .entry(file.table.clone())
                .or_default()
                .push(Derived {
                    name: name.clone(),
                    sql: sql.clone(),
                    place,
                });
        }
        let id_lines = id_lines(text);
        for (k, spec) in read_rules(path, text, file.rules.len())
            .into_iter()
            .enumerate()
        {
            let spec = match spec {
                Ok(spec) => spec,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let place = Place {
                file: path.to_path_buf(),
                line: id_lines.get(k).copied().unwrap_or(1),
            };
            match check_rule(spec, &file.table, place, source.clone()) {
                Ok(rule) => self.rules.push(rule),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
    }
}

/// The tables a rule may have: the station tables, `quarantine` and `station`.
pub fn rule_tables() -> Vec<&'static str> {
    TABLES
        .iter()
        .map(|t| t.name)
        .chain([QUARANTINE, STATION])
        .collect()
}

fn is_rule_table(name: &str) -> bool {
    rule_tables().contains(&name)
}

/// Turns a spec into a rule, or lists what is wrong with it.
fn check_rule(
    spec: RuleSpec,
    file_table: &str,
    place: Place,
    source: std::sync::Arc<str>,
) -> Result<Rule, Vec<Error>> {
    let mut errors = Vec::new();
    let at = |field: &str| {
        let line = field_line(&source, place.line, field).unwrap_or(place.line);
        format!("{}:{line}", place.file.display())
    };
    let mut problem = |field: &str, what: String, fix: String| {
        errors.push(Error::usage(
            at(field),
            format!("rule {}: {what}", spec.id),
            fix,
        ));
    };
    if spec.id.trim().is_empty() || spec.id.contains(char::is_whitespace) {
        problem(
            "id",
            format!("bad id `{}`", spec.id),
            "use letters, digits and dashes, e.g. FIR-IO-MISSING".into(),
        );
    }
    let severity = match spec.severity.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        other => {
            problem(
                "severity",
                format!("unknown severity `{other}`"),
                crate::yaml::did_you_mean(other, &["error", "warning"]),
            );
            Severity::Warning
        }
    };
    let table = spec.table.clone().unwrap_or_else(|| file_table.to_string());
    if !is_rule_table(&table) {
        problem(
            "table",
            format!("unknown table `{table}`"),
            format!("use one of {}", rule_tables().join(", ")),
        );
    }
    let kind = kind_of(&spec, &table, &mut problem);
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(Rule {
        id: spec.id,
        severity,
        description: spec.description,
        description_hi: spec.description_hi,
        message: spec.message,
        table,
        population: spec.population,
        kind,
        place,
        source,
    })
}

fn check_unique_ids(rules: &[Rule], problems: &mut Vec<Error>) {
    let mut seen: HashSet<&str> = HashSet::new();
    for rule in rules {
        if !seen.insert(&rule.id) {
            let first = rules
                .iter()
                .find(|r| r.id == rule.id)
                .map(|r| r.place.to_string())
                .unwrap_or_default();
            problems.push(Error::usage(
                rule.place.to_string(),
                format!("duplicate rule id {}", rule.id),
                format!("it is already defined at {first}; rename one"),
            ));
        }
    }
}

/// The lines that set a rule's `id:` (as `- id:` or `id:`), in order: the k-th is the k-th rule's.
fn id_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .trim_start_matches('-')
                .trim_start()
                .starts_with("id:")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// The first line at or after `from` that sets `field:`, before the next rule starts.
fn field_line(text: &str, from: usize, field: &str) -> Option<usize> {
    let key = format!("{field}:");
    for (i, line) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        let trimmed = line.trim_start();
        if i + 1 > from && trimmed.starts_with("- ") {
            return None;
        }
        if trimmed.trim_start_matches("- ").starts_with(&key) {
            return Some(i + 1);
        }
    }
    None
}

/// The first line that sets `key:`.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let k = format!("{key}:");
    text.lines()
        .position(|l| l.trim_start().starts_with(&k))
        .map(|i| i + 1)
}
