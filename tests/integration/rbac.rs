//! `kaq rbac`: the RBAC YAML for what a subject did, and the usage view.
//! The events are `testdata/rbac/audit.log` (see testdata/README.md); every
//! expected YAML here was written by hand from the RBAC rules, not copied
//! from kaq's output.

use crate::util::{data, kaq};

fn log() -> String {
    data("rbac/audit.log")
}

fn existing() -> String {
    data("rbac/existing.yaml")
}

const USER_ALICE: &str = "- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: \"alice\"\n";
const SA_WEB: &str = "- kind: ServiceAccount\n  name: \"web\"\n  namespace: \"shop\"\n";

/// A role and its binding, around `rules` (the hand-written part).
fn pair(name: &str, ns: Option<&str>, rules: &str, subject: &str) -> String {
    let (role, binding) = match ns {
        Some(_) => ("Role", "RoleBinding"),
        None => ("ClusterRole", "ClusterRoleBinding"),
    };
    let meta = match ns {
        Some(ns) => format!(
            "metadata:\n  name: \"{name}\"\n  namespace: \"{ns}\"\n  labels:\n    \"kaq/generated\": \"true\"\n"
        ),
        None => format!("metadata:\n  name: \"{name}\"\n  labels:\n    \"kaq/generated\": \"true\"\n"),
    };
    format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {role}\n{meta}rules:\n{rules}\
         ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: {binding}\n{meta}\
         roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {role}\n  name: \"{name}\"\nsubjects:\n{subject}"
    )
}

