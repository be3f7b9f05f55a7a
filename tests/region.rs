//! A region against its parts (issue 13, point 5): a summary report (汇总) below the sum of the
//! reports of the bodies under it, found with labels in every report; inferred from the
//! publishers' names (a warning) or named in a `--regions` file (an error).

mod common;

use common::*;

fn report(title: &str, new: u32) -> String {
    let text = std::fs::read_to_string(fixture("2021-clean.txt")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[0] = title.to_string();
    lines
        .join("\n")
        .replace(
            "一、本年新收政府信息公开申请数量 | 10 | 2 | 0 | 0 | 0 | 0 | 12 |",
            &format!("一、本年新收政府信息公开申请数量 | {new} | 0 | 0 | 0 | 0 | 0 | {new} |"),
        )
        .replace(
            "本年度共收到政府信息公开申请12件",
            "本年度共收到政府信息公开申请件",
        )
}

/// A summary of 淮安市洪泽区 stating `summary` new applications and two bodies under it with
/// 10 and 15.
fn region(name: &str, summary: u32) -> std::path::PathBuf {
    let d = scratch(name);
    let files = [
        (
            "summary.txt",
            report(
                "淮安市洪泽区人民政府2023年政府信息公开工作年度报告（汇总）",
                summary,
            ),
        ),
        (
            "fgw.txt",
            report(
                "淮安市洪泽区发展和改革委员会2023年政府信息公开工作年度报告",
                10,
            ),
        ),
        (
            "jyj.txt",
            report("洪泽区教育局2023年政府信息公开工作年度报告", 15),
        ),
    ];
    for (f, text) in files {
        std::fs::write(d.join(f), text).unwrap();
    }
    d
}

fn new_findings(v: &serde_json::Value) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for f in v["files"].as_array().unwrap() {
        for d in f["diagnostics"].as_array().unwrap() {
            if d["code"] == "RL206" && d["message"].as_str().unwrap().contains("本年新收") {
                let files: Vec<String> = d["labels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| {
                        l["file"]
                            .as_str()
                            .unwrap_or("")
                            .rsplit('/')
                            .next()
                            .unwrap()
                            .to_string()
                    })
                    .collect();
                out.push((
                    d["severity"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                    files,
                ));
            }
        }
    }
    out
}

#[test]
fn a_summary_below_its_parts_is_found_in_every_report() {
    let d = region("region_inferred", 20);
    let (_, v) = json(&[d.as_os_str()]);
    let found = new_findings(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    let (severity, message, files) = &found[0];
    assert_eq!(
        severity, "warning",
        "inferred from names: at most a warning"
    );
    assert!(
        message.contains("汇总报告为 20，低于所辖 2 个单位报告之和 25"),
        "{message}"
    );
    // The summary's cell (no file: this report) and one cell in each part's report.
    let mut files = files.clone();
    files.sort();
    assert_eq!(files, vec!["", "fgw.txt", "jyj.txt"]);
}

#[test]
fn one_part_above_the_summary_is_named() {
    let d = region("region_one_part", 12);
    let (_, v) = json(&[d.as_os_str()]);
    let found = new_findings(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("而所辖单位「洪泽区教育局」一家即为 15"),
        "{}",
        found[0].1
    );
}

#[test]
fn a_summary_that_covers_its_parts_gives_nothing() {
    let d = region("region_ok", 40);
    let (_, v) = json(&[d.as_os_str()]);
    assert!(new_findings(&v).is_empty());
}

#[test]
fn a_declared_region_makes_it_an_error() {
    let d = region("region_declared", 20);
    // The summary without 汇总 in its title: only the mapping makes it one.
    let text = std::fs::read_to_string(d.join("summary.txt"))
        .unwrap()
        .replace("年度报告（汇总）", "年度报告");
    std::fs::write(d.join("summary.txt"), text).unwrap();
    let map = d.join("regions.toml");
    std::fs::write(
        &map,
        "[[region]]\nsummary = \"*洪泽区人民政府\"\nparts = [\"*发展和改革委员会\", \"*jyj.txt\"]\n",
    )
    .unwrap();
    let (_, v) = json(&[
        std::ffi::OsStr::new("--regions"),
        map.as_os_str(),
        d.as_os_str(),
    ]);
    let found = new_findings(&v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "error");
    // Without the mapping, no 汇总 in the title: no region.
    std::fs::remove_file(&map).unwrap();
    let (_, v) = json(&[d.as_os_str()]);
    assert!(new_findings(&v).is_empty());
}

#[test]
fn a_bad_regions_file_is_a_clear_error() {
    let d = region("region_bad_map", 20);
    let map = d.join("regions.toml");
    std::fs::write(&map, "[[region]]\nsummary = \"x\"\nparts = \"y\"\n").unwrap();
    let out = bin().arg("--regions").arg(&map).arg(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--regions") && err.contains("line 3"), "{err}");
}
