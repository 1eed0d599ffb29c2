//! Finding events in a chunk and testing them: the work each parallel worker
//! does.
//!
//! A line holds one Event, an EventList (every item is an event) or a JSON
//! array of events. Blank lines and `\r` before `\n` are fine; a UTF-8 BOM may
//! start a file. A line that is not an event is reported with its line number
//! and skipped; the events around it are unaffected.

use memchr::memmem::Finder;

use crate::chunk::{Chunk, Mode};
use crate::event::envelope::{self, Format, Unwrapped};
use crate::event::{Event, KnownKeys, Shape};
use crate::filter::prefilter::{LineEnds, Prefilter};
use crate::filter::Matcher;
use crate::json::{
    index_line_nested, index_next_line, index_object, validate_value, KeyMemo, Kind, Member, Value,
};
use crate::work::{Found, Pos, Work};

/// What every worker tests each event with, whatever the work: the same for
/// a batch run, follow mode and both passes of `--dedup`.
#[derive(Clone, Copy)]
pub struct Sieve<'q> {
    pub matcher: &'q Matcher,
    /// `--format`: read only this envelope; `None` detects per record.
    pub format: Option<Format>,
    /// Lines that cannot match are skipped before parsing.
    pub prefilter: Option<&'q Prefilter>,
}

/// What the workers need to process a chunk: the sieve, and the work that
/// takes each matching event.
pub struct Query<'q, W> {
    pub sieve: Sieve<'q>,
    pub work: &'q W,
}

/// A problem with one line of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based, counted from the chunk's first line.
    pub line: u64,
    pub message: String,
    /// The line is valid JSON cut short (it ended inside a value): what a
    /// write still in progress looks like.
    pub cut_short: bool,
}

impl LineError {
    fn new(line: u64, message: impl Into<String>) -> LineError {
        LineError {
            line,
            message: message.into(),
            cut_short: false,
        }
    }
}

/// The result of scanning one chunk.
#[derive(Default)]
pub struct ChunkResult<P> {
    /// What the work made of the chunk's matching events.
    pub part: P,
    pub events: u64,
    pub matches: u64,
    /// Newlines in the chunk: where the next chunk's line numbers start.
    pub newlines: u64,
    pub errors: Vec<LineError>,
    /// A torn last line was skipped (the input is live or was cut short).
    pub torn_tail: bool,
    /// Bytes of the chunk scanned.
    pub bytes: u64,
}

impl<P> ChunkResult<P> {
    /// The same counts and errors with another part.
    fn with_part<Q>(self, part: Q) -> ChunkResult<Q> {
        ChunkResult {
            part,
            events: self.events,
            matches: self.matches,
            newlines: self.newlines,
            errors: self.errors,
            torn_tail: self.torn_tail,
            bytes: self.bytes,
        }
    }

    /// Roughly the bytes this result holds, with a fixed share for the
    /// struct itself, given the weight of its part: what bounds how far
    /// decoders may run ahead ([`crate::ahead`]).
    pub fn weight(&self, part: usize) -> usize {
        1024 + part
            + self
                .errors
                .iter()
                .map(|e| e.message.len() + 32)
                .sum::<usize>()
    }
}

/// The scan's own view of a result: the part is reached through `take`, so
/// that the scanning code below is compiled once, not once per kind of work.
type Scanning<'t> = ChunkResult<&'t mut dyn FnMut(&Event<'_>, Found) -> u64>;

/// Scans one chunk.
pub fn scan_chunk<W: Work>(chunk: &Chunk, q: &Query<'_, W>) -> ChunkResult<W::Part> {
    let mut part = W::Part::default();
    let mut take = |e: &Event<'_>, at: Found| q.work.take(e, at, &mut part);
    let mut res: Scanning<'_> = ChunkResult {
        part: &mut take,
        events: 0,
        matches: 0,
        newlines: 0,
        errors: Vec::new(),
        torn_tail: false,
        bytes: chunk.bytes.len() as u64,
    };
    scan(chunk, &q.sieve, q.work.reads_nested(), &mut res);
    let res = res.with_part(());
    res.with_part(part)
}

