#!/usr/bin/env bash
# types_bench.sh - DNA2 / DNA4 against text on the same reads, same run.
#
# Loads the same file of 150-base reads (sampled from the lambda phage genome
# of Debian's bowtie2-examples) into a text, a DNA2 and a DNA4 table of a
# private throw-away cluster and reports, as ratios against text:
#   COPY FROM (text format), COPY FROM (binary format, each type's own
#   send/recv format), SELECT sum(length(seq)), and pg_total_relation_size;
# plus absolute times, rows/s and, for context, a count(*) scan and
# COPY (SELECT seq FROM t) TO '/dev/null'.
#
# Run as root (the cluster runs as the postgres OS user):  bench/types_bench.sh
# Settings (environment):
#   BENCH_ROWS=1000000      reads to generate and load
#   BENCH_READ_LEN=150      bases per read
#   BENCH_SEED=20240601     seed of the read generator
#   BENCH_REPEAT=3          timed repetitions per measurement (median reported)
#   BENCH_PARALLEL=0        max_parallel_workers_per_gather for every session
#   BENCH_PORT=5499         port number of the private socket
#   BENCH_KEEP=0            1: leave the cluster directory behind (it is stopped)
# The report goes to stdout and to bench/results/types_bench-<date>.txt.
set -euo pipefail
shopt -s inherit_errexit

ROWS=${BENCH_ROWS:-1000000}
READ_LEN=${BENCH_READ_LEN:-150}
SEED=${BENCH_SEED:-20240601}
REPEAT=${BENCH_REPEAT:-3}
PARALLEL=${BENCH_PARALLEL:-0}
PORT=${BENCH_PORT:-5499}
KEEP=${BENCH_KEEP:-0}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER="$REPO/scripts/pg-cluster.sh"
TYPES=(text dna2 dna4)          # table t_<x>; column type TEXT / DNA2 / DNA4

