//! Cloud-delivered audit logs: the envelopes providers wrap audit Events in,
//! recognised per record and turned into an Event.
//!
//! | format | shape | the Event |
//! |---|---|---|
//! | `aks` | Azure diagnostic record: `properties.log` (a JSON string, or an object), `category: kube-audit[-admin]`; Event Hubs batches `{"records": [...]}` | `properties.log`, decoded |
//! | `eks` | CloudWatch: a Logs Insights row `[{"field","value"}...]` (or `{"results": [rows]}`), a `{"message": ...}` log event, a subscription payload `{"logEvents": [...]}` (also base64 + gzip, as Kinesis/Firehose deliver it), a console CSV export line | `@message` / `message` |
//! | `gke` | Cloud Logging `LogEntry` with `protoPayload.serviceName == "k8s.io"` | mapped, see [`gke_event`] |
//! | `openshift` | must-gather: `<hostname> {event}` | the JSON after the hostname |
//!
//! Plain Events never reach this module: it is tried only on objects and
//! lines that are not Events, so reading ordinary logs costs nothing extra.

use std::io::Read;

use base64::Engine as _;
use serde_json::{json, Map, Value as Json};

use crate::json::{Kind, Value};

/// Where an event came from; the `format` field of every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A plain audit Event (or EventList).
    Event,
    /// Azure Kubernetes Service diagnostic records.
    Aks,
    /// Amazon EKS via CloudWatch Logs.
    Eks,
    /// Google Kubernetes Engine Cloud Audit Logs.
    Gke,
    /// OpenShift must-gather lines (`hostname {event}`).
    Openshift,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Event => "event",
            Format::Aks => "aks",
            Format::Eks => "eks",
            Format::Gke => "gke",
            Format::Openshift => "openshift",
        }
    }
}

/// One event found inside an envelope: its Event JSON (owned: decoded or
/// mapped), the format it came in, and the record it came from (what
/// `-o ndjson` prints).
#[derive(Debug, Clone, PartialEq)]
pub struct Unwrapped<'a> {
    pub event: String,
    pub format: Format,
    pub record: Option<&'a str>,
}

/// What an envelope held.
pub type Found<'a> = Result<Vec<Unwrapped<'a>>, String>;

fn one(event: String, format: Format) -> Found<'static> {
    Ok(vec![Unwrapped {
        event,
        format,
        record: None,
    }])
}

/// Marks every event found in `v` as coming from record `v`, unless it came
/// from a smaller record inside it.
fn from_record<'a>(found: Found<'a>, v: Value<'a>) -> Found<'a> {
    found.map(|list| {
        list.into_iter()
            .map(|u| Unwrapped {
                record: u.record.or(Some(v.text())),
                ..u
            })
            .collect()
    })
}

