//! The validating pass: one JSON value checked byte by byte, its strings
//! eight bytes at a time in a register (SWAR), its containers with an
//! explicit stack, never recursion. Every later stage relies on text this
//! pass accepted.

/// How deep objects and arrays may nest before a line is rejected. Real
/// Kubernetes objects stay far below this; the limit keeps hostile input cheap.
pub const MAX_DEPTH: usize = 1000;

/// The open containers during validation, one bit each (object or array),
/// held inline: validation allocates nothing.
struct Nesting {
    bits: [u64; MAX_DEPTH.div_ceil(64)],
    len: usize,
}

impl Nesting {
    fn new() -> Self {
        Nesting {
            bits: [0; MAX_DEPTH.div_ceil(64)],
            len: 0,
        }
    }

    fn push(&mut self, in_object: bool) -> bool {
        if self.len >= MAX_DEPTH {
            return false;
        }
        let (word, bit) = (self.len / 64, self.len % 64);
        if in_object {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
        self.len += 1;
        true
    }

    fn pop(&mut self) {
        self.len -= 1;
    }

    /// `Some(true)` inside an object, `Some(false)` inside an array.
    fn last(&self) -> Option<bool> {
        let top = self.len.checked_sub(1)?;
        Some(self.bits[top / 64] & (1 << (top % 64)) != 0)
    }
}

/// A JSON syntax error at a byte offset of the text that was validated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{msg} at byte {offset}")]
pub struct JsonError {
    pub offset: usize,
    pub msg: &'static str,
}

pub(super) fn err<T>(offset: usize, msg: &'static str) -> Result<T, JsonError> {
    Err(JsonError { offset, msg })
}

#[inline]
pub(super) fn skip_ws(b: &[u8], i: usize) -> usize {
    skip_ws_in::<false>(b, i)
}

/// [`skip_ws`]; with `LINE`, a newline ends the input rather than being
/// whitespace, so that a line is validated without finding its end first.
#[inline]
pub(super) fn skip_ws_in<const LINE: bool>(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if !(matches!(c, b' ' | b'\t' | b'\r') || (!LINE && c == b'\n')) {
            break;
        }
        i += 1;
    }
    i
}

/// Bytes that end the plain run of a string: `"`, `\\`, control characters
/// and the bytes of multi-byte UTF-8 characters (checked one character at a
/// time, so a validated line is valid UTF-8 without a pass of its own).
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    let mut i = 0x80;
    while i < 0x100 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Eight bytes at once: `ONES * b` has `b` in every byte.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (high bit) the bytes of `word` that are zero. Only the lowest flag
/// is exact: a borrow can flag bytes above a zero byte, never below it.
#[inline]
pub(super) fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Flags the bytes of `word` below 0x20 (control characters); like
/// [`zero_bytes`], only the lowest flag is exact.
#[inline]
fn control_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x20) & !word & HIGHS
}

/// Validates the string starting at `b[i] == b'"'`; returns the offset just past
/// its closing quote. Its characters are checked to be valid UTF-8.
///
/// This is the validating pass's hottest code (every string of every event
/// that is parsed at all), and the walk over a line is bound by latency: the
/// next token starts where this string ends. Eight bytes are tested at a
/// time in a register (SWAR) for a byte that ends a plain ASCII run (`"`,
/// `\\`, a control character or a byte of 0x80 and above); when the first
/// such byte is a quote, which the masks alone tell, the string ends there
/// without reading the byte again. Escapes, other characters and the last
/// few bytes of the input go to [`string_rest`]. Audit-log strings are short
/// (most under 40 bytes), where `memchr`'s setup costs more than it saves.
#[inline(always)]
pub(super) fn validate_string(b: &[u8], i: usize) -> Result<usize, JsonError> {
    debug_assert_eq!(b[i], b'"');
    let mut i = i + 1;
    while let Some(bytes) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        let quote = zero_bytes(word ^ (ONES * u64::from(b'"')));
        let stop = control_bytes(word)
            | quote
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            | (word & HIGHS);
        if stop != 0 {
            // The lowest flag of each mask is exact, so the lowest flag of
            // `stop` is the first byte that ends the run, and it is a quote
            // exactly when `quote` flags it too (a false flag of `quote` sits
            // above a real quote, which `stop` would flag lower).
            let at = i + (stop.trailing_zeros() / 8) as usize;
            if quote & stop & stop.wrapping_neg() != 0 {
                return Ok(at + 1);
            }
            return string_rest(b, at);
        }
        i += 8;
    }
    string_rest(b, i)
}

