//! Load-time type checking: every operator and function gets operands of the right kind, money
//! is not added to plain counts, and checks are true/false. Errors carry expression spans.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use super::ResolveError;
use indexmap::IndexMap;
use std::fmt;

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    /// A plain number (counts, years, ratios, literals).
    Num,
    /// An amount of money (元, 万元, 亿元).
    Money,
    /// A date.
    Date,
    /// true/false.
    Bool,
    /// A string.
    Str,
    /// A list of values of one type (a wildcard, or a prose field inside an aggregate).
    List(Box<Ty>),
    /// Not known (after an earlier error); never reported again.
    Unknown,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Num => f.write_str("a number"),
            Ty::Money => f.write_str("an amount of money"),
            Ty::Date => f.write_str("a date"),
            Ty::Bool => f.write_str("true/false"),
            Ty::Str => f.write_str("a string"),
            Ty::List(t) => write!(
                f,
                "a list of {}",
                t.to_string()
                    .trim_start_matches("a ")
                    .trim_start_matches("an ")
            ),
            Ty::Unknown => f.write_str("a value"),
        }
    }
}

fn numeric(t: &Ty) -> bool {
    matches!(t, Ty::Num | Ty::Money | Ty::Unknown)
}

/// Types of all fields, by full name.
pub type FieldTypes = IndexMap<String, Ty>;

struct Checker<'a> {
    fields: &'a FieldTypes,
    errors: Vec<ResolveError>,
    /// Types of the `let` bindings met so far (each body is typed once).
    let_types: std::collections::HashMap<(String, bool), Ty>,
}

