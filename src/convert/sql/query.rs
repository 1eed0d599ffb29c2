//! The SELECT around the filter: the rows `kaq -o csv` prints, with the
//! same columns, cells, order and numbers ([`crate::output::columns`],
//! [`crate::output::report`] and [`crate::agg`] are the reference).

use std::cell::Cell as Counter;

use super::dialect::{Dialect, Kind};
use super::expr::{leaves, predicate, reach, walk, Reach};
use super::fields::Ctx;
use super::{Request, Source};
use crate::agg::keys::{MISSING, SEP};
use crate::agg::{KeyField, View};
use crate::convert::Refusal;
use crate::event::{Path, Segment};
use crate::filter::ast::FieldRef;
use crate::filter::error::Span;
use crate::output::columns::{Column, ColumnValue};

/// Most series a timeline with `--by` shows unless `--top` says otherwise
/// (as [`crate::output::report`]).
const DEFAULT_SERIES: usize = 10;
/// A timeline fills empty buckets only up to this many.
const MAX_FILLED_BUCKETS: i64 = 10_000;

/// The whole statement.
pub fn statement(d: &dyn Dialect, req: &Request<'_>) -> Result<String, Refusal> {
    let next = Counter::new(0);
    let ctx = Ctx::new("ev", &next);
    let from = match req.source {
        Source::Files(loc) => d.files_source(loc),
        Source::Table { name, column } => d.table_source(name, column),
    };
    let pred = predicate(d, req.filter, &ctx)?;
    let matched = format!("SELECT ev, src, ord FROM {from} AS raw WHERE {pred}");
    let sql = match (req.view, req.count_only) {
        // `--count --limit N` counts at most N, as kaq stops after N.
        (_, true) => match req.limit {
            Some(n) => format!("SELECT count(*) AS count FROM ({matched} LIMIT {n}) AS m"),
            None => format!("SELECT count(*) AS count FROM ({matched}) AS m"),
        },
        (None, false) => records(d, req, &ctx, &matched)?,
        (Some(View::GroupBy { stats: Some(_), .. }), _) => {
            return Err(Refusal {
                target: d.target(),
                construct: "--stats".into(),
                reason: "kaq's percentiles are estimates from a log-scale histogram (within 3%); \
                         an engine's quantiles differ in their last digits, so they are not converted"
                    .into(),
            })
        }
        (Some(View::GroupBy { by, stats: None }), _) => group_by(d, req, &ctx, &matched, by)?,
        (Some(View::Distinct { field }), _) => distinct(d, req, &ctx, &matched, field)?,
        (Some(View::Timeline { every, by }), _) => {
            timeline(d, req, &ctx, &matched, *every, by)?
        }
        (Some(View::Summary), _) => {
            return Err(Refusal {
                target: d.target(),
                construct: "--summary".into(),
                reason: "the summary is several reports in one; ask for each with --by, --every or --distinct".into(),
            })
        }
    };
    Ok(format!("{sql}{}", d.settings()))
}

fn records(
    d: &dyn Dialect,
    req: &Request<'_>,
    ctx: &Ctx,
    matched: &str,
) -> Result<String, Refusal> {
    let cells = req
        .columns
        .iter()
        .map(|c| Ok(format!("{} AS {}", cell(d, c, ctx)?, d.ident(&c.name))))
        .collect::<Result<Vec<_>, Refusal>>()?;
    let limit = req.limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    Ok(format!(
        "SELECT {} FROM ({matched}) AS m ORDER BY src, ord{limit}",
        cells.join(", ")
    ))
}

/// `json` as text, or `''` when it is not a string.
pub(super) fn opt_str(d: &dyn Dialect, json: &str) -> String {
    format!(
        "(CASE WHEN {} THEN {} ELSE '' END)",
        d.is_kind(json, Kind::String),
        d.str_value(json)
    )
}

/// A present value as kaq prints it in a cell or key: strings raw, JSON
/// `null` as `null_text`, anything else as (minified) JSON.
fn value_text(d: &dyn Dialect, x: &str, null_text: &str) -> String {
    format!(
        "(CASE WHEN {} THEN {} WHEN {} THEN {} ELSE {} END)",
        d.is_kind(x, Kind::String),
        d.str_value(x),
        d.is_kind(x, Kind::Null),
        d.string(null_text),
        d.json_text(x)
    )
}

/// The values a column or key shows: kaq's `visit_flat` (an array at the
/// end of a path without `[*]` is entered one level).
fn flat_values(d: &dyn Dialect, path: &Path, ctx: &Ctx) -> Result<String, Refusal> {
    let field = FieldRef {
        path: path.clone(),
        span: Span::NONE,
        relative: false,
    };
    let at = reach(d, &field, ctx)?;
    Ok(if path.has_wildcard() {
        match at {
            Reach::Many(l) => l,
            Reach::One(v) => format!(
                "(CASE WHEN {v} IS NULL THEN {} ELSE {} END)",
                d.empty_list(),
                d.list_of(&v)
            ),
        }
    } else {
        leaves(d, at, ctx)
    })
}

