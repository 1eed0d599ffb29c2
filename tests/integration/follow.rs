//! `kaq -F`: following a live log while a writer appends to it, rotates it
//! (rename, with and without gzip of the backup), truncates it, and removes
//! and recreates it. kaq must print exactly the matching events written
//! after it started, in order, once each.
//!
//! The writer is this test's thread, writing through its own descriptors as
//! the API server does: each event in two writes (so kaq sees partial
//! lines), at a steady pace. Before a rotation it waits until kaq has
//! printed what it had written, then writes a burst kaq has not read and
//! rotates at once: that burst can only come from draining the old file.
//! kaq ends itself with `-m`, after the last expected event; a lost event
//! would make it wait forever (the test fails on a timeout), a duplicate
//! would show in the comparison.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use crate::util::{bin, gzip_and_remove, open_append};

/// Event `i`: every third one is a delete, the rest gets.
fn event(i: usize) -> String {
    let verb = if i % 3 == 0 { "delete" } else { "get" };
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"e-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/configmaps/c{i}","verb":"{verb}","user":{{"username":"writer"}},"objectRef":{{"resource":"configmaps","namespace":"default","name":"c{i}"}},"responseStatus":{{"code":200}},"stageTimestamp":"2024-05-01T00:00:00.000000Z"}}"#
    )
}

fn matching(ids: impl Iterator<Item = usize>) -> Vec<String> {
    ids.filter(|i| i % 3 == 0)
        .map(|i| format!("e-{i}"))
        .collect()
}

/// The live log as the API server writes it.
struct Writer {
    path: PathBuf,
    file: File,
    next: usize,
}

impl Writer {
    fn create(path: &Path) -> Writer {
        Writer {
            path: path.to_path_buf(),
            file: open_append(path),
            next: 0,
        }
    }

    /// Writes `n` events, each in two writes; `pace` between events.
    fn write(&mut self, n: usize, pace: Duration) {
        for _ in 0..n {
            let line = format!("{}\n", event(self.next));
            let (a, b) = line.split_at(line.len() / 2);
            self.file.write_all(a.as_bytes()).unwrap();
            self.file.flush().unwrap();
            if !pace.is_zero() {
                std::thread::sleep(pace / 2);
            }
            self.file.write_all(b.as_bytes()).unwrap();
            self.file.flush().unwrap();
            if !pace.is_zero() {
                std::thread::sleep(pace / 2);
            }
            self.next += 1;
        }
    }

    /// Renames the log to a lumberjack backup (gzipping it and removing
    /// the plain copy, if asked) and opens a new one.
    fn rotate(&mut self, k: usize, gzip: bool) {
        let backup = self
            .path
            .with_file_name(format!("audit-2024-05-01T00-00-{k:02}.000.log"));
        std::fs::rename(&self.path, &backup).unwrap();
        self.file = open_append(&self.path);
        if gzip {
            gzip_and_remove(&backup);
        }
    }
}

/// A running `kaq -F`, its stdout and stderr lines arriving on channels.
struct Follower {
    child: Child,
    out: Receiver<String>,
    err: Receiver<String>,
    printed: Vec<String>,
}

const PATIENCE: Duration = Duration::from_secs(20);

impl Follower {
    fn start(args: &[&str]) -> Follower {
        let format: &[&str] = if args.contains(&"-o") {
            &[]
        } else {
            &["-o", "ndjson"]
        };
        let mut child = bin()
            .args(["-F", "-v"])
            .args(format)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kaq runs");
        let lines = |r: Box<dyn std::io::Read + Send>| {
            let (tx, rx) = channel();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        };
        let out = lines(Box::new(child.stdout.take().unwrap()));
        let err = lines(Box::new(child.stderr.take().unwrap()));
        let f = Follower {
            child,
            out,
            err,
            printed: Vec::new(),
        };
        // Started: it has opened the live file (or knows it is missing).
        f.stderr_until(|l| l.contains("following from line") || l.contains("waiting for it"));
        f
    }

