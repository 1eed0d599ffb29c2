//! The in-process backend: compiles a checked [`Expr`] into a [`Matcher`] and
//! evaluates it against borrowed events.
//!
//! Semantics, in one place:
//! - A path can reach several values (`[*]`, arrays such as `sourceIPs`:
//!   an array reached at the end of a path is compared element by element).
//!   A comparison holds if **any** value satisfies it; `!=` and `!~` too.
//! - A missing field (or an empty array) is one `null`: `==` is false, `!=` is
//!   true, ordering and string operators are false, `!~` is true.
//! - Values compare only with literals of their own JSON type: `"3" == 3` is
//!   false. Timestamp fields compare as instants.

use regex::{Regex, RegexBuilder};

use super::ast::{CmpOp, Compare, Expr, FieldRef, Literal, Operand, Quantifier};
use super::cidr::Cidr;
use super::error::{FilterError, Span};
use crate::event::{visit_value, Event, Nested, Path, Top};
use crate::json::{raw_eq, raw_starts_with, Kind, Value};
use crate::number::Number;
use crate::time::{parse_timestamp, Micros};

/// Longest regex or glob pattern accepted, in bytes.
pub const MAX_PATTERN_LEN: usize = 4096;
/// Compiled size limit for one regex (the regex crate's NFA), in bytes.
const REGEX_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// A compiled filter, ready to test events. Cheap to share across threads.
#[derive(Debug)]
pub struct Matcher {
    root: Node,
}

#[derive(Debug)]
enum Node {
    Const(bool),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Test(FieldTest),
    /// `field op field`: the right side's values are read per event.
    Fields {
        lhs: FieldAt,
        op: CmpOp,
        rhs: FieldAt,
    },
    Exists(FieldAt),
    Quantified {
        quantifier: Quantifier,
        field: FieldAt,
        body: Box<Node>,
    },
    /// A test that matchers compiled together share ([`Matcher::share`]):
    /// evaluated once per event, its answer kept in [`Known`] slot `.0`.
    Shared(u32, Box<Node>),
}

/// The tests of matchers run together on each event (a detection
/// catalogue), by their text, so that a test several rules make —
/// `not code >= 400`, `verb in ["create", "update", "patch"]` — runs once.
#[derive(Debug, Default)]
pub struct Atoms {
    ids: std::collections::HashMap<String, u32>,
}

impl Atoms {
    /// How many distinct tests; a [`Known`] needs this many slots.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// What the shared tests answered for the current event: per slot, 0 not
/// yet asked, 1 false, 2 true. [`Known::reset`] before each event.
#[derive(Debug, Default, Clone)]
pub struct Known(Vec<u8>);

impl Known {
    /// Forgets every answer, sized for `atoms`.
    pub fn reset(&mut self, atoms: &Atoms) {
        self.0.clear();
        self.0.resize(atoms.len(), 0);
    }
}

/// A path and whether it starts at the event or at the current element.
#[derive(Debug)]
struct FieldAt {
    path: Path,
    relative: bool,
    /// The path starts with a member events can index once for many reads.
    nested: Option<Nested>,
    /// The slot of the path's first key, when it has one.
    top: Option<Top>,
}

#[derive(Debug)]
struct FieldTest {
    field: FieldAt,
    test: Test,
}

/// A test of one value.
#[derive(Debug)]
enum Test {
    Eq(Scalar),
    Ne(Scalar),
    Lt(Scalar),
    Le(Scalar),
    Gt(Scalar),
    Ge(Scalar),
    In(Vec<Scalar>),
    /// A substring, searched with a finder built once (std's `str::contains`
    /// sets up its searcher again on every call).
    Contains(Box<memchr::memmem::Finder<'static>>),
    StartsWith(String),
    EndsWith(String),
    Regex(Regex),
    NotRegex(Regex),
    Glob(Regex),
    Within(Vec<Cidr>),
}

/// A literal value in the form tests compare against.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Time(Micros),
}

impl Matcher {
    /// Compiles a checked expression. Fails only on patterns: a regex that
    /// does not parse or is too large.
    pub fn compile(expr: &Expr) -> Result<Matcher, FilterError> {
        Ok(Matcher {
            root: compile(expr)?,
        })
    }

