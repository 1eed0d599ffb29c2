//! `kaq detect --convert-to duckdb|clickhouse|spark`: each engine, running
//! the statement over the same events, finds what `kaq detect` finds: the
//! same rules on the same events, in the same order, with thresholds
//! counted over the same windows.

use crate::convert_sql::{
    clip, corpora, csv_rows, first_difference, run_engines, ENGINES, PLACEHOLDER,
};
use crate::util::{data, engine_python, kaq};

/// The runs compared: the flags given to both `kaq detect` and
/// `kaq detect --convert-to`.
const VARIANTS: &[&[&str]] = &[
    // The catalogue as it runs by default.
    &[],
    // Every rule, off-by-default ones too.
    &["--only", "*"],
    // Threshold rules report every hit; the query flags pick the events;
    // --severity hides the rules below it.
    &[
        "--only",
        "*",
        "--no-thresholds",
        "--severity",
        "low",
        "--verb",
        "get,create,delete,list",
    ],
];

#[test]
fn engines_find_what_kaq_detect_finds() {
    let Some(python) = engine_python("duckdb").and(engine_python("chdb")) else {
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
    let corpus = dir.path().join("all.log");
    std::fs::write(&corpus, &all).unwrap();
    let corpus = corpus.display().to_string();
    let engines = std::env::var("KAQ_SQL_ENGINES").unwrap_or_else(|_| ENGINES.join(","));
    let engines: Vec<&str> = ENGINES
        .into_iter()
        .filter(|e| engines.contains(e))
        .collect();

    let mut jobs = Vec::new();
    let mut expected = Vec::new();
    let mut fired = std::collections::BTreeSet::new();
    for (v, flags) in VARIANTS.iter().enumerate() {
        let mut args = vec!["detect", "-o", "csv"];
        args.extend_from_slice(flags);
        args.push(&corpus);
        let run = kaq(&args);
        assert!(run.code <= 1, "kaq {args:?}: {}", run.stderr);
        let rows = csv_rows(&run.stdout);
        for engine in &engines {
            let mut conv = vec!["detect", "--convert-to", engine, "--from", PLACEHOLDER];
            conv.extend_from_slice(flags);
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
            expected.push((id, format!("{engine} {flags:?}"), sql, want, left_out.len()));
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
        "{} variants x {} engines: {} rules fired",
        VARIANTS.len(),
        engines.len(),
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
