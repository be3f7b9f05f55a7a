//! The one diagnostic type every stage reports with, and every renderer prints.

use crate::span::Span;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: worth a look, never fails a run.
    Info,
    /// Probably wrong; does not fail a run.
    Warning,
    /// Wrong: fails the run (exit code 1).
    Error,
}

impl Severity {
    /// Parses `error`, `warning` (or `warn`), `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label on a span of the file the diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Primary labels mark the place to fix; secondary ones the other side.
    pub primary: bool,
    /// Byte range in the file.
    pub span: Span,
    /// Short text shown next to the underline.
    pub message: String,
    /// The other report the span is in (last year's report, a report it resembles), by the
    /// name it was checked under; `None`: the report the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Label {
    /// A primary label.
    pub fn primary(span: Span, message: impl Into<String>) -> Label {
        Label {
            primary: true,
            span,
            message: message.into(),
            file: None,
        }
    }

    /// A secondary label.
    pub fn secondary(span: Span, message: impl Into<String>) -> Label {
        Label {
            primary: false,
            span,
            message: message.into(),
            file: None,
        }
    }

    /// The same label, on a span of another report.
    pub fn in_file(mut self, name: impl Into<String>) -> Label {
        self.file = Some(name.into());
        self
    }
}

/// One finding about one file (a report, or a rule file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule id (`GI18-P005`) or built-in check id (`RL104`).
    pub code: String,
    /// Rule name (`prose-review-cases`).
    pub name: String,
    /// Severity.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// Labels, primary first.
    pub labels: Vec<Label>,
    /// Notes (`= note:` lines): values and arithmetic.
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The values involved, by name (`lhs`, `rhs`, `diff`, and every field read).
    pub values: std::collections::BTreeMap<String, String>,
}

impl Diagnostic {
    /// A new diagnostic without labels.
    pub fn new(
        severity: Severity,
        code: &str,
        name: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            name: name.to_string(),
            severity,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
            values: Default::default(),
        }
    }

    /// Adds a label.
    pub fn with_label(mut self, label: Label) -> Diagnostic {
        self.labels.push(label);
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Cuts every text of the diagnostic (message, labels, notes, help, values) to at most
    /// `max` characters: a cell or label of a damaged report can be megabytes long, and one
    /// finding must stay readable.
    pub fn bounded(mut self, max: usize) -> Diagnostic {
        cut(&mut self.message, max);
        for l in &mut self.labels {
            cut(&mut l.message, max);
        }
        for n in &mut self.notes {
            cut(n, max);
        }
        if let Some(h) = &mut self.help {
            cut(h, max);
        }
        for v in self.values.values_mut() {
            cut(v, max);
        }
        self
    }

    /// The label a finding is placed by: the first primary one, else the first.
    pub fn primary_label(&self) -> Option<&Label> {
        let own = || self.labels.iter().filter(|l| l.file.is_none());
        own()
            .find(|l| l.primary)
            .or_else(|| own().next())
            .or(self.labels.first())
    }

    /// The first byte of the first primary label (for ordering).
    pub fn position(&self) -> usize {
        self.primary_label().map_or(usize::MAX, |l| l.span.start)
    }
}

/// Cuts a text to `max` characters, saying how much was left out.
fn cut(s: &mut String, max: usize) {
    if let Some((at, _)) = s.char_indices().nth(max) {
        let rest = s[at..].chars().count();
        s.truncate(at);
        s.push_str(&format!("…({rest} more characters)"));
    }
}

/// Most characters of one text of a diagnostic (message, label, note).
pub const MAX_TEXT_CHARS: usize = 1000;

/// Output language for built-in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the Chinese or English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