fn scan(chunk: &Chunk, q: &Sieve<'_>, nested: bool, res: &mut Scanning<'_>) {
    let mut data: &[u8] = &chunk.bytes;
    if chunk.first {
        data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    }
    let mut scratch = Scratch {
        members: Vec::new(),
        children: Vec::new(),
        items: Vec::new(),
        // The validating pass records the members of the objects rules
        // read most, for `kaq detect`.
        keys: KnownKeys::new(nested),
        nested,
        memo: KeyMemo::new(crate::event::key_class),
        ends: LineEnds::default(),
    };
    // Positions count from the chunk's first byte, BOM included.
    let skipped = (chunk.bytes.len() - data.len()) as u64;
    let at = At {
        input: chunk.input as u32,
        base: chunk.offset + skipped,
    };
    match chunk.mode {
        Mode::Lines => scan_lines(data, chunk, at, q, &mut scratch, res),
        Mode::Document => scan_document(data, at, q, &mut scratch, res),
    }
}

/// Where the scanned bytes start, to compute event positions.
#[derive(Clone, Copy)]
struct At {
    input: u32,
    base: u64,
}

impl At {
    fn pos(self, offset: usize, item: u32) -> Pos {
        (self.input, self.base + offset as u64, item)
    }
}

/// Reusable buffers, so that the hot path allocates nothing per event.
struct Scratch {
    members: Vec<Member>,
    /// For `kaq detect`: the members of the objects rules read most, found
    /// in the validating pass ([`index_line_nested`]).
    children: Vec<(u32, Member)>,
    items: Vec<Member>,
    /// The known keys' slots, found in the validating pass.
    keys: KnownKeys,
    /// Whether `children` is recorded ([`Work::reads_nested`]).
    nested: bool,
    /// The keys of the last line, to check the next line's against.
    memo: KeyMemo,
    /// Where the lines of a chunk end, from the prefilter's survey.
    ends: LineEnds,
}

