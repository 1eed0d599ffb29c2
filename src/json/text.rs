//! Text helpers over the raw text of valid JSON: comparing raw strings
//! with plain ones without decoding, decoding, and minifying.

use std::borrow::Cow;

use super::value::skip_string;

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
    use crate::json::Value;

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
    fn unescapes_strings_and_surrogates() {
        assert_eq!(unescape(r#"a\"b\\c\/d\n"#), "a\"b\\c/d\n");
        assert_eq!(unescape(r"\u0026\u003c"), "&<");
        assert_eq!(unescape(r"\ud83d\ude00"), "😀");
        assert_eq!(unescape(r"\ud83d x"), "\u{FFFD} x");
        assert!(matches!(unescape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn minify_keeps_strings() {
        let mut out = Vec::new();
        minify_into("{\n  \"a b\": [ 1, \"x  y\" ]\n}", &mut out);
        assert_eq!(out, br#"{"a b":[1,"x  y"]}"#);
    }
}
