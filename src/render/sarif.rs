//! `--format sarif`: SARIF 2.1.0, for code-scanning dashboards. Primary labels are the result's
//! locations, secondary labels its related locations.

use crate::diagnostic::Severity;
use crate::{FileReport, FileStatus};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A file path as a URI reference: `/`-separated, every byte outside the unreserved set
/// percent-encoded (spaces, Chinese characters), as SARIF requires.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What SARIF says of a rule: short and full descriptions and help, from the rule's
/// documentation (`report-lint explain`).
#[derive(Debug, Clone, Default)]
pub struct RuleDoc {
    /// One line.
    pub short: String,
    /// What it checks and why.
    pub full: String,
    /// How to fix, as text.
    pub help: String,
    /// The whole documentation page, as Markdown.
    pub markdown: String,
}

/// A stable fingerprint of a finding: FNV-1a over its rule, file, values and the text its
/// labels mark (the baseline's key) — the same across runs and across edits elsewhere in the
/// report.
fn fingerprint(d: &crate::diagnostic::Diagnostic, path: &str, text: &str) -> String {
    // Each part closed by a byte no UTF-8 text holds.
    let parts = [d.code.as_str(), path]
        .into_iter()
        .chain(d.values.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
        .chain(
            d.labels
                .iter()
                .map(|l| text.get(l.span.range()).unwrap_or("").trim()),
        );
    let h = super::fnv64(parts.flat_map(|p| p.bytes().chain(std::iter::once(0xff))));
    format!("{h:016x}")
}

fn location(path: &str, p: super::Position, message: &str, text: Option<&str>) -> Value {
    let mut region = json!({
        "startLine": p.line, "startColumn": p.column, "endLine": p.end_line, "endColumn": p.end_column,
        "byteOffset": p.start, "byteLength": p.end - p.start,
    });
    if let Some(t) = text {
        region["snippet"] = json!({ "text": t });
    }
    let mut loc = json!({ "physicalLocation": { "artifactLocation": { "uri": uri(path) }, "region": region } });
    if !message.is_empty() {
        loc["message"] = json!({ "text": message });
    }
    loc
}

/// One file's results (each preceded by `,`; the writer leaves the first one out) and the
/// rules they name.
pub fn file_results(f: &FileReport) -> (String, usize, Vec<(String, Value)>) {
    let mut rules: Vec<(String, Value)> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    if let FileStatus::Failed(reason) | FileStatus::NotChecked(reason) = &f.status {
        rules.push((
            "RL001".into(),
            json!({ "id": "RL001", "name": "not-checked" }),
        ));
        results.push(json!({
            "ruleId": "RL001", "level": "error", "message": { "text": reason },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&f.path) } } }],
        }));
    } else {
        let at = super::Located::new(f);
        for d in &f.diagnostics {
            results.push(result_of(d, &f.path, &at, &mut rules));
        }
        for s in &f.suppressed {
            let mut r = result_of(&s.diagnostic, &f.path, &at, &mut rules);
            let justification = match &s.by {
                crate::policy::Suppression::Waiver { reason, .. } => reason.clone(),
                crate::policy::Suppression::Baseline => "in the baseline".to_string(),
            };
            r["suppressions"] = json!([{ "kind": "external", "justification": justification }]);
            results.push(r);
        }
    }
    indented(&results, rules)
}

/// The results for the config file's findings (expired or unused waivers), each preceded by
/// `,`, and the rules they name.
pub fn config_results(end: &super::End) -> (String, usize, Vec<(String, Value)>) {
    let mut rules = Vec::new();
    let mut results = Vec::new();
    if let Some((name, text)) = &end.config {
        let at = super::Located::text(text);
        for d in &end.config_findings {
            results.push(result_of(d, name, &at, &mut rules));
        }
    }
    indented(&results, rules)
}

