//! Statements that contradict the table (issue 13, point 2): "all completed" wording is read
//! only where the sentence speaks of the applications.

mod common;

use common::*;

fn codes(text: &str, name: &str) -> Vec<(String, u64)> {
    let d = scratch(name);
    let p = d.join("report.txt");
    std::fs::write(&p, text).unwrap();
    let (_, v) = json(&[p.as_os_str()]);
    findings(&v)
}

const SENTENCE: &str = "本年度共收到政府信息公开申请12件，办结11件，结转下年度继续办理2件。";

#[test]
fn all_completed_with_a_carry_over_is_found() {
    let text = std::fs::read_to_string(fixture("2021-clean.txt"))
        .unwrap()
        .replace(SENTENCE, "本年度共收到政府信息公开申请12件，全部按时办结。");
    assert!(codes(&text, "all_done").contains(&("GI19-P507".to_string(), 5)));
}

#[test]
fn suggestions_completed_are_not_the_applications() {
    let text = std::fs::read_to_string(fixture("2021-clean.txt"))
        .unwrap()
        .replace(
            SENTENCE,
            "本年度共收到政府信息公开申请12件，办结11件。收到人大代表建议5件，全部按时办结。",
        );
    assert!(!codes(&text, "suggestions_done")
        .iter()
        .any(|(c, _)| c == "GI19-P507"));
}
