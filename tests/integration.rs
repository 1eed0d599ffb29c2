//! kaq's end-to-end tests: one binary, run the way the README runs it.

mod detect;
mod follow;
mod golden;
mod policy;
mod semantics;
mod util;

use std::io::Read;
use std::process::Stdio;

use util::{data, gzip, kaq, kaq_with_stdin, make_quiet, quiet_copy, s, Run};

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
fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{:012}", canon(n))
}

/// Event numbers as `matching` reports them (by auditID).
fn nums(ns: &[u32]) -> Vec<u32> {
    ns.iter().map(|&n| canon(n)).collect()
}

fn ids(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|&n| id(n)).collect()
}

fn events() -> String {
    data("handmade/events.log")
}

/// Runs a filter over the hand-made events as NDJSON; returns the event numbers.
fn matching(args: &[&str]) -> Vec<u32> {
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

// ---------------------------------------------------------------- command line

#[test]
fn the_readme_example_finds_secret_deletes_in_a_rotated_directory() {
    let r = kaq(&[
        "-o",
        "ndjson",
        r#"verb == "delete" and objectRef.resource == "secrets""#,
        &data("handmade/rotated/"),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.audit_ids(), ids(&[3, 24]));
}

#[test]
fn true_matches_every_event() {
    assert_eq!(matching(&["true"]), nums(&(1..=24).collect::<Vec<_>>()));
}

#[test]
fn dash_e_makes_every_positional_a_path() {
    let ev = events();
    let r = kaq(&["--count", "-e", r#"verb == "delete""#, &ev, &ev]);
    assert_eq!(r.stdout, "8\n");
}

#[test]
fn several_paths_are_read_in_the_order_given() {
    let r = kaq(&[
        "-o",
        "ndjson",
        r#"auditID == "00000000-0000-4000-8000-000000000001""#,
        &data("handmade/crlf.log"),
        &events(),
    ]);
    assert_eq!(r.audit_ids(), ids(&[1, 1]));
}

#[test]
fn a_path_instead_of_a_filter_reads_it_with_the_shorthand_flags() {
    let r = kaq(&["--verb", "delete", "--count", &events()]);
    assert_eq!(r.stdout, "4\n", "{r:?}");
}

#[test]
fn no_filter_is_a_usage_error() {
    let r = kaq(&[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("kaq: error: no filter given"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: `kaq true FILE`"), "{}", r.stderr);
}

#[test]
fn no_path_reads_piped_stdin() {
    let input = std::fs::read(events()).unwrap();
    let r = kaq_with_stdin(&["--count", r#"verb == "delete""#], &input);
    assert_eq!(r.stdout, "4\n");
    let r = kaq_with_stdin(&["--count", r#"verb == "delete""#, "-"], &gzip(&input));
    assert_eq!(r.stdout, "4\n", "gzip on stdin is detected from its bytes");
}

#[test]
fn no_path_on_a_terminal_reads_the_default_log_and_its_backups() {
    use kaq::config::{Config, Environment};
    use kaq::input::Input;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("audit.log"), "").unwrap();
    std::fs::write(dir.path().join("audit-2024-01-01T00-00-00.000.log.gz"), "").unwrap();
    std::fs::write(dir.path().join("other.log"), "").unwrap();
    let env = |log: std::path::PathBuf| Environment {
        stdin_is_terminal: true,
        stdout_is_terminal: false,
        width: None,
        now: 0,
        default_log: Some(log),
        cores: 2,
        no_color: false,
    };
    let cli = <kaq::cli::Cli as clap::Parser>::parse_from(["kaq", "true"]);
    let cfg = Config::from_cli(cli, &env(dir.path().join("audit.log"))).unwrap();
    assert_eq!(
        cfg.inputs,
        vec![
            Input::File(dir.path().join("audit-2024-01-01T00-00-00.000.log.gz")),
            Input::File(dir.path().join("audit.log")),
        ]
    );
    let cli = <kaq::cli::Cli as clap::Parser>::parse_from(["kaq", "true"]);
    let err = Config::from_cli(cli, &env(dir.path().join("missing.log")))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("no input: stdin is a terminal"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn threads_and_no_mmap_are_accepted() {
    for args in [["-j", "1"], ["-j", "3"], ["--threads", "2"]] {
        let mut a = vec!["--count", "--no-mmap", "true"];
        a.extend_from_slice(&args);
        let ev = events();
        a.push(&ev);
        assert_eq!(kaq(&a).stdout, "24\n");
    }
}

// ---------------------------------------------------------------- inputs

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

// ---------------------------------------------------------------- filters

#[test]
fn filters_over_the_hand_made_events() {
    let cases: &[(&str, &[u32])] = &[
        (r#"verb == "delete" and resource == "secrets""#, &[3, 24]),
        (r#"objectRef.subresource == "exec""#, &[4]),
        (r#"subresource in ["exec", "attach"]"#, &[4, 15]),
        (r#"requestURI contains "169.254.169.254""#, &[4]),
        (r#"uri contains "command=sh&command""#, &[4]),
        ("code == 403", &[2, 14, 16]),
        ("code >= 400 and code < 500", &[2, 10, 14, 16]),
        (
            r#"user ~ "system:serviceaccount:kube-system:*""#,
            &[1, 13, 16],
        ),
        (r#"ip == "198.51.100.7""#, &[10, 12]),
        (r#"ip startswith "192.168.""#, &[24]),
        ("exists(impersonatedUser)", &[14]),
        (r#"as == "bob""#, &[14]),
        (r#""system:masters" in user.groups"#, &[14]),
        (r#"decision == "forbid""#, &[2, 10, 14, 16]),
        (
            r#"annotations["authorization.k8s.io/decision"] == "forbid" and ns == "kube-system""#,
            &[16],
        ),
        (r#"stage == "RequestReceived""#, &[19]),
        (r#"apiGroup == "apps""#, &[11]),
        (
            r#"objectRef.apiGroup == "" and verb == "delete""#,
            &[3, 12, 18, 24],
        ),
        (r#"userAgent =~ "^kubelet/""#, &[9]),
        (
            r#"time >= "2024-05-01T13:00:00Z""#,
            &[19, 20, 21, 22, 23, 24],
        ),
        (r#"time < "2024-05-01T12:00:00+01:00""#, &[1, 2, 3, 4, 5, 6]),
        (
            r#"not (verb in ["get", "list", "watch"]) and user !~ "^system:""#,
            &[3, 4, 5, 6, 7, 8, 11, 12, 15, 17, 18, 19, 20, 23, 24],
        ),
        // Privileged pods: any container, init containers included.
        (
            r#"resource == "pods" and verb in ["create", "update"] and
               (requestObject.spec.containers[*].securityContext.privileged == true or
                requestObject.spec.initContainers[*].securityContext.privileged == true)"#,
            &[5, 17],
        ),
        (r#"requestObject.spec.hostNetwork == true"#, &[17]),
        (
            r#"requestObject.spec.volumes[*].hostPath.path == "/""#,
            &[17],
        ),
        (r#"requestObject.roleRef.name == "cluster-admin""#, &[6]),
        // RBAC rules: one rule must grant both.
        (
            r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#,
            &[7],
        ),
        (
            r#""pods/exec" in requestObject.rules[*].resources and "create" in requestObject.rules[*].verbs"#,
            &[7, 8],
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(matching(&[filter]), nums(expected), "{filter}");
    }
}

#[test]
fn shorthand_flags_are_anded_with_the_filter() {
    let cases: &[(&[&str], &[u32])] = &[
        (&["--verb", "delete", "true"], &[3, 12, 18, 24]),
        (
            &["--verb", "get,list", "--code", "403", "true"],
            &[2, 14, 16],
        ),
        (&["--resource", "pods/exec", "true"], &[4]),
        (
            &["--resource", "secrets", "-n", "default", "true"],
            &[3, 24],
        ),
        (&["--namespace", "prod", r#"verb == "patch""#], &[11]),
        (
            &["--user", "system:serviceaccount:kube-system:*", "true"],
            &[1, 13, 16],
        ),
        (&["--code", "4xx", "true"], &[2, 10, 14, 16]),
        (&["--code", "101", "true"], &[4, 15]),
        (&["--stage", "responsestarted", "true"], &[4, 9, 15]),
        (
            &["--since", "2024-05-01T13:00:00Z", "true"],
            &[19, 20, 21, 22, 23, 24],
        ),
        (
            &["--until", "2024-05-01T11:00:00Z", "true"],
            &[1, 2, 3, 4, 5, 6],
        ),
        (
            &[
                "--since",
                "2024-05-01T12:00:14Z",
                "--until",
                "2024-05-01T12:00:16Z",
                "true",
            ],
            &[14, 15],
        ),
        // The log is from 2024: nothing in the last hour, everything before it.
        (&["--since", "1h", "true"], &[]),
        (
            &["--until", "90m", "--verb", "delete", "true"],
            &[3, 12, 18, 24],
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(matching(args), nums(expected), "{args:?}");
    }
}

#[test]
fn bad_shorthand_values_are_usage_errors() {
    for (args, msg) in [
        (
            vec!["--code", "4x"],
            "--code \"4x\": expected a code such as 403 or a class such as 4xx",
        ),
        (vec!["--code", "9xx"], "a class is 1xx to 5xx"),
        (
            vec!["--since", "yesterday"],
            "--since \"yesterday\": expected a duration (90m, 2h, 7d) or an RFC 3339 time",
        ),
        (
            vec!["--stage", "Done"],
            "expected one of RequestReceived, ResponseStarted, ResponseComplete, Panic",
        ),
        (
            vec!["--resource", "pods/"],
            "expected `pods` or `pods/exec`",
        ),
    ] {
        let mut a = args.clone();
        let ev = events();
        a.extend(["true", &ev]);
        let r = kaq(&a);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(msg), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_bad_filter_shows_a_caret_and_exits_2() {
    let r = kaq(&["verb == )", &events()]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "kaq: error: invalid filter: expected a field or a value, found `)`\n  verb == )\n          ^\n"
    );
    let r = kaq(&[r#"objectRef.resorce == "pods""#, &events()]);
    assert_eq!(
        r.stderr,
        "kaq: error: invalid filter: `objectRef` has no field `resorce`\n  objectRef.resorce == \"pods\"\n  ^^^^^^^^^^^^^^^^^\nhint: did you mean objectRef.resource?\n"
    );
    let r = kaq(&[r#"code == "403""#, &events()]);
    assert_eq!(r.code, 2);
    assert!(r
        .stderr
        .contains("type mismatch: `responseStatus.code` is a number, but \"403\" is a string"));
    assert!(r
        .stderr
        .contains("hint: write responseStatus.code == 403, without quotes"));
    let r = kaq(&[r#"user =~ "(unclosed""#, &events()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid regex"), "{}", r.stderr);
}

// ---------------------------------------------------------------- output

#[test]
fn ndjson_prints_the_input_bytes_unchanged() {
    let r = kaq(&["-o", "ndjson", "true", &events()]);
    assert_eq!(r.stdout, std::fs::read_to_string(events()).unwrap());
}

#[test]
fn json_is_one_array() {
    let r = kaq(&["-o", "json", r#"verb == "delete""#, &events()]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let got: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["auditID"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids(&[3, 12, 18, 24]));
    let empty = kaq(&["-o", "json", "false", &events()]);
    assert_eq!((empty.code, empty.stdout.as_str()), (1, "[]\n"));
}

#[test]
fn table_shows_the_columns_a_responder_needs() {
    let r = kaq(&[
        r#"auditID in ["00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000014", "00000000-0000-4000-8000-000000000010"]"#,
        &events(),
    ]);
    let lines = r.lines();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    let cols: Vec<&str> = lines[0]
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        cols,
        [
            "TIME",
            "USER",
            "VERB",
            "RESOURCE",
            "OBJECT",
            "CODE",
            "SOURCE IP"
        ]
    );
    let row: Vec<&str> = lines[1]
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        row,
        [
            "2024-05-01T10:00:04.112004Z",
            "alice",
            "create",
            "pods/exec",
            "default/web",
            "101",
            "10.0.0.5"
        ]
    );
    // A non-resource request shows its URL path; impersonation shows both users.
    assert!(
        lines[2].contains("system:anonymous") && lines[2].contains("/healthz"),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("system:admin (as bob)"), "{}", lines[3]);
}

#[test]
fn wide_adds_stage_level_agent_latency_and_audit_id() {
    let r = kaq(&["-o", "wide", r#"verb == "patch""#, &events()]);
    let header = r.lines()[0].to_string();
    for col in ["STAGE", "LEVEL", "USERAGENT", "LATENCY", "AUDITID"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        r.lines()[1].contains("1.2s") && r.lines()[1].contains(&id(11)),
        "{}",
        r.stdout
    );
}

#[test]
fn csv_and_tsv_with_chosen_columns() {
    let cols = "time,user.username,verb,objectRef.name,sourceIPs,latency";
    let r = kaq(&[
        "-o",
        "csv",
        "--columns",
        cols,
        r#"auditID == "00000000-0000-4000-8000-000000000024""#,
        &events(),
    ]);
    assert_eq!(
        r.stdout,
        "time,user.username,verb,objectRef.name,sourceIPs,latency\n2024-05-01T13:00:24.112024Z,alice,delete,api-key,\"10.0.0.5,192.168.1.20\",0.012\n"
    );
    let r = kaq(&[
        "-o",
        "tsv",
        "--columns",
        "verb,userAgent",
        r#"user == "eve""#,
        &events(),
    ]);
    assert_eq!(
        r.stdout,
        "verb\tuserAgent\nget\tevil\u{1b}[31mRED\u{1b}[0m\\rtool\n"
    );
    let r = kaq(&[
        "-o",
        "csv",
        "--columns",
        "verb,objectRef.nme",
        "true",
        &events(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean objectRef.name?"),
        "{}",
        r.stderr
    );
    let r = kaq(&["-o", "ndjson", "--columns", "verb", "true", &events()]);
    assert_eq!(r.code, 2);
}

#[test]
fn control_characters_never_reach_the_table_raw() {
    let r = kaq(&["-o", "wide", r#"user == "eve""#, &events()]);
    assert!(
        !r.stdout.contains('\u{1b}') && !r.stdout.contains('\r'),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout.contains("evil\\u{1b}[31mRED\\u{1b}[0m\\rtool"),
        "{}",
        r.stdout
    );
}

#[test]
fn count_and_limit() {
    assert_eq!(kaq(&["--count", "code >= 400", &events()]).stdout, "4\n");
    let r = kaq(&["-o", "ndjson", "--limit", "2", "code >= 400", &events()]);
    assert_eq!(r.audit_ids(), ids(&[2, 10]));
    assert_eq!(
        kaq(&["--count", "-m", "3", "true", &events()]).stdout,
        "3\n"
    );
}

#[test]
fn limit_stops_reading_early() {
    // An endless stdin: kaq must stop once it has its matches.
    let mut child = util::bin()
        .args(["-o", "ndjson", "--limit", "5", "true"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = std::fs::read(events()).unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        for _ in 0..100_000 {
            if stdin.write_all(&line).is_err() {
                return true; // kaq closed its stdin: it stopped reading
            }
        }
        false
    });
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
    assert!(writer.join().unwrap(), "kaq read all 100,000 copies");
}

#[test]
fn exit_codes_follow_grep() {
    assert_eq!(kaq(&["--count", "true", &events()]).code, 0);
    assert_eq!(kaq(&["--count", "false", &events()]).code, 1);
    assert_eq!(kaq(&["--count", "verb ==", &events()]).code, 2);
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.log");
    std::fs::write(&big, std::fs::read(events()).unwrap().repeat(400)).unwrap();
    let mut child = util::bin()
        .args(["-o", "ndjson", "true", &s(&big)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

// ---------------------------------------------------------------- real samples

/// The real samples from other projects (see testdata/README.md).
fn real(filter: &str) -> Vec<String> {
    let r = kaq(&["-o", "ndjson", "--ignore-errors", filter, &data("real")]);
    assert!(r.code == 0 || r.code == 1, "{filter}: {r:?}");
    r.audit_ids()
}

#[test]
fn real_samples_read_completely() {
    let r = kaq(&["--count", "true", &data("real")]);
    // 98 plain events and 23 in AKS envelopes (22 in one Event Hubs batch).
    assert_eq!(r.stdout, "121\n");
    // The one garbage fixture is reported, and nothing else.
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("fal_01_003.json:1: not an audit event: `kind` is 0"),
        "{}",
        r.stderr
    );
}

#[test]
fn real_samples_exec_into_pods() {
    assert_eq!(
        real(r#"objectRef.subresource == "exec""#),
        [
            "57a794de-44d3-40ee-a0ad-c0eb096eef6c",
            "ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6"
        ]
    );
}

#[test]
fn real_samples_privileged_pods() {
    assert_eq!(
        real(
            r#"resource == "pods" and verb in ["create", "update"] and
               (requestObject.spec.containers[*].securityContext.privileged == true or
                requestObject.spec.initContainers[*].securityContext.privileged == true or
                requestObject.spec.ephemeralContainers[*].securityContext.privileged == true)"#
        ),
        [
            "9ac5187c-29a2-4bf8-ba6e-21dc887f5d34",
            "f83ecd50-5bf4-4fe7-a419-dea22852ca49",
            "a362d22b-db3c-4590-9505-23782f12925f",
            "f83ecd50-5bf4-4fe7-a419-dea22852ca49",
        ]
    );
}

#[test]
fn real_samples_cluster_admin_bindings() {
    assert_eq!(
        real(
            r#"resource in ["clusterrolebindings", "rolebindings"] and requestObject.roleRef.name == "cluster-admin""#
        ),
        ["c97244c7-4aec-4714-946a-8204d00ecdca"]
    );
}

#[test]
fn real_samples_forbidden_impersonated_requests() {
    // audit2rbac's demo: system:admin impersonating others, 11 forbidden.
    let r = kaq(&[
        "--count",
        "code == 403 and exists(impersonatedUser)",
        &data("real/liggitt__audit2rbac/demo.log"),
    ]);
    assert_eq!(r.stdout, "11\n");
}

// ---------------------------------------------------------------- generated files

#[test]
fn committed_completions_and_man_page_are_current() {
    use clap::ValueEnum;
    for (kind, file) in kaq::generate::Generate::ALL {
        let name = kind.to_possible_value().unwrap().get_name().to_string();
        let r = kaq(&["--generate", &name]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            r.stdout == committed,
            "{file} is stale: regenerate it with `cargo run -- --generate {name} > {file}` (README: Completions and man page)"
        );
    }
}

// ---------------------------------------------------------------- forensics views

fn view(args: &[&str]) -> String {
    let ev = events();
    let mut a = args.to_vec();
    a.push(&ev);
    let r = kaq(&a);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

#[test]
fn by_counts_each_key_with_its_share_sorted_by_count() {
    assert_eq!(
        view(&["--by", "verb", "-o", "csv"]),
        "verb,count,share\ncreate,10,0.4167\nget,5,0.2083\ndelete,4,0.1667\nlist,2,0.0833\npatch,1,0.0417\nupdate,1,0.0417\nwatch,1,0.0417\n"
    );
    // Ties are broken by key; a missing field shows as <none>.
    assert_eq!(
        view(&["--by", "resource,verb", "--top", "3", "code >= 400"]),
        "RESOURCE  VERB  COUNT  SHARE\n<none>    get       1  25.0%\npods      list      1  25.0%\nsecrets   get       1  25.0%\n"
    );
}

#[test]
fn by_counts_array_fields_once_per_value() {
    let out = view(&["--by", "user.groups", "-o", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user.groups"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("system:authenticated".to_string(), 23),
            ("system:serviceaccounts".to_string(), 3),
            ("system:masters".to_string(), 1),
            ("system:nodes".to_string(), 1),
            ("system:unauthenticated".to_string(), 1),
        ]
    );
    // Shares are of matching events, so they can add up to more than 100%.
    assert_eq!(rows[0]["share"], 0.9583);
}

#[test]
fn stats_give_percentiles_per_key() {
    assert_eq!(
        view(&["--by", "verb", "--stats", "latency", "-o", "csv", r#"verb in ["patch", "delete"]"#]),
        "verb,count,share,p50,p90,p99,max\ndelete,4,0.8000,0.012,0.012,0.012,0.012\npatch,1,0.2000,1.25,1.25,1.25,1.25\n"
    );
    assert_eq!(
        view(&["--by", "verb", "--stats", "latency", r#"verb == "patch""#]),
        "VERB   COUNT   SHARE   P50   P90   P99   MAX\npatch      1  100.0%  1.2s  1.2s  1.2s  1.2s\n"
    );
}

#[test]
fn every_makes_a_timeline_with_empty_buckets_filled() {
    assert_eq!(
        view(&["--every", "1h", "-o", "csv"]),
        "time,count\n2024-05-01T10:00:00.000000Z,6\n2024-05-01T11:00:00.000000Z,6\n2024-05-01T12:00:00.000000Z,6\n2024-05-01T13:00:00.000000Z,6\n"
    );
    assert_eq!(
        view(&["--every", "30m", "-o", "csv", r#"verb == "delete""#]),
        "time,count\n2024-05-01T10:00:00.000000Z,1\n2024-05-01T10:30:00.000000Z,0\n2024-05-01T11:00:00.000000Z,1\n2024-05-01T11:30:00.000000Z,0\n2024-05-01T12:00:00.000000Z,1\n2024-05-01T12:30:00.000000Z,0\n2024-05-01T13:00:00.000000Z,1\n"
    );
    // With --by, one series per key; --top keeps the biggest series.
    let out = view(&[
        "--every", "1h", "--by", "verb", "--top", "1", "-o", "ndjson",
    ]);
    assert_eq!(
        out,
        concat!(
            r#"{"time":"2024-05-01T10:00:00.000000Z","verb":"create","count":3}"#,
            "\n",
            r#"{"time":"2024-05-01T11:00:00.000000Z","verb":"create","count":2}"#,
            "\n",
            r#"{"time":"2024-05-01T12:00:00.000000Z","verb":"create","count":2}"#,
            "\n",
            r#"{"time":"2024-05-01T13:00:00.000000Z","verb":"create","count":3}"#,
            "\n",
        )
    );
    // Not on a terminal: no bars.
    assert!(!view(&["--every", "1h"]).contains('█'));
}

#[test]
fn distinct_values_with_first_and_last_seen() {
    assert_eq!(
        view(&["--distinct", "ip", "-o", "tsv"]),
        "ip\tcount\tfirst_seen\tlast_seen\n\
         10.0.0.5\t21\t2024-05-01T10:00:01.112001Z\t2024-05-01T13:00:24.112024Z\n\
         198.51.100.7\t2\t2024-05-01T11:00:10.112010Z\t2024-05-01T11:00:12.112012Z\n\
         192.168.1.20\t1\t2024-05-01T13:00:24.112024Z\t2024-05-01T13:00:24.112024Z\n\
         203.0.113.9\t1\t2024-05-01T10:00:02.112002Z\t2024-05-01T10:00:02.112002Z\n"
    );
}

#[test]
fn computed_fields_in_filters_columns_and_views() {
    // Event 20 completes 1.01 s after event 19 received the request.
    assert_eq!(matching(&["latency > 1s"]), nums(&[11, 20]));
    assert_eq!(
        matching(&[r#"exec.command contains "169.254.169.254""#]),
        [4]
    );
    assert_eq!(
        matching(&[r#"actor == "bob" and exists(impersonator)"#]),
        [14]
    );
    assert_eq!(
        view(&["-o", "csv", "--columns", "actor,impersonator,exec.command,latency", "exists(impersonator) or exists(exec.command)"]),
        "actor,impersonator,exec.command,latency\nalice,,sh -c curl http://169.254.169.254,0.012\nbob,system:admin,,0.012\n"
    );
    assert_eq!(
        view(&["--by", "actor", "--top", "1", "-o", "csv"]),
        "actor,count,share\nalice,6,0.2500\n"
    );
}

#[test]
fn dedup_keeps_one_event_per_request_at_its_best_stage() {
    let ev = events();
    let rot = data("handmade/rotated");
    // Events 19 (RequestReceived) and 20 (ResponseComplete) are one request.
    let r = kaq(&["-o", "ndjson", "--dedup", r#"user == "dave""#, &ev]);
    let stages: Vec<String> = r
        .lines()
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["stage"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(stages, ["ResponseComplete"]);
    // The same events read twice (a file and a directory of copies) count once.
    assert_eq!(kaq(&["--count", "true", &ev, &rot]).stdout, "48\n");
    assert_eq!(
        kaq(&["--count", "--dedup", "true", &ev, &rot]).stdout,
        "23\n"
    );
    let r = kaq(&["-o", "ndjson", "--dedup", "true", &ev, &rot]);
    assert_eq!(
        r.audit_ids(),
        kaq(&["-o", "ndjson", "--dedup", "true", &ev]).audit_ids()
    );
    // Views count requests too.
    assert_eq!(
        kaq(&["--dedup", "--by", "verb", "--top", "1", "-o", "csv", &ev, &rot]).stdout,
        "verb,count,share\ncreate,9,0.3913\n"
    );
    // The filter applies first: a filter that only the first stage matches keeps it.
    assert_eq!(
        matching(&["--dedup", r#"stage == "RequestReceived""#]),
        [19]
    );
    // stdin cannot be read twice.
    let r = kaq_with_stdin(&["--dedup", "true"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--dedup reads its inputs twice"),
        "{}",
        r.stderr
    );
}

#[test]
fn summary_is_one_screen_and_json_for_machines() {
    let ev = events();
    let r = kaq(&["summary", &ev]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected_lines = [
        "Files            1 (18.7 KB read)",
        "Time span        2024-05-01T10:00:01.112001Z .. 2024-05-01T13:00:24.112024Z (3h0m23s), 0.002 events/s",
        "Stages           ResponseComplete 20, ResponseStarted 3, RequestReceived 1",
        "Requests         23 distinct requests in 24 events: 1 event is another stage or a copy of a request (--dedup counts each request once)",
        "Responses        1xx 2 · 2xx 17 · 3xx 0 · 4xx 4 · 5xx 0 · none 1 · 401: 1 · 403: 3",
        "System users     25.0% of events (6)",
        "Top users        alice 6, bob 5, dave 2, carol 1, ci-bot 1",
        "Top source IPs   10.0.0.5 21, 198.51.100.7 2, 192.168.1.20 1, 203.0.113.9 1",
    ];
    for line in expected_lines {
        assert!(
            r.stdout.lines().any(|l| l == line),
            "missing {line:?} in\n{}",
            r.stdout
        );
    }
    assert!(r.stdout.lines().count() <= 24, "one screen:\n{}", r.stdout);
    assert!(!r.stdout.contains('\u{1b}'), "user agents are escaped");
    let j: serde_json::Value =
        serde_json::from_str(&kaq(&["--summary", "-o", "json", "true", &ev]).stdout).unwrap();
    assert_eq!(j["events"], 24);
    assert_eq!(j["requests"], 23);
    assert_eq!(j["codes"]["403"], 3);
    assert_eq!(
        j["top_verbs"][0],
        serde_json::json!({"value": "create", "count": 10})
    );
    assert_eq!(j["largest_events"][0]["auditID"], id(17));
    // A filter narrows the summary; malformed lines are counted in it.
    let dir = tempfile::tempdir().unwrap();
    let bad = quiet_copy(&data("handmade/malformed.log"), dir.path(), "m.log");
    let j: serde_json::Value =
        serde_json::from_str(&kaq(&["--summary", "-o", "json", "-q", "true", &s(&bad)]).stdout)
            .unwrap();
    assert_eq!(
        (j["events"].as_u64(), j["malformed_lines"].as_u64()),
        (Some(4), Some(6))
    );
}

#[test]
fn views_refuse_flags_that_do_not_apply() {
    let ev = events();
    for args in [
        vec!["--by", "verb", "--limit", "3"],
        vec!["--by", "verb", "--count"],
        vec!["--by", "verb", "--columns", "verb"],
        vec!["--distinct", "user", "--by", "verb"],
        vec!["--top", "3"],
        vec!["--every", "0s"],
        vec!["--by", "nosuchfield"],
    ] {
        let mut a = args.clone();
        a.extend(["true", &ev]);
        let r = kaq(&a);
        assert_eq!(r.code, 2, "{args:?} should fail: {r:?}");
    }
    let r = kaq(&["--by", "verbb", "true", &ev]);
    assert!(r.stderr.contains("did you mean verb?"), "{}", r.stderr);
}

/// A deterministic, varied event set for property tests.
fn random_events(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |m: u64| {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) % m
    };
    let verbs = ["get", "list", "create", "delete", "watch"];
    let users = [
        "alice",
        "bob",
        "system:node:n1",
        "system:serviceaccount:kube-system:x",
    ];
    let mut out = Vec::new();
    for i in 0..n {
        let groups = match next(3) {
            0 => r#"[]"#,
            1 => r#"["a"]"#,
            _ => r#"["a","b"]"#,
        };
        let t = 1_714_521_600 + next(7200) as i64;
        let stage = if next(5) == 0 {
            "RequestReceived"
        } else {
            "ResponseComplete"
        };
        let pad = "x".repeat(next(400) as usize);
        let line = format!(
            r#"{{"kind":"Event","auditID":"id-{}","stage":"{stage}","verb":"{}","user":{{"username":"{}","groups":{groups}}},"objectRef":{{"resource":"r{}","namespace":"ns{}"}},"responseStatus":{{"code":{}}},"requestReceivedTimestamp":"{}","stageTimestamp":"{}","pad":"{pad}"}}"#,
            next(n as u64 / 2 + 1),
            verbs[next(5) as usize],
            users[next(4) as usize],
            next(6),
            next(3),
            [200, 201, 403, 404, 500][next(5) as usize],
            kaq::time::format_micros(t * 1_000_000),
            kaq::time::format_micros((t + next(3) as i64) * 1_000_000 + next(999_999) as i64),
        );
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        let _ = i;
    }
    out
}

#[test]
fn property_parallel_aggregation_equals_single_threaded() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=3u64 {
        // Several chunks per file, so chunks really are folded and merged.
        let data = random_events(seed, 9_000);
        assert!(data.len() > 2 * kaq::chunk::CHUNK_SIZE);
        let f = dir.path().join(format!("r{seed}.log"));
        std::fs::write(&f, &data).unwrap();
        make_quiet(&f);
        let path = s(&f);
        for args in [
            vec!["--by", "verb,user.groups", "-o", "csv"],
            vec!["--by", "user", "--stats", "latency", "-o", "csv"],
            vec!["--every", "10m", "--by", "verb", "-o", "csv"],
            vec!["--distinct", "resource", "-o", "csv"],
            vec!["--summary", "-o", "json"],
            vec!["--dedup", "--by", "verb", "-o", "csv"],
        ] {
            let run = |extra: &[&str]| {
                let mut a = args.clone();
                a.extend_from_slice(extra);
                a.extend(["code != 404", path.as_str()]);
                let r = kaq(&a);
                assert_eq!(r.code, 0, "{a:?}: {}", r.stderr);
                r.stdout
            };
            let reference = run(&["-j1", "--no-mmap"]);
            for extra in [&["-j2"][..], &["-j3"], &["-j4", "--no-mmap"]] {
                assert!(
                    run(extra) == reference,
                    "seed {seed} {args:?} {extra:?} differs from -j1"
                );
            }
        }
        // And the counts agree with an independent reference.
        let mut expected: std::collections::BTreeMap<String, u64> = Default::default();
        for line in data.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line).unwrap();
            if v["responseStatus"]["code"] != 404 {
                *expected
                    .entry(v["verb"].as_str().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        let out = kaq(&["--by", "verb", "-o", "csv", "code != 404", &path]).stdout;
        let got: std::collections::BTreeMap<String, u64> = out
            .lines()
            .skip(1)
            .map(|l| {
                let mut it = l.split(',');
                (
                    it.next().unwrap().to_string(),
                    it.next().unwrap().parse().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "seed {seed}");
    }
}

// ---------------------------------------------------------------- fuzz floor

/// Inputs that once crashed a fuzz target, named `<target>-<what broke>`.
#[test]
fn fuzz_regressions_stay_fixed() {
    let mut n = 0;
    for entry in std::fs::read_dir(data("fuzz-regressions")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("filter-") {
            kaq::fuzzing::filter_against_event(&bytes);
        } else {
            kaq::fuzzing::scan_bytes(&bytes);
        }
        n += 1;
    }
    assert!(n > 0);
}

/// Every testdata file, plus bounded random mutations of them, goes through
/// the same invariant checks as the fuzz targets in fuzz/ (see README).
#[test]
fn property_pass_over_mutated_inputs_and_filters() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for dir in [
        "handmade",
        "handmade/rotated",
        "real/falcosecurity__falco",
        "real/liggitt__audit2rbac",
        "real/sysdiglabs__aks-audit-log",
    ] {
        for entry in std::fs::read_dir(data(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.is_file() {
                seeds.push(std::fs::read(p).unwrap());
            }
        }
    }
    let filters = [
        r#"verb == "delete" and resource == "secrets""#,
        r#"any(requestObject.rules[*], "pods/exec" in resources and "create" in verbs)"#,
        r#"user ~ "system:*" or code >= 400 and not exists(impersonatedUser)"#,
        r#"latency > 5s or exec.command contains "sh" or time < "2024-01-01T00:00:00Z""#,
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m.max(1) as u64) as usize
    };
    for seed in &seeds {
        kaq::fuzzing::scan_bytes(seed);
        for _ in 0..20 {
            let mut m = seed.clone();
            for _ in 0..1 + next(8) {
                if m.is_empty() {
                    break;
                }
                let i = next(m.len());
                match next(4) {
                    0 => m[i] = next(256) as u8,
                    1 => {
                        m.remove(i);
                    }
                    2 => {
                        let specials = b"{}[],:\"\\\n\x00\xff";
                        m.insert(i, specials[next(specials.len())]);
                    }
                    _ => m.truncate(i),
                }
            }
            kaq::fuzzing::scan_bytes(&m);
            let f = filters[next(filters.len())].as_bytes();
            let mut fm = f.to_vec();
            let i = next(fm.len());
            let specials = b"()[]\"=!~.*, 0a";
            fm[i] = specials[next(specials.len())];
            for filter in [f, &fm[..]] {
                let mut input = filter.to_vec();
                input.push(0xFF);
                input.extend_from_slice(&m[..m.len().min(4096)]);
                kaq::fuzzing::filter_against_event(&input);
            }
        }
    }
}

// ---------------------------------------------------------------- bad input

fn good_lines() -> Vec<Vec<u8>> {
    std::fs::read(events())
        .unwrap()
        .split_inclusive(|&c| c == b'\n')
        .map(|l| l.to_vec())
        .collect()
}

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
    let stats = kaq::engine::run(&cfg, &mut *sink, &mut reporter).unwrap();
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

// ---------------------------------------------------------------- live files

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
    let writer = std::thread::spawn(move || {
        // Thousands of events a second, each written in two halves so that
        // readers can see torn lines.
        let mut n = before;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) && n < 2_000_000 {
            let l = line(n);
            let (a, b) = l.as_bytes().split_at(l.len() / 2);
            w.write_all(a).unwrap();
            w.write_all(b).unwrap();
            n += 1;
        }
    });
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

// ---------------------------------------------------------------- hostile filters

#[test]
fn hostile_filters_get_errors_or_bounded_runs() {
    let ev = events();
    let long = vec![r#"verb == "x""#; 4000].join(" or ");
    assert_eq!(kaq(&["--count", &long, &ev]).stdout, "0\n");
    let too_long = vec![r#"verb == "x""#; 6000].join(" or ");
    let r = kaq(&["--count", &too_long, &ev]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("the limit is 65536"), "{}", r.stderr);
    let deep = format!("{}true{}", "(".repeat(5000), ")".repeat(5000));
    assert!(kaq(&["--count", &deep, &ev])
        .stderr
        .contains("nests deeper than 128 levels"));
    let r = kaq(&["--count", r#"user =~ "a{1000}{1000}{1000}""#, &ev]);
    assert!(r.stderr.contains("too large"), "{}", r.stderr);
    let r = kaq(&[
        "--count",
        &format!(r#"user =~ "{}""#, "a".repeat(5000)),
        &ev,
    ]);
    assert!(r.stderr.contains("the limit is 4096"), "{}", r.stderr);
    let r = kaq(&["--count", "code == 1e999", &ev]);
    assert!(r.stderr.contains("out of range"), "{}", r.stderr);
    assert_eq!(kaq(&["--count", "code < 1e308", &ev]).stdout, "23\n");
    // Pathological patterns against a long value finish (linear-time matching).
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("long.log");
    std::fs::write(
        &f,
        format!(
            "{{\"auditID\":\"l\",\"verb\":\"get\",\"userAgent\":\"{}\"}}\n",
            "a".repeat(200_000)
        ),
    )
    .unwrap();
    let start = std::time::Instant::now();
    for filter in [
        r#"userAgent =~ "(a*)*b""#,
        r#"userAgent ~ "*a*a*a*a*a*a*a*a*b""#,
        r#"userAgent =~ "(a|aa)+$x""#,
    ] {
        let r = kaq(&["--count", filter, &s(&f)]);
        assert_eq!(r.stdout, "0\n", "{filter}: {}", r.stderr);
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "bounded"
    );
}

// ---------------------------------------------------------------- snapshots

/// Compares a whole run (exit code, stdout, stderr) with
/// `tests/snapshots/NAME.txt`; `KAQ_BLESS=1 cargo test` rewrites them.
fn snapshot(name: &str, args: &[&str]) {
    let r = kaq(args);
    // Paths differ between machines: show them relative to the repository.
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    let actual = format!(
        "$ kaq {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.iter()
            .map(|a| if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.to_string()
            })
            .collect::<Vec<_>>()
            .join(" "),
        r.code,
        r.stdout,
        r.stderr
    )
    .replace(&root, "");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("KAQ_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "snapshot {name} differs (KAQ_BLESS=1 cargo test rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn snapshot_short_help() {
    snapshot("help-short", &["-h"]);
}

#[test]
fn snapshot_long_help() {
    snapshot("help-long", &["--help"]);
}

#[test]
fn snapshot_table() {
    snapshot("table", &["code >= 400 or verb == \"delete\"", &events()]);
}

#[test]
fn snapshot_filter_error() {
    snapshot(
        "filter-error",
        &["verb == \"delete\" and (code >= 400", &events()],
    );
}

#[test]
fn snapshot_unknown_field() {
    snapshot(
        "unknown-field",
        &["objectRef.namespce == \"kube-system\"", &events()],
    );
}

#[test]
fn snapshot_unknown_flag() {
    snapshot(
        "unknown-flag",
        &["--namspace", "default", "true", &events()],
    );
}

#[test]
fn snapshot_summary() {
    snapshot("summary", &["summary", &events()]);
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let ev = events();
    let plain = kaq(&["code == 403", &ev]);
    assert!(
        !plain.stdout.contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let colored = kaq(&["--color", "always", "code == 403", &ev]);
    assert!(
        colored.stdout.contains("\u{1b}[38;5;11m403"),
        "{:?}",
        colored.stdout
    );
    let mut cmd = util::bin();
    cmd.env("NO_COLOR", "1")
        .args(["--color", "auto", "code == 403", &ev]);
    assert!(!util::run(&mut cmd, b"").stdout.contains('\u{1b}'));
    // --color always wins over NO_COLOR, as in fd and ripgrep.
    let mut cmd = util::bin();
    cmd.env("NO_COLOR", "1")
        .args(["--color", "always", "code == 403", &ev]);
    assert!(util::run(&mut cmd, b"").stdout.contains('\u{1b}'));
}

#[test]
fn compact_and_raw_output() {
    let ev = events();
    assert_eq!(
        kaq(&["-c", "true", &ev]).stdout,
        kaq(&["-o", "ndjson", "true", &ev]).stdout
    );
    assert_eq!(
        kaq(&["-r", "--columns", "user", "--verb", "delete", &ev]).stdout,
        "alice\nbob\nminikube-user\nalice\n"
    );
    let r = kaq(&["-r", "--columns", "verb,user", "true", &ev]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("-r prints one column"), "{}", r.stderr);
}

#[test]
fn environment_overrides_threads() {
    let mut cmd = util::bin();
    cmd.env("KAQ_THREADS", "1")
        .args(["--count", "true", &events()]);
    assert_eq!(util::run(&mut cmd, b"").stdout, "24\n");
    let mut cmd = util::bin();
    cmd.env("KAQ_THREADS", "lots")
        .args(["--count", "true", &events()]);
    let r = util::run(&mut cmd, b"");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("lots"), "{}", r.stderr);
}

// ---------------------------------------------------------------- cloud formats

const CLOUD_COLUMNS: &str =
    "format,verb,user.username,objectRef.resource,objectRef.namespace,objectRef.name,responseStatus.code";

#[test]
fn aks_samples_read_with_their_fields() {
    let r = kaq(&[
        "-o",
        "tsv",
        "--columns",
        CLOUD_COLUMNS,
        "true",
        &data("real/sysdiglabs__aks-audit-log"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.lines();
    // event.json: an Event Hubs batch of 22 records; two pretty files with a BOM.
    assert_eq!(rows.len(), 1 + 22 + 1 + 1);
    assert_eq!(rows.iter().filter(|l| l.starts_with("aks\t")).count(), 23);
    assert_eq!(
        rows[3],
        "aks\tcreate\taksService\tconfigmaps\tkube-system\tcoredns-custom\t409"
    );
    assert_eq!(
        rows[15],
        "aks\tget\taksService\tclusterrolebindings\t\taks-cluster-admin-binding\t200"
    );
    assert_eq!(rows[24], "event\tupdate\tsystem:serviceaccount:kube-system:daemon-set-controller\tcontrollerrevisions\tkube-system\tkube-proxy-56987cf666\t200");
    // The original record is what -o ndjson prints.
    let r = kaq(&[
        "-o",
        "ndjson",
        r#"name == "coredns-custom""#,
        &data("real/sysdiglabs__aks-audit-log/event.json"),
    ]);
    assert_eq!(r.lines().len(), 1);
    assert!(r.stdout.starts_with(r#"{ "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read", "category": "kube-audit""#), "{}", r.stdout);
}

#[test]
fn panther_eks_aks_gke_records_read_with_their_fields() {
    // Expected values come from an independent reading of the mapping
    // (testdata/derived/make_expected.py).
    let r = kaq(&[
        "-q",
        "-o",
        "tsv",
        "--columns",
        CLOUD_COLUMNS,
        "true",
        &data("derived/panther_logs.jsonl"),
    ]);
    let expected = std::fs::read_to_string(data("derived/panther_expected.tsv")).unwrap();
    assert!(r.stdout == expected, "kaq and the reference differ");
    let by_format = kaq(&[
        "-q",
        "-o",
        "csv",
        "--by",
        "format",
        "true",
        &data("derived/panther_logs.jsonl"),
    ])
    .stdout;
    // The same split as the reference: 187 events, 51 GKE, 34 AKS.
    assert_eq!(
        by_format,
        "format,count,share\nevent,187,0.6875\ngke,51,0.1875\naks,34,0.1250\n"
    );
    // What cannot be read is reported, not dropped silently.
    assert_eq!(r.code, 2);
}

/// One event in each envelope, built from hand-made events 3..=10.
fn enveloped() -> Vec<(&'static str, Vec<u8>)> {
    let g = good_lines();
    let ev = |n: usize| {
        String::from_utf8(g[n - 1].clone())
            .unwrap()
            .trim_end()
            .to_string()
    };
    let quoted = |n: usize| serde_json::Value::from(ev(n)).to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, format!(r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1","timestamp":0,"message":{}}}]}}"#, quoted(10)).as_bytes()).unwrap();
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap())
    };
    let gke = std::fs::read_to_string(data("derived/panther_logs.jsonl"))
        .unwrap()
        .lines()
        .find(|l| l.contains(r#""serviceName":"k8s.io""#) && l.contains("pods.create"))
        .unwrap()
        .to_string();
    vec![
        ("plain", ev(3)),
        ("aks", format!(r#"{{"category":"kube-audit","properties":{{"log":{}}}}}"#, quoted(4))),
        ("gke", gke),
        ("insights", format!(r#"[{{"field":"@timestamp","value":"2024-05-01 10:00:05.000"}},{{"field":"@message","value":{}}}]"#, quoted(5))),
        ("openshift", format!("master-0.example.com {}", ev(6))),
        ("csv", format!("2024-05-01 10:00:07.000,\"{}\"", ev(7).replace('"', "\"\""))),
        ("subscription", format!(r#"{{"logGroup":"/aws/eks/c/cluster","logEvents":[{{"id":"1","timestamp":0,"message":{}}}]}}"#, quoted(8))),
        ("cloudwatch", format!(r#"{{"timestamp":1714557609000,"message":{}}}"#, quoted(9))),
        ("base64", b64),
    ]
    .into_iter()
    .map(|(name, line)| (name, (line + "\n").into_bytes()))
    .collect()
}

#[test]
fn a_mixed_file_gives_the_same_results_as_its_parts() {
    let dir = tempfile::tempdir().unwrap();
    let parts = enveloped();
    let mut mixed = Vec::new();
    let mut files = Vec::new();
    for (name, bytes) in &parts {
        mixed.extend_from_slice(bytes);
        let f = dir.path().join(format!("{name}.log"));
        std::fs::write(&f, bytes).unwrap();
        files.push(s(&f));
    }
    let mixed_file = dir.path().join("mixed.log");
    std::fs::write(&mixed_file, &mixed).unwrap();
    for filter in [
        "true",
        r#"verb == "create""#,
        r#"user == "bob" or exists(requestObject.roleRef)"#,
        r#"format in ["aks", "gke"]"#,
    ] {
        let cols = [
            "-o",
            "csv",
            "--columns",
            "auditID,format,verb,user,resource,name",
        ];
        let mut together = cols.to_vec();
        together.extend([filter, mixed_file.to_str().unwrap()]);
        let together = kaq(&together);
        assert_eq!(together.stderr, "", "{filter}");
        let mut apart = cols.to_vec();
        apart.push(filter);
        apart.extend(files.iter().map(String::as_str));
        let apart = kaq(&apart);
        assert_eq!(together.stdout, apart.stdout, "{filter}");
    }
    let formats = kaq(&[
        "-r",
        "--columns",
        "format",
        "true",
        mixed_file.to_str().unwrap(),
    ])
    .stdout;
    assert_eq!(
        formats,
        "event\naks\ngke\neks\nopenshift\neks\neks\neks\neks\n"
    );
    let ids = kaq(&[
        "-r",
        "--columns",
        "auditID",
        r#"format != "gke""#,
        mixed_file.to_str().unwrap(),
    ])
    .stdout;
    assert_eq!(ids, ids_text(&[3, 4, 5, 6, 7, 8, 9, 10]));
    // --format forces one envelope; the others are reported.
    let r = kaq(&[
        "--format",
        "aks",
        "--count",
        "true",
        mixed_file.to_str().unwrap(),
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (2, "1\n"));
    assert!(
        r.stderr
            .contains("--format aks: this record's format is event"),
        "{}",
        r.stderr
    );
}

fn ids_text(ns: &[u32]) -> String {
    ns.iter().map(|&n| id(n) + "\n").collect()
}

// ---------------------------------------------------------------- prefilter

/// Event lines of the test data (with copies that spell a letter as a
/// gratuitous `\uXXXX` escape) and random filters over values that occur in
/// them, for properties that must hold for any filter on any line.
fn random_filters_and_lines() -> (Vec<String>, Vec<String>) {
    let mut lines: Vec<String> = Vec::new();
    for f in [
        "handmade/events.log",
        "real/liggitt__audit2rbac/demo.log",
        "handmade/eventlist.json",
    ] {
        lines.extend(
            std::fs::read_to_string(data(f))
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    for entry in std::fs::read_dir(data("real/falcosecurity__falco")).unwrap() {
        lines.extend(
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    lines.retain(|l| l.trim_start().starts_with('{'));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m.max(1) as u64) as usize
    };
    // Copies with a letter of some string spelled as \u00XX.
    let mut escaped = Vec::new();
    for l in &lines {
        for _ in 0..3 {
            let b = l.as_bytes();
            let i = next(b.len());
            if b[i].is_ascii_alphanumeric() && i > 0 && b[i - 1] != b'\\' {
                escaped.push(format!("{}\\u{:04x}{}", &l[..i], b[i], &l[i + 1..]));
            }
        }
    }
    lines.extend(escaped);
    let fields = [
        "verb",
        "user",
        "resource",
        "subresource",
        "namespace",
        "name",
        "userAgent",
        "uri",
        "stage",
        "level",
        "ip",
        "groups",
        "as",
        "decision",
        "requestObject.roleRef.name",
        "requestObject.spec.containers[*].image",
        "requestObject.metadata.name",
    ];
    // Values that occur, so that filters do match.
    let mut values: Vec<String> = Vec::new();
    for l in lines.iter().take(200) {
        let v: serde_json::Value = match serde_json::from_str(l) {
            Ok(v) => v,
            Err(_) => continue,
        };
        for p in [
            "/verb",
            "/user/username",
            "/objectRef/resource",
            "/objectRef/name",
            "/objectRef/namespace",
            "/userAgent",
            "/stage",
            "/requestObject/roleRef/name",
        ] {
            if let Some(s) = v.pointer(p).and_then(|s| s.as_str()) {
                values.push(s.to_string());
            }
        }
    }
    values.extend([
        "system:".into(),
        "kube".into(),
        "a".into(),
        "&".into(),
        "é".into(),
        "".into(),
    ]);
    let leaf = |next: &mut dyn FnMut(usize) -> usize| {
        let f = fields[next(fields.len())];
        let v = serde_json::Value::from(values[next(values.len())].clone()).to_string();
        let w = serde_json::Value::from(values[next(values.len())].clone()).to_string();
        let cut = |s: &str, n: usize| -> String {
            let inner: Vec<char> = s[1..s.len() - 1].chars().collect();
            let k = n % (inner.len() + 1);
            serde_json::Value::from(inner[..k].iter().collect::<String>()).to_string()
        };
        match next(9) {
            0 => format!("{f} == {v}"),
            1 => format!("{f} in [{v}, {w}]"),
            2 => format!("{f} contains {}", cut(&v, next(9))),
            3 => format!("{f} startswith {}", cut(&v, next(9))),
            4 => format!("{f} endswith {v}"),
            5 => format!("{f} ~ {}", cut(&v, next(9)).replace("\"", "").pipe_glob()),
            6 => format!("{f} != {v}"),
            7 => format!("exists({f})"),
            _ => "requestObject.spec.containers[*].securityContext.privileged == true".to_string(),
        }
    };
    trait PipeGlob {
        fn pipe_glob(self) -> String;
    }
    impl PipeGlob for String {
        fn pipe_glob(self) -> String {
            serde_json::Value::from(format!("{self}*")).to_string()
        }
    }
    let filters = (0..400)
        .map(|_| {
            let a = leaf(&mut next);
            let b = leaf(&mut next);
            match next(5) {
                0 => a,
                1 => format!("{a} and {b}"),
                2 => format!("{a} or {b}"),
                3 => format!("not ({a}) and {b}"),
                _ => format!(r#"any(requestObject.rules[*], "create" in verbs) or ({a} and {b})"#),
            }
        })
        .collect();
    (lines, filters)
}

/// Whenever the full evaluation matches a line, the literal prefilter lets it
/// through: random filters over values that occur in the events, on every
/// test line and on copies with gratuitous `\uXXXX` escapes.
#[test]
fn property_prefilter_never_drops_a_match() {
    use kaq::filter::prefilter::Prefilter;
    use kaq::filter::{parse_filter, Matcher};
    let (lines, filters) = random_filters_and_lines();
    let mut checked = 0;
    let mut kept = 0;
    for filter in &filters {
        let Ok(expr) = parse_filter(filter) else {
            continue;
        };
        let Ok(matcher) = Matcher::compile(&expr) else {
            continue;
        };
        let Some(pre) = Prefilter::derive(&expr) else {
            continue;
        };
        for l in &lines {
            let mut m = Vec::new();
            if kaq::json::index_object(l, &mut m).is_err() {
                continue;
            }
            let e = kaq::event::Event::new(l, &m);
            if matcher.matches(&e) {
                checked += 1;
                assert!(
                    pre.may_match(l.as_bytes()),
                    "prefilter {:?} dropped a match of {filter}: {l}",
                    pre.literals
                );
                let clean = Prefilter::is_clean(l.as_bytes());
                assert!(!clean || pre.may_match_clean(l.as_bytes()), "{filter}: {l}");
            } else if !pre.may_match(l.as_bytes()) {
                kept += 1;
            }
        }
    }
    assert!(checked > 500, "the property saw too few matches: {checked}");
    assert!(
        kept > 1000,
        "the prefilter rejected too little to be tested: {kept}"
    );
}

/// When the route fields alone decide a filter for an event, `kaq detect`
/// keeps that answer for every event whose route fields have the same text:
/// the full evaluation must agree on all of them.
#[test]
fn property_route_decisions_hold_for_every_event_routed_alike() {
    use kaq::filter::{parse_filter, Matcher};
    use std::collections::HashMap;
    // The groups kaq detect routes on.
    let routes: &[&[&[&str]]] = &[
        &[
            &["verb"],
            &["objectRef", "resource"],
            &["objectRef", "subresource"],
        ],
        &[&["user", "username"], &["user", "groups"]],
        &[
            &["responseStatus", "code"],
            &["annotations", "authorization.k8s.io/decision"],
        ],
        &[&["userAgent"]],
        &[&["sourceIPs"]],
    ];
    let (lines, filters) = random_filters_and_lines();
    let indexed: Vec<(&str, Vec<kaq::json::Member>)> = lines
        .iter()
        .filter_map(|l| {
            let mut m = Vec::new();
            kaq::json::index_object(l, &mut m).ok()?;
            Some((l.as_str(), m))
        })
        .collect();
    let events: Vec<kaq::event::Event<'_>> = indexed
        .iter()
        .map(|(l, m)| kaq::event::Event::new(l, m).index_nested())
        .collect();
    let matchers: Vec<(&String, Matcher)> = filters
        .iter()
        .filter_map(|f| Some((f, Matcher::compile(&parse_filter(f).ok()?).ok()?)))
        .collect();
    let (mut ruled_out, mut ruled_in) = (0, 0);
    for route in routes {
        // Each event's key: the text of its route fields' values.
        let keys: Vec<String> = events
            .iter()
            .map(|e| {
                let mut key = String::new();
                for path in route.iter() {
                    let path = kaq::event::Path::keys(path);
                    e.visit(&path, &mut |v| {
                        key.push_str(v.text());
                        false
                    });
                    key.push('\0');
                }
                key
            })
            .collect();
        for (filter, matcher) in &matchers {
            let mut decided: HashMap<&str, Option<bool>> = HashMap::new();
            for (e, key) in events.iter().zip(&keys) {
                let first = *decided
                    .entry(key.as_str())
                    .or_insert_with(|| matcher.decide(e, route));
                if let Some(answer) = first {
                    assert_eq!(
                        matcher.matches(e),
                        answer,
                        "{filter} on {route:?}: {}",
                        e.raw()
                    );
                    *(if answer {
                        &mut ruled_in
                    } else {
                        &mut ruled_out
                    }) += 1;
                }
            }
        }
    }
    assert!(
        ruled_out > 1000 && ruled_in > 100,
        "too few decisions to test: {ruled_out} false, {ruled_in} true"
    );
}

#[test]
fn prefilter_changes_no_answer() {
    let ev = events();
    let rot = data("handmade/rotated");
    for filter in [
        r#"verb == "delete" and resource == "secrets""#,
        r#"user ~ "system:serviceaccount:*""#,
        r#"requestObject.spec.containers[*].securityContext.privileged == true"#,
        r#"uri contains "command=sh""#,
        r#"verb in ["create", "patch"] or name startswith "api""#,
    ] {
        let with = kaq(&["-o", "ndjson", filter, &ev, &rot]);
        let without = kaq(&["-o", "ndjson", "--no-prefilter", filter, &ev, &rot]);
        assert_eq!(
            (with.code, &with.stdout),
            (without.code, &without.stdout),
            "{filter}"
        );
    }
    // Malformed lines that cannot match are still reported when they look
    // corrupt; --no-prefilter reports every one.
    let dir = tempfile::tempdir().unwrap();
    let f = quiet_copy(&data("handmade/malformed.log"), dir.path(), "m.log");
    let with = kaq(&["--count", r#"verb == "delete""#, &s(&f)]);
    let without = kaq(&["--count", "--no-prefilter", r#"verb == "delete""#, &s(&f)]);
    assert_eq!(with.stdout, without.stdout);
    assert_eq!(with.code, 2);
    assert!(
        with.stderr.contains("16 NUL bytes")
            && with.stderr.contains("invalid UTF-8")
            && with.stderr.contains("cut short"),
        "{}",
        with.stderr
    );
    assert!(without.stderr.contains("`kind` is 0"), "{}", without.stderr);
}
