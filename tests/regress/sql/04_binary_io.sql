-- Binary send/recv: a whole table round-trips through COPY (FORMAT binary),
-- and malformed external values are rejected with a clear message.
CREATE TABLE bin_src (id int, s2 DNA2, s4 DNA4);
INSERT INTO bin_src
SELECT i, substr(repeat('GATTACACGT', 20), 1 + i % 7, i % 53)::DNA2,
          substr(repeat('ACGTNRYKMSWBDHV', 10), 1 + i % 5, i % 41)::DNA4
  FROM generate_series(0, 199) i;

SELECT current_setting('data_directory') || '/kmersearch_binary_io.bin' AS binfile \gset
COPY bin_src TO :'binfile' (FORMAT binary);
CREATE TABLE bin_dst (LIKE bin_src);
COPY bin_dst FROM :'binfile' (FORMAT binary);

SELECT count(*) AS rows,
       count(*) FILTER (WHERE a.s2 = b.s2 AND a.s4 = b.s4
                          AND a.s2::text = b.s2::text AND a.s4::text = b.s4::text) AS identical
  FROM bin_src a JOIN bin_dst b USING (id);

-- The messages a user sees for malformed binary values.
CREATE TABLE bad_wire (b bytea);
INSERT INTO bad_wire VALUES ('\x0000000300');
COPY bad_wire TO :'binfile' (FORMAT binary);
CREATE TABLE bad_dst (v DNA2);
COPY bad_dst FROM :'binfile' (FORMAT binary);
TRUNCATE bad_wire;
INSERT INTO bad_wire VALUES ('\x0000000810');
COPY bad_wire TO :'binfile' (FORMAT binary);
CREATE TABLE bad_dst4 (v DNA4);
COPY bad_dst4 FROM :'binfile' (FORMAT binary);
TRUNCATE bad_wire;
INSERT INTO bad_wire VALUES ('\x000000061b');
COPY bad_wire TO :'binfile' (FORMAT binary);
COPY bad_dst FROM :'binfile' (FORMAT binary);
SELECT count(*) AS nothing_written FROM bad_dst;

DROP TABLE bin_src, bin_dst, bad_wire, bad_dst, bad_dst4;
