//! The 2019 and 2021 formats on synthetic reports: clean reports give no finding, and a report
//! whose tables cannot be recognised has its relations skipped with that reason.

mod common;

use common::*;
use std::ffi::OsStr;

#[test]
fn clean_reports_of_each_format_give_no_finding() {
    for (file, set) in [
        ("2021-clean.txt", "cn-gi-2021"),
        ("2019-clean.txt", "cn-gi-2019"),
    ] {
        let (code, v) = json(&[fixture(file).as_os_str()]);
        assert_eq!(code, 0, "{file}: {v:#}");
        assert_eq!(v["files"][0]["ruleset"], set);
        assert_eq!(findings(&v), vec![], "{file}");
        let rules = v["files"][0]["rules"].as_array().unwrap();
        let passed = rules.iter().filter(|r| r["status"] == "passed").count();
        assert!(passed >= 50, "{file}: only {passed} rule instances passed");
    }
}

#[test]
fn unrecognised_tables_skip_their_relations_with_that_reason() {
    let dir = scratch("no_tables_2021");
    let p = dir.join("r.txt");
    std::fs::write(
        &p,
        "某局2023年政府信息公开工作年度报告\n一、总体情况\n本年度共收到政府信息公开申请5件。\n",
    )
    .unwrap();
    let (_, v) = json(&[OsStr::new("--lang"), OsStr::new("en"), p.as_os_str()]);
    let rules = v["files"][0]["rules"].as_array().unwrap();
    let t301 = rules.iter().find(|r| r["id"] == "GI19-T301").unwrap();
    assert_eq!(t301["status"], "skipped");
    assert!(
        t301["detail"]
            .as_str()
            .unwrap()
            .contains("table not recognised"),
        "{t301}"
    );
    let codes: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert!(
        codes.iter().filter(|c| *c == "RL107").count() >= 2,
        "{codes:?}"
    );
}

#[test]
fn the_2021_format_flags_the_2019_layouts() {
    let text = std::fs::read_to_string(fixture("2021-clean.txt"))
        .unwrap()
        .replace(
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
            "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |",
        );
    let dir = scratch("layout_2019_in_2021");
    let p = dir.join("r.txt");
    std::fs::write(&p, text).unwrap();
    let (code, v) = json(&[p.as_os_str()]);
    assert_eq!(code, 1);
    let codes: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert!(codes.contains(&"GI21-F001".to_string()), "{codes:?}");
}
