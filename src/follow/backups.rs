//! A followed log's rotated copies, and how to tell files apart.
//!
//! When kaq falls behind (a slow reader of its output, a stop, a burst), the
//! rotator does not wait: the file kaq holds may be renamed, and the ones
//! after it renamed, gzipped and removed before kaq comes back. kaq then
//! reads every copy it has not read yet, oldest first, before the live
//! file. Files are told apart by a [`Fingerprint`] of their first line (an
//! audit event's auditID and timestamps make it unique), so a copy is known
//! whatever it is called now and whether it was gzipped since.
//!
//! Rotated copies are recognised by lumberjack's names
//! (`audit-2024-05-01T12-00-00.000.log[.gz]`, what the API server writes)
//! and logrotate's (`audit.log.1`, `audit.log.2.gz`, and with `dateext`
//! `audit.log-20240501[.gz]`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::input::discover::rotated_set;
use crate::input::Input;

/// How much of a file's first line a fingerprint reads.
const FIRST_LINE: usize = 4096;

/// A file's identity across renames and compression: an FNV-1a hash of its
/// first line (at most [`FIRST_LINE`] bytes) and that line's length. Stable
/// across runs, so a bookmark can keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fingerprint {
    pub hash: u64,
    pub len: u32,
}

impl Fingerprint {
    /// The fingerprint of a file that begins with `head`; `None` while its
    /// first line is incomplete (a file being written may not have one yet).
    pub(crate) fn of(head: &[u8]) -> Option<Fingerprint> {
        // The same bytes whatever the caller read: a long first line is
        // known by its first FIRST_LINE bytes.
        let head = &head[..head.len().min(FIRST_LINE)];
        let line = match memchr::memchr(b'\n', head) {
            Some(nl) => &head[..nl],
            None if head.len() == FIRST_LINE => head,
            None => return None,
        };
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in line {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Some(Fingerprint {
            hash,
            len: line.len() as u32,
        })
    }

    /// The fingerprint of what `r` reads first.
    pub(crate) fn read(r: &mut dyn Read) -> io::Result<Option<Fingerprint>> {
        let mut head = Vec::with_capacity(FIRST_LINE);
        r.take(FIRST_LINE as u64).read_to_end(&mut head)?;
        Ok(Fingerprint::of(&head))
    }

    /// The fingerprint of a file held open, read from its start; the file's
    /// position is left where it was.
    pub(crate) fn of_held(file: &mut File) -> io::Result<Option<Fingerprint>> {
        let at = file.stream_position()?;
        file.seek(SeekFrom::Start(0))?;
        let fp = Fingerprint::read(file);
        file.seek(SeekFrom::Start(at))?;
        fp
    }

    /// The fingerprint of a file by its path, decompressed if gzipped.
    pub(crate) fn of_path(path: &Path) -> io::Result<Option<Fingerprint>> {
        Copy::open(path)?.fingerprint()
    }
}

/// A rotated copy, open: what is fingerprinted is what is read, through
/// one descriptor, even if the rotator renames the copy meanwhile.
pub(crate) struct Copy {
    file: File,
}

impl Copy {
    pub(crate) fn open(path: &Path) -> io::Result<Copy> {
        Ok(Copy {
            file: File::open(path)?,
        })
    }

    /// Its contents from the start, decompressed if gzipped.
    pub(crate) fn contents(&mut self) -> io::Result<Box<dyn Read + '_>> {
        self.file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::with_capacity(256 * 1024, &mut self.file);
        Ok(if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
            Box::new(MultiGzDecoder::new(reader))
        } else {
            Box::new(reader)
        })
    }

    pub(crate) fn fingerprint(&mut self) -> io::Result<Option<Fingerprint>> {
        Fingerprint::read(&mut self.contents()?)
    }
}

/// The copy of `live` that begins with `fp`, open.
pub(crate) fn find(live: &Path, fp: Fingerprint) -> Option<(Backup, Copy)> {
    open_all(live).into_iter().find_map(|(b, copy)| {
        let mut copy = copy.ok()?;
        (copy.fingerprint().ok()? == Some(fp)).then_some((b, copy))
    })
}

