//! Regexes that cost what their use is worth: compiled on first use, first by a small engine
//! that compiles in microseconds (`regex-lite`), and by the full engine (`regex`) once the
//! pattern has searched enough text for its faster search to pay for its compile.
//!
//! A run on one report searches most patterns over a few sentences, where compiling them with
//! the full engine (its automata, Unicode tables) costs more than the search itself; a batch
//! searches them over megabytes. The small engine is given the pattern as `regex-syntax`
//! understands it, printed back with every class spelt out as ranges (`\s`, `\d`, `\p{Han}`,
//! case-insensitive letters: Unicode-aware in `regex`, ASCII in `regex-lite`), so both engines
//! read it alike; a pattern whose meaning the small engine cannot be given (word boundaries,
//! line anchors) uses the full engine from the start (`lite_source`). The test
//! `tests/prefilter.rs` checks on every sentence of the real reports that both engines find the
//! same matches and groups for every built-in pattern.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Maximum size of a compiled pattern (bytes of regex program), to keep matching bounded.
pub const MAX_PATTERN_SIZE: usize = 1 << 20;

/// Bytes of text a pattern searches with the small engine before the full engine is compiled
/// for it: about where the full engine's compile (~40 µs for a typical rule pattern) is repaid
/// by its faster search (~10x; measured on the bundled reports).
const LITE_BUDGET: usize = 4096;

/// Most prefix literals kept for [`LazyRegex::may_match`].
const MAX_PREFIXES: usize = 32;

/// A regex compiled on first use (see the module documentation), with a literal prefilter
/// read from its syntax.
#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    full: OnceLock<regex::Regex>,
    lite: OnceLock<Option<regex_lite::Regex>>,
    /// Bytes searched with the small engine so far.
    searched: AtomicUsize,
    shape: OnceLock<Shape>,
}

/// What a pattern's syntax says about it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Shape {
    /// No anchors or word boundaries.
    look_free: bool,
    /// The literals every match starts with (`None`: no such finite set).
    prefixes: Option<Box<[String]>>,
    /// The pattern as the small engine is given it (its meaning spelt out), when it can be.
    lite: Option<String>,
    /// Every match starts at the start of the text (`^…`) and is at most so many bytes long:
    /// a search reads no more than that (and a character) of the text, however long the text.
    head: Option<usize>,
}

impl Clone for LazyRegex {
    fn clone(&self) -> LazyRegex {
        LazyRegex {
            source: self.source.clone(),
            full: self.full.clone(),
            lite: self.lite.clone(),
            searched: AtomicUsize::new(self.searched.load(Ordering::Relaxed)),
            shape: self.shape.clone(),
        }
    }
}

/// Written as its source and its shape; read back uncompiled, with the shape (the embedded
/// built-in rule sets: a run then parses no pattern's syntax to find its literals).
impl serde::Serialize for LazyRegex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(&self.source, self.shape()), s)
    }
}

impl<'de> serde::Deserialize<'de> for LazyRegex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LazyRegex, D::Error> {
        let (source, shape) = <(String, Shape)>::deserialize(d)?;
        let r = LazyRegex::new(source);
        let _ = r.shape.set(shape);
        Ok(r)
    }
}

/// A match: its text and its byte range in the text searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'h> {
    text: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Found<'h> {
    /// Start byte offset.
    pub fn start(&self) -> usize {
        self.start
    }

    /// End byte offset (exclusive).
    pub fn end(&self) -> usize {
        self.end
    }

    /// The matched text.
    pub fn as_str(&self) -> &'h str {
        self.text
    }
}

impl<'h> From<regex::Match<'h>> for Found<'h> {
    fn from(m: regex::Match<'h>) -> Found<'h> {
        Found {
            text: m.as_str(),
            start: m.start(),
            end: m.end(),
        }
    }
}

impl<'h> From<regex_lite::Match<'h>> for Found<'h> {
    fn from(m: regex_lite::Match<'h>) -> Found<'h> {
        Found {
            text: m.as_str(),
            start: m.start(),
            end: m.end(),
        }
    }
}

/// The groups of one match.
#[derive(Debug)]
pub enum Groups<'h> {
    /// Found by the full engine.
    Full(regex::Captures<'h>),
    /// Found by the small engine.
    Lite(regex_lite::Captures<'h>),
}

impl<'h> Groups<'h> {
    /// Group `i` (0: the whole match), when it took part in the match.
    pub fn get(&self, i: usize) -> Option<Found<'h>> {
        match self {
            Groups::Full(c) => c.get(i).map(Found::from),
            Groups::Lite(c) => c.get(i).map(Found::from),
        }
    }

    /// The named group, when it took part in the match.
    pub fn name(&self, name: &str) -> Option<Found<'h>> {
        match self {
            Groups::Full(c) => c.name(name).map(Found::from),
            Groups::Lite(c) => c.name(name).map(Found::from),
        }
    }
}

