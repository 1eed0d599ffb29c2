//! The literal prefilter: byte strings a line must contain for the filter to
//! possibly match, found with SIMD substring search before any parsing.
//!
//! # Why it is sound
//! Literals are made only of printable ASCII other than `"`, `\`, `&`, `<`
//! and `>`. JSON encoders write those characters as themselves; the only
//! other spellings are a `\uXXXX` or `\/` escape of the character itself.
//! So in a line with no such escape, `verb == "delete"` can hold only if the
//! line contains `"delete"`, and `user startswith "system:"` only if it
//! contains `"system:`. Escapes of other characters — `\"` inside the
//! authorization reason, Go's `\u0026` for `&` in every query string — do not
//! matter. A line that does not start with `{` (arrays, cloud line envelopes),
//! holds a spelling escape, or is a GKE entry (fields mapped, not copied) is
//! always parsed. Literals are only
//! taken from comparisons that are false on a missing field, never under
//! `not`, never from computed fields, numbers or times (a number has several
//! spellings), and `or` keeps one literal per branch.
//!
//! # What it costs in checking
//! A skipped line is not parsed, so it is not validated as JSON. It is still
//! checked for what corruption looks like — it must start with `{`, end with
//! `}`, be valid UTF-8 and hold no NUL byte — and a line that fails those
//! checks is parsed and reported as usual. `--no-prefilter` parses every line.

use memchr::memmem::Finder;

use super::ast::{CmpOp, Compare, Expr, Literal, Operand, Quantifier};
use crate::event::computed;

/// A literal: its core bytes, and whether a string quote must stand right
/// before / after it. The quote may be written `"` or, in an event embedded
/// as a JSON string (AKS `properties.log`, CloudWatch messages), `\"`.
struct Lit {
    core: Finder<'static>,
    open: bool,
    close: bool,
}

impl Lit {
    fn parse(text: &str) -> Lit {
        let open = text.starts_with('"');
        let close = text.len() > 1 && text.ends_with('"');
        let core = &text[usize::from(open)..text.len() - usize::from(close)];
        Lit {
            core: Finder::new(core.as_bytes()).into_owned(),
            open,
            close,
        }
    }

    fn found_in(&self, line: &[u8]) -> bool {
        let n = self.core.needle().len();
        self.core.find_iter(line).any(|i| {
            (!self.open || (i > 0 && line[i - 1] == b'"'))
                && (!self.close
                    || match line.get(i + n) {
                        Some(b'"') => true,
                        Some(b'\\') => line.get(i + n + 1) == Some(&b'"'),
                        _ => false,
                    })
        })
    }
}

/// Conjunction of clauses; each clause holds if the line contains any of its
/// literals.
pub struct Prefilter {
    clauses: Vec<Vec<Lit>>,
    /// The literals, for tests and `-v`.
    pub literals: Vec<Vec<String>>,
}

impl std::fmt::Debug for Prefilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefilter")
            .field("literals", &self.literals)
            .finish()
    }
}

/// Is `s` made only of characters every JSON encoder writes as themselves?
/// Printable ASCII, minus `"` and `\` (always escaped) and `& < >` (Go's
/// encoder writes them as `\u0026`, `\u003c`, `\u003e`).
fn verbatim(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && !b"\"\\&<>".contains(&b))
}

/// Does `text` hold a NUL byte, or an escape that could spell a
/// [`verbatim`] character: `\uXXXX` other than Go's `\u0026 \u003c
/// \u003e`, or `\/`? One pass over the text for both bytes (this runs on
/// every chunk a prefiltered query reads; it replaced four passes).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn has_nul_or_spelling_escape(text: &[u8]) -> bool {
    memchr::memchr2_iter(0, b'\\', text).any(|i| nul_or_spelling_escape_at(text, i))
}

