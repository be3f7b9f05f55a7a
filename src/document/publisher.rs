//! Who published a report, read from its title block, its signature and its preamble
//! (`本报告由…编制`): what pairs a report with last year's report of the same body, and what
//! the place names in its text are compared with.

use super::{NormText, Report};
use crate::matcher::LazyRegex;
use crate::span::Span;
use serde::Serialize;
use std::sync::LazyLock;

/// Where a publisher's name was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum From {
    /// The title (`淮安市洪泽区人民政府2024年政府信息公开工作年度报告`).
    Title,
    /// The signature above the closing date.
    Signature,
    /// The preamble: `本报告由…根据…编制`.
    Preamble,
}

/// A name of the body that published the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// The name as written, Simplified, without spaces (`淮安市洪泽区人民政府`).
    pub name: String,
    /// Where it is in the text.
    pub span: Span,
    /// Where it was read.
    pub from: From,
}

/// The publisher of a report as its title, signature and preamble name it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Publisher {
    /// Every name found, title first.
    pub names: Vec<Name>,
    /// The year in the title (`2024年`), when it has one.
    pub year: Option<i32>,
}

impl Publisher {
    /// The name reports are paired by: the title's, else the signature's.
    pub fn name(&self) -> Option<&Name> {
        self.names
            .iter()
            .find(|n| n.from == From::Title)
            .or_else(|| self.names.iter().find(|n| n.from == From::Signature))
    }

    /// The key reports of one body share across years ([`key`] of [`Publisher::name`]).
    pub fn key(&self) -> Option<String> {
        self.name().map(|n| key(&n.name)).filter(|k| !k.is_empty())
    }

    /// The county-level place the publisher belongs to (`洪泽区` of `淮安市洪泽区人民政府`),
    /// from any of its names.
    pub fn county(&self) -> Option<String> {
        self.names.iter().find_map(|n| county(&n.name))
    }
}

/// How far from the start the title block is looked for, and from the end the signature (bytes).
const HEAD: usize = 4096;
const TAIL: usize = 1536;

static TITLE: LazyLock<LazyRegex> = LazyLock::new(|| {
    LazyRegex::new(
        r"^(?:[0-9]{4}年度?)?(?P<name>[\u{4e00}-\u{9fff}][\u{4e00}-\u{9fff}（）()]{1,39}?)(?:[0-9]{4}年度?)?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:工作)?(?:年度)?报告(?:[(（]?汇总[)）]?)?(?:[-_|｜—–][^-_|｜—–]{0,40})?$",
    )
});
static YEAR: LazyLock<LazyRegex> = LazyLock::new(|| LazyRegex::new(r"([0-9]{4})年"));
static DATE_LINE: LazyLock<LazyRegex> =
    LazyLock::new(|| LazyRegex::new(r"^[（(]?[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日[）)]?$"));
static BODY: LazyLock<LazyRegex> = LazyLock::new(|| {
    LazyRegex::new(
        r"^[\u{4e00}-\u{9fff}]{2,30}(?:政府|办公室|办公厅|局|委员会|委|办|中心|镇|乡|街道办事处|办事处|街道|院|所|会|厅|署)$",
    )
});
static PREAMBLE: LazyLock<LazyRegex> = LazyLock::new(|| {
    LazyRegex::new(r"本报告由(?P<name>[\u{4e00}-\u{9fff}]{2,30}?)(?:根据|依据|按照|依照|编制)")
});
static COUNTY: LazyLock<LazyRegex> =
    LazyLock::new(|| LazyRegex::new(r"^(?P<c>[\u{4e00}-\u{9fff}]{2,4}?(?:县|区|旗))"));

/// Reads the publisher's names. Linear in the text (only its head and tail are read).
pub fn find(text: &str, report: &Report) -> Publisher {
    let mut p = find_pairing(text, report);
    add_preamble(text, &mut p);
    p
}

/// Reads only what pairs reports (the title's and the signature's names, the title's year):
/// for indexing a batch.
pub fn find_pairing(text: &str, report: &Report) -> Publisher {
    let mut p = Publisher::default();
    if let Some((name, year)) = title_name(text, report) {
        p.year = year;
        p.names.push(name);
    }
    if let Some(n) = signature(text) {
        p.names.push(n);
    }
    p
}

/// Adds the preamble's `本报告由…编制` name.
fn add_preamble(text: &str, p: &mut Publisher) {
    let head = &text[..floor(text, HEAD)];
    let norm = NormText::new(head, 0);
    if let Some(c) = PREAMBLE.captures(&norm.text) {
        let m = c.name("name").expect("group");
        p.names.push(Name {
            name: m.as_str().to_string(),
            span: norm.orig_span(m.start(), m.end()),
            from: From::Preamble,
        });
    }
}