    /// Does the event match?
    pub fn matches(&self, event: &Event<'_>) -> bool {
        eval(&self.root, Ctx::Event(event), &mut Known::default())
    }

    /// [`Matcher::matches`] for a matcher that [`Matcher::share`]d its
    /// tests: answers of shared tests are read from and kept in `known`,
    /// which holds this event's answers only.
    pub fn matches_known(&self, event: &Event<'_>, known: &mut Known) -> bool {
        eval(&self.root, Ctx::Event(event), known)
    }

    /// Whether the tests of the fields `on` names decide the filter for this
    /// event on their own: `Some(answer)` when they do, whatever the other
    /// fields hold; `None` when other fields must be read. Only tests
    /// (comparisons and `exists`) whose field is exactly one of `on` are run;
    /// every other test counts as unknown, and `and`/`or`/`not` combine in
    /// three-valued logic. The answer depends on nothing but the text of the
    /// `on` fields' values, so a caller may keep it for every event whose
    /// values of those fields have the same text (as `kaq detect` does to
    /// route events to the rules that can fire on them).
    pub fn decide(&self, event: &Event<'_>, on: &[&[&str]]) -> Option<bool> {
        decide(&self.root, event, on)
    }

    /// Registers the matcher's tests of the event (not those inside
    /// `any`/`all`, which test elements) in `atoms`, so that matchers sharing
    /// one `atoms` evaluate a test they have in common once per event with
    /// [`Matcher::matches_known`]. Tests are told apart by their compiled
    /// form: same path, operator and literal.
    pub fn share(&mut self, atoms: &mut Atoms) {
        share(&mut self.root, atoms);
    }

