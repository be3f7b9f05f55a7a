//! `report-lint dump`: the parsed document and every bound fact with its value, its source span
//! and the raw text it came from, plus table rows and sentences with figures that bound to
//! nothing. What a rule author needs to write a new rule.

use crate::diagnostic::Lang;
use crate::document::{self, NormText, Report};
use crate::facts::{self, FactSet};
use crate::matcher::LazyRegex;
use crate::rules::Sets;
use crate::source::Source;
use crate::span::{LineIndex, Span};
use serde_json::json;

/// Everything `dump` shows.
pub struct Dump {
    /// The decoded source.
    pub source: Source,
    /// The document model.
    pub report: Report,
    /// The rule set used for binding, with the reason; or why none.
    pub ruleset: Result<(String, String), String>,
    /// Bound facts (when a rule set applies).
    pub facts: Option<FactSet>,
    /// Field titles of the rule set.
    pub titles: indexmap::IndexMap<String, String>,
    /// Sentences that state a figure no prose field bound.
    pub unbound_sentences: Vec<Span>,
    /// The publisher, as the title, signature and preamble name it (what pairs the report
    /// with last year's).
    pub publisher: crate::document::publisher::Publisher,
}

fn figure_re() -> &'static LazyRegex {
    static RE: std::sync::OnceLock<LazyRegex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        LazyRegex::new(
            r"([0-9]+|[零一二两三四五六七八九十百千]+)(件|条|次|人次|人|名|个|篇|项|万元|元)",
        )
    })
}

/// Parses and binds a report for display.
pub fn dump(source: Source, sets: &Sets, explicit: bool, lang: Lang) -> Dump {
    let report = document::parse(&source);
    let chosen = match (explicit, sets.len()) {
        (true, 1) => Ok((0, format!("given with --rules ({})", sets.get(0).origin))),
        _ => crate::choose_ruleset(
            &source,
            &report,
            &crate::facts::Sentences::new(&source.text, &report),
            sets,
        )
        .map(|c| (c.index, c.reason)),
    };
    let (ruleset, facts, titles) = match chosen {
        Ok((i, reason)) => {
            let rs = sets.get(i);
            let (f, _) = facts::bind(&source, &report, &rs.fields, lang);
            (
                Ok((rs.id.clone(), reason)),
                Some(f),
                rs.field_titles.clone(),
            )
        }
        Err(e) => (Err(e), None, Default::default()),
    };
    let bound: Vec<Span> = facts
        .iter()
        .flat_map(|f| f.prose.values().flatten().chain(f.report.values()))
        .filter_map(|f| f.span)
        .collect();
    let unbound_sentences = report
        .paragraphs
        .iter()
        .flat_map(|p| p.sentences.iter())
        .filter(|s| {
            let norm = NormText::new(&source.text[s.span.range()], s.span.start);
            figure_re().is_match(&norm.text)
                && !bound
                    .iter()
                    .any(|b| b.start >= s.span.start && b.end <= s.span.end)
        })
        .map(|s| s.span)
        .collect();
    let publisher = crate::document::publisher::find(&source.text, &report);
    Dump {
        publisher,
        source,
        report,
        ruleset,
        facts,
        titles,
        unbound_sentences,
    }
}

fn at(lines: &LineIndex, span: Span) -> String {
    let (l, c) = lines.line_col(span.start);
    format!("{l}:{c}")
}

