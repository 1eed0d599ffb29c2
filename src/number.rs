//! Numbers as kaq compares them: integers exactly, everything else as `f64`.
//!
//! JSON numbers are text of any size. An `f64` holds integers exactly only up
//! to 2^53, so `9007199254740993` read as a float equals `9007199254740992`.
//! Resource versions, UIDs turned numeric and byte counts in request bodies
//! pass that, so an integer (no fraction, no exponent) within `i64` or `u64`
//! stays an integer, and two integers compare exactly. An integer against a
//! float, or a number beyond 64 bits, compares as floats, as JSON tools do.

use std::cmp::Ordering;
use std::fmt;

/// A number from a filter or an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer within `i64::MIN..=u64::MAX`.
    Int(i128),
    /// Any other number.
    Float(f64),
}

impl Number {
    /// Reads JSON number text (`-12`, `1.5e3`); `None` if it is not one, or
    /// is not finite as a float.
    pub fn parse(text: &str) -> Option<Number> {
        let integral = !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
        if integral {
            if let Ok(n) = text.parse::<i128>() {
                if (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&n) {
                    return Some(Number::Int(n));
                }
            }
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float)
    }

    /// The number as a float (exact below 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(f) => f,
        }
    }

    /// Two integers compare exactly; otherwise both compare as floats.
    pub fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    /// Whether [`Number::compare`] says equal.
    pub fn same(self, other: Number) -> bool {
        self.compare(other) == Some(Ordering::Equal)
    }
}

impl From<u16> for Number {
    fn from(n: u16) -> Number {
        Number::Int(i128::from(n))
    }
}

/// Integers print as written; floats as Rust prints an `f64` (`1.5`, `1`).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_2_53_compare_exactly() {
        let a = Number::parse("9007199254740993").unwrap();
        let b = Number::parse("9007199254740992").unwrap();
        assert!(!a.same(b));
        assert_eq!(a.compare(b), Some(Ordering::Greater));
        let max = Number::parse("18446744073709551615").unwrap();
        assert_eq!(max, Number::Int(i128::from(u64::MAX)));
        let min = Number::parse("-9223372036854775808").unwrap();
        assert_eq!(min, Number::Int(i128::from(i64::MIN)));
    }

    #[test]
    fn mixed_and_huge_numbers_compare_as_floats() {
        let int = Number::parse("9007199254740993").unwrap();
        let float = Number::parse("9007199254740992.0").unwrap();
        assert!(int.same(float), "the float rule: both are 2^53 as f64");
        assert!(Number::parse("200")
            .unwrap()
            .same(Number::parse("2e2").unwrap()));
        assert_eq!(
            Number::parse("18446744073709551616"),
            Some(Number::Float(18446744073709551616.0))
        );
        assert_eq!(Number::parse("1e999"), None);
        assert_eq!(Number::parse("abc"), None);
        assert_eq!(Number::parse("-0"), Some(Number::Int(0)));
    }

    #[test]
    fn prints_as_written() {
        assert_eq!(Number::Int(12).to_string(), "12");
        assert_eq!(Number::Float(1.5).to_string(), "1.5");
        assert_eq!(Number::Float(2.0).to_string(), "2");
    }
}
