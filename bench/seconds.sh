# Sourced by bench/convert.sh and bench/detect-sql.sh, after they set OUT.
seconds() { # command...: wall seconds, output to $OUT/last
    local s e
    s=$(date +%s.%N)
    "$@" > "$OUT/last"
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
