//! `kaq -F` when it falls behind: the rotator does not wait for a reader
//! that is stopped, blocked on a slow consumer of its output, or slow in a
//! burst. Each test writes sequence-numbered events (200 B to 64 KB) from
//! this thread, rotates the log the way lumberjack or logrotate do while kaq
//! is behind, and asserts that kaq printed every event exactly once, in
//! order; or, where recovery is impossible, that it says what was lost and
//! exits 3. Tests wait on conditions (lines printed, notes on stderr), never
//! on fixed sleeps.

#![cfg(unix)]

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use crate::util::{bin, gzip_and_remove, open_append as append};

const PATIENCE: Duration = Duration::from_secs(30);

/// The size of event `i`: mostly a few hundred bytes, every 97th 64 KB.
fn size(i: usize) -> usize {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
    if i % 97 == 0 {
        64 * 1024
    } else {
        200 + (x % 1800) as usize
    }
}

/// Event `i`, `size(i)` bytes with its newline.
fn event(i: usize) -> String {
    let head = format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"s-{i:06}","stage":"ResponseComplete","verb":"get","user":{{"username":"w"}},"stageTimestamp":"2024-05-01T00:00:00.000000Z","pad":""#
    );
    let pad = size(i).saturating_sub(head.len() + 3);
    format!("{head}{}\"}}\n", "p".repeat(pad))
}

fn id(i: usize) -> String {
    format!("s-{i:06}")
}

/// How a log is rotated.
#[derive(Clone, Copy, PartialEq)]
enum Rotation {
    /// lumberjack: renamed to `audit-<time>.log`, a new file opened.
    Rename,
    /// lumberjack with `compress`: renamed, gzipped, the plain copy removed.
    RenameGzip,
    /// logrotate's `copytruncate`: copied to `audit.log.1` (older copies
    /// shifted to `.2`, `.3`), then the file cut to nothing.
    CopyTruncate,
}

/// The live log and the writer appending to it.
struct Writer {
    path: PathBuf,
    file: File,
    next: usize,
    rotations: usize,
}

impl Writer {
    fn create(dir: &Path) -> Writer {
        let path = dir.join("audit.log");
        Writer {
            file: append(&path),
            path,
            next: 0,
            rotations: 0,
        }
    }

    /// Writes the next `n` events, each in two writes.
    fn write(&mut self, n: usize) {
        for _ in 0..n {
            let line = event(self.next);
            let (a, b) = line.split_at(line.len() / 2);
            self.file.write_all(a.as_bytes()).unwrap();
            self.file.write_all(b.as_bytes()).unwrap();
            self.next += 1;
        }
    }

    fn rotate(&mut self, how: Rotation) {
        self.rotations += 1;
        let k = self.rotations;
        let dir = self.path.parent().unwrap().to_path_buf();
        match how {
            Rotation::Rename | Rotation::RenameGzip => {
                let backup = dir.join(format!(
                    "audit-2024-05-01T00-{:02}-{:02}.000.log",
                    k / 60,
                    k % 60
                ));
                std::fs::rename(&self.path, &backup).unwrap();
                self.file = append(&self.path);
                if how == Rotation::RenameGzip {
                    gzip_and_remove(&backup);
                }
            }
            Rotation::CopyTruncate => {
                for n in (1..k).rev() {
                    let from = dir.join(format!("audit.log.{n}"));
                    if from.exists() {
                        std::fs::rename(&from, dir.join(format!("audit.log.{}", n + 1))).unwrap();
                    }
                }
                std::fs::copy(&self.path, dir.join("audit.log.1")).unwrap();
                self.file.set_len(0).unwrap();
            }
        }
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill(2) with our own child's pid and a valid signal number
    // touches no memory of this process.
    unsafe {
        libc::kill(child.id() as libc::pid_t, sig);
    }
}

/// A running `kaq -F -v -o ndjson`; stdout is read only when the test asks
/// (so that a test can leave kaq blocked on a full pipe), stderr always.
struct Kaq {
    child: Child,
    stdout: Option<BufReader<ChildStdout>>,
    err: Receiver<String>,
    stderr: Vec<String>,
    printed: Vec<String>,
    /// Bytes of a line read slowly and not yet whole.
    partial: Vec<u8>,
}

impl Kaq {
    fn start(live: &Path, extra: &[&str]) -> Kaq {
        Kaq::start_until(live, extra, "following from line")
    }

