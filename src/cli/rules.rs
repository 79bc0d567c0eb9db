//! `rules`: check, list or export a rule pack.
use cctns_audit::check::Checks;
use cctns_audit::error::Result;
use cctns_audit::outcome::Outcome;
use cctns_audit::rules::pack::CHECKS_FILE;
use cctns_audit::rules::{lint_files, PackFiles, PackSource, RulePack};
use cctns_audit::score::ScoringModel;
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule pack, its scoring model and checks file without data; exit 2 with every problem.
    Lint {
        /// The rule pack folder (default: the built-in rules/cctns).
        dir: Option<PathBuf>,
    },
    /// List a pack's rules: id, table, kind, severity, description.
    List {
        /// The rule pack folder (default: the built-in rules/cctns).
        dir: Option<PathBuf>,
    },
    /// Write the built-in rule pack (rules, scoring model, checks file) into DIR to edit it.
    Export {
        /// A new or empty folder.
        dir: PathBuf,
    },
}

/// `rules lint`: a pack, its scoring model and checks file checked without data.
pub async fn run_lint(dir: Option<PathBuf>) -> Result<Outcome> {
    let source = PackSource::choose(dir);
    let files = source.files()?;
    let pack = lint_files(&files).await?;
    let scoring = files.file(cctns_audit::rules::pack::SCORING_FILE).is_some();
    let model = match scoring {
        true => Some(ScoringModel::from_files(&files, &pack)?),
        false => None,
    };
    let zones = model.as_ref().map_or(&[][..], |m| m.zones.as_slice());
    let checks = files
        .file(CHECKS_FILE)
        .map(|f| Checks::parse(&f.path, &f.text, &pack, zones));
    if let Some(checks) = checks {
        checks?;
    }
    print_lint(&pack, &source);
    Ok(Outcome::Success)
}

fn print_lint(pack: &RulePack, source: &PackSource) {
    outln!("{}: {} rules, all valid", source.label(), pack.rules.len());
}

/// `rules export`: the built-in pack into a folder.
pub fn run_export(dir: &Path) -> Result<Outcome> {
    PackFiles::built_in().export(dir)?;
    outln!(
        "wrote the built-in rule pack into {}; edit it and pass --rules {}",
        dir.display(),
        dir.display()
    );
    Ok(Outcome::Success)
}

/// `rules list`: a pack's rules, one line each.
pub fn run_list(dir: Option<PathBuf>) -> Result<Outcome> {
    let pack = RulePack::from_files(&PackSource::choose(dir).files()?)?;
    outln!(
        "{:<20} {:<15} {:<10} {:<8} description",
        "id",
        "table",
        "kind",
        "severity"
    );
    for r in &pack.rules {
        outln!(
            "{:<20} {:<15} {:<10} {:<8} {}",
            r.id,
            r.table,
            r.kind.name(),
            r.severity.as_str(),
            r.description
        );
    }
    Ok(Outcome::Success)
}
