-- Installing the extension creates exactly the objects of the catalogue
-- (shared/spec/catalog.md) that this part of the project provides.
CREATE EXTENSION pg_kmersearch;

SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'pg_kmersearch';

-- Members by kind.
SELECT classid::regclass AS catalog, count(*)
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_kmersearch')
   AND deptype = 'e'
 GROUP BY 1 ORDER BY classid::regclass::text COLLATE "C";

-- Every function with its volatility, strictness and parallel marking.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict, p.proparallel
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kmersearch'
 ORDER BY p.oid::regprocedure::text COLLATE "C";

-- The btree and hash operator classes pass PostgreSQL's own validation.
SELECT opc.opcname, amvalidate(opc.oid)
  FROM pg_opclass opc
 WHERE opc.opcname LIKE 'kmersearch\_%'
 ORDER BY 1;

-- Type properties: variable length, extended storage, int4 alignment.
SELECT typname, typlen, typstorage, typalign, typcategory, typispreferred
  FROM pg_type WHERE typname IN ('dna2', 'dna4') ORDER BY 1;
