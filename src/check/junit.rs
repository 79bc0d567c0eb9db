//! The gate's verdict as JUnit XML (the Jenkins form CI servers read),
//! built with `quick-junit`: one `<testsuite>` per district, one
//! `<testcase>` per station and check, and for an upload with files that
//! could not be read a suite `upload` with one failing `<testcase>` per
//! such file. The file validates against the Jenkins xunit plugin's
//! `junit-10.xsd` (vendored as `tests/data/junit-10.xsd`): quick-junit
//! writes a `skipped` attribute on `<testsuites>` that the schema does not
//! allow there (it does on `<testsuite>`), and no option turns it off, so
//! [`for_jenkins`] drops it from the root element.

use super::{Case, Gate, Outcome, Unreadable};
use crate::error::{Error, Result};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;
use std::path::Path;

/// The JUnit report of `gate` (suites are named by district, and by
/// district and month when several months are judged).
pub fn report(gate: &Gate<'_>) -> Report {
    let verdicts = gate.verdicts;
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
    if let Some(upload) = gate.upload.filter(|u| !u.unreadable.is_empty()) {
        let mut suite = TestSuite::new("upload");
        suite.add_property(("landing", upload.landing.as_str()));
        suite.add_test_cases(upload.unreadable.iter().map(unreadable_case));
        report.add_test_suite(suite);
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

/// A file of the upload that could not be read: classname `upload.<ps_code>`
/// (`upload` for a file outside a station folder), name its path in the
/// upload, the failure's message its error.
fn unreadable_case(file: &Unreadable) -> TestCase {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_message(format!("{} could not be read: {}", file.file, file.why))
        .set_type("unreadable_file");
    let mut test = TestCase::new(file.file.as_str(), status);
    test.set_classname(match &file.ps_code {
        Some(ps) => format!("upload.{ps}"),
        None => "upload".to_string(),
    });
    test
}

/// `xml` with the attributes of `<testsuites>` that Jenkins' `junit-10.xsd`
/// does not allow (`skipped`) removed; every other event is written back
/// as it was read.
fn for_jenkins(xml: &str) -> std::result::Result<String, String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
    loop {
        let event = match reader.read_event().map_err(|e| text(&e))? {
            Event::Eof => break,
            Event::Start(tag) if tag.name().as_ref() == b"testsuites" => {
                let mut root = BytesStart::new("testsuites");
                for attribute in tag.attributes() {
                    let attribute = attribute.map_err(|e| text(&e))?;
                    if attribute.key.as_ref() != b"skipped" {
                        root.push_attribute(attribute);
                    }
                }
                Event::Start(root)
            }
            event => event,
        };
        writer.write_event(event).map_err(|e| text(&e))?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| text(&e))
}

/// Writes the JUnit report of `gate` to `path`.
pub fn write(gate: &Gate<'_>, path: &Path) -> Result<()> {
    let bad = |e: String| Error::io(path, std::io::Error::other(e));
    let xml = report(gate).to_string().map_err(|e| bad(e.to_string()))?;
    let xml = for_jenkins(&xml).map_err(bad)?;
    super::write_text(path, &xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_loses_skipped_and_nothing_else_changes() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"a &amp; b\" tests=\"1\" skipped=\"0\" failures=\"1\" errors=\"0\">\n    <testsuite name=\"s\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"1\">\n        <testcase name=\"c\"><failure message=\"x &lt; 1\"/></testcase>\n    </testsuite>\n</testsuites>\n";
        let fixed = for_jenkins(xml).unwrap();
        assert_eq!(
            fixed,
            xml.replacen(" skipped=\"0\" failures", " failures", 1),
            "{fixed}"
        );
    }
}
