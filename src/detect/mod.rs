//! `kaq detect`: a catalogue of detection rules evaluated in one pass.
//!
//! Rules are data ([`rules`], the built-in catalogue is `catalogue.yaml`),
//! written in kaq's own filter language. Workers evaluate every enabled rule
//! against each event ([`Detector::evaluate`]) and hand [`Hit`]s to the one
//! [`findings::FindingSink`] on the main thread, which sees them in log order
//! and turns them into findings: each request counted once, threshold rules
//! counted over sliding windows ([`window`]).
//!
//! One request, one evaluation: an event is considered at its final stage
//! (`ResponseComplete`, `Panic`, or no stage at all, as cloud formats have),
//! except a streaming request (exec, attach, port-forward), which is
//! considered when its stream starts (`ResponseStarted`) — the moment the
//! shell opened — and not again at its end.

pub mod findings;
pub mod listing;
mod route;
pub mod rules;
pub mod window;

use std::collections::HashMap;
use std::path::Path;

use crate::event::{Event, Nested, Top};
use crate::filter::eval::{glob_regex, Atoms, Known};
use crate::filter::fields;
use crate::output::columns::{field_text, value_text, ColumnValue};
use crate::time::{parse_timestamp, Micros};
use crate::work::{Found, Work};
use route::Router;
pub use rules::{Rule, RuleError, RuleFile, Severity};

/// The built-in catalogue.
pub const CATALOGUE: &str = include_str!("catalogue.yaml");

/// Which rules to run: `--only` and `--skip` (ids or globs).
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

/// Every rule known (built-in and from `--rules` files), enabled or not.
pub fn load(files: &[(String, String)]) -> Result<Vec<Rule>, RuleError> {
    let mut parsed = vec![rules::parse_file(CATALOGUE, "built-in")?];
    for (origin, text) in files {
        parsed.push(rules::parse_file(text, origin)?);
    }
    let origins: Vec<&str> = std::iter::once("built-in")
        .chain(files.iter().map(|(o, _)| o.as_str()))
        .collect();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (file, origin) in parsed.iter().zip(&origins) {
        for spec in &file.rules {
            if let Some(first) = seen.insert(&spec.id, origin) {
                return Err(RuleError {
                    origin: origin.to_string(),
                    rule: Some(spec.id.clone()),
                    message: format!(
                        "the id is already used ({first}); to replace a rule, `disable:` it and give yours a new id"
                    ),
                });
            }
        }
    }
    // Additions to allow-lists, and switches, from every file.
    let mut allow: HashMap<String, rules::AllowSpec> = HashMap::new();
    let mut switch: HashMap<String, bool> = HashMap::new();
    for (file, origin) in parsed.iter().zip(&origins) {
        let unknown = |id: &str, what: &str| RuleError {
            origin: origin.to_string(),
            rule: None,
            message: format!(
                "{what}: no rule has the id `{id}`{}",
                suggestion(id, seen.keys().copied())
            ),
        };
        for (id, more) in &file.allow {
            if !seen.contains_key(id.as_str()) {
                return Err(unknown(id, "allow"));
            }
            allow.entry(id.clone()).or_default().extend(more);
        }
        for (list, on) in [(&file.enable, true), (&file.disable, false)] {
            for id in list {
                if !seen.contains_key(id.as_str()) {
                    return Err(unknown(id, if on { "enable" } else { "disable" }));
                }
                switch.insert(id.clone(), on);
            }
        }
    }
    let mut out = Vec::new();
    for (file, origin) in parsed.iter().zip(&origins) {
        for spec in &file.rules {
            let mut rule = spec.compile(allow.get(&spec.id), origin)?;
            if let Some(&on) = switch.get(&spec.id) {
                rule.enabled = on;
            }
            out.push(rule);
        }
    }
    Ok(out)
}

fn suggestion<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> String {
    fields::suggest(id, ids)
        .map(|s| format!("; did you mean {s}?"))
        .unwrap_or_default()
}

/// Reads `--rules` files: (name as given, text).
pub fn read_rule_files(paths: &[impl AsRef<Path>]) -> Result<Vec<(String, String)>, RuleError> {
    paths
        .iter()
        .map(|p| {
            let name = p.as_ref().display().to_string();
            std::fs::read_to_string(p)
                .map(|text| (name.clone(), text))
                .map_err(|e| RuleError {
                    origin: name,
                    rule: None,
                    message: crate::messages::describe_io(&e),
                })
        })
        .collect()
}

