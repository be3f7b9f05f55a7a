//! Reports among reports: which report is last year's of the same body, which reports share
//! their prose, and which name another county's body than their publisher's.
//!
//! Runs beside the facts stage: it reads parsed documents ([`Report`]) and their publishers
//! ([`crate::document::publisher`]), never rules. Prose is compared as overlapping pieces of
//! [`SHINGLE`] characters (Han characters, letters and masked figures; punctuation and spaces
//! left out), so a report that only updated its figures still matches the one it was copied
//! from.

use crate::diagnostic::{Diagnostic, Label, Lang};
use crate::document::normalize::is_han;
use crate::document::publisher::{self, Publisher};
use crate::document::Report;
use crate::facts::checks;
use crate::span::Span;
use std::collections::{HashMap, HashSet};

/// Characters per compared piece of prose.
pub const SHINGLE: usize = 8;
/// Share of pieces two reports must have in common to be reported as copies.
pub const COPY_THRESHOLD: f64 = 0.85;
/// Fewest pieces a report must have to be compared (a stub says nothing).
pub const MIN_SHINGLES: usize = 200;
/// Hashes kept per report for finding candidate pairs in a batch.
pub const SKETCH: usize = 64;
/// Longest identical passages labelled in a copy finding.
const PASSAGES: usize = 2;
/// Most characters of a passage a label covers (its start).
const LABELLED: usize = 60;
/// Shortest identical passage worth a label (characters).
const MIN_PASSAGE: usize = 24;

/// A report's prose as compared: its characters (figures masked as `#`, one per run of
/// digits) and where each is in the text. Sentences are kept apart by a separator no piece
/// crosses.
pub struct Prose {
    chars: Vec<char>,
    spans: Vec<Span>,
}

const SEP: char = '\u{1}';

impl Prose {
    /// The prose of a parsed report (its paragraphs' sentences; headings and tables left out).
    pub fn new(text: &str, report: &Report) -> Prose {
        let mut chars = Vec::new();
        let mut spans = Vec::new();
        for p in &report.paragraphs {
            for s in &p.sentences {
                let Some(piece) = text.get(s.span.range()) else {
                    continue;
                };
                // Table headers and captions laid out as lines (PDF text) are no prose: every
                // report has them. Prose has its commas and full stops.
                if !piece.contains(['，', '。', '；', ',', ';']) {
                    continue;
                }
                compared_chars(piece, |c, start, end| {
                    chars.push(c);
                    spans.push(Span::new(s.span.start + start, s.span.start + end));
                });
                chars.push(SEP);
                spans.push(Span::new(s.span.end, s.span.end));
            }
        }
        Prose { chars, spans }
    }

    /// The hash of the piece starting at `i`, unless it crosses a sentence.
    fn piece(&self, i: usize) -> Option<u64> {
        let w = self.chars.get(i..i + SHINGLE)?;
        if w.contains(&SEP) {
            return None;
        }
        Some(hash(w))
    }

    /// Every piece's hash.
    pub fn shingles(&self) -> HashSet<u64> {
        (0..self.chars.len())
            .filter_map(|i| self.piece(i))
            .collect()
    }

    /// The [`SKETCH`] smallest piece hashes (a bottom-k sketch: two reports' sketches share
    /// about as many hashes as their pieces are alike).
    pub fn sketch(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.shingles().into_iter().collect();
        all.sort_unstable();
        all.truncate(SKETCH);
        all
    }
}

/// The characters prose is compared by, with their byte range in `piece`: Han characters,
/// letters and digits, each run of ASCII digits as one `#` (figures masked); punctuation and
/// spaces left out.
fn compared_chars(piece: &str, mut f: impl FnMut(char, usize, usize)) {
    let mut digits: Option<(usize, usize)> = None;
    for (i, c) in piece.char_indices() {
        if c.is_ascii_digit() {
            digits = Some(digits.map_or((i, i + 1), |(a, _)| (a, i + 1)));
            continue;
        }
        if let Some((a, b)) = digits.take() {
            f('#', a, b);
        }
        if is_han(c) || c.is_alphanumeric() {
            f(c, i, i + c.len_utf8());
        }
    }
    if let Some((a, b)) = digits {
        f('#', a, b);
    }
}

