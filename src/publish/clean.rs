//! What a published row may show: personal columns as keyed pseudonyms,
//! and nothing that could identify the victim of a sexual offence.
//!
//! A FIR is a sexual offence when any of its rows in the lake's snapshot,
//! of any month, is one (the pack's `is_sexual_offence` of `fir`, spec
//! outputs.md v1.4), so the set is computed once per publish over the whole
//! snapshot and applied to every published month, not only the months
//! being published.

// Not an input path: cleaning indexes the columns of the lake's own schemas.
#![allow(clippy::indexing_slicing)]

use super::pseudonym::{pseudonymise, Form};
use super::PseudonymKey;
use crate::error::{Error, Result};
use crate::rules::RulePack;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::{cast, nullif};
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{col, SessionContext};
use std::collections::HashSet;

/// The `fir` columns a sexual-offence FIR publishes as null.
pub const VICTIM_COLUMNS: [&str; 5] = [
    "complainant_name",
    "complainant_mobile",
    "place_of_occurrence",
    "latitude",
    "longitude",
];
/// The derived column of the pack's `fir` rules that marks a sexual offence.
const SEXUAL_OFFENCE: &str = "is_sexual_offence";

/// The (ps_code, fir_no) of every FIR any row of which is a sexual offence.
#[derive(Debug, Default)]
pub struct SexualOffences(HashSet<(String, String)>);

impl SexualOffences {
    /// The sexual-offence FIRs of every month of the snapshot `ctx` reads.
    pub async fn of_snapshot(ctx: &SessionContext, rules: &RulePack) -> Result<SexualOffences> {
        let derived = rules
            .derived
            .get("fir")
            .and_then(|d| d.iter().find(|d| d.name == SEXUAL_OFFENCE))
            .ok_or_else(|| {
                Error::usage(
                    "the rule pack",
                    format!("defines no `{SEXUAL_OFFENCE}` for fir"),
                    "add it under `derived:` of the fir rules (see the built-in rules/cctns/fir.yaml)",
                )
            })?;
        let context = "finding sexual-offence FIRs";
        let firs = ctx.table("fir").await.map_err(Error::engine(context))?;
        let flag = firs
            .parse_sql_expr(&derived.sql)
            .map_err(Error::engine(context))?;
        let batches = firs
            .filter(flag)
            .and_then(|t| t.select(vec![col("ps_code"), col("fir_no")]))
            .map_err(Error::engine(context))?
            .collect()
            .await
            .map_err(Error::engine(context))?;
        let mut set = HashSet::new();
        for b in &batches {
            let (ps, fir) = (text(b.column(0), context)?, text(b.column(1), context)?);
            let (ps, fir) = (ps.as_string::<i32>(), fir.as_string::<i32>());
            for row in 0..b.num_rows() {
                if ps.is_valid(row) && fir.is_valid(row) {
                    set.insert((ps.value(row).to_string(), fir.value(row).to_string()));
                }
            }
        }
        Ok(SexualOffences(set))
    }

    /// Which rows of a `fir` batch belong to a sexual-offence FIR.
    pub fn rows(&self, batch: &RecordBatch) -> BooleanArray {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| cast(c, &DataType::Utf8).ok())
        };
        let (Some(ps), Some(fir)) = (column("ps_code"), column("fir_no")) else {
            return BooleanArray::from(vec![false; batch.num_rows()]);
        };
        let (ps, fir) = (ps.as_string::<i32>(), fir.as_string::<i32>());
        (0..batch.num_rows())
            .map(|row| {
                Some(
                    ps.is_valid(row)
                        && fir.is_valid(row)
                        && self
                            .0
                            .contains(&(ps.value(row).to_string(), fir.value(row).to_string())),
                )
            })
            .collect()
    }

    /// The rows of a `fir` batch that are sexual offences and still show a
    /// victim column.
    pub fn unmasked_rows(&self, batch: &RecordBatch) -> Vec<usize> {
        let sexual = self.rows(batch);
        let victims: Vec<&ArrayRef> = VICTIM_COLUMNS
            .iter()
            .filter_map(|name| batch.column_by_name(name))
            .collect();
        (0..batch.num_rows())
            .filter(|&row| sexual.value(row) && victims.iter().any(|c| c.is_valid(row)))
            .collect()
    }

    /// A `fir` batch with the victim columns of its sexual-offence rows null.
    pub fn mask(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let context = "masking sexual-offence FIRs";
        let sexual = self.rows(batch);
        let schema = batch.schema();
        let columns = schema
            .fields()
            .iter()
            .zip(batch.columns())
            .map(
                |(field, column)| match VICTIM_COLUMNS.contains(&field.name().as_str()) {
                    true => nullif(column, &sexual).map_err(Error::arrow(context)),
                    false => Ok(column.clone()),
                },
            )
            .collect::<Result<Vec<ArrayRef>>>()?;
        RecordBatch::try_new(schema, columns).map_err(Error::arrow(context))
    }
}

/// A batch of `table` read from the lake, as it may be published: personal
/// columns pseudonymised and, in `fir`, sexual offences masked.
pub fn clean(
    batch: &RecordBatch,
    table: &str,
    key: &PseudonymKey,
    sexual: &SexualOffences,
) -> Result<RecordBatch> {
    let keyed = pseudonymise_personal(batch, table, key)?;
    match table {
        "fir" => sexual.mask(&keyed),
        _ => Ok(keyed),
    }
}

/// `batch` with every personal column of `table` (contract) replaced by its pseudonyms.
fn pseudonymise_personal(
    batch: &RecordBatch,
    table: &str,
    key: &PseudonymKey,
) -> Result<RecordBatch> {
    let context = format!("pseudonymising {table}");
    let def = crate::contract::table(table);
    let schema = batch.schema();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let name = field.name().as_str();
        let personal = def.is_some_and(|t| t.columns.iter().any(|c| c.personal && c.name == name));
        if !personal {
            columns.push(column.clone());
            continue;
        }
        let form = match name.contains("mobile") {
            true => Form::Mobile,
            false => Form::Text,
        };
        let values = text(column, &context)?;
        let keyed = pseudonymise(
            key,
            &format!("{table}.{name}"),
            form,
            values.as_string::<i32>(),
        );
        columns.push(cast(&keyed, field.data_type()).map_err(Error::arrow(context.clone()))?);
    }
    RecordBatch::try_new(schema, columns).map_err(Error::arrow(context))
}

/// `column` as UTF-8 text.
fn text(column: &ArrayRef, context: &str) -> Result<ArrayRef> {
    cast(column, &DataType::Utf8).map_err(Error::arrow(context))
}
