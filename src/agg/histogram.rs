//! A mergeable histogram for percentiles of non-negative values (latencies),
//! in memory that grows with the spread of values, not their number.
//!
//! A value's bucket is the top bits of its IEEE-754 form: the exponent and
//! the first 5 mantissa bits. Buckets are monotonic in value and each spans at
//! most 1/32 of its lower bound, so a reported percentile is within about 3%
//! of the exact one; the maximum is exact.

use std::collections::BTreeMap;

const SHIFT: u32 = 52 - 5;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    buckets: BTreeMap<u32, u64>,
    count: u64,
    max: f64,
    min: f64,
}

impl Histogram {
    pub fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        let v = v.max(0.0);
        let key = if v == 0.0 {
            0
        } else {
            (v.to_bits() >> SHIFT) as u32
        };
        *self.buckets.entry(key).or_default() += 1;
        if self.count == 0 || v > self.max {
            self.max = v;
        }
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        self.count += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        for (k, n) in &other.buckets {
            *self.buckets.entry(*k).or_default() += n;
        }
        if self.count == 0 || other.max > self.max {
            self.max = other.max;
        }
        if self.count == 0 || other.min < self.min {
            self.min = other.min;
        }
        self.count += other.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The `q` quantile (0..=1): the midpoint of the bucket holding it,
    /// clamped to the observed range.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (&k, &n) in &self.buckets {
            seen += n;
            if seen >= rank {
                if k == 0 {
                    return Some(0.0f64.max(self.min));
                }
                let lo = f64::from_bits(u64::from(k) << SHIFT);
                let hi = f64::from_bits(u64::from(k + 1) << SHIFT);
                return Some(((lo + hi) / 2.0).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_within_three_percent() {
        let mut h = Histogram::default();
        let values: Vec<f64> = (1..=10_000).map(|i| i as f64 / 1000.0).collect();
        for v in &values {
            h.add(*v);
        }
        for (q, exact) in [(0.5, 5.0), (0.9, 9.0), (0.99, 9.9)] {
            let got = h.quantile(q).unwrap();
            assert!((got - exact).abs() / exact < 0.03, "q{q}: {got} vs {exact}");
        }
        assert_eq!(h.max(), Some(10.0));
        assert_eq!(h.count(), 10_000);
    }

    #[test]
    fn merging_equals_adding_all() {
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for i in 0..1000 {
            let v = (i * 37 % 1000) as f64 / 7.0;
            if i % 3 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
            all.add(v);
        }
        a.merge(&b);
        assert_eq!(a, all);
        assert_eq!(Histogram::default().quantile(0.5), None);
    }
}
