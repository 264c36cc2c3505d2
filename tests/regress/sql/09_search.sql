-- K-mer search: n-gram keys, =% with and without a GIN index, scoring,
-- operator-class width rules, the planner's choice of index, caches
-- (shared/spec/kmers-and-gin.md, search-and-scoring.md, caches.md).

-- Every GIN operator class passes PostgreSQL's validation.
SELECT opcname, amvalidate(oid) FROM pg_opclass WHERE opcname LIKE 'kmersearch\_%gin%' ORDER BY 1;

-- Worked examples of the spec (k = 4).
SET kmersearch.kmer_size = 4;
SELECT kmersearch_ngram_keys('ACGTACGTAC'::DNA2) AS b8, kmersearch_ngram_keys('ACGTACGTAC'::text) AS query_b8;
SET kmersearch.occur_bitlen = 1;
SELECT kmersearch_ngram_keys('ACGTACGTAC'::DNA2) AS b1, kmersearch_ngram_keys('AAAAAAA'::DNA2) AS cap_b1;
SET kmersearch.occur_bitlen = 0;
SELECT kmersearch_ngram_keys('ACGTACGTAC'::DNA2) AS b0, kmersearch_ngram_keys('AAAAAAA'::DNA2) AS cap_b0;
RESET kmersearch.occur_bitlen;
SELECT kmersearch_ngram_keys('AAAAAAA'::DNA2) AS cap_b8,
       kmersearch_ngram_keys('ACGRT'::DNA4) AS one_ambiguity,
       kmersearch_ngram_keys('ACNGTACGT'::text) AS n_skipped,
       kmersearch_ngram_keys('ACRYTT'::text) AS two_ambiguities,
       kmersearch_ngram_keys('AAAAR'::DNA4) AS shared_counter;

-- matchscore counts shared (k-mer, occurrence) keys.
SELECT kmersearch_matchscore('TTACGTACGTAA'::DNA2, 'ACGTACGTAC') AS b8,
       kmersearch_matchscore('ACGGT'::DNA4, 'ACGRT') AS dna4_query_ambiguous,
       kmersearch_matchscore('ACGRT'::DNA4, 'ACGGT') AS dna4_value_ambiguous,
       kmersearch_matchscore('NNNNNN'::DNA4, 'ACGTAC') AS all_n,
       kmersearch_matchscore_dna2('TTACGTACGTAA', 'acgtacgtac') AS lower_case;
SET kmersearch.occur_bitlen = 0;
SELECT kmersearch_matchscore('TTACGTACGTAA'::DNA2, 'ACGTACGTAC') AS b0;
RESET kmersearch.occur_bitlen;
SET kmersearch.kmer_size = 5;
SELECT kmersearch_matchscore('GATTACAGATTACA'::DNA2, 'GATTACA') AS k5;
SET kmersearch.kmer_size = 4;

-- Stored values shorter than k have no keys: they never match and score 0.
SELECT kmersearch_matchscore('ACG'::DNA2, 'ACGTAC') AS short_value,
       'ACG'::DNA2 =% 'ACGTAC' AS short_matches, kmersearch_ngram_keys(''::DNA4) AS empty_value;

-- Queries: exactly k characters work; k - 1 is 22023; a bad character is 22P02.
SELECT kmersearch_ngram_keys('ACGT'::text) AS exactly_k, 'TTACGTAA'::DNA2 =% 'ACGT' AS match_k;
SELECT 'TTACGTAA'::DNA2 =% 'ACG';
SELECT kmersearch_matchscore('TTACGTAA'::DNA2, '');
SELECT 'TTACGTAA'::DNA2 =% 'ACGT ACGT';
SELECT kmersearch_matchscore('TTACGTAA'::DNA4, 'ACGX');

-- =% without an index: threshold max(min_score, ceil(rate * query keys)), at least 1.
SELECT 'TTACGTACGTAA'::DNA2 =% 'ACGTACGTAC' AS shares_6_of_7, 'GGGGCCCC'::DNA2 =% 'ACGTACGTAC' AS shares_0;
SET kmersearch.min_shared_kmer_rate = 0.9;
SELECT 'TTACGTACGTAA'::DNA2 =% 'ACGTACGTAC' AS needs_7;
SET kmersearch.min_shared_kmer_rate = 0;
SET kmersearch.min_score = 0;
SELECT 'GGGGCCCC'::DNA2 =% 'ACGTACGTAC' AS zero_threshold_still_needs_one_shared_key;
RESET kmersearch.min_shared_kmer_rate;
RESET kmersearch.min_score;
SELECT NULL::DNA2 =% 'ACGT' IS NULL AS null_value;

