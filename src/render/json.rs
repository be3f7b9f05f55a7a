//! Machine-readable output: `--format json`, one JSON document for the whole batch, written
//! file by file as the files are checked; `--format jsonl`, one line per file.

use crate::{FileReport, FileStatus};
use serde::Serialize;

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

/// The JSON object of one file.
fn file_out(f: &FileReport) -> FileOut<'_> {
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
}

/// The start of the batch document.
pub fn begin() -> String {
    "{\n  \"version\": 1,\n  \"files\": [".to_string()
}

/// One file's entry in the batch document, pretty-printed and indented to its place, preceded
/// by `,` (the writer leaves the first one out).
pub fn file_entry(f: &FileReport) -> String {
    let json = serde_json::to_string_pretty(&file_out(f)).unwrap_or_default();
    let mut out = String::from(",\n");
    for (i, line) in json.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    super::visible::json_safe(out)
}

/// The end of the batch document: the totals, known once every file is written.
pub fn end(totals: super::Counts) -> String {
    let totals = serde_json::to_string_pretty(&totals)
        .unwrap_or_default()
        .replace('\n', "\n  ");
    format!("\n  ],\n  \"totals\": {totals}\n}}\n")
}

/// One file as one line of JSON (`--format jsonl`).
pub fn file_line(f: &FileReport) -> String {
    let mut line =
        super::visible::json_safe(serde_json::to_string(&file_out(f)).unwrap_or_default());
    line.push('\n');
    line
}

/// The last line of JSON Lines output: the totals.
pub fn end_lines(totals: super::Counts) -> String {
    format!(
        "{{\"totals\":{}}}\n",
        serde_json::to_string(&totals).unwrap_or_default()
    )
}

/// Renders the batch as pretty-printed JSON (the same document the streaming writer builds).
pub fn render(files: &[FileReport]) -> String {
    let mut out = begin();
    for (i, f) in files.iter().enumerate() {
        let entry = file_entry(f);
        out.push_str(if i == 0 { &entry[1..] } else { &entry });
    }
    out.push_str(&end(super::totals(files)));
    out
}
