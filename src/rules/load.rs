//! Loading a rule file: TOML (serde, with spans) -> [`RuleSet`], validating everything at
//! load time and reporting every problem as a diagnostic that points into the TOML file.

use super::dsl::types::{self, FieldTypes, Ty};
use super::dsl::{self, ast::Expr, parse, Scope};
use super::{Dim, Primary, Rule, RuleDoc, RuleSet};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::facts::spec::{self, FieldSpecs, Origin, ProseSpec, ReportSpec, RowSpec, TableSpec};
use crate::facts::COMPUTED_REPORT_FIELDS;
use crate::span::Span;
use crate::units::MoneyUnit;
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Everything wrong with a rule file.
#[derive(Debug, Clone)]
pub struct LoadError {
    /// The rule file the diagnostics point into (a base file, when that one is wrong).
    pub file: String,
    /// Its text.
    pub text: String,
    /// Diagnostics pointing into the rule file.
    pub diagnostics: Vec<Diagnostic>,
    /// How many errors there are in all (more than `diagnostics` when the list was cut).
    pub total: usize,
}

/// How deep `extends` chains may go.
pub const MAX_EXTENDS_DEPTH: usize = 16;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    ruleset: RawMeta,
    #[serde(default)]
    tables: IndexMap<Spanned<String>, RawTable>,
    #[serde(default)]
    fields: RawFields,
    #[serde(default, rename = "let")]
    lets: IndexMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
    #[serde(default, rename = "override")]
    overrides: IndexMap<Spanned<String>, RawOverride>,
    #[serde(default)]
    outline: Option<RawOutline>,
    #[serde(default)]
    wording: Option<RawWording>,
    #[serde(default)]
    region: Option<RawRegion>,
}

/// `[region]`: the totals a region's summary report states for every body under it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    totals: Vec<Spanned<String>>,
}

/// `[outline]`: the prescribed parts, by the report fields that recognise their headings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutline {
    #[serde(default)]
    parts: Vec<Spanned<String>>,
    #[serde(default)]
    required: Vec<Spanned<String>>,
    #[serde(default)]
    subtopics: Vec<Spanned<String>>,
    #[serde(default)]
    empty_words: Vec<String>,
}

/// `[wording]`: the lists the wording checks use. A file that extends another adds to its
/// lists; a confusion mapped to `""` or a character mapped to `[]` is taken out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWording {
    #[serde(default)]
    repeat_ok: Vec<String>,
    #[serde(default)]
    doubled: Vec<Spanned<String>>,
    #[serde(default)]
    confusions: IndexMap<Spanned<String>, String>,
    #[serde(default)]
    cut_off: IndexMap<Spanned<String>, Vec<String>>,
    #[serde(default)]
    lookalikes: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    applies: Option<Spanned<String>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    detect: Option<Spanned<String>>,
    #[serde(default)]
    min_certainty: Option<Spanned<String>>,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    #[serde(default)]
    severity: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    expect: Spanned<String>,
    #[serde(default)]
    report: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    previous: Option<String>,
    #[serde(default)]
    previous_file: Option<String>,
    #[serde(default)]
    replace: Vec<(String, String)>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    line: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    value_column: Vec<String>,
    #[serde(default)]
    unit_column: Vec<String>,
    #[serde(default)]
    complete: bool,
    #[serde(default)]
    blank_is_zero: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    columns: IndexMap<Spanned<String>, RawRow>,
    rows: IndexMap<Spanned<String>, RawRow>,
    #[serde(default)]
    groups: IndexMap<Spanned<String>, RawGroup>,
}

/// `[tables.NAME.groups]`: a group of columns and the captions that name it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    labels: Vec<String>,
    columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRow {
    One(String),
    Many(Vec<String>),
    Full {
        #[serde(default)]
        labels: Vec<String>,
        #[serde(default)]
        unlabeled: bool,
        #[serde(default)]
        optional: bool,
        #[serde(default)]
        unit: Option<String>,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        variant: Option<String>,
        #[serde(default)]
        sum_of: Vec<String>,
        #[serde(default)]
        signed: bool,
    },
}

impl RawRow {
    /// (labels, unit, title)
    fn parts(&self) -> (Vec<String>, Option<String>, Option<String>) {
        match self {
            RawRow::One(l) => (vec![l.clone()], None, None),
            RawRow::Many(ls) => (ls.clone(), None, None),
            RawRow::Full {
                labels,
                unit,
                title,
                ..
            } => (labels.clone(), unit.clone(), title.clone()),
        }
    }

    fn unlabeled(&self) -> bool {
        matches!(
            self,
            RawRow::Full {
                unlabeled: true,
                ..
            }
        )
    }

    fn optional(&self) -> bool {
        matches!(self, RawRow::Full { optional: true, .. })
    }

    fn variant(&self) -> Option<String> {
        match self {
            RawRow::Full { variant, .. } => variant.clone(),
            _ => None,
        }
    }

    fn signed(&self) -> bool {
        matches!(self, RawRow::Full { signed: true, .. })
    }

