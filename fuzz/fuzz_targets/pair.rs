//! Any two texts as this year's and last year's report: reading their publishers, comparing
//! their prose, naming other places and checking one against the other never panics, and
//! every label lies in the report it names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::diagnostic::Lang;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len() / 2);
    let (a, b) = data.split_at(split);
    let b = b.get(1..).unwrap_or_default();
    let (Ok(this), Ok(last)) = (
        report_lint::source::decode("this.txt", a),
        report_lint::source::decode("last.txt", b),
    ) else {
        return;
    };
    let sets = report_lint::rules::Sets::from(report_lint::rules::builtin().unwrap_or_default());
    let Ok(prev) = report_lint::bind_source(last.clone(), &sets, false, Lang::En) else {
        return;
    };
    let other = report_lint::Read::new(last);
    let ctx = report_lint::Context {
        previous: Some(&prev),
        previous_given: true,
        similar: std::slice::from_ref(&other),
        region: None,
    };
    let r = report_lint::check_source_in(this, &sets, false, Lang::En, ctx);
    for d in &r.diagnostics {
        for l in &d.labels {
            let src = r.source_of(l).expect("a label's report is at hand");
            assert!(src.text.get(l.span.range()).is_some(), "{l:?}");
        }
    }
});
