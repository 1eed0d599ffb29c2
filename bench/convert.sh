#!/usr/bin/env bash
# One question over the 1 GiB generated log, answered by kaq and by the SQL
# `kaq convert` writes for DuckDB, chDB (ClickHouse in process) and Spark
# (a local session), in the same run, with a check that all four return the
# same rows. A record for
# docs/convert.md, not a target.
#
#   bench/convert.sh [LOG]      (default /tmp/kaq-bench/1GiB/audit.log)
#
# Make the log with
#   cargo run --release --example genlog -- --size 1GiB --seed 1 > /tmp/kaq-bench/1GiB/audit.log
# KAQ names the kaq binary (default target/release/kaq); PY the Python with
# duckdb, chdb and pyspark (default .venv/bin/python, see
# tests/engines/requirements.txt; Spark needs Java 17 or later).
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${1:-/tmp/kaq-bench/1GiB/audit.log}
KAQ=${KAQ:-target/release/kaq}
PY=${PY:-.venv/bin/python}
FLAGS=(--by user --top 5)
FILTER='code >= 400 and verb != "get"'
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

. bench/seconds.sh

echo "log: $LOG ($(stat -c %s "$LOG") bytes), cores: $(nproc), query: ${FLAGS[*]} '$FILTER'"
k=$(seconds "$KAQ" -o csv "${FLAGS[@]}" "$FILTER" "$LOG")
tail -n +2 "$OUT/last" > "$OUT/kaq.csv"
echo "kaq:        ${k}s"
for engine in duckdb clickhouse spark; do
    "$KAQ" convert --to "$engine" --from "$LOG" "${FLAGS[@]}" "$FILTER" > "$OUT/$engine.sql"
    s=$(seconds "$PY" bench/sql_rows.py "$engine" "$OUT/$engine.sql")
    cp "$OUT/last" "$OUT/$engine.csv"
    same=$(cmp -s "$OUT/kaq.csv" "$OUT/$engine.csv" && echo "same rows" || echo "ROWS DIFFER")
    printf '%-11s %ss (%s)\n' "$engine:" "$s" "$same"
done