fn scan_lines(
    data: &[u8],
    chunk: &Chunk,
    at: At,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    // One pass over the chunk decides whether lines may be skipped on their
    // literals alone, and finds where its lines end; otherwise each line is
    // checked in full.
    let clean = q.prefilter.is_some() && Prefilter::survey(data, &mut s.ends);
    // In a clean chunk, one search for the prefilter's anchor and the
    // survey find the lines worth a look; the others are not read again.
    let anchored = q
        .prefilter
        .filter(|_| clean)
        .and_then(|p| Some((p, p.anchor()?)));
    if let Some((p, anchor)) = anchored {
        let ends = std::mem::take(&mut s.ends);
        scan_clean(data, chunk, (p, anchor), &ends, at, q, s, res);
        s.ends = ends;
        return;
    }
    let mut start = 0;
    let mut line_no = 0u64;
    while start < data.len() {
        line_no += 1;
        // Without a prefilter every line is parsed: an event line is
        // validated where it starts and its newline found on the way
        // ([`index_next_line`]). Anything else is cut and checked below.
        if q.prefilter.is_none() && data[start] == b'{' {
            let rest = &data[start..];
            let indexed = index_next_line(
                rest,
                &mut s.members,
                &mut s.children,
                &mut s.keys,
                &mut s.memo,
            );
            if let Some((text, newline)) = indexed {
                if newline < rest.len() {
                    res.newlines += 1;
                }
                handle_object(text, true, line_no, at.pos(start, 0), q, s, res);
                start += newline + 1;
                continue;
            }
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        if end < data.len() {
            res.newlines += 1;
        }
        let may = |line: &[u8]| match q.prefilter {
            None => true,
            Some(p) if clean => p.may_match_clean(line),
            Some(p) => p.may_match(line),
        };
        cut_line(data, start..end, line_no, may, chunk, at, q, s, res);
        start = end + 1;
    }
}

/// The lines of a clean chunk worth a look, found without reading the
/// others again: the lines that hold the prefilter's anchor (one search of
/// the chunk finds them), and the lines the chunk's survey could not vouch
/// for: next to a newline it found `broken`, the first line when the chunk
/// does not start with `{`, and a last line without a newline. Each is
/// taken to its bounds and line number through the newlines the survey
/// found (`ends`). Every other line is a whole `{...}` line without the
/// anchor, which [`Prefilter::may_match_clean`] would reject.
#[allow(clippy::too_many_arguments)]
fn scan_clean(
    data: &[u8],
    chunk: &Chunk,
    (p, anchor): (&Prefilter, &Finder<'_>),
    ends: &LineEnds,
    at: At,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    res.newlines += ends.at.len() as u64;
    let torn = data.last().is_some_and(|&c| c != b'\n');
    let lines = ends.at.len() + usize::from(torn);
    // Line k ends at newline k (or the chunk's end) and starts after
    // newline k - 1.
    let bounds = |k: usize| {
        let start = if k == 0 { 0 } else { ends.at[k - 1] + 1 };
        start..ends.at.get(k).copied().unwrap_or(data.len())
    };
    // The line of the anchor's next occurrence from `from` on.
    let hit_line = |from: usize| {
        let i = anchor.find(&data[from..])?;
        Some(ends.at.partition_point(|&e| e < from + i))
    };
    let mut suspects = (data.first() != Some(&b'{'))
        .then_some(0)
        .into_iter()
        .chain(ends.broken.iter().flat_map(|&k| [k, k + 1]))
        .chain(torn.then_some(lines - 1))
        .filter(|&k| k < lines)
        .peekable();
    let mut hit = hit_line(0);
    // The lines before `next` are done.
    let mut next = 0;
    loop {
        while suspects.next_if(|&k| k < next).is_some() {}
        let k = match (hit, suspects.peek()) {
            (Some(h), Some(&k)) => h.min(k),
            (Some(k), None) | (None, Some(&k)) => k,
            (None, None) => break,
        };
        let holds = hit == Some(k);
        let line = bounds(k);
        let end = line.end;
        // A suspect line without the anchor is skipped only if it is a
        // whole line after all (`may_match_clean` would reject it too).
        let may = |line: &[u8]| {
            if holds {
                p.may_match_clean(line)
            } else {
                !Prefilter::looks_whole(line)
            }
        };
        cut_line(data, line, k as u64 + 1, may, chunk, at, q, s, res);
        next = k + 1;
        if holds {
            hit = hit_line((end + 1).min(data.len()));
        }
    }
}

/// Looks at one line cut from the chunk, `data[line]` without its newline:
/// a blank line is passed over, one `may` rules out is skipped, the rest is
/// scanned. A last line without a newline that is cut short is forgiven
/// where the chunk allows a torn tail.
#[allow(clippy::too_many_arguments)]
fn cut_line(
    data: &[u8],
    line: std::ops::Range<usize>,
    line_no: u64,
    may: impl FnOnce(&[u8]) -> bool,
    chunk: &Chunk,
    at: At,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    let has_newline = line.end < data.len();
    let pos = at.pos(line.start, 0);
    let mut line = &data[line];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    if line.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r')) || !may(line) {
        return;
    }
    let before = res.errors.len();
    scan_line(line, line_no, pos, q, s, res);
    let torn = !has_newline && chunk.last && chunk.tolerate_torn_tail;
    if torn && res.errors.len() == before + 1 && res.errors[before].cut_short {
        res.errors.truncate(before);
        res.torn_tail = true;
    }
}

fn scan_line(
    line: &[u8],
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    let mut line = line;
    // A crash can leave a run of NUL bytes where a write was in flight; the
    // next event written after the restart may follow them on the same line.
    let nuls = line.iter().take_while(|&&c| c == 0).count();
    if nuls > 0 {
        res.errors.push(LineError::new(
            line_no,
            format!("{nuls} NUL bytes (left by a crash?) skipped"),
        ));
        line = &line[nuls..];
        if line.iter().all(|c| c.is_ascii_whitespace() || *c == 0) {
            return;
        }
    }
    // Most lines start an object: for those one pass checks JSON and UTF-8
    // together (`index_line`). Others (arrays, cloud envelopes, garbage)
    // are checked as UTF-8 first.
    if line.iter().find(|c| !c.is_ascii_whitespace()) != Some(&b'{') {
        let Some(text) = utf8(line, line_no, res) else {
            return;
        };
        let first = text.trim_start().as_bytes().first().copied();
        if first == Some(b'[') {
            scan_array(text, line_no, pos, q, s, res);
            return;
        }
        if first != Some(b'{') {
            // Not JSON: maybe a cloud line envelope (OpenShift, CloudWatch
            // CSV, base64 + gzip). Only this error path pays for the check.
            match envelope::unwrap_line(text) {
                Some(Ok(Some((json, format)))) => {
                    let list = vec![Unwrapped {
                        event: json,
                        format,
                        record: None,
                    }];
                    scan_unwrapped(list, line_no, pos, q, res, 0);
                    return;
                }
                Some(Ok(None)) => return, // a CSV header line
                Some(Err(why)) => {
                    res.errors.push(LineError::new(line_no, why));
                    return;
                }
                None => {}
            }
        }
    }
    match index_line_nested(
        line,
        &mut s.members,
        &mut s.children,
        &mut s.keys,
        &mut s.memo,
    ) {
        Ok(text) => handle_object(text, true, line_no, pos, q, s, res),
        // Bad UTF-8 is named as such, wherever the JSON broke.
        Err(_) if utf8(line, line_no, res).is_none() => {}
        Err(e) if e.offset >= line.len() => res.errors.push(LineError {
            line: line_no,
            message: "invalid JSON: the line ends inside a value (cut short?)".into(),
            cut_short: true,
        }),
        Err(e) => res.errors.push(LineError::new(
            line_no,
            format!("invalid JSON: {} at column {}", e.msg, e.offset + 1),
        )),
    }
}

/// The line as text, or `None` after recording where its UTF-8 breaks.
fn utf8<'a>(line: &'a [u8], line_no: u64, res: &mut Scanning<'_>) -> Option<&'a str> {
    match std::str::from_utf8(line) {
        Ok(text) => Some(text),
        Err(e) => {
            res.errors.push(LineError::new(
                line_no,
                format!("invalid UTF-8 at column {}", e.valid_up_to() + 1),
            ));
            None
        }
    }
}

/// A JSON array of events (on one line or as a whole document).
fn scan_array(
    text: &str,
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    let trimmed = text.trim();
    match validate_value(trimmed.as_bytes(), 0) {
        Ok(end) if end == trimmed.len() => {}
        Ok(end) => {
            res.errors.push(LineError::new(
                line_no,
                format!(
                    "invalid JSON: unexpected data after the array at column {}",
                    end + 1
                ),
            ));
            return;
        }
        Err(e) => {
            res.errors.push(LineError::new(
                line_no,
                format!("invalid JSON: {} at column {}", e.msg, e.offset + 1),
            ));
            return;
        }
    }
    if let Some(found) = envelope::unwrap_value(Value::new_unchecked(trimmed)) {
        envelope_result(found, line_no, pos, q, res, 0);
        return;
    }
    let before = res.errors.len();
    let mut items = 0;
    for (i, item) in Value::new_unchecked(trimmed).elements().enumerate() {
        scan_item(item, line_no, (pos.0, pos.1, i as u32), q, s, res);
        items += 1;
    }
    collapse_item_errors(res, before, items, line_no);
}

/// One element of an array or EventList: must be an event object.
fn scan_item(
    item: Value<'_>,
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    if item.kind() != Kind::Object {
        res.errors.push(LineError::new(
            line_no,
            "not an audit event: a list item that is not an object",
        ));
        return;
    }
    let mut members = std::mem::take(&mut s.items);
    // Already validated as part of its list; indexing re-reads it once.
    match index_object(item.text(), &mut members) {
        Ok(()) => {
            let e = Event::new(item.text(), &members);
            match e.shape() {
                Shape::Event => test_event(&e, line_no, pos, q, res),
                Shape::EventList(_) => res
                    .errors
                    .push(LineError::new(line_no, "an EventList nested in a list")),
                Shape::NotEvent(why) => res.errors.push(LineError::new(line_no, why)),
            }
        }
        Err(e) => res
            .errors
            .push(LineError::new(line_no, format!("invalid JSON: {}", e.msg))),
    }
    s.items = members;
}

/// A validated top-level object whose members are in `s.members`, and, if
/// `keyed`, whose known keys are in `s.keys` and parents' members in
/// `s.children`.
fn handle_object(
    text: &str,
    keyed: bool,
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    s: &mut Scratch,
    res: &mut Scanning<'_>,
) {
    let members = std::mem::take(&mut s.members);
    let children = std::mem::take(&mut s.children);
    let mut e = if keyed {
        Event::with_keys(text, &members, &s.keys)
    } else {
        Event::new(text, &members)
    };
    if keyed && s.nested {
        e = e.with_children(&children);
    }
    match e.shape() {
        Shape::Event => test_event(&e, line_no, pos, q, res),
        Shape::EventList(items) => {
            let before = res.errors.len();
            let mut count = 0;
            for (i, item) in items.elements().enumerate() {
                scan_item(item, line_no, (pos.0, pos.1, i as u32), q, s, res);
                count += 1;
            }
            collapse_item_errors(res, before, count, line_no);
        }
        Shape::NotEvent(why) => match envelope::unwrap_value(Value::new_unchecked(text.trim())) {
            Some(found) => envelope_result(found, line_no, pos, q, res, 0),
            None => res.errors.push(LineError::new(line_no, why)),
        },
    }
    s.members = members;
    s.children = children;
}

/// How deep envelopes may nest (a base64 payload holding log events holding
/// events is two).
const MAX_ENVELOPE_DEPTH: usize = 4;

fn envelope_result(
    found: envelope::Found<'_>,
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    res: &mut Scanning<'_>,
    depth: usize,
) {
    match found {
        Ok(list) => scan_unwrapped(list, line_no, pos, q, res, depth),
        Err(why) => res.errors.push(LineError::new(line_no, why)),
    }
}

/// Events unwrapped from cloud envelopes: each is owned JSON, indexed and
/// tested like any event; one that is itself an envelope is unwrapped again.
fn scan_unwrapped(
    list: Vec<Unwrapped<'_>>,
    line_no: u64,
    pos: Pos,
    q: &Sieve<'_>,
    res: &mut Scanning<'_>,
    depth: usize,
) {
    let before = res.errors.len();
    let count = list.len();
    let mut members = Vec::new();
    for (i, u) in list.into_iter().enumerate() {
        let pos = (pos.0, pos.1, pos.2.wrapping_add(i as u32));
        let text = u.event.trim();
        if let Err(e) = index_object(text, &mut members) {
            res.errors.push(LineError::new(
                line_no,
                format!("invalid JSON inside a {} record: {}", u.format.name(), e),
            ));
            continue;
        }
        let e = Event::wrapped(text, &members, u.record, u.format);
        match e.shape() {
            Shape::Event => test_event(&e, line_no, pos, q, res),
            _ if depth < MAX_ENVELOPE_DEPTH => {
                match envelope::unwrap_value(Value::new_unchecked(text)) {
                    Some(Ok(inner)) => {
                        // Inner events keep the outer record as what was read.
                        let inner = inner
                            .into_iter()
                            .map(|x| Unwrapped {
                                record: u.record.or(x.record),
                                ..x
                            })
                            .collect();
                        scan_unwrapped(inner, line_no, pos, q, res, depth + 1);
                    }
                    Some(Err(why)) => res.errors.push(LineError::new(line_no, why)),
                    None => res.errors.push(LineError::new(
                        line_no,
                        format!("not an audit event inside a {} record", u.format.name()),
                    )),
                }
            }
            _ => res
                .errors
                .push(LineError::new(line_no, "envelopes nested too deep")),
        }
    }
    collapse_item_errors(res, before, count, line_no);
}

/// Several bad items of one list are one bad line: keep the first reason and
/// say how many items it stands for.
fn collapse_item_errors(res: &mut Scanning<'_>, before: usize, items: usize, line_no: u64) {
    let bad = res.errors.len() - before;
    if bad > 1 {
        let first = res.errors[before].message.clone();
        res.errors.truncate(before);
        res.errors.push(LineError::new(
            line_no,
            format!("{bad} of {items} list items skipped, the first: {first}"),
        ));
    }
}

fn test_event(e: &Event<'_>, line_no: u64, pos: Pos, q: &Sieve<'_>, res: &mut Scanning<'_>) {
    if let Some(forced) = q.format {
        if e.format() != forced {
            // Reported per record, like any line that is not what was asked for.
            res.errors.push(LineError::new(
                line_no,
                format!(
                    "--format {}: this record's format is {}",
                    forced.name(),
                    e.format().name()
                ),
            ));
            return;
        }
    }
    res.events += 1;
    if !q.matcher.matches(e) {
        return;
    }
    res.matches += (res.part)(e, Found { line: line_no, pos });
}

/// A document: JSON values one after another, spread over lines. After a
/// syntax error, scanning resumes at the next line that starts with `{`.
fn scan_document(data: &[u8], at: At, q: &Sieve<'_>, s: &mut Scratch, res: &mut Scanning<'_>) {
    // Invalid UTF-8 is reported, then replaced so that the rest of the
    // document still yields its events.
    let lossy;
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + memchr::memchr_iter(b'\n', &data[..e.valid_up_to()]).count() as u64;
            res.errors
                .push(LineError::new(line, "invalid UTF-8 (replaced with U+FFFD)"));
            lossy = String::from_utf8_lossy(data);
            &lossy[..]
        }
    };
    let b = text.as_bytes();
    let mut line = 1u64;
    let mut counted_to = 0usize;
    let mut line_at = |pos: usize| {
        line += memchr::memchr_iter(b'\n', &b[counted_to..pos]).count() as u64;
        counted_to = pos;
        line
    };
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let line_no = line_at(i);
        match validate_value(b, i) {
            Ok(end) => {
                let value = &text[i..end];
                match b[i] {
                    b'{' => {
                        if index_object(value, &mut s.members).is_ok() {
                            handle_object(value, false, line_no, at.pos(i, 0), q, s, res);
                        }
                    }
                    b'[' => scan_array(value, line_no, at.pos(i, 0), q, s, res),
                    _ => res.errors.push(LineError::new(
                        line_no,
                        "not an audit event: a JSON value that is not an object",
                    )),
                }
                i = end;
            }
            Err(e) => {
                let err_line = line_at(e.offset.min(b.len()).max(i));
                res.errors
                    .push(LineError::new(err_line, format!("invalid JSON: {}", e.msg)));
                // Resume at the next line that opens an object.
                let from = e.offset.max(i + 1).min(b.len());
                i = match memchr::memmem::find(&b[from..], b"\n{") {
                    Some(k) => from + k + 1,
                    None => b.len(),
                };
            }
        }
    }
    res.newlines = memchr::memchr_iter(b'\n', b).count() as u64;
}
