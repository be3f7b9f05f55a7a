//! Wording statements: doubled words, clauses cut off mid-word, Latin punctuation between
//! Chinese characters, known confusions, the publisher's place name spelt two ways, and the
//! publisher named differently in the title and the signature. The lists come from the rule
//! file (`[wording]`); each finding is a *statement* (`wording.KEY`) labelled on the words, and
//! rules decide how badly it counts.

use super::spec::WordingSpec;
use super::{one_line as words, BoundBy, Fact, FactSet, Sentences};
use crate::document::normalize::is_han;
use crate::document::{publisher, Report};
use crate::matcher::LazyRegex;
use crate::span::Span;

/// The wording statements, with their display titles (for the rule loader and `dump`).
pub const STATEMENTS: &[(&str, &str)] = &[
    ("wording.doubled", "字词重复"),
    ("wording.cut_off", "语句残缺"),
    ("wording.latin_punctuation", "中文句中使用西文标点"),
    ("wording.confusion", "易混用词"),
    ("wording.place_spelling", "本机关地名前后写法不一"),
    ("wording.publisher_names", "发布机关名称前后不一"),
];

/// Most statements of one kind per report: a report converted with the wrong punctuation
/// throughout is one problem, not hundreds.
const MAX_PER_KIND: usize = 20;

fn statement(span: Span, value: String) -> Fact {
    Fact::statement(span, value, BoundBy::Pattern)
}

/// Characters that end a clause.
fn ends_clause(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '；' | '：' | '！' | '？' | '、' | ',' | ';' | ':' | '!' | '?'
    )
}

/// The characters of a text without white space, with their byte offsets in the source, into
/// a buffer reused across sentences.
fn visible_into(text: &str, base: usize, out: &mut Vec<(usize, char)>) {
    out.clear();
    out.extend(
        text.char_indices()
            .filter(|(_, c)| !c.is_whitespace() && *c != '\u{3000}')
            .map(|(i, c)| (base + i, c)),
    );
}

fn end_of(ch: &[(usize, char)], i: usize) -> usize {
    ch[i].0 + ch[i].1.len_utf8()
}

/// Binds the wording statements of a report.
pub fn bind(
    text: &str,
    report: &Report,
    spec: &WordingSpec,
    sentences: &Sentences,
    facts: &mut FactSet,
) {
    if !spec.enabled {
        return;
    }
    let mut out: Vec<(&str, Fact)> = Vec::new();
    let mut latin: Vec<Span> = Vec::new();
    let mut buf: Vec<(usize, char)> = Vec::new();
    // The patterns that may match in some sentence (each is searched in the sentences'
    // normalised text, so its literals are looked for there): most reports have none, and
    // then no sentence is searched for them.
    let joined = sentences.joined_norms();
    let doubled_res: Vec<&LazyRegex> = spec
        .doubled
        .iter()
        .filter(|re| re.may_match(joined))
        .collect();
    let confusions: Vec<&(LazyRegex, String)> = spec
        .confusions
        .iter()
        .filter(|(re, _)| re.may_match(joined))
        .collect();
    for (i, at) in sentences.spans.iter().enumerate() {
        let sp = at.span();
        let Some(s) = text.get(sp.range()) else {
            continue;
        };
        visible_into(s, sp.start, &mut buf);
        let ch = &buf[..];
        // Lines of a table's header extracted from a PDF are no sentence: prose has clauses.
        if s.contains(['，', '。', '；']) {
            doubled(text, ch, spec, &mut out);
        }
        cut_off(text, ch, spec, &mut out);
        latin_punctuation(ch, &mut latin);
        if doubled_res.is_empty() && confusions.is_empty() {
            continue;
        }
        let norm = sentences.norm(i);
        // Each pattern's matches in the sentence, as statements of `field` in the words written.
        let mut matches = |re: &LazyRegex, field: &'static str, show: &dyn Fn(String) -> String| {
            if re.may_match(norm.text) {
                for m in re.find_iter(norm.text) {
                    let span = norm.orig_span(m.start(), m.end());
                    out.push((field, statement(span, show(words(&text[span.range()])))));
                }
            }
        };
        for re in &doubled_res {
            matches(re, "wording.doubled", &|w| w);
        }
        for (re, right) in &confusions {
            matches(re, "wording.confusion", &|w| format!("{w} → {right}"));
        }
    }
    if let Some(first) = latin.first() {
        let shown = words(text.get(first.range()).unwrap_or_default());
        let value = if latin.len() > 1 {
            format!("{shown} (+{})", latin.len() - 1)
        } else {
            shown
        };
        out.push(("wording.latin_punctuation", statement(*first, value)));
    }
    if report.title.is_some() {
        // The title's and the signature's names (the preamble's would cost a normalisation of
        // the report's head for a name that abbreviates the others nearly always).
        let p = publisher::find_pairing(text, report);
        // Both characters of a look-alike pair in the text: only then can a name be spelt both ways.
        if spec
            .lookalikes
            .iter()
            .any(|&(a, b)| text.contains(a) && text.contains(b))
        {
            place_spelling(text, &p, spec, &mut out);
        }
        publisher_names(&p, &mut out);
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (key, fact) in out {
        let n = counts.entry(key).or_default();
        *n += 1;
        if *n <= MAX_PER_KIND {
            facts.text.entry(key.to_string()).or_default().push(fact);
        }
    }
}

