//! The floor of reading HTML pages: decode each page and build its HTML5 tree (html5ever, into
//! report-lint's lean tree, as report-lint does), nothing else. `bench/compare.sh` runs it beside
//! report-lint and the Python checker, so the share of a batch's CPU that any conforming HTML
//! reader spends is measured in the same run.
//!
//!     cargo run --release --example html_floor -- DIR

use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: html_floor DIR");
        std::process::exit(2);
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    let mut pages: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("html") || x.eq_ignore_ascii_case("htm"))
        })
        .collect();
    pages.sort();
    let (mut bytes, mut nodes) = (0usize, 0usize);
    for page in &pages {
        let Ok(raw) = std::fs::read(page) else {
            continue;
        };
        bytes += raw.len();
        let text = match std::str::from_utf8(&raw) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => encoding_rs::GB18030.decode(&raw).0,
        };
        nodes += report_lint::source::dom::Dom::parse(&text).len();
    }
    println!("{} pages, {bytes} bytes, {nodes} nodes", pages.len());
}
