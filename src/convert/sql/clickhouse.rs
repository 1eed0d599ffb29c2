//! ClickHouse's SQL (and chDB's): events as `String` JSON text, members
//! with `JSONHas`/`JSONExtractRaw`, kinds from `JSONType`, arrays with
//! lambdas, regexes in RE2 (`match`, where `.` matches `\n` unless told
//! `(?-s)`). Statements run with `allow_simdjson = 0` (simdjson reads an
//! integer beyond `u64` as a string, rapidjson as a double, as kaq does)
//! and `join_use_nulls = 1` (an outer join's missing side is `NULL`, as in
//! standard SQL, not a default value).

use super::dialect::{Dialect, Kind, Ty};
use super::duckdb::table_name;
use crate::convert::Target;

pub struct ClickHouse;

impl ClickHouse {
    /// A JSON value that may be `NULL`, for functions that take `String`.
    fn nn(json: &str) -> String {
        format!("ifNull({json}, '')")
    }
}

impl Dialect for ClickHouse {
    fn target(&self) -> Target {
        Target::ClickHouse
    }

    fn string(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02X}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    fn ident(&self, s: &str) -> String {
        format!("`{}`", s.replace('\\', "\\\\").replace('`', "\\`"))
    }

    fn int(&self, n: i128) -> String {
        format!("toInt128('{n}')")
    }

    fn float(&self, x: f64) -> String {
        format!("toFloat64('{x:?}')")
    }

    // A present value's raw text is never empty, so `''` from
    // JSONExtractRaw means missing (or `json` is not an object).
    fn member(&self, json: &str, key: &str) -> String {
        format!(
            "nullIf(JSONExtractRaw({}, {}), '')",
            Self::nn(json),
            self.string(key)
        )
    }

    // An integer index reads an array's element (1-based); on an object it
    // would read the n-th member, which kaq's `[n]` never does.
    fn element(&self, json: &str, i: usize) -> String {
        self.bind(
            &Self::nn(json),
            "_e",
            &format!(
                "if(JSONType(_e) = 'Array', nullIf(JSONExtractRaw(_e, {}), ''), NULL)",
                i + 1
            ),
        )
    }

    fn children(&self, json: &str) -> String {
        self.bind(
            &Self::nn(json),
            "_c",
            "multiIf(JSONType(_c) = 'Array', JSONExtractArrayRaw(_c), JSONType(_c) = 'Object', arrayMap(t -> t.2, JSONExtractKeysAndValuesRaw(_c)), CAST([] AS Array(String)))",
        )
    }

    fn elements(&self, json: &str) -> String {
        format!("JSONExtractArrayRaw({})", Self::nn(json))
    }

    fn is_kind(&self, json: &str, kind: Kind) -> String {
        let types = match kind {
            Kind::Null => "'Null'",
            Kind::Bool => "'Bool'",
            Kind::Integer => "'Int64', 'UInt64'",
            Kind::Float => "'Double'",
            Kind::String => "'String'",
            Kind::Array => "'Array'",
            Kind::Object => "'Object'",
        };
        format!("coalesce(toString(JSONType({json})) IN ({types}), false)")
    }

    fn str_value(&self, json: &str) -> String {
        format!("JSONExtractString({})", Self::nn(json))
    }

    fn int_value(&self, json: &str) -> String {
        format!("JSONExtract({}, 'Int128')", Self::nn(json))
    }

    fn float_value(&self, json: &str) -> String {
        format!("JSONExtractFloat({})", Self::nn(json))
    }

    fn json_double(&self, x: &str) -> String {
        format!("if(isNull({x}), NULL, toJSONString(toFloat64(assumeNotNull({x}))))")
    }

    fn json_string(&self, text: &str) -> String {
        format!("toJSONString(toString({text}))")
    }

    fn json_text(&self, json: &str) -> String {
        Self::nn(json)
    }

    fn empty_list(&self) -> String {
        "CAST([] AS Array(Nullable(String)))".into()
    }

    fn list_of(&self, json: &str) -> String {
        format!("CAST([{json}] AS Array(Nullable(String)))")
    }

    fn list(&self, items: &[String]) -> String {
        format!("CAST([{}] AS Array(Nullable(String)))", items.join(", "))
    }

    fn bind(&self, value: &str, var: &str, body: &str) -> String {
        format!("arrayMap({var} -> {body}, [{value}])[1]")
    }

    fn map(&self, list: &str, var: &str, f: &str) -> String {
        format!("arrayMap({var} -> {f}, {list})")
    }

    fn filter(&self, list: &str, var: &str, pred: &str) -> String {
        format!("arrayFilter({var} -> {pred}, {list})")
    }

    fn any(&self, list: &str, var: &str, pred: &str) -> String {
        format!("arrayExists({var} -> {pred}, {list})")
    }

    fn flatten(&self, lists: &str) -> String {
        format!("arrayFlatten({lists})")
    }

    fn len(&self, list: &str) -> String {
        format!("length({list})")
    }

    fn join(&self, list: &str, sep: &str) -> String {
        format!("arrayStringConcat({list}, {})", self.string(sep))
    }

    fn contains(&self, text: &str, lit: &str) -> String {
        format!("(position({text}, {lit}) > 0)")
    }

    fn starts_with(&self, text: &str, lit: &str) -> String {
        format!("startsWith({text}, {lit})")
    }

