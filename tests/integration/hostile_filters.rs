//! Hostile filters: filters too long, too deep or too costly get errors, and
//! pathological patterns finish.

use crate::util::{events, kaq, s};

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
