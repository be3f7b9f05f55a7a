//! The same report in every layout the linter meets: as written (pipe tables), converted to
//! Markdown, as the text layer of a PDF, and run together by a crawler. The layouts are made
//! by converting the synthetic clean report `tests/fixtures/2021-clean.txt` (no finding), so
//! each test shows a class of input, not one real report's text.

mod common;

use common::*;
use std::collections::BTreeMap;

fn clean() -> String {
    std::fs::read_to_string(fixture("2021-clean.txt")).unwrap()
}

fn is_pipe(line: &str) -> bool {
    line.matches('|').count() >= 2
}

fn cells(line: &str) -> Vec<String> {
    let t = line.trim().trim_start_matches('|').trim_end_matches('|');
    t.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_part_heading(line: &str) -> bool {
    let first = line.chars().next().unwrap_or(' ');
    "一二三四五六".contains(first) && line.chars().nth(1) == Some('、') && !is_pipe(line)
}

/// Markdown, as conversion tools write it: `##` headings, tables with a `|---|` rule after
/// their first row and blank lines around them, zeros of the 法人 columns as `-`.
fn to_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut in_table = false;
    for line in text.lines() {
        if is_pipe(line) {
            let c = cells(line);
            if !in_table {
                out.push('\n');
            }
            out.push_str(&format!("| {} |\n", c.join(" | ")));
            if !in_table {
                out.push_str(&format!("|{}\n", "---|".repeat(c.len())));
            }
            in_table = true;
            continue;
        }
        if in_table {
            out.push('\n');
            in_table = false;
        }
        if out.is_empty() {
            out.push_str(&format!("# {line}\n\n"));
        } else if is_part_heading(line) {
            out.push_str(&format!("## {line}\n\n"));
        } else if !line.is_empty() {
            out.push_str(&format!("{line}\n\n"));
        }
    }
    out
}