/// The JSON value at a path of plain keys below `json` (`NULL` if missing).
pub(super) fn at_keys(d: &dyn Dialect, json: &str, keys: &[&str], ctx: &Ctx) -> String {
    let segments: Vec<Segment> = keys.iter().map(|k| Segment::Key(k.to_string())).collect();
    match walk(d, Reach::One(json.to_string()), &segments, ctx) {
        Reach::One(v) => v,
        Reach::Many(_) => unreachable!("keys only"),
    }
}

pub(super) fn cell(d: &dyn Dialect, col: &Column, ctx: &Ctx) -> Result<String, Refusal> {
    let ev = ctx.event();
    let raw = |keys: &[&str]| at_keys(d, ev, keys, ctx);
    Ok(match &col.value {
        ColumnValue::Field(path) => {
            let values = flat_values(d, path, ctx)?;
            let x = ctx.fresh();
            d.join(&d.map(&values, &x, &value_text(d, &x, "")), ",")
        }
        ColumnValue::Actor => {
            let imp = raw(&["impersonatedUser", "username"]);
            format!(
                "({} || (CASE WHEN {} THEN ' (as ' || {} || ')' ELSE '' END))",
                opt_str(d, &raw(&["user", "username"])),
                d.is_kind(&imp, Kind::String),
                d.str_value(&imp)
            )
        }
        ColumnValue::Resource => {
            let obj = raw(&["objectRef"]);
            let sub = raw(&["objectRef", "subresource"]);
            let uri = raw(&["requestURI"]);
            format!(
                "(CASE WHEN {obj} IS NOT NULL THEN {} || (CASE WHEN {} THEN '/' || {} ELSE '' END) WHEN {} THEN {} ELSE '' END)",
                opt_str(d, &raw(&["objectRef", "resource"])),
                d.is_kind(&sub, Kind::String),
                d.str_value(&sub),
                d.is_kind(&uri, Kind::String),
                d.before(&d.str_value(&uri), '?'),
            )
        }
        ColumnValue::Object => {
            let ns = raw(&["objectRef", "namespace"]);
            format!(
                "((CASE WHEN {} THEN {} || '/' ELSE '' END) || {})",
                d.is_kind(&ns, Kind::String),
                d.str_value(&ns),
                opt_str(d, &raw(&["objectRef", "name"])),
            )
        }
        ColumnValue::Latency => {
            let t = |k: &str| {
                let v = raw(&[k]);
                format!(
                    "(CASE WHEN {} THEN {} END)",
                    d.is_kind(&v, Kind::String),
                    super::time::micros(d, &d.str_value(&v))
                )
            };
            let us = format!(
                "({} - {})",
                t("stageTimestamp"),
                t("requestReceivedTimestamp")
            );
            format!("coalesce({}, '')", seconds_text(d, &us))
        }
    })
}

/// Microseconds as kaq prints `us as f64 / 1e6` (`{}`: no exponent,
/// shortest digits): the integer part, and the fraction without trailing
/// zeros. Exact while the value's double has a finer step than 1 µs
/// (below 2^33 seconds, about 272 years).
fn seconds_text(d: &dyn Dialect, value: &str) -> String {
    d.bind(value, "_us", &seconds_text_of(d, "_us"))
}

fn seconds_text_of(d: &dyn Dialect, us: &str) -> String {
    let a = format!("abs({us})");
    let whole = d.int_text(&d.floor_div(&a, "1000000"));
    let frac = format!("({a} % 1000000)");
    format!(
        "(CASE WHEN {us} < 0 THEN '-' ELSE '' END || {whole} || (CASE WHEN {frac} = 0 THEN '' ELSE '.' || {} END))",
        d.rtrim_zero(&d.lpad_zero(&d.int_text(&frac), 6))
    )
}

/// Each distinct grouping key of the event: the fields' values joined with
/// [`SEP`], a missing field as [`MISSING`], every combination (kaq's
/// `for_each_key`).
fn keys(d: &dyn Dialect, fields: &[KeyField], ctx: &Ctx) -> Result<String, Refusal> {
    let mut combos: Option<String> = None;
    for f in fields {
        let values = flat_values(d, &f.path, ctx)?;
        let x = ctx.fresh();
        let texts = d.map(&values, &x, &value_text(d, &x, MISSING));
        let texts = format!(
            "(CASE WHEN {} = 0 THEN {} ELSE {texts} END)",
            d.len(&values),
            d.text_list(&d.string(MISSING))
        );
        combos = Some(match combos {
            None => texts,
            Some(c) => {
                let (a, b) = (ctx.fresh(), ctx.fresh());
                d.flatten(&d.map(
                    &c,
                    &a,
                    &d.map(
                        &texts,
                        &b,
                        &format!("{a} || {} || {b}", d.string(&SEP.to_string())),
                    ),
                ))
            }
        });
    }
    Ok(d.distinct(&combos.unwrap_or_else(|| d.text_list(&d.string("")))))
}

/// The key's fields as output cells (a missing field is empty).
fn key_cells(d: &dyn Dialect, fields: &[KeyField], key: &str) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let part = d.at(&d.split(key, &SEP.to_string()), i + 1);
            format!(
                "(CASE WHEN {part} = {} THEN '' ELSE {part} END) AS {}",
                d.string(MISSING),
                d.ident(&f.name)
            )
        })
        .collect()
}

