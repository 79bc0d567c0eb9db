//! The gate's verdict as JUnit XML (the Jenkins form CI servers read),
//! written with `quick-junit`: one `<testsuite>` per district, one
//! `<testcase>` per station and check.

use super::{Case, Outcome, Verdict};
use crate::error::{Error, Result};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::path::Path;

/// The JUnit report of `verdicts` (one per month judged; suites are named
/// by district, and by district and month when several months are judged).
pub fn report(verdicts: &[Verdict]) -> Report {
    let mut report = Report::new("cctns-audit check");
    for verdict in verdicts {
        let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
        for case in &verdict.cases {
            let suite = suites.entry(&case.district_code).or_insert_with(|| {
                let name = match verdicts.len() {
                    1 => case.district_code.clone(),
                    _ => format!("{} {}", case.district_code, verdict.month),
                };
                let mut suite = TestSuite::new(name);
                suite.add_property(("month", verdict.month.to_string().as_str()));
                suite
            });
            suite.add_test_case(test_case(case));
        }
        report.add_test_suites(suites.into_values());
    }
    report
}

fn test_case(case: &Case) -> TestCase {
    let classname = match &case.ps_code {
        Some(ps) => format!("{}.{ps}", case.district_code),
        None => case.district_code.clone(),
    };
    let status = match &case.outcome {
        Outcome::Fail(why) => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(why.as_str())
                .set_type(case.name.as_str());
            status
        }
        Outcome::Pass | Outcome::Warn(_) => TestCaseStatus::success(),
    };
    let mut test = TestCase::new(case.name.as_str(), status);
    test.set_classname(classname);
    if let Outcome::Warn(why) = &case.outcome {
        test.set_system_out(format!("warning: {why}"));
    }
    test
}

/// Writes the JUnit report of `verdicts` to `path`.
pub fn write(verdicts: &[Verdict], path: &Path) -> Result<()> {
    let xml = report(verdicts)
        .to_string()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    super::write_text(path, &xml)
}
