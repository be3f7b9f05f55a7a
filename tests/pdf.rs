//! PDF input: the three real PDFs of the fixtures (their text layers, laid out by position)
//! give the same rule outcomes as the text pypdf extracted from them (`*.txt` beside them),
//! findings name the page and line, and a PDF without a text layer or a damaged one gets one
//! clear error while the other files are checked.

mod common;

use common::{bin, example, scratch};
use std::path::Path;

fn outcome(path: &Path) -> (serde_json::Value, Vec<String>, Vec<String>) {
    let out = bin().arg(path).args(["--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["files"][0].clone();
    assert_eq!(f["status"], "checked", "{f}");
    let mut codes: Vec<String> = f["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
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
    (f, codes, rules)
}

#[test]
fn real_pdfs_read_as_their_extracted_text_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    for name in ["2023-hongze", "2024-hongze", "2024-huaian-shizhengfu"] {
        let (pdf, pdf_codes, pdf_rules) = outcome(&root.join(format!("{name}.pdf")));
        let (_, txt_codes, txt_rules) = outcome(&root.join(format!("{name}.txt")));
        // Every rule comes out the same: the same tables and prose figures were read.
        assert_eq!(pdf_rules, txt_rules, "{name}: rule outcomes differ");
        // The same findings too (the city report reconciles completely: none).
        assert_eq!(pdf_codes, txt_codes, "{name}: {pdf}");
        // Findings name the page and the line on it.
        for d in pdf["diagnostics"].as_array().unwrap() {
            for l in d["labels"].as_array().unwrap() {
                let place = l["place"].as_str().unwrap_or("");
                assert!(
                    place.starts_with("page ") && place.contains(", line "),
                    "{name}: {l}"
                );
            }
        }
    }
    // JSON gives the page and the rectangle of each label: the table-four cells of hongze 2023
    // lie on one row of page 4, the 维持 figure left of the 总计 one.
    let out = bin()
        .arg(root.join("2023-hongze.pdf"))
        .args(["--format", "json", "--select", "GI19-T401"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels = v["files"][0]["diagnostics"][0]["labels"]
        .as_array()
        .unwrap();
    let rect = |l: &serde_json::Value| -> Vec<f64> {
        l["rect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    for l in labels {
        assert_eq!(l["page"], 4, "{l}");
        let r = rect(l);
        assert!(
            r[0] < r[2] && r[1] < r[3] && r[2] < 600.0 && r[3] < 850.0,
            "{l}"
        );
    }
    let total = labels.iter().find(|l| l["primary"] == true).unwrap();
    let upheld = labels.iter().find(|l| l["text"] == "10").unwrap();
    assert!(rect(upheld)[2] <= rect(total)[0], "{upheld} {total}");
    assert!((rect(upheld)[1] - rect(total)[1]).abs() < 1.0);
    // The hongze 2023 table-four error sits on page 4.
    let out = bin()
        .arg(root.join("2023-hongze.pdf"))
        .args(["--select", "GI19-T401"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("= in the document: page 4, line 20"),
        "{text}"
    );
}

/// A well-formed one-page PDF that draws nothing (a scan's pages hold only images).
fn pdf_without_text() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_scan_or_a_damaged_pdf_gets_one_clear_error_and_the_rest_is_checked() {
    let d = scratch("pdf-hostile");
    std::fs::write(d.join("scan.pdf"), pdf_without_text()).unwrap();
    std::fs::write(
        d.join("broken.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog \x00\xff garbage",
    )
    .unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/2024-hongze.pdf");
    let bytes = std::fs::read(real).unwrap();
    std::fs::write(d.join("cut.pdf"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::copy(example(), d.join("good.txt")).unwrap();
    let out = bin()
        .current_dir(&d)
        .args(["scan.pdf", "broken.pdf", "cut.pdf", "good.txt"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("scan.pdf: cannot read the PDF: it has no text layer (a scanned document): OCR it first"), "{text}");
    assert!(
        text.contains("broken.pdf: cannot read the PDF:") && text.contains("damaged"),
        "{text}"
    );
    assert!(text.contains("cut.pdf: "), "{text}");
    assert!(text.contains("good.txt: 2 errors, 11 warnings"), "{text}");
    assert!(text.contains("checked 1 file of 4"), "{text}");
}

#[test]
fn a_pdf_that_takes_too_long_is_abandoned_and_the_rest_is_checked() {
    // No PDF at hand makes the reader loop; a limit of 0 ms shows what such a file meets.
    let d = scratch("pdf-slow");
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/2024-hongze.pdf");
    std::fs::copy(real, d.join("slow.pdf")).unwrap();
    std::fs::copy(example(), d.join("good.txt")).unwrap();
    let out = bin()
        .current_dir(&d)
        .args(["slow.pdf", "good.txt", "--limit", "pdf_millis=0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("slow.pdf: cannot read the PDF: reading its text layer took more than 0 ms (limit pdf_millis)"), "{text}");
    assert!(text.contains("good.txt: 2 errors, 11 warnings"), "{text}");
}
