//! HTML as published → the text a reader sees, with a byte map back into the HTML file.
//!
//! The page is parsed by html5ever (the HTML5 tree builder) into a lean tree ([`super::dom`]).
//! The report body is the element that holds most of the page's Chinese text (menus, footers
//! and scripts fall away);
//! blocks become lines, text split across tags (`20</span><span>23`) is joined, and data tables
//! become pipe rows with colspan/rowspan resolved into a grid (`| 项目 | 自然人 | … |`), which
//! the plain-text parser then reads like any other table. Text nodes are matched to the raw
//! text runs of the file (entities decoded) so that every visible character maps back to the
//! byte it came from.

use super::dom::{Dom, Edge, Node, NodeId, NodeRef};
use super::SourceError;
// Keyed by node id (a small integer the parser hands out): the fast non-keyed hash.
use rustc_hash::FxHashMap as HashMap;

/// Visible text and, for each of its bytes (plus one past the end), the HTML byte offset.
#[derive(Debug, Clone, Default)]
pub struct HtmlText {
    /// The text a reader sees: one line per block, tables as pipe rows.
    pub text: String,
    /// HTML byte offset of every byte of `text`, and of its end (32-bit: a page longer than
    /// `u32::MAX` bytes is refused).
    pub map: Vec<u32>,
    /// Tables left out because their spans expand past the grid-cell limits.
    pub too_large: Vec<TooLarge>,
}

/// A table left out: where it stood and how many grid cells it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge {
    /// Byte offset in the visible text where the table would have been.
    pub at: usize,
    /// HTML byte offset of the table.
    pub raw: usize,
    /// Grid cells it expanded to before it was stopped.
    pub cells: usize,
    /// The limit it ran into.
    pub limit: usize,
}

/// Elements that never hold report text.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "iframe", "select", "option", "button", "input", "textarea",
    "svg", "head", "title", "meta", "link", "object", "embed", "canvas", "map", "template",
];

/// Elements that start a new line.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "section",
    "article",
    "center",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "form",
    "hr",
    "table",
    "caption",
    "address",
    "figure",
    "figcaption",
];

/// A run of text between tags in the raw HTML (script and style contents and comments left out).
struct Run {
    start: u32,
    end: u32,
}

fn raw_runs(raw: &str) -> Vec<Run> {
    let b = raw.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    let lower = |s: &[u8]| s.iter().map(u8::to_ascii_lowercase).collect::<Vec<u8>>();
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!' || next == b'?') {
            i += 1;
            continue;
        }
        if text_start < i {
            runs.push(Run {
                start: offset(text_start),
                end: offset(i),
            });
        }
        // Skip the tag (or comment), minding quotes.
        let end = if b[i..].starts_with(b"<!--") {
            raw[i + 4..].find("-->").map_or(b.len(), |e| i + 4 + e + 3)
        } else {
            let mut j = i + 1;
            let mut quote = 0u8;
            while j < b.len() {
                let c = b[j];
                if quote != 0 {
                    if c == quote {
                        quote = 0;
                    }
                } else if c == b'"' || c == b'\'' {
                    quote = c;
                } else if c == b'>' {
                    break;
                }
                j += 1;
            }
            (j + 1).min(b.len())
        };
        let tag = lower(&b[i + 1..end.min(i + 10)]);
        i = end;
        // Raw-text elements: their content is not text of the page.
        for name in [&b"script"[..], b"style", b"textarea", b"title"] {
            if tag.starts_with(name)
                && tag
                    .get(name.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
            {
                i = find_end_tag(b, i, name).unwrap_or(b.len());
            }
        }
        text_start = i;
    }
    if text_start < b.len() {
        runs.push(Run {
            start: offset(text_start),
            end: offset(b.len()),
        });
    }
    runs
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" => '\u{a0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "copy" => '©',
        "times" => '×',
        "emsp" => '\u{2003}',
        "ensp" => '\u{2002}',
        "thinsp" => '\u{2009}',
        "yen" => '¥',
        "deg" => '°',
        "reg" => '®',
        _ => {
            let num = name.strip_prefix('#')?;
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(n)?
        }
    })
}

