//! `-o table` and `-o wide`: rows are collected, then laid out once with
//! comfy-table (column widths need every row). Borders are left out, as
//! kubectl does, so the output stays greppable.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};

use super::{OutputSpec, Rendered, Sink};

pub struct TableSink<'w> {
    out: Box<dyn Write + 'w>,
    titles: Vec<String>,
    rows: Vec<Vec<String>>,
    width: Option<u16>,
}

impl<'w> TableSink<'w> {
    pub fn new(spec: &OutputSpec, out: Box<dyn Write + 'w>) -> Self {
        TableSink {
            out,
            titles: spec.columns.iter().map(|c| c.title()).collect(),
            rows: Vec::new(),
            width: spec.width,
        }
    }
}

impl Sink for TableSink<'_> {
    fn write(&mut self, chunk: Rendered, take: usize) -> io::Result<()> {
        self.rows.extend(chunk.rows.into_iter().take(take));
        Ok(())
    }

    fn finish(&mut self, _: u64) -> io::Result<()> {
        if self.rows.is_empty() {
            return self.out.flush();
        }
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.set_header(&self.titles);
        match self.width {
            Some(w) => {
                table.set_content_arrangement(ContentArrangement::Dynamic);
                table.set_width(w);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        for row in self.rows.drain(..) {
            table.add_row(row);
        }
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        for line in table.lines() {
            writeln!(self.out, "{}", line.trim_end())?;
        }
        self.out.flush()
    }
}