/// Keeps the rules the selection asks for: with `--only`, exactly the rules
/// it names (enabled or not); otherwise the enabled ones; minus `--skip`.
/// A pattern that names no rule is an error (a typo would silently run
/// nothing).
pub fn select(all: Vec<Rule>, sel: &Selection) -> Result<Vec<Rule>, String> {
    let pattern = |p: &str| -> Result<regex::Regex, String> {
        regex::Regex::new(&format!("^{}$", glob_regex(p))).map_err(|e| e.to_string())
    };
    for (flag, list) in [("--only", &sel.only), ("--skip", &sel.skip)] {
        for p in list {
            let re = pattern(p)?;
            if !all.iter().any(|r| re.is_match(&r.id)) {
                return Err(format!(
                    "{flag} {p}: no rule has this id{}",
                    suggestion(p, all.iter().map(|r| r.id.as_str()))
                ));
            }
        }
    }
    let only: Vec<regex::Regex> = sel
        .only
        .iter()
        .map(|p| pattern(p))
        .collect::<Result<_, _>>()?;
    let skip: Vec<regex::Regex> = sel
        .skip
        .iter()
        .map(|p| pattern(p))
        .collect::<Result<_, _>>()?;
    Ok(all
        .into_iter()
        .filter(|r| {
            if only.is_empty() {
                r.enabled
            } else {
                only.iter().any(|re| re.is_match(&r.id))
            }
        })
        .filter(|r| !skip.iter().any(|re| re.is_match(&r.id)))
        .collect())
}

/// The compiled rules a run evaluates. An event is tested only against the
/// rules that can fire on it ([`route`]).
#[derive(Debug)]
pub struct Detector {
    pub rules: Vec<Rule>,
    /// Tells this detector's routes apart from another's in a thread's
    /// [`Router`].
    id: u64,
    /// `--no-thresholds`: threshold rules report every event they count.
    pub no_thresholds: bool,
    /// The tests the rules have in common, each run once per event.
    atoms: Atoms,
}

/// Which part of a streaming request (exec, attach, port-forward) an event
/// is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Not a streaming request.
    No,
    /// The stream opened (`ResponseStarted`): the request's one evaluation.
    Started,
    /// The request finished; evaluated only if its start was not logged.
    Complete,
}

/// What the worker knows of one event that fired a rule: enough to print the
/// finding without the event. Built on matches only.
#[derive(Debug, Clone)]
pub struct Subject {
    /// 1-based, counted from the chunk's first line.
    pub line: u64,
    pub stream: Stream,
    pub audit_id: String,
    pub time: Option<Micros>,
    /// The timestamp as logged.
    pub time_text: String,
    pub user: String,
    pub impersonated: Option<String>,
    pub source_ip: String,
    pub user_agent: String,
    pub verb: String,
    /// `pods/exec default/web`.
    pub object: String,
    pub code: Option<i64>,
    /// The decoded command of an exec.
    pub command: Option<String>,
}

/// One rule firing on one event (or, with `rule: None`, the start or end of
/// a streaming request that fired nothing, so that the sink pairs each start
/// with the next end whatever fires).
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: Option<u16>,
    pub subject: std::sync::Arc<Subject>,
    /// The values that made the rule fire (not for threshold rules: the sink
    /// explains the burst).
    pub why: Vec<String>,
    /// Threshold rules: the grouping key, and the `distinct` field's value.
    pub key: String,
    pub distinct: Option<String>,
}

/// Fields the finding's own columns show; explanations leave them out.
const SHOWN: &[&[&str]] = &[
    &["verb"],
    &["stage"],
    &["objectRef", "resource"],
    &["objectRef", "subresource"],
    &["objectRef", "namespace"],
    &["objectRef", "name"],
    &["user", "username"],
];

