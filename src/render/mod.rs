//! Stage 5: diagnostics -> output. One renderer per format, all reading the same [`FileReport`]s.

pub mod csv;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod stream;
pub mod visible;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{HtmlOrigin, Source};
use crate::span::{LineIndex, Span};
use crate::FileReport;

/// Where a label is in the input file: byte range, and 1-based line and character column of
/// its start and end (in the HTML page for HTML input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Line of the start.
    pub line: usize,
    /// Column of the start.
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column of the end.
    pub end_column: usize,
}

/// Converts spans of the visible text into positions in the input file.
pub struct Positions<'a> {
    text: LineIndex<'a>,
    html: Option<(&'a HtmlOrigin, LineIndex<'a>)>,
    docx: Option<&'a crate::source::places::Places>,
}

impl<'a> Positions<'a> {
    /// For a decoded source (or none: every position is 1:1).
    pub fn new(source: Option<&'a Source>) -> Positions<'a> {
        Positions {
            text: LineIndex::new(source.map_or("", |s| s.text.as_str())),
            html: source
                .and_then(|s| s.html.as_ref())
                .map(|h| (h, LineIndex::new(&h.raw))),
            docx: source.and_then(|s| s.places.as_ref()),
        }
    }

    /// For PDF input: the page and the rectangle a span covers (points, origin bottom left).
    pub fn page_rect(&self, span: Span) -> Option<(usize, [f32; 4])> {
        let d = self.docx?;
        let page = match d.place(span.start)? {
            crate::source::places::Place::Page { page, .. } => page,
            _ => return None,
        };
        Some((page, d.rect(span.start, span.end)?))
    }

    /// For Word input: the paragraph or table cell a span is in (`table 1, row 3, cell 2`).
    pub fn place(&self, span: Span) -> Option<String> {
        self.docx
            .and_then(|d| d.place(span.start))
            .map(|p| p.to_string())
    }

    /// For a text and, for HTML input, the page it was extracted from.
    pub(crate) fn from_parts(text: &'a str, html: Option<&'a HtmlOrigin>) -> Positions<'a> {
        Positions {
            text: LineIndex::new(text),
            html: html.map(|h| (h, LineIndex::new(&h.raw))),
            docx: None,
        }
    }