/// Every rotated copy of `live`, oldest first, each open (or why not).
///
/// A copy is opened by its name, and the names say the order; a rotator
/// renaming copies meanwhile (`.1` to `.2`) would make a name open another
/// copy than the one listed. So the copies are listed again once all are
/// open, and opened again, a few times, until both lists agree: then every
/// descriptor holds the copy its place in the order says, whatever is
/// renamed afterwards.
pub(crate) fn open_all(live: &Path) -> Vec<(Backup, io::Result<Copy>)> {
    let mut tries = 0;
    loop {
        let listed = backups(live);
        let opened: Vec<io::Result<Copy>> = listed.iter().map(|b| Copy::open(&b.path)).collect();
        let again = backups(live);
        tries += 1;
        if again == listed || tries == 5 {
            return listed.into_iter().zip(opened).collect();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A rotated copy of a followed log; equal when the name, the file it
/// names and its size are (a copy still being written is not equal to
/// itself a moment later).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Backup {
    pub path: PathBuf,
    /// Its size on disk when listed (compressed, for a `.gz`).
    pub len: u64,
    /// Which file the name named when listed.
    id: (u64, u64),
}

#[cfg(unix)]
fn id(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn id(m: &std::fs::Metadata) -> (u64, u64) {
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    (modified, m.len())
}

/// The rotated copies of `live` beside it, oldest first: lumberjack's
/// (ordered by their time), then logrotate's dated ones (by date), then its
/// numbered ones (the highest number is the oldest). A plain copy hides its
/// `.gz` twin, which is still being written.
pub(crate) fn backups(live: &Path) -> Vec<Backup> {
    let name = live.file_name();
    let mut out: Vec<PathBuf> = rotated_set(live)
        .inputs
        .into_iter()
        .filter_map(|i| match i {
            Input::File(p) if p.file_name() != name => Some(p),
            _ => None,
        })
        .collect();
    out.extend(logrotate_copies(live));
    out.into_iter()
        .filter_map(|path| {
            let m = std::fs::metadata(&path).ok()?;
            Some(Backup {
                path,
                len: m.len(),
                id: id(&m),
            })
        })
        .collect()
}

/// logrotate's copies of `live`: `NAME-DATE[.gz]` (dateext) by date, then
/// `NAME.N[.gz]` from the highest N down.
fn logrotate_copies(live: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (live.parent(), live.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dated: Vec<(String, bool, PathBuf)> = Vec::new();
    let mut numbered: Vec<(u32, bool, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let Some(rest) = file.strip_prefix(name) else {
            continue;
        };
        let (rest, gz) = match rest.strip_suffix(".gz") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        if let Some(n) = rest.strip_prefix('.').and_then(|n| n.parse::<u32>().ok()) {
            numbered.push((n, gz, entry.path()));
        } else if let Some(date) = rest.strip_prefix('-') {
            if !date.is_empty() && date.bytes().all(|b| b.is_ascii_digit()) {
                dated.push((date.to_string(), gz, entry.path()));
            }
        }
    }
    dated.sort();
    numbered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    let mut keep = |key_is_same: bool, gz: bool, path: PathBuf| {
        // The plain copy sorts first; its `.gz` twin is still being written.
        if !(gz && key_is_same) {
            out.push(path);
        }
    };
    let mut last: Option<String> = None;
    for (date, gz, path) in dated {
        keep(last.as_ref() == Some(&date), gz, path);
        last = Some(date);
    }
    let mut last: Option<u32> = None;
    for (n, gz, path) in numbered {
        keep(last == Some(n), gz, path);
        last = Some(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_need_a_whole_first_line() {
        assert_eq!(Fingerprint::of(b"{\"a\":1}"), None);
        let a = Fingerprint::of(b"{\"a\":1}\n{\"b\":2}").unwrap();
        assert_eq!(a, Fingerprint::of(b"{\"a\":1}\nother").unwrap());
        assert_ne!(a, Fingerprint::of(b"{\"a\":2}\n").unwrap());
        assert_eq!(a.len, 7);
        assert!(Fingerprint::of(&[b'x'; FIRST_LINE]).is_some());
        // A line longer than FIRST_LINE is known by its first bytes, however
        // much of it the caller read.
        let long = [b'y'; 3 * FIRST_LINE];
        assert_eq!(Fingerprint::of(&long[..FIRST_LINE]), Fingerprint::of(&long));
    }

    #[test]
    fn lists_lumberjack_and_logrotate_copies_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("audit.log");
        for name in [
            "audit.log",
            "audit-2024-05-01T00-00-02.000.log.gz",
            "audit-2024-05-01T00-00-01.000.log",
            "audit.log.1",
            "audit.log.2.gz",
            "audit.log.10.gz",
            "audit.log-20240502",
            "audit.log-20240501.gz",
            "audit.log-20240502.gz",
            "audit.log.old",
            "other.log",
        ] {
            std::fs::write(dir.path().join(name), "x\n").unwrap();
        }
        let names: Vec<String> = backups(&live)
            .iter()
            .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "audit-2024-05-01T00-00-01.000.log",
                "audit-2024-05-01T00-00-02.000.log.gz",
                "audit.log-20240501.gz",
                "audit.log-20240502",
                "audit.log.10.gz",
                "audit.log.2.gz",
                "audit.log.1",
            ]
        );
    }
}
