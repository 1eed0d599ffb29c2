//! `-o table` and `-o wide`: rows are collected, then laid out once with
//! comfy-table (column widths need every row). Borders are left out, as
//! kubectl does, so the output stays greppable, and every event stays on one
//! line: on a terminal too narrow for the table, long cells (users, objects,
//! user agents) are cut with `…` while times, verbs and codes stay whole.

use std::io::{self, Write};

use comfy_table::{
    presets, Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Row, Table, Width,
};

use super::{OutputSpec, Rendered};
use crate::work::{Origin, Print, RunInfo};

/// A cut column keeps at least this many characters.
const MIN_SQUEEZED: usize = 10;

/// What a column's cells are coloured by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Highlight {
    None,
    /// 4xx yellow, 5xx red.
    Code,
    /// Write verbs bold; deletes red.
    Verb,
}

impl Highlight {
    fn of(c: &super::Column) -> Highlight {
        match &c.value {
            super::columns::ColumnValue::Field(p) if p.is(&["responseStatus", "code"]) => {
                Highlight::Code
            }
            super::columns::ColumnValue::Field(p) if p.is(&["verb"]) => Highlight::Verb,
            _ => Highlight::None,
        }
    }

    fn cell(self, text: String) -> Cell {
        let cell = Cell::new(&text);
        // Follow mode pads cells to line columns up.
        let text = text.trim_end();
        match self {
            Highlight::Code if text.starts_with('4') && text.len() == 3 => cell.fg(Color::Yellow),
            Highlight::Code if text.starts_with('5') && text.len() == 3 => {
                cell.fg(Color::Red).add_attribute(Attribute::Bold)
            }
            Highlight::Verb if text == "delete" || text == "deletecollection" => {
                cell.fg(Color::Red).add_attribute(Attribute::Bold)
            }
            Highlight::Verb if matches!(text, "create" | "update" | "patch") => {
                cell.add_attribute(Attribute::Bold)
            }
            _ => cell,
        }
    }
}

pub struct TableSink<'w> {
    out: Box<dyn Write + 'w>,
    /// Follow mode: the rows printed so far, as pieces.
    pieces: Pieces,
    titles: Vec<String>,
    compact: Vec<bool>,
    highlight: Vec<Highlight>,
    color: bool,
    rows: Vec<Vec<String>>,
    width: Option<u16>,
}

impl<'w> TableSink<'w> {
    pub fn new(spec: &OutputSpec, out: Box<dyn Write + 'w>) -> Self {
        TableSink {
            out,
            titles: spec.columns.iter().map(|c| c.title()).collect(),
            compact: spec.columns.iter().map(|c| c.is_compact()).collect(),
            highlight: spec.columns.iter().map(Highlight::of).collect(),
            color: spec.color,
            rows: Vec::new(),
            width: spec.width,
            pieces: Pieces::default(),
        }
    }
}

impl Print for TableSink<'_> {
    type Part = Rendered;

    fn write(&mut self, chunk: Rendered, _: Origin, take: usize) -> io::Result<()> {
        self.rows.extend(chunk.rows.into_iter().take(take));
        Ok(())
    }

    fn finish(&mut self, _: &RunInfo) -> io::Result<()> {
        self.print(false)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.print(true)
    }
}

impl TableSink<'_> {
    /// Prints the rows held: as one table, or (follow mode, once a piece
    /// went out) as the next piece.
    fn print(&mut self, piece: bool) -> io::Result<()> {
        let layout = Layout {
            titles: &self.titles,
            compact: &self.compact,
            width: self.width,
            color: self.color,
        };
        let highlight = &self.highlight;
        let rows = std::mem::take(&mut self.rows);
        let style = |_, i: usize, t| highlight[i].cell(t);
        if piece || self.pieces.started() {
            self.pieces.write(&layout, rows, style, &mut self.out)
        } else {
            write_table(&layout, rows, style, &mut self.out)
        }
    }
}

/// `text` without its first line: the header of a piece after the first.
pub(crate) fn after_header(text: &[u8]) -> &[u8] {
    match memchr::memchr(b'\n', text) {
        Some(nl) => &text[nl + 1..],
        None => &text[..0],
    }
}

