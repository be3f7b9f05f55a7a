//! Maps offsets inside a decoded TOML string value back to byte offsets in the TOML file, so
//! that an error inside a `check` expression points at the right column, also in multi-line
//! and escaped strings.

/// For each byte offset of the decoded string (and one past its end), the byte offset in the
/// TOML source. `value_span` is the span of the whole value, quotes included.
pub fn offset_map(toml_src: &str, value_span: std::ops::Range<usize>) -> Vec<usize> {
    let raw = &toml_src[value_span.clone()];
    let base = value_span.start;
    let (delim, literal) = if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with("'''") {
        (3, true)
    } else if raw.starts_with('"') {
        (1, false)
    } else if raw.starts_with('\'') {
        (1, true)
    } else {
        return (0..=raw.len()).map(|i| base + i).collect();
    };
    let body_end = raw.len().saturating_sub(delim).max(delim);
    let mut i = delim;
    let body = &raw[..body_end];
    // A newline right after an opening triple quote is trimmed.
    if delim == 3 {
        if body[i..].starts_with("\r\n") {
            i += 2;
        } else if body[i..].starts_with('\n') {
            i += 1;
        }
    }
    let mut map = Vec::with_capacity(body.len());
    let push_char = |map: &mut Vec<usize>, at: usize, decoded_len: usize| {
        for _ in 0..decoded_len {
            map.push(base + at);
        }
    };
    while i < body.len() {
        let Some(c) = body[i..].chars().next() else {
            break;
        };
        if literal || c != '\\' {
            push_char(&mut map, i, c.len_utf8());
            i += c.len_utf8();
            continue;
        }
        // An escape sequence in a basic string.
        let Some(rest) = body.get(i + 1..) else { break };
        let Some(e) = rest.chars().next() else { break };
        let (consumed, decoded): (usize, usize) = match e {
            'u' | 'U' | 'x' => {
                let n = match e {
                    'u' => 4,
                    'U' => 8,
                    _ => 2,
                };
                let hex = rest.get(1..1 + n).unwrap_or("");
                let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                (1 + 1 + n, ch.map_or(1, char::len_utf8))
            }
            ' ' | '\t' | '\r' | '\n' if delim == 3 => {
                // Line-ending backslash: skip all white space up to the next non-blank.
                let ws = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
                (1 + ws, 0)
            }
            _ => (1 + e.len_utf8(), 1),
        };
        push_char(&mut map, i, decoded);
        i += consumed;
    }
    map.push(base + i.min(body.len()));
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(toml: &str, needle: &str) {
        #[derive(serde::Deserialize)]
        struct T {
            check: toml::Spanned<String>,
        }
        let t: T = toml::from_str(toml).unwrap();
        let decoded = t.check.get_ref();
        let map = offset_map(toml, t.check.span());
        assert_eq!(map.len(), decoded.len() + 1);
        let at = decoded.find(needle).unwrap();
        assert!(
            toml[map[at]..].starts_with(needle),
            "{toml:?} -> {:?}",
            &toml[map[at]..]
        );
    }

    #[test]
    fn maps_all_string_kinds() {
        check("check = \"a + 行政 == b\"\n", "== b");
        check("check = 'a + 行政 == b'\n", "== b");
        check(
            "check = \"\"\"\na + \\\"x\\\" +\n  行政 == b\"\"\"\n",
            "== b",
        );
        check("check = '''\n行政\n  == b'''\n", "== b");
        check("check = \"\\u884C\\t == b\"\n", "== b");
        check("check = \"\"\"a + \\\n     b == c\"\"\"\n", "b == c");
    }
}