fn floor(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The non-empty lines of a piece of text, with their spans (Markdown `#` and spaces kept out).
fn lines(text: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at = base;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start_matches(['#', ' ', '\t', '\u{3000}']).len();
        let trimmed = body.trim();
        if !trimmed.trim_start_matches('#').trim().is_empty() {
            out.push(Span::new(at + lead, at + body.trim_end().len()));
        }
        at += line.len();
    }
    out
}

/// The title's name: the title line alone, or joined with the line before or after it (titles
/// are often broken over two lines: `洪泽区人民政府` / `2023 年政府信息公开工作年度报告`).
fn title_name(text: &str, report: &Report) -> Option<(Name, Option<i32>)> {
    let title = report.title?;
    let head_end = floor(text, title.end.saturating_add(512));
    let head_start = floor(text, title.start.saturating_sub(512));
    let ls = lines(&text[head_start..head_end], head_start);
    let t = ls
        .iter()
        .position(|l| l.start <= title.start && title.start < l.end.max(l.start + 1))?;
    let windows: [(usize, usize); 5] = [
        (t, t),
        (t, t + 1),
        (t.saturating_sub(1), t),
        (t.saturating_sub(1), t + 1),
        (t.saturating_sub(2), t),
    ];
    for (a, b) in windows {
        if b >= ls.len() {
            continue;
        }
        let span = Span::new(ls[a].start, ls[b].end);
        let norm = NormText::new(&text[span.range()], span.start);
        let joined: String = norm.text.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(c) = TITLE.captures(&joined) else {
            continue;
        };
        let name = c.name("name").expect("group").as_str();
        // `关于…` and a bare `年度` are no publisher.
        if name.starts_with("关于") || name.chars().count() < 2 {
            continue;
        }
        let year = YEAR
            .captures(&joined)
            .and_then(|y| y.get(1)?.as_str().parse::<i32>().ok())
            .filter(|y| (1990..=2100).contains(y));
        // The name's place in the text: its first character to its last, found in the
        // normalised text (spaces there are kept).
        let at = locate(&norm, name).unwrap_or(span);
        return Some((
            Name {
                name: name.to_string(),
                span: at,
                from: From::Title,
            },
            year,
        ));
    }
    None
}

/// Where `name` (spaces removed) is in a normalised piece of text.
fn locate(norm: &NormText, name: &str) -> Option<Span> {
    let chars: Vec<(usize, char)> = norm
        .text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .collect();
    let want: Vec<char> = name.chars().collect();
    let n = want.len();
    if n == 0 || chars.len() < n {
        return None;
    }
    (0..=chars.len() - n).find_map(|i| {
        chars[i..i + n]
            .iter()
            .map(|(_, c)| *c)
            .eq(want.iter().copied())
            .then(|| {
                let (s, _) = chars[i];
                let (e, c) = chars[i + n - 1];
                norm.orig_span(s, e + c.len_utf8())
            })
    })
}

/// The signature: a body's name on one of the last lines, right above (or beside) the date.
fn signature(text: &str) -> Option<Name> {
    let start = floor(text, text.len().saturating_sub(TAIL));
    let ls = lines(&text[start..], start);
    for (i, l) in ls.iter().enumerate().rev().take(8) {
        let norm = NormText::new(&text[l.range()], l.start);
        let joined: String = norm.text.chars().filter(|c| !c.is_whitespace()).collect();
        if !DATE_LINE.is_match(&joined) {
            continue;
        }
        let prev = ls.get(i.checked_sub(1)?)?;
        let pn = NormText::new(&text[prev.range()], prev.start);
        let name: String = pn.text.chars().filter(|c| !c.is_whitespace()).collect();
        if BODY.is_match(&name) && name.chars().count() <= 30 {
            let span = locate(&pn, &name).unwrap_or(*prev);
            return Some(Name {
                name,
                span,
                from: From::Signature,
            });
        }
    }
    None
}

