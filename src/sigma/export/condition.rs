//! A checked filter ([`Expr`]) as a Sigma condition over selections, or the
//! [`Refusal`] that names what Sigma cannot express exactly.
//!
//! Sigma's semantics, against kaq's ([`crate::filter::eval`]):
//! - A selection on a missing field does not match, and `not` is plain
//!   negation: so kaq's `not`, and `!=`/`!~` on a field holding one value
//!   (true when the field is missing), are Sigma's `not`. On a field that
//!   may hold several values kaq's `!=` means "some value differs", which
//!   Sigma cannot say: refused.
//! - A field holding a list matches if any element does, as in kaq.
//! - Strings are tested with `|re` (see [`super::pattern`] for why),
//!   numbers with `|gt`/`|gte`/`|lt`/`|lte`, addresses with `|cidr`,
//!   presence with `|exists`.
//! - `any(LIST[*], A or B)` is `any(LIST[*], A) or any(LIST[*], B)`, and
//!   `any(LIST[*], A)` is A on `LIST[*].path`; that path needs a Sigma name
//!   from [`SIGMA_FIELDS`]. A body that needs one element to satisfy two
//!   tests (`and`), `not`, or `all(...)` is refused.
//! - Computed fields: `actor` and `impersonator` are rewritten into raw
//!   fields from their [`Def`]; the others need a [`SIGMA_FIELDS`] name or
//!   are refused with the reason [`crate::convert::fields`] gives.

use super::pattern;
use super::yaml::Scalar;
use crate::convert::fields::{self, Def, SIGMA_FIELDS};
use crate::convert::{Refusal, Target};
use crate::event::{Path, Segment};
use crate::filter::ast::{CmpOp, Compare, Expr, FieldRef, Literal, Operand, Quantifier};
use crate::filter::fields::{type_of, Type};

/// A Sigma condition: selections (one field test each) under and/or/not.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Const(bool),
    Leaf(Leaf),
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

/// One field test: `field|modifiers: values` (values OR'ed).
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub field: String,
    pub modifiers: Vec<&'static str>,
    pub values: Vec<Scalar>,
}

impl Leaf {
    /// The selection's key: `field|mod|mod`.
    pub fn key(&self) -> String {
        let mut k = self.field.clone();
        for m in &self.modifiers {
            k.push('|');
            k.push_str(m);
        }
        k
    }
}

/// A translation, and the Sigma field names it took from [`SIGMA_FIELDS`]
/// (empty: every field is the event's own path).
#[derive(Debug)]
pub struct Translated {
    pub cond: Cond,
    pub mapped: Vec<String>,
}

/// Translates a checked filter.
pub fn translate(expr: &Expr) -> Result<Translated, Refusal> {
    let mut t = Translator { mapped: Vec::new() };
    let cond = t.expr(expr, None)?;
    let mut mapped = t.mapped;
    mapped.sort();
    mapped.dedup();
    Ok(Translated { cond, mapped })
}

/// The Sigma name of a raw or mapped field path (a threshold's `by` key),
/// and whether it came from [`SIGMA_FIELDS`].
pub fn field_name(path: &Path) -> Result<(String, bool), Refusal> {
    let mut t = Translator { mapped: Vec::new() };
    let name = t.name(path)?;
    Ok((name, !t.mapped.is_empty()))
}

pub fn refusal(construct: impl Into<String>, reason: impl Into<String>) -> Refusal {
    Refusal {
        target: Target::Sigma,
        construct: construct.into(),
        reason: reason.into(),
    }
}

struct Translator {
    mapped: Vec<String>,
}

