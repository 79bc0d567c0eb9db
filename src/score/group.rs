//! Groups of states ranked among themselves (spec scoring.md v1.4), as the
//! NCRB ranks the hilly and north-eastern states beside its all-India
//! league. Input: the model's `state_groups` and the ranked states of a
//! lake; output: each state's group and rank in it. Invariants of a
//! checked model: a state is in at most one group and every group lists a
//! state; a listed state the registry does not hold is simply not ranked.

use super::rank::league_order;
use super::StateScore;
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// A group of states with a league of its own.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StateGroup {
    /// Its id, written in `states.csv` (`group_id`), e.g. `hilly-ne`.
    pub id: String,
    /// Its name in English.
    pub name: String,
    /// Its name in Hindi, when the model gives it.
    #[serde(default)]
    pub name_hi: Option<String>,
    /// The `state_code`s of its states.
    pub states: Vec<String>,
}

/// Where a problem of the groups is: `group(i)` is the `file:line` of group
/// i, `state(i, code, nth)` that of the `nth` (from 0) listing of `code`
/// in group i.
pub struct GroupPlaces<G, S> {
    /// The place of a group.
    pub group: G,
    /// The place of one listing of a state in a group.
    pub state: S,
}

/// Every problem of `groups`: an id that is empty or used twice, a group
/// with no state, and each listing of a state after its first (in the same
/// group or another one).
pub fn group_problems<G, S>(groups: &[StateGroup], places: &GroupPlaces<G, S>) -> Vec<Error>
where
    G: Fn(usize) -> String,
    S: Fn(usize, &str, usize) -> String,
{
    let mut problems = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let what = match group.id.trim().is_empty() {
            true => Some(format!("state group {} has an empty id", i + 1)),
            false => groups
                .iter()
                .take(i)
                .any(|g| g.id == group.id)
                .then(|| format!("two state groups have the id `{}`", group.id)),
        };
        if let Some(what) = what {
            problems.push(Error::usage(
                (places.group)(i),
                what,
                "give each group an id of its own, e.g. `hilly-ne`",
            ));
        }
        if group.states.is_empty() {
            problems.push(Error::usage(
                (places.group)(i),
                format!("state group `{}` has no state", group.id),
                "list its state codes under `states:`, or remove the group",
            ));
        }
        problems.extend(listed_again(groups, i, &places.state));
    }
    problems
}

/// The listings of group `i`'s states that an earlier listing (in an
/// earlier group, or earlier in this one) already made.
fn listed_again<S>(groups: &[StateGroup], i: usize, place: &S) -> Vec<Error>
where
    S: Fn(usize, &str, usize) -> String,
{
    let Some(group) = groups.get(i) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (k, code) in group.states.iter().enumerate() {
        let nth = group.states.iter().take(k).filter(|c| *c == code).count();
        let first = groups.iter().take(i).find(|g| g.states.contains(code));
        let what = match (first, nth) {
            (Some(g), _) => format!(
                "state {code} is in group `{}` and again in group `{}`",
                g.id, group.id
            ),
            (None, 0) => continue,
            (None, _) => format!("state {code} is listed twice in group `{}`", group.id),
        };
        problems.push(Error::usage(
            place(i, code, nth),
            what,
            "a state belongs to at most one group: keep it in one",
        ));
    }
    problems
}

