//! The indexer: the one validating pass over an event, which records where
//! each top-level member is ([`Member`]) and tells a [`KeyHook`] of each key.

use super::memo::KeyMemo;
use super::validate::{err, skip_ws_in, validate_string, validate_value_in, JsonError};

/// Where one top-level member of an object sits in the text: the key's inner
/// text (between its quotes) and the value's full text.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub key: (u32, u32),
    pub value: (u32, u32),
}

/// Validates that `text` is exactly one JSON object (surrounding whitespace
/// allowed) and records its top-level members into `out` (cleared first).
///
/// This is the one full pass over an event's bytes; everything after it
/// navigates without re-validating. Offsets are `u32`: a single event over
/// 4 GiB is rejected.
pub fn index_object(text: &str, out: &mut Vec<Member>) -> Result<(), JsonError> {
    index_members::<false>(text.as_bytes(), out, &mut Vec::new(), &mut (), None).map(drop)
}

/// What the validating pass tells its caller of each top-level key as it
/// passes it. That is the cheapest moment to look at a key: its bytes were
/// just read, and the walk, whose next step never waits on the answer, goes
/// on beside it.
pub trait KeyHook {
    /// A new object starts (the pass may run again after an error).
    fn start(&mut self) {}
    /// The member that will be `out[index]` has this raw key (between its
    /// quotes, escapes as written). `class` is the key's
    /// [`KeyMemo::classify`] value when the memo knows the key, so that a
    /// hook can skip what the classifier already worked out once.
    fn key(&mut self, index: usize, raw: &[u8], class: Option<u8>) {
        let _ = (index, raw, class);
    }
    /// Whether the members of this key's value, an object, are recorded
    /// into `children`.
    fn parent(&mut self, raw: &[u8]) -> bool {
        let _ = raw;
        false
    }
}

/// Records nothing but the members.
impl KeyHook for () {}

/// Records the children of the objects whose raw keys the function accepts.
pub struct Parents<F>(pub F);

impl<F: Fn(&[u8]) -> bool> KeyHook for Parents<F> {
    fn parent(&mut self, raw: &[u8]) -> bool {
        (self.0)(raw)
    }
}

/// [`index_object`] over bytes not yet known to be UTF-8, such as a line
/// just read: on success, the line is returned as the `&str` it then is,
/// without a UTF-8 pass of its own. On an error the line may or may not be
/// valid UTF-8.
pub fn index_line<'a>(line: &'a [u8], out: &mut Vec<Member>) -> Result<&'a str, JsonError> {
    index_line_nested(line, out, &mut Vec::new(), &mut (), &mut KeyMemo::default())
}

/// [`index_object_nested`] over bytes not yet known to be UTF-8, with a
/// [`KeyHook`], and keys checked against those `memo` holds from the lines
/// before (and left there for the next); see [`index_line`].
pub fn index_line_nested<'a>(
    line: &'a [u8],
    out: &mut Vec<Member>,
    children: &mut Vec<(u32, Member)>,
    hook: &mut impl KeyHook,
    memo: &mut KeyMemo,
) -> Result<&'a str, JsonError> {
    index_members::<false>(line, out, children, hook, Some(memo))?;
    // SAFETY: `index_members` accepted the line as one JSON object with
    // whitespace around it. Every byte of it then is ASCII (whitespace,
    // punctuation, numbers and literals are matched byte by byte against
    // ASCII) or inside a string, and `validate_string` checks every
    // character of 0x80 and above with `std::str::from_utf8`
    // (`utf8_char`). So the line is valid UTF-8; the property test
    // `a_validated_line_is_utf8` checks it on mutated lines.
    Ok(unsafe { std::str::from_utf8_unchecked(line) })
}

/// Validates and indexes the line that starts `data`, without finding its
/// end first: a JSON object, then spaces, tabs or `\r` up to a newline or
/// the end of `data`. Returns the line as text (without its newline and one
/// `\r` before it, as a reader cuts lines) and the offset of its newline
/// (or `data.len()`); `out` and `children` then hold what
/// [`index_line_nested`] records for that text. `None` when the line is
/// anything else (not an object, bad JSON or UTF-8, a newline inside the
/// object): the caller then cuts the line itself and reports its error.
///
/// Saves the newline search over lines that are events, one pass of a
/// line's bytes.
pub fn index_next_line<'a>(
    data: &'a [u8],
    out: &mut Vec<Member>,
    children: &mut Vec<(u32, Member)>,
    hook: &mut impl KeyHook,
    memo: &mut KeyMemo,
) -> Option<(&'a str, usize)> {
    let newline = index_members::<true>(data, out, children, hook, Some(memo)).ok()?;
    let mut line = &data[..newline];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    // SAFETY: as in `index_line_nested`: the object is UTF-8, and what
    // follows it up to `newline` is ASCII whitespace.
    Some((unsafe { std::str::from_utf8_unchecked(line) }, newline))
}

