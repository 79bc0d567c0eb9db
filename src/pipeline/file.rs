//! A pipeline file (YAML, in `pipelines/`; spec outputs.md, "Pipelines"):
//! what a scheduled monthly run does. Every problem of the file is reported
//! at once, each with the file, the line and the fix; relative paths are
//! resolved against the file's folder.
//!
//! Keys: `landing`, `lake`, `month` or `months` (`2024-06..2024-08`, or
//! `previous` for the calendar month before the run), `rules`, `checks`,
//! `out`, `stages`, `check` (`min_score`, `fail_on`, `junit`, `summary`),
//! `publish` (the folder), `key_file`, `publish_if_check_fails`.

use crate::contract::Month;
use crate::error::{Error, Result};
use crate::report::Lang;
use crate::rules::PackSource;
use crate::yaml::{did_you_mean, problems_to_error, YamlDoc};
use serde::Deserialize;
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

/// The stages of a run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Load the landing folder into the lake.
    Ingest,
    /// Audit each month and write its reports.
    Audit,
    /// Judge each month with the checks file.
    Check,
    /// Publish for dashboards.
    Publish,
}

/// Every stage, in order.
pub const STAGES: [Stage; 4] = [Stage::Ingest, Stage::Audit, Stage::Check, Stage::Publish];

impl Stage {
    /// Its name in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Audit => "audit",
            Stage::Check => "check",
            Stage::Publish => "publish",
        }
    }

    /// The stage called `name`, or a usage error naming `place`.
    pub fn parse(name: &str, place: &str) -> Result<Stage> {
        let names: Vec<&str> = STAGES.iter().map(|s| s.name()).collect();
        STAGES
            .into_iter()
            .find(|s| s.name() == name.trim())
            .ok_or_else(|| {
                Error::usage(
                    place,
                    format!("unknown stage `{name}`"),
                    did_you_mean(name, &names),
                )
            })
    }
}

/// The gate's settings in a pipeline.
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    /// Replaces the checks file's `min_score`.
    pub min_score: Option<f64>,
    /// Warnings fail too (`fail_on: warning`).
    pub fail_on_warning: bool,
    /// JUnit XML of every month (default `<out>/junit.xml`).
    pub junit: PathBuf,
    /// Markdown summary of every month (default `<out>/summary.md`).
    pub summary: PathBuf,
}

/// A checked pipeline file.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The file.
    pub file: PathBuf,
    /// The landing folder (needed by `ingest`).
    pub landing: Option<PathBuf>,
    /// The lake.
    pub lake: PathBuf,
    /// The months to audit, in order.
    pub months: Vec<Month>,
    /// The rule pack.
    pub rules: PackSource,
    /// The checks file (default: the pack's `checks.yaml`).
    pub checks: Option<PathBuf>,
    /// The reports folder (one sub-folder per month).
    pub out: PathBuf,
    /// The stages the file names, in order.
    pub stages: Vec<Stage>,
    /// The gate's settings.
    pub check: CheckSettings,
    /// The publish folder.
    pub publish: Option<PathBuf>,
    /// The pseudonym key file (default: `$CCTNS_PSEUDONYM_KEY`).
    pub key_file: Option<PathBuf>,
    /// Publish even when the check failed.
    pub publish_if_check_fails: bool,
    /// The language of each month's `report.html` and `summary.md` (`lang`, default both).
    pub lang: Lang,
    /// The memory ingest and audits may use (`memory_limit`, e.g. `1GB`; none by default).
    pub memory_limit: Option<crate::memory::MemoryLimit>,
    /// Where the audits' plans run (`engine`: local, standalone or
    /// ballista://HOST:PORT; local by default).
    pub engine: crate::engine::Engine,
    /// Shards of stations each audit runs in (not a key of the file: the
    /// `--shards` of `run`; see [`crate::pipeline::AuditJob::shards`]).
    pub shards: Option<std::num::NonZeroUsize>,
}

const KEYS: &[&str] = &[
    "landing",
    "lake",
    "month",
    "months",
    "rules",
    "checks",
    "out",
    "stages",
    "check",
    "publish",
    "key_file",
    "publish_if_check_fails",
    "lang",
    "memory_limit",
    "engine",
];
const CHECK_KEYS: &[&str] = &["min_score", "fail_on", "junit", "summary"];

impl Pipeline {
    /// Reads and checks the pipeline file at `path`.
    pub fn load(path: &Path) -> Result<Pipeline> {
        let doc = YamlDoc::read(path, "pipeline file")?;
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = folder
            .canonicalize()
            .unwrap_or_else(|_| folder.to_path_buf());
        Reader {
            doc: &doc,
            base,
            problems: Vec::new(),
        }
        .pipeline()
    }
}

/// Reads one file, collecting its problems.
struct Reader<'a> {
    doc: &'a YamlDoc,
    base: PathBuf,
    problems: Vec<Error>,
}

/// Whether a path must exist.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Must {
    Exist,
    MayBeNew,
}

