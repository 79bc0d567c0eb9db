//! Rule kinds: what each checks, the YAML fields each takes, and the checks
//! that a rule has exactly those fields and names known tables.

use super::pack::STATION;
use super::spec::{MeasureSpec, RuleSpec};
use crate::contract::QUARANTINE;
use crate::contract::TABLES;
use std::collections::BTreeMap;

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
        /// Whether it relates rows of several stations (`scope: lake`).
        lake_wide: bool,
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

/// Reports one problem with a field: (field, what, fix).
pub(super) type Problem<'a> = dyn FnMut(&str, String, String) + 'a;

/// The rule's kind with its fields, checking that it has exactly the fields its kind takes.
pub(super) fn kind_of(spec: &RuleSpec, table: &str, problem: &mut Problem<'_>) -> Option<Kind> {
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
        "sql" => &["query", "scope"],
        other => {
            problem(
                "kind",
                format!("unknown kind `{other}`"),
                crate::yaml::did_you_mean(
                    other,
                    &["row", "unique", "parent", "child_due", "station", "sql"],
                ),
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
            lake_wide: lake_wide(spec.scope.as_deref(), problem),
        },
    };
    check_kind_tables(&kind, table, problem);
    Some(kind)
}

/// Whether a `sql` rule's `scope` is the whole lake (`lake`) rather than
/// one station (`station`, the default).
fn lake_wide(scope: Option<&str>, problem: &mut Problem<'_>) -> bool {
    match scope {
        None | Some("station") => false,
        Some("lake") => true,
        Some(other) => {
            problem(
                "scope",
                format!("unknown scope `{other}`"),
                "write scope: station (the default) or scope: lake for a query relating rows of several stations".into(),
            );
            false
        }
    }
}

impl Kind {
    /// Whether the rule relates rows of one station only (rule catalogue
    /// v1.4), so that an audit may run it over groups of stations apart: a
    /// key or join that includes `ps_code`, a row predicate, a station
    /// aggregate, or a `sql` rule without `scope: lake`.
    pub fn is_station_local(&self) -> bool {
        let has_station = |columns: &[String]| columns.iter().any(|c| c == "ps_code");
        match self {
            Kind::Row { .. } | Kind::Station { .. } => true,
            Kind::Unique { key } => has_station(key),
            Kind::Parent { on, .. } | Kind::ChildDue { on, .. } => has_station(on),
            Kind::Sql { lake_wide, .. } => !lake_wide,
        }
    }
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
    add("scope", spec.scope.is_some());
    fields
}

/// Whether `name` is a table of the lake a rule can read.
pub(super) fn is_lake_table(name: &str) -> bool {
    TABLES.iter().any(|t| t.name == name) || name == QUARANTINE
}
