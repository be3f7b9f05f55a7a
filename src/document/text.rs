//! Plain-text front end: pipe tables (also Markdown), numbered headings wherever they stand,
//! paragraphs and sentences, and the flattened tables of text extracted from PDFs.
//!
//! Input classes it reads (each with a test below): one paragraph per line; PDF text with lines
//! wrapped every 30 characters, letter-spaced labels, vertical headers one character per line,
//! page footers inside tables and row labels wrapped away from their figures; Markdown
//! conversions (`## 一、总体情况`, pipe tables with `|---|` rules); crawler dumps that run a
//! whole report into a few lines (`…工作。二、主动公开政府信息情况（一）…`).

use super::{Cell, Heading, MetaEntry, Paragraph, Report, Row, Sentence, Table, TableLayout};
use crate::matcher::LazyRegex;
use crate::span::Span;
use std::sync::OnceLock;

/// Characters trimmed around cells and lines: white space, full-width space, `?` placeholders.
pub(crate) fn is_noise(c: char) -> bool {
    c.is_whitespace() || c == '?' || c == '\u{3000}' || c == '\u{FEFF}'
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start_matches(is_noise).len();
    let trail = s.len() - s.trim_end_matches(is_noise).len();
    if lead == s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

struct Line {
    start: usize,
    end: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push(Line { start, end });
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(Line {
            start,
            end: text.len(),
        });
    }
    out
}

fn is_pipe_row(s: &str) -> bool {
    let t = s.trim_matches(is_noise);
    let pipes = t.matches('|').count();
    pipes >= 2 || (pipes == 1 && (t.starts_with('|') || t.ends_with('|')))
}

/// A Markdown table rule (`|---|:---:|`): not a row of the table.
fn is_markdown_rule(s: &str) -> bool {
    let t = s.trim_matches(is_noise);
    t.contains('-')
        && t.contains('|')
        && t.split('|').all(|c| {
            let c = c.trim();
            c.is_empty() || (c.contains("---") && c.chars().all(|x| matches!(x, '-' | ':')))
        })
}

fn heading_re() -> &'static [(u8, LazyRegex); 3] {
    static RE: OnceLock<[(u8, LazyRegex); 3]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            (1, LazyRegex::new(r"^([一二三四五六七八九十]{1,3})[、､]")),
            (
                2,
                LazyRegex::new(r"^[（(]([一二三四五六七八九十]{1,3})[）)]"),
            ),
            (
                3,
                LazyRegex::new(r"^([0-9０-９]{1,2})[.．、](?:[^0-9０-９]|$)"),
            ),
        ]
    })
}

/// A second-level enumerator anywhere in a text: `（一）`.
fn sub_enumerator_re() -> &'static LazyRegex {
    static RE: OnceLock<LazyRegex> = OnceLock::new();
    RE.get_or_init(|| LazyRegex::new(r".[（(][一二三四五六七八九十]{1,3}[）)]"))
}

/// The line without white space between non-ASCII characters (letter-spaced PDF text such as
/// `一 、总 体 情 况`), with the original byte offset of every byte of the result.
fn compact(s: &str) -> (String, Vec<usize>) {
    let space = |c: char| c.is_whitespace() || c == '\u{3000}';
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    // The character after the run of white space being read, and where it is: found once per
    // run (a line of a million spaces stays linear).
    let mut after_run: Option<(usize, Option<char>)> = None;
    for (i, c) in s.char_indices() {
        if space(c) {
            let prev = out.chars().next_back();
            let next = match after_run {
                Some((at, next)) if at > i => next,
                _ => {
                    let found = s[i..].char_indices().find(|&(_, c)| !space(c));
                    let (at, next) = found.map_or((s.len(), None), |(j, c)| (i + j, Some(c)));
                    after_run = Some((at, next));
                    next
                }
            };
            let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if !(ascii(prev) && ascii(next)) {
                continue;
            }
        }
        let mut b = [0u8; 4];
        for (j, _) in c.encode_utf8(&mut b).bytes().enumerate() {
            map.push(i + j);
        }
        out.push(c);
    }
    map.push(s.len());
    (out, map)
}

fn ordinal_of(num: &str) -> Option<u32> {
    let num: String = num
        .chars()
        .map(|ch| match ch {
            '０'..='９' => char::from_u32(ch as u32 - '０' as u32 + '0' as u32).unwrap_or(ch),
            _ => ch,
        })
        .collect();
    super::parse_ordinal(&num)
}

