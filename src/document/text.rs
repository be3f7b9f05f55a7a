//! Plain-text front end: pipe tables, numbered headings, paragraphs and sentences.

use super::{Cell, Heading, MetaEntry, Paragraph, Report, Row, Sentence, Table};
use crate::span::Span;
use regex::Regex;
use std::sync::OnceLock;

/// Characters trimmed around cells and lines: white space, full-width space, `?` placeholders.
pub(crate) fn is_noise(c: char) -> bool {
    c.is_whitespace() || c == '?' || c == '\u{3000}' || c == '\u{FEFF}'
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start_matches(is_noise).len();
    let trail = s.len() - s.trim_end_matches(is_noise).len();
    if lead == s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

struct Line {
    start: usize,
    end: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push(Line { start, end });
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Line {
            start,
            end: text.len(),
        });
    }
    out
}

fn is_pipe_row(s: &str) -> bool {
    let t = s.trim_matches(is_noise);
    let pipes = t.matches('|').count();
    pipes >= 2 || (pipes == 1 && (t.starts_with('|') || t.ends_with('|')))
}

fn heading_re() -> &'static [(u8, Regex); 3] {
    static RE: OnceLock<[(u8, Regex); 3]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            (
                1,
                Regex::new(r"^([一二三四五六七八九十]{1,3})[、､]").expect("regex"),
            ),
            (
                2,
                Regex::new(r"^[（(]([一二三四五六七八九十]{1,3})[）)]").expect("regex"),
            ),
            (
                3,
                Regex::new(r"^([0-9０-９]{1,2})[.．、](?:[^0-9０-９]|$)").expect("regex"),
            ),
        ]
    })
}

/// Recognises a heading line; returns (level, ordinal, text start offset within the line).
fn heading(line: &str) -> Option<(u8, Option<u32>, usize)> {
    let chars = line.chars().count();
    for (level, re) in heading_re() {
        if let Some(c) = re.captures(line) {
            let rest = line[c.get(0)?.end()..].trim_start_matches(is_noise);
            let rest_chars = rest.chars().count();
            let ends_sentence = rest.trim_end_matches(is_noise).ends_with(['。', '；', ';']);
            let inner_stop = rest
                .trim_end_matches(is_noise)
                .trim_end_matches(['。', '；'])
                .contains('。');
            let max = if *level == 1 { 50 } else { 40 };
            if rest_chars == 0
                || chars > max + 6
                || rest_chars > max
                || inner_stop
                || (*level > 1 && ends_sentence)
            {
                return None;
            }
            let num = c.get(1)?.as_str();
            let num: String = num
                .chars()
                .map(|ch| match ch {
                    '０'..='９' => {
                        char::from_u32(ch as u32 - '０' as u32 + '0' as u32).unwrap_or(ch)
                    }
                    _ => ch,
                })
                .collect();
            let text_start = line.len() - rest.len();
            return Some((*level, super::parse_ordinal(&num), text_start));
        }
    }
    None
}

fn split_cells(text: &str, line: &Line) -> Vec<Cell> {
    let s = &text[line.start..line.end];
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut cell_start = 0;
    for (i, ch) in s.char_indices() {
        if ch == '|' {
            bounds.push((cell_start, i));
            cell_start = i + 1;
        }
    }
    bounds.push((cell_start, s.len()));
    // `| a | b |`: drop the empty piece before the first pipe and after the last one.
    if s.trim_start_matches(is_noise).starts_with('|') && !bounds.is_empty() {
        bounds.remove(0);
    }
    if let Some(&(a, b)) = bounds.last() {
        if s[a..b].trim_matches(is_noise).is_empty() && bounds.len() > 1 {
            bounds.pop();
        }
    }
    bounds
        .into_iter()
        .map(|(a, b)| {
            let (ts, te) = trim_span(text, line.start + a, line.start + b);
            if ts == te {
                // A blank cell: point at the whole gap between the pipes.
                return Cell {
                    text: String::new(),
                    span: Span::new(line.start + a, line.start + b),
                };
            }
            Cell {
                text: text[ts..te].to_string(),
                span: Span::new(ts, te),
            }
        })
        .collect()
}