/// Tries the envelopes on a validated JSON object or array that is not an
/// Event. `None`: not an envelope kaq knows.
pub fn unwrap_value(v: Value<'_>) -> Option<Found<'_>> {
    let found = match v.kind() {
        Kind::Array => insights_row(v),
        Kind::Object => unwrap_object(v),
        _ => None,
    }?;
    Some(from_record(found, v))
}

fn unwrap_object(v: Value<'_>) -> Option<Found<'_>> {
    // AKS diagnostic record.
    if let Some(props) = v.get("properties") {
        if let Some(log) = props.get("log") {
            return Some(match log.kind() {
                Kind::String => {
                    let text = log.as_str().unwrap_or_default();
                    if text.trim_start().starts_with('{') {
                        one(text.into_owned(), Format::Aks)
                    } else {
                        Err(format!(
                            "AKS record whose properties.log is not an event: {:.40}",
                            text
                        ))
                    }
                }
                Kind::Object => one(log.text().to_string(), Format::Aks),
                _ => {
                    Err("AKS record whose properties.log is neither a string nor an object".into())
                }
            });
        }
    }
    // Event Hubs batch of AKS records, or Logs Insights results.
    for key in ["records", "results"] {
        if let Some(list) = v.get(key).filter(|l| l.kind() == Kind::Array) {
            return Some(collect(list.elements().map(|item| {
                unwrap_value(item)
                    .unwrap_or_else(|| Err(format!("an item of `{key}` that kaq cannot read")))
            })));
        }
    }
    // CloudWatch subscription payload.
    if let Some(events) = v.get("logEvents").filter(|l| l.kind() == Kind::Array) {
        return Some(collect(events.elements().map(|e| {
            match e.get("message").and_then(|m| m.as_str()) {
                Some(m) => one(m.into_owned(), Format::Eks),
                None => Err("a CloudWatch log event without a message".into()),
            }
        })));
    }
    // GKE Cloud Audit Logs entry.
    if let Some(proto) = v
        .get("protoPayload")
        .or_else(|| v.get("protopayload_auditlog"))
    {
        return Some(gke_event(v, proto).and_then(|e| one(e, Format::Gke)));
    }
    // A CloudWatch log event: {"timestamp": ..., "message": "<event>"}, or
    // an Insights result already flattened to {"@message": ...}.
    for key in ["@message", "message"] {
        if let Some(m) = v.get(key).and_then(|m| m.as_str()) {
            if m.trim_start().starts_with('{') {
                return Some(one(m.into_owned(), Format::Eks));
            }
        }
    }
    None
}

fn collect<'a>(items: impl Iterator<Item = Found<'a>>) -> Found<'a> {
    let mut out = Vec::new();
    for item in items {
        out.extend(item?);
    }
    Ok(out)
}

/// A Logs Insights row: `[{"field": "@timestamp", "value": ...}, {"field":
/// "@message", "value": "<event>"}, ...]`.
fn insights_row(v: Value<'_>) -> Option<Found<'static>> {
    let mut is_row = false;
    for cell in v.elements() {
        let field = cell.get("field").and_then(|f| f.as_str())?;
        is_row = true;
        if field == "@message" {
            let value = cell.get("value").and_then(|m| m.as_str())?;
            return Some(one(value.into_owned(), Format::Eks));
        }
    }
    is_row.then(|| Err("a Logs Insights row without @message".into()))
}

/// Tries the line-level envelopes on a line that is not JSON: OpenShift's
/// `hostname {event}`, a CloudWatch console CSV export line, a base64 + gzip
/// subscription payload. `Some(Ok(text))` is JSON text to read instead of the
/// line, with its format; a CSV header line gives `Some(Ok(None))`.
pub fn unwrap_line(line: &str) -> Option<Result<Option<(String, Format)>, String>> {
    let trimmed = line.trim();
    // OpenShift must-gather: one token, a space, then the event.
    if let Some((host, rest)) = trimmed.split_once(' ') {
        if !host.is_empty() && !host.contains(['{', '"', ',']) && rest.trim_start().starts_with('{')
        {
            return Some(Ok(Some((rest.trim_start().to_string(), Format::Openshift))));
        }
    }
    // CloudWatch console CSV export: `@timestamp,@message` then rows whose
    // message is a quoted event with doubled quotes.
    if trimmed.starts_with("@timestamp") || trimmed.starts_with("\"@timestamp") {
        return Some(Ok(None));
    }
    if trimmed.contains(",\"{") {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(trimmed.as_bytes());
        if let Some(Ok(record)) = reader.records().next() {
            if let Some(msg) = record.iter().find(|f| f.trim_start().starts_with('{')) {
                return Some(Ok(Some((msg.to_string(), Format::Eks))));
            }
        }
    }
    // Kinesis/Firehose: base64 of a gzipped subscription payload.
    if trimmed.len() >= 16 && trimmed.starts_with("H4sI") {
        let bytes = match base64::engine::general_purpose::STANDARD.decode(trimmed) {
            Ok(b) => b,
            Err(e) => return Some(Err(format!("not valid base64: {e}"))),
        };
        let mut text = String::new();
        return Some(
            match flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut text) {
                Ok(_) => Ok(Some((text, Format::Eks))),
                Err(e) => Err(format!("base64 payload that is not gzipped JSON: {e}")),
            },
        );
    }
    None
}

