#!/usr/bin/env bash
# search_bench.sh - k-mer GIN search (=% + kmersearch_matchscore) against
# pg_trgm (gin_trgm_ops, % + similarity) on the same reads, same run.
#
# Generates reads sampled from the lambda phage genome of Debian's
# bowtie2-examples (both strands, seeded positions, a few seeded
# substitutions per read) and query reads sampled the same way with another
# seed and 2-5% substitutions.  The same sequences go into a DNA2 table and a
# text table of a private throw-away cluster.  Reports:
#   - the floor: COPY (SELECT seq FROM t) TO '/dev/null' for each table;
#   - GIN build time (also as a ratio to the floor) and pg_relation_size for
#     pg_kmersearch at each k of BENCH_KMER_SIZES (occur_bitlen BENCH_OCCUR_BITLEN)
#     and for pg_trgm gin_trgm_ops on the text column;
#   - p50/p95 latency of the top-10 queries, each query timed on its own by a
#     PL/pgSQL driver (clock_timestamp() around EXECUTE, planning included);
#   - recall@10 against the generator's known read positions (defined in the report);
#   - whether =% returns the same rows with the index and with a sequential scan.
#
# Run as root (the cluster runs as the postgres OS user):  bench/search_bench.sh
# Settings (environment):
#   BENCH_ROWS=200000        reads to generate and load
#   BENCH_QUERIES=200        timed queries per k-mer size
#   BENCH_TRGM_QUERIES=20    timed pg_trgm queries, the first N of the same set
#                            (a pg_trgm query reads every row: seconds each)
#   BENCH_TRGM_GIN_QUERIES=5 pg_trgm queries again with enable_seqscan = off, so
#                            that they go through the GIN index (0: skip)
#   BENCH_LOW_RATE=0.25      also run the k-mer queries with this
#                            kmersearch.min_shared_kmer_rate (same indexes; empty: skip)
#   BENCH_WARMUP=5           untimed warm-up queries before each timed series
#                            (extra query reads, not among the timed ones)
#   BENCH_READ_LEN=150       bases per read and per query
#   BENCH_SEED=20240601      seed of the read generator
#   BENCH_QUERY_SEED=20240607  seed of the query generator
#   BENCH_KMER_SIZES="8 12"  k-mer sizes to index and query
#   BENCH_OCCUR_BITLEN=8     kmersearch.occur_bitlen for every k
#   BENCH_MIN_RATE=          kmersearch.min_shared_kmer_rate (default: the server's, 0.5)
#   BENCH_TRGM_THRESHOLD=0.3 pg_trgm.similarity_threshold
#   BENCH_CHECK_QUERIES=10   queries compared between index scan and sequential scan
#   BENCH_VARIANTS=1         also time the k-mer queries with jit = off and with
#                            max_parallel_workers_per_gather = 2 (0: skip)
#   BENCH_REPEAT=5           repetitions of the floor (median reported)
#   BENCH_BUILD_REPEAT=2     builds of each index (median reported)
#   BENCH_MWM=256MB          maintenance_work_mem for every index build
#   BENCH_PARALLEL=0         max_parallel_workers_per_gather for every session
#   BENCH_PORT=5497          port number of the private socket
#   BENCH_KEEP=0             1: leave the cluster directory behind (it is stopped)
# The report goes to stdout and to bench/results/search_bench-<date>.txt.
set -euo pipefail
shopt -s inherit_errexit

ROWS=${BENCH_ROWS:-200000}
NQ=${BENCH_QUERIES:-200}
NQ_TRGM=${BENCH_TRGM_QUERIES:-20}
NQ_TRGM_GIN=${BENCH_TRGM_GIN_QUERIES:-5}
LOW_RATE=${BENCH_LOW_RATE-0.25}
WARMUP=${BENCH_WARMUP:-5}
READ_LEN=${BENCH_READ_LEN:-150}
SEED=${BENCH_SEED:-20240601}
QSEED=${BENCH_QUERY_SEED:-20240607}
read -r -a KS <<<"${BENCH_KMER_SIZES:-8 12}"
B=${BENCH_OCCUR_BITLEN:-8}
MIN_RATE=${BENCH_MIN_RATE:-}
TRGM_T=${BENCH_TRGM_THRESHOLD:-0.3}
NCHECK=${BENCH_CHECK_QUERIES:-10}
REPEAT=${BENCH_REPEAT:-5}
BUILD_REPEAT=${BENCH_BUILD_REPEAT:-2}
VARIANTS=${BENCH_VARIANTS:-1}
MWM=${BENCH_MWM:-256MB}
PARALLEL=${BENCH_PARALLEL:-0}
PORT=${BENCH_PORT:-5497}
KEEP=${BENCH_KEEP:-0}

# Figures of the original pg_kmersearch on its own machine (200k reads,
# 150 bases, DNA2), for orientation only: other hardware, other run.
ORIG_BUILD_8=10.6 ORIG_RATIO_8=170 ORIG_BUILD_12=50 ORIG_QUERY_8=42

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER="$REPO/scripts/pg-cluster.sh"

BENCH_NAME=search_bench
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
isint() { [[ $1 =~ ^[0-9]+$ ]]; }

