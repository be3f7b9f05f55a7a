//! The normalised view used for matching: Traditional -> Simplified, full-width -> half-width
//! (NFKC), `?` placeholders for lost spaces and stray HTML tags removed, white space dropped
//! except between two ASCII alphanumerics. Every normalised byte maps back to an original span.

use crate::matcher::LazyRegex;
use crate::span::Span;
use ferrous_opencc::{config::BuiltinConfig, OpenCC};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

fn t2s() -> Option<&'static OpenCC> {
    static CONV: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONV.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
}

/// An HTML tag or a tag's remnant (`</span>`, `?/span>` where the `<` was lost). The white
/// space after the name is spelt out as Unicode's White_Space (what `\s` means) so that the
/// small regex engine reads it alike ([`crate::matcher`]).
pub(crate) fn tag_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| {
        LazyRegex::new(
            r"</?[A-Za-z][A-Za-z0-9]*(?:[\t\n\x0B\x0C\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}][^<>]*)?/?>|\?/[A-Za-z][A-Za-z0-9]*>",
        )
    })
}

/// The Simplified form of a character OpenCC converts on its own (from the generated table).
fn simplified_char(c: char) -> Option<char> {
    if (c as u32) < 0x2E80 {
        return None;
    }
    let pairs = super::t2s_table::PAIRS;
    pairs
        .binary_search_by_key(&(c as u32), |p| p.0)
        .ok()
        .and_then(|i| char::from_u32(pairs[i].1))
}

/// Converts Traditional characters to Simplified, keeping one output char per input char so
/// that offsets stay aligned. Text without a Traditional character (nearly every report) is
/// left as it is without calling OpenCC; the rest is converted by phrases where that keeps the
/// length, else character by character.
pub fn to_simplified_chars(s: &str) -> Vec<char> {
    let orig: Vec<char> = s.chars().collect();
    if !has_traditional(s) {
        return orig
            .into_iter()
            .map(|c| if c == '於' { '于' } else { c })
            .collect();
    }
    let Some(conv) = t2s() else { return orig };
    let converted: Vec<char> = conv.convert(s).chars().collect();
    let mut out = if converted.len() == orig.len() {
        converted
    } else {
        orig.iter()
            .map(|&c| simplified_char(c).unwrap_or(c))
            .collect()
    };
    for c in out.iter_mut() {
        // For matching only: OpenCC keeps 於 in names (於潜镇), but prose uses 于 and 於 alike.
        if *c == '於' {
            *c = '于';
        }
    }
    out
}

/// A Han ideograph of the blocks reports use (not `〇`, which is read as a numeral).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Whether a text has a character OpenCC would convert (a Traditional character).
pub fn has_traditional(s: &str) -> bool {
    s.chars().any(is_traditional)
}

/// Converts a whole string to Simplified (for display in `dump` and for rule patterns).
pub fn simplify(s: &str) -> String {
    to_simplified_chars(s).into_iter().collect()
}

/// A normalised copy of a piece of the original text with a map back to original byte spans.
#[derive(Debug, Clone, Default)]
pub struct NormText {
    /// The normalised text.
    pub text: String,
    /// The map back, as runs (see [`Runs`]): about 10 bytes per run, and a sentence of a report
    /// has a few runs (one per dropped space, stray tag or full-width character), where a map
    /// per byte would take 5 bytes for every byte.
    runs: Runs,
    /// Where the original text starts in the source.
    base: usize,
}

/// Runs of normalised text that map back to the original by arithmetic, in order.
type Runs = Box<[Run]>;

/// A run starts at byte `norm` of the normalised text and at byte `orig` of the original
/// (relative to the view's origin). In an identity run (`unit == 0`) every character is the
/// original character, byte for byte. Otherwise every `unit` normalised bytes come from one
/// original character of `olen` bytes (`１` -> `1`, `㈠` -> `(一)`), the next following it.
#[derive(Debug, Clone, Copy)]
struct Run {
    norm: u32,
    orig: u32,
    unit: u16,
    olen: u8,
}

impl NormText {
    /// Normalises `original`, which starts at absolute byte offset `base` in the source.
    ///
    /// One pass over the characters, writing the text and its map directly; the phrase-level
    /// Traditional converter and NFKC run only on text that needs them.
    pub fn new(original: &str, base: usize) -> NormText {
        let mut out = Builder::new(String::with_capacity(original.len()), Vec::new());
        normalize_into(&mut out, original);
        let (mut text, runs) = out.finish();
        text.shrink_to_fit();
        NormText {
            text,
            runs: runs.into_boxed_slice(),
            base,
        }
    }

    /// The borrowed view of this text.
    pub fn view(&self) -> NormRef<'_> {
        NormRef {
            text: &self.text,
            runs: &self.runs,
            base: self.base,
        }
    }

    /// Maps a byte range of the normalised text back to the original span it covers.
    pub fn orig_span(&self, start: usize, end: usize) -> Span {
        self.view().orig_span(start, end)
    }
}

