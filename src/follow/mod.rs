//! Follow mode (`-F`): print matching events as the live log grows, across
//! rotations, until Ctrl-C or SIGTERM (or `--limit`).
//!
//! Each followed file is a [`Tail`]: the file it has open, how far it has
//! read it, and the incomplete line at its end, which waits until its
//! newline is written. Every poll reads what was appended, hands the complete
//! lines to the scanner the batch pipeline uses ([`scan_chunk`]), and prints
//! the result at once. Then it looks at what the path names now:
//!
//! - **another file**: the log was renamed to a backup and a new one opened,
//!   or removed and created again. The old file is read to its end through
//!   the descriptor still held (this works even when it was meanwhile
//!   gzipped and removed). Then every rotated copy kaq has not read, oldest
//!   first, and then the new file from its start. kaq may have fallen
//!   behind by several rotations (a slow reader of its output, a stop, a
//!   burst): the copies in between are found by their first line
//!   ([`backups`]), plain or gzipped, so none is skipped and none read twice.
//! - **the same file with other contents** (`copytruncate`: shorter than
//!   what was read, or its first line changed): the rest is read from the
//!   copy (found by its first line), then the truncated file from its start.
//!
//! What cannot be recovered (a copy deleted before kaq reached it, a
//! truncation with no copy) is reported on stderr as LOST, with the file and
//! what is known of the size, and kaq exits with status 3.
//!
//! `--bookmark FILE` keeps the position ([`bookmark`]); Ctrl-C and SIGTERM
//! end the run cleanly ([`signal`]).
//!
//! Polling, not inotify: a poll of an idle log costs one `read`, one `stat`
//! and, once the file has a first line, one read of it per file (the idle
//! CPU this costs is measured in docs/performance.md).

mod backups;
mod bookmark;
pub(crate) mod signal;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::chunk::{Bytes, Chunk, Mode};
use crate::config::Config;
use crate::engine::{deliver, Delivered, Stats};
use crate::input::live::{FollowSpec, TailSpec};
use crate::messages::Reporter;
use crate::scan::{scan_chunk, Query, Sieve};
use crate::work::{Print, RunInfo, Work};
use backups::{backups, Backup, Copy, Fingerprint};
use bookmark::{Bookmark, Position};

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

