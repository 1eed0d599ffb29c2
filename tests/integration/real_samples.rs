//! Real samples: audit logs from other projects (see testdata/README.md).

use crate::util::{data, kaq, real};

#[test]
fn real_samples_read_completely() {
    let r = kaq(&["--count", "true", &data("real")]);
    // 98 plain events and 23 in AKS envelopes (22 in one Event Hubs batch).
    assert_eq!(r.stdout, "121\n");
    // The one garbage fixture is reported, and nothing else.
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("fal_01_003.json:1: not an audit event: `kind` is 0"),
        "{}",
        r.stderr
    );
}

#[test]
fn real_samples_exec_into_pods() {
    assert_eq!(
        real(r#"objectRef.subresource == "exec""#),
        [
            "57a794de-44d3-40ee-a0ad-c0eb096eef6c",
            "ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6"
        ]
    );
}

#[test]
fn real_samples_privileged_pods() {
    assert_eq!(
        real(
            r#"resource == "pods" and verb in ["create", "update"] and
               (requestObject.spec.containers[*].securityContext.privileged == true or
                requestObject.spec.initContainers[*].securityContext.privileged == true or
                requestObject.spec.ephemeralContainers[*].securityContext.privileged == true)"#
        ),
        [
            "9ac5187c-29a2-4bf8-ba6e-21dc887f5d34",
            "f83ecd50-5bf4-4fe7-a419-dea22852ca49",
            "a362d22b-db3c-4590-9505-23782f12925f",
            "f83ecd50-5bf4-4fe7-a419-dea22852ca49",
        ]
    );
}

#[test]
fn real_samples_cluster_admin_bindings() {
    assert_eq!(
        real(
            r#"resource in ["clusterrolebindings", "rolebindings"] and requestObject.roleRef.name == "cluster-admin""#
        ),
        ["c97244c7-4aec-4714-946a-8204d00ecdca"]
    );
}

#[test]
fn real_samples_forbidden_impersonated_requests() {
    // audit2rbac's demo: system:admin impersonating others, 11 forbidden.
    let r = kaq(&[
        "--count",
        "code == 403 and exists(impersonatedUser)",
        &data("real/liggitt__audit2rbac/demo.log"),
    ]);
    assert_eq!(r.stdout, "11\n");
}