/// Decodes a raw text run: (decoded text, raw byte offset of each decoded char, run end).
fn decode_run(raw: &str, run: &Run) -> (String, Vec<u32>) {
    let (start, end) = (run.start as usize, run.end as usize);
    let s = &raw[start..end];
    let mut out = String::new();
    let mut offs = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        if c == '&' {
            // An entity's name is at most 10 bytes: look no further for its `;` (a page of
            // ampersands stays linear).
            let window = &s.as_bytes()[i + 1..(i + 12).min(s.len())];
            if let Some(semi) = window
                .iter()
                .position(|&b| b == b';')
                .filter(|&p| p > 0 && p <= 10)
            {
                if let Some(d) = entity(&s[i + 1..i + 1 + semi]) {
                    out.push(d);
                    offs.push(offset(start + i));
                    i += semi + 2;
                    continue;
                }
            }
        }
        if c == '\r' && s[i + 1..].starts_with('\n') {
            i += 1;
            continue;
        }
        out.push(if c == '\r' { '\n' } else { c });
        offs.push(offset(start + i));
        i += c.len_utf8();
    }
    (out, offs)
}

/// An offset into the page (which [`extract`] has checked fits 32 bits).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

struct Ctx {
    /// For each text node: raw offsets of its chars.
    offsets: HashMap<NodeId, Vec<u32>>,
    /// Chinese characters below each node (skipped elements not counted).
    cjk: Vec<u32>,
    /// Nodes with a table below them.
    has_table: Vec<bool>,
    raw_len: usize,
    /// Grid cells the page's tables may still expand to.
    cells_left: std::cell::Cell<usize>,
    too_large: std::cell::RefCell<Vec<TooLarge>>,
}

/// An element's name in lower case (borrowed: the tree builder lower-cases HTML names already,
/// so only foreign elements such as SVG's `clipPath` are copied).
fn element_name<'a>(n: &NodeRef<'a>) -> Option<std::borrow::Cow<'a, str>> {
    match n.value() {
        Node::Element(e) => {
            let name = e.name();
            Some(if name.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(name.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(name)
            })
        }
        _ => None,
    }
}

fn skipped(n: &NodeRef) -> bool {
    element_name(n).is_some_and(|name| SKIP.contains(&&*name))
}

/// Counts, in one pass from the leaves up (no recursion: pages nest deeply), the Chinese
/// characters below every node and which nodes have a table below them.
fn measure(root: NodeRef, cx: &mut Ctx) {
    for edge in root.traverse() {
        let Edge::Close(n) = edge else { continue };
        let own = match n.value() {
            Node::Text(t) => t.chars().filter(|c| is_cjk(*c)).count(),
            Node::Element(_) if skipped(&n) => 0,
            _ => n.children().map(|c| cx.cjk[c.id().index()] as usize).sum(),
        };
        cx.cjk[n.id().index()] = u32::try_from(own).unwrap_or(u32::MAX);
        if n.children()
            .any(|c| element_name(&c).as_deref() == Some("table") || cx.has_table[c.id().index()])
        {
            cx.has_table[n.id().index()] = true;
        }
    }
}

fn count_cjk(n: NodeRef, cx: &Ctx) -> usize {
    cx.cjk[n.id().index()] as usize
}

/// Emits text with its map.
#[derive(Default)]
struct Out {
    text: String,
    map: Vec<u32>,
    last_raw: usize,
}

impl Out {
    fn push(&mut self, c: char, raw: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.map.push(offset(raw));
        }
        self.last_raw = raw;
    }

    fn newline(&mut self) {
        // Trim trailing spaces of the line, then end it (no blank lines).
        while self.text.ends_with(' ') {
            self.text.pop();
            self.map.pop();
        }
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            let r = self.last_raw;
            self.push('\n', r);
        }
    }

    fn space(&mut self, raw: usize) {
        if !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
            self.push(' ', raw);
        }
    }
}

