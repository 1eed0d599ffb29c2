//! The parallel pipeline and its schedulers: inputs are opened, read into
//! chunks ([`crate::chunk`]) by a producer ([`serial`] or, for several
//! streams, [`ahead`]), scanned on a rayon pool
//! ([`crate::scan::scan_chunk`]), and the results go to the printer and the
//! reporter in input order. Which schedule runs is chosen once
//! ([`Schedule`]). `--limit` stops reading as soon as enough events matched.
//! What happens to a matching event is a [`Work`], what is printed a
//! [`Print`] ([`crate::work`]).

pub mod ahead;
mod serial;

use std::io;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, TryRecvError};
use std::sync::Arc;

use indicatif::ProgressBar;

use rayon::prelude::*;

use crate::chunk::Item;
use crate::config::Config;
use crate::input::open::{open_all, Opened};
use crate::messages::Reporter;
use crate::scan::{scan_chunk, ChunkResult, Query, Sieve};
use crate::work::{Origin, Print, RunInfo, Work};

/// What a run saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub matches: u64,
}

/// A run's scheduler: the configuration and, unless `-j1`, the thread pool
/// that scans chunks. Made once per run; both passes of `--dedup` use it.
pub struct Engine<'c> {
    cfg: &'c Config,
    pool: Option<rayon::ThreadPool>,
}

impl<'c> Engine<'c> {
    pub fn new(cfg: &'c Config) -> io::Result<Engine<'c>> {
        // `-j1` runs on this thread alone; see `drive`.
        let pool = match cfg.threads {
            1 => None,
            n => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(io::Error::other)?,
            ),
        };
        Ok(Engine { cfg, pool })
    }

    fn query<'q, W>(&'q self, work: &'q W) -> Query<'q, W> {
        Query {
            sieve: Sieve {
                matcher: &self.cfg.matcher,
                format: self.cfg.format,
                prefilter: self.cfg.prefilter.as_ref(),
            },
            work,
        }
    }

    /// Runs `work` over the configured inputs and hands its parts to
    /// `printer` in input order, advancing `bar` by the on-disk bytes read.
    /// Fails only when writing output fails (a closed pipe included); input
    /// problems go to the reporter.
    pub fn run<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &self,
        work: &W,
        printer: &mut P,
        reporter: &mut Reporter,
        bar: Option<&ProgressBar>,
    ) -> io::Result<Stats> {
        let cfg = self.cfg;
        let names: Vec<String> = cfg.inputs.iter().map(|i| i.display_name()).collect();
        let mut lines = vec![0u64; cfg.inputs.len()];
        let mut stats = Stats::default();
        let (mut bytes, mut opened) = (0u64, 0u64);
        let progress = Arc::new(AtomicU64::new(0));
        self.drive(&self.query(work), &progress, |item, result| {
            if let Some(bar) = bar {
                bar.set_position(progress.load(Ordering::Relaxed));
            }
            match (item, result) {
                (Item::Chunk(chunk), Some(res)) => {
                    let name = &names[chunk.input];
                    if chunk.first {
                        lines[chunk.input] = 0;
                    }
                    if res.torn_tail {
                        reporter.note(&format!(
                            "{name}: skipped an incomplete last line (still being written)"
                        ));
                    }
                    bytes += res.bytes;
                    let at = Delivered {
                        input: chunk.input,
                        name,
                        lines: &mut lines[chunk.input],
                    };
                    return deliver(cfg, res, at, &mut stats, printer, reporter);
                }
                (Item::Opened { input, how }, _) => {
                    opened += 1;
                    if let Some(bar) = bar {
                        bar.set_message(format!("file {opened}/{}", names.len()));
                    }
                    reporter.note(&format!("{}: {how}", names[*input]));
                }
                (Item::Error { input, error }, _) => {
                    reporter.input_failed(&names[*input], error);
                }
                (Item::Chunk(_), None) => unreachable!("every chunk is scanned"),
            }
            Ok(ControlFlow::Continue(()))
        })?;
        printer.finish(&RunInfo {
            matches: stats.matches,
            events: stats.events,
            bytes,
            inputs: opened,
            bad_lines: reporter.bad_lines(),
        })?;
        Ok(stats)
    }

    /// Runs `work` over the inputs as a first pass: every part goes to
    /// `printer` whole, in input order; nothing is reported, since the pass
    /// that follows reports what it meets.
    pub fn quietly<W: Work, P: Print<Part = W::Part>>(
        &self,
        work: &W,
        printer: &mut P,
    ) -> io::Result<()> {
        let progress = Arc::new(AtomicU64::new(0));
        self.drive(&self.query(work), &progress, |item, result| {
            if let (Item::Chunk(chunk), Some(res)) = (item, result) {
                let from = Origin {
                    input: chunk.input,
                    first_line: 0,
                };
                printer.write(res.part, from, res.matches as usize)?;
            }
            Ok(ControlFlow::Continue(()))
        })
    }
}

/// Where a scanned chunk came from: its input, that input's name, and the
/// count of its lines before the chunk (advanced past it by [`deliver`]).
pub(crate) struct Delivered<'a> {
    pub input: usize,
    pub name: &'a str,
    pub lines: &'a mut u64,
}

