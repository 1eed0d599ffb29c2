//! `kaq detect --convert-to duckdb|clickhouse|spark`: each engine, running
//! the statement over the same events, finds what `kaq detect` finds: the
//! same rules on the same events, in the same order, with thresholds
//! counted over the same windows.

use crate::convert_sql::{
    clip, corpora, csv_rows, first_difference, run_engines, sql_engines, ENGINES, PLACEHOLDER,
};
use crate::util::{data, kaq};

/// Every engine.
const ALL: &[&str] = &ENGINES;
/// DuckDB and ClickHouse: Spark plans each of these statements in about
/// half a minute, so it runs the one that holds every rule.
const FAST: &[&str] = &["duckdb", "clickhouse"];

/// The runs compared: the flags given to both `kaq detect` and
/// `kaq detect --convert-to`, and the engines that run them.
const VARIANTS: &[(&[&str], &[&str])] = &[
    // The catalogue as it runs by default.
    (&[], FAST),
    // Every rule: the built-in ones, off-by-default ones too, and
    // SigmaHQ's Kubernetes rules (filters compiled from Sigma,
    // correlations as thresholds).
    (&["--only", "*", "--sigma", "testdata/sigma/sigmahq"], ALL),
    // Threshold rules report every hit; the query flags pick the events;
    // --severity hides the rules below it.
    (
        &[
            "--only",
            "*",
            "--no-thresholds",
            "--severity",
            "medium",
            "--verb",
            "get,create,delete,list",
            "--filter",
            "not user.username == \"alice\"",
        ],
        FAST,
    ),
    // The SigmaHQ rules beside the default catalogue.
    (&["--sigma", "testdata/sigma/sigmahq"], FAST),
];

