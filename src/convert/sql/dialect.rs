//! What differs between the SQL engines, in one place: one [`Dialect`]
//! implementation per engine (as prqlc keeps its SQL dialects). The rest of
//! the SQL backend builds statements from these functions only and never
//! asks which engine it writes for.
//!
//! Every value the backend handles is a *JSON value*: an SQL expression of
//! the engine's JSON-text type (DuckDB `JSON`, ClickHouse `String`; Spark a
//! `STRING` of its own form, see [`super::spark`]) holding one JSON value, or SQL `NULL` where the path reaches nothing (a missing
//! field). JSON `null` is a value, `NULL` is its absence: kaq tells them
//! apart, so the backend does too. Lists are the engine's arrays of JSON
//! values.

use super::super::Target;

/// The kinds of JSON value, as kaq tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    /// A number kaq reads as an integer: no `.`, `e` or `E`, and within
    /// `i64::MIN..=u64::MAX` ([`crate::number::Number::parse`]).
    Integer,
    /// Any other number (kaq compares it as an `f64`).
    Float,
    String,
    Array,
    Object,
}

/// SQL types the detection windows carry through a fold (they must be
/// spelled out: an empty list has no type of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// A 64-bit signed integer.
    Int,
    /// A string.
    Text,
    List(Box<Ty>),
    /// A tuple of these, read with [`Dialect::get`].
    Tuple(Vec<Ty>),
}

/// One engine's SQL. Every function returns SQL text; arguments named
/// `json` are JSON values (see the module docs), `text` are SQL strings,
/// `list` are SQL arrays of JSON values, `var` a lambda variable's name.
pub trait Dialect {
    fn target(&self) -> Target;

    /// A string literal holding exactly `s`, whatever it contains: quotes,
    /// backslashes, control characters and unicode never become code.
    fn string(&self, s: &str) -> String;

    /// A quoted identifier (a table or column name as the user gave it).
    fn ident(&self, s: &str) -> String;

    /// An exact integer literal (within `i64::MIN..=u64::MAX`).
    fn int(&self, n: i128) -> String;

    /// An `f64` literal that the engine reads as the same double.
    fn float(&self, x: f64) -> String;

    /// The member `key` of an object (any key: dots, slashes, quotes), or
    /// `NULL` when `json` is not an object or has no such member.
    fn member(&self, json: &str, key: &str) -> String;

    /// Element `i` (0-based) of an array, or `NULL`.
    fn element(&self, json: &str, i: usize) -> String;

    /// The member reached by following `keys` in turn (`a.b.c`), or `NULL`
    /// where one is missing or not an object.
    fn members(&self, json: &str, keys: &[&str]) -> String {
        keys.iter()
            .fold(json.to_string(), |v, k| self.member(&v, k))
    }

    /// The elements of an array, or the member values of an object (kaq's
    /// `[*]`); an empty list for anything else or `NULL`.
    fn children(&self, json: &str) -> String;

    /// The elements of an array (`json` must be one).
    fn elements(&self, json: &str) -> String;

    /// `json` (not `NULL`) is of `kind`: a boolean, never `NULL`.
    fn is_kind(&self, json: &str, kind: Kind) -> String;

    /// The text of a JSON string (`json` must be one).
    fn str_value(&self, json: &str) -> String;

    /// An integer JSON number as an exact 128-bit integer.
    fn int_value(&self, json: &str) -> String;

    /// A JSON number as a double.
    fn float_value(&self, json: &str) -> String;

    /// A JSON number holding the double `x`.
    fn json_double(&self, x: &str) -> String;

    /// A JSON string holding the SQL string `text`.
    fn json_string(&self, text: &str) -> String;

    /// The JSON text of `json` (objects and arrays minified) as a string.
    fn json_text(&self, json: &str) -> String;

    /// The empty list of JSON values.
    fn empty_list(&self) -> String;

    /// A list of one JSON value.
    fn list_of(&self, json: &str) -> String;

    /// A list of one SQL string.
    fn text_list(&self, item: &str) -> String {
        format!("[{item}]")
    }

    /// `list` with `f(var)` applied to each element.
    fn map(&self, list: &str, var: &str, f: &str) -> String;

    /// The elements of `list` for which `pred(var)` holds.
    fn filter(&self, list: &str, var: &str, pred: &str) -> String;

    /// Some element of `list` satisfies `pred(var)` (`pred` never `NULL`);
    /// false for an empty list.
    fn any(&self, list: &str, var: &str, pred: &str) -> String;

    /// A list of lists as one list.
    fn flatten(&self, lists: &str) -> String;

    /// The number of elements.
    fn len(&self, list: &str) -> String;

    /// Joins a list of SQL strings with `sep`.
    fn join(&self, list: &str, sep: &str) -> String;

    /// `text` contains / starts with / ends with the literal `lit`.
    fn contains(&self, text: &str, lit: &str) -> String;
    fn starts_with(&self, text: &str, lit: &str) -> String;
    fn ends_with(&self, text: &str, lit: &str) -> String;

    /// `text` matches the RE2 pattern `pattern` (unanchored; `.` does not
    /// match `\n` unless the pattern says `(?s)`). The pattern has been
    /// checked to mean in RE2 what it means to kaq.
    fn regex(&self, text: &str, pattern: &str) -> String;

    /// Why the user's RE2 `pattern` (checked by kaq) would mean something
    /// else in this engine's regex engine, if it would.
    fn regex_problem(&self, _pattern: &str) -> Option<String> {
        None
    }

