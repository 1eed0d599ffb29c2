//! From requests to the Roles a person would write, and their YAML.
//!
//! Each request becomes one permission: a scope (its namespace, or the
//! cluster for cluster-scoped resources, requests across all namespaces and
//! non-resource URLs), an apiGroup, `resource[/subresource]`, a verb and,
//! where the request named an object, that name. The expand flags widen
//! them; permissions another one already covers are dropped; what is left
//! is merged into rules: the verbs of one resource and name, the names of
//! one resource and verb set, then the resources that share all of those.
//! Every merge is exact: a rule allows the product of its lists, and each
//! list is built from permissions that share everything else.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::authz::Rule;
use super::request::{combined, Request, Target};

/// The expand flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    /// The same access in several namespaces: allowed in every namespace.
    pub multi_namespace: bool,
    /// The same access to several names: allowed on any name.
    pub multi_name: bool,
}

/// One permission: scope (`None`: cluster-wide), what, verb.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Atom {
    scope: Option<String>,
    what: What,
    verb: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    /// apiGroup, `resource[/subresource]`, name (`None`: any).
    Resource(String, String, Option<String>),
    Url(String),
}

/// The rules to grant: one ClusterRole, and a Role per namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub cluster: Vec<Rule>,
    pub namespaced: BTreeMap<String, Vec<Rule>>,
}

impl Roles {
    pub fn is_empty(&self) -> bool {
        self.cluster.is_empty() && self.namespaced.is_empty()
    }
}

fn atom(r: &Request) -> Atom {
    match &r.target {
        Target::NonResource { path } => Atom {
            scope: None,
            what: What::Url(path.clone()),
            verb: r.verb.clone(),
        },
        Target::Resource {
            namespace,
            api_group,
            resource,
            subresource,
            name,
        } => Atom {
            scope: Some(namespace.clone()).filter(|n| !n.is_empty()),
            what: What::Resource(
                api_group.clone(),
                combined(resource, subresource),
                Some(name.clone()).filter(|n| !n.is_empty()),
            ),
            verb: r.verb.clone(),
        },
    }
}

/// Whether a rule can grant `r` alone. RBAC reads `*` as a wildcard in
/// verbs, apiGroups and resources (`*/scale` too), and a trailing `*` of a
/// non-resource URL as a prefix; a request that has one there (`GET
/// /metrics*` is a valid URL) would be granted with everything the wildcard
/// matches.
pub fn expressible(r: &Request) -> bool {
    r.verb != "*"
        && match &r.target {
            Target::NonResource { path } => !path.ends_with('*'),
            Target::Resource {
                api_group,
                resource,
                ..
            } => api_group != "*" && resource != "*",
        }
}

