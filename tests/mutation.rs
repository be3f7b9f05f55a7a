//! Mutation testing on every real report: change one figure at a time (a table cell, a year of
//! the reporting period or title, a prose figure that equals a table value) and see whether a
//! rule finding points at the changed text.
//!
//! A mutant is *catchable* when a rule that held on the unchanged report reads the changed
//! figure through an equality (one more unit then breaks it); it is *caught* when the changed
//! report has a new rule finding with a label on the changed text. The results, with every
//! mutant no rule could catch and why, are the mutation section of `docs/accuracy.md`; this
//! test fails when that section is stale (run with `BLESS=1` to rewrite it) or when fewer than
//! 95 % of the catchable table and year mutants are caught.

mod common;

use rayon::prelude::*;
use report_lint::diagnostic::Lang;
use report_lint::facts::{FactSet, FactValue};
use report_lint::rules::dsl::ast::{BinOp, ExprKind};
use report_lint::rules::{engine, RuleSet, Sets};
use report_lint::source::{self, Source};
use report_lint::span::{LineIndex, Span};
use report_lint::{choose_ruleset, document, facts};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Cell,
    Year,
    Prose,
}

// Prose mutants count as catchable: a figure that states a table value in a clause naming a
// metric of the form should be caught there.

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Cell => "table cell",
            Kind::Year => "period or title year",
            Kind::Prose => "prose figure",
        }
    }
}

/// One changed figure.
struct Mutant {
    kind: Kind,
    field: String,
    /// Where the figure is in the report's text (visible text for HTML).
    span: Span,
    from: String,
    to: String,
    /// Where it is in the file (the page for HTML).
    raw_at: usize,
    /// For a prose figure: its clause, where a finding must point.
    clause: Option<Span>,
    /// Why no rule can catch it, when none can.
    uncatchable: Option<String>,
}

impl Mutant {
    fn new(
        src: &Source,
        kind: Kind,
        field: String,
        span: Span,
        to: String,
        uncatchable: Option<String>,
        clause: Option<Span>,
    ) -> Mutant {
        Mutant {
            kind,
            field,
            span,
            from: src.text[span.range()].to_string(),
            to,
            raw_at: src
                .html
                .as_ref()
                .map_or(span.start, |h| h.map[span.start] as usize),
            uncatchable,
            clause,
        }
    }
}

struct Outcome {
    mutant: Mutant,
    caught: bool,
}

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = common::fixture("real");
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "html"))
        .collect();
    paths.sort();
    paths.push(common::example());
    paths
}

/// The report bound and its rules run, as the linter does.
fn analyse(src: &Source, sets: &Sets) -> Option<(usize, FactSet, Vec<engine::Outcome>)> {
    let report = document::parse(src);
    let sentences = report_lint::facts::Sentences::new(&src.text, &report);
    let choice = choose_ruleset(src, &report, &sentences, sets).ok()?;
    let rs = sets.get(choice.index);
    let (facts, _) = facts::bind(src, &report, &rs.fields, Lang::En);
    let outcomes = engine::run(rs, &facts, &src.text, Lang::En, true);
    Some((choice.index, facts, outcomes))
}

/// The run of ASCII digits (with a decimal point) inside a span whose value is `value`.
fn digits_in(text: &str, span: Span) -> Option<Span> {
    let s = &text[span.range()];
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let len = s[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len() - start);
    Some(Span::new(span.start + start, span.start + start + len))
}

fn bump(digits: &str, by: i64) -> Option<String> {
    if let Some((int, frac)) = digits.split_once('.') {
        let n: i64 = int.parse().ok()?;
        return Some(format!("{}.{frac}", n + by));
    }
    let n: i64 = digits.parse().ok()?;
    (n + by >= 0).then(|| (n + by).to_string())
}

/// Whether a rule's check compares with `==` (a change of one unit breaks it).
fn is_equality(rs: &RuleSet, rule: usize) -> bool {
    fn eq(e: &report_lint::rules::dsl::ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Binary(BinOp::Eq, _, _) => true,
            ExprKind::Binary(BinOp::And | BinOp::Or, l, r) => eq(l) || eq(r),
            ExprKind::Let(_, x) => eq(x),
            _ => false,
        }
    }
    eq(&rs.rules[rule].check)
}

