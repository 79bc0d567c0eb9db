//! The checks file (YAML; spec outputs.md, "The CI gate"): limits a month's
//! audit must hold. Every problem of the file is reported at once.

use super::{Checks, Limit, Limits, MinZone, NoUpload};
use crate::error::{Error, Result};
use crate::rules::RulePack;
use crate::score::Zone;
use crate::yaml::{did_you_mean, key_text, problems_to_error, YamlDoc};
use serde_yaml_ng::Value;
use std::path::Path;

const KEYS: &[&str] = &[
    "min_score",
    "min_district_score",
    "min_zone",
    "no_upload",
    "max_quarantined",
    "rules",
];
const LIMIT_KEYS: &[&str] = &["warn", "fail"];
const LIMIT_FIX: &str = "write a count (5) or a percent (2%, 0.5%) between 0% and 100%";

impl Checks {
    /// Reads and checks a checks file; rule ids must be rules of `pack`
    /// and a `min_zone` one of `zones`, the scoring model's.
    pub fn load(path: &Path, pack: &RulePack, zones: &[Zone]) -> Result<Checks> {
        Checks::from_doc(&YamlDoc::read(path, "checks file")?, pack, zones)
    }

    /// Checks the text of a checks file (named `path` in messages).
    pub fn parse(path: &Path, text: &str, pack: &RulePack, zones: &[Zone]) -> Result<Checks> {
        Checks::from_doc(
            &YamlDoc::parse(path, text.to_string(), "checks file")?,
            pack,
            zones,
        )
    }

    fn from_doc(doc: &YamlDoc, pack: &RulePack, zones: &[Zone]) -> Result<Checks> {
        let mut problems = Vec::new();
        doc.unknown_keys(&doc.root, &[], KEYS, &mut problems);
        let mut checks = Checks {
            file: doc.path.clone(),
            ..Checks::default()
        };
        let get = |key: &str| doc.root.get(key).filter(|v| !v.is_null());
        checks.min_score = get("min_score").and_then(|v| score(doc, v, "min_score", &mut problems));
        checks.min_district_score = get("min_district_score")
            .and_then(|v| score(doc, v, "min_district_score", &mut problems));
        checks.min_zone = get("min_zone").and_then(|v| min_zone(doc, v, zones, &mut problems));
        if let Some(v) = get("no_upload") {
            checks.no_upload = doc.typed::<NoUpload>(
                v,
                &["no_upload"],
                "write fail, warn or ignore",
                &mut problems,
            );
        }
        checks.max_quarantined = get("max_quarantined")
            .and_then(|v| limits(doc, v, &["max_quarantined"], true, &mut problems));
        if let Some(v) = get("rules") {
            checks.rules = rule_limits(doc, v, pack, &mut problems);
        }
        problems_to_error(problems)?;
        Ok(checks)
    }
}

/// A score limit: a number from 0 to 100.
fn score(doc: &YamlDoc, v: &Value, key: &str, problems: &mut Vec<Error>) -> Option<f64> {
    let x = doc.typed::<f64>(v, &[key], "write a score from 0 to 100, e.g. 80", problems)?;
    if (0.0..=100.0).contains(&x) {
        return Some(x);
    }
    problems.push(Error::usage(
        doc.at(&[key]),
        format!("`{key}: {x}` is not a score"),
        "write a score from 0 to 100, e.g. 80",
    ));
    None
}

/// `min_zone: NAME`: a zone of the model; it and the zones before it pass.
fn min_zone(
    doc: &YamlDoc,
    v: &Value,
    zones: &[Zone],
    problems: &mut Vec<Error>,
) -> Option<MinZone> {
    let fix = "write the name of a zone of scoring.yaml, e.g. `min_zone: blue`";
    let name = doc.typed::<String>(v, &["min_zone"], fix, problems)?;
    if zones.is_empty() {
        problems.push(Error::usage(
            doc.at(&["min_zone"]),
            format!("`min_zone: {name}`: the scoring model has no zones"),
            "add `zones:` to the rule pack's scoring.yaml (`cctns-audit rules export DIR` shows the default), or remove min_zone",
        ));
        return None;
    }
    let names: Vec<&str> = zones.iter().map(|z| z.name.as_str()).collect();
    let Some(at) = names.iter().position(|z| *z == name) else {
        problems.push(Error::usage(
            doc.at(&["min_zone"]),
            format!("unknown zone `{name}`"),
            format!(
                "{} (the zones of scoring.yaml)",
                did_you_mean(&name, &names)
            ),
        ));
        return None;
    };
    Some(MinZone {
        passing: names.iter().take(at + 1).map(|z| z.to_string()).collect(),
        name,
    })
}

