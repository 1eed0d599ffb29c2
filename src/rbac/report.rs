//! The usage view of `kaq rbac --usage`: each request with its counts, and,
//! with `--existing`, each binding that applies to the subject with which of
//! its rules were used (how often, last when) and which never were.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::authz::{Grant, Rule};
use super::request::{Request, Target};
use super::run::Findings;
use crate::output::columns::sanitize;
use crate::output::table::{write_table, Layout};
use crate::time::{format_micros, Micros};

/// One rule of a binding: how many of the granted requests it allows, and
/// the latest.
pub struct RuleUse<'a> {
    pub rule: &'a Rule,
    pub from: Option<&'a str>,
    pub requests: u64,
    pub last: Option<Micros>,
}

/// Each rule of `grant`, with its use.
pub fn rule_uses<'a>(found: &Findings<'_>, grant: &'a Grant) -> Vec<RuleUse<'a>> {
    let mut uses: Vec<RuleUse<'a>> = grant
        .rules
        .iter()
        .map(|(rule, from)| RuleUse {
            rule,
            from: from.as_deref(),
            requests: 0,
            last: None,
        })
        .collect();
    for (r, t) in found.granted() {
        for i in grant.allowing(r) {
            let u = &mut uses[i];
            u.requests += found.job.counted(t);
            u.last = Some(u.last.map_or(t.last, |l| l.max(t.last)));
        }
    }
    uses
}

fn time(t: Micros) -> String {
    if t == 0 {
        "-".into()
    } else {
        format_micros(t)
    }
}

fn request_json(r: &Request) -> Value {
    match &r.target {
        Target::NonResource { path } => json!({"verb": r.verb, "nonResourceURL": path}),
        Target::Resource {
            namespace,
            api_group,
            resource,
            subresource,
            name,
        } => json!({
            "verb": r.verb,
            "namespace": namespace,
            "apiGroup": api_group,
            "resource": resource,
            "subresource": subresource,
            "name": name,
        }),
    }
}

fn rule_json(r: &Rule) -> Value {
    let mut o = serde_json::Map::new();
    for (k, v) in [
        ("apiGroups", &r.api_groups),
        ("resources", &r.resources),
        ("resourceNames", &r.resource_names),
        ("nonResourceURLs", &r.non_resource_urls),
        ("verbs", &r.verbs),
    ] {
        if !v.is_empty() || (k == "verbs") {
            o.insert(k.into(), json!(v));
        }
    }
    Value::Object(o)
}

/// The bindings (of the dump) that allow `r`, by title.
fn granted_by(found: &Findings<'_>, r: &Request) -> Vec<String> {
    found
        .grants
        .iter()
        .filter(|g| g.allows(r))
        .map(|g| g.binding.title())
        .collect()
}

