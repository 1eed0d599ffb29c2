//! Follow mode (`-F`): print matching events as the live log grows, across
//! rotations, until Ctrl-C (or `--limit`).
//!
//! Each followed file is a [`Tail`]: the file it has open, how far it has
//! read it, and the incomplete line at its end, which waits until its
//! newline is written. Every poll reads what was appended, hands the complete
//! lines to the scanner the batch pipeline uses ([`scan_chunk`]), and prints
//! the result at once. Then it looks at what the path names now:
//!
//! - **another file**: the API server renamed the log to a backup and opened
//!   a new one, or the file was removed and created again. The old file is
//!   read to its end through the descriptor still held — this works even
//!   when lumberjack has meanwhile gzipped the backup and removed the plain
//!   copy — and then the new file is read from its start. No event is lost
//!   or printed twice.
//! - **the same file, shorter than what was read** (`copytruncate`): reading
//!   starts again at the start. Lines written between the last read and the
//!   truncation exist only in the copy: copytruncate loses them for every
//!   reader, which is why kaq says so on stderr.
//! - **nothing** (removed, not created yet): kaq keeps the old file and
//!   waits.
//!
//! One limit: kaq has to see each file. Two rotations within one poll
//! interval (100 ms) would leave the file in between unread; the API server
//! rotates at most once per `--audit-log-maxsize` megabytes.
//!
//! Polling, not inotify: a poll of an idle log costs one `read` and one
//! `stat` per file (the idle CPU this costs is measured in the README).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::chunk::{Bytes, Chunk, Mode};
use crate::config::Config;
use crate::engine::{deliver, Delivered, Stats};
use crate::input::live::{FollowSpec, TailSpec};
use crate::input::open::{open, Opened, ReadOptions};
use crate::messages::Reporter;
use crate::scan::{scan_chunk, Query, Sieve};
use crate::work::{Print, RunInfo, Work};

/// How much one poll reads from one file before printing: a file read from
/// its start is scanned in pieces, and memory stays bounded.
const READ_LIMIT: usize = 4 << 20;

/// Which file a path names: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId(m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_id(m: &std::fs::Metadata) -> FileId {
    // No inode: a file created later than the one held counts as new.
    let created = m
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    FileId(created, 0)
}

/// Runs follow mode: replays backups (`--since`), then follows every live
/// file until `stop` is set, `--limit` events matched, or output fails.
pub fn run<W: Work, P: Print<Part = W::Part> + ?Sized>(
    cfg: &Config,
    spec: &FollowSpec,
    work: &W,
    sink: &mut P,
    reporter: &mut Reporter,
    stop: &AtomicBool,
) -> io::Result<Stats> {
    let mut out = Printer {
        cfg,
        query: Query {
            sieve: Sieve {
                matcher: &cfg.matcher,
                format: cfg.format,
                prefilter: cfg.prefilter.as_ref(),
            },
            work,
        },
        names: cfg.inputs.iter().map(|i| i.display_name()).collect(),
        lines: vec![0; cfg.inputs.len()],
        stats: Stats::default(),
        bytes: 0,
        sink,
        reporter,
    };
    let mut tails = Vec::new();
    for t in &spec.tails {
        for &b in &t.backups {
            if out.replay(b)?.is_break() {
                return out.finish(spec);
            }
        }
        tails.push(Tail::open(t, spec.from_start, &mut out)?);
        out.sink.flush()?;
    }
    while !stop.load(Ordering::Relaxed) {
        let mut busy = false;
        for tail in &mut tails {
            match tail.poll(&mut out)? {
                Poll::Idle => {}
                Poll::Busy => busy = true,
                Poll::Done => return out.finish(spec),
            }
        }
        out.sink.flush()?;
        if !busy {
            std::thread::sleep(spec.interval);
        }
    }
    out.finish(spec)
}

/// Sets the returned flag on Ctrl-C (and SIGTERM), so that follow mode ends
/// cleanly: what was read is printed and the output closed.
pub fn stop_on_interrupt() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // Fails only if a handler is already set (a second run in one process);
    // then Ctrl-C keeps its default and ends the process.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    stop
}

/// Scans complete lines and prints what they yield, in order.
struct Printer<'c, 's, W, P: ?Sized> {
    cfg: &'c Config,
    query: Query<'c, W>,
    names: Vec<String>,
    /// Lines read so far of the file each input names now.
    lines: Vec<u64>,
    stats: Stats,
    bytes: u64,
    sink: &'s mut P,
    reporter: &'s mut Reporter,
}

