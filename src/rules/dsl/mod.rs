//! The checks DSL: grammar (`grammar/checks.pest`), syntax tree, name resolution and evaluation.

pub mod ast;
pub mod eval;
pub mod parse;
pub mod types;

use ast::{Expr, ExprKind};
use indexmap::IndexMap;
use std::collections::BTreeMap;

/// A function of the DSL and how many arguments it takes.
pub struct Function {
    /// Name as written.
    pub name: &'static str,
    /// Least number of arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX`: any).
    pub max_args: usize,
    /// One-line description.
    pub doc: &'static str,
}

/// Every function of the DSL.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "sum",
        min_args: 1,
        max_args: usize::MAX,
        doc: "sum of numbers and lists; missing if any item is missing",
    },
    Function {
        name: "count",
        min_args: 1,
        max_args: usize::MAX,
        doc: "number of items that have a value",
    },
    Function {
        name: "len",
        min_args: 1,
        max_args: usize::MAX,
        doc: "number of items, with or without a value",
    },
    Function {
        name: "min",
        min_args: 1,
        max_args: usize::MAX,
        doc: "smallest number",
    },
    Function {
        name: "max",
        min_args: 1,
        max_args: usize::MAX,
        doc: "largest number",
    },
    Function {
        name: "abs",
        min_args: 1,
        max_args: 1,
        doc: "absolute value",
    },
    Function {
        name: "present",
        min_args: 1,
        max_args: 1,
        doc: "true when the value exists and is not blank",
    },
    Function {
        name: "blank",
        min_args: 1,
        max_args: 1,
        doc: "true when the value is a blank cell",
    },
    Function {
        name: "approx",
        min_args: 3,
        max_args: 3,
        doc: "approx(a, b, tol): |a - b| <= tol",
    },
    Function {
        name: "year",
        min_args: 1,
        max_args: 1,
        doc: "the year of a date",
    },
    Function {
        name: "date",
        min_args: 1,
        max_args: 3,
        doc: "date(\"2019-03-31\") or date(2019, 3, 31)",
    },
    Function {
        name: "days_between",
        min_args: 2,
        max_args: 2,
        doc: "days from the first date to the second",
    },
    Function {
        name: "parts",
        min_args: 1,
        max_args: 1,
        doc: "parts(prose.x): the items stated as parts of this statement of x in its sentence (`其中…`), as a list",
    },
    Function {
        name: "complete",
        min_args: 1,
        max_args: 1,
        doc: "complete(prose.x): true when every declared part of x is stated with this statement",
    },
    Function {
        name: "share_holds",
        min_args: 1,
        max_args: 1,
        doc: "share_holds(prose.x): a stated share equals its part over its whole, to the precision it is written in",
    },
    Function {
        name: "percent_matches",
        min_args: 3,
        max_args: 3,
        doc: "percent_matches(stated, part, whole): stated % equals part / whole, rounded or cut to the stated precision",
    },
];

/// Functions that read one statement of a prose field and the statements linked to it: the
/// field inside them makes the rule run once per statement, even inside an aggregate.
pub const PER_STATEMENT: &[&str] = &["parts", "complete", "share_holds"];

/// Functions whose arguments are aggregated: a multi-valued prose field inside them is taken
/// as a whole list instead of making the rule run once per value.
pub const AGGREGATES: &[&str] = &["sum", "count", "len", "min", "max", "present"];

/// A resolution error, with its span inside the expression text.
#[derive(Debug, Clone)]
pub struct ResolveError {
    /// Byte range in the expression.
    pub span: std::ops::Range<usize>,
    /// Message.
    pub message: String,
}

/// What names resolve against.
pub struct Scope<'a> {
    /// Every field, by full name (`table.proactive_total`).
    pub fields: &'a IndexMap<String, String>,
    /// Resolved `let` bindings, shared by every use.
    pub lets: &'a BTreeMap<String, std::sync::Arc<Expr>>,
}

/// "; did you mean `x`?" for the closest candidate, or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    let best = candidates
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    best.map_or(String::new(), |(_, c)| format!("; did you mean `{c}`?"))
}