fn mutants(src: &Source, sets: &Sets) -> Vec<Mutant> {
    let Some((set, facts, outcomes)) = analyse(src, sets) else {
        return Vec::new();
    };
    let rs = sets.get(set);
    let text = &src.text;
    // Which rules read each span: those that held through an equality, and all of them.
    let mut eq_readers: BTreeMap<Span, BTreeSet<String>> = BTreeMap::new();
    let mut skipped_readers: BTreeMap<String, String> = BTreeMap::new();
    let mut failing: BTreeMap<Span, String> = BTreeMap::new();
    for o in &outcomes {
        if matches!(o.status, engine::Status::Passed) && is_equality(rs, o.rule) {
            for s in &o.read {
                eq_readers
                    .entry(*s)
                    .or_default()
                    .insert(rs.rules[o.rule].id.clone());
            }
        }
        if let engine::Status::Skipped(why) = &o.status {
            skipped_readers
                .entry(rs.rules[o.rule].id.clone())
                .or_insert_with(|| why.clone());
        }
        if let engine::Status::Failed(d) = &o.status {
            for l in &d.labels {
                failing
                    .entry(l.span)
                    .or_insert_with(|| rs.rules[o.rule].id.clone());
            }
        }
    }
    let why_not = |span: Span, field: &str| -> Option<String> {
        if eq_readers.get(&span).is_some_and(|r| !r.is_empty()) {
            return None;
        }
        if let Some(id) = failing.get(&span) {
            return Some(format!("{id}, which reads it, fails already"));
        }
        let mentioned: Vec<String> = rs
            .rules
            .iter()
            .filter(|r| {
                let short = field.split('[').next().unwrap_or(field);
                r.check_src.contains(short.trim_start_matches("table."))
                    || r.check_src.contains(field)
            })
            .map(|r| r.id.clone())
            .collect();
        Some(
            if let Some(id) = mentioned
                .iter()
                .find(|id| skipped_readers.contains_key(*id))
            {
                format!("{id}, which reads it, was skipped")
            } else if mentioned.is_empty() {
                "no rule reads it".to_string()
            } else {
                "no equality reads it".to_string()
            },
        )
    };
    let mut out = Vec::new();
    for (key, f) in &facts.table {
        let (Some(span), FactValue::Number(_) | FactValue::Money(_)) = (f.span, &f.value) else {
            continue;
        };
        if f.raw.is_empty() {
            continue; // a derived total: no text to change
        }
        let Some(d) = digits_in(text, span) else {
            continue;
        };
        let Some(to) = bump(&text[d.range()], 1) else {
            continue;
        };
        let field = format!("table.{key}");
        let why = why_not(span, &field);
        out.push(Mutant::new(src, Kind::Cell, field, d, to, why, None));
    }
    for key in ["period.start", "period.end", "period.year"] {
        let Some(f) = facts.report.get(key) else {
            continue;
        };
        let Some(span) = f.span else { continue };
        let Some(d) = digits_in(text, span) else {
            continue;
        };
        if d.end - d.start != 4 || out.iter().any(|m: &Mutant| m.span == d) {
            continue;
        }
        let Some(to) = bump(&text[d.range()], -1) else {
            continue;
        };
        let field = format!("report.{key}");
        let why = why_not(span, &field);
        out.push(Mutant::new(src, Kind::Year, field, d, to, why, None));
    }
    // Prose figures: every figure of a clause that names a metric of the form, whose value is a
    // table value or a sum of two of them (new + carried over) or of the totals (reviews and
    // lawsuits together). It should be caught at its clause.
    let values: Vec<Decimal> = facts
        .table
        .values()
        .filter(|f| !f.raw.is_empty())
        .filter_map(|f| match &f.value {
            FactValue::Number(n) => Some(*n),
            _ => None,
        })
        .collect();
    let totals: Vec<Decimal> = facts
        .table
        .iter()
        .filter(|(k, _)| k.contains("total"))
        .filter_map(|(_, f)| match &f.value {
            FactValue::Number(n) => Some(*n),
            _ => None,
        })
        .collect();
    let mut sums: BTreeSet<Decimal> = values.iter().copied().collect();
    for (i, a) in values.iter().enumerate() {
        for b in &values[i + 1..] {
            sums.insert(a + b);
        }
    }
    for (i, a) in totals.iter().enumerate() {
        for (j, b) in totals.iter().enumerate().skip(i + 1) {
            for c in &totals[j + 1..] {
                sums.insert(a + b + c);
            }
        }
    }
    for clause in &facts.clauses {
        for fig in &clause.figures {
            let why = fig.why.as_deref();
            if why == Some(facts::prose::NO_METRIC) || why == Some(facts::prose::NO_OWN_METRIC) {
                continue; // not a statement of one of the form's figures
            }
            if !["件", "条", "條", "次"]
                .iter()
                .any(|u| fig.text.trim_end().ends_with(u))
            {
                continue; // amounts of money and other units: no table figure is in them
            }
            let Some(d) = digits_in(text, fig.span) else {
                continue; // Chinese numerals: not changed
            };
            let Ok(v) = text[d.range()].parse::<Decimal>() else {
                continue;
            };
            if !sums.contains(&v) {
                continue;
            }
            let Some(to) = bump(&text[d.range()], 1) else {
                continue;
            };
            let field = fig
                .field
                .clone()
                .unwrap_or_else(|| format!("(unbound: {})", fig.why.as_deref().unwrap_or("")));
            out.push(Mutant::new(
                src,
                Kind::Prose,
                field,
                d,
                to,
                None,
                Some(clause.span),
            ));
        }
    }
    out
}