fn text_node(t: &str, id: NodeId, cx: &Ctx, out: &mut Out) {
    let offs = cx.offsets.get(&id);
    for (i, c) in t.chars().enumerate() {
        let raw = offs
            .and_then(|o| o.get(i).map(|&r| r as usize))
            .unwrap_or(out.last_raw)
            .min(cx.raw_len);
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' {
            out.space(raw);
        } else {
            out.push(c, raw);
        }
    }
}

/// The text of an element's content on one line (block children become spaces).
fn inline(n: NodeRef, cx: &Ctx, out: &mut Out) {
    let mut skip: Option<NodeId> = None;
    for edge in n.traverse() {
        match edge {
            Edge::Open(x) if skip.is_none() && x.id() != n.id() => match x.value() {
                Node::Text(t) => text_node(t, x.id(), cx, out),
                Node::Element(_) if skipped(&x) => skip = Some(x.id()),
                Node::Element(_) => {
                    let name = element_name(&x).unwrap_or_default();
                    if BLOCK.contains(&&*name) {
                        out.space(out.last_raw);
                    }
                }
                _ => {}
            },
            Edge::Close(x) if skip == Some(x.id()) => skip = None,
            _ => {}
        }
    }
}

fn span_attr(n: &NodeRef, name: &str) -> usize {
    match n.value() {
        Node::Element(e) => e.span(name).unwrap_or(1),
        _ => 1,
    }
}

/// What covers one position of a table's grid.
#[derive(Clone)]
enum Slot {
    /// Nothing.
    Empty,
    /// A cell (a header cell spanning several columns covers each of them).
    Cell(std::rc::Rc<Out>),
    /// A position a figure spans beyond its first: the figure belongs to its first column
    /// only, so nothing is written here.
    Covered,
}

/// A data table: rows of cells with colspan/rowspan resolved, emitted as pipe rows. Header
/// cells are copied into every column they span (the columns under them keep their name); a
/// figure is written once, at its first grid position (`行政许可 | 13` for a figure spanning
/// three columns, not `行政许可 | 13 | 13 | 13`).
fn table(n: NodeRef, cx: &Ctx, out: &mut Out) {
    let rows: Vec<NodeRef> = n
        .descendants()
        .filter(|d| element_name(d).as_deref() == Some("tr"))
        .collect();
    // Spans may ask for far more grid cells than the page has bytes: stop at the limits.
    let table_limit = crate::limits::get().table_cells;
    let budget = table_limit.min(cx.cells_left.get());
    let mut cells = 0usize;
    let mut grid: Vec<Vec<Slot>> = Vec::new();
    for (r, tr) in rows.iter().enumerate() {
        if grid.len() <= r {
            grid.resize(r + 1, Vec::new());
        }
        let mut c = 0;
        for td in tr
            .children()
            .filter(|d| matches!(element_name(d).as_deref(), Some("td" | "th")))
        {
            while grid[r].get(c).is_some_and(|s| !matches!(s, Slot::Empty)) {
                c += 1;
            }
            let mut cell = Out {
                last_raw: out.last_raw,
                ..Default::default()
            };
            inline(td, cx, &mut cell);
            while cell.text.ends_with(' ') {
                cell.text.pop();
                cell.map.pop();
            }
            let figure = matches!(
                crate::numerals::read_cell(&cell.text),
                crate::numerals::CellReading::Number { .. }
            );
            let cell = std::rc::Rc::new(cell);
            let (cs, rs) = (span_attr(&td, "colspan"), span_attr(&td, "rowspan"));
            for rr in r..(r + rs).min(rows.len().max(r + 1)) {
                if grid.len() <= rr {
                    grid.resize(rr + 1, Vec::new());
                }
                for cc in c..c + cs {
                    if grid[rr].len() <= cc {
                        cells += cc + 1 - grid[rr].len();
                        if cells > budget {
                            let raw = match n.value() {
                                Node::Element(_) => first_raw(n, cx).unwrap_or(out.last_raw),
                                _ => out.last_raw,
                            };
                            cx.too_large.borrow_mut().push(TooLarge {
                                at: out.text.len(),
                                raw,
                                cells,
                                limit: budget,
                            });
                            cx.cells_left.set(cx.cells_left.get().saturating_sub(cells));
                            return;
                        }
                        grid[rr].resize(cc + 1, Slot::Empty);
                    }
                    let first = rr == r && cc == c;
                    grid[rr][cc] = if figure && !first {
                        Slot::Covered
                    } else {
                        Slot::Cell(cell.clone())
                    };
                }
            }
            c += cs;
        }
    }
    cx.cells_left.set(cx.cells_left.get().saturating_sub(cells));
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    out.newline();
    for row in grid {
        let cells = || {
            row.iter().filter_map(|s| match s {
                Slot::Cell(c) => Some(c),
                _ => None,
            })
        };
        if cells().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        let start = cells()
            .next()
            .and_then(|c| c.map.first().map(|&r| r as usize))
            .unwrap_or(out.last_raw);
        out.push('|', start);
        for i in 0..width {
            let cell = match row.get(i) {
                Some(Slot::Covered) => continue,
                Some(Slot::Cell(c)) => Some(c),
                _ => None,
            };
            let at = cell
                .and_then(|c| c.map.first().map(|&r| r as usize))
                .unwrap_or(out.last_raw);
            out.push(' ', at);
            if let Some(c) = cell {
                for (ch, raw) in c
                    .text
                    .chars()
                    .zip(c.text.char_indices().map(|(b, _)| c.map[b] as usize))
                {
                    out.push(if ch == '|' { '｜' } else { ch }, raw);
                }
                out.push(' ', out.last_raw);
            }
            out.push('|', out.last_raw);
        }
        out.push('\n', out.last_raw);
    }
}

