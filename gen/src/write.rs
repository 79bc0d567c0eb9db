//! Writing generated uploads as the contract's files: the registry, and each
//! station's tables as CSV (UTF-8 with or without BOM, UTF-16 LE/BE, Windows-1252,
//! LF or CRLF), JSON lines or `.xlsx`, with header names in varied case.

use super::{Options, Rows, Upload};
use cctns_audit::contract::{self, Month};
use cctns_audit::error::{Error, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;

/// What was written for one station.
#[derive(Debug, Default)]
pub struct Written {
    /// Files.
    pub files: usize,
    /// Rows.
    pub rows: usize,
    /// Bytes.
    pub bytes: u64,
}

/// State codes the generator gives, in order; beyond them `S37`, `S38`, …
const STATE_CODES: [&str; 36] = [
    "UP", "HR", "DL", "MH", "RJ", "MP", "BR", "WB", "TN", "KA", "GJ", "AP", "TS", "KL", "OR", "PB",
    "AS", "JH", "CG", "UK", "HP", "JK", "GA", "TR", "ML", "MN", "NL", "AR", "MZ", "SK", "CH", "PY",
    "AN", "LD", "DN", "LA",
];

/// The code of the `i`-th state (from 0): district `d` (from 1) is in state `(d - 1) % states`.
pub fn state_code(i: usize) -> String {
    STATE_CODES
        .get(i)
        .map_or_else(|| format!("S{:02}", i + 1), |c| c.to_string())
}

/// Writes `police_stations.csv`; returns the station codes in order.
pub fn registry(opts: &Options) -> Result<Vec<String>> {
    let mut text =
        String::from("ps_code,ps_name,ps_name_hi,district_code,district_name,state_code\n");
    let mut codes = Vec::with_capacity(opts.stations);
    for i in 0..opts.stations {
        let d = i % opts.districts + 1;
        let state = state_code((d - 1) % opts.states);
        let code = format!("{state}-D{d:02}-{:04}", i / opts.districts + 1);
        text.push_str(&format!(
            "{code},Thana {n},थाना {n},{state}-D{d:02},District {d},{state}\n",
            n = i + 1
        ));
        codes.push(code);
    }
    let path = opts.out.join("police_stations.csv");
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(codes)
}

/// Writes every upload of one station.
pub fn station(
    opts: &Options,
    ps: &str,
    index: u64,
    uploads: &BTreeMap<Month, Upload>,
) -> Result<Written> {
    let mut written = Written::default();
    let mut rng = StdRng::seed_from_u64(
        opts.seed
            .wrapping_add(index.wrapping_mul(7919))
            .wrapping_add(1),
    );
    for (month, upload) in uploads {
        let dir = opts.out.join(month.to_string()).join(ps);
        let tables: Vec<_> = upload
            .tables()
            .into_iter()
            .filter(|(_, rows)| !rows.is_empty())
            .collect();
        if tables.is_empty() {
            continue;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        for (table, rows) in tables {
            let bytes = if opts.plain {
                plain_file(&dir, table, rows)?
            } else {
                file(&mut rng, &dir, table, rows)?
            };
            written.files += 1;
            written.rows += rows.len();
            written.bytes += bytes;
        }
    }
    Ok(written)
}

fn header(rng: &mut StdRng, table: &str) -> Vec<String> {
    let columns = contract::table(table).map(|t| t.columns).unwrap_or(&[]);
    let shout = rng.random_bool(0.1);
    columns
        .iter()
        .map(|c| {
            if shout {
                c.name.to_uppercase()
            } else {
                c.name.to_string()
            }
        })
        .collect()
}

/// Writes one table as UTF-8 CSV with the contract's header; returns its size.
fn plain_file(dir: &Path, table: &str, rows: &Rows) -> Result<u64> {
    let columns = contract::table(table).map(|t| t.columns).unwrap_or(&[]);
    let header = columns.iter().map(|c| c.name);
    let bytes = csv_text(header, rows, "\n").into_bytes();
    let path = dir.join(format!("{table}.csv"));
    std::fs::write(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    Ok(bytes.len() as u64)
}

/// Writes one table file in a random format and encoding; returns its size.
fn file(rng: &mut StdRng, dir: &Path, table: &str, rows: &Rows) -> Result<u64> {
    let header = header(rng, table);
    let roll = rng.random_range(0..100);
    let (name, bytes) = if roll < 85 {
        let terminator = if rng.random_bool(0.2) { "\r\n" } else { "\n" };
        let text = csv_text(header.iter().map(String::as_str), rows, terminator);
        (format!("{table}.csv"), encode(rng, text))
    } else if roll < 95 {
        (
            format!("{table}.jsonl"),
            jsonl(rng, &header, rows).into_bytes(),
        )
    } else {
        (format!("{table}.xlsx"), xlsx(&header, rows)?)
    };
    let path = dir.join(name);
    std::fs::write(&path, &bytes).map_err(|e| Error::io(&path, e))?;
    Ok(bytes.len() as u64)
}

/// The header and rows as RFC 4180 CSV, each line ended by `terminator`.
///
/// Written here rather than with the `csv` crate's writer, which examines
/// every byte in a state machine and took a third of the generator's time;
/// the cells are plain text, quoted only when they hold a comma, a quote or
/// a line break (the same rule as the crate's `QuoteStyle::Necessary`).
fn csv_text<'a>(header: impl Iterator<Item = &'a str>, rows: &Rows, terminator: &str) -> String {
    let mut out = String::with_capacity(rows.text_len() + 4 * rows.cell_count() + 256);
    csv_line(&mut out, header, terminator);
    for row in rows.iter() {
        csv_line(&mut out, row.cells(), terminator);
    }
    out
}

fn csv_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>, terminator: &str) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str(terminator);
}

