//! Every real report in tests/fixtures/real (and the canonical example) is checked against its
//! expected findings, reviewed by hand: `tests/fixtures/real/expected/NAME.toml` gives the
//! status, the rule set, and each finding's code, the line of its primary label, whether it is
//! true, and why. The suite fails on a missed finding and on a new one. The per-report account
//! (findings true and false, rules skipped and why) is the generated section `real-reports` of
//! `docs/accuracy.md` (rewritten with `BLESS=1`).

mod common;

use common::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    status: String,
    #[serde(default)]
    ruleset: Option<String>,
    #[serde(default, rename = "finding")]
    findings: Vec<ExpectedFinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    code: String,
    line: u64,
    verdict: String,
    reason: String,
}

fn real_paths() -> Vec<std::path::PathBuf> {
    let dir = fixture("real");
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x != "md"))
        .collect();
    paths.sort();
    // The canonical example lives in examples/ (the README runs it); its expectations are here.
    paths.push(example());
    paths
}

#[test]
fn real_reports_give_exactly_their_expected_findings() {
    let dir = fixture("real");
    let paths = real_paths();
    assert!(paths.len() >= 10, "{paths:?}");
    let mut problems = Vec::new();
    let mut doc = String::from(
        "| report | rule set | findings | true | false | false errors | rules skipped |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    let mut details = String::new();
    let (mut all, mut all_true, mut false_errors, mut reports) = (0, 0, 0, 0);
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expected_path = dir.join("expected").join(format!("{name}.toml"));
        let expected: Expected = toml::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("no {}", expected_path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        for f in &expected.findings {
            assert!(
                matches!(f.verdict.as_str(), "true" | "false") && !f.reason.trim().is_empty(),
                "{name}: every expected finding needs a verdict (true/false) and a reason"
            );
        }
        let (_, v) = json(&[
            path.as_os_str(),
            std::ffi::OsStr::new("--lang"),
            std::ffi::OsStr::new("en"),
        ]);
        let f = &v["files"][0];
        let ruleset = f["ruleset"].as_str().map(str::to_string);
        if f["status"] != expected.status.as_str() || ruleset != expected.ruleset {
            problems.push(format!(
                "{name}: status {} / rule set {:?}, expected {} / {:?}",
                f["status"], ruleset, expected.status, expected.ruleset
            ));
        }
        let mut got: Vec<(String, u64)> = findings(&v);
        got.sort();
        let mut want: Vec<(String, u64)> = expected
            .findings
            .iter()
            .map(|f| (f.code.clone(), f.line))
            .collect();
        want.sort();
        let mut rest = got.clone();
        for w in &want {
            match rest.iter().position(|g| g == w) {
                Some(i) => {
                    rest.remove(i);
                }
                None => problems.push(format!("{name}: missed finding {} at line {}", w.0, w.1)),
            }
        }
        for new in rest {
            problems.push(format!("{name}: new finding {} at line {} (a false positive, or add it to expected/{name}.toml with a verdict and a reason)", new.0, new.1));
        }
        if expected.status != "checked" {
            continue;
        }
        reports += 1;
        let severity: BTreeMap<(String, u64), String> = f["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["labels"]
                    .as_array()
                    .and_then(|ls| ls.iter().find(|l| l["primary"] == true))
                    .map_or(0, |l| l["line"].as_u64().unwrap_or(0));
                (
                    (d["code"].as_str().unwrap().to_string(), line),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let n = expected.findings.len();
        let t = expected
            .findings
            .iter()
            .filter(|f| f.verdict == "true")
            .count();
        let fe = expected
            .findings
            .iter()
            .filter(|f| {
                f.verdict == "false"
                    && severity.get(&(f.code.clone(), f.line)).map(String::as_str) == Some("error")
            })
            .count();
        let skipped: Vec<&serde_json::Value> = f["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "skipped")
            .collect();
        all += n;
        all_true += t;
        false_errors += fe;
        doc.push_str(&format!(
            "| `{name}` | {} | {n} | {t} | {} | {fe} | {} |\n",
            expected.ruleset.as_deref().unwrap_or("-"),
            n - t,
            skipped.len()
        ));
        details.push_str(&format!("\n#### `{name}`\n\n"));
        if expected.findings.is_empty() {
            details.push_str("No finding.\n");
        }
        for e in &expected.findings {
            let sev = severity
                .get(&(e.code.clone(), e.line))
                .map_or("?", String::as_str);
            details.push_str(&format!(
                "- {} `{}` {sev}, line {}: {}\n",
                if e.verdict == "true" {
                    "true "
                } else {
                    "FALSE"
                },
                e.code,
                e.line,
                e.reason
            ));
        }
        if !skipped.is_empty() {
            details.push_str("\nSkipped rules:\n\n");
            for r in skipped {
                let detail: String = r["detail"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect();
                details.push_str(&format!(
                    "- `{}` {}: {}\n",
                    r["id"].as_str().unwrap(),
                    r["name"].as_str().unwrap(),
                    detail
                ));
            }
        }
    }
    doc.push_str(&format!(
        "| **all** | | {all} | {all_true} | {} | {false_errors} | |\n",
        all - all_true
    ));
    doc.push_str(&format!(
        "\n{reports} reports checked; {} of findings true; {false_errors} false errors.\n",
        if all == 0 {
            "—".to_string()
        } else {
            format!("{:.0} %", 100.0 * all_true as f64 / all as f64)
        }
    ));
    doc.push_str(&details);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    check_generated(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/accuracy.md"),
        "real-reports",
        &doc,
    );
}

#[test]
fn html_findings_point_into_the_html_file() {
    let page = fixture("real").join("2023-shuyang-fagaiju.html");
    let (_, v) = json(&[page.as_os_str()]);
    let raw = std::fs::read_to_string(&page).unwrap();
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "GI19-P403")
        .unwrap();
    let l = &d["labels"][0];
    let (start, end) = (
        l["start"].as_u64().unwrap() as usize,
        l["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        &raw[start..end],
        "1",
        "the byte range is the cell's text in the HTML"
    );
    let line = raw[..start].matches('\n').count() + 1;
    assert_eq!(l["line"].as_u64().unwrap() as usize, line);
    // The human output labels the visible text, with the page's line numbers.
    let out = bin().arg(&page).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2023-shuyang-fagaiju.html:"), "{text}");
    assert!(!text.contains("<td"), "no markup in the snippets");
}

#[test]
fn a_gbk_page_with_a_meta_charset_gives_the_same_findings() {
    let page = fixture("real").join("2023-shuyang-fagaiju.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.to_ascii_lowercase().contains("charset=gbk"));
    let gbk_html = html.replacen(
        "<head>",
        "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">",
        1,
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&gbk_html);
    assert!(!unmappable);
    let dir = scratch("gbk_html");
    let p = dir.join("page-gbk.html");
    std::fs::write(&p, &bytes).unwrap();
    let (_, a) = json(&[page.as_os_str()]);
    let (_, b) = json(&[p.as_os_str()]);
    assert_eq!(b["files"][0]["encoding"], "GBK");
    let codes = |v: &serde_json::Value| findings(v).into_iter().map(|f| f.0).collect::<Vec<_>>();
    assert_eq!(codes(&a), codes(&b));
    assert!(!codes(&b).is_empty());
}
