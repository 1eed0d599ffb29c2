//! Diagnostics on stderr: per-line and per-file problems, notes under `-v`.
//!
//! Bad lines are reported, counted and never fatal: the first
//! [`SHOWN_LINE_ERRORS`] are printed as `kaq: FILE:LINE: reason`, the rest
//! only counted, and the run ends with the total. Names and reasons are
//! escaped before they reach the terminal.

use std::io::{self, Write};

use crate::output::columns::sanitize;

/// How many bad lines are printed one by one (all of them under `-v`).
pub const SHOWN_LINE_ERRORS: u64 = 10;

/// Collects and prints diagnostics.
pub struct Reporter {
    verbose: bool,
    quiet: bool,
    bad_lines: u64,
    failed_inputs: u64,
    /// Follow mode: stretches of a log that could not be read.
    losses: u64,
    lost_bytes: u64,
    lost_events: u64,
    out: Box<dyn Write>,
}

impl Reporter {
    pub fn new(verbose: bool, quiet: bool) -> Reporter {
        Reporter::to(Box::new(io::stderr()), verbose, quiet)
    }

    pub fn to(out: Box<dyn Write>, verbose: bool, quiet: bool) -> Reporter {
        Reporter {
            verbose,
            quiet,
            bad_lines: 0,
            failed_inputs: 0,
            losses: 0,
            lost_bytes: 0,
            lost_events: 0,
            out,
        }
    }

    fn say(&mut self, msg: &str) {
        let _ = writeln!(self.out, "kaq: {}", sanitize(msg.to_string()));
    }

    /// A line that holds no usable event.
    pub fn bad_line(&mut self, file: &str, line: u64, reason: &str) {
        self.bad_lines += 1;
        if !self.quiet && (self.verbose || self.bad_lines <= SHOWN_LINE_ERRORS) {
            self.say(&format!("{file}:{line}: {reason}"));
        }
    }

    /// An input that could not be opened or read to its end.
    pub fn input_failed(&mut self, file: &str, error: &io::Error) {
        self.failed_inputs += 1;
        self.say(&format!("{file}: {}", describe_io(error)));
    }

    /// Follow mode: part of a log that could not be read (rotated away and
    /// deleted, or cut by a truncation with no copy to read it from). Always
    /// shown, even with `-q`: a responder must know that events are missing.
    /// `bytes` and `events` are what is known of its size (an estimate of
    /// the events from the average event size so far), `None` when nothing
    /// is.
    pub fn lost(&mut self, what: &str, bytes: Option<u64>, events: Option<u64>, why: &str) {
        self.losses += 1;
        self.lost_bytes += bytes.unwrap_or(0);
        self.lost_events += events.unwrap_or(0);
        let size = match (bytes, events) {
            (Some(b), Some(e)) => format!(" ({b} bytes, about {e} events)"),
            (Some(b), None) => format!(" ({b} bytes)"),
            _ => " (size unknown)".to_string(),
        };
        self.say(&format!("LOST {what}{size}: {why}"));
    }

    /// How many stretches of a followed log were lost.
    pub fn losses(&self) -> u64 {
        self.losses
    }

    /// Something a user should know that is not an error: shown unless
    /// `-q`.
    pub fn warn(&mut self, msg: &str) {
        if !self.quiet {
            self.say(msg);
        }
    }

    /// Something only `-v` shows.
    pub fn note(&mut self, msg: &str) {
        if self.verbose && !self.quiet {
            self.say(msg);
        }
    }

    pub fn bad_lines(&self) -> u64 {
        self.bad_lines
    }

    pub fn failed_inputs(&self) -> u64 {
        self.failed_inputs
    }

    /// Prints the closing total of bad lines, if any.
    pub fn finish(&mut self) {
        if self.bad_lines > 0 && !self.quiet {
            let hidden = self.bad_lines.saturating_sub(SHOWN_LINE_ERRORS);
            let msg = if hidden > 0 && !self.verbose {
                format!(
                    "{} malformed lines skipped ({hidden} not shown; -v shows all)",
                    self.bad_lines
                )
            } else if self.bad_lines == 1 {
                "1 malformed line skipped".to_string()
            } else {
                format!("{} malformed lines skipped", self.bad_lines)
            };
            self.say(&msg);
        }
        if self.losses > 0 {
            let msg = format!(
                "{} stretch{} of the followed logs lost ({} bytes, about {} events); see LOST above",
                self.losses,
                if self.losses == 1 { "" } else { "es" },
                self.lost_bytes,
                self.lost_events
            );
            self.say(&msg);
        }
        let _ = self.out.flush();
    }
}

/// An I/O error as a lower-case phrase, with gzip problems named as such.
pub fn describe_io(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match e.kind() {
        io::ErrorKind::UnexpectedEof => "unexpected end of file (truncated gzip?)".to_string(),
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if text.contains("invalid gzip header") => {
            "not a valid gzip stream after the last member".to_string()
        }
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
