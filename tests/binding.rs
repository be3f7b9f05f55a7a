//! How figures are bound, one class of input at a time, on edits of the synthetic clean report
//! `tests/fixtures/2021-clean.txt`: rows present but blank, figures spanning HTML columns,
//! notes in cells, label variants and typos, blanks in arithmetic, how sure a binding is, and
//! the reporting year in its common forms.

mod common;

use common::*;

fn clean() -> String {
    std::fs::read_to_string(fixture("2021-clean.txt")).unwrap()
}

/// Lints a text as a file named `name`; returns (exit code, JSON).
fn lint(test: &str, name: &str, text: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let dir = scratch(test);
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    let mut args: Vec<std::ffi::OsString> = extra.iter().map(|s| (*s).into()).collect();
    args.push(p.into_os_string());
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    json(&refs)
}

fn diags(v: &serde_json::Value) -> Vec<serde_json::Value> {
    v["files"][0]["diagnostics"].as_array().unwrap().clone()
}

fn diag(v: &serde_json::Value, code: &str) -> serde_json::Value {
    diags(v)
        .into_iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {v:#}"))
}

fn rule(v: &serde_json::Value, id: &str) -> Vec<serde_json::Value> {
    v["files"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .cloned()
        .collect()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    findings(v).into_iter().map(|f| f.0).collect()
}

fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn a_row_present_with_blank_cells_is_bound_not_missing() {
    let text = edit(
        &clean(),
        "（三）不予公开 | 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "（三）不予公开 | 3.危及“三安全一稳定” |  |  |  |  |  |  |  |",
    );
    let (code, v) = lint("blank_row", "r.txt", &text, &[]);
    assert_eq!(code, 0, "{v:#}");
    let found = codes(&v);
    assert!(
        !found.contains(&"RL106".to_string()),
        "not a missing row: {found:?}"
    );
    // The relations that read the row hold with its blanks as 0: one style finding for them.
    assert_eq!(found, vec!["RL111"], "{v:#}");
    assert!(rule(&v, "GI19-T302")
        .iter()
        .all(|r| r["status"] == "passed"));
}

#[test]
fn a_figure_spanning_html_columns_belongs_to_its_first_column() {
    let html = "<html><body><h1>某局2023年政府信息公开工作年度报告</h1>\
        <p>二、主动公开政府信息情况</p>\
        <table><tr><td colspan=4>第二十条第（五）项</td></tr>\
        <tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>\
        <tr><td>行政许可</td><td colspan=3>13</td></tr>\
        <tr><td>行政处罚</td><td colspan=3>2</td></tr>\
        <tr><td>行政强制</td><td colspan=3>0</td></tr>\
        <tr><td>行政事业性收费</td><td colspan=3>1.5</td></tr></table></body></html>";
    let dir = scratch("html_colspan");
    let p = dir.join("r.html");
    std::fs::write(&p, html).unwrap();
    let out = bin()
        .args(["eval", "table.permits + table.penalties"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "15\n");
}

#[test]
fn a_note_in_a_cell_keeps_the_figure_and_shows_in_the_finding() {
    let text = edit(
        &clean(),
        "一、本年新收政府信息公开申请数量 | 10 | 2 | 0 | 0 | 0 | 0 | 12 |",
        "一、本年新收政府信息公开申请数量 | 10 | 2 | 0 | 0 | 0 | 0 | 13（含转办1件） |",
    );
    let (code, v) = lint("cell_note", "r.txt", &text, &[]);
    assert_eq!(code, 1);
    let d = diag(&v, "GI19-T303");
    assert!(
        d["notes"].to_string().contains("含转办1件"),
        "{}",
        d["notes"]
    );
}

#[test]
fn label_variants_typos_and_an_extra_row_do_not_drop_the_table() {
    let mut text = clean();
    // An annotated label, `1、` for `1.`, a misspelt label, and a row the form does not have.
    text = edit(
        &text,
        "规章 | 0 | 0 | 0 |",
        "规章（设区的市人民政府） | 0 | 0 | 0 |",
    );
    text = edit(
        &text,
        "（四）无法提供 | 1.本机关不掌握相关政府信息",
        "（四）无法提供 | 1、本机关不掌握相关政府信息",
    );
    text = edit(
        &text,
        "（三）不予公开 | 2.其他法律行政法规禁止公开 |",
        "（三）不予公开 | 2.其他法律行政止公开 |",
    );
    text = edit(
        &text,
        "（七）总计 |",
        "（六）其他处理 | 4.申请人撤回申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n（七）总计 |",
    );
    let (code, v) = lint("labels", "r.txt", &text, &[]);
    assert_eq!(code, 0, "{v:#}");
    let mut found = codes(&v);
    found.sort();
    assert_eq!(found, vec!["RL103", "RL112"], "{v:#}");
    let near = diag(&v, "RL112");
    assert!(near["message"]
        .as_str()
        .unwrap()
        .contains("其他法律行政法规禁止公开"));
    // Every relation of table 三 is still checked.
    for id in ["GI19-T301", "GI19-T302", "GI19-T303"] {
        assert!(rule(&v, id).iter().all(|r| r["status"] == "passed"), "{id}");
    }
}

#[test]
fn a_relation_that_no_filling_of_its_blanks_can_save_fails() {
    // 予以公开 / 总计 blank, but the other results already exceed the total of 11.
    let mut text = edit(
        &clean(),
        "三、本年度办理结果 | （一）予以公开 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |",
        "三、本年度办理结果 | （一）予以公开 | 5 | 1 | 0 | 0 | 0 | 0 |  |",
    );
    text = edit(
        &text,
        "（五）不予处理 | 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "（五）不予处理 | 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 9 |",
    );
    let (code, v) = lint("blank_fail", "r.txt", &text, &[]);
    assert_eq!(code, 1, "{v:#}");
    let t302: Vec<serde_json::Value> = diags(&v)
        .into_iter()
        .filter(|d| d["code"] == "GI19-T302")
        .collect();
    assert_eq!(t302.len(), 1, "{t302:#?}");
    // The blank 总计 was derived from its row (6), and the finding says so.
    assert!(t302[0]["notes"].to_string().contains("按本行各项之和计"));
}

#[test]
fn a_blank_that_decides_a_relation_is_named_with_the_figure_it_needs() {
    // 上年结转 / 自然人 blank: 10 + ? = 9 + 2 needs ? = 1.
    let text = edit(
        &clean(),
        "二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "二、上年结转政府信息公开申请数量 |  | 0 | 0 | 0 | 0 | 0 | 1 |",
    );
    let (code, v) = lint("blank_decides", "r.txt", &text, &[]);
    assert_eq!(code, 0, "no false arithmetic error: {v:#}");
    let d = diag(&v, "RL104");
    assert_eq!(
        d["labels"].as_array().unwrap().len(),
        1,
        "only the deciding blank"
    );
    assert!(d["labels"][0]["message"]
        .as_str()
        .unwrap()
        .contains("应为 1"));
    let skipped: Vec<serde_json::Value> = rule(&v, "GI19-T301")
        .into_iter()
        .filter(|r| r["status"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1);
}

#[test]
fn a_finding_on_a_row_placed_by_position_is_at_most_a_warning() {
    // The 重复申请 row loses its label: it is placed by the rows around it. A contradiction it
    // takes part in is then a warning that names the weak binding.
    let mut text = edit(
        &clean(),
        "（五）不予处理 | 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "（五）不予处理 | 2.??¤ | 1 | 0 | 0 | 0 | 0 | 0 | 2 |",
    );
    text = edit(
        &text,
        "（七）总计 | 9 | 2 | 0 | 0 | 0 | 0 | 11 |",
        "（七）总计 | 9 | 2 | 0 | 0 | 0 | 0 | 12 |",
    );
    text = edit(
        &text,
        "四、结转下年度继续办理 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
        "四、结转下年度继续办理 | 2 | 0 | 0 | 0 | 0 | 0 | 1 |",
    );
    let (_, v) = lint("position_cap", "r.txt", &text, &[]);
    let t303: Vec<serde_json::Value> = diags(&v)
        .into_iter()
        .filter(|d| d["code"] == "GI19-T303")
        .collect();
    assert!(!t303.is_empty(), "{v:#}");
    let weak = t303
        .iter()
        .find(|d| d["notes"].to_string().contains("按位置读取"))
        .expect("the finding on the placed row names the binding");
    assert_eq!(weak["severity"], "warning");
    // A rule file can ask for certainty: below it, the rule is skipped with the reason.
    let rules = "[ruleset]\nid = \"strict\"\ntitle = \"strict\"\nextends = [\"builtin:2021\"]\n\
        min_certainty = \"variant\"\n";
    let dir = scratch("position_cap_rules");
    let rp = dir.join("strict.toml");
    std::fs::write(&rp, rules).unwrap();
    let (_, v2) = lint(
        "position_cap_strict",
        "r.txt",
        &text,
        &["--rules", rp.to_str().unwrap()],
    );
    let skipped: Vec<serde_json::Value> = rule(&v2, "GI19-T303")
        .into_iter()
        .filter(|r| r["status"] == "skipped")
        .collect();
    assert!(
        skipped
            .iter()
            .any(|r| r["detail"].as_str().unwrap().contains("按位置读取")),
        "{skipped:#?}"
    );
}

#[test]
fn the_reporting_year_is_found_in_its_common_forms() {
    let base = clean();
    let title = "某区人民政府2023年政府信息公开工作年度报告";
    let period = "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。";
    for (t, p) in [
        ("2023年某市政府信息公开工作年度报告", period),
        ("某局2023年度政府信息公开工作年度报告", period),
        (
            "某局政府信息公开工作年度报告",
            "统计期限为2023年1月1日至12月31日。",
        ),
        (
            "某局政府信息公开工作年度报告",
            "本报告从2023年1月1日到12月31日止。",
        ),
        (
            "某局政府信息公开工作年度报告",
            "本报告统计时间为2023年1月1日—2023年12月31日。",
        ),
        (
            "某局 2023 年政府信息公开工作年度报告",
            "统计周期为 2023 年 1 月 1 日至 12 月 31 日。",
        ),
    ] {
        let text = edit(&edit(&base, title, t), period, p);
        let (code, v) = lint("years", "r.txt", &text, &[]);
        assert_eq!(code, 0, "{t} / {p}: {v:#}");
        assert_eq!(v["files"][0]["ruleset"], "cn-gi-2021", "{t} / {p}");
        for id in ["GI19-Y002", "GI19-Y004"] {
            assert_eq!(rule(&v, id)[0]["status"], "passed", "{id}: {t} / {p}");
        }
    }
}

#[test]
fn a_title_and_period_that_disagree_are_a_finding() {
    // Last year's period sentence left in this year's report.
    let text = edit(
        &clean(),
        "统计期限自2023年1月1日起至2023年12月31日止",
        "统计期限自2022年1月1日起至2022年12月31日止",
    );
    let (code, v) = lint("years_disagree", "r.txt", &text, &[]);
    assert_eq!(code, 1);
    // One finding, on the period, with the title's year as the other side.
    let found = codes(&v);
    assert_eq!(
        found.iter().filter(|c| c.starts_with("GI19-Y")).count(),
        1,
        "{found:?}"
    );
    let d = diag(&v, "GI19-Y002");
    assert_eq!(d["labels"].as_array().unwrap().len(), 2);
    // A wrong start year alone is found too.
    let text = edit(
        &clean(),
        "统计期限自2023年1月1日起",
        "统计期限自2022年1月1日起",
    );
    let (_, v) = lint("years_start", "r.txt", &text, &[]);
    assert!(codes(&v).contains(&"GI19-Y004".to_string()));
}
