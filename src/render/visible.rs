//! Untrusted text made safe for a terminal: control characters (escape sequences that clear the
//! screen, set the window title, write the clipboard), lone carriage returns and bidirectional
//! overrides are shown as visible symbols instead of reaching the terminal raw. Every renderer
//! writes report text, file names and rule-file strings through here.

use codespan_reporting::term::termcolor::{ColorSpec, WriteColor};
use std::borrow::Cow;
use std::io::{self, Write};

/// The visible form of a character that must not reach a terminal raw, if it is one.
pub fn replacement(c: char) -> Option<Cow<'static, str>> {
    let code = c as u32;
    match c {
        '\n' | '\t' => None,
        // C0 controls and CR: the Unicode control pictures (␛ for ESC, ␍ for CR).
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + code).map(|p| Cow::Owned(p.to_string())),
        '\u{7f}' => Some(Cow::Borrowed("␡")),
        // C1 controls (U+009B is CSI on some terminals), bidirectional overrides and
        // isolates, line and paragraph separators.
        '\u{80}'..='\u{9f}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}' => Some(Cow::Owned(format!("\\u{{{code:x}}}"))),
        _ => None,
    }
}

/// Whether `s` holds none of the characters [`replacement`] changes, other than `\n` (and, with
/// `crlf_ok`, a CR before a newline): decided on the bytes, since all output passes here.
fn is_clean(s: &str, crlf_ok: bool) -> bool {
    let b = s.as_bytes();
    // Nearly all text: no byte that could begin one of them (a check the compiler vectorises).
    let plain = |c: u8| (c >= 0x20 && !matches!(c, 0x7f | 0xC2 | 0xD8 | 0xE2)) || c == b'\n';
    if b.iter().fold(true, |ok, &c| ok & plain(c)) {
        return true;
    }
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    b.iter().enumerate().all(|(i, &c)| match c {
        b'\n' | b'\t' => true,
        b'\r' => crlf_ok && at(i + 1) == b'\n',
        0..=0x1f | 0x7f => false,
        // U+0080..U+009F (C1 controls).
        0xC2 => !(0x80..=0x9f).contains(&at(i + 1)),
        // U+061C (Arabic letter mark).
        0xD8 => at(i + 1) != 0x9c,
        // U+200E, U+200F, U+2028..U+202E; U+2066..U+2069.
        0xE2 => match at(i + 1) {
            0x80 => !matches!(at(i + 2), 0x8e | 0x8f | 0xa8..=0xae),
            0x81 => !(0xa6..=0xa9).contains(&at(i + 2)),
            _ => true,
        },
        _ => true,
    })
}

/// `s` with every control character made visible (`\u{1b}` becomes `␛`); borrowed when
/// nothing needed changing.
pub fn visible(s: &str) -> Cow<'_, str> {
    // A CR that ends a line (`\r\n`) is harmless and stays.
    let unsafe_at = |i: usize, c: char| {
        replacement(c).is_some() && !(c == '\r' && s[i + 1..].starts_with('\n'))
    };
    if is_clean(s, true) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        match replacement(c) {
            Some(r) if unsafe_at(i, c) => out.push_str(&r),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The same for one line of output: a newline is shown as `␊` too.
pub fn visible_line(s: &str) -> Cow<'_, str> {
    if !s.contains('\n') {
        return visible(s);
    }
    Cow::Owned(visible(&s.replace('\n', "␊")).into_owned())
}

