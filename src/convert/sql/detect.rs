//! `kaq detect --convert-to duckdb|clickhouse`: the rules a run would
//! evaluate, as one statement whose rows are the findings `kaq detect`
//! reports, in the same order (log order, then catalogue order).
//!
//! The statement follows [`crate::detect`] step by step:
//!
//! 1. `m`: the events the query flags let through (`--since`, `-n`, ...).
//! 2. `s`: each event at the stage a request is judged at (its final stage;
//!    a streaming request's `ResponseStarted`), and which rules fire on it:
//!    the text `hits`, the rules' indexes each followed by a comma.
//! 3. `p`: an exec/attach/port-forward that finished is dropped when its
//!    start was judged already (the sink's `started` set): the latest
//!    earlier start with the same auditID comes after its latest earlier
//!    end.
//! 4. `x`: one row per (event, rule fired).
//! 5. Per-event rules are findings as they stand. A threshold rule's hits
//!    go through its sliding windows ([`crate::detect::window`]) as a fold
//!    over each key's hits in log order: the window's state is carried from
//!    hit to hit and emptied after each burst, exactly as kaq does, and a
//!    burst's finding is the hit that filled the window.

use std::cell::Cell as Counter;
use std::collections::HashMap;

use super::dialect::{Dialect, Kind, Ty};
use super::expr::predicate;
use super::fields::Ctx;
use super::query::{at_keys, cell, opt_str};
use super::Source;
use crate::convert::Refusal;
use crate::detect::rules::Threshold;
use crate::detect::{Rule, Severity};
use crate::event::Path;
use crate::filter::ast::Expr;
use crate::output::columns::{Column, ColumnValue};

/// What `kaq detect --convert-to` was asked.
pub struct DetectRequest<'a> {
    pub source: &'a Source,
    /// The query flags' filter: which events the rules see.
    pub events: &'a Expr,
    pub rules: &'a [Rule],
    /// `--no-thresholds`: threshold rules report every hit.
    pub no_thresholds: bool,
    /// `--severity`: rules below it report nothing.
    pub show_from: Severity,
}

/// The statement, and the rules it leaves out with the reason (`kaq`
/// lists them on stderr). `Err` when no rule is left.
pub struct Detections {
    pub sql: String,
    pub left_out: Vec<(String, Refusal)>,
}

/// The statement for `target`, or why it cannot be written.
pub fn emit(
    target: crate::convert::Target,
    req: &DetectRequest<'_>,
) -> Result<Detections, Refusal> {
    statement(super::sql_dialect(target, "--convert-to")?, req)
}

