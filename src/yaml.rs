//! Reading the project's YAML configuration files (checks files, pipeline
//! files) so that every problem of a file is reported at once, each on one
//! line with the file, the line and the fix: the file is parsed to a YAML
//! value, unknown keys are named with a "did you mean" hint, and each known
//! key's value is deserialised (typed, with serde) on its own.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_yaml_ng::{Mapping, Value};
use std::path::{Path, PathBuf};

/// A parsed YAML file whose top level is a mapping.
#[derive(Debug, Clone)]
pub struct YamlDoc {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Its top-level mapping.
    pub root: Mapping,
}

impl YamlDoc {
    /// Reads and parses `path`; `what` names the kind of file for messages.
    pub fn read(path: &Path, what: &str) -> Result<YamlDoc> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::usage(
                path,
                format!("cannot read the {what} ({e})"),
                format!("pass the path of an existing {what}"),
            )
        })?;
        YamlDoc::parse(path, text, what)
    }

    /// Parses `text` (the content of `path`).
    pub fn parse(path: &Path, text: String, what: &str) -> Result<YamlDoc> {
        let value: Value = serde_yaml_ng::from_str(&text).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            let message = e.to_string();
            let first = message.split(" at line ").next().unwrap_or(&message);
            Error::usage(
                format!("{}:{line}", path.display()),
                format!("not valid YAML ({first})"),
                "fix the YAML syntax",
            )
        })?;
        let root = match value {
            Value::Mapping(m) => m,
            Value::Null => Mapping::new(),
            _ => {
                return Err(Error::usage(
                    format!("{}:1", path.display()),
                    format!("a {what} must be a mapping of keys to values"),
                    "write `key: value` lines at the top level",
                ))
            }
        };
        Ok(YamlDoc {
            path: path.to_path_buf(),
            text,
            root,
        })
    }

    /// `file:line` of the key path `keys` (the last key found along it; line 1 if none).
    pub fn at(&self, keys: &[&str]) -> String {
        format!("{}:{}", self.path.display(), self.line(keys))
    }

    /// The 1-based line that sets the key path `keys` (nested mapping
    /// keys, outermost first), found by indentation.
    pub fn line(&self, keys: &[&str]) -> usize {
        let lines: Vec<&str> = self.text.lines().collect();
        let mut found = 0usize;
        let mut from = 0usize;
        let mut indent: Option<usize> = None;
        for key in keys {
            let mut hit = None;
            for (i, l) in lines.iter().enumerate().skip(from) {
                if l.trim().is_empty() || is_comment(l) {
                    continue;
                }
                if indent.is_some_and(|d| indentation(l) <= d) {
                    break;
                }
                if sets_key(l, key) {
                    hit = Some((i, indentation(l)));
                    break;
                }
            }
            let Some((i, depth)) = hit else {
                break;
            };
            found = i;
            from = i + 1;
            indent = Some(depth);
        }
        found + 1
    }

    /// Adds a problem for every key of `map` (at key path `parents`) that
    /// is not one of `known`, with the closest known key as the fix.
    pub fn unknown_keys(
        &self,
        map: &Mapping,
        parents: &[&str],
        known: &[&str],
        problems: &mut Vec<Error>,
    ) {
        for key in map.keys() {
            let name = key_text(key);
            if known.contains(&name.as_str()) {
                continue;
            }
            let mut path: Vec<&str> = parents.to_vec();
            path.push(&name);
            problems.push(Error::usage(
                self.at(&path),
                format!("unknown key `{name}`"),
                did_you_mean(&name, known),
            ));
        }
    }

    /// The value at `keys` deserialised as `T`, or a problem naming its
    /// line, what was wrong and `fix`.
    pub fn typed<T: DeserializeOwned>(
        &self,
        value: &Value,
        keys: &[&str],
        fix: &str,
        problems: &mut Vec<Error>,
    ) -> Option<T> {
        match serde_yaml_ng::from_value::<T>(value.clone()) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = e.to_string();
                let first = message.split(" at line ").next().unwrap_or(&message);
                problems.push(Error::usage(
                    self.at(keys),
                    format!("`{}`: {first}", keys.join(".")),
                    fix,
                ));
                None
            }
        }
    }
}

/// A mapping key as text (YAML allows numbers and booleans as keys).
pub fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// "did you mean `X`?" for the known name closest to `name` (edits,
/// a swap of two letters counting as one; ties to the one of nearer
/// length), else the list of known names.
pub fn did_you_mean(name: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|k| {
            (
                strsim::osa_distance(name, k),
                k.len().abs_diff(name.len()),
                *k,
            )
        })
        .filter(|(d, _, k)| *d <= 3.max(k.len() / 3))
        .min();
    match closest {
        Some((_, _, best)) => format!("did you mean `{best}`?"),
        None => format!("use one of {}", known.join(", ")),
    }
}

/// One problem, or all of them, as one error.
pub fn problems_to_error(mut problems: Vec<Error>) -> Result<()> {
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(Error::Many(problems)),
    }
}