-- Test data: 400 reads of 48-64 bases; every third one carries part of a
-- shared motif, the others are pseudo-random.
CREATE TABLE reads (id int PRIMARY KEY, s2 DNA2, s4 DNA4);
INSERT INTO reads
SELECT i,
       left(CASE WHEN i % 3 = 0
                 THEN substr('GATTACACGTTGCAAGCTTAGCATCGATCGGATCCTAGAATTCGAGCTCGGTACCCGGGGATCC', 1 + i % 9, 40)
                 ELSE '' END
            || translate(md5(i::text) || md5((i * 7)::text), '0123456789abcdef', 'ACGTACGTACGTACGT'), 48 + i % 17)::DNA2,
       left(CASE WHEN i % 3 = 1
                 THEN substr('GATTACACGTTGCAAGCTTAGCATCGATCGGATCCTAGAATTCGAGCTCGGTACCCGGGGATCC', 1 + i % 7, 40)
                 ELSE '' END
            || translate(md5(i::text) || md5((i * 7)::text), '0123456789abcdef', 'ACGTRYACGTNACGTK'), 48 + i % 17)::DNA4
  FROM generate_series(1, 400) i;
INSERT INTO reads VALUES (401, 'ACG', 'ACN'), (402, NULL, NULL), (403, 'GATTACA', 'NNNNNNNNNNNN');
ANALYZE reads;

CREATE TABLE queries (q text);
INSERT INTO queries VALUES ('GATTACACGTTGCAAGCTTAGCAT'), ('CGATCGGATCCTAGAATTCGAGCT'),
    ('ttgcaagcttagcatcgatcggatcc'), ('ACGTRYACGTNACGTKACGT'), ('GGTACCCGGGGATCC'),
    ('TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT'),
    ('CGTTGCAAGCTTAGCATCGATCGGATCCTAGAATTCGAGCTCGGTACC');

-- Rows each query matches, once by sequential scan and once through a GIN
-- index built under the same settings; the index must really be used.
CREATE FUNCTION pg_temp.matches(col text, q text) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE result int[];
BEGIN
    EXECUTE format('SELECT coalesce(array_agg(id ORDER BY id), ''{}'') FROM reads WHERE %I =%% %L', col, q) INTO result;
    RETURN result;
END $$;

CREATE FUNCTION pg_temp.compare_paths(opclass text, col text) RETURNS TABLE (query text, matches int, same_rows boolean, plan text)
LANGUAGE plpgsql AS $$
DECLARE
    seq int[];
    idx int[];
    plan_line text;
BEGIN
    EXECUTE format('CREATE INDEX reads_kmer_idx ON reads USING gin (%I %s)', col, opclass);
    FOR query IN SELECT q FROM queries WHERE length(q) >= current_setting('kmersearch.kmer_size')::int LOOP
        SET LOCAL enable_seqscan = on;
        SET LOCAL enable_bitmapscan = off;
        SET LOCAL enable_indexscan = off;
        seq := pg_temp.matches(col, query);
        SET LOCAL enable_seqscan = off;
        SET LOCAL enable_bitmapscan = on;
        SET LOCAL enable_indexscan = on;
        idx := pg_temp.matches(col, query);
        EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM reads WHERE %I =%% %L', col, query) INTO plan_line;
        matches := cardinality(seq);
        same_rows := seq = idx;
        plan := plan_line;
        RETURN NEXT;
    END LOOP;
    DROP INDEX reads_kmer_idx;
END $$;

SET kmersearch.kmer_size = 4;
SET kmersearch.occur_bitlen = 8;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna2_gin_ops_int2', 's2');
SELECT * FROM pg_temp.compare_paths('kmersearch_dna4_gin_ops_int2', 's4');
SET kmersearch.kmer_size = 8;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna2_gin_ops_int4', 's2');
SELECT * FROM pg_temp.compare_paths('kmersearch_dna4_gin_ops_int4', 's4');
SET kmersearch.min_shared_kmer_rate = 0.2;
SET kmersearch.occur_bitlen = 0;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna2_gin_ops_int2', 's2');
SET kmersearch.min_shared_kmer_rate = 0;
SET kmersearch.min_score = 0;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna4_gin_ops_int2', 's4');
RESET kmersearch.min_shared_kmer_rate;
RESET kmersearch.min_score;
SET kmersearch.kmer_size = 12;
SET kmersearch.occur_bitlen = 8;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna2_gin_ops_int4', 's2');
SET kmersearch.kmer_size = 13;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna2_gin_ops_int8', 's2');
SET kmersearch.occur_bitlen = 0;
SET kmersearch.kmer_size = 32;
SET kmersearch.min_shared_kmer_rate = 0.1;
SELECT * FROM pg_temp.compare_paths('kmersearch_dna4_gin_ops_int8', 's4');
RESET kmersearch.min_shared_kmer_rate;
RESET kmersearch.kmer_size;
RESET kmersearch.occur_bitlen;

