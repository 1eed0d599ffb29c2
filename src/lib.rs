//! kaq: query Kubernetes audit logs.
//!
//! The pipeline, one module a stage: [`input`] discovers and opens files,
//! [`chunk`] cuts bytes into line-aligned chunks, [`scan`] finds events in a
//! chunk ([`json`], [`event`]) and tests them with a [`filter`], [`engine`]
//! runs chunks in parallel and hands results in input order to an
//! [`output`] printer. [`cli`] turns flags into a checked [`config::Config`].

pub mod agg;
pub mod ahead;
pub mod chunk;
pub mod cli;
pub mod config;
pub mod dedup;
pub mod detect;
pub mod engine;
pub mod event;
pub mod filter;
pub mod follow;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
pub mod json;
pub mod messages;
pub mod number;
pub mod output;
pub mod policy;
pub mod run;
pub mod scan;
pub mod time;
pub mod work;
