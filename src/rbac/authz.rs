//! Whether RBAC allows a request: the Kubernetes RBAC authorizer's matching
//! rules, on the objects of an RBAC dump.
//!
//! - A rule's `verbs`, `apiGroups` and `resources` match by equality or `*`;
//!   a resource entry `pods/log` matches that subresource only, `*/scale`
//!   the subresource of any resource, and `*` everything, subresources
//!   included.
//! - `resourceNames`, when present, must contain the request's name: a
//!   request that names no object (create, list) never matches it.
//! - `nonResourceURLs` match by equality, `*`, or a prefix ending in `*`.
//! - A ClusterRole with an `aggregationRule` also has the rules of every
//!   ClusterRole whose labels match one of its selectors (as the controller
//!   would fill them in; transitively).
//! - A RoleBinding grants in its own namespace only; a ClusterRoleBinding
//!   everywhere, non-resource URLs included (a RoleBinding never grants
//!   those, nor cluster-scoped resources).
//! - A binding applies to a user by name, to a group the user is in, and to
//!   a service account `NS:NAME` as the user `system:serviceaccount:NS:NAME`
//!   (whose groups include `system:serviceaccounts` and
//!   `system:serviceaccounts:NS`); a ServiceAccount subject without a
//!   namespace is in its RoleBinding's. Every user but `system:anonymous`
//!   is in `system:authenticated`.

use std::collections::{BTreeMap, BTreeSet};

use super::request::{Request, Target};

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

impl Rule {
    /// Whether this rule allows `r` (scope aside: that is the binding's).
    pub fn allows(&self, r: &Request) -> bool {
        if !has(&self.verbs, &r.verb) {
            return false;
        }
        match &r.target {
            // A trailing run of `*` is a prefix (strings.TrimRight).
            Target::NonResource { path } => self.non_resource_urls.iter().any(|u| {
                u == "*"
                    || u == path
                    || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
            }),
            Target::Resource {
                api_group,
                resource,
                subresource,
                name,
                ..
            } => {
                has(&self.api_groups, api_group)
                    && self.resources.iter().any(|x| {
                        x == "*"
                            || (subresource.is_empty() && x == resource)
                            || (!subresource.is_empty()
                                && (x
                                    .strip_prefix(resource.as_str())
                                    .and_then(|t| t.strip_prefix('/'))
                                    == Some(subresource.as_str())
                                    || x.strip_prefix("*/") == Some(subresource.as_str())))
                    })
                    && (self.resource_names.is_empty()
                        || self.resource_names.iter().any(|n| n == name))
            }
        }
    }

    /// `get,list pods,pods/log [web-1]`, `get /healthz,/metrics`, for tables.
    pub fn describe(&self) -> String {
        let verbs = self.verbs.join(",");
        if !self.non_resource_urls.is_empty() {
            return format!("{verbs} {}", self.non_resource_urls.join(","));
        }
        let groups: Vec<&str> = self
            .api_groups
            .iter()
            .map(|g| if g.is_empty() { "core" } else { g.as_str() })
            .collect();
        let mut s = format!(
            "{verbs} {} ({})",
            self.resources.join(","),
            groups.join(",")
        );
        if !self.resource_names.is_empty() {
            s.push_str(&format!(" [{}]", self.resource_names.join(",")));
        }
        s
    }
}

/// A label selector of an aggregationRule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
    /// (key, operator, values): In, NotIn, Exists, DoesNotExist.
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|(k, op, values)| {
                let v = labels.get(k);
                match op.as_str() {
                    "In" => v.is_some_and(|v| values.contains(v)),
                    "NotIn" => v.is_none_or(|v| !values.contains(v)),
                    "Exists" => v.is_some(),
                    "DoesNotExist" => v.is_none(),
                    _ => false,
                }
            })
    }
}

/// A Role (namespace set) or ClusterRole (no namespace).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Role {
    pub namespace: Option<String>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<Rule>,
    /// The clusterRoleSelectors of an aggregationRule (ClusterRoles only).
    pub aggregation: Option<Vec<Selector>>,
}

/// A subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// A RoleBinding (namespace set) or ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub namespace: Option<String>,
    pub name: String,
    /// `Role` or `ClusterRole`.
    pub role_kind: String,
    pub role_name: String,
    pub subjects: Vec<Subject>,
}

