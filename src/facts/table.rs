//! Binding a table of the form. The report's rows are aligned to the expected rows in form
//! order (a weighted longest-common-subsequence over label matches), then rows whose labels are
//! unreadable are bound by position where the rows recognised around them prove it.
//!
//! A table may be written in pieces (Markdown conversions and PDF text break one form into
//! several tables within its part of the report): the pieces of one part are read as one table
//! when that binds more rows. Every fact records how it was bound ([`BoundBy`]).

use super::checks::{self, BuiltinCheck};
use super::spec::{label_key, ColumnSpec, RowSpec, TableSpec};
use super::{BlankCell, BoundBy, Fact, FactSet, FactValue, NotRecognised, Sentences};
use crate::diagnostic::{Diagnostic, Label, Lang};
use crate::document::{Cell, NormRef, NormText, Report, Row, TableLayout};
use crate::matcher::LazyRegex;
use crate::numerals::{read_cell, CellReading};
use crate::span::Span;
use crate::units::{Money, MoneyUnit};
use rust_decimal::Decimal;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a label shows encoding damage or markup remnants: bopomofo, box drawing, pinyin
/// letters with tone marks, the replacement character, or an HTML tag.
pub fn is_garbled(label: &str) -> bool {
    let strong = label.chars().any(|c| {
        matches!(c,
            '\u{3100}'..='\u{312F}'   // bopomofo (ㄒ)
            | '\u{2500}'..='\u{257F}' // box drawing (┗ ┦ ┍)
            | '\u{01CD}'..='\u{01DC}' // pinyin vowels with tone marks (ǘ)
            | '\u{FFFD}'
            | '\u{E000}'..='\u{F8FF}') // private use
    });
    strong || tag_remnant(label).is_some()
}

/// The first HTML tag remnant in a label: `</span>`, or `?/span>` where the `<` was lost.
fn tag_remnant(s: &str) -> Option<&str> {
    crate::document::normalize::tag_re()
        .find(s)
        .map(|m| m.as_str())
}

/// The last enumerated part of a label that carries its group labels too
/// (`（四）无 1.本机关不掌握相关政府信息` → `1.本机关不掌握相关政府信息`).
fn last_enumerated_part(label: &str) -> Option<String> {
    static RE: std::sync::OnceLock<LazyRegex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        LazyRegex::new(r"\([一二三四五六七八九十]{1,3}\)|[0-9]{1,2}[.、](?:[^0-9]|$)|[一二三四五六七八九十]{1,3}、")
    });
    let norm = NormText::new(label, 0).text;
    let start = re.find_iter(&norm).map(|m| m.start()).last()?;
    (start > 0).then(|| norm[start..].to_string())
}

/// The keys a label is matched by: the whole label, and its last enumerated part. Memoised
/// per thread like [`label_key`].
fn label_keys(label: &str) -> Vec<String> {
    thread_local! {
        static MEMO: super::spec::Memo<Vec<String>> = Default::default();
    }
    super::spec::memoized(&MEMO, label, label_keys_uncached)
}

fn label_keys_uncached(label: &str) -> Vec<String> {
    let mut keys = vec![label_key(label)];
    if let Some(part) = last_enumerated_part(label) {
        let k = label_key(&part);
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

/// How well an actual label key matches an expected one: the score (0 = no match) and how.
fn score(actual: &str, expected: &str, alias: bool) -> (u32, BoundBy) {
    score_counted(
        actual,
        actual.chars().count(),
        expected,
        expected.chars().count(),
        alias,
    )
}

/// [`score`], given the characters of each key (`a` of `actual`, `e` of `expected`).
fn score_counted(actual: &str, a: usize, expected: &str, e: usize, alias: bool) -> (u32, BoundBy) {
    if a == 0 || e == 0 {
        return (0, BoundBy::Position);
    }
    if actual == expected {
        (
            100,
            if alias {
                BoundBy::Variant
            } else {
                BoundBy::Exact
            },
        )
    } else if a >= 4 && expected.starts_with(actual) {
        (80, BoundBy::Near) // cut short in the report, still recognisable
    } else if e >= 4 && actual.starts_with(expected) {
        (70, BoundBy::Near)
    } else if e >= 4 && a > e && actual.contains(expected) {
        // (A label no longer than the form's contains it only by being it, tested above.)
        (60, BoundBy::Near)
    } else {
        (0, BoundBy::Position)
    }
}

/// Edits allowed between a label and the form's label it is read as: a dropped, added or
/// swapped character per four (`其他法律行政止公开` for `其他法律行政法规禁止公开`).
fn near_limit(expected_chars: usize) -> usize {
    (expected_chars / 4).max(1)
}

/// One row of the report that may be a row of the form.
struct Candidate<'a> {
    row: &'a Row,
    /// The label as written (the row's own label cell), and where it is.
    label: &'a str,
    label_span: Span,
    /// Label readings: the row's own label; for PDF text also the label continued from the
    /// lines above it.
    labels: &'a Labels<'a>,
    /// Value cells: one per column of a 2-D form (trailing padding removed), or the value cell
    /// of a `label | unit | value` table.
    values: Vec<&'a Cell>,
    unit_cell: Option<&'a Cell>,
    /// At least one value cell holds a figure.
    numeric: bool,
    /// Every value cell holds a figure, a blank or a blank mark (the row can carry figures).
    plausible: bool,
}

impl Candidate<'_> {
    fn readable_label(&self) -> bool {
        self.labels.keys.iter().any(|(k, _, _)| !k.is_empty())
    }
}

/// How a cell reads for binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    /// Words: a label, a unit, a note.
    Text,
    /// A blank or a blank mark (`-`, `/`, `无`).
    Blank,
    /// A figure (or one out of range).
    Number,
}

impl CellKind {
    fn of(text: &str) -> CellKind {
        match read_cell(text) {
            CellReading::Text => CellKind::Text,
            CellReading::Number { .. } | CellReading::OutOfRange => CellKind::Number,
            _ => CellKind::Blank,
        }
    }
}

/// A row's label cell read once: the label as written, where it is, and its readings.
struct Labels<'a> {
    label: &'a str,
    span: Span,
    /// The readings' keys: (key, its characters, read from the label joined with the lines
    /// above it).
    keys: Box<[(Box<str>, u32, bool)]>,
    /// PDF text: the label joined with the lines above it, and where that is.
    joined: Option<Box<(Span, String)>>,
}

impl<'a> Labels<'a> {
    /// The label in cell `index` of the row (`None`: the row has no label cell).
    fn read(text: &'a str, row: &'a Row, index: Option<usize>) -> Labels<'a> {
        let (label, span) = match index.and_then(|i| row.cells.get(i)) {
            Some(c) => (c.text(text), c.span()),
            None => ("", Span::new(row.span.start, row.span.start)),
        };
        let counted = |k: String, joined: bool| {
            let n = u32::try_from(k.chars().count()).unwrap_or(u32::MAX);
            (k.into_boxed_str(), n, joined)
        };
        let mut keys: Vec<(Box<str>, u32, bool)> = label_keys(label)
            .into_iter()
            .map(|k| counted(k, false))
            .collect();
        let mut joined = None;
        if let Some(first) = row.label_lines.first() {
            // PDF text: the label may begin on the lines above the figures.
            let at = Span::new(first.start, span.end.max(first.end));
            let text: String = row
                .label_lines
                .iter()
                .map(|s| &text[s.range()])
                .chain(std::iter::once(label))
                .collect();
            for k in label_keys(&text) {
                if !keys.iter().any(|r| *r.0 == *k) {
                    keys.push(counted(k, true));
                }
            }
            if keys.iter().any(|k| k.2) {
                joined = Some(Box::new((at, text)));
            }
        }
        Labels {
            label,
            span,
            keys: keys.into_boxed_slice(),
            joined,
        }
    }

    /// Reading `i`: where it is and its text.
    fn reading(&self, i: usize) -> (Span, &str) {
        match (&self.joined, self.keys.get(i)) {
            (Some(j), Some((_, _, true))) => (j.0, j.1.as_str()),
            _ => (self.span, self.label),
        }
    }
}

/// What every form's alignment reads of one row of the report, worked out once per report:
/// how each cell reads, where the label of a 2-D form's row is, and the label's readings (read
/// on first use).
struct RowView<'a> {
    row: &'a Row,
    kinds: Box<[CellKind]>,
    /// (label cell, first value cell) of the row read as a row of a 2-D form.
    grid: (usize, usize),
    /// The label in the first cell.
    first: OnceCell<Box<Labels<'a>>>,
    /// The label of the row read as a row of a 2-D form, when that is not the first cell.
    nested: OnceCell<Box<Labels<'a>>>,
}

