//! Evaluating resolved expressions against a [`FactSet`]. Values carry their provenance (the
//! facts they came from) so findings can label every operand. Missing values propagate as
//! [`Missing`] with reasons: a rule that meets one is *skipped*, never passed.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::date::Date;
use crate::facts::{Fact, FactSet, FactValue};
use crate::rules::Dim;
use crate::span::Span;
use crate::units::Money;
use rust_decimal::Decimal;
use std::cell::Cell;
use std::collections::BTreeMap;

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// An exact number.
    Num(Decimal),
    /// An amount of money with its unit.
    Money(Money),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
    /// A date.
    Date(Date),
    /// A list (from a wildcard or an aggregate over prose matches).
    List(Vec<Result<Ev, Missing>>),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Num(n) => write!(f, "{}", n.normalize()),
            Val::Money(m) => write!(f, "{m}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Str(s) => write!(f, "{s:?}"),
            Val::Date(d) => write!(f, "{d}"),
            Val::List(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| i.as_ref().map_or("?".to_string(), |e| e.val.to_string()))
                    .collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

/// Where an operand's value came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Src {
    /// Full field name.
    pub field: String,
    /// Span of the value in the report.
    pub span: Option<Span>,
    /// The value as shown (formatted only when a finding shows it).
    pub value: Shown,
    /// A narrower scope the source sentence speaks of.
    pub scope: Option<String>,
    /// How the fact was bound.
    pub bound_by: crate::facts::BoundBy,
    /// A note on the binding (a derived total, a note written in the cell).
    pub note: Option<String>,
    /// The fact is in the previous year's report (`prev.`), not this one.
    pub prev: bool,
}

/// A source's value as a finding shows it, kept unformatted: most values read are never shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// A fact's value.
    Fact(FactValue),
    /// A blank cell, read as this number.
    Blank(Decimal),
    /// A number computed from a fact (a share's part).
    Num(Decimal),
    /// Text as written.
    Text(String),
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Fact(v) => write!(f, "{v}"),
            Shown::Blank(n) => write!(f, "{} (blank)", n.normalize()),
            Shown::Num(n) => write!(f, "{}", n.normalize()),
            Shown::Text(t) => f.write_str(t),
        }
    }
}

/// An evaluated value with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    /// The value.
    pub val: Val,
    /// The facts it was computed from.
    pub srcs: Vec<Src>,
}

/// Why a value is missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// The cell is blank.
    Blank,
    /// The cell holds text, not a number.
    NotANumber(String),
    /// The table row (or report fact) was not found.
    NotFound,
    /// The table the row belongs to was not recognised in the report.
    TableNotRecognised(std::sync::Arc<str>),
    /// The prose states no such figure.
    NotStated,
    /// Division by zero.
    DivisionByZero,
    /// Operands of the wrong type.
    Type(String),
    /// The evaluation step limit was hit.
    TooManySteps,
    /// A `prev.` name, and no previous year's report of the same body was given or found.
    NoPrevious,
}

/// One reason a value is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// Field concerned (empty for operations).
    pub field: String,
    /// What is wrong.
    pub why: Why,
    /// Where, when known.
    pub span: Option<Span>,
}

/// A missing value with every reason found.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Reasons, in evaluation order.
    pub reasons: Vec<Reason>,
}

impl Missing {
    fn one(field: &str, why: Why, span: Option<Span>) -> Missing {
        Missing {
            reasons: vec![Reason {
                field: field.to_string(),
                why,
                span,
            }],
        }
    }

    fn op(why: Why) -> Missing {
        Missing::one("", why, None)
    }

    fn merge(mut self, other: Missing) -> Missing {
        for r in other.reasons {
            if !self.reasons.contains(&r) {
                self.reasons.push(r);
            }
        }
        self
    }
}

/// Result of evaluating an expression.
pub type EvResult = Result<Ev, Missing>;

/// The evaluation environment of one rule instance.
pub struct Env<'a> {
    /// Bound facts.
    pub facts: &'a FactSet,
    /// For prose fields the rule iterates over: the index of the match this instance uses.
    /// Also, for 2-D forms, `col:TABLE` / `row:TABLE`: the column or row this instance is about.
    pub choice: &'a BTreeMap<String, usize>,
    /// Vector fields of 2-D forms.
    pub dims: Option<&'a crate::rules::Dims>,
    /// Read blank table cells as these values (0 unless the map names the cell): the second
    /// try of a rule skipped for blanks.
    pub blank_fill: Option<BTreeMap<Span, Decimal>>,
    /// Blank cells given a value during this evaluation.
    pub zero_blanks: std::cell::RefCell<Vec<Span>>,
    /// Notes on fallbacks taken (`x ?? y` where `x` was missing).
    pub notes: std::cell::RefCell<Vec<String>>,
    steps: Cell<usize>,
    /// The previous year's report of the same body, for `prev.` names.
    pub prev: Option<&'a FactSet>,
    /// This environment reads the previous year's report (inside `prev.`).
    in_prev: bool,
    /// The facts whose 2-D forms give this instance's column and row (the current report's,
    /// also inside `prev.`: the same column is read there by its key).
    grids: &'a FactSet,
    /// Values of the `let` bindings evaluated so far (each is evaluated once per instance).
    lets: std::cell::RefCell<std::collections::HashMap<(String, bool), EvResult>>,
}

