//! Human output: codespan-reporting diagnostics (CJK-aware alignment), then per-file and batch
//! summaries. Written to a buffer, with or without colour.

use super::visible::{visible, VisibleWriter};
use super::Counts;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::HtmlOrigin;
use crate::{FileReport, FileStatus, RuleStatus};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor::WriteColor};
use std::io::Write;

fn to_codespan(
    d: &Diagnostic,
    span: impl Fn(&Label) -> (usize, std::ops::Range<usize>),
) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Info => cs::Severity::Note,
    };
    let mut notes: Vec<String> = d.notes.iter().map(|n| visible(n).into_owned()).collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {}", visible(h)));
    }
    cs::Diagnostic::new(severity)
        .with_code(visible(&d.code))
        .with_message(visible(&d.message))
        .with_labels(
            d.labels
                .iter()
                .map(|l| {
                    let (file, range) = span(l);
                    let lab = if l.primary {
                        cs::Label::primary(file, range)
                    } else {
                        cs::Label::secondary(file, range)
                    };
                    lab.with_message(visible(&l.message))
                })
                .collect(),
        )
        .with_notes(notes)
}

/// What codespan is shown of a file for one diagnostic: the lines its labels touch, each cut to
/// a window around the labels when it is long (a 20 MB line is shown as a few hundred
/// characters), with control characters made visible. Line numbers and columns are those of
/// the file (of the HTML page, for HTML input).
struct View {
    name: String,
    text: String,
    /// Start of each shown line in `text`.
    starts: Vec<usize>,
    /// The file's line number of each shown line.
    numbers: Vec<usize>,
    /// Characters of the file's line before each shown line's window, less the `…` shown.
    columns: Vec<isize>,
    /// Offsets of the labels' ends in the file -> offsets in `text`.
    map: std::collections::HashMap<usize, usize>,
    /// Offsets in `text` of the labels' starts -> (line, column) in the file the user opens
    /// (the HTML page), as every other format gives them.
    locations: std::collections::HashMap<usize, (usize, usize)>,
}

/// The file's lines, and its positions in the input file (for HTML input, the page's lines):
/// indexed once per file.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    positions: super::Positions<'a>,
    /// PDF input: the page and line of each line (shown instead of the extracted text's).
    places: Option<&'a crate::source::places::Places>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, origin: Option<&'a HtmlOrigin>) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text,
            starts,
            positions: super::Positions::from_parts(text, origin),
            places: None,
        }
    }

    /// The page of a byte offset, for PDF input.
    fn page(&self, at: usize) -> Option<usize> {
        match self.places?.place(at)? {
            crate::source::places::Place::Page { page, .. } => Some(page),
            _ => None,
        }
    }

    /// Index of the line holding a byte offset.
    fn index(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The byte range of a line, without its newline.
    fn range(&self, i: usize) -> (usize, usize) {
        let start = self.starts[i];
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |&n| n.saturating_sub(1))
            .max(start);
        (start, end)
    }

    /// The number shown for a line: its own, or the HTML page's line it came from.
    fn number(&self, i: usize) -> usize {
        if let Some(crate::source::places::Place::Page { line, .. }) =
            self.places.and_then(|p| p.place(self.starts[i]))
        {
            return line;
        }
        match &self.positions.html {
            Some((o, lines)) => lines.line(o.map.get(self.starts[i]).map_or(0, |&r| r as usize)),
            None => i + 1,
        }
    }
}

