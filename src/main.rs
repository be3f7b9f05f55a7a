//! The `report-lint` command line.

use clap::{Parser, ValueEnum};
use codespan_reporting::term::termcolor::{Buffer, ColorChoice};
use rayon::prelude::*;
use report_lint::diagnostic::Lang;
use report_lint::render;
use report_lint::rules::{self, RuleSet};
use report_lint::FileReport;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Compiler-style diagnostics.
    Human,
    /// One JSON document.
    Json,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum When {
    Auto,
    Always,
    Never,
}

/// Language of built-in messages.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

/// Lints government information disclosure annual reports (政府信息公开工作年度报告).
///
/// Exit codes: 0 no error-level findings, 1 error-level findings, 2 usage, rule-file or I/O
/// errors (including files that could not be read or checked).
#[derive(Debug, Parser)]
#[command(name = "report-lint", version, about)]
struct Cli {
    /// Report files or directories (directories are searched for .txt/.htm/.html files).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// Rule file(s) to use instead of the built-in sets (repeatable).
    #[arg(long, value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// List passed and skipped rules with their values and reasons.
    #[arg(short, long)]
    verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Language of messages.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Colour output.
    #[arg(long, value_enum, default_value_t = When::Auto)]
    color: When,
}

fn color_choice(w: When) -> ColorChoice {
    match w {
        When::Always => ColorChoice::Always,
        When::Never => ColorChoice::Never,
        When::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || !std::io::stdout().is_terminal()
            {
                ColorChoice::Never
            } else {
                ColorChoice::Auto
            }
        }
    }
}

fn new_buffer(c: ColorChoice) -> Buffer {
    match c {
        ColorChoice::Never => Buffer::no_color(),
        _ => Buffer::ansi(),
    }
}

fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "txt" | "htm" | "html"))
        {
            out.push(p);
        }
    }
}

fn load_rules(paths: &[PathBuf], color: ColorChoice) -> Result<Vec<RuleSet>, ExitCode> {
    if paths.is_empty() {
        return rules::builtin().map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        });
    }
    let mut sets = Vec::new();
    let mut failed = false;
    for p in paths {
        let name = p.display().to_string();
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error[RF000]: cannot read rule file {name}: {e}");
                failed = true;
                continue;
            }
        };
        match rules::load(&name, &text) {
            Ok(rs) => sets.push(rs),
            Err(e) => {
                let mut buf = new_buffer(color);
                let _ = render::human::emit_diagnostics(&mut buf, &name, &text, &e.diagnostics);
                let _ = writeln!(
                    buf,
                    "{name}: {} error(s) in the rule file; nothing was checked",
                    e.diagnostics.len()
                );
                let _ = std::io::stderr().write_all(buf.as_slice());
                failed = true;
            }
        }
    }
    if failed {
        Err(ExitCode::from(2))
    } else {
        Ok(sets)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = color_choice(cli.color);
    let lang = match cli.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let sets = match load_rules(&cli.rules, color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let explicit = !cli.rules.is_empty();
    let files = expand(&cli.paths);
    if files.is_empty() {
        eprintln!("error: no report files (.txt, .htm, .html) found under the given paths");
        return ExitCode::from(2);
    }
    let reports: Vec<FileReport> = files
        .par_iter()
        .map(|p| report_lint::check_path(p, &sets, explicit, lang))
        .collect();
    let mut stdout = std::io::stdout().lock();
    let written = match cli.format {
        Format::Human => {
            let mut buf = new_buffer(color);
            render::human::emit(&mut buf, &reports, cli.verbose)
                .and_then(|_| stdout.write_all(buf.as_slice()))
        }
        Format::Json => writeln!(stdout, "{}", render::json::render(&reports)),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    let unchecked = reports
        .iter()
        .any(|r| !matches!(r.status, report_lint::FileStatus::Checked { .. }));
    if unchecked {
        ExitCode::from(2)
    } else if render::totals(&reports).errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