impl Checker<'_> {
    fn err(&mut self, e: &Expr, message: String) -> Ty {
        self.errors.push(ResolveError {
            span: e.span.clone(),
            message,
        });
        Ty::Unknown
    }

    /// The element type of an argument that may be a list.
    fn elem(&mut self, e: &Expr) -> Ty {
        match self.ty(e, true) {
            Ty::List(t) => *t,
            t => t,
        }
    }

    fn scalar(&mut self, e: &Expr) -> Ty {
        match self.ty(e, false) {
            Ty::List(_) => self.err(
                e,
                "this is a list of several values: use it inside sum(), count(), min() or max()"
                    .into(),
            ),
            t => t,
        }
    }

    fn ty(&mut self, e: &Expr, aggregate: bool) -> Ty {
        match &e.kind {
            ExprKind::Num(_) => Ty::Num,
            ExprKind::Str(_) => Ty::Str,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Path(p) => {
                let t = self.fields.get(p).cloned().unwrap_or(Ty::Unknown);
                if aggregate && crate::facts::is_statement(p) {
                    Ty::List(Box::new(t))
                } else {
                    t
                }
            }
            ExprKind::Let(name, body) => {
                // The body was checked where the `let` is defined; only its type matters here.
                let key = (name.clone(), aggregate);
                if let Some(t) = self.let_types.get(&key) {
                    return t.clone();
                }
                let errors = self.errors.len();
                let t = self.ty(body, aggregate);
                self.errors.truncate(errors);
                self.let_types.insert(key, t.clone());
                t
            }
            ExprKind::List(items) => {
                let mut t = Ty::Unknown;
                for i in items {
                    let it = self.ty(i, true);
                    if t == Ty::Unknown {
                        t = it;
                    }
                }
                Ty::List(Box::new(t))
            }
            ExprKind::Unary(op, x) => {
                let t = self.scalar(x);
                match (op, &t) {
                    (UnOp::Neg, t) if numeric(t) => t.clone(),
                    (UnOp::Not, Ty::Bool | Ty::Unknown) => Ty::Bool,
                    (UnOp::Neg, t) => self.err(e, format!("`-` needs a number, found {t}")),
                    (UnOp::Not, t) => self.err(e, format!("`not` needs true/false, found {t}")),
                }
            }
            ExprKind::Binary(op, l, r) => self.binary(e, *op, l, r, aggregate),
            ExprKind::Call(name, args) => self.call(e, name, args),
            ExprKind::Prev(x) => self.ty(x, aggregate),
        }
    }

    fn binary(&mut self, e: &Expr, op: BinOp, l: &Expr, r: &Expr, aggregate: bool) -> Ty {
        if op == BinOp::Coalesce {
            let (a, b) = (self.ty(l, aggregate), self.ty(r, aggregate));
            return match (&a, &b) {
                (Ty::Unknown, _) => b,
                (_, Ty::Unknown) => a,
                (x, y) if x == y || numeric(x) && numeric(y) => a,
                _ => self.err(
                    e,
                    format!("`??` gives {a} or {b}: both sides must be of one kind"),
                ),
            };
        }
        let (a, b) = (self.scalar(l), self.scalar(r));
        if a == Ty::Unknown || b == Ty::Unknown {
            return if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or) {
                Ty::Bool
            } else {
                Ty::Unknown
            };
        }
        use Ty::*;
        match op {
            BinOp::And | BinOp::Or => {
                if a == Bool && b == Bool {
                    Bool
                } else {
                    self.err(e, format!("`{}` needs true/false on both sides, found {a} and {b}", op.symbol()))
                }
            }
            _ if op.is_comparison() => {
                let ok = numeric(&a) && numeric(&b)
                    || a == b && matches!(a, Date | Str)
                    || a == Bool && b == Bool && matches!(op, BinOp::Eq | BinOp::Ne);
                if ok {
                    Bool
                } else {
                    self.err(e, format!("cannot compare {a} with {b}"))
                }
            }
            BinOp::Add | BinOp::Sub => match (&a, &b) {
                (Num, Num) => Num,
                (Money, Money) => Money,
                (Date, Date) if op == BinOp::Sub => Num,
                (Money, Num) | (Num, Money) => self.err(
                    e,
                    format!("cannot {} a plain number and an amount of money: give the number a unit by multiplying a money field", if op == BinOp::Add { "add" } else { "subtract" }),
                ),
                _ => self.err(e, format!("`{}` needs numbers, found {a} and {b}", op.symbol())),
            },
            BinOp::Mul => match (&a, &b) {
                (Num, Num) => Num,
                (Money, Num) | (Num, Money) => Money,
                _ => self.err(e, format!("cannot multiply {a} by {b}")),
            },
            _ => match (&a, &b) {
                (Num, Num) | (Money, Money) => Num,
                (Money, Num) => Money,
                _ => self.err(e, format!("cannot divide {a} by {b}")),
            },
        }
    }

    fn call(&mut self, e: &Expr, name: &str, args: &[Expr]) -> Ty {
        match name {
            "sum" | "min" | "max" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.elem(a)).collect();
                let money = tys.contains(&Ty::Money);
                for (t, a) in tys.iter().zip(args) {
                    if !numeric(t) {
                        self.err(a, format!("{name}() adds up numbers, found {t}"));
                    } else if money && *t == Ty::Num && !matches!(a.kind, ExprKind::Num(_)) {
                        self.err(
                            a,
                            format!("{name}() mixes amounts of money with plain numbers"),
                        );
                    }
                }
                if money {
                    Ty::Money
                } else {
                    Ty::Num
                }
            }
            "count" | "len" => {
                args.iter().for_each(|a| {
                    self.ty(a, true);
                });
                Ty::Num
            }
            "present" | "blank" => {
                self.ty(&args[0], name == "present");
                Ty::Bool
            }
            "abs" => {
                let t = self.scalar(&args[0]);
                if numeric(&t) {
                    t
                } else {
                    self.err(e, format!("abs() needs a number, found {t}"))
                }
            }
            "approx" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.scalar(a)).collect();
                if tys.iter().all(numeric) {
                    Ty::Bool
                } else {
                    self.err(e, "approx(a, b, tolerance) needs three numbers".into())
                }
            }
            "year" => match self.scalar(&args[0]) {
                Ty::Date | Ty::Num | Ty::Unknown => Ty::Num,
                t => self.err(e, format!("year() needs a date, found {t}")),
            },
            "date" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.scalar(a)).collect();
                match tys.as_slice() {
                    [Ty::Str | Ty::Unknown] => Ty::Date,
                    [a, b, c] if numeric(a) && numeric(b) && numeric(c) => Ty::Date,
                    _ => self.err(
                        e,
                        "date() takes a string (\"2019-03-31\") or year, month, day".into(),
                    ),
                }
            }
            "days_between" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.scalar(a)).collect();
                if tys.iter().all(|t| matches!(t, Ty::Date | Ty::Unknown)) {
                    Ty::Num
                } else {
                    self.err(e, "days_between() needs two dates".into())
                }
            }
            "parts" | "complete" | "share_holds" => {
                let is_prose =
                    matches!(&args[0].kind, ExprKind::Path(p) if p.starts_with("prose."));
                if !is_prose {
                    return self.err(&args[0], format!("{name}() takes a prose field"));
                }
                let t = self.ty(&args[0], false);
                match name {
                    "parts" => Ty::List(Box::new(t)),
                    _ => Ty::Bool,
                }
            }
            "percent_matches" => {
                let tys: Vec<Ty> = args.iter().map(|a| self.scalar(a)).collect();
                if tys.iter().all(numeric) {
                    Ty::Bool
                } else {
                    self.err(
                        e,
                        "percent_matches(stated, part, whole) needs three numbers".into(),
                    )
                }
            }
            _ => Ty::Unknown,
        }
    }
}