    /// Follows `path` for deletes, ending by itself after the events of
    /// `expected`, which [`Follower::prints`] then checks.
    fn deletes(path: &Path, expected: &[String]) -> Follower {
        let n = expected.len().to_string();
        Follower::start(&["-m", &n, r#"verb == "delete""#, path.to_str().unwrap()])
    }

    /// Ends the run and checks that it printed exactly `expected` and
    /// exited 0.
    fn prints(self, expected: &[String]) {
        let (code, printed) = self.end();
        assert_eq!(printed, expected);
        assert_eq!(code, 0);
    }

    fn stderr_until(&self, found: impl Fn(&str) -> bool) -> String {
        loop {
            match self.err.recv_timeout(PATIENCE) {
                Ok(l) if found(&l) => return l,
                Ok(_) => {}
                Err(e) => panic!("kaq said nothing expected on stderr: {e}"),
            }
        }
    }

    /// Waits until `n` events in all were printed; returns their auditIDs.
    fn until(&mut self, n: usize) -> &[String] {
        while self.printed.len() < n {
            match self.out.recv_timeout(PATIENCE) {
                Ok(line) => {
                    let v: serde_json::Value =
                        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                    self.printed
                        .push(v["auditID"].as_str().unwrap_or_default().to_string());
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let stderr: Vec<String> = self.err.try_iter().collect();
                    panic!(
                        "waited for event {} of {n}; printed so far: {:?}\nstderr: {stderr:?}",
                        self.printed.len() + 1,
                        self.printed
                    );
                }
            }
        }
        &self.printed
    }

    /// Waits until `n` lines were printed; returns them (not events).
    fn lines(&mut self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                self.out.recv_timeout(PATIENCE).unwrap_or_else(|_| {
                    let _ = self.child.kill();
                    panic!("waited for line {} of {n}", i + 1)
                })
            })
            .collect()
    }

    /// Ends kaq as Ctrl-C would (SIGTERM takes the same path); returns its
    /// exit status and the lines it printed since the last call.
    #[cfg(unix)]
    fn interrupt(mut self) -> (i32, Vec<String>) {
        // SAFETY: kill(2) with our own child's pid and a valid signal number
        // touches no memory of this process.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let status = self.child.wait().unwrap();
        (status.code().unwrap_or(-1), self.out.iter().collect())
    }

    /// Waits for kaq to end by itself (`-m`); returns its exit status and
    /// everything it printed.
    fn end(mut self) -> (i32, Vec<String>) {
        let mut waited = Duration::ZERO;
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if waited > PATIENCE {
                let _ = self.child.kill();
                panic!("kaq did not stop after its last event");
            }
            std::thread::sleep(Duration::from_millis(20));
            waited += Duration::from_millis(20);
        };
        // Lines still in the pipe.
        for line in self.out.iter() {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            self.printed
                .push(v["auditID"].as_str().unwrap_or_default().to_string());
        }
        (status.code().unwrap_or(-1), self.printed)
    }
}

/// Five rotations at a steady pace, each after a burst kaq had not read.
fn rotations(gzip: bool) {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    let mut w = Writer::create(&live);
    // Written before kaq starts: not printed (it starts at the end).
    w.write(10, Duration::ZERO);
    let first = w.next;
    let (files, steady, burst, last) = (5, 60, 25, 40);
    let total = files * (steady + burst) + last;
    let expected = matching(first..first + total);
    let mut kaq = Follower::deletes(&live, &expected);
    for k in 0..files {
        w.write(steady, Duration::from_millis(1));
        kaq.until(matching(first..w.next).len());
        w.write(burst, Duration::ZERO);
        w.rotate(k, gzip);
    }
    w.write(last, Duration::from_millis(1));
    kaq.prints(&expected);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let gzipped = names.iter().filter(|n| n.ends_with(".gz")).count();
    assert_eq!(gzipped, if gzip { files } else { 0 }, "{names:?}");
}

#[test]
fn follows_across_renames() {
    rotations(false);
}

#[test]
fn follows_across_renames_with_gzipped_backups() {
    rotations(true);
}

#[test]
fn follows_a_truncated_log() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    let mut w = Writer::create(&live);
    let expected = matching(0..60);
    let mut kaq = Follower::deletes(&live, &expected);
    w.write(30, Duration::from_millis(1));
    kaq.until(matching(0..30).len());
    // copytruncate: the log is copied, then cut to nothing; the writer's
    // descriptor (O_APPEND) goes on writing at the new end.
    std::fs::copy(&live, dir.path().join("audit.log.1")).unwrap();
    OpenOptions::new()
        .write(true)
        .open(&live)
        .unwrap()
        .set_len(0)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    w.write(30, Duration::from_millis(1));
    kaq.prints(&expected);
}

