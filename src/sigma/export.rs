//! kaq's rules and filters as Sigma rules (`kaq detect --convert-to sigma`,
//! `kaq convert --to sigma`).
//!
//! Each rule becomes one YAML file, `<rule-id>.yml`: its title,
//! description, level, ATT&CK tags, `logsource: {product: kubernetes,
//! service: audit}` and a `detection:` translated from the rule's checked
//! filter, allow-list exemptions included ([`condition`]). A threshold rule
//! becomes two documents in its file: its events as a named base rule, and
//! an `event_count` or `value_count` correlation over them. A rule Sigma
//! cannot express exactly is not written; the [`Refusal`] says why.
//!
//! Every id is a UUIDv5 in [`NAMESPACE`] of the rule's id (or the filter's
//! text), so exporting again writes the same bytes, and a SIEM that already
//! holds a rule recognises it.

mod attack;
pub mod condition;
pub mod pattern;
pub mod yaml;

use std::io::{self, Write};
use std::path::Path;

use uuid::Uuid;

use self::condition::{Cond, Leaf};
use self::yaml::{Doc, Scalar};
use crate::convert::Refusal;
use crate::detect::{Rule, Severity};
use crate::filter::ast::Expr;
use crate::time::Micros;

/// The namespace of kaq's Sigma rule ids (fixed forever: changing it
/// changes every exported id).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x6b61_712d_7369_676d_6172_756c_6573_0001);

/// The id of the Sigma rule named `name` (`rule/privileged-container`).
pub fn id_for(name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// One exported rule.
#[derive(Debug)]
pub struct Exported {
    pub id: String,
    /// The file's text (one or two YAML documents).
    pub yaml: String,
    /// Sigma field names taken from the shared mapping
    /// ([`crate::convert::fields::SIGMA_FIELDS`]); empty: exact, every
    /// field is the event's own path.
    pub mapped: Vec<String>,
    /// A correlation rule (a threshold) with its base rule.
    pub correlation: bool,
}

impl Exported {
    pub fn file_name(&self) -> String {
        format!("{}.yml", self.id)
    }
}

/// A rule that was not exported, and why.
#[derive(Debug)]
pub struct Skipped {
    pub id: String,
    pub refusal: Refusal,
}

/// The export of a set of rules, in id order.
#[derive(Debug, Default)]
pub struct Export {
    pub exported: Vec<Exported>,
    pub skipped: Vec<Skipped>,
}

/// Exports every rule that Sigma can express.
pub fn catalogue(rules: &[Rule]) -> Export {
    let mut sorted: Vec<&Rule> = rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = Export::default();
    for r in sorted {
        match rule(r) {
            Ok(e) => out.exported.push(e),
            Err(refusal) => out.skipped.push(Skipped {
                id: r.id.clone(),
                refusal,
            }),
        }
    }
    out
}

/// What a rule's documents share.
struct Meta<'a> {
    title: &'a str,
    description: &'a str,
    mitre: Option<&'a str>,
    level: Option<Severity>,
}

/// One rule as a Sigma file.
pub fn rule(r: &Rule) -> Result<Exported, Refusal> {
    let translated = condition::translate(&r.filter)?;
    let detection = Detection::build(condition::normalize(translated.cond))?;
    let mut mapped = translated.mapped;
    let meta = Meta {
        title: &r.title,
        description: &r.description,
        mitre: r.mitre.as_deref(),
        level: Some(r.severity),
    };
    let mut doc = Doc::default();
    doc.comment(
        0,
        &format!("kaq rule {} (kaq detect --convert-to sigma)", r.id),
    );
    if !mapped.is_empty() {
        doc.comment(
            0,
            &format!(
                "fields through Sigma's abstract names: {}",
                mapped.join(", ")
            ),
        );
    }
    let Some(threshold) = &r.threshold else {
        header(&mut doc, &meta, id_for(&format!("rule/{}", r.id)), None);
        detection.write(&mut doc);
        footer(&mut doc, &meta);
        return Ok(Exported {
            id: r.id.clone(),
            yaml: doc.finish(),
            mapped,
            correlation: false,
        });
    };
    // The base rule: the events the threshold counts.
    let base_name = format!("kaq_{}_events", r.id.replace('-', "_"));
    let base_title = format!("{} (events)", r.title);
    let base = Meta {
        title: &base_title,
        level: None,
        ..meta
    };
    header(
        &mut doc,
        &base,
        id_for(&format!("rule/{}/events", r.id)),
        Some(&base_name),
    );
    detection.write(&mut doc);
    footer(&mut doc, &base);
    doc.line_raw("---");
    header(&mut doc, &meta, id_for(&format!("rule/{}", r.id)), None);
    doc.open(0, "correlation");
    doc.field(
        1,
        "type",
        &Scalar::Str(
            if threshold.distinct.is_some() {
                "value_count"
            } else {
                "event_count"
            }
            .into(),
        ),
    );
    doc.open(1, "rules");
    doc.item(2, &Scalar::Str(base_name));
    doc.open(1, "group-by");
    for (_, path) in &threshold.by {
        let (name, via) = condition::field_name(path)?;
        if via {
            mapped.push(name.clone());
        }
        doc.item(2, &Scalar::Str(name));
    }
    doc.field(1, "timespan", &Scalar::Str(timespan(threshold.within)));
    doc.open(1, "condition");
    doc.field(
        2,
        "gte",
        &Scalar::Num(crate::number::Number::Int(threshold.at_least as i128)),
    );
    if let Some((_, path)) = &threshold.distinct {
        let (name, via) = condition::field_name(path)?;
        if via {
            mapped.push(name.clone());
        }
        doc.field(2, "field", &Scalar::Str(name));
    }
    footer(&mut doc, &meta);
    mapped.sort();
    mapped.dedup();
    Ok(Exported {
        id: r.id.clone(),
        yaml: doc.finish(),
        mapped,
        correlation: true,
    })
}

