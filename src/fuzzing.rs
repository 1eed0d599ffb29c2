//! Entry points for the fuzz targets in `fuzz/` and for the bounded
//! property pass that runs with the test suite. Each checks invariants and
//! panics when one breaks; none may panic on any input otherwise.

use crate::chunk::{sniff_mode, Bytes, Chunk, Mode};
use crate::filter::{field_path, parse_filter, Matcher};
use crate::json::{index_line, index_object, validate_value};
use crate::output::{Format, OutputSpec, Renderer};
use crate::scan::{scan_chunk, Query, Sieve};

/// `data` is a filter, a 0xFF byte, then an event. Parses, checks, compiles
/// and evaluates the filter on the event; renders any error under its text.
pub fn filter_against_event(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let src = String::from_utf8_lossy(&data[..split]);
    let event = data.get(split + 1..).unwrap_or_default();
    let _ = field_path(&src);
    let _ = crate::output::parse_columns(&src);
    match parse_filter(&src).and_then(|e| Matcher::compile(&e)) {
        Ok(m) => {
            if let Ok(text) = std::str::from_utf8(event) {
                let mut members = Vec::new();
                if index_object(text, &mut members).is_ok() {
                    let _ = m.matches(&crate::event::Event::new(text, &members));
                }
            }
        }
        Err(e) => {
            let _ = e.render(&src);
        }
    }
}

fn spec() -> OutputSpec {
    OutputSpec {
        format: Format::Ndjson,
        columns: Vec::new(),
        count_only: false,
        sanitize: false,
        width: None,
        color: false,
        view: None,
        top: None,
    }
}

/// Scans `data` as one input; checks that line counting covers every byte,
/// that cutting it at a newline (as the reader does) changes nothing, that
/// every printed event is JSON serde_json accepts, and that kaq's validator
/// agrees with serde_json on every line.
pub fn scan_bytes(data: &[u8]) {
    let matcher = Matcher::compile(&crate::filter::Expr::Const(true)).expect("true compiles");
    let spec = spec();
    let renderer = Renderer::new(&spec);
    let q = Query {
        sieve: Sieve {
            matcher: &matcher,
            format: None,
            prefilter: None,
        },
        work: &renderer,
    };
    let mode = sniff_mode(data);
    let chunk = |bytes: &[u8], offset: u64, first: bool, last: bool| Chunk {
        input: 0,
        offset,
        bytes: Bytes::Owned(bytes.to_vec()),
        mode,
        first,
        last,
        tolerate_torn_tail: false,
    };
    let whole = scan_chunk(&chunk(data, 0, true, true), &q);
    let newlines = memchr::memchr_iter(b'\n', data).count() as u64;
    assert_eq!(whole.newlines, newlines, "every line is counted");
    assert_eq!(whole.matches, whole.events);
    // Every printed event is valid JSON (shallow enough for serde_json).
    for record in whole
        .part
        .bytes
        .split(|&c| c == b'\n')
        .filter(|r| !r.is_empty())
    {
        let depth = record.iter().filter(|&&c| c == b'[' || c == b'{').count();
        if depth < 100 {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(record) {
                assert!(
                    e.to_string().contains("out of range"),
                    "kaq printed invalid JSON: {e}"
                );
            }
        }
    }
    if mode == Mode::Lines {
        // Cut after the first newline in the middle, as the reader would.
        if let Some(cut) =
            memchr::memchr(b'\n', &data[data.len() / 2..]).map(|i| data.len() / 2 + i + 1)
        {
            let a = scan_chunk(&chunk(&data[..cut], 0, true, cut == data.len()), &q);
            let b = scan_chunk(&chunk(&data[cut..], cut as u64, false, true), &q);
            assert_eq!(
                a.events + b.events,
                whole.events,
                "cutting changed the events"
            );
            assert_eq!(a.errors.len() + b.errors.len(), whole.errors.len());
            let mut joined = a.part.bytes.clone();
            joined.extend_from_slice(&b.part.bytes);
            assert_eq!(joined, whole.part.bytes, "cutting changed the output");
        }
        // The validator agrees with serde_json, line by line; the fused
        // UTF-8 check accepts only UTF-8, and every object the separate
        // checks accept.
        let mut members = Vec::new();
        for line in data.split(|&c| c == b'\n') {
            let fused = index_line(line, &mut members).is_ok();
            let Ok(text) = std::str::from_utf8(line) else {
                assert!(!fused, "index_line accepts bad UTF-8: {line:?}");
                continue;
            };
            assert_eq!(fused, index_object(text, &mut members).is_ok(), "{text:?}");
            let ours = validate_value(text.as_bytes(), 0)
                .is_ok_and(|end| text[end..].trim_matches([' ', '\t', '\r', '\n']).is_empty());
            let depth = line.iter().filter(|&&c| c == b'[' || c == b'{').count();
            if depth >= 100 || text.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(_) => assert!(ours, "kaq rejects JSON that serde_json accepts: {text:?}"),
                Err(e) if e.to_string().contains("out of range") => {}
                Err(e) => assert!(
                    !ours,
                    "kaq accepts JSON that serde_json rejects ({e}): {text:?}"
                ),
            }
        }
    }
}
