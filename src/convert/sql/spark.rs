//! Spark SQL (4.x, ANSI mode on or off). Events are read as text, one line
//! each, and every path is extracted explicitly with `from_json` (never a
//! schema inferred from the data).
//!
//! A JSON value is a `STRING` in one of these forms:
//!
//! - a JSON string: `"` followed by its *decoded* text (not re-escaped), so
//!   that reading it back is a `substr`;
//! - anything else: its JSON text as Spark's JSON reader (Jackson) copies
//!   it: minified, members in document order, numbers and string escapes
//!   rewritten in Jackson's canonical form (`1e2` → `100.0`, `\u0026` →
//!   `&`); a number too large for a double is `Infinity`/`-Infinity`;
//! - SQL `NULL`: the path reaches nothing.
//!
//! Each line is read once with `from_json`, as `map<string,string>` (a
//! member's decoded text if it is a string, else its JSON text; JSON `null`
//! as `NULL`; duplicate keys kept, and the first one found, as kaq reads
//! them) and as `map<string,variant>`. The text alone cannot tell the
//! string `"200"` from the number `200`; where it could be either
//! (`ambiguous()`), the variant's type decides. The event column is a
//! struct: `ev.t` the line, `ev.m` its members made JSON values. A nested
//! object is read the same way when a path enters it, and a run of keys is
//! one `aggregate` (Spark's analyzer slows down, then gives up, on lambdas
//! nested deep). A `VARIANT` refuses duplicate keys anywhere in its value,
//! so a line with duplicate keys at any depth has no variant for its
//! non-string top-level members: a statement that reads one stops with an
//! error (never a guess).
//!
//! Printing a number, an object or an array ([`Dialect::json_text`]) prints
//! Jackson's text, which is kaq's (the raw text, minified) unless the event
//! spelled a number or a string escape another way; such an event's values
//! stop the statement with an error instead of printing other text.
//!
//! Regexes run in Java's engine: patterns are checked for what means the
//! same there ([`java_regex_problem`]) and `$` becomes `\z`. String
//! literals never hold a backslash or a quote (they are spelled with
//! `chr()`), so they mean the same whatever
//! `spark.sql.parser.escapedStringLiterals` says.

use regex_syntax::ast::{parse::Parser, Ast, ClassSet, ClassSetItem, Flag, FlagsItemKind};

use super::dialect::{Dialect, Kind, Ty};
use super::duckdb::table_name;
use crate::convert::Target;

pub struct Spark;

/// The event column the backend's paths start at ([`super::fields::Ctx`]).
const EVENT: &str = "ev";

/// Texts from `from_json`'s string schema that may be a string's decoded
/// text or the JSON text of another kind: objects and arrays (`[`, `{`),
/// `true`, `false`, numbers (Jackson writes `-?digits`, or `digits.digits`
/// with an optional `E-?digits`) and an overflowing double (Jackson writes
/// the quoted `"Infinity"`). A string that only looks so (`"a`, `10.0.0.1`,
/// or one ending in `\n`, which Java's `$` passes over) is only looked at
/// more closely.
fn ambiguous(s: &str) -> String {
    format!("({s} RLIKE '^(true|false|-?[0-9][0-9.E-]*)$' OR ascii({s}) IN (34, 91, 123))")
}

/// The tokens of JSON text (valid JSON assumed) whose spelling may differ
/// from Jackson's: strings and numbers (anything from a `"` to its closing
/// quote, or a run of number characters outside strings).
const TOKEN: &str = r#""([^"\\]|\\.)*+"|-?[0-9][0-9.eE+-]*+"#;

/// JSON whitespace.
const SPACE: &str = " \t\r\n";

/// The error a statement stops with for an object with duplicate keys.
const DUPLICATE_KEYS: &str =
    "kaq: an object with duplicate keys, which Spark cannot read as kaq does";

/// The error a statement stops with rather than print text kaq would not.
const NOT_EXACT: &str = "kaq convert: a value to print holds a number or string escape \
     that Spark cannot print as the event writes it";