/// The matches of [`LazyRegex::find_iter`].
#[derive(Debug)]
pub enum FindIter<'r, 'h> {
    /// Found by the full engine.
    Full(regex::Matches<'r, 'h>),
    /// Found by the small engine.
    Lite(regex_lite::Matches<'r, 'h>),
}

impl<'h> Iterator for FindIter<'_, 'h> {
    type Item = Found<'h>;

    fn next(&mut self) -> Option<Found<'h>> {
        match self {
            FindIter::Full(i) => i.next().map(Found::from),
            FindIter::Lite(i) => i.next().map(Found::from),
        }
    }
}

/// The matches of [`LazyRegex::captures_iter`].
#[derive(Debug)]
pub enum CapturesIter<'r, 'h> {
    /// Found by the full engine.
    Full(regex::CaptureMatches<'r, 'h>),
    /// Found by the small engine.
    Lite(regex_lite::CaptureMatches<'r, 'h>),
}

impl<'h> Iterator for CapturesIter<'_, 'h> {
    type Item = Groups<'h>;

    fn next(&mut self) -> Option<Groups<'h>> {
        match self {
            CapturesIter::Full(i) => i.next().map(Groups::Full),
            CapturesIter::Lite(i) => i.next().map(Groups::Lite),
        }
    }
}

/// The engine a search runs on.
enum Engine<'r> {
    Full(&'r regex::Regex),
    Lite(&'r regex_lite::Regex),
}

fn compile_full(src: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(src)
        .size_limit(MAX_PATTERN_SIZE)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "pattern is too large".to_string(),
            other => other.to_string(),
        })
}

/// Full-engine regexes by source, shared by every pattern of the process (the 2019 and 2021
/// sets share the common fields; a date pattern serves several fields).
fn compile_shared(src: &str) -> Result<regex::Regex, String> {
    type Cache = std::sync::Mutex<std::collections::HashMap<String, regex::Regex>>;
    static CACHE: std::sync::LazyLock<Cache> = std::sync::LazyLock::new(Default::default);
    if let Some(r) = CACHE.lock().ok().and_then(|c| c.get(src).cloned()) {
        return Ok(r);
    }
    let r = compile_full(src)?;
    if let Ok(mut c) = CACHE.lock() {
        c.insert(src.to_string(), r.clone());
    }
    Ok(r)
}

/// The pattern for `regex-lite`, meaning exactly what `hir` means to `regex`: the syntax tree
/// printed back, where every class is a set of ranges (so `\s`, `\d`, `\p{Han}`, `.` and
/// case-insensitive letters mean the same to both engines) and `^ $` are the text anchors
/// `\A \z`. `None` when the tree has other look-arounds (word boundaries, line anchors), which
/// the engines read differently, or matches bytes that are not UTF-8.
fn lite_source(hir: &regex_syntax::hir::Hir) -> Option<String> {
    use regex_syntax::hir::{Look, LookSet};
    let text_anchors = LookSet::empty().insert(Look::Start).insert(Look::End);
    let props = hir.properties();
    (props.is_utf8() && props.look_set().subtract(text_anchors).is_empty()).then(|| hir.to_string())
}

/// The pattern's shape, read from its syntax (one parse).
fn shape(src: &str) -> Shape {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let Ok(hir) = regex_syntax::Parser::new().parse(src) else {
        return Shape {
            look_free: false,
            prefixes: None,
            lite: None,
            head: None,
        };
    };
    let lite = lite_source(&hir);
    let look_free = hir.properties().look_set().is_empty();
    let anchored = hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::Start);
    let head = hir
        .properties()
        .maximum_len()
        .filter(|_| anchored)
        .map(|n| n.saturating_add(4));
    // At most MAX_PREFIXES literals: a longer cross product stops early, its literals cut
    // (inexact prefixes are still what every match starts with).
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(MAX_PREFIXES)
        .extract(&hir);
    let prefixes = seq.literals().and_then(|lits| {
        let ok = !lits.is_empty()
            && lits.len() <= MAX_PREFIXES
            && lits.iter().all(|l| !l.as_bytes().is_empty());
        // Every literal as text (a literal cut inside a character is no prefix to search for).
        let texts: Vec<String> = lits
            .iter()
            .filter_map(|l| std::str::from_utf8(l.as_bytes()).ok().map(str::to_string))
            .collect();
        let all_text = texts.len() == lits.len();
        // A literal that starts with a shorter one adds nothing to a search for them all.
        let mut texts = texts;
        texts.sort_by_key(String::len);
        let mut kept: Vec<String> = Vec::with_capacity(texts.len());
        for t in texts {
            if !kept.iter().any(|k| t.starts_with(k.as_str())) {
                kept.push(t);
            }
        }
        (ok && all_text).then(|| kept.into_boxed_slice())
    });
    Shape {
        look_free,
        prefixes,
        lite,
        head,
    }
}

