//! Snapshots of what a user sees on the canonical example, one per output format.

mod common;

fn run(args: &[&str]) -> String {
    let out = common::bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn human_output() {
    insta::assert_snapshot!("human", run(&["examples/yuqian-2018.txt"]));
}

#[test]
fn human_output_verbose_english() {
    insta::assert_snapshot!(
        "human_verbose_en",
        run(&["examples/yuqian-2018.txt", "--verbose", "--lang", "en"])
    );
}

#[test]
fn github_output() {
    insta::assert_snapshot!(
        "github",
        run(&["examples/yuqian-2018.txt", "--format", "github"])
    );
}

#[test]
fn sarif_output() {
    let out = run(&["examples/yuqian-2018.txt", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(13));
    insta::assert_snapshot!("sarif", out.replace(env!("CARGO_PKG_VERSION"), "VERSION"));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(
        "json",
        run(&["examples/yuqian-2018.txt", "--format", "json"])
    );
}

#[test]
fn jsonl_output() {
    insta::assert_snapshot!(
        "jsonl",
        run(&["examples/yuqian-2018.txt", "--format", "jsonl"])
    );
}

#[test]
fn junit_output() {
    insta::assert_snapshot!(
        "junit",
        run(&["examples/yuqian-2018.txt", "--format", "junit"])
    );
}

#[test]
fn csv_output() {
    insta::assert_snapshot!("csv", run(&["examples/yuqian-2018.txt", "--format", "csv"]));
}

#[test]
fn html_output() {
    let out = run(&["examples/yuqian-2018.txt", "--format", "html"]);
    insta::assert_snapshot!("html", out.replace(env!("CARGO_PKG_VERSION"), "VERSION"));
}

#[test]
fn quiet_and_statistics_output() {
    insta::assert_snapshot!(
        "statistics",
        run(&["examples/yuqian-2018.txt", "--statistics"])
    );
    let quiet = run(&["examples/yuqian-2018.txt", "--quiet"]);
    let full = run(&["examples/yuqian-2018.txt"]);
    // Quiet is the findings of the full output, without its summary line.
    assert!(full.starts_with(quiet.trim_end()), "{quiet}");
    assert!(!quiet.contains("rules:"));
}
