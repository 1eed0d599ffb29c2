//! `kaq detect --convert-to sigma` and `kaq convert --to sigma`: every
//! built-in rule exported or listed with its reason, stable ids, quoting
//! that survives hostile strings, refusals that name the construct, and
//! pySigma's own `sigma check` and `sigma convert` (Splunk, Elasticsearch
//! Lucene, Loki) over the whole export.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{engine_python, kaq, s};

/// The counts of the built-in catalogue's export: change them only with
/// the table in docs/sigma-export.md.
const EXPORTED_EXACT: usize = 41;
const EXPORTED_MAPPED: usize = 10;
const NOT_EXPORTED: usize = 15;

/// Exports with `extra` flags into a fresh directory: (dir, the run).
fn export(extra: &[&str]) -> (tempfile::TempDir, crate::util::Run) {
    let dir = tempfile::tempdir().unwrap();
    let out = s(&dir.path().join("out"));
    let mut args = vec!["detect", "--convert-to", "sigma", "--out-dir", &out];
    args.extend_from_slice(extra);
    let r = kaq(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, r)
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// The ids the summary on stderr lists as not exported, with the reasons.
fn skipped(stderr: &str) -> BTreeMap<String, String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .map(|l| {
            let (id, why) = l.split_once(": ").unwrap();
            (id.to_string(), why.to_string())
        })
        .collect()
}

