//! Excel reader: the first sheet of an `.xlsx` workbook to [`Parsed`] cells.
//!
//! The first row of the sheet is the header; a row's record number is its
//! sheet row number minus one; an empty row is not a record. A date cell is
//! `YYYY-MM-DD HH:MM:SS`, a number its shortest decimal text (`12.0` is `12`),
//! a boolean `true`/`false`, an error cell `E-PARSE:<column>`, anything else its text.

use super::cells::{Cells, HeaderMap, Parsed};
use super::quarantine::Reason;
use crate::contract::TableDef;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// Reads a workbook's first sheet as rows of `table`. Fails if it is not a workbook.
pub fn read_xlsx(bytes: Vec<u8>, table: &TableDef) -> Result<Parsed, String> {
    let not_workbook = |e: calamine::XlsxError| format!("not an Excel workbook ({e})");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_workbook)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_string())?
        .map_err(not_workbook)?;
    let mut cells = Cells::new(table.columns.len());
    let first_row = i64::from(range.start().map_or(0, |(row, _)| row));
    let mut rows = range.rows();
    let Some(header_row) = rows.next() else {
        return Ok(Parsed {
            header: HeaderMap::new(table, []),
            cells,
        });
    };
    let names: Vec<String> = header_row
        .iter()
        .map(|c| cell_text(c).unwrap_or_default())
        .collect();
    let header = HeaderMap::new(table, names.iter().map(String::as_str));
    let mut raw_text = String::new();
    for (index, row) in rows.enumerate() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let start = raw_text.len();
        push_raw(&mut raw_text, row);
        let texts = row_texts(table, &mut cells, &header, row);
        let values: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
        cells.push_row(
            first_row + index as i64 + 1,
            (start, raw_text.len()),
            &values,
        );
    }
    cells.raw_text = raw_text;
    Ok(Parsed { header, cells })
}

/// The text of each contract column for one row, flagging error cells.
fn row_texts(
    table: &TableDef,
    cells: &mut Cells,
    header: &HeaderMap,
    row: &[Data],
) -> Vec<Option<String>> {
    let mut texts = vec![None; table.columns.len()];
    for (cell, target) in row.iter().zip(&header.target) {
        let Some(c) = *target else { continue };
        let (Some(text), Some(column)) = (texts.get_mut(c), table.columns.get(c)) else {
            continue;
        };
        if matches!(cell, Data::Error(_)) {
            cells.flag_next_row(c, Reason::Parse(column.name));
        }
        *text = cell_text(cell);
    }
    texts
}

/// The contract's text for one cell (`None` for empty and error cells).
pub fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(f.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) => d.as_datetime().map(|dt| {
            let rounded = dt + chrono::Duration::milliseconds(500);
            rounded.format("%Y-%m-%d %H:%M:%S").to_string()
        }),
    }
}

/// Appends a row's cells as one CSV line, for the quarantine's raw text.
fn push_raw(out: &mut String, row: &[Data]) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let text = match cell {
            Data::Error(e) => format!("{e}"),
            other => cell_text(other).unwrap_or_default(),
        };
        if text.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_their_shortest_text() {
        assert_eq!(cell_text(&Data::Float(12.0)).as_deref(), Some("12"));
        assert_eq!(cell_text(&Data::Float(28.5725)).as_deref(), Some("28.5725"));
        assert_eq!(cell_text(&Data::Float(-0.5)).as_deref(), Some("-0.5"));
        assert_eq!(cell_text(&Data::Bool(true)).as_deref(), Some("true"));
        assert_eq!(cell_text(&Data::Int(7)).as_deref(), Some("7"));
    }

    #[test]
    fn garbage_is_not_a_workbook() {
        let table = crate::contract::table("fir").unwrap();
        assert!(read_xlsx(b"PK\x03\x04garbage".to_vec(), table).is_err());
    }
}
