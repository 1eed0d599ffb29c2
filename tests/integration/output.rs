//! Output: ndjson, json, table, wide, csv and tsv; `--count` and `--limit`;
//! exit codes; a closed pipe.

use std::io::Read;
use std::process::Stdio;

use crate::util::{self, events, id, ids, kaq, s};

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