/// A word of two to four Han characters written twice in a row (`资金资金`).
fn doubled(text: &str, ch: &[(usize, char)], spec: &WordingSpec, out: &mut Vec<(&str, Fact)>) {
    let mut i = 0;
    while i < ch.len() {
        let mut hit = None;
        for len in (2..=4).rev() {
            if i + 2 * len > ch.len() {
                continue;
            }
            let a = &ch[i..i + len];
            let b = &ch[i + len..i + 2 * len];
            if !a.iter().zip(b).all(|(x, y)| x.1 == y.1) {
                continue;
            }
            // `二零二零年`: a year in numerals repeats its digits, not a word.
            let han = a.iter().all(|x| is_han(x.1))
                && !a
                    .iter()
                    .all(|x| "零〇一二三四五六七八九十百千万亿两".contains(x.1));
            let one_char = a.iter().all(|x| x.1 == a[0].1);
            // Written together, or wrapped at a line's end; not spaced apart (PDF columns).
            let gaps_ok = ch[i..i + 2 * len].windows(2).all(|w| {
                let gap = text.get(w[0].0 + w[0].1.len_utf8()..w[1].0).unwrap_or(" ");
                gap.is_empty() || gap == "\n" || gap == "\r\n"
            });
            if !han || !gaps_ok || one_char || a[0].1 == '一' {
                continue;
            }
            let word: String = a.iter().map(|x| x.1).collect();
            let twice = format!("{word}{word}");
            if spec.repeat_ok.iter().any(|ok| *ok == twice || *ok == word) {
                continue;
            }
            hit = Some(len);
            break;
        }
        match hit {
            Some(len) => {
                let span = Span::new(ch[i].0, end_of(ch, i + 2 * len - 1));
                out.push((
                    "wording.doubled",
                    statement(span, words(&text[span.range()])),
                ));
                i += 2 * len;
            }
            None => i += 1,
        }
    }
}

/// A clause that ends in a character that begins a word (`审查管，` for 审查管理).
fn cut_off(text: &str, ch: &[(usize, char)], spec: &WordingSpec, out: &mut Vec<(&str, Fact)>) {
    if spec.cut_off.is_empty() {
        return;
    }
    let mut start = 0;
    for i in 0..=ch.len() {
        let at_end = i == ch.len() || ends_clause(ch[i].1);
        if !at_end {
            continue;
        }
        let clause = &ch[start..i];
        start = i + 1;
        let han = clause.iter().filter(|x| is_han(x.1)).count();
        let [.., (_, prev), (_, last)] = clause else {
            continue;
        };
        if han < 4 || !is_han(*prev) {
            continue;
        }
        let Some((_, whole)) = spec.cut_off.iter().find(|(c, _)| c == last) else {
            continue;
        };
        let tail: String = clause.iter().map(|x| x.1).collect();
        if whole.iter().any(|w| tail.ends_with(w.as_str())) {
            continue;
        }
        let from = clause.len().saturating_sub(3);
        let span = Span::new(clause[from].0, end_of(clause, clause.len() - 1));
        out.push((
            "wording.cut_off",
            statement(span, words(&text[span.range()])),
        ));
    }
}