fn short(s: &str) -> String {
    let one_line: String = s.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

/// Human-readable rendering.
pub fn to_text(d: &Dump) -> String {
    let text = &d.source.text;
    let lines = LineIndex::new(text);
    let mut s = format!(
        "{} ({}, {:?})\n",
        d.source.name, d.source.encoding, d.source.kind
    );
    s.push_str("\ndocument\n");
    for m in &d.report.metadata {
        s.push_str(&format!(
            "  meta     {:<8} {} = {}\n",
            at(&lines, m.key_span),
            m.key,
            m.value
        ));
    }
    if let Some(t) = d.report.title {
        s.push_str(&format!(
            "  title    {:<8} {}\n",
            at(&lines, t),
            &text[t.range()]
        ));
    }
    for n in &d.publisher.names {
        let from = match n.from {
            crate::document::publisher::From::Title => "title",
            crate::document::publisher::From::Signature => "signature",
            crate::document::publisher::From::Preamble => "preamble",
        };
        s.push_str(&format!(
            "  publisher {:<7} {} (from the {from})\n",
            at(&lines, n.span),
            n.name
        ));
    }
    match (d.publisher.key(), d.publisher.year) {
        (Some(k), Some(y)) => s.push_str(&format!(
            "  paired as {k} / {y}: last year's report is {k} / {}\n",
            y - 1
        )),
        _ => s.push_str(
            "  paired as -: no publisher or no year in the title, so no report is paired with this one\n",
        ),
    }
    for h in &d.report.headings {
        let indent = "  ".repeat(usize::from(h.level.saturating_sub(1)));
        s.push_str(&format!(
            "  heading  {:<8} {indent}[{}] {}\n",
            at(&lines, h.span),
            h.level,
            short(&text[h.span.range()])
        ));
    }
    let sentences: usize = d.report.paragraphs.iter().map(|p| p.sentences.len()).sum();
    s.push_str(&format!(
        "  prose    {} paragraphs, {sentences} sentences\n",
        d.report.paragraphs.len()
    ));
    for (i, t) in d.report.tables.iter().enumerate() {
        s.push_str(&format!(
            "  table {}  {:<8} {} rows, lines {}-{}\n",
            i + 1,
            at(&lines, t.span),
            t.rows.len(),
            lines.line(t.span.start),
            lines.line(t.span.end.saturating_sub(1))
        ));
    }
    match &d.ruleset {
        Ok((id, reason)) => s.push_str(&format!("\nfacts (rule set {id}: {reason})\n")),
        Err(e) => s.push_str(&format!("\nno facts: {e}\n")),
    }
    if let Some(f) = &d.facts {
        let title = |k: &str| d.titles.get(k).cloned().unwrap_or_default();
        for (k, fact) in &f.table {
            let name = format!("table.{k}");
            let span = fact.span.map_or("-".into(), |sp| at(&lines, sp));
            s.push_str(&format!(
                "  {name:<34} = {:<10} {span:<8} {:?} ({}) {}{}\n",
                fact.value.to_string(),
                fact.raw,
                fact.bound_by.name(),
                title(&name),
                fact.note
                    .as_ref()
                    .map_or(String::new(), |n| format!("  [{n}]"))
            ));
        }
        for (k, facts) in &f.prose {
            let name = format!("prose.{k}");
            if facts.is_empty() {
                s.push_str(&format!(
                    "  {name:<34}   (no match)            {}\n",
                    title(&name)
                ));
            }
            for fact in facts {
                let span = fact.span.map_or("-".into(), |sp| at(&lines, sp));
                s.push_str(&format!(
                    "  {name:<34} = {:<10} {span:<8} {:?}\n",
                    fact.value.to_string(),
                    short(&fact.raw)
                ));
            }
        }
        for (k, fact) in &f.report {
            let name = format!("report.{k}");
            let span = fact.span.map_or("-".into(), |sp| at(&lines, sp));
            s.push_str(&format!(
                "  {name:<34} = {:<10} {span:<8} {:?}\n",
                fact.value.to_string(),
                short(&fact.raw)
            ));
        }
        if !f.unbound_rows.is_empty() {
            s.push_str("\ntable rows with a value that bound to nothing\n");
            for r in &f.unbound_rows {
                s.push_str(&format!(
                    "  {:<8} {}\n",
                    at(&lines, *r),
                    short(&text[r.range()])
                ));
            }
        }
    }
    let clauses = d.facts.as_ref().map_or(&[][..], |f| f.clauses.as_slice());
    if !clauses.is_empty() {
        s.push_str("\nclauses with figures (what each figure bound to, or why nothing)\n");
        for c in clauses {
            s.push_str(&format!(
                "  {:<8} {}\n",
                at(&lines, c.span),
                short(&text[c.span.range()])
            ));
            for f in &c.figures {
                match (&f.field, &f.why) {
                    (Some(field), _) => {
                        s.push_str(&format!("           {} -> {field}\n", short(&f.text)))
                    }
                    (None, Some(why)) => s.push_str(&format!(
                        "           {} -> (unbound: {why})\n",
                        short(&f.text)
                    )),
                    _ => {}
                }
            }
        }
    } else if !d.unbound_sentences.is_empty() {
        s.push_str("\nsentences with figures that bound to nothing\n");
        for sp in &d.unbound_sentences {
            s.push_str(&format!(
                "  {:<8} {}\n",
                at(&lines, *sp),
                short(&text[sp.range()])
            ));
        }
    }
    s
}

fn span_json(lines: &LineIndex, text: &str, sp: Span) -> serde_json::Value {
    let (line, column) = lines.line_col(sp.start);
    json!({ "start": sp.start, "end": sp.end, "line": line, "column": column, "text": &text[sp.range()] })
}

/// JSON rendering.
pub fn to_json(d: &Dump) -> String {
    let text = &d.source.text;
    let lines = LineIndex::new(text);
    let sj = |sp: Span| span_json(&lines, text, sp);
    let fact_json = |name: String, f: &facts::Fact| {
        json!({
            "field": name,
            "title": d.titles.get(&name),
            "value": f.value,
            "span": f.span.map(sj),
            "context": f.context.map(|c| json!({"line": lines.line(c.start)})),
            "raw": f.raw,
            "bound_by": f.bound_by,
        })
    };
    let facts = d.facts.as_ref().map(|f| {
        let mut v = Vec::new();
        for (k, fact) in &f.table {
            v.push(fact_json(format!("table.{k}"), fact));
        }
        for (k, fs) in &f.prose {
            for fact in fs {
                v.push(fact_json(format!("prose.{k}"), fact));
            }
        }
        for (k, fact) in &f.report {
            v.push(fact_json(format!("report.{k}"), fact));
        }
        v
    });
    let out = json!({
        "file": d.source.name,
        "encoding": d.source.encoding,
        "kind": d.source.kind,
        "document": {
            "metadata": d.report.metadata.iter().map(|m| json!({"key": m.key, "value": m.value, "span": sj(m.value_span)})).collect::<Vec<_>>(),
            "title": d.report.title.map(sj),
            "publisher": {
                "names": d.publisher.names.iter().map(|n| json!({"name": n.name, "from": n.from, "span": sj(n.span)})).collect::<Vec<_>>(),
                "key": d.publisher.key(),
                "year": d.publisher.year,
            },
            "headings": d.report.headings.iter().map(|h| json!({"level": h.level, "ordinal": h.ordinal, "text": h.text, "span": sj(h.span)})).collect::<Vec<_>>(),
            "paragraphs": d.report.paragraphs.iter().map(|p| json!({
                "span": {"line": lines.line(p.span.start)},
                "section": p.section,
                "sentences": p.sentences.iter().map(|s| sj(s.span)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "tables": d.report.tables.iter().map(|t| json!({
                "lines": [lines.line(t.span.start), lines.line(t.span.end.saturating_sub(1))],
                "layout": t.layout,
                "section": t.section,
                "rows": t.rows.iter().map(|r| r.cells.iter().map(|c| c.text(text).to_string()).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "label_lines": t.rows.iter().map(|r| r.label_lines.iter().map(|s| text[s.range()].to_string()).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "ruleset": d.ruleset.as_ref().map(|(id, why)| json!({"id": id, "reason": why})).unwrap_or_else(|e| json!({"error": e})),
        "facts": facts,
        "unbound_rows": d.facts.as_ref().map(|f| f.unbound_rows.iter().map(|r| sj(*r)).collect::<Vec<_>>()),
        "unbound_sentences": d.unbound_sentences.iter().map(|s| sj(*s)).collect::<Vec<_>>(),
        "clauses": d.facts.as_ref().map(|f| f.clauses.iter().map(|c| json!({
            "span": sj(c.span),
            "figures": c.figures,
        })).collect::<Vec<_>>()),
    });
    crate::render::visible::json_safe(serde_json::to_string_pretty(&out).unwrap_or_default())
}
