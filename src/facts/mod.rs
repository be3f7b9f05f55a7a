//! Stage 3: [`Report`] + field declarations -> [`FactSet`]. Binds table rows by label (with a
//! position fallback for unreadable labels), prose figures by patterns, and report-level facts.
//! Problems met while binding (garbled labels, blank cells, unbound rows) become diagnostics.

pub mod checks;
pub mod outline;
pub mod prose;
pub mod spec;
mod table;
pub mod wording;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Lang};
use crate::document::{NormRef, NormText, Report};
use crate::source::Source;
use crate::span::Span;
use crate::units::{Money, MoneyUnit};
use rust_decimal::Decimal;
use serde::Serialize;
use spec::{FieldSpecs, Origin, Pattern, Placeholder};
use std::collections::BTreeMap;

pub use table::is_garbled;

/// The value of a bound fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum FactValue {
    /// A number (exact).
    Number(Decimal),
    /// An amount of money with its unit.
    Money(crate::units::Money),
    /// A date.
    Date(Date),
    /// A blank cell (or a blank marker such as `-` or `/`).
    Blank,
    /// Text where a number was expected.
    Text(String),
}

impl std::fmt::Display for FactValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactValue::Number(n) => write!(f, "{}", n.normalize()),
            FactValue::Money(m) => write!(f, "{m}"),
            FactValue::Date(d) => write!(f, "{d}"),
            FactValue::Blank => f.write_str("(blank)"),
            FactValue::Text(t) => write!(f, "{t:?}"),
        }
    }
}

/// How a fact was bound, from the most to the least certain. A finding of severity `error`
/// needs every fact it uses bound with certainty ([`BoundBy::is_certain`]); a weaker binding
/// caps it at a warning that names the binding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BoundBy {
    /// The row label is the form's label.
    Exact,
    /// The row label is a variant the rule file declares (`规范性文件` for `行政规范性文件`).
    Variant,
    /// Found by a pattern in the prose.
    Pattern,
    /// Computed from the document structure (the number of sections).
    Structure,
    /// A blank total cell, derived from the cells it adds up.
    Derived,
    /// The label is within a small edit distance of the form's label, or cut short.
    Near,
    /// The label is unreadable; the rows recognised before and after it place it.
    Position,
    /// A prose figure whose clause names no metric but refers back (`相关案件 74 件`): bound to
    /// the metric of the clause before it.
    Context,
}

impl BoundBy {
    /// Whether an `error` may rest on a fact bound this way.
    pub fn is_certain(self) -> bool {
        matches!(
            self,
            BoundBy::Exact | BoundBy::Variant | BoundBy::Pattern | BoundBy::Structure
        )
    }

    /// The name used in rule files (`min_certainty`), `dump` and JSON.
    pub fn name(self) -> &'static str {
        match self {
            BoundBy::Exact => "exact",
            BoundBy::Variant => "variant",
            BoundBy::Pattern => "pattern",
            BoundBy::Structure => "structure",
            BoundBy::Derived => "derived",
            BoundBy::Near => "near",
            BoundBy::Position => "position",
            BoundBy::Context => "context",
        }
    }

    /// How the binding was made, in Chinese (for messages).
    pub fn name_zh(self) -> &'static str {
        match self {
            BoundBy::Exact => "按标签读取",
            BoundBy::Variant => "按标签别名读取",
            BoundBy::Pattern => "按句式读取",
            BoundBy::Structure => "按文档结构计算",
            BoundBy::Derived => "由本行各项推算",
            BoundBy::Near => "按相近标签读取",
            BoundBy::Position => "按位置读取",
            BoundBy::Context => "按上文所指读取",
        }
    }

    /// Reads a name written in a rule file.
    pub fn parse(s: &str) -> Option<BoundBy> {
        [
            BoundBy::Exact,
            BoundBy::Variant,
            BoundBy::Pattern,
            BoundBy::Structure,
            BoundBy::Derived,
            BoundBy::Near,
            BoundBy::Position,
            BoundBy::Context,
        ]
        .into_iter()
        .find(|b| b.name() == s)
    }

    /// How sure the binding is, for comparisons with a rule's `min_certainty`: 4 for a label
    /// read as written (exact, variant, pattern, structure), 3 derived, 2 near, 1 position.
    pub fn rank(self) -> u8 {
        match self {
            BoundBy::Exact | BoundBy::Variant | BoundBy::Pattern | BoundBy::Structure => 4,
            BoundBy::Derived => 3,
            BoundBy::Near | BoundBy::Context => 2,
            BoundBy::Position => 1,
        }
    }
}

