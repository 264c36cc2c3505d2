-- System tables, their keys and indexes, the analysis-status view and the
-- index bookkeeping event triggers (shared/spec/system-tables.md).

SELECT c.relname AS table_name, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relname IN ('kmersearch_highfreq_kmer', 'kmersearch_highfreq_kmer_meta',
                     'kmersearch_gin_index_meta', 'kmersearch_index_info')
 ORDER BY 1, 2;

SELECT indexrelid::regclass AS index, indrelid::regclass AS table_name, indisprimary,
       pg_get_indexdef(indexrelid) AS definition
  FROM pg_index
 WHERE indrelid::regclass::text LIKE 'kmersearch\_%'
 ORDER BY indexrelid::regclass::text COLLATE "C";

SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute
 WHERE attrelid IN ('kmersearch_analysis_result'::regclass, 'kmersearch_drop_result'::regclass)
   AND attnum > 0
 ORDER BY attrelid::regclass::text, attnum;

-- kmersearch_analysis_status: one row per analysis, counting only that analysis's keys.
CREATE TABLE reads (id int, seq DNA2);
INSERT INTO kmersearch_highfreq_kmer_meta
    (table_oid, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow, analysis_timestamp)
VALUES ('reads'::regclass, 'seq', 8, 8, 0.5, 0, '2026-01-01'),
       ('reads'::regclass, 'seq', 12, 4, 0.25, 100, '2026-01-02'),
       (4000000000, 'seq', 8, 8, 0.5, 0, '2026-01-03');
INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey, appearance_nrow, detection_reason)
SELECT 'reads'::regclass, 'seq', 8, 8, g, 10, 'threshold' FROM generate_series(1, 5) g
UNION ALL
SELECT 'reads'::regclass, 'seq', 12, 4, g, 10, 'threshold' FROM generate_series(1, 3) g;
SELECT table_name, column_name, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow,
       analysis_timestamp, highfreq_kmer_count
  FROM kmersearch_analysis_status ORDER BY analysis_timestamp;
-- The primary keys refuse duplicates (terse: the detail shows a varying OID).
\set VERBOSITY terse
INSERT INTO kmersearch_highfreq_kmer (table_oid, column_name, kmer_size, occur_bitlen, uintkey)
VALUES ('reads'::regclass, 'seq', 8, 8, 1);
\set VERBOSITY default
DELETE FROM kmersearch_highfreq_kmer;
DELETE FROM kmersearch_highfreq_kmer_meta;

