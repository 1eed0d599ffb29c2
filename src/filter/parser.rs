//! Recursive-descent parser: tokens → [`Expr`].
//!
//! ```text
//! expr       := or
//! or         := and (("or" | "||") and)*
//! and        := unary (("and" | "&&") unary)*
//! unary      := ("not" | "!") unary | primary
//! primary    := "(" expr ")" | "true" | "false"
//!             | "exists" "(" path ")"
//!             | ("any" | "all") "(" path "," expr ")"
//!             | operand op operand
//! op         := "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" | "~"
//!             | "in" | "not" "in" | "contains" | "startswith" | "endswith"
//!             | "within"
//! operand    := path | literal
//! literal    := string | number | "true" | "false" | "null" | "[" literal ("," literal)* "]"
//! path       := ident ("." ident | "[" (string | integer | "*") "]")*
//! ```
//!
//! The parser checks syntax only; field names and types are the checker's job.

use super::ast::{CmpOp, Compare, Expr, FieldRef, Literal, Operand, Quantifier};
use super::error::{FilterError, Span};
use super::lexer::{lex, Tok};
use crate::event::{Path, Segment};

/// How deeply parentheses, `not` and `any(...)` may nest.
pub const MAX_NESTING: usize = 128;

/// Parses filter text into an unchecked expression.
pub fn parse(src: &str) -> Result<Expr, FilterError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        in_quantifier: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(FilterError::new(p.span(), "the filter is empty")
            .with_hint("`true` matches every event"));
    }
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        let hint = match p.peek() {
            Tok::Ident(_) | Tok::Str(_) | Tok::Num(_) | Tok::Duration(_) => {
                Some("join conditions with `and` or `or`")
            }
            Tok::RParen => Some("this `)` has no matching `(`"),
            _ => None,
        };
        let err = p.unexpected("`and`, `or` or the end of the filter");
        return Err(match hint {
            Some(h) => err.with_hint(h),
            None => err,
        });
    }
    Ok(e)
}

/// Parses a field path on its own: `objectRef.name`,
/// `requestObject.spec.containers[*].image`. Used for `--columns`.
pub fn parse_path(src: &str) -> Result<Path, FilterError> {
    let mut p = Parser {
        tokens: lex(src)?,
        pos: 0,
        depth: 0,
        in_quantifier: 0,
    };
    let field = p.field()?;
    if p.peek() != &Tok::Eof {
        return Err(p.unexpected("the end of the path"));
    }
    Ok(field.path)
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
    in_quantifier: usize,
}

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "contains",
    "startswith",
    "endswith",
    "within",
    "true",
    "false",
    "null",
    "exists",
    "any",
    "all",
];

