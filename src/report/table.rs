//! An output table defined once and written twice: as CSV (UTF-8, header,
//! RFC 4180 quoting, fixed decimals, text cells guarded against formula
//! injection) and as Parquet (typed columns, every value as it is).

use crate::error::{Error, Result};
use crate::score::round_half_away;
use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

/// One column of an output table.
pub enum Column {
    /// Text; `None` is an empty cell / null.
    Text(Vec<Option<String>>),
    /// Integers; `None` is an empty cell / null.
    Int(Vec<Option<i64>>),
    /// Numbers written with this many decimals (halves away from zero).
    Fixed(Vec<Option<f64>>, i32),
}

/// An output table: named columns of equal length.
pub struct OutputTable {
    /// `(name, column)` in file order.
    pub columns: Vec<(String, Column)>,
}

impl OutputTable {
    /// Writes `<dir>/<stem>.csv` and `<dir>/<stem>.parquet`.
    pub fn write(&self, dir: &Path, stem: &str) -> Result<()> {
        self.write_csv(&dir.join(format!("{stem}.csv")))?;
        self.write_parquet(&dir.join(format!("{stem}.parquet")))
    }

    fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| match c {
            Column::Text(v) => v.len(),
            Column::Int(v) => v.len(),
            Column::Fixed(v, _) => v.len(),
        })
    }

    fn write_csv(&self, path: &Path) -> Result<()> {
        crate::atomic::write_with(path, |file| self.csv_into(file, path))
    }

    fn csv_into(&self, file: &mut std::fs::File, path: &Path) -> Result<()> {
        let io = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
        let mut w = csv::Writer::from_writer(file);
        w.write_record(self.columns.iter().map(|(n, _)| n.as_str()))
            .map_err(io)?;
        for row in 0..self.rows() {
            let cells = self.columns.iter().map(|(_, c)| match c {
                Column::Text(v) => v[row]
                    .as_deref()
                    .map(guard_formula)
                    .unwrap_or_default()
                    .into_owned(),
                Column::Int(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
                Column::Fixed(v, d) => v[row]
                    .map(|x| format!("{:.*}", *d as usize, round_half_away(x, *d) + 0.0))
                    .unwrap_or_default(),
            });
            w.write_record(cells).map_err(io)?;
        }
        w.flush().map_err(|e| Error::io(path, e))
    }

    /// The table as one Arrow batch (decimals rounded as in the CSV).
    pub fn batch(&self) -> Result<RecordBatch> {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (name, c) in &self.columns {
            let (ty, array): (DataType, ArrayRef) = match c {
                Column::Text(v) => (DataType::Utf8, Arc::new(StringArray::from(v.clone()))),
                Column::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
                Column::Fixed(v, d) => {
                    let rounded: Vec<Option<f64>> = v
                        .iter()
                        .map(|x| x.map(|x| round_half_away(x, *d)))
                        .collect();
                    (DataType::Float64, Arc::new(Float64Array::from(rounded)))
                }
            };
            fields.push(Field::new(name.as_str(), ty, true));
            arrays.push(array);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(Error::arrow("building an output table"))
    }

    fn write_parquet(&self, path: &Path) -> Result<()> {
        let batch = self.batch()?;
        let parquet = |e: datafusion::parquet::errors::ParquetError| {
            Error::io(path, std::io::Error::other(e.to_string()))
        };
        crate::atomic::write_with(path, |file| {
            let mut writer = ArrowWriter::try_new(file, batch.schema(), None).map_err(parquet)?;
            writer.write(&batch).map_err(parquet)?;
            writer.close().map_err(parquet)?;
            Ok(())
        })
    }
}

/// A text cell as the CSV writes it: one that a spreadsheet would take for
/// a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// gets a leading `'` (outputs.md v1.3, OWASP's advice); numbers are
/// [`Column::Int`] or [`Column::Fixed`] and are never guarded.
pub fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Text cells from anything displayable.
pub fn text<T: ToString>(values: impl IntoIterator<Item = T>) -> Column {
    Column::Text(values.into_iter().map(|v| Some(v.to_string())).collect())
}

/// Text cells that may be empty (`None` is an empty cell / null).
pub fn texts<'a>(values: impl IntoIterator<Item = &'a Option<String>>) -> Column {
    Column::Text(values.into_iter().cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_a_quote_and_others_stay() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+91", "'+91"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("UP-GBN-001", "UP-GBN-001"),
            ("थाना", "थाना"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn csv_guards_text_but_not_numbers_and_parquet_keeps_values() {
        let table = OutputTable {
            columns: vec![
                ("name".into(), text(["=1+1", "plain"])),
                ("n".into(), Column::Int(vec![Some(-3), None])),
                ("x".into(), Column::Fixed(vec![Some(-0.5), Some(2.0)], 2)),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        table.write(dir.path(), "t").unwrap();
        let csv = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
        assert_eq!(csv, "name,n,x\n'=1+1,-3,-0.50\nplain,,2.00\n");
        let batch = table.batch().unwrap();
        let names = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(names.value(0), "=1+1");
    }
}
