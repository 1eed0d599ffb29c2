//! A Sigma detection's search identifiers, compiled into kaq filter text.
//!
//! Sigma's structure (specification v2): a map is AND of its items, a list
//! of maps is OR, a field's list of values is OR (AND with `|all`), and a
//! field holding an array matches when any element does (kaq's comparisons
//! already work so). The text goes through kaq's own parser and checker, so
//! the checked AST is the one contract every backend runs.

use serde_json::Value;

use super::modifiers::{base64, base64_offsets, Encode, Modifiers, Pattern, Wrap};
use crate::convert::fields::SIGMA_FIELDS;
use crate::event::path::Segment;
use crate::event::Path;
use crate::filter::fields::{type_of, Type};

/// Quotes a string as a kaq filter literal (JSON escapes, which kaq's lexer
/// reads back exactly).
pub fn quote(s: &str) -> String {
    Value::from(s).to_string()
}

/// A Sigma field name as a kaq path and its type.
///
/// [`SIGMA_FIELDS`] first (abstract names such as `hostPath`); otherwise the
/// name is a raw Event dot-path. A dot inside a map key (annotations are
/// keyed `authorization.k8s.io/decision`) is resolved by the longest prefix
/// that is a string map: `annotations.authorization.k8s.io/decision` is
/// `annotations["authorization.k8s.io/decision"]`. kaq's aliases (`code`,
/// `ns`) are not Event fields and are refused as unknown.
pub fn resolve_field(name: &str) -> Result<(String, Type), String> {
    if let Some((_, kaq)) = SIGMA_FIELDS.iter().find(|(s, _)| *s == name) {
        let path = crate::filter::field_path(kaq)?;
        let ty = type_of(&path).map_err(|u| u.message)?;
        return Ok((path.to_string(), ty));
    }
    if name.is_empty() {
        return Err("an empty field name".into());
    }
    let parts: Vec<&str> = name.split('.').collect();
    // The longest prefix that is a map with string keys takes the rest.
    for cut in (1..parts.len()).rev() {
        let prefix = Path::keys(&parts[..cut]);
        if let Ok(Type::StringMap | Type::StringsMap) = type_of(&prefix) {
            let mut path = prefix;
            path.segments.push(Segment::Key(parts[cut..].join(".")));
            let ty = type_of(&path).map_err(|u| u.message)?;
            return Ok((path.to_string(), ty));
        }
    }
    let path = Path::keys(&parts);
    let ty = type_of(&path).map_err(|u| match u.suggestion {
        Some(s) => format!("{}; did you mean {s}?", u.message),
        None => u.message,
    })?;
    if parts.len() == 1 && crate::filter::fields::alias(name).is_some() {
        // Only `user` (an object) is both; the checker would alias it.
        return Err(format!("`{name}` is an object; name one of its fields"));
    }
    Ok((path.to_string(), ty))
}

/// Compiles one search identifier's value (a map, a list of maps, or a list
/// of keywords) into filter text.
pub fn search(value: &Value) -> Result<String, String> {
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                return Err("an empty search identifier".into());
            }
            let items = map
                .iter()
                .map(|(k, v)| item(k, v))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(join(items, "and"))
        }
        Value::Array(xs) if xs.iter().all(Value::is_object) && !xs.is_empty() => {
            let alts = xs.iter().map(search).collect::<Result<Vec<_>, _>>()?;
            Ok(join(alts, "or"))
        }
        Value::Array(xs) => {
            let alts = xs.iter().map(keyword).collect::<Result<Vec<_>, _>>()?;
            if alts.is_empty() {
                return Err("an empty list of keywords".into());
            }
            Ok(join(alts, "or"))
        }
        Value::String(_) | Value::Number(_) => keyword(value),
        _ => Err("a search identifier is a map of fields or a list of maps".into()),
    }
}

/// A keyword (field-less) search: the value anywhere in the event's JSON
/// text (kaq's computed `raw`), case-insensitive, its wildcards applied.
/// The text is the line as written, JSON escapes included.
fn keyword(v: &Value) -> Result<String, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(format!("a keyword is a string or a number, not {v}")),
    };
    let p = Pattern::parse(&text).wrap(true, true);
    Ok(format!("raw =~ {}", quote(&p.regex(false))))
}

fn join(parts: Vec<String>, op: &str) -> String {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    format!("({})", parts.join(&format!(" {op} ")))
}