/// Recognises a heading line; returns (level, ordinal, text start offset within the line).
fn heading(line: &str) -> Option<(u8, Option<u32>, usize)> {
    // A heading has at most `50 + 6` characters besides white space (see below): a longer line
    // is not compacted at all.
    if line
        .chars()
        .filter(|c| !c.is_whitespace())
        .nth(56)
        .is_some()
    {
        return None;
    }
    let (line_c, map) = compact(line);
    let chars = line_c.chars().count();
    for (level, re) in heading_re() {
        if let Some(c) = re.captures(&line_c) {
            let rest = line_c[c.get(0)?.end()..].trim_start_matches(is_noise);
            let rest_chars = rest.chars().count();
            let ends_sentence = rest.trim_end_matches(is_noise).ends_with(['。', '；', ';']);
            let inner_stop = rest
                .trim_end_matches(is_noise)
                .trim_end_matches(['。', '；'])
                .contains('。');
            let max = if *level == 1 { 50 } else { 40 };
            // `二、主动公开政府信息情况（一）主动公开…`: a heading with its text run into it.
            let sub_enumerator = *level == 1 && sub_enumerator_re().is_match(rest);
            // `一、总体情况2023年，我局…。`: a part title with its first sentence.
            let sentence = *level == 1 && ends_sentence && rest.contains(['，', ',']);
            if rest_chars == 0
                || sub_enumerator
                || sentence
                || chars > max + 6
                || rest_chars > max
                || inner_stop
                || (*level > 1 && ends_sentence)
            {
                return None;
            }
            let text_start = map[line_c.len() - rest.len()];
            return Some((*level, ordinal_of(c.get(1)?.as_str()), text_start));
        }
    }
    None
}

/// A level-1 enumerator (`二、`) at the start of `s`, followed by text: (ordinal, byte length of
/// the enumerator).
fn level1_enumerator(s: &str) -> Option<(u32, usize)> {
    // An enumerator is at most a few characters: look at a short prefix only, so that scanning
    // a line with many candidates stays linear.
    // It begins with a Chinese numeral (white space before it is dropped).
    let first = s.chars().find(|c| !c.is_whitespace() && *c != '\u{3000}');
    if !first.is_some_and(|c| "一二三四五六七八九十".contains(c)) {
        return None;
    }
    let s = prefix_chars(s, 16);
    let (c, map) = compact(s);
    let m = heading_re()[0].1.captures(&c)?;
    let whole = m.get(0)?;
    let after = c[whole.end()..].chars().next()?;
    if !crate::facts::spec::is_cjk(after) {
        return None;
    }
    Some((ordinal_of(m.get(1)?.as_str())?, map[whole.end()]))
}

/// The first `n` characters of a text.
fn prefix_chars(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// Where a heading run into the text ends: after the word that closes most part titles
/// (情况, 事项, 概述, 措施), else before a bracket, a clause end or a figure, or after 30
/// characters.
fn run_in_heading_end(s: &str) -> usize {
    let head: String = s.chars().take(30).collect();
    if let Some(end) = ["情况", "事项", "概述", "概况", "措施"]
        .iter()
        .filter_map(|w| head.find(w).map(|i| i + w.len()))
        .min()
    {
        return end;
    }
    let mut count = 0;
    for (i, c) in s.char_indices() {
        if i > 0
            && (matches!(
                c,
                '（' | '(' | '。' | '，' | ',' | '：' | ':' | '；' | ';' | '|' | '！' | '？'
            ) || (c.is_ascii_digit() && count >= 2))
        {
            return i;
        }
        count += 1;
        if count > 30 {
            return i;
        }
    }
    s.len()
}

/// Byte offsets (within `s`) where a level-1 heading starts inside the text rather than at the
/// start of a line: after a sentence end or `#` marks, with the ordinal that follows `expected`.
/// Crawler dumps run whole reports into a few lines this way. An enumeration inside a sentence
/// (`重点做好：一、加强领导；二、完善制度`) is not a heading: its item before the candidate was
/// seen and was not one.
fn run_in_headings(s: &str, mut expected: u32) -> Vec<(usize, u32)> {
    let mut out = Vec::new();
    let mut listed: Vec<u32> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if is_noise(c) {
            continue;
        }
        let after_stop = prev.is_some_and(|p| {
            matches!(
                p,
                '。' | '！' | '？' | '；' | '!' | '?' | ';' | '：' | ':' | '#'
            )
        });
        // After a figure or a closing bracket (a crawler joins a table's last cell to the next
        // part's heading), only a heading that reads like a part title counts.
        let after_cell = prev.is_some_and(|p| {
            p.is_ascii_alphanumeric() || matches!(p, '）' | ')' | '」' | '》' | '%')
        });
        if i > 0 && (after_stop || after_cell) {
            if let Some((ord, len)) = level1_enumerator(&s[i..]) {
                let titled = after_stop || reads_like_part_title(&s[i + len..]);
                if ord == expected && titled && !listed.contains(&(ord.saturating_sub(1))) {
                    out.push((i, ord));
                    expected += 1;
                } else if after_stop {
                    listed.push(ord);
                }
            }
        }
        prev = Some(c);
    }
    out
}