/// The JSON value of a member or element read through `from_json`: `s` (a
/// column or lambda variable) its text from a string schema, `NULL` for
/// JSON `null`; `v` an expression of the same value as a `VARIANT`, which
/// is evaluated only when the text could be a string or something else
/// (`NULL` when the object had duplicate keys: the statement stops).
fn value_of(d: &Spark, s: &str, v: &str) -> String {
    format!(
        "(CASE WHEN {s} IS NULL THEN 'null' \
         WHEN NOT {} OR coalesce(schema_of_variant({v}), raise_error({})) = 'STRING' THEN '\"' || {s} \
         WHEN left({s}, 1) = '\"' THEN replace({s}, '\"', '') ELSE {s} END)",
        ambiguous(s),
        d.string(DUPLICATE_KEYS)
    )
}

/// The values of a list of texts from a string schema, with `variants`
/// the same values as variants (`NULL` for an object with duplicate keys
/// somewhere: the statement stops).
fn values_of(d: &Spark, list: &str, variants: &str) -> String {
    format!(
        "zip_with({list}, coalesce({variants}, raise_error({})), (_s, _u) -> (CASE WHEN _s IS NULL THEN 'null' \
         WHEN NOT {} OR schema_of_variant(_u) = 'STRING' THEN '\"' || _s \
         WHEN left(_s, 1) = '\"' THEN replace(_s, '\"', '') ELSE _s END))",
        d.string(DUPLICATE_KEYS),
        ambiguous("_s"),
    )
}

/// `body` with `var` standing for `value`: `value` itself when it is a
/// column or variable, else bound once ([`Dialect::bind`]).
fn with(d: &Spark, value: &str, var: &str, body: impl Fn(&str) -> String) -> String {
    let simple = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if simple {
        body(value)
    } else {
        d.bind(value, var, &body(var))
    }
}

/// The event's text, where `json` is the event column.
fn text_of(json: &str) -> String {
    if json == EVENT {
        format!("{EVENT}.t")
    } else {
        json.to_string()
    }
}

/// A pattern quoted for Java's regex engine (Spark's `split`).
fn java_quote(s: &str) -> String {
    if s.contains("\\E") {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || !c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\{c}")
                }
            })
            .collect()
    } else {
        format!("\\Q{s}\\E")
    }
}

/// The RE2 `pattern` (already checked by kaq and by [`java_regex_problem`])
/// as a Java pattern meaning the same: `(?d)` so that only `\n` ends a line
/// for `.`, `(?u)` so that `(?i)` folds case as Rust does (`k` matches the
/// Kelvin sign, `s` the long s), `$` outside classes as `\z` (Java's `$`
/// also matches before a final `\n`), and the letters `i` and `I` outside
/// classes followed by a look-behind that turns away the Turkish `İ` and
/// `ı`, which Java's `(?i)` also takes for them and Rust's does not.
pub fn java_pattern(pattern: &str) -> String {
    let mut out = String::from("(?du)");
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap());
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            // A group's flags, copied as they are.
            '(' if !in_class && chars.peek() == Some(&'?') => {
                out.push(c);
                out.push(chars.next().unwrap());
                while let Some(&f) = chars.peek() {
                    if !(f.is_ascii_alphabetic() || f == '-') {
                        break;
                    }
                    out.push(f);
                    chars.next();
                }
            }
            '$' if !in_class => out.push_str("\\z"),
            'i' | 'I' if !in_class => {
                out.push_str(&format!("(?:{c}(?<!(?-i:[\\x{{130}}\\x{{131}}])))"));
            }
            c => out.push(c),
        }
    }
    out
}

/// Why a user's RE2 pattern (valid, and checked by kaq to mean in RE2 what
/// it means to kaq) would mean something else in Java's regex engine, if it
/// would.
pub fn java_regex_problem(pattern: &str) -> Option<String> {
    let ast = Parser::new().parse(pattern).ok()?;
    let mut insensitive = false;
    java_walk(&ast, pattern, &mut insensitive).err()
}