impl<'a> RowView<'a> {
    fn new(text: &str, row: &'a Row) -> RowView<'a> {
        let kinds: Box<[CellKind]> = row
            .cells
            .iter()
            .map(|c| CellKind::of(c.text(text)))
            .collect();
        let grid = grid_label(text, row, &kinds);
        RowView {
            row,
            kinds,
            grid,
            first: OnceCell::new(),
            nested: OnceCell::new(),
        }
    }

    /// The labels of cell `index` (`None`: no label cell).
    fn labels(&self, text: &'a str, index: Option<usize>) -> &Labels<'a> {
        match index {
            Some(0) => self
                .first
                .get_or_init(|| Box::new(Labels::read(text, self.row, Some(0)))),
            _ => self
                .nested
                .get_or_init(|| Box::new(Labels::read(text, self.row, index))),
        }
    }

    /// A row that carries figures: its value cells are all figures or blanks, one at least a
    /// figure.
    fn is_grid_value_row(&self) -> bool {
        let values = &self.kinds[self.grid.1.min(self.kinds.len())..];
        !values.is_empty()
            && values.iter().all(|&k| k != CellKind::Text)
            && values.contains(&CellKind::Number)
    }
}

/// The report's tables as every form's alignment reads them ([`RowView`]), and the groups of
/// tables that may hold a form: built once for a window of the report's tables (all of them
/// in any report of ordinary size), before the forms are bound.
pub(super) struct TableRows<'a> {
    text: &'a str,
    report: &'a Report,
    sentences: &'a Sentences<'a>,
    /// By table index; empty for a table outside the window.
    rows: Vec<Vec<RowView<'a>>>,
    /// The groups of tables the forms are aligned with, in order, with their index among all
    /// the report's groups (which decides between groups that align equally well).
    groups: Vec<(usize, &'a [usize])>,
    /// Each table's caption line, on first use.
    captions: OnceCell<Vec<Option<Span>>>,
}

/// Rows of tables read at once ([`RowView`]s hold each row's cell kinds and label readings):
/// a report of ordinary size has a few hundred rows and is read in one window; a huge input
/// (many reports run together) is read a window at a time, so that what its tables take while
/// they are bound does not grow with the input.
pub(super) const WINDOW_ROWS: usize = 4096;

/// Binds every table spec: each against the group of tables it aligns with best, the
/// tables read about `window_rows` rows at a time ([`WINDOW_ROWS`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn bind_tables(
    text: &str,
    report: &Report,
    sentences: &Sentences,
    specs: &[TableSpec],
    lang: Lang,
    facts: &mut FactSet,
    diags: &mut Vec<Diagnostic>,
    window_rows: usize,
) {
    let groups = table_groups(report);
    let windows = windows(report, window_rows);
    let windows = &windows;
    let all = |w: usize| {
        groups
            .iter()
            .enumerate()
            .filter(move |(_, g)| g.first().is_some_and(|&t| windows[t] == w))
    };
    if windows.last().is_none_or(|&w| w == 0) {
        let tables = TableRows::new(text, report, sentences, all(0));
        for spec in specs {
            bind_table(&tables, spec, lang, facts, diags);
        }
        return;
    }
    // First every window for each spec's best group, then each spec bound against its group
    // alone (one window's rows held at a time).
    let n = windows.last().map_or(0, |&w| w + 1);
    let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; specs.len()];
    let keys: Vec<Vec<Vec<usize>>> = specs.iter().map(key_chars).collect();
    for w in 0..n {
        let tables = TableRows::new(text, report, sentences, all(w));
        for ((spec, best), keys) in specs.iter().zip(&mut best).zip(&keys) {
            if let Some((al, rows, g, _)) = tables.best(spec, keys) {
                let key = (al.matched, std::cmp::Reverse(rows), g);
                if best.is_none_or(|(m, r, bg)| key >= (m, std::cmp::Reverse(r), bg)) {
                    *best = Some((al.matched, rows, g));
                }
            }
        }
    }
    // Specs that chose the same group (the forms of one report) share its rows' readings.
    let mut held: Option<(Option<usize>, TableRows)> = None;
    for (spec, best) in specs.iter().zip(best) {
        let chosen = best.map(|(_, _, g)| g);
        let tables = match held.take() {
            Some((g, tables)) if g == chosen => tables,
            _ => TableRows::new(text, report, sentences, chosen.map(|g| (g, &groups[g]))),
        };
        bind_table(&tables, spec, lang, facts, diags);
        held = Some((chosen, tables));
    }
}

/// Each table's window of about `window_rows` rows: consecutive tables of one section stay
/// together, since they may form one group.
fn windows(report: &Report, window_rows: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(report.tables.len());
    let (mut w, mut rows) = (0, 0);
    for (i, t) in report.tables.iter().enumerate() {
        let joins = i > 0 && report.tables[i - 1].section == t.section;
        if !joins && rows > 0 && rows + t.rows.len() > window_rows {
            w += 1;
            rows = 0;
        }
        rows += t.rows.len();
        out.push(w);
    }
    out
}

impl<'a> TableRows<'a> {
    /// Reads the tables of `groups` (index among all the report's groups, tables).
    fn new(
        text: &'a str,
        report: &'a Report,
        sentences: &'a Sentences<'a>,
        groups: impl IntoIterator<Item = (usize, &'a Vec<usize>)>,
    ) -> TableRows<'a> {
        let groups: Vec<(usize, &'a [usize])> =
            groups.into_iter().map(|(i, g)| (i, g.as_slice())).collect();
        let mut rows: Vec<Vec<RowView<'a>>> = report.tables.iter().map(|_| Vec::new()).collect();
        for &(_, g) in &groups {
            for &t in g {
                if rows[t].is_empty() {
                    rows[t] = report.tables[t]
                        .rows
                        .iter()
                        .map(|r| RowView::new(text, r))
                        .collect();
                }
            }
        }
        TableRows {
            text,
            report,
            sentences,
            rows,
            groups,
            captions: OnceCell::new(),
        }
    }

    /// The group `spec` aligns with best (most rows bound by label, then fewest rows, then the
    /// last group), with its alignment, its number of rows, its index among all groups and its
    /// tables.
    fn best(
        &self,
        spec: &TableSpec,
        key_chars: &[Vec<usize>],
    ) -> Option<(Alignment<'_>, usize, usize, &'a [usize])> {
        self.groups
            .iter()
            .map(|&(i, g)| {
                let rows: Vec<&RowView> = g.iter().flat_map(|&t| self.rows[t].iter()).collect();
                let span = g
                    .iter()
                    .map(|&t| self.report.tables[t].span)
                    .reduce(|a, b| a.cover(b))
                    .unwrap_or_default();
                (
                    align(self.text, &rows, span, spec, key_chars),
                    rows.len(),
                    i,
                    g,
                )
            })
            .filter(|(a, ..)| a.matched >= 2.min(spec.rows.len()))
            .max_by_key(|(a, rows, i, _)| (a.matched, std::cmp::Reverse(*rows), *i))
    }

    /// Each table's caption: the last line of the last heading or paragraph before it, after
    /// the table before it (by search: one scan for every table was quadratic in the tables).
    fn captions(&self) -> &[Option<Span>] {
        self.captions.get_or_init(|| {
            let (text, report) = (self.text, self.report);
            let mut ends: Vec<usize> = report.tables.iter().map(|t| t.span.end).collect();
            ends.sort_unstable();
            // Headings, then paragraphs (the order that decides between spans ending alike),
            // by end.
            let mut lines: Vec<(usize, usize, Span)> = report
                .headings
                .iter()
                .map(|h| h.span)
                .chain(report.paragraphs.iter().map(|p| p.span))
                .enumerate()
                .map(|(k, sp)| (sp.end, k, sp))
                .collect();
            lines.sort_unstable();
            report
                .tables
                .iter()
                .map(|table| {
                    let start = table.span.start;
                    let k = ends.partition_point(|&e| e <= start);
                    let after = k.checked_sub(1).map_or(0, |k| ends[k]);
                    let below = lines.partition_point(|&(end, _, _)| end <= start);
                    let last = lines[..below]
                        .iter()
                        .rev()
                        .take_while(|&&(end, _, _)| end >= after)
                        .find(|&&(_, _, sp)| sp.start >= after)
                        .map(|&(_, _, sp)| sp)?;
                    let line = text[last.range()].lines().last()?;
                    let at = line.as_ptr() as usize - text.as_ptr() as usize;
                    Some(Span::new(at, at + line.len()))
                })
                .collect()
        })
    }
}

fn is_value_text(text: &str) -> bool {
    !matches!(read_cell(text), CellReading::Text)
}

fn is_number_text(text: &str) -> bool {
    matches!(
        read_cell(text),
        CellReading::Number { .. } | CellReading::OutOfRange
    )
}

/// The leading text cells of a row of a 2-D form: (label cell index, first value cell index).
/// Nested labels (`三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | 0 | …`) take the last,
/// most specific one; a row that starts with a figure has no label.
fn grid_label(text: &str, row: &Row, kinds: &[CellKind]) -> (usize, usize) {
    let prefix = row
        .cells
        .iter()
        .zip(kinds)
        .take_while(|(c, &k)| !c.text(text).trim().is_empty() && k == CellKind::Text)
        .count();
    match prefix {
        0 if row
            .cells
            .first()
            .is_some_and(|c| c.text(text).trim().is_empty()) =>
        {
            (0, 1)
        }
        0 => (0, 0),
        // A unit cell (`| 条 |`) after the label is not the label.
        n if n >= 2 && is_unit(row.cells[n - 1].text(text)) => (n - 2, n),
        n => (n - 1, n),
    }
}

/// A unit cell of a `label | unit | figures` table (memoised: every form's alignment asks it of
/// every row's last cell).
fn is_unit(text: &str) -> bool {
    thread_local! {
        static MEMO: super::spec::Memo<bool> = Default::default();
    }
    super::spec::memoized(&MEMO, text, is_unit_uncached)
}

fn is_unit_uncached(text: &str) -> bool {
    matches!(
        crate::document::NormText::new(text, 0).text.as_str(),
        "条" | "件"
            | "次"
            | "个"
            | "篇"
            | "人"
            | "人次"
            | "名"
            | "项"
            | "万元"
            | "元"
            | "期"
            | "场"
    )
}

/// Cells without their trailing blanks beyond `width` (Markdown rows padded to a wider header).
fn trim_padding<'c>(text: &str, cells: &'c [Cell], width: usize) -> &'c [Cell] {
    let mut n = cells.len();
    while n > width && cells[n - 1].text(text).trim().is_empty() {
        n -= 1;
    }
    &cells[..n]
}

