//! Reports among reports: last year's report of the same body (`--previous`, or paired in a
//! batch by publisher and year) read by `prev.` rules, reports copied from last year's or from
//! another body's, and other places named. On the real pair (洪泽区 2023 and 2024, which
//! reconcile across the years) and on synthetic pairs with one injected break each.

mod common;

use common::*;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

fn real(name: &str) -> PathBuf {
    fixture("real").join(name)
}

fn os(p: &Path) -> &OsStr {
    p.as_os_str()
}

/// Every outcome of a rule in one file's JSON: (status, detail).
fn outcomes<'a>(file: &'a Value, id: &str) -> Vec<(&'a str, &'a str)> {
    file["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| (r["status"].as_str().unwrap(), r["detail"].as_str().unwrap()))
        .collect()
}

fn codes(file: &Value) -> Vec<String> {
    file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn file<'a>(v: &'a Value, ends_with: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(ends_with))
        .unwrap_or_else(|| panic!("no {ends_with} in {v}"))
}

#[test]
fn the_real_pair_reconciles_across_the_years() {
    let (code, v) = json(&[
        OsStr::new("--previous"),
        os(&real("2023-hongze.txt")),
        os(&real("2024-hongze.txt")),
        OsStr::new("--lang"),
        OsStr::new("en"),
    ]);
    let f = &v["files"][0];
    // 上年结转 (2024) = 结转下年度 (2023) in all 7 columns; 现行有效 8 = 5 + 3 − 0.
    let carried = outcomes(f, "GI19-C301");
    assert_eq!(carried.len(), 7, "{carried:?}");
    assert!(carried.iter().all(|(s, _)| *s == "passed"), "{carried:?}");
    let valid = outcomes(f, "GI21-C201");
    assert_eq!(valid.len(), 2, "{valid:?}");
    assert!(valid.iter().all(|(s, _)| *s == "passed"), "{valid:?}");
    assert!(
        valid.iter().any(|(_, d)| d.contains("8 == 5 + 3 - 0")),
        "{valid:?}"
    );
    // The same findings as the report alone: nothing copied, no other place, no mismatch.
    let (_, alone) = json(&[
        os(&real("2024-hongze.txt")),
        OsStr::new("--lang"),
        OsStr::new("en"),
    ]);
    assert_eq!(findings(&v), findings(&alone));
    assert!(
        !codes(f).iter().any(|c| c.starts_with("RL2")),
        "{:?}",
        codes(f)
    );
    assert_eq!(code, 0, "the 2024 report has warnings only");
}

#[test]
fn the_real_pdf_pair_reads_the_same_across_the_years() {
    let (_, v) = json(&[
        OsStr::new("--previous"),
        os(&real("2023-hongze.pdf")),
        os(&real("2024-hongze.pdf")),
    ]);
    let f = &v["files"][0];
    let carried = outcomes(f, "GI19-C301");
    assert_eq!(carried.len(), 7, "{carried:?}");
    assert!(carried.iter().all(|(s, _)| *s == "passed"), "{carried:?}");
    assert!(outcomes(f, "GI21-C201").iter().all(|(s, _)| *s == "passed"));
}

#[test]
fn a_batch_pairs_the_reports_of_one_body_by_publisher_and_year() {
    // 洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024) are one body; 淮安市人民政府 is another.
    let dir = scratch("across_batch");
    for n in [
        "2023-hongze.txt",
        "2024-hongze.txt",
        "2024-huaian-shizhengfu.txt",
    ] {
        std::fs::copy(real(n), dir.join(n)).unwrap();
    }
    let (_, v) = json(&[os(&dir), OsStr::new("--lang"), OsStr::new("en")]);
    let later = file(&v, "2024-hongze.txt");
    assert!(outcomes(later, "GI19-C301")
        .iter()
        .all(|(s, _)| *s == "passed"));
    assert_eq!(outcomes(later, "GI19-C301").len(), 7);
    // No report of 2022 or of 淮安市 2023: skipped, saying why.
    for name in ["2023-hongze.txt", "2024-huaian-shizhengfu.txt"] {
        let f = file(&v, name);
        let o = outcomes(f, "GI19-C301");
        assert!(!o.is_empty());
        assert!(
            o.iter()
                .all(|(s, d)| *s == "skipped" && d.contains("no previous year's report")),
            "{name}: {o:?}"
        );
    }
    // Three real reports of two bodies: none is a copy of another.
    for f in v["files"].as_array().unwrap() {
        assert!(!codes(f).iter().any(|c| c.starts_with("RL2")), "{f}");
    }
    // --no-pairing checks each on its own.
    let (_, v) = json(&[
        os(&dir),
        OsStr::new("--no-pairing"),
        OsStr::new("--lang"),
        OsStr::new("en"),
    ]);
    assert!(outcomes(file(&v, "2024-hongze.txt"), "GI19-C301")
        .iter()
        .all(|(s, _)| *s == "skipped"));
}

