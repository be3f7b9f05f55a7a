//! Nothing panics on any input: damaged copies of the example, random text, random rule
//! expressions, through the library. Each run must still produce a result that names the file.
//! The hostile inputs that once crashed, exhausted or hung the binary are in `hostile.rs`.

mod common;

use report_lint::diagnostic::Lang;
use report_lint::rules::dsl::parse::parse;
use report_lint::{check_source, render, source, FileStatus};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn sets() -> &'static report_lint::rules::Sets {
    static SETS: std::sync::OnceLock<report_lint::rules::Sets> = std::sync::OnceLock::new();
    SETS.get_or_init(|| report_lint::rules::builtin().unwrap().into())
}

/// The first built-in set alone.
fn first_set() -> &'static report_lint::rules::Sets {
    static SETS: std::sync::OnceLock<report_lint::rules::Sets> = std::sync::OnceLock::new();
    SETS.get_or_init(|| vec![report_lint::rules::builtin().unwrap().remove(0)].into())
}

fn check_text(name: &str, text: &str) -> String {
    let sets = sets();
    let report = match source::decode(name, text.as_bytes()) {
        Ok(src) => check_source(src, sets, false, Lang::Zh),
        Err(e) => return e.to_string(),
    };
    let mut buf = codespan_reporting::term::termcolor::Buffer::no_color();
    render::human::emit(&mut buf, std::slice::from_ref(&report), true).unwrap();
    let _ = render::json::render(std::slice::from_ref(&report));
    String::from_utf8(buf.into_inner()).unwrap()
}

#[test]
fn damaged_copies_of_the_example_never_panic() {
    let base = std::fs::read_to_string(common::example()).unwrap();
    let pieces = [
        "|",
        "| |",
        "\n",
        "一、",
        "（一）",
        "１２",
        "十二",
        "?",
        "</span>",
        "2019年12月31日",
        "——",
        "\u{FFFD}",
        "0.5万",
        "\r\n",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..150 {
        let mut text = base.clone();
        for _ in 0..1 + rng.below(12) {
            let mut at = rng.below(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => text.insert_str(at, pieces[rng.below(pieces.len())]),
                1 => {
                    let mut end = (at + rng.below(200)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => text.truncate(at),
            }
        }
        let out = check_text(&format!("case{round}.txt"), &text);
        assert!(
            out.contains(&format!("case{round}.txt")) || out.contains("empty"),
            "round {round}: {out}"
        );
    }
}

#[test]
fn reports_without_tables_or_structure_are_handled() {
    for text in [
        "2018年度政府信息公开工作报告\n没有表格。",
        "|||\n|a|b|\n",
        "一、\n（一）\n1.",
        "x",
        "统计数 | 单位\n",
    ] {
        let src = source::decode("t.txt", text.as_bytes()).unwrap();
        let r = check_source(src, first_set(), true, Lang::En);
        assert!(matches!(r.status, FileStatus::Checked { .. }), "{text:?}");
        if text.starts_with("2018") {
            assert!(
                r.diagnostics.iter().any(|d| d.code == "RL107"),
                "the missing table is reported"
            );
            assert!(
                r.rules
                    .iter()
                    .all(|x| x.status != report_lint::RuleStatus::Failed
                        || x.id.starts_with("GI18-S"))
            );
        }
    }
}

#[test]
fn random_expressions_parse_or_fail_with_a_span_inside_the_text() {
    let atoms = [
        "table.a",
        "prose.b.*",
        "1",
        "2.5",
        "\"s\"",
        "true",
        "sum(",
        ")",
        "(",
        "+",
        "-",
        "*",
        "/",
        "==",
        "<=",
        "and",
        "or",
        "not",
        "??",
        ",",
        "行政复议",
        "max(x, y)",
        " ",
    ];
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let n = 1 + rng.below(12);
        let src: String = (0..n)
            .map(|_| atoms[rng.below(atoms.len())])
            .collect::<Vec<_>>()
            .join(" ");
        if let Err(e) = parse(&src) {
            assert!(
                e.span.start <= src.len() && e.span.end <= src.len(),
                "{src:?}: {e:?}"
            );
            assert!(
                src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end),
                "{src:?}"
            );
            assert!(!e.message.is_empty());
        }
    }
}
