//! Field paths into an event: `objectRef.resource`,
//! `annotations["authorization.k8s.io/decision"]`,
//! `requestObject.spec.containers[*].securityContext.privileged`.
//!
//! A path is plain data shared by the filter language, the printers and (later)
//! the query compilers for other engines; resolving it against bytes lives in
//! [`super::Event`].

use std::fmt;

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// `.name` or `["name"]`: an object member.
    Key(String),
    /// `[3]`: an array element.
    Index(usize),
    /// `[*]`: every element of an array (or every member value of an object).
    Wildcard,
}

/// A sequence of [`Segment`]s from the event root (or, inside `any(...)`, from
/// the element being tested).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Path {
    pub segments: Vec<Segment>,
}

impl Path {
    /// A path of plain keys, e.g. `Path::keys(&["objectRef", "resource"])`.
    pub fn keys(keys: &[&str]) -> Path {
        Path {
            segments: keys.iter().map(|k| Segment::Key(k.to_string())).collect(),
        }
    }

    /// The first key, if the path starts with one.
    pub fn head(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// True when the path is exactly these keys.
    pub fn is(&self, keys: &[&str]) -> bool {
        self.segments.len() == keys.len()
            && self
                .segments
                .iter()
                .zip(keys)
                .all(|(s, k)| matches!(s, Segment::Key(x) if x == k))
    }

    /// True when the path can yield more than one value by itself.
    pub fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Wildcard)
    }
}

/// Is `key` printable as a bare identifier after a dot?
fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Path {
    /// The canonical spelling, which the filter parser reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", serde_json::Value::from(k.as_str()))?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Wildcard => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_canonically_and_reads_back() {
        for text in [
            r#"annotations["authorization.k8s.io/decision"]"#,
            "requestObject.spec.containers[*].image[0]",
            r#"user.extra["iam.gke.io/user-assertion"][*]"#,
        ] {
            let p = crate::filter::parser::parse_path(text).unwrap();
            assert_eq!(p.to_string(), text);
        }
        let p = crate::filter::parser::parse_path("requestObject.spec.containers[*]").unwrap();
        assert!(p.has_wildcard());
        assert_eq!(p.segments[3], Segment::Wildcard);
        assert!(Path::keys(&["objectRef", "name"]).is(&["objectRef", "name"]));
    }
}
