//! The API server's policy checker (`pkg/audit/policy/checker.go`),
//! re-expressed: which rule decides a request, at which level, omitting
//! which stages.
//!
//! First match wins; a request no rule matches is logged at `None`. A rule
//! matches when every list it has holds: `users` (the authenticated user,
//! exact), `userGroups` (any of the user's groups), `verbs`, then either the
//! resource part (`namespaces`, `resources`) or `nonResourceURLs`, or neither
//! (such a rule matches resource and non-resource requests alike).

use super::schema::{GroupResources, Level, PolicySpec, RuleSpec, Stage};

/// What the checker sees of a request: the authorizer's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `None`: the request was not authenticated.
    pub user: Option<String>,
    pub groups: Vec<String>,
    pub verb: String,
    /// `Some` for a resource request.
    pub resource: Option<ResourceAttributes>,
    /// The URL path, without the query (non-resource requests).
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceAttributes {
    /// `""` is the core group.
    pub group: String,
    pub resource: String,
    pub subresource: String,
    /// `""` for cluster-scoped requests.
    pub namespace: String,
    pub name: String,
}

/// A loaded policy: the rules with their stages merged.
#[derive(Debug, Clone)]
pub struct Policy {
    pub rules: Vec<Rule>,
    /// Stages every request omits (the policy's own `omitStages`).
    pub omit_stages: Vec<Stage>,
    pub omit_managed_fields: bool,
}

/// A rule as the checker uses it.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    /// The rule's stages and the policy's, together.
    pub omit_stages: Vec<Stage>,
    /// Line in the policy file.
    pub line: u64,
}

/// What the policy does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'p> {
    pub level: Level,
    pub omit_stages: &'p [Stage],
    pub omit_managed_fields: bool,
    /// Index of the deciding rule; `None` when no rule matched.
    pub rule: Option<usize>,
}

impl Policy {
    pub fn new(spec: PolicySpec) -> Policy {
        let omit = spec.omit_stages.clone();
        let rules = spec
            .rules
            .into_iter()
            .map(|r| {
                let line = r.referenced.line();
                let spec = r.value;
                Rule {
                    omit_stages: union(&omit, &spec.omit_stages),
                    spec,
                    line,
                }
            })
            .collect();
        Policy {
            rules,
            omit_stages: spec.omit_stages,
            omit_managed_fields: spec.omit_managed_fields,
        }
    }

    /// The first rule that matches decides; none: level `None` with the
    /// policy's stages.
    pub fn evaluate(&self, a: &Attributes) -> Decision<'_> {
        for (i, rule) in self.rules.iter().enumerate() {
            if matches(&rule.spec, a) {
                return Decision {
                    level: rule.spec.level,
                    omit_stages: &rule.omit_stages,
                    omit_managed_fields: rule
                        .spec
                        .omit_managed_fields
                        .unwrap_or(self.omit_managed_fields),
                    rule: Some(i),
                };
            }
        }
        Decision {
            level: Level::None,
            omit_stages: &self.omit_stages,
            omit_managed_fields: self.omit_managed_fields,
            rule: None,
        }
    }
}

fn union(a: &[Stage], b: &[Stage]) -> Vec<Stage> {
    let mut all: Vec<Stage> = a.iter().chain(b).copied().collect();
    all.sort();
    all.dedup();
    all
}

/// `ruleMatches`.
pub fn matches(r: &RuleSpec, a: &Attributes) -> bool {
    if !r.users.is_empty() && !a.user.as_ref().is_some_and(|u| r.users.contains(u)) {
        return false;
    }
    let in_a_group = a.user.is_some() && a.groups.iter().any(|g| r.user_groups.contains(g));
    if !r.user_groups.is_empty() && !in_a_group {
        return false;
    }
    if !r.verbs.is_empty() && !r.verbs.contains(&a.verb) {
        return false;
    }
    if !r.namespaces.is_empty() || !r.resources.is_empty() {
        return matches_resource(r, a);
    }
    if !r.non_resource_urls.is_empty() {
        return matches_non_resource(r, a);
    }
    true
}

