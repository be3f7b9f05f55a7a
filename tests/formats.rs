//! The machine-readable formats, checked by what reads them: the JSON document against its
//! schema (docs/report-lint.schema.json), SARIF against the official SARIF 2.1.0 schema (the
//! copy the serde-sarif crate ships) and its Rust types, JUnit as XML, CSV as a spreadsheet
//! program's CSV reader sees it. The schema and XML/CSV checks use Python (jsonschema, the
//! standard library); where it is missing they are skipped with the reason (`.ci/run` installs
//! jsonschema).

mod common;

use common::python;
use common::{bin, example, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1] if len(sys.argv) > 1 else SCHEMA))
doc = json.load(sys.stdin)
errors = sorted(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc), key=str)
print("\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5]) or "valid")
"#;

fn validate(schema: &Path, doc: &[u8]) -> Option<String> {
    let script = VALIDATE.replace("SCHEMA", &format!("{:?}", schema.display().to_string()));
    python(&script, doc)
}

fn out(dir: &Path, args: &[&str]) -> (i32, Vec<u8>) {
    let o = bin().current_dir(dir).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), o.stdout)
}

/// A batch with everything the formats carry: findings, a waived finding, an expired waiver, an
/// HTML report, an unreadable file, and a path with a space and Chinese characters.
fn batch(test: &str) -> PathBuf {
    let d = scratch(test);
    std::fs::create_dir_all(d.join("报告 2018")).unwrap();
    std::fs::copy(example(), d.join("报告 2018/于潜镇 年报.txt")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("tests/fixtures/real/2023-shuyang-fagaiju.html"),
        d.join("shuyang.html"),
    )
    .unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(
        d.join("report-lint.toml"),
        "[[waivers]]\nrule = \"GI18-P010\"\nfiles = \"*.txt\"\nreason = \"agreed\"\nexpires = 2999-01-01\n\n[[waivers]]\nrule = \"GI18-Y001\"\nfiles = \"*.txt\"\nreason = \"old\"\nexpires = 2001-01-01\n",
    )
    .unwrap();
    d
}

const INPUTS: [&str; 3] = ["报告 2018/于潜镇 年报.txt", "shuyang.html", "empty.txt"];

