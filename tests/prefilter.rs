//! The ways a run saves compiling and searching patterns are never wrong, on every sentence of
//! every real report: the literal prefilter (`LazyRegex::may_match`, `excludes`, and the
//! `LiteralIndex` that asks it of many patterns at once) never hides a match, and the small
//! regex engine a pattern starts on finds exactly what the full engine finds.

mod common;

use report_lint::facts::spec::LazyRegex;
use report_lint::rules::RuleSet;

/// Every pattern of the built-in sets: prose fields, report fields, wording and outline.
fn builtin_patterns(sets: &[RuleSet]) -> Vec<&LazyRegex> {
    let mut patterns: Vec<&LazyRegex> = Vec::new();
    for rs in sets {
        for p in &rs.fields.prose {
            patterns.extend(p.terms.iter().chain(&p.claims).chain(&p.zero));
            patterns.extend(p.unless.iter().chain(&p.narrow));
            patterns.extend(p.patterns.iter().map(|x| &x.regex));
        }
        for r in &rs.fields.report {
            for s in &r.sources {
                patterns.extend(s.patterns.iter().map(|x| &x.regex));
            }
        }
        patterns.extend(rs.fields.wording.doubled.iter());
        patterns.extend(rs.fields.wording.confusions.iter().map(|(r, _)| r));
        patterns.extend(rs.fields.outline.subtopics.iter());
    }
    patterns
}

/// The normalised text of every sentence of every real text report, and (with `whole`) of each
/// report as a whole.
fn real_texts(whole: bool) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for e in std::fs::read_dir(common::fixture("real"))
        .unwrap()
        .flatten()
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "txt") {
            let src = report_lint::source::read_path(&p).unwrap();
            let report = report_lint::document::parse(&src);
            if whole {
                texts.push(report_lint::document::NormText::new(&src.text, 0).text);
            }
            for para in &report.paragraphs {
                for s in &para.sentences {
                    let n = report_lint::document::NormText::new(&src.text[s.span.range()], 0);
                    texts.push(n.text);
                }
            }
        }
    }
    assert!(texts.len() > 200);
    texts
}

#[test]
fn the_prefilter_never_hides_a_match() {
    let sets = report_lint::rules::builtin().expect("built-in sets load");
    let patterns = builtin_patterns(&sets);
    assert!(patterns.len() > 100, "{}", patterns.len());
    let texts = real_texts(false);
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

/// The literal index (one pass over a sentence for many patterns) says exactly what each
/// pattern's own prefilter says: a pattern it leaves out cannot match.
#[test]
fn the_literal_index_agrees_with_each_pattern() {
    let sets = report_lint::rules::builtin().expect("built-in sets load");
    let patterns = builtin_patterns(&sets);
    let index = report_lint::matcher::LiteralIndex::new(patterns.iter().copied());
    let texts = real_texts(false);
    let (mut out, mut left_out) = (Vec::new(), 0);
    for t in &texts {
        index.may_match(t, &mut out);
        assert_eq!(out.len(), patterns.len());
        for (r, &may) in patterns.iter().zip(&out) {
            assert_eq!(may, !r.excludes(t), "{} on {t}", r.source());
            if !may {
                left_out += 1;
                assert!(!r.is_match(t), "{} hides a match in {t}", r.source());
            }
        }
    }
    assert!(left_out * 2 > texts.len() * patterns.len(), "{left_out}");
}

/// The small engine a pattern starts on (`regex-lite`) finds exactly the matches and groups
/// the full engine finds: every built-in pattern it may serve, on every sentence of every real
/// report, and on the whole text of each.
#[test]
fn both_engines_find_the_same_matches() {
    let sets = report_lint::rules::builtin().expect("built-in sets load");
    let patterns = builtin_patterns(&sets);
    let texts = real_texts(true);
    let (mut served, mut matched) = (0, 0);
    for r in &patterns {
        if !r.lite_capable() {
            continue;
        }
        served += 1;
        for t in &texts {
            let (full, lite) = r.both_engines(t).expect("served by both");
            matched += full.len();
            assert_eq!(full, lite, "{} differs on {t}", r.source());
        }
    }
    // Most built-in patterns are served by the small engine first, and they do match.
    assert!(
        served * 10 > patterns.len() * 8,
        "{served} of {}",
        patterns.len()
    );
    assert!(matched > 1000, "{matched}");
}