/// Whether the text after an enumerator reads like a part title: before the first figure or
/// stop it holds a word that ends part titles (情况, 事项, 概述, 措施).
fn reads_like_part_title(s: &str) -> bool {
    let s = prefix_chars(s, 40);
    let end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || matches!(c, '。' | '，' | '；' | '|'))
        .map_or(s.len(), |(i, _)| i);
    let head: String = s[..end].chars().take(30).collect();
    ["情况", "事项", "概述", "概况", "措施"]
        .iter()
        .any(|w| head.contains(w))
}

/// Leading Markdown marks of a line (`## `, `> `, `**`): their byte length, and the heading
/// depth (the number of `#`, 0 for none).
fn markdown_marks(s: &str) -> (usize, usize) {
    let t = s.trim_start_matches(['#', '>', '*', ' ', '\t']);
    let n = s.len() - t.len();
    let depth = s.len() - s.trim_start_matches('#').len();
    // A lone `*`/`-` list marker is not a heading mark; `#` and `**` are.
    if s.starts_with('#') || s.starts_with('>') || s.starts_with("**") {
        (n, depth)
    } else {
        (0, 0)
    }
}

fn split_cells(text: &str, line: &Line) -> Vec<Cell> {
    let s = &text[line.start..line.end];
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut cell_start = 0;
    for (i, ch) in s.char_indices() {
        if ch == '|' {
            bounds.push((cell_start, i));
            cell_start = i + 1;
        }
    }
    bounds.push((cell_start, s.len()));
    // `| a | b |`: drop the empty piece before the first pipe and after the last one.
    if s.trim_start_matches(is_noise).starts_with('|') && !bounds.is_empty() {
        bounds.remove(0);
    }
    if let Some(&(a, b)) = bounds.last() {
        if s[a..b].trim_matches(is_noise).is_empty() && bounds.len() > 1 {
            bounds.pop();
        }
    }
    bounds
        .into_iter()
        .map(|(a, b)| {
            let (ts, te) = trim_span(text, line.start + a, line.start + b);
            if ts == te {
                // A blank cell: point at the whole gap between the pipes.
                return Cell::blank(Span::new(line.start + a, line.start + b));
            }
            Cell::written(Span::new(ts, te))
        })
        .collect()
}

fn sentences(text: &str, span: Span) -> Vec<Sentence> {
    let ends = |ch: char| matches!(ch, '。' | '！' | '？' | '；' | '!' | ';');
    // Sized first: a paragraph of a million sentences would otherwise double its list (and
    // copy it) twenty times.
    let mut out = Vec::with_capacity(text[span.range()].chars().filter(|&c| ends(c)).count() + 1);
    let mut start = span.start;
    for (i, ch) in text[span.range()].char_indices() {
        if ends(ch) {
            let end = span.start + i + ch.len_utf8();
            let (s, e) = trim_span(text, start, end);
            if e > s {
                out.push(Sentence {
                    span: Span::new(s, e),
                });
            }
            start = end;
        }
    }
    let (s, e) = trim_span(text, start, span.end);
    if e > s {
        out.push(Sentence {
            span: Span::new(s, e),
        });
    }
    out
}

/// A number token of a flattened table row: `21`, `1,136`, `7730.28`, `-3`, `+1036`.
fn is_number_token(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A page footer of extracted PDF text: `- 4 -`, `— 4 —`, `第 4 页`.
fn is_page_footer(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = t.trim_matches(['-', '—', '–', '－']);
    (t.len() > inner.len() && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()))
        || (t.starts_with('第')
            && t.ends_with('页')
            && t.chars().filter(|c| c.is_ascii_digit()).count() > 0
            && t.chars().count() <= 8)
}

/// A flattened row: the label's byte range (none for a row of figures only) and the figures.
type FlatRow = (Option<(usize, usize)>, Vec<Cell>);

/// Splits a line of extracted PDF text into a label and trailing number cells, when it looks
/// like a flattened table row: at least two numbers, or one number after a short label that is
/// not prose.
fn flat_row(text: &str, s: usize, e: usize) -> Option<FlatRow> {
    let line = &text[s..e];
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace() || c == '\u{3000}', start) {
            (true, Some(st)) => {
                tokens.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        tokens.push((st, line.len()));
    }
    let n_numbers = tokens
        .iter()
        .rev()
        .take_while(|(a, b)| is_number_token(&line[*a..*b]))
        .count();
    if n_numbers == 0 {
        return None;
    }
    let label_end = if n_numbers == tokens.len() {
        None
    } else {
        Some(tokens[tokens.len() - n_numbers - 1].1)
    };
    if let Some(le) = label_end {
        let label = &line[..le];
        let chars = label.chars().count();
        // A label wrapped inside its bracket (`形，不计其他情形）`) has commas; prose has
        // commas and no bracket, or a full stop.
        let prose = label.contains('。')
            || label.contains(['，', ',', '；']) && !label.contains(['（', '(', '）', ')'])
            || label.ends_with(['年', '月', '日', '第', '约', '共', '达']);
        if prose || (n_numbers == 1 && chars > 30) {
            return None;
        }
    } else if n_numbers < 2 {
        return None;
    }
    let cells = tokens[tokens.len() - n_numbers..]
        .iter()
        .map(|&(a, b)| Cell::written(Span::new(s + a, s + b)))
        .collect();
    Some((label_end.map(|le| (s, s + le)), cells))
}