impl<W: Work, P: Print<Part = W::Part> + ?Sized> Printer<'_, '_, W, P> {
    /// Scans `data` (whole lines of `input`, the first at byte `offset`)
    /// and prints the matches. Breaks once `--limit` is reached.
    fn feed(&mut self, input: usize, offset: u64, data: Vec<u8>) -> io::Result<ControlFlow<()>> {
        if data.is_empty() {
            return Ok(ControlFlow::Continue(()));
        }
        self.bytes += data.len() as u64;
        let chunk = Chunk {
            input,
            offset,
            bytes: Bytes::Owned(data),
            mode: Mode::Lines,
            first: offset == 0,
            last: false,
            tolerate_torn_tail: false,
        };
        let res = scan_chunk(&chunk, &self.query);
        let at = Delivered {
            input,
            name: &self.names[input],
            lines: &mut self.lines[input],
        };
        deliver(self.cfg, res, at, &mut self.stats, self.sink, self.reporter)
    }

    /// Reads a rotated backup (plain or gzipped) whole, opened as a batch
    /// run opens its inputs.
    fn replay(&mut self, input: usize) -> io::Result<ControlFlow<()>> {
        let name = self.names[input].clone();
        let progress = Arc::new(AtomicU64::new(0));
        let no_mmap = ReadOptions { mmap: false };
        let mut reader = match open(&self.cfg.inputs[input], no_mmap, &progress) {
            Ok(Opened::Stream { reader, .. }) => reader,
            Ok(Opened::Mapped(_)) => unreachable!("mapping is off"),
            Err(e) => {
                self.reporter.input_failed(&name, &e);
                return Ok(ControlFlow::Continue(()));
            }
        };
        self.lines[input] = 0;
        let mut lines = Lines::default();
        loop {
            match lines.fill(&mut reader) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    self.reporter.input_failed(&name, &e);
                    break;
                }
            }
            let (at, batch) = lines.complete();
            if self.feed(input, at, batch)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        let (at, rest) = lines.rest();
        self.feed(input, at, rest)
    }

    fn finish(self, spec: &FollowSpec) -> io::Result<Stats> {
        self.sink.finish(&RunInfo {
            matches: self.stats.matches,
            events: self.stats.events,
            bytes: self.bytes,
            inputs: spec.tails.len() as u64,
            bad_lines: self.reporter.bad_lines(),
        })?;
        Ok(self.stats)
    }
}

/// Bytes read from a file and not yet scanned: complete lines, then an
/// incomplete one.
#[derive(Default)]
struct Lines {
    buf: Vec<u8>,
    /// The file offset of `buf[0]`.
    at: u64,
}

impl Lines {
    /// The file offset just past what was read.
    fn end(&self) -> u64 {
        self.at + self.buf.len() as u64
    }