/// The rules that grant exactly `requests` (widened as `expand` asks); a
/// request that is not [`expressible`] is left out.
pub fn roles<'a>(requests: impl IntoIterator<Item = &'a Request>, expand: Expand) -> Roles {
    // Sorted and deduplicated: the order every later step (and so the
    // output) follows.
    let mut atoms: Vec<Atom> = requests
        .into_iter()
        .filter(|r| expressible(r))
        .map(atom)
        .collect();
    atoms.sort_unstable();
    atoms.dedup();
    if expand.multi_name {
        let mut names: BTreeMap<(Option<String>, String, String, String), usize> = BTreeMap::new();
        for a in &atoms {
            if let What::Resource(g, r, Some(_)) = &a.what {
                *names
                    .entry((a.scope.clone(), g.clone(), r.clone(), a.verb.clone()))
                    .or_default() += 1;
            }
        }
        atoms = atoms
            .into_iter()
            .map(|mut a| {
                if let What::Resource(g, r, n @ Some(_)) = &mut a.what {
                    if names[&(a.scope.clone(), g.clone(), r.clone(), a.verb.clone())] > 1 {
                        *n = None;
                    }
                }
                a
            })
            .collect();
        atoms.sort_unstable();
        atoms.dedup();
    }
    if expand.multi_namespace {
        let mut spaces: BTreeMap<(What, String), usize> = BTreeMap::new();
        for a in atoms.iter().filter(|a| a.scope.is_some()) {
            *spaces.entry((a.what.clone(), a.verb.clone())).or_default() += 1;
        }
        atoms = atoms
            .into_iter()
            .map(|mut a| {
                if a.scope.is_some() && spaces[&(a.what.clone(), a.verb.clone())] > 1 {
                    a.scope = None;
                }
                a
            })
            .collect();
        atoms.sort_unstable();
        atoms.dedup();
    }
    // Drop what another permission covers: a named one where the unnamed
    // one is granted, a namespaced one that the cluster-wide role grants.
    let mut unnamed: BTreeSet<(Option<&str>, &str, &str, &str)> = BTreeSet::new();
    let mut cluster: BTreeSet<(&str, &str, Option<&str>, &str)> = BTreeSet::new();
    for a in &atoms {
        if let What::Resource(g, r, name) = &a.what {
            if name.is_none() {
                unnamed.insert((a.scope.as_deref(), g, r, &a.verb));
            }
            if a.scope.is_none() {
                cluster.insert((g, r, name.as_deref(), &a.verb));
            }
        }
    }
    let covered = |a: &Atom| {
        let What::Resource(g, r, name) = &a.what else {
            return false;
        };
        let v = a.verb.as_str();
        (name.is_some() && unnamed.contains(&(a.scope.as_deref(), g.as_str(), r.as_str(), v)))
            || (a.scope.is_some()
                && (cluster.contains(&(g.as_str(), r.as_str(), name.as_deref(), v))
                    || cluster.contains(&(g.as_str(), r.as_str(), None, v))))
    };
    let kept: Vec<&Atom> = atoms.iter().filter(|a| !covered(a)).collect();
    let mut scopes: BTreeMap<Option<String>, Vec<&Atom>> = BTreeMap::new();
    for a in kept {
        scopes.entry(a.scope.clone()).or_default().push(a);
    }
    let mut out = Roles::default();
    for (scope, atoms) in scopes {
        let rules = compact(&atoms);
        match scope {
            None => out.cluster = rules,
            Some(ns) => {
                out.namespaced.insert(ns, rules);
            }
        }
    }
    out
}

/// Merges one scope's permissions into rules.
fn compact(atoms: &[&Atom]) -> Vec<Rule> {
    let owned = |v: Vec<&str>| -> Vec<String> { v.into_iter().map(str::to_string).collect() };
    // (group, resource, name) → verbs; URL → verbs.
    type Verbs<'a> = BTreeSet<&'a str>;
    let mut verbs: BTreeMap<(&str, &str, Option<&str>), Verbs> = BTreeMap::new();
    let mut url_verbs: BTreeMap<&str, Verbs> = BTreeMap::new();
    for a in atoms {
        match &a.what {
            What::Resource(g, r, n) => {
                verbs
                    .entry((g, r, n.as_deref()))
                    .or_default()
                    .insert(&a.verb);
            }
            What::Url(u) => {
                url_verbs.entry(u).or_default().insert(&a.verb);
            }
        }
    }
    // (group, resource, verbs, named?) → names.
    let mut names: BTreeMap<(&str, &str, Vec<&str>, bool), Vec<&str>> = BTreeMap::new();
    for ((g, r, n), v) in verbs {
        let e = names
            .entry((g, r, v.into_iter().collect(), n.is_some()))
            .or_default();
        e.extend(n);
    }
    // (group, verbs, names) → resources.
    type Shared<'a> = (&'a str, Vec<&'a str>, Vec<&'a str>);
    let mut resources: BTreeMap<Shared, Vec<&str>> = BTreeMap::new();
    for ((g, r, v, _), n) in names {
        resources.entry((g, v, n)).or_default().push(r);
    }
    let mut rules: Vec<Rule> = resources
        .into_iter()
        .map(|((g, verbs, names), resources)| Rule {
            verbs: owned(verbs),
            api_groups: vec![g.to_string()],
            resources: owned(resources),
            resource_names: owned(names),
            non_resource_urls: Vec::new(),
        })
        .collect();
    rules.sort_by(|a, b| {
        (&a.api_groups, &a.resources, &a.resource_names, &a.verbs).cmp(&(
            &b.api_groups,
            &b.resources,
            &b.resource_names,
            &b.verbs,
        ))
    });
    // verbs → URLs.
    let mut urls: BTreeMap<Vec<&str>, Vec<&str>> = BTreeMap::new();
    for (u, v) in url_verbs {
        urls.entry(v.into_iter().collect()).or_default().push(u);
    }
    let mut url_rules: Vec<Rule> = urls
        .into_iter()
        .map(|(verbs, urls)| Rule {
            verbs: owned(verbs),
            non_resource_urls: owned(urls),
            ..Rule::default()
        })
        .collect();
    url_rules.sort_by(|a, b| a.non_resource_urls.cmp(&b.non_resource_urls));
    rules.extend(url_rules);
    rules
}

