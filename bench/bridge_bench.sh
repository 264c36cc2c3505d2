#!/usr/bin/env bash
# bridge_bench.sh - cost of the bridge to the worker pool, against SQL's own
# floors measured in the same run on the same private cluster:
#   1. latency of a trivial bridged call (the pool's diagnostics.echo, one
#      argument in, the same value back: a full round trip with the call's
#      context and an exported snapshot) over BENCH_CALLS calls, p50/p99,
#      beside a trivial SQL function and a trivial PL/pgSQL function, each
#      call its own transaction, timed by pgbench per transaction (-l);
#   2. throughput of SPI-request batches writing rows into the caller's
#      transaction (diagnostics.spi_batch: INSERT … SELECT FROM unnest($1, $2)
#      per batch of BENCH_SPI_BATCH rows) beside a plain
#      INSERT … SELECT FROM generate_series of the same rows.
#
# Run as root (the cluster runs as the postgres OS user):  bench/bridge_bench.sh
# Settings (environment):
#   BENCH_CALLS=10000        calls per latency series
#   BENCH_SPI_ROWS=1000000   rows written per throughput run
#   BENCH_SPI_BATCH=10000    rows per SPI request
#   BENCH_REPEAT=3           throughput runs (the median is reported)
#   PORT=5461 KEEP=0
set -euo pipefail
BENCH_NAME=bridge_bench
project_root=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER="$project_root/scripts/pg-cluster.sh"
. "$project_root/bench/lib.sh"

BENCH_CALLS=${BENCH_CALLS:-10000}
BENCH_SPI_ROWS=${BENCH_SPI_ROWS:-1000000}
BENCH_SPI_BATCH=${BENCH_SPI_BATCH:-10000}
BENCH_REPEAT=${BENCH_REPEAT:-3}
PORT=${PORT:-5461}
KEEP=${KEEP:-0}
[ $((BENCH_SPI_ROWS % BENCH_SPI_BATCH)) -eq 0 ] || die "BENCH_SPI_ROWS must be a multiple of BENCH_SPI_BATCH"

# The pool that the server starts must offer the diagnostics handlers.
export KMER_Worker__EnableDiagnosticHandlers=true
start_bench_cluster
results="$project_root/bench/results"
mkdir -p "$results"
report="$results/bridge_bench.$(date +%Y%m%d-%H%M%S).txt"

sql "CREATE EXTENSION pg_kmersearch"
sql "CREATE FUNCTION bench_sql(int) RETURNS int LANGUAGE sql AS 'SELECT \$1'"
sql "CREATE FUNCTION bench_plpgsql(x int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN x; END'"
sql "CREATE FUNCTION bench_bridge(int) RETURNS int LANGUAGE kmersearch_bridge AS 'diagnostics.echo'"
sql "CREATE FUNCTION bench_spi_batch(target text, batches int, rows_per_batch int) RETURNS bigint
     LANGUAGE kmersearch_bridge AS 'diagnostics.spi_batch'"
[ "$(val 'SELECT bench_bridge(7)')" = 7 ] || die "the bridged function does not answer"

# latency NAME STATEMENT: pgbench, one client, BENCH_CALLS transactions; prints "p50 p99" in ms.
latency() {
    local name=$1 statement=$2 work="$DIR/pgbench-$1"
    mkdir -p "$work"
    printf '%s\n' "$statement" >"$work/script.sql"
    # Warm the session's caches and connection first (not logged).
    (cd "$work" && pgbench -n -t 200 -f script.sql >/dev/null 2>&1)
    (cd "$work" && pgbench -n -t "$BENCH_CALLS" -f script.sql -l --log-prefix=tx >/dev/null 2>&1) \
        || die "pgbench failed for $name"
    # Column 3 of pgbench's per-transaction log is the latency in microseconds.
    cat "$work"/tx.* | awk '{print $3}' | sort -n | awk -v n="$BENCH_CALLS" '
        { v[NR] = $1 }
        END { p50 = v[int(0.50 * NR + 0.5)]; p99 = v[int(0.99 * NR + 0.5)]; printf "%.3f %.3f %d\n", p50 / 1000, p99 / 1000, NR }'
}