fn limit(top: Option<usize>) -> String {
    top.map(|n| format!(" LIMIT {n}")).unwrap_or_default()
}

fn group_by(
    d: &dyn Dialect,
    req: &Request<'_>,
    ctx: &Ctx,
    matched: &str,
    by: &[KeyField],
) -> Result<String, Refusal> {
    let ks = keys(d, by, ctx)?;
    let mut cols = key_cells(d, by, "key");
    cols.push("n AS count".into());
    cols.push(format!(
        "{} AS share",
        d.fixed4("CAST(n AS DOUBLE) / CAST((SELECT count(*) FROM m) AS DOUBLE)")
    ));
    Ok(format!(
        "WITH m AS ({matched}), k AS (SELECT {} AS key FROM m), g AS (SELECT key, count(*) AS n FROM k GROUP BY key) \
         SELECT {} FROM g ORDER BY n DESC, key{}",
        d.unnest(&ks),
        cols.join(", "),
        limit(req.top)
    ))
}

/// The event's time (`stageTimestamp`, else v1beta1's `timestamp`, when a
/// string) in microseconds, or `NULL` (kaq's `agg::event_time`).
fn event_time(d: &dyn Dialect, ctx: &Ctx) -> String {
    let ev = ctx.event();
    let (st, ts) = (d.member(ev, "stageTimestamp"), d.member(ev, "timestamp"));
    format!(
        "(CASE WHEN {} THEN {} WHEN {} THEN {} END)",
        d.is_kind(&st, Kind::String),
        super::time::micros(d, &d.str_value(&st)),
        d.is_kind(&ts, Kind::String),
        super::time::micros(d, &d.str_value(&ts)),
    )
}

fn distinct(
    d: &dyn Dialect,
    req: &Request<'_>,
    ctx: &Ctx,
    matched: &str,
    field: &KeyField,
) -> Result<String, Refusal> {
    let ks = keys(d, std::slice::from_ref(field), ctx)?;
    let mut cols = key_cells(d, std::slice::from_ref(field), "key");
    cols.push("count(*) AS count".into());
    cols.push(format!(
        "coalesce({}, '') AS first_seen",
        d.format_micros("min(t)")
    ));
    cols.push(format!(
        "coalesce({}, '') AS last_seen",
        d.format_micros("max(t)")
    ));
    Ok(format!(
        "WITH m AS ({matched}), k AS (SELECT {} AS t, {} AS key FROM m) \
         SELECT {} FROM k GROUP BY key ORDER BY count(*) DESC, key{}",
        event_time(d, ctx),
        d.unnest(&ks),
        cols.join(", "),
        limit(req.top)
    ))
}

fn timeline(
    d: &dyn Dialect,
    req: &Request<'_>,
    ctx: &Ctx,
    matched: &str,
    every: i64,
    by: &[KeyField],
) -> Result<String, Refusal> {
    let ks = keys(d, by, ctx)?;
    let series = req.top.unwrap_or(if by.is_empty() {
        usize::MAX
    } else {
        DEFAULT_SERIES
    });
    let series_limit = if series == usize::MAX {
        String::new()
    } else {
        format!(" LIMIT {series}")
    };
    // Euclidean bucket: t - (t mod every), divided exactly.
    let bucket = d.floor_div(
        &format!("(t - ((t % {every}) + {every}) % {every})"),
        &every.to_string(),
    );
    let mut cols = vec![format!(
        "{} AS time",
        d.format_micros(&format!("bs.b * {every}"))
    )];
    cols.extend(key_cells(d, by, "s.key"));
    cols.push("coalesce(c.n, 0) AS count".into());
    Ok(format!(
        "WITH m AS ({matched}), \
         t AS (SELECT {} AS t, {} AS ks FROM m), \
         k AS (SELECT {bucket} AS b, {} AS key FROM t WHERE t IS NOT NULL), \
         c AS (SELECT b, key, count(*) AS n FROM k GROUP BY b, key), \
         s AS (SELECT key, sum(n) AS total FROM c GROUP BY key ORDER BY total DESC, key{series_limit}), \
         r AS (SELECT min(b) AS lo, max(b) AS hi FROM c), \
         bs AS (SELECT {} AS b FROM r WHERE r.hi - r.lo < {MAX_FILLED_BUCKETS} \
                UNION ALL SELECT DISTINCT c.b AS b FROM c, r WHERE r.hi - r.lo >= {MAX_FILLED_BUCKETS}) \
         SELECT {} FROM bs CROSS JOIN s LEFT JOIN c ON c.b = bs.b AND c.key = s.key, r \
         WHERE r.hi - r.lo < {MAX_FILLED_BUCKETS} OR c.n IS NOT NULL \
         ORDER BY bs.b, s.total DESC, s.key",
        event_time(d, ctx),
        ks,
        d.unnest("ks"),
        d.unnest(&d.range("r.lo", "r.hi")),
        cols.join(", "),
    ))
}