BENCH_NAME=types_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres OS user via runuser)"
[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "BENCH_ROWS must be a positive integer"
[[ $READ_LEN =~ ^[0-9]+$ && $READ_LEN -ge 10 ]] || die "BENCH_READ_LEN must be an integer >= 10"
[[ $REPEAT =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "BENCH_REPEAT must be a positive integer"
command -v python3 >/dev/null || die "python3 is needed for the read generator"

require_genome

# ---------------------------------------------------------------- cluster
# The timing session (below) ends before the cluster stops.
bench_before_cleanup() {
    if [ -n "${PSQL_PID:-}" ]; then kill "$PSQL_PID" 2>/dev/null || true; wait "$PSQL_PID" 2>/dev/null || true; fi
}
start_bench_cluster
# Every session (timed or not) runs with the same planner settings.
export PGOPTIONS="-c max_parallel_workers_per_gather=$PARALLEL"

now()  { date +%s.%N; }
# Timed statements go through one long-lived psql session (a coprocess), so a
# timing holds no connection start-up: the clock runs from writing the
# statement to psql until psql echoes a marker after the statement's result.
coproc PSQL { exec psql -X -q -A -t -v ON_ERROR_STOP=1 2>&1; }
tsql() {      # prints the wall-clock seconds of one statement
    local t0 t1 line out=''
    t0=$(now)
    printf '%s;\n\\echo __types_bench_done__\n' "$1" >&"${PSQL[1]}"
    while :; do
        IFS= read -r line <&"${PSQL[0]}" || die "psql session ended during: $1${out:+
$out}"
        [ "$line" = __types_bench_done__ ] && break
        out+="$line"$'\n'
    done
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div()    { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

sql 'CREATE EXTENSION pg_kmersearch'
for t in "${TYPES[@]}"; do sql "CREATE TABLE t_$t (seq ${t^^})"; done

# ---------------------------------------------------------------- reads
READS="$DIR/reads.txt"
log "generating $ROWS reads of $READ_LEN bases (seed $SEED)"
python3 "$REPO/bench/gen_reads.py" "$GENOME" "$READS" "$ROWS" "$READ_LEN" "$SEED" >"$DIR/reads.stats"
chmod 644 "$READS"
READS_BYTES=$(stat -c %s "$READS")

# ---------------------------------------------------------------- loads
declare -A T          # T[key]=space-separated timings
add() { T[$1]="${T[$1]:-} $2"; }

# load FORMAT: one untimed warm-up round (the first loads also create WAL
# segment files), then REPEAT rounds; in each round every type is loaded once
# into its emptied table after a CHECKPOINT, types interleaved so that drift
# hits all types alike.
load() {
    local fmt=$1 t f s
    for ((r = 0; r <= REPEAT; r++)); do
        for t in "${TYPES[@]}"; do
            if [ "$fmt" = text ]; then f=$READS; else f="$DIR/t_$t.bin"; fi
            sql "TRUNCATE t_$t"
            sql 'CHECKPOINT'
            s=$(tsql "COPY t_$t FROM '$f' (FORMAT $fmt)")
            if ((r > 0)); then add "copy_$fmt:$t" "$s"; fi
            log "COPY FROM ($fmt) t_$t $( ((r > 0)) && echo "round $r" || echo warm-up): ${s}s"
        done
    done
    for t in "${TYPES[@]}"; do
        [ "$(val "SELECT count(*) FROM t_$t")" = "$ROWS" ] || die "t_$t does not have $ROWS rows after COPY ($fmt)"
    done
}

load text
# Each table's own binary format, written by the server from the loaded table.
for t in "${TYPES[@]}"; do
    sql "COPY t_$t TO '$DIR/t_$t.bin' (FORMAT binary)"
done
load binary

log "VACUUM ANALYZE + CHECKPOINT"
for t in "${TYPES[@]}"; do sql "VACUUM ANALYZE t_$t"; done
sql 'CHECKPOINT'

# Same sequences in every table: order-independent checksum of the text form.
check="SELECT count(*) || ' ' || sum(length(seq)) || ' ' || sum(hashtext(seq::text)::bigint)"
ref=$(val "$check FROM t_text")
[ "${ref%% *}" = "$ROWS" ] || die "t_text has the wrong row count: $ref"
for t in dna2 dna4; do
    got=$(val "$check FROM t_$t")
    [ "$got" = "$ref" ] || die "t_$t differs from t_text (count, sum(length), sum(hash)): $got vs $ref"
done
log "contents identical in all tables ($ref)"

# ---------------------------------------------------------------- scans
# One untimed warm-up per statement, then REPEAT timed rounds, interleaved.
scan() {      # key query-with-@-for-the-table [types...]
    local key=$1 q=$2 t r s
    shift 2
    local types=("${@:-${TYPES[@]}}")
    for t in "${types[@]}"; do sql "${q//@/t_$t}"; done
    for ((r = 1; r <= REPEAT; r++)); do
        for t in "${types[@]}"; do
            s=$(tsql "${q//@/t_$t}")
            add "$key:$t" "$s"
            log "$key t_$t round $r: ${s}s"
        done
    done
}
scan length 'SELECT sum(length(seq)) FROM @'
# length(text) counts characters, which in a UTF-8 database means walking the
# bytes; octet_length(text) reads the header only, like length(DNA2/DNA4).
scan octet 'SELECT sum(octet_length(seq)) FROM @' text
scan count 'SELECT count(*) FROM @'
scan copyout "COPY (SELECT seq FROM @) TO '/dev/null'"

for ((r = 1; r <= REPEAT; r++)); do add psql "$(tsql 'SELECT 1')"; done

# ---------------------------------------------------------------- sizes
declare -A SZ
for t in "${TYPES[@]}"; do
    SZ[total:$t]=$(val "SELECT pg_total_relation_size('t_$t')")
    SZ[heap:$t]=$(val "SELECT pg_relation_size('t_$t')")
    SZ[datum:$t]=$(val "SELECT sum(pg_column_size(seq)) FROM t_$t")
    SZ[bin:$t]=$(stat -c %s "$DIR/t_$t.bin")
done

# ---------------------------------------------------------------- report
med() { median ${T[$1]}; }
mb()  { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
row_time() {     # label key  -> abs times, rows/s, ratios vs text
    local label=$1 key=$2 tt td2 td4
    tt=$(med "$key:text"); td2=$(med "$key:dna2"); td4=$(med "$key:dna4")
    printf '%-42s %8.3f %8.3f %8.3f   %9.0f %9.0f %9.0f   %6s %6s\n' "$label" \
        "$tt" "$td2" "$td4" \
        "$(div "$ROWS" "$tt")" "$(div "$ROWS" "$td2")" "$(div "$ROWS" "$td4")" \
        "$(div "$td2" "$tt")" "$(div "$td4" "$tt")"
}
row_octet() {    # DNA2/DNA4 length() against text octet_length()
    local to td2 td4
    to=$(med octet:text); td2=$(med length:dna2); td4=$(med length:dna4)
    printf '%-42s %8.3f %8s %8s   %9.0f %9s %9s   %6s %6s\n' "   baseline text octet_length(seq) (*)" \
        "$to" '' '' "$(div "$ROWS" "$to")" '' '' "$(div "$td2" "$to")" "$(div "$td4" "$to")"
}
row_size() {     # label key  -> MB and ratios vs text
    local label=$1 key=$2
    printf '%-42s %8s %8s %8s   %29s   %6s %6s\n' "$label" \
        "$(mb "${SZ[$key:text]}")" "$(mb "${SZ[$key:dna2]}")" "$(mb "${SZ[$key:dna4]}")" "" \
        "$(div "${SZ[$key:dna2]}" "${SZ[$key:text]}")" "$(div "${SZ[$key:dna4]}" "${SZ[$key:text]}")"
}

mkdir -p "$REPO/bench/results"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/results/types_bench-$STAMP.txt"
{
    echo "types_bench  $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit       $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- bridge-ext sql 2>/dev/null || echo ' (bridge-ext/ or sql/ modified in the work tree)')"
    echo "server       $(val 'SELECT version()' | cut -d, -f1); pg_kmersearch build $(val 'SELECT kmersearch_show_buildno()'), SIMD $(val 'SELECT kmersearch_simd_capability()')"
    echo "machine      $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "settings     shared_buffers $(val 'SHOW shared_buffers'), max_parallel_workers_per_gather $PARALLEL, database encoding $(val 'SHOW server_encoding')"
    echo "data         $(cat "$DIR/reads.stats")"
    echo "             text-format file $(mb "$READS_BYTES") MiB"
    echo "method       wall clock (date +%s.%N) around each statement sent to one open psql session; median of $REPEAT;"
    echo "             loads: one warm-up round, then TRUNCATE + CHECKPOINT before each timed COPY FROM, types interleaved;"
    echo "             scans: after VACUUM ANALYZE + CHECKPOINT, one warm-up, types interleaved;"
    echo "             round trip of SELECT 1 through that session, included in every time: $(med psql | awk '{ printf "%.1f ms", $1 * 1000 }')"
    echo
    printf '%-42s %8s %8s %8s   %9s %9s %9s   %6s %6s\n' "seconds (median)" text DNA2 DNA4 "rows/s" "" "" "DNA2:" "DNA4:"
    printf '%-42s %8s %8s %8s   %9s %9s %9s   %6s %6s\n' "" "" "" "" text DNA2 DNA4 text text
    row_time "1. COPY FROM, text format"          copy_text
    row_time "2. COPY FROM, binary format"        copy_binary
    row_time "3. SELECT sum(length(seq))"         length
    row_octet
    row_time "   context: SELECT count(*)"        count
    row_time "   context: COPY (SELECT seq) TO /dev/null" copyout
    echo
    printf '%-42s %8s %8s %8s   %29s   %6s %6s\n' "size, MiB" text DNA2 DNA4 "" "DNA2:" "DNA4:"
    row_size "4. pg_total_relation_size"          total
    row_size "   pg_relation_size (heap only)"    heap
    row_size "   sum(pg_column_size(seq))"        datum
    row_size "   binary COPY file"                bin
    echo
    echo "(*) length(text) counts characters: in a $(val 'SHOW server_encoding') database that walks every byte. This line"
    echo "    times sum(octet_length(seq)) on text (header only, like length() of DNA2/DNA4); its ratios"
    echo "    are DNA2/DNA4 sum(length(seq)) against it."
    for t in "${TYPES[@]}"; do
        printf '    per row, %-4s: %6.1f heap bytes (tuple header, line pointer, padding, free space), %5.1f of them the value\n' \
            "$t" "$(div "${SZ[heap:$t]}" "$ROWS")" "$(div "${SZ[datum:$t]}" "$ROWS")"
    done
    echo
    echo "All timings (s), in run order:"
    for key in copy_text copy_binary length octet count copyout; do
        for t in "${TYPES[@]}"; do
            [ -n "${T[$key:$t]:-}" ] && printf '  %-12s %-5s%s\n' "$key" "$t" "${T[$key:$t]}"
        done
    done
} | tee "$OUT"
log "report written to ${OUT#"$REPO"/}"
