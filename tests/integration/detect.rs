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

/// Panther rule id → the kaq rule that covers it. Panther rules without a
/// counterpart: IOC lists (user data in kaq: `ioc-source-ip`) and the
/// scheduled queries.
const PANTHER_TO_KAQ: &[(&str, &str)] = &[
    ("Amazon.EKS.AnonymousAPIAccess", "anonymous-allowed"),
    ("Kubernetes.API.AnonymousAccess", "anonymous-allowed"),
    ("Amazon.EKS.Audit.Multiple403", "forbidden-burst"),
    ("Kubernetes.API.Multiple403.PublicIP", "forbidden-burst"),
    (
        "Amazon.EKS.Audit.SystemNamespaceFromPublicIP",
        "system-principal-public-ip",
    ),
    (
        "Kubernetes.System.Principal.PublicIP",
        "system-principal-public-ip",
    ),
    (
        "Azure.MonitorActivity.Kubernetes.RoleBindingCreated",
        "rbac-binding-write",
    ),
    (
        "GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified",
        "cronjob-or-job-write",
    ),
    (
        "Kubernetes.CronJob.CreatedOrModified",
        "cronjob-or-job-write",
    ),
    (
        "GCP.K8S.Pod.Create.Or.Modify.Host.Path.Volume.Mount",
        "hostpath-volume",
    ),
    ("Kubernetes.Pod.HostPath.Volume", "hostpath-volume"),
    ("GCP.K8S.Privileged.Pod.Created", "privileged-container"),
    ("Kubernetes.Pod.Privileged.Created", "privileged-container"),
    ("GCP.K8S.Service.Type.NodePort.Deployed", "nodeport-service"),
    ("Kubernetes.Service.NodePort.Deployed", "nodeport-service"),
    ("GCP.K8s.ExecIntoPod", "exec-into-pod"),
    ("Kubernetes.Pod.Exec", "exec-into-pod"),
    ("GCP.K8s.New.Daemonset.Deployed", "daemonset-created"),
    ("Kubernetes.DaemonSet.Created", "daemonset-created"),
    ("GCP.K8s.Pod.Attached.To.Node.Host.Network", "host-network"),
    ("Kubernetes.Pod.Host.Network", "host-network"),
    ("GCP.K8s.Pod.Using.Host.PID.Namespace", "host-pid"),
    ("Kubernetes.Pod.Host.PID", "host-pid"),
    ("Kubernetes.Pod.Host.IPC", "host-ipc"),
    (
        "Kubernetes.AdmissionController.Created",
        "admission-webhook-write",
    ),
    ("Kubernetes.BulkSecretAccess", "secret-enumeration"),
    ("Kubernetes.ClientCertificate.Created", "csr-created"),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "cluster-admin-binding",
    ),
    ("Kubernetes.Ingress.NoTLS", "ingress-without-tls"),
    ("Kubernetes.Kubectl.CP.Operation", "kubectl-cp"),
    (
        "Kubernetes.Pod.Dangerous.Capabilities",
        "dangerous-capabilities",
    ),
    (
        "Kubernetes.Pod.StealServiceAccountToken",
        "exec-credential-files",
    ),
    ("Kubernetes.Pod.SystemNamespace", "pod-in-system-namespace"),
    ("Kubernetes.Role.NodeProxyPermissions", "role-nodes-proxy"),
    ("Kubernetes.Role.PodExec", "role-pods-exec"),
    ("Kubernetes.Role.Wildcard", "wildcard-role"),
    ("Kubernetes.Role.WritePermissions", "role-write-verbs"),
    (
        "Kubernetes.Secret.AccessDenied",
        "secret-access-denied-burst",
    ),
    (
        "Kubernetes.Secrets.DumpAllNamespaces",
        "secret-list-all-namespaces",
    ),
    (
        "Kubernetes.ServiceAccount.TokenCreated",
        "serviceaccount-token",
    ),
    ("Kubernetes.SystemRole.Modified", "system-role-modified"),
];