/// The HTML offset of the first text below a node.
fn first_raw(n: NodeRef, cx: &Ctx) -> Option<usize> {
    n.descendants().find_map(|d| {
        cx.offsets
            .get(&d.id())
            .and_then(|o| o.first().map(|&r| r as usize))
    })
}

/// The text of a block and everything below it: blocks start lines, data tables become pipe
/// rows. Iterative: the depth of a page is the page's to choose.
fn blocks(n: NodeRef, cx: &Ctx, out: &mut Out) {
    let mut skip: Option<NodeId> = None;
    let is_block =
        |name: &str| BLOCK.contains(&name) || matches!(name, "td" | "th" | "tbody" | "thead");
    for edge in n.traverse() {
        match edge {
            Edge::Open(x) if skip.is_none() && x.id() != n.id() => match x.value() {
                Node::Text(t) => text_node(t, x.id(), cx, out),
                Node::Element(_) if skipped(&x) => skip = Some(x.id()),
                Node::Element(_) => {
                    let name = element_name(&x).unwrap_or_default();
                    if name == "table" && !cx.has_table[x.id().index()] {
                        table(x, cx, out);
                        out.newline();
                        skip = Some(x.id());
                    } else if is_block(&name) {
                        out.newline();
                    }
                }
                _ => {}
            },
            Edge::Close(x) if skip == Some(x.id()) => skip = None,
            Edge::Close(x)
                if skip.is_none()
                    && x.id() != n.id()
                    && element_name(&x).is_some_and(|name| is_block(&name)) =>
            {
                out.newline();
            }
            _ => {}
        }
    }
}

