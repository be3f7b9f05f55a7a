//! Any text as one check expression, evaluated against the bundled example's facts with the
//! names of the 2018 rule set: parse, resolve, type and evaluation errors are values, never
//! panics or stack overflows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::diagnostic::Lang;
use std::sync::OnceLock;

struct Ready {
    sets: Vec<report_lint::rules::RuleSet>,
    facts: report_lint::facts::FactSet,
}

fn ready() -> &'static Ready {
    static READY: OnceLock<Ready> = OnceLock::new();
    READY.get_or_init(|| {
        let sets = report_lint::rules::builtin().expect("built-in rules load");
        let example = include_str!("../../examples/yuqian-2018.txt");
        let src = report_lint::source::decode("yuqian-2018.txt", example.as_bytes())
            .expect("example decodes");
        let report = report_lint::document::parse(&src);
        let (facts, _) = report_lint::facts::bind(&src, &report, &sets[0].fields, Lang::Zh);
        Ready { sets, facts }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(expr) = std::str::from_utf8(data) else {
        return;
    };
    let r = ready();
    let _ = report_lint::rules::evaluate_str(&r.sets[0], &r.facts, expr);
});
