//! `cargo bench`: throughput of the whole pipeline (decode, parse, bind, evaluate, render) on
//! the bundled reports. The machine is shared and noisy, so results are printed as ratios
//! within one run, never asserted.

use report_lint::diagnostic::Lang;
use report_lint::{check_source, render, source};
use std::time::{Duration, Instant};

fn time<F: FnMut()>(mut f: F) -> Duration {
    // Warm up, then take the best of several rounds.
    f();
    (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sets =
        report_lint::rules::Sets::from(report_lint::rules::builtin().expect("built-in rules load"));
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        (
            "yuqian-2018.txt",
            std::fs::read(root.join("examples/yuqian-2018.txt")).unwrap(),
        ),
        (
            "2023-hongze.txt",
            std::fs::read(root.join("tests/fixtures/real/2023-hongze.txt")).unwrap(),
        ),
        (
            "2023-shuyang.html",
            std::fs::read(root.join("tests/fixtures/real/2023-shuyang-fagaiju.html")).unwrap(),
        ),
        (
            "2024-huaian (PDF text)",
            std::fs::read(root.join("tests/fixtures/real/2024-huaian-shizhengfu.txt")).unwrap(),
        ),
        (
            "2025-shuyang (Markdown)",
            std::fs::read(root.join("tests/fixtures/real/2025-shuyang-xianzhengfu.txt")).unwrap(),
        ),
        (
            "huaian x20, one line (crawler dump)",
            std::fs::read_to_string(root.join("tests/fixtures/real/2024-huaian-shizhengfu.txt"))
                .unwrap()
                .replace('\n', "")
                .repeat(20)
                .into_bytes(),
        ),
        (
            "yuqian x20 (one long report)",
            std::fs::read(root.join("examples/yuqian-2018.txt"))
                .unwrap()
                .repeat(20),
        ),
    ];
    let load = time(|| {
        let _ = report_lint::rules::builtin();
    });
    println!("loading the built-in rule sets: {load:?}");
    let mut base = None;
    for (name, bytes) in &inputs {
        let t = time(|| {
            let src = source::decode(name, bytes).expect("decodes");
            let r = check_source(src, &sets, false, Lang::Zh);
            let _ = render::json::render(std::slice::from_ref(&r));
        });
        let per_kib = t.as_secs_f64() * 1e6 / (bytes.len() as f64 / 1024.0);
        let b = *base.get_or_insert(per_kib);
        println!(
            "{name:<32} {:>8} bytes  {t:>12?}  {per_kib:>9.1} µs/KiB  ({:.2}x the first)",
            bytes.len(),
            per_kib / b
        );
    }
}
