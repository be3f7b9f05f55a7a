//! The built-in rule files are embedded without their test cases (build.rs): the sets the
//! binary loads are the files on disk, rule for rule.

use report_lint::rules;

#[test]
fn the_embedded_sets_are_the_files_without_their_tests() {
    let embedded = rules::builtin().expect("built-in sets load");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut stripped_bytes = 0;
    for (name, text) in rules::BUILTIN {
        let path = dir.join(format!("{name}.toml"));
        let full = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() < full.len(), "{name}: nothing stripped");
        assert!(!text.contains("[[rule.test]]"), "{name}");
        stripped_bytes += full.len() - text.len();
        if *name == "common-2019" {
            continue; // a base only; its rules are in the sets that extend it
        }
        let on_disk = rules::load(&path.display().to_string(), &full)
            .unwrap_or_else(|e| panic!("{name}: {:?}", e.diagnostics.first().map(|d| &d.message)));
        let built = embedded
            .iter()
            .find(|rs| rs.id == on_disk.id)
            .unwrap_or_else(|| panic!("{name}: no embedded set {}", on_disk.id));
        let sig = |rs: &rules::RuleSet| -> Vec<(String, String, String)> {
            rs.rules
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        r.check_src.clone(),
                        format!("{:?}", r.severity),
                    )
                })
                .collect()
        };
        assert_eq!(sig(built), sig(&on_disk), "{name}");
        assert_eq!(built.field_titles, on_disk.field_titles, "{name}");
        assert!(on_disk.rules.iter().any(|r| !r.tests.is_empty()));
        assert!(built.rules.iter().all(|r| r.tests.is_empty()));
    }
    assert!(stripped_bytes > 20_000, "{stripped_bytes}");
}
