-- The shared n-gram key vectors (tests/vectors/ngram_keys.tsv, produced by a
-- naive reference generator written from the spec; Kmer.Core's tests read the
-- same file), checked through kmersearch_ngram_keys().
\getenv abs_srcdir PG_ABS_SRCDIR
\set ngram_keys `cat :'abs_srcdir'/../vectors/ngram_keys.tsv`

-- Data rows (header skipped) as arrays of fields; the file has no escapes.
CREATE FUNCTION pg_temp.vector_rows(content text) RETURNS SETOF text[] LANGUAGE sql AS $$
    SELECT string_to_array(line, E'\t')
      FROM unnest(string_to_array(content, E'\n')) WITH ORDINALITY AS l(line, n)
     WHERE n > 1 AND line <> ''
$$;

-- Keys as unsigned decimals separated by spaces, like the file.
CREATE FUNCTION pg_temp.unsigned_keys(keys bigint[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(string_agg(CASE WHEN k < 0 THEN (k::numeric + 18446744073709551616)::text ELSE k::text END,
                               ' ' ORDER BY o), '')
      FROM unnest(keys) WITH ORDINALITY AS u(k, o)
$$;

CREATE FUNCTION pg_temp.keys_under(source text, k int, b int, input text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    -- Lower b first so that 2k + b never exceeds 64 on the way.
    PERFORM set_config('kmersearch.occur_bitlen', '0', true);
    PERFORM set_config('kmersearch.kmer_size', k::text, true);
    PERFORM set_config('kmersearch.occur_bitlen', b::text, true);
    RETURN pg_temp.unsigned_keys(CASE source
        WHEN 'dna2' THEN kmersearch_ngram_keys(input::DNA2)
        WHEN 'dna4' THEN kmersearch_ngram_keys(input::DNA4)
        ELSE kmersearch_ngram_keys(input::text) END);
END $$;

BEGIN;
CREATE TEMP TABLE ngram_results AS
SELECT r[1] AS source, r[2]::int AS k, r[3]::int AS b, r[4] AS input, coalesce(r[5], '') AS expected,
       pg_temp.keys_under(r[1], r[2]::int, r[3]::int, r[4]) AS got
  FROM pg_temp.vector_rows(:'ngram_keys') r;
COMMIT;

SELECT source, count(*) AS vectors, count(*) FILTER (WHERE got <> expected) AS failures,
       count(DISTINCT (k, b)) AS settings
  FROM ngram_results GROUP BY source ORDER BY source;

-- Any failing vector (no rows expected).
SELECT source, k, b, input, expected, got FROM ngram_results WHERE got <> expected;