/// Whether a line starts with an enumerator (`一、`, `（一）`, `1.`).
fn starts_with_enumerator(s: &str) -> bool {
    let (c, _) = compact(s);
    heading_re().iter().any(|(_, re)| re.is_match(&c))
}

/// A short line inside a flattened table, split at white space into cells.
fn text_row(text: &str, s: usize, e: usize) -> Row {
    let mut cells = Vec::new();
    let line = &text[s..e];
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                cells.push(Cell::written(Span::new(s + st, s + i)));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    Row {
        span: Span::new(s, e),
        cells,
        label_lines: Vec::new(),
    }
}

/// Short lines (a wrapped label, a header, a title) are kept back until the next line shows
/// what they are.
fn is_short(content: &str) -> bool {
    content.chars().count() <= 30 && !content.contains('。')
}

/// Parses plain text (one paragraph per line or wrapped lines, pipe and Markdown tables, the
/// flattened tables of text extracted from PDFs, and text run together by crawlers).
pub fn parse(text: &str) -> Report {
    let mut p = Parser {
        text,
        report: Report::default(),
        table: None,
        section: None,
        nearest: None,
        para: None,
        pending: Vec::new(),
        last_level1: 0,
        section_md_depth: None,
        deferred: None,
    };
    for line in lines(text) {
        p.line(&line);
    }
    p.resolve_deferred();
    p.end_flat();
    p.flush_pending();
    p.flush_para();
    p.finish_table();
    p.report
}

/// A heading kept back until the next line shows whether it is one.
struct Deferred {
    level: u8,
    ordinal: Option<u32>,
    s: usize,
    text_start: usize,
    e: usize,
    md_depth: usize,
}

struct Parser<'a> {
    text: &'a str,
    report: Report,
    table: Option<Table>,
    section: Option<usize>,
    nearest: Option<usize>,
    para: Option<Span>,
    /// Short lines not yet placed: prose, the header of a flattened table, or a label that
    /// wraps onto the line of its figures.
    pending: Vec<(usize, usize)>,
    /// Ordinal of the last level-1 heading (0 before the first).
    last_level1: u32,
    /// Markdown depth (`#` count) of the last level-1 heading.
    section_md_depth: Option<usize>,
    /// A heading kept back (see [`Parser::content`]).
    deferred: Option<Deferred>,
}

