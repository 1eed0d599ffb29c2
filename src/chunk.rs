//! Cutting input bytes into line-aligned chunks that workers process in
//! parallel.
//!
//! An opened input becomes [`Item`]s: chunks that end at a newline (except
//! a file's last one), and its error at the point in the stream where it
//! happened. Mapped files are cut in place ([`send_mapped`]); streams (plain
//! reads, gzip, stdin) are read into owned buffers ([`send_stream`]), so
//! memory stays bounded whatever the input size. The schedulers in
//! [`crate::engine`] decide which thread does this for which input.
//!
//! A file that is not one JSON value per line (pretty-printed JSON, saved by
//! hand or by kubectl) is sent whole, as one [`Mode::Document`] chunk.

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::ops::{Deref, Range};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use memmap2::Mmap;

use crate::input::read::fill;
use crate::json::validate_value;

/// Target chunk size. Big enough to amortise scheduling, small enough that a
/// handful per thread keep every core busy and memory low.
pub const CHUNK_SIZE: usize = 1 << 20;

/// How a chunk's bytes hold events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One JSON value per line.
    Lines,
    /// A sequence of JSON values spread over lines (pretty-printed).
    Document,
}

/// Chunk bytes: a range of a mapped file, or an owned buffer.
pub enum Bytes {
    Mapped(Arc<Mmap>, Range<usize>),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map, r) => &map[r.clone()],
            Bytes::Owned(v) => v,
        }
    }
}

/// A line-aligned piece of one input.
pub struct Chunk {
    /// Index of the input in the run's input list.
    pub input: usize,
    /// Where the chunk starts in the input's (decompressed) bytes: with the
    /// offset of a line inside the chunk, a position that does not depend on
    /// how the input was cut.
    pub offset: u64,
    pub bytes: Bytes,
    pub mode: Mode,
    /// The chunk starts the input (a UTF-8 BOM may lead it).
    pub first: bool,
    /// The chunk ends the input (its last line may lack a newline).
    pub last: bool,
    /// A last line that does not parse is an event still being written (the
    /// input is live) or cut by an error already reported: skip it quietly.
    pub tolerate_torn_tail: bool,
}

/// What the producer sends, in input order.
pub enum Item {
    Chunk(Chunk),
    /// An input was opened; `how` says how it is read (shown under `-v`).
    Opened {
        input: usize,
        how: &'static str,
    },
    /// An input could not be opened or read to its end. Chunks of the same
    /// input sent before this hold what was read.
    Error {
        input: usize,
        error: io::Error,
    },
}

/// Receives the producer's items in input order; `Break` means the receiver
/// is gone and the producer should stop.
pub type Emit<'a> = dyn FnMut(Item) -> ControlFlow<()> + 'a;

/// `Err(None)`: the receiver hung up. `Err(Some(e))`: the input failed.
pub type SendResult = Result<(), Option<io::Error>>;

fn send(emit: &mut Emit<'_>, chunk: Chunk) -> SendResult {
    match emit(Item::Chunk(chunk)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(None),
    }
}

pub fn send_mapped(
    input: usize,
    map: Arc<Mmap>,
    progress: &AtomicU64,
    emit: &mut Emit<'_>,
) -> SendResult {
    let len = map.len();
    if sniff_mode(&map) == Mode::Document {
        progress.fetch_add(len as u64, Ordering::Relaxed);
        return send(
            emit,
            Chunk {
                input,
                offset: 0,
                bytes: Bytes::Mapped(map, 0..len),
                mode: Mode::Document,
                first: true,
                last: true,
                tolerate_torn_tail: false,
            },
        );
    }
    // `open` never maps an empty file, so there is at least one chunk.
    let mut start = 0;
    while start < len {
        let end = if len - start <= CHUNK_SIZE {
            len
        } else {
            match memchr::memchr(b'\n', &map[start + CHUNK_SIZE..]) {
                Some(i) => start + CHUNK_SIZE + i + 1,
                None => len,
            }
        };
        send(
            emit,
            Chunk {
                input,
                offset: start as u64,
                bytes: Bytes::Mapped(map.clone(), start..end),
                mode: Mode::Lines,
                first: start == 0,
                last: end == len,
                tolerate_torn_tail: false,
            },
        )?;
        progress.fetch_add((end - start) as u64, Ordering::Relaxed);
        start = end;
    }
    Ok(())
}

/// Read buffers that scanned chunks gave back, for [`send_stream`] to read
/// into again. A fresh megabyte must be zeroed before `Read::read` may
/// write to it, and that zeroing was a tenth of a gzip query's time, on the
/// one thread that decodes; a buffer given back is already initialized.
static BUFFERS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// How many buffers [`BUFFERS`] keeps; more are freed. Bounds the memory
/// held while nothing reads.
const KEPT_BUFFERS: usize = 8;