fn java_walk(ast: &Ast, pattern: &str, insensitive: &mut bool) -> Result<(), String> {
    match ast {
        Ast::Empty(_) | Ast::Dot(_) | Ast::Assertion(_) => Ok(()),
        Ast::Flags(f) => java_flags(&f.flags, insensitive),
        Ast::Literal(l) => java_literal(l, *insensitive),
        Ast::ClassUnicode(_) | Ast::ClassPerl(_) => Ok(()), // refused by check_regex
        Ast::ClassBracketed(c) => {
            if *insensitive {
                return Err("(?i) with a class ([...]) is not converted for Spark: Java folds the case of ranges \
                     differently (it misses ſ in (?i)[a-z])"
                    .into());
            }
            let open = &pattern[c.span.start.offset..];
            let body = open.strip_prefix("[^").unwrap_or(&open[1..]);
            if body.starts_with(']') {
                return Err(
                    "a class starting with ] is not converted for Spark: Java reads it differently; write \\]"
                        .into(),
                );
            }
            java_class(&c.kind)
        }
        Ast::Repetition(r) => java_walk(&r.ast, pattern, insensitive),
        Ast::Group(g) => {
            match &g.kind {
                regex_syntax::ast::GroupKind::CaptureIndex(_) => {}
                regex_syntax::ast::GroupKind::CaptureName { .. } => {
                    return Err(
                        "named groups are not converted for Spark: Java spells them differently; use (...)"
                            .into(),
                    )
                }
                regex_syntax::ast::GroupKind::NonCapturing(f) => {
                    // A group's flags end with the group.
                    let saved = *insensitive;
                    java_flags(f, insensitive)?;
                    let r = java_walk(&g.ast, pattern, insensitive);
                    *insensitive = saved;
                    return r;
                }
            }
            java_walk(&g.ast, pattern, insensitive)
        }
        Ast::Alternation(a) => a
            .asts
            .iter()
            .try_for_each(|x| java_walk(x, pattern, insensitive)),
        Ast::Concat(c) => c
            .asts
            .iter()
            .try_for_each(|x| java_walk(x, pattern, insensitive)),
    }
}

fn java_flags(f: &regex_syntax::ast::Flags, insensitive: &mut bool) -> Result<(), String> {
    let mut negated = false;
    for item in &f.items {
        match &item.kind {
            FlagsItemKind::Negation => negated = true,
            FlagsItemKind::Flag(Flag::CaseInsensitive) => *insensitive = !negated,
            FlagsItemKind::Flag(Flag::DotMatchesNewLine) => {}
            FlagsItemKind::Flag(Flag::MultiLine) => {
                return Err("the m flag is not converted for Spark: Java's multi-line ^ does not match after a final \\n".into())
            }
            FlagsItemKind::Flag(Flag::SwapGreed) => {
                return Err("the U flag is not converted for Spark: (?U) means Unicode classes in Java".into())
            }
            FlagsItemKind::Flag(_) => {} // refused by check_regex
        }
    }
    Ok(())
}

fn java_literal(l: &regex_syntax::ast::Literal, insensitive: bool) -> Result<(), String> {
    use regex_syntax::ast::{LiteralKind, SpecialLiteralKind};
    if let LiteralKind::Special(SpecialLiteralKind::VerticalTab) = l.kind {
        return Err(
            "the escape \\v is not converted for Spark: Java reads it as any vertical space; write \\x0B".into(),
        );
    }
    if insensitive && matches!(l.c, 'i' | 'I') && l.kind != LiteralKind::Verbatim {
        return Err(
            "(?i) with an escaped letter i is not converted for Spark: Java also matches the Turkish İ and ı; write i"
                .into(),
        );
    }
    Ok(())
}

fn java_class(set: &ClassSet) -> Result<(), String> {
    match set {
        ClassSet::Item(item) => java_class_item(item),
        ClassSet::BinaryOp(_) => Ok(()), // refused by check_regex
    }
}

