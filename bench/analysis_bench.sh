#!/usr/bin/env bash
# analysis_bench.sh - the high-frequency k-mer analysis
# (kmersearch_perform_highfreq_analysis) against the cost of reading the
# column, same run, plus jellyfish and KMC on the same reads for reference.
#
# Generates 150-base reads sampled from the lambda phage genome of Debian's
# bowtie2-examples with bench/gen_reads.py (as types_bench.sh does) and loads
# them into a DNA2 and a DNA4 table of a private throw-away cluster.  For each
# size and each configuration (type, k, occur_bitlen) it reports:
#   - the floor: COPY (SELECT seq FROM t) TO '/dev/null', median of the runs
#     made before the analyses and before each timed analysis;
#   - the analysis's wall time with max_parallel_maintenance_workers = 2 and
#     = 0 (median of BENCH_REPEAT each, kmersearch_undo_highfreq_analysis
#     between runs), the ratio to the floor, and the median of each run's
#     ratio to the floor timed just before it, against the target (3x when
#     2k+b <= 26, else 8x), the speed-up of 2 over 0, highfreq_kmers_count,
#     n-gram keys counted per second;
#   - the worker pool's peak VmRSS during the runs (sampled every 50 ms)
#     beside kmersearch.highfreq_analysis_memory_limit;
#   - jellyfish count and kmc on the same reads as FASTA (2 threads, forward
#     k-mers, not canonical), k-mers per second.
#
# Run as root (the cluster runs as the postgres OS user):  bench/analysis_bench.sh
# Settings (environment):
#   BENCH_SIZES="200000 1000000"  reads per table, one round per size
#   BENCH_CONFIGS="dna2:8:8 dna2:12:8 dna2:16:8 dna4:8:8"   type:k:occur_bitlen
#   BENCH_REPEAT=5           timed analyses per configuration and reader count (median)
#   BENCH_FLOOR_REPEAT=5     timed floors per table (median)
#   BENCH_EXTERNAL_REPEAT=1  timed jellyfish and kmc runs per k (median), after one untimed
#   BENCH_READ_LEN=150       bases per read
#   BENCH_SEED=20240601      seed of the read generator
#   BENCH_MEMORY_LIMIT=      kmersearch.highfreq_analysis_memory_limit in MB (default: the server's)
#   BENCH_EXTERNAL=1         0: skip jellyfish and kmc
#   BENCH_KMC_MEMORY_GB=2    kmc -m
#   BENCH_PORT=5495          port number of the private socket
#   BENCH_KEEP=0             1: leave the cluster directory behind (it is stopped)
# The report goes to stdout and to bench/results/analysis_bench-<date>.txt.
set -euo pipefail
shopt -s inherit_errexit

read -r -a SIZES <<<"${BENCH_SIZES:-200000 1000000}"
read -r -a CONFIGS <<<"${BENCH_CONFIGS:-dna2:8:8 dna2:12:8 dna2:16:8 dna4:8:8}"
REPEAT=${BENCH_REPEAT:-5}
FLOOR_REPEAT=${BENCH_FLOOR_REPEAT:-5}
EXTERNAL_REPEAT=${BENCH_EXTERNAL_REPEAT:-1}
READ_LEN=${BENCH_READ_LEN:-150}
SEED=${BENCH_SEED:-20240601}
MEMORY_LIMIT=${BENCH_MEMORY_LIMIT:-}
EXTERNAL=${BENCH_EXTERNAL:-1}
KMC_MEMORY_GB=${BENCH_KMC_MEMORY_GB:-2}
PORT=${BENCH_PORT:-5495}
KEEP=${BENCH_KEEP:-0}
READERS=(2 0)                   # max_parallel_maintenance_workers: the main figure first, then the single reader

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER="$REPO/scripts/pg-cluster.sh"

BENCH_NAME=analysis_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isint() { [[ $1 =~ ^[0-9]+$ ]]; }

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres OS user via runuser)"
[ "${#SIZES[@]}" -ge 1 ] || die "BENCH_SIZES is empty"
for n in "${SIZES[@]}"; do isint "$n" && [ "$n" -gt 0 ] || die "BENCH_SIZES: '$n' is not a positive integer"; done
[ "${#CONFIGS[@]}" -ge 1 ] || die "BENCH_CONFIGS is empty"
for c in "${CONFIGS[@]}"; do
    IFS=: read -r t k b <<<"$c"
    [[ $t =~ ^dna[24]$ ]] && isint "${k:-}" && isint "${b:-}" && [ "$k" -ge 4 ] && [ "$k" -le 32 ] && [ "$b" -le 16 ] \
        && [ $((2 * k + b)) -le 64 ] || die "BENCH_CONFIGS: '$c' is not dna2|dna4:K:B with K 4-32, B 0-16, 2K+B <= 64"
