//! Human output: codespan-reporting diagnostics (CJK-aware alignment), then per-file and batch
//! summaries. Written to a buffer, with or without colour.

use super::Counts;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::HtmlOrigin;
use crate::span::LineIndex;
use crate::{FileReport, FileStatus, RuleStatus};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files, SimpleFile};
use codespan_reporting::term::{self, termcolor::WriteColor};

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<()> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Info => cs::Severity::Note,
    };
    let mut notes = d.notes.clone();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(&d.code)
        .with_message(&d.message)
        .with_labels(
            d.labels
                .iter()
                .map(|l| {
                    let lab = if l.primary {
                        cs::Label::primary((), l.span.range())
                    } else {
                        cs::Label::secondary((), l.span.range())
                    };
                    lab.with_message(&l.message)
                })
                .collect(),
        )
        .with_notes(notes)
}

/// A file for codespan whose snippets show the visible text while line numbers come from the
/// HTML file the text was extracted from (plain files: their own line numbers).
struct MappedFile<'a> {
    name: &'a str,
    text: &'a str,
    starts: Vec<usize>,
    origin: Option<(&'a HtmlOrigin, LineIndex<'a>)>,
}

impl<'a> MappedFile<'a> {
    fn new(name: &'a str, text: &'a str, origin: Option<&'a HtmlOrigin>) -> MappedFile<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        MappedFile {
            name,
            text,
            starts,
            origin: origin.map(|o| (o, LineIndex::new(&o.raw))),
        }
    }
}

impl<'a> Files<'a> for MappedFile<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self
            .starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, files::Error> {
        Ok(match &self.origin {
            Some((o, lines)) => {
                let start = self.starts.get(line_index).copied().unwrap_or(0);
                lines.line(o.map.get(start).copied().unwrap_or(0))
            }
            None => line_index + 1,
        })
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, files::Error> {
        let start = *self
            .starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.starts.len() - 1,
            })?;
        let end = self
            .starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// Writes diagnostics about one file (a report, or a rule file).
pub fn emit_diagnostics(
    out: &mut dyn WriteColor,
    name: &str,
    text: &str,
    diags: &[Diagnostic],
) -> std::io::Result<()> {
    emit_mapped(out, name, text, None, diags)
}

/// Writes diagnostics about a report; for HTML input the line numbers are those of the page.
pub fn emit_mapped(
    out: &mut dyn WriteColor,
    name: &str,
    text: &str,
    origin: Option<&HtmlOrigin>,
    diags: &[Diagnostic],
) -> std::io::Result<()> {
    let file = MappedFile::new(name, text, origin);
    let config = term::Config::default();
    for d in diags {
        term::emit_to_write_style(out, &config, &file, &to_codespan(d))
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_text(c: Counts) -> String {
    let mut parts = vec![
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
    ];
    if c.infos > 0 {
        parts.push(plural(c.infos, "info", "infos"));
    }
    parts.join(", ")
}

/// Writes the whole human report for a batch of files.
pub fn emit(out: &mut dyn WriteColor, files: &[FileReport], verbose: bool) -> std::io::Result<()> {
    for f in files {
        emit_file(out, f, verbose)?;
    }
    if files.len() > 1 {
        let total = super::totals(files);
        let failed = files
            .iter()
            .filter(|f| !matches!(f.status, FileStatus::Checked { .. }))
            .count();
        let with_errors = files
            .iter()
            .filter(|f| Counts::of(&f.diagnostics).errors > 0)
            .count();
        writeln!(
            out,
            "\nchecked {} of {}: {}; {} with errors{}",
            plural(files.len() - failed, "file", "files"),
            files.len(),
            counts_text(total),
            plural(with_errors, "file", "files"),
            if failed > 0 {
                format!("; {} could not be checked", plural(failed, "file", "files"))
            } else {
                String::new()
            }
        )?;
        // For reviewers of many reports: which findings are common across the batch.
        let mut by_rule: std::collections::BTreeMap<(&str, &str, Severity), usize> =
            Default::default();
        for f in files {
            let mut seen = std::collections::BTreeSet::new();
            for d in &f.diagnostics {
                if seen.insert(d.code.as_str()) {
                    *by_rule
                        .entry((d.code.as_str(), d.name.as_str(), d.severity))
                        .or_default() += 1;
                }
            }
        }
        if !by_rule.is_empty() {
            let mut rows: Vec<_> = by_rule.into_iter().collect();
            rows.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then(b.0 .2.cmp(&a.0 .2))
                    .then(a.0 .0.cmp(b.0 .0))
            });
            writeln!(out, "findings by rule (files with at least one):")?;
            for ((code, name, sev), n) in rows {
                writeln!(out, "  {n:>4}  {code:<10} {sev:<7} {name}")?;
            }
        }
    }
    Ok(())
}

fn emit_file(out: &mut dyn WriteColor, f: &FileReport, verbose: bool) -> std::io::Result<()> {
    match &f.status {
        FileStatus::Failed(reason) => {
            let d = Diagnostic::new(
                Severity::Error,
                "RL001",
                "unreadable-file",
                format!("{}: {reason}", f.path),
            );
            let cs = to_codespan(&d);
            let file = SimpleFile::new(f.path.as_str(), "");
            term::emit_to_write_style(out, &term::Config::default(), &file, &cs)
                .map_err(std::io::Error::other)?;
            writeln!(out, "{}: not checked\n", f.path)?;
            return Ok(());
        }
        FileStatus::NotChecked(reason) => {
            if let Some(src) = &f.source {
                emit_diagnostics(out, &f.path, &src.text, &f.diagnostics)?;
            }
            writeln!(out, "{}: not checked: {reason}\n", f.path)?;
            return Ok(());
        }
        FileStatus::Checked { .. } => {}
    }
    let Some(src) = &f.source else { return Ok(()) };
    emit_mapped(out, &f.path, &src.text, src.html.as_ref(), &f.diagnostics)?;
    let (mut passed, mut failed, mut skipped, mut na) = (0, 0, 0, 0);
    for r in &f.rules {
        match r.status {
            RuleStatus::Passed => passed += 1,
            RuleStatus::Failed => failed += 1,
            RuleStatus::Skipped => skipped += 1,
            RuleStatus::NotApplicable => na += 1,
        }
    }
    if verbose {
        if let FileStatus::Checked { ruleset, reason } = &f.status {
            writeln!(out, "rule set: {ruleset} ({reason})")?;
        }
        writeln!(out, "encoding: {}", src.encoding)?;
        for r in &f.rules {
            let tag = match r.status {
                RuleStatus::Passed => "passed ",
                RuleStatus::Failed => "failed ",
                RuleStatus::Skipped => "skipped",
                RuleStatus::NotApplicable => "n/a    ",
            };
            let detail = if r.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", r.detail)
            };
            writeln!(out, "  {tag} {} {}{detail}", r.id, r.name)?;
        }
    }
    let c = Counts::of(&f.diagnostics);
    let mut rules = format!("rules: {passed} passed, {failed} failed, {skipped} skipped");
    if na > 0 {
        rules.push_str(&format!(", {na} not applicable"));
    }
    if skipped > 0 && !verbose {
        rules.push_str(" (--verbose lists them with reasons)");
    }
    writeln!(out, "{}: {}; {rules}\n", f.path, counts_text(c))?;
    Ok(())
}
