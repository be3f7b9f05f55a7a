//! Rule files: loading (`load`), the checks DSL (`dsl`), and evaluation against facts (`engine`).

pub mod dsl;
pub mod engine;
mod load;
pub mod toml_str;

use crate::diagnostic::Severity;
use crate::facts::spec::FieldSpecs;
use dsl::ast::Expr;

pub use load::{load, LoadError};

/// Which operand of a comparison the primary label goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Primary {
    /// The left-hand side (default).
    Lhs,
    /// The right-hand side.
    Rhs,
}

/// A rule's documentation, shown by `explain`.
#[derive(Debug, Clone, Default)]
pub struct RuleDoc {
    /// Why the rule exists.
    pub why: Option<String>,
    /// An example of a report that breaks it.
    pub example: Option<String>,
}

/// One rule.
#[derive(Debug, Clone)]
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
    /// Where the primary label goes.
    pub primary: Primary,
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
}

/// A loaded rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Id (`cn-gi-2018`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it came from (a path, or `built-in:2018`).
    pub origin: String,
    /// Condition for automatic selection.
    pub applies: Option<Expr>,
    /// The `applies` condition as written.
    pub applies_src: Option<String>,
    /// Field declarations for the facts stage.
    pub fields: FieldSpecs,
    /// Display title of every field, by full name (`table.proactive_total`).
    pub field_titles: indexmap::IndexMap<String, String>,
    /// Vector fields of 2-D forms and the dimension a rule using them runs over.
    pub dims: indexmap::IndexMap<String, Dim>,
    /// Rules in file order.
    pub rules: Vec<Rule>,
}

/// The dimension a vector field of a 2-D form varies over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dim {
    /// A row (`table.new`): one value per column of the named table; a rule runs per column.
    Columns(String),
    /// A column (`column.total`): one value per row of the named table; a rule runs per row.
    Rows(String),
}

/// The rule sets built into the binary: (name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[("2018", include_str!("../../rules/2018.toml"))];

/// Loads every built-in rule set. They are checked by the test suite, so a failure here is a
/// build defect; it is still reported as an error, not a panic.
pub fn builtin() -> Result<Vec<RuleSet>, String> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            load(&format!("built-in:{name}"), text).map_err(|e| {
                format!(
                    "built-in rule set {name} does not load: {:?}",
                    e.diagnostics.first().map(|d| &d.message)
                )
            })
        })
        .collect()
}
