//! `kaq rbac`: least privilege from the log.
//!
//! [`collect`] turns the subject's events into requests (the worker side),
//! [`authz`] is the RBAC authorizer's matching on the objects [`dump`] reads
//! from `--existing`, [`generate`] writes the Roles that grant the requests,
//! [`report`] prints the usage view, and [`run`] is the run's Work/Print
//! pair.

pub mod authz;
pub mod collect;
pub mod dump;
pub mod generate;
pub mod report;
pub mod request;
pub mod run;

#[cfg(test)]
mod property;
