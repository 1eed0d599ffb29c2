//! Forensics views: `--by`, `--stats`, `--every`, distinct values, computed
//! fields, dedup and the summary.

use crate::util::{
    data, events, id, kaq, kaq_with_stdin, make_quiet, matching, nums, quiet_copy, s,
};

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
