//! Lazy, borrowing JSON.
//!
//! kaq never builds a JSON tree for an audit event. A line is validated once
//! ([`index_object`] records where each top-level member is), and every later
//! lookup walks the already-validated text ([`Value`]). Strings are decoded
//! only when a filter or printer asks for them, and borrow the input when they
//! hold no escapes.
//!
//! Validation is iterative (an explicit stack, never recursion), so a line
//! nested 10,000 levels deep is an error with an offset, not a stack overflow.
//!
//! # Stages, one file each
//!
//! - `validate.rs`, the validating pass: checks one value and reports a
//!   [`JsonError`] at a byte offset. Strings, most of an event's bytes, are
//!   tested eight bytes at a time in a register (SWAR masks), which also
//!   checks that a line is UTF-8 without a pass of its own.
//! - `index.rs`, the indexer: [`index_object`] and its variants run the
//!   validating pass over a whole event and record where each top-level
//!   [`Member`] is, telling a [`KeyHook`] of each key as it passes it, and
//!   may record the members of chosen objects one level down.
//! - `memo.rs`, the key memo: [`KeyMemo`] remembers which top-level key
//!   followed which on the lines before, so that the indexer checks the next
//!   line's keys by comparing bytes with the predicted key before it
//!   validates them as strings, and classifies each distinct key once.
//! - `value.rs`, the reader: [`Value`] and its [`Members`] and [`Elements`]
//!   walk text the indexer accepted, skipping over it without checking it.
//! - `text.rs`, text helpers: comparing the raw text of a string with plain
//!   text without decoding it ([`raw_eq`], [`raw_starts_with`],
//!   [`bytes_eq`]), decoding ([`unescape`]) and minifying ([`minify_into`]).
//!
//! Why these stages: the validating pass is the only one that reads every
//! byte of an event, so it is done once and kept apart, tuned for latency;
//! everything after it trusts what it accepted and reads only the members a
//! filter or printer asks for. The memo is the indexer's state carried from
//! line to line, and the text helpers are shared by the reader and the
//! filters, which compare raw strings far more often than they decode them.

mod index;
mod memo;
mod text;
mod validate;
mod value;

pub use index::{
    index_line, index_line_nested, index_next_line, index_object, index_object_nested, KeyHook,
    Member, Parents,
};
pub use memo::KeyMemo;
pub use text::{bytes_eq, minify_into, raw_eq, raw_starts_with, unescape, unescape_into};
pub use validate::{validate_value, JsonError, MAX_DEPTH};
pub use value::{Elements, Kind, Members, Value};

/// Helpers the tests of several stages share.
#[cfg(test)]
mod testing {
    use super::Member;

    /// A deterministic stream of pseudo-random numbers for the mutation tests.
    pub(super) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// Where the members are, to compare two indexes.
    pub(super) fn spans(members: &[Member]) -> Vec<((u32, u32), (u32, u32))> {
        members.iter().map(|m| (m.key, m.value)).collect()
    }
}