/// How alike two sketches are: the share of the union's [`SKETCH`] smallest hashes that both
/// hold (an estimate of the share of pieces in common).
pub fn sketch_similarity(a: &[u64], b: &[u64]) -> f64 {
    let (sa, sb): (HashSet<u64>, HashSet<u64>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    let mut union: Vec<u64> = sa.union(&sb).copied().collect();
    union.sort_unstable();
    union.truncate(SKETCH);
    if union.is_empty() {
        return 0.0;
    }
    let both = union
        .iter()
        .filter(|h| sa.contains(h) && sb.contains(h))
        .count();
    both as f64 / union.len() as f64
}

/// The pairs of a batch whose sketches say they may be copies (estimate at least
/// `COPY_THRESHOLD - 0.15`): an inverted index over sketch hashes, hashes held by more than
/// `common` reports (the shared template) left out. Near-linear in the batch.
pub fn candidate_pairs(sketches: &[&[u64]]) -> Vec<(usize, usize)> {
    let common = (sketches.len() / 20).max(16);
    // (hash, report) sorted by hash: 12 bytes a posting, runs of one hash side by side.
    let mut postings: Vec<(u64, u32)> = sketches
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.iter().map(move |h| (*h, i as u32)))
        .collect();
    postings.sort_unstable();
    let mut shared: HashMap<(u32, u32), u16> = HashMap::new();
    for run in postings.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < 2 || run.len() > common {
            continue;
        }
        for (k, &(_, a)) in run.iter().enumerate() {
            for &(_, b) in &run[k + 1..] {
                *shared.entry((a, b)).or_default() += 1;
            }
        }
    }
    drop(postings);
    let mut out: Vec<(usize, usize)> = shared
        .into_iter()
        .filter(|&(_, n)| usize::from(n) >= SKETCH / 8)
        .map(|((a, b), _)| (a as usize, b as usize))
        .filter(|&(a, b)| sketch_similarity(sketches[a], sketches[b]) >= COPY_THRESHOLD - 0.15)
        .collect();
    out.sort_unstable();
    out
}

/// How two reports' prose compares.
pub struct Likeness {
    /// Share of pieces in common (Jaccard).
    pub share: f64,
    /// Pieces in this report.
    pub pieces: usize,
    /// The longest identical passages: (span in this report, span in the other).
    pub passages: Vec<(Span, Span)>,
}

/// Compares this report's prose with another's.
pub fn compare(this: &Prose, other: &Prose) -> Likeness {
    let a = this.shingles();
    let b_pos: HashMap<u64, usize> = {
        let mut m = HashMap::new();
        for i in 0..other.chars.len() {
            if let Some(h) = other.piece(i) {
                m.entry(h).or_insert(i);
            }
        }
        m
    };
    let inter = a.iter().filter(|h| b_pos.contains_key(h)).count();
    let union = a.len() + b_pos.len() - inter;
    let share = if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    };
    // Runs of this report's characters covered by pieces the other report has.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, start in other)
    let mut i = 0;
    while i < this.chars.len() {
        let Some(h) = this.piece(i) else {
            i += 1;
            continue;
        };
        let Some(&j) = b_pos.get(&h) else {
            i += 1;
            continue;
        };
        // Extend while the characters go on agreeing.
        let (mut e, mut f) = (i + SHINGLE, j + SHINGLE);
        while e < this.chars.len()
            && f < other.chars.len()
            && this.chars[e] == other.chars[f]
            && this.chars[e] != SEP
        {
            e += 1;
            f += 1;
        }
        runs.push((i, e, j));
        i = e;
    }
    runs.sort_by_key(|&(s, e, _)| std::cmp::Reverse(e - s));
    let passages = runs
        .into_iter()
        .filter(|&(s, e, _)| e - s >= MIN_PASSAGE)
        .take(PASSAGES)
        .map(|(s, e, j)| {
            let e = e.min(s + LABELLED);
            let here = Span::new(this.spans[s].start, this.spans[e - 1].end);
            let there = Span::new(other.spans[j].start, other.spans[j + (e - s) - 1].end);
            (here, there)
        })
        .collect();
    Likeness {
        share,
        pieces: a.len(),
        passages,
    }
}