impl Translator {
    /// `inside`: the list an `any(...)` body's relative paths start from.
    fn expr(&mut self, e: &Expr, inside: Option<&Path>) -> Result<Cond, Refusal> {
        Ok(match e {
            Expr::Const(b) => Cond::Const(*b),
            Expr::Not(_) if inside.is_some() => {
                return Err(refusal(
                    format!("not inside any({})", inside.map(|p| p.to_string()).unwrap_or_default()),
                    "Sigma has no test of one element of a list: `any(L, not A)` is not `not any(L, A)`",
                ))
            }
            Expr::Not(x) => Cond::Not(Box::new(self.expr(x, inside)?)),
            Expr::And(xs) if inside.is_some() && xs.len() > 1 => {
                return Err(refusal(
                    format!("any({}, ... and ...)", inside.map(|p| p.to_string()).unwrap_or_default()),
                    "Sigma cannot require one element of a list to satisfy several tests (a same-element any)",
                ))
            }
            Expr::And(xs) => Cond::And(
                xs.iter()
                    .map(|x| self.expr(x, inside))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Or(xs) => Cond::Or(
                xs.iter()
                    .map(|x| self.expr(x, inside))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Exists(f) => {
                let path = self.absolute(f, inside);
                exists(self.name_for_exists(&path)?)
            }
            Expr::Quantified {
                quantifier: Quantifier::All,
                field,
                ..
            } => {
                return Err(refusal(
                    format!("all({}, ...)", field.path),
                    "Sigma cannot require every element of a list to satisfy a test",
                ))
            }
            Expr::Quantified { field, .. } if inside.is_some() => {
                return Err(refusal(
                    format!("any({}, ...) inside any(...)", field.path),
                    "nested quantifiers have no Sigma form",
                ))
            }
            Expr::Quantified { field, body, .. } => {
                let list = self.absolute(field, None);
                if !matches!(list.segments.last(), Some(Segment::Wildcard)) {
                    return Err(refusal(
                        format!("any({}, ...)", list),
                        "only any(LIST[*], ...) over a list's elements is exported",
                    ));
                }
                self.expr(body, Some(&list))?
            }
            Expr::Compare(c) => self.compare(c, inside)?,
        })
    }

    fn absolute(&self, f: &FieldRef, inside: Option<&Path>) -> Path {
        match (f.relative, inside) {
            (true, Some(list)) => {
                let mut segments = list.segments.clone();
                segments.extend(f.path.segments.iter().cloned());
                Path { segments }
            }
            _ => f.path.clone(),
        }
    }

    fn compare(&mut self, c: &Compare, inside: Option<&Path>) -> Result<Cond, Refusal> {
        let Operand::Field(f) = &c.lhs else {
            unreachable!("the checker puts a field on the left")
        };
        let path = self.absolute(f, inside);
        let lit = match &c.rhs {
            Operand::Literal(lit, _) => lit,
            Operand::Field(other) => {
                return Err(refusal(
                    format!("{} {} {}", path, c.op.symbol(), other.path),
                    "comparisons between two fields are not exported (Sigma's |fieldref covers equality only)",
                ))
            }
        };
        // Computed fields kaq defines from raw ones exactly.
        if let Some(computed) = fields::computed_at(&path) {
            // The path is the field itself (its leading keys are the name).
            let whole = path.segments.len() == computed.name.split('.').count();
            match computed.def {
                Def::FirstOf(paths) if whole => {
                    // The first present of p1, p2, ...: p1 when it exists,
                    // else the rest.
                    let mut cond = self.test(&Path::keys(paths[paths.len() - 1]), c.op, lit)?;
                    for p in paths[..paths.len() - 1].iter().rev() {
                        let p = Path::keys(p);
                        let here = exists(self.name(&p)?);
                        cond = Cond::Or(vec![
                            Cond::And(vec![here.clone(), self.test(&p, c.op, lit)?]),
                            Cond::And(vec![Cond::Not(Box::new(here)), cond]),
                        ]);
                    }
                    return Ok(cond);
                }
                Def::When { when, then } if whole => {
                    let when = exists(self.name(&Path::keys(when))?);
                    return Ok(Cond::Or(vec![
                        Cond::And(vec![when.clone(), self.test(&Path::keys(then), c.op, lit)?]),
                        Cond::And(vec![
                            Cond::Not(Box::new(when)),
                            Cond::Const(holds_for_missing(c.op, lit)),
                        ]),
                    ]));
                }
                _ => {}
            }
        }
        self.test(&path, c.op, lit)
    }

    /// `path op lit` on a raw or mapped field.
    fn test(&mut self, path: &Path, op: CmpOp, lit: &Literal) -> Result<Cond, Refusal> {
        let name = self.name(path)?;
        let construct = || format!("{path} {} {}", op.symbol(), show(lit));
        let strings = |lit: &Literal| -> Result<String, Refusal> {
            match lit {
                Literal::String(s) => Ok(s.clone()),
                _ => Err(refusal(construct(), "a string operator needs a string")),
            }
        };
        let re = |name: &str, regex: String, insensitive: bool| {
            let mut modifiers = vec!["re"];
            if insensitive {
                modifiers.push("i");
            }
            Cond::Leaf(Leaf {
                field: name.to_string(),
                modifiers,
                values: vec![Scalar::Str(regex)],
            })
        };
        Ok(match op {
            CmpOp::Eq => {
                equals(&name, std::slice::from_ref(lit)).map_err(|r| refusal(construct(), r))?
            }
            CmpOp::In => match lit {
                Literal::List(items) => equals(&name, items),
                one => equals(&name, std::slice::from_ref(one)),
            }
            .map_err(|r| refusal(construct(), r))?,
            CmpOp::Ne | CmpOp::NotMatches => {
                single_valued(path).map_err(|r| refusal(construct(), r))?;
                let positive = if op == CmpOp::Ne {
                    CmpOp::Eq
                } else {
                    CmpOp::Matches
                };
                Cond::Not(Box::new(self.test(path, positive, lit)?))
            }
            CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
                let n = match lit {
                    Literal::Number(n) => n,
                    Literal::Time(_) => {
                        return Err(refusal(
                            construct(),
                            "Sigma cannot compare timestamps (a SIEM's search sets the time range: leave out --since/--until)",
                        ))
                    }
                    _ => return Err(refusal(construct(), "Sigma orders numbers only")),
                };
                let modifier = match op {
                    CmpOp::Lt => "lt",
                    CmpOp::Le => "lte",
                    CmpOp::Gt => "gt",
                    _ => "gte",
                };
                Cond::Leaf(Leaf {
                    field: name,
                    modifiers: vec![modifier],
                    values: vec![Scalar::Num(*n)],
                })
            }
            CmpOp::Contains => re(&name, pattern::literal(&strings(lit)?), false),
            CmpOp::StartsWith => re(
                &name,
                format!("^{}", pattern::literal(&strings(lit)?)),
                false,
            ),
            CmpOp::EndsWith => re(
                &name,
                format!("{}$", pattern::literal(&strings(lit)?)),
                false,
            ),
            CmpOp::Glob => re(&name, pattern::glob(&strings(lit)?), false),
            CmpOp::Matches => {
                let (regex, insensitive) =
                    pattern::portable(&strings(lit)?).map_err(|r| refusal(construct(), r))?;
                re(&name, regex, insensitive)
            }
            CmpOp::Within => {
                let items = match lit {
                    Literal::List(items) => items.as_slice(),
                    one => std::slice::from_ref(one),
                };
                let blocks = items
                    .iter()
                    .map(|i| match i {
                        Literal::String(s) => Ok(Scalar::Str(cidr(s))),
                        _ => Err(refusal(construct(), "a CIDR block is a string")),
                    })
                    .collect::<Result<_, _>>()?;
                Cond::Leaf(Leaf {
                    field: name,
                    modifiers: vec!["cidr"],
                    values: blocks,
                })
            }
        })
    }

    /// The Sigma name of a path: the raw path's keys joined with dots where
    /// that names it exactly, else a [`SIGMA_FIELDS`] name (the table also
    /// holds legacy names, `apiGroup`, which the raw path beats).
    fn name(&mut self, path: &Path) -> Result<String, Refusal> {
        let raw = path
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Key(k) if plain_key(k)));
        let computed_head = path.head().and_then(|h| fields::computed(&[h]));
        let computed_full = fields::computed_at(path);
        if raw && computed_head.is_none() && computed_full.is_none() {
            return Ok(path.to_string());
        }
        if let Some(sigma) = mapped(path) {
            self.mapped.push(sigma.to_string());
            return Ok(sigma.to_string());
        }
        if let Some(c) = computed_full {
            let reason = fields::refusal(c, Target::Sigma)
                .unwrap_or("kaq computes it, and no Sigma field name carries the same meaning");
            return Err(refusal(path.to_string(), reason));
        }
        let mut parts = Vec::new();
        for seg in &path.segments {
            match seg {
                Segment::Key(k) if plain_key(k) => parts.push(k.as_str()),
                Segment::Key(k) => {
                    return Err(refusal(
                        path.to_string(),
                        format!("the key {k:?} cannot be part of a Sigma field name (only letters, digits, `_` and `-`)"),
                    ))
                }
                Segment::Index(_) | Segment::Wildcard => {
                    return Err(refusal(
                        path.to_string(),
                        "a Sigma field name cannot pick elements of a list, and no Sigma field name maps this path",
                    ))
                }
            }
        }
        Ok(parts.join("."))
    }

    /// `exists(pod.volumes[*].hostPath)`: the mapped field below it where
    /// the API requires that field (a hostPath volume always has a path).
    fn name_for_exists(&mut self, path: &Path) -> Result<String, Refusal> {
        for (below, _why) in REQUIRED_MEMBERS {
            let mut longer = path.clone();
            longer.segments.push(Segment::Key((*below).to_string()));
            if mapped(path).is_none() && mapped(&longer).is_some() {
                return self.name(&longer);
            }
        }
        self.name(path)
    }
}

