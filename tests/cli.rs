//! The command line as a user meets it: exit codes, unreadable inputs, bad rule files.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn no_arguments_is_a_usage_error() {
    bin()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage"));
}

#[test]
fn verbose_lists_passed_and_skipped_rules_with_reasons() {
    bin()
        .arg(example())
        .arg("--verbose")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "rule set: cn-gi-2018 (`report.period.year <= 2018` holds",
        ))
        .stdout(predicate::str::contains(
            "passed  GI18-T001 channels-sum: 0 + 105 + 100 + 398 + 10 = 613 == 613",
        ))
        .stdout(predicate::str::contains(
            "passed  GI18-T004 refusal-reasons: 0 == 0 + 0 + 0 + 0 + 0 + 0 (空白单元格按 0 计)",
        ))
        .stdout(predicate::str::contains(
            "skipped GI18-P002 prose-channel-gazette",
        ));
}

#[test]
fn without_verbose_the_summary_still_counts_skipped_rules() {
    bin()
        .arg(example())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "2 errors, 11 warnings; rules: 35 passed, 8 failed, 5 skipped (--verbose lists them",
        ));
}

#[test]
fn empty_binary_and_missing_files_are_reported_and_the_rest_still_checked() {
    let dir = scratch("bad_inputs");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let binary = dir.join("image.txt");
    std::fs::write(&binary, [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0x49, 0x48]).unwrap();
    let missing = dir.join("missing.txt");
    bin()
        .arg(&empty)
        .arg(&binary)
        .arg(&missing)
        .arg(example())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("empty.txt: the file is empty"))
        .stdout(predicate::str::contains("image.txt: the file looks binary"))
        .stdout(predicate::str::contains(
            "missing.txt: cannot read the file",
        ))
        .stdout(predicate::str::contains(
            "yuqian-2018.txt: 2 errors, 11 warnings",
        ))
        .stdout(predicate::str::contains("checked 1 file of 4"));
}

#[test]
fn a_report_no_builtin_set_applies_to_is_not_checked() {
    let dir = scratch("no_ruleset");
    let r = dir.join("noyear.txt");
    std::fs::write(
        &r,
        "某某局政府信息公开工作年度报告\n一、总体情况\n本局认真落实条例。\n",
    )
    .unwrap();
    bin()
        .arg(&r)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "not checked: no built-in rule set applies",
        ))
        .stdout(predicate::str::contains(
            "the reporting year could not be determined",
        ));
}

#[test]
fn a_report_without_a_year_is_checked_with_the_set_its_layout_matches() {
    let dir = scratch("layout_choice");
    let text = std::fs::read_to_string(fixture("2021-clean.txt"))
        .unwrap()
        .replace(
            "某区人民政府2023年政府信息公开工作年度报告",
            "某区人民政府政府信息公开工作年度报告",
        )
        .replace(
            "统计期限自2023年1月1日起至2023年12月31日止",
            "统计期限为上一年度",
        );
    let p = dir.join("noyear-2021.txt");
    std::fs::write(&p, text).unwrap();
    let (_, v) = json(&[p.as_os_str()]);
    let f = &v["files"][0];
    assert_eq!(f["ruleset"], "cn-gi-2021");
    assert!(
        f["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "RL110"),
        "{f:#}"
    );
}

#[test]
fn a_batch_ends_with_findings_by_rule() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    bin()
        .current_dir(root)
        .args(["tests/fixtures/real/", "examples/yuqian-2018.txt"])
        .assert()
        .code(1)
        // Seven text and HTML reports and the three PDFs.
        .stdout(predicate::str::contains("checked 10 files of 10"))
        .stdout(predicate::str::contains(
            "findings by rule (files with at least one):",
        ))
        .stdout(predicate::str::contains(
            "     4  GI21-F002  warning t3-single-other-row",
        ));
}

#[test]
fn directories_are_searched() {
    let dir = scratch("dir_input");
    std::fs::copy(example(), dir.join("a.txt")).unwrap();
    std::fs::write(dir.join("notes.md"), "not a report").unwrap();
    bin()
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("a.txt: 2 errors"))
        .stdout(predicate::str::contains("notes.md").not());
}