done
isint "$REPEAT" && [ "$REPEAT" -ge 1 ] || die "BENCH_REPEAT must be a positive integer"
isint "$FLOOR_REPEAT" && [ "$FLOOR_REPEAT" -ge 1 ] || die "BENCH_FLOOR_REPEAT must be a positive integer"
isint "$EXTERNAL_REPEAT" && [ "$EXTERNAL_REPEAT" -ge 1 ] || die "BENCH_EXTERNAL_REPEAT must be a positive integer"
isint "$READ_LEN" && [ "$READ_LEN" -ge 32 ] || die "BENCH_READ_LEN must be an integer >= 32"
[ -z "$MEMORY_LIMIT" ] || { isint "$MEMORY_LIMIT" && [ "$MEMORY_LIMIT" -ge 1 ]; } || die "BENCH_MEMORY_LIMIT must be a positive number of MB"
[[ $EXTERNAL =~ ^[01]$ ]] || die "BENCH_EXTERNAL must be 0 or 1"
isint "$KMC_MEMORY_GB" && [ "$KMC_MEMORY_GB" -ge 1 ] || die "BENCH_KMC_MEMORY_GB must be a positive integer"
command -v python3 >/dev/null || die "python3 is needed for the read generator"

require_genome

# jellyfish and kmc from Debian, installed if missing (like the genome).
require_counters() {
    local missing=() p
    command -v jellyfish >/dev/null || missing+=(jellyfish)
    command -v kmc >/dev/null || missing+=(kmc)
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing ${missing[*]} (the outside reference)"
    for p in "${missing[@]}"; do
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$p" >/dev/null 2>&1 \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "$p" >/dev/null; } \
            || die "could not install $p (BENCH_EXTERNAL=0 skips the outside reference)"
    done
}
[ "$EXTERNAL" = 0 ] || require_counters

