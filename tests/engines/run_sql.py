"""Runs SQL statements through the real engines, for kaq's differential
tests (tests/integration/convert_sql.rs).

stdin: a JSON list of jobs, {"id": str, "engine": "duckdb" | "clickhouse" |
"spark", "sql": str}; statements before a line holding `;` alone, and
leading `SET key=value;` lines, set up the last one (Spark only). stdout:
one JSON object mapping each id to {"columns": [...], "rows": [[cell, ...],
...]} or {"error": message}. Every cell is text as kaq's CSV shows it: SQL
NULL is "", everything else str(). Each engine starts once per run,
however many jobs it has.

With --serve, it reads batches, one per line ({"batch": n, "jobs": [...]}),
and answers each with one line ({"batch": n, "out": {...}}) as soon as it
is done, until stdin closes: the test binary keeps one driver (one Spark
session) for all its tests, which send batches side by side.
"""

import json
import os
import queue
import sys
import threading
import time


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# What stops the engines' sessions when the driver ends.
AT_EXIT = []


def start_duckdb():
    import duckdb

    return duckdb.connect()


def run_duckdb(con, job):
    rel = con.sql(job["sql"])
    return {
        "columns": list(rel.columns),
        "rows": [[cell(v) for v in row] for row in rel.fetchall()],
    }


def start_clickhouse():
    from chdb import session

    # One session for every job: chdb.query() starts a new one each call,
    # which costs more than most of these queries.
    s = session.Session()
    AT_EXIT.append(s.close)
    return s


def run_clickhouse(s, job):
    text = s.query(job["sql"], "JSONCompact").data()
    if not text.strip():
        return {"columns": [], "rows": []}
    doc = json.loads(text)
    return {
        "columns": [m["name"] for m in doc["meta"]],
        "rows": [[cell(v) for v in row] for row in doc["data"]],
    }


SPARK = []
SPARK_STARTING = threading.Lock()


def start_spark():
    # One local Spark for every job, quiet: no UI, log4j at ERROR from the
    # start. The inputs are tiny: one shuffle partition and no adaptive
    # re-planning halve each query's fixed cost (the statements' results do
    # not depend on either). Each worker thread has a session of its own
    # (its own settings) over the one SparkContext.
    from pyspark.sql import SparkSession

    with SPARK_STARTING:
        if not SPARK:
            quiet = "-Dlog4j2.level=ERROR -Dlog4j.rootLogger=ERROR"
            spark = (
                SparkSession.builder.master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "1")
                .config("spark.sql.adaptive.enabled", "false")
                .config("spark.driver.memory", "2g")
                .config("spark.driver.extraJavaOptions", quiet)
            )
            # KAQ_SPARK_CONF=key=value,... runs the statements under other
            # settings (spark.sql.ansi.enabled=false: they hold in both modes).
            for setting in filter(None, os.environ.get("KAQ_SPARK_CONF", "").split(",")):
                key, value = setting.split("=", 1)
                spark = spark.config(key, value)
            spark = spark.getOrCreate()
            spark.sparkContext.setLogLevel("ERROR")
            SPARK.append(spark)
            AT_EXIT.append(spark.stop)
        return SPARK[0].newSession()


def run_spark(spark, job):
    # Session settings kaq prints first (`SET k=v;` lines), then setup
    # statements before a line holding `;` alone.
    sql, settings = job["sql"], []
    while sql.startswith("SET "):
        line, _, sql = sql.partition(";\n")
        settings.append(line)
    *setup, last = sql.split("\n;\n")
    # The session outlives the job: its settings do not (what they were
    # before, KAQ_SPARK_CONF's included, comes back).
    keys = [line[len("SET ") :].split("=", 1)[0].strip() for line in settings]
    before = {key: spark.conf.get(key, None) for key in keys}
    try:
        for statement in settings + setup:
            spark.sql(statement)
        df = spark.sql(last)
        return {
            "columns": list(df.columns),
            "rows": [[cell(v) for v in row] for row in df.collect()],
        }
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


class Pending:
    """Counts a batch's jobs down to done."""

    def __init__(self, n):
        self.n, self.lock, self.done = n, threading.Lock(), threading.Event()
        if n == 0:
            self.done.set()

    def one_done(self):
        with self.lock:
            self.n -= 1
            if self.n == 0:
                self.done.set()


class Engine:
    """An engine's worker threads, each with a session it starts and alone
    uses, taking jobs from one queue: batches sent side by side share them,
    and the engines run side by side (each releases Python's lock while it
    works)."""

    def __init__(self, start, run_one, threads):
        self.inbox = queue.Queue()
        for _ in range(threads):
            threading.Thread(target=self.loop, args=(start, run_one), daemon=True).start()

    def loop(self, start, run_one):
        try:
            session, failed = start(), None
        except Exception as e:  # reported with each job
            session, failed = None, e
        while True:
            job, out, pending = self.inbox.get()
            begun = time.time()
            try:
                if failed:
                    raise failed
                out[job["id"]] = run_one(session, job)
            except Exception as e:  # the engine's message is the report
                out[job["id"]] = {"error": f"{type(e).__name__}: {str(e)[:2000]}"}
            finally:
                pending.one_done()
            # KAQ_SQL_TIMES=1 reports each job's seconds on stderr.
            if os.environ.get("KAQ_SQL_TIMES"):
                print(f"{job['id']} {time.time() - begun:.2f}s", file=sys.stderr, flush=True)


# (start, run one job, worker threads). chDB allows one session per
# process; Spark plans each statement on the thread that sent it, so two
# threads keep both cores busy.
ENGINES = {
    "duckdb": (start_duckdb, run_duckdb, 1),
    "clickhouse": (start_clickhouse, run_clickhouse, 1),
    "spark": (start_spark, run_spark, 2),
}
STARTED = {}
STARTING = threading.Lock()


def dump(jobs, suffix=""):
    # KAQ_SQL_DUMP=FILE keeps the jobs, to replay one by hand (FILE.N for
    # batch N of --serve).
    if os.environ.get("KAQ_SQL_DUMP"):
        with open(os.environ["KAQ_SQL_DUMP"] + suffix, "w") as f:
            json.dump(jobs, f)


def run(jobs):
    """Each job's answer, by id."""
    out = {}
    known = [j for j in jobs if j["engine"] in ENGINES]
    pending = Pending(len(known))
    for job in known:
        with STARTING:
            if job["engine"] not in STARTED:
                STARTED[job["engine"]] = Engine(*ENGINES[job["engine"]])
        STARTED[job["engine"]].inbox.put((job, out, pending))
    for j in jobs:
        if j["engine"] not in ENGINES:
            out[j["id"]] = {"error": f"unknown engine {j['engine']}"}
    pending.done.wait()
    return out


def main():
    try:
        if sys.argv[1:] == ["--serve"]:
            printing = threading.Lock()

            def answer(request):
                # Every batch is answered: the tests wait for it.
                try:
                    dump(request["jobs"], f".{request['batch']}")
                    out = run(request["jobs"])
                except Exception as e:
                    why = {"error": f"the driver failed: {type(e).__name__}: {e}"}
                    out = {j["id"]: why for j in request["jobs"]}
                with printing:
                    print(json.dumps({"batch": request["batch"], "out": out}), flush=True)

            for line in sys.stdin:
                request = json.loads(line)
                threading.Thread(target=answer, args=(request,), daemon=True).start()
        else:
            jobs = json.load(sys.stdin)
            dump(jobs)
            json.dump(run(jobs), sys.stdout)
    finally:
        for stop in AT_EXIT:
            stop()


if __name__ == "__main__":
    main()
