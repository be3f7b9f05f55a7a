//! The project configuration: `report-lint.toml`, or the `[tool.report-lint]` table of a
//! `pyproject.toml`, found from the working directory upward (the first file that has one
//! wins), or given with `--config`. It sets what the command line can set (rule files,
//! select/ignore, output format, language, fail level, limits) and what only a file can hold:
//! per-path overrides and waivers. Command-line flags win over it; `--isolated` ignores it.
//!
//! Errors point into the TOML, as for rule files.

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Label, Lang, Severity};
use crate::span::Span;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

/// The name of the project config file.
pub const FILE_NAME: &str = "report-lint.toml";

/// When a run fails (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// An error-level finding fails the run (the default).
    Error,
    /// A warning or an error fails the run.
    Warning,
    /// Findings never fail the run (files that cannot be read still do, with exit code 2).
    Never,
}

impl FailOn {
    /// Parses `error`, `warning`, `never`.
    pub fn parse(s: &str) -> Option<FailOn> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }
}

/// A rule selector: a rule id or name, or a prefix ending in `*` (`GI18-P*`), matched without
/// regard to ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(String);

impl Selector {
    /// A selector as written.
    pub fn new(s: &str) -> Selector {
        Selector(s.trim().to_string())
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it selects the rule or check with this id and name.
    pub fn matches(&self, code: &str, name: &str) -> bool {
        let starts = |s: &str, p: &str| {
            s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        };
        match self.0.strip_suffix('*') {
            Some(prefix) => starts(code, prefix) || starts(name, prefix),
            None => code.eq_ignore_ascii_case(&self.0) || name.eq_ignore_ascii_case(&self.0),
        }
    }
}

/// Per-path settings: for the reports its globs match, rules switched off or given another
/// severity.
#[derive(Debug, Clone)]
pub struct Override {
    /// The globs as written.
    pub files: Vec<String>,
    matcher: GlobSet,
    /// Rules switched off for these files.
    pub ignore: Vec<Selector>,
    /// Rules given another severity; `None`: off.
    pub severity: Vec<(Selector, Option<Severity>)>,
}

impl Override {
    /// Whether the override applies to a file (its path relative to the config directory).
    pub fn applies(&self, rel: &str) -> bool {
        self.matcher.is_match(rel)
    }
}

/// A waiver: findings of a rule in some files (and, optionally, on one fact) that are known
/// and accepted, with the reason and an optional expiry date. A waived finding is still counted
/// and listed as waived.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The rule (selector).
    pub rule: Selector,
    /// The glob of the files, as written.
    pub files: String,
    matcher: GlobSet,
    /// A fact path (`table.review_cases`) the finding must involve.
    pub fact: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the waiver holds.
    pub expires: Option<Date>,
    /// Where the waiver is in the config file.
    pub span: Span,
}

impl Waiver {
    /// Whether the waiver covers a file (its path relative to the config directory).
    pub fn covers_file(&self, rel: &str) -> bool {
        self.matcher.is_match(rel)
    }

    /// Whether the waiver covers a finding in a file it covers.
    pub fn covers(&self, d: &Diagnostic) -> bool {
        self.rule.matches(&d.code, &d.name)
            && self
                .fact
                .as_ref()
                .is_none_or(|f| d.values.contains_key(f.as_str()))
    }
}

/// The config file a configuration was read from (for diagnostics pointing into it).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The path as shown.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A selector as written in the config file, with its place.
pub type SpannedSelector = (Selector, Span);

/// A project configuration. Every field is optional: what is not set keeps its default.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub file: Option<ConfigFile>,
    /// The directory relative paths and globs start from.
    pub dir: PathBuf,
    /// Rule files (relative to `dir`).
    pub rules: Vec<PathBuf>,
    /// Only these rules.
    pub select: Vec<SpannedSelector>,
    /// Not these rules.
    pub ignore: Vec<SpannedSelector>,
    /// Output format name (`human`, `json`, …).
    pub format: Option<String>,
    /// Language of messages.
    pub lang: Option<Lang>,
    /// When the run fails.
    pub fail_on: Option<FailOn>,
    /// `[limits]`: (key, value, place).
    pub limits: Vec<(String, u64, Span)>,
    /// `[[overrides]]`, in file order (later ones win).
    pub overrides: Vec<Override>,
    /// `[[waivers]]`.
    pub waivers: Vec<Waiver>,
    /// The selectors of the overrides and waivers, with their places.
    other_selectors: Vec<SpannedSelector>,
}

