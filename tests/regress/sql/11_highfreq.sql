-- High-frequency k-mer exclusion: the session and shared caches, exclusion at
-- index build and in searches, and the checks that keep a table's index and
-- queries on that table's own analysis (shared/spec/caches.md §3-4,
-- DECISIONS.md Q1, Q12, Q16).
SET kmersearch.kmer_size = 4;          -- 2 * 4 + 8 = 16 bits: the _int2 classes

CREATE TABLE hf (id int PRIMARY KEY, seq DNA2);
INSERT INTO hf
SELECT i, ((CASE WHEN i % 2 = 0 THEN 'ACGT' ELSE '' END) || 'AAAA'
           || translate(md5(i::text), '0123456789abcdef', 'ACGTACGTACGTACGT'))::DNA2
  FROM generate_series(1, 300) i;
CREATE TABLE other_table (id int, seq DNA2);

-- An analysis as kmersearch_perform_highfreq_analysis records it: AAAA#1 (key 0)
-- and ACGT#1 (key 27 << 8 = 6912) are high-frequency in hf.seq.
INSERT INTO kmersearch_highfreq_kmer_meta (table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow)
VALUES ('hf'::regclass, 'seq', 4, 8, 0.5, 0), ('other_table'::regclass, 'seq', 4, 8, 0.5, 0);
INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey, appearance_nrow, detection_reason)
VALUES ('hf'::regclass, 'seq', 4, 8, 0, 300, 'threshold'), ('hf'::regclass, 'seq', 4, 8, 6912, 150, 'threshold');
SELECT kmersearch_ngram_keys('ACGTAAAA'::DNA2);

-- Loading validates the analysis against the current settings.
SELECT kmersearch_highfreq_kmer_cache_load('no_such_table', 'seq');
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'no_such_column');
SET kmersearch.kmer_size = 5;
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq');
SET kmersearch.kmer_size = 4;
SET kmersearch.occur_bitlen = 6;
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq');
RESET kmersearch.occur_bitlen;
SET kmersearch.max_appearance_rate = 0.25;
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq');
RESET kmersearch.max_appearance_rate;
SET kmersearch.max_appearance_nrow = 10;
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq');
RESET kmersearch.max_appearance_nrow;
-- An analysis that found nothing loads nothing.
SELECT kmersearch_highfreq_kmer_cache_load('other_table', 'seq') AS loaded;

-- With preclusion on, CREATE INDEX needs this table's set to be active.
SET kmersearch.preclude_highfreq_kmer = on;
CREATE INDEX hf_kmer ON hf USING gin (seq kmersearch_dna2_gin_ops_int2);
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq') AS loaded;
CREATE INDEX other_kmer ON other_table USING gin (seq kmersearch_dna2_gin_ops_int2);
CREATE INDEX hf_kmer ON hf USING gin (seq kmersearch_dna2_gin_ops_int2);
SELECT index_oid::regclass AS index, total_nrow, highfreq_kmer_count, preclude_highfreq_kmer
  FROM kmersearch_index_info WHERE index_oid = 'hf_kmer'::regclass;
SELECT highfreq_filtered, highfreq_source_table FROM kmersearch_gin_index_meta WHERE index_oid = 'hf_kmer'::regclass;
-- The index holds exactly the two high-frequency keys fewer than one built without exclusion.
CREATE EXTENSION pageinspect;
SET kmersearch.preclude_highfreq_kmer = off;
CREATE INDEX hf_kmer_all ON hf USING gin (seq kmersearch_dna2_gin_ops_int2);
SET kmersearch.preclude_highfreq_kmer = on;
SELECT (SELECT n_entries FROM gin_metapage_info(get_raw_page('hf_kmer_all', 0)))
     - (SELECT n_entries FROM gin_metapage_info(get_raw_page('hf_kmer', 0))) AS keys_left_out;
DROP INDEX hf_kmer_all;
DROP EXTENSION pageinspect;

-- Searches leave out the same keys, with and without the index.
CREATE FUNCTION both_paths(q text) RETURNS TABLE (matches int, same_rows boolean, used_index boolean)
LANGUAGE plpgsql AS $$
DECLARE
    seq_ids int[];
    idx_ids int[];
    plan text;
BEGIN
    SET LOCAL enable_bitmapscan = off;
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO seq_ids FROM hf WHERE seq =% q;
    SET LOCAL enable_bitmapscan = on;
    SET LOCAL enable_seqscan = off;
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO idx_ids FROM hf WHERE seq =% q;
    EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM hf WHERE seq =%% %L', q) INTO plan;
    SET LOCAL enable_seqscan = on;
    matches := cardinality(seq_ids);
    same_rows := seq_ids = idx_ids;
    used_index := plan LIKE 'Bitmap Heap Scan%';
    RETURN NEXT;
