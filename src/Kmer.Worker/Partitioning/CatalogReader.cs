namespace Kmer.Worker.Partitioning;

/// <summary>
/// Reads a table's definition from the catalogs, through SPI in the caller's
/// transaction. Names come back raw; statements quote them with
/// <see cref="SqlText"/>. Expressions and definitions come from PostgreSQL's
/// own deparsers (<c>pg_get_expr</c>, <c>pg_get_constraintdef</c>,
/// <c>pg_get_indexdef</c>, <c>format_type</c>), which print names relative
/// to the caller's search_path, the same path the statements run under.
/// </summary>
internal static class CatalogReader
{
    /// <summary>The extension's DNA2 and DNA4 types, by OID (members of the extension, wherever it is installed).</summary>
    public const string DnaTypesCte = """
        dna AS (
            SELECT t.oid
              FROM pg_catalog.pg_type t
              JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                                         AND d.objid = t.oid AND d.deptype = 'e'
              JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_kmersearch'
             WHERE t.typname IN ('dna2', 'dna4'))
        """;

    private const string TableSql = """
        SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
               c.relpersistence::text AS persistence, c.relispartition AS is_partition, c.reltype::int8 AS rowtype,
               pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
               pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE') AS caller_owns,
               ts.spcname::text AS tablespace,
               c.reloptions::text[] AS reloptions,
               CASE WHEN am.amname <> 'heap' THEN am.amname::text END AS access_method,
               c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
               c.relreplident::text AS replica_identity,
               c.reloftype <> 0 AS is_typed,
               EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e') AS in_extension,
               ARRAY(SELECT pg_catalog.format('%s inherits from %s', i.inhrelid::pg_catalog.regclass, i.inhparent::pg_catalog.regclass)
                       FROM pg_catalog.pg_inherits i
                       JOIN pg_catalog.pg_class ch ON ch.oid = i.inhrelid
                      WHERE (i.inhrelid = c.oid OR i.inhparent = c.oid) AND NOT ch.relispartition
                      ORDER BY 1) AS inheritance,
               pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
               c.oid::pg_catalog.regclass::text AS display_name,
               (SELECT ic.relname::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace
          LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
         WHERE c.oid = $1
        """;

    private const string ColumnsSql = "WITH " + DnaTypesCte + """

        SELECT a.attnum::int8 AS number, a.attname::text AS name,
               pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_sql,
               a.atttypid IN (SELECT oid FROM dna) AS is_dna,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
                    (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname)
                       FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                      WHERE co.oid = a.attcollation) END AS collation_sql,
               a.attnotnull AS not_null,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS default_sql,
               CASE WHEN a.attgenerated = 's' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS generated_sql,
               NULLIF(a.attidentity, '')::text AS identity,
               CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
               CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
               NULLIF(a.attstattarget, -1)::int8 AS stattarget,
               ARRAY(SELECT o FROM pg_catalog.unnest(a.attoptions) AS o
                      WHERE o LIKE 'n\_distinct=%' OR o LIKE 'n\_distinct\_inherited=%') AS options,
               pg_catalog.col_description(a.attrelid, a.attnum) AS comment
          FROM pg_catalog.pg_attribute a
          JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum
        """;

    private const string SequencesSql = """
        SELECT d.deptype::text AS deptype, a.attname::text AS column_name, n.nspname::text AS schema, s.relname::text AS name,
               pg_catalog.format_type(q.seqtypid, NULL) AS type_sql, q.seqstart AS start, q.seqincrement AS increment,
               q.seqmin AS min, q.seqmax AS max, q.seqcache AS cache, q.seqcycle AS cycle
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
          JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
          JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
          JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND d.refobjid = $1 AND d.deptype IN ('a', 'i')
         ORDER BY a.attnum, s.relname
        """;

    private const string TableAclSql = """
        SELECT r.rolname::text AS grantee, x.privilege_type::text AS privilege, x.is_grantable AS grantable
          FROM pg_catalog.pg_class c,
               pg_catalog.aclexplode(COALESCE(c.relacl, pg_catalog.acldefault('r', c.relowner))) x
          LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
         WHERE c.oid = $1
         ORDER BY 1 NULLS FIRST, 2
        """;

    private const string ColumnAclSql = """
        SELECT a.attnum::int8 AS number, r.rolname::text AS grantee, x.privilege_type::text AS privilege, x.is_grantable AS grantable
          FROM pg_catalog.pg_attribute a,
               pg_catalog.aclexplode(a.attacl) x
          LEFT JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
         ORDER BY 1, 2 NULLS FIRST, 3
        """;