/// A filter (`kaq convert --to sigma`) as one Sigma rule; its id is the
/// UUIDv5 of its text.
pub fn filter(text: &str, expr: &Expr) -> Result<String, Refusal> {
    let translated = condition::translate(expr)?;
    let detection = Detection::build(condition::normalize(translated.cond))?;
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = match one_line.char_indices().nth(100) {
        Some((cut, _)) => format!("kaq: {}…", &one_line[..cut]),
        None => format!("kaq: {one_line}"),
    };
    let description = format!("kaq filter: {text}");
    let meta = Meta {
        title: &title,
        description: &description,
        mitre: None,
        level: None,
    };
    let mut doc = Doc::default();
    doc.comment(0, "kaq convert --to sigma");
    if !translated.mapped.is_empty() {
        doc.comment(
            0,
            &format!(
                "fields through Sigma's abstract names: {}",
                translated.mapped.join(", ")
            ),
        );
    }
    header(&mut doc, &meta, id_for(&format!("filter/{text}")), None);
    detection.write(&mut doc);
    footer(&mut doc, &meta);
    Ok(doc.finish())
}

/// Writes each exported rule to `dir/<id>.yml` (creating `dir`).
pub fn write(export: &Export, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for e in &export.exported {
        std::fs::write(dir.join(e.file_name()), &e.yaml)?;
    }
    Ok(())
}

/// The summary for stderr: counts, then each rule not exported and why.
pub fn report(export: &Export, dir: &Path, w: &mut dyn Write) -> io::Result<()> {
    let mapped = export
        .exported
        .iter()
        .filter(|e| !e.mapped.is_empty())
        .count();
    writeln!(
        w,
        "kaq: wrote {} Sigma rule{} to {} ({} exact, {} through Sigma's abstract field names); {} not exported{}",
        export.exported.len(),
        if export.exported.len() == 1 { "" } else { "s" },
        dir.display(),
        export.exported.len() - mapped,
        mapped,
        export.skipped.len(),
        if export.skipped.is_empty() { "" } else { ":" }
    )?;
    for s in &export.skipped {
        writeln!(w, "  {}: {}", s.id, s.refusal)?;
    }
    Ok(())
}

fn header(doc: &mut Doc, meta: &Meta<'_>, id: Uuid, name: Option<&str>) {
    doc.field(0, "title", &Scalar::Str(meta.title.to_string()));
    doc.field(0, "id", &Scalar::Str(id.to_string()));
    if let Some(name) = name {
        doc.field(0, "name", &Scalar::Str(name.to_string()));
    }
    doc.field(0, "status", &Scalar::Str("experimental".into()));
    if !meta.description.is_empty() {
        doc.field(0, "description", &Scalar::Str(meta.description.to_string()));
    }
    let technique = meta.mitre.filter(|m| !attack::tags(m).is_empty());
    if let Some(t) = technique {
        doc.open(0, "references");
        doc.item(
            1,
            &Scalar::Str(format!(
                "https://attack.mitre.org/techniques/{}/",
                t.trim().replace('.', "/")
            )),
        );
    }
    doc.field(0, "author", &Scalar::Str("kaq".into()));
    if let Some(t) = technique {
        doc.open(0, "tags");
        for tag in attack::tags(t) {
            doc.item(1, &Scalar::Str(tag));
        }
    }
}

fn footer(doc: &mut Doc, meta: &Meta<'_>) {
    if let Some(level) = meta.level {
        let name = match level {
            Severity::Info => "informational",
            other => other.name(),
        };
        doc.field(0, "level", &Scalar::Str(name.into()));
    }
}

