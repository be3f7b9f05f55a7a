//! Fitting a team's tools: the project config (found upward, pyproject), selectors that must
//! select something, overrides, waivers, the baseline, exit codes, standard input, quiet and
//! statistics output, global options anywhere, init, completions and the man page. Every test
//! runs the real binary.

mod common;

use common::{bin, example, scratch};
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin().current_dir(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project: a config file (when given) and the example under `reports/`.
fn project(test: &str, config: Option<&str>) -> std::path::PathBuf {
    let d = scratch(test);
    std::fs::create_dir_all(d.join("reports/sub")).unwrap();
    std::fs::copy(example(), d.join("reports/yuqian-2018.txt")).unwrap();
    if let Some(c) = config {
        std::fs::write(d.join("report-lint.toml"), c).unwrap();
    }
    d
}

#[test]
fn a_selector_that_selects_nothing_is_an_error_and_case_does_not_matter() {
    let d = project("selectors", None);
    let (code, _, err) = run(&d, &["--select", "gi18-p01", "reports"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`gi18-p01` selects no rule"), "{err}");
    assert!(err.contains("did you mean `gi18-p01*`"), "{err}");
    let (code, _, err) = run(&d, &["--ignore", "GI18-P999", "reports"]);
    assert_eq!(code, 2, "{err}");
    // Lower case selects the rule: its error is found and fails the run.
    let (code, out, _) = run(&d, &["--select", "gi18-p010", "reports"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[GI18-P010]"), "{out}");
    assert!(!out.contains("GI18-Y001"), "{out}");
    // Names select too, in any case.
    let (code, out, _) = run(&d, &["--select", "Prose-Review-Cases", "reports"]);
    assert_eq!(code, 1);
    assert!(out.contains("GI18-P010"), "{out}");
}

#[test]
fn fail_on_and_exit_zero_decide_the_exit_code() {
    let d = project("fail-on", None);
    // Warnings only (the errors ignored): passes by default, fails with --fail-on warning.
    let base = ["--ignore", "GI18-P010,GI18-Y001", "reports"];
    let (code, out, _) = run(&d, &base);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning["), "{out}");
    let (code, _, _) = run(&d, &[&base[..], &["--fail-on", "warning"]].concat());
    assert_eq!(code, 1);
    let (code, _, _) = run(&d, &["reports", "--fail-on", "never"]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&d, &["reports", "--exit-zero"]);
    assert_eq!(code, 0);
    // The config file's fail level, and the command line over it.
    std::fs::write(d.join("report-lint.toml"), "fail-on = \"warning\"\n").unwrap();
    let (code, _, _) = run(&d, &base);
    assert_eq!(code, 1);
    let (code, _, _) = run(&d, &[&base[..], &["--fail-on", "error"]].concat());
    assert_eq!(code, 0);
    // --isolated ignores the config file.
    let (code, _, _) = run(&d, &[&base[..], &["--isolated"]].concat());
    assert_eq!(code, 0);
}

#[test]
fn global_options_go_before_or_after_the_command() {
    let d = project("global-options", None);
    for args in [
        &["--lang", "en", "explain", "GI18-P010"][..],
        &["explain", "GI18-P010", "--lang", "en"][..],
    ] {
        let (code, out, err) = run(&d, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("What it checks:"), "{args:?}: {out}");
    }
    let (code, out, _) = run(&d, &["--lang", "en", "rules", "docs"]);
    assert_eq!(code, 0);
    assert!(out.contains("GI18-P010"));
}

#[test]
fn the_language_follows_the_locale_unless_given() {
    let d = project("locale", None);
    let lint = |lc: &str, extra: &[&str]| {
        let out = bin()
            .current_dir(&d)
            .env("LC_ALL", lc)
            .args(["--select", "GI18-P010", "reports"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let en = lint("en_US.UTF-8", &[]);
    assert!(
        en.contains("the prose states 0 administrative reviews"),
        "{en}"
    );
    // Labels too: the field's name, not the form's Chinese title.
    assert!(
        en.contains("^ prose.review_cases: 0") && en.contains("- table.review_cases: 4"),
        "{en}"
    );
    assert!(!en.contains("正文所述行政复议数"), "{en}");
    assert!(lint("zh_CN.UTF-8", &[]).contains("正文称行政复议 0 件"));
    assert!(lint("C", &[]).contains("正文称行政复议 0 件"));
    assert!(lint("en_US.UTF-8", &["--lang", "zh"]).contains("正文称行政复议 0 件"));
}

#[test]
fn standard_input_is_read_with_the_name_given() {
    let d = project("stdin", None);
    let out = bin()
        .current_dir(&d)
        .args(["-", "--stdin-filename", "reports/from-stdin.txt", "--quiet"])
        .pipe_stdin(example())
        .unwrap()
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("┌─ reports/from-stdin.txt:"), "{text}");
    // Quiet: findings only.
    assert!(!text.contains("rules:"), "{text}");
}

#[test]
fn statistics_count_findings_by_rule_only() {
    let d = project("statistics", None);
    let (code, out, _) = run(&d, &["--statistics", "reports"]);
    assert_eq!(code, 1);
    assert!(!out.contains("┌─"), "{out}");
    let rl101 = out
        .lines()
        .find(|l| l.contains("RL101"))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(rl101.split_whitespace().next(), Some("3"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("2 errors, 11 warnings in 1 file")),
        "{out}"
    );
}

#[test]
fn the_config_is_found_upward_and_in_pyproject() {
    let d = project(
        "discovery",
        Some("lang = \"en\"\nignore = [\"GI18-Y001\"]\n"),
    );
    let sub = d.join("reports");
    let (_, out, _) = run(&sub, &["yuqian-2018.txt"]);
    assert!(out.contains("the prose states 0"), "{out}");
    assert!(!out.contains("GI18-Y001"), "{out}");
    // A pyproject.toml without the table is passed over; one with it is used.
    std::fs::remove_file(d.join("report-lint.toml")).unwrap();
    std::fs::write(sub.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    std::fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.report-lint]\nlang = \"en\"\n",
    )
    .unwrap();
    let (_, out, _) = run(&sub, &["yuqian-2018.txt"]);
    assert!(out.contains("the prose states 0"), "{out}");
    // Errors point into the file, and nothing is checked.
    std::fs::write(
        d.join("report-lint.toml"),
        "lang = \"fr\"\nselect = [\"GI18-P01\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(&sub, &["yuqian-2018.txt"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("unknown language `fr`"), "{err}");
    assert!(err.contains("┌─ ../report-lint.toml:1:8"), "{err}");
    std::fs::write(d.join("report-lint.toml"), "select = [\"GI18-P01\"]\n").unwrap();
    let (code, _, err) = run(&sub, &["yuqian-2018.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("`GI18-P01` selects no rule"), "{err}");
    assert!(err.contains("../report-lint.toml:1:"), "{err}");
}

#[test]
fn overrides_switch_rules_off_or_change_their_severity_by_path() {
    let d = project(
        "overrides",
        Some(
            r#"
[[overrides]]
files = ["reports/*.txt"]
ignore = ["RL101"]
severity = { "GI18-P010" = "warning", "GI18-Y001" = "off" }

[[overrides]]
files = ["elsewhere/**"]
ignore = ["GI18-D001"]
"#,
        ),
    );
    let (code, out, _) = run(&d, &["reports"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[GI18-P010]"), "{out}");
    assert!(
        !out.contains("RL101") && !out.contains("GI18-Y001"),
        "{out}"
    );
    assert!(out.contains("GI18-D001"), "{out}");
}

#[test]
fn waivers_are_listed_and_counted_and_stale_ones_are_findings() {
    let d = project(
        "waivers",
        Some(
            r#"
[[waivers]]
rule = "GI18-P010"
files = "yuqian-*.txt"
fact = "table.review_cases"
reason = "decided in January; agreed with the office"
expires = 2999-12-31

[[waivers]]
rule = "GI18-Y001"
files = "reports/*.txt"
reason = "old"
expires = 2001-01-01

[[waivers]]
rule = "RL104"
files = "*.txt"
reason = "nothing to waive here"
"#,
        ),
    );
    let (code, out, _) = run(&d, &["reports", "--ignore", "RL104"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("error[GI18-P010]"), "{out}");
    assert!(
        out.contains("waived GI18-P010 reports/yuqian-2018.txt:29:8:")
            && out
                .contains("(reason: decided in January; agreed with the office, until 2999-12-31)"),
        "{out}"
    );
    assert!(out.contains("1 error, 10 warnings, 1 waived"), "{out}");
    // The expired waiver no longer waives, and says so; the unused one too.
    assert!(out.contains("error[GI18-Y001]"), "{out}");
    assert!(
        out.contains("warning[RC010]: 豁免已于 2001-01-01 到期"),
        "{out}"
    );
    assert!(out.contains("warning[RC011]"), "{out}");
    assert!(out.contains("┌─ report-lint.toml:9:1"), "{out}");
    // JSON lists the waived finding with its reason, and the config findings at the end.
    let (_, json, _) = run(&d, &["reports", "--ignore", "RL104", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["waived"], 1);
    assert_eq!(v["files"][0]["waived"][0]["code"], "GI18-P010");
    assert_eq!(
        v["files"][0]["waived"][0]["reason"],
        "decided in January; agreed with the office"
    );
    let config: Vec<&str> = v["config"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(config, ["RC010", "RC011"]);
    // The file's 10 warnings and the 2 in the config file.
    assert_eq!(v["totals"]["warnings"], 12);
    // SARIF marks the waived result as suppressed, with the reason.
    let (_, sarif, _) = run(&d, &["reports", "--ignore", "RL104", "--format", "sarif"]);
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let waived: Vec<&serde_json::Value> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(
        waived[0]["suppressions"][0]["justification"],
        "decided in January; agreed with the office"
    );
    // A waiver without a reason is refused.
    std::fs::write(
        d.join("report-lint.toml"),
        "[[waivers]]\nrule = \"GI18-P010\"\nfiles = \"*.txt\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&d, &["reports"]);
    assert_eq!(code, 2);
    assert!(err.contains("a waiver needs a reason"), "{err}");
}

#[test]
fn a_baseline_survives_edits_elsewhere_and_lists_what_was_fixed() {
    let d = project("baseline", None);
    let (code, _, err) = run(&d, &["reports", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 13 finding(s) to the baseline"), "{err}");
    let (code, out, _) = run(&d, &["reports", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 errors, 0 warnings, 13 in the baseline"),
        "{out}"
    );
    // An edit elsewhere (a line added at the end) keeps every finding matched.
    let report = d.join("reports/yuqian-2018.txt");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, format!("{text}\n附：本报告电子版可在网站下载。\n")).unwrap();
    let (code, out, _) = run(&d, &["reports", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("13 in the baseline"), "{out}");
    // Fixing the table's review count: the prose/table finding is listed as fixed.
    let fixed = text.replace("四、行政復議數量 | 件 | 4 |", "四、行政復議數量 | 件 | 0 |");
    assert_ne!(fixed, text);
    std::fs::write(&report, fixed).unwrap();
    let (_, out, _) = run(&d, &["reports", "--baseline", "baseline.json"]);
    assert!(out.contains("fixed since the baseline (1):"), "{out}");
    assert!(
        out.contains("  GI18-P010 reports/yuqian-2018.txt:"),
        "{out}"
    );
    // Not a baseline: a clear error.
    std::fs::write(d.join("bad.json"), "{}").unwrap();
    let (code, _, err) = run(&d, &["reports", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a report-lint baseline"), "{err}");
}

#[test]
fn init_completions_and_the_man_page() {
    let d = project("init", None);
    let (code, _, err) = run(&d, &["init"]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(d.join("report-lint.toml")).unwrap();
    assert!(written.contains("[[waivers]]"));
    // The starter is a valid config: the run goes on as without one.
    let (code, out, _) = run(&d, &["reports"]);
    assert_eq!(code, 1, "{out}");
    let (code, _, err) = run(&d, &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    let (code, out, _) = run(&d, &["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--fail-on") && out.contains("report-lint"),
        "{out}"
    );
    let (code, out, _) = run(&d, &["man"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(".TH report-lint") && out.contains("fail\\-on"),
        "{out}"
    );
}

/// Display columns of a text (CJK characters take two).
fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum()
}

/// The part of `line` under display columns `[from, to)`.
fn under(line: &str, from: usize, to: usize) -> String {
    let mut col = 0;
    let mut out = String::new();
    for c in line.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if col >= from && col + w <= to {
            out.push(c);
        }
        col += w;
    }
    out
}

#[test]
fn long_lines_are_cut_to_the_terminal_width_with_the_label_under_its_words() {
    let d = project("columns", None);
    let (_, json, _) = run(
        &d,
        &["--select", "GI18-S001", "reports", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let label = v["files"][0]["diagnostics"][0]["labels"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!label.is_empty());
    for width in [80usize, 200] {
        let out = bin()
            .current_dir(&d)
            .env("COLUMNS", width.to_string())
            .args(["--select", "GI18-S001", "reports"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        // Every source line shown fits the terminal.
        for l in &lines {
            if l.trim_start()
                .split(' ')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
            {
                assert!(columns(l) <= width, "{width}: {l}");
            }
        }
        // The preamble line (350 characters) is cut, `…` on the cut sides, and the carets sit
        // under the label's own words.
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with("5 │"))
            .unwrap_or_else(|| panic!("{text}"));
        let (source, carets) = (lines[i], lines[i + 1]);
        assert!(source.contains('…'), "{source}");
        let from = columns(&carets[..carets.find('^').unwrap_or_else(|| panic!("{carets}"))]);
        let to = columns(&carets[..carets.rfind('^').unwrap() + 1]);
        assert_eq!(
            under(source, from, to),
            label,
            "{width}:\n{source}\n{carets}"
        );
    }
}

#[test]
fn every_format_names_the_same_place_in_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "tests/fixtures/real/2023-shuyang-fagaiju.html",
        "examples/yuqian-2018.txt",
    ] {
        let (_, human, _) = run(root, &[file]);
        let headers: Vec<String> = human
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("┌─ "))
            .map(|l| l.rsplitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
            .collect();
        let (_, json, _) = run(root, &[file, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let from_json: Vec<String> = v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| {
                let l = d["labels"]
                    .as_array()?
                    .iter()
                    .find(|l| l["primary"] == true)?;
                // `col:line` as the header is read back to front.
                Some(format!("{}:{}", l["column"], l["line"]))
            })
            .collect();
        assert!(!headers.is_empty());
        assert_eq!(headers, from_json, "{file}");
        let (_, github, _) = run(root, &[file, "--format", "github"]);
        let from_github: Vec<String> = github
            .lines()
            .filter(|l| l.contains(",line="))
            .map(|l| {
                let field = |k: &str| {
                    l.split([',', ' '])
                        .find_map(|p| p.strip_prefix(k))
                        .unwrap_or("")
                        .to_string()
                };
                format!("{}:{}", field("col="), field("line="))
            })
            .collect();
        assert_eq!(from_github, from_json, "{file}");
    }
}

#[test]
fn rule_authors_get_every_error_and_the_nearest_name() {
    let d = scratch("authoring");
    let file = d.join("rules.toml");
    std::fs::write(
        &file,
        r#"[ruleset]
id = "t"
title = "t"

[tables.stats]
value_column = ["统计数"]

[tables.stats.rows]
trainings = "举办各类培训班数"
trainees = "接受培训人员数"

[[rule]]
id = "A1"
name = "a1"
severity = "warning"
check = "table.trainees >= table.trainings * 20
message = "x"
message_en = "x"

[[rule]]
id = "A2"
name = "a2"
severity = "warning"
check = "table.trainees = table.trainings && table.trainees > 0"
message = "x"
message_en = "x"

[[rule]]
id = "A3"
name = "a3"
severity = "warning"
check = "(table.trainees > 0"
message = "x {table.trainee}"
message_en = "x"

[[rule]]
id = "A4"
name = "a4"
severity = "warning"
check = "table.trainees > 0 ? 1 : 0"
message = "x"
message_en = "x"
"#,
    )
    .unwrap();
    let (code, _, err) = run(&d, &["rules", "check", "rules.toml"]);
    assert_eq!(code, 2);
    // The TOML error (an unclosed string) does not hide the other rules' errors.
    assert!(
        err.contains("error[RF001]") && err.contains("rules.toml:16:"),
        "{err}"
    );
    assert!(err.contains("found `=`; did you mean `==`?"), "{err}");
    assert!(err.contains("┌─ rules.toml:24:25"), "{err}");
    assert!(
        err.contains("this `(` is never closed: expected `)`"),
        "{err}"
    );
    assert!(err.contains("┌─ rules.toml:32:10"), "{err}");
    assert!(
        err.contains("unknown placeholder `{table.trainee}`; did you mean `{table.trainees}`?"),
        "{err}"
    );
    assert!(err.contains("there is no `c ? a : b` here"), "{err}");
    // `eval` shows the expression with a caret, not a byte offset.
    let (code, _, err) = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["eval", "table.budget || 1", "examples/yuqian-2018.txt"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `or`?"), "{err}");
    assert!(
        err.contains("1 │ table.budget || 1\n  │              ^^ here"),
        "{err}"
    );
    assert!(!err.contains(" at 13"), "{err}");
}
