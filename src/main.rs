//! The `report-lint` command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{Buffer, ColorChoice};
use report_lint::diagnostic::Lang;
use report_lint::render::stream;
use report_lint::rules::{self, RuleSet};
use report_lint::{explain, render, ruletest};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Compiler-style diagnostics.
    Human,
    /// One JSON document (docs/json.md), written file by file.
    Json,
    /// JSON Lines: one JSON object per file, then one with the totals.
    Jsonl,
    /// SARIF 2.1.0 (code-scanning tools).
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// JUnit XML: a test suite per report, a test case per rule.
    Junit,
    /// CSV, UTF-8 with a byte-order mark (spreadsheets): a row per finding.
    Csv,
    /// One self-contained HTML page for the batch: summaries, a chart, each report's text with
    /// its findings highlighted, filters.
    Html,
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
/// Exit codes: 0 nothing fails the run, 1 findings at the fail level (`--fail-on`, default
/// error), 2 usage, config, rule-file or I/O errors (including reports that could not be read
/// or checked).
///
/// Settings come from the command line, then the project config (`report-lint.toml`, or
/// `[tool.report-lint]` in `pyproject.toml`, in this directory or the nearest one above;
/// docs/config.md), then the defaults.
#[derive(Debug, Parser)]
#[command(name = "report-lint", version, about, subcommand_negates_reqs = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    global: Global,
    #[command(flatten)]
    lint: LintArgs,
}

/// Options every command takes, before or after the command's name.
#[derive(Debug, Args)]
struct Global {
    /// Rule file(s) to use instead of the built-in sets (repeatable).
    #[arg(long, value_name = "FILE", global = true)]
    rules: Vec<PathBuf>,
    /// Config file (default: report-lint.toml, or pyproject.toml with [tool.report-lint], in
    /// this directory or the nearest one above).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Ignore every config file.
    #[arg(long, global = true, conflicts_with = "config")]
    isolated: bool,
    /// Raise or lower one limit (docs/limits.md), e.g. `--limit html_depth=2000`; repeatable,
    /// wins over the config file.
    #[arg(long = "limit", value_name = "KEY=VALUE", global = true)]
    limits: Vec<String>,
    /// Language of messages [default: the config file's, else the locale's: en where
    /// LC_ALL/LC_MESSAGES/LANG names a language other than Chinese, else zh].
    #[arg(long, value_enum, global = true)]
    lang: Option<LangArg>,
    /// Colour output.
    #[arg(long, value_enum, default_value_t = When::Auto, global = true)]
    color: When,
}