/// Who the bindings bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindTo {
    User(String),
    Group(String),
    ServiceAccount { namespace: String, name: String },
}

/// The names, labels and annotations of the objects written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub subject: BindTo,
}

/// A YAML double-quoted scalar: quotes, backslashes, line breaks and every
/// control character escaped, so that text from a log never becomes YAML
/// structure.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || ((c as u32) >= 0x7f && (c as u32) <= 0x9f) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // Line and paragraph separators, the byte-order mark, and the
            // two non-characters YAML does not count as printable.
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn metadata(out: &mut String, naming: &Naming, namespace: Option<&str>) {
    out.push_str("metadata:\n");
    let _ = writeln!(out, "  name: {}", quote(&naming.name));
    if let Some(ns) = namespace {
        let _ = writeln!(out, "  namespace: {}", quote(ns));
    }
    for (key, pairs) in [
        ("labels", &naming.labels),
        ("annotations", &naming.annotations),
    ] {
        if !pairs.is_empty() {
            let _ = writeln!(out, "  {key}:");
            for (k, v) in pairs {
                let _ = writeln!(out, "    {}: {}", quote(k), quote(v));
            }
        }
    }
}

fn rules_yaml(out: &mut String, rules: &[Rule]) {
    out.push_str("rules:\n");
    for r in rules {
        if r.non_resource_urls.is_empty() {
            let _ = writeln!(out, "- apiGroups: {}", list(&r.api_groups));
            let _ = writeln!(out, "  resources: {}", list(&r.resources));
            if !r.resource_names.is_empty() {
                let _ = writeln!(out, "  resourceNames: {}", list(&r.resource_names));
            }
        } else {
            let _ = writeln!(out, "- nonResourceURLs: {}", list(&r.non_resource_urls));
        }
        let _ = writeln!(out, "  verbs: {}", list(&r.verbs));
    }
}

fn binding_yaml(out: &mut String, naming: &Naming, namespace: Option<&str>) {
    let (kind, role) = match namespace {
        Some(_) => ("RoleBinding", "Role"),
        None => ("ClusterRoleBinding", "ClusterRole"),
    };
    out.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\n");
    let _ = writeln!(out, "kind: {kind}");
    metadata(out, naming, namespace);
    out.push_str("roleRef:\n  apiGroup: rbac.authorization.k8s.io\n");
    let _ = writeln!(out, "  kind: {role}\n  name: {}", quote(&naming.name));
    out.push_str("subjects:\n");
    match &naming.subject {
        BindTo::User(u) => {
            let _ = writeln!(
                out,
                "- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: {}",
                quote(u)
            );
        }
        BindTo::Group(g) => {
            let _ = writeln!(
                out,
                "- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {}",
                quote(g)
            );
        }
        BindTo::ServiceAccount { namespace, name } => {
            let _ = writeln!(
                out,
                "- kind: ServiceAccount\n  name: {}\n  namespace: {}",
                quote(name),
                quote(namespace)
            );
        }
    }
}

