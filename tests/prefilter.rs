//! The literal prefilter that lets a run skip compiling patterns (`LazyRegex::may_match`, `excludes`) never
//! hides a match: on every sentence of every real report, a built-in pattern that matches is
//! one the prefilter lets through.

mod common;

use report_lint::facts::spec::LazyRegex;

#[test]
fn the_prefilter_never_hides_a_match() {
    let sets = report_lint::rules::builtin().expect("built-in sets load");
    let mut patterns: Vec<&LazyRegex> = Vec::new();
    for rs in &sets {
        for p in &rs.fields.prose {
            patterns.extend(p.terms.iter().chain(&p.claims).chain(&p.zero));
            patterns.extend(p.patterns.iter().map(|x| &x.regex));
        }
    }
    assert!(patterns.len() > 100, "{}", patterns.len());
    let mut texts: Vec<String> = Vec::new();
    let dir = common::fixture("real");
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "txt") {
            let src = report_lint::source::read_path(&p).unwrap();
            let report = report_lint::document::parse(&src);
            for para in &report.paragraphs {
                for s in &para.sentences {
                    let n = report_lint::document::NormText::new(&src.text[s.span.range()], 0);
                    texts.push(n.text);
                }
            }
        }
    }
    assert!(texts.len() > 200);
    let (mut skipped, mut checked) = (0, 0);
    for r in &patterns {
        for t in &texts {
            checked += 1;
            if r.excludes(t) {
                skipped += 1;
                assert!(!r.is_match(t), "{} hides a match in {t}", r.source());
            }
        }
    }
    // The prefilter does work: most pattern/sentence pairs are decided without the regex.
    assert!(skipped * 2 > checked, "{skipped} of {checked}");
}
