//! `--format html` in a real headless browser (Debian's chromium): the page renders, needs no
//! network, every highlight is laid out inside its line of text, the highlighted text is the
//! text each finding's labels mark (as the JSON output gives it), and the filters hide and
//! show findings. A screenshot is kept as a test artefact. Skipped, with the reason, where
//! chromium or python3 is not installed (`apt-get install chromium`).

mod common;

use common::{bin, example, python, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn headless(browser: &str, args: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=3000",
        ])
        .args(args)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (finding number, text) of every highlighted piece of the first report, from the DOM the
/// browser built, in document order.
const MARKS: &str = r#"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.section = 0; self.stack = []; self.out = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section": self.section += 1
        if tag == "mark" and self.section == 1: self.stack.append(a.get("data-f", ""))
    def handle_endtag(self, tag):
        if tag == "mark" and self.stack: self.stack.pop()
    def handle_data(self, data):
        if self.stack:
            for f in self.stack[-1].split(): self.out.append(f + "\t" + data.replace("\n", "\\n"))
p = P(); p.feed(sys.stdin.read()); print("\n".join(p.out))
"#;

#[test]
fn the_html_report_renders_in_a_browser_with_highlights_on_the_labelled_text() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let d = scratch("html-report");
    std::fs::copy(example(), d.join("yuqian-2018.txt")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("tests/fixtures/real/2023-shuyang-fagaiju.html"),
        d.join("shuyang.html"),
    )
    .unwrap();
    let files = ["yuqian-2018.txt", "shuyang.html"];
    let page = bin()
        .current_dir(&d)
        .args(files)
        .args(["--format", "html"])
        .output()
        .unwrap();
    let html = String::from_utf8(page.stdout).unwrap();
    // Self-contained: nothing is fetched.
    for remote in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(!html.contains(remote), "the page loads {remote}");
    }
    let path = d.join("report.html");
    std::fs::write(&path, &html).unwrap();
    let url = format!("file://{}", path.display());

    // Layout and filters, checked by the page's own self-check in the browser.
    let dom = headless(browser, &["--dump-dom", &format!("{url}#selfcheck")]);
    let check = dom
        .split("data-selfcheck=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| {
            panic!(
                "the page did not run its script: {}",
                &dom[..dom.len().min(500)]
            )
        });
    let parts: Vec<&str> = check.split(' ').collect();
    assert_eq!(parts[0], "ok", "highlights outside their line: {check}");
    let marks: usize = parts[1].parse().unwrap();
    assert!(marks >= 20, "{check}");
    // With warnings unchecked no warning is shown and both errors are; checked again, all 13.
    assert_eq!(
        &parts[2..],
        ["filter", "0", "2", "restored", "13"],
        "{check}"
    );

    // The highlighted text of each finding is the text its labels mark.
    let Some(pieces) = python(MARKS, dom.as_bytes()) else {
        return;
    };
    let json = bin()
        .current_dir(&d)
        .args([files[0], "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    for (k, diag) in diags.iter().enumerate() {
        let mut labels: Vec<(u64, String)> = diag["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["start"].as_u64().unwrap(),
                    l["text"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(_, t)| !t.is_empty())
            .collect();
        labels.sort();
        let expected: String = labels.into_iter().map(|(_, t)| t).collect();
        let shown: String = pieces
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(f, _)| *f == k.to_string())
            .map(|(_, t)| t.replace("\\n", "\n"))
            .collect();
        assert_eq!(shown, expected, "finding {k} ({})", diag["code"]);
    }

    // The screenshot, kept for people to look at.
    let shot: PathBuf = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1800",
            &url,
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "no screenshot at {}", shot.display());
    eprintln!("screenshot: {}", shot.display());
}
