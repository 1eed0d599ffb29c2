//! Fields kaq computes from an event, usable wherever a field is:
//!
//! - `latency`: `stageTimestamp − requestReceivedTimestamp`, in seconds
//!   (compare with durations: `latency > 5s`);
//! - `exec.command`: the command of an exec request, decoded from the
//!   `command=` parameters of `requestURI` and joined with spaces
//!   (`sh -c curl http://169.254.169.254`);
//! - `actor`: whose permissions the request used — `impersonatedUser.username`
//!   when impersonating, else `user.username`;
//! - `impersonator`: `user.username` when the request impersonated someone
//!   (`impersonatedUser` present and not null), else missing. So `actor` is
//!   who acted and `impersonator` who made them;
//! - `format`: the envelope the event came in: `event`, `aks`, `eks`, `gke`,
//!   `openshift` (see [`super::envelope`]);
//! - `pod.spec`, `pod.containers`, `pod.volumes`: the pod spec a request
//!   writes, found where that kind of object keeps it (see [`POD_SPEC_AT`]):
//!   a Pod's `spec`; `spec.template.spec` of a Deployment, ReplicaSet,
//!   StatefulSet, DaemonSet, Job or ReplicationController; a CronJob's
//!   `spec.jobTemplate.spec.template.spec`; a PodTemplate's `template.spec`.
//!   The kind is the body's `kind`, or, when the body has none,
//!   `objectRef.resource`. Any other object (a Service has a `spec` too) has
//!   no `pod.*`. `containers` holds the `containers`, `initContainers` and
//!   `ephemeralContainers` of that spec together, so
//!   `any(pod.containers[*], securityContext.privileged == true)` misses none
//!   of them.
//!
//! - `raw`: the event's JSON text, as one string (for a cloud record, the
//!   Event inside it): what Sigma's keyword (field-less) searches read.
//!
//! A real top-level field of the same name, should an event carry one, wins.

use super::{visit_value, Event, Segment, Span};
use crate::json::{raw_eq, Kind, Value};
use crate::time::parse_timestamp;

/// The names of the computed top-level fields.
pub const NAMES: [&str; 7] = [
    "latency",
    "exec",
    "actor",
    "impersonator",
    "format",
    "pod",
    "raw",
];

/// The container lists of a pod spec.
const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Visits a computed field; false (nothing visited) for other names.
pub fn visit(
    e: &Event<'_>,
    name: &str,
    rest: &[Segment],
    f: &mut dyn for<'v> FnMut(Value<'v>) -> bool,
) -> bool {
    match name {
        "latency" => match latency_text(e) {
            Some(text) => visit_value(Value::new_unchecked(&text), rest, f),
            None => false,
        },
        "exec" => match (rest, exec_command(e)) {
            ([Segment::Key(k)], Some(cmd)) if k == "command" => {
                let text = serde_json::Value::from(cmd).to_string();
                f(Value::new_unchecked(&text))
            }
            _ => false,
        },
        "actor" => {
            let imp = e.get("impersonatedUser").and_then(|u| u.get("username"));
            match imp.or_else(|| e.get("user").and_then(|u| u.get("username"))) {
                Some(v) => visit_value(v, rest, f),
                None => false,
            }
        }
        "raw" => {
            let text = serde_json::Value::from(e.raw()).to_string();
            visit_value(Value::new_unchecked(&text), rest, f)
        }
        "format" => {
            let text = format!("\"{}\"", e.format().name());
            visit_value(Value::new_unchecked(&text), rest, f)
        }
        "pod" => {
            let Some((Segment::Key(part), rest)) = rest.split_first() else {
                return false;
            };
            let parts = pod_parts(e);
            let mut visit_at = |span: &Span| e.at(*span).is_some_and(|v| visit_value(v, rest, f));
            match part.as_str() {
                "spec" => visit_at(&parts.spec),
                "containers" => parts.lists.iter().any(visit_at),
                "volumes" => visit_at(&parts.volumes),
                _ => false,
            }
        }
        // `"impersonatedUser": null` (re-serialised events carry it) means
        // nobody was impersonated, as an absent member does.
        "impersonator" => match e.get("impersonatedUser") {
            Some(imp) if !imp.is_null() => match e.get("user").and_then(|u| u.get("username")) {
                Some(v) => visit_value(v, rest, f),
                None => false,
            },
            _ => false,
        },
        _ => false,
    }
}

