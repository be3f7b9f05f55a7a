//! Binding a table of the form: rows are aligned to the expected rows in form order (a
//! weighted longest-common-subsequence over label matches), then rows whose labels are
//! unreadable are bound by position where the rows around them anchor the alignment.

use super::checks::{self, BuiltinCheck};
use super::spec::{label_key, TableSpec};
use super::{BoundBy, Fact, FactSet, FactValue};
use crate::diagnostic::{Diagnostic, Label, Lang};
use crate::document::{Report, Row, Table};

use crate::span::Span;
use crate::units::{Money, MoneyUnit};

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
    strong || has_tag(label)
}

fn has_tag(s: &str) -> bool {
    tag_remnant(s).is_some()
}

/// The first HTML tag remnant in a label: `</span>`, or `?/span>` where the `<` was lost.
fn tag_remnant(s: &str) -> Option<&str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|\?/[A-Za-z][A-Za-z0-9]*>")
            .expect("valid regex")
    });
    re.find(s).map(|m| m.as_str())
}

/// How well an actual label key matches an expected one (0 = no match).
fn score(actual: &str, expected: &str) -> u32 {
    let (a, e) = (actual.chars().count(), expected.chars().count());
    if a == 0 || e == 0 {
        return 0;
    }
    if actual == expected {
        100
    } else if a >= 4 && expected.starts_with(actual) {
        80 // truncated in the form, still recognisable
    } else if e >= 4 && actual.starts_with(expected) {
        70
    } else if e >= 4 && actual.contains(expected) {
        60
    } else {
        0
    }
}

struct Candidate<'a> {
    row: &'a Row,
    /// Index of the label cell (the last of the leading text cells).
    label_index: usize,
    /// Index of the first value cell (2-D forms).
    first_value: usize,
    label: String,
    key: String,
    value_cell: Option<usize>,
    unit_cell: Option<usize>,
}

/// A cell that holds a figure, a blank, or a blank marker.
fn is_value_cell(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || is_dash(t)
        || super::numerals::parse_arabic(MoneyUnit::split_suffix(t).0).is_some()
}

/// The leading text cells of a row of a 2-D form: (label cell index, first value cell index).
/// Nested labels (`三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | 0 | …`) take the last,
/// most specific one; a row that starts with a figure has no label.
fn grid_label(row: &Row) -> (usize, usize) {
    let prefix = row
        .cells
        .iter()
        .take_while(|c| !c.text.trim().is_empty() && !is_value_cell(&c.text))
        .count();
    match prefix {
        0 if row.cells.first().is_some_and(|c| c.text.trim().is_empty()) => (0, 1),
        0 => (0, 0),
        n => (n - 1, n),
    }
}

fn is_dash(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| matches!(c, '-' | '—' | '－' | '/' | '／' | '–' | '―'))
}

impl Candidate<'_> {
    fn value_text(&self) -> Option<&str> {
        self.value_cell
            .and_then(|i| self.row.cells.get(i))
            .map(|c| c.text.as_str())
    }

    /// A row that carries a figure: a number, or a blank value cell next to a unit.
    fn is_value_row(&self) -> bool {
        let Some(v) = self.value_text() else {
            return false;
        };
        if super::numerals::parse_arabic(v).is_some() {
            return true;
        }
        let unit = self
            .unit_cell
            .and_then(|i| self.row.cells.get(i))
            .map_or("", |c| c.text.as_str());
        (v.is_empty() || is_dash(v) && !is_dash(unit)) && !unit.is_empty() && !is_dash(unit)
    }
}

fn find_column(table: &Table, names: &[String]) -> Option<(usize, usize)> {
    if names.is_empty() {
        return None;
    }
    table.rows.iter().enumerate().find_map(|(ri, r)| {
        r.cells
            .iter()
            .position(|c| names.iter().any(|n| label_key(&c.text) == *n))
            .map(|ci| (ri, ci))
    })
}

struct Alignment<'a> {
    candidates: Vec<Candidate<'a>>,
    /// (expected row index, candidate index, bound by)
    pairs: Vec<(usize, usize, BoundBy)>,
    matched: usize,
    table_span: Span,
    /// 2-D forms: (position counted from the row's end, column spec index) of every column
    /// found in the header; counting from the end copes with rows whose nested labels take
    /// different numbers of cells.
    columns: Vec<(usize, usize)>,
}