/// Is the NUL or backslash at `text[i]` a NUL, or an escape that could
/// spell a [`verbatim`] character?
#[inline]
fn nul_or_spelling_escape_at(text: &[u8], i: usize) -> bool {
    if text[i] == 0 {
        return true;
    }
    match text.get(i + 1) {
        Some(b'u') => match text.get(i + 2..i + 6) {
            Some(&[a, b, c, d]) => !matches!(
                [a, b, c, d.to_ascii_lowercase()],
                [b'0', b'0', b'2', b'6'] | [b'0', b'0', b'3', b'c' | b'e']
            ),
            _ => true,
        },
        Some(b'/') => true,
        // An event embedded twice (a JSON string inside a JSON string)
        // spells its quotes `\\\"`: parse those lines in full.
        Some(b'\\') => true,
        _ => false,
    }
}

/// [`Prefilter::is_clean`] in one pass: sixty-four bytes at a time, the
/// bytes that need a second look are marked in SIMD registers — NULs,
/// backslashes followed by `u`, `/` or another backslash, and a `y`
/// followed by `l` (the `yl` of `protoPayload`, rare elsewhere) — the byte
/// after each read from a second load one byte on. The bytes are ORed
/// together, so the UTF-8 check runs only when a byte of 0x80 or above was
/// seen (rarely, in audit logs). Audit lines hold six backslashes each on
/// average, nearly all of them `\"`, which the registers settle: only the
/// `\u` ones (Go's `\u0026` in query strings) are looked at one by one.
/// This replaced a pass for the NULs and escapes, one for UTF-8 and one
/// for GKE entries. The newlines are marked too, and written to `ends`.
/// With AVX2 (found at run time) the sixty-four bytes are two registers
/// rather than four.
#[cfg(target_arch = "x86_64")]
fn clean(text: &[u8], ends: &mut LineEnds) -> bool {
    ends.reset();
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: this CPU has AVX2, checked just above.
        unsafe { clean_avx2(text, ends) }
    } else {
        clean_sse2(text, ends)
    }
}

#[cfg(target_arch = "x86_64")]
fn clean_sse2(text: &[u8], ends: &mut LineEnds) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_setzero_si128,
    };
    let mut i = 0;
    // SAFETY: SSE2 is part of the x86-64 baseline. Every load reads 16
    // bytes at `i + 16 * k` or `i + 16 * k + 1` for k < 4, inside `text`
    // because the loop runs only while `i + 65 <= text.len()`.
    let high = unsafe {
        let mut high = _mm_setzero_si128();
        let zero = _mm_setzero_si128();
        let [backslash, u, slash, y, l, newline] =
            [b'\\', b'u', b'/', b'y', b'l', b'\n'].map(|c| _mm_set1_epi8(c as i8));
        while i + 65 <= text.len() {
            let mut marks = 0u64;
            for k in 0..4 {
                let at = text.as_ptr().add(i + 16 * k);
                let v = _mm_loadu_si128(at.cast::<__m128i>());
                let next = _mm_loadu_si128(at.add(1).cast::<__m128i>());
                high = _mm_or_si128(high, v);
                let escapes = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(next, u), _mm_cmpeq_epi8(next, slash)),
                    _mm_cmpeq_epi8(next, backslash),
                );
                let m = _mm_or_si128(
                    _mm_or_si128(
                        _mm_or_si128(_mm_cmpeq_epi8(v, zero), _mm_cmpeq_epi8(v, newline)),
                        _mm_and_si128(_mm_cmpeq_epi8(v, backslash), escapes),
                    ),
                    _mm_and_si128(_mm_cmpeq_epi8(v, y), _mm_cmpeq_epi8(next, l)),
                );
                marks |= u64::from(_mm_movemask_epi8(m) as u16) << (16 * k);
            }
            if !none_unclean(text, i, marks, ends) {
                return false;
            }
            i += 64;
        }
        _mm_movemask_epi8(high) != 0
    };
    clean_rest(text, i, high, ends)
}