    fn sum_of(&self) -> &[String] {
        match self {
            RawRow::Full { sum_of, .. } => sum_of,
            _ => &[],
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFields {
    #[serde(default)]
    prose: IndexMap<Spanned<String>, RawProse>,
    #[serde(default)]
    report: IndexMap<Spanned<String>, RawReport>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProse {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    zero: Vec<Spanned<String>>,
    #[serde(default)]
    section: Vec<String>,
    #[serde(default)]
    unit: Option<Spanned<String>>,
    #[serde(default)]
    narrow: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    claims: Vec<Spanned<String>>,
    #[serde(default)]
    under: Vec<Spanned<String>>,
    #[serde(default)]
    part: bool,
    #[serde(default)]
    share: bool,
    #[serde(default)]
    part_of: Vec<Spanned<String>>,
    #[serde(default)]
    ratio_of: Vec<Spanned<String>>,
    #[serde(default)]
    units: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    from: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    marker: bool,
}

/// One source of a report fact: places to look and the patterns for there.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    from: Vec<Spanned<String>>,
    patterns: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    name: Spanned<String>,
    severity: Spanned<String>,
    check: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    primary: Option<Spanned<String>>,
    #[serde(default)]
    min_certainty: Option<Spanned<String>>,
    message: Spanned<String>,
    message_en: Spanned<String>,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    help_en: Option<String>,
    #[serde(default)]
    why: Option<String>,
    #[serde(default)]
    example: Option<String>,
    #[serde(default, rename = "test")]
    tests: Vec<RawTest>,
}

struct Ctx<'a> {
    src: &'a str,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Patterns without a placeholder (terms, claims, zero phrases), compiled; each invalid one
    /// is an RF006 error on its place in the TOML.
    fn phrases(&mut self, list: &[Spanned<String>], what: &str) -> Vec<spec::LazyRegex> {
        self.compiled(list, what, spec::compile_zero)
    }

    /// Every pattern of a list compiled by `compile`; each invalid one is an RF006 error on its
    /// place in the TOML.
    fn compiled<T>(
        &mut self,
        list: &[Spanned<String>],
        what: &str,
        compile: impl Fn(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for t in list {
            match compile(t.get_ref()) {
                Ok(c) => out.push(c),
                Err(e) => self.error(
                    "RF006",
                    t.span(),
                    format!("invalid {what}: {e}"),
                    "this pattern",
                ),
            }
        }
        out
    }

    fn error(&mut self, code: &str, span: std::ops::Range<usize>, message: String, label: &str) {
        self.diags.push(
            Diagnostic::new(Severity::Error, code, "rule-file", message)
                .with_label(Label::primary(Span::new(span.start, span.end), label)),
        );
    }

    /// An error inside a string value: maps the offset within the decoded string back into
    /// the TOML file.
    fn error_in_string(
        &mut self,
        code: &str,
        value: &Spanned<String>,
        inner: std::ops::Range<usize>,
        message: String,
        label: &str,
    ) {
        let map = super::toml_str::offset_map(self.src, value.span());
        let at = |i: usize| {
            map.get(i)
                .copied()
                .unwrap_or_else(|| *map.last().unwrap_or(&value.span().start))
        };
        let start = at(inner.start);
        // The end is where the character after the range starts in the raw text, so that an
        // escape such as `\"` is covered whole.
        let end = if inner.end > inner.start {
            at(inner.end).max(at(inner.end - 1) + char_len(self.src, at(inner.end - 1)))
        } else {
            start
        };
        self.error(code, start..end.max(start), message, label);
    }

    fn expr(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        scope: &Scope,
        types: &FieldTypes,
        want_bool: bool,
    ) -> Option<Expr> {
        match parse::parse(value.get_ref()) {
            Err(e) => {
                self.error_in_string(
                    "RF002",
                    value,
                    e.span,
                    format!("syntax error in {what}: {}", e.message),
                    "here",
                );
                None
            }
            Ok(expr) => {
                let mut errors = Vec::new();
                let resolved = dsl::resolve(&expr, scope, &mut errors);
                let ok = errors.is_empty();
                for e in errors {
                    self.error_in_string(
                        "RF003",
                        value,
                        e.span,
                        format!("in {what}: {}", e.message),
                        "here",
                    );
                }
                if !ok {
                    return None;
                }
                // With the `let` bodies it uses, an expression may be deeper than it reads.
                let depth = resolved.depth();
                let limit = crate::limits::get().expr_depth;
                if depth > limit {
                    self.error_in_string(
                        "RF002",
                        value,
                        0..value.get_ref().len(),
                        format!(
                            "in {what}: {} (counting the `let` bindings it uses)",
                            parse::too_deep(depth, limit)
                        ),
                        "here",
                    );
                    return None;
                }
                let (_, type_errors) = types::check(&resolved, types, want_bool);
                let ok = type_errors.is_empty();
                for e in type_errors {
                    self.error_in_string(
                        "RF011",
                        value,
                        e.span,
                        format!("type error in {what}: {}", e.message),
                        "here",
                    );
                }
                ok.then_some(resolved)
            }
        }
    }
}

fn char_len(s: &str, at: usize) -> usize {
    s.get(at..)
        .and_then(|r| r.chars().next())
        .map_or(0, char::len_utf8)
}

/// Loads and validates a rule file. `name` is shown in diagnostics.
pub fn load(name: &str, src: &str) -> Result<RuleSet, LoadError> {
    let mut loader = Loader::default();
    if let Ok(path) = std::fs::canonicalize(name) {
        loader.chain.push(path.display().to_string());
    }
    load_at_depth(name, src, &mut loader).map_err(|mut e| {
        if e.file == name && e.diagnostics.len() == 1 && e.diagnostics[0].code == "RF001" {
            e.diagnostics = recover_after_toml_error(name, src, e.diagnostics.remove(0));
            e.total = e.diagnostics.len();
        }
        // One error per problem, and a bounded list: the rest are counted.
        e.diagnostics = std::mem::take(&mut e.diagnostics)
            .into_iter()
            .map(|d| d.bounded(crate::diagnostic::MAX_TEXT_CHARS))
            .collect();
        let limit = crate::limits::get().rule_file_errors.max(1);
        if e.diagnostics.len() > limit {
            let more = e.diagnostics.len() - limit;
            e.diagnostics.truncate(limit);
            e.diagnostics.push(Diagnostic::new(
                Severity::Error,
                "RF000",
                "rule-file",
                format!(
                    "and {more} more error(s) not shown (`rule_file_errors`, docs/limits.md): fix these first"
                ),
            ));
        }
        e
    })
}

/// The top-level sections of a TOML text: (start, end, header), the part before the first
/// header with an empty header. Headers inside multi-line strings are not headers.
fn toml_sections(src: &str) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = vec![(0, src.len(), String::new())];
    let mut in_string: Option<&str> = None;
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim();
        if in_string.is_none() && t.starts_with('[') {
            if let Some(last) = out.last_mut() {
                last.1 = at;
            }
            let header = t.split('#').next().unwrap_or("").trim().to_string();
            out.push((at, src.len(), header));
        }
        for quote in ["\"\"\"", "\'\'\'"] {
            let n = line.matches(quote).count();
            if n % 2 == 1 {
                in_string = match in_string {
                    Some(q) if q == quote => None,
                    None => Some(quote),
                    other => other,
                };
            }
        }
        at += line.len();
    }
    out
}

/// After a TOML error, the file's other errors where the rest can still be read: the section
/// with the error is blanked (its bytes turned to spaces, so every place stays where it is) and
/// the text read again, for every TOML error in turn. Where only `[[rule]]` groups (a rule and
/// its test cases) had to be blanked, the rest is a valid rule file of independent rules:
/// it is loaded and its errors are reported too. Otherwise (the tables or fields, which the
/// rules read, are unreadable) only the TOML errors are reported, with a note saying so.
fn recover_after_toml_error(name: &str, src: &str, first: Diagnostic) -> Vec<Diagnostic> {
    let sections = toml_sections(src);
    let is_rule = |h: &str| h == "[[rule]]" || h.starts_with("[[rule.") || h.starts_with("[rule.");
    let mut bytes = src.as_bytes().to_vec();
    let mut diags = vec![first];
    let mut only_rules = true;
    let mut blanked: Vec<usize> = Vec::new();
    for _ in 0..50 {
        let at = diags
            .last()
            .and_then(|d| d.labels.first())
            .map_or(0, |l| l.span.start);
        let Some(i) = sections.iter().rposition(|(a, _, _)| *a <= at) else {
            break;
        };
        if blanked.contains(&i) {
            break;
        }
        // A rule's group: from its `[[rule]]` header to the next header that is not its own.
        let (mut start, mut end) = (sections[i].0, sections[i].1);
        if is_rule(&sections[i].2) {
            let mut k = i;
            while k > 0 && sections[k].2 != "[[rule]]" && is_rule(&sections[k - 1].2) {
                k -= 1;
            }
            start = sections[k].0;
            let mut j = i;
            while j + 1 < sections.len()
                && is_rule(&sections[j + 1].2)
                && sections[j + 1].2 != "[[rule]]"
            {
                j += 1;
            }
            end = sections[j].1;
        } else {
            only_rules = false;
        }
        blanked.push(i);
        for b in &mut bytes[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match toml::from_str::<toml::Table>(&text) {
            Ok(_) => {
                if only_rules {
                    if let Err(e) = load_at_depth(name, &text, &mut Loader::default()) {
                        diags.extend(e.diagnostics.into_iter().filter(|d| d.code != "RF001"));
                    }
                } else if let Some(d) = diags.first_mut() {
                    d.notes.push(
                        "the rest of the file is checked once this part can be read".to_string(),
                    );
                }
                break;
            }
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                diags.push(
                    Diagnostic::new(
                        Severity::Error,
                        "RF001",
                        "rule-file",
                        format!("invalid rule file: {}", e.message().trim()),
                    )
                    .with_label(Label::primary(Span::new(span.start, span.end), "here")),
                );
            }
        }
    }
    diags.sort_by_key(|d| d.labels.first().map_or(0, |l| l.span.start));
    diags
}

/// Loads the built-in rule files with one loader: a base several of them extend is read once.
pub(crate) fn load_builtins(files: &[(&str, &str)]) -> Vec<Result<RuleSet, LoadError>> {
    let mut loader = Loader::default();
    files
        .iter()
        .map(|(name, text)| {
            let key = format!("builtin:{name}");
            if let Some(Ok(rs)) = loader.done.get(&key) {
                return Ok(rs.clone());
            }
            let r = load_at_depth(&format!("built-in:{name}"), text, &mut loader);
            if let Ok(rs) = &r {
                loader.done.insert(key, Ok(rs.clone()));
            }
            r
        })
        .collect()
}

/// Reads a rule file (or a file it extends): a regular file of at most `rule_file_bytes`, in
/// UTF-8.
pub fn read_rule_file(path: &std::path::Path) -> Result<String, String> {
    let limit = crate::limits::get().rule_file_bytes;
    let bytes = crate::source::read_bounded(path, limit).map_err(|e| match e {
        crate::source::SourceError::TooLarge { bytes, limit } => format!(
            "the file is {} bytes, more than the limit of {} bytes for rule files (`rule_file_bytes`, docs/limits.md)",
            crate::limits::grouped(bytes),
            crate::limits::grouped(limit)
        ),
        other => other.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 (invalid byte at offset {}); save rule files as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The files one load has read (each `extends` target once) and the chain being loaded.
#[derive(Default)]
struct Loader {
    done: std::collections::HashMap<String, Result<RuleSet, String>>,
    chain: Vec<String>,
}

/// Loads a base named in `extends`: `builtin:NAME` or a path relative to the extending file.
/// Each file is read once per load; a file that is not a rule file is named, never quoted.
fn load_base(child: &str, base: &str, loader: &mut Loader) -> Result<RuleSet, String> {
    if loader.chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(format!(
            "`extends` nests deeper than {MAX_EXTENDS_DEPTH} files"
        ));
    }
    let builtin = base
        .strip_prefix("builtin:")
        .or_else(|| base.strip_prefix("built-in:"));
    let (key, name) = match builtin {
        Some(b) => (format!("builtin:{b}"), format!("built-in:{b}")),
        None => {
            let path = std::path::Path::new(child)
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .join(base);
            let key = std::fs::canonicalize(&path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string();
            (key, path.display().to_string())
        }
    };
    if let Some(at) = loader.chain.iter().position(|k| *k == key) {
        let mut cycle: Vec<&str> = loader.chain[at..].iter().map(String::as_str).collect();
        cycle.push(&key);
        return Err(format!("`extends` forms a cycle: {}", cycle.join(" → ")));
    }
    if let Some(done) = loader.done.get(&key) {
        return done.clone();
    }
    let text = match builtin {
        Some(b) => match super::BUILTIN.iter().find(|(n, _)| *n == b) {
            Some((_, text)) => Ok((*text).to_string()),
            None => {
                let names: Vec<String> = super::BUILTIN
                    .iter()
                    .map(|(n, _)| format!("builtin:{n}"))
                    .collect();
                Err(format!(
                    "no built-in rule set `{b}`; there are: {}",
                    names.join(", ")
                ))
            }
        },
        None => read_rule_file(std::path::Path::new(&name))
            .map_err(|e| format!("cannot read {name}: {e}")),
    };
    let result = text.and_then(|text| {
        // Only a rule file's own errors are shown: another file's content is never quoted.
        let is_rule_file = text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("ruleset"));
        if !is_rule_file {
            return Err(format!(
                "{name} is not a rule file (not TOML with a [ruleset] table)"
            ));
        }
        loader.chain.push(key.clone());
        let r = load_at_depth(&name, &text, loader).map_err(|e| {
            let first = e
                .diagnostics
                .first()
                .map_or(String::new(), |d| d.message.clone());
            format!("{} has {} error(s), the first: {first}", e.file, e.total)
        });
        loader.chain.pop();
        r
    });
    loader.done.insert(key, result.clone());
    result
}

fn load_at_depth(name: &str, src: &str, loader: &mut Loader) -> Result<RuleSet, LoadError> {
    let fail = |diagnostics: Vec<Diagnostic>| LoadError {
        file: name.to_string(),
        text: src.to_string(),
        total: diagnostics.len(),
        diagnostics,
    };
    let raw: RawFile = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let d = Diagnostic::new(
                Severity::Error,
                "RF001",
                "rule-file",
                format!("invalid rule file: {}", e.message().trim()),
            )
            .with_label(Label::primary(Span::new(span.start, span.end), "here"))
            .with_help("see docs/rule-files.md for the layout of a rule file");
            return Err(fail(vec![d]));
        }
    };
    let mut cx = Ctx {
        src,
        diags: Vec::new(),
    };
    let mut fields = FieldSpecs::default();
    let mut titles: IndexMap<String, String> = IndexMap::new();
    let mut field_types: FieldTypes = FieldTypes::new();
    let mut seen_fields: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
    let mut dims: super::Dims = super::Dims::default();
    let mut lets: BTreeMap<String, std::sync::Arc<Expr>> = BTreeMap::new();
    let mut rules: Vec<Rule> = Vec::new();
    let mut region_totals: Vec<(String, Expr)> = Vec::new();
    let mut applies = None;
    let mut applies_src = None;
    // Layering: everything of the bases first, in order; this file adds to it.
    for base in &raw.ruleset.extends {
        match load_base(name, base.get_ref(), loader) {
            Ok(b) => {
                // A file reached along two paths (`a` extends `b` and `c`, both extend `d`)
                // contributes once.
                for t in b.fields.tables {
                    if !fields.tables.iter().any(|x| x.name == t.name) {
                        fields.tables.push(t);
                    }
                }
                for p in b.fields.prose {
                    if !fields.prose.iter().any(|x| x.key == p.key) {
                        fields.prose.push(p);
                    }
                }
                for r in b.fields.report {
                    if !fields.report.iter().any(|x| x.key == r.key) {
                        fields.report.push(r);
                    }
                }
                if !b.fields.outline.is_empty() {
                    fields.outline = b.fields.outline;
                }
                merge_wording(&mut fields.wording, b.fields.wording);
                if !b.region_totals.is_empty() {
                    region_totals = b.region_totals;
                }
                for k in b.field_titles.keys() {
                    seen_fields.insert(k.clone(), base.span());
                }
                titles.extend(b.field_titles);
                field_types.extend(b.field_types);
                dims.extend(b.dims);
                lets.extend(b.lets);
                for r in b.rules {
                    if !rules.iter().any(|x| x.id == r.id && x.origin == r.origin) {
                        rules.push(r);
                    }
                }
                if b.applies.is_some() {
                    applies = b.applies;
                    applies_src = b.applies_src;
                }
            }
            Err(e) => cx.error(
                "RF012",
                base.span(),
                format!("cannot extend `{}`: {e}", base.get_ref()),
                "here",
            ),
        }
    }
    if !cx.diags.is_empty() {
        // Without its base the file's names cannot resolve: report the base problem alone.
        return Err(fail(cx.diags));
    }
    let inherited = rules.len();
    let mut declare = |cx: &mut Ctx, full: String, span: std::ops::Range<usize>| {
        if let Some(prev) = seen_fields.get(&full) {
            let d = Diagnostic::new(
                Severity::Error,
                "RF004",
                "rule-file",
                format!("field `{full}` is declared twice"),
            )
            .with_label(Label::primary(
                Span::new(span.start, span.end),
                "declared again here",
            ))
            .with_label(Label::secondary(
                Span::new(prev.start, prev.end),
                "first declared here",
            ));
            cx.diags.push(d);
        } else {
            seen_fields.insert(full, span);
        }
    };
    for (tname, t) in &raw.tables {
        let mut columns = Vec::new();
        for (key, col) in &t.columns {
            let (labels, _, title) = col.parts();
            if labels.is_empty() || labels.iter().any(|l| spec::label_key(l).is_empty()) {
                cx.error(
                    "RF005",
                    key.span(),
                    format!(
                        "column `{}` needs at least one label with letters",
                        key.get_ref()
                    ),
                    "here",
                );
                continue;
            }
            declare(&mut cx, format!("column.{}", key.get_ref()), key.span());
            let title = title.unwrap_or_else(|| labels[0].clone());
            titles.insert(format!("column.{}", key.get_ref()), title.clone());
            field_types.insert(format!("column.{}", key.get_ref()), Ty::Num);
            dims.insert(
                format!("column.{}", key.get_ref()),
                Dim::Rows(tname.get_ref().clone()),
            );
            columns.push(spec::ColumnSpec {
                key: key.get_ref().clone(),
                title,
                keys: labels.iter().map(|l| spec::label_key(l)).collect(),
                sum_of: col.sum_of().to_vec(),
                signed: col.signed(),
            });
        }
        // A total column's parts: other columns of the table, by key or `prefix.*`.
        let keys: Vec<String> = columns.iter().map(|c| c.key.clone()).collect();
        for c in columns.iter_mut() {
            let span = t
                .columns
                .keys()
                .find(|k| *k.get_ref() == c.key)
                .map_or(0..0, |k| k.span());
            let mut parts = Vec::new();
            for pat in &c.sum_of {
                let hits: Vec<&String> = keys
                    .iter()
                    .filter(|k| match pat.strip_suffix('*') {
                        Some(prefix) => k.starts_with(prefix) && **k != c.key,
                        None => *k == pat,
                    })
                    .collect();
                if hits.is_empty() {
                    cx.error(
                        "RF005",
                        span.clone(),
                        format!("`sum_of` names `{pat}`, which is not a column of this table"),
                        "here",
                    );
                }
                parts.extend(hits.into_iter().cloned());
            }
            c.sum_of = parts;
        }
        let mut rows = Vec::new();
        for (key, row) in &t.rows {
            let (labels, unit, title) = row.parts();
            let unlabeled = row.unlabeled();
            if (labels.is_empty() && !unlabeled)
                || labels.iter().any(|l| spec::label_key(l).is_empty())
            {
                cx.error(
                    "RF005",
                    key.span(),
                    format!(
                        "row `{}` needs at least one label with letters",
                        key.get_ref()
                    ),
                    "here",
                );
                continue;
            }
            declare(&mut cx, format!("table.{}", key.get_ref()), key.span());
            let title = title
                .or_else(|| labels.first().cloned())
                .unwrap_or_else(|| key.get_ref().clone());
            titles.insert(format!("table.{}", key.get_ref()), title.clone());
            let money = unit.as_deref().and_then(MoneyUnit::parse).is_some();
            field_types.insert(
                format!("table.{}", key.get_ref()),
                if money { Ty::Money } else { Ty::Num },
            );
            let row_ty = if money { Ty::Money } else { Ty::Num };
            if !columns.is_empty() {
                // A row of a 2-D form is a vector over the columns; each cell is `row[column]`.
                dims.insert(
                    format!("table.{}", key.get_ref()),
                    Dim::Columns(tname.get_ref().clone()),
                );
                for c in &columns {
                    let cell = format!("table.{}[{}]", key.get_ref(), c.key);
                    titles.insert(cell.clone(), format!("{} / {}", title, c.title));
                    field_types.insert(cell, row_ty.clone());
                }
            }
            rows.push(RowSpec {
                key: key.get_ref().clone(),
                title,
                keys: labels.iter().map(|l| spec::label_key(l)).collect(),
                unit,
                unlabeled,
                optional: row.optional() || row.variant().is_some(),
                variant: row.variant(),
                signed: row.signed(),
            });
        }
        let mut groups = Vec::new();
        for (gkey, g) in &t.groups {
            let mut idx = Vec::new();
            for pat in &g.columns {
                let hits: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| match pat.strip_suffix('*') {
                        Some(prefix) => c.key.starts_with(prefix),
                        None => c.key == *pat,
                    })
                    .map(|(i, _)| i)
                    .collect();
                if hits.is_empty() {
                    cx.error(
                        "RF005",
                        gkey.span(),
                        format!(
                            "group `{}` names `{pat}`, which is not a column of this table",
                            gkey.get_ref()
                        ),
                        "here",
                    );
                }
                idx.extend(hits);
            }
            groups.push(spec::GroupSpec {
                key: gkey.get_ref().clone(),
                keys: g.labels.iter().map(|l| spec::label_key(l)).collect(),
                columns: idx,
            });
        }
        fields.tables.push(TableSpec {
            groups,
            optional: t.optional,
            name: tname.get_ref().clone(),
            title: t.title.clone().unwrap_or_else(|| tname.get_ref().clone()),
            value_column: t.value_column.iter().map(|l| spec::label_key(l)).collect(),
            unit_column: t.unit_column.iter().map(|l| spec::label_key(l)).collect(),
            rows,
            complete: t.complete,
            columns,
            blank_is_zero: t.blank_is_zero,
        });
    }
    for (key, p) in &raw.fields.prose {
        declare(&mut cx, format!("prose.{}", key.get_ref()), key.span());
        let patterns = cx.compiled(&p.patterns, "pattern", spec::compile_pattern);
        let zero = cx.phrases(&p.zero, "zero phrase");
        let terms = cx.phrases(&p.terms, "term");
        let claims = cx.phrases(&p.claims, "claim");
        if p.patterns.is_empty() && p.zero.is_empty() && p.terms.is_empty() && p.claims.is_empty() {
            cx.error(
                "RF005",
                key.span(),
                format!(
                    "prose field `{}` has no terms, claims or patterns",
                    key.get_ref()
                ),
                "here",
            );
        }
        if !p.ratio_of.is_empty() && p.ratio_of.len() != 2 {
            cx.error(
                "RF005",
                key.span(),
                "`ratio_of` names two prose fields: the part, then the whole".into(),
                "here",
            );
        }
        let named = p
            .under
            .iter()
            .chain(&p.part_of)
            .chain(&p.ratio_of)
            .flat_map(|u| {
                u.get_ref()
                    .split('+')
                    .map(|k| (k.trim().to_string(), u.span()))
                    .collect::<Vec<_>>()
            });
        for (name, span) in named {
            let known = raw.fields.prose.keys().any(|k| *k.get_ref() == name)
                || fields.prose.iter().any(|f| f.key == name);
            if !known {
                cx.error(
                    "RF003",
                    span,
                    format!("`{name}` is not a prose field"),
                    "here",
                );
            }
        }
        let unit = match &p.unit {
            None => None,
            Some(u) => match MoneyUnit::parse(u.get_ref()) {
                Some(m) => Some(m),
                None => {
                    cx.error(
                        "RF007",
                        u.span(),
                        format!(
                            "unknown unit `{}`: a prose figure's unit is 元, 万元 or 亿元",
                            u.get_ref()
                        ),
                        "here",
                    );
                    None
                }
            },
        };
        let title = p.title.clone().unwrap_or_else(|| key.get_ref().clone());
        titles.insert(format!("prose.{}", key.get_ref()), title.clone());
        let ty = pattern_type(&mut cx, key, &patterns, unit.is_some());
        field_types.insert(format!("prose.{}", key.get_ref()), ty);
        let narrow = cx.phrases(&p.narrow, "narrow-scope phrase");
        let unless = cx.phrases(&p.unless, "`unless` phrase");
        let percent = p.units.iter().any(|u| u == "%");
        if percent {
            field_types.insert(format!("prose.{}", key.get_ref()), Ty::Num);
        }
        fields.prose.push(ProseSpec {
            narrow,
            unless,
            unit,
            key: key.get_ref().clone(),
            title,
            patterns,
            zero,
            terms,
            claims,
            under: p.under.iter().map(|u| u.get_ref().clone()).collect(),
            part: p.part,
            share: p.share,
            part_of: p.part_of.iter().map(|u| u.get_ref().clone()).collect(),
            ratio_of: match p.ratio_of.as_slice() {
                [a, b] => Some((a.get_ref().clone(), b.get_ref().clone())),
                _ => None,
            },
            units: p.units.clone(),
            sections: p
                .section
                .iter()
                .map(|s| crate::document::NormText::new(s, 0).text)
                .collect(),
        });
    }
    for (key, r) in &raw.fields.report {
        declare(&mut cx, format!("report.{}", key.get_ref()), key.span());
        // `from` + `patterns` is one source; `sources` lists several, tried in order.
        type Source<'r> = (&'r [Spanned<String>], &'r [Spanned<String>]);
        let mut raw_sources: Vec<Source> = Vec::new();
        if !r.from.is_empty() || !r.patterns.is_empty() {
            raw_sources.push((&r.from, &r.patterns));
        }
        raw_sources.extend(r.sources.iter().map(|s| (&s.from[..], &s.patterns[..])));
        if raw_sources.is_empty() {
            cx.error(
                "RF005",
                key.span(),
                format!("report field `{}` has no patterns", key.get_ref()),
                "here",
            );
        }
        let mut sources = Vec::new();
        let mut patterns = Vec::new();
        for (from, pats) in raw_sources {
            let origins = report_origins(&mut cx, from);
            let mut compiled = Vec::new();
            for pat in pats {
                match if r.marker {
                    spec::compile_marker(pat.get_ref())
                } else {
                    spec::compile_pattern(pat.get_ref())
                } {
                    Ok(c) => compiled.push(c),
                    Err(e) => cx.error(
                        "RF006",
                        pat.span(),
                        format!("invalid pattern: {e}"),
                        "this pattern",
                    ),
                }
            }
            patterns.extend(compiled.iter().cloned());
            sources.push(spec::ReportSource {
                origins,
                patterns: compiled,
            });
        }
        let title = r.title.clone().unwrap_or_else(|| key.get_ref().clone());
        titles.insert(format!("report.{}", key.get_ref()), title.clone());
        let ty = pattern_type(&mut cx, key, &patterns, false);
        field_types.insert(format!("report.{}", key.get_ref()), ty);
        fields.report.push(ReportSpec {
            key: key.get_ref().clone(),
            title,
            sources,
        });
    }
    if let Some(o) = &raw.outline {
        fields.outline = outline(&mut cx, o, &fields.report);
    }
    if let Some(w) = &raw.wording {
        let own = wording(&mut cx, w);
        merge_wording(&mut fields.wording, own);
    }
    for (k, title) in crate::facts::statement_fields() {
        titles
            .entry(k.to_string())
            .or_insert_with(|| title.to_string());
        field_types.entry(k.to_string()).or_insert(Ty::Str);
    }
    for (k, title, _) in COMPUTED_REPORT_FIELDS {
        titles
            .entry(format!("report.{k}"))
            .or_insert_with(|| title.to_string());
        field_types.entry(format!("report.{k}")).or_insert(Ty::Num);
    }
    // `let` bindings, resolved in order: each may use the ones before it.
    for (name, value) in &raw.lets {
        if titles.contains_key(name.get_ref()) {
            cx.error(
                "RF004",
                name.span(),
                format!("`let {}` hides a field of the same name", name.get_ref()),
                "here",
            );
            continue;
        }
        let scope = Scope {
            fields: &titles,
            lets: &lets,
        };
        if let Some(e) = cx.expr(
            value,
            &format!("let {}", name.get_ref()),
            &scope,
            &field_types,
            false,
        ) {
            lets.insert(name.get_ref().clone(), std::sync::Arc::new(e));
        } else {
            // Known but broken: its uses are not reported again as unknown names.
            lets.insert(
                name.get_ref().clone(),
                std::sync::Arc::new(Expr {
                    kind: dsl::ast::ExprKind::Path(format!("let {} (invalid)", name.get_ref())),
                    span: 0..0,
                }),
            );
        }
    }
    if let Some(r) = &raw.region {
        let scope = Scope {
            fields: &titles,
            lets: &lets,
        };
        region_totals.clear();
        for t in &r.totals {
            if let Some(e) = cx.expr(t, "a region total", &scope, &field_types, false) {
                let (ty, _) = types::check(&e, &field_types, false);
                if matches!(ty, Ty::Num | Ty::Money | Ty::Unknown) {
                    region_totals.push((t.get_ref().clone(), e));
                } else {
                    cx.error(
                        "RF016",
                        t.span(),
                        "a region total is one count or amount (a field or `let` of one cell)"
                            .to_string(),
                        "here",
                    );
                }
            }
        }
    }
    let scope = Scope {
        fields: &titles,
        lets: &lets,
    };
    if let Some(a) = raw
        .ruleset
        .applies
        .as_ref()
        .and_then(|a| cx.expr(a, "applies", &scope, &field_types, true))
    {
        applies = Some(a);
    }
    let detect = raw
        .ruleset
        .detect
        .as_ref()
        .and_then(|d| cx.expr(d, "detect", &scope, &field_types, true));
    let mut ids: BTreeMap<String, std::ops::Range<usize>> = BTreeMap::new();
    for r in &raw.rules {
        if rules[..inherited].iter().any(|x| &x.id == r.id.get_ref()) {
            cx.error(
                "RF008",
                r.id.span(),
                format!("rule `{}` comes from the base rule set: change it with [override.\"{}\"] or list it in `disable`", r.id.get_ref(), r.id.get_ref()),
                "already defined",
            );
            continue;
        }
        if let Some(prev) = ids.get(r.id.get_ref()) {
            let d = Diagnostic::new(
                Severity::Error,
                "RF008",
                "rule-file",
                format!("duplicate rule id `{}`", r.id.get_ref()),
            )
            .with_label(Label::primary(
                Span::new(r.id.span().start, r.id.span().end),
                "used again here",
            ))
            .with_label(Label::secondary(
                Span::new(prev.start, prev.end),
                "first used here",
            ));
            cx.diags.push(d);
        }
        ids.insert(r.id.get_ref().clone(), r.id.span());
        let Some(severity) = Severity::parse(r.severity.get_ref()) else {
            cx.error(
                "RF009",
                r.severity.span(),
                format!(
                    "unknown severity `{}`: use error, warning or info",
                    r.severity.get_ref()
                ),
                "here",
            );
            continue;
        };
        let check = cx.expr(
            &r.check,
            &format!("rule {}", r.id.get_ref()),
            &scope,
            &field_types,
            true,
        );
        let when = r.when.as_ref().map(|w| {
            cx.expr(
                w,
                &format!("rule {} (when)", r.id.get_ref()),
                &scope,
                &field_types,
                true,
            )
        });
        let primary = match r.primary.as_ref().map(|p| p.get_ref().as_str()) {
            None | Some("lhs") => Primary::Lhs,
            Some("rhs") => Primary::Rhs,
            Some(other) => {
                let span = r.primary.as_ref().map_or(0..0, Spanned::span);
                cx.error(
                    "RF009",
                    span,
                    format!("`primary` must be \"lhs\" or \"rhs\", found `{other}`"),
                    "here",
                );
                Primary::Lhs
            }
        };
        for m in [&r.message, &r.message_en] {
            check_placeholders(&mut cx, m, &titles, &lets);
        }
        let min_certainty = r
            .min_certainty
            .as_ref()
            .or(raw.ruleset.min_certainty.as_ref())
            .and_then(|m| certainty(&mut cx, m));
        let (Some(check), Some(when)) = (check, when.map_or(Some(None), |w| w.map(Some))) else {
            continue;
        };
        rules.push(Rule {
            id: r.id.get_ref().clone(),
            name: r.name.get_ref().clone(),
            severity,
            check_src: r.check.get_ref().clone(),
            check,
            when,
            when_src: r.when.as_ref().map(|w| w.get_ref().clone()),
            primary,
            min_certainty,
            message: r.message.get_ref().clone(),
            message_en: r.message_en.get_ref().clone(),
            help: r.help.clone(),
            help_en: r.help_en.clone(),
            doc: RuleDoc {
                why: r.why.clone(),
                example: r.example.clone(),
            },
            origin: name.to_string(),
            tests: r
                .tests
                .iter()
                .filter_map(|t| rule_test(&mut cx, t))
                .collect(),
            // Set once the set's 2-D forms are all known (below).
            iterated: Vec::new(),
        });
    }
    // A set-wide `min_certainty` applies to the rules it extends too, unless a rule sets its own.
    if let Some(m) = raw.ruleset.min_certainty.as_ref() {
        if let Some(b) = certainty(&mut cx, m) {
            for r in rules.iter_mut().take(inherited) {
                r.min_certainty.get_or_insert(b);
            }
        }
    }
    // Overrides and disabled rules (by id, or by id or name prefix ending in `*`).
    for (id, o) in &raw.overrides {
        let Some(rule) = rules.iter_mut().find(|r| &r.id == id.get_ref()) else {
            let known: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
            cx.error(
                "RF013",
                id.span(),
                format!(
                    "no rule `{}` to override{}",
                    id.get_ref(),
                    dsl::did_you_mean(id.get_ref(), known.iter())
                ),
                "here",
            );
            continue;
        };
        if let Some(sev) = &o.severity {
            match Severity::parse(sev.get_ref()) {
                Some(s) => rule.severity = s,
                None => cx.error(
                    "RF009",
                    sev.span(),
                    format!(
                        "unknown severity `{}`: use error, warning or info",
                        sev.get_ref()
                    ),
                    "here",
                ),
            }
        }
    }
    for d in &raw.ruleset.disable {
        let pat = d.get_ref();
        let before = rules.len();
        rules.retain(|r| !rule_matches(r, pat));
        if rules.len() == before {
            cx.error(
                "RF013",
                d.span(),
                format!("`disable` names `{pat}`, which matches no rule"),
                "here",
            );
        }
    }
    if let Some(a) = &raw.ruleset.applies {
        applies_src = Some(a.get_ref().clone());
    }
    if !cx.diags.is_empty() {
        return Err(fail(cx.diags));
    }
    for r in &mut rules {
        r.iterated = super::engine::iterated_of(&r.check, r.when.as_ref(), &dims);
    }
    Ok(RuleSet {
        id: raw.ruleset.id.get_ref().clone(),
        title: raw.ruleset.title.clone(),
        description: raw.ruleset.description.clone(),
        origin: name.to_string(),
        applies,
        applies_src,
        detect,
        detect_src: raw.ruleset.detect.as_ref().map(|d| d.get_ref().clone()),
        fields,
        field_titles: titles,
        field_types,
        lets,
        dims,
        rules,
        region_totals,
    })
}

