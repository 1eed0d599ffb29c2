//! Filters: the filter language and the shorthand flags over the hand-made
//! events, and how a bad filter is reported.

use crate::util::{events, kaq, matching, nums};

#[test]
fn filters_over_the_hand_made_events() {
    let cases: &[(&str, &[u32])] = &[
        (r#"verb == "delete" and resource == "secrets""#, &[3, 24]),
        (r#"objectRef.subresource == "exec""#, &[4]),
        (r#"subresource in ["exec", "attach"]"#, &[4, 15]),
        (r#"requestURI contains "169.254.169.254""#, &[4]),
        (r#"uri contains "command=sh&command""#, &[4]),
        ("code == 403", &[2, 14, 16]),
        ("code >= 400 and code < 500", &[2, 10, 14, 16]),
        (
            r#"user ~ "system:serviceaccount:kube-system:*""#,
            &[1, 13, 16],
        ),
        (r#"ip == "198.51.100.7""#, &[10, 12]),
        (r#"ip startswith "192.168.""#, &[24]),
        ("exists(impersonatedUser)", &[14]),
        (r#"as == "bob""#, &[14]),
        (r#""system:masters" in user.groups"#, &[14]),
        (r#"decision == "forbid""#, &[2, 10, 14, 16]),
        (
            r#"annotations["authorization.k8s.io/decision"] == "forbid" and ns == "kube-system""#,
            &[16],
        ),
        (r#"stage == "RequestReceived""#, &[19]),
        (r#"apiGroup == "apps""#, &[11]),
        (
            r#"objectRef.apiGroup == "" and verb == "delete""#,
            &[3, 12, 18, 24],
        ),
        (r#"userAgent =~ "^kubelet/""#, &[9]),
        (
            r#"time >= "2024-05-01T13:00:00Z""#,
            &[19, 20, 21, 22, 23, 24],
        ),
        (r#"time < "2024-05-01T12:00:00+01:00""#, &[1, 2, 3, 4, 5, 6]),
        (
            r#"not (verb in ["get", "list", "watch"]) and user !~ "^system:""#,
            &[3, 4, 5, 6, 7, 8, 11, 12, 15, 17, 18, 19, 20, 23, 24],
        ),
        // Privileged pods: any container, init containers included.
        (
            r#"resource == "pods" and verb in ["create", "update"] and
               (requestObject.spec.containers[*].securityContext.privileged == true or
                requestObject.spec.initContainers[*].securityContext.privileged == true)"#,
            &[5, 17],
        ),
        (r#"requestObject.spec.hostNetwork == true"#, &[17]),
        (
            r#"requestObject.spec.volumes[*].hostPath.path == "/""#,
            &[17],
        ),
        (r#"requestObject.roleRef.name == "cluster-admin""#, &[6]),
        // RBAC rules: one rule must grant both.
        (
            r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#,
            &[7],
        ),
        (
            r#""pods/exec" in requestObject.rules[*].resources and "create" in requestObject.rules[*].verbs"#,
            &[7, 8],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(matching(&[filter]), nums(expected), "{filter}");
    }
}

#[test]
fn shorthand_flags_are_anded_with_the_filter() {
    let cases: &[(&[&str], &[u32])] = &[
        (&["--verb", "delete", "true"], &[3, 12, 18, 24]),
        (
            &["--verb", "get,list", "--code", "403", "true"],
            &[2, 14, 16],
        ),
        (&["--resource", "pods/exec", "true"], &[4]),
        (
            &["--resource", "secrets", "-n", "default", "true"],
            &[3, 24],
        ),
        (&["--namespace", "prod", r#"verb == "patch""#], &[11]),
        (
            &["--user", "system:serviceaccount:kube-system:*", "true"],
            &[1, 13, 16],
        ),
        (&["--code", "4xx", "true"], &[2, 10, 14, 16]),
        (&["--code", "101", "true"], &[4, 15]),
        (&["--stage", "responsestarted", "true"], &[4, 9, 15]),
        (
            &["--since", "2024-05-01T13:00:00Z", "true"],
            &[19, 20, 21, 22, 23, 24],
        ),
        (
            &["--until", "2024-05-01T11:00:00Z", "true"],
            &[1, 2, 3, 4, 5, 6],
        ),
        (
            &[
                "--since",
                "2024-05-01T12:00:14Z",
                "--until",
                "2024-05-01T12:00:16Z",
                "true",
            ],
            &[14, 15],
        ),
        // The log is from 2024: nothing in the last hour, everything before it.
        (&["--since", "1h", "true"], &[]),
        (
            &["--until", "90m", "--verb", "delete", "true"],
            &[3, 12, 18, 24],
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(matching(args), nums(expected), "{args:?}");
    }
}

#[test]
fn bad_shorthand_values_are_usage_errors() {
    for (args, msg) in [
        (
            vec!["--code", "4x"],
            "--code \"4x\": expected a code such as 403 or a class such as 4xx",
        ),
        (vec!["--code", "9xx"], "a class is 1xx to 5xx"),
        (
            vec!["--since", "yesterday"],
            "--since \"yesterday\": expected a duration (90m, 2h, 7d) or an RFC 3339 time",
        ),
        (
            vec!["--stage", "Done"],
            "expected one of RequestReceived, ResponseStarted, ResponseComplete, Panic",
        ),
        (
            vec!["--resource", "pods/"],
            "expected `pods` or `pods/exec`",
        ),
    ] {
        let mut a = args.clone();
        let ev = events();
        a.extend(["true", &ev]);
        let r = kaq(&a);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_bad_filter_shows_a_caret_and_exits_2() {
    let r = kaq(&["verb == )", &events()]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "kaq: error: invalid filter: expected a field or a value, found `)`\n  verb == )\n          ^\n"
    );
    let r = kaq(&[r#"objectRef.resorce == "pods""#, &events()]);
    assert_eq!(
        r.stderr,
        "kaq: error: invalid filter: `objectRef` has no field `resorce`\n  objectRef.resorce == \"pods\"\n  ^^^^^^^^^^^^^^^^^\nhint: did you mean objectRef.resource?\n"
    );
    let r = kaq(&[r#"code == "403""#, &events()]);
    assert_eq!(r.code, 2);
    assert!(r
        .stderr
        .contains("type mismatch: `responseStatus.code` is a number, but \"403\" is a string"));
    assert!(r
        .stderr
        .contains("hint: write responseStatus.code == 403, without quotes"));
    let r = kaq(&[r#"user =~ "(unclosed""#, &events()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid regex"), "{}", r.stderr);
}
