//! The checker: turns a parsed [`Expr`] into a canonical one, or explains why
//! it cannot.
//!
//! It resolves aliases (`ns` → `objectRef.namespace`), rejects unknown fields
//! with a suggestion, puts the field on the left of every comparison, turns
//! RFC 3339 strings compared with timestamp fields into instants, and rejects
//! type mismatches wherever a field's type is known:
//! `code == "403"` is an error (the code is a number), `verb == 1` too.
//! Inside `any(...)`/`all(...)`, paths are relative to an element of
//! free-form JSON and are not checked.

use super::ast::{CmpOp, Compare, Expr, FieldRef, Literal, Operand};
use super::error::{FilterError, Span};
use super::fields::{alias, type_of, Type};
use crate::time::parse_timestamp;

/// Checks and canonicalises an expression.
pub fn check(expr: Expr) -> Result<Expr, FilterError> {
    Ok(match expr {
        Expr::Const(b) => Expr::Const(b),
        Expr::Not(e) => Expr::Not(Box::new(check(*e)?)),
        Expr::And(xs) => Expr::And(xs.into_iter().map(check).collect::<Result<_, _>>()?),
        Expr::Or(xs) => Expr::Or(xs.into_iter().map(check).collect::<Result<_, _>>()?),
        Expr::Exists(f) => Expr::Exists(resolve(f)?.0),
        Expr::Quantified {
            quantifier,
            field,
            body,
        } => Expr::Quantified {
            quantifier,
            field: resolve(field)?.0,
            body: Box::new(check(*body)?),
        },
        Expr::Compare(c) => check_compare(c)?,
    })
}

/// Applies aliases and finds the field's type.
fn resolve(mut f: FieldRef) -> Result<(FieldRef, Type), FilterError> {
    if f.relative {
        return Ok((f, Type::Any));
    }
    if f.path.segments.len() == 1 {
        if let Some(p) = f.path.head().and_then(alias) {
            f.path = p;
        }
    }
    match type_of(&f.path) {
        Ok(t) => Ok((f, t)),
        Err(unknown) => {
            let err = FilterError::new(f.span, unknown.message);
            Err(match unknown.suggestion {
                Some(s) => err.with_hint(format!("did you mean {s}?")),
                None if unknown.at == 0 => err.with_hint(
                    "see the field list in `kaq --help`; request bodies are under requestObject.*",
                ),
                None => err,
            })
        }
    }
}

fn check_compare(c: Compare) -> Result<Expr, FilterError> {
    let Compare { lhs, op, rhs, span } = c;
    let (field, op, rhs) = match (lhs, rhs) {
        (Operand::Field(f), rhs) => (f, op, rhs),
        (Operand::Literal(lit, lspan), Operand::Field(f)) => {
            if op == CmpOp::In {
                // `"pods/exec" in resources` ⇔ `resources == "pods/exec"`:
                // comparisons on several values hold if any value does.
                if matches!(lit, Literal::List(_)) {
                    return Err(FilterError::new(lspan, "a list cannot be `in` a field"));
                }
                (f, CmpOp::Eq, Operand::Literal(lit, lspan))
            } else if let Some(flipped) = op.flipped() {
                (f, flipped, Operand::Literal(lit, lspan))
            } else {
                return Err(FilterError::new(
                    lspan,
                    format!("the left side of `{}` must be a field", op.symbol()),
                )
                .with_hint(format!("write: field {} value", op.symbol())));
            }
        }
        (Operand::Literal(_, lspan), Operand::Literal(_, rspan)) => {
            return Err(FilterError::new(
                lspan.to(rspan),
                "this compares two values; one side must be a field",
            ))
        }
    };
    let (field, ty) = resolve(field)?;
    whole_value_check(&field, ty)?;
    let rhs = match rhs {
        Operand::Field(other) => {
            let (other, oty) = resolve(other)?;
            whole_value_check(&other, oty)?;
            if op.is_textual() {
                return Err(FilterError::new(
                    other.span,
                    format!("the right side of `{}` must be a string", op.symbol()),
                ));
            }
            Operand::Field(other)
        }
        Operand::Literal(lit, lspan) => {
            Operand::Literal(check_literal(&field, ty, op, lit, lspan)?, lspan)
        }
    };
    Ok(Expr::Compare(Compare {
        lhs: Operand::Field(field),
        op,
        rhs,
        span,
    }))
}