/// UTF-8 mostly; sometimes with a BOM, UTF-16 LE/BE with BOM, or Windows-1252 when the text allows.
fn encode(rng: &mut StdRng, text: String) -> Vec<u8> {
    let utf16 = |text: &str, little: bool| -> Vec<u8> {
        let bom: [u8; 2] = if little { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
        bom.into_iter()
            .chain(text.encode_utf16().flat_map(move |u| {
                if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            }))
            .collect()
    };
    match rng.random_range(0..100) {
        0..=3 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        4..=6 => utf16(&text, true),
        7..=9 => utf16(&text, false),
        10..=14 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
            if unmappable {
                text.into_bytes()
            } else {
                bytes.into_owned()
            }
        }
        _ => text.into_bytes(),
    }
}

fn jsonl(rng: &mut StdRng, header: &[String], rows: &Rows) -> String {
    let mut out = String::new();
    for row in rows.iter() {
        let mut object = serde_json::Map::new();
        for (name, cell) in header.iter().zip(row.cells()) {
            let value = if cell.is_empty() {
                if rng.random_bool(0.5) {
                    continue;
                } else {
                    serde_json::Value::Null
                }
            } else if name.eq_ignore_ascii_case("age") && cell.parse::<i64>().is_ok() {
                serde_json::Value::from(cell.parse::<i64>().unwrap_or(0))
            } else {
                serde_json::Value::from(cell)
            };
            object.insert(name.clone(), value);
        }
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    out
}

fn xlsx(header: &[String], rows: &Rows) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Error::usage(
            "generate",
            format!("cannot write a workbook ({e})"),
            "report this as a bug",
        )
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, name).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.cells().enumerate().filter(|(_, cell)| !cell.is_empty()) {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<i64>() {
                Ok(n)
                    if header
                        .get(c as usize)
                        .is_some_and(|h| h.eq_ignore_ascii_case("age")) =>
                {
                    sheet.write_number(r, c, n as f64)
                }
                _ => sheet.write_string(r, c, cell),
            }
            .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_they_must_be_and_read_back() {
        let mut rows = Rows::default();
        rows.push_written(["1,23,456", "say \"hi\"", "दो\nपंक्ति", "", "plain"]);
        let text = csv_text(["a", "b", "c", "d", "e"].into_iter(), &rows, "\r\n");
        assert_eq!(
            text,
            "a,b,c,d,e\r\n\"1,23,456\",\"say \"\"hi\"\"\",\"दो\nपंक्ति\",,plain\r\n"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let read: Vec<String> = reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
            .collect();
        assert_eq!(read, ["1,23,456", "say \"hi\"", "दो\nपंक्ति", "", "plain"]);
    }
}