/// One finding as a SARIF result; its rule is added to `rules` once.
fn result_of(
    d: &crate::diagnostic::Diagnostic,
    path: &str,
    at: &super::Located,
    rules: &mut Vec<(String, Value)>,
) -> Value {
    let text = at.own_text();
    // A label in another report (last year's) names that report's file.
    let place = |l: &crate::diagnostic::Label| {
        let (pos, text) = at.of(l);
        location(
            l.file.as_deref().unwrap_or(path),
            pos.of(l.span),
            &l.message,
            text.get(l.span.range()),
        )
    };
    if !rules.iter().any(|(c, _)| *c == d.code) {
        rules.push((
            d.code.clone(),
            json!({ "id": d.code, "name": d.name, "help": { "text": format!("report-lint explain {}", d.code) } }),
        ));
    }
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let (primary, secondary): (Vec<_>, Vec<_>) = d.labels.iter().partition(|l| l.primary);
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str(&format!(" ({h})"));
    }
    json!({
        "ruleId": d.code,
        "level": level,
        "message": { "text": message },
        "locations": primary.iter().map(|l| place(l)).collect::<Vec<_>>(),
        "relatedLocations": secondary.iter().enumerate().map(|(i, l)| {
            let mut v = place(l);
            v["id"] = json!(i);
            v
        }).collect::<Vec<_>>(),
        "partialFingerprints": { "reportLint/v1": fingerprint(d, path, text) },
        "properties": { "notes": d.notes, "values": d.values },
    })
}

/// Results pretty-printed and indented to their place, each preceded by `,`.
fn indented(
    results: &[Value],
    rules: Vec<(String, Value)>,
) -> (String, usize, Vec<(String, Value)>) {
    let mut out = String::new();
    for r in results {
        out.push_str(",\n");
        let json = serde_json::to_string_pretty(r).unwrap_or_default();
        for (i, line) in json.lines().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("        ");
            out.push_str(line);
        }
    }
    (super::visible::json_safe(out), results.len(), rules)
}

/// The start of the log, up to its results.
pub fn begin() -> String {
    "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"results\": [".to_string()
}

/// The end of the log: the tool, the rules the results named (described from their
/// documentation where `docs` has it), and the invocation with its exit code.
pub fn end(
    rules: &BTreeMap<String, Value>,
    docs: &BTreeMap<String, RuleDoc>,
    exit_code: u8,
) -> String {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(code, r)| {
            let mut r = r.clone();
            if let Some(d) = docs.get(code) {
                r["shortDescription"] = json!({ "text": d.short });
                r["fullDescription"] = json!({ "text": d.full });
                r["help"] = json!({ "text": d.help, "markdown": d.markdown });
            }
            r
        })
        .collect();
    let tool = json!({ "driver": {
        "name": "report-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    }});
    let invocations = json!([{ "executionSuccessful": exit_code != 2, "exitCode": exit_code }]);
    let indent = |v: &Value| {
        let mut t = String::new();
        for (i, line) in serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .lines()
            .enumerate()
        {
            if i > 0 {
                t.push_str("\n      ");
            }
            t.push_str(line);
        }
        t
    };
    super::visible::json_safe(format!(
        "\n      ],\n      \"invocations\": {},\n      \"tool\": {}\n    }}\n  ]\n}}\n",
        indent(&invocations),
        indent(&tool)
    ))
}

/// Renders the batch as one SARIF log (the same document the streaming writer builds).
pub fn render(files: &[FileReport]) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut out = begin();
    let mut first = true;
    for f in files {
        let (results, n, file_rules) = file_results(f);
        if n > 0 {
            out.push_str(if first { &results[1..] } else { &results });
            first = false;
        }
        for (code, r) in file_rules {
            rules.entry(code).or_insert(r);
        }
    }
    let mut batch = super::Batch::default();
    for f in files {
        batch.add(&super::FileSummary::of(f));
    }
    let code = super::End::default().exit_code(&batch);
    out.push_str(&end(&rules, &BTreeMap::new(), code));
    out
}
