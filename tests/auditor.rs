//! The tools rule authors use: `rules check`, `rules test`, `explain`, `dump`, `eval`,
//! layering over a built-in set, and --select / --ignore.

mod common;

use common::*;
use predicates::prelude::*;

fn write(test: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = scratch(test);
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const HEAD: &str = "[ruleset]\nid = \"t\"\ntitle = \"t\"\n\n[tables.s]\nvalue_column = [\"统计数\"]\n[tables.s.rows]\ntotal = \"行政复议数量\"\nupheld = \"维持具体行政行为数\"\n";

#[test]
fn rules_check_reports_every_error_with_its_place() {
    let text = format!(
        "{HEAD}\n[[rule]]\nid = \"A\"\nname = \"a\"\nseverity = \"error\"\ncheck = \"\"\"\ntable.total >=\n    table.uphld\"\"\"\nmessage = \"{{lhs}} {{nope}}\"\nmessage_en = \"m\"\n\n\
         [[rule]]\nid = \"A\"\nname = \"b\"\nseverity = \"warning\"\ncheck = \"report.period.year == \\\"2018\\\"\"\nmessage = \"m\"\nmessage_en = \"m\"\n\n\
         [[rule]]\nid = \"C\"\nname = \"c\"\nseverity = \"warning\"\ncheck = \"max(table.total) > 1 and abs(1, 2) > 0\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
    );
    let p = write("rules_check", "r.toml", &text);
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    bin()
        .args(["rules", "check"])
        .arg(&p)
        .assert()
        .code(2)
        // inside a multi-line string: line 2 of the value, column of `table.uphld`
        .stderr(predicate::str::contains(format!(
            "r.toml:{}:5",
            line_of("table.uphld")
        )))
        .stderr(predicate::str::contains("did you mean `table.upheld`?"))
        .stderr(predicate::str::contains("unknown placeholder `{nope}`"))
        .stderr(predicate::str::contains("duplicate rule id `A`"))
        .stderr(predicate::str::contains(
            "unknown name `report.period.year`",
        ))
        .stderr(predicate::str::contains(
            "`abs` takes 1 argument(s), found 2",
        ))
        .stderr(predicate::str::contains("5 error(s) in the rule file"));
}

#[test]
fn rules_check_accepts_the_builtin_and_example_files() {
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "rules",
            "check",
            "rules/2018.toml",
            "examples/custom-rules.toml",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "rules/2018.toml: ok: rule set cn-gi-2018",
        ));
}

#[test]
fn type_errors_and_limits_are_load_time_errors() {
    let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    let text = format!(
        "{HEAD}\n[[rule]]\nid = \"A\"\nname = \"a\"\nseverity = \"error\"\ncheck = \"table.total == \\\"4\\\"\"\nmessage = \"m\"\nmessage_en = \"m\"\n\n\
         [[rule]]\nid = \"B\"\nname = \"b\"\nseverity = \"error\"\ncheck = \"{deep} == 1\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
    );
    let p = write("type_errors", "r.toml", &text);
    bin()
        .args(["rules", "check"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error[RF011]: type error in rule A: cannot compare a number with a string",
        ))
        .stderr(predicate::str::contains("nests deeper than 64 levels"));
}

