//! Stage 1: bytes -> decoded text. Detects the encoding (BOM, UTF-8, GB18030/GBK via chardetng)
//! and the input kind, and refuses empty or binary files with a clear reason.

pub mod html;

use encoding_rs::Encoding;
use std::fmt;
use std::path::Path;

/// What kind of document the bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// Plain text (including text extracted from PDFs).
    Text,
    /// An HTML page as published.
    Html,
}

/// A decoded input file. Every span in later stages is a byte range into `text`.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown in diagnostics (usually the path as given).
    pub name: String,
    /// The decoded text, exactly as the file holds it (BOM removed).
    pub text: String,
    /// Name of the encoding the bytes were decoded from (e.g. `UTF-8`, `GBK`).
    pub encoding: &'static str,
    /// Whether some bytes could not be decoded and were replaced by U+FFFD.
    pub had_decode_errors: bool,
    /// Detected input kind.
    pub kind: InputKind,
    /// For HTML input: the page as decoded, and where each byte of `text` came from in it.
    pub html: Option<HtmlOrigin>,
}

/// Where the visible text of an HTML page came from.
#[derive(Debug, Clone)]
pub struct HtmlOrigin {
    /// The decoded HTML.
    pub raw: String,
    /// For each byte of the visible text (and its end): the byte offset in `raw`.
    pub map: Vec<usize>,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The file could not be read.
    Io(String),
    /// The file has no content (or only white space).
    Empty,
    /// The file looks like binary data (NUL bytes or many control bytes).
    Binary {
        /// Byte offset of the first suspicious byte.
        offset: usize,
    },
    /// The file is a PDF; only its extracted text can be checked today.
    Pdf,
    /// The file is far larger than any report.
    TooLarge {
        /// Its size in bytes.
        bytes: u64,
    },
}

/// The largest file read: annual reports are well under a megabyte of text (HTML pages with
/// their markup a few megabytes); a larger file is something else, or many reports in one.
pub const MAX_BYTES: u64 = 32 << 20;

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Io(e) => write!(f, "cannot read the file: {e}"),
            SourceError::Empty => write!(
                f,
                "the file is empty: nothing to check (文件为空); export the report's text again"
            ),
            SourceError::Binary { offset } => write!(
                f,
                "the file looks binary (control byte at offset {offset}), not a text or HTML report; \
                 convert it to text first (文件不是文本)"
            ),
            SourceError::Pdf => write!(
                f,
                "PDF input is not supported yet; extract its text (e.g. `pdftotext -layout`) and check the .txt file"
            ),
            SourceError::TooLarge { bytes } => write!(
                f,
                "the file is {} MiB, larger than the {} MiB any single report comes to (文件过大); check that it holds one report, or split it",
                bytes >> 20,
                MAX_BYTES >> 20
            ),
        }
    }
}

/// Reads and decodes a file from disk.
pub fn read_path(path: &Path) -> Result<Source, SourceError> {
    let size = std::fs::metadata(path)
        .map_err(|e| SourceError::Io(e.to_string()))?
        .len();
    if size > MAX_BYTES {
        return Err(SourceError::TooLarge { bytes: size });
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io(e.to_string()))?;
    decode(&path.display().to_string(), &bytes)
}