/// The type of a pattern-bound field: a date for `{date}`, money when a unit is declared or
/// captured, else a number. Patterns of one field must agree.
fn pattern_type(cx: &mut Ctx, key: &Spanned<String>, patterns: &[spec::Pattern], unit: bool) -> Ty {
    let kinds: Vec<Ty> = patterns
        .iter()
        .map(|p| match p.kind {
            spec::Placeholder::Date => Ty::Date,
            // Read from the source: the built-in patterns are compiled on first use.
            _ if unit
                || p.regex.source().contains("(?P<unit>")
                || p.regex.source().contains("(?<unit>") =>
            {
                Ty::Money
            }
            _ => Ty::Num,
        })
        .collect();
    match kinds.first() {
        None => {
            if unit {
                Ty::Money
            } else {
                Ty::Num
            }
        }
        Some(first) if kinds.iter().all(|k| k == first) => first.clone(),
        Some(_) => {
            cx.error(
                "RF011",
                key.span(),
                format!(
                    "the patterns of `{}` capture different kinds of value (dates and numbers)",
                    key.get_ref()
                ),
                "here",
            );
            Ty::Unknown
        }
    }
}

/// Reads the `from` list of a report field.
/// Compiles `[outline]`: each part names a report field whose patterns recognise its heading.
fn outline(cx: &mut Ctx, o: &RawOutline, report: &[ReportSpec]) -> spec::OutlineSpec {
    let mut parts = Vec::new();
    for p in &o.parts {
        let key = p.get_ref().trim_start_matches("report.");
        match report.iter().find(|r| r.key == key) {
            Some(r) => parts.push(spec::PartSpec {
                key: key.to_string(),
                title: r.title.clone(),
                patterns: r
                    .sources
                    .iter()
                    .flat_map(|s| s.patterns.iter().map(|p| p.regex.clone()))
                    .collect(),
                required: o
                    .required
                    .iter()
                    .any(|q| q.get_ref().trim_start_matches("report.") == key),
            }),
            None => {
                let hint = dsl::did_you_mean(key, report.iter().map(|r| &r.key));
                cx.error(
                    "RF014",
                    p.span(),
                    format!("`[outline]` part `{key}` is no report field of this rule set{hint}"),
                    "a report field (`[fields.report]`) that recognises the part's heading",
                );
            }
        }
    }
    for q in &o.required {
        let key = q.get_ref().trim_start_matches("report.");
        if !parts.iter().any(|p: &spec::PartSpec| p.key == key) {
            cx.error(
                "RF014",
                q.span(),
                format!("`required` names `{key}`, which is not one of `parts`"),
                "here",
            );
        }
    }
    let subtopics = cx.phrases(&o.subtopics, "pattern");
    spec::OutlineSpec {
        parts,
        subtopics,
        empty_words: o.empty_words.clone(),
    }
}

