//! Built-in document checks: findings the binder itself makes (garbled labels, blank cells,
//! rows that bind to nothing). Documented here once; `explain` and the docs read this table.

use crate::diagnostic::Severity;

/// A built-in check's documentation.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinCheck {
    /// Stable id.
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it checks (Chinese).
    pub summary_zh: &'static str,
    /// What it checks (English).
    pub summary_en: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// An example of what it finds.
    pub example: &'static str,
    /// How to fix (Chinese).
    pub fix_zh: &'static str,
    /// How to fix (English).
    pub fix: &'static str,
}

impl BuiltinCheck {
    /// The fix in the chosen language.
    pub fn fix_in(&self, lang: crate::diagnostic::Lang) -> &'static str {
        lang.pick(self.fix_zh, self.fix)
    }
}

/// A label garbled by encoding damage or markup remnants.
pub const GARBLED_LABEL: BuiltinCheck = BuiltinCheck {
    id: "RL101",
    name: "garbled-label",
    severity: Severity::Warning,
    summary_zh: "表格行标签存在乱码（编码损坏）或残留网页标签",
    summary_en: "a table row label is garbled by encoding damage or holds markup remnants",
    why: "UTF-8 text read as GBK (or the reverse) turns labels into mojibake such as `。ㄒ唬┗`; readers and \
          auditors cannot tell which row it is. The row is bound by its position in the form when possible.",
    example: "`??。ㄒ唬┗貞婈P注熱點或重大輿情數 | 次 | 12 |` (yuqian-2018.txt line 55)",
    fix_zh: "从原始文件以同一编码（UTF-8）重新导出表格，并删除残留的网页标签。",
    fix: "Re-export the table from the original document in one encoding (UTF-8) and remove HTML remnants.",
};

/// A label cut short.
pub const TRUNCATED_LABEL: BuiltinCheck = BuiltinCheck {
    id: "RL102",
    name: "truncated-label",
    severity: Severity::Warning,
    summary_zh: "表格行标签被截断，无法辨认",
    summary_en: "a table row label is truncated beyond recognition",
    why: "A label such as `字` says nothing about what the number counts. The row is bound by position when \
          the rows around it are recognised.",
    example: "`字 | 件 | 0 |` where the form has 涉及国家秘密 (yuqian-2018.txt line 78)",
    fix_zh: "按全国统一的统计表格式补全行标签。",
    fix: "Restore the full row label from the national form.",
};

/// A count written with decimals.
pub const FRACTIONAL_COUNT: BuiltinCheck = BuiltinCheck {
    id: "RL118",
    name: "fractional-count",
    severity: Severity::Warning,
    summary_zh: "统计表中的件数、条数等计数带有小数",
    summary_en: "a count in a statistics table has decimals",
    why: "Every figure of the forms that is not money counts something (件, 条, 次, 人): a count of 2.5 is a typing \
          slip or a figure moved from another cell. Rules still compute with it as written.",
    example: "`行政处罚 | 2.5 |`",
    fix_zh: "按实际件数填写整数。",
    fix: "Write the count as a whole number.",
};

/// An amount written with more decimals than its unit is stated to.
pub const EXCESS_DECIMALS: BuiltinCheck = BuiltinCheck {
    id: "RL119",
    name: "excess-decimals",
    severity: Severity::Warning,
    summary_zh: "金额的小数位数超出其单位的精度",
    summary_en: "an amount has more decimals than its unit is stated to",
    why: "Amounts are stated to the 分 in 元 (2 decimals) and to the 元 in 万元 and 亿元 (4 and 8 decimals); more \
          decimals come from a spreadsheet's unrounded value or a unit mix-up (元 written in a 万元 column).",
    example: "`行政事业性收费 | 4166.241619 |` in a column headed 本年收费金额（单位：万元）",
    fix_zh: "按单位四舍五入（万元保留至多 4 位小数），并核对单位是否填错。",
    fix: "Round the amount to its unit (at most 4 decimals in 万元) and check that the unit is right.",
};