/// One `field|modifiers: value(s)` item.
fn item(key: &str, value: &Value) -> Result<String, String> {
    let mut names = key.split('|');
    let field = names.next().unwrap_or_default();
    let mods: Vec<&str> = names.collect();
    let context = |e: String| format!("`{key}`: {e}");
    if field.is_empty() {
        return Err(context(
            "keyword (field-less) searches with modifiers are not supported".into(),
        ));
    }
    let m = Modifiers::parse(&mods).map_err(context)?;
    let (path, ty) = resolve_field(field).map_err(context)?;
    let values: Vec<&Value> = match value {
        Value::Array(xs) => xs.iter().collect(),
        v => vec![v],
    };
    if values.is_empty() {
        return Err(context("an empty list of values".into()));
    }
    let tests = values
        .iter()
        .map(|v| one_value(&path, ty, &m, v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(context)?;
    Ok(join(tests, if m.all { "and" } else { "or" }))
}

/// The test of one value against a field.
fn one_value(path: &str, ty: Type, m: &Modifiers, v: &Value) -> Result<String, String> {
    if m.exists {
        return match v {
            Value::Bool(true) => Ok(format!("exists({path})")),
            Value::Bool(false) => Ok(format!("not exists({path})")),
            _ => Err("`exists` takes true or false".into()),
        };
    }
    if m.cidr {
        let Value::String(block) = v else {
            return Err("`cidr` takes a CIDR block such as 10.0.0.0/8".into());
        };
        return Ok(format!("{path} within {}", quote(block)));
    }
    if let Some(op) = m.compare {
        return match v {
            Value::Number(n) => Ok(format!("{path} {op} {n}")),
            _ => Err(format!("`{op}` compares with a number, not {v}")),
        };
    }
    if m.fieldref {
        let Value::String(other) = v else {
            return Err("`fieldref` takes a field name".into());
        };
        let (other, _) = resolve_field(other)?;
        return Ok(format!("{path} == {other}"));
    }
    if let Some(flags) = &m.re {
        let Value::String(re) = v else {
            return Err("`re` takes a regular expression string".into());
        };
        let prefix = if flags.is_empty() {
            String::new()
        } else {
            format!("(?{flags})")
        };
        if !text_type(ty) {
            return Err(format!("`re` on `{path}`, which is {}", ty.describe()));
        }
        return Ok(format!("{path} =~ {}", quote(&format!("{prefix}{re}"))));
    }
    match v {
        Value::Null => {
            if m.wrap.is_some() || m.encode.is_some() {
                return Err("null with a modifier".into());
            }
            Ok(format!("not exists({path})"))
        }
        Value::Bool(b) => {
            if m.wrap.is_some() || m.encode.is_some() {
                return Err("a boolean with a string modifier".into());
            }
            Ok(format!("{path} == {b}"))
        }
        Value::Number(n) if m.wrap.is_none() && m.encode.is_none() => Ok(number(path, ty, n)),
        Value::Number(n) => strings(path, ty, m, &n.to_string()),
        Value::String(s) => strings(path, ty, m, s),
        _ => Err(format!(
            "a value must be a string, number, boolean or null, not {v}"
        )),
    }
}

fn text_type(ty: Type) -> bool {
    matches!(ty, Type::String | Type::Strings | Type::Time | Type::Any)
}

/// A number value: equal as a number, or, on a string field, its decimal
/// text (Sigma values are untyped; `401` matches `"401"`).
fn number(path: &str, ty: Type, n: &serde_json::Number) -> String {
    let text = quote(&format!("^{}$", regex::escape(&n.to_string())));
    match ty {
        Type::Number | Type::Duration => format!("{path} == {n}"),
        Type::Any => format!("({path} == {n} or {path} =~ {text})"),
        _ => format!("{path} =~ {text}"),
    }
}

/// A string value with its wildcards, after `base64`/`contains`/...
fn strings(path: &str, ty: Type, m: &Modifiers, s: &str) -> Result<String, String> {
    let parsed = Pattern::parse(s);
    let plain = || {
        parsed
            .plain()
            .ok_or_else(|| format!("base64 of a value with wildcards ({s:?}) is not allowed"))
    };
    let encoded: Vec<Pattern> = match m.encode {
        None => vec![parsed.clone()],
        Some(Encode::Base64) => vec![Pattern::literal(&base64(&plain()?))],
        Some(Encode::Base64Offset) => base64_offsets(&plain()?)
            .iter()
            .map(|e| Pattern::literal(e))
            .collect(),
    };
    let (before, after) = match m.wrap {
        None => (false, false),
        Some(Wrap::Contains) => (true, true),
        Some(Wrap::StartsWith) => (false, true),
        Some(Wrap::EndsWith) => (true, false),
    };
    // base64 output is matched exactly as encoded: its case carries data.
    let cased = m.cased || m.encode.is_some();
    let tests = encoded
        .into_iter()
        .map(|p| pattern_test(path, ty, p.wrap(before, after), cased))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(join(tests, "or"))
}

fn pattern_test(path: &str, ty: Type, p: Pattern, cased: bool) -> Result<String, String> {
    let re = quote(&p.regex(cased));
    match ty {
        Type::Number | Type::Duration => {
            if p.is_match_all() {
                return Ok(format!("exists({path})"));
            }
            // A number field holds no text: a string equal to the number's
            // decimal text matches it; any other string never does.
            match p.plain() {
                Some(s) => Ok(match s.trim().parse::<f64>() {
                    Ok(_) if s.trim() == s && !s.is_empty() => format!("{path} == {s}"),
                    _ => "false".to_string(),
                }),
                None => Err(format!(
                    "a wildcard pattern on `{path}`, which is a number, is not supported"
                )),
            }
        }
        Type::Any => match p.plain().filter(|s| is_json_number(s)) {
            Some(s) => Ok(format!("({path} =~ {re} or {path} == {s})")),
            None => Ok(format!("{path} =~ {re}")),
        },
        Type::Object(_) | Type::StringMap | Type::StringsMap => {
            Err(format!("`{path}` is {}, not a value", ty.describe()))
        }
        _ => Ok(format!("{path} =~ {re}")),
    }
}

fn is_json_number(s: &str) -> bool {
    serde_json::from_str::<serde_json::Number>(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_saphyr::from_str(text).unwrap()
    }

    #[test]
    fn fields_resolve() {
        assert_eq!(
            resolve_field("objectRef.resource").unwrap().0,
            "objectRef.resource"
        );
        assert_eq!(
            resolve_field("annotations.authorization.k8s.io/decision")
                .unwrap()
                .0,
            r#"annotations["authorization.k8s.io/decision"]"#
        );
        assert_eq!(
            resolve_field("hostPath").unwrap().0,
            "pod.volumes[*].hostPath.path"
        );
        assert_eq!(resolve_field("apiGroup").unwrap().0, "objectRef.apiGroup");
        assert!(resolve_field("code").unwrap_err().contains("unknown field"));
        assert!(resolve_field("user").is_err());
        assert!(resolve_field("objectRef.resourc")
            .unwrap_err()
            .contains("did you mean"));
        assert_eq!(
            resolve_field("responseStatus.code").unwrap().1,
            Type::Number
        );
    }

    #[test]
    fn structure_compiles() {
        let v = yaml("verb: [create, delete]\nobjectRef.resource: pods\n");
        assert_eq!(
            search(&v).unwrap(),
            r#"((verb =~ "(?is)^create$" or verb =~ "(?is)^delete$") and objectRef.resource =~ "(?is)^pods$")"#
        );
        let v = yaml("- verb: get\n- verb: list\n");
        assert_eq!(
            search(&v).unwrap(),
            r#"(verb =~ "(?is)^get$" or verb =~ "(?is)^list$")"#
        );
        let v = yaml("requestURI|contains|all: [a, b]\n");
        assert!(search(&v).unwrap().contains(" and "));
        assert_eq!(
            search(&yaml("- ev*l\n- 42\n")).unwrap(),
            r#"(raw =~ "(?is)^.*ev.*l.*$" or raw =~ "(?is)^.*42.*$")"#
        );
    }

    #[test]
    fn values_follow_the_field_type() {
        let code = |v: &str| search(&yaml(&format!("responseStatus.code: {v}\n"))).unwrap();
        assert_eq!(code("401"), "responseStatus.code == 401");
        assert_eq!(code("'401'"), "responseStatus.code == 401");
        assert_eq!(code("'ALLOW'"), "false");
        assert_eq!(code("'*'"), "exists(responseStatus.code)");
        assert_eq!(code("null"), "not exists(responseStatus.code)");
        assert!(search(&yaml("responseStatus.code: '4*'\n"))
            .unwrap_err()
            .contains("number"));
        assert_eq!(search(&yaml("verb: 401\n")).unwrap(), r#"verb =~ "^401$""#);
        assert_eq!(
            search(&yaml("responseStatus.code|gte: 400\n")).unwrap(),
            "responseStatus.code >= 400"
        );
        assert_eq!(
            search(&yaml("sourceIPs|cidr: 10.0.0.0/8\n")).unwrap(),
            r#"sourceIPs within "10.0.0.0/8""#
        );
        assert_eq!(
            search(&yaml("impersonatedUser|exists: true\n")).unwrap(),
            "exists(impersonatedUser)"
        );
        assert_eq!(
            search(&yaml("userAgent|re|i: '^kube'\n")).unwrap(),
            r#"userAgent =~ "(?i)^kube""#
        );
        assert_eq!(
            search(&yaml("user.username|fieldref: impersonatedUser.username\n")).unwrap(),
            "user.username == impersonatedUser.username"
        );
        assert!(search(&yaml("requestURI|base64|contains: 'a*'\n"))
            .unwrap_err()
            .contains("wildcards"));
        // Hostile text stays a literal.
        let t = search(&yaml("userAgent: \"a\\\"b\\\\c\\n$(x)\"\n")).unwrap();
        assert!(crate::filter::parse_filter(&t).is_ok(), "{t}");
    }
}
