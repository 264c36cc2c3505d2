namespace Kmer.Worker.Partitioning;

/// <summary>One relation of the partition tree and the index it gets.</summary>
/// <param name="Oid">The relation.</param>
/// <param name="ParentOid">Its parent in the tree, or null for the partitioned table itself.</param>
/// <param name="Level">0 for the partitioned table, 1 for its partitions, …</param>
/// <param name="IsLeaf">A leaf partition (its index is built); otherwise a partitioned table (its index is created <c>ON ONLY</c> and has partitions attached).</param>
/// <param name="Schema">The relation's schema (also the index's).</param>
/// <param name="Name">The relation's name.</param>
/// <param name="IndexName">The name of its index: <see cref="ParallelIndexNames.IndexName"/>.</param>
/// <param name="Pages">Its size in pages when the call started (larger leaves are built first).</param>
public sealed record ParallelIndexNode(long Oid, long? ParentOid, int Level, bool IsLeaf, string Schema, string Name, string IndexName, long Pages)
{
    /// <summary>The relation as quoted SQL: <c>"schema"."name"</c>.</summary>
    public string QualifiedName => ParallelIndexNames.Qualified(Schema, Name);

    /// <summary>The index as quoted SQL: <c>"schema"."index"</c>.</summary>
    public string QualifiedIndexName => ParallelIndexNames.Qualified(Schema, IndexName);
}

/// <summary>What <c>kmersearch_parallel_create_index</c> validated and will do.</summary>
/// <param name="Root">The partitioned table.</param>
/// <param name="Column">The DNA2/DNA4 column.</param>
/// <param name="TypeName"><c>dna2</c> or <c>dna4</c>.</param>
/// <param name="OperatorClass">The GIN operator class, qualified and quoted.</param>
/// <param name="Tablespace">The tablespace of every index, or null for none (also when the database's default was named, which a partitioned index may not name).</param>
/// <param name="Nodes">Every relation of the partition tree, the partitioned table first, by level, then by OID (creation order).</param>
/// <param name="Reusable">Leaves that already have a valid index of the planned name, built with the same operator class and k-mer settings, not attached to another index: they are not built again.</param>
public sealed record ParallelIndexPlan(
    ParallelIndexNode Root,
    string Column,
    string TypeName,
    string OperatorClass,
    string? Tablespace,
    IReadOnlyList<ParallelIndexNode> Nodes,
    IReadOnlySet<long> Reusable)
{
    /// <summary>The leaf partitions, in tree order.</summary>
    public IEnumerable<ParallelIndexNode> Leaves => Nodes.Where(n => n.IsLeaf);

    /// <summary>The partitioned partitions below the root (their indexes are created <c>ON ONLY</c> and attached).</summary>
    public IEnumerable<ParallelIndexNode> Intermediates => Nodes.Where(n => !n.IsLeaf && n.ParentOid is not null);

    /// <summary><c>USING gin ("column" opclass)</c> and the tablespace clause, as every index of the call has them.</summary>
    public string IndexDefinition =>
        $"USING gin ({ParallelIndexNames.Quote(Column)} {OperatorClass})"
        + (Tablespace is null ? "" : " TABLESPACE " + ParallelIndexNames.Quote(Tablespace));

    /// <summary>The statement that builds <paramref name="leaf"/>'s index (on a build session, committed on its own).</summary>
    public string BuildStatement(ParallelIndexNode leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        return $"CREATE INDEX {ParallelIndexNames.Quote(leaf.IndexName)} ON {leaf.QualifiedName} {IndexDefinition}";
    }

    /// <summary>The statement that creates a partitioned table's index without recursing (invalid until every partition's index is attached).</summary>
    public string CreateOnlyStatement(ParallelIndexNode partitioned)
    {
        ArgumentNullException.ThrowIfNull(partitioned);
        return $"CREATE INDEX {ParallelIndexNames.Quote(partitioned.IndexName)} ON ONLY {partitioned.QualifiedName} {IndexDefinition}";
    }

    /// <summary><c>ALTER INDEX parent ATTACH PARTITION child</c>.</summary>
    public string AttachStatement(ParallelIndexNode child)
    {
        ArgumentNullException.ThrowIfNull(child);
        ParallelIndexNode parent = Nodes.First(n => n.Oid == child.ParentOid);
        return $"ALTER INDEX {parent.QualifiedIndexName} ATTACH PARTITION {child.QualifiedIndexName}";
    }
}
