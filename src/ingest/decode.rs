//! Encodings of the contract: raw bytes of a text file to UTF-8.
//!
//! Input: a file's bytes. Output: its text and the encoding it had, or the
//! reason it is not text. Invariant: only the contract's encodings are
//! accepted (UTF-8 with or without BOM, UTF-16 LE/BE with BOM, strict Windows-1252).

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;

/// The encoding a file was read in, as the ingest report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    /// UTF-8 (pure ASCII included), with or without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-16 little endian, with a byte-order mark.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big endian, with a byte-order mark.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// Windows-1252, for bytes that are not UTF-8.
    #[serde(rename = "cp1252")]
    Windows1252,
}

/// Why a file's bytes are not text in any contract encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    /// A NUL byte in a file without a UTF-16 byte-order mark.
    NulByte {
        /// Byte offset of the first NUL.
        offset: usize,
    },
    /// Not UTF-8, and a byte Windows-1252 leaves undefined.
    UndefinedByte {
        /// Byte offset of the first undefined byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A UTF-16 byte-order mark followed by invalid UTF-16.
    BadUtf16,
}

impl NotText {
    /// One line saying what is wrong and how to fix it.
    pub fn describe(&self) -> String {
        match self {
            NotText::NulByte { offset } => format!(
                "byte offset {offset}: NUL byte in a file without a UTF-16 byte-order mark, so it is not text; export it again as UTF-8 CSV"
            ),
            NotText::UndefinedByte { offset, byte } => format!(
                "byte offset {offset}: 0x{byte:02X} is neither UTF-8 nor Windows-1252, so the encoding is unknown; export it again as UTF-8"
            ),
            NotText::BadUtf16 => "the file starts with a UTF-16 byte-order mark but is not valid UTF-16; export it again as UTF-8".into(),
        }
    }
}

/// Text of a file in UTF-8 and the encoding it was found in.
#[derive(Debug)]
pub struct Decoded {
    /// The text, without any byte-order mark.
    pub text: String,
    /// The file's encoding.
    pub encoding: Encoding,
    /// Whether the file began with a byte-order mark.
    pub bom: bool,
}

/// The five bytes Windows-1252 leaves undefined.
const UNDEFINED_1252: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// Decodes a file's bytes by the contract's rules.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, NotText> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, Encoding::Utf16Be);
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(NotText::NulByte { offset });
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if bom {
                text.drain(..3);
            }
            Ok(Decoded {
                text,
                encoding: Encoding::Utf8,
                bom,
            })
        }
        Err(e) => windows_1252(e.as_bytes()),
    }
}

fn utf16(rest: &[u8], encoding: Encoding) -> Result<Decoded, NotText> {
    let codec = if encoding == Encoding::Utf16Le {
        UTF_16LE
    } else {
        UTF_16BE
    };
    let text = codec
        .decode_without_bom_handling_and_without_replacement(rest)
        .ok_or(NotText::BadUtf16)?;
    Ok(Decoded {
        text: text.into_owned(),
        encoding,
        bom: true,
    })
}

fn windows_1252(bytes: &[u8]) -> Result<Decoded, NotText> {
    if let Some((offset, &byte)) = bytes
        .iter()
        .enumerate()
        .find(|(_, b)| UNDEFINED_1252.contains(b))
    {
        return Err(NotText::UndefinedByte { offset, byte });
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: Encoding::Windows1252,
        bom: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode("थाना,a".as_bytes().to_vec()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.bom),
            ("थाना,a", Encoding::Utf8, false)
        );
        let d = decode(b"\xEF\xBB\xBFa,b".to_vec()).unwrap();
        assert_eq!((d.text.as_str(), d.bom), ("a,b", true));
        assert_eq!(decode(b"\xEF\xBB\xBF".to_vec()).unwrap().text, "");
    }

    #[test]
    fn utf16_both_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("क,b".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("क,b".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(le).unwrap().encoding, Encoding::Utf16Le);
        let d = decode(be).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("क,b", Encoding::Utf16Be));
    }

    #[test]
    fn windows_1252_and_its_undefined_bytes() {
        let d = decode(b"Caf\xE9 Corner".to_vec()).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("Café Corner", Encoding::Windows1252)
        );
        assert_eq!(
            decode(b"x\xC3\x28\x81".to_vec()).unwrap_err(),
            NotText::UndefinedByte {
                offset: 3,
                byte: 0x81
            }
        );
    }

    #[test]
    fn nul_bytes_are_not_text() {
        assert_eq!(
            decode(b"a,\0b".to_vec()).unwrap_err(),
            NotText::NulByte { offset: 2 }
        );
        assert_eq!(
            decode(b"a\0\0\0".to_vec()).unwrap_err(),
            NotText::NulByte { offset: 1 }
        );
    }
}