impl LazyRegex {
    /// A pattern compiled on first use. An invalid pattern matches nothing; use
    /// [`LazyRegex::compiled`] or [`LazyRegex::check`] where its error must be reported.
    pub fn new(source: impl Into<String>) -> LazyRegex {
        LazyRegex {
            source: source.into(),
            full: OnceLock::new(),
            lite: OnceLock::new(),
            searched: AtomicUsize::new(0),
            shape: OnceLock::new(),
        }
    }

    /// A pattern compiled now by the full engine, or the compile error.
    pub fn compiled(source: impl Into<String>) -> Result<LazyRegex, String> {
        let r = LazyRegex::new(source);
        let _ = r.full.set(compile_shared(&r.source)?);
        Ok(r)
    }

    /// The regex source.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn shape(&self) -> &Shape {
        self.shape.get_or_init(|| shape(&self.source))
    }

    /// True when the pattern has no anchors or word boundaries, so that a match inside a part
    /// of a text is a match in the whole text (a sentence can then skip the pattern's clauses).
    pub fn look_free(&self) -> bool {
        self.shape().look_free
    }

    /// False when the pattern cannot match in `haystack` because none of the literals every
    /// match starts with occurs in it: decided without compiling the pattern (a run compiles
    /// only the patterns its report could match). True when it may match.
    pub fn may_match(&self, haystack: &str) -> bool {
        self.full.get().is_some() || !self.excludes(haystack)
    }

    /// True when the literals every match starts with are known and none occurs in
    /// `haystack`, so the pattern cannot match there.
    pub fn excludes(&self, haystack: &str) -> bool {
        match &self.shape().prefixes {
            Some(prefixes) => !prefixes.iter().any(|p| haystack.contains(p.as_str())),
            None => false,
        }
    }

    /// Compiles now with the full engine: the error a later first use would meet.
    pub fn check(&self) -> Result<(), String> {
        compile_shared(&self.source).map(|_| ())
    }

    /// The full engine's regex, compiled now if it was not.
    fn full(&self) -> &regex::Regex {
        self.full.get_or_init(|| {
            // Built-in patterns are compiled by the tests; should one still fail, it matches
            // nothing rather than stopping the run.
            compile_shared(&self.source)
                .unwrap_or_else(|_| regex::Regex::new(r"[^\s\S]").expect("valid regex"))
        })
    }

    /// The engine for a search of `len` bytes: the small one while the pattern's budget lasts.
    fn engine(&self, len: usize) -> Engine<'_> {
        if let Some(f) = self.full.get() {
            return Engine::Full(f);
        }
        let shape = self.shape();
        // An anchored search of bounded length reads the text's head only (a heading pattern
        // tried on every line); any other search is charged the whole text, so the small
        // engine never reads more than the budget in all.
        let cost = shape.head.map_or(len, |head| len.min(head));
        if let (Some(source), true) = (
            &shape.lite,
            self.searched.fetch_add(cost, Ordering::Relaxed) + cost <= LITE_BUDGET,
        ) {
            let lite = self.lite.get_or_init(|| {
                regex_lite::RegexBuilder::new(source)
                    .size_limit(MAX_PATTERN_SIZE)
                    .build()
                    .ok()
            });
            if let Some(l) = lite {
                return Engine::Lite(l);
            }
        }
        Engine::Full(self.full())
    }

    /// True when the pattern matches somewhere in `h`.
    pub fn is_match(&self, h: &str) -> bool {
        match self.engine(h.len()) {
            Engine::Full(r) => r.is_match(h),
            Engine::Lite(r) => r.is_match(h),
        }
    }

    /// The leftmost-first match in `h`.
    pub fn find<'h>(&self, h: &'h str) -> Option<Found<'h>> {
        match self.engine(h.len()) {
            Engine::Full(r) => r.find(h).map(Found::from),
            Engine::Lite(r) => r.find(h).map(Found::from),
        }
    }

    /// Every non-overlapping match in `h`, in order.
    pub fn find_iter<'r, 'h>(&'r self, h: &'h str) -> FindIter<'r, 'h> {
        match self.engine(h.len()) {
            Engine::Full(r) => FindIter::Full(r.find_iter(h)),
            Engine::Lite(r) => FindIter::Lite(r.find_iter(h)),
        }
    }

    /// The groups of the leftmost-first match in `h`.
    pub fn captures<'h>(&self, h: &'h str) -> Option<Groups<'h>> {
        match self.engine(h.len()) {
            Engine::Full(r) => r.captures(h).map(Groups::Full),
            Engine::Lite(r) => r.captures(h).map(Groups::Lite),
        }
    }

    /// The groups of every non-overlapping match in `h`, in order.
    pub fn captures_iter<'r, 'h>(&'r self, h: &'h str) -> CapturesIter<'r, 'h> {
        match self.engine(h.len()) {
            Engine::Full(r) => CapturesIter::Full(r.captures_iter(h)),
            Engine::Lite(r) => CapturesIter::Lite(r.captures_iter(h)),
        }
    }

    /// Whether the small engine may serve this pattern (for tests).
    pub fn lite_capable(&self) -> bool {
        self.shape().lite.is_some()
    }

    /// Every match and its groups' ranges by both engines (for tests): `None` when the small
    /// engine does not serve this pattern or either engine cannot compile it.
    #[allow(clippy::type_complexity)]
    pub fn both_engines(
        &self,
        h: &str,
    ) -> Option<(
        Vec<Vec<Option<(usize, usize)>>>,
        Vec<Vec<Option<(usize, usize)>>>,
    )> {
        let lite = regex_lite::RegexBuilder::new(self.shape().lite.as_ref()?)
            .size_limit(MAX_PATTERN_SIZE)
            .build()
            .ok()?;
        let full = &compile_shared(&self.source).ok()?;
        let a = full
            .captures_iter(h)
            .map(|c| c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect())
            .collect();
        let b = lite
            .captures_iter(h)
            .map(|c| c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect())
            .collect();
        Some((a, b))
    }
}