impl<'a> Env<'a> {
    /// A new environment.
    pub fn new(facts: &'a FactSet, choice: &'a BTreeMap<String, usize>) -> Env<'a> {
        Env {
            facts,
            choice,
            dims: None,
            blank_fill: None,
            zero_blanks: Default::default(),
            notes: Default::default(),
            steps: Cell::new(0),
            prev: None,
            in_prev: false,
            grids: facts,
            lets: Default::default(),
        }
    }

    /// The same, with the previous year's report of the same body for `prev.` names.
    pub fn with_previous(mut self, prev: Option<&'a FactSet>) -> Env<'a> {
        self.prev = prev;
        self
    }

    /// The same, reading blank table cells as 0.
    pub fn reading_blanks_as_zero(self) -> Env<'a> {
        self.filling_blanks(BTreeMap::new())
    }

    /// The same, reading blank table cells as the values given (0 for the others).
    pub fn filling_blanks(mut self, values: BTreeMap<Span, Decimal>) -> Env<'a> {
        self.blank_fill = Some(values);
        self
    }

    /// The same, aware of the vector fields of 2-D forms.
    pub fn with_dims(mut self, dims: &'a crate::rules::Dims) -> Env<'a> {
        self.dims = Some(dims);
        self
    }

    /// The column (`col:`) or row (`row:`) of table `t` this instance is about (looked up
    /// without building the key: every read of a vector field asks).
    fn chosen(&self, kind: &str, t: &str) -> Option<usize> {
        self.choice
            .iter()
            .find(|(k, _)| k.strip_prefix(kind) == Some(t))
            .map(|(_, &i)| i)
    }

    /// The cell a vector field stands for in this instance: `table.new` -> `table.new[total]`.
    fn cell_of(&self, path: &str, dim: &Dim) -> Option<String> {
        match dim {
            Dim::Columns(t) => {
                let i = self.chosen("col:", t)?;
                let col = self.grids.grids.get(t)?.columns.get(i)?;
                Some(format!("{path}[{col}]"))
            }
            Dim::Rows(t) => {
                let i = self.chosen("row:", t)?;
                let row = self.grids.grids.get(t)?.rows.get(i)?;
                Some(format!(
                    "table.{row}[{}]",
                    path.trim_start_matches("column.")
                ))
            }
        }
    }
}

fn fact_ev(field: &str, f: &Fact) -> EvResult {
    let src = Src {
        field: field.to_string(),
        span: f.span,
        value: Shown::Fact(f.value.clone()),
        scope: f.scope.clone(),
        bound_by: f.bound_by,
        note: f.note.clone(),
        prev: false,
    };
    match &f.value {
        FactValue::Number(n) => Ok(Ev {
            val: Val::Num(*n),
            srcs: vec![src],
        }),
        FactValue::Money(m) => Ok(Ev {
            val: Val::Money(*m),
            srcs: vec![src],
        }),
        FactValue::Date(d) => Ok(Ev {
            val: Val::Date(*d),
            srcs: vec![src],
        }),
        FactValue::Blank => Err(Missing::one(field, Why::Blank, f.span)),
        FactValue::Text(t) => Err(Missing::one(field, Why::NotANumber(t.clone()), f.span)),
    }
}

fn lookup(path: &str, env: &Env, aggregate: bool) -> EvResult {
    if let Some(dim) = env.dims.and_then(|d| d.get(path)) {
        return match env.cell_of(path, dim) {
            // A cell (`table.new[total]`) is no vector field.
            Some(cell) => lookup_field(&cell, env, aggregate),
            None => {
                let (Dim::Columns(t) | Dim::Rows(t)) = dim;
                let why = match env.facts.unrecognised_tables.get(t) {
                    Some(n) => Why::TableNotRecognised(n.shown.clone()),
                    None => Why::NotFound,
                };
                Err(Missing::one(path, why, None))
            }
        };
    }
    lookup_field(path, env, aggregate)
}

/// [`lookup`] of a name that is not a vector field of a 2-D form.
fn lookup_field(path: &str, env: &Env, aggregate: bool) -> EvResult {
    let (ns, key) = path.split_once('.').unwrap_or(("", path));
    match ns {
        "table" => match (env.facts.table.get(key), &env.blank_fill) {
            (Some(f), Some(fill)) if f.value == FactValue::Blank => {
                let v = f
                    .span
                    .and_then(|sp| fill.get(&sp).copied())
                    .unwrap_or(Decimal::ZERO);
                if let Some(sp) = f.span {
                    env.zero_blanks.borrow_mut().push(sp);
                }
                Ok(Ev {
                    val: Val::Num(v),
                    srcs: vec![Src {
                        field: path.to_string(),
                        span: f.span,
                        value: Shown::Blank(v),
                        scope: None,
                        bound_by: f.bound_by,
                        note: None,
                        prev: false,
                    }],
                })
            }
            (Some(f), _) => fact_ev(path, f),
            (None, _) => {
                let row = key.split('[').next().unwrap_or(key);
                let why = match env
                    .facts
                    .unrecognised
                    .get(row)
                    .and_then(|t| env.facts.unrecognised_tables.get(t))
                {
                    Some(n) => Why::TableNotRecognised(n.shown.clone()),
                    None => Why::NotFound,
                };
                Err(Missing::one(path, why, None))
            }
        },
        "report" => match env.facts.report.get(key) {
            Some(f) => fact_ev(path, f),
            None => Err(Missing::one(path, Why::NotFound, None)),
        },
        "prose" => {
            let all = env.facts.prose.get(key).map_or(&[][..], Vec::as_slice);
            if let (false, Some(&i)) = (aggregate, env.choice.get(path)) {
                return all.get(i).map_or_else(
                    || Err(Missing::one(path, Why::NotStated, None)),
                    |f| fact_ev(path, f),
                );
            }
            if all.is_empty() {
                return Err(Missing::one(path, Why::NotStated, None));
            }
            if !aggregate && all.len() == 1 {
                return fact_ev(path, &all[0]);
            }
            Ok(list(all.iter().map(|f| fact_ev(path, f)).collect()))
        }
        "outline" | "wording" => {
            let all = env.facts.statements(path);
            let one = |f: &Fact| {
                Ok(Ev {
                    val: Val::Str(f.raw.clone()),
                    srcs: vec![Src {
                        field: path.to_string(),
                        span: f.span,
                        value: Shown::Text(f.raw.clone()),
                        scope: None,
                        bound_by: f.bound_by,
                        note: None,
                        prev: false,
                    }],
                })
            };
            // The rule runs once per statement, also inside functions (engine).
            if let Some(&i) = env.choice.get(path) {
                return all
                    .get(i)
                    .map_or_else(|| Err(Missing::one(path, Why::NotStated, None)), one);
            }
            match all {
                [] => Err(Missing::one(path, Why::NotStated, None)),
                [f] if !aggregate => one(f),
                _ => Ok(list(all.iter().map(one).collect())),
            }
        }
        _ => Err(Missing::one(path, Why::NotFound, None)),
    }
}