/// Runs follow mode: replays backups (`--since`) or resumes at the bookmark,
/// then follows every live file until Ctrl-C or SIGTERM, `--limit` events
/// matched, or output fails. Which signal ended it, if one did, is
/// [`signal::caught`].
pub fn run<W: Work, P: Print<Part = W::Part> + ?Sized>(
    cfg: &Config,
    spec: &FollowSpec,
    work: &W,
    sink: &mut P,
    reporter: &mut Reporter,
) -> io::Result<Stats> {
    signal::catch();
    let bookmark = match &spec.bookmark {
        Some(path) => match Bookmark::load(path) {
            Ok(b) => Some((path.clone(), b)),
            Err(e) => {
                reporter.input_failed(&path.display().to_string(), &e);
                return Ok(Stats::default());
            }
        },
        None => None,
    };
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
        bookmark,
    };
    let mut tails = Vec::new();
    for t in &spec.tails {
        let (tail, flow) = Tail::open(t, spec.from_start, &mut out)?;
        tails.push(tail);
        out.sink.flush()?;
        if flow.is_break() {
            return out.finish(spec);
        }
    }
    while !signal::stopping() {
        let mut busy = false;
        for tail in &mut tails {
            match tail.poll(&mut out)? {
                Poll::Idle => {}
                Poll::Busy => busy = true,
                Poll::Done => return out.finish(spec),
            }
            tail.mark(&mut out)?;
        }
        out.sink.flush()?;
        if !busy {
            std::thread::sleep(spec.interval);
        }
    }
    out.finish(spec)
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
    /// `--bookmark`: where it is kept, and what it holds.
    bookmark: Option<(PathBuf, Bookmark)>,
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

    /// About how many events `bytes` of log hold, from the events read so
    /// far (1 KiB each before any).
    fn events_in(&self, bytes: u64) -> u64 {
        let per_event = match self.stats.events {
            0 => 1024,
            n => (self.bytes / n).max(1),
        };
        bytes.div_ceil(per_event)
    }

    /// `--bookmark`: records that `log` has been printed up to `offset` of
    /// the file `file`, and saves the bookmark once what came before is out.
    fn mark(&mut self, log: &Path, file: Fingerprint, offset: u64) -> io::Result<()> {
        let Some((path, bookmark)) = &mut self.bookmark else {
            return Ok(());
        };
        let position = Position {
            file,
            offset,
            saved: crate::time::now(),
        };
        let same = bookmark
            .logs
            .get(log)
            .is_some_and(|p| p.file == file && p.offset == offset);
        if same {
            return Ok(());
        }
        bookmark.logs.insert(log.to_path_buf(), position);
        self.sink.flush()?;
        if let Err(e) = bookmark.save(path) {
            self.reporter.input_failed(&path.display().to_string(), &e);
        }
        Ok(())
    }

    /// Reads a rotated copy of `log` (open as `copy`, named `name`, its
    /// first line `fp`) from byte `skip` of its contents to its end, as
    /// events of `input`. Keeps the bookmark at each step, and stops early
    /// for a signal or `--limit`.
    fn replay_copy(
        &mut self,
        input: usize,
        log: &Path,
        name: &Path,
        copy: &mut Copy,
        fp: Option<Fingerprint>,
        skip: u64,
    ) -> io::Result<ControlFlow<()>> {
        let name = name.display().to_string();
        let mut reader = match copy.contents() {
            Ok(r) => r,
            Err(e) => {
                self.reporter.input_failed(&name, &e);
                return Ok(ControlFlow::Continue(()));
            }
        };
        let skipped = io::copy(&mut (&mut reader).take(skip), &mut io::sink())?;
        self.lines[input] = 0;
        let mut lines = Lines {
            buf: Vec::new(),
            at: skipped,
        };
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
            if let Some(fp) = fp {
                self.mark(log, fp, lines.at)?;
            }
            if signal::stopping() {
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
    /// `--limit` reached, or a signal came during a catch-up.
    Done,
}

impl From<ControlFlow<()>> for Poll {
    fn from(flow: ControlFlow<()>) -> Poll {
        match flow {
            ControlFlow::Break(()) => Poll::Done,
            ControlFlow::Continue(()) => Poll::Busy,
        }
    }
}

/// A followed file.
struct Tail {
    path: PathBuf,
    /// The path made absolute: the log's key in a bookmark.
    key: PathBuf,
    input: usize,
    /// The file being read, and which file it is.
    file: Option<(File, FileId)>,
    /// What was read of it and not yet scanned.
    lines: Lines,
    /// The held file's first line, once it has one.
    fp: Option<Fingerprint>,
    /// The files of this log that were read, or were there before kaq
    /// started, by their first lines: a rotated copy in this set is not
    /// read again.
    seen: HashSet<Fingerprint>,
    /// The held file's size at the last poll.
    last_len: u64,
    /// The first lines of the copies as last listed (see `copies_first`).
    known: HashMap<Backup, Option<Fingerprint>>,
}

impl Tail {
    /// Opens the live file (if it exists yet): where a bookmark says, else
    /// at its start (`--from-start`, `--since`, after replaying the backups
    /// `--since` named) or just past its last complete line. The lines
    /// before are counted so that messages give true line numbers.
    fn open<W: Work, P: Print<Part = W::Part> + ?Sized>(
        spec: &TailSpec,
        from_start: bool,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<(Tail, ControlFlow<()>)> {
        let copies = backups(&spec.path);
        let mut tail = Tail {
            path: spec.path.clone(),
            key: std::path::absolute(&spec.path).unwrap_or_else(|_| spec.path.clone()),
            input: spec.input,
            file: None,
            lines: Lines::default(),
            fp: None,
            // What was rotated before kaq started is the past: `--since`
            // reads it below, and a bookmark says where to go on.
            seen: copies
                .iter()
                .filter_map(|b| Fingerprint::of_path(&b.path).ok().flatten())
                .collect(),
            last_len: 0,
            known: HashMap::new(),
        };
        let resume = out
            .bookmark
            .as_ref()
            .and_then(|(_, b)| b.logs.get(&tail.key).copied());
        if let Some(pos) = resume {
            return tail.resume(pos, out);
        }
        for &b in &spec.backups {
            let crate::input::Input::File(copy) = out.cfg.inputs[b].clone() else {
                continue;
            };
            let opened = Copy::open(&copy).and_then(|mut c| Ok((c.fingerprint()?, c)));
            let (fp, mut reader) = match opened {
                Ok(o) => o,
                Err(e) => {
                    out.reporter.input_failed(&out.names[b].clone(), &e);
                    continue;
                }
            };
            if out
                .replay_copy(b, &tail.key, &copy, &mut reader, fp, 0)?
                .is_break()
            {
                return Ok((tail, ControlFlow::Break(())));
            }
        }
        tail.open_live(from_start, out)?;
        Ok((tail, ControlFlow::Continue(())))
    }

    /// Opens the live file, at its start or past its last complete line.
    fn open_live<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        from_start: bool,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<()> {
        let name = &out.names[self.input];
        match File::open(&self.path) {
            Ok(mut file) => {
                let id = file_id(&file.metadata()?);
                out.lines[self.input] = 0;
                if !from_start {
                    let (lines, end) = skip_to_last_line(&mut file)?;
                    out.lines[self.input] = lines;
                    self.lines.at = end;
                    file.seek(SeekFrom::Start(end))?;
                }
                if self.lines.at > 0 {
                    // Following from past its start: known by its first
                    // line from now on. (Read from its start, it is known
                    // by the first line read.)
                    self.fp = Fingerprint::of_held(&mut file)?;
                    self.seen.extend(self.fp);
                }
                self.file = Some((file, id));
                out.reporter.note(&format!(
                    "{name}: following from line {}",
                    out.lines[self.input] + 1
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                out.reporter
                    .note(&format!("{name}: does not exist yet; waiting for it"));
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Goes on where the bookmark says: in the live file if it is still the
    /// one bookmarked, else in the rotated copy that is, then through every
    /// copy after it, then the live file from its start.
    fn resume<W: Work, P: Print<Part = W::Part> + ?Sized>(
        mut self,
        pos: Position,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<(Tail, ControlFlow<()>)> {
        let name = out.names[self.input].clone();
        if let Ok(mut file) = File::open(&self.path) {
            if Fingerprint::of_held(&mut file)? == Some(pos.file) {
                let id = file_id(&file.metadata()?);
                out.lines[self.input] = count_lines(&mut file, pos.offset)?;
                file.seek(SeekFrom::Start(pos.offset))?;
                self.lines.at = pos.offset;
                self.fp = Some(pos.file);
                self.seen.insert(pos.file);
                self.file = Some((file, id));
                out.reporter.note(&format!(
                    "{name}: resuming at byte {} (bookmark)",
                    pos.offset
                ));
                return Ok((self, ControlFlow::Continue(())));
            }
        }
        // Each copy open, with its first line.
        let mut opened: Vec<(Backup, Copy, Option<Fingerprint>)> = backups::open_all(&self.path)
            .into_iter()
            .filter_map(|(b, c)| {
                let mut c = c.ok()?;
                let fp = c.fingerprint().ok()?;
                Some((b, c, fp))
            })
            .collect();
        let log = self.key.clone();
        let from = match opened.iter().position(|(_, _, fp)| *fp == Some(pos.file)) {
            Some(i) => {
                let (b, copy, _) = &mut opened[i];
                out.reporter.note(&format!(
                    "{name}: resuming in {} at byte {} (bookmark)",
                    b.path.display(),
                    pos.offset
                ));
                let flow =
                    out.replay_copy(self.input, &log, &b.path, copy, Some(pos.file), pos.offset)?;
                if flow.is_break() {
                    return Ok((self, flow));
                }
                i + 1
            }
            None => {
                out.reporter.lost(
                    &format!(
                        "{name}: the rest of the bookmarked file, from byte {}",
                        pos.offset
                    ),
                    None,
                    None,
                    "it was rotated away and deleted while kaq was stopped",
                );
                // The copies finished after the bookmark was saved are newer.
                opened
                    .iter()
                    .position(|(b, _, _)| modified_after(&b.path, pos.saved))
                    .unwrap_or(opened.len())
            }
        };
        for (b, copy, fp) in opened.iter_mut().skip(from) {
            out.reporter.note(&format!(
                "{name}: reading {}, rotated while kaq was stopped",
                b.path.display()
            ));
            if out
                .replay_copy(self.input, &log, &b.path, copy, *fp, 0)?
                .is_break()
            {
                return Ok((self, ControlFlow::Break(())));
            }
        }
        self.open_live(true, out)?;
        Ok((self, ControlFlow::Continue(())))
    }

    /// `--bookmark`: where this log stands now.
    fn mark<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<()> {
        // Without its first line the file cannot be found again; nothing
        // was read of it yet either.
        match self.fp {
            Some(fp) if out.bookmark.is_some() => out.mark(&self.key.clone(), fp, self.lines.at),
            _ => Ok(()),
        }
    }

    fn poll<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<Poll> {
        let mut busy = false;
        if self.file.is_some() {
            if self.check_truncated(out)?.is_break() {
                return Ok(Poll::Done);
            }
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
            if held.is_some() && self.drain(out)?.is_break() {
                return Ok(Poll::Done);
            }
            match File::open(&self.path) {
                Ok(file) => {
                    let id = file_id(&file.metadata()?);
                    out.reporter.note(&format!(
                        "{}: {}; reading the new file from its start",
                        out.names[self.input],
                        if held.is_some() { "rotated" } else { "created" }
                    ));
                    // Held before the copies are listed: a copy of it made
                    // meanwhile begins as it does, and is left to be read
                    // through this descriptor (see catch_up).
                    self.fp = None;
                    self.file = Some((file, id));
                    self.lines = Lines::default();
                    self.last_len = 0;
                    if self.catch_up(out)?.is_break() {
                        return Ok(Poll::Done);
                    }
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

    /// Reads the file held to its end (it was rotated away: nothing more
    /// will be written to it), its last line too.
    fn drain<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<ControlFlow<()>> {
        loop {
            match self.read(out)? {
                Poll::Busy => {}
                Poll::Done => return Ok(ControlFlow::Break(())),
                Poll::Idle => break,
            }
        }
        if let Some((file, _)) = &mut self.file {
            // Its first line, for telling its copy apart from the others.
            if let Some(fp) = Fingerprint::of_held(file)? {
                self.seen.insert(fp);
            }
        }
        let (at, rest) = self.lines.rest();
        if !rest.is_empty() {
            out.reporter.note(&format!(
                "{}: the rotated file ended without a newline",
                out.names[self.input]
            ));
        }
        out.feed(self.input, at, rest)
    }

    /// Reads every rotated copy of the log not read yet, oldest first: the
    /// files rotated away while kaq was behind.
    fn catch_up<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<ControlFlow<()>> {
        let name = out.names[self.input].clone();
        // A copy that begins as the file held does is still being made
        // (copytruncate copies, then truncates): it is read once the file
        // was truncated.
        let live = match &mut self.file {
            Some((file, _)) => Fingerprint::of_held(file)?,
            None => None,
        };
        for (b, copy) in backups::open_all(&self.path) {
            let opened = copy.and_then(|mut c| Ok((c.fingerprint()?, c)));
            let (fp, mut copy) = match opened {
                Ok((Some(fp), _)) if Some(fp) == live => continue,
                Ok((Some(fp), copy)) => (fp, copy),
                // No whole first line: nothing to read in it.
                Ok((None, _)) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    self.lost_copy(&b, out);
                    continue;
                }
                Err(e) => {
                    out.reporter.input_failed(&b.path.display().to_string(), &e);
                    continue;
                }
            };
            if !self.seen.insert(fp) {
                continue;
            }
            out.reporter.note(&format!(
                "{name}: reading {}, rotated while kaq was behind",
                b.path.display()
            ));
            let log = self.key.clone();
            if out
                .replay_copy(self.input, &log, &b.path, &mut copy, Some(fp), 0)?
                .is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// A copy listed a moment ago is gone before kaq could read it.
    fn lost_copy<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &self,
        b: &Backup,
        out: &mut Printer<'_, '_, W, P>,
    ) {
        let gz = b.path.extension().is_some_and(|e| e == "gz");
        let events = (!gz).then(|| out.events_in(b.len));
        out.reporter.lost(
            &b.path.display().to_string(),
            Some(b.len),
            events,
            "this rotated copy was deleted before kaq could read it",
        );
    }

    /// `copytruncate`: the file held is shorter than what was read, or its
    /// first line changed. The rest of what was read is in the copy (found
    /// by the old first line); read it from there, then the file again from
    /// its start.
    fn check_truncated<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<ControlFlow<()>> {
        let Some((file, _)) = &mut self.file else {
            return Ok(ControlFlow::Continue(()));
        };
        let len = file.metadata()?.len();
        let Some(fp) = self.fp else {
            self.last_len = len;
            return self.copies_first(out);
        };
        let shrunk = len < self.lines.end();
        if !shrunk && Fingerprint::of_held(file)? == Some(fp) {
            self.last_len = len;
            return Ok(ControlFlow::Continue(()));
        }
        let name = out.names[self.input].clone();
        let from = self.lines.at;
        let mut flow = ControlFlow::Continue(());
        match backups::find(&self.path, fp) {
            Some((b, mut copy)) => {
                out.reporter.note(&format!(
                    "{name}: truncated; reading the rest from its copy {}, then the file from its start",
                    b.path.display()
                ));
                let log = self.key.clone();
                flow = out.replay_copy(self.input, &log, &b.path, &mut copy, Some(fp), from)?;
            }
            None if self.last_len > from => {
                let bytes = self.last_len - from;
                let events = out.events_in(bytes);
                out.reporter.lost(
                    &format!("{name}: bytes {from}..{}", self.last_len),
                    Some(bytes),
                    Some(events),
                    "the file was truncated and no copy of it was found",
                );
            }
            None => out.reporter.warn(&format!(
                "{name}: truncated and no copy of it found: lines written after byte {from} before the truncation, if any, are lost"
            )),
        }
        self.restart_at_start(out)?;
        if flow.is_break() {
            return Ok(flow);
        }
        // Copies made after that one, if kaq was behind by several.
        self.catch_up(out)
    }

    /// For a file held before kaq read its first line: if the path still
    /// names it and copies appeared that kaq has not read (other than one
    /// still being made of it), it was copied and truncated
    /// (copytruncate) before kaq read anything of it. Those copies come
    /// first, oldest first; then the file from its start.
    fn copies_first<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<ControlFlow<()>> {
        let Some((file, id)) = &mut self.file else {
            return Ok(ControlFlow::Continue(()));
        };
        let live = Fingerprint::of_held(file)?;
        let copies = backups(&self.path);
        // Asked at every poll of an empty log: a copy is opened (and
        // decompressed) again only when it changed.
        self.known.retain(|b, _| copies.contains(b));
        let unseen = copies.into_iter().any(|b| {
            let fp = *self
                .known
                .entry(b)
                .or_insert_with_key(|b| Fingerprint::of_path(&b.path).ok().flatten());
            fp.is_some_and(|fp| !self.seen.contains(&fp) && Some(fp) != live)
        });
        // Whether the path still names this file, asked after the copies
        // were listed: a copy made after a rename of this file would show
        // the rename here (read to its end through the descriptor instead).
        let same = std::fs::metadata(&self.path).is_ok_and(|m| file_id(&m) == *id);
        if !unseen || !same {
            return Ok(ControlFlow::Continue(()));
        }
        out.reporter.note(&format!(
            "{}: truncated before kaq read its first line; reading its copies",
            out.names[self.input]
        ));
        self.restart_at_start(out)?;
        self.catch_up(out)
    }

    /// Reads the file held again from its start (it was truncated).
    fn restart_at_start<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        out: &mut Printer<'_, '_, W, P>,
    ) -> io::Result<()> {
        if let Some((file, _)) = &mut self.file {
            file.seek(SeekFrom::Start(0))?;
        }
        self.lines = Lines::default();
        self.fp = None;
        self.last_len = 0;
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
        let before = self.lines.buf.len();
        if self.lines.fill(file)? == 0 {
            return Ok(Poll::Idle);
        }
        if let Some(fp) = self.fp {
            if Fingerprint::of_held(file)? != Some(fp) {
                // Truncated (copytruncate) while being read: what was just
                // read may be new lines at the old offset. The copy holds
                // the old contents whole: undo the read, go through it.
                self.lines.buf.truncate(before);
                return Ok(self.check_truncated(out)?.into());
            }
        }
        if self.fp.is_none() && self.lines.at == 0 {
            // Before this file is known by its first line: copies made of
            // it while it was being read come first.
            let flow = self.copies_first(out)?;
            if flow.is_break() {
                return Ok(Poll::Done);
            }
            if self.lines.buf.is_empty() {
                return Ok(Poll::Busy);
            }
            // The first line, from the bytes read: what a copy of this file
            // will begin with.
            self.fp = Fingerprint::of(&self.lines.buf);
            self.seen.extend(self.fp);
        }
        let (at, batch) = self.lines.complete();
        Ok(out.feed(self.input, at, batch)?.into())
    }
}

/// Whether the file at `path` was last written after `time` (microseconds
/// since the epoch).
fn modified_after(path: &Path, time: i64) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .is_some_and(|d| d.as_micros() as i64 > time)
}

/// The newlines in the first `upto` bytes of `file` (its position moves).
fn count_lines(file: &mut File, upto: u64) -> io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut lines = 0;
    let mut block = vec![0u8; 1 << 20];
    let mut left = upto;
    while left > 0 {
        let want = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match file.read(&mut block[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(lines)
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
