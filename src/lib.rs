//! report-lint: a linter for Chinese government information disclosure annual reports
//! (政府信息公开工作年度报告).
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`source`] (bytes -> text) -> [`document`] (text -> report model with spans) ->
//! [`facts`] (report + field declarations -> named facts) -> [`rules`] (facts + checks ->
//! outcomes) -> [`render`] (diagnostics -> human or JSON output).

#![warn(missing_docs)]

pub mod date;
pub mod diagnostic;
pub mod document;
pub mod dump;
pub mod explain;
pub mod facts;
pub mod render;
pub mod rules;
pub mod ruletest;
pub mod source;
pub mod span;
pub mod units;

use diagnostic::{Diagnostic, Lang};
use rules::engine::{self, Status};
use rules::RuleSet;
use serde::Serialize;
use source::Source;

/// Whether a file was checked.
#[derive(Debug, Clone)]
pub enum FileStatus {
    /// Checked with a rule set, chosen for a reason.
    Checked {
        /// Rule set id.
        ruleset: String,
        /// Why this rule set (given with --rules, or which `applies` matched).
        reason: String,
    },
    /// Read, but no rule set applies.
    NotChecked(String),
    /// Could not be read or decoded.
    Failed(String),
}

/// What happened to one rule (instance) on one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleStatus {
    /// Held.
    Passed,
    /// Failed: a diagnostic was emitted.
    Failed,
    /// Could not be evaluated; `detail` says why.
    Skipped,
    /// Its `when` condition did not hold.
    NotApplicable,
}

/// One rule's outcome on one file.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRecord {
    /// Rule id.
    pub id: String,
    /// Rule name.
    pub name: String,
    /// Outcome.
    pub status: RuleStatus,
    /// Values for a pass, the reason for a skip.
    pub detail: String,
}

/// Everything found about one input file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Path as given.
    pub path: String,
    /// Checked or not, and why.
    pub status: FileStatus,
    /// The decoded source, when it could be read.
    pub source: Option<Source>,
    /// Findings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Rule outcomes in rule-file order.
    pub rules: Vec<RuleRecord>,
}

/// The rule set chosen for a report.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Index into the sets.
    pub index: usize,
    /// Why this set.
    pub reason: String,
    /// A finding to report with the file (the year could not be determined).
    pub finding: Option<Diagnostic>,
}

fn mentions_tables(e: &rules::dsl::ast::Expr) -> bool {
    use rules::dsl::ast::ExprKind;
    match &e.kind {
        ExprKind::Path(p) => p.starts_with("table.") || p.starts_with("column."),
        ExprKind::Unary(_, x) | ExprKind::Let(_, x) => mentions_tables(x),
        ExprKind::Binary(_, l, r) => mentions_tables(l) || mentions_tables(r),
        ExprKind::Call(_, a) | ExprKind::List(a) => a.iter().any(mentions_tables),
        _ => false,
    }
}

fn eval_condition(
    source: &Source,
    report: &document::Report,
    rs: &RuleSet,
    cond: &rules::dsl::ast::Expr,
) -> (Option<bool>, String) {
    // Choosing needs only what the condition reads: skip the tables unless it reads them.
    let specs = if mentions_tables(cond) {
        rs.fields.clone()
    } else {
        facts::spec::FieldSpecs {
            report: rs.fields.report.clone(),
            ..Default::default()
        }
    };
    let (facts, _) = facts::bind(source, report, &specs, Lang::En);
    let year = facts
        .report
        .get("period.year")
        .map_or("?".to_string(), |f| f.value.to_string());
    let choice = Default::default();
    let env = rules::dsl::eval::Env::new(&facts, &choice).with_dims(&rs.dims);
    match rules::dsl::eval::eval(cond, &env) {
        Ok(v) => (Some(v.val == rules::dsl::eval::Val::Bool(true)), year),
        Err(_) => (None, year),
    }
}

/// Chooses the rule set for a report: the first whose `applies` condition holds (sets without
/// one are libraries for `extends`, never chosen). When no set's year condition can be
/// evaluated, the first whose `detect` condition (table layout) holds is chosen, with a finding.
pub fn choose_ruleset(
    source: &Source,
    report: &document::Report,
    sets: &[RuleSet],
) -> Result<Choice, String> {
    let mut tried = Vec::new();
    let mut year_unknown = false;
    for (i, rs) in sets.iter().enumerate() {
        let Some(cond) = &rs.applies else { continue };
        let src = rs.applies_src.as_deref().unwrap_or("");
        match eval_condition(source, report, rs, cond) {
            (Some(true), year) => {
                return Ok(Choice {
                    index: i,
                    reason: format!("`{src}` holds (report.period.year = {year})"),
                    finding: None,
                })
            }
            (Some(false), year) => tried.push(format!(
                "{}: `{src}` is false for report.period.year = {year}",
                rs.id
            )),
            (None, _) => {
                year_unknown = true;
                tried.push(format!(
                    "{}: the reporting year could not be determined",
                    rs.id
                ))
            }
        }
    }
    if year_unknown {
        for (i, rs) in sets.iter().enumerate() {
            let Some(cond) = &rs.detect else { continue };
            if let (Some(true), _) = eval_condition(source, report, rs, cond) {
                let reason = format!(
                    "{}: the reporting year could not be determined; the table layout matches `{}`",
                    rs.id,
                    rs.detect_src.as_deref().unwrap_or("")
                );
                let c = facts::checks::YEAR_UNKNOWN;
                let finding = Diagnostic::new(
                    c.severity,
                    c.id,
                    c.name,
                    format!("{} / {}", c.summary_zh, c.summary_en),
                )
                .with_note(format!(
                    "checked with {} because its table layout matches",
                    rs.id
                ))
                .with_help(c.fix);
                return Ok(Choice {
                    index: i,
                    reason,
                    finding: Some(finding),
                });
            }
        }
    }
    Err(format!(
        "no built-in rule set applies ({}); pass --rules FILE",
        tried.join("; ")
    ))
}

