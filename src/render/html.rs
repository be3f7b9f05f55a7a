//! `--format html`: one self-contained page for a batch (no network: styles, script and chart
//! are inline). Each report's text is shown with the findings highlighted at their spans and
//! their messages beside the lines; a summary per report and per rule, a chart of findings by
//! rule and severity, and filters by severity and rule. Written file by file like every format;
//! the summary, known at the end, is placed first by the style sheet.

use super::visible::visible;
use super::{Batch, Positions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use crate::{FileReport, FileStatus};
use std::fmt::Write as _;

/// Reports larger than this show only the lines around their findings.
const FULL_TEXT_BYTES: usize = 256 << 10;

fn esc(s: &str) -> String {
    visible(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = r#"
body{font:14px/1.5 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;display:flex;flex-direction:column;color:#1f2328}
header{order:-3;padding:12px 20px;background:#24292f;color:#fff}header h1{margin:0;font-size:18px}
#filters{order:-2;padding:8px 20px;border-bottom:1px solid #d0d7de;position:sticky;top:0;background:#f6f8fa;z-index:2}
#summary{order:-1;padding:0 20px}
section.report{padding:0 20px 16px;border-top:1px solid #d0d7de}
h2{font-size:16px;margin:14px 0 6px}.counts{font-weight:normal;color:#57606a;font-size:13px;margin-left:8px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d7de;padding:2px 8px;text-align:left}
td.n{text-align:right}
.text{font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;font-size:13px;border:1px solid #d0d7de;border-radius:6px;overflow:hidden}
.row{display:grid;grid-template-columns:4em minmax(0,1fr) minmax(0,22em)}
.ln{color:#8c959f;text-align:right;padding-right:8px;user-select:none}.tx{white-space:pre-wrap;word-break:break-all}
.gap{color:#8c959f;padding-left:4em}
.notes{padding-left:8px}.note{font-family:system-ui,sans-serif;font-size:12px;border-left:3px solid;padding:0 6px;margin:1px 0}
mark{background:none;border-bottom:2px solid}mark.p{font-weight:600}
.error{color:#cf222e;border-color:#cf222e}.warning{color:#9a6700;border-color:#bf8700}.info{color:#0969da;border-color:#0969da}
mark.error{background:#ffebe9;color:inherit}mark.warning{background:#fff8c5;color:inherit}mark.info{background:#ddf4ff;color:inherit}
ol.findings{margin:4px 0 8px;padding-left:22px}.waived{color:#57606a}
.hidden{display:none}
"#;

const SCRIPT: &str = r#"
(function(){
  function apply(){
    var sev={}, boxes=document.querySelectorAll('#filters input[data-sev]');
    boxes.forEach(function(b){sev[b.dataset.sev]=b.checked;});
    var rule=document.getElementById('rule').value;
    document.querySelectorAll('[data-rule]').forEach(function(e){
      var on=sev[e.dataset.sev]!==false && (rule==='' || e.dataset.rule===rule);
      e.classList.toggle('hidden', !on && e.tagName!=='MARK');
      if(e.tagName==='MARK'){e.classList.toggle('off', !on); e.style.borderBottomWidth=on?'':'0'; e.style.background=on?'':'none';}
    });
  }
  document.querySelectorAll('#filters input,#filters select').forEach(function(e){e.addEventListener('change',apply);});
  if(location.hash==='#selfcheck'){
    // For the test suite: every highlight laid out inside its own line of text.
    var bad=[], n=0;
    document.querySelectorAll('mark').forEach(function(m){
      n++; var r=m.getBoundingClientRect(), line=m.closest('.tx').getBoundingClientRect();
      // White space at a line's end may hang past it (a blank cell's highlight).
      var hang=/^\s+$/.test(m.textContent);
      if(r.width<=0||r.height<=0||r.left<line.left-1||(!hang&&r.right>line.right+1)||r.top<line.top-1||r.bottom>line.bottom+1){bad.push(m.dataset.f);}
    });
    // The filters: with warnings unchecked, no warning note is shown and every error note is.
    var box=document.querySelector('#filters input[data-sev=warning]');
    box.checked=false; apply();
    var shown=function(s){return Array.prototype.filter.call(document.querySelectorAll('.note[data-sev='+s+']'),function(e){return e.offsetParent!==null;}).length;};
    var w=shown('warning'), e=shown('error');
    box.checked=true; apply();
    document.body.setAttribute('data-selfcheck', (bad.length?'bad '+bad.join(','):'ok')+' '+n+' filter '+w+' '+e+' restored '+shown('warning'));
  }
})();
"#;

/// The start of the page: the style sheet and the header.
pub fn begin() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>report-lint</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>report-lint {}</h1></header>\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// A piece of a line and the labels covering it: (start, end, [(finding, primary)]).
type Segment = (usize, usize, Vec<(usize, bool)>);

/// Segments of `[start, end)` between label boundaries, each with the labels covering it.
fn segments(start: usize, end: usize, marks: &[(Span, usize, bool)]) -> Vec<Segment> {
    let mut cuts = vec![start, end];
    for (s, _, _) in marks {
        for p in [s.start, s.end] {
            if p > start && p < end {
                cuts.push(p);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let on: Vec<(usize, bool)> = marks
                .iter()
                .filter(|(s, _, _)| s.start < w[1] && s.end > w[0])
                .map(|&(_, k, p)| (k, p))
                .collect();
            (w[0], w[1], on)
        })
        .collect()
}

/// The anchor of a report's section (from its path, so that a worker can render it alone).
pub fn anchor(path: &str) -> String {
    format!("r{:016x}", super::fnv64(path.bytes()))
}

/// One report's section.
pub fn file_section(f: &FileReport) -> String {
    let index = anchor(&f.path);
    let mut out = String::new();
    let c = super::Counts::of(&f.diagnostics);
    let s = super::FileSummary::of(f);
    let _ = write!(
        out,
        "<section class=\"report\" id=\"{index}\" data-file=\"{}\">\n<h2>{}<span class=\"counts\">{} errors, {} warnings{}{}</span></h2>\n",
        esc(&f.path),
        esc(&f.path),
        c.errors,
        c.warnings,
        if s.waived > 0 { format!(", {} waived", s.waived) } else { String::new() },
        if s.baselined > 0 { format!(", {} in the baseline", s.baselined) } else { String::new() },
    );
    let src = match (&f.status, &f.source) {
        (FileStatus::Failed(reason) | FileStatus::NotChecked(reason), _) => {
            let _ = write!(
                out,
                "<p class=\"error\" data-rule=\"RL001\" data-sev=\"error\">not checked: {}</p>\n</section>\n",
                esc(reason)
            );
            return out;
        }
        (_, Some(src)) => src,
        (_, None) => return out + "</section>\n",
    };
    let text = src.text.as_str();
    let pos = Positions::new(Some(src));
    let diags: Vec<&Diagnostic> = f.diagnostics.iter().collect();
    // The list of findings.
    out.push_str("<ol class=\"findings\">\n");
    for (k, d) in diags.iter().enumerate() {
        let place = d
            .labels
            .iter()
            .find(|l| l.primary && l.file.is_none())
            .map_or(String::new(), |l| {
                let p = pos.of(l.span);
                format!("{}:{}", p.line, p.column)
            });
        let _ = writeln!(
            out,
            "<li class=\"{s}\" data-rule=\"{code}\" data-sev=\"{s}\"><a href=\"#{index}-f{k}\">{code}</a> {place} {msg}</li>",
            s = d.severity.as_str(),
            code = esc(&d.code),
            msg = esc(&d.message)
        );
    }
    for w in &f.suppressed {
        if let crate::policy::Suppression::Waiver { reason, .. } = &w.by {
            let _ = writeln!(
                out,
                "<li class=\"waived\" data-rule=\"{}\" data-sev=\"{}\">waived {} {} (reason: {})</li>",
                esc(&w.diagnostic.code),
                w.diagnostic.severity.as_str(),
                esc(&w.diagnostic.code),
                esc(&w.diagnostic.message),
                esc(reason)
            );
        }
    }
    out.push_str("</ol>\n<div class=\"text\">\n");
    // Lines with their highlights; messages beside the line their primary label starts on.
    let mut starts = vec![0usize];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line_of = |p: usize| starts.partition_point(|&s| s <= p).saturating_sub(1);
    let marks: Vec<(Span, usize, bool)> = diags
        .iter()
        .enumerate()
        .flat_map(|(k, d)| {
            d.labels
                .iter()
                .filter(|l| l.file.is_none())
                .map(move |l| (l.span, k, l.primary))
        })
        .filter(|(s, _, _)| s.end > s.start)
        .collect();
    let shown: Vec<bool> = if text.len() <= FULL_TEXT_BYTES {
        vec![true; starts.len()]
    } else {
        let mut v = vec![false; starts.len()];
        for (s, _, _) in &marks {
            let (a, b) = (line_of(s.start), line_of(s.end.saturating_sub(1)));
            let last = (b + 2).min(starts.len() - 1);
            v[a.saturating_sub(2)..=last]
                .iter_mut()
                .for_each(|x| *x = true);
        }
        v
    };
    let mut gap = false;
    for (i, &ls) in starts.iter().enumerate() {
        if !shown[i] {
            if !gap {
                out.push_str("<div class=\"gap\">⋯</div>\n");
            }
            gap = true;
            continue;
        }
        gap = false;
        let le = starts
            .get(i + 1)
            .map_or(text.len(), |&n| n.saturating_sub(1))
            .max(ls);
        let here: Vec<(Span, usize, bool)> = marks
            .iter()
            .copied()
            .filter(|(s, _, _)| s.start < le.max(ls + 1) && s.end > ls)
            .collect();
        let _ = write!(
            out,
            "<div class=\"row\"><span class=\"ln\">{}</span><span class=\"tx\">",
            pos.of(Span::new(ls, ls)).line
        );
        for (a, b, on) in segments(ls, le, &here) {
            let piece = esc(text.get(a..b).unwrap_or(""));
            match on.first() {
                None => out.push_str(&piece),
                Some(&(k, _)) => {
                    let d = diags[k];
                    let primary = on.iter().any(|&(_, p)| p);
                    let ids: Vec<String> = on.iter().map(|(k, _)| k.to_string()).collect();
                    let _ = write!(
                        out,
                        "<mark class=\"{}{}\" data-f=\"{}\" data-rule=\"{}\" data-sev=\"{}\">{piece}</mark>",
                        d.severity.as_str(),
                        if primary { " p" } else { "" },
                        ids.join(" "),
                        esc(&d.code),
                        d.severity.as_str()
                    );
                }
            }
        }
        out.push_str("</span><div class=\"notes\">");
        for (k, d) in diags.iter().enumerate() {
            let starts_here = d
                .labels
                .iter()
                .find(|l| l.primary && l.file.is_none())
                .is_some_and(|l| line_of(l.span.start) == i);
            if starts_here {
                let _ = write!(
                    out,
                    "<div class=\"note {s}\" id=\"{index}-f{k}\" data-rule=\"{code}\" data-sev=\"{s}\"><b>{code}</b> {msg}</div>",
                    s = d.severity.as_str(),
                    code = esc(&d.code),
                    msg = esc(&d.message)
                );
            }
        }
        out.push_str("</div></div>\n");
    }
    out.push_str("</div>\n</section>\n");
    out
}

/// A horizontal bar chart (SVG) of findings by rule, stacked by severity.
fn chart(batch: &Batch) -> String {
    let mut by_rule: std::collections::BTreeMap<&str, [usize; 3]> = Default::default();
    for ((code, _, s), n) in &batch.findings_by_rule {
        let e = by_rule.entry(code.as_str()).or_default();
        e[match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        }] += n;
    }
    let mut rows: Vec<(&str, [usize; 3])> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum())
            .then(a.0.cmp(b.0))
    });
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (bar_w, row_h) = (480.0, 20.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"findings by rule\" width=\"{}\" height=\"{}\">",
        bar_w + 160.0,
        row_h * rows.len() as f64 + 4.0
    );
    let colors = ["#cf222e", "#bf8700", "#0969da"];
    for (i, (code, counts)) in rows.iter().enumerate() {
        let y = i as f64 * row_h;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14.0,
            esc(code)
        );
        let mut x = 100.0;
        for (j, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}</title></rect>",
                y + 3.0,
                row_h - 6.0,
                colors[j],
                n,
                ["errors", "warnings", "infos"][j]
            );
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            x + 4.0,
            y + 14.0,
            counts.iter().sum::<usize>()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The end of the page: the filters, the summary per report and per rule with the chart (placed
/// first by the style sheet), the config file's findings, and the script.
pub fn end(batch: &Batch, files: &[(String, super::Counts, usize)], end: &super::End) -> String {
    let mut out = String::new();
    out.push_str("<div id=\"filters\">Show: ");
    for s in ["error", "warning", "info"] {
        let _ = write!(
            out,
            "<label class=\"{s}\"><input type=\"checkbox\" data-sev=\"{s}\" checked> {s}</label> "
        );
    }
    out.push_str(" rule: <select id=\"rule\"><option value=\"\">all</option>");
    let mut codes: Vec<&str> = batch
        .findings_by_rule
        .keys()
        .map(|(c, _, _)| c.as_str())
        .collect();
    codes.dedup();
    for c in codes {
        let _ = write!(out, "<option>{}</option>", esc(c));
    }
    out.push_str("</select></div>\n<div id=\"summary\">\n");
    let mut t = batch.totals;
    t.add(end.counts());
    let _ = writeln!(
        out,
        "<p>{} reports, {} errors, {} warnings{}</p>",
        batch.files,
        t.errors,
        t.warnings,
        if batch.waived > 0 {
            format!(", {} waived", batch.waived)
        } else {
            String::new()
        }
    );
    out.push_str("<h2>Reports</h2>\n<table><tr><th>report</th><th>errors</th><th>warnings</th><th>waived</th></tr>\n");
    for (path, c, waived) in files {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{waived}</td></tr>",
            anchor(path),
            esc(path),
            c.errors,
            c.warnings
        );
    }
    out.push_str("</table>\n<h2>Rules</h2>\n<table><tr><th>rule</th><th>severity</th><th>findings</th><th>reports</th></tr>\n");
    let mut rules: Vec<_> = batch.findings_by_rule.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for ((code, name, s), n) in rules {
        let files = batch
            .by_rule
            .get(&(code.clone(), name.clone(), *s))
            .copied()
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr data-rule=\"{c}\" data-sev=\"{s}\"><td>{c} {}</td><td class=\"{s}\">{s}</td><td class=\"n\">{n}</td><td class=\"n\">{files}</td></tr>",
            esc(name),
            c = esc(code),
            s = s.as_str()
        );
    }
    out.push_str("</table>\n<h2>Findings by rule and severity</h2>\n");
    out.push_str(&chart(batch));
    if let Some((name, _)) = &end.config {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", esc(name));
        for d in &end.config_findings {
            let _ = writeln!(
                out,
                "<li class=\"{s}\" data-rule=\"{}\" data-sev=\"{s}\">{} {}</li>",
                esc(&d.code),
                esc(&d.code),
                esc(&d.message),
                s = d.severity.as_str()
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = write!(out, "</div>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}
