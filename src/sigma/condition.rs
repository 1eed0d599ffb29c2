//! Sigma's `condition:` expression, compiled into kaq filter text.
//!
//! Grammar (specification v2): identifiers, `and`, `or`, `not`, parentheses,
//! `1 of PATTERN`, `all of PATTERN`, `1 of them`, `all of them`; `not` binds
//! tighter than `and`, which binds tighter than `or` (as pySigma's
//! `sigma/conditions.py`). A pattern's `*` matches any characters of an
//! identifier name; `them` is every identifier. Identifiers starting with
//! `_` are left out of a pattern that does not start with `_` itself.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    LParen,
    RParen,
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = src.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::LParen);
            }
            ')' => {
                chars.next();
                out.push(Tok::RParen);
            }
            '|' => return Err("the `|` aggregation syntax of Sigma v1 conditions is not supported (write a correlation rule)".into()),
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == '|' {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    /// Each search identifier's compiled filter text.
    searches: &'a BTreeMap<String, String>,
}

/// Compiles `condition` over the compiled search identifiers.
pub fn compile(condition: &str, searches: &BTreeMap<String, String>) -> Result<String, String> {
    let mut p = Parser {
        toks: lex(condition)?,
        pos: 0,
        searches,
    };
    let e = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(format!("condition `{condition}`: unexpected {}", show(t)));
    }
    Ok(e)
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("`{w}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
    }
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x == w)
    }

    fn or(&mut self) -> Result<String, String> {
        let mut xs = vec![self.and()?];
        while self.peek_word("or") {
            self.pos += 1;
            xs.push(self.and()?);
        }
        Ok(group(xs, "or"))
    }

    fn and(&mut self) -> Result<String, String> {
        let mut xs = vec![self.not()?];
        while self.peek_word("and") {
            self.pos += 1;
            xs.push(self.not()?);
        }
        Ok(group(xs, "and"))
    }

    fn not(&mut self) -> Result<String, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(format!("not {}", self.not()?));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<String, String> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.toks.get(self.pos) {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(format!("({e})"))
                    }
                    _ => Err("condition: a `(` is not closed".into()),
                }
            }
            Some(Tok::Word(w)) if w == "1" || w == "all" => {
                if !self.peek_word("of") {
                    return self.identifier(&w);
                }
                self.pos += 1;
                let Some(Tok::Word(pattern)) = self.toks.get(self.pos).cloned() else {
                    return Err(format!("condition: `{w} of` needs a pattern or `them`"));
                };
                self.pos += 1;
                let names = self.expand(&pattern)?;
                let xs: Vec<String> = names.iter().map(|n| self.searches[*n].clone()).collect();
                Ok(group(xs, if w == "all" { "and" } else { "or" }))
            }
            Some(Tok::Word(w)) if ["and", "or", "of"].contains(&w.as_str()) => {
                Err(format!("condition: unexpected `{w}`"))
            }
            Some(Tok::Word(w)) if w.parse::<u32>().is_ok() => Err(format!(
                "condition: `{w} of` is not supported (only `1 of` and `all of`)"
            )),
            Some(Tok::Word(w)) => self.identifier(&w),
            Some(Tok::RParen) => Err("condition: unexpected `)`".into()),
            None => Err("condition: ends where an identifier was expected".into()),
        }
    }

    fn identifier(&self, name: &str) -> Result<String, String> {
        self.searches
            .get(name)
            .cloned()
            .ok_or_else(|| format!("condition: no search identifier `{name}` in the detection"))
    }

    /// The identifiers a `1 of`/`all of` pattern names.
    fn expand(&self, pattern: &str) -> Result<Vec<&String>, String> {
        let re = if pattern == "them" {
            ".*".to_string()
        } else {
            format!("^{}$", regex::escape(pattern).replace(r"\*", ".*"))
        };
        let re = regex::Regex::new(&re).map_err(|e| e.to_string())?;
        // Identifiers starting with `_` are left out unless the pattern
        // starts with `_` too (pySigma's `ConditionSelector`).
        let names: Vec<&String> = self
            .searches
            .keys()
            .filter(|k| re.is_match(k) && (pattern.starts_with('_') || !k.starts_with('_')))
            .collect();
        if names.is_empty() {
            return Err(format!("condition: `{pattern}` names no search identifier"));
        }
        Ok(names)
    }
}

fn group(xs: Vec<String>, op: &str) -> String {
    if xs.len() == 1 {
        return xs.into_iter().next().unwrap_or_default();
    }
    format!("({})", xs.join(&format!(" {op} ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn searches() -> BTreeMap<String, String> {
        ["sel_a", "sel_b", "filter", "_hidden"]
            .iter()
            .map(|n| (n.to_string(), n.to_uppercase()))
            .collect()
    }

    #[test]
    fn precedence_and_groups() {
        let s = searches();
        assert_eq!(
            compile("sel_a or sel_b and not filter", &s).unwrap(),
            "(SEL_A or (SEL_B and not FILTER))"
        );
        assert_eq!(
            compile("(sel_a or sel_b) and filter", &s).unwrap(),
            "(((SEL_A or SEL_B)) and FILTER)"
        );
        assert_eq!(compile("not not sel_a", &s).unwrap(), "not not SEL_A");
        assert_eq!(compile("1 of sel_*", &s).unwrap(), "(SEL_A or SEL_B)");
        assert_eq!(
            compile("all of sel_* and not filter", &s).unwrap(),
            "((SEL_A and SEL_B) and not FILTER)"
        );
        // `them` leaves out identifiers that start with `_`.
        assert_eq!(
            compile("1 of them", &s).unwrap(),
            "(FILTER or SEL_A or SEL_B)"
        );
        assert_eq!(
            compile("all of them", &s).unwrap(),
            "(FILTER and SEL_A and SEL_B)"
        );
        assert_eq!(compile("_hidden", &s).unwrap(), "_HIDDEN");
        assert_eq!(compile("1 of *", &s).unwrap(), "(FILTER or SEL_A or SEL_B)");
        assert_eq!(compile("1 of _h*", &s).unwrap(), "_HIDDEN");
    }

    #[test]
    fn errors_name_the_construct() {
        let s = searches();
        assert!(compile("sel_c", &s).unwrap_err().contains("`sel_c`"));
        assert!(compile("sel_a |count() > 5", &s).unwrap_err().contains("|"));
        assert!(compile("2 of sel_*", &s).unwrap_err().contains("`2 of`"));
        assert!(compile("(sel_a", &s).unwrap_err().contains("not closed"));
        assert!(compile("1 of x*", &s).unwrap_err().contains("names no"));
        assert!(compile("sel_a sel_b", &s)
            .unwrap_err()
            .contains("unexpected"));
    }
}
