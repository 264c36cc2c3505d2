# bench/lib.sh - sourced by the benchmark scripts: logging and the sample genome.
# Set BENCH_NAME before sourcing; it prefixes every log line.

GENOME=/usr/share/doc/bowtie2/examples/reference/lambda_virus.fa.gz

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The lambda phage genome from Debian's bowtie2-examples, installed if missing.
require_genome() {
    [ -s "$GENOME" ] && return 0
    log "installing bowtie2-examples (for $GENOME)"
    apt-get install -y bowtie2-examples >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y bowtie2-examples >/dev/null; } \
        || die "could not install bowtie2-examples"
    [ -s "$GENOME" ] || die "$GENOME still missing after installing bowtie2-examples"
}

# A private throw-away cluster in a new DIR (exported), stopped and removed on
# exit (kept, stopped, when KEEP=1); PGHOST/PGPORT point at it, PGDATABASE is
# a fresh database "bench". A script may define bench_before_cleanup, run
# first on exit. Needs CLUSTER (scripts/pg-cluster.sh), PORT and KEEP.
start_bench_cluster() {
    DIR=$(mktemp -d "/tmp/kmer-$BENCH_NAME.XXXXXX")
    chmod 755 "$DIR"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    log "starting a private cluster in $DIR"
    "$CLUSTER" start "$DIR" "$PORT"
    chmod 755 "$DIR"            # pg-cluster.sh makes it 0700 for the server
    eval "$("$CLUSTER" env "$DIR")"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE bench' >/dev/null
    export PGDATABASE=bench
}

bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if declare -F bench_before_cleanup >/dev/null; then bench_before_cleanup; fi
    "$CLUSTER" stop "$DIR" >/dev/null 2>&1 || true
    if [ "$KEEP" = 1 ]; then log "cluster directory kept: $DIR"; else rm -rf "$DIR"; fi
    exit "$rc"
}

# sql STATEMENT: run it, quietly; val QUERY: print its value.
sql() { psql -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
val() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