    /// Starts kaq and waits until it says `started` on stderr.
    fn start_until(live: &Path, extra: &[&str], started: &str) -> Kaq {
        let mut child = bin()
            .args(["-F", "-v", "-o", "ndjson"])
            .args(extra)
            .args(["true", live.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kaq runs");
        let stdout = Some(BufReader::new(child.stdout.take().unwrap()));
        let (tx, err) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut k = Kaq {
            child,
            stdout,
            err,
            stderr: Vec::new(),
            printed: Vec::new(),
            partial: Vec::new(),
        };
        k.stderr_until(started);
        k
    }

    /// Waits for a stderr line containing `text`.
    fn stderr_until(&mut self, text: &str) {
        loop {
            match self.err.recv_timeout(PATIENCE) {
                Ok(l) => {
                    let found = l.contains(text);
                    self.stderr.push(l);
                    if found {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("kaq never said {text:?}; stderr: {:?}", self.stderr);
                }
            }
        }
    }

    /// Reads stdout until `n` events in all were printed.
    fn until(&mut self, n: usize) {
        let out = self.stdout.as_mut().expect("stdout still open");
        let mut line = String::new();
        while self.printed.len() < n {
            line.clear();
            if out.read_line(&mut line).unwrap() == 0 {
                panic!(
                    "kaq ended after {} of {n} events; stderr: {:?}",
                    self.printed.len(),
                    self.err.try_iter().collect::<Vec<_>>()
                );
            }
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            self.printed
                .push(v["auditID"].as_str().unwrap().to_string());
        }
    }

    /// Reads stdout a few bytes at a time, with a pause between reads, until
    /// `n` events were printed: a slow consumer.
    fn slowly_until(&mut self, n: usize, writer: &mut dyn FnMut(usize)) {
        let out = self.stdout.as_mut().expect("stdout still open");
        let pending = &mut self.partial;
        let mut buf = [0u8; 512];
        let mut reads = 0;
        while self.printed.len() < n {
            let got = out.read(&mut buf).unwrap();
            assert!(
                got > 0,
                "kaq ended after {} of {n} events",
                self.printed.len()
            );
            pending.extend_from_slice(&buf[..got]);
            while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=nl).collect();
                let v: serde_json::Value = serde_json::from_slice(&line).unwrap_or_else(|e| {
                    panic!(
                        "{e}: {:?} after {:?}",
                        String::from_utf8_lossy(&line[..line.len().min(200)]),
                        self.printed.last()
                    )
                });
                self.printed
                    .push(v["auditID"].as_str().unwrap().to_string());
            }
            reads += 1;
            writer(reads);
            if reads % 64 == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Waits for kaq to end by itself (`-m`); returns its exit status, with
    /// every event read.
    fn end(mut self) -> (i32, Vec<String>, Vec<String>) {
        if let Some(mut out) = self.stdout.take() {
            let mut rest = String::from_utf8(std::mem::take(&mut self.partial)).unwrap();
            out.read_to_string(&mut rest).unwrap();
            for line in rest.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                self.printed
                    .push(v["auditID"].as_str().unwrap().to_string());
            }
        }
        let status = self.child.wait().unwrap();
        self.stderr.extend(self.err.iter());
        (status.code().unwrap_or(-1), self.printed, self.stderr)
    }
}

/// Exactly events `from..to`, in order.
fn exactly(printed: &[String], from: usize, to: usize) {
    let expected: Vec<String> = (from..to).map(id).collect();
    if printed != expected {
        let got: BTreeSet<&String> = printed.iter().collect();
        let missing: Vec<&String> = expected.iter().filter(|e| !got.contains(e)).collect();
        let twice = printed.len() - got.len();
        let disorder = printed.windows(2).position(|w| w[0] >= w[1]);
        // Runs of consecutive events, to see which file came when.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for p in printed {
            let n: usize = p[2..].parse().unwrap();
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == n => *end = n,
                _ => runs.push((n, n)),
            }
        }
        runs.truncate(20);
        panic!(
            "{} printed, {} expected; {} missing (first: {:?}), {twice} printed twice, first out of order: {:?}; runs: {runs:?}",
            printed.len(),
            expected.len(),
            missing.len(),
            missing.first(),
            disorder.map(|i| &printed[i.saturating_sub(2)..(i + 3).min(printed.len())])
        );
    }
}

/// Five times over: three rotations in a row, each after 100 events,
/// while kaq is stopped; then kaq goes on. kaq prints the last 20 and
/// stops by itself (`-m`).
fn back_to_back(how: Rotation) {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let total = 5 * 300 + 20;
    let mut kaq = Kaq::start(&w.path, &["-m", &total.to_string()]);
    for _ in 0..5 {
        signal(&kaq.child, libc::SIGSTOP);
        for _ in 0..3 {
            w.write(100);
            w.rotate(how);
        }
        signal(&kaq.child, libc::SIGCONT);
        kaq.until(w.next);
    }
    w.write(20);
    let (code, printed, stderr) = kaq.end();
    exactly(&printed, 0, total);
    assert_eq!(code, 0, "{stderr:?}");
    assert!(!stderr.iter().any(|l| l.contains("LOST")), "{stderr:?}");
}

#[test]
fn back_to_back_renames_lose_nothing() {
    back_to_back(Rotation::Rename);
}

#[test]
fn back_to_back_renames_gzipped_and_removed_lose_nothing() {
    back_to_back(Rotation::RenameGzip);
}

#[test]
fn back_to_back_copytruncates_are_read_from_their_copies() {
    back_to_back(Rotation::CopyTruncate);
}

#[test]
fn copytruncate_once_every_200_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let kaq = Kaq::start(&w.path, &["-m", "600"]);
    for _ in 0..3 {
        w.write(200);
        w.rotate(Rotation::CopyTruncate);
    }
    let (code, printed, stderr) = kaq.end();
    exactly(&printed, 0, 600);
    assert_eq!(code, 0, "{stderr:?}");
}

