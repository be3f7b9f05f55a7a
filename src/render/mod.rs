//! Stage 5: diagnostics -> output. One renderer per format, all reading the same [`FileReport`]s.

pub mod human;
pub mod json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::FileReport;

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

/// Counts over a batch.
pub fn totals(files: &[FileReport]) -> Counts {
    let mut c = Counts::default();
    for f in files {
        c.add(Counts::of(&f.diagnostics));
    }
    c
}
