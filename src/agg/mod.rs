//! Aggregations over matching events: group-by counts, timelines, distinct
//! values and the summary.
//!
//! Each is fold-then-reduce: a worker folds the events of its chunk into a
//! [`Partial`], and the main thread merges partials in input order. Memory
//! grows with the number of distinct keys, never with the input's size, and
//! the result does not depend on how the input was cut or how many threads
//! ran (a property test checks this).

pub mod histogram;
pub mod keys;
pub mod summary;

use foldhash::HashMap;

use crate::event::{Event, Path};
use crate::json::Kind;
use crate::time::{parse_timestamp, Micros};
use crate::work::{Found, Work};
use histogram::Histogram;
pub use keys::KeyField;
pub use keys::KeyScratch;
use keys::{for_each_key, KeyField as Field};
pub use summary::Summary;

/// Which aggregate view to compute.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// `--by a,b [--stats FIELD]`: count per distinct key tuple.
    GroupBy {
        by: Vec<KeyField>,
        stats: Option<KeyField>,
    },
    /// `--every 5m [--by a]`: counts per time bucket of `stageTimestamp`.
    Timeline { every: Micros, by: Vec<KeyField> },
    /// `--distinct FIELD`: each value with its count and first/last seen.
    Distinct { field: KeyField },
    /// `kaq summary`, `--summary`.
    Summary,
}

/// A partial result: what one chunk (or a merge of chunks) contributed.
#[derive(Debug, Clone, PartialEq)]
pub enum Partial {
    GroupBy(GroupBy),
    Timeline(Timeline),
    Distinct(Distinct),
    Summary(Box<Summary>),
}

/// Per-key numbers of a group-by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    pub count: u64,
    /// Values of the `--stats` field.
    pub stats: Histogram,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupBy {
    /// Matching events (a key's share is its count over this).
    pub events: u64,
    pub groups: HashMap<String, Group>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub events: u64,
    /// (bucket index = stageTimestamp / every, joined key) → count.
    pub counts: HashMap<(i64, String), u64>,
    /// Matching events without a usable `stageTimestamp`.
    pub untimed: u64,
}

/// Per-value numbers of `--distinct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    pub first: Option<Micros>,
    pub last: Option<Micros>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distinct {
    pub events: u64,
    pub values: HashMap<String, Seen>,
}

/// The event's `stageTimestamp` (v1beta1: `timestamp`) as an instant.
pub fn event_time(e: &Event<'_>) -> Option<Micros> {
    e.str("stageTimestamp")
        .or_else(|| e.str("timestamp"))
        .and_then(|s| parse_timestamp(&s))
}

fn number(e: &Event<'_>, path: &Path) -> Option<f64> {
    let mut out = None;
    e.visit(path, &mut |v| {
        if v.kind() == Kind::Number {
            out = v.as_f64();
        }
        out.is_some()
    });
    out
}

fn min_opt(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<Micros>, b: Option<Micros>) -> Option<Micros> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

impl Partial {
    /// Entries held (keys, buckets, values), for a rough size.
    pub fn entries(&self) -> usize {
        match self {
            Partial::GroupBy(g) => g.groups.len(),
            Partial::Timeline(t) => t.counts.len(),
            Partial::Distinct(d) => d.values.len(),
            Partial::Summary(s) => s.entries(),
        }
    }

    /// An empty partial for `view`.
    pub fn new(view: &View) -> Partial {
        match view {
            View::GroupBy { .. } => Partial::GroupBy(GroupBy::default()),
            View::Timeline { .. } => Partial::Timeline(Timeline::default()),
            View::Distinct { .. } => Partial::Distinct(Distinct::default()),
            View::Summary => Partial::Summary(Box::default()),
        }
    }

    /// Folds one matching event in. A key counts once per event, however
    /// often the event repeats its value.
    pub fn add(&mut self, view: &View, e: &Event<'_>, buf: &mut KeyScratch) {
        match (self, view) {
            (Partial::GroupBy(g), View::GroupBy { by, stats }) => {
                g.events += 1;
                let value = stats.as_ref().and_then(|s| number(e, &s.path));
                for_each_key(e, by, buf, &mut |k| {
                    let group = match g.groups.get_mut(k) {
                        Some(group) => group,
                        None => g.groups.entry(k.to_string()).or_default(),
                    };
                    group.count += 1;
                    if let Some(v) = value {
                        group.stats.add(v);
                    }
                });
            }
            (Partial::Timeline(t), View::Timeline { every, by }) => {
                t.events += 1;
                let Some(time) = event_time(e) else {
                    t.untimed += 1;
                    return;
                };
                let bucket = time.div_euclid(*every);
                for_each_key(e, by, buf, &mut |k| {
                    *t.counts.entry((bucket, k.to_string())).or_default() += 1;
                });
            }
            (Partial::Distinct(d), View::Distinct { field }) => {
                d.events += 1;
                let time = event_time(e);
                for_each_key(e, std::slice::from_ref::<Field>(field), buf, &mut |k| {
                    let seen = match d.values.get_mut(k) {
                        Some(s) => s,
                        None => d.values.entry(k.to_string()).or_insert(Seen {
                            count: 0,
                            first: None,
                            last: None,
                        }),
                    };
                    seen.count += 1;
                    seen.first = min_opt(seen.first, time);
                    seen.last = max_opt(seen.last, time);
                });
            }
            (Partial::Summary(s), View::Summary) => s.add(e),
            _ => unreachable!("a partial is built for its view"),
        }
    }

