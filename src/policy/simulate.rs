//! Replaying captured events through a policy: what the API server would
//! have written for each, and the tally of it all.
//!
//! The event is rewritten by splicing its own text (members cut out, the
//! level replaced), so what is kept is byte for byte what was captured and
//! sizes are those of the real serialised events.

use std::collections::BTreeMap;
use std::ops::Range;

use super::checker::{Attributes, Decision, Policy, ResourceAttributes};
use super::schema::{Level, Stage};
use crate::event::Event;
use crate::json::{raw_eq, Value};

/// Reads the checker's attributes back from a captured event.
///
/// The policy saw the authenticated user, not the impersonated one; a
/// request without `objectRef` was a non-resource request (its path is the
/// URI without the query); a create's `objectRef.name` was filled in from
/// the body after the policy ran, so a create is checked with no name.
pub fn attributes(e: &Event<'_>) -> Attributes {
    let s = |v: Option<Value<'_>>| v.and_then(|v| v.as_str()).map(|c| c.into_owned());
    let user = e.get("user");
    let verb = s(e.get("verb")).unwrap_or_default();
    let resource = e.get("objectRef").map(|o| {
        let field = |k: &str| s(o.get(k)).unwrap_or_default();
        ResourceAttributes {
            group: field("apiGroup"),
            resource: field("resource"),
            subresource: field("subresource"),
            namespace: field("namespace"),
            name: if verb == "create" {
                String::new()
            } else {
                field("name")
            },
        }
    });
    let uri = s(e.get("requestURI")).unwrap_or_default();
    Attributes {
        user: s(user.and_then(|u| u.get("username"))).filter(|u| !u.is_empty()),
        groups: user
            .and_then(|u| u.get("groups"))
            .map(|g| g.elements().filter_map(|v| s(Some(v))).collect())
            .unwrap_or_default(),
        verb,
        resource,
        path: uri.split('?').next().unwrap_or("").to_string(),
    }
}

/// What happens to one captured event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Not written: the level is `None`.
    Dropped,
    /// Not written: the policy omits this stage.
    StageOmitted,
    /// Written at `level`; `short` when the policy asks for more than the
    /// capture holds (the event is kept as captured).
    Kept { level: Level, short: bool },
}

/// One event's outcome: the decision, its fate, and its size before and
/// after (bytes with the newline).
#[derive(Debug, Clone)]
pub struct Outcome<'p> {
    pub decision: Decision<'p>,
    pub fate: Fate,
    pub captured: Option<Level>,
    pub bytes_before: u64,
    pub bytes_after: u64,
    /// The cuts that turn the captured text into the written one.
    pub edits: Vec<Edit>,
}

/// A change to the event's text: replace `range` with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub with: &'static str,
}