/// `{ warn: L, fail: L }`, or (when `bare_fails`) a single limit that fails.
fn limits(
    doc: &YamlDoc,
    v: &Value,
    keys: &[&str],
    bare_fails: bool,
    problems: &mut Vec<Error>,
) -> Option<Limits> {
    let Value::Mapping(map) = v else {
        return match bare_fails {
            true => limit(doc, v, keys, problems).map(|fail| Limits {
                warn: None,
                fail: Some(fail),
            }),
            false => {
                problems.push(Error::usage(
                    doc.at(keys),
                    format!("`{}` needs its limits", keys.join(".")),
                    "write `{ fail: 0 }` or `{ warn: 1, fail: 5% }`",
                ));
                None
            }
        };
    };
    doc.unknown_keys(map, keys, LIMIT_KEYS, problems);
    let slot = |name: &str, problems: &mut Vec<Error>| {
        let mut at = keys.to_vec();
        at.push(name);
        map.get(name)
            .filter(|v| !v.is_null())
            .and_then(|v| limit(doc, v, &at, problems))
    };
    let limits = Limits {
        warn: slot("warn", problems),
        fail: slot("fail", problems),
    };
    if limits.warn.is_none() && limits.fail.is_none() && map.is_empty() {
        problems.push(Error::usage(
            doc.at(keys),
            format!("`{}` sets no limit", keys.join(".")),
            "write `fail:`, `warn:` or both",
        ));
    }
    Some(limits)
}

/// One limit: a non-negative whole count, or a percent `N%` / `N.N%` from 0 to 100.
fn limit(doc: &YamlDoc, v: &Value, keys: &[&str], problems: &mut Vec<Error>) -> Option<Limit> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().map(Limit::Count),
        Value::String(s) => parse_percent(s),
        _ => None,
    };
    if parsed.is_none() {
        let shown = serde_yaml_ng::to_string(v).unwrap_or_default();
        problems.push(Error::usage(
            doc.at(keys),
            format!(
                "`{}: {}` is not a count or a percent",
                keys.join("."),
                shown.trim()
            ),
            LIMIT_FIX,
        ));
    }
    parsed
}

/// `2%`, `0.5%`, `100%` as an exact fraction; `None` for anything else.
pub fn parse_percent(text: &str) -> Option<Limit> {
    let number = text.trim().strip_suffix('%')?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 6 {
        return None;
    }
    let scale = 10u64.pow(fraction.len() as u32);
    let scaled: u64 = format!("{whole}{fraction}").parse().ok()?;
    (scaled <= 100 * scale).then_some(Limit::Percent { scaled, scale })
}

fn rule_limits(
    doc: &YamlDoc,
    v: &Value,
    pack: &RulePack,
    problems: &mut Vec<Error>,
) -> Vec<(String, Limits)> {
    let Value::Mapping(map) = v else {
        problems.push(Error::usage(
            doc.at(&["rules"]),
            "`rules` must map rule ids to limits",
            "write `rules:` and below it `  FRP-OVERDUE: { fail: 0 }`",
        ));
        return Vec::new();
    };
    let ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
    let mut out = Vec::new();
    for (key, value) in map {
        let id = key_text(key);
        if pack.rule(&id).is_none() {
            problems.push(Error::usage(
                doc.at(&["rules", &id]),
                format!("unknown rule id `{id}`"),
                did_you_mean(&id, &ids),
            ));
            continue;
        }
        if let Some(l) = limits(doc, value, &["rules", &id], false, problems) {
            out.push((id, l));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odisha() -> Vec<Zone> {
        [("green", 75.0), ("blue", 65.0), ("red", 0.0)]
            .map(|(name, min_score)| Zone {
                name: name.into(),
                name_hi: None,
                min_score,
            })
            .to_vec()
    }

    fn parsed(text: &str, zones: &[Zone]) -> Result<Checks> {
        let pack = RulePack::from_files(&crate::rules::PackFiles::built_in()).unwrap();
        Checks::parse(Path::new("c.yaml"), text, &pack, zones)
    }

    #[test]
    fn min_zone_passes_the_named_zone_and_those_before_it() {
        let checks = parsed("min_score: 10\nmin_zone: blue\n", &odisha()).unwrap();
        assert_eq!(
            checks.min_zone,
            Some(MinZone {
                name: "blue".into(),
                passing: vec!["green".into(), "blue".into()],
            })
        );
    }

    #[test]
    fn an_unknown_zone_is_an_error_on_its_line_with_the_closest_name() {
        let e = parsed("min_score: 10\nmin_zone: bleu\n", &odisha()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yaml:2: unknown zone `bleu`; did you mean `blue`? (the zones of scoring.yaml)"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn min_zone_without_zones_in_the_model_names_the_fix() {
        let e = parsed("min_zone: blue\n", &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.yaml:1: `min_zone: blue`: the scoring model has no zones; add `zones:` to the rule pack's scoring.yaml (`cctns-audit rules export DIR` shows the default), or remove min_zone"
        );
    }

    #[test]
    fn a_bad_min_zone_is_reported_with_the_other_problems() {
        let e = parsed("min_zone: [blue]\nmin_scor: 80\n", &odisha()).unwrap_err();
        let lines: Vec<String> = e.to_string().lines().map(str::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines.iter().any(|l| l.starts_with("c.yaml:1: `min_zone`")),
            "{lines:?}"
        );
    }

    #[test]
    fn percents_are_exact_fractions() {
        assert_eq!(
            parse_percent("2%"),
            Some(Limit::Percent {
                scaled: 2,
                scale: 1
            })
        );
        assert_eq!(
            parse_percent("0.5%"),
            Some(Limit::Percent {
                scaled: 5,
                scale: 10
            })
        );
        for bad in ["5", "%", "-1%", "101%", "1e2%", "5 %x", ".5%", "2.5.1%"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
    }
}