#[test]
fn rules_test_fails_a_rule_without_cases_and_a_case_that_does_not_hold() {
    let text = format!(
        "{HEAD}\n[[rule]]\nid = \"A\"\nname = \"a\"\nseverity = \"error\"\ncheck = \"table.total == table.upheld\"\nmessage = \"m\"\nmessage_en = \"m\"\n\n\
         [[rule.test]]\nexpect = \"fail\"\nreport = \"\"\"\n统计指标 | 单位 | 统计数 |\n四、行政复议数量 | 件 | 4 |\n(一)维持具体行政行为数 | 件 | 3 |\n\"\"\"\nat = \"4\"\n\n\
         [[rule.test]]\nexpect = \"pass\"\nreport = \"\"\"\n统计指标 | 单位 | 统计数 |\n四、行政复议数量 | 件 | 4 |\n(一)维持具体行政行为数 | 件 | 3 |\n\"\"\"\n\n\
         [[rule]]\nid = \"B\"\nname = \"b\"\nseverity = \"error\"\ncheck = \"table.total >= 0\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
    );
    let p = write("rules_test", "r.toml", &text);
    bin()
        .args(["rules", "test"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ok    A #1 (fail)"))
        .stdout(predicate::str::contains("FAIL  A #2 (pass): got: failed"))
        .stdout(predicate::str::contains(
            "FAIL  B: the rule has no passing test case",
        ))
        .stdout(predicate::str::contains(
            "FAIL  B: the rule has no failing test case",
        ))
        .stdout(predicate::str::contains("1 passed, 3 failed"));
}

#[test]
fn explain_knows_rules_and_builtin_checks() {
    bin()
        .args(["explain", "prose-review-cases"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "GI18-P010 prose-review-cases (error, cn-gi-2018)",
        ))
        .stdout(predicate::str::contains(
            "prose.review_cases  正文所述行政复议数",
        ));
    bin()
        .args(["explain", "RL102"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("truncated-label"));
    bin()
        .args(["explain", "GI18-P01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule `GI18-P01`; did you mean"));
}

#[test]
fn dump_shows_facts_with_sources_and_what_bound_nothing() {
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["dump", "examples/yuqian-2018.txt"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "heading  28:1     [1] 五、因政府信息公開申請行政復議、提起行政訴訟的情況",
        ))
        .stdout(predicate::str::contains("table.review_cases"))
        .stdout(predicate::str::contains("\"4\" (exact) 行政复议数量"))
        .stdout(predicate::str::contains("\"0\" (position) 收到申请数"))
        .stdout(predicate::str::contains(
            "prose.channels.wechat              = 398        15:29",
        ))
        .stdout(predicate::str::contains(
            "clauses with figures (what each figure bound to, or why nothing)",
        ))
        .stdout(predicate::str::contains("398條 -> prose.channels.wechat"));
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["dump", "examples/yuqian-2018.txt", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "prose.stated_year")
        .unwrap();
    assert_eq!(f["span"]["line"], 19);
    assert_eq!(f["span"]["text"], "截止到2019年12月31日");
    assert_eq!(f["raw"], "截止到2019年12月31日");
    assert_eq!(v["document"]["tables"][0]["rows"][47][2], "4");
}

#[test]
fn eval_tries_an_expression_on_a_report() {
    bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            "sum(table.channels.*) - table.proactive_total",
            "examples/yuqian-2018.txt",
        ])
        .assert()
        .code(0)
        .stdout("0\n");
}

#[test]
fn a_user_file_extends_the_builtin_set() {
    let text = "[ruleset]\nid = \"mine\"\ntitle = \"mine\"\nextends = [\"builtin:2018\"]\ndisable = [\"GI18-D*\"]\n\n\
                [override.\"GI18-T011\"]\nseverity = \"error\"\n\n\
                [override.\"GI18-S001\"]\nseverity = \"error\"\n\n\
                [[rule]]\nid = \"MY-1\"\nname = \"trainees\"\nseverity = \"info\"\ncheck = \"table.trainees >= 50\"\nmessage = \"培训 {lhs} 人次\"\nmessage_en = \"{lhs} trainees\"\n";
    let p = write("extends", "mine.toml", text);
    let (code, v) = json(&[
        std::ffi::OsStr::new("--rules"),
        p.as_os_str(),
        example().as_os_str(),
    ]);
    assert_eq!(code, 1);
    let found = findings(&v);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(codes.contains(&"MY-1"), "{codes:?}");
    assert!(codes.contains(&"GI18-P010"), "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("GI18-D")), "{codes:?}");
    let find = |code: &str| {
        v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(find("GI18-S001")["severity"], "error");
    // T011 rests on a row bound by position (its label is garbled): made an error by the
    // override, it is still capped at a warning, and the finding says why.
    let t011 = find("GI18-T011");
    assert_eq!(t011["severity"], "warning");
    assert!(
        t011["notes"].to_string().contains("按位置读取"),
        "{}",
        t011["notes"]
    );
    // Redefining a base rule, or naming a rule that does not exist, is an error.
    let bad = text
        .replace("id = \"MY-1\"", "id = \"GI18-T001\"")
        .replace("GI18-T011", "GI18-T999");
    let p = write("extends_bad", "mine.toml", &bad);
    bin()
        .args(["rules", "check"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rule `GI18-T001` comes from the base rule set",
        ))
        .stderr(predicate::str::contains("no rule `GI18-T999` to override"));
    let p = write(
        "extends_missing",
        "mine.toml",
        &text.replace("builtin:2018", "base.toml"),
    );
    bin()
        .args(["rules", "check"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot extend `base.toml`: cannot read",
        ));
}

#[test]
fn select_and_ignore_filter_rules_and_builtin_checks() {
    let (_, v) = json(&[
        std::ffi::OsStr::new("--select"),
        std::ffi::OsStr::new("GI18-P*,RL104"),
        example().as_os_str(),
    ]);
    let found = findings(&v);
    assert_eq!(
        found,
        vec![("GI18-P010".to_string(), 29), ("RL104".to_string(), 79)]
    );
    let (code, v) = json(&[
        std::ffi::OsStr::new("--ignore"),
        std::ffi::OsStr::new("stated-year,GI18-P010,RL1*"),
        example().as_os_str(),
    ]);
    assert_eq!(code, 0);
    let codes: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        codes,
        vec![
            "GI-W001",
            "GI-W001",
            "GI-W003",
            "GI18-D001",
            "GI18-S001",
            "GI18-T011"
        ]
    );
}
