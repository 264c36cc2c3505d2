#!/usr/bin/env bash
# partition_bench.sh - parallel per-partition k-mer index builds and the
# partitioning migration, each against its plain-SQL counterpart, same run.
#
# Generates 150-base reads sampled from the lambda phage genome of Debian's
# bowtie2-examples with bench/gen_reads.py (as types_bench.sh does), loads
# them into a hash-partitioned DNA2 table of a private throw-away cluster and
# reports:
#   - index build: kmersearch_parallel_create_index(table, 'seq') beside a
#     plain CREATE INDEX … USING gin (seq <same opclass>) on the partitioned
#     table (PostgreSQL builds its partitions one after the other), same
#     settings; wall time, rows/s, the speed-up, index sizes, and the
#     per-partition rows of the last parallel build;
#   - migration: kmersearch_partition_table on a plain table of the same rows
#     (rows/s, when the function exists in this build; else reported missing)
#     beside INSERT INTO <pre-created hash-partitioned table> SELECT * of them.
#
# Run as root (the cluster runs as the postgres OS user):  bench/partition_bench.sh
# Settings (environment):
#   BENCH_ROWS=1000000        reads
#   BENCH_PARTITIONS=4        hash partitions
#   BENCH_KMER=12             kmersearch.kmer_size of the index
#   BENCH_OCCUR=8             kmersearch.occur_bitlen of the index (2k+b picks the opclass width)
#   BENCH_PARALLEL=           max_parallel_maintenance_workers (default: the number of CPUs);
#                             the parallel build uses min(partitions, this, kmersearch.worker_pool_size) sessions
#   BENCH_MAINTENANCE_WORK_MEM=  maintenance_work_mem of every session (default: the server's, 64MB)
#   BENCH_REPEAT=1            timed rounds of each measurement (median reported), after no warm-up
#   BENCH_READ_LEN=150        bases per read
#   BENCH_SEED=20240601       seed of the read generator
#   BENCH_PORT=5493           port number of the private socket
#   BENCH_KEEP=0              1: leave the cluster directory behind (it is stopped)
# The report goes to stdout and to bench/results/partition_bench-<date>.txt.
set -euo pipefail
shopt -s inherit_errexit

ROWS=${BENCH_ROWS:-1000000}
PARTITIONS=${BENCH_PARTITIONS:-4}
KMER=${BENCH_KMER:-12}
OCCUR=${BENCH_OCCUR:-8}
PARALLEL=${BENCH_PARALLEL:-$(nproc)}
MWM=${BENCH_MAINTENANCE_WORK_MEM:-}
REPEAT=${BENCH_REPEAT:-1}
READ_LEN=${BENCH_READ_LEN:-150}
SEED=${BENCH_SEED:-20240601}
PORT=${BENCH_PORT:-5493}
KEEP=${BENCH_KEEP:-0}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER="$REPO/scripts/pg-cluster.sh"

BENCH_NAME=partition_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isint() { [[ $1 =~ ^[0-9]+$ ]]; }

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres OS user via runuser)"
isint "$ROWS" && [ "$ROWS" -gt 0 ] || die "BENCH_ROWS must be a positive integer"
isint "$PARTITIONS" && [ "$PARTITIONS" -ge 1 ] || die "BENCH_PARTITIONS must be a positive integer"
isint "$KMER" && isint "$OCCUR" && [ "$KMER" -ge 4 ] && [ "$KMER" -le 32 ] && [ "$OCCUR" -le 16 ] && [ $((2 * KMER + OCCUR)) -le 64 ] \
    || die "BENCH_KMER/BENCH_OCCUR: k 4-32, b 0-16, 2k+b <= 64"
isint "$PARALLEL" && [ "$PARALLEL" -ge 1 ] || die "BENCH_PARALLEL must be a positive integer"
isint "$REPEAT" && [ "$REPEAT" -ge 1 ] || die "BENCH_REPEAT must be a positive integer"
isint "$READ_LEN" && [ "$READ_LEN" -ge "$KMER" ] || die "BENCH_READ_LEN must be an integer >= BENCH_KMER"
command -v python3 >/dev/null || die "python3 is needed for the read generator"

require_genome