fn find_column(text: &str, rows: &[&RowView], names: &[String]) -> Option<(usize, usize)> {
    if names.is_empty() {
        return None;
    }
    rows.iter().enumerate().find_map(|(ri, r)| {
        r.row
            .cells
            .iter()
            .position(|c| names.iter().any(|n| label_key(c.text(text)) == *n))
            .map(|ci| (ri, ci))
    })
}

/// Finds the column of every declared column label in the header rows (the rows before the
/// first row of figures), preferring exact label matches. Positions are counted from the end
/// of the row (rows with nested labels have more leading cells). Only a complete, unambiguous
/// header decides; otherwise columns go by position.
fn find_columns(text: &str, rows: &[&RowView], spec: &TableSpec) -> Vec<(usize, usize)> {
    let header_end = rows
        .iter()
        .position(|r| r.is_grid_value_row())
        .unwrap_or(rows.len());
    let width = spec.columns.len();
    // The header cells' keys, once for every column.
    let header: Vec<Vec<String>> = rows[..header_end]
        .iter()
        .map(|r| {
            trim_padding(text, &r.row.cells, width)
                .iter()
                .map(|c| label_key(c.text(text)))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (ci, col) in spec.columns.iter().enumerate() {
        // Exact matches; a label found at two different places (结果维持 under 复议 and under
        // 诉讼) is ambiguous and decides nothing.
        let mut places: Vec<usize> = header
            .iter()
            .flat_map(|cells| {
                cells
                    .iter()
                    .enumerate()
                    .filter(|(i, key)| *i > 0 && col.keys.iter().any(|k| *key == k))
                    .map(|(i, _)| cells.len() - i)
            })
            .collect();
        places.sort_unstable();
        places.dedup();
        let exact = match places.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let found = exact.or_else(|| {
            let hits: Vec<usize> = header
                .iter()
                .rev()
                .flat_map(|cells| {
                    cells
                        .iter()
                        .enumerate()
                        .filter(|(i, key)| {
                            *i > 0
                                && key.chars().count() >= 2
                                && col.keys.iter().any(|k| key.contains(k.as_str()))
                        })
                        .map(|(i, _)| cells.len() - i)
                })
                .collect();
            (hits.len() == 1).then(|| hits[0])
        });
        if let Some(from_end) = found {
            if !out.iter().any(|&(x, _)| x == from_end) {
                out.push((from_end, ci));
            }
        }
    }
    if out.len() == spec.columns.len() && out.iter().all(|&(from_end, _)| from_end <= width) {
        out
    } else {
        Vec::new()
    }
}

/// The candidate rows of a (possibly pieced) table.
fn candidates<'a, 'r: 'a>(
    text: &'r str,
    rows: &[&'a RowView<'r>],
    spec: &TableSpec,
    key_chars: &[Vec<usize>],
) -> Vec<Candidate<'a>> {
    let grid = !spec.columns.is_empty();
    let width = spec.columns.len();
    let value_col = find_column(text, rows, &spec.value_column);
    let unit_col = find_column(text, rows, &spec.unit_column).map(|(_, c)| c);
    let first_row = value_col.map_or(0, |(r, _)| r + 1);
    rows[first_row.min(rows.len())..]
        .iter()
        .filter(|r| {
            r.kinds.len() >= 2 || grid && r.kinds.len() == 1 && r.kinds[0] != CellKind::Text
        })
        .map(|view| {
            let row = view.row;
            let (label_index, first_value) = if grid { view.grid } else { (0, 1) };
            let labels = view.labels(text, (first_value > label_index).then_some(label_index));
            let (values, kinds): (Vec<&Cell>, &[CellKind]) = if grid {
                let from = first_value.min(row.cells.len());
                let cells = trim_padding(text, &row.cells[from..], width);
                (
                    cells.iter().collect(),
                    &view.kinds[from..from + cells.len()],
                )
            } else {
                let vi = value_col.map_or(row.cells.len() - 1, |(_, c)| c);
                let at = vi.min(row.cells.len());
                let end = (vi + 1).min(row.cells.len());
                (
                    row.cells.get(vi).into_iter().collect(),
                    &view.kinds[at..end],
                )
            };
            let unit_cell = if grid {
                None
            } else {
                unit_col.and_then(|u| row.cells.get(u))
            };
            let numeric = kinds.contains(&CellKind::Number);
            let plausible = !kinds.is_empty() && kinds.iter().all(|&k| k != CellKind::Text);
            let mut c = Candidate {
                row,
                label: labels.label,
                label_span: labels.span,
                labels,
                values,
                unit_cell,
                numeric,
                plausible,
            };
            // A row of the form under its own label with text where its figure belongs
            // (`行政强制 | 若干 |`): bound, so that the text is a finding on its cell (RL105).
            if !c.plausible
                && !grid
                && c.values.len() == 1
                && spec
                    .rows
                    .iter()
                    .zip(key_chars)
                    .any(|(r, kc)| best_match(&c, r, kc, spec).0 == 100)
            {
                c.plausible = true;
            }
            c
        })
        .collect()
}

/// One row of the form bound to a row of the report.
#[derive(Debug, Clone, Copy)]
struct Pair {
    expected: usize,
    candidate: usize,
    by: BoundBy,
    /// Which label reading matched (index into `Candidate::readings`).
    reading: usize,
}

struct Alignment<'a> {
    candidates: Vec<Candidate<'a>>,
    pairs: Vec<Pair>,
    /// Rows bound by their labels.
    matched: usize,
    span: Span,
    /// 2-D forms: (position counted from the row's end, column spec index) of every column
    /// found in the header; empty when the columns go by position.
    columns: Vec<(usize, usize)>,
    /// Variants of the form seen (rows of a variant bound by label).
    variants: BTreeSet<String>,
}

/// The best match of a candidate for an expected row: (score, how, reading index).
fn best_match(
    c: &Candidate,
    row: &RowSpec,
    key_chars: &[usize],
    spec: &TableSpec,
) -> (u32, BoundBy, usize) {
    if row.unlabeled {
        let fits = !c.readable_label() && c.values.len() == spec.columns.len() && c.numeric;
        return if fits {
            (100, BoundBy::Exact, 0)
        } else {
            (0, BoundBy::Position, 0)
        };
    }
    let mut best = (0, BoundBy::Position, 0);
    for (ri, (key, a, _)) in c.labels.keys.iter().enumerate() {
        for (ki, (k, &e)) in row.keys.iter().zip(key_chars).enumerate() {
            let (sc, by) = score_counted(key, *a as usize, k, e, ki > 0);
            if sc > best.0 {
                best = (sc, by, ri);
            }
        }
    }
    best
}

/// A fingerprint of a form's row labels (the near matches of a label depend on nothing else).
fn rows_fingerprint(spec: &TableSpec) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    for row in &spec.rows {
        row.keys.hash(&mut h);
    }
    h.finish()
}