END $$;
-- Two of the five keys of ACGTAAAA are high-frequency: the threshold counts the other three.
SELECT * FROM both_paths('ACGTAAAA');
-- Only high-frequency keys: nothing is left to search with.
SELECT * FROM both_paths('AAAA');
SELECT * FROM both_paths('ACGTAAAAGTCA');
SELECT * FROM both_paths((SELECT seq::text FROM hf WHERE id = 42));
SELECT * FROM both_paths((SELECT substr(seq::text, 3, 20) FROM hf WHERE id = 7));
-- matchscore never excludes anything.
SELECT kmersearch_matchscore('ACGTAAAA'::DNA2, 'ACGTAAAA') AS score;

-- The index built with exclusion is used only while its set is active.
SELECT kmersearch_highfreq_kmer_cache_free('other_table', 'seq') AS wrong_table;
SELECT kmersearch_highfreq_kmer_cache_free('hf', 'seq') AS freed;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hf WHERE seq =% 'ACGTAAAAGTCA';
SELECT kmersearch_highfreq_kmer_cache_load('hf', 'seq') AS loaded;
EXPLAIN (COSTS OFF) SELECT id FROM hf WHERE seq =% 'ACGTAAAAGTCA';
SET kmersearch.preclude_highfreq_kmer = off;
EXPLAIN (COSTS OFF) SELECT id FROM hf WHERE seq =% 'ACGTAAAAGTCA';
SET kmersearch.preclude_highfreq_kmer = on;
RESET enable_seqscan;

-- A set loaded for another table is refused for this table's searches.
INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey)
VALUES ('other_table'::regclass, 'seq', 4, 8, 27);
SELECT kmersearch_highfreq_kmer_cache_load('other_table', 'seq') AS loaded;
SELECT count(*) FROM hf WHERE seq =% 'ACGTAAAAGTCA';
SELECT kmersearch_highfreq_kmer_cache_free_all() AS was_loaded, kmersearch_highfreq_kmer_cache_free_all() AS again;

-- The shared cache: one copy for every session.
SELECT kmersearch_parallel_highfreq_kmer_cache_load('hf', 'seq') AS loaded;
SELECT kmersearch_parallel_highfreq_kmer_cache_load('hf', 'seq') AS same_set_again;
SELECT kmersearch_parallel_highfreq_kmer_cache_load('other_table', 'seq') AS other_set_refused;
\c
SET kmersearch.kmer_size = 4;
SET kmersearch.preclude_highfreq_kmer = on;
-- A new session sees the shared set: the index fits and searches exclude it.
SELECT * FROM both_paths('ACGTAAAAGTCA');
SELECT * FROM both_paths('ACGTAAAA');
-- A session cache for another table does not hide the shared one when forced.
SELECT kmersearch_highfreq_kmer_cache_load('other_table', 'seq') AS loaded;
SET kmersearch.force_use_parallel_highfreq_kmer_cache = on;
SELECT * FROM both_paths('ACGTAAAAGTCA');
SELECT kmersearch_parallel_highfreq_kmer_cache_free('other_table', 'seq') AS wrong_table;
SELECT kmersearch_parallel_highfreq_kmer_cache_free('hf', 'seq') AS freed;
SELECT kmersearch_parallel_highfreq_kmer_cache_free_all() AS nothing_left;
SELECT kmersearch_parallel_highfreq_kmer_cache_load('hf', 'seq') AS loaded_again;
SELECT kmersearch_parallel_highfreq_kmer_cache_free_all() AS freed_all;
RESET ALL;
SELECT kmersearch_highfreq_kmer_cache_free_all() AS session_cache_was_loaded;

-- In a subquery, =% is checked against the table it reads, not the outer one.
CREATE TABLE outer_t (id int, n int);
INSERT INTO outer_t VALUES (1, 1);
SET kmersearch.kmer_size = 4;
SET kmersearch.preclude_highfreq_kmer = on;
SELECT id FROM outer_t WHERE EXISTS (SELECT 1 FROM hf WHERE hf.seq =% 'ACGTAAAAGTCA' AND hf.id = outer_t.n + 1);
SELECT id, (SELECT count(*) FROM hf WHERE hf.seq =% 'ACGTAAAAGTCA') > 0 AS any_match FROM outer_t;
RESET ALL;
DROP TABLE outer_t;

DROP FUNCTION both_paths(text);
DROP TABLE hf, other_table;
DELETE FROM kmersearch_highfreq_kmer;
DELETE FROM kmersearch_highfreq_kmer_meta;