/// A duration as Sigma's timespan: whole days, hours, minutes or seconds.
fn timespan(us: Micros) -> String {
    let secs = (us / 1_000_000).max(1);
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs % n == 0 {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// A `detection:` block: named selections and the condition over them.
struct Detection {
    selections: Vec<(String, Vec<Leaf>)>,
    condition: String,
}

impl Detection {
    fn build(cond: Cond) -> Result<Detection, Refusal> {
        if let Cond::Const(b) = cond {
            return Err(condition::refusal(
                b.to_string(),
                if b {
                    "the filter matches every event; a Sigma rule needs a selection"
                } else {
                    "the filter matches no event"
                },
            ));
        }
        let mut d = Detection {
            selections: Vec::new(),
            condition: String::new(),
        };
        d.condition = d.emit(cond, false);
        Ok(d)
    }

    fn add(&mut self, leaves: Vec<Leaf>, negated: bool) -> String {
        let name = format!(
            "{}{}",
            if negated { "filter" } else { "selection" },
            self.selections.len() + 1
        );
        self.selections.push((name.clone(), leaves));
        name
    }

    /// The condition text of `c` (in normal form); `nested`: inside and/or.
    fn emit(&mut self, c: Cond, nested: bool) -> String {
        match c {
            Cond::Leaf(l) => self.add(vec![l], false),
            Cond::Not(x) => match *x {
                Cond::Leaf(l) => format!("not {}", self.add(vec![l], true)),
                other => {
                    let inner = self.emit(other, true);
                    format!("not {inner}")
                }
            },
            Cond::And(xs) => {
                // `not A1 and not A2` on one key is `not (A1 or A2)`: one
                // selection listing both values.
                let xs = merge_same_key(xs, true);
                // Positive selections with distinct keys share one map.
                let mut merged: Vec<Leaf> = Vec::new();
                let mut rest = Vec::new();
                for x in xs {
                    match x {
                        Cond::Leaf(l) if !merged.iter().any(|m| m.key() == l.key()) => {
                            merged.push(l)
                        }
                        other => rest.push(other),
                    }
                }
                let mut parts = Vec::new();
                if !merged.is_empty() {
                    parts.push(self.add(merged, false));
                }
                for x in rest {
                    parts.push(self.emit(x, true));
                }
                wrap(parts.join(" and "), nested && parts.len() > 1)
            }
            Cond::Or(xs) => {
                // `A1 or A2` on one key: one selection listing both values.
                let xs = merge_same_key(xs, false);
                let parts: Vec<String> = xs.into_iter().map(|x| self.emit(x, true)).collect();
                wrap(parts.join(" or "), nested && parts.len() > 1)
            }
            Cond::Const(b) => unreachable!("constants are folded before emitting ({b})"),
        }
    }

    fn write(&self, doc: &mut Doc) {
        doc.open(0, "logsource");
        doc.field(1, "product", &Scalar::Str("kubernetes".into()));
        doc.field(1, "service", &Scalar::Str("audit".into()));
        doc.open(0, "detection");
        for (name, leaves) in &self.selections {
            doc.open(1, name);
            for l in leaves {
                doc.values(2, &l.key(), &l.values);
            }
        }
        doc.field(1, "condition", &Scalar::Str(self.condition.clone()));
    }
}

/// Merges the selections of `xs` that test the same key (negated ones
/// when `negated`, else positive ones) into one whose values are OR'ed, in
/// the place of the first; Sigma ORs a selection's list of values.
fn merge_same_key(xs: Vec<Cond>, negated: bool) -> Vec<Cond> {
    let mut out: Vec<Cond> = Vec::new();
    for x in xs {
        let leaf = match (&x, negated) {
            (Cond::Not(inner), true) => match inner.as_ref() {
                Cond::Leaf(l) => Some(l.clone()),
                _ => None,
            },
            (Cond::Leaf(l), false) => Some(l.clone()),
            _ => None,
        };
        let Some(leaf) = leaf else {
            out.push(x);
            continue;
        };
        let same = out.iter_mut().find_map(|o| {
            let l = match (o, negated) {
                (Cond::Not(inner), true) => match inner.as_mut() {
                    Cond::Leaf(l) => l,
                    _ => return None,
                },
                (Cond::Leaf(l), false) => l,
                _ => return None,
            };
            (l.key() == leaf.key()).then_some(l)
        });
        match same {
            Some(l) => {
                for v in leaf.values {
                    if !l.values.contains(&v) {
                        l.values.push(v);
                    }
                }
            }
            None => out.push(x),
        }
    }
    out
}

fn wrap(text: String, parens: bool) -> String {
    if parens {
        format!("({text})")
    } else {
        text
    }
}
