//! `kaq policy`: replaying captured logs through an audit Policy.
//!
//! [`schema`] reads and validates the Policy, [`checker`] is the API
//! server's rule matching, [`simulate`] replays events (what would have been
//! written, and the tally), [`lint`] finds rules that cannot work as meant,
//! and [`report`] prints the results.

pub mod checker;
pub mod lint;
pub mod report;
pub mod run;
pub mod schema;
pub mod simulate;

pub use checker::{Decision, Policy};
pub use schema::{Level, PolicyError, Stage};
