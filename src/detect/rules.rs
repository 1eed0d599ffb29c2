//! Detection rules as data: the YAML format, its checks, and compiling a
//! rule into what the workers evaluate.
//!
//! A rules file (the built-in catalogue is one, embedded in the binary):
//!
//! ```yaml
//! rules:
//!   - id: privileged-container          # what --only/--skip name
//!     title: Privileged container
//!     severity: high                    # info, low, medium, high, critical
//!     mitre: T1611                      # ATT&CK technique (optional)
//!     description: Why this matters, what to check next.
//!     filter: >                         # kaq's filter language
//!       verb in ["create", "update", "patch"] and resource == "pods" and
//!       any(pod.containers[*], securityContext.privileged == true)
//!     threshold: count >= 10 by ip within 30m     # optional: bursts
//!     allow:                            # exemptions (optional)
//!       users: ["system:serviceaccount:kube-system:*"]   # globs
//!       namespaces: [kube-system]       # globs; a namespace's own name too
//!       images: [registry.k8s.io/kube-proxy]  # every container must match
//!       cidrs: [10.0.0.0/8]             # any source IP inside
//!     enabled: false                    # off unless --only or `enable:`
//! allow:                                # extend any rule's allow-lists
//!   privileged-container:
//!     images: [myregistry.example/node-agent]
//! enable: [disallowed-user]             # turn on rules that are off
//! disable: [object-created]             # turn rules off
//! ```
//!
//! An allow-list entry never edits the rule's filter: it is compiled into an
//! `and not (...)` beside it, so users extend exemptions from their own file.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::event::Path;
use crate::filter::ast::Expr;
use crate::filter::eval::glob_regex;
use crate::filter::{field_path, parse_filter, Matcher};
use crate::time::{format_duration, parse_duration, Micros};

/// How serious a finding is; ordered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, least first; `ALL[s as usize] == s`.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rules file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Allow-list additions, by rule id.
    #[serde(default)]
    pub allow: BTreeMap<String, AllowSpec>,
    #[serde(default)]
    pub enable: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
}

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub mitre: Option<String>,
    #[serde(default)]
    pub description: String,
    pub filter: String,
    #[serde(default)]
    pub threshold: Option<String>,
    #[serde(default)]
    pub allow: AllowSpec,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// Exemptions: a finding is dropped when any one of these matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// Globs over `user.username` (the authenticated user).
    #[serde(default)]
    pub users: Vec<String>,
    /// Globs over the namespace the request touches (`objectRef.namespace`,
    /// or the name of a Namespace object).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Images (`nginx`, `registry.k8s.io/kube-proxy`, globs with `*` and
    /// `?`); a tag
    /// or digest after the name is ignored. Exempt when every container of
    /// the pod spec matches one.
    #[serde(default)]
    pub images: Vec<String>,
    /// CIDR blocks; exempt when a source IP is inside one.
    #[serde(default)]
    pub cidrs: Vec<String>,
}

impl AllowSpec {
    pub fn extend(&mut self, more: &AllowSpec) {
        self.users.extend(more.users.iter().cloned());
        self.namespaces.extend(more.namespaces.iter().cloned());
        self.images.extend(more.images.iter().cloned());
        self.cidrs.extend(more.cidrs.iter().cloned());
    }

    fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.namespaces.is_empty()
            && self.images.is_empty()
            && self.cidrs.is_empty()
    }

    /// The exemptions as filter text: `(a or b or ...)`; `None` when empty.
    fn as_filter(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let q = |s: &str| serde_json::Value::from(s).to_string();
        let mut any = Vec::new();
        for u in &self.users {
            any.push(format!("user.username ~ {}", q(u)));
        }
        for n in &self.namespaces {
            any.push(format!(
                "objectRef.namespace ~ {0} or (objectRef.resource == \"namespaces\" and objectRef.name ~ {0})",
                q(n)
            ));
        }
        if !self.images.is_empty() {
            let alternatives: Vec<String> = self.images.iter().map(|i| glob_regex(i)).collect();
            let re = format!("^(?:{})(?::[^/@]*)?(?:@.*)?$", alternatives.join("|"));
            any.push(format!(
                "(exists(pod.containers) and all(pod.containers[*], image =~ {}))",
                q(&re)
            ));
        }
        if !self.cidrs.is_empty() {
            let list: Vec<String> = self.cidrs.iter().map(|c| q(c)).collect();
            any.push(format!("sourceIPs within [{}]", list.join(", ")));
        }
        Some(format!("({})", any.join(" or ")))
    }
}

