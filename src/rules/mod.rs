//! Rule files: loading (`load`), the checks DSL (`dsl`), and evaluation against facts (`engine`).

pub mod blanks;
pub mod choose;
pub mod dsl;
pub mod engine;
mod load;
pub mod region;
pub mod sets;
pub mod toml_str;

use crate::diagnostic::Severity;
use crate::facts::spec::FieldSpecs;
use dsl::ast::Expr;

pub use load::{load, read_rule_file, rule_matches, LoadError};
pub use sets::{SetHead, Sets};

/// Which operand of a comparison the primary label goes on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Primary {
    /// The left-hand side (default).
    Lhs,
    /// The right-hand side.
    Rhs,
}

/// A rule's documentation, shown by `explain`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RuleDoc {
    /// Why the rule exists.
    pub why: Option<String>,
    /// An example of a report that breaks it.
    pub example: Option<String>,
}

/// One rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// Stable id (`GI18-P005`).
    pub id: String,
    /// Kebab-case name.
    pub name: String,
    /// Severity of a failure.
    pub severity: Severity,
    /// The check as written.
    pub check_src: String,
    /// The resolved check.
    pub check: Expr,
    /// Optional precondition.
    pub when: Option<Expr>,
    /// The precondition as written.
    pub when_src: Option<String>,
    /// Where the primary label goes.
    pub primary: Primary,
    /// Facts bound less surely than this make the rule skipped (`min_certainty`).
    pub min_certainty: Option<crate::facts::BoundBy>,
    /// Chinese message template.
    pub message: String,
    /// English message template.
    pub message_en: String,
    /// Chinese help.
    pub help: Option<String>,
    /// English help.
    pub help_en: Option<String>,
    /// Documentation.
    pub doc: RuleDoc,
    /// The rule file that defines the rule.
    pub origin: String,
    /// Test cases that ship with the rule.
    #[serde(skip)]
    pub tests: Vec<RuleTest>,
    /// What the rule runs over (prose fields and statements outside aggregates, vectors of 2-D
    /// forms), sorted: computed once when the rule set loads, not for every report.
    pub iterated: Vec<String>,
}

/// The outcome a rule test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Every instance passes.
    Pass,
    /// At least one instance fails.
    Fail,
    /// Every instance is skipped.
    Skip,
}

/// The report a rule test runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestInput {
    /// Report text given inline.
    Text(String),
    /// A file, relative to the rule file.
    File(String),
}

/// A test case shipped with a rule (`[[rule.test]]`).
#[derive(Debug, Clone)]
pub struct RuleTest {
    /// Expected outcome.
    pub expect: Expect,
    /// The report.
    pub input: TestInput,
    /// Last year's report of the same body, for rules with `prev.` names.
    pub previous: Option<TestInput>,
    /// Edits applied to the report first: (from, to), each replacing the first occurrence.
    pub replace: Vec<(String, String)>,
    /// Expected text under the primary label of the failure.
    pub at: Option<String>,
    /// Expected line of the primary label of the failure.
    pub line: Option<usize>,
    /// Where the test is in the rule file.
    pub span: std::ops::Range<usize>,
}

/// A loaded rule set.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RuleSet {
    /// Id (`cn-gi-2018`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Where it came from (a path, or `built-in:2018`).
    pub origin: String,
    /// Condition for automatic selection.
    pub applies: Option<Expr>,
    /// The `applies` condition as written.
    pub applies_src: Option<String>,
    /// Condition on the table layout, used when the year cannot be determined.
    pub detect: Option<Expr>,
    /// The `detect` condition as written.
    pub detect_src: Option<String>,
    /// Field declarations for the facts stage.
    pub fields: FieldSpecs,
    /// Display title of every field, by full name (`table.proactive_total`).
    pub field_titles: indexmap::IndexMap<String, String>,
    /// Type of every field, by full name.
    pub field_types: dsl::types::FieldTypes,
    /// `let` bindings, resolved.
    pub lets: std::collections::BTreeMap<String, std::sync::Arc<Expr>>,
    /// Vector fields of 2-D forms and the dimension a rule using them runs over.
    pub dims: Dims,
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// `[region] totals`: counts a region's summary report states for all the bodies under it
    /// (each at least the sum of theirs), as written and resolved.
    pub region_totals: Vec<(String, Expr)>,
}

/// The dimension a vector field of a 2-D form varies over.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dim {
    /// A row (`table.new`): one value per column of the named table; a rule runs per column.
    Columns(String),
    /// A column (`column.total`): one value per row of the named table; a rule runs per row.
    Rows(String),
}

/// The vector fields of 2-D forms, by name: looked up for every name a rule reads, so hashed
/// with the fast non-keyed hasher (rule files are the user's own, not an attacker's keys).
pub type Dims = indexmap::IndexMap<String, Dim, rustc_hash::FxBuildHasher>;