/// Decodes bytes: BOM first, then strict UTF-8, then a chardetng guess (GB18030/GBK for most
/// Chinese pages). Empty and binary inputs are rejected.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Source, SourceError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(SourceError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    if bytes.starts_with(b"%PDF-") {
        return Err(SourceError::Pdf);
    }
    let (encoding, body) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        (enc, &bytes[bom_len..])
    } else if std::str::from_utf8(bytes).is_ok() {
        (encoding_rs::UTF_8, bytes)
    } else {
        if let Some(offset) = binary_offset(bytes) {
            return Err(SourceError::Binary { offset });
        }
        let guess = meta_charset(bytes).unwrap_or_else(|| {
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(bytes, true);
            det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
        });
        (guess, bytes)
    };
    let is_utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    if !is_utf16 {
        if let Some(offset) = binary_offset(body) {
            return Err(SourceError::Binary { offset });
        }
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let text = text.into_owned();
    if text.trim().is_empty() {
        return Err(SourceError::Empty);
    }
    let kind = detect_kind(&text);
    let (text, html) = match kind {
        InputKind::Html => {
            let h = html::extract(&text);
            if h.text.trim().is_empty() {
                return Err(SourceError::Empty);
            }
            (
                h.text,
                Some(HtmlOrigin {
                    raw: text,
                    map: h.map,
                }),
            )
        }
        InputKind::Text => (text, None),
    };
    Ok(Source {
        name: name.to_string(),
        text,
        encoding: encoding.name(),
        had_decode_errors: had_errors,
        kind,
        html,
    })
}

/// Offset of the first byte that marks the data as binary: a NUL, or (in the first 8 KiB) a
/// share of C0 control bytes other than tab/CR/LF/FF/ESC above 10%.
fn binary_offset(bytes: &[u8]) -> Option<usize> {
    if let Some(p) = bytes.iter().position(|&b| b == 0) {
        return Some(p);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let is_ctrl = |b: &u8| *b < 0x20 && !matches!(*b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b);
    let controls = head.iter().filter(|b| is_ctrl(b)).count();
    if !head.is_empty() && controls * 10 > head.len() {
        return head.iter().position(is_ctrl);
    }
    None
}

/// The charset an HTML page declares in its first 4 KiB (`<meta charset=gbk>` or
/// `content="text/html; charset=gb2312"`).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head: Vec<u8> = bytes[..bytes.len().min(4096)]
        .iter()
        .map(u8::to_ascii_lowercase)
        .collect();
    let at = head.windows(8).position(|w| w == b"charset=")?;
    let rest = &head[at + 8..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let end = rest
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'))
        .unwrap_or(rest.len());
    let enc = Encoding::for_label(&rest[..end])?;
    // A page that says UTF-8 but is not valid UTF-8 is better guessed.
    (enc != encoding_rs::UTF_8).then_some(enc)
}

fn detect_kind(text: &str) -> InputKind {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = head.trim_start();
    if trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || (head.contains("<body") && head.contains("</"))
    {
        InputKind::Html
    } else {
        InputKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let s = decode("a", "行政复议".as_bytes()).unwrap();
        assert_eq!(s.text, "行政复议");
        assert_eq!(s.encoding, "UTF-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("行政复议".as_bytes());
        let s = decode("a", &b).unwrap();
        assert_eq!(s.text, "行政复议");
    }

    #[test]
    fn gbk_is_detected_and_decoded() {
        let text = "於潜镇2018年度政府信息公开工作报告，未出现行政复议的情况。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let s = decode("a", &bytes).unwrap();
        assert_eq!(s.text, text);
        assert!(
            s.encoding == "GBK" || s.encoding == "gb18030",
            "{}",
            s.encoding
        );
    }

    #[test]
    fn utf16_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "报告2018".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode("a", &b).unwrap().text, "报告2018");
    }

    #[test]
    fn empty_and_binary_are_refused() {
        assert_eq!(decode("a", b"").unwrap_err(), SourceError::Empty);
        assert_eq!(decode("a", b"  \n\t ").unwrap_err(), SourceError::Empty);
        assert!(matches!(
            decode("a", &[0x89, b'P', b'N', b'G', 0, 0, 1]).unwrap_err(),
            SourceError::Binary { .. }
        ));
        assert_eq!(decode("a", b"%PDF-1.7 ...").unwrap_err(), SourceError::Pdf);
    }

    #[test]
    fn html_kind() {
        let s = decode("a", b"<!DOCTYPE html><html><body>x</body></html>").unwrap();
        assert_eq!(s.kind, InputKind::Html);
    }
}