/// One bound value with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// The value.
    pub value: FactValue,
    /// Where the value is (the cell, or the matched phrase).
    pub span: Option<Span>,
    /// The wider context (the table row, or the sentence).
    pub context: Option<Span>,
    /// The raw text the value came from.
    pub raw: String,
    /// How it was bound.
    pub bound_by: BoundBy,
    /// For prose: the words that make the sentence speak of a narrower scope than the report
    /// (区政府办 in a district report, 自然人 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// How the binding was made, when it is worth saying (a near label, a derived total, a
    /// note written in the cell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a prose item (`其中结果维持 72 件`): the field and index of the whole it is an item
    /// of, stated in the same sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<(String, usize)>,
    /// For a prose share (`占 98.9%`): the figures it divides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<Share>,
}

impl Fact {
    /// A statement about the text (`outline.…`, `wording.…`): the words, at their place.
    pub fn statement(span: Span, value: String, bound_by: BoundBy) -> Fact {
        Fact {
            value: FactValue::Text(value.clone()),
            span: Some(span),
            context: None,
            raw: value,
            bound_by,
            scope: None,
            note: None,
            parent: None,
            share: None,
        }
    }
}

/// Words of the report as a statement shows them: on one line, without the line breaks and
/// PDF letter spacing that are not the words.
pub(crate) fn one_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// What a stated percentage can be checked against.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Share {
    /// A part over its whole, both stated in the same sentence (`其中自然人申请 741 件，占
    /// 98.9%`; `办结 718 件……办结率 95.9%`).
    Of {
        /// The part.
        part: Decimal,
        /// Where the part is stated.
        part_span: Span,
        /// The whole.
        whole: Decimal,
        /// Where the whole is stated.
        whole_span: Span,
    },
    /// The shares of every part of a whole, stated in one sentence: together about 100 %.
    Total {
        /// Each share and where it is stated.
        shares: Vec<(Decimal, Span)>,
    },
}

/// A clause of the prose with figures, and what each bound to.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseRecord {
    /// The clause.
    pub span: Span,
    /// Its figures in order.
    pub figures: Vec<ClauseFigure>,
}

/// A figure of a clause: the field it bound to, or why it bound to none.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseFigure {
    /// The figure as written (`3119 件`).
    pub text: String,
    /// Where it is.
    pub span: Span,
    /// The field it bound to (`prose.applications`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why it bound to nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// All facts bound from one report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FactSet {
    /// Table facts by key (`proactive_total`).
    pub table: BTreeMap<String, Fact>,
    /// Prose facts by key: every match, in document order.
    pub prose: BTreeMap<String, Vec<Fact>>,
    /// Report facts by key (`period.year`).
    pub report: BTreeMap<String, Fact>,
    /// Rows with a value that bound to no field (for `dump`).
    pub unbound_rows: Vec<Span>,
    /// 2-D forms by table name: the rows bound and the columns found. Their cells are in
    /// `table` under `ROW[COLUMN]`.
    pub grids: BTreeMap<String, Grid>,
    /// Blank cells of 2-D forms (judged after the rules ran: needed by a relation, or not).
    pub grid_blanks: Vec<BlankCell>,
    /// Row keys of tables that were not recognised in the report, with the table's name.
    pub unrecognised: BTreeMap<String, String>,
    /// Tables that were not recognised, by name: their title and why.
    pub unrecognised_tables: BTreeMap<String, NotRecognised>,
    /// The report's title line (findings about the whole report point here).
    pub title: Option<Span>,
    /// Every clause of the prose with a figure, and what its figures bound to.
    pub clauses: Vec<ClauseRecord>,
    /// Prose wholes and the fields of their declared parts (`reviews` → upheld, corrected, …).
    pub prose_parts: BTreeMap<String, Vec<String>>,
    /// Statements about the text, by full name (`outline.restarted`, `wording.doubled`): one
    /// fact per occurrence, its value the words.
    pub text: BTreeMap<String, Vec<Fact>>,
}