impl Detector {
    pub fn new(mut rules: Vec<Rule>, no_thresholds: bool) -> Detector {
        assert!(rules.len() < usize::from(u16::MAX), "too many rules");
        let mut atoms = Atoms::default();
        for rule in &mut rules {
            rule.matcher.share(&mut atoms);
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Detector {
            rules,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            no_thresholds,
            atoms,
        }
    }

    /// Calls `f` with the rules that can fire on `e`, in catalogue order
    /// (what [`Detector::evaluate`] tests `e` against). Call it on an event
    /// that [`Event::index_nested`] indexed.
    pub fn with_candidates<R>(&self, e: &Event<'_>, f: impl FnOnce(&[u16]) -> R) -> R {
        SCRATCH.with_borrow_mut(|(routes, _)| f(routes.candidates(self, e)))
    }

    /// Tests one event against every rule that can fire on it; hits go to
    /// `out` in catalogue order.
    pub fn evaluate(&self, e: &Event<'_>, line: u64, out: &mut Vec<Hit>) {
        // A dozen rules read the same few fields of each event, and eight
        // the same pod spec.
        let memo = crate::event::Memo::default();
        let e = &e.index_nested().with_memo(&memo);
        let streaming = e
            .nested(Nested::SUBRESOURCE)
            .and_then(|v| v.as_str())
            .is_some_and(|s| matches!(s.as_ref(), "exec" | "attach" | "portforward"));
        let stage = e.get_top(Top::STAGE).and_then(|v| v.as_str());
        let stream = match (stage.as_deref(), streaming) {
            (Some("ResponseStarted"), true) => Stream::Started,
            (Some("ResponseComplete" | "Panic") | None, true) => Stream::Complete,
            (Some("ResponseComplete" | "Panic") | None, false) => Stream::No,
            _ => return,
        };
        let mut subject: Option<std::sync::Arc<Subject>> = None;
        let mut subject_of = |e: &Event<'_>| {
            subject
                .get_or_insert_with(|| std::sync::Arc::new(describe(e, line, stream)))
                .clone()
        };
        let before = out.len();
        // One borrow of the per-thread state for the whole event.
        SCRATCH.with_borrow_mut(|(routes, known)| {
            let candidates = routes.candidates(self, e);
            known.reset(&self.atoms);
            for &i in candidates {
                let rule = &self.rules[usize::from(i)];
                if !rule.matcher.matches_known(e, known) {
                    continue;
                }
                let (why, key, distinct) = match &rule.threshold {
                    Some(t) if !self.no_thresholds => (
                        Vec::new(),
                        t.by.iter()
                            .map(|(_, p)| field_text(e, p))
                            .collect::<Vec<_>>()
                            .join(" "),
                        t.distinct.as_ref().map(|(_, p)| field_text(e, p)),
                    ),
                    _ => (rule.matcher.explain(e, SHOWN), String::new(), None),
                };
                out.push(Hit {
                    rule: Some(i),
                    subject: subject_of(e),
                    why,
                    key,
                    distinct,
                });
            }
        });
        // A stream's start and end reach the sink even when they fire
        // nothing: each start covers the next end with its auditID,
        // whichever rules fire on either.
        if stream != Stream::No && out.len() == before {
            out.push(Hit {
                rule: None,
                subject: subject_of(e),
                why: Vec::new(),
                key: String::new(),
                distinct: None,
            });
        }
    }
}

thread_local! {
    /// Each worker's routes and shared-test answers, borrowed once per event.
    static SCRATCH: std::cell::RefCell<(Router, Known)> = std::cell::RefCell::default();
}

