//! Columns of table, CSV and TSV output: which value each shows, and how a
//! value becomes one cell of text.

use std::fmt::Write as _;

use crate::event::computed::{latency_micros, latency_text};
use crate::event::{Event, Path};
use crate::time::format_duration;

/// One output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The name as given (`time`, `objectRef.name`): the CSV header.
    pub name: String,
    pub value: ColumnValue,
}

/// What a column shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValue {
    /// Every value of a field path, joined with `,`.
    Field(Path),
    /// `user.username`, plus ` (as <impersonated user>)` when impersonated.
    Actor,
    /// `resource[/subresource]`, or the URL path of a non-resource request.
    Resource,
    /// `namespace/name`, or `name` for cluster-scoped objects.
    Object,
    /// `stageTimestamp - requestReceivedTimestamp`.
    Latency,
}

impl Column {
    /// The table header: upper case, like kubectl.
    pub fn title(&self) -> String {
        match self.value {
            ColumnValue::Actor => "USER".into(),
            ColumnValue::Field(ref p) if p.is(&["sourceIPs"]) => "SOURCE IP".into(),
            _ => self.name.to_uppercase(),
        }
    }
}

impl Column {
    /// Columns whose values are short and fixed in form (times, verbs, codes):
    /// a table on a narrow terminal truncates the others, never these.
    pub fn is_compact(&self) -> bool {
        match &self.value {
            ColumnValue::Latency => true,
            ColumnValue::Field(p) => {
                [
                    "stageTimestamp",
                    "requestReceivedTimestamp",
                    "verb",
                    "stage",
                    "level",
                ]
                .iter()
                .any(|k| p.is(&[k]))
                    || p.is(&["responseStatus", "code"])
            }
            _ => false,
        }
    }
}

/// The default table columns; `wide` adds stage, level, user agent, latency
/// and audit ID.
pub fn default_columns(wide: bool) -> Vec<Column> {
    let mut names = vec!["time", "user", "verb", "resource", "object", "code", "ip"];
    if wide {
        names.extend(["stage", "level", "userAgent", "latency", "auditID"]);
    }
    names
        .into_iter()
        .map(|n| column(n).expect("known column"))
        .collect()
}

/// Parses a `--columns` list.
pub fn parse_columns(spec: &str) -> Result<Vec<Column>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(column)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|cols| {
            if cols.is_empty() {
                Err("--columns needs at least one column".into())
            } else {
                Ok(cols)
            }
        })
}

/// One column by name: a display column (`user`, `resource`, `object`,
/// `latency`), an alias, or any field path.
fn column(name: &str) -> Result<Column, String> {
    let value = match name {
        "user" => ColumnValue::Actor,
        "resource" => ColumnValue::Resource,
        "object" => ColumnValue::Object,
        "latency" => ColumnValue::Latency,
        _ => ColumnValue::Field(
            crate::filter::field_path(name).map_err(|e| e.replacen("field", "column", 1))?,
        ),
    };
    Ok(Column {
        name: name.to_string(),
        value,
    })
}

/// The text of one cell for programs (CSV, TSV, `-r`), unsanitised:
/// `latency` in seconds, as filters, views and `--stats` see it.
pub fn cell(col: &Column, e: &Event<'_>) -> String {
    value_text(&col.value, e)
}

/// The text of one table cell for people, unsanitised: as [`cell`], but
/// `latency` is a duration (`35ms`, `5m0s`).
pub fn table_cell(col: &Column, e: &Event<'_>) -> String {
    match col.value {
        ColumnValue::Latency => latency_micros(e).map(format_duration).unwrap_or_default(),
        _ => cell(col, e),
    }
}

/// Every value of a field path as text, joined with `,`.
pub fn field_text(e: &Event<'_>, path: &Path) -> String {
    let mut out = String::new();
    let mut first = true;
    e.visit_flat(path, &mut |v| {
        if !first {
            out.push(',');
        }
        first = false;
        v.push_text(&mut out);
    });
    out
}

