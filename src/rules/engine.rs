//! Stage 4: evaluating a [`RuleSet`] against a [`FactSet`]. Each rule passes, fails (a
//! diagnostic with labels on every operand), or is skipped with the reason.

use super::dsl::ast::{BinOp, Expr, ExprKind};
use super::dsl::eval::{self, Env, Ev, Missing, Why};
use super::{Dim, Primary, Rule, RuleSet};
use crate::diagnostic::{Diagnostic, Label, Lang};
use crate::facts::FactSet;
use crate::span::{LineIndex, Span};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Most instances one rule is evaluated for (combinations of prose matches).
pub const MAX_INSTANCES: usize = 256;

/// What happened to one rule (or one instance of it).
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// The check held.
    Passed,
    /// The check failed; the diagnostic says where.
    Failed(Box<Diagnostic>),
    /// The check could not be evaluated.
    Skipped(String),
    /// The `when` condition does not hold.
    NotApplicable,
}

/// The outcome of one rule instance.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Index into [`RuleSet::rules`].
    pub rule: usize,
    /// What happened.
    pub status: Status,
    /// A short account of the values (`613 == 613`).
    pub detail: String,
    /// Blank cells read as 0 to make this instance pass.
    pub zero_blanks: Vec<Span>,
    /// Blank cells that decide this instance (it holds only if they are not 0), with the value
    /// that would make it hold when one blank alone decides.
    pub needed_blanks: Vec<(Span, Option<Decimal>)>,
    /// Where the facts an instance that passed read are (for measuring what a change to a
    /// figure would be caught by).
    pub read: Vec<Span>,
}

fn describe_missing(
    m: &Missing,
    titles: &indexmap::IndexMap<String, String>,
    lines: &LineIndex,
    lang: Lang,
) -> String {
    let parts: Vec<String> = m
        .reasons
        .iter()
        .map(|r| {
            let name = if r.field.is_empty() {
                String::new()
            } else {
                match titles.get(&r.field) {
                    Some(t) if t != &r.field => format!("{} ({t})", r.field),
                    _ => r.field.clone(),
                }
            };
            let at = r
                .span
                .map_or(String::new(), |s| format!(", line {}", lines.line(s.start)));
            let what: String = match (&r.why, lang) {
                (Why::Blank, Lang::Zh) => "单元格为空".into(),
                (Why::Blank, Lang::En) => "the cell is blank".into(),
                (Why::NotANumber(_), Lang::Zh) => "单元格不是数字".into(),
                (Why::NotANumber(_), Lang::En) => "the cell is not a number".into(),
                (Why::NotFound, Lang::Zh) => "报告中未找到".into(),
                (Why::NotFound, Lang::En) => "not found in the report".into(),
                (Why::TableNotRecognised(t), Lang::Zh) => format!("表格未识别（{t}）"),
                (Why::TableNotRecognised(t), Lang::En) => format!("table not recognised ({t})"),
                (Why::NotStated, Lang::Zh) => "正文未述及".into(),
                (Why::NotStated, Lang::En) => "the prose states no such figure".into(),
                (Why::DivisionByZero, Lang::Zh) => "除数为 0".into(),
                (Why::DivisionByZero, Lang::En) => "division by zero".into(),
                (Why::TooManySteps, _) => "evaluation step limit reached".into(),
                (Why::NoPrevious, Lang::Zh) => {
                    "未提供同一机关上一年度的报告（用 --previous 指定，或与上一年度报告一并检查）".into()
                }
                (Why::NoPrevious, Lang::En) => {
                    "no previous year's report of the same body (give it with --previous, or check both years together)".into()
                }
                (Why::Type(t), _) => t.clone(),
            };
            if name.is_empty() {
                what.to_string()
            } else {
                format!("{name}: {what}{at}")
            }
        })
        .collect();
    // Long lists (a blank column of a 2-D table) are cut after a few reasons.
    const SHOWN: usize = 4;
    if parts.len() > SHOWN {
        let more = parts.len() - SHOWN;
        let mut head = parts[..SHOWN].join("; ");
        head.push_str(&match lang {
            Lang::Zh => format!("；另有 {more} 项"),
            Lang::En => format!("; and {more} more"),
        });
        head
    } else {
        parts.join("; ")
    }
}