/// A read buffer: one given back if any (its bytes are stale but
/// initialized; `fill` reads over them), else an empty one.
fn buffer() -> Vec<u8> {
    let given = BUFFERS.lock().ok().and_then(|mut b| b.pop());
    given.unwrap_or_else(|| Vec::with_capacity(CHUNK_SIZE + 64 * 1024))
}

/// An owned chunk's buffer goes back to [`BUFFERS`] when the chunk is done,
/// if it is a read buffer's size and there is room.
impl Drop for Bytes {
    fn drop(&mut self) {
        if let Bytes::Owned(v) = self {
            if (CHUNK_SIZE..4 * CHUNK_SIZE).contains(&v.capacity()) {
                if let Ok(mut kept) = BUFFERS.lock() {
                    if kept.len() < KEPT_BUFFERS {
                        kept.push(std::mem::take(v));
                    }
                }
            }
        }
    }
}

pub fn send_stream(
    input: usize,
    mut reader: Box<dyn Read + Send>,
    live: bool,
    expect_len: Option<u64>,
    emit: &mut Emit<'_>,
) -> SendResult {
    // `buf[..filled]` is what was read and not yet sent.
    let mut buf = buffer();
    let mut filled = 0;
    let mut first = true;
    let mut offset = 0u64;
    loop {
        let (mut eof, mut error) = match fill(&mut *reader, &mut buf, &mut filled, CHUNK_SIZE) {
            Ok(eof) => (eof, None),
            Err(e) => (true, Some(e)),
        };
        let shrunk = |got: u64| {
            io::Error::other(format!(
                "the file shrank while being read (truncated?): {got} of {} bytes read",
                expect_len.unwrap_or_default()
            ))
        };
        // A chunk must hold at least one whole line: keep reading a long line.
        while !eof && memchr::memchr(b'\n', &buf[..filled]).is_none() {
            let want = filled * 2;
            match fill(&mut *reader, &mut buf, &mut filled, want) {
                Ok(e) => eof = e,
                Err(e) => {
                    eof = true;
                    error = Some(e);
                }
            }
        }
        buf.truncate(filled);
        if first && !eof && sniff_mode(&buf) == Mode::Document {
            // Pretty-printed JSON: read it whole.
            if let Err(e) = reader.read_to_end(&mut buf) {
                error = Some(e);
            }
            eof = true;
        }
        let mode = if first { sniff_mode(&buf) } else { Mode::Lines };
        let (bytes, rest) = if eof || mode == Mode::Document {
            (std::mem::take(&mut buf), Vec::new())
        } else {
            let cut = memchr::memrchr(b'\n', &buf).map_or(buf.len(), |i| i + 1);
            let mut rest = buffer();
            let tail = buf.len() - cut;
            if rest.len() < tail {
                rest.resize(tail, 0);
            }
            rest[..tail].copy_from_slice(&buf[cut..]);
            filled = tail;
            buf.truncate(cut);
            (std::mem::take(&mut buf), rest)
        };
        if eof && error.is_none() && expect_len.is_some_and(|n| offset + (bytes.len() as u64) < n) {
            error = Some(shrunk(offset + bytes.len() as u64));
        }
        if !bytes.is_empty() || first {
            let len = bytes.len() as u64;
            send(
                emit,
                Chunk {
                    input,
                    offset,
                    bytes: Bytes::Owned(bytes),
                    mode,
                    first,
                    last: eof,
                    tolerate_torn_tail: live || error.is_some(),
                },
            )?;
            offset += len;
        }
        if let Some(e) = error {
            return Err(Some(e));
        }
        if eof {
            return Ok(());
        }
        buf = rest;
        first = false;
    }
}

