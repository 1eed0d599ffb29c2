//! The `audit.k8s.io/v1` Policy as written: parsing (YAML or JSON, which is
//! YAML), and the API server's validation rules, each problem with its line.
//!
//! serde-saphyr reads the YAML: it is maintained (serde_yaml is deprecated),
//! pure Rust, already what detection rules files use, and `Spanned` gives
//! the line of every rule and list entry for messages.

use std::fmt;

use serde::Deserialize;
use serde_saphyr::Spanned;

/// How much of a request the API server records; ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Level {
    None,
    Metadata,
    Request,
    RequestResponse,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::None,
        Level::Metadata,
        Level::Request,
        Level::RequestResponse,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }

    /// The level an event says it was logged at.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == s)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A point in a request's life at which an event is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Stage {
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::RequestReceived,
        Stage::ResponseStarted,
        Stage::ResponseComplete,
        Stage::Panic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::RequestReceived => "RequestReceived",
            Stage::ResponseStarted => "ResponseStarted",
            Stage::ResponseComplete => "ResponseComplete",
            Stage::Panic => "Panic",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// A Policy document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicySpec {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub metadata: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    pub omit_stages: Vec<Stage>,
    #[serde(default)]
    pub omit_managed_fields: bool,
}

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSpec {
    pub level: Level,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub user_groups: Vec<String>,
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub resources: Vec<GroupResources>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default, rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
    #[serde(default)]
    pub omit_stages: Vec<Stage>,
    #[serde(default)]
    pub omit_managed_fields: Option<bool>,
}

/// Resources of one API group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupResources {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub resource_names: Vec<String>,
}

/// A problem with a policy file, at a line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub line: Option<u64>,
    pub message: String,
}

/// Why a policy file cannot be used.
#[derive(Debug)]
pub struct PolicyError {
    pub origin: String,
    pub issues: Vec<Issue>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match issue.line {
                Some(line) => write!(f, "{}:{line}: {}", self.origin, issue.message)?,
                None => write!(f, "{}: {}", self.origin, issue.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// Parses a policy; `origin` names it in errors. Fails on what the API
/// server would refuse to load (see [`validate`]).
pub fn parse(text: &str, origin: &str) -> Result<PolicySpec, PolicyError> {
    let spec: PolicySpec = serde_saphyr::from_str(text).map_err(|e| PolicyError {
        origin: origin.to_string(),
        issues: vec![Issue {
            line: None,
            message: e.to_string().replace("<input>", origin),
        }],
    })?;
    let issues = validate(&spec);
    if issues.is_empty() {
        Ok(spec)
    } else {
        Err(PolicyError {
            origin: origin.to_string(),
            issues,
        })
    }
}

/// The API server's checks (`pkg/apis/audit/validation`), each problem with
/// the line of its rule.
pub fn validate(spec: &PolicySpec) -> Vec<Issue> {
    let mut issues = Vec::new();
    if let Some(kind) = spec.kind.as_deref().filter(|k| *k != "Policy") {
        issues.push(Issue {
            line: None,
            message: format!("kind is {kind:?}; an audit policy has kind: Policy"),
        });
    }
    if let Some(v) = spec
        .api_version
        .as_deref()
        .filter(|v| !v.starts_with("audit.k8s.io/"))
    {
        issues.push(Issue {
            line: None,
            message: format!("apiVersion is {v:?}; expected audit.k8s.io/v1"),
        });
    }
    if spec.rules.is_empty() {
        issues.push(Issue {
            line: None,
            message: "the policy has no rules (the API server refuses to load it)".into(),
        });
    }
    for (i, rule) in spec.rules.iter().enumerate() {
        let line = Some(rule.referenced.line());
        let mut bad = |message: String| {
            issues.push(Issue {
                line,
                message: format!("rule {}: {message}", i + 1),
            })
        };
        let r = &rule.value;
        if !r.non_resource_urls.is_empty() && (!r.resources.is_empty() || !r.namespaces.is_empty())
        {
            bad("nonResourceURLs cannot be combined with resources or namespaces".into());
        }
        for url in &r.non_resource_urls {
            let star = url.find('*');
            if url != "*" && !url.starts_with('/') {
                bad(format!("nonResourceURL {url:?} must start with /"));
            } else if star.is_some_and(|at| at != url.len() - 1) {
                bad(format!(
                    "nonResourceURL {url:?}: `*` is allowed only as the last character"
                ));
            }
        }
        for gr in &r.resources {
            if !gr.group.is_empty() && gr.group != "*" && !is_dns_subdomain(&gr.group) {
                bad(format!(
                    "group {:?} is not a DNS subdomain (use \"\" for the core group)",
                    gr.group
                ));
            }
            if !gr.resource_names.is_empty() && gr.resources.is_empty() {
                bad("resourceNames needs resources".into());
            }
        }
    }
    issues
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yaml_and_json() {
        let p = parse(
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [pods]\n",
            "p.yaml",
        )
        .unwrap();
        assert_eq!(p.rules.len(), 1);
        assert_eq!(p.rules[0].referenced.line(), 5);
        let j = parse(
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","users":["a"]}]}"#,
            "p.json",
        )
        .unwrap();
        assert_eq!(j.rules[0].value.level, Level::None);
    }

    #[test]
    fn refuses_what_the_api_server_refuses() {
        let err = |text: &str| parse(text, "p.yaml").unwrap_err().to_string();
        assert!(err("rules: []\n").contains("no rules"));
        assert!(err("rules:\n- level: Loud\n").contains("Loud"));
        assert!(err("rules:\n- level: None\n  userz: [a]\n").contains("userz"));
        let e = err("rules:\n- level: None\n- level: Metadata\n  nonResourceURLs: [/a]\n  namespaces: [x]\n");
        assert!(
            e.starts_with("p.yaml:3: rule 2: nonResourceURLs cannot"),
            "{e}"
        );
        assert!(
            err("rules:\n- level: None\n  nonResourceURLs: [healthz]\n").contains("start with /")
        );
        assert!(
            err("rules:\n- level: None\n  nonResourceURLs: [/a*b]\n").contains("last character")
        );
        assert!(err("rules:\n- level: None\n  resources: [{group: Apps}]\n").contains("DNS"));
        assert!(
            err("rules:\n- level: None\n  resources: [{resourceNames: [x]}]\n")
                .contains("resourceNames needs resources")
        );
        assert!(err("rules:\n- level: None\n  omitStages: [Done]\n").contains("Done"));
        assert!(err("kind: Pod\nrules:\n- level: None\n").contains("kind: Policy"));
    }
}