/// A config file that cannot be used: what is wrong, pointing into it.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub file: ConfigFile,
    /// Every error found.
    pub diagnostics: Vec<Diagnostic>,
}

/// The output formats a config file may name.
pub const FORMATS: &[&str] = &[
    "human", "json", "jsonl", "sarif", "github", "junit", "csv", "html",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    format: Option<Spanned<String>>,
    lang: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    limits: indexmap::IndexMap<Spanned<String>, Spanned<u64>>,
    #[serde(default)]
    overrides: Vec<Spanned<RawOverride>>,
    #[serde(default)]
    waivers: Vec<Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    files: Spanned<Vec<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: indexmap::IndexMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    files: Spanned<String>,
    fact: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyTool>,
}

#[derive(Deserialize)]
struct PyTool {
    #[serde(rename = "report-lint")]
    report_lint: Option<Raw>,
}

/// The config file that applies to a directory: `report-lint.toml`, or a `pyproject.toml` with
/// a `[tool.report-lint]` table, in it or the nearest directory above it that has one.
///
/// The path is given relative to `start` (`../report-lint.toml`), as a user would write it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    for (up, dir) in start.ancestors().enumerate() {
        let shown = |name: &str| {
            let mut p = PathBuf::new();
            for _ in 0..up {
                p.push("..");
            }
            p.join(name)
        };
        let own = dir.join(FILE_NAME);
        if own.is_file() {
            return Some(shown(FILE_NAME));
        }
        let py = dir.join("pyproject.toml");
        if py.is_file()
            && std::fs::read_to_string(&py).is_ok_and(|t| {
                t.parse::<toml::Table>()
                    .is_ok_and(|doc| doc.get("tool").and_then(|t| t.get("report-lint")).is_some())
            })
        {
            return Some(shown("pyproject.toml"));
        }
    }
    None
}

fn error(code: &str, span: std::ops::Range<usize>, msg: String) -> Diagnostic {
    Diagnostic::new(Severity::Error, code, "config", msg)
        .with_label(Label::primary(Span::new(span.start, span.end), "here"))
}

/// Reads and validates a config file. `max_bytes` bounds the read.
pub fn load(path: &Path, max_bytes: u64) -> Result<Config, ConfigError> {
    let name = path.display().to_string();
    let text = crate::source::read_bounded(path, max_bytes)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not UTF-8".to_string()));
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            return Err(ConfigError {
                file: ConfigFile {
                    name: name.clone(),
                    text: String::new(),
                },
                diagnostics: vec![Diagnostic::new(
                    Severity::Error,
                    "RC000",
                    "config",
                    format!("cannot read config file {name}: {e}"),
                )],
            })
        }
    };
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let file = ConfigFile { name, text };
    parse(file, dir)
}

