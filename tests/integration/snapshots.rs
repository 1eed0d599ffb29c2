//! Snapshots: whole runs compared with `tests/snapshots/`, colour, compact
//! and raw output, and the environment.

use crate::util::{self, events, kaq};

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

/// The SQL `kaq convert` writes, pinned per dialect for a few
/// representative questions (the differential tests check what it means;
/// these show when its text changes).
#[test]
fn convert_sql_statements() {
    for engine in ["duckdb", "clickhouse", "spark"] {
        snapshot(
            &format!("convert-{engine}-records"),
            &[
                "convert",
                "--to",
                engine,
                "--from",
                "s3://bucket/audit/*.log.gz",
                "--limit",
                "5",
                r#"verb == "delete" and resource == "secrets""#,
            ],
        );
        snapshot(
            &format!("convert-{engine}-any-count"),
            &[
                "convert",
                "--to",
                engine,
                "--table",
                "audit",
                "--count",
                r#"any(requestObject.rules[*], "create" in verbs) and not user ~ "system:*""#,
            ],
        );
        snapshot(
            &format!("convert-{engine}-by"),
            &[
                "convert",
                "--to",
                engine,
                "--from",
                "audit.log",
                "--by",
                "verb,user.groups",
                "--top",
                "3",
                "code >= 400",
            ],
        );
    }
}
