//! The audit event as kaq sees it: a borrowed view over validated JSON text.
//!
//! [`Event`] holds the event's text and the positions of its top-level members
//! (recorded by [`crate::json::index_object`] in the one validating pass).
//! Fields are decoded only when asked for; nothing is copied.

pub mod computed;
pub mod envelope;
pub mod path;

use crate::json::{raw_eq, KeyHook, Member, Value};
pub use path::{Path, Segment};

/// A borrowed audit event: its JSON text and its top-level member index.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    text: &'a str,
    members: &'a [Member],
    /// Where the members [`known_slot`] names are: member index + 1, 0 when
    /// absent; slot [`OTHERS`] says whether any other key is present.
    /// `None` when the index cannot be trusted (an escaped key, or more
    /// members than a byte counts); lookups then scan.
    known: Option<[u8; KNOWN + 1]>,
    /// The members of the [`Nested`] parents, when the validating pass
    /// recorded them ([`crate::json::index_object_nested`]).
    children: Option<&'a [(u32, Member)]>,
    /// Where the [`Nested`] members are, once [`Event::index_nested`] ran:
    /// byte spans of their values in `text`, `(0, 0)` when absent.
    nested: Option<[Span; Nested::COUNT]>,
    /// Computed values kept for the rest of this event's evaluation.
    memo: Option<&'a Memo>,
    /// The cloud record the event came in, when it came in one.
    record: Option<&'a str>,
    format: envelope::Format,
}

/// What a validated top-level JSON object turned out to be.
pub enum Shape<'a> {
    /// An audit Event.
    Event,
    /// An `EventList` (webhook batch) with its `items` array.
    EventList(Value<'a>),
    /// Something else, with the reason shown to the user.
    NotEvent(String),
}

impl<'a> Event<'a> {
    /// Wraps text and the member index that [`crate::json::index_object`]
    /// produced for exactly that text.
    pub fn new(text: &'a str, members: &'a [Member]) -> Self {
        Event::wrapped(text, members, None, envelope::Format::Event)
    }

    /// [`Event::new`] with the slots `keys` found while the same pass that
    /// produced `members` validated `text`: no second look at the keys.
    pub fn with_keys(text: &'a str, members: &'a [Member], keys: &KnownKeys) -> Self {
        Event {
            known: keys.slots,
            ..Event::new_unindexed(text, members)
        }
    }

    fn new_unindexed(text: &'a str, members: &'a [Member]) -> Self {
        Event {
            text,
            members,
            known: None,
            children: None,
            nested: None,
            memo: None,
            record: None,
            format: envelope::Format::Event,
        }
    }

    /// An event unwrapped from a cloud envelope: `text` is the Event JSON,
    /// `record` what was read.
    pub fn wrapped(
        text: &'a str,
        members: &'a [Member],
        record: Option<&'a str>,
        format: envelope::Format,
    ) -> Self {
        Event {
            known: index_known(text, members),
            record,
            format,
            ..Event::new_unindexed(text, members)
        }
    }

