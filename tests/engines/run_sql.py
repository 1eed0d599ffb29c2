"""Runs SQL statements through the real engines, for kaq's differential
tests (tests/integration/convert_sql.rs).

stdin: a JSON list of jobs, {"id": str, "engine": "duckdb" | "clickhouse" |
"spark", "sql": str}; statements before a line holding `;` alone, and
leading `SET key=value;` lines, set up the last one (Spark only). stdout: one JSON object mapping each id to {"columns": [...],
"rows": [[cell, ...], ...]} or {"error": message}. Every cell is text as
kaq's CSV shows it: SQL NULL is "", everything else str(). Each engine
starts once per run, however many jobs it has.
"""

import json
import os
import sys
import time


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def run_duckdb(jobs, out):
    import duckdb

    con = duckdb.connect()
    for job in jobs:
        try:
            rel = con.sql(job["sql"])
            out[job["id"]] = {
                "columns": list(rel.columns),
                "rows": [[cell(v) for v in row] for row in rel.fetchall()],
            }
        except Exception as e:  # the engine's message is the report
            out[job["id"]] = {"error": f"{type(e).__name__}: {e}"}


def run_clickhouse(jobs, out):
    from chdb import session

    # One session for every job: chdb.query() starts a new one each call,
    # which costs more than most of these queries.
    s = session.Session()
    for job in jobs:
        try:
            res = s.query(job["sql"], "JSONCompact")
            text = res.data()
            if not text.strip():
                out[job["id"]] = {"columns": [], "rows": []}
                continue
            doc = json.loads(text)
            out[job["id"]] = {
                "columns": [m["name"] for m in doc["meta"]],
                "rows": [[cell(v) for v in row] for row in doc["data"]],
            }
        except Exception as e:
            out[job["id"]] = {"error": f"{type(e).__name__}: {e}"}


def run_spark(jobs, out):
    # One local session for every Spark job, quiet: no UI, log4j at ERROR
    # from the start. The inputs are tiny: one shuffle partition and no
    # adaptive re-planning halve each query's fixed cost (the statements'
    # results do not depend on either).
    from pyspark.sql import SparkSession

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
    # KAQ_SPARK_CONF=key=value,... runs the statements under other settings
    # (spark.sql.ansi.enabled=false: they hold in both modes).
    for setting in filter(None, os.environ.get("KAQ_SPARK_CONF", "").split(",")):
        key, value = setting.split("=", 1)
        spark = spark.config(key, value)
    spark = spark.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for job in jobs:
            start = time.time()
            try:
                # Session settings kaq prints first (`SET k=v;` lines),
                # then setup statements before a line holding `;` alone.
                sql, settings = job["sql"], []
                while sql.startswith("SET "):
                    line, _, sql = sql.partition(";\n")
                    settings.append(line)
                *setup, last = sql.split("\n;\n")
                setup = settings + setup
                for statement in setup:
                    spark.sql(statement)
                df = spark.sql(last)
                out[job["id"]] = {
                    "columns": list(df.columns),
                    "rows": [[cell(v) for v in row] for row in df.collect()],
                }
            except Exception as e:
                out[job["id"]] = {"error": f"{type(e).__name__}: {str(e)[:2000]}"}
            # KAQ_SQL_TIMES=1 reports each job's seconds on stderr.
            if os.environ.get("KAQ_SQL_TIMES"):
                print(f"{job['id']} {time.time() - start:.2f}s", file=sys.stderr, flush=True)
    finally:
        spark.stop()


RUNNERS = {"duckdb": run_duckdb, "clickhouse": run_clickhouse, "spark": run_spark}


def main():
    jobs = json.load(sys.stdin)
    # KAQ_SQL_DUMP=FILE keeps the jobs, to replay one by hand.
    if os.environ.get("KAQ_SQL_DUMP"):
        with open(os.environ["KAQ_SQL_DUMP"], "w") as f:
            json.dump(jobs, f)
    out = {}
    for engine, runner in RUNNERS.items():
        mine = [j for j in jobs if j["engine"] == engine]
        if mine:
            runner(mine, out)
    for j in jobs:
        if j["engine"] not in RUNNERS:
            out[j["id"]] = {"error": f"unknown engine {j['engine']}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
