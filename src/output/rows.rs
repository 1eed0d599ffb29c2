//! Rows of text cells as CSV or TSV: the one writer every printer of
//! delimited output uses (events, views, the summary, findings), so the
//! quoting and escaping rules live in one place.

use super::Format;

/// A delimited format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimited {
    /// RFC 4180: cells with a comma, quote or newline are quoted.
    Csv,
    /// Tab-separated; backslash, tab, newline and carriage return are
    /// escaped, so that a row stays a line.
    Tsv,
}

impl Delimited {
    /// The delimited form of an output format: CSV for `-o csv`, TSV for
    /// `-o tsv` and for `-r` where a printer has no one-value-per-line form
    /// (views, the summary, findings); `None` for tables and JSON.
    pub(crate) fn of(format: Format) -> Option<Delimited> {
        match format {
            Format::Csv => Some(Delimited::Csv),
            Format::Tsv | Format::Raw => Some(Delimited::Tsv),
            Format::Table | Format::Wide | Format::Json | Format::Ndjson => None,
        }
    }

    /// Appends one row.
    pub(crate) fn row<S: AsRef<str>>(self, cells: &[S], out: &mut Vec<u8>) {
        match self {
            Delimited::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(out);
                // Writing into a Vec cannot fail.
                let _ = w.write_record(cells.iter().map(|c| c.as_ref()));
                let _ = w.flush();
            }
            Delimited::Tsv => {
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        out.push(b'\t');
                    }
                    for c in cell.as_ref().bytes() {
                        match c {
                            b'\\' => out.extend_from_slice(b"\\\\"),
                            b'\t' => out.extend_from_slice(b"\\t"),
                            b'\n' => out.extend_from_slice(b"\\n"),
                            b'\r' => out.extend_from_slice(b"\\r"),
                            c => out.push(c),
                        }
                    }
                }
                out.push(b'\n');
            }
        }
    }

    /// Appends a header row and the rows.
    pub(crate) fn table<S: AsRef<str>, T: AsRef<str>>(
        self,
        header: &[S],
        rows: impl IntoIterator<Item = Vec<T>>,
        out: &mut Vec<u8>,
    ) {
        self.row(header, out);
        for r in rows {
            self.row(&r, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(d: Delimited, cells: &[&str]) -> String {
        let mut out = Vec::new();
        d.row(cells, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_and_tsv_escapes() {
        assert_eq!(
            row(Delimited::Csv, &["a", "b,c", "d\"e"]),
            "a,\"b,c\",\"d\"\"e\"\n"
        );
        assert_eq!(
            row(Delimited::Tsv, &["a\tb", "c\\d", "e\nf"]),
            "a\\tb\tc\\\\d\te\\nf\n"
        );
        assert_eq!(row(Delimited::Csv, &[""]), "\"\"\n");
    }
}
