#!/usr/bin/env bash
# Q1-Q5 of bench/run.sh with two kaq binaries, in alternating runs on the
# same data: for checking that a change lost no speed.
#
#   bench/old-vs-new.sh OLD_KAQ NEW_KAQ [ROUNDS]   # data from bench/run.sh
#
# Reads the data bench/run.sh made ($KAQ_BENCH_DIR, default /tmp/kaq-bench,
# size $SIZE, default 1GiB). Each round runs every query once with OLD then
# NEW (the order alternates each round); prints each query's median wall
# time per binary and NEW/OLD.
set -euo pipefail
OLD=$1 NEW=$2 ROUNDS=${3:-7}
DIR=${KAQ_BENCH_DIR:-/tmp/kaq-bench}/${SIZE:-1GiB}
LOG=$DIR/audit.log GZ=$DIR/audit.log.gz ROT=$DIR/rotated
for f in "$LOG" "$GZ" "$ROT"; do
  [ -e "$f" ] || { echo "old-vs-new: $f is missing: run bench/run.sh first" >&2; exit 1; }
done
Q3='resource == "pods" and verb in ["create", "update"] and requestObject.spec.containers[*].securityContext.privileged == true'
query() { # query N BIN
  case $1 in
    1) "$2" --count 'verb == "delete" and objectRef.resource == "secrets"' "$LOG" ;;
    2) "$2" -o csv --by user.username --top 10 true "$LOG" ;;
    3) "$2" -o tsv --columns auditID,user.username,objectRef.namespace,verb "$Q3" "$LOG" ;;
    4) "$2" --count 'verb == "delete" and objectRef.resource == "secrets"' "$GZ" ;;
    5) "$2" --count 'verb == "delete" and objectRef.resource == "secrets"' "$ROT" ;;
  esac
}
secs() { # secs N BIN: wall seconds of one run
  local t0 t1
  t0=$(date +%s%N); query "$1" "$2" > /dev/null; t1=$(date +%s%N)
  echo "scale=4; ($t1 - $t0) / 1000000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# Into the page cache first, as bench/run.sh does: a cold first run would
# time the disk.
cat "$LOG" "$GZ" "$ROT"/* > /dev/null
for q in 1 2 3 4 5; do
  [ "$(query $q "$OLD" | md5sum)" = "$(query $q "$NEW" | md5sum)" ] || { echo "old-vs-new: Q$q answers differ" >&2; exit 1; }
done
declare -A T
for r in $(seq "$ROUNDS"); do
  for q in 1 2 3 4 5; do
    if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
    for w in $order; do
      bin=$OLD; [ "$w" = new ] && bin=$NEW
      T[$q$w]="${T[$q$w]:-} $(secs $q "$bin")"
    done
  done
done
echo "| query | old (median of $ROUNDS) | new (median of $ROUNDS) | new/old |"
echo "|---|---|---|---|"
for q in 1 2 3 4 5; do
  o=$(echo ${T[${q}old]} | tr ' ' '\n' | median)
  n=$(echo ${T[${q}new]} | tr ' ' '\n' | median)
  echo "| Q$q | $o s | $n s | $(echo "scale=3; $n / $o" | bc) |"
done
