//! `--format csv`: one row per finding, for spreadsheets. UTF-8 with a byte-order mark, so that
//! spreadsheet programs open the Chinese text as UTF-8; every field quoted (RFC 4180).

use super::visible::visible;
use super::Positions;
use crate::diagnostic::Diagnostic;
use crate::{FileReport, FileStatus};

/// The columns.
const HEADER: [&str; 11] = [
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "name",
    "message",
    "help",
    "suppressed",
];

fn field(s: &str) -> String {
    format!("\"{}\"", visible(s).replace('"', "\"\""))
}

/// The byte-order mark and the header row.
pub fn begin() -> String {
    let cols: Vec<String> = HEADER.iter().map(|h| field(h)).collect();
    format!("\u{FEFF}{}\r\n", cols.join(","))
}

fn row(path: &str, d: &Diagnostic, pos: &Positions, suppressed: &str) -> String {
    let p = d.primary_label().map(|l| pos.of(l.span));
    let num =
        |f: fn(&super::Position) -> usize| p.as_ref().map_or(String::new(), |p| f(p).to_string());
    let cols = [
        field(path),
        field(&num(|p| p.line)),
        field(&num(|p| p.column)),
        field(&num(|p| p.end_line)),
        field(&num(|p| p.end_column)),
        field(&d.severity.to_string()),
        field(&d.code),
        field(&d.name),
        field(&d.message),
        field(d.help.as_deref().unwrap_or("")),
        field(suppressed),
    ];
    format!("{}\r\n", cols.join(","))
}

/// One report's rows: its findings, then its waived and baselined findings (marked so).
pub fn file_rows(f: &FileReport) -> String {
    if let FileStatus::Failed(reason) | FileStatus::NotChecked(reason) = &f.status {
        let d = Diagnostic::new(
            crate::diagnostic::Severity::Error,
            "RL001",
            "not-checked",
            reason.clone(),
        );
        return row(&f.path, &d, &Positions::new(None), "");
    }
    let pos = Positions::new(f.source.as_ref());
    let mut out = String::new();
    for d in &f.diagnostics {
        out.push_str(&row(&f.path, d, &pos, ""));
    }
    for s in &f.suppressed {
        let how = match &s.by {
            crate::policy::Suppression::Waiver { reason, .. } => format!("waived: {reason}"),
            crate::policy::Suppression::Baseline => "baseline".to_string(),
        };
        out.push_str(&row(&f.path, &s.diagnostic, &pos, &how));
    }
    out
}

/// The config file's findings (expired or unused waivers).
pub fn end(end: &super::End) -> String {
    let Some((name, text)) = &end.config else {
        return String::new();
    };
    let pos = Positions::text(text);
    end.config_findings
        .iter()
        .map(|d| row(name, d, &pos, ""))
        .collect()
}
