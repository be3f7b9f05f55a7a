//! Resource limits: how much of what a report or a rule file may make the linter do. Every
//! stage reads them from here; the command line sets them once, at start-up, from the
//! `[limits]` table of a config file (`report-lint.toml`) and `--limit KEY=VALUE`
//! (docs/limits.md lists each with its default and why).

use std::sync::OnceLock;

/// The limits in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest report file read, in bytes.
    pub input_bytes: u64,
    /// Largest rule file (or file it extends, or test report) read, in bytes.
    pub rule_file_bytes: u64,
    /// Deepest nesting of HTML elements in a page.
    pub html_depth: usize,
    /// Most grid cells one HTML table may expand to through colspan/rowspan.
    pub table_cells: usize,
    /// Most grid cells all tables of a page together may expand to, per byte of the page.
    pub cells_per_byte: usize,
    /// Longest check expression, in bytes.
    pub expr_bytes: usize,
    /// Deepest check expression: levels of the syntax tree, `let` bindings included
    /// (`a + b + c` is two levels).
    pub expr_depth: usize,
    /// Most evaluation steps one rule may take on one report.
    pub eval_steps: usize,
    /// Most diagnostics shown for one rule file; the rest are counted.
    pub rule_file_errors: usize,
    /// Characters shown around a finding on a long line.
    pub line_window: usize,
    /// Most entries a Word (.docx) archive may list.
    pub archive_entries: usize,
    /// Most bytes one part of a Word archive may decompress to.
    pub archive_part_bytes: u64,
    /// Most bytes the parts read from a Word archive may decompress to together.
    pub archive_total_bytes: u64,
    /// Largest ratio of decompressed to compressed size of a part of a Word archive.
    pub archive_ratio: u64,
    /// Longest time reading one PDF's text layer may take, in milliseconds.
    pub pdf_millis: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            input_bytes: 32 << 20,
            rule_file_bytes: 4 << 20,
            html_depth: 512,
            table_cells: 100_000,
            cells_per_byte: 16,
            expr_bytes: 4096,
            expr_depth: 64,
            eval_steps: 100_000,
            rule_file_errors: 50,
            line_window: 400,
            archive_entries: 10_000,
            archive_part_bytes: 64 << 20,
            archive_total_bytes: 128 << 20,
            archive_ratio: 200,
            pdf_millis: 30_000,
        }
    }
}

/// One limit: its key, what it bounds, and how to read and write it.
pub struct Key {
    /// Name in `[limits]` and `--limit`.
    pub name: &'static str,
    /// What it bounds, for messages and docs.
    pub doc: &'static str,
    get: fn(&Limits) -> u64,
    set: fn(&mut Limits, u64),
}

impl Key {
    /// The value of this limit in `l`.
    pub fn get(&self, l: &Limits) -> u64 {
        (self.get)(l)
    }
}

