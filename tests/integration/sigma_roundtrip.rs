//! The round trip of issue #26: kaq's built-in rules, exported with
//! `kaq detect --convert-to sigma` and loaded back with `kaq detect --sigma`,
//! find exactly what the built-in rules find, rule by rule, on the test
//! corpus.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{data, kaq};

/// Every corpus in testdata/ whose events the catalogue has findings on.
fn corpus() -> Vec<String> {
    [
        "real",
        "derived/panther_logs.jsonl",
        "handmade/events.log",
        "semantics/slips.log",
        "sigma/edges.log",
        "generated/control-plane.log.gz",
    ]
    .iter()
    .map(|p| data(p))
    .collect()
}

/// Findings by rule: what each says of its event, less the rule's own name
/// and title (the Sigma rule's are its UUID and title) and the evidence
/// (`why`, whose order follows the filter's shape, which the export
/// rewrites).
fn findings(args: &[&str]) -> BTreeMap<String, Vec<Value>> {
    let corpus = corpus();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--ignore-errors", "-q", "-o", "ndjson"]);
    all.extend(corpus.iter().map(String::as_str));
    let r = kaq(&all);
    assert!(r.code == 0 || r.code == 1, "{all:?}: {}", r.stderr);
    let mut by_rule: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in r.stdout.lines() {
        let mut f: Value = serde_json::from_str(line).unwrap();
        let o = f.as_object_mut().unwrap();
        let rule = o.remove("rule").unwrap().as_str().unwrap().to_string();
        for k in ["title", "author", "why"] {
            o.remove(k);
        }
        by_rule.entry(rule).or_default().push(f);
    }
    by_rule
}

#[test]
fn exported_rules_find_what_the_built_in_rules_find() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let r = kaq(&["detect", "--convert-to", "sigma", "--out-dir", out]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Each exported file: kaq's rule id (the file name) and the Sigma id.
    let mut sigma_of = BTreeMap::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let rule = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        // The rule's own id: a correlation file's base rule comes first,
        // and the correlation, which reports, last.
        let id = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .trim_matches('"')
            .to_string();
        sigma_of.insert(rule, id);
    }
    assert!(sigma_of.len() >= 50, "{} rules exported", sigma_of.len());

    let rules: Vec<&str> = sigma_of.keys().map(String::as_str).collect();
    let ids: Vec<&str> = sigma_of.values().map(String::as_str).collect();
    let built_in = findings(&["detect", "--only", &rules.join(",")]);
    let exported = findings(&["detect", "--sigma", out, "--only", &ids.join(",")]);

    let mut fired = 0;
    for (rule, id) in &sigma_of {
        let want = built_in.get(rule).cloned().unwrap_or_default();
        let got = exported.get(id).cloned().unwrap_or_default();
        let missing: Vec<&Value> = want.iter().filter(|f| !got.contains(f)).collect();
        let extra: Vec<&Value> = got.iter().filter(|f| !want.contains(f)).collect();
        assert!(
            got == want,
            "rule {rule}: the exported Sigma rule {id} finds otherwise\nmissed: {missing:#?}\nextra: {extra:#?}"
        );
        fired += usize::from(!want.is_empty());
    }
    // The corpus exercises most of them, so the comparison is not vacuous.
    assert!(
        fired >= 35,
        "only {fired} exported rules fire on the corpus"
    );
}
