//! Parsing check expressions with the pest grammar in `grammar/checks.pest`.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use grammar::{ChecksParser, Rule};
use pest::iterators::Pair;
use pest::Parser;
use rust_decimal::Decimal;

mod grammar {
    #![allow(missing_docs)]
    /// The parser generated from `grammar/checks.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/checks.pest"]
    pub struct ChecksParser;
}

/// A syntax error with its byte range inside the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte range of the offending text (may be empty at the error position).
    pub span: std::ops::Range<usize>,
    /// What was wrong, in plain words.
    pub message: String,
}

fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::expr
        | Rule::and_expr
        | Rule::cmp_expr
        | Rule::coalesce
        | Rule::additive
        | Rule::multiplicative
        | Rule::unary => "an expression",
        Rule::call => "a function call",
        Rule::path | Rule::ident => "a name",
        Rule::integer | Rule::decimal => "a number",
        Rule::string => "a string",
        Rule::boolean => "true or false",
        Rule::or_op => "`or`",
        Rule::and_op => "`and`",
        Rule::not_op => "`not`",
        Rule::neg_op => "`-`",
        Rule::coalesce_op => "`??`",
        Rule::cmp_op => "a comparison (== != < <= > >=)",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::EOI => "the end of the expression",
        _ => return None,
    })
}

/// Rough nesting depth, counted on brackets, so deep input is refused before pest recurses.
fn nesting_depth(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut run = 0usize;
    for c in src.chars() {
        match c {
            '(' => {
                depth += 1;
                max = max.max(depth + run);
            }
            ')' => depth = depth.saturating_sub(1),
            '-' => {
                run += 1;
                max = max.max(depth + run / 2);
            }
            c if !c.is_whitespace() => run = 0,
            _ => {}
        }
    }
    max.max(src.matches("??").count())
}

/// Parses one expression.
pub fn parse(src: &str) -> Result<Expr, SyntaxError> {
    let limits = crate::limits::get();
    if src.len() > limits.expr_bytes {
        return Err(SyntaxError {
            span: 0..src.len(),
            message: format!(
                "expression is {} bytes long; the limit is {} (`expr_bytes`, docs/limits.md)",
                src.len(),
                limits.expr_bytes
            ),
        });
    }
    if nesting_depth(src) > limits.expr_depth {
        return Err(SyntaxError {
            span: 0..src.len(),
            message: format!(
                "expression nests deeper than {} levels (`expr_depth`, docs/limits.md)",
                limits.expr_depth
            ),
        });
    }
    let expr = parse_unchecked(src)?;
    let depth = expr.depth();
    if depth > limits.expr_depth {
        return Err(SyntaxError {
            span: 0..src.len(),
            message: too_deep(depth, limits.expr_depth),
        });
    }
    Ok(expr)
}

/// The message for an expression deeper than the limit.
pub fn too_deep(depth: usize, limit: usize) -> String {
    format!(
        "expression is {depth} levels deep; the limit is {limit} (`expr_depth`, docs/limits.md): \
         each operator of a chain `a + b + c + …` adds a level, so write long sums as sum(a, b, c, …)"
    )
}

fn parse_unchecked(src: &str) -> Result<Expr, SyntaxError> {
    let mut pairs = ChecksParser::parse(Rule::formula, src).map_err(|e| {
        let span = match e.location {
            pest::error::InputLocation::Pos(p) => {
                let end = src[p..].chars().next().map_or(p, |c| p + c.len_utf8());
                p..end
            }
            pest::error::InputLocation::Span((a, b)) => a..b,
        };
        let message = match &e.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => {
                let mut want: Vec<&str> = positives.iter().filter_map(describe).collect();
                want.dedup();
                let found = src[span.start..]
                    .chars()
                    .next()
                    .map_or("the end of the expression".to_string(), |c| {
                        format!("`{c}`")
                    });
                if want.is_empty() {
                    format!("unexpected {found}")
                } else {
                    format!("expected {}, found {found}", want.join(" or "))
                }
            }
            pest::error::ErrorVariant::CustomError { message } => message.clone(),
        };
        // `a == b == c`: a complete operand stands before a second comparison operator.
        let rest = &src[span.start.min(src.len())..];
        let before = src[..span.start.min(src.len())].trim_end();
        let operand_before = before
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, ')' | '"' | '*' | '_'));
        let message = if operand_before
            && ["==", "!=", "<=", ">=", "<", ">"]
                .iter()
                .any(|op| rest.starts_with(op))
        {
            "comparisons do not chain (`a == b == c`): join them with `and`".to_string()
        } else {
            message
        };
        let (span, message) = better_message(src, span, message);
        SyntaxError { span, message }
    })?;
    let formula = pairs.next().ok_or_else(|| SyntaxError {
        span: 0..0,
        message: "empty".into(),
    })?;
    let expr = formula.into_inner().next().ok_or_else(|| SyntaxError {
        span: 0..0,
        message: "empty expression".into(),
    })?;
    build(expr)
}

