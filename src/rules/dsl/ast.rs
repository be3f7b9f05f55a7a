//! The syntax tree of a check expression. Spans are byte ranges inside the expression string.

use rust_decimal::Decimal;

/// A byte range inside the expression text.
pub type ExprSpan = std::ops::Range<usize>;

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
    /// `??`
    Coalesce,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Coalesce => "??",
        }
    }

    /// Whether this is a comparison.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `not`
    Not,
}

/// An expression node.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is in the expression text.
    pub span: ExprSpan,
}

/// Expression kinds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    /// A number literal (exact).
    Num(#[serde(with = "decimal_text")] Decimal),
    /// A string literal.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// A name: `table.x`, `prose.x`, `report.period.year`, a `let` name, or a wildcard `table.channels.*`.
    Path(String),
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(String, Vec<Expr>),
    /// A resolved wildcard: the fields it matched, in declaration order.
    List(Vec<Expr>),
    /// A use of a `let` binding: its name and its resolved body (whose spans are inside the
    /// `let` value, not the expression that uses it).
    Let(String, std::sync::Arc<Expr>),
    /// `prev.x`: `x` read in the previous year's report of the same body.
    Prev(Box<Expr>),
}

impl Expr {
    /// Levels of the syntax tree, `let` bodies included where they are used (evaluation
    /// descends into them): how deep evaluating it recurses. Iterative, and linear in the size
    /// of the definitions however often a `let` is used.
    pub fn depth(&self) -> usize {
        fn children(e: &Expr) -> Vec<&Expr> {
            match &e.kind {
                ExprKind::Unary(_, x) | ExprKind::Prev(x) => vec![x],
                ExprKind::Binary(_, l, r) => vec![l, r],
                ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().collect(),
                ExprKind::Let(_, body) => vec![body],
                _ => vec![],
            }
        }
        let mut done: std::collections::HashMap<*const Expr, usize> = Default::default();
        let mut stack: Vec<(&Expr, bool)> = vec![(self, false)];
        while let Some((e, expanded)) = stack.pop() {
            let key = e as *const Expr;
            if done.contains_key(&key) {
                continue;
            }
            let kids = children(e);
            if expanded {
                let d = 1 + kids
                    .iter()
                    .map(|c| done.get(&(*c as *const Expr)).copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0);
                done.insert(key, d);
            } else {
                stack.push((e, true));
                stack.extend(kids.into_iter().map(|c| (c, false)));
            }
        }
        done.get(&(self as *const Expr)).copied().unwrap_or(1)
    }

    /// Every node once, parents before children, each `let` body once however often it is
    /// used: `f` gets the node and whether it is inside an aggregate function (`sum`, …),
    /// as `inside` says of the root. Iterative, and linear in the size of the definitions.
    pub fn visit(&self, inside: bool, f: &mut dyn FnMut(&Expr, bool)) {
        let mut seen: std::collections::HashSet<(&str, bool)> = Default::default();
        let mut stack = vec![(self, inside)];
        while let Some((e, agg)) = stack.pop() {
            f(e, agg);
            match &e.kind {
                ExprKind::Let(name, body) if seen.insert((name.as_str(), agg)) => {
                    stack.push((body, agg));
                }
                ExprKind::Unary(_, x) | ExprKind::Prev(x) => stack.push((x, agg)),
                ExprKind::Binary(_, l, r) => {
                    stack.push((r, agg));
                    stack.push((l, agg));
                }
                ExprKind::Call(name, args) => {
                    let inner = if super::PER_STATEMENT.contains(&name.as_str()) {
                        false
                    } else {
                        agg || super::AGGREGATES.contains(&name.as_str())
                    };
                    stack.extend(args.iter().rev().map(|a| (a, inner)));
                }
                ExprKind::List(items) => stack.extend(items.iter().rev().map(|a| (a, agg))),
                _ => {}
            }
        }
    }
}

/// A number as its exact text (the embedded built-in rule sets; the binary format reads no
/// self-describing values).
mod decimal_text {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
