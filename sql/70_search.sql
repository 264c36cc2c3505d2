-- K-mer search: n-gram keys, =%, scoring, GIN operator classes, caches.

-- The n-gram keys the current kmersearch.kmer_size / occur_bitlen give a value
-- or a query (unsigned keys shown as bigint bit patterns).
CREATE FUNCTION kmersearch_ngram_keys(DNA2) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'kmersearch_dna2_ngram_keys' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_ngram_keys(DNA4) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'kmersearch_dna4_ngram_keys' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_ngram_keys(text) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'kmersearch_query_ngram_keys' LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- =% and scoring read the k-mer settings, hence STABLE.  COST 1000 as in the
-- original.  Parallel workers have their own session caches, which only hold
-- values derived from the settings they inherit: PARALLEL SAFE.  =% estimates
-- its selectivity like PostgreSQL's containment operators (contsel): a
-- similarity search usually returns few rows, and without an estimate the
-- planner assumed half the table and preferred sequential scans and JIT.
CREATE FUNCTION kmersearch_dna2_match(DNA2, text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE COST 1000;
CREATE FUNCTION kmersearch_dna4_match(DNA4, text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE COST 1000;

CREATE OPERATOR =% (LEFTARG = DNA2, RIGHTARG = text, FUNCTION = kmersearch_dna2_match,
                    RESTRICT = contsel, JOIN = contjoinsel);
CREATE OPERATOR =% (LEFTARG = DNA4, RIGHTARG = text, FUNCTION = kmersearch_dna4_match,
                    RESTRICT = contsel, JOIN = contjoinsel);

CREATE FUNCTION kmersearch_matchscore_dna2(DNA2, text) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_matchscore_dna4(DNA4, text) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_matchscore(DNA2, text) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_matchscore_dna2' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_matchscore(DNA4, text) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_matchscore_dna4' LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- GIN support functions.  The query argument is declared anyelement (it is
-- the text right of =%): PostgreSQL's GIN validator wants the operator
-- class's type there, and one function serves both DNA2 and DNA4 classes.
CREATE FUNCTION kmersearch_extract_value_dna2_int2(DNA2, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_value_dna2_int4(DNA2, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_value_dna2_int8(DNA2, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_value_dna4_int2(DNA4, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_value_dna4_int4(DNA4, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_value_dna4_int8(DNA4, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_query_int2(anyelement, internal, int2, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_query_int4(anyelement, internal, int2, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_extract_query_int8(anyelement, internal, int2, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_consistent_int2(internal, int2, anyelement, int4, internal, internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_consistent' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_consistent_int4(internal, int2, anyelement, int4, internal, internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_consistent' LANGUAGE C IMMUTABLE STRICT;
CREATE FUNCTION kmersearch_consistent_int8(internal, int2, anyelement, int4, internal, internal) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_consistent' LANGUAGE C IMMUTABLE STRICT;

CREATE FUNCTION kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal) RETURNS "char"
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT;

-- Six GIN operator classes: one per type and key width.  The width must be the
-- one 2 * kmer_size + occur_bitlen calls for (<= 16, <= 32, <= 64 bits).
CREATE OPERATOR CLASS kmersearch_dna2_gin_ops_int2 FOR TYPE DNA2 USING gin AS
    OPERATOR 1  =% (DNA2, text),
    FUNCTION 1  btint2cmp(int2, int2),
    FUNCTION 2  kmersearch_extract_value_dna2_int2(DNA2, internal),
    FUNCTION 3  kmersearch_extract_query_int2(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int2(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int2;
CREATE OPERATOR CLASS kmersearch_dna2_gin_ops_int4 FOR TYPE DNA2 USING gin AS
    OPERATOR 1  =% (DNA2, text),
    FUNCTION 1  btint4cmp(int4, int4),
    FUNCTION 2  kmersearch_extract_value_dna2_int4(DNA2, internal),
    FUNCTION 3  kmersearch_extract_query_int4(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int4(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int4;
CREATE OPERATOR CLASS kmersearch_dna2_gin_ops_int8 FOR TYPE DNA2 USING gin AS
    OPERATOR 1  =% (DNA2, text),
    FUNCTION 1  btint8cmp(int8, int8),
    FUNCTION 2  kmersearch_extract_value_dna2_int8(DNA2, internal),
    FUNCTION 3  kmersearch_extract_query_int8(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int8(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int8;
CREATE OPERATOR CLASS kmersearch_dna4_gin_ops_int2 FOR TYPE DNA4 USING gin AS
    OPERATOR 1  =% (DNA4, text),
    FUNCTION 1  btint2cmp(int2, int2),
    FUNCTION 2  kmersearch_extract_value_dna4_int2(DNA4, internal),
    FUNCTION 3  kmersearch_extract_query_int2(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int2(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int2;
CREATE OPERATOR CLASS kmersearch_dna4_gin_ops_int4 FOR TYPE DNA4 USING gin AS
    OPERATOR 1  =% (DNA4, text),
    FUNCTION 1  btint4cmp(int4, int4),
    FUNCTION 2  kmersearch_extract_value_dna4_int4(DNA4, internal),
    FUNCTION 3  kmersearch_extract_query_int4(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int4(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int4;
CREATE OPERATOR CLASS kmersearch_dna4_gin_ops_int8 FOR TYPE DNA4 USING gin AS
    OPERATOR 1  =% (DNA4, text),
    FUNCTION 1  btint8cmp(int8, int8),
    FUNCTION 2  kmersearch_extract_value_dna4_int8(DNA4, internal),
    FUNCTION 3  kmersearch_extract_query_int8(anyelement, internal, int2, internal, internal),
    FUNCTION 4  kmersearch_consistent_int8(internal, int2, anyelement, int4, internal, internal),
    FUNCTION 6  kmersearch_triconsistent(internal, int2, anyelement, int4, internal, internal, internal),
    STORAGE     int8;

-- Per-session caches: statistics (always one row) and free functions.
CREATE FUNCTION kmersearch_query_kmer_cache_stats()
    RETURNS TABLE (hits bigint, misses bigint, current_entries integer, max_entries integer)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE FUNCTION kmersearch_query_kmer_cache_free() RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
CREATE FUNCTION kmersearch_actual_min_score_cache_stats()
    RETURNS TABLE (hits bigint, misses bigint, current_entries integer, max_entries integer)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE FUNCTION kmersearch_actual_min_score_cache_free() RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW kmersearch_cache_summary AS
SELECT 'query-kmer'::text AS cache_type, current_entries AS total_entries,
       hits AS total_hits, misses AS total_misses,
       CASE WHEN hits + misses > 0 THEN hits::double precision / (hits + misses) ELSE 0 END AS hit_rate
  FROM kmersearch_query_kmer_cache_stats()
UNION ALL
SELECT 'actual_min_score'::text, current_entries, hits, misses,
       CASE WHEN hits + misses > 0 THEN hits::double precision / (hits + misses) ELSE 0 END
  FROM kmersearch_actual_min_score_cache_stats();