/// The 2024 report with one edit, next to the real 2023 report.
fn broken_pair(test: &str, from: &str, to: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(test);
    let a = dir.join("2023.txt");
    let b = dir.join("2024.txt");
    std::fs::copy(real("2023-hongze.txt"), &a).unwrap();
    let text = std::fs::read_to_string(real("2024-hongze.txt")).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&b, text.replacen(from, to, 1)).unwrap();
    (a, b)
}

#[test]
fn carried_over_that_last_year_did_not_carry_forward_is_an_error_in_both_reports() {
    let (a, b) = broken_pair(
        "across_carried",
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        "二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2",
    );
    let (code, v) = json(&[OsStr::new("--previous"), os(&a), os(&b)]);
    assert_eq!(code, 1);
    let f = &v["files"][0];
    let d: Vec<&Value> = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "GI19-C301")
        .collect();
    // 自然人 and 总计 break; the other columns hold.
    assert_eq!(d.len(), 2, "{d:?}");
    for d in d {
        assert_eq!(d["severity"], "error");
        let labels = d["labels"].as_array().unwrap();
        let here = labels.iter().find(|l| l["primary"] == true).unwrap();
        assert_eq!(here["line"], 76);
        assert!(here.get("file").is_none());
        let there = labels.iter().find(|l| l.get("file").is_some()).unwrap();
        assert_eq!(there["file"], a.display().to_string());
        assert_eq!(there["line"], 111, "结转下年度 in the 2023 report");
        assert_eq!(there["text"], "0");
    }
    // The human output shows both reports.
    let out = bin().arg("--previous").arg(&a).arg(&b).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("┌─ {}:76:", b.display())), "{text}");
    assert!(text.contains(&format!("┌─ {}:111:", a.display())), "{text}");
    assert!(text.contains("上一年度 结转下年度继续办理"), "{text}");
}

#[test]
fn documents_in_force_that_do_not_carry_on_are_a_warning() {
    let (a, b) = broken_pair(
        "across_valid",
        "行政规范性文件 3 0 8",
        "行政规范性文件 3 0 9",
    );
    let (_, v) = json(&[
        OsStr::new("--previous"),
        os(&a),
        os(&b),
        OsStr::new("--lang"),
        OsStr::new("en"),
    ]);
    let f = &v["files"][0];
    let o = outcomes(f, "GI21-C201");
    assert!(o.contains(&(
        "failed",
        o.iter().find(|x| x.0 == "failed").map_or("", |x| x.1)
    )));
    let d = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "GI21-C201")
        .expect("finding");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["values"]["lhs"], "9");
    assert_eq!(d["values"]["rhs"], "8");
}

#[test]
fn a_report_of_another_body_or_year_given_as_last_years_is_refused_with_the_reason() {
    let (_, v) = json(&[
        OsStr::new("--previous"),
        os(&real("2024-huaian-shizhengfu.txt")),
        os(&real("2024-hongze.txt")),
        OsStr::new("--lang"),
        OsStr::new("en"),
    ]);
    let f = &v["files"][0];
    let d = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RL201")
        .expect("RL201");
    let m = d["message"].as_str().unwrap();
    assert!(m.contains("淮安市人民政府") && m.contains("2024"), "{m}");
    assert!(outcomes(f, "GI19-C301")
        .iter()
        .all(|(s, _)| *s == "skipped"));
    // A report of the same body two years before is refused too.
    let dir = scratch("across_two_years");
    let old = dir.join("2022.txt");
    std::fs::write(
        &old,
        std::fs::read_to_string(real("2023-hongze.txt"))
            .unwrap()
            .replace("2023 年政府信息公开", "2022 年政府信息公开")
            .replace("2023 年 1 月 1 日", "2022 年 1 月 1 日")
            .replace("2023 年 12 月 31 日", "2022 年 12 月 31 日"),
    )
    .unwrap();
    let (_, v) = json(&[
        OsStr::new("--previous"),
        os(&old),
        os(&real("2024-hongze.txt")),
    ]);
    assert!(codes(&v["files"][0]).contains(&"RL201".to_string()));
    // A file that cannot be read is an error naming it, exit 2.
    let out = bin()
        .args(["--previous", "no-such-file.txt"])
        .arg(real("2024-hongze.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--previous no-such-file.txt"));
}

