//! Stage 2: decoded text -> [`Report`], a document model whose every node carries a byte span
//! into the original text. Matching happens on normalised views ([`NormText`]) that map back.

pub mod normalize;
pub mod publisher;
#[rustfmt::skip]
mod t2s_table;
mod text;

pub use normalize::{NormRef, NormText, NormTexts};

use crate::source::{InputKind, Source};
use crate::span::Span;
use serde::Serialize;

/// A metadata entry such as `发文日期 | 2019-01-20` from the page header.
#[derive(Debug, Clone, Serialize)]
pub struct MetaEntry {
    /// Key as written.
    pub key: String,
    /// Span of the key.
    pub key_span: Span,
    /// Value as written.
    pub value: String,
    /// Span of the value.
    pub value_span: Span,
}

/// A numbered heading (`一、`, `（一）`, `1.`).
#[derive(Debug, Clone, Serialize)]
pub struct Heading {
    /// 1 for `一、`, 2 for `（一）`, 3 for `1.`.
    pub level: u8,
    /// The number of the heading (一 -> 1), when it could be read.
    pub ordinal: Option<u32>,
    /// Heading text without the enumerator, as written.
    pub text: String,
    /// Span of the whole heading line (without surrounding white space).
    pub span: Span,
}

/// A sentence inside a paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Sentence {
    /// Span in the original text.
    pub span: Span,
}

/// A paragraph of prose with its sentences and the section it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct Paragraph {
    /// Span in the original text.
    pub span: Span,
    /// Index into [`Report::headings`] of the enclosing level-1 heading.
    pub section: Option<usize>,
    /// Index into [`Report::headings`] of the nearest heading of any level.
    pub heading: Option<usize>,
    /// Sentences, split at 。！？；.
    pub sentences: Vec<Sentence>,
}

/// One table cell: a span of the document's text (a cell owns no copy of its text, so a
/// report's tables take 12 bytes per cell whatever they hold). Offsets are 32-bit: a document's
/// text is at most `u32::MAX` bytes ([`crate::source::decode`] refuses a longer one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    start: u32,
    end: u32,
    blank: bool,
}

impl Cell {
    fn new(span: Span, blank: bool) -> Cell {
        let at = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
        Cell {
            start: at(span.start),
            end: at(span.end),
            blank,
        }
    }

    /// A cell whose text is `span` of the document's text.
    pub fn written(span: Span) -> Cell {
        Cell::new(span, false)
    }

    /// A blank cell at `span`.
    pub fn blank(span: Span) -> Cell {
        Cell::new(span, true)
    }

    /// Span of the text as written, trimmed of white space and `?` placeholders; for a blank
    /// cell, where the cell is.
    pub fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }

    /// Whether the cell is blank (nothing but white space or `?` placeholders).
    pub fn is_blank(&self) -> bool {
        self.blank
    }

    /// The cell's text, read from the document's `text` (empty for a blank cell).
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        if self.blank {
            ""
        } else {
            text.get(self.start as usize..self.end as usize)
                .unwrap_or_default()
        }
    }
}

/// Serialised as `{"span": {"start", "end"}, "blank"}`.
impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Cell", 2)?;
        st.serialize_field("span", &self.span())?;
        st.serialize_field("blank", &self.blank)?;
        st.end()
    }
}

/// One table row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Span of the whole row.
    pub span: Span,
    /// Cells in order.
    pub cells: Vec<Cell>,
    /// Text extracted from PDFs: the lines of text between the previous row and this one (a
    /// label wrapped over several lines, or a group label written one character per line).
    /// They may continue this row's label; the binder decides with the labels it expects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_lines: Vec<Span>,
}

/// A table (pipe rows in text input, `<table>` in HTML).
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Span of the whole table.
    pub span: Span,
    /// Rows in order.
    pub rows: Vec<Row>,
    /// Index into [`Report::headings`] of the enclosing level-1 heading.
    pub section: Option<usize>,
    /// How the table was written: pipe rows (text, Markdown, HTML) or a flattened table of
    /// extracted PDF text (a label and figures separated by spaces).
    pub layout: TableLayout,
}

/// How a table was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableLayout {
    /// Cells separated by `|` (plain text, Markdown, HTML tables).
    Pipe,
    /// Text extracted from a PDF: each row a label followed by figures.
    Flat,
}

/// The parsed report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Metadata rows before the title.
    pub metadata: Vec<MetaEntry>,
    /// The title line.
    pub title: Option<Span>,
    /// Numbered headings in document order.
    pub headings: Vec<Heading>,
    /// Prose paragraphs in document order.
    pub paragraphs: Vec<Paragraph>,
    /// Tables in document order.
    pub tables: Vec<Table>,
}

impl Report {
    /// Level-1 headings (the report's numbered parts).
    pub fn sections(&self) -> impl Iterator<Item = &Heading> {
        self.headings.iter().filter(|h| h.level == 1)
    }
}

/// Parses a decoded source into a report.
pub fn parse(source: &Source) -> Report {
    match source.kind {
        // HTML pages, Word documents and PDFs are extracted into the text layout (tables as pipe
        // rows), which the text reader reads.
        InputKind::Text | InputKind::Html | InputKind::Docx | InputKind::Pdf => {
            text::parse(&source.text)
        }
    }
}

/// Parses the opening of a text only (its title block): for indexing a batch by publisher
/// without reading every report whole twice. Spans are those of the whole text.
pub fn parse_head(text: &str, bytes: usize) -> Report {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = if end < text.len() {
        text[..end].rfind('\n').map_or(end, |i| i + 1)
    } else {
        end
    };
    text::parse(&text[..end])
}

/// Reads a Chinese or Arabic ordinal such as 十二 or 3.
pub fn parse_ordinal(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    crate::numerals::parse_chinese(s).and_then(|d| u32::try_from(d).ok())
}
