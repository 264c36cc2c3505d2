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
