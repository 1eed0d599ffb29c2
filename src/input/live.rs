//! What `--follow` follows: the live files a PATH names, each with the
//! backups `--since` replays first, and how often to poll. Fixed by the
//! configuration; [`crate::follow`] does the following.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What to follow, fixed by the configuration.
#[derive(Debug, Clone)]
pub struct FollowSpec {
    pub tails: Vec<TailSpec>,
    /// Read each live file from its start (else from its end):
    /// `--from-start`, or `--since`.
    pub from_start: bool,
    /// How long to wait between polls of an idle log.
    pub interval: Duration,
    /// `--bookmark`: where the position is kept.
    pub bookmark: Option<PathBuf>,
}

/// One live file and where it stands in the run's inputs.
#[derive(Debug, Clone)]
pub struct TailSpec {
    pub path: PathBuf,
    /// Its index in `Config::inputs` (for names in messages).
    pub input: usize,
    /// Rotated backups to read first, oldest first (`--since`): indices in
    /// `Config::inputs`.
    pub backups: Vec<usize>,
}

/// The default time between polls.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// The live files `--follow` reads for each PATH: a file as given (it may
/// not exist yet, if its directory does), or the live logs of a directory.
pub fn live_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            return Err("--follow reads files; a pipe is read to its end without it".into());
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let live = crate::input::discover::live_files(p).map_err(|e| {
                    format!("{}: {}", p.display(), crate::messages::describe_io(&e))
                })?;
                if live.is_empty() {
                    return Err(format!(
                        "{}: no live log to follow here (a *.log, *.json, *.jsonl or *.ndjson file that is not a rotated backup)",
                        p.display()
                    ));
                }
                out.extend(live);
            }
            Ok(_) => out.push(p.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound && parent_exists(p) => {
                out.push(p.clone())
            }
            Err(e) => {
                return Err(format!(
                    "{}: {}",
                    p.display(),
                    crate::messages::describe_io(&e)
                ))
            }
        }
    }
    Ok(out)
}

fn parent_exists(p: &Path) -> bool {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.is_dir(),
        _ => true,
    }
}
