//! Word documents (.docx): the text of `word/document.xml` in the layout the text reader
//! knows. Paragraphs become lines, with the number Word draws before a numbered paragraph
//! (from `word/numbering.xml`: `一、`, `（一）`, `1.`) written in front of its text; tables become
//! pipe rows with `gridSpan` and `vMerge` resolved as HTML's colspan and rowspan are (a label is
//! copied into every position it spans, a figure written once). Every byte of the text knows
//! its place in the document: a paragraph, or a table's row and cell.
//!
//! A .docx is a ZIP archive: the entry count, each part's declared and actual decompressed
//! size, their total and the compression ratio are bounded (`archive_*` limits). The XML is
//! read as a stream of events, never as a tree, so nesting cannot exhaust the stack.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::Read;

pub use super::places::{Place, Places as DocxOrigin};

/// Reads one part of the archive within the limits.
fn read_part(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
    total: &mut u64,
) -> Result<Option<Vec<u8>>, String> {
    let limits = crate::limits::get();
    let mut file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("cannot read {name} in the archive: {e}")),
    };
    let declared = file.size();
    let packed = file.compressed_size().max(1);
    let part_limit = limits.archive_part_bytes;
    let bomb = |size: u64| {
        format!(
            "{name} inflates to {size} bytes or more (limits: archive_part_bytes = {part_limit}, \
             archive_total_bytes = {}, archive_ratio = {}): this is not a report but an archive \
             bomb, or raise the limits (docs/limits.md)",
            limits.archive_total_bytes, limits.archive_ratio
        )
    };
    if declared > part_limit
        || declared / packed > limits.archive_ratio
        || *total + declared > limits.archive_total_bytes
    {
        return Err(bomb(declared));
    }
    // The declared size can lie: count what actually comes out.
    let cap = part_limit
        .min(limits.archive_total_bytes - *total)
        .min(packed.saturating_mul(limits.archive_ratio));
    let mut out = Vec::new();
    (&mut file)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate {name}: {e}"))?;
    if out.len() as u64 > cap {
        return Err(bomb(out.len() as u64));
    }
    *total += out.len() as u64;
    Ok(Some(out))
}

/// Whether bytes are a Word document (a ZIP archive with `word/document.xml`).
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && bytes
            .windows(b"word/document.xml".len())
            .any(|w| w == b"word/document.xml")
}

/// A numbering level: its format and its text (`%1、`).
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

/// The numbering definitions: numId -> abstract levels.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    nums: HashMap<String, String>,
}

fn attr(e: &BytesStart, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key || a.key.local_name().as_ref() == key)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn parse_numbering(xml: &[u8]) -> Numbering {
    let mut n = Numbering::default();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut abs: Option<String> = None;
    let mut level: Option<usize> = None;
    let mut num: Option<String> = None;
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        match &ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"abstractNum" => abs = attr(e, b"w:abstractNumId"),
                b"lvl" => {
                    level = attr(e, b"w:ilvl").and_then(|v| v.parse().ok());
                    if let (Some(a), Some(l)) = (&abs, level) {
                        let levels = n.abstracts.entry(a.clone()).or_default();
                        if levels.len() <= l && l < 9 {
                            levels.resize(l + 1, Level::default());
                        }
                    }
                }
                b"numFmt" | b"lvlText" | b"start" => {
                    if let (Some(a), Some(l)) = (&abs, level) {
                        if let Some(lv) = n.abstracts.get_mut(a).and_then(|v| v.get_mut(l)) {
                            let v = attr(e, b"w:val").unwrap_or_default();
                            match e.local_name().as_ref() {
                                b"numFmt" => lv.format = v,
                                b"lvlText" => lv.text = v,
                                _ => lv.start = v.parse().unwrap_or(1),
                            }
                        }
                    }
                }
                b"num" => num = attr(e, b"w:numId"),
                b"abstractNumId" => {
                    if let (Some(id), Some(a)) = (&num, attr(e, b"w:val")) {
                        n.nums.insert(id.clone(), a);
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"abstractNum" => abs = None,
                b"lvl" => level = None,
                b"num" => num = None,
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    n
}

/// A number written in a numbering format.
fn format_number(n: u32, format: &str) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let chinese = |n: u32| -> String {
        match n {
            0..=9 => DIGITS[n as usize].to_string(),
            10..=19 => format!(
                "十{}",
                if n > 10 {
                    DIGITS[(n % 10) as usize].to_string()
                } else {
                    String::new()
                }
            ),
            20..=99 => format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                if !n.is_multiple_of(10) {
                    DIGITS[(n % 10) as usize].to_string()
                } else {
                    String::new()
                }
            ),
            _ => n.to_string(),
        }
    };
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "ideographTraditional"
        | "taiwaneseCounting"
        | "japaneseCounting" => chinese(n),
        "ideographDigital" => n
            .to_string()
            .chars()
            .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
            .collect(),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "lowerLetter" => char::from_u32('a' as u32 + (n.saturating_sub(1) % 26))
            .map_or(String::new(), String::from),
        "upperLetter" => char::from_u32('A' as u32 + (n.saturating_sub(1) % 26))
            .map_or(String::new(), String::from),
        "bullet" | "none" => String::new(),
        _ => n.to_string(),
    }
}