    /// Why the event matches: for each comparison that took part in the
    /// match, the field and the value that satisfied it
    /// (`securityContext.privileged=true`), and for `any(...)`, which element
    /// (`containers[name=b image=nginx]: ...`). Fields in `skip` are left out
    /// (a caller that prints the verb anyway does not want it twice). Empty
    /// when the event does not match. Slower than [`Matcher::matches`]: call
    /// it on matches only.
    pub fn explain(&self, event: &Event<'_>, skip: &[&[&str]]) -> Vec<String> {
        let mut out = Vec::new();
        if !explain(&self.root, Ctx::Event(event), skip, &mut out) {
            out.clear();
        }
        out
    }
}

fn share(node: &mut Node, atoms: &mut Atoms) {
    match node {
        Node::Const(_) | Node::Shared(..) => {}
        Node::Not(n) => share(n, atoms),
        Node::And(xs) | Node::Or(xs) => xs.iter_mut().for_each(|n| share(n, atoms)),
        Node::Test(_) | Node::Fields { .. } | Node::Exists(_) | Node::Quantified { .. } => {
            let key = format!("{node:?}");
            let next = atoms.ids.len() as u32;
            let id = *atoms.ids.entry(key).or_insert(next);
            let leaf = std::mem::replace(node, Node::Const(false));
            *node = Node::Shared(id, Box::new(leaf));
        }
    }
}

fn decide(node: &Node, e: &Event<'_>, on: &[&[&str]]) -> Option<bool> {
    let routed = |f: &FieldAt| !f.relative && on.iter().any(|p| f.path.is(p));
    match node {
        Node::Const(b) => Some(*b),
        Node::Not(n) => decide(n, e, on).map(|b| !b),
        Node::Shared(_, n) => decide(n, e, on),
        Node::And(xs) => junction(xs, e, on, false),
        Node::Or(xs) => junction(xs, e, on, true),
        Node::Test(FieldTest { field, .. }) | Node::Exists(field) if routed(field) => {
            Some(eval(node, Ctx::Event(e), &mut Known::default()))
        }
        Node::Test(_) | Node::Exists(_) | Node::Fields { .. } | Node::Quantified { .. } => None,
    }
}

/// [`decide`] for `and` (`decisive` false) or `or` (`decisive` true): an
/// operand decided `decisive` decides it; otherwise an undecided operand
/// leaves it undecided.
fn junction(xs: &[Node], e: &Event<'_>, on: &[&[&str]], decisive: bool) -> Option<bool> {
    let mut open = false;
    for x in xs {
        match decide(x, e, on) {
            Some(b) if b == decisive => return Some(decisive),
            Some(_) => {}
            None => open = true,
        }
    }
    (!open).then_some(!decisive)
}

/// [`eval`], recording what made each held node hold.
fn explain(node: &Node, ctx: Ctx<'_, '_>, skip: &[&[&str]], out: &mut Vec<String>) -> bool {
    match node {
        Node::And(xs) => {
            let mark = out.len();
            let all = xs.iter().all(|n| explain(n, ctx, skip, out));
            if !all {
                out.truncate(mark);
            }
            all
        }
        Node::Or(xs) => xs.iter().any(|n| {
            let mark = out.len();
            let held = explain(n, ctx, skip, out);
            if !held {
                out.truncate(mark);
            }
            held
        }),
        Node::Test(t) => {
            let mut shown = None;
            let (stopped, seen) = ctx.visit_leaves(&t.field, &mut |v| {
                let held = t.test.holds(v);
                if held {
                    shown = Some(display_value(v));
                }
                held
            });
            let held = stopped || (!seen && t.test.holds_for_null());
            let skipped = !t.field.relative && skip.iter().any(|k| t.field.path.is(k));
            if let (true, Some(value), false) = (held, shown, skipped) {
                out.push(format!("{}={value}", t.field.path));
            }
            held
        }
        Node::Quantified {
            quantifier: Quantifier::Any,
            field,
            body,
        } => {
            let label = field
                .path
                .segments
                .iter()
                .rev()
                .find_map(|s| match s {
                    crate::event::Segment::Key(k) => Some(k.as_str()),
                    _ => None,
                })
                .unwrap_or("element")
                .to_string();
            let mut index = 0usize;
            let mut found = None;
            let mut each = |v: Value<'_>| {
                let mut inner = Vec::new();
                let held = explain(body, Ctx::Value(v), skip, &mut inner);
                if held {
                    found = Some(format!(
                        "{label}[{}]: {}",
                        element_label(v, index),
                        inner.join(" ")
                    ));
                }
                index += 1;
                held
            };
            let held = ctx.visit(field, &mut |v| {
                if v.kind() == Kind::Array {
                    v.elements().any(&mut each)
                } else {
                    each(v)
                }
            });
            if let (true, Some(f)) = (held, found) {
                out.push(f.trim_end_matches([' ', ':']).to_string());
            }
            held
        }
        Node::Shared(_, n) => explain(n, ctx, skip, out),
        other => eval(other, ctx, &mut Known::default()),
    }
}

/// How an element of a list is named in an explanation: its `name` and
/// `image` when it has them (containers, volumes), else its index.
fn element_label(v: Value<'_>, index: usize) -> String {
    let mut parts = Vec::new();
    for key in ["name", "image"] {
        if let Some(s) = v.get(key).and_then(|x| x.as_str()) {
            parts.push(format!("{key}={}", quote_if_needed(&s)));
        }
    }
    if parts.is_empty() {
        index.to_string()
    } else {
        parts.join(" ")
    }
}

/// A value as an explanation shows it: strings bare unless they need quotes,
/// everything else as JSON.
fn display_value(v: Value<'_>) -> String {
    match v.as_str() {
        Some(s) => quote_if_needed(&s),
        None => v.text().to_string(),
    }
}

fn quote_if_needed(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '=' | ','));
    if plain {
        s.to_string()
    } else {
        serde_json::Value::from(s).to_string()
    }
}

