//! Keyed pseudonyms (spec outputs.md, "Publishing for dashboards"):
//! `HMAC-SHA256(key, "<table>.<column>" 0x1F <normalised value>)`, the first
//! 16 bytes in lower-case hex, computed over a whole Arrow string column.

use super::key::PseudonymKey;
use datafusion::arrow::array::{Array, StringArray, StringBuilder};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;

type HmacSha256 = Hmac<Sha256>;

/// How a column's values are normalised before they are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Names and addresses: trimmed, inner white space one space, NFC, lower case.
    Text,
    /// Mobile numbers: the last ten digits.
    Mobile,
}

/// The normalised form of `value`.
pub fn normalise(value: &str, form: Form) -> String {
    match form {
        Form::Text => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .nfc()
            .collect::<String>()
            .to_lowercase(),
        Form::Mobile => {
            let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
            let from = digits.len().saturating_sub(10);
            digits.iter().skip(from).collect()
        }
    }
}

/// The pseudonym of `value` of `table.column` under `key`.
pub fn pseudonym(key: &PseudonymKey, table_column: &str, value: &str, form: Form) -> String {
    let mut mac = keyed(key);
    feed(&mut mac, table_column, &normalise(value, form));
    finish(mac)
}

/// The pseudonyms of a whole column (nulls stay null): one keyed HMAC
/// state cloned per value, no per-row allocation besides the output.
pub fn pseudonymise(
    key: &PseudonymKey,
    table_column: &str,
    form: Form,
    values: &StringArray,
) -> StringArray {
    let base = keyed(key);
    let mut out = StringBuilder::with_capacity(values.len(), values.len() * 32);
    for i in 0..values.len() {
        if values.is_null(i) {
            out.append_null();
            continue;
        }
        let mut mac = base.clone();
        feed(&mut mac, table_column, &normalise(values.value(i), form));
        out.append_value(finish(mac));
    }
    out.finish()
}

fn keyed(key: &PseudonymKey) -> HmacSha256 {
    // HMAC takes a key of any length, so this cannot fail.
    match HmacSha256::new_from_slice(key.bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

fn feed(mac: &mut HmacSha256, table_column: &str, normalised: &str) {
    mac.update(table_column.as_bytes());
    mac.update(&[0x1F]);
    mac.update(normalised.as_bytes());
}

fn finish(mac: HmacSha256) -> String {
    let digest = mac.finalize().into_bytes();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_key() -> PseudonymKey {
        PseudonymKey::from_bytes(b"0123456789abcdef0123456789abcdef".to_vec())
    }

    #[test]
    fn the_spec_test_vectors_hold() {
        let key = spec_key();
        let vectors = [
            (
                "arrest.name",
                "  Ramesh   Kumar ",
                Form::Text,
                "04eb5b7b19a2e2cdb71728d138aea810",
            ),
            (
                "arrest.name",
                "RAMESH KUMAR",
                Form::Text,
                "04eb5b7b19a2e2cdb71728d138aea810",
            ),
            (
                "fir.complainant_name",
                "प्रिया सिंह",
                Form::Text,
                "55a47f726fcbd66ecc3a700077ce33e8",
            ),
            (
                "fir.complainant_mobile",
                "+91 96722-85733",
                Form::Mobile,
                "b4abbcd840b22604c943bb19968c07ab",
            ),
            (
                "arrest.address",
                "H.No. 1, Sultanpur",
                Form::Text,
                "1653ab2d10687a7020f79e3c39f5882d",
            ),
        ];
        for (column, value, form, expected) in vectors {
            assert_eq!(
                pseudonym(&key, column, value, form),
                expected,
                "{column} {value}"
            );
        }
    }

    #[test]
    fn a_column_keeps_its_nulls_and_agrees_with_one_value() {
        let key = spec_key();
        let column = StringArray::from(vec![Some("RAMESH KUMAR"), None]);
        let out = pseudonymise(&key, "arrest.name", Form::Text, &column);
        assert_eq!(out.value(0), "04eb5b7b19a2e2cdb71728d138aea810");
        assert!(out.is_null(1));
        let other = PseudonymKey::from_bytes(b"another key of thirty-two bytes!".to_vec());
        assert_ne!(
            pseudonym(&other, "arrest.name", "RAMESH KUMAR", Form::Text),
            out.value(0)
        );
    }
}
