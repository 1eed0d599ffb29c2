//! `kaq policy lint`: rules that cannot work as meant.
//!
//! Beyond what the API server refuses ([`super::schema::validate`]): rules
//! shadowed by an earlier rule that matches everything they could, a policy
//! with no catch-all (requests no rule names are silently not logged),
//! verbs Kubernetes does not have, and, given logs, users and groups that
//! never appear in them.

use std::collections::BTreeSet;

use super::checker::Policy;
use super::schema::{GroupResources, Issue, RuleSpec};

/// The verbs the API server's authorizer uses.
const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "proxy",
    "connect",
    "impersonate",
    "bind",
    "escalate",
    "use",
    "approve",
    "sign",
    "attest",
];

/// Problems with a loaded policy (it passed validation).
pub fn lint(policy: &Policy) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (j, later) in policy.rules.iter().enumerate() {
        let at = |i: usize| format!("rule {} (line {})", i + 1, policy.rules[i].line);
        if let Some(i) = (0..j).find(|&i| covers(&policy.rules[i].spec, &later.spec)) {
            issues.push(Issue {
                line: Some(later.line),
                message: format!(
                    "{} can never match: {} before it matches every request it would",
                    at(j),
                    at(i)
                ),
            });
        }
        for verb in &later.spec.verbs {
            if !VERBS.contains(&verb.as_str()) {
                issues.push(Issue {
                    line: Some(later.line),
                    message: format!(
                        "{}: {verb:?} is not a Kubernetes verb (verbs are lowercase: get, list, watch, create, update, patch, delete, ...)",
                        at(j)
                    ),
                });
            }
        }
    }
    if !policy.rules.last().is_some_and(|r| matches_all(&r.spec)) {
        issues.push(Issue {
            line: None,
            message: "no catch-all rule: requests no rule names are not logged at all; end with `- level: Metadata` to keep a trail of them".into(),
        });
    }
    issues
}