-- The create trigger records GIN indexes whose first operator class is one of
-- ours.  The k-mer operator classes come with the search feature; a stand-in
-- GIN class named like ours (built from PostgreSQL's array support) exercises
-- the trigger now.
CREATE OPERATOR CLASS kmersearch_test_int4_array_ops FOR TYPE anyarray USING gin AS
    OPERATOR 1 &&(anyarray, anyarray),
    FUNCTION 1 btint4cmp(int4, int4),
    FUNCTION 2 ginarrayextract(anyarray, internal, internal),
    FUNCTION 3 ginqueryarrayextract(anyarray, internal, int2, internal, internal, internal, internal),
    FUNCTION 4 ginarrayconsistent(internal, int2, anyarray, int4, internal, internal, internal, internal),
    STORAGE int4;
CREATE TABLE tagged (id int, tags int4[], other int4[]);
INSERT INTO tagged SELECT g, ARRAY[g % 5], ARRAY[g] FROM generate_series(1, 37) g;
INSERT INTO tagged VALUES (100, NULL, NULL);

SET kmersearch.kmer_size = 12;
SET kmersearch.occur_bitlen = 4;
SET kmersearch.max_appearance_rate = 0.25;
SET kmersearch.max_appearance_nrow = 7;
CREATE INDEX tagged_kmer_idx ON tagged USING gin (tags kmersearch_test_int4_array_ops);
CREATE INDEX tagged_plain_idx ON tagged USING gin (other);       -- not ours: not recorded
CREATE INDEX tagged_btree_idx ON tagged (id);                    -- not GIN: not recorded
RESET ALL;
CREATE INDEX tagged_kmer_idx2 ON tagged USING gin (other kmersearch_test_int4_array_ops);

SELECT index_oid::regclass AS index, table_oid::regclass AS table_name, column_name, kmer_size,
       occur_bitlen, total_nrow, highfreq_kmer_count, max_appearance_rate, max_appearance_nrow,
       preclude_highfreq_kmer, created_at IS NOT NULL AS has_time
  FROM kmersearch_index_info ORDER BY index_oid::regclass::text COLLATE "C";

-- Partitioned tables: the parent index is recorded with the rows of all partitions.
CREATE TABLE ptagged (id int, tags int4[]) PARTITION BY RANGE (id);
CREATE TABLE ptagged_1 PARTITION OF ptagged FOR VALUES FROM (0) TO (10);
CREATE TABLE ptagged_2 PARTITION OF ptagged FOR VALUES FROM (10) TO (20);
INSERT INTO ptagged SELECT g, ARRAY[g] FROM generate_series(0, 19) g;
CREATE INDEX ptagged_idx ON ptagged USING gin (tags kmersearch_test_int4_array_ops);
SELECT index_oid::regclass AS index, total_nrow FROM kmersearch_index_info
 WHERE table_oid = 'ptagged'::regclass;

-- kmersearch_gin_index_meta describes each index's high-frequency filtering.
SELECT index_oid::regclass AS index, table_oid::regclass AS table_name, column_name, highfreq_filtered,
       highfreq_source_table, kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow
  FROM kmersearch_gin_index_meta ORDER BY index_oid::regclass::text COLLATE "C";

-- Rows go away with the index, whether dropped directly or with its table.
DROP INDEX tagged_kmer_idx;
SELECT count(*) AS info_rows FROM kmersearch_index_info;
SELECT count(*) AS meta_rows FROM kmersearch_gin_index_meta;
DROP TABLE tagged;
DROP TABLE ptagged;
SELECT count(*) AS info_rows FROM kmersearch_index_info;

-- A rolled-back CREATE INDEX leaves no row behind.
CREATE TABLE tagged (id int, tags int4[]);
BEGIN;
CREATE INDEX tagged_kmer_idx ON tagged USING gin (tags kmersearch_test_int4_array_ops);
SELECT count(*) AS inside FROM kmersearch_index_info;
ROLLBACK;
SELECT count(*) AS after_rollback FROM kmersearch_index_info;
DROP TABLE tagged, reads;
DROP OPERATOR CLASS kmersearch_test_int4_array_ops USING gin;

-- The index bookkeeping triggers run as the extension's owner: a role with no
-- privileges on the extension's tables creates and drops k-mer indexes.
CREATE ROLE catalog_plain_owner;
CREATE TABLE catalog_owned (seq dna2);
ALTER TABLE catalog_owned OWNER TO catalog_plain_owner;
GRANT CREATE ON SCHEMA public TO catalog_plain_owner;
SET ROLE catalog_plain_owner;
SET kmersearch.kmer_size = 8;
CREATE INDEX catalog_owned_idx ON catalog_owned USING gin (seq kmersearch_dna2_gin_ops_int4);
RESET ROLE;
SELECT count(*) AS recorded FROM kmersearch_index_info WHERE index_oid = 'catalog_owned_idx'::regclass;
SET ROLE catalog_plain_owner;
DROP TABLE catalog_owned;
RESET ROLE;
RESET kmersearch.kmer_size;
REVOKE CREATE ON SCHEMA public FROM catalog_plain_owner;
SELECT count(*) AS left_behind FROM kmersearch_index_info i
 WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = i.index_oid);
DROP ROLE catalog_plain_owner;