/// The roles as YAML documents for `kubectl apply`: the ClusterRole and its
/// ClusterRoleBinding first, then a Role and RoleBinding per namespace in
/// name order.
pub fn yaml(roles: &Roles, naming: &Naming) -> String {
    let mut out = String::new();
    let role = |out: &mut String, ns: Option<&str>, rules: &[Rule]| {
        out.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\n");
        let _ = writeln!(
            out,
            "kind: {}",
            if ns.is_some() { "Role" } else { "ClusterRole" }
        );
        metadata(out, naming, ns);
        rules_yaml(out, rules);
        binding_yaml(out, naming, ns);
    };
    if !roles.cluster.is_empty() {
        role(&mut out, None, &roles.cluster);
    }
    for (ns, rules) in &roles.namespaced {
        role(&mut out, Some(ns), rules);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_hostile_text_a_scalar() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(
            quote("a\"b\\c\nd: e\r\t\u{1b}[31m\u{7f}\u{85}\u{2028}"),
            "\"a\\\"b\\\\c\\nd: e\\r\\t\\x1b[31m\\x7f\\x85\\u2028\""
        );
        // What the quoting produced reads back as the same string.
        assert_eq!(quote("\u{fffe}\u{ffff}"), "\"\\ufffe\\uffff\"");
        let hostile =
            "x\"\n- apiGroups: [\"*\"]\n  verbs: ['*'] #\u{0}\u{feff}é\u{2029}\u{ffff}: a";
        let back: String = serde_saphyr::from_str(&format!("v: {}", quote(hostile)))
            .map(|m: std::collections::BTreeMap<String, String>| m["v"].clone())
            .unwrap();
        assert_eq!(back, hostile);
    }

    #[test]
    fn a_star_from_the_log_cannot_be_granted_exactly() {
        let ok = |r: Request| expressible(&r);
        assert!(ok(Request::non_resource("get", "/metrics")));
        assert!(ok(Request::non_resource("get", "/a*b")));
        assert!(!ok(Request::non_resource("get", "/metrics*")));
        assert!(!ok(Request::non_resource("get", "*")));
        assert!(!ok(Request::non_resource("*", "/healthz")));
        assert!(ok(Request::resource("get", "a", "", "pods", "", "*")));
        assert!(ok(Request::resource("get", "a", "", "pods", "*", "p")));
        assert!(!ok(Request::resource("get", "a", "", "*", "", "")));
        assert!(!ok(Request::resource("get", "a", "", "*", "scale", "p")));
        assert!(!ok(Request::resource("list", "", "*", "pods", "", "")));
        assert!(!ok(Request::resource("*", "a", "", "pods", "", "")));
        // What it lets through, a rule grants alone: names and subresources
        // are literal.
        let rule = &roles(
            &[Request::resource("get", "a", "", "pods", "*", "*")],
            Expand::default(),
        )
        .namespaced["a"][0];
        assert!(!rule.allows(&Request::resource("get", "a", "", "pods", "log", "*")));
        assert!(!rule.allows(&Request::resource("get", "a", "", "pods", "*", "p")));
    }

    #[test]
    fn merging_groups_verbs_then_names_then_resources() {
        let reqs = [
            Request::resource("get", "a", "", "pods", "", "p1"),
            Request::resource("get", "a", "", "pods", "", "p2"),
            Request::resource("update", "a", "", "pods", "", "p1"),
            Request::resource("list", "a", "", "pods", "", ""),
            Request::resource("list", "a", "", "services", "", ""),
            Request::resource("get", "", "", "nodes", "", "n1"),
        ];
        let roles = roles(&reqs, Expand::default());
        let a = &roles.namespaced["a"];
        let text: Vec<String> = a.iter().map(Rule::describe).collect();
        assert_eq!(
            text,
            [
                "get,update pods (core) [p1]",
                "get pods (core) [p2]",
                "list pods,services (core)",
            ]
        );
        assert_eq!(roles.cluster[0].describe(), "get nodes (core) [n1]");
    }
}
