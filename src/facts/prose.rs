//! Reading the prose: each sentence is split into clauses (at `，；：`, with bracketed inserts
//! `（含…）` as clauses of their own), and a figure binds to the field whose term its own clause
//! names. The few sentence shapes these reports use are handled as such:
//!
//! - one metric and one figure per clause: `全年共受理政府信息公开申请 3119 件`, `有 1 件涉及…的
//!   行政复议` (the figure may come first);
//! - items of a whole: `行政复议 351 件，其中结果维持 72 件，结果纠正 64 件` — an item field
//!   (`under = ["reviews"]`) binds only after a clause that names its whole, or where its own
//!   clause does (`被行政复议纠错`);
//! - a longer term wins over the terms inside it: `予以公开及部分公开 57 件` is the declared
//!   composite, not 部分公开; a term followed by `等` names an example, not the figure
//!   (`因本机关不掌握等原因无法提供 61 件` is the 无法提供 category); a term followed by `…中`
//!   is the set the clause speaks within (`所有办结的申请中同意公开 9 件`);
//! - negation: a clause with no figure whose term follows `未 / 没有 / 无 / 不涉及` states 0
//!   (`未发生被行政复议纠错的情况` is 0 corrected reviews, not 0 reviews);
//! - claims without a figure (`所有申请均已办理完成`, `均获维持`) are fields of their own;
//! - a figure whose clause names no metric but refers back (`相关案件 74 件`) takes the metric
//!   of the clause before it, as a weaker binding;
//! - a share (`占 98.9%`) is the figure before it over that figure's whole.
//!
//! A figure whose clause names two metrics it could equally belong to binds to neither: the
//! reason is kept for `dump`.

use super::spec::{FieldSpecs, ProseSpec};
use super::{BoundBy, ClauseFigure, ClauseRecord, Fact, FactSet, FactValue, Share};
use crate::document::{NormRef, Report};
use crate::matcher::LazyRegex;
use crate::span::Span;
use crate::units::{Money, MoneyUnit};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Why a figure bound to nothing: its clause names no metric of the form.
pub const NO_METRIC: &str = "its clause names no metric";
/// Why a figure bound to nothing: the metric named before it belongs to the figure before it.
pub const NO_OWN_METRIC: &str = "its own words name no metric (the one before it is taken)";

/// A clause: a byte range of the sentence's normalised text, and whether it is bracketed.
#[derive(Debug, Clone, Copy)]
struct Clause {
    start: usize,
    end: usize,
    bracket: bool,
}

/// Splits a normalised sentence into clauses at `,;:` (not inside a figure such as `1,136`)
/// and around bracketed inserts.
fn clauses(s: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let push = |out: &mut Vec<Clause>, a: usize, b: usize, bracket: bool| {
        let t = s[a..b].trim_matches(|c: char| c.is_whitespace() || "。;,:".contains(c));
        if !t.is_empty() {
            let lead = s[a..b].len()
                - s[a..b]
                    .trim_start_matches(|c: char| c.is_whitespace() || "。;,:".contains(c))
                    .len();
            out.push(Clause {
                start: a + lead,
                end: a + lead + t.len(),
                bracket,
            });
        }
    };
    for (k, &(i, c)) in chars.iter().enumerate() {
        match c {
            '(' => {
                if depth == 0 {
                    push(&mut out, start, i, false);
                    start = i + 1;
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    push(&mut out, start, i, true);
                    start = i + 1;
                }
            }
            ',' | ';' | ':' | '。' => {
                let between_digits = c == ','
                    && k > 0
                    && chars[k - 1].1.is_ascii_digit()
                    && chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit());
                if !between_digits {
                    push(&mut out, start, i, depth > 0);
                    start = i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    push(&mut out, start, s.len(), depth > 0);
    out
}

/// A figure in a clause: its value, unit and byte range in the clause.
#[derive(Debug, Clone)]
struct Figure {
    value: Decimal,
    unit: String,
    start: usize,
    end: usize,
    /// The word that makes the figure approximate (`100 余件`, `近 200 件`, `1.2 万条`).
    approx: Option<String>,
}

fn figure_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| {
        LazyRegex::new(r"(?P<n>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?(?:万|亿)?|[零〇两一二三四五六七八九十百千万]+)(?P<about>余|多)?(?P<u>人次|件|宗|起|条|次|个|篇|项|人|名|期|场|家|户|亿元|万元|元|%)")
    })
}

/// Words before a figure that make it approximate (`近`, `约`, `超过`).
fn approx_before_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| {
        LazyRegex::new(r"(将近|接近|近|大约|约|逾|超过|超|不足|不到|不少于|多于|少于)$")
    })
}

/// Words after a figure that make it approximate (`以上`, `左右`).
fn approx_after_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r"^(以上|以下|左右|上下|之多)"))
}

