-- Comparison operators and the default btree and hash operator classes.

CREATE OPERATOR = (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
CREATE OPERATOR <> (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_lt,
    COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_le,
    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_gt,
    COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
    LEFTARG = DNA2, RIGHTARG = DNA2, FUNCTION = kmersearch_dna2_ge,
    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR = (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
CREATE OPERATOR <> (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_lt,
    COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_le,
    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_gt,
    COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
    LEFTARG = DNA4, RIGHTARG = DNA4, FUNCTION = kmersearch_dna4_ge,
    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS kmersearch_dna2_btree_ops
    DEFAULT FOR TYPE DNA2 USING btree AS
        OPERATOR 1  <,
        OPERATOR 2  <=,
        OPERATOR 3  =,
        OPERATOR 4  >=,
        OPERATOR 5  >,
        FUNCTION 1  kmersearch_dna2_cmp(DNA2, DNA2);

CREATE OPERATOR CLASS kmersearch_dna4_btree_ops
    DEFAULT FOR TYPE DNA4 USING btree AS
        OPERATOR 1  <,
        OPERATOR 2  <=,
        OPERATOR 3  =,
        OPERATOR 4  >=,
        OPERATOR 5  >,
        FUNCTION 1  kmersearch_dna4_cmp(DNA4, DNA4);

CREATE OPERATOR CLASS kmersearch_dna2_hash_ops
    DEFAULT FOR TYPE DNA2 USING hash AS
        OPERATOR 1  =,
        FUNCTION 1  kmersearch_dna2_hash(DNA2),
        FUNCTION 2  kmersearch_dna2_hash_extended(DNA2, bigint);

CREATE OPERATOR CLASS kmersearch_dna4_hash_ops
    DEFAULT FOR TYPE DNA4 USING hash AS
        OPERATOR 1  =,
        FUNCTION 1  kmersearch_dna4_hash(DNA4),
        FUNCTION 2  kmersearch_dna4_hash_extended(DNA4, bigint);