impl Parser {
    /// The current token; past the end, `Eof`.
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)].0
    }

    fn span(&self) -> Span {
        self.tokens[self.pos.min(self.tokens.len() - 1)].1
    }

    fn prev_span(&self) -> Span {
        self.tokens[self.pos.saturating_sub(1)].1
    }

    /// Takes the current token. Always advances (up to one past `Eof`), so
    /// `pos -= 1` undoes it.
    fn bump(&mut self) -> (Tok, Span) {
        let t = self.tokens[self.pos.min(self.tokens.len() - 1)].clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn unexpected(&self, expected: &str) -> FilterError {
        FilterError::new(
            self.span(),
            format!("expected {expected}, found {}", self.peek().describe()),
        )
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Span, FilterError> {
        if self.peek() == &tok {
            Ok(self.bump().1)
        } else {
            Err(self.unexpected(what))
        }
    }

    fn nest(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(FilterError::new(
                self.span(),
                format!("the filter nests deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, FilterError> {
        let first = self.and()?;
        let mut terms = vec![first];
        while self.is_word("or") || self.peek() == &Tok::OrOr {
            self.bump();
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap()
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let first = self.unary()?;
        let mut terms = vec![first];
        while self.is_word("and") || self.peek() == &Tok::AndAnd {
            self.bump();
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().unwrap()
        } else {
            Expr::And(terms)
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.is_word("not") || self.peek() == &Tok::Bang {
            self.bump();
            self.nest()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        match self.peek().clone() {
            Tok::LParen => {
                self.bump();
                self.nest()?;
                let e = self.expr()?;
                self.depth -= 1;
                self.expect(Tok::RParen, "`)`")?;
                Ok(e)
            }
            Tok::Ident(w) if (w == "true" || w == "false") && !self.next_is_operator(1) => {
                self.bump();
                Ok(Expr::Const(w == "true"))
            }
            Tok::Ident(w) if w == "exists" && self.peek_at(1) == &Tok::LParen => {
                self.bump();
                self.bump();
                let field = self.field()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(Expr::Exists(field))
            }
            Tok::Ident(w) if (w == "any" || w == "all") && self.peek_at(1) == &Tok::LParen => {
                self.bump();
                self.bump();
                let quantifier = if w == "any" {
                    Quantifier::Any
                } else {
                    Quantifier::All
                };
                let field = self.field()?;
                self.expect(Tok::Comma, "`,` and a condition on each element")?;
                self.nest()?;
                self.in_quantifier += 1;
                let body = self.expr()?;
                self.in_quantifier -= 1;
                self.depth -= 1;
                self.expect(Tok::RParen, "`)`")?;
                Ok(Expr::Quantified {
                    quantifier,
                    field,
                    body: Box::new(body),
                })
            }
            _ => self.comparison(),
        }
    }

    /// Is the token `n` ahead a comparison operator?
    fn next_is_operator(&self, n: usize) -> bool {
        match self.peek_at(n) {
            Tok::Op(_) => true,
            Tok::Ident(w) => {
                matches!(
                    w.as_str(),
                    "in" | "contains" | "startswith" | "endswith" | "within"
                ) || (w == "not" && matches!(self.peek_at(n + 1), Tok::Ident(x) if x == "in"))
            }
            _ => false,
        }
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let lhs = self.operand()?;
        let op_span = self.span();
        let (op, negate) = match self.peek().clone() {
            Tok::Op(sym) => {
                self.bump();
                (op_from_symbol(sym), false)
            }
            Tok::Ident(w) => {
                let op = match w.as_str() {
                    "in" => CmpOp::In,
                    "contains" => CmpOp::Contains,
                    "startswith" => CmpOp::StartsWith,
                    "endswith" => CmpOp::EndsWith,
                    "within" => CmpOp::Within,
                    "not" if matches!(self.peek_at(1), Tok::Ident(x) if x == "in") => {
                        self.bump();
                        self.bump();
                        return self.finish_comparison(lhs, CmpOp::In, true, op_span);
                    }
                    _ => return Err(self.missing_operator(&lhs)),
                };
                self.bump();
                (op, false)
            }
            _ => return Err(self.missing_operator(&lhs)),
        };
        self.finish_comparison(lhs, op, negate, op_span)
    }

    fn finish_comparison(
        &mut self,
        lhs: Operand,
        op: CmpOp,
        negate: bool,
        op_span: Span,
    ) -> Result<Expr, FilterError> {
        let rhs = self.operand()?;
        let span = operand_span(&lhs).to(op_span).to(operand_span(&rhs));
        let cmp = Expr::Compare(Compare { lhs, op, rhs, span });
        Ok(if negate {
            Expr::Not(Box::new(cmp))
        } else {
            cmp
        })
    }

    fn missing_operator(&self, lhs: &Operand) -> FilterError {
        let err = self.unexpected("a comparison operator (==, !=, <, >, in, contains, =~, ~, ...)");
        match lhs {
            Operand::Field(_) => err.with_hint(
                "a field on its own is not a condition: compare it, e.g. `verb == \"delete\"`, or test `exists(field)`",
            ),
            Operand::Literal(..) => err,
        }
    }

    fn operand(&mut self) -> Result<Operand, FilterError> {
        let (tok, span) = (self.peek().clone(), self.span());
        match tok {
            Tok::Str(_) | Tok::Num(_) | Tok::Duration(_) | Tok::LBracket => {
                let lit = self.literal()?;
                Ok(Operand::Literal(lit, span.to(self.prev_span())))
            }
            Tok::Ident(w) if matches!(w.as_str(), "true" | "false" | "null") => {
                self.bump();
                Ok(Operand::Literal(
                    match w.as_str() {
                        "true" => Literal::Bool(true),
                        "false" => Literal::Bool(false),
                        _ => Literal::Null,
                    },
                    span,
                ))
            }
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => Err(FilterError::new(
                span,
                format!("expected a field or a value, found keyword `{w}`"),
            )
            .with_hint(format!(
                "a field named `{w}` is written [\"{w}\"] after its parent"
            ))),
            Tok::Ident(_) => Ok(Operand::Field(self.field()?)),
            _ => Err(self.unexpected("a field or a value")),
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        match self.bump() {
            (Tok::Str(s), _) => Ok(Literal::String(s)),
            (Tok::Num(n), _) => Ok(Literal::Number(n)),
            (Tok::Duration(us), _) => Ok(Literal::Duration(us)),
            (Tok::Ident(w), _) if w == "true" => Ok(Literal::Bool(true)),
            (Tok::Ident(w), _) if w == "false" => Ok(Literal::Bool(false)),
            (Tok::Ident(w), _) if w == "null" => Ok(Literal::Null),
            (Tok::LBracket, _) => {
                let mut items = Vec::new();
                if self.peek() == &Tok::RBracket {
                    self.bump();
                    return Ok(Literal::List(items));
                }
                loop {
                    if matches!(self.peek(), Tok::LBracket) {
                        return Err(self.unexpected("a string, number, true, false or null"));
                    }
                    items.push(self.literal()?);
                    match self.peek() {
                        Tok::Comma => {
                            self.bump();
                        }
                        Tok::RBracket => {
                            self.bump();
                            return Ok(Literal::List(items));
                        }
                        _ => return Err(self.unexpected("`,` or `]`")),
                    }
                }
            }
            _ => {
                self.pos -= 1;
                Err(self.unexpected("a string, number, true, false or null"))
            }
        }
    }

    fn field(&mut self) -> Result<FieldRef, FilterError> {
        let start = self.span();
        let mut segments = Vec::new();
        match self.bump() {
            (Tok::Ident(w), _) => segments.push(Segment::Key(w)),
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("a field name"));
            }
        }
        loop {
            match self.peek() {
                Tok::Dot => {
                    self.bump();
                    match self.bump() {
                        (Tok::Ident(w), _) => segments.push(Segment::Key(w)),
                        _ => {
                            self.pos -= 1;
                            return Err(self.unexpected("a field name after `.`").with_hint(
                                "names with dots, slashes or dashes go in brackets: annotations[\"authorization.k8s.io/decision\"]",
                            ));
                        }
                    }
                }
                Tok::LBracket => {
                    self.bump();
                    let seg = match self.bump() {
                        (Tok::Str(s), _) => Segment::Key(s),
                        (Tok::Star, _) => Segment::Wildcard,
                        (Tok::Num(n), span) => {
                            let n = n.as_f64();
                            if n < 0.0 || n.fract() != 0.0 || n > u32::MAX as f64 {
                                return Err(FilterError::new(
                                    span,
                                    "an array index is a whole number ≥ 0",
                                ));
                            }
                            Segment::Index(n as usize)
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.unexpected("a quoted key, an index or `*`"));
                        }
                    };
                    self.expect(Tok::RBracket, "`]`")?;
                    segments.push(seg);
                }
                _ => break,
            }
        }
        Ok(FieldRef {
            path: Path { segments },
            span: start.to(self.prev_span()),
            relative: self.in_quantifier > 0,
        })
    }
}

fn op_from_symbol(sym: &str) -> CmpOp {
    match sym {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "=~" => CmpOp::Matches,
        "!~" => CmpOp::NotMatches,
        _ => CmpOp::Glob,
    }
}

fn operand_span(o: &Operand) -> Span {
    match o {
        Operand::Field(f) => f.span,
        Operand::Literal(_, s) => *s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse(s).unwrap_or_else(|e| panic!("{}", e.render(s)))
    }

    fn shape(e: &Expr) -> String {
        match e {
            Expr::Const(b) => b.to_string(),
            Expr::Not(e) => format!("!{}", shape(e)),
            Expr::And(xs) => format!("({})", xs.iter().map(shape).collect::<Vec<_>>().join(" & ")),
            Expr::Or(xs) => format!("({})", xs.iter().map(shape).collect::<Vec<_>>().join(" | ")),
            Expr::Compare(c) => {
                let side = |o: &Operand| match o {
                    Operand::Field(f) => f.path.to_string(),
                    Operand::Literal(l, _) => format!("{l:?}"),
                };
                let op = c.op.symbol();
                let op = if op.starts_with(char::is_alphabetic) {
                    format!(" {op} ")
                } else {
                    op.to_string()
                };
                format!("{}{op}{}", side(&c.lhs), side(&c.rhs))
            }
            Expr::Exists(f) => format!("exists({})", f.path),
            Expr::Quantified {
                quantifier,
                field,
                body,
            } => {
                format!("{quantifier:?}({}, {})", field.path, shape(body))
            }
        }
    }

    #[test]
    fn precedence_not_and_or() {
        assert_eq!(
            shape(&p("a == 1 or b == 2 and not c == 3")),
            "(a==Number(Int(1)) | (b==Number(Int(2)) & !c==Number(Int(3))))"
        );
        assert_eq!(
            shape(&p("(a == 1 || b == 2) && !c == 3")),
            "((a==Number(Int(1)) | b==Number(Int(2))) & !c==Number(Int(3)))"
        );
        assert_eq!(shape(&p("true")), "true");
        assert_eq!(shape(&p("not true or false")), "(!true | false)");
    }

    #[test]
    fn paths_and_operators() {
        assert_eq!(
            shape(&p(
                r#"annotations["authorization.k8s.io/decision"] == "forbid""#
            )),
            r#"annotations["authorization.k8s.io/decision"]==String("forbid")"#
        );
        assert_eq!(
            shape(&p(
                "requestObject.spec.containers[*].securityContext.privileged == true"
            )),
            "requestObject.spec.containers[*].securityContext.privileged==Bool(true)"
        );
        assert_eq!(shape(&p("x[0] != null")), "x[0]!=Null");
        assert_eq!(
            shape(&p(r#"verb not in ["get", "list"]"#)),
            r#"!verb in List([String("get"), String("list")])"#
        );
        for op in [
            "<",
            "<=",
            ">",
            ">=",
            "=~",
            "!~",
            "~",
            "contains",
            "startswith",
            "endswith",
            "within",
        ] {
            p(&format!(r#"user {op} "x""#));
        }
        assert_eq!(
            shape(&p(
                r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#
            )),
            r#"Any(requestObject.rules[*], (String("pods/exec") in resources & String("create") in verbs))"#
        );
        assert_eq!(
            shape(&p("exists(impersonatedUser)")),
            "exists(impersonatedUser)"
        );
    }

    #[test]
    fn relative_fields_inside_quantifiers() {
        let Expr::Quantified { field, body, .. } = p("any(a[*], b == 1)") else {
            panic!()
        };
        assert!(!field.relative);
        let Expr::Compare(c) = *body else { panic!() };
        let Operand::Field(f) = c.lhs else { panic!() };
        assert!(f.relative);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("verb == )").unwrap_err();
        assert_eq!(e.message, "expected a field or a value, found `)`");
        assert_eq!(e.span, Span::new(8, 9));
        let e = parse(r#"verb == "get" user == "x""#).unwrap_err();
        assert!(e.message.contains("expected `and`, `or`"));
        assert!(e.hint.unwrap().contains("join"));
        let e = parse("verb").unwrap_err();
        assert!(e.message.contains("comparison operator"));
        assert!(e.hint.unwrap().contains("exists"));
        let e = parse("(verb == 1").unwrap_err();
        assert_eq!(e.message, "expected `)`, found the end of the filter");
        assert!(parse("").unwrap_err().hint.unwrap().contains("true"));
        assert!(
            parse("a.in == 1").is_ok(),
            "keywords are plain keys after a dot"
        );
        assert!(parse("in == 1").is_err());
        let e = parse("a. == 1").unwrap_err();
        assert_eq!(e.message, "expected a field name after `.`, found `==`");
        let e = parse_path("objectRef.").unwrap_err();
        assert_eq!(
            e.message,
            "expected a field name after `.`, found the end of the filter"
        );
        let e = parse("a[ == 1").unwrap_err();
        assert_eq!(
            e.message,
            "expected a quoted key, an index or `*`, found `==`"
        );
        assert!(parse("x[-1] == 1").is_err());
        assert!(parse("x[1.5] == 1").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let deep = "(".repeat(10_000) + "true" + &")".repeat(10_000);
        assert!(parse(&deep).unwrap_err().message.contains("nests deeper"));
        let nots = "not ".repeat(10_000) + "true";
        assert!(parse(&nots).is_err());
        let ok = "(".repeat(100) + "true" + &")".repeat(100);
        assert!(parse(&ok).is_ok());
    }
}
