//! The canonical example (yuqian-2018.txt): exactly the findings of its hand-checked ground
//! truth, nothing else, in every encoding and script it may arrive in.

mod common;

use common::*;
use std::ffi::OsStr;

/// The ground truth: (finding, line of its primary label).
const EXPECTED: &[(&str, u64)] = &[
    ("GI-W001", 31),    // 內容內容: a doubled word (issue 13)
    ("GI-W001", 33),    // 公開公開: a doubled word
    ("GI-W003", 5),     // Latin `,` `(` `)` between Chinese characters (105 places, one finding)
    ("GI18-D001", 110), // 填报日期 2018.12.26 before the period ends
    ("GI18-P010", 29),  // prose: no administrative review; table: 4
    ("GI18-S001", 5),   // 六个部分 announced, 八 present
    ("GI18-T011", 57),  // response channels 6 < 12 (primary on the channel cells)
    ("GI18-Y001", 19),  // 截止到2019年12月31日 in a 2018 report
    ("RL101", 55),      // garbled label
    ("RL101", 65),      // garbled label with ?/span> remnant
    ("RL101", 90),      // garbled label
    ("RL102", 78),      // truncated label 字
    ("RL104", 79),      // blank cell 涉及商业秘密
];

fn expected() -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = EXPECTED.iter().map(|(c, l)| (c.to_string(), *l)).collect();
    v.sort();
    v
}

#[test]
fn example_has_exactly_the_expected_findings() {
    let (code, v) = json(&[example().as_os_str()]);
    assert_eq!(code, 1, "error-level findings exit 1");
    assert_eq!(findings(&v), expected());
    let f = &v["files"][0];
    assert_eq!(f["status"], "checked");
    assert_eq!(f["ruleset"], "cn-gi-2018");
}

#[test]
fn relations_that_hold_pass_and_unevaluable_ones_are_skipped() {
    let (_, v) = json(&[example().as_os_str()]);
    let rules = v["files"][0]["rules"].as_array().unwrap();
    let status = |id: &str| -> Vec<String> {
        rules
            .iter()
            .filter(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect()
    };
    for id in [
        "GI18-T001",
        "GI18-T002",
        "GI18-T005",
        "GI18-T006",
        "GI18-T007",
        "GI18-T012",
        "GI18-P001",
        "GI18-P003",
        "GI18-P004",
        "GI18-P006",
        "GI18-P007",
        "GI18-P008",
        "GI18-P009",
        "GI18-P011",
        "GI18-P012",
    ] {
        assert_eq!(status(id), vec!["passed"], "{id}");
    }
    // Both prose mentions of the WeChat figure (lines 15 and 19) are checked.
    assert_eq!(status("GI18-P005"), vec!["passed", "passed"]);
    // The blank 涉及商业秘密 cell: the filled cells already balance (0 = 0 + … with the blank
    // as 0), so the refusal-reason sum holds, and says it read the blank as 0.
    let t004 = rules.iter().find(|r| r["id"] == "GI18-T004").unwrap();
    assert_eq!(t004["status"], "passed");
    assert!(
        t004["detail"]
            .as_str()
            .unwrap()
            .contains("空白单元格按 0 计"),
        "{t004}"
    );
    let t001 = rules.iter().find(|r| r["id"] == "GI18-T001").unwrap();
    assert_eq!(t001["detail"], "0 + 105 + 100 + 398 + 10 = 613 == 613");
}

#[test]
fn gbk_copy_gives_the_same_findings() {
    let dir = scratch("gbk_copy");
    let text = std::fs::read_to_string(example()).unwrap();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let path = dir.join("yuqian-2018-gbk.txt");
    std::fs::write(&path, &bytes).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the copy really is not UTF-8"
    );
    let (code, v) = json(&[path.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), expected());
    assert_eq!(v["files"][0]["encoding"], "GBK");
}

#[test]
fn bom_copy_gives_the_same_findings() {
    let dir = scratch("bom_copy");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(std::fs::read(example()).unwrap());
    let path = dir.join("yuqian-2018-bom.txt");
    std::fs::write(&path, &bytes).unwrap();
    let (_, v) = json(&[path.as_os_str()]);
    assert_eq!(findings(&v), expected());
}

#[test]
fn simplified_copy_gives_the_same_findings() {
    let dir = scratch("simplified_copy");
    let text = std::fs::read_to_string(example()).unwrap();
    let conv =
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).unwrap();
    let simplified = conv.convert(&text);
    assert_ne!(simplified, text);
    assert!(simplified.contains("行政复议数量"));
    let path = dir.join("yuqian-2018-simplified.txt");
    std::fs::write(&path, simplified).unwrap();
    let (code, v) = json(&[path.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), expected());
}

#[test]
fn explicit_rules_file_gives_the_same_findings() {
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/2018.toml");
    let (code, v) = json(&[
        OsStr::new("--rules"),
        rules.as_os_str(),
        example().as_os_str(),
    ]);
    assert_eq!(code, 1);
    assert_eq!(findings(&v), expected());
}

#[test]
fn english_messages() {
    let out = bin()
        .arg(example())
        .args(["--lang", "en"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains(
            "error[GI18-P010]: the prose states 0 administrative reviews, the table counts 4"
        ),
        "{s}"
    );
    assert!(
        s.contains("error[GI18-Y001]: the statistics cut-off names 2019 in a report for 2018"),
        "{s}"
    );
}
