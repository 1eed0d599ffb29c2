//! Inputs: directories of rotated logs, gzip, event lists, pretty-printed
//! JSON, odd whitespace and line endings, malformed and torn lines, and
//! missing paths.

use crate::util::{
    data, events, gzip, id, ids, kaq, kaq_with_stdin, make_quiet, matching, quiet_copy, s, Run,
};

#[test]
fn a_directory_is_read_oldest_backup_first_live_file_last() {
    let r = kaq(&["-v", "-o", "ndjson", "true", &data("handmade/rotated")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.audit_ids(), ids(&(1..=24).collect::<Vec<_>>()));
    // Unrelated files and the half-written .gz beside its .log are named under -v.
    assert!(
        r.stderr
            .contains("notes.txt: skipped: not an audit log name"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "audit-2024-05-01T13-00-00.000.log.gz: skipped: still being compressed; reading the uncompressed copy"
        ),
        "{}",
        r.stderr
    );
    let quiet = kaq(&["-o", "ndjson", "true", &data("handmade/rotated")]);
    assert_eq!(quiet.stderr, "", "skips are silent without -v");
}

#[test]
fn gzip_is_detected_from_bytes_and_every_member_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // No .gz in the name: detection is by magic bytes.
    let renamed = dir.path().join("captured.log");
    std::fs::copy(data("handmade/events.log.gz"), &renamed).unwrap();
    let r = kaq(&["-v", "--count", "true", &s(&renamed)]);
    assert_eq!(r.stdout, "24\n", "both gzip members: {r:?}");
    assert!(r.stderr.contains("gzip"), "{}", r.stderr);
}

#[test]
fn gzipped_backups_decoded_at_once_keep_log_order_and_line_numbers() {
    // With two or more threads, several gzipped backups are decoded at once,
    // and chunks of the mapped files after them scanned ahead; what comes
    // out must not depend on it: same events in the same order, same errors
    // with the same line numbers, as with one thread.
    let dir = tempfile::tempdir().unwrap();
    let generated = {
        let mut d = Vec::new();
        let mut gz = flate2::read::MultiGzDecoder::new(
            std::fs::File::open(data("generated/control-plane.log.gz")).unwrap(),
        );
        std::io::Read::read_to_end(&mut gz, &mut d).unwrap();
        d
    };
    let handmade = std::fs::read(events()).unwrap();
    let mut bad = handmade.clone();
    let fifth = bad
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .nth(3)
        .unwrap()
        .0;
    bad.splice(fifth + 1..fifth + 1, b"{\"verb\": oops}\n".iter().copied());
    let cut = gzip(&handmade.repeat(20));
    let files: [(&str, Vec<u8>); 6] = [
        (
            "audit-2024-05-01T10-00-00.000.log.gz",
            gzip(&generated.repeat(3)),
        ),
        ("audit-2024-05-01T11-00-00.000.log.gz", gzip(&bad)),
        (
            "audit-2024-05-01T12-00-00.000.log.gz",
            cut[..cut.len() * 2 / 3].to_vec(),
        ),
        ("audit-2024-05-01T13-00-00.000.log.gz", gzip(&generated)),
        // A plain backup of several chunks, mapped, between the streams.
        ("audit-2024-05-01T14-00-00.000.log", generated.repeat(3)),
        ("audit.log", handmade.clone()),
    ];
    for (name, bytes) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        make_quiet(&path);
    }
    let dir = s(dir.path());
    let one = kaq(&["-j", "1", "-o", "ndjson", "true", &dir]);
    assert_eq!(one.code, 2, "a bad line and a cut file: {}", one.stderr);
    assert!(
        one.stderr
            .contains("audit-2024-05-01T11-00-00.000.log.gz:5:"),
        "{}",
        one.stderr
    );
    assert!(
        one.stderr
            .contains("audit-2024-05-01T12-00-00.000.log.gz: unexpected end of file"),
        "{}",
        one.stderr
    );
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    let n = one.lines().len();
    assert!(
        n > 7 * lines(&generated) + 2 * lines(&handmade),
        "every whole event of every file: {n}"
    );
    assert_eq!(
        one.audit_ids()[n - 24..],
        ids(&(1..=24).collect::<Vec<_>>())
    );
    for threads in ["2", "4"] {
        let many = kaq(&["-j", threads, "-o", "ndjson", "true", &dir]);
        assert_eq!(many.code, one.code, "-j{threads}");
        assert!(
            many.stdout == one.stdout,
            "-j{threads}: same events, same order"
        );
        assert_eq!(many.stderr, one.stderr, "-j{threads}");
    }
}

