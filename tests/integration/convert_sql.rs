//! `kaq convert --to duckdb|clickhouse|spark`: a differential test. kaq and
//! each real engine (DuckDB, chDB, local Spark) answer the same questions
//! over the same events, and every row must be the same: columns, order,
//! cells. The engines run in one Python process that the whole test binary
//! shares (`tests/engines/run_sql.py --serve`, also used by `detect_sql`),
//! so each starts once per run.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use crate::util::{data, engine_python, kaq, Run};

pub(crate) const ENGINES: [&str; 3] = ["duckdb", "clickhouse", "spark"];

/// The Python that runs the engines, and the engines to run: those it can
/// import (Spark also needs `java`), less those `KAQ_SQL_ENGINES=duckdb,...`
/// leaves out. A missing engine is skipped, saying so, except under `CI`,
/// where it fails the test.
pub(crate) fn sql_engines() -> Option<(std::path::PathBuf, Vec<&'static str>)> {
    let chosen = std::env::var("KAQ_SQL_ENGINES").unwrap_or_else(|_| ENGINES.join(","));
    let mut python = None;
    let mut engines = Vec::new();
    for (engine, module) in ENGINES.into_iter().zip(["duckdb", "chdb", "pyspark"]) {
        if !chosen.contains(engine) {
            continue;
        }
        let Some(p) = engine_python(module) else {
            continue;
        };
        if engine == "spark" && !java_runs() {
            continue;
        }
        python = Some(p);
        engines.push(engine);
    }
    Some((python?, engines))
}

/// Whether `java` runs (Spark's JVM); under `CI` it must.
fn java_runs() -> bool {
    let runs = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !runs {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v.is_empty()),
            "CI is set and `java` does not run: Spark needs Java 17 or later"
        );
        eprintln!("skipped: Spark (`java` does not run)");
    }
    runs
}

