#!/usr/bin/env bash
# demo.sh - the main job: a local cluster with pg_kmersearch, a real DNA sample, a look at it,
# a high-frequency k-mer analysis in the worker pool, a k-mer search, the pool's status.
# Run through `make demo`, which installs dependencies and builds first.
set -euo pipefail
source "$(dirname "$0")/run-dir.sh"
cluster="$project_root/scripts/pg-cluster.sh"
examples=/usr/share/doc/bowtie2/examples

echo "== cluster: $RUN_DIR (socket directory), port $DEMO_PORT"
"$cluster" start "$RUN_DIR" "$DEMO_PORT"
eval "$("$cluster" env "$RUN_DIR")"
psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1 \
    || psql -X -q -d postgres -c "CREATE DATABASE $DEMO_DB"
export PGDATABASE=$DEMO_DB

# The sample: real Illumina-style reads of the lambda phage genome shipped by
# Debian's bowtie2-examples.  DNA2 holds A/C/G/T only, so reads with an N go
# to the DNA4 table alone.
sample="$RUN_DIR/lambda_reads.tsv"
for f in reads_1 reads_2; do
    zcat "$examples/reads/$f.fq.gz" | awk -v src="$f" 'NR % 4 == 1 { name = substr($1, 2) } NR % 4 == 2 { print src "/" name "\t" $0 }'
done > "$sample"

psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
-- The demo starts afresh each run, with the extension as just installed.
DROP EXTENSION IF EXISTS pg_kmersearch CASCADE;
DROP TABLE IF EXISTS reads, reads_dna4, lambda_genome;
CREATE EXTENSION pg_kmersearch;
CREATE TABLE reads_dna4 (id bigserial PRIMARY KEY, name text NOT NULL, seq DNA4 NOT NULL);
\copy reads_dna4 (name, seq) FROM '$sample'
CREATE TABLE reads (id bigserial PRIMARY KEY, name text NOT NULL, seq DNA2 NOT NULL);
INSERT INTO reads (name, seq)
SELECT name, seq::text::DNA2 FROM reads_dna4 WHERE seq::text ~ '^[ACGT]*\$' ORDER BY id;
CREATE TABLE lambda_genome (name text, seq DNA2);
SQL
zcat "$examples/reference/lambda_virus.fa.gz" | awk 'NR == 1 { name = substr($1, 2); next } { seq = seq $0 } END { print name "\t" seq }' \
    | psql -X -q -v ON_ERROR_STOP=1 -c "\copy lambda_genome FROM STDIN"
psql -X -q -c "VACUUM ANALYZE reads, reads_dna4, lambda_genome"

echo "== the sample"
psql -X -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'reads (DNA2)' AS "table", count(*) AS rows, min(length(seq)) AS min_len, max(length(seq)) AS max_len,
       pg_size_pretty(pg_total_relation_size('reads')) AS size FROM reads
UNION ALL
SELECT 'reads_dna4 (DNA4, with N)', count(*), min(length(seq)), max(length(seq)),
       pg_size_pretty(pg_total_relation_size('reads_dna4')) FROM reads_dna4
UNION ALL
SELECT 'lambda_genome (DNA2)', count(*), min(length(seq)), max(length(seq)),
       pg_size_pretty(pg_total_relation_size('lambda_genome')) FROM lambda_genome;

SELECT id, name, length(seq) AS bases, left(seq::text, 60) AS first_60_bases
  FROM reads ORDER BY id LIMIT 5;

SELECT name, length(seq) AS bases, left(seq::text, 60) AS first_60_bases FROM lambda_genome;
SQL

# The preloaded extension's background worker runs the worker pool, with its
# socket in the data directory (kmersearch.worker_autostart, the default); the
# analysis below runs in it.
worker_socket="$RUN_DIR/data/kmer-worker.sock"
for _ in $(seq 1 100); do [ -S "$worker_socket" ] && break; sleep 0.1; done

# The lambda genome has no real repeats and the DNA2 reads cover it about 13
# times, so no 12-mer is in more than 22 of the 7,066 reads: a rate of 0.2 %
# (more than 14 reads) picks 86 keys where the reads pile up, to show the mechanism.
echo "== high-frequency k-mers: kmer-cli analyze (k = 12, k-mers in more than 0.2 % of the reads)"
kmer-cli analyze --table reads --column seq --kmer-size 12 --max-appearance-rate 0.002
psql -X -v ON_ERROR_STOP=1 <<'SQL'
SELECT table_name, column_name, kmer_size, occur_bitlen, max_appearance_rate, highfreq_kmer_count
  FROM kmersearch_analysis_status;
-- The stored keys: (k-mer << occur_bitlen) | (occurrence - 1), two bits per base.
SELECT h.appearance_nrow AS reads,
       (SELECT string_agg(substr('ACGT', ((h.uintkey >> (h.occur_bitlen + 2 * (h.kmer_size - i))) & 3)::int + 1, 1), '' ORDER BY i)
          FROM generate_series(1, h.kmer_size) AS i) AS kmer,
       (h.uintkey & ((1 << h.occur_bitlen) - 1)) + 1 AS occurrence
  FROM kmersearch_highfreq_kmer h
 WHERE h.table_oid = 'reads'::regclass
 ORDER BY reads DESC, kmer LIMIT 5;
SQL

echo "== k-mer search: reads overlapping a 60-base stretch of the genome (with 3 substitutions)"
psql -X -v ON_ERROR_STOP=1 <<'SQL'
SET kmersearch.kmer_size = 12;          -- 2 * 12 + occur_bitlen 8 = 32-bit keys: the _int4 class
-- Leave the high-frequency k-mers out of the index and the search: the
-- analysis's settings, then its keys loaded into this session.
SET kmersearch.max_appearance_rate = 0.002;
SET kmersearch.preclude_highfreq_kmer = on;
SELECT kmersearch_highfreq_kmer_cache_load('reads', 'seq') AS highfreq_keys_loaded;
CREATE INDEX reads_seq_kmer ON reads USING gin (seq kmersearch_dna2_gin_ops_int4);
SELECT highfreq_kmer_count AS keys_left_out_of_the_index FROM kmersearch_index_info WHERE index_oid = 'reads_seq_kmer'::regclass;
-- The query: genome bases 20001-20060 with bases 10, 30 and 50 changed.
SELECT overlay(overlay(overlay(substr(seq::text, 20001, 60)
           PLACING translate(substr(seq::text, 20010, 1), 'ACGT', 'CGTA') FROM 10)
           PLACING translate(substr(seq::text, 20030, 1), 'ACGT', 'CGTA') FROM 30)
           PLACING translate(substr(seq::text, 20050, 1), 'ACGT', 'CGTA') FROM 50) AS query
  FROM lambda_genome \gset
\echo query: :query
SET kmersearch.min_shared_kmer_rate = 0.2;
EXPLAIN (COSTS OFF) SELECT id FROM reads WHERE seq =% :'query';
SELECT id, name, length(seq) AS bases, kmersearch_matchscore(seq, :'query') AS shared_kmers
  FROM reads WHERE seq =% :'query'
 ORDER BY shared_kmers DESC, id LIMIT 5;
SQL

echo "== kmer-cli status"
kmer-cli status --socket "$worker_socket"

echo "== connect with:  psql -h '$RUN_DIR' -p $DEMO_PORT -U postgres $DEMO_DB"
echo "== stop with:     make stop"