/// Resolves names (fields, `let` bindings, wildcards) and checks function names and arity.
/// All errors are collected.
pub fn resolve(expr: &Expr, scope: &Scope, errors: &mut Vec<ResolveError>) -> Expr {
    let kind = match &expr.kind {
        ExprKind::Path(p) if p == "prev" || p.starts_with("prev.") => {
            let inner = p.strip_prefix("prev").unwrap_or("").trim_start_matches('.');
            if inner.is_empty() || inner == "prev" || inner.starts_with("prev.") {
                errors.push(ResolveError {
                    span: expr.span.clone(),
                    message: "`prev.` reads last year's report once: write `prev.table.…`, `prev.prose.…`, `prev.report.…` or `prev.` and a `let` name".into(),
                });
                ExprKind::Path(p.clone())
            } else {
                let at = expr.span.start + 5..expr.span.end;
                let x = Expr {
                    kind: ExprKind::Path(inner.to_string()),
                    span: at,
                };
                ExprKind::Prev(Box::new(resolve(&x, scope, errors)))
            }
        }
        ExprKind::Path(p) => resolve_path(p, expr, scope, errors),
        ExprKind::Unary(op, x) => ExprKind::Unary(*op, Box::new(resolve(x, scope, errors))),
        ExprKind::Binary(op, l, r) => ExprKind::Binary(
            *op,
            Box::new(resolve(l, scope, errors)),
            Box::new(resolve(r, scope, errors)),
        ),
        ExprKind::Call(name, args) => {
            match FUNCTIONS.iter().find(|f| f.name == name) {
                None => errors.push(ResolveError {
                    span: expr.span.start..expr.span.start + name.len(),
                    message: format!(
                        "unknown function `{name}`{}",
                        did_you_mean(
                            name,
                            FUNCTIONS
                                .iter()
                                .map(|f| f.name.to_string())
                                .collect::<Vec<_>>()
                                .iter()
                        )
                    ),
                }),
                Some(f) if args.len() < f.min_args || args.len() > f.max_args => {
                    let want = if f.min_args == f.max_args {
                        format!("{}", f.min_args)
                    } else if f.max_args == usize::MAX {
                        format!("at least {}", f.min_args)
                    } else {
                        format!("{} to {}", f.min_args, f.max_args)
                    };
                    errors.push(ResolveError {
                        span: expr.span.clone(),
                        message: format!("`{name}` takes {want} argument(s), found {}", args.len()),
                    });
                }
                Some(_) => {}
            }
            ExprKind::Call(
                name.clone(),
                args.iter().map(|a| resolve(a, scope, errors)).collect(),
            )
        }
        ExprKind::Prev(x) => ExprKind::Prev(Box::new(resolve(x, scope, errors))),
        other => other.clone(),
    };
    Expr {
        kind,
        span: expr.span.clone(),
    }
}

fn resolve_path(p: &str, expr: &Expr, scope: &Scope, errors: &mut Vec<ResolveError>) -> ExprKind {
    // `table.result.refused.*[total]`: the cells of one column in every matching row.
    if let Some((prefix, cell)) = p.split_once(".*[") {
        let suffix = format!("[{cell}");
        let want = format!("{prefix}.");
        let items: Vec<Expr> = scope
            .fields
            .keys()
            .filter(|k| k.starts_with(&want) && k.ends_with(&suffix))
            .map(|k| Expr {
                kind: ExprKind::Path(k.clone()),
                span: expr.span.clone(),
            })
            .collect();
        if items.is_empty() {
            errors.push(ResolveError {
                span: expr.span.clone(),
                message: format!("`{p}` matches no cell"),
            });
        }
        return ExprKind::List(items);
    }
    if let Some(prefix) = p.strip_suffix(".*") {
        let want = format!("{prefix}.");
        let mut items: Vec<Expr> = scope
            .fields
            .keys()
            .filter(|k| k.starts_with(&want) && !k.contains('['))
            .map(|k| Expr {
                kind: ExprKind::Path(k.clone()),
                span: expr.span.clone(),
            })
            .collect();
        if items.is_empty() {
            // `channels.*` without a namespace: try each namespace.
            for ns in ["table.", "prose.", "report."] {
                let want = format!("{ns}{prefix}.");
                items.extend(
                    scope
                        .fields
                        .keys()
                        .filter(|k| k.starts_with(&want) && !k.contains('['))
                        .map(|k| Expr {
                            kind: ExprKind::Path(k.clone()),
                            span: expr.span.clone(),
                        }),
                );
            }
        }
        if items.is_empty() {
            errors.push(ResolveError {
                span: expr.span.clone(),
                message: format!("`{p}` matches no field"),
            });
        }
        return ExprKind::List(items);
    }
    if p.contains('*') {
        errors.push(ResolveError {
            span: expr.span.clone(),
            message: "a wildcard `*` may only stand last: `table.channels.*`".into(),
        });
        return ExprKind::List(vec![]);
    }
    if let Some(e) = scope.lets.get(p) {
        return ExprKind::Let(p.to_string(), e.clone());
    }
    if scope.fields.contains_key(p) {
        return ExprKind::Path(p.to_string());
    }
    let suffix = format!(".{p}");
    let hits: Vec<&String> = scope
        .fields
        .keys()
        .filter(|k| k.ends_with(&suffix) && k.matches('.').count() == p.matches('.').count() + 1)
        .collect();
    match hits.as_slice() {
        [one] => ExprKind::Path((*one).clone()),
        [] => {
            let all: Vec<String> = scope
                .fields
                .keys()
                .cloned()
                .chain(scope.lets.keys().cloned())
                .collect();
            errors.push(ResolveError {
                span: expr.span.clone(),
                message: format!("unknown name `{p}`{}", did_you_mean(p, all.iter())),
            });
            ExprKind::Path(p.to_string())
        }
        many => {
            errors.push(ResolveError {
                span: expr.span.clone(),
                message: format!(
                    "`{p}` is ambiguous: write one of {}",
                    many.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            ExprKind::Path(p.to_string())
        }
    }
}