-- Only the operator class whose key width fits 2k + b may index values (22023).
SET kmersearch.kmer_size = 8;                  -- 2 * 8 + 8 = 24 bits: int4
CREATE INDEX bad ON reads USING gin (s2 kmersearch_dna2_gin_ops_int2);
CREATE INDEX bad ON reads USING gin (s2 kmersearch_dna2_gin_ops_int8);
CREATE INDEX bad ON reads USING gin (s4 kmersearch_dna4_gin_ops_int2);
-- No default GIN operator class: the class must be named.
CREATE INDEX bad ON reads USING gin (s2);

-- The planner uses the index built with the current settings, and falls back
-- to a sequential scan (with a NOTICE) when none fits; it never fails.
SET kmersearch.kmer_size = 8;
CREATE INDEX reads_k8 ON reads USING gin (s2 kmersearch_dna2_gin_ops_int4);
SET kmersearch.kmer_size = 6;
CREATE INDEX reads_k6 ON reads USING gin (s2 kmersearch_dna2_gin_ops_int4);
SELECT index_oid::regclass AS index, column_name, kmer_size, occur_bitlen, total_nrow
  FROM kmersearch_index_info WHERE table_oid = 'reads'::regclass ORDER BY kmer_size;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM reads WHERE s2 =% 'GATTACACGTTGCAAG';
SET kmersearch.kmer_size = 8;
EXPLAIN (COSTS OFF) SELECT id FROM reads WHERE s2 =% 'GATTACACGTTGCAAG';
PREPARE by_kmer AS SELECT count(*) FROM reads WHERE s2 =% 'GATTACACGTTGCAAG';
EXECUTE by_kmer;
SET kmersearch.kmer_size = 7;
EXPLAIN (COSTS OFF) SELECT id FROM reads WHERE s2 =% 'GATTACACGTTGCAAG';
-- A prepared statement is planned again under the new settings.
EXPLAIN (COSTS OFF) EXECUTE by_kmer;
EXECUTE by_kmer;
SET enable_seqscan = on;
SELECT count(*) FROM reads WHERE s2 =% 'GATTACACGTTGCAAG';
DEALLOCATE by_kmer;
RESET enable_seqscan;
RESET kmersearch.kmer_size;
DROP INDEX reads_k6, reads_k8;

-- Caches: a fresh cache counts one miss per new query and hits afterwards.
SELECT kmersearch_query_kmer_cache_free() >= 0 AS freed, kmersearch_actual_min_score_cache_free() >= 0 AS freed;
SELECT * FROM kmersearch_query_kmer_cache_stats();
SET kmersearch.kmer_size = 4;
SELECT count(*) FROM reads WHERE s2 =% 'ACGTACGTAC';
SELECT hits, misses, current_entries, max_entries FROM kmersearch_query_kmer_cache_stats();
SELECT hits, misses, current_entries, max_entries FROM kmersearch_actual_min_score_cache_stats();
SELECT cache_type, total_entries, total_misses FROM kmersearch_cache_summary;
-- A query that fails to parse still counts as a miss.
SELECT kmersearch_matchscore('ACGT'::DNA2, 'AC!T');
SELECT misses FROM kmersearch_query_kmer_cache_stats();
-- max_entries is honoured: older queries are evicted.
SET kmersearch.query_kmer_cache_max_entries = 1000;
SELECT count(*) FROM generate_series(1, 1500) g
 WHERE kmersearch_matchscore('ACGT'::DNA2, translate(md5(g::text), '0123456789abcdef', 'ACGTACGTACGTACGT')) >= 0;
SELECT current_entries, max_entries FROM kmersearch_query_kmer_cache_stats();
SET kmersearch.actual_min_score_cache_max_entries = 1000;
SELECT count(*) FROM generate_series(1, 1500) g
 WHERE ('ACGT' || translate(md5(g::text), '0123456789abcdef', 'ACGTACGTACGTACGT'))::DNA2 =% translate(md5(g::text), '0123456789abcdef', 'ACGTACGTACGTACGT');
SELECT current_entries <= 1000 AS bounded, max_entries FROM kmersearch_actual_min_score_cache_stats();
-- Changing k empties the query cache; free reports what it held.
SET kmersearch.kmer_size = 5;
SELECT * FROM kmersearch_query_kmer_cache_stats();
SELECT count(*) FROM reads WHERE s2 =% 'ACGTACGTAC';
SELECT kmersearch_query_kmer_cache_free() AS freed_entries;
RESET ALL;

DROP TABLE reads, queries;
