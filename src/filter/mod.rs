//! The filter language: text → tokens → AST → checked AST → backend.
//!
//! [`parser`] knows syntax only, [`check`] knows the audit schema and types,
//! [`eval`] is the in-process backend. Other backends (SQL, LogQL, ...) take
//! the checked [`ast::Expr`] and never see text.

pub mod ast;
pub mod check;
pub mod cidr;
pub mod error;
pub mod eval;
pub mod fields;
pub mod lexer;
pub mod parser;
pub mod prefilter;

pub use ast::Expr;
pub use error::{FilterError, Span};
pub use eval::Matcher;

use crate::event;

/// Resolves a field name as typed in `--columns`, `--by` and friends: an
/// alias or a path, checked against the schema.
pub fn field_path(name: &str) -> Result<event::Path, String> {
    let path = match fields::alias(name) {
        Some(p) => p,
        None => {
            parser::parse_path(name).map_err(|e| format!("`{name}` is not a field path: {e}"))?
        }
    };
    fields::type_of(&path).map_err(|u| match u.suggestion {
        Some(s) => format!("unknown field `{name}`: {}; did you mean {s}?", u.message),
        None => format!("unknown field `{name}`: {}", u.message),
    })?;
    Ok(path)
}

/// Parses and checks filter text into a canonical expression.
pub fn parse_filter(src: &str) -> Result<Expr, FilterError> {
    check::check(parser::parse(src)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::json::index_object;

    const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/default/pods/web/exec?command=sh\u0026command=-c","verb":"create","user":{"username":"alice","groups":["system:masters","system:authenticated"]},"sourceIPs":["10.0.0.7","192.168.1.1"],"userAgent":"kubectl/v1.29.0","objectRef":{"resource":"pods","namespace":"default","name":"web","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-05-01T12:00:00.000000Z","stageTimestamp":"2024-05-01T12:00:00.250000Z","annotations":{"authorization.k8s.io/decision":"allow"}}"#;

    const ROLE: &str = r#"{"auditID":"r1","verb":"create","user":{"username":"bob"},"objectRef":{"resource":"clusterroles","apiGroup":"rbac.authorization.k8s.io","name":"x"},"responseStatus":{"code":201},"requestObject":{"rules":[{"verbs":["get"],"resources":["pods/exec"]},{"verbs":["create"],"resources":["pods"]}],"spec":{"containers":[{"name":"a","securityContext":{"privileged":false}},{"name":"b","securityContext":{"privileged":true}}]}},"stageTimestamp":"2024-05-02T00:00:00Z"}"#;
    /// A pod create: the same spec as [`ROLE`]'s, where a pod spec lives.
    const POD: &str = r#"{"auditID":"p1","verb":"create","user":{"username":"bob"},"objectRef":{"resource":"pods","namespace":"d","name":"x"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","spec":{"containers":[{"name":"a","securityContext":{"privileged":false}},{"name":"b","securityContext":{"privileged":true}}]}},"stageTimestamp":"2024-05-02T00:00:00Z"}"#;

    fn run(filter: &str, event: &str) -> bool {
        let expr = parse_filter(filter).unwrap_or_else(|e| panic!("{}", e.render(filter)));
        let m = Matcher::compile(&expr).unwrap_or_else(|e| panic!("{}", e.render(filter)));
        let mut idx = Vec::new();
        index_object(event, &mut idx).unwrap();
        m.matches(&Event::new(event, &idx))
    }

    #[track_caller]
    fn yes(filter: &str, event: &str) {
        assert!(run(filter, event), "expected a match: {filter}");
    }

    #[track_caller]
    fn no(filter: &str, event: &str) {
        assert!(!run(filter, event), "expected no match: {filter}");
    }

    #[test]
    fn equality_and_inequality() {
        yes(r#"verb == "create""#, EXEC);
        no(r#"verb == "delete""#, EXEC);
        yes(r#"verb != "delete""#, EXEC);
        yes("code == 101", EXEC);
        no("code == 200", EXEC);
        yes(r#"user.username == "alice""#, EXEC);
        yes(r#"decision == "allow""#, EXEC);
        yes(
            r#"annotations["authorization.k8s.io/decision"] != "forbid""#,
            EXEC,
        );
        yes("true", EXEC);
        no("false", EXEC);
    }

    #[test]
    fn ordering() {
        yes("code >= 100 and code < 200", EXEC);
        no("code > 101", EXEC);
        yes("code <= 101", EXEC);
        yes(r#"time > "2024-05-01T11:59:59Z""#, EXEC);
        yes(r#"time < "2024-05-01T14:00:00+01:00""#, EXEC);
        no(r#"time < "2024-05-01T12:00:00.25Z""#, EXEC);
        yes(r#"time <= "2024-05-01T12:00:00.25Z""#, EXEC);
        yes(r#"verb > "apply""#, EXEC);
    }

    #[test]
    fn string_operators() {
        yes(r#"userAgent startswith "kubectl/""#, EXEC);
        yes(r#"userAgent endswith "v1.29.0""#, EXEC);
        yes(r#"requestURI contains "command=sh&command""#, EXEC);
        yes(r#"user =~ "^ali""#, EXEC);
        no(r#"user =~ "^bob""#, EXEC);
        yes(r#"user !~ "^bob""#, EXEC);
        yes(r#"user ~ "a*e""#, EXEC);
        no(r#"user ~ "a*x""#, EXEC);
        yes(r#"user ~ "al?ce""#, EXEC);
        no(r#"user ~ "lic""#, EXEC);
        // Globs that compile to plain string tests.
        yes(r#"user ~ "ali*""#, EXEC);
        yes(r#"user ~ "*ice""#, EXEC);
        yes(r#"user ~ "*lic*""#, EXEC);
        yes(r#"user ~ "alice""#, EXEC);
        yes(r#"user ~ "*""#, EXEC);
        yes(r#"user ~ "**""#, EXEC);
        no(r#"user ~ """#, EXEC);
        no(r#"user ~ "*lix*""#, EXEC);
        no(r#"user ~ "bob*""#, EXEC);
        no(r#"user ~ "*bob""#, EXEC);
        no(r#"impersonatedUser.username ~ "*""#, EXEC);
        yes(r#"user.groups ~ "system:*""#, EXEC);
        yes(r#"verb in ["create", "update"]"#, EXEC);
        no(r#"verb not in ["create", "update"]"#, EXEC);
    }

    #[test]
    fn arrays_match_any_element() {
        yes(r#"ip == "192.168.1.1""#, EXEC);
        yes(r#"sourceIPs startswith "10.""#, EXEC);
        yes(r#""system:masters" in user.groups"#, EXEC);
        yes(r#"user.groups[0] == "system:masters""#, EXEC);
        no(r#"user.groups[1] == "system:masters""#, EXEC);
        yes(r#"sourceIPs != "10.0.0.7""#, EXEC); // any value differs
        no(r#"not (sourceIPs == "10.0.0.7")"#, EXEC);
        yes(
            "requestObject.spec.containers[*].securityContext.privileged == true",
            ROLE,
        );
        no(r#"requestObject.spec.containers[*].name == "c""#, ROLE);
    }

    #[test]
    fn any_needs_one_element_to_satisfy_everything() {
        // A flat test mixes elements: rule 0 has pods/exec, rule 1 has create.
        yes(
            r#""pods/exec" in requestObject.rules[*].resources and "create" in requestObject.rules[*].verbs"#,
            ROLE,
        );
        no(
            r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#,
            ROLE,
        );
        yes(
            r#"any(requestObject.rules[*], "pods/exec" in resources and "get" in verbs)"#,
            ROLE,
        );
        yes(r#"any(requestObject.rules, "pods" in resources)"#, ROLE);
        no(r#"all(requestObject.rules[*], "get" in verbs)"#, ROLE);
        yes(r#"all(requestObject.rules[*], exists(verbs))"#, ROLE);
        yes(r#"all(requestObject.missing[*], verbs == "x")"#, ROLE);
        no(r#"any(requestObject.missing[*], true)"#, ROLE);
        yes(
            r#"any(requestObject.spec.containers[*], securityContext.privileged == true and name == "b")"#,
            ROLE,
        );
    }

    #[test]
    fn missing_fields_are_null() {
        no(r#"impersonatedUser.username == "bob""#, EXEC);
        yes(r#"impersonatedUser.username != "bob""#, EXEC);
        yes("impersonatedUser.username == null", EXEC);
        no("impersonatedUser.username != null", EXEC);
        no(r#"impersonatedUser.username < "z""#, EXEC);
        no(r#"impersonatedUser.username contains "b""#, EXEC);
        yes(r#"impersonatedUser.username !~ "b""#, EXEC);
        no("exists(impersonatedUser)", EXEC);
        yes("exists(objectRef.subresource)", EXEC);
        yes(r#"not exists(requestObject)"#, EXEC);
        // A missing apiGroup is the core group.
        yes(r#"objectRef.apiGroup == """#, EXEC);
        no(r#"objectRef.apiGroup == """#, ROLE);
        yes(r#"apiGroup == "rbac.authorization.k8s.io""#, ROLE);
    }

    #[test]
    fn strict_json_types() {
        no(
            r#"requestObject.spec.containers[0].securityContext.privileged == "false""#,
            ROLE,
        );
        yes(
            "requestObject.spec.containers[0].securityContext.privileged == false",
            ROLE,
        );
    }

    #[test]
    fn computed_fields() {
        yes("latency > 200ms", EXEC);
        yes("latency == 250ms", EXEC);
        no("latency > 1s", EXEC);
        yes("latency < 0.3", EXEC);
        no("latency > 0s", ROLE); // no requestReceivedTimestamp: missing
        yes(r#"exec.command == "sh -c""#, EXEC);
        yes(r#"exec.command startswith "sh""#, EXEC);
        no("exists(exec.command)", ROLE);
        yes(r#"actor == "alice""#, EXEC);
        yes(
            r#"any(pod.containers[*], securityContext.privileged == true and name == "b")"#,
            POD,
        );
        yes(r#"pod.containers[*].name == "a""#, POD);
        no(r#"pod.containers[*].name == "c""#, POD);
        no("exists(pod.volumes)", POD);
        // A ClusterRole's body may hold a `spec`, but no pod spec lives there.
        no(r#"pod.containers[*].name == "a""#, ROLE);
        no("exists(pod.spec)", ROLE);
        no("exists(pod.containers)", EXEC);
        no("exists(impersonator)", EXEC);
    }

    #[test]
    fn explanations_name_the_values_that_matched() {
        let why = |filter: &str, event: &str| {
            let m = Matcher::compile(&parse_filter(filter).unwrap()).unwrap();
            let mut idx = Vec::new();
            index_object(event, &mut idx).unwrap();
            m.explain(&Event::new(event, &idx), &[&["verb"]])
        };
        assert_eq!(
            why(
                r#"verb == "create" and any(pod.containers[*], securityContext.privileged == true)"#,
                POD
            ),
            ["containers[name=b]: securityContext.privileged=true"]
        );
        assert_eq!(
            why(r#"exec.command =~ "^sh" or user == "nobody""#, EXEC),
            [r#"exec.command="sh -c""#]
        );
        assert_eq!(
            why(
                r#"any(requestObject.rules[*], "pods/exec" in resources and "get" in verbs)"#,
                ROLE
            ),
            ["rules[0]: resources=pods/exec verbs=get"]
        );
        assert!(why(r#"verb == "delete""#, EXEC).is_empty());
    }

    #[test]
    fn field_against_field() {
        yes("stageTimestamp >= requestReceivedTimestamp", EXEC);
        no("user.username == objectRef.name", EXEC);
        yes(r#"objectRef.name == objectRef.name"#, EXEC);
    }

    #[test]
    fn shared_tests_run_once_and_agree() {
        let filters = [
            r#"verb == "create" and not code >= 400"#,
            r#"code >= 400 or user.username == "alice""#,
            r#"not code >= 400 and any(requestObject.rules[*], "pods/exec" in resources)"#,
            r#"any(requestObject.rules[*], "pods/exec" in resources) and verb == "create""#,
            r#"exec.command contains "sh" and verb == "create""#,
            r#"objectRef.apiGroup == "" and not code >= 400"#,
        ];
        let mut atoms = eval::Atoms::default();
        let mut shared: Vec<Matcher> = filters
            .iter()
            .map(|f| Matcher::compile(&parse_filter(f).unwrap()).unwrap())
            .collect();
        for m in &mut shared {
            m.share(&mut atoms);
        }
        // Six distinct tests of the event: `code >= 400`, `verb == "create"`
        // and the `any` are counted once each.
        assert_eq!(atoms.len(), 6);
        let mut known = eval::Known::default();
        for event in [EXEC, ROLE, EXEC] {
            let mut idx = Vec::new();
            index_object(event, &mut idx).unwrap();
            let e = Event::new(event, &idx);
            known.reset(&atoms);
            for (f, m) in filters.iter().zip(&shared) {
                assert_eq!(m.matches_known(&e, &mut known), run(f, event), "{f}");
            }
        }
    }

    #[test]
    fn pattern_errors() {
        let e = Matcher::compile(&parse_filter(r#"user =~ "(""#).unwrap()).unwrap_err();
        assert!(e.message.starts_with("invalid regex"), "{}", e.message);
        let e = Matcher::compile(&parse_filter(r#"user =~ "a{1000}{1000}""#).unwrap()).unwrap_err();
        assert!(e.message.contains("too large"), "{}", e.message);
        let long = format!(r#"user =~ "{}""#, "a".repeat(5000));
        assert!(Matcher::compile(&parse_filter(&long).unwrap()).is_err());
        // Glob metacharacters of regex are literal in a glob.
        yes(r#"userAgent ~ "kubectl/v1.29.?""#, EXEC);
        no(r#"userAgent ~ "kubectl/v1(29)*""#, EXEC);
    }
}