/// The report's bytes with one figure changed.
fn mutate(src: &Source, m: &Mutant) -> Vec<u8> {
    match &src.html {
        None => {
            let mut t = src.text.clone();
            t.replace_range(m.span.range(), &m.to);
            t.into_bytes()
        }
        Some(h) => {
            let mut raw = h.raw.clone();
            if m.to.len() == m.from.len() {
                // Digit by digit: a figure may be split across tags (`20</span><span>23`).
                for (i, c) in m.to.char_indices().rev() {
                    let at = h.map[m.span.start + i] as usize;
                    raw.replace_range(at..at + 1, &c.to_string());
                }
            } else {
                let (a, b) = (
                    h.map[m.span.start] as usize,
                    h.map[m.span.end - 1] as usize + 1,
                );
                raw.replace_range(a..b, &m.to);
            }
            raw.into_bytes()
        }
    }
}

/// Rule findings (code, message, labels with whether they are primary) of a checked source.
type Finding = (String, String, Vec<(Span, bool)>);

fn rule_findings(src: Source, sets: &Sets) -> Vec<Finding> {
    let r = report_lint::check_source(src, sets, false, Lang::En);
    r.diagnostics
        .iter()
        .filter(|d| !d.code.starts_with("RL"))
        .map(|d| {
            (
                d.code.clone(),
                d.message.clone(),
                d.labels.iter().map(|l| (l.span, l.primary)).collect(),
            )
        })
        .collect()
}

fn run_fixture(path: &std::path::Path, sets: &Sets) -> (String, Vec<Outcome>, String) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(path).unwrap();
    let src = source::decode(&name, &bytes).unwrap();
    let before = rule_findings(src.clone(), sets);
    let ms = mutants(&src, sets);
    let outcomes: Vec<Outcome> = ms
        .into_par_iter()
        .map(|m| {
            let changed = source::decode(&name, &mutate(&src, &m)).unwrap();
            let delta = m.to.len() as isize - m.from.len() as isize;
            let at = Span::new(m.span.start, (m.span.end as isize + delta) as usize);
            let after = rule_findings(changed, sets);
            // A prose figure must be caught at its clause (a primary label on it).
            let target = m.clause.map_or(at, |c| {
                Span::new(c.start, (c.end as isize + delta) as usize)
            });
            let caught = after.iter().any(|(code, msg, labels)| {
                !before.iter().any(|(c, mm, _)| c == code && mm == msg)
                    && labels.iter().any(|(l, primary)| {
                        (m.clause.is_none() || *primary)
                            && l.start < target.end
                            && target.start < l.end
                    })
            });
            Outcome { mutant: m, caught }
        })
        .collect();
    let raw = src
        .html
        .as_ref()
        .map_or(src.text.clone(), |h| h.raw.clone());
    (name, outcomes, raw)
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "—".into()
    } else {
        format!("{:.1} %", 100.0 * a as f64 / b as f64)
    }
}