/// A row with a number that binds to no field.
pub const UNBOUND_ROW: BuiltinCheck = BuiltinCheck {
    id: "RL103",
    name: "unbound-row",
    severity: Severity::Warning,
    summary_zh: "表格行无法对应到报表格式中的任何一项",
    summary_en: "a table row with a value matches no row of the report format",
    why: "A figure that belongs to no known row is not checked by any rule, and often signals a renamed, \
          misspelt or extra row.",
    example: "`9.其他 | 件 | 3 |` in a table whose form has no such row",
    fix_zh: "使用统计表格式规定的行标签，或在规则文件中为该标签添加别名。",
    fix: "Use the row label of the national form, or add the label as an alias in the rule file.",
};

/// A blank value cell.
pub const BLANK_CELL: BuiltinCheck = BuiltinCheck {
    id: "RL104",
    name: "blank-cell",
    severity: Severity::Warning,
    summary_zh: "统计表单元格为空",
    summary_en: "a statistics cell is blank",
    why: "A blank is not a 0: rules that need the value cannot be evaluated and are reported as skipped.",
    example: "`涉及商業秘(密) | 件 | |` (yuqian-2018.txt line 79)",
    fix_zh: "填写数字；没有发生的事项填 0。",
    fix: "Fill in the figure; write 0 where there is nothing to report.",
};

/// A value cell that is not a number.
pub const NON_NUMERIC_CELL: BuiltinCheck = BuiltinCheck {
    id: "RL105",
    name: "non-numeric-cell",
    severity: Severity::Warning,
    summary_zh: "统计表单元格不是数字",
    summary_en: "a statistics cell holds text, not a number",
    why: "Rules cannot compute with text; every rule that needs the cell is skipped.",
    example: "`四、行政复议数量 | 件 | 无 |`",
    fix_zh: "以数字填写（没有发生的事项填 0）。",
    fix: "Write the figure as a number (0 where there is nothing to report).",
};

/// Expected rows missing from a recognised table.
pub const MISSING_ROWS: BuiltinCheck = BuiltinCheck {
    id: "RL106",
    name: "missing-rows",
    severity: Severity::Warning,
    summary_zh: "统计表缺少报表格式规定的行",
    summary_en: "rows of the report format are missing from the table",
    why: "A missing row hides a figure the format requires; rules on it are skipped.",
    example: "a 统计表 without the 举报投诉数量 row",
    fix_zh: "补齐缺少的行（没有发生的事项填 0）。",
    fix: "Add the missing rows (with 0 where there is nothing to report).",
};

/// The table of the format was not found at all.
pub const TABLE_NOT_FOUND: BuiltinCheck = BuiltinCheck {
    id: "RL107",
    name: "table-not-found",
    severity: Severity::Warning,
    summary_zh: "未找到报表格式规定的统计表",
    summary_en: "the statistics table of the report format was not found",
    why: "Without the table no arithmetic or prose-versus-table rule can be evaluated.",
    example: "a report whose statistics table was published as an image",
    fix_zh: "以表格（而非图片）形式发布统计表，或核对报告所属年度的格式。",
    fix:
        "Publish the statistics table as a table (not an image), or check the report's format year.",
};

/// Bytes that could not be decoded.
pub const DECODE_ERRORS: BuiltinCheck = BuiltinCheck {
    id: "RL108",
    name: "decode-errors",
    severity: Severity::Warning,
    summary_zh: "文件中有无法解码的字节",
    summary_en: "the file has bytes that could not be decoded",
    why: "Undecodable bytes become U+FFFD; figures and labels near them may be lost.",
    example: "a GBK file with a few bytes of another encoding pasted in",
    fix_zh: "以同一种编码（UTF-8 或 GB18030）保存文件。",
    fix: "Save the file in one encoding (UTF-8 or GB18030).",
};

