//! The worker side of `kaq rbac`: each event of the subject becomes a
//! request, tallied per chunk; the printer merges the chunks.
//!
//! A request is logged at up to four stages. Each is counted once, by
//! `auditID`: the event at its most complete stage (ResponseComplete or
//! Panic, then ResponseStarted, then RequestReceived) decides. Only the
//! later stages carry the authorization decision and the response code; a
//! request seen only at RequestReceived is *undecided*. An event without an
//! `auditID` counts on its own.

use std::collections::BTreeSet;
use std::hash::BuildHasher;

use foldhash::HashMap;

use super::request::{Request, Target};
use crate::event::Event;
use crate::json::{raw_eq, Value};
use crate::time::{parse_timestamp, Micros};

/// Whom the role is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A user (a service account is the user
    /// `system:serviceaccount:NS:NAME`).
    User(String),
    /// Members of a group: events whose user is in it.
    Group(String),
}

impl Subject {
    pub fn service_account(ns: &str, name: &str) -> Subject {
        Subject::User(format!("system:serviceaccount:{ns}:{name}"))
    }

    /// `user "alice"`, `service account "ci:deployer"`, `group "dev"`.
    pub fn describe(&self) -> String {
        match self {
            Subject::User(u) => match u
                .strip_prefix("system:serviceaccount:")
                .filter(|r| r.contains(':'))
            {
                Some(sa) => format!("service account {sa:?}"),
                None => format!("user {u:?}"),
            },
            Subject::Group(g) => format!("group {g:?}"),
        }
    }
}

/// What the authorizer decided about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    Allowed,
    Denied,
    /// Seen only at RequestReceived (no decision, no response code), or
    /// throttled with 429 before authorization.
    Undecided,
}

/// The event of one request that counts.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Index into the part's (or the total's) keys.
    key: u32,
    /// 3: ResponseComplete or Panic, 2: ResponseStarted, 1: RequestReceived
    /// or unknown.
    rank: u8,
    time: Micros,
    decision: Decision,
}

/// A chunk's requests (and, merged, the whole run's).
#[derive(Default)]
pub struct Requests {
    /// Each request key and its index.
    index: HashMap<Request, u32>,
    /// By a hash of the auditID.
    by_id: HashMap<u64, Seen>,
    /// Events without an auditID.
    loose: Vec<Seen>,
    /// The groups the subject's events carried (a user subject's groups,
    /// for the bindings to groups in `--existing`).
    pub groups: BTreeSet<String>,
}

/// What the requests of one key came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub allowed: u64,
    pub denied: u64,
    pub undecided: u64,
    /// The latest stageTimestamp (0: none had one).
    pub last: Micros,
}

impl Requests {
    fn key(&mut self, r: Request) -> u32 {
        let next = u32::try_from(self.index.len()).unwrap_or(u32::MAX);
        *self.index.entry(r).or_insert(next)
    }

    fn add(&mut self, id: Option<u64>, seen: Seen) {
        match id {
            None => self.loose.push(seen),
            Some(id) => {
                let e = self.by_id.entry(id).or_insert(seen);
                if seen.rank > e.rank {
                    *e = seen;
                }
            }
        }
    }

    /// Requests held, for a rough size.
    pub fn len(&self) -> usize {
        self.by_id.len() + self.loose.len() + self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes in a later chunk's requests.
    pub fn merge(&mut self, other: Requests) {
        let Requests {
            index,
            by_id,
            loose,
            groups,
        } = other;
        let mut map: Vec<u32> = vec![0; index.len()];
        for (r, k) in index {
            map[k as usize] = self.key(r);
        }
        for (id, mut s) in by_id {
            s.key = map[s.key as usize];
            self.add(Some(id), s);
        }
        for mut s in loose {
            s.key = map[s.key as usize];
            self.loose.push(s);
        }
        self.groups.extend(groups);
    }

    /// Each request key with what its requests came to, in no order.
    pub fn tallies(&self) -> Vec<(&Request, Tally)> {
        let mut out: Vec<Tally> = vec![Tally::default(); self.index.len()];
        for s in self.by_id.values().chain(&self.loose) {
            let t = &mut out[s.key as usize];
            match s.decision {
                Decision::Allowed => t.allowed += 1,
                Decision::Denied => t.denied += 1,
                Decision::Undecided => t.undecided += 1,
            }
            t.last = t.last.max(s.time);
        }
        self.index
            .iter()
            .map(|(r, &k)| (r, out[k as usize]))
            .collect()
    }
}

/// The user whose permissions a request used, and that user's groups: the
/// impersonated user when there is one (the API server authorizes the
/// request as that user, after checking the impersonation itself).
fn actor<'a>(e: &Event<'a>) -> Option<Value<'a>> {
    match e.get("impersonatedUser") {
        Some(v) if !v.is_null() => Some(v),
        _ => e.get("user"),
    }
}