/// What fails the run.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOnArg {
    /// Error-level findings.
    Error,
    /// Warnings or errors.
    Warning,
    /// Nothing (files that cannot be read still exit 2).
    Never,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Report files or directories (directories are searched for .txt/.htm/.html/.docx/.pdf files); `-`
    /// reads standard input.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// List passed and skipped rules with their values and reasons.
    #[arg(short, long)]
    verbose: bool,
    /// Output format [default: the config file's, else human].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Only these rules: ids or names, or prefixes ending in `*` (`GI18-P*`), any case;
    /// comma-separated or repeated. A selector that selects no rule is an error.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,
    /// Skip these rules (ids, names or `PREFIX*`, any case), also built-in checks such as RL104.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,
    /// What fails the run (exit code 1) [default: the config file's fail-on, else error].
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOnArg>,
    /// Exit 0 whatever the findings (a file that cannot be read still exits 2).
    #[arg(long)]
    exit_zero: bool,
    /// Findings only: no summary lines, no waived findings.
    #[arg(short, long, conflicts_with_all = ["statistics", "verbose"])]
    quiet: bool,
    /// Only the number of findings of each rule.
    #[arg(long, conflicts_with = "verbose")]
    statistics: bool,
    /// The name of the report read from standard input (`-`): shown in findings and matched
    /// by the config file's globs; its extension says whether it is HTML.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Report only findings that are not in this baseline, and list the baseline's findings
    /// that are gone.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the findings of this run as a baseline (keyed by rule, file, values and the
    /// marked text, not by line), and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Last year's report of the same body: rules with `prev.` names compare with it, and a
    /// report copied from it is found. Its body and year (from the titles) are compared with
    /// the report's first. Without it, the reports of a batch are paired by publisher and year.
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Check each report on its own: do not pair a batch's reports of one body across years,
    /// nor compare the prose of the batch's reports with one another.
    #[arg(long, conflicts_with = "previous")]
    no_pairing: bool,
    /// A TOML file naming regions' summary reports and the reports of the bodies under them
    /// (`[[region]] summary = "洪泽区人民政府"`, `parts = ["洪泽区*"]`; publishers or files,
    /// with wildcards): a summary below the sum of its parts is then an error (RL206). Without
    /// it, a batch's report whose title says 汇总 is compared with the reports of the same place.
    #[arg(long, value_name = "FILE")]
    regions: Option<PathBuf>,
    /// Check this many files at a time [default: the number of cores]. One file is always
    /// checked on the main thread; the output is in input order whatever the number.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a rule's documentation: what it checks, why, an example, how to fix.
    Explain {
        /// Rule id or name (`GI18-P010`, `prose-review-cases`, `RL104`).
        rule: String,
    },
    /// Show the parsed document and every bound fact with its source (for rule authors).
    Dump {
        /// The report.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Evaluate one expression of the checks DSL against a report (to try out a rule).
    Eval {
        /// The expression, e.g. `sum(table.channels.*)`.
        expr: String,
        /// The report.
        file: PathBuf,
    },
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write a commented starter report-lint.toml in the current directory.
    Init {
        /// Overwrite an existing report-lint.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (`report-lint completions bash > ~/.local/share/bash-completion/completions/report-lint`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `report-lint man > report-lint.1`.
    Man,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate rule files: every error, with its place in the TOML file.
    Check {
        /// Rule files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also run the test cases the files ship with (as `rules test`).
        #[arg(long)]
        test: bool,
    },
    /// Run the test cases that ship with rule files (`[[rule.test]]`).
    Test {
        /// Rule files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the Markdown documentation of the built-in rules (docs/rules.md).
    Docs,
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

fn lang_of(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, 0);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if depth < 32 && !e.file_type().is_ok_and(|t| t.is_symlink()) {
                walk(&p, out, depth + 1);
            }
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| {
                matches!(
                    x.to_ascii_lowercase().as_str(),
                    "txt" | "htm" | "html" | "docx" | "pdf"
                )
            })
            // Only regular files: a FIFO would wait forever for a writer, a device never ends.
            && std::fs::metadata(&p).is_ok_and(|m| m.is_file())
        {
            out.push(p);
        }
    }
}

/// Writes one line to standard error, control characters made visible; a closed stderr is
/// not an error worth dying for.
fn say(msg: impl std::fmt::Display) {
    let text = msg.to_string();
    let _ = writeln!(std::io::stderr(), "{}", render::visible::visible(&text));
}

/// What every command runs with: the global options resolved against the project config.
struct Settings {
    /// Rule files: `--rules`, else the config file's.
    rules: Vec<PathBuf>,
    /// The project config (empty with `--isolated` or when there is none).
    config: report_lint::config::Config,
    lang: Lang,
    color: ColorChoice,
}

/// The language the locale names: English where LC_ALL / LC_MESSAGES / LANG (the first one
/// set) names a language other than Chinese; Chinese for Chinese, C, POSIX or no locale.
fn lang_from_locale() -> Lang {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        let Some(v) = std::env::var_os(var) else {
            continue;
        };
        let v = v.to_string_lossy().to_ascii_lowercase();
        if v.is_empty() {
            continue;
        }
        let language = v.split(['_', '.', '@']).next().unwrap_or("");
        return match language {
            "zh" | "c" | "posix" | "" => Lang::Zh,
            _ => Lang::En,
        };
    }
    Lang::Zh
}

fn print_config_error(e: &report_lint::config::ConfigError, color: ColorChoice) {
    let mut buf = new_buffer(color);
    let _ = render::human::emit_diagnostics(&mut buf, &e.file.name, &e.file.text, &e.diagnostics);
    let _ = writeln!(
        buf,
        "{}: {} error(s) in the config file; nothing was checked",
        render::visible::visible(&e.file.name),
        e.diagnostics.len()
    );
    let _ = std::io::stderr().write_all(buf.as_slice());
}

