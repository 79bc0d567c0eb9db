//! Typing and quarantine: a file's text cells to loaded rows and quarantined rows.
//!
//! Input: [`Parsed`] cells and where the file came from. Output: a typed
//! batch of the rows that load (lake schema, with lineage) and the
//! quarantined rows with every reason that applies. Invariant: rows read =
//! rows loaded + rows quarantined; `E-ROW-WIDTH` and a line that is not a
//! JSON object carry that reason alone.

use super::cells::Parsed;
use super::values::parse_column;
use crate::contract::TableDef;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::compute::filter;
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

/// A quarantine reason of the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A key column is empty, or missing from the header.
    KeyMissing(&'static str),
    /// The header names a contract column twice.
    HeaderDuplicate(&'static str),
    /// A non-empty value does not parse as its column's type.
    Parse(&'static str),
    /// The row's `ps_code` differs from its folder's.
    PsMismatch,
    /// A CSV record has more or fewer fields than the header.
    RowWidth,
    /// A JSON line that is not an object, or a value of an impossible JSON type.
    BadRecord,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::KeyMissing(c) => write!(f, "E-KEY-MISSING:{c}"),
            Reason::HeaderDuplicate(c) => write!(f, "E-HEADER-DUPLICATE:{c}"),
            Reason::Parse(c) => write!(f, "E-PARSE:{c}"),
            Reason::PsMismatch => f.write_str("E-PS-MISMATCH"),
            Reason::RowWidth => f.write_str("E-ROW-WIDTH"),
            Reason::BadRecord => f.write_str("E-BAD-RECORD"),
        }
    }
}

/// Where a file's rows belong: its folder's station and month, its path, the run.
pub struct Origin<'a> {
    /// The station of the file's folder.
    pub ps_code: &'a str,
    /// The upload month `YYYY-MM` of the file's folder.
    pub month: &'a str,
    /// The file's path relative to the landing folder.
    pub source_file: &'a str,
    /// The ingest run id.
    pub run_id: &'a str,
}

/// One quarantined row: its record number, raw text and reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRow {
    /// Record number in its file.
    pub record_no: i64,
    /// The record's raw text (one CSV line for `.xlsx` rows).
    pub raw: String,
    /// Every reason that applies, in the order found.
    pub reasons: Vec<Reason>,
}

/// A file's rows, split.
pub struct Split {
    /// The loaded rows in the table's lake schema.
    pub loaded: RecordBatch,
    /// The quarantined rows.
    pub quarantined: Vec<QuarantinedRow>,
}

/// Types every column, gathers each row's reasons and splits the rows.
pub fn split(
    mut parsed: Parsed,
    table: &TableDef,
    origin: &Origin<'_>,
) -> Result<Split, ArrowError> {
    let n = parsed.cells.len();
    let texts = parsed.cells.finish_columns();
    let mut reasons = RowReasons::new(n, &parsed);
    reasons.add_header_reasons(table, &parsed);
    let mut typed: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for (c, (column, text)) in table.columns.iter().zip(&texts).enumerate() {
        let t = parse_column(column.ty, text);
        for &row in &t.failed {
            reasons.add(row, Reason::Parse(column.name));
        }
        if column.key && !parsed.header.missing.contains(&c) {
            for row in 0..n {
                if text.is_null(row) && !reasons.cell_flagged(row, c) {
                    reasons.add(row, Reason::KeyMissing(column.name));
                }
            }
        }
        typed.push(t.values);
    }
    let ps_codes = table.column_index("ps_code").and_then(|c| texts.get(c));
    for (row, ps) in ps_codes.into_iter().flatten().enumerate() {
        if ps.is_some_and(|ps| ps != origin.ps_code) {
            reasons.add(row, Reason::PsMismatch);
        }
    }
    let keep = BooleanArray::from_iter((0..n).map(|r| Some(reasons.of(r).is_empty())));
    let loaded = loaded_batch(table, typed, &keep, &parsed, origin)?;
    let mut quarantined = Vec::new();
    for (r, &record_no) in parsed.cells.record_no.iter().enumerate() {
        if !keep.value(r) {
            quarantined.push(QuarantinedRow {
                record_no,
                raw: parsed.cells.raw_of(r).to_string(),
                reasons: reasons.take(r),
            });
        }
    }
    Ok(Split {
        loaded,
        quarantined,
    })
}

/// The reasons of one row; a rejected row keeps its one reason.
#[derive(Clone, Default)]
struct Row {
    reasons: Vec<Reason>,
    rejected: bool,
}

/// The reasons of each row.
struct RowReasons {
    rows: Vec<Row>,
    flagged_cells: HashSet<(usize, usize)>,
}

