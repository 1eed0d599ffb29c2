//! Printing events. Workers render matched events into chunk-local
//! [`Rendered`] buffers in parallel ([`Renderer`], a [`Work`]); the one
//! printer on the main thread ([`sink`], a [`Print`]) writes them to stdout
//! in input order. Views are printed by [`ReportSink`]; nothing else of this
//! module knows about the other kinds of work.

pub mod columns;
mod report;
mod rows;
pub(crate) mod table;

use std::io::{self, Write};

use crate::agg::View;
use crate::event::Event;
use crate::json::minify_into;
use crate::work::{Found, Origin, Print, RunInfo, Work};
pub use columns::{default_columns, parse_columns, Column};
pub use report::{human_bytes, ReportSink};
pub(crate) use rows::Delimited;

/// Output formats (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (default).
    Table,
    /// The table with stage, level, user agent, latency and audit ID.
    Wide,
    /// One JSON array of the events.
    Json,
    /// One event per line, exactly as read.
    Ndjson,
    /// Comma-separated values of the columns, with a header.
    Csv,
    /// One column's raw values, one per line (`-r`).
    #[value(skip)]
    Raw,
    /// Tab-separated values of the columns, with a header.
    Tsv,
}

/// What to print, fixed before the run starts.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    pub format: Format,
    pub columns: Vec<Column>,
    /// `--count`: only the number of matches.
    pub count_only: bool,
    /// Escape control characters in CSV/TSV cells (stdout is a terminal).
    /// Table cells are always escaped.
    pub sanitize: bool,
    /// Fit tables to this width (stdout is a terminal).
    pub width: Option<u16>,
    /// Colour tables (`--color`, `NO_COLOR`).
    pub color: bool,
    /// An aggregate view instead of one line per event.
    pub view: Option<View>,
    /// `--top N`: rows (or timeline series) of a view to show.
    pub top: Option<usize>,
}

/// Matched events of one chunk, rendered.
#[derive(Default)]
pub struct Rendered {
    /// Bytes of all records (byte formats).
    pub bytes: Vec<u8>,
    /// End offset in `bytes` of each record.
    pub ends: Vec<usize>,
    /// Table rows (table formats).
    pub rows: Vec<Vec<String>>,
}

impl Rendered {
    /// Records held (views hold none: their partial is merged whole).
    pub fn len(&self) -> usize {
        self.ends.len().max(self.rows.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Roughly the heap bytes held: records and rows.
    pub fn weight(&self) -> usize {
        let rows: usize = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| c.len() + 24).sum::<usize>())
            .sum();
        self.bytes.len() + self.ends.len() * 8 + rows
    }
}

/// The worker-side half of a format: turns one matched event into output.
#[derive(Clone, Copy)]
pub struct Renderer<'s> {
    spec: &'s OutputSpec,
}

impl<'s> Renderer<'s> {
    pub fn new(spec: &'s OutputSpec) -> Self {
        Renderer { spec }
    }

    /// Appends one matched event.
    pub fn render(&self, e: &Event<'_>, out: &mut Rendered) {
        if self.spec.count_only {
            out.ends.push(0);
            return;
        }
        match self.spec.format {
            Format::Table | Format::Wide => {
                let row = self
                    .spec
                    .columns
                    .iter()
                    .map(|c| columns::sanitize(columns::table_cell(c, e)))
                    .collect();
                out.rows.push(row);
                return;
            }
            Format::Json | Format::Ndjson => {
                // The event's own bytes; pretty-printed input is compacted so
                // that one event stays one line.
                let raw = e.record();
                if raw.contains('\n') {
                    minify_into(raw, &mut out.bytes);
                } else {
                    out.bytes.extend_from_slice(raw.as_bytes());
                }
                out.bytes.push(b'\n');
            }
            Format::Csv | Format::Tsv => {
                let cells = self.cells(e);
                if let Some(d) = Delimited::of(self.spec.format) {
                    d.row(&cells, &mut out.bytes);
                }
            }
            Format::Raw => {
                for cell in self.cells(e) {
                    out.bytes.extend_from_slice(cell.as_bytes());
                    out.bytes.push(b'\n');
                }
            }
        }
        out.ends.push(out.bytes.len());
    }

