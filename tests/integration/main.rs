//! kaq's end-to-end tests: one binary, run the way the README runs it.
//!
//! One module per area; the helpers they share are in `util`.

mod architecture;
mod bad_input;
mod cli;
mod cloud;
mod convert_sql;
mod detect;
mod engines;
mod filters;
mod follow;
mod follow_recovery;
mod fuzz_floor;
mod generated;
mod golden;
mod hostile_filters;
mod inputs;
mod live_files;
mod output;
mod policy;
mod prefilter;
mod rbac;
mod real_samples;
mod semantics;
mod sigma;
mod sigma_export;
mod sigma_roundtrip;
mod snapshots;
mod util;
mod views;