/// Finds and reads the project config (unless `--isolated`), installs the limits (the
/// config's, then `--limit`), and resolves the global options. Errors point into the config
/// file; exit code 2.
fn settings(g: &Global) -> Result<Settings, ExitCode> {
    use report_lint::config::{self, Config};
    use report_lint::limits::Limits;
    let color = color_choice(g.color);
    let mut limits = Limits::default();
    let path = if g.isolated {
        None
    } else {
        g.config.clone().or_else(|| {
            std::env::current_dir()
                .ok()
                .and_then(|cwd| config::discover(&cwd))
        })
    };
    let cfg = match path {
        // Read before any limit is in force (reading one would fix the defaults).
        Some(p) => config::load(&p, limits.rule_file_bytes).map_err(|e| {
            print_config_error(&e, color);
            ExitCode::from(2)
        })?,
        None => Config::default(),
    };
    for (k, v, _) in &cfg.limits {
        // Checked when the file was read.
        let _ = limits.set(k, *v);
    }
    for kv in &g.limits {
        let parsed = kv
            .split_once('=')
            .and_then(|(k, v)| Some((k.trim(), v.trim().replace('_', "").parse::<u64>().ok()?)));
        let Some((key, value)) = parsed else {
            say(format!(
                "error: --limit {kv}: write KEY=VALUE with a whole number, e.g. --limit html_depth=2000"
            ));
            return Err(ExitCode::from(2));
        };
        if let Err(e) = limits.set(key, value) {
            say(format!("error: --limit {kv}: {e}"));
            return Err(ExitCode::from(2));
        }
    }
    let installed = report_lint::limits::install(limits);
    debug_assert!(installed, "limits were read before they were installed");
    let lang = g
        .lang
        .map(lang_of)
        .or(cfg.lang)
        .unwrap_or_else(lang_from_locale);
    let rules = if g.rules.is_empty() {
        cfg.rules.clone()
    } else {
        g.rules.clone()
    };
    Ok(Settings {
        rules,
        config: cfg,
        lang,
        color,
    })
}

fn print_load_error(e: &rules::LoadError, color: ColorChoice) {
    let mut buf = new_buffer(color);
    let _ = render::human::emit_diagnostics(&mut buf, &e.file, &e.text, &e.diagnostics);
    let _ = writeln!(
        buf,
        "{}: {} error(s) in the rule file",
        render::visible::visible(&e.file),
        e.total
    );
    let _ = std::io::stderr().write_all(buf.as_slice());
}

/// The sets a report is checked with: the rule files given, else the built-in sets a report
/// can be checked with (the bases of `extends` are never chosen, and every rule of theirs is
/// carried by a set that is), each read when first used.
fn load_sets(paths: &[PathBuf], color: ColorChoice) -> Result<rules::Sets, ExitCode> {
    if paths.is_empty() {
        return rules::builtin_choosable().map_err(|e| {
            say(format!("error: {e}"));
            ExitCode::from(2)
        });
    }
    load_rules(paths, color).map(rules::Sets::from)
}

/// The rule files given, else every built-in set.
fn load_rules(paths: &[PathBuf], color: ColorChoice) -> Result<Vec<RuleSet>, ExitCode> {
    if paths.is_empty() {
        return rules::builtin().map_err(|e| {
            say(format!("error: {e}"));
            ExitCode::from(2)
        });
    }
    let mut sets = Vec::new();
    let mut failed = false;
    for p in paths {
        let name = p.display().to_string();
        match rules::read_rule_file(p) {
            Err(e) => {
                say(format!("error[RF000]: cannot read rule file {name}: {e}"));
                failed = true;
            }
            Ok(text) => match rules::load(&name, &text) {
                Ok(rs) => sets.push(rs),
                Err(e) => {
                    print_load_error(&e, color);
                    failed = true;
                }
            },
        }
    }
    if failed {
        say("nothing was checked: fix the rule file(s) first");
        Err(ExitCode::from(2))
    } else {
        Ok(sets)
    }
}