# timed STATEMENT: wall time in ms of one statement in its own psql session.
timed() {
    psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "$1" 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -n 1
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

log "latency: $BENCH_CALLS calls each"
read -r sql_p50 sql_p99 sql_n < <(latency sql "SELECT bench_sql(1);")
read -r plpgsql_p50 plpgsql_p99 plpgsql_n < <(latency plpgsql "SELECT bench_plpgsql(1);")
read -r bridge_p50 bridge_p99 bridge_n < <(latency bridge "SELECT bench_bridge(1);")
[ "$bridge_n" -eq "$BENCH_CALLS" ] || die "pgbench logged $bridge_n bridged calls, not $BENCH_CALLS"

log "SPI batches: $BENCH_SPI_ROWS rows in batches of $BENCH_SPI_BATCH, $BENCH_REPEAT runs each"
sql "CREATE UNLOGGED TABLE IF NOT EXISTS sink_plain (id bigint, label text)"
sql "CREATE UNLOGGED TABLE IF NOT EXISTS sink_spi (id bigint, label text)"
plain_ms=() spi_ms=()
for _ in $(seq "$BENCH_REPEAT"); do
    sql "TRUNCATE sink_plain, sink_spi"
    plain_ms+=("$(timed "INSERT INTO sink_plain SELECT g, 'row ' || g FROM generate_series(1, $BENCH_SPI_ROWS) g")")
    spi_ms+=("$(timed "SELECT bench_spi_batch('public.sink_spi', $((BENCH_SPI_ROWS / BENCH_SPI_BATCH)), $BENCH_SPI_BATCH)")")
done
same=$(val "SELECT (SELECT count(*) FROM sink_spi) = $BENCH_SPI_ROWS
            AND NOT EXISTS (SELECT * FROM sink_plain EXCEPT SELECT * FROM sink_spi)")
[ "$same" = t ] || die "the SPI batches did not write the same rows as INSERT … SELECT"
plain=$(printf '%s\n' "${plain_ms[@]}" | median)
spi=$(printf '%s\n' "${spi_ms[@]}" | median)

{
    echo "bridge_bench $(date -Iseconds)  commit $(git -C "$project_root" rev-parse --short HEAD)  $(nproc) cores"
    echo
    echo "Trivial call latency, $BENCH_CALLS calls each (pgbench, 1 client, one transaction per call), ms:"
    printf '  %-36s p50 %7.3f   p99 %7.3f\n' "SQL function SELECT \$1" "$sql_p50" "$sql_p99"
    printf '  %-36s p50 %7.3f   p99 %7.3f\n' "PL/pgSQL function RETURN x" "$plpgsql_p50" "$plpgsql_p99"
    printf '  %-36s p50 %7.3f   p99 %7.3f\n' "bridged function (diagnostics.echo)" "$bridge_p50" "$bridge_p99"
    awk -v b="$bridge_p50" -v s="$sql_p50" -v b99="$bridge_p99" -v s99="$sql_p99" \
        'BEGIN { printf "  bridged : SQL  p50 %.2f   p99 %.2f   (extra per call: p50 %.3f ms)\n", b / s, b99 / s99, b - s }'
    echo
    echo "Writing $BENCH_SPI_ROWS rows into the caller's transaction (median of $BENCH_REPEAT):"
    awk -v ms="$plain" -v n="$BENCH_SPI_ROWS" 'BEGIN { printf "  %-36s %9.1f ms  %12.0f rows/s\n", "INSERT … SELECT generate_series", ms, n / (ms / 1000) }'
    awk -v ms="$spi" -v n="$BENCH_SPI_ROWS" -v b="$BENCH_SPI_BATCH" 'BEGIN { printf "  %-36s %9.1f ms  %12.0f rows/s\n", "SPI batches of " b " rows", ms, n / (ms / 1000) }'
    awk -v p="$plain" -v s="$spi" 'BEGIN { printf "  SPI batches : INSERT … SELECT time %.2f\n", s / p }'
} | tee "$report"
log "report: $report"
