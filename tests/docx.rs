//! Word documents (.docx). The reports (the canonical example and the clean 2019 and 2021
//! reports of the fixtures) are turned into Word documents the way Word writes them: paragraphs, headings
//! numbered by `word/numbering.xml` (the number is not in the text), tables as `w:tbl`. The
//! linter must read the same facts from the document as from the text: the same findings and
//! the same outcome for every rule. Archive bombs, damaged archives and legacy .doc files get
//! one clear error each.

mod common;

use common::{bin, example, scratch};
use std::io::Write;
use std::path::{Path, PathBuf};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"#;

const CHINESE: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// A report's text as Word's XML: `一、…` and `（一）…` headings numbered by the numbering
/// part where their numbers follow on (the number itself left out of the text), pipe rows as
/// tables, the rest as paragraphs.
fn document_xml(text: &str) -> String {
    let mut body = String::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let (mut top, mut sub) = (0usize, 0usize);
    let flush = |table: &mut Vec<Vec<String>>, body: &mut String| {
        if table.is_empty() {
            return;
        }
        body.push_str("<w:tbl>");
        for row in table.drain(..) {
            body.push_str("<w:tr>");
            for cell in row {
                body.push_str(&format!(
                    "<w:tc><w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                    esc(&cell)
                ));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    };
    for line in text.lines() {
        let line = line.trim_start_matches('#').trim();
        if line.contains('|') {
            if line.replace(['|', '-', ' '], "").is_empty() {
                continue; // a Markdown rule
            }
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            table.push(cells);
            continue;
        }
        flush(&mut table, &mut body);
        let numbered = |n: usize, open: &str, close: &str| -> Option<String> {
            let head = format!("{open}{}{close}", CHINESE.get(n).copied()?);
            line.strip_prefix(&head)
                .map(|rest| rest.trim_start().to_string())
        };
        let (num, rest) = if let Some(rest) = numbered(top, "", "、") {
            top += 1;
            sub = 0;
            (Some(0), rest)
        } else if let Some(rest) = numbered(sub, "（", "）").or_else(|| numbered(sub, "(", ")")) {
            sub += 1;
            (Some(1), rest)
        } else {
            (None, line.to_string())
        };
        let ppr = num.map_or(String::new(), |l| {
            format!(
                "<w:pPr><w:numPr><w:ilvl w:val=\"{l}\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>"
            )
        });
        body.push_str(&format!(
            "<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            esc(&rest)
        ));
    }
    flush(&mut table, &mut body);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    )
}

/// A .docx archive with these parts.
fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

fn word_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let doc = document_xml(text);
    let bytes = docx(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", doc.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
    ]);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// (findings as code@primary text, rule outcomes) of one file.
fn outcome(path: &Path) -> (Vec<String>, Vec<String>) {
    let out = bin().arg(path).args(["--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["status"], "checked", "{f}");
    let mut findings: Vec<String> = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = d["labels"]
                .as_array()
                .and_then(|ls| ls.iter().find(|l| l["primary"] == true))
                .map_or("", |l| l["text"].as_str().unwrap_or(""));
            // (A blank cell's marked text is its white space, which differs by layout.)
            format!("{}@{}", d["code"].as_str().unwrap(), text.trim())
        })
        .collect();
    findings.sort();
    let rules = f["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["id"].as_str().unwrap(),
                r["status"].as_str().unwrap()
            )
        })
        .collect();
    (findings, rules)
}

#[test]
fn a_word_document_gives_the_same_findings_as_its_text() {
    let d = scratch("docx-same");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (txt, name) in [
        (example(), "yuqian-2018.docx"),
        (
            root.join("tests/fixtures/2021-clean.txt"),
            "clean-2021.docx",
        ),
        (
            root.join("tests/fixtures/2019-clean.txt"),
            "clean-2019.docx",
        ),
    ] {
        let text = std::fs::read_to_string(&txt).unwrap();
        let word = word_file(&d, name, &text);
        let (from_text, rules_text) = outcome(&txt);
        let (from_word, rules_word) = outcome(&word);
        assert_eq!(from_word, from_text, "{name}: findings differ");
        assert_eq!(rules_word, rules_text, "{name}: rule outcomes differ");
    }
    // The headings' numbers come from the numbering part: the document text has none.
    let xml = document_xml(&std::fs::read_to_string(example()).unwrap());
    assert!(!xml.contains(">一、概述<") && xml.contains(">概述<"));
}

#[test]
fn findings_in_a_word_document_name_the_paragraph_or_the_cell() {
    let d = scratch("docx-place");
    let text = std::fs::read_to_string(example()).unwrap();
    let word = word_file(&d, "yuqian-2018.docx", &text);
    let out = bin()
        .arg(&word)
        .args(["--format", "json", "--select", "GI18-P010"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels = v["files"][0]["diagnostics"][0]["labels"]
        .as_array()
        .unwrap();
    let places: Vec<&str> = labels
        .iter()
        .map(|l| l["place"].as_str().unwrap())
        .collect();
    // The prose statement is a paragraph; the review count is a cell of the statistics table
    // (the second table: the first holds the page's index data).
    assert!(places[0].starts_with("paragraph "), "{places:?}");
    assert!(places[1].starts_with("table 2, row "), "{places:?}");
    assert!(places[1].ends_with(", cell 3"), "{places:?}");
    let human = bin()
        .arg(&word)
        .args(["--select", "GI18-P010"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("= in the document: paragraph ") && human.contains("; also table 2, row "),
        "{human}"
    );
}

#[test]
fn archive_bombs_damaged_archives_and_legacy_files_get_one_clear_error() {
    let d = scratch("docx-hostile");
    // 200 MB of one byte inflated from about 200 KB.
    let zeros = vec![b' '; 200 << 20];
    let mut doc = b"<w:document><w:body><w:p><w:r><w:t>".to_vec();
    doc.extend_from_slice(&zeros);
    doc.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let bomb = docx(&[("word/document.xml", &doc)]);
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    std::fs::write(d.join("bomb.docx"), &bomb).unwrap();
    // Many entries.
    let names: Vec<String> = (0..50).map(|i| format!("word/media/{i}.xml")).collect();
    let mut parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    parts.push(("word/document.xml", b"<w:document/>"));
    std::fs::write(d.join("many.docx"), docx(&parts)).unwrap();
    // Cut short: the central directory is gone.
    let good = docx(&[("word/document.xml", b"<w:document/>")]);
    std::fs::write(d.join("cut.docx"), &good[..good.len() / 2]).unwrap();
    // A Word 97-2003 file.
    let mut legacy = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    legacy.extend(vec![0u8; 4096]);
    std::fs::write(d.join("old.doc"), legacy).unwrap();
    std::fs::copy(example(), d.join("good.txt")).unwrap();
    let out = bin()
        .current_dir(&d)
        .args(["bomb.docx", "many.docx", "cut.docx", "old.doc", "good.txt"])
        .args(["--limit", "archive_entries=20"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("bomb.docx: cannot read the Word document: word/document.xml inflates to"),
        "{text}"
    );
    assert!(text.contains("archive bomb"), "{text}");
    assert!(
        text.contains("lists 51 entries (limit archive_entries = 20)"),
        "{text}"
    );
    assert!(text.contains("the Word archive is damaged"), "{text}");
    assert!(
        text.contains("save it as .docx") && text.contains("--convert-to docx"),
        "{text}"
    );
    // The other file was checked.
    assert!(text.contains("good.txt: 2 errors, 11 warnings"), "{text}");
}
