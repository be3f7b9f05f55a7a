//! Machine-readable output (`--format json`): one JSON document for the whole batch.

use crate::{FileReport, FileStatus};
use serde::Serialize;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    files: Vec<FileOut<'a>>,
    totals: super::Counts,
}

#[derive(Serialize)]
struct FileOut<'a> {
    path: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ruleset: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ruleset_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'a str>,
    diagnostics: Vec<DiagOut<'a>>,
    rules: Vec<RuleOut<'a>>,
}

#[derive(Serialize)]
struct DiagOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: crate::diagnostic::Severity,
    message: &'a str,
    labels: Vec<LabelOut<'a>>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    values: &'a std::collections::BTreeMap<String, String>,
}

#[derive(Serialize)]
struct LabelOut<'a> {
    primary: bool,
    message: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    text: &'a str,
}

#[derive(Serialize)]
struct RuleOut<'a> {
    id: &'a str,
    name: &'a str,
    status: crate::RuleStatus,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
}

/// Renders the batch as pretty-printed JSON.
pub fn render(files: &[FileReport]) -> String {
    let out = Out {
        version: 1,
        totals: super::totals(files),
        files: files
            .iter()
            .map(|f| {
                let text = f.source.as_ref().map_or("", |s| s.text.as_str());
                let pos = super::Positions::new(f.source.as_ref());
                let (status, reason, ruleset, ruleset_reason) = match &f.status {
                    FileStatus::Checked { ruleset, reason } => (
                        "checked",
                        None,
                        Some(ruleset.as_str()),
                        Some(reason.as_str()),
                    ),
                    FileStatus::NotChecked(r) => ("not-checked", Some(r.as_str()), None, None),
                    FileStatus::Failed(r) => ("failed", Some(r.as_str()), None, None),
                };
                FileOut {
                    path: &f.path,
                    status,
                    reason,
                    ruleset,
                    ruleset_reason,
                    encoding: f.source.as_ref().map(|s| s.encoding),
                    diagnostics: f
                        .diagnostics
                        .iter()
                        .map(|d| DiagOut {
                            code: &d.code,
                            name: &d.name,
                            severity: d.severity,
                            message: &d.message,
                            labels: d
                                .labels
                                .iter()
                                .map(|l| {
                                    let p = pos.of(l.span);
                                    LabelOut {
                                        primary: l.primary,
                                        message: &l.message,
                                        start: p.start,
                                        end: p.end,
                                        line: p.line,
                                        column: p.column,
                                        text: text.get(l.span.range()).unwrap_or(""),
                                    }
                                })
                                .collect(),
                            notes: &d.notes,
                            help: d.help.as_deref(),
                            values: &d.values,
                        })
                        .collect(),
                    rules: f
                        .rules
                        .iter()
                        .map(|r| RuleOut {
                            id: &r.id,
                            name: &r.name,
                            status: r.status,
                            detail: &r.detail,
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    super::visible::json_safe(
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    )
}
