//! Helpers: run the kaq binary in a clean environment and look at what it did,
//! and name the events of the hand-made and real test data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// What one run of kaq did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The `auditID` of each NDJSON output line.
    pub fn audit_ids(&self) -> Vec<String> {
        self.stdout
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("ndjson line");
                v["auditID"].as_str().unwrap_or_default().to_string()
            })
            .collect()
    }
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kaq"));
    c.env_clear();
    c
}

/// Runs kaq with `args` and empty stdin.
pub fn kaq(args: &[&str]) -> Run {
    kaq_with_stdin(args, b"")
}

/// Runs kaq with `args`, feeding `input` on stdin.
pub fn kaq_with_stdin(args: &[&str], input: &[u8]) -> Run {
    let mut cmd = bin();
    run(cmd.args(args), input)
}

pub fn run(cmd: &mut Command, input: &[u8]) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kaq runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("kaq finishes");
    writer.join().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A path under `testdata/`.
pub fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
        .display()
        .to_string()
}

/// Marks a file as untouched for two hours, so that kaq memory-maps it.
pub fn make_quiet(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(7200))
        .unwrap();
}

/// Copies a file into `dir` and makes it quiet; returns the copy's path.
pub fn quiet_copy(src: &str, dir: &Path, name: &str) -> PathBuf {
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap();
    make_quiet(&dst);
    dst
}

/// Gzips `data` as one member.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A rotated backup as lumberjack's `compress` leaves it: gzipped beside
/// it, the plain file removed.
pub fn gzip_and_remove(backup: &Path) {
    let data = std::fs::read(backup).unwrap();
    std::fs::write(backup.with_extension("log.gz"), gzip(&data)).unwrap();
    std::fs::remove_file(backup).unwrap();
}

/// Opens a log for appending, as a writer of it does (created if missing).
pub fn open_append(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

pub fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Events 19 and 20 are two stages (RequestReceived, ResponseComplete) of
/// one request and share event 19's auditID.
fn canon(n: u32) -> u32 {
    if n == 20 {
        19
    } else {
        n
    }
}

/// The hand-made events are numbered 1..=24; this is event `n`'s auditID.
pub fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{:012}", canon(n))
}

/// Event numbers as `matching` reports them (by auditID).
pub fn nums(ns: &[u32]) -> Vec<u32> {
    ns.iter().map(|&n| canon(n)).collect()
}

pub fn ids(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|&n| id(n)).collect()
}

pub fn events() -> String {
    data("handmade/events.log")
}

/// Runs a filter over the hand-made events as NDJSON; returns the event numbers.
pub fn matching(args: &[&str]) -> Vec<u32> {
    let mut all = vec!["-o", "ndjson"];
    all.extend_from_slice(args);
    let ev = events();
    all.push(&ev);
    let r = kaq(&all);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {r:?}");
    r.audit_ids()
        .iter()
        .map(|i| i.rsplit('-').next().unwrap().parse().unwrap())
        .collect()
}

/// The hand-made events' lines, each with its newline.
pub fn good_lines() -> Vec<Vec<u8>> {
    std::fs::read(events())
        .unwrap()
        .split_inclusive(|&c| c == b'\n')
        .map(|l| l.to_vec())
        .collect()
}

/// The real samples from other projects (see testdata/README.md).
pub fn real(filter: &str) -> Vec<String> {
    let r = kaq(&["-o", "ndjson", "--ignore-errors", filter, &data("real")]);
    assert!(r.code == 0 || r.code == 1, "{filter}: {r:?}");
    r.audit_ids()
}

/// The Python interpreter that has the real engines (`duckdb`, `chdb`,
/// `pyspark`, `sigma`) the differential tests compare kaq with: `KAQ_PYTHON`,
/// else `.venv/bin/python` (made by `.ci/run` from
/// `tests/engines/requirements.txt`). `None`, after saying so on stderr,
/// when it lacks `module`; under `CI` that is a failure instead, so that a
/// green CI means the engines ran.
pub fn engine_python(module: &str) -> Option<PathBuf> {
    let python = std::env::var_os("KAQ_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    let has = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has {
        return Some(python);
    }
    let why = format!(
        "{} cannot import `{module}`; run `python3 -m venv .venv && .venv/bin/pip install -r tests/engines/requirements.txt`",
        python.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI is set and the engine is missing: {why}");
    }
    eprintln!("skipped: {why}");
    None
}
