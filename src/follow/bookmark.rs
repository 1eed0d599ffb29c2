//! `--bookmark FILE`: where follow mode is in each live log, kept on disk so
//! that a restarted `kaq -F --bookmark FILE` goes on exactly there, through
//! every copy rotated while it was stopped: what log shippers keep
//! (Filebeat's registry, Fluent Bit's tail database, Vector's checkpoints).
//!
//! A position is saved only after what came before it was printed and
//! flushed, and the file is replaced whole (written beside it, then
//! renamed), so a crash leaves the old bookmark or the new one, never half
//! of one.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::backups::Fingerprint;

/// Where reading stands in one followed log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Position {
    /// The file being read (the live file, or a rotated copy of it being
    /// caught up on), by its first line.
    pub file: Fingerprint,
    /// The byte just past the last line printed (in the decompressed bytes
    /// of a gzipped copy).
    pub offset: u64,
    /// When this was saved, in microseconds since the epoch.
    pub saved: i64,
}

/// The bookmark file's contents: a position per followed log, by its path.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Bookmark {
    pub version: u32,
    pub logs: BTreeMap<PathBuf, Position>,
}

/// The bookmark's version this kaq writes and reads.
const VERSION: u32 = 1;

impl Bookmark {
    /// Reads a bookmark; an absent file is an empty one (the first run).
    pub(crate) fn load(path: &Path) -> io::Result<Bookmark> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Bookmark::default()),
            Err(e) => return Err(e),
        };
        let b: Bookmark = serde_json::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a kaq bookmark: {e}"),
            )
        })?;
        if b.version != VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a bookmark of version {}, this kaq reads {VERSION}",
                    b.version
                ),
            ));
        }
        Ok(b)
    }

    /// Replaces the bookmark file with this one, atomically.
    pub(crate) fn save(&self, path: &Path) -> io::Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let text = serde_json::to_string_pretty(&Bookmark {
            version: VERSION,
            logs: self.logs.clone(),
        })
        .map_err(io::Error::other)?;
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bm.json");
        assert_eq!(Bookmark::load(&path).unwrap(), Bookmark::default());
        let mut b = Bookmark {
            version: VERSION,
            ..Bookmark::default()
        };
        b.logs.insert(
            dir.path().join("audit.log"),
            Position {
                file: Fingerprint::of(b"{}\n").unwrap(),
                offset: 42,
                saved: 7,
            },
        );
        b.save(&path).unwrap();
        assert_eq!(Bookmark::load(&path).unwrap(), b);
        assert!(!dir.path().join("bm.json.tmp").exists());
        std::fs::write(&path, "{").unwrap();
        let e = Bookmark::load(&path).unwrap_err().to_string();
        assert!(e.contains("not a kaq bookmark"), "{e}");
    }
}
