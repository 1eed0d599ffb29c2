//! Sliding windows for threshold rules (`count >= N by KEY within W`,
//! `distinct FIELD >= N by KEY within W`).
//!
//! Per rule and key, the window keeps the times (or, for `distinct`, each
//! value's last time) of the hits inside the last W. When it holds N, the
//! burst is reported and the window starts empty again, so a long attack
//! gives one finding per N hits, not one per hit. Memory is bounded: a
//! window holds fewer than N entries (distinct: the values of the last W),
//! and keys with nothing inside the window are dropped as time moves on.

use std::collections::{HashMap, VecDeque};

use super::rules::Threshold;
use crate::time::Micros;

/// What a window reports when it fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    pub count: usize,
    pub first: Micros,
    pub last: Micros,
    /// `distinct`: the values counted (sorted).
    pub values: Vec<String>,
}

/// The windows of one threshold rule.
#[derive(Debug, Default)]
pub struct Windows {
    keys: HashMap<String, Window>,
    adds: u64,
    latest: Micros,
}

#[derive(Debug)]
enum Window {
    Count(VecDeque<Micros>),
    Distinct(HashMap<String, Micros>),
}

/// Keys are swept for expired windows every this many hits.
const SWEEP_EVERY: u64 = 4096;

impl Windows {
    /// Adds one hit at `time` (events without a time take the latest seen).
    pub fn add(
        &mut self,
        t: &Threshold,
        key: &str,
        distinct: Option<&str>,
        time: Option<Micros>,
    ) -> Option<Burst> {
        let time = time.unwrap_or(self.latest);
        self.latest = self.latest.max(time);
        self.adds += 1;
        if self.adds % SWEEP_EVERY == 0 {
            let horizon = self.latest - t.within;
            self.keys
                .retain(|_, w| w.newest().is_some_and(|n| n > horizon));
        }
        let horizon = time - t.within;
        let window = self.keys.entry(key.to_string()).or_insert_with(|| {
            if t.distinct.is_some() {
                Window::Distinct(HashMap::new())
            } else {
                Window::Count(VecDeque::new())
            }
        });
        match window {
            Window::Count(times) => {
                times.push_back(time);
                while times.front().is_some_and(|&f| f <= horizon) {
                    times.pop_front();
                }
                (times.len() >= t.at_least).then(|| {
                    let burst = Burst {
                        count: times.len(),
                        first: times.iter().copied().min().unwrap_or(time),
                        last: time,
                        values: Vec::new(),
                    };
                    times.clear();
                    burst
                })
            }
            Window::Distinct(values) => {
                values.insert(distinct.unwrap_or_default().to_string(), time);
                values.retain(|_, &mut seen| seen > horizon);
                (values.len() >= t.at_least).then(|| {
                    let mut names: Vec<String> = values.keys().cloned().collect();
                    names.sort();
                    let burst = Burst {
                        count: values.len(),
                        first: values.values().copied().min().unwrap_or(time),
                        last: time,
                        values: names,
                    };
                    values.clear();
                    burst
                })
            }
        }
    }

    /// Keys held (for tests of the memory bound).
    pub fn keys(&self) -> usize {
        self.keys.len()
    }
}

impl Window {
    fn newest(&self) -> Option<Micros> {
        match self {
            Window::Count(times) => times.back().copied(),
            Window::Distinct(values) => values.values().copied().max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Micros = 1_000_000;

    #[test]
    fn a_burst_fires_once_per_n_hits_inside_the_window() {
        let t = Threshold::parse("count >= 3 by ip within 10s").unwrap();
        let mut w = Windows::default();
        assert_eq!(w.add(&t, "a", None, Some(0)), None);
        assert_eq!(w.add(&t, "a", None, Some(5 * S)), None);
        // Another key does not count towards a.
        assert_eq!(w.add(&t, "b", None, Some(6 * S)), None);
        let b = w.add(&t, "a", None, Some(9 * S)).unwrap();
        assert_eq!((b.count, b.first, b.last), (3, 0, 9 * S));
        // The window restarts after a burst.
        assert_eq!(w.add(&t, "a", None, Some(10 * S)), None);
        // Hits further apart than the window never add up.
        let mut w = Windows::default();
        for i in 0..10 {
            assert_eq!(w.add(&t, "a", None, Some(i * 6 * S)), None);
        }
    }

    #[test]
    fn distinct_counts_values_not_hits() {
        let t = Threshold::parse("distinct objectRef.name >= 3 by user within 1m").unwrap();
        let mut w = Windows::default();
        for _ in 0..5 {
            assert_eq!(w.add(&t, "eve", Some("s1"), Some(S)), None);
        }
        assert_eq!(w.add(&t, "eve", Some("s2"), Some(2 * S)), None);
        let b = w.add(&t, "eve", Some("s3"), Some(3 * S)).unwrap();
        assert_eq!(b.values, ["s1", "s2", "s3"]);
    }

    #[test]
    fn idle_keys_are_dropped() {
        let t = Threshold::parse("count >= 100 by ip within 10s").unwrap();
        let mut w = Windows::default();
        for i in 0..(3 * SWEEP_EVERY as i64) {
            w.add(
                &t,
                &format!("10.0.{}.{}", i / 256, i % 256),
                None,
                Some(i * S),
            );
        }
        assert!(w.keys() <= SWEEP_EVERY as usize + 10, "{} keys", w.keys());
    }
}