fn compile(expr: &Expr) -> Result<Node, FilterError> {
    Ok(match expr {
        Expr::Const(b) => Node::Const(*b),
        Expr::Not(e) => Node::Not(Box::new(compile(e)?)),
        Expr::And(xs) => Node::And(cheapest_first(xs)?),
        Expr::Or(xs) => Node::Or(cheapest_first(xs)?),
        Expr::Exists(f) => Node::Exists(field_at(f)),
        Expr::Quantified {
            quantifier,
            field,
            body,
        } => Node::Quantified {
            quantifier: *quantifier,
            field: field_at(field),
            body: Box::new(compile(body)?),
        },
        Expr::Compare(Compare { lhs, op, rhs, .. }) => {
            let Operand::Field(lhs) = lhs else {
                unreachable!("the checker puts a field on the left")
            };
            match rhs {
                Operand::Field(rhs) => Node::Fields {
                    lhs: field_at(lhs),
                    op: *op,
                    rhs: field_at(rhs),
                },
                Operand::Literal(lit, span) => Node::Test(FieldTest {
                    field: field_at(lhs),
                    test: compile_test(*op, lit, *span)?,
                }),
            }
        }
    })
}

/// Compiles the operands of `and`/`or`, cheapest first: both stop at the
/// first operand that decides, and evaluation has no side effects, so the
/// order changes nothing but the time (a regex or a walk of a body runs
/// only on events the plain comparisons let through). Ties keep the order
/// written.
fn cheapest_first(xs: &[Expr]) -> Result<Vec<Node>, FilterError> {
    let mut nodes: Vec<Node> = xs.iter().map(compile).collect::<Result<_, _>>()?;
    nodes.sort_by_key(cost);
    Ok(nodes)
}

/// A rough cost of evaluating a node, in units of one indexed field read.
fn cost(node: &Node) -> u32 {
    let read = |f: &FieldAt| -> u32 {
        let computed = f
            .path
            .head()
            .is_some_and(|h| crate::event::computed::NAMES.contains(&h));
        match (f.nested, f.path.segments.len()) {
            _ if f.relative => 2,
            _ if computed => 20,
            (Some(_), 2) => 1,
            (_, 1) => 1,
            (_, n) => 2 * n as u32,
        }
    };
    match node {
        Node::Const(_) => 0,
        Node::Not(n) | Node::Shared(_, n) => cost(n),
        Node::And(xs) | Node::Or(xs) => xs.iter().map(cost).sum(),
        Node::Test(t) => {
            read(&t.field)
                + match &t.test {
                    Test::Regex(_) | Test::NotRegex(_) | Test::Glob(_) => 10,
                    // Parsing an address.
                    Test::Within(_) => 6,
                    Test::Contains(_) | Test::EndsWith(_) => 2,
                    Test::In(items) => 1 + items.len() as u32 / 4,
                    _ => 1,
                }
        }
        Node::Fields { lhs, rhs, .. } => read(lhs) + read(rhs) + 2,
        Node::Exists(f) => read(f),
        Node::Quantified { field, body, .. } => read(field) + 4 * cost(body),
    }
}

fn field_at(f: &FieldRef) -> FieldAt {
    FieldAt {
        path: f.path.clone(),
        relative: f.relative,
        nested: if f.relative {
            None
        } else {
            Nested::of(&f.path)
        },
        top: Top::of(&f.path),
    }
}

fn scalar(lit: &Literal) -> Scalar {
    match lit {
        Literal::String(s) => Scalar::Str(s.clone()),
        Literal::Number(n) => Scalar::Num(*n),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Null => Scalar::Null,
        Literal::Time(t) => Scalar::Time(*t),
        // Durations compare with seconds (what computed `latency` yields).
        Literal::Duration(us) => Scalar::Num(Number::Float(*us as f64 / 1e6)),
        Literal::List(_) => Scalar::Null,
    }
}