    /// For a plain text (a config file).
    pub fn text(text: &'a str) -> Positions<'a> {
        Positions {
            text: LineIndex::new(text),
            html: None,
            docx: None,
        }
    }

    /// The position of a span.
    pub fn of(&self, span: Span) -> Position {
        let (start, end) = match &self.html {
            None => (span.start, span.end),
            Some((h, _)) => {
                let to_raw = |b: usize| h.map.get(b).map_or(h.raw.len(), |&r| r as usize);
                let start = to_raw(span.start);
                // The end: just past the last character's source (an entity such as `&nbsp;`
                // counts whole).
                let end = if span.end > span.start {
                    let last = to_raw(span.end - 1);
                    let rest = h.raw.get(last..).unwrap_or("");
                    let len = match rest.find(';') {
                        Some(p) if rest.starts_with('&') && p <= 10 => p + 1,
                        _ => rest.chars().next().map_or(0, char::len_utf8),
                    };
                    last + len
                } else {
                    start
                };
                (start, end.max(start))
            }
        };
        let index = self.html.as_ref().map_or(&self.text, |(_, l)| l);
        let (line, column) = index.line_col(start);
        let (end_line, end_column) = index.line_col(end);
        Position {
            start,
            end,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Positions in a report and in the reports its findings also point into (last year's report,
/// a report with the same prose): every renderer resolves a label through this.
pub struct Located<'a> {
    own: (Positions<'a>, &'a str),
    related: Vec<(&'a str, Positions<'a>, &'a str)>,
}

impl<'a> Located<'a> {
    /// For a file's report.
    pub fn new(f: &'a FileReport) -> Located<'a> {
        Located {
            own: (
                Positions::new(f.source.as_ref()),
                f.source.as_ref().map_or("", |s| s.text.as_str()),
            ),
            related: f
                .related
                .iter()
                .map(|s| (s.name.as_str(), Positions::new(Some(s)), s.text.as_str()))
                .collect(),
        }
    }

    /// For a plain text (a config file).
    pub fn text(text: &'a str) -> Located<'a> {
        Located {
            own: (Positions::text(text), text),
            related: Vec::new(),
        }
    }

    /// The positions and the text of the file a label is in.
    pub fn of(&self, label: &crate::diagnostic::Label) -> (&Positions<'a>, &'a str) {
        match &label.file {
            Some(name) => self
                .related
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or((&self.own.0, ""), |(_, p, t)| (p, *t)),
            None => (&self.own.0, self.own.1),
        }
    }

    /// This report's positions.
    pub fn own(&self) -> &Positions<'a> {
        &self.own.0
    }

    /// This report's text.
    pub fn own_text(&self) -> &'a str {
        self.own.1
    }
}

pub(crate) use crate::hash::fnv64;

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Error-level findings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Informational findings.
    pub infos: usize,
}

impl Counts {
    /// Counts a list of diagnostics.
    pub fn of(diags: &[Diagnostic]) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// Adds another count.
    pub fn add(&mut self, o: Counts) {
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.infos += o.infos;
    }
}

/// What the batch summary keeps of one file once its report is dropped.
#[derive(Debug, Clone, Default)]
pub struct FileSummary {
    /// Findings by severity.
    pub counts: Counts,
    /// Whether the file was checked with a rule set.
    pub checked: bool,
    /// Each rule with a finding on the file, once: (code, name, severity, findings).
    pub codes: Vec<(String, String, Severity, usize)>,
    /// Findings waived.
    pub waived: usize,
    /// Findings matched by the baseline.
    pub baselined: usize,
}

impl FileSummary {
    /// The summary of one file's report.
    pub fn of(f: &FileReport) -> FileSummary {
        let mut codes: Vec<(String, String, Severity, usize)> = Vec::new();
        for d in &f.diagnostics {
            match codes.iter_mut().find(|(c, _, _, _)| *c == d.code) {
                Some(e) => e.3 += 1,
                None => codes.push((d.code.clone(), d.name.clone(), d.severity, 1)),
            }
        }
        let waived = f
            .suppressed
            .iter()
            .filter(|s| matches!(s.by, crate::policy::Suppression::Waiver { .. }))
            .count();
        FileSummary {
            counts: Counts::of(&f.diagnostics),
            checked: matches!(f.status, crate::FileStatus::Checked { .. }),
            codes,
            waived,
            baselined: f.suppressed.len() - waived,
        }
    }
}

/// Counts over a batch, built file by file as the files are written.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Files seen.
    pub files: usize,
    /// Files not checked (unreadable, no rule set).
    pub failed: usize,
    /// Files with at least one error-level finding.
    pub with_errors: usize,
    /// Findings by severity.
    pub totals: Counts,
    /// Files with at least one finding of each rule: (code, name, severity) -> files.
    pub by_rule: std::collections::BTreeMap<(String, String, Severity), usize>,
    /// Findings of each rule: (code, name, severity) -> findings.
    pub findings_by_rule: std::collections::BTreeMap<(String, String, Severity), usize>,
    /// Findings waived.
    pub waived: usize,
    /// Findings matched by the baseline.
    pub baselined: usize,
}

impl Batch {
    /// Adds one file.
    pub fn add(&mut self, s: &FileSummary) {
        self.files += 1;
        if !s.checked {
            self.failed += 1;
        }
        if s.counts.errors > 0 {
            self.with_errors += 1;
        }
        self.totals.add(s.counts);
        self.waived += s.waived;
        self.baselined += s.baselined;
        for (code, name, sev, n) in &s.codes {
            let key = (code.clone(), name.clone(), *sev);
            *self.by_rule.entry(key.clone()).or_default() += 1;
            *self.findings_by_rule.entry(key).or_default() += n;
        }
    }
}

/// What a run says at its end besides the files: findings in the project's config file
/// (expired or unused waivers) and the baseline's fixed findings.
#[derive(Debug, Clone, Default)]
pub struct End {
    /// The config file (name, text), when it has findings.
    pub config: Option<(String, String)>,
    /// Findings in the config file.
    pub config_findings: Vec<Diagnostic>,
    /// Findings of the baseline not seen again.
    pub fixed: Vec<crate::policy::BaselineEntry>,
    /// What fails the run.
    pub fail_on: Option<crate::config::FailOn>,
}

impl End {
    /// The exit code of the run: 2 when a file could not be checked, 1 when findings reach the
    /// fail level (counting the config file's), else 0.
    pub fn exit_code(&self, batch: &Batch) -> u8 {
        use crate::config::FailOn;
        let mut t = batch.totals;
        t.add(self.counts());
        if batch.failed > 0 {
            return 2;
        }
        let fails = match self.fail_on.unwrap_or(FailOn::Error) {
            FailOn::Error => t.errors > 0,
            FailOn::Warning => t.errors + t.warnings > 0,
            FailOn::Never => false,
        };
        u8::from(fails)
    }

    /// The config findings by severity.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.config_findings)
    }
}

/// Counts over a batch.
pub fn totals(files: &[FileReport]) -> Counts {
    let mut c = Counts::default();
    for f in files {
        c.add(Counts::of(&f.diagnostics));
    }
    c
}