[ "$(id -u)" = 0 ] || die "run as root (the cluster runs as the postgres OS user via runuser)"
isint "$ROWS" && [ "$ROWS" -gt 0 ] || die "BENCH_ROWS must be a positive integer"
isint "$NQ" && [ "$NQ" -gt 0 ] || die "BENCH_QUERIES must be a positive integer"
isint "$NQ_TRGM" && [ "$NQ_TRGM" -ge 1 ] && [ "$NQ_TRGM" -le "$NQ" ] || die "BENCH_TRGM_QUERIES must be an integer 1..BENCH_QUERIES"
isint "$NQ_TRGM_GIN" && [ "$NQ_TRGM_GIN" -le "$NQ" ] || die "BENCH_TRGM_GIN_QUERIES must be an integer <= BENCH_QUERIES"
isint "$WARMUP" || die "BENCH_WARMUP must be a non-negative integer"
isint "$READ_LEN" && [ "$READ_LEN" -ge 32 ] || die "BENCH_READ_LEN must be an integer >= 32"
isint "$NCHECK" && [ "$NCHECK" -le "$NQ" ] || die "BENCH_CHECK_QUERIES must be an integer <= BENCH_QUERIES"
isint "$REPEAT" && [ "$REPEAT" -ge 1 ] || die "BENCH_REPEAT must be a positive integer"
isint "$BUILD_REPEAT" && [ "$BUILD_REPEAT" -ge 1 ] || die "BENCH_BUILD_REPEAT must be a positive integer"
[[ $VARIANTS =~ ^[01]$ ]] || die "BENCH_VARIANTS must be 0 or 1"
isint "$B" && [ "$B" -le 16 ] || die "BENCH_OCCUR_BITLEN must be an integer 0-16"
[ "${#KS[@]}" -ge 1 ] || die "BENCH_KMER_SIZES is empty"
for k in "${KS[@]}"; do
    isint "$k" && [ "$k" -ge 4 ] && [ "$k" -le 32 ] && [ $((2 * k + B)) -le 64 ] \
        || die "k-mer size '$k' is not 4-32 or makes keys wider than 64 bits with occur_bitlen $B"
done
[[ $TRGM_T =~ ^(0(\.[0-9]+)?|1(\.0*)?)$ ]] || die "BENCH_TRGM_THRESHOLD must be a number in 0-1"
[ -z "$LOW_RATE" ] || [[ $LOW_RATE =~ ^(0(\.[0-9]+)?|1(\.0*)?)$ ]] || die "BENCH_LOW_RATE must be a number in 0-1 or empty"
[ -z "$MIN_RATE" ] || [[ $MIN_RATE =~ ^(0(\.[0-9]+)?|1(\.0*)?)$ ]] || die "BENCH_MIN_RATE must be a number in 0-1"
command -v python3 >/dev/null || die "python3 is needed for the read generator"

require_genome

# Operator class of a k: key width 2k + b bits -> int2 / int4 / int8.
opclass() {
    local bits=$((2 * $1 + B))
    if [ "$bits" -le 16 ]; then echo kmersearch_dna2_gin_ops_int2
    elif [ "$bits" -le 32 ]; then echo kmersearch_dna2_gin_ops_int4
    else echo kmersearch_dna2_gin_ops_int8; fi
}

