//! kaq: query Kubernetes audit logs.
//!
//! The pipeline, one module a stage: [`input`] discovers and opens files,
//! [`chunk`] cuts bytes into line-aligned chunks, `scan` finds events in a
//! chunk ([`json`], [`event`]) and tests them with a [`filter`], and each
//! matching event goes to the run's work (`work`: records, views, `detect`,
//! `policy`, `rbac`); [`engine`] runs chunks in parallel and hands the parts
//! in input order to a printer ([`output`] and the others). [`cli`] reads the
//! flags, [`config`] turns them into a [`config::Plan`], and [`run`] carries
//! it out.
//!
//! Modules are `pub` where the binary, the tests, the benches or the fuzz
//! targets use them, and `pub(crate)` otherwise.

pub(crate) mod agg;
pub mod chunk;
pub mod cli;
pub mod config;
pub mod convert;
pub(crate) mod dedup;
pub mod detect;
pub mod engine;
pub mod event;
pub mod filter;
pub(crate) mod follow;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod json;
pub mod messages;
pub(crate) mod number;
pub mod output;
pub mod policy;
pub mod rbac;
pub mod run;
pub(crate) mod scan;
pub mod sigma;
pub mod time;
pub(crate) mod work;