#[test]
fn a_truncated_gzip_yields_what_decoded_and_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read(events()).unwrap();
    let gz = gzip(&input.repeat(20));
    let cut = dir.path().join("cut.log.gz");
    std::fs::write(&cut, &gz[..gz.len() * 2 / 3]).unwrap();
    let r = kaq(&["--count", "true", &s(&cut)]);
    assert_eq!(r.code, 2);
    let n: u64 = r.stdout.trim().parse().unwrap();
    assert!(n > 0 && n < 480, "decoded part processed: {n}");
    assert!(
        r.stderr.contains("cut.log.gz: unexpected end of file"),
        "{}",
        r.stderr
    );
}

#[test]
fn event_list_items_are_events() {
    let r = kaq(&["-o", "ndjson", "true", &data("handmade/eventlist.json")]);
    assert_eq!(r.audit_ids(), ids(&[1, 2, 3]));
    // Each item is printed on its own line, as JSON.
    assert!(r
        .lines()
        .iter()
        .all(|l| l.starts_with("{\"kind\":\"Event\"")));
}

#[test]
fn pretty_printed_json_with_a_bom_is_read() {
    let r = kaq(&["-o", "ndjson", "true", &data("handmade/pretty.json")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.audit_ids(), ids(&[4, 5]));
    // Compacted to one line each.
    assert_eq!(r.lines().len(), 2);
    let real = kaq(&[
        "--count",
        "true",
        &data("real/sysdiglabs__aks-audit-log/sample_KubeAuditLog_event.json"),
    ]);
    assert_eq!(real.stdout, "1\n", "{real:?}");
}

#[test]
fn crlf_blank_lines_and_a_missing_final_newline_are_fine() {
    let r = kaq(&["-o", "ndjson", "true", &data("handmade/crlf.log")]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.audit_ids(), ids(&[1, 2, 3]));
}

#[test]
fn whitespace_between_the_tokens_of_a_line_is_not_part_of_a_value() {
    // One line, spaces before every comma and closing brace.
    let line = br#"{ "kind" : "Event" , "verb" : "get" , "user" : { "username" : "bob" } , "responseStatus" : { "code" : 200 } , "stageTimestamp" : "2024-05-01T00:00:00Z" }
"#;
    let r = kaq_with_stdin(
        &[
            "--count",
            r#"verb == "get" and user.username == "bob" and responseStatus.code == 200"#,
        ],
        line,
    );
    assert_eq!((r.stdout.as_str(), r.code), ("1\n", 0), "{r:?}");
    let r = kaq_with_stdin(
        &["-o", "csv", "--by", "verb,responseStatus.code", "true"],
        line,
    );
    assert_eq!(r.lines()[1], "get,200,1,1.0000", "{r:?}");
}

#[test]
fn v1beta1_events_and_events_without_kind_are_read() {
    assert_eq!(matching(&[r#"apiVersion == "audit.k8s.io/v1beta1""#]), [18]);
    let r = kaq(&[
        "--count",
        "true",
        &data("real/falcosecurity__falco/exec_pod.json"),
    ]);
    assert_eq!(r.stdout, "1\n", "no apiVersion in this file");
}

/// A short one-line event with audit ID `id(n)`, for logs of thousands of
/// lines.
fn small_event(n: u32, verb: &str, resource: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"{}","stage":"ResponseComplete","verb":"{verb}","objectRef":{{"resource":"{resource}","namespace":"default"}},"stageTimestamp":"2024-05-01T00:00:00Z"}}"#,
        id(n)
    )
}

/// Runs `verb == "delete" and objectRef.resource == "secrets"` on lines 1 to
/// 3,000 (`line(n)` each) from stdin, printing NDJSON, with the prefilter and
/// with `--no-prefilter`.
fn delete_secrets_both_ways(line: impl Fn(u32) -> String) -> [(&'static str, Run); 2] {
    let log: String = (1..=3000).map(|n| line(n) + "\n").collect();
    let q = r#"verb == "delete" and objectRef.resource == "secrets""#;
    ["", "--no-prefilter"].map(|flag| {
        let mut args = vec!["-o", "ndjson", q];
        args.extend(Some(flag).filter(|f| !f.is_empty()));
        (flag, kaq_with_stdin(&args, log.as_bytes()))
    })
}

#[test]
fn lines_skipped_on_the_prefilter_still_count_and_a_bad_one_is_reported() {
    // Thousands of lines without "secrets" (skipped between its
    // occurrences), one cut short and one with a CRLF among them, then the
    // one match.
    let runs = delete_secrets_both_ways(|n| match n {
        1000 => small_event(n, "get", "pods")[..60].to_string(),
        2000 => small_event(n, "get", "pods") + "\r",
        2999 => small_event(n, "delete", "secrets"),
        _ => small_event(n, "get", "pods"),
    });
    for (prefilter, r) in runs {
        assert_eq!(r.audit_ids(), ids(&[2999]), "{prefilter:?}");
        assert_eq!(
            r.stderr.lines().next(),
            Some("kaq: <stdin>:1000: invalid JSON: the line ends inside a value (cut short?)"),
            "{prefilter:?}"
        );
    }
}

#[test]
fn lines_found_from_the_anchor_keep_their_line_numbers() {
    // Every line whole and clean, so the scanner goes from each occurrence
    // of "secrets" straight to its line: a bad line among them is still
    // reported with its number, and the matches come out in order.
    let runs = delete_secrets_both_ways(|n| match n {
        1 | 700 | 2999 => small_event(n, "delete", "secrets"),
        1500 => small_event(n, "get", "secrets"),
        2100 => r#"{"verb":"delete","objectRef":{"resource":"secrets"},}"#.to_string(),
        _ => small_event(n, "get", "pods"),
    });
    for (prefilter, r) in runs {
        assert_eq!(r.audit_ids(), ids(&[1, 700, 2999]), "{prefilter:?}");
        let errors: Vec<&str> = r.stderr.lines().filter(|l| l.contains(":2100:")).collect();
        assert_eq!(errors.len(), 1, "{prefilter:?}: {}", r.stderr);
        assert!(
            errors[0].starts_with("kaq: <stdin>:2100: invalid JSON"),
            "{}",
            errors[0]
        );
    }
}

#[test]
fn malformed_lines_are_reported_and_every_good_event_survives() {
    let dir = tempfile::tempdir().unwrap();
    let f = quiet_copy(&data("handmade/malformed.log"), dir.path(), "malformed.log");
    let r = kaq(&["-o", "ndjson", "true", &s(&f)]);
    assert_eq!(r.code, 2);
    assert_eq!(r.audit_ids(), ids(&[1, 2, 3, 4]));
    let name = s(&f);
    let expected = [
        format!("kaq: {name}:2: invalid JSON: the line ends inside a value (cut short?)"),
        format!("kaq: {name}:4: not an audit event: `kind` is 0"),
        format!("kaq: {name}:5: 16 NUL bytes (left by a crash?) skipped"),
        format!("kaq: {name}:6: invalid UTF-8 at column 26"),
        format!("kaq: {name}:7: invalid JSON: expected a JSON object at column 1"),
        format!("kaq: {name}:9: invalid JSON: the line ends inside a value (cut short?)"),
        "kaq: 6 malformed lines skipped".to_string(),
    ];
    assert_eq!(r.stderr.lines().collect::<Vec<_>>(), expected);
    let ignored = kaq(&["--ignore-errors", "--count", "true", &s(&f)]);
    assert_eq!((ignored.code, ignored.stdout.as_str()), (0, "4\n"));
    assert!(ignored.stderr.contains("6 malformed lines skipped"));
    let none = kaq(&["--ignore-errors", "--count", "false", &s(&f)]);
    assert_eq!(none.code, 1);
}

#[test]
fn a_torn_last_line_of_a_live_file_is_an_event_still_being_written() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("audit.log");
    std::fs::copy(data("handmade/malformed.log"), &live).unwrap();
    // Freshly written: the cut-off last line is not an error...
    let r = kaq(&["-v", "--count", "true", &s(&live)]);
    assert!(!r.stderr.contains("audit.log:9:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("skipped an incomplete last line"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("5 malformed lines skipped"),
        "{}",
        r.stderr
    );
    // ...but a complete non-event line at the end still is.
    std::fs::write(&live, b"{\"kind\": 0}").unwrap();
    let r = kaq(&["--count", "true", &s(&live)]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("audit.log:1: not an audit event"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_and_unreadable_paths_are_errors_but_others_are_read() {
    let r = kaq(&["--count", "true", "/nonexistent/audit.log", &events()]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "24\n");
    assert!(
        r.stderr
            .contains("kaq: /nonexistent/audit.log: no such file or directory"),
        "{}",
        r.stderr
    );
}

/// The same events through every reading path print byte-identical output.
#[test]
fn every_reading_path_prints_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    // Big enough for several chunks per file.
    let base = std::fs::read(events()).unwrap();
    let big = base.repeat(150);
    assert!(big.len() > 2 * kaq::chunk::CHUNK_SIZE);
    let plain = dir.path().join("big.log");
    std::fs::write(&plain, &big).unwrap();
    make_quiet(&plain);
    let gz = dir.path().join("big.log.gz");
    std::fs::write(&gz, gzip(&big)).unwrap();
    // A rotated directory of the same events: two gzipped backups, one plain, the live file.
    let rot = dir.path().join("rotated");
    std::fs::create_dir(&rot).unwrap();
    let lines: Vec<&[u8]> = big.split_inclusive(|&c| c == b'\n').collect();
    let q = lines.len() / 4;
    let parts = [
        &lines[..q],
        &lines[q..2 * q],
        &lines[2 * q..3 * q],
        &lines[3 * q..],
    ];
    let names = [
        "audit-2024-05-01T10-00-00.000.log.gz",
        "audit-2024-05-01T11-00-00.000.log.gz",
        "audit-2024-05-01T12-00-00.000.log",
        "audit.log",
    ];
    for (part, name) in parts.iter().zip(names) {
        let bytes = part.concat();
        let path = rot.join(name);
        std::fs::write(
            &path,
            if name.ends_with(".gz") {
                gzip(&bytes)
            } else {
                bytes
            },
        )
        .unwrap();
        make_quiet(&path);
    }

    for (format, filter) in [
        ("ndjson", "true"),
        ("ndjson", r#"verb == "delete" or code >= 400"#),
        ("table", r#"resource == "pods""#),
        ("csv", "true"),
        ("json", r#"user ~ "system:*""#),
    ] {
        let run = |extra: &[&str], input: &[u8]| {
            let mut args = vec!["-o", format, filter];
            args.extend_from_slice(extra);
            let r = kaq_with_stdin(&args, input);
            assert_eq!(r.code, 0, "{extra:?}: {}", r.stderr);
            r.stdout
        };
        let (p, g, d) = (s(&plain), s(&gz), s(&rot));
        let reference = run(&["-j1", "--no-mmap", &p], b"");
        assert!(!reference.is_empty());
        let variants: Vec<(&str, String)> = vec![
            ("mmap -j1", run(&["-j1", &p], b"")),
            ("mmap -j4", run(&["-j4", &p], b"")),
            ("read -j4", run(&["-j4", "--no-mmap", &p], b"")),
            ("gzip", run(&["-j4", &g], b"")),
            ("stdin", run(&["-j4", "-"], &big)),
            ("gzip stdin", run(&["-j3"], &gzip(&big))),
            ("rotated dir -j1", run(&["-j1", &d], b"")),
            ("rotated dir -j4", run(&["-j4", &d], b"")),
        ];
        for (name, out) in variants {
            assert!(out == reference, "{format} {filter}: {name} differs");
        }
    }
    // The quiet plain file really was mapped, and --no-mmap really read it.
    let v = kaq(&["-v", "--count", "true", &s(&plain)]);
    assert!(v.stderr.contains("big.log: memory-mapped"), "{}", v.stderr);
    let v = kaq(&["-v", "--no-mmap", "--count", "true", &s(&plain)]);
    assert!(v.stderr.contains("big.log: read"), "{}", v.stderr);
}
