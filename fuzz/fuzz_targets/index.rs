//! Any bytes as a file of a batch being indexed (the cheap reading that pairs reports across
//! years: HTML tags stripped, title block, prose sketch), twice, then paired: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = report_lint::source::decode_for_index("", data) else {
        return;
    };
    let e = report_lint::corpus::Entry::of(&src);
    assert!(e.sketch.len() <= report_lint::corpus::SKETCH);
    let b = report_lint::corpus::Batch::of(&[e.clone(), e]);
    let _ = b.previous(0);
    let _ = b.similar(1).count();
});