/// Members the Kubernetes API requires of the object holding them, so that
/// an object exists exactly when the member does: `exists(X)` may be
/// written `exists(X.member)`.
const REQUIRED_MEMBERS: &[(&str, &str)] = &[(
    "path",
    "HostPathVolumeSource.path is required: the API server rejects a hostPath volume without one",
)];

/// The [`SIGMA_FIELDS`] name of a path (a path ending in `[*]` and the same
/// path without it name the same values in a test).
fn mapped(path: &Path) -> Option<&'static str> {
    let text = path.to_string();
    SIGMA_FIELDS.iter().find_map(|(sigma, kaq)| {
        let kaq = crate::filter::field_path(kaq).ok()?.to_string();
        let same = kaq == text
            || kaq.strip_suffix("[*]") == Some(text.as_str())
            || text.strip_suffix("[*]") == Some(kaq.as_str());
        same.then_some(*sigma)
    })
}

fn plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn exists(name: String) -> Cond {
    Cond::Leaf(Leaf {
        field: name,
        modifiers: vec!["exists"],
        values: vec![Scalar::Bool(true)],
    })
}

/// kaq's `!=` and `!~` hold for a missing field and for any one differing
/// value; Sigma's `not` only agrees where the field holds one value.
fn single_valued(path: &Path) -> Result<(), String> {
    match type_of(path) {
        Ok(Type::String | Type::Number | Type::Time) => Ok(()),
        _ => Err(
            "on a field that may hold several values, kaq's `!=`/`!~` hold when any one value differs; Sigma's `not` needs all to (write `not field == value` for that)"
                .into(),
        ),
    }
}

