//! `kaq detect --sigma`: SigmaHQ's Kubernetes audit rules load and run; each
//! selects exactly its must-match events (`testdata/sigma/events/`, written
//! from the Sigma specification); findings keep the rule's author; what kaq
//! does not support fails the load, saying where and what; and pySigma's
//! DuckDB backend selects the same events (the differential).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::{data, engine_python, kaq, run, s};

/// The SigmaHQ rule files, sorted.
fn sigmahq() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data("sigma/sigmahq"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    v.sort();
    v
}

/// The Sigma `id` of a rule file.
fn sigma_id(rule: &Path) -> String {
    let text = std::fs::read_to_string(rule).unwrap();
    let line = text.lines().find(|l| l.starts_with("id: ")).unwrap();
    line["id: ".len()..].trim().to_string()
}

/// Runs `kaq detect` with NDJSON output: exit 1 with findings (the default
/// --fail-on low), 0 without, and nothing on stderr.
fn detect(args: &[&str]) -> crate::util::Run {
    let r = kaq(args);
    assert_eq!(
        r.code,
        i32::from(!r.stdout.is_empty()),
        "{args:?}: {}",
        r.stderr
    );
    r
}

/// The auditIDs of the events a rule's findings name, sorted.
fn found(rule: &Path, logs: &[String]) -> Vec<String> {
    let id = sigma_id(rule);
    let mut args = vec!["detect", "--sigma", rule.to_str().unwrap(), "--only", &id];
    args.extend(["-o", "ndjson"]);
    args.extend(logs.iter().map(String::as_str));
    let r = detect(&args);
    let mut ids: Vec<String> = r
        .lines()
        .into_iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["rule"], id.as_str());
            v["auditID"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    ids
}

fn ids_in(log: &str) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["auditID"].as_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_sigmahq_rule_selects_its_must_match_events_and_no_other() {
    let rules = sigmahq();
    assert_eq!(rules.len(), 16);
    for rule in &rules {
        let stem = rule.file_stem().unwrap().to_str().unwrap();
        let yes = data(&format!("sigma/events/{stem}.match.log"));
        let no = data(&format!("sigma/events/{stem}.nomatch.log"));
        assert!(!ids_in(&no).is_empty(), "{stem}: no must-not events");
        assert_eq!(
            found(rule, std::slice::from_ref(&yes)),
            ids_in(&yes),
            "{stem}: must match"
        );
        assert_eq!(
            found(rule, &[no]),
            Vec::<String>::new(),
            "{stem}: must not match"
        );
    }
}