/// `count >= N by KEYS within WINDOW`, or `distinct FIELD >= N by KEYS
/// within WINDOW` (N different values of FIELD).
#[derive(Debug, Clone)]
pub struct Threshold {
    /// `Some(field)` for `distinct FIELD`; `None` for `count`.
    pub distinct: Option<(String, Path)>,
    pub at_least: usize,
    pub by: Vec<(String, Path)>,
    pub within: Micros,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let expected = "expected `count >= N by FIELD within DURATION` or `distinct FIELD >= N by FIELD within DURATION`";
        let words: Vec<&str> = text.split_whitespace().collect();
        let (distinct, rest) = match words.as_slice() {
            ["count", rest @ ..] => (None, rest),
            ["distinct", field, rest @ ..] => {
                let path = field_path(field)?;
                (Some((field.to_string(), path)), rest)
            }
            _ => return Err(expected.to_string()),
        };
        let [">=", n, "by", keys @ .., "within", window] = rest else {
            return Err(expected.to_string());
        };
        let at_least: usize = n
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| format!("{n:?} is not a count (a whole number from 1)"))?;
        let keys = keys.join(" ");
        let by = keys
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| field_path(k).map(|p| (k.to_string(), p)))
            .collect::<Result<Vec<_>, _>>()?;
        if by.is_empty() {
            return Err(expected.to_string());
        }
        let within = parse_duration(window)
            .filter(|&us| us > 0)
            .ok_or_else(|| format!("{window:?} is not a duration such as 10s, 5m or 1h"))?;
        Ok(Threshold {
            distinct,
            at_least,
            by,
            within,
        })
    }

    /// `10 requests by ip within 30m`, for listings.
    pub fn describe(&self) -> String {
        let keys: Vec<&str> = self.by.iter().map(|(n, _)| n.as_str()).collect();
        match &self.distinct {
            Some((f, _)) => format!(
                "≥{} distinct {f} by {} within {}",
                self.at_least,
                keys.join(","),
                format_duration(self.within)
            ),
            None => format!(
                "≥{} by {} within {}",
                self.at_least,
                keys.join(","),
                format_duration(self.within)
            ),
        }
    }
}

/// A checked, compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub mitre: Option<String>,
    pub description: String,
    /// The filter as written (for `--list`).
    pub filter_text: String,
    /// The filter and the allow-list exemptions, checked: what the matcher
    /// was compiled from, and what the converters translate.
    pub filter: Expr,
    /// The filter and the allow-list exemptions.
    pub matcher: Matcher,
    pub threshold: Option<Threshold>,
    pub enabled: bool,
    /// Where the rule came from (`built-in` or a file name).
    pub origin: String,
    /// Who wrote it, for rules whose licence asks findings to say so (Sigma
    /// rules under DRL 1.1); `None` for kaq's own.
    pub author: Option<String>,
}