fn figures(clause: &str) -> Vec<Figure> {
    figure_re()
        .captures_iter(clause)
        .filter_map(|c| {
            let n = c.name("n")?;
            let u = c.name("u")?;
            // 第二十条 is an ordinal, not a count; `-3件` is no count, `1-3件` a range.
            if clause[..n.start()].ends_with(['第', '-', '－', '−', '~', '～']) {
                return None;
            }
            // 一是 / 二季度 are not figures; a Chinese numeral needs a count unit after it.
            let value = crate::numerals::parse_number(n.as_str())?;
            let unit = u.as_str().to_string();
            let before = approx_before_re().find(&clause[..n.start()]);
            let after = approx_after_re().find(&clause[u.end()..]);
            let scaled = MoneyUnit::parse(&unit).is_none()
                && (n.as_str().ends_with('万') || n.as_str().ends_with('亿'));
            let approx = c
                .name("about")
                .map(|m| m.as_str().to_string())
                .or_else(|| before.map(|m| m.as_str().to_string()))
                .or_else(|| after.map(|m| m.as_str().to_string()))
                .or_else(|| scaled.then(|| n.as_str().chars().last().unwrap_or('万').to_string()));
            Some(Figure {
                value,
                unit,
                start: n.start(),
                end: u.end(),
                approx,
            })
        })
        .collect()
}

const COUNT_UNITS: &[&str] = &[
    "件", "宗", "起", "条", "次", "个", "篇", "项", "人", "名", "人次", "期", "场", "家", "户",
];

/// Whether a field takes a figure written in this unit.
fn takes_unit(spec: &ProseSpec, unit: &str) -> bool {
    if !spec.units.is_empty() {
        return spec.units.iter().any(|u| u == unit)
            || (spec.unit.is_some() && MoneyUnit::parse(unit).is_some());
    }
    if spec.unit.is_some() {
        return MoneyUnit::parse(unit).is_some();
    }
    COUNT_UNITS.contains(&unit)
}

/// A term of a field found in a clause.
#[derive(Debug, Clone, Copy)]
struct Hit {
    spec: usize,
    start: usize,
    end: usize,
    /// The term names the set the clause speaks within (`办结的申请中`) or an example (`…等`),
    /// not the figure.
    context_only: bool,
}

/// Words that say a thing did not happen (`未发生`, `没有`, `无`, `未被`, `未收取`, `不涉及`).
/// A bare 未 before a verb (`超时未答复`) is not one: it describes, it does not count.
fn negation_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| {
        LazyRegex::new(r"未(发生|出现|收到|受理|产生|被|收取|有)|没有|无|不涉及|不存在")
    })
}

/// A clause that refers back to the metric of the clause before it: `相关案件`, `上述申请`.
fn anaphora_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r"(相关|上述|前述|以上|此类|该类)的?(案件|申请|事项)"))
}

