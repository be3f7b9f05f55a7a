//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

/// The bundled canonical example.
pub fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/yuqian-2018.txt")
}

/// A fixture under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create scratch dir");
    d
}

/// The binary, with colour off and a fixed language.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("report-lint").expect("binary built");
    // The language defaults from the locale: C gives Chinese, whatever the machine's.
    // Source lines are cut to COLUMNS where it is set: not in tests that do not ask for it.
    c.env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS");
    c
}

/// Runs the binary with `--format json` and returns (exit code, parsed JSON).
pub fn json(args: &[&std::ffi::OsStr]) -> (i32, serde_json::Value) {
    let out = bin()
        .args(args)
        .arg("--format")
        .arg("json")
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), v)
}

/// (code, line of the primary label) of every finding of the first file, sorted.
pub fn findings(v: &serde_json::Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = v["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let line = d["labels"]
                .as_array()
                .and_then(|ls| ls.iter().find(|l| l["primary"] == true))
                .map_or(0, |l| l["line"].as_u64().unwrap_or(0));
            (d["code"].as_str().unwrap_or("").to_string(), line)
        })
        .collect();
    out.sort();
    out
}

/// Checks a generated section of a document, between `<!-- generated:NAME -->` and
/// `<!-- end:NAME -->`: it must equal `content`. With `BLESS=1` in the environment the section
/// is rewritten instead.
pub fn check_generated(path: &std::path::Path, name: &str, content: &str) {
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let (open, close) = (
        format!("<!-- generated:{name} -->\n"),
        format!("<!-- end:{name} -->"),
    );
    let section = doc
        .find(&open)
        .and_then(|a| doc[a..].find(&close).map(|b| (a + open.len(), a + b)));
    if std::env::var_os("BLESS").is_some() {
        let new = match section {
            Some((a, b)) => format!("{}{content}{}", &doc[..a], &doc[b..]),
            None => format!("{doc}\n{open}{content}{close}\n"),
        };
        std::fs::write(path, new).unwrap();
        return;
    }
    let Some((a, b)) = section else {
        panic!(
            "{} has no generated section `{name}`: run the test with BLESS=1",
            path.display()
        );
    };
    assert!(
        doc[a..b] == *content,
        "{} section `{name}` is out of date: run `BLESS=1 cargo test` and review the diff\n--- on disk ---\n{}\n--- now ---\n{content}",
        path.display(),
        &doc[a..b]
    );
}

/// Runs a Python script with `input` on standard input; `None` (and the reason printed) when
/// Python or a module the script imports is missing.
pub fn python(script: &str, input: &[u8]) -> Option<String> {
    let child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("skipped: python3 is not installed");
        return None;
    };
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("ModuleNotFoundError") {
        eprintln!("skipped: {}", err.lines().last().unwrap_or(""));
        return None;
    }
    assert!(out.status.success(), "python failed: {err}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
