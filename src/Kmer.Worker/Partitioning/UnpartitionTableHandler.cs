using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// <c>kmersearch_unpartition_table(table_name, tablespace_name)</c>: turns a
/// partitioned table with one DNA2/DNA4 column back into a plain table with
/// the same name, every row of every partition, and what the partitioned
/// table had (docs/partitioning.md). The reverse of <see cref="PartitionTableHandler"/>,
/// with the same all-in-the-caller's-transaction execution.
/// </summary>
[BridgedFunction(
    HandlerName,
    Parameters = "table_name text, tablespace_name text DEFAULT NULL",
    Returns = "void",
    Comment = "Turns a partitioned table with one DNA2/DNA4 column back into a plain table (in tablespace_name if given), keeping its rows, name, "
        + "columns, defaults, constraints, keys, indexes, comments, grants, owner and high-frequency analysis; all in the caller's transaction.")]
public sealed class UnpartitionTableHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_unpartition_table";

    private const string Action = "unpartition";

    private const string PartitionsSql = """
        SELECT t.relid::int8 AS oid, t.isleaf AS is_leaf, c.relkind::text AS kind, c.relpersistence::text AS persistence,
               c.relispartition AS is_partition, t.parentrelid = $1 AS is_direct,
               pg_catalog.array_to_string(c.reloptions, ',') AS reloptions,
               CASE WHEN am.amname <> 'heap' THEN am.amname::text END AS access_method,
               pg_catalog.format('%I.%I', n.nspname, c.relname) AS qualified,
               c.oid::pg_catalog.regclass::text AS display_name,
               (pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid), 'REMAINDER (\d+)', 'i'))[1]::int8 AS remainder
          FROM pg_catalog.pg_partition_tree($1) t
          JOIN pg_catalog.pg_class c ON c.oid = t.relid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
         WHERE t.relid <> $1
         ORDER BY t.level, remainder NULLS LAST, c.relname
        """;

    private readonly TimeProvider _time;

    /// <summary>Creates the handler.</summary>
    public UnpartitionTableHandler(TimeProvider time) => _time = time;

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string name = RebuildSupport.RequireTableName(RebuildSupport.TextArg(context, 0, "table_name"), "kmersearch_unpartition_table");
        string? tablespaceName = RebuildSupport.TextArg(context, 1, "tablespace_name");

        var spi = new SpiSession(context, cancellationToken);
        long oid = await RebuildSupport.ResolveAndLockAsync(spi, name).ConfigureAwait(false);
        (string? extensionSchema, string databaseTablespace) = await RebuildSupport.EnvironmentAsync(spi).ConfigureAwait(false);
        TableDefinition table = await CatalogReader.ReadAsync(spi, oid, extensionSchema).ConfigureAwait(false);

        // 2.1: a partitioned table, with partitions, with one DNA column.
        if (table.Kind != 'p')
        {
            throw new CallFailedException(PartitionErrors.WrongObjectType,
                table.Kind == 'r' ? $"table {table.DisplayName} is not partitioned" : $"{table.DisplayName} is not a partitioned table");
        }

        IReadOnlyList<SpiRow> partitions = await spi.QueryAsync(PartitionsSql, SpiArg.Oid(oid)).ConfigureAwait(false);
        int direct = partitions.Count(p => p.Bool("is_direct"));
        if (direct == 0)
        {
            throw new CallFailedException(PartitionErrors.InvalidTableDefinition, $"partitioned table {table.DisplayName} has no partitions");
        }

        RebuildSupport.SingleDnaColumn(table, Action);
        RebuildSupport.CheckTable(table, Action);
        string? tablespace = await RebuildSupport.CheckTablespaceAsync(spi, tablespaceName, databaseTablespace).ConfigureAwait(false);

        List<SpiRow> leaves = [.. partitions.Where(p => p.Bool("is_leaf"))];
        if (leaves.Find(p => p.Text("kind") != "r") is SpiRow foreign)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot unpartition table {table.DisplayName}: partition {foreign.Text("display_name")} is not a plain table");
        }

        IReadOnlyList<string> blockers = await DependencyCheck.FindAsync(spi, oid, [.. partitions.Select(p => p.Long("oid"))]).ConfigureAwait(false);
        if (blockers.Count > 0)
        {
            throw DependencyCheck.Error(Action, table.DisplayName, blockers);
        }

        // The plain table stores rows as the partitions did when they all agree.
        bool unlogged = leaves.Count > 0 && leaves.All(p => p.Text("persistence") == "u");
        string? accessMethod = Agreed(leaves, "access_method");
        string? options = Agreed(leaves, "reloptions");

        TempNames temp = await RebuildSupport.TempNamesAsync(spi, table, "unpart", RebuildSupport.Stamp(_time)).ConfigureAwait(false);
        var plan = new RebuildPlan
        {
            Action = Action,
            Source = table,
            CallerRole = context.Call.Context.User,
            TempName = temp.Table,
            Partitioned = false,
            Tablespace = tablespace ?? table.Tablespace,
            ExplicitTablespace = tablespace,
            DatabaseTablespace = databaseTablespace,
            Unlogged = unlogged,
            AccessMethod = accessMethod,
            StorageOptions = string.IsNullOrEmpty(options) ? [] : options.Split(','),
            Sources = [.. leaves.Select(p => new DataSource(p.Long("oid"), p.Text("qualified"), p.Text("display_name")))],
            ConstraintTempNames = temp.Constraints,
            IndexTempNames = temp.Indexes,
            StatisticsTempNames = temp.Statistics,
            SequenceTempNames = temp.Sequences,
            ExtensionSchema = extensionSchema,
            MaintenanceWorkMemBytes = RebuildSupport.MaintenanceWorkMemBytes(context),
        };

        context.ReportProgress(0);
        await new TableRebuild(spi, plan, _time).RunAsync().ConfigureAwait(false);
        context.ReportProgress(1);
        await spi.NoticeAsync(NoticeLevel.Info, string.Create(CultureInfo.InvariantCulture,
            $"unpartitioned table {table.DisplayName}: {direct} partitions merged into a plain table")).ConfigureAwait(false);
        return null;
    }

    /// <summary>The value every leaf has for <paramref name="column"/>, or null when they differ (or have none).</summary>
    private static string? Agreed(List<SpiRow> leaves, string column)
    {
        List<string?> values = [.. leaves.Select(p => p.NullableText(column)).Distinct()];
        return values.Count == 1 ? values[0] : null;
    }
}
