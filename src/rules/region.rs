//! A region's summary report against the reports of the bodies under it (RL206): each total
//! the rule set lists under `[region] totals` must be at least the sum of the parts' (counts
//! are never negative, so the parts that state it are a lower bound even when others do not).
//! Labels go into both reports.

use super::dsl::{self, eval, parse};
use super::RuleSet;
use crate::diagnostic::{Diagnostic, Label, Lang, Severity};
use crate::facts::{self, FactSet};
use rust_decimal::Decimal;

/// One report of a body under the region, bound with its own rule set.
pub struct Part<'a> {
    /// The report's name (its path), for labels in it.
    pub name: &'a str,
    /// Its publisher, as the title or signature names it.
    pub publisher: String,
    /// Its rule set.
    pub rules: &'a RuleSet,
    /// Its facts.
    pub facts: &'a FactSet,
}

/// Most part reports labelled in one finding (the largest first).
const MAX_PART_LABELS: usize = 12;

/// A value in 元 for money, else the number; `None` for anything else.
fn amount(v: &eval::Val) -> Option<Decimal> {
    match v {
        eval::Val::Num(n) => Some(*n),
        eval::Val::Money(m) => m.amount.checked_mul(m.unit.factor()),
        _ => None,
    }
}

/// A total (parsed once) evaluated in a report with that report's names: its amount and the
/// places it was read from.
fn value_in(
    expr: &dsl::ast::Expr,
    rs: &RuleSet,
    facts: &FactSet,
) -> Option<(Decimal, Vec<eval::Src>)> {
    let scope = dsl::Scope {
        fields: &rs.field_titles,
        lets: &rs.lets,
    };
    let mut errors = Vec::new();
    let resolved = dsl::resolve(expr, &scope, &mut errors);
    if !errors.is_empty() {
        return None;
    }
    let choice = Default::default();
    let env = eval::Env::new(facts, &choice).with_dims(&rs.dims);
    let ev = eval::eval(&resolved, &env).ok()?;
    Some((amount(&ev.val)?, ev.srcs))
}

/// RL206 findings for a summary report (`rs`, `facts`) and its parts. `declared`: the user's
/// mapping says these are its parts (else they were found by the publishers' names, and a
/// finding is at most a warning).
pub fn check(
    rs: &RuleSet,
    facts: &FactSet,
    parts: &[Part],
    declared: bool,
    lang: Lang,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if parts.is_empty() {
        return out;
    }
    let c = facts::checks::REGION_BELOW_PARTS;
    for (src, _) in &rs.region_totals {
        // Resolved again in each part's rule set (its names may be bound differently).
        let Ok(expr) = parse::parse(src) else {
            continue;
        };
        let Some((region, region_srcs)) = value_in(&expr, rs, facts) else {
            continue;
        };
        let mut found: Vec<(Decimal, Vec<eval::Src>, &Part)> = parts
            .iter()
            .filter_map(|p| value_in(&expr, p.rules, p.facts).map(|(v, s)| (v, s, p)))
            .collect();
        let sum: Decimal = found.iter().map(|(v, _, _)| *v).sum();
        if sum <= region {
            continue;
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        let title = rs
            .field_titles
            .get(src.as_str())
            .or_else(|| {
                region_srcs
                    .first()
                    .and_then(|s| rs.field_titles.get(s.field.as_str()))
            })
            .cloned()
            .unwrap_or_else(|| src.clone());
        let (max, _, top) = &found[0];
        let message = match (lang, *max > region) {
            (Lang::Zh, true) => format!(
                "{title}：汇总报告为 {}，而所辖单位「{}」一家即为 {}",
                region.normalize(),
                top.publisher,
                max.normalize()
            ),
            (Lang::En, true) => format!(
                "{title}: the summary states {}, but one body under it, 「{}」, states {}",
                region.normalize(),
                top.publisher,
                max.normalize()
            ),
            (Lang::Zh, false) => format!(
                "{title}：汇总报告为 {}，低于所辖 {} 个单位报告之和 {}",
                region.normalize(),
                found.len(),
                sum.normalize()
            ),
            (Lang::En, false) => format!(
                "{title}: the summary states {}, less than the sum of the {} reports under it, {}",
                region.normalize(),
                found.len(),
                sum.normalize()
            ),
        };
        let certain = declared
            && region_srcs.iter().all(|s| s.bound_by.is_certain())
            && found
                .iter()
                .all(|(_, s, _)| s.iter().all(|x| x.bound_by.is_certain()));
        let severity = if certain { Severity::Error } else { c.severity };
        let mut d = Diagnostic::new(severity, c.id, c.name, message).with_help(c.fix_in(lang));
        for s in &region_srcs {
            if let Some(sp) = s.span {
                d.labels.push(Label::primary(
                    sp,
                    format!("{}: {}", lang.pick("汇总", "summary"), s.value),
                ));
            }
        }
        for (v, srcs, p) in found.iter().take(MAX_PART_LABELS) {
            for s in srcs {
                if let Some(sp) = s.span {
                    d.labels.push(
                        Label::secondary(sp, format!("{}: {}", p.publisher, v.normalize()))
                            .in_file(p.name),
                    );
                }
            }
        }
        if found.len() > MAX_PART_LABELS {
            d.notes.push(match lang {
                Lang::Zh => format!("另有 {} 个单位的报告未标出", found.len() - MAX_PART_LABELS),
                Lang::En => format!(
                    "{} more reports under it are not labelled",
                    found.len() - MAX_PART_LABELS
                ),
            });
        }
        if !declared {
            d.notes.push(
                lang.pick(
                    "汇总报告及所辖单位按发布机关名称推断（标题含“汇总”、同一地名）；以 --regions 文件指定时可判为错误",
                    "the summary and the bodies under it were inferred from the publishers' names (a title with 汇总, the same place); name them in a --regions file for an error",
                )
                .to_string(),
            );
        }
        out.push(d);
    }
    out
}