/// The copy finding for a report whose prose is nearly another's (`None` below the
/// threshold or for a stub): RL202 for last year's report of the same body, RL203 for another
/// body's.
pub fn copy_finding(
    this: &Prose,
    other: &Prose,
    other_name: &str,
    last_year: bool,
    lang: Lang,
) -> Option<Diagnostic> {
    let l = compare(this, other);
    if l.pieces < MIN_SHINGLES || l.share < COPY_THRESHOLD {
        return None;
    }
    let check = if last_year {
        checks::COPIED_FROM_PREVIOUS
    } else {
        checks::COPIED_FROM_OTHER
    };
    let pct = (l.share * 100.0).round();
    let message = match (lang, last_year) {
        (Lang::Zh, true) => format!(
            "正文与上一年度报告 {other_name} 的相似度为 {pct}%（数字不计），疑似沿用上一年度报告"
        ),
        (Lang::Zh, false) => format!("正文与 {other_name} 的相似度为 {pct}%（数字不计）"),
        (Lang::En, true) => format!(
            "the prose is {pct}% the same as last year's report {other_name} (figures aside)"
        ),
        (Lang::En, false) => {
            format!("the prose is {pct}% the same as {other_name} (figures aside)")
        }
    };
    let mut d = Diagnostic::new(check.severity, check.id, check.name, message)
        .with_help(check.fix_in(lang));
    for (k, (here, there)) in l.passages.iter().enumerate() {
        let text = lang.pick("与对方报告相同", "identical in the other report");
        let mine = if k == 0 {
            Label::primary(*here, lang.pick("相同的段落", "identical passage"))
        } else {
            Label::secondary(*here, lang.pick("相同的段落", "identical passage"))
        };
        d.labels.push(mine);
        d.labels
            .push(Label::secondary(*there, text).in_file(other_name));
    }
    d.values
        .insert("similarity".into(), format!("{:.3}", l.share));
    d.notes.push(match lang {
        Lang::Zh => format!(
            "按连续 {SHINGLE} 个字比较正文（表格、标题、标点和数字不计）：共有片段占 {pct}%；本机关往年报告之间通常低于 50%"
        ),
        Lang::En => format!(
            "prose compared as {SHINGLE}-character pieces (tables, headings, punctuation and figures aside): {pct}% in common; one body's reports of two years usually share under 50%"
        ),
    });
    Some(d)
}