/// The names of statement fields ([`FactSet::text`]), with their titles: every rule set has them.
pub fn statement_fields() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    outline::STATEMENTS.iter().chain(wording::STATEMENTS)
}

/// Whether a field name is one whose every occurrence is a fact of its own (a prose figure, a
/// statement about the text): a rule using it runs once per occurrence.
pub fn is_statement(path: &str) -> bool {
    path.starts_with("prose.") || is_text_statement(path)
}

/// Whether a field name is a statement about the text (`outline.…`, `wording.…`): a rule
/// using it runs once per statement, also where it stands inside a function.
pub fn is_text_statement(path: &str) -> bool {
    path.starts_with("outline.") || path.starts_with("wording.")
}

impl FactSet {
    /// Every occurrence of a statement field ([`is_statement`]): prose figures by their key
    /// without `prose.`, text statements by their full name.
    pub fn statements(&self, path: &str) -> &[Fact] {
        match path.strip_prefix("prose.") {
            Some(key) => self.prose.get(key),
            None => self.text.get(path),
        }
        .map_or(&[][..], Vec::as_slice)
    }
}

/// A blank cell of a 2-D form.
#[derive(Debug, Clone, Serialize)]
pub struct BlankCell {
    /// Where the cell is.
    pub span: Span,
    /// `row / column` titles.
    pub title: String,
    /// The table's title.
    pub table: String,
    /// The fact name (`table.next[total]`).
    pub field: String,
    /// For a blank total cell derived from its parts: the sum, written out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<String>,
}

/// A table of the form that was not recognised in the report.
#[derive(Debug, Clone, Serialize)]
pub struct NotRecognised {
    /// The table's title.
    pub title: String,
    /// Why, for the reader.
    pub reason: String,
    /// `title: reason`, as a skipped rule shows it (made once: every rule reading the table
    /// shows it).
    #[serde(skip)]
    pub shown: std::sync::Arc<str>,
}

impl NotRecognised {
    /// A table not recognised, and why.
    pub fn new(title: String, reason: String) -> NotRecognised {
        let shown = format!("{title}: {reason}").into();
        NotRecognised {
            title,
            reason,
            shown,
        }
    }
}

/// The shape of a bound 2-D form.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grid {
    /// Row keys bound, in table order.
    pub rows: Vec<String>,
    /// Column keys found, in declaration order.
    pub columns: Vec<String>,
}

/// The report's sentences, each normalised once and shared by the binders, and by every
/// binding of one document (choosing the rule set, then binding it): normalising (Traditional →
/// Simplified, NFKC) is the costliest step of binding. Every sentence is read by the prose
/// binder, so all are normalised up front, into one buffer
/// ([`NormTexts`](crate::document::NormTexts): no allocation per sentence).
pub struct Sentences<'a> {
    text: &'a str,
    /// Sentence spans in document order, with the paragraph's section.
    spans: Vec<SentenceAt>,
    norms: crate::document::NormTexts,
    /// Sentence indices by start offset, where the spans are not already in that order.
    by_start: Option<Vec<usize>>,
    /// The other lines binders read whole: the title and the headings, by start, each
    /// normalised on first use.
    lines: Vec<(Span, std::cell::OnceCell<NormText>)>,
    headings: &'a [crate::document::Heading],
    /// Each heading's text (without its enumerator) normalised: the sections' titles.
    titles: std::cell::OnceCell<Vec<String>>,
}

