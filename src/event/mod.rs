//! The audit event as kaq sees it: a borrowed view over validated JSON text.
//!
//! [`Event`] holds the event's text and the positions of its top-level members
//! (recorded by [`crate::json::index_object`] in the one validating pass).
//! Fields are decoded only when asked for; nothing is copied.

pub mod computed;
pub mod envelope;
pub mod path;

use crate::json::{key_matches, Member, Value};
pub use path::{Path, Segment};

/// A borrowed audit event: its JSON text and its top-level member index.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    text: &'a str,
    members: &'a [Member],
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
        Event {
            text,
            members,
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
            text,
            members,
            record,
            format,
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
        self.members.iter().find_map(|m| {
            let k = &self.text[m.key.0 as usize..m.key.1 as usize];
            key_matches(k, key)
                .then(|| Value::new_unchecked(&self.text[m.value.0 as usize..m.value.1 as usize]))
        })
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
        let Some((Segment::Key(first), rest)) = path.segments.split_first() else {
            return false;
        };
        let Some(top) = self.get(first) else {
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
