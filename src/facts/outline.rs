//! The report's numbered parts against the outline its format prescribes (`[outline]` of the
//! rule file): numbering that starts again, sub-topics numbered as parts, statutory parts
//! under the wrong number or out of order, two numbering systems at the top level, headings
//! with nothing under them, a part that must say something saying only `无`.
//!
//! Each finding is a *statement* (`outline.KEY`, one fact per occurrence, labelled on the
//! heading); rules decide what is wrong and how badly (`not present(outline.restarted)`).

use super::spec::OutlineSpec;
use super::{BoundBy, Fact, FactSet, Sentences};
use crate::document::{Heading, NormText, Report};
use crate::span::Span;
use std::borrow::Cow;

/// The outline statements, with their display titles (for the rule loader and `dump`).
pub const STATEMENTS: &[(&str, &str)] = &[
    ("outline.restarted", "一级标题编号重新开始"),
    ("outline.subtopics", "总体情况的分项编为一级标题"),
    ("outline.misplaced", "法定部分序号错位"),
    ("outline.out_of_order", "法定部分顺序颠倒"),
    ("outline.mixed", "一级标题混用两种编号"),
    ("outline.empty", "标题下没有内容"),
    ("outline.says_nothing", "应有内容的部分只写“无”"),
];

/// The Chinese numeral of a part number (1..=99).
fn numeral(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "〇".into(),
        1..=9 => D[n as usize].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        _ => format!("{}十{}", D[((n / 10) % 10) as usize], D[(n % 10) as usize]),
    }
}

fn statement(span: Span, value: String) -> Fact {
    Fact::statement(span, value, BoundBy::Structure)
}

/// The heading line as written, on one line.
fn line(text: &str, h: &Heading) -> String {
    super::one_line(text.get(h.span.range()).unwrap_or_default())
}

/// A heading line normalised (once per report: the binders share it).
fn heading_norm<'s>(text: &str, h: &Heading, lines: &'s Sentences) -> Cow<'s, str> {
    match lines.line_norm(h.span) {
        Some(n) => Cow::Borrowed(n.text),
        None => Cow::Owned(
            NormText::new(text.get(h.span.range()).unwrap_or_default(), h.span.start).text,
        ),
    }
}

/// Which statutory part a heading's text names (the first that matches), if any.
fn part_of(text: &str, h: &Heading, spec: &OutlineSpec, lines: &Sentences) -> Option<usize> {
    let norm = heading_norm(text, h, lines);
    spec.parts.iter().position(|p| {
        p.patterns
            .iter()
            .any(|re| re.may_match(&norm) && re.is_match(&norm))
    })
}

