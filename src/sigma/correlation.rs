//! Sigma correlation rules (`event_count`, `value_count`) as kaq threshold
//! rules: `count >= N by KEYS within WINDOW` and
//! `distinct FIELD >= N by KEYS within WINDOW` over the events of the rules
//! they name.

use serde_json::{Map, Value};

use super::detection::resolve_field;

/// A correlation, read.
#[derive(Debug)]
pub struct Correlation {
    /// The `id`s or `name`s of the rules whose events it counts.
    pub rules: Vec<String>,
    /// kaq threshold text.
    pub threshold: String,
    /// `generate: true`: the named rules report their own findings too.
    pub generate: bool,
}

/// Reads the `correlation:` map.
pub fn read(c: &Map<String, Value>) -> Result<Correlation, String> {
    let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
    if !matches!(kind, "event_count" | "value_count") {
        return Err(format!(
            "correlation type `{kind}` is not supported (only event_count and value_count)"
        ));
    }
    let rules: Vec<String> = match c.get("rules") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(xs)) => xs
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or("`rules` lists rule ids or names")
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("correlation: `rules` names the rules it counts".into()),
    };
    let by: Vec<String> = match c.get("group-by") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(xs)) => xs
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if by.is_empty() {
        return Err("correlation without `group-by` is not supported: kaq counts per key".into());
    }
    let keys = by
        .iter()
        .map(|f| {
            resolve_field(f)
                .map(|(p, _)| p)
                .map_err(|e| format!("group-by `{f}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let timespan = c
        .get("timespan")
        .and_then(Value::as_str)
        .ok_or("correlation: `timespan` is required (such as 5m)")?;
    let seconds = timespan_seconds(timespan)?;
    let Some(Value::Object(cond)) = c.get("condition") else {
        return Err("correlation: `condition` is a map such as `gte: 10`".into());
    };
    let mut at_least = None;
    let mut field = None;
    for (k, v) in cond {
        match k.as_str() {
            "field" => field = v.as_str().map(str::to_string),
            "gte" | "gt" => {
                let n = v.as_u64().ok_or_else(|| format!("correlation condition `{k}` takes a whole number"))?;
                at_least = Some(if k == "gt" { n + 1 } else { n });
            }
            other => {
                return Err(format!(
                    "correlation condition `{other}` is not supported: kaq thresholds fire at a minimum count (gte, gt)"
                ))
            }
        }
    }
    let n = at_least
        .ok_or("correlation condition needs `gte` or `gt`")?
        .max(1);
    let threshold = match (kind, field) {
        ("event_count", None) => format!("count >= {n} by {} within {seconds}s", keys.join(", ")),
        ("value_count", Some(f)) => {
            let (path, _) = resolve_field(&f).map_err(|e| format!("condition field `{f}`: {e}"))?;
            format!(
                "distinct {path} >= {n} by {} within {seconds}s",
                keys.join(", ")
            )
        }
        ("value_count", None) => return Err("value_count needs `condition: field:`".into()),
        _ => return Err("event_count takes no `condition: field:`".into()),
    };
    Ok(Correlation {
        rules,
        threshold,
        generate: c.get("generate").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// `30s`, `5m`, `1h`, `2d` (Sigma's units; `M` and `y` are refused).
fn timespan_seconds(t: &str) -> Result<u64, String> {
    let bad = || format!("timespan `{t}`: expected a number and s, m, h or d (such as 5m)");
    let t = t.trim();
    let unit = t.chars().last().ok_or_else(bad)?;
    let n: u64 = t[..t.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    Ok(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corr(y: &str) -> Result<Correlation, String> {
        let v: Value = serde_saphyr::from_str(y).unwrap();
        read(v.as_object().unwrap())
    }

    #[test]
    fn counts_become_thresholds() {
        let c = corr("type: event_count\nrules: [a]\ngroup-by: [user.username]\ntimespan: 5m\ncondition: {gte: 10}\n").unwrap();
        assert_eq!(c.threshold, "count >= 10 by user.username within 300s");
        assert!(!c.generate);
        let c = corr("type: value_count\nrules: a\ngroup-by: [sourceIPs]\ntimespan: 1h\ncondition: {gt: 4, field: objectRef.name}\n").unwrap();
        assert_eq!(
            c.threshold,
            "distinct objectRef.name >= 5 by sourceIPs within 3600s"
        );
        crate::detect::rules::Threshold::parse(&c.threshold).unwrap();
    }

    #[test]
    fn unsupported_correlations_say_why() {
        let base = "rules: [a]\ngroup-by: [verb]\ntimespan: 5m\n";
        assert!(
            corr(&format!("type: temporal\n{base}condition: {{gte: 2}}\n"))
                .unwrap_err()
                .contains("`temporal`")
        );
        assert!(
            corr(&format!("type: event_count\n{base}condition: {{lt: 2}}\n"))
                .unwrap_err()
                .contains("`lt`")
        );
        assert!(
            corr("type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {gte: 2}\n")
                .unwrap_err()
                .contains("group-by")
        );
        assert!(corr(
            "type: event_count\nrules: [a]\ngroup-by: [verb]\ntimespan: 1M\ncondition: {gte: 2}\n"
        )
        .unwrap_err()
        .contains("timespan"));
    }
}
