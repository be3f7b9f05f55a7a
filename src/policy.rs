//! What the project decided about findings, applied to each file's report after it is checked
//! and before it is rendered: built-in checks selected or ignored, per-path overrides, waivers
//! and the baseline. Nothing is dropped silently: a waived or baselined finding moves to
//! [`FileReport::suppressed`], where every renderer counts it.

use crate::config::{Config, Selector};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Label};
use crate::facts::checks::{WAIVER_EXPIRED, WAIVER_UNUSED};
use crate::span::Span;
use crate::FileReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A finding that is not reported as one, and why.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// What suppressed it.
    pub by: Suppression,
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// A waiver in the config file.
    Waiver {
        /// Its reason.
        reason: String,
        /// Its expiry date.
        expires: Option<Date>,
    },
    /// The baseline given with `--baseline`.
    Baseline,
}

/// One finding recorded in a baseline, keyed by its content: the rule, the file, the values
/// it involves and the text its labels mark (never line numbers, so that edits elsewhere in the
/// report keep the baseline valid).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Rule id.
    pub rule: String,
    /// The file, relative to the project directory.
    pub file: String,
    /// The values involved, by fact path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// The text under each label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<String>,
    /// The message when it was recorded (for people; not compared).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// How many identical findings.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

/// A baseline file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// The format version (1).
    #[serde(rename = "report-lint-baseline")]
    pub version: u32,
    /// The findings.
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// Parses a baseline file.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| {
            format!("not a report-lint baseline ({e}); write one with --write-baseline FILE")
        })?;
        if b.version != 1 {
            return Err(format!(
                "baseline version {} is not supported (this report-lint writes version 1)",
                b.version
            ));
        }
        Ok(b)
    }

    /// The baseline as JSON, entries in a stable order.
    pub fn to_json(&self) -> String {
        let mut b = self.clone();
        b.findings.sort();
        serde_json::to_string_pretty(&b).unwrap_or_default() + "\n"
    }
}

type Key = (String, String, BTreeMap<String, String>, Vec<String>);

fn key_of(e: &BaselineEntry) -> Key {
    (
        e.rule.clone(),
        e.file.clone(),
        e.values.clone(),
        e.text.clone(),
    )
}

/// The findings that concern the project's own files (the config file): waivers that expired
/// or waive nothing.
#[derive(Debug, Default)]
pub struct Closing {
    /// Findings pointing into the config file.
    pub config: Vec<Diagnostic>,
    /// Baseline findings not seen again (fixed).
    pub fixed: Vec<BaselineEntry>,
    /// Findings matched by the baseline.
    pub baselined: usize,
    /// The baseline of this run (with `--write-baseline`).
    pub written: Option<Baseline>,
}

/// The decisions applied to every file of a run.
pub struct Policy {
    select: Vec<Selector>,
    ignore: Vec<Selector>,
    config: Config,
    today: Date,
    /// Per waiver: findings waived, and whether a checked file was in its scope.
    used: Vec<AtomicUsize>,
    in_scope: Vec<AtomicBool>,
    baseline: Option<Mutex<BTreeMap<Key, (usize, BaselineEntry)>>>,
    baselined: AtomicUsize,
    record: Option<Mutex<Vec<BaselineEntry>>>,
}

impl Policy {
    /// The policy of a run: the selectors in force (command line or config), the config (its
    /// overrides and waivers), a baseline to compare with, and whether to record one.
    pub fn new(
        select: Vec<Selector>,
        ignore: Vec<Selector>,
        config: Config,
        baseline: Option<Baseline>,
        record: bool,
        today: Date,
    ) -> Policy {
        let n = config.waivers.len();
        let baseline = baseline.map(|b| {
            let mut m: BTreeMap<Key, (usize, BaselineEntry)> = BTreeMap::new();
            for e in b.findings {
                let k = key_of(&e);
                let c = e.count.max(1);
                m.entry(k).or_insert((0, e)).0 += c;
            }
            Mutex::new(m)
        });
        Policy {
            select,
            ignore,
            config,
            today,
            used: (0..n).map(|_| AtomicUsize::new(0)).collect(),
            in_scope: (0..n).map(|_| AtomicBool::new(false)).collect(),
            baseline,
            baselined: AtomicUsize::new(0),
            record: record.then(|| Mutex::new(Vec::new())),
        }
    }