/// The rest of [`validate_string`] from `b[i]`, inside the string: a plain
/// run tested a byte at a time, escapes, multi-byte characters and errors.
#[cold]
#[inline(never)]
fn string_rest(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    loop {
        while i < b.len() && !STRING_STOP[b[i] as usize] {
            i += 1;
        }
        match b.get(i) {
            None => return err(b.len(), "unterminated string"),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {}
            Some(&c) if c >= 0x80 => {
                i = utf8_char(b, i)?;
                continue;
            }
            Some(_) => return err(i, "control character inside a string"),
        }
        // A backslash escape.
        match b.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
            Some(b'u') => {
                let hex = b.get(i + 2..i + 6).ok_or(JsonError {
                    offset: i,
                    msg: "truncated \\u escape",
                })?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return err(i, "invalid \\u escape");
                }
                i += 6;
            }
            None => return err(b.len(), "unterminated string"),
            Some(_) => return err(i, "invalid escape in string"),
        }
        // Back to eight bytes at a time while the string goes on.
        while let Some(bytes) = b.get(i..i + 8) {
            let word = u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
            let stop = control_bytes(word)
                | zero_bytes(word ^ (ONES * u64::from(b'"')))
                | zero_bytes(word ^ (ONES * u64::from(b'\\')))
                | (word & HIGHS);
            if stop != 0 {
                i += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
    }
}

/// Checks the multi-byte UTF-8 character that starts at `b[i]` (a byte of
/// 0x80 or above) and returns the offset past it. std's check decides, so
/// overlong forms, surrogates and code points past U+10FFFF are refused as
/// `str` refuses them.
#[cold]
fn utf8_char(b: &[u8], i: usize) -> Result<usize, JsonError> {
    let len = match b[i] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return err(i, "invalid UTF-8 in a string"),
    };
    match b.get(i..i + len).map(std::str::from_utf8) {
        Some(Ok(_)) => Ok(i + len),
        _ => err(i, "invalid UTF-8 in a string"),
    }
}

fn validate_number(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    let start = i;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return err(start, "invalid number"),
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return err(i, "invalid number");
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return err(i, "invalid number");
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    Ok(i)
}

fn validate_literal(b: &[u8], i: usize, word: &'static [u8]) -> Result<usize, JsonError> {
    if b[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        err(i, "expected a JSON value")
    }
}

/// Validates one JSON value starting at `i` (leading whitespace allowed) and
/// returns the offset just past it (not past whitespace after it).
/// Iterative, with [`MAX_DEPTH`] enforced.
pub fn validate_value(b: &[u8], i: usize) -> Result<usize, JsonError> {
    validate_value_in::<false>(b, i)
}

/// [`validate_value`]; with `LINE`, a newline is not whitespace (see
/// [`index_next_line`](super::index_next_line)). Strings and other scalars, most of an event's
/// values, are checked here, inline in the member loops; objects and
/// arrays by [`validate_nested`].
#[inline(always)]
pub(super) fn validate_value_in<const LINE: bool>(b: &[u8], i: usize) -> Result<usize, JsonError> {
    let i = skip_ws_in::<LINE>(b, i);
    match b.get(i) {
        Some(b'"') => validate_string(b, i),
        Some(b'{' | b'[') => validate_nested::<LINE>(b, i),
        _ => validate_scalar(b, i),
    }
}

/// A value that is neither a string nor a container: a literal or a number.
fn validate_scalar(b: &[u8], i: usize) -> Result<usize, JsonError> {
    match b.get(i) {
        None => err(i, "unexpected end of input, expected a JSON value"),
        Some(b't') => validate_literal(b, i, b"true"),
        Some(b'f') => validate_literal(b, i, b"false"),
        Some(b'n') => validate_literal(b, i, b"null"),
        Some(b'-' | b'0'..=b'9') => validate_number(b, i),
        Some(_) => err(i, "expected a JSON value"),
    }
}

