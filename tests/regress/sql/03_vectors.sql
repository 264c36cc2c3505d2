-- The shared codec vectors (tests/vectors, also read by Kmer.Core's tests).
-- Each file is COPY text format with a header; psql reads it on the client
-- side so the server needs no access to the source tree.
\getenv abs_srcdir PG_ABS_SRCDIR
\set dna2_valid `cat :'abs_srcdir'/../vectors/dna2_valid.tsv`
\set dna4_valid `cat :'abs_srcdir'/../vectors/dna4_valid.tsv`
\set invalid_text `cat :'abs_srcdir'/../vectors/invalid_text.tsv`
\set invalid_wire `cat :'abs_srcdir'/../vectors/invalid_wire.tsv`

-- COPY text escapes used by the vector files.
CREATE FUNCTION pg_temp.unescape(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(replace(s, '\t', E'\t'), '\n', E'\n'), '\r', E'\r'), '\\', '\')
$$;

-- Data rows of a vector file (header skipped) as arrays of fields.
CREATE FUNCTION pg_temp.vector_rows(content text) RETURNS SETOF text[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT pg_temp.unescape(x)
                   FROM unnest(string_to_array(line, E'\t')) WITH ORDINALITY AS u(x, o)
                  ORDER BY o)
      FROM unnest(string_to_array(content, E'\n')) WITH ORDINALITY AS l(line, n)
     WHERE n > 1 AND line <> ''
$$;

-- SQLSTATE, message and detail of a failing statement.
CREATE FUNCTION pg_temp.failure_of(stmt text, OUT state text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    state := 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
END $$;

-- Receives raw wire bytes through binary COPY, i.e. through the type's recv function.
CREATE FUNCTION pg_temp.recv_wire(typ text, wire bytea) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f text := current_setting('data_directory') || '/kmersearch_wire_vector.bin';
    result text;
BEGIN
    CREATE TEMP TABLE wire_src (b bytea);
    INSERT INTO wire_src VALUES (wire);
    EXECUTE format('COPY wire_src TO %L (FORMAT binary)', f);
    EXECUTE format('CREATE TEMP TABLE wire_dst (v %s)', typ);
    EXECUTE format('COPY wire_dst FROM %L (FORMAT binary)', f);
    SELECT 'ok ' || v::text INTO result FROM wire_dst;
    DROP TABLE wire_src, wire_dst;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

CREATE TEMP TABLE valid_vectors AS
SELECT 'dna2' AS typ, r[1] AS input, r[2] AS output, r[3]::int AS bits, r[4]::int AS bases, r[5] AS wire
  FROM pg_temp.vector_rows(:'dna2_valid') r
UNION ALL
SELECT 'dna4', r[1], r[2], r[3]::int, r[4]::int, r[5]
  FROM pg_temp.vector_rows(:'dna4_valid') r;

-- Text input, output, lengths and send format of every valid vector.
CREATE TEMP TABLE valid_results AS
SELECT v.*,
       CASE typ WHEN 'dna2' THEN v.input::DNA2::text ELSE v.input::DNA4::text END AS got_output,
       CASE typ WHEN 'dna2' THEN bit_length(v.input::DNA2) ELSE bit_length(v.input::DNA4) END AS got_bits,
       CASE typ WHEN 'dna2' THEN length(v.input::DNA2) ELSE length(v.input::DNA4) END AS got_bases,
       encode(CASE typ WHEN 'dna2' THEN kmersearch_dna2_to_bytea(v.input::DNA2)
                       ELSE kmersearch_dna4_to_bytea(v.input::DNA4) END, 'hex') AS got_wire,
       pg_temp.recv_wire(typ, decode(v.wire, 'hex')) AS got_recv
  FROM valid_vectors v;

SELECT typ, count(*) AS vectors,
       count(*) FILTER (WHERE got_output IS DISTINCT FROM output OR got_bits <> bits
                           OR got_bases <> bases OR got_wire <> wire
                           OR got_recv IS DISTINCT FROM 'ok ' || output) AS failures
  FROM valid_results GROUP BY typ ORDER BY typ;

-- Any failing vector, with what was expected and what came out (no rows expected).
SELECT * FROM valid_results
 WHERE got_output IS DISTINCT FROM output OR got_bits <> bits OR got_bases <> bases
    OR got_wire <> wire OR got_recv IS DISTINCT FROM 'ok ' || output;

-- Rejected text: SQLSTATE, the offending byte named in the message, its position in the detail.
CREATE TEMP TABLE text_results AS
SELECT r[1] AS typ, r[2] AS input, r[3] AS sqlstate, r[4]::int AS bad_offset, r[5] AS bad_hex, f.*
  FROM pg_temp.vector_rows(:'invalid_text') r,
       LATERAL pg_temp.failure_of(format('SELECT %L::%s', r[2], r[1])) AS f(got_sqlstate, got_message, got_detail);

SELECT typ, count(*) AS vectors,
       count(*) FILTER (WHERE got_sqlstate <> sqlstate
           OR position(CASE WHEN ('x' || bad_hex)::bit(8)::int BETWEEN 33 AND 126
                            THEN '"' || chr(('x' || bad_hex)::bit(8)::int) || '"'
                            ELSE '"\x' || upper(bad_hex) || '"' END IN got_message) = 0
           OR got_detail <> format('The character is byte %s of the input.', bad_offset + 1)) AS failures
  FROM text_results GROUP BY typ ORDER BY typ;

SELECT typ, input, got_sqlstate, got_message, got_detail FROM text_results
 WHERE got_sqlstate <> sqlstate
    OR got_detail <> format('The character is byte %s of the input.', bad_offset + 1);

-- Rejected binary input: recv validates length, padding, DNA4 code 0000 and size.
CREATE TEMP TABLE wire_results AS
SELECT r[1] AS typ, r[2] AS wire, r[3] AS sqlstate, r[4] AS reason,
       pg_temp.recv_wire(r[1], decode(r[2], 'hex')) AS got
  FROM pg_temp.vector_rows(:'invalid_wire') r;

SELECT typ, count(*) AS vectors, count(*) FILTER (WHERE got <> sqlstate) AS failures
  FROM wire_results GROUP BY typ ORDER BY typ;

SELECT * FROM wire_results WHERE got <> sqlstate;
