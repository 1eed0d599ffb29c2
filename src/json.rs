//! Lazy, borrowing JSON.
//!
//! kaq never builds a JSON tree for an audit event. A line is validated once
//! ([`index_object`] records where each top-level member is), and every later
//! lookup walks the already-validated text ([`Value`]). Strings are decoded
//! only when a filter or printer asks for them, and borrow the input when they
//! hold no escapes.
//!
//! Validation is iterative (an explicit stack, never recursion), so a line
//! nested 10,000 levels deep is an error with an offset, not a stack overflow.

use std::borrow::Cow;

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

fn err<T>(offset: usize, msg: &'static str) -> Result<T, JsonError> {
    Err(JsonError { offset, msg })
}

#[inline]
fn skip_ws(b: &[u8], i: usize) -> usize {
    skip_ws_in::<false>(b, i)
}

/// [`skip_ws`]; with `LINE`, a newline ends the input rather than being
/// whitespace, so that a line is validated without finding its end first.
#[inline]
fn skip_ws_in<const LINE: bool>(b: &[u8], mut i: usize) -> usize {
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
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (high bit) the bytes of `word` that are zero. Only the lowest flag
/// is exact: a borrow can flag bytes above a zero byte, never below it.
#[inline]
fn zero_bytes(word: u64) -> u64 {
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
fn validate_string(b: &[u8], i: usize) -> Result<usize, JsonError> {
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
/// [`index_next_line`]). Strings and other scalars, most of an event's
/// values, are checked here, inline in the member loops; objects and
/// arrays by [`validate_nested`].
#[inline(always)]
fn validate_value_in<const LINE: bool>(b: &[u8], i: usize) -> Result<usize, JsonError> {
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

/// The top-level keys of the objects indexed so far, and which key followed
/// which, to check the next object's keys against.
///
/// An API server writes an event's members in one order (its struct's),
/// leaving out the empty ones, so a key is nearly always the one that
/// followed the key before it last time; the next object's keys are checked
/// first by comparing their bytes with that one. The walk over a line is
/// bound by latency, from where one token ends to where the next starts: a
/// compare whose outcome the CPU predicts puts no step on that path, where
/// finding a string's end puts several. A key that differs is validated as
/// any string and remembered as the new successor.
#[derive(Debug, Clone)]
pub struct KeyMemo {
    /// Distinct keys seen, quoted; at most [`KeyMemo::MAX`].
    keys: Vec<QuotedKey>,
    /// `classes[k]`: what `classify` said of key `k`'s raw text.
    classes: Vec<u8>,
    /// Works out, once per distinct key, what a [`KeyHook`] would
    /// otherwise work out for every occurrence (see [`KeyMemo::new`]).
    classify: fn(&[u8]) -> u8,
    /// `next[k]`: the key that last followed key `k`; `next[MAX]` the one
    /// that last opened an object. [`KeyMemo::NONE`] when not yet seen.
    next: [u8; KeyMemo::MAX + 1],
}

impl Default for KeyMemo {
    /// A memo whose keys have no class: hooks get `None` for every key.
    fn default() -> Self {
        KeyMemo::new(|_| KeyMemo::UNCLASSED)
    }
}

/// A key as written, quotes included, in four little-endian words with the
/// bytes past its end masked off.
#[derive(Debug, Clone, Copy)]
struct QuotedKey {
    words: [u64; 4],
    masks: [u64; 4],
    len: usize,
}

impl QuotedKey {
    /// `None` for a key too long to keep (over 32 bytes quoted).
    fn new(quoted: &[u8]) -> Option<QuotedKey> {
        if quoted.len() > 32 {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes[..quoted.len()].copy_from_slice(quoted);
        let mut key = QuotedKey {
            words: [0; 4],
            masks: [0; 4],
            len: quoted.len(),
        };
        for w in 0..4 {
            key.words[w] = u64::from_le_bytes(bytes[w * 8..w * 8 + 8].try_into().expect("8"));
            let have = quoted.len().saturating_sub(w * 8).min(8);
            key.masks[w] = if have == 8 {
                !0
            } else {
                (1u64 << (have * 8)) - 1
            };
        }
        Some(key)
    }

    /// Whether `b[i..]` starts with this key, quotes included. Then the
    /// string at `i` is this same valid string and ends at `i + len`.
    #[inline(always)]
    fn starts(&self, b: &[u8], i: usize) -> bool {
        let Some(bytes) = b.get(i..i + 32) else {
            return false;
        };
        let word = |w: usize| u64::from_le_bytes(bytes[w * 8..w * 8 + 8].try_into().expect("8"));
        let diff = ((word(0) ^ self.words[0]) & self.masks[0])
            | ((word(1) ^ self.words[1]) & self.masks[1])
            | ((word(2) ^ self.words[2]) & self.masks[2])
            | ((word(3) ^ self.words[3]) & self.masks[3]);
        diff == 0
    }
}

impl KeyMemo {
    const MAX: usize = 64;
    const NONE: u8 = u8::MAX;
    /// Where an object's first key is predicted from.
    const START: usize = KeyMemo::MAX;

    /// What a classifier returns for a key it leaves to the hook.
    const UNCLASSED: u8 = u8::MAX;

    /// A memo that classifies each distinct key it learns by `classify`
    /// (on its raw text, between the quotes), and hands the class to the
    /// [`KeyHook`] with every occurrence of that key. One memo must be used
    /// with hooks that read classes the way `classify` writes them.
    pub fn new(classify: fn(&[u8]) -> u8) -> Self {
        KeyMemo {
            keys: Vec::new(),
            classes: Vec::new(),
            classify,
            next: [KeyMemo::NONE; KeyMemo::MAX + 1],
        }
    }

    /// The class of the key `key` names (a value [`KeyMemo::key`] returned);
    /// `None` for [`KeyMemo::START`] (a key not kept) or [`KeyMemo::UNCLASSED`].
    #[inline(always)]
    fn class(&self, key: usize) -> Option<u8> {
        self.classes
            .get(key)
            .copied()
            .filter(|&c| c != KeyMemo::UNCLASSED)
    }

    /// Validates the key string at `b[i] == b'"'`, which follows the key
    /// `prev` names (a value [`KeyMemo::key`] returned, or
    /// [`KeyMemo::START`]), as [`validate_string`] does: the same offset or
    /// error. Returns the offset and what names this key for the next call.
    #[inline(always)]
    fn key(&mut self, b: &[u8], i: usize, prev: usize) -> Result<(usize, usize), JsonError> {
        let guess = usize::from(self.next[prev]);
        if let Some(known) = self.keys.get(guess) {
            if known.starts(b, i) {
                return Ok((i + known.len, guess));
            }
        }
        let end = validate_string(b, i)?;
        Ok((end, self.learn(prev, &b[i..end])))
    }

    /// Finds or adds `quoted` and makes it the successor of `prev`.
    #[cold]
    fn learn(&mut self, prev: usize, quoted: &[u8]) -> usize {
        let Some(key) = QuotedKey::new(quoted) else {
            return KeyMemo::START;
        };
        let at = match self
            .keys
            .iter()
            .position(|k| k.len == key.len && k.words == key.words)
        {
            Some(at) => at,
            None if self.keys.len() < KeyMemo::MAX => {
                self.keys.push(key);
                self.classes
                    .push((self.classify)(&quoted[1..quoted.len() - 1]));
                self.keys.len() - 1
            }
            // Full: predictions go on from what is there.
            None => return KeyMemo::START,
        };
        self.next[prev] = at as u8;
        at
    }
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
    /// it with [`raw_eq`] and [`raw_starts_with`] to avoid decoding.
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

/// Byte equality of two slices of the same length, inline: keys and field
/// values are short, and a call to the C library's `memcmp` (what `==` on
/// slices becomes) costs more than the comparison.
///
/// Eight bytes at a time (the last word overlapping the one before it), so
/// that a 24-byte key is three comparisons, not 24.
#[inline]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Does the raw text of a JSON string (between its quotes, escapes as
/// written) decode to `plain`? Decodes only when it must: every escape
/// sequence is longer than what it stands for, so a raw text no longer than
/// `plain` matches only byte for byte and without escapes, and a longer one
/// only if it holds an escape; an escape changes nothing before it, so a raw
/// text that starts with another plain byte cannot match either. Lookups
/// and string tests run this for every key and value they pass, so most must
/// be turned away without a scan.
#[inline]
pub fn raw_eq(raw: &str, plain: &str) -> bool {
    use std::cmp::Ordering;
    match raw.len().cmp(&plain.len()) {
        Ordering::Less => false,
        Ordering::Equal => {
            bytes_eq(raw.as_bytes(), plain.as_bytes()) && !raw.as_bytes().contains(&b'\\')
        }
        Ordering::Greater => {
            let first = raw.as_bytes()[0];
            (first == b'\\' || plain.as_bytes().first() == Some(&first))
                && raw.contains('\\')
                && unescape(raw) == plain
        }
    }
}

/// Does the raw text of a JSON string decode to something starting with
/// `prefix`? Decodes only when an escape sits where the prefix would be.
#[inline]
pub fn raw_starts_with(raw: &str, prefix: &str) -> bool {
    let head = &raw.as_bytes()[..raw.len().min(prefix.len())];
    if !head.contains(&b'\\') {
        // The first bytes decode to themselves, so they decide (a raw text
        // shorter than the prefix has no escape at all and cannot match).
        return raw.starts_with(prefix);
    }
    unescape(raw).starts_with(prefix)
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
fn skip_string(b: &[u8], mut i: usize) -> usize {
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

/// Decodes the inner text of a valid JSON string (between the quotes).
/// Lone surrogates become U+FFFD rather than failing: the text was valid JSON.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    unescape_into(raw, &mut out);
    Cow::Owned(out)
}

/// Decodes the raw text of a JSON string into `out` (cleared first): plain
/// runs are copied whole, escapes decoded; an unpaired surrogate becomes
/// U+FFFD.
pub fn unescape_into(raw: &str, out: &mut String) {
    out.clear();
    let mut rest = raw;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let Some(e) = rest[at + 1..].chars().next() else {
            rest = "";
            break;
        };
        let mut used = 1 + e.len_utf8();
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hi = hex4(rest.get(at + 2..).unwrap_or(""));
                used = 6;
                let mut code = hi;
                if (0xD800..0xDC00).contains(&hi)
                    && rest.get(at + 6..).is_some_and(|r| r.starts_with("\\u"))
                {
                    let lo = hex4(rest.get(at + 8..).unwrap_or(""));
                    if (0xDC00..0xE000).contains(&lo) {
                        code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        used = 12;
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            other => out.push(other),
        }
        rest = rest.get(at + used..).unwrap_or("");
    }
    out.push_str(rest);
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

fn hex4(s: &str) -> u32 {
    s.get(..4)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0xFFFD)
}

/// Writes valid JSON `text` without the whitespace outside strings, so that a
/// pretty-printed event fits on one NDJSON line. Bytes inside strings are
/// copied unchanged.
pub fn minify_into(text: &str, out: &mut Vec<u8>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = skip_string(b, i);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A deterministic stream of pseudo-random numbers for the mutation tests.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// Where the members are, to compare two indexes.
    fn spans(members: &[Member]) -> Vec<((u32, u32), (u32, u32))> {
        members.iter().map(|m| (m.key, m.value)).collect()
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

    /// Keys checked against a memo of earlier lines' keys give what keys
    /// validated afresh give, members and errors alike: over a stream of
    /// lines with keys in changing orders, escaped, long, cut short, or
    /// differing from a remembered key in one byte anywhere.
    #[test]
    fn keys_checked_against_the_memo_are_validated_keys() {
        let lines = [
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","requestReceivedTimestamp":"t","user":{"username":"a"}}"#,
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","requestObject":{"kind":"Pod"},"verb":"get"}"#,
            r#"{"kind":"Event","k\"y\u0041":1,"a key longer than thirty-two bytes, quoted":2,"verb":"list"}"#,
            r#"{"kind":"Ev","verb":"x"}"#,
        ];
        let picks: &[u8] = b"\"\\ax:{}\x01\x80";
        let mut next = xorshift(0x5851_f42d_4c95_7f2d);
        let mut memo = KeyMemo::default();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let mut remembered = 0;
        for round in 0..20_000 {
            let mut line = lines[(next() % 4) as usize].as_bytes().to_vec();
            if round % 2 == 0 {
                for _ in 0..1 + next() % 2 {
                    let at = (next() % line.len() as u64) as usize;
                    line[at] = picks[(next() % picks.len() as u64) as usize];
                }
            }
            let with_memo = index_line_nested(&line, &mut a, &mut c, &mut (), &mut memo).map(drop);
            let fresh = index_line(&line, &mut b).map(drop);
            assert_eq!(with_memo, fresh, "{:?}", String::from_utf8_lossy(&line));
            if fresh.is_ok() {
                assert_eq!(spans(&a), spans(&b));
                remembered += 1;
            }
            // The same line in line mode, with more after it.
            line.extend_from_slice(b"\n{\"kind\":\"Event\"}\n");
            let fused = index_next_line(&line, &mut a, &mut c, &mut (), &mut memo);
            assert_eq!(fused.is_some(), fresh.is_ok());
            if fused.is_some() {
                assert_eq!(spans(&a), spans(&b));
            }
        }
        assert!(remembered > 10_000, "{remembered}");
    }

    /// The word-at-a-time comparison agrees with `==` for every length and
    /// every position of a differing byte.
    #[test]
    fn bytes_eq_agrees_with_slice_equality() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(bytes_eq(&a, &a.clone()), "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!bytes_eq(&a, &b), "{n} {at}");
            }
            assert!(!bytes_eq(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
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
    fn unescape_agrees_with_serde_json() {
        for raw in [
            r"plain",
            r"/api/v1/pods?watch=true\u0026limit=5",
            r"caf\u00e9 ☕ \ud83d\ude00 end",
            r#"q\"u\\o\/te\b\f\n\r\t"#,
            r"\u0041",
            r"é\nü",
            r"trailing \u0026",
        ] {
            let want: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert_eq!(unescape(raw), want, "{raw}");
            let v = format!("\"{raw}\"");
            assert_eq!(
                Value::new_unchecked(&v).with_str(|s| s.to_string()),
                Some(want)
            );
        }
        assert_eq!(Value::new_unchecked("12").with_str(|s| s.len()), None);
    }

    #[test]
    fn raw_strings_compare_as_decoded() {
        assert!(raw_eq("verb", "verb"));
        assert!(raw_eq("v\\u0065rb", "verb"));
        assert!(raw_eq("\\u0076erb", "verb"));
        assert!(raw_eq("\\\\", "\\"));
        assert!(!raw_eq("verbs", "verb"));
        assert!(!raw_eq("ver", "verb"));
        assert!(!raw_eq("x\\u0065rb", "verb"));
        assert!(!raw_eq("v\\u0065rbs", "verb"));
        assert!(!raw_eq("a", ""));
        assert!(raw_eq("", ""));
        // A raw text equal to the plain one but holding an escape decodes
        // to something shorter.
        assert!(!raw_eq("a\\nb", "a\\nb"));
        assert!(raw_eq("a\\\\nb", "a\\nb"));
        assert!(raw_starts_with("system:node:x", "system:"));
        assert!(raw_starts_with("\\u0073ystem:node", "system:"));
        assert!(raw_starts_with("sys\\u0074em:", "system:"));
        assert!(!raw_starts_with("sys", "system:"));
        assert!(!raw_starts_with("a\\nb", "a\\n"));
        assert!(raw_starts_with("a\\\\nb", "a\\n"));
        assert!(raw_starts_with("anything", ""));
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

    #[test]
    fn unescapes_strings_and_surrogates() {
        assert_eq!(unescape(r#"a\"b\\c\/d\n"#), "a\"b\\c/d\n");
        assert_eq!(unescape(r"\u0026\u003c"), "&<");
        assert_eq!(unescape(r"\ud83d\ude00"), "😀");
        assert_eq!(unescape(r"\ud83d x"), "\u{FFFD} x");
        assert!(matches!(unescape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn keys_with_escapes_match() {
        let v = Value::new_unchecked(r#"{"a\/b":1,"c":2}"#);
        assert_eq!(v.get("a/b").unwrap().text(), "1");
        assert_eq!(v.get("c").unwrap().text(), "2");
        assert!(v.get("d").is_none());
    }

    #[test]
    fn minify_keeps_strings() {
        let mut out = Vec::new();
        minify_into("{\n  \"a b\": [ 1, \"x  y\" ]\n}", &mut out);
        assert_eq!(out, br#"{"a b":[1,"x  y"]}"#);
    }
}
