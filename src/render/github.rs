//! `--format github`: GitHub Actions workflow commands, one annotation per finding, so a
//! pre-publish check in CI marks the lines of the report.

use crate::diagnostic::Severity;
use crate::{FileReport, FileStatus};

fn escape_data(s: &str) -> String {
    super::visible::visible(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the batch as workflow commands.
pub fn render(files: &[FileReport]) -> String {
    files.iter().map(file_lines).collect()
}

/// One file's workflow commands.
pub fn file_lines(f: &FileReport) -> String {
    let mut out = String::new();
    {
        let file = escape_property(&f.path);
        match &f.status {
            FileStatus::Failed(reason) | FileStatus::NotChecked(reason) => {
                out.push_str(&format!(
                    "::error file={file},title=RL001 not checked::{}\n",
                    escape_data(reason)
                ));
                return out;
            }
            FileStatus::Checked { .. } => {}
        }
        let at = super::Located::new(f);
        for d in &f.diagnostics {
            out.push_str(&annotation(&file, &at, d));
        }
    }
    out
}

/// The config file's findings (expired or unused waivers) as workflow commands.
pub fn config_lines(end: &super::End) -> String {
    let Some((name, text)) = &end.config else {
        return String::new();
    };
    let at = super::Located::text(text);
    let file = escape_property(name);
    end.config_findings
        .iter()
        .map(|d| annotation(&file, &at, d))
        .collect()
}

fn annotation(file: &str, at: &super::Located, d: &crate::diagnostic::Diagnostic) -> String {
    let pos = at.own();
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut msg = d.message.clone();
    for n in &d.notes {
        msg.push('\n');
        msg.push_str(n);
    }
    // An annotation has one place: the other side (the table cell) is named in the text.
    for l in d.labels.iter().filter(|l| !l.primary || l.file.is_some()) {
        let p = at.of(l).0.of(l.span);
        let other = l.file.as_ref().map_or(String::new(), |f| format!("{f} "));
        msg.push_str(&format!(
            "\nsee also {other}line {}, column {}: {}",
            p.line, p.column, l.message
        ));
    }
    if let Some(h) = &d.help {
        msg.push_str(&format!("\nhelp: {h}"));
    }
    let title = escape_property(&format!("{} {}", d.code, d.name));
    match d.primary_label() {
        Some(l) => {
            let p = pos.of(l.span);
            format!(
                "::{level} file={file},line={},col={},endLine={},endColumn={},title={title}::{}\n",
                p.line,
                p.column,
                p.end_line,
                p.end_column,
                escape_data(&msg)
            )
        }
        None => format!(
            "::{level} file={file},title={title}::{}\n",
            escape_data(&msg)
        ),
    }
}