/// [`near_match`], memoised per thread by the form's labels and the candidate's readings: the
/// same labels recur in every report of a batch. The memo is bounded (cleared when full).
fn near_match_memo(
    c: &Candidate,
    spec: &TableSpec,
    fingerprint: u64,
) -> Option<(usize, u32, usize)> {
    type Memo = std::collections::HashMap<(u64, Vec<String>), Option<(usize, u32, usize)>>;
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = Default::default();
    }
    if c.labels.keys.iter().map(|r| r.0.len()).sum::<usize>() > 512 {
        return near_match(c, spec);
    }
    let key = (
        fingerprint,
        c.labels
            .keys
            .iter()
            .map(|r| r.0.to_string())
            .collect::<Vec<_>>(),
    );
    if let Some(found) = MEMO.with(|m| m.borrow().get(&key).copied()) {
        return found;
    }
    let found = near_match(c, spec);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 20_000 {
            m.clear();
        }
        m.insert(key, found);
    });
    found
}

/// A label within a few edits of exactly one row's label: (row, score, reading index).
fn near_match(c: &Candidate, spec: &TableSpec) -> Option<(usize, u32, usize)> {
    let mut found: Option<(usize, usize, usize)> = None; // (distance, row, reading)
    let mut tie = false;
    for (ri, (key, kc, _)) in c.labels.keys.iter().enumerate() {
        let (key, kc) = (&**key, *kc as usize);
        if kc < 3 {
            continue;
        }
        for (j, row) in spec.rows.iter().enumerate() {
            for k in &row.keys {
                let ec = k.chars().count();
                if ec < 4 || kc.abs_diff(ec) > near_limit(ec) {
                    continue;
                }
                let d = strsim::levenshtein(key, k);
                if d == 0 || d > near_limit(ec) {
                    continue;
                }
                match found {
                    Some((bd, bj, _)) if d > bd || (d == bd && bj == j) => {}
                    Some((bd, _, _)) if d == bd => tie = true,
                    _ => {
                        found = Some((d, j, ri));
                        tie = false;
                    }
                }
            }
        }
    }
    match found {
        Some((d, j, ri)) if !tie => Some((j, 50u32.saturating_sub(d as u32), ri)),
        _ => None,
    }
}

