//! Field declarations (the `[tables]` and `[fields]` parts of a rule file) in compiled form.
//! The facts stage binds a report against these; it never sees the rules themselves.

use crate::document::normalize::to_simplified_chars;
use unicode_normalization::UnicodeNormalization;

/// All field declarations of a rule set.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FieldSpecs {
    /// Tables and their rows.
    pub tables: Vec<TableSpec>,
    /// Figures stated in prose.
    pub prose: Vec<ProseSpec>,
    /// Facts about the report as a whole (year, dates).
    pub report: Vec<ReportSpec>,
    /// The prescribed outline (`[outline]`): the statutory parts in order.
    pub outline: OutlineSpec,
    /// Wording checks (`[wording]`): the lists they use.
    pub wording: WordingSpec,
    /// The prose fields' term and claim patterns indexed by their literals (built on first use,
    /// never stored).
    #[serde(skip)]
    pub(crate) prose_literals: std::sync::OnceLock<ProseLiterals>,
    /// The prose fields' figure and zero patterns, indexed the same way.
    #[serde(skip)]
    pub(crate) pattern_literals: std::sync::OnceLock<ProseLiterals>,
}

/// Patterns of every prose field (its terms and claims, or its figure and zero patterns),
/// indexed by their literals: which fields a sentence may bind is found in one pass over it.
#[derive(Debug, Clone)]
pub(crate) struct ProseLiterals {
    /// Every field's patterns, field after field.
    pub index: crate::matcher::LiteralIndex,
    /// Where each field's patterns start in the index (and, last, the end).
    pub first: Vec<usize>,
}

impl FieldSpecs {
    /// The prose fields' terms, then claims, indexed by their literals.
    pub(crate) fn prose_literals(&self) -> &ProseLiterals {
        self.prose_literals.get_or_init(|| {
            ProseLiterals::new(&self.prose, |p| p.terms.iter().chain(&p.claims).collect())
        })
    }

    /// The prose fields' figure patterns, then zero patterns, indexed by their literals.
    pub(crate) fn pattern_literals(&self) -> &ProseLiterals {
        self.pattern_literals.get_or_init(|| {
            ProseLiterals::new(&self.prose, |p| {
                p.patterns.iter().map(|x| &x.regex).chain(&p.zero).collect()
            })
        })
    }
}

impl ProseLiterals {
    fn new(prose: &[ProseSpec], of: impl Fn(&ProseSpec) -> Vec<&LazyRegex>) -> ProseLiterals {
        let mut first = Vec::with_capacity(prose.len() + 1);
        let mut all = Vec::new();
        for p in prose {
            first.push(all.len());
            all.extend(of(p));
        }
        first.push(all.len());
        ProseLiterals {
            index: crate::matcher::LiteralIndex::new(all),
            first,
        }
    }
}

/// The outline a report format prescribes (`[outline]` of a rule file).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct OutlineSpec {
    /// The statutory parts in the prescribed order: part N is numbered N.
    pub parts: Vec<PartSpec>,
    /// Patterns (normalised) of the first part's sub-topics (`主动公开`, `平台建设`): numbered as
    /// parts of their own, they push the statutory parts down.
    pub subtopics: Vec<LazyRegex>,
    /// Texts that alone say nothing (`无`, `暂无`): a part that must say something and holds
    /// only one of them is empty.
    pub empty_words: Vec<String>,
}

impl OutlineSpec {
    /// Whether the rule file declares an outline.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && self.subtopics.is_empty()
    }
}

/// One statutory part of the outline.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PartSpec {
    /// The report field that recognises its heading (`sections.problems`).
    pub key: String,
    /// Display title (the field's).
    pub title: String,
    /// The patterns that recognise its heading (the field's).
    pub patterns: Vec<LazyRegex>,
    /// The part must say something (part 五): nothing, or only an empty word, is a finding.
    pub required: bool,
}

