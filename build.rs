//! The built-in rule files as the binary embeds them: without their `[[rule.test]]` cases,
//! which a lint run never reads (they are a quarter of the bytes it would parse at every
//! start). `report-lint rules test rules/` reads the files on disk, cases and all.
//!
//! It also fingerprints what the loaded built-in sets are made from (these files and the source
//! of the loader and of the types it fills): the binary uses the sets serialised ahead of time
//! (`src/rules/builtin.sets`) only when they were made from exactly these inputs.

use std::path::PathBuf;

const FILES: &[&str] = &["2018", "2019", "2021", "common", "common-2019"];

/// The source the loaded sets depend on: the loader, the checks grammar, the types the sets are
/// made of (their layout is the serialised form's), and the pattern normaliser. Not the
/// evaluator, the renderers or the binders, so that most changes leave the preloaded sets
/// current; `tests/builtin_sets.rs` checks them against a fresh load either way.
const LOADER: &[&str] = &[
    "grammar/checks.pest",
    "src/rules/mod.rs",
    "src/rules/load.rs",
    "src/rules/toml_str.rs",
    "src/rules/engine.rs",
    "src/rules/dsl/mod.rs",
    "src/rules/dsl/ast.rs",
    "src/rules/dsl/parse.rs",
    "src/rules/dsl/types.rs",
    "src/facts/spec.rs",
    "src/facts/mod.rs",
    "src/diagnostic.rs",
    "src/units.rs",
    "src/limits.rs",
    "src/matcher.rs",
    "src/document/normalize.rs",
    "src/document/t2s_table.rs",
];

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for name in FILES {
        let path = format!("rules/{name}.toml");
        println!("cargo:rerun-if-changed={path}");
        let src = std::fs::read_to_string(&path).expect("built-in rule file");
        let stripped = strip_tests(&src);
        std::fs::write(out.join(format!("{name}.toml")), &stripped)
            .expect("write the stripped rule file");
        inputs.push((path, stripped.into_bytes()));
    }
    for path in LOADER {
        println!("cargo:rerun-if-changed={path}");
        let bytes = std::fs::read(path).expect("loader source file");
        inputs.push((path.to_string(), bytes));
    }
    inputs.sort();
    // FNV-1a 64 over each input's name and bytes, line endings made uniform (a checkout on
    // Windows has the same fingerprint).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, bytes) in &inputs {
        for &b in name.as_bytes().iter().chain([0u8].iter()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        for &b in bytes.iter().filter(|&&b| b != b'\r') {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=RL_BUILTIN_INPUTS={h:016x}");
    println!("cargo:rerun-if-changed=build.rs");
}

/// Drops every `[[rule.test]]` table: from its header to the next table header that is not
/// inside a multi-line string.
fn strip_tests(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let (mut in_test, mut in_basic, mut in_literal) = (false, false, false);
    for line in src.split_inclusive('\n') {
        if !in_basic && !in_literal {
            let t = line.trim_start();
            if t.starts_with("[[rule.test]]") {
                in_test = true;
            } else if t.starts_with('[') {
                in_test = false;
            }
        }
        if line.matches("\"\"\"").count() % 2 == 1 && !in_literal {
            in_basic = !in_basic;
        }
        if line.matches("'''").count() % 2 == 1 && !in_basic {
            in_literal = !in_literal;
        }
        if !in_test {
            out.push_str(line);
        }
    }
    out
}