/// Where each kind of object keeps its pod spec: the body's `kind`, the
/// `objectRef.resource` that names the same objects (for bodies without a
/// kind), and the path from the body to the spec. One table, so the SQL
/// backends can read the same rule.
pub const POD_SPEC_AT: [(&str, &str, &[&str]); 9] = [
    ("Pod", "pods", &["spec"]),
    ("Deployment", "deployments", &["spec", "template", "spec"]),
    ("ReplicaSet", "replicasets", &["spec", "template", "spec"]),
    ("StatefulSet", "statefulsets", &["spec", "template", "spec"]),
    ("DaemonSet", "daemonsets", &["spec", "template", "spec"]),
    ("Job", "jobs", &["spec", "template", "spec"]),
    (
        "ReplicationController",
        "replicationcontrollers",
        &["spec", "template", "spec"],
    ),
    (
        "CronJob",
        "cronjobs",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("PodTemplate", "podtemplates", &["template", "spec"]),
];

/// Where the pod spec of a request's body is, with its container lists and
/// volumes: byte spans in the event's text, `(0, 0)` where absent. Found in
/// one walk of the spec, because many filters (a detection catalogue holds
/// eight) read them and each lookup would otherwise walk a body of many
/// kilobytes again; see [`super::Memo`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PodParts {
    spec: Span,
    /// The spec's `containers`, `initContainers`, `ephemeralContainers`.
    lists: [Span; 3],
    volumes: Span,
}

/// The pod parts of an event, from its memo when it has one.
fn pod_parts(e: &Event<'_>) -> PodParts {
    match e.memo() {
        Some(memo) => *memo.pod.get_or_init(|| find_pod_parts(e)),
        None => find_pod_parts(e),
    }
}

/// The path from the request body to its pod spec, by the body's `kind`,
/// else by `objectRef.resource`; `None` for objects without a pod spec.
fn pod_spec_path(e: &Event<'_>, body: Value<'_>) -> Option<&'static [&'static str]> {
    let found = match body.get("kind").filter(|k| !k.is_null()) {
        Some(kind) => {
            let kind = kind.raw_str()?;
            POD_SPEC_AT.iter().find(|(k, _, _)| raw_eq(kind, k))
        }
        None => {
            let resource = e.get("objectRef")?.get("resource")?;
            let resource = resource.raw_str()?;
            POD_SPEC_AT.iter().find(|(_, r, _)| raw_eq(resource, r))
        }
    };
    found.map(|(_, _, path)| *path)
}

fn find_pod_parts(e: &Event<'_>) -> PodParts {
    let mut parts = PodParts::default();
    let Some(body) = e.get("requestObject") else {
        return parts;
    };
    let Some(path) = pod_spec_path(e, body) else {
        return parts;
    };
    let Some(spec) = path.iter().try_fold(body, |v, k| v.get(k)) else {
        return parts;
    };
    if spec.kind() != Kind::Object {
        return parts;
    }
    parts.spec = e.span(spec);
    // One walk of the spec (the first member of each name counts, as in a
    // lookup).
    for (key, v) in spec.members() {
        let slot = match CONTAINER_LISTS.iter().position(|l| raw_eq(key, l)) {
            Some(i) => &mut parts.lists[i],
            None if raw_eq(key, "volumes") => &mut parts.volumes,
            None => continue,
        };
        if slot.1 == 0 {
            *slot = e.span(v);
        }
    }
    parts
}

/// `stageTimestamp − requestReceivedTimestamp` in microseconds.
pub fn latency_micros(e: &Event<'_>) -> Option<i64> {
    let t = |k| e.str(k).and_then(|s| parse_timestamp(&s));
    Some(t("stageTimestamp")? - t("requestReceivedTimestamp")?)
}