/// Binds the outline statements of a report.
pub fn bind(
    text: &str,
    report: &Report,
    spec: &OutlineSpec,
    lines: &Sentences,
    facts: &mut FactSet,
) {
    let mut out: Vec<(&str, Fact)> = Vec::new();
    let level1: Vec<(usize, &Heading)> = report
        .headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.level == 1)
        .collect();
    let parts: Vec<Option<usize>> = level1
        .iter()
        .map(|(_, h)| part_of(text, h, spec, lines))
        .collect();

    // Numbering that starts again: a part numbered no higher than the one before it.
    let mut restarts = vec![false; level1.len()];
    for i in 1..level1.len() {
        if let (Some(a), Some(b)) = (level1[i - 1].1.ordinal, level1[i].1.ordinal) {
            if b <= a {
                restarts[i] = true;
                out.push((
                    "outline.restarted",
                    statement(
                        level1[i].1.span,
                        format!(
                            "{} → {}",
                            line(text, level1[i - 1].1),
                            line(text, level1[i].1)
                        ),
                    ),
                ));
            }
        }
    }

    if !spec.parts.is_empty() {
        // Sub-topics of the first part numbered as parts: level-1 headings after it that name
        // no statutory part but one of its sub-topics.
        if let Some(first) = parts.iter().position(|p| *p == Some(0)) {
            let subs: Vec<&Heading> = level1
                .iter()
                .zip(&parts)
                .skip(first + 1)
                .take_while(|(_, p)| p.is_none_or(|k| k <= 2))
                .filter(|(_, p)| p.is_none())
                .map(|((_, h), _)| *h)
                .filter(|h| {
                    let norm = heading_norm(text, h, lines);
                    spec.subtopics
                        .iter()
                        .any(|re| re.may_match(&norm) && re.is_match(&norm))
                })
                .collect();
            if let Some(h) = subs.first() {
                let all: Vec<String> = subs.iter().map(|h| line(text, h)).collect();
                out.push(("outline.subtopics", statement(h.span, all.join("；"))));
            }
        }

        // Statutory parts under the wrong number: runs of parts off by the same amount.
        let mut run: Option<(i64, Span, Vec<String>)> = None;
        let flush = |run: &mut Option<(i64, Span, Vec<String>)>, out: &mut Vec<(&str, Fact)>| {
            if let Some((_, span, items)) = run.take() {
                out.push(("outline.misplaced", statement(span, items.join("；"))));
            }
        };
        for ((_, h), p) in level1.iter().zip(&parts) {
            let (Some(k), Some(ord)) = (p, h.ordinal) else {
                continue;
            };
            let want = *k as u32 + 1;
            if ord == want {
                flush(&mut run, &mut out);
                continue;
            }
            let off = i64::from(ord) - i64::from(want);
            let item = format!("{}（应为{}）", line(text, h), numeral(want));
            match &mut run {
                Some((o, _, items)) if *o == off => items.push(item),
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((off, h.span, vec![item]));
                }
            }
        }
        flush(&mut run, &mut out);

        // Parts out of the prescribed order (within one numbering: a restart starts afresh).
        let mut highest: Option<usize> = None;
        for (i, ((_, h), p)) in level1.iter().zip(&parts).enumerate() {
            if restarts[i] {
                highest = None;
            }
            let Some(k) = *p else { continue };
            match highest {
                Some(m) if k < m => out.push((
                    "outline.out_of_order",
                    statement(
                        h.span,
                        format!("{}（应在「{}」之前）", line(text, h), spec.parts[m].title),
                    ),
                )),
                _ => highest = Some(highest.map_or(k, |m| m.max(k))),
            }
        }

        // A part written with another numbering (`3.收到和处理…` among `一、` parts): a part
        // with no level-1 heading, named by a heading of another level that carries its number,
        // outside the first part (whose sub-topics may share the parts' words).
        let first_part = level1
            .iter()
            .zip(&parts)
            .find(|(_, p)| **p == Some(0))
            .map(|((i, _), _)| *i);
        for (k, _) in spec.parts.iter().enumerate() {
            if parts.contains(&Some(k)) {
                continue;
            }
            let want = k as u32 + 1;
            let found = report.headings.iter().enumerate().find(|(i, h)| {
                h.level > 1
                    && h.ordinal == Some(want)
                    && !inside_part(report, *i, first_part)
                    && part_of(text, h, spec, lines) == Some(k)
            });
            if let Some((_, h)) = found {
                out.push(("outline.mixed", statement(h.span, line(text, h))));
            }
        }
    }

    // Headings with nothing under them, and parts that must say something saying `无`.
    // The parser gives paragraphs, tables and headings in document order: each part's are
    // found by search (scanning all of them for every part was quadratic in the headings).
    let paragraph_spans: Vec<Span> = report.paragraphs.iter().map(|p| p.span).collect();
    let table_spans: Vec<Span> = report.tables.iter().map(|t| t.span).collect();
    let in_order = |spans: &[Span]| spans.is_sorted_by_key(|s| s.start);
    let (paragraphs_sorted, tables_sorted) = (in_order(&paragraph_spans), in_order(&table_spans));
    let headings_sorted = report.headings.is_sorted_by_key(|h| h.span.start);
    // The spans starting within `from..end`.
    fn starting_within(spans: &[Span], sorted: bool, from: usize, end: usize) -> Cow<'_, [Span]> {
        if sorted {
            let a = spans.partition_point(|s| s.start < from);
            let b = spans.partition_point(|s| s.start < end);
            Cow::Borrowed(&spans[a..b.max(a)])
        } else {
            Cow::Owned(
                spans
                    .iter()
                    .copied()
                    .filter(|s| s.start >= from && s.start < end)
                    .collect(),
            )
        }
    }
    for (n, (i, h)) in level1.iter().enumerate() {
        let end = level1
            .get(n + 1)
            .map_or(usize::MAX, |(_, next)| next.span.start);
        let within = |s: Span| s.start >= h.span.end && s.start < end;
        let paragraphs = starting_within(&paragraph_spans, paragraphs_sorted, h.span.end, end);
        let has_table = !starting_within(&table_spans, tables_sorted, h.span.end, end).is_empty();
        let mut later = report.headings.iter().skip(i + 1);
        let has_sub = if headings_sorted {
            later
                .take_while(|x| x.span.start < end)
                .any(|x| x.level > 1 && within(x.span))
        } else {
            later.any(|x| x.level > 1 && within(x.span))
        };
        if paragraphs.is_empty() && !has_table && !has_sub {
            out.push(("outline.empty", statement(h.span, line(text, h))));
            continue;
        }
        let required = parts[n].is_some_and(|k| spec.parts[k].required);
        if required && !has_table && !has_sub {
            let said: String = paragraphs
                .iter()
                .map(|s| text.get(s.range()).unwrap_or_default())
                .collect::<String>()
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '。' | '.' | '；' | ';'))
                .collect();
            if spec.empty_words.contains(&said) {
                let first = paragraphs[0];
                let last = paragraphs[paragraphs.len() - 1];
                let span = Span::new(first.start, last.end);
                out.push(("outline.says_nothing", statement(span, said)));
            }
        }
    }

    for (key, fact) in out {
        facts.text.entry(key.to_string()).or_default().push(fact);
    }
}

/// Whether heading `i` lies inside the level-1 part whose heading is `part`.
fn inside_part(report: &Report, i: usize, part: Option<usize>) -> bool {
    let Some(p) = part else { return false };
    if i <= p {
        return false;
    }
    !report.headings[p + 1..i].iter().any(|h| h.level == 1)
}

#[cfg(test)]
mod tests {
    use super::numeral;

    #[test]
    fn numerals() {
        assert_eq!(numeral(1), "一");
        assert_eq!(numeral(10), "十");
        assert_eq!(numeral(12), "十二");
        assert_eq!(numeral(21), "二十一");
    }
}