/// The first `(` no `)` closes (outside string literals).
fn unclosed_paren(src: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut quote = false;
    for (i, c) in src.char_indices() {
        match c {
            '"' => quote = !quote,
            '(' if !quote => open.push(i),
            ')' if !quote => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().copied()
}

/// What people from other languages write, and what the checks language says instead.
fn operator_hint(op: &str) -> Option<&'static str> {
    Some(match op {
        "=" | "===" => "did you mean `==`?",
        "=!" | "!==" | "<>" | "≠" | "=/=" => "did you mean `!=`?",
        "=<" | "≤" => "did you mean `<=`?",
        "=>" | "≥" => "did you mean `>=`?",
        "&&" | "&" => "did you mean `and`?",
        "||" | "|" => "did you mean `or`?",
        "!" => "did you mean `not`?",
        _ => return None,
    })
}

/// A syntax error told in the terms of what was meant: an unclosed `(` points at the `(` and
/// names the `)` it needs; an operator from another language gets the checks language's own.
fn better_message(
    src: &str,
    span: std::ops::Range<usize>,
    message: String,
) -> (std::ops::Range<usize>, String) {
    let at = span.start.min(src.len());
    if at >= src.trim_end().len() {
        if let Some(open) = unclosed_paren(src) {
            return (
                open..open + 1,
                "this `(` is never closed: expected `)` before the end of the expression"
                    .to_string(),
            );
        }
    }
    // `?` alone: a ternary from C or JavaScript.
    let rest = &src[at..];
    if rest.starts_with('?') && !rest.starts_with("??") {
        return (
            span,
            format!(
                "{message}; there is no `c ? a : b` here: give the rule a `when` condition, or write two rules (did you mean `??`, a default for a missing value?)"
            ),
        );
    }
    // The run of operator characters around the error.
    let is_op = |c: char| "=!<>&|≠≤≥/".contains(c);
    let start = src[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_op(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = rest
        .char_indices()
        .find(|(_, c)| !is_op(*c))
        .map_or(src.len(), |(i, _)| at + i);
    match operator_hint(&src[start..end]) {
        Some(hint) => (start..end, format!("{message}; {hint}")),
        None => (span, message),
    }
}

fn span_of(p: &Pair<Rule>) -> std::ops::Range<usize> {
    p.as_span().start()..p.as_span().end()
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    let span = l.span.start..r.span.end;
    Expr {
        kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
        span,
    }
}

fn op_of(p: &Pair<Rule>) -> BinOp {
    match p.as_str() {
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "and" => BinOp::And,
        "or" => BinOp::Or,
        _ => BinOp::Coalesce,
    }
}

fn build(pair: Pair<Rule>) -> Result<Expr, SyntaxError> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::expr | Rule::and_expr | Rule::additive | Rule::multiplicative | Rule::cmp_expr => {
            // A chain is one level per operator: refuse a long one before building it.
            let ops = pair.clone().into_inner().count() / 2;
            let limit = crate::limits::get().expr_depth;
            if ops > limit {
                return Err(SyntaxError {
                    span,
                    message: too_deep(ops + 1, limit),
                });
            }
            let mut inner = pair.into_inner();
            let first = inner.next().ok_or_else(|| SyntaxError {
                span: span.clone(),
                message: "empty".into(),
            })?;
            let mut acc = build(first)?;
            while let Some(op) = inner.next() {
                let rhs = inner.next().ok_or_else(|| SyntaxError {
                    span: span.clone(),
                    message: "missing operand".into(),
                })?;
                acc = bin(op_of(&op), acc, build(rhs)?);
            }
            Ok(acc)
        }
        Rule::coalesce => {
            let mut inner = pair.into_inner();
            let first = inner.next().ok_or_else(|| SyntaxError {
                span: span.clone(),
                message: "empty".into(),
            })?;
            let lhs = build(first)?;
            match (inner.next(), inner.next()) {
                (Some(_op), Some(rhs)) => Ok(bin(BinOp::Coalesce, lhs, build(rhs)?)),
                _ => Ok(lhs),
            }
        }
        Rule::unary => {
            let mut ops = Vec::new();
            let mut operand = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::not_op => ops.push((UnOp::Not, p.as_span().start())),
                    Rule::neg_op => ops.push((UnOp::Neg, p.as_span().start())),
                    _ => operand = Some(build(p)?),
                }
            }
            let limit = crate::limits::get().expr_depth;
            if ops.len() > limit {
                return Err(SyntaxError {
                    span,
                    message: too_deep(ops.len() + 1, limit),
                });
            }
            let mut e = operand.ok_or_else(|| SyntaxError {
                span: span.clone(),
                message: "missing operand".into(),
            })?;
            for (op, start) in ops.into_iter().rev() {
                let s = start..e.span.end;
                e = Expr {
                    kind: ExprKind::Unary(op, Box::new(e)),
                    span: s,
                };
            }
            Ok(e)
        }
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner
                .next()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let args = inner.map(build).collect::<Result<Vec<_>, _>>()?;
            Ok(Expr {
                kind: ExprKind::Call(name, args),
                span,
            })
        }
        Rule::integer | Rule::decimal => {
            let n: Decimal = pair.as_str().parse().map_err(|_| SyntaxError {
                span: span.clone(),
                message: format!("number `{}` is out of range", pair.as_str()),
            })?;
            Ok(Expr {
                kind: ExprKind::Num(n),
                span,
            })
        }
        Rule::string => {
            let raw = pair.as_str();
            let mut s = String::new();
            let mut chars = raw[1..raw.len() - 1].chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some(o) => s.push(o),
                        None => {}
                    }
                } else {
                    s.push(c);
                }
            }
            Ok(Expr {
                kind: ExprKind::Str(s),
                span,
            })
        }
        Rule::boolean => Ok(Expr {
            kind: ExprKind::Bool(pair.as_str() == "true"),
            span,
        }),
        Rule::path => Ok(Expr {
            kind: ExprKind::Path(pair.as_str().to_string()),
            span,
        }),
        r => Err(SyntaxError {
            span,
            message: format!("unexpected {r:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Num(n) => n.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Path(p) => p.clone(),
            ExprKind::Unary(op, x) => format!("({op:?} {})", show(x)),
            ExprKind::Binary(op, l, r) => format!("({} {} {})", show(l), op.symbol(), show(r)),
            ExprKind::Call(f, a) => {
                format!("{f}({})", a.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            ExprKind::Let(n, _) => n.clone(),
            ExprKind::List(a) => format!("[{}]", a.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Prev(x) => format!("prev.{}", show(x)),
        }
    }

    #[test]
    fn precedence() {
        let cases = [
            (
                "sum(channels) == proactive_total",
                "(sum(channels) == proactive_total)",
            ),
            ("a + b * c - d", "((a + (b * c)) - d)"),
            ("a == b and c != d or e", "(((a == b) and (c != d)) or e)"),
            ("x ?? 0 + 1 == y", "((x ?? (0 + 1)) == y)"),
            ("a ?? b ?? 0", "(a ?? (b ?? 0))"),
            (
                "not present(x) or -a < 3",
                "((Not present(x)) or ((Neg a) < 3))",
            ),
            ("table.channels.* ", "table.channels.*"),
            ("行政复议.数量 >= 1.50", "(行政复议.数量 >= 1.50)"),
            ("nothing == \"a\\\"b\"", "(nothing == \"a\\\"b\")"),
        ];
        for (src, want) in cases {
            assert_eq!(show(&parse(src).unwrap()), want, "{src}");
        }
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = parse("sum(行政复议.数量) == == 1").unwrap_err();
        assert_eq!(e.span.start, "sum(行政复议.数量) == ".len());
        assert!(e.message.contains("expected"), "{}", e.message);
        let e = parse("a == b == c").unwrap_err();
        assert_eq!(e.span.start, "a == b ".len());
        assert!(parse("(a + b").is_err());
        assert!(parse("").is_err());
        assert!(parse("and").is_err());
    }

    #[test]
    fn limits() {
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&deep).unwrap_err().message.contains("nests deeper"));
        let negs = format!("{}1", "-".repeat(1000));
        assert!(parse(&negs).is_err());
        let long = "a + ".repeat(2000) + "a";
        assert!(parse(&long).unwrap_err().message.contains("limit"));
    }
}
