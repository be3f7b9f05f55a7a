//! Snapshots of what a user sees on the canonical example, one per output format.

mod common;

fn run(args: &[&str]) -> String {
    let out = common::bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn human_output() {
    insta::assert_snapshot!("human", run(&["examples/yuqian-2018.txt"]));
}

#[test]
fn human_output_verbose_english() {
    insta::assert_snapshot!(
        "human_verbose_en",
        run(&["examples/yuqian-2018.txt", "--verbose", "--lang", "en"])
    );
}

#[test]
fn json_output() {
    insta::assert_snapshot!(
        "json",
        run(&["examples/yuqian-2018.txt", "--format", "json"])
    );
}
