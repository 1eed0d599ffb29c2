//! `--dedup`: one event per request, in two passes over the input.
//!
//! A request is identified by [`request_key`] (auditID, receive time, verb,
//! URI and user: the auditID alone can be set by a client). Its event is the
//! one at the best stage — ResponseComplete, then Panic, ResponseStarted,
//! RequestReceived — and, among copies at that stage, the first in input
//! order. The first pass ([`Collect`]) finds that event's position for every
//! matching request; the second ([`Chosen`]) hands only events at those
//! positions to the real work.

use std::collections::HashMap;
use std::io;

use crate::agg::summary::request_key;
use crate::event::Event;
use crate::work::{Found, Origin, Pos, Print, RunInfo, Work};

/// The chosen event of a request: its stage rank and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub rank: u8,
    pub pos: Pos,
}

impl Choice {
    /// Is `self` a better pick than `other`? A better stage wins; at the same
    /// stage, the earlier copy.
    pub fn beats(&self, other: &Choice) -> bool {
        self.rank > other.rank || (self.rank == other.rank && self.pos < other.pos)
    }
}

/// The best event of each request seen so far, by request key.
pub type Best = HashMap<u64, Choice>;

/// Keeps `choice` for `key` if it beats what `best` holds.
fn keep(best: &mut Best, key: u64, choice: Choice) {
    match best.get_mut(&key) {
        Some(held) if !choice.beats(held) => {}
        Some(held) => *held = choice,
        None => {
            best.insert(key, choice);
        }
    }
}

fn stage_rank(e: &Event<'_>) -> u8 {
    match e.str("stage").as_deref() {
        Some("ResponseComplete") => 4,
        Some("Panic") => 3,
        Some("ResponseStarted") => 2,
        Some("RequestReceived") => 1,
        _ => 0,
    }
}

/// The first pass: records the best event of each matching request. Its
/// parts merge in any order, so problems with the input are left to the
/// second pass to report.
pub struct Collect;

impl Work for Collect {
    type Part = Best;

    fn take(&self, e: &Event<'_>, at: Found, part: &mut Best) -> u64 {
        let choice = Choice {
            rank: stage_rank(e),
            pos: at.pos,
        };
        keep(part, request_key(e), choice);
        0
    }

    fn weight(part: &Best) -> usize {
        part.len() * 64
    }
}

/// The first pass's printer: merges the parts into one map.
#[derive(Default)]
pub struct Merge {
    pub best: Best,
}

impl Print for Merge {
    type Part = Best;

    fn write(&mut self, part: Best, _: Origin, _: usize) -> io::Result<()> {
        for (key, choice) in part {
            keep(&mut self.best, key, choice);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, _: &RunInfo) -> io::Result<()> {
        Ok(())
    }
}

/// The second pass: hands `inner` only the chosen event of each request.
pub struct Chosen<'a, W> {
    pub best: &'a Best,
    pub inner: &'a W,
}

impl<W: Work> Work for Chosen<'_, W> {
    type Part = W::Part;

    fn take(&self, e: &Event<'_>, at: Found, part: &mut W::Part) -> u64 {
        if self.best.get(&request_key(e)).map(|c| c.pos) != Some(at.pos) {
            return 0;
        }
        self.inner.take(e, at, part)
    }

    fn weight(part: &W::Part) -> usize {
        W::weight(part)
    }

    fn reads_nested(&self) -> bool {
        self.inner.reads_nested()
    }
}
