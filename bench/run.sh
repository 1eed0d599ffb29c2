#!/usr/bin/env bash
# End-to-end benchmark: kaq against jq, jaq, the DuckDB CLI and ClickHouse's
# engine (chdb) on a generated audit log.
#
#   bench/run.sh                  # 1 GiB, 3 runs per query (jq/jaq: 1 run)
#   bench/run.sh --size 256MiB --runs 5
#   bench/run.sh --smoke          # tiny, for CI: checks the script and answers
#
# Every tool but chdb is timed as its own process started from the shell, the
# way a user runs it: kaq, jq, jaq, and the DuckDB CLI (`duckdb -c "SQL"`).
# chdb is ClickHouse's engine as a Python library; it is timed in-process
# around chdb.query() alone (bench/chdb_query.py), without the interpreter's
# start-up or the import, and its column says so.
#
# DuckDB and chdb come from pip: the script makes a venv at $KAQ_VENV
# (default bench/.venv) and installs `duckdb-cli chdb` there when they are
# missing. jq and jaq are skipped, with a message, when not installed:
#   jq:     apt-get install jq
#   jaq:    cargo install jaq --locked
# $KAQ_DUCKDB names another DuckDB CLI binary to use instead.
# Data goes to $KAQ_BENCH_DIR (default /tmp/kaq-bench) and is reused while its
# size and seed match.
set -euo pipefail
cd "$(dirname "$0")/.."

# The command line as run, for the report (with the settings that change it).
CMDLINE="bash bench/run.sh$(printf ' %q' "$@")"
for v in KAQ_BENCH_DIR KAQ_VENV KAQ_DUCKDB; do
  if [ -n "${!v:-}" ]; then CMDLINE="$v=$(printf %q "${!v}") $CMDLINE"; fi
done

SIZE=1GiB RUNS=3 SLOW_RUNS=1 SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --smoke) SIZE=2MiB RUNS=1 SMOKE=1; shift ;;
    *) echo "usage: bench/run.sh [--size 1GiB] [--runs 3] [--smoke]" >&2; exit 2 ;;
  esac
done
DIR=${KAQ_BENCH_DIR:-/tmp/kaq-bench}/$SIZE
mkdir -p "$DIR"

# ---- DuckDB CLI and chdb, from pip into a venv of their own
VENV=${KAQ_VENV:-$PWD/bench/.venv}
VENV_PY=$VENV/bin/python
PIP_PKGS="duckdb-cli chdb"
if [ ! -x "$VENV_PY" ]; then
  echo "bench: creating a Python venv for DuckDB and chdb at $VENV" >&2
  if ! python3 -m venv "$VENV"; then
    echo "bench: \`python3 -m venv $VENV\` failed. It needs Python 3 with its venv module (Debian/Ubuntu: apt-get install python3-venv); or set KAQ_VENV to a venv that has $PIP_PKGS installed." >&2
    exit 1
  fi
fi
if ! "$VENV_PY" -c 'import duckdb_cli, chdb' 2>/dev/null; then
  echo "bench: installing $PIP_PKGS into $VENV with pip" >&2
  # shellcheck disable=SC2086 # two package names
  if ! "$VENV_PY" -m pip install --quiet $PIP_PKGS; then
    echo "bench: pip could not install $PIP_PKGS into $VENV (see pip's message above; it needs PyPI or a mirror set in PIP_INDEX_URL). Install them there by hand ($VENV_PY -m pip install $PIP_PKGS), or set KAQ_VENV to a venv that has them." >&2
    exit 1
  fi
fi
# The venv's bin/duckdb is a Python script that starts an interpreter and runs
# the CLI binary bundled in the package as a child process: timing it would
# add the interpreter's start-up again. The binary itself is what a user of
# the DuckDB CLI runs (the JSON reader is built into it).
DUCKDB=${KAQ_DUCKDB:-$("$VENV_PY" -c 'import duckdb_cli, os; print(os.path.join(os.path.dirname(duckdb_cli.__file__), "duckdb"))')}
if [ ! -x "$DUCKDB" ]; then
  echo "bench: no DuckDB CLI binary at $DUCKDB (from the duckdb-cli package in $VENV, or KAQ_DUCKDB)" >&2
  exit 1