/// Extracts the visible report text from an HTML page; a page nested deeper than the limit is
/// refused before it is parsed (the HTML5 tree builder takes time quadratic in the depth).
pub fn extract(raw: &str) -> Result<HtmlText, SourceError> {
    // Offsets into the page are 32-bit.
    if u32::try_from(raw.len()).is_err() {
        return Err(SourceError::TextTooLarge {
            bytes: raw.len() as u64,
        });
    }
    let limits = crate::limits::get();
    check_depth(raw, limits.html_depth)?;
    let doc = Dom::parse(raw);
    let runs = raw_runs(raw);
    // Match the DOM's text nodes, in document order, to the raw text runs.
    let mut cx = Ctx {
        offsets: HashMap::default(),
        cjk: vec![0; doc.len()],
        has_table: vec![false; doc.len()],
        raw_len: raw.len(),
        cells_left: std::cell::Cell::new(
            raw.len()
                .saturating_mul(limits.cells_per_byte)
                .max(limits.table_cells),
        ),
        too_large: Default::default(),
    };
    let mut cursor = 0;
    // The runs decoded so far from `cursor` on (a window of at most 40: the runs before the
    // cursor are never looked at again, so a page keeps none of them).
    let mut decoded: std::collections::VecDeque<Option<(String, Vec<u32>)>> = Default::default();
    let mut in_skipped = 0usize;
    for edge in doc.root().traverse() {
        let node = match edge {
            Edge::Open(n) => n,
            Edge::Close(n) => {
                if skipped(&n) {
                    in_skipped = in_skipped.saturating_sub(1);
                }
                continue;
            }
        };
        if skipped(&node) {
            in_skipped += 1;
        }
        let Node::Text(t) = node.value() else {
            continue;
        };
        if in_skipped > 0 || t.trim().is_empty() {
            continue;
        }
        for k in cursor..(cursor + 40).min(runs.len()) {
            if decoded.len() <= k - cursor {
                decoded.resize(k - cursor + 1, None);
            }
            let (text, _) = decoded[k - cursor].get_or_insert_with(|| decode_run(raw, &runs[k]));
            if text.as_str() == &**t {
                if let Some((_, offs)) = decoded[k - cursor].take() {
                    cx.offsets.insert(node.id(), offs);
                }
                // The runs up to this one are never looked at again.
                decoded.drain(..=k - cursor);
                cursor = k + 1;
                break;
            }
        }
    }
    measure(doc.root(), &mut cx);
    // The report body: descend while one child holds most of the Chinese text.
    let mut root = doc.root();
    loop {
        let total = count_cjk(root, &cx);
        let best = root
            .children()
            .filter(|c| matches!(c.value(), Node::Element(_)))
            .map(|c| (count_cjk(c, &cx), c))
            .max_by_key(|(n, _)| *n);
        match best {
            Some((n, c))
                if total > 0
                    && n * 10 >= total * 8
                    && element_name(&c).as_deref() != Some("table") =>
            {
                root = c
            }
            _ => break,
        }
    }
    // The visible text is about as long as the text between the tags: sized first, so that a
    // large page's text and map are not copied as they double.
    let visible: usize = runs.iter().map(|r| (r.end - r.start) as usize).sum();
    drop(runs);
    let mut out = Out {
        text: String::with_capacity(visible),
        map: Vec::with_capacity(visible),
        ..Out::default()
    };
    blocks(root, &cx, &mut out);
    out.newline();
    let end = out.last_raw;
    out.map.push(offset(end));
    Ok(HtmlText {
        text: out.text,
        map: out.map,
        too_large: cx.too_large.into_inner(),
    })
}

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "basefont", "bgsound", "frame", "keygen",
];

/// Elements a sibling of the same kind closes (`<p>a<p>b`, `<td>1<td>2`).
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rtc", "rp",
    "thead", "tbody", "tfoot", "colgroup",
];