/// Where a sentence is, in 12 bytes (a document's offsets are 32-bit, [`crate::document::Cell`]).
#[derive(Debug, Clone, Copy)]
struct SentenceAt {
    /// The paragraph's section (`u32::MAX`: none).
    section: u32,
    start: u32,
    end: u32,
}

impl SentenceAt {
    fn span(self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }
}

impl<'a> Sentences<'a> {
    /// The sentences of a parsed document (nothing is normalised yet).
    pub fn new(text: &'a str, report: &'a Report) -> Sentences<'a> {
        let count = report.paragraphs.iter().map(|p| p.sentences.len()).sum();
        let mut spans: Vec<SentenceAt> = Vec::with_capacity(count);
        let at = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
        for p in &report.paragraphs {
            let section = p
                .section
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(u32::MAX);
            spans.extend(p.sentences.iter().map(|s| SentenceAt {
                section,
                start: at(s.span.start),
                end: at(s.span.end),
            }));
        }
        let sorted = spans.windows(2).all(|w| w[0].start <= w[1].start);
        let by_start = (!sorted).then(|| {
            let mut order: Vec<usize> = (0..spans.len()).collect();
            order.sort_by_key(|&i| spans[i].start);
            order
        });
        let mut lines: Vec<(Span, std::cell::OnceCell<NormText>)> = report
            .title
            .into_iter()
            .chain(report.headings.iter().map(|h| h.span))
            .map(|sp| (sp, std::cell::OnceCell::new()))
            .collect();
        lines.sort_by_key(|(sp, _)| (sp.start, sp.end));
        lines.dedup_by_key(|(sp, _)| *sp);
        let mut norms = crate::document::NormTexts::with_capacity(
            spans.iter().map(|a| a.span().range().len()).sum(),
            spans.len(),
        );
        for a in &spans {
            let sp = a.span();
            norms.push(&text[sp.range()]);
        }
        Sentences {
            text,
            norms,
            spans,
            by_start,
            lines,
            headings: &report.headings,
            titles: std::cell::OnceCell::new(),
        }
    }

    /// The normalised text of each heading's text (without its enumerator), by heading index.
    pub(crate) fn titles(&self) -> &[String] {
        self.titles.get_or_init(|| {
            self.headings
                .iter()
                .map(|h| NormText::new(&h.text, 0).text)
                .collect()
        })
    }

    /// The normalised text of the title or heading line with this span, when it is one.
    pub(crate) fn line_norm(&self, span: Span) -> Option<NormRef<'_>> {
        let i = self
            .lines
            .binary_search_by_key(&(span.start, span.end), |(sp, _)| (sp.start, sp.end))
            .ok()?;
        let (sp, cell) = &self.lines[i];
        Some(
            cell.get_or_init(|| NormText::new(&self.text[sp.range()], sp.start))
                .view(),
        )
    }

    /// The normalised text of the `i`th sentence.
    pub(crate) fn norm(&self, i: usize) -> NormRef<'_> {
        self.norms.get(i, self.spans[i].start as usize)
    }

    /// Every sentence's normalised text, one after the other: a literal found in no sentence
    /// is not in this text either.
    pub(crate) fn joined_norms(&self) -> &str {
        self.norms.joined()
    }

    /// The normalised text of the sentence with this span, when it is one.
    fn norm_of(&self, span: Span) -> Option<NormRef<'_>> {
        let start_of = |i: usize| self.spans[i].start as usize;
        let n = self.spans.len();
        let nth = |k: usize| self.by_start.as_ref().map_or(k, |order| order[k]);
        let k = match &self.by_start {
            None => self
                .spans
                .partition_point(|a| (a.start as usize) < span.start),
            Some(order) => order.partition_point(|&i| start_of(i) < span.start),
        };
        (k..n)
            .map(nth)
            .take_while(|&i| start_of(i) == span.start)
            .find(|&i| self.spans[i].span() == span)
            .map(|i| self.norm(i))
    }
}