    private const string ConstraintsSql = "WITH " + DnaTypesCte + """

        SELECT co.oid::int8 AS oid, co.conname::text AS name, co.contype::text AS type,
               pg_catalog.pg_get_constraintdef(co.oid) AS definition,
               co.convalidated AS validated, co.connoinherit AS no_inherit, co.conislocal AS is_local,
               co.condeferrable AS deferrable, co.condeferred AS deferred,
               EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = co.conrelid AND a.attnum = ANY (co.conkey)
                          AND a.atttypid IN (SELECT oid FROM dna)) AS includes_dna,
               (co.contype = 'f' AND co.confrelid = co.conrelid) AS references_self,
               ic.reloptions::text[] AS index_options,
               its.spcname::text AS index_tablespace,
               pg_catalog.obj_description(co.oid, 'pg_constraint') AS comment
          FROM pg_catalog.pg_constraint co
          LEFT JOIN pg_catalog.pg_class ic ON ic.oid = co.conindid AND co.contype IN ('p', 'u', 'x')
          LEFT JOIN pg_catalog.pg_tablespace its ON its.oid = ic.reltablespace
         WHERE co.conrelid = $1 AND co.contype IN ('c', 'p', 'u', 'f', 'x', 't')
         ORDER BY co.contype, co.conname
        """;

    private const string IndexesSql = "WITH " + DnaTypesCte + """

        , idx AS (
            SELECT i.*, ic.relname, ic.reloptions, ic.reltablespace, ic.relam,
                   pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
                   pg_catalog.format('CREATE %sINDEX %s ON ', CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,
                                     pg_catalog.quote_ident(ic.relname)) AS head,
                   pg_catalog.format('%I.%I USING ', tn.nspname, tc.relname) AS target
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
              JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
             WHERE i.indrelid = $1
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                                WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                                  AND co.contype IN ('p', 'u', 'x')))
        SELECT idx.indexrelid::int8 AS oid, idx.relname::text AS name, idx.definition,
               CASE WHEN pg_catalog.starts_with(idx.definition, idx.head || idx.target)
                    THEN pg_catalog.substr(idx.definition, pg_catalog.length(idx.head || idx.target) + 1)
                    WHEN pg_catalog.starts_with(idx.definition, idx.head || 'ONLY ' || idx.target)
                    THEN pg_catalog.substr(idx.definition, pg_catalog.length(idx.head || 'ONLY ' || idx.target) + 1)
               END AS body,
               idx.indisunique AS is_unique, idx.indisvalid AS is_valid, idx.indisreplident AS is_replica_identity,
               EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = idx.indrelid
                          AND a.attnum = ANY ((idx.indkey::int2[])[0:idx.indnkeyatts - 1])
                          AND a.atttypid IN (SELECT oid FROM dna)) AS includes_dna,
               its.spcname::text AS tablespace,
               pg_catalog.obj_description(idx.indexrelid, 'pg_class') AS comment,
               (am.amname = 'gin' AND EXISTS (SELECT 1 FROM pg_catalog.pg_opclass oc
                                               WHERE oc.oid = idx.indclass[0] AND oc.opcname LIKE 'kmersearch\_%')) AS is_kmer
          FROM idx
          JOIN pg_catalog.pg_am am ON am.oid = idx.relam
          LEFT JOIN pg_catalog.pg_tablespace its ON its.oid = idx.reltablespace
         ORDER BY idx.relname
        """;

    private const string StatisticsSql = """
        SELECT n.nspname::text AS schema, s.stxname::text AS name,
               pg_catalog.pg_get_statisticsobjdef_columns(s.oid) AS columns,
               ARRAY(SELECT CASE k WHEN 'd' THEN 'ndistinct' WHEN 'f' THEN 'dependencies' WHEN 'm' THEN 'mcv' END
                       FROM pg_catalog.unnest(s.stxkind) AS k WHERE k <> 'e') AS kinds,
               NULLIF(s.stxstattarget, -1)::int8 AS stattarget,
               pg_catalog.obj_description(s.oid, 'pg_statistic_ext') AS comment
          FROM pg_catalog.pg_statistic_ext s
          JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
         WHERE s.stxrelid = $1
         ORDER BY s.stxname
        """;

