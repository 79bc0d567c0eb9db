//! Rewrites of parsed rule expressions that keep their meaning and make them
//! cheaper to evaluate.
//!
//! `timestamp ± INTERVAL 'n days'` is evaluated by Arrow element by element
//! through calendar arithmetic (months may be involved), about ten times
//! slower than adding a fixed duration. Rule timestamps carry no time zone,
//! so an interval without months is exactly a duration: it is replaced by
//! one (`fir_date + INTERVAL '7 days'` becomes `fir_date + 604800 s`).
//! Intervals with months (`INTERVAL '1 month'`) keep calendar arithmetic.
//!
//! `text ~ 'pattern'` (and `~*`, `!~`, `!~*`) is replaced by the session's
//! `regexp_like(text, 'pattern' [, 'i'])`, negated for `!~`: same result,
//! but the pattern is compiled once rather than once per batch
//! (see [`crate::engine::regexp_like`]).

use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano, TimeUnit};
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::{lit, BinaryExpr, Expr, ExprSchemable, Operator};

/// `expr` with every `timestamp ± interval-without-months` turned into `timestamp ± duration`.
pub fn intervals_as_durations(expr: Expr, schema: &DFSchema) -> Result<Expr> {
    expr.transform_up(|e| {
        let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else {
            return Ok(Transformed::no(e));
        };
        if !matches!(op, Operator::Plus | Operator::Minus) {
            return Ok(Transformed::no(e));
        }
        let duration = match (left.get_type(schema), interval_of(right)) {
            (Ok(DataType::Timestamp(unit, None)), Some(interval)) => duration(interval, &unit),
            _ => None,
        };
        Ok(match duration {
            Some(d) => Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                left.clone(),
                *op,
                Box::new(Expr::Literal(d, None)),
            ))),
            None => Transformed::no(e),
        })
    })
    .data()
}

/// `expr` with every regular-expression operator against a literal pattern turned into a `regexp_like` call.
pub fn regex_operators_as_calls(expr: Expr) -> Result<Expr> {
    expr.transform_up(|e| {
        let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else {
            return Ok(Transformed::no(e));
        };
        let (negated, case_insensitive) = match op {
            Operator::RegexMatch => (false, false),
            Operator::RegexIMatch => (false, true),
            Operator::RegexNotMatch => (true, false),
            Operator::RegexNotIMatch => (true, true),
            _ => return Ok(Transformed::no(e)),
        };
        let Expr::Literal(pattern, _) = right.as_ref() else {
            return Ok(Transformed::no(e));
        };
        if pattern.try_as_str().flatten().is_none() {
            return Ok(Transformed::no(e));
        }
        let mut args = vec![left.as_ref().clone(), right.as_ref().clone()];
        if case_insensitive {
            args.push(lit("i"));
        }
        let call = crate::engine::regexp_like().call(args);
        Ok(Transformed::yes(if negated { !call } else { call }))
    })
    .data()
}

fn interval_of(expr: &Expr) -> Option<IntervalMonthDayNano> {
    match expr {
        Expr::Literal(ScalarValue::IntervalMonthDayNano(Some(v)), _) => Some(*v),
        Expr::Literal(ScalarValue::IntervalDayTime(Some(v)), _) => Some(IntervalMonthDayNano::new(
            0,
            v.days,
            i64::from(v.milliseconds) * 1_000_000,
        )),
        _ => None,
    }
}

/// The interval as a duration in `unit`, when it has no months and fits the unit exactly.
fn duration(interval: IntervalMonthDayNano, unit: &TimeUnit) -> Option<ScalarValue> {
    if interval.months != 0 {
        return None;
    }
    let nanos = i64::from(interval.days)
        .checked_mul(86_400_000_000_000)?
        .checked_add(interval.nanoseconds)?;
    let per_unit = match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    };
    if nanos % per_unit != 0 {
        return None;
    }
    let n = Some(nanos / per_unit);
    Some(match unit {
        TimeUnit::Second => ScalarValue::DurationSecond(n),
        TimeUnit::Millisecond => ScalarValue::DurationMillisecond(n),
        TimeUnit::Microsecond => ScalarValue::DurationMicrosecond(n),
        TimeUnit::Nanosecond => ScalarValue::DurationNanosecond(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::prelude::SessionContext;

    fn parse(sql: &str) -> (Expr, DFSchema) {
        let schema = Schema::new(vec![Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        )]);
        let schema = DFSchema::try_from(schema).unwrap();
        let expr = SessionContext::new().parse_sql_expr(sql, &schema).unwrap();
        (expr, schema)
    }

    #[test]
    fn days_and_hours_become_durations() {
        let (e, s) = parse("t + INTERVAL '7 days' - INTERVAL '24 hours'");
        let text = intervals_as_durations(e, &s).unwrap().to_string();
        assert!(
            text.contains("DurationMicrosecond(\"604800000000\")"),
            "{text}"
        );
        assert!(
            text.contains("DurationMicrosecond(\"86400000000\")"),
            "{text}"
        );
        assert!(!text.contains("Interval"), "{text}");
    }

    #[test]
    fn regex_operators_become_regexp_like_calls() {
        let schema =
            DFSchema::try_from(Schema::new(vec![Field::new("s", DataType::Utf8, true)])).unwrap();
        let e = SessionContext::new()
            .parse_sql_expr("s !~* '^a' AND s ~ '^b'", &schema)
            .unwrap();
        let text = regex_operators_as_calls(e).unwrap().to_string();
        assert_eq!(
            text,
            "NOT regexp_like(s, Utf8(\"^a\"), Utf8(\"i\")) AND regexp_like(s, Utf8(\"^b\"))"
        );
    }

    #[test]
    fn months_keep_calendar_arithmetic() {
        let (e, s) = parse("t + INTERVAL '1 month'");
        let text = intervals_as_durations(e, &s).unwrap().to_string();
        assert!(text.contains("Interval"), "{text}");
    }
}