/// Wraps a line every `n` characters.
fn wrap(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// The text layer of a PDF: prose wrapped every 28 characters, part headings letter-spaced,
/// table cells separated by spaces, long labels wrapped above their figures, header cells one
/// per line (some one character per line), group labels written vertically, and page footers
/// inside the tables.
fn to_pdf_text(text: &str) -> String {
    let mut out = Vec::new();
    let mut page = 1;
    let mut rows_on_page = 0;
    let mut last_group = String::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 {
            // The title over two lines: the body, then the title proper.
            let (org, title) = line.split_at(line.find("2023").unwrap());
            out.push(org.to_string());
            out.push(title.to_string());
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if is_part_heading(line) {
            let spaced: Vec<String> = line.chars().map(|c| c.to_string()).collect();
            out.push(spaced.join(" "));
            continue;
        }
        if !is_pipe(line) {
            out.extend(wrap(line, 28));
            continue;
        }
        let c = cells(line);
        let numbers: Vec<&String> = c
            .iter()
            .skip_while(|x| x.parse::<f64>().is_err() && !x.is_empty())
            .collect();
        let labels: Vec<&String> = c.iter().take(c.len() - numbers.len()).collect();
        if numbers.is_empty() {
            // A header row: one cell per line, the short ones one character per line.
            for h in c.iter().filter(|h| !h.is_empty()) {
                if h.chars().count() <= 4 {
                    out.extend(h.chars().map(|ch| ch.to_string()));
                } else {
                    out.push(h.clone());
                }
            }
            continue;
        }
        let figures = numbers
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut label = String::new();
        for (i, l) in labels.iter().enumerate() {
            if i + 1 < labels.len() {
                // A group label (三、本年度办理结果, （三）不予公开): written once, vertically.
                if **l != last_group {
                    out.extend(l.chars().map(|ch| ch.to_string()));
                    last_group = l.to_string();
                }
            } else {
                label = l.to_string();
            }
        }
        let parts = wrap(&label, 14);
        let (last, first) = parts
            .split_last()
            .map_or((String::new(), &[][..]), |(l, f)| (l.clone(), f));
        out.extend(first.iter().cloned());
        out.push(format!("{last} {figures}").trim().to_string());
        rows_on_page += 1;
        if rows_on_page == 12 {
            page += 1;
            out.push(format!("- {page} -"));
            rows_on_page = 0;
        }
    }
    out.join("\n")
}

/// A crawler's dump: the page text run into one line, table cells joined with nothing between
/// them.
fn to_crawler_dump(text: &str) -> String {
    let mut lines = text.lines();
    let title = lines.next().unwrap().to_string();
    let body: String = lines
        .map(|l| {
            if is_pipe(l) {
                cells(l).concat()
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{title}\n{body}\n")
}

fn write(test: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = scratch(test);
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Every bound fact of a report: field -> (value, bound_by).
fn facts(path: &std::path::Path) -> BTreeMap<String, (String, String)> {
    let out = bin()
        .args(["dump", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["value"].is_object())
        .map(|f| {
            let value = &f["value"]["value"];
            let value = value
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string());
            (
                f["field"].as_str().unwrap().to_string(),
                (value, f["bound_by"].as_str().unwrap_or("").to_string()),
            )
        })
        .collect()
}

fn table_facts(path: &std::path::Path) -> BTreeMap<String, String> {
    facts(path)
        .into_iter()
        .filter(|(k, _)| k.starts_with("table."))
        .map(|(k, (v, _))| (k, v))
        .collect()
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    findings(v).into_iter().map(|f| f.0).collect()
}

#[test]
fn the_clean_report_as_written_has_no_finding() {
    let p = fixture("2021-clean.txt");
    let (code, v) = json(&[p.as_os_str()]);
    assert_eq!(code, 0);
    assert_eq!(codes(&v), Vec::<String>::new());
}

#[test]
fn markdown_is_read_as_markdown() {
    let md = to_markdown(&clean()).replace(
        "| 一、本年新收政府信息公开申请数量 | 10 | 2 | 0 | 0 | 0 | 0 | 12 |",
        "| 一、本年新收政府信息公开申请数量 | 10 | 2 | - | - | - | - | 12 |",
    );
    assert!(md.contains("## 三、收到和处理政府信息公开申请情况"));
    assert!(md.contains("|---|---|---|---|"));
    let p = write("layout_markdown", "report.md.txt", &md);
    let (code, v) = json(&[p.as_os_str()]);
    assert_eq!(code, 0, "{v:#}");
    // Every table is bound exactly as in the original; `-` is a blank (read as 0, a style
    // finding), and the `|---|` rules are not rows.
    let mut want = table_facts(&fixture("2021-clean.txt"));
    for col in ["research", "public_interest", "legal", "other"] {
        want.insert(format!("table.new[applicant.{col}]"), "(blank)".to_string());
    }
    let got = table_facts(&p);
    assert_eq!(got.len(), want.len());
    for (k, v) in &want {
        if v == "(blank)" {
            continue;
        }
        assert_eq!(got.get(k), Some(v), "{k}");
    }
    assert_eq!(codes(&v), vec!["RL111"], "{v:#}");
}

#[test]
fn pdf_text_is_read_with_its_wrapped_labels_vertical_headers_and_footers() {
    let pdf = to_pdf_text(&clean());
    // The conversion really produces the hard cases.
    assert!(pdf.contains("一 、 总 体 情 况"));
    assert!(pdf.contains("- 2 -"));
    assert!(pdf.contains("\n本\n年\n度\n"));
    let p = write("layout_pdf", "report.txt", &pdf);
    let (code, v) = json(&[p.as_os_str()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(codes(&v), Vec::<String>::new(), "{v:#}");
    // Table 三 is bound in full, every row by its label (the wrapped ones too).
    let got = facts(&p);
    let want = table_facts(&fixture("2021-clean.txt"));
    for (k, v) in &want {
        assert_eq!(got.get(k).map(|x| &x.0), Some(v), "{k}");
    }
    assert!(
        got.iter()
            .filter(|(k, _)| k.starts_with("table.result"))
            .all(|(_, (_, by))| by == "exact"),
        "{got:?}"
    );
}

#[test]
fn a_crawler_dump_has_all_its_sections_and_no_guessed_tables() {
    let dump = to_crawler_dump(&clean());
    assert_eq!(dump.lines().count(), 2);
    assert!(dump.contains("本年新收政府信息公开申请数量10200001"));
    let p = write("layout_crawler", "report.txt", &dump);
    let (code, v) = json(&[p.as_os_str()]);
    let found = codes(&v);
    // No "missing section": the numbered parts are found where they stand in the text.
    assert!(!found.iter().any(|c| c.starts_with("GI19-S")), "{found:?}");
    // No error at all: tables whose cells cannot be separated are not recognised, with the
    // reason, and their rules are skipped.
    assert_eq!(code, 0, "{v:#}");
    let not_found: Vec<&serde_json::Value> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "RL107")
        .collect();
    assert!(!not_found.is_empty());
    assert!(
        not_found
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("无法可靠拆分")),
        "{not_found:#?}"
    );
    let rules = v["files"][0]["rules"].as_array().unwrap();
    let t301 = rules.iter().find(|r| r["id"] == "GI19-T301").unwrap();
    assert_eq!(t301["status"], "skipped");
    assert!(t301["detail"].as_str().unwrap().contains("无法可靠拆分"));
    // The prose is still read.
    let f = facts(&p);
    assert_eq!(
        f.get("prose.applications").map(|x| x.0.as_str()),
        Some("12")
    );
}

#[test]
fn headings_written_as_markdown_items_of_a_part_are_not_parts() {
    // Conversions turn table 三's row groups into headings (`### 一、本年新收…`) inside part
    // 三: they are not parts of the report, and the table's pieces are read as one table.
    let mut md = to_markdown(&clean());
    md = md.replace(
        "| 一、本年新收政府信息公开申请数量 |",
        "### 一、本年新收政府信息公开申请数量\n\n| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n|---|---|---|---|---|---|---|---|\n| 本年新收政府信息公开申请数量 |",
    );
    let p = write("layout_md_items", "report.txt", &md);
    let (code, v) = json(&[p.as_os_str()]);
    assert_eq!(code, 0, "{v:#}");
    assert!(!codes(&v).iter().any(|c| c.starts_with("GI19-S")));
    let got = table_facts(&p);
    assert_eq!(got.get("table.new[total]").map(String::as_str), Some("12"));
    assert_eq!(
        got.get("table.result_total[total]").map(String::as_str),
        Some("11")
    );
}
