//! `kaq policy`: replaying captured logs through audit policies.
//!
//! The generated log (`testdata/generated/control-plane.log.gz`, a capture
//! made as if with a log-everything policy) is replayed through the example
//! policies of `testdata/policies/`; what each must drop is counted
//! independently with kaq's own filter language, so the checker and the
//! filters check each other.

use serde_json::Value;

use crate::util::{data, kaq};

const LOG: &str = "generated/control-plane.log.gz";

/// `kaq policy simulate -o json` of a policy over the generated log.
fn simulate(policy: &str) -> Value {
    let run = kaq(&[
        "policy",
        "simulate",
        "--policy",
        &data(&format!("policies/{policy}")),
        "-o",
        "json",
        &data(LOG),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// How many events of the generated log match a filter.
fn count(filter: &str) -> u64 {
    let run = kaq(&["--count", filter, &data(LOG)]);
    assert!(run.code <= 1, "{}", run.stderr);
    run.stdout.trim().parse().expect("a count")
}

fn events(v: &Value, key: &str) -> u64 {
    v[key]["events"].as_u64().unwrap()
}

fn bytes(v: &Value, key: &str) -> u64 {
    v[key]["bytes"].as_u64().unwrap()
}

#[test]
fn everything_at_metadata_keeps_every_event_and_cuts_every_body() {
    let v = simulate("everything-metadata.yaml");
    let all = count("true");
    assert_eq!(events(&v, "captured"), all);
    assert_eq!(events(&v, "written"), all);
    assert_eq!(events(&v, "dropped"), 0);
    // Only bodies go: what is left is the captured log without them.
    let with_bodies = count("exists(requestObject) or exists(responseObject)");
    assert!(with_bodies > 100, "{with_bodies}");
    assert!(
        bytes(&v, "written") < bytes(&v, "captured") * 90 / 100,
        "{v}"
    );
    assert_eq!(v["rules"][0]["short"], 0);
}

#[test]
fn cis_baseline_silences_the_chatter_and_keeps_rbac_and_secret_writes() {
    let v = simulate("cis-baseline.yaml");
    let all = count("true");
    let proxy = count(
        r#"user == "system:kube-proxy" and verb == "watch" and resource in ["endpoints", "services", "endpointslices"]"#,
    );
    let node_gets =
        count(r#""system:nodes" in user.groups and verb == "get" and resource == "nodes""#);
    let health = count(
        r#"not exists(objectRef) and (requestURI startswith "/healthz" or requestURI startswith "/livez" or requestURI startswith "/readyz" or requestURI == "/version")"#,
    );
    assert!(proxy > 0 && node_gets > 0 && health > 0);
    assert_eq!(events(&v, "dropped"), proxy + node_gets + health, "{v}");
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules[0]["decided"]["events"], proxy);
    assert_eq!(rules[1]["decided"]["events"], node_gets);
    assert_eq!(rules[2]["decided"]["events"], health);
    // Every RequestReceived event left is omitted.
    let received_kept = count(
        r#"stage == "RequestReceived" and not (user == "system:kube-proxy" and verb == "watch") and not ("system:nodes" in user.groups and verb == "get" and resource == "nodes") and exists(objectRef)"#,
    ) + count(
        r#"stage == "RequestReceived" and not exists(objectRef) and not (requestURI startswith "/healthz" or requestURI startswith "/livez" or requestURI startswith "/readyz" or requestURI == "/version")"#,
    );
    assert_eq!(events(&v, "stage_omitted"), received_kept);
    assert_eq!(
        events(&v, "written"),
        all - events(&v, "dropped") - events(&v, "stage_omitted")
    );
    // RBAC writes in full, secret writes without the response.
    let rbac_writes = count(
        r#"apiGroup == "rbac.authorization.k8s.io" and verb in ["create", "update", "patch", "delete"]"#,
    );
    assert_eq!(rules[3]["decided"]["events"], rbac_writes);
    assert_eq!(
        rules[4]["decided"]["events"],
        count(r#"resource == "secrets" and verb in ["create", "update", "patch", "delete"]"#)
    );
    // About half the bytes go (measured: 52% kept).
    let kept = bytes(&v, "written") as f64 / bytes(&v, "captured") as f64;
    assert!((0.40..0.65).contains(&kept), "{kept}");
    assert_eq!(v["never_hit"], serde_json::json!([]));
}

#[test]
fn namespace_and_user_policies() {
    let v = simulate("namespace-based.yaml");
    let system = count(
        r#"namespace in ["kube-system", "kube-public", "kube-node-lease"] and not (namespace in ["payments", "prod"])"#,
    );
    assert_eq!(events(&v, "dropped"), system);
    let full = count(r#"namespace in ["payments", "prod"]"#);
    assert_eq!(v["rules"][0]["decided"]["events"], full);

    let v = simulate("user-based.yaml");
    let silenced = count(r#"user == "system:kube-proxy" or "system:nodes" in user.groups"#);
    assert_eq!(events(&v, "dropped"), silenced);
    assert_eq!(
        v["rules"][2]["decided"]["events"],
        count(r#""developers" in user.groups"#)
    );
}

#[test]
fn compliance_policy_removes_managed_fields() {
    let v = simulate("compliance.yaml");
    let run = kaq(&[
        "policy",
        "simulate",
        "--policy",
        &data("policies/compliance.yaml"),
        "-o",
        "ndjson",
        &data(LOG),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len() as u64, events(&v, "written"));
    let written: u64 = lines.iter().map(|l| l.len() as u64 + 1).sum();
    assert_eq!(
        written,
        bytes(&v, "written"),
        "the report counts the bytes written"
    );
    for l in lines {
        assert!(!l.contains("managedFields"), "{l}");
        let e: Value = serde_json::from_str(l).expect("valid JSON");
        assert_ne!(e["stage"], "RequestReceived");
        if e["level"] == "Metadata" {
            assert!(e.get("requestObject").is_none() && e.get("responseObject").is_none());
        }
    }
}

#[test]
fn the_policy_that_produced_a_log_keeps_all_of_it() {
    // liggitt/audit2rbac's demo log and the policy it was captured with:
    // every event kept, at the level it was logged with, byte for byte.
    let policy = data("real/liggitt__audit2rbac/demo-policy.yaml");
    let log = data("real/liggitt__audit2rbac/demo.log");
    let run = kaq(&[
        "policy", "simulate", "--policy", &policy, "-o", "json", &log,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(events(&v, "captured"), 37);
    assert_eq!(events(&v, "written"), 37);
    assert_eq!(bytes(&v, "written"), bytes(&v, "captured"));
    assert_eq!(v["rules"][0]["short"], 0);
    assert_eq!(v["levels"]["Metadata"]["written"]["events"], 37);
    let run = kaq(&[
        "policy", "simulate", "--policy", &policy, "-o", "ndjson", &log,
    ]);
    assert_eq!(run.stdout, std::fs::read_to_string(&log).unwrap());
}

#[test]
fn short_captures_are_counted_not_invented() {
    // The demo log is at Metadata; a policy asking for RequestResponse
    // cannot get bodies back.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("more.yaml");
    std::fs::write(
        &p,
        "rules:\n- level: RequestResponse\n  verbs: [list]\n- level: Metadata\n",
    )
    .unwrap();
    let log = data("real/liggitt__audit2rbac/demo.log");
    let run = kaq(&[
        "policy",
        "simulate",
        "--policy",
        p.to_str().unwrap(),
        "-o",
        "json",
        &log,
    ]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["rules"][0]["short"], 14, "the 14 lists");
    let run = kaq(&["policy", "simulate", "--policy", p.to_str().unwrap(), &log]);
    assert!(
        run.stdout.contains("Short of the capture: 14 events"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_reports_with_lines_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let bad = write(
        "bad.yaml",
        "rules:\n- level: Metadata\n  nonResourceURLs: [/healthz]\n  namespaces: [x]\n",
    );
    let run = kaq(&["policy", "lint", &bad]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("bad.yaml:2: rule 1: nonResourceURLs cannot"),
        "{}",
        run.stdout
    );
    let shadowed = write(
        "shadow.yaml",
        "rules:\n- level: None\n  verbs: [get]\n- level: Metadata\n  verbs: [get]\n  resources: [{resources: [pods]}]\n- level: Metadata\n",
    );
    let run = kaq(&["policy", "lint", &shadowed]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("rule 2 (line 4) can never match: rule 1 (line 2)"),
        "{}",
        run.stdout
    );
    let good = data("policies/cis-baseline.yaml");
    let run = kaq(&["policy", "lint", &good]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    // With logs: users the policy names who never authenticated.
    let run = kaq(&[
        "policy",
        "lint",
        &data("real/liggitt__audit2rbac/demo-policy.yaml"),
        &data("real/liggitt__audit2rbac/demo.log"),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("only as impersonated users"),
        "{}",
        run.stdout
    );
    // An unreadable policy is an error, not a finding.
    let run = kaq(&[
        "policy",
        "simulate",
        "--policy",
        "/nonexistent.yaml",
        &data(LOG),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/nonexistent.yaml"), "{}", run.stderr);
}

#[test]
fn diff_counts_events_that_change_level() {
    let run = kaq(&[
        "policy",
        "diff",
        &data("policies/everything-metadata.yaml"),
        &data("policies/cis-baseline.yaml"),
        "-o",
        "json",
        &data(LOG),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let moved: u64 = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["events"].as_u64().unwrap())
        .sum();
    let old_written = events(&v["old"], "written");
    let new_written = events(&v["new"], "written");
    // Everything the new policy does not write was written by the old one.
    let dropped_now = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["new"] == "not written")
        .map(|c| c["events"].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(old_written - new_written, dropped_now);
    assert!(moved > dropped_now, "some events change level too");
}

#[test]
fn each_event_says_what_became_of_it() {
    let policy = data("policies/cis-baseline.yaml");
    let run = kaq(&[
        "policy",
        "simulate",
        "--each",
        "-o",
        "ndjson",
        "--policy",
        &policy,
        &data(LOG),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = simulate("cis-baseline.yaml");
    let mut fates = std::collections::BTreeMap::new();
    for l in run.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        *fates
            .entry(v["fate"].as_str().unwrap().to_string())
            .or_insert(0u64) += 1;
        if v["rule"] == 3 {
            assert_eq!(v["fate"], "dropped");
            assert_eq!(v["line"], 27);
            assert!(v["object"].as_str().unwrap().starts_with('/'), "{v}");
        }
    }
    assert_eq!(fates["written"], events(&report, "written"));
    assert_eq!(fates["dropped"], events(&report, "dropped"));
    assert_eq!(fates["stage omitted"], events(&report, "stage_omitted"));
    let table = kaq(&[
        "policy",
        "simulate",
        "--each",
        "--policy",
        &policy,
        &data(LOG),
    ]);
    assert!(table.lines()[0].starts_with("TIME"), "{}", table.stdout);
    assert_eq!(table.lines().len() as u64, events(&report, "captured") + 1);
}

#[test]
fn each_example_policy_shrinks_the_log_as_expected() {
    // Share of the captured bytes each policy writes (measured when the
    // test data was generated: 0.842, 0.522, 0.625, 0.462, 0.666), and the
    // events it writes.
    for (policy, share, written) in [
        ("everything-metadata.yaml", 0.842, 1091),
        ("cis-baseline.yaml", 0.522, 573),
        ("namespace-based.yaml", 0.625, 723),
        ("user-based.yaml", 0.462, 480),
        ("compliance.yaml", 0.666, 739),
    ] {
        let v = simulate(policy);
        assert_eq!(events(&v, "captured"), 1091);
        assert_eq!(events(&v, "written"), written, "{policy}");
        let kept = bytes(&v, "written") as f64 / bytes(&v, "captured") as f64;
        assert!((kept - share).abs() < 0.0005, "{policy}: {kept:.4}");
    }
}