#[test]
fn a_clean_report_exits_zero() {
    // The example with its two error-level problems corrected.
    let dir = scratch("clean");
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("截止到2019年12月31日", "截止到2018年12月31日")
        .replace("四、行政復議數量 | 件 | 4 |", "四、行政復議數量 | 件 | 0 |")
        .replace(
            "(一)維持具體行政行為數 | 件 | 4 |",
            "(一)維持具體行政行為數 | 件 | 0 |",
        );
    let p = dir.join("fixed.txt");
    std::fs::write(&p, text).unwrap();
    bin()
        .arg(&p)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("fixed.txt: 0 errors, 11 warnings"));
}

#[test]
fn bad_rule_file_points_into_the_toml_and_exits_2() {
    let dir = scratch("bad_rules");
    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/2018.toml"),
    )
    .unwrap()
    .replace(
        "check = \"sum(channels) == proactive_total\"",
        "check = \"sum(channels) == == proactive_total\"",
    );
    let p = dir.join("bad.toml");
    std::fs::write(&p, &rules).unwrap();
    let line = rules
        .lines()
        .position(|l| l.contains("== == proactive_total"))
        .unwrap()
        + 1;
    let col = rules
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("== proactive")
        .unwrap()
        + 1;
    bin()
        .arg("--rules")
        .arg(&p)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error[RF002]: syntax error in rule GI18-T001",
        ))
        .stderr(predicate::str::contains(format!("bad.toml:{line}:{col}")))
        .stderr(predicate::str::contains("nothing was checked"))
        .stdout(predicate::str::is_empty());
}

#[test]
fn malformed_toml_and_unknown_names_are_all_reported() {
    let dir = scratch("bad_rules_many");
    let p = dir.join("r.toml");
    std::fs::write(
        &p,
        "[ruleset]\nid = \"x\"\ntitle = \"t\"\n\n[tables.s]\nrows = { total = \"合计\" }\n\n\
         [[rule]]\nid = \"A\"\nname = \"a\"\nseverity = \"error\"\ncheck = \"table.totl > 0\"\nmessage = \"m\"\nmessage_en = \"m\"\n\n\
         [[rule]]\nid = \"B\"\nname = \"b\"\nseverity = \"fatal\"\ncheck = \"table.total > 0\"\nmessage = \"m\"\nmessage_en = \"m\"\n",
    )
    .unwrap();
    bin()
        .arg("--rules")
        .arg(&p)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown name `table.totl`; did you mean `table.total`?",
        ))
        .stderr(predicate::str::contains("r.toml:12:10"))
        .stderr(predicate::str::contains("unknown severity `fatal`"))
        .stderr(predicate::str::contains("2 error(s) in the rule file"));
    std::fs::write(&p, "[ruleset]\nid = \"x\"\ntitle = \n").unwrap();
    bin()
        .arg("--rules")
        .arg(&p)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[RF001]: invalid rule file"))
        .stderr(predicate::str::contains("r.toml:3:"));
}

#[test]
fn json_output_is_one_document() {
    let (code, v) = json(&[example().as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    assert_eq!(v["totals"]["errors"], 2);
    let d = &v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "GI18-P010")
        .unwrap()
        .clone();
    let labels = d["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0]["primary"], true);
    assert_eq!(labels[0]["line"], 29);
    assert_eq!(labels[1]["primary"], false);
    assert_eq!(labels[1]["line"], 88);
    assert_eq!(labels[1]["text"], "4");
}

#[test]
fn readme_custom_rule_example_runs() {
    // The rule-writing example of README.md, run as the README shows it.
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "--rules",
            "examples/custom-rules.toml",
            "examples/yuqian-2018.txt",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning[AUDIT-001]: 举办培训班 2 期，仅培训 36 人次",
        ))
        .stdout(predicate::str::contains(
            "= table.trainings * 20 = 2 * 20 = 40",
        ))
        .stdout(predicate::str::contains("RL103").not());
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/custom-rules.toml"),
    )
    .unwrap();
    assert!(
        readme.contains(example.trim()),
        "README.md shows examples/custom-rules.toml verbatim"
    );
}

