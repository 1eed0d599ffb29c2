//! The seam between the pipeline and what a run does with the events it
//! finds.
//!
//! The pipeline (discover → read → cut → parse → filter) is the same for
//! every command; what differs is what happens to a matching event. That is
//! two halves, as in ripgrep's `Sink`:
//!
//! - a [`Work`] runs on the worker threads: it takes each matching event of a
//!   chunk into a chunk-local *part* (rendered records, a partial aggregate,
//!   findings, policy tallies, the best event of each request);
//! - a [`Print`] runs on the main thread: it receives the parts in input
//!   order, however the chunks were scheduled, and writes the output.
//!
//! The query printer, the views, `kaq detect`, `kaq policy` and the two
//! passes of `--dedup` are each one pair of these; the engine and follow mode
//! know nothing else of them. A new kind of work is one new type.

use std::io;

use crate::event::Event;

/// Where an event sits: input index, byte offset of its line (or document
/// value) in the input, and its index in an EventList or array. Independent
/// of chunking and thread count.
pub type Pos = (u32, u64, u32);

/// Where a matching event was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Its line, 1-based, counted from the chunk's first line.
    pub line: u64,
    pub pos: Pos,
}

/// The worker-side half: what to do with each matching event.
pub trait Work: Sync {
    /// What one chunk's matching events become. Parts reach the [`Print`]
    /// side in input order.
    type Part: Default + Send;

    /// Takes one matching event into `part`. Returns the records it added:
    /// what `--limit` cuts and the exit status counts (0 for an event that
    /// adds none, such as a request's worse copy under `--dedup`).
    fn take(&self, e: &Event<'_>, at: Found, part: &mut Self::Part) -> u64;

    /// Roughly the heap bytes `part` holds: what bounds how far decoders may
    /// run ahead of the printer.
    fn weight(part: &Self::Part) -> usize;

    /// Whether the validating pass should record the members of the nested
    /// objects rules read most (`objectRef`, `user`, ...): worth it only when
    /// many filters read them per event, as `kaq detect`'s do.
    fn reads_nested(&self) -> bool {
        false
    }
}

/// Where a part came from: its input, and how many lines of that input came
/// before its chunk (for `file:line` in findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub input: usize,
    pub first_line: u64,
}

/// The printer-side half: receives parts in input order.
pub trait Print {
    type Part;

    /// Prints the first `take` records of a chunk's part (`--limit` may cut
    /// a part short).
    fn write(&mut self, part: Self::Part, from: Origin, take: usize) -> io::Result<()>;

    /// Prints what is ready now (follow mode, after each read): records go
    /// out; counts and aggregates wait for [`Print::finish`].
    fn flush(&mut self) -> io::Result<()>;

    /// Ends the output.
    fn finish(&mut self, info: &RunInfo) -> io::Result<()>;
}

impl<P: Print + ?Sized> Print for Box<P> {
    type Part = P::Part;

    fn write(&mut self, part: P::Part, from: Origin, take: usize) -> io::Result<()> {
        (**self).write(part, from, take)
    }

    fn flush(&mut self) -> io::Result<()> {
        (**self).flush()
    }

    fn finish(&mut self, info: &RunInfo) -> io::Result<()> {
        (**self).finish(info)
    }
}

/// What the run saw, for the closing output (`--count`, the summary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunInfo {
    pub matches: u64,
    pub events: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Inputs opened.
    pub inputs: u64,
    pub bad_lines: u64,
}