/// Writes output; a reader that went away (`| head -1`) ends the output quietly.
fn write_out(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            say(format!("error: cannot write output: {e}"));
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Text output with control characters made visible.
fn write_text(text: &str) -> ExitCode {
    write_out(render::visible::visible(text).as_bytes())
}

/// Every rule and built-in check by (id, name), for checking selectors.
fn known_rules(sets: &rules::Sets) -> Vec<(String, String)> {
    let mut known: Vec<(String, String)> = sets
        .heads()
        .iter()
        .flat_map(|h| h.rules.iter().cloned())
        .collect();
    known.extend(
        report_lint::facts::checks::ALL
            .iter()
            .map(|c| (c.id.to_string(), c.name.to_string())),
    );
    known
}

/// Checks that every selector in force selects something: on the command line (a message
/// with the nearest id) and in the config file (a diagnostic pointing into it).
fn check_selectors(args: &LintArgs, st: &Settings, sets: &rules::Sets) -> Result<(), ExitCode> {
    use report_lint::config::Selector;
    use report_lint::diagnostic::{Diagnostic, Label, Severity};
    let known = known_rules(sets);
    let cli: Vec<Selector> = args
        .select
        .iter()
        .chain(&args.ignore)
        .map(|s| Selector::new(s))
        .collect();
    let bad = report_lint::policy::unknown_selectors(cli.iter(), &known);
    for (_, msg) in &bad {
        say(format!("error: {msg}"));
    }
    if !bad.is_empty() {
        say("nothing was checked: a misspelt selector would switch checking off (`report-lint rules docs` lists the rules)");
        return Err(ExitCode::from(2));
    }
    let spanned = st.config.all_selectors();
    let mut diags = Vec::new();
    for (sel, span) in &spanned {
        for (_, msg) in report_lint::policy::unknown_selectors(std::iter::once(sel), &known) {
            diags.push(
                Diagnostic::new(Severity::Error, "RC005", "config", msg)
                    .with_label(Label::primary(*span, "here")),
            );
        }
    }
    if let (false, Some(file)) = (diags.is_empty(), &st.config.file) {
        print_config_error(
            &report_lint::config::ConfigError {
                file: file.clone(),
                diagnostics: diags,
            },
            st.color,
        );
        return Err(ExitCode::from(2));
    }
    Ok(())
}

/// The report read from standard input, once.
fn read_stdin(name: &str) -> Result<report_lint::source::Source, String> {
    use std::io::Read;
    let limit = report_lint::limits::get().input_bytes;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    report_lint::source::decode_owned(name, bytes).map_err(|e| e.to_string())
}

fn lint(args: LintArgs, st: Settings) -> ExitCode {
    use report_lint::config::{FailOn, Selector};
    let color = st.color;
    let lang = st.lang;
    let mut sets = match load_sets(&st.rules, color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(code) = check_selectors(&args, &st, &sets) {
        return code;
    }
    // The command line's selectors replace the config file's.
    let pick = |cli: &[String], cfg: &[(Selector, report_lint::span::Span)]| -> Vec<Selector> {
        if cli.is_empty() {
            cfg.iter().map(|(s, _)| s.clone()).collect()
        } else {
            cli.iter().map(|s| Selector::new(s)).collect()
        }
    };
    let select = pick(&args.select, &st.config.select);
    let ignore = pick(&args.ignore, &st.config.ignore);
    // The rules the selectors keep.
    fn keeps(select: &[Selector], ignore: &[Selector], id: &str, name: &str) -> bool {
        (select.is_empty() || select.iter().any(|p| p.matches(id, name)))
            && !ignore.iter().any(|p| p.matches(id, name))
    }
    fn narrow(sets: &mut [RuleSet], select: &[Selector], ignore: &[Selector]) {
        for rs in sets {
            rs.rules.retain(|r| keeps(select, ignore, &r.id, &r.name));
        }
    }
    let selectors = (select.clone(), ignore.clone());
    let (sel, ign) = selectors.clone();
    sets.retain_rules(move |id, name| keeps(&sel, &ign, id, name));
    let explicit = !st.rules.is_empty();
    let stdin_name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| "<stdin>".to_string());
    let mut files = Vec::new();
    let mut stdin = None;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            if stdin.is_none() {
                stdin = Some(read_stdin(&stdin_name));
                files.push(p.clone());
            }
        } else {
            files.extend(expand(std::slice::from_ref(p)));
        }
    }
    if files.is_empty() {
        say("error: no report files (.txt, .htm, .html, .docx, .pdf) found under the given paths");
        return ExitCode::from(2);
    }
    let format_name = match args.format {
        Some(f) => f,
        None => match st.config.format.as_deref() {
            Some("json") => Format::Json,
            Some("jsonl") => Format::Jsonl,
            Some("sarif") => Format::Sarif,
            Some("github") => Format::Github,
            Some("junit") => Format::Junit,
            Some("csv") => Format::Csv,
            Some("html") => Format::Html,
            _ => Format::Human,
        },
    };
    let summary = if args.quiet {
        render::human::Summary::Quiet
    } else if args.statistics {
        render::human::Summary::Statistics
    } else {
        render::human::Summary::Full
    };
    let format = match format_name {
        Format::Human => stream::Format::Human {
            verbose: args.verbose,
            color: !matches!(color, ColorChoice::Never),
            summary,
        },
        Format::Json => stream::Format::Json,
        Format::Jsonl => stream::Format::Jsonl,
        Format::Sarif => stream::Format::Sarif,
        Format::Github => stream::Format::Github,
        Format::Junit => stream::Format::Junit,
        Format::Csv => stream::Format::Csv,
        Format::Html => stream::Format::Html,
    };
    let baseline = match &args.baseline {
        None => None,
        Some(p) => {
            let read = report_lint::source::read_bounded(p, 256 << 20)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
                .and_then(|t| report_lint::policy::Baseline::parse(&t));
            match read {
                Ok(b) => Some(b),
                Err(e) => {
                    say(format!("error: --baseline {}: {e}", p.display()));
                    return ExitCode::from(2);
                }
            }
        }
    };
    let policy = report_lint::policy::Policy::new(
        select,
        ignore,
        st.config.clone(),
        baseline,
        args.write_baseline.is_some(),
        report_lint::date::Date::today(),
    );
    // Passed rules' values are shown only by --verbose and the JSON formats.
    let opts = report_lint::Options {
        lang,
        details: args.verbose || matches!(format_name, Format::Json | Format::Jsonl),
    };
    // Reports among reports: last year's report given, or the batch's paired by publisher and
    // year, and the batch's prose compared.
    let given_previous = match &args.previous {
        None => None,
        Some(p) => {
            let bound = report_lint::source::read_path(p)
                .map_err(|e| e.to_string())
                .and_then(|src| report_lint::bind_source(src, &sets, explicit, lang));
            match bound {
                Ok(b) => Some(b),
                Err(e) => {
                    say(format!(
                        "error: --previous {}: {e}; give last year's report of the same body as a text, HTML, Word or PDF file",
                        p.display()
                    ));
                    return ExitCode::from(2);
                }
            }
        }
    };
    let region_map = match &args.regions {
        None => None,
        Some(p) => match report_lint::corpus::RegionMap::read(p) {
            Ok(m) => Some(m),
            Err(e) => {
                say(format!("error: --regions {}: {e}", p.display()));
                return ExitCode::from(2);
            }
        },
    };
    let pairing = given_previous.is_none() && !args.no_pairing;
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(2, |p| p.get()),
        usize::from,
    );
    let batch = if (pairing || region_map.is_some()) && files.len() > 1 {
        report_lint::corpus::Batch::index_on(&files, region_map.as_ref(), jobs)
    } else {
        report_lint::corpus::Batch::default()
    };
    let check = |i: usize, path: &std::path::Path| {
        // Last year's report and the reports alike, read again here (only for the files that
        // have one, so memory stays per file).
        let bind = |j: usize| {
            let src = report_lint::source::read_path(&files[j]).ok()?;
            report_lint::bind_source(src, &sets, explicit, lang).ok()
        };
        let paired: Option<report_lint::Bound> =
            batch.previous(i).filter(|_| pairing).and_then(bind);
        let similar: Vec<report_lint::Read> = batch
            .similar(i)
            .filter(|_| pairing)
            .filter_map(|j| report_lint::source::read_path(&files[j]).ok())
            .map(report_lint::Read::new)
            .collect();
        // A region's summary: the reports under it, bound here (only for summaries).
        let (parts, declared): (Vec<report_lint::Bound>, bool) = match batch.region(i) {
            Some((js, declared)) => (js.iter().filter_map(|&j| bind(j)).collect(), declared),
            None => (Vec::new(), false),
        };
        let ctx = report_lint::Context {
            previous: given_previous.as_ref().or(paired.as_ref()),
            previous_given: given_previous.is_some(),
            similar: &similar,
            region: (!parts.is_empty()).then_some(report_lint::Region {
                parts: &parts,
                sets: &sets,
                declared,
            }),
        };
        let mut report = if path.as_os_str() == "-" {
            match &stdin {
                Some(Ok(src)) => {
                    report_lint::check_source_in(src.clone(), &sets, explicit, opts, ctx)
                }
                Some(Err(e)) => report_lint::FileReport::failed(stdin_name.clone(), e.clone()),
                None => unreachable_report(&stdin_name),
            }
        } else {
            report_lint::check_path_in(path, &sets, explicit, opts, ctx)
        };
        policy.apply(&mut report);
        // Rendered on this thread; the report (source, facts) is dropped here. A renderer that
        // fails on this file fails this file only.
        let render = std::panic::AssertUnwindSafe(|| stream::render_file(format, &report));
        std::panic::catch_unwind(render).unwrap_or_else(|_| {
            stream::render_file(
                format,
                &report_lint::FileReport::failed(
                    report.path.clone(),
                    "internal error while writing the findings of this file; the other files were checked. Please report it with the file (内部错误，请反馈)",
                ),
            )
        })
    };
    let out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let docs = if matches!(format, stream::Format::Sarif) {
        // Every rule's page, from every built-in set (the bases of `extends` included: a
        // rule's page names the set it is written in).
        let all = if explicit {
            let mut all: Vec<RuleSet> = sets.iter().cloned().collect();
            all.extend(rules::builtin().unwrap_or_default());
            all
        } else {
            let mut all = rules::builtin().unwrap_or_default();
            narrow(&mut all, &selectors.0, &selectors.1);
            all
        };
        explain::sarif_docs(&all, lang)
    } else {
        Default::default()
    };
    let written = match stream::Writer::new(out, format).map(|w| w.with_rule_docs(docs)) {
        Ok(mut writer) => match run_ordered(&files, &check, &mut writer, jobs) {
            Ok(()) => Ok(writer),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let closing = policy.close(lang);
    let fail_on = if args.exit_zero || args.write_baseline.is_some() {
        FailOn::Never
    } else {
        match args.fail_on {
            Some(FailOnArg::Error) => FailOn::Error,
            Some(FailOnArg::Warning) => FailOn::Warning,
            Some(FailOnArg::Never) => FailOn::Never,
            None => st.config.fail_on.unwrap_or(FailOn::Error),
        }
    };
    let end = render::End {
        config: st
            .config
            .file
            .as_ref()
            .filter(|_| !closing.config.is_empty())
            .map(|f| (f.name.clone(), f.text.clone())),
        config_findings: closing.config,
        fixed: closing.fixed,
        fail_on: Some(fail_on),
    };
    let batch = written.and_then(|w| w.finish(&end));
    let batch = match batch {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            say(format!("error: cannot write output: {e}"));
            return ExitCode::from(2);
        }
        Ok(b) => b,
    };
    if let (Some(path), Some(b)) = (&args.write_baseline, &closing.written) {
        if let Err(e) = std::fs::write(path, b.to_json()) {
            say(format!(
                "error: cannot write the baseline {}: {e}",
                path.display()
            ));
            return ExitCode::from(2);
        }
        let n: usize = b.findings.iter().map(|e| e.count).sum();
        say(format!(
            "wrote {n} finding(s) to the baseline {}",
            path.display()
        ));
    }
    let code = ExitCode::from(end.exit_code(&batch));
    // The process ends here: freeing the rule sets' thousands of allocations one by one would
    // only cost time (a measurable share of a one-report run).
    std::mem::forget(sets);
    code
}