fn text(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn compile_test(op: CmpOp, lit: &Literal, span: Span) -> Result<Test, FilterError> {
    Ok(match op {
        CmpOp::Eq => Test::Eq(scalar(lit)),
        CmpOp::Ne => Test::Ne(scalar(lit)),
        CmpOp::Lt => Test::Lt(scalar(lit)),
        CmpOp::Le => Test::Le(scalar(lit)),
        CmpOp::Gt => Test::Gt(scalar(lit)),
        CmpOp::Ge => Test::Ge(scalar(lit)),
        CmpOp::In => match lit {
            Literal::List(items) => Test::In(items.iter().map(scalar).collect()),
            other => Test::In(vec![scalar(other)]),
        },
        CmpOp::Contains => contains(&text(lit)),
        CmpOp::StartsWith => Test::StartsWith(text(lit)),
        CmpOp::EndsWith => Test::EndsWith(text(lit)),
        CmpOp::Matches => Test::Regex(regex(&text(lit), span)?),
        CmpOp::NotMatches => Test::NotRegex(regex(&text(lit), span)?),
        CmpOp::Glob => simple_glob(&text(lit)).unwrap_or(Test::Glob(glob(&text(lit), span)?)),
        CmpOp::Within => {
            let items = match lit {
                Literal::List(items) => items.as_slice(),
                one => std::slice::from_ref(one),
            };
            let blocks = items
                .iter()
                .map(|i| Cidr::parse(&text(i)).map_err(|m| FilterError::new(span, m)))
                .collect::<Result<_, _>>()?;
            Test::Within(blocks)
        }
    })
}

/// Compiles a user regex with bounded size; the regex crate matches in linear
/// time, so a compiled pattern cannot hang a run.
fn regex(pattern: &str, span: Span) -> Result<Regex, FilterError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(FilterError::new(
            span,
            format!(
                "the pattern is {} bytes long; the limit is {MAX_PATTERN_LEN}",
                pattern.len()
            ),
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(64)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => {
                FilterError::new(span, "the regex is too large once compiled")
                    .with_hint("use fewer or smaller counted repetitions such as {1000}")
            }
            other => {
                let detail = other.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                FilterError::new(
                    span,
                    format!("invalid regex: {}", last.trim_start_matches("error: ")),
                )
            }
        })
}

/// A glob that needs no regex: `system:*` is a prefix test, `*-admin` a
/// suffix test, `*kube*` a substring test, `admin` an equality (allow-lists
/// are mostly such globs, and rules test them on every event).
fn simple_glob(pattern: &str) -> Option<Test> {
    if pattern.contains('?') {
        return None;
    }
    let inner = pattern.trim_start_matches('*').trim_end_matches('*');
    if inner.contains('*') {
        return None;
    }
    let (open_start, open_end) = (pattern.starts_with('*'), pattern.ends_with('*'));
    Some(match (open_start, open_end) {
        _ if inner.is_empty() && pattern.is_empty() => Test::Eq(Scalar::Str(String::new())),
        // `*` alone: any string at all.
        _ if inner.is_empty() => Test::StartsWith(String::new()),
        (false, false) => Test::Eq(Scalar::Str(inner.to_string())),
        (false, true) => Test::StartsWith(inner.to_string()),
        (true, false) => Test::EndsWith(inner.to_string()),
        (true, true) => contains(inner),
    })
}

fn contains(needle: &str) -> Test {
    Test::Contains(Box::new(
        memchr::memmem::Finder::new(needle.as_bytes()).into_owned(),
    ))
}

/// Compiles a glob (`*` any run of characters, `?` one character, anchored at
/// both ends) into a regex, which keeps matching linear-time.
fn glob(pattern: &str, span: Span) -> Result<Regex, FilterError> {
    regex(&format!("(?s)^{}$", glob_regex(pattern)), span)
}

/// A glob as unanchored regex text: `*` is any run of characters, `?` one
/// character, everything else literal. Shared by `~` and by the detection
/// rules' id patterns and image allow-lists.
pub fn glob_regex(pattern: &str) -> String {
    let mut re = String::with_capacity(pattern.len() + 8);
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    re
}