/// Parses a config file's text (`report-lint.toml`, or `pyproject.toml` by its name).
pub fn parse(file: ConfigFile, dir: PathBuf) -> Result<Config, ConfigError> {
    let pyproject = Path::new(&file.name)
        .file_name()
        .is_some_and(|n| n == "pyproject.toml");
    let raw: Result<Option<Raw>, toml::de::Error> = if pyproject {
        toml::from_str::<Pyproject>(&file.text).map(|p| p.tool.and_then(|t| t.report_lint))
    } else {
        toml::from_str::<Raw>(&file.text).map(Some)
    };
    let raw = match raw {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Ok(Config {
                dir,
                ..Config::default()
            })
        }
        Err(e) => {
            let d = error(
                "RC001",
                e.span().unwrap_or(0..0),
                format!("invalid config file: {}", e.message().trim()),
            )
            .with_help("docs/config.md lists every key");
            return Err(ConfigError {
                file,
                diagnostics: vec![d],
            });
        }
    };
    let mut diags = Vec::new();
    let mut cfg = Config {
        dir: dir.clone(),
        ..Config::default()
    };
    cfg.rules = raw.rules.iter().map(|r| dir.join(r.get_ref())).collect();
    let selectors = |v: &[Spanned<String>]| -> Vec<SpannedSelector> {
        v.iter()
            .map(|s| {
                (
                    Selector::new(s.get_ref()),
                    Span::new(s.span().start, s.span().end),
                )
            })
            .collect()
    };
    cfg.select = selectors(&raw.select);
    cfg.ignore = selectors(&raw.ignore);
    if let Some(f) = &raw.format {
        if FORMATS.contains(&f.get_ref().as_str()) {
            cfg.format = Some(f.get_ref().clone());
        } else {
            diags.push(error(
                "RC002",
                f.span(),
                format!(
                    "unknown format `{}`: use one of {}",
                    f.get_ref(),
                    FORMATS.join(", ")
                ),
            ));
        }
    }
    if let Some(l) = &raw.lang {
        match l.get_ref().as_str() {
            "zh" => cfg.lang = Some(Lang::Zh),
            "en" => cfg.lang = Some(Lang::En),
            other => diags.push(error(
                "RC002",
                l.span(),
                format!("unknown language `{other}`: use zh or en"),
            )),
        }
    }
    if let Some(f) = &raw.fail_on {
        match FailOn::parse(f.get_ref()) {
            Some(v) => cfg.fail_on = Some(v),
            None => diags.push(error(
                "RC002",
                f.span(),
                format!(
                    "unknown fail level `{}`: use error, warning or never",
                    f.get_ref()
                ),
            )),
        }
    }
    for (k, v) in &raw.limits {
        let mut probe = crate::limits::Limits::default();
        match probe.set(k.get_ref(), *v.get_ref()) {
            Ok(()) => cfg.limits.push((
                k.get_ref().clone(),
                *v.get_ref(),
                Span::new(k.span().start, v.span().end),
            )),
            Err(e) => {
                diags.push(error("RC001", k.span(), e).with_help("docs/limits.md lists the limits"))
            }
        }
    }
    for o in &raw.overrides {
        let ov = o.get_ref();
        let matcher = match globs(ov.files.get_ref()) {
            Ok(m) => m,
            Err(e) => {
                diags.push(error("RC003", ov.files.span(), e));
                continue;
            }
        };
        let mut severity = Vec::new();
        for (rule, level) in &ov.severity {
            let to = match level.get_ref().as_str() {
                "off" => None,
                s => match Severity::parse(s) {
                    Some(s) => Some(s),
                    None => {
                        diags.push(error(
                            "RC002",
                            level.span(),
                            format!("unknown severity `{s}`: use error, warning, info or off"),
                        ));
                        continue;
                    }
                },
            };
            severity.push((Selector::new(rule.get_ref()), to));
        }
        cfg.overrides.push(Override {
            files: ov.files.get_ref().clone(),
            matcher,
            ignore: ov
                .ignore
                .iter()
                .map(|s| Selector::new(s.get_ref()))
                .collect(),
            severity,
        });
        // Selectors of overrides are checked with the others.
        let spanned = |s: &Spanned<String>| {
            (
                Selector::new(s.get_ref()),
                Span::new(s.span().start, s.span().end),
            )
        };
        cfg.other_selectors.extend(ov.ignore.iter().map(spanned));
        cfg.other_selectors.extend(ov.severity.keys().map(spanned));
    }
    for w in &raw.waivers {
        let wv = w.get_ref();
        let span = Span::new(w.span().start, w.span().end);
        let matcher = match globs(std::slice::from_ref(wv.files.get_ref())) {
            Ok(m) => m,
            Err(e) => {
                diags.push(error("RC003", wv.files.span(), e));
                continue;
            }
        };
        let reason = match &wv.reason {
            Some(r) if !r.get_ref().trim().is_empty() => r.get_ref().trim().to_string(),
            Some(r) => {
                diags.push(error(
                    "RC004",
                    r.span(),
                    "a waiver needs a reason: say why the finding is accepted".into(),
                ));
                continue;
            }
            None => {
                diags.push(
                    error(
                        "RC004",
                        w.span(),
                        "a waiver needs a reason: say why the finding is accepted".into(),
                    )
                    .with_help("add reason = \"…\" (and expires = 2027-06-30 if it is temporary)"),
                );
                continue;
            }
        };
        let expires = match &wv.expires {
            None => None,
            Some(e) => {
                let text = match e.get_ref() {
                    toml::Value::Datetime(d) => d.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match Date::parse(&text).filter(|_| text.len() <= 10) {
                    Some(d) => Some(d),
                    None => {
                        diags.push(error(
                            "RC002",
                            e.span(),
                            format!("`{text}` is not a date: write expires = 2027-06-30"),
                        ));
                        continue;
                    }
                }
            }
        };
        cfg.waivers.push(Waiver {
            rule: Selector::new(wv.rule.get_ref()),
            files: wv.files.get_ref().clone(),
            matcher,
            fact: wv.fact.as_ref().map(|f| f.get_ref().trim().to_string()),
            reason,
            expires,
            span,
        });
        cfg.other_selectors.push((
            Selector::new(wv.rule.get_ref()),
            Span::new(wv.rule.span().start, wv.rule.span().end),
        ));
    }
    if !diags.is_empty() {
        return Err(ConfigError {
            file,
            diagnostics: diags,
        });
    }
    cfg.file = Some(file);
    Ok(cfg)
}

