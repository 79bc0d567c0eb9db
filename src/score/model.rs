//! The scoring model as YAML (`scoring.yaml` beside the rules): parameters,
//! weights, rule membership, the no-upload rule, FIR-volume bands and
//! (v1.4) groups of states and zones. Every problem of the file is
//! reported at once, one line each with the file and the line.

use super::group::{group_problems, GroupPlaces, StateGroup};
use super::zone::{zone_problems, Zone};
use crate::error::{Error, Result};
use crate::rules::{RulePack, Severity};
use crate::yaml::{item_spans, top_key_line, word_line};
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
    /// Groups of states ranked among themselves (v1.4); none when absent.
    #[serde(default)]
    pub state_groups: Vec<StateGroup>,
    /// Zones, from the highest `min_score` down to 0 (v1.4); none when absent.
    #[serde(default)]
    pub zones: Vec<Zone>,
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
        problems.extend(self.league_problems(path, text));
        crate::yaml::problems_to_error(problems)
    }

    /// The problems of `state_groups` and `zones`, each at its line of `text`.
    fn league_problems(&self, path: &Path, text: &str) -> Vec<Error> {
        let at = |line: usize| format!("{}:{line}", path.display());
        let item_at = |key: &str, spans: &[std::ops::Range<usize>], i: usize| {
            let line = spans.get(i).map(|r| r.start);
            at(line.or_else(|| top_key_line(text, key)).unwrap_or(1))
        };
        let groups = item_spans(text, "state_groups");
        let zones = item_spans(text, "zones");
        let places = GroupPlaces {
            group: |i: usize| item_at("state_groups", &groups, i),
            state: |i: usize, code: &str, nth: usize| {
                let line = groups
                    .get(i)
                    .and_then(|span| word_line(text, span.clone(), "states", code, nth));
                line.map_or_else(|| item_at("state_groups", &groups, i), at)
            },
        };
        let mut problems = group_problems(&self.state_groups, &places);
        problems.extend(zone_problems(&self.zones, |i| item_at("zones", &zones, i)));
        problems
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pack::SCORING_FILE;
    use crate::rules::PackFiles;

    /// The built-in model's text up to its (v1.4) groups and zones.
    fn base() -> String {
        let files = PackFiles::built_in();
        let text = &files.file(SCORING_FILE).unwrap().text;
        text[..text.find("\n# Groups of states").unwrap()].to_string() + "\n"
    }

    /// The built-in pack with `leagues` after the base model, and the line
    /// number in the whole file of `leagues`' line 1.
    fn model(leagues: &str) -> (Result<ScoringModel>, usize) {
        let base = base();
        let first = base.lines().count() + 1;
        let mut files = PackFiles::built_in();
        let pack = RulePack::from_files(&files).unwrap();
        for f in files.files.iter_mut().filter(|f| f.name == SCORING_FILE) {
            f.text = format!("{base}{leagues}");
        }
        (ScoringModel::from_files(&files, &pack), first)
    }

    fn lines_of(e: &Error) -> Vec<String> {
        e.to_string().lines().map(str::to_string).collect()
    }

    #[test]
    fn the_default_model_ships_the_hilly_and_north_eastern_group_and_three_zones() {
        let files = PackFiles::built_in();
        let pack = RulePack::from_files(&files).unwrap();
        let m = ScoringModel::from_files(&files, &pack).unwrap();
        let [g] = m.state_groups.as_slice() else {
            panic!("one group: {:?}", m.state_groups)
        };
        assert_eq!(
            (g.id.as_str(), g.name.as_str()),
            ("hilly-ne", "Hilly and north-eastern states")
        );
        assert_eq!(g.name_hi.as_deref(), Some("पहाड़ी और पूर्वोत्तर राज्य"));
        assert_eq!(
            g.states,
            ["HP", "UK", "JK", "LA", "AR", "AS", "MN", "ML", "MZ", "NL", "SK", "TR"]
        );
        let zones: Vec<(&str, &str, f64)> = m
            .zones
            .iter()
            .map(|z| (z.name.as_str(), z.name_hi.as_deref().unwrap(), z.min_score))
            .collect();
        assert_eq!(
            zones,
            [
                ("green", "हरा", 75.0),
                ("blue", "नीला", 65.0),
                ("red", "लाल", 0.0)
            ]
        );
    }

    #[test]
    fn a_model_without_groups_or_zones_has_none() {
        let (m, _) = model("");
        let m = m.unwrap();
        assert!(m.state_groups.is_empty() && m.zones.is_empty());
    }

    #[test]
    fn a_state_in_two_groups_is_refused_at_its_second_listing() {
        let (e, at) = model(
            "state_groups:\n  - id: a\n    name: A\n    states: [HP, UK]\n  - id: b\n    name: B\n    states:\n      - DL\n      - UK\n",
        );
        let e = e.unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            lines_of(&e),
            [format!(
                "built-in rules/cctns/scoring.yaml:{}: state UK is in group `a` and again in group `b`; a state belongs to at most one group: keep it in one",
                at + 8
            )]
        );
    }

    #[test]
    fn a_state_twice_in_one_group_is_refused_at_its_second_listing() {
        let (e, at) =
            model("state_groups:\n- id: a\n  name: A\n  states:\n  - HP\n  - HPX\n  - HP\n");
        assert_eq!(
            lines_of(&e.unwrap_err()),
            [format!(
                "built-in rules/cctns/scoring.yaml:{}: state HP is listed twice in group `a`; a state belongs to at most one group: keep it in one",
                at + 6
            )]
        );
    }

    #[test]
    fn a_group_without_states_is_refused_on_its_line() {
        let (e, at) = model(
            "state_groups:\n  - { id: a, name: A, states: [HP] }\n  - { id: b, name: B, states: [] }\n",
        );
        assert_eq!(
            lines_of(&e.unwrap_err()),
            [format!(
                "built-in rules/cctns/scoring.yaml:{}: state group `b` has no state; list its state codes under `states:`, or remove the group",
                at + 2
            )]
        );
    }

    #[test]
    fn zones_that_do_not_fall_strictly_are_refused_on_their_line() {
        let (e, at) = model(
            "zones:\n  - { name: green, min_score: 75 }\n  - { name: blue, min_score: 75 }\n  - { name: red, min_score: 0 }\n",
        );
        assert_eq!(
            lines_of(&e.unwrap_err()),
            [format!(
                "built-in rules/cctns/scoring.yaml:{}: zone `blue`: min_score 75 is not below the 75 of zone `green` before it; write the zones from the highest min_score down, each strictly lower than the one before",
                at + 2
            )]
        );
    }

    #[test]
    fn zones_that_do_not_end_at_zero_are_refused_on_the_last_ones_line() {
        let (e, at) = model(
            "zones:\n  - { name: green, min_score: 75 }\n  - { name: blue, min_score: 65 }\n",
        );
        assert_eq!(
            lines_of(&e.unwrap_err()),
            [format!(
                "built-in rules/cctns/scoring.yaml:{}: the last zone `blue` has min_score 65, not 0; end the zones with one of min_score: 0, so that every score has a zone",
                at + 2
            )]
        );
    }

    #[test]
    fn every_problem_of_groups_and_zones_is_reported_at_once() {
        let (e, at) = model(concat!(
            "state_groups:\n",
            "  - { id: a, name: A, states: [HP, HP] }\n",
            "  - { id: b, name: B, states: [] }\n",
            "zones:\n",
            "  - { name: green, min_score: 75 }\n",
            "  - { name: blue, min_score: 80 }\n",
            "  - { name: red, min_score: 10 }\n",
        ));
        let e = e.unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let places: Vec<String> = lines_of(&e)
            .iter()
            .map(|l| l.split(": ").next().unwrap().to_string())
            .collect();
        let file = "built-in rules/cctns/scoring.yaml";
        assert_eq!(
            places,
            [1, 2, 5, 6].map(|n| format!("{file}:{}", at + n)),
            "{e}"
        );
    }
}