fn java_class_item(item: &ClassSetItem) -> Result<(), String> {
    match item {
        ClassSetItem::Ascii(_) => Err(
            "POSIX classes ([[:alpha:]]) are not converted for Spark: Java reads [ inside a class as a union; write the class out"
                .into(),
        ),
        ClassSetItem::Literal(l) => java_literal(l, false),
        ClassSetItem::Range(r) => java_literal(&r.start, false).and(java_literal(&r.end, false)),
        ClassSetItem::Union(u) => u.items.iter().try_for_each(java_class_item),
        _ => Ok(()),
    }
}

impl Dialect for Spark {
    fn target(&self) -> Target {
        Target::Spark
    }

    fn string(&self, s: &str) -> String {
        // Only plain characters stay in quotes: `'`, `\` and control
        // characters are chr() (Spark's chr takes the code modulo 256, and
        // these are all below it), so no escape rule applies.
        let mut parts = Vec::new();
        let mut cur = String::new();
        for c in s.chars() {
            if c == '\'' || c == '\\' || c.is_control() {
                if !cur.is_empty() {
                    parts.push(format!("'{cur}'"));
                    cur.clear();
                }
                parts.push(format!("chr({})", c as u32));
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() || parts.is_empty() {
            parts.push(format!("'{cur}'"));
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" || "))
        }
    }

    fn ident(&self, s: &str) -> String {
        format!("`{}`", s.replace('`', "``"))
    }

    fn int(&self, n: i128) -> String {
        format!("CAST('{n}' AS DECIMAL(20,0))")
    }

    fn float(&self, x: f64) -> String {
        format!("CAST('{x:?}' AS DOUBLE)")
    }

    // The event's members are read once per line ([`parsed`]).
    fn member(&self, json: &str, key: &str) -> String {
        self.members(json, &[key])
    }

    // A run of keys is one fold (`aggregate`), however long: Spark's
    // analyzer needs more passes for each lambda nested in another, and
    // gives up after 100. In each object the member is looked for among its
    // members (the first of duplicates, as kaq reads them), and only that
    // one is made a value.
    fn members(&self, json: &str, keys: &[&str]) -> String {
        let (start, keys) = match keys.split_first() {
            Some((k, rest)) if json == EVENT => {
                let k = self.string(k);
                (
                    format!(
                        "(CASE WHEN try_element_at({EVENT}.m, {k}) = '!' THEN raise_error({}) ELSE try_element_at({EVENT}.m, {k}) END)",
                        self.string(DUPLICATE_KEYS)
                    ),
                    rest,
                )
            }
            _ => (json.to_string(), keys),
        };
        if keys.is_empty() {
            return start;
        }
        let step = format!(
            "(CASE WHEN left(_acc, 1) = '{{' THEN try_element_at(transform_values(map_filter(from_json(_acc, 'map<string,string>'), (_q, _s) -> _q = _key), (_q, _s) -> {}), _key) END)",
            value_of(
                self,
                "_s",
                "try_element_at(from_json(_acc, 'map<string,variant>'), _key)"
            )
        );
        let keys: Vec<String> = keys.iter().map(|k| self.string(k)).collect();
        format!(
            "aggregate(array({}), {start}, (_acc, _key) -> {step})",
            keys.join(", ")
        )
    }

    fn element(&self, json: &str, i: usize) -> String {
        with(self, &text_of(json), "_p", |p| {
            format!(
                "(CASE WHEN left({p}, 1) = '[' THEN get(transform(slice(from_json({p}, 'array<string>'), {}, 1), _s -> {}), 0) END)",
                i + 1,
                value_of(
                    self,
                    "_s",
                    &format!("get(from_json({p}, 'array<variant>'), {i})")
                )
            )
        })
    }

    fn children(&self, json: &str) -> String {
        if json == EVENT {
            return format!(
                "transform(map_values({EVENT}.m), _x -> (CASE WHEN _x = '!' THEN raise_error({}) ELSE _x END))",
                self.string(DUPLICATE_KEYS)
            );
        }
        with(self, json, "_c", |c| {
            let object = values_of(
                self,
                &format!("map_values(from_json({c}, 'map<string,string>'))"),
                &format!("map_values(from_json({c}, 'map<string,variant>'))"),
            );
            format!(
                "(CASE left({c}, 1) WHEN '[' THEN {} WHEN '{{' THEN {object} ELSE {} END)",
                self.elements(c),
                self.empty_list()
            )
        })
    }

