"""Runs one SQL file through one engine and prints its rows as CSV, for the
benchmarks that time `kaq convert` and `kaq detect --convert-to` output
(bench/convert.sh, bench/detect-sql.sh).

    python bench/sql_rows.py duckdb|clickhouse|spark FILE.sql

Leading `SET key=value;` lines (what kaq prints before a Spark detections
statement) run first. SQL NULL prints as an empty cell.
"""

import csv
import json
import sys

engine, path = sys.argv[1], sys.argv[2]
sql = open(path).read()
w = csv.writer(sys.stdout, lineterminator="\n")
if engine == "duckdb":
    import duckdb

    rows = duckdb.connect().sql(sql).fetchall()
elif engine == "spark":
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[*]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    while sql.startswith("SET "):
        setting, _, sql = sql.partition(";\n")
        spark.sql(setting)
    rows = spark.sql(sql).collect()
else:
    import chdb

    rows = json.loads(chdb.query(sql, "JSONCompact").data())["data"]
for r in rows:
    w.writerow(["" if v is None else v for v in r])