/// Counters of the numbered lists, per list and level.
#[derive(Default)]
struct Counters {
    counts: HashMap<String, Vec<u32>>,
}

impl Counters {
    /// The label Word draws for the next paragraph of list `num` at level `level`.
    fn next(&mut self, numbering: &Numbering, num: &str, level: usize) -> Option<String> {
        let abs = numbering.nums.get(num)?;
        let levels = numbering.abstracts.get(abs)?;
        let lv = levels.get(level)?;
        if lv.format == "bullet" || lv.format == "none" {
            return None;
        }
        let counts = self.counts.entry(abs.clone()).or_default();
        if counts.len() < levels.len() {
            counts.resize(levels.len(), 0);
        }
        counts[level] = if counts[level] == 0 {
            lv.start.max(1)
        } else {
            counts[level] + 1
        };
        for c in counts.iter_mut().skip(level + 1) {
            *c = 0;
        }
        let mut text = lv.text.clone();
        for (i, l) in levels.iter().enumerate().take(level + 1) {
            let value = counts[i].max(l.start.max(1));
            text = text.replace(&format!("%{}", i + 1), &format_number(value, &l.format));
        }
        Some(text)
    }
}

/// A table cell being read: its text, span and vertical merge.
#[derive(Default)]
struct CellBuf {
    text: String,
    span: usize,
    merge: Option<bool>, // Some(true): restart, Some(false): continue
}

#[derive(Default)]
struct TableBuf {
    rows: Vec<Vec<CellBuf>>,
}

/// The text of a Word document and where each part came from; an error names what is wrong.
pub fn extract(bytes: &[u8]) -> Result<(String, DocxOrigin), String> {
    let limits = crate::limits::get();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        format!("the Word archive is damaged ({e}); save it again from Word or WPS")
    })?;
    if zip.len() > limits.archive_entries {
        return Err(format!(
            "the Word archive lists {} entries (limit archive_entries = {}): not a report; raise the limit if it is one (docs/limits.md)",
            zip.len(),
            limits.archive_entries
        ));
    }
    let mut total = 0u64;
    let numbering = read_part(&mut zip, "word/numbering.xml", &mut total)?
        .map(|x| parse_numbering(&x))
        .unwrap_or_default();
    let doc = read_part(&mut zip, "word/document.xml", &mut total)?
        .ok_or("the archive has no word/document.xml: it is not a Word document")?;
    Ok(document_text(&doc, &numbering))
}