/// A report for a path that was never read (cannot happen: `-` is read before the run).
fn unreachable_report(name: &str) -> report_lint::FileReport {
    report_lint::FileReport::failed(name, "standard input was not read")
}

/// Checks the files on worker threads and writes each as soon as it and every file before it
/// are done: output in input order, at most a bounded window of files ahead of the writer (so
/// memory does not grow with the batch), and the first result out as soon as it exists.
fn run_ordered<W: Write>(
    files: &[PathBuf],
    check: &(dyn Fn(usize, &std::path::Path) -> stream::Rendered + Sync),
    writer: &mut stream::Writer<W>,
    jobs: usize,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{mpsc, Condvar, Mutex};
    let n = files.len();
    let workers = jobs.min(n).max(1);
    // One file (a pre-commit hook's run) is checked on this thread: a worker would cost its
    // start and, at its exit, the allocator returning its pages to the system.
    if workers == 1 {
        for (i, f) in files.iter().enumerate() {
            writer.file(check(i, f))?;
        }
        return Ok(());
    }
    let window = workers * 8;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let written = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, stream::Rendered)>();
    let mut result = Ok(());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, written) = (&next, &stop, &written);
            let spawned = std::thread::Builder::new()
                .stack_size(report_lint::limits::WORKER_STACK_BYTES)
                .spawn_scoped(scope, move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        let (lock, cv) = written;
                        let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while i >= *done + window && !stop.load(Ordering::Relaxed) {
                            done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if tx.send((i, check(i, &files[i]))).is_err() {
                        break;
                    }
                });
            if let Err(e) = spawned {
                stop.store(true, Ordering::Relaxed);
                result = Err(e);
                break;
            }
        }
        drop(tx);
        let mut pending: BTreeMap<usize, stream::Rendered> = BTreeMap::new();
        let mut done = 0usize;
        for (i, r) in rx.iter() {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&done) {
                if let Err(e) = writer.file(r) {
                    result = Err(e);
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                done += 1;
            }
            let (lock, cv) = &written;
            *lock.lock().unwrap_or_else(|e| e.into_inner()) = done;
            cv.notify_all();
            if result.is_err() {
                break;
            }
        }
        // Wake any worker still waiting for its turn.
        stop.store(
            result.is_err() || stop.load(Ordering::Relaxed),
            Ordering::Relaxed,
        );
        written.1.notify_all();
    });
    result
}

