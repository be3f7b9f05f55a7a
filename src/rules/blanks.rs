//! Blank cells of 2-D forms, judged after the rules ran, in one finding per table and kind:
//! the blanks that decide a relation (it holds only if they are not 0) are blank-cell findings
//! (RL104) naming the value that would make it hold where one blank alone decides; the others
//! (the relations hold with them as 0, a blank total derived from its parts, or no relation
//! reads them) are one style finding (RL111).

use super::engine::Outcome;
use crate::diagnostic::{Diagnostic, Label, Lang};
use crate::facts::{checks, BlankCell, FactSet};
use crate::span::Span;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Most cells one finding labels.
const SHOWN: usize = 8;

/// The blank-cell findings of a checked report.
pub fn judge(facts: &FactSet, outcomes: &[Outcome], lang: Lang) -> Vec<Diagnostic> {
    let mut needed: BTreeMap<Span, Option<Decimal>> = BTreeMap::new();
    for (span, value) in outcomes.iter().flat_map(|o| o.needed_blanks.iter()) {
        let e = needed.entry(*span).or_insert(*value);
        if e.is_some() && *e != *value {
            *e = None; // two relations want different values: name none
        }
    }
    // Tables in the order their blanks appear.
    let mut tables: Vec<&str> = Vec::new();
    for b in &facts.grid_blanks {
        if !tables.contains(&b.table.as_str()) {
            tables.push(&b.table);
        }
    }
    let mut out = Vec::new();
    for table in tables {
        let cells: Vec<&BlankCell> = facts
            .grid_blanks
            .iter()
            .filter(|b| b.table == table)
            .collect();
        let (need, rest): (Vec<&BlankCell>, Vec<&BlankCell>) =
            cells.iter().partition(|b| needed.contains_key(&b.span));
        if !need.is_empty() {
            out.push(deciding(table, &need, &needed, lang));
        }
        if !rest.is_empty() {
            out.push(harmless(table, &rest, lang));
        }
    }
    out
}

fn deciding(
    table: &str,
    cells: &[&BlankCell],
    needed: &BTreeMap<Span, Option<Decimal>>,
    lang: Lang,
) -> Diagnostic {
    let check = checks::BLANK_CELL;
    let msg = match lang {
        Lang::Zh => format!(
            "{table}中 {} 个空白单元格决定勾稽关系能否成立（按 0 计不成立），相关核对已跳过",
            cells.len()
        ),
        Lang::En => format!(
            "{} blank cells of {table} decide whether its relations hold (they do not with the blanks as 0); those checks were skipped",
            cells.len()
        ),
    };
    let mut d =
        Diagnostic::new(check.severity, check.id, check.name, msg).with_help(check.fix_in(lang));
    for b in cells.iter().take(SHOWN) {
        let text = match (needed.get(&b.span).copied().flatten(), lang) {
            (Some(v), Lang::Zh) => format!("{}：为空，按勾稽关系应为 {}", b.title, v.normalize()),
            (Some(v), Lang::En) => {
                format!("{}: blank; the relation needs {}", b.field, v.normalize())
            }
            (None, Lang::Zh) => b.title.clone(),
            (None, Lang::En) => b.field.clone(),
        };
        d.labels.push(Label::primary(b.span, text));
    }
    if cells.len() > SHOWN {
        d.notes.push(format!("… and {} more", cells.len() - SHOWN));
    }
    d
}

fn harmless(table: &str, cells: &[&BlankCell], lang: Lang) -> Diagnostic {
    let check = checks::BLANK_AS_ZERO;
    let derived = cells.iter().filter(|b| b.derived.is_some()).count();
    let zero = cells.len() - derived;
    let msg = match (lang, derived) {
        (Lang::Zh, 0) => format!(
            "{table}中 {} 个单元格为空（按 0 计算时勾稽关系成立）",
            cells.len()
        ),
        (Lang::En, 0) => format!(
            "{} blank cells in {table} (the relations hold when they are read as 0)",
            cells.len()
        ),
        (Lang::Zh, _) => format!(
            "{table}中 {} 个单元格为空：{derived} 个总计按本行各项之和推算，{zero} 个按 0 计算时勾稽关系成立",
            cells.len()
        ),
        (Lang::En, _) => format!(
            "{} blank cells in {table}: {derived} totals derived from their rows, {zero} where the relations hold when they are read as 0",
            cells.len()
        ),
    };
    let mut d =
        Diagnostic::new(check.severity, check.id, check.name, msg).with_help(check.fix_in(lang));
    // Derived totals first: they are the ones a reader should look at.
    let mut shown: Vec<&&BlankCell> = cells.iter().filter(|b| b.derived.is_some()).collect();
    shown.extend(cells.iter().filter(|b| b.derived.is_none()));
    for b in shown.into_iter().take(SHOWN) {
        let text = match (&b.derived, lang) {
            (Some(how), Lang::Zh) => format!("{}：为空，按本行推算为 {how}", b.title),
            (Some(how), Lang::En) => format!("{}: blank, derived as {how}", b.field),
            (None, Lang::Zh) => b.title.clone(),
            (None, Lang::En) => b.field.clone(),
        };
        d.labels.push(Label::primary(b.span, text));
    }
    if cells.len() > SHOWN {
        d.notes.push(format!("… and {} more", cells.len() - SHOWN));
    }
    d
}