/// County-level names followed by a government's formal name in a sentence: `沭阳县` of
/// `，沭阳县人民政府` or `宿迁市沭阳县人民政府`, with the byte offset of the name. A name starts
/// a clause, the text, or follows its city (`区政府办代表区政府` runs words together: no name).
/// Plain string search, no regex: this runs on every report.
fn county_bodies(piece: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for body in ["人民政府", "政府办公室"] {
        for (at, _) in piece.match_indices(body) {
            let before = &piece[..at];
            if !before.ends_with(['县', '区', '旗']) {
                continue;
            }
            let chars: Vec<(usize, char)> = before.char_indices().rev().take(5).collect();
            // chars[0] is the suffix; try three characters before it, then two.
            for k in [3usize, 2] {
                let Some(&(start, _)) = chars.get(k) else {
                    continue;
                };
                if !chars[1..=k].iter().all(|&(_, c)| is_han(c)) {
                    continue;
                }
                let boundary = chars
                    .get(k + 1)
                    .is_none_or(|&(_, c)| !is_han(c) || matches!(c, '市' | '省' | '州' | '盟'));
                if boundary {
                    out.push((start, &before[start..]));
                    break;
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Names of another county-level body in a county-level report (RL204), and `全市` in one
/// (RL205, a hint). Nothing for a report whose publisher is not county-level or unknown. The
/// publisher is read only when there is something to compare with it.
pub fn place_findings(
    text: &str,
    report: &Report,
    publisher: impl FnOnce() -> Publisher,
    lang: Lang,
) -> Vec<Diagnostic> {
    // The title names the publisher and the places above it: none of those is "another" (the
    // publisher is then not even read). A copied preamble is still worth finding.
    let head = report.title.and_then(|t| text.get(t.range())).unwrap_or("");
    let mut candidates: Vec<(String, Span)> = Vec::new();
    let mut wider: Vec<Span> = Vec::new();
    for p in &report.paragraphs {
        for s in &p.sentences {
            let Some(piece) = text.get(s.span.range()) else {
                continue;
            };
            for (at, name) in county_bodies(piece) {
                if publisher::NOT_PLACES.iter().any(|w| name.ends_with(w))
                    || ["我", "本", "该", "全", "各", "市", "省", "县", "区"]
                        .iter()
                        .any(|w| name.starts_with(w))
                    || head.contains(name)
                {
                    continue;
                }
                if candidates.len() < 8 {
                    let span = Span::new(s.span.start + at, s.span.start + at + name.len());
                    candidates.push((name.to_string(), span));
                }
            }
            for (at, m) in piece.match_indices("全市") {
                if wider.len() < 3 {
                    wider.push(Span::new(s.span.start + at, s.span.start + at + m.len()));
                }
            }
        }
    }
    if candidates.is_empty() && wider.is_empty() {
        return vec![];
    }
    let publisher = publisher();
    let Some(own) = publisher.county() else {
        return vec![];
    };
    let own_stem: String = own.chars().take(own.chars().count() - 1).collect();
    let others: Vec<(String, Span)> = candidates
        .into_iter()
        .filter(|(n, _)| !n.contains(&own_stem) && *n != own)
        .collect();
    let mut out = Vec::new();
    if let Some((first, _)) = others.first() {
        let check = checks::OTHER_PLACE;
        let names: Vec<&str> = {
            let mut v: Vec<&str> = others.iter().map(|(n, _)| n.as_str()).collect();
            v.dedup();
            v
        };
        let mut d = Diagnostic::new(
            check.severity,
            check.id,
            check.name,
            match lang {
                Lang::Zh => format!("报告发布机关属于{own}，正文却出现{first}的机关名称"),
                Lang::En => {
                    format!("the publisher belongs to {own}, but the text names a body of {first}")
                }
            },
        )
        .with_help(check.fix_in(lang));
        for (k, (n, sp)) in others.iter().enumerate() {
            let text = format!(
                "{n}{}",
                lang.pick("：非本机关所在地", ": not the publisher's place")
            );
            d.labels.push(if k == 0 {
                Label::primary(*sp, text)
            } else {
                Label::secondary(*sp, text)
            });
        }
        if let Some(n) = publisher.name() {
            d.labels.push(Label::secondary(
                n.span,
                lang.pick("发布机关", "the publisher"),
            ));
        }
        d.values.insert("places".into(), names.join(", "));
        out.push(d);
    }
    if !wider.is_empty() {
        let check = checks::WIDER_SCOPE;
        let mut d = Diagnostic::new(
            check.severity,
            check.id,
            check.name,
            match lang {
                Lang::Zh => format!("{own}的报告中出现“全市”，请核对该句所述范围"),
                Lang::En => {
                    format!("the report of a body of {own} speaks of 全市 (the whole city)")
                }
            },
        )
        .with_help(check.fix_in(lang));
        for (k, sp) in wider.iter().enumerate() {
            d.labels.push(if k == 0 {
                Label::primary(*sp, lang.pick("上级范围", "the whole city"))
            } else {
                Label::secondary(*sp, "")
            });
        }
        out.push(d);
    }
    out
}

/// What a batch's reports say of one another, found before they are checked: which report is
/// last year's of the same body, and which reports' prose may be the same.
#[derive(Debug, Default)]
pub struct Batch {
    /// For each file: the index of last year's report of the same body in the batch.
    previous: Vec<Option<usize>>,
    /// Pairs of files whose prose may be the same (by sketch), each once, `a < b`.
    similar: Vec<(usize, usize)>,
    /// Regions: a summary report's file, the files of the bodies under it, and whether the
    /// user's mapping says so (else inferred from the publishers' names).
    regions: Vec<(usize, Vec<usize>, bool)>,
}

/// A region of the user's mapping (`--regions FILE`): its summary report and the reports of
/// the bodies under it, each named by publisher (as in the title or signature) or by file,
/// with `*` and `?` wildcards.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// The summary report.
    pub summary: String,
    /// The reports of the bodies under it.
    pub parts: Vec<String>,
}

/// A `--regions` file: `[[region]]` tables.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionMap {
    /// The regions.
    #[serde(default)]
    pub region: Vec<RegionSpec>,
}

impl RegionMap {
    /// Reads a `--regions` file; the error names the place and the fix.
    pub fn read(path: &std::path::Path) -> Result<RegionMap, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the file: {e}"))?;
        RegionMap::parse(&text)
    }

    /// Reads the text of a `--regions` file.
    pub fn parse(text: &str) -> Result<RegionMap, String> {
        let map: RegionMap = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(String::new(), |sp| {
                let line = text[..sp.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            });
            format!(
                "{}{at}; a regions file lists [[region]] tables with `summary = \"publisher or file\"` and `parts = [\"publisher or file\", …]`",
                e.message().trim()
            )
        })?;
        for r in &map.region {
            for pat in std::iter::once(&r.summary).chain(&r.parts) {
                globset::Glob::new(pat)
                    .map_err(|e| format!("`{pat}` is not a valid name pattern: {e}"))?;
            }
        }
        Ok(map)
    }
}

/// One file of a batch as indexed: its publisher's key, its title's year, its prose sketch.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// [`Publisher::key`].
    pub key: Option<String>,
    /// The title's year.
    pub year: Option<i32>,
    /// [`Prose::sketch`] (empty for a stub).
    pub sketch: Vec<u64>,
    /// The publisher's name as written (title, else signature).
    pub name: Option<String>,
    /// The place the publisher belongs to (`洪泽区`, `淮安市`).
    pub place: Option<String>,
    /// The title says the report is a summary (汇总) of the bodies under the place.
    pub summary: bool,
}