/// `name` equal to one of `items`: strings in one anchored regex, the
/// other kinds as plain values.
fn equals(name: &str, items: &[Literal]) -> Result<Cond, String> {
    let mut strings = Vec::new();
    let mut plain = Vec::new();
    for item in items {
        match item {
            Literal::String(s) => strings.push(s.as_str()),
            Literal::Number(n) => plain.push(Scalar::Num(*n)),
            Literal::Bool(b) => plain.push(Scalar::Bool(*b)),
            Literal::Null => plain.push(Scalar::Null),
            Literal::Time(_) | Literal::Duration(_) => {
                return Err("Sigma cannot compare timestamps or durations".into())
            }
            Literal::List(_) => return Err("a list inside a list".into()),
        }
    }
    let mut alternatives = Vec::new();
    if !strings.is_empty() {
        alternatives.push(Cond::Leaf(Leaf {
            field: name.to_string(),
            modifiers: vec!["re"],
            values: vec![Scalar::Str(pattern::any_of(&strings))],
        }));
    }
    if !plain.is_empty() {
        alternatives.push(Cond::Leaf(Leaf {
            field: name.to_string(),
            modifiers: vec![],
            values: plain,
        }));
    }
    Ok(match alternatives.len() {
        0 => Cond::Const(false),
        1 => alternatives.remove(0),
        _ => Cond::Or(alternatives),
    })
}

/// Does a missing value satisfy `op lit`? (kaq's `holds_for_null`.)
fn holds_for_missing(op: CmpOp, lit: &Literal) -> bool {
    match (op, lit) {
        (CmpOp::Eq, Literal::Null) => true,
        (CmpOp::Ne, l) => *l != Literal::Null,
        (CmpOp::In, Literal::List(items)) => items.contains(&Literal::Null),
        (CmpOp::NotMatches, _) => true,
        _ => false,
    }
}

