//! Bad input: huge events, deep nesting, garbage, bad gzip, and files that
//! vanish or cannot be read.

use crate::util::{events, good_lines, gzip, id, kaq, make_quiet, s};

#[test]
fn a_64_mib_event_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.log");
    let mut line =
        br#"{"kind":"Event","auditID":"huge","verb":"update","requestObject":{"data":""#.to_vec();
    line.extend(std::iter::repeat_n(b'x', 64 << 20));
    line.extend_from_slice(b"\"}}\n");
    let mut all = good_lines()[0].clone();
    all.extend_from_slice(&line);
    all.extend_from_slice(&good_lines()[1]);
    std::fs::write(&f, all).unwrap();
    let r = kaq(&["-o", "csv", "--columns", "auditID", "true", &s(&f)]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, format!("auditID\n{}\nhuge\n{}\n", id(1), id(2)).as_str()),
        "{}",
        r.stderr
    );
}

#[test]
fn deep_nesting_and_a_million_element_array() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("shapes.log");
    let mut all = good_lines()[0].clone();
    let deep = format!(
        r#"{{"auditID":"deep","verb":"get","requestObject":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    all.extend_from_slice(deep.as_bytes());
    all.push(b'\n');
    let items: Vec<String> = (0..1_000_000).map(|i| i.to_string()).collect();
    let wide = format!(
        r#"{{"auditID":"wide","verb":"list","requestObject":{{"items":[{}]}}}}"#,
        items.join(",")
    );
    all.extend_from_slice(wide.as_bytes());
    all.push(b'\n');
    std::fs::write(&f, all).unwrap();
    let r = kaq(&["-o", "csv", "--columns", "auditID", "true", &s(&f)]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, format!("auditID\n{}\nwide\n", id(1)));
    assert!(
        r.stderr
            .contains("shapes.log:2: invalid JSON: nesting too deep"),
        "{}",
        r.stderr
    );
    let r = kaq(&["--count", "requestObject.items[*] == 999999", &s(&f)]);
    assert_eq!(r.stdout, "1\n");
}

#[test]
fn garbage_empty_files_and_binary_noise() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    let r = kaq(&["--count", "true", &s(&empty)]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "0\n", "")
    );
    let garbage = dir.path().join("garbage.log");
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    std::fs::write(&garbage, &noise).unwrap();
    let r = kaq(&["--count", "true", &s(&garbage)]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "0\n");
    assert!(r.stderr.contains("malformed lines skipped"), "{}", r.stderr);
}

#[test]
fn gzip_with_a_bad_checksum_or_trailing_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let body: Vec<u8> = good_lines().concat();
    let gz = gzip(&body);
    // CRC32 is the 8 bytes' first half before the end.
    let mut bad_crc = gz.clone();
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xFF;
    let f = dir.path().join("crc.log.gz");
    std::fs::write(&f, &bad_crc).unwrap();
    let r = kaq(&["--count", "true", &s(&f)]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "24\n", "the decoded events are still processed");
    assert!(r.stderr.contains("crc.log.gz:"), "{}", r.stderr);
    let mut trailing = gz.clone();
    trailing.extend_from_slice(b"this is not gzip\n");
    let f = dir.path().join("trailing.log.gz");
    std::fs::write(&f, &trailing).unwrap();
    let r = kaq(&["--count", "true", &s(&f)]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "24\n");
    assert!(r.stderr.contains("trailing.log.gz:"), "{}", r.stderr);
}