/// [`clean_sse2`] with 32-byte registers.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn clean_avx2(text: &[u8], ends: &mut LineEnds) -> bool {
    use std::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256,
    };
    let mut i = 0;
    // SAFETY: the caller guarantees AVX2. Every load reads 32 bytes at
    // `i`, `i + 1`, `i + 32` or `i + 33`, inside `text` because the loop
    // runs only while `i + 65 <= text.len()`.
    let high = unsafe {
        let mut high = _mm256_setzero_si256();
        let zero = _mm256_setzero_si256();
        let [backslash, u, slash, y, l, newline] =
            [b'\\', b'u', b'/', b'y', b'l', b'\n'].map(|c| _mm256_set1_epi8(c as i8));
        // The 32 bytes at `at`, and the marks of those worth a second look.
        let marks = |at: *const u8| {
            let v = _mm256_loadu_si256(at.cast::<__m256i>());
            let next = _mm256_loadu_si256(at.add(1).cast::<__m256i>());
            let escapes = _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(next, u), _mm256_cmpeq_epi8(next, slash)),
                _mm256_cmpeq_epi8(next, backslash),
            );
            let m = _mm256_or_si256(
                _mm256_or_si256(
                    _mm256_or_si256(_mm256_cmpeq_epi8(v, zero), _mm256_cmpeq_epi8(v, newline)),
                    _mm256_and_si256(_mm256_cmpeq_epi8(v, backslash), escapes),
                ),
                _mm256_and_si256(_mm256_cmpeq_epi8(v, y), _mm256_cmpeq_epi8(next, l)),
            );
            (v, _mm256_movemask_epi8(m) as u32)
        };
        while i + 65 <= text.len() {
            let (a, ma) = marks(text.as_ptr().add(i));
            let (b, mb) = marks(text.as_ptr().add(i + 32));
            high = _mm256_or_si256(high, _mm256_or_si256(a, b));
            if !none_unclean(text, i, u64::from(ma) | u64::from(mb) << 32, ends) {
                return false;
            }
            i += 64;
        }
        _mm256_movemask_epi8(high) != 0
    };
    clean_rest(text, i, high, ends)
}

/// Checks each byte `marks` marks in the 64 bytes at `text[at..]`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn none_unclean(text: &[u8], at: usize, mut marks: u64, ends: &mut LineEnds) -> bool {
    while marks != 0 {
        if unclean_at(text, at + marks.trailing_zeros() as usize, ends) {
            return false;
        }
        marks &= marks - 1;
    }
    true
}

/// Is the NUL, backslash or `y` at `text[i]` a NUL, an escape that could
/// spell a [`verbatim`] character, or the `y` of a GKE entry's
/// `protoPayload` (either case of its `P`)? A newline is written to `ends`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn unclean_at(text: &[u8], i: usize, ends: &mut LineEnds) -> bool {
    match text[i] {
        b'\n' => {
            ends.newline(text, i);
            false
        }
        b'y' => {
            i >= 6
                && matches!(
                    text.get(i - 6..i + 5),
                    Some(b"rotoPayload" | b"rotopayload")
                )
        }
        _ => nul_or_spelling_escape_at(text, i),
    }
}

/// The bytes from `i` on, fewer than 65, and the UTF-8 check when a byte of
/// 0x80 or above was seen (`high`) before `i`.
#[cfg(target_arch = "x86_64")]
fn clean_rest(text: &[u8], i: usize, high: bool, ends: &mut LineEnds) -> bool {
    let rest = &text[i..];
    !rest
        .iter()
        .enumerate()
        .any(|(k, &c)| matches!(c, 0 | b'\\' | b'y' | b'\n') && unclean_at(text, i + k, ends))
        && ((!high && rest.is_ascii()) || std::str::from_utf8(text).is_ok())
}

#[cfg(not(target_arch = "x86_64"))]
fn clean(text: &[u8], ends: &mut LineEnds) -> bool {
    ends.reset();
    let clean = !has_nul_or_spelling_escape(text)
        && std::str::from_utf8(text).is_ok()
        && !has_gke_payload(text);
    if clean {
        for i in memchr::memchr_iter(b'\n', text) {
            ends.newline(text, i);
        }
    }
    clean
}