    /// The event's JSON text (for a cloud record, the Event inside it).
    pub fn raw(&self) -> &'a str {
        self.text
    }

    /// What was read: the cloud record for an unwrapped event, else the
    /// event's own text. `-o ndjson` prints this, so nothing is lost.
    pub fn record(&self) -> &'a str {
        self.record.unwrap_or(self.text)
    }

    /// The envelope the event came in.
    pub fn format(&self) -> envelope::Format {
        self.format
    }

    /// The top-level member `key`.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        match (known_slot(key), &self.known) {
            (Some(k), _) => self.get_top(Top(k)),
            // Every key has a slot, so no other name is here (computed
            // fields such as `pod` are asked for this way on every event).
            (None, Some(slots)) if slots[OTHERS] == 0 => None,
            (None, _) => self.scan(key),
        }
    }

    /// The top-level member `top` names; a lookup when the event's index can
    /// be trusted.
    #[inline]
    pub fn get_top(&self, top: Top) -> Option<Value<'a>> {
        match &self.known {
            Some(slots) => {
                let at = usize::from(slots[top.0]).checked_sub(1)?;
                let m = &self.members[at];
                Some(Value::new_unchecked(
                    &self.text[m.value.0 as usize..m.value.1 as usize],
                ))
            }
            None => self.scan(KNOWN_NAMES[top.0]),
        }
    }

    /// A top-level member found by reading every key.
    fn scan(&self, key: &str) -> Option<Value<'a>> {
        self.members.iter().find_map(|m| {
            let k = &self.text[m.key.0 as usize..m.key.1 as usize];
            raw_eq(k, key)
                .then(|| Value::new_unchecked(&self.text[m.value.0 as usize..m.value.1 as usize]))
        })
    }

    /// Finds the [`Nested`] members in one walk of their parents, so that
    /// later reads of them ([`Event::visit_nested`]) are array lookups. Pays
    /// off when many filters read the same few fields of each event, as a
    /// detection catalogue does; a single query does not call it.
    pub fn index_nested(mut self) -> Self {
        let mut spans = [(0u32, 0u32); Nested::COUNT];
        if let (Some(children), Some(slots)) = (self.children, &self.known) {
            // The validating pass recorded the parents' members: match
            // their keys, first occurrence as a walk would find it.
            let parents = Nested::PARENT_TOPS.map(|top| u32::from(slots[top]).wrapping_sub(1));
            for (at, m) in children {
                let Some(p) = parents.iter().position(|p| p == at) else {
                    continue;
                };
                let key = &self.text[m.key.0 as usize..m.key.1 as usize];
                for &(name, slot) in Nested::PARENTS[p].1 {
                    if spans[slot].1 == 0 && crate::json::raw_eq(key, name) {
                        spans[slot] = m.value;
                    }
                }
            }
            self.nested = Some(spans);
            return self;
        }
        for ((_, children), top) in Nested::PARENTS.iter().zip(Nested::PARENT_TOPS) {
            let Some(object) = self.get_top(Top(top)) else {
                continue;
            };
            let mut missing = children.len();
            for (key, value) in object.members() {
                for &(name, slot) in children.iter() {
                    if spans[slot].1 == 0 && crate::json::raw_eq(key, name) {
                        spans[slot] = self.span(value);
                        missing -= 1;
                    }
                }
                if missing == 0 {
                    // The rest (a long authorization reason) is not needed.
                    break;
                }
            }
        }
        self.nested = Some(spans);
        self
    }

    /// The same event, with the members of its [`Nested`] parents that
    /// [`crate::json::index_object_nested`] recorded for exactly this text
    /// (see [`Nested::is_parent`]): [`Event::index_nested`] then reads them
    /// instead of walking the text.
    pub fn with_children(self, children: &'a [(u32, Member)]) -> Self {
        Event {
            children: Some(children),
            ..self
        }
    }

    /// The same event, keeping computed values that several filters read
    /// (the pod specs of a body) in `memo` the first time they are needed.
    /// `memo` must be fresh: it belongs to this one event.
    pub fn with_memo<'b>(self, memo: &'b Memo) -> Event<'b>
    where
        'a: 'b,
    {
        Event {
            memo: Some(memo),
            ..self
        }
    }

    pub(crate) fn memo(&self) -> Option<&'a Memo> {
        self.memo
    }

    /// Where a value of this event's text lies in it.
    pub(crate) fn span(&self, v: Value<'_>) -> Span {
        let start = v.text().as_ptr() as usize - self.text.as_ptr() as usize;
        debug_assert!(start + v.text().len() <= self.text.len());
        (start as u32, (start + v.text().len()) as u32)
    }

    /// The value at a span from [`Event::span`]; `None` for `(0, 0)`.
    pub(crate) fn at(&self, (start, end): Span) -> Option<Value<'a>> {
        (end != 0).then(|| Value::new_unchecked(&self.text[start as usize..end as usize]))
    }

    /// A [`Nested`] member's value as logged (no defaults).
    pub fn nested(&self, field: Nested) -> Option<Value<'a>> {
        match &self.nested {
            Some(spans) => self.at(spans[field.0]),
            None => {
                let (parent, children) = Nested::PARENTS
                    .iter()
                    .find(|(_, c)| c.iter().any(|&(_, slot)| slot == field.0))?;
                let name = children.iter().find(|&&(_, slot)| slot == field.0)?.0;
                self.get(parent)?.get(name)
            }
        }
    }

    /// A [`Nested`] member as read by a path that ends at it, when
    /// [`Event::index_nested`] ran: `Some(None)` when it is absent. `None`
    /// when only a walk can tell (no index, or a member read with a
    /// default, as `objectRef.apiGroup` is).
    #[inline]
    pub fn indexed(&self, field: Nested) -> Option<Option<Value<'a>>> {
        let spans = self.nested.as_ref()?;
        (field != Nested::API_GROUP).then(|| self.at(spans[field.0]))
    }

    /// [`Event::visit`] for a path that starts with a [`Nested`] member
    /// (`rest` is what follows it): a lookup once [`Event::index_nested`]
    /// ran, else the same walk as `visit(path)`.
    pub fn visit_nested(
        &self,
        field: Nested,
        path: &Path,
        f: &mut dyn for<'v> FnMut(Value<'v>) -> bool,
    ) -> bool {
        let Some(spans) = &self.nested else {
            return self.visit(path, f);
        };
        match self.at(spans[field.0]) {
            Some(value) => visit_value(value, &path.segments[2..], f),
            // A missing `objectRef.apiGroup` is the core group.
            None => {
                field == Nested::API_GROUP
                    && self.get("objectRef").is_some()
                    && visit_value(Value::new_unchecked("\"\""), &path.segments[2..], f)
            }
        }
    }

    /// A top-level string field, decoded.
    pub fn str(&self, key: &str) -> Option<std::borrow::Cow<'a, str>> {
        self.get(key).and_then(|v| v.as_str())
    }

    /// Decides whether this object is an Event, an EventList or neither.
    ///
    /// `kind` and `apiVersion` may be missing (many real captures lack them);
    /// an object counts as an event when `kind` is absent or `"Event"` and it
    /// has at least one of `auditID`, `verb`, `stage` or `requestURI`.
    pub fn shape(&self) -> Shape<'a> {
        match self.get("kind") {
            Some(k) if k.as_str().as_deref() == Some("EventList") => {
                return match self.get("items") {
                    Some(items) if items.kind() == crate::json::Kind::Array => {
                        Shape::EventList(items)
                    }
                    _ => Shape::NotEvent("EventList without an `items` array".into()),
                };
            }
            Some(k) if k.as_str().as_deref() == Some("Event") => {}
            Some(k) => {
                return Shape::NotEvent(format!(
                    "not an audit event: `kind` is {}",
                    truncate(k.text(), 40)
                ))
            }
            None => {}
        }
        if ["auditID", "verb", "stage", "requestURI"]
            .iter()
            .any(|k| self.get(k).is_some())
        {
            Shape::Event
        } else {
            Shape::NotEvent("not an audit event: no auditID, verb, stage or requestURI".into())
        }
    }

    /// Calls `f` with every value `path` reaches, stopping as soon as `f`
    /// returns true; returns whether it stopped. Values may be computed
    /// ([`computed`]), so `f` must not keep them.
    ///
    /// A missing `objectRef.apiGroup` of an event that has an `objectRef` is
    /// the core group and reads as `""`.
    pub fn visit(&self, path: &Path, f: &mut dyn for<'v> FnMut(Value<'v>) -> bool) -> bool {
        self.visit_from(path, Top::of(path), f)
    }

    /// [`Event::visit`] with the slot of the path's first key, when it has
    /// one, found beforehand ([`Top::of`]): a filter resolves it once, not
    /// per event.
    pub fn visit_from(
        &self,
        path: &Path,
        slot: Option<Top>,
        f: &mut dyn for<'v> FnMut(Value<'v>) -> bool,
    ) -> bool {
        let Some((Segment::Key(first), rest)) = path.segments.split_first() else {
            return false;
        };
        let found = match slot {
            Some(t) => self.get_top(t),
            None => self.get(first),
        };
        let Some(top) = found else {
            return computed::visit(self, first, rest, f);
        };
        if first == "objectRef" && path.is(&["objectRef", "apiGroup"]) {
            let group = top.get("apiGroup").unwrap_or(Value::new_unchecked("\"\""));
            return f(group);
        }
        visit_value(top, rest, f)
    }
}

