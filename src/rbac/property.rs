//! The property of `kaq rbac`'s output, on random request sets: every
//! request is allowed by the generated YAML (read back as a dump and
//! evaluated by the authorizer), and nothing else is, beyond what an expand
//! flag asks for. A seeded generator: the same cases every run.

use std::collections::BTreeSet;

use super::authz::Identity;
use super::generate::{roles, yaml, BindTo, Expand, Naming};
use super::request::{Request, Target};

/// xorshift64*: enough randomness for test cases, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

const NAMESPACES: [&str; 4] = ["", "a", "b", "c"];
const GROUPS: [&str; 2] = ["", "apps"];
const RESOURCES: [&str; 4] = ["pods", "secrets", "deployments", "*"];
const SUBRESOURCES: [&str; 4] = ["", "", "log", "scale"];
const VERBS: [&str; 6] = ["get", "list", "watch", "create", "update", "delete"];
const NAMES: [&str; 4] = ["", "x", "y", "z\"\n- q: '*'"];
const PATHS: [&str; 4] = ["/healthz", "/metrics", "/apis/x", "/apis*"];
const URL_VERBS: [&str; 2] = ["get", "post"];

/// A request as `kaq rbac` would take it from an event: a create without a
/// subresource names nothing.
fn request(ns: &str, g: &str, r: &str, sub: &str, verb: &str, name: &str) -> Request {
    let name = if verb == "create" && sub.is_empty() {
        ""
    } else {
        name
    };
    Request::resource(verb, ns, g, r, sub, name)
}

fn universe() -> Vec<Request> {
    let mut all = Vec::new();
    for ns in NAMESPACES {
        for g in GROUPS {
            for r in RESOURCES {
                for sub in ["", "log", "scale"] {
                    for verb in VERBS {
                        for name in NAMES {
                            all.push(request(ns, g, r, sub, verb, name));
                        }
                    }
                }
            }
        }
    }
    for p in PATHS {
        for v in URL_VERBS {
            all.push(Request::non_resource(v, p));
        }
    }
    all
}

/// (group, resource, subresource, verb): the access, without where and on
/// what.
fn access(r: &Request) -> Option<(&str, &str, &str, &str)> {
    match &r.target {
        Target::Resource {
            api_group,
            resource,
            subresource,
            ..
        } => Some((api_group, resource, subresource, &r.verb)),
        Target::NonResource { .. } => None,
    }
}

fn name_of(r: &Request) -> &str {
    match &r.target {
        Target::Resource { name, .. } => name,
        Target::NonResource { .. } => "",
    }
}

/// Whether granting `set` may allow `c`: some request of the same access
/// covers its namespace (the same one; a cluster-wide request covers all;
/// with --expand-multi-namespace, an access seen in two namespaces covers
/// all) and its name (the same; an unnamed request covers all; with
/// --expand-multi-name, an access seen on two names covers all).
fn justified(c: &Request, set: &BTreeSet<Request>, expand: Expand) -> bool {
    let Some(want) = access(c) else {
        return set.contains(c);
    };
    let same: Vec<&Request> = set.iter().filter(|q| access(q) == Some(want)).collect();
    let spaces: BTreeSet<&str> = same
        .iter()
        .map(|q| q.namespace())
        .filter(|n| !n.is_empty())
        .collect();
    same.iter().any(|q| {
        let ns_ok = q.namespace() == c.namespace()
            || q.namespace().is_empty()
            || (expand.multi_namespace && spaces.len() > 1);
        let names: BTreeSet<&str> = same
            .iter()
            .filter(|o| expand.multi_namespace || o.namespace() == q.namespace())
            .map(|o| name_of(o))
            .filter(|n| !n.is_empty())
            .collect();
        let name_ok = name_of(q) == name_of(c)
            || name_of(q).is_empty()
            || (expand.multi_name && names.len() > 1);
        ns_ok && name_ok
    })
}

#[test]
fn generated_rules_allow_exactly_the_requests() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let all = universe();
    for case in 0..300 {
        let n = 1 + rng.next() % 12;
        let mut set = BTreeSet::new();
        for _ in 0..n {
            if rng.next() % 6 == 0 {
                set.insert(Request::non_resource(
                    rng.pick(&URL_VERBS),
                    rng.pick(&PATHS),
                ));
            } else {
                set.insert(request(
                    rng.pick(&NAMESPACES),
                    rng.pick(&GROUPS),
                    rng.pick(&RESOURCES),
                    rng.pick(&SUBRESOURCES),
                    rng.pick(&VERBS),
                    rng.pick(&NAMES),
                ));
            }
        }
        let expand = Expand {
            multi_namespace: case % 4 == 1 || case % 4 == 3,
            multi_name: case % 4 >= 2,
        };
        let naming = Naming {
            name: "kaq:u\"\n- x".into(),
            labels: vec![("kaq/generated".into(), "true".into())],
            annotations: vec![],
            subject: BindTo::User("u".into()),
        };
        let generated = roles(&set, expand);
        if generated.is_empty() {
            // Only requests no rule can grant alone.
            assert!(
                !set.iter().any(super::generate::expressible),
                "case {case}: nothing generated for {set:#?}"
            );
            continue;
        }
        let text = yaml(&generated, &naming);
        let rbac = super::dump::parse(&text, "generated")
            .unwrap_or_else(|e| panic!("case {case}: {e}\n{text}"));
        let grants = rbac.grants(&Identity::user("u", []));
        let allowed = |r: &Request| grants.iter().any(|g| g.allows(r));
        // A request with a `*` RBAC would read as a wildcard is left out
        // (and then must not be allowed either, unless another grants it).
        for r in &set {
            if super::generate::expressible(r) {
                assert!(allowed(r), "case {case}: {r} not allowed by\n{text}");
            }
        }
        let set: BTreeSet<Request> = set
            .into_iter()
            .filter(super::generate::expressible)
            .collect();
        for c in &all {
            if allowed(c) {
                assert!(
                    justified(c, &set, expand),
                    "case {case} ({expand:?}): {c} allowed by\n{text}\nfor {set:#?}"
                );
            }
        }
        // The Roles are named as asked, in their namespaces, and bound.
        for b in &rbac.bindings {
            assert_eq!(b.name, naming.name);
            assert_eq!(b.role_name, naming.name);
        }
    }
}