impl Reader<'_> {
    fn pipeline(mut self) -> Result<Pipeline> {
        let doc = self.doc;
        doc.unknown_keys(&doc.root, &[], KEYS, &mut self.problems);
        let stages = self.stages();
        let needs = |s: Stage| stages.contains(&s);
        let landing = match needs(Stage::Ingest) {
            true => self.required_path("landing", Must::Exist, "the landing folder to ingest"),
            false => self.path("landing", Must::MayBeNew),
        };
        let lake_must = match needs(Stage::Ingest) {
            true => Must::MayBeNew,
            false => Must::Exist,
        };
        let lake = self.required_path("lake", lake_must, "the lake folder");
        let months = self.months();
        let rules = self
            .path("rules", Must::Exist)
            .map_or(PackSource::BuiltIn, PackSource::Dir);
        let checks = self.path("checks", Must::Exist);
        let out = self.required_path("out", Must::MayBeNew, "the reports folder");
        let check = self.check_settings(out.as_deref());
        let publish = self.path("publish", Must::MayBeNew);
        let key_file = self.path("key_file", Must::Exist);
        let publish_if_check_fails =
            self.typed_or("publish_if_check_fails", false, "write true or false");
        let lang = self.typed_or("lang", Lang::Both, "write en, hi or both");
        let memory_limit = self.typed_or(
            "memory_limit",
            None,
            "write a size of at least 64MiB, e.g. 512MB or 2GiB",
        );
        let engine = self.typed_or(
            "engine",
            crate::engine::Engine::Local,
            "write local, standalone or ballista://HOST:PORT",
        );
        if needs(Stage::Publish) && publish.is_none() && !doc.root.contains_key("publish") {
            self.problems.push(Error::usage(
                doc.at(&["stages"]),
                "the stages name `publish` but the file names no publish folder",
                "add `publish: <DIR>`",
            ));
        }
        let file = doc.path.clone();
        problems_to_error(self.problems)?;
        let (Some(lake), Some(months), Some(out)) = (lake, months, out) else {
            return Err(Error::usage(
                &file,
                "incomplete pipeline file",
                "add `lake`, `month` and `out`",
            ));
        };
        Ok(Pipeline {
            file,
            landing,
            lake,
            months,
            rules,
            checks,
            out,
            stages,
            check,
            publish,
            key_file,
            publish_if_check_fails,
            lang,
            memory_limit,
            engine,
            shards: None,
        })
    }

    /// `stages:` as written, or the stages whose inputs the file names.
    fn stages(&mut self) -> Vec<Stage> {
        let doc = self.doc;
        let Some(v) = doc.root.get("stages") else {
            let mut stages = Vec::new();
            if doc.root.contains_key("landing") {
                stages.push(Stage::Ingest);
            }
            stages.extend([Stage::Audit, Stage::Check]);
            if doc.root.contains_key("publish") {
                stages.push(Stage::Publish);
            }
            return stages;
        };
        let fix = "write a list of stages, e.g. [ingest, audit, check]";
        let names: Vec<String> = doc
            .typed(v, &["stages"], fix, &mut self.problems)
            .unwrap_or_default();
        let mut stages = Vec::new();
        for name in names {
            match Stage::parse(&name, &doc.at(&["stages"])) {
                Ok(s) if !stages.contains(&s) => stages.push(s),
                Ok(_) => {}
                Err(e) => self.problems.push(e),
            }
        }
        stages.sort();
        stages
    }

    fn months(&mut self) -> Option<Vec<Month>> {
        let doc = self.doc;
        let (key, v) = match (doc.root.get("month"), doc.root.get("months")) {
            (Some(_), Some(_)) => {
                self.problems.push(Error::usage(
                    doc.at(&["months"]),
                    "both `month` and `months` are given",
                    "keep one: `month: 2024-06` or `months: 2024-06..2024-08`",
                ));
                return None;
            }
            (Some(v), None) => ("month", v),
            (None, Some(v)) => ("months", v),
            (None, None) => {
                self.problems.push(Error::usage(
                    doc.at(&[]),
                    "no month to audit",
                    "add `month: 2024-06` or `months: 2024-06..2024-08`",
                ));
                return None;
            }
        };
        let text = match v {
            Value::String(s) => s.clone(),
            other => serde_yaml_ng::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        match parse_month_range(&text) {
            Some(months) => Some(months),
            None => {
                self.problems.push(Error::usage(
                    doc.at(&[key]),
                    format!("`{key}: {text}` is not a month or a month range"),
                    "write YYYY-MM, FIRST..LAST with FIRST not after LAST (2024-06..2024-08), or `previous`",
                ));
                None
            }
        }
    }

    fn check_settings(&mut self, out: Option<&Path>) -> CheckSettings {
        let doc = self.doc;
        let out = out.map(Path::to_path_buf).unwrap_or_default();
        let mut settings = CheckSettings {
            junit: out.join("junit.xml"),
            summary: out.join("summary.md"),
            ..CheckSettings::default()
        };
        let Some(v) = doc.root.get("check") else {
            return settings;
        };
        let Value::Mapping(map) = v else {
            self.problems.push(Error::usage(
                doc.at(&["check"]),
                "`check` must be a mapping",
                "write `check:` and below it `  min_score: 80`, `  fail_on: warning`",
            ));
            return settings;
        };
        doc.unknown_keys(map, &["check"], CHECK_KEYS, &mut self.problems);
        if let Some(v) = map.get("min_score") {
            let fix = "write a score from 0 to 100, e.g. 80";
            settings.min_score =
                doc.typed::<f64>(v, &["check", "min_score"], fix, &mut self.problems);
            if settings
                .min_score
                .is_some_and(|x| !(0.0..=100.0).contains(&x))
            {
                self.problems.push(Error::usage(
                    doc.at(&["check", "min_score"]),
                    "not a score",
                    fix,
                ));
            }
        }
        if let Some(v) = map.get("fail_on") {
            match v.as_str() {
                Some("warning") => settings.fail_on_warning = true,
                Some("failure") => {}
                _ => self.problems.push(Error::usage(
                    doc.at(&["check", "fail_on"]),
                    "`check.fail_on` must be `warning` or `failure`",
                    "write `fail_on: warning` to make warnings fail",
                )),
            }
        }
        for (key, slot) in [
            ("junit", &mut settings.junit),
            ("summary", &mut settings.summary),
        ] {
            if let Some(text) = map.get(key).and_then(Value::as_str) {
                *slot = resolve(&self.base, text);
            } else if map.contains_key(key) {
                self.problems.push(Error::usage(
                    doc.at(&["check", key]),
                    format!("`check.{key}` must be a path"),
                    "write a file path (relative to the pipeline file's folder)",
                ));
            }
        }
        settings
    }

    fn typed_or<T: serde::de::DeserializeOwned>(&mut self, key: &str, default: T, fix: &str) -> T {
        match self.doc.root.get(key) {
            Some(v) => self
                .doc
                .typed(v, &[key], fix, &mut self.problems)
                .unwrap_or(default),
            None => default,
        }
    }

    fn required_path(&mut self, key: &str, must: Must, what: &str) -> Option<PathBuf> {
        if !self.doc.root.contains_key(key) {
            self.problems.push(Error::usage(
                self.doc.at(&[]),
                format!("no `{key}` ({what})"),
                format!("add `{key}: <PATH>` (relative to the pipeline file's folder)"),
            ));
            return None;
        }
        self.path(key, must)
    }

    /// The path at `key`, resolved against the file's folder.
    fn path(&mut self, key: &str, must: Must) -> Option<PathBuf> {
        let v = self.doc.root.get(key)?;
        let Some(text) = v.as_str().filter(|t| !t.trim().is_empty()) else {
            self.problems.push(Error::usage(
                self.doc.at(&[key]),
                format!("`{key}` must be a path"),
                "write a folder or file path (relative to the pipeline file's folder)",
            ));
            return None;
        };
        let path = resolve(&self.base, text);
        if must == Must::Exist && !path.exists() {
            self.problems.push(Error::usage(
                self.doc.at(&[key]),
                format!("`{key}: {text}` does not exist ({})", path.display()),
                "fix the path; relative paths are resolved against the pipeline file's folder",
            ));
            return None;
        }
        Some(path)
    }
}

