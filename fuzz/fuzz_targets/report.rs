//! Any bytes as a report: decoded, parsed, bound and checked with the built-in rule sets. The
//! linter must never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::diagnostic::Lang;
use std::sync::OnceLock;

fn sets() -> &'static report_lint::rules::Sets {
    static SETS: OnceLock<report_lint::rules::Sets> = OnceLock::new();
    SETS.get_or_init(|| {
        report_lint::rules::builtin()
            .expect("built-in rules load")
            .into()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = report_lint::source::decode("fuzz.txt", data) {
        let r = report_lint::check_source(src, sets(), false, Lang::Zh);
        let _ = report_lint::render::json::render(&[r]);
    }
});
