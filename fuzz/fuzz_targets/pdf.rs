//! Any bytes after a PDF header: reading the text layer never panics out of the reader (a
//! malformed file is an error value), and a PDF that reads gives places inside its text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend_from_slice(data);
    if let Ok(src) = report_lint::source::decode("fuzz.pdf", &bytes) {
        let places = src.places.as_ref().expect("a PDF gives its places");
        let _ = places.place(src.text.len() / 2);
        let _ = report_lint::document::parse(&src);
    }
});