/// `text` resolved against the (canonical) folder `base`, with `.` and `..`
/// taken out, so that logs name `/srv/cctns/out` rather than `pipelines/../out`.
fn resolve(base: &Path, text: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in base.join(text).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `2024-06`, `2024-06..2024-08` (in order, FIRST not after LAST), or
/// `previous` (the calendar month before today, UTC).
pub fn parse_month_range(text: &str) -> Option<Vec<Month>> {
    let text = text.trim();
    if text == "previous" {
        return Some(vec![current_month().prev()]);
    }
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let m: Month = text.parse().ok()?;
            (m, m)
        }
    };
    if first > last {
        return None;
    }
    let mut months = vec![first];
    while months.last().is_some_and(|m| *m < last) {
        months.push(months.last()?.next());
    }
    Some(months)
}

fn current_month() -> Month {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    Month::of(today.year(), today.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_files_folder() {
        let base = Path::new("/srv/cctns/pipelines");
        assert_eq!(resolve(base, "../out"), Path::new("/srv/cctns/out"));
        assert_eq!(
            resolve(base, "./x/./y"),
            Path::new("/srv/cctns/pipelines/x/y")
        );
        assert_eq!(resolve(base, "/data/lake"), Path::new("/data/lake"));
    }

    #[test]
    fn month_ranges_run_in_order() {
        let months = parse_month_range("2024-11..2025-02").unwrap();
        let names: Vec<String> = months.iter().map(|m| m.to_string()).collect();
        assert_eq!(names, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(parse_month_range("2024-06").unwrap().len(), 1);
        for bad in ["2024-08..2024-06", "2024-13", "2024-06..", "june"] {
            assert!(parse_month_range(bad).is_none(), "{bad}");
        }
    }
}
