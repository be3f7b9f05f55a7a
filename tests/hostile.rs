//! The hostile-input catalogue: inputs that once aborted a batch, exhausted memory, wrote to the
//! terminal or hung. Each runs the real binary under a memory cap (`ulimit -v`) and a watchdog,
//! next to the clean example, and checks the exit code, the one clear message naming the file,
//! that the other file of the batch is still checked and counted, and that no control
//! character reaches the output raw. The bounds are generous ceilings, not timings.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Virtual memory the binary may use (KiB): far above any honest run (the worker stacks alone
/// reserve a few hundred MiB), far below what the old memory bombs took.
const MEMORY_KIB: u64 = 1_500_000;
/// The watchdog: a hang fails the test instead of stalling the suite.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Both streams.
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs the binary with a memory cap and a watchdog.
fn guarded(args: &[&std::ffi::OsStr]) -> Run {
    guarded_in(args, None)
}

fn guarded_in(args: &[&std::ffi::OsStr], dir: Option<&Path>) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("report-lint");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(&bin)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().expect("runs");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{args:?}: still running after {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{args:?}: {stderr}"
    );
    assert!(
        status.code().is_some(),
        "{args:?}: killed by a signal ({status}): {stderr}"
    );
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

fn os(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

/// No control character of the input reached the output: the only ESC bytes left would be
/// colour codes, and colour is off.
fn no_raw_controls(s: &str) {
    for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!s.contains(c), "raw {c:?} in output: {s:?}");
    }
}

/// The case file failed with a message naming it, and the example next to it was checked.
fn failed_alone(run: &Run, file: &Path, words: &[&str]) {
    assert_eq!(run.code, Some(2), "{}", run.all());
    let name = file.display().to_string();
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("error[RL001]") && l.contains(&name))
        .unwrap_or_else(|| panic!("no message naming {name}: {}", run.all()));
    for w in words {
        assert!(line.contains(w), "{w:?} not in {line}");
    }
    assert!(
        run.stdout.contains("checked 1 file of 2"),
        "the other file is still checked: {}",
        run.stdout
    );
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).expect("write");
    p
}

#[test]
fn deeply_nested_html_is_refused_for_that_file_only() {
    let dir = common::scratch("hostile_nesting");
    let cases = [
        (
            "spans.html",
            format!(
                "<html><body>{}2023年度政府信息公开工作年度报告{}</body></html>",
                "<span>".repeat(4000),
                "</span>".repeat(4000)
            ),
        ),
        (
            "cells.html",
            format!(
                "<html><body>{}x</body></html>",
                "<table><tr><td>".repeat(100_000)
            ),
        ),
        (
            "divs.html",
            format!("<html><body>{}x</body></html>", "<div>".repeat(100_000)),
        ),
    ];
    for (name, html) in cases {
        let p = write(&dir, name, html);
        let run = guarded(&[os(&p), os(&common::example())]);
        failed_alone(&run, &p, &["html_depth", "docs/limits.md"]);
    }
}