/// Replays one event.
pub fn replay<'p>(policy: &'p Policy, e: &Event<'_>) -> Outcome<'p> {
    let decision = policy.evaluate(&attributes(e));
    let text = e.raw();
    let bytes_before = text.len() as u64 + 1;
    let captured = e.str("level").and_then(|l| Level::parse(&l));
    let stage = e.str("stage").and_then(|s| Stage::parse(&s));
    let done = |fate, edits: Vec<Edit>, decision| {
        let after = match fate {
            Fate::Kept { .. } => {
                let removed: usize = edits.iter().map(|e: &Edit| e.range.len()).sum();
                let added: usize = edits.iter().map(|e| e.with.len()).sum();
                (text.len() + added - removed) as u64 + 1
            }
            _ => 0,
        };
        Outcome {
            decision,
            fate,
            captured,
            bytes_before,
            bytes_after: after,
            edits,
        }
    };
    if decision.level == Level::None {
        return done(Fate::Dropped, Vec::new(), decision);
    }
    if stage.is_some_and(|s| decision.omit_stages.contains(&s)) {
        return done(Fate::StageOmitted, Vec::new(), decision);
    }
    // A capture cannot give back what it did not record. A non-resource
    // request has no bodies at any level, so nothing is missing: it is
    // written at the level asked for.
    let resource = e.get("objectRef").is_some();
    let short = resource && captured.is_some_and(|c| decision.level > c);
    let level = match captured {
        Some(c) if short => c,
        _ => decision.level,
    };
    let mut edits = Vec::new();
    if Some(level) != captured {
        if let Some(v) = e.get("level") {
            let at = span(text, v.text());
            edits.push(Edit {
                range: at,
                with: match level {
                    Level::None => "\"None\"",
                    Level::Metadata => "\"Metadata\"",
                    Level::Request => "\"Request\"",
                    Level::RequestResponse => "\"RequestResponse\"",
                },
            });
        }
    }
    let mut cut = |object: Value<'_>, keys: &[&str]| {
        for range in member_cuts(text, object, keys) {
            edits.push(Edit { range, with: "" });
        }
    };
    let bodies: &[&str] = match level {
        Level::None | Level::Metadata => &["requestObject", "responseObject"],
        Level::Request => &["responseObject"],
        Level::RequestResponse => &[],
    };
    cut(Value::new_unchecked(text), bodies);
    if decision.omit_managed_fields {
        for key in ["requestObject", "responseObject"] {
            let Some(body) = e.get(key).filter(|_| !bodies.contains(&key)) else {
                continue;
            };
            // An object's own managedFields, or every item's of a list.
            let metas = std::iter::once(body)
                .chain(body.get("items").into_iter().flat_map(|i| i.elements()))
                .filter_map(|o| o.get("metadata"));
            for meta in metas {
                cut(meta, &["managedFields"]);
            }
        }
    }
    edits.sort_by_key(|e| e.range.start);
    done(Fate::Kept { level, short }, edits, decision)
}

/// Writes the event as the API server would have under the policy.
pub fn rewrite(text: &str, edits: &[Edit], out: &mut Vec<u8>) {
    let mut at = 0;
    for e in edits {
        out.extend_from_slice(&text.as_bytes()[at..e.range.start]);
        out.extend_from_slice(e.with.as_bytes());
        at = e.range.end;
    }
    out.extend_from_slice(&text.as_bytes()[at..]);
    out.push(b'\n');
}

/// Where `inner` (a slice of `text`) lies in it.
fn span(text: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - text.as_ptr() as usize;
    start..start + inner.len()
}

/// The bytes to cut from `text` to remove the members `keys` of `object`
/// (a value inside `text`), with the commas that separate them from their
/// neighbours, so that the rest stays valid JSON. Each run of removed
/// members is one range: from the end of the member before it, or, for a
/// run at the start, up to the next kept member's key.
fn member_cuts(text: &str, object: Value<'_>, keys: &[&str]) -> Vec<Range<usize>> {
    if keys.is_empty() {
        return Vec::new();
    }
    // (key start incl. quote, value end, removed)
    let members: Vec<(usize, usize, bool)> = object
        .members()
        .map(|(k, v)| {
            (
                span(text, k).start - 1,
                span(text, v.text()).end,
                keys.iter().any(|key| raw_eq(k, key)),
            )
        })
        .collect();
    let mut cuts = Vec::new();
    let mut i = 0;
    while i < members.len() {
        if !members[i].2 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < members.len() && members[j + 1].2 {
            j += 1;
        }
        cuts.push(match (i.checked_sub(1), members.get(j + 1)) {
            (Some(before), _) => members[before].1..members[j].1,
            (None, Some(next)) => members[i].0..next.0,
            (None, None) => members[i].0..members[j].1,
        });
        i = j + 1;
    }
    cuts
}

/// Counts and bytes, mergeable across chunks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount {
    pub events: u64,
    pub bytes: u64,
}

impl Amount {
    fn add(&mut self, bytes: u64) {
        self.events += 1;
        self.bytes += bytes;
    }

