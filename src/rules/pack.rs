//! Loading a rule pack: a folder of YAML files to checked [`Rule`]s.
//!
//! Input: a folder (`rules/cctns`). Output: a [`RulePack`], or every problem
//! found, one line each with file and line. Checked here: YAML syntax,
//! known fields, kinds and the fields each needs, severities, known tables,
//! duplicate ids. Column names and SQL are checked by compiling (see `lint`).

use super::spec::{MeasureSpec, RuleFile, RuleSpec};
use crate::contract::TABLES;
use crate::error::{Error, Result};
use crate::lake::QUARANTINE;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// The pseudo-table of station rules.
pub const STATION: &str = "station";
/// The file of a pack that holds the scoring model, not rules.
pub const SCORING_FILE: &str = "scoring.yaml";

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

/// What a rule checks, by kind. The engine knows these, never rule ids.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A predicate over one table's rows of the month.
    Row {
        /// SQL expression; the row fails when true.
        fails_when: String,
    },
    /// A key that must not repeat over the lake up to the month.
    Unique {
        /// The key columns.
        key: Vec<String>,
    },
    /// Each row of the month must have a parent row (lake up to the month), optionally meeting a condition.
    Parent {
        /// The parent table.
        parent: String,
        /// Join columns.
        on: Vec<String>,
        /// Filter on the parent rows.
        parent_where: Option<String>,
        /// Aggregates of the parent rows per key.
        parent_columns: BTreeMap<String, String>,
        /// Condition on the pair; `None` means: fails when there is no parent.
        fails_when: Option<String>,
    },
    /// Each record whose deadline falls in the month must have a child row by then.
    ChildDue {
        /// The child table.
        child: String,
        /// Join columns (the record is one per `on` value).
        on: Vec<String>,
        /// Aggregates of the record's rows.
        record_columns: BTreeMap<String, String>,
        /// The deadline instant.
        deadline: String,
    },
    /// An aggregate per registry station with a threshold.
    Station {
        /// Named measures.
        measures: BTreeMap<String, MeasureSpec>,
        /// The station fails when true.
        fails_when: String,
    },
    /// A free SELECT returning the failing records.
    Sql {
        /// The query.
        query: String,
    },
}

impl Kind {
    /// The kind's name as written in YAML.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Row { .. } => "row",
            Kind::Unique { .. } => "unique",
            Kind::Parent { .. } => "parent",
            Kind::ChildDue { .. } => "child_due",
            Kind::Station { .. } => "station",
            Kind::Sql { .. } => "sql",
        }
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
    /// Loads and checks every `*.yaml` rule file of `dir` (all but `scoring.yaml`).
    pub fn load(dir: &Path) -> Result<RulePack> {
        let files = yaml_files(dir)?;
        let mut pack = RulePack {
            dir: dir.to_path_buf(),
            rules: Vec::new(),
            derived: BTreeMap::new(),
            hash: String::new(),
        };
        let mut problems = Vec::new();
        let mut hasher = Sha256::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            hasher.update(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            hasher.update(text.as_bytes());
            if path.file_name().is_some_and(|n| n == SCORING_FILE) {
                continue;
            }
            pack.add_file(&path, &text, &mut problems);
        }
        pack.hash = format!("{:x}", hasher.finalize());
        check_unique_ids(&pack.rules, &mut problems);
        if pack.rules.is_empty() && problems.is_empty() {
            problems.push(Error::usage(
                dir,
                "no rules found",
                "put YAML rule files (table:, rules:) in this folder",
            ));
        }
        match problems.len() {
            0 => Ok(pack),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Many(problems)),
        }
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
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
        for (k, spec) in file.rules.into_iter().enumerate() {
            let line = id_lines.get(k).copied().unwrap_or(1);
            let place = Place {
                file: path.to_path_buf(),
                line,
            };
            match check_rule(spec, &file.table, place, source.clone()) {
                Ok(rule) => self.rules.push(rule),
                Err(mut errors) => problems.append(&mut errors),
            }
        }
    }
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::usage(
            dir,
            format!("cannot read the rule folder ({e})"),
            "pass --rules <DIR> with the YAML rule files",
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
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

fn is_lake_table(name: &str) -> bool {
    TABLES.iter().any(|t| t.name == name) || name == QUARANTINE
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
                "write `error` or `warning`".into(),
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
        message: spec.message,
        table,
        population: spec.population,
        kind,
        place,
        source,
    })
}

type Problem<'a> = dyn FnMut(&str, String, String) + 'a;