/// The main thread's part of one scanned chunk, the same for a batch run and
/// for follow mode: its bad lines reported with their line numbers, events
/// counted, matches cut at `--limit` and handed to the sink. Breaks once
/// `--limit` is reached.
pub(crate) fn deliver<P: Print + ?Sized>(
    cfg: &Config,
    res: ChunkResult<P::Part>,
    at: Delivered<'_>,
    stats: &mut Stats,
    printer: &mut P,
    reporter: &mut Reporter,
) -> io::Result<ControlFlow<()>> {
    let base = *at.lines;
    for e in &res.errors {
        reporter.bad_line(at.name, base + e.line, &e.message);
    }
    *at.lines += res.newlines;
    stats.events += res.events;
    let take = match cfg.limit {
        Some(limit) => res.matches.min(limit - stats.matches),
        None => res.matches,
    };
    stats.matches += take;
    let from = Origin {
        input: at.input,
        first_line: base,
    };
    printer.write(res.part, from, take as usize)?;
    Ok(if cfg.limit.is_some_and(|l| stats.matches >= l) {
        ControlFlow::Break(())
    } else {
        ControlFlow::Continue(())
    })
}

/// How a run's chunks are read and scanned: chosen once per run, from the
/// thread count and the opened inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schedule {
    /// `-j1`: reading, decoding and scanning all on the calling thread, one
    /// chunk at a time, so `-j1` uses one core.
    Inline,
    /// A producer thread reads the inputs in order ([`serial`]) while
    /// batches of chunks are scanned on the pool.
    Pooled,
    /// Two or more inputs are streams (gzipped backups): as many worker
    /// threads as the pool has decode and scan them, and the mapped files'
    /// chunks, ahead ([`ahead`]); batches arrive scanned.
    Ahead,
}

impl Schedule {
    fn choose(threads: usize, opened: &[io::Result<Opened>]) -> Schedule {
        let streams = opened
            .iter()
            .filter(|o| matches!(o, Ok(Opened::Stream { .. })))
            .count();
        match threads {
            1 => Schedule::Inline,
            _ if streams >= 2 => Schedule::Ahead,
            _ => Schedule::Pooled,
        }
    }
}

impl Engine<'_> {
    /// Reads every input once, and `each` sees every item with its result in
    /// input order, until it breaks. Every input is opened before the first
    /// is read ([`open_all`]); the [`Schedule`] is chosen from what opened.
    fn drive<W: Work>(
        &self,
        query: &Query<'_, W>,
        progress: &Arc<AtomicU64>,
        mut each: impl FnMut(&Item, Option<ChunkResult<W::Part>>) -> io::Result<ControlFlow<()>>,
    ) -> io::Result<()> {
        let cfg = self.cfg;
        let opened = open_all(&cfg.inputs, cfg.read, progress);
        let schedule = Schedule::choose(cfg.threads, &opened);
        let (Some(pool), Schedule::Pooled | Schedule::Ahead) = (&self.pool, schedule) else {
            let mut result = Ok(());
            serial::produce(opened, progress, &mut |item| {
                let scanned = match &item {
                    Item::Chunk(c) => Some(scan_chunk(c, query)),
                    Item::Opened { .. } | Item::Error { .. } => None,
                };
                each(&item, scanned).unwrap_or_else(|e| {
                    result = Err(e);
                    ControlFlow::Break(())
                })
            });
            return result;
        };
        let batch_size = cfg.threads * 4;
        let (tx, rx) = sync_channel::<(Item, Option<ChunkResult<W::Part>>)>(batch_size * 2);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let mut send = |item, result| match tx.send((item, result)) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(_) => ControlFlow::Break(()),
                };
                match schedule {
                    Schedule::Ahead => {
                        ahead::produce(opened, progress, query, cfg.threads, &mut send)
                    }
                    _ => serial::produce(opened, progress, &mut |item| send(item, None)),
                }
            });
            let result = (|| -> io::Result<()> {
                loop {
                    let mut batch = match rx.recv() {
                        Ok(item) => vec![item],
                        Err(_) => return Ok(()),
                    };
                    while batch.len() < batch_size {
                        match rx.try_recv() {
                            Ok(item) => batch.push(item),
                            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                        }
                    }
                    let unscanned = |(item, result): &(Item, Option<ChunkResult<W::Part>>)| {
                        result.is_none() && matches!(item, Item::Chunk(_))
                    };
                    let scan = |(item, result): &mut (Item, Option<ChunkResult<W::Part>>)| {
                        if let (Item::Chunk(c), None) = (&*item, &result) {
                            *result = Some(scan_chunk(c, query));
                        }
                    };
                    // One chunk is scanned here: waking the pool for it costs
                    // its threads' spinning, and that takes a core from a
                    // thread decoding gzip, which is what keeps batches this
                    // small.
                    let waiting = batch.iter().filter(|b| unscanned(b)).count();
                    if waiting == 1 {
                        batch.iter_mut().for_each(scan);
                    } else if waiting > 1 {
                        pool.install(|| batch.par_iter_mut().for_each(scan));
                    }
                    for (item, result) in batch {
                        if each(&item, result)?.is_break() {
                            return Ok(());
                        }
                    }
                }
            })();
            // Hanging up stops the producer at its next send.
            drop(rx);
            result
        })
    }
}
