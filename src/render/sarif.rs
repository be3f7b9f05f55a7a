//! `--format sarif`: SARIF 2.1.0, for code-scanning dashboards. Primary labels are the result's
//! locations, secondary labels its related locations.

use super::Positions;
use crate::diagnostic::Severity;
use crate::{FileReport, FileStatus};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn location(path: &str, p: super::Position, message: &str, text: Option<&str>) -> Value {
    let mut region = json!({
        "startLine": p.line, "startColumn": p.column, "endLine": p.end_line, "endColumn": p.end_column,
        "byteOffset": p.start, "byteLength": p.end - p.start,
    });
    if let Some(t) = text {
        region["snippet"] = json!({ "text": t });
    }
    let mut loc =
        json!({ "physicalLocation": { "artifactLocation": { "uri": path }, "region": region } });
    if !message.is_empty() {
        loc["message"] = json!({ "text": message });
    }
    loc
}

/// Renders the batch as one SARIF log.
pub fn render(files: &[FileReport]) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in files {
        if let FileStatus::Failed(reason) | FileStatus::NotChecked(reason) = &f.status {
            rules
                .entry("RL001".into())
                .or_insert_with(|| json!({ "id": "RL001", "name": "not-checked" }));
            results.push(json!({
                "ruleId": "RL001", "level": "error", "message": { "text": reason },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.path } } }],
            }));
            continue;
        }
        let pos = Positions::new(f.source.as_ref());
        let text = f.source.as_ref().map_or("", |s| s.text.as_str());
        for d in &f.diagnostics {
            rules
                .entry(d.code.clone())
                .or_insert_with(|| json!({ "id": d.code, "name": d.name, "help": { "text": format!("report-lint explain {}", d.code) } }));
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
            results.push(json!({
                "ruleId": d.code,
                "level": level,
                "message": { "text": message },
                "locations": primary.iter().map(|l| location(&f.path, pos.of(l.span), &l.message, text.get(l.span.range()))).collect::<Vec<_>>(),
                "relatedLocations": secondary.iter().enumerate().map(|(i, l)| {
                    let mut v = location(&f.path, pos.of(l.span), &l.message, text.get(l.span.range()));
                    v["id"] = json!(i);
                    v
                }).collect::<Vec<_>>(),
                "properties": { "notes": d.notes, "values": d.values },
            }));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "report-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    super::visible::json_safe(serde_json::to_string_pretty(&log).unwrap_or_default())
}
