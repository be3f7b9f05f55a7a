//! report-lint: a linter for Chinese government information disclosure annual reports
//! (政府信息公开工作年度报告).
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`source`] (bytes -> text) -> [`document`] (text -> report model with spans) ->
//! [`facts`] (report + field declarations -> named facts) -> [`rules`] (facts + checks ->
//! outcomes) -> [`render`] (diagnostics -> human or JSON output).

#![warn(missing_docs)]

pub mod config;
pub mod corpus;
pub mod date;
pub mod diagnostic;
pub mod document;
pub mod dump;
pub mod explain;
pub mod facts;
pub mod hash;
pub mod limits;
pub mod matcher;
pub mod numerals;
pub mod policy;
pub mod render;
pub mod rules;
pub mod ruletest;
pub mod source;
pub mod span;
pub mod units;

use diagnostic::{Diagnostic, Lang};
use document::publisher::Publisher;
use rules::engine::{self, Status};
use rules::{RuleSet, Sets};
use std::sync::Arc;

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
    /// Other reports the findings have labels in (last year's report, a report with the same
    /// prose), by [`Source::name`].
    pub related: Vec<Arc<Source>>,
}

impl FileReport {
    /// A report of a file that could not be read or checked.
    pub fn failed(path: impl Into<String>, reason: impl Into<String>) -> FileReport {
        FileReport {
            path: path.into(),
            status: FileStatus::Failed(reason.into()),
            source: None,
            diagnostics: vec![],
            rules: vec![],
            suppressed: vec![],
            related: vec![],
        }
    }

    /// The source a label is in: this report's, or a related report's by name.
    pub fn source_of(&self, label: &diagnostic::Label) -> Option<&Source> {
        match &label.file {
            None => self.source.as_ref(),
            Some(name) => self
                .related
                .iter()
                .find(|s| &s.name == name)
                .map(|s| s.as_ref()),
        }
    }
}

/// A report read and parsed on its own, to be compared with the one checked.
#[derive(Debug, Clone)]
pub struct Read {
    /// The decoded source.
    pub source: Arc<Source>,
    /// Its document.
    pub report: document::Report,
    /// Its publisher, as its title, signature and preamble name it.
    pub publisher: Publisher,
}

impl Read {
    /// Reads and parses a decoded source.
    pub fn new(source: Source) -> Read {
        let report = document::parse(&source);
        let publisher = document::publisher::find(&source.text, &report);
        Read {
            source: Arc::new(source),
            report,
            publisher,
        }
    }
}

/// A report read and bound with its own rule set: last year's report for `prev.` names.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The report.
    pub read: Read,
    /// Its facts.
    pub facts: facts::FactSet,
    /// Its year: the reporting period's, else the title's.
    pub year: Option<i32>,
    /// The index of the rule set it was bound with, in the sets it was chosen from.
    pub set: usize,
}

/// Reads a report and binds it with the rule set it would be checked with (for use as last
/// year's report); the reason when it cannot be.
pub fn bind_source(
    source: Source,
    sets: &Sets,
    explicit: bool,
    lang: Lang,
) -> Result<Bound, String> {
    let read = Read::new(source);
    let sentences = facts::Sentences::new(&read.source.text, &read.report);
    let set = match (explicit, sets.len()) {
        (true, 1) => 0,
        _ => match choose_ruleset(&read.source, &read.report, &sentences, sets) {
            Ok(c) => c.index,
            Err(why) => return Err(why),
        },
    };
    let rs = sets.get(set);
    let (facts, _) = facts::bind_with(&read.source, &read.report, &rs.fields, lang, &sentences);
    drop(sentences);
    let year = year_of(&facts, &read.publisher);
    Ok(Bound {
        read,
        facts,
        year,
        set,
    })
}

/// A report's year: the bound reporting period's, else its title's.
fn year_of(facts: &facts::FactSet, publisher: &Publisher) -> Option<i32> {
    facts
        .report
        .get("period.year")
        .and_then(|f| match &f.value {
            facts::FactValue::Number(n) => rust_decimal::prelude::ToPrimitive::to_i32(n),
            _ => None,
        })
        .or(publisher.year)
}

/// What a report is checked against besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// Last year's report of the same body: given by the user (`--previous`; its body and year
    /// are compared first) or paired in a batch by publisher and year.
    pub previous: Option<&'a Bound>,
    /// The user named `previous` (`--previous`): a report of another body or year is then
    /// said (RL201). One paired in a batch that turns out not to match is just not used.
    pub previous_given: bool,
    /// Other bodies' reports of the batch whose prose may be this one's.
    pub similar: &'a [Read],
    /// This is a region's summary report: the reports of the bodies under it (RL206).
    pub region: Option<Region<'a>>,
}