/// A table printed a few rows at a time, as follow mode finds them: the
/// header once, and every cell padded to the widest seen so far in its
/// column, so that columns line up from one piece to the next (until a wider
/// cell comes).
#[derive(Default)]
pub(crate) struct Pieces {
    widths: Vec<usize>,
    started: bool,
}

impl Pieces {
    /// Whether a piece was printed.
    pub(crate) fn started(&self) -> bool {
        self.started
    }

    /// Prints `rows` as the next piece (nothing when there are none).
    pub(crate) fn write(
        &mut self,
        layout: &Layout<'_>,
        mut rows: Vec<Vec<String>>,
        style: impl Fn(usize, usize, String) -> Cell,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if rows.is_empty() {
            return out.flush();
        }
        if self.widths.is_empty() {
            self.widths = layout.titles.iter().map(|t| t.chars().count()).collect();
        }
        for row in &rows {
            for (w, cell) in self.widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let last = self.widths.len().saturating_sub(1);
        for row in &mut rows {
            for (i, (cell, &w)) in row.iter_mut().zip(&self.widths).enumerate() {
                let n = cell.chars().count();
                if i < last && n < w {
                    cell.extend(std::iter::repeat_n(' ', w - n));
                }
            }
        }
        let mut buf = Vec::new();
        write_table(layout, rows, style, &mut buf)?;
        let text = if self.started {
            // The header went out with the first piece.
            after_header(&buf)
        } else {
            &buf[..]
        };
        self.started = true;
        out.write_all(text)?;
        out.flush()
    }
}

/// How a table is laid out: its column titles, which columns must never be
/// cut (`compact`), the terminal width to fit, and whether to colour.
pub(crate) struct Layout<'a> {
    pub titles: &'a [String],
    pub compact: &'a [bool],
    pub width: Option<u16>,
    pub color: bool,
}

/// Lays out `rows` under `layout` and writes them, one line per row;
/// `style(row, column, text)` makes the coloured cell when colour is on. Prints
/// nothing (not even the header) when there are no rows.
pub(crate) fn write_table(
    layout: &Layout<'_>,
    mut rows: Vec<Vec<String>>,
    style: impl Fn(usize, usize, String) -> Cell,
    out: &mut dyn Write,
) -> io::Result<()> {
    if rows.is_empty() {
        return out.flush();
    }
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    let mut header = Row::from(layout.titles.to_vec());
    header.max_height(1);
    table.set_header(header);
    table.set_truncation_indicator("…");
    // Natural width of each column, to decide whether fitting can help.
    let mut natural: Vec<usize> = layout.titles.iter().map(|t| t.chars().count()).collect();
    for row in &rows {
        for (w, cell) in natural.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let gaps = 2 * natural.len();
    let fit = layout.width.filter(|&width| {
        let total: usize = natural.iter().sum::<usize>() + gaps;
        let squeezed: usize = natural
            .iter()
            .zip(layout.compact)
            .map(|(&w, &compact)| if compact { w } else { w.min(MIN_SQUEEZED) })
            .sum::<usize>()
            + gaps;
        // Fit only when it is needed and can keep every column legible;
        // otherwise let long lines run (pipe to `less -S`).
        total > usize::from(width) && squeezed <= usize::from(width)
    });
    match fit {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if layout.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    for (r, row) in rows.drain(..).enumerate() {
        let mut row = if layout.color {
            Row::from(
                row.into_iter()
                    .enumerate()
                    .map(|(i, t)| style(r, i, t))
                    .collect::<Vec<_>>(),
            )
        } else {
            Row::from(row)
        };
        row.max_height(1);
        table.add_row(row);
    }
    for ((column, compact), &w) in table.column_iter_mut().zip(layout.compact).zip(&natural) {
        column.set_padding((0, 2));
        column.set_constraint(if *compact {
            ColumnConstraint::ContentWidth
        } else {
            ColumnConstraint::LowerBoundary(Width::Fixed(w.min(MIN_SQUEEZED) as u16))
        });
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()
}
