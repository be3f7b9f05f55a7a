//! Every rule of rules/2018.toml can fail and can pass: the cases that ship with the rules
//! (`[[rule.test]]`, mostly one edited figure of the example report) all hold.

mod common;

use report_lint::diagnostic::Lang;
use report_lint::{check_source, source, RuleStatus};

fn statuses(text: &str, id: &str) -> Vec<RuleStatus> {
    let sets = report_lint::rules::Sets::from(report_lint::rules::builtin().unwrap());
    let src = source::decode("case.txt", text.as_bytes()).unwrap();
    let report = check_source(src, &sets, false, Lang::En);
    report
        .rules
        .iter()
        .filter(|r| r.id == id)
        .map(|r| r.status)
        .collect()
}

#[test]
fn every_builtin_rule_ships_passing_and_failing_cases_that_hold() {
    // `rules test` fails a rule without both a passing and a failing case, so this covers every rule.
    let out = common::bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["rules", "test", "rules/"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    let sets = report_lint::rules::builtin().unwrap();
    for rule in &sets[0].rules {
        assert!(
            text.contains(&format!("ok    {} #1", rule.id)),
            "{} has no case: {text}",
            rule.id
        );
    }
    let last = text.lines().last().unwrap();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 2 * sets[0].rules.len(), "{last}");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
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