/// Compiles `[wording]`.
fn wording(cx: &mut Ctx, w: &RawWording) -> spec::WordingSpec {
    let mut out = spec::WordingSpec {
        enabled: true,
        repeat_ok: w.repeat_ok.clone(),
        ..spec::WordingSpec::default()
    };
    out.doubled = cx.phrases(&w.doubled, "pattern");
    for (wrong, right) in &w.confusions {
        if right.is_empty() {
            // Taken out of a base's list (merge_wording).
            if let Ok(re) = spec::compile_zero(wrong.get_ref()) {
                out.confusions.push((re, String::new()));
            }
            continue;
        }
        match spec::compile_zero(wrong.get_ref()) {
            Ok(re) => out.confusions.push((re, right.clone())),
            Err(e) => cx.error(
                "RF006",
                wrong.span(),
                format!("invalid pattern: {e}"),
                "this pattern",
            ),
        }
    }
    for (c, words) in &w.cut_off {
        let mut chars = c.get_ref().chars();
        match (chars.next(), chars.next()) {
            (Some(ch), None) if words.iter().all(|w| w.ends_with(ch)) => {
                out.cut_off.push((ch, words.clone()));
            }
            (Some(ch), None) => cx.error(
                "RF015",
                c.span(),
                format!("every word listed under `{ch}` must end in `{ch}`"),
                "here",
            ),
            _ => cx.error(
                "RF015",
                c.span(),
                "a `cut_off` key is one character: the character a clause cannot end in"
                    .to_string(),
                "here",
            ),
        }
    }
    for pair in &w.lookalikes {
        let chars: Vec<char> = pair.get_ref().chars().collect();
        match chars[..] {
            [a, b] if a != b => out.lookalikes.push((a, b)),
            _ => cx.error(
                "RF015",
                pair.span(),
                "a look-alike pair is two different characters (`沭沐`)".to_string(),
                "here",
            ),
        }
    }
    out
}

