//! Numbers as reports write them: Arabic (with thousands separators and decimals) and Chinese
//! numerals (十二, 两, 一百零五, 一千二百三十四万), plus the scale words 万 and 亿.

use rust_decimal::Decimal;

fn digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' | '○' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '兩' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<i64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// The characters a Chinese numeral may contain (for building patterns).
pub const CHINESE_NUMERAL_CHARS: &str =
    "零〇○一二两兩三四五六七八九十百千万萬亿億壹贰叁肆伍陆陸柒捌玖拾佰仟";

/// Parses a Chinese numeral: 十二 = 12, 两 = 2, 一百零五 = 105, 三万零一 = 30001.
/// A run of digits without units reads positionally when it has a zero or three digits or
/// more (二〇一八 = 2018); two bare digits (两三, 三四) are an approximation and give `None`.
pub fn parse_chinese(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() > 1 && chars.iter().all(|c| digit(*c).is_some()) {
        // 二〇一八 reads positionally; 两三 / 三四 are approximations ("two or three"), not numbers.
        let positional = chars.len() >= 3 || chars.iter().any(|c| digit(*c) == Some(0));
        return if positional {
            chars
                .iter()
                .try_fold(0i64, |acc, c| acc.checked_mul(10)?.checked_add(digit(*c)?))
        } else {
            None
        };
    }
    let mut total: i64 = 0; // completed 亿 and 万 groups
    let mut section: i64 = 0; // below 万
    let mut pending: Option<i64> = None;
    for c in chars {
        if let Some(d) = digit(c) {
            if pending.is_some() && d != 0 {
                return None; // two digits in a row without a unit: 二三
            }
            pending = if d == 0 { None } else { Some(d) };
        } else if let Some(u) = unit(c) {
            let n = pending.take().unwrap_or(1);
            section = section.checked_add(n.checked_mul(u)?)?;
        } else if matches!(c, '万' | '萬') {
            section = section.checked_add(pending.take().unwrap_or(0))?;
            let group = if section == 0 { 1 } else { section };
            total = total.checked_add(group.checked_mul(10_000)?)?;
            section = 0;
        } else if matches!(c, '亿' | '億') {
            section = section.checked_add(pending.take().unwrap_or(0))?;
            let group = total.checked_add(if section == 0 && total == 0 {
                1
            } else {
                section
            })?;
            total = group.checked_mul(100_000_000)?;
            section = 0;
        } else {
            return None;
        }
    }
    total.checked_add(section.checked_add(pending.unwrap_or(0))?)
}

/// Parses an Arabic number as written in a report: `1,136`, `１３６`, `12.5`, `-3`, `+1036`,
/// optionally followed by the scale word 万 or 亿. Returns `None` for anything else.
pub fn parse_arabic(s: &str) -> Option<Decimal> {
    let s = s.trim();
    let (body, scale) = if let Some(b) = s.strip_suffix('万').or_else(|| s.strip_suffix('萬')) {
        (b, Decimal::from(10_000))
    } else if let Some(b) = s.strip_suffix('亿').or_else(|| s.strip_suffix('億')) {
        (b, Decimal::from(100_000_000))
    } else {
        (s, Decimal::ONE)
    };
    let cleaned: String = body
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '_'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            '＋' => '+',
            _ => c,
        })
        .collect();
    let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    let d: Decimal = cleaned.parse().ok()?;
    d.checked_mul(scale)
}

/// What a table cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CellReading {
    /// A figure, with the money unit written in the cell (`251000元`) and a note written after
    /// it (`12（其中修订3件）` gives 12 and the note `其中修订3件`).
    Number {
        /// The figure.
        value: Decimal,
        /// A money unit written in the cell.
        unit: Option<crate::units::MoneyUnit>,
        /// The remark in brackets after the figure.
        note: Option<String>,
    },
    /// Nothing, or a mark that stands for nothing: `-`, `—`, `/`, `无`, a lone footnote mark.
    Blank,
    /// Digits too many for any count (`1234567890123456789012345678901234567890`): a figure,
    /// but not one the arithmetic can use.
    OutOfRange,
    /// Words where a figure belongs.
    Text,
}

/// Footnote marks written after a figure or alone in a cell.
fn is_footnote_mark(c: char) -> bool {
    matches!(
        c,
        '*' | '＊' | '※' | '#' | '＃' | '△' | '▲' | '¹' | '²' | '³' | '⁴' | '⁵'
    ) || ('\u{2460}'..='\u{2473}').contains(&c) // ① … ⑳
}

