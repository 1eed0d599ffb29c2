//! Sigma (<https://sigmahq.io>, specification v2), the rule format SIEMs
//! share, in both directions: rules run by `kaq detect --sigma PATH...`, and
//! kaq's rules and filters written as Sigma rules for pySigma's backends
//! ([`export`]).
//!
//! Each rule is compiled into kaq's own detection [`Rule`]: its detection
//! becomes kaq filter text (parsed and checked like any filter, so every
//! backend runs it), a correlation becomes a threshold. Anything kaq does not
//! support fails the load with the file and the construct named; nothing is
//! skipped silently. The semantics, and where they differ from a SIEM's, are
//! in `docs/sigma.md`.
//!
//! - [`modifiers`]: Sigma strings (wildcards, escapes) and value modifiers.
//! - [`detection`]: field names and search identifiers.
//! - [`condition`]: the `condition:` expression.
//! - [`correlation`]: `event_count` and `value_count` correlations.
//! - [`rule`]: one rule document's metadata and logsource.
//! - [`export`]: the other direction, kaq rules to Sigma.

pub mod condition;
pub mod correlation;
pub mod detection;
pub mod export;
pub mod modifiers;
pub mod rule;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::detect::rules::RuleSpec;
use crate::detect::{Rule, RuleError};

/// The rules of `--sigma` paths.
#[derive(Debug, Default)]
pub struct Loaded {
    pub rules: Vec<Rule>,
    /// Rules in directories whose logsource is not Kubernetes audit.
    pub skipped: usize,
}

/// A base rule read, before correlations claim it.
struct Base {
    origin: String,
    meta: rule::Meta,
    filter: String,
    /// Counted by a correlation, so not reported alone (unless `generate`).
    claimed: bool,
}

/// Loads Sigma rules from files and directories (searched recursively for
/// `.yml` and `.yaml`). In a directory, rules with another logsource are
/// counted in [`Loaded::skipped`]; a file named directly must be Kubernetes
/// audit.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, RuleError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| io_error(p, &e))?;
            found.sort();
            files.extend(found.into_iter().map(|f| (f, true)));
        } else {
            files.push((p.clone(), false));
        }
    }
    let mut loaded = Loaded::default();
    let mut bases: Vec<Base> = Vec::new();
    let mut correlations = Vec::new();
    for (path, in_dir) in &files {
        let origin = path.display().to_string();
        let err = |rule: Option<&str>, message: String| RuleError {
            origin: origin.clone(),
            rule: rule.map(str::to_string),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .map_err(|e| err(None, e.to_string().replace("<input>", &origin)))?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Sigma's "action" documents (global/reset/repeat) are v1 collections.
        for (i, doc) in docs.iter().enumerate() {
            let Value::Object(doc) = doc else {
                return Err(err(None, format!("document {} is not a map", i + 1)));
            };
            if doc.contains_key("action") {
                return Err(err(
                    None,
                    "rule collections (`action: global/reset/repeat`) are not supported".into(),
                ));
            }
            let stem_i = if docs.len() > 1 {
                format!("{stem}-{}", i + 1)
            } else {
                stem.clone()
            };
            let meta = rule::meta(doc, &stem_i).map_err(|m| err(None, m))?;
            if let Some(Value::Object(c)) = doc.get("correlation") {
                let c = correlation::read(c).map_err(|m| err(Some(&meta.id), m))?;
                correlations.push((origin.clone(), meta, c, *in_dir));
                continue;
            }
            if !rule::is_kubernetes_audit(doc) {
                if *in_dir {
                    loaded.skipped += 1;
                    continue;
                }
                return Err(err(
                    Some(&meta.id),
                    format!(
                        "the logsource is {}, not `product: kubernetes, service: audit`",
                        rule::describe_logsource(doc)
                    ),
                ));
            }
            let filter = rule::filter(doc).map_err(|m| err(Some(&meta.id), m))?;
            bases.push(Base {
                origin: origin.clone(),
                meta,
                filter,
                claimed: false,
            });
        }
    }
    let mut out = Vec::new();
    for (origin, meta, c, in_dir) in correlations {
        let mut filters = Vec::new();
        for r in &c.rules {
            match bases.iter_mut().find(|b| b.meta.refs.contains(r)) {
                Some(b) => {
                    b.claimed |= !c.generate;
                    filters.push(b.filter.clone());
                }
                None => {
                    if in_dir {
                        // Its rules were skipped for their logsource.
                        loaded.skipped += 1;
                        filters.clear();
                        break;
                    }
                    return Err(RuleError {
                        origin,
                        rule: Some(meta.id.clone()),
                        message: format!("correlation: no loaded rule has the id or name `{r}`"),
                    });
                }
            }
        }
        if filters.is_empty() {
            continue;
        }
        let filter = if filters.len() == 1 {
            filters.remove(0)
        } else {
            format!("({})", filters.join(" or "))
        };
        out.push(compile(&origin, &meta, filter, Some(c.threshold))?);
    }
    let mut rules = Vec::new();
    for b in bases.into_iter().filter(|b| !b.claimed) {
        rules.push(compile(&b.origin, &b.meta, b.filter, None)?);
    }
    rules.extend(out);
    loaded.rules = rules;
    Ok(loaded)
}

fn compile(
    origin: &str,
    meta: &rule::Meta,
    filter: String,
    threshold: Option<String>,
) -> Result<Rule, RuleError> {
    let spec = RuleSpec {
        id: meta.id.clone(),
        title: meta.title.clone(),
        severity: meta.severity,
        mitre: meta.mitre.clone(),
        description: meta.description.clone(),
        filter,
        threshold,
        allow: Default::default(),
        enabled: true,
    };
    let mut rule = spec.compile(None, origin)?;
    rule.author = meta.author.clone();
    Ok(rule)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
    Ok(())
}

fn io_error(p: &Path, e: &std::io::Error) -> RuleError {
    RuleError {
        origin: p.display().to_string(),
        rule: None,
        message: crate::messages::describe_io(e),
    }
}
