//! Printing `kaq policy` results: tables for people, JSON for programs.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::checker::{Policy, Rule};
use super::lint;
use super::run::{Job, Mode, Partial};
use super::schema::{Issue, Level};
use super::simulate::{Amount, Tally};
use crate::output::human_bytes;
use crate::output::table::{write_table, Layout};
use crate::output::Format;

/// One line saying what a rule matches: `Metadata: users system:admin,
/// alice; verbs get, list`.
pub fn describe(rule: &Rule) -> String {
    let r = &rule.spec;
    let mut parts = Vec::new();
    let list = |name: &str, items: &[String]| {
        (!items.is_empty()).then(|| {
            let shown: Vec<String> = items
                .iter()
                .map(|i| {
                    if i.is_empty() {
                        "\"\"".into()
                    } else {
                        i.clone()
                    }
                })
                .collect();
            format!("{name} {}", shown.join(","))
        })
    };
    parts.extend(list("users", &r.users));
    parts.extend(list("groups", &r.user_groups));
    parts.extend(list("verbs", &r.verbs));
    if !r.resources.is_empty() {
        let res: Vec<String> = r
            .resources
            .iter()
            .map(|g| {
                let group = if g.group.is_empty() { "core" } else { &g.group };
                let names = if g.resource_names.is_empty() {
                    String::new()
                } else {
                    format!(" named {}", g.resource_names.join(","))
                };
                if g.resources.is_empty() {
                    format!("{group}/*{names}")
                } else {
                    format!("{group}:{}{names}", g.resources.join(","))
                }
            })
            .collect();
        parts.push(format!("resources {}", res.join(" ")));
    }
    parts.extend(list("namespaces", &r.namespaces));
    parts.extend(list("urls", &r.non_resource_urls));
    if parts.is_empty() {
        parts.push("everything".into());
    }
    parts.join("; ")
}

/// Lint problems: static, plus users and groups never seen when logs were
/// read.
pub fn lint_issues(job: &Job, total: &Partial) -> Vec<Issue> {
    let (_, policy) = &job.policies[0];
    let mut issues = lint::lint(policy);
    if total.tallies.first().is_some_and(|t| t.captured.events > 0) {
        issues.extend(lint::unseen_identities(
            policy,
            &total.users,
            &total.groups,
            &total.impersonated,
        ));
    }
    issues
}

/// Writes the report of a run.
pub fn write(
    job: &Job,
    total: &Partial,
    format: Format,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let empty = Tally::default();
    let tally = |i: usize| total.tallies.get(i).unwrap_or(&empty);
    let json = matches!(format, Format::Json | Format::Ndjson);
    match job.mode {
        Mode::Simulate => {
            let (name, policy) = &job.policies[0];
            if json {
                let v = simulation_json(name, policy, tally(0));
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)
            } else {
                simulation_table(name, policy, tally(0), width, out)
            }
        }
        Mode::Lint => {
            let (name, _) = &job.policies[0];
            let issues = lint_issues(job, total);
            if json {
                let list: Vec<Value> = issues
                    .iter()
                    .map(|i| json!({"file": name, "line": i.line, "message": i.message}))
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)
            } else {
                for i in &issues {
                    match i.line {
                        Some(line) => writeln!(out, "{name}:{line}: {}", i.message)?,
                        None => writeln!(out, "{name}: {}", i.message)?,
                    }
                }
                Ok(())
            }
        }
        Mode::Diff => diff(job, total, json, width, out),
    }
}