#[test]
fn follows_a_log_removed_and_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    let mut w = Writer::create(&live);
    let expected = matching(0..60);
    let mut kaq = Follower::deletes(&live, &expected);
    w.write(30, Duration::from_millis(1));
    kaq.until(matching(0..30).len());
    std::fs::remove_file(&live).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    w.file = open_append(&live);
    w.write(30, Duration::from_millis(1));
    kaq.prints(&expected);
}

#[test]
fn waits_for_a_log_that_does_not_exist_yet_and_reads_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    let expected = matching(0..30);
    let kaq = Follower::deletes(&live, &expected);
    let mut w = Writer::create(&live);
    w.write(30, Duration::from_millis(1));
    kaq.prints(&expected);

    // A directory: its live log is followed, its backups are not read.
    std::fs::write(
        dir.path().join("audit-2024-05-01T00-00-00.000.log"),
        event(3) + "\n",
    )
    .unwrap();
    let kaq = Follower::start(&[
        "-m",
        "1",
        r#"verb == "delete""#,
        dir.path().to_str().unwrap(),
    ]);
    w.next = 300;
    w.write(3, Duration::from_millis(1));
    let (code, printed) = kaq.end();
    assert_eq!(printed, ["e-300"]);
    assert_eq!(code, 0);
}

#[test]
fn from_start_and_since_replay_the_past_first() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    let mut w = Writer::create(&live);
    w.write(9, Duration::ZERO);
    w.rotate(0, true);
    w.write(9, Duration::ZERO);
    let path = live.to_str().unwrap();
    // --from-start: the live file from its start, not the backup.
    let kaq = Follower::start(&["--from-start", "-m", "3", r#"verb == "delete""#, path]);
    let (_, printed) = kaq.end();
    assert_eq!(printed, ["e-9", "e-12", "e-15"]);
    // --since: the backups too (the events' 2024 times are all after it).
    let kaq = Follower::start(&[
        "--since",
        "2020-01-01T00:00:00Z",
        "-m",
        "6",
        r#"verb == "delete""#,
        path,
    ]);
    let (_, printed) = kaq.end();
    assert_eq!(printed, ["e-0", "e-3", "e-6", "e-9", "e-12", "e-15"]);
    // --since with no backups: still the live file from its start.
    let other = dir.path().join("other.log");
    std::fs::write(&other, event(0) + "\n").unwrap();
    let kaq = Follower::start(&[
        "--since",
        "2020-01-01T00:00:00Z",
        "-m",
        "1",
        r#"verb == "delete""#,
        other.to_str().unwrap(),
    ]);
    assert_eq!(kaq.end().1, ["e-0"]);
}

#[test]
fn detect_follows_and_reports_findings_live() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    std::fs::write(&live, "").unwrap();
    let mut kaq = Follower::start(&[
        "-m",
        "1",
        "detect",
        "--only",
        "secret-read",
        live.to_str().unwrap(),
    ]);
    let mut f = open_append(&live);
    let secret = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"s-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets/db","verb":"get","user":{"username":"mallory"},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"secrets","namespace":"default","name":"db","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2024-05-01T00:00:00.000000Z"}"#;
    writeln!(f, "{secret}").unwrap();
    let line = kaq.out.recv_timeout(PATIENCE).expect("a finding");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["rule"], "secret-read", "{line}");
    let status = kaq.child.wait().unwrap();
    // detect's exit status: 1, a finding at or above --fail-on.
    assert_eq!(status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn every_prints_each_bucket_when_it_closes() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    std::fs::write(&live, "").unwrap();
    let mut kaq = Follower::start(&["--every", "1m", "-o", "csv", "true", live.to_str().unwrap()]);
    let mut f = open_append(&live);
    for (i, (m, s)) in [(0, 1), (0, 2), (0, 30), (2, 5), (2, 6)].iter().enumerate() {
        writeln!(
            f,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"t-{i}","stage":"ResponseComplete","verb":"get","user":{{"username":"w"}},"stageTimestamp":"2024-05-01T00:{m:02}:{s:02}.000000Z"}}"#
        )
        .unwrap();
    }
    // Minute 0 and the empty minute 1 closed when minute 2 began.
    assert_eq!(
        kaq.lines(3),
        [
            "time,count",
            "2024-05-01T00:00:00.000000Z,3",
            "2024-05-01T00:01:00.000000Z,0"
        ]
    );
    // Minute 2 is still open: printed when kaq stops.
    let (code, rest) = kaq.interrupt();
    assert_eq!(rest, ["2024-05-01T00:02:00.000000Z,2"]);
    assert_eq!(code, 143, "SIGTERM: 128 + 15, after the last bucket");
}