/// Adds a file's wording lists to its bases': a confusion mapped to `""` or a character mapped
/// to `[]` takes the base's entry out.
fn merge_wording(into: &mut spec::WordingSpec, own: spec::WordingSpec) {
    into.enabled |= own.enabled;
    for w in own.repeat_ok {
        if !into.repeat_ok.contains(&w) {
            into.repeat_ok.push(w);
        }
    }
    for d in own.doubled {
        if !into.doubled.iter().any(|x| x.source() == d.source()) {
            into.doubled.push(d);
        }
    }
    for (re, right) in own.confusions {
        into.confusions.retain(|(x, _)| x.source() != re.source());
        if !right.is_empty() {
            into.confusions.push((re, right));
        }
    }
    for (c, words) in own.cut_off {
        into.cut_off.retain(|(x, _)| *x != c);
        if !words.is_empty() {
            into.cut_off.push((c, words));
        }
    }
    for p in own.lookalikes {
        if !into.lookalikes.contains(&p) {
            into.lookalikes.push(p);
        }
    }
}

fn report_origins(cx: &mut Ctx, from: &[Spanned<String>]) -> Vec<Origin> {
    let mut origins = Vec::new();
    for f in from {
        let o = match f.get_ref().as_str() {
            "title" => Origin::Title,
            "body" => Origin::Body,
            "tables" => Origin::Tables,
            "headings" => Origin::Headings,
            "subheadings" => Origin::Subheadings,
            m if m.starts_with("meta:") => {
                Origin::Meta(m[5..].split('|').map(spec::label_key).collect())
            }
            other => {
                cx.error(
                    "RF007",
                    f.span(),
                    format!(
                        "unknown origin `{other}`: use title, body, tables, headings, subheadings or meta:KEY"
                    ),
                    "here",
                );
                continue;
            }
        };
        origins.push(o);
    }
    origins
}

