//! `--format junit`: JUnit XML, for CI systems that show test reports. Each report is a test
//! suite; each rule (and each built-in check with a finding) a test case that fails with its
//! findings, is skipped with the reason, or passes.

use super::visible::visible;
use super::Positions;
use crate::diagnostic::Diagnostic;
use crate::{FileReport, FileStatus, RuleStatus};

/// XML-escapes a text (control characters made visible first: XML 1.0 cannot carry them).
fn esc(s: &str) -> String {
    visible(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The start of the document.
pub fn begin() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"report-lint\">\n".to_string()
}

/// The end of the document, with the config file's findings (expired or unused waivers) as a
/// suite of their own.
pub fn end(end: &super::End) -> String {
    let mut out = String::new();
    if let Some((name, text)) = &end.config {
        let pos = Positions::text(text);
        out.push_str(&suite(name, &[], &end.config_findings, &pos));
    }
    out.push_str("</testsuites>\n");
    out
}

struct Case {
    name: String,
    failures: Vec<String>,
    skipped: Option<String>,
}

fn finding_text(d: &Diagnostic, path: &str, pos: &Positions) -> String {
    let place = d.primary_label().map_or(String::new(), |l| {
        let p = pos.of(l.span);
        format!("{path}:{}:{}: ", p.line, p.column)
    });
    let mut t = format!("{place}{}: {}", d.severity, d.message);
    for n in &d.notes {
        t.push_str(&format!("\n  = {n}"));
    }
    if let Some(h) = &d.help {
        t.push_str(&format!("\n  = help: {h}"));
    }
    t
}

fn suite(
    path: &str,
    records: &[crate::RuleRecord],
    diags: &[Diagnostic],
    pos: &Positions,
) -> String {
    let mut cases: Vec<Case> = Vec::new();
    for r in records {
        let name = format!("{} {}", r.id, r.name);
        let i = match cases.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                cases.push(Case {
                    name,
                    failures: Vec::new(),
                    skipped: Some(String::new()),
                });
                cases.len() - 1
            }
        };
        // A rule is skipped only when every instance of it was.
        match r.status {
            RuleStatus::Skipped => {
                if let Some(s) = &mut cases[i].skipped {
                    if s.is_empty() {
                        *s = r.detail.clone();
                    }
                }
            }
            _ => cases[i].skipped = None,
        }
    }
    for d in diags {
        let name = format!("{} {}", d.code, d.name);
        let text = finding_text(d, path, pos);
        match cases.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                c.skipped = None;
                c.failures.push(text);
            }
            None => cases.push(Case {
                name,
                failures: vec![text],
                skipped: None,
            }),
        }
    }
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let skipped = cases
        .iter()
        .filter(|c| c.failures.is_empty() && c.skipped.is_some())
        .count();
    let mut out = format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n",
        esc(path),
        cases.len()
    );
    for c in &cases {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            esc(path),
            esc(&c.name)
        ));
        if !c.failures.is_empty() {
            let first = c.failures[0].lines().next().unwrap_or("");
            out.push_str(&format!(
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                esc(first),
                esc(&c.failures.join("\n"))
            ));
        } else if let Some(why) = &c.skipped {
            out.push_str(&format!(
                ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                esc(why)
            ));
        } else {
            out.push_str("/>\n");
        }
    }
    out.push_str("  </testsuite>\n");
    out
}

/// One report as a test suite.
pub fn file_suite(f: &FileReport) -> String {
    match &f.status {
        FileStatus::Failed(reason) | FileStatus::NotChecked(reason) => format!(
            "  <testsuite name=\"{p}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"{p}\" name=\"RL001 not-checked\">\n      <error message=\"{r}\">{r}</error>\n    </testcase>\n  </testsuite>\n",
            p = esc(&f.path),
            r = esc(reason)
        ),
        FileStatus::Checked { .. } => {
            let pos = Positions::new(f.source.as_ref());
            suite(&f.path, &f.rules, &f.diagnostics, &pos)
        }
    }
}