/// Normalises `original` into the builder (see [`NormText::new`]).
fn normalize_into(out: &mut Builder, original: &str) {
    {
        // Stray tags, as sorted byte ranges (text without `<` or `?/` has none).
        let tags: Vec<(usize, usize)> = if original.contains('<') || original.contains("?/") {
            tag_re()
                .find_iter(original)
                .map(|m| (m.start(), m.end()))
                .collect()
        } else {
            Vec::new()
        };
        let simp: Option<Vec<char>> =
            has_traditional(original).then(|| to_simplified_chars(original));
        let mut tag = 0;
        for (k, (off, oc)) in original.char_indices().enumerate() {
            while tag < tags.len() && tags[tag].1 <= off {
                tag += 1;
            }
            if tag < tags.len() && tags[tag].0 <= off {
                continue;
            }
            let at = u32::try_from(off).unwrap_or(u32::MAX);
            let len = oc.len_utf8() as u8;
            if oc == '?' || oc == '\u{FFFD}' {
                out.push(' ', at, len);
                continue;
            }
            let sc = match &simp {
                Some(v) => v.get(k).copied().unwrap_or(oc),
                None if oc == '於' => '于',
                None => oc,
            };
            if nfkc_identity(sc) {
                out.push(sc, at, len);
            } else {
                let mut b = [0u8; 4];
                for nc in sc.encode_utf8(&mut b).nfkc() {
                    let nc = if nc == '\u{00A0}' || nc == '\u{3000}' {
                        ' '
                    } else {
                        nc
                    };
                    out.push(nc, at, len);
                }
            }
        }
    }
}

/// A normalised text borrowed from a [`NormText`] or from a [`NormTexts`], with its map back.
#[derive(Debug, Clone, Copy)]
pub struct NormRef<'a> {
    /// The normalised text.
    pub text: &'a str,
    runs: &'a [Run],
    base: usize,
}

impl NormRef<'_> {
    /// Maps a byte range of the normalised text back to the original span it covers.
    pub fn orig_span(&self, start: usize, end: usize) -> Span {
        let n = self.text.len();
        let base = self.base;
        if n == 0 || self.runs.is_empty() {
            return Span::new(base, base);
        }
        let (s, _) = self.char_at(start.min(n - 1));
        let e = if end == 0 {
            s
        } else {
            self.char_at((end - 1).min(n - 1)).1
        };
        Span::new(base + s, base + e.max(s))
    }

    /// The original span (relative to the origin) of the character byte `b` came from.
    fn char_at(&self, b: usize) -> (usize, usize) {
        let i = self
            .runs
            .partition_point(|r| r.norm as usize <= b)
            .saturating_sub(1);
        let r = self.runs[i];
        let (norm, orig) = (r.norm as usize, r.orig as usize);
        match r.unit {
            0 => {
                let mut cb = b;
                while cb > norm && !self.text.is_char_boundary(cb) {
                    cb -= 1;
                }
                let len = self.text[cb..].chars().next().map_or(1, char::len_utf8);
                let at = orig + (cb - norm);
                (at, at + len)
            }
            unit => {
                let at = orig + (b - norm) / usize::from(unit) * usize::from(r.olen);
                (at, at + usize::from(r.olen))
            }
        }
    }
}

/// Many pieces of one text normalised into shared buffers (the sentences of a report): no
/// allocation per piece, and 16 bytes of index per piece besides the text and its runs.
#[derive(Debug, Default)]
pub struct NormTexts {
    text: String,
    runs: Vec<Run>,
    /// Per piece: where its text and its runs end.
    ends: Vec<(usize, usize)>,
}

impl NormTexts {
    /// Room for pieces of about `bytes` bytes of text in all, `pieces` of them.
    pub fn with_capacity(bytes: usize, pieces: usize) -> NormTexts {
        NormTexts {
            text: String::with_capacity(bytes),
            runs: Vec::with_capacity(pieces),
            ends: Vec::with_capacity(pieces),
        }
    }

    /// Normalises `original` as the next piece.
    pub fn push(&mut self, original: &str) {
        let mut out = Builder::new(
            std::mem::take(&mut self.text),
            std::mem::take(&mut self.runs),
        );
        normalize_into(&mut out, original);
        (self.text, self.runs) = out.finish();
        self.ends.push((self.text.len(), self.runs.len()));
    }

