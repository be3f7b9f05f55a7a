//! Any bytes as the XML of a Word document, packed in a real .docx archive (random bytes are
//! almost never a ZIP archive): reading paragraphs, numbering and tables never panics, and every
//! place found lies in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    // The first part is the numbering XML, the rest the document XML.
    let split = data.iter().position(|&b| b == 0).unwrap_or(0);
    let (numbering, document) = data.split_at(split);
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("word/numbering.xml", opts).unwrap();
        z.write_all(numbering).unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(document).unwrap();
        z.finish().unwrap();
    }
    let bytes = out.into_inner();
    if let Ok(src) = report_lint::source::decode("fuzz.docx", &bytes) {
        let origin = src.places.as_ref().expect("a .docx gives its places");
        for at in [0, src.text.len() / 2, src.text.len()] {
            let _ = origin.place(at);
        }
        let _ = report_lint::document::parse(&src);
    }
});
