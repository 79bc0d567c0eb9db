//! Excel reader: the first sheet of an `.xlsx` workbook to [`Parsed`] cells.
//!
//! The first row of the sheet is the header; a row's record number is its
//! sheet row number minus one; an empty row is not a record. A date cell is
//! `YYYY-MM-DD HH:MM:SS`, a number its shortest decimal text (`12.0` is `12`),
//! a boolean `true`/`false`, an error cell `E-PARSE:<column>`, anything else its text.
//!
//! The sheet is read cell by cell and kept sparse, so memory follows the
//! cells written, never the sheet's extent: one stray value in `XFD1048576`
//! beside a header in row 1 spans 17 billion cells, which a dense range
//! would try to allocate.

use super::cells::{Cells, HeaderMap, Parsed};
use super::quarantine::Reason;
use crate::contract::TableDef;
use calamine::{Data, DataType, Reader, Xlsx, XlsxError};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The non-empty cells of a sheet: by sheet row, `(column, value)` in column order.
type SparseRows = BTreeMap<u32, Vec<(u32, Data)>>;

/// Reads a workbook's first sheet as rows of `table`. Fails if it is not a workbook.
///
/// calamine panics on some inconsistent workbooks (a cell naming a shared
/// string past the end of the table, found by fuzzing); such a file cannot
/// be read as a workbook, so its panic is a file error like any other.
pub fn read_xlsx(bytes: Vec<u8>, table: &TableDef) -> Result<Parsed, String> {
    let rows = crate::panic::catch(|| first_sheet(bytes)).unwrap_or_else(|_| {
        Err("not an Excel workbook (its parts do not fit together)".to_string())
    })?;
    let mut cells = Cells::new(table.columns.len());
    let first_col = rows.values().flatten().map(|(c, _)| *c).min().unwrap_or(0);
    let mut rows = rows.into_iter();
    let Some((first_row, header_cells)) = rows.next() else {
        return Ok(Parsed {
            header: HeaderMap::new(table, []),
            cells,
        });
    };
    let names: Vec<String> = dense(header_cells, first_col)
        .iter()
        .map(|c| cell_text(c).unwrap_or_default())
        .collect();
    let header = HeaderMap::new(table, names.iter().map(String::as_str));
    let mut raw_text = String::new();
    for (sheet_row, row_cells) in rows {
        let row = dense(row_cells, first_col);
        let start = raw_text.len();
        push_raw(&mut raw_text, &row);
        let texts = row_texts(table, &mut cells, &header, &row);
        let values: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
        let record_no = i64::from(sheet_row) - i64::from(first_row);
        cells.push_row(record_no, (start, raw_text.len()), &values);
    }
    cells.raw_text = raw_text;
    Ok(Parsed { header, cells })
}

/// The non-empty cells of the workbook's first sheet (none for a chart sheet).
fn first_sheet(bytes: Vec<u8>) -> Result<SparseRows, String> {
    let not_workbook = |e: XlsxError| format!("not an Excel workbook ({e})");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(not_workbook)?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "the workbook has no sheet".to_string())?;
    let mut reader = match workbook.worksheet_cells_reader(&name) {
        Ok(reader) => reader,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(SparseRows::new()),
        Err(e) => return Err(not_workbook(e)),
    };
    let mut rows = SparseRows::new();
    while let Some(cell) = reader.next_cell().map_err(not_workbook)? {
        if cell.get_value().is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        rows.entry(row)
            .or_default()
            .push((col, Data::from(cell.get_value().clone())));
    }
    for row in rows.values_mut() {
        row.sort_by_key(|(c, _)| *c);
    }
    Ok(rows)
}

/// One row's cells from column `first_col` to its last non-empty one, the
/// gaps empty (at most the 16,384 columns a sheet has).
fn dense(cells: Vec<(u32, Data)>, first_col: u32) -> Vec<Data> {
    let last = cells.last().map_or(first_col, |(c, _)| *c);
    let mut row = vec![Data::Empty; (last.saturating_sub(first_col) + 1) as usize];
    for (c, value) in cells {
        if let Some(slot) = row.get_mut(c.saturating_sub(first_col) as usize) {
            *slot = value;
        }
    }
    row
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
    fn a_stray_cell_far_away_costs_no_memory() {
        let table = crate::contract::table("fir").unwrap();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, v) in ["ps_code", "fir_no", "fir_date"].iter().enumerate() {
            sheet.write_string(0, c as u16, *v).unwrap();
        }
        for (c, v) in ["UP-GBN-001", "0001/2024", "2024-04-01"].iter().enumerate() {
            sheet.write_string(2, c as u16, *v).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "stray").unwrap();
        let parsed = read_xlsx(book.save_to_buffer().unwrap(), table).unwrap();
        assert_eq!(parsed.cells.record_no, vec![2, 1_048_575]);
        assert!(
            parsed.header.unknown.is_empty(),
            "cells beyond the header are ignored"
        );
    }

    #[test]
    fn a_cell_naming_a_shared_string_that_is_not_there_is_no_workbook() {
        let table = crate::contract::table("arrest").unwrap();
        let bytes =
            include_bytes!("../../tests/adversarial/landing/2024-04/UP-ADV-009/arrest.xlsx");
        let error = read_xlsx(bytes.to_vec(), table).err().unwrap();
        assert_eq!(
            error,
            "not an Excel workbook (its parts do not fit together)"
        );
    }

    #[test]
    fn garbage_is_not_a_workbook() {
        let table = crate::contract::table("fir").unwrap();
        assert!(read_xlsx(b"PK\x03\x04garbage".to_vec(), table).is_err());
    }
}
