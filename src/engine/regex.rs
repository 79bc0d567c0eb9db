//! `regexp_like` with each pattern compiled once per process.
//!
//! DataFusion's own `regexp_like` (and the `~`, `~*`, `!~`, `!~*` operators it
//! simplifies to) compiles the pattern again for every batch of rows. A
//! case-insensitive pattern with Unicode classes, such as the rule pack's
//! sexual-offence test, takes about half a millisecond to compile, more than
//! matching the 8,192 rows of a batch: an audit compiled it some thousand
//! times. This function keeps the same name, signature and results, caches the
//! compiled patterns, matches each distinct text of a batch once, and hands
//! every other form of call (a pattern per row, the unsupported `g` flag) to
//! DataFusion's implementation.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::functions::regex::regexplike::RegexpLikeFunc;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use foldhash::HashMap;
use regex::Regex;
use std::sync::{Arc, LazyLock, Mutex};

/// The `regexp_like` UDF to register in a session (replacing DataFusion's).
pub fn regexp_like() -> Arc<ScalarUDF> {
    static UDF: LazyLock<Arc<ScalarUDF>> =
        LazyLock::new(|| Arc::new(ScalarUDF::new_from_impl(CachedRegexpLike::default())));
    Arc::clone(&UDF)
}

/// `regexp_like(text, pattern [, flags])` with scalar patterns compiled once.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
struct CachedRegexpLike {
    builtin: RegexpLikeFunc,
}

impl ScalarUDFImpl for CachedRegexpLike {
    fn name(&self) -> &str {
        self.builtin.name()
    }

    fn signature(&self) -> &Signature {
        self.builtin.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.builtin.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar_pattern = match args.args.as_slice() {
            [ColumnarValue::Array(values), ColumnarValue::Scalar(pattern)] => {
                Some((values, pattern, None))
            }
            [ColumnarValue::Array(values), ColumnarValue::Scalar(pattern), ColumnarValue::Scalar(flags)] => {
                match flags.try_as_str() {
                    Some(flags) if !flags.is_some_and(|f| f.contains('g')) => {
                        Some((values, pattern, flags))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match scalar_pattern {
            Some((values, pattern, flags)) => match pattern.try_as_str() {
                Some(Some(pattern)) => is_match(values, &compiled(pattern, flags)?),
                Some(None) => Ok(ColumnarValue::Array(Arc::new(BooleanArray::new_null(
                    values.len(),
                )))),
                None => self.builtin.invoke_with_args(args),
            },
            None => self.builtin.invoke_with_args(args),
        }
    }
}

/// The pattern with its flags, compiled on first use.
fn compiled(pattern: &str, flags: Option<&str>) -> Result<Regex> {
    static CACHE: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);
    let full = match flags {
        Some(flags) => format!("(?{flags}){pattern}"),
        None => pattern.to_string(),
    };
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(re) = cache.get(&full) {
        return Ok(re.clone());
    }
    let re = match Regex::new(&full) {
        Ok(re) => re,
        Err(e) => return exec_err!("Regular expression did not compile: {e:?}"),
    };
    cache.insert(full, re.clone());
    Ok(re)
}

/// How many distinct texts of a batch [`is_match`] remembers.
const REMEMBERED: usize = 512;

/// Whether each text matches (null stays null). Texts repeat (act sections
/// are a few common combinations of sections), so each distinct text of the
/// batch is matched once and its answer looked up after; past [`REMEMBERED`]
/// distinct texts, new ones are matched without being remembered.
fn is_match(values: &ArrayRef, re: &Regex) -> Result<ColumnarValue> {
    let matched = match values.data_type() {
        DataType::Utf8 => matches(values.as_string::<i32>().iter(), re),
        DataType::LargeUtf8 => matches(values.as_string::<i64>().iter(), re),
        DataType::Utf8View => matches(values.as_string_view().iter(), re),
        DataType::Null => BooleanArray::new_null(values.len()),
        other => return exec_err!("regexp_like: unsupported text type {other}"),
    };
    Ok(ColumnarValue::Array(Arc::new(matched)))
}

/// [`is_match`] over one batch's texts.
fn matches<'a>(texts: impl Iterator<Item = Option<&'a str>>, re: &Regex) -> BooleanArray {
    let mut seen: HashMap<&'a str, bool> = HashMap::default();
    texts
        .map(|text| {
            text.map(|s| match seen.get(s) {
                Some(&matched) => matched,
                None => {
                    let matched = re.is_match(s);
                    if seen.len() < REMEMBERED {
                        seen.insert(s, matched);
                    }
                    matched
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{RecordBatch, StringArray};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::prelude::SessionContext;
    use std::sync::Arc;

    async fn answers(ctx: &SessionContext, sql: &str) -> String {
        let texts = StringArray::from(vec![
            Some("IPC 376"),
            Some("ipc 376(2); BNS 64"),
            Some("BNS 305; POCSO 4"),
            Some("IPC 3760"),
            None,
            Some("भारतीय न्याय संहिता 64"),
            Some("IPC 376"),
            Some("ipc 376(2); BNS 64"),
        ]);
        let batch = RecordBatch::try_from_iter([("t", Arc::new(texts) as _)]).unwrap();
        ctx.register_batch("x", batch).unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        pretty_format_batches(&batches).unwrap().to_string()
    }

    #[test]
    fn remembered_answers_are_the_matches_past_the_limit_too() {
        let re = regex::Regex::new(r"7$").unwrap();
        let texts: Vec<String> = (0..3 * super::REMEMBERED)
            .map(|i| format!("IPC {}", i % (2 * super::REMEMBERED)))
            .collect();
        let answers = super::matches(texts.iter().map(|t| Some(t.as_str())), &re);
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(answers.value(i), re.is_match(text), "{text}");
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn answers_as_datafusion_does() {
        let queries = [
            r"SELECT t, regexp_like(t, '(^|;)\s*IPC\s+0*376(\D|$)') AS m FROM x",
            r"SELECT t, regexp_like(t, '(^|;)\s*(ipc|bns)\s+0*(376|6[3-9])(\D|$)', 'i') AS m FROM x",
            r"SELECT t, regexp_like(t, CAST(NULL AS VARCHAR)) AS m FROM x",
            r"SELECT t, regexp_like(t, 'संहिता') AS m FROM x",
        ];
        for sql in queries {
            let ours = answers(&crate::engine::session(), sql).await;
            let datafusion = answers(&SessionContext::new(), sql).await;
            assert_eq!(ours, datafusion, "{sql}");
            assert!(ours.contains("true") || sql.contains("NULL"), "{ours}");
        }
    }
}
