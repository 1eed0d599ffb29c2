//! The fields kaq computes, built in SQL from the shared definitions in
//! [`crate::convert::fields`] (data: which raw paths, which rule), with the
//! dialect's functions. The reference is [`crate::event::computed`].

use std::cell::Cell;

use super::dialect::{Dialect, Kind};
use super::expr::Reach;
use crate::convert::fields::{computed_at, refusal, Def};
use crate::convert::Refusal;
use crate::event::computed::POD_SPEC_AT;
use crate::event::{Path, Segment};

/// Where paths start, and fresh lambda variable names.
pub struct Ctx<'a> {
    event: &'a str,
    element: Option<String>,
    next: &'a Cell<usize>,
    /// A column holding the event's pod spec ([`pod_spec`]), when the
    /// statement computes it once per event for many tests.
    pod_spec: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    /// Paths start at `event` (a column holding the event's JSON).
    pub fn new(event: &'a str, next: &'a Cell<usize>) -> Ctx<'a> {
        Ctx {
            event,
            element: None,
            next,
            pod_spec: None,
        }
    }

    /// Paths start at `event`, and the pod spec is the column `spec`.
    pub fn with_pod_spec(event: &'a str, spec: &'a str, next: &'a Cell<usize>) -> Ctx<'a> {
        Ctx {
            pod_spec: Some(spec),
            ..Ctx::new(event, next)
        }
    }

    /// Inside `any`/`all`: relative paths start at the lambda variable `x`.
    pub fn inside(&self, x: &str) -> Ctx<'a> {
        Ctx {
            event: self.event,
            element: Some(x.to_string()),
            next: self.next,
            pod_spec: self.pod_spec,
        }
    }

    pub fn event(&self) -> &str {
        self.event
    }

    pub fn element(&self) -> &str {
        self.element.as_deref().unwrap_or(self.event)
    }

    /// A lambda variable name not used elsewhere in the statement.
    pub fn fresh(&self) -> String {
        let n = self.next.get();
        self.next.set(n + 1);
        format!("x{n}")
    }
}

/// When `path` reads a computed field: its value(s), and the segments left
/// to follow below it. `None`: the path is raw.
pub fn computed_value<'p>(
    d: &dyn Dialect,
    path: &'p Path,
    ctx: &Ctx,
) -> Result<Option<(Reach, &'p [Segment])>, Refusal> {
    let Some(c) = computed_at(path) else {
        return Ok(None);
    };
    let refuse = |reason: &str| Refusal {
        target: d.target(),
        construct: c.name.to_string(),
        reason: reason.to_string(),
    };
    if let Some(reason) = refusal(c, d.target()) {
        return Err(refuse(reason));
    }
    let rest = &path.segments[c.name.split('.').count()..];
    let ev = ctx.event();
    let raw = |p: &[&str]| d.members(ev, p);
    let present = |v: &str| format!("({v} IS NOT NULL AND NOT {})", d.is_kind(v, Kind::Null));
    let value = match c.def {
        // kaq takes the first path that is present (a JSON null included);
        // see `computed::visit`'s `actor`.
        Def::FirstOf(paths) => Reach::One(format!(
            "coalesce({})",
            paths.iter().map(|p| raw(p)).collect::<Vec<_>>().join(", ")
        )),
        Def::When { when, then } => Reach::One(format!(
            "(CASE WHEN {} THEN {} END)",
            present(&raw(when)),
            raw(then)
        )),
        Def::SecondsBetween { from, to } => {
            let t = |p: &[&str]| {
                let v = raw(p);
                format!(
                    "(CASE WHEN {} THEN {} END)",
                    d.is_kind(&v, Kind::String),
                    super::time::micros(d, &d.str_value(&v))
                )
            };
            // An integer over a double: the same IEEE division as
            // kaq's `us as f64 / 1e6`.
            Reach::One(d.json_double(&format!("(({} - {}) / {})", t(to), t(from), d.float(1e6))))
        }
        Def::Format => Reach::One(d.json_string(&d.string("event"))),
        Def::ExecCommand => {
            return Err(refuse(
                "percent-decoding the command= parameters of requestURI is not converted exactly; \
                 filter on requestURI or requestObject.command instead",
            ))
        }
        // Refused by every SQL target in the table (`refusal` above).
        Def::RawText => return Err(refuse("the event's text as kaq read it")),
        Def::PodSpec { members } => {
            let spec = match ctx.pod_spec {
                Some(column) => column.to_string(),
                None => pod_spec(d, ev),
            };
            if members.is_empty() {
                Reach::One(spec)
            } else if members.len() == 1 {
                Reach::One(d.member(&spec, members[0]))
            } else {
                // The spec is found once for all its members.
                let s = ctx.fresh();
                let lists: Vec<String> = members.iter().map(|m| d.member(&s, m)).collect();
                let x = ctx.fresh();
                Reach::Many(d.bind(
                    &spec,
                    &s,
                    &d.filter(&d.list(&lists), &x, &format!("{x} IS NOT NULL")),
                ))
            }
        }
    };
    Ok(Some((value, rest)))
}

/// The pod spec inside the request body, found by the body's `kind` (else
/// `objectRef.resource`) in [`POD_SPEC_AT`]; `NULL` when there is none or
/// it is not an object.
pub fn pod_spec(d: &dyn Dialect, ev: &str) -> String {
    let body = d.member(ev, "requestObject");
    let kind = d.member(&body, "kind");
    let resource = d.members(ev, &["objectRef", "resource"]);
    let at = |p: &[&str]| d.members(&body, p);
    let lookup = |v: &str, by_kind: bool| {
        let arms: Vec<String> = POD_SPEC_AT
            .iter()
            .map(|(k, r, p)| {
                format!(
                    "WHEN {} = {} THEN {}",
                    d.str_value(v),
                    d.string(if by_kind { k } else { r }),
                    at(p)
                )
            })
            .collect();
        format!(
            "(CASE WHEN {} THEN (CASE {} END) END)",
            d.is_kind(v, Kind::String),
            arms.join(" ")
        )
    };
    let spec = d.bind(
        &kind,
        "_k",
        &format!(
            "(CASE WHEN _k IS NOT NULL AND NOT {} THEN {} ELSE {} END)",
            d.is_kind("_k", Kind::Null),
            lookup("_k", true),
            lookup(&resource, false)
        ),
    );
    d.bind(
        &spec,
        "_s",
        &format!("(CASE WHEN {} THEN _s END)", d.is_kind("_s", Kind::Object)),
    )
}