/// Validates the object or array at `b[i]`, and everything inside it, with
/// an explicit stack of open containers.
#[inline(never)]
fn validate_nested<const LINE: bool>(b: &[u8], mut i: usize) -> Result<usize, JsonError> {
    let mut stack = Nesting::new();
    'value: loop {
        // Parse one value at `i`.
        match b.get(i) {
            Some(b'{') => {
                i = skip_ws_in::<LINE>(b, i + 1);
                if b.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    if !stack.push(true) {
                        return err(i, "nesting too deep");
                    }
                    i = validate_key::<LINE>(b, i)?;
                    continue 'value;
                }
            }
            Some(b'[') => {
                i = skip_ws_in::<LINE>(b, i + 1);
                if b.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    if !stack.push(false) {
                        return err(i, "nesting too deep");
                    }
                    continue 'value;
                }
            }
            Some(b'"') => i = validate_string(b, i)?,
            _ => i = validate_scalar(b, i)?,
        }
        // After a value: close containers or move to the next element.
        loop {
            let Some(in_object) = stack.last() else {
                return Ok(i);
            };
            i = skip_ws_in::<LINE>(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws_in::<LINE>(b, i + 1);
                    if in_object {
                        i = validate_key::<LINE>(b, i)?;
                    }
                    continue 'value;
                }
                Some(b'}') if in_object => {
                    stack.pop();
                    i += 1;
                }
                Some(b']') if !in_object => {
                    stack.pop();
                    i += 1;
                }
                None => return err(i, "unexpected end of input inside a JSON value"),
                Some(_) if in_object => return err(i, "expected ',' or '}'"),
                Some(_) => return err(i, "expected ',' or ']'"),
            }
        }
    }
}