/// Where the lines of a chunk end, found by the pass that checks it is
/// clean ([`Prefilter::survey`]), so that a scanner can go from a hit of
/// the anchor to its line, and to its line number, without reading the
/// bytes between hits again; and which newlines do not join two object
/// lines as API servers write them, so that it knows which lines it cannot
/// pass over unread.
#[derive(Debug, Default)]
pub struct LineEnds {
    /// The offset of every newline, in order.
    pub at: Vec<usize>,
    /// The newlines (indices into `at`) that do not come right after a `}`
    /// and right before a `{` (or the end): the lines on either side of one
    /// may not be whole `{...}` lines.
    pub broken: Vec<usize>,
    /// No newline found so far is broken: the pass keeps this one flag,
    /// without a branch, and `broken` is listed after it only when needed.
    joined: bool,
}

impl LineEnds {
    fn reset(&mut self) {
        self.at.clear();
        self.broken.clear();
        self.joined = true;
    }

    /// Does the newline at `text[i]` join two object lines: `}` right
    /// before it, and `{` (or the end) right after it?
    #[inline]
    fn joins(text: &[u8], i: usize) -> bool {
        i >= 1 && text[i - 1] == b'}' && text.get(i + 1).is_none_or(|&c| c == b'{')
    }

    /// Records the newline at `text[i]`.
    #[inline]
    fn newline(&mut self, text: &[u8], i: usize) {
        self.joined &= Self::joins(text, i);
        self.at.push(i);
    }

    /// Lists the broken newlines, once every newline is recorded.
    fn finish(&mut self, text: &[u8]) {
        if !self.joined {
            let at = &self.at;
            self.broken
                .extend((0..at.len()).filter(|&k| !Self::joins(text, at[k])));
        }
    }
}

/// Does `text` hold a GKE entry (`protoPayload`, either case of its `P`)?
/// One search for the part both spellings share.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn has_gke_payload(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, b"ayload")
        .any(|i| i >= 5 && matches!(&text[i - 5..i], b"rotoP" | b"rotop"))
}