/// `ruleMatchesResource`.
fn matches_resource(r: &RuleSpec, a: &Attributes) -> bool {
    let Some(res) = &a.resource else {
        return false;
    };
    if !r.namespaces.is_empty() && !r.namespaces.contains(&res.namespace) {
        return false;
    }
    if r.resources.is_empty() {
        return true;
    }
    let combined = if res.subresource.is_empty() {
        res.resource.clone()
    } else {
        format!("{}/{}", res.resource, res.subresource)
    };
    r.resources
        .iter()
        .filter(|gr| gr.group == res.group || gr.group == "*")
        .any(|gr| group_matches(gr, res, &combined))
}

fn group_matches(gr: &GroupResources, res: &ResourceAttributes, combined: &str) -> bool {
    if gr.resources.is_empty() {
        return true;
    }
    if !gr.resource_names.is_empty() && !gr.resource_names.contains(&res.name) {
        return false;
    }
    gr.resources.iter().any(|spec| {
        spec == combined
            || spec == "*"
            || (!res.subresource.is_empty()
                && spec.strip_prefix("*/") == Some(res.subresource.as_str()))
            // Upstream compares only the resource here, so `pods/*` also
            // matches `pods` itself.
            || spec.strip_suffix("/*") == Some(res.resource.as_str())
    })
}

/// `ruleMatchesNonResource`.
fn matches_non_resource(r: &RuleSpec, a: &Attributes) -> bool {
    if a.resource.is_some() {
        return false;
    }
    r.non_resource_urls.iter().any(|spec| {
        spec == "*"
            || *spec == a.path
            || spec
                .strip_suffix('*')
                .is_some_and(|prefix| a.path.starts_with(prefix.trim_end_matches('*')))
    })
}

#[cfg(test)]
mod tests {
    //! The upstream checker's table (`checker_test.go`): five requests, a
    //! library of rules, and the level and stages each policy gives.
    use super::*;
    use crate::policy::schema::parse;

    fn tim() -> (Option<String>, Vec<String>) {
        (
            Some("tim@k8s.io".into()),
            vec!["humans".into(), "developers".into()],
        )
    }

    fn request(name: &str) -> Attributes {
        let (user, groups) = tim();
        let pod = |sub: &str| ResourceAttributes {
            group: String::new(),
            resource: "pods".into(),
            subresource: sub.into(),
            namespace: "default".into(),
            name: "busybox".into(),
        };
        match name {
            "namespaced" => Attributes {
                user,
                groups,
                verb: "get".into(),
                resource: Some(pod("")),
                path: "/api/v1/namespaces/default/pods/busybox".into(),
            },
            "cluster" => Attributes {
                user,
                groups,
                verb: "get".into(),
                resource: Some(ResourceAttributes {
                    group: "rbac.authorization.k8s.io".into(),
                    resource: "clusterroles".into(),
                    subresource: String::new(),
                    namespace: String::new(),
                    name: "edit".into(),
                }),
                path: "/apis/rbac.authorization.k8s.io/v1beta1/clusterroles/edit".into(),
            },
            "nonResource" => Attributes {
                user,
                groups,
                verb: "get".into(),
                resource: None,
                path: "/logs/kubelet.log".into(),
            },
            "subresource" => Attributes {
                user,
                groups,
                verb: "get".into(),
                resource: Some(pod("log")),
                path: "/api/v1/namespaces/default/pods/busybox".into(),
            },
            "Unauthorized" => Attributes {
                user: None,
                groups: Vec::new(),
                verb: "get".into(),
                resource: Some(pod("")),
                path: "/api/v1/namespaces/default/pods/busybox".into(),
            },
            other => panic!("no request {other}"),
        }
    }