fn describe(e: &Event<'_>, line: u64, stream: Stream) -> Subject {
    let s = |k: &str| e.str(k).map(|c| c.into_owned()).unwrap_or_default();
    let nested = |a: &str, b: &str| {
        e.get(a)
            .and_then(|v| v.get(b))
            .and_then(|v| v.as_str())
            .map(|c| c.into_owned())
    };
    let (time_text, time) = ["stageTimestamp", "requestReceivedTimestamp", "timestamp"]
        .iter()
        .find_map(|k| {
            let t = e.str(k)?;
            Some((t.to_string(), parse_timestamp(&t)))
        })
        .unwrap_or_default();
    // `pods/exec default/web`; a create's name may be generated after the
    // audit event was made, so the body's name or generateName stands in.
    let mut object = value_text(&ColumnValue::Object, e);
    if nested("objectRef", "name").is_none() {
        let meta = e.get("requestObject").and_then(|o| o.get("metadata"));
        let field = |k| meta.and_then(|m| m.get(k)).and_then(|v| v.as_str());
        if let Some(n) = field("name") {
            object.push_str(&n);
        } else if let Some(g) = field("generateName") {
            object.push_str(&g);
            object.push('*');
        }
    }
    let object = format!("{} {object}", value_text(&ColumnValue::Resource, e));
    let source_ip = e
        .get("sourceIPs")
        .and_then(|v| v.elements().next())
        .and_then(|v| v.as_str())
        .map(|c| c.into_owned())
        .unwrap_or_default();
    Subject {
        line,
        stream,
        audit_id: s("auditID"),
        time,
        time_text,
        user: nested("user", "username").unwrap_or_default(),
        impersonated: nested("impersonatedUser", "username"),
        source_ip,
        user_agent: s("userAgent"),
        verb: s("verb"),
        object: object.trim().to_string(),
        code: e
            .get("responseStatus")
            .and_then(|r| r.get("code"))
            .and_then(|c| c.as_f64())
            .map(|c| c as i64),
        command: crate::event::computed::exec_command(e),
    }
}

/// `kaq detect` is a kind of work: each matching event is tested against
/// the rules, and a chunk's part is the hits, in log order.
impl Work for Detector {
    type Part = Vec<Hit>;

    fn take(&self, e: &Event<'_>, at: Found, hits: &mut Vec<Hit>) -> u64 {
        let before = hits.len();
        self.evaluate(e, at.line, hits);
        (hits.len() - before) as u64
    }

    fn weight(hits: &Vec<Hit>) -> usize {
        hits.len() * 256
    }

    /// A dozen rules read `objectRef`, `user` and the like per event.
    fn reads_nested(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_compiles_and_ids_are_unique() {
        let all = load(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(all.len() >= 50, "{} rules", all.len());
        for r in &all {
            assert!(!r.title.is_empty() && !r.description.is_empty(), "{}", r.id);
            assert!(r.mitre.is_some(), "{} has no ATT&CK technique", r.id);
        }
    }

    #[test]
    fn user_files_extend_and_switch() {
        let mine = (
            "mine.yaml".to_string(),
            "allow:\n  privileged-container:\n    images: [nginx]\nenable: [disallowed-user]\ndisable: [object-created]\nrules:\n  - id: my-rule\n    title: Mine\n    severity: low\n    mitre: T1078\n    description: d\n    filter: verb == \"get\"\n".to_string(),
        );
        let all = load(&[mine]).unwrap_or_else(|e| panic!("{e}"));
        let get = |id: &str| all.iter().find(|r| r.id == id).unwrap();
        assert!(get("disallowed-user").enabled);
        assert!(!get("object-created").enabled);
        assert_eq!(get("my-rule").origin, "mine.yaml");
        let bad = (
            "b".to_string(),
            "enable: [privileged-containr]\n".to_string(),
        );
        let e = load(&[bad]).unwrap_err().to_string();
        assert!(e.contains("did you mean privileged-container"), "{e}");
        let dup = (
            "d".to_string(),
            "rules:\n  - id: exec-into-pod\n    title: x\n    severity: low\n    filter: 'true'\n"
                .to_string(),
        );
        assert!(load(&[dup])
            .unwrap_err()
            .to_string()
            .contains("already used"));
    }

    #[test]
    fn selection_by_id_and_glob() {
        let all = load(&[]).unwrap();
        let n = all.iter().filter(|r| r.enabled).count();
        let sel = |only: &[&str], skip: &[&str]| {
            select(
                load(&[]).unwrap(),
                &Selection {
                    only: only.iter().map(|s| s.to_string()).collect(),
                    skip: skip.iter().map(|s| s.to_string()).collect(),
                },
            )
        };
        assert_eq!(sel(&[], &[]).unwrap().len(), n);
        assert_eq!(sel(&["exec-into-pod"], &[]).unwrap().len(), 1);
        assert!(sel(&["exec-*"], &[]).unwrap().len() > 1);
        assert_eq!(
            sel(&[], &["exec-*"]).unwrap().len(),
            n - sel(&["exec-*"], &[])
                .unwrap()
                .iter()
                .filter(|r| r.enabled)
                .count()
        );
        assert!(sel(&["exec-into-pods"], &[])
            .unwrap_err()
            .contains("did you mean"));
    }
}
