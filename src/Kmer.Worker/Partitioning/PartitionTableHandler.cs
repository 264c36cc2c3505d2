using System.Globalization;
using Kmer.Protocol;

namespace Kmer.Worker.Partitioning;

/// <summary>
/// <c>kmersearch_partition_table(table_name, partition_count, tablespace_name)</c>:
/// turns a plain table with one DNA2/DNA4 column into a table hash-partitioned
/// on that column, with <c>partition_count</c> partitions named
/// <c>&lt;table&gt;_0 … &lt;table&gt;_(n−1)</c>, every row, and everything
/// the table had that a partitioned table can have (docs/partitioning.md).
/// </summary>
/// <remarks>
/// The pool plans; the caller's session executes: every catalog query, DDL
/// statement and batch of the migration is an SPI request in the caller's
/// transaction, so an error or a cancel rolls all of it back. Validation
/// runs first and changes nothing; things that cannot be carried over
/// (dependent views, foreign keys from other tables, triggers, rules,
/// policies, a unique key without the DNA column …) are an ERROR naming them.
/// </remarks>
[BridgedFunction(
    HandlerName,
    Parameters = "table_name text, partition_count integer, tablespace_name text DEFAULT NULL",
    Returns = "void",
    Comment = "Turns a table with one DNA2/DNA4 column into a table hash-partitioned on that column with partition_count partitions "
        + "(<table>_0 … <table>_<n-1>, in tablespace_name if given), keeping its rows, name, columns, defaults, constraints, keys, indexes, "
        + "comments, grants, owner and high-frequency analysis; all in the caller's transaction.")]
public sealed class PartitionTableHandler : ICallHandler
{
    /// <summary>The handler name the SQL function's body names.</summary>
    public const string HandlerName = "kmersearch_partition_table";

    /// <summary>The most partitions one call creates (each is a table locked until the transaction ends).</summary>
    public const int MaxPartitions = 100000;

    private const string Action = "partition";

    private readonly TimeProvider _time;

    /// <summary>Creates the handler.</summary>
    public PartitionTableHandler(TimeProvider time) => _time = time;

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(HandlerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? tableName = RebuildSupport.TextArg(context, 0, "table_name");
        long count = RebuildSupport.IntegerArg(context, 1, "partition_count") ?? 0;
        string? tablespaceName = RebuildSupport.TextArg(context, 2, "tablespace_name");

        // 1.1: partition_count first, then the table (locked), then what it is.
        if (count < 1)
        {
            throw new CallFailedException(PartitionErrors.InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"partition_count must be at least 1, not {(context.Call.Args.Count > 1 && context.Call.Args[1] is null ? "NULL" : count.ToString(CultureInfo.InvariantCulture))}"));
        }