/// Appends a table's rows as pipe rows.
fn emit_table(t: TableBuf, table_no: usize, text: &mut String, origin: &mut DocxOrigin) {
    // Grid positions: gridSpan widens a cell; vMerge continues the cell above.
    let mut grid: Vec<Vec<Option<(String, bool)>>> = Vec::new(); // (text, written here)
    let mut above: Vec<Option<String>> = Vec::new();
    for row in &t.rows {
        let mut line: Vec<Option<(String, bool)>> = Vec::new();
        for cell in row {
            let col = line.len();
            let span = cell.span.clamp(1, 64);
            let own = match cell.merge {
                Some(false) => above.get(col).cloned().flatten().unwrap_or_default(),
                _ => cell.text.trim().to_string(),
            };
            let figure = matches!(
                crate::numerals::read_cell(&own),
                crate::numerals::CellReading::Number { .. }
            );
            for k in 0..span {
                // A figure is written once: at its first position, not under a merge.
                let written = !(figure && (k > 0 || cell.merge == Some(false)));
                line.push(Some((own.clone(), written)));
            }
            if above.len() < line.len() {
                above.resize(line.len(), None);
            }
            for slot in above.iter_mut().skip(col).take(span) {
                *slot = Some(own.clone());
            }
        }
        grid.push(line);
    }
    text.push('\n');
    for (r, line) in grid.iter().enumerate() {
        if line
            .iter()
            .all(|c| c.as_ref().is_none_or(|(t, w)| t.is_empty() || !w))
        {
            continue;
        }
        text.push('|');
        for (c, slot) in line.iter().enumerate() {
            let Some((cell, written)) = slot else {
                continue;
            };
            if !written {
                continue;
            }
            origin.push((
                text.len(),
                Place::Cell {
                    table: table_no,
                    row: r + 1,
                    cell: c + 1,
                },
            ));
            text.push(' ');
            text.push_str(&cell.replace(['|', '\n'], " "));
            text.push_str(" |");
        }
        text.push('\n');
    }
}

