//! Sigma, the rule format SIEMs share: kaq's rules and filters written as
//! Sigma rules for pySigma's backends ([`export`]).

pub mod export;