# ---------------------------------------------------------------- cluster
T_START=$(date +%s)
start_bench_cluster
# Every session (timed or not) runs with the same planner and build settings.
export PGOPTIONS="-c max_parallel_workers_per_gather=$PARALLEL -c maintenance_work_mem=$MWM -c client_min_messages=warning"
# timed SETUP STATEMENT: seconds of STATEMENT (psql \timing, no connection
# start-up), after SETUP ran untimed in the same session.
timed() {
    local out ms
    out=$(psql -X -q -v ON_ERROR_STOP=1 -c "$1" -c '\timing on' -c "$2") || die "failed: $2"
    ms=$(printf '%s\n' "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
    [ -n "$ms" ] || die "no timing for: $2"
    awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div()    { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mb()     { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# kset K: the session settings of the k-mer runs at k = K (a session starts
# at k = 16, where any occur_bitlen <= 16 fits, so occur_bitlen goes first).
kset() {
    local s="SET kmersearch.occur_bitlen = $B; SET kmersearch.kmer_size = $1;"
    [ -z "$MIN_RATE" ] || s+=" SET kmersearch.min_shared_kmer_rate = $MIN_RATE;"
    printf '%s' "$s"
}
TSET="SET pg_trgm.similarity_threshold = $TRGM_T;"

sql 'CREATE EXTENSION pg_kmersearch'
sql 'CREATE EXTENSION pg_trgm'

# ---------------------------------------------------------------- data
NQ_ALL=$((NQ + WARMUP))
log "generating $ROWS reads and $NQ_ALL queries of $READ_LEN bases (seeds $SEED, $QSEED)"
python3 - "$GENOME" "$DIR" "$ROWS" "$NQ_ALL" "$READ_LEN" "$SEED" "$QSEED" >"$DIR/data.stats" <<'PY'
import gzip, random, sys

genome_path, out_dir = sys.argv[1], sys.argv[2]
rows, nq, read_len, seed, qseed = (int(x) for x in sys.argv[3:8])
with gzip.open(genome_path, "rt") as f:
    genome = "".join(line.strip() for line in f if not line.startswith(">")).upper()
if set(genome) - set("ACGT"):
    sys.exit("genome has letters other than ACGT")
if len(genome) < read_len:
    sys.exit("read length is longer than the genome")
# Coordinates are on the sampled strand's own sequence: a '-' read starting at
# p is revcomp[p:p+len].  Two reads of the same strand overlap by
# len - |p1 - p2| bases when that is positive.
strands = {"+": genome, "-": genome.translate(str.maketrans("ACGT", "TGCA"))[::-1]}
other = {b: [x for x in "ACGT" if x != b] for b in "ACGT"}
span = len(genome) - read_len + 1

def sample(rng, nsubs):
    strand = "+" if rng.random() < 0.5 else "-"
    pos = rng.randrange(span)
    seq = list(strands[strand][pos:pos + read_len])
    for i in rng.sample(range(read_len), nsubs):
        seq[i] = rng.choice(other[seq[i]])
    return strand, pos, nsubs, "".join(seq)

def write(path, n, rng, subs):
    total = minus = 0
    with open(path, "w") as out:
        batch = []
        for i in range(1, n + 1):
            strand, pos, k, seq = sample(rng, subs(rng))
            total += k
            minus += strand == "-"
            batch.append(f"{i}\t{strand}\t{pos}\t{k}\t{seq}")
            if len(batch) == 10000:
                out.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            out.write("\n".join(batch) + "\n")
    return total, minus

# Reads: 0-3 substitutions, Binomial(3, 1/2), mean 1.5 (1% at 150 bases).
rs, rm = write(f"{out_dir}/reads.tsv", rows, random.Random(seed),
               lambda r: (r.random() < 0.5) + (r.random() < 0.5) + (r.random() < 0.5))
# Queries: 2-5% of the bases substituted, uniformly.
lo, hi = max(1, round(0.02 * read_len)), max(1, round(0.05 * read_len))
qs, qm = write(f"{out_dir}/queries.tsv", nq, random.Random(qseed), lambda r: r.randint(lo, hi))
print(f"{rows} reads x {read_len} bases from lambda phage ({len(genome)} bp, both strands), "
      f"{rm} ({100.0 * rm / rows:.1f}%) minus strand, {rs / rows:.2f} substitutions per read "
      f"(0-3, Binomial(3, 1/2)), seed {seed}")
print(f"{nq} query reads x {read_len} bases sampled the same way, {qm} minus strand, "
      f"{lo}-{hi} substitutions each (uniform, mean {qs / nq:.2f} = {100.0 * qs / nq / read_len:.1f}%), seed {qseed}")
PY
chmod 644 "$DIR"/reads.tsv "$DIR"/queries.tsv

log "loading"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE src (id integer, strand char(1), start integer, nsubs integer, seq text);
COPY src FROM '$DIR/reads.tsv';
CREATE TABLE reads (id integer PRIMARY KEY, seq DNA2 NOT NULL);
CREATE TABLE reads_txt (id integer PRIMARY KEY, seq text NOT NULL);
-- Where each read came from (generator truth), for recall.
CREATE TABLE read_pos (id integer PRIMARY KEY, strand char(1) NOT NULL, start integer NOT NULL, nsubs integer NOT NULL);
INSERT INTO reads SELECT id, seq::DNA2 FROM src ORDER BY id;
INSERT INTO reads_txt SELECT id, seq FROM src ORDER BY id;
INSERT INTO read_pos SELECT id, strand, start, nsubs FROM src ORDER BY id;
CREATE INDEX ON read_pos (strand, start);
DROP TABLE src;
CREATE TABLE queries (qid integer PRIMARY KEY, strand char(1) NOT NULL, start integer NOT NULL, nsubs integer NOT NULL, seq text NOT NULL);
COPY queries FROM '$DIR/queries.tsv';
-- Timed series: qid 1..NQ; warm-up queries: qid > NQ.
CREATE TABLE timings (method text, qid integer, ms double precision, ids integer[], PRIMARY KEY (method, qid));

-- Runs each query on its own: clock_timestamp() around one EXECUTE (parse,
-- plan and execution of the statement; the ids are collected by an
-- array_agg around it).  tmpl is a format() string with %1\$L for the query.
CREATE FUNCTION bench_run(method text, tmpl text, qfrom integer, qto integer, record boolean)
RETURNS void LANGUAGE plpgsql AS \$fn\$
DECLARE
    q record;
    stmt text;
    t0 timestamptz;
    t1 timestamptz;
    got integer[];
BEGIN
    FOR q IN SELECT qid, seq FROM queries WHERE qid BETWEEN qfrom AND qto ORDER BY qid LOOP
        stmt := 'SELECT array_agg(id) FROM (' || format(tmpl, q.seq) || ') s';
        t0 := clock_timestamp();
        EXECUTE stmt INTO got;
        t1 := clock_timestamp();
        IF record THEN
            INSERT INTO timings VALUES (method, q.qid, extract(epoch FROM t1 - t0) * 1000, coalesce(got, '{}'));
        END IF;
    END LOOP;
END
\$fn\$;
SQL
sql 'VACUUM ANALYZE reads'
sql 'VACUUM ANALYZE reads_txt'
sql 'VACUUM ANALYZE read_pos'
sql 'VACUUM ANALYZE queries'
sql 'CHECKPOINT'
n=$(val 'SELECT count(*) FROM reads')
[ "$n" = "$ROWS" ] || die "reads has $n rows, expected $ROWS"
[ "$(val 'SELECT count(*) FROM reads r JOIN reads_txt t USING (id) WHERE r.seq::text = t.seq')" = "$ROWS" ] \
    || die "reads and reads_txt differ"
log "loaded $ROWS reads into reads (DNA2) and reads_txt (text), identical sequences"

declare -A R      # results
R[heap:dna2]=$(val "SELECT pg_relation_size('reads')")
R[heap:text]=$(val "SELECT pg_relation_size('reads_txt')")

# ---------------------------------------------------------------- floor
log "floor: COPY (SELECT seq FROM t) TO '/dev/null', $REPEAT rounds"
declare -a F_DNA2 F_TEXT
sql "COPY (SELECT seq FROM reads) TO '/dev/null'"          # warm-up
sql "COPY (SELECT seq FROM reads_txt) TO '/dev/null'"
for ((r = 1; r <= REPEAT; r++)); do
    F_DNA2+=("$(timed 'SELECT 1' "COPY (SELECT seq FROM reads) TO '/dev/null'")")
    F_TEXT+=("$(timed 'SELECT 1' "COPY (SELECT seq FROM reads_txt) TO '/dev/null'")")
done
R[floor:dna2]=$(median "${F_DNA2[@]}")
R[floor:text]=$(median "${F_TEXT[@]}")
log "floor: DNA2 ${R[floor:dna2]} s, text ${R[floor:text]} s"

# ---------------------------------------------------------------- methods
# A method is one column of the report: settings, query, index it should use,
# number of timed queries and of warm-up queries.
KQ='SELECT id FROM reads WHERE seq =%% %1$L ORDER BY kmersearch_matchscore(seq, %1$L) DESC LIMIT 10'
TQ='SELECT id FROM reads_txt WHERE seq %% %1$L ORDER BY similarity(seq, %1$L) DESC LIMIT 10'
declare -A M_SET M_TMPL M_IDX M_NQ M_WARM M_LABEL
COLS=()
for k in "${KS[@]}"; do
    m=k$k
    COLS+=("$m"); M_SET[$m]=$(kset "$k"); M_TMPL[$m]=$KQ; M_IDX[$m]=reads_$m
    M_NQ[$m]=$NQ; M_WARM[$m]=$WARMUP; M_LABEL[$m]="k-mer k=$k"
done
if [ -n "$LOW_RATE" ]; then
    for k in "${KS[@]}"; do
        m=k${k}low
        COLS+=("$m"); M_SET[$m]="$(kset "$k") SET kmersearch.min_shared_kmer_rate = $LOW_RATE;"; M_TMPL[$m]=$KQ
        M_IDX[$m]=reads_k$k; M_NQ[$m]=$NQ; M_WARM[$m]=$WARMUP; M_LABEL[$m]="k=$k rate $LOW_RATE"
    done
fi
if [ "$VARIANTS" = 1 ]; then
    # The planner's row estimate for =% drives JIT and parallel-query decisions:
    # time the same queries with JIT off and with parallel workers allowed.
    for k in "${KS[@]}"; do
        m=k${k}nojit
        COLS+=("$m"); M_SET[$m]="$(kset "$k") SET jit = off;"; M_TMPL[$m]=$KQ
        M_IDX[$m]=reads_k$k; M_NQ[$m]=$NQ; M_WARM[$m]=$WARMUP; M_LABEL[$m]="k=$k jit off"
    done
    for k in "${KS[@]}"; do
        m=k${k}par
        COLS+=("$m"); M_SET[$m]="$(kset "$k") SET max_parallel_workers_per_gather = 2;"; M_TMPL[$m]=$KQ
        M_IDX[$m]=reads_k$k; M_NQ[$m]=$NQ; M_WARM[$m]=$WARMUP; M_LABEL[$m]="k=$k parallel 2"
    done
fi
TRGM_WARM=$((WARMUP < 1 ? WARMUP : 1))    # a pg_trgm query costs seconds
COLS+=(trgm); M_SET[trgm]=$TSET; M_TMPL[trgm]=$TQ; M_IDX[trgm]=reads_txt_trgm
M_NQ[trgm]=$NQ_TRGM; M_WARM[trgm]=$TRGM_WARM; M_LABEL[trgm]="pg_trgm"
if [ "$NQ_TRGM_GIN" -gt 0 ]; then
    COLS+=(trgmgin); M_SET[trgmgin]="$TSET SET enable_seqscan = off;"; M_TMPL[trgmgin]=$TQ
    M_IDX[trgmgin]=reads_txt_trgm; M_NQ[trgmgin]=$NQ_TRGM_GIN; M_WARM[trgmgin]=$TRGM_WARM
    M_LABEL[trgmgin]="pg_trgm seqscan=off"
fi
for m in "${COLS[@]}"; do
    case $m in
        k*low|k*nojit|k*par) ;;
        k*) R[opclass:$m]=$(opclass "${m#k}"); R[opclass:$m]=${R[opclass:$m]#kmersearch_dna2_} ;;
        trgm) R[opclass:$m]=gin_trgm_ops ;;
    esac
done

# ---------------------------------------------------------------- builds
for k in "${KS[@]}"; do
    m=k$k
    bt=()
    for ((r = 1; r <= BUILD_REPEAT; r++)); do
        sql "DROP INDEX IF EXISTS reads_$m"
        sql 'CHECKPOINT'
        log "building reads_$m: GIN ($(opclass "$k")) at k=$k, b=$B, round $r"
        bt+=("$(timed "$(kset "$k")" "CREATE INDEX reads_$m ON reads USING gin (seq $(opclass "$k"))")")
        log "reads_$m round $r: ${bt[-1]} s"
    done
    R[build:$m]=$(median "${bt[@]}")
    R[builds:$m]=${bt[*]}
    R[size:$m]=$(val "SELECT pg_relation_size('reads_$m')")
    R[floor:$m]=${R[floor:dna2]}
    log "reads_$m: ${R[build:$m]} s, $(mb "${R[size:$m]}") MB"
done
bt=()
for ((r = 1; r <= BUILD_REPEAT; r++)); do
    sql 'DROP INDEX IF EXISTS reads_txt_trgm'
    sql 'CHECKPOINT'
    log "building reads_txt_trgm: GIN (gin_trgm_ops), round $r"
    bt+=("$(timed 'SELECT 1' 'CREATE INDEX reads_txt_trgm ON reads_txt USING gin (seq gin_trgm_ops)')")
done
R[build:trgm]=$(median "${bt[@]}")
R[builds:trgm]=${bt[*]}
R[size:trgm]=$(val "SELECT pg_relation_size('reads_txt_trgm')")
R[floor:trgm]=${R[floor:text]}
log "reads_txt_trgm: ${R[build:trgm]} s, $(mb "${R[size:trgm]}") MB"
sql 'VACUUM ANALYZE reads'
sql 'VACUUM ANALYZE reads_txt'
sql 'CHECKPOINT'

# ---------------------------------------------------------------- plans
Q1=$(val 'SELECT seq FROM queries WHERE qid = 1')
PLANS="$DIR/plans.txt"
: >"$PLANS"
log "EXPLAIN ANALYZE of query 1 for each method"
for m in "${COLS[@]}"; do
    q=$(val "SELECT format(\$t\$${M_TMPL[$m]}\$t\$, seq) FROM queries WHERE qid = 1")
    psql -X -q -A -t -v ON_ERROR_STOP=1 -c "${M_SET[$m]}" -c "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) $q" >"$DIR/plan.$m"
    {
        echo "--- ${M_LABEL[$m]}"
        echo "    settings: ${M_SET[$m]}"
        sed "s/$Q1/<query 1>/g; s/^/    /" "$DIR/plan.$m"
    } >>"$PLANS"
    if grep -qE "Bitmap Index Scan on ${M_IDX[$m]}( |$)" "$DIR/plan.$m"; then R[plan:$m]=yes; else R[plan:$m]=NO; fi
    R[planscan:$m]=$(grep -o -m1 -E '(Seq Scan|Bitmap Heap Scan|Index Scan) on [a-z_0-9]+' "$DIR/plan.$m" | sed 's/ on .*//' || true)
    R[planflags:$m]=''
    if grep -q '^ *JIT:' "$DIR/plan.$m"; then R[planflags:$m]+='+JIT'; fi
    if grep -q 'Gather' "$DIR/plan.$m"; then R[planflags:$m]+='+par'; fi
    R[planrows:$m]=$(grep -o -m1 -E '(Bitmap Index Scan|Seq Scan) on [a-z_0-9]+ +\(cost=[0-9.]+ rows=[0-9]+' "$DIR/plan.$m" | sed 's/.*rows=//' || true)
done

# ---------------------------------------------------------------- queries
for m in "${COLS[@]}"; do
    log "${M_LABEL[$m]}: ${M_WARM[$m]} warm-up + ${M_NQ[$m]} timed queries"
    warm=''
    [ "${M_WARM[$m]}" -eq 0 ] \
        || warm="SELECT bench_run('$m', \$t\$${M_TMPL[$m]}\$t\$, $((NQ + 1)), $((NQ + M_WARM[$m])), false);"
    t=$(timed "${M_SET[$m]} $warm" "SELECT bench_run('$m', \$t\$${M_TMPL[$m]}\$t\$, 1, ${M_NQ[$m]}, true)")
    log "${M_LABEL[$m]}: ${M_NQ[$m]} queries in $t s"
done

# Rows the WHERE clause admits (before ORDER BY/LIMIT), untimed: every timed
# query for k-mer search, the first few for pg_trgm (each costs seconds).
log "counting matched rows per query"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE matched (method text, qid integer, n bigint, PRIMARY KEY (method, qid));
CREATE FUNCTION bench_count(method text, tmpl text, qto integer) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE q record; n bigint;
BEGIN
    FOR q IN SELECT qid, seq FROM queries WHERE qid <= qto ORDER BY qid LOOP
        EXECUTE format(tmpl, q.seq) INTO n;
        INSERT INTO matched VALUES (method, q.qid, n);
    END LOOP;
END $fn$;
SQL
for m in "${COLS[@]}"; do
    case $m in
        k*nojit|k*par) ;;    # same WHERE clause as the plain k
        k*) sql "${M_SET[$m]} SELECT bench_count('$m', 'SELECT count(*) FROM reads WHERE seq =%% %1\$L', ${M_NQ[$m]})" ;;
        trgm) sql "${M_SET[$m]} SELECT bench_count('$m', 'SELECT count(*) FROM reads_txt WHERE seq %% %1\$L', $((NQ_TRGM < 3 ? NQ_TRGM : 3)))" ;;
    esac