/// The literals every match of a pattern starts with, for many patterns at once: one pass over
/// a text says which patterns may match there (the others cannot), where asking each pattern
/// ([`LazyRegex::excludes`]) would search the text once per literal.
#[derive(Debug, Clone)]
pub struct LiteralIndex {
    /// Every distinct literal (`None`: no pattern has a literal set).
    searcher: Option<aho_corasick::AhoCorasick>,
    /// The patterns each literal starts (by index into the patterns given).
    starts: Vec<Vec<u32>>,
    /// Patterns without a known literal set: they may match anywhere.
    open: Vec<u32>,
    patterns: usize,
}

impl LiteralIndex {
    /// The index of `patterns` (in order: a pattern is named by its position).
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a LazyRegex>) -> LiteralIndex {
        let mut literals: Vec<&str> = Vec::new();
        let mut starts: Vec<Vec<u32>> = Vec::new();
        let mut open = Vec::new();
        let mut by_literal: std::collections::HashMap<&str, usize> = Default::default();
        let mut n = 0u32;
        for r in patterns {
            match &r.shape().prefixes {
                Some(prefixes) => {
                    for p in prefixes.iter() {
                        let at = *by_literal.entry(p.as_str()).or_insert_with(|| {
                            literals.push(p.as_str());
                            starts.push(Vec::new());
                            literals.len() - 1
                        });
                        if starts[at].last() != Some(&n) {
                            starts[at].push(n);
                        }
                    }
                }
                None => open.push(n),
            }
            n += 1;
        }
        // The literals are the rule files' own and few (at most `MAX_PREFIXES` a pattern); should
        // the automaton still not build, every pattern is open.
        let searcher = (!literals.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&literals).ok())
            .flatten();
        if searcher.is_none() {
            open = (0..n).collect();
            starts.clear();
        }
        LiteralIndex {
            searcher,
            starts,
            open,
            patterns: n as usize,
        }
    }

    /// Which patterns may match in `haystack` (`out[i]`: pattern `i`), in one pass over it.
    pub fn may_match(&self, haystack: &str, out: &mut Vec<bool>) {
        out.clear();
        out.resize(self.patterns, false);
        for &i in &self.open {
            out[i as usize] = true;
        }
        let Some(searcher) = &self.searcher else {
            return;
        };
        // A literal found again marks the same few patterns again (no allocation per text).
        for m in searcher.find_overlapping_iter(haystack) {
            for &p in &self.starts[m.pattern().as_usize()] {
                out[p as usize] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_engine_reads_a_pattern_as_the_full_one_does() {
        let texts = [
            "共收到申请１２件，办结10件 。٣件",
            "abc\u{3000}X ABC x Kelvin \u{212A} k",
            "洪泽区 2019年12月31日\u{a0}止",
            "line one\nline two\r\n",
        ];
        for p in [
            r"(?P<n>[0-9]+)件",
            r"\d+件",
            r"\s",
            r"\S+",
            r"\p{Han}{2,4}(?:区|县)",
            r"(?i)abc\s*x",
            r"(?i)k",
            r"[\d]",
            r"[[:alpha:]]+",
            r"[a-z&&[^b]]+",
            r"^.+$",
            r"(?s).+",
            r"(\d+)年(\d+)月(?:(\d+)日)?(\s|$)",
        ] {
            let r = LazyRegex::new(p);
            assert!(r.lite_capable(), "{p}");
            for t in texts {
                let (full, lite) = r.both_engines(t).expect("served by both");
                assert_eq!(full, lite, "{p} on {t:?}");
            }
        }
        for not in [r"(?m)^x", r"\bx", r"x\B", r"(?-u:\xFF)", r"("] {
            assert!(!LazyRegex::new(not).lite_capable(), "{not}");
        }
    }

    /// A pattern with more literal beginnings than are kept still gets a prefilter: the
    /// beginnings cut short (still what every match starts with), none extending another.
    #[test]
    fn many_literal_beginnings_are_cut_not_dropped() {
        let re = LazyRegex::new("转(入|至|到)?下一?年度?(继续)?(办理)?(答复)?");
        let prefixes = re.shape().prefixes.clone().expect("a prefilter");
        assert!(prefixes.len() <= MAX_PREFIXES);
        for (i, a) in prefixes.iter().enumerate() {
            for (j, b) in prefixes.iter().enumerate() {
                assert!(i == j || !b.starts_with(a.as_str()), "{a} begins {b}");
            }
        }
        for text in [
            "转入下年度继续办理",
            "已转至下一年度答复",
            "转下年",
            "结转3件",
            "下一年度",
        ] {
            let found = compile_full(&re.source).unwrap().is_match(text);
            assert!(!(found && re.excludes(text)), "{text}");
            assert_eq!(re.is_match(text), found, "{text}");
        }
        assert!(re.excludes("结转3件，下一年度办理"));
    }

    #[test]
    fn the_full_engine_takes_over_after_the_budget_with_the_same_results() {
        let r = LazyRegex::new(r"(?P<n>[0-9]+)件");
        let text = "共收到申请12件，办结10件。".repeat(8);
        let mut seen = Vec::new();
        // The first searches run on the small engine; later ones on the full engine.
        while r.full.get().is_none() {
            let got: Vec<(usize, usize, String)> = r
                .captures_iter(&text)
                .map(|c| {
                    let n = c.name("n").expect("group");
                    (n.start(), n.end(), n.as_str().to_string())
                })
                .collect();
            seen.push(got);
        }
        assert!(seen.len() > 1 && r.lite.get().is_some());
        let full: Vec<(usize, usize, String)> = r
            .captures_iter(&text)
            .map(|c| {
                let n = c.name("n").expect("group");
                (n.start(), n.end(), n.as_str().to_string())
            })
            .collect();
        assert_eq!(full.len(), 16);
        assert!(seen.iter().all(|s| *s == full));
        assert_eq!(r.find(&text).map(|m| m.as_str()), Some("12件"));
        assert_eq!(r.find_iter(&text).count(), 16);
        assert!(r.is_match("3件") && !r.is_match("三件"));
    }

    #[test]
    fn only_a_bounded_anchored_search_is_charged_for_the_head_alone() {
        let long = format!("一、{}", "字".repeat(2000));
        // Bounded and anchored: a search reads a few characters, however long the line.
        let heading = LazyRegex::new(r"^[一二三四五六七八九十]{1,3}、");
        for _ in 0..100 {
            assert!(heading.is_match(&long));
        }
        assert!(heading.full.get().is_none() && heading.lite.get().is_some());
        // Anchored but unbounded: the small engine may read the whole text, which is charged.
        let open = LazyRegex::new(r"^一.*字$");
        assert!(open.is_match(&long) && open.is_match(&long));
        assert!(open.full.get().is_some());
    }

    #[test]
    fn an_invalid_pattern_matches_nothing_and_says_why() {
        let r = LazyRegex::new("(");
        assert!(!r.is_match("(") && r.find("(").is_none());
        assert!(r.check().is_err() && LazyRegex::compiled("(").is_err());
    }
}