/// What a rule runs over: prose fields referenced outside aggregate functions (once per
/// match), and vectors of 2-D forms (once per column for a row, once per row for a column).
fn iterated_fields(
    expr: &Expr,
    inside_aggregate: bool,
    dims: &super::Dims,
    out: &mut BTreeSet<String>,
) {
    expr.visit(inside_aggregate, &mut |e, agg| match &e.kind {
        ExprKind::Path(p) if dims.contains_key(p) => {
            out.insert(match &dims[p] {
                Dim::Columns(t) => format!("col:{t}"),
                Dim::Rows(t) => format!("row:{t}"),
            });
        }
        // Statements about the text run once each, also inside functions (`present(…)`).
        ExprKind::Path(p)
            if (!agg && crate::facts::is_statement(p)) || crate::facts::is_text_statement(p) =>
        {
            out.insert(p.clone());
        }
        _ => {}
    });
}

/// What a rule runs over ([`Rule::iterated`]), from its check and condition.
pub(crate) fn iterated_of(check: &Expr, when: Option<&Expr>, dims: &super::Dims) -> Vec<String> {
    let mut fields = BTreeSet::new();
    iterated_fields(check, false, dims, &mut fields);
    if let Some(w) = when {
        iterated_fields(w, false, dims, &mut fields);
    }
    fields.into_iter().collect()
}

/// Every combination of match indexes for the iterated fields (capped at [`MAX_INSTANCES`]).
fn instances(fields: &[String], facts: &FactSet) -> Vec<BTreeMap<String, usize>> {
    let mut out = vec![BTreeMap::new()];
    for f in fields {
        let n = if let Some(t) = f.strip_prefix("col:") {
            facts.grids.get(t).map_or(0, |g| g.columns.len())
        } else if let Some(t) = f.strip_prefix("row:") {
            facts.grids.get(t).map_or(0, |g| g.rows.len())
        } else {
            facts.statements(f).len()
        }
        .max(1);
        let mut next = Vec::new();
        for base in &out {
            for i in 0..n {
                let mut m = base.clone();
                m.insert(f.clone(), i);
                next.push(m);
            }
        }
        next.truncate(MAX_INSTANCES);
        out = next;
    }
    out
}

/// The `{name}`s of a message template.
fn placeholders(template: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else { break };
        out.insert(&after[1..close]);
        rest = &after[close + 1..];
    }
    out
}

fn fill(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match after.find('}') {
            Some(close) => {
                let name = &after[1..close];
                match values.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&after[..=close]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn expr_text<'a>(rule: &'a Rule, e: &Expr) -> &'a str {
    rule.check_src.get(e.span.clone()).unwrap_or("").trim()
}

/// The previous year's report of the same body, for rules that read `prev.` names.
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    /// The name it was checked under (labels on it carry this name).
    pub name: &'a str,
    /// Its text (for line numbers in reasons).
    pub text: &'a str,
    /// Its facts, bound with its own rule set.
    pub facts: &'a FactSet,
}

/// Evaluates every rule of the set.
pub fn run(rs: &RuleSet, facts: &FactSet, text: &str, lang: Lang, details: bool) -> Vec<Outcome> {
    run_with_previous(rs, facts, text, lang, details, None)
}