    /// The `i`th piece, whose original starts at `base` in the source.
    pub fn get(&self, i: usize, base: usize) -> NormRef<'_> {
        let (text_end, runs_end) = self.ends[i];
        let (text_start, runs_start) = match i.checked_sub(1) {
            Some(p) => (self.ends[p].0, self.ends[p].1),
            None => (0, 0),
        };
        NormRef {
            text: &self.text[text_start..text_end],
            runs: &self.runs[runs_start..runs_end],
            base,
        }
    }

    /// Every piece's normalised text, one after the other (a text that holds none of a
    /// pattern's literals holds none in any piece).
    pub fn joined(&self) -> &str {
        &self.text
    }

    /// The number of pieces.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// The normalised text under construction: white space is held back and kept only between two
/// ASCII alphanumerics. Characters are grouped by the original character they come from, and
/// the groups into [`Runs`].
struct Builder {
    /// The normalised text; this piece starts at `text_origin` (earlier pieces before it).
    text: String,
    text_origin: usize,
    /// The runs; this piece's start at `runs_origin`.
    runs: Vec<Run>,
    runs_origin: usize,
    /// The open group: (normalised start, original offset, original length, characters).
    group: Option<(usize, u32, u8, usize)>,
    /// Where the last run ends in the original (for extending it).
    run_orig_end: u32,
    prev: Option<char>,
    pending_space: Option<(u32, u8)>,
}

impl Builder {
    /// A builder appending a piece to `text` and `runs`.
    fn new(text: String, runs: Vec<Run>) -> Builder {
        Builder {
            text_origin: text.len(),
            runs_origin: runs.len(),
            text,
            runs,
            group: None,
            run_orig_end: 0,
            prev: None,
            pending_space: None,
        }
    }

    fn push(&mut self, c: char, at: u32, len: u8) {
        if c.is_whitespace() {
            if self.pending_space.is_none() {
                self.pending_space = Some((at, len));
            }
            return;
        }
        if let Some((sat, slen)) = self.pending_space.take() {
            if self.prev.is_some_and(|p| p.is_ascii_alphanumeric()) && c.is_ascii_alphanumeric() {
                self.emit(' ', sat, slen);
            }
        }
        self.emit(c, at, len);
        self.prev = Some(c);
    }

    fn emit(&mut self, c: char, at: u32, len: u8) {
        match &mut self.group {
            Some((_, gat, glen, chars)) if *gat == at && *glen == len => *chars += 1,
            _ => {
                self.close_group();
                self.group = Some((self.text.len() - self.text_origin, at, len, 1));
            }
        }
        self.text.push(c);
    }

    /// Adds the open group to the runs: it extends the last run where the arithmetic holds.
    fn close_group(&mut self) {
        let Some((start, at, olen, chars)) = self.group.take() else {
            return;
        };
        let bytes = self.text.len() - self.text_origin - start;
        let unit = if chars == 1 && bytes == usize::from(olen) {
            0
        } else {
            u16::try_from(bytes).unwrap_or(u16::MAX)
        };
        let extends = self.runs[self.runs_origin..]
            .last()
            .is_some_and(|r| r.unit == unit && (unit == 0 || r.olen == olen) && unit != u16::MAX)
            && self.run_orig_end == at;
        if !extends {
            self.runs.push(Run {
                norm: u32::try_from(start).unwrap_or(u32::MAX),
                orig: at,
                unit,
                olen,
            });
        }
        self.run_orig_end = at.saturating_add(u32::from(olen));
    }

    fn finish(mut self) -> (String, Vec<Run>) {
        self.close_group();
        (self.text, self.runs)
    }
}