    fn cells(&self, e: &Event<'_>) -> Vec<String> {
        self.spec
            .columns
            .iter()
            .map(|c| {
                let text = columns::cell(c, e);
                if self.spec.sanitize {
                    columns::sanitize(text)
                } else {
                    text
                }
            })
            .collect()
    }
}

impl Work for Renderer<'_> {
    type Part = Rendered;

    fn take(&self, e: &Event<'_>, _: Found, part: &mut Rendered) -> u64 {
        self.render(e, part);
        1
    }

    fn weight(part: &Rendered) -> usize {
        part.weight()
    }
}

/// The printer of rendered events, writing to `out`: a table, JSON, NDJSON,
/// CSV, TSV, raw values or a count, as `spec` says.
pub fn sink<'w>(
    spec: &OutputSpec,
    out: Box<dyn Write + 'w>,
) -> Box<dyn Print<Part = Rendered> + 'w> {
    if spec.count_only {
        return Box::new(CountSink { out });
    }
    match spec.format {
        Format::Table | Format::Wide => Box::new(table::TableSink::new(spec, out)),
        Format::Json => Box::new(JsonArraySink { out, wrote: false }),
        Format::Ndjson | Format::Raw => Box::new(BytesSink { out, header: None }),
        Format::Csv | Format::Tsv => {
            let mut header = Vec::new();
            let names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
            if let Some(d) = Delimited::of(spec.format) {
                d.row(&names, &mut header);
            }
            Box::new(BytesSink {
                out,
                header: Some(header),
            })
        }
    }
}

fn prefix(chunk: &Rendered, take: usize) -> &[u8] {
    let end = if take >= chunk.ends.len() {
        chunk.bytes.len()
    } else if take == 0 {
        0
    } else {
        chunk.ends[take - 1]
    };
    &chunk.bytes[..end]
}

/// NDJSON, CSV and TSV: records are lines; CSV/TSV print a header first,
/// even when nothing matched.
struct BytesSink<'w> {
    out: Box<dyn Write + 'w>,
    header: Option<Vec<u8>>,
}

impl Print for BytesSink<'_> {
    type Part = Rendered;

    fn write(&mut self, chunk: Rendered, _: Origin, take: usize) -> io::Result<()> {
        if let Some(h) = self.header.take() {
            self.out.write_all(&h)?;
        }
        self.out.write_all(prefix(&chunk, take))
    }

    fn finish(&mut self, _: &RunInfo) -> io::Result<()> {
        if let Some(h) = self.header.take() {
            self.out.write_all(&h)?;
        }
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `-o json`: `[`, the events one per line separated by commas, `]`.
struct JsonArraySink<'w> {
    out: Box<dyn Write + 'w>,
    wrote: bool,
}

impl Print for JsonArraySink<'_> {
    type Part = Rendered;

    fn write(&mut self, chunk: Rendered, _: Origin, take: usize) -> io::Result<()> {
        let mut start = 0;
        for &end in chunk.ends.iter().take(take) {
            // Each record ends with '\n'; the separator goes before it.
            let record = &chunk.bytes[start..end - 1];
            self.out
                .write_all(if self.wrote { b",\n" } else { b"[\n" })?;
            self.out.write_all(record)?;
            self.wrote = true;
            start = end;
        }
        Ok(())
    }

    fn finish(&mut self, _: &RunInfo) -> io::Result<()> {
        self.out
            .write_all(if self.wrote { b"\n]\n" } else { b"[]\n" })?;
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `--count`.
struct CountSink<'w> {
    out: Box<dyn Write + 'w>,
}

impl Print for CountSink<'_> {
    type Part = Rendered;

    fn write(&mut self, _: Rendered, _: Origin, _: usize) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, info: &RunInfo) -> io::Result<()> {
        writeln!(self.out, "{}", info.matches)?;
        self.out.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
