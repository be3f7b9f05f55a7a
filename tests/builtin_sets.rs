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
/// by one of them, so a selector naming any built-in rule still selects something. Each is read
/// when first used: its head (what choosing reads, and its rules' names) says what the whole
/// set says.
#[test]
fn a_lint_run_reads_the_choosable_sets_and_they_carry_every_rule() {
    let all = report_lint::rules::builtin().expect("built-in sets");
    let choosable = report_lint::rules::builtin_choosable().expect("choosable sets");
    let expected: Vec<_> = all.iter().filter(|s| s.applies.is_some()).collect();
    let heads: Vec<&str> = choosable.heads().iter().map(|h| h.id.as_str()).collect();
    let ids: Vec<&str> = expected.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(heads, ids);
    assert!(choosable.len() < all.len(), "the bases are left out");
    for (i, rs) in expected.iter().enumerate() {
        let head = choosable.head(i);
        let read = choosable.get(i);
        let bytes = |rs: &report_lint::rules::RuleSet| {
            report_lint::rules::preload(std::slice::from_ref(rs)).expect("serialises")
        };
        assert_eq!(bytes(read), bytes(rs), "{} reads back whole", rs.id);
        let names: Vec<(String, String)> = rs
            .rules
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        assert_eq!(head.rules, names);
        assert_eq!(head.applies_src, rs.applies_src);
        assert_eq!(head.detect_src, rs.detect_src);
        assert_eq!(head.report.len(), rs.fields.report.len());
        assert_eq!(head.dims, rs.dims);
    }
    let carried: std::collections::BTreeSet<(&str, &str)> = choosable
        .heads()
        .iter()
        .flat_map(|h| {
            h.rules
                .iter()
                .map(|(id, name)| (id.as_str(), name.as_str()))
        })
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

/// Narrowing by selectors applies to the sets read before and after it, and to the heads.
#[test]
fn rules_left_out_by_selectors_are_left_out_of_sets_read_later() {
    let mut sets = report_lint::rules::builtin_choosable().expect("choosable sets");
    let before = sets.get(0).rules.len();
    sets.retain_rules(|id, _| !id.ends_with('1'));
    let first = sets.get(0);
    assert!(
        first.rules.len() < before,
        "the set read before is narrowed"
    );
    assert!(first.rules.iter().all(|r| !r.id.ends_with('1')));
    let last = sets.get(sets.len() - 1);
    assert!(!last.rules.is_empty());
    assert!(
        last.rules.iter().all(|r| !r.id.ends_with('1')),
        "and those read after"
    );
    assert!(sets
        .heads()
        .iter()
        .all(|h| h.rules.iter().all(|(id, _)| !id.ends_with('1'))));
}
