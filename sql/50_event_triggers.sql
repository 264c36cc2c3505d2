-- Event triggers that keep kmersearch_index_info in step with GIN indexes.
-- The extension is relocatable, so the functions find its tables through
-- pg_extension instead of search_path.

CREATE FUNCTION kmersearch_on_index_create() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ext_schema name;
    cmd record;
    idx record;
    nrows bigint;
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

        EXECUTE format(
            'INSERT INTO %I.kmersearch_index_info AS ii
                 (index_oid, table_oid, column_name, kmer_size, occur_bitlen,
                  total_nrow, highfreq_kmer_count, max_appearance_rate,
                  max_appearance_nrow, preclude_highfreq_kmer)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)
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
        USING cmd.objid, idx.table_oid, idx.column_name,
              current_setting('kmersearch.kmer_size')::integer,
              current_setting('kmersearch.occur_bitlen')::integer,
              nrows,
              current_setting('kmersearch.max_appearance_rate')::real,
              current_setting('kmersearch.max_appearance_nrow')::integer,
              current_setting('kmersearch.preclude_highfreq_kmer')::boolean;
    END LOOP;
END;
$$;

CREATE FUNCTION kmersearch_on_index_drop() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE AS $$
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