/// Sets the group and the rank in it of every state of `states` that a
/// group lists: the states of a group ordered as in the country (score
/// rounded to two decimals, highest first, ties by `state_code`), from 1.
pub fn rank_in_groups(states: &mut [StateScore], groups: &[StateGroup]) {
    for group in groups {
        let mut members: Vec<usize> = (0..states.len())
            .filter(|&i| {
                states
                    .get(i)
                    .is_some_and(|s| group.states.contains(&s.state_code))
            })
            .collect();
        members.sort_by(|&a, &b| match (states.get(a), states.get(b)) {
            (Some(a), Some(b)) => league_order((a.score, &a.state_code), (b.score, &b.state_code)),
            _ => std::cmp::Ordering::Equal,
        });
        for (rank, i) in members.into_iter().enumerate() {
            if let Some(state) = states.get_mut(i) {
                state.group_id = Some(group.id.clone());
                state.rank_in_group = Some(rank + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, states: &[&str]) -> StateGroup {
        StateGroup {
            id: id.into(),
            name: format!("{id} states"),
            name_hi: None,
            states: states.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn state(code: &str, score: f64) -> StateScore {
        StateScore {
            state_code: code.into(),
            stations: 1,
            districts: 1,
            score,
            rank_in_country: 0,
            group_id: None,
            rank_in_group: None,
            zone: None,
        }
    }

    fn ranks(states: &[StateScore]) -> Vec<(&str, Option<&str>, Option<usize>)> {
        states
            .iter()
            .map(|s| {
                (
                    s.state_code.as_str(),
                    s.group_id.as_deref(),
                    s.rank_in_group,
                )
            })
            .collect()
    }

    #[test]
    fn states_of_a_group_rank_among_themselves_ties_by_code() {
        let mut states = vec![
            state("HR", 99.84),
            state("HP", 99.82),
            state("UK", 99.815),
            state("AS", 97.0),
            state("UP", 98.0),
        ];
        rank_in_groups(&mut states, &[group("hilly-ne", &["UK", "HP", "AS", "SK"])]);
        assert_eq!(
            ranks(&states),
            [
                ("HR", None, None),
                ("HP", Some("hilly-ne"), Some(1)),
                ("UK", Some("hilly-ne"), Some(2)),
                ("AS", Some("hilly-ne"), Some(3)),
                ("UP", None, None),
            ],
            "UK's 99.815 is written 99.82 like HP's: HP first by code; SK, listed \
             but not in the registry, is not ranked; HR and UP are in no group"
        );
    }

    #[test]
    fn two_groups_rank_apart() {
        let mut states = vec![state("DL", 90.0), state("MN", 95.0), state("HR", 91.0)];
        rank_in_groups(
            &mut states,
            &[group("ne", &["MN"]), group("north", &["DL", "HR"])],
        );
        assert_eq!(
            ranks(&states),
            [
                ("DL", Some("north"), Some(2)),
                ("MN", Some("ne"), Some(1)),
                ("HR", Some("north"), Some(1)),
            ]
        );
    }

    fn problems(groups: &[StateGroup]) -> Vec<String> {
        let places = GroupPlaces {
            group: |i: usize| format!("s.yaml:{}", 10 * (i + 1)),
            state: |i: usize, code: &str, nth: usize| {
                format!("s.yaml:{}:{code}#{nth}", 10 * (i + 1))
            },
        };
        group_problems(groups, &places)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_default_group_is_valid() {
        let hilly = [
            "HP", "UK", "JK", "LA", "AR", "AS", "MN", "ML", "MZ", "NL", "SK", "TR",
        ];
        assert!(problems(&[group("hilly-ne", &hilly)]).is_empty());
        assert!(problems(&[]).is_empty(), "no groups is valid");
    }

    #[test]
    fn a_state_in_two_groups_is_an_error_at_its_second_listing() {
        assert_eq!(
            problems(&[group("a", &["HP", "UK"]), group("b", &["DL", "HP"])]),
            ["s.yaml:20:HP#0: state HP is in group `a` and again in group `b`; a state belongs to at most one group: keep it in one"]
        );
    }

    #[test]
    fn a_state_twice_in_one_group_is_an_error_at_its_second_listing() {
        assert_eq!(
            problems(&[group("a", &["HP", "UK", "HP"])]),
            ["s.yaml:10:HP#1: state HP is listed twice in group `a`; a state belongs to at most one group: keep it in one"]
        );
    }

    #[test]
    fn a_group_without_states_is_an_error_on_its_line() {
        assert_eq!(
            problems(&[group("a", &["HP"]), group("empty", &[])]),
            ["s.yaml:20: state group `empty` has no state; list its state codes under `states:`, or remove the group"]
        );
    }

    #[test]
    fn every_group_problem_is_reported_at_once() {
        let all = problems(&[
            group("a", &["HP"]),
            group("a", &[]),
            group("c", &["HP", "HP"]),
        ]);
        assert_eq!(all.len(), 4, "{all:#?}");
        assert!(all[0].starts_with("s.yaml:20: two state groups have the id `a`"));
        assert!(all[1].contains("`a` has no state"));
        assert!(
            all[2].starts_with("s.yaml:30:HP#0: state HP is in group `a` and again in group `c`")
        );
        assert!(
            all[3].starts_with("s.yaml:30:HP#1: state HP is in group `a` and again in group `c`")
        );
    }
}