/// Flag and filter combinations: every operator, alias and computed field,
/// and every view flag.
const CASES: &[(&[&str], &str)] = &[
    // Records and columns.
    (&[], "true"),
    (&["--limit", "3"], "true"),
    (
        &["--columns", "auditID,verb,stage,level,userAgent,latency"],
        "true",
    ),
    (
        &[
            "--columns",
            "user.groups,sourceIPs,annotations,responseStatus.code",
        ],
        "true",
    ),
    (
        &[
            "--columns",
            "actor,impersonator,format,requestObject.rules[*].verbs",
        ],
        "true",
    ),
    (
        &[
            "--columns",
            "decision,reason,ns,name,apiGroup,subresource,as,uri",
        ],
        "true",
    ),
    (
        &["--columns", "pod.containers[*].image,pod.volumes[*].name"],
        "true",
    ),
    // Equality, strictness, case.
    (&[], r#"verb == "create""#),
    (&[], r#"verb != "get""#),
    (&[], r#"verb == "CREATE""#),
    (&[], r#"code == 200"#),
    (&[], r#"requestObject.flag == "true""#),
    (&[], r#"code != 200"#),
    (&[], r#"code == 250"#),
    (&[], r#"code == 2.5e2"#),
    (&[], r#"requestObject.num == 250"#),
    (&[], r#"requestObject.num >= 1000.0"#),
    (&[], r#"requestObject.num < 1"#),
    (&[], r#"requestObject.big > 1e299"#),
    (&[], r#"code == 18446744073709551615"#),
    (&[], r#"code == 9007199254740992"#),
    (&[], r#"code == 9007199254740993"#),
    (&[], r#"code >= 400"#),
    (&[], r#"code < 300 and code >= 200"#),
    (&[], r#"code <= -1"#),
    (&[], r#"code > 1000.5"#),
    (&[], r#"code == null"#),
    (&[], r#"code != null"#),
    (&[], r#"impersonatedUser.username == null"#),
    (&[], r#"user.username == null"#),
    (&[], r#"ns == """#),
    (&[], r#"ns != "default""#),
    (&[], r#"not ns == "default""#),
    (&[], r#"requestObject.flag == true"#),
    (&[], r#"requestObject.flag != false"#),
    (&[], r#"requestObject.num == 0"#),
    (&[], r#"verb in ["create", "update", "patch"]"#),
    (&[], r#"code in [401, 403, null]"#),
    (&[], r#""pods" in requestObject.rules[*].resources"#),
    // Strings.
    (&[], r#"user contains "system:""#),
    (&[], r#"user startswith "system:serviceaccount:""#),
    (&[], r#"uri endswith "/pods""#),
    (&[], r#"userAgent contains "red""#),
    (&[], r#"user contains "中文""#),
    (&[], r#"user == "quote'\"back\\slash\nnewline\ttab""#),
    (&[], r#"user > "b" and user < "system""#),
    // Globs and regexes.
    (&[], r#"user ~ "system:*""#),
    (&[], r#"user ~ "?lice""#),
    (&[], r#"name ~ "p1?""#),
    (&[], r#"name ~ "*""#),
    (&[], r#"uri ~ "/api/*/namespaces/*/pods""#),
    (&[], r#"user ~ "*\n*""#),
    (&[], r#"user =~ "^system:(serviceaccount|node):""#),
    (&[], r#"user !~ "^a""#),
    (&[], r#"name =~ "p[0-9]{2}$""#),
    (&[], r#"user =~ "(?i)ALICE""#),
    (&[], r#"user =~ "a.b" or user =~ "quote.*back""#),
    (&[], r#"user =~ "(?s)back.*newline""#),
    (&[], r#"uri =~ "\\?verbose=""#),
    // Exists, missing, arrays.
    (&[], r#"exists(impersonatedUser)"#),
    (&[], r#"not exists(objectRef)"#),
    (&[], r#"exists(requestObject.rules[*].verbs)"#),
    (&[], r#"exists(sourceIPs)"#),
    (&[], r#"groups == "dev""#),
    (&[], r#"groups != "dev""#),
    (&[], r#"ip == "10.0.0.1""#),
    (&[], r#"ip != "10.0.0.1""#),
    (&[], r#"requestObject.weird["k.e.y"].x[1] == 2"#),
    (&[], r#"requestObject.weird["k.e.y"].x[*] == 3"#),
    (&[], r#"requestObject.weird["k.e.y"].x[2].y == 4"#),
    (&[], r#"annotations["a.b.c"] == "dotted""#),
    (&[], r#"decision == "allow" and reason contains "\"x\"""#),
    (
        &[],
        r#"requestObject.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"] == "{}""#,
    ),
    (
        &[],
        r#"any(requestObject.rules[*], "create" in verbs and "pods/exec" in resources)"#,
    ),
    (&[], r#"all(requestObject.rules[*], "create" in verbs)"#),
    (&[], r#"not all(requestObject.rules[*], "get" in verbs)"#),
    (&[], r#"any(user.groups, _ == "dev")"#),
    (&[], r#"user ~ "bob? ?? ?""#),
    (&[], r#"user contains """#),
    (&[], r#"annotations[*] == "dotted""#),
    (&[], r#"requestObject.weird[*].x[*] == 1"#),
    (&[], r#"requestObject.rules[0].verbs == "get""#),
    (&[], r#"requestObject.weird[0] == null"#),
    (&[], r#"any(user, _ == "alice")"#),
    (&[], r#"all(requestObject.nothing[*], _ == 1)"#),
    // Addresses.
    (&[], r#"ip within "10.0.0.0/8""#),
    (
        &[],
        r#"ip within ["2001:db8::/32", "fd00::/8", "192.168.0.0/16"]"#,
    ),
    (&[], r#"not ip within "10.0.0.0/30""#),
    (&[], r#"ip within "0.0.0.0/0""#),
    (&[], r#"ip within "::/0""#),
    (&[], r#"ip within "2001:db8::1""#),
    (&[], r#"ip within "10.1.2.3""#),
    (
        &[],
        r#"ip within ["1.2.3.4", "fd00::/9", "1:2:3:4:5:6:7:0/127"]"#,
    ),
    (&[], r#"ip within "10.2.0.0/15""#),
    // Computed fields.
    (&[], r#"actor ~ "system:serviceaccount:*""#),
    (&[], r#"actor == null"#),
    (&[], r#"impersonator == "alice""#),
    (&[], r#"exists(impersonator)"#),
    (&[], r#"latency > 0.2"#),
    (&[], r#"latency >= 250ms"#),
    (&[], r#"latency < 1s"#),
    (&[], r#"latency == 1"#),
    (&[], r#"format == "event""#),
    (
        &[],
        r#"pod.containers[*].securityContext.privileged == true"#,
    ),
    (&[], r#"pod.containers[*].image ~ "*busybox*""#),
    (&[], r#"any(pod.containers, image == "debug")"#),
    (&[], r#"pod.volumes[*].hostPath.path == "/""#),
    (&[], r#"pod.spec.hostNetwork == true"#),
    (&[], r#"exists(pod.spec)"#),
    (
        &[],
        r#""SYS_ADMIN" in pod.containers[*].securityContext.capabilities.add"#,
    ),
    // Times.
    (&[], r#"time >= "2024-05-01T10:00:00.25Z""#),
    (
        &[],
        r#"time > "2024-05-01T10:00:00Z" and time < "2024-05-01T11:00:00Z""#,
    ),
    (&[], r#"time == "2024-05-01T10:00:00.123456Z""#),
    (&[], r#"requestReceivedTimestamp < "2024-03-01T00:00:00Z""#),
    // Hostile literals: quotes, backslashes, SQL, control characters and
    // unicode stay data in the statement.
    (&[], r#"verb == "x'); SELECT 1; --""#),
    (
        &[],
        r#"user == "'" or user contains "'\"back" or user contains "\\slash""#,
    ),
    (
        &[],
        r#"user contains "\u0000" or user contains "\u001b[31m" or userAgent contains "\u001b[31m""#,
    ),
    (&[], r#"user =~ "'.\"" or name ~ "*'*" or name ~ "*\\*""#),
    (
        &[],
        r#"annotations["x'\"\\y"] == "1" or requestObject["a/b~c"] == null"#,
    ),
    (
        &[
            "--columns",
            "requestObject[\"a'b\"],annotations[\"authorization.k8s.io/reason\"]",
        ],
        "true",
    ),
    (&[], r#"user == "bobé 中文 😀""#),
    // Shorthand flags.
    (&["--verb", "create,update"], "true"),
    (&["--resource", "pods"], "true"),
    (&["--resource", "pods/exec"], "true"),
    (&["-n", "kube-system"], "true"),
    (&["--user", "system:*"], "true"),
    (&["--code", "4xx"], "true"),
    (&["--code", "201"], "true"),
    (&["--stage", "requestreceived"], "true"),
    (
        &[
            "--since",
            "2024-05-01T10:00:00Z",
            "--until",
            "2024-05-01T11:00:00Z",
        ],
        "true",
    ),
    // Views.
    (&["--count"], "true"),
    (&["--count"], r#"verb == "create""#),
    (&["--count", "--limit", "3"], r#"verb != "get""#),
    (&["--by", "verb"], "true"),
    (&["--by", "verb,user", "--top", "5"], "true"),
    (&["--by", "user.groups"], "true"),
    (&["--by", "ip,verb"], "true"),
    (&["--by", "code"], "true"),
    (&["--by", "resource,ns", "--top", "3"], r#"verb != "get""#),
    (&["--by", "pod.containers[*].image"], "true"),
    // A computed number as a key: printed as kaq prints it (`1`, not `1.0`).
    (&["--by", "latency"], "true"),
    (&["--distinct", "user"], "true"),
    (&["--distinct", "groups", "--top", "4"], "true"),
    (&["--distinct", "ip"], "true"),
    (&["--every", "1h"], "true"),
    (&["--every", "5m"], "true"),
    (&["--every", "1m", "--by", "verb"], "true"),
    (&["--every", "1h", "--by", "user", "--top", "2"], "true"),
    (&["--every", "1d", "--by", "groups"], "true"),
];

/// The events every case runs over: real samples (normalised to one Event
/// per line by kaq), the handmade events, the generated control plane, and
/// the edge cases.
pub(crate) fn corpora(dir: &Path) -> Vec<(String, String)> {
    let real = dir.join("real.ndjson");
    // The engines read raw Events: the samples in cloud envelopes (AKS,
    // EKS, GKE) stay out. One sample is not an audit event (kaq says so
    // and skips it).
    let out = kaq(&["-c", r#"format == "event""#, &data("real")]);
    assert!(out.stdout.lines().count() > 50, "{}", out.stderr);
    std::fs::write(&real, &out.stdout).unwrap();
    vec![
        ("edge".into(), data("convert/edge.log")),
        ("real".into(), real.display().to_string()),
        ("handmade".into(), data("handmade/events.log")),
        ("generated".into(), data("generated/control-plane.log.gz")),
    ]
}

/// CSV text as rows of cells.
pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The engine driver (`tests/engines/run_sql.py --serve`) this test binary
/// shares: each engine, Spark's session above all, starts once per run.
/// Tests send it batches side by side.
struct Driver {
    /// Never waited for: it exits when `stdin` closes, with the binary.
    _child: Child,
    stdin: Mutex<ChildStdin>,
    answers: Arc<Answers>,
}

/// The driver's answers by batch number, as its reader thread gets them;
/// `None` once the driver has stopped.
struct Answers {
    by_batch: Mutex<Option<HashMap<u64, serde_json::Value>>>,
    came: Condvar,
}

/// Marks the driver stopped when dropped: its reader thread holds one.
struct Stopped(Arc<Answers>);

impl Drop for Stopped {
    fn drop(&mut self) {
        *self.0.by_batch.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.0.came.notify_all();
    }
}

static DRIVER: OnceLock<Driver> = OnceLock::new();

fn driver(python: &Path) -> &'static Driver {
    DRIVER.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/run_sql.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the engine driver runs");
        let answers = Arc::new(Answers {
            by_batch: Mutex::new(Some(HashMap::new())),
            came: Condvar::new(),
        });
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let to = Arc::clone(&answers);
        std::thread::spawn(move || {
            // However this thread ends, the tests waiting hear of it.
            let _stopped = Stopped(Arc::clone(&to));
            for line in stdout.lines().map_while(Result::ok) {
                // Anything else an engine prints there is passed on.
                let Some((batch, out)) = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|a| Some((a["batch"].as_u64()?, a["out"].clone())))
                else {
                    eprintln!("{line}");
                    continue;
                };
                let mut by_batch = to.by_batch.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(answers) = by_batch.as_mut() {
                    answers.insert(batch, out);
                }
                to.came.notify_all();
            }
        });
        Driver {
            stdin: Mutex::new(child.stdin.take().unwrap()),
            _child: child,
            answers,
        }
    })
}

/// Runs `jobs` (id, engine, SQL) through the shared driver: each id's
/// `{"columns", "rows"}` or `{"error"}`.
pub(crate) fn run_engines(python: &Path, jobs: &[(String, String, String)]) -> serde_json::Value {
    static BATCHES: AtomicU64 = AtomicU64::new(0);
    let batch = BATCHES.fetch_add(1, Ordering::Relaxed);
    let jobs: Vec<serde_json::Value> = jobs
        .iter()
        .map(|(id, engine, sql)| serde_json::json!({"id": id, "engine": engine, "sql": sql}))
        .collect();
    let d = driver(python);
    {
        // serde_json writes no raw newline: one batch is one line.
        let mut stdin = d.stdin.lock().unwrap();
        writeln!(
            stdin,
            "{}",
            serde_json::json!({"batch": batch, "jobs": jobs})
        )
        .expect("the engine driver reads");
        stdin.flush().unwrap();
    }
    let mut answers = d.answers.by_batch.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        match answers.as_mut() {
            None => {
                drop(answers);
                panic!("the engine driver failed");
            }
            Some(a) => {
                if let Some(out) = a.remove(&batch) {
                    return out;
                }
            }
        }
        answers = d
            .answers
            .came
            .wait(answers)
            .unwrap_or_else(|e| e.into_inner());
    }
}

/// The `--from` path each conversion is written with, then replaced by each
/// corpus's path.
pub(crate) const PLACEHOLDER: &str = "/kaq-corpus-placeholder.log";

struct Expected {
    label: String,
    sql: String,
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    /// The statement must stop with this error instead (Spark, where it
    /// cannot answer as kaq does).
    error: Option<&'static str>,
}

/// Events for Spark's own traps: case folding Java's `(?i)` does otherwise
/// (the Turkish İ and ı, the Kelvin sign, the long s), numbers spelled
/// otherwise than Jackson writes them, strings that look like other kinds;
/// then (a second file) an object with duplicate keys, which Spark stops at
/// only where a statement needs the kind of a member holding it.
const SPARK_EVENTS: [&str; 2] = [
    r#"{"kind":"Event","verb":"get","auditID":"s1","user":{"username":"ALİCE"},"requestObject":{"n":250.0,"s":"250","t":"true","o":"{}"}}
{"kind":"Event","verb":"get","auditID":"s2","user":{"username":"alıce"},"requestObject":{"n":1.5e3,"s":"x\u0026y"}}
{"kind":"Event","verb":"get","auditID":"s3","user":{"username":"ſ K"},"requestObject":{"n":2,"s":2,"t":true,"o":{}}}
"#,
    r#"{"kind":"Event","verb":"list","auditID":"s4","user":{"username":"alice"},"requestObject":{"a":1,"a":2}}
{"kind":"Event","verb":"get","auditID":"s5","user":{"username":"bob"}}
"#,
];

/// Questions over [`SPARK_EVENTS`] (which file) for Spark: what kaq prints,
/// or the error the statement stops with.
type SparkCase = (
    usize,
    &'static [&'static str],
    &'static str,
    Option<&'static str>,
);
const SPARK_CASES: &[SparkCase] = &[
    (0, &[], r#"user =~ "(?i)alice""#, None),
    (0, &[], r#"user =~ "(?i)S K""#, None),
    (0, &[], r#"user =~ "(?i)^al.ce$""#, None),
    (0, &["--columns", "auditID"], r#"requestObject.s == "250""#, None),
    (0, &["--columns", "auditID"], r#"requestObject.s == 2"#, None),
    (0, &["--columns", "auditID"], r#"requestObject.t == true"#, None),
    (0, &["--columns", "auditID"], r#"requestObject.o == "{}""#, None),
    (0, &["--columns", "auditID"], r#"requestObject.n == 250"#, None),
    (0, &["--columns", "auditID"], r#"requestObject.n >= 1500"#, None),
    (0, &["--columns", "auditID,requestObject.s"], r#"verb == "get""#, None),
    (1, &["--count"], r#"verb == "list""#, None),
    (1, &["--columns", "auditID,user"], r#"verb == "get""#, None),
    (
        0,
        &["--columns", "requestObject.n"],
        r#"auditID == "s2""#,
        Some("a value to print holds a number or string escape that Spark cannot print as the event writes it"),
    ),
    (
        0,
        &["--columns", "requestObject"],
        r#"auditID == "s2""#,
        Some("a value to print holds a number or string escape that Spark cannot print as the event writes it"),
    ),
    (
        1,
        &["--count"],
        r#"user == "alice""#,
        Some("an object with duplicate keys, which Spark cannot read as kaq does"),
    ),
];

#[test]
fn engines_return_what_kaq_prints() {
    let Some((python, engines)) = sql_engines() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpora = corpora(dir.path());
    let mut jobs = Vec::new();
    let mut expected: BTreeMap<String, Expected> = BTreeMap::new();
    // KAQ_SQL_CASES=TEXT runs only the cases whose flags and filter
    // contain TEXT (to iterate on one construct).
    let only = std::env::var("KAQ_SQL_CASES").unwrap_or_default();
    let cases: Vec<(usize, &(&[&str], &str))> = CASES
        .iter()
        .enumerate()
        .filter(|(_, (flags, filter))| format!("{} {filter}", flags.join(" ")).contains(&only))
        .collect();
    // What kaq prints for each case and corpus: the runs are independent, so
    // two threads share them (the suite's slowest part is these processes).
    // The generated log (3,000 events, gzipped) costs an engine ten times
    // what the others do: every third case reads it, which still covers
    // each construct's neighbours and the gzip sources.
    let reads = |i: usize, name: &str| name != "generated" || i % 3 == 0;
    // Spark answers each statement in about a second however small the
    // input (analysis of the statement, then a job): it reads the edge
    // cases in every case, the real and handmade events in every sixth,
    // and the generated log in every ninth, which keeps the suite within a
    // few minutes and still covers every construct and the gzip source.
    let engine_reads = |engine: &str, i: usize, name: &str| {
        reads(i, name)
            && (engine != "spark"
                || match name {
                    "edge" => true,
                    "generated" => i % 9 == 0,
                    _ => i % 6 == 0,
                })
    };
    let runs: Vec<(usize, &str, &str)> = cases
        .iter()
        .flat_map(|(i, _)| {
            corpora
                .iter()
                .map(move |(n, p)| (*i, n.as_str(), p.as_str()))
        })
        .filter(|&(i, name, _)| reads(i, name))
        .collect();
    let printed: BTreeMap<(usize, &str), Run> = std::thread::scope(|scope| {
        let halves: Vec<_> = runs
            .chunks(runs.len().div_ceil(2).max(1))
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&(i, name, path)| {
                            let (flags, filter) = CASES[i];
                            let mut args = vec!["-o", "csv"];
                            args.extend_from_slice(flags);
                            args.extend([filter, path]);
                            ((i, name), kaq(&args))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for (i, (flags, filter)) in cases {
        // The statement does not depend on the corpus but for its --from
        // path, a plain one that needs no quoting: one conversion per
        // engine serves every corpus.
        let mut statements = Vec::new();
        for engine in &engines {
            let mut conv = vec!["convert", "--to", engine, "--from", PLACEHOLDER];
            conv.extend_from_slice(flags);
            conv.push(filter);
            let out = kaq(&conv);
            assert_eq!(out.code, 0, "kaq {conv:?}: {}", out.stderr);
            statements.push((*engine, out.stdout.trim().to_string()));
        }
        for (name, path) in corpora.iter().filter(|(n, _)| reads(i, n)) {
            assert!(
                !path.contains(['\'', '"', '\\']),
                "{path} would need quoting"
            );
            let want = &printed[&(i, name.as_str())];
            assert!(
                want.code == 0 || want.code == 1,
                "kaq -o csv {flags:?} {filter} {path}: {}",
                want.stderr
            );
            let mut rows = csv_rows(&want.stdout);
            let counting = flags.contains(&"--count");
            let header = if counting || rows.is_empty() {
                None
            } else {
                Some(rows.remove(0))
            };
            for (engine, statement) in &statements {
                if !engine_reads(engine, i, name) {
                    continue;
                }
                let sql = statement.replace(PLACEHOLDER, path);
                let id = format!("{i:03}-{name}-{engine}");
                jobs.push((id.clone(), engine.to_string(), sql.clone()));
                expected.insert(
                    id,
                    Expected {
                        label: format!("{engine} {name}: {} {filter}", flags.join(" ")),
                        sql,
                        header: header.clone(),
                        rows: rows.clone(),
                        error: None,
                    },
                );
            }
        }
    }
    // `--table`: Spark reads a view of raw events whose names need quoting
    // (DuckDB and ClickHouse: `tables_of_raw_events_answer_like_files`).
    if engines.contains(&"spark") && only.is_empty() {
        let log = data("convert/edge.log");
        let out = kaq(&[
            "convert",
            "--to",
            "spark",
            "--table",
            "odd\"ta`ble",
            "--json-column",
            "j's",
            "--count",
            r#"verb == "create""#,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let want = kaq(&["-o", "csv", "--count", r#"verb == "create""#, &log]);
        let sql = format!(
            "CREATE OR REPLACE TEMPORARY VIEW `odd\"ta``ble` AS SELECT value AS `j's` FROM text.`{log}`\n;\n{}",
            out.stdout.trim()
        );
        jobs.push(("table-spark".into(), "spark".into(), sql.clone()));
        expected.insert(
            "table-spark".into(),
            Expected {
                label: "spark --table".into(),
                sql,
                header: None,
                rows: csv_rows(&want.stdout),
                error: None,
            },
        );
        let files: Vec<String> = SPARK_EVENTS
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = dir.path().join(format!("spark-{i}.log"));
                std::fs::write(&path, text).unwrap();
                path.display().to_string()
            })
            .collect();
        for (n, (file, flags, filter, error)) in SPARK_CASES.iter().enumerate() {
            let events = &files[*file];
            let mut args = vec!["-o", "csv"];
            args.extend_from_slice(flags);
            args.extend([*filter, events.as_str()]);
            let printed = kaq(&args);
            let mut rows = csv_rows(&printed.stdout);
            let header = if flags.contains(&"--count") || rows.is_empty() {
                None
            } else {
                Some(rows.remove(0))
            };
            let mut conv = vec!["convert", "--to", "spark", "--from", events];
            conv.extend_from_slice(flags);
            conv.push(filter);
            let out = kaq(&conv);
            assert_eq!(out.code, 0, "kaq {conv:?}: {}", out.stderr);
            let id = format!("spark-events-{n:02}");
            jobs.push((id.clone(), "spark".into(), out.stdout.trim().to_string()));
            expected.insert(
                id,
                Expected {
                    label: format!("spark events: {} {filter}", flags.join(" ")),
                    sql: out.stdout.trim().to_string(),
                    header,
                    rows,
                    error: *error,
                },
            );
        }
    }
    let got = run_engines(&python, &jobs);
    let mut failures = Vec::new();
    for (id, want) in &expected {
        let res = &got[id];
        if let (Some(err), Some(says)) = (res.get("error"), want.error) {
            if !err.as_str().unwrap_or_default().contains(says) {
                failures.push(format!("{}: expected {says:?}, got {err}", want.label));
            }
            continue;
        }
        if want.error.is_some() {
            failures.push(format!("{}: expected an error, got rows", want.label));
            continue;
        }
        if let Some(err) = res.get("error") {
            failures.push(format!(
                "{}: engine error {err}\n  SQL: {}",
                want.label,
                clip(&want.sql)
            ));
            continue;
        }
        let rows: Vec<Vec<String>> = serde_json::from_value(res["rows"].clone()).unwrap();
        let columns: Vec<String> = serde_json::from_value(res["columns"].clone()).unwrap();
        let header_ok = want.header.as_ref().is_none_or(|h| *h == columns);
        if !header_ok || rows != want.rows {
            failures.push(format!(
                "{}:\n  header kaq {:?} engine {:?}\n  kaq vs engine: {}\n  SQL: {}",
                want.label,
                want.header,
                columns,
                first_difference(&want.rows, &rows),
                clip(&want.sql)
            ));
        }
    }
    eprintln!(
        "{} cases x {} corpora x {} engines: {} jobs, {} mismatches",
        CASES.len(),
        corpora.len(),
        ENGINES.len(),
        jobs.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

pub(crate) fn clip(s: &str) -> String {
    if s.len() > 600 {
        let mut end = 600;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    } else {
        s.to_string()
    }
}

/// Where two row lists part: the row count and the first rows that differ.
pub(crate) fn first_difference(a: &[Vec<String>], b: &[Vec<String>]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    format!(
        "{} vs {} rows; row {at}: {:?} vs {:?}",
        a.len(),
        b.len(),
        a.get(at),
        b.get(at)
    )
}

/// Every refusal names the construct and says why; nothing is printed on
/// stdout.
#[test]
fn refusals_name_the_construct() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["exec.command contains \"sh\""],
            "cannot convert `exec.command`",
        ),
        (&["exec.command contains \"sh\""], "percent-decoding"),
        (
            &["user =~ \"\\\\d+\""],
            "\\d, \\s and \\w match Unicode in kaq but ASCII in RE2",
        ),
        (&["user =~ \"\\\\bbob\""], "word boundaries"),
        (&["user =~ \"\\\\p{Greek}\""], "Unicode classes"),
        (&["user =~ \"(?x) a b\""], "the x flag"),
        (&["user =~ \"(?i)é\""], "case folding"),
        (&["user =~ \"a{1001}\""], "RE2's limit of 1000"),
        (&["user =~ \"(?<n>a)\""], "(?P<name>...)"),
        (&["user == ns"], "comparing two fields"),
        (
            &["--by", "verb", "--stats", "latency", "true"],
            "cannot convert `--stats`",
        ),
    ];
    for engine in ENGINES {
        for (args, says) in cases {
            let mut full = vec!["convert", "--to", engine, "--from", "audit.log"];
            full.extend_from_slice(args);
            let out = kaq(&full);
            assert_eq!(out.code, 2, "{full:?}: {}", out.stdout);
            assert!(out.stdout.is_empty(), "{full:?} printed {}", out.stdout);
            assert!(
                out.stderr.contains(says) && out.stderr.contains(engine),
                "{full:?}: expected {says:?} in\n{}",
                out.stderr
            );
        }
    }
    // What Java's regex engine reads otherwise than RE2: refused for Spark
    // alone, converted for the others.
    for (filter, says) in [
        (
            r#"user =~ "(?m)^a$""#,
            "the m flag is not converted for Spark: Java's multi-line ^ does not match after a final \\n",
        ),
        (
            r#"user =~ "(?U)a+""#,
            "the U flag is not converted for Spark: (?U) means Unicode classes in Java",
        ),
        (
            r#"user =~ "(?i)[a-z]""#,
            "(?i) with a class ([...]) is not converted for Spark: Java folds the case of ranges differently",
        ),
        (
            r#"user =~ "(?i)\\x69""#,
            "(?i) with an escaped letter i is not converted for Spark: Java also matches the Turkish",
        ),
        (
            r#"user =~ "[]a]""#,
            "a class starting with ] is not converted for Spark: Java reads it differently",
        ),
        (
            r#"user =~ "[[:alpha:]]""#,
            "POSIX classes ([[:alpha:]]) are not converted for Spark",
        ),
        (
            r#"user =~ "a\\vb""#,
            "the escape \\v is not converted for Spark: Java reads it as any vertical space",
        ),
        (
            r#"user =~ "(?P<n>a)""#,
            "named groups are not converted for Spark",
        ),
    ] {
        for engine in ENGINES {
            let out = kaq(&["convert", "--to", engine, "--from", "audit.log", filter]);
            if engine == "spark" {
                assert_eq!(out.code, 2, "{filter}: {}", out.stdout);
                assert!(
                    out.stderr.contains(says) && out.stderr.contains("cannot convert"),
                    "{filter}: expected {says:?} in\n{}",
                    out.stderr
                );
            } else {
                assert_eq!(out.code, 0, "{engine} {filter}: {}", out.stderr);
            }
        }
    }
    for (args, says) in [
        (
            vec!["convert", "--to", "duckdb", "true"],
            "kaq convert needs --from LOCATION (NDJSON files) or --table NAME",
        ),
        (
            vec![
                "convert", "--to", "duckdb", "--from", "x", "--count", "--by", "verb", "true",
            ],
            "cannot be used with",
        ),
        (
            vec!["convert", "--to", "duckdb", "--from", "x", "user =~ \"(\""],
            "invalid regex",
        ),
    ] {
        let out = kaq(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr.contains(says),
            "{args:?}: expected {says:?} in\n{}",
            out.stderr
        );
    }
}

/// `--table NAME --json-column COL`: a table of raw events, names quoted
/// whatever they hold; the engine reads it like the files.
#[test]
fn tables_of_raw_events_answer_like_files() {
    let Some(python) = engine_python("duckdb").and(engine_python("chdb")) else {
        return;
    };
    let log = data("convert/edge.log");
    let want = kaq(&["-o", "csv", "--count", r#"verb == "create""#, &log]);
    let mut jobs = Vec::new();
    // Spark's table is read in the differential's own session
    // (`engines_return_what_kaq_prints`): a second one would cost as much.
    for engine in ["duckdb", "clickhouse"] {
        let out = kaq(&[
            "convert",
            "--to",
            engine,
            "--table",
            "odd\"ta`ble",
            "--json-column",
            "j's",
            "--count",
            r#"verb == "create""#,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let (create, drop) = match engine {
            "duckdb" => (
                format!(
                    "CREATE TABLE \"odd\"\"ta`ble\" AS SELECT json AS \"j's\" FROM read_ndjson_objects('{log}')"
                ),
                String::new(),
            ),
            _ => (
                format!(
                    "CREATE TABLE `odd\"ta\\`ble` ENGINE = Memory AS SELECT json AS `j's` FROM file('{log}', 'JSONAsString')"
                ),
                "DROP TABLE IF EXISTS `odd\"ta\\`ble`".to_string(),
            ),
        };
        jobs.push((engine, format!("{create}; {}", out.stdout.trim()), drop));
    }
    for (engine, script, drop) in jobs {
        let got = run_script(&python, engine, &script, &drop);
        assert_eq!(got, want.stdout.trim(), "{engine}: {script}");
    }
}

/// Runs `script` (statements separated by `; `) in a fresh engine; the
/// last statement's single cell.
fn run_script(python: &Path, engine: &str, script: &str, drop: &str) -> String {
    let code = match engine {
        "duckdb" => "import duckdb,sys\ncon=duckdb.connect()\nparts=sys.stdin.read().split('; ',1)\ncon.sql(parts[0])\nprint(con.sql(parts[1]).fetchall()[0][0])".to_string(),
        _ => format!(
            "import chdb,sys\nfrom chdb import session\ns=session.Session()\nparts=sys.stdin.read().split('; ',1)\ns.query({drop:?})\ns.query(parts[0])\nprint(s.query(parts[1],'CSV').data().strip())"
        ),
    };
    let mut child = Command::new(python)
        .args(["-c", &code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{engine}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
