-- Event triggers that keep kmersearch_index_info in step with GIN indexes.
-- The extension is relocatable, so the functions find its tables through
-- pg_extension instead of search_path. They run as the extension's owner
-- (SECURITY DEFINER, fixed search_path): the bookkeeping rows are the
-- extension's, so a role that may create or drop an index needs no
-- privileges on the extension's tables.

CREATE FUNCTION kmersearch_on_index_create() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ext_schema name;
    cmd record;
    idx record;
    nrows bigint;
    preclude boolean := current_setting('kmersearch.preclude_highfreq_kmer')::boolean;
    k integer := current_setting('kmersearch.kmer_size')::integer;
    b integer := current_setting('kmersearch.occur_bitlen')::integer;
    source_table oid;
    excluded integer;
BEGIN
    SELECT n.nspname INTO ext_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_kmersearch';
    IF ext_schema IS NULL THEN
        RETURN;
    END IF;

    FOR cmd IN
        SELECT objid FROM pg_catalog.pg_event_trigger_ddl_commands()
         WHERE object_type = 'index' AND command_tag = 'CREATE INDEX'
    LOOP
        -- A kmersearch GIN index: access method gin, first column's operator
        -- class one of ours, first column a plain table column.
        SELECT i.indrelid AS table_oid, a.attname AS column_name
          INTO idx
          FROM pg_catalog.pg_index i
          JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_catalog.pg_am am ON am.oid = ic.relam AND am.amname = 'gin'
          JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[0]
                                       AND oc.opcname LIKE 'kmersearch\_%'
          JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid
                                        AND a.attnum = i.indkey[0]
         WHERE i.indexrelid = cmd.objid;
        IF NOT FOUND THEN
            CONTINUE;
        END IF;

        -- Rows in the table when the index was built (all partitions for a partitioned table).
        EXECUTE format('SELECT count(*) FROM %s', idx.table_oid::regclass) INTO nrows;

        -- With preclusion the build left out the high-frequency keys of this
        -- table's analysis (or of the nearest partitioned ancestor's): record
        -- that analysis and how many keys it has.
        source_table := idx.table_oid;
        excluded := 0;
        IF preclude THEN
            EXECUTE format(
                'SELECT a.relid FROM pg_catalog.pg_partition_ancestors($1) WITH ORDINALITY AS a(relid, n)
                  WHERE EXISTS (SELECT 1 FROM %I.kmersearch_highfreq_kmer_meta m
                                 WHERE m.table_oid = a.relid AND m.column_name = $2
                                   AND m.kmer_size = $3 AND m.occur_bitlen = $4)
                  ORDER BY a.n LIMIT 1', ext_schema)
            INTO source_table USING idx.table_oid, idx.column_name, k, b;
            source_table := coalesce(source_table, idx.table_oid);
            EXECUTE format(
                'SELECT count(*) FROM %I.kmersearch_highfreq_kmer
                  WHERE table_oid = $1 AND column_name = $2 AND kmer_size = $3 AND occur_bitlen = $4',
                ext_schema)
            INTO excluded USING source_table, idx.column_name, k, b;
        END IF;

        EXECUTE format(
            'INSERT INTO %I.kmersearch_gin_index_meta AS gm
                 (index_oid, table_oid, column_name, highfreq_filtered, highfreq_source_table,
                  kmer_size, occur_bitlen, max_appearance_rate, max_appearance_nrow)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (index_oid) DO UPDATE
                SET table_oid = EXCLUDED.table_oid,
                    column_name = EXCLUDED.column_name,
                    highfreq_filtered = EXCLUDED.highfreq_filtered,
                    highfreq_source_table = EXCLUDED.highfreq_source_table,
                    kmer_size = EXCLUDED.kmer_size,
                    occur_bitlen = EXCLUDED.occur_bitlen,
                    max_appearance_rate = EXCLUDED.max_appearance_rate,
                    max_appearance_nrow = EXCLUDED.max_appearance_nrow,
                    created_at = now()', ext_schema)
        USING cmd.objid, idx.table_oid, idx.column_name, preclude,
              (SELECT relname FROM pg_catalog.pg_class WHERE oid = source_table), k, b,
              current_setting('kmersearch.max_appearance_rate')::real,
              current_setting('kmersearch.max_appearance_nrow')::integer;

        EXECUTE format(
            'INSERT INTO %I.kmersearch_index_info AS ii
                 (index_oid, table_oid, column_name, kmer_size, occur_bitlen,
                  total_nrow, highfreq_kmer_count, max_appearance_rate,
                  max_appearance_nrow, preclude_highfreq_kmer)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (index_oid) DO UPDATE
                SET table_oid = EXCLUDED.table_oid,
                    column_name = EXCLUDED.column_name,
                    kmer_size = EXCLUDED.kmer_size,
                    occur_bitlen = EXCLUDED.occur_bitlen,
                    total_nrow = EXCLUDED.total_nrow,
                    highfreq_kmer_count = EXCLUDED.highfreq_kmer_count,
                    max_appearance_rate = EXCLUDED.max_appearance_rate,
                    max_appearance_nrow = EXCLUDED.max_appearance_nrow,
                    preclude_highfreq_kmer = EXCLUDED.preclude_highfreq_kmer,
                    created_at = now()', ext_schema)
        USING cmd.objid, idx.table_oid, idx.column_name, k, b, nrows, excluded,
              current_setting('kmersearch.max_appearance_rate')::real,
              current_setting('kmersearch.max_appearance_nrow')::integer,
              preclude;
    END LOOP;
END;
$$;

CREATE FUNCTION kmersearch_on_index_drop() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ext_schema name;
    dropped oid[];
BEGIN
    SELECT n.nspname INTO ext_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_kmersearch';
    -- Nothing to clean when the extension itself (and its tables) is going away.
    IF ext_schema IS NULL
       OR pg_catalog.to_regclass(format('%I.kmersearch_index_info', ext_schema)) IS NULL THEN
        RETURN;
    END IF;

    SELECT array_agg(objid) INTO dropped
      FROM pg_catalog.pg_event_trigger_dropped_objects()
     WHERE object_type = 'index';
    IF dropped IS NULL THEN
        RETURN;
    END IF;

    EXECUTE format('DELETE FROM %I.kmersearch_index_info WHERE index_oid = ANY ($1)', ext_schema)
        USING dropped;
    EXECUTE format('DELETE FROM %I.kmersearch_gin_index_meta WHERE index_oid = ANY ($1)', ext_schema)
        USING dropped;
END;
$$;

CREATE EVENT TRIGGER kmersearch_index_create_trigger
    ON ddl_command_end
    WHEN TAG IN ('CREATE INDEX')
    EXECUTE FUNCTION kmersearch_on_index_create();

CREATE EVENT TRIGGER kmersearch_index_drop_trigger
    ON sql_drop
    WHEN TAG IN ('DROP INDEX', 'DROP TABLE', 'DROP SCHEMA', 'DROP EXTENSION')
    EXECUTE FUNCTION kmersearch_on_index_drop();