/// Evaluates every rule of the set, with the previous year's report for `prev.` names (a rule
/// that reads one without it is skipped, saying so).
pub fn run_with_previous(
    rs: &RuleSet,
    facts: &FactSet,
    text: &str,
    lang: Lang,
    details: bool,
    prev: Option<Previous>,
) -> Vec<Outcome> {
    let lines = LineIndex::new(text);
    let prev_lines = prev.map(|p| LineIndex::new(p.text));
    let prev_ctx = prev.as_ref().zip(prev_lines.as_ref());
    let mut out = Vec::new();
    for (ri, rule) in rs.rules.iter().enumerate() {
        for choice in instances(&rule.iterated, facts) {
            let env = Env::new(facts, &choice)
                .with_dims(&rs.dims)
                .with_previous(prev.map(|p| p.facts));
            let Instance {
                mut status,
                mut detail,
                zero_blanks,
                needed_blanks,
                read,
            } = run_instance(rs, rule, &env, &lines, lang, details);
            if let (Status::Failed(d), Some((p, plines))) = (&mut status, prev_ctx) {
                on_previous(d, p, plines, lang);
            }
            let fallbacks: Vec<String> = env.notes.borrow().clone();
            if let Status::Failed(d) = &mut status {
                d.notes.extend(fallbacks.iter().cloned());
            } else if !fallbacks.is_empty() && status == Status::Passed {
                detail = format!("{detail}; {}", fallbacks.join("; "));
            }
            // Say which column or row of a 2-D form this instance is about.
            let (column, row) = place(rs, facts, &choice, lang);
            let place_text: Vec<String> = [
                column
                    .as_ref()
                    .map(|c| format!("{} {c}", lang.pick("列", "column"))),
                row.as_ref()
                    .map(|r| format!("{} {r}", lang.pick("行", "row"))),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Status::Failed(d) = &mut status {
                d.message = d
                    .message
                    .replace("{column}", column.as_deref().unwrap_or(""))
                    .replace("{row}", row.as_deref().unwrap_or(""));
                if !place_text.is_empty() {
                    d.notes.insert(0, place_text.join(", "));
                }
            }
            if let Status::Failed(d) = &status {
                let at = d
                    .labels
                    .iter()
                    .find(|l| l.primary)
                    .map(|l| format!(" (line {})", lines.line(l.span.start)));
                detail = format!("{}{}", d.message, at.unwrap_or_default());
            } else if !place_text.is_empty() {
                detail = format!("{detail} [{}]", place_text.join(", "));
            }
            // Say which prose match this instance is about.
            let at: Vec<String> = choice
                .iter()
                .filter_map(|(f, &i)| facts.statements(f).get(i))
                .filter_map(|fact| fact.span)
                .map(|s| format!("line {}", lines.line(s.start)))
                .collect();
            if !at.is_empty() && status == Status::Passed {
                detail = format!("{detail} ({})", at.join(", "));
            }
            out.push(Outcome {
                rule: ri,
                status,
                detail,
                zero_blanks,
                needed_blanks,
                read,
            });
        }
    }
    out
}

/// Titles of the column and row of a 2-D form an instance is about.
fn place(
    rs: &RuleSet,
    facts: &FactSet,
    choice: &BTreeMap<String, usize>,
    lang: Lang,
) -> (Option<String>, Option<String>) {
    // The form's (Chinese) titles; an English reader gets the keys.
    let title = |key: String, plain: &String| match lang {
        Lang::Zh => rs
            .field_titles
            .get(&key)
            .cloned()
            .unwrap_or_else(|| plain.clone()),
        Lang::En => plain.clone(),
    };
    let mut column = None;
    let mut row = None;
    for (k, &i) in choice {
        if let Some(t) = k.strip_prefix("col:") {
            column = facts
                .grids
                .get(t)
                .and_then(|g| g.columns.get(i))
                .map(|c| title(format!("column.{c}"), c));
        } else if let Some(t) = k.strip_prefix("row:") {
            row = facts
                .grids
                .get(t)
                .and_then(|g| g.rows.get(i))
                .map(|r| title(format!("table.{r}"), r));
        }
    }
    (column, row)
}

/// What one instance gave.
struct Instance {
    status: Status,
    detail: String,
    zero_blanks: Vec<Span>,
    needed_blanks: Vec<(Span, Option<Decimal>)>,
    read: Vec<Span>,
}

impl Instance {
    fn new(status: Status, detail: String) -> Instance {
        Instance {
            status,
            detail,
            zero_blanks: Vec::new(),
            needed_blanks: Vec::new(),
            read: Vec::new(),
        }
    }
}

fn run_instance(
    rs: &RuleSet,
    rule: &Rule,
    env: &Env,
    lines: &LineIndex,
    lang: Lang,
    details: bool,
) -> Instance {
    if let Some(w) = &rule.when {
        match eval::eval(w, env) {
            Ok(Ev {
                val: eval::Val::Bool(true),
                ..
            }) => {}
            Ok(Ev {
                val: eval::Val::Bool(false),
                ..
            }) => return Instance::new(Status::NotApplicable, "when-condition is false".into()),
            Ok(other) => {
                return Instance::new(
                    Status::Skipped(format!("`when` is not true/false: {}", other.val)),
                    String::new(),
                )
            }
            Err(m) => {
                return Instance::new(
                    Status::Skipped(describe_missing(&m, &rs.field_titles, lines, lang)),
                    String::new(),
                )
            }
        }
    }
    let (lhs, op, rhs) = match &rule.check.kind {
        ExprKind::Binary(op, l, r) if op.is_comparison() => {
            (Some(l.as_ref()), Some(*op), Some(r.as_ref()))
        }
        _ => (None, None, None),
    };
    let result = eval::eval(&rule.check, env);
    let detail_of = |e: &Expr| detail(e, env);
    match result {
        Err(m) => blanks_decide(rs, rule, env, lines, lang, &m, (lhs, op, rhs)),
        Ok(ev) => {
            if let Some(why) = below_min_certainty(rs, rule, &ev.srcs, lines, lang) {
                return Instance::new(Status::Skipped(why), String::new());
            }
            match ev.val {
                eval::Val::Bool(true) => {
                    let detail = match (lhs, op, rhs) {
                        _ if !details => String::new(),
                        (Some(l), Some(op), Some(r)) => {
                            format!("{} {} {}", detail_of(l), op.symbol(), detail_of(r))
                        }
                        _ => "true".into(),
                    };
                    let detail = with_weak_bindings(detail, &ev.srcs);
                    Instance {
                        read: own_spans(&ev.srcs),
                        ..Instance::new(Status::Passed, detail)
                    }
                }
                eval::Val::Bool(false) => {
                    let d = failure(
                        rs, rule, env, lines, lhs, op, rhs, ev.srcs, lang, &detail_of,
                    );
                    Instance::new(Status::Failed(Box::new(d)), String::new())
                }
                other => Instance::new(
                    Status::Skipped(format!("the check gives {other}, not true/false")),
                    String::new(),
                ),
            }
        }
    }
}

/// Where the facts a value was computed from are, in this report (not last year's).
fn own_spans(srcs: &[eval::Src]) -> Vec<Span> {
    srcs.iter()
        .filter(|s| !s.prev)
        .filter_map(|s| s.span)
        .collect()
}

/// An operand shown with its values and its result: `0 + 105 + 100 = 205`.
fn detail(e: &Expr, env: &Env) -> String {
    let shown = eval::show_values(e, env);
    let total = eval::eval(e, env)
        .map(|v| v.val.to_string())
        .unwrap_or_else(|_| "?".into());
    if shown == total {
        total
    } else {
        format!("{shown} = {total}")
    }
}

/// A fact bound less surely than the rule asks (`min_certainty`): the reason to skip.
fn below_min_certainty(
    rs: &RuleSet,
    rule: &Rule,
    srcs: &[eval::Src],
    lines: &LineIndex,
    lang: Lang,
) -> Option<String> {
    let min = rule.min_certainty?;
    let weak: Vec<String> = srcs
        .iter()
        .filter(|s| s.bound_by.rank() < min.rank())
        .map(|s| describe_binding(rs, s, lines, lang))
        .collect();
    (!weak.is_empty()).then(|| match lang {
        Lang::Zh => format!(
            "规则要求数值的识别方式至少为 {}：{}",
            min.name(),
            weak.join("; ")
        ),
        Lang::En => format!(
            "the rule needs facts bound at least by {}: {}",
            min.name(),
            weak.join("; ")
        ),
    })
}

/// A pass's detail, saying which facts it rests on were bound less than surely.
fn with_weak_bindings(detail: String, srcs: &[eval::Src]) -> String {
    let mut weak: Vec<String> = Vec::new();
    for s in srcs.iter().filter(|s| !s.bound_by.is_certain()) {
        let d = format!("{} by {}", s.field, s.bound_by.name());
        if !weak.contains(&d) {
            weak.push(d);
        }
    }
    match weak.len() {
        0 => detail,
        n if n <= 3 => format!("{detail} [{}]", weak.join("; ")),
        n => format!(
            "{detail} [{}; and {} more not bound by label]",
            weak[..3].join("; "),
            n - 3
        ),
    }
}

/// Stands for the previous year's report in labels until [`on_previous`] names it.
const PREVIOUS: &str = "\u{0}previous";

/// A finding that read last year's report: its labels there carry that report's name, the
/// lines of its notes are that report's, and a note says which report it was.
fn on_previous(d: &mut Diagnostic, p: &Previous, lines: &LineIndex, lang: Lang) {
    let mut used = false;
    for l in &mut d.labels {
        if l.file.as_deref() == Some(PREVIOUS) {
            l.file = Some(p.name.to_string());
            used = true;
        }
    }
    if used {
        let first = d
            .labels
            .iter()
            .find(|l| l.file.is_some())
            .map(|l| lines.line(l.span.start));
        d.notes.push(match lang {
            Lang::Zh => format!(
                "上一年度报告：{}{}",
                p.name,
                first.map_or(String::new(), |n| format!("（第 {n} 行）"))
            ),
            Lang::En => format!(
                "last year's report: {}{}",
                p.name,
                first.map_or(String::new(), |n| format!(" (line {n})"))
            ),
        });
    }
}

/// `table.x (title) bound by position, line N`, in the chosen language.
fn describe_binding(rs: &RuleSet, s: &eval::Src, lines: &LineIndex, lang: Lang) -> String {
    let title = rs
        .field_titles
        .get(s.field.trim_start_matches("prev."))
        .map_or(String::new(), |t| format!("（{t}）"));
    // A line of last year's report is named by the note on that report, not here.
    let span = if s.prev { None } else { s.span };
    let s = &eval::Src { span, ..s.clone() };
    match lang {
        Lang::Zh => {
            let at = s.span.map_or(String::new(), |sp| {
                format!("，第 {} 行", lines.line(sp.start))
            });
            format!("{}{title}{}{at}", s.field, s.bound_by.name_zh())
        }
        Lang::En => {
            let at = s.span.map_or(String::new(), |sp| {
                format!(", line {}", lines.line(sp.start))
            });
            format!("{}{title} bound by {}{at}", s.field, s.bound_by.name())
        }
    }
}

/// A rule that could not be evaluated because of blank cells. A blank is an unknown
/// non-negative count: the rule holds when it holds with the blanks as 0 (the filled cells
/// settle it), fails when no filling can make it hold, and is skipped when the blanks decide
/// it; those blanks, and only those, are returned for the blank-cell finding.
fn blanks_decide(
    rs: &RuleSet,
    rule: &Rule,
    env: &Env,
    lines: &LineIndex,
    lang: Lang,
    m: &eval::Missing,
    (lhs, op, rhs): (Option<&Expr>, Option<BinOp>, Option<&Expr>),
) -> Instance {
    let reason = describe_missing(m, &rs.field_titles, lines, lang);
    let skipped = |why: String| Instance::new(Status::Skipped(why), String::new());
    let blanks: Vec<Span> = m
        .reasons
        .iter()
        .filter(|r| r.why == eval::Why::Blank && r.field.starts_with("table."))
        .filter_map(|r| r.span)
        .collect();
    let only_blanks = !blanks.is_empty()
        && m.reasons.iter().all(|r| {
            (r.why == eval::Why::Blank && r.field.starts_with("table.") && r.span.is_some())
                || r.why == eval::Why::NotFound
        });
    if !only_blanks {
        return skipped(reason);
    }
    let filled = |values: BTreeMap<Span, Decimal>| {
        let e = Env::new(env.facts, env.choice)
            .filling_blanks(values)
            .with_previous(env.prev);
        match env.dims {
            Some(d) => e.with_dims(d),
            None => e,
        }
    };
    let env0 = filled(BTreeMap::new());
    let at_zero = eval::eval(&rule.check, &env0);
    let show = |e: &Expr, env: &Env| eval::show_values(e, env);
    match at_zero {
        Ok(ev) if ev.val == eval::Val::Bool(true) => {
            if let Some(why) = below_min_certainty(rs, rule, &ev.srcs, lines, lang) {
                return skipped(why);
            }
            let detail = match (lhs, op, rhs) {
                (Some(l), Some(op), Some(r)) => format!(
                    "{} {} {} ({})",
                    show(l, &env0),
                    op.symbol(),
                    show(r, &env0),
                    lang.pick("空白单元格按 0 计", "blank cells read as 0")
                ),
                _ => "true".into(),
            };
            let detail = with_weak_bindings(detail, &ev.srcs);
            Instance {
                zero_blanks: blanks,
                read: own_spans(&ev.srcs),
                ..Instance::new(Status::Passed, detail)
            }
        }
        Ok(ev) if ev.val == eval::Val::Bool(false) => {
            let (Some(l), Some(op), Some(r)) = (lhs, op, rhs) else {
                return skipped(reason);
            };
            // lhs - rhs is linear in the blanks: k + sum(c_i * b_i), b_i >= 0.
            let diff = |env: &Env| -> Option<Decimal> {
                let (a, b) = (eval::eval(l, env).ok()?, eval::eval(r, env).ok()?);
                eval::difference(&a.val, &b.val)
            };
            let Some(k) = diff(&env0) else {
                return skipped(reason);
            };
            let mut coef = Vec::new();
            for &b in &blanks {
                let one = diff(&filled(BTreeMap::from([(b, Decimal::ONE)])));
                let two = diff(&filled(BTreeMap::from([(b, Decimal::TWO)])));
                match (one, two) {
                    (Some(o), Some(t)) if t - k == (o - k) * Decimal::TWO => coef.push((b, o - k)),
                    _ => return skipped(reason), // not a sum of the blanks: cannot tell
                }
            }
            let neg = coef
                .iter()
                .any(|(_, c)| c.is_sign_negative() && !c.is_zero());
            let pos = coef
                .iter()
                .any(|(_, c)| c.is_sign_positive() && !c.is_zero());
            let possible = match op {
                BinOp::Eq => (k < Decimal::ZERO && pos) || (k > Decimal::ZERO && neg),
                BinOp::Ne => pos || neg,
                BinOp::Lt | BinOp::Le => neg,
                BinOp::Gt | BinOp::Ge => pos,
                _ => true,
            };
            if !possible {
                let d = failure(
                    rs,
                    rule,
                    &env0,
                    lines,
                    lhs,
                    Some(op),
                    rhs,
                    ev.srcs,
                    lang,
                    &|e| detail(e, &env0),
                );
                let mut d = d;
                d.notes.push(
                    lang.pick(
                        "空白单元格视为未知的非负数：无论填入什么数，此关系都不能成立",
                        "blank cells are unknown non-negative counts: no figures written in them could make this hold",
                    )
                    .to_string(),
                );
                return Instance::new(Status::Failed(Box::new(d)), String::new());
            }
            // The blanks decide: those that move the balance, with the value one alone needs.
            let deciding: Vec<(Span, Decimal)> =
                coef.into_iter().filter(|(_, c)| !c.is_zero()).collect();
            let needed: Vec<(Span, Option<Decimal>)> = match (deciding.as_slice(), op) {
                ([(b, c)], BinOp::Eq) => {
                    let v = -k / *c;
                    vec![(*b, (v > Decimal::ZERO && v.fract().is_zero()).then_some(v))]
                }
                _ => deciding.iter().map(|(b, _)| (*b, None)).collect(),
            };
            let why = format!(
                "{reason}; {}",
                lang.pick(
                    "空白单元格决定此关系能否成立（按 0 计不成立）",
                    "the blank cells decide it: it does not hold with them as 0"
                )
            );
            Instance {
                needed_blanks: needed,
                ..Instance::new(Status::Skipped(why), String::new())
            }
        }
        _ => skipped(reason),
    }
}

#[allow(clippy::too_many_arguments)]
fn failure(
    rs: &RuleSet,
    rule: &Rule,
    env: &Env,
    lines: &LineIndex,
    lhs: Option<&Expr>,
    op: Option<BinOp>,
    rhs: Option<&Expr>,
    srcs: Vec<eval::Src>,
    lang: Lang,
    detail_of: &dyn Fn(&Expr) -> String,
) -> Diagnostic {
    let value = |e: Option<&Expr>| e.and_then(|e| eval::eval(e, env).ok());
    let (lv, rv) = (value(lhs), value(rhs));
    let mut vals: BTreeMap<&str, String> = BTreeMap::new();
    if let Some(v) = &lv {
        vals.insert("lhs", v.val.to_string());
    }
    if let Some(v) = &rv {
        vals.insert("rhs", v.val.to_string());
    }
    if let (Some(eval::Val::Num(a)), Some(eval::Val::Num(b))) =
        (lv.as_ref().map(|v| &v.val), rv.as_ref().map(|v| &v.val))
    {
        vals.insert("diff", (*a - *b).normalize().to_string());
    }
    // Only the names the message uses are evaluated.
    let template = lang.pick(&rule.message, &rule.message_en);
    let wanted = placeholders(template);
    let field_values: Vec<(String, String)> = rs
        .field_titles
        .keys()
        .filter(|k| wanted.contains(k.as_str()))
        .filter_map(|k| {
            let e = Expr {
                kind: ExprKind::Path(k.clone()),
                span: 0..0,
            };
            eval::eval(&e, env)
                .ok()
                .map(|v| (k.clone(), v.val.to_string()))
        })
        .collect();
    for (k, v) in &field_values {
        vals.insert(k.as_str(), v.clone());
    }
    // `let` names in messages (`{new_total}`).
    let let_values: Vec<(String, String)> = rs
        .lets
        .iter()
        .filter(|(k, _)| wanted.contains(k.as_str()))
        .filter_map(|(k, e)| {
            eval::eval(e, env)
                .ok()
                .map(|v| (k.clone(), v.val.to_string()))
        })
        .collect();
    for (k, v) in &let_values {
        vals.entry(k.as_str()).or_insert_with(|| v.clone());
    }
    let message = fill(template, &vals);
    let mut d = Diagnostic::new(rule.severity, &rule.id, &rule.name, message);
    for k in ["lhs", "rhs", "diff"] {
        if let Some(v) = vals.get(k) {
            d.values.insert(k.to_string(), v.clone());
        }
    }
    for s in srcs
        .iter()
        .chain(lv.iter().flat_map(|v| v.srcs.iter()))
        .chain(rv.iter().flat_map(|v| v.srcs.iter()))
    {
        d.values.insert(s.field.clone(), s.value.to_string());
    }
    let (first, second) = match rule.primary {
        Primary::Lhs => (lv.as_ref(), rv.as_ref()),
        Primary::Rhs => (rv.as_ref(), lv.as_ref()),
    };
    // Field titles are the form's own (Chinese) words; an English reader gets the field's name.
    let label_text = |s: &eval::Src| {
        let title = match lang {
            Lang::Zh => match rs.field_titles.get(s.field.trim_start_matches("prev.")) {
                Some(t) if s.prev => format!("上一年度 {t}"),
                Some(t) => t.clone(),
                None => s.field.clone(),
            },
            Lang::En => s.field.clone(),
        };
        format!("{title}: {}", s.value)
    };
    let mut seen: BTreeSet<(bool, Span)> = BTreeSet::new();
    let mut push = |d: &mut Diagnostic, s: &eval::Src, primary: bool| {
        if let Some(span) = s.span {
            if seen.insert((s.prev, span)) {
                let text = label_text(s);
                let label = if primary {
                    Label::primary(span, text)
                } else {
                    Label::secondary(span, text)
                };
                // Named once the engine knows the other report's name ([`on_previous`]).
                d.labels.push(if s.prev {
                    label.in_file(PREVIOUS)
                } else {
                    label
                });
            }
        }
    };
    // A prose finding points at the clause it read (primary) and the cells it compared
    // (secondary), also when the statement is only the rule's condition (`均获维持`).
    let mut prose: Vec<eval::Src> = srcs
        .iter()
        .chain(lv.iter().flat_map(|v| v.srcs.iter()))
        .chain(rv.iter().flat_map(|v| v.srcs.iter()))
        .filter(|s| crate::facts::is_statement(&s.field))
        .cloned()
        .collect();
    if let Some(Ok(w)) = rule.when.as_ref().map(|w| eval::eval(w, env)) {
        prose.extend(
            w.srcs
                .into_iter()
                .filter(|s| crate::facts::is_statement(&s.field)),
        );
    }
    if !prose.is_empty() {
        prose.iter().for_each(|s| push(&mut d, s, true));
        srcs.iter()
            .chain(lv.iter().flat_map(|v| v.srcs.iter()))
            .chain(rv.iter().flat_map(|v| v.srcs.iter()))
            .for_each(|s| push(&mut d, s, false));
    } else {
        match (first, second) {
            (Some(a), Some(b)) => {
                a.srcs.iter().for_each(|s| push(&mut d, s, true));
                b.srcs.iter().for_each(|s| push(&mut d, s, false));
            }
            _ => srcs.iter().for_each(|s| push(&mut d, s, true)),
        }
    }
    // A prose figure about a narrower body (区政府办 in a district report) is not a plain
    // contradiction: say so, and warn instead of erring.
    let scopes: Vec<&str> = srcs
        .iter()
        .chain(lv.iter().flat_map(|v| v.srcs.iter()))
        .chain(rv.iter().flat_map(|v| v.srcs.iter()))
        .filter_map(|s| s.scope.as_deref())
        .collect();
    if let Some(scope) = scopes.first() {
        if d.severity == crate::diagnostic::Severity::Error {
            d.severity = crate::diagnostic::Severity::Warning;
        }
        d.notes.push(match lang {
            Lang::Zh => format!("该句所述范围为「{scope}」，可能窄于报告主体；请先核对口径，再判断是否矛盾"),
            Lang::En => format!("the sentence speaks of 「{scope}」, possibly narrower than the report's body: check the scope before treating it as a contradiction"),
        });
    }
    // A finding resting on a weakly bound fact (a row placed by position, a near label, a
    // derived total) is at most a warning, and says which.
    let mut all: Vec<&eval::Src> = Vec::new();
    for s in srcs
        .iter()
        .chain(lv.iter().flat_map(|v| v.srcs.iter()))
        .chain(rv.iter().flat_map(|v| v.srcs.iter()))
    {
        if !all.iter().any(|x| x.field == s.field && x.span == s.span) {
            all.push(s);
        }
    }
    let weak: Vec<String> = all
        .iter()
        .filter(|s| !s.bound_by.is_certain())
        .map(|s| describe_binding(rs, s, lines, lang))
        .collect();
    if !weak.is_empty() {
        let capped = d.severity == crate::diagnostic::Severity::Error;
        if capped {
            d.severity = crate::diagnostic::Severity::Warning;
        }
        d.notes.push(match (lang, capped) {
            (Lang::Zh, true) => format!(
                "所用数值并非全部按标签确切识别，故降为警告：{}",
                weak.join("; ")
            ),
            (Lang::Zh, false) => format!("所用数值并非全部按标签确切识别：{}", weak.join("; ")),
            (Lang::En, true) => format!(
                "not every figure used was bound by its label, so this is a warning: {}",
                weak.join("; ")
            ),
            (Lang::En, false) => format!(
                "not every figure used was bound by its label: {}",
                weak.join("; ")
            ),
        });
    }
    for n in all.iter().filter_map(|s| s.note.as_ref()) {
        if !d.notes.contains(n) {
            d.notes.push(n.clone());
        }
    }
    // A check with no operands of its own (`present(prose.x)`) points at what its `when`
    // condition read (the table cell that makes the prose statement necessary).
    if d.labels.is_empty() {
        if let Some(Ok(w)) = rule.when.as_ref().map(|w| eval::eval(w, env)) {
            w.srcs.iter().for_each(|s| push(&mut d, s, true));
        }
    }
    // Still nothing to point at (a missing section): the report's title.
    if d.labels.is_empty() {
        if let Some(t) = env.facts.title {
            d.labels.push(Label::primary(
                t,
                lang.pick("报告标题", "the report's title"),
            ));
        }
    }
    if !d.labels.iter().any(|l| l.primary) {
        if let Some(l) = d.labels.first_mut() {
            l.primary = true;
        }
    }
    if let (Some(l), Some(_), Some(r)) = (lhs, op, rhs) {
        d.notes
            .push(format!("{} = {}", expr_text(rule, l), detail_of(l)));
        d.notes
            .push(format!("{} = {}", expr_text(rule, r), detail_of(r)));
        d.notes.push(format!(
            "{}: {}",
            lang.pick("应满足", "expected"),
            rule.check_src.trim()
        ));
    } else {
        d.notes.push(format!(
            "{}: {}",
            lang.pick("应满足", "expected"),
            rule.check_src.trim()
        ));
    }
    if let Some(h) = match lang {
        Lang::Zh => rule.help.as_ref().or(rule.help_en.as_ref()),
        Lang::En => rule.help_en.as_ref().or(rule.help.as_ref()),
    } {
        d.help = Some(h.clone());
    }
    d
}