/// The rule sets built into the binary: (name, TOML text), without their `[[rule.test]]` cases
/// (build.rs; a run never reads them, `rules test` reads the files on disk).
/// Sets without an `applies` condition (here `common-2019`) are only bases for `extends`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("2018", include_str!(concat!(env!("OUT_DIR"), "/2018.toml"))),
    ("2019", include_str!(concat!(env!("OUT_DIR"), "/2019.toml"))),
    ("2021", include_str!(concat!(env!("OUT_DIR"), "/2021.toml"))),
    (
        "common",
        include_str!(concat!(env!("OUT_DIR"), "/common.toml")),
    ),
    (
        "common-2019",
        include_str!(concat!(env!("OUT_DIR"), "/common-2019.toml")),
    ),
];

/// The built-in rule sets loaded ahead of time: [`BUILTIN_INPUTS`], then the sets in postcard
/// form (written by `BLESS=1 cargo test --test builtin_sets`, which fails while it is stale).
static PRELOADED: &[u8] = include_bytes!("builtin.sets");

/// The fingerprint (build.rs) of what the built-in sets are loaded from: their rule files and
/// the loader's source. Preloaded sets made from other inputs are not used.
pub const BUILTIN_INPUTS: &str = env!("RL_BUILTIN_INPUTS");

/// What preloaded sets start with: a tag, then the inputs' fingerprint.
fn preloaded_header() -> String {
    format!("report-lint built-in sets {BUILTIN_INPUTS}\n")
}

/// The built-in sets in the form the binary embeds: a header naming the inputs, then each set
/// on its own (postcard) with whether a report can be checked with it (it has an `applies`
/// condition) and its head ([`SetHead`]) apart, so that a lint run reads the heads of those
/// and the whole of a set only when a report is checked with it ([`builtin_choosable`]).
pub fn preload(sets: &[RuleSet]) -> Result<Vec<u8>, String> {
    let mut out = preloaded_header().into_bytes();
    let each: Vec<(bool, Vec<u8>, Vec<u8>)> = sets
        .iter()
        .map(|rs| {
            Ok((
                rs.applies.is_some(),
                postcard::to_allocvec(&SetHead::of(rs))?,
                postcard::to_allocvec(rs)?,
            ))
        })
        .collect::<Result<_, postcard::Error>>()
        .map_err(|e| e.to_string())?;
    out.extend(postcard::to_allocvec(&each).map_err(|e| e.to_string())?);
    Ok(out)
}

/// One embedded set: whether a report can be checked with it, its head, the whole set.
type Embedded<'a> = (bool, &'a [u8], &'a [u8]);

/// The embedded sets' parts, when they were made from this build's inputs.
fn embedded(bytes: &[u8]) -> Option<Vec<Embedded<'_>>> {
    let body = bytes.strip_prefix(preloaded_header().as_bytes())?;
    postcard::from_bytes(body).ok()
}

/// Every embedded preloaded set, read now.
fn preloaded(bytes: &[u8]) -> Option<Vec<RuleSet>> {
    embedded(bytes)?
        .into_iter()
        .map(|(_, _, set)| postcard::from_bytes(set).ok())
        .collect()
}

/// The embedded choosable sets, each read on first use (their heads read now).
fn preloaded_choosable(bytes: &'static [u8]) -> Option<Sets> {
    let each = embedded(bytes)?
        .into_iter()
        .filter(|(choosable, _, _)| *choosable)
        .map(|(_, head, set)| Some((postcard::from_bytes::<SetHead>(head).ok()?, set)))
        .collect::<Option<Vec<_>>>()?;
    Some(Sets::lazy(each, |id| {
        builtin_from_files()
            .ok()?
            .into_iter()
            .find(|rs| rs.id == id)
    }))
}

/// Loads every built-in rule set: the embedded preloaded form (no TOML or checks grammar to
/// parse at start-up) when it is current, else from the rule files. They are checked by the
/// test suite, so a failure here is a build defect; it is still reported as an error, not a
/// panic.
pub fn builtin() -> Result<Vec<RuleSet>, String> {
    match preloaded(PRELOADED) {
        Some(sets) => Ok(sets),
        None => builtin_from_files(),
    }
}

/// The built-in rule sets a report can be checked with ([`builtin`] without the sets that are
/// only bases for `extends`, whose rules the others carry): what a lint run chooses from. Each
/// is read when a report is first checked with it; choosing reads only their heads.
pub fn builtin_choosable() -> Result<Sets, String> {
    match preloaded_choosable(PRELOADED) {
        Some(sets) => Ok(sets),
        None => Ok(Sets::from(
            builtin_from_files()?
                .into_iter()
                .filter(|rs| rs.applies.is_some())
                .collect::<Vec<_>>(),
        )),
    }
}

