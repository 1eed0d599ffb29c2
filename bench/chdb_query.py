#!/usr/bin/env python3
"""One ClickHouse query run in-process with chdb, the query alone timed.

    bench/chdb_query.py SQL [FORMAT]     # FORMAT: a ClickHouse output format, TabSeparated by default

Prints the result on stdout and, on stderr's last line, the seconds that
chdb.query() took for SQL (time.perf_counter around that one call).
Not timed: the interpreter's start-up, `import chdb`, and the engine's own
start-up, which a `SELECT 1` run first (untimed) pays for. A ClickHouse
server or clickhouse-local would pay those once per session or per process;
this figure is the query's cost alone, and bench/run.sh labels it so.
"""
import sys
import time

import chdb


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip())
    sql = sys.argv[1]
    fmt = sys.argv[2] if len(sys.argv) == 3 else "TabSeparated"
    chdb.query("SELECT 1", "CSV")  # engine start-up, untimed
    t0 = time.perf_counter()
    res = chdb.query(sql, fmt)
    seconds = time.perf_counter() - t0
    if res.has_error():  # older chdb reports errors here instead of raising
        sys.exit(f"chdb: {res.error_message()}")
    sys.stdout.buffer.write(res.bytes())
    sys.stdout.flush()
    print(f"{seconds:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
