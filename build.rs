//! The built-in rule files as the binary embeds them: without their `[[rule.test]]` cases,
//! which a lint run never reads (they are a quarter of the bytes it would parse at every
//! start). `report-lint rules test rules/` reads the files on disk, cases and all.

use std::path::PathBuf;

const FILES: &[&str] = &["2018", "2019", "2021", "common", "common-2019"];

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    for name in FILES {
        let path = format!("rules/{name}.toml");
        println!("cargo:rerun-if-changed={path}");
        let src = std::fs::read_to_string(&path).expect("built-in rule file");
        std::fs::write(out.join(format!("{name}.toml")), strip_tests(&src))
            .expect("write the stripped rule file");
    }
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
