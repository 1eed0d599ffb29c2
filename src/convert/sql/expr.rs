//! The checked filter AST as an SQL boolean, with kaq's semantics
//! ([`crate::filter::eval`] is the reference):
//!
//! - a path reaches a list of values (`[*]` fans out); an array reached at
//!   the end is compared element by element;
//! - a comparison holds if any value satisfies it; when the path reaches
//!   nothing (or an empty array) it is tested as one `null`;
//! - values compare only with literals of their own JSON type; integers
//!   compare exactly, an integer with a float as doubles;
//! - timestamps compare as instants (microseconds).
//!
//! Every predicate this module emits is `true` or `false`, never SQL `NULL`:
//! three-valued logic would make `not` of a missing field's comparison
//! `NULL` where kaq says true.

use super::dialect::{Dialect, Kind};
use super::fields::{computed_value, Ctx};
use super::regex::check_regex;
use crate::convert::Refusal;
use crate::event::Segment;
use crate::filter::ast::{CmpOp, Compare, Expr, FieldRef, Literal, Operand, Quantifier};
use crate::filter::cidr::Cidr;
use crate::number::Number;

/// What a path reaches: one JSON value (`NULL` when missing), or a list.
pub enum Reach {
    One(String),
    Many(String),
}

/// The SQL boolean for `expr`, evaluated on the event `ev`.
pub fn predicate(d: &dyn Dialect, expr: &Expr, ctx: &Ctx) -> Result<String, Refusal> {
    Ok(match expr {
        Expr::Const(true) => "(1 = 1)".into(),
        Expr::Const(false) => "(1 = 0)".into(),
        Expr::Not(e) => format!("(NOT {})", predicate(d, e, ctx)?),
        Expr::And(xs) => junction(d, xs, " AND ", ctx)?,
        Expr::Or(xs) => junction(d, xs, " OR ", ctx)?,
        Expr::Exists(f) => match reach(d, f, ctx)? {
            Reach::One(v) => format!("({v} IS NOT NULL AND NOT {})", d.is_kind(&v, Kind::Null)),
            Reach::Many(l) => {
                let x = ctx.fresh();
                d.any(&l, &x, &format!("NOT {}", d.is_kind(&x, Kind::Null)))
            }
        },
        Expr::Quantified {
            quantifier,
            field,
            body,
        } => {
            let list = leaves(d, reach(d, field, ctx)?, ctx);
            let x = ctx.fresh();
            let inner = ctx.inside(&x);
            let body = predicate(d, body, &inner)?;
            match quantifier {
                Quantifier::Any => d.any(&list, &x, &body),
                Quantifier::All => format!("(NOT {})", d.any(&list, &x, &format!("(NOT {body})"))),
            }
        }
        Expr::Compare(c) => compare(d, c, ctx)?,
    })
}

