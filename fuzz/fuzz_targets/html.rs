//! Any text as an HTML page: the extraction of its visible text and tables never panics, never
//! recurses with the page's depth, and maps every byte of the text back into the page.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    if let Ok(h) = report_lint::source::html::extract(&raw) {
        assert_eq!(h.map.len(), h.text.len() + 1);
        assert!(h.map.iter().all(|&o| o as usize <= raw.len()));
    }
});
