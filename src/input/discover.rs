//! Turns the PATH arguments into an ordered list of inputs.
//!
//! Directories are searched recursively (subdirectories after the files,
//! in name order). A directory holds live audit logs and their lumberjack backups,
//! `<name>-<YYYY-MM-DDTHH-MM-SS.mmm><ext>[.gz]`. Each set is read oldest
//! backup first and the live file last, so events come out in log order.
//! When both `X.log` and `X.log.gz` exist, lumberjack is still compressing:
//! the `.gz` may be partial, so only `X.log` is read.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::Input;

/// The kubeadm default location of the live audit log.
pub const DEFAULT_LOG: &str = "/var/log/kubernetes/audit.log";

/// What discovery found: inputs in order, files it skipped (with why), and
/// paths it could not read.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub skipped: Vec<(PathBuf, &'static str)>,
    pub errors: Vec<(PathBuf, io::Error)>,
}

/// Extensions (before an optional `.gz`) that a directory scan reads.
const LOG_EXTENSIONS: &[&str] = &["log", "json", "jsonl", "ndjson"];

/// A file name split into its rotation parts.
#[derive(Debug, PartialEq, Eq)]
struct Backup<'a> {
    /// The live file's name: `<stem><ext>`.
    live: String,
    /// `2024-05-01T12-00-00.000`: sorts chronologically as text.
    timestamp: &'a str,
    gzipped: bool,
}

/// Parses a lumberjack backup name such as `audit-2024-05-01T12-00-00.000.log.gz`.
fn parse_backup(name: &str) -> Option<Backup<'_>> {
    let (base, gzipped) = match name.strip_suffix(".gz") {
        Some(b) => (b, true),
        None => (name, false),
    };
    // The timestamp is 23 bytes: YYYY-MM-DDTHH-MM-SS.mmm
    const TS: usize = 23;
    let is_ts = |t: &[u8]| {
        t.len() == TS
            && t.iter().enumerate().all(|(i, &c)| match i {
                4 | 7 | 13 | 16 => c == b'-',
                10 => c == b'T',
                19 => c == b'.',
                _ => c.is_ascii_digit(),
            })
    };
    // Find `-<timestamp>` followed by the extension (possibly empty).
    let bytes = base.as_bytes();
    for (dash, _) in base.match_indices('-') {
        let start = dash + 1;
        if start + TS > bytes.len() || dash == 0 {
            continue;
        }
        let ext = &base[start + TS..];
        if is_ts(&bytes[start..start + TS]) && (ext.is_empty() || ext.starts_with('.')) {
            return Some(Backup {
                live: format!("{}{}", &base[..dash], ext),
                timestamp: &base[start..start + TS],
                gzipped,
            });
        }
    }
    None
}

fn has_log_extension(name: &str) -> bool {
    let base = name.strip_suffix(".gz").unwrap_or(name);
    base.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && LOG_EXTENSIONS.contains(&ext))
}

#[derive(Default)]
struct RotationSet {
    live: Option<PathBuf>,
    /// (timestamp, gzipped, path)
    backups: Vec<(String, bool, PathBuf)>,
}

/// Orders the files of one directory listing into rotation sets.
fn order_directory(files: Vec<PathBuf>, found: &mut Discovered) {
    let mut sets: BTreeMap<String, RotationSet> = BTreeMap::new();
    for path in files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            found.skipped.push((path, "its name is not UTF-8"));
            continue;
        };
        if let Some(b) = parse_backup(name) {
            let ts = b.timestamp.to_string();
            sets.entry(b.live)
                .or_default()
                .backups
                .push((ts, b.gzipped, path.clone()));
        } else if has_log_extension(name) {
            sets.entry(name.to_string()).or_default().live = Some(path.clone());
        } else {
            found.skipped.push((path, "not an audit log name"));
        }
    }
    for (_, mut set) in sets {
        set.backups.sort();
        let mut last: Option<&String> = None;
        let mut kept = Vec::new();
        // Sorted by (timestamp, gzipped): the plain copy comes first.
        for (ts, gz, path) in &set.backups {
            if *gz && last == Some(ts) {
                found.skipped.push((
                    path.clone(),
                    "still being compressed; reading the uncompressed copy",
                ));
                continue;
            }
            last = Some(ts);
            kept.push(Input::File(path.clone()));
        }
        found.inputs.extend(kept);
        found.inputs.extend(set.live.map(Input::File));
    }
}

/// How deep directory arguments are searched.
const MAX_DIR_DEPTH: usize = 16;