/// A row of a 2-D form whose figures cannot be placed in the form's columns.
pub const RAGGED_ROW: BuiltinCheck = BuiltinCheck {
    id: "RL109",
    name: "ragged-row",
    severity: Severity::Warning,
    summary_zh: "表格行的数值个数与报表格式的列数不符",
    summary_en: "a table row has a different number of values than the form has columns",
    why: "When the header cannot be read (text extracted from a PDF) figures are placed by position; a row \
          with missing or extra cells cannot be placed and its rules are skipped.",
    example: "`（一）予以公开 0 0 0` in table 三, which has seven columns",
    fix_zh: "补齐该行的各列数值（没有的填 0）。",
    fix: "Give the row one value per column (0 where there is nothing).",
};

/// The reporting year could not be determined.
pub const YEAR_UNKNOWN: BuiltinCheck = BuiltinCheck {
    id: "RL110",
    name: "year-unknown",
    severity: Severity::Warning,
    summary_zh: "无法确定报告年度",
    summary_en: "the reporting year could not be determined",
    why: "The year decides which format and rule set apply and anchors every date rule; without it the \
          rule set is chosen by the table layout and year rules are skipped.",
    example: "a report whose title and preamble name no year (标题为“政府信息公开工作年度报告”)",
    fix_zh: "在标题中写明年度（如“2023年政府信息公开工作年度报告”），并写明统计期限。",
    fix: "Name the year in the title and state the statistics period.",
};

/// Blank cells where the arithmetic closes with 0 (style).
pub const BLANK_AS_ZERO: BuiltinCheck = BuiltinCheck {
    id: "RL111",
    name: "blank-as-zero",
    severity: Severity::Warning,
    summary_zh: "统计表中有空白单元格（按 0 计算时勾稽关系成立）",
    summary_en: "blank cells in a statistics table (the arithmetic holds when they are read as 0)",
    why: "Many tables leave cells blank for 0. The relations still close, so nothing is wrong with the figures, \
          but a blank is ambiguous to readers and auditors: the format asks for 0.",
    example: "沭阳县发改局 2023, table 三: all five 法人或其他组织 columns blank, 自然人 = 总计",
    fix_zh: "空白处填 0。",
    fix: "Write 0 in the blank cells.",
};

/// A row label that differs from the form's by a few characters (a typo).
pub const NEAR_LABEL: BuiltinCheck = BuiltinCheck {
    id: "RL112",
    name: "near-label",
    severity: Severity::Warning,
    summary_zh: "表格行标签与报表格式不一致（错字、漏字）",
    summary_en: "a table row label differs from the form's by a few characters",
    why: "A misspelt label (a dropped, added or swapped character) is read as the form's nearest label, but \
          readers and other tools may not; findings that rest on such a row are at most warnings.",
    example: "`2.其他法律行政止公开` for `2.其他法律行政法规禁止公开` (洪泽区 2023)",
    fix_zh: "按报表格式改正行标签。",
    fix: "Correct the label to the form's wording.",
};

/// Rows of figures without labels, bound by position.
pub const UNLABELED_ROWS: BuiltinCheck = BuiltinCheck {
    id: "RL113",
    name: "unlabeled-rows",
    severity: Severity::Warning,
    summary_zh: "表格中有没有行标签的数字行，按位置读取",
    summary_en: "rows of figures without labels, read by their position",
    why: "Conversions of PDFs (Markdown, text layers) often separate a row's figures from its label. When the \
          rows recognised before and after such rows leave exactly as many places as there are rows, they are \
          read in the form's order; a finding that rests on them is at most a warning.",
    example: "`| 0 | 0 | 0 | 0 | 0 | 0 | 0 |` between `（一）予以公开` and `1.属于国家秘密` (上海市科委 2024)",
    fix_zh: "在每行数字前写明该行的标签（按报表格式）。",
    fix: "Give every row of figures its label from the form.",
};

