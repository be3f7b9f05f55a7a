//! Every rule of rules/2018.toml can fail and can pass: each case edits one figure of the
//! example report and checks that exactly the targeted rule changes its verdict.

mod common;

use report_lint::diagnostic::Lang;
use report_lint::{check_source, source, RuleStatus};

/// (rule id, text to replace, replacement, should the rule fail afterwards)
const CASES: &[(&str, &str, &str, bool)] = &[
    (
        "GI18-T001",
        "5.其他方式公開政府信息數 | 條 | 10 |",
        "5.其他方式公開政府信息數 | 條 | 11 |",
        true,
    ),
    (
        "GI18-T002",
        "1.當面申請數 | 件 | 0 |",
        "1.當面申請數 | 件 | 1 |",
        true,
    ),
    (
        "GI18-T003",
        "1.按時辦結數 | 件 | 0 |",
        "1.按時辦結數 | 件 | 2 |",
        true,
    ),
    (
        "GI18-T004",
        "涉及商業秘(密) | 件 | |",
        "涉及商業秘(密) | 件 | 3 |",
        true,
    ),
    (
        "GI18-T004",
        "涉及商業秘(密) | 件 | |",
        "涉及商業秘(密) | 件 | 0 |",
        false,
    ),
    (
        "GI18-T005",
        "(三)其他情形數 | 件 | 0 |",
        "(三)其他情形數 | 件 | 1 |",
        true,
    ),
    (
        "GI18-T006",
        "(二)被依法糾錯數 | 件 | 0 |",
        "(二)被依法糾錯數 | 件 | 1 |",
        true,
    ),
    (
        "GI18-T007",
        "2.兼職人員數 | 人 | 1 |",
        "2.兼職人員數 | 人 | 2 |",
        true,
    ),
    (
        "GI18-T008",
        "其中:主動公開規范性文件數 | 條 | 0 |",
        "其中:主動公開規范性文件數 | 條 | 700 |",
        true,
    ),
    (
        "GI18-T009",
        "其中:主要負責同志參加新聞發布會次數 | 次 | 0 |",
        "其中:主要負責同志參加新聞發布會次數 | 次 | 1 |",
        true,
    ),
    (
        "GI18-T010",
        "其中:主要負責同志參加政府網站在線訪談次數 | 次 | 0 |",
        "其中:主要負責同志參加政府網站在線訪談次數 | 次 | 1 |",
        true,
    ),
    (
        "GI18-T011",
        "5.其他方式回應事件數 | 次 | 6 |",
        "5.其他方式回應事件數 | 次 | 12 |",
        false,
    ),
    (
        "GI18-T012",
        "2.同意公開答復數 | 件 | 0 |",
        "2.同意公開答復數 | 件 | 1 |",
        true,
    ),
    (
        "GI18-T013",
        "其中:主動公開規范性文件數 | 條 | 0 |",
        "其中:主動公開規范性文件數 | 條 | 5 |",
        true,
    ),
    (
        "GI18-T014",
        "(二)申請辦結數 | 件 | 0 |",
        "(二)申請辦結數 | 件 | 3 |",
        true,
    ),
    ("GI18-P001", "主動公開信息613條", "主動公開信息612條", true),
    (
        "GI18-P002",
        "其他途徑公開政府信息10條。",
        "其他途徑公開政府信息10條,政府公報公開信息5條。",
        true,
    ),
    (
        "GI18-P003",
        "政府網站公開信息105條",
        "政府網站公開信息106條",
        true,
    ),
    ("GI18-P004", "微博100條", "微博101條", true),
    ("GI18-P005", "公眾號公開398條", "公眾號公開399條", true),
    (
        "GI18-P006",
        "其他途徑公開政府信息10條",
        "其他途徑公開政府信息11條",
        true,
    ),
    ("GI18-P007", "提問12次", "提問13次", true),
    // The table row is the one bound by position (garbled label): its value still counts.
    (
        "GI18-P008",
        "垟?/span> | 件 | 0 |",
        "垟?/span> | 件 | 2 |",
        true,
    ),
    (
        "GI18-P009",
        "七、依申請公開信息收取的費用 | 萬元 | 0 |",
        "七、依申請公開信息收取的費用 | 萬元 | 0.5 |",
        true,
    ),
    (
        "GI18-P010",
        "四、行政復議數量 | 件 | 4 |\n(一)維持具體行政行為數 | 件 | 4 |",
        "四、行政復議數量 | 件 | 0 |\n(一)維持具體行政行為數 | 件 | 0 |",
        false,
    ),
    (
        "GI18-P011",
        "五、行政訴訟數量 | 件 | 0 |",
        "五、行政訴訟數量 | 件 | 1 |",
        true,
    ),
    ("GI18-P012", "選派2名", "選派3名", true),
    ("GI18-S001", "六個部分組成", "八個部分組成", false),
    (
        "GI18-Y001",
        "截止到2019年12月31日",
        "截止到2018年12月31日",
        false,
    ),
    (
        "GI18-Y002",
        "起至2018年12月31日止",
        "起至2017年12月31日止",
        true,
    ),
    (
        "GI18-D001",
        "填報日期: 2018.12.26",
        "填報日期: 2019.01.05",
        false,
    ),
    (
        "GI18-D002",
        "發文日期 | 2019-01-20",
        "發文日期 | 2018-12-20",
        true,
    ),
    (
        "GI18-D003",
        "發文日期 | 2019-01-20",
        "發文日期 | 2019-04-20",
        true,
    ),
];