    fn elements(&self, json: &str) -> String {
        with(self, &text_of(json), "_j", |j| {
            values_of(
                self,
                &format!("from_json({j}, 'array<string>')"),
                &format!("from_json({j}, 'array<variant>')"),
            )
        })
    }

    fn is_kind(&self, json: &str, kind: Kind) -> String {
        let json = text_of(json);
        let first = format!("left({json}, 1)");
        let integer = format!(
            "({json} RLIKE '^-?[0-9]+$' AND try_cast({json} AS DECIMAL(20,0)) BETWEEN -9223372036854775808 AND 18446744073709551615)"
        );
        let test = match kind {
            Kind::Null => format!("{json} = 'null'"),
            Kind::Bool => format!("{json} IN ('true', 'false')"),
            Kind::String => format!("{first} = '\"'"),
            Kind::Array => format!("{first} = '['"),
            Kind::Object => format!("{first} = '{{'"),
            Kind::Integer => integer,
            Kind::Float => format!(
                "({first} IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'I') AND NOT coalesce({integer}, false))"
            ),
        };
        format!("coalesce({test}, false)")
    }

    fn str_value(&self, json: &str) -> String {
        format!("substr({json}, 2)")
    }

    fn int_value(&self, json: &str) -> String {
        format!("try_cast({json} AS DECIMAL(20,0))")
    }

    fn float_value(&self, json: &str) -> String {
        format!("try_cast({json} AS DOUBLE)")
    }

    // As Rust's `{}` prints the double: exact for a whole number of
    // microseconds below 2^33 (the only doubles the backend makes, latency
    // seconds): format_number rounds the exact binary value to six places
    // (java.text.DecimalFormat, HALF_EVEN), which gives back the decimal
    // the double was nearest to; trailing zeros go.
    fn json_double(&self, x: &str) -> String {
        format!(
            "regexp_replace(regexp_replace(replace(format_number(CAST({x} AS DOUBLE), 6), ',', ''), '0+$', ''), '[.]$', '')"
        )
    }

    fn json_string(&self, text: &str) -> String {
        format!("('\"' || {text})")
    }

    // Jackson's text is kaq's unless the event spelled one of its tokens
    // otherwise: each string or number token of the event's text that
    // Jackson would write differently is written as Jackson writes it, and a
    // value whose text holds one of those stops the statement. Booleans,
    // null and integers other than 0 have one spelling.
    fn json_text(&self, json: &str) -> String {
        // A token as Jackson writes it: a string through to_json of a
        // one-string array (`["..."]`), a number as from_json copies it.
        let read = "from_json('[' || _k || ']', 'array<string>')[0]";
        let canon = format!(
            "(CASE WHEN left(_k, 1) = '\"' THEN TRIM(TRAILING ']' FROM substr(to_json(array({read})), 2)) ELSE replace({read}, '\"', '') END)"
        );
        let suspects = format!(
            "filter(regexp_extract_all({EVENT}.t, {}, 0), _k -> (left(_k, 1) = '\"' AND instr(_k, chr(92)) > 0) OR _k = '-0' OR (left(_k, 1) <> '\"' AND _k RLIKE '[.eE]'))",
            self.string(TOKEN)
        );
        format!(
            "(CASE WHEN {json} IN ('true', 'false', 'null') OR {json} RLIKE '^-?[1-9][0-9]*$' THEN {json} \
             WHEN exists(transform({suspects}, _k -> named_struct('k', _k, 'n', {canon})), _t -> _t.n IS NULL OR (_t.n <> _t.k AND instr({json}, _t.n) > 0)) \
             THEN raise_error({}) ELSE {json} END)",
            self.string(NOT_EXACT)
        )
    }