fn align<'a, 'r: 'a>(
    text: &'r str,
    rows: &[&'a RowView<'r>],
    span: Span,
    spec: &TableSpec,
    key_chars: &[Vec<usize>],
) -> Alignment<'a> {
    let grid = !spec.columns.is_empty();
    let columns = if grid {
        find_columns(text, rows, spec)
    } else {
        Vec::new()
    };
    let candidates = candidates(text, rows, spec, key_chars);
    let width = spec.columns.len();
    // Rows that may carry the form's figures: a label and value cells, or (2-D) a row of
    // figures with the form's number of cells.
    let value_rows: Vec<usize> = (0..candidates.len())
        .filter(|&i| {
            let c = &candidates[i];
            c.plausible && (c.numeric || c.readable_label())
        })
        .take(MAX_ROWS)
        .collect();
    let (m, n) = (spec.rows.len(), value_rows.len());
    // The near label of each candidate, once (a label within a few edits of one row only).
    let fingerprint = rows_fingerprint(spec);
    let near: Vec<Option<(usize, u32, usize)>> = value_rows
        .iter()
        .map(|&ci| near_match_memo(&candidates[ci], spec, fingerprint))
        .collect();
    let mut scores = vec![vec![(0u32, BoundBy::Position, 0usize); n]; m];
    for (i, (row, kc)) in spec.rows.iter().zip(key_chars).enumerate() {
        for (j, &ci) in value_rows.iter().enumerate() {
            let c = &candidates[ci];
            let mut s = best_match(c, row, kc, spec);
            if s.0 == 0 {
                if let Some((_, sc, ri)) = near[j].filter(|(row, _, _)| *row == i) {
                    s = (sc, BoundBy::Near, ri);
                }
            }
            // A row of a 2-D form binds only with one value per column.
            if grid && c.values.len() != width {
                s.0 = 0;
            }
            scores[i][j] = s;
        }
    }
    let mut dp = vec![vec![0u32; n + 1]; m + 1];
    for i in 1..=m {
        for j in 1..=n {
            let mut best = dp[i - 1][j].max(dp[i][j - 1]);
            let sc = scores[i - 1][j - 1].0;
            if sc > 0 {
                best = best.max(dp[i - 1][j - 1] + sc);
            }
            dp[i][j] = best;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (m, n);
    while i > 0 && j > 0 {
        let (sc, by, reading) = scores[i - 1][j - 1];
        if sc > 0 && dp[i][j] == dp[i - 1][j - 1] + sc {
            pairs.push(Pair {
                expected: i - 1,
                candidate: value_rows[j - 1],
                by,
                reading,
            });
            i -= 1;
            j -= 1;
        } else if dp[i][j] == dp[i - 1][j] {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    pairs.reverse();
    let matched = pairs.len();
    let variants: BTreeSet<String> = pairs
        .iter()
        .filter_map(|p| spec.rows[p.expected].variant.clone())
        .collect();
    // Position: in a gap between two rows recognised by label, as many rows of figures as
    // expected rows (rows of a variant of the form not seen left out) are bound in order.
    let excluded = |e: usize| {
        spec.rows[e]
            .variant
            .as_ref()
            .is_some_and(|v| !variants.is_empty() && !variants.contains(v))
    };
    let mut extra = Vec::new();
    if spec.complete {
        for w in pairs.windows(2) {
            let (a, b) = (w[0], w[1]);
            let exp: Vec<usize> = ((a.expected + 1)..b.expected)
                .filter(|&e| !excluded(e))
                .collect();
            let cands: Vec<usize> = ((a.candidate + 1)..b.candidate)
                .filter(|&c| {
                    let c = &candidates[c];
                    c.plausible && c.numeric && (!grid || c.values.len() == width)
                })
                .collect();
            if !exp.is_empty() && exp.len() == cands.len() && exp.len() <= 6 {
                extra.extend(exp.into_iter().zip(cands).map(|(e, c)| Pair {
                    expected: e,
                    candidate: c,
                    by: BoundBy::Position,
                    reading: 0,
                }));
            }
        }
    }
    pairs.extend(extra);
    pairs.sort_by_key(|p| p.expected);
    Alignment {
        candidates,
        pairs,
        matched,
        span,
        columns,
        variants,
    }
}

/// Most rows of one table aligned to a form: forms have a few dozen rows; a larger "table" is
/// read up to here (the alignment's work grows with rows × form rows).
const MAX_ROWS: usize = 2000;

/// Most labels one summary diagnostic carries.
const MAX_LABELS: usize = 8;

/// The first line of a span (for labels on a whole table).
fn first_line(text: &str, span: Span) -> Span {
    let end = text[span.range()]
        .find('\n')
        .map_or(span.end, |i| span.start + i);
    Span::new(span.start, end)
}

fn diag(check: BuiltinCheck, lang: Lang, message: String) -> Diagnostic {
    Diagnostic::new(check.severity, check.id, check.name, message).with_help(check.fix_in(lang))
}

/// The value of a cell. A money unit written in the cell (`251000元`) wins over the row's
/// unit cell, which wins over the unit declared in the rule file. A note written after the
/// figure is returned with it.
fn cell_value(text: &str, row_unit: Option<MoneyUnit>) -> (FactValue, Option<String>) {
    match read_cell(text) {
        CellReading::Blank => (FactValue::Blank, None),
        CellReading::Text | CellReading::OutOfRange => {
            (FactValue::Text(text.trim().to_string()), None)
        }
        CellReading::Number { value, unit, note } => match unit.or(row_unit) {
            Some(unit) => (
                FactValue::Money(Money {
                    amount: value,
                    unit,
                }),
                note,
            ),
            None => (FactValue::Number(value), note),
        },
    }
}

/// The tables of the report that may hold the form: each table alone, and the pieces of one
/// part of the report read together (a form broken into several tables).
fn table_groups(report: &Report) -> Vec<Vec<usize>> {
    let tables = &report.tables;
    let mut out: Vec<Vec<usize>> = (0..tables.len()).map(|i| vec![i]).collect();
    let mut run: Vec<usize> = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        if run.last().is_some_and(|&l| tables[l].section != t.section) {
            if run.len() > 1 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
        }
        run.push(i);
    }
    if run.len() > 1 {
        out.push(run);
    }
    out
}

/// Why a table of the form was not found: its labels in running text with the figures joined
/// to them, or nothing of it at all.
fn not_found_reason(
    text: &str,
    report: &Report,
    sentences: &Sentences,
    spec: &TableSpec,
    lang: Lang,
) -> String {
    let keys: Vec<&String> = spec
        .rows
        .iter()
        .flat_map(|r| r.keys.iter())
        .chain(spec.columns.iter().flat_map(|c| c.keys.iter()))
        .filter(|k| k.chars().count() >= 4)
        .collect();
    let lines = crate::span::LineIndex::new(text);
    // Labels in running text: followed directly by their figures (a unit word may sit between),
    // or not.
    let mut labels_at: Option<usize> = None;
    // A paragraph is read as its sentences' normalised text (shared with the other binders):
    // no label holds a sentence's end mark, so none spans two sentences.
    let mut first = 0;
    for p in &report.paragraphs {
        let here = first..first + p.sentences.len();
        first += p.sentences.len();
        let norms = || here.clone().map(|i| sentences.norm(i));
        // The first place of each label found, by sentence.
        let found: Vec<(NormRef, usize)> = keys
            .iter()
            .filter_map(|k| norms().find_map(|n| Some((n, n.text.find(k.as_str())?))))
            .collect();
        if found.len() < 2 {
            continue;
        }
        let (norm, b) = found[0];
        let at = lines.line(norm.orig_span(b, b).start);
        let glued = keys.iter().any(|k| {
            norms().any(|norm| {
                norm.text.match_indices(k.as_str()).any(|(i, _)| {
                    norm.text[i + k.len()..]
                        .chars()
                        .find(|c| !"条件次个人篇项万元".contains(*c))
                        .is_some_and(|c| c.is_ascii_digit())
                })
            })
        });
        if glued {
            return match lang {
                Lang::Zh => format!(
                    "第 {at} 行起的文字含有该表的行标签，但数字与标签连在一起、单元格之间没有分隔，无法可靠拆分"
                ),
                Lang::En => format!(
                    "the table's row labels stand in running text from line {at}, with the figures joined to them and no separator between cells: they cannot be split with certainty"
                ),
            };
        }
        labels_at.get_or_insert(at);
    }
    if let Some(at) = labels_at {
        return match lang {
            Lang::Zh => format!("第 {at} 行起的文字含有该表的标签，但其数字无法与标签对应"),
            Lang::En => format!(
                "the table's labels stand in running text from line {at}, but its figures cannot be matched to them"
            ),
        };
    }
    match (lang, report.tables.len()) {
        (Lang::Zh, 0) => "报告中没有可读的表格（表格可能以图片发布）".to_string(),
        (Lang::En, 0) => {
            "the report has no readable table (it may be published as an image)".to_string()
        }
        (Lang::Zh, n) => format!("报告中的 {n} 个表格均不含该表两行以上的标签"),
        (Lang::En, n) => {
            format!("none of the {n} table(s) in the report has two or more rows of the form")
        }
    }
}

/// Each expected row's keys' lengths in characters.
fn key_chars(spec: &TableSpec) -> Vec<Vec<usize>> {
    spec.rows
        .iter()
        .map(|r| r.keys.iter().map(|k| k.chars().count()).collect())
        .collect()
}

/// Binds one table spec against the best-matching table of the report.
fn bind_table(
    tables: &TableRows,
    spec: &TableSpec,
    lang: Lang,
    facts: &mut FactSet,
    diags: &mut Vec<Diagnostic>,
) {
    let (text, report) = (tables.text, tables.report);
    let key_chars = key_chars(spec);
    let best = tables.best(spec, &key_chars);
    // A form printed as several small tables, one per group of columns, each under a caption.
    let whole_row_bound = |al: &Alignment| {
        spec.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unlabeled)
            .all(|(i, _)| al.pairs.iter().any(|p| p.expected == i))
    };
    let mut pieces_reason = None;
    if !spec.groups.is_empty() && best.as_ref().is_none_or(|(a, ..)| !whole_row_bound(a)) {
        match bind_groups(tables, spec, lang, facts) {
            Ok(()) => return,
            Err(why) => pieces_reason = why,
        }
    }
    let Some((al, _, _, group)) = best else {
        let c = checks::TABLE_NOT_FOUND;
        let reason = pieces_reason
            .unwrap_or_else(|| not_found_reason(text, report, tables.sentences, spec, lang));
        let msg = match lang {
            Lang::Zh => format!("未识别{}：{}", spec.title, reason),
            Lang::En => format!("{} not recognised: {}", spec.title, reason),
        };
        let mut d = diag(c, lang, msg);
        if let Some(t) = facts.title {
            d = d.with_label(Label::primary(t, lang.pick("本报告", "this report")));
        }
        if !spec.optional {
            diags.push(d);
        }
        for r in &spec.rows {
            facts.unrecognised.insert(r.key.clone(), spec.name.clone());
        }
        facts.unrecognised_tables.insert(
            spec.name.clone(),
            NotRecognised::new(spec.title.clone(), reason),
        );
        return;
    };
    let flat = group
        .iter()
        .all(|&t| report.tables[t].layout == TableLayout::Flat);
    Binder {
        text,
        spec,
        lang,
        facts,
        diags,
        al: &al,
        flat,
        key_chars: &key_chars,
    }
    .bind();
}

/// Binds the unlabeled row of a form printed in pieces: for each group of columns, the one
/// table whose caption names the group, whose header gives the group's columns in order, and
/// which has one row of figures, one per column. All groups or none: `Err` says what was
/// missing (`None` when no piece at all was seen).
fn bind_groups<'a>(
    tables: &TableRows<'a>,
    spec: &TableSpec,
    lang: Lang,
    facts: &mut FactSet,
) -> Result<(), Option<String>> {
    let (text, report) = (tables.text, tables.report);
    let Some(row_spec) = spec.rows.iter().find(|r| r.unlabeled) else {
        return Err(None);
    };
    let mut found: Vec<(&super::spec::GroupSpec, Vec<&Cell>)> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    // Each table's caption, normalised, once (not per group).
    let captions: Vec<Option<String>> = tables
        .captions()
        .iter()
        .map(|cap| {
            // Brackets are kept: `行政诉讼（复议后起诉）` names its group inside them.
            cap.map(|sp| {
                NormText::new(&text[sp.range()], 0)
                    .text
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || crate::facts::spec::is_cjk(*c))
                    .collect()
            })
        })
        .collect();
    for g in &spec.groups {
        let mut hits = Vec::new();
        for (t, cap) in report.tables.iter().zip(&captions) {
            let Some(cap) = cap else {
                continue;
            };
            let named: Vec<&super::spec::GroupSpec> = spec
                .groups
                .iter()
                .filter(|o| o.keys.iter().any(|k| cap.contains(k.as_str())))
                .collect();
            if named.len() != 1 || named[0].key != g.key {
                continue;
            }
            let cols: Vec<&ColumnSpec> = g.columns.iter().map(|&i| &spec.columns[i]).collect();
            let header = t.rows.iter().any(|r| {
                r.cells.len() == cols.len()
                    && r.cells
                        .iter()
                        .zip(&cols)
                        .all(|(c, col)| col.keys.contains(&label_key(c.text(text))))
            });
            let rows: Vec<&Row> = t
                .rows
                .iter()
                .filter(|r| {
                    r.cells.len() == cols.len()
                        && r.cells.iter().all(|c| is_value_text(c.text(text)))
                        && r.cells.iter().any(|c| is_number_text(c.text(text)))
                })
                .collect();
            if header && rows.len() == 1 {
                hits.push(rows[0].cells.iter().collect::<Vec<&Cell>>());
            }
        }
        match hits.len() {
            1 => found.push((g, hits.remove(0))),
            _ => missing.push(g.keys.first().cloned().unwrap_or_else(|| g.key.clone())),
        }
    }
    if !missing.is_empty() {
        return Err((!found.is_empty()).then(|| match lang {
            Lang::Zh => format!(
                "该表分成若干小表，但未能确定以下部分：{}（需要标题写明该部分、表头列名与报表格式一致、一行数字）",
                missing.join("、")
            ),
            Lang::En => format!(
                "the table is printed in pieces, but these could not be placed: {} (each piece needs a caption naming it, the form's column names and one row of figures)",
                missing.join(", ")
            ),
        }));
    }
    let grid = facts.grids.entry(spec.name.clone()).or_default();
    grid.columns = spec.columns.iter().map(|c| c.key.clone()).collect();
    grid.rows.push(row_spec.key.clone());
    for (g, cells) in found {
        for (&ci, cell) in g.columns.iter().zip(cells) {
            let col = &spec.columns[ci];
            let (value, note) = cell_value(cell.text(text), None);
            facts.table.insert(
                format!("{}[{}]", row_spec.key, col.key),
                Fact {
                    value,
                    span: Some(cell.span()),
                    context: None,
                    raw: text[cell.span().range()].to_string(),
                    bound_by: BoundBy::Exact,
                    scope: None,
                    note,
                    parent: None,
                    share: None,
                },
            );
        }
    }
    Ok(())
}