impl Event<'_> {
    /// [`Event::visit`] for display: an array reached at the end of a path
    /// without `[*]` is entered one level, so `sourceIPs` yields each address
    /// (with `[*]` the path already chose the elements).
    pub fn visit_flat(&self, path: &Path, f: &mut dyn for<'v> FnMut(Value<'v>)) {
        let flat = !path.has_wildcard();
        self.visit(path, &mut |v| {
            if flat && v.kind() == crate::json::Kind::Array {
                v.elements().for_each(&mut *f);
            } else {
                f(v);
            }
            false
        });
    }
}

/// Calls `f` with every value `segments` reach from `v`; see [`Event::visit`].
pub fn visit_value(
    v: Value<'_>,
    segments: &[Segment],
    f: &mut dyn for<'v> FnMut(Value<'v>) -> bool,
) -> bool {
    let Some((seg, rest)) = segments.split_first() else {
        return f(v);
    };
    match seg {
        Segment::Key(k) => match v.get(k) {
            Some(child) => visit_value(child, rest, f),
            None => false,
        },
        Segment::Index(n) => match v.elements().nth(*n) {
            Some(child) => visit_value(child, rest, f),
            None => false,
        },
        Segment::Wildcard => {
            if v.kind() == crate::json::Kind::Object {
                v.members().any(|(_, child)| visit_value(child, rest, f))
            } else {
                v.elements().any(|child| visit_value(child, rest, f))
            }
        }
    }
}