fn explain_cmd(rule: &str, st: &Settings) -> ExitCode {
    let mut sets = match load_rules(&st.rules, st.color) {
        Ok(s) => s,
        Err(c) => return c,
    };
    if !st.rules.is_empty() {
        sets.extend(rules::builtin().unwrap_or_default());
    }
    match explain::find(&sets, rule) {
        Some(page) => write_text(&explain::to_text_in(&page, st.lang)),
        None => {
            let keys = explain::all_keys(&sets);
            say(format!(
                "error: no rule `{rule}`{}",
                rules::dsl::did_you_mean(rule, keys.iter())
            ));
            ExitCode::from(2)
        }
    }
}

/// Loads the rules and one report, and binds its facts (for `dump` and `eval`).
fn load_and_bind(
    file: &std::path::Path,
    st: &Settings,
) -> Result<(rules::Sets, report_lint::dump::Dump), ExitCode> {
    let sets = load_sets(&st.rules, st.color)?;
    let src = report_lint::source::read_path(file).map_err(|e| {
        say(format!("error: {}: {e}", file.display()));
        ExitCode::from(2)
    })?;
    let dump = report_lint::dump::dump(src, &sets, !st.rules.is_empty(), st.lang);
    Ok((sets, dump))
}

fn dump_cmd(file: &std::path::Path, format: Format, st: &Settings) -> ExitCode {
    let dump = match load_and_bind(file, st) {
        Ok((_, d)) => d,
        Err(c) => return c,
    };
    match format {
        Format::Json | Format::Jsonl | Format::Sarif => {
            write_out(format!("{}\n", report_lint::dump::to_json(&dump)).as_bytes())
        }
        Format::Human | Format::Github => write_text(&report_lint::dump::to_text(&dump)),
        Format::Junit | Format::Csv | Format::Html => {
            say("error: dump writes human or json output (--format human or --format json)");
            ExitCode::from(2)
        }
    }
}

