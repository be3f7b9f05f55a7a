//! The built-in rule sets the binary embeds preloaded (`src/rules/builtin.sets`) are exactly what
//! loading the rule files gives. `BLESS=1 cargo test --test builtin_sets` rewrites them after a
//! change to a built-in rule file or to the loader.

#[test]
fn the_preloaded_builtin_sets_are_current() {
    let fresh = report_lint::rules::builtin_from_files().expect("built-in sets load");
    let bytes = report_lint::rules::preload(&fresh).expect("sets serialise");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/builtin.sets");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &bytes).expect("write the preloaded sets");
        return;
    }
    let embedded = std::fs::read(path).expect("src/rules/builtin.sets");
    assert!(
        embedded == bytes,
        "src/rules/builtin.sets is stale (a built-in rule file or the loader changed): run \
         `BLESS=1 cargo test --test builtin_sets` and commit the file"
    );
    // What the binary reads back is what was written.
    let read = report_lint::rules::builtin().expect("preloaded sets read");
    assert_eq!(
        report_lint::rules::preload(&read).expect("sets serialise"),
        bytes
    );
    assert_eq!(read.len(), fresh.len());
}