impl Parser<'_> {
    fn flat(&self) -> bool {
        self.table
            .as_ref()
            .is_some_and(|t| t.layout == TableLayout::Flat)
    }

    fn line(&mut self, line: &Line) {
        let text = self.text;
        let raw = &text[line.start..line.end];
        if is_markdown_rule(raw) {
            return; // the table goes on below its rule
        }
        if is_pipe_row(raw) {
            self.resolve_deferred();
            self.end_flat();
            self.flush_pending();
            self.flush_para();
            let cells = split_cells(text, line);
            self.push_row(
                Row {
                    span: Span::new(line.start, line.end),
                    cells,
                    label_lines: Vec::new(),
                },
                TableLayout::Pipe,
            );
            return;
        }
        let (s, e) = trim_span(text, line.start, line.end);
        if s == e {
            self.resolve_deferred();
            if !self.flat() {
                self.finish_table();
            }
            self.flush_pending();
            self.flush_para();
            return;
        }
        if is_page_footer(&text[s..e]) {
            return;
        }
        let (marks, depth) = markdown_marks(&text[s..e]);
        let (s, e) = trim_span(text, s + marks, e);
        if s == e {
            return;
        }
        // Headings run into the text: the line is cut before each.
        let expected = match level1_enumerator(&text[s..e]) {
            Some((ord, _)) if ord == self.last_level1 + 1 || ord == 1 => ord + 1,
            _ => self.last_level1 + 1,
        };
        let mut cuts: Vec<usize> = run_in_headings(&text[s..e], expected)
            .into_iter()
            .map(|(at, _)| s + at)
            .collect();
        cuts.push(e);
        let mut start = s;
        for cut in cuts {
            let (a, b) = trim_span(text, start, cut);
            if a < b {
                self.content(a, b, start > s, depth);
            }
            start = cut;
        }
    }

    /// One logical line: a flattened table row, a heading, or text.
    fn content(&mut self, s: usize, e: usize, run_in: bool, md_depth: usize) {
        let text = self.text;
        let content = &text[s..e];
        let flat = flat_row(text, s, e);
        // A part heading kept back: the label of this row of figures, or a heading after all.
        if let Some(d) = self.deferred.take() {
            let continues = flat.as_ref().is_some_and(|(label, _)| {
                label.is_none_or(|(a, b)| !starts_with_enumerator(&text[a..b]))
            });
            if continues {
                self.pending.push((d.s, d.e));
            } else {
                self.heading_now(d);
            }
        }
        if let Some((label, numbers)) = flat {
            self.flat_row(s, e, label, numbers);
            return;
        }
        // A heading cut out of running text is read as one run into its text.
        let heading = if run_in { None } else { heading(content) };
        if self.flat() && is_short(content) && heading.is_none_or(|h| h.0 > 1) {
            self.pending.push((s, e));
            return;
        }
        if let Some((level, ordinal, text_start)) = heading {
            let d = Deferred {
                level,
                ordinal,
                s,
                text_start: s + text_start,
                e,
                md_depth,
            };
            // Inside a table of PDF text, or out of the parts' order (`一、本年新收…` under
            // 三), a numbered line may be a row label wrapped above its figures: the next line
            // decides.
            let in_order = ordinal.is_some_and(|o| o == self.last_level1 + 1);
            if level == 1 && (self.flat() || (!in_order && self.report.title.is_some())) {
                self.deferred = Some(d);
            } else {
                self.heading_now(d);
            }
            return;
        }
        // A numbered part whose heading runs into its text on one line (crawler dumps).
        if let Some((ord, enum_len)) = level1_enumerator(content) {
            if run_in || ord == self.last_level1 + 1 {
                let body = s + enum_len;
                let end = body + run_in_heading_end(&text[body..e]);
                self.finish_table();
                self.flush_pending();
                self.flush_para();
                self.push_heading(1, Some(ord), s, body, end);
                self.section_md_depth = Some(md_depth);
                let (a, b) = trim_span(text, end, e);
                if a < b {
                    self.prose_line(a, b);
                }
                return;
            }
        }
        self.finish_table();
        if is_short(content) && self.report.title.is_some() {
            // Possibly the header of a flattened table: decide when the next line comes.
            self.pending.push((s, e));
            return;
        }
        self.flush_pending();
        self.prose_line(s, e);
    }

    /// Places a heading kept back or found.
    fn heading_now(&mut self, d: Deferred) {
        self.finish_table();
        self.flush_pending();
        self.flush_para();
        // Markdown: a numbered heading written deeper than its part's heading (`### 一、`
        // under `## 三、`) numbers the part's own items, not the report's parts.
        let level = match self.section_md_depth {
            Some(depth) if d.level == 1 && depth > 0 && d.md_depth > depth => 2,
            _ => d.level,
        };
        self.push_heading(level, d.ordinal, d.s, d.text_start, d.e);
        if level == 1 {
            self.section_md_depth = Some(d.md_depth);
        }
    }

    /// Places a heading kept back, if any.
    fn resolve_deferred(&mut self) {
        if let Some(d) = self.deferred.take() {
            self.heading_now(d);
        }
    }

    fn push_heading(
        &mut self,
        level: u8,
        ordinal: Option<u32>,
        s: usize,
        text_start: usize,
        e: usize,
    ) {
        let (ts, te) = trim_span(self.text, text_start, e);
        self.report.headings.push(Heading {
            level,
            ordinal,
            text: self.text[ts..te].to_string(),
            span: Span::new(s, e),
        });
        self.nearest = Some(self.report.headings.len() - 1);
        if level == 1 {
            self.section = self.nearest;
            if let Some(o) = ordinal {
                self.last_level1 = o;
            }
        }
    }

    /// A row of a flattened (PDF text) table. Short lines kept back before it are the table's
    /// header (before its first row) or lines that may continue its label (between rows).
    fn flat_row(&mut self, s: usize, e: usize, label: Option<(usize, usize)>, numbers: Vec<Cell>) {
        let text = self.text;
        self.flush_para();
        let pending = std::mem::take(&mut self.pending);
        let label_lines: Vec<Span> = if self.flat() {
            pending.iter().map(|&(a, b)| Span::new(a, b)).collect()
        } else {
            self.finish_table();
            // Before the first row: the header, except a label wrapped onto this line (the
            // lines from the last one that starts with an enumerator).
            let own_enumerated = label.is_some_and(|(a, b)| starts_with_enumerator(&text[a..b]));
            let chain_start = if own_enumerated {
                None
            } else {
                pending
                    .iter()
                    .rposition(|&(a, b)| starts_with_enumerator(&text[a..b]))
                    .filter(|&i| pending.len() - i <= 3)
            };
            let header_end = chain_start.unwrap_or(pending.len());
            for &(a, b) in &pending[..header_end] {
                self.push_row(text_row(text, a, b), TableLayout::Flat);
            }
            pending[header_end..]
                .iter()
                .map(|&(a, b)| Span::new(a, b))
                .collect()
        };
        let mut cells = Vec::with_capacity(1 + numbers.len());
        cells.push(match label {
            Some((ls, le)) => Cell::written(Span::new(ls, le)),
            None => Cell::blank(Span::new(s, s)),
        });
        cells.extend(numbers);
        self.push_row(
            Row {
                span: Span::new(s, e),
                cells,
                label_lines,
            },
            TableLayout::Flat,
        );
    }

    /// Ends a flattened table: short lines after its last row are prose.
    fn end_flat(&mut self) {
        if self.flat() {
            self.finish_table();
        }
    }

    fn push_row(&mut self, row: Row, layout: TableLayout) {
        if self.table.as_ref().is_some_and(|t| t.layout != layout) {
            self.finish_table();
        }
        match self.table.as_mut() {
            Some(t) => {
                t.span = t.span.cover(row.span);
                t.rows.push(row);
            }
            None => {
                self.table = Some(Table {
                    span: row.span,
                    rows: vec![row],
                    section: self.section,
                    layout,
                })
            }
        }
    }

    fn finish_table(&mut self) {
        if let Some(t) = self.table.take() {
            let flat = t.layout == TableLayout::Flat;
            // A lone "row" of one or two figures in extracted text is a wrapped prose line.
            let number_rows: Vec<&Row> = t
                .rows
                .iter()
                .filter(|r| {
                    r.cells
                        .iter()
                        .skip(1)
                        .any(|c| is_number_token(c.text(self.text)))
                })
                .collect();
            if flat && number_rows.len() == 1 && number_rows[0].cells.len() <= 3 {
                let lone = number_rows[0].clone();
                for r in &t.rows {
                    if r.span == lone.span {
                        for l in &lone.label_lines {
                            self.prose_line(l.start, l.end);
                        }
                    }
                    self.prose_line(r.span.start, r.span.end);
                }
                return;
            }
            finish_table(self.text, &mut self.report, t);
        }
    }

    fn flush_pending(&mut self) {
        for (s, e) in std::mem::take(&mut self.pending) {
            self.prose_line(s, e);
        }
    }

    fn flush_para(&mut self) {
        if let Some(sp) = self.para.take() {
            self.report.paragraphs.push(Paragraph {
                span: sp,
                section: self.section,
                heading: self.nearest,
                sentences: sentences(self.text, sp),
            });
        }
    }

    fn prose_line(&mut self, s: usize, e: usize) {
        let text = self.text;
        let content = &text[s..e];
        if self.report.title.is_none()
            && self.report.headings.is_empty()
            && self.report.paragraphs.is_empty()
        {
            let norm = super::normalize::simplify(content);
            if norm.contains("报告") && content.chars().count() <= 80 {
                // A title broken over lines: the short lines just before it belong to it.
                let start = match self.para {
                    Some(p) if title_lead(&text[p.range()]) => p.start,
                    _ => s,
                };
                if start == s {
                    self.flush_para();
                } else {
                    self.para = None;
                }
                self.report.title = Some(Span::new(start, e));
                return;
            }
        }
        match self.para.as_mut() {
            Some(p) if !text[p.range()].ends_with(['。', '！', '？', '：', ':', '；', ';']) => {
                p.end = e;
            }
            _ => {
                self.flush_para();
                self.para = Some(Span::new(s, e));
            }
        }
    }
}

