//! report-lint: a linter for Chinese government information disclosure annual reports
//! (政府信息公开工作年度报告).
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`source`] (bytes -> text) -> [`document`] (text -> report model with spans) ->
//! [`facts`] (report + field declarations -> named facts) -> [`rules`] (facts + checks ->
//! outcomes) -> [`render`] (diagnostics -> human or JSON output).

#![warn(missing_docs)]

pub mod config;
pub mod date;
pub mod diagnostic;
pub mod document;
pub mod dump;
pub mod explain;
pub mod facts;
pub mod limits;
pub mod numerals;
pub mod policy;
pub mod render;
pub mod rules;
pub mod ruletest;
pub mod source;
pub mod span;
pub mod units;

use diagnostic::{Diagnostic, Lang};
use rules::engine::{self, Status};
use rules::RuleSet;

pub use rules::choose::{choose_ruleset, Choice};
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
    /// Findings waived or matched by the baseline ([`policy`]): counted, not reported.
    pub suppressed: Vec<policy::Suppressed>,
}

/// How to check: the language of messages, and whether passed rules record the values they
/// compared (for `--verbose` and JSON; a plain run needs only the findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Language of built-in messages.
    pub lang: Lang,
    /// Record the values of passed rules.
    pub details: bool,
}

impl From<Lang> for Options {
    fn from(lang: Lang) -> Options {
        Options {
            lang,
            details: true,
        }
    }
}

/// Checks one decoded source with one rule set.
pub fn check_with(
    source: Source,
    rs: &RuleSet,
    reason: String,
    opts: impl Into<Options>,
) -> FileReport {
    let report = document::parse(&source);
    check_parsed(source, &report, rs, reason, opts.into())
}

/// Checks a parsed document with one rule set.
fn check_parsed(
    source: Source,
    report: &document::Report,
    rs: &RuleSet,
    reason: String,
    opts: Options,
) -> FileReport {
    let (facts, diagnostics) = facts::bind(&source, report, &rs.fields, opts.lang);
    check_bound(source, rs, reason, opts, facts, diagnostics)
}

/// Runs a rule set's rules on bound facts.
fn check_bound(
    source: Source,
    rs: &RuleSet,
    reason: String,
    opts: Options,
    facts: facts::FactSet,
    mut diagnostics: Vec<Diagnostic>,
) -> FileReport {
    let lang = opts.lang;
    let outcomes = engine::run(rs, &facts, &source.text, lang, opts.details);
    diagnostics.extend(rules::blanks::judge(&facts, &outcomes, lang));
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
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .map(|d| d.bounded(diagnostic::MAX_TEXT_CHARS))
        .collect();
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
        suppressed: vec![],
    }
}

/// Checks one file: decode, choose the rule set (unless `explicit`), lint.
///
/// Whatever goes wrong inside is this file's failure: a panic is caught here and reported for
/// the file, and the other files of a batch are checked as usual.
pub fn check_path(
    path: &std::path::Path,
    sets: &[RuleSet],
    explicit: bool,
    opts: impl Into<Options>,
) -> FileReport {
    let name = path.display().to_string();
    let opts = opts.into();
    let run = std::panic::AssertUnwindSafe(|| check_path_inner(path, sets, explicit, opts));
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        FileReport {
            path: name,
            status: FileStatus::Failed(format!(
                "internal error while checking this file ({what}); the other files were checked. \
                 Please report it with the file (内部错误，请反馈)"
            )),
            source: None,
            diagnostics: vec![],
            rules: vec![],
            suppressed: vec![],
        }
    })
}

fn check_path_inner(
    path: &std::path::Path,
    sets: &[RuleSet],
    explicit: bool,
    opts: Options,
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
                suppressed: vec![],
            }
        }
    };
    check_source(source, sets, explicit, opts)
}

/// Checks a decoded source.
pub fn check_source(
    source: Source,
    sets: &[RuleSet],
    explicit: bool,
    opts: impl Into<Options>,
) -> FileReport {
    let opts = opts.into();
    let report = document::parse(&source);
    if let (true, [rs]) = (explicit, sets) {
        let reason = format!("given with --rules ({})", rs.origin);
        return check_parsed(source, &report, rs, reason, opts);
    }
    let sentences = facts::Sentences::new(&source.text, &report);
    match choose_ruleset(&source, &report, &sentences, sets) {
        Ok(choice) => {
            let rs = &sets[choice.index];
            let (facts, diagnostics) =
                facts::bind_with(&source, &report, &rs.fields, opts.lang, &sentences);
            drop(sentences);
            let mut r = check_bound(source, rs, choice.reason, opts, facts, diagnostics);
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
            suppressed: vec![],
        },
    }
}