fn eval_cmd(expr: &str, file: &std::path::Path, st: &Settings) -> ExitCode {
    let (sets, dump) = match load_and_bind(file, st) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let (Ok((id, _)), Some(facts)) = (&dump.ruleset, &dump.facts) else {
        say(format!("error: {}", dump.ruleset.err().unwrap_or_default()));
        return ExitCode::from(2);
    };
    let Some(rs) = (0..sets.len())
        .find(|&i| sets.head(i).id == *id)
        .map(|i| sets.get(i))
    else {
        return ExitCode::from(2);
    };
    match rules::evaluate_str(rs, facts, expr) {
        Ok(rules::EvalOutcome::Value(v)) => write_text(&format!("{v}\n")),
        Ok(rules::EvalOutcome::Skipped(why)) => write_text(&format!("skipped: {why}\n")),
        Err(e) => {
            // The expression with a caret under the place, as a rule file's errors are shown.
            let d = report_lint::diagnostic::Diagnostic::new(
                report_lint::diagnostic::Severity::Error,
                "RF002",
                "expression",
                e.message.clone(),
            )
            .with_label(report_lint::diagnostic::Label::primary(
                report_lint::span::Span::new(e.span.start, e.span.end),
                "here",
            ));
            let mut buf = new_buffer(st.color);
            let _ = render::human::emit_diagnostics(&mut buf, "expression", expr, &[d]);
            let _ = std::io::stderr().write_all(buf.as_slice());
            ExitCode::from(2)
        }
    }
}