/// Where paths start: the event, or (inside `any`/`all`) one element.
#[derive(Clone, Copy)]
enum Ctx<'e, 'a> {
    Event(&'e Event<'a>),
    Value(Value<'a>),
}

impl<'a> Ctx<'_, 'a> {
    fn visit(&self, field: &FieldAt, f: &mut dyn for<'v> FnMut(Value<'v>) -> bool) -> bool {
        match (self, field.relative) {
            (Ctx::Value(v), true) => visit_value(*v, &field.path.segments, f),
            (Ctx::Event(e), _) => match field.nested {
                Some(n) => e.visit_nested(n, &field.path, f),
                None => e.visit_from(&field.path, field.top, f),
            },
            (Ctx::Value(_), false) => false,
        }
    }

    /// The one value a field names when it is a lookup, not a walk: a
    /// top-level member (`verb`) or an indexed nested one
    /// (`objectRef.resource`). `Some(None)`: the field is absent. `None`:
    /// use [`Ctx::visit`].
    #[inline]
    fn direct(&self, field: &FieldAt) -> Option<Option<Value<'a>>> {
        let Ctx::Event(e) = self else {
            return None;
        };
        if field.relative {
            return None;
        }
        match (field.nested, field.top, field.path.segments.len()) {
            (Some(n), _, 2) => e.indexed(n),
            // A known name is never a computed one, so absent is absent.
            (None, Some(t), 1) => Some(e.get_top(t)),
            _ => None,
        }
    }

    /// Visits the leaves: arrays reached at the end are entered one level.
    /// Returns (stopped, saw_any).
    fn visit_leaves(
        &self,
        field: &FieldAt,
        f: &mut dyn for<'v> FnMut(Value<'v>) -> bool,
    ) -> (bool, bool) {
        let mut seen = false;
        let stopped = self.visit(field, &mut |v| {
            if v.kind() == Kind::Array {
                v.elements().any(|e| {
                    seen = true;
                    f(e)
                })
            } else {
                seen = true;
                f(v)
            }
        });
        (stopped, seen)
    }
}

fn eval(node: &Node, ctx: Ctx<'_, '_>, known: &mut Known) -> bool {
    match node {
        Node::Const(b) => *b,
        Node::Not(n) => !eval(n, ctx, known),
        Node::And(xs) => xs.iter().all(|n| eval(n, ctx, known)),
        Node::Or(xs) => xs.iter().any(|n| eval(n, ctx, known)),
        Node::Shared(id, n) => {
            let slot = *id as usize;
            match known.0.get(slot) {
                Some(1) => false,
                Some(2) => true,
                Some(_) => {
                    let held = eval(n, ctx, known);
                    known.0[slot] = 1 + u8::from(held);
                    held
                }
                // A matcher run without its answers.
                None => eval(n, ctx, known),
            }
        }
        Node::Test(t) => {
            if let Some(found) = ctx.direct(&t.field) {
                // The same answer as the walk below, without its closures.
                return match found {
                    Some(v) if v.kind() == Kind::Array => {
                        let mut seen = false;
                        v.elements().any(|x| {
                            seen = true;
                            t.test.holds(x)
                        }) || (!seen && t.test.holds_for_null())
                    }
                    Some(v) => t.test.holds(v),
                    None => t.test.holds_for_null(),
                };
            }
            let (stopped, seen) = ctx.visit_leaves(&t.field, &mut |v| t.test.holds(v));
            stopped || (!seen && t.test.holds_for_null())
        }
        Node::Exists(f) => ctx.visit(f, &mut |v| !v.is_null()),
        Node::Quantified {
            quantifier,
            field,
            body,
        } => {
            let mut each = |v: Value<'_>| {
                let hit = eval(body, Ctx::Value(v), known);
                match quantifier {
                    Quantifier::Any => hit,
                    Quantifier::All => !hit,
                }
            };
            let stopped = ctx.visit(field, &mut |v| {
                if v.kind() == Kind::Array {
                    v.elements().any(&mut each)
                } else {
                    each(v)
                }
            });
            match quantifier {
                Quantifier::Any => stopped,
                Quantifier::All => !stopped,
            }
        }
        Node::Fields { lhs, op, rhs } => {
            let mut right = Vec::new();
            ctx.visit_leaves(rhs, &mut |v| {
                right.push(to_scalar(v));
                false
            });
            if right.is_empty() {
                right.push(Scalar::Null);
            }
            right.into_iter().any(|s| {
                let test = match op {
                    CmpOp::Eq | CmpOp::In => Test::Eq(s),
                    CmpOp::Ne => Test::Ne(s),
                    CmpOp::Lt => Test::Lt(s),
                    CmpOp::Le => Test::Le(s),
                    CmpOp::Gt => Test::Gt(s),
                    _ => Test::Ge(s),
                };
                let (stopped, seen) = ctx.visit_leaves(lhs, &mut |v| test.holds(v));
                stopped || (!seen && test.holds_for_null())
            })
        }
    }
}

