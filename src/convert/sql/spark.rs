//! Spark SQL (4.x, ANSI mode on or off): events as `STRING` JSON text.
//! Members and elements are read with `from_json` twice, as
//! `map<string,string>` / `array<string>` (the raw text of nested values,
//! in document order) and as `map<string,variant>` / `array<variant>` (to
//! tell a JSON string, whose text `from_json` unquotes, and JSON `null`
//! from the rest). Kinds come from the first character of the text, and
//! integers from the digits, as kaq reads them. Regexes run in Java's
//! engine: patterns are checked for what means the same there
//! ([`java_regex_problem`]) and `$` becomes `\z`. Log order comes from
//! `input_file_name()` and `monotonically_increasing_id()`, which grows
//! with the line within a file.

use super::dialect::{Dialect, Kind};
use super::duckdb::table_name;
use crate::convert::Target;

pub struct Spark;

/// The first character of a JSON text, past JSON whitespace.
fn first(json: &str) -> String {
    format!("left(TRIM(LEADING ' \\t\\r\\n' FROM {json}), 1)")
}

/// The JSON value of a member or element: `s` its text from a `string`
/// schema, `v` the same as a variant (`NULL` when absent).
fn fix(s: &str, v: &str) -> String {
    format!(
        "(CASE WHEN {v} IS NULL THEN NULL WHEN schema_of_variant({v}) = 'VOID' THEN 'null' \
         WHEN schema_of_variant({v}) = 'STRING' THEN to_json({v}) ELSE {s} END)"
    )
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

/// The RE2 `pattern` (already checked by kaq) as a Java pattern meaning
/// the same: `(?d)` so that only `\n` ends a line for `.`, `(?u)` so that
/// `(?i)` folds case as RE2 does, and `$` outside classes as `\z` (Java's
/// `$` also matches before a final `\n`).
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
            '$' if !in_class => out.push_str("\\z"),
            c => out.push(c),
        }
    }
    out
}

