namespace Kmer.Cli;

/// <summary>
/// What <c>kmer-cli partition</c> or <c>kmer-cli unpartition</c> was asked to
/// do: <c>kmersearch_partition_table(table, partitions, tablespace)</c>, or,
/// without <paramref name="Partitions"/>, <c>kmersearch_unpartition_table(table, tablespace)</c>.
/// </summary>
/// <param name="Table">The table argument, passed as given.</param>
/// <param name="Partitions">The number of hash partitions; null for <c>unpartition</c>.</param>
/// <param name="Tablespace">The tablespace argument, or null.</param>
/// <param name="ConnectionString">The resolved Npgsql connection string (<see cref="PartitionConnection.Resolve"/>).</param>
/// <param name="Json">Write the outcome as one JSON object; progress then goes to stderr.</param>
public sealed record PartitionOptions(string Table, int? Partitions, string? Tablespace, string ConnectionString, bool Json)
{
    /// <summary>The SQL function that partitions a table.</summary>
    public const string PartitionFunction = "kmersearch_partition_table";

    /// <summary>The SQL function that turns a partitioned table back into a plain one.</summary>
    public const string UnpartitionFunction = "kmersearch_unpartition_table";

    /// <summary>The command's name.</summary>
    public string Command => Partitions is null ? "unpartition" : "partition";

    /// <summary>The SQL function the command runs.</summary>
    public string Function => Partitions is null ? UnpartitionFunction : PartitionFunction;
}