/// Report facts computed from the document structure, available to every rule set.
/// Each entry: (name, display title, description).
pub const COMPUTED_REPORT_FIELDS: &[(&str, &str, &str)] = &[(
    "section_count",
    "实有一级标题数",
    "number of the report's numbered parts (一、二、…); where the numbering starts again, the highest number used",
)];

/// Binds a report's facts.
pub fn bind(
    source: &Source,
    report: &Report,
    specs: &FieldSpecs,
    lang: Lang,
) -> (FactSet, Vec<Diagnostic>) {
    bind_with(
        source,
        report,
        specs,
        lang,
        &Sentences::new(&source.text, report),
    )
}

/// Binds a report's facts against sentences already (partly) normalised.
pub fn bind_with(
    source: &Source,
    report: &Report,
    specs: &FieldSpecs,
    lang: Lang,
    sentences: &Sentences,
) -> (FactSet, Vec<Diagnostic>) {
    let mut facts = FactSet {
        title: report.title,
        ..FactSet::default()
    };
    let mut diags = Vec::new();
    if source.had_decode_errors {
        let check = checks::DECODE_ERRORS;
        let mut d = Diagnostic::new(
            check.severity,
            check.id,
            check.name,
            lang.pick(check.summary_zh, check.summary_en),
        )
        .with_note(format!("decoded as {}", source.encoding))
        .with_help(check.fix_in(lang));
        let replaced = source.text.matches('\u{FFFD}').count();
        if let Some(p) = source.text.find('\u{FFFD}') {
            d = d
                .with_label(crate::diagnostic::Label::primary(
                    Span::new(p, p + 3),
                    "U+FFFD",
                ))
                .with_note(match lang {
                    Lang::Zh => format!("共 {replaced} 处无法解码，已替换为 U+FFFD；其余文字照常检查"),
                    Lang::En => format!(
                        "{replaced} undecodable byte sequence(s) replaced by U+FFFD; the rest of the text is checked as usual"
                    ),
                });
        }
        diags.push(d);
    }
    if let Some(note) = &source.encoding_note {
        let check = checks::ENCODING_GUESSED;
        diags.push(
            Diagnostic::new(
                check.severity,
                check.id,
                check.name,
                lang.pick(check.summary_zh, check.summary_en),
            )
            .with_note(note.clone())
            .with_help(check.fix_in(lang)),
        );
    }
    for t in &source.tables_left_out {
        let check = checks::TABLE_TOO_LARGE;
        // The first character after the place the table stood (the line that follows it).
        let text = &source.text;
        let mut at = t.at.min(text.len());
        while text[at..].starts_with(['\n', ' ']) {
            at += 1;
        }
        if at >= text.len() {
            at = text.char_indices().next_back().map_or(0, |(i, _)| i);
        }
        let end = source.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        diags.push(
            Diagnostic::new(
                check.severity,
                check.id,
                check.name,
                match lang {
                    Lang::Zh => format!(
                        "网页表格的合并单元格展开后超过 {} 个格，未读取",
                        crate::limits::grouped(t.limit as u64)
                    ),
                    Lang::En => format!(
                        "an HTML table expands to more than {} grid cells through its spans and was left out",
                        crate::limits::grouped(t.limit as u64)
                    ),
                },
            )
            .with_label(crate::diagnostic::Label::primary(
                Span::new(at, end),
                "the table stood before this line",
            ))
            .with_help(check.fix_in(lang)),
        );
    }
    if !specs.tables.is_empty() {
        // Read once for every form, and dropped before the prose is bound.
        table::bind_tables(
            &source.text,
            report,
            sentences,
            &specs.tables,
            lang,
            &mut facts,
            &mut diags,
            table::WINDOW_ROWS,
        );
    }
    bind_prose(&source.text, specs, sentences, &mut facts);
    prose::bind(&source.text, report, specs, sentences, &mut facts);
    bind_report(&source.text, report, specs, sentences, &mut facts);
    outline::bind(&source.text, report, &specs.outline, sentences, &mut facts);
    wording::bind(&source.text, report, &specs.wording, sentences, &mut facts);
    let sections: Vec<&crate::document::Heading> = report.sections().collect();
    // The number of parts: the count of numbered parts, or, where the numbering starts again
    // (a report that numbers its tables' parts anew), the highest number used.
    let ords: Vec<u32> = sections.iter().filter_map(|h| h.ordinal).collect();
    let restarts = ords.windows(2).any(|w| w[1] <= w[0]);
    let count = if restarts {
        ords.iter().copied().max().unwrap_or(0) as usize
    } else {
        sections.len()
    };
    facts.report.insert(
        "section_count".into(),
        Fact {
            value: FactValue::Number(Decimal::from(count)),
            span: sections.last().map(|h| h.span),
            context: None,
            raw: sections
                .last()
                .map_or(String::new(), |h| source.text[h.span.range()].to_string()),
            bound_by: BoundBy::Structure,
            scope: None,
            note: None,
            parent: None,
            share: None,
        },
    );
    (facts, diags)
}