/// A mention of information disclosure: after it, a sentence speaks of it again.
/// A clause's terms that can take the figures of one unit, ordered for what each figure asks:
/// the nearest terms before it and the nearest after it (per figure, a search instead of a
/// scan of every term: a clause of thousands of figures and terms stays near-linear).
struct UnitHits<'h> {
    unit: String,
    /// Latest end first; terms that end alike in clause order.
    by_end: Vec<&'h Hit>,
    /// Per field: its terms by start (and clause order), with their place in the clause.
    by_spec: Vec<(usize, Vec<(usize, &'h Hit)>)>,
}

impl<'h> UnitHits<'h> {
    fn new(unit: &str, hits: &'h [Hit], specs: &FieldSpecs) -> UnitHits<'h> {
        let fits: Vec<(usize, &Hit)> = hits
            .iter()
            .enumerate()
            .filter(|(_, h)| takes_unit(&specs.prose[h.spec], unit))
            .collect();
        let mut by_end: Vec<&Hit> = fits.iter().map(|&(_, h)| h).collect();
        by_end.sort_by_key(|h| std::cmp::Reverse(h.end));
        let mut by_spec: Vec<(usize, Vec<(usize, &Hit)>)> = Vec::new();
        for &(k, h) in &fits {
            match by_spec.iter_mut().find(|(spec, _)| *spec == h.spec) {
                Some((_, list)) => list.push((k, h)),
                None => by_spec.push((h.spec, vec![(k, h)])),
            }
        }
        for (_, list) in &mut by_spec {
            list.sort_by_key(|&(k, h)| (h.start, k));
        }
        UnitHits {
            unit: unit.to_string(),
            by_end,
            by_spec,
        }
    }

    /// The terms that end by `at`, latest end first.
    fn before(&self, at: usize) -> &[&'h Hit] {
        &self.by_end[self.by_end.partition_point(|h| h.end > at)..]
    }

    /// The first term that starts from `at` of a field not yet `used` (the earliest in the
    /// clause among those starting alike).
    fn after(&self, at: usize, used: &[usize]) -> Option<&'h Hit> {
        self.by_spec
            .iter()
            .filter(|(spec, _)| !used.contains(spec))
            .filter_map(|(_, list)| list.get(list.partition_point(|(_, h)| h.start < at)))
            .min_by_key(|&&(k, h)| (h.start, k))
            .map(|&(_, h)| h)
    }
}

/// The byte ranges the hits cover, merged and in order.
fn covered(hits: &[Hit]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// For each hit, whether a longer hit of another field contains it. One sweep over the hits
/// sorted by start (then longest first), keeping the best container of two different fields:
/// linear after the sort, where comparing every pair was quadratic in a clause's hits.
fn inside_longer(hits: &[Hit]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| (hits[i].start, std::cmp::Reverse(hits[i].end)));
    // The hits seen so far that reach furthest (then start earliest), of two different fields.
    let better = |a: &Hit, b: &Hit| {
        (a.end, std::cmp::Reverse(a.start)) > (b.end, std::cmp::Reverse(b.start))
    };
    let mut best: Option<usize> = None;
    let mut second: Option<usize> = None;
    let mut out = vec![false; hits.len()];
    for &i in &order {
        let h = &hits[i];
        let container = match best {
            Some(b) if hits[b].spec != h.spec => Some(b),
            _ => second,
        };
        // Started no later (the sort) and longer: reaches further, or as far from earlier.
        out[i] = container.is_some_and(|o| {
            let o = &hits[o];
            o.end > h.end || (o.end == h.end && o.start < h.start)
        });
        match best {
            Some(b) if !better(h, &hits[b]) => {
                if hits[b].spec != h.spec && second.is_none_or(|s2| better(h, &hits[s2])) {
                    second = Some(i);
                }
            }
            Some(b) => {
                if hits[b].spec != h.spec {
                    second = Some(b);
                }
                best = Some(i);
            }
            None => best = Some(i),
        }
    }
    out
}

/// Where the topic words ([`topic_re`]) end in a sentence, found once. A prefix of the
/// sentence holds exactly the sentence's matches that end within it: no topic word starts like
/// another or holds the start of one inside it, so a word the prefix cuts off leaves no match
/// behind (`topic_words_in_a_prefix_are_the_sentences` checks this).
struct TopicEnds(Vec<usize>);

impl TopicEnds {
    fn new(s: &str) -> TopicEnds {
        TopicEnds(topic_re().find_iter(s).map(|m| m.end()).collect())
    }

    /// The end of the last topic word within `s[..end]` (0: none).
    fn last_within(&self, end: usize) -> usize {
        let k = self.0.partition_point(|&e| e <= end);
        k.checked_sub(1).map_or(0, |k| self.0[k])
    }

    /// Whether a topic word stands within `s[..end]`.
    fn any_within(&self, end: usize) -> bool {
        self.0.first().is_some_and(|&e| e <= end)
    }
}

fn topic_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r"信息公开|依申请|公开申请"))
}

/// Only a conjunction between two terms: `和`, `及`, `与`, `、`, `或`, `以及`.
fn conjunction_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r"^(和|及|与|、|或|以及|并)$"))
}

/// `…中` after a term: the clause speaks within the set the term names.
fn within_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r"^[^0-9,;]{0,12}?中"))
}

/// The facts bound in one sentence so far: (spec, index into its facts), for items and shares.
struct SentenceState<'a> {
    /// The last fact of a field that is not an item of another (the whole items refer to).
    whole: Option<(usize, usize)>,
    /// The last fact bound, for a share that follows it.
    last: Option<(usize, usize)>,
    /// The metrics the last clause with terms named, for a clause that refers back.
    last_terms: Vec<usize>,
    /// Every fact bound in the sentence: (spec, index).
    bound: Vec<(usize, usize)>,
    /// Shares bound in the sentence.
    shares: Vec<StatedShare>,
    /// How many facts each field had from the rule file's patterns before the reader ran.
    before: &'a BTreeMap<String, usize>,
}

/// A share bound in a sentence: its fact, the whole it was stated under, and the part fields
/// its clause named.
struct StatedShare {
    spec: usize,
    idx: usize,
    whole: Option<(usize, usize)>,
    named: Vec<String>,
}

/// Binds every term and claim field of `specs` in the report's prose; records every clause with
/// a figure.
pub(super) fn bind(
    text: &str,
    report: &Report,
    specs: &FieldSpecs,
    sentences: &super::Sentences,
    facts: &mut FactSet,
) {
    let readers: Vec<usize> = (0..specs.prose.len())
        .filter(|&i| !specs.prose[i].terms.is_empty() || !specs.prose[i].claims.is_empty())
        .collect();
    if readers.is_empty() {
        return;
    }
    for &i in &readers {
        facts.prose.entry(specs.prose[i].key.clone()).or_default();
        let spec = &specs.prose[i];
        let parents = spec.under.iter().filter(|_| spec.part).chain(&spec.part_of);
        for parent in parents {
            facts
                .prose_parts
                .entry(parent.clone())
                .or_default()
                .push(spec.key.clone());
        }
    }
    let section_titles = sentences.titles();
    let before: BTreeMap<String, usize> = facts
        .prose
        .iter()
        .map(|(k, v)| (k.clone(), v.len()))
        .collect();
    let mut k = 0;
    for p in &report.paragraphs {
        let title = p.section.and_then(|i| section_titles.get(i));
        let in_section = |spec: &ProseSpec| {
            spec.sections.is_empty()
                || title.is_some_and(|t| spec.sections.iter().any(|s| t.contains(s.as_str())))
        };
        let eligible: Vec<usize> = readers
            .iter()
            .copied()
            .filter(|&i| in_section(&specs.prose[i]))
            .collect();
        for s in &p.sentences {
            read_sentence(
                text,
                sentences.norm(k),
                s.span,
                specs,
                &eligible,
                &before,
                facts,
            );
            k += 1;
        }
    }
}