        if (count > MaxPartitions)
        {
            throw new CallFailedException(PartitionErrors.InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"partition_count must be at most {MaxPartitions}, not {count}"),
                hint: "Each partition is a table created, and locked, in the caller's transaction.");
        }

        string name = RebuildSupport.RequireTableName(tableName, "kmersearch_partition_table");
        var spi = new SpiSession(context, cancellationToken);
        long oid = await RebuildSupport.ResolveAndLockAsync(spi, name).ConfigureAwait(false);
        (string? extensionSchema, string databaseTablespace) = await RebuildSupport.EnvironmentAsync(spi).ConfigureAwait(false);
        TableDefinition table = await CatalogReader.ReadAsync(spi, oid, extensionSchema).ConfigureAwait(false);
        if (table.Kind == 'p')
        {
            throw new CallFailedException(PartitionErrors.WrongObjectType, $"table {table.DisplayName} is already partitioned",
                hint: "kmersearch_unpartition_table turns it back into a plain table.");
        }

        if (table.Kind != 'r')
        {
            throw new CallFailedException(PartitionErrors.WrongObjectType, $"{table.DisplayName} is not a table");
        }

        ColumnDefinition dna = RebuildSupport.SingleDnaColumn(table, Action);
        RebuildSupport.CheckTable(table, Action);
        string? tablespace = await RebuildSupport.CheckTablespaceAsync(spi, tablespaceName, databaseTablespace).ConfigureAwait(false);
        CheckPartitionable(table, dna);

        IReadOnlyList<string> blockers = await DependencyCheck.FindAsync(spi, oid, []).ConfigureAwait(false);
        if (blockers.Count > 0)
        {
            throw DependencyCheck.Error(Action, table.DisplayName, blockers);
        }

        List<string> partitionNames = [.. Enumerable.Range(0, (int)count)
            .Select(i => SqlText.FitName(table.Name, "_" + i.ToString(CultureInfo.InvariantCulture)))];
        IReadOnlyList<string> taken = await RebuildSupport.TakenNamesAsync(spi, table.Schema, partitionNames).ConfigureAwait(false);
        if (taken.Count > 0)
        {
            throw new CallFailedException(PartitionErrors.DuplicateTable,
                $"cannot partition table {table.DisplayName}: relation \"{taken[0]}\" already exists in schema {table.Schema}",
                taken.Count > 1 ? $"Taken partition names: {string.Join(", ", taken)}." : null,
                "The partitions are named <table>_0 … <table>_<n-1>; rename or drop the existing relation first.");
        }

        TempNames temp = await RebuildSupport.TempNamesAsync(spi, table, "part", RebuildSupport.Stamp(_time)).ConfigureAwait(false);
        var plan = new RebuildPlan
        {
            Action = Action,
            Source = table,
            CallerRole = context.Call.Context.User,
            TempName = temp.Table,
            Partitioned = true,
            PartitionColumn = dna,
            PartitionNames = partitionNames,
            Tablespace = tablespace ?? table.Tablespace,
            ExplicitTablespace = tablespace,
            DatabaseTablespace = databaseTablespace,
            Unlogged = table.Persistence == 'u',
            AccessMethod = table.AccessMethod,
            StorageOptions = table.RelOptions,
            Sources = [new DataSource(table.Oid, table.QualifiedName, table.DisplayName)],
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
            $"partitioned table {table.DisplayName} into {count} hash partitions on column {dna.Name}")).ConfigureAwait(false);
        return null;
    }

    /// <summary>What a hash-partitioned table cannot have (besides what <see cref="RebuildSupport.CheckTable"/> refuses).</summary>
    private static void CheckPartitionable(TableDefinition table, ColumnDefinition dna)
    {
        if (dna.GeneratedSql is not null)
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot partition table {table.DisplayName} on generated column \"{dna.Name}\"");
        }

        foreach (ConstraintDefinition constraint in table.Constraints)
        {
            switch (constraint.Type)
            {
                case 'p' or 'u' when !constraint.IncludesDnaColumn:
                    throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                        $"cannot partition table {table.DisplayName}: {constraint.Kind} \"{constraint.Name}\" does not include the DNA column \"{dna.Name}\"",
                        $"{constraint.Kind} \"{constraint.Name}\": {constraint.Definition}",
                        $"On a partitioned table every primary key and unique constraint must include the partition key (\"{dna.Name}\"); "
                        + "change or drop the constraint first.");
                case 'c' when constraint.NoInherit:
                    throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                        $"cannot partition table {table.DisplayName}: check constraint \"{constraint.Name}\" is NO INHERIT",
                        hint: "A partitioned table cannot have NO INHERIT constraints; drop it or recreate it without NO INHERIT first.");
                case 'f' when !constraint.Validated:
                    throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                        $"cannot partition table {table.DisplayName}: foreign key \"{constraint.Name}\" is NOT VALID",
                        hint: $"PostgreSQL 15 cannot add a NOT VALID foreign key to a partitioned table; run ALTER TABLE … VALIDATE CONSTRAINT \"{constraint.Name}\" first.");
            }
        }

        foreach (IndexDefinition index in table.Indexes.Where(i => i.Unique && !i.IncludesDnaColumn))
        {
            throw new CallFailedException(PartitionErrors.FeatureNotSupported,
                $"cannot partition table {table.DisplayName}: unique index \"{index.Name}\" does not include the DNA column \"{dna.Name}\"",
                index.Definition,
                $"On a partitioned table every unique index must include the partition key (\"{dna.Name}\"); change or drop the index first.");
        }
    }
}
