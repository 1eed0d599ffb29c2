//! Computed fields, group-bys and numbers mean what a reader of the log would
//! say they mean. The events are in `testdata/semantics/slips.log` (see
//! `testdata/README.md`); each test is named after the slip it pins.

use crate::util::{data, kaq};

fn slips() -> String {
    data("semantics/slips.log")
}

/// The auditIDs of the events matching `filter`, as `-o csv` prints them.
fn matching(filter: &str) -> Vec<String> {
    let r = kaq(&["-o", "csv", "--columns", "auditID", filter, &slips()]);
    assert!(r.code == 0 || r.code == 1, "{filter}: {r:?}");
    r.lines().into_iter().skip(1).map(str::to_string).collect()
}

#[test]
fn impersonator_is_missing_when_impersonated_user_is_null() {
    // slip-01 carries "impersonatedUser": null; slip-02 impersonates bob.
    assert_eq!(matching("exists(impersonator)"), ["slip-02"]);
    assert_eq!(matching(r#"impersonator == "alice""#), ["slip-02"]);
    assert_eq!(matching(r#"actor == "bob""#), ["slip-02"]);
    let r = kaq(&[
        "-o",
        "csv",
        "--columns",
        "auditID,user",
        "auditID == \"slip-01\"",
        &slips(),
    ]);
    assert_eq!(r.lines(), ["auditID,user", "slip-01,alice"]);
}

#[test]
fn by_counts_a_repeated_value_once_per_event() {
    // slip-03 has groups ["dev", "dev", "system:authenticated"] and its
    // source IP twice; slip-04 has ["dev"].
    let r = kaq(&[
        "--by",
        "user.groups",
        "-o",
        "csv",
        r#"verb == "list""#,
        &slips(),
    ]);
    assert_eq!(
        r.lines(),
        [
            "user.groups,count,share",
            "dev,2,1.0000",
            "system:authenticated,1,0.5000"
        ]
    );
    let r = kaq(&["--by", "user.groups", r#"verb == "list""#, &slips()]);
    assert!(r.stdout.contains("100.0%"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("150"),
        "no share passes 100%: {}",
        r.stdout
    );
    let r = kaq(&[
        "--by",
        "ip,user.groups",
        "-o",
        "csv",
        r#"auditID == "slip-03""#,
        &slips(),
    ]);
    assert_eq!(
        r.lines(),
        [
            "ip,user.groups,count,share",
            "10.0.0.2,dev,1,1.0000",
            "10.0.0.2,system:authenticated,1,1.0000"
        ]
    );
    let r = kaq(&[
        "--distinct",
        "user.groups",
        "-o",
        "csv",
        r#"verb == "list""#,
        &slips(),
    ]);
    assert_eq!(
        r.lines()[1].split(',').take(2).collect::<Vec<_>>(),
        ["dev", "2"]
    );
    let r = kaq(&[
        "--every",
        "1h",
        "--by",
        "user.groups",
        "-o",
        "csv",
        r#"verb == "list""#,
        &slips(),
    ]);
    assert!(
        r.lines().iter().any(|l| l.ends_with(",dev,2")),
        "{}",
        r.stdout
    );
}

#[test]
fn pod_fields_resolve_only_where_a_pod_spec_lives() {
    // slip-05 is a Service whose spec even holds a privileged "container".
    assert_eq!(
        matching("exists(pod.spec)"),
        ["slip-06", "slip-07", "slip-08", "slip-09", "slip-10"]
    );
    assert_eq!(
        matching("any(pod.containers[*], securityContext.privileged == true)"),
        ["slip-06", "slip-07", "slip-08", "slip-09"]
    );
    assert_eq!(
        matching(r#"pod.volumes[*].hostPath.path == "/""#),
        ["slip-06", "slip-07", "slip-08", "slip-09"]
    );
    // A Deployment's pod spec is its template's, not its own `spec`.
    assert_eq!(matching(r#"pod.containers[*].name == "real""#), ["slip-10"]);
    assert_eq!(
        matching(r#"pod.containers[*].name == "top""#),
        Vec::<String>::new()
    );
    // Detections that read pod.* fire on the workloads, not on the Service.
    let r = kaq(&["detect", "-o", "csv", &slips()]);
    let privileged: Vec<&str> = r
        .lines()
        .into_iter()
        .filter(|l| l.contains(",privileged-container,"))
        .filter_map(|l| l.split(',').find(|c| c.starts_with("slip-")))
        .collect();
    assert_eq!(
        privileged,
        ["slip-06", "slip-07", "slip-09"],
        "{}",
        r.stdout
    );
}

#[test]
fn integers_beyond_2_53_compare_exactly() {
    // slip-11 holds 9007199254740993, slip-12 9007199254740992.
    assert_eq!(matching("requestObject.x == 9007199254740992"), ["slip-12"]);
    assert_eq!(matching("requestObject.x == 9007199254740993"), ["slip-11"]);
    assert_eq!(matching("requestObject.x > 9007199254740992"), ["slip-11"]);
    // An integer against a float compares as floats: both are 2^53 there.
    assert_eq!(
        matching("requestObject.x == 9007199254740992.0"),
        ["slip-11", "slip-12"]
    );
}

#[test]
fn latency_is_seconds_in_every_machine_format() {
    let f = slips();
    let r = kaq(&[
        "-o",
        "csv",
        "--columns",
        "auditID,latency",
        "latency > 1s",
        &f,
    ]);
    assert_eq!(r.lines(), ["auditID,latency", "slip-13,300"]);
    let r = kaq(&[
        "-o",
        "tsv",
        "--columns",
        "latency",
        r#"auditID == "slip-01""#,
        &f,
    ]);
    assert_eq!(r.lines(), ["latency", "0.5"]);
    let r = kaq(&["--by", "latency", "-o", "csv", "latency > 1s", &f]);
    assert_eq!(r.lines()[1], "300,1,1.0000");
    let r = kaq(&["--columns", "auditID,latency", "latency > 1s", &f]);
    assert!(
        r.stdout.contains("5m0s"),
        "tables show a duration: {}",
        r.stdout
    );
}