/// The lists the wording checks use (`[wording]` of a rule file).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct WordingSpec {
    /// Whether the wording checks run at all (the rule file has a `[wording]` table).
    pub enabled: bool,
    /// Repeated words that are fine (`研究研究`), normalised.
    pub repeat_ok: Vec<String>,
    /// Patterns of doubled words the repeat scan cannot see (`我县县政府`).
    pub doubled: Vec<LazyRegex>,
    /// Known confusions: a pattern of the wrong wording and the right one.
    pub confusions: Vec<(LazyRegex, String)>,
    /// Characters a clause cannot end in, with the words ending in them that are whole
    /// (`管`: `监管`, `主管`): a clause ending in the character otherwise is cut off.
    pub cut_off: Vec<(char, Vec<String>)>,
    /// Characters read for one another (`沭`/`沐`): the publisher's place name spelt both ways.
    pub lookalikes: Vec<(char, char)>,
}

/// A table of the report format, with the rows it is expected to have, in form order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableSpec {
    /// Name in the rule file (`[tables.NAME]`).
    pub name: String,
    /// Display title.
    pub title: String,
    /// Header labels of the value column (normalised); empty: the last column.
    pub value_column: Vec<String>,
    /// Header labels of the unit column (normalised).
    pub unit_column: Vec<String>,
    /// Expected rows in the order of the form.
    pub rows: Vec<RowSpec>,
    /// The rows are the complete form: rows that bind to nothing and rows that are missing
    /// are findings. A partial declaration (a user's own few rows) sets this to false.
    pub complete: bool,
    /// Columns of a 2-D form (empty for a `label | unit | value` table).
    pub columns: Vec<ColumnSpec>,
    /// Blank cells count as 0 (noted once per table) instead of being missing.
    pub blank_is_zero: bool,
    /// The table is in some variants of the form only (a 历年累计 column): not finding it is
    /// not a finding; its rules are skipped with the reason.
    pub optional: bool,
    /// Groups of columns a report may print as separate small tables, each under a caption
    /// naming the group (table 四 as three tables: 行政复议, 未经复议直接起诉, 复议后起诉).
    pub groups: Vec<GroupSpec>,
}

/// A group of columns of a 2-D form.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GroupSpec {
    /// Name in the rule file.
    pub key: String,
    /// Caption keys that name the group (normalised with [`label_key`]).
    pub keys: Vec<String>,
    /// Indexes into [`TableSpec::columns`], in order.
    pub columns: Vec<usize>,
}

/// A column of a 2-D form.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ColumnSpec {
    /// Field name without the `column.` prefix (`natural`).
    pub key: String,
    /// Display title.
    pub title: String,
    /// Header label keys (normalised with [`label_key`]).
    pub keys: Vec<String>,
    /// For a total column (`总计`): the keys of the columns it adds up. A blank cell of it is
    /// derived from its row's parts, with a note.
    pub sum_of: Vec<String>,
    /// Its figures may be below zero (a change from last year: `本年增/减`).
    pub signed: bool,
}

/// One expected table row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RowSpec {
    /// Field name without the `table.` prefix (`channels.website`).
    pub key: String,
    /// Display title (the first label as written).
    pub title: String,
    /// Label keys (normalised with [`label_key`]).
    pub keys: Vec<String>,
    /// Expected unit, when declared.
    pub unit: Option<String>,
    /// The row has no label (table 四's single row of figures): it is the row of figures
    /// without a label.
    pub unlabeled: bool,
    /// The row exists in only some variants of the form (not reported when missing).
    pub optional: bool,
    /// The variant of the form the row belongs to (`2019`: the single （六）其他处理 row).
    /// Once a row of one variant is recognised by its label, rows of other variants are left
    /// out when rows are bound by position.
    pub variant: Option<String>,
    /// Its figures may be below zero.
    pub signed: bool,
}

/// What a pattern's placeholder captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Placeholder {
    /// `{n}`: a number (Arabic or Chinese numerals).
    Number,
    /// `{year}`: a four-digit year.
    Year,
    /// `{date}`: a date such as 2018年12月31日 or 2018.12.26.
    Date,
    /// No placeholder: the pattern marks something present (value 1).
    Marker,
}

/// A compiled prose pattern.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pattern {
    /// The pattern as written in the rule file.
    pub source: String,
    /// The regex, with the placeholder as the named group `v`.
    pub regex: LazyRegex,
    /// What the placeholder captures.
    pub kind: Placeholder,
}

