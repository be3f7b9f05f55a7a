//! Stage 1: bytes -> decoded text. Detects the encoding (BOM, UTF-8, GB18030/GBK via chardetng)
//! and the input kind, and refuses empty or binary files with a clear reason.

pub mod docx;
pub mod dom;
pub mod html;
pub mod pdf;
pub mod places;

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
    /// A Word document (.docx).
    Docx,
    /// A PDF with a text layer.
    Pdf,
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
    /// Why the encoding was chosen when the file did not say (no BOM in UTF-16; a declared
    /// charset that gave mojibake).
    pub encoding_note: Option<String>,
    /// HTML tables left out because their spans expand past the grid-cell limits.
    pub tables_left_out: Vec<html::TooLarge>,
    /// Detected input kind.
    pub kind: InputKind,
    /// For HTML input: the page as decoded, and where each byte of `text` came from in it.
    pub html: Option<HtmlOrigin>,
    /// For Word and PDF input: the paragraph, table cell or page line each part of `text`
    /// came from.
    pub places: Option<places::Places>,
}

/// Where the visible text of an HTML page came from.
#[derive(Debug, Clone)]
pub struct HtmlOrigin {
    /// The decoded HTML.
    pub raw: String,
    /// For each byte of the visible text (and its end): the byte offset in `raw`.
    pub map: Vec<u32>,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The file could not be read.
    Io(String),
    /// The path names something other than a regular file (a FIFO, a device, a socket).
    NotRegular(&'static str),
    /// The file has no content (or only white space).
    Empty,
    /// The file looks like binary data (NUL bytes or many control bytes).
    Binary {
        /// Byte offset of the first suspicious byte.
        offset: usize,
    },
    /// The file is an office document or archive, named by what it is.
    Document(&'static str),
    /// A Word document that cannot be read (damaged, an archive bomb), with the reason.
    Docx(String),
    /// A PDF that cannot be read (no text layer, encrypted, damaged), with the reason.
    Pdf(String),
    /// The file is far larger than any report.
    TooLarge {
        /// Its size in bytes.
        bytes: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The text decoded from the file is longer than a document may be (`u32::MAX` bytes:
    /// offsets into a document are 32-bit).
    TextTooLarge {
        /// Bytes of decoded text.
        bytes: u64,
    },
    /// An HTML page nests elements deeper than the limit.
    TooDeep {
        /// How deep it nests (at least).
        depth: usize,
        /// Line of the element that went past the limit.
        line: usize,
        /// The limit in force.
        limit: usize,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Io(e) => write!(f, "cannot read the file: {e}"),
            SourceError::NotRegular(kind) => write!(
                f,
                "not a regular file but {kind}: nothing was read (不是普通文件); give the path of a report file"
            ),
            SourceError::Empty => write!(
                f,
                "the file is empty: nothing to check (文件为空); export the report's text again"
            ),
            SourceError::Binary { offset } => write!(
                f,
                "the file looks binary (control byte at offset {offset}), not a text or HTML report; \
                 convert it to text first (文件不是文本)"
            ),
            SourceError::Document(what) if *what == LEGACY_WORD => write!(
                f,
                "the file is {what}, which report-lint cannot read (旧版 Word/WPS 文件); save it as .docx \
                 (Word or WPS: 另存为 → Word 文档 (.docx)), or convert it with \
                 `libreoffice --headless --convert-to docx FILE`, and check the .docx"
            ),
            SourceError::Document(what) => write!(
                f,
                "the file is {what}, not a text or HTML report (文件不是文本); save it as text or HTML \
                 (Word: 另存为 → 纯文本 (.txt), UTF-8), or extract its text (e.g. `pandoc -t plain`), and check that file"
            ),
            SourceError::Docx(why) => write!(f, "cannot read the Word document: {why}"),
            SourceError::Pdf(why) => write!(f, "cannot read the PDF: {why}"),
            SourceError::TooLarge { bytes, limit } => write!(
                f,
                "the file is {} bytes, more than the limit of {} bytes (文件过大); check that it holds one report, \
                 or raise `input_bytes` (docs/limits.md)",
                crate::limits::grouped(*bytes),
                crate::limits::grouped(*limit)
            ),
            SourceError::TextTooLarge { bytes } => write!(
                f,
                "the file's text is {} bytes once decoded, more than a report may be ({} bytes) (文件过大); \
                 check that it holds one report, or split it",
                crate::limits::grouped(*bytes),
                crate::limits::grouped(u64::from(u32::MAX))
            ),
            SourceError::TooDeep { depth, line, limit } => write!(
                f,
                "the HTML nests elements more than {limit} deep (at least {depth}, from line {line}) (网页嵌套过深); \
                 no published report does: check that the file is the report page, or raise `html_depth` (docs/limits.md)"
            ),
        }
    }
}

/// What a path names when it is not a regular file.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    "a special file"
}

/// Reads at most `limit` bytes of a regular file: a FIFO, device or socket is refused before
/// it is opened (opening a FIFO waits for a writer; a device never ends).
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| SourceError::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(SourceError::NotRegular(special_kind(&meta)));
    }
    if meta.len() > limit {
        return Err(SourceError::TooLarge {
            bytes: meta.len(),
            limit,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| SourceError::Io(e.to_string()))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Reads and decodes a file from disk.
pub fn read_path(path: &Path) -> Result<Source, SourceError> {
    let bytes = read_bounded(path, crate::limits::get().input_bytes)?;
    decode_owned(&path.display().to_string(), bytes)
}

/// What a legacy Word or WPS file is called.
const LEGACY_WORD: &str = "a Word 97-2003 or WPS document (.doc/.wps)";

/// What office documents and archives look like in their first bytes.
fn document_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(64 << 10)];
        let has = |name: &[u8]| head.windows(name.len()).any(|w| w == name);
        return Some(if has(b"word/") {
            "a Word document (.docx)"
        } else if has(b"xl/") {
            "an Excel workbook (.xlsx)"
        } else if has(b"OFD.xml") {
            "an OFD document"
        } else {
            "a ZIP archive"
        });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(LEGACY_WORD);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Some("an RTF document");
    }
    None
}