/// The regular files and the subdirectories of `dir`, each sorted by name.
/// Symbolic links to directories are not followed (no loops).
fn list_dir(dir: &Path, found: &mut Discovered) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => dirs.push(path),
            Ok(m) if m.is_symlink() => match std::fs::metadata(&path) {
                Ok(t) if t.is_file() => files.push(path),
                Ok(t) if t.is_dir() => found
                    .skipped
                    .push((path, "a link to a directory (not followed)")),
                Ok(_) => found.skipped.push((path, "not a regular file")),
                Err(e) => found.errors.push((path, e)),
            },
            Ok(m) if m.is_file() => files.push(path),
            Ok(_) => found.skipped.push((path, "not a regular file")),
            Err(e) => found.errors.push((path, e)),
        }
    }
    files.sort();
    dirs.sort();
    Ok((files, dirs))
}

/// Adds a directory's rotation sets, then its subdirectories' in name order.
fn walk_directory(dir: &Path, depth: usize, found: &mut Discovered) {
    match list_dir(dir, found) {
        Ok((files, dirs)) => {
            order_directory(files, found);
            for sub in dirs {
                if depth + 1 >= MAX_DIR_DEPTH {
                    found
                        .skipped
                        .push((sub, "too deep below the PATH argument"));
                } else {
                    walk_directory(&sub, depth + 1, found);
                }
            }
        }
        Err(e) => found.errors.push((dir.to_path_buf(), e)),
    }
}

/// Expands PATH arguments into inputs, in the order given; `-` is stdin.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk_directory(path, 0, &mut found),
            Ok(_) => found.inputs.push(Input::File(path.clone())),
            Err(e) => found.errors.push((path.clone(), e)),
        }
    }
    found
}

/// The live file `live` and its rotated backups beside it, oldest first.
pub fn rotated_set(live: &Path) -> Discovered {
    let mut found = Discovered::default();
    let dir = live
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let live_name = live
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match list_dir(dir, &mut Discovered::default()) {
        Ok((files, _)) => {
            let members: Vec<PathBuf> = files
                .into_iter()
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                    name == live_name || parse_backup(name).is_some_and(|b| b.live == live_name)
                })
                .collect();
            order_directory(members, &mut found);
        }
        Err(e) => found.errors.push((dir.to_path_buf(), e)),
    }
    found
}

/// The live logs directly in `dir` (no subdirectories): files with a log
/// extension that are not lumberjack backups, in name order. What
/// `--follow DIR` follows.
pub fn live_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let (files, _) = list_dir(dir, &mut Discovered::default())?;
    Ok(files
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            parse_backup(name).is_none() && !name.ends_with(".gz") && has_log_extension(name)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lumberjack_names() {
        assert_eq!(
            parse_backup("audit-2019-04-09T11-13-00.469.log"),
            Some(Backup {
                live: "audit.log".into(),
                timestamp: "2019-04-09T11-13-00.469",
                gzipped: false
            })
        );
        let b = parse_backup("kube-apiserver-audit-2026-01-01T00-00-00.000.log.gz").unwrap();
        assert_eq!(b.live, "kube-apiserver-audit.log");
        assert!(b.gzipped);
        assert_eq!(
            parse_backup("audit-2026-01-01T00-00-00.000").unwrap().live,
            "audit"
        );
        assert_eq!(parse_backup("audit.log"), None);
        assert_eq!(parse_backup("audit-2026-01-01.log"), None);
        assert_eq!(parse_backup("-2026-01-01T00-00-00.000.log"), None);
    }

    #[test]
    fn orders_sets_oldest_first_live_last() {
        let files: Vec<PathBuf> = [
            "d/audit.log",
            "d/audit-2024-01-02T00-00-00.000.log.gz",
            "d/audit-2024-01-01T00-00-00.000.log.gz",
            "d/audit-2024-01-03T00-00-00.000.log",
            "d/audit-2024-01-03T00-00-00.000.log.gz",
            "d/notes.txt",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut found = Discovered::default();
        order_directory(files, &mut found);
        let names: Vec<String> = found.inputs.iter().map(Input::display_name).collect();
        assert_eq!(
            names,
            [
                "d/audit-2024-01-01T00-00-00.000.log.gz",
                "d/audit-2024-01-02T00-00-00.000.log.gz",
                "d/audit-2024-01-03T00-00-00.000.log",
                "d/audit.log"
            ]
        );
        let skipped: Vec<_> = found
            .skipped
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert_eq!(
            skipped,
            ["d/notes.txt", "d/audit-2024-01-03T00-00-00.000.log.gz"]
        );
    }
}
