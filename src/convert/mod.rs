//! Carrying a kaq question to another engine: SQL for DuckDB, ClickHouse and
//! Spark, and Sigma rules for SIEMs.
//!
//! Every target is a backend of the filter's checked AST
//! ([`crate::filter::Expr`]), beside the in-process evaluator. What differs
//! between targets lives in two places only:
//!
//! - [`fields`]: where each kaq field is found in a raw event, and how each
//!   target reads the fields kaq computes. Data, as pySigma's processing
//!   pipelines keep field mappings.
//! - each target's own module (its dialect): quoting, JSON access, regex and
//!   time functions, as prqlc keeps its SQL dialects.
//!
//! A construct a target cannot express exactly is refused with a
//! [`Refusal`] that names it; it is never approximated.

pub mod fields;
pub mod sql;

use std::fmt;

/// An engine or format kaq can hand a question to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Target {
    /// DuckDB SQL.
    #[value(name = "duckdb")]
    DuckDb,
    /// ClickHouse SQL (also chDB).
    #[value(name = "clickhouse")]
    ClickHouse,
    /// Spark SQL.
    #[value(name = "spark")]
    Spark,
    /// A Sigma rule (YAML), for pySigma's backends.
    #[value(name = "sigma")]
    Sigma,
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::DuckDb,
        Target::ClickHouse,
        Target::Spark,
        Target::Sigma,
    ];

    /// The name users type (`--to duckdb`).
    pub fn name(self) -> &'static str {
        match self {
            Target::DuckDb => "duckdb",
            Target::ClickHouse => "clickhouse",
            Target::Spark => "spark",
            Target::Sigma => "sigma",
        }
    }

    /// True for the SQL engines.
    pub fn is_sql(self) -> bool {
        !matches!(self, Target::Sigma)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a construct cannot be carried to a target: what it is (as the user
/// wrote it, or its canonical spelling) and why the target cannot express it
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub target: Target,
    /// The construct: `exec.command`, `=~ "(?<=a)b"`, `latency`, ...
    pub construct: String,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot convert `{}` to {}: {}",
            self.construct, self.target, self.reason
        )
    }
}

impl std::error::Error for Refusal {}
