//! Rule documentation with fixed headings (what it checks, why, example, how to fix), built once
//! from the rule files and the built-in check table, rendered as `explain` text or as the
//! Markdown of `docs/rules.md`.

use crate::facts::checks;
use crate::rules::{Rule, RuleSet};

/// One rule's documentation.
#[derive(Debug, Clone)]
pub struct RuleDocPage {
    /// Rule id.
    pub id: String,
    /// Rule name.
    pub name: String,
    /// Severity.
    pub severity: String,
    /// Rule set id (or `built-in` for document checks).
    pub set: String,
    /// Message (Chinese) / summary.
    pub title_zh: String,
    /// Message (English) / summary.
    pub title_en: String,
    /// What it checks.
    pub checks: String,
    /// Why.
    pub why: String,
    /// Example.
    pub example: String,
    /// How to fix.
    pub fix: String,
    /// Fields the rule reads, with their titles.
    pub fields: Vec<(String, String)>,
}

fn fields_of(rs: &RuleSet, rule: &Rule) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |e: &crate::rules::dsl::ast::Expr, _: bool| {
        if let crate::rules::dsl::ast::ExprKind::Path(p) = &e.kind {
            if !out.iter().any(|(k, _)| k == p) {
                out.push((
                    p.clone(),
                    rs.field_titles.get(p).cloned().unwrap_or_default(),
                ));
            }
        }
    };
    if let Some(w) = &rule.when {
        w.visit(false, &mut add);
    }
    rule.check.visit(false, &mut add);
    out
}

impl RuleDocPage {
    /// The fixed headings of every rule's documentation, with their text.
    pub fn sections(&self) -> [(&'static str, &String); 4] {
        [
            ("What it checks", &self.checks),
            ("Why", &self.why),
            ("Example", &self.example),
            ("How to fix", &self.fix),
        ]
    }
}

/// The page of a rule of a rule set.
pub fn rule_page(rs: &RuleSet, rule: &Rule) -> RuleDocPage {
    let mut checks = format!("`{}`", rule.check_src.trim());
    if let Some(w) = &rule.when_src {
        checks.push_str(&format!(", only where `{}` holds", w.trim()));
    }
    RuleDocPage {
        id: rule.id.clone(),
        name: rule.name.clone(),
        severity: rule.severity.to_string(),
        set: rs.id.clone(),
        title_zh: rule.message.clone(),
        title_en: rule.message_en.clone(),
        checks,
        why: rule.doc.why.clone().unwrap_or_else(|| "—".into()),
        example: rule.doc.example.clone().unwrap_or_else(|| "—".into()),
        fix: match (&rule.help, &rule.help_en) {
            (Some(zh), Some(en)) => format!("{zh} / {en}"),
            (Some(h), None) | (None, Some(h)) => h.clone(),
            (None, None) => "—".into(),
        },
        fields: fields_of(rs, rule),
    }
}

/// The page of a built-in document check.
pub fn builtin_page(c: &checks::BuiltinCheck) -> RuleDocPage {
    RuleDocPage {
        id: c.id.into(),
        name: c.name.into(),
        severity: c.severity.to_string(),
        set: "built-in".into(),
        title_zh: c.summary_zh.into(),
        title_en: c.summary_en.into(),
        checks: format!("{} ({})", c.summary_en, c.summary_zh),
        why: c.why.into(),
        example: c.example.into(),
        fix: format!("{} / {}", c.fix_zh, c.fix),
        fields: vec![],
    }
}

/// Finds a rule (by id or name) in the sets or among the built-in checks.
pub fn find(sets: &[RuleSet], key: &str) -> Option<RuleDocPage> {
    for rs in sets {
        if let Some(r) = rs
            .rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
        {
            return Some(rule_page(rs, r));
        }
    }
    checks::ALL
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(key) || c.name.eq_ignore_ascii_case(key))
        .map(builtin_page)
}

/// Every id and name known (for "did you mean").
pub fn all_keys(sets: &[RuleSet]) -> Vec<String> {
    let mut v: Vec<String> = sets
        .iter()
        .flat_map(|rs| rs.rules.iter().map(|r| r.id.clone()))
        .collect();
    v.extend(checks::ALL.iter().map(|c| c.id.to_string()));
    v
}

/// Plain-text rendering for `report-lint explain`, headings in English.
pub fn to_text(p: &RuleDocPage) -> String {
    to_text_in(p, crate::diagnostic::Lang::En)
}

