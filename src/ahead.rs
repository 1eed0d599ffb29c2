//! Reading several streamed inputs at once.
//!
//! A gzip stream decodes on one core, and rotated backups are gzipped, so a
//! directory of them would be bound by one decoding thread. Here decoder
//! threads each take the next stream in input order, decode it and scan its
//! chunks themselves, and hold the results until the engine reaches that
//! input. Items still reach the engine in input order.
//!
//! What decoders hold ahead is bounded by [`BUDGET`] bytes of results
//! ([`ChunkResult::weight`]), so a count over many backups decodes them all
//! at once, while a query that prints every event mostly waits its turn. The
//! decoder of the input being delivered never waits, so the run always moves.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::chunk::{emit_input, open_all, send_stream, Bytes, Item};
use crate::input::open::{Opened, ReadOptions};
use crate::input::Input;
use crate::scan::{scan_chunk, ChunkResult, Query};

/// Bytes of results that decoders may hold beyond the input being delivered.
pub const BUDGET: usize = 16 << 20;

/// Receives items in input order, each chunk with its result when a decoder
/// already scanned it (its bytes are then dropped); `Break` stops the read.
pub type Emit<'a> = dyn FnMut(Item, Option<ChunkResult>) -> ControlFlow<()> + 'a;

/// Reads every input in order and emits its items, with up to `decoders`
/// threads decoding and scanning streams ahead when there are two or more
/// streams; otherwise everything is read on the calling thread and no chunk
/// comes scanned.
pub fn produce(
    inputs: &[Input],
    opts: ReadOptions,
    progress: &Arc<AtomicU64>,
    query: &Query<'_>,
    decoders: usize,
    emit: &mut Emit<'_>,
) {
    let opened = open_all(inputs, opts, progress);
    let streams = opened
        .iter()
        .filter(|o| matches!(o, Ok(Opened::Stream { .. })))
        .count();
    let decoders = decoders.min(streams);
    if decoders < 2 {
        for (idx, opened) in opened.into_iter().enumerate() {
            if emit_input(idx, opened, progress, &mut |item| emit(item, None)).is_break() {
                return;
            }
        }
        return;
    }

    let budget = Budget::default();
    let next = AtomicUsize::new(0);
    let mut jobs = Vec::new();
    let sources: Vec<Source> = opened
        .into_iter()
        .enumerate()
        .map(|(input, opened)| match opened {
            Ok(Opened::Stream {
                reader,
                live,
                expect_len,
                how,
            }) => {
                let (tx, rx) = channel();
                jobs.push(Mutex::new(Some(Decode {
                    input,
                    reader,
                    live,
                    expect_len,
                    tx,
                })));
                Source::Decoded { how, rx }
            }
            other => Source::Here(other),
        })
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..decoders {
            // Jobs are claimed in input order, so the input being delivered
            // is always claimed by a running decoder.
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let job = job.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if job.is_some_and(|job| job.run(query, &budget).is_break()) {
                        return;
                    }
                }
            });
        }
        for (input, source) in sources.into_iter().enumerate() {
            let flow = match source {
                Source::Here(opened) => {
                    emit_input(input, opened, progress, &mut |item| emit(item, None))
                }
                Source::Decoded { how, rx } => {
                    budget.reach(input);
                    let mut flow = emit(Item::Opened { input, how }, None);
                    while flow.is_continue() {
                        let Ok((item, result, weight)) = rx.recv() else {
                            break;
                        };
                        budget.release(weight);
                        flow = emit(item, result);
                    }
                    flow
                }
            };
            if flow.is_break() {
                break;
            }
        }
        // Wakes waiting decoders; the rest stop at their next result, as
        // their receivers are gone.
        budget.stop();
    });
}

/// An input as the delivering loop meets it.
enum Source {
    /// Read on the delivering thread (mapped files, failed opens).
    Here(io::Result<Opened>),
    /// Decoded and scanned by a decoder thread, which sends to `rx`.
    Decoded {
        how: &'static str,
        rx: Receiver<Scanned>,
    },
}

/// An item, its result if it is a chunk, and the result's weight.
type Scanned = (Item, Option<ChunkResult>, usize);

/// A stream waiting for a decoder thread.
struct Decode {
    input: usize,
    reader: Box<dyn Read + Send>,
    live: bool,
    expect_len: Option<u64>,
    tx: Sender<Scanned>,
}

impl Decode {
    /// Decodes and scans the stream, sending each chunk's result once the
    /// budget allows; breaks when the run stops.
    fn run(self, query: &Query<'_>, budget: &Budget) -> ControlFlow<()> {
        let Decode {
            input,
            reader,
            live,
            expect_len,
            tx,
        } = self;
        let mut send = |item: Item| {
            let scanned = match item {
                Item::Chunk(mut chunk) => {
                    let result = scan_chunk(&chunk, query);
                    let weight = result.weight();
                    // The bytes are scanned: do not hold them too.
                    chunk.bytes = Bytes::Owned(Vec::new());
                    if !budget.reserve(input, weight) {
                        return ControlFlow::Break(());
                    }
                    (Item::Chunk(chunk), Some(result), weight)
                }
                other => (other, None, 0),
            };
            match tx.send(scanned) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            }
        };
        match send_stream(input, reader, live, expect_len, &mut send) {
            Ok(()) => ControlFlow::Continue(()),
            Err(None) => ControlFlow::Break(()),
            Err(Some(error)) => send(Item::Error { input, error }),
        }
    }
}

/// Bytes of results held by decoders, and the input being delivered.
#[derive(Default)]
struct Budget {
    state: Mutex<Held>,
    changed: Condvar,
}

#[derive(Default)]
struct Held {
    bytes: usize,
    delivering: usize,
    stopped: bool,
}

impl Budget {
    fn lock(&self) -> MutexGuard<'_, Held> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `weight` more bytes fit in [`BUDGET`] (or nothing is
    /// held); the decoder of the input being delivered never waits. False
    /// once the run has stopped.
    fn reserve(&self, input: usize, weight: usize) -> bool {
        let mut held = self.lock();
        while !held.stopped
            && held.delivering != input
            && held.bytes > 0
            && held.bytes + weight > BUDGET
        {
            held = self.changed.wait(held).unwrap_or_else(|e| e.into_inner());
        }
        held.bytes += weight;
        !held.stopped
    }

    fn release(&self, weight: usize) {
        self.lock().bytes -= weight;
        self.changed.notify_all();
    }

    /// The delivering loop has reached `input`.
    fn reach(&self, input: usize) {
        self.lock().delivering = input;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_decoder_over_budget_waits_until_its_input_is_delivered() {
        let budget = &Budget::default();
        assert!(budget.reserve(1, BUDGET), "nothing held: never waits");
        assert!(budget.reserve(0, 10), "the delivered input never waits");
        std::thread::scope(|scope| {
            let (done, finished) = std::sync::mpsc::channel();
            scope.spawn(move || done.send(budget.reserve(2, 10)).unwrap());
            assert!(
                finished.recv_timeout(Duration::from_millis(50)).is_err(),
                "over budget and not delivered: waits"
            );
            budget.release(10);
            budget.reach(2);
            assert_eq!(finished.recv_timeout(Duration::from_secs(10)), Ok(true));
        });
        std::thread::scope(|scope| {
            let (done, finished) = std::sync::mpsc::channel();
            scope.spawn(move || done.send(budget.reserve(3, 10)).unwrap());
            budget.stop();
            assert_eq!(
                finished.recv_timeout(Duration::from_secs(10)),
                Ok(false),
                "a stopped run wakes waiting decoders"
            );
        });
    }
}