/// Writes the usage view, as tables or as one JSON object.
pub fn write(
    found: &Findings<'_>,
    as_json: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let existing = found.job.existing.is_some();
    if as_json {
        let requests: Vec<Value> = found
            .tallies
            .iter()
            .map(|(r, t)| {
                let mut v = request_json(r);
                v["allowed"] = json!(t.allowed);
                v["denied"] = json!(t.denied);
                v["undecided"] = json!(t.undecided);
                v["lastSeen"] = json!((t.last != 0).then(|| format_micros(t.last)));
                if existing {
                    v["grantedBy"] = json!(granted_by(found, r));
                }
                v
            })
            .collect();
        let bindings: Vec<Value> = found
            .grants
            .iter()
            .map(|g| {
                let rules: Vec<Value> = rule_uses(found, g)
                    .iter()
                    .map(|u| {
                        json!({
                            "rule": rule_json(u.rule),
                            "aggregatedFrom": u.from,
                            "requests": u.requests,
                            "used": u.requests > 0,
                            "lastSeen": u.last.filter(|&l| l != 0).map(format_micros),
                        })
                    })
                    .collect();
                json!({
                    "kind": if g.binding.namespace.is_some() { "RoleBinding" } else { "ClusterRoleBinding" },
                    "namespace": g.binding.namespace,
                    "name": g.binding.name,
                    "roleRef": {"kind": g.binding.role_kind, "name": g.binding.role_name},
                    "roleFound": !g.missing_role,
                    "rules": rules,
                })
            })
            .collect();
        let mut doc = json!({
            "subject": found.job.subject.describe(),
            "requests": requests,
        });
        if let Some((name, _)) = &found.job.existing {
            doc["existing"] = json!(name);
            doc["bindings"] = json!(bindings);
        }
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "Requests of {}:",
        sanitize(found.job.subject.describe())
    )?;
    writeln!(out)?;
    let mut titles = vec!["REQUEST", "ALLOWED", "DENIED", "UNDECIDED", "LAST SEEN"];
    if existing {
        titles.push("GRANTED BY");
    }
    let rows: Vec<Vec<String>> = found
        .tallies
        .iter()
        .map(|(r, t)| {
            let mut row = vec![
                r.to_string(),
                t.allowed.to_string(),
                t.denied.to_string(),
                t.undecided.to_string(),
                time(t.last),
            ];
            if existing {
                let by = granted_by(found, r);
                row.push(if by.is_empty() {
                    "-".into()
                } else {
                    by.join(", ")
                });
            }
            row.into_iter().map(sanitize).collect()
        })
        .collect();
    table(&titles, rows, width, out)?;
    if found.job.existing.is_none() {
        return Ok(());
    }
    writeln!(out)?;
    write_bindings(found, width, out)
}

/// With `--existing`: each binding that applies to the subject, rule by
/// rule, with how often and when last each rule was used, and how many
/// never were. The second half of the usage table, and what a run that
/// prints YAML writes on stderr.
pub fn write_bindings(
    found: &Findings<'_>,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some((name, _)) = &found.job.existing else {
        return Ok(());
    };
    if found.grants.is_empty() {
        return writeln!(
            out,
            "No binding in {} applies to {}.",
            sanitize(name.clone()),
            sanitize(found.job.subject.describe())
        );
    }
    writeln!(
        out,
        "Bindings in {} that apply to {}, rule by rule:",
        sanitize(name.clone()),
        sanitize(found.job.subject.describe())
    )?;
    writeln!(out)?;
    let mut rows = Vec::new();
    let mut unused = 0;
    for g in &found.grants {
        let role = format!("{} {}", g.binding.role_kind, g.binding.role_name);
        if g.missing_role {
            rows.push(vec![
                g.binding.title(),
                role.clone(),
                "(role not in the dump)".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        for u in rule_uses(found, g) {
            let mut rule = u.rule.describe();
            if let Some(from) = u.from {
                rule.push_str(&format!(" via {from}"));
            }
            if u.requests == 0 {
                unused += 1;
            }
            rows.push(vec![
                g.binding.title(),
                role.clone(),
                rule,
                u.requests.to_string(),
                u.last.map_or_else(|| "never".into(), time),
            ]);
        }
    }
    let rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(sanitize).collect())
        .collect();
    table(
        &["BINDING", "ROLE", "RULE", "REQUESTS", "LAST SEEN"],
        rows,
        width,
        out,
    )?;
    writeln!(out)?;
    match unused {
        1 => writeln!(out, "1 granted rule was never used in the events read."),
        n => writeln!(out, "{n} granted rules were never used in the events read."),
    }
}

fn table(
    titles: &[&str],
    rows: Vec<Vec<String>>,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let titles: Vec<String> = titles.iter().map(|t| t.to_string()).collect();
    let compact: Vec<bool> = titles
        .iter()
        .map(|t| t != "REQUEST" && t != "RULE" && t != "GRANTED BY")
        .collect();
    let layout = Layout {
        titles: &titles,
        compact: &compact,
        width,
        color: false,
    };
    write_table(&layout, rows, |_, _, t| comfy_table::Cell::new(t), out)
}
