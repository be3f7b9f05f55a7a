//! Any pattern and any text: the small regex engine a pattern starts on finds exactly the
//! matches and groups of the full one (differential), neither panics, and the prefilter never
//! rules out a text the pattern matches in.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::matcher::LazyRegex;

fuzz_target!(|data: &[u8]| {
    let Ok(all) = std::str::from_utf8(data) else {
        return;
    };
    // The pattern, then the text after the first NUL.
    let (pattern, text) = all.split_once('\0').unwrap_or((all, "共收到申请12件，办结10件。"));
    if pattern.len() > 300 || text.len() > 4096 {
        return;
    }
    let r = LazyRegex::new(pattern);
    if let Some((full, lite)) = r.both_engines(text) {
        assert_eq!(full, lite, "pattern {pattern:?} on {text:?}");
    }
    // The literals every match starts with: a text that has none of them has no match.
    if r.excludes(text) {
        if let Ok(full) = LazyRegex::compiled(pattern) {
            assert!(!full.is_match(text), "prefilter of {pattern:?} rules out {text:?}");
        }
    }
    // Through the budgeted path: the first searches on the small engine, then the full one.
    for _ in 0..3 {
        let _ = r.captures_iter(text).count();
        let _ = r.find(text);
    }
});