    /// The substring of `text` at 1-based `start` (an SQL integer), `len`
    /// long (the backend only cuts ASCII it has matched).
    fn substr(&self, text: &str, start: &str, len: &str) -> String;

    /// The number of characters of `text` (the backend measures ASCII).
    fn len_text(&self, text: &str) -> String;

    /// Converts decimal ASCII digits to a 64-bit integer; `NULL` if they
    /// are not.
    fn to_int(&self, text: &str) -> String;

    /// Pads `text` on the right with `0` to `width` characters.
    fn rpad_zero(&self, text: &str, width: usize) -> String;

    /// Pads `text` on the left with `0` to `width` characters.
    fn lpad_zero(&self, text: &str, width: usize) -> String;

    /// Removes trailing `0` characters.
    fn rtrim_zero(&self, text: &str) -> String;

    /// An integer as decimal text.
    fn int_text(&self, n: &str) -> String;

    /// Integer division of non-negative integers.
    fn floor_div(&self, a: &str, b: &str) -> String;

    /// A list of JSON values.
    fn list(&self, items: &[String]) -> String;

    /// `body` with `var` bound to `value`, which is evaluated once: keeps
    /// statements linear in the filter's size where a value is used
    /// several times.
    fn bind(&self, value: &str, var: &str, body: &str) -> String;

    /// One row per element of `list` (in a SELECT list).
    fn unnest(&self, list: &str) -> String;

    /// `list` without repeated elements (any order).
    fn distinct(&self, list: &str) -> String;

    /// Element `i` (1-based) of a list.
    fn at(&self, list: &str, i: usize) -> String;

    /// Splits `text` at each `sep`.
    fn split(&self, text: &str, sep: &str) -> String;

    /// The part of `text` before the first `c` (all of it when none).
    fn before(&self, text: &str, c: char) -> String;

    /// A double as text with four digits after the point, rounded as
    /// Rust's `{:.4}` rounds (the exact binary value, ties to even).
    fn fixed4(&self, x: &str) -> String;

    /// Every match of the RE2 `pattern` in `text` replaced with `with`.
    fn regex_replace(&self, text: &str, pattern: &str, with: &str) -> String;

    /// A number 0..=255 as two lowercase hex digits.
    fn hex2(&self, n: &str) -> String;

    /// The 1-based position of the literal `needle` in `hay`, 0 if absent.
    fn find(&self, hay: &str, needle: &str) -> String;

    /// `text` repeated `n` times.
    fn repeat(&self, text: &str, n: &str) -> String;

    /// Concatenates SQL strings.
    fn concat(&self, parts: &[String]) -> String {
        format!("({})", parts.join(" || "))
    }

    /// The list of integers `lo..=hi`.
    fn range(&self, lo: &str, hi: &str) -> String;

    /// Microseconds since the epoch as kaq prints instants:
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    fn format_micros(&self, us: &str) -> String;

    /// The rows of raw events at `location` (a path, glob or URL; plain or
    /// gzipped NDJSON): a subquery with columns `ev` (the event, a JSON
    /// value), `src` and `ord` (file, then line: log order).
    fn files_source(&self, location: &str) -> String;

    /// The rows of raw events of a table: columns `ev`, `src`, `ord` as in
    /// [`Dialect::files_source`] (the table's own order: `src` and `ord` are
    /// constants).
    fn table_source(&self, table: &str, column: &str) -> String;

    /// `x` as a value of type `ty` (`x` is never `NULL`).
    fn cast(&self, x: &str, ty: &Ty) -> String;

    /// A tuple of these values.
    fn tuple(&self, items: &[String]) -> String;

    /// Item `i` (1-based) of a [`Dialect::tuple`].
    fn get(&self, tuple: &str, i: usize) -> String;

    /// The empty list of `ty` (a [`Ty::List`]).
    fn typed_empty(&self, ty: &Ty) -> String;

    /// `list` with `item` added at the end.
    fn append(&self, list: &str, item: &str) -> String;

    /// The 1-based index of the first element of `list` for which
    /// `pred(var)` holds, 0 when none does.
    fn first_index(&self, list: &str, var: &str, pred: &str) -> String;

    /// The elements of `list` from 1-based index `i` (`1..=len`) on.
    fn slice_from(&self, list: &str, i: &str) -> String;

    /// Aggregate: the values of `tuple` (of type `ty`, whose first item is
    /// a unique integer) of the group, as a list sorted by that item.
    fn sorted_list(&self, tuple: &str, ty: &Ty) -> String;

    /// Folds `list` from `init`: `body` computes the next state from the
    /// state `acc` and the element `var`. `body`'s type is `init`'s.
    fn fold(&self, list: &str, init: &str, acc: &str, var: &str, body: &str) -> String;

    /// Text appended to every statement (engine settings), if any.
    fn settings(&self) -> &'static str {
        ""
    }

    /// Session settings printed before a `kaq detect --convert-to`
    /// statement, each a statement of its own ending in `;` and a newline:
    /// what the engine needs to plan one that large.
    fn detections_setup(&self) -> &'static str {
        ""
    }
}

/// The dialect of a SQL target.
pub fn dialect(target: Target) -> Option<&'static dyn Dialect> {
    match target {
        Target::DuckDb => Some(&super::duckdb::DuckDb),
        Target::ClickHouse => Some(&super::clickhouse::ClickHouse),
        Target::Spark => Some(&super::spark::Spark),
        Target::Sigma => None,
    }
}
