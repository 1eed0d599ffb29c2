//! The one field mapping every target shares: where each kaq field is found
//! in a raw audit Event, and how the fields kaq computes are defined from
//! raw ones.
//!
//! Data, not code, as pySigma's processing pipelines keep field mappings: a
//! SQL dialect builds each [`Def`] from its own functions, the Sigma
//! exporter writes raw fields as Sigma field names and the computed ones
//! through [`Computed::sigma`], and the Sigma loader reads the community's
//! abstract field names back through [`SIGMA_FIELDS`].
//!
//! Aliases (`user`, `ns`, `code`, ...) never reach a target: the checker has
//! already replaced them with their paths ([`crate::filter::fields::ALIASES`]).
//! A path that is not computed is raw: the event's own JSON at that path.

use super::Target;

/// How a computed field is built from raw fields. Mirrors
/// [`crate::event::computed`], which is the reference every target must
/// agree with (the differential tests check that they do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Def {
    /// The first of these paths that is present (`actor`): as
    /// [`crate::event::computed`] reads it, a present JSON `null` counts,
    /// so `impersonatedUser.username: null` makes `actor` null.
    FirstOf(&'static [&'static [&'static str]]),
    /// `then` when `when` is present and not null, else missing
    /// (`impersonator`).
    When {
        when: &'static [&'static str],
        then: &'static [&'static str],
    },
    /// `to − from` in seconds, as a number with microsecond precision; both
    /// are RFC 3339 timestamps (`latency`). Missing when either is.
    SecondsBetween {
        from: &'static [&'static str],
        to: &'static [&'static str],
    },
    /// An exec request's command: the percent-decoded `command=` parameters
    /// of `requestURI`'s query, joined with spaces; where the URI has none,
    /// the strings of `requestObject.command`, joined with spaces. Missing
    /// unless the URI's path ends in `/exec` or `objectRef.subresource` is
    /// `exec`. See [`crate::event::computed::exec_command`].
    ExecCommand,
    /// The envelope the event came in. Targets read raw `audit.k8s.io`
    /// events, so it is the constant `event` there.
    Format,
    /// Below the pod spec of the request body, found by the body's `kind`
    /// (else `objectRef.resource`) in [`crate::event::computed::POD_SPEC_AT`]:
    /// the spec itself when `members` is empty, else these members of it,
    /// whose arrays are read as one (`pod.containers` is `containers`,
    /// `initContainers` and `ephemeralContainers`).
    PodSpec { members: &'static [&'static str] },
    /// The event's whole JSON text as a string (`raw`, which Sigma keyword
    /// searches read): the stored JSON column itself in SQL.
    RawText,
}

/// A field kaq computes, by its canonical name in the checked AST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Computed {
    /// `latency`, `exec.command`, `pod.containers`: the path's leading keys.
    pub name: &'static str,
    pub def: Def,
    /// The field kaq's Sigma rules use for it, where one carries the same
    /// meaning (see [`SIGMA_FIELDS`]); `None`: Sigma gets it rewritten into
    /// raw fields, or refuses it (see `refused`).
    pub sigma: Option<&'static str>,
    /// Targets that cannot express it exactly, and why: what a refusal says.
    pub refused: &'static [(Target, &'static str)],
}

/// Why the SQL engines refuse `raw`.
const RAW_SQL: &str = "the text kaq reads for an event (its line, or its record in an envelope) \
     is not the engine's stored JSON byte for byte";

/// Every computed field. A path whose leading keys are one of these names is
/// computed; any other path is raw.
pub const COMPUTED: &[Computed] = &[
    Computed {
        name: "latency",
        def: Def::SecondsBetween {
            from: &["requestReceivedTimestamp"],
            to: &["stageTimestamp"],
        },
        sigma: None,
        refused: &[(
            Target::Sigma,
            "Sigma cannot compute with field values (latency is stageTimestamp − requestReceivedTimestamp)",
        )],
    },
    Computed {
        name: "exec.command",
        def: Def::ExecCommand,
        sigma: None,
        refused: &[(
            Target::Sigma,
            "Sigma cannot percent-decode and join the command= parameters of requestURI",
        )],
    },
    Computed {
        name: "actor",
        def: Def::FirstOf(&[&["impersonatedUser", "username"], &["user", "username"]]),
        sigma: None,
        refused: &[],
    },
    Computed {
        name: "impersonator",
        def: Def::When {
            when: &["impersonatedUser"],
            then: &["user", "username"],
        },
        sigma: None,
        refused: &[],
    },
    Computed {
        name: "format",
        def: Def::Format,
        sigma: None,
        refused: &[(
            Target::Sigma,
            "the envelope is not a field of the event a SIEM stores",
        )],
    },
    Computed {
        name: "pod.spec",
        def: Def::PodSpec { members: &[] },
        sigma: None,
        refused: &[(
            Target::Sigma,
            "the pod spec's place depends on the request body's kind, and no Sigma field name carries the same meaning",
        )],
    },
    Computed {
        name: "pod.containers",
        def: Def::PodSpec {
            members: &["containers", "initContainers", "ephemeralContainers"],
        },
        sigma: None,
        refused: &[(
            Target::Sigma,
            "the pod spec's place depends on the request body's kind, and no Sigma field name carries the same meaning",
        )],
    },
    Computed {
        name: "raw",
        def: Def::RawText,
        sigma: None,
        refused: &[
            (
                Target::Sigma,
                "Sigma's keyword searches match case-insensitively, and each backend decides what text of the event they search",
            ),
            (Target::DuckDb, RAW_SQL),
            (Target::ClickHouse, RAW_SQL),
            (Target::Spark, RAW_SQL),
        ],
    },
    Computed {
        name: "pod.volumes",
        def: Def::PodSpec {
            members: &["volumes"],
        },
        sigma: None,
        refused: &[(
            Target::Sigma,
            "the pod spec's place depends on the request body's kind, and no Sigma field name carries the same meaning",
        )],
    },
];

