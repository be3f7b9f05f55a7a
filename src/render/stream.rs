//! Output written file by file: each file is rendered on its own (on the thread that checked
//! it) into bytes and a small summary, then its report is dropped; the writer puts the pieces
//! out in input order and keeps only counts for the batch summary. Every format streams: the
//! JSON and SARIF documents are still single valid JSON values, with the totals at the end.

use super::{Batch, FileSummary};
use crate::FileReport;
use codespan_reporting::term::termcolor::Buffer;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// An output format, with what it needs to render a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Compiler-style diagnostics.
    Human {
        /// List passed and skipped rules too.
        verbose: bool,
        /// Colour codes.
        color: bool,
        /// How much to say besides the findings.
        summary: super::human::Summary,
    },
    /// One JSON document.
    Json,
    /// One JSON object per line, then a line of totals.
    Jsonl,
    /// One SARIF 2.1.0 log.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// JUnit XML: a test suite per report, a test case per rule.
    Junit,
    /// CSV (UTF-8 with a byte-order mark): a row per finding.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// One file, rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The bytes to write. JSON entries and SARIF results start with `,`, which the writer
    /// drops before the first one.
    pub bytes: Vec<u8>,
    /// JSON entries or SARIF results in `bytes`.
    pub items: usize,
    /// What the batch summary keeps.
    pub summary: FileSummary,
    /// SARIF: the rules the results name.
    pub rules: Vec<(String, serde_json::Value)>,
    /// The file's path.
    pub path: String,
}

/// Renders one file.
pub fn render_file(format: Format, f: &FileReport) -> Rendered {
    let summary = FileSummary::of(f);
    let mut r = Rendered {
        summary,
        path: f.path.clone(),
        ..Rendered::default()
    };
    match format {
        Format::Human {
            verbose,
            color,
            summary,
        } => {
            let mut buf = if color {
                Buffer::ansi()
            } else {
                Buffer::no_color()
            };
            let written = match summary {
                super::human::Summary::Full => super::human::emit_one(&mut buf, f, verbose),
                super::human::Summary::Quiet => super::human::emit_quiet(&mut buf, f),
                // Counts only; a file that could not be read is still said.
                super::human::Summary::Statistics => match f.status {
                    crate::FileStatus::Checked { .. } => Ok(()),
                    _ => super::human::emit_quiet(&mut buf, f),
                },
            };
            if let Err(e) = written {
                let _ = writeln!(buf, "{}: cannot render: {e}", f.path);
            }
            r.bytes = buf.into_inner();
        }
        Format::Json => {
            r.bytes = super::json::file_entry(f).into_bytes();
            r.items = 1;
        }
        Format::Jsonl => r.bytes = super::json::file_line(f).into_bytes(),
        Format::Sarif => {
            let (text, n, rules) = super::sarif::file_results(f);
            r.bytes = text.into_bytes();
            r.items = n;
            r.rules = rules;
        }
        Format::Github => r.bytes = super::github::file_lines(f).into_bytes(),
        Format::Junit => r.bytes = super::junit::file_suite(f).into_bytes(),
        Format::Csv => r.bytes = super::csv::file_rows(f).into_bytes(),
        Format::Html => r.bytes = super::html::file_section(f).into_bytes(),
    }
    r
}

/// Writes rendered files in order, and the batch summary at the end.
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    batch: Batch,
    items: usize,
    rules: BTreeMap<String, serde_json::Value>,
    docs: BTreeMap<String, super::sarif::RuleDoc>,
    /// HTML: each file's path, counts and waived findings, for the summary table.
    files: Vec<(String, super::Counts, usize)>,
}

impl<W: Write> Writer<W> {
    /// A writer; writes the start of the document.
    pub fn new(mut out: W, format: Format) -> io::Result<Writer<W>> {
        match format {
            Format::Json => out.write_all(super::json::begin().as_bytes())?,
            Format::Sarif => out.write_all(super::sarif::begin().as_bytes())?,
            Format::Junit => out.write_all(super::junit::begin().as_bytes())?,
            Format::Csv => out.write_all(super::csv::begin().as_bytes())?,
            Format::Html => out.write_all(super::html::begin().as_bytes())?,
            _ => {}
        }
        Ok(Writer {
            out,
            format,
            batch: Batch::default(),
            items: 0,
            rules: BTreeMap::new(),
            docs: BTreeMap::new(),
            files: Vec::new(),
        })
    }

    /// The rules' documentation, for the formats that describe the rules they name (SARIF).
    pub fn with_rule_docs(mut self, docs: BTreeMap<String, super::sarif::RuleDoc>) -> Self {
        self.docs = docs;
        self
    }

    /// Writes one file (the next in input order).
    pub fn file(&mut self, r: Rendered) -> io::Result<()> {
        let bytes = if self.items == 0 && r.items > 0 {
            r.bytes.get(1..).unwrap_or_default()
        } else {
            &r.bytes[..]
        };
        self.out.write_all(bytes)?;
        self.items += r.items;
        self.batch.add(&r.summary);
        if self.format == Format::Html {
            self.files
                .push((r.path.clone(), r.summary.counts, r.summary.waived));
        }
        for (code, rule) in r.rules {
            self.rules.entry(code).or_insert(rule);
        }
        if matches!(self.format, Format::Human { .. }) {
            // A person is reading: each file as soon as it is done.
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes the end of the document (the config file's findings, the batch summary, the
    /// totals) and flushes. The batch returned counts the config file's findings too.
    pub fn finish(mut self, end: &super::End) -> io::Result<Batch> {
        match self.format {
            Format::Human { color, summary, .. } => {
                let mut buf = if color {
                    Buffer::ansi()
                } else {
                    Buffer::no_color()
                };
                super::human::emit_end(&mut buf, &self.batch, end, summary)?;
                self.out.write_all(buf.as_slice())?;
            }
            Format::Json => self
                .out
                .write_all(super::json::end(&self.batch, end).as_bytes())?,
            Format::Jsonl => self
                .out
                .write_all(super::json::end_lines(&self.batch, end).as_bytes())?,
            Format::Sarif => {
                let (text, n, rules) = super::sarif::config_results(end);
                let bytes = if self.items == 0 && n > 0 {
                    text.get(1..).unwrap_or_default()
                } else {
                    &text[..]
                };
                self.out.write_all(bytes.as_bytes())?;
                for (code, rule) in rules {
                    self.rules.entry(code).or_insert(rule);
                }
                let code = end.exit_code(&self.batch);
                self.out
                    .write_all(super::sarif::end(&self.rules, &self.docs, code).as_bytes())?;
            }
            Format::Github => self
                .out
                .write_all(super::github::config_lines(end).as_bytes())?,
            Format::Junit => self.out.write_all(super::junit::end(end).as_bytes())?,
            Format::Csv => self.out.write_all(super::csv::end(end).as_bytes())?,
            Format::Html => self
                .out
                .write_all(super::html::end(&self.batch, &self.files, end).as_bytes())?,
        }
        self.out.flush()?;
        Ok(self.batch)
    }

    /// The batch so far.
    pub fn batch(&self) -> &Batch {
        &self.batch
    }
}