done

# ---------------------------------------------------------------- index vs seq scan
log "=% with the index (enable_seqscan = off) and without (enable_bitmapscan = off), $NCHECK queries per k"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE samecheck (method text, qid integer, via_index integer[], via_seqscan integer[], plan_index text, plan_seq text);
CREATE FUNCTION bench_plan(stmt text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE l text; acc text := '';
BEGIN
    FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || stmt LOOP acc := acc || l || E'\n'; END LOOP;
    RETURN acc;
END $fn$;
CREATE FUNCTION bench_same(method text, qto integer) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE q record; stmt text; a integer[]; b integer[]; pa text; pb text;
BEGIN
    FOR q IN SELECT qid, seq FROM queries WHERE qid <= qto ORDER BY qid LOOP
        stmt := format('SELECT id FROM reads WHERE seq =%% %L', q.seq);
        PERFORM set_config('enable_seqscan', 'off', true);
        PERFORM set_config('enable_bitmapscan', 'on', true);
        pa := bench_plan(stmt);
        EXECUTE 'SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM (' || stmt || ') s' INTO a;
        PERFORM set_config('enable_seqscan', 'on', true);
        PERFORM set_config('enable_bitmapscan', 'off', true);
        pb := bench_plan(stmt);
        EXECUTE 'SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM (' || stmt || ') s' INTO b;
        INSERT INTO samecheck VALUES (method, q.qid, a, b, pa, pb);
    END LOOP;
END $fn$;
SQL
for k in "${KS[@]}"; do
    m="k$k"
    [ "$NCHECK" -gt 0 ] || break
    sql "$(kset "$k") SELECT bench_same('$m', $NCHECK)"
    R[same:$m]=$(val "SELECT count(*) FILTER (WHERE via_index = via_seqscan) || '/' || count(*) FROM samecheck WHERE method = '$m'")
    R[same_plans:$m]=$(val "SELECT count(*) FILTER (WHERE plan_index ~ 'Bitmap Index Scan on reads_$m\\M' AND plan_seq ~ 'Seq Scan on reads' AND plan_seq !~ 'Index') || '/' || count(*) FROM samecheck WHERE method = '$m'")
    R[same_rows:$m]=$(val "SELECT round(avg(cardinality(via_index)), 1) FROM samecheck WHERE method = '$m'")
    R[same_diff:$m]=$(val "SELECT coalesce(string_agg(qid || ' (' || cardinality(via_index) || ' vs ' || cardinality(via_seqscan) || ')', ', '), 'none') FROM samecheck WHERE method = '$m' AND via_index <> via_seqscan")
done

# ---------------------------------------------------------------- truth and recall
log "computing the truth and recall"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
-- True overlap of every read with every query: same strand only (an opposite
-- strand read is the reverse complement and shares no k-mers by design),
-- overlap = bases of the query's source interval the read's source interval covers.
CREATE TABLE truth AS
SELECT q.qid, p.id, least(q.start, p.start) + $READ_LEN - greatest(q.start, p.start) AS ov
  FROM queries q
  JOIN read_pos p ON p.strand = q.strand AND p.start BETWEEN q.start - $READ_LEN + 1 AND q.start + $READ_LEN - 1
 WHERE q.qid <= $NQ;
CREATE INDEX ON truth (qid, id);
-- Per query: the 10th-best true overlap (ties at that value all count as
-- relevant) and how many reads overlap at all.
CREATE TABLE truth10 AS
SELECT qid, min(ov) FILTER (WHERE rn <= 10) AS ov10, count(*) AS noverlap,
       avg(ov) FILTER (WHERE rn <= 10) AS ideal_mean_ov,
       count(*) FILTER (WHERE ov >= 100) AS n100
  FROM (SELECT qid, ov, row_number() OVER (PARTITION BY qid ORDER BY ov DESC) AS rn FROM truth) s
 GROUP BY qid;
CREATE TABLE recall AS
SELECT t.method, t.qid, t.ms, cardinality(t.ids) AS nret,
       count(tr.id) FILTER (WHERE tr.ov >= k.ov10)::float8 / least(10, k.noverlap) AS recall10,
       count(tr.id) AS nret_overlapping,
       count(tr.id) FILTER (WHERE tr.ov >= 0.9 * $READ_LEN) AS nret_near,
       coalesce(sum(tr.ov), 0)::float8 / nullif(cardinality(t.ids), 0) AS mean_ov
  FROM timings t
  JOIN truth10 k USING (qid)
  LEFT JOIN LATERAL unnest(t.ids) AS r(id) ON true
  LEFT JOIN truth tr ON tr.qid = t.qid AND tr.id = r.id
 GROUP BY t.method, t.qid, t.ms, t.ids, k.ov10, k.noverlap;
SQL

for m in "${COLS[@]}"; do
    IFS='|' read -r R[n:$m] R[p50:$m] R[p95:$m] R[mean:$m] R[max:$m] R[recall:$m] R[lt10:$m] R[zero:$m] R[prec:$m] R[meanov:$m] R[near:$m] < <(val "
        SELECT count(*),
               round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
               round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1),
               round(avg(ms)::numeric, 1), round(max(ms)::numeric, 1),
               round(avg(recall10)::numeric, 3),
               count(*) FILTER (WHERE nret < 10), count(*) FILTER (WHERE nret = 0),
               round(100 * sum(nret_overlapping)::numeric / nullif(sum(nret), 0), 1),
               round(avg(mean_ov)::numeric, 1),
               round(100 * sum(nret_near)::numeric / nullif(sum(nret), 0), 1)
          FROM recall WHERE method = '$m'")
    base=$m
    case $m in k*nojit) base=${m%nojit} ;; k*par) base=${m%par} ;; esac   # same WHERE clause
    IFS='|' read -r R[mavg:$m] R[mmin:$m] R[mmax:$m] R[mn:$m] < <(val "
        SELECT round(avg(n)), min(n), max(n), count(*) FROM matched WHERE method = '$base'")
    # Recall on pg_trgm's (smaller) query subset, for a like-for-like comparison.
    R[recall_sub:$m]=$(val "SELECT round(avg(recall10)::numeric, 3) FROM recall WHERE method = '$m' AND qid <= $NQ_TRGM")
done
IFS='|' read -r IDEAL_OV OV10_MIN OV10_AVG NOV_AVG N100_AVG < <(val "
    SELECT round(avg(ideal_mean_ov)::numeric, 1), min(ov10), round(avg(ov10)::numeric, 1), round(avg(noverlap)), round(avg(n100), 1)
      FROM truth10")
MIN_RATE_USED=$(val "$(kset "${KS[0]}") SHOW kmersearch.min_shared_kmer_rate")
MIN_SCORE_USED=$(val "SHOW kmersearch.min_score")
T_END=$(date +%s)

# ---------------------------------------------------------------- report
mkdir -p "$REPO/bench/results"
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/results/search_bench-$STAMP.txt"
BUILT=("${KS[@]/#/k}" trgm)
BW='%-24s %-14s %9s %9s %9s %10s %9s\n'
QW='%-22s %-12s %6s %7s %8s %8s %8s %8s %12s %6s %6s %7s %5s %5s %7s\n'
dash() { printf '%s' "${1:--}"; }
{
    echo "search_bench  $(date '+%Y-%m-%d %H:%M:%S %z')   (run took $(( (T_END - T_START) / 60 )) min $(( (T_END - T_START) % 60 )) s)"
    echo "commit        $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- bridge-ext sql 2>/dev/null || echo ' (bridge-ext/ or sql/ modified in the work tree)')"
    echo "server        $(val 'SELECT version()' | cut -d, -f1); pg_kmersearch build $(val 'SELECT kmersearch_show_buildno()'); pg_trgm $(val "SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")"
    echo "machine       $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings      shared_buffers $(val 'SHOW shared_buffers'), maintenance_work_mem $MWM, max_parallel_workers_per_gather $PARALLEL, jit $(val 'SHOW jit') (jit_above_cost $(val 'SHOW jit_above_cost'))"
    echo "              k-mer: occur_bitlen $B, min_shared_kmer_rate $MIN_RATE_USED${LOW_RATE:+ (and $LOW_RATE where marked)}, min_score $MIN_SCORE_USED"
    echo "              pg_trgm: similarity_threshold $TRGM_T"
    sed 's/^/data          /' "$DIR/data.stats"
    echo "tables        reads (id int PRIMARY KEY, seq DNA2): $(mb "${R[heap:dna2]}") MB heap; reads_txt (id int PRIMARY KEY, seq text): $(mb "${R[heap:text]}") MB heap"
    echo
    echo "INDEX BUILD (median of $BUILD_REPEAT CREATE INDEX, each after DROP + CHECKPOINT, psql \\timing; floor = COPY (SELECT seq FROM t) TO '/dev/null',"
    echo "             median of $REPEAT, on the indexed table: DNA2 for k-mer, text for pg_trgm)"
    # shellcheck disable=SC2059
    printf "$BW" index "opclass" "build s" "floor s" "build/floor" "size MB" "B/read"
    for m in "${BUILT[@]}"; do
        # shellcheck disable=SC2059
        printf "$BW" "$([ "$m" = trgm ] && echo "pg_trgm" || echo "k-mer k=${m#k}, b=$B")" "${R[opclass:$m]}" \
            "${R[build:$m]}" "${R[floor:$m]}" "$(div "${R[build:$m]}" "${R[floor:$m]}")x" "$(mb "${R[size:$m]}")" \
            "$(awk -v s="${R[size:$m]}" -v n="$ROWS" 'BEGIN { printf "%.0f", s / n }')"
    done
    # shellcheck disable=SC2059
    printf "$BW" "original k=8 (orient.)" "gin_ops_int4" "~$ORIG_BUILD_8" "" "~${ORIG_RATIO_8}x" "" ""
    # shellcheck disable=SC2059
    printf "$BW" "original k=12 (orient.)" "gin_ops_int4" "~$ORIG_BUILD_12" "" "" "" ""
    echo "  every timing, s: floor DNA2 ${F_DNA2[*]}; floor text ${F_TEXT[*]}"
    for m in "${BUILT[@]}"; do echo "                   build $m: ${R[builds:$m]}"; done
    echo
    echo "TOP-10 QUERIES (each timed alone: clock_timestamp() around EXECUTE in a PL/pgSQL loop = parse + plan + execute,"
    echo "               query text as a literal; after untimed warm-up queries not in the series, same session)"
    echo "  k-mer:   SELECT id FROM reads WHERE seq =% \$q ORDER BY kmersearch_matchscore(seq, \$q) DESC LIMIT 10"
    echo "  pg_trgm: SELECT id FROM reads_txt WHERE seq % \$q ORDER BY similarity(seq, \$q) DESC LIMIT 10"
    # shellcheck disable=SC2059
    printf "$QW" method "plan" "est." queries "p50 ms" "p95 ms" "mean ms" "max ms" "rows WHERE" "<10/0" "recall" "recall" "ovlp" "near" "mean ov"
    # shellcheck disable=SC2059
    printf "$QW" "" "(query 1)" "rows" "" "" "" "" "" "avg (n)" "rows" "@10" "@10 1-$NQ_TRGM" "%" "%" "bases"
    for m in "${COLS[@]}"; do
        if [ "${R[plan:$m]}" = yes ]; then plan="GIN"; else plan="${R[planscan:$m]:-?}"; fi
        # shellcheck disable=SC2059
        printf "$QW" "${M_LABEL[$m]}" "$plan${R[planflags:$m]}" "$(dash "${R[planrows:$m]:-}")" "${R[n:$m]}" "${R[p50:$m]}" "${R[p95:$m]}" "${R[mean:$m]}" "${R[max:$m]}" \
            "$(dash "${R[mavg:$m]}")${R[mn:$m]:+ (${R[mn:$m]})}" "${R[lt10:$m]}/${R[zero:$m]}" "${R[recall:$m]}" \
            "${R[recall_sub:$m]}" "$(dash "${R[prec:$m]}")" "$(dash "${R[near:$m]}")" "$(dash "${R[meanov:$m]}")"
    done
    # shellcheck disable=SC2059
    printf "$QW" "original k=8 (orient.)" "" "" "" "" "" "~$ORIG_QUERY_8" "" "" "" "" "" "" "" ""
    echo
    echo "  plan: GIN = the plan of query 1 has a Bitmap Index Scan on the method's index (EXPLAIN ANALYZE below),"
    echo "        otherwise its scan node; +JIT: the plan was JIT-compiled; +par: it has a Gather (parallel workers)."
    echo "        est. rows: the planner's row estimate on that index scan (compare with rows WHERE)."
    echo "        'pg_trgm seqscan=off' = pg_trgm with enable_seqscan = off, so that the GIN index is used."
    echo "        'jit off' / 'parallel 2': the plain k-mer query with SET jit = off / max_parallel_workers_per_gather = 2."
    echo "  rows WHERE: rows the =% / % condition alone admits, count(*) per query, averaged (over n queries)."
    echo "  <10/0 rows: queries returning fewer than 10 rows / no row."
    echo "  recall@10: for each query, a read's true overlap = bases of the query's source interval covered by the"
    echo "    read's source interval on the same strand (the generator knows both; reads of the other strand count 0)."
    echo "    Relevant = reads whose overlap is >= the 10th-largest overlap for that query (ties at the cut all count)."
    echo "    recall@10 = relevant reads among the <= 10 returned / 10 (fewer than 10 returned is penalised), averaged"
    echo "    over the method's queries; 'recall@10 1-$NQ_TRGM' = the same over the queries pg_trgm ran too."
    echo "    Here the 10th-best overlap is $OV10_AVG bases on average (lowest $OV10_MIN), the ideal mean overlap of a top 10 is"
    echo "    $IDEAL_OV bases; on average $NOV_AVG reads overlap a query at all, $N100_AVG of them by >= 100 bases."
    echo "  ovlp %: returned reads with true overlap > 0 / all returned reads.  near %: returned reads with true"
    echo "    overlap >= 90% of the read length / all returned reads.  mean ov: mean true overlap of the returned reads."
    echo
    echo "=% WITH AND WITHOUT THE INDEX (sorted ids of SELECT id FROM reads WHERE seq =% \$q, first $NCHECK queries;"
    echo "   index: enable_seqscan = off; sequential: enable_bitmapscan = off; each plan checked with EXPLAIN)"
    for k in "${KS[@]}"; do
        m=k$k
        [ -n "${R[same:$m]:-}" ] || continue
        echo "  k=$k: same rows in ${R[same:$m]} queries (avg ${R[same_rows:$m]} rows); plans as intended in ${R[same_plans:$m]}; differing: ${R[same_diff:$m]}"
    done
    echo
    echo "Plans (EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), query 1, the literal shown as <query 1>):"
    cat "$PLANS"
} | tee "$OUT"
log "report written to ${OUT#"$REPO"/}"
