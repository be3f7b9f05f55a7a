//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit tool on real commits.
//!
//! pre-commit would build a `language: rust` hook from the repository with `cargo install`
//! (minutes); the test instead serves the manifest as written, with only `language: rust`
//! changed to `language: system`, from a local hooks repository, and puts the binary under test
//! first on PATH. Ids, entries, file patterns and arguments are the manifest's own. Skipped,
//! with the reason, where git or pre-commit is not installed (`.ci/run` installs pre-commit
//! from PyPI).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success() || args[0] == "commit",
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn init_repo(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "test@example.org"]);
    git(dir, &["config", "user.name", "test"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

/// The binary's directory first on PATH.
fn path_with_binary() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_report-lint"));
    let dir = bin.parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// Commits `files` (path, content) in `project`; returns whether the commit went in, and what
/// pre-commit printed.
fn commit(project: &Path, home: &Path, files: &[(&str, &str)]) -> (bool, String) {
    for (p, text) in files {
        let path = project.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        git(project, &["add", p]);
    }
    let out = Command::new("git")
        .current_dir(project)
        .args(["commit", "-q", "-m", "change"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PRE_COMMIT_HOME", home)
        .env("PATH", path_with_binary())
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("git commit runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        // Leave the index clean for the next case.
        git(project, &["reset", "-q", "--hard"]);
    }
    (out.status.success(), said)
}

const VALID_RULES: &str = r#"
[ruleset]
id = "office-rules"
title = "培训情况核对"

[tables.stats]
value_column = ["统计数"]

[tables.stats.rows]
trainings = "举办各类培训班数"
trainees = "接受培训人员数"

[[rule]]
id = "OFFICE-001"
name = "trainees-per-class"
severity = "warning"
check = "table.trainees >= table.trainings * 20"
message = "举办培训班 {table.trainings} 期，仅培训 {table.trainees} 人次"
message_en = "{table.trainings} training classes but only {table.trainees} trainees"

[[rule.test]]
expect = "pass"
report = """
统计指标 | 单位 | 统计数 |
(二)举办各类培训班数 | 次 | 2 |
(三)接受培训人员数 | 人次 | 60 |
"""

[[rule.test]]
expect = "fail"
report = """
统计指标 | 单位 | 统计数 |
(二)举办各类培训班数 | 次 | 2 |
(三)接受培训人员数 | 人次 | 10 |
"""
"#;

#[test]
fn the_hooks_block_bad_commits_and_let_good_ones_through() {
    for tool in ["git", "pre-commit"] {
        if !have(tool) {
            eprintln!(
                "skipped: {tool} is not installed (pip install pre-commit; .ci/run installs it)"
            );
            return;
        }
    }
    let root = common::scratch("precommit");
    let home = root.join("pre-commit-home");
    // The hooks repository: the manifest as written, served as `system` hooks.
    let hooks = root.join("hooks");
    init_repo(&hooks);
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert_eq!(manifest.matches("language: rust").count(), 2, "{manifest}");
    std::fs::write(
        hooks.join(".pre-commit-hooks.yaml"),
        manifest.replace("language: rust", "language: system"),
    )
    .unwrap();
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = String::from_utf8(git(&hooks, &["rev-parse", "HEAD"]).stdout).unwrap();

    let project = root.join("project");
    init_repo(&project);
    let config = |report_args: &str| {
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: report-lint\n{report_args}      - id: report-lint-rules\n",
            hooks.display(),
            rev.trim()
        )
    };
    std::fs::write(project.join(".pre-commit-config.yaml"), config("")).unwrap();
    git(&project, &["add", ".pre-commit-config.yaml"]);
    git(&project, &["commit", "-q", "-m", "config", "--no-verify"]);
    let installed = Command::new("pre-commit")
        .current_dir(&project)
        .arg("install")
        .env("PRE_COMMIT_HOME", &home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );

    let example = std::fs::read_to_string(common::example()).unwrap();
    // A report with errors: blocked, and the finding is shown.
    let (ok, said) = commit(&project, &home, &[("reports/yuqian-2018.txt", &example)]);
    assert!(!ok, "a report with errors was committed: {said}");
    assert!(said.contains("error[GI18-P010]"), "{said}");

    // The same report with its errors waived by the project config: warnings only, it passes.
    let waive = "ignore = [\"GI18-P010\", \"GI18-Y001\"]\n";
    let (ok, said) = commit(
        &project,
        &home,
        &[
            ("report-lint.toml", waive),
            ("reports/yuqian-2018.txt", &example),
        ],
    );
    assert!(ok, "a warning-only report was blocked: {said}");
    assert!(said.contains("Passed"), "{said}");

    // With --fail-on warning in the hook's args, a warning-only change is blocked.
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        config("        args: [--fail-on, warning]\n"),
    )
    .unwrap();
    git(&project, &["add", ".pre-commit-config.yaml"]);
    git(&project, &["commit", "-q", "-m", "stricter", "--no-verify"]);
    let edited = format!("{example}\n附：本报告电子版可在网站下载。\n");
    let (ok, said) = commit(&project, &home, &[("reports/yuqian-2018.txt", &edited)]);
    assert!(!ok, "--fail-on warning let warnings through: {said}");
    assert!(said.contains("warning["), "{said}");

    // Rule files: a valid one with passing tests goes in, a broken one is blocked.
    let (ok, said) = commit(&project, &home, &[("rules/office.toml", VALID_RULES)]);
    assert!(ok, "a valid rule file was blocked: {said}");
    assert!(
        said.contains("report-lint (rule files)") && said.contains("Passed"),
        "{said}"
    );
    let broken = VALID_RULES.replace("table.trainings * 20", "table.trainings * ");
    let (ok, said) = commit(&project, &home, &[("rules/office.toml", &broken)]);
    assert!(!ok, "a broken rule file was committed: {said}");
    assert!(said.contains("rules/office.toml"), "{said}");
}
