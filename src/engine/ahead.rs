//! Reading several streamed inputs at once.
//!
//! A gzip stream decodes on one core, and rotated backups are gzipped, so a
//! directory of them would be bound by one decoding thread. Here, when two or
//! more inputs are streams, worker threads take jobs in input order: a whole
//! stream (decode it and scan its chunks) or one chunk of a mapped file (the
//! plain backups and the live log after the gzipped ones), so a worker with
//! no stream left does not wait for the others. Results are held until the
//! engine reaches their input, and reach it in input order.
//!
//! What workers hold ahead is bounded by [`BUDGET`] bytes of results
//! ([`ChunkResult::weight`]), so a count over many backups decodes them all
//! at once, while a query that prints every event mostly waits its turn. Jobs
//! of the input being delivered never wait, so the run always moves.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::chunk::{send_mapped, send_stream, Bytes, Chunk, Item};
use crate::input::open::Opened;
use crate::scan::{scan_chunk, ChunkResult, Query};
use crate::work::Work;

/// Bytes of results that workers may hold beyond the input being delivered.
pub const BUDGET: usize = 16 << 20;

/// [`crate::chunk::Emit`] with a result: receives items in input order,
/// each chunk with its result when a worker already scanned it (its bytes
/// are then dropped); `Break` stops the read.
pub type EmitScanned<'a, P> = dyn FnMut(Item, Option<ChunkResult<P>>) -> ControlFlow<()> + 'a;

/// Emits every opened input's items in input order, with `workers` worker
/// threads decoding and scanning ahead; each chunk comes scanned. The
/// engine chooses this schedule when two or more inputs are streams.
pub fn produce<W: Work>(
    opened: Vec<io::Result<Opened>>,
    progress: &AtomicU64,
    query: &Query<'_, W>,
    workers: usize,
    emit: &mut EmitScanned<'_, W::Part>,
) {
    let budget = Budget::default();
    let next = AtomicUsize::new(0);
    let mut jobs = Vec::new();
    let mut sources = Vec::with_capacity(opened.len());
    for (input, opened) in opened.into_iter().enumerate() {
        let (tx, rx) = channel();
        let how = opened.as_ref().map_or("", Opened::how);
        let source = match opened {
            Ok(Opened::Stream {
                reader,
                live,
                expect_len,
                ..
            }) => {
                jobs.push(Mutex::new(Some(Job::Stream {
                    input,
                    reader,
                    live,
                    expect_len,
                    tx,
                })));
                Source::Ahead { how, rx }
            }
            Ok(Opened::Mapped(map)) => {
                // Cut now (a search for a newline per chunk); each chunk is a
                // job of its own, so a worker with no stream left scans the
                // mapped files that follow instead of waiting.
                let mut seq = 0;
                let uncounted = AtomicU64::new(0);
                let _ = send_mapped(input, map, &uncounted, &mut |item| {
                    if let Item::Chunk(chunk) = item {
                        jobs.push(Mutex::new(Some(Job::Chunk {
                            seq,
                            chunk,
                            tx: tx.clone(),
                        })));
                        seq += 1;
                    }
                    ControlFlow::Continue(())
                });
                Source::Ahead { how, rx }
            }
            Err(error) => Source::Failed(error),
        };
        sources.push(source);
    }
    std::thread::scope(|scope| {
        for _ in 0..workers {
            // Jobs are claimed in input order, so every job of the input
            // being delivered is done or running on a worker that does not
            // wait.
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let job = job.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if job.is_some_and(|job| job.run(query, &budget, progress).is_break()) {
                        return;
                    }
                }
            });
        }
        for (input, source) in sources.into_iter().enumerate() {
            let flow = match source {
                Source::Failed(error) => emit(Item::Error { input, error }, None),
                Source::Ahead { how, rx } => {
                    budget.reach(input);
                    let mut flow = emit(Item::Opened { input, how }, None);
                    // Chunks of a mapped file may finish out of order.
                    let mut early = BTreeMap::new();
                    let mut due = 0u64;
                    while flow.is_continue() {
                        let Ok((seq, item, result, weight)) = rx.recv() else {
                            break;
                        };
                        budget.release(weight);
                        early.insert(seq, (item, result));
                        while let Some((item, result)) = early.remove(&due) {
                            due += 1;
                            flow = emit(item, result);
                            if flow.is_break() {
                                break;
                            }
                        }
                    }
                    flow
                }
            };
            if flow.is_break() {
                break;
            }
        }
        // Wakes waiting workers; the rest stop at their next result, as
        // their receivers are gone.
        budget.stop();
    });
}