/// What a column shows, as text (unsanitised).
pub fn value_text(value: &ColumnValue, e: &Event<'_>) -> String {
    let mut out = String::new();
    match value {
        ColumnValue::Field(path) => out = field_text(e, path),
        ColumnValue::Actor => {
            let user = e.get("user");
            if let Some(name) = user
                .and_then(|u| u.get("username"))
                .and_then(|n| n.as_str())
            {
                out.push_str(&name);
            }
            let imp = e.get("impersonatedUser");
            if let Some(name) = imp.and_then(|u| u.get("username")).and_then(|n| n.as_str()) {
                let _ = write!(out, " (as {name})");
            }
        }
        ColumnValue::Resource => match e.get("objectRef") {
            Some(obj) => {
                if let Some(r) = obj.get("resource").and_then(|v| v.as_str()) {
                    out.push_str(&r);
                }
                if let Some(s) = obj.get("subresource").and_then(|v| v.as_str()) {
                    out.push('/');
                    out.push_str(&s);
                }
            }
            None => {
                if let Some(uri) = e.str("requestURI") {
                    out.push_str(uri.split('?').next().unwrap_or_default());
                }
            }
        },
        ColumnValue::Object => {
            if let Some(obj) = e.get("objectRef") {
                if let Some(ns) = obj.get("namespace").and_then(|v| v.as_str()) {
                    out.push_str(&ns);
                    out.push('/');
                }
                if let Some(n) = obj.get("name").and_then(|v| v.as_str()) {
                    out.push_str(&n);
                }
            }
        }
        ColumnValue::Latency => out = latency_text(e).unwrap_or_default(),
    }
    out
}

/// Makes untrusted text safe for a terminal: control characters (escape
/// sequences, carriage returns, C1 controls) are shown escaped, never raw.
pub fn sanitize(s: String) -> String {
    if !s.chars().any(char::is_control) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::index_object;

    fn cells(cols: &str, text: &str) -> Vec<String> {
        let cols = parse_columns(cols).unwrap();
        let mut m = Vec::new();
        index_object(text, &mut m).unwrap();
        let e = Event::new(text, &m);
        cols.iter().map(|c| table_cell(c, &e)).collect()
    }

    #[test]
    fn display_columns() {
        let ev = r#"{"verb":"get","user":{"username":"admin"},"impersonatedUser":{"username":"bob"},"objectRef":{"resource":"pods","subresource":"log","namespace":"ns1","name":"p"},"sourceIPs":["1.1.1.1","2.2.2.2"],"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:00.035000Z"}"#;
        assert_eq!(
            cells(
                "user,resource,object,ip,latency,user.username,objectRef",
                ev
            ),
            [
                "admin (as bob)",
                "pods/log",
                "ns1/p",
                "1.1.1.1,2.2.2.2",
                "35ms",
                "admin",
                r#"{"resource":"pods","subresource":"log","namespace":"ns1","name":"p"}"#
            ]
        );
        let nonres = r#"{"verb":"get","requestURI":"/healthz?verbose=1"}"#;
        assert_eq!(cells("resource,object,code", nonres), ["/healthz", "", ""]);
    }

    #[test]
    fn latency_is_seconds_for_programs_and_a_duration_for_people() {
        let ev = r#"{"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:05:00.500000Z"}"#;
        let cols = parse_columns("latency").unwrap();
        let mut m = Vec::new();
        index_object(ev, &mut m).unwrap();
        let e = Event::new(ev, &m);
        assert_eq!(cell(&cols[0], &e), "300.5");
        assert_eq!(table_cell(&cols[0], &e), "5m0s");
    }

    #[test]
    fn unknown_columns_are_errors() {
        let e = parse_columns("time,objectRef.nam").unwrap_err();
        assert!(e.contains("did you mean objectRef.name?"), "{e}");
        assert!(parse_columns("").is_err());
    }

    #[test]
    fn sanitizes_control_characters() {
        assert_eq!(sanitize("a\u{1b}[31mb\r".into()), "a\\u{1b}[31mb\\r");
        assert_eq!(sanitize("plain".into()), "plain");
        assert_eq!(sanitize("c1\u{9b}x".into()), "c1\\u{9b}x");
    }
}