fn builtin_ids() -> Vec<String> {
    let r = kaq(&["detect", "--list", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_builtin_rule_is_exported_or_listed_with_its_reason() {
    let (dir, r) = export(&[]);
    let written = files(dir.path());
    let skipped = skipped(&r.stderr);
    let ids = builtin_ids();
    for id in &ids {
        let file = format!("{id}.yml");
        assert!(
            written.contains_key(&file) != skipped.contains_key(id),
            "{id}: exported and listed, or neither"
        );
    }
    assert_eq!(written.len() + skipped.len(), ids.len());
    for why in skipped.values() {
        assert!(why.starts_with("cannot convert `"), "{why}");
    }
    let mapped = written
        .values()
        .filter(|t| t.contains("# fields through Sigma's abstract names"))
        .count();
    assert_eq!(
        (written.len() - mapped, mapped, skipped.len()),
        (EXPORTED_EXACT, EXPORTED_MAPPED, NOT_EXPORTED),
        "{}",
        r.stderr
    );
    assert!(r.stderr.starts_with(&format!(
        "kaq: wrote {} Sigma rules to ",
        EXPORTED_EXACT + EXPORTED_MAPPED
    )));
    // The reasons name what Sigma lacks.
    assert!(skipped["exec-shell"].contains("exec.command"));
    assert!(skipped["role-pods-exec"].contains("same-element any"));
    assert!(skipped["privileged-container"].contains("pod spec"));
}

#[test]
fn exports_are_byte_identical_and_ids_are_pinned() {
    let (a, _) = export(&[]);
    let (b, _) = export(&[]);
    assert_eq!(files(a.path()), files(b.path()));
    // UUIDv5 of `rule/secret-read` in kaq's namespace: a change here
    // changes every id a SIEM holds.
    let text = &files(a.path())["secret-read.yml"];
    assert!(
        text.contains("id: \"d2613ccf-63f9-5d2f-b4f4-153e9b071974\""),
        "{text}"
    );
}

/// Compares exported rules with `tests/snapshots/sigma/`; `KAQ_BLESS=1`
/// rewrites them.
#[test]
fn snapshots_of_exported_rules() {
    let (dir, _) = export(&[]);
    let written = files(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/sigma");
    for name in [
        "secret-read.yml",
        "hostpath-volume.yml",
        "wildcard-role.yml",
        "secret-enumeration.yml",
        "system-principal-public-ip.yml",
    ] {
        let path = root.join(name);
        if std::env::var_os("KAQ_BLESS").is_some() {
            std::fs::create_dir_all(&root).unwrap();
            std::fs::write(&path, &written[name]).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written[name] == expected,
            "snapshot sigma/{name} differs (KAQ_BLESS=1 rewrites it):\n{}",
            written[name]
        );
    }
}

const HOSTILE_RULES: &str = r#"rules:
  - id: hostile-strings
    title: "Quote \" backslash \\ colon: hash # star *x ?y"
    severity: low
    mitre: T1078
    description: "line1\nline2\t\u0001 é ☃ 😀 \u2028 - [a] {b} &c *d !e |f >g %h @i `j ---\n..."
    filter: 'user == "a\"b\\c: #d" or requestURI startswith "*/x?y\n" or userAgent contains "\u0007é😀\u2028<>"'
"#;

/// The hostile values the rule's filter holds.
const HOSTILE_VALUES: [&str; 3] = ["a\"b\\c: #d", "*/x?y\n", "\u{7}é😀\u{2028}<>"];

fn hostile_export() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("hostile.yaml");
    std::fs::write(&rules, HOSTILE_RULES).unwrap();
    let out = dir.path().join("out");
    let r = kaq(&[
        "detect",
        "--rules",
        &s(&rules),
        "--only",
        "hostile-strings",
        "--convert-to",
        "sigma",
        "--out-dir",
        &s(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, out.join("hostile-strings.yml"))
}

#[test]
fn hostile_strings_read_back_as_themselves() {
    let (_dir, file) = hostile_export();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.is_ascii(), "{text}");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let spec: serde_json::Value = serde_saphyr::from_str(HOSTILE_RULES).unwrap();
    assert_eq!(doc["title"], spec["rules"][0]["title"]);
    assert_eq!(doc["description"], spec["rules"][0]["description"]);
    // Each regex matches its value, as kaq's operator does, and nothing
    // else that differs by a character.
    let detection = doc["detection"].as_object().unwrap();
    let regexes: Vec<regex::Regex> = detection
        .iter()
        .filter(|(k, _)| *k != "condition")
        .flat_map(|(_, sel)| sel.as_object().unwrap().values())
        .map(|v| regex::Regex::new(v.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(regexes.len(), 3);
    assert!(regexes[0].is_match(HOSTILE_VALUES[0]));
    assert!(!regexes[0].is_match("a\"b\\c: #dd"));
    assert!(regexes[1].is_match(&format!("{}rest", HOSTILE_VALUES[1])));
    assert!(!regexes[1].is_match("x/x?y\n"));
    assert!(regexes[2].is_match(&format!("pre{}post", HOSTILE_VALUES[2])));
}

/// The `sigma` command of the venv, or `None` (skipped) without one.
fn sigma_cli() -> Option<PathBuf> {
    let python = engine_python("sigma.cli")?;
    Some(python.with_file_name("sigma"))
}

/// `sigma check` with the validators that download MITRE's data left out
/// (tests run offline); it must find no error and no issue.
fn sigma_check(sigma: &Path, paths: &[&Path]) {
    let out = Command::new(sigma)
        .args([
            "check",
            "--fail-on-issues",
            "-x",
            "attacktag",
            "-x",
            "d3_fendtag",
        ])
        .args(paths)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sigma check failed:\n{text}");
    assert!(
        text.contains("Found 0 errors, 0 condition errors and 0 issues."),
        "{text}"
    );
}

/// `sigma convert -t TARGET` over `paths`: must succeed with one query per
/// rule (or more).
fn sigma_convert(sigma: &Path, target: &str, paths: &[PathBuf]) -> String {
    let out = Command::new(sigma)
        .args(["convert", "-t", target, "--without-pipeline"])
        .args(paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sigma convert -t {target} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pysigma_checks_and_converts_the_whole_export() {
    let Some(sigma) = sigma_cli() else { return };
    let (dir, _) = export(&[]);
    let out = dir.path().join("out");
    sigma_check(&sigma, &[&out]);
    let all: Vec<PathBuf> = files(dir.path()).keys().map(|f| out.join(f)).collect();
    for target in ["splunk", "loki"] {
        let queries = sigma_convert(&sigma, target, &all);
        assert!(queries.lines().filter(|l| !l.trim().is_empty()).count() >= all.len());
    }
    // Lucene has no correlation rules: the threshold rules' files go to
    // the other two only.
    let plain: Vec<PathBuf> = all
        .iter()
        .filter(|p| {
            !std::fs::read_to_string(p)
                .unwrap()
                .contains("\ncorrelation:")
        })
        .cloned()
        .collect();
    assert_eq!(all.len() - plain.len(), 3, "three threshold rules");
    let queries = sigma_convert(&sigma, "lucene", &plain);
    assert!(queries.lines().filter(|l| !l.trim().is_empty()).count() >= plain.len());
}

#[test]
fn pysigma_accepts_hostile_strings() {
    let Some(sigma) = sigma_cli() else { return };
    let (_dir, file) = hostile_export();
    sigma_check(&sigma, &[&file]);
    for target in ["splunk", "lucene", "loki"] {
        sigma_convert(&sigma, target, std::slice::from_ref(&file));
    }
}

#[test]
fn a_filter_becomes_one_rule() {
    let r = kaq(&[
        "convert",
        "--to",
        "sigma",
        "--verb",
        "delete",
        "resource == \"secrets\" and not user ~ \"system:*\"",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_saphyr::from_str(&r.stdout).unwrap();
    assert_eq!(doc["logsource"]["product"], "kubernetes");
    assert_eq!(doc["detection"]["selection1"]["verb|re"], "^delete$");
    assert_eq!(doc["detection"]["condition"], "selection1 and not filter2");
    // The id is the filter's: the same text, the same id.
    let again = kaq(&[
        "convert",
        "--to",
        "sigma",
        "--verb",
        "delete",
        "resource == \"secrets\" and not user ~ \"system:*\"",
    ]);
    assert_eq!(r.stdout, again.stdout);
    if let Some(sigma) = sigma_cli() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kaq_converted_filter.yml");
        std::fs::write(&file, &r.stdout).unwrap();
        sigma_check(&sigma, &[&file]);
    }
}

#[test]
fn what_sigma_cannot_express_is_refused_by_name() {
    for (filter, construct, why) in [
        (
            "exec.command contains \"sh\"",
            "exec.command",
            "percent-decode",
        ),
        ("latency > 5s", "latency", "compute"),
        (
            "any(requestObject.subjects[*], kind == \"User\" and name == \"x\")",
            "any(requestObject.subjects[*], ... and ...)",
            "same-element",
        ),
        (
            "all(requestObject.rules[*], verbs == \"get\")",
            "all(",
            "every element",
        ),
        (
            "user.groups != \"system:masters\"",
            "user.groups != ",
            "several values",
        ),
        (
            "verb == stageTimestamp",
            "verb == stageTimestamp",
            "two fields",
        ),
        (
            "userAgent =~ \"\\\\bcurl\"",
            "userAgent =~",
            "differs between regex engines",
        ),
        (
            "stageTimestamp > \"2024-01-01T00:00:00Z\"",
            "stageTimestamp",
            "timestamps",
        ),
        ("user > \"m\"", "user.username > ", "numbers only"),
        ("true", "true", "matches every event"),
    ] {
        let r = kaq(&["convert", "--to", "sigma", filter]);
        assert_eq!(r.code, 2, "{filter}: {}", r.stdout);
        assert!(
            r.stderr.contains(&format!("cannot convert `{construct}")) && r.stderr.contains(why),
            "{filter}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn the_catalogue_export_needs_a_directory() {
    let r = kaq(&["detect", "--convert-to", "sigma"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--out-dir"), "{}", r.stderr);
    let r = kaq(&[
        "convert",
        "--to",
        "sigma",
        "--table",
        "t",
        "verb == \"get\"",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("SIEM"), "{}", r.stderr);
}

/// Runs the exported rules in `out` through pySigma's DuckDB backend over
/// the raw events of `corpus` and compares, rule by rule, the requests each
/// selects with those `kaq detect --only RULE` (with `extra` flags) finds:
/// (findings, rule × event pairs compared).
fn duckdb_differential(
    python: &Path,
    out: &Path,
    corpus: &[PathBuf],
    extra: &[&str],
) -> (usize, u64) {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.ndjson");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = Command::new(python)
        .arg(root.join("tests/engines/sigma_export_duckdb.py"))
        .arg(out)
        .arg(&events)
        .args(corpus)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let rules = result["rules"].as_object().unwrap();
    let ids = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let (mut findings, mut compared) = (0, 0);
    for (rule, got) in rules {
        let mut args = vec!["detect", "--only", rule, "--no-thresholds", "-o", "json"];
        args.extend_from_slice(extra);
        let events = s(&events);
        args.push(&events);
        let r = kaq(&args);
        let found: serde_json::Value =
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{rule}: {e}: {}", r.stderr));
        let skipped = ids(&got["skipped"]);
        let kaq_ids: std::collections::BTreeSet<String> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["auditID"].as_str().unwrap().to_string())
            .filter(|id| !skipped.contains(id))
            .collect();
        assert_eq!(kaq_ids, ids(&got["matched"]), "rule {rule}");
        findings += kaq_ids.len();
        compared += got["compared"].as_u64().unwrap();
    }
    (findings, compared)
}

/// The differential: each exported rule, converted by pySigma's DuckDB
/// backend and run over the raw events of `testdata/`, selects exactly the
/// requests `kaq detect --only RULE` finds (threshold rules: their counted
/// events, `--no-thresholds`).
#[test]
fn exported_rules_select_what_kaq_finds_through_duckdb() {
    let Some(python) = engine_python("sigma_backend_duckdb") else {
        return;
    };
    let (dir, _) = export(&[]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = vec![
        root.join("testdata/handmade/events.log"),
        // Its raw events (the driver skips the cloud envelopes).
        root.join("testdata/derived/panther_logs.jsonl"),
        // Events at the edges where Sigma could mean something else.
        root.join("testdata/sigma/edges.log"),
    ];
    for sub in std::fs::read_dir(root.join("testdata/real")).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            corpus.push(f.unwrap().path());
        }
    }
    corpus.sort();
    assert_eq!(
        std::fs::read_dir(dir.path().join("out")).unwrap().count(),
        EXPORTED_EXACT + EXPORTED_MAPPED
    );
    let (findings, compared) = duckdb_differential(&python, &dir.path().join("out"), &corpus, &[]);
    eprintln!("{findings} findings and {compared} rule × event pairs compared");
    // The corpus exercises the rules: a floor, so a corpus that stopped
    // loading cannot pass.
    assert!(findings >= 200, "{findings} findings compared");
    assert!(compared >= 8000, "{compared} rule × event pairs compared");
}

/// The hostile rule, run by a real engine: DuckDB selects the events that
/// hold the hostile values, as kaq does, and not their near misses.
#[test]
fn hostile_strings_select_what_kaq_finds_through_duckdb() {
    let Some(python) = engine_python("sigma_backend_duckdb") else {
        return;
    };
    let (dir, file) = hostile_export();
    let rules = dir.path().join("hostile.yaml");
    let event = |n: u32, user: &str, uri: &str, agent: &str| {
        serde_json::json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete",
            "auditID": format!("hostile-{n}"), "verb": "get", "requestURI": uri,
            "user": {"username": user}, "userAgent": agent,
        })
        .to_string()
    };
    let [user, uri, agent] = HOSTILE_VALUES;
    let lines = [
        event(1, user, "/", "k"),
        event(2, "x", &format!("{uri}rest"), "k"),
        event(3, "x", "/", &format!("pre{agent}post")),
        event(4, &format!("{user} "), "/", "k"),
        event(5, "x", &format!("/{uri}"), "k"),
        event(6, "x", "/", &agent.to_uppercase().replace('É', "e")),
    ];
    let corpus = dir.path().join("hostile.log");
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();
    let (findings, _) = duckdb_differential(
        &python,
        file.parent().unwrap(),
        &[corpus],
        &["--rules", &s(&rules)],
    );
    assert_eq!(findings, 3);
}
