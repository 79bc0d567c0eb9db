//! How a command that ran to its end went, and the one place the process's
//! exit code is decided (outputs.md v1.3): 0 done; 1 done, but some input
//! failed (file errors at ingest; the rest loaded) or a check of the gate
//! failed; 2 bad usage or input and 3 the tool could not finish, both
//! errors ([`crate::error::Error::exit_code`]).

use crate::error::Result;

/// How a command, or a stage of a pipeline, that ran to its end went.
/// Ordered from best to worst: a run ends with its worst stage's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Outcome {
    /// Everything done.
    #[default]
    Success,
    /// Done, but some input failed (some file errors; the rest loaded), or
    /// a check of the gate failed: exit 1.
    Partial,
    /// Done for everything else, but reading some file hit a bug of this
    /// program (named on its error line): exit 3.
    Incomplete,
}

impl Outcome {
    /// The gate's outcome: a failed gate is a partial success.
    pub fn of_gate(passed: bool) -> Outcome {
        match passed {
            true => Outcome::Success,
            false => Outcome::Partial,
        }
    }

    /// This outcome's exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Partial => 1,
            Outcome::Incomplete => 3,
        }
    }
}

/// The exit code of a command that ended with `result`.
pub fn exit_code(result: &Result<Outcome>) -> u8 {
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => e.exit_code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_ends_with_its_worst_stage() {
        let stages = [Outcome::Partial, Outcome::Success, Outcome::Incomplete];
        assert_eq!(stages.iter().max(), Some(&Outcome::Incomplete));
        assert_eq!(Outcome::of_gate(false).exit_code(), 1);
        assert_eq!(exit_code(&Ok(Outcome::Success)), 0);
    }
}