/// Checks one decoded source with one rule set.
pub fn check_with(source: Source, rs: &RuleSet, reason: String, lang: Lang) -> FileReport {
    let report = document::parse(&source);
    let (facts, mut diagnostics) = facts::bind(&source, &report, &rs.fields, lang);
    let outcomes = engine::run(rs, &facts, &source.text, lang);
    diagnostics.extend(judge_grid_blanks(&facts, &outcomes, lang));
    let mut records = Vec::new();
    for o in outcomes {
        let rule = &rs.rules[o.rule];
        let (status, detail) = match o.status {
            Status::Passed => (RuleStatus::Passed, o.detail),
            Status::Failed(d) => {
                diagnostics.push(*d);
                (RuleStatus::Failed, o.detail)
            }
            Status::Skipped(why) => (RuleStatus::Skipped, why),
            Status::NotApplicable => (RuleStatus::NotApplicable, o.detail),
        };
        records.push(RuleRecord {
            id: rule.id.clone(),
            name: rule.name.clone(),
            status,
            detail,
        });
    }
    diagnostics.sort_by_key(|d| (d.position(), std::cmp::Reverse(d.severity)));
    FileReport {
        path: source.name.clone(),
        status: FileStatus::Checked {
            ruleset: rs.id.clone(),
            reason,
        },
        source: Some(source),
        diagnostics,
        rules: records,
    }
}

/// Blank cells of 2-D forms after the rules ran: those a relation needs (it fails even with
/// them as 0) are RL104 blank-cell findings; the others, where the arithmetic closes with 0 or
/// no relation reads them, are one RL111 style finding.
fn judge_grid_blanks(
    facts: &facts::FactSet,
    outcomes: &[engine::Outcome],
    lang: Lang,
) -> Vec<Diagnostic> {
    use diagnostic::Label;
    use facts::checks;
    if facts.grid_blanks.is_empty() {
        return Vec::new();
    }
    let needed: std::collections::BTreeSet<span::Span> = outcomes
        .iter()
        .flat_map(|o| o.needed_blanks.iter().copied())
        .collect();
    type Cells<'a> = Vec<&'a (span::Span, String)>;
    let (need, style): (Cells, Cells) = facts
        .grid_blanks
        .iter()
        .partition(|(s, _)| needed.contains(s));
    let mut out = Vec::new();
    for (check, cells) in [(checks::BLANK_CELL, need), (checks::BLANK_AS_ZERO, style)] {
        if cells.is_empty() {
            continue;
        }
        let msg = match (check.id, lang) {
            ("RL104", Lang::Zh) => format!(
                "{} 个空白单元格是勾稽关系所需的数值（按 0 计也不成立）",
                cells.len()
            ),
            ("RL104", Lang::En) => format!(
                "{} blank cells are needed by relations that do not hold with them as 0",
                cells.len()
            ),
            (_, Lang::Zh) => format!("{} 个单元格为空（按 0 计算时勾稽关系成立）", cells.len()),
            (_, Lang::En) => format!(
                "{} blank cells (the relations hold when they are read as 0)",
                cells.len()
            ),
        };
        let mut d = Diagnostic::new(check.severity, check.id, check.name, msg)
            .with_help(check.fix_in(lang));
        for (span, title) in cells.iter().take(8) {
            d.labels.push(Label::primary(*span, title.clone()));
        }
        if cells.len() > 8 {
            d.notes.push(format!("… and {} more", cells.len() - 8));
        }
        out.push(d);
    }
    out
}

/// Checks one file: decode, choose the rule set (unless `explicit`), lint.
pub fn check_path(
    path: &std::path::Path,
    sets: &[RuleSet],
    explicit: bool,
    lang: Lang,
) -> FileReport {
    let name = path.display().to_string();
    let source = match source::read_path(path) {
        Ok(s) => s,
        Err(e) => {
            return FileReport {
                path: name,
                status: FileStatus::Failed(e.to_string()),
                source: None,
                diagnostics: vec![],
                rules: vec![],
            }
        }
    };
    check_source(source, sets, explicit, lang)
}

/// Checks a decoded source.
pub fn check_source(source: Source, sets: &[RuleSet], explicit: bool, lang: Lang) -> FileReport {
    if let (true, [rs]) = (explicit, sets) {
        return check_with(
            source,
            rs,
            format!("given with --rules ({})", rs.origin),
            lang,
        );
    }
    let report = document::parse(&source);
    match choose_ruleset(&source, &report, sets) {
        Ok(choice) => {
            let mut r = check_with(source, &sets[choice.index], choice.reason, lang);
            if let Some(d) = choice.finding {
                r.diagnostics.insert(0, d);
            }
            r
        }
        Err(reason) => FileReport {
            path: source.name.clone(),
            status: FileStatus::NotChecked(reason),
            source: Some(source),
            diagnostics: vec![],
            rules: vec![],
        },
    }
}