    /// <summary>Reads the table <paramref name="oid"/> (which the caller has locked).</summary>
    public static async Task<TableDefinition> ReadAsync(SpiSession spi, long oid, string? extensionSchema)
    {
        SpiRow table = await spi.QuerySingleAsync(TableSql, SpiArg.Oid(oid)).ConfigureAwait(false)
            ?? throw new CallFailedException(PartitionErrors.UndefinedTable, $"relation with OID {oid} does not exist");

        var columns = new List<ColumnDefinition>();
        foreach (SpiRow row in await spi.QueryAsync(ColumnsSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            columns.Add(new ColumnDefinition
            {
                Number = (int)row.Long("number"),
                Name = row.Text("name"),
                TypeSql = row.Text("type_sql"),
                IsDna = row.Bool("is_dna"),
                CollationSql = row.NullableText("collation_sql"),
                NotNull = row.Bool("not_null"),
                DefaultSql = row.NullableText("default_sql"),
                GeneratedSql = row.NullableText("generated_sql"),
                Identity = row.NullableText("identity") is { Length: > 0 } identity ? identity[0] : null,
                Storage = row.NullableText("storage") is { Length: > 0 } storage ? storage[0] : null,
                Compression = row.NullableText("compression"),
                StatisticsTarget = row.NullableLong("stattarget") is long target ? (int)target : null,
                Options = row.TextArray("options"),
                Comment = row.NullableText("comment"),
            });
        }

        var ownedSequences = new List<OwnedSequence>();
        foreach (SpiRow row in await spi.QueryAsync(SequencesSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            string column = row.Text("column_name");
            if (row.Text("deptype") == "i")
            {
                ColumnDefinition? target = columns.Find(c => c.Name == column);
                if (target is not null)
                {
                    target.IdentitySequence = new SequenceDefinition
                    {
                        Schema = row.Text("schema"),
                        Name = row.Text("name"),
                        TypeSql = row.Text("type_sql"),
                        Start = row.Long("start"),
                        Increment = row.Long("increment"),
                        Min = row.Long("min"),
                        Max = row.Long("max"),
                        Cache = row.Long("cache"),
                        Cycle = row.Bool("cycle"),
                    };
                }
            }
            else
            {
                ownedSequences.Add(new OwnedSequence(row.Text("schema"), row.Text("name"), column));
            }
        }

        foreach (SpiRow row in await spi.QueryAsync(ColumnAclSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            int number = (int)row.Long("number");
            columns.Find(c => c.Number == number)?.Acl.Add(
                new AclEntry(row.NullableText("grantee"), row.Text("privilege"), row.Bool("grantable")));
        }

        IReadOnlyList<AclEntry> acl = await ReadAclAsync(spi, oid).ConfigureAwait(false);

        var constraints = new List<ConstraintDefinition>();
        foreach (SpiRow row in await spi.QueryAsync(ConstraintsSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            constraints.Add(new ConstraintDefinition
            {
                Oid = row.Long("oid"),
                Name = row.Text("name"),
                Type = row.Text("type")[0],
                Definition = row.Text("definition"),
                Validated = row.Bool("validated"),
                NoInherit = row.Bool("no_inherit"),
                IsLocal = row.Bool("is_local"),
                Deferrable = row.Bool("deferrable"),
                Deferred = row.Bool("deferred"),
                IncludesDnaColumn = row.Bool("includes_dna"),
                ReferencesSelf = row.Bool("references_self"),
                IndexOptions = row.TextArray("index_options"),
                IndexTablespace = row.NullableText("index_tablespace"),
                Comment = row.NullableText("comment"),
            });
        }

        Dictionary<long, KmerIndexSettings> kmerSettings = await ReadKmerIndexSettingsAsync(spi, oid, extensionSchema).ConfigureAwait(false);
        var indexes = new List<IndexDefinition>();
        foreach (SpiRow row in await spi.QueryAsync(IndexesSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            long indexOid = row.Long("oid");
            string name = row.Text("name");
            indexes.Add(new IndexDefinition
            {
                Oid = indexOid,
                Name = name,
                Definition = row.Text("definition"),
                Body = row.NullableText("body") ?? throw new CallFailedException(
                    PartitionErrors.InternalError,
                    $"cannot read the definition of index \"{name}\"",
                    $"pg_get_indexdef returned: {row.Text("definition")}"),
                Unique = row.Bool("is_unique"),
                Valid = row.Bool("is_valid"),
                IncludesDnaColumn = row.Bool("includes_dna"),
                Tablespace = row.NullableText("tablespace"),
                Comment = row.NullableText("comment"),
                IsReplicaIdentity = row.Bool("is_replica_identity"),
                IsKmerIndex = row.Bool("is_kmer"),
                KmerSettings = kmerSettings.GetValueOrDefault(indexOid),
            });
        }

        var statistics = new List<StatisticsDefinition>();
        foreach (SpiRow row in await spi.QueryAsync(StatisticsSql, SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            statistics.Add(new StatisticsDefinition
            {
                Schema = row.Text("schema"),
                Name = row.Text("name"),
                Columns = row.Text("columns"),
                Kinds = row.TextArray("kinds"),
                StatisticsTarget = row.NullableLong("stattarget") is long target ? (int)target : null,
                Comment = row.NullableText("comment"),
            });
        }

        return new TableDefinition
        {
            Oid = table.Long("oid"),
            Schema = table.Text("schema"),
            Name = table.Text("name"),
            Kind = table.Text("kind")[0],
            Persistence = table.Text("persistence")[0],
            IsPartition = table.Bool("is_partition"),
            RowTypeOid = table.Long("rowtype"),
            Owner = table.Text("owner"),
            CallerOwns = table.Bool("caller_owns"),
            Tablespace = table.NullableText("tablespace"),
            RelOptions = table.TextArray("reloptions"),
            AccessMethod = table.NullableText("access_method"),
            RowSecurity = table.Bool("row_security"),
            ForceRowSecurity = table.Bool("force_row_security"),
            ReplicaIdentity = table.Text("replica_identity")[0],
            ReplicaIdentityIndex = table.NullableText("replica_index"),
            IsTyped = table.Bool("is_typed"),
            InExtension = table.Bool("in_extension"),
            Inheritance = table.TextArray("inheritance"),
            Comment = table.NullableText("comment"),
            DisplayName = table.Text("display_name"),
            Acl = acl,
            Columns = columns,
            Constraints = constraints,
            Indexes = indexes,
            Statistics = statistics,
            OwnedSequences = ownedSequences,
        };
    }

    /// <summary>The table's privileges: its ACL exploded, or the owner's defaults when it has none.</summary>
    public static async Task<IReadOnlyList<AclEntry>> ReadAclAsync(SpiSession spi, long oid) =>
        [.. (await spi.QueryAsync(TableAclSql, SpiArg.Oid(oid)).ConfigureAwait(false))
            .Select(r => new AclEntry(r.NullableText("grantee"), r.Text("privilege"), r.Bool("grantable")))];

    /// <summary>The recorded build settings of the table's k-mer indexes (empty when the caller cannot read kmersearch_index_info).</summary>
    private static async Task<Dictionary<long, KmerIndexSettings>> ReadKmerIndexSettingsAsync(SpiSession spi, long oid, string? extensionSchema)
    {
        var settings = new Dictionary<long, KmerIndexSettings>();
        if (extensionSchema is null)
        {
            return settings;
        }

        string table = SqlText.Qualified(extensionSchema, "kmersearch_index_info");
        SpiRow? readable = await spi.QuerySingleAsync(
            "SELECT pg_catalog.has_table_privilege($1::text, 'SELECT') AS ok", SpiArg.Text(table)).ConfigureAwait(false);
        if (readable is null || !readable.Bool("ok"))
        {
            return settings;
        }

        // The index's own row, else (a partitioned index recorded only per partition, say)
        // the row of one of its partitions' indexes.
        foreach (SpiRow row in await spi.QueryAsync(
            $"""
            SELECT i.indexrelid::int8 AS index_oid, r.kmer_size::int8 AS kmer_size, r.occur_bitlen::int8 AS occur_bitlen,
                   r.preclude_highfreq_kmer, r.max_appearance_rate::float8 AS max_appearance_rate,
                   r.max_appearance_nrow::int8 AS max_appearance_nrow
              FROM pg_catalog.pg_index i
             CROSS JOIN LATERAL (
                   SELECT ii.* FROM {table} ii
                    WHERE ii.index_oid = i.indexrelid
                       OR ii.index_oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(i.indexrelid) t)
                    ORDER BY ii.index_oid = i.indexrelid DESC, ii.created_at DESC
                    LIMIT 1) r
             WHERE i.indrelid = $1
            """,
            SpiArg.Oid(oid)).ConfigureAwait(false))
        {
            settings[row.Long("index_oid")] = new KmerIndexSettings(
                (int)row.Long("kmer_size"),
                (int)row.Long("occur_bitlen"),
                row.Bool("preclude_highfreq_kmer"),
                row["max_appearance_rate"] is double rate ? rate : Convert.ToDouble(row["max_appearance_rate"], System.Globalization.CultureInfo.InvariantCulture),
                row.Long("max_appearance_nrow"));
        }

        return settings;
    }
}