/// A list value whose provenance is that of its present items.
fn list(items: Vec<EvResult>) -> Ev {
    let srcs = merged(items.iter().filter_map(|i| i.as_ref().ok()));
    Ev {
        val: Val::List(items),
        srcs,
    }
}

/// Evaluates an expression.
pub fn eval(expr: &Expr, env: &Env) -> EvResult {
    eval_in(expr, env, false)
}

fn num(e: &Ev) -> Result<Decimal, Missing> {
    match e.val {
        Val::Num(n) => Ok(n),
        _ => Err(Missing::op(Why::Type(format!(
            "expected a number, found {}",
            e.val
        )))),
    }
}

fn boolean(e: &Ev) -> Result<bool, Missing> {
    match e.val {
        Val::Bool(b) => Ok(b),
        _ => Err(Missing::op(Why::Type(format!(
            "expected true/false, found {}",
            e.val
        )))),
    }
}

/// The sources of several values, each once (a `let` used twice, `a + a`): the list stays as
/// long as the distinct facts read, whatever the expression's shape.
fn merged<'a>(evs: impl Iterator<Item = &'a Ev>) -> Vec<Src> {
    merge(evs.flat_map(|e| e.srcs.iter()), Src::clone)
}

/// [`merged`] of values that are given up: their sources are moved, not copied (an operator's
/// operands; `a + b + c` would otherwise copy `a`'s sources at every level).
fn merged_owned(evs: impl IntoIterator<Item = Ev>) -> Vec<Src> {
    merge(evs.into_iter().flat_map(|e| e.srcs), |s| s)
}

/// Each source once, in order of first appearance; `own` makes a kept one owned.
fn merge<T: std::borrow::Borrow<Src>>(
    srcs: impl Iterator<Item = T>,
    own: impl Fn(T) -> Src,
) -> Vec<Src> {
    let mut out: Vec<Src> = Vec::new();
    // Most lists are short: a scan; a long one gets an index.
    let mut seen: Option<std::collections::HashSet<(String, Option<Span>)>> = None;
    for t in srcs {
        let s = t.borrow();
        let new = match &mut seen {
            Some(set) => set.insert((s.field.clone(), s.span)),
            None => !out.iter().any(|o| o.span == s.span && o.field == s.field),
        };
        if new {
            out.push(own(t));
            if seen.is_none() && out.len() > 32 {
                seen = Some(out.iter().map(|o| (o.field.clone(), o.span)).collect());
            }
        }
    }
    out
}

fn joined(val: Val, a: Ev, b: Ev) -> Ev {
    Ev {
        val,
        srcs: merged_owned([a, b]),
    }
}

/// Flattens arguments (lists included) into items.
fn flatten(args: &[Expr], env: &Env) -> Vec<EvResult> {
    let mut out = Vec::new();
    for a in args {
        match eval_in(a, env, true) {
            Ok(Ev {
                val: Val::List(items),
                ..
            }) => out.extend(items),
            other => out.push(other),
        }
    }
    out
}

fn all_ok(items: Vec<EvResult>) -> Result<Vec<Ev>, Missing> {
    let mut ok = Vec::new();
    let mut missing: Option<Missing> = None;
    for i in items {
        match i {
            Ok(e) => ok.push(e),
            Err(m) => {
                missing = Some(match missing {
                    Some(prev) => prev.merge(m),
                    None => m,
                })
            }
        }
    }
    missing.map_or(Ok(ok), Err)
}