impl Binding {
    /// `RoleBinding shop/web`, `ClusterRoleBinding admins`.
    pub fn title(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("RoleBinding {ns}/{}", self.name),
            None => format!("ClusterRoleBinding {}", self.name),
        }
    }
}

/// Who asks: a user name and its groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub user: Option<String>,
    pub groups: BTreeSet<String>,
}

impl Identity {
    /// A user; a service account's user name brings its two groups, and
    /// every user but `system:anonymous` is in `system:authenticated` (the
    /// authenticator adds it, whether or not the events list it).
    pub fn user(name: &str, groups: impl IntoIterator<Item = String>) -> Identity {
        let mut groups: BTreeSet<String> = groups.into_iter().collect();
        if name != "system:anonymous" {
            groups.insert("system:authenticated".to_string());
        }
        if let Some(rest) = name.strip_prefix("system:serviceaccount:") {
            if let Some((ns, _)) = rest.split_once(':') {
                groups.insert("system:serviceaccounts".to_string());
                groups.insert(format!("system:serviceaccounts:{ns}"));
            }
        }
        Identity {
            user: Some(name.to_string()),
            groups,
        }
    }

    /// Any member of a group: the group, `system:authenticated` (unless the
    /// group is `system:unauthenticated`), and `system:serviceaccounts` for
    /// the members of `system:serviceaccounts:NS`.
    pub fn group(name: &str) -> Identity {
        let mut groups = BTreeSet::from([name.to_string()]);
        if name != "system:unauthenticated" {
            groups.insert("system:authenticated".to_string());
        }
        if name.starts_with("system:serviceaccounts:") {
            groups.insert("system:serviceaccounts".to_string());
        }
        Identity { user: None, groups }
    }

    /// Whether subject `s` of a binding in `namespace` (`None`: a
    /// ClusterRoleBinding) is this identity. A ServiceAccount subject
    /// without a namespace is in the RoleBinding's.
    fn is(&self, s: &Subject, namespace: Option<&str>) -> bool {
        match s.kind.as_str() {
            "User" => self.user.as_deref() == Some(s.name.as_str()),
            "Group" => self.groups.contains(&s.name),
            "ServiceAccount" => {
                let ns = if s.namespace.is_empty() {
                    namespace.unwrap_or_default()
                } else {
                    s.namespace.as_str()
                };
                !ns.is_empty()
                    && self.user.as_deref()
                        == Some(format!("system:serviceaccount:{ns}:{}", s.name).as_str())
            }
            _ => false,
        }
    }
}

/// The roles and bindings of a dump.
#[derive(Debug, Clone, Default)]
pub struct Rbac {
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
}

/// A binding that applies to the subject, with the rules it grants.
#[derive(Debug, Clone)]
pub struct Grant {
    pub binding: Binding,
    /// The rules, each with the ClusterRole it was aggregated from (`None`:
    /// the bound role's own). Empty when the role is not in the dump.
    pub rules: Vec<(Rule, Option<String>)>,
    /// The bound role was not in the dump.
    pub missing_role: bool,
}

impl Grant {
    /// Whether the binding's scope covers `r`: a RoleBinding only resource
    /// requests in its namespace.
    pub fn in_scope(&self, r: &Request) -> bool {
        match &self.binding.namespace {
            None => true,
            Some(ns) => matches!(&r.target, Target::Resource { namespace, .. } if namespace == ns),
        }
    }

    /// The indexes of the rules that allow `r`.
    pub fn allowing<'a>(&'a self, r: &'a Request) -> impl Iterator<Item = usize> + 'a {
        let scoped = self.in_scope(r);
        self.rules
            .iter()
            .enumerate()
            .filter(move |(_, (rule, _))| scoped && rule.allows(r))
            .map(|(i, _)| i)
    }

    pub fn allows(&self, r: &Request) -> bool {
        self.allowing(r).next().is_some()
    }
}