/// Decodes bytes: BOM first, then UTF-8 (with the few invalid bytes of a damaged file
/// replaced), UTF-16 without a BOM, then a chardetng guess (GB18030/GBK for most Chinese
/// pages) or the charset an HTML page declares when that does not give mojibake. Empty, binary
/// and office files are refused with what they are.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Source, SourceError> {
    decode_as(name, Bytes::Borrowed(bytes), false)
}

/// [`decode`], taking the bytes: a UTF-8 file's bytes become its text without a copy, so a
/// large file is not held twice.
pub fn decode_owned(name: &str, bytes: Vec<u8>) -> Result<Source, SourceError> {
    decode_as(name, Bytes::Owned(bytes), false)
}

/// The bytes of a file, borrowed or owned.
enum Bytes<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>),
}

impl Bytes<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b,
            Bytes::Owned(v) => v,
        }
    }

    /// The text of the bytes from `start` on, read as `encoding`, and whether any were
    /// malformed (replaced by U+FFFD).
    fn decode(self, encoding: &'static Encoding, start: usize) -> (String, bool) {
        let (bytes, start): (std::borrow::Cow<'_, [u8]>, usize) = match self {
            Bytes::Owned(mut v) if encoding == encoding_rs::UTF_8 => {
                v.drain(..start.min(v.len()));
                match String::from_utf8(v) {
                    Ok(text) => return (text, false),
                    Err(e) => (e.into_bytes().into(), 0),
                }
            }
            Bytes::Owned(v) => (v.into(), start),
            Bytes::Borrowed(b) => (b.into(), start),
        };
        let (text, had_errors) =
            encoding.decode_without_bom_handling(&bytes[start.min(bytes.len())..]);
        (text.into_owned(), had_errors)
    }
}

/// What reading a file's bytes comes to before they are decoded as text.
enum Plan {
    /// A PDF or Word file, read.
    Read(Box<Source>),
    /// Text in this encoding, from this byte on (after a byte-order mark), with a note.
    Decode {
        encoding: &'static Encoding,
        start: usize,
        note: Option<String>,
    },
}

/// Decodes bytes for indexing a batch ([`crate::corpus::Batch::index`]): as [`decode`], but an
/// HTML page is not laid out; its text is the page with tags, scripts and styles removed, and
/// the page's `<title>` first. Cheap; not for checking.
pub fn decode_for_index(name: &str, bytes: &[u8]) -> Result<Source, SourceError> {
    decode_as(name, Bytes::Borrowed(bytes), true)
}

fn decode_as(name: &str, bytes: Bytes<'_>, quick: bool) -> Result<Source, SourceError> {
    let source = decode_unchecked(name, bytes, quick)?;
    // A document's offsets are 32-bit (`document::Cell`): GBK text grows by half when decoded,
    // and a PDF's or Word file's text may be longer than the file.
    if u32::try_from(source.text.len()).is_err() {
        return Err(SourceError::TextTooLarge {
            bytes: source.text.len() as u64,
        });
    }
    Ok(source)
}