#[test]
fn a_directory_loads_every_rule_beside_the_catalogue() {
    let r = kaq(&[
        "detect",
        "--list",
        "-o",
        "json",
        "--sigma",
        &data("sigma/sigmahq"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    let sigma: Vec<&serde_json::Value> = list
        .iter()
        .filter(|x| x["origin"].as_str().unwrap().contains("sigmahq"))
        .collect();
    assert_eq!(sigma.len(), 16);
    assert!(
        list.len() > 16 + 40,
        "the built-in catalogue is still there"
    );
    let hostpath = sigma
        .iter()
        .find(|x| x["id"] == "402b955c-8fe0-4a8c-b635-622b4ac5f902")
        .unwrap();
    assert_eq!(hostpath["severity"], "low");
    assert_eq!(hostpath["mitre"], "T1611");
}

#[test]
fn findings_keep_the_rules_author() {
    let rule = data("sigma/sigmahq/kubernetes_audit_sidecar_injection.yml");
    let log = data("sigma/events/kubernetes_audit_sidecar_injection.match.log");
    let id = "ad9012a6-e518-4432-9890-f3b82b8fc71f";
    let author = "Leo Tsaousis (@laripping)";
    for format in ["json", "ndjson", "csv", "wide"] {
        let r = kaq(&["detect", "--sigma", &rule, "--only", id, "-o", format, &log]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stdout.contains(author), "{format}: {}", r.stdout);
    }
    let r = kaq(&["detect", "--sigma", &rule, "--only", id, "-o", "csv", &log]);
    assert!(r.lines()[0].ends_with(",author"), "{}", r.stdout);
    // Built-in findings are unchanged: no author column.
    let r = kaq(&["detect", "-o", "csv", &data("handmade/events.log")]);
    assert!(!r.lines()[0].contains("author"), "{}", r.lines()[0]);
}

/// Writes `files` into a fresh directory.
fn rules_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const K8S: &str = "logsource:\n  product: kubernetes\n  service: audit\n";

fn rule(id: &str, detection: &str) -> String {
    format!("title: T {id}\nid: {id}\nauthor: someone\nlevel: high\n{K8S}detection:\n{detection}")
}

#[test]
fn what_kaq_does_not_run_fails_the_load_saying_where_and_what() {
    let cases: &[(&str, String, &[&str])] = &[
        (
            "modifier.yml",
            rule("m", "  sel:\n    verb|contians: get\n  condition: sel\n"),
            &["modifier.yml", "unknown modifier `contians`", "verb|contians"],
        ),
        (
            "expand.yml",
            rule("e", "  sel:\n    verb|expand: '%verbs%'\n  condition: sel\n"),
            &["expand.yml", "`expand` is not supported", "placeholders"],
        ),
        (
            "keywords.yml",
            rule("k", "  words:\n    - evil\n    - verb: get\n  condition: words\n"),
            &["keywords.yml", "a keyword is a string or a number", "`words`"],
        ),
        (
            "field.yml",
            rule("f", "  sel:\n    objectRef.resorce: pods\n  condition: sel\n"),
            &["field.yml", "resorce", "did you mean"],
        ),
        (
            "condition.yml",
            rule("c", "  sel:\n    verb: get\n  condition: sel | count() > 5\n"),
            &["condition.yml", "`|` aggregation"],
        ),
        (
            "windows.yml",
            "title: W\nid: w\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n".into(),
            &["windows.yml", "logsource is product: windows", "not `product: kubernetes, service: audit`"],
        ),
        (
            "bad.yml",
            "title: [unclosed\n".into(),
            &["bad.yml"],
        ),
        (
            "temporal.yml",
            "title: C\nid: c\ncorrelation:\n  type: temporal\n  rules: [a]\n  group-by: [verb]\n  timespan: 5m\n".into(),
            &["temporal.yml", "correlation type `temporal` is not supported"],
        ),
    ];
    for (name, text, wants) in cases {
        let dir = rules_dir(&[(name, text)]);
        let path = dir.path().join(name);
        let r = kaq(&["detect", "--sigma", &s(&path), &data("handmade/events.log")]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        for w in *wants {
            assert!(r.stderr.contains(w), "{name}: wants {w:?} in {}", r.stderr);
        }
    }
}

#[test]
fn a_directory_skips_and_counts_other_logsources() {
    let windows = "title: W\nid: w\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image: x\n  condition: sel\n";
    let dir = rules_dir(&[
        (
            "a.yml",
            &rule("aaa", "  sel:\n    verb: delete\n  condition: sel\n"),
        ),
        ("w.yml", windows),
        ("w2.yaml", windows.replace("id: w", "id: w2").as_str()),
    ]);
    let r = kaq(&[
        "detect",
        "--sigma",
        &s(dir.path()),
        "--only",
        "aaa",
        "-o",
        "ndjson",
        &data("handmade/events.log"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("skipped 2 rule(s)"), "{}", r.stderr);
    assert!(!r.stdout.is_empty());
}

/// Values with quotes, backslashes, newlines, control characters and
/// unicode stay literals: each rule matches exactly the event holding its
/// value, and `*`/`?` in the event are no wildcards.
#[test]
fn hostile_values_stay_literal() {
    let hostile = [
        "a\"b",
        "back\\slash",
        "line\nbreak",
        "tab\tand\u{1}ctl",
        "ünïcödé ☃",
        "\") or true or (\"",
        "star*lit",
        "$(rm -rf /)",
    ];
    let mut log = String::new();
    for (i, h) in hostile.iter().enumerate() {
        let e = serde_json::json!({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID": format!("h{i}"),
            "verb":"get","userAgent": h,"stageTimestamp":"2024-05-01T10:00:00Z"});
        log.push_str(&format!("{e}\n"));
    }
    let dir = rules_dir(&[("events.log", &log)]);
    for (i, h) in hostile.iter().enumerate() {
        // Sigma escapes: `\*`, `\?`, `\\` are literal characters.
        let sigma_value = h
            .replace('\\', "\\\\")
            .replace('*', "\\*")
            .replace('?', "\\?");
        let yaml_value = serde_json::Value::from(sigma_value).to_string();
        let text = rule(
            &format!("h-{i}"),
            &format!("  sel:\n    userAgent: {yaml_value}\n  condition: sel\n"),
        );
        std::fs::write(dir.path().join("r.yml"), text).unwrap();
        let r = detect(&[
            "detect",
            "--sigma",
            &s(&dir.path().join("r.yml")),
            "--only",
            &format!("h-{i}"),
            "-o",
            "ndjson",
            &s(&dir.path().join("events.log")),
        ]);
        assert_eq!(r.audit_ids(), vec![format!("h{i}")], "{h:?}");
    }
}

#[test]
fn semantics_of_the_specification() {
    let events = [
        r#"{"auditID":"e1","verb":"get","userAgent":"Mozilla/5.0 curl","requestURI":"/api/v1/pods?x=L2Jpbi9iYXNo","sourceIPs":["10.1.2.3"],"objectRef":{"resource":"pods","name":"A*B"},"responseStatus":{"code":200},"user":{"username":"bob","groups":["dev","system:masters"]},"impersonatedUser":{"username":"bob"},"annotations":{"authorization.k8s.io/decision":"allow"}}"#,
        r#"{"auditID":"e2","verb":"list","userAgent":"kubectl","requestURI":"/api/v1/secrets","sourceIPs":["192.168.0.9"],"objectRef":{"resource":"secrets","name":"AxB"},"responseStatus":{"code":403},"user":{"username":"eve","groups":["dev"]},"annotations":{"authorization.k8s.io/decision":"forbid"}}"#,
    ];
    let log = events.join("\n") + "\n";
    let dir = rules_dir(&[("events.log", &log)]);
    let cases: &[(&str, &[&str])] = &[
        ("  sel:\n    userAgent|contains|all: [mozilla, CURL]\n  condition: sel\n", &["e1"]),
        ("  sel:\n    userAgent|startswith: KUBE\n  condition: sel\n", &["e2"]),
        ("  sel:\n    userAgent|cased: kubectl\n  condition: sel\n", &["e2"]),
        ("  sel:\n    userAgent|cased: Kubectl\n  condition: sel\n", &[]),
        ("  sel:\n    userAgent|re: '^moz'\n  condition: sel\n", &[]),
        ("  sel:\n    userAgent|re|i: '^moz'\n  condition: sel\n", &["e1"]),
        ("  sel:\n    objectRef.name: 'A\\*B'\n  condition: sel\n", &["e1"]),
        ("  sel:\n    objectRef.name: 'A?B'\n  condition: sel\n", &["e1", "e2"]),
        ("  sel:\n    sourceIPs|cidr: 10.0.0.0/8\n  condition: sel\n", &["e1"]),
        ("  sel:\n    user.groups: system:masters\n  condition: sel\n", &["e1"]),
        ("  sel:\n    impersonatedUser.username: null\n  condition: sel\n", &["e2"]),
        ("  sel:\n    impersonatedUser|exists: true\n  condition: sel\n", &["e1"]),
        ("  sel:\n    responseStatus.code|gte: 400\n  condition: sel\n", &["e2"]),
        ("  sel:\n    responseStatus.code: '403'\n  condition: sel\n", &["e2"]),
        ("  sel:\n    annotations.authorization.k8s.io/decision: ALLOW\n  condition: sel\n", &["e1"]),
        ("  sel:\n    requestURI|base64offset|contains: /bin/bash\n  condition: sel\n", &["e1"]),
        ("  sel:\n    requestURI|base64|contains: /bin/bash\n  condition: sel\n", &["e1"]),
        ("  sel:\n    user.username|fieldref: impersonatedUser.username\n  condition: sel\n", &["e1"]),
        ("  a:\n    verb: get\n  b:\n    verb: list\n  filter:\n    user.username: eve\n  condition: 1 of them and not filter\n", &["e1"]),
        ("  sel_a:\n    verb: get\n  sel_b:\n    userAgent|contains: curl\n  condition: all of sel_*\n", &["e1"]),
        ("  a:\n    verb: get\n  b:\n    verb: list\n  c:\n    user.username: eve\n  condition: a or b and not c\n", &["e1"]),
        ("  a:\n    verb: get\n  b:\n    verb: list\n  c:\n    user.username: eve\n  condition: (a or b) and not c\n", &["e1"]),
        ("  sel:\n    - verb: get\n    - user.username: eve\n  condition: sel\n", &["e1", "e2"]),
        // Keywords: anywhere in the event's JSON text, case-insensitive.
        ("  kw:\n    - CURL\n  condition: kw\n", &["e1"]),
        ("  kw:\n    - 'api/v1/s*ets'\n    - nothing-here\n  condition: kw\n", &["e2"]),
        ("  kw:\n    - '\"verb\":\"list\"'\n  condition: kw and not 1 of sel*\n  sel_x:\n    verb: get\n", &["e2"]),
    ];
    for (i, (det, want)) in cases.iter().enumerate() {
        std::fs::write(dir.path().join("r.yml"), rule(&format!("s-{i}"), det)).unwrap();
        let r = detect(&[
            "detect",
            "--sigma",
            &s(&dir.path().join("r.yml")),
            "--only",
            &format!("s-{i}"),
            "-o",
            "ndjson",
            &s(&dir.path().join("events.log")),
        ]);
        assert_eq!(r.audit_ids(), *want, "{det}");
    }
}

#[test]
fn correlations_become_thresholds() {
    let base = rule(
        "list-secrets",
        "  sel:\n    verb: list\n    objectRef.resource: secrets\n  condition: sel\n",
    )
    .replace("id: list-secrets", "id: list-secrets\nname: secret_listing");
    let corr = "title: Many secret listings\nid: many-listings\nlevel: critical\nauthor: someone else\ncorrelation:\n  type: event_count\n  rules: [secret_listing]\n  group-by: [user.username]\n  timespan: 1m\n  condition:\n    gte: 3\n";
    let mut log = String::new();
    for (i, user) in ["eve", "eve", "bob", "eve"].iter().enumerate() {
        log.push_str(&format!(
            "{{\"auditID\":\"c{i}\",\"verb\":\"list\",\"objectRef\":{{\"resource\":\"secrets\"}},\"user\":{{\"username\":\"{user}\"}},\"stageTimestamp\":\"2024-05-01T10:00:0{i}Z\"}}\n"
        ));
    }
    let dir = rules_dir(&[
        ("rules.yml", &format!("{base}---\n{corr}")),
        ("events.log", &log),
    ]);
    let r = detect(&[
        "detect",
        "--sigma",
        &s(&dir.path().join("rules.yml")),
        "--only",
        "many-listings",
        "-o",
        "ndjson",
        &s(&dir.path().join("events.log")),
    ]);
    let rules: Vec<serde_json::Value> = r
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Three listings by eve within a minute: one finding, at the third.
    assert_eq!(rules.len(), 1, "{}", r.stdout);
    assert_eq!(rules[0]["auditID"], "c3");
    assert_eq!(rules[0]["rule"], "many-listings");
    assert_eq!(rules[0]["severity"], "critical");
    assert_eq!(rules[0]["author"], "someone else");
    // The base rule is the correlation's: it is no rule of its own.
    let r = kaq(&[
        "detect",
        "--sigma",
        &s(&dir.path().join("rules.yml")),
        "--only",
        "list-secrets",
        &s(&dir.path().join("events.log")),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// The differential: pySigma's DuckDB backend converts each SigmaHQ rule and
/// DuckDB runs it over every event of `testdata/sigma/events/`; kaq selects
/// the same events, except where the backend departs from the
/// specification (docs/sigma.md, "pySigma's DuckDB backend").
#[test]
fn pysigma_duckdb_selects_the_same_events() {
    let Some(python) = engine_python("sigma_backend_duckdb") else {
        return;
    };
    let mut logs: Vec<String> = std::fs::read_dir(data("sigma/events"))
        .unwrap()
        .map(|e| s(&e.unwrap().path()))
        .collect();
    logs.sort();
    let rules = sigmahq();
    let mut cmd = std::process::Command::new(python);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/sigma_duckdb.py"));
    cmd.args(&rules).arg("--").args(&logs);
    let out = run(&mut cmd, b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["errors"],
        serde_json::json!({}),
        "the backend failed on a rule"
    );
    let mut agreed = 0;
    for rule in &rules {
        let id = sigma_id(rule);
        let theirs: BTreeSet<String> = v["selected"][&id]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: {}", out.stdout))
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        let ours: BTreeSet<String> = found(rule, &logs).into_iter().collect();
        let only_ours: Vec<&String> = ours.difference(&theirs).collect();
        let only_theirs: Vec<&String> = theirs.difference(&ours).collect();
        assert!(
            only_theirs.is_empty() && only_ours.is_empty(),
            "{}: only pySigma selects {only_theirs:?}, only kaq {only_ours:?}",
            rule.display()
        );
        agreed += 1;
    }
    assert_eq!(
        agreed, 16,
        "rules where both select exactly the same events"
    );
}