/// `simulate --each` as a table.
pub fn each_table(
    rows: Vec<Vec<String>>,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    table(
        &[
            "TIME", "VERB", "OBJECT", "USER", "STAGE", "CAPTURED", "LEVEL", "FATE", "RULE",
        ],
        rows,
        width,
        out,
    )
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn amount(a: Amount) -> Value {
    json!({"events": a.events, "bytes": a.bytes})
}

/// Each rule with its index and what it decided and wrote (zero when it
/// never matched).
fn per_rule<'a>(
    policy: &'a Policy,
    t: &'a Tally,
) -> impl Iterator<Item = (usize, &'a Rule, Amount, Amount)> + 'a {
    policy.rules.iter().enumerate().map(|(i, r)| {
        let (decided, written) = t.by_rule.get(&Some(i)).copied().unwrap_or_default();
        (i, r, decided, written)
    })
}

fn simulation_json(name: &str, policy: &Policy, t: &Tally) -> Value {
    let rules: Vec<Value> = per_rule(policy, t)
        .map(|(i, r, decided, written)| {
            json!({
                "rule": i + 1,
                "line": r.line,
                "level": r.spec.level.name(),
                "matches": describe(r),
                "decided": amount(decided),
                "written": amount(written),
                "short": t.short.get(&Some(i)).copied().unwrap_or(0),
            })
        })
        .collect();
    let (unmatched, _) = t.by_rule.get(&None).copied().unwrap_or_default();
    let levels: serde_json::Map<String, Value> = t
        .by_level
        .iter()
        .map(|(l, (c, w))| {
            (
                l.name().to_string(),
                json!({"captured": amount(*c), "written": amount(*w)}),
            )
        })
        .collect();
    json!({
        "policy": name,
        "captured": amount(t.captured),
        "written": amount(t.written),
        "dropped": amount(t.dropped),
        "stage_omitted": amount(t.stage_omitted),
        "unmatched": amount(unmatched),
        "levels": levels,
        "rules": rules,
        "never_hit": policy.rules.iter().enumerate()
            .filter(|(i, _)| !t.by_rule.contains_key(&Some(*i)))
            .map(|(i, _)| i + 1).collect::<Vec<_>>(),
    })
}

fn table(
    titles: &[&str],
    rows: Vec<Vec<String>>,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let titles: Vec<String> = titles.iter().map(|t| t.to_string()).collect();
    let compact: Vec<bool> = titles.iter().map(|t| t != "MATCHES").collect();
    let layout = Layout {
        titles: &titles,
        compact: &compact,
        width,
        color: false,
    };
    write_table(&layout, rows, |_, _, t| comfy_table::Cell::new(t), out)
}

/// The `simulate` report for people: a header, three tables (totals,
/// levels, rules) and the closing remarks. Each part is its own function so
/// that this one only says the order they are printed in.
fn simulation_table(
    name: &str,
    policy: &Policy,
    t: &Tally,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "Policy {name}, {} rules, replayed over {} events:",
        policy.rules.len(),
        t.captured.events
    )?;
    writeln!(out)?;
    totals_table(t, width, out)?;
    writeln!(out)?;
    levels_table(t, width, out)?;
    writeln!(out)?;
    rules_table(policy, t, width, out)?;
    writeln!(out)?;
    never_hit_line(policy, t, out)?;
    short_line(policy, t, out)?;
    writeln!(
        out,
        "Under this policy the log would be {} instead of {} ({} of it).",
        human_bytes(t.written.bytes),
        human_bytes(t.captured.bytes),
        pct(t.written.bytes, t.captured.bytes)
    )
}

/// The first table of the `simulate` report: what was captured, written and
/// dropped, each as a share of the capture, so the reader sees the saving at
/// a glance before the detail.
fn totals_table(t: &Tally, width: Option<u16>, out: &mut dyn Write) -> io::Result<()> {
    let row = |what: &str, a: Amount| {
        vec![
            what.to_string(),
            a.events.to_string(),
            pct(a.events, t.captured.events),
            human_bytes(a.bytes),
            pct(a.bytes, t.captured.bytes),
        ]
    };
    table(
        &["", "EVENTS", "SHARE", "BYTES", "SHARE"],
        vec![
            row("captured", t.captured),
            row("written", t.written),
            row("dropped (level None)", t.dropped),
            row("dropped (stage omitted)", t.stage_omitted),
        ],
        width,
        out,
    )
}

/// The second table of the `simulate` report: per audit level, how much the
/// policy assigned to it and how much of that would be written.
fn levels_table(t: &Tally, width: Option<u16>, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = t
        .by_level
        .iter()
        .map(|(l, (c, w))| {
            vec![
                l.name().to_string(),
                c.events.to_string(),
                human_bytes(c.bytes),
                w.events.to_string(),
                human_bytes(w.bytes),
            ]
        })
        .collect();
    table(
        &["LEVEL", "EVENTS", "BYTES", "WRITTEN", "BYTES WRITTEN"],
        rows,
        width,
        out,
    )
}

/// The third table of the `simulate` report: one row per rule (what it
/// decided, wrote and was short of), plus a last row for events no rule
/// matched, which the API server drops at level None.
fn rules_table(
    policy: &Policy,
    t: &Tally,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rows: Vec<Vec<String>> = per_rule(policy, t)
        .map(|(i, r, d, w)| {
            vec![
                (i + 1).to_string(),
                r.line.to_string(),
                r.spec.level.name().to_string(),
                d.events.to_string(),
                human_bytes(w.bytes),
                t.short
                    .get(&Some(i))
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                describe(r),
            ]
        })
        .collect();
    if let Some((d, _)) = t.by_rule.get(&None) {
        rows.push(vec![
            "-".into(),
            "-".into(),
            Level::None.name().into(),
            d.events.to_string(),
            human_bytes(0),
            String::new(),
            "(no rule matched)".into(),
        ]);
    }
    table(
        &[
            "RULE",
            "LINE",
            "LEVEL",
            "EVENTS",
            "BYTES WRITTEN",
            "SHORT",
            "MATCHES",
        ],
        rows,
        width,
        out,
    )
}

