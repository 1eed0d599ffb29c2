//! `within`: an address (a JSON string, trimmed) inside a CIDR block, as
//! [`crate::filter::cidr`] decides it.

use super::dialect::{Dialect, Kind};
use crate::filter::cidr::Cidr;

/// Whether these blocks can be tested exactly.
pub fn check(_blocks: &[Cidr]) -> Result<(), String> {
    Err("address parsing (IPv4 and IPv6 text, IPv4-mapped IPv6) is not converted yet".into())
}

/// The test of the present value `x`.
pub fn within(d: &dyn Dialect, x: &str, _blocks: &[Cidr]) -> String {
    format!("({} AND 1 = 0)", d.is_kind(x, Kind::String))
}