fn statuses(text: &str, id: &str) -> Vec<RuleStatus> {
    let sets = report_lint::rules::builtin().unwrap();
    let src = source::decode("case.txt", text.as_bytes()).unwrap();
    let report = check_source(src, &sets, false, Lang::En);
    report
        .rules
        .iter()
        .filter(|r| r.id == id)
        .map(|r| r.status)
        .collect()
}

fn failed(st: &[RuleStatus]) -> bool {
    st.contains(&RuleStatus::Failed)
}

#[test]
fn every_rule_changes_its_verdict_when_its_figures_change() {
    let base = std::fs::read_to_string(common::example()).unwrap();
    for (id, from, to, should_fail) in CASES {
        assert!(base.contains(from), "{id}: `{from}` not in the example");
        let before = statuses(&base, id);
        assert!(!before.is_empty(), "{id}: rule not found");
        let after = statuses(&base.replacen(from, to, 1), id);
        assert_eq!(
            failed(&after),
            *should_fail,
            "{id}: after `{from}` -> `{to}`: {after:?}"
        );
        assert_ne!(before, after, "{id}: the edit did not change the verdict");
        if !should_fail {
            assert!(
                after.iter().all(|s| *s == RuleStatus::Passed),
                "{id}: {after:?}"
            );
        }
    }
}

#[test]
fn every_builtin_rule_is_covered_by_a_case() {
    let sets = report_lint::rules::builtin().unwrap();
    for rule in &sets[0].rules {
        assert!(
            CASES.iter().any(|c| c.0 == rule.id),
            "rule {} has no test case here",
            rule.id
        );
    }
}

#[test]
fn fees_in_yuan_and_wan_yuan_are_compared_after_conversion() {
    let base = std::fs::read_to_string(common::example()).unwrap();
    let text = base
        .replace(
            "未出現依申請公開政府信息收費情況和收費減免情況",
            "收取信息公開費用3000元",
        )
        .replace(
            "七、依申請公開信息收取的費用 | 萬元 | 0 |",
            "七、依申請公開信息收取的費用 | 萬元 | 0.3 |",
        );
    assert_eq!(statuses(&text, "GI18-P009"), vec![RuleStatus::Passed]);
    let text = text.replace("| 萬元 | 0.3 |", "| 萬元 | 3000 |");
    assert_eq!(statuses(&text, "GI18-P009"), vec![RuleStatus::Failed]);
}