/// Reads a table cell: a figure (with a money unit, a bracketed note or a footnote mark after
/// it), a blank (nothing, a dash, a slash, `无`), or text.
pub fn read_cell(text: &str) -> CellReading {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let t = t.trim_end_matches(is_footnote_mark).trim_end();
    let blank_word = matches!(t, "无" | "暂无" | "空" | "——" | "");
    if blank_word
        || t.chars()
            .all(|c| matches!(c, '-' | '—' | '－' | '/' | '／' | '–' | '―' | '\\'))
    {
        return CellReading::Blank;
    }
    // A remark in brackets after the figure.
    let (body, note) = match t.find(['（', '(']) {
        Some(i) if i > 0 && t.ends_with(['）', ')']) => {
            let inner = &t[i..];
            let inner = inner
                .trim_start_matches(['（', '('])
                .trim_end_matches(['）', ')']);
            (t[..i].trim_end(), Some(inner.to_string()))
        }
        _ => (t, None),
    };
    let body = body.trim_end_matches(is_footnote_mark);
    let (digits, unit) = crate::units::MoneyUnit::split_suffix(body);
    match parse_arabic(digits) {
        Some(value) => CellReading::Number { value, unit, note },
        None if all_digits(digits) => CellReading::OutOfRange,
        None => CellReading::Text,
    }
}

/// Only digits (Arabic, full-width), separators, a sign and a decimal point, with a digit.
fn all_digits(s: &str) -> bool {
    let s = s.trim();
    s.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && s.chars().all(|c| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || matches!(c, ',' | '，' | '.' | '．' | '-' | '－' | '+' | '＋')
        })
}

/// Parses either form.
pub fn parse_number(s: &str) -> Option<Decimal> {
    parse_arabic(s).or_else(|| parse_chinese(s.trim()).map(Decimal::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        for (s, n) in [
            ("零", 0),
            ("一", 1),
            ("两", 2),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("一百零五", 105),
            ("一百一十", 110),
            ("三千零八", 3008),
            ("一万二千", 12000),
            ("三万零一", 30001),
            ("二〇一八", 2018),
            ("六", 6),
            ("八", 8),
        ] {
            assert_eq!(parse_chinese(s), Some(n), "{s}");
        }
        assert_eq!(parse_chinese("二三"), None);
        assert_eq!(parse_chinese("两三"), None);
        assert_eq!(parse_chinese("十几"), None);
        assert_eq!(parse_chinese("个"), None);
        // Overflow is no number, never a wrapped one.
        assert_eq!(
            parse_chinese(&"九千九百万".repeat(2).replace("万", "亿")),
            None
        );
        assert_eq!(parse_chinese(&"九".repeat(40)), None);
        assert_eq!(
            parse_chinese(&format!("{}九", "九千九百九十九亿".repeat(3))),
            None
        );
    }

    #[test]
    fn arabic_numbers() {
        assert_eq!(parse_arabic("1,136"), Some(Decimal::from(1136)));
        assert_eq!(parse_arabic("６１３"), Some(Decimal::from(613)));
        assert_eq!(parse_arabic("+1036"), Some(Decimal::from(1036)));
        assert_eq!(parse_arabic("12.5"), Some(Decimal::new(125, 1)));
        assert_eq!(parse_arabic("3万"), Some(Decimal::from(30000)));
        assert_eq!(parse_arabic("——"), None);
        assert_eq!(parse_arabic(""), None);
        assert_eq!(parse_number("十二"), Some(Decimal::from(12)));
    }

    #[test]
    fn cells() {
        let n = |v: i64, note: Option<&str>| CellReading::Number {
            value: Decimal::from(v),
            unit: None,
            note: note.map(str::to_string),
        };
        assert_eq!(read_cell(" 12 "), n(12, None));
        assert_eq!(read_cell("12（其中修订3件）"), n(12, Some("其中修订3件")));
        assert_eq!(read_cell("40(含自然失效8件)"), n(40, Some("含自然失效8件")));
        assert_eq!(read_cell("7*"), n(7, None));
        assert_eq!(read_cell("7①"), n(7, None));
        for blank in ["", "-", "—", "／", "无", "*", "①", "——"] {
            assert_eq!(read_cell(blank), CellReading::Blank, "{blank:?}");
        }
        assert_eq!(read_cell("见附件"), CellReading::Text);
        assert_eq!(
            read_cell("1234567890123456789012345678901234567890"),
            CellReading::OutOfRange
        );
        assert_eq!(read_cell("-4"), n(-4, None));
        assert_eq!(read_cell("（12）"), CellReading::Text);
        assert!(matches!(
            read_cell("251000元"),
            CellReading::Number {
                unit: Some(crate::units::MoneyUnit::Yuan),
                ..
            }
        ));
    }
}