/// Refuses a page whose elements nest deeper than `limit`, by a linear scan of its tags that
/// follows the tree builder where it matters (void elements, siblings that close each other,
/// end tags that close what they enclose).
fn check_depth(raw: &str, limit: usize) -> Result<(), SourceError> {
    let b = raw.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr_lt(b, i) {
        i = p + 1;
        if b[i..].starts_with(b"!--") {
            i = raw[i..].find("-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let end_tag = b.get(i) == Some(&b'/');
        let name_start = if end_tag { i + 1 } else { i };
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'-' | b'_'))
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = raw[name_start..name_start + name_len].to_ascii_lowercase();
        let close = b[name_start..].iter().position(|&c| c == b'>');
        let self_closing = close.is_some_and(|c| c > 0 && b[name_start + c - 1] == b'/');
        i = close.map_or(b.len(), |c| name_start + c + 1);
        if end_tag {
            if let Some(at) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(at);
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "script" | "style" | "textarea" | "title" | "xmp"
        ) {
            i = find_end_tag(b, i, name.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if VOID.contains(&name.as_str()) || self_closing {
            continue;
        }
        if SELF_CLOSING_SIBLINGS.contains(&name.as_str()) {
            let closes = |top: &str| {
                top == name
                    || (matches!(name.as_str(), "td" | "th") && matches!(top, "td" | "th"))
                    || (matches!(name.as_str(), "dt" | "dd") && matches!(top, "dt" | "dd"))
            };
            if stack.last().is_some_and(|t| closes(t)) {
                stack.pop();
            }
        }
        stack.push(name);
        if stack.len() > limit {
            let line = raw[..p].matches('\n').count() + 1;
            return Err(SourceError::TooDeep {
                depth: stack.len(),
                line,
                limit,
            });
        }
    }
    Ok(())
}

/// Where `</name` (any case) next starts at or after `from`.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(p) = memchr_lt(b, i) {
        let rest = &b[p + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

/// The next `<` at or after `from`.
fn memchr_lt(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == b'<')
        .map(|p| p + from)
}

/// A page's text for indexing only: its `<title>` on the first line, then the page with
/// comments, scripts and styles dropped, block tags as line breaks and other tags removed
/// (a few entities decoded). No layout, no map back to the page: linear and cheap.
pub fn strip_tags(page: &str) -> String {
    let lower_at = |i: usize, what: &str| {
        page.get(i..i + what.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(what))
    };
    let mut out = String::with_capacity(page.len() / 2);
    if let Some(t) = find_ascii_ci(page, "<title") {
        if let Some(open_end) = page[t..].find('>') {
            let from = t + open_end + 1;
            if let Some(close) = find_ascii_ci(&page[from..], "</title") {
                out.push_str(page[from..from + close].trim());
                out.push('\n');
            }
        }
    }
    let mut i = 0;
    while i < page.len() {
        let rest = &page[i..];
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest);
            break;
        };
        push_text(&mut out, &rest[..lt]);
        i += lt;
        let skip_to =
            |end: &str| find_ascii_ci(&page[i..], end).map_or(page.len(), |p| i + p + end.len());
        if page[i..].starts_with("<!--") {
            i = page[i..].find("-->").map_or(page.len(), |p| i + p + 3);
        } else if lower_at(i, "<script") {
            i = skip_to("</script>");
        } else if lower_at(i, "<style") {
            i = skip_to("</style>");
        } else if lower_at(i, "<title") {
            i = skip_to("</title>");
        } else {
            let end = page[i..].find('>').map_or(page.len(), |p| i + p + 1);
            let tag = &page[i..end];
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if matches!(
                name.as_str(),
                "p" | "br"
                    | "div"
                    | "tr"
                    | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "table"
                    | "section"
                    | "article"
            ) {
                out.push('\n');
            } else if matches!(name.as_str(), "td" | "th") {
                out.push('|');
            }
            i = end;
        }
    }
    out
}