/// `,` `;` `:` `!` `?` `(` `)` between Han characters.
fn latin_punctuation(ch: &[(usize, char)], out: &mut Vec<Span>) {
    for i in 1..ch.len().saturating_sub(1) {
        if matches!(ch[i].1, ',' | ';' | ':' | '!' | '?' | '(' | ')')
            && is_han(ch[i - 1].1)
            && is_han(ch[i + 1].1)
        {
            out.push(Span::new(ch[i - 1].0, end_of(ch, i + 1)));
        }
    }
}

/// The publisher's place name written both ways of a look-alike pair (`沭阳` and `沐阳`).
fn place_spelling(
    text: &str,
    p: &publisher::Publisher,
    spec: &WordingSpec,
    out: &mut Vec<(&str, Fact)>,
) {
    let mut seen: Vec<String> = Vec::new();
    for n in &p.names {
        let place = publisher::county(&n.name).unwrap_or_else(|| n.name.clone());
        if seen.contains(&place) {
            continue;
        }
        seen.push(place.clone());
        let chars: Vec<char> = place.chars().collect();
        for (k, c) in chars.iter().enumerate() {
            for &(a, b) in &spec.lookalikes {
                let other = if *c == a {
                    b
                } else if *c == b {
                    a
                } else {
                    continue;
                };
                let mut variant = chars.clone();
                variant[k] = other;
                let variant: String = variant.into_iter().collect();
                let (n1, n2) = (text.matches(&place).count(), text.matches(&variant).count());
                if n1 == 0 || n2 == 0 {
                    continue;
                }
                // The rarer spelling is the slip; on a tie, the one not in the title.
                let odd = if n2 < n1 || (n1 == n2 && n.from == publisher::From::Title) {
                    &variant
                } else {
                    &place
                };
                let usual = if odd == &variant { &place } else { &variant };
                if let Some(at) = text.find(odd.as_str()) {
                    out.push((
                        "wording.place_spelling",
                        statement(
                            Span::new(at, at + odd.len()),
                            format!("{odd} / {usual} ({} / {})", n1.min(n2), n1.max(n2)),
                        ),
                    ));
                    return;
                }
            }
        }
    }
}

/// Whether `short`'s characters occur in `long` in order (an abbreviation: 科委 of 科学技术委员会).
fn abbreviates(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|x| x == c))
}

/// The title and the signature name different bodies.
fn publisher_names(p: &publisher::Publisher, out: &mut Vec<(&str, Fact)>) {
    let Some(title) = p.names.iter().find(|n| n.from == publisher::From::Title) else {
        return;
    };
    let a = publisher::key(&title.name);
    for n in p.names.iter().filter(|n| n.from != publisher::From::Title) {
        let b = publisher::key(&n.name);
        if a.is_empty() || b.is_empty() || abbreviates(&a, &b) || abbreviates(&b, &a) {
            continue;
        }
        out.push((
            "wording.publisher_names",
            statement(n.span, format!("{} / {}", title.name, n.name)),
        ));
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible(text: &str, base: usize) -> Vec<(usize, char)> {
        let mut out = Vec::new();
        visible_into(text, base, &mut out);
        out
    }

    #[test]
    fn abbreviations() {
        assert!(abbreviates("科委", "科学技术委员会"));
        assert!(!abbreviates("泗阳县人民政府", "沭阳县人民政府"));
    }

    #[test]
    fn doubled_words() {
        let spec = WordingSpec {
            enabled: true,
            repeat_ok: vec!["研究研究".into()],
            ..WordingSpec::default()
        };
        let find = |s: &str| {
            let mut out = Vec::new();
            doubled(s, &visible(s, 0), &spec, &mut out);
            out.into_iter().map(|(_, f)| f.raw).collect::<Vec<_>>()
        };
        assert_eq!(find("计划资金资金分配结果"), vec!["资金资金"]);
        assert_eq!(find("计划资金\n资金分配"), vec!["资金资金"]);
        assert!(find("结果 结果 总计").is_empty());
        assert!(find("二零二零年，二零二零年度工作").is_empty());
        assert!(find("一件一件落实，层层压实，研究研究").is_empty());
    }

    #[test]
    fn latin_between_han() {
        let s = "共六部分, 并附表(见附件)，共3,000件";
        let mut out = Vec::new();
        latin_punctuation(&visible(s, 0), &mut out);
        let found: Vec<&str> = out.iter().map(|sp| &s[sp.range()]).collect();
        assert_eq!(found, vec!["分, 并", "表(见"]);
    }
}