/// Decides whether an input holds one JSON value per line or pretty-printed
/// JSON, from its first lines.
///
/// Document mode when the input starts with a line that is just `{` or `[`,
/// or when neither of its first two non-blank lines is a complete JSON value;
/// otherwise lines mode (so a malformed first line does not switch a
/// JSON-lines file to document mode).
pub fn sniff_mode(data: &[u8]) -> Mode {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let start = data
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(data.len());
    if !matches!(data.get(start), Some(b'{' | b'[')) {
        return Mode::Lines;
    }
    let complete_line = |line: &[u8]| {
        validate_value(line, 0).is_ok_and(|end| line[end..].iter().all(u8::is_ascii_whitespace))
    };
    let mut lines = data[start..]
        .split(|&c| c == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let first = lines.next().unwrap_or_default();
    if matches!(first.trim_ascii(), b"{" | b"[") {
        return Mode::Document;
    }
    if complete_line(first) || lines.next().is_some_and(complete_line) {
        Mode::Lines
    } else {
        Mode::Document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_modes() {
        assert_eq!(sniff_mode(b"{\"a\":1}\n{\"a\":2}\n"), Mode::Lines);
        assert_eq!(
            sniff_mode(b"\xef\xbb\xbf{\n  \"a\": 1\n}\n"),
            Mode::Document
        );
        assert_eq!(sniff_mode(b"[\n {\"a\":1}\n]"), Mode::Document);
        assert_eq!(sniff_mode(b"{\"a\":\n{\"a\":2}\n"), Mode::Lines);
        assert_eq!(sniff_mode(b"garbage\n"), Mode::Lines);
        assert_eq!(sniff_mode(b""), Mode::Lines);
    }

    fn chunks_of(data: Vec<u8>) -> Vec<(Vec<u8>, bool, bool)> {
        let mut items = Vec::new();
        send_stream(
            0,
            Box::new(std::io::Cursor::new(data)),
            false,
            None,
            &mut |item| {
                items.push(item);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        items
            .into_iter()
            .map(|item| match item {
                Item::Chunk(c) => (c.bytes.to_vec(), c.first, c.last),
                _ => panic!(),
            })
            .collect()
    }

    #[test]
    fn stream_chunks_end_at_newlines_and_lose_nothing() {
        let line = b"{\"verb\":\"get\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n";
        let mut data = Vec::new();
        while data.len() < 3 * CHUNK_SIZE {
            data.extend_from_slice(line);
        }
        data.extend_from_slice(b"{\"tail\":1}");
        let chunks = chunks_of(data.clone());
        assert!(chunks.len() >= 3);
        assert!(chunks[0].1 && chunks.last().unwrap().2);
        for (bytes, _, last) in &chunks {
            if !last {
                assert_eq!(bytes.last(), Some(&b'\n'));
            }
        }
        let joined: Vec<u8> = chunks.into_iter().flat_map(|c| c.0).collect();
        assert_eq!(joined, data);
    }

    /// A reader that hands out its bytes a few thousand at a time, in
    /// varying amounts, as a decoder or a pipe does.
    struct Dribble {
        data: std::io::Cursor<Vec<u8>>,
        n: usize,
    }

    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.n = (self.n * 7 + 4099) % 9973;
            let k = buf.len().min(self.n + 1);
            self.data.read(&mut buf[..k])
        }
    }

    /// Buffers given back by chunks already scanned are read into again
    /// with their old bytes in them: no stale byte reaches a later chunk,
    /// whatever the lengths of the reads and of the lines (one longer than
    /// a chunk among them).
    #[test]
    fn recycled_buffers_carry_no_stale_bytes() {
        let mut data = Vec::new();
        let mut n = 0u32;
        while data.len() < 6 * CHUNK_SIZE {
            n += 1;
            let pad = match n {
                2000 => 2 * CHUNK_SIZE,
                _ => (n as usize * 37) % 700,
            };
            let c = b'a' + (n % 26) as u8;
            data.extend_from_slice(format!("{{\"n\":{n},\"pad\":\"").as_bytes());
            data.extend(std::iter::repeat_n(c, pad));
            data.extend_from_slice(b"\"}\n");
        }
        data.extend_from_slice(b"{\"tail\":1}");
        // Run twice, so the second run starts from buffers the first gave back.
        for _ in 0..2 {
            let reader = Dribble {
                data: std::io::Cursor::new(data.clone()),
                n: 0,
            };
            let mut joined = Vec::new();
            send_stream(0, Box::new(reader), false, None, &mut |item| {
                if let Item::Chunk(c) = item {
                    assert!(c.last || c.bytes.last() == Some(&b'\n'));
                    joined.extend_from_slice(&c.bytes);
                    // `c` is dropped here, and its buffer given back.
                }
                ControlFlow::Continue(())
            })
            .unwrap();
            assert!(
                joined == data,
                "{} bytes out, {} in",
                joined.len(),
                data.len()
            );
        }
    }

    #[test]
    fn a_line_longer_than_a_chunk_stays_whole() {
        let mut data = b"{\"a\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 * CHUNK_SIZE));
        data.extend_from_slice(b"\"}\n{\"b\":1}\n");
        let chunks = chunks_of(data.clone());
        assert!(chunks[0].0.contains(&b'\n'));
        let joined: Vec<u8> = chunks.into_iter().flat_map(|c| c.0).collect();
        assert_eq!(joined, data);
    }

    #[test]
    fn a_file_that_shrank_is_an_error_after_its_data() {
        let mut items = Vec::new();
        let data = b"{\"a\":1}\n{\"b\":2}\n".to_vec();
        let err = send_stream(
            0,
            Box::new(std::io::Cursor::new(data)),
            false,
            Some(100),
            &mut |item| {
                items.push(item);
                ControlFlow::Continue(())
            },
        )
        .unwrap_err()
        .unwrap();
        assert!(err.to_string().contains("shrank while being read"), "{err}");
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn empty_stream_sends_one_empty_chunk() {
        let chunks = chunks_of(Vec::new());
        assert_eq!(chunks, vec![(Vec::new(), true, true)]);
    }
}