/// Characters NFKC leaves as they are, known without running it: ASCII and the CJK Unified
/// Ideographs (nearly every character of a report).
fn nfkc_identity(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Whether OpenCC converts `c` on its own (a bitmap over the Basic Multilingual Plane, built
/// once from the generated table; other planes by search).
fn is_traditional(c: char) -> bool {
    static BMP: OnceLock<Vec<u64>> = OnceLock::new();
    let cp = c as u32;
    if cp < 0x2E80 {
        return false;
    }
    if cp > 0xFFFF {
        return simplified_char(c).is_some();
    }
    let bits = BMP.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        for &(t, _) in super::t2s_table::PAIRS {
            if t <= 0xFFFF {
                bits[t as usize / 64] |= 1 << (t % 64);
            }
        }
        bits
    });
    bits[cp as usize / 64] & (1 << (cp % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_pattern_spells_out_what_backslash_s_means() {
        let tag = tag_re();
        assert!(tag.lite_capable());
        let with_s =
            regex::Regex::new(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|\?/[A-Za-z][A-Za-z0-9]*>")
                .expect("valid");
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let t = format!("<span{c}class=x>");
            assert_eq!(
                tag.find(&t).map(|m| m.as_str()),
                with_s.find(&t).map(|m| m.as_str()),
                "U+{:04X}",
                c as u32
            );
        }
        // The small engine, which serves the first searches, reads it alike.
        let all: String = (0..0x3100u32)
            .filter_map(char::from_u32)
            .map(|c| format!("<a{c}b>"))
            .collect();
        let (full, lite) = tag.both_engines(&all).expect("served by both");
        assert_eq!(full, lite);
        assert_eq!(full.len(), with_s.find_iter(&all).count());
        assert!(
            full.len() > 25 + 62,
            "white space and ASCII letters and digits"
        );
    }

    /// The map as it was kept before runs: for each normalised byte, the original character's
    /// offset and length (the oracle the runs must agree with).
    fn per_byte(original: &str) -> Vec<(u32, u8)> {
        let n = NormText::new(original, 0);
        // Rebuild by replaying the same pushes into a per-byte list.
        let mut out: Vec<(u32, u8)> = Vec::new();
        let mut prev: Option<char> = None;
        let mut pending: Option<(u32, u8)> = None;
        let simp = to_simplified_chars(original);
        let tags: Vec<(usize, usize)> = tag_re()
            .find_iter(original)
            .map(|m| (m.start(), m.end()))
            .collect();
        let mut push = |c: char, at: u32, len: u8| {
            if c.is_whitespace() {
                pending.get_or_insert((at, len));
                return;
            }
            if let Some((sat, slen)) = pending.take() {
                if prev.is_some_and(|p| p.is_ascii_alphanumeric()) && c.is_ascii_alphanumeric() {
                    out.push((sat, slen));
                }
            }
            for _ in 0..c.len_utf8() {
                out.push((at, len));
            }
            prev = Some(c);
        };
        for (k, (off, oc)) in original.char_indices().enumerate() {
            if tags.iter().any(|&(a, b)| a <= off && off < b) {
                continue;
            }
            let (at, len) = (off as u32, oc.len_utf8() as u8);
            if oc == '?' || oc == '\u{FFFD}' {
                push(' ', at, len);
                continue;
            }
            let mut b = [0u8; 4];
            for nc in simp[k].encode_utf8(&mut b).nfkc() {
                let nc = if nc == '\u{00A0}' || nc == '\u{3000}' {
                    ' '
                } else {
                    nc
                };
                push(nc, at, len);
            }
        }
        assert_eq!(out.len(), n.text.len(), "{original:?}");
        out
    }

    #[test]
    fn runs_map_every_character_back_like_a_per_byte_map() {
        let samples = [
            "截止到２０１９年12月31日,我鎮政府主動公開信息613條",
            "??。公开 1136 条 10 1 </span>件　全角　空格",
            "㈠主动公开情况 ⑴ 一、 ｛１２３｝ abc  def\u{00A0}gh\u{3000}ij",
            "１１１２２２aaa１a１a１ 屬於 於潛鎮 ℡ ﬁ ㍱ ﷺ x",
            "",
            "   ",
            "<p>只有标签</p>",
            "\u{FFFD}\u{FFFD}混合\u{FFFD}文本 ",
        ];
        for src in samples {
            let n = NormText::new(src, 7);
            let oracle = per_byte(src);
            let bounds: Vec<usize> = (0..=n.text.len())
                .filter(|&b| n.text.is_char_boundary(b))
                .collect();
            for (x, &a) in bounds.iter().enumerate() {
                for &b in &bounds[x..] {
                    let got = n.orig_span(a, b);
                    if oracle.is_empty() {
                        assert_eq!(got, Span::new(7, 7));
                        continue;
                    }
                    let k = oracle.len();
                    let s = 7 + oracle[a.min(k - 1)].0 as usize;
                    let e = if b == 0 {
                        s
                    } else {
                        let (at, len) = oracle[(b - 1).min(k - 1)];
                        7 + at as usize + usize::from(len)
                    };
                    assert_eq!(got, Span::new(s, e.max(s)), "{src:?} {a}..{b}");
                }
            }
        }
    }

    #[test]
    fn traditional_full_width_and_noise() {
        let src = "??。截止到２０１９年12月31日,我鎮政府主動公開信息613條";
        let n = NormText::new(src, 100);
        assert_eq!(n.text, "。截止到2019年12月31日,我镇政府主动公开信息613条");
        let i = n.text.find("613").unwrap();
        let sp = n.orig_span(i, i + 3);
        assert_eq!(&src[sp.start - 100..sp.end - 100], "613");
        let j = n.text.find("2019").unwrap();
        let sp = n.orig_span(j, j + 4);
        assert_eq!(&src[sp.start - 100..sp.end - 100], "２０１９");
    }

    #[test]
    fn spaces_between_digits_survive_and_tags_go() {
        let n = NormText::new("公开 1136 条 10 1 </span>件", 0);
        assert_eq!(n.text, "公开1136条10 1件");
    }

    #[test]
    fn yu_is_unified() {
        assert_eq!(NormText::new("屬於 屬于 於潛鎮", 0).text, "属于属于于潜镇");
    }
}
