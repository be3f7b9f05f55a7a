//! The prose reader, one sentence shape at a time. Each test writes new sentences in the shapes
//! real reports use into the synthetic clean report (`tests/fixtures/2021-clean.txt`) and checks
//! what each figure bound to, or why nothing, and the rule outcome.

mod common;

use common::*;

const SENTENCE: &str = "本年度共收到政府信息公开申请12件，办结11件，结转下年度继续办理2件。";
const REVIEWS: &str = "本机关发生行政复议1件，行政诉讼0件。";

fn clean() -> String {
    std::fs::read_to_string(fixture("2021-clean.txt")).unwrap()
}

/// The report with one sentence replaced, as dump JSON and lint JSON.
fn read(test: &str, from: &str, to: &str) -> (serde_json::Value, serde_json::Value) {
    let text = clean();
    assert!(text.contains(from), "{from}");
    let dir = scratch(test);
    let p = dir.join("r.txt");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    let out = bin()
        .args(["dump", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let dump: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, lint) = json(&[p.as_os_str()]);
    (dump, lint)
}

/// (value, clause text) of every statement of a prose field.
fn stated(dump: &serde_json::Value, field: &str) -> Vec<(String, String)> {
    dump["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == field)
        .map(|f| {
            let v = &f["value"]["value"];
            let v = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v["amount"].as_str().map(str::to_string).unwrap_or_default());
            (v, f["span"]["text"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn values(dump: &serde_json::Value, field: &str) -> Vec<String> {
    stated(dump, field).into_iter().map(|x| x.0).collect()
}

/// Why a figure (as written) bound to nothing.
fn unbound_why(dump: &serde_json::Value, figure: &str) -> Option<String> {
    dump["clauses"].as_array().unwrap().iter().find_map(|c| {
        c["figures"].as_array().unwrap().iter().find_map(|f| {
            (f["text"] == figure && f["field"].is_null())
                .then(|| f["why"].as_str().unwrap().to_string())
        })
    })
}

fn statuses(lint: &serde_json::Value, id: &str) -> Vec<String> {
    lint["files"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(lint: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    lint["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
}

#[test]
fn each_figure_binds_to_the_metric_of_its_own_clause() {
    let (dump, lint) = read(
        "prose_clauses",
        SENTENCE,
        "全年共受理政府信息公开申请12件，上年结转申请1件，已办结11件，另有2件顺延至下一年度办理。",
    );
    assert_eq!(values(&dump, "prose.applications"), vec!["12"]);
    assert_eq!(values(&dump, "prose.carried_over"), vec!["1"]);
    assert_eq!(values(&dump, "prose.completed"), vec!["11"]);
    assert_eq!(values(&dump, "prose.carried_forward"), vec!["2"]);
    // The statement is the whole clause: findings point at exactly it.
    assert_eq!(
        stated(&dump, "prose.carried_forward")[0].1,
        "另有2件顺延至下一年度办理"
    );
    for id in ["GI19-P301", "GI19-P302", "GI19-P303", "GI19-P304"] {
        assert_eq!(statuses(&lint, id), vec!["passed"], "{id}");
    }
}

#[test]
fn a_figure_before_its_metric_and_a_set_named_with_zhong() {
    let (dump, lint) = read(
        "prose_order",
        REVIEWS,
        "本年有1件涉及政府信息公开的行政复议，行政诉讼0件。所有办结的申请中同意公开答复6件，部分公开答复2件。",
    );
    assert_eq!(values(&dump, "prose.reviews"), vec!["1"]);
    // 办结 names the set (`…中`), not the figure.
    assert_eq!(values(&dump, "prose.disclosed"), vec!["6"]);
    assert_eq!(
        values(&dump, "prose.completed"),
        vec!["11"],
        "only the 办结 of line 5"
    );
    assert_eq!(statuses(&lint, "GI19-P305"), vec!["passed"]);
}

#[test]
fn composite_phrases_bind_to_the_sum_they_name() {
    let (dump, lint) = read(
        "prose_composite",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中予以公开及部分公开8件，因本机关不掌握等原因无法提供2件，不予处理1件，其他处理0件。",
    );
    assert_eq!(values(&dump, "prose.disclosed_any"), vec!["8"]);
    assert!(
        values(&dump, "prose.partly_disclosed").is_empty(),
        "never 部分公开 alone"
    );
    assert!(values(&dump, "prose.disclosed").is_empty());
    // 等 claims the category: 无法提供, not its first row.
    assert_eq!(values(&dump, "prose.unavailable"), vec!["2"]);
    assert!(values(&dump, "prose.unavailable.not_held").is_empty());
    assert_eq!(values(&dump, "prose.rejected"), vec!["1"]);
    assert_eq!(values(&dump, "prose.other_processing"), vec!["0"]);
    for id in ["GI19-P311", "GI19-P308", "GI19-P309", "GI19-P310"] {
        assert_eq!(statuses(&lint, id), vec!["passed"], "{id}");
    }
    // The same sentence with a wrong composite: an error on exactly that clause.
    let (_, lint) = read(
        "prose_composite_wrong",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中予以公开及部分公开7件。",
    );
    let d = finding(&lint, "GI19-P311").expect("a finding");
    assert_eq!(d["severity"], "error");
    let primary: Vec<&serde_json::Value> = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["primary"] == true)
        .collect();
    assert_eq!(primary.len(), 1);
    assert_eq!(primary[0]["text"], "其中予以公开及部分公开7件");
    // The table cells compared are the secondary labels.
    assert!(d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["primary"] == false));
}

#[test]
fn a_sub_scope_binds_to_its_column_never_to_the_total() {
    let (dump, lint) = read(
        "prose_scope",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中自然人申请10件，商业企业申请2件。",
    );
    assert_eq!(values(&dump, "prose.applications"), vec!["12"]);
    assert_eq!(values(&dump, "prose.applications.natural"), vec!["10"]);
    // No field for 商业企业 alone: it binds to nothing, and never to the total.
    assert_eq!(
        unbound_why(&dump, "2件").as_deref(),
        Some("its clause names no metric")
    );
    assert_eq!(statuses(&lint, "GI19-P312"), vec!["passed"]);
    // A narrower body: a contradiction is a warning that names the scope.
    let (_, lint) = read(
        "prose_narrow",
        SENTENCE,
        "本年度区政府办受理政府信息公开申请5件，办结11件，结转下年度继续办理2件。",
    );
    let d = finding(&lint, "GI19-P301").unwrap();
    assert_eq!(d["severity"], "warning");
    assert!(d["notes"].to_string().contains("区政府办"));
}

#[test]
fn negation_states_zero_for_what_it_names() {
    // Not 0 reviews and 0 lawsuits: 0 corrected reviews and 0 lost lawsuits.
    let (dump, lint) = read(
        "prose_negation",
        REVIEWS,
        "本机关发生行政复议1件，行政诉讼0件。全年未发生因依申请公开被行政复议纠错或行政诉讼败诉的情况。",
    );
    assert_eq!(values(&dump, "prose.reviews"), vec!["1"]);
    assert_eq!(values(&dump, "prose.reviews.corrected"), vec!["0"]);
    assert_eq!(values(&dump, "prose.lawsuits.corrected"), vec!["0"]);
    assert_eq!(values(&dump, "prose.lawsuits"), vec!["0"]);
    assert_eq!(statuses(&lint, "GI19-P405"), vec!["passed"]);
    assert_eq!(statuses(&lint, "GI19-P401"), vec!["passed"]);
    // `未答复` describes; it does not count.
    let (dump, _) = read(
        "prose_not_negation",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，办结11件，防止出现超时未答复问题。",
    );
    assert_eq!(values(&dump, "prose.completed"), vec!["11"]);
    // A fee of none, in its three common forms.
    for (n, fee) in [
        "本年度无收取信息处理费情况。",
        "本年度未收取信息处理费。",
        "本年度不涉及信息处理费。",
    ]
    .iter()
    .enumerate()
    {
        let (dump, lint) = read(
            &format!("prose_fee_{n}"),
            "本年度收取政府信息公开信息处理费0元。",
            fee,
        );
        assert_eq!(values(&dump, "prose.info_fee"), vec!["0"], "{fee}");
        assert_eq!(statuses(&lint, "GI21-X001"), vec!["passed"], "{fee}");
    }
}

#[test]
fn all_upheld_is_compared_with_the_outcomes() {
    // Every review upheld, and table 四 agrees.
    let (dump, lint) = read(
        "prose_all_upheld",
        REVIEWS,
        "本机关发生行政复议1件，均获维持；行政诉讼0件。",
    );
    assert_eq!(values(&dump, "prose.reviews.all_upheld"), vec!["1"]);
    assert_eq!(statuses(&lint, "GI19-P414"), vec!["passed"]);
    // A corrected case: the claim is false (error); a pending one: premature (warning).
    let text = clean()
        .replacen(REVIEWS, "本机关发生行政复议2件，均获维持；行政诉讼0件。", 1)
        .replacen(
            "| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            "| 0 | 1 | 0 | 1 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
            1,
        );
    let dir = scratch("prose_all_upheld_false");
    let p = dir.join("r.txt");
    std::fs::write(&p, text).unwrap();
    let (_, lint) = json(&[p.as_os_str()]);
    assert_eq!(finding(&lint, "GI19-P414").unwrap()["severity"], "error");
    assert_eq!(finding(&lint, "GI19-P415").unwrap()["severity"], "warning");
}

#[test]
fn shares_and_rates_are_checked_to_their_stated_precision() {
    // 10 of 12 is 83.33…%: 83.3 (rounded) and 83 (cut) both hold, 85 does not.
    for (share, ok) in [
        ("83.3%", true),
        ("83%", true),
        ("83.4%", false),
        ("85%", false),
    ] {
        let (_, lint) = read(
            "prose_share",
            SENTENCE,
            &format!("本年度共收到政府信息公开申请12件，其中自然人申请10件，占{share}。"),
        );
        let want = if ok { "passed" } else { "failed" };
        assert_eq!(statuses(&lint, "GI19-P505"), vec![want], "{share}");
    }
    // 办结率: 11 of 13 (new + carried over) = 84.6%, or 11 of 12 new = 91.7%.
    for (rate, ok) in [("84.6%", true), ("91.7%", true), ("100%", false)] {
        let (_, lint) = read(
            "prose_rate",
            "办结11件，",
            &format!("办结11件，办结率{rate}，"),
        );
        let want = if ok { "passed" } else { "failed" };
        assert_eq!(statuses(&lint, "GI19-P506"), vec![want], "{rate}");
    }
}

#[test]
fn parts_listed_after_a_whole_must_add_up_to_it() {
    let (_, lint) = read(
        "prose_parts",
        REVIEWS,
        "本机关发生行政复议1件，其中结果维持1件，结果纠正0件，其他结果0件，尚未审结0件；行政诉讼0件。",
    );
    assert_eq!(statuses(&lint, "GI19-P502"), vec!["passed"]);
    let (_, lint) = read(
        "prose_parts_wrong",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中自然人申请10件，法人或其他组织申请3件。",
    );
    let d = finding(&lint, "GI19-P504").expect("the parts exceed the whole");
    assert!(d["message"].as_str().unwrap().contains("13"));
    // Parts that do not cover the whole are not compared for equality.
    let (_, lint) = read(
        "prose_parts_partial",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中自然人申请10件。",
    );
    assert_eq!(statuses(&lint, "GI19-P504"), vec!["not-applicable"]);
}

#[test]
fn a_figure_the_reader_is_unsure_of_gives_no_error() {
    // Two metrics joined by 和 with no composite declared: the figure could be either, or
    // their sum.
    let (dump, lint) = read(
        "prose_unsure",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中予以公开和不予公开共9件。",
    );
    let why = unbound_why(&dump, "9件").expect("unbound");
    assert!(why.contains("two metrics"), "{why}");
    assert!(values(&dump, "prose.refused").is_empty());
    assert!(values(&dump, "prose.disclosed").is_empty());
    assert!(lint["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != "error"));
}

#[test]
fn a_clause_that_refers_back_takes_the_metric_before_it() {
    let (dump, lint) = read(
        "prose_refers_back",
        REVIEWS,
        "本机关依法做好相关行政复议、行政诉讼案件的应诉工作，共办理相关案件1件。",
    );
    assert_eq!(values(&dump, "prose.reviews_and_lawsuits"), vec!["1"]);
    assert!(values(&dump, "prose.completed").iter().all(|v| v != "1"));
    assert_eq!(statuses(&lint, "GI19-P412"), vec!["passed"]);
    // A contradiction through a reference back is a warning: the binding is an inference.
    let (_, lint) = read(
        "prose_refers_back_wrong",
        REVIEWS,
        "本机关依法做好相关行政复议、行政诉讼案件的应诉工作，共办理相关案件3件。",
    );
    assert_eq!(finding(&lint, "GI19-P412").unwrap()["severity"], "warning");
}

#[test]
fn table_two_and_four_figures_in_the_prose() {
    let (_, lint) = read(
        "prose_t2",
        "本年度共主动公开政府信息520条。",
        "本年度共主动公开政府信息520条，制发行政规范性文件3件，办理行政许可550件，作出行政处罚41件。",
    );
    for id in ["GI21-P202", "GI21-P203", "GI21-P204"] {
        assert_eq!(statuses(&lint, id), vec!["passed"], "{id}");
    }
    let (_, lint) = read(
        "prose_t4",
        REVIEWS,
        "本机关发生行政复议1件，其中结果维持1件，结果纠正0件；行政诉讼0件。",
    );
    for id in ["GI19-P404", "GI19-P405"] {
        assert_eq!(statuses(&lint, id), vec!["passed"], "{id}");
    }
}

#[test]
fn shares_of_every_part_add_up_to_the_whole() {
    // Shares stated without counts: only their total can be checked.
    for (text, ok) in [
        (
            "本年度共收到政府信息公开申请12件，其中自然人申请占83.3%，法人或其他组织申请占16.7%。",
            true,
        ),
        (
            "本年度共收到政府信息公开申请12件，其中自然人申请占83.3%，法人或其他组织申请占26.7%。",
            false,
        ),
    ] {
        let (_, lint) = read("prose_share_total", SENTENCE, text);
        let st = statuses(&lint, "GI19-P505");
        assert!(
            st.contains(&(if ok { "passed" } else { "failed" }).to_string()),
            "{text}: {st:?}"
        );
    }
}

#[test]
fn a_rate_must_agree_with_the_figures_stated_beside_it() {
    // 受理 12 件，办结 13 件，办结率 100%: no reading of the sentence makes it hold.
    let (_, lint) = read(
        "prose_rate_internal",
        "本年度共收到政府信息公开申请12件，办结11件，",
        "本年度共收到政府信息公开申请12件，办结13件，办结率100%，",
    );
    assert_eq!(statuses(&lint, "GI19-P508"), vec!["failed"]);
    let (_, lint) = read(
        "prose_rate_internal_ok",
        "本年度共收到政府信息公开申请12件，办结11件，",
        "本年度共收到政府信息公开申请12件，上年结转1件，办结11件，办结率84.6%，",
    );
    assert_eq!(statuses(&lint, "GI19-P508"), vec!["passed"]);
}

#[test]
fn dump_lists_every_clause_with_a_figure() {
    let (dump, _) = read(
        "prose_dump",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，其中予以公开和不予公开共9件，公开政府常务会议7期。",
    );
    let figures: Vec<(String, String)> = dump["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["figures"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["text"].as_str().unwrap().to_string(),
                f["field"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("unbound: {}", f["why"].as_str().unwrap())),
            )
        })
        .collect();
    assert!(figures.contains(&("12件".into(), "prose.applications".into())));
    assert!(figures
        .iter()
        .any(|(t, f)| t == "9件" && f.starts_with("unbound: its clause names two metrics")));
    assert!(figures.contains(&("7期".into(), "unbound: its clause names no metric".into())));
}

#[test]
fn a_zero_phrase_and_a_negated_term_in_one_clause_are_one_statement() {
    let (dump, _) = read(
        "prose_fee_once",
        "本年度收取政府信息公开信息处理费0元。",
        "本年度无收费。",
    );
    assert_eq!(values(&dump, "prose.info_fee"), vec!["0"]);
}

#[test]
fn figures_about_another_matter_do_not_bind() {
    // Suggestions, petitions and hotline requests are handled, answered and completed too: the
    // sentence is not about disclosure applications.
    let (dump, lint) = read(
        "prose_other_matter",
        SENTENCE,
        "本年度共收到政府信息公开申请12件，办结11件，结转下年度继续办理2件。全年共办理人大建议和政协提案50件，答复群众咨询300余次，12345热线诉求办结1200件。",
    );
    assert_eq!(values(&dump, "prose.applications"), vec!["12"]);
    assert_eq!(values(&dump, "prose.completed"), vec!["11"]);
    let why = unbound_why(&dump, "1200件").expect("unbound");
    assert!(why.contains("another matter"), "{why}");
    assert_eq!(statuses(&lint, "GI19-P303"), vec!["passed"]);
    // Disclosure named again after the other matter: the sentence is back on it.
    let (dump, _) = read(
        "prose_other_matter_back",
        SENTENCE,
        "在做好群众咨询服务的同时，本年度共收到政府信息公开申请12件，办结11件，结转下年度继续办理2件。",
    );
    assert_eq!(values(&dump, "prose.applications"), vec!["12"]);
    assert_eq!(values(&dump, "prose.completed"), vec!["11"]);
}

#[test]
fn approximate_figures_are_not_compared() {
    for (sentence, figure) in [
        ("本年度共收到政府信息公开申请10余件，办结11件。", "10余件"),
        ("本年度共收到政府信息公开申请近20件，办结11件。", "20件"),
        ("本年度共收到政府信息公开申请10件以上，办结11件。", "10件"),
    ] {
        let (dump, lint) = read("prose_approx", SENTENCE, sentence);
        assert!(values(&dump, "prose.applications").is_empty(), "{sentence}");
        let why = unbound_why(&dump, figure).expect("unbound");
        assert!(why.contains("approximate"), "{why}");
        assert!(finding(&lint, "GI19-P301").is_none(), "{sentence}");
        // The metric is taken: the next figure does not fall to it.
        assert_eq!(values(&dump, "prose.completed"), vec!["11"], "{sentence}");
    }
}

#[test]
fn a_zhongqi_clause_about_disclosure_replaces_the_broader_count() {
    // A justice bureau handles many reviews; the report is about the ones on disclosure.
    let (dump, lint) = read(
        "prose_rescope",
        REVIEWS,
        "本机关全年共办理行政复议案件120件，其中涉及政府信息公开的1件，行政诉讼0件。",
    );
    assert_eq!(values(&dump, "prose.reviews"), vec!["1"]);
    let why = unbound_why(&dump, "120件").expect("unbound");
    assert!(why.contains("broader count"), "{why}");
    assert!(finding(&lint, "GI19-P404").is_none());
    assert!(lint["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != "error"));
    // The part stated that way is still compared with the table.
    let (_, lint) = read(
        "prose_rescope_wrong",
        REVIEWS,
        "本机关全年共办理行政复议案件120件，其中涉及政府信息公开的4件，行政诉讼0件。",
    );
    assert!(lint["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["severity"] == "error" && d["message"].as_str().unwrap().contains('4')));
}

#[test]
fn counts_of_cases_are_in_cases_not_in_trainings() {
    // 起 and 宗 count cases as 件 does; a training on reviews is not a review.
    let (dump, lint) = read(
        "prose_case_units",
        REVIEWS,
        "本机关组织行政复议应诉培训2场，发生行政复议1起，行政诉讼0宗。",
    );
    assert_eq!(values(&dump, "prose.reviews"), vec!["1"]);
    assert_eq!(values(&dump, "prose.lawsuits"), vec!["0"]);
    assert!(unbound_why(&dump, "2场").is_some());
    assert!(lint["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != "error"));
}
