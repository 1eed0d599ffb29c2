//! What kaq knows about audit Event fields: their types, the aliases people
//! type, and near-miss suggestions.
//!
//! The schema is `audit.k8s.io/v1` (plus v1beta1's `timestamp` and
//! `metadata`). Free-form parts (`requestObject`, `responseObject`,
//! `annotations`, `user.extra`, ...) accept any path below them.

use crate::event::{Path, Segment};

/// The type a field path is known to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    /// An RFC 3339 timestamp: compared as an instant.
    Time,
    /// A span of time in seconds (computed `latency`): compared with
    /// durations such as `5s` or numbers of seconds.
    Duration,
    /// An array of strings (`user.groups`, `sourceIPs`): comparisons hold if
    /// any element satisfies them.
    Strings,
    /// A map with string values (`annotations`).
    StringMap,
    /// A map with string-array values (`user.extra`).
    StringsMap,
    /// An object with known members.
    Object(&'static [(&'static str, Type)]),
    /// Free-form JSON: no checks.
    Any,
}

impl Type {
    pub fn describe(self) -> &'static str {
        match self {
            Type::String => "a string",
            Type::Number => "a number",
            Type::Time => "a timestamp",
            Type::Duration => "a duration",
            Type::Strings => "a list of strings",
            Type::StringMap | Type::StringsMap => "a map",
            Type::Object(_) => "an object",
            Type::Any => "any JSON value",
        }
    }
}

const USER_INFO: &[(&str, Type)] = &[
    ("username", Type::String),
    ("uid", Type::String),
    ("groups", Type::Strings),
    ("extra", Type::StringsMap),
];

const OBJECT_REF: &[(&str, Type)] = &[
    ("resource", Type::String),
    ("namespace", Type::String),
    ("name", Type::String),
    ("uid", Type::String),
    ("apiGroup", Type::String),
    ("apiVersion", Type::String),
    ("resourceVersion", Type::String),
    ("subresource", Type::String),
];

const STATUS: &[(&str, Type)] = &[
    ("code", Type::Number),
    ("status", Type::String),
    ("reason", Type::String),
    ("message", Type::String),
    ("kind", Type::String),
    ("apiVersion", Type::String),
    ("metadata", Type::Any),
    ("details", Type::Any),
];

const AUTHN_METADATA: &[(&str, Type)] = &[("impersonationConstraint", Type::String)];

/// The top-level fields of an audit Event.
pub const EVENT: &[(&str, Type)] = &[
    ("kind", Type::String),
    ("apiVersion", Type::String),
    ("level", Type::String),
    ("auditID", Type::String),
    ("stage", Type::String),
    ("requestURI", Type::String),
    ("verb", Type::String),
    ("user", Type::Object(USER_INFO)),
    ("impersonatedUser", Type::Object(USER_INFO)),
    ("authenticationMetadata", Type::Object(AUTHN_METADATA)),
    ("sourceIPs", Type::Strings),
    ("userAgent", Type::String),
    ("objectRef", Type::Object(OBJECT_REF)),
    ("responseStatus", Type::Object(STATUS)),
    ("requestObject", Type::Any),
    ("responseObject", Type::Any),
    ("requestReceivedTimestamp", Type::Time),
    ("stageTimestamp", Type::Time),
    ("annotations", Type::StringMap),
    // audit.k8s.io/v1beta1 only.
    ("timestamp", Type::Time),
    ("metadata", Type::Any),
    // Computed by kaq (src/event/computed.rs).
    ("latency", Type::Duration),
    ("exec", Type::Object(EXEC)),
    ("actor", Type::String),
    ("impersonator", Type::String),
    ("format", Type::String),
    ("pod", Type::Object(POD)),
    ("raw", Type::String),
];

const POD: &[(&str, Type)] = &[
    ("spec", Type::Any),
    ("containers", Type::Any),
    ("volumes", Type::Any),
];

const EXEC: &[(&str, Type)] = &[("command", Type::String)];

/// Short names people type, and the path each stands for.
pub const ALIASES: &[(&str, &[&str])] = &[
    ("user", &["user", "username"]),
    ("username", &["user", "username"]),
    ("groups", &["user", "groups"]),
    ("as", &["impersonatedUser", "username"]),
    ("resource", &["objectRef", "resource"]),
    ("subresource", &["objectRef", "subresource"]),
    ("namespace", &["objectRef", "namespace"]),
    ("ns", &["objectRef", "namespace"]),
    ("name", &["objectRef", "name"]),
    ("apiGroup", &["objectRef", "apiGroup"]),
    ("code", &["responseStatus", "code"]),
    ("ip", &["sourceIPs"]),
    ("time", &["stageTimestamp"]),
    ("uri", &["requestURI"]),
    (
        "decision",
        &["annotations", "authorization.k8s.io/decision"],
    ),
    ("reason", &["annotations", "authorization.k8s.io/reason"]),
];

