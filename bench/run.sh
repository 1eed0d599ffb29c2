#!/usr/bin/env bash
# End-to-end benchmark: kaq against jq, jaq and DuckDB on a generated audit log.
#
#   bench/run.sh                  # 1 GiB, 3 runs per query (jq/jaq: 1 run)
#   bench/run.sh --size 256MiB --runs 5
#   bench/run.sh --smoke          # tiny, for CI: checks the script and answers
#
# Tools that are not installed are skipped. To install them:
#   jq:     apt-get install jq
#   jaq:    cargo install jaq
#   DuckDB: pip install duckdb   (the Python package; its SQL engine is the same)
# Data goes to $KAQ_BENCH_DIR (default /tmp/kaq-bench) and is reused while its
# size and seed match.
set -euo pipefail
cd "$(dirname "$0")/.."

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
HAVE_DUCKDB=0; python3 -c 'import duckdb' 2>/dev/null && HAVE_DUCKDB=1

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
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%.4f %s\n' "$med" "$(echo "$out" | md5sum | cut -c1-8)"
}

# ---- the queries, per tool (each prints its answer, normalised to compare)
Q1_KAQ="$KAQ --count 'verb == \"delete\" and objectRef.resource == \"secrets\"' FILE"
Q1_JQ="jq -c 'select(.verb==\"delete\" and .objectRef.resource==\"secrets\")' FILE | wc -l"
Q1_JAQ="jaq -c 'select(.verb==\"delete\" and .objectRef.resource==\"secrets\")' FILE | wc -l"
Q1_DUCK="SELECT count(*) FROM read_json(FILES, format='newline_delimited', columns={verb:'VARCHAR', objectRef:'STRUCT(resource VARCHAR)'}) WHERE verb='delete' AND objectRef.resource='secrets'"

Q2_KAQ="$KAQ -o csv --by user.username --top 10 true FILE | tail -n +2 | cut -d, -f1,2 | tr , ' '"
Q2_JQ="jq -r '.user.username' FILE | sort | uniq -c | sort -k1,1nr -k2 | head -10 | awk '{print \$2, \$1}'"
Q2_JAQ="jaq -r '.user.username' FILE | sort | uniq -c | sort -k1,1nr -k2 | head -10 | awk '{print \$2, \$1}'"
Q2_DUCK="SELECT \"user\".username, count(*) c FROM read_json(FILES, format='newline_delimited', columns={\"user\":'STRUCT(username VARCHAR)'}) GROUP BY 1 ORDER BY c DESC, 1 LIMIT 10"

Q3_FILTER='resource == "pods" and verb in ["create", "update"] and requestObject.spec.containers[*].securityContext.privileged == true'
Q3_KAQ="$KAQ -o tsv --columns auditID,user.username,objectRef.namespace,verb '$Q3_FILTER' FILE | tail -n +2"
Q3_JQ="jq -r 'select(.objectRef.resource==\"pods\" and (.verb==\"create\" or .verb==\"update\") and ([.requestObject.spec.containers[]?.securityContext.privileged] | any(. == true))) | [.auditID, .user.username, .objectRef.namespace, .verb] | @tsv' FILE"
Q3_JAQ="jaq -r 'select(.objectRef.resource==\"pods\" and (.verb==\"create\" or .verb==\"update\") and ([.requestObject.spec.containers[]?.securityContext.privileged] | any(. == true))) | [.auditID, .user.username, .objectRef.namespace, .verb] | @tsv' FILE"
Q3_DUCK="SELECT auditID, \"user\".username, objectRef.namespace, verb FROM read_json(FILES, format='newline_delimited', columns={auditID:'VARCHAR', verb:'VARCHAR', \"user\":'STRUCT(username VARCHAR)', objectRef:'STRUCT(resource VARCHAR, namespace VARCHAR)', requestObject:'JSON'}) WHERE objectRef.resource='pods' AND verb IN ('create','update') AND list_contains(json_extract(requestObject, '\$.spec.containers[*].securityContext.privileged')::VARCHAR[], 'true')"