#[test]
fn readme_worked_example_steps_run() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let audit = std::fs::read_to_string(root.join("examples/audit-2018.toml")).unwrap();
    assert!(
        readme.contains(audit.trim()),
        "README.md shows examples/audit-2018.toml verbatim"
    );
    bin()
        .current_dir(root)
        .args([
            "eval",
            "table.trainees / table.trainings",
            "examples/yuqian-2018.txt",
        ])
        .assert()
        .code(0)
        .stdout("18\n");
    bin()
        .current_dir(root)
        .args(["rules", "check", "examples/custom-rules.toml"])
        .assert()
        .code(0);
    bin()
        .current_dir(root)
        .args(["rules", "test", "examples/custom-rules.toml"])
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with("2 passed, 0 failed\n"));
    bin()
        .current_dir(root)
        .args(["rules", "test", "examples/"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("FAIL").not());
    bin()
        .current_dir(root)
        .args([
            "--rules",
            "examples/audit-2018.toml",
            "examples/yuqian-2018.txt",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[GI18-S001]"))
        .stdout(predicate::str::contains("GI18-D002").not());
}

/// A batch of copies of the bundled reports with a few unreadable files between them.
fn batch(test: &str, n: usize) -> std::path::PathBuf {
    let dir = scratch(test);
    let sources = [
        example(),
        fixture("2021-clean.txt"),
        fixture("real/2023-shuyang-fagaiju.html"),
    ];
    for i in 0..n {
        let src = &sources[i % sources.len()];
        let ext = src.extension().unwrap().to_str().unwrap().to_string();
        if i % 7 == 3 {
            std::fs::write(dir.join(format!("f{i:03}.txt")), "").unwrap();
        } else {
            std::fs::copy(src, dir.join(format!("f{i:03}.{ext}"))).unwrap();
        }
    }
    dir
}

#[test]
fn the_number_of_jobs_changes_nothing_but_the_threads() {
    let dir = batch("jobs", 12);
    let run = |extra: &[&str]| {
        let out = bin()
            .args(["--color", "never"])
            .args(extra)
            .arg(&dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let default = run(&[]);
    assert!(default.1.contains("of 12"), "{}", default.1);
    assert_eq!(run(&["--jobs", "1"]), default);
    assert_eq!(run(&["-j", "3"]), default);
    assert_eq!(
        run(&["-j", "1", "--no-pairing"]),
        run(&["-j", "5", "--no-pairing"])
    );
    bin()
        .args(["--jobs", "0"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--jobs"));
}

#[test]
fn every_format_streams_the_batch_in_input_order() {
    let dir = batch("stream_order", 40);
    // Human: one summary line per file, in the order of the (sorted) paths.
    let out = bin().arg(&dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // Each file ends with its summary line, which starts with its path.
    let prefix = dir.display().to_string();
    let firsts: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect();
    let mut sorted = firsts.clone();
    sorted.sort();
    assert_eq!(firsts, sorted, "{text}");
    assert_eq!(firsts.len(), 40, "{text}");
    assert!(text.contains("checked 34 files of 40"), "{text}");
    // JSON: one document, files in order, totals at the end.
    let (code, v) = json(&[dir.as_os_str()]);
    assert_eq!(code, 2, "unreadable files make the exit code 2");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 40);
    let errors: u64 = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] == "error")
                .count() as u64
        })
        .sum();
    assert_eq!(v["totals"]["errors"], errors);
    // JSON Lines: a line per file, then the totals.
    let out = bin()
        .arg(&dir)
        .args(["--format", "jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 41);
    assert_eq!(lines[40]["totals"], v["totals"]);
    assert_eq!(lines[0]["path"], v["files"][0]["path"]);
    // SARIF: one document whose results count the findings.
    let out = bin()
        .arg(&dir)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let findings: usize = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["diagnostics"]
                .as_array()
                .unwrap()
                .len()
                .max(usize::from(f["status"] != "checked"))
        })
        .sum();
    assert_eq!(results.len(), findings);
    assert!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len()
            > 3
    );
}