/// The Chinese heading of a page section.
fn heading_zh(h: &str) -> &str {
    match h {
        "What it checks" => "检查内容",
        "Why" => "为什么",
        "Example" => "示例",
        "How to fix" => "如何修正",
        "Fields" => "涉及字段",
        other => other,
    }
}

/// Plain-text rendering for `report-lint explain`, headings in `lang` (the page's own texts
/// are written in both languages).
pub fn to_text_in(p: &RuleDocPage, lang: crate::diagnostic::Lang) -> String {
    let zh = lang == crate::diagnostic::Lang::Zh;
    let (first, second) = if zh {
        (&p.title_zh, &p.title_en)
    } else {
        (&p.title_en, &p.title_zh)
    };
    let mut s = format!(
        "{} {} ({}, {})\n{first}\n{second}\n",
        p.id, p.name, p.severity, p.set
    );
    for (h, body) in p.sections() {
        let h = if zh { heading_zh(h) } else { h };
        s.push_str(&format!("\n{h}:\n  {}\n", body.replace('\n', "\n  ")));
    }
    if !p.fields.is_empty() {
        s.push_str(if zh {
            "\n涉及字段:\n"
        } else {
            "\nFields:\n"
        });
        for (k, t) in &p.fields {
            s.push_str(&format!("  {k}  {t}\n"));
        }
    }
    s
}

/// Every rule's and built-in check's documentation as SARIF describes rules, in `lang`.
pub fn sarif_docs(
    sets: &[RuleSet],
    lang: crate::diagnostic::Lang,
) -> std::collections::BTreeMap<String, crate::render::sarif::RuleDoc> {
    let mut pages: Vec<RuleDocPage> = sets
        .iter()
        .flat_map(|rs| rs.rules.iter().map(move |r| rule_page(rs, r)))
        .collect();
    pages.extend(checks::ALL.iter().map(builtin_page));
    pages
        .into_iter()
        .map(|p| {
            let short = without_placeholders(lang.pick(&p.title_zh, &p.title_en));
            let doc = crate::render::sarif::RuleDoc {
                full: format!("{short}. Checks {}. {}", p.checks, p.why),
                help: p.fix.clone(),
                markdown: to_markdown(&p),
                short,
            };
            (p.id, doc)
        })
        .collect()
}

/// A message template with its `{placeholders}` written as `…`.
fn without_placeholders(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('…');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Markdown rendering for `docs/rules.md`.
pub fn to_markdown(p: &RuleDocPage) -> String {
    let mut s = format!(
        "### {} `{}`\n\n{} · {}\n\n> {}\n>\n> {}\n\n",
        p.id, p.name, p.severity, p.set, p.title_zh, p.title_en
    );
    for (h, body) in p.sections() {
        s.push_str(&format!("**{h}.** {body}\n\n"));
    }
    if !p.fields.is_empty() {
        let f: Vec<String> = p
            .fields
            .iter()
            .map(|(k, t)| format!("`{k}` ({t})"))
            .collect();
        s.push_str(&format!("**Fields.** {}\n\n", f.join(", ")));
    }
    s
}

/// The whole `docs/rules.md`: built-in document checks, then every rule of every set.
pub fn rules_markdown(sets: &[RuleSet]) -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated by `report-lint rules docs` from `rules/*.toml` and `src/facts/checks.rs`; \
         `report-lint explain ID` prints the same text. Do not edit by hand: the test suite fails when this \
         file is out of date.\n\n## Built-in document checks\n\n",
    );
    for c in checks::ALL {
        s.push_str(&to_markdown(&builtin_page(c)));
    }
    for rs in sets {
        s.push_str(&format!("## {} — {}\n\n", rs.id, rs.title));
        if let Some(d) = &rs.description {
            s.push_str(&format!("{d}\n\n"));
        }
        if let Some(a) = &rs.applies_src {
            s.push_str(&format!("Applies when `{a}`.\n\n"));
        }
        let inherited = rs.rules.iter().filter(|r| r.origin != rs.origin).count();
        if inherited > 0 {
            s.push_str(&format!("Also applies the {inherited} rules of the sets it extends (listed under them).\n\n"));
        }
        for r in rs.rules.iter().filter(|r| r.origin == rs.origin) {
            s.push_str(&to_markdown(&rule_page(rs, r)));
        }
    }
    s
}