pub fn statement(d: &dyn Dialect, req: &DetectRequest<'_>) -> Result<Detections, Refusal> {
    let next = Counter::new(0);
    // A dozen rules read the pod spec: the statement finds it once per
    // event (column `spec`), as kaq's evaluator memoises it.
    let ctx = Ctx::with_pod_spec("ev", "spec", &next);
    let ev = ctx.event();
    let raw = |keys: &[&str]| at_keys(d, ev, keys, &ctx);

    // Each rule's test; a rule that cannot be written is left out. Every
    // rule keeps its catalogue index, so findings sort as kaq prints them.
    let mut left_out = Vec::new();
    let mut tests: Vec<(usize, String)> = Vec::new();
    let mut atoms = Atoms::default();
    for (i, rule) in req.rules.iter().enumerate() {
        if rule.severity < req.show_from {
            continue;
        }
        match atoms.combine(d, &rule.filter) {
            Ok(p) => tests.push((i, p)),
            Err(r) => left_out.push((rule.id.clone(), r)),
        }
    }
    if tests.is_empty() {
        return Err(Refusal {
            target: d.target(),
            construct: "kaq detect --convert-to".into(),
            reason: if left_out.is_empty() {
                "no rule is at or above --severity".into()
            } else {
                let each: Vec<String> = left_out
                    .iter()
                    .map(|(id, r)| format!("{id}: {}", r.reason))
                    .collect();
                format!("no rule left to convert ({})", each.join("; "))
            },
        });
    }
    let from = match req.source {
        Source::Files(loc) => d.files_source(loc),
        Source::Table { name, column } => d.table_source(name, column),
    };
    // The query flags' filter runs before the spec is found.
    let events = predicate(d, req.events, &Ctx::new("ev", &next))?;

    // The stage a request is judged at (`Detector::evaluate`): 'S' for a
    // stream's start, 'C' for a stream's end, 'N' for any other request at
    // its final stage; NULL for the stages never judged.
    let stage = raw(&["stage"]);
    let stage = format!(
        "(CASE WHEN {} THEN {} END)",
        d.is_kind(&stage, Kind::String),
        d.str_value(&stage)
    );
    let sub = raw(&["objectRef", "subresource"]);
    let streaming = format!(
        "({} AND {} IN ('exec', 'attach', 'portforward'))",
        d.is_kind(&sub, Kind::String),
        d.str_value(&sub)
    );
    let judged = format!("({stage} IS NULL OR {stage} IN ('ResponseComplete', 'Panic'))");
    let stream = format!(
        "(CASE WHEN {stage} = 'ResponseStarted' AND {streaming} THEN 'S' \
         WHEN {judged} AND {streaming} THEN 'C' WHEN {judged} THEN 'N' END)"
    );
    let hits = d.concat(
        &tests
            .iter()
            .map(|(i, p)| format!("(CASE WHEN {p} THEN '{i},' ELSE '' END)"))
            .collect::<Vec<_>>(),
    );
    let audit_id = opt_str(d, &raw(&["auditID"]));

    // The finding's cells, as `kaq detect -o csv` shows them.
    let text = |c: ColumnValue| shown(d, c, &ctx);
    let time = format!("coalesce({}, '')", logged_time(d, ev, &|t| t.to_string()));
    // A create's name may be made after the event was logged: the body's
    // name, or its generateName and `*`, stands in (`detect::describe`).
    let name = raw(&["objectRef", "name"]);
    let meta = |k: &str| raw(&["requestObject", "metadata", k]);
    let (body_name, generate) = (meta("name"), meta("generateName"));
    let object = format!(
        "({} || (CASE WHEN {} THEN '' WHEN {} THEN {} WHEN {} THEN {} || '*' ELSE '' END))",
        text(ColumnValue::Object)?,
        d.is_kind(&name, Kind::String),
        d.is_kind(&body_name, Kind::String),
        d.str_value(&body_name),
        d.is_kind(&generate, Kind::String),
        d.str_value(&generate),
    );
    let which = |k: &str, of: &dyn Fn(&Rule) -> String| {
        let arms: Vec<String> = tests
            .iter()
            .map(|(i, _)| format!("WHEN {k} = {i} THEN {}", d.string(&of(&req.rules[*i]))))
            .collect();
        format!("(CASE {} END)", arms.join(" "))
    };
    // The cells are found per hit event (CTE `o`), then joined to the
    // findings by `pos`: Spark's analyzer gave up (at its 100 passes) on
    // the cells' lambdas above a join of `p` with a query made from `p`
    // itself. Cells of hits that make no finding (a threshold not reached)
    // are found too: keeping only the findings' events (`pos IN (SELECT pos
    // FROM f)`) made Spark plan the windows twice (the test's Spark
    // statement took 123 s instead of about 70 s). On Spark a cell stops
    // the statement only at an event with duplicate keys, which reading
    // `objectRef` (every event's, in `s`) stops at first where it has one.
    let cells = format!(
        "{time} AS o_time, {} AS o_user, {} AS o_verb, {} AS o_resource, {object} AS o_object, {audit_id} AS o_audit_id",
        text(ColumnValue::Actor)?,
        opt_str(d, &raw(&["verb"])),
        text(ColumnValue::Resource)?,
    );
    let finding = format!(
        "{} AS rule, {} AS severity, o_time AS time, o_user AS {}, o_verb AS verb, o_resource AS resource, o_object AS object, o_audit_id AS audit_id",
        which("k", &|r| r.id.clone()),
        which("k", &|r| r.severity.name().to_string()),
        d.ident("user"),
    );

    // Threshold rules: their hits through the windows.
    let mut windows = Vec::new();
    let mut per_event = Vec::new();
    for (i, _) in &tests {
        match (&req.rules[*i].threshold, req.no_thresholds) {
            (Some(t), false) => windows.push(bursts(d, *i, t, &ctx)?),
            _ => per_event.push(i.to_string()),
        }
    }
    let mut found = Vec::new();
    if !per_event.is_empty() {
        found.push(format!(
            "SELECT pos, k FROM x WHERE k IN ({})",
            per_event.join(", ")
        ));
    }
    found.extend(windows.iter().map(|(_, sql)| sql.clone()));
    let ctes: String = windows
        .iter()
        .map(|(name, _)| name.clone())
        .collect::<Vec<_>>()
        .join("");
    let found = found.join(" UNION ALL ");

    let pos = "CAST(row_number() OVER (ORDER BY src, ord) AS BIGINT)";
    let sql = format!(
        "{}WITH m AS (SELECT ev, src, ord FROM {from} AS raw WHERE {events}), \
         c AS (SELECT ev, {pos} AS pos, {} AS spec FROM m), \
         a AS (SELECT ev, pos, spec{} FROM c), \
         s AS (SELECT ev, pos, spec, {stream} AS stream, {audit_id} AS aid, {hits} AS hits FROM a), \
         j AS (SELECT ev, pos, spec, stream, aid, hits, \
                max(CASE WHEN stream = 'S' THEN pos END) OVER (PARTITION BY aid ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS started, \
                max(CASE WHEN stream = 'C' THEN pos END) OVER (PARTITION BY aid ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS finished \
               FROM s WHERE stream IS NOT NULL), \
         p AS (SELECT ev, pos, spec, hits FROM j WHERE hits <> '' AND NOT (stream = 'C' AND aid <> '' AND started IS NOT NULL AND (finished IS NULL OR started > finished))), \
         x AS (SELECT ev, pos, spec, k FROM (SELECT ev, pos, spec, {} AS k FROM (SELECT ev, pos, spec, {} AS k0 FROM (SELECT ev, pos, spec, {} AS ks FROM p) AS q) AS u) AS r){ctes}, \
         f AS ({found}), \
         o AS (SELECT pos, {cells} FROM p) \
         SELECT {finding} FROM f JOIN o ON o.pos = f.pos ORDER BY f.pos, f.k{}",
        d.detections_setup(),
        super::fields::pod_spec(d, "ev"),
        atoms
            .sql
            .iter()
            .enumerate()
            .map(|(n, t)| format!(", {t} AS a{n}"))
            .collect::<String>(),
        d.to_int("k0"),
        d.unnest("ks"),
        d.split(&d.substr("hits", "1", &format!("{} - 1", d.len_text("hits"))), ","),
        d.settings()
    );
    Ok(Detections { sql, left_out })
}