fn sentences(text: &str, span: Span) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = span.start;
    for (i, ch) in text[span.range()].char_indices() {
        if matches!(ch, '。' | '！' | '？' | '；' | '!' | ';') {
            let end = span.start + i + ch.len_utf8();
            let (s, e) = trim_span(text, start, end);
            if e > s {
                out.push(Sentence {
                    span: Span::new(s, e),
                });
            }
            start = end;
        }
    }
    let (s, e) = trim_span(text, start, span.end);
    if e > s {
        out.push(Sentence {
            span: Span::new(s, e),
        });
    }
    out
}

/// A number token of a flattened table row: `21`, `1,136`, `7730.28`, `-3`, `+1036`.
fn is_number_token(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A page footer of extracted PDF text: `- 4 -`, `— 4 —`, `第 4 页`.
fn is_page_footer(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = t.trim_matches(['-', '—', '–', '－']);
    (t.len() > inner.len() && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()))
        || (t.starts_with('第')
            && t.ends_with('页')
            && t.chars().filter(|c| c.is_ascii_digit()).count() > 0
            && t.chars().count() <= 8)
}

/// A flattened row: the label's byte range (none for a row of figures only) and the figures.
type FlatRow = (Option<(usize, usize)>, Vec<Cell>);

/// Splits a line of extracted PDF text into a label and trailing number cells, when it looks
/// like a flattened table row: at least two numbers, or one number after a short label that is
/// not prose.
fn flat_row(text: &str, s: usize, e: usize) -> Option<FlatRow> {
    let line = &text[s..e];
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace() || c == '\u{3000}', start) {
            (true, Some(st)) => {
                tokens.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        tokens.push((st, line.len()));
    }
    let n_numbers = tokens
        .iter()
        .rev()
        .take_while(|(a, b)| is_number_token(&line[*a..*b]))
        .count();
    if n_numbers == 0 {
        return None;
    }
    let label_end = if n_numbers == tokens.len() {
        None
    } else {
        Some(tokens[tokens.len() - n_numbers - 1].1)
    };
    if let Some(le) = label_end {
        let label = &line[..le];
        let chars = label.chars().count();
        let prose = label.contains(['。', '，', ',', '；']) && !label.contains(['（', '('])
            || label.ends_with(['年', '月', '日', '第', '约', '共', '达']);
        if prose || (n_numbers == 1 && chars > 30) {
            return None;
        }
    } else if n_numbers < 2 {
        return None;
    }
    let cells = tokens[tokens.len() - n_numbers..]
        .iter()
        .map(|&(a, b)| Cell {
            text: line[a..b].to_string(),
            span: Span::new(s + a, s + b),
        })
        .collect();
    Some((label_end.map(|le| (s, s + le)), cells))
}

/// Whether a line starts with an enumerator (`一、`, `（一）`, `1.`).
fn starts_with_enumerator(s: &str) -> bool {
    heading_re().iter().any(|(_, re)| re.is_match(s))
}