#[test]
fn the_json_document_matches_its_schema() {
    let d = batch("json-schema");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-lint.schema.json");
    let (_, json) = out(&d, &[&INPUTS[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["waived"], 1);
    assert!(v["config"]["diagnostics"].is_array());
    let Some(verdict) = validate(&schema, &json) else {
        return;
    };
    assert_eq!(verdict.trim(), "valid");
    // A baseline's fixed findings too.
    let (code, _) = out(&d, &["--write-baseline", "b.json", INPUTS[1]]);
    assert_eq!(code, 0);
    let b = std::fs::read_to_string(d.join("b.json")).unwrap();
    let mut b: serde_json::Value = serde_json::from_str(&b).unwrap();
    b["findings"][0]["file"] = "elsewhere.html".into();
    std::fs::write(d.join("b.json"), b.to_string()).unwrap();
    let (_, json) = out(&d, &[INPUTS[1], "--baseline", "b.json", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["fixed"][0]["file"], "elsewhere.html");
    assert_eq!(validate(&schema, &json).unwrap().trim(), "valid");
    // The schema can fail: a document without its totals is not valid.
    let mut broken = v.clone();
    broken.as_object_mut().unwrap().remove("totals");
    let verdict = validate(&schema, broken.to_string().as_bytes()).unwrap();
    assert!(
        verdict.contains("'totals' is a required property"),
        "{verdict}"
    );
}

/// The SARIF 2.1.0 schema shipped in the serde-sarif crate (a dev-dependency).
fn sarif_schema() -> PathBuf {
    let meta = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let manifest = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif in the dependency graph")
        .to_string();
    Path::new(&manifest)
        .parent()
        .unwrap()
        .join("src/schema.json")
}

#[test]
fn sarif_is_valid_and_carries_what_code_scanning_needs() {
    let d = batch("sarif");
    let (code, sarif) = out(&d, &[&INPUTS[..2], &["--format", "sarif"]].concat());
    // The official schema, and the Rust types generated from it.
    let typed: Result<serde_sarif::sarif::Sarif, _> = serde_json::from_slice(&sarif);
    assert!(typed.is_ok(), "{:?}", typed.err());
    if let Some(verdict) = validate(&sarif_schema(), &sarif) {
        assert_eq!(verdict.trim(), "valid");
    }
    let v: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["invocations"][0]["exitCode"], code);
    let results = run["results"].as_array().unwrap();
    // Percent-encoded URIs for a path with a space and Chinese characters.
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("%E6%8A%A5%E5%91%8A%202018/"), "{uri}");
    // Rules described from their documentation.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let p010 = rules.iter().find(|r| r["id"] == "GI18-P010").unwrap();
    assert_eq!(
        p010["shortDescription"]["text"],
        "正文称行政复议 … 件，统计表为 … 件"
    );
    assert!(p010["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("prose.review_cases == table.review_cases"));
    assert!(p010["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("### GI18-P010"));
    // The waived finding is a suppressed result, with the secondary label as a related location.
    let waived = results.iter().find(|r| r["ruleId"] == "GI18-P010").unwrap();
    assert_eq!(waived["suppressions"][0]["justification"], "agreed");
    assert_eq!(
        waived["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        88
    );
    // The expired waiver is a result on the config file.
    assert!(results.iter().any(|r| r["ruleId"] == "RC010"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "report-lint.toml"));
    // Fingerprints: the same in another run and after an edit elsewhere in the report.
    let prints = |sarif: &[u8]| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(sarif).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["reportLint/v1"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    let before = prints(&sarif);
    assert!(before.iter().all(|(_, p)| p.len() == 16) || before.iter().any(|(r, _)| r == "RC010"));
    let report = d.join(INPUTS[0]);
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, format!("{text}\n附：本报告电子版可在网站下载。\n")).unwrap();
    let (_, again) = out(&d, &[&INPUTS[..2], &["--format", "sarif"]].concat());
    assert_eq!(prints(&again), before);
}

#[test]
fn github_annotations_keep_the_other_side_and_the_help() {
    let d = batch("github");
    let (_, text) = out(
        &d,
        &[
            INPUTS[0],
            "--isolated",
            "--format",
            "github",
            "--select",
            "GI18-P010",
        ],
    );
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("%0Asee also line 88, column 16: 行政复议数量: 4"),
        "{text}"
    );
    assert!(text.contains("%0Ahelp: 核实行政复议案件数"), "{text}");
}

#[test]
fn junit_has_a_test_case_per_rule_per_file() {
    let d = batch("junit");
    let (_, xml) = out(
        &d,
        &[&INPUTS[..], &["--format", "junit", "--isolated"]].concat(),
    );
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
for s in root:
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases), s.get("name")
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert int(s.get("failures")) == len(failed)
    print(s.get("name"), len(cases), " ".join(sorted(failed)), len([c for c in cases if c.find("error") is not None]))
"#;
    let Some(summary) = python(script, &xml) else {
        return;
    };
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines.len(), 3, "{summary}");
    assert!(
        lines[0].starts_with("报告 2018/于潜镇 年报.txt 49 "),
        "{summary}"
    );
    assert!(
        lines[0].contains("GI18-P010 prose-review-cases"),
        "{summary}"
    );
    assert!(lines[0].contains("RL101 garbled-label"), "{summary}");
    // The empty file is an error test case.
    assert!(lines[2].starts_with("empty.txt 1  1"), "{summary}");
}

#[test]
fn csv_opens_as_utf8_with_a_row_per_finding() {
    let d = batch("csv");
    let (_, csv) = out(&d, &[INPUTS[0], "--format", "csv"]);
    assert!(csv.starts_with("\u{FEFF}".as_bytes()), "no byte-order mark");
    let script = r#"
import csv, io, sys
rows = list(csv.DictReader(io.StringIO(sys.stdin.buffer.read().decode("utf-8-sig"))))
for r in rows:
    print(r["code"], r["line"], r["severity"], r["suppressed"], r["file"], sep="|")
"#;
    let Some(rows) = python(script, &csv) else {
        return;
    };
    let rows: Vec<&str> = rows.lines().collect();
    // The report's 13 findings (the expired waiver's back, one waived) and the expired waiver.
    assert_eq!(rows.len(), 14, "{rows:?}");
    assert!(
        rows.contains(&"GI18-P010|29|error|waived: agreed|报告 2018/于潜镇 年报.txt"),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"GI18-Y001|19|error||报告 2018/于潜镇 年报.txt"),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.starts_with("RC010|")), "{rows:?}");
}