fn clause_of(c: &Compare) -> Option<Vec<String>> {
    let Operand::Field(f) = &c.lhs else {
        return None;
    };
    if f.path.head().is_some_and(|h| computed::NAMES.contains(&h)) {
        return None;
    }
    let Operand::Literal(lit, _) = &c.rhs else {
        return None;
    };
    let text = |l: &Literal| match l {
        Literal::String(s) if verbatim(s) => Some(s.clone()),
        _ => None,
    };
    match (c.op, lit) {
        (CmpOp::Eq, Literal::Bool(b)) => Some(vec![b.to_string()]),
        (CmpOp::Eq, l) => text(l).map(|s| vec![format!("\"{s}\"")]),
        (CmpOp::In, Literal::List(items)) if !items.is_empty() => items
            .iter()
            .map(|i| text(i).map(|s| format!("\"{s}\"")))
            .collect(),
        (CmpOp::Contains, l) => text(l).map(|s| vec![s]),
        (CmpOp::StartsWith, l) => text(l).map(|s| vec![format!("\"{s}")]),
        (CmpOp::EndsWith, l) => text(l).map(|s| vec![format!("{s}\"")]),
        (CmpOp::Glob, Literal::String(g)) => {
            let prefix: String = g.chars().take_while(|&c| c != '*' && c != '?').collect();
            if prefix.len() == g.len() {
                text(lit).map(|s| vec![format!("\"{s}\"")])
            } else if verbatim(&prefix) {
                Some(vec![format!("\"{prefix}")])
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The clauses (AND of ORs) an expression requires.
fn clauses(e: &Expr) -> Vec<Vec<String>> {
    match e {
        Expr::Compare(c) => clause_of(c).into_iter().collect(),
        Expr::And(xs) => xs.iter().flat_map(clauses).collect(),
        Expr::Or(xs) => {
            // Each branch implies its first clause, so the `or` implies the
            // union of those.
            let mut union = Vec::new();
            for x in xs {
                match clauses(x).into_iter().next() {
                    Some(c) => union.extend(c),
                    None => return Vec::new(),
                }
            }
            vec![union]
        }
        Expr::Quantified {
            quantifier: Quantifier::Any,
            body,
            ..
        } => clauses(body),
        _ => Vec::new(),
    }
}

impl Prefilter {
    /// The prefilter for a checked expression; `None` when it requires no
    /// literal (then every line is parsed).
    pub fn derive(e: &Expr) -> Option<Prefilter> {
        let literals = clauses(e);
        if literals.is_empty() {
            return None;
        }
        let clauses = literals
            .iter()
            .map(|c| c.iter().map(|l| Lit::parse(l)).collect())
            .collect();
        Some(Prefilter { clauses, literals })
    }

    /// Checks a whole chunk once for what would make skipping unsafe or hide
    /// corruption: NUL bytes, invalid UTF-8, GKE entries, spelling escapes.
    /// When it is clean, [`Prefilter::may_match_clean`] can skip its lines on
    /// the literals alone.
    pub fn is_clean(data: &[u8]) -> bool {
        clean(data, &mut LineEnds::default())
    }

    /// [`Prefilter::is_clean`], and where the lines of `data` end when it
    /// is (`ends` is left incomplete when it is not).
    pub fn survey(data: &[u8], ends: &mut LineEnds) -> bool {
        let clean = clean(data, ends);
        if clean {
            ends.finish(data);
        }
        clean
    }

    /// May the line match? False only when it lacks a required literal and
    /// looks like a well-formed plain Event line (see the module docs).
    pub fn may_match(&self, line: &[u8]) -> bool {
        self.has_literals(line) || !(Self::is_clean(line) && Self::looks_whole(line))
    }

    /// [`Prefilter::may_match`] for a line of a chunk that [`Prefilter::is_clean`].
    pub fn may_match_clean(&self, line: &[u8]) -> bool {
        self.has_literals(line) || !Self::looks_whole(line)
    }

    /// The longest literal a line must contain on its own (a clause of one
    /// literal), without its quotes: a scanner can search a whole chunk for
    /// it once and skip, without a look, every line it does not occur in
    /// and that [`Prefilter::looks_whole`] (the lines
    /// [`Prefilter::may_match_clean`] would reject anyway). `None` when
    /// every clause is a choice between literals.
    pub fn anchor(&self) -> Option<&Finder<'static>> {
        self.clauses
            .iter()
            .filter(|c| c.len() == 1)
            .map(|c| &c[0].core)
            .max_by_key(|f| f.needle().len())
    }

    fn has_literals(&self, line: &[u8]) -> bool {
        self.clauses
            .iter()
            .all(|c| c.iter().any(|l| l.found_in(line)))
    }

    /// Starts with `{` and ends with `}`: an object line, not cut short.
    pub fn looks_whole(line: &[u8]) -> bool {
        let t = line.trim_ascii();
        t.first() == Some(&b'{') && t.last() == Some(&b'}')
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_filter;
    use super::*;

    fn lits(f: &str) -> Vec<Vec<String>> {
        Prefilter::derive(&parse_filter(f).unwrap())
            .map(|p| p.literals)
            .unwrap_or_default()
    }

    #[test]
    fn derives_literals() {
        assert_eq!(
            lits(r#"verb == "delete" and resource == "secrets""#),
            [["\"delete\""], ["\"secrets\""]]
        );
        assert_eq!(
            lits(r#"verb in ["create", "update"]"#),
            [["\"create\"", "\"update\""]]
        );
        assert_eq!(
            lits(r#"verb == "get" or code == 403"#),
            Vec::<Vec<String>>::new()
        );
        assert_eq!(
            lits(r#"verb == "get" or user ~ "system:*""#),
            [["\"get\"", "\"system:"]]
        );
        assert_eq!(
            lits(r#"requestObject.spec.containers[*].securityContext.privileged == true"#),
            [["true"]]
        );
        assert_eq!(
            lits(r#"any(requestObject.rules[*], "pods/exec" in resources)"#),
            [["\"pods/exec\""]]
        );
        for none in [
            r#"not verb == "get""#,
            r#"verb != "get""#,
            "code == 403",
            r#"apiGroup == """#,
            r#"exec.command contains "sh""#,
            r#"user =~ "^a""#,
            r#"verb == "a\"b""#,
            r#"uri contains "a&b""#,
            r#"user == "é""#,
            r#"all(requestObject.rules[*], "x" in verbs)"#,
            r#"time > "2024-01-01T00:00:00Z""#,
        ] {
            assert!(lits(none).is_empty(), "{none}");
        }
    }

    #[test]
    fn skips_only_plain_event_lines() {
        let p = Prefilter::derive(&parse_filter(r#"verb == "delete""#).unwrap()).unwrap();
        assert!(p.may_match(br#"{"verb":"delete"}"#));
        assert!(!p.may_match(br#"{"verb":"get"}"#));
        assert!(
            p.may_match(br#"{"verb":"de\u006cete"}"#),
            "spelling escapes are parsed"
        );
        assert!(
            !p.may_match(br#"{"verb":"get","uri":"/a?b=1\u0026c=2","r":"by \"x\""}"#),
            "Go's escapes and \\\" are not"
        );
        assert!(p.may_match(br#"{"verb":"get","x":"a\/b"}"#));
        assert!(
            p.may_match(br#"{"properties":{"log":"{\"verb\":\"delete\"}"}}"#),
            "an event embedded as a string"
        );
        assert!(!p.may_match(br#"{"properties":{"log":"{\"verb\":\"deleted\"}"}}"#));
        assert!(
            p.may_match(br#"{"log":"{\"a\":\"{\\\"verb\\\":\\\"delete\\\"}\"}"}"#),
            "embedded twice: parsed"
        );
        assert!(
            p.may_match(br#"{"verb":"get""#),
            "a cut line is parsed (and reported)"
        );
        assert!(
            p.may_match(b"{\"verb\":\"g\xffet\"}"),
            "invalid UTF-8 is parsed (and reported)"
        );
        assert!(p.may_match(b"{\"verb\":\"get\x00\"}"));
        assert!(
            p.may_match(br#"master-0 {"verb":"get"}"#),
            "line envelopes are parsed"
        );
        assert!(p.may_match(br#"{"protoPayload":{"methodName":"io.k8s.core.v1.pods.delete"}}"#));
        assert!(p.may_match(br#"{"protopayload":{"methodName":"io.k8s.core.v1.pods.delete"}}"#));
        assert!(!p.may_match(br#"{"verb":"get","payload":"x","proto":"y"}"#));
    }

    /// What makes a chunk unfit for skipping lines on literals alone, each
    /// found anywhere in it, escapes at its very end included.
    #[test]
    fn clean_chunks() {
        let clean: &[&[u8]] = &[
            b"{\"verb\":\"get\"}\n{\"r\":\"by \\\"x\\\"\"}\n",
            b"{\"uri\":\"/a?b\\u0026c\\u003C\\u003e\"}\n",
            b"payload protopay load \\",
        ];
        for c in clean {
            assert!(Prefilter::is_clean(c), "{}", String::from_utf8_lossy(c));
        }
        let unclean: &[&[u8]] = &[
            b"{}\n{\"a\":\"\x00\"}",
            b"{}\n{\"a\":\"\\u0064\"}",
            b"{\"a\":\"x\\/y\"}",
            b"{\"a\":\"\\\\\"}",
            b"{\"a\":\"\\u00",
            b"{\"protoPayload\":{}}",
            b"{\"protopayload\":{}}",
            b"{\"a\":\"\xff\"}",
        ];
        for u in unclean {
            assert!(!Prefilter::is_clean(u), "{}", String::from_utf8_lossy(u));
        }
    }

    /// The one-pass check agrees with the three it replaced (a `memchr2`
    /// search for NULs and escapes, `from_utf8`, a search for GKE's
    /// `protoPayload`) wherever in a 64-byte block, or in the tail after
    /// the last one, the telling bytes fall.
    #[test]
    fn the_one_pass_check_agrees_with_the_separate_ones() {
        let inserts: &[&[u8]] = &[
            b"\x00",
            b"\\u0064",
            b"\\u0026",
            b"\\u003E",
            b"\\u003f",
            b"\\/",
            b"\\\\",
            b"\\\"",
            b"\\n",
            b"\\",
            b"\xc3\xa9",
            b"\xc3",
            b"\xe2\x82\xac",
            b"\xff",
            b"\\u00",
            b"\"protoPayload\":",
            b"\"protopayload\":",
            b"\"ProtoPayload\":",
            b"rotoPayloa",
            b"payload",
            b"yl",
        ];
        for len in [0, 1, 15, 63, 64, 65, 127, 130, 200] {
            for at in 0..len.min(140) {
                for ins in inserts {
                    let mut text = vec![b'a'; len];
                    text.splice(at..at, ins.iter().copied());
                    let apart = !has_nul_or_spelling_escape(&text)
                        && std::str::from_utf8(&text).is_ok()
                        && !has_gke_payload(&text);
                    assert_eq!(
                        clean(&text, &mut LineEnds::default()),
                        apart,
                        "{len} {at} {}",
                        String::from_utf8_lossy(ins)
                    );
                    // Both widths, whichever this CPU runs.
                    #[cfg(target_arch = "x86_64")]
                    assert_eq!(clean_sse2(&text, &mut LineEnds::default()), apart);
                }
            }
        }
    }

    /// The survey finds every newline, and marks broken exactly the ones
    /// next to a line that is not `{...}` with nothing around it; over
    /// regions of random lines, some blank, some with a `\r` or spaces,
    /// some cut short, wherever they fall against the sixty-four-byte
    /// steps, with either register width.
    #[test]
    fn the_survey_marks_the_newlines_next_to_lines_that_are_not_whole() {
        let kinds: [&[u8]; 6] = [
            b"{}",
            b"{\"a\":1}",
            b"{\"a\":\"}\"}",
            b"",
            b"{\"a\":1} ",
            b"{\"a\"",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut counted = 0;
        for _ in 0..5_000 {
            let mut region = Vec::new();
            let n = 1 + next() % 6;
            for _ in 0..n {
                // Mostly good lines, padded to any length.
                let kind = if next() % 8 == 0 {
                    kinds[(next() % 6) as usize]
                } else {
                    kinds[1]
                };
                let pad = (next() % 90) as usize;
                if kind.first() == Some(&b'{') && kind.len() > 2 && pad > 0 {
                    region.extend_from_slice(b"{\"p\":\"");
                    region.extend(std::iter::repeat_n(b'x', pad));
                    region.extend_from_slice(b"\",");
                    region.extend_from_slice(&kind[1..]);
                } else {
                    region.extend_from_slice(kind);
                }
                region.push(b'\n');
            }
            let lines: Vec<&[u8]> = region[..region.len() - 1].split(|&c| c == b'\n').collect();
            // Newline k ends line k and starts line k + 1.
            let broken: Vec<usize> = (0..lines.len())
                .filter(|&k| {
                    lines[k].last() != Some(&b'}')
                        || lines.get(k + 1).is_some_and(|l| l.first() != Some(&b'{'))
                })
                .collect();
            counted += usize::from(broken.is_empty());
            let newlines: Vec<usize> = memchr::memchr_iter(b'\n', &region).collect();
            let mut ends = LineEnds::default();
            assert!(Prefilter::survey(&region, &mut ends));
            assert_eq!(
                (&ends.at, &ends.broken),
                (&newlines, &broken),
                "{:?}",
                String::from_utf8_lossy(&region)
            );
            #[cfg(target_arch = "x86_64")]
            {
                let mut ends = LineEnds::default();
                ends.reset();
                assert!(clean_sse2(&region, &mut ends));
                ends.finish(&region);
                assert_eq!((&ends.at, &ends.broken), (&newlines, &broken));
            }
        }
        assert!(counted > 1_000, "{counted}");
    }

    #[test]
    fn the_anchor_is_the_longest_required_literal() {
        let anchor = |f: &str| {
            Prefilter::derive(&parse_filter(f).unwrap()).and_then(|p| {
                p.anchor()
                    .map(|a| String::from_utf8(a.needle().to_vec()).unwrap())
            })
        };
        assert_eq!(
            anchor(r#"verb == "delete" and resource == "secrets""#).as_deref(),
            Some("secrets")
        );
        assert_eq!(anchor(r#"verb in ["create", "delete"]"#), None);
    }
}
