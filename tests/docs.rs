//! Documentation that is executed: every `dsl` example of docs/dsl.md, and docs/rules.md being
//! what `report-lint rules docs` prints.

mod common;

use report_lint::diagnostic::Lang;
use report_lint::rules::{self, EvalOutcome};
use report_lint::{document, facts, source};

#[test]
fn dsl_reference_examples_hold() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/dsl.md")).unwrap();
    let sets = rules::builtin().unwrap();
    let rs = &sets[0];
    let src = source::read_path(&common::example()).unwrap();
    let report = document::parse(&src);
    let (facts, _) = facts::bind(&src, &report, &rs.fields, Lang::En);
    let mut in_block = false;
    let mut checked = 0;
    for (n, line) in doc.lines().enumerate() {
        if line.trim() == "```dsl" {
            in_block = true;
            continue;
        }
        if line.trim() == "```" {
            in_block = false;
            continue;
        }
        if !in_block || line.trim().is_empty() {
            continue;
        }
        let (expr, want) = line
            .split_once("==>")
            .unwrap_or_else(|| panic!("docs/dsl.md:{}: no `==>`", n + 1));
        let (expr, want) = (expr.trim(), want.trim());
        let got = match rules::evaluate_str(rs, &facts, expr) {
            Ok(EvalOutcome::Value(v)) => v,
            Ok(EvalOutcome::Skipped(why)) => format!("skipped: {why}"),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, want, "docs/dsl.md:{}: `{expr}`", n + 1);
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} examples found");
}

#[test]
fn rules_md_is_up_to_date() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let on_disk = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let out = common::bin().args(["rules", "docs"]).output().unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    assert!(
        on_disk == generated,
        "docs/rules.md is out of date: run `cargo run -- rules docs > docs/rules.md`"
    );
}

#[test]
fn explain_prints_the_same_documentation() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let md = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let out = common::bin()
        .args(["--lang", "en", "explain", "GI18-Y001"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "统计截止日期写为 {rhs} 年，报告年度为 {lhs} 年",
        "`report.period.year == stated_year`",
        "沿用上一年或下一年的文字",
    ] {
        assert!(text.contains(needle), "explain lacks {needle}: {text}");
        assert!(md.contains(needle), "docs/rules.md lacks {needle}");
    }
    for heading in ["What it checks:", "Why:", "Example:", "How to fix:"] {
        assert!(text.contains(heading), "{heading}");
    }
    // The headings follow --lang, given before or after the command.
    let zh = common::bin()
        .args(["explain", "gi18-y001", "--lang", "zh"])
        .output()
        .unwrap();
    let zh = String::from_utf8(zh.stdout).unwrap();
    for heading in ["检查内容:", "为什么:", "示例:", "如何修正:"] {
        assert!(zh.contains(heading), "{heading}: {zh}");
    }
    assert!(!zh.contains("What it checks:"), "{zh}");
}
