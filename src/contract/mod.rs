//! The data contract as types: the six station tables, their columns and
//! value types, record keys, upload months and the station registry.
//!
//! Input: nothing (the contract is static data). Output: [`TableDef`]s that
//! every later stage reads instead of repeating column names.
//! Invariant: column order here is the column order of the lake tables.

mod month;
mod registry;

pub use month::Month;
pub use registry::{Registry, Station};

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use std::sync::Arc;

/// Name of the quarantine table (the rows the ingest could not load).
pub const QUARANTINE: &str = "quarantine";
/// Name of the lake's registry table (the stations of `police_stations.csv`).
pub const REGISTRY_TABLE: &str = "registry";

/// The tables that hold rows of a month: the six station tables and the quarantine.
pub fn monthly_tables() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).chain([QUARANTINE]).collect()
}

/// Precision of the lake's decimal columns (rupees, coordinates).
pub const DECIMAL_PRECISION: u8 = 38;
/// Scale of the lake's decimal columns: eight digits after the point keep
/// coordinates exact and rupees to the paisa with room to spare.
pub const DECIMAL_SCALE: i8 = 8;

/// The value type of a contract column (the "Values" table of the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Any text, trimmed; empty is null.
    Text,
    /// Optional sign and digits.
    Integer,
    /// Optional sign, digits (grouped in Indian or international style), optional fraction.
    Decimal,
    /// `Y`/`N`, `Yes`/`No`, `true`/`false`, `1`/`0`.
    Flag,
    /// An IST wall-clock instant in one of the contract's forms.
    Datetime,
}

impl ColumnType {
    /// The Arrow type this value type is stored as in the lake.
    pub fn arrow_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Integer => DataType::Int64,
            ColumnType::Decimal => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
            ColumnType::Flag => DataType::Boolean,
            ColumnType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, None),
        }
    }
}

/// One column of a contract table.
#[derive(Debug)]
pub struct ColumnDef {
    /// Lower-case column name, as in the contract.
    pub name: &'static str,
    /// Its value type.
    pub ty: ColumnType,
    /// A key column: a row with it empty or unparsable is quarantined.
    pub key: bool,
    /// Personal data: never written to reports or published in clear.
    pub personal: bool,
}

const fn col(name: &'static str, ty: ColumnType) -> ColumnDef {
    ColumnDef {
        name,
        ty,
        key: false,
        personal: false,
    }
}
const fn key(name: &'static str, ty: ColumnType) -> ColumnDef {
    ColumnDef {
        name,
        ty,
        key: true,
        personal: false,
    }
}
const fn personal(name: &'static str) -> ColumnDef {
    ColumnDef {
        name,
        ty: ColumnType::Text,
        key: false,
        personal: true,
    }
}

use ColumnType::{Datetime as D, Decimal as N, Flag as B, Integer as I, Text as T};

/// One table of the contract: a station export file or the registry.
#[derive(Debug)]
pub struct TableDef {
    /// Lower-case table name (`fir`, `arrest`, …), also the file stem and the lake folder.
    pub name: &'static str,
    /// Its columns in lake order.
    pub columns: &'static [ColumnDef],
    /// The columns joined by `#` that make a row's record key.
    pub record_key: &'static [&'static str],
}

/// The registry of police stations (`police_stations.csv`).
pub static REGISTRY: TableDef = TableDef {
    name: "police_stations",
    columns: &[
        key("ps_code", T),
        col("ps_name", T),
        col("ps_name_hi", T),
        key("district_code", T),
        col("district_name", T),
        col("state_code", T),
    ],
    record_key: &["ps_code"],
};

/// The six station tables, in the order of the CCTNS forms.
pub static TABLES: [TableDef; 6] = [
    TableDef {
        name: "fir",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            key("fir_date", D),
            col("occurrence_from", D),
            col("occurrence_to", D),
            col("gd_no", T),
            col("act_sections", T),
            col("place_of_occurrence", T),
            col("latitude", N),
            col("longitude", N),
            personal("complainant_name"),
            personal("complainant_mobile"),
            col("io_code", T),
            col("io_name", T),
            col("entered_at", D),
        ],
        record_key: &["fir_no"],
    },
    TableDef {
        name: "crime_details",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            col("crime_head", T),
            col("modus_operandi", T),
            col("property_stolen_inr", N),
            col("victims_count", I),
            col("entered_at", D),
        ],
        record_key: &["fir_no"],
    },
    TableDef {
        name: "arrest",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            key("accused_code", T),
            col("arrest_type", T),
            col("arrested_at", D),
            personal("name"),
            personal("father_name"),
            col("gender", T),
            col("age", I),
            personal("address"),
            col("photo_uploaded", B),
            col("entered_at", D),
        ],
        record_key: &["fir_no", "accused_code"],
    },
    TableDef {
        name: "seizure",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            key("seizure_no", T),
            col("seized_at", D),
            col("property_category", T),
            col("description", T),
            col("value_inr", N),
            col("entered_at", D),
        ],
        record_key: &["fir_no", "seizure_no"],
    },
    TableDef {
        name: "final_report",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            key("report_no", T),
            col("report_date", D),
            col("report_type", T),
            col("court_code", T),
            col("sent_online", B),
            col("entered_at", D),
        ],
        record_key: &["fir_no", "report_no"],
    },
    TableDef {
        name: "court_disposal",
        columns: &[
            key("ps_code", T),
            key("fir_no", T),
            key("court_case_no", T),
            col("disposal_date", D),
            col("result", T),
            col("entered_at", D),
        ],
        record_key: &["fir_no", "court_case_no"],
    },
];

/// Lineage column: the landing-relative path of the file a row came from.
pub const SOURCE_FILE: &str = "source_file";
/// Lineage column: the row's record number in its file (1-based, header not counted).
pub const RECORD_NO: &str = "record_no";
/// Lineage column: the id of the ingest run that loaded the row.
pub const INGEST_RUN: &str = "ingest_run";
/// Partition column: the upload month `YYYY-MM`.
pub const MONTH: &str = "month";

/// The station table named `name` (lower case), if the contract has one.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

impl TableDef {
    /// Position of the column `name` in [`TableDef::columns`].
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The lake schema: contract columns, then lineage, then the `month` partition.
    pub fn lake_schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(c.name, c.ty.arrow_type(), true))
            .collect();
        fields.push(Field::new(SOURCE_FILE, DataType::Utf8, false));
        fields.push(Field::new(RECORD_NO, DataType::Int64, false));
        fields.push(Field::new(INGEST_RUN, DataType::Utf8, false));
        fields.push(Field::new(MONTH, DataType::Utf8, false));
        Arc::new(Schema::new(fields))
    }
}