/// The value a placeholder captured. `before` is the text before the match in the same
/// sentence: a date written without its year takes the year of the last date there.
fn capture_value(
    kind: Placeholder,
    text: &str,
    unit: Option<MoneyUnit>,
    before: &str,
) -> Option<FactValue> {
    match kind {
        Placeholder::Number | Placeholder::Year => {
            let n = crate::numerals::parse_number(text)?;
            Some(match unit {
                Some(unit) => FactValue::Money(Money { amount: n, unit }),
                None => FactValue::Number(n),
            })
        }
        Placeholder::Date => Date::parse(text)
            .or_else(|| {
                let year = last_year(before)?;
                Date::parse(&format!("{year}年{text}"))
            })
            .map(FactValue::Date),
        Placeholder::Marker => Some(FactValue::Number(Decimal::ONE)),
    }
}

/// The year of the last `YYYY年` in a text.
fn last_year(s: &str) -> Option<&str> {
    let i = s.rfind('年')?;
    let head = &s[..i];
    let year = head.get(head.len().checked_sub(4)?..)?;
    (year.chars().all(|c| c.is_ascii_digit()) && (year.starts_with("19") || year.starts_with("20")))
        .then_some(year)
}

/// The places facts were already bound at in a text, for the check that a new one overlaps
/// none (`a.start < b.end && b.start < a.end`): a lookup, where scanning every fact was
/// quadratic in a sentence's matches. Non-empty places are kept as disjoint ranges by start
/// (overlapping ones merged); empty ones, which block only a place strictly around them, apart.
#[derive(Default)]
struct Taken {
    ranges: std::collections::BTreeMap<usize, usize>,
    points: std::collections::BTreeSet<usize>,
}

impl Taken {
    /// The places of these facts.
    fn of(facts: &[Fact]) -> Taken {
        let mut t = Taken::default();
        for sp in facts.iter().filter_map(|f| f.span) {
            t.insert(sp);
        }
        t
    }

    fn insert(&mut self, span: Span) {
        let (mut s, mut e) = (span.start, span.end);
        if s >= e {
            self.points.insert(s);
            return;
        }
        if let Some((&ps, &pe)) = self.ranges.range(..=s).next_back() {
            if pe > s {
                s = ps;
                e = e.max(pe);
            }
        }
        // Only overlapping places merge: touching ones stay apart (an empty place between two
        // touching ones overlaps neither).
        let after: Vec<usize> = self.ranges.range(s..e).map(|(&k, _)| k).collect();
        for k in after {
            if let Some(ke) = self.ranges.remove(&k) {
                e = e.max(ke);
            }
        }
        self.ranges.insert(s, e);
    }

    /// Whether `span` overlaps a place taken.
    fn overlaps(&self, span: Span) -> bool {
        let in_range = self
            .ranges
            .range(..span.end)
            .next_back()
            .is_some_and(|(_, &end)| end > span.start);
        in_range
            || (span.start < span.end
                && self
                    .points
                    .range(span.start.saturating_add(1)..span.end)
                    .next()
                    .is_some())
    }
}