/// Every limit a user can set.
pub const KEYS: &[Key] = &[
    Key {
        name: "input_bytes",
        doc: "largest report file read, in bytes",
        get: |l| l.input_bytes,
        // Offsets into a text are kept in 32 bits.
        set: |l, v| l.input_bytes = v.min(u64::from(u32::MAX)),
    },
    Key {
        name: "rule_file_bytes",
        doc: "largest rule file, extended file or test report read, in bytes",
        get: |l| l.rule_file_bytes,
        set: |l, v| l.rule_file_bytes = v,
    },
    Key {
        name: "html_depth",
        doc: "deepest nesting of HTML elements in a page",
        get: |l| l.html_depth as u64,
        set: |l, v| l.html_depth = clamp(v),
    },
    Key {
        name: "table_cells",
        doc: "most grid cells one HTML table may expand to through colspan and rowspan",
        get: |l| l.table_cells as u64,
        set: |l, v| l.table_cells = clamp(v),
    },
    Key {
        name: "cells_per_byte",
        doc: "most grid cells all tables of a page together may expand to, per byte of the page",
        get: |l| l.cells_per_byte as u64,
        set: |l, v| l.cells_per_byte = clamp(v),
    },
    Key {
        name: "expr_bytes",
        doc: "longest check expression, in bytes",
        get: |l| l.expr_bytes as u64,
        set: |l, v| l.expr_bytes = clamp(v),
    },
    Key {
        name: "expr_depth",
        doc: "deepest check expression (levels of the syntax tree, let bindings included)",
        get: |l| l.expr_depth as u64,
        set: |l, v| l.expr_depth = clamp(v).min(MAX_EXPR_DEPTH),
    },
    Key {
        name: "eval_steps",
        doc: "most evaluation steps one rule may take on one report",
        get: |l| l.eval_steps as u64,
        set: |l, v| l.eval_steps = clamp(v),
    },
    Key {
        name: "rule_file_errors",
        doc: "most diagnostics shown for one rule file (the rest are counted)",
        get: |l| l.rule_file_errors as u64,
        set: |l, v| l.rule_file_errors = clamp(v),
    },
    Key {
        name: "line_window",
        doc: "characters shown around a finding on a long line",
        get: |l| l.line_window as u64,
        set: |l, v| l.line_window = clamp(v).max(20),
    },
    Key {
        name: "archive_entries",
        doc: "most entries a Word (.docx) archive may list",
        get: |l| l.archive_entries as u64,
        set: |l, v| l.archive_entries = clamp(v),
    },
    Key {
        name: "archive_part_bytes",
        doc: "most bytes one part of a Word archive may decompress to",
        get: |l| l.archive_part_bytes,
        set: |l, v| l.archive_part_bytes = v,
    },
    Key {
        name: "archive_total_bytes",
        doc: "most bytes the parts read from a Word archive may decompress to together",
        get: |l| l.archive_total_bytes,
        set: |l, v| l.archive_total_bytes = v,
    },
    Key {
        name: "archive_ratio",
        doc: "largest ratio of decompressed to compressed size of a part of a Word archive",
        get: |l| l.archive_ratio,
        set: |l, v| l.archive_ratio = v.max(1),
    },
    Key {
        name: "pdf_millis",
        doc: "longest time reading one PDF's text layer may take, in milliseconds",
        get: |l| l.pdf_millis,
        set: |l, v| l.pdf_millis = v,
    },
];

/// The deepest expression any setting allows: evaluation recurses once per level, and the
/// worker threads' stacks are sized for this.
pub const MAX_EXPR_DEPTH: usize = 1000;

/// Stack size of the threads that check reports: room for [`MAX_EXPR_DEPTH`] levels of
/// evaluation with a wide margin.
pub const WORKER_STACK_BYTES: usize = 64 << 20;

fn clamp(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl Limits {
    /// Sets one limit by name; an unknown name gives the list of known ones.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), String> {
        match KEYS.iter().find(|k| k.name == name) {
            Some(k) => {
                (k.set)(self, value);
                Ok(())
            }
            None => Err(format!(
                "unknown limit `{name}`; the limits are: {}",
                KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// The limits in force: those installed with [`install`], else the defaults.
pub fn get() -> &'static Limits {
    LIMITS.get_or_init(Limits::default)
}

/// Installs the limits for the rest of the process (once, before any file is read); returns
/// false when limits were already in force.
pub fn install(l: Limits) -> bool {
    LIMITS.set(l).is_ok()
}

/// `1,048,576`-style grouping for messages.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_by_name_and_unknown_names() {
        let mut l = Limits::default();
        l.set("html_depth", 2000).unwrap();
        assert_eq!(l.html_depth, 2000);
        l.set("expr_depth", 1 << 40).unwrap();
        assert_eq!(l.expr_depth, MAX_EXPR_DEPTH);
        let e = l.set("html_dept", 1).unwrap_err();
        assert!(e.contains("html_depth"), "{e}");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(grouped(512), "512");
    }
}