/// Why a user's RE2 pattern (valid, checked by kaq) might mean something
/// else in Java's engine, if it might.
pub fn java_regex_problem(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let n = chars.get(i + 1).copied().unwrap_or(' ');
                if n.is_ascii_alphanumeric() && !"ntrfaxAzQE".contains(n) {
                    return Some(format!(
                        "the escape \\{n} is not converted for Spark: Java's regex engine reads some escapes differently from RE2"
                    ));
                }
                if n == 'Q' {
                    return Some("\\Q...\\E is not converted for Spark".into());
                }
                i += 2;
                continue;
            }
            '[' if in_class => {
                return Some(
                    "nested or POSIX classes ([[...]]) are not converted for Spark: Java reads [ inside a class as a union".into(),
                )
            }
            '[' => {
                in_class = true;
                if chars.get(i + 1) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    return Some(
                        "a class starting with ] is not converted for Spark: Java reads it differently"
                            .into(),
                    );
                }
            }
            ']' if in_class => in_class = false,
            '&' | '-' | '~' if in_class && chars.get(i + 1) == Some(&c) => {
                return Some(format!(
                    "{c}{c} in a class is not converted for Spark: Java reads && as an intersection"
                ))
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                let flags: String = chars[i + 2..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic() || **c == '-')
                    .collect();
                if let Some(f) = flags.chars().find(|f| !"is-".contains(*f)) {
                    return Some(format!(
                        "the flag {f} is not converted for Spark: only i and s mean the same in Java's regex engine"
                    ));
                }
                if chars.get(i + 2) == Some(&'P') || chars.get(i + 2) == Some(&'<') {
                    return Some(
                        "named groups are not converted for Spark: Java spells them (?<name>...)"
                            .into(),
                    );
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

impl Dialect for Spark {
    fn target(&self) -> Target {
        Target::Spark
    }

    fn string(&self, s: &str) -> String {
        // Backslash escapes are on in Spark SQL literals: `\` and `'` are
        // escaped, control characters spelled `\uXXXX`.
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
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

    fn member(&self, json: &str, key: &str) -> String {
        let k = self.string(key);
        self.bind(
            json,
            "_m",
            &format!(
                "(CASE WHEN {} = '{{' THEN {} END)",
                first("_m"),
                fix(
                    &format!("try_element_at(from_json(_m, 'map<string,string>'), {k})"),
                    &format!("try_element_at(from_json(_m, 'map<string,variant>'), {k})")
                )
            ),
        )
    }

    fn element(&self, json: &str, i: usize) -> String {
        self.bind(
            json,
            "_e",
            &format!(
                "(CASE WHEN {} = '[' THEN {} END)",
                first("_e"),
                fix(
                    &format!("get(from_json(_e, 'array<string>'), {i})"),
                    &format!("get(from_json(_e, 'array<variant>'), {i})")
                )
            ),
        )
    }

    fn children(&self, json: &str) -> String {
        self.bind(
            json,
            "_c",
            &format!(
                "(CASE {} WHEN '[' THEN {} WHEN '{{' THEN zip_with(map_values(from_json(_c, 'map<string,string>')), map_values(from_json(_c, 'map<string,variant>')), (_s, _v) -> {}) ELSE {} END)",
                first("_c"),
                self.elements("_c"),
                fix("_s", "_v"),
                self.empty_list()
            ),
        )
    }

    fn elements(&self, json: &str) -> String {
        format!(
            "zip_with(from_json({json}, 'array<string>'), from_json({json}, 'array<variant>'), (_s, _v) -> {})",
            fix("_s", "_v")
        )
    }

    fn is_kind(&self, json: &str, kind: Kind) -> String {
        let f = first(json);
        let integer = format!(
            "({json} RLIKE '^-?[0-9]+$' AND try_cast({json} AS DECIMAL(20,0)) BETWEEN -9223372036854775808 AND 18446744073709551615)"
        );
        let test = match kind {
            Kind::Null => format!("{f} = 'n'"),
            Kind::Bool => format!("{f} IN ('t', 'f')"),
            Kind::String => format!("{f} = '\"'"),
            Kind::Array => format!("{f} = '['"),
            Kind::Object => format!("{f} = '{{'"),
            Kind::Integer => integer,
            Kind::Float => format!(
                "({f} IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') AND NOT coalesce({integer}, false))"
            ),
        };
        format!("coalesce({test}, false)")
    }

    fn str_value(&self, json: &str) -> String {
        format!("variant_get(parse_json({json}), '$', 'string')")
    }

    fn int_value(&self, json: &str) -> String {
        format!("try_cast({json} AS DECIMAL(20,0))")
    }

    fn float_value(&self, json: &str) -> String {
        format!("try_cast({json} AS DOUBLE)")
    }

    fn json_double(&self, x: &str) -> String {
        format!("CAST(CAST({x} AS DOUBLE) AS STRING)")
    }

    fn json_string(&self, text: &str) -> String {
        self.bind(
            &format!("to_json(array(CAST({text} AS STRING)))"),
            "_j",
            "substr(_j, 2, length(_j) - 2)",
        )
    }

    fn json_text(&self, json: &str) -> String {
        json.to_string()
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
        format!("(CASE WHEN {text} RLIKE '^[0-9]+$' THEN try_cast({text} AS BIGINT) END)")
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

    fn fixed4(&self, x: &str) -> String {
        format!("format_string('%.4f', bround(CAST(CAST({x} AS DOUBLE) AS DECIMAL(38,18)), 4))")
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
            "date_format(timestampadd(MICROSECOND, CAST({us} AS BIGINT), TIMESTAMP_NTZ '1970-01-01 00:00:00'), 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSSSS\\'Z\\'')"
        )
    }

    fn files_source(&self, location: &str) -> String {
        let location = location
            .strip_prefix("s3://")
            .map(|rest| format!("s3a://{rest}"))
            .unwrap_or_else(|| location.to_string());
        format!(
            "(SELECT value AS ev, input_file_name() AS src, monotonically_increasing_id() AS ord FROM text.{} WHERE TRIM(BOTH ' \\t\\r\\n' FROM value) <> '')",
            self.ident(&location)
        )
    }

    fn table_source(&self, table: &str, column: &str) -> String {
        format!(
            "(SELECT CAST({} AS STRING) AS ev, '' AS src, 0 AS ord FROM {})",
            self.ident(column),
            table_name(table, |p| self.ident(p))
        )
    }
}
