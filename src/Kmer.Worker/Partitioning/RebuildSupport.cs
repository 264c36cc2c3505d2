using System.Globalization;

namespace Kmer.Worker.Partitioning;

/// <summary>What both partition handlers do before they change anything: arguments, the table, checks, names.</summary>
internal static class RebuildSupport
{
    private const string ResolveSql = """
        SELECT c.oid::int8 AS oid, pg_catalog.format('%I.%I', n.nspname, c.relname) AS qualified
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = COALESCE(
                 (SELECT c2.oid
                    FROM pg_catalog.unnest(pg_catalog.current_schemas(true)) WITH ORDINALITY AS s(nsp, ord)
                    JOIN pg_catalog.pg_namespace n2 ON n2.nspname = s.nsp
                    JOIN pg_catalog.pg_class c2 ON c2.relnamespace = n2.oid AND c2.relname = $1
                   ORDER BY s.ord LIMIT 1),
                 pg_catalog.to_regclass($1)::oid)
        """;

    private const string EnvironmentSql = """
        SELECT (SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                 WHERE e.extname = 'pg_kmersearch') AS extension_schema,
               (SELECT t.spcname::text FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace
                 WHERE d.datname = pg_catalog.current_database()) AS database_tablespace
        """;

    private const string TakenNamesSql = """
        SELECT x.name
          FROM pg_catalog.unnest($2::text[]) AS x(name)
         WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = $1 AND c.relname = x.name)
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = $1 AND t.typname = x.name)
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
                        WHERE n.nspname = $1 AND s.stxname = x.name)
         ORDER BY 1
        """;

    private static readonly DateTimeOffset PostgresEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Argument <paramref name="index"/>: text or NULL.</summary>
    public static string? TextArg(HandlerContext context, int index, string name) =>
        Arg(context, index) switch
        {
            null => null,
            string text => text,
            object other => throw new CallFailedException(PartitionErrors.InvalidParameterValue,
                $"{name} must be text, not {other.GetType().Name}"),
        };

    /// <summary>Argument <paramref name="index"/>: an integer or NULL.</summary>
    public static long? IntegerArg(HandlerContext context, int index, string name) =>
        Arg(context, index) switch
        {
            null => null,
            long value => value,
            object other => throw new CallFailedException(PartitionErrors.InvalidParameterValue,
                $"{name} must be an integer, not {other.GetType().Name}"),
        };

    private static object? Arg(HandlerContext context, int index) =>
        index < context.Call.Args.Count ? context.Call.Args[index] : null;

    /// <summary>The table name, which must not be NULL.</summary>
    public static string RequireTableName(string? tableName, string function) =>
        tableName ?? throw new CallFailedException(PartitionErrors.NullValueNotAllowed, $"table_name of {function} must not be NULL");

    /// <summary>
    /// Finds the table as the original does (an exact, case-sensitive name
    /// on the search path), else as <c>to_regclass</c> reads the text
    /// (qualified, quoted names), and takes ACCESS EXCLUSIVE lock on it (and
    /// its partitions) until the end of the caller's transaction. Missing: 42P01.
    /// </summary>
    public static async Task<long> ResolveAndLockAsync(SpiSession spi, string tableName)
    {
        for (int attempt = 0; ; attempt++)
        {
            SpiRow row = await spi.QuerySingleAsync(ResolveSql, SpiArg.Text(tableName)).ConfigureAwait(false)
                ?? throw new CallFailedException(PartitionErrors.UndefinedTable, $"relation \"{tableName}\" does not exist");
            long oid = row.Long("oid");
            await spi.ExecuteAsync($"LOCK TABLE {row.Text("qualified")} IN ACCESS EXCLUSIVE MODE").ConfigureAwait(false);

            // The name may have been dropped or replaced while we waited for the lock.
            SpiRow? again = await spi.QuerySingleAsync(ResolveSql, SpiArg.Text(tableName)).ConfigureAwait(false);
            if (again is not null && again.Long("oid") == oid)
            {
                return oid;
            }

            if (attempt >= 2)
            {
                throw new CallFailedException("40001", $"relation \"{tableName}\" changed while waiting for its lock", hint: "Try again.");
            }
        }
    }

