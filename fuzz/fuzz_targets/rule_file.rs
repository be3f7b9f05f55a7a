//! Any text as a rule file: loading reports errors with positions, never panics; a file that
//! loads is run on the bundled example.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::diagnostic::Lang;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rs) = report_lint::rules::load("fuzz.toml", text) {
        let example = include_str!("../../examples/yuqian-2018.txt");
        if let Ok(src) = report_lint::source::decode("yuqian-2018.txt", example.as_bytes()) {
            let _ = report_lint::check_with(src, &rs, String::new(), Lang::En);
        }
    }
});