/// Parses plain text (one paragraph per line or wrapped lines, pipe tables, and the flattened
/// tables of text extracted from PDFs: a label followed by numbers on one line).
pub fn parse(text: &str) -> Report {
    let mut p = Parser {
        text,
        report: Report::default(),
        table: None,
        flat: false,
        section: None,
        nearest: None,
        para: None,
        pending: Vec::new(),
    };
    for line in lines(text) {
        let raw = &text[line.start..line.end];
        if is_pipe_row(raw) {
            p.flush_pending();
            p.flush_para();
            if p.flat {
                p.finish_table();
            }
            let cells = split_cells(text, &line);
            p.push_row(
                Row {
                    span: Span::new(line.start, line.end),
                    cells,
                },
                false,
            );
            continue;
        }
        let (s, e) = trim_span(text, line.start, line.end);
        if s == e {
            if !p.flat {
                p.finish_table();
            }
            p.flush_pending();
            p.flush_para();
            continue;
        }
        let content = &text[s..e];
        if is_page_footer(content) {
            continue;
        }
        if let Some((label, numbers)) = flat_row(text, s, e) {
            p.flush_para();
            if !p.flat {
                p.finish_table();
            }
            // Short lines just before the first row are the table's header.
            let header = std::mem::take(&mut p.pending);
            // A label broken across lines: the previous short line is its start.
            let mut label_span = label;
            if let (Some((ls, le)), Some(last)) = (label, header.last()) {
                let prev = &text[last.0..last.1];
                let cont = !starts_with_enumerator(&text[ls..le])
                    && (starts_with_enumerator(prev)
                        || prev.matches('（').count() > prev.matches('）').count());
                if cont && p.table.is_some() {
                    label_span = Some((last.0, le));
                }
            }
            let joined = label_span.is_some_and(|(ls, _)| header.last().is_some_and(|l| l.0 == ls));
            for (i, &(hs, he)) in header.iter().enumerate() {
                if joined && i + 1 == header.len() {
                    break;
                }
                p.push_row(text_row(text, hs, he), true);
            }
            let mut cells = vec![match label_span {
                Some((ls, le)) => Cell {
                    text: text[ls..le].to_string(),
                    span: Span::new(ls, le),
                },
                None => Cell {
                    text: String::new(),
                    span: Span::new(s, s),
                },
            }];
            cells.extend(numbers);
            let start = label_span.map_or(s, |l| l.0);
            p.push_row(
                Row {
                    span: Span::new(start, e),
                    cells,
                },
                true,
            );
            continue;
        }
        let heading = heading(content);
        let short = content.chars().count() <= 30 && !content.contains('。');
        if p.flat && short && heading.is_none_or(|h| h.0 > 1) {
            p.pending.push((s, e));
            continue;
        }
        p.flush_pending_into_table();
        p.finish_table();
        if let Some((level, ordinal, text_start)) = heading {
            p.flush_pending();
            p.flush_para();
            let (ts, te) = trim_span(text, s + text_start, e);
            p.report.headings.push(Heading {
                level,
                ordinal,
                text: text[ts..te].to_string(),
                span: Span::new(s, e),
            });
            p.nearest = Some(p.report.headings.len() - 1);
            if level == 1 {
                p.section = p.nearest;
            }
            continue;
        }
        if short && p.report.title.is_some() {
            // Possibly the header of a flattened table: decide when the next line comes.
            p.pending.push((s, e));
            continue;
        }
        p.flush_pending();
        p.prose_line(s, e);
    }
    p.flush_pending_into_table();
    p.flush_pending();
    p.flush_para();
    p.finish_table();
    p.report
}

/// A short line inside a flattened table, split at white space into cells.
fn text_row(text: &str, s: usize, e: usize) -> Row {
    let mut cells = Vec::new();
    let line = &text[s..e];
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                cells.push(Cell {
                    text: line[st..i].to_string(),
                    span: Span::new(s + st, s + i),
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    Row {
        span: Span::new(s, e),
        cells,
    }
}

struct Parser<'a> {
    text: &'a str,
    report: Report,
    table: Option<Table>,
    /// The current table is a flattened (PDF text) table.
    flat: bool,
    section: Option<usize>,
    nearest: Option<usize>,
    para: Option<Span>,
    /// Short lines not yet placed: prose, or the header of a flattened table.
    pending: Vec<(usize, usize)>,
}

impl Parser<'_> {
    fn push_row(&mut self, row: Row, flat: bool) {
        if self.table.is_some() && self.flat != flat {
            self.finish_table();
        }
        self.flat = flat;
        match self.table.as_mut() {
            Some(t) => {
                t.span = t.span.cover(row.span);
                t.rows.push(row);
            }
            None => {
                self.table = Some(Table {
                    span: row.span,
                    rows: vec![row],
                })
            }
        }
    }

    fn finish_table(&mut self) {
        if let Some(t) = self.table.take() {
            // A lone "row" of one or two figures in extracted text is a wrapped prose line.
            let lone = self.flat && t.rows.len() == 1 && t.rows[0].cells.len() <= 3;
            if lone {
                self.flat = false;
                self.prose_line(t.span.start, t.span.end);
                return;
            }
            finish_table(&mut self.report, t);
        }
        self.flat = false;
    }

    fn flush_pending_into_table(&mut self) {
        if self.flat {
            for (s, e) in std::mem::take(&mut self.pending) {
                let row = text_row(self.text, s, e);
                self.push_row(row, true);
            }
        }
    }

    fn flush_pending(&mut self) {
        for (s, e) in std::mem::take(&mut self.pending) {
            self.prose_line(s, e);
        }
    }

    fn flush_para(&mut self) {
        if let Some(sp) = self.para.take() {
            self.report.paragraphs.push(Paragraph {
                span: sp,
                section: self.section,
                heading: self.nearest,
                sentences: sentences(self.text, sp),
            });
        }
    }

    fn prose_line(&mut self, s: usize, e: usize) {
        let text = self.text;
        let content = &text[s..e];
        if self.report.title.is_none()
            && self.report.headings.is_empty()
            && self.report.paragraphs.is_empty()
        {
            let norm = super::normalize::simplify(content);
            if norm.contains("报告") && content.chars().count() <= 80 {
                self.flush_para();
                self.report.title = Some(Span::new(s, e));
                return;
            }
        }
        match self.para.as_mut() {
            Some(p) if !text[p.range()].ends_with(['。', '！', '？', '：', ':', '；', ';']) => {
                p.end = e;
            }
            _ => {
                self.flush_para();
                self.para = Some(Span::new(s, e));
            }
        }
    }
}

