//! Command line: filters and paths as positionals, `-e`, stdin, the default
//! log, and `--threads` with `--no-mmap`.

use crate::util::{data, events, gzip, ids, kaq, kaq_with_stdin, matching, nums};

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