/// N good events with every kind of bad line between them: exactly the N
/// events come out, every bad line is named with FILE:LINE, and a total ends
/// stderr.
#[test]
fn nothing_is_lost_among_bad_lines() {
    let bad: Vec<&[u8]> = vec![
        b"{\"kind\":\"Event\",\"verb\":\"get\",\n",
        b"{\"kind\": 0}\n",
        b"\x00\x00\x00\x00\x00\x00\x00\x00\n",
        b"{\"kind\":\"Event\",\"auditID\":\"x\",\"verb\":\"g\xff\xfe\"}\n",
        b"\xde\xad\xbe\xef garbage \x01\x02\x03\n",
        b"[1, 2, 3]\n",
        b"{\"auditID\":\"a\",\"verb\":\"get\"} trailing\n",
        b"\"just a string\"\n",
        b"{\"kind\":\"Event\",\"auditID\":\"n\",\"verb\":\"get\",\"x\":1e999999999\n",
        b"{\"kind\":\"EventList\",\"items\":{}}\n",
    ];
    let good = good_lines();
    let mut file = Vec::new();
    let mut bad_lines = Vec::new();
    let mut line = 0;
    for (i, g) in good.iter().enumerate() {
        line += 1;
        file.extend_from_slice(g);
        let b = bad[i % bad.len()];
        line += 1;
        bad_lines.push(line);
        file.extend_from_slice(b);
    }
    // NULs glued before a good event: reported, and the event still read.
    line += 1;
    bad_lines.push(line);
    file.extend_from_slice(b"\x00\x00\x00");
    file.extend_from_slice(&good[0]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mixed.log");
    std::fs::write(&f, &file).unwrap();
    make_quiet(&f);
    let name = s(&f);
    let r = kaq(&["-v", "-o", "ndjson", "true", &name]);
    assert_eq!(r.code, 2);
    let mut expected: Vec<u32> = (1..=24).collect();
    expected.push(1);
    assert_eq!(
        r.audit_ids(),
        expected.iter().map(|&n| id(n)).collect::<Vec<_>>()
    );
    let reported: Vec<u64> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("kaq: {name}:")))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .collect();
    assert_eq!(reported, bad_lines);
    assert_eq!(
        r.stderr.lines().last(),
        Some(format!("kaq: {} malformed lines skipped", bad_lines.len()).as_str())
    );
    // Without -v the first 10 are shown, then the total says how many were not.
    let r = kaq(&["--count", "true", &name]);
    assert_eq!(r.stdout, "25\n");
    assert_eq!(
        r.stderr.lines().last(),
        Some(
            format!(
                "kaq: {} malformed lines skipped ({} not shown; -v shows all)",
                bad_lines.len(),
                bad_lines.len() - 10
            )
            .as_str()
        )
    );
    assert_eq!(r.stderr.lines().count(), 11);
}

#[test]
fn a_file_that_vanishes_between_discovery_and_reading_is_reported() {
    use kaq::config::{Config, Environment};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("audit-2024-01-01T00-00-00.000.log"),
        good_lines()[0].clone(),
    )
    .unwrap();
    std::fs::write(dir.path().join("audit.log"), good_lines()[1].clone()).unwrap();
    let cli = <kaq::cli::Cli as clap::Parser>::parse_from([
        "kaq",
        "-o",
        "ndjson",
        "true",
        &s(dir.path()),
    ]);
    let env = Environment {
        stdin_is_terminal: true,
        stdout_is_terminal: false,
        width: None,
        now: 0,
        default_log: None,
        cores: 2,
        no_color: false,
    };
    let cfg = Config::from_cli(cli, &env).unwrap();
    assert_eq!(cfg.inputs.len(), 2);
    std::fs::remove_file(dir.path().join("audit-2024-01-01T00-00-00.000.log")).unwrap();
    let out = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut reporter = kaq::messages::Reporter::to(Box::new(Shared(out.clone())), false, false);
    let mut stdout = Vec::new();
    let mut sink = kaq::output::sink(&cfg.output, Box::new(&mut stdout));
    let renderer = kaq::output::Renderer::new(&cfg.output);
    let engine = kaq::engine::Engine::new(&cfg).unwrap();
    let stats = engine
        .run(&renderer, &mut sink, &mut reporter, None)
        .unwrap();
    drop(sink);
    assert_eq!(stats.matches, 1, "the file still there is read");
    assert_eq!(reporter.failed_inputs(), 1);
    let err = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    assert!(
        err.contains("audit-2024-01-01T00-00-00.000.log: no such file or directory"),
        "{err}"
    );
}

#[test]
fn permission_denied_is_reported_and_other_files_still_read() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root reads any file whatever its mode, so there is no way to make
        // one unreadable here; a directory given where a file is read takes
        // the same error path.
        let dir = tempfile::tempdir().unwrap();
        let r = kaq(&[
            "--count",
            "true",
            &format!("{}/.", s(dir.path())),
            &events(),
        ]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "24\n"),
            "a directory argument is searched"
        );
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("secret.log");
    std::fs::write(&f, good_lines()[0].clone()).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    let r = kaq(&["--count", "true", &s(&f), &events()]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "24\n"));
    assert!(
        r.stderr.contains("secret.log: permission denied"),
        "{}",
        r.stderr
    );
}
