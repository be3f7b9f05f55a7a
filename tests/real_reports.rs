//! Every real report in tests/fixtures/real is checked against its expected findings
//! (tests/fixtures/real/expected/NAME.json: status, rule set, and each finding's code and the
//! line of its primary label). The suite fails on a missed finding and on a new one.

mod common;

use common::*;
use std::collections::BTreeSet;

fn finding_set(v: &serde_json::Value) -> BTreeSet<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| (f[0].as_str().unwrap().to_string(), f[1].as_u64().unwrap()))
        .collect()
}

#[test]
fn real_reports_give_exactly_their_expected_findings() {
    let dir = fixture("real");
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x != "md"))
        .collect();
    paths.sort();
    // The canonical example lives in examples/ (the README runs it); its expectations are here.
    paths.push(example());
    assert!(paths.len() >= 6, "{paths:?}");
    let mut problems = Vec::new();
    for path in &paths {
        let name = &path.file_name().unwrap().to_string_lossy().into_owned();
        let expected_path = dir.join("expected").join(format!("{name}.json"));
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("no {}", expected_path.display())),
        )
        .unwrap();
        let (_, v) = json(&[path.as_os_str()]);
        let f = &v["files"][0];
        if f["status"] != expected["status"] || f["ruleset"] != expected["ruleset"] {
            problems.push(format!(
                "{name}: status {} / rule set {}, expected {} / {}",
                f["status"], f["ruleset"], expected["status"], expected["ruleset"]
            ));
        }
        let got: BTreeSet<(String, u64)> = findings(&v).into_iter().collect();
        let want = finding_set(&expected["findings"]);
        for missed in want.difference(&got) {
            problems.push(format!(
                "{name}: missed finding {} at line {}",
                missed.0, missed.1
            ));
        }
        for new in got.difference(&want) {
            problems.push(format!("{name}: new finding {} at line {} (a false positive, or update expected/{name}.json)", new.0, new.1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_pdf_is_refused_with_a_way_forward() {
    let (code, v) = json(&[fixture("real").join("2023-hongze.pdf").as_os_str()]);
    assert_eq!(code, 2);
    assert!(v["files"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("extract its text"));
}

#[test]
fn html_findings_point_into_the_html_file() {
    let page = fixture("real").join("2023-shuyang-fagaiju.html");
    let (_, v) = json(&[page.as_os_str()]);
    let raw = std::fs::read_to_string(&page).unwrap();
    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "GI19-P403")
        .unwrap();
    let l = &d["labels"][0];
    let (start, end) = (
        l["start"].as_u64().unwrap() as usize,
        l["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        &raw[start..end],
        "1",
        "the byte range is the cell's text in the HTML"
    );
    let line = raw[..start].matches('\n').count() + 1;
    assert_eq!(l["line"].as_u64().unwrap() as usize, line);
    // The human output labels the visible text, with the page's line numbers.
    let out = bin().arg(&page).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2023-shuyang-fagaiju.html:"), "{text}");
    assert!(!text.contains("<td"), "no markup in the snippets");
}

#[test]
fn a_gbk_page_with_a_meta_charset_gives_the_same_findings() {
    let page = fixture("real").join("2023-shuyang-fagaiju.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.to_ascii_lowercase().contains("charset=gbk"));
    let gbk_html = html.replacen(
        "<head>",
        "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">",
        1,
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&gbk_html);
    assert!(!unmappable);
    let dir = scratch("gbk_html");
    let p = dir.join("page-gbk.html");
    std::fs::write(&p, &bytes).unwrap();
    let (_, a) = json(&[page.as_os_str()]);
    let (_, b) = json(&[p.as_os_str()]);
    assert_eq!(b["files"][0]["encoding"], "GBK");
    let codes = |v: &serde_json::Value| findings(v).into_iter().map(|f| f.0).collect::<Vec<_>>();
    assert_eq!(codes(&a), codes(&b));
    assert!(!codes(&b).is_empty());
}