/// Lines that can open a title broken over lines: at most two, none a sentence, each naming
/// something (four characters or more).
fn title_lead(s: &str) -> bool {
    let lines: Vec<&str> = s
        .lines()
        .map(|l| l.trim_matches(is_noise))
        .filter(|l| !l.is_empty())
        .collect();
    !lines.is_empty()
        && lines.len() <= 2
        && lines
            .iter()
            .all(|l| l.chars().count() >= 4 && !l.contains(['。', '；', '：', ':', '|']))
}

/// A table before the title whose rows alternate key and value cells is page metadata.
fn finish_table(text: &str, report: &mut Report, mut table: Table) {
    let before_body =
        report.title.is_none() && report.headings.is_empty() && report.paragraphs.is_empty();
    let pairs = table
        .rows
        .iter()
        .all(|r| r.cells.len() >= 2 && r.cells.len() % 2 == 0);
    if before_body && pairs && table.layout == TableLayout::Pipe {
        for row in &table.rows {
            for kv in row.cells.chunks(2) {
                report.metadata.push(MetaEntry {
                    key: kv[0].text(text).to_string(),
                    key_span: kv[0].span(),
                    value: kv[1].text(text).to_string(),
                    value_span: kv[1].span(),
                });
            }
        }
    } else {
        // A table is kept until the report is checked: its rows' spare room would be too.
        table.rows.shrink_to_fit();
        report.tables.push(table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacting_keeps_spaces_between_ascii_only_and_maps_every_byte() {
        let (c, map) = compact(" 一 、总 体  情况 2023 年 A B ");
        assert_eq!(c, "一、总体情况2023年A B");
        assert_eq!(map.len(), c.len() + 1);
        assert_eq!(map[0], 1);
        // A long run of white space is read once (this line took seconds when each space looked
        // ahead through the whole run).
        let line = format!(
            "甲{}乙 1{}2",
            " ".repeat(400_000),
            "\u{3000}".repeat(400_000)
        );
        let (c, map) = compact(&line);
        assert_eq!(c, "甲乙1\u{3000}2");
        assert_eq!(map[c.len() - 1], line.len() - 1);
        assert_eq!(Some(map[c.len() - 4]), line.find('\u{3000}'));
    }

    const SAMPLE: &str = "| 索引號 | 002508860/2019-56831 | 公開形式 | 主動公開 |\n\
| 發布單位 | 於潛鎮 | 發文日期 | 2019-01-20 |\n\
於潛鎮2018年度政府信息公開工作報告\n\
前言。本報告由六個部分組成。\n\
一、概述\n\
(一)?加強組織領導,政務公開工作機制逐步健全完善\n\
(一)公開的主要內容:政府組織機構、法規文件、規劃計劃、財政信息等各類信息。另外我鎮在政府大廳顯示屏公開。\n\
二、主動公開政府信息情況\n\
截止到2019年12月31日,我鎮政府主動公開信息613條。通過問政面對面回應12次。\n\
?\n\
統 計 指 標 | 單位 | 統計數 |\n\
(一)主動公開政府信息數 | 條 | 613 |\n\
涉及商業秘(密) | 件 | |\n";

    #[test]
    fn parses_structure() {
        let r = parse(SAMPLE);
        assert_eq!(r.metadata.len(), 4);
        assert_eq!(r.metadata[3].key, "發文日期");
        assert_eq!(r.metadata[3].value, "2019-01-20");
        assert_eq!(
            &SAMPLE[r.title.unwrap().range()],
            "於潛鎮2018年度政府信息公開工作報告"
        );
        let levels: Vec<(u8, Option<u32>)> =
            r.headings.iter().map(|h| (h.level, h.ordinal)).collect();
        assert_eq!(levels, vec![(1, Some(1)), (2, Some(1)), (1, Some(2))]);
        assert_eq!(
            r.headings[1].text,
            "加強組織領導,政務公開工作機制逐步健全完善"
        );
        assert_eq!(r.paragraphs.len(), 3);
        assert_eq!(r.paragraphs[2].sentences.len(), 2);
        assert_eq!(r.paragraphs[2].section, Some(2));
        let t = &r.tables[0];
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1].cells.len(), 3);
        assert_eq!(t.rows[1].cells[2].text(SAMPLE), "613");
        let blank = &t.rows[2].cells[2];
        assert_eq!(blank.text(SAMPLE), "");
        assert!(blank.blank);
        assert_eq!(&SAMPLE[blank.span().range()], " ");
    }

    #[test]
    fn wrapped_lines_join_into_one_paragraph() {
        let r = parse("一、总体情况\n2023 年全区受理政府信息公开申请 21\n件，均在法定期限答复。\n");
        assert_eq!(r.paragraphs.len(), 1);
        assert_eq!(r.paragraphs[0].sentences.len(), 1);
    }

    fn section_titles(r: &Report, text: &str) -> Vec<String> {
        r.sections()
            .map(|h| {
                let t = &h.text;
                assert!(text.contains(t.as_str()));
                t.clone()
            })
            .collect()
    }

    #[test]
    fn headings_run_into_the_text_are_found() {
        // A crawler dump: the whole report on two lines.
        let text = "某某局2023年政府信息公开工作年度报告\n\
一、总体情况2023年，我局认真贯彻条例。二、主动公开政府信息情况（一）主动公开文件12件。\
三、收到和处理政府信息公开申请情况本年收到申请3件。四、政府信息公开行政复议、行政诉讼情况本年无。\
五、存在的主要问题及改进情况一是……二是……。六、其他需要报告的事项本年度未收取信息处理费。\n";
        let r = parse(text);
        let titles = section_titles(&r, text);
        assert_eq!(titles.len(), 6, "{titles:?}");
        assert_eq!(titles[1], "主动公开政府信息情况");
        assert!(titles[3].starts_with("政府信息公开行政复议"), "{titles:?}");
        assert_eq!(titles[0], "总体情况");
        assert_eq!(titles[2], "收到和处理政府信息公开申请情况");
        assert_eq!(titles[5], "其他需要报告的事项");
        // The text after a heading belongs to its section.
        let p = r
            .paragraphs
            .iter()
            .find(|p| text[p.span.range()].contains("本年收到申请3件"))
            .unwrap();
        assert_eq!(p.section.map(|i| r.headings[i].ordinal), Some(Some(3)));
    }

    #[test]
    fn enumerations_inside_prose_are_not_headings() {
        // 一、二季度 and a list that does not continue the numbering are not parts.
        let text = "某局2023年政府信息公开工作年度报告\n一、总体情况\n\
全年完成一、二季度的检查。重点做好三件事：一、加强领导；二、完善制度。\n\
二、主动公开政府信息情况\n主动公开12件。\n";
        let r = parse(text);
        let ords: Vec<Option<u32>> = r.sections().map(|h| h.ordinal).collect();
        assert_eq!(ords, vec![Some(1), Some(2)]);
    }

    #[test]
    fn markdown_headings_and_tables() {
        let text = "# 某县2025年政府信息公开工作年度报告\n\n## 一、总体情况\n\n正文。\n\n\
### (一) 规章\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n\
| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 6 | - | 32 |\n\n## 二、主动公开政府信息情况\n";
        let r = parse(text);
        assert_eq!(
            &text[r.title.unwrap().range()],
            "某县2025年政府信息公开工作年度报告"
        );
        let titles = section_titles(&r, text);
        assert_eq!(titles, vec!["总体情况", "主动公开政府信息情况"]);
        let t = &r.tables[0];
        assert_eq!(t.rows.len(), 3, "the |---| rule is not a row");
        assert_eq!(t.rows[2].cells[2].text(text), "-");
        assert_eq!(t.section, Some(0));
    }

    #[test]
    fn markdown_sub_items_numbered_like_parts_are_not_parts() {
        let text = "# 某县2025年政府信息公开工作年度报告\n## 三、收到和处理政府信息公开申请情况\n\
### 一、本年新收政府信息公开申请数量\n| 类别 | 数据1 | 总计 |\n|---|---|---|\n| 本年新收政府信息公开申请数量 | 1 | 1 |\n\
### 二、上年结转政府信息公开申请数量\n| 类别 | 数据1 | 总计 |\n|---|---|---|\n| 上年结转政府信息公开申请数量 | 0 | 0 |\n\
## 四、政府信息公开行政复议、行政诉讼情况\n";
        let r = parse(text);
        let ords: Vec<Option<u32>> = r.sections().map(|h| h.ordinal).collect();
        assert_eq!(ords, vec![Some(3), Some(4)]);
        assert!(r.tables.iter().all(|t| t.section == Some(0)));
    }

    #[test]
    fn letter_spaced_headings() {
        let r = parse("某局2024年政府信息公开工作年度报告\n一 、总 体 情 况\n正文。\n二、 主动公开政府信息情况\n");
        let ords: Vec<Option<u32>> = r.sections().map(|h| h.ordinal).collect();
        assert_eq!(ords, vec![Some(1), Some(2)]);
    }

    #[test]
    fn pdf_rows_keep_the_lines_of_a_wrapped_label() {
        let text = "某局2024年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n\
申请人情况\n自然人\n商 业 企\n业\n\
一、本年新收政府信息公开申请数量 5 0 0 0 0 0 5\n\
- 3 -\n\
（六）其\n他处理\n1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信\n息公开申请\n\
1 0 0 0 0 0 1\n（七）总计 5 0 0 0 0 0 5\n四、政府信息公开行政复议、行政诉讼情况\n";
        let r = parse(text);
        assert_eq!(r.tables.len(), 1);
        let t = &r.tables[0];
        let number_rows: Vec<&Row> = t.rows.iter().filter(|r| r.cells.len() == 8).collect();
        assert_eq!(number_rows.len(), 3);
        // The page footer is gone; the wrapped label lines belong to the row of figures.
        let lines: Vec<&str> = number_rows[1]
            .label_lines
            .iter()
            .map(|s| &text[s.range()])
            .collect();
        assert_eq!(
            lines,
            vec![
                "（六）其",
                "他处理",
                "1、申请人无正当理由逾期不补",
                "正、行政机关不再处理其政府信",
                "息公开申请"
            ]
        );
        // The header lines before the first row are header rows, not labels.
        assert!(number_rows[0].label_lines.is_empty());
        assert_eq!(r.sections().count(), 2);
    }
}