fn compare(op: BinOp, a: &Ev, b: &Ev) -> Result<bool, Missing> {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (&a.val, &b.val) {
        (Val::Num(x), Val::Num(y)) => Some(x.cmp(y)),
        (Val::Money(x), Val::Money(y)) => Money::common(*x, *y).map(|(a, b, _)| a.cmp(&b)),
        // A plain number against money is read in the money's own unit: `table.fees > 0`.
        (Val::Money(x), Val::Num(y)) => Some(x.amount.cmp(y)),
        (Val::Num(x), Val::Money(y)) => Some(x.cmp(&y.amount)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) if matches!(op, BinOp::Eq | BinOp::Ne) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(o) = ord else {
        return Err(Missing::op(Why::Type(format!(
            "cannot compare {} with {}",
            a.val, b.val
        ))));
    };
    Ok(match op {
        BinOp::Eq => o == Ordering::Equal,
        BinOp::Ne => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    })
}

fn eval_in(expr: &Expr, env: &Env, aggregate: bool) -> EvResult {
    let steps = env.steps.get() + 1;
    env.steps.set(steps);
    if steps > crate::limits::get().eval_steps {
        return Err(Missing::op(Why::TooManySteps));
    }
    let plain = |val| Ok(Ev { val, srcs: vec![] });
    match &expr.kind {
        ExprKind::Num(n) => plain(Val::Num(*n)),
        ExprKind::Str(s) => plain(Val::Str(s.clone())),
        ExprKind::Bool(b) => plain(Val::Bool(*b)),
        ExprKind::Path(p) => lookup(p, env, aggregate),
        ExprKind::Let(name, body) => {
            let key = (name.clone(), aggregate);
            if let Some(v) = env.lets.borrow().get(&key) {
                return v.clone();
            }
            let v = eval_in(body, env, aggregate);
            env.lets.borrow_mut().insert(key, v.clone());
            v
        }
        ExprKind::List(items) => Ok(list(
            items.iter().map(|i| eval_in(i, env, aggregate)).collect(),
        )),
        ExprKind::Unary(op, x) => {
            let v = eval_in(x, env, aggregate)?;
            match op {
                UnOp::Neg => Ok(Ev {
                    val: Val::Num(-num(&v)?),
                    srcs: v.srcs,
                }),
                UnOp::Not => Ok(Ev {
                    val: Val::Bool(!boolean(&v)?),
                    srcs: v.srcs,
                }),
            }
        }
        ExprKind::Binary(op, l, r) => binary(*op, l, r, env, aggregate),
        ExprKind::Call(name, args) => call(name, args, env),
        ExprKind::Prev(x) => previous(x, env, aggregate),
    }
}

/// `prev.x`: `x` read in the previous year's report of the same body, at this instance's
/// column and row; blank cells there are read as the current evaluation reads them.
fn previous(x: &Expr, env: &Env, aggregate: bool) -> EvResult {
    let name = || match &x.kind {
        ExprKind::Path(p) | ExprKind::Let(p, _) => format!("prev.{p}"),
        _ => "prev.".to_string(),
    };
    let Some(prev) = env.prev.filter(|_| !env.in_prev) else {
        return Err(Missing::one(&name(), Why::NoPrevious, None));
    };
    // Only the column and row of a 2-D form carry over; prose matches are the other report's.
    let choice: BTreeMap<String, usize> = env
        .choice
        .iter()
        .filter(|(k, _)| k.starts_with("col:") || k.starts_with("row:"))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let child = Env {
        facts: prev,
        choice: &choice,
        dims: env.dims,
        blank_fill: env.blank_fill.as_ref().map(|_| BTreeMap::new()),
        zero_blanks: Default::default(),
        notes: Default::default(),
        steps: Cell::new(env.steps.get()),
        prev: None,
        in_prev: true,
        grids: env.grids,
        lets: Default::default(),
    };
    let r = eval_in(x, &child, aggregate);
    env.steps.set(child.steps.get());
    env.notes.borrow_mut().extend(child.notes.into_inner());
    match r {
        Ok(mut ev) => {
            mark_prev(&mut ev);
            Ok(ev)
        }
        Err(mut m) => {
            for r in &mut m.reasons {
                if !r.field.is_empty() {
                    r.field = format!("prev.{}", r.field);
                }
                // A place in the other report means nothing in this one.
                r.span = None;
            }
            Err(m)
        }
    }
}

/// Marks a value's provenance (and its items') as the previous year's report.
fn mark_prev(ev: &mut Ev) {
    let mut stack: Vec<&mut Ev> = vec![ev];
    while let Some(e) = stack.pop() {
        for s in &mut e.srcs {
            s.prev = true;
            if !s.field.starts_with("prev.") {
                s.field = format!("prev.{}", s.field);
            }
        }
        if let Val::List(items) = &mut e.val {
            stack.extend(items.iter_mut().filter_map(|i| i.as_mut().ok()));
        }
    }
}

fn binary(op: BinOp, l: &Expr, r: &Expr, env: &Env, aggregate: bool) -> EvResult {
    match op {
        BinOp::Coalesce => match eval_in(l, env, aggregate) {
            Ok(v) => Ok(v),
            Err(m) => {
                let what = |e: &Expr| match &e.kind {
                    ExprKind::Path(p) | ExprKind::Let(p, _) => p.clone(),
                    _ => "the left side of ??".into(),
                };
                let why: Vec<String> = m
                    .reasons
                    .iter()
                    .map(|r| {
                        if r.field.is_empty() {
                            format!("{:?}", r.why)
                        } else {
                            format!("{} {:?}", r.field, r.why)
                        }
                    })
                    .collect();
                env.notes.borrow_mut().push(format!(
                    "{} is missing ({}): used {} instead",
                    what(l),
                    why.join(", ").to_lowercase(),
                    what(r)
                ));
                eval_in(r, env, aggregate)
            }
        },
        BinOp::And | BinOp::Or => {
            // Kleene logic: a decided side decides even when the other is missing.
            let a = eval_in(l, env, aggregate).and_then(|e| boolean(&e).map(|b| (b, e)));
            let decisive = op == BinOp::Or;
            if let Ok((b, e)) = &a {
                if *b == decisive {
                    return Ok(Ev {
                        val: Val::Bool(decisive),
                        srcs: e.srcs.clone(),
                    });
                }
            }
            let b = eval_in(r, env, aggregate).and_then(|e| boolean(&e).map(|b| (b, e)));
            match (a, b) {
                (_, Ok((bv, e))) if bv == decisive => Ok(Ev {
                    val: Val::Bool(decisive),
                    srcs: e.srcs,
                }),
                (Ok((_, ea)), Ok((_, eb))) => Ok(joined(Val::Bool(!decisive), ea, eb)),
                (Err(m1), Err(m2)) => Err(m1.merge(m2)),
                (Err(m), _) | (_, Err(m)) => Err(m),
            }
        }
        _ => {
            let a = eval_in(l, env, aggregate);
            let b = eval_in(r, env, aggregate);
            let (a, b) = match (a, b) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(m1), Err(m2)) => return Err(m1.merge(m2)),
                (Err(m), _) | (_, Err(m)) => return Err(m),
            };
            if op.is_comparison() {
                return Ok(joined(Val::Bool(compare(op, &a, &b)?), a, b));
            }
            Ok(joined(arith(op, &a.val, &b.val)?, a, b))
        }
    }
}