fi

cargo build --release --quiet --bin kaq --example genlog --example limits
KAQ=$PWD/target/release/kaq
GEN=$PWD/target/release/examples/genlog
LIMITS=$PWD/target/release/examples/limits

# ---- data (deterministic; generated once)
if [ ! -s "$DIR/audit.log" ]; then
  "$GEN" --size "$SIZE" --seed 1 > "$DIR/audit.log.tmp" && mv "$DIR/audit.log.tmp" "$DIR/audit.log"
  gzip -1 -c "$DIR/audit.log" > "$DIR/audit.log.gz"
  rm -rf "$DIR/rotated"
  "$GEN" --size "$SIZE" --seed 1 --rotated "$DIR/rotated" --files 8 --gzip 6 2>/dev/null
  # Quiet files (untouched for a minute) are memory-mapped, as backups are.
  touch -d '1 hour ago' "$DIR/audit.log" "$DIR"/rotated/*
fi
LOG=$DIR/audit.log GZ=$DIR/audit.log.gz ROT=$DIR/rotated
BYTES=$(stat -c %s "$LOG")
cat "$LOG" "$GZ" "$ROT"/* > /dev/null   # warm the page cache

have() { command -v "$1" >/dev/null 2>&1; }
have jq || echo "bench: jq is not installed; skipping it (apt-get install jq)" >&2
have jaq || echo "bench: jaq is not installed; skipping it (cargo install jaq --locked)" >&2

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# time_cmd RUNS CMD... : prints "median_seconds answer"
# Before each run the files in $WARM are read once (untimed): some machines
# (this project's VMs among them) reclaim page cache within seconds, and a
# run that reads part of its input from disk says nothing about the tool.
WARM=""
time_cmd() {
  local runs=$1; shift
  local times=() out=""
  for _ in $(seq "$runs"); do
    local t0 t1
    # shellcheck disable=SC2086 # $WARM is a path or a glob.
    [ -z "$WARM" ] || cat $WARM > /dev/null
    t0=$(date +%s.%N)
    # Exit status 1 (nothing matched) is an answer, not a failure.
    out=$(bash -c "$*") || true
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%.4f %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$(echo "$out" | md5sum | cut -c1-8)"
}

# time_chdb RUNS SQL SEP : prints "median_seconds answer", the seconds being
# those bench/chdb_query.py measured around chdb.query() in its process.
# Its TabSeparated output is normalised to SEP between columns, as the
# DuckDB CLI prints them; "failed failed" when a query fails.
time_chdb() {
  local runs=$1 sql="$2 SETTINGS max_threads = $(nproc)" sep=$3
  local times=() out="" err
  err=$(mktemp)
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086 # $WARM is a path or a glob.
    [ -z "$WARM" ] || cat $WARM > /dev/null
    if ! out=$("$VENV_PY" bench/chdb_query.py "$sql" 2> "$err"); then
      { echo "bench: chdb failed on: $sql"; cat "$err"; } >&2
      rm -f "$err"; echo "failed failed"; return
    fi
    times+=("$(tail -n 1 "$err")")
  done
  rm -f "$err"
  [ "$sep" = $'\t' ] || out=${out//$'\t'/$sep}
  printf '%.4f %s\n' "$(printf '%s\n' "${times[@]}" | median)" "$(echo "$out" | md5sum | cut -c1-8)"
}

# ---- the queries, per tool (each prints its answer, normalised to compare)
# DuckDB reads the JSON with the columns it needs declared; ClickHouse reads
# each line as a string and extracts the fields from it (no schema inference;
# file() picks the decompression from the file name's extension).
Q1_KAQ="$KAQ --count 'verb == \"delete\" and objectRef.resource == \"secrets\"' FILE"
Q1_JQ="jq -c 'select(.verb==\"delete\" and .objectRef.resource==\"secrets\")' FILE | wc -l"
Q1_JAQ="jaq -c 'select(.verb==\"delete\" and .objectRef.resource==\"secrets\")' FILE | wc -l"
Q1_DUCK="SELECT count(*) FROM read_json(FILES, format='newline_delimited', columns={verb:'VARCHAR', objectRef:'STRUCT(resource VARCHAR)'}) WHERE verb='delete' AND objectRef.resource='secrets'"
Q1_CH="SELECT count() FROM file(FILES, 'LineAsString') WHERE JSONExtractString(line, 'verb') = 'delete' AND JSONExtractString(line, 'objectRef', 'resource') = 'secrets'"
Q1_SEP=' '

Q2_KAQ="$KAQ -o csv --by user.username --top 10 true FILE | tail -n +2 | cut -d, -f1,2 | tr , ' '"
Q2_JQ="jq -r '.user.username' FILE | sort | uniq -c | sort -k1,1nr -k2 | head -10 | awk '{print \$2, \$1}'"
Q2_JAQ="jaq -r '.user.username' FILE | sort | uniq -c | sort -k1,1nr -k2 | head -10 | awk '{print \$2, \$1}'"
Q2_DUCK="SELECT \"user\".username, count(*) c FROM read_json(FILES, format='newline_delimited', columns={\"user\":'STRUCT(username VARCHAR)'}) GROUP BY 1 ORDER BY c DESC, 1 LIMIT 10"
Q2_CH="SELECT JSONExtractString(line, 'user', 'username') AS u, count() AS c FROM file(FILES, 'LineAsString') GROUP BY u ORDER BY c DESC, u LIMIT 10"
Q2_SEP=' '

Q3_FILTER='resource == "pods" and verb in ["create", "update"] and requestObject.spec.containers[*].securityContext.privileged == true'
Q3_KAQ="$KAQ -o tsv --columns auditID,user.username,objectRef.namespace,verb '$Q3_FILTER' FILE | tail -n +2"
Q3_JQ="jq -r 'select(.objectRef.resource==\"pods\" and (.verb==\"create\" or .verb==\"update\") and ([.requestObject.spec.containers[]?.securityContext.privileged] | any(. == true))) | [.auditID, .user.username, .objectRef.namespace, .verb] | @tsv' FILE"
Q3_JAQ="jaq -r 'select(.objectRef.resource==\"pods\" and (.verb==\"create\" or .verb==\"update\") and ([.requestObject.spec.containers[]?.securityContext.privileged] | any(. == true))) | [.auditID, .user.username, .objectRef.namespace, .verb] | @tsv' FILE"
Q3_DUCK="SELECT auditID, \"user\".username, objectRef.namespace, verb FROM read_json(FILES, format='newline_delimited', columns={auditID:'VARCHAR', verb:'VARCHAR', \"user\":'STRUCT(username VARCHAR)', objectRef:'STRUCT(resource VARCHAR, namespace VARCHAR)', requestObject:'JSON'}) WHERE objectRef.resource='pods' AND verb IN ('create','update') AND list_contains(json_extract(requestObject, '\$.spec.containers[*].securityContext.privileged')::VARCHAR[], 'true')"
# ClickHouse reads with several threads and returns rows in no set order:
# ORDER BY the line's number in the file puts them in log order, as the others print them.
Q3_CH="SELECT JSONExtractString(line, 'auditID'), JSONExtractString(line, 'user', 'username'), JSONExtractString(line, 'objectRef', 'namespace'), JSONExtractString(line, 'verb') FROM file(FILES, 'LineAsString') WHERE JSONExtractString(line, 'objectRef', 'resource') = 'pods' AND JSONExtractString(line, 'verb') IN ('create', 'update') AND arrayExists(c -> JSONExtractRaw(c, 'securityContext', 'privileged') = 'true', JSONExtractArrayRaw(line, 'requestObject', 'spec', 'containers')) ORDER BY _row_number"
Q3_SEP=$'\t'

# duck_cmd SQL SEP: the DuckDB CLI command line, quoted for bash -c
duck_cmd() {
  printf '%q ' "$DUCKDB" -no-init -noheader -list -separator "$2" -nullvalue '' \
    -c "SET threads TO $(nproc); SET enable_progress_bar = false; $1"
}

declare -A T A
row() { # query-id, file-for-kaq/jq, DuckDB files literal, ClickHouse files literal, jq input command
  local q=$1 file=$2 dfiles=$3 cfiles=$4 jqin=$5
  local k="${q}_KAQ" j="${q}_JQ" ja="${q}_JAQ" d="${q}_DUCK" c="${q}_CH" s="${q}_SEP"
  if [ -d "$file" ]; then WARM="$file/*"; else WARM=$file; fi
  read -r T[$q,kaq] A[$q,kaq] < <(time_cmd "$RUNS" "${!k//FILE/$file}")
  if have jq; then read -r T[$q,jq] A[$q,jq] < <(time_cmd "$SLOW_RUNS" "$jqin ${!j//FILE/}"); fi
  if have jaq; then read -r T[$q,jaq] A[$q,jaq] < <(time_cmd "$SLOW_RUNS" "$jqin ${!ja//FILE/}"); fi
  read -r T[$q,duckdb] A[$q,duckdb] < <(time_cmd "$RUNS" "$(duck_cmd "${!d//FILES/$dfiles}" "${!s}")")
  read -r T[$q,chdb] A[$q,chdb] < <(time_chdb "$RUNS" "${!c//FILES/$cfiles}" "${!s}")
}

# jq reads the files as a stream; gzip and directories go through zcat.
row Q1 "$LOG" "'$LOG'" "'$LOG'" "cat $LOG |"
row Q2 "$LOG" "'$LOG'" "'$LOG'" "cat $LOG |"
row Q3 "$LOG" "'$LOG'" "'$LOG'" "cat $LOG |"
Q4_KAQ=$Q1_KAQ Q4_JQ=$Q1_JQ Q4_JAQ=$Q1_JAQ Q4_DUCK=$Q1_DUCK Q4_CH=$Q1_CH Q4_SEP=$Q1_SEP
row Q4 "$GZ" "'$GZ'" "'$GZ'" "zcat $GZ |"
Q5_KAQ=$Q1_KAQ Q5_JQ=$Q1_JQ Q5_JAQ=$Q1_JAQ Q5_DUCK=$Q1_DUCK Q5_CH=$Q1_CH Q5_SEP=$Q1_SEP
row Q5 "$ROT" "['$ROT/*.log', '$ROT/*.log.gz']" "'$ROT/*.{log,log.gz}'" "zcat -f \$(ls $ROT/*.gz | sort) \$(ls $ROT/*.log | grep -v '/audit.log\$' | sort) $ROT/audit.log |"

# ---- hardware limits in the same run
WARM=$LOG
read -r T_READ _ < <(time_cmd "$RUNS" "cat $LOG > /dev/null")
WARM=$GZ
read -r T_INFLATE _ < <(time_cmd "$RUNS" "zcat $GZ > /dev/null")
# A memmem scan of the mapped file for Q1's rarer literal on every core
# (lines without it never looked at), and a decode of the gzip file with
# kaq's own gzip build: the floors for Q1 and Q4.
WARM=$LOG
read -r T_SCAN _ < <(time_cmd "$RUNS" "$LIMITS scan $LOG secrets > /dev/null")
WARM=$GZ
read -r T_DECODE _ < <(time_cmd "$RUNS" "$LIMITS inflate $GZ > /dev/null")
# Thread scaling: one thread against all of them.
WARM=$LOG
read -r T_KAQ1 _ < <(time_cmd "$RUNS" "$KAQ -j1 -o csv --by user.username --top 10 true $LOG > /dev/null")
WARM="$ROT/*"
read -r T_ROT1 _ < <(time_cmd "$RUNS" "$KAQ -j1 --count 'verb == \"delete\" and objectRef.resource == \"secrets\"' $ROT > /dev/null")
# Peak anonymous memory (allocated, not the mapped file's pages), sampled.
peak() { python3 bench/peak-anon.py bash -c "exec $*" 2>&1 >/dev/null | tail -1; }
M_Q1=$(peak "${Q1_KAQ//FILE/$LOG}")
M_Q2=$(peak "$KAQ -o csv --by user.username --top 10 true $LOG")
M_Q3=$(peak "$KAQ -o tsv --columns auditID,user.username,objectRef.namespace,verb '$Q3_FILTER' $LOG")
M_Q4=$(peak "${Q1_KAQ//FILE/$GZ}")
M_Q5=$(peak "${Q1_KAQ//FILE/$ROT}")
# kaq detect: the whole catalogue in one pass, against one simple query
# with and without the literal prefilter (detect parses every line).
WARM=$LOG
read -r T_DETECT _ < <(time_cmd "$RUNS" "$KAQ detect --by rule -o csv $LOG > /dev/null")
read -r T_PARSE_ALL _ < <(time_cmd "$RUNS" "$KAQ --no-prefilter --count 'verb == \"delete\" and objectRef.resource == \"secrets\"' $LOG > /dev/null")

TOOLS=(kaq); have jq && TOOLS+=(jq); have jaq && TOOLS+=(jaq); TOOLS+=(duckdb chdb)
declare -A HEAD=([kaq]=kaq [jq]=jq [jaq]=jaq [duckdb]="DuckDB CLI" [chdb]="chdb (in-process, query only)")
declare -A SHORT=([jq]=jq [jaq]=jaq [duckdb]="DuckDB CLI" [chdb]=chdb)
GZ_MB=$(awk -v b="$(stat -c %s "$GZ")" 'BEGIN { printf "%.3g", b / 1e6 }')
declare -A DESC=(
  [Q1]='Q1 count `verb == "delete" and objectRef.resource == "secrets"`'
  [Q2]='Q2 count by `user.username`, top 10'
  [Q3]='Q3 privileged pods created/updated, 4 fields'
  [Q4]="Q4 = Q1 on the gzip (\`gzip -1\`, $GZ_MB MB)"
  [Q5]='Q5 = Q1 on the rotated directory'
)
# The goals, as kaq's speed-up over the DuckDB CLI in the same run.
declare -A TARGET=([Q1]=4 [Q2]=2 [Q3]=3 [Q4]=1.8 [Q5]=3)
secs() { awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else printf "%.3g", v }'; }
thousands() { printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
ge() { [ "$(echo "$1 >= $2" | bc -l)" = 1 ]; }

DUCKDB_VERSION=$("$DUCKDB" -version 2>/dev/null | head -n 1)
PY_VERSIONS=$("$VENV_PY" -c 'import sys, importlib.metadata as m, chdb
print("duckdb-cli %s; chdb %s (ClickHouse %s, Python %s)" % (m.version("duckdb-cli"), m.version("chdb"), getattr(chdb, "engine_version", "?"), sys.version.split()[0]))')
VERSIONS="kaq: $("$KAQ" --version 2>/dev/null | head -n 1)"
VERSIONS+="; jq: $(if have jq; then jq --version 2>&1 | head -n 1; else echo 'not installed, skipped'; fi)"
VERSIONS+="; jaq: $(if have jaq; then jaq --version 2>&1 | head -n 1; else echo 'not installed, skipped'; fi)"
VERSIONS+="; DuckDB CLI: $DUCKDB_VERSION, from $PY_VERSIONS"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then COMMIT+=" (with uncommitted changes)"; fi

echo
echo "kaq benchmark: $(( BYTES / 1048576 )) MiB log, $(nproc) cores, $(uname -m); medians of $RUNS runs (jq/jaq: $SLOW_RUNS)"
echo "command: $CMDLINE   (at commit $COMMIT)"
echo "versions: $VERSIONS"
echo "timing: kaq, jq, jaq and the DuckDB CLI ($DUCKDB) as processes started from the shell, wall clock; DuckDB with \`SET threads TO $(nproc)\`, ClickHouse with max_threads = $(nproc); chdb in-process around chdb.query() alone (bench/chdb_query.py: no interpreter start-up, import or engine start-up)"
echo "hardware: read $(echo "$BYTES / $T_READ / 1000000" | bc -l | xargs printf '%.0f') MB/s (cat, page cache); zcat of the gzip copy: ${T_INFLATE} s"
echo
printf '| query |'; for t in "${TOOLS[@]}"; do printf ' %s |' "${HEAD[$t]}"; done; printf ' kaq MB/s | kaq speed-up | target vs DuckDB CLI |\n'
printf '|---|'; for _ in "${TOOLS[@]}"; do printf -- '---|'; done; printf -- '---|---|---|\n'
status=0 missed=""
for q in Q1 Q2 Q3 Q4 Q5; do
  printf '| %s |' "${DESC[$q]}"
  for t in "${TOOLS[@]}"; do
    v=${T[$q,$t]:-}
    if [ "$v" = failed ]; then printf ' failed |'; status=1
    elif [ -n "$v" ] && [ "${A[$q,$t]}" != "${A[$q,kaq]}" ]; then printf ' %s s (DIFFERENT ANSWER) |' "$(secs "$v")"; status=1
    elif [ -n "$v" ]; then printf ' %s s |' "$(secs "$v")"
    else printf ' - |'; fi
  done
  printf ' %s |' "$(thousands "$(echo "$BYTES / ${T[$q,kaq]} / 1000000" | bc -l)")"
  sp=""
  for t in "${TOOLS[@]:1}"; do
    v=${T[$q,$t]:-}
    if [ -n "$v" ] && [ "$v" != failed ]; then sp+="$(printf '%.1f× vs %s, ' "$(echo "$v / ${T[$q,kaq]}" | bc -l)" "${SHORT[$t]}")"; fi
  done
  printf ' %s |' "${sp%, }"
  v=${T[$q,duckdb]}
  if [ "$v" = failed ]; then printf ' ≥ %s×: no DuckDB figure |\n' "${TARGET[$q]}"; missed+=" $q"
  else
    r=$(echo "$v / ${T[$q,kaq]}" | bc -l)
    if ge "$r" "${TARGET[$q]}"; then printf ' ≥ %s×: met (%.2f×) |\n' "${TARGET[$q]}" "$r"
    else printf ' ≥ %s×: **not met** (%.2f×) |\n' "${TARGET[$q]}" "$r"; missed+=" $q"; fi
  fi
done
echo
if [ -z "$missed" ]; then echo "targets: all five met against the DuckDB CLI in this run"
else echo "targets: not met in this run:$missed"; fi
if [ $SMOKE = 1 ]; then echo "(--smoke: $SIZE of data, so process start-up dominates every figure; the targets are for the 1 GiB run)"; fi
echo
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "threads: Q2 1 thread ${T_KAQ1} s, $(nproc) threads ${T[Q2,kaq]} s ($(ratio "$T_KAQ1" "${T[Q2,kaq]}")×); Q5 1 thread ${T_ROT1} s, $(nproc) threads ${T[Q5,kaq]} s ($(ratio "$T_ROT1" "${T[Q5,kaq]}")×)"
echo "Q1 vs a $(nproc)-thread memmem scan for \"secrets\" (${T_SCAN} s): $(ratio "${T[Q1,kaq]}" "$T_SCAN")×"
echo "peak anonymous memory (MiB, sampled every ms): Q1 $M_Q1, Q2 $M_Q2, Q3 $M_Q3, Q4 $M_Q4, Q5 $M_Q5"
echo "kaq detect, $($KAQ detect --list -o ndjson | grep -c '"enabled":true') rules: ${T_DETECT} s = $(echo "$T_DETECT / ${T[Q1,kaq]}" | bc -l | xargs printf '%.1f')× Q1, $(echo "$T_DETECT / $T_PARSE_ALL" | bc -l | xargs printf '%.1f')× Q1 parsing every line (--no-prefilter: ${T_PARSE_ALL} s)"
echo "Q4 vs a decode of the same file with kaq's gzip build (${T_DECODE} s): $(ratio "${T[Q4,kaq]}" "$T_DECODE")×"
if [ $status != 0 ]; then echo "bench: tools disagree on an answer, or one failed" >&2; fi
exit $status
