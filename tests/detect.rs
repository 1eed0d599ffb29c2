//! `kaq detect` against the fixtures and expectations of other projects:
//! Falco's audit test events, Panther's labelled rule tests, and the
//! hand-made events.

use std::collections::{BTreeMap, BTreeSet};

use crate::util::{data, kaq};

/// Falco rule name → the kaq rule that covers it.
const FALCO_TO_KAQ: &[(&str, &str)] = &[
    ("Create Disallowed Pod", "disallowed-image"),
    ("Create Privileged Pod", "privileged-container"),
    ("Create HostNetwork Pod", "host-network"),
    ("Disallowed K8s User", "disallowed-user"),
    ("Create Sensitive Mount Pod", "sensitive-hostpath"),
    ("Create NodePort Service", "nodeport-service"),
    (
        "Create/Modify Configmap With Private Credentials",
        "configmap-credentials",
    ),
    ("Anonymous Request Allowed", "anonymous-allowed"),
    ("Attach/Exec Pod", "exec-into-pod"),
    ("Create Disallowed Namespace", "disallowed-namespace"),
    ("Pod Created in Kube Namespace", "pod-in-system-namespace"),
    (
        "Service Account Created in Kube Namespace",
        "serviceaccount-in-system-namespace",
    ),
    (
        "System ClusterRole Modified/Deleted",
        "system-role-modified",
    ),
    ("Attach to cluster-admin Role", "cluster-admin-binding"),
    ("ClusterRole With Wildcard Created", "wildcard-role"),
    (
        "ClusterRole With Write Privileges Created",
        "role-write-verbs",
    ),
    ("ClusterRole With Pod Exec Created", "role-pods-exec"),
    ("K8s Deployment Created", "object-created"),
    ("K8s Deployment Deleted", "object-deleted"),
    ("K8s Service Created", "object-created"),
    ("K8s Service Deleted", "object-deleted"),
    ("K8s ConfigMap Created", "object-created"),
    ("K8s ConfigMap Deleted", "object-deleted"),
    ("K8s Namespace Created", "object-created"),
    ("K8s Namespace Deleted", "object-deleted"),
    ("K8s Serviceaccount Created", "object-created"),
    ("K8s Serviceaccount Deleted", "object-deleted"),
    ("K8s Role/Clusterrole Created", "object-created"),
    ("K8s Role/Clusterrole Deleted", "object-deleted"),
    ("K8s Role/Clusterrolebinding Created", "object-created"),
    ("K8s Role/Clusterrolebinding Deleted", "object-deleted"),
    ("K8s Secret Created", "secret-write"),
    ("K8s Secret Deleted", "secret-write"),
    ("json_pointer_example", "json-pointer-example"),
];

/// Falco tests that expect no alert, and the kaq rule that must stay quiet.
const FALCO_QUIET: &[(&str, &str)] = &[
    ("compat_engine_v4_create_allowed_pod", "disallowed-image"),
    ("create_allowed_pod", "disallowed-image"),
    (
        "compat_engine_v4_create_privileged_trusted_pod",
        "privileged-container",
    ),
    (
        "compat_engine_v4_create_unprivileged_pod",
        "privileged-container",
    ),
    ("create_privileged_trusted_pod", "privileged-container"),
    ("create_unprivileged_pod", "privileged-container"),
    ("create_unprivileged_trusted_pod", "privileged-container"),
    (
        "compat_engine_v4_create_hostnetwork_trusted_pod",
        "host-network",
    ),
    ("create_hostnetwork_trusted_pod", "host-network"),
    ("create_nohostnetwork_pod", "host-network"),
    ("create_nohostnetwork_trusted_pod", "host-network"),
    ("user_in_allowed_set", "disallowed-user"),
    ("create_sensitive_mount_trusted_pod", "sensitive-hostpath"),
    ("create_unsensitive_mount_pod", "sensitive-hostpath"),
    ("create_unsensitive_mount_trusted_pod", "sensitive-hostpath"),
    ("create_nonodeport_service", "nodeport-service"),
    ("create_configmap_no_private_creds", "configmap-credentials"),
    ("namespace_in_allowed_set", "disallowed-namespace"),
    ("create_service_account_token_secret", "secret-write"),
    ("create_kube_system_secret", "secret-write"),
];

/// Falco's extra rules files, as kaq rules files.
fn falco_rules_file(name: &str) -> Option<&'static str> {
    Some(match name {
        "allow_only_apache_container.yaml" => {
            "allow:\n  disallowed-image:\n    images: [httpd]\n"
        }
        "allow_nginx_container.yaml" => "allow:\n  disallowed-image:\n    images: [nginx]\n",
        "trust_nginx_container.yaml" => {
            "allow:\n  privileged-container: {images: [nginx]}\n  host-network: {images: [nginx]}\n  sensitive-hostpath: {images: [nginx]}\n"
        }
        "allow_namespace_foo.yaml" => {
            "allow:\n  disallowed-namespace:\n    namespaces: [foo]\n"
        }
        "allow_user_some-user.yaml" => "allow:\n  disallowed-user:\n    users: [some-user]\n",
        "disallow_kactivity.yaml" => "disable: [object-created, object-deleted]\n",
        // Falco's example reads requestObject/spec/containers/0/image
        // through a JSON pointer; kaq paths say the same.
        "single_rule_with_json_pointer.yaml" => {
            "rules:\n  - id: json-pointer-example\n    title: Pod image read through a path\n    severity: info\n    filter: 'requestObject.spec.containers[0].image == \"nginx\"'\n"
        }
        _ => return None,
    })
}

fn falco(name: &str) -> String {
    data(&format!("real/falcosecurity__falco/{name}"))
}