/// Where a value lies in an event's text: byte offsets, `(0, 0)` for none
/// (no value starts at 0: the text starts with `{`).
pub type Span = (u32, u32);

/// Computed values of one event, kept while its filters run; see
/// [`Event::with_memo`].
#[derive(Debug, Default)]
pub struct Memo {
    pub(crate) pod: std::cell::OnceCell<computed::PodParts>,
}

/// A member one level down that filters read on nearly every event
/// (`objectRef.resource`, `user.username`, `responseStatus.code`, the
/// authorization decision, ...); see [`Event::index_nested`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nested(usize);

impl Nested {
    const COUNT: usize = 9;
    pub const RESOURCE: Nested = Nested(0);
    pub const SUBRESOURCE: Nested = Nested(1);
    const API_GROUP: Nested = Nested(4);
    pub const USERNAME: Nested = Nested(5);
    pub const GROUPS: Nested = Nested(6);
    pub const CODE: Nested = Nested(7);
    pub const DECISION: Nested = Nested(8);
    /// Each parent with its members and their slots.
    const PARENTS: [(&'static str, &'static [(&'static str, usize)]); 4] = [
        (
            "objectRef",
            &[
                ("resource", 0),
                ("subresource", 1),
                ("namespace", 2),
                ("name", 3),
                ("apiGroup", 4),
            ],
        ),
        ("user", &[("username", 5), ("groups", 6)]),
        ("responseStatus", &[("code", 7)]),
        ("annotations", &[("authorization.k8s.io/decision", 8)]),
    ];

    /// Is this raw top-level key one whose members [`Event::index_nested`]
    /// reads? For [`crate::json::index_object_nested`].
    pub fn is_parent(key: &[u8]) -> bool {
        Nested::PARENTS.iter().any(|(p, _)| p.as_bytes() == key)
    }

    /// The [`KNOWN_NAMES`] slot of each parent.
    const PARENT_TOPS: [usize; 4] = [2, 1, 3, 4];

    /// The member a path starts with, when it is one of these.
    pub fn of(path: &Path) -> Option<Nested> {
        let [Segment::Key(parent), Segment::Key(child), ..] = path.segments.as_slice() else {
            return None;
        };
        Nested::PARENTS
            .iter()
            .find(|(p, _)| p == parent)?
            .1
            .iter()
            .find(|(c, _)| c == child)
            .map(|&(_, slot)| Nested(slot))
    }
}

/// The top-level members that filters, columns and rules read most, by
/// slot. Rules read a handful of them each, a dozen rules per event; finding
/// them once per event makes each later lookup an array index instead of a
/// scan of some twenty keys.
const KNOWN_NAMES: [&str; KNOWN] = [
    "verb",
    "user",
    "objectRef",
    "responseStatus",
    "annotations",
    "stage",
    "sourceIPs",
    "userAgent",
    "impersonatedUser",
    "requestURI",
    "auditID",
    "stageTimestamp",
    "requestReceivedTimestamp",
    "requestObject",
    "responseObject",
    "kind",
    "apiVersion",
    "level",
];

/// The slot of a top-level member that has one ([`KNOWN_NAMES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Top(usize);

impl Top {
    pub const VERB: Top = Top(0);
    pub const STAGE: Top = Top(5);
    pub const SOURCE_IPS: Top = Top(6);
    pub const USER_AGENT: Top = Top(7);

    /// The slot of a path's first key.
    pub fn of(path: &Path) -> Option<Top> {
        path.head().and_then(known_slot).map(Top)
    }
}

/// How many top-level members have a slot.
const KNOWN: usize = 18;
/// The slot after the named ones: 1 when the event has a key with no slot
/// (then a lookup of a name without one must read every key).
const OTHERS: usize = KNOWN;

/// `key`'s slot in [`KNOWN_NAMES`]. Runs for every key of every event, so
/// it picks the one candidate with a table lookup by length and last byte
/// ([`candidate`]), no branch per name, and compares once.
#[inline]
fn known_slot(key: impl AsRef<[u8]>) -> Option<usize> {
    let b = key.as_ref();
    let slot = usize::from(CANDIDATE[candidate(b.len(), *b.last()?)]);
    (slot < KNOWN && crate::json::bytes_eq(b, KNOWN_NAMES[slot].as_bytes())).then_some(slot)
}

/// What a top-level key means to [`KnownKeys`], worked out once per distinct
/// key by a [`crate::json::KeyMemo`] made with it: its slot when it has one,
/// [`OTHERS`] for a plain key without one, [`ESCAPED`] for a key with an
/// escape (it might spell a known name, so slots cannot be trusted).
pub fn key_class(raw: &[u8]) -> u8 {
    match known_slot(raw) {
        Some(k) => k as u8,
        // A key equal to a known name has no escape; any other key might
        // spell one with an escape.
        None if memchr::memchr(b'\\', raw).is_some() => ESCAPED as u8,
        None => OTHERS as u8,
    }
}

/// The [`key_class`] of a key with an escape.
const ESCAPED: usize = OTHERS + 1;

/// Where a key of this length and last byte sits in [`CANDIDATE`]. No two
/// [`KNOWN_NAMES`] share a place; building the table checks it.
const fn candidate(len: usize, last: u8) -> usize {
    (len.wrapping_mul(3).wrapping_add(last as usize)) & 63
}

/// The slot of the one known name at each [`candidate`] place; `KNOWN`
/// where there is none.
static CANDIDATE: [u8; 64] = {
    let mut table = [KNOWN as u8; 64];
    let mut slot = 0;
    while slot < KNOWN {
        let name = KNOWN_NAMES[slot].as_bytes();
        let at = candidate(name.len(), name[name.len() - 1]);
        assert!(table[at] == KNOWN as u8, "two known names share a place");
        table[at] = slot as u8;
        slot += 1;
    }
    table
};

/// Finds the members [`known_slot`] names of an event: the first of each, as a scan
/// would. `None` when a key is escaped (its raw text is not its name) or
/// there are too many members to count in a byte.
fn index_known(text: &str, members: &[Member]) -> Option<[u8; KNOWN + 1]> {
    let mut keys = KnownKeys::new(false);
    keys.start();
    for (i, m) in members.iter().enumerate() {
        keys.key(
            i,
            &text.as_bytes()[m.key.0 as usize..m.key.1 as usize],
            None,
        );
    }
    keys.slots
}

/// The slots of an event's known members ([`index_known`]), found key by
/// key as the validating pass meets them ([`KeyHook`]), and which parents'
/// members it records ([`Nested::is_parent`], for `kaq detect`). Meaningful
/// once the pass accepted the line; [`Event::with_keys`] takes it.
#[derive(Debug, Clone)]
pub struct KnownKeys {
    slots: Option<[u8; KNOWN + 1]>,
    parents: bool,
}

impl KnownKeys {
    /// `parents`: record the members of the [`Nested`] parents.
    pub fn new(parents: bool) -> Self {
        KnownKeys {
            slots: None,
            parents,
        }
    }
}

impl KeyHook for KnownKeys {
    fn start(&mut self) {
        self.slots = Some([0; KNOWN + 1]);
    }

    #[inline]
    fn key(&mut self, index: usize, raw: &[u8], class: Option<u8>) {
        let Some(slots) = &mut self.slots else {
            return;
        };
        // Member numbers are kept in a byte, plus one.
        if index >= usize::from(u8::MAX) - 1 {
            self.slots = None;
            return;
        }
        match usize::from(class.unwrap_or_else(|| key_class(raw))) {
            k if k < KNOWN => {
                if slots[k] == 0 {
                    slots[k] = index as u8 + 1;
                }
            }
            OTHERS => slots[OTHERS] = 1,
            _ => self.slots = None,
        }
    }

    fn parent(&mut self, raw: &[u8]) -> bool {
        self.parents && Nested::is_parent(raw)
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parser::parse_path;
    use crate::json::index_object;

    /// The slots the validating pass finds key by key ([`KnownKeys`]) are
    /// the ones [`index_known`] finds from the members afterwards: repeated
    /// keys, escaped keys, unknown keys, too many members to count.
    #[test]
    fn keys_found_in_the_pass_are_the_keys_found_after_it() {
        let many = format!(
            "{{{}\"verb\":\"get\"}}",
            (0..300)
                .map(|i| format!("\"k{i}\":{i},"))
                .collect::<String>()
        );
        let texts = [
            r#"{"verb":"get","user":{"username":"a"},"verb":"list"}"#,
            r#"{"verb":"get","v\u0065rb":"list"}"#,
            r#"{"v\u0065rb":"list","verb":"get"}"#,
            r#"{"verb":"get","custom":1}"#,
            r#"{"kind":"Event","level":"Metadata","requestObject":{"verb":"x"}}"#,
            many.as_str(),
        ];
        // A memo that classifies its keys (as scanning uses one), shared by
        // every text and every round, so that keys come back classed; and a
        // fresh memo without classes.
        let mut classed = crate::json::KeyMemo::new(key_class);
        for _round in 0..2 {
            for text in texts {
                for memo in [&mut classed, &mut crate::json::KeyMemo::default()] {
                    let mut members = Vec::new();
                    let mut keys = KnownKeys::new(false);
                    crate::json::index_line_nested(
                        text.as_bytes(),
                        &mut members,
                        &mut Vec::new(),
                        &mut keys,
                        memo,
                    )
                    .unwrap();
                    assert_eq!(keys.slots, index_known(text, &members), "{text}");
                    let (a, b) = (
                        Event::new(text, &members),
                        Event::with_keys(text, &members, &keys),
                    );
                    for name in ["verb", "user", "custom", "level", "k299", "nothing"] {
                        assert_eq!(a.get(name), b.get(name), "{name} in {text}");
                    }
                    // The first key that decodes to the name counts, an
                    // escaped spelling included.
                    let verb = b
                        .get("verb")
                        .and_then(|v| v.as_str().map(|s| s.into_owned()));
                    let first = if text.starts_with(r#"{"v\u0065rb""#) {
                        "list"
                    } else {
                        "get"
                    };
                    if text.contains("\\u0065") {
                        assert_eq!(verb.as_deref(), Some(first), "{text}");
                    }
                }
            }
        }
    }

    /// The members the validating pass records give the same nested index
    /// as a walk of the text: first occurrences, escaped keys, parents that
    /// are not objects, repeated parents.
    #[test]
    fn recorded_children_index_as_a_walk_does() {
        for text in [
            r#"{"verb":"get","objectRef":{"resource":"pods","subresource":"exec","resource":"x"},"user":{"username":"a","groups":["g"]}}"#,
            r#"{"user":"plain","objectRef":{"res\u006furce":"pods","name":"n"},"responseStatus":{"metadata":{},"code":403}}"#,
            r#"{"user":{"username":"first"},"user":{"username":"second"},"annotations":{"authorization.k8s.io/decision":"allow"}}"#,
            r#"{"objectRef":{},"annotations":{"x":{"deep":[1,{"y":2}]},"authorization.k8s.io/decision":"forbid"}}"#,
            r#"{"user":"plain","user":{"username":"second"}}"#,
        ] {
            let mut members = Vec::new();
            let mut children = Vec::new();
            crate::json::index_object_nested(text, &mut members, &mut children, Nested::is_parent)
                .unwrap();
            let walked = Event::new(text, &members).index_nested();
            let recorded = Event::new(text, &members)
                .with_children(&children)
                .index_nested();
            for slot in 0..Nested::COUNT {
                let text_of = |e: &Event<'_>| e.nested(Nested(slot)).map(|v| v.text().to_string());
                assert_eq!(
                    text_of(&recorded),
                    text_of(&walked),
                    "slot {slot} of {text}"
                );
            }
        }
    }

    #[test]
    fn named_slots_are_their_names() {
        for (top, name) in [
            (Top::VERB, "verb"),
            (Top::STAGE, "stage"),
            (Top::SOURCE_IPS, "sourceIPs"),
            (Top::USER_AGENT, "userAgent"),
        ] {
            assert_eq!(known_slot(name), Some(top.0), "{name}");
        }
    }

    #[test]
    fn parents_have_their_slots() {
        for ((parent, _), top) in Nested::PARENTS.iter().zip(Nested::PARENT_TOPS) {
            assert_eq!(known_slot(parent), Some(top), "{parent}");
        }
    }

    fn with_event<R>(text: &str, f: impl FnOnce(Event<'_>) -> R) -> R {
        let mut m = Vec::new();
        index_object(text, &mut m).unwrap();
        f(Event::new(text, &m))
    }

    fn values(text: &str, path: &Path) -> Vec<String> {
        with_event(text, |e| {
            let mut out = Vec::new();
            e.visit(path, &mut |v: Value<'_>| {
                out.push(v.text().to_string());
                false
            });
            out
        })
    }

    #[test]
    fn visits_nested_and_wildcard_paths() {
        let text = r#"{"verb":"create","requestObject":{"spec":{"containers":[{"name":"a"},{"name":"b","securityContext":{"privileged":true}}]}}}"#;
        let p = parse_path("requestObject.spec.containers[*].name").unwrap();
        assert_eq!(values(text, &p), [r#""a""#, r#""b""#]);
        let p1 = parse_path("requestObject.spec.containers[1].name").unwrap();
        assert_eq!(values(text, &p1), [r#""b""#]);
    }

    #[test]
    fn missing_api_group_is_core() {
        let p = Path::keys(&["objectRef", "apiGroup"]);
        assert_eq!(
            values(r#"{"verb":"get","objectRef":{"resource":"pods"}}"#, &p),
            [r#""""#]
        );
        assert!(values(r#"{"verb":"get"}"#, &p).is_empty());
        assert_eq!(
            values(r#"{"verb":"get","objectRef":{"apiGroup":"apps"}}"#, &p),
            [r#""apps""#]
        );
    }

    #[test]
    fn indexed_reads_agree_with_walks() {
        let events = [
            r#"{"verb":"get","objectRef":{"resource":"pods","name":"a","resource":"dup"},"user":{"username":"u","groups":["g1","g2"]},"responseStatus":{"metadata":{},"code":403},"annotations":{"x":"y","authorization.k8s.io/decision":"forbid"}}"#,
            r#"{"verb":"get","objectRef":{"resource":"secrets","subresource":"x","apiGroup":"apps"}}"#,
            r#"{"verb":"get","objectRef":{"namespace":"n"},"user":7}"#,
            r#"{"verb":"get"}"#,
        ];
        let paths = [
            "objectRef.resource",
            "objectRef.subresource",
            "objectRef.namespace",
            "objectRef.name",
            "objectRef.apiGroup",
            "user.username",
            "user.groups",
            "user.groups[1]",
            "responseStatus.code",
            r#"annotations["authorization.k8s.io/decision"]"#,
        ];
        for text in events {
            let mut m = Vec::new();
            index_object(text, &mut m).unwrap();
            let plain = Event::new(text, &m);
            let indexed = plain.index_nested();
            for p in paths {
                let path = parse_path(p).unwrap();
                let field = Nested::of(&path).expect(p);
                let collect = |e: &Event<'_>| {
                    let mut out = Vec::new();
                    e.visit_nested(field, &path, &mut |v| {
                        out.push(v.text().to_string());
                        false
                    });
                    out
                };
                assert_eq!(collect(&indexed), values(text, &path), "{p} in {text}");
                assert_eq!(collect(&plain), values(text, &path), "{p} in {text}");
            }
        }
    }

    #[test]
    fn every_known_name_has_its_slot() {
        for (slot, name) in KNOWN_NAMES.iter().enumerate() {
            assert_eq!(known_slot(name), Some(slot), "{name}");
        }
        // Same length and last byte as a known name (same table place), or near it.
        for other in [
            "",
            "v",
            "herb",
            "verbs",
            "Verb",
            "responseStatuX",
            "sourceIPz",
            "requestReceivedTimestamq",
        ] {
            assert_eq!(known_slot(other), None, "{other}");
        }
    }

    #[test]
    fn shapes() {
        with_event(r#"{"kind":0}"#, |e| {
            assert!(matches!(e.shape(), Shape::NotEvent(_)))
        });
        with_event(r#"{"foo":1}"#, |e| {
            assert!(matches!(e.shape(), Shape::NotEvent(_)))
        });
        with_event(r#"{"auditID":"x"}"#, |e| {
            assert!(matches!(e.shape(), Shape::Event))
        });
        with_event(r#"{"kind":"EventList","items":[]}"#, |e| {
            assert!(matches!(e.shape(), Shape::EventList(_)))
        });
    }
}
