#!/usr/bin/env bash
# The detection catalogue over one log, run by `kaq detect` and by the
# statements `kaq detect --convert-to` writes for DuckDB, chDB
# (ClickHouse in process) and Spark (a local session), in the same run,
# with a check that all return the same findings. A record for docs/convert.md, not a target.
#
#   bench/detect-sql.sh [LOG]      (default /tmp/kaq-bench/1GiB/audit.log)
#
# KAQ names the kaq binary (default target/release/kaq); PY the Python with
# duckdb, chdb and pyspark (default .venv/bin/python, see
# tests/engines/requirements.txt); ENGINES the engines to run (default
# "duckdb clickhouse spark").
set -euo pipefail
cd "$(dirname "$0")/.."
LOG=${1:-/tmp/kaq-bench/1GiB/audit.log}
KAQ=${KAQ:-target/release/kaq}
PY=${PY:-.venv/bin/python}
ENGINES=${ENGINES:-duckdb clickhouse spark}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

. bench/seconds.sh

echo "log: $LOG ($(stat -c %s "$LOG") bytes), cores: $(nproc), kaq detect (the default catalogue)"
k=$(seconds "$KAQ" detect -o csv "$LOG" || true)
cp "$OUT/last" "$OUT/kaq.csv"
echo "kaq:        ${k}s ($(($(wc -l < "$OUT/kaq.csv") - 1)) findings)"
for engine in $ENGINES; do
    "$KAQ" detect --convert-to "$engine" --from "$LOG" > "$OUT/$engine.sql" 2> "$OUT/$engine.left"
    s=$(seconds "$PY" bench/sql_rows.py "$engine" "$OUT/$engine.sql")
    # kaq's findings of the rules the engine runs, as the engine's columns.
    same=$("$PY" - "$OUT/kaq.csv" "$OUT/last" "$OUT/$engine.left" <<'PY'
import csv, sys
kaq, got, left = sys.argv[1:]
left = {l.split()[2] for l in open(left) if l.startswith("kaq: rule ")}
rows = list(csv.reader(open(kaq)))
h = rows[0]
ix = [h.index(c) for c in ["rule", "severity", "time", "user", "verb", "object", "audit_id"]]
want = [[r[i] for i in ix] for r in rows[1:] if r[ix[0]] not in left]
have = [r[:5] + [(r[5] + " " + r[6]).strip(), r[7]] for r in csv.reader(open(got))]
print(f"same {len(have)} findings" if want == have else f"FINDINGS DIFFER ({len(want)} vs {len(have)})")
PY
)
    printf '%-11s %ss (%s; %s rules not converted)\n' "$engine:" "$s" "$same" "$(grep -c '^kaq: rule ' "$OUT/$engine.left" || true)"
done