/// Runs `kaq detect -o ndjson` and counts findings per rule.
fn findings(args: &[&str]) -> (i32, BTreeMap<String, usize>) {
    let mut all = vec!["detect", "-o", "ndjson"];
    all.extend_from_slice(args);
    let run = kaq(&all);
    assert!(
        run.code != 2 || run.stderr.contains("malformed"),
        "{all:?}: {}",
        run.stderr
    );
    let mut counts = BTreeMap::new();
    for line in run.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a finding per line");
        *counts
            .entry(v["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    (run.code, counts)
}

fn kaq_rule(falco_rule: &str) -> &'static str {
    FALCO_TO_KAQ
        .iter()
        .find(|(f, _)| *f == falco_rule)
        .unwrap_or_else(|| panic!("no kaq rule for Falco's {falco_rule:?}"))
        .1
}

#[test]
fn falco_fixtures_fire_exactly_the_expected_rules() {
    let expectations: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("derived/falco_k8s_audit_expectations.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for t in expectations["tests"].as_array().unwrap() {
        let test = t["test"].as_str().unwrap();
        let trace = falco(t["trace"].as_str().unwrap());
        let mut args: Vec<String> = Vec::new();
        for f in t["rules_files"].as_array().unwrap() {
            if let Some(text) = falco_rules_file(f.as_str().unwrap()) {
                let path = dir.path().join(f.as_str().unwrap());
                std::fs::write(&path, text).unwrap();
                args.push("--rules".into());
                args.push(path.display().to_string());
            }
        }
        let expected: Vec<(&str, usize)> = match t["counts"].as_array() {
            Some(counts) => counts
                .iter()
                .flat_map(|c| c.as_object().unwrap())
                .map(|(rule, n)| (kaq_rule(rule), n.as_u64().unwrap() as usize))
                .collect(),
            None => match FALCO_QUIET.iter().find(|(name, _)| *name == test) {
                Some((_, rule)) => vec![(rule, 0)],
                None => {
                    assert_eq!(test, "fal_01_003", "no kaq rule named for {test}");
                    let (code, got) = findings(&[&trace]);
                    assert_eq!(code, 2, "a malformed line is an error");
                    assert!(got.is_empty(), "{got:?}");
                    checked += 1;
                    continue;
                }
            },
        };
        for (rule, n) in expected {
            let mut run_args: Vec<&str> = vec!["--only", rule];
            run_args.extend(args.iter().map(String::as_str));
            run_args.push(&trace);
            let (_, got) = findings(&run_args);
            assert_eq!(
                got.get(rule).copied().unwrap_or(0),
                n,
                "Falco test {test}: kaq rule {rule} on {}",
                t["trace"]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 66);
}

/// Where a kaq rule fires on a Falco fixture that Falco's tests do not
/// expect it to, and why (README, "Detections: differences from Falco").
const BEYOND_FALCO: &[(&str, &str)] = &[
    // Falco's activity rules fire here too; its tests only count one rule
    // per fixture.
    ("object-created", "attach_cluster_admin_role.json"),
    ("object-created", "create_cluster_role_pod_exec.json"),
    (
        "object-created",
        "create_cluster_role_wildcard_resources.json",
    ),
    ("object-created", "create_cluster_role_wildcard_verbs.json"),
    (
        "object-created",
        "create_cluster_role_write_privileges.json",
    ),
    (
        "object-created",
        "create_configmap_no_sensitive_values.json",
    ),
    ("object-created", "create_configmap_sensitive_values.json"),
    ("object-created", "create_nginx_service_nodeport.json"),
    ("object-created", "create_nginx_service_nonodeport.json"),
    (
        "object-created",
        "create_serviceaccount_kube_public_namespace.json",
    ),
    (
        "object-created",
        "create_serviceaccount_kube_system_namespace.json",
    ),
    ("object-created", "minikube_creates_namespace_foo.json"),
    ("object-deleted", "delete_cluster_role_kube_aggregator.json"),
    // Falco expects "Create Disallowed Namespace" for foo only with its
    // own allow-list of users; kaq's namespace rule does not depend on who.
    (
        "disallowed-namespace",
        "anonymous_creates_namespace_foo.json",
    ),
    (
        "disallowed-namespace",
        "minikube_creates_namespace_foo.json",
    ),
    // Write privileges in a patched system role: Falco's rule looks at
    // creates only.
    (
        "role-write-verbs",
        "modify_cluster_role_node_problem_detector.json",
    ),
];

#[test]
fn falco_mapped_rules_fire_nowhere_else() {
    let expectations: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("derived/falco_k8s_audit_expectations.json")).unwrap(),
    )
    .unwrap();
    // Where Falco's default rules fire, by kaq rule.
    let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for t in expectations["tests"].as_array().unwrap() {
        for c in t["counts"].as_array().into_iter().flatten() {
            for rule in c.as_object().unwrap().keys() {
                expected
                    .entry(kaq_rule(rule))
                    .or_default()
                    .insert(t["trace"].as_str().unwrap().to_string());
            }
        }
    }
    let mapped: BTreeSet<&str> = FALCO_TO_KAQ.iter().map(|(_, k)| *k).collect();
    let dir = std::path::Path::new(&falco("")).to_path_buf();
    let mut surprises = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        // The default catalogue, as a user runs it.
        let (_, got) = findings(&[path.to_str().unwrap()]);
        for rule in got.keys().filter(|r| mapped.contains(r.as_str())) {
            let ok = expected
                .get(rule.as_str())
                .is_some_and(|s| s.contains(&name))
                || BEYOND_FALCO.contains(&(rule.as_str(), name.as_str()));
            if !ok {
                surprises.push(format!("{rule} on {name}"));
            }
        }
    }
    assert!(
        surprises.is_empty(),
        "kaq fires where Falco does not: {surprises:#?}"
    );
}