    fn merge(&mut self, other: Amount) {
        self.events += other.events;
        self.bytes += other.bytes;
    }
}

/// What one policy did to the events seen, by rule and by level.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Every event read, as captured.
    pub captured: Amount,
    /// What would have been written.
    pub written: Amount,
    /// Events dropped because their level is `None`, and their bytes.
    pub dropped: Amount,
    /// Events dropped because the policy omits their stage.
    pub stage_omitted: Amount,
    /// Per level decided: captured amount, and written amount.
    pub by_level: BTreeMap<Level, (Amount, Amount)>,
    /// Per rule (`None`: no rule matched): events it decided (captured
    /// bytes) and what it wrote.
    pub by_rule: BTreeMap<Option<usize>, (Amount, Amount)>,
    /// Per rule: events it wants at a level above the captured one.
    pub short: BTreeMap<Option<usize>, u64>,
}

impl Tally {
    pub fn add(&mut self, o: &Outcome) {
        self.captured.add(o.bytes_before);
        let level = self.by_level.entry(o.decision.level).or_default();
        level.0.add(o.bytes_before);
        let rule = self.by_rule.entry(o.decision.rule).or_default();
        rule.0.add(o.bytes_before);
        match o.fate {
            Fate::Dropped => self.dropped.add(o.bytes_before),
            Fate::StageOmitted => self.stage_omitted.add(o.bytes_before),
            Fate::Kept { short, .. } => {
                self.written.add(o.bytes_after);
                level.1.add(o.bytes_after);
                rule.1.add(o.bytes_after);
                if short {
                    *self.short.entry(o.decision.rule).or_default() += 1;
                }
            }
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.captured.merge(other.captured);
        self.written.merge(other.written);
        self.dropped.merge(other.dropped);
        self.stage_omitted.merge(other.stage_omitted);
        for (k, (a, b)) in other.by_level {
            let e = self.by_level.entry(k).or_default();
            e.0.merge(a);
            e.1.merge(b);
        }
        for (k, (a, b)) in other.by_rule {
            let e = self.by_rule.entry(k).or_default();
            e.0.merge(a);
            e.1.merge(b);
        }
        for (k, n) in other.short {
            *self.short.entry(k).or_default() += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::index_object;
    use crate::policy::schema::parse;

    /// What a replay decided, without the policy it borrows from.
    struct Seen {
        fate: Fate,
        bytes_before: u64,
        bytes_after: u64,
    }

    fn outcome(policy: &str, event: &str) -> (Seen, String) {
        let p = Policy::new(parse(policy, "t").unwrap());
        let mut m = Vec::new();
        index_object(event, &mut m).unwrap();
        let e = Event::new(event, &m);
        let o = replay(&p, &e);
        let mut out = Vec::new();
        rewrite(event, &o.edits, &mut out);
        let seen = Seen {
            fate: o.fate,
            bytes_before: o.bytes_before,
            bytes_after: o.bytes_after,
        };
        (seen, String::from_utf8(out).unwrap())
    }

    const CREATE: &str = r#"{"level":"RequestResponse","stage":"ResponseComplete","verb":"create","user":{"username":"alice","groups":["devs"]},"impersonatedUser":{"username":"bob"},"objectRef":{"resource":"configmaps","namespace":"d","name":"x"},"requestObject":{"metadata":{"name":"x","managedFields":[{"manager":"kubectl"}]},"data":{}},"responseObject":{"metadata":{"managedFields":[],"name":"x"}}}"#;

    #[test]
    fn lower_levels_cut_bodies() {
        let (o, out) = outcome("rules:\n- level: Metadata\n", CREATE);
        assert_eq!(
            o.fate,
            Fate::Kept {
                level: Level::Metadata,
                short: false
            }
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["level"], "Metadata");
        assert!(v.get("requestObject").is_none() && v.get("responseObject").is_none());
        assert_eq!(o.bytes_after, out.len() as u64);
        let (_, out) = outcome("rules:\n- level: Request\n", CREATE);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v.get("requestObject").is_some() && v.get("responseObject").is_none());
    }

    #[test]
    fn managed_fields_go_where_asked() {
        let (o, out) = outcome(
            "omitManagedFields: true\nrules:\n- level: RequestResponse\n",
            CREATE,
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v["requestObject"]["metadata"]
            .get("managedFields")
            .is_none());
        assert!(v["responseObject"]["metadata"]
            .get("managedFields")
            .is_none());
        assert_eq!(v["responseObject"]["metadata"]["name"], "x");
        assert_eq!(o.bytes_after, out.len() as u64);
        // Unchanged when nothing is asked: the captured bytes.
        let (o, out) = outcome("rules:\n- level: RequestResponse\n", CREATE);
        assert_eq!(out.trim_end(), CREATE);
        assert_eq!(o.bytes_after, o.bytes_before);
    }

    #[test]
    fn the_policy_sees_the_authenticated_user_and_no_create_name() {
        let (o, _) = outcome("rules:\n- level: Metadata\n  users: [bob]\n", CREATE);
        assert_eq!(o.fate, Fate::Dropped);
        let (o, _) = outcome("rules:\n- level: Metadata\n  users: [alice]\n", CREATE);
        assert!(matches!(o.fate, Fate::Kept { .. }));
        let (o, _) = outcome(
            "rules:\n- level: Metadata\n  resources: [{resources: [configmaps], resourceNames: [x]}]\n",
            CREATE,
        );
        assert_eq!(o.fate, Fate::Dropped);
    }

    #[test]
    fn stages_and_short_captures() {
        let (o, _) = outcome(
            "omitStages: [ResponseComplete]\nrules:\n- level: Metadata\n",
            CREATE,
        );
        assert_eq!(o.fate, Fate::StageOmitted);
        let meta = r#"{"level":"Metadata","stage":"ResponseComplete","verb":"get","user":{"username":"a"},"objectRef":{"resource":"pods"}}"#;
        let (o, out) = outcome("rules:\n- level: Request\n", meta);
        assert_eq!(
            o.fate,
            Fate::Kept {
                level: Level::Metadata,
                short: true
            }
        );
        assert_eq!(out.trim_end(), meta);
        // Non-resource requests have no bodies to miss.
        let health = r#"{"level":"Metadata","stage":"ResponseComplete","verb":"get","user":{"username":"a"},"requestURI":"/healthz?verbose"}"#;
        let (o, out) = outcome(
            "rules:\n- level: RequestResponse\n  nonResourceURLs: [/healthz]\n",
            health,
        );
        assert_eq!(
            o.fate,
            Fate::Kept {
                level: Level::RequestResponse,
                short: false
            }
        );
        assert!(out.starts_with(r#"{"level":"RequestResponse","#), "{out}");
    }

    #[test]
    fn cuts_keep_json_valid_wherever_the_member_is() {
        for text in [
            r#"{"a":1,"k":{"x":1},"b":2}"#,
            r#"{"k":{"x":1},"b":2}"#,
            r#"{"a":1,"k":{"x":1}}"#,
            r#"{"k":{"x":1}}"#,
            r#"{ "a" : 1 , "k" : [ ] , "b" : 2 }"#,
        ] {
            for keys in [&["k"][..], &["k", "b"], &["a", "k"], &["a", "k", "b"]] {
                let edits: Vec<Edit> = member_cuts(text, Value::new_unchecked(text), keys)
                    .into_iter()
                    .map(|range| Edit { range, with: "" })
                    .collect();
                let mut out = Vec::new();
                rewrite(text, &edits, &mut out);
                let out = String::from_utf8(out).unwrap();
                let v: serde_json::Value =
                    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"));
                for k in keys {
                    assert!(v.get(k).is_none(), "{out}");
                }
            }
        }
    }
}