/// A row of a 2-D form that carries figures: an optional label, then only numbers, blanks or
/// dashes, at least one of them a number.
fn is_grid_value_row(row: &Row) -> bool {
    let (_, first) = grid_label(row);
    let values = &row.cells[first.min(row.cells.len())..];
    !values.is_empty()
        && values.iter().all(|c| is_value_cell(&c.text))
        && values
            .iter()
            .any(|c| super::numerals::parse_arabic(MoneyUnit::split_suffix(&c.text).0).is_some())
}

/// Finds the column of every declared column label in the header rows (the rows before the
/// first row of figures), preferring exact label matches and the lowest header row.
fn find_columns(table: &Table, spec: &TableSpec) -> Vec<(usize, usize)> {
    let header_end = table
        .rows
        .iter()
        .position(is_grid_value_row)
        .unwrap_or(table.rows.len());
    let header = &table.rows[..header_end];
    let mut out = Vec::new();
    for (ci, col) in spec.columns.iter().enumerate() {
        // Exact matches; a label found at two different places (结果维持 under 复议 and under
        // 诉讼) is ambiguous and decides nothing.
        let mut places: Vec<usize> = header
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| col.keys.iter().any(|k| label_key(&c.text) == *k))
                    .filter(|(i, _)| *i > 0)
                    .map(|(i, _)| r.cells.len() - i)
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
                .flat_map(|r| {
                    r.cells
                        .iter()
                        .enumerate()
                        .filter(|(i, c)| {
                            let key = label_key(&c.text);
                            *i > 0
                                && key.chars().count() >= 2
                                && col.keys.iter().any(|k| key.contains(k.as_str()))
                        })
                        .map(|(i, _)| r.cells.len() - i)
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
    // Only a complete, unambiguous header decides; otherwise columns go by position.
    if out.len() == spec.columns.len() {
        out
    } else {
        Vec::new()
    }
}

fn align<'a>(table: &'a Table, spec: &TableSpec) -> Alignment<'a> {
    let grid = !spec.columns.is_empty();
    let columns = if grid {
        find_columns(table, spec)
    } else {
        Vec::new()
    };
    let header = find_column(table, &spec.value_column);
    let unit_col = find_column(table, &spec.unit_column).map(|(_, c)| c);
    let first_row = header.map_or(0, |(r, _)| r + 1);
    let candidates: Vec<Candidate> = table.rows[first_row..]
        .iter()
        .filter(|r| {
            r.cells.len() >= 2 || grid && r.cells.len() == 1 && is_value_cell(&r.cells[0].text)
        })
        .map(|row| {
            let value_cell = match header {
                Some((_, c)) => Some(c),
                None => Some(row.cells.len() - 1),
            };
            let (label_index, first_value) = if grid { grid_label(row) } else { (0, 1) };
            let label = if first_value > label_index {
                row.cells[label_index].text.clone()
            } else {
                String::new()
            };
            Candidate {
                key: label_key(&label),
                label,
                label_index,
                first_value,
                row,
                value_cell,
                unit_cell: unit_col,
            }
        })
        .collect();
    let value_rows: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].is_value_row())
        .collect();
    let value_rows: Vec<usize> = if grid {
        (0..candidates.len())
            .filter(|&i| is_grid_value_row(candidates[i].row))
            .collect()
    } else {
        value_rows
    };
    let (m, n) = (spec.rows.len(), value_rows.len());
    let s = |i: usize, j: usize| -> u32 {
        let key = &candidates[value_rows[j]].key;
        if spec.rows[i].unlabeled {
            let c = &candidates[value_rows[j]];
            let values = c.row.cells.len().saturating_sub(c.first_value);
            return if key.is_empty() && values == spec.columns.len() {
                100
            } else {
                0
            };
        }
        spec.rows[i]
            .keys
            .iter()
            .map(|k| score(key, k))
            .max()
            .unwrap_or(0)
    };
    let mut dp = vec![vec![0u32; n + 1]; m + 1];
    for i in 1..=m {
        for j in 1..=n {
            let mut best = dp[i - 1][j].max(dp[i][j - 1]);
            let sc = s(i - 1, j - 1);
            if sc > 0 {
                best = best.max(dp[i - 1][j - 1] + sc);
            }
            dp[i][j] = best;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (m, n);
    while i > 0 && j > 0 {
        let sc = s(i - 1, j - 1);
        if sc > 0 && dp[i][j] == dp[i - 1][j - 1] + sc {
            pairs.push((i - 1, value_rows[j - 1], BoundBy::Label));
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
    // Position fallback: in a gap between two anchors with as many unmatched value rows as
    // unmatched expected rows (at most 3), bind them in order.
    let mut anchors: Vec<(isize, isize)> = vec![(-1, -1)];
    anchors.extend(pairs.iter().map(|&(e, c, _)| (e as isize, c as isize)));
    anchors.push((m as isize, candidates.len() as isize));
    let mut extra = Vec::new();
    for w in anchors.windows(2) {
        let ((e0, c0), (e1, c1)) = (w[0], w[1]);
        if e0 < 0 || e1 >= m as isize || !spec.complete {
            continue; // only between two recognised rows of a complete form
        }
        let exp: Vec<usize> = ((e0 + 1)..e1).map(|x| x as usize).collect();
        let cands: Vec<usize> = ((c0 + 1)..c1)
            .map(|x| x as usize)
            .filter(|&c| value_rows.contains(&c))
            .collect();
        if !exp.is_empty() && exp.len() == cands.len() && exp.len() <= 3 {
            extra.extend(
                exp.into_iter()
                    .zip(cands)
                    .map(|(e, c)| (e, c, BoundBy::Position)),
            );
        }
    }
    pairs.extend(extra);
    pairs.sort_by_key(|p| p.0);
    Alignment {
        candidates,
        pairs,
        matched,
        table_span: table.span,
        columns,
    }
}

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
/// unit cell, which wins over the unit declared in the rule file.
fn cell_value(text: &str, row_unit: Option<MoneyUnit>) -> FactValue {
    if text.trim().is_empty() || is_dash(text) {
        return FactValue::Blank;
    }
    let (body, own_unit) = MoneyUnit::split_suffix(text);
    match (super::numerals::parse_arabic(body), own_unit.or(row_unit)) {
        (Some(n), Some(unit)) => FactValue::Money(Money { amount: n, unit }),
        (Some(n), None) => FactValue::Number(n),
        (None, _) => FactValue::Text(text.to_string()),
    }
}

/// Binds one table spec against the best-matching table of the report.
pub(super) fn bind_table(
    text: &str,
    report: &Report,
    spec: &TableSpec,
    lang: Lang,
    facts: &mut FactSet,
    diags: &mut Vec<Diagnostic>,
) {
    let best = report
        .tables
        .iter()
        .map(|t| align(t, spec))
        .filter(|a| a.matched >= 2.min(spec.rows.len()))
        .max_by_key(|a| a.matched);
    let Some(al) = best else {
        let c = checks::TABLE_NOT_FOUND;
        let msg = match lang {
            Lang::Zh => format!("未找到{}（{}）", spec.title, c.summary_zh),
            Lang::En => format!("{} not found: {}", spec.title, c.summary_en),
        };
        diags.push(diag(c, lang, msg).with_note(format!(
            "{} table(s) in the report; none has two or more rows of the form",
            report.tables.len()
        )));
        for r in &spec.rows {
            facts.unrecognised.insert(r.key.clone(), spec.title.clone());
        }
        facts
            .unrecognised_tables
            .insert(spec.name.clone(), spec.title.clone());
        return;
    };
    let bound: std::collections::HashMap<usize, (usize, BoundBy)> =
        al.pairs.iter().map(|&(e, c, by)| (c, (e, by))).collect();
    let mut blanks_as_zero: Vec<Span> = Vec::new();
    let mut ragged: Vec<(Span, usize)> = Vec::new();
    let mut grid_blanks: Vec<(Span, String, String)> = Vec::new();
    if !spec.columns.is_empty() {
        let grid = facts.grids.entry(spec.name.clone()).or_default();
        // Header order when the header was read, else the form's order (positional).
        grid.columns = if al.columns.is_empty() {
            spec.columns.iter().map(|c| c.key.clone()).collect()
        } else {
            al.columns
                .iter()
                .map(|&(_, c)| spec.columns[c].key.clone())
                .collect()
        };
    }
    for (ci, cand) in al.candidates.iter().enumerate() {
        let label_cell = &cand.row.cells[cand.label_index.min(cand.row.cells.len() - 1)];
        let garbled = is_garbled(&cand.label);
        match bound.get(&ci) {
            Some(&(ei, by)) => {
                let row_spec = &spec.rows[ei];
                let unit_text = cand
                    .unit_cell
                    .and_then(|i| cand.row.cells.get(i))
                    .map_or("", |c| c.text.as_str());
                let row_unit = if spec.unit_column.is_empty() || unit_text.is_empty() {
                    row_spec.unit.as_deref().and_then(MoneyUnit::parse)
                } else {
                    MoneyUnit::parse(unit_text)
                };
                if by == BoundBy::Position {
                    let (check, what_zh, what_en) = if garbled {
                        (
                            checks::GARBLED_LABEL,
                            "行标签乱码",
                            "row label is garbled by encoding damage",
                        )
                    } else if cand.key.chars().count() <= 2 {
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
                    let msg = match lang {
                        Lang::Zh => format!(
                            "{what_zh}：「{}」，按位置视为「{}」",
                            cand.label, row_spec.title
                        ),
                        Lang::En => format!(
                            "{what_en}: `{}`; bound by position as `{}`",
                            cand.label, row_spec.title
                        ),
                    };
                    diags.push(
                        diag(check, lang, msg)
                            .with_label(Label::primary(label_cell.span, lang.pick("无法辨认的标签", "unreadable label")))
                            .with_note(match lang {
                                Lang::Zh => format!(
                                    "其前后的行均已识别，故按位置将此行视为「{}」（table.{}）",
                                    row_spec.title, row_spec.key
                                ),
                                Lang::En => format!(
                                    "the rows before and after it are recognised, so this row is taken as `{}` (table.{})",
                                    row_spec.title, row_spec.key
                                ),
                            }),
                    );
                    if let Some(tag) = tag_remnant(&cand.label) {
                        if let Some(d) = diags.last_mut() {
                            d.notes.push(match lang {
                                Lang::Zh => format!("标签中残留网页标签 `{tag}`"),
                                Lang::En => format!("the label holds an HTML tag remnant `{tag}`"),
                            });
                        }
                    }
                } else if garbled {
                    diags.push(garbled_diag(lang, cand, label_cell.span));
                }
                // The value cells of this row: one (1-D form) or one per column (2-D form).
                let cells: Vec<(String, Option<&str>, &crate::document::Cell)> =
                    if spec.columns.is_empty() {
                        let cell = cand
                            .value_cell
                            .and_then(|i| cand.row.cells.get(i))
                            .unwrap_or(label_cell);
                        vec![(row_spec.key.clone(), None, cell)]
                    } else if !al.columns.is_empty() {
                        al.columns
                            .iter()
                            .filter_map(|&(ci, col)| {
                                let c = &spec.columns[col];
                                let at = cand.row.cells.len().checked_sub(ci)?;
                                if at < cand.first_value {
                                    return None;
                                }
                                cand.row.cells.get(at).map(|cell| {
                                    (
                                        format!("{}[{}]", row_spec.key, c.key),
                                        Some(c.title.as_str()),
                                        cell,
                                    )
                                })
                            })
                            .collect()
                    } else {
                        // No readable header: the form's columns, in order, when the row has
                        // as many figures as the form has columns.
                        let values = &cand.row.cells[cand.first_value.min(cand.row.cells.len())..];
                        if values.len() == spec.columns.len() {
                            spec.columns
                                .iter()
                                .zip(values)
                                .map(|(c, cell)| {
                                    (
                                        format!("{}[{}]", row_spec.key, c.key),
                                        Some(c.title.as_str()),
                                        cell,
                                    )
                                })
                                .collect()
                        } else {
                            ragged.push((cand.row.span, values.len()));
                            Vec::new()
                        }
                    };
                for (key, column, cell) in cells {
                    let mut value = cell_value(&cell.text, row_unit);
                    match &value {
                        FactValue::Blank if spec.blank_is_zero => {
                            value = FactValue::Number(rust_decimal::Decimal::ZERO);
                            blanks_as_zero.push(cell.span);
                        }
                        FactValue::Blank if column.is_some() => grid_blanks.push((
                            cell.span,
                            row_spec.title.clone(),
                            column.unwrap_or("").to_string(),
                        )),
                        FactValue::Blank => {
                            let c = checks::BLANK_CELL;
                            let msg = match lang {
                                Lang::Zh => format!("「{}」的数值为空", row_spec.title),
                                Lang::En => format!("the value of `{}` is blank", row_spec.title),
                            };
                            diags.push(
                                diag(c, lang, msg)
                                    .with_label(Label::primary(
                                        cell.span,
                                        lang.pick("此处应填数字", "a number belongs here"),
                                    ))
                                    .with_label(Label::secondary(
                                        label_cell.span,
                                        format!("table.{key}"),
                                    )),
                            );
                        }
                        FactValue::Text(t) => {
                            let c = checks::NON_NUMERIC_CELL;
                            let msg = match lang {
                                Lang::Zh => format!("「{}」的数值不是数字：{t}", row_spec.title),
                                Lang::En => format!(
                                    "the value of `{}` is not a number: {t}",
                                    row_spec.title
                                ),
                            };
                            diags
                                .push(diag(c, lang, msg).with_label(Label::primary(cell.span, "")));
                        }
                        _ => {}
                    }
                    facts.table.insert(
                        key,
                        Fact {
                            value,
                            span: Some(cell.span),
                            context: Some(cand.row.span),
                            raw: text[cell.span.range()].to_string(),
                            bound_by: by,
                            scope: None,
                        },
                    );
                }
                if !spec.columns.is_empty() {
                    facts
                        .grids
                        .entry(spec.name.clone())
                        .or_default()
                        .rows
                        .push(row_spec.key.clone());
                }
            }
            None => {
                if garbled {
                    diags.push(garbled_diag(lang, cand, label_cell.span));
                } else if cand.is_value_row() && spec.complete {
                    let short = cand.key.chars().count() <= 2;
                    let check = if short {
                        checks::TRUNCATED_LABEL
                    } else {
                        checks::UNBOUND_ROW
                    };
                    let msg = match lang {
                        Lang::Zh => format!("{}：「{}」", check.summary_zh, cand.label),
                        Lang::En => format!("{}: `{}`", check.summary_en, cand.label),
                    };
                    diags.push(
                        diag(check, lang, msg).with_label(Label::primary(label_cell.span, "")),
                    );
                }
                if cand.is_value_row() {
                    facts.unbound_rows.push(cand.row.span);
                }
            }
        }
    }
    for (span, n) in &ragged {
        let c = checks::RAGGED_ROW;
        let msg = match lang {
            Lang::Zh => format!(
                "{}中此行有 {n} 个数值，报表格式有 {} 列",
                spec.title,
                spec.columns.len()
            ),
            Lang::En => format!(
                "this row of {} has {n} values; the form has {} columns",
                spec.title,
                spec.columns.len()
            ),
        };
        diags.push(diag(c, lang, msg).with_label(Label::primary(first_line(text, *span), "")));
    }
    // Blank cells of a 2-D form are judged after the rules ran (read as 0 where that closes
    // the arithmetic, needed where it does not).
    facts.grid_blanks.extend(
        grid_blanks
            .into_iter()
            .map(|(span, row, col)| (span, format!("{row} / {col}"))),
    );
    if !blanks_as_zero.is_empty() {
        let msg = match lang {
            Lang::Zh => format!(
                "{}中 {} 个空白单元格按 0 计算（规则文件 blank_is_zero = true）",
                spec.title,
                blanks_as_zero.len()
            ),
            Lang::En => format!(
                "{} blank cells of {} are counted as 0 (blank_is_zero = true in the rule file)",
                blanks_as_zero.len(),
                spec.title
            ),
        };
        let mut d = Diagnostic::new(
            crate::diagnostic::Severity::Info,
            checks::BLANK_CELL.id,
            checks::BLANK_CELL.name,
            msg,
        );
        for span in blanks_as_zero.iter().take(MAX_LABELS) {
            d.labels.push(Label::primary(*span, "0"));
        }
        diags.push(d);
    }
    let missing: Vec<&str> = spec
        .rows
        .iter()
        .enumerate()
        .filter(|(i, r)| !r.optional && !al.pairs.iter().any(|p| p.0 == *i))
        .map(|(_, r)| r.title.as_str())
        .collect();
    if !missing.is_empty() && spec.complete {
        let c = checks::MISSING_ROWS;
        let msg = match lang {
            Lang::Zh => format!("{}：{}", c.summary_zh, missing.join("、")),
            Lang::En => format!("{}: {}", c.summary_en, missing.join(", ")),
        };
        let span = Span::new(al.table_span.start, al.table_span.start);
        let first_line_end = text[al.table_span.range()]
            .find('\n')
            .map_or(al.table_span.end, |i| al.table_span.start + i);
        diags.push(diag(c, lang, msg).with_label(Label::primary(
            Span::new(span.start, first_line_end),
            lang.pick("统计表从这里开始", "the table starts here"),
        )));
    }
}

fn garbled_diag(lang: Lang, cand: &Candidate, span: Span) -> Diagnostic {
    let c = checks::GARBLED_LABEL;
    let msg = match lang {
        Lang::Zh => format!("{}：「{}」", c.summary_zh, cand.label),
        Lang::En => format!("{}: `{}`", c.summary_en, cand.label),
    };
    let mut d = diag(c, lang, msg).with_label(Label::primary(span, lang.pick("乱码", "garbled")));
    if let Some(tag) = tag_remnant(&cand.label) {
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
        assert_eq!(score("行政复议数量", "行政复议数量"), 100);
        assert_eq!(
            score(
                "危及国家安全公共安全经济安全和社会",
                "危及国家安全公共安全经济安全和社会稳定"
            ),
            80
        );
        assert_eq!(score("字", "涉及国家秘密"), 0);
        assert_eq!(score("涉及商业秘", "涉及商业秘密"), 80);
    }
}