/// `a - b` as a plain number (money converted to a common unit), for judging blank cells.
pub fn difference(a: &Val, b: &Val) -> Option<Decimal> {
    match arith(BinOp::Sub, a, b).ok()? {
        Val::Num(n) => Some(n),
        Val::Money(m) => Some(m.amount),
        _ => None,
    }
}

/// `+ - * /` on numbers and money. Money in different units is converted exactly to the
/// smaller unit; money times or divided by a number stays money; money divided by money is a
/// plain ratio. Adding a plain number to money is refused (the unit would be a guess).
fn arith(op: BinOp, a: &Val, b: &Val) -> Result<Val, Missing> {
    let overflow = || Missing::op(Why::Type("arithmetic overflow".into()));
    let plain = |x: Decimal, y: Decimal| -> Result<Decimal, Missing> {
        match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            _ => {
                if y.is_zero() {
                    return Err(Missing::op(Why::DivisionByZero));
                }
                x.checked_div(y)
            }
        }
        .ok_or_else(overflow)
    };
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => Ok(Val::Num(plain(*x, *y)?)),
        (Val::Money(x), Val::Money(y)) => {
            let (p, q, unit) = Money::common(*x, *y).ok_or_else(overflow)?;
            match op {
                BinOp::Add | BinOp::Sub => Ok(Val::Money(Money {
                    amount: plain(p, q)?,
                    unit,
                })),
                BinOp::Div => Ok(Val::Num(plain(p, q)?)),
                _ => Err(Missing::op(Why::Type(
                    "cannot multiply two amounts of money".into(),
                ))),
            }
        }
        (Val::Money(m), Val::Num(n)) if matches!(op, BinOp::Mul | BinOp::Div) => {
            Ok(Val::Money(Money {
                amount: plain(m.amount, *n)?,
                unit: m.unit,
            }))
        }
        (Val::Num(n), Val::Money(m)) if op == BinOp::Mul => Ok(Val::Money(Money {
            amount: plain(*n, m.amount)?,
            unit: m.unit,
        })),
        (Val::Date(x), Val::Date(y)) if op == BinOp::Sub => {
            Ok(Val::Num(Decimal::from(x.days() - y.days())))
        }
        _ => Err(Missing::op(Why::Type(format!(
            "cannot compute {a} {} {b}",
            op.symbol()
        )))),
    }
}