impl RowReasons {
    fn new(n: usize, parsed: &Parsed) -> RowReasons {
        let mut r = RowReasons {
            rows: vec![Row::default(); n],
            flagged_cells: HashSet::new(),
        };
        for (row, reason) in &parsed.cells.rejected {
            if let Some(row) = r.rows.get_mut(*row) {
                *row = Row {
                    reasons: vec![reason.clone()],
                    rejected: true,
                };
            }
        }
        for (row, column, reason) in &parsed.cells.cell_reasons {
            r.flagged_cells.insert((*row, *column));
            r.add(*row, reason.clone());
        }
        r
    }

    fn add_header_reasons(&mut self, table: &TableDef, parsed: &Parsed) {
        let header = &parsed.header;
        let column = |c: &usize| table.columns.get(*c);
        let mut file_reasons: Vec<Reason> = header
            .duplicated
            .iter()
            .filter_map(column)
            .map(|d| Reason::HeaderDuplicate(d.name))
            .collect();
        file_reasons.extend(
            header
                .missing
                .iter()
                .filter_map(column)
                .filter(|d| d.key)
                .map(|d| Reason::KeyMissing(d.name)),
        );
        for row in 0..self.rows.len() {
            for reason in &file_reasons {
                self.add(row, reason.clone());
            }
        }
    }

    fn add(&mut self, row: usize, reason: Reason) {
        if let Some(row) = self.rows.get_mut(row) {
            if !row.rejected && !row.reasons.contains(&reason) {
                row.reasons.push(reason);
            }
        }
    }

    fn cell_flagged(&self, row: usize, column: usize) -> bool {
        self.rows.get(row).is_some_and(|r| r.rejected)
            || self.flagged_cells.contains(&(row, column))
    }

    fn of(&self, row: usize) -> &[Reason] {
        self.rows.get(row).map_or(&[], |r| r.reasons.as_slice())
    }

    fn take(&mut self, row: usize) -> Vec<Reason> {
        self.rows
            .get_mut(row)
            .map(|r| std::mem::take(&mut r.reasons))
            .unwrap_or_default()
    }
}

fn loaded_batch(
    table: &TableDef,
    typed: Vec<ArrayRef>,
    keep: &BooleanArray,
    parsed: &Parsed,
    origin: &Origin<'_>,
) -> Result<RecordBatch, ArrowError> {
    let mut columns = typed
        .iter()
        .map(|a| filter(a.as_ref(), keep))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = keep.true_count();
    let record_no = Int64Array::from(parsed.cells.record_no.clone());
    columns.push(Arc::new(StringArray::from(vec![origin.source_file; rows])));
    columns.push(filter(&record_no, keep)?);
    columns.push(Arc::new(StringArray::from(vec![origin.run_id; rows])));
    columns.push(Arc::new(StringArray::from(vec![origin.month; rows])));
    RecordBatch::try_new(table.lake_schema(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::table;
    use crate::ingest::csv::read_csv;

    fn run(text: &str) -> Split {
        let t = table("arrest").unwrap();
        let parsed = read_csv(text.to_string(), t).unwrap();
        let origin = Origin {
            ps_code: "P1",
            month: "2024-04",
            source_file: "f.csv",
            run_id: "r",
        };
        split(parsed, t, &origin).unwrap()
    }

    fn reasons(s: &Split) -> Vec<(i64, Vec<String>)> {
        s.quarantined
            .iter()
            .map(|q| {
                (
                    q.record_no,
                    q.reasons.iter().map(ToString::to_string).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn every_reason_that_applies() {
        let s = run(
            "ps_code,fir_no,accused_code,age,photo_uploaded\nP1,1,A1,30,Y\nP2,,A1,x,maybe\nP1,1\n",
        );
        assert_eq!(s.loaded.num_rows(), 1);
        assert_eq!(
            reasons(&s),
            vec![
                (
                    2,
                    vec![
                        "E-KEY-MISSING:fir_no".into(),
                        "E-PARSE:age".into(),
                        "E-PARSE:photo_uploaded".into(),
                        "E-PS-MISMATCH".into()
                    ]
                ),
                (3, vec!["E-ROW-WIDTH".into()]),
            ]
        );
        assert_eq!(s.quarantined[1].raw, "P1,1");
    }

    #[test]
    fn missing_key_column_and_duplicate_header() {
        let s = run("ps_code,fir_no,Age,AGE\nP1,1,3,4\n");
        assert_eq!(
            reasons(&s),
            vec![(
                1,
                vec![
                    "E-HEADER-DUPLICATE:age".into(),
                    "E-KEY-MISSING:accused_code".into()
                ]
            )]
        );
    }
}
