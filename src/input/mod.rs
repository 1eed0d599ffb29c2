//! Inputs: which files to read, in which order ([`discover`]), and how to get
//! their bytes ([`open`]: memory map, plain reads, gzip, stdin), and which
//! live files `--follow` polls ([`live`]).

pub mod discover;
pub mod live;
pub mod open;
pub mod read;

use std::path::PathBuf;

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The name used in messages: the path as given, or `<stdin>`.
    pub fn display_name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }
}