/// The 1-based line that sets the top-level key `key` (written at the
/// start of a line, comments skipped).
pub fn top_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| !l.starts_with([' ', '\t', '-', '#']) && sets_key(l, key))
        .map(|i| i + 1)
}

/// The 1-based lines of each item of the block sequence under the
/// top-level key `key` (`key:` then `- …` lines): item i begins on
/// `start` and ends before `end`. Empty when the key is absent or its
/// items are written in flow style (`key: [ … ]`).
pub fn item_spans(text: &str, key: &str) -> Vec<std::ops::Range<usize>> {
    let Some(key_line) = top_key_line(text, key) else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut end = key_line + 1;
    let mut dash: Option<usize> = None;
    for (i, l) in text.lines().enumerate().skip(key_line) {
        if l.trim().is_empty() || is_comment(l) {
            continue;
        }
        let depth = l.len() - l.trim_start_matches(' ').len();
        let item = l.trim_start().starts_with("- ") || l.trim() == "-";
        if depth == 0 && !item {
            break;
        }
        if item && *dash.get_or_insert(depth) == depth {
            starts.push(i + 1);
        }
        end = i + 2;
    }
    let ends = starts.iter().skip(1).copied().chain([end]);
    starts.iter().zip(ends).map(|(&s, e)| s..e).collect()
}

/// The 1-based line, within `lines` and at or after the line that sets
/// `after_key`, of the `nth` (from 0) whole-word occurrence of `word`
/// (not part of a longer code such as `UP-1` or `HPX`).
pub fn word_line(
    text: &str,
    lines: std::ops::Range<usize>,
    after_key: &str,
    word: &str,
    nth: usize,
) -> Option<usize> {
    let mut seen = 0;
    let mut started = false;
    for (i, l) in text.lines().enumerate() {
        let number = i + 1;
        if !lines.contains(&number) {
            continue;
        }
        started = started || sets_key(l, after_key);
        if !started || is_comment(l) {
            continue;
        }
        seen += whole_words(l, word);
        if seen > nth {
            return Some(number);
        }
    }
    None
}

/// How many times `word` stands alone in `line` (its neighbours are not
/// letters, digits, `-` or `_`).
fn whole_words(line: &str, word: &str) -> usize {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    line.match_indices(word)
        .filter(|(at, _)| {
            let before = line.get(..*at).and_then(|s| s.chars().next_back());
            let after = line.get(at + word.len()..).and_then(|s| s.chars().next());
            !part(before) && !part(after)
        })
        .count()
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '-']).len()
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

fn sets_key(line: &str, key: &str) -> bool {
    let rest = line.trim_start_matches([' ', '-', '{']).trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    rest.strip_prefix(key)
        .is_some_and(|r| r.trim_start_matches(['"', '\'']).starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> YamlDoc {
        YamlDoc::parse(Path::new("p.yaml"), text.to_string(), "file").unwrap()
    }

    #[test]
    fn nested_keys_are_found_on_their_lines() {
        let d = doc("a: 1\n# c\nrules:\n  X: { fail: 0 }\n  Y:\n    warn: 1\nb: 2\n");
        assert_eq!(d.line(&["a"]), 1);
        assert_eq!(d.line(&["rules"]), 3);
        assert_eq!(d.line(&["rules", "Y"]), 5);
        assert_eq!(d.line(&["rules", "Y", "warn"]), 6);
        assert_eq!(d.line(&["rules", "X"]), 4);
        assert_eq!(d.line(&["b"]), 7);
    }

    #[test]
    fn sequence_items_and_words_in_them_are_found_on_their_lines() {
        let text = "# zones: a comment\nzones:\n  - { name: a }\n  # c\n  - name: b\n    states:\n      - HP\n      - HPX\n      - HP\nother: 1\n";
        assert_eq!(top_key_line(text, "zones"), Some(2));
        assert_eq!(item_spans(text, "zones"), [3..5, 5..10]);
        assert_eq!(word_line(text, 5..10, "states", "HP", 0), Some(7));
        assert_eq!(word_line(text, 5..10, "states", "HP", 1), Some(9));
        assert_eq!(word_line(text, 5..10, "states", "HP", 2), None);
        assert_eq!(
            word_line("g:\n- states: [UP, UP-1, UP]\n", 2..3, "states", "UP", 1),
            Some(2)
        );
        assert!(item_spans("zones: [{ name: a }]\n", "zones").is_empty());
        assert!(item_spans("other: 1\n", "zones").is_empty());
    }

    #[test]
    fn a_misspelt_key_gets_the_closest_known_one() {
        assert_eq!(
            did_you_mean("min_scor", &["min_score", "rules"]),
            "did you mean `min_score`?"
        );
        assert_eq!(
            did_you_mean("checsk", &["check", "checks"]),
            "did you mean `checks`?"
        );
        assert!(did_you_mean("zzzzzzzz", &["min_score", "rules"]).starts_with("use one of"));
    }
}