    /// The upstream rule library, in policy YAML.
    fn rule(name: &str) -> &'static str {
        match name {
            "default" => "- level: Metadata",
            "create" => "- level: Request\n  verbs: [create]",
            "tims" => "- level: Metadata\n  users: [tim@k8s.io]",
            "humans" => "- level: Metadata\n  userGroups: [humans]",
            "serviceAccounts" => "- level: Request\n  userGroups: [system:serviceaccounts]",
            "getPods" => "- level: RequestResponse\n  verbs: [get]\n  resources: [{resources: [pods]}]",
            "getPodLogs" => "- level: Request\n  verbs: [get]\n  resources: [{resources: [pods/log]}]",
            "getPodWildcardMatching" => "- level: Request\n  verbs: [get]\n  resources: [{resources: [\"*\"]}]",
            "getPodResourceWildcardMatching" => "- level: Request\n  verbs: [get]\n  resources: [{resources: [\"*/log\"]}]",
            "getPodSubResourceWildcardMatching" => "- level: Request\n  verbs: [get]\n  resources: [{resources: [\"pods/*\"]}]",
            "getClusterRoles" => "- level: RequestResponse\n  verbs: [get]\n  resources: [{group: rbac.authorization.k8s.io, resources: [clusterroles]}]\n  namespaces: [\"\"]",
            "getLogs" => "- level: RequestResponse\n  verbs: [get]\n  nonResourceURLs: [\"/logs*\"]",
            "getMetrics" => "- level: Request\n  verbs: [get]\n  nonResourceURLs: [/metrics]",
            "clusterRoleEdit" => "- level: Request\n  resources: [{group: rbac.authorization.k8s.io, resources: [clusterroles], resourceNames: [edit]}]",
            "omit RequestReceived" => "- level: Request\n  omitStages: [RequestReceived]",
            "only audit panic" => "- level: Request\n  omitStages: [RequestReceived, ResponseStarted, ResponseComplete]",
            other => panic!("no rule {other}"),
        }
    }

    fn policy(stages: &[Stage], rules: &[&str]) -> Policy {
        let stages: Vec<&str> = stages.iter().map(|s| s.name()).collect();
        let text = format!(
            "omitStages: [{}]\nrules:\n{}\n",
            stages.join(", "),
            rules.iter().map(|r| rule(r)).collect::<Vec<_>>().join("\n")
        );
        Policy::new(parse(&text, "test").unwrap_or_else(|e| panic!("{e}\n{text}")))
    }

    #[track_caller]
    fn check(req: &str, level: Level, policy_stages: &[Stage], stages: &[Stage], rules: &[&str]) {
        let p = policy(policy_stages, rules);
        let d = p.evaluate(&request(req));
        assert_eq!(d.level, level, "request {req} rules {rules:?}");
        let mut want = stages.to_vec();
        want.sort();
        let mut got = d.omit_stages.to_vec();
        got.sort();
        assert_eq!(got, want, "request {req} rules {rules:?}");
    }

    fn audit_levels(s: &[Stage]) {
        use Level::*;
        check("namespaced", Metadata, s, s, &["default"]);
        check("namespaced", None, s, s, &["create"]);
        check("namespaced", Metadata, s, s, &["tims"]);
        check("namespaced", Metadata, s, s, &["humans"]);
        check("namespaced", None, s, s, &["serviceAccounts"]);
        check("namespaced", RequestResponse, s, s, &["getPods"]);
        check("namespaced", None, s, s, &["getClusterRoles"]);
        check("namespaced", None, s, s, &["getLogs"]);
        check("namespaced", None, s, s, &["getMetrics"]);
        check(
            "namespaced",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "namespaced",
            RequestResponse,
            s,
            s,
            &["getMetrics", "getPods", "default"],
        );
        check(
            "namespaced",
            RequestResponse,
            s,
            s,
            &["getPodLogs", "getPods"],
        );

        check("cluster", Metadata, s, s, &["default"]);
        check("cluster", None, s, s, &["create"]);
        check("cluster", Metadata, s, s, &["tims"]);
        check("cluster", Metadata, s, s, &["humans"]);
        check("cluster", None, s, s, &["serviceAccounts"]);
        check("cluster", None, s, s, &["getPods"]);
        check("cluster", RequestResponse, s, s, &["getClusterRoles"]);
        check(
            "cluster",
            Request,
            s,
            s,
            &["clusterRoleEdit", "getClusterRoles"],
        );
        check("cluster", None, s, s, &["getLogs"]);
        check("cluster", None, s, s, &["getMetrics"]);
        check(
            "cluster",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "cluster",
            RequestResponse,
            s,
            s,
            &["getMetrics", "getClusterRoles", "default"],
        );
        check("cluster", None, s, s, &["getPodLogs", "getPods"]);

        check("nonResource", Metadata, s, s, &["default"]);
        check("nonResource", None, s, s, &["create"]);
        check("nonResource", Metadata, s, s, &["tims"]);
        check("nonResource", Metadata, s, s, &["humans"]);
        check("nonResource", None, s, s, &["serviceAccounts"]);
        check("nonResource", None, s, s, &["getPods"]);
        check("nonResource", None, s, s, &["getClusterRoles"]);
        check("nonResource", RequestResponse, s, s, &["getLogs"]);
        check("nonResource", None, s, s, &["getMetrics"]);
        check(
            "nonResource",
            Metadata,
            s,
            s,
            &["getMetrics", "serviceAccounts", "default"],
        );
        check(
            "nonResource",
            RequestResponse,
            s,
            s,
            &["getLogs", "getClusterRoles", "default"],
        );
        check("nonResource", None, s, s, &["getPodLogs", "getPods"]);

        check("subresource", Request, s, s, &["getPodLogs", "getPods"]);
        check("subresource", Request, s, s, &["getPodWildcardMatching"]);
        check(
            "subresource",
            Request,
            s,
            s,
            &["getPodResourceWildcardMatching"],
        );
        check(
            "subresource",
            Request,
            s,
            s,
            &["getPodSubResourceWildcardMatching"],
        );

        check("Unauthorized", None, s, s, &["tims"]);
        check("Unauthorized", Metadata, s, s, &["tims", "default"]);
        check("Unauthorized", None, s, s, &["humans"]);
        check("Unauthorized", Metadata, s, s, &["humans", "default"]);
    }

    #[test]
    fn upstream_checker_table() {
        use Stage::*;
        audit_levels(&[]);
        let rr = [RequestReceived];
        let panic_only = [RequestReceived, ResponseStarted, ResponseComplete];
        for req in ["namespaced", "cluster", "nonResource"] {
            check(
                req,
                Level::Request,
                &[],
                &rr,
                &["omit RequestReceived", "getPods", "default"],
            );
            check(
                req,
                Level::Request,
                &[],
                &panic_only,
                &["only audit panic", "getPods", "default"],
            );
        }
    }

    #[test]
    fn upstream_checker_table_with_policy_stages() {
        use Stage::*;
        let ps = [RequestReceived, ResponseStarted];
        audit_levels(&ps);
        let all3 = [RequestReceived, ResponseStarted, ResponseComplete];
        for req in ["namespaced", "cluster"] {
            check(
                req,
                Level::Request,
                &ps,
                &ps,
                &["omit RequestReceived", "getPods", "default"],
            );
            check(
                req,
                Level::Request,
                &ps,
                &all3,
                &["only audit panic", "getPods", "default"],
            );
        }
        check(
            "nonResource",
            Level::Metadata,
            &ps,
            &ps,
            &["default", "omit RequestReceived", "getPods"],
        );
        check(
            "nonResource",
            Level::Request,
            &ps,
            &all3,
            &["only audit panic", "getPods", "default"],
        );
    }

    #[test]
    fn wildcards_upstream_leaves_untested() {
        // `pods/*` matches the parent resource too (upstream compares only
        // the resource); `*/log` does not match the parent; group "*"
        // matches every group; a trailing `*` is a plain prefix.
        let p = policy(&[], &["getPodSubResourceWildcardMatching"]);
        assert_eq!(p.evaluate(&request("namespaced")).level, Level::Request);
        let p = policy(&[], &["getPodResourceWildcardMatching"]);
        assert_eq!(p.evaluate(&request("namespaced")).level, Level::None);
        let any_group = Policy::new(
            parse("rules:\n- level: Request\n  resources: [{group: \"*\", resources: [clusterroles]}]\n", "t").unwrap(),
        );
        assert_eq!(
            any_group.evaluate(&request("cluster")).level,
            Level::Request
        );
        let mut foo = request("nonResource");
        foo.path = "/logsfoo".into();
        assert_eq!(
            policy(&[], &["getLogs"]).evaluate(&foo).level,
            Level::RequestResponse
        );
    }

    #[test]
    fn omit_managed_fields_rule_overrides_policy() {
        let p = |text: &str| Policy::new(parse(text, "t").unwrap());
        let get = request("namespaced");
        assert!(
            !p("rules:\n- level: Metadata\n")
                .evaluate(&get)
                .omit_managed_fields
        );
        assert!(
            p("omitManagedFields: true\nrules:\n- level: Metadata\n")
                .evaluate(&get)
                .omit_managed_fields
        );
        assert!(
            !p("omitManagedFields: true\nrules:\n- level: Metadata\n  omitManagedFields: false\n")
                .evaluate(&get)
                .omit_managed_fields
        );
        assert!(
            p("rules:\n- level: Metadata\n  omitManagedFields: true\n")
                .evaluate(&get)
                .omit_managed_fields
        );
    }
}