impl Entry {
    /// Indexes a decoded source cheaply: the title block is parsed alone, and the sketch is
    /// taken from the text's lines with Chinese punctuation (table rows left out); the exact
    /// comparison, on parsed prose, is made when the report is checked.
    pub fn of(source: &crate::source::Source) -> Entry {
        let text = &source.text;
        let head = crate::document::parse_head(text, 3072);
        let publisher = publisher::find_pairing(text, &head);
        let mut sketch: Vec<u64> = Vec::with_capacity(SKETCH + 1);
        let mut pieces = 0usize;
        let mut chars: Vec<char> = Vec::new();
        for line in text.lines() {
            if line.contains('|') || !line.contains(['，', '。', '；']) {
                continue;
            }
            chars.clear();
            compared_chars(line, |c, _, _| chars.push(c));
            // A rolling hash over the pieces: one multiply per character, not per piece.
            const BASE: u64 = 0x0000_0100_0000_01b3;
            let out_weight = (1..SHINGLE).fold(1u64, |w, _| w.wrapping_mul(BASE));
            let mut h: u64 = 0;
            for (i, c) in chars.iter().enumerate() {
                if i >= SHINGLE {
                    h = h.wrapping_sub(
                        u64::from(chars[i - SHINGLE] as u32).wrapping_mul(out_weight),
                    );
                }
                h = h.wrapping_mul(BASE).wrapping_add(u64::from(*c as u32));
                if i + 1 < SHINGLE {
                    continue;
                }
                pieces += 1;
                // Mixed, so that the smallest hashes are a fair sample of the pieces.
                let h = mix(h);
                if sketch.len() == SKETCH && sketch.last().is_some_and(|&m| h >= m) {
                    continue;
                }
                if let Err(at) = sketch.binary_search(&h) {
                    sketch.insert(at, h);
                    sketch.truncate(SKETCH);
                }
            }
        }
        if pieces < MIN_SHINGLES {
            sketch.clear();
        }
        let name = publisher.name().map(|n| n.name.clone());
        let place = publisher
            .county()
            .or_else(|| publisher.key().and_then(|k| place_of(&k)));
        let summary = head
            .title
            .and_then(|t| text.get(t.start..t.end.min(text.len())))
            .is_some_and(|t| t.contains("汇总") || t.contains("彙總"));
        Entry {
            key: publisher.key(),
            year: publisher.year,
            sketch,
            name,
            place,
            summary,
        }
    }
}

