//! 2-D forms: a check over rows runs per column, a check over columns runs per row, and each
//! failing column or row is its own finding with labels on exactly its cells.

mod common;

use common::*;
use std::ffi::OsStr;

const TABLE: &str = "\
某局2023年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
项目 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
一、本年新收政府信息公开申请数量 | 10 | 1 | 0 | 0 | 0 | 0 | 11 |
二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
三、本年度办理结果 （一）予以公开 | 6 | 1 | 0 | 0 | 0 | 0 | 7 |
（二）部分公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
（七）总计 | 8 | 1 | 0 | 0 | 0 | 0 | 9 |
四、结转下年度继续办理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |
";

fn run(text: &str, test: &str) -> (i32, serde_json::Value) {
    let dir = scratch(test);
    let p = dir.join("report.txt");
    std::fs::write(&p, text).unwrap();
    json(&[
        OsStr::new("--rules"),
        fixture("grid-rules.toml").as_os_str(),
        p.as_os_str(),
    ])
}

fn statuses(v: &serde_json::Value, id: &str) -> Vec<String> {
    v["files"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_consistent_table_passes_every_column_and_row() {
    let (code, v) = run(TABLE, "grid_ok");
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(statuses(&v, "G-001"), vec!["passed"; 7]);
    assert_eq!(statuses(&v, "G-002"), vec!["passed"; 7]);
    assert_eq!(statuses(&v, "G-003"), vec!["passed"; 6]);
    assert_eq!(statuses(&v, "G-004"), vec!["passed"]);
}

#[test]
fn a_broken_column_is_its_own_finding_on_its_cells() {
    // 商业企业 column: 1 new + 0 carried, but 1 result + 1 carried forward.
    let text = TABLE.replace(
        "四、结转下年度继续办理 | 3 | 0 |",
        "四、结转下年度继续办理 | 3 | 1 |",
    );
    let (code, v) = run(&text, "grid_column");
    assert_eq!(code, 1);
    let st = statuses(&v, "G-001");
    assert_eq!(st.iter().filter(|s| *s == "failed").count(), 1, "{st:?}");
    let d: Vec<&serde_json::Value> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "G-001")
        .collect();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0]["message"],
        "商业企业：新收加结转 1 不等于办理结果加结转下年 2"
    );
    let labels = d[0]["labels"].as_array().unwrap();
    let cells: Vec<(u64, u64)> = labels
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["column"].as_u64().unwrap()))
        .collect();
    // new, carried (primary) and result total, next (secondary): all in the 商业企业 column.
    assert_eq!(labels.len(), 4);
    assert!(
        labels.iter().all(|l| l["text"] == "1" || l["text"] == "0"),
        "{labels:?}"
    );
    assert_eq!(
        cells.iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![4, 5, 8, 9]
    );
    // The row-total check now fails for row 四 only.
    let g3: Vec<&serde_json::Value> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "G-003")
        .collect();
    assert_eq!(g3.len(), 1);
    assert_eq!(
        g3[0]["message"],
        "结转下年度继续办理：总计 3 不等于各类申请人之和 4"
    );
    assert_eq!(g3[0]["labels"].as_array().unwrap().len(), 7);
}

#[test]
fn blank_cells_that_close_with_zero_are_a_style_finding() {
    // 上年结转 / 商业企业 blank: the relations hold when it is read as 0.
    let text = TABLE.replace(
        "二、上年结转政府信息公开申请数量 | 1 | 0 |",
        "二、上年结转政府信息公开申请数量 | 1 |  |",
    );
    let (code, v) = run(&text, "grid_blank_zero");
    assert_eq!(code, 0);
    assert_eq!(statuses(&v, "G-001"), vec!["passed"; 7]);
    let rules = v["files"][0]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["detail"]
        .as_str()
        .unwrap()
        .contains("blank cells read as 0")
        || r["detail"].as_str().unwrap().contains("空白单元格按 0 计")));
    let d: Vec<&serde_json::Value> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "RL111");
    assert_eq!(
        d[0]["labels"][0]["message"],
        "上年结转政府信息公开申请数量 / 商业企业"
    );
}

#[test]
fn blank_cells_a_relation_needs_make_only_their_column_skip() {
    // 本年新收 / 商业企业 blank, but the column's results count 1: the blank is not a 0.
    let text = TABLE.replace(
        "一、本年新收政府信息公开申请数量 | 10 | 1 |",
        "一、本年新收政府信息公开申请数量 | 10 |  |",
    );
    let (_, v) = run(&text, "grid_blank_needed");
    let st = statuses(&v, "G-001");
    assert_eq!(st.iter().filter(|s| *s == "skipped").count(), 1, "{st:?}");
    assert_eq!(st.iter().filter(|s| *s == "passed").count(), 6, "{st:?}");
    let blank: Vec<&serde_json::Value> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "RL104")
        .collect();
    assert_eq!(blank.len(), 1);
    // One blank alone decides the column: the finding names the figure it needs.
    assert_eq!(
        blank[0]["labels"][0]["message"],
        "本年新收政府信息公开申请数量 / 商业企业：为空，按勾稽关系应为 1"
    );
    assert!(
        !v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "G-001"),
        "no false arithmetic error"
    );
}