#[test]
fn a_report_copied_from_last_year_is_found_with_the_passages_in_both() {
    let dir = scratch("across_copy");
    let a = dir.join("a.txt");
    let b = dir.join("b.txt");
    let text = std::fs::read_to_string(real("2023-hongze.txt")).unwrap();
    std::fs::write(&a, &text).unwrap();
    // Only the year and every figure changed.
    let copied: String = text
        .replace("2023", "2024")
        .chars()
        .map(|c| match c {
            '0'..='8' => char::from(c as u8 + 1),
            c => c,
        })
        .collect::<String>()
        .replace("3135", "2024");
    std::fs::write(&b, copied.replace("2135", "2024")).unwrap();
    let (_, v) = json(&[os(&dir), OsStr::new("--lang"), OsStr::new("en")]);
    let later = file(&v, "b.txt");
    let d = later["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RL202")
        .unwrap_or_else(|| panic!("RL202 in {later}"));
    let share: f64 = d["values"]["similarity"].as_str().unwrap().parse().unwrap();
    assert!(share > 0.95, "{share}");
    let labels = d["labels"].as_array().unwrap();
    assert!(labels
        .iter()
        .any(|l| l["primary"] == true && l.get("file").is_none()));
    let there = labels.iter().find(|l| l.get("file").is_some()).unwrap();
    assert!(there["file"].as_str().unwrap().ends_with("a.txt"));
    // The label's text is the same passage in both reports, figures aside.
    let here = labels.iter().find(|l| l["primary"] == true).unwrap();
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    assert_eq!(
        strip(here["text"].as_str().unwrap()),
        strip(there["text"].as_str().unwrap())
    );
    // The earlier report is not "copied from" the later one.
    assert!(!codes(file(&v, "a.txt")).contains(&"RL202".to_string()));
    // The real pair (under half the same) is no copy: see the_real_pair_reconciles….
}

#[test]
fn a_report_copied_from_another_body_names_it_and_the_other_place() {
    let dir = scratch("across_other_body");
    let text = std::fs::read_to_string(real("2024-hongze.txt")).unwrap();
    std::fs::write(dir.join("hongze.txt"), &text).unwrap();
    // 淮阴区's report written from 洪泽区's: the name replaced in the title only, and 洪泽区 left
    // in one sentence as another body's name.
    let copied = text
        .replacen("淮安市洪泽区人民政府\n", "淮安市淮阴区人民政府\n", 1)
        .replace("2024 年，区政府严格落实", "2024 年，洪泽区人民政府严格落实");
    std::fs::write(dir.join("huaiyin.txt"), &copied).unwrap();
    let (_, v) = json(&[os(&dir), OsStr::new("--lang"), OsStr::new("en")]);
    let f = file(&v, "huaiyin.txt");
    let c = codes(f);
    assert!(c.contains(&"RL203".to_string()), "{c:?}");
    assert!(c.contains(&"RL204".to_string()), "{c:?}");
    let d = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RL204")
        .unwrap();
    let primary = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["primary"] == true)
        .unwrap();
    assert_eq!(primary["text"], "洪泽区");
    // The original names 淮阴区 nowhere: only the copy finding.
    let o = codes(file(&v, "hongze.txt"));
    assert!(
        o.contains(&"RL203".to_string()) && !o.contains(&"RL204".to_string()),
        "{o:?}"
    );
}

#[test]
fn other_places_need_a_formal_body_name_and_whole_city_words_are_a_hint() {
    let dir = scratch("across_places");
    let text = std::fs::read_to_string(real("2024-hongze.txt")).unwrap();
    // `区政府办代表区政府` (the real sentence) is no place; `全市` in a district report is a hint.
    let hinted = text.replacen("2024 年，区政府严格落实", "2024 年，全市严格落实", 1);
    let p = dir.join("hint.txt");
    std::fs::write(&p, hinted).unwrap();
    let (code, v) = json(&[os(&p), OsStr::new("--lang"), OsStr::new("en")]);
    let f = &v["files"][0];
    let d = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RL205")
        .expect("RL205");
    assert_eq!(d["severity"], "info");
    assert!(!codes(f).contains(&"RL204".to_string()));
    assert_eq!(code, 0, "warnings and a hint: nothing fails the run");
    // A city's report says 全市 of itself: nothing.
    let (_, v) = json(&[os(&real("2024-huaian-shizhengfu.txt"))]);
    assert!(codes(&v["files"][0]).is_empty());
}

#[test]
fn every_format_names_the_other_report() {
    let (a, b) = broken_pair(
        "across_formats",
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
        "二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2",
    );
    let run = |format: &str| {
        let out = bin()
            .args(["--format", format, "--previous"])
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "GI19-C301")
        .unwrap();
    let related = result["relatedLocations"].as_array().unwrap();
    let other = related
        .iter()
        .find(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("2023.txt")
        })
        .unwrap_or_else(|| panic!("{related:?}"));
    assert_eq!(other["physicalLocation"]["region"]["startLine"], 111);
    let github = run("github");
    assert!(
        github.contains(&format!("see also {} line 111", a.display())),
        "{github}"
    );
    let html = run("html");
    assert!(html.contains("GI19-C301"), "the HTML report lists it");
}
