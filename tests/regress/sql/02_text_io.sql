-- Text input and output of DNA2 and DNA4 (shared/spec/types.md §2-3).

-- Reports the SQLSTATE and message of a statement instead of failing.
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT 'gattaca'::DNA2, 'ACGU'::DNA2, 'acgtn'::DNA4, ''::DNA2 = ''::DNA2 AS empty_equal;
SELECT ''::DNA2::text = '' AS empty_dna2, ''::DNA4::text = '' AS empty_dna4;
SELECT 'acmgrsvtwyhkdbnu'::DNA4;

-- Case is not preserved and U is stored as T.
SELECT 'aCgTuU'::DNA2, 'uU'::DNA4;

-- Bad input: 22P02, the message names the first offending byte and the type.
SELECT pg_temp.error_of($$SELECT 'ACG T'::DNA2$$);
SELECT pg_temp.error_of($$SELECT 'ACGN'::DNA2$$);
SELECT pg_temp.error_of($$SELECT 'ACGTX'::DNA4$$);
SELECT pg_temp.error_of($$SELECT E'ACG\tT'::DNA2$$);
SELECT pg_temp.error_of($$SELECT 'ACGé'::DNA4$$);
SELECT pg_temp.error_of($$SELECT '-'::DNA4$$);

-- The full report a user sees, with its detail and hint.
SELECT 'AC-GT'::DNA2;
SELECT 'ACGTZ'::DNA4;

-- Lengths count bases; bit_length counts stored bits; padding never counts.
SELECT bit_length('GATTACA'::DNA2), nuc_length('GATTACA'::DNA2),
       char_length('GATTACA'::DNA2), length('GATTACA'::DNA2);
SELECT bit_length('GATTACA'::DNA4), nuc_length('GATTACA'::DNA4),
       char_length('GATTACA'::DNA4), length('GATTACA'::DNA4);
SELECT length(''::DNA2), length(''::DNA4);

-- *_to_bytea is the binary send format.
SELECT kmersearch_dna2_to_bytea('GATTACA'), kmersearch_dna4_to_bytea('GATTACA');
SELECT kmersearch_dna2_to_bytea('ACG'), kmersearch_dna2_to_bytea('ACGA');

-- NULL in, NULL out (all functions are strict).
SELECT length(NULL::DNA2) IS NULL AS l, kmersearch_dna4_to_bytea(NULL) IS NULL AS b,
       (NULL::DNA2 = 'A') IS NULL AS eq;

-- Long values survive TOAST compression and out-of-line storage.
CREATE TABLE long_seq (id int, s2 DNA2, s4 DNA4);
INSERT INTO long_seq
SELECT 1, repeat('ACGTTGCA', 100000)::DNA2, repeat('ACGTNRYK', 100000)::DNA4;
SELECT length(s2), length(s4), s2::text = repeat('ACGTTGCA', 100000) AS s2_ok,
       s4::text = repeat('ACGTNRYK', 100000) AS s4_ok,
       pg_column_size(s2) < 200000 AS s2_packed
  FROM long_seq;
DROP TABLE long_seq;

-- Text casts come from PostgreSQL's I/O conversion.
SELECT 'acgt'::text::DNA2::text, 'ACGTN'::DNA4::text::DNA4;