/// The file's encoding was not declared and had to be guessed, or its declaration was wrong.
pub const ENCODING_GUESSED: BuiltinCheck = BuiltinCheck {
    id: "RL114",
    name: "encoding-guessed",
    severity: Severity::Warning,
    summary_zh: "文件未正确声明编码，已按推断的编码读取",
    summary_en: "the file's encoding was not declared, or declared wrongly, and was guessed",
    why: "A page that declares the wrong charset (latin1 or shift_jis for a GBK page), or UTF-16 text without \
          a byte-order mark, shows mojibake in browsers and other tools. The linter reads it in the encoding \
          its bytes fit, and says so: check that the text it shows is right.",
    example: "`<meta charset=\"shift_jis\">` on a page written in GBK",
    fix_zh: "以 UTF-8 保存文件，网页在 `<meta charset>` 中声明实际编码。",
    fix: "Save the file as UTF-8; a page should declare the charset it is really written in.",
};

/// An HTML table whose spans expand past the grid-cell limits.
pub const TABLE_TOO_LARGE: BuiltinCheck = BuiltinCheck {
    id: "RL115",
    name: "table-too-large",
    severity: Severity::Warning,
    summary_zh: "网页表格的合并单元格展开后过大，未读取",
    summary_en: "an HTML table expands past the grid-cell limit through its spans and was left out",
    why: "`rowspan` and `colspan` let a few bytes of HTML ask for millions of grid cells. No report's table \
          comes near the limit; a table that does is damaged or hostile, and is left out rather than read.",
    example: "800 cells with `rowspan=100 colspan=100` in a 37 KB page",
    fix_zh: "检查该表格的 rowspan/colspan 属性；确有需要时提高 `table_cells` 限值（docs/limits.md）。",
    fix: "Check the table's rowspan/colspan attributes; raise `table_cells` if the table is real (docs/limits.md).",
};

/// A negative figure where counts belong.
pub const NEGATIVE_FIGURE: BuiltinCheck = BuiltinCheck {
    id: "RL116",
    name: "negative-figure",
    severity: Severity::Warning,
    summary_zh: "统计表单元格中的数值为负数",
    summary_en: "a figure in a statistics table is negative",
    why: "Every figure of the forms counts something (documents, applications, cases, yuan): none can be \
          below zero. A minus sign is a typo or a placeholder dash run into a figure.",
    example: "`（二）不予公开 | -4 |`",
    fix_zh: "改正该数值（删除负号，或填写正确的数）。",
    fix: "Correct the figure (drop the minus sign, or write the right number).",
};

/// A figure with more digits than any count.
pub const FIGURE_OUT_OF_RANGE: BuiltinCheck = BuiltinCheck {
    id: "RL117",
    name: "figure-out-of-range",
    severity: Severity::Warning,
    summary_zh: "统计表单元格中的数值位数过多，超出统计数的范围",
    summary_en: "a figure in a statistics table has more digits than any count",
    why: "Digits run together (two cells merged, a pasted row) give a figure no report could hold. It is \
          reported on its cell and left out of the arithmetic; the row itself stays bound.",
    example: "`回应公众关注热点或重大舆情数 | 次 | 1234567890123456789012345678901234567890 |`",
    fix_zh: "把该单元格改为正确的数值（检查是否有单元格被合并）。",
    fix: "Write the right figure in the cell (check for merged cells).",
};

/// A waiver of the project config whose expiry date has passed.
pub const WAIVER_EXPIRED: BuiltinCheck = BuiltinCheck {
    id: "RC010",
    name: "waiver-expired",
    severity: Severity::Warning,
    summary_zh: "配置文件中的豁免已过期，其豁免的问题重新报告",
    summary_en: "a waiver in the project config has expired; the findings it waived are reported again",
    why: "A waiver accepts a finding for a reason that holds for a time (a decision pending, a correction \
          agreed for next year). Past its date nobody has looked at it again; the finding is back and the \
          stale waiver is pointed out in the config file.",
    example: "`[[waivers]] rule = \"GI21-P010\" … expires = 2025-06-30`, run on 2025-07-01",
    fix_zh: "修正报告，或在确有理由时延长 expires",
    fix: "fix the report, or extend `expires` if the reason still holds",
};