fn junction(d: &dyn Dialect, xs: &[Expr], op: &str, ctx: &Ctx) -> Result<String, Refusal> {
    let parts = xs
        .iter()
        .map(|x| predicate(d, x, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("({})", parts.join(op)))
}

/// The values a field reaches, from the event or the current element.
pub fn reach(d: &dyn Dialect, f: &FieldRef, ctx: &Ctx) -> Result<Reach, Refusal> {
    let segments = &f.path.segments;
    let (start, rest): (Reach, &[Segment]) = if f.relative {
        (Reach::One(ctx.element().to_string()), segments)
    } else if let Some((value, rest)) = computed_value(d, &f.path, ctx)? {
        (value, rest)
    } else {
        (Reach::One(ctx.event().to_string()), segments)
    };
    Ok(walk(d, start, rest, ctx))
}

/// Follows `segments` from what has been reached so far.
pub fn walk(d: &dyn Dialect, mut at: Reach, segments: &[Segment], ctx: &Ctx) -> Reach {
    let mut rest = segments;
    while let Some((seg, after)) = rest.split_first() {
        rest = after;
        at = match (at, seg) {
            // A run of keys in one step ([`Dialect::members`]).
            (Reach::One(v), Segment::Key(k)) => {
                let mut keys = vec![k.as_str()];
                while let Some((Segment::Key(k), after)) = rest.split_first() {
                    keys.push(k.as_str());
                    rest = after;
                }
                Reach::One(d.members(&v, &keys))
            }
            (Reach::One(v), Segment::Index(i)) => Reach::One(d.element(&v, *i)),
            (Reach::One(v), Segment::Wildcard) => Reach::Many(d.children(&v)),
            (Reach::Many(l), Segment::Key(_) | Segment::Index(_)) => {
                let x = ctx.fresh();
                let step = match seg {
                    Segment::Key(k) => {
                        let mut keys = vec![k.as_str()];
                        while let Some((Segment::Key(k), after)) = rest.split_first() {
                            keys.push(k.as_str());
                            rest = after;
                        }
                        d.members(&x, &keys)
                    }
                    Segment::Index(i) => d.element(&x, *i),
                    Segment::Wildcard => unreachable!(),
                };
                let mapped = d.map(&l, &x, &step);
                let y = ctx.fresh();
                Reach::Many(d.filter(&mapped, &y, &format!("{y} IS NOT NULL")))
            }
            (Reach::Many(l), Segment::Wildcard) => {
                let x = ctx.fresh();
                Reach::Many(d.flatten(&d.map(&l, &x, &d.children(&x))))
            }
        };
    }
    at
}

/// The leaves of what a path reached: arrays entered one level, missing
/// values dropped (kaq's `visit_leaves`).
pub fn leaves(d: &dyn Dialect, at: Reach, ctx: &Ctx) -> String {
    match at {
        Reach::One(v) => {
            let y = ctx.fresh();
            d.bind(
                &v,
                &y,
                &format!(
                    "(CASE WHEN {y} IS NULL THEN {} WHEN {} THEN {} ELSE {} END)",
                    d.empty_list(),
                    d.is_kind(&y, Kind::Array),
                    d.elements(&y),
                    d.list_of(&y)
                ),
            )
        }
        Reach::Many(l) => {
            let x = ctx.fresh();
            let each = format!(
                "(CASE WHEN {} THEN {} ELSE {} END)",
                d.is_kind(&x, Kind::Array),
                d.elements(&x),
                d.list_of(&x)
            );
            d.flatten(&d.map(&l, &x, &each))
        }
    }
}

fn compare(d: &dyn Dialect, c: &Compare, ctx: &Ctx) -> Result<String, Refusal> {
    let Operand::Field(field) = &c.lhs else {
        unreachable!("the checker puts a field on the left")
    };
    let lit = match &c.rhs {
        Operand::Literal(lit, _) => lit,
        Operand::Field(rhs) => {
            return Err(Refusal {
                target: d.target(),
                construct: format!("{} {} {}", field.path, c.op.symbol(), rhs.path),
                reason: "comparing two fields is not converted yet; compare each with a literal"
                    .into(),
            })
        }
    };
    let test = Test::new(d, c.op, lit, field)?;
    let x = ctx.fresh();
    let holds = test.holds(d, &x);
    let list = leaves(d, reach(d, field, ctx)?, ctx);
    let any = d.any(&list, &x, &holds);
    Ok(if test.holds_for_null() {
        format!("({any} OR {} = 0)", d.len(&list))
    } else {
        any
    })
}

/// A test of one value, as [`crate::filter::eval`]'s `Test`.
enum Test {
    Eq(Scalar),
    Ne(Scalar),
    Order(CmpOp, Scalar),
    In(Vec<Scalar>),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    Regex(String),
    NotRegex(String),
    Within(Vec<Cidr>),
}

#[derive(Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Time(i64),
}

fn scalar(lit: &Literal) -> Scalar {
    match lit {
        Literal::String(s) => Scalar::Str(s.clone()),
        Literal::Number(n) => Scalar::Num(*n),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Null | Literal::List(_) => Scalar::Null,
        Literal::Time(t) => Scalar::Time(*t),
        Literal::Duration(us) => Scalar::Num(Number::Float(*us as f64 / 1e6)),
    }
}

