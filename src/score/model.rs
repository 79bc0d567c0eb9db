//! The scoring model as YAML (`scoring.yaml` beside the rules): parameters,
//! weights, rule membership, the no-upload rule and FIR-volume bands.

use crate::error::{Error, Result};
use crate::rules::{RulePack, Severity};
use serde::Deserialize;
use std::path::Path;

/// One parameter: a weight and the error rules that can lose it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Id, e.g. `P1`.
    pub id: String,
    /// Name, e.g. `FIR completeness`.
    pub name: String,
    /// Its name in Hindi, when the model gives it (`name_hi`).
    #[serde(default)]
    pub name_hi: Option<String>,
    /// Its points out of 100.
    pub weight: f64,
    /// Rule ids.
    pub rules: Vec<String>,
}

/// A FIR-volume band: stations with at most `max_firs` distinct FIRs (no bound when absent).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// `A`, `B`, `C`.
    pub name: String,
    /// Upper bound, inclusive.
    pub max_firs: Option<u64>,
}

/// The measure that sets a station's category: an aggregate over one table's rows of the month.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// The table, e.g. `fir`.
    pub table: String,
    /// The aggregate SQL expression, e.g. `count(DISTINCT fir_no)`.
    pub value: String,
}

/// The scoring model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringModel {
    /// Parameters, in report order.
    pub parameters: Vec<Parameter>,
    /// A station failing this rule scores 0 with all points lost to it.
    pub no_upload_rule: Option<String>,
    /// What the bands measure.
    pub volume: Volume,
    /// Bands, in order; the first that holds applies.
    pub categories: Vec<Category>,
}

impl ScoringModel {
    /// Loads `scoring.yaml` of a rule pack folder and checks it against the pack.
    pub fn load(dir: &Path, pack: &RulePack) -> Result<ScoringModel> {
        ScoringModel::from_files(&crate::rules::PackFiles::read(dir)?, pack)
    }

    /// The scoring model of a pack's files, checked against its rules.
    pub fn from_files(files: &crate::rules::PackFiles, pack: &RulePack) -> Result<ScoringModel> {
        let file = files
            .file(crate::rules::pack::SCORING_FILE)
            .ok_or_else(|| {
                Error::usage(
                    files.dir.join(crate::rules::pack::SCORING_FILE),
                    "no scoring model",
                    "put scoring.yaml (parameters, categories) beside the rules",
                )
            })?;
        let model: ScoringModel = serde_yaml_ng::from_str(&file.text).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            Error::usage(
                format!("{}:{line}", file.path.display()),
                e.to_string(),
                "fix the YAML",
            )
        })?;
        model.check(&file.path, &file.text, pack)?;
        Ok(model)
    }

    fn check(&self, path: &Path, text: &str, pack: &RulePack) -> Result<()> {
        let mut problems = Vec::new();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map_or(1, |i| i + 1)
        };
        let mut seen: Vec<&str> = Vec::new();
        for p in &self.parameters {
            for id in &p.rules {
                let place = format!("{}:{}", path.display(), line_of(id));
                match pack.rule(id) {
                    None => problems.push(Error::usage(
                        place,
                        format!("parameter {}: unknown rule id {id}", p.id),
                        "name a rule of the pack (cctns-audit rules list)",
                    )),
                    Some(r) if r.severity != Severity::Error => problems.push(Error::usage(
                        place,
                        format!("parameter {}: rule {id} is a warning", p.id),
                        "only error rules count in the score; remove it",
                    )),
                    Some(_) if seen.contains(&id.as_str()) => problems.push(Error::usage(
                        place,
                        format!("rule {id} is in two parameters"),
                        "keep it in one",
                    )),
                    Some(_) => seen.push(id),
                }
            }
        }
        let total: f64 = self.parameters.iter().map(|p| p.weight).sum();
        if (total - 100.0).abs() > 1e-9 {
            problems.push(Error::usage(
                format!("{}:{}", path.display(), line_of("parameters:")),
                format!("the weights add up to {total}, not 100"),
                "change the weights",
            ));
        }
        if let Some(id) = &self.no_upload_rule {
            if pack.rule(id).is_none() {
                problems.push(Error::usage(
                    format!("{}:{}", path.display(), line_of("no_upload_rule")),
                    format!("unknown rule id {id}"),
                    "name a station rule of the pack",
                ));
            }
        }
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Many(problems)),
        }
    }

    /// The category of a station with `firs` distinct FIRs.
    pub fn category(&self, firs: u64) -> String {
        self.categories
            .iter()
            .find(|c| c.max_firs.is_none_or(|max| firs <= max))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
}