run_duck() { # SQL, files list (python literal)
  local sql=${1//FILES/$2}
  python3 -c "import duckdb,sys
con = duckdb.connect(); con.execute('SET threads TO $(nproc)'); con.execute('SET enable_progress_bar = false')
for row in con.sql(sys.argv[1]).fetchall(): print(' '.join('' if v is None else str(v) for v in row).replace(' ', '\t') if len(row) == 4 else ' '.join(str(v) for v in row))" "$sql"
}

declare -A T A
row() { # name, query-id, file-for-kaq/jq, duckdb files literal, jq input command
  local name=$1 q=$2 file=$3 dfiles=$4 jqin=$5
  local k="${q}_KAQ" j="${q}_JQ" ja="${q}_JAQ" d="${q}_DUCK"
  if [ -d "$file" ]; then WARM="$file/*"; else WARM=$file; fi
  read -r T[$name,kaq] A[$name,kaq] < <(time_cmd "$RUNS" "${!k//FILE/$file}")
  if have jq; then read -r T[$name,jq] A[$name,jq] < <(time_cmd "$SLOW_RUNS" "$jqin ${!j//FILE/}"); fi
  if have jaq; then read -r T[$name,jaq] A[$name,jaq] < <(time_cmd "$SLOW_RUNS" "$jqin ${!ja//FILE/}"); fi
  if [ $HAVE_DUCKDB = 1 ]; then read -r T[$name,duckdb] A[$name,duckdb] < <(time_cmd "$RUNS" "$(declare -f run_duck); run_duck $(printf %q "${!d}") $(printf %q "$dfiles")"); fi
}

# jq reads the files as a stream; gzip and directories go through zcat.
row Q1 Q1 "$LOG" "'$LOG'" "cat $LOG |"
row Q2 Q2 "$LOG" "'$LOG'" "cat $LOG |"
row Q3 Q3 "$LOG" "'$LOG'" "cat $LOG |"
Q4_KAQ=$Q1_KAQ Q4_JQ=$Q1_JQ Q4_JAQ=$Q1_JAQ Q4_DUCK=$Q1_DUCK
row Q4 Q4 "$GZ" "'$GZ'" "zcat $GZ |"
Q5_KAQ=$Q1_KAQ Q5_JQ=$Q1_JQ Q5_JAQ=$Q1_JAQ Q5_DUCK=$Q1_DUCK
row Q5 Q5 "$ROT" "['$ROT/*.log', '$ROT/*.log.gz']" "zcat -f \$(ls $ROT/*.gz | sort) \$(ls $ROT/*.log | grep -v '/audit.log\$' | sort) $ROT/audit.log |"

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

TOOLS=(kaq); have jq && TOOLS+=(jq); have jaq && TOOLS+=(jaq); [ $HAVE_DUCKDB = 1 ] && TOOLS+=(duckdb)
echo
echo "kaq benchmark: $(( BYTES / 1048576 )) MiB log, $(nproc) cores, $(uname -m); medians of $RUNS runs (jq/jaq: $SLOW_RUNS)"
echo "hardware: read $(echo "$BYTES / $T_READ / 1000000" | bc -l | xargs printf '%.0f') MB/s (cat, page cache); zcat of the gzip copy: ${T_INFLATE} s"
echo
printf '| query |'; for t in "${TOOLS[@]}"; do printf ' %s |' "$t"; done; printf ' kaq MB/s | kaq speed-up |\n'
printf '|---|'; for _ in "${TOOLS[@]}"; do printf -- '---|'; done; printf -- '---|---|\n'
status=0
for q in Q1 Q2 Q3 Q4 Q5; do
  printf '| %s |' "$q"
  for t in "${TOOLS[@]}"; do
    v=${T[$q,$t]:-}
    if [ -n "$v" ] && [ "${A[$q,$t]}" != "${A[$q,kaq]}" ]; then printf ' %s s (DIFFERENT ANSWER) |' "$v"; status=1; else printf ' %s s |' "${v:--}"; fi
  done
  printf ' %.0f |' "$(echo "$BYTES / ${T[$q,kaq]} / 1000000" | bc -l)"
  sp=""; for t in "${TOOLS[@]:1}"; do [ -n "${T[$q,$t]:-}" ] && sp+="$(printf '%.1f× vs %s, ' "$(echo "${T[$q,$t]} / ${T[$q,kaq]}" | bc -l)" "$t")"; done
  printf ' %s |\n' "${sp%, }"
done
echo
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "threads: Q2 1 thread ${T_KAQ1} s, $(nproc) threads ${T[Q2,kaq]} s ($(ratio "$T_KAQ1" "${T[Q2,kaq]}")×); Q5 1 thread ${T_ROT1} s, $(nproc) threads ${T[Q5,kaq]} s ($(ratio "$T_ROT1" "${T[Q5,kaq]}")×)"
echo "Q1 vs a $(nproc)-thread memmem scan for \"secrets\" (${T_SCAN} s): $(ratio "${T[Q1,kaq]}" "$T_SCAN")×"
echo "peak anonymous memory (MiB, sampled every ms): Q1 $M_Q1, Q2 $M_Q2, Q3 $M_Q3, Q4 $M_Q4, Q5 $M_Q5"
echo "kaq detect, $($KAQ detect --list -o ndjson | grep -c '"enabled":true') rules: ${T_DETECT} s = $(echo "$T_DETECT / ${T[Q1,kaq]}" | bc -l | xargs printf '%.1f')× Q1, $(echo "$T_DETECT / $T_PARSE_ALL" | bc -l | xargs printf '%.1f')× Q1 parsing every line (--no-prefilter: ${T_PARSE_ALL} s)"
echo "Q4 vs a decode of the same file with kaq's gzip build (${T_DECODE} s): $(ratio "${T[Q4,kaq]}" "$T_DECODE")×"
if [ $status != 0 ]; then echo "bench: tools disagree on an answer" >&2; fi
exit $status
