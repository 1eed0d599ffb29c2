//! Sigma value modifiers (`field|contains|all: ...`) and Sigma's string
//! patterns, turned into the pieces a kaq filter is built from.
//!
//! Sigma strings (specification v2, "Value" and "Modifiers"): `*` matches any
//! run of characters, `?` one character, `\*`, `\?` and `\\` are those
//! characters themselves, and a `\` before any other character is a plain
//! backslash. Matching is case-insensitive unless `|cased`. kaq writes each
//! pattern as an anchored regular expression ([`Pattern::regex`]) for its
//! `=~` operator, so every backend that runs kaq filters runs Sigma rules.

use base64::Engine as _;

/// One piece of a Sigma string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// `*`
    Any,
    /// `?`
    One,
}

/// A Sigma string value, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pattern(pub Vec<Piece>);

impl Pattern {
    /// Parses a Sigma string with its wildcards and escapes.
    pub fn parse(s: &str) -> Pattern {
        let mut p = Pattern::default();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&n @ ('*' | '?' | '\\')) => {
                        chars.next();
                        p.push_char(n);
                    }
                    _ => p.push_char('\\'),
                },
                '*' => p.0.push(Piece::Any),
                '?' => p.0.push(Piece::One),
                c => p.push_char(c),
            }
        }
        p
    }

    /// A string taken literally (no wildcards): base64 output, fieldref.
    pub fn literal(s: &str) -> Pattern {
        Pattern(vec![Piece::Lit(s.to_string())])
    }

    fn push_char(&mut self, c: char) {
        if let Some(Piece::Lit(s)) = self.0.last_mut() {
            s.push(c);
        } else {
            self.0.push(Piece::Lit(c.to_string()));
        }
    }

    /// The string when the pattern has no wildcards.
    pub fn plain(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// True when the pattern matches every string (`*`, `**`).
    pub fn is_match_all(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(|p| *p == Piece::Any)
    }

    /// `contains`: `*value*`; `startswith`: `value*`; `endswith`: `*value`.
    pub fn wrap(mut self, before: bool, after: bool) -> Pattern {
        if before && self.0.first() != Some(&Piece::Any) {
            self.0.insert(0, Piece::Any);
        }
        if after && self.0.last() != Some(&Piece::Any) {
            self.0.push(Piece::Any);
        }
        self
    }

    /// The anchored regular expression for kaq's `=~`: whole-value match,
    /// `.` across newlines, case-insensitive unless `cased`.
    pub fn regex(&self, cased: bool) -> String {
        let mut re = String::from(if cased { "(?s)^" } else { "(?is)^" });
        for p in &self.0 {
            match p {
                Piece::Lit(s) => re.push_str(&regex::escape(s)),
                Piece::Any => re.push_str(".*"),
                Piece::One => re.push('.'),
            }
        }
        re.push('$');
        re
    }
}

/// The modifiers of one detection item's key, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Modifiers {
    /// `contains`, `startswith`, `endswith`: wildcards around the value.
    pub wrap: Option<Wrap>,
    /// `all`: the values' list is AND, not OR.
    pub all: bool,
    pub cased: bool,
    /// `re`, with the flags of `|i`, `|m`, `|s`.
    pub re: Option<String>,
    pub cidr: bool,
    pub exists: bool,
    pub fieldref: bool,
    /// `gt`, `gte`, `lt`, `lte` as kaq's operator.
    pub compare: Option<&'static str>,
    /// `base64` or `base64offset`, applied before `wrap`.
    pub encode: Option<Encode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encode {
    Base64,
    Base64Offset,
}

/// Modifiers kaq knows of but does not run, and why.
const REFUSED: &[(&str, &str)] = &[
    (
        "expand",
        "placeholders (`%name%`) need a pipeline that fills them in",
    ),
    ("windash", "it is for Windows command lines"),
    ("wide", "UTF-16 encodings are for Windows logs"),
    ("utf16", "UTF-16 encodings are for Windows logs"),
    ("utf16le", "UTF-16 encodings are for Windows logs"),
    ("utf16be", "UTF-16 encodings are for Windows logs"),
    ("minute", "time-part modifiers are not supported"),
    ("hour", "time-part modifiers are not supported"),
    ("day", "time-part modifiers are not supported"),
    ("week", "time-part modifiers are not supported"),
    ("month", "time-part modifiers are not supported"),
    ("year", "time-part modifiers are not supported"),
];