/// A waiver of the project config that waived nothing.
pub const WAIVER_UNUSED: BuiltinCheck = BuiltinCheck {
    id: "RC011",
    name: "waiver-unused",
    severity: Severity::Warning,
    summary_zh: "配置文件中的豁免未匹配任何问题（其范围内的报告已检查）",
    summary_en: "a waiver in the project config waived nothing, though reports in its scope were checked",
    why: "A waiver left behind after the report was fixed would silently accept the same finding when it \
          comes back. It is judged only when a report its glob matches was part of the run.",
    example: "`[[waivers]] rule = \"RL104\" files = \"2023/*.txt\"` when no 2023 report has a blank cell",
    fix_zh: "问题已修正时删除此豁免",
    fix: "remove the waiver now that the finding is gone",
};

/// `--previous` names a report of another body or of another year.
pub const PREVIOUS_MISMATCH: BuiltinCheck = BuiltinCheck {
    id: "RL201",
    name: "previous-mismatch",
    severity: Severity::Warning,
    summary_zh: "指定的上一年度报告不是同一机关上一年度的报告，跨年度规则未检查",
    summary_en: "the report given as last year's is of another body or another year; cross-year rules were not checked",
    why: "Cross-year rules (上年结转 = last year's 结转下年度, 现行有效件数 carried on) only mean something \
          between two consecutive reports of one body. Comparing with the wrong report would make every \
          difference look like an error, so the rules are skipped and this says why.",
    example: "`report-lint --previous 2022/huaian.txt 2024/hongze.txt`: another body, and two years apart",
    fix_zh: "用 --previous 指定同一机关上一年度的报告；标题中的机关名称和年份用于核对",
    fix: "give the same body's report of the year before with --previous; the title's body name and year are compared",
};

/// A report whose prose is nearly the same as last year's report of the same body.
pub const COPIED_FROM_PREVIOUS: BuiltinCheck = BuiltinCheck {
    id: "RL202",
    name: "copied-from-previous",
    severity: Severity::Warning,
    summary_zh: "正文与本机关上一年度报告几乎相同（疑似沿用上一年度报告）",
    summary_en: "the prose is nearly the same as the body's report of the year before (copied from last year?)",
    why: "A report copied from last year with the year and a few figures changed describes last year's work. \
          Prose is compared as overlapping eight-character pieces with every figure masked, so a report that \
          only updated its numbers still matches; the longest identical passages are labelled in both reports. \
          Reports of one body reuse their template (this year's real pair shares under half of its pieces), so \
          only a share of 85 % or more is reported.",
    example: "2024 report whose every paragraph but the dates is the 2023 report's (similarity 97 %)",
    fix_zh: "按本年度工作实际重写总体情况、存在问题及改进措施等部分",
    fix: "rewrite the overview, the problems and the improvements from this year's work",
};

/// A report whose prose is nearly the same as another body's report in the same batch.
pub const COPIED_FROM_OTHER: BuiltinCheck = BuiltinCheck {
    id: "RL203",
    name: "copied-from-other",
    severity: Severity::Warning,
    summary_zh: "正文与同批另一机关的报告几乎相同",
    summary_en: "the prose is nearly the same as another body's report in the same batch",
    why: "Bodies under one government share a template, but their work differs; two reports whose prose is \
          85 % the same (figures masked) were most likely written from one another. Both reports get the \
          finding, each naming the other, with the longest identical passages labelled.",
    example: "a bureau's report that is its neighbouring bureau's with the names replaced",
    fix_zh: "按本机关本年度工作实际撰写报告",
    fix: "write the report from this body's own work this year",
};