/// Matches longer than this many characters are labelled from the captured value on.
const LONG_MATCH: usize = 24;

/// Every non-overlapping match of the patterns in a normalised text.
/// (`possible`: which patterns may match, when known; see [`crate::matcher::LiteralIndex`].)
fn matches(
    norm: NormRef<'_>,
    original: &str,
    patterns: &[Pattern],
    possible: Option<&[bool]>,
    default_unit: Option<MoneyUnit>,
    out: &mut Vec<Fact>,
    context: Span,
) {
    let mut taken = Taken::of(out);
    for (k, p) in patterns.iter().enumerate() {
        let may = match possible {
            Some(ok) => ok.get(k).copied().unwrap_or(true),
            None => p.regex.may_match(norm.text),
        };
        if !may {
            continue;
        }
        for c in p.regex.captures_iter(norm.text) {
            let Some(whole) = c.get(0) else { continue };
            let Some(v) = c
                .name("v")
                .or((p.kind == Placeholder::Marker).then_some(whole))
            else {
                continue;
            };
            let unit = c
                .name("unit")
                .and_then(|u| MoneyUnit::parse(u.as_str()))
                .or(default_unit);
            let Some(value) = capture_value(p.kind, v.as_str(), unit, &norm.text[..v.start()])
            else {
                continue;
            };
            // A long match (`由……六个部分组成`) is labelled from the number on.
            let start = if whole.as_str().chars().count() > LONG_MATCH {
                v.start()
            } else {
                whole.start()
            };
            let span = norm.orig_span(start, whole.end());
            if taken.overlaps(span) {
                continue;
            }
            taken.insert(span);
            out.push(Fact {
                value,
                span: Some(span),
                context: Some(context),
                raw: original[span.range()].to_string(),
                bound_by: BoundBy::Pattern,
                scope: None,
                note: None,
                parent: None,
                share: None,
            });
        }
    }
}

fn bind_prose(text: &str, specs: &FieldSpecs, sentences: &Sentences, facts: &mut FactSet) {
    if specs
        .prose
        .iter()
        .all(|p| p.patterns.is_empty() && p.zero.is_empty())
    {
        return;
    }
    let section_titles = sentences.titles();
    // Sentence by sentence, every field at once: one pass over a sentence says which
    // fields' patterns may match in it; the others are not searched.
    let literals = specs.pattern_literals();
    let mut found: Vec<Vec<Fact>> = vec![Vec::new(); specs.prose.len()];
    let mut possible = Vec::new();
    let mut wanted: Vec<usize> = Vec::new();
    for (i, &at) in sentences.spans.iter().enumerate() {
        let (sec, sp) = (at.section, at.span());
        wanted.clear();
        wanted.extend((0..specs.prose.len()).filter(|&k| {
            let spec = &specs.prose[k];
            if spec.patterns.is_empty() && spec.zero.is_empty() {
                return false;
            }
            spec.sections.is_empty()
                || section_titles
                    .get(sec as usize)
                    .is_some_and(|t| spec.sections.iter().any(|s| t.contains(s.as_str())))
        }));
        if wanted.is_empty() {
            continue;
        }
        let norm = sentences.norm(i);
        literals.index.may_match(norm.text, &mut possible);
        for &k in &wanted {
            let spec = &specs.prose[k];
            let mine = &possible[literals.first[k]..literals.first[k + 1]];
            if !mine.contains(&true) {
                continue; // nothing of the field can match here
            }
            let (pattern_ok, zero_ok) = mine.split_at(spec.patterns.len());
            let mut here = Vec::new();
            matches(
                norm,
                text,
                &spec.patterns,
                Some(pattern_ok),
                spec.unit,
                &mut here,
                sp,
            );
            let mut taken = Taken::of(&here);
            for (z, _) in spec.zero.iter().zip(zero_ok).filter(|(_, &ok)| ok) {
                for m in z.find_iter(norm.text) {
                    let span = norm.orig_span(m.start(), m.end());
                    if taken.overlaps(span) {
                        continue;
                    }
                    taken.insert(span);
                    let value = match spec.unit {
                        Some(unit) => FactValue::Money(Money {
                            amount: Decimal::ZERO,
                            unit,
                        }),
                        None => FactValue::Number(Decimal::ZERO),
                    };
                    here.push(Fact {
                        value,
                        span: Some(span),
                        context: Some(sp),
                        raw: text[span.range()].to_string(),
                        bound_by: BoundBy::Pattern,
                        scope: None,
                        note: None,
                        parent: None,
                        share: None,
                    });
                }
            }
            if let Some(m) = spec.narrow.iter().find_map(|r| r.find(norm.text)) {
                let words = text[norm.orig_span(m.start(), m.end()).range()].to_string();
                for f in &mut here {
                    f.scope = Some(words.clone());
                }
            }
            here.sort_by_key(|f| f.span.map(|s| s.start));
            found[k].extend(here);
        }
    }
    for (spec, found) in specs.prose.iter().zip(found) {
        facts
            .prose
            .entry(spec.key.clone())
            .or_default()
            .extend(found);
    }
}