/// Reads a `min_certainty` value: how a fact must at least be bound for the rule to use it.
fn certainty(cx: &mut Ctx, m: &Spanned<String>) -> Option<crate::facts::BoundBy> {
    use crate::facts::BoundBy;
    let b = BoundBy::parse(m.get_ref());
    if b.is_none() {
        cx.error(
            "RF009",
            m.span(),
            format!(
                "`min_certainty` must be one of exact, variant, derived, near, position; found `{}`",
                m.get_ref()
            ),
            "here",
        );
    }
    b
}

/// Whether a rule is named by an id, or by an id or name prefix ending in `*`.
pub fn rule_matches(rule: &Rule, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => rule.id.starts_with(prefix) || rule.name.starts_with(prefix),
        None => rule.id == pattern || rule.name == pattern,
    }
}

fn rule_test(cx: &mut Ctx, t: &RawTest) -> Option<super::RuleTest> {
    let expect = match t.expect.get_ref().as_str() {
        "pass" => super::Expect::Pass,
        "fail" => super::Expect::Fail,
        "skip" => super::Expect::Skip,
        other => {
            cx.error(
                "RF014",
                t.expect.span(),
                format!("`expect` must be pass, fail or skip, found `{other}`"),
                "here",
            );
            return None;
        }
    };
    let input = match (&t.report, &t.file) {
        (Some(r), None) => super::TestInput::Text(r.clone()),
        (None, Some(f)) => super::TestInput::File(f.clone()),
        _ => {
            cx.error(
                "RF014",
                t.expect.span(),
                "a test needs exactly one of `report` (the text) or `file` (a path)".into(),
                "this test",
            );
            return None;
        }
    };
    let previous = match (&t.previous, &t.previous_file) {
        (None, None) => None,
        (Some(r), None) => Some(super::TestInput::Text(r.clone())),
        (None, Some(f)) => Some(super::TestInput::File(f.clone())),
        _ => {
            cx.error(
                "RF014",
                t.expect.span(),
                "a test has at most one of `previous` (last year's report) or `previous_file`"
                    .into(),
                "this test",
            );
            return None;
        }
    };
    Some(super::RuleTest {
        expect,
        input,
        previous,
        replace: t.replace.clone(),
        at: t.at.clone(),
        line: t.line,
        span: t.expect.span(),
    })
}