fn text(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

impl Test {
    fn new(d: &dyn Dialect, op: CmpOp, lit: &Literal, field: &FieldRef) -> Result<Test, Refusal> {
        let refuse = |reason: String| Refusal {
            target: d.target(),
            construct: format!("{} {} {}", field.path, op.symbol(), show(lit)),
            reason,
        };
        Ok(match op {
            CmpOp::Eq => Test::Eq(scalar(lit)),
            CmpOp::Ne => Test::Ne(scalar(lit)),
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => Test::Order(op, scalar(lit)),
            CmpOp::In => match lit {
                Literal::List(items) => Test::In(items.iter().map(scalar).collect()),
                other => Test::In(vec![scalar(other)]),
            },
            CmpOp::Contains => Test::Contains(text(lit)),
            CmpOp::StartsWith => Test::StartsWith(text(lit)),
            CmpOp::EndsWith => Test::EndsWith(text(lit)),
            CmpOp::Matches | CmpOp::NotMatches => {
                let pattern = text(lit);
                check_regex(&pattern).map_err(refuse)?;
                if let Some(why) = d.regex_problem(&pattern) {
                    return Err(refuse(why));
                }
                if op == CmpOp::Matches {
                    Test::Regex(pattern)
                } else {
                    Test::NotRegex(pattern)
                }
            }
            CmpOp::Glob => Test::Regex(format!(
                "(?s)^{}$",
                crate::filter::eval::glob_regex(&text(lit))
            )),
            CmpOp::Within => {
                let items = match lit {
                    Literal::List(items) => items.as_slice(),
                    one => std::slice::from_ref(one),
                };
                let blocks = items
                    .iter()
                    .map(|i| Cidr::parse(&text(i)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(refuse)?;
                Test::Within(blocks)
            }
        })
    }

    fn holds_for_null(&self) -> bool {
        match self {
            Test::Eq(s) => *s == Scalar::Null,
            Test::Ne(s) => *s != Scalar::Null,
            Test::In(items) => items.contains(&Scalar::Null),
            Test::NotRegex(_) => true,
            _ => false,
        }
    }

    /// Does the present value `x` satisfy the test? Never `NULL`.
    fn holds(&self, d: &dyn Dialect, x: &str) -> String {
        let string = d.is_kind(x, Kind::String);
        let s = || d.str_value(x);
        match self {
            Test::Eq(v) => equals(d, x, v),
            Test::Ne(v) => format!("(NOT {})", equals(d, x, v)),
            Test::In(items) => {
                let parts: Vec<String> = items.iter().map(|v| equals(d, x, v)).collect();
                if parts.is_empty() {
                    "(1 = 0)".into()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Test::Order(op, v) => order(d, x, *op, v),
            Test::Contains(n) => guarded(&string, &d.contains(&s(), &d.string(n))),
            Test::StartsWith(n) => guarded(&string, &d.starts_with(&s(), &d.string(n))),
            Test::EndsWith(n) => guarded(&string, &d.ends_with(&s(), &d.string(n))),
            Test::Regex(p) => guarded(&string, &d.regex(&s(), p)),
            Test::NotRegex(p) => format!("(NOT {})", guarded(&string, &d.regex(&s(), p))),
            Test::Within(blocks) => super::ip::within(d, x, blocks),
        }
    }
}

/// `cond AND value`, where `value` may only be evaluated (or may be `NULL`)
/// when `cond` fails: a `CASE` keeps engines from evaluating it on values of
/// another kind.
pub fn guarded(cond: &str, value: &str) -> String {
    format!("(CASE WHEN {cond} THEN coalesce({value}, false) ELSE false END)")
}

fn equals(d: &dyn Dialect, x: &str, v: &Scalar) -> String {
    match v {
        Scalar::Null => d.is_kind(x, Kind::Null),
        Scalar::Bool(b) => guarded(
            &d.is_kind(x, Kind::Bool),
            &format!(
                "{} = {}",
                d.json_text(x),
                d.string(if *b { "true" } else { "false" })
            ),
        ),
        Scalar::Num(n) => number(d, x, "=", *n),
        Scalar::Str(s) => guarded(
            &d.is_kind(x, Kind::String),
            &format!("{} = {}", d.str_value(x), d.string(s)),
        ),
        Scalar::Time(t) => time(d, x, "=", *t),
    }
}

fn order(d: &dyn Dialect, x: &str, op: CmpOp, v: &Scalar) -> String {
    let sym = match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        _ => ">=",
    };
    match v {
        Scalar::Num(n) => number(d, x, sym, *n),
        Scalar::Str(s) => guarded(
            &d.is_kind(x, Kind::String),
            &format!("{} {sym} {}", d.str_value(x), d.string(s)),
        ),
        Scalar::Time(t) => time(d, x, sym, *t),
        Scalar::Null | Scalar::Bool(_) => "(1 = 0)".into(),
    }
}

/// A JSON number compared with a literal as kaq compares numbers: two
/// integers exactly, anything else as doubles.
fn number(d: &dyn Dialect, x: &str, sym: &str, n: Number) -> String {
    let as_float = format!("{} {sym} {}", d.float_value(x), d.float(n.as_f64()));
    match n {
        Number::Int(i) => format!(
            "(CASE WHEN {} THEN {} {sym} {} WHEN {} THEN {as_float} ELSE false END)",
            d.is_kind(x, Kind::Integer),
            d.int_value(x),
            d.int(i),
            d.is_kind(x, Kind::Float),
        ),
        Number::Float(_) => format!(
            "(CASE WHEN {} OR {} THEN {as_float} ELSE false END)",
            d.is_kind(x, Kind::Integer),
            d.is_kind(x, Kind::Float),
        ),
    }
}

/// A JSON string read as an RFC 3339 instant, compared with `t`.
fn time(d: &dyn Dialect, x: &str, sym: &str, t: i64) -> String {
    guarded(
        &d.is_kind(x, Kind::String),
        &format!("{} {sym} {t}", super::time::micros(d, &d.str_value(x))),
    )
}

/// A literal as the user would write it, for refusals.
pub fn show(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => serde_json::Value::from(s.as_str()).to_string(),
        Literal::Number(n) => n.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".into(),
        Literal::Time(t) => crate::time::format_micros(*t),
        Literal::Duration(us) => crate::time::format_duration(*us),
        Literal::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
    }
}
