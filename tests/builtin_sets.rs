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

/// A lint run reads only the sets a report can be checked with: they are the sets with an
/// `applies` condition, in order, and every rule of the others (bases for `extends`) is carried
/// by one of them, so a selector naming any built-in rule still selects something.
#[test]
fn a_lint_run_reads_the_choosable_sets_and_they_carry_every_rule() {
    let all = report_lint::rules::builtin().expect("built-in sets");
    let choosable = report_lint::rules::builtin_choosable().expect("choosable sets");
    let ids = |sets: &[report_lint::rules::RuleSet]| -> Vec<String> {
        sets.iter().map(|s| s.id.clone()).collect()
    };
    let expected: Vec<_> = all
        .iter()
        .filter(|s| s.applies.is_some())
        .cloned()
        .collect();
    assert_eq!(ids(&choosable), ids(&expected));
    assert!(choosable.len() < all.len(), "the bases are left out");
    let carried: std::collections::BTreeSet<(&str, &str)> = choosable
        .iter()
        .flat_map(|s| s.rules.iter().map(|r| (r.id.as_str(), r.name.as_str())))
        .collect();
    for s in all.iter().filter(|s| s.applies.is_none()) {
        for r in &s.rules {
            assert!(
                carried.contains(&(r.id.as_str(), r.name.as_str())),
                "{} of {} is in no set a report is checked with",
                r.id,
                s.id
            );
        }
    }
}
