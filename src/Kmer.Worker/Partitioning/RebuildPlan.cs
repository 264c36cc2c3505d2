namespace Kmer.Worker.Partitioning;

/// <summary>
/// What <see cref="TableRebuild"/> builds: the new table's shape, where its
/// rows come from, and the temporary names its objects carry until the old
/// table is gone. Made by the partition and unpartition handlers after
/// validation; nothing in it has been executed yet.
/// </summary>
internal sealed class RebuildPlan
{
    /// <summary>"partition" or "unpartition", for messages.</summary>
    public required string Action { get; init; }

    public required TableDefinition Source { get; init; }

    /// <summary>The caller's role (<c>current_user</c>).</summary>
    public required string CallerRole { get; init; }

    /// <summary>The new table's name until the old one is dropped (same schema).</summary>
    public required string TempName { get; init; }

    /// <summary>Hash-partitioned on <see cref="PartitionColumn"/> (partition), or a plain table (unpartition).</summary>
    public required bool Partitioned { get; init; }

    public ColumnDefinition? PartitionColumn { get; init; }

    /// <summary>The partitions to create, remainder i at index i.</summary>
    public IReadOnlyList<string> PartitionNames { get; init; } = [];

    /// <summary>The tablespace for the table's storage (the partitions, or the plain table); null: none named.</summary>
    public required string? Tablespace { get; init; }

    /// <summary>The tablespace_name argument when one was given (it then holds the indexes too).</summary>
    public required string? ExplicitTablespace { get; init; }

    /// <summary>The database's default tablespace (a partitioned relation must not name it).</summary>
    public required string DatabaseTablespace { get; init; }

    /// <summary>UNLOGGED storage (the partitions, or the plain table).</summary>
    public required bool Unlogged { get; init; }

    /// <summary>A table access method other than heap for the storage.</summary>
    public required string? AccessMethod { get; init; }

    /// <summary>Storage parameters for the storage (the partitions, or the plain table).</summary>
    public required IReadOnlyList<string> StorageOptions { get; init; }

    /// <summary>Where the rows come from, in order.</summary>
    public required IReadOnlyList<DataSource> Sources { get; init; }

    /// <summary>Temporary names of the constraints that have an index (their index names must be free in the schema).</summary>
    public required IReadOnlyDictionary<string, string> ConstraintTempNames { get; init; }

    /// <summary>Temporary names of the indexes.</summary>
    public required IReadOnlyDictionary<string, string> IndexTempNames { get; init; }

    /// <summary>Temporary names of the extended statistics objects (by their original name).</summary>
    public required IReadOnlyDictionary<string, string> StatisticsTempNames { get; init; }

    /// <summary>Temporary names of the identity sequences (by column).</summary>
    public required IReadOnlyDictionary<string, string> SequenceTempNames { get; init; }

    /// <summary>The schema of the extension's tables (analysis rows), null when unknown.</summary>
    public required string? ExtensionSchema { get; init; }

    /// <summary><c>maintenance_work_mem</c> in bytes, for the batch size.</summary>
    public required long MaintenanceWorkMemBytes { get; init; }

    public string QualifiedTemp => SqlText.Qualified(Source.Schema, TempName);
}

/// <summary>A relation whose rows move to the new table.</summary>
/// <param name="Oid">Its OID.</param>
/// <param name="QualifiedName">Quoted, qualified.</param>
/// <param name="DisplayName">As messages name it.</param>
internal sealed record DataSource(long Oid, string QualifiedName, string DisplayName);