/// Validates `"key" :` at `i` and returns the offset of the value after it.
#[inline(always)]
fn validate_key<const LINE: bool>(b: &[u8], i: usize) -> Result<usize, JsonError> {
    if b.get(i) != Some(&b'"') {
        return err(i, "expected an object key");
    }
    let i = skip_ws_in::<LINE>(b, validate_string(b, i)?);
    if b.get(i) != Some(&b':') {
        return err(i, "expected ':' after an object key");
    }
    Ok(skip_ws_in::<LINE>(b, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::xorshift;

    fn ok(s: &str) -> bool {
        validate_value(s.as_bytes(), 0).map(|end| skip_ws(s.as_bytes(), end) == s.len()) == Ok(true)
    }

    #[test]
    fn validates_strings_whatever_stops_them_and_wherever() {
        for len in 0..40 {
            for start in 0..len.min(9) {
                let pad = "a".repeat(len);
                // Ends at its quote.
                let ok = format!("{pad}\"x");
                let mut s = vec![b'"'];
                s.extend_from_slice(&ok.as_bytes()[start..]);
                assert_eq!(validate_string(&s, 0), Ok(s.len() - 1), "{len} {start}");
                // A control character anywhere is refused at its offset.
                let mut bad = s.clone();
                let at = 1 + (len - start) / 2;
                bad[at] = 0x1f;
                assert_eq!(validate_string(&bad, 0).map_err(|e| e.offset), Err(at));
                // An escape is followed through; UTF-8 passes.
                let esc = format!("\"{pad}\\n\u{e9}\\u0041\"");
                assert_eq!(validate_string(esc.as_bytes(), 0), Ok(esc.len()));
            }
        }
        // A byte just above a control character is not taken for it.
        assert_eq!(
            validate_string(b"\"\x01\x21aaaaaa\"", 0).map_err(|e| e.offset),
            Err(1)
        );
        assert!(validate_string(b"\"aaaaaaaaaaaa", 0).is_err());
    }

    /// The eight-byte string test decides as a byte-at-a-time reading of
    /// the grammar does, ends and errors alike, on random strings of the
    /// bytes that matter to it: quotes, backslashes, escape letters,
    /// controls, high bytes, and `#` and `!` (a quote or a space plus one,
    /// which a borrow can flag falsely).
    #[test]
    fn eight_byte_strings_match_a_byte_reading() {
        fn reference(b: &[u8]) -> Result<usize, JsonError> {
            let mut i = 1;
            loop {
                match b.get(i) {
                    None => return err(b.len(), "unterminated string"),
                    Some(b'"') => return Ok(i + 1),
                    Some(b'\\') => match b.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') => match b.get(i + 2..i + 6) {
                            None => return err(i, "truncated \\u escape"),
                            Some(h) if h.iter().all(u8::is_ascii_hexdigit) => i += 6,
                            Some(_) => return err(i, "invalid \\u escape"),
                        },
                        None => return err(b.len(), "unterminated string"),
                        Some(_) => return err(i, "invalid escape in string"),
                    },
                    Some(&c) if c < 0x20 => return err(i, "control character inside a string"),
                    Some(&c) if c >= 0x80 => i = utf8_char(b, i)?,
                    Some(_) => i += 1,
                }
            }
        }
        let picks: &[u8] = b"\"\\#!u0aF/nx \x01\x1f\x80\xc3\xa9";
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..50_000 {
            let len = (next() % 40) as usize;
            let mut s = vec![b'"'];
            // Mostly plain letters, so that runs cross the eight-byte steps.
            s.extend((0..len).map(|_| match next() % 4 {
                0 => picks[(next() % picks.len() as u64) as usize],
                _ => b'a',
            }));
            assert_eq!(
                validate_string(&s, 0),
                reference(&s),
                "{:?}",
                String::from_utf8_lossy(&s)
            );
        }
    }

    /// Every kind of bad UTF-8 inside a string is refused at its first
    /// byte, wherever it falls against the eight-byte steps; good UTF-8 of
    /// every length passes.
    #[test]
    fn strings_are_checked_as_utf8() {
        let bad: [&[u8]; 9] = [
            b"\x80",             // a continuation byte alone
            b"\xc3",             // a lead byte without its continuation
            b"\xc3\x28",         // a lead byte before ASCII
            b"\xc0\xaf",         // overlong '/'
            b"\xe0\x80\xaf",     // overlong, three bytes
            b"\xed\xa0\x80",     // a UTF-16 surrogate
            b"\xf4\x90\x80\x80", // past U+10FFFF
            b"\xf8\x88\x80\x80", // a five-byte form
            b"\xff",
        ];
        for pad in 0..20 {
            let a = "a".repeat(pad);
            for good in ["\u{e9}", "\u{20ac}", "\u{1f600}", "\u{10ffff}"] {
                let s = format!("\"{a}{good}{a}\"");
                assert_eq!(validate_string(s.as_bytes(), 0), Ok(s.len()), "{s}");
            }
            for b in bad {
                let mut s = vec![b'"'];
                s.extend_from_slice(a.as_bytes());
                s.extend_from_slice(b);
                s.extend_from_slice(b"aaaaaaaaa\"");
                assert_eq!(
                    validate_string(&s, 0).map_err(|e| e.offset),
                    Err(1 + pad),
                    "{pad} {b:x?}"
                );
            }
        }
        // Cut off at the end of the input.
        assert!(validate_string(b"\"\xe2\x82", 0).is_err());
    }

    #[test]
    fn validates_good_json() {
        for s in [
            "{}",
            "[]",
            r#"{"a":[1,2,{"b":null}],"c":"x\"y","d":-1.5e3,"e":true,"f":false}"#,
            " [ 1 , 2 ] ",
            r#""\u00e9\n""#,
            "0",
        ] {
            assert!(ok(s), "{s}");
        }
    }

    #[test]
    fn rejects_bad_json() {
        for s in [
            "{",
            "[1,]",
            r#"{"a" 1}"#,
            r#"{"a":1,}"#,
            "01",
            "1.",
            "tru",
            "\"abc",
            "\"a\tb\"",
            r#""\x""#,
            r#"{"a":1]"#,
            "[1}",
        ] {
            assert!(!ok(s), "{s}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = validate_value(s.as_bytes(), 0).unwrap_err();
        assert_eq!(e.msg, "nesting too deep");
        let ok_depth = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(validate_value(ok_depth.as_bytes(), 0).is_ok());
    }
}
