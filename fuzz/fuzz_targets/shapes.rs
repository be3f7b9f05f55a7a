//! Structure-aware: the fuzzer chooses a shape and its sizes, and the target builds the input
//! that small random bytes would never reach: HTML nested thousands deep or with huge spans,
//! expressions thousands of operators long or deep, `let` chains that double, lines of
//! megabytes with a finding on them, runs of millions of spaces inside a line, a piece of
//! prose repeated tens of thousands of times in one clause. Each is run through the same entry
//! points as real input.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use report_lint::diagnostic::Lang;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
enum Shape {
    /// `<tag>` repeated `depth` times around report text, maybe unclosed.
    Nest { tag: u8, depth: u16, close: bool },
    /// A table whose cells span `rows` × `cols`, `count` of them.
    Spans {
        rows: u8,
        cols: u16,
        count: u16,
        cjk: bool,
    },
    /// `a op a op … a`, `len` operators.
    Chain { op: u8, len: u16 },
    /// `len` nested parentheses or unary operators.
    Deep { unary: bool, len: u16 },
    /// `n` doubling `let`s.
    Doubling { n: u8 },
    /// A report whose preamble line is padded with `pad` sentences on each side.
    LongLine { pad: u32, before: bool },
    /// A report line with a run of `run` spaces (ideographic or not) inside it: every run is
    /// read once, so this stays linear (it was quadratic in the heading reader).
    Blanks { run: u32, wide: bool, line: u8 },
    /// A piece of report prose repeated `n` times on one line of a 2021-form report, without an
    /// end mark: every per-clause and per-figure step stays linear in the line.
    Repeat { piece: u8, n: u16, base_2021: bool },
}

const PIECES: &[&str] = &[
    "（一）",
    "行政复议",
    "2023年1月1日",
    "收到行政复议3件，",
    "未发生行政复议",
    "其中行政复议3件",
    "占比3%",
    "行政复议被纠错3件",
    "由六个部分组成",
    "&",
    "信息公开",
    "\n二、主动公开政府信息情况\n| 收到申请数 | 1 |\n",
    "\n行政复议情况\n| 结果维持 | 结果纠正 |\n| 1 | 2 |\n",
];

const TAGS: &[&str] = &[
    "span", "div", "table", "td", "p", "b", "font", "li", "tr", "o:p", "template",
];
const OPS: &[&str] = &["+", "-", "*", "/", "and", "or", "??", "=="];

fn sets() -> &'static report_lint::rules::Sets {
    static SETS: OnceLock<report_lint::rules::Sets> = OnceLock::new();
    SETS.get_or_init(|| {
        report_lint::rules::builtin()
            .expect("built-in rules load")
            .into()
    })
}

fn lint(name: &str, bytes: &[u8]) {
    if let Ok(src) = report_lint::source::decode(name, bytes) {
        let r = report_lint::check_source(src, sets(), false, Lang::Zh);
        let mut buf = codespan_reporting::term::termcolor::Buffer::no_color();
        let _ = report_lint::render::human::emit(&mut buf, std::slice::from_ref(&r), true);
        let out = String::from_utf8_lossy(buf.as_slice()).into_owned();
        assert!(!out.contains('\u{1b}'), "a raw ESC in the output");
    }
}

fn rule_file(check: &str, lets: &str) {
    let text = format!(
        "[ruleset]\nid = \"x\"\ntitle = \"x\"\nextends = [\"builtin:common-2019\"]\n[let]\n{lets}\n[[rule]]\nid = \"X1\"\nname = \"x\"\nseverity = \"error\"\ncheck = \"{check}\"\nmessage = \"m\"\nmessage_en = \"m\"\n"
    );
    if let Ok(rs) = report_lint::rules::load("shape.toml", &text) {
        let example = include_str!("../../tests/fixtures/2021-clean.txt");
        if let Ok(src) = report_lint::source::decode("clean.txt", example.as_bytes()) {
            let _ = report_lint::check_with(src, &rs, String::new(), Lang::En);
        }
    }
}

fuzz_target!(|shape: Shape| {
    match shape {
        Shape::Nest { tag, depth, close } => {
            let tag = TAGS[usize::from(tag) % TAGS.len()];
            let depth = usize::from(depth) % 6000;
            let mut page = format!("<html><body>{}", format!("<{tag}>").repeat(depth));
            page.push_str("<p>2023年度政府信息公开工作年度报告</p><p>一、总体情况。正文。</p>");
            if close {
                page.push_str(&format!("</{tag}>").repeat(depth));
            }
            lint("nest.html", page.as_bytes());
        }
        Shape::Spans {
            rows,
            cols,
            count,
            cjk,
        } => {
            let cell = format!(
                "<td rowspan={} colspan={}>{}</td>",
                rows,
                cols % 2000,
                if cjk { "一" } else { "1" }
            );
            let n = usize::from(count) % 3000;
            let page = format!(
                "<html><body><div><p>2023年度政府信息公开工作年度报告</p><table><tr>{}</tr><tr>{}</tr></table></div></body></html>",
                cell.repeat(n / 2),
                cell.repeat(n - n / 2)
            );
            lint("spans.html", page.as_bytes());
        }
        Shape::Chain { op, len } => {
            let op = OPS[usize::from(op) % OPS.len()];
            let terms = vec!["table.new[total]"; usize::from(len) % 3000 + 1];
            rule_file(&format!("({}) == 1", terms.join(&format!(" {op} "))), "");
        }
        Shape::Deep { unary, len } => {
            let n = usize::from(len) % 3000;
            let check = if unary {
                format!("{}1 == 1", "- ".repeat(n))
            } else {
                format!("{}1{} == 1", "(".repeat(n), ")".repeat(n))
            };
            rule_file(&check, "");
        }
        Shape::Doubling { n } => {
            let n = usize::from(n) % 64;
            let lets: String = (0..n)
                .map(|i| format!("l{} = \"l{i} + l{i}\"\n", i + 1))
                .collect();
            rule_file(
                &format!("l{n} == 1"),
                &format!("l0 = \"report.period.year\"\n{lets}"),
            );
        }
        Shape::LongLine { pad, before } => {
            let base = include_str!("../../examples/yuqian-2018.txt");
            let pad = "正文。".repeat((pad % 400_000) as usize);
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            lines[4] = if before {
                format!("{pad}{}", lines[4])
            } else {
                format!("{}{pad}", lines[4])
            };
            lint("long.txt", lines.join("\n").as_bytes());
        }
        Shape::Blanks { run, wide, line } => {
            let base = include_str!("../../examples/yuqian-2018.txt");
            let blank = if wide { "\u{3000}" } else { " " };
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            let at = usize::from(line) % lines.len();
            let mid = lines[at].char_indices().nth(2).map_or(0, |(i, _)| i);
            let run = blank.repeat((run % 2_000_000) as usize);
            lines[at].insert_str(mid, &run);
            lint("blanks.txt", lines.join("\n").as_bytes());
        }
        Shape::Repeat { piece, n, base_2021 } => {
            let base = if base_2021 {
                include_str!("../../tests/fixtures/2021-clean.txt")
            } else {
                include_str!("../../examples/yuqian-2018.txt")
            };
            let piece = PIECES[usize::from(piece) % PIECES.len()];
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            let at = lines.len() / 2;
            lines[at].push_str(&piece.repeat(usize::from(n)));
            lint("repeat.txt", lines.join("\n").as_bytes());
        }
    }
});
