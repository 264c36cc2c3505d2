-- Every kmersearch.* parameter: name, default, range, context (shared/spec/gucs.md).
SELECT name, setting, vartype, min_val, max_val, context
  FROM pg_settings WHERE name LIKE 'kmersearch.%' ORDER BY name;

-- Range errors come from PostgreSQL's GUC machinery (22023).
SET kmersearch.kmer_size = 3;
SET kmersearch.kmer_size = 33;
SET kmersearch.occur_bitlen = 17;
SET kmersearch.max_appearance_rate = 1.5;
SET kmersearch.min_shared_kmer_rate = -0.1;
SET kmersearch.query_kmer_cache_max_entries = 999;
SET kmersearch.highfreq_analysis_batch_size = 999;
SET kmersearch.highfreq_analysis_batch_size = 1000001;
SET kmersearch.highfreq_analysis_batch_size = 1000;
SHOW kmersearch.highfreq_analysis_batch_size;
RESET kmersearch.highfreq_analysis_batch_size;

-- 2k + b must fit in 64 bits; the previous value stays in effect.
SET kmersearch.kmer_size = 29;
SHOW kmersearch.kmer_size;
SET kmersearch.occur_bitlen = 6;
SET kmersearch.kmer_size = 29;
SHOW kmersearch.kmer_size;
SET kmersearch.occur_bitlen = 7;
SET kmersearch.occur_bitlen = 0;
SET kmersearch.kmer_size = 32;
SELECT current_setting('kmersearch.kmer_size') AS k, current_setting('kmersearch.occur_bitlen') AS b;
RESET kmersearch.kmer_size;
RESET kmersearch.occur_bitlen;

-- SET LOCAL and rollback restore the previous values.
BEGIN;
SET LOCAL kmersearch.occur_bitlen = 0;
SET LOCAL kmersearch.kmer_size = 32;
SHOW kmersearch.kmer_size;
ROLLBACK;
SHOW kmersearch.kmer_size;
SHOW kmersearch.occur_bitlen;

-- A function's SET clause is checked the same way, when the function is created.
CREATE FUNCTION wide_k() RETURNS text LANGUAGE sql
    SET kmersearch.kmer_size = 30 AS $$ SELECT current_setting('kmersearch.kmer_size') $$;

-- The prefix is reserved: misspelt parameters are errors, not silent placeholders.
SET kmersearch.kmer_sise = 8;

-- force_simd_capability accepts -1, 0 and levels this machine has.
SET kmersearch.force_simd_capability = 0;
SHOW kmersearch.force_simd_capability;
\set VERBOSITY terse
SET kmersearch.force_simd_capability = -2;
SET kmersearch.force_simd_capability = 99;
\set VERBOSITY default
RESET kmersearch.force_simd_capability;
