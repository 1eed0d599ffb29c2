//! One Sigma rule document: its metadata, its logsource, and its detection
//! compiled into kaq filter text.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{condition, detection};
use crate::detect::Severity;

/// What a finding shows of a Sigma rule.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The rule's kaq id: the Sigma `id`, else its `name`, else the file
    /// name, lowercased, `_` as `-`.
    pub id: String,
    /// The Sigma `id` and `name`, which correlation rules refer to.
    pub refs: Vec<String>,
    pub title: String,
    pub severity: Severity,
    pub mitre: Option<String>,
    pub author: Option<String>,
    pub description: String,
}

fn text(doc: &Map<String, Value>, key: &str) -> Option<String> {
    match doc.get(key)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Null => None,
        v => Some(v.to_string()),
    }
}

/// Reads the metadata; `fallback_id` is the file's stem.
pub fn meta(doc: &Map<String, Value>, fallback_id: &str) -> Result<Meta, String> {
    let sigma_id = text(doc, "id");
    let name = text(doc, "name");
    let raw = sigma_id
        .clone()
        .or_else(|| name.clone())
        .unwrap_or_else(|| fallback_id.to_string());
    let id: String = raw
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let severity = match text(doc, "level").as_deref() {
        Some("informational") => Severity::Info,
        Some("low") => Severity::Low,
        Some("medium") | None => Severity::Medium,
        Some("high") => Severity::High,
        Some("critical") => Severity::Critical,
        Some(other) => {
            return Err(format!(
                "level `{other}` is not a Sigma level (informational, low, medium, high, critical)"
            ))
        }
    };
    let tags: Vec<String> = match doc.get("tags") {
        Some(Value::Array(xs)) => xs
            .iter()
            .filter_map(|t| t.as_str().map(str::to_lowercase))
            .collect(),
        _ => Vec::new(),
    };
    // `attack.t1552.007` → `T1552.007`; tactics (`attack.credential-access`)
    // and groups (`attack.g0032`) are not techniques.
    let techniques: Vec<String> = tags
        .iter()
        .filter_map(|t| t.strip_prefix("attack.t"))
        .filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|t| format!("T{}", t.to_uppercase()))
        .collect();
    Ok(Meta {
        id,
        refs: sigma_id.into_iter().chain(name).collect(),
        title: text(doc, "title").unwrap_or_else(|| raw.clone()),
        severity,
        mitre: (!techniques.is_empty()).then(|| techniques.join(",")),
        author: text(doc, "author"),
        description: text(doc, "description").unwrap_or_default(),
    })
}

/// Is the logsource `product: kubernetes`, `service: audit`?
pub fn is_kubernetes_audit(doc: &Map<String, Value>) -> bool {
    let Some(Value::Object(ls)) = doc.get("logsource") else {
        return false;
    };
    let is = |k: &str, want: &str| {
        ls.get(k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    };
    is("product", "kubernetes") && is("service", "audit")
}

/// The logsource as written, for messages.
pub fn describe_logsource(doc: &Map<String, Value>) -> String {
    match doc.get("logsource") {
        Some(Value::Object(ls)) => ls
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "none".into(),
    }
}

/// The detection as kaq filter text.
pub fn filter(doc: &Map<String, Value>) -> Result<String, String> {
    let Some(Value::Object(det)) = doc.get("detection") else {
        return Err("`detection` must be a map of search identifiers and a condition".into());
    };
    let mut searches = BTreeMap::new();
    let mut conditions = Vec::new();
    for (k, v) in det {
        match k.as_str() {
            "condition" => match v {
                Value::String(c) => conditions.push(c.clone()),
                Value::Array(cs) => {
                    for c in cs {
                        let c = c.as_str().ok_or("`condition` holds strings")?;
                        conditions.push(c.to_string());
                    }
                }
                _ => return Err("`condition` is a string or a list of strings".into()),
            },
            "timeframe" => return Err(
                "`timeframe` (Sigma v1 aggregations) is not supported: write a correlation rule"
                    .into(),
            ),
            name => {
                let text = detection::search(v).map_err(|e| format!("detection `{name}`: {e}"))?;
                searches.insert(name.to_string(), text);
            }
        }
    }
    if conditions.is_empty() {
        return Err("`detection` has no `condition`".into());
    }
    let compiled = conditions
        .iter()
        .map(|c| condition::compile(c, &searches))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if compiled.len() == 1 {
        compiled.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", compiled.join(" or "))
    })
}