struct Binder<'x, 'a> {
    text: &'x str,
    spec: &'x TableSpec,
    lang: Lang,
    facts: &'x mut FactSet,
    diags: &'x mut Vec<Diagnostic>,
    al: &'x Alignment<'a>,
    flat: bool,
    /// The characters of each form row's keys.
    key_chars: &'x [Vec<usize>],
}

impl Binder<'_, '_> {
    fn bind(mut self) {
        let (spec, lang, al) = (self.spec, self.lang, self.al);
        let grid = !spec.columns.is_empty();
        if grid {
            let g = self.facts.grids.entry(spec.name.clone()).or_default();
            // Header order when the header was read, else the form's order (positional).
            g.columns = if al.columns.is_empty() {
                spec.columns.iter().map(|c| c.key.clone()).collect()
            } else {
                al.columns
                    .iter()
                    .map(|&(_, c)| spec.columns[c].key.clone())
                    .collect()
            };
        }
        let bound: BTreeMap<usize, Pair> = al.pairs.iter().map(|p| (p.candidate, *p)).collect();
        let mut blanks_as_zero: Vec<Span> = Vec::new();
        let mut ragged: Vec<(Span, usize)> = Vec::new();
        let mut unlabeled: Vec<(Span, &str)> = Vec::new();
        for (ci, cand) in al.candidates.iter().enumerate() {
            let garbled = is_garbled(cand.label);
            let Some(pair) = bound.get(&ci).copied() else {
                self.unbound(cand, garbled, &mut ragged);
                continue;
            };
            let row_spec = &spec.rows[pair.expected];
            let (label_span, label_text) = cand.labels.reading(pair.reading);
            match pair.by {
                BoundBy::Position if !cand.readable_label() && !garbled => {
                    unlabeled.push((first_line(self.text, cand.row.span), &row_spec.title))
                }
                BoundBy::Position => self.positional(cand, row_spec, garbled),
                BoundBy::Near if near_edit(cand, pair, row_spec) => {
                    self.near_label(label_text, label_span, row_spec)
                }
                _ if garbled => self.diags.push(garbled_diag(lang, cand, cand.label_span)),
                _ => {}
            }
            let row_unit = self.row_unit(cand, row_spec);
            let cells: Vec<(String, Option<&ColumnSpec>, &Cell)> = if grid {
                grid_cells(spec, &al.columns, cand, row_spec)
            } else {
                cand.values
                    .first()
                    .map(|c| vec![(row_spec.key.clone(), None, *c)])
                    .unwrap_or_default()
            };
            if grid && cells.is_empty() {
                ragged.push((cand.row.span, cand.values.len()));
            }
            let mut row_facts: BTreeMap<String, FactValue> = BTreeMap::new();
            for (key, column, cell) in &cells {
                let (mut value, note) = cell_value(cell.text(self.text), row_unit);
                match &value {
                    FactValue::Blank if spec.blank_is_zero => {
                        value = FactValue::Number(Decimal::ZERO);
                        blanks_as_zero.push(cell.span());
                    }
                    FactValue::Blank if column.is_some() => {}
                    FactValue::Blank => self.blank_cell(row_spec, cell, cand, key),
                    FactValue::Text(t)
                        if matches!(read_cell(cell.text(self.text)), CellReading::OutOfRange) =>
                    {
                        let c = checks::FIGURE_OUT_OF_RANGE;
                        let digits = t.chars().filter(char::is_ascii_digit).count();
                        let msg = match lang {
                            Lang::Zh => format!(
                                "「{}」的数值有 {digits} 位数字，超出任何统计数的范围，不参与计算",
                                row_spec.title
                            ),
                            Lang::En => format!(
                                "the value of `{}` has {digits} digits, beyond any count; it is left out of the arithmetic",
                                row_spec.title
                            ),
                        };
                        self.diags
                            .push(diag(c, lang, msg).with_label(Label::primary(cell.span(), "")));
                    }
                    FactValue::Number(n) | FactValue::Money(Money { amount: n, .. })
                        if n.is_sign_negative()
                            && !n.is_zero()
                            && !row_spec.signed
                            && !column.is_some_and(|c| c.signed) =>
                    {
                        let c = checks::NEGATIVE_FIGURE;
                        let msg = match lang {
                            Lang::Zh => {
                                format!("「{}」的数值为负数：{n}", row_spec.title)
                            }
                            Lang::En => {
                                format!("the value of `{}` is negative: {n}", row_spec.title)
                            }
                        };
                        self.diags
                            .push(diag(c, lang, msg).with_label(Label::primary(cell.span(), "")));
                    }
                    FactValue::Number(n) if !n.fract().is_zero() => {
                        let c = checks::FRACTIONAL_COUNT;
                        let msg = match lang {
                            Lang::Zh => format!("「{}」是计数，却带有小数：{n}", row_spec.title),
                            Lang::En => {
                                format!("`{}` is a count but has decimals: {n}", row_spec.title)
                            }
                        };
                        self.diags
                            .push(diag(c, lang, msg).with_label(Label::primary(
                                cell.span(),
                                lang.pick("应为整数", "a whole number belongs here"),
                            )));
                    }
                    FactValue::Money(m) if m.amount.normalize().scale() > m.unit.max_decimals() => {
                        let c = checks::EXCESS_DECIMALS;
                        let (dp, max) = (m.amount.normalize().scale(), m.unit.max_decimals());
                        let msg = match lang {
                            Lang::Zh => format!(
                                "「{}」的金额有 {dp} 位小数，以{}为单位至多 {max} 位",
                                row_spec.title,
                                m.unit.label()
                            ),
                            Lang::En => format!(
                                "the amount of `{}` has {dp} decimals; in {} at most {max}",
                                row_spec.title,
                                m.unit.label()
                            ),
                        };
                        self.diags.push(
                            diag(c, lang, msg)
                                .with_label(Label::primary(cell.span(), m.to_string())),
                        );
                    }
                    FactValue::Text(t) => {
                        let c = checks::NON_NUMERIC_CELL;
                        let msg = match lang {
                            Lang::Zh => format!("「{}」的数值不是数字：{t}", row_spec.title),
                            Lang::En => {
                                format!("the value of `{}` is not a number: {t}", row_spec.title)
                            }
                        };
                        self.diags
                            .push(diag(c, lang, msg).with_label(Label::primary(cell.span(), "")));
                    }
                    _ => {}
                }
                if let Some(c) = column {
                    row_facts.insert(c.key.clone(), value.clone());
                }
                let note = note.map(|n| {
                    lang.pick(&format!("单元格注明：{n}"), &format!("the cell notes: {n}"))
                        .to_string()
                });
                self.facts.table.insert(
                    key.clone(),
                    Fact {
                        value,
                        span: Some(cell.span()),
                        context: Some(cand.row.span),
                        raw: self.text[cell.span().range()].to_string(),
                        bound_by: pair.by,
                        scope: None,
                        note,
                        parent: None,
                        share: None,
                    },
                );
            }
            if grid && !cells.is_empty() {
                self.derive_totals(row_spec, &cells, &row_facts, pair.by);
                self.facts
                    .grids
                    .entry(spec.name.clone())
                    .or_default()
                    .rows
                    .push(row_spec.key.clone());
            }
        }
        self.ragged(&ragged);
        self.unlabeled(&unlabeled);
        self.blank_as_zero_note(&blanks_as_zero);
        self.missing_rows();
    }

    fn row_unit(&self, cand: &Candidate, row_spec: &RowSpec) -> Option<MoneyUnit> {
        let unit_text = cand.unit_cell.map_or("", |c| c.text(self.text));
        if self.spec.unit_column.is_empty() || unit_text.is_empty() {
            row_spec.unit.as_deref().and_then(MoneyUnit::parse)
        } else {
            MoneyUnit::parse(unit_text)
        }
    }