fn ok(args: &[&str]) -> String {
    let r = kaq(args);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

#[test]
fn one_user_across_namespaces_with_subresources_and_urls() {
    // Written out whole once, boilerplate included.
    let expected = r#"---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "kaq:alice"
  labels:
    "kaq/generated": "true"
rules:
- apiGroups: [""]
  resources: ["nodes"]
  resourceNames: ["node-1"]
  verbs: ["get"]
- nonResourceURLs: ["/apis", "/healthz"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: "kaq:alice"
  labels:
    "kaq/generated": "true"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: "kaq:alice"
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: "alice"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: "kaq:alice"
  namespace: "billing"
  labels:
    "kaq/generated": "true"
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  resourceNames: ["api-1"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: "kaq:alice"
  namespace: "billing"
  labels:
    "kaq/generated": "true"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: "kaq:alice"
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: "alice"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: "kaq:alice"
  namespace: "shop"
  labels:
    "kaq/generated": "true"
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  resourceNames: ["web-1"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods/exec"]
  resourceNames: ["web-1"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["services"]
  resourceNames: ["web"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  resourceNames: ["web"]
  verbs: ["patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: "kaq:alice"
  namespace: "shop"
  labels:
    "kaq/generated": "true"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: "kaq:alice"
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: "alice"
"#;
    let r = kaq(&["rbac", "--user", "alice", &log()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, expected);
    // The refused delete is left out, and said so.
    assert!(
        r.stderr.contains("1 denied and 0 undecided requests"),
        "{}",
        r.stderr
    );
    // The same from a gzipped copy.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("audit.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    std::io::copy(&mut std::fs::File::open(log()).unwrap(), &mut enc).unwrap();
    enc.finish().unwrap();
    assert_eq!(
        ok(&["rbac", "--user", "alice", gz.to_str().unwrap()]),
        expected
    );
}

#[test]
fn a_service_account_with_names_and_collections() {
    let expected = pair(
        "kaq:system:serviceaccount:shop:web",
        None,
        "- nonResourceURLs: [\"/metrics\"]\n  verbs: [\"get\"]\n",
        SA_WEB,
    ) + &pair(
        "kaq:system:serviceaccount:shop:web",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["app-config", "feature-flags"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db-password"]
  verbs: ["get"]
"#,
        SA_WEB,
    );
    assert_eq!(
        ok(&["rbac", "--serviceaccount", "shop:web", &log()]),
        expected
    );
    // The same subject named as its user.
    assert_eq!(
        ok(&["rbac", "--user", "system:serviceaccount:shop:web", &log()]),
        expected
    );
}

#[test]
fn denied_requests_are_granted_only_when_asked() {
    let expected = pair(
        "web",
        None,
        "- nonResourceURLs: [\"/metrics\"]\n  verbs: [\"get\"]\n",
        SA_WEB,
    ) + &pair(
        "web",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  resourceNames: ["app-config", "feature-flags"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db-password", "other"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list"]
"#,
        SA_WEB,
    );
    let args = [
        "rbac",
        "--serviceaccount",
        "shop:web",
        "--generate-name",
        "web",
    ];
    let r = kaq(&[&args[..], &["--include-denied", &log()]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, expected);
    assert!(!r.stderr.contains("denied"), "{}", r.stderr);
    let r = kaq(&[&args[..], &[&log()[..]]].concat());
    assert!(!r.stdout.contains("\"other\"") && !r.stdout.contains("services"));
    assert!(
        r.stderr
            .contains("1 denied and 1 undecided requests (seen only at RequestReceived, or throttled with 429 before authorization) are not granted; --include-denied grants them"),
        "{}",
        r.stderr
    );
}

#[test]
fn expand_multi_namespace_makes_shared_access_cluster_wide() {
    let expected = pair(
        "kaq:alice",
        None,
        r#"- apiGroups: [""]
  resources: ["nodes"]
  resourceNames: ["node-1"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- nonResourceURLs: ["/apis", "/healthz"]
  verbs: ["get"]
"#,
        USER_ALICE,
    ) + &pair(
        "kaq:alice",
        Some("billing"),
        r#"- apiGroups: [""]
  resources: ["pods"]
  verbs: ["watch"]
- apiGroups: [""]
  resources: ["pods"]
  resourceNames: ["api-1"]
  verbs: ["get"]
"#,
        USER_ALICE,
    ) + &pair(
        "kaq:alice",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  resourceNames: ["web-1"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods/exec"]
  resourceNames: ["web-1"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["services"]
  resourceNames: ["web"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  resourceNames: ["web"]
  verbs: ["patch"]
"#,
        USER_ALICE,
    );
    assert_eq!(
        ok(&[
            "rbac",
            "--user",
            "alice",
            "--expand-multi-namespace",
            &log()
        ]),
        expected
    );
}

#[test]
fn expand_multi_name_drops_names_seen_several_times() {
    let expected = pair(
        "kaq:system:serviceaccount:shop:web",
        None,
        "- nonResourceURLs: [\"/metrics\"]\n  verbs: [\"get\"]\n",
        SA_WEB,
    ) + &pair(
        "kaq:system:serviceaccount:shop:web",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db-password"]
  verbs: ["get"]
"#,
        SA_WEB,
    );
    assert_eq!(
        ok(&[
            "rbac",
            "--serviceaccount",
            "shop:web",
            "--expand-multi-name",
            &log()
        ]),
        expected
    );
}

#[test]
fn an_existing_dump_leaves_out_what_it_allows() {
    // alice-reads (pod-reader in shop) covers get and list of pods in shop,
    // not pods/log; the aggregated monitoring ClusterRole, bound to her
    // group dev, covers /healthz and get nodes; nothing covers /apis.
    let expected = pair(
        "kaq:alice",
        None,
        "- nonResourceURLs: [\"/apis\"]\n  verbs: [\"get\"]\n",
        USER_ALICE,
    ) + &pair(
        "kaq:alice",
        Some("billing"),
        r#"- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["pods"]
  resourceNames: ["api-1"]
  verbs: ["get"]
"#,
        USER_ALICE,
    ) + &pair(
        "kaq:alice",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods/exec"]
  resourceNames: ["web-1"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["pods/log"]
  resourceNames: ["web-1"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["services"]
  resourceNames: ["web"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments/scale"]
  resourceNames: ["web"]
  verbs: ["patch"]
"#,
        USER_ALICE,
    );
    assert_eq!(
        ok(&["rbac", "--user", "alice", "--existing", &existing(), &log()]),
        expected
    );
    // A dump that allows everything the subject did: nothing to add.
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.json");
    std::fs::write(
        &all,
        r#"{"kind":"List","items":[
          {"kind":"ClusterRole","metadata":{"name":"everything"},"rules":[
            {"apiGroups":["*"],"resources":["*"],"verbs":["*"]},
            {"nonResourceURLs":["*"],"verbs":["*"]}]},
          {"kind":"ClusterRoleBinding","metadata":{"name":"web-everything"},
           "roleRef":{"kind":"ClusterRole","name":"everything"},
           "subjects":[{"kind":"Group","name":"system:serviceaccounts"}]}]}"#,
    )
    .unwrap();
    let r = kaq(&[
        "rbac",
        "--serviceaccount",
        "shop:web",
        "--existing",
        all.to_str().unwrap(),
        &log(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("# kaq: nothing to add:"),
        "{}",
        r.stdout
    );
    // Beside the YAML, on stderr: the binding rule by rule.
    assert!(
        r.stderr.contains("Bindings in ")
            && r.stderr
                .contains("that apply to service account \"shop:web\", rule by rule:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("ClusterRoleBinding web-everything")
                && l.contains("ClusterRole everything")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("0 granted rules were never used in the events read.\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn bindings_apply_as_the_authorizer_has_it() {
    // A ServiceAccount subject without a namespace is in its RoleBinding's
    // namespace; every authenticated user is in system:authenticated.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.yaml");
    std::fs::write(
        &dump,
        "\
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: cfg, namespace: shop}
rules:
- {apiGroups: [\"\"], resources: [configmaps], verbs: [get, list, watch]}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: cfg, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cfg}
subjects:
- {kind: ServiceAccount, name: web}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: metrics}
rules:
- {nonResourceURLs: [/metrics, /healthz], verbs: [get]}
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}
subjects:
- {kind: Group, name: system:authenticated}
",
    )
    .unwrap();
    // What is left of the service account's requests (see
    // a_service_account_with_names_and_collections): not the configmaps,
    // not /metrics.
    let expected = pair(
        "kaq:system:serviceaccount:shop:web",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["db-password"]
  verbs: ["get"]
"#,
        SA_WEB,
    );
    let dump = dump.display().to_string();
    assert_eq!(
        ok(&[
            "rbac",
            "--serviceaccount",
            "shop:web",
            "--existing",
            &dump,
            &log()
        ]),
        expected
    );
    // A group's members are authenticated too: the binding covers dev's
    // /healthz.
    assert!(ok(&["rbac", "--group", "dev", &log()]).contains("\"/healthz\""));
    let out = ok(&["rbac", "--group", "dev", "--existing", &dump, &log()]);
    assert!(!out.contains("/healthz"), "{out}");
    assert!(out.contains("\"/apis\""), "{out}");
}

#[test]
fn the_usage_view_says_which_granted_rules_were_used() {
    let out = ok(&[
        "rbac",
        "--user",
        "alice",
        "--existing",
        &existing(),
        "--usage",
        "-o",
        "json",
        &log(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let bindings = v["bindings"].as_array().unwrap();
    let names: Vec<&str> = bindings
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    // In the dump's order; bob-admin and web-config are not alice's.
    assert_eq!(names, ["alice-reads", "dev-monitoring", "secret-admin"]);
    let rules = |i: usize| bindings[i]["rules"].as_array().unwrap().clone();
    assert_eq!(rules(0)[0]["requests"], 2);
    assert_eq!(rules(0)[0]["lastSeen"], "2024-05-01T10:00:03.500000Z");
    // Aggregated: the rules of health-reader and node-viewer, not of
    // not-aggregated (its label says false).
    let monitoring = rules(1);
    assert_eq!(monitoring.len(), 2);
    assert_eq!(monitoring[0]["aggregatedFrom"], "health-reader");
    assert_eq!(monitoring[0]["requests"], 1);
    assert_eq!(monitoring[1]["aggregatedFrom"], "node-viewer");
    assert_eq!(rules(2)[0]["used"], false);
    assert_eq!(rules(2)[0]["lastSeen"], serde_json::Value::Null);
    // Each request once, though logged at two stages (RequestReceived and
    // ResponseComplete; ResponseStarted and ResponseComplete).
    let requests = v["requests"].as_array().unwrap();
    let get_web = requests
        .iter()
        .find(|r| r["verb"] == "get" && r["name"] == "web-1" && r["subresource"] == "")
        .unwrap();
    assert_eq!(
        (get_web["allowed"].as_u64(), get_web["undecided"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(get_web["grantedBy"][0], "RoleBinding shop/alice-reads");
    let watch = requests.iter().find(|r| r["verb"] == "watch").unwrap();
    assert_eq!(watch["allowed"], 1);
    // The table says the same for people.
    let table = ok(&[
        "rbac",
        "--serviceaccount",
        "shop:web",
        "--existing",
        &existing(),
        "--usage",
        &log(),
    ]);
    assert!(table.contains("update */scale (core)"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("update */scale") && l.ends_with("never")),
        "{table}"
    );
    assert!(
        table.contains("1 granted rule was never used in the events read."),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("get /metrics")
                && l.contains("ClusterRoleBinding shop-sa-metrics")),
        "{table}"
    );
}

#[test]
fn impersonated_requests_count_for_the_impersonated_user() {
    let alice = ok(&["rbac", "--user", "alice", &log()]);
    assert!(alice.contains("resources: [\"services\"]"), "{alice}");
    assert!(!alice.contains("token"), "{alice}");
    // admin only impersonated: admin made no request of its own.
    let r = kaq(&["rbac", "--user", "admin", &log()]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "kaq: user \"admin\" made no request in the events read\n"
    );
}

#[test]
fn a_group_gets_what_its_members_did() {
    let out = ok(&["rbac", "--group", "dev", &log()]);
    assert!(
        out.contains("- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: \"dev\"\n"),
        "{out}"
    );
    assert!(out.contains("  name: \"kaq:dev\"\n"));
    assert!(!out.contains("configmaps\"]\n  resourceNames"), "{out}");
}

#[test]
fn since_and_until_limit_the_requests() {
    let out = ok(&[
        "rbac",
        "--user",
        "alice",
        "--until",
        "2024-05-01T10:00:06Z",
        &log(),
    ]);
    let expected = pair(
        "kaq:alice",
        Some("shop"),
        r#"- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  resourceNames: ["web-1"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["pods/exec"]
  resourceNames: ["web-1"]
  verbs: ["create"]
"#,
        USER_ALICE,
    );
    assert_eq!(out, expected);
    let r = kaq(&[
        "rbac",
        "--user",
        "alice",
        "--since",
        "2024-06-01T00:00:00Z",
        &log(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn text_from_the_log_never_becomes_yaml_structure() {
    let out = ok(&[
        "rbac",
        "--user",
        "mallory",
        "--generate-labels",
        "team=a\"b",
        &log(),
    ]);
    assert!(
        out.contains(r#"  resourceNames: ["web\"\n  resourceNames: [\"*\"]\\\x1b[31m"]"#),
        "{out}"
    );
    // Read back, the name is the one in the log, whole.
    let rbac = kaq::rbac::dump::parse(&out, "out").unwrap();
    assert_eq!(rbac.roles.len(), 1);
    assert_eq!(
        rbac.roles[0].rules[0].resource_names,
        ["web\"\n  resourceNames: [\"*\"]\\\u{1b}[31m"]
    );
    assert_eq!(rbac.roles[0].labels["team"], "a\"b");
}

#[test]
fn a_star_from_the_log_is_never_granted_as_a_wildcard() {
    // `GET /metrics*` is a valid URL; `nonResourceURLs: ["/metrics*"]`
    // would grant every path under /metrics. Likewise a resource `*`.
    let dir = tempfile::tempdir().unwrap();
    let event = |id: u32, verb: &str, rest: &str| {
        format!(
            r#"{{"auditID":"{id}","stage":"ResponseComplete","verb":"{verb}","user":{{"username":"star"}},{rest},"responseStatus":{{"code":200}},"annotations":{{"authorization.k8s.io/decision":"allow"}}}}"#
        )
    };
    let both = dir.path().join("both.log");
    std::fs::write(
        &both,
        [
            event(1, "get", r#""requestURI":"/metrics*""#),
            event(2, "get", r#""requestURI":"/healthz""#),
            event(
                3,
                "list",
                r#""requestURI":"/api/v1/namespaces/a/*","objectRef":{"resource":"*","namespace":"a"}"#,
            ),
        ]
        .join("\n"),
    )
    .unwrap();
    let r = kaq(&["rbac", "--user", "star", both.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        pair(
            "kaq:star",
            None,
            "- nonResourceURLs: [\"/healthz\"]\n  verbs: [\"get\"]\n",
            "- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: \"star\"\n",
        )
    );
    assert!(
        r.stderr.contains("not granted (RBAC would read the * as a wildcard: no rule grants the request alone): get /metrics*; list * in \"a\""),
        "{}",
        r.stderr
    );
    // Nothing else: nothing to grant, exit 1.
    let only = dir.path().join("only.log");
    std::fs::write(&only, event(1, "get", r#""requestURI":"/metrics*""#)).unwrap();
    let r = kaq(&["rbac", "--user", "star", only.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("user \"star\": nothing kaq can grant exactly"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let malformed = write(
        "broken.yaml",
        "kind: List\nitems:\n- kind: Role\n  metadata: {name: [\n",
    );
    let r = kaq(&["rbac", "--user", "alice", "--existing", &malformed, &log()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("{malformed}: not valid YAML")),
        "{}",
        r.stderr
    );
    let unknown = write(
        "secret.yaml",
        "kind: List\nitems:\n- kind: Secret\n  metadata: {name: s}\n",
    );
    let r = kaq(&["rbac", "--user", "alice", "--existing", &unknown, &log()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains(&format!("{unknown}: object 1: unknown kind \"Secret\"")),
        "{}",
        r.stderr
    );
    let r = kaq(&[
        "rbac",
        "--user",
        "alice",
        "--existing",
        &dir.path().join("none.yaml").display().to_string(),
        &log(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("none.yaml"), "{}", r.stderr);
    let r = kaq(&["rbac", "--user", "nobody", &log()]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr.contains("user \"nobody\" made no request"),
        "{}",
        r.stderr
    );
    for (args, says) in [
        (vec!["rbac"], "kaq rbac needs a subject"),
        (vec!["rbac", "--user", "a", "--group", "g"], "one subject"),
        (vec!["rbac", "--user", "system:*"], "no globs"),
        (
            vec!["rbac", "--serviceaccount", "web"],
            "expected NAMESPACE:NAME",
        ),
        (
            vec!["rbac", "--user", "a", "-o", "json"],
            "kaq rbac prints YAML",
        ),
        (
            vec!["rbac", "--user", "a", "--generate-labels", "x"],
            "expected key=value",
        ),
        (
            vec!["rbac", "--user", "a", "--follow"],
            "kaq rbac reads captured logs",
        ),
        (
            vec!["rbac", "--user", "a", "--usage", "-o", "csv"],
            "a table (default) or JSON",
        ),
        // Not a path segment name: Kubernetes refuses such a Role.
        (
            vec!["rbac", "--user", "a", "--generate-name", "team/a"],
            "--generate-name \"team/a\": Kubernetes refuses it",
        ),
        (
            vec!["rbac", "--user", "a", "--generate-name", ".."],
            "--generate-name \"..\": Kubernetes refuses it",
        ),
        (
            vec!["rbac", "--user", "a", "--generate-name", "50%"],
            "without / and %",
        ),
    ] {
        let r = kaq(&[&args[..], &[&log()[..]]].concat());
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

fn demo() -> String {
    data("real/liggitt__audit2rbac/demo.log")
}

/// audit2rbac's own demo log: system:admin impersonating alice, bob and
/// the service account ns1:sa1, with discovery requests and 403s.
#[test]
fn audit2rbac_demo_log() {
    let urls = [
        "/api",
        "/api/v1",
        "/apis",
        "/apis/admissionregistration.k8s.io/v1alpha1",
        "/apis/apiextensions.k8s.io/v1beta1",
        "/apis/apiregistration.k8s.io/v1beta1",
        "/apis/apps/v1beta1",
        "/apis/apps/v1beta2",
        "/apis/authentication.k8s.io/v1",
        "/apis/authentication.k8s.io/v1beta1",
        "/apis/authorization.k8s.io/v1",
        "/apis/authorization.k8s.io/v1beta1",
        "/apis/autoscaling/v1",
        "/apis/batch/v1",
        "/apis/batch/v1beta1",
        "/apis/certificates.k8s.io/v1beta1",
        "/apis/extensions/v1beta1",
        "/apis/networking.k8s.io/v1",
        "/apis/policy/v1beta1",
        "/apis/rbac.authorization.k8s.io/v1",
        "/apis/rbac.authorization.k8s.io/v1beta1",
        "/apis/storage.k8s.io/v1",
        "/apis/storage.k8s.io/v1beta1",
    ];
    let quoted: Vec<String> = urls.iter().map(|u| format!("\"{u}\"")).collect();
    let bob = |name: &str| {
        format!("- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: \"{name}\"\n")
    };
    let expected = pair(
        "kaq:bob",
        None,
        &format!(
            "- nonResourceURLs: [{}]\n  verbs: [\"get\"]\n",
            quoted.join(", ")
        ),
        &bob("bob"),
    ) + &pair(
        "kaq:bob",
        Some("default"),
        "- apiGroups: [\"\"]\n  resources: [\"pods\"]\n  verbs: [\"list\"]\n",
        &bob("bob"),
    );
    assert_eq!(ok(&["rbac", "--user", "bob", &demo()]), expected);
    // All of alice's requests were refused: nothing to grant, exit 1.
    let r = kaq(&["rbac", "--user", "alice", &demo()]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr
            .contains("user \"alice\" made 3 requests and none was allowed"),
        "{}",
        r.stderr
    );
    // With the refusals: listing pods in all namespaces covers listing them
    // in default, so there is no Role.
    let sa = "- kind: ServiceAccount\n  name: \"sa1\"\n  namespace: \"ns1\"\n";
    let expected = pair(
        "kaq:system:serviceaccount:ns1:sa1",
        None,
        "- apiGroups: [\"\"]\n  resources: [\"nodes\", \"pods\"]\n  verbs: [\"list\"]\n",
        sa,
    );
    assert_eq!(
        ok(&[
            "rbac",
            "--serviceaccount",
            "ns1:sa1",
            "--include-denied",
            &demo()
        ]),
        expected
    );
}

#[test]
fn cloud_envelopes_give_the_same_yaml() {
    let plain = ok(&["rbac", "--serviceaccount", "shop:web", &log()]);
    let aks: String = std::fs::read_to_string(log())
        .unwrap()
        .lines()
        .map(|l| {
            format!(
                "{{\"category\":\"kube-audit\",\"properties\":{{\"log\":{}}}}}\n",
                serde_json::Value::from(l)
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aks.json");
    std::fs::write(&path, aks).unwrap();
    assert_eq!(
        ok(&[
            "rbac",
            "--serviceaccount",
            "shop:web",
            path.to_str().unwrap()
        ]),
        plain
    );
}

#[test]
fn names_labels_and_annotations_are_as_asked() {
    let out = ok(&[
        "rbac",
        "--user",
        "alice",
        "--generate-name",
        "alice-min",
        "--generate-labels",
        "team=payments, tier=web",
        "--generate-annotations",
        "example.com/ticket=SEC-42",
        &log(),
    ]);
    let meta = "metadata:\n  name: \"alice-min\"\n  labels:\n    \"team\": \"payments\"\n    \"tier\": \"web\"\n  annotations:\n    \"example.com/ticket\": \"SEC-42\"\n";
    // The ClusterRole and its binding.
    assert_eq!(out.matches(meta).count(), 2, "{out}");
    // Six objects (a role and a binding, cluster-wide, in billing and in
    // shop) and the three roleRefs.
    assert_eq!(out.matches("  name: \"alice-min\"\n").count(), 9, "{out}");
    // With a dump, stderr shows which of the granted rules went unused
    // (the usage view's bindings), and stdout is the YAML alone.
    let r = kaq(&["rbac", "--user", "alice", "--existing", &existing(), &log()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("---\napiVersion: "), "{}", r.stdout);
    assert!(!r.stdout.contains("Bindings in"), "{}", r.stdout);
    let unused: Vec<&str> = r.stderr.lines().filter(|l| l.ends_with("never")).collect();
    assert_eq!(unused.len(), 1, "{}", r.stderr);
    assert!(
        unused[0].starts_with("RoleBinding billing/secret-admin"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("1 granted rule was never used in the events read."),
        "{}",
        r.stderr
    );
    // -q: the YAML only.
    let q = kaq(&[
        "rbac",
        "-q",
        "--user",
        "alice",
        "--existing",
        &existing(),
        &log(),
    ]);
    assert_eq!((q.code, q.stderr.as_str()), (0, ""));
    assert_eq!(q.stdout, r.stdout);
}
