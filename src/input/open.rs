//! Opening an input: the one place that decides between a memory map, plain
//! reads and gzip decoding.
//!
//! Compression is detected from the bytes (gzip starts with `1f 8b`), never
//! from the file name, and every member of a multi-member gzip is decoded.
//!
//! # Why kaq maps only quiet files
//! A memory-mapped file that is truncated while mapped raises SIGBUS, which
//! kills the process. The API server only appends and renames, but
//! `copytruncate` in logrotate or `> audit.log` by hand do truncate. So kaq
//! maps a file only when nothing has written to it for [`QUIET`] (rotated
//! backups, copied captures); a file written to recently — the live
//! `audit.log` — is read with plain reads, and only up to the length it had
//! when it was opened, so a run sees exactly the events present at its start.
//! `--no-mmap` turns mapping off entirely.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use flate2::bufread::MultiGzDecoder;
use memmap2::Mmap;

use super::Input;

/// How long a file must have been left alone before kaq maps it.
pub const QUIET: Duration = Duration::from_secs(60);

/// How to read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Memory-map quiet regular files (`--no-mmap` clears this).
    pub mmap: bool,
}

/// An opened input.
pub enum Opened {
    /// The whole file, mapped.
    Mapped(Arc<Mmap>),
    /// A byte stream: plain reads, gzip decoding, or stdin.
    Stream {
        reader: Box<dyn Read + Send>,
        /// True when the file was written to within [`QUIET`]: a last line
        /// without a newline may be an event still being written.
        live: bool,
        /// How the stream reads: for `-v`.
        how: &'static str,
        /// A plain regular file's length at open: reading fewer bytes means
        /// it was truncated during the run.
        expect_len: Option<u64>,
    },
}

impl Opened {
    /// How the input is read, in words.
    pub fn how(&self) -> &'static str {
        match self {
            Opened::Mapped(_) => "memory-mapped",
            Opened::Stream { how, .. } => how,
        }
    }
}

const READ_BUFFER: usize = 256 * 1024;

fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Counts the bytes read from disk, for the progress bar. For gzip it wraps
/// the compressed file, so progress is in on-disk bytes like the total.
pub struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A stream whose kind (gzip or plain) is decided by peeking at its first
/// bytes: stdin, pipes (`<(zcat ...)`), character devices, `/proc` files.
fn sniffed_stream<R: Read + Send + 'static>(inner: R, what: &'static str) -> io::Result<Opened> {
    let mut reader = BufReader::with_capacity(READ_BUFFER, inner);
    let gzip = is_gzip(reader.fill_buf()?);
    let (reader, how): (Box<dyn Read + Send>, _) = if gzip {
        (Box::new(MultiGzDecoder::new(reader)), "gzip stream")
    } else {
        (Box::new(reader), what)
    };
    Ok(Opened::Stream {
        reader,
        live: false,
        how,
        expect_len: None,
    })
}

/// Opens an input for reading. Bytes read from disk are added to
/// `progress` (mapped files count as their chunks are sent).
pub fn open(input: &Input, opts: ReadOptions, progress: &Arc<AtomicU64>) -> io::Result<Opened> {
    match input {
        Input::Stdin => sniffed_stream(io::stdin(), "stream"),
        Input::File(path) => {
            let file = File::open(path)?;
            let counted = |file: File| Counting {
                inner: file,
                counter: progress.clone(),
            };
            let meta = file.metadata()?;
            if meta.is_dir() {
                return Err(io::Error::other("is a directory"));
            }
            let len = meta.len();
            // Pipes and devices have no length, /proc files claim 0: read
            // them to their end like stdin.
            if !meta.is_file() || len == 0 {
                return sniffed_stream(counted(file), "stream");
            }
            let live = meta
                .modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_none_or(|age| age < QUIET);
            let mut head = [0u8; 2];
            let n = read_head(&file, &mut head)?;
            if is_gzip(&head[..n]) {
                let reader = BufReader::with_capacity(READ_BUFFER, counted(file).take(len));
                return Ok(Opened::Stream {
                    reader: Box::new(MultiGzDecoder::new(reader)),
                    live,
                    how: "gzip, decoded as a stream",
                    expect_len: None,
                });
            }
            if opts.mmap && !live {
                if let Some(map) = map_quiet_file(&file) {
                    return Ok(Opened::Mapped(Arc::new(map)));
                }
            }
            Ok(Opened::Stream {
                reader: Box::new(counted(file).take(len)),
                live,
                how: if live {
                    "read (written to recently: up to its length at open)"
                } else {
                    "read"
                },
                expect_len: Some(len),
            })
        }
    }
}

/// Reads up to `buf.len()` bytes from the start without moving the cursor.
fn read_head(file: &File, buf: &mut [u8]) -> io::Result<usize> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let mut n = 0;
        while n < buf.len() {
            match file.read_at(&mut buf[n..], n as u64)? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom};
        let mut f = file;
        let n = f.read(buf)?;
        f.seek(SeekFrom::Start(0))?;
        Ok(n)
    }
}

/// Maps a file that [`open`] judged quiet; `None` if mapping fails (kaq then
/// reads it instead).
fn map_quiet_file(file: &File) -> Option<Mmap> {
    // SAFETY: the map is only read, and only files untouched for `QUIET` get
    // here, so nothing is expected to modify it. The remaining risk is that
    // someone truncates the file during the run; reading past the new end
    // then raises SIGBUS and ends kaq (the same trade ripgrep makes).
    // `--no-mmap` avoids it entirely.
    install_sigbus_handler();
    let map = unsafe { Mmap::map(file) }.ok()?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// Turns the SIGBUS of a mapped file truncated during the run into an error
/// message and exit status 2, instead of a crash.
fn install_sigbus_handler() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            extern "C" fn on_sigbus(_: libc::c_int) {
                const MSG: &[u8] = b"kaq: error: a memory-mapped input was truncated while being read\nhint: run again with --no-mmap, which reads files instead of mapping them\n";
                // SAFETY: write(2) and _exit(2) are async-signal-safe; MSG is
                // a static buffer. Nothing else runs in the handler.
                unsafe {
                    libc::write(2, MSG.as_ptr().cast(), MSG.len());
                    libc::_exit(2);
                }
            }
            // SAFETY: installs a handler that only calls async-signal-safe
            // functions (above); the previous disposition (terminate) is
            // what it replaces, so no other code relies on it.
            unsafe {
                libc::signal(libc::SIGBUS, on_sigbus as *const () as libc::sighandler_t);
            }
        });
    }
}

/// Opens every input, in order.
///
/// Every input is opened before the first is read: a file the API server
/// renames (rotation) or deletes (old backups) during the run is still read
/// through the handle kaq already holds, so no event present at the start is
/// lost.
pub fn open_all(
    inputs: &[Input],
    opts: ReadOptions,
    progress: &Arc<AtomicU64>,
) -> Vec<io::Result<Opened>> {
    inputs
        .iter()
        .map(|input| open(input, opts, progress))
        .collect()
}