    /// <summary>The extension's schema and the database's default tablespace.</summary>
    public static async Task<(string? ExtensionSchema, string DatabaseTablespace)> EnvironmentAsync(SpiSession spi)
    {
        SpiRow row = await spi.QuerySingleAsync(EnvironmentSql).ConfigureAwait(false) ?? throw new InvalidOperationException("no row");
        return (row.NullableText("extension_schema"), row.NullableText("database_tablespace") ?? "pg_default");
    }

    /// <summary>
    /// The tablespace_name argument, checked: NULL or empty is none; an
    /// unknown one is 42704, one the caller may not create in is 42501.
    /// </summary>
    public static async Task<string?> CheckTablespaceAsync(SpiSession spi, string? tablespace, string databaseTablespace)
    {
        if (string.IsNullOrEmpty(tablespace))
        {
            return null;
        }

        SpiRow? row = await spi.QuerySingleAsync(
            "SELECT pg_catalog.has_tablespace_privilege(t.oid, 'CREATE') AS may_create FROM pg_catalog.pg_tablespace t WHERE t.spcname = $1",
            SpiArg.Text(tablespace)).ConfigureAwait(false);
        if (row is null)
        {
            throw new CallFailedException(PartitionErrors.UndefinedObject, $"tablespace \"{tablespace}\" does not exist");
        }

        if (!row.Bool("may_create") && tablespace != databaseTablespace)
        {
            throw new CallFailedException(PartitionErrors.InsufficientPrivilege, $"permission denied for tablespace {tablespace}");
        }

        return tablespace;
    }