fn decode_unchecked(name: &str, input: Bytes<'_>, quick: bool) -> Result<Source, SourceError> {
    let (encoding, start, note) = match plan(name, input.as_slice(), quick)? {
        Plan::Read(source) => return Ok(*source),
        Plan::Decode {
            encoding,
            start,
            note,
        } => (encoding, start, note),
    };
    let (text, had_errors) = input.decode(encoding, start);
    if text.trim().is_empty() {
        return Err(SourceError::Empty);
    }
    let kind = detect_kind(&text);
    let mut tables_left_out = Vec::new();
    let (text, html) = match kind {
        InputKind::Html if quick => (html::strip_tags(&text), None),
        InputKind::Html => {
            let h = html::extract(&text)?;
            if h.text.trim().is_empty() {
                return Err(SourceError::Empty);
            }
            tables_left_out = h.too_large;
            (
                h.text,
                Some(HtmlOrigin {
                    raw: text,
                    map: h.map,
                }),
            )
        }
        InputKind::Text | InputKind::Docx | InputKind::Pdf => (text, None),
    };
    Ok(Source {
        name: name.to_string(),
        text,
        encoding: encoding.name(),
        had_decode_errors: had_errors,
        encoding_note: note,
        tables_left_out,
        kind,
        html,
        places: None,
    })
}

/// Reads what the bytes are: a PDF or Word file (read here), else text in some encoding.
fn plan(name: &str, bytes: &[u8], quick: bool) -> Result<Plan, SourceError> {
    let limit = crate::limits::get().input_bytes;
    if bytes.len() as u64 > limit {
        return Err(SourceError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    if bytes.starts_with(b"%PDF-") {
        let (text, places) = pdf::extract(bytes).map_err(SourceError::Pdf)?;
        return Ok(Plan::Read(Box::new(Source {
            name: name.to_string(),
            text,
            encoding: "UTF-8",
            had_decode_errors: false,
            encoding_note: None,
            tables_left_out: Vec::new(),
            kind: InputKind::Pdf,
            html: None,
            places: Some(places),
        })));
    }
    if docx::is_docx(bytes) {
        let (text, origin) = docx::extract(bytes).map_err(SourceError::Docx)?;
        if text.trim().is_empty() {
            return Err(SourceError::Empty);
        }
        return Ok(Plan::Read(Box::new(Source {
            name: name.to_string(),
            text,
            encoding: "UTF-8",
            had_decode_errors: false,
            encoding_note: None,
            tables_left_out: Vec::new(),
            kind: InputKind::Docx,
            html: None,
            places: Some(origin),
        })));
    }
    if let Some(what) = document_kind(bytes) {
        return Err(SourceError::Document(what));
    }
    let mut note = None;
    let (encoding, body) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        (enc, &bytes[bom_len..])
    } else if std::str::from_utf8(bytes).is_ok() {
        (encoding_rs::UTF_8, bytes)
    } else if let Some(enc) = utf16_without_bom(bytes) {
        note = Some(format!(
            "the file has no byte-order mark; its bytes read as {} text",
            enc.name()
        ));
        (enc, bytes)
    } else if mostly_utf8(bytes) {
        (encoding_rs::UTF_8, bytes)
    } else {
        if let Some(offset) = binary_offset(bytes) {
            return Err(SourceError::Binary { offset });
        }
        match meta_charset(bytes) {
            // A declared charset that reads as Chinese is used: no guess could overrule it
            // (see `guess_overrules`), so none is made.
            Some(declared) if reads_as_chinese(declared, bytes) => (declared, bytes),
            declared => {
                let guess = guess_encoding(bytes, quick);
                match declared {
                    Some(declared) if declared != guess && guess_overrules(guess, bytes) => {
                        note = Some(format!(
                            "the page declares the charset {}, which turns its text into mojibake; read as {}",
                            declared.name(),
                            guess.name()
                        ));
                        (guess, bytes)
                    }
                    Some(declared) => (declared, bytes),
                    None => (guess, bytes),
                }
            }
        }
    };
    let is_utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    if !is_utf16 {
        if let Some(offset) = binary_offset(body) {
            return Err(SourceError::Binary { offset });
        }
    }
    Ok(Plan::Decode {
        encoding,
        start: bytes.len() - body.len(),
        note,
    })
}

/// UTF-8 with a few damaged bytes: far more valid multi-byte sequences than invalid bytes
/// (GBK read as UTF-8 is nearly all invalid).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multi, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multi += s.chars().filter(|c| c.len_utf8() > 1).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                valid_multi += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| c.len_utf8() > 1).count())
                    .unwrap_or(0);
                let skip = e.error_len().unwrap_or(bad.len()).max(1);
                invalid += skip;
                rest = &bad[skip.min(bad.len())..];
                if rest.is_empty() {
                    break;
                }
            }
        }
    }
    valid_multi >= 20 && invalid * 50 <= valid_multi
}

