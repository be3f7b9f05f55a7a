//! Choosing the rule set for a report: by the `applies` condition of each built-in set (the
//! reporting year), else by its `detect` condition (the table layout), with a finding.

use super::Sets;
use crate::diagnostic::{Diagnostic, Lang};
use crate::source::Source;
use crate::{document, facts};

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

fn mentions_tables(e: &super::dsl::ast::Expr) -> bool {
    use super::dsl::ast::ExprKind;
    let mut found = false;
    e.visit(false, &mut |x, _| {
        if let ExprKind::Path(p) = &x.kind {
            found |= p.starts_with("table.") || p.starts_with("column.");
        }
    });
    found
}

/// The field names an expression reads.
fn paths(e: &super::dsl::ast::Expr, out: &mut Vec<String>) {
    use super::dsl::ast::ExprKind;
    e.visit(false, &mut |x, _| {
        if let ExprKind::Path(p) = &x.kind {
            out.push(p.clone());
        }
    });
}

/// Report facts bound for choosing, by the specs they were bound with: sets that share a base
/// (the year of the 2019 and 2021 sets) bind them once.
type Bound = Vec<(Vec<String>, facts::FactSet)>;

fn eval_condition(
    source: &Source,
    report: &document::Report,
    sentences: &facts::Sentences,
    bound: &mut Bound,
    sets: &Sets,
    i: usize,
    cond: &super::dsl::ast::Expr,
) -> (Option<bool>, String) {
    let head = sets.head(i);
    // Choosing needs only what the condition reads: skip the tables unless it reads them (the
    // whole set is read then), and bind only the report facts it names.
    let specs = if mentions_tables(cond) {
        std::borrow::Cow::Borrowed(&sets.get(i).fields)
    } else {
        let mut names = Vec::new();
        paths(cond, &mut names);
        std::borrow::Cow::Owned(facts::spec::FieldSpecs {
            report: head
                .report
                .iter()
                .filter(|r| {
                    r.key == "period.year"
                        || names.iter().any(|n| *n == format!("report.{}", r.key))
                })
                .cloned()
                .collect(),
            ..Default::default()
        })
    };
    let signature: Vec<String> = specs
        .report
        .iter()
        .map(|r| {
            let mut sig = r.key.clone();
            for s in &r.sources {
                sig.push_str(&format!("|{:?}", s.origins));
                for p in &s.patterns {
                    sig.push('|');
                    sig.push_str(&p.source);
                }
            }
            sig
        })
        .chain(specs.tables.iter().map(|t| t.name.clone()))
        .collect();
    let at = match bound.iter().position(|(s, _)| *s == signature) {
        Some(i) => i,
        None => {
            let (facts, _) = facts::bind_with(source, report, &specs, Lang::En, sentences);
            bound.push((signature, facts));
            bound.len() - 1
        }
    };
    let facts = &bound[at].1;
    let year = facts
        .report
        .get("period.year")
        .map_or("?".to_string(), |f| f.value.to_string());
    let choice = Default::default();
    let env = super::dsl::eval::Env::new(facts, &choice).with_dims(&head.dims);
    match super::dsl::eval::eval(cond, &env) {
        Ok(v) => (Some(v.val == super::dsl::eval::Val::Bool(true)), year),
        Err(_) => (None, year),
    }
}

/// Chooses the rule set for a report: the first whose `applies` condition holds (sets without
/// one are libraries for `extends`, never chosen). When no set's year condition can be
/// evaluated, the first whose `detect` condition (table layout) holds is chosen, with a finding.
pub fn choose_ruleset(
    source: &Source,
    report: &document::Report,
    sentences: &facts::Sentences,
    sets: &Sets,
) -> Result<Choice, String> {
    let mut bound: Bound = Vec::new();
    let mut tried = Vec::new();
    let mut year_unknown = false;
    for (i, rs) in sets.heads().iter().enumerate() {
        let Some(cond) = &rs.applies else { continue };
        let src = rs.applies_src.as_deref().unwrap_or("");
        match eval_condition(source, report, sentences, &mut bound, sets, i, cond) {
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
        for (i, rs) in sets.heads().iter().enumerate() {
            let Some(cond) = &rs.detect else { continue };
            if let (Some(true), _) =
                eval_condition(source, report, sentences, &mut bound, sets, i, cond)
            {
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