    /// Blank cells of a 2-D form are judged after the rules ran; a blank total cell whose
    /// parts are all filled is derived from them, with a note.
    fn derive_totals(
        &mut self,
        row_spec: &RowSpec,
        cells: &[(String, Option<&ColumnSpec>, &Cell)],
        row_facts: &BTreeMap<String, FactValue>,
        by: BoundBy,
    ) {
        let (spec, lang) = (self.spec, self.lang);
        for (key, column, cell) in cells {
            let Some(col) = column else { continue };
            if row_facts.get(&col.key) != Some(&FactValue::Blank) {
                continue;
            }
            let title = format!("{} / {}", row_spec.title, col.title);
            let mut derived = None;
            if !col.sum_of.is_empty() {
                let parts: Option<Vec<Decimal>> = col
                    .sum_of
                    .iter()
                    .map(|k| match row_facts.get(k) {
                        Some(FactValue::Number(n)) => Some(*n),
                        _ => None,
                    })
                    .collect();
                if let Some(parts) = parts {
                    let sum: Decimal = parts.iter().copied().sum();
                    let shown = parts
                        .iter()
                        .map(|p| p.normalize().to_string())
                        .collect::<Vec<_>>()
                        .join(" + ");
                    let how = format!("{shown} = {}", sum.normalize());
                    let note = match lang {
                        Lang::Zh => format!("「{title}」为空，按本行各项之和计：{how}"),
                        Lang::En => format!("`{title}` is blank; derived from its row: {how}"),
                    };
                    self.facts.table.insert(
                        key.clone(),
                        Fact {
                            value: FactValue::Number(sum),
                            span: Some(cell.span()),
                            context: None,
                            raw: String::new(),
                            bound_by: if by == BoundBy::Position || by == BoundBy::Near {
                                by
                            } else {
                                BoundBy::Derived
                            },
                            scope: None,
                            note: Some(note),
                            parent: None,
                            share: None,
                        },
                    );
                    derived = Some(how);
                }
            }
            self.facts.grid_blanks.push(BlankCell {
                span: cell.span(),
                title,
                table: spec.title.clone(),
                field: format!("table.{key}"),
                derived,
            });
        }
    }

    fn positional(&mut self, cand: &Candidate, row_spec: &RowSpec, garbled: bool) {
        let lang = self.lang;
        let (check, what_zh, what_en) = if garbled {
            (
                checks::GARBLED_LABEL,
                "行标签乱码",
                "row label is garbled by encoding damage",
            )
        } else if cand.labels.keys.first().is_none_or(|k| k.1 <= 2) {
            (
                checks::TRUNCATED_LABEL,
                "行标签被截断",
                "row label is truncated",
            )
        } else {
            (
                checks::UNBOUND_ROW,
                "行标签无法识别",
                "row label is not recognised",
            )
        };
        let shown = if cand.label.is_empty() {
            lang.pick("（无标签）", "(no label)").to_string()
        } else {
            cand.label.to_string()
        };
        let msg = match lang {
            Lang::Zh => format!("{what_zh}：「{shown}」，按位置视为「{}」", row_spec.title),
            Lang::En => format!(
                "{what_en}: `{shown}`; bound by position as `{}`",
                row_spec.title
            ),
        };
        let at = if cand.label.is_empty() {
            first_line(self.text, cand.row.span)
        } else {
            cand.label_span
        };
        let mut d = diag(check, lang, msg)
            .with_label(Label::primary(
                at,
                lang.pick("无法辨认的标签", "unreadable label"),
            ))
            .with_note(match lang {
                Lang::Zh => format!(
                    "其前后的行均已识别，且数目相符，故按位置将此行视为「{}」（table.{}）；依此得出的结论至多为警告",
                    row_spec.title, row_spec.key
                ),
                Lang::En => format!(
                    "the rows before and after it are recognised and the count fits, so this row is taken as `{}` (table.{}); findings resting on it are at most warnings",
                    row_spec.title, row_spec.key
                ),
            });
        if let Some(tag) = tag_remnant(cand.label) {
            d.notes.push(match lang {
                Lang::Zh => format!("标签中残留网页标签 `{tag}`"),
                Lang::En => format!("the label holds an HTML tag remnant `{tag}`"),
            });
        }
        self.diags.push(d);
    }

    fn near_label(&mut self, label: &str, span: Span, row_spec: &RowSpec) {
        let lang = self.lang;
        let c = checks::NEAR_LABEL;
        let msg = match lang {
            Lang::Zh => format!(
                "行标签「{}」与报表格式的「{}」不一致，按后者读取",
                label.trim(),
                row_spec.title
            ),
            Lang::En => format!(
                "row label `{}` differs from the form's `{}`; read as the latter",
                label.trim(),
                row_spec.title
            ),
        };
        self.diags.push(
            diag(c, lang, msg)
                .with_label(Label::primary(
                    span,
                    format!("{}「{}」", lang.pick("应为", "should be "), row_spec.title),
                ))
                .with_note(match lang {
                    Lang::Zh => "依据相近标签得出的结论至多为警告".to_string(),
                    Lang::En => "findings resting on a near label are at most warnings".to_string(),
                }),
        );
    }

    fn blank_cell(&mut self, row_spec: &RowSpec, cell: &Cell, cand: &Candidate, key: &str) {
        let lang = self.lang;
        let c = checks::BLANK_CELL;
        // A placeholder (`/`, `—`, `无`) where a count belongs is named as written.
        let written = cell.text(self.text).trim();
        let msg = match (lang, written.is_empty()) {
            (Lang::Zh, true) => format!("「{}」的数值为空", row_spec.title),
            (Lang::En, true) => format!("the value of `{}` is blank", row_spec.title),
            (Lang::Zh, false) => {
                format!("「{}」应填数字，却写作占位符「{written}」", row_spec.title)
            }
            (Lang::En, false) => format!(
                "the value of `{}` is the placeholder `{written}`, not a number",
                row_spec.title
            ),
        };
        self.diags.push(
            diag(c, lang, msg)
                .with_label(Label::primary(
                    cell.span(),
                    lang.pick("此处应填数字", "a number belongs here"),
                ))
                .with_label(Label::secondary(cand.label_span, format!("table.{key}"))),
        );
    }

    fn unbound(&mut self, cand: &Candidate, garbled: bool, ragged: &mut Vec<(Span, usize)>) {
        let lang = self.lang;
        if !(cand.plausible && cand.numeric) {
            return; // a header, a note, a row of blanks that is not the form's
        }
        self.facts.unbound_rows.push(cand.row.span);
        if garbled {
            self.diags.push(garbled_diag(lang, cand, cand.label_span));
            return;
        }
        if !self.spec.complete {
            return;
        }
        // A row of the form's labels whose figures do not fit its columns.
        let label_fits = self
            .spec
            .rows
            .iter()
            .zip(self.key_chars)
            .any(|(r, kc)| best_match(cand, r, kc, self.spec).0 >= 80);
        let grid = !self.spec.columns.is_empty();
        if grid && label_fits && cand.values.len() != self.spec.columns.len() {
            ragged.push((cand.row.span, cand.values.len()));
            return;
        }
        let short = cand.labels.keys.first().is_none_or(|k| k.1 <= 2);
        let check = if short {
            checks::TRUNCATED_LABEL
        } else {
            checks::UNBOUND_ROW
        };
        let shown = if cand.label.is_empty() {
            lang.pick("（无标签）", "(no label)").to_string()
        } else {
            cand.label.to_string()
        };
        let msg = match lang {
            Lang::Zh => format!("{}：「{shown}」", check.summary_zh),
            Lang::En => format!("{}: `{shown}`", check.summary_en),
        };
        let at = if cand.label.is_empty() {
            first_line(self.text, cand.row.span)
        } else {
            cand.label_span
        };
        let mut d = diag(check, lang, msg).with_label(Label::primary(at, ""));
        if self.flat || cand.label.is_empty() {
            d.notes.push(
                lang.pick(
                    "此行的数字无法确定属于报表格式的哪一行，未参与核对",
                    "the figures of this row cannot be placed in the form with certainty; no rule reads them",
                )
                .to_string(),
            );
        }
        self.diags.push(d);
    }

    /// Rows of figures without a label, placed by the rows recognised around them: one finding
    /// per table.
    fn unlabeled(&mut self, rows: &[(Span, &str)]) {
        if rows.is_empty() {
            return;
        }
        let (spec, lang) = (self.spec, self.lang);
        let c = checks::UNLABELED_ROWS;
        let msg = match lang {
            Lang::Zh => format!(
                "{}中 {} 行数字没有行标签，按其前后已识别的行依位置读取",
                spec.title,
                rows.len()
            ),
            Lang::En => format!(
                "{} row(s) of figures in {} have no label; they are read by their place between recognised rows",
                rows.len(),
                spec.title
            ),
        };
        let mut d = diag(c, lang, msg).with_note(
            lang.pick(
                "依据按位置读取的数值得出的结论至多为警告",
                "findings resting on rows read by position are at most warnings",
            )
            .to_string(),
        );
        for (span, title) in rows.iter().take(MAX_LABELS) {
            d.labels.push(Label::primary(
                *span,
                format!("{}「{title}」", lang.pick("视为", "read as ")),
            ));
        }
        if rows.len() > MAX_LABELS {
            d.notes
                .push(format!("… and {} more", rows.len() - MAX_LABELS));
        }
        self.diags.push(d);
    }