/// Walks `word/document.xml` as a stream of events.
fn document_text(xml: &[u8], numbering: &Numbering) -> (String, DocxOrigin) {
    let mut text = String::new();
    let mut origin = DocxOrigin::default();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut counters = Counters::default();
    // Tables nest; only the outermost is laid out, inner ones join their cell's text.
    let mut tables: Vec<TableBuf> = Vec::new();
    let mut table_no = 0usize;
    let mut paragraph_no = 0usize;
    let mut para = String::new();
    let mut in_text = false;
    let (mut num_id, mut ilvl): (Option<String>, usize) = (None, 0);
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Err(_) => break,
            Ok(ev) => ev,
        };
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"p" if !empty => {
                        para.clear();
                        num_id = None;
                        ilvl = 0;
                    }
                    b"numId" => num_id = attr(e, b"w:val").filter(|v| v != "0"),
                    b"ilvl" => ilvl = attr(e, b"w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                    b"t" if !empty => in_text = true,
                    b"tab" => para.push(' '),
                    b"br" | b"cr" => para.push('\n'),
                    b"tbl" if !empty => tables.push(TableBuf::default()),
                    b"tr" if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.rows.push(Vec::new());
                        }
                    }
                    b"tc" if !empty => {
                        if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            row.push(CellBuf {
                                span: 1,
                                ..CellBuf::default()
                            });
                        }
                    }
                    b"gridSpan" => {
                        let n: usize = attr(e, b"w:val").and_then(|v| v.parse().ok()).unwrap_or(1);
                        if let Some(c) = tables
                            .last_mut()
                            .and_then(|t| t.rows.last_mut())
                            .and_then(|r| r.last_mut())
                        {
                            c.span = n;
                        }
                    }
                    b"vMerge" => {
                        let restart = attr(e, b"w:val").is_some_and(|v| v == "restart");
                        if let Some(c) = tables
                            .last_mut()
                            .and_then(|t| t.rows.last_mut())
                            .and_then(|r| r.last_mut())
                        {
                            c.merge = Some(restart);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                if let Ok(s) = t.decode() {
                    para.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.decode().as_deref() {
                        Ok("amp") => "&".into(),
                        Ok("lt") => "<".into(),
                        Ok("gt") => ">".into(),
                        Ok("quot") => "\"".into(),
                        Ok("apos") => "'".into(),
                        _ => String::new(),
                    },
                };
                para.push_str(&s);
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let label = num_id
                        .as_deref()
                        .and_then(|n| counters.next(numbering, n, ilvl))
                        .unwrap_or_default();
                    let line = format!("{label}{}", para.trim_end());
                    if let Some(c) = tables
                        .last_mut()
                        .and_then(|t| t.rows.last_mut())
                        .and_then(|r| r.last_mut())
                    {
                        if !c.text.is_empty() {
                            c.text.push(' ');
                        }
                        c.text.push_str(&line);
                    } else if !line.trim().is_empty() {
                        paragraph_no += 1;
                        origin.push((text.len(), Place::Paragraph(paragraph_no)));
                        text.push_str(&line);
                        text.push('\n');
                    }
                    para.clear();
                }
                b"tbl" => {
                    if let Some(t) = tables.pop() {
                        if tables.is_empty() {
                            table_no += 1;
                            emit_table(t, table_no, &mut text, &mut origin);
                        } else if let Some(c) = tables
                            .last_mut()
                            .and_then(|o| o.rows.last_mut())
                            .and_then(|r| r.last_mut())
                        {
                            // A table inside a cell: its text joins the cell.
                            for row in t.rows {
                                for cell in row {
                                    c.text.push(' ');
                                    c.text.push_str(cell.text.trim());
                                }
                            }
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    (text, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, props: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    #[test]
    fn spans_and_merges_resolve_as_html_spans_do() {
        let restart = "<w:vMerge w:val=\"restart\"/>";
        let cont = "<w:vMerge/>";
        let span = |n: usize| format!("<w:gridSpan w:val=\"{n}\"/>");
        let rows = [
            [
                cell("项目", restart),
                cell("申请人情况", &span(2)),
                cell("总计", restart),
            ]
            .concat(),
            [
                cell("", cont),
                cell("自然人", ""),
                cell("法人", ""),
                cell("", cont),
            ]
            .concat(),
            [
                cell("本年新收", ""),
                cell("3", ""),
                cell("2", ""),
                cell("5", ""),
            ]
            .concat(),
            [cell("行政许可", ""), cell("13", &span(3))].concat(),
            [
                cell("规章", restart),
                cell("7", restart),
                cell("1", ""),
                cell("0", ""),
            ]
            .concat(),
            [cell("", cont), cell("", cont), cell("2", ""), cell("0", "")].concat(),
        ];
        let xml = format!(
            "<w:document><w:body><w:p><w:r><w:t>前言</w:t></w:r></w:p><w:tbl>{}</w:tbl></w:body></w:document>",
            rows.iter().map(|r| format!("<w:tr>{r}</w:tr>")).collect::<String>()
        );
        let (text, origin) = document_text(xml.as_bytes(), &Numbering::default());
        assert_eq!(
            text,
            "前言\n\n\
             | 项目 | 申请人情况 | 申请人情况 | 总计 |\n\
             | 项目 | 自然人 | 法人 | 总计 |\n\
             | 本年新收 | 3 | 2 | 5 |\n\
             | 行政许可 | 13 |\n\
             | 规章 | 7 | 1 | 0 |\n\
             | 规章 | 2 | 0 |\n"
        );
        let at = text.find("| 5 |").unwrap() + 2;
        assert_eq!(
            origin.place(at),
            Some(Place::Cell {
                table: 1,
                row: 3,
                cell: 4
            })
        );
        assert_eq!(origin.place(0), Some(Place::Paragraph(1)));
    }

    #[test]
    fn numbered_paragraphs_get_their_numbers() {
        let numbering = parse_numbering(
            r#"<w:numbering><w:abstractNum w:abstractNumId="3">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
            <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
            </w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num></w:numbering>"#
                .as_bytes(),
        );
        let p = |lvl: usize, t: &str| {
            format!("<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"7\"/></w:numPr></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>")
        };
        let xml = format!(
            "<w:document><w:body>{}{}{}{}{}</w:body></w:document>",
            p(0, "总体情况"),
            p(1, "主动公开"),
            p(2, "规章"),
            p(1, "依申请公开"),
            p(0, "主动公开政府信息情况")
        );
        let (text, _) = document_text(xml.as_bytes(), &numbering);
        assert_eq!(
            text,
            "一、总体情况\n（一）主动公开\n1.规章\n（二）依申请公开\n二、主动公开政府信息情况\n"
        );
    }

    #[test]
    fn numbers_in_chinese_and_other_formats() {
        assert_eq!(format_number(1, "chineseCounting"), "一");
        assert_eq!(format_number(10, "chineseCounting"), "十");
        assert_eq!(format_number(12, "chineseCounting"), "十二");
        assert_eq!(format_number(21, "chineseCountingThousand"), "二十一");
        assert_eq!(format_number(3, "decimal"), "3");
        assert_eq!(format_number(2, "upperLetter"), "B");
    }
}