/// The reports of the bodies under a region's summary report.
#[derive(Debug, Clone, Copy)]
pub struct Region<'a> {
    /// The reports, each bound with its own rule set.
    pub parts: &'a [Bound],
    /// The rule sets they were bound with ([`Bound::set`] indexes them).
    pub sets: &'a Sets,
    /// The user's mapping names them (else they were inferred from the publishers' names).
    pub declared: bool,
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
    let opts: Options = opts.into();
    let report = document::parse(&source);
    let sentences = facts::Sentences::new(&source.text, &report);
    let (facts, diagnostics) =
        facts::bind_with(&source, &report, &rs.fields, opts.lang, &sentences);
    drop(sentences);
    check_bound(
        source,
        &report,
        rs,
        reason,
        opts,
        facts,
        diagnostics,
        Context::default(),
    )
}

/// Runs a rule set's rules on bound facts, with what the report is checked against besides
/// itself.
#[allow(clippy::too_many_arguments)]
fn check_bound(
    source: Source,
    report: &document::Report,
    rs: &RuleSet,
    reason: String,
    opts: Options,
    facts: facts::FactSet,
    mut diagnostics: Vec<Diagnostic>,
    ctx: Context,
) -> FileReport {
    let lang = opts.lang;
    // The publisher is read only when something compares it (most reports: nothing).
    let publisher = std::cell::OnceCell::new();
    let publisher = || publisher.get_or_init(|| document::publisher::find(&source.text, report));
    let mut related: Vec<Arc<Source>> = Vec::new();
    let previous =
        ctx.previous.and_then(
            |p| match previous_mismatch(&source, &facts, publisher(), p, lang) {
                Some(d) => {
                    diagnostics.push(d);
                    related.push(p.read.source.clone());
                    None
                }
                None => Some(p),
            },
        );
    let outcomes = engine::run_with_previous(
        rs,
        &facts,
        &source.text,
        lang,
        opts.details,
        previous.map(|p| engine::Previous {
            name: &p.read.source.name,
            text: &p.read.source.text,
            facts: &p.facts,
        }),
    );
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
    // Reports among reports: copies of last year's or another body's, other places named.
    let prose = (previous.is_some() || !ctx.similar.is_empty())
        .then(|| corpus::Prose::new(&source.text, report));
    if let (Some(p), Some(prose)) = (previous, &prose) {
        let theirs = corpus::Prose::new(&p.read.source.text, &p.read.report);
        diagnostics.extend(corpus::copy_finding(
            prose,
            &theirs,
            &p.read.source.name,
            true,
            lang,
        ));
    }
    for other in ctx.similar {
        if let Some(prose) = &prose {
            let theirs = corpus::Prose::new(&other.source.text, &other.report);
            diagnostics.extend(corpus::copy_finding(
                prose,
                &theirs,
                &other.source.name,
                false,
                lang,
            ));
        }
    }
    if let Some(region) = &ctx.region {
        let parts: Vec<rules::region::Part> = region
            .parts
            .iter()
            .filter_map(|b| {
                Some(rules::region::Part {
                    name: &b.read.source.name,
                    publisher: b
                        .read
                        .publisher
                        .name()
                        .map_or_else(|| b.read.source.name.clone(), |n| n.name.clone()),
                    rules: (b.set < region.sets.len()).then(|| region.sets.get(b.set))?,
                    facts: &b.facts,
                })
            })
            .collect();
        diagnostics.extend(rules::region::check(
            rs,
            &facts,
            &parts,
            region.declared,
            lang,
        ));
    }
    diagnostics.extend(corpus::place_findings(
        &source.text,
        report,
        || publisher().clone(),
        lang,
    ));
    for d in &diagnostics {
        for l in &d.labels {
            let Some(name) = &l.file else { continue };
            if related.iter().any(|s| &s.name == name) {
                continue;
            }
            let from = previous
                .map(|p| &p.read.source)
                .into_iter()
                .chain(ctx.similar.iter().map(|r| &r.source))
                .chain(
                    ctx.region
                        .iter()
                        .flat_map(|r| r.parts.iter().map(|b| &b.read.source)),
                )
                .find(|s| &s.name == name);
            if let Some(s) = from {
                related.push(s.clone());
            }
        }
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
        related,
    }
}