/// `latency` as JSON number text in seconds (`0.035`): what filters compare,
/// views group by, and CSV, TSV and JSON carry.
pub fn latency_text(e: &Event<'_>) -> Option<String> {
    latency_micros(e).map(|us| format!("{}", us as f64 / 1e6))
}

/// The command of an exec request, joined with spaces: the decoded
/// `command=` parameters of its URI, or, where the URI carries none (GKE
/// records, bodies logged at Request level), the `command` list of its
/// request body (PodExecOptions). `None` when the request is not an exec or
/// has no command.
pub fn exec_command(e: &Event<'_>) -> Option<String> {
    let uri = e.str("requestURI").unwrap_or_default();
    let (path, query) = uri.split_once('?').unwrap_or((&uri, ""));
    let is_exec = path.ends_with("/exec")
        || e.get("objectRef")
            .and_then(|o| o.get("subresource"))
            .and_then(|s| s.as_str())
            .is_some_and(|s| s == "exec");
    if !is_exec {
        return None;
    }
    let args: Vec<String> = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("command="))
        .map(percent_decode)
        .collect();
    if !args.is_empty() {
        return Some(args.join(" "));
    }
    let body = e.get("requestObject")?.get("command")?;
    let args: Vec<String> = body
        .elements()
        .filter_map(|v| v.as_str().map(|s| s.into_owned()))
        .collect();
    (!args.is_empty()).then(|| args.join(" "))
}

/// Decodes a URL query value: `+` is a space, `%XX` a byte.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.map(|h| u8::from_str_radix(h, 16)) {
                    Some(Ok(byte)) => {
                        out.push(byte);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::index_object;

    fn with<R>(text: &str, f: impl FnOnce(&Event<'_>) -> R) -> R {
        let mut m = Vec::new();
        index_object(text, &mut m).unwrap();
        f(&Event::new(text, &m))
    }

    #[test]
    fn decodes_exec_commands() {
        let ev = r#"{"verb":"create","requestURI":"/api/v1/namespaces/d/pods/w/exec?command=sh\u0026command=-c\u0026command=curl+http%3A%2F%2F169.254.169.254\u0026container=w\u0026stdin=true"}"#;
        assert_eq!(
            with(ev, exec_command).as_deref(),
            Some("sh -c curl http://169.254.169.254")
        );
        let attach =
            r#"{"verb":"create","requestURI":"/api/v1/namespaces/d/pods/w/attach?container=w"}"#;
        assert_eq!(with(attach, exec_command), None);
        let body = r#"{"verb":"create","objectRef":{"resource":"pods","subresource":"exec"},"requestURI":"/core/v1/namespaces/d/pods/w/exec","requestObject":{"command":["cat","/var/run/secrets/x"]}}"#;
        assert_eq!(
            with(body, exec_command).as_deref(),
            Some("cat /var/run/secrets/x")
        );
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%aé"), "%aé");
    }

    #[test]
    fn latency_and_actor() {
        let ev = r#"{"verb":"get","user":{"username":"admin"},"impersonatedUser":{"username":"bob"},"requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z","stageTimestamp":"2024-01-01T00:00:01.500000Z"}"#;
        with(ev, |e| {
            assert_eq!(latency_micros(e), Some(1_500_000));
            let mut got = Vec::new();
            for name in ["latency", "actor", "impersonator"] {
                visit(e, name, &[], &mut |v| {
                    got.push(v.text().to_string());
                    false
                });
            }
            assert_eq!(got, ["1.5", "\"bob\"", "\"admin\""]);
        });
        let plain = r#"{"verb":"get","user":{"username":"alice"}}"#;
        with(plain, |e| {
            let mut got = Vec::new();
            for name in ["latency", "actor", "impersonator"] {
                visit(e, name, &[], &mut |v| {
                    got.push(v.text().to_string());
                    false
                });
            }
            assert_eq!(got, ["\"alice\""]);
        });
    }
}
