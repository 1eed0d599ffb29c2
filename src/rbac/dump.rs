//! Reading an RBAC dump (`kubectl get roles,rolebindings,clusterroles,
//! clusterrolebindings -A -o yaml`): YAML or JSON, a `List` (or a typed list
//! such as `RoleList`) or several documents, into the authorizer's objects.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::authz::{Binding, Rbac, Role, Rule, Selector, Subject};

/// Why a dump could not be read; it names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for DumpError {}

/// Parses the text of a dump named `file`.
pub fn parse(text: &str, file: &str) -> Result<Rbac, DumpError> {
    let fail = |message: String| DumpError {
        file: file.to_string(),
        message,
    };
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    let docs: Vec<Value> = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut docs = Vec::new();
        for doc in serde_json::Deserializer::from_str(trimmed).into_iter::<Value>() {
            docs.push(doc.map_err(|e| fail(format!("not valid JSON: {e}")))?);
        }
        docs
    } else {
        serde_saphyr::from_multiple::<Value>(text)
            .map_err(|e| fail(format!("not valid YAML: {e}")))?
    };
    let mut rbac = Rbac::default();
    let mut objects = 0usize;
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        let items: Vec<Value> = match &doc {
            Value::Array(a) => a.clone(),
            Value::Object(o)
                if o.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List")) =>
            {
                match o.get("items") {
                    Some(Value::Array(a)) => a.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(_) => return Err(fail("a List's `items` must be a list".into())),
                }
            }
            _ => vec![doc.clone()],
        };
        for (i, item) in items.iter().enumerate() {
            object(item, &mut rbac)
                .map_err(|m| fail(format!("object {}: {m}", objects + i + 1)))?;
        }
        objects += items.len();
    }
    if objects == 0 {
        return Err(fail(
            "no Role, ClusterRole, RoleBinding or ClusterRoleBinding in it".into(),
        ));
    }
    Ok(rbac)
}

fn object(v: &Value, rbac: &mut Rbac) -> Result<(), String> {
    let Value::Object(o) = v else {
        return Err(
            "expected an object (a Role, ClusterRole, RoleBinding or ClusterRoleBinding)".into(),
        );
    };
    let kind = o.get("kind").and_then(Value::as_str).ok_or("no `kind`")?;
    let meta = o.get("metadata").cloned().unwrap_or(Value::Null);
    let name = str_at(&meta, "name")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{kind} without metadata.name"))?;
    let namespace = str_at(&meta, "namespace")?.filter(|n| !n.is_empty());
    let what = || format!("{kind} {name:?}");
    match kind {
        "Role" | "ClusterRole" => {
            if kind == "Role" && namespace.is_none() {
                return Err(format!("{} has no metadata.namespace", what()));
            }
            let rules = match o.get("rules") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .map(|(i, r)| rule(r).map_err(|m| format!("{}, rule {}: {m}", what(), i + 1)))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("{}: `rules` must be a list", what())),
            };
            let aggregation = match o.get("aggregationRule") {
                Some(a) if kind == "ClusterRole" && !a.is_null() => Some(
                    list_of(a.get("clusterRoleSelectors"))
                        .map_err(|m| format!("{}: aggregationRule.clusterRoleSelectors: {m}", what()))?
                        .iter()
                        .map(selector)
                        .collect::<Result<_, _>>()
                        .map_err(|m| format!("{}: aggregationRule: {m}", what()))?,
                ),
                _ => None,
            };
            rbac.roles.push(Role {
                namespace: if kind == "Role" { namespace } else { None },
                labels: string_map(meta.get("labels")).map_err(|m| format!("{}: labels: {m}", what()))?,
                name,
                rules,
                aggregation,
            });
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            if kind == "RoleBinding" && namespace.is_none() {
                return Err(format!("{} has no metadata.namespace", what()));
            }
            let role_ref = o
                .get("roleRef")
                .ok_or_else(|| format!("{} has no roleRef", what()))?;
            let role_kind = str_at(role_ref, "kind")?.unwrap_or_default();
            if role_kind != "Role" && role_kind != "ClusterRole" {
                return Err(format!("{}: roleRef.kind must be Role or ClusterRole, not {role_kind:?}", what()));
            }
            if kind == "ClusterRoleBinding" && role_kind == "Role" {
                return Err(format!("{}: a ClusterRoleBinding cannot refer to a Role", what()));
            }
            let role_name = str_at(role_ref, "name")?
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("{} has no roleRef.name", what()))?;
            let subjects = list_of(o.get("subjects"))
                .map_err(|m| format!("{}: subjects: {m}", what()))?
                .iter()
                .map(|s| {
                    Ok(Subject {
                        kind: str_at(s, "kind")?.ok_or("a subject without kind")?,
                        name: str_at(s, "name")?.ok_or("a subject without name")?,
                        namespace: str_at(s, "namespace")?.unwrap_or_default(),
                    })
                })
                .collect::<Result<_, String>>()
                .map_err(|m| format!("{}: {m}", what()))?;
            rbac.bindings.push(Binding {
                namespace: if kind == "RoleBinding" { namespace } else { None },
                name,
                role_kind,
                role_name,
                subjects,
            });
        }
        other => {
            return Err(format!(
                "unknown kind {other:?}: expected Role, ClusterRole, RoleBinding, ClusterRoleBinding or a List of them"
            ))
        }
    }
    Ok(())
}