/// Objects and maps cannot be compared whole.
fn whole_value_check(f: &FieldRef, ty: Type) -> Result<(), FilterError> {
    let hint = match ty {
        Type::Object(members) => format!(
            "compare one of its fields, e.g. {}.{}",
            f.path, members[0].0
        ),
        Type::StringMap => format!(r#"pick a key: {}["authorization.k8s.io/decision"]"#, f.path),
        Type::StringsMap => format!(r#"pick a key: {}["key"]"#, f.path),
        _ => return Ok(()),
    };
    Err(FilterError::new(f.span, format!("`{}` is {}", f.path, ty.describe())).with_hint(hint))
}

/// `within`: a string field on the left; a CIDR block or a list of them on
/// the right, each checked here so that a typo fails before reading.
fn check_cidrs(
    field: &FieldRef,
    ty: Type,
    lit: Literal,
    span: Span,
) -> Result<Literal, FilterError> {
    if !matches!(ty, Type::String | Type::Strings | Type::Any) {
        return Err(FilterError::new(
            field.span,
            format!(
                "`within` tests IP addresses, but `{}` is {}",
                field.path,
                ty.describe()
            ),
        ));
    }
    let items = match &lit {
        Literal::List(items) if !items.is_empty() => items.as_slice(),
        Literal::String(_) => std::slice::from_ref(&lit),
        _ => {
            return Err(FilterError::new(
                span,
                "`within` needs a CIDR block or a list of them on its right",
            )
            .with_hint(r#"write: ip within ["10.0.0.0/8", "192.168.0.0/16"]"#))
        }
    };
    for item in items {
        let Literal::String(text) = item else {
            return Err(FilterError::new(
                span,
                "a CIDR block is a string such as \"10.0.0.0/8\"",
            ));
        };
        super::cidr::Cidr::parse(text).map_err(|m| FilterError::new(span, m))?;
    }
    Ok(lit)
}

fn check_literal(
    field: &FieldRef,
    ty: Type,
    op: CmpOp,
    lit: Literal,
    span: Span,
) -> Result<Literal, FilterError> {
    if op == CmpOp::Within {
        return check_cidrs(field, ty, lit, span);
    }
    if op == CmpOp::In {
        let Literal::List(items) = lit else {
            return Err(FilterError::new(span, "`in` needs a list on its right")
                .with_hint(format!(r#"write: {} in ["a", "b"]"#, field.path)));
        };
        let items = items
            .into_iter()
            .map(|item| check_literal(field, ty, CmpOp::Eq, item, span))
            .collect::<Result<_, _>>()?;
        return Ok(Literal::List(items));
    }
    if matches!(lit, Literal::List(_)) {
        return Err(FilterError::new(
            span,
            format!(
                "a list only goes on the right of `in`, not `{}`",
                op.symbol()
            ),
        )
        .with_hint(format!("write: {} in [...]", field.path)));
    }
    if op.is_textual() {
        if !matches!(lit, Literal::String(_)) {
            return Err(FilterError::new(
                span,
                format!("`{}` needs a string on its right", op.symbol()),
            ));
        }
        if ty == Type::Number {
            let err = FilterError::new(
                field.span,
                format!(
                    "`{}` works on strings, but `{}` is a number",
                    op.symbol(),
                    field.path
                ),
            );
            return Err(if field.path.is(&["responseStatus", "code"]) {
                err.with_hint(
                    "for a class of codes write code >= 400 and code < 500, or use --code 4xx",
                )
            } else {
                err
            });
        }
        return Ok(lit);
    }
    if op.is_ordering() && matches!(lit, Literal::Null | Literal::Bool(_)) {
        return Err(FilterError::new(
            span,
            format!("`{}` cannot order by {}", op.symbol(), describe(&lit)),
        ));
    }
    if matches!(lit, Literal::Null) {
        return Ok(lit);
    }
    let mismatch = |want: &str, hint: String| {
        Err(FilterError::new(
            span,
            format!(
                "type mismatch: `{}` is {want}, but {} is {}",
                field.path,
                show(&lit),
                describe(&lit)
            ),
        )
        .with_hint(hint))
    };
    match (ty, &lit) {
        (Type::Duration, Literal::Duration(_) | Literal::Number(_)) => Ok(lit),
        (Type::Duration, _) => mismatch(
            "a duration",
            format!(
                "write {} {} 5s (or a number of seconds)",
                field.path,
                op.symbol()
            ),
        ),
        (Type::Number, Literal::Number(_)) => Ok(lit),
        (Type::Number, Literal::String(s)) => mismatch(
            "a number",
            format!("write {} {} {s}, without quotes", field.path, op.symbol()),
        ),
        (Type::String | Type::Strings, Literal::String(_)) => Ok(lit),
        (Type::String | Type::Strings, Literal::Number(n)) => mismatch(
            "a string",
            format!(r#"write {} {} "{n}", with quotes"#, field.path, op.symbol()),
        ),
        (Type::Time, Literal::String(s)) => match parse_timestamp(s) {
            Some(t) => Ok(Literal::Time(t)),
            None => Err(FilterError::new(
                span,
                format!(
                    "expected an RFC 3339 time such as \"2024-05-01T12:00:00Z\", found {}",
                    show(&lit)
                ),
            )
            .with_hint("for a relative time use --since 1h or --until 30m")),
        },
        (Type::Number | Type::String | Type::Strings | Type::Time, _) => mismatch(
            match ty {
                Type::Number => "a number",
                Type::Time => "a timestamp",
                _ => "a string",
            },
            "compare with a value of the field's type".into(),
        ),
        _ => Ok(lit),
    }
}

fn describe(lit: &Literal) -> &'static str {
    match lit {
        Literal::String(_) => "a string",
        Literal::Number(_) => "a number",
        Literal::Bool(_) => "a boolean",
        Literal::Null => "null",
        Literal::Time(_) => "a time",
        Literal::Duration(_) => "a duration",
        Literal::List(_) => "a list",
    }
}

fn show(lit: &Literal) -> String {
    match lit {
        Literal::String(s) => serde_json::Value::from(s.as_str()).to_string(),
        Literal::Number(n) => n.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".into(),
        Literal::Time(t) => crate::time::format_micros(*t),
        Literal::Duration(us) => crate::time::format_duration(*us),
        Literal::List(_) => "a list".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::parse;
    use super::*;
    use crate::event::Path;

    fn ok(s: &str) -> Expr {
        check(parse(s).unwrap()).unwrap_or_else(|e| panic!("{}", e.render(s)))
    }

    fn fails(s: &str) -> FilterError {
        check(parse(s).unwrap()).expect_err(s)
    }

    fn cmp(e: &Expr) -> &Compare {
        match e {
            Expr::Compare(c) => c,
            _ => panic!("not a comparison: {e:?}"),
        }
    }

    fn lhs_path(e: &Expr) -> &Path {
        match &cmp(e).lhs {
            Operand::Field(f) => &f.path,
            _ => panic!(),
        }
    }

    #[test]
    fn aliases_resolve() {
        for (alias, path) in [
            ("ns", "objectRef.namespace"),
            ("user", "user.username"),
            ("code", "responseStatus.code"),
            ("ip", "sourceIPs"),
            ("time", "stageTimestamp"),
            (
                "decision",
                r#"annotations["authorization.k8s.io/decision"]"#,
            ),
        ] {
            let rhs = if alias == "code" {
                "1"
            } else if alias == "time" {
                "\"2024-01-01T00:00:00Z\""
            } else {
                "\"x\""
            };
            assert_eq!(
                lhs_path(&ok(&format!("{alias} == {rhs}"))).to_string(),
                path
            );
        }
    }

    #[test]
    fn literal_on_left_is_flipped() {
        let e = ok(r#""pods/exec" in requestObject.rules[*].resources"#);
        assert_eq!(cmp(&e).op, CmpOp::Eq);
        let e = ok("400 <= code");
        assert_eq!(cmp(&e).op, CmpOp::Ge);
        assert!(fails(r#""x" contains verb"#).message.contains("left side"));
        assert!(fails(r#""x" == "y""#).message.contains("two values"));
    }

    #[test]
    fn type_mismatches_are_reported() {
        let e = fails(r#"code == "403""#);
        assert_eq!(
            e.message,
            r#"type mismatch: `responseStatus.code` is a number, but "403" is a string"#
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("write responseStatus.code == 403, without quotes")
        );
        let e = fails("verb == 1");
        assert!(e.message.contains("`verb` is a string, but 1 is a number"));
        assert!(fails(r#"code contains "4""#)
            .message
            .contains("works on strings"));
        assert!(fails(r#"code =~ "^4""#).hint.unwrap().contains("4xx"));
        assert!(fails(r#"time > "yesterday""#).message.contains("RFC 3339"));
        assert!(fails(r#"impersonatedUser == "bob""#)
            .hint
            .unwrap()
            .contains("impersonatedUser.username"));
        assert!(fails(r#"annotations == "x""#)
            .hint
            .unwrap()
            .contains("pick a key"));
        assert!(fails(r#"verb in "get""#).message.contains("needs a list"));
        assert!(fails(r#"ip within "10.1.0.0/8""#)
            .message
            .contains("host bits set"));
        assert!(fails(r#"code within "10.0.0.0/8""#)
            .message
            .contains("tests IP addresses"));
        assert!(fails("ip within 10").message.contains("CIDR block"));
        assert!(fails(r#"verb == ["get"]"#)
            .message
            .contains("only goes on the right of `in`"));
        assert!(fails("verb < null").message.contains("cannot order"));
        assert!(fails(r#"code in [403, "404"]"#)
            .message
            .contains("type mismatch"));
        // Free-form JSON is not type-checked.
        ok(r#"requestObject.spec.replicas == "3""#);
        ok("verb == null");
    }

    #[test]
    fn time_literals_become_instants() {
        let e = ok(r#"stageTimestamp >= "2024-05-01T12:00:00+02:00""#);
        let Operand::Literal(Literal::Time(t), _) = cmp(&e).rhs else {
            panic!()
        };
        assert_eq!(Some(t), parse_timestamp("2024-05-01T10:00:00Z"));
        // String operators still see the text.
        ok(r#"time startswith "2024-05-01""#);
    }

    #[test]
    fn unknown_fields_suggest() {
        let e = fails(r#"objectRef.resorce == "pods""#);
        assert_eq!(e.hint.as_deref(), Some("did you mean objectRef.resource?"));
        assert_eq!(e.span, Span::new(0, 17));
        let e = fails(r#"namespce == "x""#);
        assert_eq!(e.hint.as_deref(), Some("did you mean namespace?"));
        assert!(fails("exists(nosuch)").message.contains("unknown field"));
        // Relative paths inside any() are free-form.
        ok(r#"any(requestObject.rules[*], "create" in verbs and resources == "pods")"#);
    }
}