/// The rule's kind with its fields, checking that it has exactly the fields its kind takes.
fn kind_of(spec: &RuleSpec, table: &str, problem: &mut Problem<'_>) -> Option<Kind> {
    let present = present_fields(spec);
    let allowed: &[&str] = match spec.kind.as_str() {
        "row" => &["fails_when"],
        "unique" => &["key"],
        "parent" => &[
            "parent",
            "on",
            "parent_where",
            "parent_columns",
            "fails_when",
        ],
        "child_due" => &["child", "on", "record_columns", "deadline"],
        "station" => &["measures", "fails_when"],
        "sql" => &["query"],
        other => {
            problem(
                "kind",
                format!("unknown kind `{other}`"),
                "use row, unique, parent, child_due, station or sql".into(),
            );
            return None;
        }
    };
    for field in present.iter().filter(|f| !allowed.contains(f)) {
        problem(
            field,
            format!("`{field}` does not apply to kind {}", spec.kind),
            format!(
                "remove it, or use a kind that takes it ({})",
                allowed.join(", ")
            ),
        );
    }
    let mut need = |field: &str, value: Option<&String>| -> String {
        if value.is_none() {
            problem(
                "kind",
                format!("kind {} needs `{field}`", spec.kind),
                format!("add `{field}:` to the rule"),
            );
        }
        value.cloned().unwrap_or_default()
    };
    let kind = match spec.kind.as_str() {
        "row" => Kind::Row {
            fails_when: need("fails_when", spec.fails_when.as_ref()),
        },
        "unique" => Kind::Unique {
            key: spec.key.clone(),
        },
        "parent" => Kind::Parent {
            parent: need("parent", spec.parent.as_ref()),
            on: spec.on.clone(),
            parent_where: spec.parent_where.clone(),
            parent_columns: spec.parent_columns.clone(),
            fails_when: spec.fails_when.clone(),
        },
        "child_due" => Kind::ChildDue {
            child: need("child", spec.child.as_ref()),
            on: spec.on.clone(),
            record_columns: spec.record_columns.clone(),
            deadline: need("deadline", spec.deadline.as_ref()),
        },
        "station" => Kind::Station {
            measures: spec.measures.clone(),
            fails_when: need("fails_when", spec.fails_when.as_ref()),
        },
        _ => Kind::Sql {
            query: need("query", spec.query.as_ref()),
        },
    };
    check_kind_tables(&kind, table, problem);
    Some(kind)
}

fn check_kind_tables(kind: &Kind, table: &str, problem: &mut Problem<'_>) {
    let mut lake_table = |field: &str, name: &str| {
        if !is_lake_table(name) {
            problem(field, format!("unknown table `{name}`"), "name a lake table: fir, crime_details, arrest, seizure, final_report, court_disposal or quarantine".into());
        }
    };
    match kind {
        Kind::Parent { parent, .. } => lake_table("parent", parent),
        Kind::ChildDue { child, .. } => lake_table("child", child),
        Kind::Station { measures, .. } => {
            for m in measures.values() {
                for t in &m.tables {
                    lake_table("measures", t);
                }
            }
        }
        _ => {}
    }
    let key_lists: &[(&str, &Vec<String>)] = match kind {
        Kind::Unique { key } => &[("key", key)],
        Kind::Parent { on, .. } | Kind::ChildDue { on, .. } => &[("on", on)],
        _ => &[],
    };
    for (field, list) in key_lists {
        if list.is_empty() {
            problem(
                field,
                format!("`{field}` names no column"),
                format!("list the columns, e.g. {field}: [ps_code, fir_no]"),
            );
        }
    }
    let station_kind = matches!(kind, Kind::Station { .. });
    if station_kind != (table == STATION) && !matches!(kind, Kind::Sql { .. }) {
        problem(
            "table",
            format!("kind {} cannot have table `{table}`", kind.name()),
            "station rules have table station; other kinds a lake table".into(),
        );
    }
}

fn present_fields(spec: &RuleSpec) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut add = |name: &'static str, present: bool| {
        if present {
            fields.push(name);
        }
    };
    add("fails_when", spec.fails_when.is_some());
    add("key", !spec.key.is_empty());
    add("parent", spec.parent.is_some());
    add("on", !spec.on.is_empty());
    add("parent_where", spec.parent_where.is_some());
    add("parent_columns", !spec.parent_columns.is_empty());
    add("child", spec.child.is_some());
    add("record_columns", !spec.record_columns.is_empty());
    add("deadline", spec.deadline.is_some());
    add("measures", !spec.measures.is_empty());
    add("query", spec.query.is_some());
    fields
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