    /// Reads what `r` has, up to [`READ_LIMIT`] more bytes; returns how many.
    /// What was read before an error is kept.
    fn fill(&mut self, r: &mut dyn Read) -> io::Result<usize> {
        let start = self.buf.len();
        let mut filled = start;
        // In steps of 64 KiB, so that an idle poll grows the buffer by no
        // more than that.
        let ended = loop {
            let step = (filled + 64 * 1024).min(start + READ_LIMIT);
            match crate::input::read::fill(r, &mut self.buf, &mut filled, step) {
                Ok(false) if filled < start + READ_LIMIT => {}
                Ok(_) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.buf.truncate(filled);
        ended.map(|()| filled - start)
    }

    /// Takes the complete lines: (offset of the first, bytes).
    fn complete(&mut self) -> (u64, Vec<u8>) {
        let at = self.at;
        match memchr::memrchr(b'\n', &self.buf) {
            Some(nl) => {
                let rest = self.buf.split_off(nl + 1);
                let lines = std::mem::replace(&mut self.buf, rest);
                self.at += lines.len() as u64;
                (at, lines)
            }
            None => (at, Vec::new()),
        }
    }

    /// Takes what is left, an incomplete last line, ended with a newline:
    /// the file will not grow any more, so it is scanned (and reported if it
    /// is not an event) rather than lost.
    fn rest(&mut self) -> (u64, Vec<u8>) {
        let at = self.at;
        let mut rest = std::mem::take(&mut self.buf);
        self.at += rest.len() as u64;
        if !rest.is_empty() {
            rest.push(b'\n');
        }
        (at, rest)
    }
}

/// What one poll of a file did.
enum Poll {
    /// Nothing new.
    Idle,
    /// Read something; poll again without waiting.
    Busy,
    /// `--limit` reached.
    Done,
}

/// A followed file.
struct Tail {
    path: PathBuf,
    input: usize,
    /// The file being read, and which file it is.
    file: Option<(File, FileId)>,
    /// What was read of it and not yet scanned.
    lines: Lines,
}

impl Tail {
    /// Opens the live file (if it exists yet) at its start or just past its
    /// last complete line; the lines before are counted so that messages
    /// give true line numbers.
    fn open<W: Work, P: Print<Part = W::Part> + ?Sized>(
        spec: &TailSpec,
        from_start: bool,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<Tail> {
        let mut tail = Tail {
            path: spec.path.clone(),
            input: spec.input,
            file: None,
            lines: Lines::default(),
        };
        let name = &out.names[spec.input];
        match File::open(&spec.path) {
            Ok(mut file) => {
                let id = file_id(&file.metadata()?);
                if !from_start {
                    let (lines, end) = skip_to_last_line(&mut file)?;
                    out.lines[spec.input] = lines;
                    tail.lines.at = end;
                    file.seek(SeekFrom::Start(end))?;
                }
                out.reporter.note(&format!(
                    "{name}: following from line {}",
                    out.lines[spec.input] + 1
                ));
                tail.file = Some((file, id));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                out.reporter
                    .note(&format!("{name}: does not exist yet; waiting for it"));
            }
            Err(e) => return Err(e),
        }
        Ok(tail)
    }

    fn poll<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<Poll> {
        let mut busy = false;
        if self.file.is_some() {
            self.check_truncated(out)?;
            match self.read(out)? {
                Poll::Done => return Ok(Poll::Done),
                Poll::Busy => return Ok(Poll::Busy),
                Poll::Idle => {}
            }
        }
        // Read all there was: now see whether the path names another file.
        let now = match std::fs::metadata(&self.path) {
            Ok(m) => Some(file_id(&m)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let held = self.file.as_ref().map(|(_, id)| *id);
        if now.is_some() && now != held {
            if held.is_some() {
                // Whatever the old file got before it was let go.
                while let Poll::Busy = self.read(out)? {}
                let (at, rest) = self.lines.rest();
                if !rest.is_empty() {
                    out.reporter.note(&format!(
                        "{}: the rotated file ended without a newline",
                        out.names[self.input]
                    ));
                }
                if out.feed(self.input, at, rest)?.is_break() {
                    return Ok(Poll::Done);
                }
            }
            match File::open(&self.path) {
                Ok(file) => {
                    let id = file_id(&file.metadata()?);
                    out.reporter.note(&format!(
                        "{}: {}; reading the new file from its start",
                        out.names[self.input],
                        if held.is_some() { "rotated" } else { "created" }
                    ));
                    self.file = Some((file, id));
                    self.lines = Lines::default();
                    out.lines[self.input] = 0;
                    busy = true;
                }
                // Gone again between the stat and the open: next poll.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(if busy { Poll::Busy } else { Poll::Idle })
    }

    /// `copytruncate`: the file held is now shorter than what was read.
    fn check_truncated<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<()> {
        let Some((file, _)) = &mut self.file else {
            return Ok(());
        };
        if file.metadata()?.len() >= self.lines.end() {
            return Ok(());
        }
        out.reporter.note(&format!(
            "{}: truncated; reading again from its start (lines written just before a copytruncate are only in the copy)",
            out.names[self.input]
        ));
        file.seek(SeekFrom::Start(0))?;
        self.lines = Lines::default();
        out.lines[self.input] = 0;
        Ok(())
    }

    /// Reads what was appended and prints its complete lines.
    fn read<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<Poll> {
        let Some((file, _)) = &mut self.file else {
            return Ok(Poll::Idle);
        };
        if self.lines.fill(file)? == 0 {
            return Ok(Poll::Idle);
        }
        let (at, batch) = self.lines.complete();
        Ok(match out.feed(self.input, at, batch)? {
            ControlFlow::Break(()) => Poll::Done,
            ControlFlow::Continue(()) => Poll::Busy,
        })
    }
}

/// Where following from the end starts: just past the last newline, so that
/// a line being written when kaq started is printed once it is complete.
/// Returns (lines before it, its offset).
fn skip_to_last_line(file: &mut File) -> io::Result<(u64, u64)> {
    let mut lines = 0u64;
    let mut end = 0u64;
    let mut read = 0u64;
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let data = &block[..n];
        lines += memchr::memchr_iter(b'\n', data).count() as u64;
        if let Some(nl) = memchr::memrchr(b'\n', data) {
            end = read + nl as u64 + 1;
        }
        read += n as u64;
    }
    Ok((lines, end))
}
