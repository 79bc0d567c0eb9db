//! CSV reader: RFC 4180 text (quoted commas, quotes and newlines; `\n` or
//! `\r\n`) to [`Parsed`] cells. A bare line ending is not a record; the first
//! record is the header; a record of another width than the header is rejected
//! with `E-ROW-WIDTH` alone.

use super::cells::{Cells, HeaderMap, Parsed};
use super::quarantine::Reason;
use crate::contract::TableDef;

/// Reads CSV text as rows of `table`. Fails only if the text is not CSV at all.
pub fn read_csv(text: String, table: &TableDef) -> Result<Parsed, String> {
    let width = table.columns.len();
    let mut cells = Cells::new(width);
    let header = {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        if !reader.read_record(&mut record).map_err(describe)? {
            return Ok(Parsed {
                header: HeaderMap::new(table, []),
                cells,
            });
        }
        let header = HeaderMap::new(table, record.iter());
        let source = header.source_of(width);
        let mut record_no = 0;
        let mut start = next_start(&reader);
        while reader.read_record(&mut record).map_err(describe)? {
            record_no += 1;
            let end = next_start(&reader);
            let span = raw_span(&text, start, end);
            start = end;
            if record.len() != header.target.len() {
                cells.push_rejected(record_no, span, Reason::RowWidth);
                continue;
            }
            cells.push_row_from(record_no, span, |c| {
                source.get(c).copied().flatten().and_then(|p| record.get(p))
            });
        }
        header
    };
    cells.raw_text = text;
    Ok(Parsed { header, cells })
}

fn next_start<R: std::io::Read>(reader: &csv::Reader<R>) -> usize {
    usize::try_from(reader.position().byte()).unwrap_or(usize::MAX)
}

/// The span of one record's text, without the line endings around it.
fn raw_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = text.get(start..end.min(text.len())).unwrap_or("");
    let lead = slice.len() - slice.trim_start_matches(['\r', '\n']).len();
    let body = slice.trim_matches(['\r', '\n']);
    (start + lead, start + lead + body.len())
}

fn describe(e: csv::Error) -> String {
    match e.position() {
        Some(p) => format!("line {}: not readable as CSV", p.line()),
        None => "not readable as CSV".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::table;

    fn read(text: &str) -> Parsed {
        read_csv(text.to_string(), table("crime_details").unwrap()).unwrap()
    }

    #[test]
    fn quoted_newlines_blank_lines_and_crlf() {
        let mut p = read("ps_code,fir_no,modus_operandi\r\n\r\nA,1,\"two\r\nlines, \"\"quoted\"\"\"\r\n\r\nA,2,x");
        assert_eq!(p.cells.record_no, vec![1, 2]);
        assert_eq!(p.cells.raw_of(1), "A,2,x");
        let cols = p.cells.finish_columns();
        assert_eq!(cols[3].value(0), "two\r\nlines, \"quoted\"");
        assert_eq!(p.header.missing.len(), 4);
    }

    #[test]
    fn wrong_width_is_rejected_alone() {
        let p = read("ps_code,fir_no\nA,1,extra\n   \nA,2");
        assert_eq!(p.cells.rejected.len(), 2);
        assert_eq!(p.cells.record_no, vec![1, 2, 3]);
    }

    #[test]
    fn a_first_row_naming_no_column_keeps_none_of_its_cells() {
        let p = read("UP-GBN-001,0101/2024,Ram Prakash,9876543210\nUP-GBN-001,0102/2024,x,y\n");
        assert!(p.header.unknown.is_empty(), "{:?}", p.header.unknown);
        assert_eq!(p.header.missing.len(), 7);
        let p = read("ps_code,fir_no,remarks\nA,1,x\n");
        assert_eq!(p.header.unknown, vec!["remarks"]);
    }

    #[test]
    fn empty_and_header_only() {
        assert!(read("").cells.is_empty());
        assert!(read("ps_code,fir_no\r\n").cells.is_empty());
    }
}