/// A figure stated in prose.
///
/// Figures are read clause by clause ([`crate::facts::prose`]): a figure binds to the field
/// whose `terms` its own clause names. Fields with `patterns` are matched by those patterns
/// instead (a year, the number of parts).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ProseSpec {
    /// Field name without the `prose.` prefix.
    pub key: String,
    /// Display title.
    pub title: String,
    /// Patterns with one placeholder (matched on whole sentences).
    pub patterns: Vec<Pattern>,
    /// Phrases that state zero (未出现…行政复议).
    pub zero: Vec<LazyRegex>,
    /// The words a clause uses to name this figure (`行政复议`, `(予以|同意)公开(答复)?`).
    pub terms: Vec<LazyRegex>,
    /// Phrases that state something without a figure (`所有申请均已办理完成`): value 1.
    pub claims: Vec<LazyRegex>,
    /// Fields this one is an item of (`维持` counts under 行政复议 or 行政诉讼): it binds only
    /// where a clause names the parent or follows one that does in the same sentence.
    pub under: Vec<String>,
    /// The item is one of the parts its parent is split into (`parts()` and `complete()`).
    pub part: bool,
    /// A percentage that states the share of the figure bound just before it in its whole
    /// (`其中自然人 741 件，占 98.9%`); `share_holds()` checks it.
    pub share: bool,
    /// Wholes this field is a part of when the sentence states one (`予以公开 6 件` after
    /// `办结 11 件，其中…`): unlike `under`, it binds without them.
    pub part_of: Vec<String>,
    /// A percentage of two fields stated in the same sentence: (part, whole) (`办结率` is
    /// completed over applications).
    pub ratio_of: Option<(String, String)>,
    /// Units a figure of this field is written in (`件`, `%`, `元`); empty: any count.
    pub units: Vec<String>,
    /// Section title fragments (normalised) the sentence must be under; empty: anywhere.
    pub sections: Vec<String>,
    /// The money unit of the figure when the pattern does not capture one (`(?P<unit>万?元)`).
    pub unit: Option<crate::units::MoneyUnit>,
    /// Phrases that make a sentence speak of a narrower scope than the report (`区政府办`).
    pub narrow: Vec<LazyRegex>,
    /// Phrases that make a sentence speak of another matter (`建议`, `咨询`, `信访`): the
    /// field's terms are not read in it, from the last mention of information disclosure on.
    pub unless: Vec<LazyRegex>,
}

/// Where a report-level fact is looked for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// The title line.
    Title,
    /// Prose paragraphs.
    Body,
    /// Table cells.
    Tables,
    /// Metadata values whose key matches one of these (normalised).
    Meta(Vec<String>),
    /// The texts of the level-1 headings.
    Headings,
    /// The texts of the level-2 headings (`（一）主要问题`).
    Subheadings,
}

/// A report-level fact: the first match of its sources in order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportSpec {
    /// Field name without the `report.` prefix (`period.year`).
    pub key: String,
    /// Display title.
    pub title: String,
    /// Where to look and what for, in order: the first source that matches gives the fact
    /// (the title's year before the statistics period's, say).
    pub sources: Vec<ReportSource>,
}

/// Places to look for a report fact, and the patterns to look for there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReportSource {
    /// Where to look, in order.
    pub origins: Vec<Origin>,
    /// Patterns with one placeholder, tried on each origin; the earliest match wins.
    pub patterns: Vec<Pattern>,
}

const NUMBER_RE: &str =
    r"(?P<v>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|[零〇两一二三四五六七八九十百千万亿]+)";
const YEAR_RE: &str = r"(?P<v>(?:19|20)[0-9]{2})";
/// A date; the year may be left out (`至12月31日`): it is then the year of the date written
/// before it in the same sentence.
const DATE_RE: &str = r"(?P<v>(?:(?:19|20)[0-9]{2}年)?[0-9]{1,2}月[0-9]{1,2}日?|(?:19|20)[0-9]{2}[.\-/][0-9]{1,2}[.\-/][0-9]{1,2})";