fn rules_check(files: &[PathBuf], st: &Settings) -> ExitCode {
    let color = st.color;
    let mut failed = false;
    for f in files {
        let name = f.display().to_string();
        match rules::read_rule_file(f) {
            Err(e) => {
                say(format!("error[RF000]: cannot read rule file {name}: {e}"));
                failed = true;
            }
            Ok(text) => match rules::load(&name, &text) {
                Ok(rs) => {
                    let tests: usize = rs
                        .rules
                        .iter()
                        .filter(|r| r.origin == name)
                        .map(|r| r.tests.len())
                        .sum();
                    let line = format!(
                        "{name}: ok: rule set {} with {} rules ({tests} test cases)\n",
                        rs.id,
                        rs.rules.len()
                    );
                    if write_out(line.as_bytes()) != ExitCode::SUCCESS {
                        return ExitCode::from(2);
                    }
                }
                Err(e) => {
                    print_load_error(&e, color);
                    failed = true;
                }
            },
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn rules_test(paths: &[PathBuf], st: &Settings) -> ExitCode {
    let color = st.color;
    let files = ruletest::rule_files(paths);
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, false);
    let mut out = String::new();
    for f in &files {
        match ruletest::run_file(f) {
            Err(e) => {
                print_load_error(&e, color);
                broken = true;
            }
            Ok(results) => {
                out.push_str(&format!("{}\n", f.display()));
                for r in results {
                    let name = if r.index == 0 {
                        r.rule.to_string()
                    } else {
                        format!("{} #{} ({})", r.rule, r.index, r.expect)
                    };
                    if r.ok {
                        passed += 1;
                        out.push_str(&format!("  ok    {name}\n"));
                    } else {
                        failed += 1;
                        out.push_str(&format!("  FAIL  {name}: {}\n", r.why));
                    }
                }
            }
        }
    }
    out.push_str(&format!("{passed} passed, {failed} failed\n"));
    let code = write_text(&out);
    if code != ExitCode::SUCCESS {
        code
    } else if broken {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// jemalloc: allocation is a fifth of the CPU of a run, and glibc's malloc costs more of it
/// (docs/performance.md). Its configuration is read when it starts ([`MALLOC_CONF`]).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's configuration, read before `main`: freed pages go back to the system after a
/// second, so the resident set stays as flat as with glibc's (`MALLOC_CONF` still wins).
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: &[u8] = b"dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    // The commands that evaluate on this thread (`dump`, `eval`, `rules test`) get the same
    // stack as the workers.
    std::thread::Builder::new()
        .name("report-lint".into())
        .stack_size(report_lint::limits::WORKER_STACK_BYTES)
        .spawn(|| {
            let code = real_main();
            // Everything is written and dropped: leave now, from this thread. Returning would
            // first tear the thread down, and the allocator would return each of its pages to
            // the system one call at a time (a tenth of a one-report run).
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            std::process::exit(
                (0..=u8::MAX)
                    .find(|&n| ExitCode::from(n) == code)
                    .map_or(2, i32::from),
            )
        })
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or_else(|| ExitCode::from(2))
}

/// The width to cut long source lines to: `COLUMNS` where set, else the terminal's (none when
/// the output is not a terminal).
fn terminal_columns() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return n;
    }
    if std::io::stdout().is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return usize::from(w);
        }
    }
    0
}

fn real_main() -> ExitCode {
    let cli = Cli::parse();
    render::human::set_terminal_columns(terminal_columns());
    // Commands that need no settings.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "report-lint", &mut out);
            return write_out(&out);
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                say(format!("error: cannot render the man page: {e}"));
                return ExitCode::from(2);
            }
            return write_out(&out);
        }
        Some(Command::Init { force }) => return init_cmd(*force),
        _ => {}
    }
    let st = match settings(&cli.global) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match cli.command {
        None => lint(cli.lint, st),
        Some(Command::Explain { rule }) => explain_cmd(&rule, &st),
        Some(Command::Dump { file, format }) => dump_cmd(&file, format, &st),
        Some(Command::Eval { expr, file }) => eval_cmd(&expr, &file, &st),
        Some(Command::Rules { command }) => match command {
            RulesCommand::Check { files, test } => {
                let checked = rules_check(&files, &st);
                if !test || checked != ExitCode::SUCCESS {
                    checked
                } else {
                    rules_test(&files, &st)
                }
            }
            RulesCommand::Test { paths } => rules_test(&paths, &st),
            RulesCommand::Docs => match rules::builtin() {
                Ok(sets) => write_out(explain::rules_markdown(&sets).as_bytes()),
                Err(e) => {
                    say(format!("error: {e}"));
                    ExitCode::from(2)
                }
            },
        },
        Some(Command::Init { .. } | Command::Completions { .. } | Command::Man) => {
            ExitCode::SUCCESS
        }
    }
}

/// Writes the starter config.
fn init_cmd(force: bool) -> ExitCode {
    let path = PathBuf::from(report_lint::config::FILE_NAME);
    if path.exists() && !force {
        say(format!(
            "error: {} already exists; `report-lint init --force` overwrites it",
            path.display()
        ));
        return ExitCode::from(2);
    }
    match std::fs::write(&path, report_lint::config::STARTER) {
        Ok(()) => {
            say(format!(
                "wrote {}: every setting is commented out; docs/config.md explains them",
                path.display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            say(format!("error: cannot write {}: {e}", path.display()));
            ExitCode::from(2)
        }
    }
}