/// Rules naming users or groups that never appear in the logs read.
pub fn unseen_identities(
    policy: &Policy,
    users: &BTreeSet<String>,
    groups: &BTreeSet<String>,
    impersonated: &BTreeSet<String>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        for (kind, names, seen) in [
            ("user", &rule.spec.users, users),
            ("group", &rule.spec.user_groups, groups),
        ] {
            let missing: Vec<&String> = names.iter().filter(|n| !seen.contains(*n)).collect();
            if !missing.is_empty() {
                let as_impersonated =
                    kind == "user" && missing.iter().all(|m| impersonated.contains(*m));
                issues.push(Issue {
                    line: Some(rule.line),
                    message: format!(
                        "rule {} (line {}): {kind}{} {} never appear{} in the logs{}",
                        i + 1,
                        rule.line,
                        if missing.len() > 1 { "s" } else { "" },
                        missing
                            .iter()
                            .map(|m| format!("{m:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if missing.len() > 1 { "" } else { "s" },
                        if as_impersonated {
                            " as the authenticated user, only as impersonated users (the policy sees who authenticated, not whom they impersonate)"
                        } else {
                            ""
                        },
                    ),
                });
            }
        }
    }
    issues
}

/// A rule with no condition at all.
fn matches_all(r: &RuleSpec) -> bool {
    r.users.is_empty()
        && r.user_groups.is_empty()
        && r.verbs.is_empty()
        && r.resources.is_empty()
        && r.namespaces.is_empty()
        && r.non_resource_urls.is_empty()
}

/// Does `a` match every request `b` could? Conservative: `false` when
/// unsure.
pub fn covers(a: &RuleSpec, b: &RuleSpec) -> bool {
    // An empty list places no condition; otherwise `b` must name a subset.
    let list = |x: &[String], y: &[String]| {
        x.is_empty() || (!y.is_empty() && y.iter().all(|v| x.contains(v)))
    };
    if !list(&a.users, &b.users)
        || !list(&a.user_groups, &b.user_groups)
        || !list(&a.verbs, &b.verbs)
    {
        return false;
    }
    let a_res = !a.resources.is_empty() || !a.namespaces.is_empty();
    let b_res = !b.resources.is_empty() || !b.namespaces.is_empty();
    if a_res {
        // `b` must be limited to resource requests within `a`'s.
        if !b_res {
            return false;
        }
        if !list(&a.namespaces, &b.namespaces) {
            return false;
        }
        if a.resources.is_empty() {
            return true;
        }
        return !b.resources.is_empty()
            && b.resources
                .iter()
                .all(|gb| a.resources.iter().any(|ga| group_covers(ga, gb)));
    }
    if !a.non_resource_urls.is_empty() {
        return !b_res
            && !b.non_resource_urls.is_empty()
            && b.non_resource_urls
                .iter()
                .all(|u| a.non_resource_urls.iter().any(|s| url_covers(s, u)));
    }
    true
}

fn group_covers(a: &GroupResources, b: &GroupResources) -> bool {
    if a.group != "*" && a.group != b.group {
        return false;
    }
    if a.resources.is_empty() {
        return true;
    }
    if b.resources.is_empty() {
        return false;
    }
    let names = a.resource_names.is_empty()
        || (!b.resource_names.is_empty()
            && b.resource_names
                .iter()
                .all(|n| a.resource_names.contains(n)));
    names
        && b.resources.iter().all(|r| {
            a.resources.iter().any(|s| {
                s == r
                    || s == "*"
                    || s.strip_suffix("/*").is_some_and(|parent| {
                        r == parent
                            || r.strip_prefix(parent)
                                .is_some_and(|rest| rest.starts_with('/'))
                    })
                    || s.strip_prefix("*/")
                        .is_some_and(|sub| r.split_once('/').is_some_and(|(_, rsub)| rsub == sub))
            })
        })
}

fn url_covers(spec: &str, url: &str) -> bool {
    spec == "*"
        || spec == url
        || spec
            .strip_suffix('*')
            .is_some_and(|prefix| url.trim_end_matches('*').starts_with(prefix))
}

/// Prints a policy's problems: `file:line: message` lines, or a JSON list
/// for `-o json`/`-o ndjson`.
pub fn print(
    name: &str,
    issues: &[Issue],
    format: crate::output::Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use crate::output::Format;
    if matches!(format, Format::Json | Format::Ndjson) {
        let list: Vec<serde_json::Value> = issues
            .iter()
            .map(|i| serde_json::json!({"file": name, "line": i.line, "message": i.message}))
            .collect();
        let text = serde_json::to_string_pretty(&list).map_err(std::io::Error::other)?;
        return writeln!(out, "{text}");
    }
    issues.iter().try_for_each(|i| match i.line {
        Some(line) => writeln!(out, "{name}:{line}: {}", i.message),
        None => writeln!(out, "{name}: {}", i.message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::schema::parse;

    fn issues(text: &str) -> Vec<String> {
        lint(&Policy::new(parse(text, "p").unwrap()))
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    #[test]
    fn shadowed_rules_and_catch_all() {
        let found = issues(
            "rules:\n- level: None\n  users: [system:kube-proxy]\n  verbs: [watch]\n  resources: [{resources: [endpoints, services]}]\n- level: Metadata\n  users: [system:kube-proxy]\n  verbs: [watch]\n  resources: [{resources: [endpoints]}]\n- level: Request\n  resources: [{group: \"\", resources: [\"pods/*\"]}]\n- level: None\n  resources: [{resources: [pods/log]}]\n- level: None\n  nonResourceURLs: [\"/healthz*\"]\n- level: None\n  nonResourceURLs: [/healthz/ready]\n- level: Metadata\n",
        );
        assert!(
            found[0].starts_with("rule 2 (line 6) can never match: rule 1 (line 2)"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("rule 4 (line 12) can never match: rule 3")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("rule 6 (line 16) can never match: rule 5")),
            "{found:?}"
        );
        assert_eq!(found.len(), 3, "{found:?}");
        let found = issues("rules:\n- level: Metadata\n  verbs: [GET]\n");
        assert!(found[0].contains("not a Kubernetes verb"), "{found:?}");
        assert!(found[1].contains("no catch-all"), "{found:?}");
    }

    #[test]
    fn narrower_earlier_rules_do_not_shadow() {
        let found = issues(
            "rules:\n- level: None\n  users: [a]\n- level: Metadata\n  userGroups: [g]\n- level: None\n  resources: [{group: apps}]\n- level: Request\n  resources: [{group: \"\"}]\n- level: Metadata\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