#[allow(clippy::too_many_lines)]
fn read_sentence(
    text: &str,
    norm: NormRef<'_>,
    sentence: Span,
    specs: &FieldSpecs,
    eligible: &[usize],
    before: &BTreeMap<String, usize>,
    facts: &mut FactSet,
) {
    let s = &norm.text;
    // Fields none of whose terms or claims occur in the sentence cannot bind in any clause of it
    // (a pattern with anchors or word boundaries is kept: its clauses are tried one by one).
    // The patterns whose literals do not occur are out without a search.
    let literals = specs.prose_literals();
    let mut possible = Vec::new();
    literals.index.may_match(s, &mut possible);
    let could = |(r, &possible): (&LazyRegex, &bool)| !r.look_free() || (possible && r.is_match(s));
    let eligible: Vec<usize> = eligible
        .iter()
        .copied()
        .filter(|&i| {
            let spec = &specs.prose[i];
            let mine = &possible[literals.first[i]..literals.first[i + 1]];
            spec.terms.iter().chain(&spec.claims).zip(mine).any(could)
        })
        .collect();
    if eligible.is_empty() {
        return;
    }
    let eligible = eligible.as_slice();
    let mut st = SentenceState {
        whole: None,
        last: None,
        last_terms: Vec::new(),
        bound: Vec::new(),
        shares: Vec::new(),
        before,
    };
    let key_of = |i: usize| specs.prose[i].key.clone();
    // Read on first use: most sentences never ask.
    let topics_cell = std::cell::OnceCell::new();
    let topics = || topics_cell.get_or_init(|| TopicEnds::new(s));
    let cl = clauses(s);
    // Per eligible field: the first clause from which its `unless` words stand in the sentence
    // up to the clause (found by bisection: a match in a prefix stays in every longer one).
    let mut unless_from: Vec<Option<usize>> = vec![None; eligible.len()];
    for (ck, &clause) in cl.iter().enumerate() {
        let c = &s[clause.start..clause.end];
        let orig = norm.orig_span(clause.start, clause.end);
        // The narrow scope of the sentence up to and including this clause.
        let scope_text = &s[..clause.end];
        // Claims: no figure needed.
        for (ek, &i) in eligible.iter().enumerate() {
            let spec = &specs.prose[i];
            // A claim in a sentence about another matter (`建议…全部按时办结`) is not this one.
            let in_prefix = |end: usize| {
                let t = &s[..end];
                spec.unless.iter().any(|u| u.may_match(t) && u.is_match(t))
            };
            let other_matter = if spec.unless.is_empty() {
                false
            } else if spec.unless.iter().all(LazyRegex::look_free) {
                let from = *unless_from[ek]
                    .get_or_insert_with(|| cl.partition_point(|c| !in_prefix(c.end)));
                ck >= from
            } else {
                in_prefix(clause.end)
            };
            if !other_matter
                && spec.claims.iter().any(|r| r.is_match(c))
                && parent_ok(spec, &st, specs, c)
            {
                push(
                    facts,
                    specs,
                    i,
                    fact(
                        FactValue::Number(Decimal::ONE),
                        orig,
                        sentence,
                        text,
                        BoundBy::Pattern,
                    ),
                    &st,
                    scope_text,
                    norm,
                    text,
                );
            }
        }
        // Terms. A field whose `unless` words stand after the last mention of information
        // disclosure speaks of another matter here (`共办理人大建议 50 件`).
        let mut topic_end: Option<usize> = None;
        let mut other_matter: Option<String> = None;
        let mut hits: Vec<Hit> = Vec::new();
        for &i in eligible {
            let spec = &specs.prose[i];
            let first = hits.len();
            for r in &spec.terms {
                for m in r.find_iter(c) {
                    hits.push(Hit {
                        spec: i,
                        start: m.start(),
                        end: m.end(),
                        context_only: false,
                    });
                }
            }
            if hits.len() == first {
                continue;
            }
            let from = *topic_end.get_or_insert_with(|| topics().last_within(clause.end));
            if let Some(m) = spec.unless.iter().find_map(|r| r.find(&scope_text[from..])) {
                other_matter.get_or_insert_with(|| m.as_str().to_string());
                hits.truncate(first);
            }
        }
        // A term inside a longer term of another field is part of it (予以公开 in
        // 予以公开及部分公开).
        let covered = covered(&hits);
        let inside = inside_longer(&hits);
        let mut k = 0;
        hits.retain(|_| {
            k += 1;
            !inside[k - 1]
        });
        for h in &mut hits {
            let after = &c[h.end..];
            if after.starts_with('等') || within_re().is_match(after) {
                h.context_only = true;
            }
        }
        // A term whose item is named in the same clause is the whole, not the figure
        // (被行政复议纠错: the corrected reviews).
        let mut named: Vec<usize> = hits.iter().map(|h| h.spec).collect();
        named.sort_unstable();
        named.dedup();
        for h in &mut hits {
            let key = &specs.prose[h.spec].key;
            if named
                .iter()
                .any(|&o| specs.prose[o].under.iter().any(|u| u == key))
            {
                h.context_only = true;
            }
        }
        // Items bind only under their whole: named in this clause or the whole of the sentence.
        let mut clause_wholes: Vec<String> = hits
            .iter()
            .filter(|h| h.context_only)
            .map(|h| specs.prose[h.spec].key.clone())
            .collect();
        clause_wholes.sort_unstable();
        clause_wholes.dedup();
        let sentence_whole = st.whole.map(|(i, _)| specs.prose[i].key.clone());
        hits.retain(|h| {
            let spec = &specs.prose[h.spec];
            spec.under.is_empty()
                || spec.under.iter().any(|u| {
                    clause_wholes.contains(u) || sentence_whole.as_deref() == Some(u.as_str())
                })
        });
        let metric_hits: Vec<Hit> = hits.iter().copied().filter(|h| !h.context_only).collect();
        let figs = figures(c);
        if figs.is_empty() {
            // Negation: a term after 未 / 没有 / 无 states 0 for it.
            let negs: Vec<usize> = negation_re()
                .find_iter(c)
                .map(|m| m.start())
                .filter(|&at| {
                    let k = covered.partition_point(|r| r.0 <= at);
                    k.checked_sub(1).is_none_or(|k| at >= covered[k].1)
                })
                .collect();
            // One statement per field and clause: a field's later terms in the clause would
            // state the same (and copying the clause for each cost its length every time).
            let mut negated: Vec<usize> = Vec::new();
            for h in &metric_hits {
                if negs.iter().any(|&n| n < h.start) && !negated.contains(&h.spec) {
                    negated.push(h.spec);
                    let spec = &specs.prose[h.spec];
                    let value = match spec.unit {
                        Some(unit) => FactValue::Money(Money {
                            amount: Decimal::ZERO,
                            unit,
                        }),
                        None => FactValue::Number(Decimal::ZERO),
                    };
                    push(
                        facts,
                        specs,
                        h.spec,
                        fact(value, orig, sentence, text, BoundBy::Pattern),
                        &st,
                        scope_text,
                        norm,
                        text,
                    );
                }
            }
            if !metric_hits.is_empty() {
                st.last_terms = dedup(metric_hits.iter().map(|h| h.spec));
            }
            continue;
        }
        let mut record = ClauseRecord {
            span: orig,
            figures: Vec::new(),
        };
        let mut used: Vec<usize> = Vec::new();
        // What the clause says whatever the figure, read once for all its figures.
        let mut anaphora: Option<bool> = None;
        let mut topic_in_clause: Option<bool> = None;
        let mut by_unit: Vec<UnitHits> = Vec::new();
        for f in &figs {
            let fig_span = norm.orig_span(clause.start + f.start, clause.start + f.end);
            let raw = text[fig_span.range()].to_string();
            let at = match by_unit.iter().position(|u| u.unit == f.unit) {
                Some(at) => at,
                None => {
                    by_unit.push(UnitHits::new(&f.unit, &metric_hits, specs));
                    by_unit.len() - 1
                }
            };
            let candidates = &by_unit[at];
            let mut outcome: Result<(usize, BoundBy), String>;
            // `共办理行政复议案件 120 件，其中涉及政府信息公开的 3 件`: the 其中 clause states the
            // part the report is about; it replaces the broader count before it.
            let mut rescope: Option<usize> = None;
            let refers_back = *anaphora.get_or_insert_with(|| anaphora_re().is_match(c))
                && st.last_terms.len() == 1
                && takes_unit(&specs.prose[st.last_terms[0]], &f.unit);
            if refers_back {
                // `共办理相关案件 74 件`: the cases named before, not a figure of 办理.
                outcome = Ok((st.last_terms[0], BoundBy::Context));
            } else if candidates.by_end.is_empty() {
                let anaphora = anaphora == Some(true);
                outcome = if anaphora
                    && st.last_terms.len() == 1
                    && takes_unit(&specs.prose[st.last_terms[0]], &f.unit)
                {
                    Ok((st.last_terms[0], BoundBy::Context))
                } else if anaphora && st.last_terms.len() > 1 {
                    Err(format!(
                        "it refers back to a clause that names {}",
                        st.last_terms
                            .iter()
                            .map(|&i| key_of(i))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                } else if let Some((li, lidx)) = st.last.filter(|&(li, _)| {
                    c.starts_with("其中")
                        && *topic_in_clause.get_or_insert_with(|| topic_re().is_match(c))
                        && !topics().any_within(clause.start)
                        && specs.prose[li].under.is_empty()
                        && !used.contains(&li)
                        && takes_unit(&specs.prose[li], &f.unit)
                }) {
                    rescope = Some(lidx);
                    Ok((li, BoundBy::Pattern))
                } else if let Some(word) = &other_matter {
                    Err(format!("its sentence speaks of another matter ({word})"))
                } else {
                    Err(NO_METRIC.to_string())
                };
            } else {
                // The nearest term before the figure claims it (`微信公众号公开398条、微博100条`);
                // without one, the nearest after it (`有 1 件涉及…的行政复议`). Two terms joined by
                // a conjunction just before the figure (`办结和答复 11 件`) leave it unsure.
                let before = candidates.before(f.start);
                let after = candidates.after(f.end, &used);
                let free = |h: &&Hit| !used.contains(&h.spec);
                outcome = match (before, after) {
                    ([h, g, ..], _)
                        if free(h)
                            && free(g)
                            && h.spec != g.spec
                            && conjunction_re().is_match(&c[g.end.min(h.start)..h.start]) =>
                    {
                        Err(format!(
                            "its clause names two metrics it could belong to: {}, {}",
                            key_of(g.spec),
                            key_of(h.spec)
                        ))
                    }
                    ([h, ..], _) if free(h) => Ok((h.spec, BoundBy::Pattern)),
                    (_, Some(h)) => Ok((h.spec, BoundBy::Pattern)),
                    _ => Err(NO_OWN_METRIC.to_string()),
                };
                if let Ok((i, _)) = outcome {
                    if used.contains(&i) {
                        outcome = Err(format!("a second figure for {} in one clause", key_of(i)));
                    }
                }
            }
            // An approximate figure names its metric but is not compared.
            if let (Ok((i, _)), Some(word)) = (&outcome, &f.approx) {
                used.push(*i);
                outcome = Err(format!(
                    "an approximate figure ({word}) for {}: not compared",
                    key_of(*i)
                ));
            }
            match outcome {
                Ok((i, by)) => {
                    used.push(i);
                    let spec = &specs.prose[i];
                    let value = match (spec.unit, MoneyUnit::parse(&f.unit)) {
                        (Some(_), Some(u)) => FactValue::Money(Money {
                            amount: f.value,
                            unit: u,
                        }),
                        _ => FactValue::Number(f.value),
                    };
                    let mut fa = fact(value, orig, sentence, text, by);
                    if spec.share {
                        fa.share = share_of(facts, specs, &st);
                    }
                    if let Some((part, whole)) = &spec.ratio_of {
                        fa.share = ratio_of(facts, specs, &st, part, whole);
                    }
                    let idx = match rescope {
                        Some(idx) => replace_broader(facts, &spec.key, idx, fa),
                        None => push(facts, specs, i, fa, &st, scope_text, norm, text),
                    };
                    st.bound.push((i, idx));
                    if spec.share {
                        let named: Vec<String> = hits
                            .iter()
                            .map(|h| specs.prose[h.spec].key.clone())
                            .collect();
                        st.shares.push(StatedShare {
                            spec: i,
                            idx,
                            whole: st.whole,
                            named,
                        });
                    }
                    record.figures.push(ClauseFigure {
                        text: raw,
                        span: fig_span,
                        field: Some(format!("prose.{}", spec.key)),
                        why: None,
                    });
                    // A bracketed insert (`（含…）`) does not change the whole of the sentence.
                    let is_part = facts
                        .prose
                        .get(&spec.key)
                        .and_then(|l| l.get(idx))
                        .is_some_and(|f| f.parent.is_some());
                    if spec.under.is_empty() && f.unit != "%" && !clause.bracket && !is_part {
                        st.whole = Some((i, idx));
                    }
                    if f.unit != "%" {
                        st.last = Some((i, idx));
                    }
                }
                Err(why) => record.figures.push(ClauseFigure {
                    text: raw,
                    span: fig_span,
                    field: None,
                    why: Some(if why.is_empty() {
                        NO_METRIC.into()
                    } else {
                        why
                    }),
                }),
            }
        }
        if !metric_hits.is_empty() {
            st.last_terms = dedup(metric_hits.iter().map(|h| h.spec));
        }
        facts.clauses.push(record);
    }
    shares_cover_whole(facts, specs, &st);
}

/// Shares stated for every part of one whole in a sentence (`自然人占 98.9%，法人或其他组织占
/// 1.1%`): the last of them carries the total, which must be about 100 %.
fn shares_cover_whole(facts: &mut FactSet, specs: &FieldSpecs, st: &SentenceState<'_>) {
    let Some((wi, _)) = st.shares.first().and_then(|s| s.whole) else {
        return;
    };
    if st.shares.len() < 2 || st.shares.iter().any(|s| s.whole.map(|w| w.0) != Some(wi)) {
        return;
    }
    let Some(declared) = facts.prose_parts.get(&specs.prose[wi].key) else {
        return;
    };
    let named: Vec<&String> = st.shares.iter().flat_map(|s| s.named.iter()).collect();
    if declared.is_empty() || !declared.iter().all(|d| named.contains(&d)) {
        return;
    }
    let mut shares = Vec::new();
    for s in &st.shares {
        let Some(f) = facts
            .prose
            .get(&specs.prose[s.spec].key)
            .and_then(|l| l.get(s.idx))
        else {
            return;
        };
        match (&f.value, f.span) {
            (FactValue::Number(n), Some(sp)) => shares.push((*n, sp)),
            _ => return,
        }
    }
    let Some(last) = st.shares.last() else { return };
    if let Some(f) = facts
        .prose
        .get_mut(&specs.prose[last.spec].key)
        .and_then(|l| l.get_mut(last.idx))
    {
        if f.share.is_none() {
            f.share = Some(Share::Total { shares });
        }
    }
}

/// A rate of two fields stated in the same sentence (`办结 718 件，办结率 95.9%`).
fn ratio_of(
    facts: &FactSet,
    specs: &FieldSpecs,
    st: &SentenceState,
    part: &str,
    whole: &str,
) -> Option<Share> {
    let find = |key: &str| {
        st.bound.iter().rev().find_map(|&(i, idx)| {
            (specs.prose[i].key == key)
                .then(|| facts.prose.get(key)?.get(idx))
                .flatten()
        })
    };
    let num = |f: &Fact| match &f.value {
        FactValue::Number(n) => Some(*n),
        _ => None,
    };
    let p = find(part)?;
    // The whole: the first field, plus the others that the sentence states (applications and
    // the applications carried over from last year).
    let mut wholes = whole.split('+').map(str::trim);
    let w = find(wholes.next()?)?;
    let mut total = num(w)?;
    for extra in wholes {
        if let Some(x) = find(extra).and_then(num) {
            total += x;
        }
    }
    Some(Share::Of {
        part: num(p)?,
        part_span: p.span?,
        whole: total,
        whole_span: w.span?,
    })
}

fn dedup(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = Vec::new();
    for x in it {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}

/// Whether an item field may bind here: its whole is the sentence's, or named in the clause.
fn parent_ok(spec: &ProseSpec, st: &SentenceState, specs: &FieldSpecs, clause: &str) -> bool {
    if spec.under.is_empty() {
        return true;
    }
    let whole = st.whole.map(|(i, _)| specs.prose[i].key.as_str());
    spec.under.iter().any(|u| {
        whole == Some(u.as_str())
            || specs
                .prose
                .iter()
                .find(|p| p.key == *u)
                .is_some_and(|p| p.terms.iter().any(|r| r.is_match(clause)))
    })
}

fn fact(value: FactValue, span: Span, sentence: Span, text: &str, by: BoundBy) -> Fact {
    Fact {
        value,
        span: Some(span),
        context: Some(sentence),
        raw: text[span.range()].to_string(),
        bound_by: by,
        scope: None,
        note: None,
        parent: None,
        share: None,
    }
}

/// The share a percentage states: the figure bound just before it over that figure's whole.
fn share_of(facts: &FactSet, specs: &FieldSpecs, st: &SentenceState) -> Option<Share> {
    let (pi, pidx) = st.last?;
    let part = facts.prose.get(&specs.prose[pi].key)?.get(pidx)?;
    let (wi, widx) = match &part.parent {
        Some((key, idx)) => (specs.prose.iter().position(|p| p.key == *key)?, *idx),
        None => return None,
    };
    let whole = facts.prose.get(&specs.prose[wi].key)?.get(widx)?;
    let num = |f: &Fact| match &f.value {
        FactValue::Number(n) => Some(*n),
        FactValue::Money(m) => Some(m.amount),
        _ => None,
    };
    Some(Share::Of {
        part: num(part)?,
        part_span: part.span?,
        whole: num(whole)?,
        whole_span: whole.span?,
    })
}

/// Puts the figure of a 其中 clause in place of the broader count its sentence stated first, and
/// says so in the earlier clause's record.
fn replace_broader(facts: &mut FactSet, key: &str, idx: usize, f: Fact) -> usize {
    let field = format!("prose.{key}");
    let Some(old) = facts.prose.get_mut(key).and_then(|l| l.get_mut(idx)) else {
        return idx;
    };
    let old_span = old.span;
    *old = f;
    if let Some(sp) = old_span {
        for fig in facts
            .clauses
            .iter_mut()
            .rev()
            .flat_map(|c| c.figures.iter_mut())
        {
            if fig.field.as_deref() == Some(field.as_str())
                && sp.start <= fig.span.start
                && fig.span.end <= sp.end
            {
                fig.field = None;
                fig.why = Some(format!(
                    "a broader count: the 其中 clause after it states the part about information disclosure ({field})"
                ));
                break;
            }
        }
    }
    idx
}

/// Adds a fact to its field (linking an item to its whole, marking a narrow scope); returns
/// its index.
#[allow(clippy::too_many_arguments)]
fn push(
    facts: &mut FactSet,
    specs: &FieldSpecs,
    i: usize,
    mut f: Fact,
    st: &SentenceState,
    scope_text: &str,
    norm: NormRef<'_>,
    text: &str,
) -> usize {
    let spec = &specs.prose[i];
    if let Some((wi, widx)) = st.whole {
        let whole = &specs.prose[wi].key;
        if spec.under.contains(whole) || spec.part_of.contains(whole) {
            f.parent = Some((whole.clone(), widx));
        }
    }
    if let Some(m) = spec.narrow.iter().find_map(|r| r.find(scope_text)) {
        f.scope = Some(text[norm.orig_span(m.start(), m.end()).range()].to_string());
    }
    let list = facts.prose.entry(spec.key.clone()).or_default();
    // One statement per clause and field (statements come in text order: the last one is the
    // only one that can be in the same clause).
    if list.last().is_some_and(|g| g.span == f.span) {
        return list.len() - 1;
    }
    // A figure a pattern of the rule file already read in this clause (`zero` phrases): those
    // facts come first in the list, in text order.
    if let (Some(sp), Some(&n)) = (f.span, st.before.get(&spec.key)) {
        let prefix = &list[..n.min(list.len())];
        let k = prefix.partition_point(|g| g.span.is_some_and(|x| x.end <= sp.start));
        if prefix
            .get(k)
            .is_some_and(|g| g.span.is_some_and(|x| x.start < sp.end) && g.value == f.value)
        {
            return k;
        }
    }
    list.push(f);
    list.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for the property checks below.
    fn lcg(seed: &mut u64) -> usize {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 33) as usize
    }

    #[test]
    fn hits_inside_longer_ones_of_another_field_agree_with_every_pair_compared() {
        let mut seed = 7;
        for _ in 0..3000 {
            let n = lcg(&mut seed) % 9;
            let hits: Vec<Hit> = (0..n)
                .map(|_| {
                    let start = lcg(&mut seed) % 12;
                    Hit {
                        spec: lcg(&mut seed) % 3,
                        start,
                        end: start + 1 + lcg(&mut seed) % 6,
                        context_only: false,
                    }
                })
                .collect();
            let pairwise: Vec<bool> = hits
                .iter()
                .map(|h| {
                    hits.iter().any(|o| {
                        o.spec != h.spec
                            && o.start <= h.start
                            && h.end <= o.end
                            && (o.end - o.start) > (h.end - h.start)
                    })
                })
                .collect();
            assert_eq!(inside_longer(&hits), pairwise, "{hits:?}");
        }
    }

    #[test]
    fn topic_words_in_a_prefix_are_the_sentences() {
        let pieces = [
            "信",
            "息",
            "公",
            "开",
            "申",
            "请",
            "依",
            "，",
            "信息公开",
            "公开申请",
        ];
        let mut seed = 11;
        for _ in 0..3000 {
            let n = lcg(&mut seed) % 10;
            let s: String = (0..n)
                .map(|_| pieces[lcg(&mut seed) % pieces.len()])
                .collect();
            let ends = TopicEnds::new(&s);
            for (end, _) in s.char_indices().chain([(s.len(), ' ')]) {
                let prefix = &s[..end];
                let last = topic_re().find_iter(prefix).last().map_or(0, |m| m.end());
                assert_eq!(ends.last_within(end), last, "{s} / {prefix}");
                assert_eq!(ends.any_within(end), topic_re().is_match(prefix), "{s}");
            }
        }
    }

    fn parts(s: &str) -> Vec<&str> {
        clauses(s).iter().map(|c| &s[c.start..c.end]).collect()
    }

    #[test]
    fn clauses_split_at_commas_and_brackets_not_in_figures() {
        assert_eq!(
            parts("答复3050件(含上年度结转申请34件,另有103件顺延到下年度答复),均在法定期限内予以答复。"),
            vec![
                "答复3050件",
                "含上年度结转申请34件",
                "另有103件顺延到下年度答复",
                "均在法定期限内予以答复"
            ]
        );
        assert_eq!(parts("共公开1,136条信息"), vec!["共公开1,136条信息"]);
        assert_eq!(
            parts("其中:发布9条;机构信息7条"),
            vec!["其中", "发布9条", "机构信息7条"]
        );
    }

    #[test]
    fn figures_need_a_unit() {
        assert!(figures("申请-3件,1-3件").is_empty());
        let f = figures("一是公开12件,二季度检查3次,占98.9%,收取380元,六个部分,第二十条,1.2万条");
        let got: Vec<(String, String)> = f
            .iter()
            .map(|f| (f.value.normalize().to_string(), f.unit.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("12".into(), "件".into()),
                ("3".into(), "次".into()),
                ("98.9".into(), "%".into()),
                ("380".into(), "元".into()),
                ("6".into(), "个".into()),
                ("12000".into(), "条".into())
            ]
        );
    }
}
