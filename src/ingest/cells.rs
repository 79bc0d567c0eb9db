//! The text cells of one file, column by column, before typing.
//!
//! Input: header names and records from a format reader. Output: one text
//! column per contract column (trimmed, empty = null), the record numbers,
//! the raw text of each record and the reasons found while reading.
//! Invariant: every record read is one row here, whatever its defects.

use super::quarantine::Reason;
use crate::contract::TableDef;
use datafusion::arrow::array::{Array, StringArray, StringBuilder};
use std::collections::HashMap;

/// How a file's header maps onto the columns of its contract table.
#[derive(Debug, Default)]
pub struct HeaderMap {
    /// For each header position, the contract column it feeds, if any.
    pub target: Vec<Option<usize>>,
    /// Contract columns the header names more than once.
    pub duplicated: Vec<usize>,
    /// Contract columns the header does not name.
    pub missing: Vec<usize>,
    /// Header names that are no contract column (trimmed, as written);
    /// none when the first row names no contract column at all (see
    /// [`HeaderMap::new`]).
    pub unknown: Vec<String>,
}

impl HeaderMap {
    /// Matches header names to `table`'s columns, case-insensitively after
    /// trimming. A first row that names no contract column is no header:
    /// it may be a record of a file exported without its header line, so
    /// its cells are not kept as unknown names (the ingest report never
    /// holds a value of a row it could not place); every key column is then
    /// missing, as the contract says.
    pub fn new<'a>(table: &TableDef, names: impl IntoIterator<Item = &'a str>) -> HeaderMap {
        let mut map = HeaderMap::default();
        let mut seen = vec![0usize; table.columns.len()];
        for name in names {
            let target = column_of(table, name);
            match target.and_then(|c| seen.get_mut(c)) {
                Some(count) => *count += 1,
                None => map.unknown.push(name.trim().to_string()),
            }
            map.target.push(target);
        }
        for (c, &count) in seen.iter().enumerate() {
            match count {
                0 => map.missing.push(c),
                1 => {}
                _ => map.duplicated.push(c),
            }
        }
        if map.target.iter().all(Option::is_none) {
            map.unknown.clear();
        }
        map
    }

    /// For each contract column, the header position its values come from
    /// (the last one when the header names it twice).
    pub fn source_of(&self, width: usize) -> Vec<Option<usize>> {
        let mut source = vec![None; width];
        for (position, target) in self.target.iter().enumerate() {
            if let Some(slot) = target.and_then(|c| source.get_mut(c)) {
                *slot = Some(position);
            }
        }
        source
    }
}

/// The contract column a header name or JSON key denotes, if any.
pub fn column_of(table: &TableDef, name: &str) -> Option<usize> {
    let name = name.trim();
    table
        .columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
}

/// Text cells of one file in contract column order, plus per-row metadata.
pub struct Cells {
    builders: Vec<StringBuilder>,
    /// Record number of each row (1-based, header not counted).
    pub record_no: Vec<i64>,
    /// Byte span of each row's raw text in `raw_text`.
    pub raw: Vec<(usize, usize)>,
    /// The text the spans point into.
    pub raw_text: String,
    /// Rows whose fields cannot be trusted: this reason alone applies.
    pub rejected: Vec<(usize, Reason)>,
    /// Reasons found while reading one cell: (row, contract column, reason).
    pub cell_reasons: Vec<(usize, usize, Reason)>,
}

impl Cells {
    /// Empty cells for a table with `width` contract columns.
    pub fn new(width: usize) -> Cells {
        Cells {
            builders: (0..width).map(|_| StringBuilder::new()).collect(),
            record_no: Vec::new(),
            raw: Vec::new(),
            raw_text: String::new(),
            rejected: Vec::new(),
            cell_reasons: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.record_no.len()
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.record_no.is_empty()
    }

    /// Appends a row; `values[c]` is the untrimmed text of contract column `c`.
    pub fn push_row(&mut self, record_no: i64, raw: (usize, usize), values: &[Option<&str>]) {
        self.push_row_from(record_no, raw, |c| values.get(c).copied().flatten());
    }

    /// Appends a row taking contract column `c`'s untrimmed text from `value(c)`.
    pub fn push_row_from<'v>(
        &mut self,
        record_no: i64,
        raw: (usize, usize),
        value: impl Fn(usize) -> Option<&'v str>,
    ) {
        for (c, builder) in self.builders.iter_mut().enumerate() {
            builder.append_option(value(c).map(str::trim).filter(|v| !v.is_empty()));
        }
        self.record_no.push(record_no);
        self.raw.push(raw);
    }

    /// Appends a row whose fields cannot be trusted, with its one reason.
    pub fn push_rejected(&mut self, record_no: i64, raw: (usize, usize), reason: Reason) {
        self.rejected.push((self.len(), reason));
        for builder in &mut self.builders {
            builder.append_null();
        }
        self.record_no.push(record_no);
        self.raw.push(raw);
    }

    /// Records a reason against column `column` of the row about to be pushed.
    pub fn flag_next_row(&mut self, column: usize, reason: Reason) {
        self.cell_reasons.push((self.len(), column, reason));
    }

    /// Finishes the text columns, in contract order, each shrunk to its
    /// content: a builder starts with room for 1,024 values, and a station
    /// file of 30 rows would otherwise keep about 5 KB per column until its
    /// month is committed (gigabytes for a national month of 100 k files).
    pub fn finish_columns(&mut self) -> Vec<StringArray> {
        self.builders
            .iter_mut()
            .map(|builder| {
                let mut column = builder.finish();
                column.shrink_to_fit();
                column
            })
            .collect()
    }

    /// The raw text of row `row`.
    pub fn raw_of(&self, row: usize) -> &str {
        self.raw
            .get(row)
            .and_then(|&(start, end)| self.raw_text.get(start..end))
            .unwrap_or("")
    }
}

/// A file read by a format reader: its header mapping and its cells.
pub struct Parsed {
    /// Header mapping (for JSON lines: unknown keys only; other checks are per row).
    pub header: HeaderMap,
    /// The rows.
    pub cells: Cells,
}

/// Collects the distinct unknown keys of a JSON-lines file in first-seen order.
#[derive(Default)]
pub struct UnknownNames {
    seen: HashMap<String, ()>,
    order: Vec<String>,
}

impl UnknownNames {
    /// Notes an unknown name.
    pub fn note(&mut self, name: &str) {
        let name = name.trim();
        if !self.seen.contains_key(name) {
            self.seen.insert(name.to_string(), ());
            self.order.push(name.to_string());
        }
    }

    /// The names in first-seen order.
    pub fn into_vec(self) -> Vec<String> {
        self.order
    }
}