    fn ragged(&mut self, ragged: &[(Span, usize)]) {
        if ragged.is_empty() {
            return;
        }
        let (spec, lang) = (self.spec, self.lang);
        let c = checks::RAGGED_ROW;
        let msg = match lang {
            Lang::Zh => format!(
                "{}中 {} 行的数值个数与报表格式的 {} 列不符，这些行未参与核对",
                spec.title,
                ragged.len(),
                spec.columns.len()
            ),
            Lang::En => format!(
                "{} row(s) of {} do not have one value for each of the form's {} columns; no rule reads them",
                ragged.len(),
                spec.title,
                spec.columns.len()
            ),
        };
        let mut d = diag(c, lang, msg);
        for (span, n) in ragged.iter().take(MAX_LABELS) {
            d.labels.push(Label::primary(
                first_line(self.text, *span),
                match lang {
                    Lang::Zh => format!("{n} 个数值"),
                    Lang::En => format!("{n} values"),
                },
            ));
        }
        if ragged.len() > MAX_LABELS {
            d.notes
                .push(format!("… and {} more", ragged.len() - MAX_LABELS));
        }
        self.diags.push(d);
    }

    fn blank_as_zero_note(&mut self, blanks: &[Span]) {
        if blanks.is_empty() {
            return;
        }
        let (spec, lang) = (self.spec, self.lang);
        let msg = match lang {
            Lang::Zh => format!(
                "{}中 {} 个空白单元格按 0 计算（规则文件 blank_is_zero = true）",
                spec.title,
                blanks.len()
            ),
            Lang::En => format!(
                "{} blank cells of {} are counted as 0 (blank_is_zero = true in the rule file)",
                blanks.len(),
                spec.title
            ),
        };
        let mut d = Diagnostic::new(
            crate::diagnostic::Severity::Info,
            checks::BLANK_CELL.id,
            checks::BLANK_CELL.name,
            msg,
        );
        for span in blanks.iter().take(MAX_LABELS) {
            d.labels.push(Label::primary(*span, "0"));
        }
        self.diags.push(d);
    }

    fn missing_rows(&mut self) {
        let (spec, lang, al) = (self.spec, self.lang, self.al);
        if !spec.complete {
            return;
        }
        let missing: Vec<&str> = spec
            .rows
            .iter()
            .enumerate()
            .filter(|(i, r)| !r.optional && !al.pairs.iter().any(|p| p.expected == *i))
            .map(|(_, r)| r.title.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let c = checks::MISSING_ROWS;
        let msg = match lang {
            Lang::Zh => format!("{}：{}", c.summary_zh, missing.join("、")),
            Lang::En => format!("{}: {}", c.summary_en, missing.join(", ")),
        };
        let mut d = diag(c, lang, msg).with_label(Label::primary(
            first_line(self.text, al.span),
            lang.pick("统计表从这里开始", "the table starts here"),
        ));
        if !al.variants.is_empty() {
            d.notes.push(format!(
                "{}: {}",
                lang.pick("表格版本", "form variant"),
                al.variants.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        self.diags.push(d);
    }
}

/// The cells of a row of a 2-D form, by header position or (no readable header) in the form's
/// order, when the row has one value per column.
fn grid_cells<'c>(
    spec: &'c TableSpec,
    columns: &[(usize, usize)],
    cand: &Candidate<'c>,
    row_spec: &RowSpec,
) -> Vec<(String, Option<&'c ColumnSpec>, &'c Cell)> {
    if cand.values.len() != spec.columns.len() {
        return Vec::new();
    }
    if columns.is_empty() {
        spec.columns
            .iter()
            .zip(&cand.values)
            .map(|(c, cell)| (format!("{}[{}]", row_spec.key, c.key), Some(c), *cell))
            .collect()
    } else {
        columns
            .iter()
            .filter_map(|&(from_end, col)| {
                let c = &spec.columns[col];
                let at = cand.values.len().checked_sub(from_end)?;
                cand.values
                    .get(at)
                    .map(|cell| (format!("{}[{}]", row_spec.key, c.key), Some(c), *cell))
            })
            .collect()
    }
}

/// Whether a near binding came from an edit-distance match (a misspelt label), not a label cut
/// short: only the former is worth a finding of its own.
fn near_edit(cand: &Candidate, pair: Pair, row: &RowSpec) -> bool {
    let key = &cand.labels.keys[pair.reading].0;
    row.keys.iter().all(|k| score(key, k, false).0 == 0)
}

fn garbled_diag(lang: Lang, cand: &Candidate, span: Span) -> Diagnostic {
    let c = checks::GARBLED_LABEL;
    let msg = match lang {
        Lang::Zh => format!("{}：「{}」", c.summary_zh, cand.label),
        Lang::En => format!("{}: `{}`", c.summary_en, cand.label),
    };
    let mut d = diag(c, lang, msg).with_label(Label::primary(span, lang.pick("乱码", "garbled")));
    if let Some(tag) = tag_remnant(cand.label) {
        d.notes.push(match lang {
            Lang::Zh => format!("标签中残留网页标签 `{tag}`"),
            Lang::En => format!("the label holds an HTML tag remnant `{tag}`"),
        });
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Binding a window of tables at a time gives what binding them all at once gives: the
    /// same facts and findings, in the same order, whatever the window.
    #[test]
    fn tables_bound_by_window_as_all_at_once() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real/");
        let mut text = String::new();
        for f in [
            "2024-hongze.txt",
            "2023-hongze.txt",
            "2024-huaian-shizhengfu.txt",
        ] {
            text += &std::fs::read_to_string(format!("{dir}{f}")).unwrap();
            text += "\n";
        }
        let source = crate::source::decode("joined.txt", text.as_bytes()).unwrap();
        let report = crate::document::parse(&source);
        let sentences = Sentences::new(&source.text, &report);
        let sets = crate::rules::builtin().unwrap();
        let mut bound = 0;
        for rs in &sets {
            let run = |window: usize| {
                let (mut facts, mut diags) = (FactSet::default(), Vec::new());
                let specs = &rs.fields.tables;
                bind_tables(
                    &source.text,
                    &report,
                    &sentences,
                    specs,
                    Lang::En,
                    &mut facts,
                    &mut diags,
                    window,
                );
                (
                    format!("{facts:?}"),
                    format!("{diags:?}"),
                    facts.table.len(),
                )
            };
            let whole = run(usize::MAX);
            for window in [1, 10, 40, 100] {
                assert!(windows(&report, window).last().is_some_and(|&w| w > 0));
                assert_eq!(
                    run(window),
                    whole,
                    "{} with windows of {window} rows",
                    rs.id
                );
            }
            bound += whole.2;
        }
        assert!(bound > 100, "the forms bound {bound} cells");
    }

    #[test]
    fn garbled_labels() {
        assert!(is_garbled("??。ㄒ唬┗貞婈P注熱點或重大輿情數"));
        assert!(is_garbled("??。ㄒ唬┦盏缴暾垟?/span>"));
        assert!(is_garbled("??。ǘ┍灰婪m錯數"));
        assert!(!is_garbled("(一)主動公開政府信息數"));
        assert!(!is_garbled("不是《條例》所指政府信息"));
        assert_eq!(tag_remnant("收到申請數?/span>"), Some("?/span>"));
        assert_eq!(
            tag_remnant("a<span class=\"x\">b"),
            Some("<span class=\"x\">")
        );
        assert!(is_garbled("收到申請數</span>"));
    }

    #[test]
    fn scores() {
        assert_eq!(score("行政复议数量", "行政复议数量", false).0, 100);
        assert_eq!(
            score("行政复议数量", "行政复议数量", true).1,
            BoundBy::Variant
        );
        assert_eq!(
            score(
                "危及国家安全公共安全经济安全和社会",
                "危及国家安全公共安全经济安全和社会稳定",
                false
            ),
            (80, BoundBy::Near)
        );
        assert_eq!(score("字", "涉及国家秘密", false).0, 0);
        assert_eq!(score("涉及商业秘", "涉及商业秘密", false).0, 80);
    }

    #[test]
    fn nested_group_labels_give_the_row_label() {
        assert_eq!(
            label_keys("（四）无 1.本机关不掌握相关政府信息"),
            vec![
                "无1本机关不掌握相关政府信息".to_string(),
                "本机关不掌握相关政府信息".to_string()
            ]
        );
        assert_eq!(
            label_keys("三、本年度办理结果（一）予以公开")[1],
            "予以公开"
        );
        assert_eq!(label_keys("（七）总计"), vec!["总计".to_string()]);
        assert_eq!(
            label_keys("（六）其他处理1、申请人逾期未按收费通知要求缴纳费用")[1],
            "申请人逾期未按收费通知要求缴纳费用"
        );
    }
}