    /// Merges `other` (which came later in the input) into `self`.
    pub fn merge(&mut self, other: Partial) {
        match (self, other) {
            (Partial::GroupBy(a), Partial::GroupBy(b)) => {
                a.events += b.events;
                for (k, g) in b.groups {
                    let mine = a.groups.entry(k).or_default();
                    mine.count += g.count;
                    mine.stats.merge(&g.stats);
                }
            }
            (Partial::Timeline(a), Partial::Timeline(b)) => {
                a.events += b.events;
                a.untimed += b.untimed;
                for (k, n) in b.counts {
                    *a.counts.entry(k).or_default() += n;
                }
            }
            (Partial::Distinct(a), Partial::Distinct(b)) => {
                a.events += b.events;
                for (k, s) in b.values {
                    let mine = a.values.entry(k).or_insert(Seen {
                        count: 0,
                        first: None,
                        last: None,
                    });
                    mine.count += s.count;
                    mine.first = min_opt(mine.first, s.first);
                    mine.last = max_opt(mine.last, s.last);
                }
            }
            (Partial::Summary(a), Partial::Summary(b)) => a.merge(*b),
            _ => unreachable!("partials of one run share a view"),
        }
    }
}

/// The workers' part of a view: the chunk's partial aggregate.
#[derive(Default)]
pub struct ViewPart {
    pub partial: Option<Partial>,
    /// Scratch space for grouping keys.
    scratch: KeyScratch,
}

/// A view is a kind of work: each matching event is folded into its chunk's
/// partial aggregate; [`crate::output::ReportSink`] merges and prints them.
impl Work for View {
    type Part = ViewPart;

    fn take(&self, e: &Event<'_>, _: Found, part: &mut ViewPart) -> u64 {
        let partial = part.partial.get_or_insert_with(|| Partial::new(self));
        partial.add(self, e, &mut part.scratch);
        1
    }

    fn weight(part: &ViewPart) -> usize {
        part.partial.as_ref().map_or(0, |p| p.entries() * 64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::field_path;
    use crate::json::index_object;

    fn field(name: &str) -> KeyField {
        KeyField {
            name: name.into(),
            path: field_path(name).unwrap(),
        }
    }

    fn events(seed: u64, n: usize) -> Vec<String> {
        let mut x = seed | 1;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        (0..n)
            .map(|i| {
                format!(
                    r#"{{"auditID":"a{}","verb":"{}","stage":"{}","user":{{"username":"u{}","groups":["g{}","g{}"]}},"sourceIPs":["10.0.0.{}"],"objectRef":{{"resource":"r{}"}},"responseStatus":{{"code":{}}},"requestReceivedTimestamp":"2024-05-01T00:{:02}:00Z","stageTimestamp":"2024-05-01T00:{:02}:{:02}.5Z"}}"#,
                    i % 7,
                    ["get", "list", "create"][next(3) as usize],
                    ["ResponseComplete", "RequestReceived"][next(2) as usize],
                    next(5),
                    next(3),
                    next(3),
                    next(4),
                    next(6),
                    [200, 403, 404][next(3) as usize],
                    i % 60,
                    i % 60,
                    next(60),
                )
            })
            .collect()
    }

    fn fold(view: &View, evs: &[String]) -> Partial {
        let mut p = Partial::new(view);
        let mut buf = KeyScratch::default();
        let mut m = Vec::new();
        for text in evs {
            index_object(text, &mut m).unwrap();
            p.add(view, &Event::new(text, &m), &mut buf);
        }
        p
    }

    /// Folding random pieces and merging them in order equals one fold over
    /// everything: the result cannot depend on chunking or threads.
    #[test]
    fn property_split_fold_merge_equals_one_fold() {
        let views = [
            View::GroupBy {
                by: vec![field("verb"), field("user.groups")],
                stats: Some(field("latency")),
            },
            View::GroupBy {
                by: vec![],
                stats: None,
            },
            View::Timeline {
                every: 600_000_000,
                by: vec![field("ip")],
            },
            View::Distinct {
                field: field("user"),
            },
            View::Summary,
        ];
        for seed in 1..=20u64 {
            let evs = events(seed, 300);
            let mut cut = seed;
            for view in &views {
                let whole = fold(view, &evs);
                let mut merged = Partial::new(view);
                let mut start = 0;
                while start < evs.len() {
                    cut = cut
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let end = (start + (cut >> 33) as usize % 40).min(evs.len());
                    merged.merge(fold(view, &evs[start..end]));
                    start = end;
                }
                assert_eq!(merged, whole, "seed {seed}, view {view:?}");
            }
        }
    }
}