/// The path an alias stands for, if `name` is one.
pub fn alias(name: &str) -> Option<Path> {
    ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map(|(_, p)| Path::keys(p))
}

/// The closest of `candidates` to `name`, if close enough to suggest.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.to_ascii_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
            };
            (c, score)
        })
        .filter(|(_, s)| *s >= 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// The error for an unknown field: what was not found and a suggestion.
#[derive(Debug)]
pub struct UnknownField {
    /// How many segments of the path were valid before the unknown one.
    pub at: usize,
    pub message: String,
    pub suggestion: Option<String>,
}

/// Resolves an absolute path (alias already applied) to its type, or says
/// which segment is unknown.
pub fn type_of(path: &Path) -> Result<Type, UnknownField> {
    let mut ty = Type::Object(EVENT);
    let mut prefix = String::new();
    for (i, seg) in path.segments.iter().enumerate() {
        ty = match (ty, seg) {
            (Type::Any, _) => return Ok(Type::Any),
            (Type::Object(members), Segment::Key(k)) => {
                match members.iter().find(|(n, _)| n == k) {
                    Some((_, t)) => *t,
                    None => {
                        let names = members.iter().map(|(n, _)| *n);
                        let suggestion = if i == 0 {
                            suggest(k, names.chain(ALIASES.iter().map(|(a, _)| *a)))
                                .map(str::to_string)
                        } else {
                            suggest(k, names).map(|n| format!("{prefix}.{n}"))
                        };
                        let message = if i == 0 {
                            format!("unknown field `{k}`")
                        } else {
                            format!("`{prefix}` has no field `{k}`")
                        };
                        return Err(UnknownField {
                            at: i,
                            message,
                            suggestion,
                        });
                    }
                }
            }
            (Type::StringMap, Segment::Key(_) | Segment::Wildcard) => Type::String,
            (Type::StringsMap, Segment::Key(_) | Segment::Wildcard) => Type::Strings,
            (Type::Strings, Segment::Index(_) | Segment::Wildcard) => Type::String,
            (t, seg) => {
                let what = match seg {
                    Segment::Key(k) => format!("field `{k}`"),
                    Segment::Index(n) => format!("index [{n}]"),
                    Segment::Wildcard => "[*]".to_string(),
                };
                return Err(UnknownField {
                    at: i,
                    message: format!("`{prefix}` is {} and has no {what}", t.describe()),
                    suggestion: None,
                });
            }
        };
        if let Segment::Key(k) = seg {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(k);
        }
    }
    Ok(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_of_known_paths() {
        assert_eq!(type_of(&Path::keys(&["verb"])).unwrap(), Type::String);
        assert_eq!(
            type_of(&Path::keys(&["responseStatus", "code"])).unwrap(),
            Type::Number
        );
        assert_eq!(
            type_of(&Path::keys(&["stageTimestamp"])).unwrap(),
            Type::Time
        );
        assert_eq!(
            type_of(&Path::keys(&[
                "annotations",
                "authorization.k8s.io/decision"
            ]))
            .unwrap(),
            Type::String
        );
        assert_eq!(
            type_of(&Path::keys(&["requestObject", "spec", "anything"])).unwrap(),
            Type::Any
        );
        assert_eq!(
            type_of(&Path::keys(&["user", "extra", "arn"])).unwrap(),
            Type::Strings
        );
    }

    #[test]
    fn unknown_fields_get_suggestions() {
        let e = type_of(&Path::keys(&["objectRef", "resorce"])).unwrap_err();
        assert_eq!(e.message, "`objectRef` has no field `resorce`");
        assert_eq!(e.suggestion.as_deref(), Some("objectRef.resource"));
        let e = type_of(&Path::keys(&["verbb"])).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("verb"));
        let e = type_of(&Path::keys(&["sourceIps"])).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("sourceIPs"));
        let e = type_of(&Path::keys(&["namespce"])).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("namespace"));
        assert!(type_of(&Path::keys(&["zzzz"]))
            .unwrap_err()
            .suggestion
            .is_none());
        let e = type_of(&Path::keys(&["verb", "x"])).unwrap_err();
        assert_eq!(e.message, "`verb` is a string and has no field `x`");
    }
}
