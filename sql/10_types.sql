-- DNA2 (2 bits per base) and DNA4 (4 bits per base, IUPAC codes) base types.
-- Functions that do not depend on the alphabet share one C symbol per kind.

CREATE TYPE DNA2;
CREATE TYPE DNA4;

CREATE FUNCTION kmersearch_dna2_in(cstring) RETURNS DNA2
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_out(DNA2) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_recv(internal) RETURNS DNA2
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_send(DNA2) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kmersearch_dna_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION kmersearch_dna4_in(cstring) RETURNS DNA4
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_out(DNA4) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_recv(internal) RETURNS DNA4
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_send(DNA4) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kmersearch_dna_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE DNA2 (
    INPUT          = kmersearch_dna2_in,
    OUTPUT         = kmersearch_dna2_out,
    RECEIVE        = kmersearch_dna2_recv,
    SEND           = kmersearch_dna2_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE        = extended,
    ALIGNMENT      = int4
);

CREATE TYPE DNA4 (
    INPUT          = kmersearch_dna4_in,
    OUTPUT         = kmersearch_dna4_out,
    RECEIVE        = kmersearch_dna4_recv,
    SEND           = kmersearch_dna4_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE        = extended,
    ALIGNMENT      = int4
);

-- Comparison support: length first, then packed bytes.
CREATE FUNCTION kmersearch_dna2_eq(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_eq(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_cmp(DNA2, DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_cmp(DNA4, DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_lt(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_le(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_gt(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_ge(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_ne(DNA2, DNA2) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_lt(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_le(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_gt(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_ge(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_ne(DNA4, DNA4) RETURNS boolean
    AS 'MODULE_PATHNAME', 'kmersearch_dna_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Hashing covers the packed bytes (not the length); it decides hash-partition routing.
CREATE FUNCTION kmersearch_dna2_hash(DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_hash(DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna2_hash_extended(DNA2, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'kmersearch_dna_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_hash_extended(DNA4, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'kmersearch_dna_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Lengths: bits stored, and bases (nuc_length = char_length = length).
CREATE FUNCTION bit_length(DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_bit_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bit_length(DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna_bit_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nuc_length(DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna2_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION nuc_length(DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna4_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION char_length(DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna2_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION char_length(DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna4_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION length(DNA2) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna2_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION length(DNA4) RETURNS integer
    AS 'MODULE_PATHNAME', 'kmersearch_dna4_nuc_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The binary send format as a bytea: big-endian bit length, then the packed bytes.
CREATE FUNCTION kmersearch_dna2_to_bytea(DNA2) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kmersearch_dna_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmersearch_dna4_to_bytea(DNA4) RETURNS bytea
    AS 'MODULE_PATHNAME', 'kmersearch_dna_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
