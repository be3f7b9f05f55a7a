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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    waived: Vec<WaivedOut<'a>>,
    #[serde(skip_serializing_if = "is_zero")]
    baselined: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct WaivedOut<'a> {
    #[serde(flatten)]
    diagnostic: DiagOut<'a>,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
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
    /// Another report the label is in (last year's, one with the same prose).
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    primary: bool,
    message: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    text: &'a str,
    /// Word input: the paragraph or table cell; PDF: the page and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<String>,
    /// PDF: the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<usize>,
    /// PDF: the rectangle on the page, in points from its bottom left: [x0, y0, x1, y1].
    #[serde(skip_serializing_if = "Option::is_none")]
    rect: Option<[f32; 4]>,
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
    let pos = super::Located::new(f);
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
        diagnostics: f.diagnostics.iter().map(|d| diag_out(d, &pos)).collect(),
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
        waived: f
            .suppressed
            .iter()
            .filter_map(|s| match &s.by {
                crate::policy::Suppression::Waiver { reason, expires } => Some(WaivedOut {
                    diagnostic: diag_out(&s.diagnostic, &pos),
                    reason,
                    expires: expires.map(|e| e.to_string()),
                }),
                crate::policy::Suppression::Baseline => None,
            })
            .collect(),
        baselined: f
            .suppressed
            .iter()
            .filter(|s| s.by == crate::policy::Suppression::Baseline)
            .count(),
    }
}

fn diag_out<'a>(d: &'a crate::diagnostic::Diagnostic, at: &super::Located<'a>) -> DiagOut<'a> {
    DiagOut {
        code: &d.code,
        name: &d.name,
        severity: d.severity,
        message: &d.message,
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (pos, text) = at.of(l);
                let p = pos.of(l.span);
                LabelOut {
                    file: l.file.as_deref(),
                    primary: l.primary,
                    message: &l.message,
                    start: p.start,
                    end: p.end,
                    line: p.line,
                    column: p.column,
                    text: text.get(l.span.range()).unwrap_or(""),
                    place: pos.place(l.span),
                    page: pos.page_rect(l.span).map(|(p, _)| p),
                    rect: pos
                        .page_rect(l.span)
                        .map(|(_, r)| r.map(|v| (v * 10.0).round() / 10.0)),
                }
            })
            .collect(),
        notes: &d.notes,
        help: d.help.as_deref(),
        values: &d.values,
    }
}

/// The end of a run besides the totals: suppressed findings, the config file's findings and
/// the baseline's fixed findings (each only when there is one).
#[derive(Serialize)]
struct EndOut<'a> {
    totals: super::Counts,
    #[serde(skip_serializing_if = "is_zero")]
    waived: usize,
    #[serde(skip_serializing_if = "is_zero")]
    baselined: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<ConfigOut<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fixed: &'a [crate::policy::BaselineEntry],
}

#[derive(Serialize)]
struct ConfigOut<'a> {
    path: &'a str,
    diagnostics: Vec<DiagOut<'a>>,
}

fn end_out<'a>(batch: &super::Batch, end: &'a super::End) -> EndOut<'a> {
    let mut totals = batch.totals;
    totals.add(end.counts());
    EndOut {
        totals,
        waived: batch.waived,
        baselined: batch.baselined,
        config: end.config.as_ref().map(|(name, text)| {
            let pos = super::Located::text(text);
            ConfigOut {
                path: name,
                diagnostics: end
                    .config_findings
                    .iter()
                    .map(|d| diag_out(d, &pos))
                    .collect(),
            }
        }),
        fixed: &end.fixed,
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

/// The end of the batch document: the totals (with the config file's findings), known once
/// every file is written, and what else the run says at its end.
pub fn end(batch: &super::Batch, end: &super::End) -> String {
    let json = serde_json::to_string_pretty(&end_out(batch, end)).unwrap_or_default();
    // The members of the end object, as members of the batch document.
    let inner = json
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches('\n')
        .to_string();
    super::visible::json_safe(format!("\n  ],\n{inner}\n}}\n"))
}

/// One file as one line of JSON (`--format jsonl`).
pub fn file_line(f: &FileReport) -> String {
    let mut line =
        super::visible::json_safe(serde_json::to_string(&file_out(f)).unwrap_or_default());
    line.push('\n');
    line
}

/// The last line of JSON Lines output: the totals and what else the run says at its end.
pub fn end_lines(batch: &super::Batch, end: &super::End) -> String {
    let mut line =
        super::visible::json_safe(serde_json::to_string(&end_out(batch, end)).unwrap_or_default());
    line.push('\n');
    line
}

/// Renders the batch as pretty-printed JSON (the same document the streaming writer builds).
pub fn render(files: &[FileReport]) -> String {
    let mut out = begin();
    for (i, f) in files.iter().enumerate() {
        let entry = file_entry(f);
        out.push_str(if i == 0 { &entry[1..] } else { &entry });
    }
    let mut batch = super::Batch::default();
    for f in files {
        batch.add(&super::FileSummary::of(f));
    }
    out.push_str(&end(&batch, &super::End::default()));
    out
}
