//! Live files: inputs that are truncated, rotated or appended to while kaq
//! reads them.

use std::process::Stdio;

use crate::util::{self, good_lines, ids, kaq, make_quiet, s};

/// Spawns kaq with a FIFO as its first input, writes event 1 into it, and
/// waits until kaq has opened every input (its -v note for the FIFO), so the
/// test can change files kaq holds before it reads them. kaq peeks at a
/// pipe's first bytes when opening it, hence the event. Returns the child
/// and the FIFO writer.
fn kaq_held_by_fifo(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, std::fs::File) {
    use std::io::BufRead;
    let fifo = dir.join("hold.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut all = vec!["-v"];
    all.extend_from_slice(args);
    let fifo_s = s(&fifo);
    all.insert(all.len() - 1, &fifo_s);
    let mut child = util::bin()
        .args(&all)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    std::io::Write::write_all(&mut writer, &good_lines()[0]).unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "kaq ended early");
        if line.contains("hold.fifo: stream") {
            break;
        }
    }
    child.stderr = Some(stderr.into_inner());
    (child, writer)
}

#[test]
fn a_file_truncated_during_the_run_is_an_error_not_a_crash() {
    for mmap in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.log");
        std::fs::write(&f, good_lines().concat().repeat(300)).unwrap();
        make_quiet(&f);
        let mut args = vec!["--count", "true"];
        if !mmap {
            args.insert(0, "--no-mmap");
        }
        let path = s(&f);
        args.push(&path);
        let (child, writer) = kaq_held_by_fifo(dir.path(), &args);
        std::fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_len(0)
            .unwrap();
        drop(writer);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "mmap={mmap}: {stderr}");
        if mmap {
            assert!(
                stderr.contains("a memory-mapped input was truncated while being read"),
                "{stderr}"
            );
            assert!(
                stderr.contains("hint: run again with --no-mmap"),
                "{stderr}"
            );
        } else {
            assert!(
                stderr.contains("big.log: the file shrank while being read"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn a_rotation_during_the_run_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let good = good_lines();
    std::fs::write(
        logs.join("audit-2024-05-01T11-00-00.000.log"),
        good[..12].concat(),
    )
    .unwrap();
    std::fs::write(logs.join("audit.log"), good[12..].concat()).unwrap();
    let logs_s = s(&logs);
    let (child, writer) = kaq_held_by_fifo(dir.path(), &["-o", "ndjson", "true", &logs_s]);
    // The API server rotates: the live file becomes a backup, a new live file
    // starts, and the oldest backup is cleaned up.
    std::fs::rename(
        logs.join("audit.log"),
        logs.join("audit-2024-05-01T12-00-00.000.log"),
    )
    .unwrap();
    std::fs::write(logs.join("audit.log"), good[0].clone()).unwrap();
    std::fs::remove_file(logs.join("audit-2024-05-01T11-00-00.000.log")).unwrap();
    drop(writer);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["auditID"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut expected = vec![1];
    expected.extend(1..=24);
    assert_eq!(
        got,
        ids(&expected),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_log_being_appended_yields_whole_events_present_at_the_start() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("audit.log");
    let line = |n: usize| {
        format!(
            r#"{{"kind":"Event","auditID":"{n:08}","verb":"get","stage":"ResponseComplete","pad":"{}"}}"#,
            "p".repeat(n % 300)
        ) + "\n"
    };
    let mut w = std::fs::File::create(&f).unwrap();
    for n in 0..20_000 {
        w.write_all(line(n).as_bytes()).unwrap();
    }
    let before = 20_000;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let (started, has_started) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        // Thousands of events a second, each written in two halves with a
        // pause between them, so that readers see torn lines. The pace and
        // the cap keep the file small, and so the five reads quick.
        let mut n = before;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) && n < 2 * before {
            let l = line(n);
            let (a, b) = l.as_bytes().split_at(l.len() / 2);
            w.write_all(a).unwrap();
            if n == before {
                started.send(()).unwrap();
            }
            std::thread::sleep(std::time::Duration::from_micros(100));
            w.write_all(b).unwrap();
            n += 1;
        }
    });
    // The reads start with the writer at work.
    has_started.recv().unwrap();
    let mut results = Vec::new();
    for _ in 0..5 {
        let r = kaq(&["-o", "csv", "--columns", "auditID", "true", &s(&f)]);
        results.push(r);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    for r in results {
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stderr, "",
            "a torn last line of a live file is not an error"
        );
        let got: Vec<usize> = r
            .stdout
            .lines()
            .skip(1)
            .map(|l| l.parse().unwrap())
            .collect();
        assert!(
            got.len() >= before,
            "events present at the start are all there"
        );
        assert!(
            got.iter().enumerate().all(|(i, &n)| i == n),
            "in order, whole, no gaps"
        );
    }
}
