//! Any bytes as a `--regions` file, then the mapping applied to a small batch's entries:
//! errors are values naming the place, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use report_lint::corpus::{Batch, Entry, RegionMap};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(map) = RegionMap::parse(text) else {
        return;
    };
    let files: Vec<std::path::PathBuf> = ["a.txt", "洪泽区/b.txt", "c.html"]
        .iter()
        .map(std::path::PathBuf::from)
        .collect();
    let entries = vec![
        Entry {
            name: Some("淮安市洪泽区人民政府".into()),
            key: Some("洪泽区人民政府".into()),
            year: Some(2024),
            place: Some("洪泽区".into()),
            summary: true,
            ..Entry::default()
        },
        Entry {
            name: Some("洪泽区教育局".into()),
            key: Some("洪泽区教育局".into()),
            year: Some(2024),
            place: Some("洪泽区".into()),
            ..Entry::default()
        },
        Entry::default(),
    ];
    let batch = Batch::of(&entries).with_regions(&map, &files, &entries);
    for i in 0..files.len() {
        let _ = batch.region(i);
    }
});