/// What a column of `kaq -o csv` shows, in SQL.
fn shown(d: &dyn Dialect, value: ColumnValue, ctx: &Ctx) -> Result<String, Refusal> {
    let column = Column {
        name: String::new(),
        value,
    };
    cell(d, &column, ctx)
}

/// The event's time as `kaq detect` reads it (`Subject::time_text`): the
/// first of these members that is a string, through `f`; `NULL` when none
/// is.
fn logged_time(d: &dyn Dialect, ev: &str, f: &dyn Fn(&str) -> String) -> String {
    let arms: Vec<String> = ["stageTimestamp", "requestReceivedTimestamp", "timestamp"]
        .iter()
        .map(|k| {
            let v = d.member(ev, k);
            format!(
                "WHEN {} THEN {}",
                d.is_kind(&v, Kind::String),
                f(&d.str_value(&v))
            )
        })
        .collect();
    format!("(CASE {} END)", arms.join(" "))
}

/// The tests the rules are made of, each written once (column `aN` of the
/// CTE `a`), as [`crate::detect::Detector`] runs the tests rules share once
/// per event: a dozen rules test `verb in [...]` and `not code >= 400`, and
/// the statement stays a fraction of its size (ClickHouse parses at most
/// 256 KiB by default).
#[derive(Default)]
struct Atoms {
    sql: Vec<String>,
    index: HashMap<String, usize>,
}

impl Atoms {
    /// `expr` as a boolean over the atom columns.
    fn combine(&mut self, d: &dyn Dialect, expr: &Expr) -> Result<String, Refusal> {
        let all = |xs: &[Expr], op: &str, me: &mut Atoms| -> Result<String, Refusal> {
            let parts = xs
                .iter()
                .map(|x| me.combine(d, x))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("({})", parts.join(op)))
        };
        Ok(match expr {
            Expr::Const(true) => "(1 = 1)".into(),
            Expr::Const(false) => "(1 = 0)".into(),
            Expr::Not(e) => format!("(NOT {})", self.combine(d, e)?),
            Expr::And(xs) => all(xs, " AND ", self)?,
            Expr::Or(xs) => all(xs, " OR ", self)?,
            leaf => {
                // Lambda variables numbered from 0 in each atom: the same
                // test is the same text, whichever rule it comes from.
                let next = Counter::new(0);
                let sql = predicate(d, leaf, &Ctx::with_pod_spec("ev", "spec", &next))?;
                let n = self.sql.len();
                let n = *self.index.entry(sql.clone()).or_insert(n);
                if n == self.sql.len() {
                    self.sql.push(sql);
                }
                format!("a{n}")
            }
        })
    }
}