#[test]
fn mutants_are_caught_where_a_rule_can_catch_them() {
    let sets = Sets::from(report_lint::rules::builtin().unwrap());
    let results: Vec<(String, Vec<Outcome>, String)> =
        fixtures().iter().map(|p| run_fixture(p, &sets)).collect();
    let mut md = String::new();
    md.push_str("| report | kind | mutants | catchable | caught | share caught |\n");
    md.push_str("|---|---|---:|---:|---:|---:|\n");
    let mut totals: BTreeMap<Kind, (usize, usize, usize)> = BTreeMap::new();
    for (name, outcomes, _) in &results {
        for kind in [Kind::Cell, Kind::Year, Kind::Prose] {
            let of: Vec<&Outcome> = outcomes.iter().filter(|o| o.mutant.kind == kind).collect();
            if of.is_empty() {
                continue;
            }
            let catchable = of.iter().filter(|o| o.mutant.uncatchable.is_none()).count();
            let caught = of
                .iter()
                .filter(|o| o.mutant.uncatchable.is_none() && o.caught)
                .count();
            let t = totals.entry(kind).or_default();
            t.0 += of.len();
            t.1 += catchable;
            t.2 += caught;
            md.push_str(&format!(
                "| `{name}` | {} | {} | {catchable} | {caught} | {} |\n",
                kind.name(),
                of.len(),
                pct(caught, catchable)
            ));
        }
    }
    for (kind, (n, c, k)) in &totals {
        md.push_str(&format!(
            "| **all** | {} | {n} | {c} | {k} | {} |\n",
            kind.name(),
            pct(*k, *c)
        ));
    }
    md.push_str("\nCatchable mutants that were missed:\n\n");
    let mut missed = 0;
    for (name, outcomes, raw) in &results {
        let lines = LineIndex::new(raw);
        for o in outcomes
            .iter()
            .filter(|o| o.mutant.uncatchable.is_none() && !o.caught)
        {
            missed += 1;
            md.push_str(&format!(
                "- `{name}` line {}: {} {} → {}\n",
                lines.line(o.mutant.raw_at),
                o.mutant.field,
                o.mutant.from,
                o.mutant.to
            ));
        }
    }
    if missed == 0 {
        md.push_str("- none\n");
    }
    md.push_str("\nMutants no rule could catch, by reason (a rule that held reads the figure only through an inequality, was skipped, or no rule reads it):\n\n");
    for (name, outcomes, _) in &results {
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for o in outcomes {
            if let Some(why) = &o.mutant.uncatchable {
                let f = o.mutant.field.clone();
                let list = by_reason.entry(why.clone()).or_default();
                if !list.contains(&f) {
                    list.push(f);
                }
            }
        }
        for (why, fields) in by_reason {
            let shown: Vec<String> = fields.iter().take(6).map(|f| format!("`{f}`")).collect();
            let more = if fields.len() > 6 {
                format!(" and {} more", fields.len() - 6)
            } else {
                String::new()
            };
            md.push_str(&format!("- `{name}`: {why}: {}{more}\n", shown.join(", ")));
        }
    }
    let doc_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/accuracy.md");
    common::check_generated(&doc_path, "mutation", &md);
    for kind in [Kind::Cell, Kind::Year, Kind::Prose] {
        let (_, c, k) = totals.get(&kind).copied().unwrap_or_default();
        assert!(
            c > 0 && k * 100 >= c * 95,
            "{}: {k} of {c} catchable mutants caught",
            kind.name()
        );
    }
}