/// Panther test cases where kaq deliberately answers otherwise, with the
/// reason (also in README, "Detections: differences from Panther").
const ENRICHMENT: &str = "Panther knows from IP enrichment (ASN) that the address is the cloud provider's; kaq has no IP database: allow-list the provider's ranges";
const NOT_K8S: &str = "the test record is not a Kubernetes audit entry kaq can read (another Google service, or no serviceName/resourceName); kaq reports it as malformed";
const WRITES: &str = "kaq also reports updates and patches; Panther's rule looks at creates only";
const SYSTEM: &str = "Panther exempts system namespaces or principals by name; kaq reports them unless allow-listed (Falco's fixtures expect controller-made pods to fire)";
const AZURE_ACTIVITY: &str =
    "an Azure Activity Log operation, not an audit event; kaq reads AKS audit records";
const GKE_FIELDS: &str = "the GKE record lacks what the rule reads (status code, principalEmail, or the command); kaq does not infer it";
const PUBLIC_ONLY: &str = "kaq counts 401/403 from every address (bursts from inside the cluster matter too); Panther only public ones";
const SCOPE: &str = "the rules draw the line differently (see README, Detections)";

const PANTHER_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "Kubernetes.AdmissionController.Created",
        "Webhook Update (Not Create)",
        WRITES,
    ),
    (
        "Amazon.EKS.AnonymousAPIAccess",
        "Anonymous API Access Web Scanner Allowed",
        SCOPE,
    ),
    (
        "Amazon.EKS.AnonymousAPIAccess",
        "ELB Health Check from Public IP",
        SCOPE,
    ),
    (
        "Amazon.EKS.AnonymousAPIAccess",
        "Anonymous API Access Web Scanner Denied",
        SCOPE,
    ),
    (
        "Kubernetes.API.AnonymousAccess",
        "GCP GKE Anonymous API Access",
        GKE_FIELDS,
    ),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "AKS ClusterRoleBinding to system:masters",
        SCOPE,
    ),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "GKE ClusterRoleBinding to admin role",
        GKE_FIELDS,
    ),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "EKS ClusterRoleBinding to controller-manager role",
        SCOPE,
    ),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "RoleBinding (not ClusterRoleBinding)",
        SCOPE,
    ),
    (
        "Kubernetes.ClusterRoleBinding.Privileged",
        "System principal creating binding (excluded)",
        SYSTEM,
    ),
    (
        "GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified",
        "create",
        NOT_K8S,
    ),
    (
        "GCP.GKE.Kubernetes.Cron.Job.Created.Or.Modified",
        "update",
        NOT_K8S,
    ),
    (
        "Kubernetes.ClientCertificate.Created",
        "AKS node bootstrap CSR (excluded)",
        SYSTEM,
    ),
    (
        "Kubernetes.ClientCertificate.Created",
        "Server auth certificate (not client auth)",
        SCOPE,
    ),
    (
        "GCP.K8s.New.Daemonset.Deployed",
        "privilege-escalation",
        NOT_K8S,
    ),
    (
        "Kubernetes.Pod.StealServiceAccountToken",
        "System principal in system namespace (excluded)",
        SYSTEM,
    ),
    (
        "Amazon.EKS.Audit.Multiple403",
        "403 and Private IP",
        PUBLIC_ONLY,
    ),
    (
        "Kubernetes.API.Multiple403.PublicIP",
        "GCP GKE 403 from Public IP",
        GKE_FIELDS,
    ),
    (
        "Kubernetes.API.Multiple403.PublicIP",
        "403 from Private IP (Excluded)",
        SYSTEM,
    ),
    (
        "Kubernetes.API.Multiple403.PublicIP",
        "No Source IP",
        PUBLIC_ONLY,
    ),
    (
        "Kubernetes.Pod.Host.IPC",
        "System Namespace with HostIPC (Excluded)",
        SYSTEM,
    ),
    (
        "GCP.K8s.Pod.Attached.To.Node.Host.Network",
        "triggers",
        NOT_K8S,
    ),
    ("GCP.K8s.Pod.Using.Host.PID.Namespace", "triggers", NOT_K8S),
    (
        "GCP.K8S.Pod.Create.Or.Modify.Host.Path.Volume.Mount",
        "Pod With Non-Suspicious Volume Mount Created",
        NOT_K8S,
    ),
    (
        "GCP.K8S.Pod.Create.Or.Modify.Host.Path.Volume.Mount",
        "Pod Not Created",
        NOT_K8S,
    ),
    (
        "Kubernetes.Ingress.NoTLS",
        "System namespace (excluded)",
        SYSTEM,
    ),
    (
        "Kubernetes.Kubectl.CP.Operation",
        "EKS system namespace (excluded)",
        SYSTEM,
    ),
    (
        "GCP.K8S.Service.Type.NodePort.Deployed",
        "Error Creating Service",
        SCOPE,
    ),
    (
        "GCP.K8S.Service.Type.NodePort.Deployed",
        "No Permission Granted",
        SCOPE,
    ),
    (
        "GCP.K8S.Privileged.Pod.Created",
        "Run-As-Root Pod Created",
        SCOPE,
    ),
    (
        "GCP.K8S.Privileged.Pod.Created",
        "GCP Service Account Creating Privileged Pod (Excluded)",
        SYSTEM,
    ),
    (
        "GCP.K8S.Privileged.Pod.Created",
        "Privileged Pod in System Namespace (Excluded)",
        SYSTEM,
    ),
    (
        "Kubernetes.Pod.Privileged.Created",
        "Run-As-Root Pod Created",
        SCOPE,
    ),
    (
        "Kubernetes.Pod.Privileged.Created",
        "Pod with runAsUser=0 (root)",
        SCOPE,
    ),
    (
        "Kubernetes.Pod.Privileged.Created",
        "Privileged Pod in System Namespace (Excluded)",
        SYSTEM,
    ),
    (
        "Azure.MonitorActivity.Kubernetes.RoleBindingCreated",
        "Arc-enabled Cluster RoleBinding Created",
        AZURE_ACTIVITY,
    ),
    (
        "Azure.MonitorActivity.Kubernetes.RoleBindingCreated",
        "Arc-enabled Cluster ClusterRoleBinding Created",
        AZURE_ACTIVITY,
    ),
    (
        "Azure.MonitorActivity.Kubernetes.RoleBindingCreated",
        "AKS Managed Cluster RoleBinding Created",
        AZURE_ACTIVITY,
    ),
    (
        "Azure.MonitorActivity.Kubernetes.RoleBindingCreated",
        "AKS Managed Cluster ClusterRoleBinding Created Case Insensitive",
        AZURE_ACTIVITY,
    ),
    (
        "Kubernetes.Role.NodeProxyPermissions",
        "EKS Role with nodes wildcard",
        SCOPE,
    ),
    (
        "Kubernetes.Role.NodeProxyPermissions",
        "Updating existing role (not creating)",
        WRITES,
    ),
    (
        "Kubernetes.Role.PodExec",
        "Updating existing role (not creating)",
        WRITES,
    ),
    (
        "Kubernetes.Role.WritePermissions",
        "Updating existing role (not creating)",
        WRITES,
    ),
    (
        "Kubernetes.Secret.AccessDenied",
        "EKS failed secret get (404 Not Found)",
        SCOPE,
    ),
    (
        "Kubernetes.Secret.AccessDenied",
        "GKE failed secret get",
        GKE_FIELDS,
    ),
    (
        "Kubernetes.Secret.AccessDenied",
        "System service account failed get (excluded)",
        SYSTEM,
    ),
    (
        "Kubernetes.Secret.AccessDenied",
        "List secrets operation (not get)",
        SCOPE,
    ),
    ("Kubernetes.BulkSecretAccess", "User Lists Secrets", SCOPE),
    ("Kubernetes.BulkSecretAccess", "User Watches Secrets", SCOPE),
    (
        "Kubernetes.BulkSecretAccess",
        "User Gets Secret - Access Denied",
        SCOPE,
    ),
    (
        "Kubernetes.ServiceAccount.TokenCreated",
        "System principal in user namespace (alert)",
        SYSTEM,
    ),
    (
        "Amazon.EKS.Audit.SystemNamespaceFromPublicIP",
        "legitimate EKS node from AWS IP - should not alert",
        ENRICHMENT,
    ),
    (
        "Kubernetes.System.Principal.PublicIP",
        "EKS Legitimate Node from AWS IP",
        ENRICHMENT,
    ),
    (
        "Kubernetes.System.Principal.PublicIP",
        "AKS CSI Disk Driver from Azure Node",
        ENRICHMENT,
    ),
    (
        "Kubernetes.System.Principal.PublicIP",
        "AKS CSI File Driver from Azure Node",
        ENRICHMENT,
    ),
    (
        "Kubernetes.System.Principal.PublicIP",
        "AKS System Node from Azure IP",
        ENRICHMENT,
    ),
    (
        "Kubernetes.SystemRole.Modified",
        "System:coredns modified (excluded - expected)",
        SYSTEM,
    ),
    (
        "Kubernetes.Role.Wildcard",
        "Updating existing role (not creating)",
        WRITES,
    ),
];

