//! `explain` and `handout`: one thana's gap report, printed or on paper.
use cctns_audit::error::Result;
use cctns_audit::outcome::Outcome;
use cctns_audit::report::{write_handouts, Lang, Report};
use std::path::PathBuf;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The folder an audit wrote (holding report.json).
    #[arg(long)]
    pub out: PathBuf,
    /// The station's code.
    #[arg(long)]
    pub ps: String,
    /// Language of the report: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// Arguments of `handout`.
#[derive(Debug, clap::Args)]
pub struct HandoutArgs {
    /// The folder an audit wrote (holding report.json); the handouts are written into it.
    #[arg(long)]
    pub out: PathBuf,
    /// The station's code (repeat for several stations).
    #[arg(long, required = true)]
    pub ps: Vec<String>,
    /// Language of the handout: en, hi or both.
    #[arg(long, value_enum, default_value_t = Lang::Both)]
    pub lang: Lang,
}

/// `explain`: one thana's gap report, printed.
pub fn run_explain(args: ExplainArgs) -> Result<Outcome> {
    out!(
        "{}",
        cctns_audit::report::explain(&args.out, &args.ps, args.lang)?
    );
    Ok(Outcome::Success)
}

/// `handout`: thanas' one-page handouts from an audit's folder.
pub fn run_handout(args: HandoutArgs) -> Result<Outcome> {
    let report = Report::load(&args.out)?;
    for path in write_handouts(&report, &args.ps, &args.out, args.lang)? {
        outln!("{}", path.display());
    }
    Ok(Outcome::Success)
}