/// Names the rules that matched no event (with their lines), since a rule
/// never hit is often a typo or dead weight; prints nothing when all hit.
fn never_hit_line(policy: &Policy, t: &Tally, out: &mut dyn Write) -> io::Result<()> {
    let never: Vec<String> = (0..policy.rules.len())
        .filter(|i| !t.by_rule.contains_key(&Some(*i)))
        .map(|i| format!("{} (line {})", i + 1, policy.rules[i].line))
        .collect();
    if !never.is_empty() {
        writeln!(out, "Never hit: rule {}.", never.join(", "))?;
    }
    Ok(())
}

/// Warns, per rule, about events the policy wants at a higher level than the
/// capture has: the replay cannot invent the missing detail, so the sizes
/// above undercount them. Prints nothing when there are none.
fn short_line(policy: &Policy, t: &Tally, out: &mut dyn Write) -> io::Result<()> {
    let short: u64 = t.short.values().sum();
    if short > 0 {
        let by: Vec<String> = t
            .short
            .iter()
            .map(|(r, n)| match r {
                Some(i) => format!(
                    "rule {} (line {}, wants {}): {n}",
                    i + 1,
                    policy.rules[*i].line,
                    policy.rules[*i].spec.level
                ),
                None => format!("no rule: {n}"),
            })
            .collect();
        writeln!(
            out,
            "Short of the capture: {short} events are wanted at a higher level than they were logged with; the replay keeps them as captured ({}).",
            by.join("; ")
        )?;
    }
    Ok(())
}

fn diff(
    job: &Job,
    total: &Partial,
    json: bool,
    width: Option<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let empty = Tally::default();
    let (old_name, old) = &job.policies[0];
    let (new_name, new) = &job.policies[1];
    let (t_old, t_new) = (
        total.tallies.first().unwrap_or(&empty),
        total.tallies.get(1).unwrap_or(&empty),
    );
    if json {
        let changes: Vec<Value> = total
            .changes
            .iter()
            .filter(|((a, b), _)| a != b)
            .map(|((a, b), (x, y))| {
                json!({"old": a.name(), "new": b.name(), "events": x.events,
                       "old_bytes": x.bytes, "new_bytes": y.bytes})
            })
            .collect();
        let v = json!({
            "old": simulation_json(old_name, old, t_old),
            "new": simulation_json(new_name, new, t_new),
            "changes": changes,
        });
        return writeln!(out, "{}", serde_json::to_string_pretty(&v)?);
    }
    writeln!(
        out,
        "{old_name} → {new_name}, over {} events:",
        t_old.captured.events
    )?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = total
        .changes
        .iter()
        .filter(|((a, b), _)| a != b)
        .map(|((a, b), (x, y))| {
            vec![
                a.name().to_string(),
                b.name().to_string(),
                x.events.to_string(),
                human_bytes(x.bytes),
                human_bytes(y.bytes),
            ]
        })
        .collect();
    if rows.is_empty() {
        writeln!(out, "No event changes fate.")?;
    } else {
        table(
            &["OLD", "NEW", "EVENTS", "OLD BYTES", "NEW BYTES"],
            rows,
            width,
            out,
        )?;
    }
    writeln!(out)?;
    for (name, policy, t) in [(old_name, old, t_old), (new_name, new, t_new)] {
        let rows: Vec<Vec<String>> = per_rule(policy, t)
            .map(|(i, r, d, w)| {
                vec![
                    (i + 1).to_string(),
                    r.spec.level.name().to_string(),
                    d.events.to_string(),
                    human_bytes(w.bytes),
                    describe(r),
                ]
            })
            .collect();
        writeln!(out, "Rules of {name}:")?;
        table(
            &["RULE", "LEVEL", "EVENTS", "WRITTEN", "MATCHES"],
            rows,
            width,
            out,
        )?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "Written: {} events, {} under {old_name}; {} events, {} under {new_name} ({}).",
        t_old.written.events,
        human_bytes(t_old.written.bytes),
        t_new.written.events,
        human_bytes(t_new.written.bytes),
        if t_old.written.bytes == 0 {
            "-".to_string()
        } else {
            format!(
                "{:+.1}%",
                (t_new.written.bytes as f64 - t_old.written.bytes as f64) * 100.0
                    / t_old.written.bytes as f64
            )
        }
    )
}