    /// <summary>The DNA column count rule of both functions: none is 42809, more than one 0A000.</summary>
    public static ColumnDefinition SingleDnaColumn(TableDefinition table, string action)
    {
        List<ColumnDefinition> dna = [.. table.DnaColumns];
        return dna.Count switch
        {
            0 => throw new CallFailedException(PartitionErrors.WrongObjectType,
                $"table {table.DisplayName} has no DNA2 or DNA4 column",
                hint: $"kmersearch_{action}_table works on tables with exactly one column of type DNA2 or DNA4."),
            1 => dna[0],
            _ => throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                string.Create(CultureInfo.InvariantCulture,
                    $"table {table.DisplayName} has {dna.Count} DNA2/DNA4 columns ({string.Join(", ", dna.Select(c => c.Name))}), but exactly one is needed"),
                hint: "The single DNA column is the partition key."),
        };
    }

    /// <summary>The checks both directions share, on the table itself.</summary>
    public static void CheckTable(TableDefinition table, string action)
    {
        if (!table.CallerOwns)
        {
            throw new CallFailedException(PartitionErrors.InsufficientPrivilege, $"must be owner of table {table.DisplayName}");
        }

        if (table.IsPartition)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot {action} table {table.DisplayName}: it is a partition of another table");
        }

        if (table.Inheritance.Count > 0)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot {action} table {table.DisplayName}: it takes part in table inheritance", string.Join('\n', table.Inheritance));
        }

        if (table.Persistence == 't')
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported, $"cannot {action} temporary table {table.DisplayName}");
        }

        if (table.IsTyped)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot {action} table {table.DisplayName}: it is a typed table (CREATE TABLE … OF type)");
        }

        if (table.InExtension)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot {action} table {table.DisplayName}: it belongs to an extension");
        }

        foreach (ConstraintDefinition constraint in table.Constraints)
        {
            if (constraint.Type == 'x')
            {
                throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                    $"cannot {action} table {table.DisplayName}: exclusion constraint \"{constraint.Name}\" cannot be carried over",
                    hint: "PostgreSQL 15 does not support exclusion constraints on partitioned tables; drop it first.");
            }

            if (constraint.Type == 'f' && constraint.ReferencesSelf)
            {
                throw new CallFailedException(PartitionErrors.DependentObjectsStillExist,
                    $"cannot {action} table {table.DisplayName} because foreign key \"{constraint.Name}\" references the table itself",
                    hint: "Drop the foreign key first and recreate it afterwards.");
            }
        }

        foreach (IndexDefinition index in table.Indexes)
        {
            if (!index.Valid)
            {
                throw new CallFailedException(PartitionErrors.ObjectNotInPrerequisiteState,
                    $"cannot {action} table {table.DisplayName}: index \"{index.Name}\" is invalid",
                    hint: "Drop it or REINDEX it first.");
            }

            if (index.IsKmerIndex && index.KmerSettings is { PrecludeHighfreqKmer: true })
            {
                throw new CallFailedException(PartitionErrors.ObjectNotInPrerequisiteState,
                    $"cannot {action} table {table.DisplayName}: k-mer index \"{index.Name}\" was built with kmersearch.preclude_highfreq_kmer",
                    "Its keys leave out the high-frequency k-mers of the table's analysis, and the high-frequency cache is keyed by the table's OID, which changes.",
                    $"Drop the index, run kmersearch_{action}_table, load the high-frequency cache for the new table and create the index again.");
            }
        }
    }

    /// <summary>Milliseconds since 2000-01-01 00:00 UTC, as the original names its temporary table.</summary>
    public static long Stamp(TimeProvider time) => (long)(time.GetUtcNow() - PostgresEpoch).TotalMilliseconds;

    /// <summary>The names in <paramref name="names"/> that a relation, type or statistics object of <paramref name="schema"/> already has.</summary>
    public static async Task<IReadOnlyList<string>> TakenNamesAsync(SpiSession spi, string schema, IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return [];
        }

        IReadOnlyList<SpiRow> rows = await spi.QueryAsync(TakenNamesSql, SpiArg.Text(schema), new SpiArg(names.ToArray(), "text[]")).ConfigureAwait(false);
        return [.. rows.Select(r => r.Text("name"))];
    }

    /// <summary>
    /// The temporary names of a rebuild: the new table
    /// (<c>&lt;t&gt;_&lt;infix&gt;_&lt;ms&gt;</c>, as the original names it) and the
    /// objects whose names must be unique in their schema, none of them taken.
    /// </summary>
    public static async Task<TempNames> TempNamesAsync(SpiSession spi, TableDefinition table, string infix, long stamp)
    {
        for (int attempt = 0; ; attempt++, stamp++)
        {
            string baseSuffix = string.Create(CultureInfo.InvariantCulture, $"_{infix}_{stamp}");
            var names = new TempNames(SqlText.FitName(table.Name, baseSuffix));
            int k = 0;
            foreach (ConstraintDefinition constraint in table.Constraints.Where(c => c.HasIndex))
            {
                names.Constraints[constraint.Name] = SqlText.FitName(table.Name, string.Create(CultureInfo.InvariantCulture, $"{baseSuffix}_c{++k}"));
            }

            foreach (IndexDefinition index in table.Indexes)
            {
                names.Indexes[index.Name] = SqlText.FitName(table.Name, string.Create(CultureInfo.InvariantCulture, $"{baseSuffix}_i{++k}"));
            }

            foreach (StatisticsDefinition statistics in table.Statistics)
            {
                names.Statistics[statistics.Name] = SqlText.FitName(table.Name, string.Create(CultureInfo.InvariantCulture, $"{baseSuffix}_s{++k}"));
            }

            foreach (ColumnDefinition column in table.Columns.Where(c => c.IdentitySequence is not null))
            {
                names.Sequences[column.Name] = SqlText.FitName(table.Name, string.Create(CultureInfo.InvariantCulture, $"{baseSuffix}_q{++k}"));
            }

            IReadOnlyList<string> taken = await TakenNamesAsync(spi, table.Schema, names.All().ToList()).ConfigureAwait(false);
            if (taken.Count == 0)
            {
                return names;
            }

            if (attempt >= 20)
            {
                throw new CallFailedException(PartitionErrors.DuplicateTable,
                    $"cannot find free temporary names in schema {table.Schema}", $"Taken: {string.Join(", ", taken)}");
            }
        }
    }

    /// <summary><c>maintenance_work_mem</c> of the caller in bytes (the setting crosses in kB), 64 MB when missing.</summary>
    public static long MaintenanceWorkMemBytes(HandlerContext context) =>
        context.Call.Context.Settings.TryGetValue("maintenance_work_mem", out string? kb)
        && long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value > 0
            ? value * 1024
            : 64L * 1024 * 1024;
}

/// <summary>Temporary names for one rebuild.</summary>
internal sealed class TempNames(string table)
{
    public string Table { get; } = table;

    public Dictionary<string, string> Constraints { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Indexes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Statistics { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Sequences { get; } = new(StringComparer.Ordinal);

    public IEnumerable<string> All() =>
        new[] { Table }.Concat(Constraints.Values).Concat(Indexes.Values).Concat(Statistics.Values).Concat(Sequences.Values);
}