/// The place a publisher's key starts with: up to its first 市, 州, 县, 区 or 旗.
fn place_of(key: &str) -> Option<String> {
    let end = key
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '市' | '州' | '县' | '区' | '旗'))
        .map(|(i, c)| i + c.len_utf8())?;
    Some(key[..end].to_string())
}

/// A 64-bit finaliser (SplitMix64's): spreads a rolling hash over the whole range.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over characters: stable across runs and platforms.
fn hash(w: &[char]) -> u64 {
    crate::hash::fnv64(w.iter().flat_map(|c| (*c as u32).to_le_bytes()))
}

impl Batch {
    /// Reads and indexes every file (on every core; a file that cannot be read is left out).
    pub fn index(files: &[std::path::PathBuf]) -> Batch {
        Batch::index_with(files, None)
    }

    /// [`Batch::index`], with the regions of the user's mapping (`--regions`).
    pub fn index_with(files: &[std::path::PathBuf], regions: Option<&RegionMap>) -> Batch {
        let cores = std::thread::available_parallelism().map_or(2, |p| p.get());
        Batch::index_on(files, regions, cores)
    }

    /// [`Batch::index_with`], on at most `jobs` threads (`--jobs`).
    pub fn index_on(
        files: &[std::path::PathBuf],
        regions: Option<&RegionMap>,
        jobs: usize,
    ) -> Batch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let workers = jobs.min(files.len()).max(1);
        let mut entries: Vec<Entry> = vec![Entry::default(); files.len()];
        let found: Vec<Vec<(usize, Entry)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .filter_map(|_| {
                    std::thread::Builder::new()
                        .stack_size(crate::limits::WORKER_STACK_BYTES)
                        .spawn_scoped(scope, || {
                            let mut out = Vec::new();
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                let Some(path) = files.get(i) else { break };
                                if path.as_os_str() == "-" {
                                    continue;
                                }
                                let run = std::panic::AssertUnwindSafe(|| {
                                    let bytes = crate::source::read_bounded(
                                        path,
                                        crate::limits::get().input_bytes,
                                    )
                                    .ok()?;
                                    crate::source::decode_for_index("", &bytes)
                                        .ok()
                                        .map(|s| Entry::of(&s))
                                });
                                if let Ok(Some(e)) = std::panic::catch_unwind(run) {
                                    out.push((i, e));
                                }
                            }
                            out
                        })
                        .ok()
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for (i, e) in found.into_iter().flatten() {
            entries[i] = e;
        }
        let batch = Batch::of(&entries);
        match regions {
            Some(map) => batch.with_regions(map, files, &entries),
            None => batch,
        }
    }