impl Modifiers {
    /// Parses `contains|all` (the part of the key after the field name).
    pub fn parse(names: &[&str]) -> Result<Modifiers, String> {
        let mut m = Modifiers::default();
        let mut in_re = false;
        for &name in names {
            let set_wrap = |m: &mut Modifiers, w| {
                if m.wrap.is_some() {
                    return Err(format!(
                        "modifier `{name}`: only one of contains, startswith and endswith applies"
                    ));
                }
                m.wrap = Some(w);
                Ok(())
            };
            match name {
                "contains" => set_wrap(&mut m, Wrap::Contains)?,
                "startswith" => set_wrap(&mut m, Wrap::StartsWith)?,
                "endswith" => set_wrap(&mut m, Wrap::EndsWith)?,
                "all" => m.all = true,
                "cased" => m.cased = true,
                "re" => {
                    m.re = Some(String::new());
                    in_re = true;
                }
                "i" | "m" | "s" if in_re => {
                    let flags = m.re.get_or_insert_with(String::new);
                    if !flags.contains(name) {
                        flags.push_str(name);
                    }
                }
                "i" | "m" | "s" => {
                    return Err(format!("modifier `{name}` only follows `re`"));
                }
                "cidr" => m.cidr = true,
                "exists" => m.exists = true,
                "fieldref" => m.fieldref = true,
                "gt" => m.compare = Some(">"),
                "gte" => m.compare = Some(">="),
                "lt" => m.compare = Some("<"),
                "lte" => m.compare = Some("<="),
                "base64" => m.encode = Some(Encode::Base64),
                "base64offset" => m.encode = Some(Encode::Base64Offset),
                other => {
                    return Err(match REFUSED.iter().find(|(n, _)| *n == other) {
                        Some((_, why)) => format!("modifier `{other}` is not supported: {why}"),
                        None => format!("unknown modifier `{other}`"),
                    })
                }
            }
        }
        let exclusive = [
            m.re.is_some(),
            m.cidr,
            m.exists,
            m.fieldref && m.wrap.is_none(),
            m.compare.is_some(),
        ];
        if exclusive.iter().filter(|&&b| b).count() > 1
            || (m.wrap.is_some() && (m.re.is_some() || m.cidr || m.exists || m.compare.is_some()))
        {
            return Err(format!(
                "the modifiers `{}` do not combine",
                names.join("|")
            ));
        }
        if m.fieldref && m.wrap.is_some() {
            return Err(
                "modifier `fieldref` with contains/startswith/endswith is not supported".into(),
            );
        }
        if m.encode.is_some()
            && (m.re.is_some() || m.cidr || m.exists || m.fieldref || m.compare.is_some())
        {
            return Err(format!(
                "the modifiers `{}` do not combine",
                names.join("|")
            ));
        }
        Ok(m)
    }
}

/// `base64`: the value's standard base64 encoding.
pub fn base64(value: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
}

/// `base64offset`: the three encodings of the value at each offset inside a
/// longer base64 text, with the characters that depend on its neighbours cut
/// off (as pySigma's `SigmaBase64OffsetModifier` computes them).
pub fn base64_offsets(value: &str) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    // None: to the end; Some(n): n characters cut from the end.
    const END: [usize; 3] = [0, 3, 2];
    let bytes = value.as_bytes();
    (0..3)
        .map(|i| {
            let mut buf = vec![b' '; i];
            buf.extend_from_slice(bytes);
            let enc = base64::engine::general_purpose::STANDARD.encode(&buf);
            let cut = END[(bytes.len() + i) % 3];
            let end = enc.len().saturating_sub(cut);
            enc.get(START[i]..end).unwrap_or_default().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> regex::Regex {
        regex::Regex::new(&Pattern::parse(p).regex(false)).unwrap()
    }

    #[test]
    fn wildcards_and_escapes() {
        assert!(re("a*c").is_match("ABBBC"));
        assert!(re("a?c").is_match("abc"));
        assert!(!re("a?c").is_match("ac"));
        assert!(re(r"a\*c").is_match("a*c"));
        assert!(!re(r"a\*c").is_match("abc"));
        assert!(re(r"a\?").is_match("a?"));
        assert!(!re(r"a\?").is_match("ab"));
        assert!(re(r"C:\Windows").is_match(r"c:\windows"));
        assert!(re(r"a\\*").is_match(r"a\bc"));
        assert!(re("x.y+(z)").is_match("X.Y+(Z)"));
        assert!(!re("x.y").is_match("xzy"));
        assert!(re("*").is_match("multi\nline"));
        assert_eq!(Pattern::parse(r"a\*b").plain().as_deref(), Some("a*b"));
        assert!(Pattern::parse("a*").plain().is_none());
        assert!(Pattern::parse("**").is_match_all());
        let cased = regex::Regex::new(&Pattern::parse("Ab").regex(true)).unwrap();
        assert!(cased.is_match("Ab") && !cased.is_match("ab"));
    }

    #[test]
    fn wrapping() {
        let p = Pattern::parse("bin").wrap(true, true);
        let r = regex::Regex::new(&p.regex(false)).unwrap();
        assert!(r.is_match("/usr/BIN/sh") && !r.is_match("bi"));
        assert_eq!(Pattern::parse("*a*").wrap(true, true).0.len(), 3);
    }

    #[test]
    fn modifiers_parse_and_refuse() {
        let m = Modifiers::parse(&["contains", "all"]).unwrap();
        assert_eq!(m.wrap, Some(Wrap::Contains));
        assert!(m.all);
        assert_eq!(
            Modifiers::parse(&["re", "i", "s"]).unwrap().re.as_deref(),
            Some("is")
        );
        assert!(Modifiers::parse(&["i"])
            .unwrap_err()
            .contains("only follows `re`"));
        assert!(Modifiers::parse(&["expand"])
            .unwrap_err()
            .contains("placeholders"));
        assert!(Modifiers::parse(&["contain"])
            .unwrap_err()
            .contains("unknown modifier `contain`"));
        assert!(Modifiers::parse(&["re", "contains"]).is_err());
        assert!(Modifiers::parse(&["contains", "startswith"]).is_err());
        assert!(Modifiers::parse(&["fieldref", "contains"]).is_err());
    }

    #[test]
    fn base64_encodings() {
        assert_eq!(base64("kaq"), "a2Fx");
        // The specification's example: `/bin/bash` at offsets 0, 1, 2.
        let offs = base64_offsets("/bin/bash");
        assert_eq!(offs, ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]);
        // Each is found inside an encoding with the value at that offset.
        for (i, o) in offs.iter().enumerate() {
            let text = base64(&format!("{}/bin/bash and more", "x".repeat(i)));
            assert!(text.contains(o.as_str()), "{i}: {o} in {text}");
        }
    }
}