/// [`index_object`] that also records, in the same pass, the members of the
/// top-level objects whose raw key `parent` accepts, one level down, into
/// `children` (cleared first) as (index of the parent in `out`, member).
/// A caller that reads many fields of a few such objects on every event
/// (`kaq detect`) then finds them without walking the text again.
pub fn index_object_nested(
    text: &str,
    out: &mut Vec<Member>,
    children: &mut Vec<(u32, Member)>,
    parent: impl Fn(&[u8]) -> bool,
) -> Result<(), JsonError> {
    index_members::<false>(text.as_bytes(), out, children, &mut Parents(parent), None).map(drop)
}

/// The validating, indexing pass behind [`index_object_nested`],
/// [`index_line_nested`] and [`index_next_line`], telling `hook` of each
/// key. Returns where the object and the whitespace after it end: the
/// end of `b`, or with `LINE` a newline or the end of `b`.
fn index_members<const LINE: bool>(
    b: &[u8],
    out: &mut Vec<Member>,
    children: &mut Vec<(u32, Member)>,
    hook: &mut impl KeyHook,
    memo: Option<&mut KeyMemo>,
) -> Result<usize, JsonError> {
    out.clear();
    children.clear();
    hook.start();
    if b.len() > u32::MAX as usize {
        return err(0, "event larger than 4 GiB");
    }
    let start = skip_ws_in::<LINE>(b, 0);
    if b.get(start) != Some(&b'{') {
        return err(start, "expected a JSON object");
    }
    let end = object_members::<LINE>(b, start, memo, |key, vstart, class| {
        let raw = &b[key.0 as usize..key.1 as usize];
        hook.key(out.len(), raw, class);
        let object = b.get(vstart) == Some(&b'{');
        let vend = if object && hook.parent(raw) {
            let at = out.len() as u32;
            object_members::<LINE>(b, vstart, None, |ckey, cstart, _| {
                let cend = validate_value_in::<LINE>(b, cstart)?;
                children.push((
                    at,
                    Member {
                        key: ckey,
                        value: (cstart as u32, cend as u32),
                    },
                ));
                Ok(cend)
            })?
        } else {
            validate_value_in::<LINE>(b, vstart)?
        };
        out.push(Member {
            key,
            value: (vstart as u32, vend as u32),
        });
        Ok(vend)
    })?;
    let end = skip_ws_in::<LINE>(b, end);
    let ended = if LINE {
        matches!(b.get(end), None | Some(b'\n'))
    } else {
        end == b.len()
    };
    if !ended {
        return err(end, "unexpected data after the JSON object");
    }
    Ok(end)
}