/// The key one body's reports share across years: the name without the province and city a
/// county-level body is under (`淮安市洪泽区人民政府` and `洪泽区人民政府` are one body), with
/// `人民政府` read as `政府`. Names with no county-level part are kept whole: two cities'
/// `城市管理局` must never pair.
pub fn key(name: &str) -> String {
    let mut k: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    k = k.replace("人民政府", "政府");
    static PROVINCE: LazyLock<LazyRegex> = LazyLock::new(|| {
        LazyRegex::new(
            r"^[\u{4e00}-\u{9fff}]{2,8}?(?:省|自治区)(?P<rest>[\u{4e00}-\u{9fff}]{2,4}?市.+)$",
        )
    });
    static CITY: LazyLock<LazyRegex> = LazyLock::new(|| {
        LazyRegex::new(
            r"^[\u{4e00}-\u{9fff}]{2,4}?市(?P<rest>[\u{4e00}-\u{9fff}]{2,4}?(?:县|区|旗).+)$",
        )
    });
    if let Some(rest) = PROVINCE.captures(&k).and_then(|c| c.name("rest")) {
        k = rest.as_str().to_string();
    }
    if let Some(rest) = CITY.captures(&k).and_then(|c| c.name("rest")) {
        let rest = rest.as_str();
        // Not a city district in the name's words (`市城区管理局`): the part left must itself
        // start with a place of two characters or more.
        if rest
            .chars()
            .take_while(|c| !matches!(c, '县' | '区' | '旗'))
            .count()
            >= 2
        {
            k = rest.to_string();
        }
    }
    k
}

/// The county-level place a name belongs to (`洪泽区`, `沭阳县`), when it names one.
pub fn county(name: &str) -> Option<String> {
    let k = key(name);
    let c = COUNTY.captures(&k)?;
    let place = c.name("c")?.as_str();
    if NOT_PLACES.iter().any(|w| place.ends_with(w)) {
        return None;
    }
    Some(place.to_string())
}

/// Words ending in 区/县 that are no county: a county-level name is none of these.
pub const NOT_PLACES: &[&str] = &[
    "市区",
    "城区",
    "新区",
    "开发区",
    "高新区",
    "园区",
    "社区",
    "辖区",
    "景区",
    "小区",
    "片区",
    "试验区",
    "示范区",
    "保税区",
    "功能区",
    "库区",
    "山区",
    "林区",
    "矿区",
    "牧区",
    "湖区",
    "街区",
    "校区",
    "院区",
    "各县",
    "各区",
    "全县",
    "全区",
    "本县",
    "本区",
    "我县",
    "我区",
    "该县",
    "该区",
    "郊区",
    "县区",
    "区县",
    "地区",
    "港区",
    "商圈区",
    "镇区",
    "经开区",
    "行政区",
    "选区",
    "自贸区",
    "综保区",
    "度假区",
    "旅游区",
    "工业区",
    "农业区",
    "生态区",
    "核心区",
    "城乡区",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Publisher {
        let src = crate::source::decode("t.txt", text.as_bytes()).expect("decodes");
        let r = super::super::parse(&src);
        find(&src.text, &r)
    }

    #[test]
    fn title_broken_over_two_lines() {
        let p = of("- 1 -\n洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据《条例》编制。\n一、总体情况\n正文。\n");
        assert_eq!(p.name().map(|n| n.name.as_str()), Some("洪泽区人民政府"));
        assert_eq!(p.year, Some(2023));
        assert_eq!(p.key().as_deref(), Some("洪泽区政府"));
        assert!(p
            .names
            .iter()
            .any(|n| n.from == From::Preamble && n.name == "淮安市洪泽区人民政府办公室"));
    }

    #[test]
    fn keys_join_a_body_across_years_and_never_two_cities() {
        assert_eq!(key("淮安市洪泽区人民政府"), key("洪泽区人民政府"));
        assert_eq!(key("江苏省淮安市洪泽区人民政府"), key("洪泽区政府"));
        assert_ne!(key("淮安市城市管理局"), key("宿迁市城市管理局"));
        assert_ne!(key("淮安市人民政府"), key("宿迁市人民政府"));
    }

    #[test]
    fn year_first_titles_and_signatures() {
        let p = of("2024年上海市科委政府信息公开工作年度报告\n一、总体情况\n正文。\n\n沭阳县人民政府\n2025年1月23日\n");
        assert_eq!(p.name().map(|n| n.name.as_str()), Some("上海市科委"));
        assert_eq!(p.year, Some(2024));
        assert!(p
            .names
            .iter()
            .any(|n| n.from == From::Signature && n.name == "沭阳县人民政府"));
    }

    #[test]
    fn counties() {
        assert_eq!(county("淮安市洪泽区人民政府").as_deref(), Some("洪泽区"));
        assert_eq!(county("沭阳县发展和改革局").as_deref(), Some("沭阳县"));
        assert_eq!(county("淮安市人民政府"), None);
        assert_eq!(county("经济开发区管委会"), None);
    }
}