    /// Pairs indexed files: last year's report is the one file of the same key whose year is
    /// one less (two such files pair with neither: which is meant cannot be told); files
    /// of one key are never compared for copies (RL202 compares them as years).
    pub fn of(entries: &[Entry]) -> Batch {
        let mut by: HashMap<(&str, i32), Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let (Some(k), Some(y)) = (&e.key, e.year) {
                by.entry((k.as_str(), y)).or_default().push(i);
            }
        }
        let previous = entries
            .iter()
            .map(|e| {
                let (k, y) = (e.key.as_deref()?, e.year?);
                match by.get(&(k, y.checked_sub(1)?))?.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            })
            .collect();
        let sketches: Vec<&[u64]> = entries.iter().map(|e| e.sketch.as_slice()).collect();
        let similar = candidate_pairs(&sketches)
            .into_iter()
            .filter(|&(a, b)| match (&entries[a].key, &entries[b].key) {
                (Some(x), Some(y)) => x != y,
                _ => true,
            })
            .collect();
        let mut regions = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let (true, Some(place), Some(key)) = (e.summary, &e.place, &e.key) else {
                continue;
            };
            let parts: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    *j != i
                        && !o.summary
                        && o.place.as_ref() == Some(place)
                        && o.key.as_ref().is_some_and(|k| k != key)
                        && o.year.is_some()
                        && o.year == e.year
                })
                .map(|(j, _)| j)
                .collect();
            if !parts.is_empty() {
                regions.push((i, parts, false));
            }
        }
        Batch {
            previous,
            similar,
            regions,
        }
    }

    /// Adds the regions of the user's mapping: a summary named by publisher or file, and the
    /// reports of the same year under it. A file the mapping names replaces what was inferred.
    pub fn with_regions(
        mut self,
        map: &RegionMap,
        files: &[std::path::PathBuf],
        entries: &[Entry],
    ) -> Batch {
        let matcher = |pat: &str| {
            globset::GlobBuilder::new(pat)
                .literal_separator(false)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        };
        let hits = |m: &globset::GlobMatcher, j: usize| {
            let e = entries.get(j);
            m.is_match(&files[j])
                || e.and_then(|e| e.name.as_deref())
                    .is_some_and(|n| m.is_match(n))
                || e.and_then(|e| e.key.as_deref())
                    .is_some_and(|k| m.is_match(k))
        };
        for r in &map.region {
            let Some(sm) = matcher(&r.summary) else {
                continue;
            };
            let pms: Vec<globset::GlobMatcher> =
                r.parts.iter().filter_map(|p| matcher(p)).collect();
            for i in (0..files.len()).filter(|&i| hits(&sm, i)) {
                let year = entries.get(i).and_then(|e| e.year);
                let parts: Vec<usize> = (0..files.len())
                    .filter(|&j| j != i && pms.iter().any(|m| hits(m, j)))
                    .filter(|&j| {
                        let y = entries.get(j).and_then(|e| e.year);
                        year.is_none() || y.is_none() || y == year
                    })
                    .collect();
                self.regions.retain(|(s, _, _)| *s != i);
                if !parts.is_empty() {
                    self.regions.push((i, parts, true));
                }
            }
        }
        self
    }

    /// The reports of the bodies under file `i`, when it is a region's summary report, and
    /// whether the user's mapping says so.
    pub fn region(&self, i: usize) -> Option<(&[usize], bool)> {
        self.regions
            .iter()
            .find(|(s, _, _)| *s == i)
            .map(|(_, p, d)| (p.as_slice(), *d))
    }

    /// Last year's report of file `i`'s body in the batch.
    pub fn previous(&self, i: usize) -> Option<usize> {
        self.previous.get(i).copied().flatten()
    }

    /// Other bodies' files whose prose may be file `i`'s.
    pub fn similar(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.similar.iter().filter_map(move |&(a, b)| {
            if a == i {
                Some(b)
            } else if b == i {
                Some(a)
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_bodies_start_a_clause_or_follow_their_city() {
        assert_eq!(
            county_bodies("2024 年，洪泽区人民政府严格落实"),
            vec![(11, "洪泽区")]
        );
        assert_eq!(county_bodies("宿迁市沭阳县人民政府"), vec![(9, "沭阳县")]);
        assert!(county_bodies("区政府办代表区政府受理").is_empty());
    }

    #[test]
    fn an_html_page_is_indexed_by_its_title_without_being_laid_out() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real/2023-shuyang-fagaiju.html"
        ))
        .unwrap();
        let src = crate::source::decode_for_index("", &bytes).unwrap();
        let e = Entry::of(&src);
        assert_eq!(e.key.as_deref(), Some("沭阳县发展和改革局"));
        assert_eq!(e.year, Some(2023));
        assert!(!e.sketch.is_empty());
    }
}