fn bind_report(
    text: &str,
    report: &Report,
    specs: &FieldSpecs,
    sentences: &Sentences,
    facts: &mut FactSet,
) {
    for spec in &specs.report {
        let found = spec
            .sources
            .iter()
            .find_map(|src| find_report_fact(text, report, src, sentences));
        if let Some(f) = found {
            facts.report.insert(spec.key.clone(), f);
        }
    }
}

/// The first match of a source: its origins in order, within one origin the earliest match.
fn find_report_fact(
    text: &str,
    report: &Report,
    src: &spec::ReportSource,
    sentences: &Sentences,
) -> Option<Fact> {
    for origin in &src.origins {
        // Read in place: the body's sentences and the tables' cells are many.
        let spans: Box<dyn Iterator<Item = Span> + '_> = match origin {
            Origin::Title => Box::new(report.title.into_iter()),
            Origin::Headings => Box::new(report.sections().map(|h| h.span)),
            Origin::Subheadings => Box::new(
                report
                    .headings
                    .iter()
                    .filter(|h| h.level == 2)
                    .map(|h| h.span),
            ),
            Origin::Body => Box::new(
                report
                    .paragraphs
                    .iter()
                    .flat_map(|p| p.sentences.iter().map(|s| s.span)),
            ),
            Origin::Tables => Box::new(
                report
                    .tables
                    .iter()
                    .flat_map(|t| t.rows.iter().flat_map(|r| r.cells.iter().map(|c| c.span()))),
            ),
            Origin::Meta(keys) => Box::new(
                report
                    .metadata
                    .iter()
                    .filter(|m| {
                        let k = spec::label_key(&m.key);
                        keys.iter().any(|want| k.contains(want.as_str()))
                    })
                    .map(|m| m.value_span),
            ),
        };
        for sp in spans {
            let own;
            let norm = match sentences.norm_of(sp).or_else(|| sentences.line_norm(sp)) {
                Some(n) => n,
                None => {
                    own = NormText::new(&text[sp.range()], sp.start);
                    own.view()
                }
            };
            let mut out = Vec::new();
            matches(norm, text, &src.patterns, None, None, &mut out, sp);
            if let Some(f) = out.into_iter().min_by_key(|f| f.span.map(|s| s.start)) {
                return Some(f);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_places_overlap_as_every_fact_compared() {
        let mut seed: u64 = 5;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let mut taken = Taken::default();
            let mut placed: Vec<Span> = Vec::new();
            for _ in 0..next(10) {
                let start = next(20);
                let span = Span::new(start, start + next(5));
                let pairwise = placed
                    .iter()
                    .any(|s| s.start < span.end && span.start < s.end);
                assert_eq!(taken.overlaps(span), pairwise, "{placed:?} {span:?}");
                // Places are taken whether or not they overlap (facts given by a caller may).
                taken.insert(span);
                placed.push(span);
            }
        }
    }
}
