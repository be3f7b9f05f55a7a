//! Places in a document that is not plain text: a Word paragraph or table cell, a PDF page and
//! line. The text reader sees the extracted text; findings name the place the user opens.

use std::fmt;

/// A place in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The n-th paragraph outside tables (1-based).
    Paragraph(usize),
    /// A table cell, each number 1-based.
    Cell {
        /// The n-th table.
        table: usize,
        /// Its row.
        row: usize,
        /// The cell in the row (grid column).
        cell: usize,
    },
    /// A line of a PDF page, both 1-based.
    Page {
        /// The page.
        page: usize,
        /// The line on the page, from the top.
        line: usize,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Paragraph(n) => write!(f, "paragraph {n}"),
            Place::Cell { table, row, cell } => write!(f, "table {table}, row {row}, cell {cell}"),
            Place::Page { page, line } => write!(f, "page {page}, line {line}"),
        }
    }
}

/// Where each part of an extracted text came from.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// (start offset in the text, place), in text order.
    places: Vec<(usize, Place)>,
    /// PDF: (offset of a character in the text, its box on the page: x0, y0, x1, y1 in points,
    /// origin at the page's bottom left), in text order.
    boxes: Vec<(usize, [f32; 4])>,
}

impl Places {
    /// Records that the text from `at` on comes from `place`.
    pub fn push(&mut self, (at, place): (usize, Place)) {
        self.places.push((at, place));
    }

    /// Records the box of the character at `at` (PDF).
    pub fn push_box(&mut self, at: usize, b: [f32; 4]) {
        self.boxes.push((at, b));
    }

    /// The rectangle the characters of `[start, end)` cover on their page (PDF input), when
    /// they are on one page.
    pub fn rect(&self, start: usize, end: usize) -> Option<[f32; 4]> {
        let page = |at: usize| match self.place(at) {
            Some(Place::Page { page, .. }) => Some(page),
            _ => None,
        };
        let first = page(start)?;
        let i = self.boxes.partition_point(|(o, _)| *o < start);
        let mut out: Option<[f32; 4]> = None;
        for (o, b) in &self.boxes[i..] {
            if *o >= end.max(start + 1) {
                break;
            }
            if page(*o) != Some(first) {
                continue;
            }
            out = Some(match out {
                None => *b,
                Some(r) => [
                    r[0].min(b[0]),
                    r[1].min(b[1]),
                    r[2].max(b[2]),
                    r[3].max(b[3]),
                ],
            });
        }
        out
    }

    /// The place of the text at byte `at`.
    pub fn place(&self, at: usize) -> Option<Place> {
        let i = self.places.partition_point(|(s, _)| *s <= at);
        i.checked_sub(1).map(|i| self.places[i].1)
    }
}