fn to_scalar(v: Value<'_>) -> Scalar {
    match v.kind() {
        Kind::Null => Scalar::Null,
        Kind::Bool => Scalar::Bool(v.as_bool().unwrap_or(false)),
        Kind::Number => Number::parse(v.text()).map_or(Scalar::Null, Scalar::Num),
        Kind::String => Scalar::Str(v.as_str().unwrap_or_default().into_owned()),
        Kind::Array | Kind::Object => Scalar::Str(v.text().to_string()),
    }
}

impl Test {
    /// Does one present value satisfy the test?
    fn holds(&self, v: Value<'_>) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Test::Eq(s) => equals(v, s),
            Test::Ne(s) => !equals(v, s),
            Test::Lt(s) => order(v, s) == Some(Less),
            Test::Le(s) => matches!(order(v, s), Some(Less | Equal)),
            Test::Gt(s) => order(v, s) == Some(Greater),
            Test::Ge(s) => matches!(order(v, s), Some(Greater | Equal)),
            Test::In(items) => items.iter().any(|s| equals(v, s)),
            Test::Contains(n) => v.with_str(|s| n.find(s.as_bytes()).is_some()) == Some(true),
            Test::StartsWith(n) => v.raw_str().is_some_and(|s| raw_starts_with(s, n)),
            Test::EndsWith(n) => v.with_str(|s| s.ends_with(n.as_str())) == Some(true),
            Test::Regex(re) | Test::Glob(re) => v.with_str(|s| re.is_match(s)) == Some(true),
            Test::NotRegex(re) => v.with_str(|s| re.is_match(s)) != Some(true),
            Test::Within(blocks) => v
                .with_str(|s| s.trim().parse::<std::net::IpAddr>().ok())
                .flatten()
                .is_some_and(|ip| blocks.iter().any(|b| b.contains(ip))),
        }
    }

    /// Does a missing field (null) satisfy the test?
    fn holds_for_null(&self) -> bool {
        match self {
            Test::Eq(s) => *s == Scalar::Null,
            Test::Ne(s) => *s != Scalar::Null,
            Test::In(items) => items.contains(&Scalar::Null),
            Test::NotRegex(_) => true,
            _ => false,
        }
    }
}

fn equals(v: Value<'_>, s: &Scalar) -> bool {
    match s {
        Scalar::Null => v.is_null(),
        Scalar::Bool(b) => v.as_bool() == Some(*b),
        Scalar::Num(n) => number(v).is_some_and(|x| x.same(*n)),
        Scalar::Str(x) => v.raw_str().is_some_and(|s| raw_eq(s, x)),
        Scalar::Time(t) => v.as_str().and_then(|s| parse_timestamp(&s)) == Some(*t),
    }
}

/// A number value as a [`Number`]: integers stay exact.
fn number(v: Value<'_>) -> Option<Number> {
    (v.kind() == Kind::Number)
        .then(|| Number::parse(v.text()))
        .flatten()
}

fn order(v: Value<'_>, s: &Scalar) -> Option<std::cmp::Ordering> {
    match s {
        Scalar::Num(n) => number(v)?.compare(*n),
        Scalar::Str(x) => Some(v.as_str()?.as_ref().cmp(x.as_str())),
        Scalar::Time(t) => Some(parse_timestamp(&v.as_str()?)?.cmp(t)),
        Scalar::Null | Scalar::Bool(_) => None,
    }
}