# ---------------------------------------------------------------- helpers
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div()    { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
rps()    { awk -v n="$1" -v s="$2" 'BEGIN { if (s == 0) print "-"; else printf "%.0f", n / s }'; }
mib()    { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# timed STATEMENT [LOG]: runs STATEMENT in its own psql and prints its seconds
# (psql \timing: no connection start-up); its rows go to $DIR/last.out,
# notices and errors to LOG (default $DIR/last.err). Returns 1 when it fails.
timed() {
    local log=${2:-$DIR/last.err} ms
    psql -X -q -A -t -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" >"$DIR/last.out" 2>"$log" || return 1
    ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$DIR/last.out" | tail -n 1)
    [ -n "$ms" ] || { echo "no timing for: $1" >>"$log"; return 1; }
    awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }'
}

# ---------------------------------------------------------------- cluster
start_bench_cluster
# Every session, timed or not, builds with the same settings.
PGOPTIONS="-c kmersearch.occur_bitlen=0 -c kmersearch.kmer_size=$KMER -c kmersearch.occur_bitlen=$OCCUR"
PGOPTIONS+=" -c max_parallel_maintenance_workers=$PARALLEL -c max_parallel_workers_per_gather=0"
[ -z "$MWM" ] || PGOPTIONS+=" -c maintenance_work_mem=$MWM"
export PGOPTIONS
sql 'CREATE EXTENSION pg_kmersearch'
for _ in $(seq 1 100); do POOL=$(val "SELECT pid FROM kmersearch_worker_status() WHERE job IS NULL" 2>/dev/null || true); [ -n "$POOL" ] && break; sleep 0.1; done
[ -n "${POOL:-}" ] || die "the worker pool does not answer kmersearch_worker_status() (see $DIR/server.log)"
HAS_INDEX=$(val "SELECT count(*) FROM pg_proc WHERE proname = 'kmersearch_parallel_create_index'")
[ "$HAS_INDEX" -ge 1 ] || die "kmersearch_parallel_create_index is not installed (make -C bridge-ext install)"
HAS_PARTITION=$(val "SELECT count(*) FROM pg_proc WHERE proname = 'kmersearch_partition_table'")
WIDTH=$(( 2 * KMER + OCCUR <= 16 ? 2 : 2 * KMER + OCCUR <= 32 ? 4 : 8 ))
OPCLASS="kmersearch_dna2_gin_ops_int$WIDTH"
POOL_SIZE=$(val "SHOW kmersearch.worker_pool_size")
SESSIONS=$(( PARTITIONS < PARALLEL ? PARTITIONS : PARALLEL ))
SESSIONS=$(( SESSIONS < POOL_SIZE ? SESSIONS : POOL_SIZE ))
log "worker pool pid $POOL; $OPCLASS, up to $SESSIONS build sessions"

# ---------------------------------------------------------------- data
READS="$DIR/reads.txt"
log "generating $ROWS reads of $READ_LEN bases (seed $SEED)"
python3 "$REPO/bench/gen_reads.py" "$GENOME" "$READS" "$ROWS" "$READ_LEN" "$SEED" >"$DIR/reads.stats"
chmod 644 "$READS"

# src: the rows every table gets (id, seq); reads: the hash-partitioned table the indexes are built on.
sql "CREATE TABLE src (id bigint, seq DNA2)"
sql "CREATE TEMP TABLE lines (seq DNA2); COPY lines FROM '$READS'; INSERT INTO src SELECT row_number() OVER (), seq FROM lines"
create_partitioned() {      # NAME: (id bigint, seq DNA2) PARTITION BY HASH (seq), NAME_0 … NAME_{n-1}
    local i
    sql "CREATE TABLE $1 (id bigint, seq DNA2) PARTITION BY HASH (seq)"
    for ((i = 0; i < PARTITIONS; i++)); do
        sql "CREATE TABLE $1_$i PARTITION OF $1 FOR VALUES WITH (MODULUS $PARTITIONS, REMAINDER $i)"
    done
}
create_partitioned reads
sql "INSERT INTO reads SELECT * FROM src"
sql "VACUUM ANALYZE src"
sql "VACUUM ANALYZE reads"
sql 'CHECKPOINT'
[ "$(val "SELECT count(*) FROM reads")" = "$ROWS" ] || die "reads does not have $ROWS rows"
PART_ROWS=$(val "SELECT string_agg(c::text, ' ' ORDER BY n) FROM (SELECT tableoid::regclass::text AS n, count(*) AS c FROM reads GROUP BY 1) s")
KEYS=$(val "SELECT sum(cardinality(kmersearch_ngram_keys(seq))) FROM src")
log "loaded $ROWS rows; partitions: $PART_ROWS; $KEYS n-gram keys at k=$KMER b=$OCCUR"

# ---------------------------------------------------------------- index builds
declare -A T            # T[key] = space-separated timings
add() { T[$1]="${T[$1]:-} $2"; }
TIMINGS=()

index_size() { val "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0) FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indrelid WHERE h.inhparent = 'reads'::regclass"; }

plain_build() {
    local s
    sql 'CHECKPOINT'
    s=$(timed "CREATE INDEX reads_plain_idx ON reads USING gin (seq $OPCLASS)") || die "CREATE INDEX failed: $(cat "$DIR/last.err")"
    SIZE_PLAIN=$(index_size)
    sql "DROP INDEX reads_plain_idx"
    add plain "$s"; TIMINGS+=("plain $s")
    log "CREATE INDEX on the partitioned table: ${s}s"
}

parallel_build() {
    local s bad
    sql 'CHECKPOINT'
    s=$(timed "SELECT 'ROW', partition_name, rows_processed, execution_time_ms, worker_pid, success, coalesce(error_message, '') FROM kmersearch_parallel_create_index('reads', 'seq')" "$DIR/parallel.err") \
        || die "kmersearch_parallel_create_index failed: $(cat "$DIR/parallel.err")"
    grep '^ROW|' "$DIR/last.out" | cut -d'|' -f2- >"$DIR/parallel.rows"
    bad=$(awk -F'|' '$5 != "t"' "$DIR/parallel.rows")
    [ -z "$bad" ] || die "kmersearch_parallel_create_index: partitions failed: $bad"
    [ "$(val "SELECT indisvalid FROM pg_index WHERE indexrelid = 'reads_seq_gin_idx'::regclass")" = t ] || die "reads_seq_gin_idx is not valid"
    [ "$(awk -F'|' '{ n += $2 } END { print n }' "$DIR/parallel.rows")" = "$ROWS" ] || die "rows_processed does not add up to $ROWS"
    SIZE_PARALLEL=$(index_size)
    sql "DROP INDEX reads_seq_gin_idx"
    add parallel "$s"; TIMINGS+=("parallel $s")
    log "kmersearch_parallel_create_index: ${s}s"
}

# Rounds alternate which build goes first, so that drift affects both alike.
for ((r = 1; r <= REPEAT; r++)); do
    if ((r % 2)); then plain_build; parallel_build; else parallel_build; plain_build; fi
done

# ---------------------------------------------------------------- migration
# Baseline: the same rows inserted into a hash-partitioned table created beforehand.
create_partitioned mig_base
for ((r = 1; r <= REPEAT; r++)); do
    sql "TRUNCATE mig_base"
    sql 'CHECKPOINT'
    s=$(timed "INSERT INTO mig_base SELECT * FROM src") || die "INSERT … SELECT failed: $(cat "$DIR/last.err")"
    add insert "$s"; TIMINGS+=("insert $s")
    log "INSERT INTO mig_base SELECT * FROM src: ${s}s"
done

if [ "$HAS_PARTITION" -ge 1 ]; then
    for ((r = 1; r <= REPEAT; r++)); do
        sql "DROP TABLE IF EXISTS mig CASCADE"
        sql "CREATE TABLE mig (id bigint, seq DNA2)"
        sql "INSERT INTO mig SELECT * FROM src"
        sql "VACUUM ANALYZE mig"
        sql 'CHECKPOINT'
        if s=$(timed "SELECT kmersearch_partition_table('mig', $PARTITIONS)" "$DIR/migrate.err"); then
            [ "$(val "SELECT count(*) FROM pg_inherits WHERE inhparent = 'mig'::regclass")" = "$PARTITIONS" ] || die "mig does not have $PARTITIONS partitions"
            [ "$(val "SELECT count(*) FROM mig")" = "$ROWS" ] || die "mig does not have $ROWS rows after kmersearch_partition_table"
            add migrate "$s"; TIMINGS+=("migrate $s")
            log "kmersearch_partition_table('mig', $PARTITIONS): ${s}s"
        else
            MIGRATE_ERROR=$(grep -m1 ERROR "$DIR/migrate.err" || head -n 1 "$DIR/migrate.err")
            log "kmersearch_partition_table failed: $MIGRATE_ERROR"
            break
        fi
    done
fi

# ---------------------------------------------------------------- report
med() { median ${T[$1]}; }
mkdir -p "$REPO/bench/results"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/results/partition_bench-$STAMP.txt"
TP=$(med plain); TQ=$(med parallel); TI=$(med insert)
{
    echo "partition_bench  $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit       $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- bridge-ext sql src 2>/dev/null || echo ' (bridge-ext/, sql/ or src/ modified in the work tree)')"
    echo "server       $(val 'SELECT version()' | cut -d, -f1); pg_kmersearch build $(val 'SELECT kmersearch_show_buildno()'), SIMD $(val 'SELECT kmersearch_simd_capability()')"
    echo "worker pool  $(val 'SELECT version FROM kmersearch_worker_status() WHERE job IS NULL'), pid $POOL, kmersearch.worker_pool_size $POOL_SIZE"
    echo "machine      $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "settings     k=$KMER b=$OCCUR ($OPCLASS), maintenance_work_mem $(val 'SHOW maintenance_work_mem'), max_parallel_maintenance_workers $PARALLEL, shared_buffers $(val 'SHOW shared_buffers')"
    echo "data         $(cat "$DIR/reads.stats")"
    echo "             $ROWS rows in $PARTITIONS hash partitions on seq ($PART_ROWS), $KEYS n-gram keys"
    echo "method       wall time by psql \\timing (no connection start-up), median of $REPEAT, a CHECKPOINT before each;"
    echo "             index builds alternate which goes first; the parallel build's maintenance_work_mem is shared by its sessions"
    echo
    echo "-- index build, $ROWS rows, $PARTITIONS partitions"
    printf '   %-52s %9s s %11s rows/s %11s keys/s\n' "CREATE INDEX on the partitioned table" "$TP" "$(rps "$ROWS" "$TP")" "$(rps "$KEYS" "$TP")"
    printf '   %-52s %9s s %11s rows/s %11s keys/s   speed-up %sx\n' "kmersearch_parallel_create_index ($SESSIONS sessions)" "$TQ" "$(rps "$ROWS" "$TQ")" "$(rps "$KEYS" "$TQ")" "$(div "$TP" "$TQ")"
    echo "   index size (sum over partitions): CREATE INDEX $(mib "$SIZE_PLAIN") MiB, parallel $(mib "$SIZE_PARALLEL") MiB"
    echo "   last parallel build, per partition: partition rows ms backend"
    awk -F'|' '{ printf "     %-20s %10s %8s %8s\n", $1, $2, $3, $4 }' "$DIR/parallel.rows"
    echo
    echo "-- migration into $PARTITIONS hash partitions, $ROWS rows"
    printf '   %-52s %9s s %11s rows/s\n' "INSERT INTO <pre-created partitioned table> SELECT *" "$TI" "$(rps "$ROWS" "$TI")"
    if [ -n "${T[migrate]:-}" ]; then
        TM=$(med migrate)
        printf '   %-52s %9s s %11s rows/s   %sx the INSERT'"'"'s time\n' "kmersearch_partition_table(plain table, $PARTITIONS)" "$TM" "$(rps "$ROWS" "$TM")" "$(div "$TM" "$TI")"
    elif [ "$HAS_PARTITION" -ge 1 ]; then
        echo "   kmersearch_partition_table: failed: ${MIGRATE_ERROR:-?}"
    else
        echo "   kmersearch_partition_table: missing (not in this build of the extension)"
    fi
    echo
    echo "raw timings (s): ${TIMINGS[*]}"
} | tee "$OUT"
log "report written to $OUT"
