//! Which `=~` patterns mean the same in RE2 (DuckDB, ClickHouse) as in
//! Rust's `regex`, kaq's engine. The pattern is parsed with `regex-syntax`
//! (the parser `regex` itself uses) and passed on unchanged when every
//! construct in it is one whose meaning the two share; otherwise the
//! conversion is refused, naming the construct.
//!
//! Refused: `\d`, `\s`, `\w` and `\b`/`\B` (Unicode-aware in Rust, ASCII in
//! RE2), `\p{..}` classes (Unicode table versions differ), the `x`, `u` and
//! `R` flags, `\u` escapes, octal and superfluous escapes, nested classes
//! and class set operations, counted repetitions above 1000 (RE2's limit),
//! and `(?i)` with non-ASCII letters (case folding tables).

use regex_syntax::ast::{
    parse::Parser, Assertion, AssertionKind, Ast, ClassSet, ClassSetItem, Flag, GroupKind,
    HexLiteralKind, Literal, LiteralKind, RepetitionRange,
};

/// `Ok` when `pattern` means in RE2 what it means to kaq; else why not.
pub fn check_regex(pattern: &str) -> Result<(), String> {
    let ast = Parser::new()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {}", e.kind()))?;
    let mut insensitive = false;
    walk(&ast, &mut insensitive)?;
    if insensitive && !pattern.is_ascii() {
        return Err(
            "(?i) with non-ASCII characters: Rust's and RE2's case folding tables differ".into(),
        );
    }
    Ok(())
}

fn walk(ast: &Ast, insensitive: &mut bool) -> Result<(), String> {
    match ast {
        Ast::Empty(_) | Ast::Dot(_) => Ok(()),
        Ast::Flags(f) => flags(&f.flags, insensitive),
        Ast::Literal(l) => literal(l),
        Ast::Assertion(a) => assertion(a),
        Ast::ClassUnicode(_) => Err(
            "Unicode classes (\\p{..}) are not converted: the engines' Unicode tables differ"
                .into(),
        ),
        Ast::ClassPerl(_) => Err(
            "\\d, \\s and \\w match Unicode in kaq but ASCII in RE2; write the class out ([0-9], [ \\t\\n\\r\\f\\v], [0-9A-Za-z_])"
                .into(),
        ),
        Ast::ClassBracketed(c) => class_set(&c.kind),
        Ast::Repetition(r) => {
            if let regex_syntax::ast::RepetitionKind::Range(range) = &r.op.kind {
                let (RepetitionRange::Exactly(n)
                | RepetitionRange::AtLeast(n)
                | RepetitionRange::Bounded(_, n)) = range;
                if *n > 1000 {
                    return Err(format!("the repetition count {n} is above RE2's limit of 1000"));
                }
            }
            walk(&r.ast, insensitive)
        }
        Ast::Group(g) => {
            match &g.kind {
                GroupKind::CaptureIndex(_) => {}
                GroupKind::CaptureName { starts_with_p, .. } => {
                    if !starts_with_p {
                        return Err("named groups are written (?P<name>...) for RE2".into());
                    }
                }
                GroupKind::NonCapturing(f) => flags(f, insensitive)?,
            }
            walk(&g.ast, insensitive)
        }
        Ast::Alternation(a) => a.asts.iter().try_for_each(|x| walk(x, insensitive)),
        Ast::Concat(c) => c.asts.iter().try_for_each(|x| walk(x, insensitive)),
    }
}

fn flags(f: &regex_syntax::ast::Flags, insensitive: &mut bool) -> Result<(), String> {
    let mut negated = false;
    for item in &f.items {
        match &item.kind {
            regex_syntax::ast::FlagsItemKind::Negation => negated = true,
            regex_syntax::ast::FlagsItemKind::Flag(flag) => match flag {
                Flag::CaseInsensitive => *insensitive |= !negated,
                Flag::MultiLine | Flag::DotMatchesNewLine | Flag::SwapGreed => {}
                Flag::IgnoreWhitespace => {
                    return Err("the x flag (verbose mode) is not in RE2".into())
                }
                Flag::Unicode => {
                    return Err("the u flag changes what classes mean; RE2 has no such flag".into())
                }
                Flag::CRLF => return Err("the R flag (CRLF mode) is not in RE2".into()),
            },
        }
    }
    Ok(())
}

fn literal(l: &Literal) -> Result<(), String> {
    match &l.kind {
        LiteralKind::Verbatim | LiteralKind::Meta | LiteralKind::Special(_) => Ok(()),
        LiteralKind::HexFixed(HexLiteralKind::X) | LiteralKind::HexBrace(HexLiteralKind::X) => {
            Ok(())
        }
        LiteralKind::HexFixed(_) | LiteralKind::HexBrace(_) => {
            Err("\\u and \\U escapes are not in RE2; write \\x{...}".into())
        }
        LiteralKind::Octal => Err("octal escapes are not converted".into()),
        LiteralKind::Superfluous => Err(format!(
            "the escape \\{} is not in RE2; write the character without the backslash",
            l.c
        )),
    }
}

fn assertion(a: &Assertion) -> Result<(), String> {
    match a.kind {
        AssertionKind::StartLine
        | AssertionKind::EndLine
        | AssertionKind::StartText
        | AssertionKind::EndText => Ok(()),
        _ => Err(
            "word boundaries (\\b, \\B, \\<, \\>) are Unicode-aware in kaq but ASCII in RE2".into(),
        ),
    }
}

fn class_set(set: &ClassSet) -> Result<(), String> {
    match set {
        ClassSet::Item(item) => class_item(item),
        ClassSet::BinaryOp(_) => Err("class set operations (&&, --, ~~) are not in RE2".into()),
    }
}

fn class_item(item: &ClassSetItem) -> Result<(), String> {
    match item {
        ClassSetItem::Empty(_) | ClassSetItem::Ascii(_) => Ok(()),
        ClassSetItem::Literal(l) => literal(l),
        ClassSetItem::Range(r) => literal(&r.start).and_then(|_| literal(&r.end)),
        ClassSetItem::Unicode(_) => Err(
            "Unicode classes (\\p{..}) are not converted: the engines' Unicode tables differ"
                .into(),
        ),
        ClassSetItem::Perl(_) => Err(
            "\\d, \\s and \\w match Unicode in kaq but ASCII in RE2; write the class out".into(),
        ),
        ClassSetItem::Bracketed(_) => Err("nested classes ([a[bc]]) are not in RE2".into()),
        ClassSetItem::Union(u) => u.items.iter().try_for_each(class_item),
    }
}

#[cfg(test)]
mod tests {
    use super::check_regex;

    #[test]
    fn shared_constructs_pass_and_others_are_named() {
        for ok in [
            "^system:.*$",
            "a|b",
            "(?i)admin",
            "[a-z0-9_-]+",
            "x{2,5}",
            "\\.",
            "(?s)a.b",
            "[[:alpha:]]",
        ] {
            assert_eq!(check_regex(ok), Ok(()), "{ok}");
        }
        for (bad, says) in [
            ("\\d+", "\\d, \\s and \\w"),
            ("\\bword", "word boundaries"),
            ("\\p{Greek}", "Unicode classes"),
            ("(?x) a", "x flag"),
            ("a{1001}", "limit of 1000"),
            ("(?i)é", "case folding"),
            ("[a[bc]]", "nested"),
            ("(?<n>a)", "(?P<name>"),
        ] {
            let e = check_regex(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
