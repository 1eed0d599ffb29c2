//! `kaq summary`: the first screen on an unknown log — what is in it, over
//! which time, from whom, and what looks odd.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{event_time, max_opt, min_opt};
use crate::event::Event;
use crate::json::Value;
use crate::time::Micros;

/// How many of the largest events the summary keeps.
pub const LARGEST: usize = 5;

/// One of the largest events.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Large {
    pub bytes: u64,
    pub audit_id: String,
    pub verb: String,
    pub what: String,
    pub user: String,
}

/// Counts and extremes over the events seen. Memory: the distinct values of
/// the counted fields, plus a 64-bit hash per distinct request (for the
/// stage note).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub events: u64,
    /// Bytes of the events themselves.
    pub event_bytes: u64,
    pub first: Option<Micros>,
    pub last: Option<Micros>,
    pub stages: HashMap<String, u64>,
    pub levels: HashMap<String, u64>,
    pub users: HashMap<String, u64>,
    pub verbs: HashMap<String, u64>,
    pub resources: HashMap<String, u64>,
    pub namespaces: HashMap<String, u64>,
    pub source_ips: HashMap<String, u64>,
    pub user_agents: HashMap<String, u64>,
    /// Response codes by class: index 1..=5 for 1xx..5xx, 0 for none.
    pub code_classes: [u64; 6],
    pub unauthorized: u64,
    pub forbidden: u64,
    /// Events whose user is a `system:` identity.
    pub system_users: u64,
    /// Largest events, biggest first.
    pub largest: Vec<Large>,
    /// Hashes of request identities (see [`request_key`]).
    pub requests: HashSet<u64>,
}

impl Summary {
    /// Entries held (distinct values and requests), for a rough size.
    pub fn entries(&self) -> usize {
        [
            &self.stages,
            &self.levels,
            &self.users,
            &self.verbs,
            &self.resources,
            &self.namespaces,
            &self.source_ips,
            &self.user_agents,
        ]
        .iter()
        .map(|m| m.len())
        .sum::<usize>()
            + self.largest.len()
            + self.requests.len()
    }
}

fn count(map: &mut HashMap<String, u64>, key: Option<std::borrow::Cow<'_, str>>) {
    let key = key.as_deref().unwrap_or("<none>");
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

fn sub<'a>(v: Option<Value<'a>>, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    v.and_then(|o| o.get(key)).and_then(|x| x.as_str())
}

/// Identifies the request an event belongs to, across its stages. The
/// auditID alone is not enough (a client can set it), so the key also takes
/// the receive time, verb, URI and user, which every stage repeats.
pub fn request_key(e: &Event<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    for k in ["auditID", "requestReceivedTimestamp", "verb", "requestURI"] {
        e.get(k).map(|v| v.text()).hash(&mut h);
    }
    e.get("user")
        .and_then(|u| u.get("username"))
        .map(|v| v.text())
        .hash(&mut h);
    h.finish()
}

impl Summary {
    pub fn add(&mut self, e: &Event<'_>) {
        self.events += 1;
        let bytes = e.raw().len() as u64;
        self.event_bytes += bytes;
        let t = event_time(e);
        self.first = min_opt(self.first, t);
        self.last = max_opt(self.last, t);
        count(&mut self.stages, e.str("stage"));
        count(&mut self.levels, e.str("level"));
        let user = sub(e.get("user"), "username");
        if user.as_deref().is_some_and(|u| u.starts_with("system:")) {
            self.system_users += 1;
        }
        count(&mut self.users, user.clone());
        count(&mut self.verbs, e.str("verb"));
        let object = e.get("objectRef");
        let resource = sub(object, "resource").map(|r| match sub(object, "subresource") {
            Some(s) => format!("{r}/{s}").into(),
            None => r,
        });
        count(&mut self.resources, resource.clone());
        if object.is_some() {
            count(&mut self.namespaces, sub(object, "namespace"));
        }
        if let Some(ips) = e.get("sourceIPs") {
            for ip in ips.elements() {
                count(&mut self.source_ips, ip.as_str());
            }
        }
        count(&mut self.user_agents, e.str("userAgent"));
        let code = e
            .get("responseStatus")
            .and_then(|s| s.get("code"))
            .and_then(|c| c.as_f64());
        match code {
            Some(c) if (100.0..600.0).contains(&c) => self.code_classes[(c / 100.0) as usize] += 1,
            _ => self.code_classes[0] += 1,
        }
        match code {
            Some(401.0) => self.unauthorized += 1,
            Some(403.0) => self.forbidden += 1,
            _ => {}
        }
        self.requests.insert(request_key(e));
        // Same total order as `keep_largest`, so that the result does not
        // depend on how the input was split (ties included).
        let full = self.largest.len() >= LARGEST;
        if !full || self.largest.last().is_some_and(|l| bytes >= l.bytes) {
            let ns = sub(object, "namespace");
            let name = sub(object, "name").unwrap_or_default();
            let candidate = Large {
                bytes,
                audit_id: e.str("auditID").unwrap_or_default().into_owned(),
                verb: e.str("verb").unwrap_or_default().into_owned(),
                what: match (resource, ns) {
                    (Some(r), Some(ns)) => format!("{r} {ns}/{name}"),
                    (Some(r), None) => format!("{r} {name}"),
                    (None, _) => e.str("requestURI").unwrap_or_default().into_owned(),
                },
                user: user.unwrap_or_default().into_owned(),
            };
            if !full || self.largest.last().is_some_and(|l| candidate > *l) {
                self.largest.push(candidate);
                self.keep_largest();
            }
        }
    }

    fn keep_largest(&mut self) {
        // Biggest first; ties broken by content so the result is deterministic.
        self.largest.sort_by(|a, b| b.cmp(a));
        self.largest.truncate(LARGEST);
    }

    pub fn merge(&mut self, other: Summary) {
        self.events += other.events;
        self.event_bytes += other.event_bytes;
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        for (mine, theirs) in [
            (&mut self.stages, other.stages),
            (&mut self.levels, other.levels),
            (&mut self.users, other.users),
            (&mut self.verbs, other.verbs),
            (&mut self.resources, other.resources),
            (&mut self.namespaces, other.namespaces),
            (&mut self.source_ips, other.source_ips),
            (&mut self.user_agents, other.user_agents),
        ] {
            for (k, n) in theirs {
                *mine.entry(k).or_default() += n;
            }
        }
        for (a, b) in self.code_classes.iter_mut().zip(other.code_classes) {
            *a += b;
        }
        self.unauthorized += other.unauthorized;
        self.forbidden += other.forbidden;
        self.system_users += other.system_users;
        self.largest.extend(other.largest);
        self.keep_largest();
        self.requests.extend(other.requests);
    }
}

/// The `n` biggest entries of a counter, by count then name.
pub fn top(map: &HashMap<String, u64>, n: usize) -> Vec<(&str, u64)> {
    let mut v: Vec<(&str, u64)> = map.iter().map(|(k, c)| (k.as_str(), *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v
}