fn push_text(out: &mut String, s: &str) {
    if s.contains('&') {
        out.push_str(
            &s.replace("&nbsp;", " ")
                .replace("&ensp;", " ")
                .replace("&emsp;", " ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        );
    } else {
        out.push_str(s);
    }
}

/// The first place of `what` (ASCII) in `s`, in any case.
fn find_ascii_ci(s: &str, what: &str) -> Option<usize> {
    let (h, n) = (s.as_bytes(), what.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_split_across_tags_is_joined_and_mapped() {
        let raw = "<html><body><div class=nav>首页 | 机构</div><div id=c><p>统计期限自<span>20</span><span>23</span>年1月1日起。</p>\
                   <p>收取信息处理费&nbsp;0&nbsp;元。</p></div><script>var x='报告报告报告报告报告报告报告报告报告';</script></body></html>";
        let h = extract(raw).unwrap();
        assert!(
            h.text.contains("统计期限自2023年1月1日起。"),
            "{:?}",
            h.text
        );
        assert!(h.text.contains("收取信息处理费 0 元。"), "{:?}", h.text);
        assert!(!h.text.contains("var x"));
        let i = h.text.find("23年").unwrap();
        assert_eq!(&raw[h.map[i] as usize..h.map[i] as usize + 2], "23");
        assert_eq!(h.map.len(), h.text.len() + 1);
    }

    #[test]
    fn a_figure_spanning_columns_is_written_once() {
        let raw = "<body><p>二、主动公开政府信息情况，正文正文正文正文正文</p><table>\
            <tr><td colspan=4>第二十条第（五）项</td></tr>\
            <tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>\
            <tr><td>行政许可</td><td colspan=3>13</td></tr>\
            <tr><td rowspan=2>规章</td><td>1</td><td rowspan=2>7</td><td>2</td></tr>\
            <tr><td>3</td><td>4</td></tr></table></body>";
        let h = extract(raw).unwrap();
        let lines: Vec<&str> = h.text.lines().collect();
        // Header cells span; a figure belongs to its first grid position only.
        assert!(
            lines
                .contains(&"| 信息内容 | 本年处理决定数量 | 本年处理决定数量 | 本年处理决定数量 |"),
            "{lines:?}"
        );
        assert!(lines.contains(&"| 行政许可 | 13 |"), "{lines:?}");
        assert!(lines.contains(&"| 规章 | 1 | 7 | 2 |"), "{lines:?}");
        assert!(lines.contains(&"| 规章 | 3 | 4 |"), "{lines:?}");
    }

    #[test]
    fn tables_become_pipe_rows_with_spans_resolved() {
        let raw = "<body><p>三、收到和处理政府信息公开申请情况，正文正文正文正文</p><table>\
            <tr><td rowspan=2>项目</td><td colspan=2>申请人情况</td><td rowspan=2>总计</td></tr>\
            <tr><td>自然人</td><td>法人</td></tr>\
            <tr><td>本年新<span>收</span></td><td>10</td><td><o:p> </o:p></td><td>10</td></tr></table></body>";
        let h = extract(raw).unwrap();
        let lines: Vec<&str> = h.text.lines().collect();
        assert!(
            lines.contains(&"| 项目 | 申请人情况 | 申请人情况 | 总计 |"),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"| 项目 | 自然人 | 法人 | 总计 |"),
            "{lines:?}"
        );
        assert!(lines.contains(&"| 本年新收 | 10 |  | 10 |"), "{lines:?}");
        let i = h.text.find("10 |").unwrap();
        assert_eq!(&raw[h.map[i] as usize..h.map[i] as usize + 2], "10");
    }

    #[test]
    fn layout_tables_are_containers() {
        let raw =
            "<body><table><tr><td>菜单</td><td><p>一、总体情况，本机关正文正文正文正文正文</p>\
            <table><tr><td>规章</td><td>0</td></tr></table></td></tr></table></body>";
        let h = extract(raw).unwrap();
        assert!(h.text.contains("一、总体情况"), "{:?}", h.text);
        assert!(h.text.contains("| 规章 | 0 |"), "{:?}", h.text);
        assert!(
            !h.text.contains("| 菜单"),
            "the layout table is not a data table: {:?}",
            h.text
        );
    }

    #[test]
    fn malformed_html_does_not_lose_text() {
        let raw = "<TABLE><TR><TD>项目<TD colspan=2>数量<TR><TD>申请<TD>12<td>3</TABLE><p>后文";
        let h = extract(raw).unwrap();
        assert!(h.text.contains("| 项目 | 数量 | 数量 |"), "{:?}", h.text);
        assert!(h.text.contains("| 申请 | 12 | 3 |"), "{:?}", h.text);
        assert!(h.text.contains("后文"));
    }
}
