//! Table 二 cells (issue 13, point 4): a placeholder, a fraction or text where a count belongs,
//! and an amount with more decimals than its unit is stated to, each a finding on its cell;
//! the clean form gives none of them.

mod common;

use common::*;

fn run(text: &str, name: &str) -> Vec<(String, u64)> {
    let d = scratch(name);
    let p = d.join("report.txt");
    std::fs::write(&p, text).unwrap();
    let (_, v) = json(&[p.as_os_str()]);
    findings(&v)
        .into_iter()
        .filter(|(c, _)| ["RL104", "RL105", "RL118", "RL119"].contains(&c.as_str()))
        .collect()
}

fn clean() -> String {
    std::fs::read_to_string(fixture("2021-clean.txt")).unwrap()
}

#[test]
fn the_clean_form_has_no_cell_findings() {
    assert_eq!(run(&clean(), "cells_clean"), vec![]);
}

#[test]
fn placeholders_fractions_and_excess_decimals_are_found_on_their_cells() {
    let text = clean()
        .replace("行政许可 | 550 |", "行政许可 | / |")
        .replace("行政处罚 | 41 |", "行政处罚 | 2.5 |")
        .replace("行政事业性收费 | 12.5 |", "行政事业性收费 | 4166.241619 |");
    assert_eq!(
        run(&text, "cells_bad"),
        vec![
            ("RL104".to_string(), 13),
            ("RL118".to_string(), 14),
            ("RL119".to_string(), 18)
        ]
    );
    let d = scratch("cells_bad_human");
    let p = d.join("report.txt");
    std::fs::write(&p, &text).unwrap();
    let out = bin().arg(&p).arg("--color").arg("never").output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.contains("「行政许可」应填数字，却写作占位符「/」"),
        "{out}"
    );
    assert!(out.contains("「行政处罚」是计数，却带有小数：2.5"), "{out}");
    assert!(
        out.contains("「行政事业性收费」的金额有 6 位小数，以万元为单位至多 4 位"),
        "{out}"
    );
}

#[test]
fn four_decimals_of_wan_yuan_are_allowed() {
    let text = clean().replace("行政事业性收费 | 12.5 |", "行政事业性收费 | 0.0125 |");
    assert_eq!(run(&text, "cells_four"), vec![]);
}

#[test]
fn text_where_a_count_belongs_is_found_on_its_cell() {
    let text = clean().replace("行政强制 | 5 |", "行政强制 | 若干 |");
    assert_eq!(run(&text, "cells_text"), vec![("RL105".to_string(), 15)]);
}
