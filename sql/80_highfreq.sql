-- High-frequency k-mer sets: the per-session cache and the shared cache
-- (the shared one needs shared_preload_libraries = 'pg_kmersearch').

CREATE FUNCTION kmersearch_highfreq_kmer_cache_load(table_name text, column_name text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE FUNCTION kmersearch_highfreq_kmer_cache_free(table_name text, column_name text) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE FUNCTION kmersearch_highfreq_kmer_cache_free_all() RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION kmersearch_parallel_highfreq_kmer_cache_load(table_name text, column_name text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE FUNCTION kmersearch_parallel_highfreq_kmer_cache_free(table_name text, column_name text) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
CREATE FUNCTION kmersearch_parallel_highfreq_kmer_cache_free_all() RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL UNSAFE;