/// Compiles globs relative to the config directory. A glob without `/` matches a file name at
/// any depth (`*.html`); one with `/` matches the path from the config directory
/// (`drafts/**`).
fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let p = p.trim().trim_start_matches("./");
        let full = if p.contains('/') {
            p.to_string()
        } else {
            format!("**/{p}")
        };
        let g = GlobBuilder::new(&full)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{p}`: {e}"))?;
        b.add(g);
    }
    b.build().map_err(|e| format!("invalid globs: {e}"))
}

impl Config {
    /// A file's path relative to the config directory, with `/` separators (the path as given
    /// when it is outside that directory), for matching globs.
    pub fn relative(&self, path: &Path) -> String {
        let cwd = std::env::current_dir().unwrap_or_default();
        let abs = |p: &Path| {
            lexical(&if p.is_absolute() {
                p.to_path_buf()
            } else {
                cwd.join(p)
            })
        };
        let (file, dir) = (abs(path), abs(&self.dir));
        let rel = file.strip_prefix(&dir).map_or(path, |r| r);
        rel.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every selector written in the config file, with its place (to check that each selects
    /// something).
    pub fn all_selectors(&self) -> Vec<SpannedSelector> {
        let mut v = self.select.clone();
        v.extend(self.ignore.iter().cloned());
        v.extend(self.other_selectors.iter().cloned());
        v
    }
}

/// A path with `.` and `..` resolved without touching the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The starter config `report-lint init` writes.
pub const STARTER: &str = r#"# report-lint project configuration (docs/config.md).
# Command-line flags win over this file; `--isolated` ignores it.

# Rule files to use instead of the built-in sets (paths relative to this file).
# rules = ["rules/our-office.toml"]

# Only these rules, and not these: ids or names, or prefixes ending in `*`; case does not matter.
# select = ["GI21-*", "RL*"]
# ignore = ["GI21-D001"]

# Output format (human, json, jsonl, sarif, github), language of messages (zh, en), and what
# fails the run (error, warning, never).
# format = "human"
# lang = "zh"
# fail-on = "error"

# Limits on hostile input (docs/limits.md).
# [limits]
# input_bytes = 33554432

# Per-path settings: rules off, or another severity, for the files the globs match.
# A glob without `/` matches file names at any depth; one with `/` the path from here.
# [[overrides]]
# files = ["drafts/**"]
# ignore = ["GI21-Y*"]
# severity = { "GI21-P010" = "warning", "RL101" = "off" }

# Waivers: findings known and accepted. A waived finding is still counted and listed as
# waived; an expired waiver and one that waives nothing are findings themselves.
# [[waivers]]
# rule = "GI21-P010"
# files = "2023/*.html"
# fact = "table.review_cases"          # optional: only findings on this fact
# reason = "the 2023 report counts the review decided in January 2024; agreed with the office"
# expires = 2026-06-30                 # optional
"#;
