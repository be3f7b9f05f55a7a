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
/// errors (including reports that could not be read or checked).
#[derive(Debug, Parser)]
#[command(
    name = "report-lint",
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    lint: LintArgs,
}

#[derive(Debug, Args)]
struct Common {
    /// Rule file(s) to use instead of the built-in sets (repeatable).
    #[arg(long, value_name = "FILE", global = true)]
    rules: Vec<PathBuf>,
    /// Config file with a `[limits]` table (default: ./report-lint.toml when it exists).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Raise or lower one limit (docs/limits.md), e.g. `--limit html_depth=2000`; repeatable,
    /// wins over the config file.
    #[arg(long = "limit", value_name = "KEY=VALUE", global = true)]
    limits: Vec<String>,
    /// Language of messages.
    #[arg(long, value_enum, default_value_t = LangArg::Zh, global = true)]
    lang: LangArg,
    /// Colour output.
    #[arg(long, value_enum, default_value_t = When::Auto, global = true)]
    color: When,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Report files or directories (directories are searched for .txt/.htm/.html files).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// List passed and skipped rules with their values and reasons.
    #[arg(short, long)]
    verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Only these rules: ids or names, or prefixes ending in `*` (`GI18-P*`); comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,
    /// Skip these rules (ids, names or `PREFIX*`), also built-in checks such as RL104.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a rule's documentation: what it checks, why, an example, how to fix.
    Explain {
        /// Rule id or name (`GI18-P010`, `prose-review-cases`, `RL104`).
        rule: String,
        #[command(flatten)]
        common: Common,
    },
    /// Show the parsed document and every bound fact with its source (for rule authors).
    Dump {
        /// The report.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Evaluate one expression of the checks DSL against a report (to try out a rule).
    Eval {
        /// The expression, e.g. `sum(table.channels.*)`.
        expr: String,
        /// The report.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate rule files: every error, with its place in the TOML file.
    Check {
        /// Rule files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Run the test cases that ship with rule files (`[[rule.test]]`).
    Test {
        /// Rule files or directories of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
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
            .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "txt" | "htm" | "html"))
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

/// Reads the config file (given, or ./report-lint.toml) and `--limit` options, and installs
/// the limits. Errors point into the config file; exit code 2.
fn install_limits(common: &Common, color: ColorChoice) -> Result<(), ExitCode> {
    use report_lint::limits::Limits;
    let mut limits = Limits::default();
    let path = common.config.clone().or_else(|| {
        let p = PathBuf::from("report-lint.toml");
        p.is_file().then_some(p)
    });
    if let Some(path) = path {
        let name = path.display().to_string();
        // Read before any limit is in force (reading one would fix the defaults).
        let text = report_lint::source::read_bounded(&path, limits.rule_file_bytes)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "the file is not UTF-8".to_string()))
            .map_err(|e| {
                say(format!("error[RC000]: cannot read config file {name}: {e}"));
                ExitCode::from(2)
            })?;
        if let Err(diags) = apply_config(&text, &mut limits) {
            let mut buf = new_buffer(color);
            let _ = render::human::emit_diagnostics(&mut buf, &name, &text, &diags);
            let _ = writeln!(
                buf,
                "{}: {} error(s) in the config file",
                render::visible::visible(&name),
                diags.len()
            );
            let _ = std::io::stderr().write_all(buf.as_slice());
            return Err(ExitCode::from(2));
        }
    }
    for kv in &common.limits {
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
    Ok(())
}

/// Applies the `[limits]` table of a config file.
fn apply_config(
    text: &str,
    limits: &mut report_lint::limits::Limits,
) -> Result<(), Vec<report_lint::diagnostic::Diagnostic>> {
    use report_lint::diagnostic::{Diagnostic, Label, Severity};
    use report_lint::span::Span;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Config {
        #[serde(default)]
        limits: indexmap::IndexMap<toml::Spanned<String>, toml::Spanned<u64>>,
    }
    let err = |span: std::ops::Range<usize>, msg: String| {
        Diagnostic::new(Severity::Error, "RC001", "config", msg)
            .with_label(Label::primary(Span::new(span.start, span.end), "here"))
            .with_help("see docs/limits.md for the limits and their defaults")
    };
    let config: Config = toml::from_str(text).map_err(|e| {
        vec![err(
            e.span().unwrap_or(0..0),
            format!("invalid config file: {}", e.message().trim()),
        )]
    })?;
    let mut diags = Vec::new();
    for (k, v) in &config.limits {
        if let Err(e) = limits.set(k.get_ref(), *v.get_ref()) {
            diags.push(err(k.span(), e));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
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

fn lint(args: LintArgs) -> ExitCode {
    let color = color_choice(args.common.color);
    let lang = lang_of(args.common.lang);
    let mut sets = match load_rules(&args.common.rules, color) {
        Ok(s) => s,
        Err(code) => return code,
    };
    for rs in &mut sets {
        if !args.select.is_empty() {
            rs.rules
                .retain(|r| args.select.iter().any(|p| rules::rule_matches(r, p)));
        }
        rs.rules
            .retain(|r| !args.ignore.iter().any(|p| rules::rule_matches(r, p)));
    }
    let explicit = !args.common.rules.is_empty();
    let files = expand(&args.paths);
    if files.is_empty() {
        say("error: no report files (.txt, .htm, .html) found under the given paths");
        return ExitCode::from(2);
    }
    // Built-in document checks (RL…) follow --select/--ignore too.
    let keep = |code: &str| {
        let m = |p: &String| {
            p.strip_suffix('*')
                .map_or(code == p, |pre| code.starts_with(pre))
        };
        (args.select.is_empty() || !code.starts_with("RL") || args.select.iter().any(m))
            && !args.ignore.iter().any(m)
    };
    let format = match args.format {
        Format::Human => stream::Format::Human {
            verbose: args.verbose,
            color: !matches!(color, ColorChoice::Never),
        },
        Format::Json => stream::Format::Json,
        Format::Jsonl => stream::Format::Jsonl,
        Format::Sarif => stream::Format::Sarif,
        Format::Github => stream::Format::Github,
    };
    // Passed rules' values are shown only by --verbose and the JSON formats.
    let opts = report_lint::Options {
        lang,
        details: args.verbose || matches!(args.format, Format::Json | Format::Jsonl),
    };
    let check = |path: &std::path::Path| {
        let mut report = report_lint::check_path(path, &sets, explicit, opts);
        report
            .diagnostics
            .retain(|d| !d.code.starts_with("RL") || keep(&d.code));
        // Rendered on this thread; the report (source, facts) is dropped here.
        stream::render_file(format, &report)
    };
    let out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock());
    let batch = match stream::Writer::new(out, format) {
        Ok(mut writer) => match run_ordered(&files, &check, &mut writer) {
            Ok(()) => writer.finish(),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match batch {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say(format!("error: cannot write output: {e}"));
            ExitCode::from(2)
        }
        Ok(b) if b.failed > 0 => ExitCode::from(2),
        Ok(b) if b.totals.errors > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
    }
}

/// Checks the files on worker threads and writes each as soon as it and every file before it
/// are done: output in input order, at most a bounded window of files ahead of the writer (so
/// memory does not grow with the batch), and the first result out as soon as it exists.
fn run_ordered<W: Write>(
    files: &[PathBuf],
    check: &(dyn Fn(&std::path::Path) -> stream::Rendered + Sync),
    writer: &mut stream::Writer<W>,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{mpsc, Condvar, Mutex};
    let n = files.len();
    let workers = std::thread::available_parallelism()
        .map_or(2, |p| p.get())
        .min(n)
        .max(1);
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
                    if tx.send((i, check(&files[i]))).is_err() {
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

fn explain_cmd(rule: &str, common: &Common) -> ExitCode {
    let color = color_choice(common.color);
    let mut sets = match load_rules(&common.rules, color) {
        Ok(s) => s,
        Err(c) => return c,
    };
    if !common.rules.is_empty() {
        sets.extend(rules::builtin().unwrap_or_default());
    }
    match explain::find(&sets, rule) {
        Some(page) => write_text(&explain::to_text(&page)),
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
    common: &Common,
) -> Result<(Vec<RuleSet>, report_lint::dump::Dump), ExitCode> {
    let sets = load_rules(&common.rules, color_choice(common.color))?;
    let src = report_lint::source::read_path(file).map_err(|e| {
        say(format!("error: {}: {e}", file.display()));
        ExitCode::from(2)
    })?;
    let dump = report_lint::dump::dump(src, &sets, !common.rules.is_empty(), lang_of(common.lang));
    Ok((sets, dump))
}

fn dump_cmd(file: &std::path::Path, format: Format, common: &Common) -> ExitCode {
    let dump = match load_and_bind(file, common) {
        Ok((_, d)) => d,
        Err(c) => return c,
    };
    match format {
        Format::Json | Format::Jsonl | Format::Sarif => {
            write_out(format!("{}\n", report_lint::dump::to_json(&dump)).as_bytes())
        }
        Format::Human | Format::Github => write_text(&report_lint::dump::to_text(&dump)),
    }
}

fn eval_cmd(expr: &str, file: &std::path::Path, common: &Common) -> ExitCode {
    let (sets, dump) = match load_and_bind(file, common) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let (Ok((id, _)), Some(facts)) = (&dump.ruleset, &dump.facts) else {
        say(format!("error: {}", dump.ruleset.err().unwrap_or_default()));
        return ExitCode::from(2);
    };
    let Some(rs) = sets.iter().find(|r| &r.id == id) else {
        return ExitCode::from(2);
    };
    match rules::evaluate_str(rs, facts, expr) {
        Ok(rules::EvalOutcome::Value(v)) => write_text(&format!("{v}\n")),
        Ok(rules::EvalOutcome::Skipped(why)) => write_text(&format!("skipped: {why}\n")),
        Err(e) => {
            say(format!("error: {e}"));
            ExitCode::from(2)
        }
    }
}

fn rules_check(files: &[PathBuf], common: &Common) -> ExitCode {
    let color = color_choice(common.color);
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

fn rules_test(paths: &[PathBuf], common: &Common) -> ExitCode {
    let color = color_choice(common.color);
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

fn main() -> ExitCode {
    // The commands that evaluate on this thread (`dump`, `eval`, `rules test`) get the same
    // stack as the workers.
    std::thread::Builder::new()
        .name("report-lint".into())
        .stack_size(report_lint::limits::WORKER_STACK_BYTES)
        .spawn(real_main)
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or_else(|| ExitCode::from(2))
}

fn real_main() -> ExitCode {
    let cli = Cli::parse();
    let common = match &cli.command {
        None => &cli.lint.common,
        Some(
            Command::Explain { common, .. }
            | Command::Dump { common, .. }
            | Command::Eval { common, .. }
            | Command::Rules {
                command: RulesCommand::Check { common, .. } | RulesCommand::Test { common, .. },
            },
        ) => common,
        Some(Command::Rules {
            command: RulesCommand::Docs,
        }) => &cli.lint.common,
    };
    if let Err(code) = install_limits(common, color_choice(common.color)) {
        return code;
    }
    match cli.command {
        None => lint(cli.lint),
        Some(Command::Explain { rule, common }) => explain_cmd(&rule, &common),
        Some(Command::Dump {
            file,
            format,
            common,
        }) => dump_cmd(&file, format, &common),
        Some(Command::Eval { expr, file, common }) => eval_cmd(&expr, &file, &common),
        Some(Command::Rules { command }) => match command {
            RulesCommand::Check { files, common } => rules_check(&files, &common),
            RulesCommand::Test { paths, common } => rules_test(&paths, &common),
            RulesCommand::Docs => match rules::builtin() {
                Ok(sets) => write_out(explain::rules_markdown(&sets).as_bytes()),
                Err(e) => {
                    say(format!("error: {e}"));
                    ExitCode::from(2)
                }
            },
        },
    }
}