#[test]
fn engines_find_what_kaq_detect_finds() {
    let Some((python, engines)) = sql_engines() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // One file of every corpus, so each engine plans each statement once
    // (a statement holds the whole catalogue): the sample corpora, then the
    // detection edge cases (bursts, windows, streaming requests).
    let mut all = Vec::new();
    for (_, path) in corpora(dir.path()) {
        let out = kaq(&["-c", "true", &path]);
        assert_eq!(out.code, 0, "{path}: {}", out.stderr);
        all.extend_from_slice(out.stdout.as_bytes());
    }
    all.extend(std::fs::read(data("convert/detect-edge.log")).unwrap());
    let mut sigma: Vec<_> = std::fs::read_dir(data("sigma/events"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    sigma.sort();
    for p in sigma {
        all.extend(std::fs::read(p).unwrap());
        if !all.ends_with(b"\n") {
            all.push(b'\n');
        }
    }
    let corpus = dir.path().join("all.log");
    std::fs::write(&corpus, &all).unwrap();
    let corpus = corpus.display().to_string();

    let mut jobs = Vec::new();
    let mut expected = Vec::new();
    let mut fired = std::collections::BTreeSet::new();
    for (v, (flags, on)) in VARIANTS.iter().enumerate() {
        // `--filter EXPR` goes before `detect`, as the query flags may.
        let (global, flags) = match flags.iter().position(|f| *f == "--filter") {
            Some(i) => (&flags[i..i + 2], [&flags[..i], &flags[i + 2..]].concat()),
            None => (&flags[..0], flags.to_vec()),
        };
        let mut args = global.to_vec();
        args.extend(["detect", "-o", "csv"]);
        args.extend_from_slice(&flags);
        args.push(&corpus);
        let run = kaq(&args);
        assert!(run.code <= 1, "kaq {args:?}: {}", run.stderr);
        let rows = csv_rows(&run.stdout);
        for engine in engines.iter().filter(|e| on.contains(e)) {
            let mut conv = global.to_vec();
            conv.extend(["detect", "--convert-to", engine, "--from", PLACEHOLDER]);
            conv.extend_from_slice(&flags);
            let out = kaq(&conv);
            assert_eq!(out.code, 0, "kaq {conv:?}: {}", out.stderr);
            // The rules the engine cannot run are named on stderr; their
            // findings are left out of kaq's for the comparison.
            let left_out: Vec<&str> = out
                .stderr
                .lines()
                .filter_map(|l| l.strip_prefix("kaq: rule "))
                .filter_map(|l| l.split(' ').next())
                .collect();
            let want = findings(&rows, &left_out);
            fired.extend(want.iter().map(|r| r[0].clone()));
            let sql = out.stdout.replace(PLACEHOLDER, &corpus);
            let id = format!("{v}-{engine}");
            jobs.push((id.clone(), engine.to_string(), sql.clone()));
            expected.push((
                id,
                format!("{engine} {global:?} {flags:?}"),
                sql,
                want,
                left_out.len(),
            ));
        }
    }
    let got = run_engines(&python, &jobs);
    let mut failures = Vec::new();
    for (id, label, sql, want, left_out) in &expected {
        let res = &got[id];
        if let Some(err) = res.get("error") {
            failures.push(format!("{label}: engine error {err}\n  SQL: {}", clip(sql)));
            continue;
        }
        let columns: Vec<String> = serde_json::from_value(res["columns"].clone()).unwrap();
        assert_eq!(
            columns,
            ["rule", "severity", "time", "user", "verb", "resource", "object", "audit_id"],
            "{label}"
        );
        let rows: Vec<Vec<String>> = serde_json::from_value(res["rows"].clone()).unwrap();
        // kaq's object cell is the resource and the object in one.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                let object = format!("{} {}", r[5], r[6]).trim().to_string();
                vec![
                    r[0].clone(),
                    r[1].clone(),
                    r[2].clone(),
                    r[3].clone(),
                    r[4].clone(),
                    object,
                    r[7].clone(),
                ]
            })
            .collect();
        eprintln!(
            "{label}: {} findings, {} rules not converted",
            want.len(),
            left_out
        );
        if rows != *want {
            failures.push(format!(
                "{label}: kaq vs engine: {}\n  SQL: {}",
                first_difference(want, &rows),
                clip(sql)
            ));
        }
    }
    // Every kind of work is exercised: bursts of both kinds, streaming
    // requests, allow-lists, pod specs.
    for rule in [
        "forbidden-burst",
        "secret-enumeration",
        "secret-access-denied-burst",
        "exec-into-pod",
        "port-forward",
        "host-network",
        "privileged-container",
        "anonymous-allowed",
    ] {
        assert!(fired.contains(rule), "no corpus fires {rule}");
    }
    eprintln!(
        "{} statements over {} variants: {} rules fired",
        expected.len(),
        VARIANTS.len(),
        fired.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// kaq's findings as the engine's rows: rule, severity, time, user, verb,
/// object (resource and object), auditID.
fn findings(rows: &[Vec<String>], left_out: &[&str]) -> Vec<Vec<String>> {
    let Some((header, rows)) = rows.split_first() else {
        return Vec::new();
    };
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cols = [
        at("rule"),
        at("severity"),
        at("time"),
        at("user"),
        at("verb"),
        at("object"),
        at("audit_id"),
    ];
    rows.iter()
        .filter(|r| !left_out.contains(&r[cols[0]].as_str()))
        .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
        .collect()
}

/// `kaq detect --convert-to ENGINE --from x` and `more`.
fn converting<'a>(engine: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["detect", "--convert-to", engine, "--from", "x"];
    args.extend_from_slice(more);
    args
}

#[test]
fn what_cannot_be_converted_is_named() {
    let usage = |args: &[&str], says: &str| {
        let run = kaq(args);
        assert_eq!(run.code, 2, "kaq {args:?}: {}", run.stdout);
        assert!(run.stderr.contains(says), "kaq {args:?}: {}", run.stderr);
    };
    usage(
        &["detect", "--convert-to", "duckdb"],
        "kaq detect --convert-to duckdb needs --from LOCATION (NDJSON files) or --table NAME",
    );
    usage(
        &["detect", "--convert-to", "clickhouse", "--from", "x", "audit.log"],
        "audit.log: kaq detect --convert-to clickhouse reads no logs; the engine reads --from or --table",
    );
    usage(
        &converting("duckdb", &["--by", "rule"]),
        "--by rule is not converted; count the statement's rows by rule in duckdb",
    );
    usage(
        &converting("duckdb", &["--out-dir", "d"]),
        "--out-dir is for --convert-to sigma; --convert-to duckdb prints one statement",
    );
    usage(
        &[
            "detect",
            "--convert-to",
            "sigma",
            "--out-dir",
            "d",
            "--from",
            "x",
        ],
        "--from and --table name where SQL engines read events",
    );
    // A rule one engine cannot run exactly is left out there only.
    usage(
        &converting("spark", &["--only", "enumeration-uri"]),
        "cannot convert `kaq detect --convert-to` to spark: no rule left to convert \
         (enumeration-uri: (?i) with a class ([...]) is not converted for Spark: \
         Java folds the case of ranges differently (it misses ſ in (?i)[a-z]))",
    );
    let run = kaq(&converting("duckdb", &["--only", "enumeration-uri"]));
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // Spark's statement comes with the analyzer's pass limit raised: the
    // catalogue needs more than its default 100.
    let run = kaq(&converting("spark", &["--only", "exec-into-pod"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("SET spark.sql.analyzer.maxIterations=1000;\nWITH m AS ("),
        "{}",
        run.stdout
    );
    for (flag, says) in [
        (&["-m", "5"][..], "-m/--limit is not converted"),
        (&["--dedup"][..], "--dedup is not converted"),
        (
            &["--format", "aks"][..],
            "--format (the engines read plain Events) is not converted",
        ),
        (
            &["--filter", "true", "verb == \"get\""][..],
            "give the filter once",
        ),
    ] {
        usage(&[flag, &converting("duckdb", &[])].concat(), says);
    }
    // A rule the engine cannot run is named on stderr with the reason; the
    // others are converted.
    let run = kaq(&converting(
        "duckdb",
        &["--only", "exec-network-fetch,exec-into-pod"],
    ));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "kaq: rule exec-network-fetch is not converted: cannot convert `exec.command` to duckdb: \
         percent-decoding the command= parameters of requestURI is not converted exactly; \
         filter on requestURI or requestObject.command instead"
    );
    assert!(run.stdout.contains("'exec-into-pod'"), "{}", run.stdout);
    assert!(!run.stdout.contains("exec-network-fetch"), "{}", run.stdout);
    // When none is left, there is no statement.
    usage(
        &converting("clickhouse", &["--only", "exec-network-fetch"]),
        "cannot convert `kaq detect --convert-to` to clickhouse: no rule left to convert \
         (exec-network-fetch: percent-decoding the command= parameters",
    );
}