#[test]
fn a_slow_consumer_does_not_lose_events_to_rotations() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let total = 20_000;
    let mut kaq = Kaq::start(&w.path, &["-m", &total.to_string()]);
    // The writer goes on while kaq's output is read a little at a time:
    // kaq is blocked on its stdout while the log is rotated under it.
    w.write(2_000);
    let mut writer = |reads: usize| {
        if reads % 200 == 0 && w.next < total {
            w.write(1_000);
            w.rotate(if reads % 400 == 0 {
                Rotation::RenameGzip
            } else {
                Rotation::Rename
            });
        }
    };
    kaq.slowly_until(total / 2, &mut writer);
    w.write(total - w.next);
    let (code, printed, stderr) = kaq.end();
    exactly(&printed, 0, total);
    assert_eq!(code, 0, "{stderr:?}");
    assert!(
        w.rotations >= 3,
        "the log was rotated while kaq was blocked"
    );
}

#[test]
fn stopped_across_three_rotations_then_continued() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let mut kaq = Kaq::start(&w.path, &["-m", "10000"]);
    w.write(1_000);
    kaq.until(1_000);
    signal(&kaq.child, libc::SIGSTOP);
    for how in [Rotation::Rename, Rotation::RenameGzip, Rotation::Rename] {
        w.write(3_000);
        w.rotate(how);
    }
    signal(&kaq.child, libc::SIGCONT);
    w.write(10_000 - w.next);
    let (code, printed, stderr) = kaq.end();
    exactly(&printed, 0, 10_000);
    assert_eq!(code, 0, "{stderr:?}");
}

#[test]
fn a_restart_with_a_bookmark_resumes_exactly_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let bookmark = dir.path().join("kaq.bookmark");
    let bm = bookmark.to_str().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let mut w = Writer::create(&logs);
    let mut first = Kaq::start(&w.path, &["--bookmark", bm]);
    w.write(500);
    w.rotate(Rotation::Rename);
    w.write(500);
    first.until(1_000);
    w.write(300);
    signal(&first.child, libc::SIGTERM);
    let (code, mut printed, stderr) = first.end();
    assert_eq!(code, 143, "{stderr:?}");
    assert!(printed.len() >= 1_000);
    // While kaq is not running: three rotations, one of them gzipped.
    for how in [Rotation::Rename, Rotation::RenameGzip, Rotation::Rename] {
        w.write(700);
        w.rotate(how);
    }
    w.write(100);
    let rest = (w.next - printed.len()).to_string();
    let second = Kaq::start_until(&w.path, &["--bookmark", bm, "-m", &rest], "(bookmark)");
    let (code, more, stderr) = second.end();
    assert_eq!(code, 0, "{stderr:?}");
    printed.extend(more);
    exactly(&printed, 0, w.next);
}