/// JSON text with the characters JSON leaves raw but a terminal would act on (DEL, C1
/// controls, bidirectional overrides) written as `\uXXXX` escapes; serde_json already escapes
/// the C0 controls. These characters can only stand inside strings, so the JSON means the same.
pub fn json_safe(json: String) -> String {
    if is_clean(&json, false) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && replacement(c).is_some() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A colour writer that makes the text written through it visible (colour codes, which the
/// renderer sets with `set_color`, pass as they are).
pub struct VisibleWriter<'a> {
    inner: &'a mut dyn WriteColor,
    pending: Vec<u8>,
}

impl<'a> VisibleWriter<'a> {
    /// Wraps a writer.
    pub fn new(inner: &'a mut dyn WriteColor) -> VisibleWriter<'a> {
        VisibleWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes the complete characters received so far (an incomplete UTF-8 sequence waits for
    /// its end; at the end of output it is written as U+FFFD).
    fn drain(&mut self, all: bool) -> io::Result<()> {
        let mut at = 0;
        loop {
            let rest = &self.pending[at..];
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.inner.write_all(visible(text).as_bytes())?;
                    at = self.pending.len();
                    break;
                }
                Err(e) if e.error_len().is_none() && !all => {
                    let text = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                    self.inner.write_all(visible(text).as_bytes())?;
                    at += e.valid_up_to();
                    break;
                }
                Err(e) => {
                    // Invalid bytes: the valid prefix, U+FFFD for the bad sequence, then the rest.
                    let upto = e.valid_up_to();
                    let bad = e.error_len().unwrap_or(rest.len() - upto);
                    let head = std::str::from_utf8(&rest[..upto]).unwrap_or_default();
                    self.inner.write_all(visible(head).as_bytes())?;
                    self.inner.write_all("\u{FFFD}".as_bytes())?;
                    at += upto + bad;
                }
            }
        }
        self.pending.drain(..at);
        Ok(())
    }
}

impl Write for VisibleWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Whole characters, nothing to change, nothing held back: straight through.
        if self.pending.is_empty() {
            if let Ok(text) = std::str::from_utf8(buf) {
                if is_clean(text, true) {
                    self.inner.write_all(buf)?;
                    return Ok(buf.len());
                }
            }
        }
        self.pending.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

impl WriteColor for VisibleWriter<'_> {
    fn supports_color(&self) -> bool {
        self.inner.supports_color()
    }

    fn set_color(&mut self, spec: &ColorSpec) -> io::Result<()> {
        self.drain(true)?;
        self.inner.set_color(spec)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.reset()
    }
}

impl Drop for VisibleWriter<'_> {
    fn drop(&mut self) {
        let _ = self.drain(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codespan_reporting::term::termcolor::Buffer;

    #[test]
    fn controls_become_visible() {
        assert_eq!(visible("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(visible("\u{1b}]0;x\u{7}"), "␛]0;x␇");
        assert_eq!(visible("x\ry"), "x␍y");
        assert_eq!(visible("x\r\ny"), "x\r\ny");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(visible("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(visible("行政复议\n\t1"), "行政复议\n\t1");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible_line("a\nb"), "a␊b");
        let json = serde_json::to_string(&"a\u{1b}b\u{9b}c\u{202e}").unwrap();
        let safe = json_safe(json);
        assert_eq!(safe, r#""a\u001bb\u009bc\u202e""#);
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{1b}b\u{9b}c\u{202e}"
        );
    }

    #[test]
    fn the_byte_check_agrees_with_the_replacements() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let changed = c != '\n' && replacement(c).is_some();
            assert_eq!(is_clean(&s, false), !changed, "{:x}", c as u32);
            assert_eq!(is_clean(&s, true), !changed, "{:x}", c as u32);
        }
        assert!(is_clean("x\r\ny", true));
        assert!(!is_clean("x\r\ny", false));
        assert!(!is_clean("x\r", true));
    }

    #[test]
    fn the_writer_keeps_colours_and_split_characters() {
        let mut buf = Buffer::ansi();
        {
            let mut w = VisibleWriter::new(&mut buf);
            w.set_color(ColorSpec::new().set_bold(true)).unwrap();
            let bytes = "复\u{1b}".as_bytes();
            w.write_all(&bytes[..2]).unwrap();
            w.write_all(&bytes[2..]).unwrap();
            w.reset().unwrap();
        }
        let out = String::from_utf8(buf.into_inner()).unwrap();
        assert!(
            out.starts_with("\u{1b}["),
            "the colour code passes: {out:?}"
        );
        assert!(out.contains("复␛"), "{out:?}");
        // Every raw ESC left is a colour code the writer set: `ESC [ … m`.
        assert!(
            out.match_indices('\u{1b}')
                .all(|(i, _)| out[i + 1..].starts_with('[') && out[i..].contains('m')),
            "{out:?}"
        );
        assert_eq!(out.matches("\u{1b}[").count(), 3, "{out:?}");
    }
}