/// A table before the title whose rows alternate key and value cells is page metadata.
fn finish_table(report: &mut Report, table: Table) {
    let before_body =
        report.title.is_none() && report.headings.is_empty() && report.paragraphs.is_empty();
    let pairs = table
        .rows
        .iter()
        .all(|r| r.cells.len() >= 2 && r.cells.len() % 2 == 0);
    if before_body && pairs {
        for row in &table.rows {
            for kv in row.cells.chunks(2) {
                report.metadata.push(MetaEntry {
                    key: kv[0].text.clone(),
                    key_span: kv[0].span,
                    value: kv[1].text.clone(),
                    value_span: kv[1].span,
                });
            }
        }
    } else {
        report.tables.push(table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "| 索引號 | 002508860/2019-56831 | 公開形式 | 主動公開 |\n\
| 發布單位 | 於潛鎮 | 發文日期 | 2019-01-20 |\n\
於潛鎮2018年度政府信息公開工作報告\n\
前言。本報告由六個部分組成。\n\
一、概述\n\
(一)?加強組織領導,政務公開工作機制逐步健全完善\n\
(一)公開的主要內容:政府組織機構、法規文件、規劃計劃、財政信息等各類信息。另外我鎮在政府大廳顯示屏公開。\n\
二、主動公開政府信息情況\n\
截止到2019年12月31日,我鎮政府主動公開信息613條。通過問政面對面回應12次。\n\
?\n\
統 計 指 標 | 單位 | 統計數 |\n\
(一)主動公開政府信息數 | 條 | 613 |\n\
涉及商業秘(密) | 件 | |\n";

    #[test]
    fn parses_structure() {
        let r = parse(SAMPLE);
        assert_eq!(r.metadata.len(), 4);
        assert_eq!(r.metadata[3].key, "發文日期");
        assert_eq!(r.metadata[3].value, "2019-01-20");
        assert_eq!(
            &SAMPLE[r.title.unwrap().range()],
            "於潛鎮2018年度政府信息公開工作報告"
        );
        let levels: Vec<(u8, Option<u32>)> =
            r.headings.iter().map(|h| (h.level, h.ordinal)).collect();
        assert_eq!(levels, vec![(1, Some(1)), (2, Some(1)), (1, Some(2))]);
        assert_eq!(
            r.headings[1].text,
            "加強組織領導,政務公開工作機制逐步健全完善"
        );
        assert_eq!(r.paragraphs.len(), 3);
        assert_eq!(r.paragraphs[2].sentences.len(), 2);
        assert_eq!(r.paragraphs[2].section, Some(2));
        let t = &r.tables[0];
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1].cells.len(), 3);
        assert_eq!(t.rows[1].cells[2].text, "613");
        let blank = &t.rows[2].cells[2];
        assert_eq!(blank.text, "");
        assert_eq!(&SAMPLE[blank.span.range()], " ");
    }

    #[test]
    fn wrapped_lines_join_into_one_paragraph() {
        let r = parse("一、总体情况\n2023 年全区受理政府信息公开申请 21\n件，均在法定期限答复。\n");
        assert_eq!(r.paragraphs.len(), 1);
        assert_eq!(r.paragraphs[0].sentences.len(), 1);
    }
}
