//! Grouping keys: the values of one or more fields of an event, joined into
//! one string so that lookups need no allocation per event.
//!
//! A field with several values (`user.groups`, `sourceIPs`, `[*]`) yields one
//! key per value; several such fields yield every combination.

use crate::event::{Event, Path};
use crate::json::Value;

/// Separates the fields of a joined key.
pub const SEP: char = '\u{1f}';
/// Stands for a missing field in a joined key.
pub const MISSING: &str = "\u{0}";

/// A field to group by: the name as given, and its path.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyField {
    pub name: String,
    pub path: Path,
}

/// Appends a value's key text: [`Value::push_text`], with [`MISSING`] for null.
fn push_text(v: Value<'_>, out: &mut String) {
    if v.is_null() {
        out.push_str(MISSING);
    } else {
        v.push_text(out);
    }
}

/// Scratch space for [`for_each_key`], kept across events so that keys cost
/// no allocation once warm.
#[derive(Debug, Default)]
pub struct KeyScratch {
    buf: String,
    given: Given,
}

/// The keys already given for the current event, end to end.
#[derive(Debug, Default)]
struct Given {
    text: String,
    /// Where each key in `text` ends.
    ends: Vec<usize>,
}

impl Given {
    /// Whether `key` was given already; remembers it if not. Linear: an
    /// event has a handful of keys.
    fn first_time(&mut self, key: &str) -> bool {
        let mut start = 0;
        for &end in &self.ends {
            if &self.text[start..end] == key {
                return false;
            }
            start = end;
        }
        self.text.push_str(key);
        self.ends.push(self.text.len());
        true
    }
}

/// Calls `f` once with each distinct joined key of the event (at least one:
/// missing fields give [`MISSING`]). An event that repeats a value
/// (`"groups": ["dev", "dev"]`) gives its key once, so a count per key
/// counts events, and a key's share of the events never passes 100 %.
pub fn for_each_key(
    e: &Event<'_>,
    fields: &[KeyField],
    scratch: &mut KeyScratch,
    f: &mut dyn FnMut(&str),
) {
    let KeyScratch { buf, given } = scratch;
    buf.clear();
    given.text.clear();
    given.ends.clear();
    rec(e, fields, true, buf, &mut |k| {
        if given.first_time(k) {
            f(k);
        }
    });
}

fn rec(e: &Event<'_>, fields: &[KeyField], first: bool, buf: &mut String, f: &mut dyn FnMut(&str)) {
    let Some((field, rest)) = fields.split_first() else {
        f(buf);
        return;
    };
    let start = buf.len();
    if !first {
        buf.push(SEP);
    }
    let mark = buf.len();
    let mut any = false;
    e.visit_flat(&field.path, &mut |x| {
        any = true;
        buf.truncate(mark);
        push_text(x, buf);
        rec(e, rest, false, buf, f);
    });
    if !any {
        buf.truncate(mark);
        buf.push_str(MISSING);
        rec(e, rest, false, buf, f);
    }
    buf.truncate(start);
}

/// Splits a joined key back into its fields; `None` for a missing one.
pub fn split(key: &str) -> Vec<Option<&str>> {
    key.split(SEP)
        .map(|k| (k != MISSING).then_some(k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parser::parse_path;
    use crate::json::index_object;

    fn keys(text: &str, fields: &[&str]) -> Vec<Vec<Option<String>>> {
        let fields: Vec<KeyField> = fields
            .iter()
            .map(|n| KeyField {
                name: n.to_string(),
                path: parse_path(n).unwrap(),
            })
            .collect();
        let mut m = Vec::new();
        index_object(text, &mut m).unwrap();
        let e = Event::new(text, &m);
        let mut out = Vec::new();
        let mut scratch = KeyScratch::default();
        for_each_key(&e, &fields, &mut scratch, &mut |k| {
            out.push(
                split(k)
                    .into_iter()
                    .map(|x| x.map(str::to_string))
                    .collect(),
            )
        });
        out
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn arrays_give_one_key_per_value_and_combinations() {
        let ev =
            r#"{"verb":"get","user":{"username":"a","groups":["g1","g2"]},"sourceIPs":["1","2"]}"#;
        assert_eq!(keys(ev, &["verb"]), vec![vec![s("get")]]);
        assert_eq!(
            keys(ev, &["user.groups"]),
            vec![vec![s("g1")], vec![s("g2")]]
        );
        assert_eq!(
            keys(ev, &["user.groups", "sourceIPs", "verb"]),
            vec![
                vec![s("g1"), s("1"), s("get")],
                vec![s("g1"), s("2"), s("get")],
                vec![s("g2"), s("1"), s("get")],
                vec![s("g2"), s("2"), s("get")],
            ]
        );
        assert_eq!(
            keys(ev, &["objectRef.name", "verb"]),
            vec![vec![None, s("get")]]
        );
        assert_eq!(
            keys(ev, &["user.groups[*]"]),
            vec![vec![s("g1")], vec![s("g2")]]
        );
        let empty = r#"{"verb":"","objectRef":{"name":"n"}}"#;
        assert_eq!(
            keys(empty, &["verb", "objectRef.name"]),
            vec![vec![s(""), s("n")]]
        );
    }

    #[test]
    fn an_event_gives_each_key_once() {
        let ev =
            r#"{"user":{"groups":["dev","dev","system:authenticated"]},"sourceIPs":["1","1"]}"#;
        assert_eq!(
            keys(ev, &["user.groups"]),
            vec![vec![s("dev")], vec![s("system:authenticated")]]
        );
        assert_eq!(
            keys(ev, &["sourceIPs", "user.groups"]),
            vec![
                vec![s("1"), s("dev")],
                vec![s("1"), s("system:authenticated")]
            ]
        );
    }
}