/// Loads every built-in rule set from its rule file (the embedded TOML).
pub fn builtin_from_files() -> Result<Vec<RuleSet>, String> {
    // The shared base first, so the sets that extend it take it from the loader.
    let mut order: Vec<(&str, &str)> = BUILTIN.to_vec();
    order.sort_by_key(|(name, _)| !name.starts_with("common"));
    let loaded = crate::facts::spec::with_lazy_regexes(|| load::load_builtins(&order));
    let mut by_name: Vec<(&str, RuleSet)> = Vec::new();
    for ((name, _), r) in order.iter().zip(loaded) {
        let rs = r.map_err(|e| {
            format!(
                "built-in rule set {name} does not load: {:?}",
                e.diagnostics.first().map(|d| &d.message)
            )
        })?;
        by_name.push((name, rs));
    }
    // In BUILTIN's order.
    Ok(BUILTIN
        .iter()
        .filter_map(|(n, _)| {
            by_name
                .iter()
                .position(|(m, _)| m == n)
                .map(|i| by_name.remove(i).1)
        })
        .collect())
}

/// The result of evaluating one expression against a report (`report-lint eval`, docs tests).
#[derive(Debug, Clone, PartialEq)]
pub enum EvalOutcome {
    /// The value, as shown in messages.
    Value(String),
    /// The value is missing; the reasons.
    Skipped(String),
}

/// An expression that cannot be evaluated: where in it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Byte range in the expression.
    pub span: std::ops::Range<usize>,
    /// What is wrong (`syntax error: …`, `type error: …`, an unknown name).
    pub message: String,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses, resolves, type-checks and evaluates one expression against bound facts, with the
/// names of a rule set. A load-time problem comes back as `Err` with its place and message.
pub fn evaluate_str(
    rs: &RuleSet,
    facts: &crate::facts::FactSet,
    src: &str,
) -> Result<EvalOutcome, ExprError> {
    let expr = dsl::parse::parse(src).map_err(|e| ExprError {
        span: e.span,
        message: format!("syntax error: {}", e.message),
    })?;
    let mut errors = Vec::new();
    let scope = dsl::Scope {
        fields: &rs.field_titles,
        lets: &rs.lets,
    };
    let resolved = dsl::resolve(&expr, &scope, &mut errors);
    if let Some(e) = errors.first() {
        return Err(ExprError {
            span: e.span.clone(),
            message: e.message.clone(),
        });
    }
    let limit = crate::limits::get().expr_depth;
    let depth = resolved.depth();
    if depth > limit {
        return Err(ExprError {
            span: 0..src.len(),
            message: dsl::parse::too_deep(depth, limit),
        });
    }
    let (_, type_errors) = dsl::types::check(&resolved, &rs.field_types, false);
    if let Some(e) = type_errors.first() {
        return Err(ExprError {
            span: e.span.clone(),
            message: format!("type error: {}", e.message),
        });
    }
    let choice = Default::default();
    let env = dsl::eval::Env::new(facts, &choice).with_dims(&rs.dims);
    Ok(match dsl::eval::eval(&resolved, &env) {
        Ok(v) => EvalOutcome::Value(v.val.to_string()),
        Err(m) => EvalOutcome::Skipped(
            m.reasons
                .iter()
                .map(|r| {
                    let what = match &r.why {
                        dsl::eval::Why::Blank => "blank".to_string(),
                        dsl::eval::Why::NotANumber(t) => format!("not a number ({t})"),
                        dsl::eval::Why::NotFound => "not found".to_string(),
                        dsl::eval::Why::TableNotRecognised(t) => {
                            format!("table not recognised ({t})")
                        }
                        dsl::eval::Why::NotStated => "not stated".to_string(),
                        dsl::eval::Why::DivisionByZero => "division by zero".to_string(),
                        dsl::eval::Why::TooManySteps => "step limit".to_string(),
                        dsl::eval::Why::NoPrevious => "no previous year's report".to_string(),
                        dsl::eval::Why::Type(t) => t.clone(),
                    };
                    if r.field.is_empty() {
                        what
                    } else {
                        format!("{}: {what}", r.field)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preloaded_sets_from_other_inputs_or_damaged_are_not_used() {
        let sets = builtin_from_files().expect("built-in sets load");
        let bytes = preload(&sets).expect("sets serialise");
        let bytes: &'static [u8] = bytes.leak();
        assert_eq!(preloaded(bytes).map(|s| s.len()), Some(sets.len()));
        let choosable: Vec<_> = sets.iter().filter(|s| s.applies.is_some()).collect();
        let lazy = preloaded_choosable(bytes).expect("choosable sets");
        assert_eq!(lazy.len(), choosable.len());
        for (i, rs) in choosable.iter().enumerate() {
            assert_eq!(lazy.head(i).id, rs.id);
            assert_eq!(lazy.get(i).rules.len(), rs.rules.len());
        }
        // Another fingerprint: the sets were made from other rule files or another loader.
        let mut other = bytes.to_vec();
        let at = preloaded_header().len() - 2;
        other[at] = if other[at] == b'0' { b'1' } else { b'0' };
        let other: &'static [u8] = other.leak();
        assert!(preloaded(other).is_none());
        assert!(preloaded_choosable(other).is_none());
        // Cut short, or not the format at all.
        assert!(preloaded(&bytes[..bytes.len() / 2]).is_none());
        assert!(preloaded_choosable(&bytes[..bytes.len() / 2]).is_none());
        assert!(preloaded(b"report-lint").is_none());
        assert!(preloaded_choosable(b"report-lint").is_none());
    }
}