/// Message placeholders: `{lhs}`, `{rhs}`, `{diff}`, or any field or `let` name.
fn check_placeholders(
    cx: &mut Ctx,
    m: &Spanned<String>,
    fields: &IndexMap<String, String>,
    lets: &BTreeMap<String, std::sync::Arc<Expr>>,
) {
    let text = m.get_ref();
    let mut i = 0;
    // One error per message: the first unknown placeholder is labelled, the others counted.
    let mut unknown: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
    while let Some(open) = text[i..].find('{') {
        let start = i + open;
        let Some(close) = text[start..].find('}') else {
            break;
        };
        let name = &text[start + 1..start + close];
        let known = matches!(name, "lhs" | "rhs" | "diff" | "column" | "row")
            || fields.contains_key(name)
            || lets.contains_key(name);
        if !known {
            unknown.push((start..start + close + 1, name));
        }
        i = start + close + 1;
    }
    let Some((first, name)) = unknown.first().cloned() else {
        return;
    };
    let more = match unknown.len() {
        1 => String::new(),
        n => {
            let shown: Vec<String> = unknown[1..]
                .iter()
                .take(3)
                .map(|(_, n)| format!("`{{{}}}`", short(n)))
                .collect();
            format!(
                " (and {} more in this message: {}{})",
                n - 1,
                shown.join(", "),
                if n > 4 { ", …" } else { "" }
            )
        }
    };
    let names: Vec<String> = ["lhs", "rhs", "diff", "column", "row"]
        .iter()
        .map(|s| s.to_string())
        .chain(fields.keys().cloned())
        .chain(lets.keys().cloned())
        .collect();
    let hint = super::dsl::did_you_mean(name, names.iter())
        .replace("did you mean `", "did you mean `{")
        .replace("`?", "}`?");
    cx.error_in_string(
        "RF010",
        m,
        first,
        if hint.is_empty() {
            format!(
                "unknown placeholder `{{{}}}`{more}: use {{lhs}}, {{rhs}}, {{diff}} or a field name",
                short(name)
            )
        } else {
            format!("unknown placeholder `{{{}}}`{hint}{more}", short(name))
        },
        "here",
    );
}

