//! kaq questions as one SQL statement for DuckDB, ClickHouse or Spark: the filter
//! (a backend of the checked AST, beside [`crate::filter::eval`]) and the
//! query's shape (records, `--count`, `--by`, `--distinct`, `--every`), so
//! that the engine returns the rows `kaq -o csv` prints with the same flags.
//!
//! - [`dialect`]: what differs between engines, one implementation each
//!   ([`duckdb`], [`clickhouse`], [`spark`]);
//! - [`expr`]: the filter as an SQL boolean;
//! - [`fields`]: computed fields; [`time`]: RFC 3339 instants;
//!   [`regex`]: which patterns mean the same in RE2;
//! - [`query`]: the SELECT around it.

pub mod clickhouse;
pub mod detect;
pub mod dialect;
pub mod duckdb;
pub mod expr;
pub mod fields;
pub mod ip;
pub mod query;
pub mod regex;
pub mod spark;
pub mod time;

use crate::agg::View;
use crate::convert::{Refusal, Target};
use crate::filter::ast::Expr;
use crate::output::Column;

/// Where the raw events are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// NDJSON files, plain or gzipped: a path, a glob or an `s3://` URL.
    Files(String),
    /// A table with one raw event per row, its JSON text in `column`.
    Table { name: String, column: String },
}

/// The column `--table` reads when `--json-column` is not given.
pub const DEFAULT_JSON_COLUMN: &str = "json";

/// A kaq query to carry over: what `kaq -o csv` would be asked.
pub struct Request<'a> {
    pub target: Target,
    pub source: &'a Source,
    pub filter: &'a Expr,
    pub columns: &'a [Column],
    pub limit: Option<u64>,
    pub count_only: bool,
    pub view: Option<&'a View>,
    pub top: Option<usize>,
}

/// The statement for `req`, or why it cannot be written exactly.
pub fn emit(req: &Request<'_>) -> Result<String, Refusal> {
    query::statement(sql_dialect(req.target, "--to")?, req)
}

/// The dialect of `target`, or why there is none (`flag` names the flag
/// that asked for it).
pub fn sql_dialect(target: Target, flag: &str) -> Result<&'static dyn dialect::Dialect, Refusal> {
    dialect::dialect(target).ok_or_else(|| Refusal {
        target,
        construct: format!("{flag} {target}"),
        reason: "not an SQL engine".into(),
    })
}
