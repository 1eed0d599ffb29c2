//! Regular expressions for Sigma's `|re`: kaq's case-sensitive string tests
//! written as regexes, and the check that a kaq regex means the same in
//! the engines behind pySigma's backends (PCRE in Splunk, RE2 in Loki, Java
//! and Lucene in Elasticsearch) as in Rust's `regex`.
//!
//! Why regexes for plain strings: Sigma's plain values match
//! case-insensitively and `|cased` is the exact form, but the Splunk and
//! Elasticsearch backends refuse `|cased` ("Case-sensitive string matching
//! is not supported by backend"), while every backend converts `|re`,
//! which Sigma defines as case-sensitive.
//!
//! Only a portable subset is written or accepted: literal characters,
//! punctuation escaped with `\`, `.`, classes of literal characters and
//! ranges, groups, `|`, the repetitions and the anchors `^` and `$`.

/// Characters escaped in literals: the metacharacters of PCRE, RE2 and
/// Rust, and the operators of Lucene's regexes (`#@&~"`). Escaping
/// punctuation is a literal in every flavour. Not `/`: the Elasticsearch
/// backend escapes Lucene's delimiter itself, and would double ours.
const META: &str = "\\.+*?()[]{}|^$#@&~\"";

/// `text` as regex text that matches exactly `text`: [`META`] escaped with
/// `\`, `<` and `>` in a class (Rust reads `\<` and `\>` as word
/// boundaries), everything else as is.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '<' | '>' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c if META.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An anchored alternation of literals: `^(a|b)$`, or `^a$` for one.
pub fn any_of(texts: &[&str]) -> String {
    match texts {
        [one] => format!("^{}$", literal(one)),
        many => {
            let alts: Vec<String> = many.iter().map(|t| literal(t)).collect();
            format!("^({})$", alts.join("|"))
        }
    }
}

/// A kaq glob (`*` any run of characters, newlines too; `?` one character;
/// anchored) as regex text.
pub fn glob(pattern: &str) -> String {
    // A leading or trailing `*` is an unanchored end.
    let (body, open_start) = match pattern.strip_prefix('*') {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let (body, open_end) = match body.strip_suffix('*') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    if body.is_empty() && (open_start || open_end) {
        // `*`, `**`: any string at all.
        return "^".to_string();
    }
    let mut out = String::from(if open_start { "" } else { "^" });
    let mut plain = String::new();
    for c in body.chars() {
        match c {
            '*' | '?' => {
                out.push_str(&literal(&plain));
                plain.clear();
                // `.` stops at a newline unless the `s` flag is on; a class
                // of everything does not.
                out.push_str(if c == '*' { "[\\s\\S]*" } else { "[\\s\\S]" });
            }
            c => plain.push(c),
        }
    }
    out.push_str(&literal(&plain));
    if !open_end {
        out.push('$');
    }
    out
}

/// A kaq regex checked for the portable subset: the pattern to write, and
/// whether it asks for case-insensitive matching (a leading `(?i)`, which
/// becomes Sigma's `|i`). `Err` names the construct that is not portable.
pub fn portable(pattern: &str) -> Result<(String, bool), String> {
    let (body, insensitive) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    if insensitive && !body.is_ascii() {
        return Err("`(?i)` with non-ASCII characters: engines fold case differently".into());
    }
    let mut chars = body.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_class_start = std::mem::take(&mut class_start);
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() && e != '<' && e != '>' => {}
                Some(e @ ('n' | 't' | 'r')) => {
                    let _ = e;
                }
                Some(e) => {
                    return Err(format!(
                        "`\\{e}`: its meaning differs between regex engines (Unicode or ASCII classes, word boundaries, anchors) or it is not portable"
                    ))
                }
                None => return Err("a trailing `\\`".into()),
            },
            '[' if in_class => {
                return Err(
                    "`[` inside a class: Rust reads a nested class, other engines a literal".into(),
                )
            }
            '[' => {
                in_class = true;
                class_start = true;
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                if chars.peek() == Some(&':') {
                    return Err("a POSIX class `[:...:]`".into());
                }
            }
            ']' if in_class && !at_class_start => in_class = false,
            '&' | '~' | '-' if in_class && chars.peek() == Some(&c) => {
                return Err(format!(
                    "`{c}{c}` inside a class: Rust reads a set operation, other engines literals"
                ))
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                if chars.next() != Some(':') {
                    return Err(
                        "a `(?` group other than `(?:`: inline flags, names and lookaround are not portable"
                            .into(),
                    );
                }
            }
            '{' if !in_class => {
                // Counted repetitions only: `{n}`, `{n,}`, `{n,m}`.
                let mut inner = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    inner.push(d);
                }
                let ok = !inner.is_empty()
                    && inner.split(',').count() <= 2
                    && inner.split(',').next().is_some_and(|p| !p.is_empty())
                    && inner.split(',').all(|p| p.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err(format!("`{{{inner}}}` is not a counted repetition"));
                }
            }
            _ => {}
        }
    }
    if in_class {
        return Err("an unclosed `[`".into());
    }
    Ok((body.to_string(), insensitive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn full(re: &str) -> Regex {
        Regex::new(re).unwrap_or_else(|e| panic!("{re}: {e}"))
    }

    #[test]
    fn literals_match_themselves_only() {
        let hostile = "a.b*c?d\\e(f)[g]{h}|i^j$k+l<m>n#o~p&q@r\"s's/t%u-v_w x\ny\u{e9}:,;=!`";
        let re = full(&any_of(&[hostile]));
        assert!(re.is_match(hostile));
        assert!(!re.is_match(&hostile.replace('.', "X")));
        assert!(!re.is_match(&format!("{hostile}z")));
        let re = full(&any_of(&["create", "up.date"]));
        assert!(re.is_match("up.date") && re.is_match("create"));
        assert!(!re.is_match("upXdate") && !re.is_match("Create"));
    }

    #[test]
    fn globs_match_as_kaq_does() {
        let re = full(&glob("system:*:a?c"));
        assert!(re.is_match("system:x\ny:abc"));
        assert!(!re.is_match("system:x:abbc"));
        assert!(full(&glob("a.b")).is_match("a.b"));
        assert_eq!(glob("system:*"), "^system:");
        assert_eq!(glob("*kube*"), "kube");
        assert_eq!(glob("*"), "^");
        assert!(full(&glob("*")).is_match(""));
        assert!(full(&glob("**")).is_match("x"));
        assert!(!full(&glob("a.b")).is_match("axb"));
    }

    #[test]
    fn only_portable_regexes_pass() {
        assert_eq!(
            portable("(?i)^(curl|wget)").unwrap(),
            ("^(curl|wget)".to_string(), true)
        );
        assert!(portable(r"^/(var/)?run/docker\.sock$").is_ok());
        assert!(portable(r"[?&]command=(nc|ncat)(&|$)").is_ok());
        assert!(portable(r"AKIA[0-9A-Z]{16}").is_ok());
        for bad in [
            r"\bnc\b",
            r"\d+",
            r"\w",
            r"(?s)a.b",
            r"(?P<n>a)",
            "[a[b]]",
            "[[:alpha:]]",
            "[a&&b]",
            "a{x}",
            r"\<a",
        ] {
            assert!(portable(bad).is_err(), "{bad}");
        }
    }
}