# ---------------------------------------------------------------- helpers
now()    { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div()    { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
rate()   { awk -v n="$1" -v s="$2" 'BEGIN { if (s == 0) print "-"; else printf "%.2fM", n / s / 1e6 }'; }
mib()    { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# timed SETUP STATEMENT [LOG]: runs SETUP then STATEMENT in one session and
# prints STATEMENT's seconds (psql \timing: no connection start-up); its rows
# go to $DIR/last.out, notices and errors to LOG (default $DIR/last.err).
# Returns 1, with the error in LOG, when a statement fails.
timed() {
    local log=${3:-$DIR/last.err} ms
    psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" -c '\timing on' -c "$2" >"$DIR/last.out" 2>"$log" || return 1
    ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$DIR/last.out" | tail -n 1)
    [ -n "$ms" ] || { echo "no timing for: $2" >>"$log"; return 1; }
    awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }'
}

# The worker pool's process, and its resident memory sampled every 50 ms by
# a background loop without forks (builtin read of /proc, read -t as the
# sleep), written to a file each time it grows.
pool_pid() { val "SELECT pid FROM kmersearch_worker_status() WHERE job IS NULL"; }
vmrss() { local key v _; while read -r key v _; do [ "$key" = VmRSS: ] && { echo "$v"; return 0; }; done <"/proc/$1/status"; return 1; }
rss_sampler() {      # PID FILE
    local pid=$1 file=$2 max=0 key v fd
    exec {fd}<> <(:)
    while [ -r "/proc/$pid/status" ]; do
        while read -r key v _; do
            if [ "$key" = VmRSS: ]; then
                if [ "$v" -gt "$max" ]; then max=$v; echo "$max" >"$file"; fi
                break
            fi
        done <"/proc/$pid/status" 2>/dev/null || break
        read -r -t 0.05 -u "$fd" _ || true
    done
}
SAMPLER=
start_sampler() { : >"$2"; rss_sampler "$1" "$2" & SAMPLER=$!; }
stop_sampler()  { if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=; fi; }
bench_before_cleanup() { stop_sampler; }

# ---------------------------------------------------------------- cluster
T_START=$(date +%s)
start_bench_cluster
# Every session: serial queries (the floor must not use parallel workers).
export PGOPTIONS="-c max_parallel_workers_per_gather=0"
sql 'CREATE EXTENSION pg_kmersearch'
for _ in $(seq 1 100); do POOL=$(pool_pid 2>/dev/null || true); [ -n "$POOL" ] && break; sleep 0.1; done
[ -n "${POOL:-}" ] && [ -r "/proc/$POOL/status" ] || die "the worker pool does not answer kmersearch_worker_status() (see $DIR/server.log)"
HAS_ANALYSIS=$(val "SELECT count(*) FROM pg_proc WHERE proname = 'kmersearch_perform_highfreq_analysis'")
[ "$HAS_ANALYSIS" -ge 1 ] || log "WARNING: kmersearch_perform_highfreq_analysis is not installed: every analysis will be reported as an error"
LIMIT_SET=""
[ -z "$MEMORY_LIMIT" ] || LIMIT_SET="SET kmersearch.highfreq_analysis_memory_limit = $MEMORY_LIMIT;"
LIMIT_SHOWN=$(val "$LIMIT_SET SELECT current_setting('kmersearch.highfreq_analysis_memory_limit', true)" | tail -n 1)
log "worker pool pid $POOL, VmRSS $(mib "$(vmrss "$POOL")") MiB idle; analysis memory limit ${LIMIT_SHOWN:-?}"

kset() { printf 'SET kmersearch.occur_bitlen = %s; SET kmersearch.kmer_size = %s; %s' "$2" "$1" "$LIMIT_SET"; }

declare -A R            # R[key] = value, key = size:config:what
TIMINGS=()              # raw timings, in run order
NOTICES=""              # the notices of the first analysis, for the report

# floor_sample SIZE TYPE: one timed floor of t_TYPE, added to R[SIZE:TYPE:floors].
floor_sample() {
    local s
    s=$(timed "SELECT 1" "COPY (SELECT seq FROM t_$2) TO '/dev/null'") || die "floor of t_$2 failed: $(cat "$DIR/last.err")"
    LAST_FLOOR=$s
    R[$1:$2:floors]="${R[$1:$2:floors]:-} $s"
    TIMINGS+=("$1:$2:floor $s")
}

# analyse SIZE TYPE K B READERS TIMED(0|1): one analysis of t_TYPE, then
# kmersearch_undo_highfreq_analysis. Records the time (if TIMED), the
# result and the peak RSS; returns 1 (error in R[...:error]) when it fails.
analyse() {
    local size=$1 type=$2 k=$3 b=$4 readers=$5 timed_run=$6 key s result rss start
    key="$size:$type:$k:$b:$readers"
    POOL=$(pool_pid 2>/dev/null) || die "the worker pool does not answer kmersearch_worker_status() (see $DIR/server.log)"
    start=$(vmrss "$POOL" 2>/dev/null || echo 0)
    # The pool keeps memory it once used, so the peak is read beside the resident size at the start.
    if [ -z "${R[$key:start]:-}" ] || [ "$start" -lt "${R[$key:start]}" ]; then R[$key:start]=$start; fi
    [ "$timed_run" = 0 ] || floor_sample "$size" "$type"
    start_sampler "$POOL" "$DIR/rss"
    if s=$(timed "$(kset "$k" "$b") SET max_parallel_maintenance_workers = $readers;" \
        "SELECT 'RESULT', * FROM kmersearch_perform_highfreq_analysis('t_$type', 'seq')" "$DIR/analysis.err"); then
        stop_sampler
        result=$(sed -n 's/^RESULT|//p' "$DIR/last.out")
        R[$key:result]=$result
        [ -n "$NOTICES" ] || NOTICES=$(grep -E '^(INFO|NOTICE|WARNING):' "$DIR/analysis.err" || true)
    else
        stop_sampler
        R[$key:error]=$(grep -m1 -E 'ERROR' "$DIR/analysis.err" || head -n 1 "$DIR/analysis.err")
        log "analysis t_$type k=$k b=$b readers=$readers failed: ${R[$key:error]}"
        sql "SELECT kmersearch_undo_highfreq_analysis('t_$type', 'seq')" 2>/dev/null || true
        return 1
    fi
    rss=$(cat "$DIR/rss" 2>/dev/null || true)
    if [ -n "$rss" ] && [ "$rss" -gt "${R[$key:rss]:-0}" ]; then R[$key:rss]=$rss; fi
    sql "SELECT kmersearch_undo_highfreq_analysis('t_$type', 'seq')"
    if [ "$timed_run" = 1 ]; then
        R[$key:times]="${R[$key:times]:-} $s"
        R[$key:ratios]="${R[$key:ratios]:-} $(div "$s" "$LAST_FLOOR")"
        TIMINGS+=("$key $s")
    fi
    log "analysis t_$type k=$k b=$b readers=$readers$( [ "$timed_run" = 1 ] || echo ' (warm-up)'): ${s}s, result ($(tr '|' ' ' <<<"$result")), peak VmRSS $(mib "${rss:-0}") MiB"
}

# ---------------------------------------------------------------- runs
DATA_STATS=()
for size in "${SIZES[@]}"; do
    log "== $size reads"
    READS="$DIR/reads.txt"
    python3 "$REPO/bench/gen_reads.py" "$GENOME" "$READS" "$size" "$READ_LEN" "$SEED" >"$DIR/reads.stats"
    chmod 644 "$READS"
    DATA_STATS+=("$(cat "$DIR/reads.stats")")
    for type in dna2 dna4; do
        sql "DROP TABLE IF EXISTS t_$type; CREATE TABLE t_$type (seq ${type^^})"
        sql "COPY t_$type FROM '$READS'"
        sql "VACUUM ANALYZE t_$type"
    done
    sql 'CHECKPOINT'

    # The floor of each table: reading and printing every value, once untimed,
    # then FLOOR_REPEAT times now and once before every timed analysis of the
    # table (so that the machine's drift affects floor and analyses alike).
    for type in dna2 dna4; do
        timed "SELECT 1" "COPY (SELECT seq FROM t_$type) TO '/dev/null'" >/dev/null || die "floor of t_$type failed: $(cat "$DIR/last.err")"
        for ((r = 1; r <= FLOOR_REPEAT; r++)); do
            floor_sample "$size" "$type"
        done
        R[$size:$type:mb]=$(val "SELECT round(pg_relation_size('t_$type') / 1048576.0, 1)")
        log "floor t_$type: ${R[$size:$type:floors]}"
    done

    for c in "${CONFIGS[@]}"; do
        IFS=: read -r type k b <<<"$c"
        R[$size:$c:keys]=$(val "$(kset "$k" "$b") SELECT sum(cardinality(kmersearch_ngram_keys(seq))) FROM t_$type" | tail -n 1)
        [ "$HAS_ANALYSIS" -ge 1 ] || { R[$size:$type:$k:$b:2:error]="kmersearch_perform_highfreq_analysis is not installed"; continue; }
        # One untimed warm-up (the pool's code paths, the page cache), then the
        # reader counts interleaved so that drift affects both alike.
        analyse "$size" "$type" "$k" "$b" 2 0 || continue
        for ((r = 1; r <= REPEAT; r++)); do
            for readers in "${READERS[@]}"; do
                analyse "$size" "$type" "$k" "$b" "$readers" 1 || true
            done
        done
    done

    # The outside reference: the same reads as FASTA, forward k-mers (no
    # canonical form: jellyfish without -C, kmc with -b), 2 threads.
    if [ "$EXTERNAL" = 1 ]; then
        awk '{ print ">r" NR; print }' "$READS" >"$DIR/reads.fa"
        for k in $(for c in "${CONFIGS[@]}"; do IFS=: read -r _ k _ <<<"$c"; echo "$k"; done | sort -nu); do
            if [ "$k" -gt 31 ]; then R[$size:ext:$k:skip]="k > 31"; continue; fi
            # Hash entries: about the distinct k-mers, both strands of the genome plus up to k new
            # ones per substitution (1.5 per read), at most 4^k, at least 2^20 (jellyfish grows it when full).
            hs=$(awk -v n="$size" -v k="$k" 'BEGIN { e = 100000 + n * 1.5 * k; p = 4 ^ k; s = (e < p) ? e : p; printf "%d", (s < 1048576) ? 1048576 : s }')
            jt=(); kt=()
            for ((r = 0; r <= EXTERNAL_REPEAT; r++)); do
                rm -rf "$DIR/jf.out" "$DIR/kmc.out"* "$DIR/kmc.tmp"; mkdir -p "$DIR/kmc.tmp"
                t0=$(now)
                jellyfish count -m "$k" -s "$hs" -t 2 -o "$DIR/jf.out" "$DIR/reads.fa" 2>"$DIR/jf.err" \
                    || die "jellyfish count -m $k failed: $(head -n 3 "$DIR/jf.err")"
                t1=$(now)
                kmc -k"$k" -t2 -m"$KMC_MEMORY_GB" -ci1 -b -fa "$DIR/reads.fa" "$DIR/kmc.out" "$DIR/kmc.tmp" >"$DIR/kmc.log" 2>&1 \
                    || die "kmc -k$k failed: $(tail -n 3 "$DIR/kmc.log")"
                t2=$(now)
                if ((r > 0)); then        # round 0 warms the page cache and the binaries
                    jt+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
                    kt+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')")
                    TIMINGS+=("$size:jellyfish:$k ${jt[-1]}" "$size:kmc:$k ${kt[-1]}")
                fi
            done
            R[$size:jf:$k]=$(median "${jt[@]}")
            R[$size:kmc:$k]=$(median "${kt[@]}")
            log "jellyfish k=$k: ${R[$size:jf:$k]}s (${jt[*]}); kmc k=$k: ${R[$size:kmc:$k]}s (${kt[*]})"
        done
        rm -rf "$DIR/jf.out" "$DIR/kmc.out"* "$DIR/kmc.tmp" "$DIR/reads.fa"
    fi
done

# ---------------------------------------------------------------- report
row() { printf '%-12s %5s %11s %8s %8s %7s %7s %6s %4s %8s %8s %8s %7s %15s\n' "$@"; }
report_size() {
    local size=$1 c type k b floor key2 key0 t2 t0 res2 res0 keys ratio paired target verdict
    for type in dna2 dna4; do
        # shellcheck disable=SC2086  # the samples are space-separated numbers
        R[$size:$type:floor]=$(median ${R[$size:$type:floors]})
        R[$size:$type:nfloor]=$(wc -w <<<"${R[$size:$type:floors]}")
    done
    echo "-- $size reads x $READ_LEN bases; floor COPY (SELECT seq) TO '/dev/null': DNA2 ${R[$size:dna2:floor]} s (median of ${R[$size:dna2:nfloor]}; ${R[$size:dna2:mb]} MiB heap), DNA4 ${R[$size:dna4:floor]} s (median of ${R[$size:dna4:nfloor]}; ${R[$size:dna4:mb]} MiB heap)"
    row config 2k+b "keys" highfreq "time s" ":floor" "paired" target ok "keys/s" "1-rd s" speed-up workers "RSS peak/start"
    for c in "${CONFIGS[@]}"; do
        IFS=: read -r type k b <<<"$c"
        floor=${R[$size:$type:floor]}
        key2="$size:$type:$k:$b:2"; key0="$size:$type:$k:$b:0"
        keys=${R[$size:$c:keys]:-?}
        target=$(( 2 * k + b <= 26 ? 3 : 8 ))
        if [ -n "${R[$key2:times]:-}" ]; then
            t2=$(median ${R[$key2:times]})
            ratio=$(div "$t2" "$floor")
            # shellcheck disable=SC2086  # space-separated numbers
            paired=$(awk -v m="$(median ${R[$key2:ratios]})" 'BEGIN { printf "%.2f", m }')
            verdict=$(awk -v r="$paired" -v t="$target" 'BEGIN { print (r <= t) ? "yes" : "NO" }')
            IFS='|' read -r -a res2 <<<"${R[$key2:result]}"
            if [ -n "${R[$key0:times]:-}" ]; then
                t0=$(median ${R[$key0:times]})
                IFS='|' read -r -a res0 <<<"${R[$key0:result]}"
            else
                t0=error; res0=()
            fi
            row "${type^^} k$k b$b" $((2 * k + b)) "$keys" "${res2[1]}" "$t2" "${ratio}x" "${paired}x" "<=${target}x" "$verdict" \
                "$(rate "$keys" "$t2")" "$t0" "$( [ "$t0" = error ] && echo - || echo "$(div "$t0" "$t2")x")" \
                "${res2[2]}/${res0[2]:--}" "$(mib "${R[$key2:rss]:-0}")/$(mib "${R[$key2:start]:-0}") MiB"
        else
            row "${type^^} k$k b$b" $((2 * k + b)) "$keys" - error - - "<=${target}x" - - - - - -
            echo "             error: ${R[$key2:error]:-?}"
        fi
        if [ -n "${R[$key0:error]:-}" ] && [ -n "${R[$key2:times]:-}" ]; then
            echo "             max_parallel_maintenance_workers = 0: ${R[$key0:error]}"
        fi
    done
    if [ "$EXTERNAL" = 1 ]; then
        echo "   outside reference, same reads as FASTA, 2 threads, forward k-mers; k-mers = reads x ($READ_LEN - k + 1):"
        for k in $(for c in "${CONFIGS[@]}"; do IFS=: read -r _ k _ <<<"$c"; echo "$k"; done | sort -nu); do
            if [ -n "${R[$size:ext:$k:skip]:-}" ]; then echo "   k=$k: skipped (${R[$size:ext:$k:skip]})"; continue; fi
            local kmers=$((size * (READ_LEN - k + 1)))
            printf '   k=%-3s %11s k-mers   jellyfish count %7s s %9s k-mers/s   kmc %7s s %9s k-mers/s\n' "$k" "$kmers" \
                "${R[$size:jf:$k]}" "$(rate "$kmers" "${R[$size:jf:$k]}")" "${R[$size:kmc:$k]}" "$(rate "$kmers" "${R[$size:kmc:$k]}")"
        done
    fi
    echo
}

mkdir -p "$REPO/bench/results"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/results/analysis_bench-$STAMP.txt"
{
    echo "analysis_bench  $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit       $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- bridge-ext sql src 2>/dev/null || echo ' (bridge-ext/, sql/ or src/ modified in the work tree)')"
    echo "server       $(val 'SELECT version()' | cut -d, -f1); pg_kmersearch build $(val 'SELECT kmersearch_show_buildno()'), SIMD $(val 'SELECT kmersearch_simd_capability()')"
    echo "worker pool  $(val 'SELECT version FROM kmersearch_worker_status() WHERE job IS NULL'), pid $POOL"
    echo "machine      $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "settings     analysis memory limit ${LIMIT_SHOWN:-?}$( [ -n "$MEMORY_LIMIT" ] || echo ' (server default)'), max_appearance_rate $(val 'SHOW kmersearch.max_appearance_rate'), max_appearance_nrow $(val 'SHOW kmersearch.max_appearance_nrow'), shared_buffers $(val 'SHOW shared_buffers')"
    for s in "${DATA_STATS[@]}"; do echo "data         $s"; done
    if [ "$EXTERNAL" = 1 ]; then
        echo "reference    $(jellyfish --version 2>&1 | head -n 1); $(kmc 2>&1 | grep -m1 -i 'ver' | sed 's/^ *//')"
    fi
    echo "method       wall time by psql \\timing (no connection start-up), median of $REPEAT after one untimed warm-up;"
    echo "             kmersearch_undo_highfreq_analysis after every run; reader counts interleaved;"
    echo "             floor: COPY (SELECT seq FROM t) TO '/dev/null' after one warm-up, $FLOOR_REPEAT times and once before every timed analysis, median;"
    echo "             keys = sum(cardinality(kmersearch_ngram_keys(seq))) at that k and b, keys/s = keys / time;"
    echo "             peak RSS: max VmRSS of the worker pool process (pid from kmersearch_worker_status()), sampled every 50 ms,"
    echo "             idle $(mib "$(vmrss "$POOL")") MiB now; jellyfish count -m K -s N -t 2 (no -C) and kmc -kK -t2 -ci1 -b -fa,"
    echo "             median of $EXTERNAL_REPEAT after one warm-up; targets: analysis <= 3x floor when 2k+b <= 26, <= 8x above"
    echo
    echo "columns: time s = analysis with max_parallel_maintenance_workers = 2; :floor its ratio to the floor of that table;"
    echo "         paired = the median of each timed analysis's ratio to the floor timed just before it, robust to the"
    echo "         machine's drift between runs; ok compares it with the target;"
    echo "         1-rd s = with max_parallel_maintenance_workers = 0; speed-up = 1-rd / time; workers = parallel_workers_used"
    echo "         (2 / 0); RSS = the pool's highest VmRSS during the 2-reader runs / its lowest VmRSS at the start of one"
    echo
    for size in "${SIZES[@]}"; do report_size "$size"; done
    if [ -n "$NOTICES" ]; then
        echo "The notices of the first analysis (warm-up of ${SIZES[0]} reads, ${CONFIGS[0]}), as psql shows them:"
        sed 's/^/  /' <<<"$NOTICES"
        echo
    fi
    echo "All timings (s), in run order (size:type:k:b:max_parallel_maintenance_workers):"
    printf '  %s\n' "${TIMINGS[@]}"
    echo "total run time $(( $(date +%s) - T_START )) s"
} | tee "$OUT"
log "report written to ${OUT#"$REPO"/}"
