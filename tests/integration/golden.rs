//! Thirty fixed commands over `testdata/`, their stdout, stderr and exit
//! status kept byte for byte in `tests/golden/NN.txt`: queries in every
//! format, every view, detect, policy and a follow replay. They were recorded
//! before the engine was refactored onto one seam and pin that nothing a
//! user sees moved. `KAQ_BLESS=1 cargo test golden` rewrites them after an
//! intended change; review the diff.

use crate::util::{bin, run};

const GEN: &str = "testdata/generated/control-plane.log.gz";
const EVENTS: &str = "testdata/handmade/events.log";
const ROTATED: &str = "testdata/handmade/rotated/";
const CIS: &str = "testdata/policies/cis-baseline.yaml";

/// The commands, as kaq's arguments (paths relative to the repository).
fn commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["true", EVENTS],
        vec!["-o", "wide", "true", EVENTS],
        vec!["-o", "json", r#"verb == "delete""#, ROTATED],
        vec![
            "-o",
            "ndjson",
            "--since",
            "2024-05-01T12:00:00Z",
            "--until",
            "2024-05-01T13:00:10Z",
            "true",
            ROTATED,
        ],
        vec![
            "-o",
            "csv",
            "--columns",
            "time,user,verb,resource,object,code,ip,latency",
            "true",
            "testdata/handmade/events.log.gz",
        ],
        vec![
            "-o",
            "tsv",
            "--columns",
            "auditID,user.groups,exec.command,actor,impersonator",
            "exists(exec.command) or code >= 400",
            EVENTS,
        ],
        vec![
            "-r",
            "--columns",
            "user.username",
            "true",
            "testdata/handmade/crlf.log",
        ],
        vec!["--count", "--verb", "get", GEN],
        vec!["--by", "user.username,verb", "--top", "10", GEN],
        vec!["--by", "ip,user", "--code", "4xx", "-o", "csv", GEN],
        vec![
            "--by",
            "objectRef.resource",
            "--stats",
            "latency",
            "-o",
            "csv",
            GEN,
        ],
        vec!["--every", "30s", "-o", "csv", GEN],
        vec!["--every", "1h", "--by", "verb", "-o", "csv", GEN],
        vec!["--distinct", "userAgent", "-o", "csv", GEN],
        vec!["--summary", GEN],
        vec!["--summary", "-o", "json", EVENTS],
        vec![
            "--dedup",
            "-o",
            "csv",
            "--columns",
            "auditID,stage",
            "true",
            EVENTS,
        ],
        vec!["detect", EVENTS],
        vec![
            "detect",
            "-o",
            "json",
            "testdata/real/falcosecurity__falco/",
        ],
        vec!["detect", "-o", "csv", GEN],
        vec!["detect", "--by", "rule", GEN],
        vec!["detect", "--list"],
        vec!["policy", "simulate", "--policy", CIS, GEN],
        vec!["policy", "simulate", "--policy", CIS, "-o", "json", EVENTS],
        vec!["policy", "simulate", "--policy", CIS, "--each", EVENTS],
        vec![
            "policy",
            "lint",
            "testdata/policies/compliance.yaml",
            EVENTS,
        ],
        vec![
            "policy",
            "diff",
            "testdata/policies/user-based.yaml",
            CIS,
            GEN,
        ],
        vec![
            "-F",
            "--from-start",
            "-m",
            "5",
            "-o",
            "ndjson",
            "true",
            EVENTS,
        ],
        vec![
            "-v",
            "-o",
            "ndjson",
            "true",
            "testdata/handmade/malformed.log",
        ],
        vec![
            "-o",
            "csv",
            "--columns",
            "format,user,verb,resource",
            "any(pod.containers[*], securityContext.privileged == true) or format != \"event\"",
            "testdata/derived/panther_logs.jsonl",
        ],
    ]
}

/// What one command did, as kept in its golden file.
fn record(args: &[&str]) -> String {
    let mut cmd = bin();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    let r = run(&mut cmd, b"");
    format!(
        "$ kaq {}\n--- exit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        r.code,
        r.stdout,
        r.stderr
    )
}

#[test]
fn thirty_commands_print_what_they_printed_before() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("KAQ_BLESS").is_some();
    let mut stale = Vec::new();
    for (i, args) in commands().iter().enumerate() {
        let path = dir.join(format!("{:02}.txt", i + 1));
        let actual = record(args);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            stale.push(format!(
                "{} differs (KAQ_BLESS=1 cargo test golden rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