/// RL201 when the report given as last year's is of another body or year (`None`: it is
/// this body's report of the year before, as far as both reports say).
fn previous_mismatch(
    source: &Source,
    facts: &facts::FactSet,
    publisher: &Publisher,
    prev: &Bound,
    lang: Lang,
) -> Option<Diagnostic> {
    let year = year_of(facts, publisher);
    let (mine, theirs) = (publisher.key(), prev.read.publisher.key());
    let other_body = matches!((&mine, &theirs), (Some(a), Some(b)) if a != b);
    let other_year = matches!((year, prev.year), (Some(a), Some(b)) if b != a - 1);
    if !other_body && !other_year {
        return None;
    }
    let check = facts::checks::PREVIOUS_MISMATCH;
    let name = |p: &Publisher| p.name().map_or("?".to_string(), |n| n.name.clone());
    let show = |y: Option<i32>| y.map_or("?".to_string(), |y| y.to_string());
    let message = match lang {
        Lang::Zh => format!(
            "指定的上一年度报告 {} 为 {} {} 年度报告，本报告为 {} {} 年度报告；跨年度规则未检查",
            prev.read.source.name,
            name(&prev.read.publisher),
            show(prev.year),
            name(publisher),
            show(year)
        ),
        Lang::En => format!(
            "the report given as last year's, {}, is {}'s report for {}; this is {}'s for {}: cross-year rules were not checked",
            prev.read.source.name,
            name(&prev.read.publisher),
            show(prev.year),
            name(publisher),
            show(year)
        ),
    };
    let mut d = Diagnostic::new(check.severity, check.id, check.name, message)
        .with_help(check.fix_in(lang));
    match publisher.name() {
        Some(n) => d.labels.push(diagnostic::Label::primary(
            n.span,
            lang.pick("本报告的发布机关", "this report's publisher"),
        )),
        None => {
            if let Some(t) = facts.title {
                d.labels.push(diagnostic::Label::primary(
                    t,
                    lang.pick("报告标题", "the report's title"),
                ));
            }
        }
    }
    if let Some(n) = prev.read.publisher.name() {
        d.labels.push(
            diagnostic::Label::secondary(
                n.span,
                lang.pick(
                    "指定的上一年度报告的发布机关",
                    "the publisher of the report given",
                ),
            )
            .in_file(&prev.read.source.name),
        );
    }
    let _ = source;
    Some(d)
}

/// Checks one file: decode, choose the rule set (unless `explicit`), lint.
///
/// Whatever goes wrong inside is this file's failure: a panic is caught here and reported for
/// the file, and the other files of a batch are checked as usual.
pub fn check_path(
    path: &std::path::Path,
    sets: &Sets,
    explicit: bool,
    opts: impl Into<Options>,
) -> FileReport {
    check_path_in(path, sets, explicit, opts, Context::default())
}

/// [`check_path`], with what the report is checked against besides itself.
pub fn check_path_in(
    path: &std::path::Path,
    sets: &Sets,
    explicit: bool,
    opts: impl Into<Options>,
    ctx: Context,
) -> FileReport {
    let name = path.display().to_string();
    let opts = opts.into();
    let run = std::panic::AssertUnwindSafe(|| match source::read_path(path) {
        Ok(source) => check_source_in(source, sets, explicit, opts, ctx),
        Err(e) => FileReport::failed(name.clone(), e.to_string()),
    });
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        FileReport::failed(
            name,
            format!(
                "internal error while checking this file ({what}); the other files were checked. \
                 Please report it with the file (内部错误，请反馈)"
            ),
        )
    })
}

/// Checks a decoded source.
pub fn check_source(
    source: Source,
    sets: &Sets,
    explicit: bool,
    opts: impl Into<Options>,
) -> FileReport {
    check_source_in(source, sets, explicit, opts, Context::default())
}

/// [`check_source`], with what the report is checked against besides itself.
pub fn check_source_in(
    source: Source,
    sets: &Sets,
    explicit: bool,
    opts: impl Into<Options>,
    ctx: Context,
) -> FileReport {
    let opts = opts.into();
    let report = document::parse(&source);
    let sentences = facts::Sentences::new(&source.text, &report);
    if let (true, 1) = (explicit, sets.len()) {
        let rs = sets.get(0);
        let reason = format!("given with --rules ({})", rs.origin);
        let (facts, diagnostics) =
            facts::bind_with(&source, &report, &rs.fields, opts.lang, &sentences);
        drop(sentences);
        return check_bound(source, &report, rs, reason, opts, facts, diagnostics, ctx);
    }
    match choose_ruleset(&source, &report, &sentences, sets) {
        Ok(choice) => {
            let rs = sets.get(choice.index);
            let (facts, diagnostics) =
                facts::bind_with(&source, &report, &rs.fields, opts.lang, &sentences);
            drop(sentences);
            let mut r = check_bound(
                source,
                &report,
                rs,
                choice.reason,
                opts,
                facts,
                diagnostics,
                ctx,
            );
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
            related: vec![],
        },
    }
}
