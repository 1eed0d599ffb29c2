//! The filter language's abstract syntax tree.
//!
//! This is the contract between the front end (lexer, parser, checker) and
//! every backend: the in-process evaluator ([`super::eval`]) today, query
//! compilers for other engines later. After [`super::check`], every field path
//! is canonical (aliases resolved), time literals are instants, and a
//! comparison always has a field on its left.

use super::error::Span;
use crate::event::Path;
use crate::number::Number;
use crate::time::Micros;

/// A boolean filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `true` or `false`.
    Const(bool),
    /// `not verb == "get"`, `!exists(impersonatedUser)`.
    Not(Box<Expr>),
    /// `verb == "delete" and resource == "secrets"` (also `&&`); n-ary so
    /// that long chains stay flat.
    And(Vec<Expr>),
    /// `code == 401 or code == 403` (also `||`); n-ary.
    Or(Vec<Expr>),
    /// `verb == "delete"`, `code >= 400`, `user ~ "system:*"`,
    /// `"pods/exec" in resources`.
    Compare(Compare),
    /// `exists(impersonatedUser)`: the path reaches a non-null value.
    Exists(FieldRef),
    /// `any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)`:
    /// one element must satisfy the whole body; paths in the body are relative
    /// to that element. `all(...)` needs every element to (true when empty).
    Quantified {
        quantifier: Quantifier,
        field: FieldRef,
        body: Box<Expr>,
    },
}

/// `any` or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

/// `lhs op rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    pub lhs: Operand,
    pub op: CmpOp,
    pub rhs: Operand,
    pub span: Span,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(FieldRef),
    Literal(Literal, Span),
}

/// A field path as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    pub path: Path,
    pub span: Span,
    /// True inside the body of `any`/`all`: relative to the element.
    pub relative: bool,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(Number),
    Bool(bool),
    Null,
    /// An instant (microseconds since the epoch), from an RFC 3339 string
    /// compared with a timestamp field.
    Time(Micros),
    /// A duration in microseconds: `5s`, `250ms`, `1h30m`.
    Duration(Micros),
    /// `["create", "update"]`, only on the right of `in`.
    List(Vec<Literal>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `contains` (substring)
    Contains,
    /// `startswith`
    StartsWith,
    /// `endswith`
    EndsWith,
    /// `=~` (regex, unanchored)
    Matches,
    /// `!~`
    NotMatches,
    /// `~` (glob: `*` and `?`, anchored)
    Glob,
    /// `within` (an IP address inside a CIDR block, or one of a list:
    /// `ip within ["10.0.0.0/8", "fd00::/8"]`)
    Within,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::Contains => "contains",
            CmpOp::StartsWith => "startswith",
            CmpOp::EndsWith => "endswith",
            CmpOp::Matches => "=~",
            CmpOp::NotMatches => "!~",
            CmpOp::Glob => "~",
            CmpOp::Within => "within",
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`), for the
    /// operators where that is meaningful.
    pub fn flipped(self) -> Option<CmpOp> {
        Some(match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            _ => return None,
        })
    }

    /// Operators that work on string values only.
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            CmpOp::Contains
                | CmpOp::StartsWith
                | CmpOp::EndsWith
                | CmpOp::Matches
                | CmpOp::NotMatches
                | CmpOp::Glob
        )
    }

    pub fn is_ordering(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
    }
}

impl Expr {
    /// `self and other`, folding away a `true` on either side.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Const(true), e) | (e, Expr::Const(true)) => e,
            (Expr::And(mut xs), b) => {
                xs.push(b);
                Expr::And(xs)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// A comparison of an absolute field with a literal, as the shorthand
    /// flags build them.
    pub fn field_cmp(path: Path, op: CmpOp, lit: Literal) -> Expr {
        Expr::Compare(Compare {
            lhs: Operand::Field(FieldRef {
                path,
                span: Span::NONE,
                relative: false,
            }),
            op,
            rhs: Operand::Literal(lit, Span::NONE),
            span: Span::NONE,
        })
    }
}
