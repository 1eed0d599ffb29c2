//! The reader: [`Value`], a view of already validated text, and the walks
//! over it, which skip without checking.

use std::borrow::Cow;

use super::text::{minify_into, raw_eq, unescape, unescape_into};
use super::validate::{skip_ws, zero_bytes, ONES};

/// The kind of a JSON value, read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A borrowed view of one *already validated* JSON value's text.
///
/// Contract: `text` is exactly one valid JSON value without surrounding
/// whitespace. Every method relies on that and does not re-check syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    text: &'a str,
}

impl<'a> Value<'a> {
    /// Wraps text that the caller guarantees is one valid JSON value.
    pub fn new_unchecked(text: &'a str) -> Self {
        Value { text }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn kind(&self) -> Kind {
        match self.text.as_bytes().first() {
            Some(b'"') => Kind::String,
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') | None => Kind::Null,
            _ => Kind::Number,
        }
    }

    pub fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    /// The decoded string, borrowed when it holds no escapes.
    /// A string's raw text between its quotes, escapes as written; compare
    /// it with [`raw_eq`] and [`raw_starts_with`](super::raw_starts_with) to avoid decoding.
    pub fn raw_str(&self) -> Option<&'a str> {
        (self.kind() == Kind::String).then(|| &self.text[1..self.text.len() - 1])
    }

    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        if self.kind() != Kind::String {
            return None;
        }
        Some(unescape(&self.text[1..self.text.len() - 1]))
    }

    pub fn as_f64(&self) -> Option<f64> {
        if self.kind() != Kind::Number {
            return None;
        }
        self.text.parse().ok()
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// Appends the value as display text: strings decoded, objects and
    /// arrays as compact JSON, numbers and booleans as written, `null` as
    /// nothing. Shared by table/CSV cells and grouping keys.
    pub fn push_text(&self, out: &mut String) {
        match self.kind() {
            Kind::String => out.push_str(&self.as_str().unwrap_or_default()),
            Kind::Null => {}
            Kind::Object | Kind::Array => {
                let mut buf = Vec::with_capacity(self.text.len());
                minify_into(self.text, &mut buf);
                // Minifying valid UTF-8 JSON drops only ASCII whitespace.
                out.push_str(&String::from_utf8_lossy(&buf));
            }
            _ => out.push_str(self.text),
        }
    }

    /// The member `key` of an object; `None` for other kinds or a missing key.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.members().find(|(k, _)| raw_eq(k, key)).map(|(_, v)| v)
    }

    /// The members of an object as (raw key text between quotes, value); empty
    /// for other kinds.
    pub fn members(&self) -> Members<'a> {
        let b = self.text.as_bytes();
        let pos = if self.kind() == Kind::Object {
            skip_ws(b, 1)
        } else {
            b.len()
        };
        Members {
            text: self.text,
            pos,
        }
    }

    /// The elements of an array; empty for other kinds.
    pub fn elements(&self) -> Elements<'a> {
        let b = self.text.as_bytes();
        let pos = if self.kind() == Kind::Array {
            skip_ws(b, 1)
        } else {
            b.len()
        };
        Elements {
            text: self.text,
            pos,
        }
    }
}

/// Skips one valid value starting at `i` (no leading whitespace); returns the
/// offset just past it.
fn skip_value(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            j
        }
    }
}

/// The offset of the first `"` or `\\` at or after `i` (one must exist).
///
/// Most keys and many values are short, and a vectorised search costs a
/// call and a setup before it finds anything; eight bytes at a time in a
/// register (SWAR) find the end of a short string in a step or two, and
/// `memchr2` takes over past 64 bytes.
#[inline]
fn quote_or_backslash(b: &[u8], mut i: usize) -> usize {
    let limit = b.len().min(i + 64);
    while i + 8 <= limit {
        let word = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let found = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + memchr::memchr2(b'"', b'\\', &b[i..]).expect("a validated string ends")
}

/// Skips a valid string at `b[i] == b'"'`; returns the offset past its closing quote.
#[inline]
pub(super) fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    loop {
        i = quote_or_backslash(b, i);
        if b[i] == b'"' {
            return i + 1;
        }
        i += 2;
    }
}

/// Iterator over an object's members; see [`Value::members`].
pub struct Members<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        if self.pos >= b.len() || b[self.pos] != b'"' {
            self.pos = b.len();
            return None;
        }
        let key_end = skip_string(b, self.pos);
        let key = &self.text[self.pos + 1..key_end - 1];
        let vstart = skip_ws(b, skip_ws(b, key_end) + 1);
        let vend = skip_value(b, vstart);
        let value = Value::new_unchecked(&self.text[vstart..vend]);
        let after = skip_ws(b, vend);
        self.pos = if b.get(after) == Some(&b',') {
            skip_ws(b, after + 1)
        } else {
            b.len()
        };
        Some((key, value))
    }
}

/// Iterator over an array's elements; see [`Value::elements`].
pub struct Elements<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        if self.pos >= b.len() || b[self.pos] == b']' {
            self.pos = b.len();
            return None;
        }
        let end = skip_value(b, self.pos);
        let value = Value::new_unchecked(&self.text[self.pos..end]);
        let after = skip_ws(b, end);
        self.pos = if b.get(after) == Some(&b',') {
            skip_ws(b, after + 1)
        } else {
            b.len()
        };
        Some(value)
    }
}

impl<'a> Value<'a> {
    /// Calls `f` with the decoded string, decoding into a buffer kept per
    /// thread when it has escapes (a URI with `\u0026` in it), so that tests
    /// run on every event allocate nothing. `None` for other kinds. `f` must
    /// not call `with_str` itself.
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        thread_local! {
            static DECODED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let raw = self.raw_str()?;
        if !raw.contains('\\') {
            return Some(f(raw));
        }
        Some(DECODED.with(|buf| {
            let mut buf = buf.borrow_mut();
            unescape_into(raw, &mut buf);
            f(&buf)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_end_of_strings_of_any_length() {
        for len in 0..150 {
            for stop in ["\"", "\\"] {
                let text = format!("{}{stop}x\"", "a".repeat(len));
                assert_eq!(quote_or_backslash(text.as_bytes(), 0), len, "{len} {stop}");
                // Every start offset, so that words straddle the stop.
                for start in 0..len {
                    assert_eq!(quote_or_backslash(text.as_bytes(), start), len);
                }
            }
        }
        // A byte just above a match must not be taken for it.
        assert_eq!(quote_or_backslash(b"\x01\"\"aaaaaaaaaaa\"", 0), 1);
        assert_eq!(quote_or_backslash("é\"".as_bytes(), 0), 2);
    }

    #[test]
    fn keys_with_escapes_match() {
        let v = Value::new_unchecked(r#"{"a\/b":1,"c":2}"#);
        assert_eq!(v.get("a/b").unwrap().text(), "1");
        assert_eq!(v.get("c").unwrap().text(), "2");
        assert!(v.get("d").is_none());
    }
}