/// Normalises Cloud Logging's timestamps (`2024-02-13 12:45:06.073905000`
/// in some exports) to RFC 3339.
fn rfc3339(ts: &str) -> String {
    let t = ts.replacen(' ', "T", 1);
    if t.ends_with('Z') || t[10..].contains(['+', '-']) {
        t
    } else {
        format!("{t}Z")
    }
}

fn get_str(v: Option<Value<'_>>, key: &str) -> Option<String> {
    v.and_then(|o| o.get(key))
        .and_then(|x| x.as_str())
        .map(|s| s.into_owned())
}

fn to_json(v: Value<'_>) -> Json {
    serde_json::from_str(v.text()).unwrap_or(Json::Null)
}

/// Maps a GKE `LogEntry` onto an audit Event.
///
/// - `verb`: the last segment of `methodName` (`io.k8s.core.v1.pods.create`);
/// - `objectRef`: from `resourceName`
///   (`core/v1/namespaces/<ns>/<resource>/<name>[/<subresource>]`; `core` is
///   the core group `""`);
/// - `user.username`: `authenticationInfo.principalEmail`;
/// - `sourceIPs`, `userAgent`: `requestMetadata.callerIp`,
///   `callerSuppliedUserAgent`;
/// - `requestObject`, `responseObject`: `request`, `response`;
/// - `auditID`: `operation.id`, else `insertId` (that `operation.id` equals the
///   API server's auditID is plausible, not verified);
/// - `stageTimestamp`: `timestamp`;
/// - `annotations["authorization.k8s.io/decision"]`: from
///   `authorizationInfo[].granted`;
/// - `responseStatus`: `status.message`, and `status: Failure` when
///   `status.code` (a google.rpc code, not HTTP) is not 0.
///
/// Not recoverable, so missing: `stage`, `level`, `responseStatus.code`,
/// `requestReceivedTimestamp` (so `latency`), `user.groups`.
pub fn gke_event(entry: Value<'_>, proto: Value<'_>) -> Result<String, String> {
    if let Some(service) = proto.get("serviceName").and_then(|s| s.as_str()) {
        if service != "k8s.io" {
            return Err(format!(
                "a Cloud Audit Log entry for {service}, not Kubernetes"
            ));
        }
    }
    let method = proto
        .get("methodName")
        .and_then(|m| m.as_str())
        .ok_or("a GKE entry without protoPayload.methodName")?;
    let mut e = Map::new();
    e.insert("kind".into(), json!("Event"));
    e.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
    let audit_id =
        get_str(entry.get("operation"), "id").or_else(|| get_str(Some(entry), "insertId"));
    if let Some(id) = audit_id {
        e.insert("auditID".into(), json!(id));
    }
    let verb = method.rsplit('.').next().unwrap_or_default();
    e.insert("verb".into(), json!(verb));
    if let Some(name) = proto.get("resourceName").and_then(|r| r.as_str()) {
        e.insert("requestURI".into(), json!(format!("/{name}")));
        if let Some(obj) = object_ref(&name) {
            e.insert("objectRef".into(), obj);
        }
    }
    let mut user = Map::new();
    if let Some(p) = get_str(proto.get("authenticationInfo"), "principalEmail") {
        user.insert("username".into(), json!(p));
    }
    e.insert("user".into(), Json::Object(user));
    let meta = proto.get("requestMetadata");
    if let Some(ip) = get_str(meta, "callerIp").or_else(|| get_str(meta, "callerIP")) {
        e.insert("sourceIPs".into(), json!([ip]));
    }
    if let Some(ua) = get_str(meta, "callerSuppliedUserAgent") {
        e.insert("userAgent".into(), json!(ua));
    }
    if let Some(status) = proto.get("status") {
        let mut rs = Map::new();
        let code = status.get("code").and_then(|c| c.as_f64()).unwrap_or(0.0);
        rs.insert(
            "status".into(),
            json!(if code == 0.0 { "Success" } else { "Failure" }),
        );
        if let Some(m) = get_str(Some(status), "message") {
            rs.insert("message".into(), json!(m));
        }
        e.insert("responseStatus".into(), Json::Object(rs));
    }
    if let Some(r) = proto.get("request") {
        e.insert("requestObject".into(), to_json(r));
    }
    if let Some(r) = proto.get("response") {
        e.insert("responseObject".into(), to_json(r));
    }
    if let Some(ts) = entry.get("timestamp").and_then(|t| t.as_str()) {
        e.insert("stageTimestamp".into(), json!(rfc3339(&ts)));
    }
    if let Some(info) = proto.get("authorizationInfo") {
        let granted: Vec<bool> = info
            .elements()
            .filter_map(|a| a.get("granted").and_then(|g| g.as_bool()))
            .collect();
        if !granted.is_empty() {
            let decision = if granted.iter().all(|&g| g) {
                "allow"
            } else {
                "forbid"
            };
            e.insert(
                "annotations".into(),
                json!({ "authorization.k8s.io/decision": decision }),
            );
        }
    }
    Ok(Json::Object(e).to_string())
}