/// How much one poll of kaq reads before printing (`READ_LIMIT` in
/// src/follow): the test below leaves kaq blocked in the middle of a file.
const ONE_READ: usize = 4 << 20;

#[test]
fn a_truncation_whose_copy_was_deleted_is_reported_lost_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    // 10 MB before kaq starts, read from the start: kaq sees the whole
    // size, reads the first 4 MiB, and blocks printing them to a pipe
    // nobody reads yet.
    while std::fs::metadata(&w.path).unwrap().len() < 10 << 20 {
        w.write(100);
    }
    let total = w.next;
    let size = std::fs::metadata(&w.path).unwrap().len();
    // The events whole in the first read.
    let mut end = 0;
    let read = (0..total)
        .take_while(|&i| {
            end += event(i).len();
            end <= ONE_READ
        })
        .count();
    let mut kaq = Kaq::start_until(
        &w.path,
        &["--from-start", "-m", &(read + 5).to_string()],
        "following from line",
    );
    kaq.until(1);
    // copytruncate, and the copy removed before kaq comes back to it.
    w.rotate(Rotation::CopyTruncate);
    std::fs::remove_file(dir.path().join("audit.log.1")).unwrap();
    w.write(5);
    let (code, printed, stderr) = kaq.end();
    let expected: Vec<String> = (0..read).chain(total..total + 5).map(id).collect();
    assert!(
        printed == expected,
        "{} printed, {} expected",
        printed.len(),
        expected.len()
    );
    let lost = stderr
        .iter()
        .find(|l| l.contains("LOST"))
        .unwrap_or_else(|| panic!("no LOST line: {stderr:?}"));
    let from: usize = (0..read).map(|i| event(i).len()).sum();
    assert!(
        lost.contains(&format!("audit.log: bytes {from}..{size}")),
        "{lost}"
    );
    assert!(
        lost.contains(&format!("({} bytes, about ", size as usize - from)),
        "{lost}"
    );
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("1 stretch of the followed logs lost")),
        "{stderr:?}"
    );
    assert_eq!(code, 3, "exit 3: events were lost");
}

#[test]
fn a_truncation_without_a_copy_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let mut kaq = Kaq::start(&w.path, &["-m", "30"]);
    w.write(10);
    kaq.until(10);
    signal(&kaq.child, libc::SIGSTOP);
    // copytruncate, and the copy removed before kaq comes back: what kaq
    // had seen of the file but not read is gone.
    w.write(10);
    w.rotate(Rotation::CopyTruncate);
    std::fs::remove_file(dir.path().join("audit.log.1")).unwrap();
    w.write(20);
    signal(&kaq.child, libc::SIGCONT);
    let (code, printed, stderr) = kaq.end();
    let mut expected: Vec<String> = (0..10).map(id).collect();
    expected.extend((20..40).map(id));
    assert_eq!(printed, expected);
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("truncated") && l.contains("no copy")),
        "{stderr:?}"
    );
    assert_eq!(
        code, 0,
        "kaq had read all it had seen of the file: what the truncation took it cannot size"
    );
}

#[test]
fn ctrl_c_prints_what_was_read_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let mut kaq = Kaq::start(&w.path, &[]);
    w.write(300);
    kaq.until(300);
    signal(&kaq.child, libc::SIGINT);
    let (code, printed, _) = kaq.end();
    exactly(&printed, 0, 300);
    assert_eq!(code, 130);
}

#[test]
fn sigterm_prints_the_final_count_and_exits_143() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::create(dir.path());
    let live = w.path.clone();
    let mut child = bin()
        .args(["-F", "-v", "--count", "true", live.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("following from line") {
        line.clear();
        err.read_line(&mut line).unwrap();
    }
    w.write(250);
    // The count is printed only at the end: wait until kaq has read all 250
    // (it notes nothing per read), by rotating and waiting for the note.
    w.rotate(Rotation::Rename);
    while !line.contains("rotated") {
        line.clear();
        err.read_line(&mut line).unwrap();
    }
    signal(&child, libc::SIGTERM);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(out, "250\n");
    assert_eq!(status.code(), Some(143));
}