/// `at` moved back to a character boundary of `s`.
fn floor_char(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The terminal's width in columns, for cutting long source lines (0: unknown, lines are cut
/// only at the line window limit).
static TERMINAL_COLUMNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Sets the width source lines are cut to (`COLUMNS`, or the terminal's; 0: none).
pub fn set_terminal_columns(columns: usize) {
    TERMINAL_COLUMNS.store(columns, std::sync::atomic::Ordering::Relaxed);
}

fn terminal_columns() -> Option<usize> {
    match TERMINAL_COLUMNS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// Display columns of a character (CJK characters take two).
fn char_columns(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(1)
}

/// The window of a long line `[ls, le)` that fits `avail` columns with its `…` marks: from a
/// quarter of the width before `a` (the first labelled point), as far as it fits.
fn column_window(text: &str, ls: usize, le: usize, a: usize, avail: usize) -> (usize, usize) {
    let budget = avail.saturating_sub(2).max(8);
    let mut ws = a;
    let mut back = 0;
    for (i, c) in text[ls..a].char_indices().rev() {
        back += char_columns(c);
        if back > budget / 4 {
            break;
        }
        ws = ls + i;
    }
    let mut used = text[ws..a].chars().map(char_columns).sum::<usize>();
    let mut we = a;
    for (i, c) in text[a..le].char_indices() {
        used += char_columns(c);
        if used > budget {
            break;
        }
        we = a + i + c.len_utf8();
    }
    (ws, we)
}

/// The offset `n` characters before `at`, not before `floor`.
fn back_chars(s: &str, at: usize, n: usize, floor: usize) -> usize {
    s[floor..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(floor, |(i, _)| floor + i)
}

/// The offset `n` characters after `at`, not after `ceil`.
fn forward_chars(s: &str, at: usize, n: usize, ceil: usize) -> usize {
    s[at..ceil]
        .char_indices()
        .nth(n)
        .map_or(ceil, |(i, _)| at + i)
}

impl View {
    fn build(name: &str, lines: &Lines, labels: &[&Label], window: usize) -> View {
        let text = lines.text;
        let mut points: Vec<usize> = labels
            .iter()
            .flat_map(|l| [l.span.start, l.span.end.max(l.span.start)])
            .map(|p| floor_char(text, p))
            .collect();
        points.sort_unstable();
        points.dedup();
        let mut touched: Vec<usize> = points.iter().map(|&p| lines.index(p)).collect();
        // A label over several lines shows every line it covers (codespan draws its edge
        // along them); a long one is drawn over its first and last lines only.
        for l in labels {
            let (a, b) = (
                lines.index(floor_char(text, l.span.start)),
                lines.index(floor_char(text, l.span.end.max(l.span.start))),
            );
            if b > a + 1 && b - a <= 40 {
                touched.extend(a + 1..b);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        // As codespan shows a file: a single line between two shown lines is shown too; a
        // longer gap is shown as `·` (two empty stand-in lines keep the line indexes apart).
        let mut line_ids: Vec<Option<usize>> = Vec::new();
        for (k, &id) in touched.iter().enumerate() {
            if let Some(&prev) = k.checked_sub(1).and_then(|p| touched.get(p)) {
                match id - prev {
                    2 => line_ids.push(Some(prev + 1)),
                    n if n > 2 => line_ids.extend([None, None]),
                    _ => {}
                }
            }
            line_ids.push(Some(id));
        }
        let mut view = View {
            name: visible(name).into_owned(),
            text: String::new(),
            starts: Vec::new(),
            numbers: Vec::new(),
            columns: Vec::new(),
            map: Default::default(),
            locations: Default::default(),
        };
        for id in line_ids {
            let Some(id) = id else {
                view.starts.push(view.text.len());
                view.numbers.push(0);
                view.columns.push(0);
                view.text.push('\n');
                continue;
            };
            let (ls, le) = lines.range(id);
            let here: Vec<usize> = points
                .iter()
                .copied()
                .filter(|&p| p >= ls && p <= le)
                .collect();
            let (a, b) = (
                here.first().copied().unwrap_or(ls),
                here.last().copied().unwrap_or(ls),
            );
            let short = text[ls..le].chars().take(window + 1).count() <= window;
            // On a terminal: the gutter (` 123 │ `) and the line fit its width.
            let avail = terminal_columns().map(|cols| {
                let digits = lines.number(id).max(lines.starts.len()).ilog10() as usize + 1;
                cols.saturating_sub(digits + 4)
            });
            let fits =
                avail.is_none_or(|w| text[ls..le].chars().map(char_columns).sum::<usize>() <= w);
            let (ws, we) = if short && fits {
                (ls, le)
            } else if let Some(w) = avail.filter(|&w| w < window) {
                column_window(text, ls, le, a, w)
            } else {
                let ws = back_chars(text, a, window / 4, ls);
                let reach = forward_chars(text, a, window, le);
                let we = if b <= reach {
                    forward_chars(text, b, window / 4, le)
                } else {
                    reach
                };
                (ws, we)
            };
            view.starts.push(view.text.len());
            view.numbers.push(lines.number(id));
            let skipped = if ws > ls {
                text[ls..ws].chars().count()
            } else {
                0
            };
            if ws > ls {
                view.text.push('…');
            }
            view.columns.push(skipped as isize - isize::from(ws > ls));
            let mut pending = here.iter().copied().peekable();
            for (i, c) in text[ws..we].char_indices() {
                while let Some(&p) = pending.peek() {
                    if p > ws + i {
                        break;
                    }
                    view.map.insert(p, view.text.len());
                    pending.next();
                }
                match crate::render::visible::replacement(c) {
                    Some(r) if !(c == '\r' && text[ws + i + 1..].starts_with('\n')) => {
                        view.text.push_str(&r)
                    }
                    _ if c == '\r' => {}
                    _ => view.text.push(c),
                }
            }
            // Points at or past the window's end (a label cut short) end there.
            for p in pending {
                view.map.insert(p, view.text.len());
            }
            if we < le {
                view.text.push('…');
            }
            view.text.push('\n');
        }
        // Where each label starts in the file: the header `┌─ file:line:column` names the place
        // JSON, SARIF and GitHub name (for HTML input, the page, not the rebuilt table row).
        for l in labels {
            let p = floor_char(text, l.span.start);
            if let Some(&at) = view.map.get(&p) {
                let pos = lines.positions.of(crate::span::Span::new(p, p));
                // PDF: the line on its page (the page is in the name).
                let line = lines.number(lines.index(p));
                let line = if lines.places.is_some() {
                    line
                } else {
                    pos.line
                };
                view.locations.entry(at).or_insert((line, pos.column));
            }
        }
        // PDF: the header names the page of the primary label (`report.pdf:page 4:20:10`).
        if let Some(page) = labels
            .iter()
            .find(|l| l.primary)
            .or(labels.first())
            .and_then(|l| lines.page(l.span.start))
        {
            view.name = format!("{}:page {page}", view.name);
        }
        view
    }

    fn span(&self, text: &str, s: crate::span::Span) -> std::ops::Range<usize> {
        let at = |p: usize| self.map.get(&floor_char(text, p)).copied().unwrap_or(0);
        let start = at(s.start);
        let end = at(s.end.max(s.start)).max(start);
        start..end
    }
}

impl<'a> Files<'a> for View {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self
            .starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, files::Error> {
        // Never 0: codespan takes the logarithm of line numbers.
        Ok(self.numbers.get(line_index).copied().unwrap_or(1).max(1))
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let start = self.starts.get(line_index).copied().unwrap_or(0);
        let shown = self
            .text
            .get(start..byte_index.max(start))
            .map_or(0, |s| s.chars().count());
        let before = self.columns.get(line_index).copied().unwrap_or(0);
        Ok(usize::try_from(before + shown as isize).unwrap_or(0) + 1)
    }

    fn location(&'a self, (): (), byte_index: usize) -> Result<files::Location, files::Error> {
        if let Some(&(line_number, column_number)) = self.locations.get(&byte_index) {
            return Ok(files::Location {
                line_number,
                column_number,
            });
        }
        let line_index = self.line_index((), byte_index)?;
        Ok(files::Location {
            line_number: self.line_number((), line_index)?,
            column_number: self.column_number((), line_index, byte_index)?,
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
                max: self.starts.len().saturating_sub(1),
            })?;
        let end = self
            .starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// The views of one diagnostic: the report's (id 0) and those of the other reports its labels
/// are in (last year's report).
struct Views(Vec<View>);

impl<'a> Files<'a> for Views {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.0.get(id).ok_or(files::Error::FileMissing)?.name(())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.0.get(id).ok_or(files::Error::FileMissing)?.source(())
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        self.0
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .line_index((), byte_index)
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, files::Error> {
        self.0
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .line_number((), line_index)
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        self.0
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .column_number((), line_index, byte_index)
    }

    fn location(&'a self, id: usize, byte_index: usize) -> Result<files::Location, files::Error> {
        self.0
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .location((), byte_index)
    }

    fn line_range(
        &'a self,
        id: usize,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, files::Error> {
        self.0
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .line_range((), line_index)
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
    emit_placed(out, name, text, origin, None, diags, &[])
}

/// The lines of a report's text (for PDF input, with the page lines they are).
fn lines_of<'a>(
    text: &'a str,
    origin: Option<&'a HtmlOrigin>,
    places: Option<&'a crate::source::places::Places>,
) -> Lines<'a> {
    let mut lines = Lines::new(text, origin);
    let is_pdf = places
        .is_some_and(|p| matches!(p.place(0), Some(crate::source::places::Place::Page { .. })));
    if is_pdf {
        lines.places = places;
    }
    lines
}

/// Writes diagnostics about a report; for PDF input the header names the page and the line
/// numbers are those of the page.
fn emit_placed(
    out: &mut dyn WriteColor,
    name: &str,
    text: &str,
    origin: Option<&HtmlOrigin>,
    places: Option<&crate::source::places::Places>,
    diags: &[Diagnostic],
    related: &[std::sync::Arc<crate::source::Source>],
) -> std::io::Result<()> {
    let mut out = VisibleWriter::new(out);
    // Each file's lines are indexed once, not once per finding (a huge report's hundreds of
    // findings each read its whole text again).
    let lines = lines_of(text, origin, places);
    let mut related_lines: Vec<(&str, Lines)> = Vec::new();
    let config = term::Config::default();
    let window = crate::limits::get().line_window;
    for d in diags {
        // The report's labels (file 0), then each other report's (files 1…).
        let own: Vec<&Label> = d.labels.iter().filter(|l| l.file.is_none()).collect();
        let mut views = vec![View::build(name, &lines, &own, window)];
        let mut others: Vec<(&str, &crate::source::Source)> = Vec::new();
        for l in &d.labels {
            let Some(f) = &l.file else { continue };
            if others.iter().any(|(n, _)| n == f) {
                continue;
            }
            if let Some(src) = related.iter().find(|s| &s.name == f) {
                others.push((f.as_str(), src));
            }
        }
        for (f, src) in &others {
            let their: Vec<&Label> = d
                .labels
                .iter()
                .filter(|l| l.file.as_deref() == Some(*f))
                .collect();
            let k = match related_lines.iter().position(|(n, _)| n == f) {
                Some(k) => k,
                None => {
                    let l = lines_of(&src.text, src.html.as_ref(), src.places.as_ref());
                    related_lines.push((f, l));
                    related_lines.len() - 1
                }
            };
            views.push(View::build(f, &related_lines[k].1, &their, window));
        }
        let d = Diagnostic {
            // Labels in a report that is not at hand are left out.
            labels: d
                .labels
                .iter()
                .filter(|l| {
                    l.file
                        .as_ref()
                        .is_none_or(|f| others.iter().any(|(n, _)| n == f))
                })
                .cloned()
                .collect(),
            ..d.clone()
        };
        let cd = to_codespan(&d, |l| match &l.file {
            None => (0, views[0].span(text, l.span)),
            Some(f) => {
                let k = others.iter().position(|(n, _)| n == f).unwrap_or(0);
                (k + 1, views[k + 1].span(&others[k].1.text, l.span))
            }
        });
        term::emit_to_write_style(&mut out, &config, &Views(views), &cd)
            .map_err(std::io::Error::other)?;
    }
    out.flush()
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
    let mut batch = super::Batch::default();
    for f in files {
        emit_file(out, f, verbose, false)?;
        batch.add(&super::FileSummary::of(f));
    }
    emit_summary(out, &batch)
}

/// Writes the batch summary (for more than one file): files checked, findings, and which
/// findings are common across the batch.
pub fn emit_summary(out: &mut dyn WriteColor, batch: &super::Batch) -> std::io::Result<()> {
    let mut out = VisibleWriter::new(out);
    let out: &mut dyn WriteColor = &mut out;
    if batch.files <= 1 {
        return Ok(());
    }
    writeln!(
        out,
        "\nchecked {} of {}: {}{}; {} with errors{}",
        plural(batch.files - batch.failed, "file", "files"),
        batch.files,
        counts_text(batch.totals),
        suppressed_text(batch.waived, batch.baselined),
        plural(batch.with_errors, "file", "files"),
        if batch.failed > 0 {
            format!(
                "; {} could not be checked",
                plural(batch.failed, "file", "files")
            )
        } else {
            String::new()
        }
    )?;
    // For reviewers of many reports: which findings are common across the batch.
    if !batch.by_rule.is_empty() {
        let mut rows: Vec<_> = batch.by_rule.iter().collect();
        rows.sort_by(|a, b| {
            b.1.cmp(a.1)
                .then(b.0 .2.cmp(&a.0 .2))
                .then(a.0 .0.cmp(&b.0 .0))
        });
        writeln!(out, "findings by rule (files with at least one):")?;
        for ((code, name, sev), n) in rows {
            writeln!(out, "  {n:>4}  {code:<10} {:<7} {name}", sev.to_string())?;
        }
    }
    Ok(())
}

/// Writes one file's findings and its summary line.
pub fn emit_one(out: &mut dyn WriteColor, f: &FileReport, verbose: bool) -> std::io::Result<()> {
    let mut out = VisibleWriter::new(out);
    emit_file(&mut out, f, verbose, false)
}

/// Writes one file's findings only (`--quiet`): no summary line, no waived findings.
pub fn emit_quiet(out: &mut dyn WriteColor, f: &FileReport) -> std::io::Result<()> {
    let mut out = VisibleWriter::new(out);
    emit_file(&mut out, f, false, true)
}

/// The file's waived findings, one line each, with the waiver's reason.
fn emit_waived(out: &mut dyn WriteColor, f: &FileReport) -> std::io::Result<()> {
    let pos = super::Positions::new(f.source.as_ref());
    for s in &f.suppressed {
        let crate::policy::Suppression::Waiver { reason, expires } = &s.by else {
            continue;
        };
        let d = &s.diagnostic;
        let place = d.primary_label().map_or(String::new(), |l| {
            let p = pos.of(l.span);
            format!(":{}:{}", p.line, p.column)
        });
        let until = expires.map_or(String::new(), |e| format!(", until {e}"));
        writeln!(
            out,
            "waived {} {}{place}: {} (reason: {reason}{until})",
            d.code, f.path, d.message
        )?;
    }
    Ok(())
}

fn emit_file(
    out: &mut dyn WriteColor,
    f: &FileReport,
    verbose: bool,
    quiet: bool,
) -> std::io::Result<()> {
    match &f.status {
        FileStatus::Failed(reason) => {
            let d = Diagnostic::new(
                Severity::Error,
                "RL001",
                "unreadable-file",
                format!("{}: {reason}", f.path),
            );
            let cs = to_codespan(&d, |l| (0, l.span.range()));
            let name = visible(&f.path);
            let mut file = files::SimpleFiles::new();
            file.add(name.as_ref(), "");
            term::emit_to_write_style(out, &term::Config::default(), &file, &cs)
                .map_err(std::io::Error::other)?;
            if !quiet {
                writeln!(out, "{}: not checked\n", f.path)?;
            }
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
    if src.places.is_some() {
        // Word and PDF input: the line numbers are those of the extracted text; say where in the
        // document each finding is.
        let pos = super::Positions::new(Some(src));
        let diags: Vec<Diagnostic> = f
            .diagnostics
            .iter()
            .map(|d| {
                let mut d = d.clone();
                let mut seen: Vec<String> = Vec::new();
                let mut places: Vec<String> = Vec::new();
                let mut labels: Vec<&crate::diagnostic::Label> = d.labels.iter().collect();
                labels.sort_by_key(|l| !l.primary);
                for l in labels {
                    let Some(p) = pos.place(l.span) else { continue };
                    if seen.contains(&p) {
                        continue;
                    }
                    places.push(if seen.is_empty() {
                        p.clone()
                    } else {
                        format!("also {p}")
                    });
                    seen.push(p);
                }
                if !places.is_empty() {
                    d.notes
                        .insert(0, format!("in the document: {}", places.join("; ")));
                }
                d
            })
            .collect();
        emit_placed(
            out,
            &f.path,
            &src.text,
            None,
            src.places.as_ref(),
            &diags,
            &f.related,
        )?;
    } else {
        emit_placed(
            out,
            &f.path,
            &src.text,
            src.html.as_ref(),
            None,
            &f.diagnostics,
            &f.related,
        )?;
    }
    if quiet {
        return Ok(());
    }
    emit_waived(out, f)?;
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
    let s = super::FileSummary::of(f);
    writeln!(
        out,
        "{}: {}{}; {rules}\n",
        f.path,
        counts_text(c),
        suppressed_text(s.waived, s.baselined)
    )?;
    Ok(())
}

fn suppressed_text(waived: usize, baselined: usize) -> String {
    let mut s = String::new();
    if waived > 0 {
        s.push_str(&format!(", {waived} waived"));
    }
    if baselined > 0 {
        s.push_str(&format!(", {baselined} in the baseline"));
    }
    s
}

/// How much the end of a human run says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    /// The batch summary (for more than one file).
    Full,
    /// Nothing but the config file's findings (`--quiet`).
    Quiet,
    /// Findings counted by rule, nothing else (`--statistics`).
    Statistics,
}

/// Writes the end of a run: the config file's findings, the baseline's fixed findings, and
/// the batch summary or the statistics.
pub fn emit_end(
    out: &mut dyn WriteColor,
    batch: &super::Batch,
    end: &super::End,
    mode: Summary,
) -> std::io::Result<()> {
    if let Some((name, text)) = &end.config {
        emit_diagnostics(out, name, text, &end.config_findings)?;
    }
    let mut out = VisibleWriter::new(out);
    let out: &mut dyn WriteColor = &mut out;
    match mode {
        Summary::Quiet => return Ok(()),
        Summary::Statistics => {
            let mut rows: Vec<_> = batch.findings_by_rule.iter().collect();
            rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0 .0.cmp(&b.0 .0)));
            for ((code, name, sev), n) in rows {
                writeln!(out, "{n:>5}  {code:<10} {:<7} {name}", sev.to_string())?;
            }
            let mut t = batch.totals;
            t.add(end.counts());
            writeln!(
                out,
                "{} in {}{}",
                counts_text(t),
                plural(batch.files, "file", "files"),
                suppressed_text(batch.waived, batch.baselined)
            )?;
            return Ok(());
        }
        Summary::Full => {}
    }
    if !end.fixed.is_empty() {
        let n: usize = end.fixed.iter().map(|e| e.count).sum();
        writeln!(out, "fixed since the baseline ({n}):")?;
        for e in &end.fixed {
            let times = if e.count > 1 {
                format!(" (×{})", e.count)
            } else {
                String::new()
            };
            writeln!(out, "  {} {}: {}{times}", e.rule, e.file, e.message)?;
        }
    }
    emit_summary(out, batch)
}