/// Why a rule cannot be used.
#[derive(Debug)]
pub struct RuleError {
    pub origin: String,
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(id) => write!(f, "{}: rule {id}: {}", self.origin, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

/// Parses a rules file's text; `origin` names it in errors.
pub fn parse_file(text: &str, origin: &str) -> Result<RuleFile, RuleError> {
    serde_saphyr::from_str::<RuleFile>(text).map_err(|e| RuleError {
        origin: origin.to_string(),
        rule: None,
        // The snippet's source label is the parser's; name the file.
        message: e.to_string().replace("<input>", origin),
    })
}

impl RuleSpec {
    /// Checks and compiles the rule, with extra exemptions from other files.
    pub fn compile(&self, more: Option<&AllowSpec>, origin: &str) -> Result<Rule, RuleError> {
        let err = |message: String| RuleError {
            origin: origin.to_string(),
            rule: Some(self.id.clone()),
            message,
        };
        if !is_id(&self.id) {
            return Err(err(
                "an id is lowercase letters, digits and dashes (privileged-container)".into(),
            ));
        }
        let filter = parse_filter(&self.filter).map_err(|e| {
            err(format!(
                "filter: {}",
                e.render(&self.filter).replace('\n', "\n  ")
            ))
        })?;
        let mut allow = self.allow.clone();
        if let Some(more) = more {
            allow.extend(more);
        }
        let full = match allow.as_filter() {
            Some(text) => {
                let exempt = parse_filter(&text).map_err(|e| {
                    err(format!("allow: {}", e.render(&text).replace('\n', "\n  ")))
                })?;
                filter.and(Expr::Not(Box::new(exempt)))
            }
            None => filter,
        };
        let matcher = Matcher::compile(&full).map_err(|e| err(e.message))?;
        let threshold = match &self.threshold {
            Some(t) => Some(Threshold::parse(t).map_err(|m| err(format!("threshold: {m}")))?),
            None => None,
        };
        Ok(Rule {
            id: self.id.clone(),
            title: self.title.clone(),
            severity: self.severity,
            mitre: self.mitre.clone(),
            description: self.description.trim().to_string(),
            filter_text: self.filter.trim().to_string(),
            filter: full,
            matcher,
            threshold,
            enabled: self.enabled,
            origin: origin.to_string(),
            author: None,
        })
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse() {
        let t = Threshold::parse("count >= 10 by ip within 30m").unwrap();
        assert_eq!(t.at_least, 10);
        assert_eq!(t.within, 30 * 60 * 1_000_000);
        assert_eq!(t.by[0].0, "ip");
        assert!(t.distinct.is_none());
        let t = Threshold::parse("distinct objectRef.name >= 15 by user, ip within 30m").unwrap();
        assert_eq!(t.distinct.as_ref().unwrap().0, "objectRef.name");
        assert_eq!(t.by.len(), 2);
        assert!(Threshold::parse("count > 3 by ip within 1m").is_err());
        assert!(Threshold::parse("count >= 0 by ip within 1m")
            .unwrap_err()
            .contains("not a count"));
        assert!(Threshold::parse("count >= 3 by nosuch within 1m")
            .unwrap_err()
            .contains("unknown field"));
        assert!(Threshold::parse("count >= 3 by ip within soon")
            .unwrap_err()
            .contains("not a duration"));
    }

    #[test]
    fn rule_files_report_what_is_wrong() {
        let e = parse_file("rules:\n  - id: x\n    titel: X\n", "mine.yaml").unwrap_err();
        assert!(e.to_string().starts_with("mine.yaml: "), "{e}");
        assert!(e.to_string().contains("titel"), "{e}");
        let file = parse_file(
            "rules:\n  - id: x\n    title: X\n    severity: low\n    filter: verb == 3\n",
            "mine.yaml",
        )
        .unwrap();
        let e = file.rules[0].compile(None, "mine.yaml").unwrap_err();
        assert!(
            e.to_string().starts_with("mine.yaml: rule x: filter:"),
            "{e}"
        );
        let file = parse_file(
            "rules:\n  - id: Bad_Id\n    title: X\n    severity: low\n    filter: 'true'\n",
            "f",
        )
        .unwrap();
        assert!(file.rules[0].compile(None, "f").is_err());
    }

    #[test]
    fn allow_lists_exempt() {
        let spec = AllowSpec {
            users: vec!["system:*".into()],
            namespaces: vec!["kube-system".into()],
            images: vec!["nginx".into(), "registry.k8s.io/*".into()],
            cidrs: vec!["10.0.0.0/8".into()],
        };
        let text = spec.as_filter().unwrap();
        assert!(parse_filter(&text).is_ok(), "{text}");
        let re = regex::Regex::new(&format!(
            "^(?:{})(?::[^/@]*)?(?:@.*)?$",
            ["nginx", "registry.k8s.io/*"]
                .iter()
                .map(|i| glob_regex(i))
                .collect::<Vec<_>>()
                .join("|")
        ))
        .unwrap();
        for yes in [
            "nginx",
            "nginx:1.25",
            "nginx@sha256:ab",
            "registry.k8s.io/kube-proxy:v1.29",
        ] {
            assert!(re.is_match(yes), "{yes}");
        }
        for no in ["nginx2", "evil/nginx", "docker.io/library/nginxx:1"] {
            assert!(!re.is_match(no), "{no}");
        }
    }
}