/// A CIDR block with its prefix length: a bare address is a block of one.
fn cidr(text: &str) -> String {
    let t = text.trim();
    if t.contains('/') {
        t.to_string()
    } else if t.contains(':') {
        format!("{t}/128")
    } else {
        format!("{t}/32")
    }
}

fn show(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => serde_json::Value::from(s.as_str()).to_string(),
        Literal::Number(n) => n.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".into(),
        Literal::Time(_) => "<timestamp>".into(),
        Literal::Duration(_) => "<duration>".into(),
        Literal::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The condition with `not` only on selections (De Morgan), constants
/// folded away; `Cond::Const` only at the top.
pub fn normalize(c: Cond) -> Cond {
    nnf(c, false)
}

fn nnf(c: Cond, negate: bool) -> Cond {
    match c {
        Cond::Const(b) => Cond::Const(b != negate),
        Cond::Leaf(l) if negate => Cond::Not(Box::new(Cond::Leaf(l))),
        Cond::Leaf(l) => Cond::Leaf(l),
        Cond::Not(x) => nnf(*x, !negate),
        Cond::And(xs) if negate => junction(xs, true, true),
        Cond::And(xs) => junction(xs, false, false),
        Cond::Or(xs) if negate => junction(xs, true, false),
        Cond::Or(xs) => junction(xs, false, true),
    }
}

/// An and (`or == false`) or or of the children, each negated if `negate`.
fn junction(xs: Vec<Cond>, negate: bool, or: bool) -> Cond {
    let mut out = Vec::new();
    for x in xs {
        match nnf(x, negate) {
            Cond::Const(b) if b == or => return Cond::Const(or),
            Cond::Const(_) => {}
            Cond::Or(inner) if or => out.extend(inner),
            Cond::And(inner) if !or => out.extend(inner),
            other => out.push(other),
        }
    }
    match out.len() {
        0 => Cond::Const(!or),
        1 => out.remove(0),
        _ if or => Cond::Or(out),
        _ => Cond::And(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse_filter;

    fn leaf(field: &str, modifiers: &[&'static str], value: Scalar) -> Cond {
        Cond::Leaf(Leaf {
            field: field.into(),
            modifiers: modifiers.to_vec(),
            values: vec![value],
        })
    }

    fn normal(filter: &str) -> Cond {
        normalize(translate(&parse_filter(filter).unwrap()).unwrap().cond)
    }

    #[test]
    fn actor_is_rewritten_into_raw_fields() {
        let iu = leaf("impersonatedUser.username", &["exists"], Scalar::Bool(true));
        let bob = |f: &str| leaf(f, &["re"], Scalar::Str("^bob$".into()));
        assert_eq!(
            normal(r#"actor == "bob""#),
            Cond::Or(vec![
                Cond::And(vec![iu.clone(), bob("impersonatedUser.username")]),
                Cond::And(vec![Cond::Not(Box::new(iu)), bob("user.username")]),
            ])
        );
        // A missing impersonator is `!=` anything: true where no one
        // impersonates.
        let imp = leaf("impersonatedUser", &["exists"], Scalar::Bool(true));
        assert_eq!(
            normal(r#"impersonator != "x""#),
            Cond::Or(vec![
                Cond::And(vec![
                    imp.clone(),
                    Cond::Not(Box::new(leaf(
                        "user.username",
                        &["re"],
                        Scalar::Str("^x$".into())
                    ))),
                ]),
                Cond::Not(Box::new(imp)),
            ])
        );
    }

    #[test]
    fn negation_reaches_the_selections() {
        let v = |s: &str| leaf("verb", &["re"], Scalar::Str(format!("^{s}$")));
        assert_eq!(
            normal(r#"not (verb == "get" or not verb == "list")"#),
            Cond::And(vec![Cond::Not(Box::new(v("get"))), v("list")])
        );
        assert_eq!(normal(r#"verb == "get" or true"#), Cond::Const(true));
    }

    #[test]
    fn a_single_condition_any_is_a_mapped_field() {
        let t = translate(
            &parse_filter(r#"any(requestObject.rules[*], "*" in verbs or "*" in resources)"#)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            t.mapped,
            ["requestObject.rules.resources", "requestObject.rules.verbs"]
        );
        let e =
            translate(&parse_filter(r#"any(requestObject.rules[*], not "*" in verbs)"#).unwrap())
                .unwrap_err();
        assert!(e.to_string().contains("not inside any"), "{e}");
    }
}