    /// Whether a built-in check (`RL…`) is in force: rules of the rule sets were selected when
    /// they loaded.
    fn keeps_check(&self, d: &Diagnostic) -> bool {
        if !d.code.starts_with("RL") {
            return true;
        }
        (self.select.is_empty() || self.select.iter().any(|s| s.matches(&d.code, &d.name)))
            && !self.ignore.iter().any(|s| s.matches(&d.code, &d.name))
    }

    /// Applies the policy to one file's report.
    pub fn apply(&self, f: &mut FileReport) {
        // Paths are matched only when something needs them (overrides, waivers, a baseline).
        let needs_path = !self.config.overrides.is_empty()
            || !self.config.waivers.is_empty()
            || self.baseline.is_some()
            || self.record.is_some();
        let rel = if needs_path {
            self.config.relative(Path::new(&f.path))
        } else {
            String::new()
        };
        f.diagnostics.retain(|d| self.keeps_check(d));
        for o in self.config.overrides.iter().filter(|o| o.applies(&rel)) {
            f.diagnostics
                .retain(|d| !o.ignore.iter().any(|s| s.matches(&d.code, &d.name)));
            for (sel, to) in &o.severity {
                match to {
                    None => f.diagnostics.retain(|d| !sel.matches(&d.code, &d.name)),
                    Some(sev) => f
                        .diagnostics
                        .iter_mut()
                        .filter(|d| sel.matches(&d.code, &d.name))
                        .for_each(|d| d.severity = *sev),
                }
            }
        }
        let waivers: Vec<usize> = (0..self.config.waivers.len())
            .filter(|&i| self.config.waivers[i].covers_file(&rel))
            .collect();
        for &i in &waivers {
            self.in_scope[i].store(true, Ordering::Relaxed);
        }
        let text = f.source.as_ref().map_or("", |s| s.text.as_str());
        let mut kept = Vec::with_capacity(f.diagnostics.len());
        for d in std::mem::take(&mut f.diagnostics) {
            let waiver = waivers.iter().copied().find(|&i| {
                let w = &self.config.waivers[i];
                w.covers(&d) && w.expires.is_none_or(|e| e >= self.today)
            });
            if let Some(i) = waiver {
                self.used[i].fetch_add(1, Ordering::Relaxed);
                let w = &self.config.waivers[i];
                f.suppressed.push(Suppressed {
                    diagnostic: d,
                    by: Suppression::Waiver {
                        reason: w.reason.clone(),
                        expires: w.expires,
                    },
                });
                continue;
            }
            if self.record.is_none() && self.baseline.is_none() {
                kept.push(d);
                continue;
            }
            let entry = entry(&d, &rel, text);
            if let Some(rec) = &self.record {
                rec.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(entry.clone());
            }
            let matched = self.baseline.as_ref().is_some_and(|b| {
                let mut b = b.lock().unwrap_or_else(|e| e.into_inner());
                match b.get_mut(&key_of(&entry)) {
                    Some((left, _)) if *left > 0 => {
                        *left -= 1;
                        true
                    }
                    _ => false,
                }
            });
            if matched {
                self.baselined.fetch_add(1, Ordering::Relaxed);
                f.suppressed.push(Suppressed {
                    diagnostic: d,
                    by: Suppression::Baseline,
                });
            } else {
                kept.push(d);
            }
        }
        f.diagnostics = kept;
    }

