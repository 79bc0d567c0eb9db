//! JSON-lines reader: one JSON object per line to [`Parsed`] cells.
//!
//! Keys match contract columns as header names do. A line with no characters
//! is not a row (record numbers are line numbers all the same). A line that
//! is not a JSON object is `E-BAD-RECORD`; an object or array where a value is
//! due is `E-BAD-RECORD` too. Strings are read as CSV text would be, numbers as
//! the text they are written with, booleans as `true`/`false`, `null` as empty.

use super::cells::{column_of, Cells, HeaderMap, Parsed, UnknownNames};
use super::quarantine::Reason;
use crate::contract::TableDef;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Reads JSON-lines text as rows of `table`.
pub fn read_jsonl(text: String, table: &TableDef) -> Parsed {
    let width = table.columns.len();
    let mut cells = Cells::new(width);
    let mut unknown = UnknownNames::default();
    let mut offset = 0;
    for (index, line_with_end) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line_with_end.len();
        let line = line_with_end.trim_end_matches('\n').trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let span = (start, start + line.len());
        let record_no = index as i64 + 1;
        match serde_json::from_str::<Pairs>(line) {
            Ok(pairs) => push_object(&mut cells, table, &mut unknown, record_no, span, pairs),
            Err(_) => cells.push_rejected(record_no, span, Reason::BadRecord),
        }
    }
    cells.raw_text = text;
    let header = HeaderMap {
        unknown: unknown.into_vec(),
        ..HeaderMap::default()
    };
    Parsed { header, cells }
}

fn push_object(
    cells: &mut Cells,
    table: &TableDef,
    unknown: &mut UnknownNames,
    record_no: i64,
    span: (usize, usize),
    pairs: Pairs,
) {
    let mut values: Vec<Option<Cow<'_, str>>> = vec![None; table.columns.len()];
    let mut seen = vec![false; table.columns.len()];
    for (key, raw) in &pairs.0 {
        let Some(c) = column_of(table, key) else {
            unknown.note(key);
            continue;
        };
        let (Some(value), Some(was_seen), Some(column)) =
            (values.get_mut(c), seen.get_mut(c), table.columns.get(c))
        else {
            continue;
        };
        if *was_seen {
            cells.flag_next_row(c, Reason::HeaderDuplicate(column.name));
        }
        *was_seen = true;
        match json_text(raw) {
            Ok(text) => *value = text,
            Err(()) => {
                *value = None;
                cells.flag_next_row(c, Reason::BadRecord);
            }
        }
    }
    let borrowed: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
    cells.push_row(record_no, span, &borrowed);
}

/// The text a JSON value stands for, or `Err` for an object or array.
fn json_text(raw: &RawValue) -> Result<Option<Cow<'_, str>>, ()> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<Cow<'_, str>>(text)
            .map(Some)
            .map_err(|_| ()),
        Some(b'{' | b'[') => Err(()),
        Some(b'n') => Ok(None),
        _ => Ok(Some(Cow::Borrowed(text))),
    }
}

/// The key/value pairs of one JSON object, in order, duplicates kept.
struct Pairs<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Pairs<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor)
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Pairs<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<'de>, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
            pairs.push(pair);
        }
        Ok(Pairs(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::table;
    use datafusion::arrow::array::Array;

    #[test]
    fn value_types_and_bad_lines() {
        let text = concat!(
            "{\"PS_CODE\":\"A\",\"fir_no\":5,\"victims_count\":12.0,\"note\":1}\n",
            "{\"ps_code\":\"A\",\"fir_no\":\n",
            "\n",
            "[1,2]\n",
            "{\"ps_code\":{\"x\":1},\"fir_no\":\"\\u0030001/2024\",\"crime_head\":null,\"modus_operandi\":true}\r\n",
            "\"just a string\""
        );
        let mut p = read_jsonl(text.to_string(), table("crime_details").unwrap());
        assert_eq!(p.cells.record_no, vec![1, 2, 4, 5, 6]);
        assert_eq!(p.header.unknown, vec!["note"]);
        let rejected: Vec<usize> = p.cells.rejected.iter().map(|r| r.0).collect();
        assert_eq!(rejected, vec![1, 2, 4]);
        assert_eq!(p.cells.cell_reasons.len(), 1);
        let cols = p.cells.finish_columns();
        assert_eq!(cols[1].value(0), "5");
        assert_eq!(cols[5].value(0), "12.0");
        assert_eq!(cols[1].value(3), "0001/2024");
        assert_eq!(cols[3].value(3), "true");
        assert!(cols[2].is_null(3));
    }
}