/// A string member: missing or null is `None`, another type an error.
fn str_at(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn list_of(v: Option<&Value>) -> Result<Vec<Value>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(_) => Err("expected a list".into()),
    }
}

fn strings(v: &Value, key: &str) -> Result<Vec<String>, String> {
    list_of(v.get(key))
        .map_err(|_| format!("`{key}` must be a list of strings"))?
        .into_iter()
        .map(|x| match x {
            Value::String(s) => Ok(s),
            _ => Err(format!("`{key}` must be a list of strings")),
        })
        .collect()
}

fn string_map(v: Option<&Value>) -> Result<BTreeMap<String, String>, String> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(format!("the value of {k:?} must be a string")),
            })
            .collect(),
        Some(_) => Err("expected a map of strings".into()),
    }
}

fn rule(v: &Value) -> Result<Rule, String> {
    if !v.is_object() {
        return Err("expected an object".into());
    }
    Ok(Rule {
        verbs: strings(v, "verbs")?,
        api_groups: strings(v, "apiGroups")?,
        resources: strings(v, "resources")?,
        resource_names: strings(v, "resourceNames")?,
        non_resource_urls: strings(v, "nonResourceURLs")?,
    })
}

fn selector(v: &Value) -> Result<Selector, String> {
    let match_expressions = list_of(v.get("matchExpressions"))?
        .iter()
        .map(|e| {
            let key = str_at(e, "key")?.ok_or("a matchExpression without key")?;
            let op = str_at(e, "operator")?.ok_or("a matchExpression without operator")?;
            if !matches!(op.as_str(), "In" | "NotIn" | "Exists" | "DoesNotExist") {
                return Err(format!("unknown operator {op:?}"));
            }
            Ok((key, op, strings(e, "values")?))
        })
        .collect::<Result<_, String>>()?;
    Ok(Selector {
        match_labels: string_map(v.get("matchLabels"))?,
        match_expressions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "\
apiVersion: v1
kind: List
items:
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: reader, namespace: shop}
  rules:
  - apiGroups: [\"\"]
    resources: [pods, pods/log]
    verbs: [get, list]
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: reader, namespace: shop}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
  subjects:
  - {kind: ServiceAccount, name: web, namespace: shop}
";

    #[test]
    fn reads_a_list_several_documents_and_json() {
        let rbac = parse(LIST, "dump.yaml").unwrap();
        assert_eq!(rbac.roles.len(), 1);
        assert_eq!(rbac.roles[0].rules[0].resources, ["pods", "pods/log"]);
        assert_eq!(rbac.bindings[0].subjects[0].namespace, "shop");
        let docs = "kind: ClusterRole\nmetadata: {name: a}\n---\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: a}\nsubjects: [{kind: User, name: u}]\n";
        let rbac = parse(docs, "d").unwrap();
        assert_eq!((rbac.roles.len(), rbac.bindings.len()), (1, 1));
        let json = r#"{"kind":"ClusterRoleList","items":[{"kind":"ClusterRole","metadata":{"name":"x","labels":{"a":"b"}},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"k":"v"}}]}}]}"#;
        let rbac = parse(json, "d.json").unwrap();
        assert_eq!(
            rbac.roles[0].aggregation.as_ref().unwrap()[0].match_labels["k"],
            "v"
        );
    }

    #[test]
    fn errors_name_the_file_and_the_object() {
        let e = parse("kind: Secret\nmetadata: {name: s}\n", "dump.yaml").unwrap_err();
        assert_eq!(e.to_string(), "dump.yaml: object 1: unknown kind \"Secret\": expected Role, ClusterRole, RoleBinding, ClusterRoleBinding or a List of them");
        let e = parse("kind: Role\nmetadata: {name: r}\n", "d").unwrap_err();
        assert!(
            e.to_string()
                .contains("Role \"r\" has no metadata.namespace"),
            "{e}"
        );
        let e = parse(
            "kind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: get}]\n",
            "d",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("rule 1: `verbs` must be a list of strings"),
            "{e}"
        );
        let e = parse("", "empty.yaml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "empty.yaml: no Role, ClusterRole, RoleBinding or ClusterRoleBinding in it"
        );
        let e = parse("apiVersion: v1\nkind: List\nitems: []\n", "d").unwrap_err();
        assert!(e.to_string().contains("no Role"), "{e}");
        // A byte-order mark and CRLF line ends are fine.
        let rbac = parse(
            "\u{feff}kind: ClusterRole\r\nmetadata:\r\n  name: a\r\n",
            "d",
        )
        .unwrap();
        assert_eq!(rbac.roles[0].name, "a");
        let e = parse("kind: [\n", "bad.yaml").unwrap_err();
        assert!(e.to_string().starts_with("bad.yaml: not valid YAML"), "{e}");
        let e = parse("{\"kind\": ", "bad.json").unwrap_err();
        assert!(e.to_string().starts_with("bad.json: not valid JSON"), "{e}");
    }
}