/// The CTE of threshold rule `i`'s windows (`, wI AS (...)`) and the
/// SELECT of its bursts' (pos, k).
fn bursts(
    d: &dyn Dialect,
    i: usize,
    t: &Threshold,
    ctx: &Ctx,
) -> Result<(String, String), Refusal> {
    let text_of = |path: &Path| shown(d, ColumnValue::Field(path.clone()), ctx);
    // The grouping key: the `by` fields' texts joined with a space.
    let mut key = Vec::new();
    for (n, (_, p)) in t.by.iter().enumerate() {
        if n > 0 {
            key.push("' '".to_string());
        }
        key.push(text_of(p)?);
    }
    let key = if key.is_empty() {
        "''".to_string()
    } else {
        d.concat(&key)
    };
    let value = match &t.distinct {
        Some((_, p)) => text_of(p)?,
        None => "''".into(),
    };
    // The hit's time (`Subject::time`): the first of these that is a
    // string, read as RFC 3339; a hit without one takes the latest time
    // the rule's windows have seen (0 before any).
    let time = logged_time(d, ctx.event(), &|t| super::time::micros(d, t));
    let int = Ty::Int;
    let hit = Ty::Tuple(vec![Ty::Int, Ty::Int, Ty::Text]);
    let (name, windowed) = (format!("w{i}"), format!("v{i}"));
    let latest =
        "greatest(coalesce(max(t0) OVER (ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0)";
    let cte = format!(
        ", {windowed} AS (SELECT pos, {} AS key, {} AS hit FROM \
             (SELECT pos, key, dv, t0, coalesce(t0, {latest}) AS t FROM \
               (SELECT pos, {key} AS key, {value} AS dv, {time} AS t0 FROM x WHERE k = {i}) AS a) AS b), \
         {name} AS (SELECT key, {} AS hits FROM {windowed} GROUP BY key)",
        d.cast("key", &Ty::Text),
        d.tuple(&[
            d.cast("pos", &int),
            d.cast("t", &int),
            d.cast("dv", &Ty::Text)
        ]),
        d.sorted_list("hit", &hit),
    );
    // The fold: state (bursts so far, window); the window is the hits'
    // times (count) or (value, latest time) pairs (distinct).
    let (acc, x, y) = (ctx.fresh(), ctx.fresh(), ctx.fresh());
    let (at_pos, at_t, at_value) = (d.get(&x, 1), d.get(&x, 2), d.get(&x, 3));
    let horizon = format!("({at_t} - {})", t.within);
    let window_ty = Ty::List(Box::new(match &t.distinct {
        None => Ty::Int,
        Some(_) => Ty::Tuple(vec![Ty::Text, Ty::Int]),
    }));
    let out_ty = Ty::List(Box::new(Ty::Int));
    let (bursts_so_far, window) = (d.get(&acc, 1), d.get(&acc, 2));
    let kept = match &t.distinct {
        // The deque: times in arrival order, the front dropped while it is
        // at or before the horizon (not every old time: kaq pops the front).
        None => {
            let pushed = d.append(&window, &at_t);
            let first_live = d.first_index(&pushed, &y, &format!("{y} > {horizon}"));
            format!(
                "(CASE WHEN {first_live} = 0 THEN {} ELSE {} END)",
                d.typed_empty(&window_ty),
                d.slice_from(&pushed, &first_live)
            )
        }
        // Each value's latest time; values at or before the horizon go.
        Some(_) => {
            let others = d.filter(&window, &y, &format!("{} <> {at_value}", d.get(&y, 1)));
            let pushed = d.append(&others, &d.tuple(&[at_value.clone(), at_t.clone()]));
            d.filter(&pushed, &y, &format!("{} > {horizon}", d.get(&y, 2)))
        }
    };
    let step = d.bind(
        &kept,
        "kept",
        &format!(
            "(CASE WHEN {} >= {} THEN {} ELSE {} END)",
            d.len("kept"),
            t.at_least,
            d.tuple(&[d.append(&bursts_so_far, &at_pos), d.typed_empty(&window_ty)]),
            d.tuple(&[bursts_so_far.clone(), "kept".into()]),
        ),
    );
    let init = d.tuple(&[d.typed_empty(&out_ty), d.typed_empty(&window_ty)]);
    let fold = d.get(&d.fold("hits", &init, &acc, &x, &step), 1);
    let select = format!(
        "SELECT pos, {i} AS k FROM (SELECT {} AS pos FROM {name}) AS u{i}",
        d.unnest(&fold)
    );
    Ok((cte, select))
}