/// A report that names another county-level place's government than its publisher's.
pub const OTHER_PLACE: BuiltinCheck = BuiltinCheck {
    id: "RL204",
    name: "other-place",
    severity: Severity::Warning,
    summary_zh: "正文出现另一县（区）的机关名称，与发布机关不符（疑似套用他人报告）",
    summary_en: "the text names another county or district's body than the publisher's (copied from another report?)",
    why: "A district report that says `沭阳县人民政府` where its own name belongs was written from another \
          body's report. Only formal names (`X县人民政府`, `X区政府办公室`) at the start of a clause or after their city count, \
          only in a report whose publisher is itself county-level, and a place the report names with its own \
          (a neighbour it worked with) is still worth a look, hence a warning.",
    example: "`洪泽区人民政府` report whose part 六 says `沭阳县人民政府严格落实…`",
    fix_zh: "把他处机关名称改为本机关名称，并通读全文核对其他沿用的内容",
    fix: "replace the other body's name with the publisher's, and read the whole report for other copied passages",
};

/// A county-level report that speaks of the whole city (`全市`).
pub const WIDER_SCOPE: BuiltinCheck = BuiltinCheck {
    id: "RL205",
    name: "wider-scope",
    severity: Severity::Info,
    summary_zh: "县（区）级报告中出现“全市”等上级范围的说法，请核对是否沿用上级报告",
    summary_en: "a county-level report speaks of the whole city (全市): check it was not copied from the city's report",
    why: "A district's figures are the district's: `全市共收到申请…` in a district report is often a sentence \
          copied from the city's report. It can also be a plain reference to a city-wide event, hence only a hint.",
    example: "`全市政府信息公开申请 95 件` in the report of 洪泽区人民政府",
    fix_zh: "确认该句所述范围；如为本区（县）数据，改为“全区”“全县”",
    fix: "check what the sentence covers; for the district's own figures write 全区 / 全县",
};

/// A region's summary report below the sum of the reports of the bodies under it.
pub const REGION_BELOW_PARTS: BuiltinCheck = BuiltinCheck {
    id: "RL206",
    name: "region-below-parts",
    severity: Severity::Warning,
    summary_zh: "汇总报告的数据低于所辖单位报告之和（或低于其中一家）",
    summary_en: "a region's summary report states less than the reports of the bodies under it add up to",
    why: "A summary (汇总) report counts every body under it, and counts are never negative: its 本年新收 or 行政复议 \
          below the sum of its parts', or below one part's alone, cannot be right. The totals compared are the rule \
          set's `[region] totals`. With the hierarchy given in a `--regions` file and every figure bound by its \
          label this is an error; inferred from the publishers' names (a title with 汇总, the same place) a warning.",
    example: "`汇总` report of 洪泽区: 本年新收 30; 洪泽区发改委 12 + 洪泽区教育局 25 = 37",
    fix_zh: "核对汇总口径：汇总数应包括所辖各单位的数据；单位报告有误的，改正单位报告。",
    fix: "Check what the summary covers: it must include every body under it; where a body's report is wrong, correct it.",
};

/// Every built-in check, in id order.
pub const ALL: &[BuiltinCheck] = &[
    GARBLED_LABEL,
    TRUNCATED_LABEL,
    UNBOUND_ROW,
    BLANK_CELL,
    NON_NUMERIC_CELL,
    MISSING_ROWS,
    TABLE_NOT_FOUND,
    DECODE_ERRORS,
    RAGGED_ROW,
    YEAR_UNKNOWN,
    BLANK_AS_ZERO,
    NEAR_LABEL,
    UNLABELED_ROWS,
    ENCODING_GUESSED,
    TABLE_TOO_LARGE,
    NEGATIVE_FIGURE,
    FIGURE_OUT_OF_RANGE,
    FRACTIONAL_COUNT,
    EXCESS_DECIMALS,
    PREVIOUS_MISMATCH,
    COPIED_FROM_PREVIOUS,
    COPIED_FROM_OTHER,
    OTHER_PLACE,
    WIDER_SCOPE,
    REGION_BELOW_PARTS,
    WAIVER_EXPIRED,
    WAIVER_UNUSED,
];
