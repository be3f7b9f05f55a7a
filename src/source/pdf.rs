//! PDF input: the text layer, read with its positions (pdf-extract, over lopdf) and laid out
//! again by position: characters on one baseline make a line, read left to right, and a wide
//! gap between two characters (a table's column gap) becomes a run of spaces, so that a table
//! row comes out as its label and its figures, the layout the text reader knows from PDF text.
//! Lines run from the top of each page down. Every line knows its page and its place on it.
//!
//! A PDF without a text layer (a scan), an encrypted one and a damaged one each give one clear
//! error. The reader is third-party code that may panic on malformed input: that is caught
//! here and reported as a damaged file.

use super::places::{Place, Places};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// Most pages read from one PDF.
pub const MAX_PAGES: usize = 2_000;

/// Most characters read from one PDF (far more than any report: a few tens of thousands).
pub const MAX_CHARS: usize = 4_000_000;

/// One character of the text layer: page, position (PDF space: y grows upward), size, text.
#[derive(Debug, Clone)]
struct Glyph {
    page: usize,
    x: f64,
    y: f64,
    size: f64,
    width: f64,
    text: String,
}

#[derive(Default)]
struct Collect {
    page: usize,
    glyphs: Vec<Glyph>,
    truncated: bool,
}

impl OutputDev for Collect {
    fn begin_page(
        &mut self,
        page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page_num as usize;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        if self.glyphs.len() >= MAX_CHARS {
            self.truncated = true;
            return Ok(());
        }
        // The size as drawn: the font size through the text matrix.
        let v = trm.transform_vector(euclid::vec2(font_size, font_size));
        let size = (v.x * v.y).abs().sqrt().max(1.0);
        let w = trm
            .transform_vector(euclid::vec2(width * font_size, 0.0))
            .x
            .abs();
        self.glyphs.push(Glyph {
            page: self.page,
            x: trm.m31,
            y: trm.m32,
            size,
            width: w,
            text: char.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

thread_local! {
    /// Set while the third-party reader runs on this thread.
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Reads the glyphs of a PDF (on the reader's thread).
fn read(bytes: &[u8]) -> Result<Collect, String> {
    quiet_reader_panics();
    IN_READER.with(|f| f.set(true));
    let read = std::panic::catch_unwind(|| -> Result<Collect, String> {
        let mut doc = pdf_extract::Document::load_mem(bytes)
            .map_err(|e| format!("the file is damaged ({e}); save or print it to PDF again"))?;
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err(
                "the PDF is encrypted with a password; save an unprotected copy (or its text) and check that"
                    .to_string(),
            );
        }
        let pages = doc.get_pages().len();
        if pages > MAX_PAGES {
            return Err(format!(
                "the PDF has {pages} pages (at most {MAX_PAGES} are read): not one report"
            ));
        }
        let mut out = Collect::default();
        pdf_extract::output_doc(&doc, &mut out)
            .map_err(|e| format!("its text layer cannot be read ({e})"))?;
        Ok(out)
    });
    IN_READER.with(|f| f.set(false));
    match read {
        Ok(r) => r,
        Err(_) => Err(
            "the file is damaged: its structure could not be read; save or print it to PDF again"
                .to_string(),
        ),
    }
}

/// A panic of the reader on a malformed file is caught and reported as a damaged file: its
/// message must not reach the terminal. Installed once; every other panic goes to the hook that
/// was there before.
fn quiet_reader_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_READER.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// The text of a PDF laid out by position, with the page and line of every line. The reader
/// runs on a thread of its own, abandoned past the `pdf_millis` limit (third-party code that
/// looped on a hostile file would otherwise hang the whole batch).
pub fn extract(bytes: &[u8]) -> Result<(String, Places), String> {
    let limit = crate::limits::get().pdf_millis;
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = bytes.to_vec();
    let spawned = std::thread::Builder::new()
        .name("pdf-reader".into())
        .stack_size(crate::limits::WORKER_STACK_BYTES)
        .spawn(move || {
            let _ = tx.send(read(&owned));
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start reading it: {e}"));
    }
    let collected = match rx.recv_timeout(std::time::Duration::from_millis(limit)) {
        Ok(r) => r?,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            return Err(format!(
                "reading its text layer took more than {limit} ms (limit pdf_millis): the file is damaged or hostile; save or print it to PDF again, or raise the limit (docs/limits.md)"
            ))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            return Err("the file is damaged: its structure could not be read".to_string())
        }
    };
    if collected.truncated {
        return Err(format!(
            "the PDF holds more than {MAX_CHARS} characters: not one report"
        ));
    }
    if collected.glyphs.iter().all(|g| g.text.trim().is_empty()) {
        return Err(
            "it has no text layer (a scanned document): OCR it first (e.g. `ocrmypdf in.pdf out.pdf`), then check the result"
                .to_string(),
        );
    }
    Ok(layout(collected.glyphs))
}

/// One laid-out line: its page, its glyphs left to right, and where it starts and ends.
struct Line<'a> {
    page: usize,
    glyphs: Vec<&'a Glyph>,
    left: f64,
    right: f64,
}

/// Lines by baseline, top down, page by page; characters left to right; column gaps as spaces.
fn layout(mut glyphs: Vec<Glyph>) -> (String, Places) {
    glyphs.retain(|g| !g.text.trim().is_empty());
    glyphs.sort_by(|a, b| {
        a.page
            .cmp(&b.page)
            .then(b.y.total_cmp(&a.y))
            .then(a.x.total_cmp(&b.x))
    });
    let mut lines: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < glyphs.len() {
        // One line: the glyphs whose baseline is within 40 % of the first one's size.
        let (page, y0, size0) = (glyphs[i].page, glyphs[i].y, glyphs[i].size);
        let mut j = i;
        while j < glyphs.len() && glyphs[j].page == page && (glyphs[j].y - y0).abs() < size0 * 0.4 {
            j += 1;
        }
        let mut line: Vec<&Glyph> = glyphs[i..j].iter().collect();
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let left = line[0].x;
        let right = line
            .iter()
            .map(|g| g.x + g.width.max(g.size * 0.3))
            .fold(f64::MIN, f64::max);
        lines.push(Line {
            page,
            glyphs: line,
            left,
            right,
        });
        i = j;
    }
    join_group_labels(&mut lines);
    drop_running_lines(&mut lines);
    let mut text = String::new();
    let mut places = Places::default();
    let mut page = 0;
    let mut line_no = 0;
    for line in &lines {
        if line.page != page {
            if page != 0 {
                text.push('\n');
            }
            page = line.page;
            line_no = 0;
        }
        line_no += 1;
        places.push((
            text.len(),
            Place::Page {
                page,
                line: line_no,
            },
        ));
        let mut end: Option<f64> = None;
        for g in &line.glyphs {
            if let Some(e) = end {
                let gap = g.x - e;
                if gap > g.size * 1.5 {
                    text.push_str("   ");
                } else if gap > g.size * 0.25 {
                    text.push(' ');
                }
            }
            let right = g.x + g.width.max(g.size * 0.3);
            places.push_box(
                text.len(),
                [g.x as f32, g.y as f32, right as f32, (g.y + g.size) as f32],
            );
            text.push_str(&g.text);
            end = Some(right);
        }
        text.push('\n');
    }
    (text, places)
}

/// Page headers and footers: a line that is the first (or the last) of at least three pages,
/// and of at least half of them, with the same text once its figures are set aside (`- 3 -`,
/// `第 3 页`, a running title), is the page's furniture, not the report's text (except the
/// first line of the first page: the title).
fn drop_running_lines(lines: &mut Vec<Line>) {
    let key = |l: &Line| -> String {
        l.glyphs
            .iter()
            .flat_map(|g| g.text.chars())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let pages: Vec<usize> = {
        let mut p: Vec<usize> = lines.iter().map(|l| l.page).collect();
        p.dedup();
        p
    };
    if pages.len() < 3 {
        return;
    }
    // Index of the first and the last line of each page.
    let mut ends: Vec<(usize, usize)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        match ends.last_mut() {
            Some((_, last)) if lines[*last].page == l.page => *last = i,
            _ => ends.push((i, i)),
        }
    }
    let mut drop = vec![false; lines.len()];
    for pick in [|e: &(usize, usize)| e.0, |e: &(usize, usize)| e.1] {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for e in &ends {
            *counts.entry(key(&lines[pick(e)])).or_default() += 1;
        }
        for e in &ends {
            let n = counts[&key(&lines[pick(e)])];
            // The first line of the first page is the report's title even when later pages
            // repeat it as their running header.
            if n >= 3 && n * 2 >= pages.len() && pick(e) != 0 {
                drop[pick(e)] = true;
            }
        }
    }
    let mut k = 0;
    lines.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// A table's group label in its own left column (`（六）其他处理` beside the rows it groups) is
/// drawn centred across those rows, so its pieces fall between the rows' wrapped labels
/// (`（六）其` / `2、申请人逾期未按收费通知要` / `他处理`). A piece that lies wholly left of the lines
/// around it and holds no figure is joined to the group label it continues, which starts with
/// `（…）` at the same left edge within the three lines before it.
fn join_group_labels(lines: &mut Vec<Line>) {
    let is_piece = |lines: &[Line], k: usize| -> bool {
        let l = &lines[k];
        let around = |m: usize| {
            lines
                .get(m)
                .is_some_and(|o| o.page == l.page && o.left >= l.right)
        };
        l.glyphs.len() <= 8
            && !l
                .glyphs
                .iter()
                .any(|g| g.text.chars().any(|c| c.is_ascii_digit()))
            && k > 0
            && around(k - 1)
            && around(k + 1)
    };
    let mut k = 1;
    while k < lines.len() {
        let head = (k.saturating_sub(3)..k).rev().find(|&h| {
            let first: String = lines[h]
                .glyphs
                .iter()
                .take(1)
                .map(|g| g.text.as_str())
                .collect();
            lines[h].page == lines[k].page
                && matches!(first.as_str(), "（" | "(")
                && (lines[h].left - lines[k].left).abs() < 2.0
                && is_piece(lines, h)
        });
        if let (Some(h), true) = (head, is_piece(lines, k)) {
            let piece = lines.remove(k);
            lines[h].right = lines[h].right.max(piece.right);
            lines[h].glyphs.extend(piece.glyphs);
            continue;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(page: usize, x: f64, y: f64, t: &str) -> Glyph {
        Glyph {
            page,
            x,
            y,
            size: 10.0,
            width: 10.0,
            text: t.into(),
        }
    }

    #[test]
    fn a_group_label_drawn_between_wrapped_row_labels_is_joined() {
        let at = |x: f64, y: f64, t: &str| g(1, x, y, t);
        let mut glyphs = Vec::new();
        let mut put = |x0: f64, y: f64, s: &str| {
            for (k, c) in s.chars().enumerate() {
                glyphs.push(at(x0 + 10.0 * k as f64, y, &c.to_string()));
            }
        };
        put(150.0, 540.0, "息公开申请");
        put(100.0, 516.0, "（六）其");
        put(150.0, 508.0, "2、申请人逾期");
        put(100.0, 501.0, "他处理");
        put(150.0, 493.0, "求缴纳费用");
        put(400.0, 493.0, "6");
        let (text, _) = layout(glyphs);
        assert_eq!(
            text,
            "息公开申请\n（六）其他处理\n2、申请人逾期\n求缴纳费用   6\n"
        );
    }

    #[test]
    fn running_headers_and_page_numbers_are_dropped() {
        let mut glyphs = Vec::new();
        for page in 1..=4 {
            for (k, c) in "年度报告".chars().enumerate() {
                glyphs.push(g(page, 100.0 + 10.0 * k as f64, 800.0, &c.to_string()));
            }
            glyphs.push(g(page, 100.0, 500.0, if page == 2 { "乙" } else { "甲" }));
            glyphs.push(g(page, 300.0, 40.0, "-"));
            glyphs.push(g(page, 310.0, 40.0, &page.to_string()));
            glyphs.push(g(page, 320.0, 40.0, "-"));
        }
        let (text, places) = layout(glyphs);
        // The title stays on page 1; the running header and the page numbers go.
        assert_eq!(text, "年度报告\n甲\n\n乙\n\n甲\n\n甲\n");
        assert_eq!(places.place(0), Some(Place::Page { page: 1, line: 1 }));
    }

    #[test]
    fn lines_by_baseline_and_columns_by_gaps() {
        let glyphs = vec![
            g(1, 100.0, 700.0, "总"),
            g(1, 110.0, 700.5, "计"),
            g(1, 200.0, 699.0, "3"),
            g(1, 100.0, 680.0, "下"),
            g(2, 100.0, 700.0, "二"),
        ];
        let (text, places) = layout(glyphs);
        assert_eq!(text, "总计   3\n下\n\n二\n");
        assert_eq!(places.place(0), Some(Place::Page { page: 1, line: 1 }));
        let at = text.find('下').unwrap();
        assert_eq!(places.place(at), Some(Place::Page { page: 1, line: 2 }));
        let at = text.find('二').unwrap();
        assert_eq!(places.place(at), Some(Place::Page { page: 2, line: 1 }));
    }
}
