//! DuckDB's SQL: events as `JSON` values, members read by JSON Pointer
//! (any key, exactly), kinds from `json_type`, lists with lambdas, regexes
//! in RE2 (`regexp_matches`).

use super::dialect::{Dialect, Kind, Ty};
use crate::convert::Target;

pub struct DuckDb;

/// A JSON Pointer token: `~` and `/` escaped (RFC 6901).
fn pointer(key: &str) -> String {
    format!("/{}", key.replace('~', "~0").replace('/', "~1"))
}

impl Dialect for DuckDb {
    fn target(&self) -> Target {
        Target::DuckDb
    }

    fn string(&self, s: &str) -> String {
        // Standard SQL literals: only `'` is special. Control characters
        // are spelled with chr() so that the statement stays one line of
        // plain text.
        let mut parts = Vec::new();
        let mut cur = String::new();
        for c in s.chars() {
            if c.is_control() {
                if !cur.is_empty() {
                    parts.push(format!("'{}'", cur.replace('\'', "''")));
                    cur.clear();
                }
                parts.push(format!("chr({})", c as u32));
            } else {
                cur.push(c);
            }
        }
        if !cur.is_empty() || parts.is_empty() {
            parts.push(format!("'{}'", cur.replace('\'', "''")));
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" || "))
        }
    }

    fn ident(&self, s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }

    fn int(&self, n: i128) -> String {
        format!("CAST('{n}' AS HUGEINT)")
    }

    fn float(&self, x: f64) -> String {
        format!("CAST('{x:?}' AS DOUBLE)")
    }

    fn member(&self, json: &str, key: &str) -> String {
        format!("json_extract({json}, {})", self.string(&pointer(key)))
    }

    fn element(&self, json: &str, i: usize) -> String {
        format!("json_extract({json}, '$[{i}]')")
    }

    fn children(&self, json: &str) -> String {
        self.bind(
            json,
            "_c",
            &format!(
                "(CASE json_type(_c) WHEN 'ARRAY' THEN json_extract(_c, '$[*]') WHEN 'OBJECT' THEN json_extract(_c, '$.*') ELSE {} END)",
                self.empty_list()
            ),
        )
    }

    fn elements(&self, json: &str) -> String {
        format!("json_extract({json}, '$[*]')")
    }

    fn is_kind(&self, json: &str, kind: Kind) -> String {
        let types = match kind {
            Kind::Null => "'NULL'",
            Kind::Bool => "'BOOLEAN'",
            Kind::Integer => "'BIGINT', 'UBIGINT'",
            Kind::Float => "'DOUBLE'",
            Kind::String => "'VARCHAR'",
            Kind::Array => "'ARRAY'",
            Kind::Object => "'OBJECT'",
        };
        format!("coalesce(json_type({json}) IN ({types}), false)")
    }

    fn str_value(&self, json: &str) -> String {
        format!("json_extract_string({json}, '$')")
    }

    fn int_value(&self, json: &str) -> String {
        format!("TRY_CAST({json} AS HUGEINT)")
    }

    fn float_value(&self, json: &str) -> String {
        format!("TRY_CAST({json} AS DOUBLE)")
    }

    // As Rust's `{}` prints the double: DuckDB writes a whole number as
    // `1.0`, kaq as `1` (the backend's doubles, latency seconds, are whole
    // microseconds below 2^33 s: nowhere near an exponent).
    fn json_double(&self, x: &str) -> String {
        self.bind(
            &format!("CAST({x} AS DOUBLE)"),
            "_jd",
            "(CASE WHEN _jd = trunc(_jd) AND abs(_jd) < 1e15 THEN CAST(CAST(_jd AS BIGINT) AS JSON) ELSE to_json(_jd) END)",
        )
    }

    fn json_string(&self, text: &str) -> String {
        format!("to_json(CAST({text} AS VARCHAR))")
    }

    fn json_text(&self, json: &str) -> String {
        format!("CAST({json} AS VARCHAR)")
    }

    fn empty_list(&self) -> String {
        "CAST([] AS JSON[])".into()
    }

    fn list_of(&self, json: &str) -> String {
        format!("[{json}]")
    }

    fn list(&self, items: &[String]) -> String {
        format!("CAST([{}] AS JSON[])", items.join(", "))
    }

    fn bind(&self, value: &str, var: &str, body: &str) -> String {
        format!("list_transform([{value}], lambda {var}: {body})[1]")
    }

    fn map(&self, list: &str, var: &str, f: &str) -> String {
        format!("list_transform({list}, lambda {var}: {f})")
    }

    fn filter(&self, list: &str, var: &str, pred: &str) -> String {
        format!("list_filter({list}, lambda {var}: {pred})")
    }

    fn any(&self, list: &str, var: &str, pred: &str) -> String {
        format!("coalesce(list_bool_or(list_transform({list}, lambda {var}: {pred})), false)")
    }

    fn flatten(&self, lists: &str) -> String {
        format!("flatten({lists})")
    }

    fn len(&self, list: &str) -> String {
        format!("len({list})")
    }

    fn join(&self, list: &str, sep: &str) -> String {
        format!("array_to_string({list}, {})", self.string(sep))
    }

    fn contains(&self, text: &str, lit: &str) -> String {
        format!("contains({text}, {lit})")
    }

    fn starts_with(&self, text: &str, lit: &str) -> String {
        format!("starts_with({text}, {lit})")
    }

    fn ends_with(&self, text: &str, lit: &str) -> String {
        format!("suffix({text}, {lit})")
    }

    fn regex(&self, text: &str, pattern: &str) -> String {
        format!("regexp_matches({text}, {})", self.string(pattern))
    }

    fn substr(&self, text: &str, start: &str, len: &str) -> String {
        format!("substring({text}, {start}, {len})")
    }

    fn len_text(&self, text: &str) -> String {
        format!("length({text})")
    }

    fn to_int(&self, text: &str) -> String {
        format!("TRY_CAST({text} AS BIGINT)")
    }

    fn rpad_zero(&self, text: &str, width: usize) -> String {
        format!("rpad({text}, {width}, '0')")
    }

    fn lpad_zero(&self, text: &str, width: usize) -> String {
        format!("lpad({text}, {width}, '0')")
    }

    fn rtrim_zero(&self, text: &str) -> String {
        format!("rtrim({text}, '0')")
    }

    fn int_text(&self, n: &str) -> String {
        format!("CAST({n} AS VARCHAR)")
    }

    fn floor_div(&self, a: &str, b: &str) -> String {
        format!("(({a}) // ({b}))")
    }

    fn unnest(&self, list: &str) -> String {
        format!("unnest({list})")
    }

    fn distinct(&self, list: &str) -> String {
        format!("list_distinct({list})")
    }

    fn at(&self, list: &str, i: usize) -> String {
        format!("{list}[{i}]")
    }

    fn split(&self, text: &str, sep: &str) -> String {
        format!("string_split({text}, {})", self.string(sep))
    }

    fn before(&self, text: &str, c: char) -> String {
        format!("split_part({text}, {}, 1)", self.string(&c.to_string()))
    }

    fn fixed4(&self, x: &str) -> String {
        format!("printf('%.4f', CAST({x} AS DOUBLE))")
    }

    fn regex_replace(&self, text: &str, pattern: &str, with: &str) -> String {
        format!(
            "regexp_replace({text}, {}, {}, 'g')",
            self.string(pattern),
            self.string(with)
        )
    }

    fn hex2(&self, n: &str) -> String {
        format!("printf('%02x', CAST({n} AS INTEGER))")
    }

    fn find(&self, hay: &str, needle: &str) -> String {
        format!("strpos({hay}, {needle})")
    }

    fn repeat(&self, text: &str, n: &str) -> String {
        format!("repeat({text}, CAST({n} AS BIGINT))")
    }

    fn range(&self, lo: &str, hi: &str) -> String {
        format!("range(CAST({lo} AS BIGINT), CAST({hi} AS BIGINT) + 1)")
    }

    fn format_micros(&self, us: &str) -> String {
        format!("strftime(make_timestamp(CAST({us} AS BIGINT)), '%Y-%m-%dT%H:%M:%S.%fZ')")
    }

    fn cast(&self, x: &str, ty: &Ty) -> String {
        format!("CAST({x} AS {})", sql_type(ty))
    }

    fn tuple(&self, items: &[String]) -> String {
        let fields: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, x)| format!("f{} := {x}", i + 1))
            .collect();
        format!("struct_pack({})", fields.join(", "))
    }

    fn get(&self, tuple: &str, i: usize) -> String {
        format!("struct_extract({tuple}, 'f{i}')")
    }

    fn typed_empty(&self, ty: &Ty) -> String {
        format!("CAST([] AS {})", sql_type(ty))
    }

    fn append(&self, list: &str, item: &str) -> String {
        format!("list_append({list}, {item})")
    }

    fn first_index(&self, list: &str, var: &str, pred: &str) -> String {
        format!("coalesce(list_position(list_transform({list}, lambda {var}: {pred}), true), 0)")
    }

    fn slice_from(&self, list: &str, i: &str) -> String {
        format!("list_slice({list}, {i}, len({list}))")
    }

    fn sorted_list(&self, tuple: &str, _ty: &Ty) -> String {
        format!("list({tuple} ORDER BY struct_extract({tuple}, 'f1'))")
    }

    fn fold(&self, list: &str, init: &str, acc: &str, var: &str, body: &str) -> String {
        format!("list_reduce({list}, lambda {acc}, {var}: {body}, {init})")
    }

    fn files_source(&self, location: &str) -> String {
        format!(
            "(SELECT json AS ev, filename AS src, row_number() OVER () AS ord FROM read_ndjson_objects({}, filename = true))",
            self.string(location)
        )
    }

    fn table_source(&self, table: &str, column: &str) -> String {
        format!(
            "(SELECT CAST({} AS JSON) AS ev, '' AS src, 0 AS ord FROM {})",
            self.ident(column),
            table_name(table, |p| self.ident(p))
        )
    }
}

/// DuckDB's name of a [`Ty`].
fn sql_type(ty: &Ty) -> String {
    match ty {
        Ty::Int => "BIGINT".into(),
        Ty::Text => "VARCHAR".into(),
        Ty::List(t) => format!("{}[]", sql_type(t)),
        Ty::Tuple(ts) => {
            let fields: Vec<String> = ts
                .iter()
                .enumerate()
                .map(|(i, t)| format!("f{} {}", i + 1, sql_type(t)))
                .collect();
            format!("STRUCT({})", fields.join(", "))
        }
    }
}

/// A table name as given, `schema.table` quoted part by part.
pub fn table_name(table: &str, ident: impl Fn(&str) -> String) -> String {
    table.split('.').map(ident).collect::<Vec<_>>().join(".")
}