    fn empty_list(&self) -> String {
        "CAST(array() AS ARRAY<STRING>)".into()
    }

    fn list_of(&self, json: &str) -> String {
        format!("CAST(array({json}) AS ARRAY<STRING>)")
    }

    fn text_list(&self, item: &str) -> String {
        format!("array({item})")
    }

    fn list(&self, items: &[String]) -> String {
        format!("CAST(array({}) AS ARRAY<STRING>)", items.join(", "))
    }

    fn bind(&self, value: &str, var: &str, body: &str) -> String {
        format!("transform(array({value}), {var} -> {body})[0]")
    }

    fn map(&self, list: &str, var: &str, f: &str) -> String {
        format!("transform({list}, {var} -> {f})")
    }

    fn filter(&self, list: &str, var: &str, pred: &str) -> String {
        format!("filter({list}, {var} -> {pred})")
    }

    fn any(&self, list: &str, var: &str, pred: &str) -> String {
        format!("coalesce(exists({list}, {var} -> {pred}), false)")
    }

    fn flatten(&self, lists: &str) -> String {
        format!("flatten({lists})")
    }

    fn len(&self, list: &str) -> String {
        format!("size({list})")
    }

    fn join(&self, list: &str, sep: &str) -> String {
        format!("array_join({list}, {})", self.string(sep))
    }

    fn contains(&self, text: &str, lit: &str) -> String {
        format!("contains({text}, {lit})")
    }

    fn starts_with(&self, text: &str, lit: &str) -> String {
        format!("startswith({text}, {lit})")
    }

    fn ends_with(&self, text: &str, lit: &str) -> String {
        format!("endswith({text}, {lit})")
    }

    fn regex(&self, text: &str, pattern: &str) -> String {
        format!("regexp({text}, {})", self.string(&java_pattern(pattern)))
    }

    fn regex_problem(&self, pattern: &str) -> Option<String> {
        java_regex_problem(pattern)
    }

    fn substr(&self, text: &str, start: &str, len: &str) -> String {
        format!("substr({text}, {start}, greatest({len}, 0))")
    }

    fn len_text(&self, text: &str) -> String {
        format!("length({text})")
    }

    fn to_int(&self, text: &str) -> String {
        format!(
            "(CASE WHEN {text} RLIKE {} THEN try_cast({text} AS BIGINT) END)",
            self.string("^[0-9]+\\z")
        )
    }

    fn rpad_zero(&self, text: &str, width: usize) -> String {
        format!("rpad({text}, {width}, '0')")
    }

    fn lpad_zero(&self, text: &str, width: usize) -> String {
        format!("lpad({text}, {width}, '0')")
    }

    fn rtrim_zero(&self, text: &str) -> String {
        format!("TRIM(TRAILING '0' FROM {text})")
    }

    fn int_text(&self, n: &str) -> String {
        format!("CAST({n} AS STRING)")
    }

    fn floor_div(&self, a: &str, b: &str) -> String {
        format!("(({a}) DIV ({b}))")
    }

    fn unnest(&self, list: &str) -> String {
        format!("explode({list})")
    }

    fn distinct(&self, list: &str) -> String {
        format!("array_distinct({list})")
    }

    fn at(&self, list: &str, i: usize) -> String {
        format!("get({list}, {})", i - 1)
    }

    fn split(&self, text: &str, sep: &str) -> String {
        format!("split({text}, {}, -1)", self.string(&java_quote(sep)))
    }

    fn before(&self, text: &str, c: char) -> String {
        format!(
            "substring_index({text}, {}, 1)",
            self.string(&c.to_string())
        )
    }

    // format_number rounds the double's exact binary value (DecimalFormat,
    // HALF_EVEN), as Rust's `{:.4}` does; it groups thousands with `,`.
    fn fixed4(&self, x: &str) -> String {
        format!("replace(format_number(CAST({x} AS DOUBLE), 4), ',', '')")
    }