fn call(name: &str, args: &[Expr], env: &Env) -> EvResult {
    let with_srcs = |val, evs: Vec<Ev>| {
        Ok(Ev {
            val,
            srcs: merged_owned(evs),
        })
    };
    match name {
        "sum" | "min" | "max" => {
            let items = all_ok(flatten(args, env))?;
            if let Some(bad) = items
                .iter()
                .find(|it| !matches!(it.val, Val::Num(_) | Val::Money(_)))
            {
                return Err(Missing::op(Why::Type(format!(
                    "{name}() needs numbers, found {}",
                    bad.val
                ))));
            }
            if name == "sum" {
                let mut acc: Option<Val> = None;
                for it in &items {
                    acc = Some(match acc {
                        None => it.val.clone(),
                        Some(prev) => arith(BinOp::Add, &prev, &it.val)?,
                    });
                }
                let v = acc.ok_or_else(|| Missing::op(Why::Type(format!("{name} of nothing"))))?;
                return with_srcs(v, items);
            }
            // min / max: the value, and the provenance, of the item chosen.
            let op = if name == "min" { BinOp::Lt } else { BinOp::Gt };
            let mut best: Option<&Ev> = None;
            for it in &items {
                best = match best {
                    Some(b) if !compare(op, it, b)? => Some(b),
                    _ => Some(it),
                };
            }
            best.cloned()
                .ok_or_else(|| Missing::op(Why::Type(format!("{name} of nothing"))))
        }
        "count" => {
            let items = flatten(args, env);
            let present: Vec<Ev> = items.into_iter().filter_map(Result::ok).collect();
            with_srcs(Val::Num(Decimal::from(present.len())), present)
        }
        "len" => {
            let n = flatten(args, env).len();
            Ok(Ev {
                val: Val::Num(Decimal::from(n)),
                srcs: vec![],
            })
        }
        "present" => {
            let r = eval_in(&args[0], env, true);
            let ok = match &r {
                Ok(Ev {
                    val: Val::List(items),
                    ..
                }) => items.iter().all(Result::is_ok),
                Ok(_) => true,
                Err(_) => false,
            };
            Ok(Ev {
                val: Val::Bool(ok),
                srcs: r.map(|e| e.srcs).unwrap_or_default(),
            })
        }
        "blank" => {
            let r = eval_in(&args[0], env, false);
            let is_blank = matches!(&r, Err(m) if m.reasons.iter().any(|x| x.why == Why::Blank));
            Ok(Ev {
                val: Val::Bool(is_blank),
                srcs: vec![],
            })
        }
        "abs" => {
            let v = eval(&args[0], env)?;
            let val = match v.val {
                Val::Money(m) => Val::Money(Money {
                    amount: m.amount.abs(),
                    unit: m.unit,
                }),
                _ => Val::Num(num(&v)?.abs()),
            };
            Ok(Ev { val, srcs: v.srcs })
        }
        "approx" => {
            let vals = args.iter().map(|a| eval(a, env)).collect::<Vec<_>>();
            let mut vals = all_ok(vals)?;
            let diff = arith(BinOp::Sub, &vals[0].val, &vals[1].val)?;
            let dist = Ev {
                val: match diff {
                    Val::Money(m) => Val::Money(Money {
                        amount: m.amount.abs(),
                        unit: m.unit,
                    }),
                    Val::Num(n) => Val::Num(n.abs()),
                    other => other,
                },
                srcs: vec![],
            };
            let ok = compare(BinOp::Le, &dist, &vals[2])?;
            vals.truncate(2);
            with_srcs(Val::Bool(ok), vals)
        }
        "year" => {
            let v = eval(&args[0], env)?;
            match v.val {
                Val::Date(d) => Ok(Ev {
                    val: Val::Num(Decimal::from(d.year)),
                    srcs: v.srcs,
                }),
                Val::Num(_) => Ok(v),
                _ => Err(Missing::op(Why::Type(format!(
                    "year() needs a date, found {}",
                    v.val
                )))),
            }
        }
        "date" => {
            let vals = all_ok(args.iter().map(|a| eval(a, env)).collect())?;
            let d = match vals.as_slice() {
                [Ev {
                    val: Val::Str(s), ..
                }] => Date::parse(s),
                [y, m, d] => {
                    let part = |e: &Ev| num(e).ok().and_then(|n| i64::try_from(n.trunc()).ok());
                    match (part(y), part(m), part(d)) {
                        (Some(y), Some(m), Some(d)) => Date::new(
                            i32::try_from(y).unwrap_or(0),
                            u32::try_from(m).unwrap_or(0),
                            u32::try_from(d).unwrap_or(0),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            };
            let d = d.ok_or_else(|| Missing::op(Why::Type("date(): not a valid date".into())))?;
            with_srcs(Val::Date(d), vals)
        }
        "days_between" => {
            let vals = all_ok(args.iter().map(|a| eval(a, env)).collect())?;
            match (&vals[0].val, &vals[1].val) {
                (Val::Date(a), Val::Date(b)) => {
                    let days = b.days() - a.days();
                    with_srcs(Val::Num(Decimal::from(days)), vals)
                }
                _ => Err(Missing::op(Why::Type(
                    "days_between() needs two dates".into(),
                ))),
            }
        }
        "parts" | "complete" | "share_holds" => statement_call(name, &args[0], env),
        "percent_matches" => {
            let vals = all_ok(args.iter().map(|a| eval(a, env)).collect())?;
            let n = |e: &Ev| match &e.val {
                Val::Num(n) => Some(*n),
                Val::Money(m) => Some(m.amount),
                _ => None,
            };
            let (Some(stated), Some(part), Some(whole)) = (n(&vals[0]), n(&vals[1]), n(&vals[2]))
            else {
                return Err(Missing::op(Why::Type(
                    "percent_matches() needs three numbers".into(),
                )));
            };
            if whole.is_zero() {
                return Err(Missing::op(Why::DivisionByZero));
            }
            let ok = percent_ok(stated, part, whole);
            with_srcs(Val::Bool(ok), vals)
        }
        other => Err(Missing::op(Why::Type(format!("unknown function {other}")))),
    }
}

/// Whether a stated percentage equals part / whole × 100 at the precision it is written in:
/// rounded or cut to as many decimals as the stated figure has.
pub fn percent_ok(stated: Decimal, part: Decimal, whole: Decimal) -> bool {
    let Some(exact) = part
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(whole))
    else {
        return false;
    };
    let dp = stated.scale();
    let rounded =
        exact.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let cut = exact.trunc_with_scale(dp);
    rounded == stated || cut == stated
}

/// `parts(prose.x)`, `complete(prose.x)`, `share_holds(prose.x)`: the statement of `x` this
/// instance is about, and the statements linked to it.
fn statement_call(name: &str, arg: &Expr, env: &Env) -> EvResult {
    let ExprKind::Path(path) = &arg.kind else {
        return Err(Missing::op(Why::Type(format!(
            "{name}() takes a prose field"
        ))));
    };
    let key = path.trim_start_matches("prose.");
    let all = env.facts.prose.get(key).map_or(&[][..], Vec::as_slice);
    let idx = env.choice.get(path.as_str()).copied().unwrap_or(0);
    let Some(whole) = all.get(idx) else {
        return Err(Missing::one(path, Why::NotStated, None));
    };
    let declared = env
        .facts
        .prose_parts
        .get(key)
        .map_or(&[][..], Vec::as_slice);
    let items: Vec<(String, &Fact)> = declared
        .iter()
        .flat_map(|child| {
            env.facts
                .prose
                .get(child)
                .into_iter()
                .flatten()
                .filter(move |f| {
                    f.parent
                        .as_ref()
                        .is_some_and(|(k, i)| k == key && *i == idx)
                })
                .map(move |f| (format!("prose.{child}"), f))
        })
        .collect();
    match name {
        "parts" => {
            if items.is_empty() {
                return Err(Missing::one(path, Why::NotStated, whole.span));
            }
            Ok(list(
                items.iter().map(|(f, fact)| fact_ev(f, fact)).collect(),
            ))
        }
        "complete" => {
            let stated: std::collections::BTreeSet<&str> = items
                .iter()
                .map(|(f, _)| f.trim_start_matches("prose."))
                .collect();
            let complete =
                !declared.is_empty() && declared.iter().all(|d| stated.contains(d.as_str()));
            Ok(Ev {
                val: Val::Bool(complete),
                srcs: vec![],
            })
        }
        _ => {
            let Some(share) = &whole.share else {
                return Err(Missing::one(path, Why::NotStated, whole.span));
            };
            let stated = match &whole.value {
                FactValue::Number(n) => *n,
                _ => {
                    return Err(Missing::one(
                        path,
                        Why::NotANumber(whole.raw.clone()),
                        whole.span,
                    ))
                }
            };
            let src = |field: &str, span: Span, v: Decimal| Src {
                field: field.to_string(),
                span: Some(span),
                value: Shown::Num(v),
                scope: None,
                bound_by: crate::facts::BoundBy::Pattern,
                note: None,
                prev: false,
            };
            let mut srcs = fact_ev(path, whole)?.srcs;
            let holds = match share {
                crate::facts::Share::Of {
                    part,
                    part_span,
                    whole: w,
                    whole_span,
                } => {
                    srcs.push(src("所述分项", *part_span, *part));
                    srcs.push(src("所述总数", *whole_span, *w));
                    if w.is_zero() {
                        return Err(Missing::op(Why::DivisionByZero));
                    }
                    percent_ok(stated, *part, *w)
                }
                crate::facts::Share::Total { shares } => {
                    // Each share may be rounded or cut at its own precision.
                    let mut sum = Decimal::ZERO;
                    let mut slack = Decimal::ZERO;
                    for (v, sp) in shares {
                        sum += *v;
                        slack += Decimal::new(1, v.scale());
                        srcs.push(src("所列占比", *sp, *v));
                    }
                    (sum - Decimal::ONE_HUNDRED).abs() <= slack
                }
            };
            Ok(Ev {
                val: Val::Bool(holds),
                srcs,
            })
        }
    }
}

/// Renders an expression with the values substituted: `0 + 105 + 100 + 398 + 10`. A `let`
/// used in the expression is opened one level (its own `let`s show as values).
pub fn show_values(expr: &Expr, env: &Env) -> String {
    show_values_in(expr, env, true)
}

fn show_values_in(expr: &Expr, env: &Env, open_lets: bool) -> String {
    let leaf = |e: &Expr| match eval_in(e, env, false) {
        Ok(v) => v.val.to_string(),
        Err(m) if m.reasons.iter().any(|r| r.why == Why::Blank) => "(blank)".into(),
        Err(_) => "?".into(),
    };
    match &expr.kind {
        ExprKind::Binary(op, l, r)
            if !op.is_comparison() && !matches!(op, BinOp::And | BinOp::Or | BinOp::Coalesce) =>
        {
            format!(
                "{} {} {}",
                show_values_in(l, env, open_lets),
                op.symbol(),
                show_values_in(r, env, open_lets)
            )
        }
        ExprKind::Call(name, args) if name == "sum" => {
            let items = flatten(args, env);
            items
                .iter()
                .map(|i| match i {
                    Ok(e) => e.val.to_string(),
                    Err(m) if m.reasons.iter().any(|r| r.why == Why::Blank) => "(blank)".into(),
                    Err(_) => "?".into(),
                })
                .collect::<Vec<_>>()
                .join(" + ")
        }
        ExprKind::Let(_, body) if open_lets => show_values_in(body, env, false),
        ExprKind::List(items) => {
            let parts: Vec<String> = items.iter().map(leaf).collect();
            format!("[{}]", parts.join(", "))
        }
        _ => leaf(expr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{BoundBy, Fact, FactSet, FactValue};
    use crate::rules::dsl::{parse::parse, resolve, Scope};
    use indexmap::IndexMap;

    fn fact(v: FactValue, at: usize) -> Fact {
        Fact {
            value: v,
            span: Some(Span::new(at, at + 1)),
            context: None,
            raw: String::new(),
            bound_by: BoundBy::Exact,
            scope: None,
            note: None,
            parent: None,
            share: None,
        }
    }

    fn facts() -> FactSet {
        let mut f = FactSet::default();
        let n = |x: i64| FactValue::Number(Decimal::from(x));
        f.table.insert("total".into(), fact(n(10), 0));
        f.table.insert("part.a".into(), fact(n(4), 1));
        f.table.insert("part.b".into(), fact(n(6), 2));
        f.table.insert("blank".into(), fact(FactValue::Blank, 3));
        f.prose
            .insert("total".into(), vec![fact(n(10), 4), fact(n(12), 5)]);
        f.prose.insert("none".into(), vec![]);
        f.report.insert(
            "day".into(),
            fact(FactValue::Date(Date::new(2019, 1, 20).unwrap()), 6),
        );
        f
    }

    fn run(src: &str, choice: &[(&str, usize)]) -> EvResult {
        let mut fields = IndexMap::new();
        for k in [
            "table.total",
            "table.part.a",
            "table.part.b",
            "table.blank",
            "table.missing",
            "prose.total",
            "prose.none",
            "report.day",
        ] {
            fields.insert(k.to_string(), k.to_string());
        }
        let lets = BTreeMap::new();
        let mut errors = Vec::new();
        let e = resolve(
            &parse(src).unwrap(),
            &Scope {
                fields: &fields,
                lets: &lets,
            },
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let f = facts();
        let choice: BTreeMap<String, usize> =
            choice.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        eval(&e, &Env::new(&f, &choice))
    }

    fn val(src: &str) -> Val {
        run(src, &[]).unwrap_or_else(|m| panic!("{src}: {m:?}")).val
    }

    fn whys(src: &str) -> Vec<Why> {
        run(src, &[])
            .unwrap_err()
            .reasons
            .into_iter()
            .map(|r| r.why)
            .collect()
    }

    #[test]
    fn arithmetic_and_aggregates() {
        assert_eq!(val("table.total == sum(table.part.*)"), Val::Bool(true));
        assert_eq!(
            val("table.total - table.part.a * 2"),
            Val::Num(Decimal::from(2))
        );
        assert_eq!(
            val("table.part.b / table.part.a"),
            Val::Num(Decimal::new(15, 1))
        );
        assert_eq!(val("0.1 + 0.2 == 0.3"), Val::Bool(true));
        assert_eq!(
            val("count(table.part.*, table.blank)"),
            Val::Num(Decimal::from(2))
        );
        assert_eq!(
            val("len(table.part.*, table.blank)"),
            Val::Num(Decimal::from(3))
        );
        assert_eq!(
            val("max(table.part.*) - min(table.part.*)"),
            Val::Num(Decimal::from(2))
        );
        assert_eq!(
            val("abs(table.part.a - table.part.b)"),
            Val::Num(Decimal::from(2))
        );
        assert_eq!(val("approx(table.total, 11, 1)"), Val::Bool(true));
        assert_eq!(val("sum(prose.total)"), Val::Num(Decimal::from(22)));
    }

    #[test]
    fn missing_values_skip_unless_handled() {
        assert_eq!(whys("table.blank + 1 == 1"), vec![Why::Blank]);
        assert_eq!(whys("table.missing == 1"), vec![Why::NotFound]);
        assert_eq!(whys("prose.none == table.total"), vec![Why::NotStated]);
        assert_eq!(
            whys("sum(table.part.*, table.blank, table.missing) > 0"),
            vec![Why::Blank, Why::NotFound]
        );
        assert_eq!(
            whys("table.total / (table.part.a - 4) > 0"),
            vec![Why::DivisionByZero]
        );
        assert_eq!(val("(table.blank ?? 0) + 1 == 1"), Val::Bool(true));
        assert_eq!(val("present(table.blank)"), Val::Bool(false));
        assert_eq!(
            val("blank(table.blank) and not blank(table.total)"),
            Val::Bool(true)
        );
        assert_eq!(
            val("present(prose.none) or table.total > 1"),
            Val::Bool(true)
        );
    }

    #[test]
    fn kleene_logic() {
        assert_eq!(val("table.total < 0 and table.blank > 0"), Val::Bool(false));
        assert_eq!(val("table.total > 0 or table.blank > 0"), Val::Bool(true));
        assert_eq!(
            whys("table.total > 0 and table.blank > 0"),
            vec![Why::Blank]
        );
    }

    #[test]
    fn prose_instances_and_dates() {
        assert_eq!(
            run("prose.total == table.total", &[("prose.total", 0)])
                .unwrap()
                .val,
            Val::Bool(true)
        );
        assert_eq!(
            run("prose.total == table.total", &[("prose.total", 1)])
                .unwrap()
                .val,
            Val::Bool(false)
        );
        assert_eq!(val("report.day <= date(2019, 3, 31)"), Val::Bool(true));
        assert_eq!(val("year(report.day) == 2019"), Val::Bool(true));
        assert_eq!(
            val("days_between(date(\"2018-12-31\"), report.day)"),
            Val::Num(Decimal::from(20))
        );
        assert!(matches!(whys("report.day == 1")[0], Why::Type(_)));
    }

    #[test]
    fn provenance_follows_the_operands() {
        let ev = run("sum(table.part.*) == table.total", &[]).unwrap();
        let spans: Vec<usize> = ev
            .srcs
            .iter()
            .filter_map(|s| s.span)
            .map(|s| s.start)
            .collect();
        assert_eq!(spans, vec![1, 2, 0]);
    }
}

#[cfg(test)]
mod money_tests {
    use super::*;
    use crate::units::MoneyUnit;

    fn m(amount: Decimal, unit: MoneyUnit) -> Val {
        Val::Money(Money { amount, unit })
    }

    #[test]
    fn money_converts_exactly() {
        let wan = m(Decimal::new(5, 1), MoneyUnit::WanYuan);
        let yuan = m(Decimal::from(5000), MoneyUnit::Yuan);
        let ev = |v: &Val| Ev {
            val: v.clone(),
            srcs: vec![],
        };
        assert!(compare(BinOp::Eq, &ev(&wan), &ev(&yuan)).unwrap());
        assert_eq!(
            arith(BinOp::Add, &wan, &yuan).unwrap(),
            m(Decimal::from(10000), MoneyUnit::Yuan)
        );
        assert_eq!(
            arith(BinOp::Div, &wan, &yuan).unwrap(),
            Val::Num(Decimal::ONE)
        );
        assert_eq!(
            arith(BinOp::Mul, &wan, &Val::Num(Decimal::from(2))).unwrap(),
            m(Decimal::ONE, MoneyUnit::WanYuan)
        );
        assert!(arith(BinOp::Add, &wan, &Val::Num(Decimal::ONE)).is_err());
        assert!(arith(BinOp::Mul, &wan, &yuan).is_err());
        assert!(compare(BinOp::Gt, &ev(&wan), &ev(&Val::Num(Decimal::ZERO))).unwrap());
    }
}