#[test]
fn panther_labelled_tests_agree() {
    let text = std::fs::read_to_string(data("derived/panther_k8s_rule_tests.jsonl")).unwrap();
    let mut by_rule: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["rule_id"].as_str().unwrap().to_string();
        if let Some((_, kaq_rule)) = PANTHER_TO_KAQ.iter().find(|(p, _)| *p == id) {
            by_rule.entry(kaq_rule).or_default().push(v);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for (rule, cases) in &by_rule {
        let path = dir.path().join(format!("{rule}.jsonl"));
        let body: String = cases.iter().map(|c| format!("{}\n", c["log"])).collect();
        std::fs::write(&path, body).unwrap();
        // Per-event semantics, as Panther's tests check them: thresholds
        // off, and every record read on its own.
        let run = kaq(&[
            "detect",
            "-o",
            "ndjson",
            "--no-thresholds",
            "--only",
            rule,
            "--ignore-errors",
            path.to_str().unwrap(),
        ]);
        let fired: BTreeSet<u64> = run
            .lines()
            .into_iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        for (i, case) in cases.iter().enumerate() {
            let expected = case["expected_result"].as_bool().unwrap();
            let got = fired.contains(&(i as u64 + 1));
            checked += 1;
            let name = case["test_name"].as_str().unwrap();
            let id = case["rule_id"].as_str().unwrap();
            let known = PANTHER_DIFFERENCES
                .iter()
                .any(|(r, t, _)| *r == id && *t == name);
            if (got != expected) != known {
                disagreements.push(format!(
                    "{id} / {name:?}: Panther {expected}, kaq {rule} {got}{}",
                    if known {
                        " (listed as a difference, but agrees)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    assert!(checked > 200, "{checked} cases");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

fn exec_both_stages() -> String {
    let started = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"e1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/prod/pods/web/exec?command=sh\u0026command=-c\u0026command=curl+http%3A%2F%2F169.254.169.254%2F\u0026container=web","verb":"create","user":{"username":"mallory"},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"pods","namespace":"prod","name":"web","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T12:00:00.000000Z","stageTimestamp":"2024-05-01T12:00:00.100000Z","annotations":{"authorization.k8s.io/decision":"allow"}}"#;
    let complete = started
        .replace("ResponseStarted", "ResponseComplete")
        .replace("12:00:00.100000Z", "12:00:09.000000Z");
    format!("{started}\n{complete}\n")
}

#[test]
fn an_exec_is_one_finding_per_rule_with_its_command() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, exec_both_stages()).unwrap();
    let (code, got) = findings(&[log.to_str().unwrap()]);
    assert_eq!(code, 1, "findings at or above low");
    let expected: BTreeMap<String, usize> = [
        "exec-into-pod",
        "exec-shell",
        "exec-network-fetch",
        "exec-cloud-metadata",
    ]
    .iter()
    .map(|r| (r.to_string(), 1))
    .collect();
    assert_eq!(got, expected);
    let run = kaq(&[
        "detect",
        "--only",
        "exec-cloud-metadata",
        log.to_str().unwrap(),
    ]);
    assert!(
        run.stdout.contains("critical  exec-cloud-metadata")
            && run
                .stdout
                .contains(r#"exec.command="sh -c curl http://169.254.169.254/""#),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 finding (1 critical)"),
        "{}",
        run.stdout
    );
}

#[test]
fn each_stream_start_covers_the_next_end_whatever_fires() {
    // Start, an end that fires nothing (refused: 403), then another end:
    // the first end uses the start up, so the second is judged.
    let both = exec_both_stages();
    let (started, complete) = both.trim_end().split_once('\n').unwrap();
    let quiet = complete.replace(r#""code":101"#, r#""code":403"#);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, format!("{started}\n{quiet}\n{complete}\n")).unwrap();
    let run = kaq(&[
        "detect",
        "-o",
        "csv",
        "--only",
        "exec-into-pod",
        log.to_str().unwrap(),
    ]);
    let times: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(
        times,
        ["2024-05-01T12:00:00.100000Z", "2024-05-01T12:00:09.000000Z"],
        "{}",
        run.stdout
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, exec_both_stages()).unwrap();
    let p = log.to_str().unwrap();
    assert_eq!(kaq(&["detect", "--only", "exec-into-pod", p]).code, 1);
    assert_eq!(
        kaq(&["detect", "--only", "exec-into-pod", "--fail-on", "high", p]).code,
        0
    );
    assert_eq!(kaq(&["detect", "--only", "object-created", p]).code, 0);
    let run = kaq(&["detect", "--only", "no-such-rule", p]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--only no-such-rule: no rule has this id"),
        "{}",
        run.stderr
    );
}

#[test]
fn bursts_need_the_threshold_and_by_rule_counts() {
    // Twelve 403s from one address within a minute, three from another.
    let mut log = String::new();
    for i in 0..15 {
        let ip = if i < 12 { "198.51.100.7" } else { "10.1.2.3" };
        log.push_str(&format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"f{i}","stage":"ResponseComplete","requestURI":"/api/v1/secrets","verb":"list","user":{{"username":"system:anonymous"}},"sourceIPs":["{ip}"],"objectRef":{{"resource":"secrets","apiVersion":"v1"}},"responseStatus":{{"code":403}},"requestReceivedTimestamp":"2024-05-01T12:00:{i:02}.000000Z","stageTimestamp":"2024-05-01T12:00:{i:02}.000000Z","annotations":{{"authorization.k8s.io/decision":"forbid"}}}}"#
        ));
        log.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    std::fs::write(&path, log).unwrap();
    let p = path.to_str().unwrap();
    let run = kaq(&["detect", "-o", "ndjson", "--only", "forbidden-burst", p]);
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["count"], 10);
    assert_eq!(v["sourceIP"], "198.51.100.7");
    assert_eq!(v["firstTime"], "2024-05-01T12:00:00.000000Z");
    let (_, each) = findings(&["--only", "forbidden-burst", "--no-thresholds", p]);
    assert_eq!(each["forbidden-burst"], 15);
    let run = kaq(&["detect", "--by", "rule", "-o", "csv", p]);
    assert_eq!(
        run.lines()[0],
        "severity,rule,title,findings,first,last",
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("forbidden-burst,"), "{}", run.stdout);
}

#[test]
fn user_rules_files_add_rules_and_report_mistakes_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("ours.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - id: prod-exec\n    title: Exec in prod\n    severity: critical\n    mitre: T1609\n    filter: subresource == \"exec\" and namespace == \"prod\"\n",
    )
    .unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, exec_both_stages()).unwrap();
    let (code, got) = findings(&[
        "--rules",
        rules.to_str().unwrap(),
        "--only",
        "prod-exec",
        log.to_str().unwrap(),
    ]);
    assert_eq!((code, got.get("prod-exec").copied()), (1, Some(1)));
    std::fs::write(
        &rules,
        "rules:\n  - id: x\n    title: X\n    severity: urgent\n    filter: 'true'\n",
    )
    .unwrap();
    let run = kaq(&[
        "detect",
        "--rules",
        rules.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("ours.yaml") && run.stderr.contains("line 4"),
        "{}",
        run.stderr
    );
    let list = kaq(&["detect", "--list", "-o", "json"]);
    let all: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert!(all.as_array().unwrap().len() >= 50);
}

#[test]
fn pretty_printed_events_are_detected_as_their_one_line_form() {
    let pretty = data("handmade/pretty.json");
    let (_, counts) = findings(&[&pretty]);
    let expected: BTreeMap<String, usize> = [
        ("exec-into-pod", 1),
        ("exec-shell", 1),
        ("exec-network-fetch", 1),
        ("exec-cloud-metadata", 1),
        ("privileged-container", 1),
    ]
    .into_iter()
    .map(|(rule, n)| (rule.to_string(), n))
    .collect();
    assert_eq!(counts, expected);
    // The same events, one per line.
    let lines = kaq(&["-o", "ndjson", "true", &pretty]).stdout;
    let run = crate::util::kaq_with_stdin(&["detect", "-o", "ndjson"], lines.as_bytes());
    assert_eq!(run.lines().len(), 5, "{run:?}");
}