    fn regex_replace(&self, text: &str, pattern: &str, with: &str) -> String {
        format!(
            "regexp_replace({text}, {}, {})",
            self.string(&java_pattern(pattern)),
            self.string(&with.replace('\\', "\\\\").replace('$', "\\$"))
        )
    }

    fn hex2(&self, n: &str) -> String {
        format!("lpad(lower(hex(CAST({n} AS INT))), 2, '0')")
    }

    fn find(&self, hay: &str, needle: &str) -> String {
        format!("instr({hay}, {needle})")
    }

    fn repeat(&self, text: &str, n: &str) -> String {
        format!("repeat({text}, CAST(greatest({n}, 0) AS INT))")
    }

    fn range(&self, lo: &str, hi: &str) -> String {
        format!(
            "(CASE WHEN {lo} <= {hi} THEN sequence(CAST({lo} AS BIGINT), CAST({hi} AS BIGINT)) ELSE CAST(array() AS ARRAY<BIGINT>) END)"
        )
    }

    fn format_micros(&self, us: &str) -> String {
        // TIMESTAMP_NTZ arithmetic and formatting ignore the session's
        // time zone.
        format!(
            "date_format(timestampadd(MICROSECOND, CAST({us} AS BIGINT), TIMESTAMP_NTZ '1970-01-01 00:00:00'), {})",
            self.string("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
        )
    }

    // Log order: `input_file_name()`, then `monotonically_increasing_id()`,
    // which is exact within a file: rows keep their order inside a
    // partition, and a file's splits are planned in offset order (Spark
    // sorts splits by size, stably, and all but a file's last split have
    // the same size), so their partition ids (the id's high bits) grow
    // with the offset. A gzipped file is one split.
    fn files_source(&self, location: &str) -> String {
        let location = location
            .strip_prefix("s3://")
            .map(|rest| format!("s3a://{rest}"))
            .unwrap_or_else(|| location.to_string());
        parsed(
            &format!(
                "SELECT TRIM(BOTH {} FROM value) AS _line, input_file_name() AS src, monotonically_increasing_id() AS ord FROM text.{}",
                self.string(SPACE),
                self.ident(&location)
            ),
        )
    }

    fn table_source(&self, table: &str, column: &str) -> String {
        parsed(&format!(
            "SELECT TRIM(BOTH {} FROM CAST({} AS STRING)) AS _line, '' AS src, 0 AS ord FROM {}",
            self.string(SPACE),
            self.ident(column),
            table_name(table, |p| self.ident(p))
        ))
    }

    fn cast(&self, x: &str, ty: &Ty) -> String {
        format!("CAST({x} AS {})", sql_type(ty))
    }

    fn tuple(&self, items: &[String]) -> String {
        let fields: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, x)| format!("'f{}', {x}", i + 1))
            .collect();
        format!("named_struct({})", fields.join(", "))
    }

    fn get(&self, tuple: &str, i: usize) -> String {
        format!("({tuple}).f{i}")
    }

    fn typed_empty(&self, ty: &Ty) -> String {
        format!("CAST(array() AS {})", sql_type(ty))
    }

    fn append(&self, list: &str, item: &str) -> String {
        format!("concat({list}, array({item}))")
    }

    fn first_index(&self, list: &str, var: &str, pred: &str) -> String {
        // array_position is 0 when absent, as the contract wants.
        format!("CAST(array_position(transform({list}, {var} -> coalesce({pred}, false)), true) AS BIGINT)")
    }

    fn slice_from(&self, list: &str, i: &str) -> String {
        // A length past the end takes the rest.
        format!("slice({list}, {i}, 2147483647)")
    }

    fn sorted_list(&self, tuple: &str, ty: &Ty) -> String {
        // collect_list keeps no order; array_sort orders structs by their
        // fields in turn, and the first is unique.
        self.cast(
            &format!("array_sort(collect_list({tuple}))"),
            &Ty::List(Box::new(ty.clone())),
        )
    }

    fn fold(&self, list: &str, init: &str, acc: &str, var: &str, body: &str) -> String {
        format!("aggregate({list}, {init}, ({acc}, {var}) -> {body})")
    }

    // Spark's analyzer resolves a query in passes until nothing changes,
    // and stops at `maxIterations` (100). Each level of lambdas costs
    // passes, and they add up along the chain of CTEs: the built-in
    // catalogue needs between 121 and 130 (measured with Spark 4.3). The
    // setting is a limit, not a cost: a query needs as many passes as it
    // needs whatever it is set to.
    fn detections_setup(&self) -> &'static str {
        "SET spark.sql.analyzer.maxIterations=1000;\n"
    }
}