/// Normalises a pattern written by a rule author the way report text is normalised
/// (Traditional -> Simplified, full-width -> half-width), escaping any regex metacharacter
/// that a full-width character turns into, and dropping white space.
pub fn normalize_pattern(src: &str) -> String {
    let simp = to_simplified_chars(src);
    let mut out = String::with_capacity(src.len());
    for (orig, sc) in src.chars().zip(simp) {
        if orig.is_ascii() {
            if orig != ' ' {
                out.push(orig);
            }
            continue;
        }
        let mut b = [0u8; 4];
        for c in sc.encode_utf8(&mut b).nfkc() {
            let c = if c == '於' { '于' } else { c };
            if c.is_whitespace() {
                continue;
            }
            if c.is_ascii() && regex_syntax_meta(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

fn regex_syntax_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

/// Maximum size of a compiled pattern (bytes of regex program), to keep matching bounded.
pub use crate::matcher::MAX_PATTERN_SIZE;

pub use crate::matcher::LazyRegex;

thread_local! {
    static LAZY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with regexes compiled on first use instead of at load (for the built-in rule files).
pub fn with_lazy_regexes<T>(f: impl FnOnce() -> T) -> T {
    let before = LAZY.with(|l| l.replace(true));
    let out = f();
    LAZY.with(|l| l.set(before));
    out
}

/// A rule file's regex: compiled when the file loads, so that an error points into the TOML;
/// or, for the built-in rule files (which the test suite compiles), on first use, so that a
/// run compiles only the patterns its rule set reads.
fn build_regex(src: &str) -> Result<LazyRegex, String> {
    if LAZY.with(std::cell::Cell::get) {
        Ok(LazyRegex::new(src))
    } else {
        LazyRegex::compiled(src)
    }
}

/// Compiles a pattern with exactly one placeholder (`{n}`, `{year}` or `{date}`).
pub fn compile_pattern(src: &str) -> Result<Pattern, String> {
    let norm = normalize_pattern(src);
    let found: Vec<(&str, Placeholder, &str)> = [
        ("{n}", Placeholder::Number, NUMBER_RE),
        ("{year}", Placeholder::Year, YEAR_RE),
        ("{date}", Placeholder::Date, DATE_RE),
    ]
    .into_iter()
    .filter(|(p, _, _)| norm.contains(p))
    .collect();
    let total: usize = found.iter().map(|(p, _, _)| norm.matches(p).count()).sum();
    if total != 1 {
        return Err(format!(
            "a pattern needs exactly one placeholder ({{n}}, {{year}} or {{date}}); this one has {total}"
        ));
    }
    let (ph, kind, re) = found[0];
    let regex = build_regex(&norm.replacen(ph, re, 1))?;
    Ok(Pattern {
        source: src.to_string(),
        regex,
        kind,
    })
}

/// Compiles a marker pattern (no placeholder): a match gives the value 1.
pub fn compile_marker(src: &str) -> Result<Pattern, String> {
    Ok(Pattern {
        source: src.to_string(),
        regex: compile_zero(src)?,
        kind: Placeholder::Marker,
    })
}

/// Compiles a zero phrase (no placeholder).
pub fn compile_zero(src: &str) -> Result<LazyRegex, String> {
    let norm = normalize_pattern(src);
    if norm.contains("{n}") || norm.contains("{year}") || norm.contains("{date}") {
        return Err("a zero phrase states 0 and takes no placeholder".into());
    }
    build_regex(&norm)
}

/// The key a table label is matched by: normalised, enumerators (`一、`, `（一）`, `1.`, `其中：`)
/// and parenthetical remarks removed, only CJK and ASCII letters/digits kept.
///
/// Memoised per thread: the same cells are keyed once for every table of the rule set, and the
/// form's labels recur in every report of a batch. The memo is bounded (cleared when full).
pub fn label_key(label: &str) -> String {
    thread_local! {
        static MEMO: Memo<Box<str>> = Default::default();
    }
    memoized(&MEMO, label, |l| label_key_uncached(l).into_boxed_str()).into_string()
}

/// A per-thread memo of a function of a short text (a table cell, a label), bounded: cleared
/// when full. Texts longer than [`MEMO_TEXT_BYTES`] are not kept.
pub(crate) type Memo<T> = std::cell::RefCell<std::collections::HashMap<Box<str>, T>>;

/// Most entries a [`Memo`] keeps.
const MEMO_ENTRIES: usize = 20_000;
/// Longest text a [`Memo`] keeps.
const MEMO_TEXT_BYTES: usize = 256;

/// `f(text)`, from the memo when it was computed before on this thread.
pub(crate) fn memoized<T: Clone>(
    memo: &'static std::thread::LocalKey<Memo<T>>,
    text: &str,
    f: impl FnOnce(&str) -> T,
) -> T {
    if text.len() > MEMO_TEXT_BYTES {
        return f(text);
    }
    if let Some(v) = memo.with(|m| m.borrow().get(text).cloned()) {
        return v;
    }
    let v = f(text);
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_ENTRIES {
            m.clear();
        }
        m.insert(text.into(), v.clone());
    });
    v
}

fn label_key_uncached(label: &str) -> String {
    let norm = crate::document::NormText::new(label, 0).text;
    let mut s = norm.as_str();
    loop {
        let before = s.len();
        s = s.trim_start_matches([' ', '.', '、', ':', ',']);
        if let Some(rest) = strip_enumerator(s) {
            s = rest;
        }
        if let Some(rest) = s.strip_prefix("其中") {
            s = rest;
        }
        if s.len() == before {
            break;
        }
    }
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_ascii_alphanumeric() || is_cjk(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn strip_enumerator(s: &str) -> Option<&str> {
    let numerals = |c: char| "一二三四五六七八九十".contains(c);
    if let Some(rest) = s.strip_prefix('(') {
        let end = rest.find(')')?;
        if end > 0
            && rest[..end]
                .chars()
                .all(|c| numerals(c) || c.is_ascii_digit())
        {
            return Some(&rest[end + 1..]);
        }
        return None;
    }
    let n = s.chars().take_while(|c| numerals(*c)).count();
    if n > 0 {
        let rest: &str = &s[s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)..];
        return rest.strip_prefix('、');
    }
    let d = s.chars().take_while(|c| c.is_ascii_digit()).count();
    if d > 0 && d <= 2 {
        let rest = &s[d..];
        return rest.strip_prefix('.').or_else(|| rest.strip_prefix('、'));
    }
    None
}

/// Whether `c` is a CJK ideograph.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys() {
        assert_eq!(label_key("? (一)主動公開政府信息數"), "主动公开政府信息数");
        assert_eq!(
            label_key("??其中:主動公開規范性文件數"),
            "主动公开规范性文件数"
        );
        assert_eq!(
            label_key("1.專職人員數(不包括政府公報及政府網站工作"),
            "专职人员数"
        );
        assert_eq!(label_key("涉及商業秘(密)"), "涉及商业秘");
        assert_eq!(
            label_key("不是《條例》所指政府信息"),
            "不是条例所指政府信息"
        );
        assert_eq!(label_key("四、行政復議數量"), "行政复议数量");
        assert_eq!(
            label_key("主动公开政府信息数（不同渠道和方式公开相同信息计1条）"),
            "主动公开政府信息数"
        );
    }

    #[test]
    fn patterns() {
        let p = compile_pattern("主動公開(政府)?信息{n}條").unwrap();
        let v = |p: &Pattern, t: &str| {
            let c = p.regex.captures(t).unwrap();
            c.name("v").unwrap().as_str().to_string()
        };
        assert_eq!(v(&p, "我镇政府主动公开信息613条"), "613");
        let p = compile_pattern("由[^。]{0,200}?{n}个部分组成").unwrap();
        assert_eq!(v(&p, "本报告由概述、主动公开六个部分组成"), "六");
        let p = compile_pattern("截[止至]到?{date}").unwrap();
        assert_eq!(v(&p, "截止到2019年12月31日,我镇"), "2019年12月31日");
        assert!(compile_pattern("no placeholder").is_err());
        assert!(compile_pattern("{n}{n}").is_err());
        assert!(compile_pattern("(unclosed{n}").is_err());
        let huge = compile_pattern("(a{1000}){1000}{n}").unwrap_err();
        assert!(huge.contains("too large"), "{huge}");
        // A full-width parenthesis in a pattern means the character, not a group.
        let p = compile_pattern("（一）{n}件").unwrap();
        assert!(p.regex.is_match("(一)5件"));
    }
}