    fn ends_with(&self, text: &str, lit: &str) -> String {
        format!("endsWith({text}, {lit})")
    }

    fn regex(&self, text: &str, pattern: &str) -> String {
        format!("match({text}, {})", self.string(&format!("(?-s){pattern}")))
    }

    fn substr(&self, text: &str, start: &str, len: &str) -> String {
        format!("substring({text}, toInt64({start}), toInt64(greatest({len}, 0)))")
    }

    fn len_text(&self, text: &str) -> String {
        format!("toInt64(length({text}))")
    }

    fn to_int(&self, text: &str) -> String {
        format!("toInt64OrNull({text})")
    }

    fn rpad_zero(&self, text: &str, width: usize) -> String {
        format!("rightPad({text}, {width}, '0')")
    }

    fn lpad_zero(&self, text: &str, width: usize) -> String {
        format!("leftPad({text}, {width}, '0')")
    }

    fn rtrim_zero(&self, text: &str) -> String {
        format!("trimRight({text}, '0')")
    }

    fn int_text(&self, n: &str) -> String {
        format!("toString({n})")
    }

    fn floor_div(&self, a: &str, b: &str) -> String {
        format!("intDiv({a}, {b})")
    }

    fn unnest(&self, list: &str) -> String {
        format!("arrayJoin({list})")
    }

    fn distinct(&self, list: &str) -> String {
        format!("arrayDistinct({list})")
    }

    fn at(&self, list: &str, i: usize) -> String {
        format!("{list}[{i}]")
    }

    fn split(&self, text: &str, sep: &str) -> String {
        format!("splitByString({}, {text})", self.string(sep))
    }

    fn before(&self, text: &str, c: char) -> String {
        format!("splitByString({}, {text})[1]", self.string(&c.to_string()))
    }

    fn fixed4(&self, x: &str) -> String {
        format!("printf('%.4f', toFloat64({x}))")
    }

    fn regex_replace(&self, text: &str, pattern: &str, with: &str) -> String {
        format!(
            "replaceRegexpAll({text}, {}, {})",
            self.string(pattern),
            self.string(with)
        )
    }

    fn hex2(&self, n: &str) -> String {
        format!("printf('%02x', toUInt8({n}))")
    }

    fn find(&self, hay: &str, needle: &str) -> String {
        format!("toInt64(position({hay}, {needle}))")
    }

    fn repeat(&self, text: &str, n: &str) -> String {
        format!("repeat({text}, toUInt64(greatest({n}, 0)))")
    }

    fn range(&self, lo: &str, hi: &str) -> String {
        format!("range(toInt64({lo}), toInt64({hi}) + 1)")
    }

    fn format_micros(&self, us: &str) -> String {
        format!("formatDateTime(fromUnixTimestamp64Micro(toInt64({us}), 'UTC'), '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')")
    }

    fn files_source(&self, location: &str) -> String {
        let reader = if location.starts_with("s3://") || location.starts_with("https://") {
            "s3"
        } else {
            "file"
        };
        format!(
            "(SELECT json AS ev, _path AS src, _row_number AS ord FROM {reader}({}, 'JSONAsString'))",
            self.string(location)
        )
    }

    fn table_source(&self, table: &str, column: &str) -> String {
        format!(
            "(SELECT toString({}) AS ev, '' AS src, 0 AS ord FROM {})",
            self.ident(column),
            table_name(table, |p| self.ident(p))
        )
    }

    fn cast(&self, x: &str, ty: &Ty) -> String {
        format!("CAST({x} AS {})", sql_type(ty))
    }

    fn tuple(&self, items: &[String]) -> String {
        format!("tuple({})", items.join(", "))
    }

    fn get(&self, tuple: &str, i: usize) -> String {
        format!("tupleElement({tuple}, {i})")
    }

    fn typed_empty(&self, ty: &Ty) -> String {
        self.cast("[]", ty)
    }

    fn append(&self, list: &str, item: &str) -> String {
        format!("arrayPushBack({list}, {item})")
    }

    fn first_index(&self, list: &str, var: &str, pred: &str) -> String {
        format!("arrayFirstIndex({var} -> {pred}, {list})")
    }

    fn slice_from(&self, list: &str, i: &str) -> String {
        format!("arraySlice({list}, {i})")
    }

    fn sorted_list(&self, tuple: &str, ty: &Ty) -> String {
        let list = Ty::List(Box::new(ty.clone()));
        // groupArray keeps no order: sorted by the tuple's first item.
        self.cast(
            &format!("arraySort(h -> tupleElement(h, 1), groupArray({tuple}))"),
            &list,
        )
    }

    fn fold(&self, list: &str, init: &str, acc: &str, var: &str, body: &str) -> String {
        format!("arrayFold(({acc}, {var}) -> {body}, {list}, {init})")
    }

    fn settings(&self) -> &'static str {
        " SETTINGS allow_simdjson = 0, join_use_nulls = 1"
    }
}

/// ClickHouse's name of a [`Ty`].
fn sql_type(ty: &Ty) -> String {
    match ty {
        Ty::Int => "Int64".into(),
        Ty::Text => "String".into(),
        Ty::List(t) => format!("Array({})", sql_type(t)),
        Ty::Tuple(ts) => {
            let items: Vec<String> = ts.iter().map(sql_type).collect();
            format!("Tuple({})", items.join(", "))
        }
    }
}