/// Validates the object at `b[i] == b'{'` member by member: the keys here
/// (checked against `memo` first, when given), each value by `value(key
/// span, value start)`, which returns the value's end. Returns the offset
/// past the closing `}`.
#[inline(always)]
fn object_members<const LINE: bool>(
    b: &[u8],
    i: usize,
    mut memo: Option<&mut KeyMemo>,
    mut value: impl FnMut((u32, u32), usize, Option<u8>) -> Result<usize, JsonError>,
) -> Result<usize, JsonError> {
    let mut i = skip_ws_in::<LINE>(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Ok(i + 1);
    }
    let mut prev = KeyMemo::START;
    loop {
        if b.get(i) != Some(&b'"') {
            return err(i, "expected an object key");
        }
        let (key_end, class) = match memo.as_deref_mut() {
            Some(memo) => {
                let (end, key) = memo.key(b, i, prev)?;
                prev = key;
                (end, memo.class(key))
            }
            None => (validate_string(b, i)?, None),
        };
        let key = (i as u32 + 1, key_end as u32 - 1);
        i = skip_ws_in::<LINE>(b, key_end);
        if b.get(i) != Some(&b':') {
            return err(i, "expected ':' after an object key");
        }
        let vend = value(key, skip_ws_in::<LINE>(b, i + 1), class)?;
        i = skip_ws_in::<LINE>(b, vend);
        match b.get(i) {
            Some(b',') => i = skip_ws_in::<LINE>(b, i + 1),
            Some(b'}') => return Ok(i + 1),
            None => return err(i, "unexpected end of input inside the object"),
            Some(_) => return err(i, "expected ',' or '}'"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::{spans, xorshift};
    use crate::json::Value;

    /// `index_line` accepts exactly the lines that are UTF-8 and that
    /// `index_object` accepts, with the same members: the contract its
    /// `unsafe` conversion rests on, over lines with bytes changed at
    /// random (high bytes, quotes, backslashes, controls, punctuation).
    #[test]
    fn a_validated_line_is_utf8() {
        let lines = [
            r#"{"kind":"Event","user":{"username":"jos\u00e9","groups":["a"]},"verb":"get","code":200,"ok":true,"n":null}"#,
            "{\"msg\":\"caf\u{e9} \u{20ac}5 \u{1f600}\",\"a\":[1,-2.5e3,{\"b\":\"\\\"\"}]}",
            r#"  {"requestURI":"/api/v1/pods?limit=500\u0026watch=true"}  "#,
        ];
        let picks: &[u8] = b"\x80\xbf\xc3\xe2\xf0\xff\"\\{}[],:0 \x01azu";
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut accepted = 0;
        for _ in 0..20_000 {
            let mut line = lines[(next() % 3) as usize].as_bytes().to_vec();
            for _ in 0..1 + next() % 3 {
                let at = (next() % line.len() as u64) as usize;
                line[at] = picks[(next() % picks.len() as u64) as usize];
            }
            let fused = index_line(&line, &mut a);
            let apart = std::str::from_utf8(&line)
                .map_err(|_| ())
                .and_then(|t| index_object(t, &mut b).map_err(|_| ()));
            assert_eq!(
                fused.is_ok(),
                apart.is_ok(),
                "{:?}",
                String::from_utf8_lossy(&line)
            );
            if let Ok(text) = fused {
                accepted += 1;
                assert_eq!(text.as_bytes(), &line[..]);
                assert_eq!(spans(&a), spans(&b));
            }
        }
        // The mutations must leave some lines valid, or the test tests nothing.
        assert!(accepted > 500, "{accepted}");
    }

    /// Validating a line where it starts (`index_next_line`) gives what
    /// cutting it at its newline first and indexing it gives, over text with
    /// newlines, `\r` and spaces put in at random, inside and after objects.
    #[test]
    fn a_line_validated_where_it_starts_is_the_line_cut_first() {
        let lines = [
            r#"{"kind":"Event","user":{"username":"a","groups":["g"]},"n":[1,2.5,{"x":null}]}"#,
            r#"{ "verb" : "get" , "code" : 200 }  "#,
            "{\"msg\":\"caf\u{e9}\"}\r",
        ];
        let picks: &[u8] = b"\n\n\r \t{}\",:0";
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..5_000 {
            let mut data = Vec::new();
            for _ in 0..3 {
                data.extend_from_slice(lines[(next() % 3) as usize].as_bytes());
                data.push(b'\n');
            }
            for _ in 0..next() % 3 {
                let at = (next() % data.len() as u64) as usize;
                data[at] = picks[(next() % picks.len() as u64) as usize];
            }
            if next() % 4 == 0 {
                data.pop(); // no newline at the end
            }
            let mut start = 0;
            while start < data.len() {
                let rest = &data[start..];
                let newline = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                let mut line = &rest[..newline];
                if line.last() == Some(&b'\r') {
                    line = &line[..line.len() - 1];
                }
                if rest[0] == b'{' {
                    let fused =
                        index_next_line(rest, &mut a, &mut c, &mut (), &mut KeyMemo::default());
                    let cut = index_line(line, &mut b).ok().map(|t| (t, newline));
                    assert_eq!(fused, cut, "{:?}", String::from_utf8_lossy(rest));
                    if fused.is_some() {
                        accepted += 1;
                        assert_eq!(spans(&a), spans(&b));
                    } else {
                        refused += 1;
                    }
                }
                start += newline + 1;
            }
        }
        assert!(accepted > 1000 && refused > 1000, "{accepted} {refused}");
    }

    #[test]
    fn indexes_top_level_members() {
        let text = r#" {"kind":"Event", "user":{"username":"a","groups":["x","y"]}, "n" : 3} "#;
        let mut m = Vec::new();
        index_object(text, &mut m).unwrap();
        let keys: Vec<&str> = m
            .iter()
            .map(|m| &text[m.key.0 as usize..m.key.1 as usize])
            .collect();
        assert_eq!(keys, ["kind", "user", "n"]);
        let user = &m[1];
        let v = Value::new_unchecked(&text[user.value.0 as usize..user.value.1 as usize]);
        assert_eq!(v.get("username").unwrap().as_str().unwrap(), "a");
        let groups: Vec<_> = v
            .get("groups")
            .unwrap()
            .elements()
            .map(|e| e.as_str().unwrap().into_owned())
            .collect();
        assert_eq!(groups, ["x", "y"]);
        assert!(index_object("[1]", &mut m).is_err());
        assert!(index_object(r#"{"a":1} x"#, &mut m).is_err());
    }
}