/// The request an event records, or `None` when it has no verb.
pub fn request_of(e: &Event<'_>) -> Option<Request> {
    let verb = e.str("verb")?.into_owned();
    match e.get("objectRef").filter(|o| !o.is_null()) {
        Some(o) => {
            // One pass over objectRef's members (the first of a repeated
            // key counts, as with `get`).
            const KEYS: [&str; 5] = ["namespace", "apiGroup", "resource", "subresource", "name"];
            let mut fields: [Option<Value<'_>>; 5] = [None; 5];
            for (k, v) in o.members() {
                if let Some(i) = KEYS.iter().position(|key| raw_eq(k, key)) {
                    fields[i].get_or_insert(v);
                }
            }
            let s = |i: usize| {
                fields[i]
                    .and_then(|v| v.as_str())
                    .map(|s| s.into_owned())
                    .unwrap_or_default()
            };
            let subresource = s(3);
            // A create names no existing object (the audit log may carry
            // the new object's name); a subresource create such as
            // pods/exec is on a named object, and RBAC sees that name.
            let name = if verb == "create" && subresource.is_empty() {
                String::new()
            } else {
                s(4)
            };
            Some(Request {
                verb,
                target: Target::Resource {
                    namespace: s(0),
                    api_group: s(1),
                    resource: s(2),
                    subresource,
                    name,
                },
            })
        }
        None => {
            let uri = e.str("requestURI").unwrap_or_default();
            let path = uri.split('?').next().unwrap_or_default();
            Some(Request::non_resource(&verb, path))
        }
    }
}

/// The authorization decision of an event: the `authorization.k8s.io/decision`
/// annotation, else the response code (401 and 403 are refusals; a 429 came
/// from priority and fairness, which throttles before authorization: no
/// decision), else none.
fn decision_of(e: &Event<'_>) -> Decision {
    let annotated = e
        .get("annotations")
        .and_then(|a| a.get("authorization.k8s.io/decision"))
        .and_then(|v| v.as_str());
    match annotated.as_deref() {
        Some("allow") => return Decision::Allowed,
        Some("forbid") => return Decision::Denied,
        _ => {}
    }
    match e
        .get("responseStatus")
        .and_then(|r| r.get("code"))
        .and_then(|c| c.as_f64())
    {
        Some(c) if c == 401.0 || c == 403.0 => Decision::Denied,
        Some(429.0) => Decision::Undecided,
        Some(_) => Decision::Allowed,
        None => Decision::Undecided,
    }
}

fn rank_of(e: &Event<'_>) -> u8 {
    match e.str("stage").as_deref() {
        Some("ResponseComplete" | "Panic") => 3,
        Some("ResponseStarted") => 2,
        _ => 1,
    }
}

/// Takes one event into `part` when it is the subject's. Returns whether it
/// was.
pub fn take(subject: &Subject, e: &Event<'_>, part: &mut Requests) -> bool {
    let Some(who) = actor(e) else {
        return false;
    };
    let groups = || {
        who.get("groups")
            .into_iter()
            .flat_map(|g| g.elements())
            .filter_map(|g| g.as_str())
    };
    match subject {
        Subject::User(u) => {
            if who.get("username").and_then(|v| v.as_str()).as_deref() != Some(u.as_str()) {
                return false;
            }
            for g in groups() {
                if !part.groups.contains(g.as_ref()) {
                    part.groups.insert(g.into_owned());
                }
            }
        }
        Subject::Group(g) => {
            if !groups().any(|x| x == *g) {
                return false;
            }
        }
    }
    let Some(request) = request_of(e) else {
        return false;
    };
    let id = e.str("auditID").filter(|s| !s.is_empty()).map(|s| {
        foldhash::quality::FixedState::with_seed(0x6b61_715f_7262_6163).hash_one(s.as_ref())
    });
    let seen = Seen {
        key: part.key(request),
        rank: rank_of(e),
        time: e
            .str("stageTimestamp")
            .and_then(|t| parse_timestamp(&t))
            .unwrap_or(0),
        decision: decision_of(e),
    };
    part.add(id, seen);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::index_object;

    /// Takes each event (as JSON text) into a part of its own, as if every
    /// event were in a chunk of its own, and merges them in order.
    fn collect(subject: &Subject, events: &[&str]) -> Requests {
        let mut total = Requests::default();
        for text in events {
            let mut members = Vec::new();
            index_object(text, &mut members).unwrap();
            let mut part = Requests::default();
            take(subject, &Event::new(text, &members), &mut part);
            total.merge(part);
        }
        total
    }

    const GET: &str = r#""verb":"get","user":{"username":"u","groups":["g"]},"objectRef":{"resource":"pods","namespace":"a","name":"p"}"#;

    fn event(id: &str, stage: &str, rest: &str) -> String {
        format!(
            r#"{{"auditID":"{id}","stage":"{stage}","stageTimestamp":"2024-05-01T10:00:0{}Z",{GET}{rest}}}"#,
            stage.len() % 10
        )
    }

    #[test]
    fn a_request_counts_once_at_its_most_complete_stage_across_chunks() {
        let u = Subject::User("u".into());
        let received = event("1", "RequestReceived", "");
        let complete = event("1", "ResponseComplete", r#","responseStatus":{"code":403}"#);
        let other = event(
            "2",
            "ResponseComplete",
            r#","annotations":{"authorization.k8s.io/decision":"allow"}"#,
        );
        // Either order: the complete stage decides.
        for events in [
            [&received, &complete, &other],
            [&complete, &other, &received],
        ] {
            let events: Vec<&str> = events.iter().map(|s| s.as_str()).collect();
            let t = collect(&u, &events);
            let tallies = t.tallies();
            assert_eq!(tallies.len(), 1);
            let tally = tallies.first().unwrap().1;
            assert_eq!((tally.allowed, tally.denied, tally.undecided), (1, 1, 0));
            assert_eq!(t.groups, ["g".to_string()].into());
        }
        // Only RequestReceived: undecided. Without an auditID: each counts.
        let t = collect(&u, &[&received]);
        assert_eq!(t.tallies().first().unwrap().1.undecided, 1);
        let loose = format!(r#"{{{GET},"responseStatus":{{"code":200}}}}"#);
        let t = collect(&u, &[&loose, &loose]);
        assert_eq!(t.tallies().first().unwrap().1.allowed, 2);
    }

    #[test]
    fn the_decision_annotation_wins_over_the_code() {
        let u = Subject::User("u".into());
        let e = event(
            "1",
            "ResponseComplete",
            r#","responseStatus":{"code":403},"annotations":{"authorization.k8s.io/decision":"allow"}"#,
        );
        // Allowed by RBAC, refused later (admission): allowed.
        assert_eq!(collect(&u, &[&e]).tallies().first().unwrap().1.allowed, 1);
    }

    #[test]
    fn a_429_without_a_decision_never_reached_the_authorizer() {
        // Priority and fairness (or max-in-flight) throttles before
        // authorization: no decision, so not a request RBAC allowed.
        let u = Subject::User("u".into());
        let throttled = event("1", "ResponseComplete", r#","responseStatus":{"code":429}"#);
        let t = collect(&u, &[&throttled]).tallies().first().unwrap().1;
        assert_eq!((t.allowed, t.denied, t.undecided), (0, 0, 1));
        // With the decision logged, the decision counts.
        let allowed = event(
            "2",
            "ResponseComplete",
            r#","responseStatus":{"code":429},"annotations":{"authorization.k8s.io/decision":"allow"}"#,
        );
        assert_eq!(
            collect(&u, &[&allowed])
                .tallies()
                .first()
                .unwrap()
                .1
                .allowed,
            1
        );
        let not_found = event("3", "ResponseComplete", r#","responseStatus":{"code":404}"#);
        assert_eq!(
            collect(&u, &[&not_found])
                .tallies()
                .first()
                .unwrap()
                .1
                .allowed,
            1
        );
    }

    #[test]
    fn requests_are_keyed_as_rbac_sees_them() {
        let u = Subject::User("u".into());
        let key = |rest: &str| {
            let text = format!(r#"{{"auditID":"1","user":{{"username":"u"}},{rest}}}"#);
            let t = collect(&u, &[&text]);
            let tallies = t.tallies();
            tallies.first().map(|(r, _)| r.to_string())
        };
        assert_eq!(
            key(r#""verb":"create","objectRef":{"resource":"configmaps","namespace":"a","name":"new"}"#).as_deref(),
            Some("create configmaps in \"a\"")
        );
        assert_eq!(
            key(r#""verb":"create","objectRef":{"resource":"pods","subresource":"exec","namespace":"a","name":"p"}"#).as_deref(),
            Some("create pods/exec \"p\" in \"a\"")
        );
        assert_eq!(
            key(r#""verb":"get","requestURI":"/healthz?verbose=1","objectRef":null"#).as_deref(),
            Some("get /healthz")
        );
        assert_eq!(key(r#""requestURI":"/healthz""#), None);
        // Impersonated: the request is the impersonated user's.
        let imp = r#"{"auditID":"1","verb":"get","user":{"username":"u"},"impersonatedUser":{"username":"v","groups":["h"]},"requestURI":"/x"}"#;
        assert_eq!(collect(&u, &[imp]).len(), 0);
        let v = collect(&Subject::User("v".into()), &[imp]);
        assert_eq!(v.groups, ["h".to_string()].into());
        assert_eq!(
            collect(&Subject::Group("h".into()), &[imp]).tallies().len(),
            1
        );
    }
}