#[test]
fn spans_that_ask_for_millions_of_cells_leave_their_table_out() {
    let dir = common::scratch("hostile_spans");
    let rows: String = (0..800)
        .map(|_| {
            format!(
                "<tr>{}</tr>",
                "<td rowspan=100 colspan=100>一</td>".repeat(8)
            )
        })
        .collect();
    let page = format!(
        "<html><body><div><p>2023年度政府信息公开工作年度报告</p><table>{rows}</table><p>二、主动公开政府信息情况</p></div></body></html>"
    );
    let p = write(&dir, "spans.html", page);
    let run = guarded(&[os(&p), os(&common::example())]);
    assert!(run.stdout.contains("warning[RL115]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("checked 2 files of 2"),
        "{}",
        run.stdout
    );
}

#[test]
fn long_and_deep_expressions_are_load_errors_not_crashes() {
    let dir = common::scratch("hostile_expr");
    let rule = |check: &str| {
        format!(
            "[ruleset]\nid = \"x\"\ntitle = \"x\"\n[[rule]]\nid = \"X1\"\nname = \"x\"\nseverity = \"error\"\ncheck = \"{check}\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
        )
    };
    let flat = write(
        &dir,
        "flat.toml",
        rule(&format!("{} == 1", vec!["1"; 2000].join("+"))),
    );
    let run = guarded(&[os(Path::new("rules")), os(Path::new("check")), os(&flat)]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("levels deep"), "{}", run.stderr);
    assert!(
        run.stderr.contains("sum("),
        "the fix is named: {}",
        run.stderr
    );
    let run = guarded(&[
        os(Path::new("--rules")),
        os(&flat),
        os(&common::example()),
        os(&common::example()),
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("nothing was checked"), "{}", run.stderr);
    // Raised to the most the limits allow, the same shape is evaluated on the workers.
    let deep = write(
        &dir,
        "deep.toml",
        rule(&format!("{} == 990", vec!["1"; 990].join("+"))),
    );
    let run = guarded(&[
        os(Path::new("--limit")),
        os(Path::new("expr_depth=1000")),
        os(Path::new("--rules")),
        os(&deep),
        os(&common::example()),
        os(&common::example()),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert!(
        run.stdout.contains("checked 2 files of 2"),
        "{}",
        run.stdout
    );
}

#[test]
fn let_bindings_are_shared_not_copied() {
    let dir = common::scratch("hostile_let");
    let doubling = |n: usize, base: &str| {
        let lets: String = (0..n)
            .map(|i| format!("l{} = \"l{i} + l{i}\"\n", i + 1))
            .collect();
        format!(
            "[ruleset]\nid = \"x\"\ntitle = \"x\"\nextends = [\"builtin:common-2019\"]\n[let]\nl0 = \"{base}\"\n{lets}[[rule]]\nid = \"X1\"\nname = \"x\"\nseverity = \"error\"\ncheck = \"l{n} == 1\"\nmessage = \"{{l{n}}}\"\nmessage_en = \"m\"\n"
        )
    };
    // 40 doublings: once 2^40 copies; now a clear depth error, at once.
    let bomb = write(&dir, "bomb.toml", doubling(40, "report.period.year"));
    let run = guarded(&[os(Path::new("rules")), os(Path::new("check")), os(&bomb)]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("levels deep"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("unknown name"),
        "a broken let is not reported again where it is used: {}",
        run.stderr
    );
    // 30 doublings are within the depth limit: evaluated once each, 2024 × 2^30.
    let ok = write(&dir, "ok.toml", doubling(30, "report.period.year"));
    let report = common::fixture("2021-clean.txt");
    let run = guarded(&[
        os(Path::new("--rules")),
        os(&ok),
        os(Path::new("--select")),
        os(Path::new("X1")),
        os(&report),
    ]);
    let expected = (2023u64 << 30).to_string();
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
}

#[test]
fn ten_thousand_unknown_placeholders_are_one_error() {
    let dir = common::scratch("hostile_placeholders");
    let msg: String = (0..10_000).map(|i| format!("{{u{i}}}")).collect();
    let p = write(
        &dir,
        "p.toml",
        format!("[ruleset]\nid = \"x\"\ntitle = \"x\"\n[[rule]]\nid = \"X1\"\nname = \"x\"\nseverity = \"error\"\ncheck = \"1 == 1\"\nmessage = \"{msg}\"\nmessage_en = \"m\"\n"),
    );
    let run = guarded(&[os(Path::new("rules")), os(Path::new("check")), os(&p)]);
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr.matches("error[RF010]").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("9999 more"), "{}", run.stderr);
    assert!(run.stderr.len() < 10_000, "{} bytes", run.stderr.len());
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = common::scratch("hostile_controls");
    let base = std::fs::read_to_string(common::example()).expect("example");
    let evil = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}";
    let text = base.replacen("於潛鎮2018年度", &format!("於潛鎮{evil}2018年度"), 1);
    let text = text.replacen("收到申請數", &format!("收到申請數{evil}"), 1);
    let txt = write(&dir, "evil\u{1b}[31m.txt", &text);
    let html = write(
        &dir,
        "evil.html",
        "<html><head><title>&#27;]0;x&#7;</title></head><body><p>&#27;]0;PWNED&#7;2023年度政府信息公开工作年度报告&#155;</p><p>一、总体情况&#27;[2J正文。</p></body></html>",
    );
    for args in [
        vec![os(&txt), os(&html)],
        vec![os(Path::new("--format")), os(Path::new("github")), os(&txt)],
        vec![os(Path::new("--verbose")), os(&txt), os(&html)],
        vec![os(Path::new("dump")), os(&txt)],
        vec![os(Path::new("dump")), os(&html)],
    ] {
        let run = guarded(&args);
        no_raw_controls(&run.all());
        assert!(
            run.all().contains('␛'),
            "made visible: {args:?} {}",
            run.all()
        );
    }
    for args in [
        vec![os(Path::new("--format")), os(Path::new("json")), os(&txt)],
        vec![os(Path::new("--format")), os(Path::new("sarif")), os(&txt)],
        vec![
            os(Path::new("dump")),
            os(Path::new("--format")),
            os(Path::new("json")),
            os(&txt),
        ],
    ] {
        let run = guarded(&args);
        no_raw_controls(&run.all());
        let _: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        // Escaped in JSON strings; percent-encoded in SARIF's URIs.
        assert!(
            run.stdout.contains("\\u001b") || run.stdout.contains("%1B"),
            "the JSON still carries the text, escaped"
        );
    }
    // A rule file's strings and TOML errors.
    let rules = write(
        &dir,
        "evil.toml",
        "[ruleset]\nid = \"x\u{1b}]0;PWN\u{7}\"\ntitle = \"x\"\n",
    );
    let run = guarded(&[os(Path::new("rules")), os(Path::new("check")), os(&rules)]);
    assert_eq!(run.code, Some(2));
    no_raw_controls(&run.all());
    assert!(run.stderr.contains('␛'), "{}", run.stderr);
}

#[test]
fn special_files_never_hang_a_batch() {
    let dir = common::scratch("hostile_special");
    std::fs::copy(common::example(), dir.join("a.txt")).expect("copy");
    let fifo = dir.join("b.txt");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // In a scanned directory the FIFO is not read (opening it would wait for a writer).
    let run = guarded(&[os(&dir)]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("a.txt: 2 errors"), "{}", run.stdout);
    assert!(!run.stdout.contains("b.txt"), "{}", run.stdout);
    // Named, it gets a clear error; so does a device.
    let run = guarded(&[os(&fifo), os(&common::example())]);
    failed_alone(&run, &fifo, &["FIFO", "regular file"]);
    let zero = Path::new("/dev/zero");
    if zero.exists() {
        let run = guarded(&[os(zero), os(&common::example())]);
        failed_alone(&run, zero, &["device"]);
    }
}

#[test]
fn rule_files_read_only_rule_files() {
    let dir = common::scratch("hostile_extends");
    let secret = write(&dir, "secret.txt", "root:SECRET-HASH:19000:0:99999:7:::\n");
    let ext =
        |target: &str| format!("[ruleset]\nid = \"x\"\ntitle = \"x\"\nextends = [\"{target}\"]\n");
    let run = guarded(&[
        os(Path::new("rules")),
        os(Path::new("check")),
        os(&write(&dir, "a.toml", ext("secret.txt"))),
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("is not a rule file"), "{}", run.stderr);
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert!(secret.exists());
    if Path::new("/dev/zero").exists() {
        let run = guarded(&[
            os(Path::new("rules")),
            os(Path::new("check")),
            os(&write(&dir, "z.toml", ext("/dev/zero"))),
        ]);
        assert_eq!(run.code, Some(2));
        assert!(run.stderr.contains("regular file"), "{}", run.stderr);
    }
    // Eight files that each extend all the others: each read once, the cycle named.
    for i in 1..=8 {
        let others: Vec<String> = (1..=8)
            .filter(|j| *j != i)
            .map(|j| format!("\"f{j}.toml\""))
            .collect();
        write(
            &dir,
            &format!("f{i}.toml"),
            format!(
                "[ruleset]\nid = \"f{i}\"\ntitle = \"x\"\nextends = [{}]\n",
                others.join(", ")
            ),
        );
    }
    let run = guarded(&[
        os(Path::new("rules")),
        os(Path::new("check")),
        os(&dir.join("f1.toml")),
    ]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("forms a cycle"), "{}", run.stderr);
    // A test case's report file is read as a report: regular files only.
    let t = write(
        &dir,
        "t.toml",
        "[ruleset]\nid = \"x\"\ntitle = \"x\"\n[[rule]]\nid = \"X1\"\nname = \"x\"\nseverity = \"error\"\ncheck = \"1 == 1\"\nmessage = \"m\"\nmessage_en = \"m\"\n[[rule.test]]\nexpect = \"pass\"\nfile = \"/dev/zero\"\n",
    );
    if Path::new("/dev/zero").exists() {
        let run = guarded(&[os(Path::new("rules")), os(Path::new("test")), os(&t)]);
        assert_eq!(run.code, Some(1), "{}", run.all());
        assert!(run.stdout.contains("regular file"), "{}", run.stdout);
    }
}

#[test]
fn damaged_and_misdeclared_encodings_are_read_and_said() {
    let dir = common::scratch("hostile_encoding");
    let base = std::fs::read(common::example()).expect("example");
    // Six invalid bytes in a UTF-8 file.
    let mut damaged = base.clone();
    let at = damaged.len() / 3;
    damaged.splice(at..at, [0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa]);
    let p = write(&dir, "damaged.txt", &damaged);
    let (code, v) = common::json(&[os(&p)]);
    assert_eq!(code, 1, "read and checked (the example's own errors)");
    let d = &v["files"][0]["diagnostics"];
    let rl108 = d
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RL108")
        .expect("RL108");
    assert!(rl108["notes"].to_string().contains("无法解码"), "{rl108}");
    assert_eq!(v["files"][0]["encoding"], "UTF-8");
    // UTF-16 without a byte-order mark.
    let text = std::fs::read_to_string(common::example()).unwrap();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let p = write(&dir, "utf16.txt", utf16);
    let (code, v) = common::json(&[os(&p)]);
    assert_eq!(code, 1);
    assert!(v.to_string().contains("RL114"), "{v}");
    // A GBK page that declares shift_jis.
    let page = "<html><head><meta charset=\"shift_jis\"></head><body><p>2023年度政府信息公开工作年度报告</p><p>一、总体情况。本机关认真贯彻落实政府信息公开条例，全年主动公开政府信息一百二十条。</p></body></html>";
    let (gbk, _, _) = encoding_rs::GBK.encode(page);
    let p = write(&dir, "gbk.html", gbk);
    let run = guarded(&[os(Path::new("dump")), os(&p)]);
    assert!(
        run.stdout.contains("政府信息公开工作年度报告"),
        "{}",
        run.stdout
    );
    let (_, v) = common::json(&[os(&p)]);
    assert!(v.to_string().contains("RL114"), "{v}");
}

#[test]
fn office_files_are_named_for_what_they_are() {
    let dir = common::scratch("hostile_office");
    let mut docx = b"PK\x03\x04".to_vec();
    docx.extend_from_slice(&[0u8; 26]);
    docx.extend_from_slice(b"word/document.xml");
    let p = write(&dir, "report.docx.txt", docx);
    let run = guarded(&[os(&p), os(&common::example())]);
    // Read as the Word document it claims to be, and found damaged.
    failed_alone(&run, &p, &["Word", "damaged"]);
    let mut xlsx = b"PK\x03\x04".to_vec();
    xlsx.extend_from_slice(&[0u8; 26]);
    xlsx.extend_from_slice(b"xl/workbook.xml");
    let p = write(&dir, "table.xlsx.txt", xlsx);
    let run = guarded(&[os(&p), os(&common::example())]);
    failed_alone(&run, &p, &["Excel", "pandoc"]);
}

#[test]
fn impossible_figures_are_findings_on_their_cells() {
    let dir = common::scratch("hostile_figures");
    let clean = std::fs::read_to_string(common::fixture("2021-clean.txt")).unwrap();
    let neg = clean.replacen(
        "2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "2.重复申请 | -1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        1,
    );
    assert_ne!(neg, clean);
    let p = write(&dir, "neg.txt", neg);
    let (_, v) = common::json(&[os(&p)]);
    assert!(
        common::findings(&v).iter().any(|(c, _)| c == "RL116"),
        "{v}"
    );
    let big = clean.replacen(
        "2.重复申请 | 1 |",
        "2.重复申请 | 1234567890123456789012345678901234567890 |",
        1,
    );
    let p = write(&dir, "big.txt", big);
    let (_, v) = common::json(&[os(&p)]);
    let codes = common::findings(&v);
    assert!(codes.iter().any(|(c, _)| c == "RL117"), "{codes:?}");
    assert!(
        !codes.iter().any(|(c, _)| c == "RL106"),
        "the row is present, not missing: {codes:?}"
    );
}

#[test]
fn a_finding_on_a_twenty_megabyte_line_shows_a_window() {
    let dir = common::scratch("hostile_long_line");
    let base = std::fs::read_to_string(common::example()).unwrap();
    let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
    // The preamble (line 5) holds a finding; pad it to about 20 MB on both sides.
    lines[4] = format!(
        "{}{}{}",
        "正文。".repeat(1_000_000),
        lines[4],
        "正文。".repeat(1_200_000)
    );
    let p = write(&dir, "long.txt", lines.join("\n"));
    let run = guarded(&[os(&p)]);
    assert!(run.stdout.contains("warning[GI18-S001]"), "{}", run.stdout);
    assert!(
        run.stdout.contains(":5:3000"),
        "the column is the file's: {}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(run.stdout.len() < 50_000, "{} bytes", run.stdout.len());
}

/// Lines that repeat one piece of a report tens of thousands of times, without an end mark:
/// each once took time growing with the square of its length (a run of spaces in the heading
/// reader; a topic or `unless` word searched again in the sentence up to every clause; term
/// hits compared pairwise; facts checked for overlap against every earlier one; every term of a
/// clause scanned for each of its figures; the clause searched again for each figure; an HTML
/// entity's `;` looked for up to the end of the text; every paragraph, table and heading
/// scanned for each part; every heading and paragraph scanned for each table's caption). Each is read and checked like any
/// report, next to the example; the watchdog is the only clock.
#[test]
fn long_repetitive_lines_are_read_in_linear_time() {
    let dir = common::scratch("hostile_repeats");
    let base = std::fs::read_to_string(common::example()).unwrap();
    let pieces = [
        ("spaces", " ".repeat(600_000)),
        ("enumerators", "（一）".repeat(60_000)),
        ("terms", "行政复议".repeat(60_000)),
        ("dates", "2018年1月1日".repeat(40_000)),
        ("figures", "收到行政复议3件，".repeat(30_000)),
        ("negations", "未发生行政复议".repeat(30_000)),
    ];
    let mut files = Vec::new();
    for (name, piece) in &pieces {
        let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
        lines[6] = format!("{}{piece}{}", &lines[6], &lines[6]);
        files.push(write(&dir, &format!("{name}.txt"), lines.join("\n")));
    }
    // The 2021 form's prose fields: many figures and terms in one clause.
    let base_2021 = std::fs::read_to_string(common::fixture("2021-clean.txt")).unwrap();
    for (name, piece) in [
        ("of-which", "其中行政复议3件"),
        ("shares", "占比3%"),
        ("wholes", "行政复议被纠错3件"),
        ("parts", "由六个部分组成"),
        // Many lines: parts, each with a table; tables with captions.
        (
            "parts-with-tables",
            "\n二、主动公开政府信息情况\n| 收到申请数 | 1 |\n",
        ),
        (
            "captions",
            "\n行政复议情况\n| 结果维持 | 结果纠正 |\n| 1 | 2 |\n",
        ),
    ] {
        let mut lines: Vec<String> = base_2021.lines().map(str::to_string).collect();
        let at = lines.len() / 2;
        lines[at] = format!("{}{}", &lines[at], piece.repeat(20_000));
        files.push(write(&dir, &format!("{name}.txt"), lines.join("\n")));
    }
    files.push(write(
        &dir,
        "ampersands.html",
        format!(
            "<html><body><p>2018年度政府信息公开工作年度报告</p><p>{}</p></body></html>",
            "&".repeat(600_000)
        ),
    ));
    let example = common::example();
    let mut args: Vec<&std::ffi::OsStr> = files.iter().map(|p| os(p)).collect();
    args.push(example.as_os_str());
    let run = guarded(&args);
    assert!(matches!(run.code, Some(0..=2)), "{}", run.all());
    assert!(!run.all().contains("panicked"), "{}", run.all());
    for f in &files {
        let name = f.display().to_string();
        assert!(
            run.stdout.contains(&name),
            "{name} not reported: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("of 14"), "{}", run.stdout);
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("report-lint");
    let rules_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut child = Command::new(&bin)
        .args(["rules", "check"])
        .arg(rules_dir.join("2018.toml"))
        .arg(rules_dir.join("2019.toml"))
        .arg(rules_dir.join("2021.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.code().is_some(), "{:?}", out.status);
}

#[test]
fn the_config_file_raises_a_limit_and_bad_ones_point_into_it() {
    let dir = common::scratch("hostile_config");
    let page = format!(
        "<html><body>{}<p>2023年度政府信息公开工作年度报告</p>{}</body></html>",
        "<span>".repeat(600),
        "</span>".repeat(600)
    );
    let p = write(&dir, "deep.html", page);
    let run = guarded_in(&[os(&p)], Some(&dir));
    assert!(run.stdout.contains("html_depth"), "{}", run.stdout);
    write(&dir, "report-lint.toml", "[limits]\nhtml_depth = 1000\n");
    let run = guarded_in(&[os(&p)], Some(&dir));
    assert!(!run.stdout.contains("html_depth"), "{}", run.stdout);
    let bad = write(&dir, "bad.toml", "[limits]\nhtml_dept = 1000\n");
    let run = guarded(&[os(Path::new("--config")), os(&bad), os(&p)]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("bad.toml:2:1"), "{}", run.stderr);
    assert!(run.stderr.contains("html_depth"), "{}", run.stderr);
    let run = guarded(&[os(Path::new("--limit")), os(Path::new("nope=1")), os(&p)]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("unknown limit"), "{}", run.stderr);
}

#[test]
fn a_file_far_larger_than_any_report_is_refused_with_the_reason() {
    let dir = common::scratch("hostile_too_large");
    let p = dir.join("huge.txt");
    // A sparse file: its size is read from the file system, nothing is loaded.
    let f = std::fs::File::create(&p).expect("create");
    f.set_len(report_lint::limits::Limits::default().input_bytes + 1)
        .expect("size");
    drop(f);
    let run = guarded(&[os(&p), os(&common::example())]);
    failed_alone(&run, &p, &["文件过大", "input_bytes"]);
}

#[test]
fn a_rule_file_with_many_errors_shows_the_first_and_counts_the_rest() {
    let dir = common::scratch("hostile_many_errors");
    let rules: String = (0..60)
        .map(|i| {
            format!(
                "[[rule]]\nid = \"X{i}\"\nname = \"x{i}\"\nseverity = \"error\"\ncheck = \"nope{i} == 1\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
            )
        })
        .collect();
    let p = write(
        &dir,
        "many.toml",
        format!("[ruleset]\nid = \"x\"\ntitle = \"x\"\n{rules}"),
    );
    let run = guarded(&[os(Path::new("rules")), os(Path::new("check")), os(&p)]);
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stderr.matches("error[RF003]").count(),
        50,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("and 10 more error(s) not shown"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("60 error(s) in the rule file"),
        "{}",
        run.stderr
    );
}