/// Spark's name of a [`Ty`].
fn sql_type(ty: &Ty) -> String {
    match ty {
        Ty::Int => "BIGINT".into(),
        Ty::Text => "STRING".into(),
        Ty::List(t) => format!("ARRAY<{}>", sql_type(t)),
        Ty::Tuple(ts) => {
            let fields: Vec<String> = ts
                .iter()
                .enumerate()
                .map(|(i, t)| format!("f{}: {}", i + 1, sql_type(t)))
                .collect();
            format!("STRUCT<{}>", fields.join(", "))
        }
    }
}

/// The rows of `lines` (columns `_line`, `src`, `ord`) with the event
/// column: `t` its text, `m` its members as JSON values (a member that
/// needs a `VARIANT` of an object with duplicate keys is `!`, which
/// [`Dialect::members`] stops at), each read once per line. A line that is
/// not a JSON object is left out, as kaq leaves it out; Jackson is told not
/// to take single quotes or `NaN` for JSON.
fn parsed(lines: &str) -> String {
    let strict = "map('allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')";
    format!(
        "(SELECT named_struct('t', _line, 'm', transform_values(_o, (_k, _s) -> {})) AS {EVENT}, src, ord \
         FROM (SELECT _line, from_json(_line, 'map<string,string>', {strict}) AS _o, \
         from_json(_line, 'map<string,variant>', {strict}) AS _w, src, ord \
         FROM ({lines}) AS _lines) AS _parsed WHERE _o IS NOT NULL)",
        value_of_lenient("_s", "try_element_at(_w, _k)")
    )
}

/// [`value_of`], with `!` where the variant is missing (a duplicate key):
/// the event's members are all read, used or not, and only a use stops.
fn value_of_lenient(s: &str, v: &str) -> String {
    format!(
        "(CASE WHEN {s} IS NULL THEN 'null' \
         WHEN NOT {} OR schema_of_variant({v}) = 'STRING' THEN '\"' || {s} \
         WHEN {v} IS NULL THEN '!' \
         WHEN left({s}, 1) = '\"' THEN replace({s}, '\"', '') ELSE {s} END)",
        ambiguous(s)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_problems_are_named() {
        for ok in [
            "^system:.*$",
            "(?i)admin",
            "[a-z0-9_-]+",
            "(?s)a.b",
            "\\.",
            "a|b",
            "x{2,5}",
        ] {
            assert_eq!(java_regex_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("(?m)^a$", "the m flag"),
            ("(?U)a+", "the U flag"),
            ("(?i)[a-z]", "(?i) with a class"),
            ("(?i)admin", ""),
            ("(?i)bill", ""),
            ("(?i)\\x69", "escaped letter i"),
            ("[]a]", "starting with ]"),
            ("[[:alpha:]]", "POSIX classes"),
            ("a\\vb", "\\v"),
            ("(?P<n>a)", "named groups"),
        ] {
            match java_regex_problem(bad) {
                Some(e) => assert!(e.contains(says) && !says.is_empty(), "{bad}: {e}"),
                None => assert!(says.is_empty(), "{bad} passed"),
            }
        }
        assert_eq!(java_regex_problem("(?i:b)ill"), None);
    }

    #[test]
    fn literals_hold_no_quote_or_backslash() {
        let s = Spark.string("a'b\\c\n\u{1b}é");
        assert_eq!(
            s,
            "('a' || chr(39) || 'b' || chr(92) || 'c' || chr(10) || chr(27) || 'é')"
        );
        assert_eq!(Spark.string(""), "''");
    }
}
