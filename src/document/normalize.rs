//! The normalised view used for matching: Traditional -> Simplified, full-width -> half-width
//! (NFKC), `?` placeholders for lost spaces and stray HTML tags removed, white space dropped
//! except between two ASCII alphanumerics. Every normalised byte maps back to an original span.

use crate::span::Span;
use ferrous_opencc::{config::BuiltinConfig, OpenCC};
use regex::Regex;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

fn t2s() -> Option<&'static OpenCC> {
    static CONV: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONV.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
}

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|\?/[A-Za-z][A-Za-z0-9]*>")
            .expect("valid regex")
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
    if !orig.iter().any(|&c| is_traditional(c)) {
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

/// Converts a whole string to Simplified (for display in `dump` and for rule patterns).
pub fn simplify(s: &str) -> String {
    to_simplified_chars(s).into_iter().collect()
}

/// A normalised copy of a piece of the original text with a map back to original byte spans.
#[derive(Debug, Clone, Default)]
pub struct NormText {
    /// The normalised text.
    pub text: String,
    /// For each byte of `text`, where the character it came from starts in the original
    /// (relative to `origin.start`) and how many bytes it has there: 5 bytes per byte, where
    /// a span would take 16 (texts are limited to far below 4 GiB).
    starts: Vec<u32>,
    lens: Vec<u8>,
    /// The original span this view covers.
    pub origin: Span,
}

impl NormText {
    /// Normalises `original`, which starts at absolute byte offset `base` in the source.
    ///
    /// One pass over the characters, writing the text and its map directly; the phrase-level
    /// Traditional converter and NFKC run only on text that needs them.
    pub fn new(original: &str, base: usize) -> NormText {
        // Stray tags, as sorted byte ranges (text without `<` or `?/` has none).
        let tags: Vec<(usize, usize)> = if original.contains('<') || original.contains("?/") {
            tag_re()
                .find_iter(original)
                .map(|m| (m.start(), m.end()))
                .collect()
        } else {
            Vec::new()
        };
        let simp: Option<Vec<char>> = original
            .chars()
            .any(is_traditional)
            .then(|| to_simplified_chars(original));
        let mut out = Builder {
            text: String::with_capacity(original.len()),
            starts: Vec::with_capacity(original.len()),
            lens: Vec::with_capacity(original.len()),
            prev: None,
            pending_space: None,
        };
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
        let Builder {
            mut text,
            mut starts,
            mut lens,
            ..
        } = out;
        text.shrink_to_fit();
        starts.shrink_to_fit();
        lens.shrink_to_fit();
        NormText {
            text,
            starts,
            lens,
            origin: Span::new(base, base + original.len()),
        }
    }

    /// Maps a byte range of the normalised text back to the original span it covers.
    pub fn orig_span(&self, start: usize, end: usize) -> Span {
        let n = self.starts.len();
        if n == 0 {
            return Span::new(self.origin.start, self.origin.start);
        }
        let base = self.origin.start;
        let s = base + self.starts[start.min(n - 1)] as usize;
        let e = if end == 0 {
            s
        } else {
            let k = (end - 1).min(n - 1);
            base + self.starts[k] as usize + usize::from(self.lens[k])
        };
        Span::new(s, e.max(s))
    }
}

/// The normalised text under construction: white space is held back and kept only between two
/// ASCII alphanumerics.
struct Builder {
    text: String,
    starts: Vec<u32>,
    lens: Vec<u8>,
    prev: Option<char>,
    pending_space: Option<(u32, u8)>,
}

impl Builder {
    fn push(&mut self, c: char, at: u32, len: u8) {
        if c.is_whitespace() {
            if self.pending_space.is_none() {
                self.pending_space = Some((at, len));
            }
            return;
        }
        if let Some((sat, slen)) = self.pending_space.take() {
            if self.prev.is_some_and(|p| p.is_ascii_alphanumeric()) && c.is_ascii_alphanumeric() {
                self.text.push(' ');
                self.starts.push(sat);
                self.lens.push(slen);
            }
        }
        let n = c.len_utf8();
        self.text.push(c);
        for _ in 0..n {
            self.starts.push(at);
            self.lens.push(len);
        }
        self.prev = Some(c);
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