    /// What the run says at its end: expired and unused waivers (findings in the config
    /// file), the baseline's fixed findings, and the baseline to write.
    pub fn close(self, lang: crate::diagnostic::Lang) -> Closing {
        let mut out = Closing {
            baselined: self.baselined.load(Ordering::Relaxed),
            ..Closing::default()
        };
        let finding = |check: &crate::facts::checks::BuiltinCheck,
                       w: &crate::config::Waiver,
                       zh: String,
                       en: String| {
            Diagnostic::new(check.severity, check.id, check.name, lang.pick(&zh, &en))
                .with_label(Label::primary(w.span, lang.pick("此豁免", "this waiver")))
                .with_help(check.fix_in(lang))
        };
        for (i, w) in self.config.waivers.iter().enumerate() {
            let (rule, files) = (w.rule.as_str(), &w.files);
            if let Some(e) = w.expires.filter(|&e| e < self.today) {
                out.config.push(finding(
                    &WAIVER_EXPIRED,
                    w,
                    format!("豁免已于 {e} 到期：{rule} 在 {files} 中的问题重新报告"),
                    format!(
                        "waiver expired on {e}: findings of {rule} in {files} are reported again"
                    ),
                ));
            } else if self.in_scope[i].load(Ordering::Relaxed)
                && self.used[i].load(Ordering::Relaxed) == 0
            {
                out.config.push(finding(
                    &WAIVER_UNUSED,
                    w,
                    format!("豁免未匹配任何问题：{rule} 在 {files} 中没有需要豁免的问题"),
                    format!(
                        "waiver waives nothing: no finding of {rule} in the files {files} matches"
                    ),
                ));
            }
        }
        if let Some(b) = self.baseline {
            let b = b.into_inner().unwrap_or_else(|e| e.into_inner());
            for (_, (left, e)) in b {
                if left > 0 {
                    out.fixed.push(BaselineEntry { count: left, ..e });
                }
            }
        }
        if let Some(rec) = self.record {
            let mut entries = rec.into_inner().unwrap_or_else(|e| e.into_inner());
            entries.sort();
            let mut findings: Vec<BaselineEntry> = Vec::new();
            for e in entries {
                match findings.last_mut() {
                    Some(last) if key_of(last) == key_of(&e) => last.count += 1,
                    _ => findings.push(e),
                }
            }
            out.written = Some(Baseline {
                version: 1,
                findings,
            });
        }
        out
    }
}

/// The baseline entry of a finding.
fn entry(d: &Diagnostic, rel: &str, text: &str) -> BaselineEntry {
    let marked = |s: Span| text.get(s.range()).unwrap_or("").trim().to_string();
    BaselineEntry {
        rule: d.code.clone(),
        file: rel.to_string(),
        values: d.values.clone(),
        text: d.labels.iter().map(|l| marked(l.span)).collect(),
        message: d.message.clone(),
        count: 1,
    }
}

/// Checks that every selector selects a rule or a built-in check: a misspelt selector would
/// otherwise switch checking off without a word. Returns, for each one that selects nothing,
/// the message with the nearest known id.
pub fn unknown_selectors<'a>(
    selectors: impl Iterator<Item = &'a Selector>,
    known: &[(String, String)],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in selectors {
        if known.iter().any(|(id, name)| s.matches(id, name)) {
            continue;
        }
        let ids: Vec<String> = known.iter().map(|(id, _)| id.clone()).collect();
        let upper = s.as_str().to_ascii_uppercase();
        let prefix = Selector::new(&format!("{}*", s.as_str().trim_end_matches('*')));
        let hint =
            if !s.as_str().ends_with('*') && known.iter().any(|(id, n)| prefix.matches(id, n)) {
                format!("; did you mean `{}`?", prefix.as_str())
            } else {
                crate::rules::dsl::did_you_mean(&upper, ids.iter())
            };
        out.push((
            s.as_str().to_string(),
            format!("`{}` selects no rule{hint}", s.as_str()),
        ));
    }
    out
}