/// A name from a rule file as shown in a message: at most 40 characters.
fn short(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
[ruleset]
id = "t"
title = "test"

[tables.stats]
value_column = ["统计数"]
[tables.stats.rows]
total = "合计"
a = ["甲", "甲数"]

[fields.prose]
total = { patterns = ["共{n}件"] }

[let]
parts = "table.a + 0"

[[rule]]
id = "T1"
name = "x"
severity = "error"
check = "prose.total == table.total + parts"
message = "{lhs} vs {rhs}"
message_en = "{lhs} vs {rhs}"
"#;

    #[test]
    fn loads_a_small_file() {
        let rs = load("t.toml", MINI).unwrap();
        assert_eq!(rs.rules.len(), 1);
        assert_eq!(
            rs.fields.tables[0].rows[1].keys,
            vec!["甲".to_string(), "甲数".to_string()]
        );
    }

    fn errors(src: &str) -> Vec<(String, String)> {
        load("t.toml", src)
            .unwrap_err()
            .diagnostics
            .into_iter()
            .map(|d| (d.message, src[d.labels[0].span.range()].to_string()))
            .collect()
    }

    #[test]
    fn syntax_error_points_into_the_toml() {
        let bad = MINI.replace("prose.total == table.total + parts", "prose.total == == 1");
        let e = errors(&bad);
        assert_eq!(e.len(), 1);
        assert!(e[0].0.contains("syntax error"), "{e:?}");
        assert_eq!(e[0].1, "=");
        let d = load("t.toml", &bad).unwrap_err().diagnostics;
        let at = d[0].labels[0].span.start;
        assert_eq!(&bad[at - 3..at + 1], "== =");
    }

    #[test]
    fn all_errors_are_reported() {
        let bad = MINI
            .replace(
                "prose.total == table.total + parts",
                "prose.totl == summ(table.a)",
            )
            .replace(
                "{lhs} vs {rhs}\"\nmessage_en",
                "{lhs} vs {nope}\"\nmessage_en",
            )
            .replace("共{n}件", "共(件");
        let e = errors(&bad);
        let msgs: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("invalid pattern")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("did you mean `prose.total`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown function `summ`") && m.contains("`sum`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown placeholder `{nope}`")),
            "{msgs:?}"
        );
        let nope = e.iter().find(|x| x.0.contains("nope")).unwrap();
        assert_eq!(nope.1, "{nope}");
    }

    #[test]
    fn type_errors_point_into_the_toml() {
        let bad = MINI.replace(
            "prose.total == table.total + parts",
            "prose.total == \\\"5\\\"",
        );
        let e = errors(&bad);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].0
                .contains("type error in rule T1: cannot compare a number with a string"),
            "{e:?}"
        );
        assert_eq!(e[0].1, "prose.total == \\\"5\\\"");
    }

    #[test]
    fn toml_errors_have_a_span() {
        let e = errors("[ruleset]\nid = \"x\"\ntitle = \n");
        assert!(e[0].0.starts_with("invalid rule file"), "{e:?}");
        let e = errors(&MINI.replace("severity = \"error\"", "severity = \"fatal\""));
        assert!(e[0].0.contains("unknown severity"));
        assert_eq!(e[0].1, "\"fatal\"");
        let dup = format!("{MINI}\n[[rule]]\nid = \"T1\"\nname = \"y\"\nseverity = \"info\"\ncheck = \"true\"\nmessage = \"m\"\nmessage_en = \"m\"\n");
        let e = errors(&dup);
        assert!(e[0].0.contains("duplicate rule id"), "{e:?}");
    }
}
