//! A table's generated rows as one text buffer, and the cells the record
//! builders hand it.
//!
//! Builders say what a value is (a datetime, rupees, a flag); [`Forms`] picks
//! the written form when the row is written: at random among the contract's
//! forms, or always the plain one. Rows keep no `String` per cell: allocating
//! and freeing one per cell was about 40 % of the generator's time.

use super::forms;
use chrono::NaiveDateTime;
use rand::rngs::StdRng;
use std::ops::Range;

/// One cell of a generated row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Nothing.
    Empty,
    /// Text as it is.
    Text(&'a str),
    /// A whole number.
    Int(u64),
    /// A whole number with at least this many digits, zero-padded.
    Padded(u64, u32),
    /// A decimal with four places, given in ten-thousandths.
    Fixed4(u32),
    /// A datetime, in one of the contract's forms.
    Time(NaiveDateTime),
    /// Rupees, in one of the contract's forms.
    Money(u64),
    /// A flag, in one of the contract's forms.
    Flag(bool),
}

impl<'a> Cell<'a> {
    /// The datetime, or an empty cell.
    pub fn time(t: Option<NaiveDateTime>) -> Cell<'a> {
        t.map_or(Cell::Empty, Cell::Time)
    }

    /// The text, or an empty cell.
    pub fn text(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Empty, Cell::Text)
    }
}

/// Picks the written form of each value: at random among the contract's
/// forms, or always the plain one (`--plain`).
pub struct Forms {
    rng: StdRng,
    plain: bool,
}

impl Forms {
    /// Forms drawn from `rng`; with `plain`, one form per value.
    pub fn new(rng: StdRng, plain: bool) -> Forms {
        Forms { rng, plain }
    }

    fn write(&mut self, out: &mut String, cell: Cell) {
        match cell {
            Cell::Empty => {}
            Cell::Text(text) => out.push_str(text),
            Cell::Int(n) => forms::padded(out, n, 1),
            Cell::Padded(n, width) => forms::padded(out, n, width),
            Cell::Fixed4(v) => {
                forms::padded(out, u64::from(v / 10_000), 1);
                out.push('.');
                forms::padded(out, u64::from(v % 10_000), 4);
            }
            Cell::Time(t) if self.plain => forms::iso_datetime(out, t),
            Cell::Time(t) => forms::datetime(out, &mut self.rng, t),
            Cell::Money(v) if self.plain => forms::padded(out, v, 1),
            Cell::Money(v) => forms::rupees(out, &mut self.rng, v),
            Cell::Flag(v) if self.plain => out.push(if v { 'Y' } else { 'N' }),
            Cell::Flag(v) => forms::flag(out, &mut self.rng, v),
        }
    }
}

/// Rows of text cells in one buffer: cell `i` ends at `cell_ends[i]`, row `r`
/// ends after cell `row_ends[r]`.
#[derive(Debug, Default, Clone)]
pub struct Rows {
    text: String,
    cell_ends: Vec<usize>,
    row_ends: Vec<usize>,
}

impl Rows {
    /// Appends a row, each cell written in the form `forms` picks.
    pub fn push(&mut self, forms: &mut Forms, cells: &[Cell]) {
        for &cell in cells {
            forms.write(&mut self.text, cell);
            self.cell_ends.push(self.text.len());
        }
        self.row_ends.push(self.cell_ends.len());
    }

    /// Appends a row of written cells.
    pub fn push_written<'s>(&mut self, cells: impl IntoIterator<Item = &'s str>) {
        for cell in cells {
            self.text.push_str(cell);
            self.cell_ends.push(self.text.len());
        }
        self.row_ends.push(self.cell_ends.len());
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &Rows) {
        let (text, cells) = (self.text.len(), self.cell_ends.len());
        self.text.push_str(&other.text);
        self.cell_ends
            .extend(other.cell_ends.iter().map(|end| end + text));
        self.row_ends
            .extend(other.row_ends.iter().map(|end| end + cells));
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_ends.len()
    }

    /// Bytes of text in all cells.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Number of cells in all rows.
    pub fn cell_count(&self) -> usize {
        self.cell_ends.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.row_ends.is_empty()
    }

    /// The rows in order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(|r| self.row(r))
    }

    fn row(&self, r: usize) -> Row<'_> {
        let first = if r == 0 { 0 } else { self.row_ends[r - 1] };
        Row {
            rows: self,
            cells: first..self.row_ends[r],
        }
    }

    fn cell(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.cell_ends[i - 1] };
        &self.text[start..self.cell_ends[i]]
    }
}

/// One row of [`Rows`].
#[derive(Debug, Clone)]
pub struct Row<'a> {
    rows: &'a Rows,
    cells: Range<usize>,
}

impl<'a> Row<'a> {
    /// Cell `i`, if the row has one.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let index = self.cells.start + i;
        (index < self.cells.end).then(|| self.rows.cell(index))
    }

    /// The cells in order.
    pub fn cells(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let rows = self.rows;
        self.cells.clone().map(move |i| rows.cell(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn rows_keep_their_cells_through_appends() {
        let mut forms = Forms::new(StdRng::seed_from_u64(1), true);
        let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .and_then(|d| d.and_hms_opt(7, 9, 0))
            .unwrap();
        let mut a = Rows::default();
        a.push(
            &mut forms,
            &[
                Cell::Text("UP-1"),
                Cell::Padded(7, 3),
                Cell::Fixed4(284_567),
                Cell::Time(t),
                Cell::Empty,
                Cell::Flag(true),
            ],
        );
        let mut b = Rows::default();
        b.push_written(["", "0000/2024"]);
        a.append(&b);
        let rows: Vec<Vec<&str>> = a.iter().map(|r| r.cells().collect()).collect();
        assert_eq!(
            rows,
            [
                vec!["UP-1", "007", "28.4567", "2024-03-05 07:09:00", "", "Y"],
                vec!["", "0000/2024"],
            ]
        );
        assert_eq!(a.iter().nth(1).and_then(|r| r.get(1)), Some("0000/2024"));
        assert_eq!(a.iter().nth(1).and_then(|r| r.get(2)), None);
    }
}