/// An input as the delivering loop meets it.
enum Source<P> {
    /// It could not be opened.
    Failed(io::Error),
    /// Its items come from workers through `rx`, numbered in input order.
    Ahead {
        how: &'static str,
        rx: Receiver<Scanned<P>>,
    },
}

/// An item's number within its input, the item, its result if it is a
/// chunk, and the result's weight.
type Scanned<P> = (u64, Item, Option<ChunkResult<P>>, usize);

/// Work for a worker thread.
enum Job<P> {
    /// Decode a stream and scan its chunks, in order.
    Stream {
        input: usize,
        reader: Box<dyn Read + Send>,
        live: bool,
        expect_len: Option<u64>,
        tx: Sender<Scanned<P>>,
    },
    /// Scan one chunk of a mapped file, the `seq`th of its input.
    Chunk {
        seq: u64,
        chunk: Chunk,
        tx: Sender<Scanned<P>>,
    },
}

impl<P: Send> Job<P> {
    /// Does the job, sending each result once the budget allows; breaks
    /// when the run stops.
    fn run<W: Work<Part = P>>(
        self,
        query: &Query<'_, W>,
        budget: &Budget,
        progress: &AtomicU64,
    ) -> ControlFlow<()> {
        match self {
            Job::Chunk { seq, chunk, tx } => {
                let len = chunk.bytes.len() as u64;
                let flow = send_scanned(seq, Item::Chunk(chunk), query, budget, &tx);
                progress.fetch_add(len, Ordering::Relaxed);
                flow
            }
            Job::Stream {
                input,
                reader,
                live,
                expect_len,
                tx,
            } => {
                let mut seq = 0;
                let mut send = |item: Item| {
                    seq += 1;
                    send_scanned(seq - 1, item, query, budget, &tx)
                };
                match send_stream(input, reader, live, expect_len, &mut send) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(None) => ControlFlow::Break(()),
                    Err(Some(error)) => send(Item::Error { input, error }),
                }
            }
        }
    }
}

/// Scans `item` if it is a chunk (then drops its bytes) and sends it as the
/// `seq`th of its input, once the budget has room for the result.
fn send_scanned<W: Work>(
    seq: u64,
    item: Item,
    query: &Query<'_, W>,
    budget: &Budget,
    tx: &Sender<Scanned<W::Part>>,
) -> ControlFlow<()> {
    let scanned = match item {
        Item::Chunk(mut chunk) => {
            let result = scan_chunk(&chunk, query);
            let weight = result.weight(W::weight(&result.part));
            // The bytes are scanned: do not hold them too.
            chunk.bytes = Bytes::Owned(Vec::new());
            if !budget.reserve(chunk.input, weight) {
                return ControlFlow::Break(());
            }
            (seq, Item::Chunk(chunk), Some(result), weight)
        }
        other => (seq, other, None, 0),
    };
    match tx.send(scanned) {
        Ok(()) => ControlFlow::Continue(()),
        Err(_) => ControlFlow::Break(()),
    }
}

/// Bytes of results held by workers, and the input being delivered.
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
    /// held); a job of the input being delivered never waits. False
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
    fn a_worker_over_budget_waits_until_its_input_is_delivered() {
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
                "a stopped run wakes waiting workers"
            );
        });
    }
}