/// UTF-16 without a byte-order mark: NUL bytes all on one side of the code units (the ASCII
/// characters), and the text they give is readable.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let zeros_at = |parity: usize| {
        bytes
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == 0 && i % 2 == parity)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    // ASCII characters put their NUL on one side; a few hanzi (U+4E00 一) on the other.
    let enc = if odd >= 4 && odd >= even * 10 {
        encoding_rs::UTF_16LE
    } else if even >= 4 && even >= odd * 10 {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    let (text, errors) = enc.decode_without_bom_handling(bytes);
    let readable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    (!errors && readable * 100 >= text.chars().count() * 99).then_some(enc)
}

/// Whether the declared charset gives mojibake where the detected one gives Chinese text: the
/// share of common Chinese characters (GB2312 level 1) among the non-ASCII characters.
/// chardetng's guess at the encoding of `bytes`.
fn guess_encoding(bytes: &[u8], quick: bool) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // Enough evidence is 16 KiB of non-ASCII bytes (thousands of characters); the rest of
    // a long file only costs time.
    // (Indexing a batch settles for 2 KiB.)
    let enough = if quick { 2 << 10 } else { 16 << 10 };
    let mut evidence = 0usize;
    for chunk in bytes.chunks(if quick { 4 << 10 } else { 16 << 10 }) {
        det.feed(chunk, false);
        evidence += chunk.iter().filter(|b| **b >= 0x80).count();
        if evidence >= enough {
            break;
        }
    }
    det.feed(&[], true);
    det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
}

/// Of the non-ASCII characters of the first 256 KiB of `bytes` read as `enc`: how many are
/// common Chinese, and how many there are.
fn chinese_score(enc: &'static Encoding, bytes: &[u8]) -> (usize, usize) {
    let head = &bytes[..bytes.len().min(256 << 10)];
    let (text, _) = enc.decode_without_bom_handling(head);
    let (mut common, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if common_chinese(c) {
            common += 1;
        } else {
            other += 1;
        }
    }
    (common, common + other)
}

/// Whether a page's declared charset reads it as Chinese: at least 30 % of its non-ASCII
/// characters are common ones (or it has none). Below that the declaration may be wrong.
fn reads_as_chinese(declared: &'static Encoding, bytes: &[u8]) -> bool {
    let (common, all) = chinese_score(declared, bytes);
    common * 10 >= all.max(1) * 3
}

/// Whether chardetng's guess overrules a declared charset that does not read as Chinese: the
/// guess reads the page as Chinese, at least 60 % common characters.
fn guess_overrules(guess: &'static Encoding, bytes: &[u8]) -> bool {
    let (common, all) = chinese_score(guess, bytes);
    all > 0 && common * 10 >= all * 6
}

/// A character of GB2312 level 1 (the 3,755 most common hanzi) or common CJK punctuation.
fn common_chinese(c: char) -> bool {
    if matches!(
        c,
        '，' | '。' | '、' | '；' | '：' | '（' | '）' | '“' | '”' | '《' | '》'
    ) {
        return true;
    }
    let c = c as u32;
    c < 0x1_0000 && level1_hanzi()[(c >> 6) as usize] & (1 << (c & 63)) != 0
}

/// The characters GBK encodes as a GB2312 level-1 hanzi (lead byte 0xB0-0xD7, trail byte
/// 0xA1-0xFE), as a bitmap of the Basic Multilingual Plane: the whole region decoded once
/// (`tests` check it against encoding each character).
fn level1_hanzi() -> &'static [u64; 1024] {
    static MAP: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = Box::new([0u64; 1024]);
        let mut bytes = Vec::with_capacity(40 * 94 * 2);
        for lead in 0xB0..=0xD7u8 {
            for trail in 0xA1..=0xFEu8 {
                bytes.extend([lead, trail]);
            }
        }
        let (text, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        for c in text.chars().filter(|&c| c != '\u{FFFD}') {
            let c = c as u32;
            if c < 0x1_0000 {
                map[(c >> 6) as usize] |= 1 << (c & 63);
            }
        }
        map
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

    /// The level-1 bitmap says what encoding each character with GBK says.
    #[test]
    fn common_chinese_is_what_gbk_encodes_as_level_1() {
        let mut level1 = 0;
        for c in (0..0x1_0000u32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
            let encoded = !unmappable
                && bytes.len() == 2
                && (0xB0..=0xD7).contains(&bytes[0])
                && bytes[1] >= 0xA1;
            let punctuation = "，。、；：（）“”《》".contains(c);
            assert_eq!(common_chinese(c), encoded || punctuation, "{c:?}");
            level1 += usize::from(encoded);
        }
        assert!(level1 >= 3755, "{level1}");
    }

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
        assert!(matches!(
            decode("a", b"%PDF-1.7 ...").unwrap_err(),
            SourceError::Pdf(why) if why.contains("damaged")
        ));
    }

    #[test]
    fn html_kind() {
        let s = decode("a", b"<!DOCTYPE html><html><body>x</body></html>").unwrap();
        assert_eq!(s.kind, InputKind::Html);
    }
}
