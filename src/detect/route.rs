//! Routing: which rules can fire on an event, worked out once per
//! combination of a few field values instead of once per event.
//!
//! Nearly every rule names the verb, resource or subresource it is about,
//! the kind of user it watches or exempts, the response it wants; a log has
//! few distinct values of those fields. For each [`GROUPS`] entry, the
//! router keeps, per distinct text of the group's values, the rules that the
//! group's fields alone do not rule out ([`Matcher::decide`]); an event is
//! tested against the rules no group ruled out. That skips most of the
//! catalogue, including rules whose own tests are dear (a regex on the user
//! agent, an address parsed for `ip within`) on events where a cheap field
//! already decides.
//!
//! Sound by construction: a rule is skipped only when the tests of one
//! group's fields make its filter false whatever the other fields hold, and
//! those tests read nothing but the values kept as the key.
//!
//! [`Matcher::decide`]: crate::filter::eval::Matcher::decide

use crate::event::{Event, Nested, Top};
use crate::json::Value;

use super::Detector;

/// Reads one routing field of an event.
type Read = for<'e, 'a> fn(&'e Event<'a>) -> Option<Value<'a>>;

/// A set of fields whose values are few in any log, routed on together.
struct Group {
    /// The fields as filter paths (what [`Matcher::decide`] runs tests of).
    ///
    /// [`Matcher::decide`]: crate::filter::eval::Matcher::decide
    paths: &'static [&'static [&'static str]],
    /// The same fields, read the fast way, in the same order.
    read: &'static [Read],
}

/// The routing groups. Fields that vary together share a group (a user's
/// groups follow its name); fields that do not get their own, so that no
/// key multiplies the values of unrelated fields.
const GROUPS: &[Group] = &[
    Group {
        paths: &[
            &["verb"],
            &["objectRef", "resource"],
            &["objectRef", "subresource"],
        ],
        read: &[
            |e| e.get_top(Top::VERB),
            |e| e.nested(Nested::RESOURCE),
            |e| e.nested(Nested::SUBRESOURCE),
        ],
    },
    Group {
        paths: &[&["user", "username"], &["user", "groups"]],
        read: &[|e| e.nested(Nested::USERNAME), |e| e.nested(Nested::GROUPS)],
    },
    Group {
        paths: &[
            &["responseStatus", "code"],
            &["annotations", "authorization.k8s.io/decision"],
        ],
        read: &[|e| e.nested(Nested::CODE), |e| e.nested(Nested::DECISION)],
    },
    Group {
        paths: &[&["userAgent"]],
        read: &[|e| e.get_top(Top::USER_AGENT)],
    },
    Group {
        paths: &[&["sourceIPs"]],
        read: &[|e| e.get_top(Top::SOURCE_IPS)],
    },
];

/// One worker thread's routes for one detector.
#[derive(Default)]
pub(super) struct Router {
    /// The detector the routes were worked out for.
    detector: Option<u64>,
    tables: Vec<Table>,
    /// The current event's key for one group (reused).
    key: Vec<u8>,
    /// The rules still possible, one bit each (reused).
    words: Vec<u64>,
    /// The rules to test, in catalogue order (reused).
    out: Vec<u16>,
}

/// The routes of one group.
#[derive(Default)]
struct Table {
    /// Key (the group's values' JSON text) → the rules the group does not
    /// rule out, one bit each.
    rules: foldhash::HashMap<Box<[u8]>, Box<[u64]>>,
    lookups: u32,
    misses: u32,
    /// Windows of lookups seen.
    windows: u32,
    /// The group's values turned out to be too many to pay off (a new key
    /// on many events): it no longer routes.
    off: bool,
}

impl Table {
    /// At most this many keys are kept per group.
    const MAX: usize = 4096;
    /// Lookups between checks of the miss rate.
    const WINDOW: u32 = 4096;
}

impl Router {
    /// The rules of `detector` that can fire on `e` (an event that
    /// [`Event::index_nested`] indexed), in catalogue order.
    pub(super) fn candidates(&mut self, detector: &Detector, e: &Event<'_>) -> &[u16] {
        let n = detector.rules.len();
        if self.detector != Some(detector.id) {
            self.detector = Some(detector.id);
            self.tables = GROUPS.iter().map(|_| Table::default()).collect();
        }
        self.words.clear();
        self.words.resize(n.div_ceil(64), u64::MAX);
        for (group, table) in GROUPS.iter().zip(&mut self.tables) {
            if table.off {
                continue;
            }
            self.key.clear();
            for read in group.read {
                // No value's text holds a control character, so 1 (absent)
                // and 0 (the separator) are never part of one.
                match read(e) {
                    Some(v) => self.key.extend_from_slice(v.text().as_bytes()),
                    None => self.key.push(1),
                }
                self.key.push(0);
            }
            table.lookups += 1;
            if let Some(mask) = table.rules.get(self.key.as_slice()) {
                self.words.iter_mut().zip(mask).for_each(|(w, m)| *w &= m);
            } else {
                table.misses += 1;
                let mut mask = vec![0u64; n.div_ceil(64)].into_boxed_slice();
                for (i, rule) in detector.rules.iter().enumerate() {
                    if rule.matcher.decide(e, group.paths) != Some(false) {
                        mask[i / 64] |= 1 << (i % 64);
                    }
                }
                self.words.iter_mut().zip(&mask).for_each(|(w, m)| *w &= m);
                if table.rules.len() >= Table::MAX {
                    table.rules.clear();
                }
                table.rules.insert(self.key.as_slice().into(), mask);
            }
            if table.lookups >= Table::WINDOW {
                // A miss tests every rule: past one in 32 lookups (after the
                // first window, which fills the table), that costs more than
                // routing saves.
                if table.windows > 0 && table.misses > Table::WINDOW / 32 {
                    table.off = true;
                    table.rules = Default::default();
                }
                table.windows += 1;
                table.lookups = 0;
                table.misses = 0;
            }
        }
        self.out.clear();
        for (w, &word) in self.words.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                if i < n {
                    self.out.push(i as u16);
                }
                bits &= bits - 1;
            }
        }
        &self.out
    }
}
