-- Ordering (length first, then packed bytes), btree/hash support and hash
-- partition routing (shared/spec/types.md §5-6).

-- Shorter sorts first regardless of content; same length sorts by base code.
SELECT 'T'::DNA2 < 'AA'::DNA2 AS t_before_aa, 'ACGT'::DNA2 < 'ACTA'::DNA2 AS acgt_before_acta,
       'A'::DNA2 = 'A'::DNA2 AS eq, 'A'::DNA2 <> 'AA'::DNA2 AS ne,
       'G'::DNA2 >= 'C'::DNA2 AS ge, 'G'::DNA2 <= 'G'::DNA2 AS le, 'T'::DNA2 > 'G'::DNA2 AS gt;
SELECT kmersearch_dna2_cmp('ACGT', 'ACGT') AS same, kmersearch_dna2_cmp('A', 'TT') AS shorter,
       kmersearch_dna2_cmp('TTTT', 'TTTA') AS greater, kmersearch_dna4_cmp('N', 'B') AS n_vs_b;

-- DNA4 single bases sort by their 4-bit code.
SELECT string_agg(b::text, ' ' ORDER BY b) AS dna4_order
  FROM unnest('{N,B,D,K,H,Y,W,T,V,S,R,G,M,C,A}'::DNA4[]) AS b;

-- Sorting and a btree index give the same order.
CREATE TABLE ord (s DNA2);
INSERT INTO ord SELECT substr('TGCATGCAAC', 1 + i % 5, i % 6)::DNA2 FROM generate_series(0, 59) i;
CREATE INDEX ord_s ON ord (s);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT s FROM ord ORDER BY s;
SELECT array_agg(s::text ORDER BY s) = (SELECT array_agg(s::text) FROM (SELECT s FROM ord ORDER BY s) x)
       AS index_order_matches_sort
  FROM (SELECT s FROM ord) y;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ord WHERE s = 'GCAT';
SELECT count(*) FROM ord WHERE s = 'GCAT';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT DISTINCT length(s), s FROM ord ORDER BY s LIMIT 8;

-- Hashes cover the packed bytes only: equal bytes hash alike, whatever the length.
SELECT count(DISTINCT kmersearch_dna2_hash(s)) AS distinct_hashes
  FROM unnest('{A,AA,AAA,AAAA}'::DNA2[]) s;

-- Independent check: a DNA2 4-mer is one byte, so for printable bytes the hash
-- must equal PostgreSQL's own hash of the one-character text with that byte.
CREATE TEMP TABLE byte_kmers AS
SELECT b, chr(b) AS ch,
       (substr('ACGT', ((b >> 6) & 3) + 1, 1) || substr('ACGT', ((b >> 4) & 3) + 1, 1) ||
        substr('ACGT', ((b >> 2) & 3) + 1, 1) || substr('ACGT', (b & 3) + 1, 1))::DNA2 AS k
  FROM generate_series(33, 126) b;
SELECT count(*) AS bytes,
       count(*) FILTER (WHERE kmersearch_dna2_hash(k) = hashtext(ch COLLATE "C")) AS hash_matches,
       count(*) FILTER (WHERE kmersearch_dna2_hash_extended(k, 0) = hashtextextended(ch COLLATE "C", 0)
                          AND kmersearch_dna2_hash_extended(k, 42) = hashtextextended(ch COLLATE "C", 42))
         AS hash_extended_matches
  FROM byte_kmers;
-- Two-byte values, and DNA4 (two bases per byte) the same way.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE kmersearch_dna2_hash((a.k::text || b.k::text)::DNA2)
                              = hashtext((a.ch || b.ch) COLLATE "C")) AS matches
  FROM byte_kmers a, byte_kmers b WHERE a.b % 7 = 0;
SELECT kmersearch_dna4_hash('CAGA') = hashtext('!A' COLLATE "C") AS dna4_matches,
       kmersearch_dna4_hash_extended('CAGA', 7) = hashtextextended('!A' COLLATE "C", 7) AS dna4_ext_matches;

-- Hash index and hash join use the hash opclass.
CREATE INDEX ord_h ON ord USING hash (s);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ord WHERE s = 'GCAT';
SELECT count(*) FROM ord WHERE s = 'GCAT';
RESET enable_seqscan;
RESET enable_bitmapscan;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ord a JOIN ord b ON a.s = b.s;
SELECT count(*) FROM ord a JOIN ord b ON a.s = b.s;
RESET enable_mergejoin;
RESET enable_nestloop;

-- Hash partitioning routes a DNA2 value exactly like a text value with the same bytes.
CREATE TABLE part_dna (k DNA2) PARTITION BY HASH (k);
CREATE TABLE part_txt (k text COLLATE "C") PARTITION BY HASH (k);
DO $$
BEGIN
    FOR i IN 0..3 LOOP
        EXECUTE format('CREATE TABLE part_dna_%s PARTITION OF part_dna FOR VALUES WITH (MODULUS 4, REMAINDER %s)', i, i);
        EXECUTE format('CREATE TABLE part_txt_%s PARTITION OF part_txt FOR VALUES WITH (MODULUS 4, REMAINDER %s)', i, i);
    END LOOP;
END $$;
INSERT INTO part_dna SELECT k FROM byte_kmers;
INSERT INTO part_txt SELECT ch FROM byte_kmers;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE right(d.tableoid::regclass::text, 1) = right(t.tableoid::regclass::text, 1)) AS same_partition,
       count(DISTINCT d.tableoid) AS partitions_used
  FROM part_dna d JOIN byte_kmers bk ON bk.k = d.k JOIN part_txt t ON t.k = bk.ch;

DROP TABLE ord, part_dna, part_txt;