impl Rbac {
    /// A ClusterRole's rules with those aggregated into it, each with the
    /// role it came from; `seen` guards against selector cycles.
    fn cluster_rules(
        &self,
        name: &str,
        seen: &mut BTreeSet<String>,
    ) -> Vec<(Rule, Option<String>)> {
        let Some(role) = self
            .roles
            .iter()
            .find(|r| r.namespace.is_none() && r.name == name)
        else {
            return Vec::new();
        };
        seen.insert(name.to_string());
        let mut rules: Vec<(Rule, Option<String>)> =
            role.rules.iter().map(|r| (r.clone(), None)).collect();
        if let Some(selectors) = &role.aggregation {
            for other in &self.roles {
                if other.namespace.is_some()
                    || seen.contains(&other.name)
                    || !selectors.iter().any(|s| s.matches(&other.labels))
                {
                    continue;
                }
                for (rule, from) in self.cluster_rules(&other.name, seen) {
                    // The controller copies these rules into the aggregated
                    // role: a dump taken from a cluster already lists them.
                    if !rules.iter().any(|(r, _)| *r == rule) {
                        rules.push((rule, Some(from.unwrap_or_else(|| other.name.clone()))));
                    }
                }
            }
        }
        rules
    }

    /// The bindings that apply to `who`, in the dump's order.
    pub fn grants(&self, who: &Identity) -> Vec<Grant> {
        self.bindings
            .iter()
            .filter(|b| b.subjects.iter().any(|s| who.is(s, b.namespace.as_deref())))
            .map(|b| {
                let role = match (b.role_kind.as_str(), &b.namespace) {
                    ("Role", Some(ns)) => self
                        .roles
                        .iter()
                        .find(|r| r.namespace.as_deref() == Some(ns) && r.name == b.role_name)
                        .map(|r| r.rules.iter().map(|x| (x.clone(), None)).collect()),
                    ("ClusterRole", _)
                        if self
                            .roles
                            .iter()
                            .any(|r| r.namespace.is_none() && r.name == b.role_name) =>
                    {
                        Some(self.cluster_rules(&b.role_name, &mut BTreeSet::new()))
                    }
                    _ => None,
                };
                Grant {
                    binding: b.clone(),
                    missing_role: role.is_none(),
                    rules: role.unwrap_or_default(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> Rule {
        Rule {
            verbs: s(verbs),
            api_groups: s(groups),
            resources: s(resources),
            resource_names: s(names),
            non_resource_urls: vec![],
        }
    }

    fn get(ns: &str, group: &str, res: &str, sub: &str, name: &str) -> Request {
        Request::resource("get", ns, group, res, sub, name)
    }

    #[test]
    fn verbs_groups_and_resources_match_exactly_or_by_star() {
        let r = rule(&["get", "list"], &[""], &["pods"], &[]);
        assert!(r.allows(&get("a", "", "pods", "", "x")));
        assert!(!r.allows(&get("a", "apps", "pods", "", "x")));
        assert!(!r.allows(&get("a", "", "secrets", "", "x")));
        assert!(!r.allows(&Request::resource("delete", "a", "", "pods", "", "x")));
        let star = rule(&["*"], &["*"], &["*"], &[]);
        assert!(star.allows(&Request::resource(
            "escalate",
            "",
            "rbac.authorization.k8s.io",
            "clusterroles",
            "",
            "x"
        )));
        assert!(star.allows(&get("a", "", "pods", "exec", "x")));
        // A resource rule never allows a non-resource URL.
        assert!(!star.allows(&Request::non_resource("get", "/healthz")));
    }

    #[test]
    fn subresources_need_their_own_entry_or_star_slash() {
        let pods = rule(&["get"], &[""], &["pods"], &[]);
        assert!(!pods.allows(&get("a", "", "pods", "log", "x")));
        let log = rule(&["get"], &[""], &["pods/log"], &[]);
        assert!(log.allows(&get("a", "", "pods", "log", "x")));
        assert!(!log.allows(&get("a", "", "pods", "", "x")));
        assert!(!log.allows(&get("a", "", "pods", "exec", "x")));
        // `pods/log` does not match a resource that merely starts with `pods`.
        assert!(!log.allows(&get("a", "", "podsx", "log", "x")));
        let any_scale = rule(&["get"], &["*"], &["*/scale"], &[]);
        assert!(any_scale.allows(&get("a", "apps", "deployments", "scale", "x")));
        assert!(!any_scale.allows(&get("a", "apps", "deployments", "", "x")));
        assert!(!any_scale.allows(&get("a", "apps", "deployments", "status", "x")));
    }

    #[test]
    fn resource_names_need_a_name() {
        let r = rule(&["get", "create", "list"], &[""], &["configmaps"], &["cfg"]);
        assert!(r.allows(&get("a", "", "configmaps", "", "cfg")));
        assert!(!r.allows(&get("a", "", "configmaps", "", "other")));
        assert!(!r.allows(&Request::resource("create", "a", "", "configmaps", "", "")));
        assert!(!r.allows(&Request::resource("list", "a", "", "configmaps", "", "")));
    }

    #[test]
    fn non_resource_urls_match_exactly_or_by_prefix_star() {
        let r = Rule {
            verbs: s(&["get"]),
            non_resource_urls: s(&["/healthz", "/apis/*"]),
            ..Rule::default()
        };
        assert!(r.allows(&Request::non_resource("get", "/healthz")));
        assert!(!r.allows(&Request::non_resource("get", "/healthz/ping")));
        assert!(r.allows(&Request::non_resource("get", "/apis/apps/v1")));
        assert!(r.allows(&Request::non_resource("get", "/apis/")));
        assert!(!r.allows(&Request::non_resource("get", "/apis")));
        assert!(!r.allows(&Request::non_resource("post", "/healthz")));
        assert!(!r.allows(&get("", "", "healthz", "", "")));
    }

    fn binding(ns: Option<&str>, kind: &str, role: &str, subjects: Vec<Subject>) -> Binding {
        Binding {
            namespace: ns.map(str::to_string),
            name: format!("b-{role}"),
            role_kind: kind.to_string(),
            role_name: role.to_string(),
            subjects,
        }
    }

    fn subject(kind: &str, name: &str, ns: &str) -> Subject {
        Subject {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: ns.to_string(),
        }
    }

    #[test]
    fn bindings_apply_to_users_groups_and_service_accounts() {
        let role = Role {
            name: "r".into(),
            rules: vec![rule(&["get"], &[""], &["pods"], &[])],
            ..Role::default()
        };
        let rbac = Rbac {
            roles: vec![role],
            bindings: vec![
                binding(None, "ClusterRole", "r", vec![subject("User", "alice", "")]),
                binding(None, "ClusterRole", "r", vec![subject("Group", "dev", "")]),
                binding(
                    None,
                    "ClusterRole",
                    "r",
                    vec![subject("ServiceAccount", "sa", "ci")],
                ),
                binding(
                    None,
                    "ClusterRole",
                    "r",
                    vec![subject("Group", "system:serviceaccounts:ci", "")],
                ),
                binding(
                    None,
                    "ClusterRole",
                    "r",
                    vec![subject("Group", "system:serviceaccounts", "")],
                ),
            ],
        };
        let n = |who: &Identity| rbac.grants(who).len();
        assert_eq!(n(&Identity::user("alice", [])), 1);
        assert_eq!(n(&Identity::user("bob", ["dev".to_string()])), 1);
        assert_eq!(n(&Identity::user("bob", [])), 0);
        assert_eq!(n(&Identity::user("system:serviceaccount:ci:sa", [])), 3);
        assert_eq!(n(&Identity::user("system:serviceaccount:prod:sa", [])), 1);
        let group_only = Identity {
            user: None,
            groups: ["dev".to_string()].into(),
        };
        assert_eq!(n(&group_only), 1);
    }

    #[test]
    fn role_bindings_grant_in_their_namespace_only() {
        let rbac = Rbac {
            roles: vec![Role {
                name: "view".into(),
                rules: vec![rule(&["get"], &["*"], &["*"], &[])],
                ..Role::default()
            }],
            bindings: vec![binding(
                Some("shop"),
                "ClusterRole",
                "view",
                vec![subject("User", "u", "")],
            )],
        };
        let g = &rbac.grants(&Identity::user("u", []))[0];
        assert!(g.allows(&get("shop", "", "pods", "", "x")));
        assert!(!g.allows(&get("other", "", "pods", "", "x")));
        assert!(!g.allows(&get("", "", "nodes", "", "n1")));
        let urls = Rbac {
            roles: vec![Role {
                name: "health".into(),
                rules: vec![Rule {
                    verbs: s(&["get"]),
                    non_resource_urls: s(&["*"]),
                    ..Rule::default()
                }],
                ..Role::default()
            }],
            bindings: vec![binding(
                Some("shop"),
                "ClusterRole",
                "health",
                vec![subject("User", "u", "")],
            )],
        };
        assert!(!urls.grants(&Identity::user("u", []))[0]
            .allows(&Request::non_resource("get", "/healthz")));
    }

    #[test]
    fn aggregated_cluster_roles_gather_the_rules_of_the_roles_they_select() {
        let labelled = |name: &str, label: (&str, &str), r: Rule| Role {
            name: name.into(),
            labels: [(label.0.to_string(), label.1.to_string())].into(),
            rules: vec![r],
            ..Role::default()
        };
        let monitoring = Role {
            name: "monitoring".into(),
            aggregation: Some(vec![Selector {
                match_labels: [(
                    "rbac.example.com/aggregate-to-monitoring".to_string(),
                    "true".to_string(),
                )]
                .into(),
                ..Selector::default()
            }]),
            ..Role::default()
        };
        let by_expr = Role {
            name: "by-expr".into(),
            aggregation: Some(vec![Selector {
                match_expressions: vec![("tier".into(), "In".into(), s(&["a", "b"]))],
                ..Selector::default()
            }]),
            ..Role::default()
        };
        let rbac = Rbac {
            roles: vec![
                monitoring,
                by_expr,
                labelled(
                    "pods-reader",
                    ("rbac.example.com/aggregate-to-monitoring", "true"),
                    rule(&["get"], &[""], &["pods"], &[]),
                ),
                labelled(
                    "other",
                    ("rbac.example.com/aggregate-to-monitoring", "false"),
                    rule(&["delete"], &[""], &["pods"], &[]),
                ),
                labelled(
                    "tier-b",
                    ("tier", "b"),
                    rule(&["list"], &[""], &["services"], &[]),
                ),
            ],
            bindings: vec![
                binding(
                    None,
                    "ClusterRole",
                    "monitoring",
                    vec![subject("User", "u", "")],
                ),
                binding(
                    None,
                    "ClusterRole",
                    "by-expr",
                    vec![subject("User", "v", "")],
                ),
            ],
        };
        let g = &rbac.grants(&Identity::user("u", []))[0];
        assert!(g.allows(&get("a", "", "pods", "", "x")));
        assert!(!g.allows(&Request::resource("delete", "a", "", "pods", "", "x")));
        assert_eq!(g.rules[0].1.as_deref(), Some("pods-reader"));
        let g = &rbac.grants(&Identity::user("v", []))[0];
        assert!(g.allows(&Request::resource("list", "a", "", "services", "", "")));
        assert!(!g.allows(&get("a", "", "pods", "", "x")));
    }

    #[test]
    fn a_binding_to_a_missing_role_grants_nothing() {
        let rbac = Rbac {
            roles: vec![],
            bindings: vec![binding(
                None,
                "ClusterRole",
                "gone",
                vec![subject("User", "u", "")],
            )],
        };
        let g = &rbac.grants(&Identity::user("u", []))[0];
        assert!(g.missing_role);
        assert!(!g.allows(&get("a", "", "pods", "", "x")));
    }
}

/// Subjects and scopes as `appliesToUser` and `NonResourceURLMatches` have
/// them.
#[cfg(test)]
mod subject_tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn pods_reader() -> Role {
        Role {
            name: "r".into(),
            rules: vec![Rule {
                verbs: s(&["get"]),
                api_groups: s(&[""]),
                resources: s(&["pods"]),
                ..Rule::default()
            }],
            ..Role::default()
        }
    }

    fn bound(ns: Option<&str>, kind: &str, name: &str, sns: &str) -> Rbac {
        Rbac {
            roles: vec![pods_reader()],
            bindings: vec![Binding {
                namespace: ns.map(str::to_string),
                name: "b".into(),
                role_kind: "ClusterRole".into(),
                role_name: "r".into(),
                subjects: vec![Subject {
                    kind: kind.into(),
                    name: name.into(),
                    namespace: sns.into(),
                }],
            }],
        }
    }

    #[test]
    fn a_service_account_subject_without_namespace_is_the_role_bindings() {
        // appliesToUser: the subject's namespace defaults to the
        // RoleBinding's own.
        let sa = Identity::user("system:serviceaccount:shop:web", []);
        assert_eq!(
            bound(Some("shop"), "ServiceAccount", "web", "")
                .grants(&sa)
                .len(),
            1
        );
        assert_eq!(
            bound(Some("other"), "ServiceAccount", "web", "")
                .grants(&sa)
                .len(),
            0
        );
        // A ClusterRoleBinding has no namespace to default to.
        assert_eq!(
            bound(None, "ServiceAccount", "web", "").grants(&sa).len(),
            0
        );
        // An explicit namespace wins over the binding's.
        assert_eq!(
            bound(Some("other"), "ServiceAccount", "web", "shop")
                .grants(&sa)
                .len(),
            1
        );
    }

    #[test]
    fn every_authenticated_user_is_in_system_authenticated() {
        let rbac = bound(None, "Group", "system:authenticated", "");
        // Even when the events carried no groups.
        assert_eq!(rbac.grants(&Identity::user("alice", [])).len(), 1);
        assert_eq!(
            rbac.grants(&Identity::user("system:serviceaccount:ci:sa", []))
                .len(),
            1
        );
        // The anonymous user is not.
        assert_eq!(
            rbac.grants(&Identity::user("system:anonymous", [])).len(),
            0
        );
        // Members of a group are authenticated users.
        assert_eq!(rbac.grants(&Identity::group("dev")).len(), 1);
        assert_eq!(
            rbac.grants(&Identity::group("system:unauthenticated"))
                .len(),
            0
        );
        // Members of system:serviceaccounts:NS are in system:serviceaccounts.
        let all_sa = bound(None, "Group", "system:serviceaccounts", "");
        assert_eq!(
            all_sa
                .grants(&Identity::group("system:serviceaccounts:ci"))
                .len(),
            1
        );
        assert_eq!(all_sa.grants(&Identity::group("dev")).len(), 0);
    }

    #[test]
    fn a_selector_ands_its_labels_and_expressions_and_selectors_or() {
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let sel = Selector {
            match_labels: labels(&[("agg", "true")]),
            match_expressions: vec![
                ("tier".into(), "NotIn".into(), s(&["db"])),
                ("team".into(), "Exists".into(), vec![]),
                ("legacy".into(), "DoesNotExist".into(), vec![]),
            ],
        };
        assert!(sel.matches(&labels(&[("agg", "true"), ("team", "a")])));
        assert!(sel.matches(&labels(&[("agg", "true"), ("team", "a"), ("tier", "web")])));
        assert!(!sel.matches(&labels(&[("agg", "true"), ("team", "a"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("agg", "true")])));
        assert!(!sel.matches(&labels(&[("agg", "false"), ("team", "a")])));
        assert!(!sel.matches(&labels(&[("agg", "true"), ("team", "a"), ("legacy", "")])));
        // An empty selector selects every ClusterRole (LabelSelectorAsSelector).
        assert!(Selector::default().matches(&labels(&[])));
        // Several selectors: any one.
        let role = |name: &str, l: &[(&str, &str)], verb: &str| Role {
            name: name.into(),
            labels: labels(l),
            rules: vec![Rule {
                verbs: s(&[verb]),
                api_groups: s(&[""]),
                resources: s(&["pods"]),
                ..Rule::default()
            }],
            ..Role::default()
        };
        let rbac = Rbac {
            roles: vec![
                Role {
                    name: "agg".into(),
                    aggregation: Some(vec![
                        Selector {
                            match_labels: labels(&[("a", "1")]),
                            ..Selector::default()
                        },
                        Selector {
                            match_expressions: vec![("b".into(), "In".into(), s(&["x", "y"]))],
                            ..Selector::default()
                        },
                    ]),
                    ..Role::default()
                },
                role("one", &[("a", "1")], "get"),
                role("two", &[("b", "y")], "list"),
                role("three", &[("b", "z")], "delete"),
            ],
            bindings: vec![Binding {
                namespace: None,
                name: "b".into(),
                role_kind: "ClusterRole".into(),
                role_name: "agg".into(),
                subjects: vec![Subject {
                    kind: "User".into(),
                    name: "u".into(),
                    namespace: String::new(),
                }],
            }],
        };
        let g = &rbac.grants(&Identity::user("u", []))[0];
        let pods = |verb: &str| Request::resource(verb, "a", "", "pods", "", "");
        assert!(g.allows(&pods("get")) && g.allows(&pods("list")));
        assert!(!g.allows(&pods("delete")));
    }

    #[test]
    fn non_resource_urls_trim_every_trailing_star() {
        // NonResourceURLMatches: strings.TrimRight(ruleURL, "*").
        let r = Rule {
            verbs: s(&["get"]),
            non_resource_urls: s(&["/metrics**"]),
            ..Rule::default()
        };
        assert!(r.allows(&Request::non_resource("get", "/metrics/cadvisor")));
        assert!(r.allows(&Request::non_resource("get", "/metrics")));
    }
}
