//! `report-lint rules test`: runs the test cases that ship with rule files (`[[rule.test]]`).
//! Every rule defined in a file needs at least one passing and one failing case.

use crate::diagnostic::Lang;
use crate::rules::{self, Expect, RuleSet, TestInput};
use crate::span::LineIndex;
use crate::{check_with, source, RuleStatus};
use std::path::Path;

/// The result of one test case (or of a missing one).
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// Rule id.
    pub rule: String,
    /// 1-based number of the case within the rule (0 for "missing case" results).
    pub index: usize,
    /// What was expected, in words.
    pub expect: String,
    /// Whether it held.
    pub ok: bool,
    /// Why not (empty when ok).
    pub why: String,
}

fn outcome_text(st: &[RuleStatus], details: &[String]) -> String {
    let parts: Vec<String> = st
        .iter()
        .zip(details)
        .map(|(s, d)| {
            let s = match s {
                RuleStatus::Passed => "passed",
                RuleStatus::Failed => "failed",
                RuleStatus::Skipped => "skipped",
                RuleStatus::NotApplicable => "not applicable",
            };
            if d.is_empty() {
                s.to_string()
            } else {
                format!("{s} ({d})")
            }
        })
        .collect();
    if parts.is_empty() {
        "no outcome".into()
    } else {
        parts.join("; ")
    }
}

/// Runs one case of one rule.
fn run_case(
    rs: &RuleSet,
    rule_index: usize,
    case: &rules::RuleTest,
    base_dir: &Path,
) -> Result<(), String> {
    let rule = &rs.rules[rule_index];
    let read = |input: &TestInput, inline: &str| -> Result<source::Source, String> {
        let (name, bytes) = match input {
            TestInput::Text(t) => (inline.to_string(), t.clone().into_bytes()),
            TestInput::File(f) => {
                // A report file, read as reports are: regular files only, within the size limit.
                let p = base_dir.join(f);
                (
                    p.display().to_string(),
                    source::read_bounded(&p, crate::limits::get().input_bytes)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                )
            }
        };
        source::decode(&name, &bytes).map_err(|e| e.to_string())
    };
    let src = read(&case.input, "case.txt")?;
    let mut src = src;
    for (from, to) in &case.replace {
        if !src.text.contains(from.as_str()) {
            return Err(format!("`replace`: the report has no {from:?}"));
        }
        src.text = src.text.replacen(from.as_str(), to, 1);
    }
    let text = src.text.clone();
    let mut single = rs.clone();
    single.rules = vec![rule.clone()];
    let single = crate::rules::Sets::from(vec![single]);
    let previous = match &case.previous {
        None => None,
        Some(p) => Some(
            crate::bind_source(read(p, "previous.txt")?, &single, true, Lang::Zh)
                .map_err(|e| format!("last year's report: {e}"))?,
        ),
    };
    let report = match &previous {
        None => check_with(src, single.get(0), String::new(), Lang::Zh),
        Some(p) => crate::check_source_in(
            src,
            &single,
            true,
            Lang::Zh,
            crate::Context {
                previous: Some(p),
                previous_given: true,
                similar: &[],
                region: None,
            },
        ),
    };
    let st: Vec<RuleStatus> = report.rules.iter().map(|r| r.status).collect();
    let details: Vec<String> = report.rules.iter().map(|r| r.detail.clone()).collect();
    let got = outcome_text(&st, &details);
    match case.expect {
        Expect::Pass if !st.is_empty() && st.iter().all(|s| *s == RuleStatus::Passed) => Ok(()),
        Expect::Skip if !st.is_empty() && st.iter().all(|s| *s == RuleStatus::Skipped) => Ok(()),
        Expect::Fail if st.contains(&RuleStatus::Failed) => {
            let lines = LineIndex::new(&text);
            let primaries: Vec<(usize, &str)> = report
                .diagnostics
                .iter()
                .filter(|d| d.code == rule.id)
                .flat_map(|d| d.labels.iter().filter(|l| l.primary && l.file.is_none()))
                .map(|l| (lines.line(l.span.start), &text[l.span.range()]))
                .collect();
            if let Some(at) = &case.at {
                if !primaries.iter().any(|(_, t)| t == at) {
                    return Err(format!(
                        "expected the primary label on {at:?}, found {:?}",
                        primaries.iter().map(|p| p.1).collect::<Vec<_>>()
                    ));
                }
            }
            if let Some(line) = case.line {
                if !primaries.iter().any(|(l, _)| *l == line) {
                    return Err(format!(
                        "expected the primary label on line {line}, found lines {:?}",
                        primaries.iter().map(|p| p.0).collect::<Vec<_>>()
                    ));
                }
            }
            Ok(())
        }
        _ => Err(format!("got: {got}")),
    }
}

/// Runs every case of every rule defined in one rule file.
pub fn run_file(path: &Path) -> Result<Vec<CaseResult>, rules::LoadError> {
    let name = path.display().to_string();
    let text = rules::read_rule_file(path).map_err(|e| rules::LoadError {
        file: name.clone(),
        text: String::new(),
        total: 1,
        diagnostics: vec![crate::diagnostic::Diagnostic::new(
            crate::diagnostic::Severity::Error,
            "RF000",
            "rule-file",
            format!("cannot read {name}: {e}"),
        )],
    })?;
    let rs = rules::load(&name, &text)?;
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (ri, rule) in rs.rules.iter().enumerate() {
        if rule.origin != name {
            continue; // inherited from a base file: tested there
        }
        for (ci, case) in rule.tests.iter().enumerate() {
            let expect = format!("{:?}", case.expect).to_lowercase();
            let r = run_case(&rs, ri, case, base_dir);
            out.push(CaseResult {
                rule: rule.id.clone(),
                index: ci + 1,
                expect,
                ok: r.is_ok(),
                why: r.err().unwrap_or_default(),
            });
        }
        for (want, label) in [(Expect::Pass, "passing"), (Expect::Fail, "failing")] {
            if !rule.tests.iter().any(|t| t.expect == want) {
                out.push(CaseResult {
                    rule: rule.id.clone(),
                    index: 0,
                    expect: label.into(),
                    ok: false,
                    why: format!(
                        "the rule has no {label} test case ([[rule.test]] with expect = \"{}\")",
                        if want == Expect::Pass { "pass" } else { "fail" }
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Rule files under the given paths (directories: every `*.toml` below them).
pub fn rule_files(paths: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.path())
                        .filter(|x| x.extension().is_some_and(|e| e == "toml"))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}