/// Type-checks an expression; `want_bool` for checks, conditions and `applies`.
pub fn check(expr: &Expr, fields: &FieldTypes, want_bool: bool) -> (Ty, Vec<ResolveError>) {
    let mut c = Checker {
        fields,
        errors: Vec::new(),
        let_types: Default::default(),
    };
    let t = c.ty(expr, false);
    if want_bool && !matches!(t, Ty::Bool | Ty::Unknown) {
        c.err(expr, format!("a check must be true or false; this is {t}"));
    }
    (t, c.errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dsl::{parse::parse, resolve, Scope};
    use std::collections::BTreeMap;

    fn errors(src: &str) -> Vec<String> {
        let mut types = FieldTypes::new();
        types.insert("table.n".into(), Ty::Num);
        types.insert("table.fee".into(), Ty::Money);
        types.insert("table.c.a".into(), Ty::Num);
        types.insert("table.c.b".into(), Ty::Num);
        types.insert("report.year".into(), Ty::Num);
        types.insert("report.day".into(), Ty::Date);
        types.insert("prose.n".into(), Ty::Num);
        let titles: IndexMap<String, String> =
            types.keys().map(|k| (k.clone(), k.clone())).collect();
        let lets = BTreeMap::new();
        let mut errs = Vec::new();
        let e = resolve(
            &parse(src).unwrap(),
            &Scope {
                fields: &titles,
                lets: &lets,
            },
            &mut errs,
        );
        assert!(errs.is_empty());
        check(&e, &types, true)
            .1
            .into_iter()
            .map(|e| format!("{}@{}..{}", e.message, e.span.start, e.span.end))
            .collect()
    }

    #[test]
    fn good_checks() {
        for src in [
            "sum(table.c.*) == table.n",
            "table.fee > 0 and table.fee * 2 <= table.fee + table.fee",
            "report.day <= date(report.year + 1, 3, 31)",
            "(prose.n ?? 0) == table.n",
            "sum(prose.n) >= 1 or not present(table.n)",
            "table.fee / table.fee == 1",
        ] {
            assert_eq!(errors(src), Vec::<String>::new(), "{src}");
        }
    }

    #[test]
    fn type_errors_point_at_the_operator() {
        assert_eq!(
            errors("report.year == \"2018\""),
            vec!["cannot compare a number with a string@0..21"]
        );
        assert_eq!(
            errors("table.n + 1"),
            vec!["a check must be true or false; this is a number@0..11"]
        );
        assert!(errors("table.fee + table.n > 0")[0]
            .starts_with("cannot add a plain number and an amount of money"));
        assert!(errors("table.c.* == 1")[0].starts_with("this is a list"));
        assert!(errors("report.day + 1 > report.day")[0].starts_with("`+` needs numbers"));
        assert!(errors("not table.n")[0].starts_with("`not` needs true/false"));
        assert!(errors("days_between(table.n, report.day) > 1")[0]
            .starts_with("days_between() needs two dates"));
    }
}