/// `core/v1/namespaces/default/pods/nginx[/exec]` → objectRef.
fn object_ref(name: &str) -> Option<Json> {
    let seg: Vec<&str> = name.split('/').collect();
    if seg.len() < 3 {
        return None;
    }
    let group = if seg[0] == "core" { "" } else { seg[0] };
    let rest = &seg[2..];
    let (ns, rest) = match rest {
        ["namespaces", ns, tail @ ..] if !tail.is_empty() => (Some(*ns), tail),
        _ => (None, rest),
    };
    let mut o = Map::new();
    o.insert("resource".into(), json!(rest[0]));
    if let Some(ns) = ns {
        o.insert("namespace".into(), json!(ns));
    }
    if let Some(n) = rest.get(1) {
        o.insert("name".into(), json!(n));
    }
    if !group.is_empty() {
        o.insert("apiGroup".into(), json!(group));
    }
    o.insert("apiVersion".into(), json!(seg[1]));
    if let Some(s) = rest.get(2) {
        o.insert("subresource".into(), json!(s));
    }
    Some(Json::Object(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_gke_resource_names() {
        assert_eq!(
            object_ref("core/v1/namespaces/default/pods/nginx/exec").unwrap(),
            json!({"resource":"pods","namespace":"default","name":"nginx","apiVersion":"v1","subresource":"exec"})
        );
        assert_eq!(
            object_ref("rbac.authorization.k8s.io/v1/clusterroles/admin").unwrap(),
            json!({"resource":"clusterroles","name":"admin","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"})
        );
        assert_eq!(
            object_ref("core/v1/namespaces/kube-system").unwrap(),
            json!({"resource":"namespaces","name":"kube-system","apiVersion":"v1"})
        );
        assert_eq!(
            rfc3339("2024-02-13 12:45:06.073905000"),
            "2024-02-13T12:45:06.073905000Z"
        );
        assert_eq!(
            rfc3339("2024-02-13T12:45:06+01:00"),
            "2024-02-13T12:45:06+01:00"
        );
    }

    #[test]
    fn line_envelopes() {
        let csv = r#"2021-08-11 09:29:13.095,"{""kind"":""Event"",""verb"":""get""}""#;
        assert_eq!(
            unwrap_line(csv),
            Some(Ok(Some((
                r#"{"kind":"Event","verb":"get"}"#.to_string(),
                Format::Eks
            ))))
        );
        assert_eq!(unwrap_line("@timestamp,@message"), Some(Ok(None)));
        assert_eq!(
            unwrap_line(r#"master-0 {"verb":"get"}"#),
            Some(Ok(Some((
                r#"{"verb":"get"}"#.to_string(),
                Format::Openshift
            ))))
        );
        assert_eq!(unwrap_line("garbage here"), None);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, br#"{"logEvents":[{"message":"{}"}]}"#).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        assert_eq!(
            unwrap_line(&b64),
            Some(Ok(Some((
                r#"{"logEvents":[{"message":"{}"}]}"#.to_string(),
                Format::Eks
            ))))
        );
    }
}
