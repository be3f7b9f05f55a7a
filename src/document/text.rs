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

/// Parses plain text (one paragraph per line or wrapped lines, pipe tables).
pub fn parse(text: &str) -> Report {
    let mut report = Report {
        metadata: Vec::new(),
        title: None,
        headings: Vec::new(),
        paragraphs: Vec::new(),
        tables: Vec::new(),
    };
    let mut current_table: Option<Table> = None;
    let mut section: Option<usize> = None;
    let mut nearest: Option<usize> = None;
    let mut para: Option<Span> = None;
    let flush_para = |report: &mut Report, para: &mut Option<Span>, section, nearest| {
        if let Some(sp) = para.take() {
            report.paragraphs.push(Paragraph {
                span: sp,
                section,
                heading: nearest,
                sentences: sentences(text, sp),
            });
        }
    };
    for line in lines(text) {
        let raw = &text[line.start..line.end];
        if is_pipe_row(raw) {
            flush_para(&mut report, &mut para, section, nearest);
            let cells = split_cells(text, &line);
            let row = Row {
                span: Span::new(line.start, line.end),
                cells,
            };
            match current_table.as_mut() {
                Some(t) => {
                    t.span = t.span.cover(row.span);
                    t.rows.push(row);
                }
                None => {
                    current_table = Some(Table {
                        span: row.span,
                        rows: vec![row],
                    })
                }
            }
            continue;
        }
        if let Some(t) = current_table.take() {
            finish_table(&mut report, t);
        }
        let (s, e) = trim_span(text, line.start, line.end);
        if s == e {
            flush_para(&mut report, &mut para, section, nearest);
            continue;
        }
        let content = &text[s..e];
        if let Some((level, ordinal, text_start)) = heading(content) {
            flush_para(&mut report, &mut para, section, nearest);
            let (ts, te) = trim_span(text, s + text_start, e);
            report.headings.push(Heading {
                level,
                ordinal,
                text: text[ts..te].to_string(),
                span: Span::new(s, e),
            });
            nearest = Some(report.headings.len() - 1);
            if level == 1 {
                section = nearest;
            }
            continue;
        }
        if report.title.is_none() && report.headings.is_empty() && report.paragraphs.is_empty() {
            let norm = super::normalize::simplify(content);
            if norm.contains("报告") && content.chars().count() <= 80 {
                report.title = Some(Span::new(s, e));
                continue;
            }
        }
        match para.as_mut() {
            Some(p) if !text[p.range()].ends_with(['。', '！', '？', '：', ':', '；', ';']) => {
                p.end = e;
            }
            _ => {
                flush_para(&mut report, &mut para, section, nearest);
                para = Some(Span::new(s, e));
            }
        }
    }
    flush_para(&mut report, &mut para, section, nearest);
    if let Some(t) = current_table.take() {
        finish_table(&mut report, t);
    }
    report
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