/// Field names used by Sigma rules that are not raw Event paths, and the kaq
/// field each stands for: the abstract names of the SigmaHQ Kubernetes audit
/// rules and the legacy short names. The Sigma loader reads a rule's field
/// through this table first; the exporter writes these names where a kaq
/// rule reads the same field.
pub const SIGMA_FIELDS: &[(&str, &str)] = &[
    // SigmaHQ `kubernetes_audit_hostpath_mount.yml`: a pod mounts a host path.
    ("hostPath", "pod.volumes[*].hostPath.path"),
    // SigmaHQ `kubernetes_audit_privileged_pod_creation.yml`: a container
    // adds Linux capabilities.
    (
        "capabilities",
        "pod.containers[*].securityContext.capabilities.add[*]",
    ),
    // Legacy short name (SigmaHQ `kubernetes_audit_rbac_permisions_listing.yml`).
    ("apiGroup", "objectRef.apiGroup"),
    // Annotation keys hold dots, which a Sigma field name cannot tell from
    // nesting: the name is the one Elasticsearch gives the flattened key.
    (
        "annotations.authorization.k8s.io/decision",
        "annotations[\"authorization.k8s.io/decision\"]",
    ),
    (
        "annotations.authorization.k8s.io/reason",
        "annotations[\"authorization.k8s.io/reason\"]",
    ),
    // A Role's rules are a list; Sigma's names enter lists of objects as
    // Elasticsearch flattens them (any element's value matches).
    ("requestObject.rules.verbs", "requestObject.rules[*].verbs"),
    (
        "requestObject.rules.resources",
        "requestObject.rules[*].resources",
    ),
    (
        "responseObject.rules.verbs",
        "responseObject.rules[*].verbs",
    ),
    (
        "responseObject.rules.resources",
        "responseObject.rules[*].resources",
    ),
];

/// The computed field a path reads, if any: the entry whose name is the
/// path's leading keys.
pub fn computed(keys: &[&str]) -> Option<&'static Computed> {
    COMPUTED.iter().find(|c| {
        let mut name = c.name.split('.');
        let n = c.name.split('.').count();
        keys.len() >= n && keys.iter().take(n).all(|k| name.next() == Some(*k))
    })
}

/// The computed field `path` reads, if any: [`computed`] of its leading
/// keys.
pub fn computed_at(path: &crate::event::Path) -> Option<&'static Computed> {
    let keys: Vec<&str> = path
        .segments
        .iter()
        .map_while(|s| match s {
            crate::event::Segment::Key(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    computed(&keys)
}

/// Why `target` refuses the computed field `c`, if it does.
pub fn refusal(c: &Computed, target: Target) -> Option<&'static str> {
    c.refused
        .iter()
        .find(|(t, _)| *t == target)
        .map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::computed::NAMES;

    #[test]
    fn every_computed_field_of_the_evaluator_is_mapped() {
        for name in NAMES {
            assert!(
                COMPUTED
                    .iter()
                    .any(|c| c.name.split('.').next() == Some(name)),
                "computed field `{name}` has no mapping"
            );
        }
    }

    #[test]
    fn paths_find_their_computed_field() {
        assert_eq!(computed(&["actor"]).unwrap().name, "actor");
        assert_eq!(
            computed(&["pod", "containers"]).unwrap().name,
            "pod.containers"
        );
        assert_eq!(computed(&["exec", "command"]).unwrap().name, "exec.command");
        assert!(computed(&["pod"]).is_none());
        assert!(computed(&["user", "username"]).is_none());
        assert_eq!(
            refusal(computed(&["latency"]).unwrap(), Target::Sigma).map(|r| r.contains("compute")),
            Some(true)
        );
        assert_eq!(refusal(computed(&["actor"]).unwrap(), Target::DuckDb), None);
    }

    #[test]
    fn sigma_names_are_kaq_fields() {
        for (sigma, kaq) in SIGMA_FIELDS {
            crate::filter::field_path(kaq)
                .unwrap_or_else(|e| panic!("SIGMA_FIELDS `{sigma}` → `{kaq}`: {e}"));
        }
    }
}
